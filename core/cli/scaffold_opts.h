/*
 * core/cli/scaffold_opts.h - argument helpers the scaffolding commands share (core/cli/cmd_scaffold.c,
 * core/cli/cmd_template.c): options, --set KEY=VALUE, filling a template's values from flags,
 * prompts or defaults, and finding the app. Messages go to stderr. Threading: main thread.
 */
#ifndef EXO_CORE_SCAFFOLD_CLI_H
#define EXO_CORE_SCAFFOLD_CLI_H

#include "scaffold/template.h"

/**
 * Match argv[*i] against option @p name ("--name VALUE" or "--name=VALUE"). Returns 1 and sets
 * *value (advancing *i past a separate value), 0 when it is another argument, -1 when the
 * value is missing (usage error printed, *rc set).
 */
int exo_scaffold_opt(const char *cmd, int argc, char **argv, int *i, const char *name,
                     const char **value, int *rc);
/** Add KEY=VALUE to @p sets. 0, or a usage error's exit code. */
int exo_scaffold_parse_set(const char *cmd, const char *kv, exo_tvars_t *sets);
/**
 * Put every value @p t declares into @p vars: from @p given (--set, --description), else
 * asked on a terminal, else its default; a value with no default and no terminal is an error
 * naming --set KEY=VALUE. Keys in @p given that @p t does not take are errors too.
 * 0, or the exit code of the usage error printed.
 */
int exo_scaffold_fill_values(const char *cmd, const exo_template_t *t, const exo_tvars_t *given,
                             exo_tvars_t *vars);
/** The nearest directory at or above the current one with application.yml; NULL quietly. */
char *exo_scaffold_find_app(void);
/** @p given (--app) when it holds application.yml, else exo_scaffold_find_app(); NULL after
 *  printing what to do. */
char *exo_scaffold_app_dir(const char *given);

#endif /* EXO_CORE_SCAFFOLD_CLI_H */
