// SPDX-License-Identifier: GPL-2.0
/* A ring-buffer load generator, run with BPF_PROG_TEST_RUN: each run emits args[1] events numbered from
 * args[0]. Used by the stress test and bench/ebpf-events to measure delivery and check the drop counter. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EVENTS_RINGBUF

struct loop_ctx {
	__u64 first;
};

static long emit_one(__u64 i, struct loop_ctx *c)
{
	struct stress_event *e = reserve_event(sizeof(*e));
	if (!e)
		return 0;
	e->seq = c->first + i;
	e->ts_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp")
int generate(struct bpf_raw_tracepoint_args *ctx)
{
	struct loop_ctx c = { .first = ctx->args[0] };
	__u32 count = (__u32)ctx->args[1];
	bpf_loop(count, emit_one, &c, 0);
	return count;
}
