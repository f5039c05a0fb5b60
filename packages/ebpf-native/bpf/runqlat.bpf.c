// SPDX-License-Identifier: GPL-2.0
/* Run-queue latency: time from wakeup (or preemption) until the task runs, as log2 nanosecond histograms,
 * globally (id 0) and per process, from tp_btf/sched_wakeup, sched_wakeup_new and sched_switch. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0

VIGIL_FILTER_CONFIG

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tid */
	__type(value, __u64);
} enqueued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct hist_key);
	__type(value, __u64);
} hist SEC(".maps");

static __always_inline void enqueue(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	if (!tid || !wanted_tgid(BPF_CORE_READ(p, tgid)))
		return;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&enqueued, &tid, &now, BPF_ANY);
}

static __always_inline void add(__u32 id, __u32 slot)
{
	struct hist_key key = { .id = id, .slot = slot };
	__u64 *n = bpf_map_lookup_elem(&hist, &key);
	if (n) {
		*n += 1;
		return;
	}
	__u64 one = 1;
	bpf_map_update_elem(&hist, &key, &one, BPF_NOEXIST);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(handle_wakeup, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handle_wakeup_new, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* A preempted task goes straight back on the run queue. */
	if (BPF_CORE_READ(prev, __state) == TASK_RUNNING)
		enqueue(prev);

	__u32 tid = next->pid;
	__u64 *ts = bpf_map_lookup_elem(&enqueued, &tid);
	if (!ts)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&enqueued, &tid);
	__u32 slot = log2_slot(delta);
	add(0, slot);
	add(next->tgid, slot);
	return 0;
}
