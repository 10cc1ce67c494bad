/* core/cli/cmd_help.c - `exo help [COMMAND]`: the list of commands, or one command's --help. */
#include "config.h"

#include <stdio.h>

#include "commands.h"

static int run(void *opts, const exo_strv_t *args)
{
    (void)opts;
    if (args->n >= 1) {
        const exo_command_t *cmd = exo_command_find(args->v[0]);
        if (cmd == NULL) {
            fprintf(stderr, "exo help: unknown command '%s'; 'exo help' lists the commands\n",
                    args->v[0]);
            return EXO_EXIT_USER;
        }
        const exo_command_t *sub = args->n == 2 ? exo_command_find_sub(cmd, args->v[1]) : cmd;
        if (sub == NULL) {
            fprintf(stderr, "exo help: exo %s has no subcommand '%s'; 'exo help %s' lists "
                    "its subcommands\n", cmd->name, args->v[1], cmd->name);
            return EXO_EXIT_USER;
        }
        exo_cli_print_help(sub);
        return EXO_EXIT_OK;
    }
    printf("exo - run, test and wire message-driven microservice apps\n\n"
           "Usage: exo COMMAND [ARGS...]\n       exo COMMAND --help\n\nCommands:\n");
    for (size_t i = 0; exo_commands[i] != NULL; i++) {
        if (!exo_commands[i]->hidden) {
            printf("  %-10s %s\n", exo_commands[i]->name, exo_commands[i]->summary);
        }
    }
    printf("\nExit status: 0 success, 1 user or app error, 2 internal error.\n");
    return EXO_EXIT_OK;
}

const exo_command_t exo_cmd_help = {
    .name = "help",
    .summary = "show the commands, or one command's usage",
    .args = "[COMMAND [SUBCOMMAND]]",
    .max_args = 2,
    .description = "Lists the commands with one line each, or prints COMMAND's usage (the same "
                   "as\n'exo COMMAND --help'), or SUBCOMMAND's ('exo help bus status').",
    .run = run,
};
