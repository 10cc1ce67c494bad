/* core/cli/cmd_env.c - `exo env ROLE`: the environment a service gets, with origins. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "roles.h"
#include "run/session.h"

int exo_cmd_env(int argc, char **argv);

int exo_cmd_env(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"all", no_argument, NULL, 'A'},
        {"setup", no_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *app_dir = NULL;
    bool all = false, setup = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': app_dir = optarg; break;
        case 'A': all = true; break;
        case 's': setup = true; break;
        default: return exo_cli_usage_error("env", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        return exo_cli_usage_error("env", "takes exactly one ROLE");
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        return code;
    }
    exo_strv_t roles = {0};
    exo_strv_push(&roles, argv[optind]);
    if (!exo_roles_roles(app, "env", &roles, false)) {
        exo_strv_free(&roles);
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    exo_strv_free(&roles);
    const exo_service_t *svc = exo_app_service(app, argv[optind]);
    exo_session_opts_t opts = {.command = "env", .quiet = true};
    exo_session_t *s = exo_session_new(app, &opts, &code);
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
    }
    exo_env_destroy(&env);
    exo_session_destroy(&s);
    exo_app_destroy(&app);
    return code;
}
