/* core/cli/main.c - `exo COMMAND ...`: dispatch to the command table. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "base/log.h"
#include "base/util.h"

int exo_cmd_help(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc < 2) {
        exo_cmd_help(1, argv);
        return EXO_EXIT_USER;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        return exo_cmd_help(1, argv);
    }
    if (strcmp(name, "--version") == 0) {
        name = "version";
    }
    const exo_command_t *cmd = exo_command_find(name);
    if (cmd == NULL) {
        const char *names[64];
        size_t n = 0;
        for (const exo_command_t *c = exo_commands; c->name && n < 64; c++) {
            names[n++] = c->name;
        }
        const char *close = exo_closest(name, names, n);
        if (close != NULL) {
            fprintf(stderr, "exo: error: unknown command '%s'; did you mean '%s'?\n", name, close);
        } else {
            fprintf(stderr, "exo: error: unknown command '%s'; 'exo help' lists the commands\n",
                    name);
        }
        return EXO_EXIT_USER;
    }
    if (exo_cli_wants_help(argc - 1, argv + 1)) {
        exo_cli_print_usage(cmd);
        return EXO_EXIT_OK;
    }
    int rc = cmd->run(argc - 1, argv + 1);
    fflush(stdout);
    return rc;
}
