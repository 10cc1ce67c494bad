/*
 * plugins/frontend-common/festatic.h - an app's static files, served by a frontend plugin:
 * a request path resolved inside one directory and never outside it (no "..", no NUL, no
 * symlink leading out), the Content-Type of common web files, and the validators (ETag,
 * Last-Modified) with the conditional-request rules that answer 304.
 *
 * Pure functions over paths and strings (no libwebsockets here), so that they are tested
 * alone; feserve.c puts them on the wire. Threading: reentrant.
 */
#ifndef EXO_PLUGINS_FESTATIC_H
#define EXO_PLUGINS_FESTATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <exo/plugin.h>

typedef enum fec_static_result {
    FEC_STATIC_OK = 0,       /* a regular file inside the root */
    FEC_STATIC_NOT_FOUND,    /* nothing there (HTTP 404) */
    FEC_STATIC_REFUSED,      /* an escape attempt: "..", NUL, a symlink out (HTTP 403) */
} fec_static_result_t;

/** What a resolved file is, for the response. */
typedef struct fec_static_file {
    char *path;        /* real path of the file (owned; fec_static_file_free) */
    off_t size;
    time_t mtime;
    long mtime_nsec;
} fec_static_file_t;

/**
 * The real path of a frontend's `static` directory @p dir (relative to @p app_dir unless
 * absolute) into *@p root (new string). Refused (EXO_ERR_INVALID, @p err naming the key and
 * value): not a directory, or the app's directory itself or one above it (application.yml,
 * .exo with the bus tokens and the services' code are never web files).
 */
int fec_static_root(const char *app_dir, const char *dir, char **root, exo_error_t *err);

/**
 * Resolve the request path @p req (@p req_len bytes, already percent-decoded once by the
 * HTTP parser; the query string removed) inside @p root (a real path, from realpath()).
 * A path with a NUL byte, a backslash, a "." or ".." segment, or one whose real path leaves
 * @p root is REFUSED; a directory gives its index.html. @p why (may be NULL) gets a short
 * reason for the log on anything but OK.
 */
fec_static_result_t fec_static_resolve(const char *root, const char *req, size_t req_len,
                                       fec_static_file_t *out, const char **why);
void fec_static_file_free(fec_static_file_t *f);

/** The Content-Type for @p path by its extension (text types with "; charset=utf-8");
 *  "application/octet-stream" when unknown. Static string. */
const char *fec_content_type(const char *path);

/** The file's strong ETag, quotes included ("\"1a2b-5f3c9e1d.0\""), into @p out. */
void fec_static_etag(const fec_static_file_t *f, char *out, size_t outlen);
/** An HTTP date (RFC 7231 IMF-fixdate) for @p t into @p out (at least 30 bytes). */
void fec_http_date(time_t t, char *out, size_t outlen);
/** Parse an HTTP date (IMF-fixdate); false when it is not one. */
bool fec_http_date_parse(const char *s, time_t *out);

/**
 * True when the client's copy is current (answer 304): @p if_none_match (NULL = absent)
 * lists @p etag or is "*"; only when it is absent, @p if_modified_since (NULL = absent)
 * is a valid date not before @p mtime. Weak tags (W/"...") compare by their value.
 */
bool fec_static_not_modified(const char *if_none_match, const char *if_modified_since,
                             const char *etag, time_t mtime);

#endif /* EXO_PLUGINS_FESTATIC_H */
