/* cli_client.c - exo send on NATS; see cli_client.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "base/util.h"
#include "broker.h"
#include "cli_client.h"
#include "natsconf.h"
#include "nmsg.h"

#define CONNECT_TIMEOUT_MS 2000
#define POLL_SLICE_MS 5

/* One exo send: the contract, the connection, its subscriptions. */
typedef struct nsend {
    const exo_bus_send_t *req;
    json_t *contracts;
    const json_t *contract;
    const char *app;
    char inst[EXO_NMSG_INST_LEN + 1], id[33], act[33];
    natsConnection *nc;
    const json_t *to;          /* the receiving roles */
    natsSubscription **status; /* one per receiving role: the server's no-responders */
    natsSubscription **subs;   /* with wait: one per received name */
    size_t n_subs;
    json_t *missing;           /* roles the server said have no receiver */
} nsend_t;

static int load_contract(const exo_host_t *host, nsend_t *s, exo_error_t *err)
{
    const char *dir = exo_nbroker_state_dir(host);
    if (dir == NULL) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "no app state directory to find the NATS "
                             "bus's contracts in (outside an app, set EXO_NATS_STATE_DIR)");
    }
    char *path = exo_path_join(dir, EXO_NATS_CONTRACTS_FILE);
    s->contracts = json_load_file(path, 0, NULL);
    int rc = 0;
    if (s->contracts == NULL) {
        rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "cannot read %s: is the app's NATS bus "
                           "running (exo run or exo bus)?", path);
    } else if ((s->contract = json_object_get(s->contracts, s->req->role)) == NULL) {
        rc = exo_error_set(err, EXO_ERR_INVALID, "the bus refused the message (unknown-role): "
                           "the app has no role '%s'", s->req->role);
    } else {
        s->app = json_string_value(json_object_get(s->contract, "app"));
    }
    free(path);
    return rc;
}

static int nats_failed(natsStatus st, const char *what, const char *endpoint, exo_error_t *err)
{
    const char *last = nats_GetLastError(NULL);
    return exo_error_set(err, st == NATS_NOT_PERMITTED || st == NATS_CONNECTION_AUTH_FAILED
                                  ? EXO_ERR_INVALID : EXO_ERR_UNAVAILABLE,
                         "%s %s: %s%s%s", what, endpoint, natsStatus_GetText(st),
                         last != NULL && last[0] != '\0' ? ": " : "", last ? last : "");
}

static int connect_as_user(nsend_t *s, exo_error_t *err)
{
    natsOptions *o = NULL;
    char *user = exo_strdupf("%s" EXO_NCONF_USER_SUFFIX, s->req->role);
    natsStatus st = natsOptions_Create(&o);
    if (st == NATS_OK) {
        st = natsOptions_SetURL(o, s->req->endpoint);
    }
    if (st == NATS_OK) {
        st = natsOptions_SetUserInfo(o, user, s->req->token != NULL ? s->req->token : "");
    }
    if (st == NATS_OK) {
        st = natsOptions_SetTimeout(o, CONNECT_TIMEOUT_MS);
    }
    if (st == NATS_OK) {
        st = natsOptions_SetAllowReconnect(o, false);
    }
    if (st == NATS_OK) {
        st = natsConnection_Connect(&s->nc, o);
    }
    natsOptions_Destroy(o);
    free(user);
    return st == NATS_OK ? 0 : nats_failed(st, "cannot connect to the bus at", s->req->endpoint,
                                           err);
}

static int subscribe(nsend_t *s, const char *subject, exo_error_t *err)
{
    s->subs = exo_xrealloc(s->subs, (s->n_subs + 1) * sizeof *s->subs);
    natsStatus st = natsConnection_SubscribeSync(&s->subs[s->n_subs], s->nc, subject);
    if (st != NATS_OK) {
        return nats_failed(st, "cannot subscribe on the bus at", s->req->endpoint, err);
    }
    s->n_subs++;
    return 0;
}

/*
 * One status subscription per receiving role, synchronous: the server sends its 503 before
 * the flush's PONG, and libnats queues it on the subscription before the flush returns. Its
 * NextMsg then says NATS_NO_RESPONDERS (without the message: hence one per role).
 */
static int subscribe_status(nsend_t *s, exo_error_t *err)
{
    size_t n = json_array_size(s->to);
    s->status = exo_xcalloc(n, sizeof *s->status);
    for (size_t i = 0; i < n; i++) {
        char *x = exo_strdupf("exo.%s.x.%s.%s.%s.*", s->app, s->req->role, s->inst,
                              json_string_value(json_array_get(s->to, i)));
        natsStatus st = natsConnection_SubscribeSync(&s->status[i], s->nc, x);
        free(x);
        if (st != NATS_OK) {
            return nats_failed(st, "cannot subscribe on the bus at", s->req->endpoint, err);
        }
    }
    return 0;
}

/* The statuses, and with --wait the instance's own subject of every received name. */
static int subscribe_all(nsend_t *s, exo_error_t *err)
{
    const char *role = s->req->role;
    int rc = subscribe_status(s, err);
    const char *pub;
    const json_t *v;
    json_object_foreach(json_object_get(s->contract, "receives"), pub, v) {
        if (rc != 0 || !s->req->wait) {
            break;
        }
        char *tok = exo_nsubj_escape(pub, strlen(pub));
        char *d = exo_strdupf("exo.%s.d.%s.%s.%s.*", s->app, role, s->inst, tok);
        rc = subscribe(s, d, err);
        free(d);
        free(tok);
    }
    return rc;
}

static int publish_all(nsend_t *s, const json_t *send, exo_error_t *err)
{
    char *payload = s->req->payload != NULL
                        ? json_dumps(s->req->payload, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *via = exo_nvia_with(NULL, s->req->role, s->inst);
    exo_nmsg_out_t m = {.id = s->id, .activity = s->act, .via = via, .payload = payload,
                        .payload_len = payload ? strlen(payload) : 0};
    const char *pub = json_string_value(json_object_get(send, "public"));
    natsStatus st = NATS_OK;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(send, "to"), i, r) {
        const char *recv = json_string_value(r);
        char *subj = exo_nsubj_role(s->app, recv, pub, s->req->role);
        char *reply = exo_nsubj_status(s->app, s->req->role, s->inst, recv, s->act);
        natsMsg *msg = NULL;
        st = exo_nmsg_build(&msg, subj, reply, &m);
        if (st == NATS_OK) {
            st = natsConnection_PublishMsg(s->nc, msg);
        }
        natsMsg_Destroy(msg);
        free(subj);
        free(reply);
        if (st != NATS_OK) {
            break;
        }
    }
    if (st == NATS_OK) {
        st = natsConnection_FlushTimeout(s->nc, CONNECT_TIMEOUT_MS);
    }
    free(payload);
    free(via);
    return st == NATS_OK ? 0 : nats_failed(st, "cannot send to the bus at", s->req->endpoint, err);
}

static json_t *reply_json(const nsend_t *s, const exo_nmsg_in_t *in)
{
    const char *internal = json_string_value(
        json_object_get(json_object_get(s->contract, "receives"), in->subj.name));
    json_t *auth = in->auth ? json_loads(in->auth, JSON_DECODE_ANY, NULL) : NULL;
    json_t *pl = in->payload ? json_loadb(in->payload, in->payload_len, JSON_DECODE_ANY, NULL)
                             : NULL;
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "name", internal ? internal : in->subj.name,
                     "id", in->id, "activity", in->activity, "sender", in->subj.sender, "auth",
                     auth ? auth : json_null(), "payload", pl ? pl : json_null());
}

/* A reply in our activity, or NULL. */
static json_t *take(nsend_t *s, natsMsg *msg)
{
    exo_nmsg_in_t in;
    if (exo_nmsg_decode(msg, s->app, &in) != 0) {
        return NULL;
    }
    json_t *r = strcmp(in.activity, s->act) == 0 ? reply_json(s, &in) : NULL;
    exo_nmsg_in_free(&in);
    return r;
}

/* Poll the reply subscriptions until @p deadline (ms) or a reply. */
static json_t *collect(nsend_t *s, unsigned long long deadline)
{
    do {
        for (size_t i = 0; i < s->n_subs; i++) {
            natsMsg *msg = NULL;
            if (natsSubscription_NextMsg(&msg, s->subs[i], POLL_SLICE_MS) != NATS_OK) {
                continue;
            }
            json_t *r = take(s, msg);
            natsMsg_Destroy(msg);
            if (r != NULL) {
                return r;
            }
        }
    } while (exo_now_ms() < deadline);
    return NULL;
}

/* The roles whose status subscription holds a no-responders. */
static void note_missing(nsend_t *s)
{
    for (size_t i = 0; i < json_array_size(s->to); i++) {
        natsMsg *msg = NULL;
        if (natsSubscription_NextMsg(&msg, s->status[i], 1) == NATS_NO_RESPONDERS) {
            json_array_append(s->missing, json_array_get(s->to, i));
        }
        natsMsg_Destroy(msg);
    }
}

/* After the flush: no receivers, then with wait the reply. */
static int outcome(nsend_t *s, size_t n_to, json_t **reply, exo_error_t *err)
{
    json_t *r = NULL;
    note_missing(s);
    if (json_array_size(s->missing) > 0) {
        char *roles = json_dumps(s->missing, JSON_COMPACT);
        int rc = 0;
        if (json_array_size(s->missing) >= n_to) {
            rc = exo_error_set(err, EXO_ERR_UNAVAILABLE, "the bus refused the message "
                               "(no-receiver): no instance of %s receives '%s'", roles,
                               s->req->name);
        }
        free(roles);
        if (rc != 0) {
            return rc;
        }
    }
    if (s->req->wait && r == NULL) {
        r = collect(s, exo_now_ms() + s->req->timeout_ms);
        if (r == NULL) {
            return exo_error_set(err, EXO_ERR_TIMEOUT, "no reply to '%s' within %u ms",
                                 s->req->name, s->req->timeout_ms);
        }
    }
    *reply = r;
    return 0;
}

static int send_checked(nsend_t *s, json_t **reply, exo_error_t *err)
{
    const json_t *send = json_object_get(json_object_get(s->contract, "sends"), s->req->name);
    if (send == NULL) {
        return exo_error_set(err, EXO_ERR_INVALID, "the bus refused the message (denied): role "
                             "'%s' does not declare '%s' in its sends", s->req->role,
                             s->req->name);
    }
    s->to = json_object_get(send, "to");
    size_t n_to = json_array_size(s->to);
    if (n_to == 0) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "the bus refused the message "
                             "(no-receiver): no role receives '%s'", s->req->name);
    }
    exo_random_hex(s->inst, EXO_NMSG_INST_LEN / 2);
    exo_random_hex(s->id, 16);
    exo_random_hex(s->act, 16);
    if (connect_as_user(s, err) != 0 || subscribe_all(s, err) != 0 ||
        publish_all(s, send, err) != 0) {
        return -1;
    }
    return outcome(s, n_to, reply, err);
}

int exo_nclient_send(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                     exo_error_t *err)
{
    nsend_t s = {.req = req, .missing = json_array()};
    *reply = NULL;
    int rc = load_contract(host, &s, err);
    if (rc == 0) {
        rc = send_checked(&s, reply, err);
    }
    for (size_t i = 0; i < s.n_subs; i++) {
        natsSubscription_Destroy(s.subs[i]);
    }
    free(s.subs);
    for (size_t i = 0; s.status != NULL && i < json_array_size(s.to); i++) {
        natsSubscription_Destroy(s.status[i]);
    }
    free(s.status);
    natsConnection_Destroy(s.nc);
    json_decref(s.contracts);
    json_decref(s.missing);
    return rc < 0 ? rc : 0;
}

int exo_nclient_tail(const exo_host_t *host, const char *control_endpoint,
                     int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err,
                     const char *token)
{
    return exo_error_set(err, EXO_ERR_UNAVAILABLE, "exo tail is not available on the nats "
                         "transport yet (docs/bus-nats.md, Observing the bus)");
}

int exo_nclient_stats(const exo_host_t *host, const char *control_endpoint, json_t **out,
                      exo_error_t *err, const char *token)
{
    return exo_error_set(err, EXO_ERR_UNAVAILABLE, "exo bus status is not available on the "
                         "nats transport yet (docs/bus-nats.md, Observing the bus)");
}
