/*
 * plugins/frontend-http/httpreq.h - the http frontend's clients: one per client socket that
 * sent a POST /<prefix>/<message>, holding the socket's connection of the core (conn_open at
 * its first message, conn_close when the socket goes or its credential changes) and the one
 * request in flight on it (HTTP/1.1 answers a socket's requests in order). Each request gets
 * a new id, and only a message delivered with that id answers it: a late reply to an earlier
 * request of a keep-alive socket never answers a later one. One core connection per socket,
 * not per request, is what makes the frontend's per-connection rate limit mean something.
 *
 * Threading: loop thread only.
 */
#ifndef EXO_PLUGINS_HTTPREQ_H
#define EXO_PLUGINS_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/frontend.h>

#include "base/util.h"

typedef struct http_req http_req_t;
struct http_req {
    http_req_t *next;
    void *wsi;                /* the client's socket (struct lws *), NULL once it went away */
    /* the socket's connection of the core */
    exo_conn_id_t conn;       /* 0: none (not yet, or ended) */
    char *credential;         /* it was opened with: Authorization: Bearer or exo_session */
    bool auth_done, auth_ok;  /* the core's verdict on it */
    /* the request in flight */
    char *name;               /* the message name from the path */
    exo_buf_t body;           /* the JSON body as read so far */
    char id[24];              /* the request id given to conn_send */
    bool too_large;           /* the body went over the limit: answered 413, rest dropped */
    bool started;             /* the body is complete and the message on its way */
    bool answered;            /* a response is queued: later messages are dropped */
};

/** The list of requests in flight. Zero-initialise. */
typedef struct http_reqs {
    http_req_t *head;
    unsigned long next_id;
} http_reqs_t;

/** A new client for @p wsi, in the list, with its first request (@p credential is taken). */
http_req_t *http_req_new(http_reqs_t *reqs, void *wsi, const char *name, char *credential);
/** The client's next request: a new id, @p name, an empty body, no flags. */
void http_req_next(http_reqs_t *reqs, http_req_t *req, const char *name);
/** The client of socket @p wsi, or NULL. */
http_req_t *http_req_by_wsi(const http_reqs_t *reqs, const void *wsi);
/** The client of connection @p conn, or NULL. */
http_req_t *http_req_by_conn(const http_reqs_t *reqs, exo_conn_id_t conn);
/** Take @p req out of the list and free it. NULL-safe. */
void http_req_free(http_reqs_t *reqs, http_req_t *req);
/** Free every request (the frontend closes). */
void http_reqs_clear(http_reqs_t *reqs);

/**
 * Append @p len bytes of body, or mark the request too large when that would take it over
 * @p max (the body is then dropped, so that memory stays bounded). Returns false when too large.
 */
bool http_req_append(http_req_t *req, const void *data, size_t len, size_t max);

/**
 * Check a message name from a path: [A-Za-z0-9_.-]+ with no empty dot-separated part.
 * Returns NULL when fine, or why not (static string).
 */
const char *http_message_name_problem(const char *name);

#endif /* EXO_PLUGINS_HTTPREQ_H */
