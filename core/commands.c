/* core/commands.c - the command table. One line per command; each lives in core/cmd_*.c. */
#include "config.h"

#include <stddef.h>

#include "cli.h"

int exo_cmd_help(int argc, char **argv);
int exo_cmd_version(int argc, char **argv);

const exo_command_t exo_commands[] = {
    {"help", "show the commands, or one command's usage", "Usage: exo help [COMMAND]",
     exo_cmd_help},
    {"version", "print exo's version and plugin ABI", "Usage: exo version\n\n"
     "Prints 'exo X.Y.Z' and the plugin ABI version 'plugin ABI MAJOR.MINOR'.",
     exo_cmd_version},
    {NULL, NULL, NULL, NULL},
};
