/*
 * plugins/frontend-common/festatic.c - static files: path resolution inside a root, content
 * types, validators and conditional requests (see festatic.h).
 */
#include "config.h"

#include "festatic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/util.h"

/* One path segment of @p len bytes: "." and ".." are never allowed; other names starting
 * with a dot (.env, .git, .exo) are hidden, except .well-known. */
typedef enum { SEG_OK, SEG_DOT, SEG_HIDDEN } seg_kind_t;

static seg_kind_t segment_kind(const char *s, size_t len)
{
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) {
        return SEG_DOT;
    }
    if (len > 0 && s[0] == '.' && !(len == 11 && memcmp(s, ".well-known", 11) == 0)) {
        return SEG_HIDDEN;
    }
    return SEG_OK;
}

static bool path_inside(const char *root, const char *real)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') {
        return real[0] == '/';
    }
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* Check the request's segments; NULL when fine, else the reason. *hidden tells 404 from 403. */
static const char *check_segments(const char *req, size_t len, bool *hidden)
{
    *hidden = false;
    if (memchr(req, '\0', len) != NULL) {
        return "a NUL byte in the path";
    }
    if (memchr(req, '\\', len) != NULL) {
        return "a backslash in the path";
    }
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && req[j] != '/') {
            j++;
        }
        seg_kind_t k = segment_kind(req + i, j - i);
        if (k == SEG_DOT) {
            return "a '.' or '..' segment in the path";
        }
        if (k == SEG_HIDDEN) {
            *hidden = true;
            return "a hidden (dot) file";
        }
        i = j + 1;
    }
    return NULL;
}

/* realpath + inside check + stat of @p cand into @p out. */
static fec_static_result_t resolve_real(const char *root, const char *cand, fec_static_file_t *out,
                                        struct stat *st, const char **why)
{
    char *real = realpath(cand, NULL);
    if (real == NULL) {
        *why = "no such file";
        return FEC_STATIC_NOT_FOUND;
    }
    if (!path_inside(root, real)) {
        free(real);
        *why = "a symlink leading out of the static directory";
        return FEC_STATIC_REFUSED;
    }
    if (stat(real, st) != 0) {
        free(real);
        *why = "no such file";
        return FEC_STATIC_NOT_FOUND;
    }
    free(out->path);
    out->path = real;
    return FEC_STATIC_OK;
}

int fec_static_root(const char *app_dir, const char *dir, char **root, exo_error_t *err)
{
    *root = NULL;
    if (dir == NULL || dir[0] == '\0') {
        return exo_error_set(err, EXO_ERR_INVALID, "static must name a directory (e.g. web/public)");
    }
    char *path = dir[0] == '/' || app_dir == NULL ? exo_xstrdup(dir) : exo_path_join(app_dir, dir);
    char *real = realpath(path, NULL);
    if (real == NULL || !exo_path_is_dir(real)) {
        exo_error_set(err, EXO_ERR_INVALID,
                      "static: '%s' (%s) is not a directory: create it or fix the path "
                      "(relative to the app's directory)", dir, path);
        free(real);
        free(path);
        return EXO_ERR_INVALID;
    }
    free(path);
    char *app = app_dir ? realpath(app_dir, NULL) : NULL;
    bool holds_app = app != NULL && path_inside(real, app);
    free(app);
    if (holds_app) {
        free(real);
        return exo_error_set(err, EXO_ERR_INVALID,
                             "static: '%s' would serve the app's own directory (application.yml, "
                             ".exo, the services' code): point it at a folder of web files such "
                             "as web/public", dir);
    }
    *root = real;
    return EXO_OK;
}

fec_static_result_t fec_static_resolve(const char *root, const char *req, size_t req_len,
                                       fec_static_file_t *out, const char **why)
{
    const char *dummy;
    if (why == NULL) {
        why = &dummy;
    }
    memset(out, 0, sizeof *out);
    bool hidden;
    const char *bad = check_segments(req, req_len, &hidden);
    if (bad != NULL) {
        *why = bad;
        return hidden ? FEC_STATIC_NOT_FOUND : FEC_STATIC_REFUSED;
    }
    while (req_len > 0 && req[0] == '/') {
        req++;
        req_len--;
    }
    char *rel = exo_xstrndup(req, req_len);
    char *cand = rel[0] ? exo_path_join(root, rel) : exo_xstrdup(root);
    free(rel);
    struct stat st;
    fec_static_result_t r = resolve_real(root, cand, out, &st, why);
    free(cand);
    if (r == FEC_STATIC_OK && S_ISDIR(st.st_mode)) {
        char *index = exo_path_join(out->path, "index.html");
        r = resolve_real(root, index, out, &st, why);
        free(index);
    }
    if (r == FEC_STATIC_OK && !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        r = FEC_STATIC_NOT_FOUND;
    }
    if (r != FEC_STATIC_OK) {
        fec_static_file_free(out);
        return r;
    }
    out->size = st.st_size;
    out->mtime = st.st_mtim.tv_sec;
    out->mtime_nsec = st.st_mtim.tv_nsec;
    return FEC_STATIC_OK;
}

void fec_static_file_free(fec_static_file_t *f)
{
    free(f->path);
    f->path = NULL;
}

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"mp3", "audio/mpeg"},
    {"wav", "audio/wav"},
    {"ogg", "audio/ogg"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
};

const char *fec_content_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot != NULL) {
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++) {
            if (strcasecmp(dot + 1, content_types[i].ext) == 0) {
                return content_types[i].type;
            }
        }
    }
    return "application/octet-stream";
}

void fec_static_etag(const fec_static_file_t *f, char *out, size_t outlen)
{
    snprintf(out, outlen, "\"%llx-%llx.%lx\"", (unsigned long long)f->size,
             (unsigned long long)f->mtime, (unsigned long)f->mtime_nsec);
}

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void fec_http_date(time_t t, char *out, size_t outlen)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    /* Written by hand: strftime's names follow the locale, HTTP's do not. */
    snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool fec_http_date_parse(const char *s, time_t *out)
{
    char wday[4], mon[4];
    int day, year, h, m, sec, used = 0;
    if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &day, mon, &year,
               &h, &m, &sec, &used) != 7 || used == 0 || s[used] != '\0') {
        return false;
    }
    int month = -1;
    for (int i = 0; i < 12; i++) {
        if (strcmp(mon, months[i]) == 0) {
            month = i;
        }
    }
    if (month < 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60 || year < 1970) {
        return false;
    }
    struct tm tm = {.tm_year = year - 1900, .tm_mon = month, .tm_mday = day,
                    .tm_hour = h, .tm_min = m, .tm_sec = sec};
    *out = timegm(&tm);
    return true;
}

/* One entity tag of an If-None-Match list equals @p etag (weak comparison). */
static bool etag_listed(const char *list, const char *etag)
{
    if (strncmp(etag, "W/", 2) == 0) {
        etag += 2;
    }
    size_t elen = strlen(etag);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return true;
        }
        if (strncmp(p, "W/", 2) == 0) {
            p += 2;
        }
        const char *end = p;
        while (*end && *end != ',') {
            end++;
        }
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t')) {
            last--;
        }
        if ((size_t)(last - p) == elen && memcmp(p, etag, elen) == 0) {
            return true;
        }
        p = end;
    }
    return false;
}

bool fec_static_not_modified(const char *if_none_match, const char *if_modified_since,
                             const char *etag, time_t mtime)
{
    if (if_none_match != NULL) {
        return etag_listed(if_none_match, etag);
    }
    time_t since;
    if (if_modified_since != NULL && fec_http_date_parse(if_modified_since, &since)) {
        return mtime <= since;
    }
    return false;
}
