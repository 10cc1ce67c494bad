/*
 * bench/bench.h - the harness every bus benchmark peer shares (bench-zmq, bench-nats,
 * bench-exo): one command line, one payload format, one way to count and time, one output
 * format, so that the three transports are measured exactly alike. run-bus-bench.sh starts
 * the peers and reads their output.
 *
 * Payload: exactly --size bytes of JSON, `[SEQ,"xxx..."]`, identical on every transport; the
 * receiver reads SEQ to tell warm-up messages (SEQ < --warmup) from measured ones, so losses
 * never shift the window.
 *
 * Output (stdout, one line each, flushed):
 *   ready [KEY=VALUE ...]                         set up; the driver may start the next peer
 *   result recv count=N warm=N bad=N first_ns=T last_ns=T
 *   result send count=N start_ns=T end_ns=T
 *   result req count=N failed=N p50_ns=T p90_ns=T p99_ns=T max_ns=T mean_ns=T
 * Times are CLOCK_MONOTONIC nanoseconds, comparable between processes on one machine.
 *
 * Threading: the harness is single-threaded; peers call it from their main thread only.
 */
#ifndef EXO_BENCH_BENCH_H
#define EXO_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum bb_mode {
    BB_SEND,    /* send warmup+count messages as fast as the transport lets us */
    BB_RECV,    /* count messages until count measured ones, idle timeout or deadline */
    BB_ECHO,    /* answer every request with its own payload until stopped */
    BB_REQ,     /* warmup+count sequential requests; report round-trip percentiles */
    BB_IDLE     /* open --conns connections, report ready, hold them until stopped */
} bb_mode_t;

typedef struct bb_opts {
    bb_mode_t mode;
    const char *endpoint;   /* where to connect or bind (transport-specific) */
    const char *subject;    /* message name / subject */
    const char *role;       /* exo role to register as (bench-exo) */
    long count;             /* measured messages / requests */
    long warmup;            /* messages / requests sent first and excluded from timing */
    size_t size;            /* payload bytes */
    long conns;             /* idle: connections to open; zmq fan-out: subscribers to await */
    int idle_ms;            /* recv: stop this long after the last message */
    int deadline_ms;        /* every mode: hard stop after this long */
    int timeout_ms;         /* req: give up on one request after this long */
    long rate;              /* send: messages per second, paced; 0 = as fast as possible
                             * (bench-exo only: the dashboard benchmark's steady load) */
} bb_opts_t;

#define BB_MIN_SIZE 24
#define BB_MAX_SIZE (1024 * 1024)

/** Parse the shared command line: MODE [--endpoint E] [--subject S] [--role R] [--count N]
 *  [--warmup N] [--size B] [--conns N] [--idle-ms MS] [--deadline-ms MS] [--timeout-ms MS]
 *  [--rate N].
 *  Prints the problem and returns -1 on bad input. */
int bb_parse(int argc, char **argv, bb_opts_t *o);

int64_t bb_now_ns(void);

/** True once the run has lasted longer than --deadline-ms or a stop signal arrived. */
bool bb_should_stop(const bb_opts_t *o);

/** Install SIGTERM/SIGINT handlers that make bb_should_stop() true, and start the clock. */
void bb_start(const bb_opts_t *o);

/** Fill @p buf with exactly @p size bytes of payload for @p seq (no NUL). */
void bb_payload(char *buf, size_t size, long seq);
/** SEQ of a payload, or -1 when it is not one of ours. */
long bb_payload_seq(const char *buf, size_t len);

typedef struct bb_recv {
    long expect, warmup;
    long count, warm, bad;
    int64_t first, last;
} bb_recv_t;

void bb_recv_init(bb_recv_t *r, const bb_opts_t *o);
/** Account one received payload (len bytes, seq from bb_payload_seq). True when all the
 *  measured messages have arrived. */
bool bb_recv_note(bb_recv_t *r, long seq, size_t len, size_t want_len);
void bb_recv_report(const bb_recv_t *r);

typedef struct bb_rtt {
    int64_t *v;
    long n, cap, failed;
} bb_rtt_t;

void bb_rtt_init(bb_rtt_t *t, long cap);
void bb_rtt_add(bb_rtt_t *t, int64_t ns);
/** Print the `result req` line and free the samples. */
void bb_rtt_report(bb_rtt_t *t);

void bb_send_report(long count, int64_t start, int64_t end);

/** With --rate: wait until message @p seq of a send that began at @p start is due (sleeps
 *  in steps of at least 1 ms, so messages leave in small bursts); nothing without. */
void bb_pace(const bb_opts_t *o, int64_t start, long seq);

/** Print `ready` plus optional text, and flush. */
void bb_ready(const char *extra);

/** Print a fatal error naming the peer and exit 2. */
void bb_die(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3),
                                                                   noreturn));

#endif /* EXO_BENCH_BENCH_H */
