/*
 * core/plugins/settings.h - plugin settings: the blocks of an app that belong to plugins,
 * checked against the keys each plugin declares (exo_plugin_desc_t.config, exo/plugin.h),
 * and those declarations as JSON for `exo plugins --json`.
 *
 * Which block goes with which declaration:
 *  - resources.<name> (without its `type`): the resource plugin named by type;
 *  - a service.yml section that is not a core key: every installed backend whose
 *    config_section names it (a key one of them declares is fine, since a service may run on
 *    either); a section no installed backend claims is an unknown key of service.yml;
 *  - services.<role>.options: the keys of every installed backend together;
 *  - bus: without the core's keys (exo_bus_core_keys): the transport named by bus.transport.
 * Only presence and type are checked; ranges and meaning stay the plugin's. A plugin without a
 * table leaves its block unchecked (said at debug level); a plugin that is not installed
 * leaves it unchecked with a warning.
 *
 * Ownership: nothing is kept; findings go to the caller's diag. Threading: main thread.
 */
#ifndef EXO_CORE_SETTINGS_H
#define EXO_CORE_SETTINGS_H

#include <jansson.h>

#include "model/app.h"
#include "model/diag.h"
#include "registry.h"

/**
 * Check every plugin block of @p app against the plugins of @p reg, adding
 * FILE:LINE:COLUMN findings to @p diag (unknown keys with a did-you-mean hint, wrong types,
 * missing required keys as errors; uninstalled plugins as warnings). Returns the number of
 * errors added.
 */
size_t exo_settings_check_app(const exo_app_t *app, const exo_registry_t *reg, exo_diag_t *diag);

/**
 * The keys @p p declares as a JSON array of {name, type, default, doc, required, secret}
 * (default and doc null when not given), or NULL when it declares none (no table). New
 * reference.
 */
json_t *exo_settings_keys_json(const exo_plugin_t *p);

#endif /* EXO_CORE_SETTINGS_H */
