/*
 * plugins/frontend-websocket/wshttp.c - the websocket frontend's plain HTTP: /exo.js, the
 * app's static files, and the check of every WebSocket upgrade before libwebsockets accepts
 * it (path, subprotocol, Origin, the connection bound). See wsfront.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fehttp.h"
#include "wsfront.h"
#include "wsproto.h"

/* Does the Sec-WebSocket-Protocol list ("a, b") name exo.v1? */
static bool asks_exo(const char *list)
{
    size_t n = strlen(WS_SUBPROTOCOL);
    for (const char *p = list; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, WS_SUBPROTOCOL, n) == 0)
            return true;
        p += len;
    }
    return false;
}

static bool origin_allowed(const ws_frontend_t *fe, const char *origin)
{
    if (origin == NULL)
        return true; /* not a browser: Origin protects browsers from other sites' pages */
    size_t n = strlen(origin);
    while (n > 0 && origin[n - 1] == '/')
        n--;
    for (size_t i = 0; i < fe->origins.n; i++) {
        const char *o = fe->origins.v[i];
        if (strcmp(o, "*") == 0 || (strlen(o) == n && strncasecmp(o, origin, n) == 0))
            return true;
    }
    return false;
}

/* An upgrade refused with an HTTP status; lws then ends the connection. */
static int refuse(struct lws *wsi, ws_frontend_t *fe, unsigned status, const char *why)
{
    char peer[64];
    fec_peer_name(wsi, peer, sizeof peer);
    exo_log_warn(fe->host, "refused a WebSocket from %s: %s", peer, why);
    lws_return_http_status(wsi, status, NULL);
    return 1;
}

/* The path a request asks for once the access prefix is taken off; NULL when it is outside
 * the prefix (or NULL). Without an access token, the path itself. */
static const char *served_path(const ws_frontend_t *fe, const char *path)
{
    if (path == NULL || fe->access_token == NULL)
        return path;
    return fec_token_path(fe->access_token, path);
}

static int confirm_upgrade(struct lws *wsi, ws_frontend_t *fe, const char *kind)
{
    if (kind == NULL || strcmp(kind, "websocket") != 0)
        return -1;
    char *uri = fec_header_copy(wsi, WSI_TOKEN_GET_URI);
    char *proto = fec_header_copy(wsi, WSI_TOKEN_PROTOCOL);
    char *origin = fec_header_copy(wsi, WSI_TOKEN_ORIGIN);
    const char *path = served_path(fe, uri);
    int rc = 0;
    if (uri != NULL && path == NULL) {
        rc = refuse(wsi, fe, HTTP_STATUS_FORBIDDEN, "not under the access token's prefix");
    } else if (path == NULL || strcmp(path, WS_PATH) != 0) {
        rc = refuse(wsi, fe, HTTP_STATUS_NOT_FOUND, "not the path " WS_PATH);
    } else if (!asks_exo(proto)) {
        rc = refuse(wsi, fe, HTTP_STATUS_BAD_REQUEST,
                    "it does not ask for the subprotocol " WS_SUBPROTOCOL);
    } else if (!origin_allowed(fe, origin)) {
        char why[300];
        snprintf(why, sizeof why, "Origin %.200s is not allowed (frontends.%s.origins)", origin,
                 fe->role);
        rc = refuse(wsi, fe, HTTP_STATUS_FORBIDDEN, why);
    } else if (fe->n_conns >= fe->max_connections) {
        char why[200];
        snprintf(why, sizeof why, "%zu connections are open (frontends.%s.max-connections)",
                 fe->n_conns, fe->role);
        rc = refuse(wsi, fe, HTTP_STATUS_SERVICE_UNAVAILABLE, why);
    }
    free(uri);
    free(proto);
    free(origin);
    return rc;
}

static int serve_exojs(struct lws *wsi, ws_frontend_t *fe, ws_http_t *h)
{
    char *inm = fec_header_copy(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
    bool current = inm != NULL && strstr(inm, fe->etag) != NULL;
    free(inm);
    const fec_header_t headers[] = {
        {"ETag", fe->etag}, {"Cache-Control", "no-cache"}, {NULL, NULL}};
    if (current)
        return fec_respond(wsi, &h->response, 304, NULL, headers, "", 0, false);
    return fec_respond(wsi, &h->response, 200, "text/javascript; charset=utf-8", headers,
                       (const char *)ws_exojs, ws_exojs_len, false);
}

static int request(struct lws *wsi, ws_frontend_t *fe, ws_http_t *h, const char *uri)
{
    const char *method = fec_request_method(wsi);
    bool get = method != NULL && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    const char *path = served_path(fe, uri);
    if (path == NULL) /* a body nobody reads ends the connection with the answer */
        return fec_respond_error(wsi, &h->response, "forbidden", FEC_TOKEN_REFUSED_MESSAGE,
                                 !get);
    if (!get)
        return fec_respond_error(wsi, &h->response, "method-not-allowed",
                                 "this frontend serves GET and HEAD (and WebSockets at "
                                 WS_PATH ")", true);
    if (strcmp(path, "/exo.js") == 0)
        return serve_exojs(wsi, fe, h);
    if (strcmp(path, WS_PATH) == 0) {
        char *body = fec_error_body("upgrade-required",
                                    "open a WebSocket here with the subprotocol " WS_SUBPROTOCOL);
        int rc = fec_respond(wsi, &h->response, 426, "application/json", NULL, body,
                             strlen(body), false);
        free(body);
        return rc;
    }
    if (fe->static_root != NULL)
        return fec_serve_static(wsi, &h->response, fe->static_root, path);
    return fec_respond_error(wsi, &h->response, "not-found",
                             "no such file (this frontend has no static: directory)", false);
}

int ws_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    (void)len;
    ws_frontend_t *fe = fec_server_user(wsi);
    ws_http_t *h = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return confirm_upgrade(wsi, fe, in);
    case LWS_CALLBACK_HTTP:
        return request(wsi, fe, h, in);
    case LWS_CALLBACK_HTTP_BODY:
        return 0; /* a body nobody asked for: the answer closes the connection */
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return fec_response_write(wsi, &h->response);
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        return fec_response_file_done(wsi, &h->response);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (h != NULL)
            fec_response_free(&h->response);
        return 0;
    default:
        return 0;
    }
}
