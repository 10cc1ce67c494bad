/*
 * plugins/resource-common/settings.h - reading a resource's settings (its resources.<name>
 * block, spec->config) past what the core checks: the core checks keys and types against the
 * plugin's declared table; these read a value and still report a wrong one with the key's
 * name, for hosts that check nothing (plugins declared without a table, test drivers).
 *
 * Part of libresource_common (see datadir.h). Threading: loop thread only.
 */
#ifndef EXO_RESOURCE_SETTINGS_H
#define EXO_RESOURCE_SETTINGS_H

#include <stdbool.h>

#include <exo/resource.h>

/** Key @p key of @p config as a new string in *@p out, left alone when absent or null.
 *  0, or EXO_ERR_INVALID naming resource @p name when it is not a non-empty string. */
int res_setting_string(const exo_host_t *host, const char *name, const json_t *config,
                       const char *key, char **out, exo_error_t *err);

/** Key @p key of @p config as a boolean in *@p out, left alone when absent or null.
 *  0, or EXO_ERR_INVALID naming resource @p name when it is not true or false. */
int res_setting_bool(const exo_host_t *host, const char *name, const json_t *config,
                     const char *key, bool *out, exo_error_t *err);

#endif /* EXO_RESOURCE_SETTINGS_H */
