#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "util.h"

exo_env_t *exo_env_new(void)
{
    exo_env_t *env = exo_xcalloc(1, sizeof *env);
    env->origin = exo_xstrdup("exo");
    return env;
}

void exo_env_destroy(exo_env_t **env_p)
{
    exo_env_t *env = *env_p;
    if (env == NULL) {
        return;
    }
    for (size_t i = 0; i < env->n; i++) {
        free(env->vars[i].name);
        free(env->vars[i].value);
        free(env->vars[i].origin);
    }
    free(env->vars);
    free(env->origin);
    free(env);
    *env_p = NULL;
}

void exo_env_set_origin(exo_env_t *env, const char *origin)
{
    free(env->origin);
    env->origin = exo_xstrdup(origin);
}

bool exo_env_name_valid(const char *name)
{
    if (name == NULL || !(name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') ||
                          (name[0] >= 'a' && name[0] <= 'z'))) {
        return false;
    }
    for (const char *p = name + 1; *p; p++) {
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9'))) {
            return false;
        }
    }
    return true;
}

int exo_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    if (!exo_env_name_valid(name) || value == NULL) {
        return EXO_ERR_INVALID;
    }
    exo_env_var_t *v = (exo_env_var_t *)exo_env_get(env, name);
    if (v == NULL) {
        if (env->n == env->cap) {
            env->cap = env->cap ? env->cap * 2 : 16;
            env->vars = exo_xrealloc(env->vars, env->cap * sizeof *env->vars);
        }
        v = &env->vars[env->n++];
        v->name = exo_xstrdup(name);
    } else {
        free(v->value);
        free(v->origin);
    }
    v->value = exo_xstrdup(value);
    v->origin = exo_xstrdup(env->origin);
    v->secret = (flags & EXO_ENV_SECRET) != 0;
    return EXO_OK;
}

const exo_env_var_t *exo_env_get(const exo_env_t *env, const char *name)
{
    for (size_t i = 0; i < env->n; i++) {
        if (strcmp(env->vars[i].name, name) == 0) {
            return &env->vars[i];
        }
    }
    return NULL;
}

char **exo_env_strings(const exo_env_t *env)
{
    char **out = exo_xcalloc(env->n + 1, sizeof *out);
    for (size_t i = 0; i < env->n; i++) {
        out[i] = exo_strdupf("%s=%s", env->vars[i].name, env->vars[i].value);
    }
    return out;
}

void exo_env_free_strings(char **strings)
{
    if (strings == NULL) {
        return;
    }
    for (char **p = strings; *p; p++) {
        free(*p);
    }
    free(strings);
}
