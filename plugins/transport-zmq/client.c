/*
 * client.c - the CLI side of the transport: one-shot send (exo send), tail and stats. These
 * block the caller (the CLI has nothing else to do) and use their own zmq context.
 * A signal interrupting a wait (EINTR) ends tail cleanly and fails send/stats with
 * EXO_ERR_TIMEOUT, so Ctrl-C never leaves a half-open socket behind.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "broker.h"
#include "wire.h"

typedef struct conn {
    void *ctx, *sock;
} conn_t;

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

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
        unsigned long long now = now_ms();
        if (now >= deadline) {
            return 0;
        }
        zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&it, 1, (long)(deadline - now));
        if (rc < 0) {
            return errno == EINTR ? -1 : 0;
        }
        if (rc == 0) {
            continue;
        }
        *n = 0;
        zmq_msg_init(&f[0]);
        if (zmq_msg_recv(&f[0], c->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&f[0]);
            continue;
        }
        *n = 1;
        while (zmq_msg_more(&f[*n - 1])) {
            zmq_msg_t extra, *m = *n < 2 ? &f[*n] : &extra;
            zmq_msg_init(m);
            zmq_msg_recv(m, c->sock, 0);
            if (m == &extra) {
                bool more = zmq_msg_more(&extra);
                zmq_msg_close(&extra);
                if (!more) {
                    break;
                }
            } else {
                (*n)++;
            }
        }
        return 1;
    }
}

static void close_frames(zmq_msg_t *f, int n)
{
    for (int i = 0; i < n; i++) {
        zmq_msg_close(&f[i]);
    }
}

/* One frame; an 'M' carries its payload (h->payload) after the head. */
static int send_head(conn_t *c, const exo_wire_head_t *h)
{
    zmq_msg_t m;
    size_t need = exo_wire_size(h);
    if (zmq_msg_init_size(&m, need) != 0) {
        return -1;
    }
    if (exo_wire_encode(zmq_msg_data(&m), need, h) == 0) {
        zmq_msg_close(&m);
        errno = EMSGSIZE;
        return -1;
    }
    if (zmq_msg_send(&m, c->sock, 0) < 0) {
        int e = errno;
        zmq_msg_close(&m);
        errno = e;
        return -1;
    }
    return 0;
}

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

static bool is_error(const exo_wire_head_t *h)
{
    return h->f[EXO_WIRE_F_NAME].len == strlen(EXO_BUS_ERROR_NAME) &&
           memcmp(h->f[EXO_WIRE_F_NAME].p, EXO_BUS_ERROR_NAME, h->f[EXO_WIRE_F_NAME].len) == 0;
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
        exo_error_set(err, kind && strcmp(kind, "no-receiver") == 0 ? EXO_ERR_UNAVAILABLE
                                                                     : EXO_ERR_INVALID,
                      "the bus refused the message (%s): %s", kind ? kind : "?",
                      msg ? msg : "no reason given");
    }
    json_decref(p);
    return rc;
}

static void random_hex(char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[32];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(raw, 1, n / 2, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    for (size_t i = got; i < n / 2; i++) {
        raw[i] = (unsigned char)(rand() ^ (int)getpid() ^ (int)now_ms());
    }
    for (size_t i = 0; i < n / 2; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[n / 2 * 2] = '\0';
}

int exo_zclient_send(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                     exo_error_t *err)
{
    if (reply != NULL) {
        *reply = NULL;
    }
    conn_t c;
    int rc = conn_open(&c, req->endpoint, err);
    if (rc < 0) {
        return rc;
    }
    char label[64];
    snprintf(label, sizeof label, "exo send (pid %d)", (int)getpid());
    exo_wire_head_t h = {.type = EXO_WIRE_REGISTER};
    h.f[EXO_WIRE_F_ROLE] = exo_wire_s(req->role);
    h.f[EXO_WIRE_F_LABEL] = exo_wire_s(label);
    h.f[EXO_WIRE_F_FLAGS] = exo_wire_s("transient");
    char *payload = req->payload ? json_dumps(req->payload, JSON_COMPACT | JSON_ENCODE_ANY)
                                 : NULL;
    zmq_msg_t f[2];
    int n = 0;
    unsigned long long deadline = now_ms() + 3000;
    enum { REGISTERING, SENT, WAITING } state = REGISTERING;
    char id[20], act[20];
    random_hex(id, 16);
    random_hex(act, 16);
    if (send_head(&c, &h) < 0) {
        rc = exo_error_set(err, EXO_ERR_IO, "cannot send to the bus: %s", zmq_strerror(errno));
        goto out;
    }
    for (;;) {
        int got = recv_until(&c, f, &n, deadline);
        if (got <= 0) {
            if (state == REGISTERING) {
                rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "no broker answered at %s within "
                                   "3 s; is 'exo run' or 'exo bus' still running?",
                                   req->endpoint);
            } else if (state == SENT) {
                rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "the broker at %s stopped "
                                   "answering", req->endpoint);
            } else {
                rc = exo_error_set(err, EXO_ERR_TIMEOUT, "no reply to '%s' within %u ms",
                                   req->name, req->timeout_ms);
            }
            goto out;
        }
        exo_wire_head_t in;
        if (exo_wire_decode(zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), &in) != EXO_WIRE_OK) {
            close_frames(f, n);
            continue;
        }
        if (in.type == EXO_WIRE_REGISTERED && state == REGISTERING) {
            exo_wire_head_t m = {.type = EXO_WIRE_MESSAGE};
            m.f[EXO_WIRE_F_NAME] = exo_wire_s(req->name);
            m.f[EXO_WIRE_F_ID] = exo_wire_s(id);
            m.f[EXO_WIRE_F_ACTIVITY] = exo_wire_s(act);
            m.payload = exo_wire_s(payload);
            exo_wire_head_t ping = {.type = EXO_WIRE_PING};
            if (send_head(&c, &m) < 0 || send_head(&c, &ping) < 0) {
                rc = exo_error_set(err, EXO_ERR_IO, "cannot send '%s': %s", req->name,
                                   zmq_strerror(errno));
                close_frames(f, n);
                goto out;
            }
            state = SENT;
        } else if (in.type == EXO_WIRE_PONG && state == SENT) {
            /* Everything the broker had to say about our message came before this pong. */
            if (!req->wait) {
                close_frames(f, n);
                rc = 0;
                goto out;
            }
            /* A fast reply can overtake the pong (the broker reads its peers in turn):
             * it is accepted in SENT as well as in WAITING. */
            state = WAITING;
            deadline = now_ms() + req->timeout_ms;
        } else if (in.type == EXO_WIRE_MESSAGE && n == 1 && is_error(&in)) {
            bool ours = state == REGISTERING ||
                        (in.f[EXO_WIRE_F_ACTIVITY].len == strlen(act) &&
                         memcmp(in.f[EXO_WIRE_F_ACTIVITY].p, act, strlen(act)) == 0);
            if (ours && bus_error(host, &in.payload, err) < 0) {
                rc = err ? err->code : EXO_ERR_INVALID;
                close_frames(f, n);
                goto out;
            }
        } else if (in.type == EXO_WIRE_MESSAGE && n == 1 && req->wait && state != REGISTERING &&
                   in.f[EXO_WIRE_F_ACTIVITY].len == strlen(act) &&
                   memcmp(in.f[EXO_WIRE_F_ACTIVITY].p, act, strlen(act)) == 0) {
            if (reply != NULL) {
                *reply = message_json(&in);
            }
            close_frames(f, n);
            rc = 0;
            goto out;
        }
        close_frames(f, n);
    }
out:
    {
        exo_wire_head_t bye = {.type = EXO_WIRE_BYE};
        send_head(&c, &bye);
        /* Give the bye a moment to leave; linger is 0 so that a dead broker cannot block us. */
        int linger = 200;
        zmq_setsockopt(c.sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    free(payload);
    conn_close(&c);
    return rc;
}

int exo_zclient_tail(const exo_host_t *host, const char *control_endpoint,
                     int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err)
{
    conn_t c;
    int rc = conn_open(&c, control_endpoint, err);
    if (rc < 0) {
        return rc;
    }
    unsigned long long heard = now_ms(), asked = 0;
    bool confirmed = false;
    for (;;) {
        unsigned long long now = now_ms();
        if (now - asked >= 1000) {
            zmq_send(c.sock, "tail", 4, ZMQ_DONTWAIT);
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
        heard = now_ms();
        const char *data = zmq_msg_data(&f[0]);
        size_t len = zmq_msg_size(&f[0]);
        if (len == 7 && memcmp(data, "tail-ok", 7) == 0) {
            confirmed = true;
        } else if (len > 0 && data[0] == '{') {
            json_t *ev = json_loadb(data, len, 0, NULL);
            int stop = ev ? fn(arg, ev) : 0;
            json_decref(ev);
            if (stop) {
                close_frames(f, n);
                rc = 0;
                break;
            }
        }
        close_frames(f, n);
    }
    conn_close(&c);
    return rc;
}

int exo_zclient_stats(const exo_host_t *host, const char *control_endpoint, json_t **out,
                      exo_error_t *err)
{
    *out = NULL;
    conn_t c;
    int rc = conn_open(&c, control_endpoint, err);
    if (rc < 0) {
        return rc;
    }
    zmq_send(c.sock, "stats", 5, 0);
    zmq_msg_t f[2];
    int n = 0;
    int got = recv_until(&c, f, &n, now_ms() + 2000);
    if (got <= 0) {
        rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "no broker answered at %s within 2 s",
                           control_endpoint);
    } else {
        json_error_t jerr;
        *out = json_loadb(zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), 0, &jerr);
        if (*out == NULL) {
            rc = exo_error_set(err, EXO_ERR_INTERNAL, "bad stats reply: %s", jerr.text);
        }
        close_frames(f, n);
    }
    conn_close(&c);
    return rc;
}
