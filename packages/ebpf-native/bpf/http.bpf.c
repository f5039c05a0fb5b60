// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x and HTTP/2 capture from syscall tracepoints, for request tracing without changing the traced
 * program. Built for cost:
 *  - only accept/accept4/connect/close and the data syscalls are hooked, never raw_syscalls;
 *  - a connection is tracked from accept or connect, and only when its process (`pids`), side (`roles`)
 *    and server port (`ports`) are wanted: every other read or write costs one hash lookup;
 *  - only buffer heads (VIGIL_HTTP_HEAD bytes) and tails (VIGIL_HTTP_TAIL bytes) are copied; user space
 *    parses messages from them and counts the bytes in between.
 * Connections accepted or connected before the probe started are not seen. */
#include "vigil.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115
#define MAX_IOV 16

VIGIL_EVENTS_RINGBUF

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

struct conn_key {
	__u32 tgid;
	__u32 fd;
};

struct conn_value {
	__u64 id;
	__u8 role;
	__u8 pad;
	__u16 family;
	__u16 lport;
	__u16 rport;
};

/* LRU: a process that exits closes its sockets without close(2), and those entries must age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct conn_key);
	__type(value, struct conn_value);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} next_id SEC(".maps");

enum call_kind { CALL_ACCEPT = 1, CALL_CONNECT = 2, CALL_DATA = 3 };

/* What a syscall's entry saw, for its exit: the buffer (or iovec array) of a tracked connection. */
struct call {
	__u64 start_ns;
	__u64 buf;    /* plain buffer, or struct iovec * when vec */
	__u32 iovcnt; /* vec: number of iovecs */
	__u32 fd;
	__u8 kind;
	__u8 vec;
	__u8 direction;
	__u8 pad[5];
	struct conn_value conn;
};

/* LRU: a thread that dies inside a syscall never reaches its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct call);
} calls SEC(".maps");

/* The record is assembled here (too big for the stack), then copied out with its real length. */
struct scratch {
	struct http_event h;
	union {
		struct http_conn_info info; /* open records */
		__u8 data[3 * VIGIL_HTTP_HEAD + 2 * VIGIL_HTTP_TAIL]; /* slack keeps the verifier's bounds simple */
	};
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

static __always_inline struct http_config *get_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&http_config, &zero);
}

static __always_inline bool wanted_pid(struct http_config *c, __u32 tgid)
{
	return !c->filter_pids || bpf_map_lookup_elem(&pids, &tgid);
}

/* The socket behind a file descriptor of the current process, or NULL when it is not a TCP socket. */
static __always_inline struct sock *tcp_sock_of_fd(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *socket = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(socket, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != AF_INET && family != AF_INET6) || BPF_CORE_READ(sk, sk_type) != SOCK_STREAM ||
	    BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

/* Starts tracking `fd` as a connection of `role` when its side and server port are wanted. */
static __always_inline void track(struct http_config *c, __u32 tgid, __u32 fd, __u8 role)
{
	if (!(c->roles & role))
		return;
	struct sock *sk = tcp_sock_of_fd(fd);
	if (!sk)
		return;
	struct conn_value v = { .role = role };
	v.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	v.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	v.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (c->filter_ports) {
		__u16 server_port = role == VIGIL_HTTP_SERVER ? v.lport : v.rport;
		if (!bpf_map_lookup_elem(&ports, &server_port))
			return;
	}
	__u32 zero = 0;
	__u64 *counter = bpf_map_lookup_elem(&next_id, &zero);
	if (!counter)
		return;
	v.id = __sync_fetch_and_add(counter, 1) + 1;
	struct conn_key key = { .tgid = tgid, .fd = fd };
	bpf_map_update_elem(&conns, &key, &v, BPF_ANY);

	struct scratch *s = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!s)
		return;
	__builtin_memset(&s->h, 0, sizeof(s->h));
	s->h.conn_id = v.id;
	s->h.start_ns = bpf_ktime_get_ns();
	s->h.kind = VIGIL_HTTP_OPEN;
	s->h.pid = tgid;
	s->h.role = role;
	s->h.family = v.family;
	s->h.lport = v.lport;
	s->h.rport = v.rport;
	struct http_conn_info *info = &s->info;
	__builtin_memset(info, 0, sizeof(*info));
	if (v.family == AF_INET) {
		BPF_CORE_READ_INTO(info->laddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(info->raddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(info->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(info->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	bpf_get_current_comm(info->comm, sizeof(info->comm));
	if (bpf_ringbuf_output(&events, s, sizeof(s->h) + sizeof(*info), 0))
		count_drop();
}

/* Copies the part of one buffer segment [pos, pos + seg) of the transfer that falls in its head
 * [0, head_len) or its tail [len - tail_len, len). */
static __always_inline void copy_segment(struct scratch *s, __u64 base, __u32 pos, __u32 seg, __u32 len,
					 __u32 head_len, __u32 tail_len)
{
	if (pos < head_len) {
		__u32 n = head_len - pos;
		if (n > seg)
			n = seg;
		__u32 off = pos & (VIGIL_HTTP_HEAD - 1);
		if (n > VIGIL_HTTP_HEAD)
			n = VIGIL_HTTP_HEAD;
		/* A no-op after the clamp (barrier_var stops clang from dropping it), but a bound the verifier
		 * keeps whichever register the compiler passes. */
		barrier_var(n);
		n &= 2 * VIGIL_HTTP_HEAD - 1;
		bpf_probe_read_user(&s->data[off], n, (void *)base);
	}
	__u32 tail_start = len - tail_len;
	if (tail_len && pos + seg > tail_start) {
		__u32 from = pos > tail_start ? pos : tail_start;
		__u32 n = pos + seg - from;
		__u32 off = (from - tail_start) & (VIGIL_HTTP_TAIL - 1);
		if (n > VIGIL_HTTP_TAIL)
			n = VIGIL_HTTP_TAIL;
		barrier_var(n);
		n &= 2 * VIGIL_HTTP_TAIL - 1;
		bpf_probe_read_user(&s->data[VIGIL_HTTP_HEAD + off], n, (void *)(base + (from - pos)));
	}
}

enum buffer_kind { BUF_PLAIN = 0, BUF_IOV = 1, BUF_MSG = 2 };

static __always_inline int enter_data(__u32 fd, __u64 buf, __u32 iovcnt, __u8 kind, __u8 direction)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct conn_key key = { .tgid = id >> 32, .fd = fd };
	struct conn_value *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return 0;
	if (kind == BUF_MSG) {
		/* Only now, for a tracked connection, is the msghdr worth reading. */
		struct user_msghdr msg;
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)buf))
			return 0;
		buf = (__u64)msg.msg_iov;
		iovcnt = (__u32)msg.msg_iovlen;
	}
	struct call c = {
		.start_ns = bpf_ktime_get_ns(),
		.buf = buf,
		.iovcnt = iovcnt,
		.fd = fd,
		.kind = CALL_DATA,
		.vec = kind != BUF_PLAIN,
		.direction = direction,
		.conn = *conn,
	};
	__u32 tid = (__u32)id;
	bpf_map_update_elem(&calls, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int exit_data(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct call *c = bpf_map_lookup_elem(&calls, &tid);
	if (!c || c->kind != CALL_DATA)
		return 0;
	if (ret <= 0) {
		bpf_map_delete_elem(&calls, &tid);
		return 0;
	}
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!s) {
		bpf_map_delete_elem(&calls, &tid);
		return 0;
	}
	__u32 len = ret > 0x7fffffff ? 0x7fffffff : (__u32)ret;
	__u32 head_len = len < VIGIL_HTTP_HEAD ? len : VIGIL_HTTP_HEAD;
	__u32 rest = len - head_len;
	__u32 tail_len = rest < VIGIL_HTTP_TAIL ? rest : VIGIL_HTTP_TAIL;

	s->h.conn_id = c->conn.id;
	s->h.start_ns = c->start_ns;
	s->h.end_ns = bpf_ktime_get_ns();
	s->h.kind = VIGIL_HTTP_DATA;
	s->h.pid = id >> 32;
	s->h.len = len;
	s->h.head_len = head_len;
	s->h.tail_len = tail_len;
	s->h.direction = c->direction;
	s->h.role = c->conn.role;
	s->h.family = c->conn.family;
	s->h.lport = c->conn.lport;
	s->h.rport = c->conn.rport;

	if (!c->vec) {
		copy_segment(s, c->buf, 0, len, len, head_len, tail_len);
	} else {
		__u32 pos = 0;
		__u32 iovcnt = c->iovcnt;
		struct iovec *iov = (struct iovec *)c->buf;
		for (int i = 0; i < MAX_IOV; i++) {
			if (i >= iovcnt || pos >= len)
				break;
			struct iovec v;
			if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
				break;
			__u32 seg = v.iov_len > len - pos ? len - pos : (__u32)v.iov_len;
			copy_segment(s, (__u64)v.iov_base, pos, seg, len, head_len, tail_len);
			pos += seg;
		}
	}
	bpf_map_delete_elem(&calls, &tid);
	__u32 size = sizeof(s->h) + head_len + tail_len;
	if (size > sizeof(*s))
		return 0;
	if (bpf_ringbuf_output(&events, s, size, 0))
		count_drop();
	return 0;
}

/* accept(2), accept4(2): the returned descriptor is a server-side connection. */
static __always_inline int enter_accept(void)
{
	struct http_config *c = get_config();
	__u64 id = bpf_get_current_pid_tgid();
	if (!c || !(c->roles & VIGIL_HTTP_SERVER) || !wanted_pid(c, id >> 32))
		return 0;
	struct call call = { .kind = CALL_ACCEPT };
	__u32 tid = (__u32)id;
	bpf_map_update_elem(&calls, &tid, &call, BPF_ANY);
	return 0;
}

static __always_inline int exit_accept(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct call *call = bpf_map_lookup_elem(&calls, &tid);
	if (!call || call->kind != CALL_ACCEPT)
		return 0;
	bpf_map_delete_elem(&calls, &tid);
	struct http_config *c = get_config();
	if (ret >= 0 && c)
		track(c, id >> 32, (__u32)ret, VIGIL_HTTP_SERVER);
	return 0;
}

SEC("tp/syscalls/sys_enter_accept")
int enter_accept_tp(struct trace_event_raw_sys_enter *ctx) { return enter_accept(); }
SEC("tp/syscalls/sys_exit_accept")
int exit_accept_tp(struct trace_event_raw_sys_exit *ctx) { return exit_accept(ctx->ret); }
SEC("tp/syscalls/sys_enter_accept4")
int enter_accept4_tp(struct trace_event_raw_sys_enter *ctx) { return enter_accept(); }
SEC("tp/syscalls/sys_exit_accept4")
int exit_accept4_tp(struct trace_event_raw_sys_exit *ctx) { return exit_accept(ctx->ret); }

/* connect(2): a TCP connection to a wanted port is a client-side connection (non-blocking connects
 * return EINPROGRESS and are tracked too; one that then fails is closed by its owner). */
SEC("tp/syscalls/sys_enter_connect")
int enter_connect_tp(struct trace_event_raw_sys_enter *ctx)
{
	struct http_config *c = get_config();
	__u64 id = bpf_get_current_pid_tgid();
	if (!c || !(c->roles & VIGIL_HTTP_CLIENT) || !wanted_pid(c, id >> 32))
		return 0;
	struct call call = { .kind = CALL_CONNECT, .fd = (__u32)ctx->args[0] };
	__u32 tid = (__u32)id;
	bpf_map_update_elem(&calls, &tid, &call, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int exit_connect_tp(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct call *call = bpf_map_lookup_elem(&calls, &tid);
	if (!call || call->kind != CALL_CONNECT)
		return 0;
	__u32 fd = call->fd;
	bpf_map_delete_elem(&calls, &tid);
	struct http_config *c = get_config();
	if (c && (ctx->ret == 0 || ctx->ret == -EINPROGRESS))
		track(c, id >> 32, fd, VIGIL_HTTP_CLIENT);
	return 0;
}

SEC("tp/syscalls/sys_enter_close")
int enter_close_tp(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct conn_key key = { .tgid = id >> 32, .fd = (__u32)ctx->args[0] };
	struct conn_value *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return 0;
	struct http_event e = {
		.conn_id = conn->id,
		.start_ns = bpf_ktime_get_ns(),
		.kind = VIGIL_HTTP_CLOSE,
		.pid = id >> 32,
		.role = conn->role,
		.family = conn->family,
		.lport = conn->lport,
		.rport = conn->rport,
	};
	bpf_map_delete_elem(&conns, &key);
	if (bpf_ringbuf_output(&events, &e, sizeof(e), 0))
		count_drop();
	return 0;
}

/* Data syscalls: args[0] is the descriptor; read/write/recvfrom/sendto take a buffer in args[1],
 * readv/writev an iovec array and count, recvmsg/sendmsg a msghdr holding them. */
#define DATA_BUF(name, direction)                                                                            \
	SEC("tp/syscalls/sys_enter_" #name)                                                                  \
	int enter_##name##_tp(struct trace_event_raw_sys_enter *ctx)                                         \
	{                                                                                                    \
		return enter_data((__u32)ctx->args[0], ctx->args[1], 0, BUF_PLAIN, direction);                       \
	}                                                                                                    \
	SEC("tp/syscalls/sys_exit_" #name)                                                                   \
	int exit_##name##_tp(struct trace_event_raw_sys_exit *ctx) { return exit_data(ctx->ret); }

#define DATA_IOV(name, direction)                                                                            \
	SEC("tp/syscalls/sys_enter_" #name)                                                                  \
	int enter_##name##_tp(struct trace_event_raw_sys_enter *ctx)                                         \
	{                                                                                                    \
		return enter_data((__u32)ctx->args[0], ctx->args[1], (__u32)ctx->args[2], BUF_IOV, direction); \
	}                                                                                                    \
	SEC("tp/syscalls/sys_exit_" #name)                                                                   \
	int exit_##name##_tp(struct trace_event_raw_sys_exit *ctx) { return exit_data(ctx->ret); }

#define DATA_MSG(name, direction)                                                                            \
	SEC("tp/syscalls/sys_enter_" #name)                                                                  \
	int enter_##name##_tp(struct trace_event_raw_sys_enter *ctx)                                         \
	{                                                                                                    \
		return enter_data((__u32)ctx->args[0], ctx->args[1], 0, BUF_MSG, direction);                 \
	}                                                                                                    \
	SEC("tp/syscalls/sys_exit_" #name)                                                                   \
	int exit_##name##_tp(struct trace_event_raw_sys_exit *ctx) { return exit_data(ctx->ret); }

DATA_BUF(read, VIGIL_HTTP_INGRESS)
DATA_BUF(write, VIGIL_HTTP_EGRESS)
DATA_BUF(recvfrom, VIGIL_HTTP_INGRESS)
DATA_BUF(sendto, VIGIL_HTTP_EGRESS)
DATA_IOV(readv, VIGIL_HTTP_INGRESS)
DATA_IOV(writev, VIGIL_HTTP_EGRESS)
DATA_MSG(recvmsg, VIGIL_HTTP_INGRESS)
DATA_MSG(sendmsg, VIGIL_HTTP_EGRESS)
