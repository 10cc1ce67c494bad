/*
 * cli_client.c - the exo CLI's side of the transport: one-shot send (exo send), tail and stats;
 * see cli_client.h. A signal interrupting a wait (EINTR) ends tail cleanly and fails send/stats,
 * so Ctrl-C never leaves a half-open socket behind.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "base/util.h"
#include "cli_client.h"
#include "wire.h"
#include "zframe.h"

#define SEND_ANSWER_MS 3000u

typedef struct conn {
    void *ctx, *sock;
} conn_t;

static int conn_open(conn_t *c, const char *endpoint, exo_error_t *err)
{
    c->ctx = zmq_ctx_new();
    c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
    if (endpoint == NULL || zmq_connect(c->sock, endpoint) != 0) {
        exo_error_set(err, EXO_ERR_INVALID, "cannot connect to the bus at '%s': %s",
                      endpoint ? endpoint : "(none)", zmq_strerror(errno));
        zmq_close(c->sock);
        zmq_ctx_term(c->ctx);
        return EXO_ERR_INVALID;
    }
    return 0;
}

static void conn_close(conn_t *c)
{
    zmq_close(c->sock);
    zmq_ctx_term(c->ctx);
}

/* Wait for one multipart (up to 2 frames kept) until @p deadline. 1 got one, 0 timeout,
 * -1 interrupted. */
static int recv_until(conn_t *c, zmq_msg_t f[2], int *n, unsigned long long deadline)
{
    for (;;) {
        unsigned long long now = exo_now_ms();
        if (now >= deadline) {
            return 0;
        }
        zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&it, 1, (long)(deadline - now));
        if (rc < 0) {
            return errno == EINTR ? -1 : 0;
        }
        bool overflow;
        if (rc > 0 && exo_zframe_recv(c->sock, f, 2, n, &overflow, ZMQ_DONTWAIT) == 0) {
            return 1;
        }
    }
}

/* ---- exo send ---- */

static json_t *loadn(const exo_wire_str_t *s)
{
    return s->len ? json_loadb(s->p, s->len, JSON_DECODE_ANY, NULL) : NULL;
}

static json_t *message_json(const exo_wire_head_t *h)
{
    json_t *auth = loadn(&h->f[EXO_WIRE_F_AUTH]);
    json_t *pl = loadn(&h->payload);
    return json_pack("{s:s%,s:s%,s:s%,s:s%,s:o,s:o}", "name", h->f[EXO_WIRE_F_NAME].p,
                     h->f[EXO_WIRE_F_NAME].len, "id", h->f[EXO_WIRE_F_ID].p,
                     h->f[EXO_WIRE_F_ID].len, "activity", h->f[EXO_WIRE_F_ACTIVITY].p,
                     h->f[EXO_WIRE_F_ACTIVITY].len, "sender", h->f[EXO_WIRE_F_SENDER].p,
                     h->f[EXO_WIRE_F_SENDER].len, "auth", auth ? auth : json_null(), "payload",
                     pl ? pl : json_null());
}

static bool field_is(const exo_wire_str_t *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->p, s, f->len) == 0;
}

/* An exo.error payload: fills err and returns < 0, or 0 when it is only a partial
 * no-receiver (some roles got the message). */
static int bus_error(const exo_host_t *host, const exo_wire_str_t *payload, exo_error_t *err)
{
    json_t *p = json_loadb(payload->p, payload->len, 0, NULL);
    const char *kind = json_string_value(json_object_get(p, "error"));
    const char *msg = json_string_value(json_object_get(p, "message"));
    json_int_t delivered = json_integer_value(json_object_get(p, "delivered"));
    int rc = EXO_ERR_INVALID;
    if (kind != NULL && strcmp(kind, "no-receiver") == 0 && delivered > 0) {
        if (host != NULL) {
            exo_log_warn(host, "%s", msg ? msg : "some roles had no receiver");
        }
        rc = 0;
    } else {
        rc = exo_error_set(err, kind && strcmp(kind, "no-receiver") == 0 ? EXO_ERR_UNAVAILABLE
                                                                          : EXO_ERR_INVALID,
                           "the bus refused the message (%s): %s", kind ? kind : "?",
                           msg ? msg : "no reason given");
    }
    json_decref(p);
    return rc;
}

/*
 * One send: register as a transient instance of the role, send the message and a ping once
 * registered; the pong says the broker has said all it will about the message (its errors come
 * first); with wait, then the first reply in the message's activity.
 */
typedef struct sending {
    const exo_host_t *host;
    const exo_bus_send_t *req;
    conn_t c;
    enum { REGISTERING, SENT, WAITING } state;
    unsigned long long deadline;
    char id[20], act[20];
    char *payload;
    json_t **reply;
    exo_error_t *err;
} sending_t;

static int send_register(sending_t *s)
{
    char label[64];
    snprintf(label, sizeof label, "exo send (pid %d)", (int)getpid());
    const char *token = EXO_HAS(s->req, exo_bus_send_t, token) ? s->req->token : NULL;
    exo_wire_head_t h = exo_wire_register(s->req->role, label, true, token);
    if (exo_zframe_send(s->c.sock, &h, 0) < 0) {
        return exo_error_set(s->err, EXO_ERR_IO, "cannot send to the bus: %s",
                             zmq_strerror(errno));
    }
    s->deadline = exo_now_ms() + SEND_ANSWER_MS;
    return 0;
}

static int send_message(sending_t *s)
{
    exo_wire_head_t m = exo_wire_message(s->req->name, s->id, s->act, NULL, s->payload,
                                         s->payload ? strlen(s->payload) : 0);
    exo_wire_head_t ping = {.type = EXO_WIRE_PING};
    if (exo_zframe_send(s->c.sock, &m, 0) < 0 || exo_zframe_send(s->c.sock, &ping, 0) < 0) {
        return exo_error_set(s->err, EXO_ERR_IO, "cannot send '%s': %s", s->req->name,
                             zmq_strerror(errno));
    }
    s->state = SENT;
    return 0;
}

/* Nothing came in time: what that means depends on how far the send got. */
static int silence_error(const sending_t *s)
{
    const exo_bus_send_t *req = s->req;
    switch (s->state) {
    case REGISTERING:
        return exo_error_set(s->err, EXO_ERR_UNAVAILABLE, "no broker answered at %s within "
                             "3 s; is 'exo run' or 'exo bus' still running?", req->endpoint);
    case SENT:
        return exo_error_set(s->err, EXO_ERR_UNAVAILABLE, "the broker at %s stopped answering",
                             req->endpoint);
    default:
        return exo_error_set(s->err, EXO_ERR_TIMEOUT, "no reply to '%s' within %u ms",
                             req->name, req->timeout_ms);
    }
}

/* One frame from the broker: 1 when the send is over, 0 to go on waiting, < 0 on failure. */
static int on_frame(sending_t *s, const exo_wire_head_t *in)
{
    bool in_activity = in->type == EXO_WIRE_MESSAGE && field_is(&in->f[EXO_WIRE_F_ACTIVITY],
                                                                 s->act);
    if (in->type == EXO_WIRE_REGISTERED && s->state == REGISTERING) {
        return send_message(s);
    }
    if (in->type == EXO_WIRE_PONG && s->state == SENT) {
        if (!s->req->wait) {
            return 1;
        }
        /* A fast reply can overtake the pong (the broker reads its peers in turn): it is
         * accepted in SENT as well as in WAITING. */
        s->state = WAITING;
        s->deadline = exo_now_ms() + s->req->timeout_ms;
        return 0;
    }
    if (in->type == EXO_WIRE_MESSAGE && field_is(&in->f[EXO_WIRE_F_NAME], EXO_WIRE_ERROR_NAME)) {
        bool ours = s->state == REGISTERING || in_activity;
        return ours ? bus_error(s->host, &in->payload, s->err) : 0;
    }
    if (in_activity && s->req->wait && s->state != REGISTERING) {
        if (s->reply != NULL) {
            *s->reply = message_json(in);
        }
        return 1;
    }
    return 0;
}

static int on_decoded(sending_t *s, const void *frame, size_t len)
{
    exo_wire_head_t in;
    return exo_wire_decode(frame, len, &in) == EXO_WIRE_OK ? on_frame(s, &in) : 0;
}

static int exchange(sending_t *s)
{
    int rc = send_register(s);
    while (rc == 0) {
        zmq_msg_t f[2];
        int n = 0;
        if (recv_until(&s->c, f, &n, s->deadline) <= 0) {
            return silence_error(s);
        }
        const void *data = n == 1 ? zmq_msg_data(&f[0]) : NULL;
        size_t len = n == 1 ? zmq_msg_size(&f[0]) : 0;
        if (data != NULL && exo_wire_is_batch(data, len)) {
            /* protocol 5: the broker's frames for us, several at once */
            size_t pos = 0, flen;
            const void *frame;
            while (rc == 0 && exo_wire_batch_next(data, len, &pos, &frame, &flen) == 1) {
                rc = on_decoded(s, frame, flen);
            }
        } else if (data != NULL) {
            rc = on_decoded(s, data, len);
        }
        exo_zframe_close(f, n);
    }
    return rc < 0 ? rc : 0;
}

int exo_zclient_send(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                     exo_error_t *err)
{
    if (reply != NULL) {
        *reply = NULL;
    }
    sending_t s = {.host = host, .req = req, .state = REGISTERING, .reply = reply, .err = err};
    int rc = conn_open(&s.c, req->endpoint, err);
    if (rc < 0) {
        return rc;
    }
    exo_random_hex(s.id, 8); /* unique is enough: the fallback of a failed getrandom will do */
    exo_random_hex(s.act, 8);
    s.payload = req->payload ? json_dumps(req->payload, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    rc = exchange(&s);
    exo_wire_head_t bye = {.type = EXO_WIRE_BYE};
    exo_zframe_send(s.c.sock, &bye, 0);
    /* Give the bye a moment to leave; linger was 0 so that a dead broker cannot block us. */
    int linger = 200;
    zmq_setsockopt(s.c.sock, ZMQ_LINGER, &linger, sizeof linger);
    free(s.payload);
    conn_close(&s.c);
    return rc;
}

/* ---- exo tail, stats ---- */

/* A control request: the word and the run's user token ("stats TOKEN"). */
static void control_request(conn_t *c, const char *word, const char *token, int flags)
{
    char req[160];
    int n = snprintf(req, sizeof req, "%s %s", word, token != NULL ? token : "");
    zmq_send(c->sock, req, n > 0 && (size_t)n < sizeof req ? (size_t)n : strlen(word), flags);
}

/* The broker's "error: ..." answer to a control request, as an error; 0 for anything else. */
static int control_refused(const zmq_msg_t *f, exo_error_t *err)
{
    const char *data = zmq_msg_data((zmq_msg_t *)f);
    size_t len = zmq_msg_size((zmq_msg_t *)f);
    if (len < 6 || memcmp(data, "error:", 6) != 0) {
        return 0;
    }
    return exo_error_set(err, EXO_ERR_INVALID, "the broker refused: %.*s", (int)len - 7,
                         data + 7);
}

int exo_zclient_tail(const exo_host_t *host, const char *control_endpoint,
                     int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err,
                     const char *token)
{
    conn_t c;
    int rc = conn_open(&c, control_endpoint, err);
    if (rc < 0) {
        return rc;
    }
    unsigned long long heard = exo_now_ms(), asked = 0;
    bool confirmed = false;
    for (;;) {
        unsigned long long now = exo_now_ms();
        if (now - asked >= 1000) {
            control_request(&c, "tail", token, ZMQ_DONTWAIT);
            asked = now;
        }
        if (now - heard > 3000) {
            rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, confirmed ? "the broker went away"
                               : "no broker answered at %s", control_endpoint);
            break;
        }
        zmq_msg_t f[2];
        int n = 0;
        int got = recv_until(&c, f, &n, now + 250);
        if (got < 0) {
            rc = 0;
            break;
        }
        if (got == 0) {
            continue;
        }
        heard = exo_now_ms();
        const char *data = zmq_msg_data(&f[0]);
        size_t len = zmq_msg_size(&f[0]);
        int stop = 0;
        if ((rc = control_refused(&f[0], err)) < 0) {
            exo_zframe_close(f, n);
            break;
        }
        if (len == 7 && memcmp(data, "tail-ok", 7) == 0) {
            confirmed = true;
        } else if (len > 0 && data[0] == '{') {
            json_t *ev = json_loadb(data, len, 0, NULL);
            stop = ev ? fn(arg, ev) : 0;
            json_decref(ev);
        }
        exo_zframe_close(f, n);
        if (stop) {
            rc = 0;
            break;
        }
    }
    conn_close(&c);
    return rc;
}

int exo_zclient_stats(const exo_host_t *host, const char *control_endpoint, json_t **out,
                      exo_error_t *err, const char *token)
{
    *out = NULL;
    conn_t c;
    int rc = conn_open(&c, control_endpoint, err);
    if (rc < 0) {
        return rc;
    }
    control_request(&c, "stats", token, 0);
    zmq_msg_t f[2];
    int n = 0;
    int got = recv_until(&c, f, &n, exo_now_ms() + 2000);
    if (got <= 0) {
        rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "no broker answered at %s within 2 s",
                           control_endpoint);
    } else if ((rc = control_refused(&f[0], err)) < 0) {
        exo_zframe_close(f, n);
    } else {
        json_error_t jerr;
        *out = json_loadb(zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), 0, &jerr);
        if (*out == NULL) {
            rc = exo_error_set(err, EXO_ERR_INTERNAL, "bad stats reply: %s", jerr.text);
        }
        exo_zframe_close(f, n);
    }
    conn_close(&c);
    return rc;
}
