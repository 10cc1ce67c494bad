/*
 * plugins/frontend-websocket/wsfront.h - what the parts of the websocket frontend share: the
 * instance (ws_frontend_t: settings, the server, the open connections) and one client
 * connection (ws_conn_t, libwebsockets' per-session data of the exo.v1 protocol).
 *
 *   wsplugin.c  the plugin: settings, open/close, the core's deliver and auth_done
 *   wshttp.c    protocols[0]: plain HTTP (exo.js, static files) and the upgrade check
 *               (path /exo, subprotocol exo.v1, Origin, the connection bound); with an
 *               access token, all of it under /TOKEN/ only (403 elsewhere)
 *   wsconn.c    protocols[1], exo.v1: one client's frames in and out, its bounded queue
 *
 * Threading: the loop thread only (exo/frontend.h).
 */
#ifndef EXO_PLUGINS_WSFRONT_H
#define EXO_PLUGINS_WSFRONT_H

#include <libwebsockets.h>
#include <stdbool.h>

#include <exo/frontend.h>

#include "base/util.h"
#include "feserve.h"
#include "feserver.h"
#include "wsconns.h"
#include "wsqueue.h"

/** Where clients open their WebSocket. */
#define WS_PATH "/exo"
/** A frame may hold this much more than spec->max_message_size: the envelope (type, id, ...). */
#define WS_ENVELOPE_BYTES 1024
/** libwebsockets reads a client's frames in pieces of this size (one buffer per client). */
#define WS_RX_BUFFER 4096
/** The close code for "try again later" (RFC 6455 registry; lws 4.1 has no name for it). */
#define WS_CLOSE_TRY_AGAIN_LATER 1013

typedef struct ws_frontend {
    const exo_host_t *host;
    const exo_frontend_bus_ops_t *bus_ops;
    exo_frontend_bus_t *bus;
    fec_server_t *server;
    char *role;
    char *static_root;        /* real path, or NULL when the frontend serves no files */
    char *access_token;       /* spec->access_token (ABI 1.2): serve only under /TOKEN/;
                               * NULL = everywhere. Never logged */
    exo_strv_t origins;       /* allowed Origin values; "*" allows every one */
    size_t max_message_size;  /* spec->max_message_size */
    size_t max_frame;         /* a client's message, envelope included: over it, close 1009 */
    size_t queue_bytes, queue_messages;
    size_t max_connections;
    size_t idle_timeout_s;    /* a silent client (no pong) is closed after it; 0 = never */
    size_t n_conns;           /* WebSocket connections open */
    ws_conns_t conns;         /* exo_conn_id_t -> ws_conn_t */
    struct ws_conn *opening;  /* the connection inside conn_open (its id is not known yet) */
    bool closing;             /* close(): connections end without conn_close */
    char etag[24];            /* exo.js's */
    struct ws_closing *closings; /* closes waiting for their timer (wsconn.c) */
} ws_frontend_t;

typedef struct ws_conn {
    struct lws *wsi;
    exo_conn_id_t id;         /* the core's; 0 before conn_open and once forgotten */
    ws_queue_t out;
    exo_buf_t rx;             /* a message arriving in several frames or pieces */
    bool welcomed;
    bool closing;             /* close with close_code once the queue is written */
    bool dropped;             /* it did not read: everything for it is discarded */
    unsigned short close_code;
    unsigned long long heard_ms; /* when the client last sent anything (a pong too) */
    char peer[64];
} ws_conn_t;

/** The exo.v1 protocol's callback (wsconn.c). */
int ws_conn_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);
/** Queue @p frame (taken over) for @p c; a client whose queue is full is dropped. */
void ws_conn_queue(ws_frontend_t *fe, ws_conn_t *c, ws_frame_t frame);
/** Cancel the closes still waiting for their timer (before the frontend goes). */
void ws_conn_cancel_closings(ws_frontend_t *fe);
/** Queue an error frame and close with @p code once it is written. */
void ws_conn_refuse(ws_frontend_t *fe, ws_conn_t *c, const char *error, const char *message,
                    unsigned short code);

/** Per-session data of the HTTP protocol: the response being written. */
typedef struct ws_http {
    fec_response_t response;
} ws_http_t;

/** The HTTP protocol's callback (wshttp.c). */
int ws_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);

/** exo.js, compiled into the plugin (exojs.c, generated from exo.js). */
extern const unsigned char ws_exojs[];
extern const size_t ws_exojs_len;

#endif /* EXO_PLUGINS_WSFRONT_H */
