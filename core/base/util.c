#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void out_of_memory(void)
{
    fputs("exo: error: out of memory\n", stderr);
    abort();
}

void *exo_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        out_of_memory();
    }
    return p;
}

void *exo_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        out_of_memory();
    }
    return p;
}

void *exo_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        out_of_memory();
    }
    return p;
}

char *exo_xstrdup(const char *s)
{
    return exo_xstrndup(s, strlen(s));
}

char *exo_xstrndup(const char *s, size_t n)
{
    /* Like strndup: at most n bytes, never past the terminator (a plugin's version string
     * is read with a bound, not a length). */
    n = strnlen(s, n);
    char *p = exo_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *exo_vstrdupf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return exo_xstrdup("");
    }
    char *p = exo_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *exo_strdupf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = exo_vstrdupf(fmt, ap);
    va_end(ap);
    return p;
}

void exo_buf_append(exo_buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        b->data = exo_xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void exo_buf_puts(exo_buf_t *b, const char *s)
{
    exo_buf_append(b, s, strlen(s));
}

void exo_buf_printf(exo_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = exo_vstrdupf(fmt, ap);
    va_end(ap);
    exo_buf_puts(b, s);
    free(s);
}

void exo_buf_free(exo_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void exo_buf_consume(exo_buf_t *b, size_t n)
{
    if (b->data == NULL) {
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void exo_strv_push_owned(exo_strv_t *sv, char *s)
{
    if (sv->n + 2 > sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = exo_xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
}

void exo_strv_push(exo_strv_t *sv, const char *s)
{
    exo_strv_push_owned(sv, exo_xstrdup(s));
}

bool exo_strv_contains(const exo_strv_t *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++) {
        if (strcmp(sv->v[i], s) == 0) {
            return true;
        }
    }
    return false;
}

void exo_strv_free(exo_strv_t *sv)
{
    for (size_t i = 0; i < sv->n; i++) {
        free(sv->v[i]);
    }
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

const char **exo_strv_nullterm(exo_strv_t *sv)
{
    if (sv->v == NULL) {
        exo_strv_push_owned(sv, NULL);
        sv->n = 0;
    }
    return (const char **)sv->v;
}

size_t exo_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64) {
        la = 64;
    }
    if (lb > 64) {
        lb = 64;
    }
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

const char *exo_closest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = exo_edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    /* A likely typo: at most a third of the word changed, and at least one letter kept. */
    size_t len = strlen(word);
    size_t limit = len / 3 + 1;
    if (best == NULL || best_d > limit || best_d >= len) {
        return NULL;
    }
    return best;
}

char *exo_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/') {
        la--;
    }
    while (*b == '/') {
        b++;
    }
    return exo_strdupf("%.*s/%s", (int)la, a, b);
}

bool exo_path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool exo_path_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int exo_mkdir_p(const char *path, unsigned mode)
{
    char *p = exo_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, mode) != 0 && errno != EEXIST) {
                int e = errno;
                free(p);
                errno = e;
                return -1;
            }
            *s = '/';
        }
    }
    int rc = mkdir(p, mode);
    int e = errno;
    free(p);
    if (rc != 0 && e != EEXIST) {
        errno = e;
        return -1;
    }
    return 0;
}

int exo_rm_rf(const char *path)
{
    if (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0) {
        errno = EINVAL;
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return unlink(path);
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        char *child = exo_path_join(path, de->d_name);
        if (exo_rm_rf(child) != 0) {
            rc = -1;
        }
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0) {
        rc = -1;
    }
    return rc;
}

char *exo_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    exo_buf_t b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        exo_buf_append(&b, chunk, n);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        exo_buf_free(&b);
        errno = EIO;
        return NULL;
    }
    if (b.data == NULL) {
        b.data = exo_xstrdup("");
    }
    if (len) {
        *len = b.len;
    }
    return b.data;
}

static int write_file(const char *path, const char *data, size_t len, unsigned mode,
                      bool exact_mode)
{
    char *tmp = exo_strdupf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            goto fail;
        }
        off += (size_t)w;
    }
    if (exact_mode && fchmod(fd, mode) != 0) {
        goto fail;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        fd = -1;
        goto fail;
    }
    free(tmp);
    return 0;
fail:;
    int e = errno;
    if (fd >= 0) {
        close(fd);
    }
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
}

int exo_write_file_atomic(const char *path, const char *data, size_t len)
{
    return write_file(path, data, len, 0644, false);
}

int exo_write_file_mode(const char *path, const char *data, size_t len, unsigned mode)
{
    return write_file(path, data, len, mode, true);
}

char *exo_which(const char *name)
{
    const char *p = getenv("PATH");
    while (p != NULL && *p != '\0') {
        size_t n = strcspn(p, ":");
        if (n > 0) {
            char *cand = exo_strdupf("%.*s/%s", (int)n, p, name);
            if (exo_path_is_file(cand) && access(cand, X_OK) == 0) {
                return cand;
            }
            free(cand);
        }
        p += n;
        p += *p == ':';
    }
    return NULL;
}

char *exo_self_exe(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        return NULL;
    }
    self[n] = '\0';
    return exo_xstrdup(self);
}

char *exo_shell_quote(const char *s)
{
    exo_buf_t b = {0};
    exo_buf_puts(&b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            exo_buf_puts(&b, "'\\''"); /* close, escaped quote, reopen */
        } else {
            exo_buf_append(&b, p, 1);
        }
    }
    exo_buf_puts(&b, "'");
    return b.data;
}

char *exo_endpoint_for_host(const char *endpoint, const char *unit_host)
{
    static const char loopback[] = "127.0.0.1";
    const char *lo = strstr(endpoint, "://127.0.0.1:");
    if (unit_host == NULL || unit_host[0] == '\0' || strcmp(unit_host, loopback) == 0 ||
        lo == NULL) {
        return exo_xstrdup(endpoint);
    }
    lo += 3;
    return exo_strdupf("%.*s%s%s", (int)(lo - endpoint), endpoint, unit_host,
                       lo + strlen(loopback));
}

char *exo_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *q = exo_xmalloc(strlen(s) * 3 + 1);
    char *o = q;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return q;
}

/* @p len bytes of @p s with %XX escapes decoded; NULL on a bad escape. New string. */
static char *url_decode(const char *s, size_t len)
{
    char *q = exo_xmalloc(len + 1), *o = q;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        unsigned v = 0;
        if (i + 2 >= len) {
            free(q);
            return NULL;
        }
        for (size_t k = 1; k <= 2; k++) {
            char h = s[i + k];
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) {
                free(q);
                return NULL;
            }
            v = v * 16 + (unsigned)d;
        }
        *o++ = (char)v;
        i += 2;
    }
    *o = '\0';
    return q;
}

/* The host[:port] part of a URL into @p out; 0 or -1. */
static int url_hostport(const char *hp, size_t len, exo_url_t *out)
{
    const char *end = hp + len, *colon = NULL;
    if (len > 0 && hp[0] == '[') {
        const char *close = memchr(hp, ']', len);
        if (close == NULL) {
            return -1;
        }
        colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
        if (colon == NULL && close + 1 != end) {
            return -1;
        }
    } else {
        colon = memchr(hp, ':', len);
    }
    size_t hlen = colon ? (size_t)(colon - hp) : len;
    if (hlen == 0) {
        return -1;
    }
    if (colon != NULL) {
        char *stop = NULL;
        long port = strtol(colon + 1, &stop, 10);
        if (colon + 1 == end || stop != end || port < 1 || port > 65535) {
            return -1;
        }
        out->port = (unsigned)port;
    }
    out->host = exo_xstrndup(hp, hlen);
    return 0;
}

int exo_url_parse(const char *url, exo_url_t *out)
{
    *out = (exo_url_t){0};
    const char *sep = strstr(url, "://");
    if (sep == NULL || sep == url || strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                            "QRSTUVWXYZ0123456789+.-") != (size_t)(sep - url)) {
        return -1;
    }
    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++) {
        at = *p == '@' ? p : at; /* the last '@': a password may hold an unescaped one */
    }
    const char *hp = at ? at + 1 : auth;
    int rc = url_hostport(hp, (size_t)(auth + alen - hp), out);
    if (rc == 0 && at != NULL) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        size_t ulen = colon ? (size_t)(colon - auth) : (size_t)(at - auth);
        out->user = url_decode(auth, ulen);
        out->password = colon ? url_decode(colon + 1, (size_t)(at - colon - 1)) : NULL;
        rc = out->user == NULL || (colon != NULL && out->password == NULL) ? -1 : 0;
    }
    if (rc < 0) {
        exo_url_free(out);
        return -1;
    }
    out->scheme = exo_xstrndup(url, (size_t)(sep - url));
    return 0;
}

void exo_url_free(exo_url_t *u)
{
    free(u->scheme);
    free(u->user);
    free(u->password);
    free(u->host);
    *u = (exo_url_t){0};
}

void exo_rtrim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
}

bool exo_token_valid(const char *s)
{
    return s != NULL && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int exo_random_hex(char *out, size_t bytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    if (bytes > sizeof raw) {
        bytes = sizeof raw;
    }
    size_t got = 0;
    int rc = 0, saved = 0;
    while (got < bytes) {
        ssize_t n = getrandom(raw + got, bytes - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = -1;
            saved = errno;
            break;
        }
        got += (size_t)n;
    }
    unsigned long long mix = exo_now_ms() ^ ((unsigned long long)getpid() << 20);
    for (size_t i = got; i < bytes; i++) {
        mix = mix * 6364136223846793005ull + 1442695040888963407ull;
        raw[i] = (unsigned char)(mix >> 56);
    }
    for (size_t i = 0; i < bytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * bytes] = '\0';
    errno = rc < 0 ? saved : errno;
    return rc;
}

unsigned long long exo_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

bool exo_use_color(int fd)
{
    const char *nc = getenv("NO_COLOR");
    if (nc != NULL && nc[0] != '\0') {
        return false;
    }
    return isatty(fd) == 1;
}
