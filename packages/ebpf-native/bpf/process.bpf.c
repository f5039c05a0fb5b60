// SPDX-License-Identifier: GPL-2.0
/* Process exec and exit: sched:sched_process_exec / sched:sched_process_exit. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EVENTS_RINGBUF

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
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
