/* core/cli/cmd_env.c - `exo env ROLE`: the environment a service gets, with origins. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "roles.h"
#include "run/session.h"

typedef struct env_opts {
    const char *app;
    bool all, setup, load_app;
} env_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    const env_opts_t *o = opts;
    bool all = o->all, setup = o->setup;
    if (args->n != 1) {
        return exo_cli_usage_error("env", "takes exactly one ROLE");
    }
    const char *role = args->v[0];
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
    }
    exo_strv_t roles = {0};
    exo_strv_push(&roles, role);
    if (!exo_roles_roles(app, "env", &roles, false)) {
        exo_strv_free(&roles);
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    exo_strv_free(&roles);
    const exo_service_t *svc = exo_app_service(app, role);
    /* Reading an app's environment must not run the app's code: its own plugins stay
     * closed unless asked for. */
    exo_session_opts_t sopts = {.command = "env", .quiet = true, .load_app = o->load_app};
    exo_session_t *s = exo_cli_session(app, &sopts, &code);
    if (s == NULL) {
        exo_app_destroy(&app);
        return code;
    }
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    if (exo_session_env(s, svc, setup, env, &err) < 0) {
        fprintf(stderr, "exo: error: %s\n", err.message);
        code = EXO_EXIT_USER;
    } else {
        size_t width = 0, hidden = 0;
        for (size_t i = 0; i < env->n; i++) {
            const exo_env_var_t *v = &env->vars[i];
            if (!all && strcmp(v->origin, "inherited") == 0) {
                continue;
            }
            size_t w = strlen(v->name) + 1 + (v->secret ? 6 : strlen(v->value));
            width = w > width && w < 60 ? w : width;
        }
        for (size_t i = 0; i < env->n; i++) {
            const exo_env_var_t *v = &env->vars[i];
            if (!all && strcmp(v->origin, "inherited") == 0) {
                hidden++;
                continue;
            }
            int n = printf("%s=%s", v->name, v->secret ? "******" : v->value);
            printf("%*s  # %s%s\n", n < (int)width ? (int)width - n : 0, "", v->origin,
                   v->secret ? ", secret" : "");
        }
        if (hidden > 0) {
            printf("# and %zu variable%s inherited from exo's environment (--all shows them)\n",
                   hidden, hidden == 1 ? "" : "s");
        }
        char *url = exo_public_url(&svc->public_endpoint);
        const char *section = svc->frontend != NULL ? "frontends" : "services";
        if (url != NULL) {
            printf("# %s is public at %s (application.yml %s.%s.public)\n", role, url,
                   section, role);
        } else if (svc->frontend != NULL) {
            printf("# %s listens on a port exo picks in each run; %s.%s.public pins one\n",
                   role, section, role);
        }
        free(url);
    }
    exo_env_destroy(&env);
    exo_session_destroy(&s);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", env_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("all", 0, EXO_OPT_FLAG, NULL, env_opts_t, all, 0,
               "also show the variables inherited from exo's own environment"),
    EXO_OPTION("setup", 0, EXO_OPT_FLAG, NULL, env_opts_t, setup, 0,
               "the environment of the setup command (adds EXO_CFLAGS, EXO_LIBS)"),
    EXO_OPTION("load-app", 0, EXO_OPT_FLAG, NULL, env_opts_t, load_app, 0,
               "also load the app's own plugins (.exo/plugins), which runs their\n"
               "code; without it they are not opened (docs/security.md)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_env = {
    .name = "env",
    .summary = "show the environment a service gets, with where each value comes from",
    .args = "ROLE",
    .max_args = -1,
    .description =
        "Prints NAME=VALUE  # ORIGIN for every variable ROLE's service would get, in precedence\n"
        "order (later lines win; see docs/configuration.md). Secrets are masked. Ports are picked\n"
        "afresh at each run, so PORT and the *_PORT values differ from run to run, except a\n"
        "public role's (application.yml services.<role>.public), which are the same in every\n"
        "run and here.",
    .options = options,
    .opts_size = sizeof(env_opts_t),
    .run = run,
};
