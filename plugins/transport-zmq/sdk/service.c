/*
 * sdk/service.c - libexoservice (exo/service.h): a DEALER socket to the broker, a socket
 * monitor that re-registers after every (re)connection, pings when idle, handler dispatch and
 * blocking requests. Receiving copies the head fields into one reusable buffer, so a message
 * costs no allocation here beyond what zmq does. Sending (protocol 5): a message goes out at
 * once while the pipe is idle, else joins the next batch (flush); a batch from the broker is
 * split into its frames. A nats:// endpoint takes the NATS link instead
 * (plugins/transport-nats/sdk/natslink.h, when built with libnats): the same API, dispatch
 * and requests over it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include <exo/service.h>

#include "base/util.h"
#include "service_int.h"
#include "../batch.h"
#include "../wire.h"
#include "../zframe.h"
#ifdef EXO_SVC_NATS
#include <dlfcn.h>
#include <pthread.h>

#include "natslink.h"
#endif

#define EXPORT __attribute__((visibility("default")))
#define PING_MS 1000u
#define DEAD_MS 3000u
#define DRAIN_BUDGET 4096u /* frames read per poll */
#define BATCH_BYTES 65536u /* a batch is sent when it reaches this size */
#define COPIES_MAX 16      /* full batches sent as copies while the pipe is busy, at most */

/* Frames waiting to be sent as one batch, or a batch ZeroMQ has not taken yet (busy). */
typedef struct outbuf {
    exo_batch_t b;
    atomic_int busy; /* cleared by ZeroMQ's I/O thread when it has taken the frame */
} outbuf_t;

typedef struct handler {
    char *name; /* NULL = default */
    exo_svc_handler_fn fn;
    void *arg;
} handler_t;

/* A request waiting for its first reply; requests nest when a handler makes one. */
typedef struct waiter {
    const char *activity;
    exo_svc_msg_t *reply;
    int error;
    exo_error_t *err;
    struct waiter *prev;
} waiter_t;

struct exo_svc {
    void *ctx, *sock, *mon;
    struct exo_nlink *nats; /* a NATS bus instead of the socket (nats:// endpoint) */
    const struct exo_nlink_api *napi; /* libexoservice-nats, when nats is set */
    char *role, *endpoint, *label;
    char *token; /* the registration's credential; "" = none */
    bool transient, quiet, printed, online;
    volatile sig_atomic_t stop;
    handler_t *handlers;
    size_t n_handlers;
    const exo_svc_msg_t *current; /* message being handled */
    waiter_t *waiting;
    unsigned long long last_heard, last_ping;
    char id_prefix[12];
    unsigned long long seq;
    char *scratch;
    size_t scratch_cap;
    char reg_error[256]; /* why the broker refused our registration, or "" */
    unsigned budget;     /* frames read per poll */
    int rcv_hwm;         /* messages ZeroMQ holds for us before the broker waits */
    outbuf_t out[2];     /* out[cur] collects; the other may be on its way */
    int cur;
    atomic_int copies;   /* batches sent as copies that ZeroMQ has not taken yet */
};

/* Ids: a random per-process prefix plus a counter; unique without a syscall per message. */
static void next_id(exo_svc_t *svc, char *out, size_t n)
{
    /* By hand: snprintf was a quarter of a sender's CPU time (two ids per message). */
    static const char hex[] = "0123456789abcdef";
    char digits[16];
    size_t k = 0;
    unsigned long long v = ++svc->seq;
    do {
        digits[k++] = hex[v & 15];
        v >>= 4;
    } while (v != 0);
    size_t plen = strlen(svc->id_prefix);
    if (plen + k + 1 > n) {
        out[0] = '\0';
        return;
    }
    memcpy(out, svc->id_prefix, plen);
    for (size_t i = 0; i < k; i++) {
        out[plen + i] = digits[k - 1 - i];
    }
    out[plen + k] = '\0';
}

static void outbuf_taken(void *data, void *hint)
{
    (void)data;
    atomic_store_explicit(&((outbuf_t *)hint)->busy, 0, memory_order_release);
}

static void copy_taken(void *data, void *hint)
{
    free(data);
    atomic_fetch_sub_explicit((atomic_int *)hint, 1, memory_order_release);
}

/*
 * Send what out[cur] collected: a lone frame as itself, more as one batch ('K'). While the
 * other buffer is still on its way (ZeroMQ's I/O thread has not taken it: the pipe is busy),
 * nothing is sent unless @p full, which sends a copy (polls and flushes: never wait here).
 */
static int flush(exo_svc_t *svc, bool full)
{
    outbuf_t *acc = &svc->out[svc->cur], *other = &svc->out[!svc->cur];
    if (acc->b.frames == 0) {
        return 0;
    }
    bool other_busy = atomic_load_explicit(&other->busy, memory_order_acquire) != 0;
    if (other_busy && !full) {
        return 0;
    }
    size_t len;
    const unsigned char *data = exo_batch_bytes(&acc->b, &len);
    zmq_msg_t m;
    int rc;
    if (other_busy) {
        void *copy = malloc(len);
        rc = copy != NULL ? 0 : -1;
        if (copy != NULL) {
            memcpy(copy, data, len);
            atomic_fetch_add_explicit(&svc->copies, 1, memory_order_relaxed);
            rc = zmq_msg_init_data(&m, copy, len, copy_taken, &svc->copies);
        }
    } else {
        /* ZeroMQ takes the buffer itself; the other one collects meanwhile. */
        atomic_store_explicit(&acc->busy, 1, memory_order_relaxed);
        rc = zmq_msg_init_data(&m, (void *)data, len, outbuf_taken, acc);
        svc->cur = !svc->cur;
    }
    exo_batch_clear(&acc->b);
    if (rc == 0 && (rc = zmq_msg_send(&m, svc->sock, 0)) < 0) {
        int e = errno;
        zmq_msg_close(&m);
        errno = e;
    }
    return rc < 0 ? -1 : 0;
}

/* Append one frame to the batch being collected; send at once when the pipe is idle. */
static int send_frame(exo_svc_t *svc, const exo_wire_head_t *h)
{
    exo_batch_t *acc = &svc->out[svc->cur].b;
    if (acc->frames > 0 && exo_batch_size_with(acc, h) > BATCH_BYTES) {
        /* A full batch goes as a copy while the pipe is busy, up to COPIES_MAX of them, then
         * waits, as a send waited for room in ZeroMQ's queue before batches: a flood is paced
         * by the broker, not queued without bound. */
        atomic_int *busy = &svc->out[!svc->cur].busy;
        while (atomic_load_explicit(busy, memory_order_acquire) &&
               atomic_load_explicit(&svc->copies, memory_order_acquire) >= COPIES_MAX &&
               !svc->stop) {
            struct timespec us = {0, 20000};
            nanosleep(&us, NULL);
        }
        if (flush(svc, true) < 0) {
            return -1;
        }
    }
    if (exo_batch_add(&svc->out[svc->cur].b, EXO_WIRE_VERSION, h) < 0) {
        return -1;
    }
    return flush(svc, false);
}

static void send_register(exo_svc_t *svc)
{
    exo_wire_head_t h = exo_wire_register(svc->role, svc->label, svc->transient, svc->token);
    send_frame(svc, &h);
    svc->last_ping = exo_now_ms();
}

EXPORT void exo_svc_close(exo_svc_t **svc_p)
{
    exo_svc_t *svc = svc_p ? *svc_p : NULL;
    if (svc == NULL) {
        return;
    }
    if (svc->sock != NULL) {
        if (svc->online) {
            exo_wire_head_t bye = {.type = EXO_WIRE_BYE};
            int linger = 200;
            zmq_setsockopt(svc->sock, ZMQ_LINGER, &linger, sizeof linger);
            send_frame(svc, &bye);
        }
        flush(svc, true);
        zmq_socket_monitor(svc->sock, NULL, 0);
        zmq_close(svc->sock);
    }
    if (svc->mon != NULL) {
        zmq_close(svc->mon);
    }
    if (svc->ctx != NULL) {
        zmq_ctx_term(svc->ctx);
    }
#ifdef EXO_SVC_NATS
    if (svc->nats != NULL) {
        svc->napi->close(&svc->nats);
    }
#endif
    for (size_t i = 0; i < svc->n_handlers; i++) {
        free(svc->handlers[i].name);
    }
    free(svc->handlers);
    free(svc->scratch);
    exo_batch_free(&svc->out[0].b);
    exo_batch_free(&svc->out[1].b);
    free(svc->role);
    free(svc->endpoint);
    free(svc->label);
    free(svc->token);
    free(svc);
    *svc_p = NULL;
}

/* The DEALER socket, its monitor (re-registration after every handshake) and the connect. */
static int open_socket(exo_svc_t *svc, exo_error_t *err)
{
    svc->ctx = zmq_ctx_new();
    svc->sock = zmq_socket(svc->ctx, ZMQ_DEALER);
    int zero = 0, ivl = 100, ivl_max = 500, hwm = 10000, rcv_hwm = svc->rcv_hwm;
    zmq_setsockopt(svc->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(svc->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(svc->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    zmq_setsockopt(svc->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(svc->sock, ZMQ_RCVHWM, &rcv_hwm, sizeof rcv_hwm);
    char mon[64];
    snprintf(mon, sizeof mon, "inproc://exo-svc-monitor-%p", (void *)svc);
    if (zmq_socket_monitor(svc->sock, mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0 ||
        (svc->mon = zmq_socket(svc->ctx, ZMQ_PAIR)) == NULL || zmq_connect(svc->mon, mon) != 0) {
        return exo_error_set(err, EXO_ERR_INTERNAL, "cannot monitor the bus socket: %s",
                             zmq_strerror(errno));
    }
    if (zmq_connect(svc->sock, svc->endpoint) != 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "cannot connect to the bus at '%s': %s; "
                             "EXO_BUS_ENDPOINT looks like tcp://127.0.0.1:PORT", svc->endpoint,
                             zmq_strerror(errno));
    }
    svc->last_heard = svc->last_ping = exo_now_ms();
    return 0;
}

static bool is_nats_endpoint(const char *endpoint)
{
    return strncmp(endpoint, "nats://", 7) == 0;
}

#ifdef EXO_SVC_NATS
static const exo_nlink_api_t *nats_api;
static char nats_api_error[512];

/* libexoservice-nats from this library's own directory (build tree, install, a container's
 * copy), else the loader's search path; once per process. */
static void load_nats_api(void)
{
    Dl_info self;
    void *h = NULL;
    if (dladdr((void *)&exo_svc_connect, &self) != 0 && self.dli_fname != NULL &&
        strrchr(self.dli_fname, '/') != NULL) {
        const char *slash = strrchr(self.dli_fname, '/');
        char *path = exo_strdupf("%.*s/%s", (int)(slash - self.dli_fname), self.dli_fname,
                                 EXO_NLINK_LIBRARY);
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        free(path);
    }
    if (h == NULL) {
        h = dlopen(EXO_NLINK_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    }
    const exo_nlink_api_t *api = h != NULL ? dlsym(h, EXO_NLINK_API_SYMBOL) : NULL;
    if (api == NULL || api->size < sizeof *api) {
        snprintf(nats_api_error, sizeof nats_api_error, "%s", h == NULL ? dlerror()
                 : "it has no usable " EXO_NLINK_API_SYMBOL);
        return;
    }
    nats_api = api;
}
#endif

/* The NATS link for a nats:// endpoint (docs/bus-nats.md). */
static int open_nats(exo_svc_t *svc, exo_error_t *err)
{
#ifdef EXO_SVC_NATS
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_nats_api);
    if (nats_api == NULL) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "the bus at '%s' is a NATS server, but "
                             "libexoservice cannot load " EXO_NLINK_LIBRARY " (%s): install it "
                             "next to libexoservice, with libnats", svc->endpoint,
                             nats_api_error);
    }
    exo_nlink_spec_t spec = {
        .endpoint = svc->endpoint, .role = svc->role, .token = svc->token, .label = svc->label,
        .contract = getenv("EXO_BUS_CONTRACT"), .transient = svc->transient,
    };
    svc->napi = nats_api;
    svc->nats = nats_api->open(&spec, err);
    return svc->nats != NULL ? 0 : EXO_ERR_UNAVAILABLE;
#else
    return exo_error_set(err, EXO_ERR_UNAVAILABLE, "the bus at '%s' is a NATS server, but this "
                         "libexoservice was built without NATS (libnats-dev was missing when "
                         "exo was configured): install libnats-dev and rebuild exo, or run the "
                         "app on the zmq transport", svc->endpoint);
#endif
}

/* Poll until the broker registered us, refused us, or @p wait_ms passed. */
static int wait_registered(exo_svc_t *svc, unsigned wait_ms, exo_error_t *err)
{
    unsigned long long deadline = exo_now_ms() + wait_ms;
    while (!svc->online && svc->reg_error[0] == '\0' && exo_now_ms() < deadline) {
        if (exo_svc_poll(svc, (int)(deadline - exo_now_ms())) < 0) {
            break;
        }
    }
#ifdef EXO_SVC_NATS
    const char *refusal = svc->nats != NULL ? svc->napi->refusal(svc->nats) : NULL;
    if (!svc->online && refusal != NULL) {
        snprintf(svc->reg_error, sizeof svc->reg_error, "%s", refusal);
    }
#endif
    if (svc->reg_error[0] != '\0') {
        return exo_error_set(err, EXO_ERR_INVALID, "the bus refused role '%s': %s", svc->role,
                             svc->reg_error);
    }
    if (!svc->online) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "role '%s' did not get registered with "
                             "the bus at %s within %u ms", svc->role, svc->endpoint, wait_ms);
    }
    return 0;
}

static exo_svc_t *svc_connect(const exo_svc_options_t *opts, int rcv_hwm, exo_error_t *err);

EXPORT exo_svc_t *exo_svc_connect(const exo_svc_options_t *opts, exo_error_t *err)
{
    return svc_connect(opts, 10000, err);
}

exo_svc_t *exo_svc_connect_bounded(const exo_svc_options_t *opts, int rcv_hwm, exo_error_t *err)
{
    return svc_connect(opts, rcv_hwm > 0 ? rcv_hwm : 10000, err);
}

static exo_svc_t *svc_connect(const exo_svc_options_t *opts, int rcv_hwm, exo_error_t *err)
{
    exo_svc_options_t o = {.size = sizeof o};
    if (opts != NULL) {
        memcpy(&o, opts, opts->size < sizeof o ? opts->size : sizeof o);
    }
    const char *role = o.role ? o.role : getenv("EXO_ROLE");
    const char *endpoint = o.endpoint ? o.endpoint : getenv("EXO_BUS_ENDPOINT");
    if (role == NULL || role[0] == '\0') {
        exo_error_set(err, EXO_ERR_INVALID, "no role: set EXO_ROLE (exo does this for every "
                      "service) or exo_svc_options_t.role");
        return NULL;
    }
    if (endpoint == NULL || endpoint[0] == '\0') {
        exo_error_set(err, EXO_ERR_INVALID, "no bus endpoint: set EXO_BUS_ENDPOINT (exo does "
                      "this for every service) or exo_svc_options_t.endpoint");
        return NULL;
    }
    exo_svc_t *svc = calloc(1, sizeof *svc);
    if (svc == NULL) {
        exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    svc->role = exo_xstrdup(role);
    svc->endpoint = exo_xstrdup(endpoint);
    const char *token = o.token ? o.token : getenv("EXO_BUS_TOKEN");
    svc->token = exo_xstrdup(token ? token : "");
    if (o.label != NULL) {
        svc->label = exo_xstrdup(o.label);
    } else {
        char host[64] = "localhost";
        gethostname(host, sizeof host - 1);
        svc->label = exo_strdupf("%s:%d", host, (int)getpid());
    }
    svc->transient = o.transient;
    svc->quiet = o.quiet;
    svc->budget = DRAIN_BUDGET;
    svc->rcv_hwm = rcv_hwm;
    exo_random_hex(svc->id_prefix, 5); /* unique is enough: a failed getrandom will do */
    svc->id_prefix[9] = '-';
    svc->id_prefix[10] = '\0';
    int rc = is_nats_endpoint(svc->endpoint) ? open_nats(svc, err) : open_socket(svc, err);
    if (rc < 0 || (o.wait_ms > 0 && wait_registered(svc, o.wait_ms, err) < 0)) {
        exo_svc_close(&svc);
        return NULL;
    }
    return svc;
}

EXPORT const char *exo_svc_role(const exo_svc_t *svc)
{
    return svc->role;
}

EXPORT bool exo_svc_online(const exo_svc_t *svc)
{
    return svc->online;
}

EXPORT int exo_svc_on(exo_svc_t *svc, const char *name, exo_svc_handler_fn fn, void *arg)
{
    for (size_t i = 0; i < svc->n_handlers; i++) {
        handler_t *h = &svc->handlers[i];
        if ((name == NULL && h->name == NULL) || (name && h->name && !strcmp(name, h->name))) {
            h->fn = fn;
            h->arg = arg;
            return 0;
        }
    }
    handler_t *p = realloc(svc->handlers, (svc->n_handlers + 1) * sizeof *p);
    if (p == NULL) {
        return EXO_ERR_NOMEM;
    }
    svc->handlers = p;
    p[svc->n_handlers++] = (handler_t){name ? exo_xstrdup(name) : NULL, fn, arg};
    return 0;
}

/* @p via: the handled message's (a reply or a message in its activity), or NULL (a new one). */
static int send_msg(exo_svc_t *svc, const char *name, const char *activity, const char *auth,
                    const char *via, const char *json, size_t len, exo_error_t *err)
{
    if (name == NULL || !exo_wire_name_ok(name, strlen(name)) || name[0] == '\0' ||
        strlen(name) > EXO_WIRE_NAME_MAX) {
        return exo_error_set(err, EXO_ERR_INVALID, "invalid message name '%s': 1..255 bytes of "
                             "UTF-8 without control characters", name ? name : "(null)");
    }
    if (!svc->online) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "'%s' not sent: %s is not registered "
                             "with the bus at %s (yet)", name, svc->role, svc->endpoint);
    }
    char id[40], act[40];
    next_id(svc, id, sizeof id);
    if (activity == NULL) {
        next_id(svc, act, sizeof act);
        activity = act;
    }
#ifdef EXO_SVC_NATS
    if (svc->nats != NULL) {
        return svc->napi->send(svc->nats, name, id, activity, auth, via, json, len, err);
    }
#endif
    exo_wire_head_t h = exo_wire_message(name, id, activity, auth, json, len);
    h.f[EXO_WIRE_F_VIA] = exo_wire_s(via);
    if (send_frame(svc, &h) < 0) {
        return exo_error_set(err, EXO_ERR_IO, "'%s' not sent: %s", name, zmq_strerror(errno));
    }
    return 0;
}

EXPORT int exo_svc_send_raw(exo_svc_t *svc, const char *name, const char *json, size_t len,
                            exo_error_t *err)
{
    const exo_svc_msg_t *cur = svc->current;
    return send_msg(svc, name, cur ? cur->activity : NULL, cur ? cur->auth : NULL,
                    cur ? cur->via : NULL, json, len, err);
}

EXPORT int exo_svc_send_ex(exo_svc_t *svc, const char *name, const char *json, size_t len,
                           const char *activity, const char *auth, exo_error_t *err)
{
    if (activity != NULL && (activity[0] == '\0' || strlen(activity) > EXO_WIRE_ID_MAX)) {
        return exo_error_set(err, EXO_ERR_INVALID, "invalid activity id '%s'", activity);
    }
    /* Joining the handled message's activity keeps its way back; another activity is new. */
    const exo_svc_msg_t *cur = svc->current;
    const char *via = cur && activity && strcmp(activity, cur->activity) == 0 ? cur->via : NULL;
    return send_msg(svc, name, activity, auth, via, json, len, err);
}

static int with_json(exo_svc_t *svc, const exo_svc_msg_t *to, const char *name,
                     const json_t *payload, exo_error_t *err)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (payload != NULL && text == NULL) {
        return exo_error_set(err, EXO_ERR_INVALID, "'%s' not sent: payload cannot be encoded",
                             name);
    }
    int rc = to ? exo_svc_reply_raw(svc, to, name, text, text ? strlen(text) : 0, err)
                : exo_svc_send_raw(svc, name, text, text ? strlen(text) : 0, err);
    free(text);
    return rc;
}

EXPORT int exo_svc_send(exo_svc_t *svc, const char *name, const json_t *payload,
                        exo_error_t *err)
{
    return with_json(svc, NULL, name, payload, err);
}

EXPORT int exo_svc_reply_raw(exo_svc_t *svc, const exo_svc_msg_t *to, const char *name,
                             const char *json, size_t len, exo_error_t *err)
{
    return send_msg(svc, name, to->activity, to->auth, to->via, json, len, err);
}

EXPORT int exo_svc_reply(exo_svc_t *svc, const exo_svc_msg_t *to, const char *name,
                         const json_t *payload, exo_error_t *err)
{
    return with_json(svc, to, name, payload, err);
}

EXPORT json_t *exo_svc_msg_json(const exo_svc_msg_t *msg)
{
    if (msg == NULL || msg->payload == NULL) {
        return NULL;
    }
    return json_loadb(msg->payload, msg->payload_len, JSON_DECODE_ANY, NULL);
}

EXPORT exo_svc_msg_t *exo_svc_msg_dup(const exo_svc_msg_t *m)
{
    const char *s[6] = {m->name, m->id, m->activity, m->sender, m->auth, m->via};
    size_t total = sizeof(exo_svc_msg_t) + m->payload_len + 1;
    for (int i = 0; i < 6; i++) {
        total += s[i] ? strlen(s[i]) + 1 : 0;
    }
    exo_svc_msg_t *d = malloc(total);
    if (d == NULL) {
        return NULL;
    }
    char *p = (char *)(d + 1);
    const char **dst[6] = {&d->name, &d->id, &d->activity, &d->sender, &d->auth, &d->via};
    for (int i = 0; i < 6; i++) {
        if (s[i] == NULL) {
            *dst[i] = NULL;
            continue;
        }
        size_t n = strlen(s[i]) + 1;
        memcpy(p, s[i], n);
        *dst[i] = p;
        p += n;
    }
    d->payload_len = m->payload_len;
    if (m->payload != NULL) {
        memcpy(p, m->payload, m->payload_len);
        p[m->payload_len] = '\0';
        d->payload = p;
    } else {
        d->payload = NULL;
    }
    return d;
}

EXPORT void exo_svc_msg_free(exo_svc_msg_t *msg)
{
    free(msg);
}

static bool is_bus_error(const exo_svc_msg_t *m)
{
    return strcmp(m->sender, EXO_WIRE_BUS_SENDER) == 0 && strcmp(m->name, EXO_WIRE_ERROR_NAME) == 0;
}

/* For a waiting request: is this exo.error final (nothing will come)? Fills w->err. */
static bool error_is_final(const exo_svc_msg_t *m, waiter_t *w)
{
    json_t *p = exo_svc_msg_json(m);
    const char *kind = json_string_value(json_object_get(p, "error"));
    const char *text = json_string_value(json_object_get(p, "message"));
    json_int_t delivered = json_integer_value(json_object_get(p, "delivered"));
    bool final = !(kind && strcmp(kind, "no-receiver") == 0 && delivered > 0);
    if (final) {
        w->error = exo_error_set(w->err, kind && !strcmp(kind, "no-receiver")
                                             ? EXO_ERR_UNAVAILABLE : EXO_ERR_INVALID,
                                 "the bus refused the request (%s): %s", kind ? kind : "?",
                                 text ? text : "no reason given");
    }
    json_decref(p);
    return final;
}

static void dispatch(exo_svc_t *svc, const exo_svc_msg_t *m)
{
    for (waiter_t *w = svc->waiting; w != NULL; w = w->prev) {
        if (w->reply == NULL && w->error == 0 && strcmp(w->activity, m->activity) == 0) {
            if (!is_bus_error(m)) {
                w->reply = exo_svc_msg_dup(m);
                return;
            }
            if (error_is_final(m, w)) {
                return;
            }
        }
    }
    handler_t *def = NULL;
    for (size_t i = 0; i < svc->n_handlers; i++) {
        handler_t *h = &svc->handlers[i];
        if (h->name == NULL) {
            def = h;
        } else if (strcmp(h->name, m->name) == 0) {
            def = h;
            break;
        }
    }
    /* The broker refused our registration: an unknown role or no valid credential. */
    if (is_bus_error(m) && !svc->online && m->payload != NULL &&
        (memmem(m->payload, m->payload_len, "\"unknown-role\"", 14) != NULL ||
         memmem(m->payload, m->payload_len, "\"not-authorised\"", 16) != NULL)) {
        json_t *p = exo_svc_msg_json(m);
        snprintf(svc->reg_error, sizeof svc->reg_error, "%s",
                 json_string_value(json_object_get(p, "message")) ?: "unknown role");
        json_decref(p);
    }
    if (def == NULL || (def->name == NULL && is_bus_error(m))) {
        if (is_bus_error(m)) {
            fprintf(stderr, "%s: bus error: %.*s\n", svc->role, (int)m->payload_len,
                    m->payload ? m->payload : "");
        } else {
            fprintf(stderr, "%s: no handler for message '%s'\n", svc->role, m->name);
        }
        return;
    }
    const exo_svc_msg_t *saved = svc->current;
    svc->current = m;
    def->fn(svc, m, def->arg);
    svc->current = saved;
}

/* Copy the head fields NUL-terminated into the scratch buffer and dispatch. */
static void on_message(exo_svc_t *svc, const exo_wire_head_t *h)
{
    size_t need = 0;
    for (int i = 0; i < 6; i++) {
        need += h->f[i].len + 1;
    }
    if (need > svc->scratch_cap) {
        char *p = realloc(svc->scratch, need);
        if (p == NULL) {
            return;
        }
        svc->scratch = p;
        svc->scratch_cap = need;
    }
    /* Dispatch may nest (a handler that makes a request); keep the outer scratch intact. */
    char *buf = svc->scratch;
    bool own = svc->current != NULL || svc->waiting != NULL;
    if (own && (buf = malloc(need)) == NULL) {
        return;
    }
    const char *s[6];
    char *p = buf;
    for (int i = 0; i < 6; i++) {
        if (h->f[i].len > 0) {
            memcpy(p, h->f[i].p, h->f[i].len);
        }
        p[h->f[i].len] = '\0';
        s[i] = p;
        p += h->f[i].len + 1;
    }
    exo_svc_msg_t m = {
        .name = s[0], .id = s[1], .activity = s[2], .sender = s[3],
        .auth = h->f[EXO_WIRE_F_AUTH].len ? s[4] : NULL,
        .payload = h->payload.len ? h->payload.p : NULL,
        .payload_len = h->payload.len, .via = s[5],
    };
    dispatch(svc, &m);
    if (own) {
        free(buf);
    }
}

static void on_registered(exo_svc_t *svc)
{
    svc->online = true;
    if (!svc->printed && !svc->quiet) {
        printf("%s online\n", svc->role);
        fflush(stdout);
    }
    svc->printed = true;
}

static int handle_frame(exo_svc_t *svc, const void *data, size_t len, int n);

/* Handle one multipart from the broker (a frame or a batch of them); returns the number of
 * messages dispatched. */
static int handle(exo_svc_t *svc, zmq_msg_t *f, int n)
{
    const void *data = zmq_msg_data(&f[0]);
    size_t len = zmq_msg_size(&f[0]);
    if (n != 1 || !exo_wire_is_batch(data, len)) {
        return handle_frame(svc, data, len, n);
    }
    /* Every frame of a batch is handled, also after exo_svc_stop: nothing is lost. */
    int dispatched = 0;
    size_t pos = 0, flen;
    const void *frame;
    while (exo_wire_batch_next(data, len, &pos, &frame, &flen) == 1) {
        dispatched += handle_frame(svc, frame, flen, 1);
    }
    return dispatched;
}

static int handle_frame(exo_svc_t *svc, const void *data, size_t len, int n)
{
    exo_wire_head_t h;
    /* The broker validated what it forwards; only the structure is checked again here. */
    if (exo_wire_decode_trusted(data, len, &h) != EXO_WIRE_OK) {
        return 0;
    }
    switch (h.type) {
    case EXO_WIRE_REGISTERED:
        on_registered(svc);
        return 0;
    case EXO_WIRE_PONG:
        /* The broker answers pings with O only for registered connections. */
        svc->online = true;
        return 0;
    case EXO_WIRE_NOT_REGISTERED:
        svc->online = false;
        send_register(svc);
        return 0;
    case EXO_WIRE_MESSAGE:
        if (n == 1) {
            on_message(svc, &h);
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

static void check_monitor(exo_svc_t *svc)
{
    for (;;) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, svc->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        if (zmq_msg_more(&ev)) {
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, svc->mon, 0);
            zmq_msg_close(&addr);
        }
        uint16_t event = 0;
        if (zmq_msg_size(&ev) >= 2) {
            memcpy(&event, zmq_msg_data(&ev), 2);
        }
        zmq_msg_close(&ev);
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            send_register(svc);
        }
    }
}

static void tick(exo_svc_t *svc)
{
    unsigned long long now = exo_now_ms();
    /* Ping on our own schedule, however busy the broker keeps us: it expires an instance
     * after 3.5 s without a frame *from* it, and a service that only receives sends nothing
     * else. */
    if (now - svc->last_ping >= PING_MS) {
        exo_wire_head_t ping = {.type = EXO_WIRE_PING};
        send_frame(svc, &ping);
        svc->last_ping = now;
    }
    if (svc->online && now - svc->last_heard > DEAD_MS) {
        svc->online = false; /* the broker is gone; the monitor re-registers on reconnect */
    }
}

static int drain(exo_svc_t *svc)
{
    int dispatched = 0;
    for (unsigned budget = 0; budget < svc->budget; budget++) {
        zmq_msg_t f[2];
        int n = 0;
        bool overflow;
        if (exo_zframe_recv(svc->sock, f, 2, &n, &overflow, ZMQ_DONTWAIT) < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                break;
            }
            return -1;
        }
        if ((budget & 63) == 0) {
            svc->last_heard = exo_now_ms(); /* a clock read per message was ~8% of a receiver */
        }
        dispatched += handle(svc, f, n);
        exo_zframe_close(f, n);
        if (svc->stop) {
            break;
        }
    }
    return dispatched;
}

#ifdef EXO_SVC_NATS
/* exo_svc_poll on a NATS link: wait for its queue, dispatch what is there (within the budget),
 * bring the online state up to date. */
static int poll_nats(exo_svc_t *svc, int timeout_ms)
{
    long wait = timeout_ms < 0 || timeout_ms > (int)PING_MS ? (long)PING_MS : timeout_ms;
    const exo_nlink_api_t *api = svc->napi;
    zmq_pollitem_t item = {NULL, api->fd(svc->nats), ZMQ_POLLIN, 0};
    if (!api->online(svc->nats)) {
        wait = wait > 50 ? 50 : wait; /* the connection comes up on libnats' thread */
    }
    if (zmq_poll(&item, 1, wait) < 0 && errno != EINTR) {
        return -1;
    }
    if (api->tick(svc->nats)) {
        on_registered(svc);
    }
    svc->online = api->online(svc->nats);
    int dispatched = 0;
    exo_svc_msg_t *m;
    while ((unsigned)dispatched < svc->budget && !svc->stop &&
           (m = api->next(svc->nats)) != NULL) {
        dispatch(svc, m);
        exo_svc_msg_free(m);
        dispatched++;
    }
    return dispatched;
}
#endif

EXPORT int exo_svc_poll(exo_svc_t *svc, int timeout_ms)
{
#ifdef EXO_SVC_NATS
    if (svc->nats != NULL) {
        return poll_nats(svc, timeout_ms);
    }
#endif
    /* What was collected while the pipe was busy goes before waiting. */
    flush(svc, true);
    zmq_pollitem_t items[2] = {{svc->sock, 0, ZMQ_POLLIN, 0}, {svc->mon, 0, ZMQ_POLLIN, 0}};
    long wait = timeout_ms < 0 || timeout_ms > (int)PING_MS ? (long)PING_MS : timeout_ms;
    int rc = zmq_poll(items, 2, wait);
    if (rc < 0 && errno != EINTR) {
        return -1;
    }
    if (rc > 0 && (items[1].revents & ZMQ_POLLIN)) {
        check_monitor(svc);
    }
    int n = rc > 0 ? drain(svc) : 0;
    tick(svc);
    flush(svc, true); /* what the handlers sent while the pipe was busy */
    return n;
}

EXPORT int exo_svc_flush(exo_svc_t *svc)
{
    return flush(svc, true) < 0 ? EXO_ERR_IO : 0;
}

EXPORT int exo_svc_run(exo_svc_t *svc)
{
    svc->stop = 0;
    while (!svc->stop) {
        if (exo_svc_poll(svc, -1) < 0) {
            return EXO_ERR_IO;
        }
    }
    return 0;
}

EXPORT int exo_svc_fd(const exo_svc_t *svc)
{
#ifdef EXO_SVC_NATS
    if (svc->nats != NULL) {
        return svc->napi->fd(svc->nats);
    }
#endif
    int fd = -1;
    size_t len = sizeof fd;
    zmq_getsockopt(svc->sock, ZMQ_FD, &fd, &len);
    return fd;
}

/* ---- for the transport plugin's long-lived client (service_int.h), not exported ---- */

void exo_svc_set_budget(exo_svc_t *svc, unsigned frames)
{
    svc->budget = frames > 0 ? frames : DRAIN_BUDGET;
}

int exo_svc_monitor_fd(const exo_svc_t *svc)
{
    int fd = -1;
    size_t len = sizeof fd;
    zmq_getsockopt(svc->mon, ZMQ_FD, &fd, &len);
    return fd;
}

bool exo_svc_has_input(const exo_svc_t *svc)
{
    void *socks[2] = {svc->sock, svc->mon};
    for (int i = 0; i < 2; i++) {
        int ev = 0;
        size_t len = sizeof ev;
        if (zmq_getsockopt(socks[i], ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLIN)) {
            return true;
        }
    }
    return false;
}

EXPORT void exo_svc_stop(exo_svc_t *svc)
{
    svc->stop = 1;
}

EXPORT int exo_svc_request(exo_svc_t *svc, const char *name, const json_t *payload,
                           unsigned timeout_ms, exo_svc_msg_t **reply, exo_error_t *err)
{
    *reply = NULL;
    char act[40];
    next_id(svc, act, sizeof act);
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const exo_svc_msg_t *cur = svc->current;
    int rc = send_msg(svc, name, act, cur ? cur->auth : NULL, NULL, text,
                      text ? strlen(text) : 0, err);
    free(text);
    if (rc < 0) {
        return rc;
    }
    waiter_t w = {.activity = act, .err = err, .prev = svc->waiting};
    svc->waiting = &w;
    unsigned long long deadline = exo_now_ms() + timeout_ms;
    while (w.reply == NULL && w.error == 0 && !svc->stop) {
        unsigned long long now = exo_now_ms();
        if (now >= deadline) {
            break;
        }
        if (exo_svc_poll(svc, (int)(deadline - now)) < 0) {
            w.error = exo_error_set(err, EXO_ERR_IO, "bus socket failed while waiting for a "
                                    "reply to '%s'", name);
        }
    }
    svc->waiting = w.prev;
    if (w.reply != NULL) {
        *reply = w.reply;
        return 0;
    }
    if (w.error != 0) {
        return w.error;
    }
    return exo_error_set(err, EXO_ERR_TIMEOUT, "no reply to '%s' within %u ms", name,
                         timeout_ms);
}
