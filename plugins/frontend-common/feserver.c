/*
 * plugins/frontend-common/feserver.c - a libwebsockets server on the exo host loop (see
 * feserver.h). lws keeps its own table of sockets; we mirror it as host watches, by fd.
 */
#include "config.h"

#include "feserver.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fehttp.h"

/* lws's scheduled work (timeouts) is checked this often; lws's own deadlines are seconds. */
#define FEC_SERVICE_INTERVAL_MS 250

struct fec_server {
    const exo_host_t *host;
    struct lws_context *ctx;
    struct lws_protocols *protocols; /* our copy, protocols[0].callback replaced */
    lws_callback_function *first_cb; /* the plugin's protocols[0].callback */
    void *user;
    int *watch_of_fd;                /* host watch id per fd, 0 = none */
    size_t n_fds;
    int timer;
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

static unsigned exo_events_of(int poll_events)
{
    return ((poll_events & POLLIN) ? EXO_EV_READ : 0u) |
           ((poll_events & POLLOUT) ? EXO_EV_WRITE : 0u);
}

static void on_socket(int fd, unsigned events, void *arg)
{
    fec_server_t *s = arg;
    struct lws_pollfd pfd = {.fd = fd, .events = POLLIN | POLLOUT, .revents = 0};
    if (events & EXO_EV_READ) {
        pfd.revents |= POLLIN;
    }
    if (events & EXO_EV_WRITE) {
        pfd.revents |= POLLOUT;
    }
    lws_service_fd(s->ctx, &pfd);
}

static void on_service_timer(void *arg)
{
    fec_server_t *s = arg;
    /* timeout -1: run what is due and poll lws's sockets without waiting */
    lws_service(s->ctx, -1);
}

static void poll_add(fec_server_t *s, const struct lws_pollargs *pa)
{
    if (pa->fd < 0) {
        return;
    }
    if ((size_t)pa->fd >= s->n_fds) {
        size_t n = (size_t)pa->fd + 64;
        s->watch_of_fd = exo_xrealloc(s->watch_of_fd, n * sizeof *s->watch_of_fd);
        memset(s->watch_of_fd + s->n_fds, 0, (n - s->n_fds) * sizeof *s->watch_of_fd);
        s->n_fds = n;
    }
    int id = s->host->watch_fd(s->host, pa->fd, exo_events_of(pa->events), on_socket, s);
    if (id <= 0) {
        exo_log_error(s->host, "cannot watch socket %d (error %d): its client will hang",
                      pa->fd, id);
        id = 0;
    }
    s->watch_of_fd[pa->fd] = id;
}

static int watch_of(const fec_server_t *s, int fd)
{
    return (fd >= 0 && (size_t)fd < s->n_fds) ? s->watch_of_fd[fd] : 0;
}

static int server_callback(struct lws *wsi, enum lws_callback_reasons reason, void *pss,
                           void *in, size_t len)
{
    fec_server_t *s = lws_context_user(lws_get_context(wsi));
    const struct lws_pollargs *pa = in;
    switch (reason) {
    case LWS_CALLBACK_ADD_POLL_FD:
        poll_add(s, pa);
        return 0;
    case LWS_CALLBACK_DEL_POLL_FD:
        if (watch_of(s, pa->fd) > 0) {
            s->host->unwatch(s->host, s->watch_of_fd[pa->fd]);
            s->watch_of_fd[pa->fd] = 0;
        }
        return 0;
    case LWS_CALLBACK_CHANGE_MODE_POLL_FD:
        if (watch_of(s, pa->fd) > 0) {
            s->host->watch_modify(s->host, s->watch_of_fd[pa->fd], exo_events_of(pa->events));
        }
        return 0;
    case LWS_CALLBACK_LOCK_POLL:
    case LWS_CALLBACK_UNLOCK_POLL:
        return 0;
    default:
        return s->first_cb(wsi, reason, pss, in, len);
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

/* The interface lws binds: NULL for every address, else the literal address. */
static const char *iface_of(const char *host)
{
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || host[0] == '\0') {
        return NULL;
    }
    return strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
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
    s->first_cb = s->protocols[0].callback;
    s->protocols[0].callback = server_callback;
    s->endpoint = is_ipv6(h) ? exo_strdupf("http://[%s]:%d/", h, port)
                             : exo_strdupf("http://%s:%d/", h, port);
    return s;
}

fec_server_t *fec_server_open(const exo_host_t *host, const fec_server_opts_t *opts,
                              exo_error_t *err)
{
    char *h = NULL;
    int port = 0;
    if (opts->protocols == NULL || opts->protocols[0].name == NULL ||
        fec_parse_listen(opts->listen, &h, &port, err) != EXO_OK) {
        if (opts->protocols == NULL || opts->protocols[0].name == NULL) {
            exo_error_set(err, EXO_ERR_INVALID, "frontend server: no protocols given");
        }
        return NULL;
    }
    fec_server_t *s = server_new(host, opts, h, port);
    log_host = host;
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_to_host);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = iface_of(h);
    info.protocols = s->protocols;
    info.user = s;
    info.gid = -1;
    info.uid = -1;
    info.options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    if (!is_ipv6(h)) {
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    }
    info.keepalive_timeout = (int)(opts->keepalive_s ? opts->keepalive_s : 30);
    info.timeout_secs = 30;
    info.max_http_header_data = (unsigned short)(opts->max_header_bytes ? opts->max_header_bytes
                                                                        : 8192);
    s->ctx = lws_create_context(&info);
    if (s->ctx == NULL) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE,
                      "cannot listen on %s: the port may be taken or the address not this "
                      "machine's (see the libwebsockets lines above)", opts->listen);
        free(h);
        fec_server_close(&s);
        return NULL;
    }
    free(h);
    s->timer = host->timer_add(host, FEC_SERVICE_INTERVAL_MS, true, on_service_timer, s);
    return s;
}

void fec_server_close(fec_server_t **server)
{
    fec_server_t *s = server ? *server : NULL;
    if (s == NULL) {
        return;
    }
    if (s->timer > 0) {
        s->host->timer_cancel(s->host, s->timer);
    }
    if (s->ctx != NULL) {
        lws_context_destroy(s->ctx); /* DEL_POLL_FD for every socket: unwatches them */
    }
    for (size_t i = 0; i < s->n_fds; i++) {
        if (s->watch_of_fd[i] > 0) {
            s->host->unwatch(s->host, s->watch_of_fd[i]);
        }
    }
    if (log_host == s->host) {
        lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
        log_host = NULL;
    }
    free(s->watch_of_fd);
    free(s->protocols);
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
