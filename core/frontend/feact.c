/*
 * frontend/feact.c - the activities of a frontend's connections: sending a client's message
 * (the checks, in the order a client sees them), the auth step, routing what the bus
 * delivers (a reply to the connection whose activity it is, a push by `auth`), the broker's
 * refusals as frontend errors, and ending activities (timeouts, the bus lost).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "feconn.h"
#include "feconn_int.h"

/* ---- the activity index ---- */

static size_t act_hash(const exo_feconn_table_t *t, const char *activity)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)activity; *p; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h & (t->n_act_buckets - 1);
}

exo_feconn_act_t *exo_feconn_act_find(exo_feconn_table_t *t, const char *activity)
{
    for (exo_feconn_act_t *a = t->act_buckets[act_hash(t, activity)]; a; a = a->hnext) {
        if (strcmp(a->activity, activity) == 0) {
            return a;
        }
    }
    return NULL;
}

static void acts_grow(exo_feconn_table_t *t)
{
    free(t->act_buckets);
    t->n_act_buckets *= 2;
    t->act_buckets = exo_xcalloc(t->n_act_buckets, sizeof *t->act_buckets);
    for (exo_feconn_conn_t *c = t->conns; c != NULL; c = c->next) {
        for (exo_feconn_act_t *a = c->acts; a != NULL; a = a->cnext) {
            size_t h = act_hash(t, a->activity);
            a->hnext = t->act_buckets[h];
            t->act_buckets[h] = a;
        }
    }
}

static void sweep(void *arg);

static exo_feconn_act_t *act_add(exo_feconn_table_t *t, exo_feconn_conn_t *c,
                                 const char *activity, const char *name, const char *request,
                                 unsigned timeout_ms)
{
    if (t->n_acts >= t->n_act_buckets) {
        acts_grow(t);
    }
    exo_feconn_act_t *a = exo_xcalloc(1, sizeof *a);
    snprintf(a->activity, sizeof a->activity, "%s", activity);
    a->name = exo_xstrdup(name);
    a->request = request != NULL ? exo_xstrdup(request) : NULL;
    a->conn = c;
    a->conn_id = c->id;
    a->timeout_ms = timeout_ms;
    a->deadline = exo_now_ms() + timeout_ms;
    size_t h = act_hash(t, a->activity);
    a->hnext = t->act_buckets[h];
    t->act_buckets[h] = a;
    a->cnext = c->acts;
    if (c->acts != NULL) {
        c->acts->cprev = a;
    }
    c->acts = a;
    c->n_requests += a->request != NULL;
    if (t->n_acts++ == 0) {
        t->sweep_timer = exo_loop_timer(t->loop, EXO_FECONN_SWEEP_MS, true, sweep, t);
    }
    return a;
}

/* Out of the index and its connection's list; the caller frees it (act_free). */
static void act_unlink(exo_feconn_table_t *t, exo_feconn_act_t *a)
{
    exo_feconn_act_t **pp = &t->act_buckets[act_hash(t, a->activity)];
    while (*pp != a) {
        pp = &(*pp)->hnext;
    }
    *pp = a->hnext;
    if (a->cprev != NULL) {
        a->cprev->cnext = a->cnext;
    } else {
        a->conn->acts = a->cnext;
    }
    if (a->cnext != NULL) {
        a->cnext->cprev = a->cprev;
    }
    a->conn->n_requests -= a->request != NULL && !a->answered;
    if (--t->n_acts == 0 && t->sweep_timer > 0) {
        exo_loop_timer_cancel(t->loop, t->sweep_timer);
        t->sweep_timer = 0;
    }
}

static void act_free(exo_feconn_act_t *a)
{
    free(a->name);
    free(a->request);
    free(a);
}

void exo_feconn_act_remove(exo_feconn_table_t *t, exo_feconn_act_t *a)
{
    act_unlink(t, a);
    act_free(a);
}

/* A message of @p a arrived: its request is no longer in flight, and the activity stays the
 * connection's for a while after each message (replies may come as a stream). */
void exo_feconn_act_answered(exo_feconn_act_t *a)
{
    if (!a->answered && a->request != NULL) {
        a->conn->n_requests--;
    }
    a->answered = true;
    a->deadline = exo_now_ms() + EXO_FECONN_LINGER_MS;
}

/* New activity ids carry the table's random prefix, so that a message of an activity the
 * table has forgotten (a reply after the timeout) is still known as a connection's and is
 * dropped, never pushed to others. */
static void next_activity(exo_feconn_table_t *t, char *out)
{
    if (t->act_prefix[0] == '\0') {
        char rnd[17];
        exo_random_hex(rnd, 8);
        snprintf(t->act_prefix, sizeof t->act_prefix, "fe%.12s-", rnd);
    }
    snprintf(out, EXO_BUS_ACTIVITY_MAX + 1, "%s%llx", t->act_prefix, ++t->act_seq);
}

bool exo_feconn_act_ours(const exo_feconn_table_t *t, const char *activity)
{
    size_t n = strlen(t->act_prefix);
    return n > 0 && strncmp(activity, t->act_prefix, n) == 0;
}

/* ---- ending activities ---- */

/* @p a is unlinked: tell its connection why it ended (the bus lost, or its time is up). */
static void end_act(exo_feconn_table_t *t, exo_feconn_act_t *a, bool bus_lost)
{
    if (a->is_auth) {
        exo_feconn_conn_t *c = exo_feconn_find(t, a->conn_id);
        if (c != NULL) {
            exo_feconn_verdict(t, c, NULL, EXO_FECONN_UNAVAILABLE, bus_lost
                               ? "the frontend lost the bus during the auth step; try again"
                               : "the auth step did not answer in time; try again");
        }
    } else if (a->request != NULL && bus_lost) {
        exo_feconn_fail(t, a->conn_id, a->request, EXO_FECONN_UNAVAILABLE, "the frontend lost "
                        "the bus before '%s' was answered; try again", a->name);
    } else if (a->request != NULL && !a->answered) {
        exo_feconn_fail(t, a->conn_id, a->request, EXO_FECONN_TIMEOUT,
                        "no reply to '%s' within %u ms", a->name, a->timeout_ms);
    }
    act_free(a);
}

/* End the activities due by @p now (all of them when @p bus_lost). Collected first: the
 * plugin may send and close from what it is told. */
static void end_acts(exo_feconn_table_t *t, unsigned long long now, bool bus_lost)
{
    exo_feconn_act_t **due = NULL;
    size_t n = 0, cap = 0;
    for (exo_feconn_conn_t *c = t->conns; c != NULL; c = c->next) {
        for (exo_feconn_act_t *a = c->acts; a != NULL; a = a->cnext) {
            if (bus_lost || a->deadline <= now) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 16;
                    due = exo_xrealloc(due, cap * sizeof *due);
                }
                due[n++] = a;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        act_unlink(t, due[i]);
    }
    for (size_t i = 0; i < n; i++) {
        end_act(t, due[i], bus_lost);
    }
    free(due);
}

static void sweep(void *arg)
{
    end_acts(arg, exo_now_ms(), false);
}

void exo_feconn_acts_offline(exo_feconn_table_t *t)
{
    end_acts(t, 0, true);
}

/* ---- a client's message ---- */

static bool take_token(const exo_feconn_table_t *t, exo_feconn_conn_t *c)
{
    unsigned long long now = exo_now_ms();
    c->tokens += (double)(now - c->refilled_ms) * t->s.rate / 1000.0;
    if (c->tokens > t->s.rate) {
        c->tokens = t->s.rate; /* the burst is one second's worth */
    }
    c->refilled_ms = now;
    if (c->tokens < 1.0) {
        return false;
    }
    c->tokens -= 1.0;
    return true;
}

static bool is_json(const char *payload, size_t len)
{
    json_t *j = json_loadb(payload, len, JSON_DECODE_ANY, NULL);
    json_decref(j);
    return j != NULL;
}

/* The checks of conn_send before anything reaches the bus: true when one failed (and the
 * failure was delivered). */
static bool refused_at_once(exo_feconn_table_t *t, exo_feconn_conn_t *c, const char *name,
                            const char *payload, size_t len, const char *request)
{
    exo_conn_id_t id = c->id;
    size_t nlen = name != NULL ? strlen(name) : 0;
    if (c->state != EXO_FECONN_OPEN) {
        exo_feconn_fail(t, id, request, EXO_FECONN_NOT_AUTHORISED, c->state == EXO_FECONN_AUTHING
                        ? "the connection is not authorised yet: wait for the auth step"
                        : "the connection was not authorised: %s", c->refusal);
    } else if (!take_token(t, c)) {
        exo_feconn_fail(t, id, request, EXO_FECONN_RATE_LIMITED, "more than %u messages per "
                        "second from this connection; slow down", t->s.rate);
    } else if (nlen == 0 || nlen > EXO_FECONN_NAME_MAX) {
        exo_feconn_fail(t, id, request, EXO_FECONN_BAD_REQUEST, "a message name has 1..%d "
                        "bytes", EXO_FECONN_NAME_MAX);
    } else if (nlen + len > t->s.max_message_size) {
        exo_feconn_fail(t, id, request, EXO_FECONN_TOO_LARGE, "'%s' has %zu bytes, over the "
                        "frontend's limit of %zu", name, nlen + len, t->s.max_message_size);
    } else if (len > 0 && !is_json(payload, len)) {
        exo_feconn_fail(t, id, request, EXO_FECONN_BAD_REQUEST, "the payload of '%s' is not "
                        "JSON", name);
    } else if (request != NULL && c->n_requests >= t->s.max_pending) {
        exo_feconn_fail(t, id, request, EXO_FECONN_RATE_LIMITED, "%zu requests of this "
                        "connection are waiting for replies, its limit; wait for them",
                        c->n_requests);
    } else if (!exo_busclient_online(t->client)) {
        exo_feconn_fail(t, id, request, EXO_FECONN_UNAVAILABLE, "the frontend is not on the bus "
                        "right now (the broker may be restarting); try again");
    } else {
        return false;
    }
    return true;
}

int exo_feconn_send(exo_frontend_bus_t *t, exo_conn_id_t id, const char *name,
                    const char *payload, size_t len, const char *request, unsigned timeout_ms,
                    exo_error_t *err)
{
    exo_feconn_conn_t *c = exo_feconn_find(t, id);
    if (c == NULL) {
        return exo_error_set(err, EXO_ERR_NOTFOUND, "frontend '%s' has no connection %llu",
                             t->s.role, (unsigned long long)id);
    }
    len = payload != NULL ? len : 0;
    if (request != NULL && (request[0] == '\0' || strlen(request) > EXO_FECONN_REQUEST_MAX)) {
        exo_feconn_fail(t, id, NULL, EXO_FECONN_BAD_REQUEST, "a request id has 1..%d bytes",
                        EXO_FECONN_REQUEST_MAX);
        return 0;
    }
    if (refused_at_once(t, c, name, payload, len, request)) {
        return 0;
    }
    char activity[EXO_BUS_ACTIVITY_MAX + 1];
    next_activity(t, activity);
    exo_error_t perr = {0};
    int rc = exo_busclient_post(t->client, name, len ? payload : NULL, len, activity,
                                c->auth_json, NULL, &perr);
    if (rc < 0) {
        exo_feconn_fail(t, id, request, rc == EXO_ERR_INVALID ? EXO_FECONN_BAD_REQUEST
                        : EXO_FECONN_UNAVAILABLE, "%s", perr.message);
        return 0;
    }
    unsigned ms = request == NULL ? EXO_FECONN_LINGER_MS
                                  : timeout_ms ? timeout_ms : t->s.request_timeout_ms;
    act_add(t, c, activity, name, request, ms);
    return 0;
}

/* ---- the auth step ---- */

void exo_feconn_ask(exo_feconn_table_t *t, exo_feconn_conn_t *c, const char *credential)
{
    c->state = EXO_FECONN_AUTHING;
    if (credential == NULL || credential[0] == '\0') {
        exo_feconn_verdict(t, c, NULL, EXO_FECONN_NOT_AUTHORISED, "no credential: the client "
                           "must sign in first");
        return;
    }
    if (!exo_busclient_online(t->client)) {
        exo_feconn_verdict(t, c, NULL, EXO_FECONN_UNAVAILABLE, "the frontend is not on the bus "
                           "right now; try again");
        return;
    }
    json_t *p = json_pack("{s:s}", "credential", credential);
    char *text = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    char activity[EXO_BUS_ACTIVITY_MAX + 1];
    next_activity(t, activity);
    exo_error_t perr = {0};
    bool encoded = text != NULL; /* not UTF-8: jansson refuses it */
    int rc = encoded ? exo_busclient_post(t->client, t->s.auth_ask, text, strlen(text),
                                          activity, NULL, NULL, &perr)
                     : EXO_ERR_INVALID;
    free(text);
    if (rc < 0) {
        exo_feconn_verdict(t, c, NULL, encoded ? EXO_FECONN_UNAVAILABLE
                           : EXO_FECONN_NOT_AUTHORISED, encoded ? "the auth step could not be "
                           "asked" : "the credential is not UTF-8 text");
        return;
    }
    act_add(t, c, activity, t->s.auth_ask, NULL, t->s.auth_timeout_ms)->is_auth = true;
}

