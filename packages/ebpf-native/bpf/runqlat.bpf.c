// SPDX-License-Identifier: GPL-2.0
/* Run-queue latency: time from wakeup (or preemption) until the task runs, as log2 nanosecond histograms,
 * globally (hist_all) and per process (hist), from tp_btf/sched_wakeup, sched_wakeup_new and sched_switch. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0
#define PF_EXITING 0x00000004

VIGIL_FILTER_CONFIG

/* When each thread went on the run queue (0: it is not waiting), in task-local storage: no hash on the
 * context-switch path, and the entry dies with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} enqueued SEC(".maps");

/* Per process: (tgid, slot) -> count; a process's entries go when its last thread exits (handle_exit). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct hist_key);
	__type(value, __u64);
} hist SEC(".maps");

/* Every task: slot -> count. An array, whose lookup the kernel inlines: no helper call on the switch path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist_all SEC(".maps");

static __always_inline void enqueue(struct task_struct *p)
{
	if (!p->pid || !wanted_tgid(p->tgid))
		return;
	__u64 *ts = bpf_task_storage_get(&enqueued, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
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
	if (prev->__state == TASK_RUNNING)
		enqueue(prev);
	/* The idle task never waits in a run queue: no storage lookup for it (half the switches of a calm CPU). A
	 * thread already in do_exit is not counted either: its process may have been forgotten (handle_exit). */
	if (!next->pid || (next->flags & PF_EXITING))
		return 0;

	__u64 *ts = bpf_task_storage_get(&enqueued, next, 0, 0);
	if (!ts || !*ts)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *ts;
	*ts = 0;
	__u32 slot = log2_slot(delta);
	__u64 *all = bpf_map_lookup_elem(&hist_all, &slot);
	if (all)
		*all += 1;
	add(next->tgid, slot);
	return 0;
}

/* The last thread of a process is exiting (signal->live has dropped to 0 before this tracepoint): its entries
 * go, so the map holds the processes alive, not every process since the probe started (it would fill up and
 * count no new process after ~2 000 of them). User space keeps the last histogram it read of each. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	struct hist_key key = { .id = p->tgid };
	for (__u32 slot = 0; slot < 64; slot++) {
		key.slot = slot;
		bpf_map_delete_elem(&hist, &key);
	}
	return 0;
}
