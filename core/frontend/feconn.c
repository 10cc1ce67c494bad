/*
 * frontend/feconn.c - the connection table of a frontend; see feconn.h. Connections and the
 * activities they started live in two small chained hash tables (by id, by activity id); a
 * sweep every SWEEP_MS ends requests whose time is up. The plugin may call back into the
 * table from deliver/auth_done (send, close): a connection closed meanwhile is only marked
 * dead and freed when the outermost call into the plugin has returned, and nothing is
 * delivered to a connection that is no longer in the table.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "feconn.h"
#include "feconn_int.h"

const char *const exo_feconn_error_names[] = {
    "denied", "no-receiver", "timeout", "too-large", "bad-request", "rate-limited",
    "not-authorised", "unavailable",
};

/* ---- connections ---- */

exo_feconn_conn_t *exo_feconn_find(exo_feconn_table_t *t, exo_conn_id_t id)
{
    for (exo_feconn_conn_t *c = t->conn_buckets[id & (t->n_conn_buckets - 1)]; c; c = c->hnext) {
        if (c->id == id) {
            return c;
        }
    }
    return NULL;
}

static void conns_grow(exo_feconn_table_t *t)
{
    size_t n = t->n_conn_buckets * 2;
    exo_feconn_conn_t **b = exo_xcalloc(n, sizeof *b);
    for (exo_feconn_conn_t *c = t->conns; c != NULL; c = c->next) {
        if (!c->dead) {
            c->hnext = b[c->id & (n - 1)];
            b[c->id & (n - 1)] = c;
        }
    }
    free(t->conn_buckets);
    t->conn_buckets = b;
    t->n_conn_buckets = n;
}

static exo_feconn_conn_t *conn_add(exo_feconn_table_t *t, const char *peer)
{
    if (t->n_conns >= t->n_conn_buckets) {
        conns_grow(t);
    }
    exo_feconn_conn_t *c = exo_xcalloc(1, sizeof *c);
    c->id = ++t->last_id;
    c->peer = exo_xstrdup(peer != NULL ? peer : "?");
    c->tokens = t->s.rate;
    c->refilled_ms = exo_now_ms();
    size_t h = c->id & (t->n_conn_buckets - 1);
    c->hnext = t->conn_buckets[h];
    t->conn_buckets[h] = c;
    c->next = t->conns;
    if (t->conns != NULL) {
        t->conns->prev = c;
    }
    t->conns = c;
    t->n_conns++;
    return c;
}

static void conn_free(exo_feconn_table_t *t, exo_feconn_conn_t *c)
{
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        t->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    if (c->announce_timer > 0) {
        exo_loop_timer_cancel(t->loop, c->announce_timer);
    }
    free(c->peer);
    free(c->user);
    free(c->auth_json);
    free(c->refusal);
    free(c);
}

/* Out of the hash and its activities dropped; freed now or when the plugin call returns. */
static void conn_remove(exo_feconn_table_t *t, exo_feconn_conn_t *c)
{
    exo_feconn_conn_t **pp = &t->conn_buckets[c->id & (t->n_conn_buckets - 1)];
    while (*pp != c) {
        pp = &(*pp)->hnext;
    }
    *pp = c->hnext;
    while (c->acts != NULL) {
        exo_feconn_act_remove(t, c->acts);
    }
    c->dead = true;
    t->n_conns--;
    if (t->busy == 0) {
        conn_free(t, c);
    } else {
        t->has_dead = true;
    }
}

/* The outermost call into the plugin returned: free the connections it closed meanwhile. */
void exo_feconn_unbusy(exo_feconn_table_t *t)
{
    if (--t->busy > 0 || !t->has_dead) {
        return;
    }
    t->has_dead = false;
    for (exo_feconn_conn_t *c = t->conns, *next; c != NULL; c = next) {
        next = c->next;
        if (c->dead) {
            conn_free(t, c);
        }
    }
}

/* ---- calls into the plugin ---- */

void exo_feconn_deliver(exo_feconn_table_t *t, exo_conn_id_t id, const exo_frontend_msg_t *m)
{
    if (t->ops == NULL || t->ops->deliver == NULL || exo_feconn_find(t, id) == NULL) {
        return;
    }
    t->busy++;
    t->ops->deliver(t->inst, id, m);
    exo_feconn_unbusy(t);
}

void exo_feconn_fail(exo_feconn_table_t *t, exo_conn_id_t id, const char *request,
                     exo_feconn_error_t error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = exo_vstrdupf(fmt, ap);
    va_end(ap);
    exo_frontend_msg_t m = {.size = sizeof m, .request = request,
                            .error = exo_feconn_error_names[error], .message = text};
    exo_feconn_deliver(t, id, &m);
    free(text);
}

static void announce_verdict(exo_feconn_table_t *t, exo_feconn_conn_t *c)
{
    if (t->ops == NULL || t->ops->auth_done == NULL) {
        return;
    }
    exo_conn_id_t id = c->id;
    const char *error = c->state == EXO_FECONN_REFUSED ? exo_feconn_error_names[c->refused_as]
                                                        : NULL;
    t->busy++;
    t->ops->auth_done(t->inst, id, c->user, error, error != NULL ? c->refusal : NULL);
    exo_feconn_unbusy(t);
}

static void on_announce(void *arg)
{
    exo_feconn_conn_t *c = arg;
    c->announce_timer = 0;
    if (!c->dead) {
        announce_verdict(c->table, c);
    }
}

/* The auth step's verdict on @p c, told to the plugin after conn_open has returned. */
void exo_feconn_verdict(exo_feconn_table_t *t, exo_feconn_conn_t *c, const char *user,
                        exo_feconn_error_t refused_as, const char *why)
{
    if (user != NULL || (why == NULL && t->s.auth_ask == NULL)) {
        c->state = EXO_FECONN_OPEN;
        if (user != NULL) {
            c->user = exo_xstrdup(user);
            json_t *auth = json_pack("{s:s}", "user", user);
            c->auth_json = json_dumps(auth, JSON_COMPACT);
            json_decref(auth);
        }
    } else {
        c->state = EXO_FECONN_REFUSED;
        c->refused_as = refused_as;
        c->refusal = exo_xstrdup(why);
    }
    if (c->opening) {
        c->announce_timer = exo_loop_timer(t->loop, 0, false, on_announce, c);
    } else {
        announce_verdict(t, c);
    }
}

/* ---- exo_frontend_bus_ops_t ---- */

static exo_conn_id_t op_conn_open(exo_frontend_bus_t *t, const char *peer,
                                  const char *credential, exo_error_t *err)
{
    if (t->ops == NULL) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "frontend '%s' is still starting", t->s.role);
        return 0;
    }
    if (t->n_conns >= t->s.max_connections) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "frontend '%s' has %zu connections, its limit; "
                      "a client may try again when others have gone", t->s.role, t->n_conns);
        return 0;
    }
    exo_feconn_conn_t *c = conn_add(t, peer);
    c->table = t;
    c->opening = true;
    if (t->s.auth_ask == NULL) {
        exo_feconn_verdict(t, c, NULL, 0, NULL);
    } else {
        exo_feconn_ask(t, c, credential);
    }
    c->opening = false;
    return c->id;
}

static void op_conn_close(exo_frontend_bus_t *t, exo_conn_id_t id)
{
    exo_feconn_conn_t *c = exo_feconn_find(t, id);
    if (c != NULL) {
        conn_remove(t, c);
    }
}

static const exo_frontend_bus_ops_t bus_ops = {
    .size = sizeof bus_ops,
    .conn_open = op_conn_open,
    .conn_send = exo_feconn_send,
    .conn_close = op_conn_close,
};

const exo_frontend_bus_ops_t *exo_feconn_bus_ops(void)
{
    return &bus_ops;
}

/* ---- the table ---- */

static void on_online(void *arg, bool online)
{
    exo_feconn_table_t *t = arg;
    if (!online) {
        exo_feconn_acts_offline(t);
    }
    if (t->s.on_online != NULL) {
        t->s.on_online(t->s.arg, online);
    }
}

static void apply_defaults(exo_feconn_settings_t *s)
{
    s->rate = s->rate ? s->rate : EXO_FECONN_DEFAULT_RATE;
    s->request_timeout_ms = s->request_timeout_ms ? s->request_timeout_ms
                                                  : EXO_FECONN_DEFAULT_TIMEOUT_MS;
    s->auth_timeout_ms = s->auth_timeout_ms ? s->auth_timeout_ms : s->request_timeout_ms;
    s->max_message_size = s->max_message_size ? s->max_message_size
                                              : EXO_FECONN_DEFAULT_MAX_MESSAGE;
    s->max_connections = s->max_connections ? s->max_connections
                                            : EXO_FECONN_DEFAULT_MAX_CONNECTIONS;
    s->max_pending = s->max_pending ? s->max_pending : EXO_FECONN_DEFAULT_MAX_PENDING;
}

exo_feconn_table_t *exo_feconn_open(exo_loop_t *loop, exo_busclient_t *client,
                                    const exo_feconn_settings_t *settings, exo_error_t *err)
{
    if (settings->auth_ask != NULL && (settings->auth_ask[0] == '\0' ||
                                       strlen(settings->auth_ask) > EXO_FECONN_NAME_MAX)) {
        exo_error_set(err, EXO_ERR_INVALID, "frontend '%s': auth.ask must name a message "
                      "(1..%d bytes)", settings->role ? settings->role : "?",
                      EXO_FECONN_NAME_MAX);
        return NULL;
    }
    exo_feconn_table_t *t = exo_xcalloc(1, sizeof *t);
    t->loop = loop;
    t->client = client;
    t->s = *settings;
    t->s.role = exo_xstrdup(settings->role ? settings->role : exo_busclient_role(client));
    t->s.auth_ask = settings->auth_ask ? exo_xstrdup(settings->auth_ask) : NULL;
    apply_defaults(&t->s);
    t->n_conn_buckets = 64;
    t->conn_buckets = exo_xcalloc(t->n_conn_buckets, sizeof *t->conn_buckets);
    t->n_act_buckets = 64;
    t->act_buckets = exo_xcalloc(t->n_act_buckets, sizeof *t->act_buckets);
    exo_busclient_handler_t h = {.on_message = exo_feconn_on_message, .on_online = on_online,
                                 .arg = t};
    exo_busclient_set_handler(client, &h);
    return t;
}

void exo_feconn_attach(exo_feconn_table_t *t, const exo_frontend_ops_t *ops, void *inst)
{
    t->ops = ops;
    t->inst = inst;
}

size_t exo_feconn_connections(const exo_feconn_table_t *t)
{
    return t->n_conns;
}

size_t exo_feconn_pending(const exo_feconn_table_t *t)
{
    return t->n_acts;
}

void exo_feconn_close(exo_feconn_table_t **t_p)
{
    exo_feconn_table_t *t = t_p != NULL ? *t_p : NULL;
    if (t == NULL) {
        return;
    }
    exo_busclient_set_handler(t->client, NULL);
    t->ops = NULL; /* the plugin is closed: nothing more reaches it */
    t->busy = 0;   /* never closed from inside a call into the plugin */
    while (t->conns != NULL) {
        exo_feconn_conn_t *c = t->conns;
        if (c->dead) {
            conn_free(t, c);
        } else {
            conn_remove(t, c);
        }
    }
    if (t->sweep_timer > 0) {
        exo_loop_timer_cancel(t->loop, t->sweep_timer);
    }
    free(t->conn_buckets);
    free(t->act_buckets);
    free((char *)t->s.role);
    free((char *)t->s.auth_ask);
    free(t);
    *t_p = NULL;
}
