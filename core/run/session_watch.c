/* core/run/session_watch.c - `exo run --watch`: a change under a service's directory runs its
 * setup and restarts (rebuilds) the services at that location. It uses the session's public
 * API and exo_session_restart_node(). See session_int.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "session_int.h"

#define WATCH_DEBOUNCE_MS 300
/* After a setup run by --watch, its own writes must not trigger another restart. */
#define WATCH_QUIET_MS 1000

typedef struct watch_job {
    exo_session_t *s;
    size_t idx;
} watch_job_t;

static void restart_location(exo_session_t *s, size_t idx)
{
    for (size_t i = 0; i < s->app->n_services; i++) {
        node_t *n = &s->nodes[i];
        if (s->app->services[i].frontend == NULL &&
            strcmp(s->app->services[i].dir, s->app->services[idx].dir) == 0 && n->sup != NULL &&
            exo_sup_state(n->sup) != EXO_SUP_IDLE) {
            exo_session_restart_node(s, n);
        }
    }
}

static void on_watch_setup_done(void *arg, int status, unsigned long long ms)
{
    watch_job_t *job = arg;
    exo_session_t *s = job->s;
    node_t *n = &s->nodes[job->idx];
    n->watch_busy = false;
    exo_watch_quiet(s->watch, (int)job->idx, WATCH_QUIET_MS);
    if (status != 0) {
        exo_output_role_status(s->out, n->name, "setup failed; the running version stays "
                               "(fix it and save again)");
    } else if (!s->down_pending) {
        restart_location(s, job->idx);
    }
    free(job);
}

static void on_change(void *arg, int id, const char *path)
{
    exo_session_t *s = arg;
    node_t *n = &s->nodes[id];
    if (s->down_pending || n->watch_busy) {
        return;
    }
    const exo_service_t *svc = n->svc;
    const char *rel = strncmp(path, svc->dir, strlen(svc->dir)) == 0 ?
                      path + strlen(svc->dir) + (path[strlen(svc->dir)] == '/') : path;
    exo_output_role_status(s->out, n->name, "changed (%s)", rel);
    if (svc->setup != NULL) {
        watch_job_t *job = exo_xcalloc(1, sizeof *job);
        job->s = s;
        job->idx = (size_t)id;
        n->watch_busy = true;
        if (exo_session_task(s, svc, EXO_UNIT_ROLE_SETUP, svc->role, on_watch_setup_done,
                             job) < 0) {
            n->watch_busy = false;
            free(job);
        }
        return;
    }
    restart_location(s, (size_t)id);
}

int exo_session_watch(exo_session_t *s)
{
    s->watch = exo_watch_new(s->loop, WATCH_DEBOUNCE_MS, on_change, s);
    if (s->watch == NULL) {
        exo_error("cannot watch files: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < s->app->n_services; i++) {
        if (!s->nodes[i].wanted || s->app->services[i].frontend != NULL) {
            continue; /* a frontend has no sources of its own: it serves files as they are */
        }
        /* Roles sharing a location are watched once, under the first of them. */
        bool seen = false;
        for (size_t j = 0; j < i; j++) {
            seen = seen || (s->nodes[j].wanted &&
                            strcmp(s->app->services[j].dir, s->app->services[i].dir) == 0);
        }
        if (!seen && exo_watch_add(s->watch, s->app->services[i].dir, (int)i) < 0) {
            exo_warn("cannot watch %s: %s", s->app->services[i].dir, strerror(errno));
        }
    }
    return 0;
}
