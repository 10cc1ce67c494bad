/*
 * exo/service.h - libexoservice: connect a C service to the exo message bus.
 *
 *     exo_svc_t *svc = exo_svc_connect(NULL, &err);  // EXO_ROLE, EXO_BUS_ENDPOINT, EXO_BUS_TOKEN
 *     exo_svc_on(svc, "users.list", on_list, NULL);
 *     return exo_svc_run(svc) == 0 ? 0 : 1;                 // until exo_svc_stop()
 *
 *     static void on_list(exo_svc_t *svc, const exo_svc_msg_t *msg, void *arg) {
 *         exo_svc_reply_raw(svc, msg, "users.listed", "[]", 2, NULL);
 *     }
 *
 * When the broker acknowledges the registration the library prints "ROLE online" on stdout
 * (once; use it as the service's online-text). It reconnects and re-registers on its own
 * after a broker restart. docs/bus.md has the semantics, docs/protocol.md the wire format.
 *
 * Errors: functions return 0 or a negative EXO_ERR_* (exo/plugin.h) and fill the optional
 * exo_error_t. Sending while not registered fails with EXO_ERR_UNAVAILABLE.
 *
 * Ownership: a message passed to a handler, and its strings, live until the handler returns;
 * copy what you keep (or use exo_svc_msg_dup). Threading: an exo_svc_t belongs to one thread;
 * only exo_svc_stop() may be called from elsewhere (and from a signal handler).
 */
#ifndef EXO_SERVICE_H
#define EXO_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct exo_svc exo_svc_t;

/** A received message. Strings are NUL-terminated except payload (payload_len bytes). */
typedef struct exo_svc_msg {
    const char *name;      /* in this service's own vocabulary */
    const char *id;
    const char *activity;
    const char *sender;    /* role of the sender ("exo" for the broker's exo.error) */
    const char *auth;      /* JSON text, or NULL */
    const char *payload;   /* JSON text (not NUL-terminated), or NULL */
    size_t payload_len;
    const char *via;       /* the broker's way back (protocol 3); replies copy it */
} exo_svc_msg_t;

typedef void (*exo_svc_handler_fn)(exo_svc_t *svc, const exo_svc_msg_t *msg, void *arg);

typedef struct exo_svc_options {
    uint32_t size;           /* sizeof(exo_svc_options_t) */
    const char *role;        /* NULL: $EXO_ROLE */
    const char *endpoint;    /* NULL: $EXO_BUS_ENDPOINT */
    const char *label;       /* shown in introspection; NULL: "HOST:PID" */
    bool transient;          /* take no load-balanced traffic (tools like exo send) */
    bool quiet;              /* do not print the readiness line */
    unsigned wait_ms;        /* > 0: exo_svc_connect waits this long for the registration */
    /** The credential the registration carries: the role's secret exo gives the unit, or the
     *  run's user token (bus.json "token"). NULL: $EXO_BUS_TOKEN. Copied. */
    const char *token;
} exo_svc_options_t;

/** Connect and register. @p opts may be NULL. Without wait_ms it returns at once and the
 *  registration completes inside exo_svc_run / exo_svc_poll (also when the broker is not up
 *  yet). NULL with @p err filled on bad options or a failed wait. */
exo_svc_t *exo_svc_connect(const exo_svc_options_t *opts, exo_error_t *err);
/** Say goodbye to the broker and free everything. Sets *svc_p to NULL. */
void exo_svc_close(exo_svc_t **svc_p);

const char *exo_svc_role(const exo_svc_t *svc);
/** True while registered with a broker. */
bool exo_svc_online(const exo_svc_t *svc);

/** Call @p fn for messages named @p name (NULL: every message without its own handler).
 *  A handler for "exo.error" receives the broker's errors (otherwise they go to stderr). */
int exo_svc_on(exo_svc_t *svc, const char *name, exo_svc_handler_fn fn, void *arg);

/** Send @p name. Inside a handler the message joins the handled message's activity (and
 *  carries its auth); elsewhere it starts a new activity. @p payload may be NULL. */
int exo_svc_send(exo_svc_t *svc, const char *name, const json_t *payload, exo_error_t *err);
/** The same with the payload as JSON text (not checked; NULL or len 0 = none). */
int exo_svc_send_raw(exo_svc_t *svc, const char *name, const char *json, size_t len,
                     exo_error_t *err);
/*
 * Sending never waits for the network. A message sent while the previous ones are still being
 * handed to the socket (a burst) joins the next batch (protocol 5: one zmq frame for many
 * messages), which goes out with a later send, when exo_svc_poll returns or when it is next
 * called, in exo_svc_request, exo_svc_flush and exo_svc_close. A lone message goes out at once.
 * Order is kept. A program that sends outside its loop and then does not poll for a while
 * calls exo_svc_flush.
 */
/** Full control, for bridges and tools: @p activity NULL starts a new one; @p auth is JSON
 *  text or NULL. Ignores the handler context. */
int exo_svc_send_ex(exo_svc_t *svc, const char *name, const char *json, size_t len,
                    const char *activity, const char *auth, exo_error_t *err);
/** Send @p name in @p to's activity, with its auth. */
int exo_svc_reply(exo_svc_t *svc, const exo_svc_msg_t *to, const char *name,
                  const json_t *payload, exo_error_t *err);
int exo_svc_reply_raw(exo_svc_t *svc, const exo_svc_msg_t *to, const char *name,
                      const char *json, size_t len, exo_error_t *err);

/**
 * Send @p name in a new activity and wait up to @p timeout_ms for the first message of that
 * activity. Other messages are dispatched to their handlers meanwhile. On success *reply is a
 * copy for exo_svc_msg_free. EXO_ERR_TIMEOUT when nothing came; the broker's refusals
 * (denied, no receiver at all, too large, ...) fail with their message in @p err.
 */
int exo_svc_request(exo_svc_t *svc, const char *name, const json_t *payload,
                    unsigned timeout_ms, exo_svc_msg_t **reply, exo_error_t *err);

/** The payload parsed (new reference), or NULL when absent or not JSON. */
json_t *exo_svc_msg_json(const exo_svc_msg_t *msg);
/** A heap copy of @p msg (one allocation). */
exo_svc_msg_t *exo_svc_msg_dup(const exo_svc_msg_t *msg);
void exo_svc_msg_free(exo_svc_msg_t *msg);

/** Dispatch messages until exo_svc_stop(). Returns 0, or < 0 on a fatal socket error. */
int exo_svc_run(exo_svc_t *svc);
/** Wait up to @p timeout_ms (-1: forever) and dispatch what arrived. Returns the number of
 *  messages dispatched, or < 0 on a fatal error. */
int exo_svc_poll(exo_svc_t *svc, int timeout_ms);
/** For your own loop: a file descriptor that becomes readable (edge-triggered) when
 *  exo_svc_poll(svc, 0) has work. Also call exo_svc_poll at least every second (pings). */
int exo_svc_fd(const exo_svc_t *svc);
/** Send at once what a burst of sends left for the next batch (see above). Returns 0 or
 *  EXO_ERR_IO. */
int exo_svc_flush(exo_svc_t *svc);
/** Make exo_svc_run return. Async-signal-safe. */
void exo_svc_stop(exo_svc_t *svc);

#ifdef __cplusplus
}
#endif

#endif /* EXO_SERVICE_H */
