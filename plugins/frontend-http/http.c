/*
 * plugins/frontend-http/http.c - the `http` frontend: HTTP clients call services.
 *
 *   POST <prefix>/<message>   body: the JSON payload. The message is sent as the frontend's
 *                             role on the client socket's connection of the core (credential:
 *                             Authorization: Bearer or the exo_session cookie; httpreq.h);
 *                             the first message of the activity answers: 200, its payload as
 *                             the body, its name in X-Exo-Message. Failures: the JSON error
 *                             of fehttp.h.
 *   GET/HEAD anything else    the app's static files (key `static`), if any.
 *
 * docs/frontends.md ("The http frontend") is the user's side of this.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <exo/frontend.h>

#include "../frontend-common/fehttp.h"
#include "../frontend-common/feserve.h"
#include "../frontend-common/feserver.h"
#include "../frontend-common/festatic.h"
#include "base/util.h"
#include "httpreq.h"

#define HTTP_DEFAULT_PREFIX "/api"
#define HTTP_DEFAULT_MAX_BODY (64u * 1024u)

typedef struct http_fe {
    const exo_host_t *host;
    const exo_frontend_bus_ops_t *ops;
    exo_frontend_bus_t *bus;
    char *role;
    char *prefix;       /* "/api": no trailing slash */
    char *static_root;  /* real path, or NULL: no static files */
    size_t max_body;
    fec_server_t *server;
    http_reqs_t reqs;
    http_req_t *opening; /* the client inside conn_open (in case auth_done comes before it returns) */
    bool closing;
} http_fe_t;

/* Per HTTP transaction: lws allocates it zeroed for each request of a keep-alive socket (it
 * re-binds the protocol), so what lives as long as the socket is in http_fe_t.reqs. */
typedef struct http_pss {
    fec_response_t resp;
    http_req_t *req; /* the socket's client when this transaction is a POST of a message */
} http_pss_t;

/* ---- answers ---- */

/* Queue the JSON error @p error for @p req's client (once per request). */
static void answer_error(http_fe_t *fe, http_req_t *req, const char *error, const char *message)
{
    if (req->answered || req->wsi == NULL) {
        return;
    }
    req->answered = true;
    http_pss_t *pss = lws_wsi_user(req->wsi);
    if (fec_respond_error(req->wsi, &pss->resp, error, message, req->too_large) != 0) {
        lws_set_timeout(req->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        fec_server_kick(req->wsi);
    }
}

static void answer_reply(http_fe_t *fe, http_req_t *req, const exo_frontend_msg_t *msg)
{
    req->answered = true;
    http_pss_t *pss = lws_wsi_user(req->wsi);
    const fec_header_t headers[] = {{"x-exo-message", msg->name},
                                    {msg->activity ? "x-exo-activity" : NULL, msg->activity},
                                    {NULL, NULL}};
    const char *body = msg->payload ? msg->payload : "null";
    size_t len = msg->payload ? msg->payload_len : 4;
    if (fec_respond(req->wsi, &pss->resp, 200, "application/json", headers, body, len, false) != 0) {
        lws_set_timeout(req->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        fec_server_kick(req->wsi);
    }
}

/* The client went, changed credential or was refused: end its connection of the core (a
 * next request opens a new one). */
static void end_conn(http_fe_t *fe, http_req_t *req)
{
    exo_conn_id_t conn = req->conn;
    req->conn = 0;
    req->auth_done = req->auth_ok = false;
    if (conn != 0 && !fe->closing) {
        fe->ops->conn_close(fe->bus, conn);
    }
}

/* ---- the bus side ---- */

static void send_message(http_fe_t *fe, http_req_t *req)
{
    exo_error_t err = {0};
    const char *payload = req->body.len ? req->body.data : NULL;
    if (fe->ops->conn_send(fe->bus, req->conn, req->name, payload, req->body.len, req->id, 0,
                           &err) < 0) {
        answer_error(fe, req, "unavailable", err.message[0] ? err.message
                                                             : "the frontend lost the request");
        end_conn(fe, req);
    }
}

static void start_request(http_fe_t *fe, http_req_t *req)
{
    char peer[80];
    fec_peer_name(req->wsi, peer, sizeof peer);
    exo_error_t err = {0};
    fe->opening = req;
    exo_conn_id_t conn = fe->ops->conn_open(fe->bus, peer, req->credential, &err);
    fe->opening = NULL;
    if (conn == 0) {
        answer_error(fe, req, "unavailable",
                     err.message[0] ? err.message : "the frontend takes no more requests");
        return;
    }
    req->conn = conn;
    if (!req->auth_done) {
        return; /* auth_done sends it */
    }
    if (!req->auth_ok) {
        end_conn(fe, req);
    } else {
        send_message(fe, req);
    }
}

/* The body is complete and valid: send it on the socket's connection, opening it first. */
static void dispatch(http_fe_t *fe, http_req_t *req)
{
    req->started = true;
    if (req->conn == 0) {
        start_request(fe, req);
    } else if (req->auth_ok) {
        send_message(fe, req);
    } /* else: the verdict is pending; auth_done sends it */
}

static void http_auth_done(void *inst, exo_conn_id_t conn, const char *user, const char *error,
                           const char *message)
{
    http_fe_t *fe = inst;
    http_req_t *req = http_req_by_conn(&fe->reqs, conn);
    if (req == NULL && fe->opening != NULL && fe->opening->conn == 0) {
        req = fe->opening; /* called from inside conn_open */
    }
    if (req == NULL || req->auth_done) {
        return;
    }
    req->auth_done = true;
    req->auth_ok = error == NULL;
    if (error != NULL) {
        answer_error(fe, req, error, message ? message : "not authorised");
    }
    if (req->conn == 0) {
        return; /* still inside conn_open: start_request goes on */
    }
    if (!req->auth_ok) {
        end_conn(fe, req);
    } else if (req->started && !req->answered) {
        send_message(fe, req);
    }
}

static void http_deliver(void *inst, exo_conn_id_t conn, const exo_frontend_msg_t *msg)
{
    http_fe_t *fe = inst;
    http_req_t *req = http_req_by_conn(&fe->reqs, conn);
    if (req == NULL || req->answered || req->wsi == NULL) {
        return; /* a late message for a finished request */
    }
    if (msg->request == NULL || strcmp(msg->request, req->id) != 0) {
        return; /* a push: an HTTP request only takes its own answer */
    }
    if (msg->error != NULL) {
        answer_error(fe, req, msg->error, msg->message ? msg->message : msg->error);
    } else {
        answer_reply(fe, req, msg);
    }
}

/* ---- the HTTP side ---- */

/* True when the request carries a body we will not read: the connection must then close
 * after the answer, or the body's bytes would be parsed as the next request. */
static bool has_unread_body(struct lws *wsi)
{
    char *cl = fec_header_copy(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
    bool body = (cl != NULL && strtoull(cl, NULL, 10) > 0) ||
                lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
    free(cl);
    return body;
}

static int refuse(struct lws *wsi, http_pss_t *pss, const char *error, const char *message,
                  const char *allow)
{
    char *body = fec_error_body(error, message);
    const fec_header_t headers[] = {{allow ? "allow" : NULL, allow}, {NULL, NULL}};
    int rc = fec_respond(wsi, &pss->resp, fec_status_for_error(error), "application/json",
                         headers, body, strlen(body), has_unread_body(wsi));
    free(body);
    return rc;
}

static void body_complete(http_fe_t *fe, http_req_t *req)
{
    if (req->too_large || req->started || req->answered) {
        return;
    }
    if (req->body.len > 0) {
        json_error_t je;
        json_t *j = json_loadb(req->body.data, req->body.len, JSON_DECODE_ANY, &je);
        if (j == NULL) {
            char msg[300];
            snprintf(msg, sizeof msg, "the body is not JSON: %s (line %d, column %d)", je.text,
                     je.line, je.column);
            answer_error(fe, req, "bad-request", msg);
            return;
        }
        json_decref(j);
    }
    dispatch(fe, req);
}

static int on_post(http_fe_t *fe, struct lws *wsi, http_pss_t *pss, const char *name)
{
    const char *problem = http_message_name_problem(name);
    if (problem != NULL) {
        return refuse(wsi, pss, name[0] ? "bad-request" : "not-found", problem, NULL);
    }
    char *cl = fec_header_copy(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
    unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
    bool chunked = cl == NULL && lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
    free(cl);
    if (chunked) {
        /* lws 4.1 drops the connection at the end of a chunked request body */
        return refuse(wsi, pss, "length-required",
                      "send the body with a Content-Length (chunked bodies are not read)", NULL);
    }
    char *credential = fec_request_credential(wsi);
    http_req_t *req = http_req_by_wsi(&fe->reqs, wsi);
    if (req == NULL) {
        req = http_req_new(&fe->reqs, wsi, name, credential);
    } else {
        http_req_next(&fe->reqs, req, name);
        bool same = (credential == NULL && req->credential == NULL) ||
                    (credential && req->credential && strcmp(credential, req->credential) == 0);
        if (!same) { /* another user on the same socket: another connection */
            end_conn(fe, req);
            free(req->credential);
            req->credential = credential;
        } else {
            free(credential);
        }
    }
    pss->req = req;
    if (declared > fe->max_body) {
        req->too_large = true; /* answered before reading: the body is never stored */
        char msg[160];
        snprintf(msg, sizeof msg, "the body is %llu bytes; the limit is %zu", declared,
                 fe->max_body);
        answer_error(fe, req, "too-large", msg);
        return 0;
    }
    if (declared == 0) {
        body_complete(fe, req); /* no body to wait for */
    }
    return 0;
}

static void on_body(http_fe_t *fe, http_pss_t *pss, const void *in, size_t len)
{
    http_req_t *req = pss->req;
    if (req == NULL || req->too_large || req->started || req->answered) {
        return; /* no POST in flight: a body we do not read */
    }
    if (!http_req_append(req, in, len, fe->max_body)) {
        char msg[120];
        snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes", fe->max_body);
        answer_error(fe, req, "too-large", msg);
    }
}

static int on_http(http_fe_t *fe, struct lws *wsi, http_pss_t *pss, const char *uri)
{
    fec_response_free(&pss->resp);
    const char *method = fec_request_method(wsi);
    bool get = method != NULL && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    size_t n = strlen(fe->prefix);
    if (strncmp(uri, fe->prefix, n) == 0 && (uri[n] == '/' || uri[n] == '\0')) {
        if (method == NULL || strcmp(method, "POST") != 0) {
            return refuse(wsi, pss, "method-not-allowed",
                          "send a message with POST and a JSON body", "POST");
        }
        return on_post(fe, wsi, pss, uri[n] ? uri + n + 1 : "");
    }
    if (get && fe->static_root != NULL) {
        return fec_serve_static(wsi, &pss->resp, fe->static_root, uri);
    }
    if (get || (method != NULL && strcmp(method, "POST") == 0)) {
        char msg[200];
        snprintf(msg, sizeof msg, "nothing here: messages are sent with POST %s/<message name>",
                 fe->prefix);
        return refuse(wsi, pss, "not-found", msg, NULL);
    }
    return refuse(wsi, pss, "method-not-allowed",
                  fe->static_root ? "static files are read with GET or HEAD"
                                  : "messages are sent with POST",
                  fe->static_root ? "GET, HEAD" : "POST");
}

/* The client socket is gone: end its connection of the core. */
static void finish_client(http_fe_t *fe, struct lws *wsi)
{
    http_req_t *req = http_req_by_wsi(&fe->reqs, wsi);
    if (req != NULL) {
        req->wsi = NULL;
        end_conn(fe, req);
        http_req_free(&fe->reqs, req);
    }
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    http_fe_t *fe = fec_server_user(wsi);
    http_pss_t *pss = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(fe, wsi, pss, in ? in : "/") ? -1 : 0;
    case LWS_CALLBACK_HTTP_BODY:
        on_body(fe, pss, in, len);
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (pss->req != NULL) {
            body_complete(fe, pss->req);
        }
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return fec_response_write(wsi, &pss->resp);
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        return fec_response_file_done(wsi, &pss->resp);
    case LWS_CALLBACK_CLOSED_HTTP:
        finish_client(fe, wsi);
        if (pss != NULL) {
            pss->req = NULL;
            fec_response_free(&pss->resp);
        }
        return 0;
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL: /* the transaction's pss goes, the socket stays */
        if (pss != NULL) {
            pss->req = NULL;
            fec_response_free(&pss->resp);
        }
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols http_protocols[] = {
    {"http", http_callback, sizeof(http_pss_t), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- configuration and the instance ---- */

static int read_prefix(http_fe_t *fe, const exo_frontend_spec_t *spec, exo_error_t *err)
{
    const json_t *v = spec->config ? fe->host->config_get(spec->config, "prefix") : NULL;
    const char *p = json_is_string(v) ? json_string_value(v) : HTTP_DEFAULT_PREFIX;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') {
        n--;
    }
    bool ok = p[0] == '/' && n > 1 && strstr(p, "..") == NULL && strstr(p, "//") == NULL;
    for (size_t i = 0; ok && i < n; i++) {
        char c = p[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '/' || c == '.' || c == '_' || c == '-';
    }
    if (!ok) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "prefix '%s' is not a URL path such as /api (a '/', then letters, "
                             "digits, '.', '_', '-' and '/'; not '/' alone)", p);
    }
    fe->prefix = exo_xstrndup(p, n);
    return EXO_OK;
}

static int read_static(http_fe_t *fe, const exo_frontend_spec_t *spec, exo_error_t *err)
{
    const json_t *v = spec->config ? fe->host->config_get(spec->config, "static") : NULL;
    if (v == NULL || json_is_null(v)) {
        return EXO_OK;
    }
    return fec_static_root(spec->app_dir, json_string_value(v), &fe->static_root, err);
}

static void http_close(void *inst)
{
    http_fe_t *fe = inst;
    if (fe == NULL) {
        return;
    }
    fe->closing = true; /* the core's connections end with the frontend: no conn_close */
    fec_server_close(&fe->server);
    http_reqs_clear(&fe->reqs);
    free(fe->role);
    free(fe->prefix);
    free(fe->static_root);
    free(fe);
}

static int http_open(const exo_host_t *host, const exo_frontend_spec_t *spec, void **inst,
                     exo_error_t *err)
{
    http_fe_t *fe = exo_xcalloc(1, sizeof *fe);
    fe->host = host;
    fe->ops = spec->bus_ops;
    fe->bus = spec->bus;
    fe->role = exo_xstrdup(spec->role ? spec->role : "http");
    fe->max_body = spec->max_message_size ? spec->max_message_size : HTTP_DEFAULT_MAX_BODY;
    int rc = read_prefix(fe, spec, err);
    if (rc == EXO_OK) {
        rc = read_static(fe, spec, err);
    }
    if (rc == EXO_OK) {
        fec_server_opts_t opts = {.listen = spec->listen, .protocols = http_protocols, .user = fe};
        fe->server = fec_server_open(host, &opts, err);
        rc = fe->server ? EXO_OK : (err ? err->code : EXO_ERR_UNAVAILABLE);
    }
    if (rc != EXO_OK) {
        http_close(fe);
        return rc;
    }
    exo_log_info(host, "%s: listening on %s (messages: POST %s/<name>%s%s)", fe->role,
                 fec_server_endpoint(fe->server), fe->prefix,
                 fe->static_root ? "; static files: " : "", fe->static_root ? fe->static_root : "");
    *inst = fe;
    return EXO_OK;
}

static const char *http_endpoint(void *inst)
{
    return fec_server_endpoint(((http_fe_t *)inst)->server);
}

static const exo_frontend_ops_t http_ops = {
    .size = sizeof(exo_frontend_ops_t),
    .open = http_open,
    .endpoint = http_endpoint,
    .close = http_close,
    .deliver = http_deliver,
    .auth_done = http_auth_done,
};

static const exo_config_key_t http_config[] = {
    {"prefix", EXO_CONFIG_STRING, HTTP_DEFAULT_PREFIX,
     "URL path under which POST <prefix>/<message> sends a message", 0},
    {"static", EXO_CONFIG_STRING, NULL,
     "directory of static files served on GET (relative to the app's directory)", 0},
    {NULL, 0, NULL, NULL, 0},
};

EXO_FRONTEND_PLUGIN_CONFIG("http", PACKAGE_VERSION,
                           "HTTP clients call services: POST /api/<message> with a JSON body, "
                           "and the app's static files", EXO_CAP_NONE, NULL, NULL, &http_ops,
                           http_config)
