/*
 * plugins/frontend-common/fehttp.c - statuses, error bodies, credentials, listen addresses
 * (see fehttp.h).
 */
#include "config.h"

#include "fehttp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

static const struct {
    const char *error;
    unsigned status;
} statuses[] = {
    {"denied", 403},       {"no-receiver", 503},  {"timeout", 504},
    {"too-large", 413},    {"bad-request", 400},  {"rate-limited", 429},
    {"not-authorised", 401}, {"unavailable", 503}, {"not-found", 404},
    {"method-not-allowed", 405}, {"forbidden", 403}, {"length-required", 411},
};

unsigned fec_status_for_error(const char *error)
{
    for (size_t i = 0; error != NULL && i < sizeof statuses / sizeof statuses[0]; i++) {
        if (strcmp(error, statuses[i].error) == 0) {
            return statuses[i].status;
        }
    }
    return 500;
}

char *fec_error_body(const char *error, const char *message)
{
    json_t *o = json_pack("{s:s, s:s}", "error", error ? error : "internal",
                          "message", message ? message : "");
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s ? s : exo_xstrdup("{\"error\":\"internal\",\"message\":\"\"}");
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

char *fec_cookie_value(const char *cookie_header, const char *name)
{
    if (cookie_header == NULL) {
        return NULL;
    }
    size_t nlen = strlen(name);
    const char *p = cookie_header;
    while (*p) {
        while (is_space(*p) || *p == ';') {
            p++;
        }
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            const char *v = p + nlen + 1;
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && is_space(v[vlen - 1])) {
                vlen--;
            }
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            return vlen ? exo_xstrndup(v, vlen) : NULL;
        }
        p += len;
    }
    return NULL;
}

char *fec_bearer_token(const char *authorization)
{
    if (authorization == NULL || strncasecmp(authorization, "Bearer", 6) != 0 ||
        !is_space(authorization[6])) {
        return NULL;
    }
    const char *t = authorization + 7;
    while (is_space(*t)) {
        t++;
    }
    size_t len = strlen(t);
    while (len > 0 && is_space(t[len - 1])) {
        len--;
    }
    return len ? exo_xstrndup(t, len) : NULL;
}

char *fec_credential_of(const char *authorization, const char *cookie_header)
{
    char *c = fec_bearer_token(authorization);
    return c ? c : fec_cookie_value(cookie_header, FEC_SESSION_COOKIE);
}

int fec_parse_listen(const char *listen, char **host, int *port, exo_error_t *err)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (colon == NULL || colon == listen) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "listen address '%s' is not HOST:PORT (e.g. 127.0.0.1:3000)",
                             listen ? listen : "");
    }
    char *endp;
    long p = strtol(colon + 1, &endp, 10);
    if (colon[1] == '\0' || *endp != '\0' || p < 1 || p > 65535) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "listen address '%s': the port must be a number from 1 to 65535",
                             listen);
    }
    const char *h = listen;
    size_t hlen = (size_t)(colon - listen);
    if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    *host = exo_xstrndup(h, hlen);
    *port = (int)p;
    return EXO_OK;
}

const char *fec_token_path(const char *token, const char *path)
{
    size_t n = strlen(token);
    size_t plen = strlen(path);
    /* Every byte of the token is compared, whatever came before: no early exit. */
    unsigned diff = plen < n + 2 ? 1u : 0u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = i + 1 < plen ? (unsigned char)path[i + 1] : 0;
        diff |= c ^ (unsigned char)token[i];
    }
    if (n == 0 || diff != 0 || path[0] != '/' || path[n + 1] != '/') {
        return NULL;
    }
    return path + n + 1;
}
