/*
 * plugins/frontend-common/feserver.h - a libwebsockets context driven by the exo host loop:
 * no thread.
 *
 * Debian's libwebsockets (4.1.6) is built without LWS_WITH_EXTERNAL_POLL: the
 * ADD/DEL/CHANGE_MODE_POLL_FD callbacks never fire. It does have its libuv event library, and
 * libuv is made to be embedded: the context runs on a private uv loop whose one epoll fd
 * (uv_backend_fd) is a host watch and whose next deadline (uv_backend_timeout) is a host
 * timer; both run the uv loop once without waiting (UV_RUN_NOWAIT). lws's own timeouts are uv
 * timers, so they fire through the same timer. lws's log goes to host->log.
 *
 * After calling lws from outside its callbacks (from deliver(), auth_done(), a host timer:
 * lws_callback_on_writable, lws_set_timeout, ...) call fec_server_kick(): libuv applies
 * socket interest changes at its next pass, and the kick makes that pass happen now.
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
#include <stdbool.h>

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

/** Run the server's uv loop once soon (see above). NULL-safe for a wsi of no server. */
void fec_server_kick(struct lws *wsi);

/** "http://HOST:PORT/" (IPv6 hosts in brackets). Server-owned. */
const char *fec_server_endpoint(const fec_server_t *server);
/** The opts.user of the server @p wsi belongs to. */
void *fec_server_user(struct lws *wsi);
/** The host table of the server @p wsi belongs to. */
const exo_host_t *fec_server_host(struct lws *wsi);

#endif /* EXO_PLUGINS_FESERVER_H */
