/* natslink.c - libexoservice on a NATS bus; see natslink.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <jansson.h>
#include <nats/nats.h>

#include "base/util.h"
#include "../nmsg.h"
#include "../subject.h"
#include "natslink.h"

#define RECONNECT_WAIT_MS 100
#define CONNECT_TIMEOUT_MS 2000
#define FLUSH_MS 1000

/* A queued message: from the server, or an exo.error made here. */
typedef struct item {
    natsMsg *nm;
    exo_svc_msg_t *local;
    struct item *next;
} item_t;

struct exo_nlink {
    natsConnection *nc;
    char *app, *role, *inst, *user, *label;
    json_t *contract;
    bool transient, online, ever_online;
    natsSubscription **subs;
    size_t n_subs;
    pthread_mutex_t lock; /* guards the queue and refusal */
    item_t *head, *tail;
    int efd;
    char refusal[256];
};

/* ---- the queue (libnats' threads push, the service's thread pops) ---- */

static void push(exo_nlink_t *l, natsMsg *nm, exo_svc_msg_t *local)
{
    item_t *it = exo_xcalloc(1, sizeof *it);
    it->nm = nm;
    it->local = local;
    pthread_mutex_lock(&l->lock);
    if (l->tail != NULL) {
        l->tail->next = it;
    } else {
        l->head = it;
    }
    l->tail = it;
    pthread_mutex_unlock(&l->lock);
    uint64_t one = 1;
    ssize_t w = write(l->efd, &one, sizeof one);
    (void)w; /* a full counter is still readable */
}

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *arg)
{
    push(arg, msg, NULL);
}

/* An exo.error to ourselves, as the zmq broker would send it (docs/protocol.md). */
static void push_error(exo_nlink_t *l, const char *activity, const char *kind, const char *name,
                       json_t *roles, char *text)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:o, s:i}", "error", kind, "name", name, "message",
                          text, "roles", roles, "delivered", 0);
    char *payload = json_dumps(p, JSON_COMPACT);
    char id[33];
    exo_random_hex(id, 16);
    exo_svc_msg_t m = {.name = "exo.error", .id = id, .activity = activity, .sender = "exo",
                       .payload = payload, .payload_len = strlen(payload), .via = ""};
    push(l, NULL, exo_svc_msg_dup(&m));
    free(payload);
    json_decref(p);
    free(text);
}

/* A no-responders status: the role named in its subject has no instance (or the sticky one is
 * gone). */
static exo_svc_msg_t *status_error(exo_nlink_t *l, natsMsg *nm)
{
    char *recv = NULL, *act = NULL;
    if (!natsMsg_IsNoResponders(nm) ||
        exo_nsubj_parse_status(natsMsg_GetSubject(nm), l->app, &recv, &act) != 0) {
        return NULL;
    }
    char *text = exo_strdupf("no instance of role '%s' is connected to receive it", recv);
    json_t *p = json_pack("{s:s, s:s, s:s, s:[s]}", "error", "no-receiver", "name", "",
                          "message", text, "roles", recv);
    char *payload = json_dumps(p, JSON_COMPACT);
    char id[33];
    exo_random_hex(id, 16);
    exo_svc_msg_t m = {.name = "exo.error", .id = id, .activity = act, .sender = "exo",
                       .payload = payload, .payload_len = strlen(payload), .via = ""};
    exo_svc_msg_t *d = exo_svc_msg_dup(&m);
    free(payload);
    json_decref(p);
    free(text);
    free(recv);
    free(act);
    return d;
}

/* A message of the bus in the role's own vocabulary. */
static exo_svc_msg_t *bus_message(exo_nlink_t *l, natsMsg *nm)
{
    exo_nmsg_in_t in;
    if (exo_nmsg_decode(nm, l->app, &in) != 0) {
        return status_error(l, nm);
    }
    const char *internal = json_string_value(
        json_object_get(json_object_get(l->contract, "receives"), in.subj.name));
    exo_svc_msg_t m = {.name = internal ? internal : in.subj.name, .id = in.id,
                       .activity = in.activity, .sender = in.subj.sender, .auth = in.auth,
                       .payload = in.payload, .payload_len = in.payload_len,
                       .via = in.via ? in.via : ""};
    exo_svc_msg_t *d = exo_svc_msg_dup(&m);
    exo_nmsg_in_free(&in);
    return d;
}

exo_svc_msg_t *exo_nlink_next(exo_nlink_t *l)
{
    for (;;) {
        pthread_mutex_lock(&l->lock);
        item_t *it = l->head;
        if (it != NULL) {
            l->head = it->next;
            if (l->head == NULL) {
                l->tail = NULL;
            }
        } else {
            uint64_t n;
            ssize_t r = read(l->efd, &n, sizeof n); /* drained: clear the fd */
            (void)r;
        }
        pthread_mutex_unlock(&l->lock);
        if (it == NULL) {
            return NULL;
        }
        exo_svc_msg_t *m = it->local != NULL ? it->local : bus_message(l, it->nm);
        natsMsg_Destroy(it->nm);
        free(it);
        if (m != NULL) {
            return m;
        }
    }
}

/* ---- connecting ---- */

static void publish_presence(exo_nlink_t *l, bool bye);

/* The server's asynchronous errors: a publish it refused (only when the contract given to us
 * and the server's configuration disagree) as the exo.error a sender expects, in activity "-"
 * (the server's error does not carry it); anything else kept for a registration that fails. */
static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *arg)
{
    exo_nlink_t *l = arg;
    const char *text = NULL;
    natsConnection_GetLastError(nc, &text);
    if (text != NULL && strstr(text, "Permissions Violation for Publish") != NULL) {
        push_error(l, "-", "denied", "", json_array(), exo_strdupf("the bus server refused: %s",
                                                                   text));
        return;
    }
    pthread_mutex_lock(&l->lock);
    snprintf(l->refusal, sizeof l->refusal, "%s", text ? text : natsStatus_GetText(err));
    pthread_mutex_unlock(&l->lock);
}

/* The endpoint's servers: one URL, or a cluster's comma-separated list (SetURL takes one). */
static natsStatus set_servers(natsOptions *o, const char *endpoint)
{
    if (strchr(endpoint, ',') == NULL) {
        return natsOptions_SetURL(o, endpoint);
    }
    exo_strv_t urls = {0};
    for (const char *p = endpoint; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n > 0) {
            exo_strv_push_owned(&urls, exo_xstrndup(p, n));
        }
        p += n + (p[n] == ',');
    }
    natsStatus s = natsOptions_SetServers(o, (const char **)urls.v, (int)urls.n);
    exo_strv_free(&urls);
    return s;
}

static natsStatus set_options(exo_nlink_t *l, natsOptions *o, const exo_nlink_spec_t *spec)
{
    natsStatus s = set_servers(o, spec->endpoint);
    if (s == NATS_OK && strchr(spec->endpoint, '@') == NULL) {
        s = natsOptions_SetUserInfo(o, l->user, spec->token ? spec->token : "");
    }
    if (s == NATS_OK) {
        s = natsOptions_SetName(o, spec->label ? spec->label : l->role);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetMaxReconnect(o, -1);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetReconnectWait(o, RECONNECT_WAIT_MS);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetTimeout(o, CONNECT_TIMEOUT_MS);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetRetryOnFailedConnect(o, true, NULL, NULL);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetErrorHandler(o, on_error, l);
    }
    if (s == NATS_OK) {
        /* A reply leaves at once instead of at the flusher thread's next turn (ms of latency
         * per hop of a request). */
        s = natsOptions_SetSendAsap(o, true);
    }
    return s;
}

static int subscribe(exo_nlink_t *l, const char *subject, const char *queue)
{
    l->subs = exo_xrealloc(l->subs, (l->n_subs + 1) * sizeof *l->subs);
    natsStatus s = queue != NULL
        ? natsConnection_QueueSubscribe(&l->subs[l->n_subs], l->nc, subject, queue, on_msg, l)
        : natsConnection_Subscribe(&l->subs[l->n_subs], l->nc, subject, on_msg, l);
    if (s != NATS_OK) {
        return -1;
    }
    l->n_subs++;
    return 0;
}

/* The role's queue subjects (not for a transient instance), the instance's own, its status. */
static int subscribe_all(exo_nlink_t *l)
{
    char *x = exo_strdupf("exo.%s.x.%s.%s.>", l->app, l->role, l->inst);
    int rc = subscribe(l, x, NULL);
    free(x);
    const char *pub;
    const json_t *v;
    json_object_foreach(json_object_get(l->contract, "receives"), pub, v) {
        char *tok = exo_nsubj_escape(pub, strlen(pub));
        char *d = exo_strdupf("exo.%s.d.%s.%s.%s.*", l->app, l->role, l->inst, tok);
        char *r = exo_strdupf("exo.%s.r.%s.%s.*", l->app, l->role, tok);
        if (rc == 0) {
            rc = subscribe(l, d, NULL);
        }
        if (rc == 0 && !l->transient) {
            rc = subscribe(l, r, l->role);
        }
        free(d);
        free(r);
        free(tok);
    }
    return rc;
}

/* A service started by hand: no contract of its own in the environment, the run's user token
 * (docs/bus.md): its role's contract from the contracts file the broker side keeps in
 * $EXO_NATS_STATE_DIR, and the NATS user ROLE~user (docs/bus-nats.md). */
static json_t *contract_from_file(exo_nlink_t *l)
{
    const char *dir = getenv("EXO_NATS_STATE_DIR");
    if (dir == NULL || dir[0] == '\0') {
        return NULL;
    }
    char *path = exo_strdupf("%s/contracts.json", dir);
    json_t *all = json_load_file(path, 0, NULL);
    free(path);
    json_t *c = json_incref(json_object_get(all, l->role));
    json_decref(all);
    if (c != NULL) {
        free(l->user);
        l->user = exo_strdupf("%s~user", l->role);
    }
    return c;
}

static int load_contract(exo_nlink_t *l, const char *text, exo_error_t *err)
{
    l->contract = text != NULL ? json_loads(text, 0, NULL) : contract_from_file(l);
    const char *app = json_string_value(json_object_get(l->contract, "app"));
    const char *role = json_string_value(json_object_get(l->contract, "role"));
    if (app == NULL || role == NULL || strcmp(role, l->role) != 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "no bus contract for role '%s': a NATS bus "
                             "needs EXO_BUS_CONTRACT (exo sets it for every service of a run "
                             "on the nats transport; a service started by hand finds it with "
                             "EXO_NATS_STATE_DIR=APP/.exo/state/transport-nats)", l->role);
    }
    l->app = exo_xstrdup(app);
    return 0;
}

static int connect_link(exo_nlink_t *l, const exo_nlink_spec_t *spec, exo_error_t *err)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) {
        s = set_options(l, o, spec);
    }
    if (s == NATS_OK) {
        s = natsConnection_Connect(&l->nc, o);
    }
    natsOptions_Destroy(o);
    if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
        const char *text = nats_GetLastError(NULL);
        return exo_error_set(err, s == NATS_CONNECTION_AUTH_FAILED ? EXO_ERR_INVALID
                                                                     : EXO_ERR_UNAVAILABLE,
                             "cannot connect to the bus at '%s' as role '%s': %s", spec->endpoint,
                             l->role, text && text[0] ? text : natsStatus_GetText(s));
    }
    if (subscribe_all(l) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "cannot subscribe on the bus at '%s'",
                             spec->endpoint);
    }
    return 0;
}

exo_nlink_t *exo_nlink_open(const exo_nlink_spec_t *spec, exo_error_t *err)
{
    exo_nlink_t *l = exo_xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    l->role = exo_xstrdup(spec->role);
    l->user = exo_xstrdup(spec->role);
    l->label = spec->label != NULL ? exo_xstrdup(spec->label) : NULL;
    l->transient = spec->transient;
    char inst[EXO_NMSG_INST_LEN + 1];
    exo_random_hex(inst, EXO_NMSG_INST_LEN / 2);
    l->inst = exo_xstrdup(inst);
    l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (l->efd < 0) {
        exo_error_set(err, EXO_ERR_IO, "eventfd: %s", strerror(errno));
    } else if (load_contract(l, spec->contract, err) == 0 && connect_link(l, spec, err) == 0) {
        return l;
    }
    exo_nlink_close(&l);
    return NULL;
}

void exo_nlink_close(exo_nlink_t **link_p)
{
    exo_nlink_t *l = *link_p;
    if (l == NULL) {
        return;
    }
    for (size_t i = 0; i < l->n_subs; i++) {
        natsSubscription_Unsubscribe(l->subs[i]);
        natsSubscription_Destroy(l->subs[i]);
    }
    if (l->nc != NULL) {
        if (l->online) {
            publish_presence(l, true);
        }
        natsConnection_FlushTimeout(l->nc, 200);
        natsConnection_Destroy(l->nc);
    }
    for (item_t *it = l->head, *next; it != NULL; it = next) {
        next = it->next;
        natsMsg_Destroy(it->nm);
        exo_svc_msg_free(it->local);
        free(it);
    }
    if (l->efd >= 0) {
        close(l->efd);
    }
    pthread_mutex_destroy(&l->lock);
    json_decref(l->contract);
    free(l->subs);
    free(l->app);
    free(l->role);
    free(l->user);
    free(l->label);
    free(l->inst);
    free(l);
    *link_p = NULL;
}

int exo_nlink_fd(const exo_nlink_t *l)
{
    return l->efd;
}

bool exo_nlink_online(const exo_nlink_t *l)
{
    return l->online;
}

const char *exo_nlink_refusal(exo_nlink_t *l)
{
    return l->refusal[0] != '\0' ? l->refusal : NULL;
}

/* The instance's presence (exo's observer: register / unregister events, readiness). */
static void publish_presence(exo_nlink_t *l, bool bye)
{
    size_t ul = strlen(l->user), sl = strlen("~user");
    const char *cred = ul > sl && strcmp(l->user + ul - sl, "~user") == 0 ? "user" : "role";
    char *subject = exo_nsubj_presence(l->app, l->role, cred);
    json_t *body = bye ? json_pack("{s:s, s:b}", "instance", l->inst, "bye", 1)
                       : json_pack("{s:s, s:s, s:b}", "instance", l->inst, "label",
                                   l->label != NULL ? l->label : l->role, "transient",
                                   l->transient);
    char *text = json_dumps(body, JSON_COMPACT);
    natsConnection_Publish(l->nc, subject, text, (int)strlen(text));
    free(text);
    json_decref(body);
    free(subject);
}

bool exo_nlink_tick(exo_nlink_t *l)
{
    bool connected = natsConnection_Status(l->nc) == NATS_CONN_STATUS_CONNECTED;
    if (!connected) {
        l->online = false;
        return false;
    }
    /* Online once the server has our subscriptions (a flush), so that what is sent to us
     * after the readiness line reaches us. */
    if (!l->online && natsConnection_FlushTimeout(l->nc, FLUSH_MS) == NATS_OK) {
        l->online = true;
        publish_presence(l, false);
        if (!l->ever_online) {
            l->ever_online = true;
            return true;
        }
    }
    return false;
}

/* ---- sending ---- */

static int publish_to(exo_nlink_t *l, const char *recv, const char *pub, const char *via,
                      const exo_nmsg_out_t *m, exo_error_t *err)
{
    char *subj = exo_nmsg_subject(l->app, l->role, recv, pub, via);
    char *reply = exo_nsubj_status(l->app, l->role, l->inst, recv, m->activity);
    natsMsg *nm = NULL;
    natsStatus s = exo_nmsg_build(&nm, subj, reply, m);
    if (s == NATS_OK) {
        s = natsConnection_PublishMsg(l->nc, nm);
    }
    natsMsg_Destroy(nm);
    free(subj);
    free(reply);
    if (s == NATS_MAX_PAYLOAD) {
        push_error(l, m->activity, "too-large", pub, json_array(),
                   exo_strdupf("'%s' is larger than the bus's max message size", pub));
        return 0;
    }
    return s == NATS_OK ? 0 : exo_error_set(err, EXO_ERR_IO, "'%s' not sent: %s", pub,
                                            natsStatus_GetText(s));
}

int exo_nlink_send(exo_nlink_t *l, const char *name, const char *id, const char *activity,
                   const char *auth, const char *via, const char *json, size_t len,
                   exo_error_t *err)
{
    const json_t *send = json_object_get(json_object_get(l->contract, "sends"), name);
    if (send == NULL) {
        push_error(l, activity, "denied", name, json_array(),
                   exo_strdupf("role '%s' does not declare '%s' in its sends (a service's "
                               "messages.sends)", l->role, name));
        return 0;
    }
    const char *pub = json_string_value(json_object_get(send, "public"));
    const json_t *to = json_object_get(send, "to");
    if (json_array_size(to) == 0) {
        push_error(l, activity, "no-receiver", pub, json_array(),
                   exo_strdupf("no role receives '%s'", pub));
        return 0;
    }
    char *via_out = exo_nvia_with(via, l->role, l->inst);
    exo_nmsg_out_t m = {.id = id, .activity = activity, .via = via_out, .auth = auth,
                        .payload = json, .payload_len = json ? len : 0};
    int rc = 0;
    for (size_t i = 0; i < json_array_size(to) && rc == 0; i++) {
        rc = publish_to(l, json_string_value(json_array_get(to, i)), pub, via_out, &m, err);
    }
    free(via_out);
    return rc;
}

__attribute__((visibility("default"))) const exo_nlink_api_t exo_nlink_api = {
    .size = sizeof(exo_nlink_api_t),
    .open = exo_nlink_open,
    .close = exo_nlink_close,
    .fd = exo_nlink_fd,
    .tick = exo_nlink_tick,
    .online = exo_nlink_online,
    .refusal = exo_nlink_refusal,
    .next = exo_nlink_next,
    .send = exo_nlink_send,
};
