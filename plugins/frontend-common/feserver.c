/*
 * plugins/frontend-common/feserver.c - a libwebsockets server on the exo host loop (see
 * feserver.h). lws keeps its own table of sockets; we mirror it as host watches, by fd.
 */
#include "config.h"

#include "feserver.h"

#include <uv.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fehttp.h"

struct fec_server {
    const exo_host_t *host;
    struct lws_context *ctx;
    struct lws_protocols *protocols; /* our copy: lws keeps a pointer to it */
    void *user;
    uv_loop_t uv;
    bool uv_ready;
    int watch;     /* host watch on uv_backend_fd */
    int timer;     /* host one-shot timer at the uv loop's next deadline, 0 = none */
    char *iface;   /* the address to bind (lws keeps the pointer), NULL = every address */
    char *endpoint;
};

/* lws logs through a process-wide hook: the host of the last server opened gets the lines. */
static const exo_host_t *log_host;

static void lws_log_to_host(int level, const char *line)
{
    if (log_host == NULL) {
        return;
    }
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        n--;
    }
    log_host->log(log_host, level == LLL_ERR ? EXO_LOG_ERROR : EXO_LOG_WARN, "libwebsockets: %.*s",
                  (int)n, line);
}

/*
 * True when a callback changed which events a socket waits for: libuv queues the change and
 * applies it (epoll_ctl) at its next poll. The queue's first pointer is its next element and
 * points to itself when the queue is empty (libuv's QUEUE and uv__queue alike).
 */
static bool uv_changes_pending(uv_loop_t *loop)
{
    void **q = (void **)&loop->watcher_queue;
    return q[0] != (void *)q;
}

static void on_timer(void *arg);

static void arm_timer(fec_server_t *s, int ms)
{
    if (s->timer > 0) {
        s->host->timer_cancel(s->host, s->timer);
        s->timer = 0;
    }
    if (ms >= 0) {
        s->timer = s->host->timer_add(s->host, (unsigned)ms, false, on_timer, s);
    }
}

/*
 * One pass of the uv loop, then wait for its fd or its next deadline. "Again at once" is
 * 1 ms, not 0: the host loop runs a timer added by a timer of the same pass in that pass, and
 * lws can ask for passes back to back (an idle handle); 0 would starve every other watch.
 */
static void pump(fec_server_t *s)
{
    uv_run(&s->uv, UV_RUN_NOWAIT);
    int next = uv_changes_pending(&s->uv) ? 0 : uv_backend_timeout(&s->uv);
    arm_timer(s, next == 0 ? 1 : next);
}

static void on_timer(void *arg)
{
    fec_server_t *s = arg;
    s->timer = 0; /* fired: a one-shot timer is gone */
    pump(s);
}

static void on_backend(int fd, unsigned events, void *arg)
{
    pump(arg);
}

void fec_server_kick(struct lws *wsi)
{
    fec_server_t *s = wsi ? lws_context_user(lws_get_context(wsi)) : NULL;
    if (s != NULL) {
        arm_timer(s, 0);
    }
}

static struct lws_protocols *copy_protocols(const struct lws_protocols *p)
{
    size_t n = 0;
    while (p[n].name != NULL) {
        n++;
    }
    struct lws_protocols *copy = exo_xcalloc(n + 1, sizeof *copy);
    memcpy(copy, p, n * sizeof *copy);
    return copy;
}

/* The interface lws binds: NULL for every address, else the literal address. New string. */
static char *iface_of(const char *host)
{
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || host[0] == '\0') {
        return NULL;
    }
    return exo_xstrdup(strcmp(host, "localhost") == 0 ? "127.0.0.1" : host);
}

static bool is_ipv6(const char *host)
{
    return strchr(host, ':') != NULL;
}

static fec_server_t *server_new(const exo_host_t *host, const fec_server_opts_t *opts,
                                const char *h, int port)
{
    fec_server_t *s = exo_xcalloc(1, sizeof *s);
    s->host = host;
    s->user = opts->user;
    s->protocols = copy_protocols(opts->protocols);
    s->endpoint = is_ipv6(h) ? exo_strdupf("http://[%s]:%d/", h, port)
                             : exo_strdupf("http://%s:%d/", h, port);
    return s;
}

static void fill_info(struct lws_context_creation_info *info, fec_server_t *s,
                      const fec_server_opts_t *opts, const char *h, int port, void **loops)
{
    memset(info, 0, sizeof *info);
    info->port = port;
    s->iface = iface_of(h);
    info->iface = s->iface;
    info->protocols = s->protocols;
    info->user = s;
    info->gid = -1;
    info->uid = -1;
    info->options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND | LWS_SERVER_OPTION_LIBUV;
    if (!is_ipv6(h)) {
        info->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    }
    loops[0] = &s->uv;
    info->foreign_loops = loops;
    info->keepalive_timeout = (int)(opts->keepalive_s ? opts->keepalive_s : 30);
    info->timeout_secs = 30;
    info->max_http_header_data =
        (unsigned short)(opts->max_header_bytes ? opts->max_header_bytes : 8192);
}

fec_server_t *fec_server_open(const exo_host_t *host, const fec_server_opts_t *opts,
                              exo_error_t *err)
{
    if (opts->protocols == NULL || opts->protocols[0].name == NULL) {
        exo_error_set(err, EXO_ERR_INVALID, "frontend server: no protocols given");
        return NULL;
    }
    char *h = NULL;
    int port = 0;
    if (fec_parse_listen(opts->listen, &h, &port, err) != EXO_OK) {
        return NULL;
    }
    fec_server_t *s = server_new(host, opts, h, port);
    if (uv_loop_init(&s->uv) != 0) {
        exo_error_set(err, EXO_ERR_INTERNAL, "cannot make the event loop for %s", opts->listen);
        free(h);
        fec_server_close(&s);
        return NULL;
    }
    s->uv_ready = true;
    log_host = host;
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_to_host);
    struct lws_context_creation_info info;
    void *loops[1];
    fill_info(&info, s, opts, h, port, loops);
    free(h);
    s->ctx = lws_create_context(&info);
    /* lws 4.1 returns a context even when its vhost could not listen */
    if (s->ctx == NULL || lws_get_vhost_by_name(s->ctx, "default") == NULL) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE,
                      "cannot listen on %s: the port may be taken, the address not this "
                      "machine's, or libwebsockets' libuv support missing (Debian: "
                      "libwebsockets-evlib-uv); see the libwebsockets lines above", opts->listen);
        fec_server_close(&s);
        return NULL;
    }
    s->watch = host->watch_fd(host, uv_backend_fd(&s->uv), EXO_EV_READ, on_backend, s);
    if (s->watch <= 0) {
        exo_error_set(err, EXO_ERR_INTERNAL, "cannot watch the event loop of %s (error %d)",
                      opts->listen, s->watch);
        fec_server_close(&s);
        return NULL;
    }
    pump(s);
    return s;
}

/* Run the uv loop until nothing is left to do (lws closes its handles asynchronously). */
static void run_until_idle(fec_server_t *s)
{
    for (int i = 0; i < 1000 && uv_run(&s->uv, UV_RUN_NOWAIT) != 0; i++) {
    }
}

void fec_server_close(fec_server_t **server)
{
    fec_server_t *s = server ? *server : NULL;
    if (s == NULL) {
        return;
    }
    arm_timer(s, -1);
    if (s->watch > 0) {
        s->host->unwatch(s->host, s->watch);
    }
    if (s->ctx != NULL) {
        /* On a foreign loop the first call closes lws's handles; once the loop has run their
         * close callbacks, the second call frees the context. */
        lws_context_destroy(s->ctx);
        run_until_idle(s);
        lws_context_destroy(s->ctx);
    }
    if (s->uv_ready) {
        run_until_idle(s);
        if (uv_loop_close(&s->uv) != 0) {
            exo_log_warn(s->host, "the event loop of %s still had handles when closed",
                         s->endpoint);
        }
    }
    if (log_host == s->host) {
        log_host = NULL;
    }
    free(s->protocols);
    free(s->iface);
    free(s->endpoint);
    free(s);
    *server = NULL;
}

const char *fec_server_endpoint(const fec_server_t *server)
{
    return server->endpoint;
}

void *fec_server_user(struct lws *wsi)
{
    fec_server_t *s = lws_context_user(lws_get_context(wsi));
    return s ? s->user : NULL;
}

const exo_host_t *fec_server_host(struct lws *wsi)
{
    fec_server_t *s = lws_context_user(lws_get_context(wsi));
    return s ? s->host : NULL;
}
