/*
 * core/run/appmodel.h - the app as a deployment sees it: the model JSON generator plugins
 * take (schema documented in exo/generator.h). Every service and resource with the
 * environment it gets when each runs as its own host named after it (service role, resource
 * name) and the bus runs as host "bus".
 *
 * Resource servers are described by their resource plugins (create for containers, unit,
 * emit_env), as `exo run --backend docker` would run them; creating an instance may make
 * the resource's data directory and its stored password under .exo/, as `exo env` does.
 *
 * Ownership: the returned JSON is the caller's (json_decref). Threading: main thread.
 */
#ifndef EXO_CORE_APPMODEL_H
#define EXO_CORE_APPMODEL_H

#include <jansson.h>

#include "model/app.h"
#include "plugins/registry.h"

/** The port the bus listens on in a deployment, unless bus.listen names a tcp port. */
#define EXO_APPMODEL_BUS_PORT 7777

/**
 * Build the model of @p app for a generator whose files go to @p out_dir (absolute). NULL
 * with @p err filled (naming the resource and what to do) when a resource plugin is missing
 * or fails.
 */
json_t *exo_appmodel_build(const exo_app_t *app, const exo_registry_t *reg, const char *out_dir,
                           exo_error_t *err);

#endif /* EXO_CORE_APPMODEL_H */
