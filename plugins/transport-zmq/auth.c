/* auth.c - the run's credentials; see auth.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "base/util.h"

typedef struct role_secret {
    char *role;
    char secret[EXO_ZAUTH_TOKEN_LEN + 1];
} role_secret_t;

struct exo_zauth {
    char user[EXO_ZAUTH_TOKEN_LEN + 1];
    role_secret_t *roles;
    size_t n_roles, cap;
};

/* Equal without an early exit: the time says nothing about how many bytes matched. Both
 * sides are compared over the full token length whatever @p len is. */
static bool same_token(const char *want, const char *got, size_t len)
{
    unsigned char diff = len != EXO_ZAUTH_TOKEN_LEN;
    for (size_t i = 0; i < EXO_ZAUTH_TOKEN_LEN; i++) {
        unsigned char g = i < len ? (unsigned char)got[i] : 0;
        diff |= (unsigned char)want[i] ^ g;
    }
    return diff == 0;
}

static bool token_shape_ok(const char *t)
{
    if (strlen(t) != EXO_ZAUTH_TOKEN_LEN) {
        return false;
    }
    for (const char *p = t; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
            return false;
        }
    }
    return true;
}

exo_zauth_t *exo_zauth_new(const char *user_token, exo_error_t *err)
{
    exo_zauth_t *a = exo_xcalloc(1, sizeof *a);
    if (user_token != NULL) {
        if (!token_shape_ok(user_token)) {
            exo_error_set(err, EXO_ERR_INVALID, "the bus user token must be %d lowercase hex "
                          "digits", EXO_ZAUTH_TOKEN_LEN);
            free(a);
            return NULL;
        }
        memcpy(a->user, user_token, EXO_ZAUTH_TOKEN_LEN + 1);
    } else if (exo_random_hex(a->user, EXO_ZAUTH_TOKEN_LEN / 2) < 0) {
        exo_error_set(err, EXO_ERR_IO, "getrandom() failed: no bus credentials can be made");
        free(a);
        return NULL;
    }
    return a;
}

const char *exo_zauth_user_token(const exo_zauth_t *a)
{
    return a->user;
}

static role_secret_t *find_role(const exo_zauth_t *a, const char *role, size_t len)
{
    for (size_t i = 0; i < a->n_roles; i++) {
        if (strlen(a->roles[i].role) == len && memcmp(a->roles[i].role, role, len) == 0) {
            return &a->roles[i];
        }
    }
    return NULL;
}

const char *exo_zauth_role_secret(exo_zauth_t *a, const char *role)
{
    role_secret_t *r = find_role(a, role, strlen(role));
    if (r != NULL) {
        return r->secret;
    }
    char secret[EXO_ZAUTH_TOKEN_LEN + 1];
    if (exo_random_hex(secret, EXO_ZAUTH_TOKEN_LEN / 2) < 0) {
        return NULL; /* a guessable secret is worse than none: the unit cannot register */
    }
    if (a->n_roles == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 8;
        a->roles = exo_xrealloc(a->roles, a->cap * sizeof *a->roles);
    }
    r = &a->roles[a->n_roles++];
    r->role = exo_xstrdup(role);
    memcpy(r->secret, secret, sizeof secret);
    return r->secret;
}

bool exo_zauth_is_user(const exo_zauth_t *a, const char *cred, size_t cred_len)
{
    return same_token(a->user, cred, cred_len);
}

exo_zauth_result_t exo_zauth_check(const exo_zauth_t *a, const char *role, size_t role_len,
                                   const char *cred, size_t cred_len)
{
    const role_secret_t *r = find_role(a, role, role_len);
    if (r != NULL && same_token(r->secret, cred, cred_len)) {
        return EXO_ZAUTH_ROLE;
    }
    return exo_zauth_is_user(a, cred, cred_len) ? EXO_ZAUTH_USER : EXO_ZAUTH_REFUSED;
}

void exo_zauth_free(exo_zauth_t *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < a->n_roles; i++) {
        free(a->roles[i].role);
    }
    free(a->roles);
    free(a);
}
