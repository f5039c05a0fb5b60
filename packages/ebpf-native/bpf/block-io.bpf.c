// SPDX-License-Identifier: GPL-2.0
/* Block I/O latency from issue to completion, as log2 nanosecond histograms per device and direction,
 * from tp_btf/block_rq_issue and block_rq_complete. Histogram id = dev << 1 | is_write. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define REQ_OP_MASK 0xff
#define REQ_OP_WRITE 1

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* struct request * */
	__type(value, __u64);
} issued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct hist_key);
	__type(value, __u64);
} hist SEC(".maps");

/* Bytes completed per histogram id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} bytes SEC(".maps");

SEC("tp_btf/block_rq_issue")
int BPF_PROG(handle_issue, struct request *rq)
{
	__u64 key = (__u64)rq;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&issued, &key, &now, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(handle_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;
	__u64 *ts = bpf_map_lookup_elem(&issued, &key);
	if (!ts)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&issued, &key);

	struct gendisk *disk = BPF_CORE_READ(rq, q, disk);
	__u32 dev = disk ? ((BPF_CORE_READ(disk, major) << 20) | BPF_CORE_READ(disk, first_minor)) : 0;
	__u32 is_write = (BPF_CORE_READ(rq, cmd_flags) & REQ_OP_MASK) == REQ_OP_WRITE;
	__u32 id = dev << 1 | is_write;

	struct hist_key hk = { .id = id, .slot = log2_slot(delta) };
	__u64 *n = bpf_map_lookup_elem(&hist, &hk);
	if (n) {
		*n += 1;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&hist, &hk, &one, BPF_NOEXIST);
	}
	__u64 *b = bpf_map_lookup_elem(&bytes, &id);
	if (b) {
		*b += nr_bytes;
	} else {
		__u64 v = nr_bytes;
		bpf_map_update_elem(&bytes, &id, &v, BPF_NOEXIST);
	}
	return 0;
}
