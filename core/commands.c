/* core/commands.c - the command table. One line per command; each lives in core/cmd_*.c. */
#include "config.h"

#include <stddef.h>

#include "cli.h"

int exo_cmd_help(int argc, char **argv);
int exo_cmd_version(int argc, char **argv);
int exo_cmd_check(int argc, char **argv);

const exo_command_t exo_commands[] = {
    {"help", "show the commands, or one command's usage", "Usage: exo help [COMMAND]",
     exo_cmd_help},
    {"version", "print exo's version and plugin ABI", "Usage: exo version\n\n"
     "Prints 'exo X.Y.Z' and the plugin ABI version 'plugin ABI MAJOR.MINOR'.",
     exo_cmd_version},
    {"check", "validate the app's manifests and message wiring",
     "Usage: exo check [--app DIR] [--strict] [--json]\n\n"
     "Validates application.yml and every service's service.yml (types, required and unknown\n"
     "keys, names, locations, translations, dependencies) and then the message wiring on\n"
     "public names: a message sent that no role receives, a message received that no role\n"
     "sends, a translation that maps to nothing.\n"
     "Prints one FILE:LINE:COLUMN: error|warning: MESSAGE line per finding on stderr, then\n"
     "'ok: app NAME, N services, M messages' on success.\n\n"
     "Options:\n"
     "  --app DIR  the app directory (default: the nearest directory at or above the\n"
     "             current one that holds application.yml)\n"
     "  --strict   treat warnings as errors\n"
     "  --json     print {ok, app, services, messages, errors, warnings, diagnostics: [{severity,\n"
     "             file, line, column, message}]} on stdout instead\n\n"
     "Exit status: 0 valid (warnings allowed unless --strict), 1 errors (or warnings with\n"
     "--strict), 2 internal error.",
     exo_cmd_check},
    {NULL, NULL, NULL, NULL},
};
