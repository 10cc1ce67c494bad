/* core/cli/cmd_frontend.c - `exo frontend ROLE`, the process exo run starts for each frontend
 * (hidden from `exo help`; docs/frontends.md "exo frontend"). It loads the app, the app's
 * transport and the frontend's plugin, registers the role on the bus (core/bus/busclient.h),
 * makes the connection table (core/frontend/feconn.h) the plugin's bus, opens the plugin on
 * EXO_FRONTEND_LISTEN and runs the loop until SIGTERM or SIGINT. "ROLE online" is printed
 * once the plugin listens and the role is registered: exo run's readiness. */
#include "config.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/frontend.h>

#include "base/log.h"
#include "base/util.h"
#include "bus/bus.h"
#include "bus/busclient.h"
#include "commands.h"
#include "frontend/feconn.h"
#include "frontend/feopen.h"
#include "run/portcheck.h"

typedef struct frontend_opts {
    const char *app;
} frontend_opts_t;

/* One running frontend: what it loaded and what it opened, closed in reverse order. */
typedef struct fe_run {
    exo_app_t *app;
    const exo_service_t *svc;
    exo_loop_t *loop;
    exo_registry_t *reg;
    const exo_plugin_t *plugin;
    const exo_frontend_ops_t *ops;
    char *host;                /* where it listens */
    unsigned port;
    exo_busclient_t *client;
    exo_feconn_table_t *table;
    void *inst;                /* the plugin's instance, once it listens */
    bool online, said_online;
    int failed;                /* < 0: the plugin could not listen (the loop stops) */
} fe_run_t;

static int listen_frontend(fe_run_t *r, exo_error_t *err);

/* "ROLE online" once both hold: the plugin listens, the role is registered. Said once, as a
 * service says its online text once; a broker restart is said on stderr. */
static void say_online(fe_run_t *r)
{
    if (r->online && r->inst != NULL && !r->said_online) {
        const char *url = r->ops->endpoint(r->inst);
        printf("%s online at %s\n", r->svc->role, url != NULL ? url : "?");
        fflush(stdout);
        r->said_online = true;
    }
}

static void on_online(void *arg, bool online)
{
    fe_run_t *r = arg;
    if (r->said_online && r->online != online) {
        exo_log(online ? EXO_LOG_INFO : EXO_LOG_WARN, "%s is %s", r->svc->role,
                online ? "back on the bus" : "off the bus: its clients get 'unavailable' "
                "until the broker is back");
    }
    r->online = online;
    /* The plugin listens only once the role is on the bus, so that no client meets a
     * frontend that accepts it and then answers everything 'unavailable'. */
    if (online && r->inst == NULL && r->failed == 0) {
        exo_error_t err = {0};
        r->failed = listen_frontend(r, &err);
        if (r->failed < 0) {
            exo_error("%s", err.message);
            exo_loop_stop(r->loop);
            return;
        }
    }
    say_online(r);
}

static void on_signal(int signo, void *arg)
{
    (void)signo;
    exo_loop_stop(arg);
}

/* "HOST:PORT" with an IPv4 HOST and a PORT from 1 to 65535 into r->host and r->port. */
static int parse_listen(fe_run_t *r, const char *listen, exo_error_t *err)
{
    const char *colon = strrchr(listen, ':');
    char *end = NULL;
    unsigned long port = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
    char *host = colon != NULL ? exo_xstrndup(listen, (size_t)(colon - listen)) : NULL;
    struct in_addr a;
    if (host == NULL || inet_pton(AF_INET, host, &a) != 1 || colon[1] < '0' ||
        colon[1] > '9' || *end != '\0' || port == 0 || port > 65535) {
        free(host);
        return exo_error_set(err, EXO_ERR_INVALID, "EXO_FRONTEND_LISTEN='%s' is not where to "
                             "listen: write HOST:PORT, an IPv4 address and a port from 1 to "
                             "65535 (e.g. 127.0.0.1:3000)", listen);
    }
    r->host = host;
    r->port = (unsigned)port;
    return EXO_OK;
}

/* Where to listen: EXO_FRONTEND_LISTEN (exo run sets it), else the role's public port. */
static int find_listen(fe_run_t *r, exo_error_t *err)
{
    const char *listen = getenv("EXO_FRONTEND_LISTEN");
    const exo_public_t *p = &r->svc->public_endpoint;
    if (listen == NULL || listen[0] == '\0') {
        if (p->port == 0) {
            return exo_error_set(err, EXO_ERR_INVALID, "EXO_FRONTEND_LISTEN is not set and "
                                 "frontends.%s has no public port: exo run sets it; by hand, "
                                 "set it to HOST:PORT (e.g. 127.0.0.1:3000)", r->svc->role);
        }
        r->host = exo_xstrdup(p->bind);
        r->port = p->port;
    } else if (parse_listen(r, listen, err) < 0) {
        return err->code;
    }
    exo_error_t perr = {0};
    if (exo_portcheck_listen(r->host, r->port, &perr) < 0) {
        return exo_error_set(err, perr.code, "frontend %s cannot listen on %s:%u: %s",
                             r->svc->role, r->host, r->port, perr.message);
    }
    return EXO_OK;
}

/* The role named on the command line, which must be a frontend of the app. */
static int find_role(fe_run_t *r, const char *role, exo_error_t *err)
{
    r->svc = exo_app_service(r->app, role);
    if (r->svc != NULL && r->svc->frontend != NULL) {
        return EXO_OK;
    }
    exo_buf_t names = {0};
    for (size_t i = 0; i < r->app->n_services; i++) {
        if (r->app->services[i].frontend != NULL) {
            exo_buf_printf(&names, "%s%s", names.len ? ", " : "", r->app->services[i].role);
        }
    }
    exo_error_set(err, EXO_ERR_NOTFOUND, "app %s has no frontend '%s'%s (its frontends: %s)",
                  r->app->name, role, r->svc != NULL ? ": it is a service" : "",
                  names.data != NULL ? names.data : "none");
    exo_buf_free(&names);
    return err->code;
}

/* The transport and frontend plugins, with the app's own (.exo/plugins): exo run runs the
 * app's code anyway. */
static int load_plugins(fe_run_t *r, const exo_plugin_t **transport, exo_error_t *err)
{
    exo_registry_opts_t ro = {.app_dir = r->app->dir, .loop = r->loop, .load_app = true,
                              .kind_mask = EXO_KIND_BIT(EXO_KIND_TRANSPORT) |
                                           EXO_KIND_BIT(EXO_KIND_FRONTEND)};
    r->reg = exo_registry_open(&ro);
    const char *type = r->svc->frontend->type;
    r->plugin = exo_registry_find(r->reg, EXO_KIND_FRONTEND, type);
    if (r->plugin == NULL) {
        char *names = exo_registry_names(r->reg, EXO_KIND_FRONTEND);
        exo_error_set(err, EXO_ERR_NOTFOUND, "frontends.%s: no working frontend plugin '%s' "
                      "(frontend plugins found: %s); 'exo plugins' shows every plugin and why "
                      "one failed to load", r->svc->role, type, names[0] ? names : "none");
        free(names);
        return err->code;
    }
    r->ops = r->plugin->desc->ops;
    *transport = exo_bus_transport(r->app, r->reg, err);
    return *transport != NULL ? EXO_OK : err->code;
}

/* Register the role on the bus: exo run gives the endpoint and the role's secret; by hand,
 * .exo/bus.json names the running broker and the run's user token. */
static int join_bus(fe_run_t *r, const exo_plugin_t *transport, exo_error_t *err)
{
    const char *env_endpoint = getenv("EXO_BUS_ENDPOINT");
    const char *env_token = getenv("EXO_BUS_TOKEN");
    char *endpoint = NULL, *control = NULL, *token = NULL;
    if (env_endpoint == NULL || env_endpoint[0] == '\0') {
        if (exo_bus_find(r->app, &endpoint, &control, &token, err) < 0) {
            return err->code;
        }
    }
    r->client = exo_busclient_open(transport, endpoint != NULL ? endpoint : env_endpoint,
                                   r->svc->role, env_token != NULL ? env_token : token, NULL,
                                   err);
    free(endpoint);
    free(control);
    free(token);
    return r->client != NULL ? EXO_OK : err->code;
}

/* The connection table over the client; the plugin listens (listen_frontend) once the
 * client is online (on_online). */
static int open_table(fe_run_t *r, exo_error_t *err)
{
    const exo_frontend_t *f = r->svc->frontend;
    exo_feconn_settings_t settings = {
        .role = r->svc->role, .auth_ask = f->auth_ask, .rate = f->rate,
        .request_timeout_ms = f->request_timeout_ms, .max_message_size = f->max_message_size,
        .on_online = on_online, .arg = r,
    };
    r->table = exo_feconn_open(r->loop, r->client, &settings, err);
    return r->table != NULL ? EXO_OK : err->code;
}

/* The plugin listening, with the table as its bus. */
static int listen_frontend(fe_run_t *r, exo_error_t *err)
{
    const exo_frontend_t *f = r->svc->frontend;
    char *listen = exo_strdupf("%s:%u", r->host, r->port);
    exo_frontend_spec_t spec = {
        .size = sizeof spec, .app = r->app->name, .app_dir = r->app->dir,
        .role = r->svc->role, .listen = listen, .config = f->config,
        .max_message_size = f->max_message_size, .bus_ops = exo_feconn_bus_ops(),
        .bus = r->table,
    };
    void *inst = NULL;
    exo_error_t perr = {0};
    int rc = exo_frontend_open(r->plugin, &spec, &inst, &perr);
    if (rc < 0) {
        exo_error_set(err, rc, "frontend %s (plugin %s) cannot listen on %s: %s",
                      r->svc->role, r->plugin->name, listen, perr.message);
    }
    free(listen);
    if (rc < 0) {
        return rc;
    }
    r->inst = inst;
    exo_feconn_attach(r->table, r->ops, inst);
    say_online(r);
    return EXO_OK;
}

/* Close what is open, the plugin first (it stops listening and drops its clients), then the
 * table, then the bus client. */
static void close_all(fe_run_t *r)
{
    if (r->inst != NULL) {
        r->ops->close(r->inst);
    }
    exo_feconn_close(&r->table);
    exo_busclient_close(&r->client);
    exo_registry_destroy(&r->reg);
    exo_loop_destroy(&r->loop);
    free(r->host);
    exo_app_destroy(&r->app);
}

static int run(void *opts, const exo_strv_t *args)
{
    const frontend_opts_t *o = opts;
    if (args->n != 1) {
        return exo_cli_usage_error("frontend", "takes exactly one ROLE");
    }
    /* A client that goes away must not kill the frontend with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    int code = EXO_EXIT_OK;
    fe_run_t r = {.app = exo_cli_load_app(o->app, &code)};
    if (r.app == NULL) {
        return code;
    }
    exo_error_t err = {0};
    const exo_plugin_t *transport = NULL;
    r.loop = exo_loop_new();
    int rc = find_role(&r, args->v[0], &err);
    rc = rc < 0 ? rc : find_listen(&r, &err);
    rc = rc < 0 ? rc : load_plugins(&r, &transport, &err);
    rc = rc < 0 ? rc : join_bus(&r, transport, &err);
    rc = rc < 0 ? rc : open_table(&r, &err);
    if (rc < 0) {
        exo_error("%s", err.message);
        code = rc == EXO_ERR_INTERNAL ? EXO_EXIT_INTERNAL : EXO_EXIT_USER;
    } else if (r.failed == 0) {
        exo_loop_signal(r.loop, SIGTERM, on_signal, r.loop);
        exo_loop_signal(r.loop, SIGINT, on_signal, r.loop);
        if (exo_loop_run(r.loop) < 0) {
            code = EXO_EXIT_INTERNAL;
        }
    }
    if (r.failed < 0) {
        code = r.failed == EXO_ERR_INTERNAL ? EXO_EXIT_INTERNAL : EXO_EXIT_USER;
    }
    close_all(&r);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", frontend_opts_t, app, 0,
               "the app directory (default: the nearest application.yml at or above)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_frontend = {
    .name = "frontend",
    .summary = "run one frontend of the app (exo run starts it; not for direct use)",
    .args = "ROLE",
    .max_args = 1,
    .description =
        "Runs frontends.ROLE of the app: registers ROLE on the app's bus, loads the frontend\n"
        "plugin named by its type and listens on EXO_FRONTEND_LISTEN (HOST:PORT; default: the\n"
        "role's public port). Prints 'ROLE online at URL' once it listens and is on the bus,\n"
        "and runs until SIGTERM or SIGINT. exo run starts one per frontend with the bus\n"
        "variables of the role (EXO_BUS_ENDPOINT, EXO_BUS_TOKEN); by hand it joins the bus of\n"
        "the running exo run or exo bus with the run's user token (.exo/bus.json).",
    .options = options,
    .opts_size = sizeof(frontend_opts_t),
    .epilog = "Exit status: 0 stopped by a signal, 1 the app, the role, the plugin, the bus or "
              "the\nlisten address is wrong (said on stderr), 2 internal error.",
    .run = run,
    .hidden = true,
};
