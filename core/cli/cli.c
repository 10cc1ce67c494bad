/* core/cli/cli.c - running a command, its --help, usage errors, finding the app; see cli.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/log.h"
#include "bus/bus.h"
#include "plugins/registry.h"
#include "run/session.h"
#include "base/util.h"

/* Usage lines wrap before this column. */
#define USAGE_WIDTH 80

const exo_command_t *exo_command_find(const char *name)
{
    for (size_t i = 0; exo_commands[i] != NULL; i++) {
        if (strcmp(exo_commands[i]->name, name) == 0) {
            return exo_commands[i];
        }
    }
    return NULL;
}

const exo_command_t *exo_command_find_sub(const exo_command_t *cmd, const char *word)
{
    size_t len = strlen(cmd->name);
    for (size_t i = 0; cmd->subcommands != NULL && cmd->subcommands[i] != NULL; i++) {
        const char *name = cmd->subcommands[i]->name;
        if (strncmp(name, cmd->name, len) == 0 && name[len] == ' ' &&
            strcmp(name + len + 1, word) == 0) {
            return cmd->subcommands[i];
        }
    }
    return NULL;
}

/* An argument @p arg the command takes no more of: when it is (or is close to) a subcommand's
 * word, say where that goes. */
static void unexpected_argument(const exo_command_t *cmd, const char *arg)
{
    const char *words[16];
    size_t n = 0, len = strlen(cmd->name);
    for (; cmd->subcommands != NULL && cmd->subcommands[n] != NULL && n < 16; n++) {
        words[n] = cmd->subcommands[n]->name + len + 1;
    }
    const char *word = exo_command_find_sub(cmd, arg) != NULL ? arg
                                                                : exo_closest(arg, words, n);
    if (word == NULL) {
        exo_cli_usage_error(cmd->name, "unexpected argument '%s'", arg);
    } else if (strcmp(word, arg) == 0) {
        exo_cli_usage_error(cmd->name, "'%s' goes right after 'exo %s', before the options: "
                            "exo %s %s ...", arg, cmd->name, cmd->name, arg);
    } else {
        exo_cli_usage_error(cmd->name, "unexpected argument '%s'; did you mean 'exo %s %s'?",
                            arg, cmd->name, word);
    }
}

int exo_command_main(const exo_command_t *cmd, int argc, char **argv)
{
    const exo_command_t *sub = argc > 1 ? exo_command_find_sub(cmd, argv[1]) : NULL;
    if (sub != NULL) {
        return exo_command_main(sub, argc - 1, argv + 1);
    }
    void *opts = cmd->opts_size > 0 ? exo_xcalloc(1, cmd->opts_size) : NULL;
    exo_strv_t args = {0};
    int rc = EXO_EXIT_USER;
    switch (exo_options_parse(cmd->name, cmd->options, argc, argv, opts, &args)) {
    case EXO_OPTIONS_HELP:
        exo_cli_print_help(cmd);
        rc = EXO_EXIT_OK;
        break;
    case EXO_OPTIONS_ERROR:
        break;
    case EXO_OPTIONS_OK:
        if (cmd->max_args >= 0 && args.n > (size_t)cmd->max_args) {
            unexpected_argument(cmd, args.v[cmd->max_args]);
            break;
        }
        rc = cmd->run(opts, &args);
        break;
    }
    fflush(stdout);
    exo_options_free(cmd->options, opts);
    free(opts);
    exo_strv_free(&args);
    return rc;
}

void exo_cli_print_help(const exo_command_t *cmd)
{
    exo_strv_t words = {0};
    if (cmd->args != NULL) {
        exo_strv_push(&words, cmd->args);
    }
    exo_options_synopsis(cmd->options, &words);
    int indent = printf("Usage: exo %s", cmd->name) + 1;
    int col = indent - 1;
    for (size_t i = 0; i < words.n; i++) {
        int len = (int)strlen(words.v[i]);
        if (col + 1 + len >= USAGE_WIDTH && col > indent) {
            col = printf("\n%*s", indent, "") - 1;
        } else {
            col += printf(" ");
        }
        col += printf("%s", words.v[i]);
    }
    exo_strv_free(&words);
    printf("\n");
    if (cmd->description != NULL) {
        printf("\n%s\n", cmd->description);
    }
    for (size_t i = 0; cmd->subcommands != NULL && cmd->subcommands[i] != NULL; i++) {
        printf("%sexo %-14s %s\n", i == 0 ? "\nSubcommands (each has its own --help):\n  "
                                          : "  ",
               cmd->subcommands[i]->name, cmd->subcommands[i]->summary);
    }
    printf("\n");
    exo_options_print(cmd->options, stdout);
    if (cmd->epilog != NULL) {
        printf("\n%s\n", cmd->epilog);
    }
}

int exo_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = exo_vstrdupf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "exo %s: %s (exo %s --help)\n", cmd, msg, cmd);
    free(msg);
    return EXO_EXIT_USER;
}

static char *given_app(const char *given, exo_app_need_t need, char **error)
{
    char *dir = exo_path_is_dir(given) ? realpath(given, NULL) : NULL;
    if (dir == NULL) {
        *error = exo_strdupf("--app %s: no such app directory", given);
        return NULL;
    }
    char *yml = exo_path_join(dir, "application.yml");
    bool found = exo_path_is_file(yml);
    free(yml);
    if (!found && need == EXO_APP_REQUIRED) {
        *error = exo_strdupf("--app %s: no application.yml there; create one (see "
                             "docs/configuration.md) or create an app with 'exo create app "
                             "NAME'", given);
        free(dir);
        return NULL;
    }
    return dir;
}

char *exo_cli_find_app(const char *given, exo_app_need_t need, char **error)
{
    *error = NULL;
    if (given != NULL) {
        return given_app(given, need, error);
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        *error = exo_xstrdup("cannot read the current directory");
        return NULL;
    }
    char *dir = exo_app_find_root(cwd);
    if (dir == NULL && need == EXO_APP_REQUIRED) {
        *error = exo_strdupf("no application.yml in %s or any parent directory; run exo in an "
                             "app directory, pass --app DIR, or create an app with 'exo create "
                             "app NAME'", cwd);
    }
    return dir;
}

char *exo_cli_app_dir(const char *given, exo_app_need_t need, bool *failed)
{
    char *error = NULL;
    char *dir = exo_cli_find_app(given, need, &error);
    *failed = error != NULL;
    if (error != NULL) {
        exo_error("%s", error);
        free(error);
    }
    return dir;
}

exo_app_t *exo_cli_load_app(const char *given, int *exit_code)
{
    bool failed;
    char *root = exo_cli_app_dir(given, EXO_APP_REQUIRED, &failed);
    if (root == NULL) {
        *exit_code = EXO_EXIT_USER;
        return NULL;
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

exo_session_t *exo_cli_session(const exo_app_t *app, const exo_session_opts_t *opts,
                               int *exit_code)
{
    exo_error_t err = {0};
    exo_session_t *s = exo_session_new(app, opts, &err);
    if (s == NULL) {
        if (err.message[0] != '\0') {
            exo_error("%s", err.message); /* else reported in detail already */
        }
        *exit_code = err.code == EXO_ERR_INTERNAL ? EXO_EXIT_INTERNAL : EXO_EXIT_USER;
    }
    return s;
}

int exo_cli_bus_open(const exo_app_t *app, exo_cli_bus_t *bus)
{
    exo_error_t err = {0};
    memset(bus, 0, sizeof *bus);
    if (exo_bus_find(app, &bus->endpoint, &bus->control, &bus->token, &err) < 0) {
        exo_error("%s", err.message);
        return EXO_EXIT_USER;
    }
    bus->reg = exo_registry_load_kinds(app->dir, NULL, EXO_KIND_BIT(EXO_KIND_TRANSPORT));
    bus->transport = exo_bus_transport(app, bus->reg, &err);
    if (bus->transport == NULL) {
        exo_error("%s", err.message);
        return EXO_EXIT_INTERNAL;
    }
    return EXO_EXIT_OK;
}

void exo_cli_bus_close(exo_cli_bus_t *bus)
{
    free(bus->endpoint);
    free(bus->control);
    free(bus->token);
    exo_registry_destroy(&bus->reg);
    memset(bus, 0, sizeof *bus);
}
