/*
 * core/base/util.h - small helpers every core module uses: allocation that aborts on exhaustion
 * (the CLI cannot do anything useful without memory), string building, paths, string lists.
 * Threading: all functions are reentrant.
 */
#ifndef EXO_CORE_UTIL_H
#define EXO_CORE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void *exo_xmalloc(size_t n);
void *exo_xcalloc(size_t n, size_t size);
void *exo_xrealloc(void *p, size_t n);
char *exo_xstrdup(const char *s);
/* A copy of at most @p n bytes of @p s, stopping at its terminator. Aborts when out of memory. */
char *exo_xstrndup(const char *s, size_t n);
char *exo_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *exo_vstrdupf(const char *fmt, va_list ap);

/** A growable NUL-terminated buffer. */
typedef struct exo_buf {
    char *data;
    size_t len, cap;
} exo_buf_t;

void exo_buf_append(exo_buf_t *b, const char *s, size_t n);
void exo_buf_puts(exo_buf_t *b, const char *s);
void exo_buf_printf(exo_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void exo_buf_free(exo_buf_t *b);
/** Drop the first @p n bytes (n <= len), for a buffer consumed from the front (a stream). */
void exo_buf_consume(exo_buf_t *b, size_t n);

/** Array of owned strings. */
typedef struct exo_strv {
    char **v;
    size_t n, cap;
} exo_strv_t;

void exo_strv_push(exo_strv_t *sv, const char *s);
void exo_strv_push_owned(exo_strv_t *sv, char *s);
bool exo_strv_contains(const exo_strv_t *sv, const char *s);
void exo_strv_free(exo_strv_t *sv);
/** NULL-terminated copy of the pointers (not the strings) for execve-style APIs. */
const char **exo_strv_nullterm(exo_strv_t *sv);

/** Levenshtein distance, capped at 64 characters per string. */
size_t exo_edit_distance(const char *a, const char *b);
/** The candidate closest to @p word, or NULL if none is close enough to be a likely typo. */
const char *exo_closest(const char *word, const char *const *candidates, size_t n);

/** "a/b" joined with exactly one slash. New string. */
char *exo_path_join(const char *a, const char *b);
bool exo_path_is_dir(const char *path);
bool exo_path_is_file(const char *path);
/** mkdir -p. Returns 0 or -1 with errno. */
int exo_mkdir_p(const char *path, unsigned mode);
/** rm -rf; refuses "/" and empty paths. Returns 0 or -1. */
int exo_rm_rf(const char *path);
/** Read a whole file. New string or NULL with errno. */
char *exo_read_file(const char *path, size_t *len);
/** Write atomically: temp file in the same directory, fsync, rename. 0 or -1 with errno. */
int exo_write_file_atomic(const char *path, const char *data, size_t len);
/** The same, and the file gets exactly @p mode whatever the umask (0600 for secrets). */
int exo_write_file_mode(const char *path, const char *data, size_t len, unsigned mode);
/** The running program's own file (/proc/self/exe), to run it again. New string, or NULL with
 *  errno. */
char *exo_self_exe(void);
/** The first executable file @p name in the directories of $PATH. New string or NULL. */
char *exo_which(const char *name);

/** @p s in single quotes for /bin/sh. New string. */
char *exo_shell_quote(const char *s);
/** @p endpoint ("SCHEME://127.0.0.1:PORT...") as a unit reaches it: the loopback host replaced
 *  by @p unit_host, the host under which the unit reaches this machine (a container's view of
 *  it). Unchanged when @p unit_host is NULL, empty or loopback, or the endpoint names another
 *  host. New string. */
char *exo_endpoint_for_host(const char *endpoint, const char *unit_host);
/** Percent-encode all but RFC 3986 unreserved characters (for a URL's userinfo). New string. */
char *exo_url_encode(const char *s);
/** The parts of a URL SCHEME://[USER[:PASSWORD]@]HOST[:PORT][/...]; user and password are
 *  percent-decoded; NULL (port 0) when absent. Owned: free with exo_url_free(). */
typedef struct exo_url {
    char *scheme, *user, *password, *host;
    unsigned port;
} exo_url_t;
/** Split @p url into @p out. Returns 0, or -1 (out zeroed) when it has no scheme, no host, a
 *  port that is not 1..65535, or a bad percent escape. An IPv6 host keeps its brackets. */
int exo_url_parse(const char *url, exo_url_t *out);
void exo_url_free(exo_url_t *u);
/** Remove trailing whitespace (spaces, tabs, CR, LF) in place. */
void exo_rtrim(char *s);
/**
 * Fill @p out with 2 * @p bytes random hex digits and a NUL (@p bytes at most 64). Returns 0,
 * or -1 with errno when the kernel gave no randomness: @p out then holds digits mixed from the
 * clock and the pid, unique enough for ids but not a secret.
 */
int exo_random_hex(char *out, size_t bytes);
/** True when @p s (may be NULL) is a bus token: 64 lower-case hex digits, as
 *  exo_random_hex(out, 32) makes them. */
bool exo_token_valid(const char *s);

/** Milliseconds from a monotonic clock. */
unsigned long long exo_now_ms(void);

/** True when stdout (fd 1) or @p fd is a terminal and NO_COLOR is unset. */
bool exo_use_color(int fd);

#endif /* EXO_CORE_UTIL_H */
