// SPDX-License-Identifier: GPL-2.0
/* OOM kills: oom:mark_victim, with the victim's memory at the time it was chosen. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EVENTS_RINGBUF

SEC("tp/oom/mark_victim")
int handle_mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct oom_event *e = reserve_event(sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = ctx->pid;
	e->pad = 0;
	/* Fields added after the tracepoint first appeared are read only when this kernel has them. */
	e->total_vm_pages = bpf_core_field_exists(ctx->total_vm) ? ctx->total_vm : 0;
	e->anon_rss_pages = bpf_core_field_exists(ctx->anon_rss) ? ctx->anon_rss : 0;
	e->file_rss_pages = bpf_core_field_exists(ctx->file_rss) ? ctx->file_rss : 0;
	e->shmem_rss_pages = bpf_core_field_exists(ctx->shmem_rss) ? ctx->shmem_rss : 0;
	e->uid = bpf_core_field_exists(ctx->uid) ? ctx->uid : 0;
	e->oom_score_adj = bpf_core_field_exists(ctx->oom_score_adj) ? ctx->oom_score_adj : 0;
	e->comm[0] = 0;
	if (bpf_core_field_exists(ctx->__data_loc_comm)) {
		unsigned int off = ctx->__data_loc_comm & 0xFFFF;
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), (void *)ctx + off);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
