/* tests/support/test_host.c - a small plugin host on core/loop.h; see test_host.h. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_host.h"

static const char *host_prefix = "test";

static void host_log(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level == EXO_LOG_DEBUG && getenv("EXO_DEBUG") == NULL) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s: %s\n", host_prefix, names[level & 3], line);
}

static const json_t *host_config_get(const json_t *config, const char *path)
{
    char key[256];
    const json_t *v = config;
    while (v != NULL && path != NULL && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        v = json_object_get(v, key);
        path = dot ? dot + 1 : NULL;
    }
    return v;
}

static int host_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return EXO_ERR_UNSUPPORTED;
}

static int host_watch(const exo_host_t *h, int fd, unsigned ev, exo_fd_fn fn, void *arg)
{
    return exo_loop_watch(h->priv, fd, ev, fn, arg);
}

static int host_watch_modify(const exo_host_t *h, int id, unsigned ev)
{
    return exo_loop_watch_modify(h->priv, id, ev);
}

static void host_unwatch(const exo_host_t *h, int id)
{
    exo_loop_unwatch(h->priv, id);
}

static int host_timer(const exo_host_t *h, unsigned ms, bool repeat, exo_call_fn fn, void *arg)
{
    return exo_loop_timer(h->priv, ms, repeat, fn, arg);
}

static void host_timer_cancel(const exo_host_t *h, int id)
{
    exo_loop_timer_cancel(h->priv, id);
}

static int host_post(const exo_host_t *h, exo_call_fn fn, void *arg)
{
    return exo_loop_post(h->priv, fn, arg);
}

static const char *host_state_dir(const exo_host_t *h)
{
    return NULL;
}

void exo_test_host_init(exo_host_t *host, exo_loop_t *loop, const char *prefix)
{
    memset(host, 0, sizeof *host);
    host_prefix = prefix;
    host->size = sizeof *host;
    host->abi_major = EXO_PLUGIN_ABI_MAJOR;
    host->abi_minor = EXO_PLUGIN_ABI_MINOR;
    host->log = host_log;
    host->alloc = malloc;
    host->free = free;
    host->config_get = host_config_get;
    host->env_set = host_env_set;
    host->watch_fd = host_watch;
    host->watch_modify = host_watch_modify;
    host->unwatch = host_unwatch;
    host->timer_add = host_timer;
    host->timer_cancel = host_timer_cancel;
    host->post = host_post;
    host->state_dir = host_state_dir;
    host->priv = loop;
}

const exo_plugin_desc_t *exo_test_plugin_load(const char *path, const exo_host_t *host,
                                              void **handle_p)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return NULL;
    }
    exo_plugin_describe_fn fn;
    *(void **)&fn = dlsym(h, EXO_PLUGIN_SYMBOL);
    const exo_plugin_desc_t *d = fn ? fn() : NULL;
    exo_error_t err = {0};
    if (d == NULL || (d->init != NULL && d->init(host, &err) < 0)) {
        fprintf(stderr, "cannot initialise %s: %s\n", path, d ? err.message : "no descriptor");
        dlclose(h);
        return NULL;
    }
    *handle_p = h;
    return d;
}
