/* core/cli/cmd_run.c - `exo run`: bring the app up, show its output, take it down on Ctrl-C. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/log.h"
#include "roles.h"
#include "run/session.h"

int exo_cmd_run(int argc, char **argv);

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

static void split_push(exo_strv_t *sv, const char *list)
{
    char *copy = exo_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        exo_strv_push(sv, t);
    }
    free(copy);
}

int exo_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"backend", required_argument, NULL, 'b'},
        {"watch", no_argument, NULL, 'w'},
        {"only", required_argument, NULL, 'o'},
        {"log-format", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    const char *app_dir = NULL, *backend = NULL;
    bool watch = false;
    exo_output_format_t format = EXO_OUTPUT_TEXT;
    exo_strv_t only = {0};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': app_dir = optarg; break;
        case 'b': backend = optarg; break;
        case 'w': watch = true; break;
        case 'o':
            split_push(&only, optarg);
            /* --only a b c: the roles up to the next option */
            while (optind < argc && argv[optind][0] != '-') {
                split_push(&only, argv[optind++]);
            }
            break;
        case 'l':
            if (strcmp(optarg, "json") == 0) {
                format = EXO_OUTPUT_JSON;
            } else if (strcmp(optarg, "text") != 0) {
                exo_strv_free(&only);
                return exo_cli_usage_error("run", "--log-format takes 'text' or 'json', not '%s'",
                                           optarg);
            }
            break;
        default:
            exo_strv_free(&only);
            return exo_cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        exo_strv_free(&only);
        return exo_cli_usage_error("run", "unexpected argument '%s' (roles go after --only)",
                                   argv[optind]);
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        exo_strv_free(&only);
        return code;
    }
    if (!exo_roles_roles(app, "run", &only, false)) {
        exo_strv_free(&only);
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    exo_session_opts_t opts = {.command = "run", .backend = backend, .format = format,
                               .bus = true, .record = true};
    run_ctx_t ctx = {0};
    ctx.s = exo_session_new(app, &opts, &code);
    if (ctx.s == NULL) {
        exo_strv_free(&only);
        exo_app_destroy(&app);
        return code;
    }
    exo_session_on_interrupt(ctx.s, on_interrupt, &ctx);
    exo_session_up(ctx.s, only.n ? &only : NULL, NULL, on_up, &ctx);
    if (watch && !ctx.stopping && exo_session_watch(ctx.s) < 0) {
        ctx.failed = true;
        stop(&ctx);
    }
    if (exo_loop_run(exo_session_loop(ctx.s)) < 0) {
        code = EXO_EXIT_INTERNAL;
    }
    exo_session_destroy(&ctx.s);
    exo_strv_free(&only);
    exo_app_destroy(&app);
    if (code == EXO_EXIT_OK && ctx.failed) {
        code = EXO_EXIT_USER;
    }
    return code;
}
