// SPDX-License-Identifier: GPL-2.0
/* CPU profile: on each sample of a perf event (cpu-clock by default), count the sampled task's user and
 * kernel stacks. User space reads the counts and resolves the stack ids in `stacks`. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_FILTER_CONFIG

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, __u64);
} counts SEC(".maps");

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	/* pid 0 is the idle task: an idle CPU is not a profile. */
	if (pid == 0 || !wanted_tgid(pid))
		return 0;
	struct stack_key key = { .pid = pid };
	key.user_stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	key.kernel_stack_id = bpf_get_stackid(ctx, &stacks, 0);
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	__u64 *n = bpf_map_lookup_elem(&counts, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	}
	return 0;
}
