/*
 * core/cli/roles.h - what `exo run`, `exo test`, `exo setup` and `exo env` share on the command
 * line: choosing roles from arguments or from the directory exo runs in, and
 * ordering them. Threading: none.
 */
#ifndef EXO_CORE_ROLES_H
#define EXO_CORE_ROLES_H

#include <stdbool.h>

#include "model/app.h"
#include "base/util.h"

/**
 * Check that every name in @p roles is a role of @p app (an error with a did-you-mean hint
 * otherwise, returning false). When @p roles is empty and @p from_cwd is set and the current
 * directory is inside a service's directory, that service's roles are added.
 */
bool exo_roles_roles(const exo_app_t *app, const char *cmd, exo_strv_t *roles, bool from_cwd);

/**
 * Load the app (--app DIR or the nearest one) and collect the role arguments @p args into
 * @p roles, checked as exo_roles_roles() does (from the current directory when no --app was
 * given). NULL with *exit_code set when either fails; @p roles is then empty.
 */
exo_app_t *exo_roles_load(const char *app_dir, const char *cmd, const exo_strv_t *args,
                          exo_strv_t *roles, int *exit_code);

/** Indices of the selected roles (all when @p roles is empty), alphabetical, one per
 *  location, without frontends (no setup or tests of their own). *n gets the count. New
 *  array. */
size_t *exo_roles_by_location(const exo_app_t *app, const exo_strv_t *roles, size_t *n);

#endif /* EXO_CORE_ROLES_H */
