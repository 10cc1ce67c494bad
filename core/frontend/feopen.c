/* frontend/feopen.c - opening a frontend plugin with the core's checks (feopen.h). */
#include "config.h"

#include <string.h>

#include "feopen.h"

bool exo_frontend_takes_token(const exo_plugin_t *p)
{
    return p != NULL && p->ok && p->kind == EXO_KIND_FRONTEND && p->desc != NULL &&
           (p->desc->caps & EXO_FRONTEND_CAP_ACCESS_TOKEN) != 0;
}

/* A token fits in a URL path segment as it is: nothing to encode, nothing to normalise. */
static bool token_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > EXO_FRONTEND_TOKEN_MAX) {
        return false;
    }
    return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int exo_frontend_open(const exo_plugin_t *p, const exo_frontend_spec_t *spec, void **inst,
                      exo_error_t *err)
{
    if (p == NULL || !p->ok || p->kind != EXO_KIND_FRONTEND) {
        return exo_error_set(err, EXO_ERR_INVALID, "frontend plugin %s is not loaded",
                             p != NULL ? p->name : "(none)");
    }
    const char *token = EXO_HAS(spec, exo_frontend_spec_t, access_token) ? spec->access_token
                                                                         : NULL;
    if (token != NULL && !exo_frontend_takes_token(p)) {
        return exo_error_set(err, EXO_ERR_UNSUPPORTED,
                             "frontend plugin %s (%s) cannot serve behind an access token: it "
                             "does not declare EXO_FRONTEND_CAP_ACCESS_TOKEN (frontend ABI "
                             "1.2) and would serve every page without it; use the websocket "
                             "frontend plugin of this exo, or rebuild %s against exo %s and "
                             "honour spec->access_token",
                             p->name, p->path, p->name, EXO_VERSION);
    }
    if (token != NULL && !token_valid(token)) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "the access token for frontend plugin %s must be 1 to %d of "
                             "[A-Za-z0-9_-]", p->name, EXO_FRONTEND_TOKEN_MAX);
    }
    const exo_frontend_ops_t *ops = p->desc->ops;
    return ops->open(p->host, spec, inst, err);
}
