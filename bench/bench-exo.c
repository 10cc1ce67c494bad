/*
 * bench/bench-exo.c - the exo side of the bus benchmark: the same workloads as bench-zmq and
 * bench-nats, through the real SDK (libexoservice, exo/service.h) and a real broker.
 * --endpoint is the broker's service endpoint, --role the role this peer registers as (it
 * must exist in the app the broker routes for; run-bus-bench.sh generates that app).
 *   recv: count messages named --subject
 *   send: send warmup+count messages named --subject (exo_svc_send_raw), print the result,
 *         then keep the connection until SIGTERM or the deadline: the SDK closes with a short
 *         linger, so leaving early could drop messages still queued for the broker
 *   echo: answer every --subject with bench.rep carrying the same payload (exo_svc_reply_raw)
 *   req:  exo_svc_request(--subject) round trips; the SDK's request takes a json_t, so the
 *         payload is parsed before the clock starts and serialised by the SDK inside it
 *   idle: --conns services, registered as roles --role-1 .. --role-N, kept alive (pings)
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <exo/service.h>

static const char *who = "bench-exo";

static exo_svc_t *connect_as(const bb_opts_t *o, const char *role)
{
    exo_svc_options_t so = {
        .size = sizeof so, .role = role, .endpoint = o->endpoint, .label = "bench",
        .quiet = true, .wait_ms = 10000,
    };
    exo_error_t err = {0};
    exo_svc_t *svc = exo_svc_connect(&so, &err);
    if (svc == NULL) {
        bb_die(who, "%s", err.message);
    }
    return svc;
}

typedef struct recv_state {
    const bb_opts_t *o;
    bb_recv_t r;
    bool done;
    int64_t last_any;
} recv_state_t;

static void on_bench_msg(exo_svc_t *svc, const exo_svc_msg_t *msg, void *arg)
{
    recv_state_t *st = arg;
    (void)svc;
    if (st->done) {
        return;
    }
    size_t len = msg->payload ? msg->payload_len : 0;
    long seq = msg->payload ? bb_payload_seq(msg->payload, len) : -1;
    st->done = bb_recv_note(&st->r, seq, len, st->o->size);
}

static int do_recv(const bb_opts_t *o)
{
    exo_svc_t *svc = connect_as(o, o->role);
    recv_state_t st = {.o = o};
    bb_recv_init(&st.r, o);
    exo_svc_on(svc, o->subject, on_bench_msg, &st);
    bb_ready(NULL);
    while (!st.done && !bb_should_stop(o)) {
        int n = exo_svc_poll(svc, 100);
        if (n < 0) {
            bb_die(who, "the bus socket failed");
        }
        if (n > 0) {
            st.last_any = bb_now_ns();
        } else if (st.last_any && bb_now_ns() - st.last_any > (int64_t)o->idle_ms * 1000000) {
            break;
        }
    }
    bb_recv_report(&st.r);
    exo_svc_close(&svc);
    return 0;
}

static int do_send(const bb_opts_t *o)
{
    exo_svc_t *svc = connect_as(o, o->role);
    bb_ready(NULL);
    char *buf = malloc(o->size);
    long total = o->warmup + o->count, sent = 0;
    exo_error_t err = {0};
    int64_t start = bb_now_ns();
    for (long seq = 0; seq < total && !bb_should_stop(o); seq++) {
        bb_pace(o, start, seq);
        bb_payload(buf, o->size, seq);
        if (exo_svc_send_raw(svc, o->subject, buf, o->size, &err) < 0) {
            bb_die(who, "%s", err.message);
        }
        sent++;
    }
    int64_t end = bb_now_ns();
    free(buf);
    bb_send_report(sent, start, end);
    while (!bb_should_stop(o)) {
        if (exo_svc_poll(svc, 100) < 0) {
            break;
        }
    }
    exo_svc_close(&svc);
    return 0;
}

static void on_request(exo_svc_t *svc, const exo_svc_msg_t *msg, void *arg)
{
    (void)arg;
    exo_svc_reply_raw(svc, msg, "bench.rep", msg->payload, msg->payload_len, NULL);
}

static int do_echo(const bb_opts_t *o)
{
    exo_svc_t *svc = connect_as(o, o->role);
    exo_svc_on(svc, o->subject, on_request, NULL);
    bb_ready(NULL);
    while (!bb_should_stop(o)) {
        if (exo_svc_poll(svc, 100) < 0) {
            bb_die(who, "the bus socket failed");
        }
    }
    exo_svc_close(&svc);
    return 0;
}

static int do_req(const bb_opts_t *o)
{
    exo_svc_t *svc = connect_as(o, o->role);
    bb_ready(NULL);
    bb_rtt_t rtt;
    bb_rtt_init(&rtt, o->count);
    char *buf = malloc(o->size);
    long total = o->warmup + o->count;
    for (long seq = 0; seq < total && !bb_should_stop(o); seq++) {
        bb_payload(buf, o->size, seq);
        json_t *payload = json_loadb(buf, o->size, 0, NULL);
        exo_svc_msg_t *reply = NULL;
        exo_error_t err = {0};
        int64_t t0 = bb_now_ns();
        int rc = exo_svc_request(svc, o->subject, payload, (unsigned)o->timeout_ms, &reply,
                                 &err);
        int64_t t1 = bb_now_ns();
        bool ok = rc == 0 && reply->payload && reply->payload_len == o->size &&
                  bb_payload_seq(reply->payload, reply->payload_len) == seq;
        exo_svc_msg_free(reply);
        json_decref(payload);
        if (seq < o->warmup) {
            continue;
        }
        if (ok) {
            bb_rtt_add(&rtt, t1 - t0);
        } else {
            rtt.failed++;
        }
    }
    free(buf);
    bb_rtt_report(&rtt);
    exo_svc_close(&svc);
    return 0;
}

static int do_idle(const bb_opts_t *o)
{
    exo_svc_t **svc = calloc((size_t)o->conns, sizeof *svc);
    for (long i = 0; i < o->conns; i++) {
        char role[128];
        snprintf(role, sizeof role, "%s-%ld", o->role, i + 1);
        svc[i] = connect_as(o, role);
    }
    char line[64];
    snprintf(line, sizeof line, "conns=%ld", o->conns);
    bb_ready(line);
    /* Poll every connection often enough that each pings the broker once a second. */
    while (!bb_should_stop(o)) {
        for (long i = 0; i < o->conns; i++) {
            exo_svc_poll(svc[i], 0);
        }
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    for (long i = 0; i < o->conns; i++) {
        exo_svc_close(&svc[i]);
    }
    free(svc);
    return 0;
}

int main(int argc, char **argv)
{
    bb_opts_t o;
    if (bb_parse(argc, argv, &o) < 0) {
        return 1;
    }
    if (o.endpoint == NULL) {
        fprintf(stderr, "%s: --endpoint tcp://HOST:PORT (the broker's) is required\n", who);
        return 1;
    }
    bb_start(&o);
    switch (o.mode) {
    case BB_RECV:
        return do_recv(&o);
    case BB_SEND:
        return do_send(&o);
    case BB_ECHO:
        return do_echo(&o);
    case BB_REQ:
        return do_req(&o);
    default:
        return do_idle(&o);
    }
}
