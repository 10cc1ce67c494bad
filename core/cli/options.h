/*
 * core/cli/options.h - the one option parser of the exo command line. A command declares its
 * options once, in a table; the same table parses argv and prints the command's --help, so an
 * option and its help text cannot drift apart.
 *
 * What the parser accepts, for every command alike:
 *   --name VALUE, --name=VALUE, -x (a short flag), -xVALUE / -x VALUE (a short option with a
 *   value), options anywhere among the arguments, "--" (everything after it is an argument),
 *   -h / --help (handled here). A word is an option when it starts with "--" or with "-" and a
 *   letter, so "-" and "-5" are arguments. A value that itself starts with "--" must be given
 *   as --name=VALUE: "--app --json" is a missing value, not an app named "--json".
 * Errors (message on stderr in the usage-error format of cli.h, exit status 1): an unknown
 * option (with a did-you-mean hint), a missing value, a value given to a flag, a value not
 * among an option's choices, a single-value option given twice with different values, a
 * required option left out.
 *
 * Values point into argv (they live as long as main's argv); list options copy theirs into an
 * exo_strv_t that exo_options_free() releases. Threading: main thread only.
 */
#ifndef EXO_CORE_CLI_OPTIONS_H
#define EXO_CORE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/util.h"

typedef enum exo_option_kind {
    EXO_OPT_FLAG,   /* bool: set when given */
    EXO_OPT_VALUE,  /* const char *: the value */
    EXO_OPT_CHOICE, /* const char *: one of the '|'-separated words of the value name */
    EXO_OPT_LIST,   /* exo_strv_t: one value per occurrence, repeatable (--set K=V ...) */
    EXO_OPT_WORDS,  /* exo_strv_t: the value and the arguments after it up to the next option,
                     * comma-separated lists split (--only a b,c); repeatable */
} exo_option_kind_t;

#define EXO_OPT_REQUIRED 1u /* the command cannot run without it */

typedef struct exo_option {
    const char *name;       /* long name without "--"; NULL ends a table */
    char short_name;        /* 'q' for -q, or 0 */
    exo_option_kind_t kind;
    const char *value_name; /* "DIR", "text|json"; NULL for flags */
    size_t offset;          /* where the value goes in the command's options struct */
    unsigned flags;         /* EXO_OPT_REQUIRED */
    const char *help;       /* one line; '\n' continues it on the next line of --help */
} exo_option_t;

/** An entry of a table filling field @p field of the options struct @p type. */
#define EXO_OPTION(name, short_name, kind, value_name, type, field, flags, help) \
    {name, short_name, kind, value_name, offsetof(type, field), flags, help}
/** The end of a table. */
#define EXO_OPTIONS_END {NULL, 0, EXO_OPT_FLAG, NULL, 0, 0, NULL}

typedef enum exo_options_result {
    EXO_OPTIONS_OK,    /* parsed: run the command */
    EXO_OPTIONS_HELP,  /* -h or --help: print the help, exit 0 */
    EXO_OPTIONS_ERROR, /* a usage error was printed: exit 1 */
} exo_options_result_t;

/**
 * Parse argv[1..argc-1] (argv[0] is the command's name, @p cmd) against @p table (may be NULL:
 * no options) into the struct @p opts, which the caller zeroed. Arguments that are not options
 * are appended to @p args in order.
 */
exo_options_result_t exo_options_parse(const char *cmd, const exo_option_t *table, int argc,
                                       char **argv, void *opts, exo_strv_t *args);

/** Free what parsing stored in @p opts (the lists). */
void exo_options_free(const exo_option_t *table, void *opts);

/** Append the usage-line form of each option to @p words: "[--app DIR]", "--as ROLE", ... */
void exo_options_synopsis(const exo_option_t *table, exo_strv_t *words);

/** Print the "Options:" block of @p table to @p out, --help included. */
void exo_options_print(const exo_option_t *table, FILE *out);

#endif /* EXO_CORE_CLI_OPTIONS_H */
