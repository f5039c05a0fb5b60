// SPDX-License-Identifier: GPL-2.0
/* TCP connection lifecycle from sock:inet_sock_set_state and tcp:tcp_retransmit_skb: connect and accept
 * with handshake latency, close with lifetime, bytes and retransmits — one ring record per event, or (summary
 * mode) counters and log2 histograms per (kind, family) in a per-CPU array that user space reads on an
 * interval, so that nothing per event reaches user space. */
#include "vigil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2

VIGIL_EVENTS_RINGBUF

struct sock_start {
	__u64 ts_ns; /* SYN sent/received, then established */
	__u32 pid;   /* the connecting process; 0 for passive opens (softirq context) */
	__u16 established;
	__u16 active; /* our SYN was acked, which bytes_acked counts as one byte */
	char comm[VIGIL_COMM_LEN];
};

/* LRU: sockets we never see close (the probe detached mid-life, lost events) must not fill the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct sock_start);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcp_config);
} tcp_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16); /* host order */
	__type(value, __u8);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct tcp_summary);
} summary SEC(".maps");

static __always_inline struct tcp_config *get_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&tcp_config, &zero);
}

static __always_inline bool wanted_ports(struct tcp_config *c, __u16 sport, __u16 dport)
{
	return !c || !c->filter_ports || bpf_map_lookup_elem(&ports, &sport) || bpf_map_lookup_elem(&ports, &dport);
}

/* Counts one event in the summary (per CPU: no atomics). */
static __always_inline void summarize(__u32 kind, __u16 family, __u64 duration, __u64 sent, __u64 received)
{
	__u32 i = (kind - 1) * 2 + (family == AF_INET6 ? 1 : 0);
	struct tcp_summary *t = bpf_map_lookup_elem(&summary, &i);
	if (!t)
		return;
	t->count++;
	t->bytes_sent += sent;
	t->bytes_received += received;
	__u32 slot = log2_slot(duration);
	if (slot >= VIGIL_TCP_SLOTS)
		slot = VIGIL_TCP_SLOTS - 1;
	t->slots[slot]++;
}

/* Both tracepoints lay out family, ports and addresses alike but in different structs, hence a macro.
 * The verifier forbids direct multi-byte loads at computed ctx offsets, so addresses are probe-read. */
#define FILL_ADDRS(e, ctx)                                                                                   \
	do {                                                                                                 \
		(e)->family = (ctx)->family;                                                                 \
		(e)->sport = (ctx)->sport;                                                                   \
		(e)->dport = (ctx)->dport;                                                                   \
		if ((ctx)->family == AF_INET) {                                                              \
			bpf_probe_read_kernel((e)->saddr, 4, (ctx)->saddr);                                  \
			bpf_probe_read_kernel((e)->daddr, 4, (ctx)->daddr);                                  \
		} else {                                                                                     \
			bpf_probe_read_kernel((e)->saddr, 16, (ctx)->saddr_v6);                              \
			bpf_probe_read_kernel((e)->daddr, 16, (ctx)->daddr_v6);                              \
		}                                                                                            \
	} while (0)

/* Payload bytes of a closing connection: bytes_acked and bytes_received count sequence space, where SYN and
 * FIN take one each. */
static __always_inline void close_bytes(const void *skaddr, __u16 active, __u64 *sent, __u64 *received)
{
	struct tcp_sock *tp = (struct tcp_sock *)skaddr;
	struct sock *sk = (struct sock *)skaddr;
	__u8 shutdown = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown);
	__u64 acked = BPF_CORE_READ(tp, bytes_acked);
	__u64 got = BPF_CORE_READ(tp, bytes_received);
	bool fin_acked = (shutdown & SEND_SHUTDOWN) && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq);
	__u64 control = (active ? 1 : 0) + (fin_acked ? 1 : 0);
	*sent = acked > control ? acked - control : 0;
	*received = (shutdown & RCV_SHUTDOWN) && got > 0 ? got - 1 : got;
}

SEC("tp/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	struct tcp_config *cfg = get_config();
	if (!wanted_ports(cfg, ctx->sport, ctx->dport))
		return 0;
	bool summary_mode = cfg && cfg->summary;
	__u64 sk = (__u64)ctx->skaddr;
	__u64 now = bpf_ktime_get_ns();
	int oldstate = ctx->oldstate, newstate = ctx->newstate;

	if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV) {
		struct sock_start s = { .ts_ns = now };
		if (newstate == TCP_SYN_SENT) {
			s.active = 1;
			if (!summary_mode) {
				s.pid = bpf_get_current_pid_tgid() >> 32;
				bpf_get_current_comm(s.comm, sizeof(s.comm));
			}
		}
		bpf_map_update_elem(&socks, &sk, &s, BPF_ANY);
		return 0;
	}

	struct sock_start *s = bpf_map_lookup_elem(&socks, &sk);
	__u32 kind = 0;
	__u64 duration = 0;
	if (newstate == TCP_ESTABLISHED && (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)) {
		kind = oldstate == TCP_SYN_SENT ? VIGIL_TCP_CONNECT : VIGIL_TCP_ACCEPT;
		if (s) {
			duration = now - s->ts_ns;
			s->ts_ns = now;
			s->established = 1;
		}
	} else if (newstate == TCP_CLOSE) {
		/* Only connections we saw established: not failed connects or listeners. */
		if (!s || !s->established) {
			if (s)
				bpf_map_delete_elem(&socks, &sk);
			return 0;
		}
		kind = VIGIL_TCP_CLOSE;
		duration = now - s->ts_ns;
	} else {
		return 0;
	}

	if (summary_mode) {
		__u64 sent = 0, received = 0;
		if (kind == VIGIL_TCP_CLOSE && s) {
			close_bytes(ctx->skaddr, s->active, &sent, &received);
			bpf_map_delete_elem(&socks, &sk);
		}
		summarize(kind, ctx->family, duration, sent, received);
		return 0;
	}
	struct tcp_event *e = reserve_event(sizeof(*e));
	if (!e) {
		if (kind == VIGIL_TCP_CLOSE)
			bpf_map_delete_elem(&socks, &sk);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = now;
	e->duration_ns = duration;
	e->kind = kind;
	e->oldstate = oldstate;
	e->newstate = newstate;
	FILL_ADDRS(e, ctx);
	if (s && s->pid) {
		e->pid = s->pid;
		__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
	}
	if (kind == VIGIL_TCP_CLOSE) {
		close_bytes(ctx->skaddr, s->active, &e->bytes_acked, &e->bytes_received);
		e->retransmits = BPF_CORE_READ((struct tcp_sock *)ctx->skaddr, total_retrans);
		if (!e->pid) {
			/* Passive sockets are usually closed by their owner, in its context. */
			e->pid = bpf_get_current_pid_tgid() >> 32;
			bpf_get_current_comm(e->comm, sizeof(e->comm));
		}
		bpf_map_delete_elem(&socks, &sk);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/tcp/tcp_retransmit_skb")
int handle_retransmit(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	struct tcp_config *cfg = get_config();
	if (!wanted_ports(cfg, ctx->sport, ctx->dport))
		return 0;
	if (cfg && cfg->summary) {
		summarize(VIGIL_TCP_RETRANSMIT, ctx->family, 0, 0, 0);
		return 0;
	}
	struct tcp_event *e = reserve_event(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = VIGIL_TCP_RETRANSMIT;
	e->newstate = ctx->state;
	FILL_ADDRS(e, ctx);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
