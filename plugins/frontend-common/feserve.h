/*
 * plugins/frontend-common/feserve.h - HTTP answers on a libwebsockets connection: a whole
 * response (status, headers, body) written when the socket is writable, JSON error bodies,
 * an app's static files (festatic.h on the wire: 200 with ETag/Last-Modified, 304, 403,
 * 404), and the request's headers and credential.
 *
 * A plugin embeds one fec_response_t in its per-connection data, calls fec_respond*() or
 * fec_serve_static() from its HTTP callback, and returns fec_response_write() from its
 * LWS_CALLBACK_HTTP_WRITEABLE case (and fec_response_free() on LWS_CALLBACK_CLOSED_HTTP).
 * Threading: loop thread only.
 */
#ifndef EXO_PLUGINS_FESERVE_H
#define EXO_PLUGINS_FESERVE_H

#include <libwebsockets.h>
#include <stdbool.h>

#include <exo/plugin.h>

/** A response waiting for its socket to be writable. Zero-initialised = none. */
typedef struct fec_response {
    unsigned char *buf; /* LWS_PRE bytes, then headers and body */
    size_t len;
    bool close;         /* end the connection once written */
    bool static_file;   /* being sent by lws_serve_http_file */
} fec_response_t;

/** One extra header; a list ends with a NULL name. */
typedef struct fec_header {
    const char *name;   /* without the colon */
    const char *value;
} fec_header_t;

/**
 * Queue a response: @p status, @p content_type (NULL: none), @p headers (NULL or a list),
 * the body (not sent for HEAD; Content-Length always). @p close ends the connection after it
 * (a request whose body was not read). Returns 0, or -1 when the headers do not fit: the
 * caller returns -1 from its callback to close the connection.
 */
int fec_respond(struct lws *wsi, fec_response_t *r, unsigned status, const char *content_type,
                const fec_header_t *headers, const char *body, size_t body_len, bool close);

/** A JSON error: the status of @p error (fehttp.h), body {"error","message"}. */
int fec_respond_error(struct lws *wsi, fec_response_t *r, const char *error, const char *message,
                      bool close);

/** From LWS_CALLBACK_HTTP_WRITEABLE: write the queued response; return what it returns. */
int fec_response_write(struct lws *wsi, fec_response_t *r);
/** From LWS_CALLBACK_HTTP_FILE_COMPLETION: a static file went out; return what it returns. */
int fec_response_file_done(struct lws *wsi, fec_response_t *r);
void fec_response_free(fec_response_t *r);

/**
 * Answer a GET or HEAD of @p path (the URI lws parsed, query removed) from the directory
 * @p root (a real path): the file with its Content-Type, ETag and Last-Modified, 304 when the
 * client's If-None-Match / If-Modified-Since says it is current, 404 when absent, 403 for an
 * escape attempt (logged with the peer). Returns what the HTTP callback should return.
 */
int fec_serve_static(struct lws *wsi, fec_response_t *r, const char *root, const char *path);

/** The request header @p token as a new string, or NULL when absent. */
char *fec_header_copy(struct lws *wsi, enum lws_token_indexes token);
/** The request's credential: Authorization: Bearer, else the exo_session cookie. New or NULL. */
char *fec_request_credential(struct lws *wsi);
/** "ADDRESS:PORT" of the client into @p out. */
void fec_peer_name(struct lws *wsi, char *out, size_t outlen);
/** The request's method ("GET", "POST", ...), or NULL for one lws does not name. Static. */
const char *fec_request_method(struct lws *wsi);

#endif /* EXO_PLUGINS_FESERVE_H */
