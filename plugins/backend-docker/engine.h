/*
 * plugins/backend-docker/engine.h - HTTP requests to the Docker engine over its Unix socket
 * (DOCKER_HOST=unix://PATH, default /var/run/docker.sock), spoken by libcurl.
 *
 * Two kinds of request:
 *  - engine_call() blocks until the answer is complete (bounded by a timeout, or not for a
 *    build), for the operations the backend ABI lets block or that are short;
 *  - engine_request_start() returns at once; libcurl's multi interface is driven from the
 *    host's loop (its sockets through host->watch_fd, its timeouts through host->timer_add),
 *    so that streamed answers (logs, wait, create/start) never block the loop.
 *
 * Body pieces and the end of an asynchronous request are handed to the caller from the loop,
 * never from inside libcurl, so a callback may start, cancel or free any request, including
 * its own (from on_done). An answer with status >= 400 always goes to the response's body,
 * never to on_body, so that the engine's error message can be quoted.
 *
 * Ownership: an engine_request_t belongs to the caller from engine_request_start() until
 * engine_request_free(). Threading: loop thread only; engine_init() before anything else.
 */
#ifndef EXO_PLUGINS_DOCKER_ENGINE_H
#define EXO_PLUGINS_DOCKER_ENGINE_H

#include <stdbool.h>

#include <exo/plugin.h>

#include "base/util.h"

#define ENGINE_DEFAULT_SOCKET "/var/run/docker.sock"

typedef void (*engine_body_fn)(void *arg, const char *p, size_t n);

/** What came back: the status (0 when no answer came) and the body unless on_body took it. */
typedef struct engine_response {
    long status;
    exo_buf_t body;
} engine_response_t;

int engine_init(const exo_host_t *host, exo_error_t *err);
/** Cancel every request still in flight (without callbacks) and let libcurl go. */
void engine_fini(void);

/** The engine's socket from DOCKER_HOST, or NULL with EXO_ERR_UNSUPPORTED/INVALID. New string. */
char *engine_socket_path(exo_error_t *err);

/**
 * One blocking request: @p body (may be NULL) of type @p ctype, up to @p timeout_ms (0 = no
 * limit). Body pieces of a successful answer go to @p on_body when set. Fails (with a message
 * saying what to do) only when no complete answer came; statuses >= 400 are the caller's.
 */
int engine_call(const char *method, const char *path, const char *ctype, const char *body,
                size_t len, long timeout_ms, engine_body_fn on_body, void *arg,
                engine_response_t *resp, exo_error_t *err);

/** The engine's own message from an error answer ({"message": "..."}), or the raw body. */
const char *engine_message(const engine_response_t *r, char *tmp, size_t tmpn);

void engine_response_free(engine_response_t *r);

typedef struct engine_request engine_request_t;
/** @p ok: a complete answer came (any status); otherwise engine_request_error() says why. */
typedef void (*engine_done_fn)(void *arg, engine_request_t *r, bool ok);

/** Send a request with an optional JSON @p json_body; NULL with @p err when it cannot. */
engine_request_t *engine_request_start(const char *method, const char *path,
                                       const char *json_body, engine_body_fn on_body,
                                       engine_done_fn on_done, void *arg, exo_error_t *err);

const engine_response_t *engine_request_response(const engine_request_t *r);

/** Why a request ended without an answer, worded for the user. */
const char *engine_request_error(const engine_request_t *r);

/** Cancel (when in flight) and free; no callback follows. NULL is fine. */
void engine_request_free(engine_request_t *r);

/** Block, driving the requests in flight, until @p done(arg) or @p timeout_ms pass. */
void engine_wait(bool (*done)(void *arg), void *arg, unsigned timeout_ms);

#endif /* EXO_PLUGINS_DOCKER_ENGINE_H */
