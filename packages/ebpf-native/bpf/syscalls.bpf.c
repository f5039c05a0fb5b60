// SPDX-License-Identifier: GPL-2.0
/* Syscall counts, errors and latency per process and syscall number: raw_syscalls:sys_enter/sys_exit.
 * The task-storage programs are tp_btf ones: a raw tracepoint hands the program the saved registers and
 * the return value, where a classic tracepoint program first has the kernel fill a trace record (a
 * sys_enter + sys_exit pair of classic programs cost about 500 ns per syscall here). */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_FILTER_CONFIG

/* Per-thread start time in task-local storage: half the cost of a hash, and it dies with the thread.
 * Kernels whose tracepoint programs cannot use task storage load the *_by_tid programs instead. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} starts SEC(".maps");

/* LRU: a thread that exits inside a syscall never reaches sys_exit, and its entry must not leak. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tid */
	__type(value, __u64);
} starts_by_tid SEC(".maps");

/* Per CPU so the hot path needs no atomics; user space sums counts and takes the max of maxima. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_key);
	__type(value, struct syscall_stats);
} stats SEC(".maps");

#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#else
#error "syscalls.bpf.c knows where x86_64 and arm64 keep the syscall number only"
#endif

static __always_inline void record(__u32 id, long ret, __u32 tgid, __u64 delta)
{
	struct syscall_key key = { .tgid = tgid, .id = id };
	struct syscall_stats *s = bpf_map_lookup_elem(&stats, &key);
	if (!s) {
		struct syscall_stats zero = {};
		bpf_map_update_elem(&stats, &key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stats, &key);
		if (!s)
			return;
	}
	s->count += 1;
	s->total_ns += delta;
	if (delta > s->max_ns)
		s->max_ns = delta;
	if (ret < 0)
		s->errors += 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_enter, struct pt_regs *regs, long id)
{
	if (!wanted_tgid(bpf_get_current_pid_tgid() >> 32))
		return 0;
	__u64 *start = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start)
		*start = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_exit, struct pt_regs *regs, long ret)
{
	__u64 *start = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0, 0);
	if (!start || !*start)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *start;
	*start = 0;
	record((__u32)SYSCALL_NR(regs), ret, bpf_get_current_pid_tgid() >> 32, delta);
	return 0;
}

SEC("tp/raw_syscalls/sys_enter")
int handle_enter_by_tid(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted_tgid(id >> 32))
		return 0;
	__u32 tid = (__u32)id;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts_by_tid, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int handle_exit_by_tid(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 *start = bpf_map_lookup_elem(&starts_by_tid, &tid);
	if (!start)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&starts_by_tid, &tid);
	record((__u32)ctx->id, ctx->ret, id >> 32, delta);
	return 0;
}
