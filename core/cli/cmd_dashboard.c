/* core/cli/cmd_dashboard.c - `exo dashboard [--app DIR]`: print the URL of the dashboard the
 * running `exo run` of the app serves (from .exo/run.json). Opens nothing by itself. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "commands.h"
#include "model/statedir.h"
#include "run/record.h"

typedef struct dashboard_opts {
    const char *app;
} dashboard_opts_t;

/* The dashboard URL recorded by a run of @p exo_dir that is still alive, else NULL (new
 * string). @p why says what is missing. */
static char *running_url(const char *exo_dir, const char **why)
{
    exo_record_t rs = {0};
    if (!exo_record_read(exo_dir, &rs) || !exo_record_alive(&rs)) {
        exo_record_free(&rs);
        *why = "the app is not running: start it with 'exo run'";
        return NULL;
    }
    bool is_run = rs.command != NULL && strcmp(rs.command, "run") == 0;
    exo_record_free(&rs);
    json_t *dash = exo_record_get(exo_dir, "dashboard");
    const char *url = json_string_value(json_object_get(dash, "url"));
    char *copy = url != NULL ? exo_xstrdup(url) : NULL;
    json_decref(dash);
    if (copy == NULL) {
        *why = is_run ? "its exo run serves no dashboard (started with --no-dashboard, or not "
                        "ready yet)"
                      : "it runs under another command than 'exo run', which serves no "
                        "dashboard";
    }
    return copy;
}

static int run(void *opts, const exo_strv_t *args)
{
    const dashboard_opts_t *o = opts;
    if (args->n > 0) {
        return exo_cli_usage_error("dashboard", "unexpected argument '%s'", args->v[0]);
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
    }
    char *exo_dir = exo_statedir(app->dir);
    const char *why = NULL;
    char *url = running_url(exo_dir, &why);
    if (url != NULL) {
        printf("%s\n", url);
    } else {
        exo_error("no dashboard for app %s in %s: %s", app->name, app->dir, why);
        code = EXO_EXIT_USER;
    }
    free(url);
    free(exo_dir);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", dashboard_opts_t, app, 0,
               "the app directory (default: the nearest application.yml at or above)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_dashboard = {
    .name = "dashboard",
    .summary = "print the URL of the running app's dashboard",
    .max_args = 0,
    .description =
        "Prints the URL of the dashboard the app's running 'exo run' serves\n"
        "(http://127.0.0.1:PORT/TOKEN/, with the run's token), for a browser. It opens\n"
        "nothing itself. docs/dashboard.md describes the dashboard.",
    .options = options,
    .opts_size = sizeof(dashboard_opts_t),
    .epilog = "Exit status: 0 the URL printed, 1 the app is not running or serves no "
              "dashboard.",
    .run = run,
};
