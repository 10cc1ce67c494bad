/*
 * plugins/resource-common/resutil.h - small helpers the built-in resource plugins share:
 * shell quoting, generated secrets, rm -rf, reading a file's tail, running a helper program
 * (optionally as an unprivileged user), finding executables and the servers' unit command.
 *
 * Everything here is `static inline` so that each plugin gets its own private copy and exports
 * nothing but exo_plugin_describe. Strings returned are malloc'ed and owned by the caller.
 * Threading: reentrant, but run_capture() forks, so call it from the loop thread only.
 */
#ifndef EXO_PLUGINS_RESUTIL_H
#define EXO_PLUGINS_RESUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/** printf into a new string; aborts on exhaustion like the core's exo_strdupf. */
static inline char *ru_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *ru_strdupf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        abort();
    }
    return s;
}

static inline char *ru_strdup(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    char *d = strdup(s);
    if (d == NULL) {
        abort();
    }
    return d;
}

/** @p s in single quotes for /bin/sh. */
static inline char *ru_shell_quote(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++) {
        n += *p == '\'' ? 4 : 1;
    }
    char *q = malloc(n);
    if (q == NULL) {
        abort();
    }
    char *o = q;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/** Percent-encode everything but RFC 3986 unreserved characters (for URL userinfo). */
static inline char *ru_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *q = malloc(strlen(s) * 3 + 1);
    if (q == NULL) {
        abort();
    }
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

/** A random secret of 32 hex characters. Returns NULL when the kernel has no entropy API. */
static inline char *ru_random_secret(void)
{
    unsigned char raw[16];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return NULL;
        }
        got += (size_t)n;
    }
    char *s = malloc(sizeof raw * 2 + 1);
    if (s == NULL) {
        abort();
    }
    for (size_t i = 0; i < sizeof raw; i++) {
        snprintf(s + 2 * i, 3, "%02x", raw[i]);
    }
    return s;
}

/** Read a whole small file, NUL-terminated. NULL with errno on failure. */
static inline char *ru_read_file(const char *path, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        abort();
    }
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (buf == NULL) {
                abort();
            }
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int saved = errno;
            free(buf);
            close(fd);
            errno = saved;
            return NULL;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    if (len_out != NULL) {
        *len_out = len;
    }
    return buf;
}

/** The bytes of @p path from @p offset on (the part a server wrote since then), or NULL. */
static inline char *ru_read_from(const char *path, long offset)
{
    size_t len = 0;
    char *all = ru_read_file(path, &len);
    if (all == NULL) {
        return NULL;
    }
    if (offset < 0 || (size_t)offset > len) {
        offset = 0; /* truncated or replaced: read it all */
    }
    char *tail = ru_strdup(all + offset);
    free(all);
    return tail;
}

static inline long ru_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/** Write @p data to @p path with @p mode, replacing it atomically. 0 or -1 with errno. */
static inline int ru_write_file(const char *path, const char *data, unsigned mode)
{
    char *tmp = ru_strdupf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t len = strlen(data), off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int saved = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            errno = saved;
            return -1;
        }
        off += (size_t)n;
    }
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        free(tmp);
        errno = saved;
        return -1;
    }
    free(tmp);
    return 0;
}

static inline int ru_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

/** rm -rf @p path; refuses "/" and "". 0 or -1 with errno. */
static inline int ru_rm_rf(const char *path)
{
    if (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0) {
        errno = EINVAL;
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : -1;
    }
    return nftw(path, ru_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/** The body of a plugin's wipe(): delete each of @p parts (NULL-terminated names) inside
 *  @p data_dir, stopping at the first failure with a message naming resource @p name. */
static inline int ru_wipe_parts(const char *name, const char *data_dir,
                                const char *const *parts, exo_error_t *err)
{
    for (const char *const *p = parts; *p; p++) {
        char *path = ru_strdupf("%s/%s", data_dir, *p);
        int r = ru_rm_rf(path);
        int saved = errno;
        free(path);
        if (r != 0) {
            return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot delete %s/%s: %s", name,
                                 data_dir, *p, strerror(saved));
        }
    }
    return 0;
}

/** Who a helper program runs as. uid == 0 and !drop means "as we are". */
typedef struct ru_cred {
    bool drop;
    uid_t uid;
    gid_t gid;
} ru_cred_t;

/**
 * Run argv[0] (absolute path) with stdout and stderr captured into *@p output (may be NULL),
 * as @p cred when it says so, with /dev/null as its standard input.
 * Returns the exit status (0-255), 128+signal, or -1 with errno when it could not start.
 */
static inline int ru_run_capture(char *const argv[], const ru_cred_t *cred, char **output)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(out[0]);
        close(out[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        dup2(out[1], 1);
        dup2(out[1], 2);
        if (cred != NULL && cred->drop) {
            if (setgroups(1, &cred->gid) != 0 || setgid(cred->gid) != 0 ||
                setuid(cred->uid) != 0) {
                dprintf(2, "cannot switch to uid %u: %s\n", (unsigned)cred->uid, strerror(errno));
                _exit(126);
            }
        }
        execv(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    size_t cap = 1024, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        abort();
    }
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (buf == NULL) {
                abort();
            }
        }
        ssize_t n = read(out[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            free(buf);
            return -1;
        }
    }
    if (output != NULL) {
        *output = buf;
    } else {
        free(buf);
    }
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

/** True when @p cred may write into and search @p dir (checked by a child that becomes it). */
static inline bool ru_cred_can_use_dir(const ru_cred_t *cred, const char *dir)
{
    if (cred == NULL || !cred->drop) {
        return access(dir, W_OK | X_OK) == 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        if (setgroups(1, &cred->gid) != 0 || setgid(cred->gid) != 0 || setuid(cred->uid) != 0) {
            _exit(2);
        }
        _exit(access(dir, W_OK | X_OK) == 0 ? 0 : 1);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return false;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/** The first executable @p name in $PATH, or NULL. */
static inline char *ru_which(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL) {
        return NULL;
    }
    const char *p = path;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0) {
            char *cand = ru_strdupf("%.*s/%s", (int)n, p, name);
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
                return cand;
            }
            free(cand);
        }
        p += n;
        if (*p == ':') {
            p++;
        }
    }
    return NULL;
}

/**
 * The unit command for a server program: @p argv_sh (already shell-quoted words) runs with its
 * output appended to @p log; when it exits non-zero, what it wrote during this start is
 * repeated on stderr, so the core's unit output shows the server's own words too. The shell
 * ignores SIGTERM/SIGINT, so a group-wide SIGTERM reaches only the server (which installs its
 * own handlers) and the shell, the unit's leader, exits only after the server has shut down.
 */
static inline char *ru_server_command(const char *argv_sh, const char *log)
{
    char *qlog = ru_shell_quote(log);
    char *cmd = ru_strdupf("trap '' INT TERM; off=$(wc -c 2>/dev/null <%s || echo 0); "
                           "%s >>%s 2>&1; st=$?; "
                           "[ $st -eq 0 ] || tail -c +$((off + 1)) %s >&2; exit $st",
                           qlog, argv_sh, qlog, qlog);
    free(qlog);
    return cmd;
}

/** Trim trailing whitespace in place. */
static inline void ru_rtrim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
}

/** Append @p line to the " / "-joined @p acc (owned) within @p max bytes. */
static inline void ru_join_line(char **acc, const char *line, size_t max)
{
    size_t cur = *acc ? strlen(*acc) : 0;
    size_t add = strlen(line);
    if (cur >= max) {
        return;
    }
    if (cur + add + 3 > max) {
        add = max > cur + 3 ? max - cur - 3 : 0;
    }
    char *n = realloc(*acc, cur + add + 4);
    if (n == NULL) {
        abort();
    }
    if (cur > 0) {
        memcpy(n + cur, " / ", 3);
        cur += 3;
    }
    memcpy(n + cur, line, add);
    n[cur + add] = '\0';
    *acc = n;
}

#endif /* EXO_PLUGINS_RESUTIL_H */
