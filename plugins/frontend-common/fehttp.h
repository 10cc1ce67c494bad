/*
 * plugins/frontend-common/fehttp.h - the HTTP facts every frontend plugin shares, as pure
 * functions (no libwebsockets): the status of each failure name of exo/frontend.h, the JSON
 * error body, the credential in a Cookie or Authorization header, and the listen address.
 * Threading: reentrant.
 */
#ifndef EXO_PLUGINS_FEHTTP_H
#define EXO_PLUGINS_FEHTTP_H

#include <exo/plugin.h>

/** The session cookie a frontend reads the credential from. */
#define FEC_SESSION_COOKIE "exo_session"

/**
 * The HTTP status for a failure name of exo_frontend_msg_t.error: denied 403, no-receiver
 * 503, timeout 504, too-large 413, bad-request 400, rate-limited 429, not-authorised 401,
 * unavailable 503, not-found 404, method-not-allowed 405, forbidden 403 (a static path
 * refused), length-required 411; anything else 500.
 */
unsigned fec_status_for_error(const char *error);

/** `{"error": ERROR, "message": MESSAGE}` as compact JSON. New string (free()). */
char *fec_error_body(const char *error, const char *message);

/** The value of cookie @p name in a Cookie header, or NULL. New string. */
char *fec_cookie_value(const char *cookie_header, const char *name);

/** The token of an "Authorization: Bearer TOKEN" header value, or NULL. New string. */
char *fec_bearer_token(const char *authorization);

/**
 * The credential of a request: the bearer token when there is one, else the session cookie
 * (either argument may be NULL). New string or NULL.
 */
char *fec_credential_of(const char *authorization, const char *cookie_header);

/** The body of the 403 a request outside the access prefix gets (frontend ABI 1.2). */
#define FEC_TOKEN_REFUSED_MESSAGE \
    "this page needs the URL exo printed, with its token (exo dashboard prints it again)"

/**
 * Where request path @p path (as the HTTP parser gives it: percent-decoded, query removed)
 * goes under the access prefix "/TOKEN/" of spec->access_token (frontend ABI 1.2): a pointer
 * into @p path at the "/" that begins the rest ("/" for the prefix itself, "/exo.js",
 * "/exo", "/app.css"), or NULL when @p path is not under the prefix: another first segment,
 * a shorter or longer token, the token without its trailing slash. The comparison takes the
 * same time whatever the path holds (it depends on the token's length only), so that the
 * answer's timing tells nothing about how much of a guess was right. The rest is checked by
 * the usual handlers ("..", NUL, ... are refused by the static files' rules).
 */
const char *fec_token_path(const char *token, const char *path);

/**
 * Split "HOST:PORT" ("[::1]:3000" for IPv6) into a new *host string and *port (1..65535).
 * Returns 0, or EXO_ERR_INVALID with @p err naming the value.
 */
int fec_parse_listen(const char *listen, char **host, int *port, exo_error_t *err);

#endif /* EXO_PLUGINS_FEHTTP_H */
