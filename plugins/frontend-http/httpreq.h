/*
 * plugins/frontend-http/httpreq.h - the http frontend's requests in flight: one per
 * POST /<prefix>/<message>, each its own connection of the core (conn_open .. conn_close),
 * found again by connection id when the core answers. Keeping one connection per request is
 * what keeps answers apart on a keep-alive socket: a reply can only reach the request whose
 * connection sent the message.
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
    exo_conn_id_t conn;       /* 0 until conn_open returned */
    char *name;               /* the message name from the path */
    char *credential;         /* from Authorization: Bearer or the exo_session cookie */
    exo_buf_t body;           /* the JSON body as read so far */
    char id[24];              /* the request id given to conn_send */
    bool too_large;           /* the body went over the limit: answered 413, rest dropped */
    bool auth_done, auth_ok;  /* the core's verdict, possibly before conn_open returned */
    bool sent;                /* conn_send called */
    bool answered;            /* a response is queued: later messages are dropped */
};

/** The list of requests in flight. Zero-initialise. */
typedef struct http_reqs {
    http_req_t *head;
    unsigned long next_id;
} http_reqs_t;

/** A new request for @p wsi, in the list. */
http_req_t *http_req_new(http_reqs_t *reqs, void *wsi, const char *name, char *credential);
/** The request of connection @p conn, or NULL. */
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
