/* plugins/resource-common/vars.c - a resource's variables; see vars.h. */
#include "config.h"

#include <stdlib.h>

#include "base/util.h"
#include "vars.h"

int res_vars_emit(const exo_host_t *host, const char *name, exo_env_t *env, const char *prefix,
                  const res_var_t *vars, size_t n, exo_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        if (vars[i].value == NULL) {
            continue;
        }
        char *var = exo_strdupf("%s%s", prefix, vars[i].suffix);
        int rc = host->env_set(env, var, vars[i].value, vars[i].flags);
        if (rc != 0) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "resource %s: cannot set %s", name, var);
        }
        free(var);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
