/*
 * core/run/busfeed.h - the embedded broker as `exo run` and `exo test` see it: start it for the
 * app, learn when a role registers, receive trace lines, and the variables a unit needs to
 * join it. A thin adapter over core/bus/bus.h so the run orchestration does not depend on the
 * bus's event format.
 *
 * Ownership: the adapter owns the broker. Threading: loop thread only.
 */
#ifndef EXO_CORE_BUSFEED_H
#define EXO_CORE_BUSFEED_H

#include <exo/transport.h>

#include "model/app.h"
#include "plugins/registry.h"
#include "base/env.h"
#include "base/loop.h"

typedef struct exo_busfeed exo_busfeed_t;

typedef struct exo_busfeed_events {
    /** An instance of @p role registered with its role's secret (a unit exo started; a
     *  registration with the user token, e.g. exo send --as, is not reported). */
    void (*on_register)(void *arg, const char *role);
    /** A trace line for the log (a routed message, a warning). Lines come in bursts: they
     *  may be left buffered until on_idle. */
    void (*on_trace)(void *arg, const char *line);
    void *arg;
    /** The broker has drained its sockets: write out buffered trace lines. Optional. */
    void (*on_idle)(void *arg);
    /** Every broker event as the transport gives it (borrowed for the call), before its
     *  line: the dashboard's view of the bus. Optional. */
    void (*on_event)(void *arg, const exo_bus_trace_t *t);
} exo_busfeed_events_t;

/** Start the app's broker; @p bind_host (NULL = loopback) is the address the run's backends
 *  need it bound to (see exo_bus_start). */
exo_busfeed_t *exo_busfeed_start(const exo_app_t *app, const exo_registry_t *reg,
                                 exo_loop_t *loop, const char *bind_host,
                                 const exo_busfeed_events_t *ev, exo_error_t *err);
/** The endpoint as exo reaches it, e.g. tcp://127.0.0.1:40123. NULL for a NULL feed. */
const char *exo_busfeed_endpoint(const exo_busfeed_t *bus);
/** A unit's bus variables (exo_bus_emit_env; @p flags: EXO_BUS_ENV_*); @p bus NULL = no
 *  broker runs; @p role: the unit's role (its credential), NULL = none. */
int exo_busfeed_emit_env(exo_busfeed_t *bus, const exo_app_t *app, const exo_registry_t *reg,
                         const char *role, const char *unit_host, unsigned flags, exo_env_t *env,
                         exo_error_t *err);
/** The run's user token (exo_bus_user_token); NULL for a NULL feed. */
const char *exo_busfeed_user_token(const exo_busfeed_t *bus);
/** The broker's state with its per-route counters (exo_bus_stats): new reference or NULL. */
json_t *exo_busfeed_stats(exo_busfeed_t *bus);
void exo_busfeed_stop(exo_busfeed_t **bus_p);

#endif /* EXO_CORE_BUSFEED_H */
