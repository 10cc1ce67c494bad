/*
 * core/dashboard/dashserve_int.h - what the dashboard's parts share: dashserve.c (the plugin,
 * connections, the observer, pushes) and dashcmd.c (the commands of a page, dash.send's bus
 * clients). Not for other modules. Threading: the loop thread only.
 */
#ifndef EXO_CORE_DASHSERVE_INT_H
#define EXO_CORE_DASHSERVE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <exo/frontend.h>

#include "bus/busclient.h"
#include "dashserve.h"
#include "dashstate.h"

typedef struct dash_conn {
    exo_conn_id_t id;
    bool refused;                 /* wrong token: it may only close */
} dash_conn_t;

/* A role's bus client for dash.send, opened on first use and kept. */
typedef struct dash_sender {
    struct exo_dashserve *d;
    char *role;
    exo_busclient_t *client;
} dash_sender_t;

/* A dash.send waiting for its result: the first message of its activity (a reply or the
 * broker's exo.error), or its timeout. */
typedef struct dash_pending {
    struct exo_dashserve *d;
    exo_conn_id_t conn;
    char *request;
    dash_sender_t *sender;
    char *name;
    char *payload;                /* JSON text or NULL; freed once posted */
    char activity[EXO_BUS_ACTIVITY_MAX + 1]; /* "" until posted */
    const char *outcome;          /* as the broker traced it (static), NULL until seen */
    int timer;
    struct dash_pending *next;
} dash_pending_t;

/* A unit's last CPU reading, for its use in percent over the next second. */
typedef struct dash_sample {
    char *unit;
    long pid;
    uint64_t cpu_ns;
    unsigned long long at_ms;   /* exo_now_ms() */
} dash_sample_t;

struct exo_dashserve {
    exo_session_t *s;
    const exo_app_t *app;
    exo_loop_t *loop;
    exo_dashstate_t *ds;
    const exo_plugin_t *plugin;
    const exo_frontend_ops_t *ops;
    void *inst;
    char token[33];
    char *url;
    unsigned port;
    dash_conn_t conns[EXO_DASH_MAX_CONNECTIONS];
    size_t n_conns;
    exo_conn_id_t next_id;
    int tick_timer;
    unsigned ticks;
    dash_sender_t **senders;
    size_t n_senders;
    dash_pending_t *pending;
    dash_sample_t *samples;
    size_t n_samples;
};

/* ---- dashserve.c ---- */

/** Deliver @p name with @p payload (reference taken; NULL = none) to @p conn in answer to
 *  @p request (NULL: a push). */
void exo_dash_deliver(exo_dashserve_t *d, exo_conn_id_t conn, const char *request,
                      const char *name, json_t *payload);
/** Deliver an exo.v1 error @p kind with the sentence @p fmt to @p conn for @p request. */
void exo_dash_error(exo_dashserve_t *d, exo_conn_id_t conn, const char *request,
                    const char *kind, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/** The model brought up to date with the session's units (pid, container, backend). */
void exo_dash_refresh_units(exo_dashserve_t *d);
/** Push what changed to every page now (before a snapshot, so no page misses a change). */
void exo_dash_push_now(exo_dashserve_t *d);
/** The dashboard protocol's name of a supervisor state. */
const char *exo_dash_state_name(exo_sup_state_t st);

/* ---- dashcmd.c ---- */

/** One command of a page (conn_send): answered by exactly one reply or error. */
void exo_dash_command(exo_dashserve_t *d, exo_conn_id_t conn, const char *name,
                      const char *payload, size_t len, const char *request);
/** A message the broker traced: settles a dash.send's outcome. */
void exo_dash_sends_traced(exo_dashserve_t *d, const exo_bus_trace_t *t);
/** A page went away: its sends end silently. */
void exo_dash_sends_forget(exo_dashserve_t *d, exo_conn_id_t conn);
/** Close every bus client and drop every send. */
void exo_dash_sends_close(exo_dashserve_t *d);

#endif /* EXO_CORE_DASHSERVE_INT_H */
