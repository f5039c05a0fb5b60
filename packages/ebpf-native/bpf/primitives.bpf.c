// SPDX-License-Identifier: GPL-2.0
/* What single BPF operations cost on this machine, for bench/ebpf-overhead/primitives.ts: each program
 * repeats one operation REPS times and is run with BPF_PROG_TEST_RUN while kernel.bpf_stats_enabled is on;
 * its run time per run, less prim_empty's, over REPS, is one operation's cost. The operations are those a
 * request tracer's program is made of: a helper call, the clock, a user-memory read, a hash-map lookup, a
 * bpf_loop step, and an inlined array lookup (no call at all) for comparison. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define REPS 32

struct prim_key {
	__u64 a, b, c; /* the size of the tracer's aggregate key */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct prim_key);
	__type(value, __u64);
} prim_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} prim_array SEC(".maps");

/* Results go here, so that no repetition is optimized away. */
__u64 sink;

SEC("raw_tp")
int prim_empty(void *ctx)
{
	return 0;
}

/* A program that adds up REPS values of `op` (an expression, which may use the repetition's number i) in sink. */
#define REPEATING(name, op)                                             \
	SEC("raw_tp")                                                   \
	int name(void *ctx)                                             \
	{                                                               \
		__u64 x = 0;                                            \
		_Pragma("unroll") for (int i = 0; i < REPS; i++) x += (op); \
		sink = x;                                               \
		return 0;                                               \
	}

static __always_inline __u64 hash_lookup(void)
{
	struct prim_key k = { .a = 1, .b = 2, .c = 3 };
	__u64 *v = bpf_map_lookup_elem(&prim_hash, &k);
	return v ? *v : 0;
}

static __always_inline __u64 array_lookup(void)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&prim_array, &k);
	return v ? *v : 0;
}

REPEATING(prim_helper, bpf_get_prandom_u32())
REPEATING(prim_clock, bpf_ktime_get_ns())
REPEATING(prim_hash_lookup, hash_lookup())
REPEATING(prim_array_lookup, array_lookup() + i)

/* 16 bytes of the caller's user stack per read (the test run's task is the process that asked for it). */
SEC("raw_tp")
int prim_user_read(void *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 sp = PT_REGS_SP_CORE(regs);
	__u64 x = 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		__u64 b[2] = {};
		bpf_probe_read_user(b, sizeof(b), (void *)(sp + i * 16));
		x += b[0] ^ b[1];
	}
	sink = x;
	return 0;
}

static long prim_step(__u64 i, void *ctx)
{
	*(__u64 *)ctx += i;
	return 0;
}

SEC("raw_tp")
int prim_loop_step(void *ctx)
{
	__u64 x = 0;
	bpf_loop(REPS, prim_step, &x, 0);
	sink = x;
	return 0;
}
