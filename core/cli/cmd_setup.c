/* core/cli/cmd_setup.c - `exo setup`: every service's setup command, in parallel. */
#include "config.h"

#include <stdlib.h>

#include "commands.h"
#include "roles.h"
#include "run/session.h"

typedef struct job {
    const exo_service_t *svc;
    int status;          /* -2 running or not run */
    unsigned long long ms;
    struct setup_ctx *c;
} job_t;

typedef struct setup_ctx {
    exo_session_t *s;
    job_t *jobs;
    size_t n, running;
    int first_failure;
    bool interrupted;
} setup_ctx_t;

static void on_done(void *arg, int status, unsigned long long ms)
{
    job_t *j = arg;
    setup_ctx_t *c = j->c;
    j->status = status;
    j->ms = ms;
    if (status != 0 && c->first_failure == 0) {
        c->first_failure = status > 0 ? status : EXO_EXIT_USER;
    }
    exo_output_role_status(exo_session_output(c->s), j->svc->role, "setup %s (%llu ms)",
                           status == 0 ? "done" : status > 0 ? "failed" : "was killed", ms);
    if (--c->running == 0) {
        exo_loop_stop(exo_session_loop(c->s));
    }
}

static void after_down(void *arg)
{
    setup_ctx_t *c = arg;
    exo_loop_stop(exo_session_loop(c->s));
}

static void on_interrupt(void *arg)
{
    setup_ctx_t *c = arg;
    c->interrupted = true;
    exo_session_down(c->s, after_down, c);
}

typedef struct setup_opts {
    const char *app, *backend;
} setup_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    const setup_opts_t *o = opts;
    int code = EXO_EXIT_OK;
    exo_strv_t roles = {0};
    exo_app_t *app = exo_roles_load(o->app, "setup", args, &roles, &code);
    if (app == NULL) {
        return code;
    }
    setup_ctx_t c = {0};
    size_t *idx = exo_roles_by_location(app, &roles, &c.n);
    exo_strv_free(&roles);
    c.jobs = exo_xcalloc(c.n + 1, sizeof *c.jobs);
    exo_session_opts_t sopts = {.command = "setup", .backend = o->backend, .load_app = true};
    c.s = exo_cli_session(app, &sopts, &code);
    if (c.s == NULL) {
        free(idx);
        free(c.jobs);
        exo_app_destroy(&app);
        return code;
    }
    exo_session_on_interrupt(c.s, on_interrupt, &c);
    exo_output_t *out = exo_session_output(c.s);
    size_t skipped = 0;
    for (size_t i = 0; i < c.n; i++) {
        job_t *j = &c.jobs[i];
        j->svc = &app->services[idx[i]];
        j->status = -2;
        j->c = &c;
        if (j->svc->setup == NULL) {
            skipped++;
            exo_output_role_status(out, j->svc->role, "has no setup command, skipping");
            continue;
        }
        exo_output_role_status(out, j->svc->role, "setup: %s", j->svc->setup);
        c.running++;
        if (exo_session_task(c.s, j->svc, EXO_UNIT_ROLE_SETUP, j->svc->role, on_done, j) < 0) {
            c.running--;
            j->status = -1;
            if (c.first_failure == 0) {
                c.first_failure = EXO_EXIT_USER;
            }
        }
    }
    free(idx);
    if (c.running > 0) {
        exo_loop_run(exo_session_loop(c.s));
    }
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < c.n; i++) {
        ok += c.jobs[i].status == 0;
        failed += c.jobs[i].status != 0 && c.jobs[i].svc->setup != NULL;
    }
    exo_output_status(out, "summary: %zu set up, %zu failed, %zu without setup", ok, failed,
                      skipped);
    for (size_t i = 0; i < c.n; i++) {
        if (c.jobs[i].svc->setup != NULL && c.jobs[i].status != 0) {
            exo_output_status(out, "  FAILED %s", c.jobs[i].svc->role);
        }
    }
    exo_session_destroy(&c.s);
    free(c.jobs);
    exo_app_destroy(&app);
    if (c.first_failure != 0) {
        return c.first_failure;
    }
    return c.interrupted ? EXO_EXIT_USER : code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", setup_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("backend", 0, EXO_OPT_VALUE, "NAME", setup_opts_t, backend, 0,
               "run the setup commands on this backend plugin"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_setup = {
    .name = "setup",
    .summary = "run each service's setup command (build, install dependencies)",
    .args = "[ROLE...]",
    .max_args = -1,
    .description =
        "Runs the `setup` command of each selected service (all by default; inside a service\n"
        "directory, that one) in its directory, all in parallel, output prefixed per role.\n"
        "Setup commands also get what the app's transport adds for building a service against its\n"
        "client library (docs/bus.md).",
    .options = options,
    .opts_size = sizeof(setup_opts_t),
    .epilog = "Exit status: 0 all succeeded, else the exit code of the first setup that failed.",
    .run = run,
};
