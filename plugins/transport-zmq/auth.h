/*
 * auth.h - who may register on the bus and ask the control socket (issue 18 finding 1,
 * docs/security.md). A run has one user token (the user who runs the app: exo send, exo tail,
 * stats; it is in .exo/bus.json, mode 0600) and one secret per role, drawn when a unit of that
 * role first gets its environment (emit_env) and handed to that role's units only. A
 * registration as role R is accepted with R's secret or with the user token; nothing else.
 * Credentials are 64 hex digits from getrandom(); comparisons take the same time whatever
 * the input.
 *
 * Threading: the broker's thread (emit_env runs there too). Ownership: strings returned are
 * the exo_zauth_t's, valid until exo_zauth_free.
 */
#ifndef EXO_ZMQ_AUTH_H
#define EXO_ZMQ_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/plugin.h>

#define EXO_ZAUTH_TOKEN_LEN 64 /* hex digits of a credential (32 random bytes) */

typedef struct exo_zauth exo_zauth_t;

/** What a registration proved. */
typedef enum { EXO_ZAUTH_REFUSED = 0, EXO_ZAUTH_ROLE, EXO_ZAUTH_USER } exo_zauth_result_t;

/** A run's credentials: @p user_token (copied; NULL = draw one). NULL with @p err set when the
 *  token is malformed or the kernel gives no randomness. */
exo_zauth_t *exo_zauth_new(const char *user_token, exo_error_t *err);
/** The user token. */
const char *exo_zauth_user_token(const exo_zauth_t *a);
/** @p role's secret, drawn at the first call. NULL when the kernel gives no randomness. */
const char *exo_zauth_role_secret(exo_zauth_t *a, const char *role);
/** Check @p cred (@p cred_len bytes, not NUL-terminated) for a registration as @p role. */
exo_zauth_result_t exo_zauth_check(const exo_zauth_t *a, const char *role, size_t role_len,
                                   const char *cred, size_t cred_len);
/** True when @p cred is the user token. */
bool exo_zauth_is_user(const exo_zauth_t *a, const char *cred, size_t cred_len);
void exo_zauth_free(exo_zauth_t *a);

#endif /* EXO_ZMQ_AUTH_H */
