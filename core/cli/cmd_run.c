/* core/cli/cmd_run.c - `exo run`: bring the app up, show its output, take it down on Ctrl-C. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "base/log.h"
#include "roles.h"
#include "run/session.h"

typedef struct run_ctx {
    exo_session_t *s;
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
    }
}

static void on_interrupt(void *arg)
{
    stop(arg);
}

typedef struct run_opts {
    const char *app, *backend, *log_format, *transport;
    bool watch;
    exo_strv_t only;
} run_opts_t;

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
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
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
    exo_session_on_interrupt(ctx.s, on_interrupt, &ctx);
    exo_session_up(ctx.s, o->only.n ? &o->only : NULL, NULL, on_up, &ctx);
    if (o->watch && !ctx.stopping && exo_session_watch(ctx.s) < 0) {
        ctx.failed = true;
        stop(&ctx);
    }
    if (exo_loop_run(exo_session_loop(ctx.s)) < 0) {
        code = EXO_EXIT_INTERNAL;
    }
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
        "'web public at http://127.0.0.1:3000'.",
    .options = options,
    .opts_size = sizeof(run_opts_t),
    .epilog = "Exit status: 0 after a clean shutdown, 1 when the app failed to come up or the\n"
              "manifest is invalid, 2 internal error.",
    .run = run,
};
