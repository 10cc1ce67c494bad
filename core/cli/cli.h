/*
 * core/cli/cli.h - the exo command table and what commands share: option parsing helpers,
 * finding the app, exit codes.
 *
 * Exit codes (docs/cli.md): 0 success; 1 user or app error (bad arguments, invalid manifest,
 * failed tests, an app that failed to come up); 2 internal error (a bug or an environment
 * failure exo cannot explain). Each command returns one of these from its run function.
 */
#ifndef EXO_CORE_CLI_H
#define EXO_CORE_CLI_H

#include <stdbool.h>

#include "model/app.h"

#define EXO_EXIT_OK 0
#define EXO_EXIT_USER 1
#define EXO_EXIT_INTERNAL 2

typedef struct exo_command {
    const char *name;
    const char *summary; /* one line for `exo help` */
    const char *usage;   /* full text for `exo COMMAND --help` (starts with "Usage:") */
    /** argv[0] is the command name; the command parses the rest. */
    int (*run)(int argc, char **argv);
} exo_command_t;

/** The table, ending with a zeroed entry (core/cli/commands.c). */
extern const exo_command_t exo_commands[];

const exo_command_t *exo_command_find(const char *name);

/** True when argv has -h or --help before any "--". */
bool exo_cli_wants_help(int argc, char **argv);
/** Print usage of @p cmd to stdout. */
void exo_cli_print_usage(const exo_command_t *cmd);
/** Report a usage error ("exo CMD: MESSAGE" + "Try 'exo CMD --help'") and return 1. */
int exo_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Find and load the app: @p app_dir when given (--app), else the nearest application.yml at or
 * above the current directory. Prints diagnostics (warnings too) to stderr. NULL on failure,
 * with *exit_code set to 1.
 */
exo_app_t *exo_cli_load_app(const char *app_dir, int *exit_code);

#endif /* EXO_CORE_CLI_H */
