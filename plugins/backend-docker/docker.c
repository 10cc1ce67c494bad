/*
 * backend-docker: runs an app's units as Docker containers, talking to the Docker Engine API
 * over its Unix socket (DOCKER_HOST=unix://PATH, default /var/run/docker.sock) with a small
 * HTTP/1.1 client of its own: no docker CLI, no output parsing.
 *
 * Per run: one bridge network "exo-<app>-<run>" labelled exo.app/exo.run; each unit is a
 * container on it with the unit name as network alias, labelled exo.app/exo.run/exo.unit,
 * ports published on 127.0.0.1 only. prepare() builds "exo-<app>-<unit>:latest" from the
 * service directory (this file writes the tar build context itself) and keeps the build log
 * in the plugin's state directory. Output comes from /containers/ID/logs?follow=1 and the exit
 * from /containers/ID/wait, both read on sockets watched through the host's loop.
 *
 * Threading: everything runs on the loop thread. Units are created, started and removed
 * through non-blocking requests watched on the loop (so the engine works on all units of a run
 * in parallel), as are the logs, wait and stop requests; open(), close(), cleanup() and the
 * build in prepare() (which the ABI lets block) wait for their answers.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <exo/backend.h>

#include "../backend-common/ctrunit.h"
#include "../backend-common/ctrutil.h"

#define DEFAULT_SOCKET "/var/run/docker.sock"
#define REQUEST_TIMEOUT_MS 30000 /* synchronous requests: create, start, remove, inspect */

static const exo_host_t *g_host;

/* ------------------------------------------------------------------------------------------ */
/* Small buffers                                                                               */


/* Percent-encode a query value. */
static char *urlenc(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    ctr_buf_t b = {0};
    buf_add(&b, "", 0);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_add(&b, &c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_add(&b, e, 3);
        }
    }
    return b.data;
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP/1.1 responses: status line, headers, then a body framed by Content-Length, chunked
 * transfer encoding or the end of the connection. The parser is fed whatever bytes arrive. */

enum { RESP_HEAD, RESP_BODY, RESP_CHUNK_SIZE, RESP_CHUNK_DATA, RESP_CHUNK_END, RESP_TRAILER,
       RESP_DONE };

typedef void (*body_fn)(void *arg, const char *p, size_t n);

typedef struct resp {
    int state;
    int status;
    bool chunked;
    long long remaining; /* Content-Length or chunk bytes left; -1 = until close */
    ctr_buf_t head;         /* header bytes, then partial chunk-size lines */
    ctr_buf_t body;         /* the body when on_body is NULL */
    body_fn on_body;
    void *arg;
} resp_t;

static void resp_body(resp_t *r, const char *p, size_t n)
{
    if (n == 0) {
        return;
    }
    if (r->on_body) {
        r->on_body(r->arg, p, n);
    } else {
        buf_add(&r->body, p, n);
    }
}

static int parse_head(resp_t *r)
{
    char *h = r->head.data;
    if (strncmp(h, "HTTP/1.", 7) != 0 || strlen(h) < 12) {
        return -1;
    }
    r->status = atoi(h + 9);
    r->remaining = -1;
    for (char *line = strstr(h, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, "Content-Length:", 15) == 0) {
            r->remaining = atoll(line + 15);
        } else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 &&
                   strstr(line, "chunked") != NULL) {
            r->chunked = true;
        }
    }
    if (r->status == 204 || r->status == 304) {
        r->remaining = 0;
    }
    buf_free(&r->head);
    if (r->chunked) {
        r->state = RESP_CHUNK_SIZE;
    } else {
        r->state = r->remaining == 0 ? RESP_DONE : RESP_BODY;
    }
    return 0;
}

/* Returns 1 when the response is complete, 0 for more, -1 on a protocol error. */
static int resp_feed(resp_t *r, const char *p, size_t n)
{
    while (n > 0 && r->state != RESP_DONE) {
        switch (r->state) {
        case RESP_HEAD: {
            buf_add(&r->head, p, 1);
            p++;
            n--;
            if (r->head.len >= 4 && memcmp(r->head.data + r->head.len - 4, "\r\n\r\n", 4) == 0) {
                if (parse_head(r) < 0) {
                    return -1;
                }
            } else if (r->head.len > 65536) {
                return -1;
            }
            break;
        }
        case RESP_BODY: {
            size_t take = n;
            if (r->remaining >= 0 && (long long)take > r->remaining) {
                take = (size_t)r->remaining;
            }
            resp_body(r, p, take);
            p += take;
            n -= take;
            if (r->remaining >= 0) {
                r->remaining -= (long long)take;
                if (r->remaining == 0) {
                    r->state = RESP_DONE;
                }
            }
            break;
        }
        case RESP_CHUNK_SIZE:
        case RESP_TRAILER:
        case RESP_CHUNK_END: {
            buf_add(&r->head, p, 1);
            p++;
            n--;
            if (r->head.len > 1024) {
                return -1;
            }
            if (r->head.data[r->head.len - 1] != '\n') {
                break;
            }
            if (r->state == RESP_CHUNK_END) {
                r->state = RESP_CHUNK_SIZE;
            } else if (r->state == RESP_TRAILER) {
                if (r->head.len <= 2) {
                    r->state = RESP_DONE;
                }
            } else {
                r->remaining = strtoll(r->head.data, NULL, 16);
                r->state = r->remaining > 0 ? RESP_CHUNK_DATA : RESP_TRAILER;
            }
            r->head.len = 0;
            break;
        }
        case RESP_CHUNK_DATA: {
            size_t take = n;
            if ((long long)take > r->remaining) {
                take = (size_t)r->remaining;
            }
            resp_body(r, p, take);
            p += take;
            n -= take;
            r->remaining -= (long long)take;
            if (r->remaining == 0) {
                r->state = RESP_CHUNK_END;
            }
            break;
        }
        default:
            return -1;
        }
    }
    return r->state == RESP_DONE ? 1 : 0;
}

/* The connection closed: complete only if the body was framed by the close. */
static bool resp_eof_ok(const resp_t *r)
{
    return r->state == RESP_DONE || (r->state == RESP_BODY && r->remaining < 0);
}

static void resp_free(resp_t *r)
{
    buf_free(&r->head);
    buf_free(&r->body);
}

/* ------------------------------------------------------------------------------------------ */
/* Connections and requests                                                                    */

static char *socket_path(exo_error_t *err)
{
    const char *dh = getenv("DOCKER_HOST");
    if (dh == NULL || *dh == '\0') {
        return xstrdup(DEFAULT_SOCKET);
    }
    if (strncmp(dh, "unix://", 7) == 0) {
        return xstrdup(dh + 7);
    }
    exo_error_set(err, EXO_ERR_UNSUPPORTED,
                  "DOCKER_HOST=%s: the docker backend talks to the engine over a Unix socket "
                  "only; set DOCKER_HOST=unix:///path/to/docker.sock or unset it", dh);
    return NULL;
}

static int dial(exo_error_t *err)
{
    char *path = socket_path(err);
    if (path == NULL) {
        return EXO_ERR_UNSUPPORTED;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        exo_error_set(err, EXO_ERR_INVALID, "Docker socket path too long: %s", path);
        free(path);
        return EXO_ERR_INVALID;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
        }
        exo_error_set(err, EXO_ERR_UNAVAILABLE,
                      "cannot reach the Docker engine at %s: %s. Start it (`systemctl start "
                      "docker`, or `dockerd &` as root) or point DOCKER_HOST=unix://PATH at "
                      "the socket of a running engine", path, strerror(e));
        free(path);
        return EXO_ERR_UNAVAILABLE;
    }
    free(path);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                poll(&pfd, 1, 1000);
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Connect and send one request; returns the fd or a negative status. */
static int send_request(const char *method, const char *path, const char *ctype,
                        const char *body, size_t len, exo_error_t *err)
{
    int fd = dial(err);
    if (fd < 0) {
        return fd;
    }
    char *head = xprintf("%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: exo\r\n"
                         "Connection: close\r\n%s%s%sContent-Length: %zu\r\n\r\n",
                         method, path, ctype ? "Content-Type: " : "", ctype ? ctype : "",
                         ctype ? "\r\n" : "", body ? len : 0);
    int rc = write_all(fd, head, strlen(head));
    free(head);
    if (rc == 0 && body != NULL && len > 0) {
        rc = write_all(fd, body, len);
    }
    if (rc != 0) {
        int e = errno;
        close(fd);
        return exo_error_set(err, EXO_ERR_IO, "Docker API %s %s: sending the request failed: %s",
                             method, path, strerror(e));
    }
    return fd;
}

/* Read a response to the end, blocking up to @p timeout_ms (-1 = no limit). */
static int read_response(int fd, resp_t *r, int timeout_ms, const char *what, exo_error_t *err)
{
    char chunk[16384];
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, timeout_ms);
        if (pr == 0) {
            return exo_error_set(err, EXO_ERR_TIMEOUT,
                                 "Docker API %s: no answer within %d s; is the engine stuck?",
                                 what, timeout_ms / 1000);
        }
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0 && resp_eof_ok(r)) {
                return 0;
            }
            return exo_error_set(err, EXO_ERR_IO, "Docker API %s: connection closed early", what);
        }
        int f = resp_feed(r, chunk, (size_t)n);
        if (f < 0) {
            return exo_error_set(err, EXO_ERR_IO, "Docker API %s: malformed HTTP response", what);
        }
        if (f == 1) {
            return 0;
        }
    }
}

/* The engine's own message from an error body ({"message": "..."}), or the raw body. */
static const char *api_message(const resp_t *r, char *tmp, size_t tmpn)
{
    json_t *j = r->body.data ? json_loads(r->body.data, 0, NULL) : NULL;
    const char *m = j ? json_string_value(json_object_get(j, "message")) : NULL;
    snprintf(tmp, tmpn, "%s", m ? m : (r->body.data ? r->body.data : ""));
    json_decref(j);
    size_t l = strlen(tmp);
    while (l > 0 && (tmp[l - 1] == '\n' || tmp[l - 1] == '\r')) {
        tmp[--l] = '\0';
    }
    return tmp;
}

/**
 * One synchronous request. @p body (may be NULL) is sent as JSON. On success *status is the
 * HTTP status and *out (if non-NULL) the parsed JSON answer or NULL. Statuses >= 400 are not
 * errors here; callers decide, and api_fail() words them.
 */
static int api_call(const char *method, const char *path, json_t *body, int *status,
                    json_t **out, resp_t *keep, exo_error_t *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int fd = send_request(method, path, text ? "application/json" : NULL, text,
                          text ? strlen(text) : 0, err);
    free(text);
    if (fd < 0) {
        return fd;
    }
    resp_t r = {0};
    char what[300];
    snprintf(what, sizeof what, "%s %s", method, path);
    int rc = read_response(fd, &r, REQUEST_TIMEOUT_MS, what, err);
    close(fd);
    if (rc == 0) {
        *status = r.status;
        if (out != NULL) {
            *out = r.body.data ? json_loads(r.body.data, 0, NULL) : NULL;
        }
    }
    if (keep != NULL && rc == 0) {
        *keep = r;
    } else {
        resp_free(&r);
    }
    return rc;
}

/* Like api_call, but any status >= 400 is an error worded with the engine's message. */
static int api_ok(const char *method, const char *path, json_t *body, json_t **out,
                  const char *doing, exo_error_t *err)
{
    int status = 0;
    resp_t r = {0};
    int rc = api_call(method, path, body, &status, out, &r, err);
    if (rc < 0) {
        return rc;
    }
    if (status >= 400) {
        char msg[400];
        api_message(&r, msg, sizeof msg);
        resp_free(&r);
        if (out != NULL) {
            json_decref(*out);
            *out = NULL;
        }
        return exo_error_set(err, status == 404 ? EXO_ERR_NOTFOUND : EXO_ERR_IO,
                             "docker: %s failed (HTTP %d): %s", doing, status, msg);
    }
    resp_free(&r);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Streams: a request whose answer is read on a watched, non-blocking socket.                  */

typedef struct stream stream_t;
typedef void (*stream_done_fn)(void *arg, stream_t *s, bool ok);

struct stream {
    int fd;
    int watch;
    resp_t resp;
    stream_done_fn on_done;
    void *arg;
};

static void stream_free(stream_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->watch > 0) {
        g_host->unwatch(g_host, s->watch);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    resp_free(&s->resp);
    free(s);
}

static void stream_readable(int fd, unsigned events, void *arg)
{
    stream_t *s = arg;
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        int f = n > 0 ? resp_feed(&s->resp, chunk, (size_t)n) : -1;
        if (n <= 0 || f != 0) {
            bool ok = f == 1 || (n == 0 && resp_eof_ok(&s->resp));
            g_host->unwatch(g_host, s->watch);
            s->watch = 0;
            /* The callback may free the stream: nothing touches @p s after it. */
            s->on_done(s->arg, s, ok);
            return;
        }
    }
}

static stream_t *stream_open_body(const char *method, const char *path, json_t *body,
                                  body_fn on_body, stream_done_fn on_done, void *arg,
                                  exo_error_t *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int fd = send_request(method, path, text ? "application/json" : NULL, text,
                          text ? strlen(text) : 0, err);
    free(text);
    if (fd < 0) {
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    stream_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        abort();
    }
    s->fd = fd;
    s->resp.on_body = on_body;
    s->resp.arg = arg;
    s->on_done = on_done;
    s->arg = arg;
    s->watch = g_host->watch_fd(g_host, fd, EXO_EV_READ, stream_readable, s);
    if (s->watch <= 0) {
        s->watch = 0;
        stream_free(s);
        exo_error_set(err, EXO_ERR_INTERNAL, "docker: cannot watch the engine connection");
        return NULL;
    }
    return s;
}

static stream_t *stream_open(const char *method, const char *path, body_fn on_body,
                             stream_done_fn on_done, void *arg, exo_error_t *err)
{
    return stream_open_body(method, path, NULL, on_body, on_done, arg, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Build context: a minimal ustar writer (regular files, directories, symlinks).              */

static void tar_octal(char *field, size_t width, unsigned long long v)
{
    snprintf(field, width, "%0*llo", (int)width - 1, v);
}

static int tar_header(ctr_buf_t *t, const char *name, const struct stat *st, char type,
                      const char *link, exo_error_t *err)
{
    char h[512];
    memset(h, 0, sizeof h);
    size_t nl = strlen(name);
    if (nl <= 100) {
        memcpy(h, name, nl);
    } else {
        /* ustar splits long names at a slash into prefix (155) and name (100). */
        const char *cut = NULL;
        for (const char *p = name; *p; p++) {
            if (*p == '/' && (size_t)(p - name) <= 155 && strlen(p + 1) <= 100 && p != name) {
                cut = p;
                break;
            }
        }
        if (cut == NULL) {
            return exo_error_set(err, EXO_ERR_INVALID,
                                 "build context: path too long for the tar format: %s", name);
        }
        memcpy(h, cut + 1, strlen(cut + 1));
        memcpy(h + 345, name, (size_t)(cut - name));
    }
    tar_octal(h + 100, 8, st->st_mode & 07777);
    tar_octal(h + 108, 8, 0);
    tar_octal(h + 116, 8, 0);
    tar_octal(h + 124, 12, type == '0' ? (unsigned long long)st->st_size : 0);
    tar_octal(h + 136, 12, (unsigned long long)st->st_mtime);
    memset(h + 148, ' ', 8);
    h[156] = type;
    if (link != NULL) {
        if (strlen(link) > 100) {
            return exo_error_set(err, EXO_ERR_INVALID,
                                 "build context: symlink target too long: %s", name);
        }
        memcpy(h + 157, link, strlen(link));
    }
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof h; i++) {
        sum += (unsigned char)h[i];
    }
    snprintf(h + 148, 8, "%06o", sum);
    buf_add(t, h, sizeof h);
    return 0;
}

static int tar_dir(ctr_buf_t *t, const char *root, const char *rel, exo_error_t *err)
{
    char *full = rel[0] ? xprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(full);
    if (d == NULL) {
        int e = errno;
        exo_error_set(err, EXO_ERR_IO, "build context %s: %s", full, strerror(e));
        free(full);
        return EXO_ERR_IO;
    }
    /* Sorted order keeps the context, and so the build cache, stable. */
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            (rel[0] == '\0' && strcmp(de->d_name, ".exo") == 0)) {
            continue;
        }
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *x = names[j];
            names[j] = names[j - 1];
            names[j - 1] = x;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *r = rel[0] ? xprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
        char *p = xprintf("%s/%s", root, r);
        struct stat st;
        if (lstat(p, &st) != 0) {
            rc = exo_error_set(err, EXO_ERR_IO, "build context %s: %s", p, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            char *dn = xprintf("%s/", r);
            rc = tar_header(t, dn, &st, '5', NULL, err);
            free(dn);
            if (rc == 0) {
                rc = tar_dir(t, root, r, err);
            }
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t l = readlink(p, target, sizeof target - 1);
            if (l >= 0) {
                target[l] = '\0';
                rc = tar_header(t, r, &st, '2', target, err);
            }
        } else if (S_ISREG(st.st_mode)) {
            rc = tar_header(t, r, &st, '0', NULL, err);
            FILE *f = rc == 0 ? fopen(p, "rb") : NULL;
            if (rc == 0 && f == NULL) {
                rc = exo_error_set(err, EXO_ERR_IO, "build context %s: %s", p, strerror(errno));
            }
            if (f != NULL) {
                char chunk[16384];
                size_t got, total = 0;
                while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
                    buf_add(t, chunk, got);
                    total += got;
                }
                fclose(f);
                if (total != (size_t)st.st_size) {
                    rc = exo_error_set(err, EXO_ERR_IO, "build context %s changed while read", p);
                }
                static const char zeros[512];
                if (total % 512) {
                    buf_add(t, zeros, 512 - total % 512);
                }
            }
        }
        free(p);
        free(r);
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    free(full);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Instances and units                                                                         */

typedef struct docker_inst {
    ctr_run_t ctr; /* first: ctr_host_address takes the instance as one */
    stream_t **removing; /* container removals in flight; close() waits for them */
    size_t n_removing;
    /* Creates go to the engine one at a time, in the order of start() calls: dockerd is
     * slower at parallel creates than at serial ones (lock contention), and a FIFO keeps the
     * core's order, slowest unit first, so its start-up overlaps the engine's other work.
     * Starts, which dominate, still run in parallel. */
    ctr_queue_t creates; /* limit 1 */
} docker_inst_t;

struct exo_unit {
    ctr_unit_t ctr; /* first: ctrunit.h's functions take the unit as one */
    docker_inst_t *inst;
    char *name;
    char *id;
    char *create_path;  /* until the create request is sent */
    json_t *create_body;
    stream_t *step; /* create or start request in flight */
    stream_t *logs, *wait, *stop;
    ctr_buf_t frame;   /* multiplexed log frames not yet complete */
    ctr_buf_t out[3]; /* partial lines, indexed by stream id */
};

static int docker_probe(const exo_host_t *host, exo_error_t *err)
{
    int status = 0;
    int rc = api_call("GET", "/_ping", NULL, &status, NULL, NULL, err);
    if (rc < 0) {
        return rc;
    }
    if (status != 200) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE,
                             "the Docker engine answered /_ping with HTTP %d; check `docker "
                             "info` and the dockerd log", status);
    }
    return 0;
}

static char *label_filter(const char *app)
{
    json_t *f = json_pack("{s:[s+]}", "label", "exo.app=", app);
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    char *e = urlenc(s);
    free(s);
    return e;
}

static void inst_free(docker_inst_t *in)
{
    ctr_queue_free(&in->creates);
    ctr_run_free(&in->ctr);
    free(in);
}

static int docker_open(const exo_host_t *host, const exo_run_spec_t *run, void **instp,
                       exo_error_t *err)
{
    int rc = docker_probe(host, err);
    if (rc < 0) {
        return rc;
    }
    docker_inst_t *in = calloc(1, sizeof *in);
    if (in == NULL) {
        abort();
    }
    ctr_run_init(&in->ctr, host, run);
    in->creates.limit = 1;

    json_t *body = json_pack("{s:s, s:s, s:b, s:{s:s, s:s}}", "Name", in->ctr.network, "Driver",
                             "bridge", "CheckDuplicate", 1, "Labels", "exo.app", run->app,
                             "exo.run", run->run_id);
    json_t *out = NULL;
    rc = api_ok("POST", "/networks/create", body, &out, "creating the run network", err);
    json_decref(body);
    json_decref(out);
    if (rc < 0) {
        inst_free(in);
        return rc;
    }
    char *path = xprintf("/networks/%s", in->ctr.network);
    rc = api_ok("GET", path, NULL, &out, "inspecting the run network", err);
    free(path);
    if (rc == 0) {
        json_t *cfg = json_object_get(json_object_get(out, "IPAM"), "Config");
        const char *gw = json_string_value(json_object_get(json_array_get(cfg, 0), "Gateway"));
        in->ctr.gateway = xstrdup(gw ? gw : "");
        json_decref(out);
    }
    if (rc < 0 || in->ctr.gateway[0] == '\0') {
        char *del = xprintf("/networks/%s", in->ctr.network);
        int st;
        exo_error_t e2;
        api_call("DELETE", del, NULL, &st, NULL, NULL, &e2);
        free(del);
        if (rc == 0) {
            rc = exo_error_set(err, EXO_ERR_IO, "docker: network %s has no gateway address",
                               in->ctr.network);
        }
        inst_free(in);
        return rc;
    }
    *instp = in;
    return 0;
}

typedef struct build_ctx {
    const exo_unit_spec_t *spec;
    FILE *log;
    ctr_buf_t pending;   /* JSON message stream not yet split */
    char step[512];   /* the last "Step N/M : ..." line */
    char error[512];  /* the engine's error message, if any */
    char image_id[128];
} build_ctx_t;

static void build_line(build_ctx_t *b, const char *text)
{
    /* A "stream" value may hold several lines or none. */
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 0 && p[n - 1] == '\r') {
            n--;
        }
        if (n > 0) {
            if (strncmp(p, "Step ", 5) == 0) {
                snprintf(b->step, sizeof b->step, "%.*s", (int)n, p);
            }
            if (b->log) {
                fprintf(b->log, "%.*s\n", (int)n, p);
            }
            if (b->spec->on_output) {
                b->spec->on_output(b->spec->arg, EXO_STREAM_STDOUT, p, n);
            }
        }
        p += nl ? (size_t)(nl - p) + 1 : strlen(p);
    }
}

static void build_body(void *arg, const char *p, size_t n)
{
    build_ctx_t *b = arg;
    buf_add(&b->pending, p, n);
    size_t start = 0;
    for (size_t i = 0; i < b->pending.len; i++) {
        if (b->pending.data[i] != '\n') {
            continue;
        }
        json_t *j = json_loadb(b->pending.data + start, i - start, 0, NULL);
        start = i + 1;
        if (j == NULL) {
            continue;
        }
        const char *s = json_string_value(json_object_get(j, "stream"));
        const char *e = json_string_value(json_object_get(j, "error"));
        const char *status = json_string_value(json_object_get(j, "status"));
        const char *aux = json_string_value(json_object_get(json_object_get(j, "aux"), "ID"));
        if (s != NULL) {
            build_line(b, s);
        }
        if (status != NULL) {
            build_line(b, status);
        }
        if (e != NULL) {
            snprintf(b->error, sizeof b->error, "%s", e);
            build_line(b, e);
        }
        if (aux != NULL) {
            snprintf(b->image_id, sizeof b->image_id, "%s", aux);
        }
        json_decref(j);
    }
    buf_consume(&b->pending, start);
}

static int image_exists(const char *image, exo_error_t *err)
{
    char *e = urlenc(image);
    char *path = xprintf("/images/%s/json", e);
    free(e);
    int status = 0;
    int rc = api_call("GET", path, NULL, &status, NULL, NULL, err);
    free(path);
    return rc < 0 ? rc : status == 200;
}

static int docker_prepare(void *instp, const exo_unit_spec_t *spec, exo_error_t *err)
{
    docker_inst_t *in = instp;
    ctr_options_t opts;
    int orc = ctr_parse_options("docker", spec->name, spec->options, &opts, err);
    if (orc < 0) {
        return orc; /* before anything is built or started */
    }
    if (spec->image != NULL) {
        int have = image_exists(spec->image, err);
        if (have < 0) {
            return have;
        }
        if (!have) {
            return exo_error_set(err, EXO_ERR_NOTFOUND,
                                 "service %s: image %s is not on this Docker engine; pull or "
                                 "build it (`docker pull %s`), or remove `image` from its "
                                 "service.yml to build from its Dockerfile",
                                 spec->name, spec->image, spec->image);
        }
        return 0;
    }
    char *dfpath = ctr_dockerfile(spec, err);
    if (dfpath == NULL) {
        return EXO_ERR_NOTFOUND;
    }
    free(dfpath);
    const char *dockerfile = spec->dockerfile ? spec->dockerfile : "Dockerfile";

    ctr_buf_t tar = {0};
    int rc = tar_dir(&tar, spec->dir, "", err);
    if (rc < 0) {
        buf_free(&tar);
        return rc;
    }
    static const char zeros[1024];
    buf_add(&tar, zeros, sizeof zeros);

    char *tag = ctr_image_tag(&in->ctr, spec->name);
    char *labels = NULL;
    {
        json_t *l = json_pack("{s:s, s:s}", "exo.app", in->ctr.app_raw, "exo.unit", spec->name);
        char *s = json_dumps(l, JSON_COMPACT);
        labels = urlenc(s);
        free(s);
        json_decref(l);
    }
    char *etag = urlenc(tag), *edf = urlenc(dockerfile);
    char *path = xprintf("/build?t=%s&dockerfile=%s&labels=%s&rm=1&forcerm=1", etag, edf, labels);
    free(etag);
    free(edf);
    free(labels);

    build_ctx_t b = {.spec = spec};
    char *logpath = xprintf("%s/build-%s.log", in->ctr.log_dir, spec->name);
    b.log = fopen(logpath, "w");
    int fd = send_request("POST", path, "application/x-tar", tar.data, tar.len, err);
    buf_free(&tar);
    if (fd >= 0) {
        resp_t r = {.on_body = build_body, .arg = &b};
        rc = read_response(fd, &r, -1, "POST /build", err);
        close(fd);
        if (rc == 0 && r.status >= 400) {
            /* Errors before the build starts come as one JSON message. */
            r.on_body = NULL;
            char msg[400];
            snprintf(msg, sizeof msg, "%s", b.pending.data ? b.pending.data : "");
            json_t *j = json_loads(msg, 0, NULL);
            const char *m = json_string_value(json_object_get(j, "message"));
            rc = exo_error_set(err, EXO_ERR_IO, "service %s: image build failed: %s",
                               spec->name, m ? m : msg);
            json_decref(j);
        } else if (rc == 0 && b.error[0] != '\0') {
            size_t el = strlen(b.error);
            while (el > 0 && b.error[el - 1] == '\n') {
                b.error[--el] = '\0';
            }
            rc = exo_error_set(err, EXO_ERR_IO,
                               "service %s: image build failed at %s: %s (full log: %s)",
                               spec->name, b.step[0] ? b.step : "the start", b.error, logpath);
        }
        resp_free(&r);
    } else {
        rc = fd;
    }
    if (b.log) {
        fclose(b.log);
    }
    buf_free(&b.pending);
    free(path);
    free(tag);
    free(logpath);
    return rc;
}

/* ---- running units ---- */

static void unit_close_streams(struct exo_unit *u)
{
    stream_free(u->step);
    u->step = NULL;
    stream_free(u->logs);
    stream_free(u->wait);
    stream_free(u->stop);
    u->logs = u->wait = u->stop = NULL;
    ctr_unit_cancel_linger(&u->ctr);
}

/* ctr_unit_t.finish: the exit is reported next. */
static void unit_finish(ctr_unit_t *cu)
{
    struct exo_unit *u = (struct exo_unit *)cu;
    for (int s = 1; s <= 2; s++) {
        ctr_lines_flush(&u->out[s], s, ctr_unit_output, &u->ctr);
    }
    unit_close_streams(u);
}

static void logs_body(void *arg, const char *p, size_t n)
{
    struct exo_unit *u = arg;
    buf_add(&u->frame, p, n);
    /* Frames: [stream, 0, 0, 0, size (big endian u32)] then size bytes of payload. */
    size_t off = 0;
    while (u->frame.len - off >= 8) {
        const unsigned char *h = (const unsigned char *)u->frame.data + off;
        size_t size = ((size_t)h[4] << 24) | ((size_t)h[5] << 16) | ((size_t)h[6] << 8) | h[7];
        if (u->frame.len - off < 8 + size) {
            break;
        }
        int stream = h[0] == 2 ? EXO_STREAM_STDERR : EXO_STREAM_STDOUT;
        ctr_lines_feed(&u->out[stream], stream, u->frame.data + off + 8, size, ctr_unit_output,
                       &u->ctr);
        off += 8 + size;
    }
    buf_consume(&u->frame, off);
}

static void logs_done(void *arg, stream_t *s, bool ok)
{
    struct exo_unit *u = arg;
    stream_free(u->logs);
    u->logs = NULL;
    ctr_unit_logs_done(&u->ctr);
}

static void wait_done(void *arg, stream_t *s, bool ok)
{
    struct exo_unit *u = arg;
    json_t *j = ok && s->resp.body.data ? json_loads(s->resp.body.data, 0, NULL) : NULL;
    json_t *code = json_object_get(j, "StatusCode");
    int status = json_is_integer(code) ? (int)json_integer_value(code) : 255;
    if (!ok || code == NULL) {
        exo_log_warn(g_host, "unit %s: lost the wait on container %.12s; reporting it as gone",
                     u->name, u->id);
    }
    json_decref(j);
    stream_free(u->wait);
    u->wait = NULL;
    ctr_unit_exited(&u->ctr, status);
}

static void stop_done(void *arg, stream_t *s, bool ok)
{
    struct exo_unit *u = arg;
    stream_free(u->stop);
    u->stop = NULL;
}

static void remove_container(const char *id)
{
    char *path = xprintf("/containers/%s?force=1&v=1", id);
    int status;
    exo_error_t err;
    if (api_call("DELETE", path, NULL, &status, NULL, NULL, &err) < 0) {
        exo_log_warn(g_host, "%s", err.message);
    }
    free(path);
}

static json_t *create_body(docker_inst_t *in, const exo_unit_spec_t *spec, const char *image,
                           const ctr_options_t *opts)
{
    json_t *env = json_array();
    for (const char *const *e = spec->env; e && *e; e++) {
        json_array_append_new(env, json_string(*e));
    }
    json_t *exposed = json_object(), *bindings = json_object();
    for (size_t i = 0; i < spec->n_ports; i++) {
        char key[32];
        snprintf(key, sizeof key, "%u/tcp", spec->ports[i].unit_port);
        json_object_set_new(exposed, key, json_object());
        if (spec->ports[i].host_port != 0) {
            char hp[16];
            snprintf(hp, sizeof hp, "%u", spec->ports[i].host_port);
            json_object_set_new(bindings, key,
                                json_pack("[{s:s, s:s}]", "HostIp", "127.0.0.1", "HostPort", hp));
        }
    }
    json_t *body = json_pack(
        "{s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:o, s:b}, s:{s:{s:{s:[s]}}}}",
        "Image", image, "Env", env, "ExposedPorts", exposed, "Labels", "exo.app", in->ctr.app_raw,
        "exo.run", in->ctr.run_id, "exo.unit", spec->name, "exo.mode",
        spec->mode == EXO_UNIT_TASK ? "task" : "service", "HostConfig", "NetworkMode",
        in->ctr.network, "PortBindings", bindings, "Init", 1, "NetworkingConfig",
        "EndpointsConfig", in->ctr.network, "Aliases", spec->name);
    if (spec->command != NULL) {
        json_object_set_new(body, "Cmd", json_pack("[s, s, s]", "/bin/sh", "-c", spec->command));
    }
    json_t *hc = json_object_get(body, "HostConfig");
    if (opts->cpus > 0) {
        json_object_set_new(hc, "NanoCpus", json_integer((json_int_t)(opts->cpus * 1e9 + 0.5)));
    }
    if (opts->memory > 0) {
        json_object_set_new(hc, "Memory", json_integer((json_int_t)opts->memory));
    }
    /* mounts was appended to the spec: a core built before it passes a shorter struct. */
    if (spec->size >= offsetof(exo_unit_spec_t, mounts) + sizeof spec->mounts &&
        spec->mounts != NULL) {
        json_t *binds = json_array();
        for (const char *const *m = spec->mounts; *m != NULL; m++) {
            json_array_append_new(binds, json_string(*m));
        }
        json_object_set_new(json_object_get(body, "HostConfig"), "Binds", binds);
    }
    return body;
}

static int docker_kill(void *instp, exo_unit_t *u, exo_error_t *err);

static void docker_ops_kill_now(struct exo_unit *u)
{
    exo_error_t err = {0};
    if (docker_kill(u->inst, u, &err) < 0) {
        exo_log_warn(g_host, "%s", err.message);
    }
}

/* The message of a failed step: the engine's own words. */
static void step_error(stream_t *s, bool ok, const char *doing, char *out, size_t n)
{
    char msg[400];
    if (!ok) {
        snprintf(msg, sizeof msg, "lost the connection to the engine");
    } else {
        api_message(&s->resp, msg, sizeof msg);
    }
    snprintf(out, n, "docker: %s failed (HTTP %d): %s", doing, ok ? s->resp.status : 0, msg);
}

static void start_done(void *arg, stream_t *s, bool ok)
{
    struct exo_unit *u = arg;
    u->step = NULL;
    if (!ok || s->resp.status >= 400) {
        char why[600];
        step_error(s, ok, "starting the container", why, sizeof why);
        stream_free(s);
        ctr_unit_fail(&u->ctr, why);
        return;
    }
    stream_free(s);
    /* logs?follow replays from the container's start, so nothing is lost by attaching after
     * it; wait (condition not-running) answers at once if it already ended. */
    exo_error_t err = {0};
    char *path = xprintf("/containers/%s/logs?follow=1&stdout=1&stderr=1", u->id);
    u->logs = stream_open("GET", path, logs_body, logs_done, u, &err);
    free(path);
    path = xprintf("/containers/%s/wait", u->id);
    u->wait = u->logs ? stream_open("POST", path, NULL, wait_done, u, &err) : NULL;
    free(path);
    if (u->wait == NULL) {
        stream_free(u->logs);
        u->logs = NULL;
        ctr_unit_fail(&u->ctr, err.message);
        return;
    }
    if (!ctr_unit_started(&u->ctr)) {
        docker_ops_kill_now(u);
    }
}

static void create_done(void *arg, stream_t *s, bool ok)
{
    struct exo_unit *u = arg;
    u->step = NULL;
    ctr_queue_leave(&u->inst->creates, ctr_unit_launch_queued);
    if (!ok || s->resp.status >= 400) {
        char why[600];
        step_error(s, ok, "creating the container", why, sizeof why);
        stream_free(s);
        ctr_unit_fail(&u->ctr, why);
        return;
    }
    json_t *j = s->resp.body.data ? json_loads(s->resp.body.data, 0, NULL) : NULL;
    const char *id = json_string_value(json_object_get(j, "Id"));
    if (id != NULL) {
        free(u->id);
        u->id = xstrdup(id);
    }
    json_decref(j);
    stream_free(s);
    if (u->ctr.cancel) {
        ctr_unit_fail(&u->ctr, NULL);
        return;
    }
    exo_error_t err = {0};
    char *path = xprintf("/containers/%s/start", u->id);
    u->step = stream_open("POST", path, NULL, start_done, u, &err);
    free(path);
    if (u->step == NULL) {
        ctr_unit_fail(&u->ctr, err.message);
    }
}

/*
 * Creating and starting a container takes the engine a few hundred milliseconds each, so
 * start() only sends the create request: the rest follows on the loop, and the units of a
 * run are created and started by the engine in parallel. A failure after start() returned is
 * reported as an exit with status 125 and a line on stderr saying why.
 */
static int send_create(ctr_unit_t *cu, exo_error_t *err);

static int docker_start(void *instp, const exo_unit_spec_t *spec, exo_unit_t **unitp,
                        exo_error_t *err)
{
    docker_inst_t *in = instp;
    ctr_options_t opts; /* prepare() checked them; a unit started without it is checked here */
    int orc = ctr_parse_options("docker", spec->name, spec->options, &opts, err);
    if (orc < 0) {
        return orc;
    }
    char *image = spec->image ? xstrdup(spec->image) : ctr_image_tag(&in->ctr, spec->name);
    json_t *body = create_body(in, spec, image, &opts);
    free(image);
    char *cname = ctr_container_name(&in->ctr, spec->name);
    char *ecname = urlenc(cname);
    char *path = xprintf("/containers/create?name=%s", ecname);
    free(ecname);
    struct exo_unit *u = calloc(1, sizeof *u);
    if (u == NULL) {
        abort();
    }
    u->inst = in;
    u->name = xstrdup(spec->name);
    u->id = cname; /* the name works as an id until the engine answers */
    ctr_unit_init(&u->ctr, g_host, spec, unit_finish, send_create);
    u->create_path = path;
    u->create_body = body;
    if (ctr_queue_enter(&in->creates, &u->ctr) && send_create(&u->ctr, err) < 0) {
        in->creates.busy--; /* nothing was queued behind it: the slot is simply free */
        free(u->name);
        free(u->id);
        free(u);
        return err ? err->code : EXO_ERR_IO;
    }
    *unitp = u;
    return 0;
}

/* ctr_unit_t.launch */
static int send_create(ctr_unit_t *cu, exo_error_t *err)
{
    struct exo_unit *u = (struct exo_unit *)cu;
    u->step = stream_open_body("POST", u->create_path, u->create_body, NULL, create_done, u,
                               err);
    json_decref(u->create_body);
    free(u->create_path);
    u->create_body = NULL;
    u->create_path = NULL;
    return u->step != NULL ? 0 : -1;
}

static int docker_stop(void *instp, exo_unit_t *u, unsigned grace_ms, exo_error_t *err)
{
    if (ctr_unit_settled(&u->ctr) || u->stop != NULL) {
        return 0; /* not running yet: create_done or start_done ends it */
    }
    /* The engine counts the grace in whole seconds; round up so it is never shorter. */
    char *path = xprintf("/containers/%s/stop?t=%u", u->id, (grace_ms + 999) / 1000);
    u->stop = stream_open("POST", path, NULL, stop_done, u, err);
    free(path);
    return u->stop ? 0 : (err ? err->code : EXO_ERR_IO);
}

static int docker_kill(void *instp, exo_unit_t *u, exo_error_t *err)
{
    if (ctr_unit_settled(&u->ctr)) {
        return 0;
    }
    char *path = xprintf("/containers/%s/kill", u->id);
    int status = 0;
    int rc = api_call("POST", path, NULL, &status, NULL, NULL, err);
    free(path);
    /* 409: it is not running any more; the wait stream reports the exit. */
    if (rc == 0 && status >= 400 && status != 409 && status != 404) {
        rc = exo_error_set(err, EXO_ERR_IO, "docker: killing %s failed (HTTP %d)", u->name,
                           status);
    }
    return rc;
}

static void removal_done(void *arg, stream_t *s, bool ok)
{
    docker_inst_t *in = arg;
    for (size_t i = 0; i < in->n_removing; i++) {
        if (in->removing[i] == s) {
            in->removing[i] = in->removing[--in->n_removing];
            break;
        }
    }
    if (ok && s->resp.status >= 400 && s->resp.status != 404) {
        exo_log_warn(g_host, "removing a container failed (HTTP %d); `exo clean` retries",
                     s->resp.status);
    }
    stream_free(s);
}

/* Wait (blocking, bounded) for the removals in flight: the network goes only after them. */
static void drain_removals(docker_inst_t *in)
{
    unsigned long waited = 0;
    while (in->n_removing > 0 && waited < 60000) {
        stream_t *s = in->removing[0];
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0) {
            stream_readable(s->fd, EXO_EV_READ, s); /* removal_done drops it from the list */
        } else {
            waited += 100;
        }
    }
    while (in->n_removing > 0) {
        stream_free(in->removing[--in->n_removing]);
    }
    free(in->removing);
    in->removing = NULL;
}

static void docker_release(void *instp, exo_unit_t *u)
{
    docker_inst_t *in = instp;
    unit_close_streams(u);
    /* Removal (the vfs driver deletes a whole filesystem copy) continues while exo goes on. */
    char *path = xprintf("/containers/%s?force=1&v=1", u->id);
    exo_error_t err = {0};
    stream_t *rm = stream_open("DELETE", path, NULL, removal_done, in, &err);
    free(path);
    if (rm == NULL) {
        remove_container(u->id);
    } else {
        in->removing = realloc(in->removing, (in->n_removing + 1) * sizeof *in->removing);
        in->removing[in->n_removing++] = rm;
    }
    for (int s = 0; s < 3; s++) {
        buf_free(&u->out[s]);
    }
    buf_free(&u->frame);
    free(u->create_path); /* a unit stopped before its create was sent */
    json_decref(u->create_body);
    free(u->name);
    free(u->id);
    free(u);
}

static void docker_close(void *instp)
{
    docker_inst_t *in = instp;
    drain_removals(in);
    char *path = xprintf("/networks/%s", in->ctr.network);
    int status = 0;
    exo_error_t err;
    if (api_call("DELETE", path, NULL, &status, NULL, NULL, &err) < 0) {
        exo_log_warn(g_host, "%s", err.message);
    } else if (status >= 400 && status != 404) {
        exo_log_warn(g_host, "removing network %s failed (HTTP %d); `exo clean` retries",
                     in->ctr.network, status);
    }
    free(path);
    inst_free(in);
}

static int docker_cleanup(const exo_host_t *host, const char *app, const char *state_dir,
                          exo_error_t *err)
{
    char *filter = label_filter(app);
    char *path = xprintf("/containers/json?all=1&filters=%s", filter);
    json_t *list = NULL;
    int rc = api_ok("GET", path, NULL, &list, "listing the app's containers", err);
    free(path);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) {
        const char *id = json_string_value(json_object_get(c, "Id"));
        const char *lab = json_string_value(
            json_object_get(json_object_get(c, "Labels"), "exo.app"));
        /* The engine filtered already; check again so nothing else is ever removed. */
        if (id != NULL && lab != NULL && strcmp(lab, app) == 0) {
            remove_container(id);
        }
    }
    json_decref(list);
    if (rc == 0) {
        path = xprintf("/networks?filters=%s", filter);
        list = NULL;
        rc = api_ok("GET", path, NULL, &list, "listing the app's networks", err);
        free(path);
        json_array_foreach(list, i, c) {
            const char *id = json_string_value(json_object_get(c, "Id"));
            const char *lab = json_string_value(
                json_object_get(json_object_get(c, "Labels"), "exo.app"));
            if (id != NULL && lab != NULL && strcmp(lab, app) == 0) {
                char *del = xprintf("/networks/%s", id);
                int status = 0;
                if (api_call("DELETE", del, NULL, &status, NULL, NULL, err) == 0 &&
                    status >= 400 && status != 404) {
                    exo_log_warn(host, "could not remove network %.12s (HTTP %d)", id, status);
                }
                free(del);
            }
        }
        json_decref(list);
    }
    free(filter);
    return rc;
}

static int docker_init(const exo_host_t *host, exo_error_t *err)
{
    g_host = host;
    return 0;
}

static const exo_backend_ops_t docker_ops = {
    .size = sizeof(exo_backend_ops_t),
    .probe = docker_probe,
    .open = docker_open,
    .prepare = docker_prepare,
    .start = docker_start,
    .stop = docker_stop,
    .kill = docker_kill,
    .release = docker_release,
    .unit_host = ctr_unit_host,
    .host_address = ctr_host_address,
    .close = docker_close,
    .cleanup = docker_cleanup,
};

EXO_BACKEND_PLUGIN("docker", PACKAGE_VERSION,
                   "runs units as Docker containers through the Engine API socket",
                   EXO_BACKEND_CAP_CONTAINERS | EXO_BACKEND_CAP_BUILD |
                       EXO_BACKEND_CAP_ASYNC_START, docker_init, NULL,
                   &docker_ops)
