/* Helpers shared by every probe: the ring buffer with its drop counter, a log2 slot, and a pid filter. */
#ifndef VIGIL_BPF_H
#define VIGIL_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "events.h"

/* User space resizes `events` before load; 256 KiB is the default. */
#define VIGIL_EVENTS_RINGBUF                                                                                 \
	struct {                                                                                             \
		__uint(type, BPF_MAP_TYPE_RINGBUF);                                                          \
		__uint(max_entries, 256 * 1024);                                                             \
	} events SEC(".maps");                                                                               \
	struct {                                                                                             \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                                     \
		__uint(max_entries, 1);                                                                      \
		__type(key, __u32);                                                                          \
		__type(value, __u64);                                                                        \
	} drops SEC(".maps");                                                                                \
	static __always_inline void count_drop(void)                                                         \
	{                                                                                                    \
		__u32 zero = 0;                                                                              \
		__u64 *n = bpf_map_lookup_elem(&drops, &zero);                                               \
		if (n)                                                                                       \
			*n += 1;                                                                             \
	}                                                                                                    \
	/* Reserves an event, or counts it as dropped when the ring is full. */                              \
	static __always_inline __attribute__((unused)) void *reserve_event(__u64 size)                                             \
	{                                                                                                    \
		void *e = bpf_ringbuf_reserve(&events, size, 0);                                             \
		if (!e)                                                                                      \
			count_drop();                                                                        \
		return e;                                                                                    \
	}

#define VIGIL_FILTER_CONFIG                                                                                  \
	struct {                                                                                             \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                            \
		__uint(max_entries, 1);                                                                      \
		__type(key, __u32);                                                                          \
		__type(value, struct filter_config);                                                         \
	} filter SEC(".maps");                                                                               \
	static __always_inline bool wanted_tgid(__u32 tgid)                                                  \
	{                                                                                                    \
		__u32 zero = 0;                                                                              \
		struct filter_config *c = bpf_map_lookup_elem(&filter, &zero);                               \
		return !c || c->tgid == 0 || c->tgid == tgid;                                                \
	}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;
	/* Unrolled binary search: the verifier sees a constant number of steps. */
	if (v >= (1ULL << 32)) { v >>= 32; slot += 32; }
	if (v >= (1ULL << 16)) { v >>= 16; slot += 16; }
	if (v >= (1ULL << 8)) { v >>= 8; slot += 8; }
	if (v >= (1ULL << 4)) { v >>= 4; slot += 4; }
	if (v >= (1ULL << 2)) { v >>= 2; slot += 2; }
	if (v >= (1ULL << 1)) { slot += 1; }
	return slot;
}

#endif
