/* core/plugins/host.c - the host services table each plugin gets (see host.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/env.h"
#include "host.h"
#include "base/log.h"
#include "base/util.h"
#include "model/statedir.h"

typedef struct host_priv {
    char *origin;    /* "backend process": the prefix of every log line */
    const char *kind; /* "backend": with name, what names the state directory */
    char *name;
    char *app_dir;   /* NULL outside an app */
    char *state_dir; /* made on first use */
    exo_loop_t *loop;
} host_priv_t;

static host_priv_t *priv_of(const exo_host_t *h)
{
    return h != NULL ? h->priv : NULL;
}

static void host_log(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void host_log(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
{
    host_priv_t *p = priv_of(h);
    /* A plugin built against a later minor may pass levels we do not know. */
    if ((int)level < (int)EXO_LOG_ERROR) {
        level = EXO_LOG_ERROR;
    } else if ((int)level > (int)EXO_LOG_DEBUG) {
        level = EXO_LOG_DEBUG;
    }
    if (fmt == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    exo_vlog(level, p != NULL ? p->origin : "plugin", fmt, ap);
    va_end(ap);
}

static void *host_alloc(size_t n)
{
    return malloc(n != 0 ? n : 1);
}

static void host_free(void *ptr)
{
    free(ptr);
}

const json_t *exo_host_config_get(const json_t *config, const char *path)
{
    if (config == NULL || path == NULL || !json_is_object(config)) {
        return NULL;
    }
    const json_t *cur = config;
    const char *seg = path;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t len = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
        if (len == 0 || !json_is_object(cur)) {
            return NULL;
        }
        char *key = exo_xstrndup(seg, len);
        cur = json_object_get(cur, key);
        free(key);
        if (cur == NULL || dot == NULL) {
            return cur;
        }
        seg = dot + 1;
    }
}

static int host_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    if (env == NULL || name == NULL || value == NULL) {
        return EXO_ERR_INVALID;
    }
    return exo_env_set(env, name, value, flags);
}

static int host_watch_fd(const exo_host_t *h, int fd, unsigned events, exo_fd_fn fn, void *arg)
{
    host_priv_t *p = priv_of(h);
    if (p == NULL || p->loop == NULL) {
        return EXO_ERR_UNSUPPORTED;
    }
    if (fd < 0 || fn == NULL) {
        return EXO_ERR_INVALID;
    }
    return exo_loop_watch(p->loop, fd, events, fn, arg);
}

static int host_watch_modify(const exo_host_t *h, int watch_id, unsigned events)
{
    host_priv_t *p = priv_of(h);
    if (p == NULL || p->loop == NULL) {
        return EXO_ERR_UNSUPPORTED;
    }
    return exo_loop_watch_modify(p->loop, watch_id, events);
}

static void host_unwatch(const exo_host_t *h, int watch_id)
{
    host_priv_t *p = priv_of(h);
    if (p != NULL && p->loop != NULL) {
        exo_loop_unwatch(p->loop, watch_id);
    }
}

static int host_timer_add(const exo_host_t *h, unsigned ms, bool repeat, exo_call_fn fn,
                          void *arg)
{
    host_priv_t *p = priv_of(h);
    if (p == NULL || p->loop == NULL) {
        return EXO_ERR_UNSUPPORTED;
    }
    if (fn == NULL) {
        return EXO_ERR_INVALID;
    }
    return exo_loop_timer(p->loop, ms, repeat, fn, arg);
}

static void host_timer_cancel(const exo_host_t *h, int timer_id)
{
    host_priv_t *p = priv_of(h);
    if (p != NULL && p->loop != NULL) {
        exo_loop_timer_cancel(p->loop, timer_id);
    }
}

static int host_post(const exo_host_t *h, exo_call_fn fn, void *arg)
{
    host_priv_t *p = priv_of(h);
    if (p == NULL || p->loop == NULL) {
        return EXO_ERR_UNSUPPORTED;
    }
    if (fn == NULL) {
        return EXO_ERR_INVALID;
    }
    return exo_loop_post(p->loop, fn, arg);
}

static const char *host_state_dir(const exo_host_t *h)
{
    host_priv_t *p = priv_of(h);
    if (p == NULL || p->app_dir == NULL) {
        return NULL;
    }
    if (p->state_dir == NULL) {
        char *sd = exo_statedir(p->app_dir);
        char *dir = exo_statedir_plugin_state(sd, p->kind, p->name);
        free(sd);
        if (exo_statedir_mkdir(dir) != 0) {
            exo_warn("%s: cannot create %s: %s", p->origin, dir, strerror(errno));
            free(dir);
            return NULL;
        }
        p->state_dir = dir;
    }
    return p->state_dir;
}

exo_host_t *exo_host_new(const char *kind_name, const char *name, const char *app_dir,
                         exo_loop_t *loop)
{
    host_priv_t *p = exo_xcalloc(1, sizeof *p);
    const char *kname = kind_name;
    p->origin = exo_strdupf("%s %s", kname, name);
    p->kind = kname;
    p->name = exo_xstrdup(name);
    p->app_dir = app_dir != NULL ? exo_xstrdup(app_dir) : NULL;
    p->loop = loop;

    exo_host_t *h = exo_xcalloc(1, sizeof *h);
    h->size = sizeof *h;
    h->abi_major = EXO_PLUGIN_ABI_MAJOR;
    h->abi_minor = EXO_PLUGIN_ABI_MINOR;
    h->log = host_log;
    h->alloc = host_alloc;
    h->free = host_free;
    h->config_get = exo_host_config_get;
    h->env_set = host_env_set;
    h->watch_fd = host_watch_fd;
    h->watch_modify = host_watch_modify;
    h->unwatch = host_unwatch;
    h->timer_add = host_timer_add;
    h->timer_cancel = host_timer_cancel;
    h->post = host_post;
    h->state_dir = host_state_dir;
    h->priv = p;
    return h;
}

void exo_host_destroy(exo_host_t **host_p)
{
    if (host_p == NULL || *host_p == NULL) {
        return;
    }
    host_priv_t *p = (*host_p)->priv;
    if (p != NULL) {
        free(p->origin);
        free(p->name);
        free(p->app_dir);
        free(p->state_dir);
        free(p);
    }
    free(*host_p);
    *host_p = NULL;
}
