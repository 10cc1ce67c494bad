/* core/cli/roles.c - role selection for the run commands. See roles.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/log.h"
#include "roles.h"

bool exo_roles_roles(const exo_app_t *app, const char *cmd, exo_strv_t *roles, bool from_cwd)
{
    const char **names = exo_xcalloc(app->n_services + 1, sizeof *names);
    for (size_t i = 0; i < app->n_services; i++) {
        names[i] = app->services[i].role;
    }
    bool ok = true;
    for (size_t i = 0; i < roles->n; i++) {
        if (exo_app_service(app, roles->v[i]) == NULL) {
            const char *close = exo_closest(roles->v[i], names, app->n_services);
            exo_error("exo %s: app %s has no role '%s'%s%s%s", cmd, app->name, roles->v[i],
                      close ? "; did you mean '" : "", close ? close : "", close ? "'?" : "");
            ok = false;
        }
    }
    free(names);
    if (!ok || roles->n > 0 || !from_cwd) {
        return ok;
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        return true;
    }
    for (size_t i = 0; i < app->n_services; i++) {
        const char *dir = app->services[i].dir;
        size_t n = strlen(dir);
        if (strncmp(cwd, dir, n) == 0 && (cwd[n] == '\0' || cwd[n] == '/') &&
            strcmp(dir, app->dir) != 0) {
            exo_strv_push(roles, app->services[i].role);
        }
    }
    return true;
}

static const exo_app_t *sort_app;

static int by_role(const void *a, const void *b)
{
    return strcmp(sort_app->services[*(const size_t *)a].role,
                  sort_app->services[*(const size_t *)b].role);
}

size_t *exo_roles_by_location(const exo_app_t *app, const exo_strv_t *roles, size_t *n)
{
    size_t *idx = exo_xcalloc(app->n_services + 1, sizeof *idx);
    size_t k = 0;
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *s = &app->services[i];
        bool named = exo_strv_contains(roles, s->role);
        if (s->frontend != NULL && named) {
            exo_warn("%s is a frontend: it has no setup or tests of its own (a service's test "
                     "that needs it gets it running: services.ROLE.needs)", s->role);
        } else if (s->frontend == NULL && (roles->n == 0 || named)) {
            idx[k++] = i;
        }
    }
    sort_app = app;
    qsort(idx, k, sizeof *idx, by_role);
    size_t out = 0;
    for (size_t i = 0; i < k; i++) {
        bool seen = false;
        for (size_t j = 0; j < out; j++) {
            seen = seen || strcmp(app->services[idx[j]].dir, app->services[idx[i]].dir) == 0;
        }
        if (!seen) {
            idx[out++] = idx[i];
        }
    }
    *n = out;
    return idx;
}

exo_app_t *exo_roles_load(const char *app_dir, const char *cmd, const exo_strv_t *args,
                          exo_strv_t *roles, int *exit_code)
{
    exo_app_t *app = exo_cli_load_app(app_dir, exit_code);
    if (app == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < args->n; i++) {
        exo_strv_push(roles, args->v[i]);
    }
    if (!exo_roles_roles(app, cmd, roles, app_dir == NULL)) {
        exo_strv_free(roles);
        exo_app_destroy(&app);
        *exit_code = EXO_EXIT_USER;
        return NULL;
    }
    return app;
}
