/*
 * core/cli/scaffold_values.h - what the scaffolding commands share (exo create, exo add,
 * exo template check): --set KEY=VALUE, filling a template's values from flags, prompts or
 * defaults, and reporting diagnostics. Messages go to stderr. Threading: main thread.
 */
#ifndef EXO_CORE_CLI_SCAFFOLD_VALUES_H
#define EXO_CORE_CLI_SCAFFOLD_VALUES_H

#include "model/diag.h"
#include "scaffold/template.h"

/** Add each KEY=VALUE of @p sets (the --set values) to @p given. 0, or a usage error's exit
 *  code. */
int exo_scaffold_parse_sets(const char *cmd, const exo_strv_t *sets, exo_tvars_t *given);
/**
 * Put every value @p t declares into @p vars: from @p given (--set, --description), else
 * asked on a terminal, else its default; a value with no default and no terminal is an error
 * naming --set KEY=VALUE. Keys in @p given that @p t does not take are errors too.
 * 0, or the exit code of the usage error printed.
 */
int exo_scaffold_fill_values(const char *cmd, const exo_template_t *t, const exo_tvars_t *given,
                             exo_tvars_t *vars);
/** A copy of @p given, else a terminal's answer to @p question, else NULL (the caller names
 *  the flag). */
char *exo_scaffold_ask(const char *given, const char *question, const char *dflt);
/** Print @p diag to stderr and free it; 1 when it holds errors, else 0. */
int exo_scaffold_report(exo_diag_t *diag);

#endif /* EXO_CORE_CLI_SCAFFOLD_VALUES_H */
