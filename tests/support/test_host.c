/* tests/support/test_host.c - see test_host.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "env.h"
#include "test_host.h"
#include "util.h"

static exo_test_host_t *th_of(const exo_host_t *h)
{
    return (exo_test_host_t *)h->priv;
}

static void th_log(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[test host %d] ", (int)level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static const json_t *th_config_get(const json_t *config, const char *path)
{
    return config != NULL ? json_object_get(config, path) : NULL;
}

static int th_watch(const exo_host_t *h, int fd, unsigned ev, exo_fd_fn fn, void *arg)
{
    return exo_loop_watch(th_of(h)->loop, fd, ev, fn, arg);
}

static int th_watch_modify(const exo_host_t *h, int id, unsigned ev)
{
    return exo_loop_watch_modify(th_of(h)->loop, id, ev);
}

static void th_unwatch(const exo_host_t *h, int id)
{
    exo_loop_unwatch(th_of(h)->loop, id);
}

static int th_timer(const exo_host_t *h, unsigned ms, bool repeat, exo_call_fn fn, void *arg)
{
    return exo_loop_timer(th_of(h)->loop, ms, repeat, fn, arg);
}

static void th_timer_cancel(const exo_host_t *h, int id)
{
    exo_loop_timer_cancel(th_of(h)->loop, id);
}

static int th_post(const exo_host_t *h, exo_call_fn fn, void *arg)
{
    return exo_loop_post(th_of(h)->loop, fn, arg);
}

static const char *th_state_dir(const exo_host_t *h)
{
    return th_of(h)->state_dir;
}

void exo_test_host_init(exo_test_host_t *th, exo_loop_t *loop, const char *state_dir)
{
    th->loop = loop;
    th->state_dir = state_dir ? exo_xstrdup(state_dir) : NULL;
    th->host = (exo_host_t){
        .size = sizeof(exo_host_t),
        .abi_major = EXO_PLUGIN_ABI_MAJOR,
        .abi_minor = EXO_PLUGIN_ABI_MINOR,
        .log = th_log,
        .alloc = malloc,
        .free = free,
        .config_get = th_config_get,
        .env_set = exo_env_set,
        .watch_fd = th_watch,
        .watch_modify = th_watch_modify,
        .unwatch = th_unwatch,
        .timer_add = th_timer,
        .timer_cancel = th_timer_cancel,
        .post = th_post,
        .state_dir = th_state_dir,
        .priv = th,
    };
}

void exo_test_host_fini(exo_test_host_t *th)
{
    free(th->state_dir);
    th->state_dir = NULL;
}

bool exo_test_host_run_until(exo_test_host_t *th, const bool *flag, unsigned timeout_ms)
{
    unsigned long long end = exo_now_ms() + timeout_ms;
    while (!*flag && exo_now_ms() < end) {
        exo_loop_once(th->loop, 20);
    }
    return *flag;
}
