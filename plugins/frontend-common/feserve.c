/*
 * plugins/frontend-common/feserve.c - whole HTTP responses, static files and request headers
 * on a libwebsockets connection (see feserve.h).
 */
#include "config.h"

#include "feserve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/util.h"
#include "fehttp.h"
#include "feserver.h"
#include "festatic.h"

/* Room for the status line and headers lws builds. */
#define FEC_HEADER_ROOM 2048

static bool is_head(struct lws *wsi)
{
    return lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                      unsigned char *end)
{
    char key[128];
    snprintf(key, sizeof key, "%s:", name);
    return lws_add_http_header_by_name(wsi, (const unsigned char *)key,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

int fec_respond(struct lws *wsi, fec_response_t *r, unsigned status, const char *content_type,
                const fec_header_t *headers, const char *body, size_t body_len, bool close)
{
    fec_response_free(r);
    if (is_head(wsi)) {
        body = NULL; /* Content-Length still says what GET would send */
    }
    size_t sent_len = body ? body_len : 0;
    r->buf = exo_xmalloc(LWS_PRE + FEC_HEADER_ROOM + sent_len);
    unsigned char *start = r->buf + LWS_PRE, *p = start, *end = start + FEC_HEADER_ROOM;
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", body_len);
    int bad = lws_add_http_header_status(wsi, status, &p, end);
    if (!bad && content_type != NULL) {
        bad = add_header(wsi, "content-type", content_type, &p, end);
    }
    if (!bad && status != 304) {
        bad = add_header(wsi, "content-length", clen, &p, end);
    }
    for (const fec_header_t *h = headers; !bad && h != NULL && h->name != NULL; h++) {
        bad = add_header(wsi, h->name, h->value, &p, end);
    }
    if (!bad) {
        bad = add_header(wsi, "x-content-type-options", "nosniff", &p, end);
    }
    if (!bad && close) {
        bad = add_header(wsi, "connection", "close", &p, end);
    }
    if (bad || lws_finalize_http_header(wsi, &p, end) != 0) {
        fec_response_free(r);
        return -1;
    }
    if (sent_len > 0) {
        memcpy(p, body, sent_len);
        p += sent_len;
    }
    r->len = (size_t)(p - start);
    r->close = close;
    lws_callback_on_writable(wsi);
    fec_server_kick(wsi); /* we may be outside lws's callbacks (an answer from the bus) */
    return 0;
}

int fec_respond_error(struct lws *wsi, fec_response_t *r, const char *error, const char *message,
                      bool close)
{
    char *body = fec_error_body(error, message);
    int rc = fec_respond(wsi, r, fec_status_for_error(error), "application/json", NULL, body,
                         strlen(body), close);
    free(body);
    return rc;
}

int fec_response_write(struct lws *wsi, fec_response_t *r)
{
    if (r->buf == NULL) {
        return 0; /* nothing queued: a spurious writable */
    }
    /* One write: HTTP/1 headers and body together; lws keeps what the socket does not take. */
    int n = lws_write(wsi, r->buf + LWS_PRE, r->len, LWS_WRITE_HTTP_HEADERS);
    bool close = r->close;
    fec_response_free(r);
    if (n < 0 || close) {
        return -1;
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int fec_response_file_done(struct lws *wsi, fec_response_t *r)
{
    r->static_file = false;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

void fec_response_free(fec_response_t *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = 0;
}

/* @p s with control characters replaced, for a log line. New string. */
static char *printable(const char *s)
{
    char *c = exo_xstrdup(s);
    for (char *p = c; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *p = '?';
        }
    }
    return c;
}

static int serve_file(struct lws *wsi, fec_response_t *r, const fec_static_file_t *f)
{
    char etag[96], date[40];
    fec_static_etag(f, etag, sizeof etag);
    fec_http_date(f->mtime, date, sizeof date);
    char *inm = fec_header_copy(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
    char *ims = fec_header_copy(wsi, WSI_TOKEN_HTTP_IF_MODIFIED_SINCE);
    bool current = fec_static_not_modified(inm, ims, etag, f->mtime);
    free(inm);
    free(ims);
    const fec_header_t validators[] = {{"etag", etag}, {"last-modified", date},
                                       {"cache-control", "no-cache"}, {NULL, NULL}};
    if (current) {
        return fec_respond(wsi, r, 304, NULL, validators, NULL, 0, false);
    }
    unsigned char extra[512], *p = extra, *end = extra + sizeof extra;
    for (const fec_header_t *h = validators; h->name; h++) {
        if (add_header(wsi, h->name, h->value, &p, end) != 0) {
            return -1;
        }
    }
    if (add_header(wsi, "x-content-type-options", "nosniff", &p, end) != 0) {
        return -1;
    }
    r->static_file = true;
    int n = lws_serve_http_file(wsi, f->path, fec_content_type(f->path), (const char *)extra,
                                (int)(p - extra));
    if (n < 0) {
        return -1;
    }
    if (n > 0) { /* sent whole, and lws already ended the transaction */
        r->static_file = false;
        return 0;
    }
    return 0;
}

int fec_serve_static(struct lws *wsi, fec_response_t *r, const char *root, const char *path)
{
    const exo_host_t *host = fec_server_host(wsi);
    fec_static_file_t f;
    const char *why = NULL;
    fec_static_result_t res = fec_static_resolve(root, path, strlen(path), &f, &why);
    if (res == FEC_STATIC_OK) {
        int rc = serve_file(wsi, r, &f);
        fec_static_file_free(&f);
        return rc;
    }
    char peer[64];
    fec_peer_name(wsi, peer, sizeof peer);
    char *shown = printable(path);
    if (res == FEC_STATIC_REFUSED) {
        exo_log_warn(host, "refused %s from %s: %s", shown, peer, why);
        free(shown);
        return fec_respond_error(wsi, r, "forbidden", "that path is not served", false);
    }
    exo_log_info(host, "not found: %s from %s (%s)", shown, peer, why);
    free(shown);
    return fec_respond_error(wsi, r, "not-found", "no such file", false);
}

char *fec_header_copy(struct lws *wsi, enum lws_token_indexes token)
{
    int len = lws_hdr_total_length(wsi, token);
    if (len <= 0) {
        return NULL;
    }
    char *s = exo_xmalloc((size_t)len + 1);
    if (lws_hdr_copy(wsi, s, len + 1, token) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

char *fec_request_credential(struct lws *wsi)
{
    char *auth = fec_header_copy(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    char *cookie = fec_header_copy(wsi, WSI_TOKEN_HTTP_COOKIE);
    char *c = fec_credential_of(auth, cookie);
    free(auth);
    free(cookie);
    return c;
}

void fec_peer_name(struct lws *wsi, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    int fd = lws_get_socket_fd(wsi);
    if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
            port = ntohs(in6->sin6_port);
        }
    }
    snprintf(out, outlen, "%s:%u", addr, port);
}

static const struct {
    enum lws_token_indexes token;
    const char *name;
} methods[] = {
    {WSI_TOKEN_GET_URI, "GET"},       {WSI_TOKEN_POST_URI, "POST"},
    {WSI_TOKEN_HEAD_URI, "HEAD"},     {WSI_TOKEN_PUT_URI, "PUT"},
    {WSI_TOKEN_PATCH_URI, "PATCH"},   {WSI_TOKEN_DELETE_URI, "DELETE"},
    {WSI_TOKEN_OPTIONS_URI, "OPTIONS"},
};

const char *fec_request_method(struct lws *wsi)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (lws_hdr_total_length(wsi, methods[i].token) > 0) {
            return methods[i].name;
        }
    }
    return NULL;
}
