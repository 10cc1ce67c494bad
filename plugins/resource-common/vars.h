/*
 * plugins/resource-common/vars.h - a resource's emit_env: the variables a service gets for it,
 * each named by the core's prefix ("DB_") and the variable's suffix ("URL").
 *
 * Part of libresource_common (see datadir.h). Threading: loop thread only.
 */
#ifndef EXO_RESOURCE_VARS_H
#define EXO_RESOURCE_VARS_H

#include <stddef.h>

#include <exo/resource.h>

typedef struct res_var {
    const char *suffix;
    const char *value; /* NULL: the variable is left out */
    unsigned flags;    /* EXO_ENV_SECRET for what carries a password */
} res_var_t;

/** Set <prefix><suffix>=value in @p env for each of @p vars. 0, or EXO_ERR_INVALID naming
 *  resource @p name and the variable the host refused. */
int res_vars_emit(const exo_host_t *host, const char *name, exo_env_t *env, const char *prefix,
                  const res_var_t *vars, size_t n, exo_error_t *err);

#endif /* EXO_RESOURCE_VARS_H */
