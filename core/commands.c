/* core/commands.c - the command table. One line per command; each lives in core/cmd_*.c. */
#include "config.h"

#include <stddef.h>

#include "cli.h"

int exo_cmd_help(int argc, char **argv);
int exo_cmd_version(int argc, char **argv);
int exo_cmd_check(int argc, char **argv);
int exo_cmd_plugins(int argc, char **argv);

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
    {"plugins", "list the plugins exo finds, their ABI and status",
     "Usage: exo plugins [--app DIR] [--json]\n\n"
     "Lists every plugin found on the search path with its name, kind, version, plugin ABI,\n"
     "path and status (ok or error, with the reason). For backends that can probe their\n"
     "engine, also whether the engine is reachable. Broken plugins are listed, not fatal.\n\n"
     "Search path, first (kind, name) wins:\n"
     "  1. the directories in EXO_PLUGIN_PATH (colon-separated, absolute paths only)\n"
     "  2. <app>/.exo/plugins of the app in --app DIR or at/above the current directory\n"
     "  3. the installed plugin directory (" EXO_PLUGINDIR ")\n\n"
     "Options:\n"
     "  --app DIR  also search DIR/.exo/plugins\n"
     "  --json     print a JSON array of objects with keys name, kind, version, abi, path,\n"
     "             status, error (null when ok) and, for backends with a probe, engine\n\n"
     "Exit status: 0 (also when plugins are broken), 1 bad arguments, 2 internal error.",
     exo_cmd_plugins},
    {NULL, NULL, NULL, NULL},
};
