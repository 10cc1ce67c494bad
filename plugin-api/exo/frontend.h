/*
 * exo/frontend.h - frontend plugins extend the bus to clients outside the app: browsers over
 * WebSocket, HTTP clients. A frontend is declared in application.yml under `frontends:` as a
 * role with its own sends/receives (docs/configuration.md, docs/frontends.md); `exo run`
 * runs each one as a unit (`exo frontend ROLE`, a process of its own).
 *
 * Who does what:
 *  - The plugin speaks its wire protocol (WebSocket frames, HTTP requests), listens where the
 *    spec says, serves static files if it does, and turns each client into a connection of
 *    the core through spec->bus_ops.
 *  - The core holds the frontend's one registration on the bus (as spec->role, with the
 *    role's credential), and for every connection: its end user (the app's auth step, run on
 *    the credential the plugin found), a rate limit, the activities it started (so that
 *    replies reach the connection that asked and no other), pushes (a message outside those
 *    activities goes to the connections of the user its `auth` names, or to every connection
 *    when it names none), and timeouts. The broker's rules (a role sends only what it
 *    declares, translations, fan-out) apply to the frontend's role exactly as to a service.
 *
 * Ownership and threading: see exo/plugin.h. Everything here runs on the loop thread of the
 * `exo frontend` process: the plugin watches its listening and client sockets with
 * host->watch_fd; the core calls deliver/auth_done on that thread, and the plugin calls
 * bus_ops on it. A plugin may call bus_ops from inside deliver or auth_done.
 *
 * Mandatory operations: all of the 1.1 table. ABI 1.0 was reserved and never implemented;
 * the core refuses a frontend plugin older than 1.1.
 *
 * ABI 1.2 appends spec->access_token (a URL prefix the plugin must enforce), honoured by a
 * plugin that declares EXO_FRONTEND_CAP_ACCESS_TOKEN in its descriptor's caps. The core gives
 * a token only to such a plugin and refuses to open any other with one (an older plugin
 * would ignore the member and serve every path).
 */
#ifndef EXO_PLUGIN_API_FRONTEND_H
#define EXO_PLUGIN_API_FRONTEND_H

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXO_FRONTEND_ABI_MAJOR 1
#define EXO_FRONTEND_ABI_MINOR 2

/* Capabilities (exo_plugin_desc_t.caps). */
/* The plugin honours spec->access_token: with one, it serves only under /TOKEN/ (ABI 1.2). */
#define EXO_FRONTEND_CAP_ACCESS_TOKEN (1ull << 16)

/** A client connection as the core knows it: never 0, never reused within a process. */
typedef uint64_t exo_conn_id_t;

/** The core's side of a frontend instance: opaque, valid from open() to close(). */
typedef struct exo_frontend_bus exo_frontend_bus_t;

/**
 * What the core delivers to a connection. Borrowed for the call.
 *
 * A message from the bus: name (the public name), payload (JSON text, payload_len bytes, not
 * NUL-terminated; NULL when none), activity, and request: the id the client gave conn_send
 * when this message is in the activity that send started, NULL for a push.
 *
 * A failure: error is set (and name is NULL) to one of
 *   "denied"          the frontend's role may not send that message (HTTP 403)
 *   "no-receiver"     no service receives it (HTTP 503)
 *   "timeout"         no reply within the request's timeout (HTTP 504)
 *   "too-large"       the message is over the bus's or the frontend's size limit (HTTP 413)
 *   "bad-request"     not a valid message name or not JSON (HTTP 400)
 *   "rate-limited"    the connection sent more than its rate allows (HTTP 429)
 *   "not-authorised"  the auth step refused the connection's credential (HTTP 401)
 *   "unavailable"     the frontend is not on the bus right now, e.g. the broker restarts (HTTP 503)
 * with message a sentence for a person, and request the id of the send it answers.
 */
typedef struct exo_frontend_msg {
    uint32_t size;
    const char *name;
    const char *payload;
    size_t payload_len;
    const char *activity;
    const char *request;
    const char *error;
    const char *message;
} exo_frontend_msg_t;

/** The core's operations on connections, given to open() in the spec. */
typedef struct exo_frontend_bus_ops {
    uint32_t size;
    /**
     * A client connected. @p peer names it in logs ("127.0.0.1:51234"). @p credential is the
     * session cookie or bearer token the plugin found (NULL: none). The core runs the app's
     * auth step on it and calls ops->auth_done, possibly before this returns. Returns the new
     * connection's id, or 0 when the frontend takes no more connections (err says why).
     */
    exo_conn_id_t (*conn_open)(exo_frontend_bus_t *bus, const char *peer, const char *credential,
                               exo_error_t *err);
    /**
     * Send @p name with @p payload (JSON text of @p len bytes; NULL = none) from @p conn, in a
     * new activity that carries the connection's user as `auth`. With @p request (the
     * client's id, copied) every message of that activity is delivered to this connection
     * with that id, until @p timeout_ms (0 = the frontend's default) passes without the first
     * one, which delivers "timeout". Without a request, only failures come back. Failures
     * found at once (bad-request, denied, too-large, rate-limited, unavailable, not yet or
     * not authorised) are delivered, not returned: the return value is < 0 only for an
     * unknown connection.
     */
    int (*conn_send)(exo_frontend_bus_t *bus, exo_conn_id_t conn, const char *name,
                     const char *payload, size_t len, const char *request, unsigned timeout_ms,
                     exo_error_t *err);
    /** The client went away: forget the connection (its pending requests end silently). */
    void (*conn_close)(exo_frontend_bus_t *bus, exo_conn_id_t conn);
} exo_frontend_bus_ops_t;

typedef struct exo_frontend_spec {
    uint32_t size;
    const char *app;
    const char *app_dir;       /* absolute: static paths in config are relative to it */
    const char *role;          /* the role the frontend joins the bus as */
    const char *listen;        /* where clients connect, "HOST:PORT" (port never 0 here) */
    const json_t *config;      /* the frontend's block in application.yml (borrowed; the
                                * plugin's own keys are checked against its declared ones) */
    size_t max_message_size;   /* bytes a client may send in one message (frame, body) */
    const exo_frontend_bus_ops_t *bus_ops;
    exo_frontend_bus_t *bus;
    /* Appended in ABI 1.2 (check spec->size with EXO_HAS before reading it: an older core
     * passes a shorter struct). Borrowed for open(); copy it. NULL = no token: the plugin
     * serves as it always did. Else 1 to 64 of [A-Za-z0-9_-] (exo's dashboard: 32 hex
     * digits), and the plugin serves ONLY under "/TOKEN/": its static files at /TOKEN/...,
     * its own client files (exo.js) at /TOKEN/exo.js, the WebSocket at /TOKEN/exo; every
     * other path ("/", "/exo", "/exo.js", a wrong, shorter or longer token, "/TOKEN" without
     * the slash) gets 403 with a short body saying the page needs the URL exo printed, with
     * its token. The plugin compares the token in constant time and never logs it. Only a
     * plugin with EXO_FRONTEND_CAP_ACCESS_TOKEN gets one. The credential a WebSocket client
     * gives (?token=, cookie) still goes to conn_open as before: the prefix guards the
     * files and the upgrade, the core still judges the connection. endpoint() stays the
     * root URL without the token (the core builds the URL it prints). */
    const char *access_token;
} exo_frontend_spec_t;

typedef struct exo_frontend_ops {
    uint32_t size;
    /** Start listening on spec->listen. Keep spec->bus and bus_ops for the instance's life. */
    int (*open)(const exo_host_t *host, const exo_frontend_spec_t *spec, void **inst,
                exo_error_t *err);
    /** Where clients connect, as a URL with the real port ("http://127.0.0.1:3000/").
     *  Instance-owned string. */
    const char *(*endpoint)(void *inst);
    /** Stop listening and drop every client (without calling conn_close). */
    void (*close)(void *inst);
    /* ABI 1.1: */
    /** A message or failure for @p conn (see exo_frontend_msg_t). The plugin queues it for
     *  its client; a client that does not read is the plugin's to bound and drop. */
    void (*deliver)(void *inst, exo_conn_id_t conn, const exo_frontend_msg_t *msg);
    /** The auth step's verdict for @p conn: @p user is the end user's id (NULL with auth
     *  `none`: an anonymous connection); @p error non-NULL ("not-authorised",
     *  "unavailable") when refused, with @p message. A refused connection may only close. */
    void (*auth_done)(void *inst, exo_conn_id_t conn, const char *user, const char *error,
                      const char *message);
} exo_frontend_ops_t;

/** Define a frontend plugin; the inline function makes the compiler check the ops table's type. */
#define EXO_FRONTEND_PLUGIN(name, version, descr, caps, init, fini, ops) \
    static inline const exo_frontend_ops_t *exo_frontend_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_(EXO_KIND_FRONTEND, name, version, descr, caps, init, fini, (ops))
/** The same with declared configuration keys (exo/plugin.h), read from the frontend's block. */
#define EXO_FRONTEND_PLUGIN_CONFIG(name, version, descr, caps, init, fini, ops, keys)           \
    static inline const exo_frontend_ops_t *exo_frontend_ops_check_(void) { return (ops); }   \
    EXO_PLUGIN_DEFINE_CONFIG_(EXO_KIND_FRONTEND, name, version, descr, caps, init, fini,       \
                              (ops), (keys), NULL)

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_FRONTEND_H */
