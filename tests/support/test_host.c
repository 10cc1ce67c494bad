#include "config.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_host.h"
#include "util.h"

static exo_test_host_t *of(const exo_host_t *h)
{
    return (exo_test_host_t *)h->priv;
}

static void th_log(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%s] %s: ", of(h)->desc ? of(h)->desc->name : "plugin",
            names[level <= EXO_LOG_DEBUG ? level : EXO_LOG_DEBUG]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *th_alloc(size_t n)
{
    return exo_xmalloc(n);
}

static void th_free(void *p)
{
    free(p);
}

static const json_t *th_config_get(const json_t *config, const char *path)
{
    const json_t *cur = config;
    char *copy = exo_xstrdup(path);
    char *save = NULL;
    for (char *part = strtok_r(copy, ".", &save); part && cur; part = strtok_r(NULL, ".", &save)) {
        cur = json_object_get(cur, part);
    }
    free(copy);
    return cur;
}

static int th_env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return EXO_ERR_UNSUPPORTED;
}

static int th_watch(const exo_host_t *h, int fd, unsigned events, exo_fd_fn fn, void *arg)
{
    return exo_loop_watch(of(h)->loop, fd, events, fn, arg);
}

static int th_watch_modify(const exo_host_t *h, int id, unsigned events)
{
    return exo_loop_watch_modify(of(h)->loop, id, events);
}

static void th_unwatch(const exo_host_t *h, int id)
{
    exo_loop_unwatch(of(h)->loop, id);
}

static int th_timer_add(const exo_host_t *h, unsigned ms, bool repeat, exo_call_fn fn, void *arg)
{
    return exo_loop_timer(of(h)->loop, ms, repeat, fn, arg);
}

static void th_timer_cancel(const exo_host_t *h, int id)
{
    exo_loop_timer_cancel(of(h)->loop, id);
}

static int th_post(const exo_host_t *h, exo_call_fn fn, void *arg)
{
    return exo_loop_post(of(h)->loop, fn, arg);
}

static const char *th_state_dir(const exo_host_t *h)
{
    exo_test_host_t *th = of(h);
    if (th->state_dir != NULL) {
        exo_mkdir_p(th->state_dir, 0755);
    }
    return th->state_dir;
}

exo_test_host_t *exo_test_host_new(const char *so_path, const char *state_dir)
{
    exo_test_host_t *th = exo_xcalloc(1, sizeof *th);
    th->loop = exo_loop_new();
    th->state_dir = state_dir ? exo_xstrdup(state_dir) : NULL;
    th->host = (exo_host_t){
        .size = sizeof(exo_host_t),
        .abi_major = EXO_PLUGIN_ABI_MAJOR,
        .abi_minor = EXO_PLUGIN_ABI_MINOR,
        .log = th_log,
        .alloc = th_alloc,
        .free = th_free,
        .config_get = th_config_get,
        .env_set = th_env_set,
        .watch_fd = th_watch,
        .watch_modify = th_watch_modify,
        .unwatch = th_unwatch,
        .timer_add = th_timer_add,
        .timer_cancel = th_timer_cancel,
        .post = th_post,
        .state_dir = th_state_dir,
        .priv = th,
    };
    th->dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    exo_plugin_describe_fn describe = th->dl ? (exo_plugin_describe_fn)dlsym(th->dl,
                                                   EXO_PLUGIN_SYMBOL) : NULL;
    th->desc = describe ? describe() : NULL;
    if (th->desc == NULL || th->desc->abi_major != EXO_PLUGIN_ABI_MAJOR) {
        fprintf(stderr, "test host: cannot load %s: %s\n", so_path,
                th->dl ? "no descriptor or wrong ABI" : dlerror());
        exo_test_host_destroy(&th);
        return NULL;
    }
    exo_error_t err = {0};
    if (th->desc->init && th->desc->init(&th->host, &err) != 0) {
        fprintf(stderr, "test host: %s init failed: %s\n", so_path, err.message);
        th->desc = NULL;
        exo_test_host_destroy(&th);
        return NULL;
    }
    return th;
}

void exo_test_host_destroy(exo_test_host_t **th_p)
{
    exo_test_host_t *th = *th_p;
    if (th == NULL) {
        return;
    }
    if (th->desc && th->desc->fini) {
        th->desc->fini();
    }
    if (th->dl) {
        dlclose(th->dl);
    }
    exo_loop_destroy(&th->loop);
    free(th->state_dir);
    free(th);
    *th_p = NULL;
}

bool exo_test_host_run_until(exo_test_host_t *th, bool (*done)(void *arg), void *arg,
                             unsigned timeout_ms)
{
    unsigned long long end = exo_now_ms() + timeout_ms;
    while (!done(arg)) {
        unsigned long long now = exo_now_ms();
        if (now >= end) {
            return false;
        }
        exo_loop_once(th->loop, (int)(end - now < 200 ? end - now : 200));
    }
    return true;
}
