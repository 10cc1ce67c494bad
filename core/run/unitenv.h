/*
 * core/run/unitenv.h - the environment of a service unit, built in layers (later wins):
 *   1. exo's own environment (origin "inherited"; hidden by `exo env` unless --all)
 *   2. exo: EXO_ROLE, EXO_APP, EXO_RUN_ID, PORT (when the service declares a port); for a
 *      frontend EXO_FRONTEND_LISTEN (BIND:PORT) and this exo's EXO_PLUGIN_PATH,
 *      EXO_NO_INSTALLED_PLUGINS and EXO_DEBUG when set; then what
 *      the bus transport says a service needs to join the bus (its emit_env: the endpoint,
 *      its client libraries' paths; origin "transport NAME"), through bus_env below
 *   3. the other services' endpoints: <ROLE>_HOST, <ROLE>_PORT, <ROLE>_URL (role upper-cased,
 *      '-' -> '_'; only services that declare a port)
 *   4. resources the service uses: their variables, prefixed <RESOURCE>_ (origin "resource X")
 *   5. application.yml env (app-wide)
 *   6. the service's service.yml env
 *   7. application.yml services.<role>.env
 * docs/configuration.md documents the same order.
 *
 * Ownership: the caller owns the env. Threading: none.
 */
#ifndef EXO_CORE_UNITENV_H
#define EXO_CORE_UNITENV_H

#include <stdbool.h>

#include "model/app.h"
#include "base/env.h"
#include "base/util.h"

typedef struct exo_unitenv_ctx {
    const exo_app_t *app;
    const char *run_id;         /* may be NULL */
    /* Per service, indexed like app->services: */
    const unsigned *listen_ports; /* PORT the service itself listens on (0 = none) */
    const unsigned *reach_ports;  /* port other units use to reach it */
    const char *const *hosts;     /* host other units use to reach it */
    /** Add the bus variables of @p svc (sets its own origin); NULL = none. */
    int (*bus_env)(void *arg, const exo_service_t *svc, exo_env_t *env, exo_error_t *err);
    /** Add resource @p name's variables for @p svc; called with the origin already set. */
    int (*resource_env)(void *arg, const exo_service_t *svc, const char *name, exo_env_t *env,
                        exo_error_t *err);
    void *arg;
} exo_unitenv_ctx_t;

/** Fill @p env for @p svc. Returns 0 or a negative EXO_ERR_* with @p err filled. */
int exo_unitenv_build(const exo_unitenv_ctx_t *ctx, const exo_service_t *svc, exo_env_t *env,
                     exo_error_t *err);

/** "<NAME>_" for a role or resource: upper-cased, '-' -> '_'. New string. */
char *exo_unitenv_prefix(const char *name);

/** A loopback TCP port that was free a moment ago, or 0; below the ephemeral port range
 *  when it can be, so that client connections do not take it before the server binds it. */
unsigned exo_unitenv_free_port(void);

/** Replace @p out with the secret values of @p env worth masking in output (4 characters or
 *  longer). */
void exo_unitenv_secrets(const exo_env_t *env, exo_strv_t *out);

#endif /* EXO_CORE_UNITENV_H */
