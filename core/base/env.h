/*
 * core/base/env.h - the environment a unit gets, built in layers. Each variable remembers where it
 * came from (for `exo env ROLE`) and whether it is secret (masked when shown). A later layer
 * overrides an earlier one: callers add layers in precedence order, lowest first
 * (docs/configuration.md gives the order). Resource plugins add variables through
 * exo_host_t.env_set, which lands in exo_env_set() with the origin the caller set.
 *
 * Ownership: the env owns copies of everything. Threading: none.
 */
#ifndef EXO_CORE_ENV_H
#define EXO_CORE_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/plugin.h>

typedef struct exo_env_var {
    char *name;
    char *value;
    char *origin; /* "exo", "resource db", "application.yml", "service.yml", ... */
    bool secret;
} exo_env_var_t;

struct exo_env {
    exo_env_var_t *vars;
    size_t n, cap;
    char *origin; /* origin given to variables added from now on */
};

exo_env_t *exo_env_new(void);
void exo_env_destroy(exo_env_t **env_p);
/** Set the origin recorded for variables added next. */
void exo_env_set_origin(exo_env_t *env, const char *origin);
/** Add or override NAME. Returns EXO_OK or EXO_ERR_INVALID for a bad name. */
int exo_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags);
const exo_env_var_t *exo_env_get(const exo_env_t *env, const char *name);
/** True for [A-Za-z_][A-Za-z0-9_]*. */
bool exo_env_name_valid(const char *name);
/** NULL-terminated "NAME=VALUE" array; free with exo_env_free_strings(). */
char **exo_env_strings(const exo_env_t *env);
void exo_env_free_strings(char **strings);

#endif /* EXO_CORE_ENV_H */
