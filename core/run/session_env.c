/* core/run/session_env.c - the environment of a service's units in a session: unitenv.c's
 * layers with the session's ports and hosts, the transport's bus variables and the
 * resources' variables. See session_int.h. */
#include "config.h"

#include <stdlib.h>

#include "unitenv.h"
#include "session_int.h"

node_t *exo_session_service_node(exo_session_t *s, const exo_service_t *svc)
{
    return &s->nodes[svc - s->app->services];
}

typedef struct env_job {
    exo_session_t *s;
    bool setup;
} env_job_t;

/* The transport's variables: the endpoint as this unit reaches exo's machine, client
 * libraries. A run whose broker would not start gives none. */
static int bus_env(void *arg, const exo_service_t *svc, exo_env_t *env, exo_error_t *err)
{
    env_job_t *job = arg;
    exo_session_t *s = job->s;
    if (s->opts.bus && s->bus == NULL) {
        return EXO_OK;
    }
    const char *unit_host = exo_session_host_address(exo_session_service_node(s, svc)->be);
    /* A build-only setup gets no credential: it compiles, it does not join the bus. */
    return exo_busfeed_emit_env(s->bus, s->app, s->reg, job->setup ? NULL : svc->role,
                                unit_host, job->setup ? EXO_BUS_ENV_BUILD : 0u, env, err);
}

static int resource_env(void *arg, const exo_service_t *svc, const char *name, exo_env_t *env,
                        exo_error_t *err)
{
    env_job_t *job = arg;
    return exo_session_resource_env(job->s, svc, name, env, err);
}

int exo_session_env(exo_session_t *s, const exo_service_t *svc, bool setup, exo_env_t *env,
                    exo_error_t *err)
{
    size_t n = s->app->n_services;
    unsigned *listen = exo_xcalloc(n + 1, sizeof *listen);
    unsigned *reach = exo_xcalloc(n + 1, sizeof *reach);
    const char **hosts = exo_xcalloc(n + 1, sizeof *hosts);
    for (size_t i = 0; i < n; i++) {
        listen[i] = s->nodes[i].listen_port;
        reach[i] = s->nodes[i].reach_port;
        hosts[i] = exo_session_unit_host(s->nodes[i].be, s->nodes[i].name);
    }
    env_job_t job = {.s = s, .setup = setup};
    exo_unitenv_ctx_t ctx = {
        .app = s->app, .run_id = s->run_id, .listen_ports = listen, .reach_ports = reach,
        .hosts = hosts, .bus_env = bus_env, .resource_env = resource_env, .arg = &job,
    };
    int rc = exo_unitenv_build(&ctx, svc, env, err);
    free(listen);
    free(reach);
    free(hosts);
    return rc;
}

char **exo_session_unit_env(exo_session_t *s, const exo_service_t *svc, bool setup,
                       exo_strv_t *secrets, exo_error_t *err)
{
    exo_env_t *env = exo_env_new();
    char **strings = NULL;
    if (exo_session_env(s, svc, setup, env, err) == 0) {
        strings = exo_env_strings(env);
        exo_unitenv_secrets(env, secrets);
        exo_output_add_secrets(s->out, secrets); /* masked in every role's output */
    }
    exo_env_destroy(&env);
    return strings;
}


void exo_session_mask_app(exo_session_t *s)
{
    exo_output_set_max_log(s->out, s->app->log_max_size);
    for (size_t i = 0; i < s->app->n_services; i++) {
        exo_strv_t secrets = {0};
        exo_error_t err = {0};
        /* Every service's secrets, its resources' passwords among them, before any unit
         * prints: a service may print another's secret it received. */
        char **env = exo_session_unit_env(s, &s->app->services[i], false, &secrets, &err);
        exo_env_free_strings(env);
        exo_strv_free(&secrets);
    }
}
