/*
 * core/bus/bus.h - the message bus from the core's side: starting the embedded broker of the
 * transport plugin "zmq" for an app (exo run, exo bus), the <app>/.exo/bus.json that tells
 * exo send / exo tail where it runs, and the human trace line of a broker event.
 * docs/bus.md has the semantics.
 *
 * <app>/.exo/bus.json: {"endpoint": "tcp://127.0.0.1:PORT", "control": "tcp://...", "pid": N}
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

#define EXO_BUS_TRANSPORT "zmq"

typedef struct exo_bus exo_bus_t;

/**
 * Open the broker for @p app on @p listen (NULL: the app's bus.listen) with the app's routing
 * table and write <app>/.exo/bus.json. @p on_trace (may be NULL) gets every broker event as
 * plain fields and NULL when the broker goes idle (see exo_bus_spec_t). Fails (NULL, @p err filled) when the transport is
 * missing, the endpoint cannot be bound or another exo run / exo bus already serves the app.
 */
exo_bus_t *exo_bus_start(const exo_app_t *app, const exo_registry_t *reg, exo_loop_t *loop,
                         const char *listen,
                         void (*on_trace)(void *arg, const exo_bus_trace_t *trace), void *arg,
                         exo_error_t *err);
const char *exo_bus_endpoint(const exo_bus_t *bus);
const char *exo_bus_control_endpoint(const exo_bus_t *bus);
/** The broker's state (see docs/protocol.md). New reference or NULL. */
json_t *exo_bus_stats(exo_bus_t *bus);
/** Close the broker and remove bus.json. Sets *bus_p to NULL. */
void exo_bus_stop(exo_bus_t **bus_p);

/** The working transport plugin "zmq" of @p reg, or NULL with @p err filled. */
const exo_plugin_t *exo_bus_transport(const exo_registry_t *reg, exo_error_t *err);

/**
 * Find the broker serving @p app from its bus.json. On success *endpoint and *control are new
 * strings. Fails with EXO_ERR_UNAVAILABLE and a message saying how to start one when there is
 * none (no file, or its pid is gone).
 */
int exo_bus_find(const exo_app_t *app, char **endpoint, char **control, exo_error_t *err);

/** Human line for a broker event, e.g. "web  --[ users.list ]->  users". New string, or NULL
 *  for events that have no line. */
char *exo_bus_trace_line(const json_t *event);
/** The same line for a plain-fields event, appended to @p out without a newline (no JSON, no
 *  allocation once @p out has grown). Returns false, appending nothing, when it has no line. */
bool exo_bus_trace_format(const exo_bus_trace_t *trace, exo_buf_t *out);

#endif /* EXO_CORE_BUS_H */
