// SPDX-License-Identifier: GPL-2.0
/* TCP connection lifecycle from sock:inet_sock_set_state and tcp:tcp_retransmit_skb: connect and accept
 * with handshake latency, close with lifetime, bytes and retransmits. */
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

SEC("tp/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	__u64 sk = (__u64)ctx->skaddr;
	__u64 now = bpf_ktime_get_ns();
	int oldstate = ctx->oldstate, newstate = ctx->newstate;

	if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV) {
		struct sock_start s = { .ts_ns = now };
		if (newstate == TCP_SYN_SENT) {
			s.active = 1;
			s.pid = bpf_get_current_pid_tgid() >> 32;
			bpf_get_current_comm(s.comm, sizeof(s.comm));
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
		struct tcp_sock *tp = (struct tcp_sock *)ctx->skaddr;
		/* bytes_acked and bytes_received count sequence space: SYN and FIN take one each. Report payload. */
		struct sock *sk = (struct sock *)ctx->skaddr;
		__u8 shutdown = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown);
		__u64 acked = BPF_CORE_READ(tp, bytes_acked);
		__u64 received = BPF_CORE_READ(tp, bytes_received);
		bool fin_acked = (shutdown & SEND_SHUTDOWN) && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq);
		__u64 control = (s->active ? 1 : 0) + (fin_acked ? 1 : 0);
		e->bytes_acked = acked > control ? acked - control : 0;
		e->bytes_received = (shutdown & RCV_SHUTDOWN) && received > 0 ? received - 1 : received;
		e->retransmits = BPF_CORE_READ(tp, total_retrans);
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
