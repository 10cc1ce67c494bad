/*
 * plugins/backend-docker/engine.c - see engine.h. libcurl does HTTP/1.1 (framing, chunked
 * bodies, keep-alive) over the engine's Unix socket; this file only binds its multi interface
 * to the host's loop and words failures for the user.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <curl/curl.h>

#include "engine.h"

struct engine_request {
    CURL *easy;
    struct curl_slist *headers;
    engine_response_t resp;
    exo_buf_t pending; /* body pieces libcurl handed over, not yet given to on_body */
    engine_body_fn on_body;
    engine_done_fn on_done;
    void *arg;
    bool blocking;     /* engine_call: on_body is called from libcurl directly */
    bool in_multi;
    char what[256];    /* "METHOD PATH", for messages */
    char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char curl_error[CURL_ERROR_SIZE];
    char error[800];
    engine_request_t *prev, *next;
};

/* A socket libcurl asked to be watched. */
typedef struct watched {
    curl_socket_t fd;
    int watch;
    unsigned events;
} watched_t;

static struct {
    const exo_host_t *host;
    CURLM *multi;
    int timer;
    engine_request_t *live; /* asynchronous requests not yet freed */
    watched_t **sockets;
    size_t n_sockets;
} g;

/* ---- requests ------------------------------------------------------------------------------ */

char *engine_socket_path(exo_error_t *err)
{
    const char *dh = getenv("DOCKER_HOST");
    const char *path = ENGINE_DEFAULT_SOCKET;
    if (dh != NULL && *dh != '\0') {
        if (strncmp(dh, "unix://", 7) != 0) {
            exo_error_set(err, EXO_ERR_UNSUPPORTED,
                          "DOCKER_HOST=%s: the docker backend talks to the engine over a Unix "
                          "socket only; set DOCKER_HOST=unix:///path/to/docker.sock or unset it",
                          dh);
            return NULL;
        }
        path = dh + 7;
    }
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        exo_error_set(err, EXO_ERR_INVALID, "Docker socket path too long: %s", path);
        return NULL;
    }
    return exo_xstrdup(path);
}

static size_t on_write(char *p, size_t size, size_t n, void *userp)
{
    engine_request_t *r = userp;
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (r->on_body == NULL || status >= 400) {
        exo_buf_append(&r->resp.body, p, n);
    } else if (r->blocking) {
        r->on_body(r->arg, p, n);
    } else {
        exo_buf_append(&r->pending, p, n); /* handed on from the loop: see deliver_bodies */
    }
    return n;
}

/* Set up @p r's handle. @p copy_body: the body must outlive the call (asynchronous). */
static int request_init(engine_request_t *r, const char *method, const char *path,
                        const char *ctype, const char *body, size_t len, bool copy_body,
                        exo_error_t *err)
{
    char *sock = engine_socket_path(err);
    if (sock == NULL) {
        return err ? err->code : EXO_ERR_INVALID;
    }
    snprintf(r->socket, sizeof r->socket, "%s", sock);
    free(sock);
    snprintf(r->what, sizeof r->what, "%s %s", method, path);
    r->easy = curl_easy_init();
    if (r->easy == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "docker: cannot set up an HTTP request");
    }
    CURL *e = r->easy;
    char *url = exo_strdupf("http://docker%s", path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    free(url);
    curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, r->socket);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "exo");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_error);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
        curl_easy_setopt(e, copy_body ? CURLOPT_COPYPOSTFIELDS : CURLOPT_POSTFIELDS,
                         body ? body : "");
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    /* The engine answers at once; waiting for "100 Continue" would only add a delay. */
    r->headers = curl_slist_append(NULL, "Expect:");
    if (ctype != NULL) {
        char *h = exo_strdupf("Content-Type: %s", ctype);
        r->headers = curl_slist_append(r->headers, h);
        free(h);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    return 0;
}

/* Word a transfer that ended without a complete answer; returns the status code for it. */
static int describe_failure(engine_request_t *r, CURLcode res, long timeout_ms)
{
    long os_errno = 0;
    curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
    if (res == CURLE_COULDNT_CONNECT) {
        snprintf(r->error, sizeof r->error,
                 "cannot reach the Docker engine at %s: %s. Start it (`systemctl start "
                 "docker`, or `dockerd &` as root) or point DOCKER_HOST=unix://PATH at the "
                 "socket of a running engine", r->socket,
                 os_errno ? strerror((int)os_errno) : curl_easy_strerror(res));
        return EXO_ERR_UNAVAILABLE;
    }
    if (res == CURLE_OPERATION_TIMEDOUT) {
        snprintf(r->error, sizeof r->error,
                 "Docker API %s: no answer within %ld s; is the engine stuck?", r->what,
                 timeout_ms / 1000);
        return EXO_ERR_TIMEOUT;
    }
    snprintf(r->error, sizeof r->error, "Docker API %s: %s", r->what,
             r->curl_error[0] ? r->curl_error : curl_easy_strerror(res));
    return EXO_ERR_IO;
}

static void request_clear(engine_request_t *r)
{
    if (r->easy != NULL) {
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
    }
    curl_slist_free_all(r->headers);
    r->headers = NULL;
    exo_buf_free(&r->pending);
}

int engine_call(const char *method, const char *path, const char *ctype, const char *body,
                size_t len, long timeout_ms, engine_body_fn on_body, void *arg,
                engine_response_t *resp, exo_error_t *err)
{
    memset(resp, 0, sizeof *resp);
    engine_request_t r = {.on_body = on_body, .arg = arg, .blocking = true};
    int rc = request_init(&r, method, path, ctype, body, len, false, err);
    if (rc < 0) {
        request_clear(&r);
        return rc;
    }
    if (timeout_ms > 0) {
        curl_easy_setopt(r.easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    }
    CURLcode res = curl_easy_perform(r.easy);
    if (res != CURLE_OK) {
        rc = describe_failure(&r, res, timeout_ms);
        exo_error_set(err, rc, "%s", r.error);
        exo_buf_free(&r.resp.body);
    } else {
        curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &r.resp.status);
        *resp = r.resp;
    }
    request_clear(&r);
    return rc;
}

const char *engine_message(const engine_response_t *r, char *tmp, size_t tmpn)
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

void engine_response_free(engine_response_t *r)
{
    exo_buf_free(&r->body);
}

/* ---- the multi interface on the host's loop ------------------------------------------------ */

/* Body pieces go to their owners from the loop, not from libcurl's write callback: an owner
 * may start or end requests, which libcurl refuses from inside its callbacks. */
static void deliver_bodies(void)
{
    for (;;) {
        engine_request_t *r = g.live;
        while (r != NULL && r->pending.len == 0) {
            r = r->next;
        }
        if (r == NULL) {
            return;
        }
        exo_buf_t piece = r->pending;
        r->pending = (exo_buf_t){0};
        r->on_body(r->arg, piece.data, piece.len); /* may free any request */
        exo_buf_free(&piece);
    }
}

static void collect_done(void)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(g.multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE) {
            continue;
        }
        CURL *easy = m->easy_handle;
        CURLcode res = m->data.result; /* m is gone once the handle is removed */
        engine_request_t *r = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
        curl_multi_remove_handle(g.multi, easy);
        r->in_multi = false;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->resp.status);
        if (res != CURLE_OK) {
            describe_failure(r, res, 0);
        }
        r->on_done(r->arg, r, res == CURLE_OK); /* may free @p r */
    }
}

static void drive(curl_socket_t fd, int flags)
{
    int running = 0;
    curl_multi_socket_action(g.multi, fd, flags, &running);
    deliver_bodies();
    collect_done();
}

static void on_fd(int fd, unsigned events, void *arg)
{
    drive(fd, ((events & EXO_EV_READ) ? CURL_CSELECT_IN : 0) |
                  ((events & EXO_EV_WRITE) ? CURL_CSELECT_OUT : 0));
}

static void on_timer(void *arg)
{
    g.timer = 0;
    drive(CURL_SOCKET_TIMEOUT, 0);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    if (g.timer > 0) {
        g.host->timer_cancel(g.host, g.timer);
        g.timer = 0;
    }
    if (timeout_ms >= 0) {
        g.timer = g.host->timer_add(g.host, (unsigned)timeout_ms, false, on_timer, NULL);
    }
    return 0;
}

static void socket_forget(watched_t *w)
{
    g.host->unwatch(g.host, w->watch);
    for (size_t i = 0; i < g.n_sockets; i++) {
        if (g.sockets[i] == w) {
            g.sockets[i] = g.sockets[--g.n_sockets];
            break;
        }
    }
    free(w);
}

static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    watched_t *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w != NULL) {
            socket_forget(w);
            curl_multi_assign(g.multi, s, NULL);
        }
        return 0;
    }
    unsigned events = ((what & CURL_POLL_IN) ? EXO_EV_READ : 0) |
                      ((what & CURL_POLL_OUT) ? EXO_EV_WRITE : 0);
    if (w == NULL) {
        w = exo_xcalloc(1, sizeof *w);
        w->fd = s;
        w->watch = g.host->watch_fd(g.host, s, events, on_fd, NULL);
        if (w->watch <= 0) {
            free(w);
            exo_log_error(g.host, "cannot watch the Docker engine connection");
            return -1;
        }
        g.sockets = exo_xrealloc(g.sockets, (g.n_sockets + 1) * sizeof *g.sockets);
        g.sockets[g.n_sockets++] = w;
        curl_multi_assign(g.multi, s, w);
    } else if (w->events != events) {
        g.host->watch_modify(g.host, w->watch, events);
    }
    w->events = events;
    return 0;
}

engine_request_t *engine_request_start(const char *method, const char *path,
                                       const char *json_body, engine_body_fn on_body,
                                       engine_done_fn on_done, void *arg, exo_error_t *err)
{
    engine_request_t *r = exo_xcalloc(1, sizeof *r);
    r->on_body = on_body;
    r->on_done = on_done;
    r->arg = arg;
    int rc = request_init(r, method, path, json_body ? "application/json" : NULL, json_body,
                          json_body ? strlen(json_body) : 0, true, err);
    if (rc == 0 && curl_multi_add_handle(g.multi, r->easy) != CURLM_OK) {
        rc = exo_error_set(err, EXO_ERR_INTERNAL, "docker: cannot send %s %s", method, path);
    }
    if (rc < 0) {
        request_clear(r);
        free(r);
        return NULL;
    }
    r->in_multi = true;
    r->next = g.live;
    if (g.live != NULL) {
        g.live->prev = r;
    }
    g.live = r;
    return r;
}

const engine_response_t *engine_request_response(const engine_request_t *r)
{
    return &r->resp;
}

const char *engine_request_error(const engine_request_t *r)
{
    return r->error[0] ? r->error : "lost the connection to the engine";
}

void engine_request_free(engine_request_t *r)
{
    if (r == NULL) {
        return;
    }
    if (r->in_multi) {
        curl_multi_remove_handle(g.multi, r->easy);
    }
    if (r->prev != NULL) {
        r->prev->next = r->next;
    } else {
        g.live = r->next;
    }
    if (r->next != NULL) {
        r->next->prev = r->prev;
    }
    request_clear(r);
    engine_response_free(&r->resp);
    free(r);
}

void engine_wait(bool (*done)(void *arg), void *arg, unsigned timeout_ms)
{
    unsigned long long end = exo_now_ms() + timeout_ms;
    while (!done(arg) && exo_now_ms() < end) {
        size_t n = g.n_sockets;
        struct pollfd *p = exo_xcalloc(n + 1, sizeof *p);
        for (size_t i = 0; i < n; i++) {
            p[i].fd = g.sockets[i]->fd;
            p[i].events = (short)(((g.sockets[i]->events & EXO_EV_READ) ? POLLIN : 0) |
                                  ((g.sockets[i]->events & EXO_EV_WRITE) ? POLLOUT : 0));
        }
        int ready = poll(p, (nfds_t)n, 100);
        for (size_t i = 0; ready > 0 && i < n; i++) {
            if (p[i].revents != 0) {
                drive(p[i].fd, ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) ? CURL_CSELECT_IN
                                                                             : 0) |
                                   ((p[i].revents & POLLOUT) ? CURL_CSELECT_OUT : 0));
            }
        }
        free(p);
        drive(CURL_SOCKET_TIMEOUT, 0); /* connects and timeouts that are due */
    }
}

/* ---- plugin life ---------------------------------------------------------------------------- */

int engine_init(const exo_host_t *host, exo_error_t *err)
{
    g.host = host;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
        (g.multi = curl_multi_init()) == NULL) {
        return exo_error_set(err, EXO_ERR_INTERNAL, "docker: libcurl cannot be initialised");
    }
    curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    return 0;
}

void engine_fini(void)
{
    while (g.live != NULL) {
        engine_request_free(g.live);
    }
    if (g.multi != NULL) {
        curl_multi_cleanup(g.multi); /* closes cached connections: their watches go too */
        g.multi = NULL;
        curl_global_cleanup();
    }
    while (g.n_sockets > 0) {
        socket_forget(g.sockets[g.n_sockets - 1]);
    }
    free(g.sockets);
    g.sockets = NULL;
    if (g.timer > 0) {
        g.host->timer_cancel(g.host, g.timer);
        g.timer = 0;
    }
}
