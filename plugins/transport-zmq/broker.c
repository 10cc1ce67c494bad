/*
 * broker.c - the bus broker: a ROUTER socket for services and one for control (stats, tail),
 * both driven by the host's loop through ZMQ_FD. ZMQ_FD is edge-triggered, so every wake-up
 * drains both sockets until ZMQ_EVENTS shows no POLLIN (sends can consume the edge too).
 *
 * Hot path per message (protocol 2: one frame per message): 2 frame receives (routing id,
 * message), one hash lookup for the sender, one for the route, and per receiver one zmq
 * message built in place (new head + the payload bytes) after its routing id. The payload is
 * never parsed.
 * JSON is built only for errors and for JSON observers (on_event, tail clients); an on_trace
 * observer gets the event as plain fields, and the payload is parsed only for JSON observers.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "base/util.h"
#include "admit.h"
#include "auth.h"
#include "broker.h"
#include "outq.h"
#include "router.h"
#include "wire.h"
#include "zframe.h"

#define DRAIN_BUDGET 8192
#define SEND_WAIT_MS 200
#define RECV_HWM 256
#define CONGESTED_MS 1000u
#define MAX_TAILS 64
#define REGISTER_GRACE_MS 3000u /* how long a connection may stay unregistered */

/* A tail client: lossy, bounded to EXO_BUS_TAIL_QUEUE_BYTES queued; what it misses is counted
 * and told to it ({"event": "dropped", "count": N}) before its next event. */
typedef struct tail {
    unsigned char rid[EXO_RT_RID_MAX];
    size_t rid_len;
    unsigned long long last_seen;
    exo_outq_t *q;
    uint64_t dropped;  /* events it missed since it was last told */
    bool full;         /* no room for the event being built */
} tail_t;

typedef struct broker {
    const exo_host_t *host;
    void *ctx, *sock, *ctl;
    int sock_fd, ctl_fd;
    int sock_watch, ctl_watch, sweep_timer, resume_timer;
    char endpoint[256], control[256];
    char *app;
    size_t max_size;
    size_t queue_max;  /* bytes queued per service connection (bus.queue-bytes) */
    exo_outq_t *ctl_q; /* stats replies queued on the control socket */
    exo_zadmit_t *adm; /* unregistered connections: capped, timed out (may be NULL) */
    int adm_watch;
    uint64_t tail_dropped; /* tail events dropped, all clients, since the start */
    exo_rt_t *rt;
    exo_zauth_t *auth;       /* the run's user token and role secrets */
    uint64_t auth_refused;   /* registrations and control requests without a valid credential */
    void (*on_event)(void *arg, const json_t *event);
    void (*on_trace)(void *arg, const exo_bus_trace_t *trace);
    void *arg;
    bool traced; /* on_trace got events since its last flush (NULL) call */
    tail_t tails[MAX_TAILS];
    size_t n_tails;
    unsigned long long err_seq;
    char id_prefix[12];
    unsigned long long frames, frames_at_sweep, frames_at_trim;
    unsigned char reply_version; /* protocol of the frame being handled: answers use it */
} broker_t;

static bool observed(const broker_t *b)
{
    return b->on_event != NULL || b->on_trace != NULL || b->n_tails > 0;
}

static bool tail_has_room(const tail_t *t)
{
    return t->q == NULL || exo_outq_bytes(t->q) < EXO_BUS_TAIL_QUEUE_BYTES;
}

/* Whether an event is worth building as JSON: a JSON observer wants it. A tail client whose
 * queue is full misses it (counted here, once per event): observers never slow routing. */
static bool json_observed(broker_t *b)
{
    bool tail_wants = false;
    for (size_t i = 0; i < b->n_tails; i++) {
        tail_t *t = &b->tails[i];
        t->full = !tail_has_room(t);
        t->dropped += t->full;
        b->tail_dropped += t->full;
        tail_wants |= !t->full;
    }
    return b->on_event != NULL || tail_wants;
}

static void tail_forget(broker_t *b, size_t i)
{
    exo_outq_release(b->tails[i].q);
    b->tails[i] = b->tails[--b->n_tails];
}

/* One frame to a tail client, counted on its queue. */
static int tail_send(broker_t *b, tail_t *t, const char *text, size_t len)
{
    zmq_msg_t m;
    if (zmq_send(b->ctl, t->rid, t->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        return -1;
    }
    if (t->q != NULL ? exo_outq_msg(t->q, &m, len) : zmq_msg_init_size(&m, len)) {
        return -1;
    }
    memcpy(zmq_msg_data(&m), text, len);
    if (zmq_msg_send(&m, b->ctl, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return -1;
    }
    return 0;
}

/* Tell a tail client how many events it missed, before the next one. */
static int tail_send_dropped(broker_t *b, tail_t *t)
{
    char text[96];
    int n = snprintf(text, sizeof text, "{\"event\":\"dropped\",\"count\":%llu}",
                     (unsigned long long)t->dropped);
    if (tail_send(b, t, text, (size_t)n) < 0) {
        return -1;
    }
    t->dropped = 0;
    return 0;
}

static void trace(broker_t *b, exo_bus_trace_t *t)
{
    if (b->on_trace != NULL) {
        t->size = sizeof *t;
        b->on_trace(b->arg, t);
        b->traced = true;
    }
}

/* ---- events ---- */

static void emit(broker_t *b, json_t *ev)
{
    if (b->on_event != NULL) {
        b->on_event(b->arg, ev);
    }
    if (b->n_tails > 0) {
        char *text = json_dumps(ev, JSON_COMPACT);
        size_t len = text ? strlen(text) : 0;
        for (size_t i = 0; text != NULL && i < b->n_tails;) {
            tail_t *t = &b->tails[i];
            if (t->full) {
                i++; /* counted as dropped by json_observed */
                continue;
            }
            if ((t->dropped > 0 && tail_send_dropped(b, t) < 0) ||
                tail_send(b, t, text, len) < 0) {
                if (errno == EHOSTUNREACH) {
                    tail_forget(b, i); /* gone */
                    continue;
                }
                t->dropped++;
                b->tail_dropped++;
            }
            i++;
        }
        free(text);
    }
    json_decref(ev);
}

static json_t *jstr(const exo_wire_str_t *s)
{
    return json_stringn_nocheck(s->p, s->len);
}

/* A wire field as a C string in @p buf (ids and activities are at most EXO_WIRE_ID_MAX). */
static const char *field_cstr(const exo_wire_str_t *f, char *buf, size_t cap)
{
    size_t n = f->len < cap ? f->len : cap - 1;
    memcpy(buf, f->p, n);
    buf[n] = '\0';
    return buf;
}

/* The plain-fields trace of a routed message (transport ABI 1.4: with its activity, id and
 * payload). An event the broker also logs as a warning (a denial, no receiver) is marked
 * @p warned (`logged`): a host that prints trace lines skips it, one event being one line. */
static void trace_message(broker_t *b, const char *sender, const exo_wire_head_t *h,
                          const char *receiver, const char *internal, const char *outcome,
                          bool warned)
{
    if (b->on_trace == NULL) {
        return;
    }
    char id[EXO_WIRE_ID_MAX + 1], activity[EXO_WIRE_ID_MAX + 1];
    exo_bus_trace_t t = {.event = "message", .sender = sender, .name = h->f[EXO_WIRE_F_NAME].p,
                         .name_len = h->f[EXO_WIRE_F_NAME].len, .receiver = receiver,
                         .internal_name = internal, .outcome = outcome,
                         .activity = field_cstr(&h->f[EXO_WIRE_F_ACTIVITY], activity,
                                                sizeof activity),
                         .id = field_cstr(&h->f[EXO_WIRE_F_ID], id, sizeof id),
                         .payload = h->payload.len > 0 ? h->payload.p : NULL,
                         .payload_len = h->payload.len, .logged = warned};
    trace(b, &t);
}

/* Tail clients get every event as JSON; the host's on_trace every one as plain fields. */
static void emit_message(broker_t *b, const char *sender, const exo_wire_head_t *h,
                         const char *receiver, const char *internal, const char *outcome,
                         bool warned)
{
    trace_message(b, sender, h, receiver, internal, outcome, warned);
    if (!json_observed(b)) {
        return;
    }
    json_t *ev = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:s}", "event", "message", "sender",
                           sender, "receiver", receiver ? json_string(receiver) : json_null(),
                           "name", jstr(&h->f[EXO_WIRE_F_NAME]), "id",
                           jstr(&h->f[EXO_WIRE_F_ID]), "activity",
                           jstr(&h->f[EXO_WIRE_F_ACTIVITY]), "outcome", outcome);
    if (ev == NULL) {
        return;
    }
    if (internal != NULL) {
        json_object_set_new(ev, "internal_name", json_string(internal));
    }
    /* Parsing a large payload for every observer would slow routing: show its size. */
    if (h->payload.len > EXO_BUS_EVENT_PAYLOAD_MAX) {
        json_object_set_new(ev, "payload_bytes", json_integer((json_int_t)h->payload.len));
    } else if (h->payload.len > 0) {
        json_t *p = json_loadb(h->payload.p, h->payload.len, JSON_DECODE_ANY, NULL);
        if (p != NULL) {
            json_object_set_new(ev, "payload", p);
        }
    }
    emit(b, ev);
}

/* ---- sending ---- */

/* One frame (type + fields, and an 'M''s payload) to a connection; the routing id goes first.
 * @p flags applies to the routing id, where ROUTER reports an unknown peer (EHOSTUNREACH) or a
 * full queue (EAGAIN). Answers of the broker itself never wait. */
static int send_head_ex(broker_t *b, const void *rid, size_t rid_len, const exo_wire_head_t *h,
                        exo_outq_t *q, int flags)
{
    zmq_msg_t m;
    exo_wire_head_t own;
    if (h->version == 0) {
        own = *h;
        own.version = b->reply_version;
        h = &own;
    }
    if (q == NULL) {
        if (exo_zframe_build(&m, h) < 0) {
            return -1;
        }
    } else {
        size_t need = exo_wire_size(h);
        if (exo_outq_msg(q, &m, need) < 0) {
            return -1;
        }
        if (exo_wire_encode(zmq_msg_data(&m), need, h) == 0) {
            zmq_msg_close(&m);
            errno = EMSGSIZE;
            return -1;
        }
    }
    if (zmq_send(b->sock, rid, rid_len, ZMQ_SNDMORE | flags) < 0) {
        int e = errno;
        zmq_msg_close(&m);
        errno = e;
        return -1;
    }
    if (zmq_msg_send(&m, b->sock, 0) < 0) {
        zmq_msg_close(&m);
        return -1;
    }
    return 0;
}

static int send_head(broker_t *b, const void *rid, size_t rid_len, const exo_wire_head_t *h)
{
    return send_head_ex(b, rid, rid_len, h, NULL, ZMQ_DONTWAIT);
}

static void send_simple(broker_t *b, const void *rid, size_t rid_len, char type,
                        const char *field)
{
    exo_wire_head_t h = {.type = type};
    if (field != NULL) {
        h.f[0] = exo_wire_s(field);
    }
    send_head(b, rid, rid_len, &h);
}

/*
 * Send an exo.error to a connection. @p activity may be NULL when the frame could not be read.
 * @p roles is an array of role names (borrowed) for no-receiver errors.
 */
static void send_error(broker_t *b, const void *rid, size_t rid_len, const exo_wire_str_t *act,
                       const char *kind, const exo_wire_str_t *name, json_t *roles,
                       size_t delivered, const char *fmt, ...) EXO_PRINTF(9, 10);
static void send_error(broker_t *b, const void *rid, size_t rid_len, const exo_wire_str_t *act,
                       const char *kind, const exo_wire_str_t *name, json_t *roles,
                       size_t delivered, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!exo_wire_name_ok(text, strlen(text))) {
        /* cut inside a UTF-8 sequence: JSON must stay valid, so fall back to ASCII */
        for (char *c = text; *c; c++) {
            if ((unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20) {
                *c = '?';
            }
        }
    }
    json_t *p = json_pack("{s:s,s:o,s:s%,s:o,s:I}", "error", kind, "name",
                          name ? jstr(name) : json_null(), "message", text, strlen(text),
                          "roles", roles ? json_incref(roles) : json_array(), "delivered",
                          (json_int_t)delivered);
    char *body = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    char id[40];
    snprintf(id, sizeof id, "%s-e%llu", b->id_prefix, ++b->err_seq);
    if (body != NULL) {
        exo_wire_head_t h = exo_wire_message(EXO_WIRE_ERROR_NAME, id, "-", NULL, body,
                                             strlen(body));
        h.version = 0; /* the asker's protocol */
        if (act != NULL && act->len > 0) {
            h.f[EXO_WIRE_F_ACTIVITY] = *act;
        }
        h.f[EXO_WIRE_F_SENDER] = exo_wire_s(EXO_WIRE_BUS_SENDER);
        send_head(b, rid, rid_len, &h);
    }
    free(body);
}

/* Every error is also logged as a warning: for tail clients only (see emit_message). */
static void emit_error(broker_t *b, const char *sender, const char *kind, const char *message)
{
    if (json_observed(b)) {
        emit(b, json_pack("{s:s,s:s,s:s,s:s}", "event", "error", "sender", sender, "error", kind,
                          "message", message));
    }
}

/* ---- handling frames from services ---- */

/*
 * ZeroMQ names a peer that set no ZMQ_ROUTING_ID with 5 bytes, the first zero. A client that
 * chose its own might have chosen another connection's: with ZMQ_ROUTER_HANDOVER off (set in
 * open_socket) the ROUTER ignores a duplicate, and the broker refuses chosen ids altogether,
 * so that an identity is the connection's and nobody else's (docs/security.md).
 */
static bool chosen_routing_id(const void *rid, size_t len)
{
    return len != 5 || ((const unsigned char *)rid)[0] != 0;
}

/*
 * A registration as @p role must carry the role's secret (a unit exo started) or the run's
 * user token (docs/security.md). Anything else is refused with an exo.error and a warning,
 * and counted. A client of protocol 2 or 3 has no credential field: told to update.
 */
static exo_zauth_result_t authenticate(broker_t *b, const void *rid, size_t rid_len,
                                       const exo_wire_head_t *h, const char *role)
{
    const exo_wire_str_t *cred = &h->f[EXO_WIRE_F_CREDENTIAL];
    bool old = h->version < EXO_WIRE_VERSION_AUTH;
    exo_zauth_result_t proof = old ? EXO_ZAUTH_REFUSED
                                   : exo_zauth_check(b->auth, role, strlen(role), cred->p,
                                                     cred->len);
    if (proof != EXO_ZAUTH_REFUSED) {
        return proof;
    }
    char what[200];
    if (old) {
        snprintf(what, sizeof what, "the client speaks protocol %u, which carries no "
                 "credential; update its exo client library (protocol %d)", (unsigned)h->version,
                 EXO_WIRE_VERSION_AUTH);
    } else {
        snprintf(what, sizeof what, "%s", cred->len == 0
                 ? "no credential (EXO_BUS_TOKEN is not set; exo sets it for the units it starts)"
                 : "wrong credential (neither this role's secret nor the run's user token)");
    }
    b->auth_refused++;
    exo_log_warn(b->host, "refused a registration as '%s': %s", role, what);
    send_error(b, rid, rid_len, NULL, "not-authorised", NULL, NULL, 0,
               "not authorised to register as %s: %s", role, what);
    emit_error(b, "?", "not-authorised", "registration without a valid credential");
    return EXO_ZAUTH_REFUSED;
}

static void on_register(broker_t *b, const void *rid, size_t rid_len, const exo_wire_head_t *h,
                        unsigned long long now)
{
    const exo_wire_str_t *role = &h->f[EXO_WIRE_F_ROLE];
    int r = exo_rt_role_find(b->rt, role->p, role->len);
    if (r < 0) {
        exo_log_warn(b->host, "rejected registration of unknown role '%.*s' (app %s)",
                     (int)role->len, role->p, b->app);
        send_error(b, rid, rid_len, NULL, "unknown-role", NULL, NULL, 0,
                   "role '%.*s' is not a service of app %s; check services in application.yml "
                   "and EXO_ROLE", (int)role->len, role->p, b->app);
        emit_error(b, "?", "unknown-role", "registration of an unknown role");
        return;
    }
    if (chosen_routing_id(rid, rid_len)) {
        b->auth_refused++;
        exo_log_warn(b->host, "refused a registration as '%.*s': the client chose its own "
                     "ZeroMQ routing id", (int)role->len, role->p);
        send_error(b, rid, rid_len, NULL, "not-authorised", NULL, NULL, 0,
                   "not authorised to register as %.*s: a client may not choose its ZeroMQ "
                   "routing id (ZMQ_ROUTING_ID); leave it unset", (int)role->len, role->p);
        return;
    }
    exo_zauth_result_t proof = authenticate(b, rid, rid_len, h, exo_rt_role_name(b->rt, r));
    if (proof == EXO_ZAUTH_REFUSED) {
        return;
    }
    const exo_wire_str_t *flags = &h->f[EXO_WIRE_F_FLAGS];
    bool transient = flags->len == 9 && memcmp(flags->p, "transient", 9) == 0;
    /* A client repeats its registration until the answer arrives (after a stall, several
     * are queued): the same role again on the same connection is answered, not announced. */
    const exo_rt_instance_t *prev = exo_rt_lookup(b->rt, rid, rid_len);
    bool again = prev != NULL && prev->role == r;
    exo_rt_instance_t *in = exo_rt_register(b->rt, r, rid, rid_len, h->f[EXO_WIRE_F_LABEL].p,
                                            h->f[EXO_WIRE_F_LABEL].len, transient, now);
    if (in == NULL) {
        return;
    }
    in->version = h->version;
    char id[16];
    snprintf(id, sizeof id, "%u", in->id);
    exo_wire_head_t a = {.type = EXO_WIRE_REGISTERED};
    a.f[0] = exo_wire_s(exo_rt_role_name(b->rt, r));
    a.f[1] = exo_wire_s(id);
    send_head(b, rid, rid_len, &a);
    if (again) {
        return;
    }
    const char *credential = proof == EXO_ZAUTH_ROLE ? "role" : "user";
    exo_bus_trace_t t = {.event = "register", .role = exo_rt_role_name(b->rt, r),
                         .instance = in->id, .label = in->label, .credential = credential};
    trace(b, &t);
    if (json_observed(b)) {
        emit(b, json_pack("{s:s,s:s,s:I,s:s,s:b,s:s}", "event", "register", "role",
                          exo_rt_role_name(b->rt, r), "instance", (json_int_t)in->id, "label",
                          in->label, "transient", transient, "credential", credential));
    }
}

static void unregister(broker_t *b, exo_rt_instance_t *in, const char *reason)
{
    exo_bus_trace_t t = {.event = "unregister", .role = exo_rt_role_name(b->rt, in->role),
                         .instance = in->id, .reason = reason};
    trace(b, &t);
    if (json_observed(b)) {
        emit(b, json_pack("{s:s,s:s,s:I,s:s}", "event", "unregister", "role",
                          exo_rt_role_name(b->rt, in->role), "instance", (json_int_t)in->id,
                          "reason", reason));
    }
    exo_rt_unregister(b->rt, in);
}

/*
 * Whether @p need more bytes fit in @p to's queue (b->queue_max; one message always fits an
 * empty queue). A full queue gets up to SEND_WAIT_MS of waiting for ZeroMQ to write it out,
 * unless the receiver is already marked congested.
 */
static bool queue_room(broker_t *b, const exo_rt_instance_t *to, size_t need, bool congested)
{
    if (to->q == NULL) {
        return true;
    }
    for (unsigned waited = 0;; waited++) {
        size_t queued = exo_outq_bytes(to->q);
        if (queued == 0 || queued + need <= b->queue_max) {
            return true;
        }
        if (congested || waited >= SEND_WAIT_MS) {
            return false;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

/*
 * Deliver to one instance: [rid][head with receiver's name and sender role + payload].
 * A full queue (a slow receiver: queue_max bytes or ZeroMQ's count limit) first gets up to
 * SEND_WAIT_MS of waiting, which pushes back on the senders; a receiver that still does not
 * drain is marked congested for CONGESTED_MS and its messages are dropped at once meanwhile,
 * so a hung service can neither stall the broker nor grow its memory.
 */
static int deliver(broker_t *b, exo_rt_instance_t *to, const exo_wire_head_t *in_head,
                   const char *name, size_t name_len, const char *sender,
                   unsigned long long now)
{
    exo_wire_head_t h = *in_head;
    h.version = to->version;
    h.f[EXO_WIRE_F_NAME].p = name;
    h.f[EXO_WIRE_F_NAME].len = name_len;
    h.f[EXO_WIRE_F_SENDER] = exo_wire_s(sender);
    bool congested = now < to->congested_until;
    if (queue_room(b, to, exo_wire_size(&h), congested)) {
        if (send_head_ex(b, to->rid, to->rid_len, &h, to->q, ZMQ_DONTWAIT) == 0) {
            return 0;
        }
        /* ZeroMQ's count limit: a blocking send waits up to SEND_WAIT_MS (ZMQ_SNDTIMEO). */
        if (errno == EAGAIN && !congested &&
            send_head_ex(b, to->rid, to->rid_len, &h, to->q, 0) == 0) {
            return 0;
        }
        if (errno != EAGAIN) {
            return -1;
        }
    }
    if (!congested) {
        to->congested_until = now + CONGESTED_MS;
        exo_log_warn(b->host, "%s (instance %u) is not keeping up: its queue is full; "
                     "dropping its messages for the next %u ms",
                     exo_rt_role_name(b->rt, to->role), to->id, CONGESTED_MS);
    }
    errno = EAGAIN;
    return -1;
}

/*
 * Policy: a message within the size limit, of a name its sender declares in `sends`. Returns
 * its route, or NULL when refused (the sender got an exo.error).
 */
static exo_rt_route_t *admit(broker_t *b, const exo_rt_instance_t *from,
                             const exo_wire_head_t *h, size_t size)
{
    const char *sender = exo_rt_role_name(b->rt, from->role);
    const exo_wire_str_t *name = &h->f[EXO_WIRE_F_NAME];
    const exo_wire_str_t *act = &h->f[EXO_WIRE_F_ACTIVITY];
    if (size > b->max_size) {
        exo_log_warn(b->host, "rejected '%.*s' from %s: %zu bytes is more than the max message "
                     "size %zu", (int)name->len, name->p, sender, size, b->max_size);
        send_error(b, from->rid, from->rid_len, act, "too-large", name, NULL, 0,
                   "message '%.*s' is %zu bytes; the bus takes at most %zu (bus.max-message-size)",
                   (int)name->len, name->p, size, b->max_size);
        emit_error(b, sender, "too-large", "message larger than the max message size");
        return NULL;
    }
    exo_rt_route_t *route = exo_rt_route(b->rt, from->role, name->p, name->len);
    if (!route->allowed) {
        route->denied++;
        exo_log_warn(b->host, "denied: role '%s' does not declare '%.*s' in messages.sends",
                     sender, (int)name->len, name->p);
        send_error(b, from->rid, from->rid_len, act, "denied", name, NULL, 0,
                   "role '%s' does not declare '%.*s' in its sends (a service's "
                   "messages.sends, a frontend's frontends.%s.sends)",
                   sender, (int)name->len, name->p, sender);
        if (observed(b)) {
            emit_message(b, sender, h, NULL, NULL, "denied", true);
        }
        return NULL;
    }
    return route;
}

typedef enum { OUT_DELIVERED, OUT_DROPPED, OUT_NO_RECEIVER } outcome_t;

/* I/O: hand the message to one instance of the receiving role (the one its via names, else
 * the activity's, else the next in turn), forgetting instances that are gone. A message whose
 * via names an instance of the role goes to that one or nowhere: a reply never reaches another
 * instance than the one that asked. */
static outcome_t deliver_to_role(broker_t *b, const exo_rt_receiver_t *rc,
                                 const exo_wire_head_t *in, const exo_wire_head_t *h,
                                 const char *sender, unsigned long long now)
{
    const exo_wire_str_t *act = &h->f[EXO_WIRE_F_ACTIVITY];
    const exo_wire_str_t *via = &in->f[EXO_WIRE_F_VIA];
    exo_rt_instance_t *to;
    bool named = exo_rt_via_pick(b->rt, rc->role, via->p, via->len, &to);
    for (;;) {
        if (!named) {
            to = exo_rt_pick(b->rt, rc->role, act->p, act->len, now);
        }
        if (to == NULL) {
            return OUT_NO_RECEIVER;
        }
        if (deliver(b, to, h, rc->name, rc->name_len, sender, now) == 0) {
            return OUT_DELIVERED;
        }
        if (errno != EHOSTUNREACH) {
            return OUT_DROPPED;
        }
        unregister(b, to, "gone");
        if (named) {
            return OUT_NO_RECEIVER; /* the one that asked is gone: nobody else gets it */
        }
    }
}

/* Count and show one receiving role's outcome. */
static void note_outcome(broker_t *b, exo_rt_route_t *route, const exo_rt_receiver_t *rc,
                         const exo_wire_head_t *h, const char *sender, outcome_t out)
{
    static const char *const names[] = {"delivered", "dropped", "no-receiver"};
    uint64_t *counter[] = {&route->delivered, &route->dropped, &route->no_receiver};
    (*counter[out])++;
    if (observed(b)) {
        const exo_wire_str_t *name = &h->f[EXO_WIRE_F_NAME];
        /* Either side may have translated: show both names whenever they differ. */
        const char *iname = rc->name_len != name->len || memcmp(rc->name, name->p, name->len)
                                ? rc->name : NULL;
        /* A role without a connected instance is in the warning report_no_receiver() logs. */
        emit_message(b, sender, h, exo_rt_role_name(b->rt, rc->role), iname, names[out],
                     out == OUT_NO_RECEIVER);
    }
}

/* Tell the sender which receiving roles had no connected instance (@p missing, may be NULL),
 * or that no role receives the name at all. */
static void report_no_receiver(broker_t *b, const exo_rt_instance_t *from,
                               const exo_wire_head_t *h, exo_rt_route_t *route,
                               size_t delivered, json_t *missing)
{
    const char *sender = exo_rt_role_name(b->rt, from->role);
    const exo_wire_str_t *name = &h->f[EXO_WIRE_F_NAME];
    const exo_wire_str_t *act = &h->f[EXO_WIRE_F_ACTIVITY];
    if (route->n_recv == 0) {
        route->no_receiver++;
        exo_log_warn(b->host, "no receiver: no role receives '%s' (sent by %s)",
                     route->public_name, sender);
        send_error(b, from->rid, from->rid_len, act, "no-receiver", name, NULL, 0,
                   "no role of the app receives '%s'; add it to messages.receives of a service",
                   route->public_name);
        if (observed(b)) {
            emit_message(b, sender, h, NULL, NULL, "no-receiver", true);
        }
    } else if (missing != NULL) {
        char *list = json_dumps(missing, JSON_COMPACT);
        exo_log_warn(b->host, "no receiver: '%s' from %s reached %zu of %zu roles; no connected "
                     "instance of %s", route->public_name, sender, delivered, route->n_recv,
                     list ? list : "?");
        send_error(b, from->rid, from->rid_len, act, "no-receiver", name, missing, delivered,
                   "no connected instance of %s for '%s'", list ? list : "?",
                   route->public_name);
        free(list);
    }
}

static void on_message(broker_t *b, exo_rt_instance_t *from, const exo_wire_head_t *h,
                       size_t size, unsigned long long now)
{
    exo_rt_route_t *route = admit(b, from, h, size);
    if (route == NULL) {
        return;
    }
    const char *sender = exo_rt_role_name(b->rt, from->role);
    const exo_wire_str_t *act = &h->f[EXO_WIRE_F_ACTIVITY];
    exo_rt_note(b->rt, from, act->p, act->len, now);
    /* Receivers pick by the via that came in; they get it with the sender's stamp added. */
    char via[EXO_RT_VIA_MAX + 1];
    exo_wire_head_t out_head = *h;
    out_head.f[EXO_WIRE_F_VIA].p = via;
    out_head.f[EXO_WIRE_F_VIA].len = exo_rt_via_stamp(b->rt, from, h->f[EXO_WIRE_F_VIA].p,
                                                      h->f[EXO_WIRE_F_VIA].len, via);
    size_t delivered = 0;
    json_t *missing = NULL;
    for (size_t i = 0; i < route->n_recv; i++) {
        const exo_rt_receiver_t *rc = &route->recv[i];
        outcome_t out = deliver_to_role(b, rc, h, &out_head, sender, now);
        note_outcome(b, route, rc, h, sender, out);
        if (out == OUT_DELIVERED) {
            delivered++;
        } else if (out == OUT_NO_RECEIVER) {
            missing = missing ? missing : json_array();
            json_array_append_new(missing, json_string(exo_rt_role_name(b->rt, rc->role)));
        }
    }
    report_no_receiver(b, from, h, route, delivered, missing);
    json_decref(missing);
}

static void reject(broker_t *b, const void *rid, size_t rid_len, exo_rt_instance_t *from,
                   const exo_wire_head_t *h, int code, const char *what)
{
    const char *sender = from ? exo_rt_role_name(b->rt, from->role) : "(unregistered)";
    const char *kind = code == EXO_WIRE_ENAME ? "invalid-name" : "malformed";
    exo_log_warn(b->host, "rejected a frame from %s: %s", sender, what);
    const exo_wire_str_t *act = NULL;
    if (h != NULL && h->type == EXO_WIRE_MESSAGE && h->n_fields >= 5 &&
        h->f[EXO_WIRE_F_ACTIVITY].len > 0 && h->f[EXO_WIRE_F_ACTIVITY].len <= EXO_WIRE_ID_MAX) {
        act = &h->f[EXO_WIRE_F_ACTIVITY];
        for (size_t i = 0; i < act->len; i++) {
            if (act->p[i] < 0x21 || act->p[i] > 0x7e) {
                act = NULL;
                break;
            }
        }
    }
    send_error(b, rid, rid_len, act, kind, NULL, NULL, 0, "%s", what);
    emit_error(b, sender, kind, what);
}

/* One multipart from the service socket. */
static void handle(broker_t *b, zmq_msg_t *f, int n, bool overflow, unsigned long long now)
{
    const void *rid = zmq_msg_data(&f[0]);
    size_t rid_len = zmq_msg_size(&f[0]);
    exo_rt_instance_t *from = exo_rt_lookup(b->rt, rid, rid_len);
    b->frames++;
    b->reply_version = from != NULL ? from->version : EXO_WIRE_VERSION;
    if (from != NULL) {
        from->last_seen = now;
    }
    if (n < 2) {
        reject(b, rid, rid_len, from, NULL, EXO_WIRE_ESHORT, "empty message (no head frame)");
        return;
    }
    exo_wire_head_t h;
    int rc = exo_wire_decode(zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), &h);
    if (h.version != 0) {
        b->reply_version = h.version;
    }
    if (rc != EXO_WIRE_OK) {
        char what[160];
        snprintf(what, sizeof what, "bad head frame: %s", exo_wire_strerror(rc));
        reject(b, rid, rid_len, from, &h, rc, what);
        return;
    }
    int want = 1;
    if (overflow || n - 1 != want) {
        char what[160];
        snprintf(what, sizeof what, "a '%c' takes %d frame(s), got %s%d", h.type, want,
                 overflow ? "more than " : "", n - 1);
        reject(b, rid, rid_len, from, &h, EXO_WIRE_ESHORT, what);
        return;
    }
    switch (h.type) {
    case EXO_WIRE_REGISTER:
        on_register(b, rid, rid_len, &h, now);
        if (b->adm != NULL && exo_rt_lookup(b->rt, rid, rid_len) != NULL) {
            exo_zadmit_registered(b->adm, zmq_msg_get(&f[1], ZMQ_SRCFD));
        }
        break;
    case EXO_WIRE_PING:
        send_simple(b, rid, rid_len, from ? EXO_WIRE_PONG : EXO_WIRE_NOT_REGISTERED,
                    from ? NULL : "not registered");
        break;
    case EXO_WIRE_BYE:
        if (from != NULL) {
            unregister(b, from, "bye");
        }
        break;
    case EXO_WIRE_MESSAGE:
        if (from == NULL) {
            send_simple(b, rid, rid_len, EXO_WIRE_NOT_REGISTERED, "not registered");
            send_error(b, rid, rid_len, &h.f[EXO_WIRE_F_ACTIVITY], "not-registered",
                       &h.f[EXO_WIRE_F_NAME], NULL, 0,
                       "this connection has not registered a role; send 'R' first");
            break;
        }
        on_message(b, from, &h, zmq_msg_size(&f[1]), now);
        break;
    default:
        reject(b, rid, rid_len, from, &h, EXO_WIRE_ETYPE, "this frame type is for the broker "
               "to send, not to receive");
        break;
    }
}

/*
 * A control request is "stats TOKEN" or "tail TOKEN" with the run's user token: the control
 * socket shows every payload, so it is the user's alone. On success *len is the length of the
 * request word; otherwise the asker gets an error and false is returned.
 */
static bool control_authorised(broker_t *b, const void *rid, size_t rid_len, const char *req,
                               size_t *len)
{
    const char *space = memchr(req, ' ', *len);
    if (space != NULL &&
        exo_zauth_is_user(b->auth, space + 1, *len - (size_t)(space + 1 - req))) {
        *len = (size_t)(space - req);
        return true;
    }
    b->auth_refused++;
    exo_log_warn(b->host, "refused a control request without the user token");
    static const char msg[] = "error: not authorised: send \"stats TOKEN\" or \"tail TOKEN\" "
                              "with the token of .exo/bus.json";
    if (zmq_send(b->ctl, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
        zmq_send(b->ctl, msg, sizeof msg - 1, ZMQ_DONTWAIT);
    }
    return false;
}

static void handle_control(broker_t *b, zmq_msg_t *f, int n, unsigned long long now)
{
    if (n != 2) {
        return;
    }
    const void *rid = zmq_msg_data(&f[0]);
    size_t rid_len = zmq_msg_size(&f[0]);
    const char *req = zmq_msg_data(&f[1]);
    size_t len = zmq_msg_size(&f[1]);
    if (!control_authorised(b, rid, rid_len, req, &len)) {
        return;
    }
    if (len == 5 && memcmp(req, "stats", 5) == 0) {
        json_t *st = NULL;
        exo_zbroker_stats(b, &st, NULL);
        char *text = st ? json_dumps(st, JSON_COMPACT) : NULL;
        json_decref(st);
        /* Clients that ask and never read cannot grow the broker: past the budget, no answer. */
        if (text != NULL && exo_outq_bytes(b->ctl_q) < EXO_BUS_TAIL_QUEUE_BYTES) {
            tail_t asker = {.rid_len = rid_len, .q = b->ctl_q};
            memcpy(asker.rid, rid, rid_len < sizeof asker.rid ? rid_len : sizeof asker.rid);
            tail_send(b, &asker, text, strlen(text));
        }
        free(text);
    } else if (len == 4 && memcmp(req, "tail", 4) == 0 && rid_len <= EXO_RT_RID_MAX) {
        size_t i;
        for (i = 0; i < b->n_tails; i++) {
            if (b->tails[i].rid_len == rid_len && memcmp(b->tails[i].rid, rid, rid_len) == 0) {
                break;
            }
        }
        if (i == b->n_tails) {
            if (b->n_tails == MAX_TAILS) {
                return;
            }
            b->n_tails++;
            b->tails[i] = (tail_t){.rid_len = rid_len, .q = exo_outq_new()};
            memcpy(b->tails[i].rid, rid, rid_len);
        }
        b->tails[i].last_seen = now;
        if (zmq_send(b->ctl, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
            zmq_send(b->ctl, "tail-ok", 7, ZMQ_DONTWAIT);
        }
    } else if (zmq_send(b->ctl, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
        zmq_send(b->ctl, "error: unknown request (stats, tail)", 36, ZMQ_DONTWAIT);
    }
}

static void resume(void *arg);

static void drain_control(broker_t *b, unsigned long long now)
{
    zmq_msg_t f[3];
    int n;
    bool overflow;
    while (exo_zframe_recv(b->ctl, f, 3, &n, &overflow, ZMQ_DONTWAIT) == 0) {
        handle_control(b, f, n, now);
        exo_zframe_close(f, n);
    }
}

/*
 * One pass: the service socket until EAGAIN, then the control socket until EAGAIN. A recv that
 * returns EAGAIN has processed the socket's pending commands, which re-arms its edge-triggered
 * ZMQ_FD; nothing touches the service socket after its EAGAIN and nothing touches the control
 * socket after its EAGAIN (tail events go out while handling the service socket, before), so
 * one pass leaves both armed. Each EAGAIN costs zmq a poll(2) on its mailbox: keep them few.
 */
static void drain(broker_t *b)
{
    zmq_msg_t f[3];
    int n;
    bool overflow;
    unsigned long long now = exo_now_ms();
    int budget = DRAIN_BUDGET;
    /* Frames beyond 3 are dropped: handle() reports a message that had too many. */
    while (budget > 0 && exo_zframe_recv(b->sock, f, 3, &n, &overflow, ZMQ_DONTWAIT) == 0) {
        handle(b, f, n, overflow, now);
        exo_zframe_close(f, n);
        if ((--budget & 255) == 0) {
            now = exo_now_ms();
            /* stats and tail requests are answered promptly however busy routing is */
            drain_control(b, now);
        }
    }
    drain_control(b, now);
    if (b->traced) {
        b->traced = false;
        b->on_trace(b->arg, NULL);
    }
    if (budget == 0 && b->resume_timer <= 0) {
        /* Let the rest of the loop run; come back right after. */
        b->resume_timer = b->host->timer_add(b->host, 0, false, resume, b);
    }
}

static void resume(void *arg)
{
    broker_t *b = arg;
    b->resume_timer = 0;
    drain(b);
}

static void on_fd(int fd, unsigned events, void *arg)
{
    drain(arg);
}

static void expired(void *arg, const exo_rt_instance_t *in)
{
    broker_t *b = arg;
    exo_bus_trace_t t = {.event = "unregister", .role = exo_rt_role_name(b->rt, in->role),
                         .instance = in->id, .reason = "timeout"};
    trace(b, &t);
    if (json_observed(b)) {
        emit(b, json_pack("{s:s,s:s,s:I,s:s}", "event", "unregister", "role",
                          exo_rt_role_name(b->rt, in->role), "instance", (json_int_t)in->id,
                          "reason", "timeout"));
    }
}

static void sweep(void *arg)
{
    broker_t *b = arg;
    unsigned long long now = exo_now_ms();
    /* While the broker is behind on its input (a drain ran out of budget), a silent instance
     * may just have its pings still queued: expire nobody until it caught up. */
    if (now > EXO_BUS_INSTANCE_TIMEOUT_MS && b->resume_timer <= 0) {
        exo_rt_expire(b->rt, now - EXO_BUS_INSTANCE_TIMEOUT_MS, expired, b);
    }
    if (b->adm != NULL) {
        exo_zadmit_drain(b->adm, now);
        size_t shut = exo_zadmit_sweep(b->adm, now);
        if (shut > 0) {
            exo_log_warn(b->host, "closed %zu connection(s) that did not register within %u ms",
                         shut, REGISTER_GRACE_MS);
        }
    }
    for (size_t i = 0; i < b->n_tails;) {
        tail_t *t = &b->tails[i];
        if (now - t->last_seen > EXO_BUS_TAIL_TIMEOUT_MS) {
            tail_forget(b, i);
            continue;
        }
        /* A tail that missed events and has room again hears of it even when all is quiet. */
        if (t->dropped > 0 && tail_has_room(t)) {
            tail_send_dropped(b, t);
        }
        i++;
    }
    /* After a burst, hand zmq's freed message buffers back to the system once it is quiet,
     * so that the broker's RSS returns to its idle size. */
    if (b->frames == b->frames_at_sweep && b->frames != b->frames_at_trim) {
        malloc_trim(0);
        b->frames_at_trim = b->frames;
    }
    b->frames_at_sweep = b->frames;
    drain(b);
}

/* ---- ops ---- */

static int control_endpoint_for(const char *listen, char *out, size_t n)
{
    if (strncmp(listen, "tcp://", 6) == 0) {
        const char *colon = strrchr(listen + 6, ':');
        if (colon == NULL) {
            return -1;
        }
        snprintf(out, n, "%.*s:0", (int)(colon - listen), listen);
    } else {
        snprintf(out, n, "%s.control", listen);
    }
    return 0;
}

static void *open_socket(broker_t *b, int type, const char *endpoint, char *bound, size_t n,
                         int *fd, exo_error_t *err)
{
    void *s = zmq_socket(b->ctx, type);
    int one = 1, zero = 0, hwm = 10000, sndtimeo = SEND_WAIT_MS;
    long long hard = (long long)b->max_size * 16 + 65536;
    zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    /* A peer that claims a routing id in use does not take the connection over. */
    zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    /* Each sender's frames waiting to be routed: ZeroMQ counts messages, so keep few. */
    int rcvhwm = RECV_HWM;
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo);
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &hard, sizeof hard);
    if (zmq_bind(s, endpoint) != 0) {
        exo_error_set(err, EXO_ERR_IO, "cannot listen on %s: %s; pick another with bus.listen "
                      "in application.yml or --listen", endpoint, zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    size_t len = n;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, bound, &len);
    len = sizeof *fd;
    zmq_getsockopt(s, ZMQ_FD, fd, &len);
    return s;
}

size_t exo_zbroker_config_queue_bytes(const exo_host_t *host, const json_t *config)
{
    const json_t *v = config != NULL ? host->config_get(config, "queue-bytes") : NULL;
    if (v == NULL) {
        return EXO_BUS_DEFAULT_QUEUE_BYTES;
    }
    if (json_is_integer(v)) {
        return json_integer_value(v) > 0 ? (size_t)json_integer_value(v) : 0;
    }
    const char *text = json_string_value(v);
    char *end;
    unsigned long long n = text ? strtoull(text, &end, 10) : 0;
    if (text == NULL || end == text) {
        return 0;
    }
    static const char units[] = "kmg";
    const char *u = *end ? strchr(units, *end | 0x20) : NULL;
    if (u != NULL) {
        n <<= 10 * (unsigned)(u - units + 1);
        end++;
    }
    return *end == '\0' || strcasecmp(end, "b") == 0 || strcasecmp(end, "ib") == 0
               ? (size_t)n : 0;
}

const char *exo_zbroker_config_listen(const exo_host_t *host, const json_t *config)
{
    const json_t *v = config != NULL ? host->config_get(config, "listen") : NULL;
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/*
 * Where the broker binds: spec->listen when the core chose one (`exo bus --listen`; during the
 * move to declared settings the core also copies bus.listen there), else `listen` of the bus
 * section, else the default. The default loopback endpoint cannot be reached from a container
 * network: with spec->bind_host (that network's gateway, from the backend) the broker binds
 * there instead, on any port, reachable from the host and the containers on that bridge but
 * not from other machines. New string.
 */
static char *listen_endpoint(const exo_host_t *host, const exo_bus_spec_t *spec)
{
    const char *listen = spec->listen != NULL && spec->listen[0] != '\0' ? spec->listen : NULL;
    const char *bind_host = NULL;
    if (EXO_HAS(spec, exo_bus_spec_t, bind_host)) {
        listen = listen ? listen : exo_zbroker_config_listen(host, spec->config);
        bind_host = spec->bind_host;
    }
    listen = listen ? listen : EXO_BUS_DEFAULT_LISTEN;
    if (bind_host != NULL && bind_host[0] != '\0' && strcmp(listen, EXO_BUS_DEFAULT_LISTEN) == 0) {
        return exo_strdupf("tcp://%s:0", bind_host);
    }
    return exo_xstrdup(listen);
}

/* The service socket on @p listen and the control socket next to it. */
static int open_sockets(broker_t *b, const char *listen, exo_error_t *err)
{
    char ctl_listen[256];
    if (control_endpoint_for(listen, ctl_listen, sizeof ctl_listen) < 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "bad bus endpoint '%s'; use tcp://HOST:PORT",
                             listen);
    }
    b->ctx = zmq_ctx_new();
    b->sock = open_socket(b, ZMQ_ROUTER, listen, b->endpoint, sizeof b->endpoint, &b->sock_fd,
                          err);
    if (b->sock != NULL) {
        b->ctl = open_socket(b, ZMQ_ROUTER, ctl_listen, b->control, sizeof b->control,
                             &b->ctl_fd, err);
    }
    return b->ctl != NULL ? 0 : err ? err->code : EXO_ERR_IO;
}

static void on_admit_fd(int fd, unsigned events, void *arg)
{
    broker_t *b = arg;
    exo_zadmit_drain(b->adm, exo_now_ms());
}

/* Unregistered connections may hold at most half the descriptors left after a reserve for
 * the app's units, the control socket and the broker's own files. */
static size_t unregistered_cap(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) {
        return 4096;
    }
    return rl.rlim_cur > 256 ? (size_t)(rl.rlim_cur - 128) / 2 : 64;
}

static int watch_sockets(broker_t *b, exo_error_t *err)
{
    const exo_host_t *host = b->host;
    b->adm = exo_zadmit_new(b->ctx, b->sock, unregistered_cap(), REGISTER_GRACE_MS);
    if (b->adm != NULL) {
        b->adm_watch = host->watch_fd(host, exo_zadmit_fd(b->adm), EXO_EV_READ, on_admit_fd, b);
    }
    b->sock_watch = host->watch_fd(host, b->sock_fd, EXO_EV_READ, on_fd, b);
    b->ctl_watch = host->watch_fd(host, b->ctl_fd, EXO_EV_READ, on_fd, b);
    b->sweep_timer = host->timer_add(host, 1000, true, sweep, b);
    if (b->sock_watch <= 0 || b->ctl_watch <= 0 || b->sweep_timer <= 0) {
        return exo_error_set(err, EXO_ERR_INTERNAL, "cannot watch the bus sockets on the event "
                             "loop");
    }
    return 0;
}

/*
 * Every connection costs the broker a descriptor: with the common soft limit of 1024, a
 * thousand idle connections from anyone leave no room for the app's services and the control
 * socket. Raise the soft limit to the hard one (issue 18 finding 5).
 */
static void raise_fd_limit(const exo_host_t *host)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0) {
            exo_log_debug(host, "descriptor limit raised from %llu to %llu",
                          (unsigned long long)old, (unsigned long long)rl.rlim_max);
        }
    }
}

int exo_zbroker_open(const exo_host_t *host, const exo_bus_spec_t *spec, void **inst,
                     exo_error_t *err)
{
    raise_fd_limit(host);
    *inst = NULL;
    broker_t *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    b->host = host;
    b->app = exo_xstrdup(spec->app ? spec->app : "(none)");
    b->max_size = spec->max_message_size ? spec->max_message_size : EXO_BUS_DEFAULT_MAX;
    b->ctl_q = exo_outq_new();
    b->queue_max = exo_zbroker_config_queue_bytes(host, EXO_HAS(spec, exo_bus_spec_t, config)
                                                            ? spec->config : NULL);
    if (b->queue_max == 0) {
        free(b->app);
        exo_outq_release(b->ctl_q);
        free(b);
        return exo_error_set(err, EXO_ERR_INVALID, "bus.queue-bytes: not a size; write a "
                             "number of bytes or 512k, 8m, 1g");
    }
    if (EXO_HAS(spec, exo_bus_spec_t, arg)) {
        b->on_event = spec->on_event;
        b->arg = spec->arg;
    }
    if (EXO_HAS(spec, exo_bus_spec_t, on_trace)) {
        b->on_trace = spec->on_trace;
    }
    snprintf(b->id_prefix, sizeof b->id_prefix, "b%x", (unsigned)getpid());
    b->rt = exo_rt_new();
    char msg[256];
    int rc = 0;
    b->auth = exo_zauth_new(EXO_HAS(spec, exo_bus_spec_t, user_token) ? spec->user_token : NULL,
                            err);
    if (b->auth == NULL) {
        exo_zbroker_close(b);
        return err ? err->code : EXO_ERR_INVALID;
    }
    if (spec->routes == NULL || exo_rt_set_routes(b->rt, spec->routes, NULL, msg, sizeof msg)) {
        rc = exo_error_set(err, EXO_ERR_INVALID, "%s", spec->routes ? msg : "routes: missing");
    }
    char *listen = listen_endpoint(host, spec);
    if (rc == 0 && (rc = open_sockets(b, listen, err)) == 0) {
        rc = watch_sockets(b, err);
    }
    free(listen);
    if (rc < 0) {
        exo_zbroker_close(b);
        return rc;
    }
    exo_log_debug(host, "broker for %s on %s (control %s)", b->app, b->endpoint, b->control);
    *inst = b;
    /* Peers may already be queued (services started before us). */
    drain(b);
    return 0;
}

const char *exo_zbroker_endpoint(void *inst)
{
    return ((broker_t *)inst)->endpoint;
}

const char *exo_zbroker_role_secret(void *inst, const char *role)
{
    return exo_zauth_role_secret(((broker_t *)inst)->auth, role);
}

const char *exo_zbroker_control_endpoint(void *inst)
{
    return ((broker_t *)inst)->control;
}

int exo_zbroker_set_routes(void *inst, const json_t *routes, exo_error_t *err)
{
    broker_t *b = inst;
    char msg[256];
    size_t dropped = 0;
    if (exo_rt_set_routes(b->rt, routes, &dropped, msg, sizeof msg) < 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "%s", msg);
    }
    if (dropped > 0) {
        exo_log_info(b->host, "new routing table: dropped %zu instance(s) of removed roles",
                     dropped);
    }
    return 0;
}

int exo_zbroker_stats(void *inst, json_t **out, exo_error_t *err)
{
    broker_t *b = inst;
    json_t *st = exo_rt_stats(b->rt);
    if (st == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    json_object_set_new(st, "endpoint", json_string(b->endpoint));
    json_object_set_new(st, "control", json_string(b->control));
    json_object_set_new(st, "app", json_string(b->app));
    json_object_set_new(st, "max_message_size", json_integer((json_int_t)b->max_size));
    json_object_set_new(st, "tail_clients", json_integer((json_int_t)b->n_tails));
    json_object_set_new(st, "tail_dropped", json_integer((json_int_t)b->tail_dropped));
    json_object_set_new(st, "auth_refused", json_integer((json_int_t)b->auth_refused));
    json_object_set_new(st, "unregistered_connections",
                        json_integer(b->adm ? (json_int_t)exo_zadmit_pending(b->adm) : 0));
    *out = st;
    return 0;
}

void exo_zbroker_close(void *inst)
{
    broker_t *b = inst;
    if (b == NULL) {
        return;
    }
    if (b->sock_watch > 0) {
        b->host->unwatch(b->host, b->sock_watch);
    }
    if (b->adm_watch > 0) {
        b->host->unwatch(b->host, b->adm_watch);
    }
    exo_zadmit_free(b->adm);
    if (b->ctl_watch > 0) {
        b->host->unwatch(b->host, b->ctl_watch);
    }
    if (b->sweep_timer > 0) {
        b->host->timer_cancel(b->host, b->sweep_timer);
    }
    if (b->resume_timer > 0) {
        b->host->timer_cancel(b->host, b->resume_timer);
    }
    if (b->sock != NULL) {
        zmq_close(b->sock);
    }
    if (b->ctl != NULL) {
        zmq_close(b->ctl);
    }
    if (b->ctx != NULL) {
        zmq_ctx_term(b->ctx);
    }
    exo_rt_free(b->rt);
    exo_zauth_free(b->auth);
    while (b->n_tails > 0) {
        tail_forget(b, 0);
    }
    exo_outq_release(b->ctl_q);
    free(b->app);
    free(b);
}
