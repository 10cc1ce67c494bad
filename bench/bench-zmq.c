/*
 * bench/bench-zmq.c - the ceiling of the bus benchmark: ZeroMQ directly between the peers,
 * no broker. Whoever gets no --endpoint binds tcp://127.0.0.1:* and prints the endpoint in its
 * ready line; the other side connects to it.
 *   recv (bind, PULL)  <- send --endpoint E (PUSH)      point to point throughput
 *   send (bind, XPUB)  -> recv --endpoint E (SUB) x K   fan-out; the sender waits for --conns
 *                                                       subscriptions before it starts
 *   echo (bind, REP)   <- req --endpoint E (REQ)        round trips
 * idle has no meaning without a broker and is refused.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

static const char *who = "bench-zmq";

static void *open_socket(void *ctx, int type, const bb_opts_t *o, char *endpoint, size_t cap)
{
    void *s = zmq_socket(ctx, type);
    if (s == NULL) {
        bb_die(who, "zmq_socket: %s", zmq_strerror(zmq_errno()));
    }
    /* Only a sender has queued messages worth waiting for when it closes. */
    int linger = (type == ZMQ_PUSH || type == ZMQ_XPUB) ? 10000 : 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (type == ZMQ_XPUB || type == ZMQ_SUB) {
        /* PUB/SUB drops at the high-water mark; the count is bounded, so let it queue. */
        int hwm = 0;
        zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
        zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    }
    if (o->endpoint) {
        if (zmq_connect(s, o->endpoint) != 0) {
            bb_die(who, "cannot connect to %s: %s", o->endpoint, zmq_strerror(zmq_errno()));
        }
        snprintf(endpoint, cap, "%s", o->endpoint);
    } else {
        if (zmq_bind(s, "tcp://127.0.0.1:*") != 0) {
            bb_die(who, "cannot bind tcp://127.0.0.1:*: %s", zmq_strerror(zmq_errno()));
        }
        size_t len = cap;
        zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &len);
    }
    return s;
}

static void ready_with(const char *endpoint)
{
    char line[300];
    snprintf(line, sizeof line, "endpoint=%s", endpoint);
    bb_ready(line);
}

static int do_recv(void *ctx, const bb_opts_t *o)
{
    char ep[256];
    int type = o->endpoint ? ZMQ_SUB : ZMQ_PULL;
    void *s = open_socket(ctx, type, o, ep, sizeof ep);
    if (type == ZMQ_SUB) {
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    }
    ready_with(ep);

    bb_recv_t r;
    bb_recv_init(&r, o);
    int64_t last_any = 0;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    bool done = false;
    while (!done && !bb_should_stop(o)) {
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0) {
            if (last_any && bb_now_ns() - last_any > (int64_t)o->idle_ms * 1000000) {
                break;
            }
            continue;
        }
        while (!done && zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) >= 0) {
            const char *data = zmq_msg_data(&msg);
            size_t len = zmq_msg_size(&msg);
            done = bb_recv_note(&r, bb_payload_seq(data, len), len, o->size);
        }
        last_any = bb_now_ns();
    }
    zmq_msg_close(&msg);
    bb_recv_report(&r);
    zmq_close(s);
    return 0;
}

/* XPUB tells the publisher about each subscription, so the sender can wait until every
 * receiver is attached instead of losing the first messages to a slow joiner. */
static int await_subscribers(void *s, const bb_opts_t *o)
{
    long seen = 0;
    char buf[64];
    while (seen < o->conns && !bb_should_stop(o)) {
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0) {
            continue;
        }
        int n = zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT);
        if (n > 0 && buf[0] == 1) {
            seen++;
        }
    }
    return seen == o->conns ? 0 : -1;
}

static int do_send(void *ctx, const bb_opts_t *o)
{
    char ep[256];
    int type = o->endpoint ? ZMQ_PUSH : ZMQ_XPUB;
    void *s = open_socket(ctx, type, o, ep, sizeof ep);
    if (type == ZMQ_XPUB) {
        int verbose = 1; /* report every subscriber, not only the first to subscribe "" */
        zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, &verbose, sizeof verbose);
    }
    ready_with(ep);
    if (type == ZMQ_XPUB && await_subscribers(s, o) < 0) {
        bb_die(who, "only some of the %ld subscribers arrived before the deadline", o->conns);
    }
    char *buf = malloc(o->size);
    long total = o->warmup + o->count, sent = 0;
    int64_t start = bb_now_ns();
    for (long seq = 0; seq < total; seq++) {
        bb_payload(buf, o->size, seq);
        if (zmq_send(s, buf, o->size, 0) < 0) {
            if (bb_should_stop(o)) {
                break;
            }
            bb_die(who, "zmq_send: %s", zmq_strerror(zmq_errno()));
        }
        sent++;
    }
    int64_t end = bb_now_ns();
    free(buf);
    zmq_close(s); /* lingers until the queue is delivered, at most 10 s */
    bb_send_report(sent, start, end);
    return 0;
}

static int do_echo(void *ctx, const bb_opts_t *o)
{
    char ep[256];
    void *s = open_socket(ctx, ZMQ_REP, o, ep, sizeof ep);
    ready_with(ep);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    while (!bb_should_stop(o)) {
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0) {
            continue;
        }
        if (zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) < 0) {
            continue;
        }
        zmq_msg_send(&msg, s, 0); /* the request's own bytes are the reply */
    }
    zmq_msg_close(&msg);
    zmq_close(s);
    return 0;
}

static int do_req(void *ctx, const bb_opts_t *o)
{
    char ep[256];
    void *s = open_socket(ctx, ZMQ_REQ, o, ep, sizeof ep);
    int relaxed = 1; /* a timed-out request must not wedge the REQ state machine */
    zmq_setsockopt(s, ZMQ_REQ_RELAXED, &relaxed, sizeof relaxed);
    zmq_setsockopt(s, ZMQ_REQ_CORRELATE, &relaxed, sizeof relaxed);
    ready_with(ep);
    bb_rtt_t rtt;
    bb_rtt_init(&rtt, o->count);
    char *buf = malloc(o->size);
    char *in = malloc(o->size + 1);
    long total = o->warmup + o->count;
    for (long seq = 0; seq < total && !bb_should_stop(o); seq++) {
        bb_payload(buf, o->size, seq);
        int64_t t0 = bb_now_ns();
        if (zmq_send(s, buf, o->size, 0) < 0) {
            bb_die(who, "zmq_send: %s", zmq_strerror(zmq_errno()));
        }
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        int n = -1;
        if (zmq_poll(&it, 1, o->timeout_ms) > 0) {
            n = zmq_recv(s, in, o->size + 1, ZMQ_DONTWAIT);
        }
        int64_t t1 = bb_now_ns();
        if (n != (int)o->size || bb_payload_seq(in, (size_t)n) != seq) {
            if (seq >= o->warmup) {
                rtt.failed++;
            }
            continue;
        }
        if (seq >= o->warmup) {
            bb_rtt_add(&rtt, t1 - t0);
        }
    }
    free(buf);
    free(in);
    bb_rtt_report(&rtt);
    zmq_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    bb_opts_t o;
    if (bb_parse(argc, argv, &o) < 0) {
        return 1;
    }
    if (o.mode == BB_IDLE) {
        fprintf(stderr, "%s: idle needs a broker; direct ZeroMQ has none\n", who);
        return 1;
    }
    bb_start(&o);
    void *ctx = zmq_ctx_new();
    int rc;
    switch (o.mode) {
    case BB_RECV:
        rc = do_recv(ctx, &o);
        break;
    case BB_SEND:
        rc = do_send(ctx, &o);
        break;
    case BB_ECHO:
        rc = do_echo(ctx, &o);
        break;
    default:
        rc = do_req(ctx, &o);
        break;
    }
    zmq_ctx_term(ctx);
    return rc;
}
