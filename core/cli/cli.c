#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/log.h"
#include "base/util.h"

const exo_command_t *exo_command_find(const char *name)
{
    for (const exo_command_t *c = exo_commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

bool exo_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return false;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return true;
        }
    }
    return false;
}

void exo_cli_print_usage(const exo_command_t *cmd)
{
    printf("%s\n", cmd->usage);
}

int exo_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = exo_vstrdupf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "exo %s: %s\nTry 'exo %s --help'.\n", cmd, msg, cmd);
    free(msg);
    return EXO_EXIT_USER;
}

exo_app_t *exo_cli_load_app(const char *app_dir, int *exit_code)
{
    char *root = NULL;
    if (app_dir != NULL) {
        if (!exo_path_is_dir(app_dir)) {
            exo_error("--app %s: no such directory", app_dir);
            *exit_code = EXO_EXIT_USER;
            return NULL;
        }
        root = exo_xstrdup(app_dir);
    } else {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd) == NULL) {
            exo_error("cannot read the current directory");
            *exit_code = EXO_EXIT_INTERNAL;
            return NULL;
        }
        root = exo_app_find_root(cwd);
        if (root == NULL) {
            exo_error("no application.yml here or in any parent directory; run exo in an app "
                      "directory, pass --app DIR, or create an app with 'exo create app NAME'");
            *exit_code = EXO_EXIT_USER;
            return NULL;
        }
    }
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_app_t *app = exo_app_load(root, &diag);
    exo_diag_print(&diag, stderr, exo_use_color(2));
    exo_diag_free(&diag);
    free(root);
    if (app == NULL) {
        *exit_code = EXO_EXIT_USER;
    }
    return app;
}
