// SPDX-License-Identifier: GPL-2.0
/* Small programs the addon's own tests attach to each hook type: uprobe, uretprobe, raw tracepoint and a
 * software perf event, each counting hits in `hits` (index per program) and perf samples' stacks. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

VIGIL_FILTER_CONFIG

static __always_inline void hit(__u32 i)
{
	__u64 *n = bpf_map_lookup_elem(&hits, &i);
	if (n)
		__sync_fetch_and_add(n, 1);
	n = bpf_map_lookup_elem(&percpu_hits, &i);
	if (n)
		*n += 1;
}

SEC("uprobe")
int count_uprobe(struct pt_regs *ctx)
{
	hit(0);
	return 0;
}

SEC("uretprobe")
int count_uretprobe(struct pt_regs *ctx)
{
	hit(1);
	return 0;
}

SEC("raw_tp/sys_enter")
int count_raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	/* Unlike the other counters this one needs a filter: every syscall on the machine passes here. */
	__u32 zero = 0;
	struct filter_config *c = bpf_map_lookup_elem(&filter, &zero);
	if (c && c->tgid && c->tgid == bpf_get_current_pid_tgid() >> 32)
		hit(2);
	return 0;
}

SEC("perf_event")
int sample_stack(struct bpf_perf_event_data *ctx)
{
	if (!wanted_tgid(bpf_get_current_pid_tgid() >> 32))
		return 0;
	hit(3);
	bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int count_getppid(struct syscall_trace_enter *ctx)
{
	if (wanted_tgid(bpf_get_current_pid_tgid() >> 32))
		hit(4);
	return 0;
}

/* Deliberately rejected by the verifier (reads past a map value) so tests can check the error path. */
SEC("tp/syscalls/sys_enter_getppid")
int rejected_by_verifier(struct syscall_trace_enter *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &zero);
	if (n)
		return *(n + 100);
	return 0;
}
