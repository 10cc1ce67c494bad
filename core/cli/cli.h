/*
 * core/cli/cli.h - what every exo command is and shares: its descriptor (name, help, option
 * table, run function), exit codes, the usage-error format, and the one way to find the app.
 *
 * Exit codes (docs/cli.md): 0 success; 1 user or app error (bad arguments, invalid manifest,
 * failed tests, an app that failed to come up); 2 internal error (a bug or an environment
 * failure exo cannot explain). Each command returns one of these from its run function.
 * Threading: main thread only.
 */
#ifndef EXO_CORE_CLI_H
#define EXO_CORE_CLI_H

#include <stdbool.h>

#include "model/app.h"
#include "options.h"

#define EXO_EXIT_OK 0
#define EXO_EXIT_USER 1
#define EXO_EXIT_INTERNAL 2

/**
 * One command. main() parses its arguments with @c options into a zeroed struct of
 * @c opts_size bytes, prints --help from the fields below, and calls @c run with the options
 * and the remaining arguments; each command lives in core/cli/cmd_NAME.c.
 */
typedef struct exo_command {
    const char *name;
    const char *summary;         /* one line for `exo help` */
    const char *args;            /* the arguments in the usage line ("app NAME", "[ROLE...]"),
                                  * or NULL */
    int max_args;                /* more arguments are an error; -1: any number */
    const char *description;     /* what it does, after the usage line of --help */
    const exo_option_t *options; /* ends with EXO_OPTIONS_END; NULL: no options */
    size_t opts_size;            /* the struct the options fill (0: none) */
    const char *epilog;          /* after the options (exit status, examples), or NULL */
    /** @p opts is the filled options struct (NULL when opts_size is 0). */
    int (*run)(void *opts, const exo_strv_t *args);
    /** Commands under this one, NULL-terminated, or NULL. Each is named "PARENT WORD" (e.g.
     *  "bus status") and has its own options: `exo PARENT WORD ...` runs it when WORD comes
     *  right after PARENT. */
    const struct exo_command *const *subcommands;
    /** Not listed by `exo help` nor offered as a did-you-mean: an internal command that exo
     *  runs itself (`exo frontend`), documented in docs/cli.md all the same. */
    bool hidden;
} exo_command_t;

/** Every command, in `exo help` order, ending with NULL (core/cli/commands.c). */
extern const exo_command_t *const exo_commands[];

const exo_command_t *exo_command_find(const char *name);
/** The subcommand of @p cmd named "CMD @p word", or NULL. */
const exo_command_t *exo_command_find_sub(const exo_command_t *cmd, const char *word);

/** Parse argv (argv[0] is the command's name) and run @p cmd; its exit status. */
int exo_command_main(const exo_command_t *cmd, int argc, char **argv);

/** Print the --help of @p cmd to stdout: usage line, description, options, epilog. */
void exo_cli_print_help(const exo_command_t *cmd);

/** Report a usage error as "exo CMD: MESSAGE (exo CMD --help)" on stderr and return 1. */
int exo_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Whether a command needs an app or also works outside one. */
typedef enum exo_app_need {
    EXO_APP_REQUIRED, /* --app DIR must hold application.yml; no app found is an error */
    EXO_APP_OPTIONAL, /* --app DIR need only be a directory; no app found is fine (NULL) */
} exo_app_need_t;

/**
 * The one way every command finds its app directory: @p given (--app DIR) when set, else the
 * nearest directory at or above the current one that holds application.yml. Returns a new
 * canonical absolute path, or NULL: then *error is NULL when an optional app is simply not
 * there, else a new string saying what is wrong and what to do (the caller reports it).
 */
char *exo_cli_find_app(const char *given, exo_app_need_t need, char **error);

/** exo_cli_find_app(), printing the error to stderr; *failed tells an error from an optional
 *  app that is not there. */
char *exo_cli_app_dir(const char *given, exo_app_need_t need, bool *failed);

/**
 * Find (as exo_cli_find_app) and load the app. Prints diagnostics (warnings too) to stderr.
 * NULL on failure, with *exit_code set.
 */
exo_app_t *exo_cli_load_app(const char *given, int *exit_code);

struct exo_session;
struct exo_session_opts;

/**
 * Start the run engine over @p app (exo_session_new). NULL on failure, with the problem
 * printed and *exit_code set: 2 when exo could not do its own part (EXO_ERR_INTERNAL), else 1.
 */
struct exo_session *exo_cli_session(const exo_app_t *app, const struct exo_session_opts *opts,
                                    int *exit_code);

/**
 * What a CLI client of a running app's bus needs (exo send, exo tail, exo bus status): the
 * endpoints and user token from .exo/bus.json, and the app's transport plugin loaded.
 * Owned by the caller's stack; exo_cli_bus_close() frees it.
 */
typedef struct exo_cli_bus {
    char *endpoint;                       /* the broker */
    char *control;                        /* its control socket */
    char *token;                          /* the run's user token */
    struct exo_registry *reg;             /* holds the transport */
    const struct exo_plugin *transport;   /* borrowed from reg */
} exo_cli_bus_t;

/** Find the running bus of @p app and load its transport. Returns EXO_EXIT_OK, or prints the
 *  problem and returns the exit code (1: no running bus, 2: the transport is missing). */
int exo_cli_bus_open(const exo_app_t *app, exo_cli_bus_t *bus);
void exo_cli_bus_close(exo_cli_bus_t *bus);

#endif /* EXO_CORE_CLI_H */
