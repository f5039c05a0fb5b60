/* Event and map-value layouts shared by the probes. The TypeScript decoders in src/probes/ read these
 * byte offsets, so every struct uses fixed-width fields in natural alignment with explicit padding. */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#define VIGIL_COMM_LEN 16
#define VIGIL_FILENAME_LEN 128
#define VIGIL_ARGS_LEN 512
#define VIGIL_PATH_LEN 256
#define VIGIL_HIST_SLOTS 64

enum process_event_kind { VIGIL_PROCESS_EXEC = 1, VIGIL_PROCESS_EXIT = 2 };

/* 696 bytes */
struct process_event {
	__u64 ts_ns;
	__u64 duration_ns; /* exit: lifetime since the task started */
	__u32 kind;
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__s32 exit_status; /* exit: raw wait status (code << 8 | signal) */
	__u32 args_len;    /* exec: bytes of args used, NUL-separated */
	char comm[VIGIL_COMM_LEN];
	char filename[VIGIL_FILENAME_LEN];
	char args[VIGIL_ARGS_LEN];
};

/* Summary mode of the process probe (summarizeProcesses): per (executable name, kind, exit status) a count and,
 * for exits, a log2 histogram of lifetimes, instead of one ring record per event. */
#define VIGIL_PROCESS_SLOTS 48
struct process_summary_key {
	char comm[VIGIL_COMM_LEN];
	__u32 kind;
	__s32 exit_status; /* raw wait status; 0 for execs */
};

struct process_summary {
	__u64 count;
	__u64 slots[VIGIL_PROCESS_SLOTS];
};

struct process_config {
	__u32 summary; /* 1: count in `summary`, send no events */
	__u32 pad;
};

struct file_open_key {
	__u32 prefixlen; /* bits, as BPF_MAP_TYPE_LPM_TRIE requires */
	char path[VIGIL_PATH_LEN];
};

struct file_open_rule {
	__u32 id;
	__u32 exact; /* 1: only the path itself, 0: the path and everything below it */
	__u32 len;   /* bytes of the watched path */
	__u32 pad;
};

/* 304 bytes */
struct file_open_event {
	__u64 ts_ns;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 rule_id;
	__s32 flags;
	__u32 syscall; /* 0 openat, 1 openat2, 2 open */
	char comm[VIGIL_COMM_LEN];
	char path[VIGIL_PATH_LEN];
};

enum tcp_event_kind { VIGIL_TCP_CONNECT = 1, VIGIL_TCP_ACCEPT = 2, VIGIL_TCP_CLOSE = 3, VIGIL_TCP_RETRANSMIT = 4 };

/* 104 bytes */
struct tcp_event {
	__u64 ts_ns;
	__u64 duration_ns; /* connect/accept: handshake latency; close: time since established */
	__u64 bytes_acked;    /* close: payload bytes sent and acknowledged */
	__u64 bytes_received; /* close: payload bytes received */
	__u32 kind;
	__u32 pid;
	__u32 retransmits;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u16 oldstate;
	__u16 newstate;
	__u16 pad;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[VIGIL_COMM_LEN];
};

/* Summary mode of the TCP probe (summarizeTcp): per (kind, family) counters in a per-CPU array instead of
 * one ring record per event. Index: (kind - 1) * 2 + (family == AF_INET6). */
#define VIGIL_TCP_SLOTS 48 /* log2 slots of durations in ns */
struct tcp_summary {
	__u64 count;
	__u64 bytes_sent;     /* close: payload bytes sent and acknowledged */
	__u64 bytes_received; /* close: payload bytes received */
	__u64 slots[VIGIL_TCP_SLOTS]; /* connect/accept: handshake; close: lifetime (log2 ns) */
};

struct tcp_config {
	__u32 summary; /* 1: count in `summary`, send no events */
	__u32 filter_ports; /* 1: only connections with a local or remote port in `ports` */
};

struct syscall_key {
	__u32 tgid;
	__u32 id;
};

struct syscall_stats {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
	__u64 errors;
};

struct hist_key {
	__u32 id; /* block I/O: dev */
	__u32 slot;
};

/* Run-queue latency of one process: waits per log2 nanosecond slot. */
#define RUNQLAT_SLOTS 64
#define RUNQLAT_MAX_PROCESSES 8192
struct runqlat_hist {
	__u64 slots[RUNQLAT_SLOTS];
};

/* 72 bytes */
struct oom_event {
	__u64 ts_ns;
	__u64 total_vm_pages;
	__u64 anon_rss_pages;
	__u64 file_rss_pages;
	__u64 shmem_rss_pages;
	__u32 pid;
	__u32 uid;
	__s32 oom_score_adj;
	__u32 pad;
	char comm[VIGIL_COMM_LEN];
};

struct filter_config {
	__u32 tgid; /* 0: every process */
	__u32 pad;
};

struct stack_key {
	__u32 pid;
	__s32 user_stack_id;   /* negative: no user stack (kernel thread, or unwinding failed) */
	__s32 kernel_stack_id; /* negative: the sample hit user space */
	char comm[VIGIL_COMM_LEN];
};

/* HTTP capture (bpf/http.bpf.c). Every record starts with struct http_event. Data records (capture mode)
 * carry head_len bytes from the start of the syscall's buffer, then tail_len bytes
 * from its end; open records carry a struct http_conn_info; request records (HTTP/1.x parsed in the
 * kernel, sent only for a path not seen before or a sampled request) carry a struct http_request_info
 * whose path holds head_len bytes; HTTP/2 records (VIGIL_HTTP_H2) carry head_len bytes of frames. 56 bytes. */
#define VIGIL_HTTP_HEAD 1024   /* HTTP/1.x and undecided connections */
#define VIGIL_HTTP2_HEAD 65536 /* HTTP/2: many small frames share a transfer (libuv reads 64 KiB at a time); power of two (offsets are masked) */
#define VIGIL_HTTP_TAIL 256    /* power of two */
#define VIGIL_HTTP_PATH 128    /* request-target bytes hashed and reported by the in-kernel parser; power of two */
#define VIGIL_HTTP_SLOTS 32    /* log2 duration slots of an aggregate, in units of 1024 ns */
#define VIGIL_HTTP_QUEUE 4     /* requests of one connection awaiting their responses (pipelining); power of two */

/* VIGIL_HTTP_H2: the frames of one HTTP/2 transfer that user space needs, walked in the kernel and laid out as
 * an HTTP/2 frame sequence (head_len bytes, no tail): HEADERS, CONTINUATION and RST_STREAM frames whole, and
 * the 9-byte header (its length rewritten to 0) of a DATA frame from the server that ends its stream. A frame
 * may continue in the next record of the same direction. */
enum http_event_kind {
	VIGIL_HTTP_OPEN = 1,
	VIGIL_HTTP_DATA = 2,
	VIGIL_HTTP_CLOSE = 3,
	VIGIL_HTTP_REQUEST = 4,
	VIGIL_HTTP_H2 = 5,
	VIGIL_HTTP_H2_BLOCK = 6,
	VIGIL_HTTP_H2_CALL = 7,
};
enum http_role { VIGIL_HTTP_SERVER = 1, VIGIL_HTTP_CLIENT = 2 };
enum http_direction { VIGIL_HTTP_INGRESS = 0, VIGIL_HTTP_EGRESS = 1 };
/* Methods the in-kernel parser knows; 0 is any other (semconv `_OTHER`) or a response without its request. */
enum http_method {
	VIGIL_HTTP_OTHER = 0,
	VIGIL_HTTP_GET = 1,
	VIGIL_HTTP_POST = 2,
	VIGIL_HTTP_PUT = 3,
	VIGIL_HTTP_DELETE = 4,
	VIGIL_HTTP_HEAD_METHOD = 5,
	VIGIL_HTTP_PATCH = 6,
	VIGIL_HTTP_OPTIONS = 7,
	VIGIL_HTTP_CONNECT = 8,
	VIGIL_HTTP_TRACE = 9,
};

struct http_event {
	__u64 conn_id;  /* unique per traced connection while the probe runs */
	__u64 start_ns; /* data: syscall exit; request: the request's first read (server) or write (client); open/close: the event */
	__u64 end_ns;   /* data: syscall exit; request: exit of the transfer carrying the response's status line */
	__u32 kind;
	__u32 pid;
	__u32 len;      /* data: bytes the syscall transferred; close: HTTP/2 streams it may have left in h2_streams */
	__u32 head_len; /* data: head bytes; request: path bytes */
	__u16 tail_len;
	__u8 direction;
	__u8 role;
	__u16 family;
	__u16 lport;    /* host order */
	__u16 rport;    /* host order */
	__u16 pad[3];
};

/* Follows the header of an open record. 48 bytes. */
struct http_conn_info {
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[VIGIL_COMM_LEN];
};

/* Follows the header of a request record. 144 bytes. */
struct http_request_info {
	__u64 route; /* hash of the path (identifier segments folded), as in struct http_agg_key */
	__u16 status;
	__u8 method;  /* enum http_method */
	__u8 version; /* minor version of HTTP/1.x */
	__u32 pad;
	char path[VIGIL_HTTP_PATH];
};

/* Key of the in-kernel request aggregates: one per process, server port, side, method, status and path. */
struct http_agg_key {
	__u32 pid;
	__u16 port;   /* server port: local for the server side, remote for the client side */
	__u8 role;
	__u8 method;  /* enum http_method */
	__u16 status;
	__u8 version; /* minor version of HTTP/1.x */
	__u8 pad[3];
	__u64 route;  /* hash of the path; 0: unknown (the response's request was not seen) */
};

/* Value of the aggregates, updated with atomic adds: requests, their total duration, and a log2
 * histogram of durations (slot s counts durations d with 2^s <= d / 1024 ns < 2^(s+1); slot 0 also d < 1024). */
struct http_agg_value {
	__u64 count;
	__u64 sum_ns;
	__u64 slots[VIGIL_HTTP_SLOTS];
};

/* gRPC (HTTP/2) calls counted in the kernel. Every header block of a traced HTTP/2 connection is keyed by
 * (connection, direction, HPACK table version, a hash of its bytes by 8-byte words): the direction's version moves on
 * with every block that inserts into the dynamic table or resizes it (the kernel tells by walking the
 * block's field representations, without Huffman decoding), so a block that does neither decodes to the
 * same fields every time it recurs at that version. User space decodes a block the first time it is seen at
 * a version and names it with a label (a small id of the facts the series need: method and path, :status,
 * grpc-status); from then on the kernel pairs each stream's request, response and trailer blocks by label
 * and counts the call in h2 aggregates, and nothing reaches user space. */
#define VIGIL_H2_BLOCK 512 /* header blocks up to this size, in one frame and one buffer segment, are hashed here; power of two */

/* VIGIL_HTTP_H2_BLOCK: follows the header; head_len bytes of the block follow it. 24 bytes. */
struct h2_block_info {
	__u64 hash;      /* of the block's bytes, by 8-byte words (only keys blocks that recur byte for byte) */
	__u32 version;   /* the direction's table version before the block */
	__u32 stream_id;
	__u8 flags;      /* the HEADERS frame's flags */
	__u8 from_server;
	__u8 changes;    /* 1: the block changes the dynamic table; the direction's version is now version + 1 */
	__u8 pad[5];
};

/* A header block of a call: its label when user space has named it (0: not yet), else where to find it
 * among the blocks user space was sent (hash 0: a block sent as frames, the one that moved the version on
 * from `version`). 16 bytes. */
struct h2_ref {
	__u64 hash;
	__u32 version;
	__u32 label;
};

/* VIGIL_HTTP_H2_CALL: a call the kernel could not count by labels (a block not named yet), or a sample;
 * start_ns is the end of the transfer that carried its request headers, end_ns of the one that ended it. */
struct h2_call_info {
	__u32 stream_id;
	__u8 parts; /* bit 0: request headers, bit 1: response headers, bit 2: trailers */
	__u8 pad[3];
	struct h2_ref part[3];
};

/* Key of the in-kernel gRPC call aggregates (values: struct http_agg_value). */
struct h2_agg_key {
	__u32 pid;
	__u16 port; /* server port */
	__u8 role;
	__u8 pad;
	__u32 label[3]; /* request, response headers, trailers (0: absent) */
};

/* Key of the labels user space gives header blocks (values: __u32 label; 0: sent, not named yet). */
struct h2_label_key {
	__u64 conn_id;
	__u64 hash;
	__u32 version;
	__u8 from_server;
	__u8 pad[3];
};

/* Key of the HTTP/2 streams the kernel keeps in its h2_streams map when more are open on a connection
 * than its slots hold (user space deletes those of a closed connection). */
struct h2_stream_key {
	__u64 conn_id;
	__u32 stream_id;
	__u32 pad;
};

/* Which connections the HTTP probe captures and how. */
struct http_config {
	__u32 filter_pids;  /* 1: only processes in `pids` */
	__u32 filter_ports; /* 1: only connections whose server port is in `ports` */
	__u32 roles;        /* bit 1: server side (accepted), bit 2: client side (connected) */
	__u32 capture;      /* 1: copy every HTTP/1.x transfer for user space (events mode); 0: parse it here */
	__u32 sample_every; /* in-kernel parsing: also report every Nth request (0: only requests of new paths) */
	__u32 pad;
};

struct stress_event {
	__u64 seq;
	__u64 ts_ns;
};

#endif
