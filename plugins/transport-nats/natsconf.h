/*
 * natsconf.h - what exo generates for NATS from the app's routing table (exo/transport.h):
 * each role's contract in public names (given to its SDK) and nats-server's configuration
 * with one user per role and credential and their permissions (docs/bus-nats.md).
 *
 * Pure functions, any thread. Returned strings and JSON are new (free / json_decref).
 */
#ifndef EXO_NATS_NATSCONF_H
#define EXO_NATS_NATSCONF_H

#include <stddef.h>

#include <jansson.h>

#include <exo/plugin.h>

/** The NATS user of a role's units is the role's name; these are exo's other users. */
#define EXO_NCONF_USER_SUFFIX "~user" /* ROLE~user: the role with the run's user token */
#define EXO_NCONF_OBSERVER "~exo"     /* exo's observer: presence, tail */
#define EXO_NCONF_SYSTEM "~sys"       /* the system account: connection events, CONNZ */

/** Check @p routes for what NATS needs on top of the zmq rules: @p app and every role are
 *  [a-z0-9_-] (they are subject tokens and user names), names are non-empty strings.
 *  -1 with @p err naming the problem. */
int exo_nconf_check(const json_t *routes, const char *app, exo_error_t *err);

/**
 * @p role's contract: {"app": A, "role": R,
 *   "sends": {INTERNAL: {"public": P, "to": [roles receiving P]}},
 *   "receives": {PUBLIC: INTERNAL}}. NULL when the table has no such role.
 */
json_t *exo_nconf_contract(const json_t *routes, const char *app, const char *role);

typedef struct exo_nconf_server {
    const char *app;
    const json_t *routes;
    const char *host;          /* the address to listen on */
    int port;                  /* -1: any free port */
    size_t max_payload;        /* bytes */
    const json_t *secrets;     /* {ROLE: secret}: every role of routes has one */
    const char *user_token;    /* the run's user token */
} exo_nconf_server_t;

/** nats-server's configuration text; NULL with @p err when a role has no secret. */
char *exo_nconf_server_text(const exo_nconf_server_t *c, exo_error_t *err);

#endif /* EXO_NATS_NATSCONF_H */
