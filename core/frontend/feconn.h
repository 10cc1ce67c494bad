/*
 * frontend/feconn.h - a frontend's connection table: the core's side of the frontend ABI
 * (exo_frontend_bus_ops_t, plugin-api/exo/frontend.h). One table per `exo frontend ROLE`
 * process; it holds the frontend's one bus client (core/bus/busclient.h) and, for every
 * client connection the plugin opens, its end user (the auth step), a rate limit and the
 * activities it started, so that replies reach the connection that asked and nobody else.
 * docs/frontends.md "What the core does for every frontend" has the semantics.
 *
 * Use (exo frontend ROLE):
 *     exo_feconn_table_t *t = exo_feconn_open(loop, client, &settings, &err);
 *     spec.bus_ops = exo_feconn_bus_ops(); spec.bus = t;        // a table is the bus
 *     ops->open(host, &spec, &inst, &err);
 *     exo_feconn_attach(t, ops, inst);                          // deliver, auth_done
 *     ... loop ...
 *     ops->close(inst); exo_feconn_close(&t); exo_busclient_close(&client);
 *
 * Ownership: the table borrows the loop, the client and the plugin's ops/inst (all outlive
 * it), copies the settings' strings, and sets itself as the client's handler (until close).
 * Memory is bounded: at most max_connections connections with at most max_pending requests
 * each; a request is forgotten at its first reply's timeout or when its connection closes.
 * Threading: the loop thread only.
 */
#ifndef EXO_CORE_FECONN_H
#define EXO_CORE_FECONN_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/frontend.h>

#include "base/loop.h"
#include "bus/busclient.h"

/** A table is the exo_frontend_bus_t the plugin gets as spec->bus. */
typedef struct exo_frontend_bus exo_feconn_table_t;

#define EXO_FECONN_DEFAULT_RATE 100u                 /* messages per second per connection */
#define EXO_FECONN_DEFAULT_TIMEOUT_MS 10000u         /* first reply of a request */
#define EXO_FECONN_DEFAULT_MAX_MESSAGE (64u * 1024u) /* bytes of one client message */
#define EXO_FECONN_DEFAULT_MAX_CONNECTIONS 10000u
#define EXO_FECONN_DEFAULT_MAX_PENDING 256u          /* requests in flight per connection */

/** The frontend's settings (application.yml `frontends.ROLE`, docs/configuration.md). A 0
 *  or NULL member takes its default. */
typedef struct exo_feconn_settings {
    const char *role;              /* the frontend's role (for log lines) */
    const char *auth_ask;          /* `auth: {ask: NAME}`: the message asked; NULL = `none` */
    unsigned rate;                 /* messages per second per connection; burst the same */
    unsigned request_timeout_ms;   /* a request's default timeout (conn_send timeout 0) */
    unsigned auth_timeout_ms;      /* the auth step's; 0 = request_timeout_ms */
    size_t max_message_size;       /* bytes of one client message (name + payload) */
    size_t max_connections;        /* connections at once; conn_open refuses more */
    size_t max_pending;            /* requests in flight per connection */
    /** The bus client's registration changed (e.g. to print "ROLE online"). May be NULL. */
    void (*on_online)(void *arg, bool online);
    void *arg;
} exo_feconn_settings_t;

/**
 * Make a table on @p loop over @p client (open; the table becomes its handler). NULL with
 * @p err filled on bad settings (e.g. an auth_ask that is no valid message name).
 */
exo_feconn_table_t *exo_feconn_open(exo_loop_t *loop, exo_busclient_t *client,
                                    const exo_feconn_settings_t *settings, exo_error_t *err);
/** The plugin's deliver and auth_done, and its instance: from now on connections get their
 *  messages. Before, conn_open is refused ("the frontend is starting"). */
void exo_feconn_attach(exo_feconn_table_t *t, const exo_frontend_ops_t *ops, void *inst);
/** The operations the plugin gets as spec->bus_ops (static; the same for every table). */
const exo_frontend_bus_ops_t *exo_feconn_bus_ops(void);
/** Open connections. */
size_t exo_feconn_connections(const exo_feconn_table_t *t);
/** Requests and auth steps in flight, over all connections (bounded memory, tests). */
size_t exo_feconn_pending(const exo_feconn_table_t *t);
/** Forget every connection silently (the plugin is closed first), stop being the client's
 *  handler, free. Sets *t_p to NULL. */
void exo_feconn_close(exo_feconn_table_t **t_p);

#endif /* EXO_CORE_FECONN_H */
