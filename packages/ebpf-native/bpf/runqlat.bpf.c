// SPDX-License-Identifier: GPL-2.0
/* Run-queue latency: time from becoming runnable (woken, or preempted) until running, as log2 nanosecond
 * histograms, globally (hist_all) and per process (hist), from tp_btf/sched_switch alone.
 *
 * The scheduler already stamps every task it puts on a run queue (sched_info.last_queued, in run-queue clock
 * time; CONFIG_SCHED_INFO, behind /proc/PID/schedstat and delay accounting) and clears the stamp when the task
 * runs, just after this tracepoint. So the wait is the run queue's clock now minus that stamp: no wakeup
 * probes and no per-thread state of our own. A task moved to another CPU while waiting is re-stamped there:
 * its wait counts from the move (the kernel's own run_delay adds both parts), and a wakeup that preempts the
 * CPU's task at once counts as 0 ns (the scheduler does not read its clock between the two). Needs
 * CONFIG_SCHED_INFO and CONFIG_FAIR_GROUP_SCHED (both on wherever the cgroup CPU controller is, e.g. systemd and
 * Kubernetes hosts). */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_EXITING 0x00000004

VIGIL_FILTER_CONFIG

/* Per process (tgid): one histogram per entry, so a switch costs one lookup and one atomic add, and user space
 * reads a process in one entry. Allocated when a process first waits, deleted when its last thread exits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, RUNQLAT_MAX_PROCESSES);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} hist SEC(".maps");

/* Every task: slot -> count. An array, whose lookup the kernel inlines: no helper call on the switch path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RUNQLAT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist_all SEC(".maps");

/* Waits not counted per process because the map was full (they are in hist_all). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} overflow SEC(".maps");

static __always_inline void add(__u32 tgid, __u32 slot)
{
	struct runqlat_hist *h = bpf_map_lookup_elem(&hist, &tgid);
	if (!h) {
		static const struct runqlat_hist zero;
		/* Fails when another CPU added it first (then the lookup finds it) or when the map is full. */
		bpf_map_update_elem(&hist, &tgid, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hist, &tgid);
		if (!h) {
			__u32 key = 0;
			__u64 *n = bpf_map_lookup_elem(&overflow, &key);
			if (n)
				*n += 1;
			return;
		}
	}
	__sync_fetch_and_add(&h->slots[slot & (RUNQLAT_SLOTS - 1)], 1);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* The idle task never waits; a thread already in do_exit is not counted (its process may be gone from
	 * the map already: handle_exit). */
	if (!next->pid || (next->flags & PF_EXITING))
		return 0;
	__u64 queued = next->sched_info.last_queued;
	if (!queued || !wanted_tgid(next->tgid))
		return 0;
	/* This CPU's run queue, as the task's CFS queue knows it (CONFIG_FAIR_GROUP_SCHED; the `runqueues`
	 * per-CPU symbol is not resolvable without CONFIG_KALLSYMS_ALL). Its clock is what the kernel subtracts the
	 * stamp from: updated at the start of this schedule() unless a wakeup asked to skip that (below). Plain BTF
	 * loads: no helper. */
	__u64 now = next->se.cfs_rq->rq->clock;
	/* Equal when the wakeup preempted the CPU's task straight away: the kernel skips the clock update between
	 * the two and counts no wait (0 ns, slot 0), as we do. Older would be a stamp from another CPU's clock
	 * that the scheduler did not re-stamp; not seen, but not counted. */
	if (now < queued)
		return 0;
	__u32 slot = log2_slot(now - queued);
	__u64 *all = bpf_map_lookup_elem(&hist_all, &slot);
	if (all)
		*all += 1;
	add(next->tgid, slot);
	return 0;
}

/* The last thread of a process is exiting (signal->live has dropped to 0 before this tracepoint): its entry
 * goes, so the map holds the processes alive, not every process since the probe started. User space keeps the
 * last histogram it read of each. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	__u32 tgid = p->tgid;
	bpf_map_delete_elem(&hist, &tgid);
	return 0;
}
