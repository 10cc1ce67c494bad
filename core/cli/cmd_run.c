/* core/cli/cmd_run.c - `exo run`: bring the app up, show its output, take it down on Ctrl-C. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "base/log.h"
#include "dashboard/dashserve.h"
#include "roles.h"
#include "run/session.h"

typedef struct run_ctx {
    exo_session_t *s;
    exo_dashserve_t *dash;
    bool failed;
    bool stopping;
} run_ctx_t;

static void on_down(void *arg)
{
    run_ctx_t *c = arg;
    exo_output_status(exo_session_output(c->s), "stopped");
    exo_loop_stop(exo_session_loop(c->s));
}

static void stop(run_ctx_t *c)
{
    if (!c->stopping) {
        c->stopping = true;
        exo_session_down(c->s, on_down, c);
    }
}

static void on_up(void *arg, bool ok)
{
    run_ctx_t *c = arg;
    if (!ok) {
        c->failed = true;
        exo_output_status(exo_session_output(c->s), "the app failed to come up; stopping");
        stop(c);
    } else if (c->dash != NULL) {
        exo_output_status(exo_session_output(c->s), "dashboard at %s",
                          exo_dashserve_url(c->dash));
        exo_session_record(c->s, "dashboard", json_pack("{s:s,s:i}", "url",
                                                         exo_dashserve_url(c->dash), "port",
                                                         (int)exo_dashserve_port(c->dash)));
    }
}

static void on_interrupt(void *arg)
{
    stop(arg);
}

typedef struct run_opts {
    const char *app, *backend, *log_format, *dashboard_port, *transport;
    bool watch, no_dashboard;
    exo_strv_t only;
} run_opts_t;

/* --dashboard-port N: 1..65535; 0 when not given. < 0 after a usage error. */
static long dashboard_port(const run_opts_t *o)
{
    if (o->dashboard_port == NULL) {
        return 0;
    }
    char *end;
    long port = strtol(o->dashboard_port, &end, 10);
    if (*end != '\0' || o->dashboard_port[0] == '\0' || port < 1 || port > 65535) {
        exo_cli_usage_error("run", "--dashboard-port takes a port from 1 to 65535, not '%s'",
                            o->dashboard_port);
        return -1;
    }
    if (o->no_dashboard) {
        exo_cli_usage_error("run", "--dashboard-port and --no-dashboard exclude each other");
        return -1;
    }
    return port;
}

/* The dashboard on the session: a pinned port that cannot be had stops the run; otherwise
 * a dashboard that cannot open is a warning, and the app runs without it. */
static int open_dashboard(run_ctx_t *c, const exo_app_t *app, long port)
{
    exo_error_t err = {0};
    c->dash = exo_dashserve_open(c->s, app, (unsigned)port, &err);
    if (c->dash != NULL) {
        return 0;
    }
    if (port != 0) {
        exo_error("%s", err.message);
        return -1;
    }
    exo_warn("no dashboard: %s", err.message);
    return 0;
}

/* Copies of a service that listens on a port cannot share it on one machine: say so rather
 * than run fewer than asked silently. */
static void warn_instances(const exo_app_t *app)
{
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        if (svc->instances > 1 && svc->port != 0) {
            exo_warn("%s:%d:%d: services.%s.instances is %u, but it listens on port %u: exo "
                     "run starts one instance; deployments written by 'exo generate' run %u",
                     app->file, svc->line, svc->column, svc->role, svc->instances, svc->port,
                     svc->instances);
        }
    }
}

static int run(void *opts, const exo_strv_t *args)
{
    run_opts_t *o = opts;
    if (args->n > 0) {
        return exo_cli_usage_error("run", "unexpected argument '%s'; roles go after --only",
                                   args->v[0]);
    }
    long port = dashboard_port(o);
    if (port < 0) {
        return EXO_EXIT_USER;
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
    }
    exo_error_t perr = {0};
    if (!o->no_dashboard && exo_dashserve_check_port((unsigned)port, &perr) < 0) {
        exo_error("%s", perr.message);
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    if (!exo_roles_roles(app, "run", &o->only, false)) {
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    warn_instances(app);
    if (o->transport != NULL) {
        /* For this run only: bus.json records it, so exo send and tail follow. */
        free(app->bus_transport);
        app->bus_transport = exo_xstrdup(o->transport);
    }
    exo_output_format_t format = o->log_format != NULL && strcmp(o->log_format, "json") == 0
                                     ? EXO_OUTPUT_JSON : EXO_OUTPUT_TEXT;
    exo_session_opts_t sopts = {.command = "run", .backend = o->backend, .format = format,
                                .bus = true, .record = true, .load_app = true};
    run_ctx_t ctx = {0};
    ctx.s = exo_cli_session(app, &sopts, &code);
    if (ctx.s == NULL) {
        exo_app_destroy(&app);
        return code;
    }
    if (!o->no_dashboard && open_dashboard(&ctx, app, port) < 0) {
        exo_session_destroy(&ctx.s);
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    exo_session_on_interrupt(ctx.s, on_interrupt, &ctx);
    exo_session_up(ctx.s, o->only.n ? &o->only : NULL, NULL, on_up, &ctx);
    if (o->watch && !ctx.stopping && exo_session_watch(ctx.s) < 0) {
        ctx.failed = true;
        stop(&ctx);
    }
    if (exo_loop_run(exo_session_loop(ctx.s)) < 0) {
        code = EXO_EXIT_INTERNAL;
    }
    exo_dashserve_close(&ctx.dash);
    exo_session_destroy(&ctx.s);
    exo_app_destroy(&app);
    if (code == EXO_EXIT_OK && ctx.failed) {
        code = EXO_EXIT_USER;
    }
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", run_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("backend", 0, EXO_OPT_VALUE, "NAME", run_opts_t, backend, 0,
               "run every service on this backend plugin (process, docker, ...)"),
    EXO_OPTION("transport", 0, EXO_OPT_VALUE, "NAME", run_opts_t, transport, 0,
               "run the bus on this transport plugin (zmq, nats) instead of bus.transport"),
    EXO_OPTION("watch", 0, EXO_OPT_FLAG, NULL, run_opts_t, watch, 0,
               "restart a service (after its setup) when its files change"),
    EXO_OPTION("only", 0, EXO_OPT_WORDS, "ROLE...", run_opts_t, only, 0,
               "start only these roles (and what they depend on); repeatable,\n"
               "comma-separated lists allowed"),
    EXO_OPTION("no-dashboard", 0, EXO_OPT_FLAG, NULL, run_opts_t, no_dashboard, 0,
               "serve no dashboard"),
    EXO_OPTION("dashboard-port", 0, EXO_OPT_VALUE, "N", run_opts_t, dashboard_port, 0,
               "serve the dashboard on 127.0.0.1:N (default: a free port)"),
    EXO_OPTION("log-format", 0, EXO_OPT_CHOICE, "text|json", run_opts_t, log_format, 0,
               "text (default) or json: one JSON object per line"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_run = {
    .name = "run",
    .summary = "bring the whole app up, show its output, stop it with Ctrl-C",
    .max_args = -1,
    .description =
        "Starts the message bus, the app's resources and its services (independent ones in\n"
        "parallel, a service with depends-on once those are ready), prints every line of their\n"
        "output prefixed with the role, and keeps them running (restarting crashed services per\n"
        "their restart policy) until Ctrl-C or SIGTERM, which stops everything: SIGTERM to each\n"
        "service's process group, SIGKILL after shutdown-grace. A second Ctrl-C kills at once.\n"
        "Logs are also written to .exo/logs/ROLE.log. Once the app is ready it prints the URL\n"
        "of each public role (application.yml services.<role>.public), e.g.\n"
        "'web public at http://127.0.0.1:3000'.\n"
        "It also serves a dashboard of the running app (services, logs, the messages between\n"
        "them, send, stop and restart) on 127.0.0.1 with a per-run token in its URL, printed\n"
        "as 'dashboard at http://127.0.0.1:PORT/TOKEN/' once the app is ready ('exo\n"
        "dashboard' prints it again; docs/dashboard.md).",
    .options = options,
    .opts_size = sizeof(run_opts_t),
    .epilog = "Exit status: 0 after a clean shutdown, 1 when the app failed to come up or the\n"
              "manifest is invalid, 2 internal error.",
    .run = run,
};
