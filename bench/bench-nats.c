/*
 * bench/bench-nats.c - the peer of the bus benchmark: the same workloads through nats-server
 * with its C client libnats, in the same topology as the exo bus (sender process -> server ->
 * receiver processes). --endpoint is the server's URL (nats://127.0.0.1:PORT).
 *   recv: plain subscription on --subject (every receiver gets a copy: fan-out)
 *   send: publish warmup+count messages on --subject, then flush
 *   echo / req: request/reply on --subject; both ends send as soon as they can
 *               (natsOptions_SetSendAsap), otherwise the client batches writes and round trips
 *               measure the batching delay, not the server
 *   idle: --conns connections with one subscription each, held until stopped
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nats/nats.h>

static const char *who = "bench-nats";

static void check(natsStatus s, const char *what)
{
    if (s != NATS_OK) {
        bb_die(who, "%s: %s", what, natsStatus_GetText(s));
    }
}

static natsConnection *connect_to(const bb_opts_t *o, bool send_asap)
{
    natsOptions *opts = NULL;
    natsConnection *nc = NULL;
    check(natsOptions_Create(&opts), "natsOptions_Create");
    check(natsOptions_SetURL(opts, o->endpoint), "natsOptions_SetURL");
    check(natsOptions_SetSendAsap(opts, send_asap), "natsOptions_SetSendAsap");
    /* Our receivers must count every message the server delivers, not drop in the client. */
    check(natsOptions_SetMaxPendingMsgs(opts, 10 * 1000 * 1000), "SetMaxPendingMsgs");
    natsStatus s = natsConnection_Connect(&nc, opts);
    natsOptions_Destroy(opts);
    if (s != NATS_OK) {
        bb_die(who, "cannot connect to %s: %s", o->endpoint, natsStatus_GetText(s));
    }
    return nc;
}

static int do_recv(const bb_opts_t *o)
{
    natsConnection *nc = connect_to(o, false);
    natsSubscription *sub = NULL;
    check(natsConnection_SubscribeSync(&sub, nc, o->subject), "subscribe");
    check(natsSubscription_SetPendingLimits(sub, -1, -1), "SetPendingLimits");
    /* After the flush the server knows the subscription: nothing sent later is missed. */
    check(natsConnection_Flush(nc), "flush");
    bb_ready(NULL);

    bb_recv_t r;
    bb_recv_init(&r, o);
    int64_t last_any = 0;
    bool done = false;
    while (!done && !bb_should_stop(o)) {
        natsMsg *m = NULL;
        natsStatus s = natsSubscription_NextMsg(&m, sub, 100);
        if (s == NATS_TIMEOUT) {
            if (last_any && bb_now_ns() - last_any > (int64_t)o->idle_ms * 1000000) {
                break;
            }
            continue;
        }
        if (s != NATS_OK) {
            /* NATS_SLOW_CONSUMER reports drops; keep counting what does arrive. */
            continue;
        }
        size_t len = (size_t)natsMsg_GetDataLength(m);
        done = bb_recv_note(&r, bb_payload_seq(natsMsg_GetData(m), len), len, o->size);
        natsMsg_Destroy(m);
        last_any = bb_now_ns();
    }
    bb_recv_report(&r);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    return 0;
}

static int do_send(const bb_opts_t *o)
{
    natsConnection *nc = connect_to(o, false);
    bb_ready(NULL);
    char *buf = malloc(o->size);
    long total = o->warmup + o->count, sent = 0;
    int64_t start = bb_now_ns();
    for (long seq = 0; seq < total && !bb_should_stop(o); seq++) {
        bb_payload(buf, o->size, seq);
        check(natsConnection_Publish(nc, o->subject, buf, (int)o->size), "publish");
        sent++;
    }
    check(natsConnection_FlushTimeout(nc, 30000), "flush");
    int64_t end = bb_now_ns();
    free(buf);
    bb_send_report(sent, start, end);
    natsConnection_Destroy(nc);
    return 0;
}

static int do_echo(const bb_opts_t *o)
{
    natsConnection *nc = connect_to(o, true);
    natsSubscription *sub = NULL;
    check(natsConnection_SubscribeSync(&sub, nc, o->subject), "subscribe");
    check(natsConnection_Flush(nc), "flush");
    bb_ready(NULL);
    while (!bb_should_stop(o)) {
        natsMsg *m = NULL;
        if (natsSubscription_NextMsg(&m, sub, 100) != NATS_OK) {
            continue;
        }
        const char *reply = natsMsg_GetReply(m);
        if (reply) {
            natsConnection_Publish(nc, reply, natsMsg_GetData(m), natsMsg_GetDataLength(m));
        }
        natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    return 0;
}

static int do_req(const bb_opts_t *o)
{
    natsConnection *nc = connect_to(o, true);
    bb_ready(NULL);
    bb_rtt_t rtt;
    bb_rtt_init(&rtt, o->count);
    char *buf = malloc(o->size);
    long total = o->warmup + o->count;
    for (long seq = 0; seq < total && !bb_should_stop(o); seq++) {
        bb_payload(buf, o->size, seq);
        natsMsg *m = NULL;
        int64_t t0 = bb_now_ns();
        natsStatus s = natsConnection_Request(&m, nc, o->subject, buf, (int)o->size,
                                              o->timeout_ms);
        int64_t t1 = bb_now_ns();
        bool ok = s == NATS_OK && (size_t)natsMsg_GetDataLength(m) == o->size &&
                  bb_payload_seq(natsMsg_GetData(m), o->size) == seq;
        natsMsg_Destroy(m);
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
    natsConnection_Destroy(nc);
    return 0;
}

static int do_idle(const bb_opts_t *o)
{
    natsConnection **nc = calloc((size_t)o->conns, sizeof *nc);
    natsSubscription **sub = calloc((size_t)o->conns, sizeof *sub);
    for (long i = 0; i < o->conns; i++) {
        char subject[64];
        snprintf(subject, sizeof subject, "%s.%ld", o->subject, i);
        nc[i] = connect_to(o, false);
        check(natsConnection_SubscribeSync(&sub[i], nc[i], subject), "subscribe");
        check(natsConnection_Flush(nc[i]), "flush");
    }
    char line[64];
    snprintf(line, sizeof line, "conns=%ld", o->conns);
    bb_ready(line);
    while (!bb_should_stop(o)) {
        usleep(50000);
    }
    for (long i = 0; i < o->conns; i++) {
        natsSubscription_Destroy(sub[i]);
        natsConnection_Destroy(nc[i]);
    }
    free(sub);
    free(nc);
    return 0;
}

int main(int argc, char **argv)
{
    bb_opts_t o;
    if (bb_parse(argc, argv, &o) < 0) {
        return 1;
    }
    if (o.endpoint == NULL) {
        fprintf(stderr, "%s: --endpoint nats://HOST:PORT is required\n", who);
        return 1;
    }
    bb_start(&o);
    int rc;
    switch (o.mode) {
    case BB_RECV:
        rc = do_recv(&o);
        break;
    case BB_SEND:
        rc = do_send(&o);
        break;
    case BB_ECHO:
        rc = do_echo(&o);
        break;
    case BB_REQ:
        rc = do_req(&o);
        break;
    default:
        rc = do_idle(&o);
        break;
    }
    nats_Close();
    return rc;
}
