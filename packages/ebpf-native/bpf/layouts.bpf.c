// SPDX-License-Identifier: GPL-2.0
/* Never loaded: declares one object of every struct in events.h that user space reads or writes, so that
 * their layouts (as clang lays them out for BPF) are in this object's BTF. scripts/generate-layouts.mjs
 * turns them into src/generated/layouts.ts, which every TypeScript decoder reads its offsets from. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct process_event layout_process_event;
struct file_open_key layout_file_open_key;
struct file_open_rule layout_file_open_rule;
struct file_open_event layout_file_open_event;
struct tcp_event layout_tcp_event;
struct syscall_key layout_syscall_key;
struct syscall_stats layout_syscall_stats;
struct hist_key layout_hist_key;
struct oom_event layout_oom_event;
struct filter_config layout_filter_config;
struct stack_key layout_stack_key;
struct http_event layout_http_event;
struct http_conn_info layout_http_conn_info;
struct http_request_info layout_http_request_info;
struct http_agg_key layout_http_agg_key;
struct http_agg_value layout_http_agg_value;
struct http_config layout_http_config;
struct h2_block_info layout_h2_block_info;
struct h2_ref layout_h2_ref;
struct h2_call_info layout_h2_call_info;
struct h2_agg_key layout_h2_agg_key;
struct h2_label_key layout_h2_label_key;
struct h2_stream_key layout_h2_stream_key;
struct tcp_summary layout_tcp_summary;
struct tcp_config layout_tcp_config;
struct process_summary_key layout_process_summary_key;
struct process_summary layout_process_summary;
struct process_config layout_process_config;
