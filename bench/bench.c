/*
 * bench/bench.c - shared harness of the bus benchmark peers (see bench.h).
 */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested;
static int64_t started_ns;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void bb_die(const char *who, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", who);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

int64_t bb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void bb_start(const bb_opts_t *o)
{
    (void)o;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    started_ns = bb_now_ns();
}

bool bb_should_stop(const bb_opts_t *o)
{
    return stop_requested || bb_now_ns() - started_ns > (int64_t)o->deadline_ms * 1000000;
}

static int parse_long(const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "bench: %s wants an integer in [%ld, %ld], got '%s'\n", opt, min, max,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

int bb_parse(int argc, char **argv, bb_opts_t *o)
{
    static const struct {
        const char *name;
        bb_mode_t mode;
    } modes[] = {
        {"send", BB_SEND}, {"recv", BB_RECV}, {"echo", BB_ECHO}, {"req", BB_REQ},
        {"idle", BB_IDLE},
    };
    memset(o, 0, sizeof *o);
    o->subject = "bench.msg";
    o->role = "bench";
    o->count = 100000;
    o->warmup = 10000;
    o->size = 100;
    o->conns = 1;
    o->idle_ms = 2000;
    o->deadline_ms = 60000;
    o->timeout_ms = 2000;

    if (argc < 2) {
        fprintf(stderr, "usage: %s send|recv|echo|req|idle [options] (see bench/bench.h)\n",
                argv[0]);
        return -1;
    }
    size_t i;
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(argv[1], modes[i].name) == 0) {
            o->mode = modes[i].mode;
            break;
        }
    }
    if (i == sizeof modes / sizeof modes[0]) {
        fprintf(stderr, "bench: unknown mode '%s'; use send, recv, echo, req or idle\n",
                argv[1]);
        return -1;
    }
    for (int a = 2; a < argc; a++) {
        const char *opt = argv[a];
        if (a + 1 >= argc) {
            fprintf(stderr, "bench: %s needs a value\n", opt);
            return -1;
        }
        const char *val = argv[++a];
        long v = 0;
        int rc = 0;
        if (strcmp(opt, "--endpoint") == 0) {
            o->endpoint = val;
        } else if (strcmp(opt, "--subject") == 0) {
            o->subject = val;
        } else if (strcmp(opt, "--role") == 0) {
            o->role = val;
        } else if (strcmp(opt, "--count") == 0) {
            rc = parse_long(opt, val, 1, 100000000, &o->count);
        } else if (strcmp(opt, "--warmup") == 0) {
            rc = parse_long(opt, val, 0, 100000000, &o->warmup);
        } else if (strcmp(opt, "--size") == 0) {
            rc = parse_long(opt, val, BB_MIN_SIZE, BB_MAX_SIZE, &v);
            o->size = (size_t)v;
        } else if (strcmp(opt, "--conns") == 0) {
            rc = parse_long(opt, val, 1, 10000, &o->conns);
        } else if (strcmp(opt, "--idle-ms") == 0) {
            rc = parse_long(opt, val, 1, 3600000, &v);
            o->idle_ms = (int)v;
        } else if (strcmp(opt, "--deadline-ms") == 0) {
            rc = parse_long(opt, val, 1, 3600000, &v);
            o->deadline_ms = (int)v;
        } else if (strcmp(opt, "--rate") == 0) {
            rc = parse_long(opt, val, 1, 100000000, &o->rate);
        } else if (strcmp(opt, "--timeout-ms") == 0) {
            rc = parse_long(opt, val, 1, 3600000, &v);
            o->timeout_ms = (int)v;
        } else {
            fprintf(stderr, "bench: unknown option '%s'\n", opt);
            return -1;
        }
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

void bb_payload(char *buf, size_t size, long seq)
{
    char head[32];
    int n = snprintf(head, sizeof head, "[%ld,\"", seq);
    memcpy(buf, head, (size_t)n);
    memset(buf + n, 'x', size - (size_t)n - 2);
    buf[size - 2] = '"';
    buf[size - 1] = ']';
}

long bb_payload_seq(const char *buf, size_t len)
{
    if (len < 3 || buf[0] != '[') {
        return -1;
    }
    long seq = 0;
    size_t i = 1;
    for (; i < len && i < 20 && buf[i] >= '0' && buf[i] <= '9'; i++) {
        seq = seq * 10 + (buf[i] - '0');
    }
    if (i == 1 || i >= len || buf[i] != ',') {
        return -1;
    }
    return seq;
}

void bb_recv_init(bb_recv_t *r, const bb_opts_t *o)
{
    memset(r, 0, sizeof *r);
    r->expect = o->count;
    r->warmup = o->warmup;
}

bool bb_recv_note(bb_recv_t *r, long seq, size_t len, size_t want_len)
{
    if (seq < 0 || len != want_len) {
        r->bad++;
        return false;
    }
    if (seq < r->warmup) {
        r->warm++;
        return false;
    }
    int64_t now = bb_now_ns();
    if (r->count == 0) {
        r->first = now;
    }
    r->last = now;
    r->count++;
    return r->count >= r->expect;
}

void bb_recv_report(const bb_recv_t *r)
{
    printf("result recv count=%ld warm=%ld bad=%ld first_ns=%lld last_ns=%lld\n", r->count,
           r->warm, r->bad, (long long)r->first, (long long)r->last);
    fflush(stdout);
}

void bb_rtt_init(bb_rtt_t *t, long cap)
{
    memset(t, 0, sizeof *t);
    t->cap = cap > 0 ? cap : 1;
    t->v = malloc((size_t)t->cap * sizeof *t->v);
    if (t->v == NULL) {
        bb_die("bench", "out of memory for %ld samples", cap);
    }
}

void bb_rtt_add(bb_rtt_t *t, int64_t ns)
{
    if (t->n < t->cap) {
        t->v[t->n++] = ns;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile: the smallest sample with at least p% of samples at or below it. */
static int64_t percentile(const int64_t *v, long n, double p)
{
    if (n == 0) {
        return 0;
    }
    long rank = (long)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1) {
        rank = 1;
    }
    if (rank > n) {
        rank = n;
    }
    return v[rank - 1];
}

void bb_rtt_report(bb_rtt_t *t)
{
    qsort(t->v, (size_t)t->n, sizeof *t->v, cmp_i64);
    double sum = 0;
    for (long i = 0; i < t->n; i++) {
        sum += (double)t->v[i];
    }
    printf("result req count=%ld failed=%ld p50_ns=%lld p90_ns=%lld p99_ns=%lld max_ns=%lld "
           "mean_ns=%.0f\n", t->n, t->failed, (long long)percentile(t->v, t->n, 50),
           (long long)percentile(t->v, t->n, 90), (long long)percentile(t->v, t->n, 99),
           (long long)(t->n ? t->v[t->n - 1] : 0), t->n ? sum / (double)t->n : 0.0);
    fflush(stdout);
    free(t->v);
    t->v = NULL;
}

void bb_pace(const bb_opts_t *o, int64_t start, long seq)
{
    if (o->rate <= 0) {
        return;
    }
    int64_t due = start + (int64_t)((double)seq * 1e9 / (double)o->rate);
    int64_t ahead = due - bb_now_ns();
    if (ahead >= 1000000) {
        struct timespec ts = {.tv_sec = ahead / 1000000000, .tv_nsec = ahead % 1000000000};
        nanosleep(&ts, NULL);
    }
}

void bb_send_report(long count, int64_t start, int64_t end)
{
    printf("result send count=%ld start_ns=%lld end_ns=%lld\n", count, (long long)start,
           (long long)end);
    fflush(stdout);
}

void bb_ready(const char *extra)
{
    printf("ready%s%s\n", extra ? " " : "", extra ? extra : "");
    fflush(stdout);
}
