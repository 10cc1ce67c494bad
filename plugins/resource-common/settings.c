/* plugins/resource-common/settings.c - reading a resource's settings; see settings.h. */
#include "config.h"

#include "base/util.h"
#include "settings.h"

int res_setting_string(const exo_host_t *host, const char *name, const json_t *config,
                       const char *key, char **out, exo_error_t *err)
{
    const json_t *v = host->config_get(config, key);
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "resource %s: '%s' must be a non-empty string", name, key);
    }
    *out = exo_xstrdup(json_string_value(v));
    return 0;
}

int res_setting_bool(const exo_host_t *host, const char *name, const json_t *config,
                     const char *key, bool *out, exo_error_t *err)
{
    const json_t *v = host->config_get(config, key);
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (!json_is_boolean(v)) {
        return exo_error_set(err, EXO_ERR_INVALID, "resource %s: '%s' must be true or false",
                             name, key);
    }
    *out = json_is_true(v);
    return 0;
}
