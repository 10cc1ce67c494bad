/* core/cli/cmd_version.c - `exo version` and `exo help [COMMAND]`. */
#include "config.h"

#include <stdio.h>

#include <exo/version.h>

#include "cli.h"

int exo_cmd_version(int argc, char **argv);
int exo_cmd_help(int argc, char **argv);

int exo_cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        return exo_cli_usage_error("version", "takes no arguments");
    }
    printf("exo %s\nplugin ABI %d.%d\n", EXO_VERSION, EXO_PLUGIN_ABI_MAJOR, EXO_PLUGIN_ABI_MINOR);
    return EXO_EXIT_OK;
}

int exo_cmd_help(int argc, char **argv)
{
    if (argc > 2) {
        return exo_cli_usage_error("help", "takes at most one command name");
    }
    if (argc == 2) {
        const exo_command_t *cmd = exo_command_find(argv[1]);
        if (cmd == NULL) {
            fprintf(stderr, "exo help: unknown command '%s'; 'exo help' lists the commands\n",
                    argv[1]);
            return EXO_EXIT_USER;
        }
        exo_cli_print_usage(cmd);
        return EXO_EXIT_OK;
    }
    printf("exo - run, test and wire message-driven microservice apps\n\n"
           "Usage: exo COMMAND [ARGS...]\n       exo COMMAND --help\n\nCommands:\n");
    for (const exo_command_t *c = exo_commands; c->name; c++) {
        printf("  %-10s %s\n", c->name, c->summary);
    }
    printf("\nExit status: 0 success, 1 user or app error, 2 internal error.\n");
    return EXO_EXIT_OK;
}
