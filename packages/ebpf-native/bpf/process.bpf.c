// SPDX-License-Identifier: GPL-2.0
/* Process exec and exit: sched:sched_process_exec / sched:sched_process_exit — one ring record per event,
 * or (summary mode) counts per (executable name, kind, exit status) with log2 lifetime histograms in a
 * per-CPU hash that user space reads on an interval. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EVENTS_RINGBUF

#define E2BIG 7 /* the map is full */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct process_config);
} process_config SEC(".maps");

/* Names beyond its size are counted under an empty name (user space reports `_OTHER`). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct process_summary_key);
	__type(value, struct process_summary);
} summary SEC(".maps");

const struct process_summary zero_summary;

static __always_inline bool summary_mode(void)
{
	__u32 zero = 0;
	struct process_config *c = bpf_map_lookup_elem(&process_config, &zero);
	return c && c->summary;
}

static __always_inline void summarize(__u32 kind, __s32 exit_status, __u64 lifetime)
{
	struct process_summary_key k = { .kind = kind, .exit_status = exit_status };
	bpf_get_current_comm(k.comm, sizeof(k.comm));
	struct process_summary *v = bpf_map_lookup_elem(&summary, &k);
	if (!v) {
		if (bpf_map_update_elem(&summary, &k, &zero_summary, BPF_NOEXIST) == -E2BIG)
			__builtin_memset(k.comm, 0, sizeof(k.comm));
		bpf_map_update_elem(&summary, &k, &zero_summary, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&summary, &k);
		if (!v)
			return;
	}
	v->count++;
	__u32 slot = log2_slot(lifetime);
	if (slot >= VIGIL_PROCESS_SLOTS)
		slot = VIGIL_PROCESS_SLOTS - 1;
	v->slots[slot]++;
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	if (summary_mode()) {
		summarize(VIGIL_PROCESS_EXEC, 0, 0);
		return 0;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct process_event *e = reserve_event(sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->duration_ns = 0;
	e->kind = VIGIL_PROCESS_EXEC;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->exit_status = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	unsigned int off = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_str(e->filename, sizeof(e->filename), (void *)ctx + off);

	/* The new image's argv sits between mm->arg_start and arg_end, NUL-separated, already copied in. */
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	unsigned long len = end - start;
	/* Clamp then mask: the mask is what convinces the verifier the copy is bounded. */
	if (len > VIGIL_ARGS_LEN - 1)
		len = VIGIL_ARGS_LEN - 1;
	len &= VIGIL_ARGS_LEN - 1;
	e->args_len = 0;
	if (len > 0 && bpf_probe_read_user(e->args, len, (void *)start) == 0)
		e->args_len = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	/* Threads exiting are not processes exiting. */
	if ((__u32)id != (__u32)(id >> 32))
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (summary_mode()) {
		summarize(VIGIL_PROCESS_EXIT, BPF_CORE_READ(task, exit_code), bpf_ktime_get_ns() - BPF_CORE_READ(task, start_time));
		return 0;
	}
	struct process_event *e = reserve_event(sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->duration_ns = e->ts_ns - BPF_CORE_READ(task, start_time);
	e->kind = VIGIL_PROCESS_EXIT;
	e->pid = id >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->exit_status = BPF_CORE_READ(task, exit_code);
	e->args_len = 0;
	e->filename[0] = 0;
	e->args[0] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
