// SPDX-License-Identifier: GPL-2.0
/* File-open watch: reports opens of configured paths or path prefixes (Tetragon-style) at syscall entry,
 * from syscalls:sys_enter_openat, sys_enter_openat2 and sys_enter_open. Paths are matched as the caller
 * passed them, so a relative path only matches a relative rule. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EVENTS_RINGBUF

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct file_open_key);
	__type(value, struct file_open_rule);
} rules SEC(".maps");

/* The lookup key is too big for the 512-byte BPF stack next to the event, so it lives in per-CPU scratch. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_open_key);
} scratch SEC(".maps");

static __always_inline int report(const char *filename, __s32 flags, __u32 syscall)
{
	__u32 zero = 0;
	struct file_open_key *key = bpf_map_lookup_elem(&scratch, &zero);
	if (!key)
		return 0;
	long n = bpf_probe_read_user_str(key->path, sizeof(key->path), filename);
	if (n <= 1)
		return 0;
	__u32 len = (__u32)(n - 1);
	key->prefixlen = len * 8;
	struct file_open_rule *rule = bpf_map_lookup_elem(&rules, key);
	if (!rule || (rule->exact && rule->len != len))
		return 0;

	struct file_open_event *e = reserve_event(sizeof(*e));
	if (!e)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->rule_id = rule->id;
	e->flags = flags;
	e->syscall = syscall;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), key->path);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct syscall_trace_enter *ctx)
{
	return report((const char *)ctx->args[1], (__s32)ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_openat2")
int handle_openat2(struct syscall_trace_enter *ctx)
{
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return report((const char *)ctx->args[1], (__s32)how.flags, 1);
}

SEC("tp/syscalls/sys_enter_open")
int handle_open(struct syscall_trace_enter *ctx)
{
	return report((const char *)ctx->args[0], (__s32)ctx->args[1], 2);
}
