/* core/cli/main.c - `exo COMMAND ...`: find the command and run it (cli.c parses its options). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "commands.h"

static int unknown_command(const char *name)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; exo_commands[i] != NULL && n < 64; i++) {
        if (!exo_commands[i]->hidden) {
            names[n++] = exo_commands[i]->name;
        }
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        exo_command_main(&exo_cmd_help, 1, argv);
        return EXO_EXIT_USER;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        name = "help";
    } else if (strcmp(name, "--version") == 0) {
        name = "version";
    }
    const exo_command_t *cmd = exo_command_find(name);
    if (cmd == NULL) {
        return unknown_command(name);
    }
    return exo_command_main(cmd, argc - 1, argv + 1);
}
