/* busenv.c - a service's bus variables; see busenv.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "broker.h"
#include "busenv.h"
#include "sdkenv.h"

/*
 * The endpoint as a unit reaches it. A running broker's endpoint (with its real port) names the
 * loopback host for processes on exo's machine; a unit elsewhere (a container) reaches that
 * machine as @p unit_host. Without a broker (`exo env`), the configured endpoint as written.
 */
static char *unit_endpoint(const exo_host_t *host, void *inst, const json_t *config,
                           const char *unit_host)
{
    if (inst == NULL) {
        const char *listen = exo_zbroker_config_listen(host, config);
        return exo_xstrdup(listen ? listen : EXO_BUS_DEFAULT_LISTEN);
    }
    return exo_endpoint_for_host(exo_zbroker_endpoint(inst), unit_host);
}

/* The unit's credential: its role's secret, masked like every secret (docs/security.md).
 * Only with a running broker and a role: `exo env` and build-only setups get none. */
static int emit_token(const exo_host_t *host, void *inst, const char *role, exo_env_t *env,
                      exo_error_t *err)
{
    if (inst == NULL || role == NULL) {
        return 0;
    }
    const char *secret = exo_zbroker_role_secret(inst, role);
    if (secret == NULL) {
        return exo_error_set(err, EXO_ERR_IO, "getrandom() failed: no bus secret for role %s",
                             role);
    }
    if (host->env_set(env, "EXO_BUS_TOKEN", secret, EXO_ENV_SECRET) != 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "cannot set EXO_BUS_TOKEN");
    }
    return 0;
}

int exo_zbusenv_emit(const exo_host_t *host, void *inst, const json_t *config, const char *role,
                     const char *unit_host, unsigned flags, exo_env_t *env, exo_error_t *err)
{
    char *endpoint = unit_endpoint(host, inst, config, unit_host);
    int rc = exo_sdkenv_emit(host, endpoint, flags, env, err);
    free(endpoint);
    return rc == 0 ? emit_token(host, inst, role, env, err) : rc;
}
