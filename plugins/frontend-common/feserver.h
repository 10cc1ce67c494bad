/*
 * plugins/frontend-common/feserver.h - a libwebsockets context driven by the exo host loop:
 * no thread. lws tells us which sockets to poll (LWS_CALLBACK_ADD/DEL/CHANGE_MODE_POLL_FD on
 * protocols[0]); we mirror them with host->watch_fd/watch_modify/unwatch and hand ready
 * sockets to lws_service_fd, and a repeating host timer runs lws's own scheduled work
 * (timeouts, keep-alive ends). lws's log goes to host->log.
 *
 * The server listens on one "HOST:PORT" only (a frontend's spec->listen), IPv4 or IPv6.
 *
 * Usage: fill fec_server_opts_t with the plugin's protocols (ended by a zeroed entry; the
 * first one receives HTTP, as in any lws server) and its instance as user; in callbacks,
 * fec_server_user(wsi) gives that instance back. Threading: loop thread only.
 */
#ifndef EXO_PLUGINS_FESERVER_H
#define EXO_PLUGINS_FESERVER_H

#include <libwebsockets.h>

#include <exo/plugin.h>

typedef struct fec_server fec_server_t;

typedef struct fec_server_opts {
    const char *listen;                     /* "HOST:PORT" */
    const struct lws_protocols *protocols;  /* copied; ended by an entry with a NULL name */
    void *user;                             /* for fec_server_user() */
    unsigned keepalive_s;                   /* idle keep-alive connections end after it;
                                             * 0 = 30 s */
    unsigned max_header_bytes;              /* request line + headers; 0 = 8 KiB */
} fec_server_opts_t;

/** Listen and start serving on the host loop. NULL with @p err naming the address. */
fec_server_t *fec_server_open(const exo_host_t *host, const fec_server_opts_t *opts,
                              exo_error_t *err);
/** Close every connection, stop listening, cancel every watch and timer. NULL-safe. */
void fec_server_close(fec_server_t **server);

/** "http://HOST:PORT/" (IPv6 hosts in brackets). Server-owned. */
const char *fec_server_endpoint(const fec_server_t *server);
/** The opts.user of the server @p wsi belongs to. */
void *fec_server_user(struct lws *wsi);
/** The host table of the server @p wsi belongs to. */
const exo_host_t *fec_server_host(struct lws *wsi);

#endif /* EXO_PLUGINS_FESERVER_H */
