/*
 * core/runcli.h - what `exo run`, `exo test`, `exo setup`, `exo env` and `exo clean` share on
 * the command line: choosing roles from arguments or from the directory exo runs in, and
 * ordering them. Threading: none.
 */
#ifndef EXO_CORE_RUNCLI_H
#define EXO_CORE_RUNCLI_H

#include <stdbool.h>

#include "app.h"
#include "util.h"

/**
 * Check that every name in @p roles is a role of @p app (an error with a did-you-mean hint
 * otherwise, returning false). When @p roles is empty and @p from_cwd is set and the current
 * directory is inside a service's directory, that service's roles are added.
 */
bool exo_runcli_roles(const exo_app_t *app, const char *cmd, exo_strv_t *roles, bool from_cwd);

/** Indices of the selected roles (all when @p roles is empty), alphabetical, one per
 *  location. *n gets the count. New array. */
size_t *exo_runcli_by_location(const exo_app_t *app, const exo_strv_t *roles, size_t *n);

#endif /* EXO_CORE_RUNCLI_H */
