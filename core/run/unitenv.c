/* core/run/unitenv.c - layered service environment. See unitenv.h for the order. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unitenv.h"
#include "base/util.h"

extern char **environ;

char *exo_unitenv_prefix(const char *name)
{
    char *p = exo_strdupf("%s_", name);
    for (char *c = p; *c; c++) {
        *c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
    }
    return p;
}

/* Bind 127.0.0.1:@p port (0 = any) and close again: the port it got, or 0. */
static unsigned try_port(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    unsigned got = 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
        got = ntohs(sa.sin_port);
    }
    close(fd);
    return got;
}

unsigned exo_unitenv_free_port(void)
{
    /* Below the kernel's ephemeral range: a port from bind(0) comes from that range, which
     * every outgoing connection (a readiness check, a client) also takes its local port
     * from, so between our pick and the server's bind a connection could take it. */
    static unsigned lo; /* start of the ephemeral range, read once */
    if (lo == 0) {
        unsigned hi;
        char *range = exo_read_file("/proc/sys/net/ipv4/ip_local_port_range", NULL);
        if (range == NULL || sscanf(range, "%u %u", &lo, &hi) != 2) {
            lo = 32768; /* the kernel's default */
        }
        free(range);
    }
    const unsigned first = 10000;
    if (lo > first + 1000) {
        static unsigned seed;
        if (seed == 0) {
            seed = (unsigned)getpid() * 2654435761u ^ (unsigned)exo_now_ms();
        }
        for (int i = 0; i < 64; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned port = try_port(first + (seed >> 8) % (lo - first));
            if (port != 0) {
                return port;
            }
        }
    }
    return try_port(0);
}

void exo_unitenv_secrets(const exo_env_t *env, exo_strv_t *out)
{
    exo_strv_free(out);
    for (size_t i = 0; i < env->n; i++) {
        /* Very short values would mask ordinary words. */
        if (env->vars[i].secret && strlen(env->vars[i].value) >= 4) {
            exo_strv_push(out, env->vars[i].value);
        }
    }
}

static void add_kvs(exo_env_t *env, const exo_kv_t *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        exo_env_set(env, kv[i].name, kv[i].value, kv[i].secret ? EXO_ENV_SECRET : 0);
    }
}

/* Layer 1: exo's own environment, without another exo's variables. */
static void add_inherited(exo_env_t *env)
{
    exo_env_set_origin(env, "inherited");
    for (char **e = environ; e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL) {
            continue;
        }
        char *name = exo_xstrndup(*e, (size_t)(eq - *e));
        /* Another exo's variables must not leak into this app's services. */
        if (strncmp(name, "EXO_", 4) != 0 && exo_env_name_valid(name)) {
            exo_env_set(env, name, eq + 1, 0);
        }
        free(name);
    }
}

/* Layer 2, a frontend's: where `exo frontend ROLE` listens, and the plugin search of this
 * exo (its EXO_ variables are not inherited), so that it loads the plugins this exo does. */
static void add_frontend(const exo_unitenv_ctx_t *ctx, const exo_service_t *svc, size_t self,
                         exo_env_t *env)
{
    unsigned port = ctx->listen_ports != NULL ? ctx->listen_ports[self] : 0;
    if (port != 0) {
        const char *bind = svc->public_endpoint.bind != NULL ? svc->public_endpoint.bind
                                                             : EXO_PUBLIC_BIND_DEFAULT;
        char *listen = exo_strdupf("%s:%u", bind, port);
        exo_env_set(env, "EXO_FRONTEND_LISTEN", listen, 0);
        free(listen);
    }
    static const char *const search[] = {"EXO_PLUGIN_PATH", "EXO_NO_INSTALLED_PLUGINS",
                                         "EXO_DEBUG", NULL};
    for (size_t i = 0; search[i] != NULL; i++) {
        const char *v = getenv(search[i]);
        if (v != NULL) {
            exo_env_set(env, search[i], v, 0);
        }
    }
}

/* Layer 3: <ROLE>_HOST, _PORT and _URL of every other service that has a port. */
static void add_endpoints(const exo_unitenv_ctx_t *ctx, size_t self, exo_env_t *env)
{
    const exo_app_t *app = ctx->app;
    for (size_t i = 0; i < app->n_services; i++) {
        unsigned port = ctx->reach_ports ? ctx->reach_ports[i] : 0;
        if (i == self || port == 0) {
            continue;
        }
        const exo_service_t *o = &app->services[i];
        const char *host = ctx->hosts && ctx->hosts[i] ? ctx->hosts[i] : "127.0.0.1";
        char *origin = exo_strdupf("exo (service %s)", o->role);
        exo_env_set_origin(env, origin);
        free(origin);
        char *prefix = exo_unitenv_prefix(o->role);
        char *name = exo_strdupf("%sHOST", prefix);
        exo_env_set(env, name, host, 0);
        free(name);
        name = exo_strdupf("%sPORT", prefix);
        char *val = exo_strdupf("%u", port);
        exo_env_set(env, name, val, 0);
        free(name);
        free(val);
        name = exo_strdupf("%sURL", prefix);
        val = exo_strdupf("http://%s:%u", host, port);
        exo_env_set(env, name, val, 0);
        free(name);
        free(val);
        free(prefix);
    }
}

int exo_unitenv_build(const exo_unitenv_ctx_t *ctx, const exo_service_t *svc, exo_env_t *env,
                     exo_error_t *err)
{
    const exo_app_t *app = ctx->app;
    size_t self = (size_t)(svc - app->services);
    add_inherited(env);

    exo_env_set_origin(env, "exo");
    exo_env_set(env, "EXO_ROLE", svc->role, 0);
    exo_env_set(env, "EXO_APP", app->name, 0);
    if (ctx->run_id != NULL) {
        exo_env_set(env, "EXO_RUN_ID", ctx->run_id, 0);
    }
    if (ctx->listen_ports != NULL && ctx->listen_ports[self] != 0) {
        char port[16];
        snprintf(port, sizeof port, "%u", ctx->listen_ports[self]);
        exo_env_set(env, "PORT", port, 0);
    }
    if (svc->frontend != NULL) {
        add_frontend(ctx, svc, self, env);
    }
    int rc = ctx->bus_env != NULL ? ctx->bus_env(ctx->arg, svc, env, err) : EXO_OK;
    if (rc < 0) {
        return rc;
    }
    add_endpoints(ctx, self, env);

    for (size_t i = 0; i < svc->n_resources; i++) {
        char *origin = exo_strdupf("resource %s", svc->resources[i]);
        exo_env_set_origin(env, origin);
        free(origin);
        rc = ctx->resource_env != NULL
             ? ctx->resource_env(ctx->arg, svc, svc->resources[i], env, err) : EXO_OK;
        if (rc < 0) {
            return rc;
        }
    }

    exo_env_set_origin(env, "application.yml env");
    add_kvs(env, app->env, app->n_env);
    exo_env_set_origin(env, "service.yml env");
    add_kvs(env, svc->env, svc->n_env);
    char *origin = exo_strdupf("application.yml services.%s.env", svc->role);
    exo_env_set_origin(env, origin);
    free(origin);
    add_kvs(env, svc->app_env, svc->n_app_env);
    return EXO_OK;
}
