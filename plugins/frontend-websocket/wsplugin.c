/*
 * plugins/frontend-websocket/wsplugin.c - the `websocket` frontend plugin: browsers join the
 * bus over WebSocket (protocol exo.v1 at /exo), and the same port serves /exo.js and the
 * app's static files. Settings, open/close, and the core's deliver/auth_done (wsfront.h has
 * the parts; docs/frontends.md the protocol).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fehttp.h"
#include "wsfront.h"
#include "wsproto.h"

#define WS_DEFAULT_MAX_CONNECTIONS 4096
/* What may wait for one client: a burst from the bus arrives before the socket drains it, so
 * the bound is that of a client that does not read, not of one that reads slowly. */
#define WS_DEFAULT_QUEUE_BYTES (4 * 1024 * 1024)
#define WS_DEFAULT_QUEUE_MESSAGES 4096
/* A client is pinged after half of it in silence and closed at it: a peer gone without a FIN
 * (its host off the network) or frozen no longer holds its connection and its queue. */
#define WS_DEFAULT_IDLE_TIMEOUT_S 40
#define WS_MAX_IDLE_TIMEOUT_S 65535
/* Descriptors kept for the listening socket, static files and the core's own (bus, logs). */
#define WS_SPARE_FDS 128

static const exo_config_key_t ws_keys[] = {
    {"static", EXO_CONFIG_STRING, NULL,
     "directory served at / (relative to the app), e.g. web/public", 0},
    {"origins", EXO_CONFIG_STRINGS, NULL,
     "Origin values allowed to open a WebSocket (default: the frontend's own URLs; \"*\": any)", 0},
    {"max-connections", EXO_CONFIG_INT, "4096",
     "WebSocket connections at once; more are refused with HTTP 503", 0},
    {"queue-bytes", EXO_CONFIG_SIZE, "4m",
     "bytes waiting for one client; a client past it (or queue-messages) is dropped", 0},
    {"queue-messages", EXO_CONFIG_INT, "4096", "messages waiting for one client", 0},
    {"idle-timeout", EXO_CONFIG_STRING, "40s",
     "a client silent this long (it answers no ping, sent at half of it) is closed; 0: never", 0},
    {NULL, 0, NULL, NULL, 0},
};

static const struct lws_protocols ws_protocols[] = {
    {"http", ws_http_callback, sizeof(ws_http_t), 0, 0, NULL, 0},
    {WS_SUBPROTOCOL, ws_conn_callback, sizeof(ws_conn_t), WS_RX_BUFFER, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* A setting's number and what follows it ("" for a YAML integer); false when it has none. */
static bool number_and_unit(const json_t *v, long long *n, const char **unit)
{
    *unit = "";
    if (json_is_integer(v)) {
        *n = json_integer_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *text = json_string_value(v);
    char *end;
    errno = 0;
    *n = strtoll(text, &end, 10);
    *unit = end;
    return end != text && errno == 0;
}

/* A whole number setting in [1, max] (default when absent). */
static int int_setting(const exo_host_t *host, const exo_frontend_spec_t *spec, const char *key,
                       long long def, long long max, size_t *out, exo_error_t *err)
{
    const json_t *v = spec->config ? host->config_get(spec->config, key) : NULL;
    long long n = def;
    const char *end = "";
    if (v != NULL && !number_and_unit(v, &n, &end)) {
        n = -1;
    } else if (*end != '\0') {
        static const char units[] = "kmg";
        const char *u = strchr(units, *end | 0x20);
        if (u != NULL && n >= 0 && n < (1LL << 33)) {
            n <<= 10 * (int)(u - units + 1);
            end++;
            if ((*end | 0x20) == 'i' || (*end | 0x20) == 'b')
                end += ((*end | 0x20) == 'i' && (end[1] | 0x20) == 'b') ? 2 : 1;
        }
        if (*end != '\0')
            n = -1;
    }
    if (n < 1 || n > max)
        return exo_error_set(err, EXO_ERR_INVALID, "frontends.%s.%s: give a whole number from 1 "
                             "to %lld%s", spec->role, key, max,
                             strcmp(key, "queue-bytes") == 0 ? " (a size such as 1m)" : "");
    *out = (size_t)n;
    return 0;
}

/* idle-timeout: seconds, "40s" or "2m"; 0 turns the keepalive off, else 2 s at least. */
static int idle_setting(const exo_host_t *host, const exo_frontend_spec_t *spec,
                        ws_frontend_t *fe, exo_error_t *err)
{
    const json_t *v = spec->config ? host->config_get(spec->config, "idle-timeout") : NULL;
    long long n = WS_DEFAULT_IDLE_TIMEOUT_S;
    const char *unit = "";
    bool ok = v == NULL || number_and_unit(v, &n, &unit);
    if (ok && (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0))
        n = n > WS_MAX_IDLE_TIMEOUT_S ? -1 : n * 60;
    else if (ok && unit[0] != '\0' && strcmp(unit, "s") != 0)
        ok = false;
    if (!ok || n < 0 || n == 1 || n > WS_MAX_IDLE_TIMEOUT_S)
        return exo_error_set(err, EXO_ERR_INVALID, "frontends.%s.idle-timeout: give seconds from "
                             "2 to %d (such as 40s or 2m), or 0 to keep silent clients forever",
                             spec->role, WS_MAX_IDLE_TIMEOUT_S);
    fe->idle_timeout_s = (size_t)n;
    return 0;
}

static int static_setting(const exo_host_t *host, const exo_frontend_spec_t *spec,
                          ws_frontend_t *fe, exo_error_t *err)
{
    const json_t *v = spec->config ? host->config_get(spec->config, "static") : NULL;
    if (v == NULL)
        return 0;
    const char *dir = json_string_value(v);
    char *path = dir[0] == '/' ? exo_xstrdup(dir) : exo_path_join(spec->app_dir, dir);
    fe->static_root = realpath(path, NULL);
    int rc = 0;
    char *app = realpath(spec->app_dir, NULL);
    size_t n = fe->static_root ? strlen(fe->static_root) : 0;
    if (fe->static_root == NULL || !exo_path_is_dir(fe->static_root))
        rc = exo_error_set(err, EXO_ERR_INVALID, "frontends.%s.static: %s is not a directory; "
                           "create it or point static at the app's web files", spec->role, path);
    else if (app != NULL && strncmp(app, fe->static_root, n) == 0 &&
             (app[n] == '\0' || app[n] == '/' || n == 1))
        /* it would serve application.yml, the services' code and .exo (bus tokens) */
        rc = exo_error_set(err, EXO_ERR_INVALID, "frontends.%s.static: %s is the app's directory "
                           "or one above it; point static at a directory of web files only, "
                           "such as web/public", spec->role, path);
    free(app);
    free(path);
    return rc;
}

/* origins: as given, or the frontend's own URLs (a page it serves may open the WebSocket). */
static int origins_setting(const exo_host_t *host, const exo_frontend_spec_t *spec,
                           ws_frontend_t *fe, exo_error_t *err)
{
    const json_t *v = spec->config ? host->config_get(spec->config, "origins") : NULL;
    if (v != NULL) {
        size_t i;
        const json_t *o;
        json_array_foreach(v, i, o) {
            const char *s = json_string_value(o);
            if (s == NULL || (strcmp(s, "*") != 0 && strstr(s, "://") == NULL))
                return exo_error_set(err, EXO_ERR_INVALID, "frontends.%s.origins: \"%s\" is no "
                                     "origin; write scheme://host[:port] or \"*\"", spec->role,
                                     s ? s : "(not a string)");
            size_t n = strlen(s);
            while (n > 0 && s[n - 1] == '/')
                n--;
            exo_strv_push_owned(&fe->origins, exo_xstrndup(s, n));
        }
        return 0;
    }
    char *h = NULL;
    int port = 0;
    if (fec_parse_listen(spec->listen, &h, &port, err) != EXO_OK)
        return EXO_ERR_INVALID;
    exo_strv_push_owned(&fe->origins, exo_strdupf("http://127.0.0.1:%d", port));
    exo_strv_push_owned(&fe->origins, exo_strdupf("http://localhost:%d", port));
    exo_strv_push_owned(&fe->origins, exo_strdupf("http://[::1]:%d", port));
    if (strcmp(h, "0.0.0.0") != 0 && strcmp(h, "::") != 0)
        exo_strv_push_owned(&fe->origins, strchr(h, ':') ? exo_strdupf("http://[%s]:%d", h, port)
                                                         : exo_strdupf("http://%s:%d", h, port));
    free(h);
    return 0;
}

/* Every client is a descriptor: make room for max-connections of them if the hard limit
 * allows (never more, as libwebsockets sizes its tables by the soft limit). */
static void raise_fd_limit(const exo_host_t *host, size_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rlim_t target = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    rl.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || target < want)
        exo_log_warn(host, "only %llu file descriptors (ulimit -n): fewer than max-connections "
                     "clients will fit", (unsigned long long)rl.rlim_cur);
}

static void exojs_etag(ws_frontend_t *fe)
{
    uint32_t h = 2166136261u; /* FNV-1a: exo.js changes only with the plugin */
    for (size_t i = 0; i < ws_exojs_len; i++)
        h = (h ^ ws_exojs[i]) * 16777619u;
    snprintf(fe->etag, sizeof fe->etag, "\"%08x-%zx\"", h, ws_exojs_len);
}

static void ws_close(void *inst);

/* The access token (frontend ABI 1.2), read only from a core that passes it. The core checks
 * it too; a token outside [A-Za-z0-9_-] could not be one path segment as it is. */
static int token_setting(const exo_frontend_spec_t *spec, ws_frontend_t *fe, exo_error_t *err)
{
    const char *t = EXO_HAS(spec, exo_frontend_spec_t, access_token) ? spec->access_token
                                                                     : NULL;
    if (t == NULL)
        return 0;
    size_t n = strlen(t);
    if (n == 0 || n > 64 ||
        strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != n)
        return exo_error_set(err, EXO_ERR_INVALID, "frontend %s: the access token must be 1 to "
                             "64 of [A-Za-z0-9_-]", spec->role);
    fe->access_token = exo_xstrdup(t);
    return 0;
}

static int read_settings(const exo_host_t *host, const exo_frontend_spec_t *spec,
                         ws_frontend_t *fe, exo_error_t *err)
{
    if (int_setting(host, spec, "max-connections", WS_DEFAULT_MAX_CONNECTIONS, 1000000,
                    &fe->max_connections, err) < 0 ||
        int_setting(host, spec, "queue-bytes", WS_DEFAULT_QUEUE_BYTES, 1LL << 32, &fe->queue_bytes,
                    err) < 0 ||
        int_setting(host, spec, "queue-messages", WS_DEFAULT_QUEUE_MESSAGES, 1000000,
                    &fe->queue_messages, err) < 0 ||
        idle_setting(host, spec, fe, err) < 0 || static_setting(host, spec, fe, err) < 0 ||
        origins_setting(host, spec, fe, err) < 0)
        return EXO_ERR_INVALID;
    return 0;
}

static int ws_open(const exo_host_t *host, const exo_frontend_spec_t *spec, void **inst,
                   exo_error_t *err)
{
    ws_frontend_t *fe = exo_xcalloc(1, sizeof *fe);
    fe->host = host;
    fe->bus_ops = spec->bus_ops;
    fe->bus = spec->bus;
    fe->role = exo_xstrdup(spec->role);
    fe->max_message_size = spec->max_message_size ? spec->max_message_size : 64 * 1024;
    fe->max_frame = fe->max_message_size + WS_ENVELOPE_BYTES;
    exojs_etag(fe);
    if (read_settings(host, spec, fe, err) < 0 || token_setting(spec, fe, err) < 0) {
        ws_close(fe);
        return EXO_ERR_INVALID;
    }
    raise_fd_limit(host, fe->max_connections + WS_SPARE_FDS);
    fec_server_opts_t opts = {.listen = spec->listen, .protocols = ws_protocols, .user = fe,
                              .idle_timeout_s = (unsigned)fe->idle_timeout_s};
    fe->server = fec_server_open(host, &opts, err);
    if (fe->server == NULL) {
        ws_close(fe);
        return err != NULL && err->code < 0 ? err->code : EXO_ERR_UNAVAILABLE;
    }
    *inst = fe;
    return 0;
}

static const char *ws_endpoint(void *inst)
{
    ws_frontend_t *fe = inst;
    return fec_server_endpoint(fe->server);
}

static void ws_close(void *inst)
{
    ws_frontend_t *fe = inst;
    if (fe == NULL)
        return;
    fe->closing = true; /* the core forgets every connection itself */
    ws_conn_cancel_closings(fe);
    fec_server_close(&fe->server);
    ws_conns_free(&fe->conns);
    exo_strv_free(&fe->origins);
    free(fe->static_root);
    if (fe->access_token != NULL)
        explicit_bzero(fe->access_token, strlen(fe->access_token));
    free(fe->access_token);
    free(fe->role);
    free(fe);
}

/* The connection @p id, also while conn_open has not returned it yet. */
static ws_conn_t *conn_of(ws_frontend_t *fe, exo_conn_id_t id)
{
    ws_conn_t *c = ws_conns_get(&fe->conns, id);
    return c != NULL ? c : fe->opening;
}

static void ws_deliver(void *inst, exo_conn_id_t conn, const exo_frontend_msg_t *msg)
{
    ws_frontend_t *fe = inst;
    ws_conn_t *c = conn_of(fe, conn);
    if (c == NULL)
        return; /* it closed meanwhile */
    bool bad_payload = false;
    ws_frame_t frame = ws_frame_deliver(msg, LWS_PRE, &bad_payload);
    if (bad_payload)
        exo_log_warn(fe->host, "%s for client %s: its payload is not JSON; sent as null",
                     msg->name, c->peer);
    ws_conn_queue(fe, c, frame);
}

static void ws_auth_done(void *inst, exo_conn_id_t conn, const char *user, const char *error,
                         const char *message)
{
    ws_frontend_t *fe = inst;
    ws_conn_t *c = conn_of(fe, conn);
    if (c == NULL)
        return;
    if (error != NULL) {
        exo_log_info(fe->host, "client %s refused: %s", c->peer, message ? message : error);
        ws_conn_refuse(fe, c, error, message, LWS_CLOSE_STATUS_POLICY_VIOLATION);
        return;
    }
    c->welcomed = true;
    ws_conn_queue(fe, c, ws_frame_welcome(user, fe->max_message_size, LWS_PRE));
}

static const exo_frontend_ops_t ws_ops = {
    .size = sizeof ws_ops,
    .open = ws_open,
    .endpoint = ws_endpoint,
    .close = ws_close,
    .deliver = ws_deliver,
    .auth_done = ws_auth_done,
};

EXO_FRONTEND_PLUGIN_CONFIG("websocket", "1.0.0",
                           "browsers on the bus over WebSocket (exo.v1 at /exo, /exo.js, static "
                           "files)", EXO_FRONTEND_CAP_ACCESS_TOKEN, NULL, NULL, &ws_ops,
                           ws_keys)
