/*
 * core/bus/bus.h - the message bus from the core's side: starting the embedded broker of the
 * app's transport plugin (application.yml `bus.transport`, default "zmq") for an app (exo run,
 * exo bus), the variables a service needs to join that bus (the transport's emit_env), the
 * <app>/.exo/bus.json that tells exo send / exo tail where it runs, and the human trace line
 * of a broker event. docs/bus.md has the semantics. What an endpoint looks like, which
 * address to bind and which client libraries a service needs are the transport's business:
 * the core passes the app's `bus:` section and the address the backends need through.
 *
 * <app>/.exo/bus.json (0600): {"endpoint": "tcp://127.0.0.1:PORT", "control": "tcp://...",
 * "pid": N, "token": the run's user token}
 * written atomically by exo_bus_start and removed by exo_bus_stop.
 *
 * Ownership: exo_bus_t owns its broker instance; the registry and loop must outlive it.
 * Threading: loop thread only; on_trace runs on the loop thread.
 */
#ifndef EXO_CORE_BUS_H
#define EXO_CORE_BUS_H

#include <jansson.h>

#include <exo/transport.h>

#include "model/app.h"
#include "plugins/registry.h"
#include "base/loop.h"
#include "base/util.h"

#include "base/env.h"

typedef struct exo_bus exo_bus_t;

/**
 * Open the broker of the app's transport with the app's `bus:` section and routing table and
 * write <app>/.exo/bus.json. @p listen (NULL = the configuration's) is an endpoint to bind
 * instead (exo bus --listen); @p bind_host (NULL = loopback) the address the run's backends
 * need it bound to (exo_bus_spec_t.bind_host). @p on_trace (may be NULL) gets every broker
 * event as plain fields and NULL when the broker goes idle (see exo_bus_spec_t). Fails (NULL,
 * @p err filled) when the transport is missing, the endpoint cannot be bound or another
 * exo run / exo bus already serves the app.
 */
exo_bus_t *exo_bus_start(const exo_app_t *app, const exo_registry_t *reg, exo_loop_t *loop,
                         const char *listen, const char *bind_host,
                         void (*on_trace)(void *arg, const exo_bus_trace_t *trace), void *arg,
                         exo_error_t *err);
const char *exo_bus_endpoint(const exo_bus_t *bus);
const char *exo_bus_control_endpoint(const exo_bus_t *bus);
/** The run's user token (bus.json "token"): what exo send --as proves. Bus-owned. */
const char *exo_bus_user_token(const exo_bus_t *bus);
/** The broker's state (see docs/protocol.md). New reference or NULL. */
json_t *exo_bus_stats(exo_bus_t *bus);
/** Close the broker and remove bus.json. Sets *bus_p to NULL. */
void exo_bus_stop(exo_bus_t **bus_p);

/** The working transport plugin @p app names (bus.transport) in @p reg, or NULL with @p err
 *  filled. */
const exo_plugin_t *exo_bus_transport(const exo_app_t *app, const exo_registry_t *reg,
                                      exo_error_t *err);

/**
 * Add to @p env what a service needs to join the app's bus: the transport's emit_env, with
 * the running broker @p bus (NULL when none runs, as for `exo env`), @p role (the unit's
 * role: with a running broker it gets that role's credential; NULL = none), @p unit_host (the
 * host name under which the unit reaches exo's machine) and @p flags (EXO_BUS_ENV_BUILD for
 * setup commands). Origin of the variables: "transport NAME".
 * A transport without emit_env (built before ABI 1.2) gives EXO_BUS_ENDPOINT = the running
 * broker's endpoint as it reports it (without a broker: the configured `bus.listen`), and
 * nothing else: no client library paths, and no address rewritten for containers. Without a
 * broker and without a working transport there is no bus to join: no variables, no error
 * (`exo env` and `exo setup` work in an app whose transport is not installed).
 */
int exo_bus_emit_env(const exo_app_t *app, const exo_registry_t *reg, exo_bus_t *bus,
                     const char *role, const char *unit_host, unsigned flags, exo_env_t *env,
                     exo_error_t *err);

/**
 * Find the broker serving @p app from its bus.json. On success *endpoint, *control and
 * *token (the run's user token; NULL when the file has none; @p token may be NULL) are new
 * strings. Fails with EXO_ERR_UNAVAILABLE and a message saying how to start one when there is
 * none (no file, or its pid is gone).
 */
int exo_bus_find(const exo_app_t *app, char **endpoint, char **control, char **token,
                 exo_error_t *err);

/**
 * The transport's client_tail / client_stats with the run's user token (@p token, from
 * exo_bus_find). A transport older than ABI 1.2 (no emit_env) has the 1.1 signatures, without
 * the token: it is called through them.
 */
int exo_bus_client_tail(const exo_plugin_t *p, const char *control, const char *token,
                        int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err);
int exo_bus_client_stats(const exo_plugin_t *p, const char *control, const char *token,
                         json_t **out, exo_error_t *err);

/** Human line for a broker event, e.g. "web  --[ users.list ]->  users". New string, or NULL
 *  for events that have no line. */
char *exo_bus_trace_line(const json_t *event);
/** The same line for a plain-fields event, appended to @p out without a newline (no JSON, no
 *  allocation once @p out has grown). Returns false, appending nothing, when it has no line
 *  or the broker logged it already (trace->logged, transport ABI 1.4). */
bool exo_bus_trace_format(const exo_bus_trace_t *trace, exo_buf_t *out);

#endif /* EXO_CORE_BUS_H */
