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

/**
 * Split "HOST:PORT" ("[::1]:3000" for IPv6) into a new *host string and *port (1..65535).
 * Returns 0, or EXO_ERR_INVALID with @p err naming the value.
 */
int fec_parse_listen(const char *listen, char **host, int *port, exo_error_t *err);

#endif /* EXO_PLUGINS_FEHTTP_H */
