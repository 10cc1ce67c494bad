/* subject.c - names as subject tokens and exo's subjects; see subject.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "subject.h"

static const char hexdigits[] = "0123456789abcdef";

static bool stays(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-';
}

char *exo_nsubj_escape(const char *name, size_t len)
{
    char *out = exo_xmalloc(len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (stays(c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '_';
            out[o++] = hexdigits[c >> 4];
            out[o++] = hexdigits[c & 0xf];
        }
    }
    out[o] = '\0';
    return out;
}

static int hexval(char c)
{
    const char *p = c != '\0' ? strchr(hexdigits, c) : NULL;
    return p != NULL ? (int)(p - hexdigits) : -1;
}

char *exo_nsubj_unescape(const char *tok, size_t len, size_t *len_out)
{
    if (len == 0) {
        return NULL;
    }
    char *out = exo_xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)tok[i];
        if (stays(c)) {
            out[o++] = (char)c;
            continue;
        }
        int hi = c == '_' && i + 2 < len ? hexval(tok[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(tok[i + 2]) : -1;
        if (lo < 0 || stays((unsigned char)(hi << 4 | lo))) {
            free(out);
            return NULL;
        }
        out[o++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[o] = '\0';
    if (len_out != NULL) {
        *len_out = o;
    }
    return out;
}

bool exo_nsubj_plain_token(const char *s)
{
    if (s == NULL || s[0] == '\0') {
        return false;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            return false;
        }
    }
    return true;
}

char *exo_nsubj_role(const char *app, const char *recv, const char *name, const char *sender)
{
    char *tok = exo_nsubj_escape(name, strlen(name));
    char *s = exo_strdupf("exo.%s.r.%s.%s.%s", app, recv, tok, sender);
    free(tok);
    return s;
}

char *exo_nsubj_direct(const char *app, const char *recv, const char *inst, const char *name,
                       const char *sender)
{
    char *tok = exo_nsubj_escape(name, strlen(name));
    char *s = exo_strdupf("exo.%s.d.%s.%s.%s.%s", app, recv, inst, tok, sender);
    free(tok);
    return s;
}

char *exo_nsubj_status(const char *app, const char *role, const char *inst, const char *recv,
                       const char *activity)
{
    char *tok = exo_nsubj_escape(activity, strlen(activity));
    char *s = exo_strdupf("exo.%s.x.%s.%s.%s.%s", app, role, inst, recv, tok);
    free(tok);
    return s;
}

char *exo_nsubj_presence(const char *app, const char *role, const char *cred)
{
    return exo_strdupf("exo.%s.p.%s.%s", app, role, cred);
}

/* Split @p subject at dots into at most @p max tokens (copies); the count, or -1 when there
 * are more, or an empty token. */
static int split(const char *subject, char **tok, int max)
{
    int n = 0;
    const char *p = subject;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        if (len == 0 || n == max) {
            for (int i = 0; i < n; i++) {
                free(tok[i]);
            }
            return -1;
        }
        tok[n++] = exo_xstrndup(p, len);
        if (dot == NULL) {
            return n;
        }
        p = dot + 1;
    }
}

static void free_tokens(char **tok, int n)
{
    for (int i = 0; i < n; i++) {
        free(tok[i]);
    }
}

int exo_nsubj_parse_msg(const char *subject, const char *app, exo_nsubj_msg_t *out)
{
    memset(out, 0, sizeof(*out));
    char *tok[8];
    int n = split(subject, tok, 8);
    if (n < 6 || strcmp(tok[0], "exo") != 0 || strcmp(tok[1], app) != 0 ||
        !((n == 6 && strcmp(tok[2], "r") == 0) || (n == 7 && strcmp(tok[2], "d") == 0))) {
        free_tokens(tok, n);
        return -1;
    }
    int name_at = n == 6 ? 4 : 5;
    out->name = exo_nsubj_unescape(tok[name_at], strlen(tok[name_at]), &out->name_len);
    if (out->name == NULL) {
        free_tokens(tok, n);
        return -1;
    }
    out->recv = tok[3];
    out->inst = n == 7 ? tok[4] : NULL;
    out->sender = tok[n - 1];
    free(tok[name_at]);
    free(tok[0]);
    free(tok[1]);
    free(tok[2]);
    return 0;
}

void exo_nsubj_msg_free(exo_nsubj_msg_t *m)
{
    free(m->recv);
    free(m->inst);
    free(m->name);
    free(m->sender);
    memset(m, 0, sizeof(*m));
}

int exo_nsubj_parse_status(const char *subject, const char *app, char **recv, char **activity)
{
    char *tok[8];
    int n = split(subject, tok, 8);
    if (n != 7 || strcmp(tok[0], "exo") != 0 || strcmp(tok[1], app) != 0 ||
        strcmp(tok[2], "x") != 0) {
        free_tokens(tok, n);
        return -1;
    }
    *activity = exo_nsubj_unescape(tok[6], strlen(tok[6]), NULL);
    if (*activity == NULL) {
        free_tokens(tok, n);
        return -1;
    }
    *recv = tok[5];
    tok[5] = NULL;
    free_tokens(tok, 6);
    free(tok[6]);
    return 0;
}
