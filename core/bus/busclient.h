/*
 * bus/busclient.h - a long-lived client of the app's bus for the core (transport ABI 1.3:
 * client_open/post/online/close): what `exo frontend ROLE` registers as the frontend's role.
 * It checks that the transport has the 1.3 client, and lets its receiver be set after it is
 * open (the connection table, core/frontend/feconn.h, is made with the client).
 *
 * Ownership: the client copies its strings. Threading: loop thread only; the transport
 * drives the client from its host's loop (the registry's loop).
 */
#ifndef EXO_CORE_BUSCLIENT_H
#define EXO_CORE_BUSCLIENT_H

#include <stdbool.h>

#include <exo/transport.h>

#include "plugins/registry.h"

typedef struct exo_busclient exo_busclient_t;

/** Where the client's messages and online changes go (see exo_bus_client_spec_t). */
typedef struct exo_busclient_handler {
    void (*on_message)(void *arg, const exo_bus_msg_t *msg);
    void (*on_online)(void *arg, bool online);
    void *arg;
} exo_busclient_handler_t;

/**
 * Open a client of @p transport (a transport plugin from the registry) at @p endpoint as
 * @p role with @p token (the role's secret from EXO_BUS_TOKEN, or the run's user token;
 * NULL = none) and @p label (NULL = the transport's default). Messages received before a
 * handler is set are dropped. NULL with @p err filled when the transport has no long-lived
 * client (built before ABI 1.3) or cannot open one.
 */
exo_busclient_t *exo_busclient_open(const exo_plugin_t *transport, const char *endpoint,
                                    const char *role, const char *token, const char *label,
                                    exo_error_t *err);
/**
 * The same as a transient instance (transport ABI 1.4, exo_bus_client_spec_t.transient), as
 * `exo send --as ROLE` registers: replies in its own activities reach it, but it never takes
 * a share of the role's messages. A transport older than 1.4 ignores the wish and registers
 * a full instance.
 */
exo_busclient_t *exo_busclient_open_transient(const exo_plugin_t *transport,
                                              const char *endpoint, const char *role,
                                              const char *token, const char *label,
                                              exo_error_t *err);
/** Send what arrives from now on to @p handler (copied; NULL = drop). */
void exo_busclient_set_handler(exo_busclient_t *c, const exo_busclient_handler_t *handler);
/** The transport's client_post (see exo/transport.h): @p activity NULL starts a new one,
 *  whose id lands in @p activity_out (EXO_BUS_ACTIVITY_MAX + 1 bytes; may be NULL). */
int exo_busclient_post(exo_busclient_t *c, const char *name, const char *payload, size_t len,
                       const char *activity, const char *auth, char *activity_out,
                       exo_error_t *err);
/** True while registered with the broker. */
bool exo_busclient_online(const exo_busclient_t *c);
const char *exo_busclient_role(const exo_busclient_t *c);
/** Unregister and free. Sets *c_p to NULL. */
void exo_busclient_close(exo_busclient_t **c_p);

#endif /* EXO_CORE_BUSCLIENT_H */
