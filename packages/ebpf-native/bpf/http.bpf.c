// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x and HTTP/2 request tracing from socket tracepoints, without changing the traced program.
 * Built for cost:
 *  - tp_btf programs on sock:sock_recv_length and sock:sock_send_length, which fire only for socket
 *    transfers (sock_recvmsg / sock_sendmsg: read, readv, recv*, write, writev, send* on sockets), not on
 *    every syscall of the machine; the transfer's buffer and iovecs are read from the syscall's saved user
 *    registers (bpf_task_pt_regs), which still hold its arguments;
 *  - a connection is tracked in per-socket storage from the TCP state change that establishes it
 *    (sock:inet_sock_set_state: accepted from SYN_RECV, connected from SYN_SENT) when its side (`roles`)
 *    and server port (`ports`) are wanted, and its process (`pids`) at its first transfer; a transfer on
 *    any other socket costs one pointer test. The kernel frees the storage with the socket;
 *  - HTTP/1.x is parsed here: the method and the path hash of a request, the status of its response and
 *    the duration between them go into a hash map of per-(process, port, side, method, status, path)
 *    log2 histograms that user space reads on an interval. Only a request whose path was not seen before
 *    (or every `sample_every`th) is sent to user space, with its path;
 *  - HTTP/2 (gRPC) connections, and every connection in capture mode, copy buffer heads (VIGIL_HTTP_HEAD
 *    bytes; VIGIL_HTTP2_HEAD on HTTP/2 connections, whose writes pack many small frames) and tails
 *    (VIGIL_HTTP_TAIL bytes) to user space, which parses them.
 * Connections established before the probe started are not seen. */
#include "vigil.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define MAX_IOV 1024 /* UIO_MAXIOV: iovecs are walked with bpf_loop, so the count costs no verifier time */

#if defined(__TARGET_ARCH_x86)
#define NR_READ 0
#define NR_WRITE 1
#define NR_READV 19
#define NR_WRITEV 20
#define NR_SENDTO 44
#define NR_RECVFROM 45
#define NR_SENDMSG 46
#define NR_RECVMSG 47
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_READ 63
#define NR_WRITE 64
#define NR_READV 65
#define NR_WRITEV 66
#define NR_SENDTO 206
#define NR_RECVFROM 207
#define NR_SENDMSG 211
#define NR_RECVMSG 212
#define SYSCALL_NR(regs) ((regs)->syscallno)
#else
#error "http.bpf.c knows the syscall numbers of x86_64 and arm64 only"
#endif

VIGIL_EVENTS_RINGBUF

/* Copies a record into the ring with the kernel's adaptive wake-up: the consumer is woken only when it has
 * drained the ring (it then holds off reading for flushMs, so a busy ring wakes it once per flushMs, and
 * an idle one never), and at once when a quarter of the ring is waiting. */
static __always_inline long output(void *data, __u64 size, __u64 max)
{
	__u64 flags = 0;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4)
		flags = BPF_RB_FORCE_WAKEUP;
	/* Checked right before use, after the helper calls, so the verifier sees the bound on this register. */
	barrier_var(size);
	if (size > max)
		return -1;
	long err = bpf_ringbuf_output(&events, data, size, flags);
	if (err)
		count_drop();
	return err;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct http_config);
} http_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* tgid */
	__type(value, __u8);
} pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16); /* server port, host order */
	__type(value, __u8);
} ports SEC(".maps");

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

#define COPY_CHUNK 1024
#define H2_WIN 512      /* segments up to this size are read in one go; power of two */
#define H2_IOV_BATCH 8  /* iovecs read per bpf_probe_read_user; power of two */

/* Bytes of a request's first segment read at once: method, path (VIGIL_HTTP_PATH) and a little more. */
#define LINE_WORDS 18
#define LINE_BYTES (LINE_WORDS * 8)
#define LINE_MASK 255 /* a power of two minus one above LINE_BYTES, within the 2 * LINE_BYTES of scratch */

enum conn_proto { PROTO_UNKNOWN = 0, PROTO_OTHER = 1, PROTO_H2 = 2, PROTO_H1 = 3 };

/* A request parsed here, waiting for its response. */
struct pending {
	__u64 start_ns;
	__u64 route;
	__u8 method;
	__u8 report; /* its path is in `heads`: send the request to user space when it completes */
	__u8 pad[6];
};

/* An HTTP/2 stream between its request headers and its end: in one of its connection's slots, or (when
 * more are open at once) in the h2_streams map. */
struct h2_stream {
	__u64 start_ns;
	__u8 parts; /* as in struct h2_call_info */
	__u8 pad[3];
	__u32 stream_id; /* 0: a free slot */
	struct h2_ref part[3];
};

#define H2_SLOTS 4        /* streams per connection kept in its storage; power of two */
#define H2_LABEL_CACHE 4  /* labels per direction kept in its storage; power of two */

/* A label the direction's blocks had lately (a map lookup saved per block in the steady state). */
struct h2_label_cached {
	__u64 hash;
	__u32 version;
	__u32 label;
};

/* One direction of an HTTP/2 connection between transfers: where the walk over its frames stands. */
struct h2_dir {
	__u32 remaining; /* payload bytes of the current frame still to come */
	__u8 have;       /* bytes of the next frame header already seen, in hdr */
	__u8 keep;       /* the current frame's payload goes to user space */
	__u8 preface;    /* bytes of the client's connection preface still to skip */
	__u8 end_headers; /* the kept frame in progress ends a header block sent as frames */
	__u8 hdr[16];    /* a frame header (9 bytes) that may span transfers; 16 for the verifier's bounds */
	__u32 version;    /* HPACK dynamic table version of this direction (struct h2_block_info) */
	__u32 blk_stream; /* the stream of the header block being sent as frames */
	__u8 blk_flags;   /* its HEADERS frame's flags */
	__u8 lc_next;     /* the next entry of lc to replace */
	__u8 pad2[6];
	struct h2_label_cached lc[H2_LABEL_CACHE];
};

struct conn_value {
	__u64 id;
	__u32 tgid;   /* the process of its first transfer (0: none yet, so user space has no open record) */
	__u8 ignored; /* a process not wanted: its transfers are skipped */
	__u8 role;
	__u8 proto; /* decided at the client's first transfer */
	__u8 spilled; /* its streams put in h2_streams and not taken out yet (at most: LRU evictions are not seen;
		       * sticks at 255); 0: it has none there */
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u32 head; /* requests [head, tail) of `queue` await their responses, in order */
	__u32 tail;
	/* The path hash of its last request that user space had named (found in known_routes): a request on the
	 * same path — a keep-alive client's usual case — is counted without that map lookup (user space never
	 * forgets a name it learnt, so a hash found once stays named even when known_routes evicts it). */
	__u64 known_route;
	struct pending queue[VIGIL_HTTP_QUEUE];
	struct h2_dir h2[2]; /* [0]: the client's bytes, [1]: the server's */
	struct h2_stream slots[H2_SLOTS];
};

/* Per-socket storage: the kernel frees it with the socket, so a process that exits without close(2) leaks
 * nothing, and an untracked socket costs one pointer test per transfer. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conn_value);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct http_agg_key);
	__type(value, struct http_agg_value);
} aggregates SEC(".maps");

/* gRPC calls counted by the labels of their header blocks (bpf/events.h, struct h2_agg_key). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct h2_agg_key);
	__type(value, struct http_agg_value);
} h2_aggregates SEC(".maps");

/* Labels of header blocks by (connection, direction, table version, hash), written by user space once it
 * has decoded a block; 0 while the block is on its way (it is not sent again). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct h2_label_key);
	__type(value, __u32);
} h2_labels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct h2_stream_key);
	__type(value, struct h2_stream);
} h2_streams SEC(".maps");

/* Path hashes already sent to user space: their requests are only counted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} known_routes SEC(".maps");

struct head_key {
	__u64 conn_id;
	__u32 slot;
	__u32 pad;
};

/* Paths of pending requests that will be reported. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct head_key);
	__type(value, struct http_request_info);
} heads SEC(".maps");

/* Counters user space reads: [0] requests not aggregated (the aggregates map was full), [1] requests
 * whose queue overflowed (more than VIGIL_HTTP_QUEUE pipelined), [2] responses without a request. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} parse_stats SEC(".maps");

__u64 next_id;
const struct conn_value zero_conn;
__u64 sample_counter;
const struct http_agg_value zero_aggregate;

/* The record is assembled here (too big for the stack), then copied out with its real length. */
struct scratch {
	/* A request's first LINE_BYTES bytes (one user-memory read, ~170 ns here, instead of two); slack for bounds. */
	__u64 line[2 * LINE_WORDS];
	/* The HTTP/2 frame walk of the transfer at hand (bpf_loop callbacks reach it through get_scratch). */
	struct {
		struct h2_dir d;
		__u64 base;   /* user address of the segment being walked */
		__u32 seg;    /* its length */
		__u32 pos;    /* bytes of it walked */
		__u32 out;    /* frame bytes in data[], not sent yet */
		__u8 from_server;
		__u8 emit;    /* 0 while the protocol is not known: follow the frames, send nothing */
		__u8 windowed; /* the segment is in win[] (one user-memory read for all its frames) */
		__u8 lost;     /* a header block could not be read: the connection's frame walk stops */
		__u8 slots_changed;
		__s16 spilled; /* streams put in h2_streams less those taken out, during the walk */
		__u8 spilled_before; /* the connection's count of them (struct conn_value, spilled) before the walk */
		__u64 now;
		/* The walk over a header block's field representations (hpack_step). */
		__u32 hpos;
		__u32 hn;
		__u8 hchanges;
		/* The connection's stream slots during the walk (copied in and back: callbacks cannot reach it). */
		struct h2_stream slots[H2_SLOTS];
	} walk;
	/* A small segment, read at once; slack past H2_WIN keeps the verifier's bounds simple. */
	__u8 win[H2_WIN + 2 * COPY_CHUNK];
	/* The transfer's iovecs, read H2_IOV_BATCH at a time. */
	struct iovec iovs[H2_IOV_BATCH];
	/* The record, sent from here: its header, then what follows it. After the fields above, which every
	 * transfer touches, so that a transfer's steady state stays within a page or two of this record (each
	 * page is a TLB miss here, in a guest). */
	struct http_event h;
	union {
		struct http_conn_info info;    /* open records */
		struct http_request_info req;  /* request records */
		/* head (up to VIGIL_HTTP2_HEAD), then the tail; slack keeps the verifier's bounds simple */
		__u8 data[VIGIL_HTTP2_HEAD + 2048 + 2 * VIGIL_HTTP_TAIL];
		struct {
			struct h2_block_info info;
			__u8 bytes[2 * VIGIL_H2_BLOCK]; /* slack for the verifier's bounds */
		} blk;                           /* header block records */
		struct h2_call_info call;        /* call records */
	};
};

/* A record starts at the scratch record's header; this is the most it can hold. */
#define RECORD_MAX (sizeof(struct scratch) - __builtin_offsetof(struct scratch, h))

/* One per CPU, indexed by CPU (user space sizes it to the possible CPUs before load): a per-CPU array
 * cannot hold values above 32 KiB. No two users of one CPU's record overlap: the tracepoints call their
 * programs with preemption disabled (except on PREEMPT_RT kernels, where they only disable migration), the
 * kernel skips a program that would re-enter itself on a CPU, and the socket transfers traced here happen
 * in process context, so no interrupt runs another of these programs in the middle of one. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

static __always_inline struct scratch *get_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&scratch_buf, &cpu);
}

static __always_inline void count_stat(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&parse_stats, &which);
	if (n)
		*n += 1;
}

static __always_inline struct http_config *get_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&http_config, &zero);
}

static __always_inline bool wanted_pid(struct http_config *c, __u32 tgid)
{
	return !c->filter_pids || bpf_map_lookup_elem(&pids, &tgid);
}

/* Tells user space about a connection at its first transfer: its process, addresses and name. */
static __always_inline void open_record(struct conn_value *v, struct sock *sk)
{
	struct scratch *s = get_scratch();
	if (!s)
		return;
	__builtin_memset(&s->h, 0, sizeof(s->h));
	s->h.conn_id = v->id;
	s->h.start_ns = bpf_ktime_get_ns();
	s->h.kind = VIGIL_HTTP_OPEN;
	s->h.pid = v->tgid;
	s->h.role = v->role;
	s->h.family = v->family;
	s->h.lport = v->lport;
	s->h.rport = v->rport;
	struct http_conn_info *info = &s->info;
	__builtin_memset(info, 0, sizeof(*info));
	if (v->family == AF_INET) {
		BPF_CORE_READ_INTO(info->laddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(info->raddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(info->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(info->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	bpf_get_current_comm(info->comm, sizeof(info->comm));
	output(&s->h, sizeof(s->h) + sizeof(*info), RECORD_MAX);
}


/* Copies bytes [pos, pos + n) of the transfer, which start at user address `base`, into the head, one
 * COPY_CHUNK per bpf_loop step: each copy's size and offset have bounds the verifier can add up, and the
 * loop costs no verifier time per iteration. */
struct chunk_walk {
	__u64 base;
	__u32 pos;
	__u32 n;
};

static long chunk_step(__u64 k, void *ctx)
{
	struct chunk_walk *w = ctx;
	__u32 done = (__u32)k * COPY_CHUNK;
	if (done >= w->n)
		return 1;
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	__u32 c = w->n - done;
	if (c > COPY_CHUNK)
		c = COPY_CHUNK;
	__u32 off = (w->pos + done) & (VIGIL_HTTP2_HEAD - 1);
	/* A no-op after the clamp (barrier_var stops clang from dropping it), but a bound the verifier keeps
	 * whichever register the compiler passes. */
	barrier_var(c);
	c &= 2 * COPY_CHUNK - 1;
	bpf_probe_read_user(&s->data[off], c, (void *)(w->base + done));
	return 0;
}

/* Copies the part of one buffer segment [pos, pos + seg) of the transfer that falls in its head
 * [0, head_len) or its tail [len - tail_len, len), with lens = head_len | tail_len << 20 (BPF functions
 * take five arguments). The tail lands right after the head: a tail exists only when the head is full,
 * so head_len is then VIGIL_HTTP_HEAD or VIGIL_HTTP2_HEAD. A global function: the verifier checks it
 * once, not once per iovec of every caller. */
__noinline int copy_segment(__u64 base, __u32 pos, __u32 seg, __u32 len, __u32 lens)
{
	__u32 head_len = lens & 0xfffff;
	__u32 tail_len = lens >> 20;
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	if (pos < head_len) {
		__u32 n = head_len - pos;
		if (n > seg)
			n = seg;
		struct chunk_walk w = { .base = base, .pos = pos, .n = n };
		bpf_loop(VIGIL_HTTP2_HEAD / COPY_CHUNK, chunk_step, &w, 0);
	}
	__u32 tail_start = len - tail_len;
	if (tail_len && pos + seg > tail_start) {
		__u32 from = pos > tail_start ? pos : tail_start;
		__u32 n = pos + seg - from;
		__u32 off = (from - tail_start) & (VIGIL_HTTP_TAIL - 1);
		__u32 at = head_len >= VIGIL_HTTP2_HEAD ? VIGIL_HTTP2_HEAD : VIGIL_HTTP_HEAD;
		if (n > VIGIL_HTTP_TAIL)
			n = VIGIL_HTTP_TAIL;
		barrier_var(n);
		n &= 2 * VIGIL_HTTP_TAIL - 1;
		bpf_probe_read_user(&s->data[at + off], n, (void *)(base + (from - pos)));
	}
	return 0;
}

/* The walk over a transfer's iovecs, one bpf_loop step per iovec. */
struct iov_walk {
	__u64 iov;
	__u32 iovcnt;
	__u32 pos;
	__u32 len;
	__u32 lens;
};

static long iov_step(__u64 i, void *ctx)
{
	struct iov_walk *w = ctx;
	if (i >= w->iovcnt || w->pos >= w->len)
		return 1;
	struct iovec v;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)(w->iov + i * sizeof(struct iovec))))
		return 1;
	__u32 seg = v.iov_len > w->len - w->pos ? w->len - w->pos : (__u32)v.iov_len;
	copy_segment((__u64)v.iov_base, w->pos, seg, w->len, w->lens);
	w->pos += seg;
	return 0;
}

enum buffer_kind { BUF_PLAIN = 0, BUF_IOV = 1, BUF_MSG = 2 };

/* Sends the head and tail of one transfer to user space (capture mode, HTTP/2). */
static __always_inline void capture(struct conn_value *conn, __u32 tgid, __u64 buf, __u32 iovcnt, bool vec,
				    __u32 len, __u8 direction, __u64 now)
{
	struct scratch *s = get_scratch();
	if (!s)
		return;
	__u32 head_max = conn->proto == PROTO_H2 ? VIGIL_HTTP2_HEAD : VIGIL_HTTP_HEAD;
	__u32 head_len = len < head_max ? len : head_max;
	__u32 rest = len - head_len;
	__u32 tail_len = rest < VIGIL_HTTP_TAIL ? rest : VIGIL_HTTP_TAIL;

	s->h.conn_id = conn->id;
	s->h.start_ns = now;
	s->h.end_ns = now;
	s->h.kind = VIGIL_HTTP_DATA;
	s->h.pid = tgid;
	s->h.len = len;
	s->h.head_len = head_len;
	s->h.tail_len = tail_len;
	s->h.direction = direction;
	s->h.role = conn->role;
	s->h.family = conn->family;
	s->h.lport = conn->lport;
	s->h.rport = conn->rport;

	__u32 lens = head_len | tail_len << 20;
	if (!vec) {
		copy_segment(buf, 0, len, len, lens);
	} else {
		struct iov_walk w = { .iov = buf, .iovcnt = iovcnt, .pos = 0, .len = len, .lens = lens };
		bpf_loop(iovcnt < MAX_IOV ? iovcnt : MAX_IOV, iov_step, &w, 0);
		if (w.pos < len) {
			/* Iovecs not read: say only what was copied, so user space sees a gap, not garbage. */
			if (head_len > w.pos)
				head_len = w.pos;
			tail_len = 0;
			s->h.head_len = head_len;
			s->h.tail_len = 0;
		}
	}
	__u64 size = sizeof(s->h) + (__u64)head_len + tail_len; /* 64-bit: no zero-extension for the verifier to lose the bound in */
	if (size > RECORD_MAX)
		return;
	output(&s->h, size, RECORD_MAX);
}

#define H2_DATA 0
#define H2_HEADERS 1
#define H2_RST_STREAM 3
#define H2_CONTINUATION 9
#define H2_END_STREAM 0x1
#define H2_FRAME_HEADER 9
#define H2_PREFACE_LEN 24
#define H2_OUT (VIGIL_HTTP2_HEAD / 2) /* frame bytes per record; power of two */
#define H2_MAX_STEPS (1 << 16)         /* per buffer segment: a header or a payload chunk per step */

/* Sends the frames collected so far (if the protocol is known) and starts a new record. */
static __always_inline void h2_flush(struct scratch *s)
{
	__u32 out = s->walk.out;
	s->walk.out = 0;
	if (!out || !s->walk.emit)
		return;
	s->h.kind = VIGIL_HTTP_H2;
	s->h.start_ns = s->walk.now;
	s->h.end_ns = s->walk.now;
	s->h.len = out;
	s->h.head_len = out;
	s->h.tail_len = 0;
	__u64 size = sizeof(s->h) + (__u64)(out & (2 * H2_OUT - 1));
	output(&s->h, size, RECORD_MAX);
}

/* Appends the frame header in walk.d.hdr with its length field set to `length`. */
static __always_inline void h2_put_header(struct scratch *s, __u32 length)
{
	if (s->walk.out + H2_FRAME_HEADER > H2_OUT)
		h2_flush(s);
	__u32 o = s->walk.out & (H2_OUT - 1);
	s->data[o] = length >> 16;
	s->data[o + 1] = length >> 8;
	s->data[o + 2] = length;
#pragma unroll
	for (int k = 3; k < H2_FRAME_HEADER; k++)
		s->data[o + k] = s->walk.d.hdr[k];
	s->walk.out += H2_FRAME_HEADER;
}

#define H2_END_HEADERS 0x4
#define H2_PADDED 0x8
#define H2_PRIORITY 0x20

/* Adds one duration to an aggregate (atomic adds: several CPUs may count into one key). */
static __always_inline void add_duration(struct http_agg_value *v, __u64 duration)
{
	__u32 slot = log2_slot(duration >> 10);
	if (slot >= VIGIL_HTTP_SLOTS)
		slot = VIGIL_HTTP_SLOTS - 1;
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->sum_ns, duration);
	__sync_fetch_and_add(&v->slots[slot], 1);
}

/* The end of a stream: counted under its blocks' labels when user space has named them all, else (or
 * when sampled) sent to user space as a call record, which names its blocks by reference. */
static __always_inline void h2_complete(struct scratch *s, struct h2_stream *st, __u32 stream_id)
{
	bool named = true;
#pragma unroll
	for (int k = 0; k < 3; k++)
		if ((st->parts & (1 << k)) && !st->part[k].label)
			named = false;
	struct http_config *cfg = get_config();
	if (cfg && cfg->sample_every) {
		__u64 n = __sync_fetch_and_add(&sample_counter, 1);
		if (n % cfg->sample_every == 0)
			named = false;
	}
	__u64 duration = s->walk.now - st->start_ns;
	if (named) {
		struct h2_agg_key k = {
			.pid = s->h.pid,
			.port = s->h.role == VIGIL_HTTP_SERVER ? s->h.lport : s->h.rport,
			.role = s->h.role,
		};
#pragma unroll
		for (int i = 0; i < 3; i++)
			k.label[i] = (st->parts & (1 << i)) ? st->part[i].label : 0;
		struct http_agg_value *v = bpf_map_lookup_elem(&h2_aggregates, &k);
		if (!v) {
			bpf_map_update_elem(&h2_aggregates, &k, &zero_aggregate, BPF_NOEXIST);
			v = bpf_map_lookup_elem(&h2_aggregates, &k);
		}
		if (v) {
			add_duration(v, duration);
			return;
		}
		count_stat(0); /* the map is full: user space counts it from a call record instead */
	}
	h2_flush(s); /* the frames of blocks sent that way go first */
	s->call.stream_id = stream_id;
	s->call.parts = st->parts;
	s->call.pad[0] = s->call.pad[1] = s->call.pad[2] = 0;
	__builtin_memcpy(s->call.part, st->part, sizeof(st->part));
	s->h.kind = VIGIL_HTTP_H2_CALL;
	s->h.start_ns = st->start_ns;
	s->h.end_ns = s->walk.now;
	s->h.len = 0;
	s->h.head_len = 0;
	s->h.tail_len = 0;
	output(&s->h, sizeof(s->h) + sizeof(s->call), RECORD_MAX);
}

/* The slot of `stream_id` (0: a free one) among the connection's, or -1. */
static __always_inline int h2_slot(struct scratch *s, __u32 stream_id)
{
	int found = -1;
#pragma unroll
	for (int i = H2_SLOTS - 1; i >= 0; i--)
		if (s->walk.slots[i].stream_id == stream_id)
			found = i;
	return found;
}

/* Whether the connection may have streams in h2_streams: when it has none (the common case: no more than
 * H2_SLOTS streams open at once), a stream not in its slots is in no map, and a lookup (a cache miss or two
 * in a large hash map, the dearest step of a call here) is saved. */
static __always_inline bool h2_may_be_spilled(struct scratch *s)
{
	/* 255: the count stuck there, the connection may have any number of them. */
	return s->walk.spilled_before == 255 || (int)s->walk.spilled_before + s->walk.spilled > 0;
}

/* Takes a stream out of h2_streams, counting it for the connection (see struct conn_value, spilled). */
static __always_inline void h2_unspill(struct scratch *s, struct h2_stream_key *k)
{
	if (!bpf_map_delete_elem(&h2_streams, k))
		s->walk.spilled--;
}

static __always_inline void h2_stream_end(struct scratch *s, __u32 stream_id)
{
	int i = h2_slot(s, stream_id);
	if (i >= 0) {
		struct h2_stream *st = &s->walk.slots[i & (H2_SLOTS - 1)];
		h2_complete(s, st, stream_id);
		st->stream_id = 0;
		s->walk.slots_changed = 1;
		return;
	}
	if (!h2_may_be_spilled(s))
		return;
	struct h2_stream_key k = { .conn_id = s->h.conn_id, .stream_id = stream_id };
	struct h2_stream *st = bpf_map_lookup_elem(&h2_streams, &k);
	if (!st)
		return;
	h2_complete(s, st, stream_id);
	h2_unspill(s, &k);
}

static __always_inline void h2_stream_reset(struct scratch *s, __u32 stream_id)
{
	int i = h2_slot(s, stream_id);
	if (i >= 0) {
		s->walk.slots[i & (H2_SLOTS - 1)].stream_id = 0;
		s->walk.slots_changed = 1;
		return;
	}
	if (!h2_may_be_spilled(s))
		return;
	struct h2_stream_key k = { .conn_id = s->h.conn_id, .stream_id = stream_id };
	h2_unspill(s, &k);
}

/* A block of the server's side of a stream: its response headers, then its trailers. */
static __always_inline void h2_stream_part(struct h2_stream *st, struct h2_ref *ref)
{
	if (!(st->parts & 2)) {
		st->part[1] = *ref;
		st->parts |= 2;
	} else {
		st->part[2] = *ref;
		st->parts |= 4;
	}
}

/* A header block of `stream_id` seen (`ref` names it): the client's first block opens the stream; the
 * server's first is its response headers, the next its trailers; END_STREAM from the server ends it. */
static __always_inline void h2_stream_block(struct scratch *s, __u32 stream_id, bool end_stream, struct h2_ref *ref)
{
	if (!stream_id)
		return;
	int i = h2_slot(s, stream_id);
	if (i >= 0) {
		if (!s->walk.from_server)
			return; /* the client's trailers */
		struct h2_stream *st = &s->walk.slots[i & (H2_SLOTS - 1)];
		h2_stream_part(st, ref);
		s->walk.slots_changed = 1;
		if (end_stream) {
			h2_complete(s, st, stream_id);
			st->stream_id = 0;
		}
		return;
	}
	struct h2_stream_key k = { .conn_id = s->h.conn_id, .stream_id = stream_id };
	struct h2_stream *st = h2_may_be_spilled(s) ? bpf_map_lookup_elem(&h2_streams, &k) : NULL;
	if (!s->walk.from_server) {
		if (st)
			return; /* the client's trailers */
		i = h2_slot(s, 0);
		if (i >= 0) {
			struct h2_stream *slot = &s->walk.slots[i & (H2_SLOTS - 1)];
			slot->start_ns = s->walk.now;
			slot->parts = 1;
			slot->stream_id = stream_id;
			slot->part[0] = *ref;
			s->walk.slots_changed = 1;
			return;
		}
		struct h2_stream fresh = { .start_ns = s->walk.now, .parts = 1, .stream_id = stream_id };
		fresh.part[0] = *ref;
		if (!bpf_map_update_elem(&h2_streams, &k, &fresh, BPF_ANY))
			s->walk.spilled++;
		return;
	}
	if (!st)
		return; /* a stream opened before the tracer saw it */
	h2_stream_part(st, ref);
	if (end_stream) {
		h2_complete(s, st, stream_id);
		h2_unspill(s, &k);
	}
}

/* A header block sent as frames (CONTINUATION, padding, split over segments, or large) has been walked:
 * the kernel cannot tell whether it changed the dynamic table, so the direction's version moves on, and
 * user space, which decodes it from the frames, does the same. */
static __always_inline void h2_slow_done(struct scratch *s)
{
	h2_flush(s);
	struct h2_ref ref = { .hash = 0, .version = s->walk.d.version };
	s->walk.d.version++;
	s->walk.d.end_headers = 0;
	h2_stream_block(s, s->walk.d.blk_stream, s->walk.d.blk_flags & H2_END_STREAM, &ref);
}

/* An HPACK integer (RFC 7541 §5.1) with a prefix of `mask` (2^N - 1) at b[*p], the block being n bytes long:
 * its value, with *p moved past it; -1 when the block ends inside it, or when it has more continuation bytes
 * (up to 4: values below 2^28 + mask) than any index or string length of a block can need (malformed). */
static __always_inline long hpack_int(const __u8 *b, __u32 *p, __u32 n, __u32 mask)
{
	__u32 at = *p;
	if (at >= n)
		return -1;
	__u32 v = b[at & (VIGIL_H2_BLOCK - 1)] & mask;
	at++;
	if (v == mask) {
		bool ended = false;
#pragma unroll
		for (int k = 0; k < 4; k++) {
			if (!ended) {
				if (at >= n)
					return -1;
				__u8 c = b[at & (VIGIL_H2_BLOCK - 1)];
				at++;
				v += (__u32)(c & 0x7f) << (7 * k);
				ended = !(c & 0x80);
			}
		}
		if (!ended)
			return -1;
	}
	*p = at;
	return v;
}

/* Steps over a string literal (RFC 7541 §5.2: H bit, 7-bit prefix length, that many bytes, Huffman-coded
 * or not) without reading its body; false when the block ends inside it. */
static __always_inline bool hpack_skip_string(const __u8 *b, __u32 *p, __u32 n)
{
	long len = hpack_int(b, p, n, 0x7f);
	if (len < 0 || (__u32)len > n - *p)
		return false;
	*p += (__u32)len;
	return true;
}

/* bpf_loop's context for the walk over a header block's field representations: the block (in the segment
 * window or in blk.bytes) and the scratch record, whose walk.hpos, walk.hn and walk.hchanges hold where the
 * walk stands. Kept in the map, not here on the stack, because the verifier would follow a position it knows
 * through every iteration instead of checking the callback once. */
struct hpack_walk {
	struct scratch *s;
	const __u8 *b;
};

#define HPACK_FIELDS_PER_STEP 8

/* Field representations of a header block (RFC 7541 §6), up to HPACK_FIELDS_PER_STEP per step: an indexed field (§6.1) is its index;
 * a literal without indexing or never indexed (§6.2.2, §6.2.3) its name index (0: a literal name string)
 * and its value string, stepped over by their lengths; a literal with incremental indexing (§6.2.1) or a
 * dynamic table size update (§6.3) changes the table, and so does a block that is malformed or ends inside
 * a representation (the decoder in user space will find out; the version moves on either way). */
static long hpack_step(__u64 i, void *ctx)
{
	struct hpack_walk *w = ctx;
	struct scratch *s = w->s;
	__u32 p = s->walk.hpos;
	__u32 n = s->walk.hn;
	const __u8 *b = w->b;
	/* Several fields per call: a call and its return cost more here than a field's walk. */
	for (int f = 0; f < HPACK_FIELDS_PER_STEP; f++) {
		if (p >= n)
			return 1;
		__u8 c = b[p & (VIGIL_H2_BLOCK - 1)];
		if (c & 0x80) {
			if (hpack_int(b, &p, n, 0x7f) < 0)
				goto changes;
		} else if (c & 0x60) {
			goto changes;
		} else {
			long index = hpack_int(b, &p, n, 0x0f);
			if (index < 0 || (!index && !hpack_skip_string(b, &p, n)) || !hpack_skip_string(b, &p, n))
				goto changes;
		}
		/* Through memory, so that the verifier checks the next field once, not once per way this one ended. */
		*(volatile __u32 *)&s->walk.hpos = p;
		p = *(volatile __u32 *)&s->walk.hpos;
	}
	return 0;
changes:
	s->walk.hchanges = 1;
	return 1;
}

#define BLOCK_MIX 29

/* A hash of a header block's n bytes by 8-byte words (FNV-1a's multiply, with a shift that folds the high
 * bits back down, seeded with the length): it only keys blocks that recur byte for byte, and is computed
 * nowhere else. Never 0 (0 names a block sent as frames). */
static __always_inline __u64 block_hash(const __u8 *b, __u32 n)
{
	__u64 h = FNV_OFFSET ^ n;
	for (__u32 k = 0; k < VIGIL_H2_BLOCK / 8; k++) {
		__u32 at = k * 8;
		if (at >= n)
			break;
		__u64 word = *(const __u64 *)&b[at & (VIGIL_H2_BLOCK - 1)];
		if (n - at < 8)
			word &= (1ULL << ((n - at) * 8)) - 1; /* little-endian: the block's bytes are the low ones */
		h = (h ^ word) * FNV_PRIME;
		h ^= h >> BLOCK_MIX;
	}
	return h ? h : 1;
}

/* Sends a header block user space has not named (it changes the table, or was not seen at this version) as a
 * block record, and marks it sent in h2_labels (label 0) so that it is not sent again. Returns nonzero when
 * its bytes cannot be copied. */
static __always_inline int h2_send_block(struct scratch *s, struct h2_label_key *lk, __u32 stream_id, __u32 flags,
					 __u32 n, __u8 changes)
{
	n &= 2 * VIGIL_H2_BLOCK - 1;
	if (n > VIGIL_H2_BLOCK)
		n = VIGIL_H2_BLOCK;
	if (s->walk.windowed) {
		h2_flush(s); /* blk shares the record area with the frames collected so far */
		if (bpf_probe_read_kernel(s->blk.bytes, n, &s->win[s->walk.pos & (H2_WIN - 1)]))
			return -1;
	}
	s->blk.info.hash = lk->hash;
	s->blk.info.version = lk->version;
	s->blk.info.stream_id = stream_id;
	s->blk.info.flags = flags;
	s->blk.info.from_server = s->walk.from_server;
	s->blk.info.changes = changes;
	__builtin_memset(s->blk.info.pad, 0, sizeof(s->blk.info.pad));
	s->h.kind = VIGIL_HTTP_H2_BLOCK;
	s->h.start_ns = s->walk.now;
	s->h.end_ns = s->walk.now;
	s->h.len = n;
	s->h.head_len = n;
	s->h.tail_len = 0;
	__u64 size = sizeof(s->h) + sizeof(s->blk.info) + (__u64)n;
	if (!output(&s->h, size, RECORD_MAX) && !changes) {
		__u32 pending = 0;
		bpf_map_update_elem(&h2_labels, lk, &pending, BPF_NOEXIST);
	}
	return 0;
}

/* A whole header block of `length` bytes (≤ VIGIL_H2_BLOCK) at the walk's position, in one HEADERS frame:
 * hashed and walked here — where the segment was read whole, straight from that copy; sent to user space
 * only when it changes the table or was not seen at this table version. Returns 0 when its bytes cannot be
 * read. A global function: verified once. */
__noinline int h2_block(__u32 stream_id, __u32 flags, __u32 length)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	__u32 n = length;
	barrier_var(n);
	n &= 2 * VIGIL_H2_BLOCK - 1;
	if (n > VIGIL_H2_BLOCK)
		n = VIGIL_H2_BLOCK;
	const __u8 *b;
	if (s->walk.windowed) {
		b = &s->win[s->walk.pos & (H2_WIN - 1)];
	} else {
		h2_flush(s); /* blk shares the record area with the frames collected so far */
		if (bpf_probe_read_user(s->blk.bytes, n, (void *)(s->walk.base + s->walk.pos)))
			return 0;
		b = s->blk.bytes;
	}
	__u64 hash = block_hash(b, n);
	s->walk.hpos = 0;
	s->walk.hn = n;
	s->walk.hchanges = 0;
	struct hpack_walk hw = { .s = s, .b = b };
	bpf_loop(VIGIL_H2_BLOCK / HPACK_FIELDS_PER_STEP, hpack_step, &hw, 0); /* a field is at least a byte */
	__u8 changes = s->walk.hchanges || s->walk.hpos < n;
	struct h2_ref ref = { .hash = hash, .version = s->walk.d.version };
	bool known = false;
	if (!changes) {
#pragma unroll
		for (int i = 0; i < H2_LABEL_CACHE; i++) {
			struct h2_label_cached *c = &s->walk.d.lc[i];
			if (c->label && c->hash == hash && c->version == s->walk.d.version)
				ref.label = c->label;
		}
		known = ref.label != 0;
	}
	if (!known) {
		struct h2_label_key lk = {
			.conn_id = s->h.conn_id,
			.hash = hash,
			.version = s->walk.d.version,
			.from_server = s->walk.from_server,
		};
		if (!changes) {
			__u32 *label = bpf_map_lookup_elem(&h2_labels, &lk);
			if (label) {
				known = true;
				ref.label = *label;
				if (ref.label) {
					struct h2_label_cached *c = &s->walk.d.lc[s->walk.d.lc_next & (H2_LABEL_CACHE - 1)];
					c->hash = hash;
					c->version = s->walk.d.version;
					c->label = ref.label;
					s->walk.d.lc_next++;
				}
			}
		}
		if (!known && h2_send_block(s, &lk, stream_id, flags, n, changes))
			return 0;
	}
	if (changes)
		s->walk.d.version++;
	h2_stream_block(s, stream_id, flags & H2_END_STREAM, &ref);
	return 1;
}

/* After a frame header, in the same step: its payload, unless kept, stepped over as far as this segment
 * holds it (a step is a call, which costs more here than the skip). 1 when the segment is done. */
static __always_inline long h2_skip_payload(struct scratch *s)
{
	__u32 left = s->walk.seg - s->walk.pos;
	if (!s->walk.d.keep && s->walk.d.remaining && left) {
		__u32 n = s->walk.d.remaining < left ? s->walk.d.remaining : left;
		s->walk.d.remaining -= n;
		s->walk.pos += n;
	}
	return s->walk.pos >= s->walk.seg;
}

/* One step of the walk over a segment: skip preface bytes, or skip (or copy, for kept frames) up to a
 * COPY_CHUNK of payload, or read (the rest of) a frame header and decide whether its frame is kept. */
static long h2_step(__u64 i, void *ctx)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	if (s->walk.pos >= s->walk.seg)
		return 1;
	__u32 left = s->walk.seg - s->walk.pos;
	__u64 at = s->walk.base + s->walk.pos;
	if (s->walk.d.preface) {
		__u32 n = s->walk.d.preface < left ? s->walk.d.preface : left;
		s->walk.d.preface -= n;
		s->walk.pos += n;
		return s->walk.pos >= s->walk.seg;
	}
	if (s->walk.d.remaining) {
		__u32 n = s->walk.d.remaining < left ? s->walk.d.remaining : left;
		if (s->walk.d.keep) {
			if (n > COPY_CHUNK)
				n = COPY_CHUNK;
			if (s->walk.out + n > H2_OUT)
				h2_flush(s);
			__u32 o = s->walk.out & (H2_OUT - 1);
			barrier_var(n);
			n &= 2 * COPY_CHUNK - 1;
			if (s->walk.windowed)
				bpf_probe_read_kernel(&s->data[o], n, &s->win[s->walk.pos & (H2_WIN - 1)]);
			else
				bpf_probe_read_user(&s->data[o], n, (void *)at);
			s->walk.out += n;
		}
		s->walk.d.remaining -= n;
		s->walk.pos += n;
		if (s->walk.d.keep && !s->walk.d.remaining && s->walk.d.end_headers)
			h2_slow_done(s);
		return s->walk.pos >= s->walk.seg;
	}
	__u32 have = s->walk.d.have;
	__u32 n = H2_FRAME_HEADER - have;
	if (n > left)
		n = left;
	barrier_var(n);
	n &= 15;
	if (s->walk.windowed) {
		/* Direct loads from the window: a helper call per frame header costs more than nine loads. */
		const __u8 *w = &s->win[s->walk.pos & (H2_WIN - 1)];
#pragma unroll
		for (int k = 0; k < H2_FRAME_HEADER; k++)
			if (k < n)
				s->walk.d.hdr[(have + k) & 15] = w[k];
	} else {
		bpf_probe_read_user(&s->walk.d.hdr[have & 15], n, (void *)at);
	}
	s->walk.pos += n;
	if (have + n < H2_FRAME_HEADER) {
		s->walk.d.have = have + n;
		return 0;
	}
	s->walk.d.have = 0;
	__u32 length = (__u32)s->walk.d.hdr[0] << 16 | (__u32)s->walk.d.hdr[1] << 8 | s->walk.d.hdr[2];
	__u8 type = s->walk.d.hdr[3];
	__u8 flags = s->walk.d.hdr[4];
	__u32 stream = ((__u32)s->walk.d.hdr[5] << 24 | (__u32)s->walk.d.hdr[6] << 16 | (__u32)s->walk.d.hdr[7] << 8 |
			s->walk.d.hdr[8]) & 0x7fffffff;
	s->walk.d.remaining = length;
	s->walk.d.keep = 0;
	s->walk.d.end_headers = 0;
	if (!s->walk.emit)
		return h2_skip_payload(s); /* the protocol is not known yet: follow the frames only */
	if (type == H2_HEADERS) {
		/* The common case — a whole block in one frame, all of it in this segment — is keyed and counted
		 * here; any other block goes to user space as frames. */
		if ((flags & (H2_END_HEADERS | H2_PADDED | H2_PRIORITY)) == H2_END_HEADERS && length <= VIGIL_H2_BLOCK &&
		    length <= s->walk.seg - s->walk.pos) {
			if (h2_block(stream, flags, length))
				return h2_skip_payload(s);
			s->walk.lost = 1;
			return 1;
		}
		s->walk.d.keep = 1;
		s->walk.d.blk_stream = stream;
		s->walk.d.blk_flags = flags;
		s->walk.d.end_headers = flags & H2_END_HEADERS;
		h2_put_header(s, length);
	} else if (type == H2_CONTINUATION) {
		s->walk.d.keep = 1;
		s->walk.d.end_headers = flags & H2_END_HEADERS;
		h2_put_header(s, length);
	} else if (type == H2_RST_STREAM) {
		h2_stream_reset(s, stream);
	} else if (type == H2_DATA && s->walk.from_server && (flags & H2_END_STREAM)) {
		h2_stream_end(s, stream); /* a stream ended without trailers */
	}
	if (s->walk.d.keep && !length && s->walk.d.end_headers)
		h2_slow_done(s);
	return h2_skip_payload(s);
}

/* Walks the frames in one buffer segment of the transfer. A global function: verified once. */
__noinline int h2_walk_segment(__u64 base, __u32 seg)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	s->walk.base = base;
	s->walk.seg = seg;
	s->walk.pos = 0;
	s->walk.windowed = 0;
	/* A segment that lies wholly inside a skipped payload (a DATA frame's message, often an iovec of its own)
	 * is stepped over without reading it. */
	if (!s->walk.d.preface && !s->walk.d.keep && s->walk.d.remaining >= seg) {
		s->walk.d.remaining -= seg;
		s->walk.pos = seg;
		return 1;
	}
	/* A small segment holding several frames (or a header and its block) costs one read, not one per frame. */
	if (seg <= H2_WIN && seg > H2_FRAME_HEADER) {
		__u32 n = seg;
		barrier_var(n);
		n &= 2 * H2_WIN - 1;
		if (n > H2_WIN)
			n = H2_WIN;
		if (!bpf_probe_read_user(s->win, n, (void *)base))
			s->walk.windowed = 1;
	}
	bpf_loop(H2_MAX_STEPS, h2_step, NULL, 0);
	return s->walk.pos == seg && !s->walk.lost;
}

struct h2_iov_walk {
	__u64 iov;
	__u32 iovcnt;
	__u32 pos;
	__u32 len;
	__u32 ok;
};

static long h2_iov_step(__u64 i, void *ctx)
{
	struct h2_iov_walk *w = ctx;
	if (i >= w->iovcnt || w->pos >= w->len)
		return 1;
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	if (!(i & (H2_IOV_BATCH - 1))) {
		__u32 n = w->iovcnt - i < H2_IOV_BATCH ? w->iovcnt - (__u32)i : H2_IOV_BATCH;
		barrier_var(n);
		n &= 2 * H2_IOV_BATCH - 1;
		if (n > H2_IOV_BATCH)
			n = H2_IOV_BATCH;
		if (bpf_probe_read_user(s->iovs, n * sizeof(struct iovec), (void *)(w->iov + i * sizeof(struct iovec)))) {
			w->ok = 0;
			return 1;
		}
	}
	struct iovec v = s->iovs[i & (H2_IOV_BATCH - 1)];
	__u32 seg = v.iov_len > w->len - w->pos ? w->len - w->pos : (__u32)v.iov_len;
	/* An iovec wholly inside a skipped payload — a gRPC message, which grpc-js writes in an iovec of its own
	 * after its DATA frame's header — is stepped over here, without a call to the segment walk. */
	if (!s->walk.d.preface && !s->walk.d.keep && s->walk.d.remaining >= seg) {
		s->walk.d.remaining -= seg;
		w->pos += seg;
		return 0;
	}
	if (!h2_walk_segment((__u64)v.iov_base, seg)) {
		w->ok = 0;
		return 1;
	}
	w->pos += seg;
	return 0;
}

/* Copies the stream slots word by word (BPF has no memcpy; this unrolls). */
static __always_inline void copy_words(struct h2_stream *to, const struct h2_stream *from)
{
	__u64 *t = (__u64 *)to;
	const __u64 *f = (const __u64 *)from;
#pragma unroll
	for (int i = 0; i < (int)(H2_SLOTS * sizeof(struct h2_stream) / 8); i++)
		t[i] = f[i];
}

/* An HTTP/2 transfer (or, with emit 0, a server's first bytes before the protocol is known): walks its
 * frames from where the direction's walk stood and sends the kept ones. Frames are never copied whole:
 * DATA payloads (the bulk of gRPC traffic) are skipped by their length. A walk that cannot read the
 * transfer loses the frame boundaries for good: the connection is then ignored. */
static __always_inline void h2_transfer(struct conn_value *conn, __u32 tgid, __u64 buf, __u32 iovcnt, bool vec,
					__u32 len, bool from_client, bool emit, __u8 direction, __u64 now)
{
	struct scratch *s = get_scratch();
	if (!s)
		return;
	__u32 d = from_client ? 0 : 1;
	s->walk.d = conn->h2[d];
	s->walk.out = 0;
	s->walk.from_server = !from_client;
	s->walk.emit = emit;
	s->walk.now = now;
	s->walk.lost = 0;
	s->walk.slots_changed = 0;
	s->walk.spilled = 0;
	s->walk.spilled_before = conn->spilled;
	copy_words(s->walk.slots, conn->slots);
	__builtin_memset(&s->h, 0, sizeof(s->h));
	s->h.conn_id = conn->id;
	s->h.start_ns = now;
	s->h.end_ns = now;
	s->h.kind = VIGIL_HTTP_H2;
	s->h.pid = tgid;
	s->h.direction = direction;
	s->h.role = conn->role;
	s->h.family = conn->family;
	s->h.lport = conn->lport;
	s->h.rport = conn->rport;
	bool ok;
	if (!vec) {
		ok = h2_walk_segment(buf, len);
	} else {
		struct h2_iov_walk w = { .iov = buf, .iovcnt = iovcnt, .len = len, .ok = 1 };
		bpf_loop(iovcnt < MAX_IOV ? iovcnt : MAX_IOV, h2_iov_step, &w, 0);
		ok = w.ok && w.pos == len;
	}
	ok = ok && !s->walk.lost;
	h2_flush(s);
	conn->h2[d] = s->walk.d;
	if (s->walk.slots_changed)
		copy_words(conn->slots, s->walk.slots);
	/* At 255 the count sticks: the connection may then have streams in the map for good. */
	if (s->walk.spilled && conn->spilled != 255) {
		int spilled = (int)conn->spilled + s->walk.spilled;
		conn->spilled = spilled < 0 ? 0 : spilled > 255 ? 255 : spilled;
	}
	if (!ok)
		conn->proto = PROTO_OTHER;
}

/* The method starting `b`, with its length and the space after it in `*skip`; 0xff when none. */
static __always_inline __u8 parse_method(const __u8 *b, __u32 *skip)
{
	switch (b[0]) {
	case 'G':
		if (b[1] == 'E' && b[2] == 'T' && b[3] == ' ') {
			*skip = 4;
			return VIGIL_HTTP_GET;
		}
		break;
	case 'P':
		if (b[1] == 'O' && b[2] == 'S' && b[3] == 'T' && b[4] == ' ') {
			*skip = 5;
			return VIGIL_HTTP_POST;
		}
		if (b[1] == 'U' && b[2] == 'T' && b[3] == ' ') {
			*skip = 4;
			return VIGIL_HTTP_PUT;
		}
		if (b[1] == 'A' && b[2] == 'T' && b[3] == 'C' && b[4] == 'H' && b[5] == ' ') {
			*skip = 6;
			return VIGIL_HTTP_PATCH;
		}
		break;
	case 'D':
		if (b[1] == 'E' && b[2] == 'L' && b[3] == 'E' && b[4] == 'T' && b[5] == 'E' && b[6] == ' ') {
			*skip = 7;
			return VIGIL_HTTP_DELETE;
		}
		break;
	case 'H':
		if (b[1] == 'E' && b[2] == 'A' && b[3] == 'D' && b[4] == ' ') {
			*skip = 5;
			return VIGIL_HTTP_HEAD_METHOD;
		}
		break;
	case 'O':
		if (b[1] == 'P' && b[2] == 'T' && b[3] == 'I' && b[4] == 'O' && b[5] == 'N' && b[6] == 'S' && b[7] == ' ') {
			*skip = 8;
			return VIGIL_HTTP_OPTIONS;
		}
		break;
	case 'C':
		if (b[1] == 'O' && b[2] == 'N' && b[3] == 'N' && b[4] == 'E' && b[5] == 'C' && b[6] == 'T' && b[7] == ' ') {
			*skip = 8;
			return VIGIL_HTTP_CONNECT;
		}
		break;
	case 'T':
		if (b[1] == 'R' && b[2] == 'A' && b[3] == 'C' && b[4] == 'E' && b[5] == ' ') {
			*skip = 6;
			return VIGIL_HTTP_TRACE;
		}
		break;
	}
	return 0xff;
}


/* The walk of path_hash: bpf_loop runs its step, so the verifier checks it once. */
struct hash_walk {
	__u64 h;
	__u64 seg_start;
	__u32 skip;
	__u32 n;
	__u32 digits;
	__u32 others;
	__u32 len;
};

#define HASH_BYTES_PER_STEP 8

/* Bytes [i * HASH_BYTES_PER_STEP, +HASH_BYTES_PER_STEP) of the path: several per call, because a call and its
 * return cost more here than hashing a byte (a path of /items/42 took ten calls, one per byte and its end). */
static long hash_step(__u64 i, void *ctx)
{
	struct hash_walk *w = ctx;
	/* Direct loads from the scratch record (a helper call per byte cost ~40 ns here). */
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	for (int k = 0; k < HASH_BYTES_PER_STEP; k++) {
		__u32 at = (__u32)i * HASH_BYTES_PER_STEP + k;
		__u8 c = ' ';
		if (at < w->n && at < VIGIL_HTTP_PATH)
			c = ((__u8 *)s->line)[(w->skip + at) & (LINE_MASK)];
		bool end = c == ' ' || c == '?' || c == '#' || c == '\r' || c == '\n';
		if (end || c == '/') {
			if (w->digits && !w->others)
				w->h = (w->seg_start ^ '#') * FNV_PRIME;
			if (end) {
				w->len = at;
				return 1;
			}
			w->h = (w->h ^ c) * FNV_PRIME;
			w->seg_start = w->h;
			w->digits = w->others = 0;
			continue;
		}
		w->h = (w->h ^ c) * FNV_PRIME;
		if (c >= '0' && c <= '9')
			w->digits++;
		else
			w->others++;
	}
	return 0;
}

/* FNV-1a of the path in s->line[skip, skip + n) up to its query, fragment or end, with every all-digit segment
 * hashed as one placeholder, so /items/1 and /items/2 share a hash (user space templates them to the same
 * route anyway, and a path is only reported to user space once per hash). Sets s->h.head_len to the path's
 * length. Never 0 (0 means "no request"). */
static __always_inline __u64 path_hash(struct scratch *s, __u32 skip, __u32 n)
{
	struct hash_walk w = { .h = FNV_OFFSET, .seg_start = FNV_OFFSET, .skip = skip, .n = n, .len = VIGIL_HTTP_PATH };
	/* Up to and including byte VIGIL_HTTP_PATH, which ends every path. */
	bpf_loop(VIGIL_HTTP_PATH / HASH_BYTES_PER_STEP + 1, hash_step, &w, 0);
	s->h.head_len = w.len > VIGIL_HTTP_PATH ? VIGIL_HTTP_PATH : w.len;
	return w.h ? w.h : 1;
}

/* Counts one completed request in the aggregates. */
static __always_inline void aggregate(struct conn_value *conn, __u32 tgid, __u8 method, __u16 status,
				      __u8 version, __u64 route, __u64 duration)
{
	struct http_agg_key k = {
		.pid = tgid,
		.port = conn->role == VIGIL_HTTP_SERVER ? conn->lport : conn->rport,
		.role = conn->role,
		.method = method,
		.status = status,
		.version = version,
		.route = route,
	};
	struct http_agg_value *v = bpf_map_lookup_elem(&aggregates, &k);
	if (!v) {
		bpf_map_update_elem(&aggregates, &k, &zero_aggregate, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&aggregates, &k);
		if (!v) {
			count_stat(0);
			return;
		}
	}
	add_duration(v, duration);
}

/* HTTP/1.x parsed here: a client transfer starting with a method queues a request; a server transfer
 * starting with a status line completes the oldest queued one. Other transfers (bodies, chunks) cost
 * nothing more. `b` holds the first bytes of the transfer; a request's first `line_n` bytes are in
 * s->line. */
static __always_inline void parse_h1(struct http_config *cfg, struct conn_value *conn, __u32 tgid, const __u8 *b,
				     __u32 line_n, bool from_client, __u64 now)
{
	if (from_client) {
		__u32 skip = 0;
		__u8 method = parse_method(b, &skip);
		if (method == 0xff)
			return;
		if (conn->tail - conn->head >= VIGIL_HTTP_QUEUE) {
			count_stat(1);
			return;
		}
		struct scratch *s = get_scratch();
		if (!s)
			return;
		__u32 n = line_n > skip ? line_n - skip : 0;
		if (n > VIGIL_HTTP_PATH)
			n = VIGIL_HTTP_PATH;
		__u64 route = path_hash(s, skip, n);
		__u32 slot = conn->tail & (VIGIL_HTTP_QUEUE - 1);
		struct pending *p = &conn->queue[slot];
		p->start_ns = now;
		p->route = route;
		p->method = method;
		p->report = 0;
		bool sampled = false;
		if (cfg->sample_every) {
			__u64 k = __sync_fetch_and_add(&sample_counter, 1);
			sampled = k % cfg->sample_every == 0;
		}
		bool known = route == conn->known_route;
		if (!known && !sampled && bpf_map_lookup_elem(&known_routes, &route)) {
			known = true;
			conn->known_route = route;
		}
		if (sampled || !known) {
			/* Rare (a new path, or a sample): its path goes to user space with the response. */
			bpf_probe_read_kernel(s->req.path, VIGIL_HTTP_PATH, (__u8 *)s->line + (skip & 15));
			s->req.route = route;
			s->req.method = method;
			s->req.status = 0;
			s->req.version = 0;
			s->req.pad = s->h.head_len; /* the path's length, until the record is sent */
			struct head_key hk = { .conn_id = conn->id, .slot = slot };
			if (!bpf_map_update_elem(&heads, &hk, &s->req, BPF_ANY))
				p->report = 1;
		}
		conn->tail++;
		return;
	}
	/* "HTTP/1.x NNN" */
	if (b[0] != 'H' || b[1] != 'T' || b[2] != 'T' || b[3] != 'P' || b[4] != '/' || b[5] != '1' || b[6] != '.' ||
	    b[8] != ' ' || b[9] < '0' || b[9] > '9' || b[10] < '0' || b[10] > '9' || b[11] < '0' || b[11] > '9')
		return;
	__u16 status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	__u8 version = b[7] - '0';
	if (status >= 100 && status < 200 && status != 101)
		return; /* interim: the final response follows */
	if (status == 101)
		conn->proto = PROTO_OTHER; /* upgraded (WebSocket): no longer HTTP/1.x */
	struct pending p = {};
	if (conn->head != conn->tail) {
		__u32 slot = conn->head & (VIGIL_HTTP_QUEUE - 1);
		p = conn->queue[slot];
		conn->head++;
		if (p.report) {
			struct head_key hk = { .conn_id = conn->id, .slot = slot };
			struct http_request_info *r = bpf_map_lookup_elem(&heads, &hk);
			struct scratch *s = get_scratch();
			if (r && s) {
				bpf_probe_read_kernel(&s->req, sizeof(s->req), r);
				__u32 path_len = s->req.pad & (VIGIL_HTTP_PATH * 2 - 1);
				s->req.pad = 0;
				s->req.status = status;
				s->req.version = version;
				__builtin_memset(&s->h, 0, sizeof(s->h));
				s->h.conn_id = conn->id;
				s->h.start_ns = p.start_ns;
				s->h.end_ns = now;
				s->h.kind = VIGIL_HTTP_REQUEST;
				s->h.pid = tgid;
				s->h.head_len = path_len > VIGIL_HTTP_PATH ? VIGIL_HTTP_PATH : path_len;
				s->h.role = conn->role;
				s->h.family = conn->family;
				s->h.lport = conn->lport;
				s->h.rport = conn->rport;
				__u64 route = p.route;
				if (!output(&s->h, sizeof(s->h) + sizeof(s->req), RECORD_MAX)) {
					__u8 one = 1;
					bpf_map_update_elem(&known_routes, &route, &one, BPF_ANY);
				}
			}
			bpf_map_delete_elem(&heads, &hk);
		}
	} else {
		count_stat(2);
		p.start_ns = now;
	}
	aggregate(conn, tgid, p.method, status, version, p.route, now - p.start_ns);
}

#ifndef VIGIL_HTTP_FLOOR
/* A socket transfer of `ret` > 0 bytes on a tracked connection, by the syscall whose saved user registers
 * are `regs` (its buffer and iovec arguments are still there). */
static __always_inline void on_data(struct conn_value *conn, struct sock *sk, long ret, __u8 direction)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u8 kind;
	switch (SYSCALL_NR(regs)) {
	case NR_READ:
	case NR_RECVFROM:
	case NR_WRITE:
	case NR_SENDTO:
		kind = BUF_PLAIN;
		break;
	case NR_READV:
	case NR_WRITEV:
		kind = BUF_IOV;
		break;
	case NR_RECVMSG:
	case NR_SENDMSG:
		kind = BUF_MSG;
		break;
	default:
		return; /* sendfile, splice, io_uring, kernel users: no user buffer to read */
	}
	struct http_config *cfg = get_config();
	if (!cfg)
		return;
	if (!conn->tgid) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		if (!wanted_pid(cfg, tgid)) {
			conn->ignored = 1;
			return;
		}
		conn->tgid = tgid;
		open_record(conn, sk);
	}
	bool from_client = (direction == VIGIL_HTTP_INGRESS) == (conn->role == VIGIL_HTTP_SERVER);
	if (!cfg->capture && conn->proto == PROTO_OTHER)
		return; /* not HTTP */
	__u64 now = bpf_ktime_get_ns();
	__u64 buf = PT_REGS_PARM2_SYSCALL(regs);
	__u32 iovcnt = (__u32)PT_REGS_PARM3_SYSCALL(regs);
	if (kind == BUF_MSG) {
		struct user_msghdr msg;
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)buf))
			return;
		buf = (__u64)msg.msg_iov;
		iovcnt = (__u32)msg.msg_iovlen;
	}
	__u32 len = ret > 0x7fffffff ? 0x7fffffff : (__u32)ret;
	/* The first segment: the buffer, or the first iovec — read only where its first bytes are looked at
	 * (HTTP/1.x, or the protocol still unknown; an HTTP/2 walk reads the iovecs itself). */
	bool need_head = conn->proto == PROTO_UNKNOWN || (!cfg->capture && conn->proto == PROTO_H1);
	__u64 seg = buf;
	__u32 seg_len = len;
	if (kind != BUF_PLAIN && !iovcnt)
		return;
	if (kind != BUF_PLAIN && need_head) {
		struct iovec v;
		if (bpf_probe_read_user(&v, sizeof(v), (void *)buf))
			return;
		seg = (__u64)v.iov_base;
		seg_len = v.iov_len < len ? (__u32)v.iov_len : len;
	}
	__u8 b[16] = {};
	__u32 line_n = 0;
	if (from_client && (conn->proto == PROTO_UNKNOWN || (!cfg->capture && conn->proto == PROTO_H1))) {
		/* A request: its first LINE_BYTES in one read, the first 16 of them for the method. */
		struct scratch *s = get_scratch();
		if (!s)
			return;
		s->line[0] = s->line[1] = 0; /* a short read leaves zeros, not an earlier request, in b */
		line_n = seg_len < LINE_BYTES ? seg_len : LINE_BYTES;
		barrier_var(line_n);
		line_n &= LINE_MASK;
		if (line_n > LINE_BYTES)
			line_n = LINE_BYTES;
		if (bpf_probe_read_user(s->line, line_n, (void *)seg))
			line_n = 0;
		__builtin_memcpy(b, s->line, sizeof(b));
	} else if (conn->proto == PROTO_UNKNOWN || (!cfg->capture && conn->proto == PROTO_H1)) {
		__u32 n = seg_len < sizeof(b) ? seg_len : sizeof(b);
		barrier_var(n);
		n &= 31;
		if (n > sizeof(b))
			n = sizeof(b);
		bpf_probe_read_user(b, n, (void *)seg);
	}
	/* The client's first bytes tell HTTP/2 (its preface, "PRI * HTTP/2.0") from HTTP/1.x and the rest. */
	if (conn->proto == PROTO_UNKNOWN && from_client) {
		__u32 skip;
		if (b[0] == 'P' && b[1] == 'R' && b[2] == 'I' && b[3] == ' ')
			conn->proto = PROTO_H2;
		else if (parse_method(b, &skip) != 0xff)
			conn->proto = PROTO_H1;
		else
			conn->proto = PROTO_OTHER;
	}
	if (!cfg->capture && conn->proto == PROTO_H1) {
		parse_h1(cfg, conn, conn->tgid, b, line_n, from_client, now);
		return;
	}
	if (!cfg->capture && conn->proto == PROTO_OTHER)
		return;
	if (!cfg->capture) {
		/* HTTP/2, or a server speaking first, which HTTP/1.x never does: an HTTP/2 server may send its
		 * SETTINGS before it reads the preface, and the walk of its frames must start at its first byte. */
		h2_transfer(conn, conn->tgid, buf, iovcnt, kind != BUF_PLAIN, len, from_client, conn->proto == PROTO_H2,
			    direction, now);
		return;
	}
	capture(conn, conn->tgid, buf, iovcnt, kind != BUF_PLAIN, len, direction, now);
}

#else
/* The bench's floor (bench/ebpf-overhead/bpf-cost.ts, VIGIL_BENCH_FLOOR; never in the shipped object): what
 * any tracer that counts every HTTP/1.x request exactly must do per transfer of a tracked connection, and
 * nothing more: find the syscall's buffer, take the time, read the first bytes, and queue a request's start
 * or count a response's duration by status. No path, no method, no pipelining, no HTTP/2. */
static __always_inline void on_data(struct conn_value *conn, struct sock *sk, long ret, __u8 direction)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 nr = SYSCALL_NR(regs);
	__u64 buf = PT_REGS_PARM2_SYSCALL(regs);
	if (nr == NR_READV || nr == NR_WRITEV) {
		struct iovec v;
		if (bpf_probe_read_user(&v, sizeof(v), (void *)buf))
			return;
		buf = (__u64)v.iov_base;
	} else if (nr != NR_READ && nr != NR_WRITE && nr != NR_RECVFROM && nr != NR_SENDTO) {
		return;
	}
	__u64 now = bpf_ktime_get_ns();
	__u8 b[16] = {};
	if (bpf_probe_read_user(b, sizeof(b), (void *)buf))
		return;
	if (!conn->tgid)
		conn->tgid = bpf_get_current_pid_tgid() >> 32;
	bool from_client = (direction == VIGIL_HTTP_INGRESS) == (conn->role == VIGIL_HTTP_SERVER);
	if (from_client) {
		if (b[0] >= 'A' && b[0] <= 'Z') {
			conn->queue[conn->tail & (VIGIL_HTTP_QUEUE - 1)].start_ns = now;
			conn->tail++;
		}
		return;
	}
	if (b[0] != 'H' || conn->head == conn->tail)
		return;
	__u64 start = conn->queue[conn->head & (VIGIL_HTTP_QUEUE - 1)].start_ns;
	conn->head++;
	__u16 status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	aggregate(conn, conn->tgid, 0, status, 1, 1, now - start);
}
#endif

#define MSG_PEEK 2

/* Whether `sk` may be tracked: a socket without any BPF storage (most of them: the load client's, other
 * processes', every socket of an untraced port) is not, and telling so is one load, where the storage
 * lookup is a helper call (~150 ns here). */
static __always_inline bool tracked_maybe(struct sock *sk)
{
	return sk && sk->sk_bpf_storage;
}

/* Every socket read of the machine (sock_recvmsg), but only after a socket-storage lookup finds the
 * socket tracked does it cost more than a pointer test. */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(http_sock_recv, struct sock *sk, int ret, int flags)
{
	if (ret <= 0 || (flags & MSG_PEEK) || !tracked_maybe(sk))
		return 0;
	struct conn_value *conn = bpf_sk_storage_get(&conns, sk, 0, 0);
	if (conn && !conn->ignored)
		on_data(conn, sk, ret, VIGIL_HTTP_INGRESS);
	return 0;
}

/* Every socket write (sock_sendmsg), as above. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(http_sock_send, struct sock *sk, int ret, int flags)
{
	if (ret <= 0 || !tracked_maybe(sk))
		return 0;
	struct conn_value *conn = bpf_sk_storage_get(&conns, sk, 0, 0);
	if (conn && !conn->ignored)
		on_data(conn, sk, ret, VIGIL_HTTP_EGRESS);
	return 0;
}

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_CLOSE 7

/* TCP state changes (per connection, not per transfer): a connection that becomes established from
 * SYN_RECV was accepted (server side), from SYN_SENT connected (client side); it is tracked when that side
 * and its server port are wanted. Its process is known only at its first transfer (the handshake ends in
 * softirq context). Its end (CLOSE) tells user space to forget it. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(http_sock_state, struct sock *sk, int oldstate, int newstate)
{
	if (!sk || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_CLOSE) {
		struct conn_value *conn = bpf_sk_storage_get(&conns, sk, 0, 0);
		if (!conn)
			return 0;
		if (conn->tgid && !conn->ignored) {
			struct http_event e = {
				.conn_id = conn->id,
				.start_ns = bpf_ktime_get_ns(),
				.kind = VIGIL_HTTP_CLOSE,
				.pid = conn->tgid,
				.len = conn->spilled, /* user space deletes them */
				.role = conn->role,
				.family = conn->family,
				.lport = conn->lport,
				.rport = conn->rport,
			};
			output(&e, sizeof(e), sizeof(e));
		}
		bpf_sk_storage_delete(&conns, sk);
		return 0;
	}
	if (newstate != TCP_ESTABLISHED || (oldstate != TCP_SYN_RECV && oldstate != TCP_SYN_SENT))
		return 0;
	struct http_config *c = get_config();
	__u8 role = oldstate == TCP_SYN_RECV ? VIGIL_HTTP_SERVER : VIGIL_HTTP_CLIENT;
	if (!c || !(c->roles & role))
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	__u16 lport = sk->__sk_common.skc_num;
	__u16 rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (c->filter_ports) {
		__u16 server_port = role == VIGIL_HTTP_SERVER ? lport : rport;
		if (!bpf_map_lookup_elem(&ports, &server_port))
			return 0;
	}
	/* Created zeroed (the value is too big for the stack), then filled in: nothing reads it before the
	 * socket's first transfer, which comes after this handshake. Storage left by an earlier use of the
	 * socket is replaced. */
	bpf_sk_storage_delete(&conns, sk);
	struct conn_value *conn = bpf_sk_storage_get(&conns, sk, (void *)&zero_conn, BPF_SK_STORAGE_GET_F_CREATE);
	if (!conn)
		return 0;
	conn->role = role;
	conn->family = family;
	conn->lport = lport;
	conn->rport = rport;
	conn->h2[0].preface = H2_PREFACE_LEN;
	conn->id = __sync_fetch_and_add(&next_id, 1) + 1;
	return 0;
}
