/*
 * frontend/feopen.h - opening a frontend plugin (exo/frontend.h) with the core's checks on
 * what the spec asks of it. Today one check: an access token (frontend ABI 1.2) goes only to
 * a plugin that declares EXO_FRONTEND_CAP_ACCESS_TOKEN; an older plugin would ignore the
 * member and serve every path without the token, so it is refused instead.
 *
 * Use (exo frontend ROLE, exo run's dashboard):
 *     void *inst; exo_error_t err = {0};
 *     if (exo_frontend_open(plugin, &spec, &inst, &err) < 0) ... err.message names the plugin
 *
 * Ownership: borrows the plugin and the spec for the call (the plugin copies what it keeps).
 * Threading: the loop thread, like every call into a plugin.
 */
#ifndef EXO_CORE_FEOPEN_H
#define EXO_CORE_FEOPEN_H

#include <stdbool.h>

#include <exo/frontend.h>

#include "plugins/registry.h"

/** The longest access token a frontend gets (exo's dashboard draws 32 hex digits). */
#define EXO_FRONTEND_TOKEN_MAX 64

/** Whether @p p is a working frontend plugin that honours spec->access_token. */
bool exo_frontend_takes_token(const exo_plugin_t *p);

/**
 * Open the frontend plugin @p p with @p spec (spec->size as the core built it). With
 * spec->access_token set, refuses (EXO_ERR_UNSUPPORTED) a plugin without
 * EXO_FRONTEND_CAP_ACCESS_TOKEN and (EXO_ERR_INVALID) a token that is not 1 to
 * EXO_FRONTEND_TOKEN_MAX of [A-Za-z0-9_-], before calling the plugin. Otherwise returns what
 * the plugin's open() returns, with its message in @p err.
 */
int exo_frontend_open(const exo_plugin_t *p, const exo_frontend_spec_t *spec, void **inst,
                      exo_error_t *err);

#endif /* EXO_CORE_FEOPEN_H */
