/*
 * core/scaffold/scaffold.h - what `exo create app` and `exo add service` do once their arguments are
 * known: check names, render a template into a temporary directory next to the target, then
 * rename it into place (and, for a service, register it in application.yml). Either the whole
 * result appears or nothing changes on disk.
 *
 * The CLI side (parsing, prompting) is core/cmd_scaffold.c. Ownership: callers own every
 * argument; nothing is kept. Threading: none.
 */
#ifndef EXO_CORE_SCAFFOLD_H
#define EXO_CORE_SCAFFOLD_H

#include <stdbool.h>

#include "model/diag.h"
#include "template.h"

/** NULL when @p name is a valid app name, else the rule it breaks (static text). */
const char *exo_scaffold_check_app_name(const char *name);
/** NULL when @p role is a valid service role, else the rule it breaks (static text). */
const char *exo_scaffold_check_role(const char *role);
/** NULL when @p version looks like X.Y.Z (numbers), else the rule it breaks. */
const char *exo_scaffold_check_version(const char *version);

/**
 * Create @p parent/@p name from the app template @p t with @p vars (which must hold app,
 * description and version). Fails when @p parent/@p name exists. Returns 0 or -1 with the
 * problems in @p diag.
 */
int exo_scaffold_create_app(const char *parent, const char *name, const exo_template_t *t,
                            const exo_tvars_t *vars, exo_diag_t *diag);

/**
 * Render the service template @p t into @p app_dir/@p role and add services.<role>.location
 * to @p app_dir/application.yml. Fails, changing nothing, when the role is registered or the
 * directory exists. Returns 0 or -1 with the problems in @p diag.
 */
int exo_scaffold_add_service(const char *app_dir, const char *role, const exo_template_t *t,
                             const exo_tvars_t *vars, exo_diag_t *diag);

#endif /* EXO_CORE_SCAFFOLD_H */
