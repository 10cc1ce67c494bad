/*
 * core/plugins/host.h - the table of host services (exo_host_t) the core gives each plugin: logging
 * prefixed with the plugin's kind and name, allocation, config lookup, environment emission,
 * the core's event loop and a per-plugin state directory in the app.
 *
 * Ownership: exo_host_new() returns a table the caller (the registry) owns and frees with
 * exo_host_destroy() after the plugin's fini() returned. Strings given to exo_host_new() are
 * copied. Threading: log and post may be called from any thread, the rest from the loop thread
 * only (see exo/plugin.h).
 */
#ifndef EXO_CORE_HOST_H
#define EXO_CORE_HOST_H

#include <exo/plugin.h>

#include "base/loop.h"

/**
 * A host table for plugin @p name of kind @p kind_name ("backend", exo_kind_name()), which
 * prefixes its log lines and names its state directory. @p app_dir (may be NULL) is the app
 * whose .exo/state holds the plugin's state directory; @p loop (may be NULL) backs the loop
 * services, which fail with EXO_ERR_UNSUPPORTED without one. The host knows nothing of the
 * registry: the registry creates hosts, never the other way round.
 */
exo_host_t *exo_host_new(const char *kind_name, const char *name, const char *app_dir,
                         exo_loop_t *loop);
void exo_host_destroy(exo_host_t **host_p);

/** Dotted-path lookup ("build.args") in a JSON object; borrowed value or NULL. */
const json_t *exo_host_config_get(const json_t *config, const char *path);

#endif /* EXO_CORE_HOST_H */
