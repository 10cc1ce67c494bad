/*
 * plugins/backend-common/ctrunit.h - what the container backends (docker, podman) share about
 * a run (names, places, the Dockerfile) and the life of a unit: the core's callbacks, the
 * exit that waits a little for the last output, the exit reported for a unit that never ran,
 * and the launch of a unit whose turn came in the engine queue. How a backend talks to its
 * engine (HTTP streams, child processes) stays in the backend, behind two hooks. Header-only
 * and static, like ctrutil.h.
 *
 * A backend's instance starts with a ctr_run_t and its struct exo_unit with a ctr_unit_t, so
 * each converts into the other. Ownership: a ctr_run_t owns its strings (ctr_run_free); the
 * unit belongs to the backend and nothing here frees it, but the core's on_exit (called from
 * ctr_unit_report) may release it. Threading: the loop thread only.
 */
#ifndef EXO_PLUGINS_CTRUNIT_H
#define EXO_PLUGINS_CTRUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/stat.h>

#include <exo/backend.h>

#include "ctrutil.h"

/* What a run's instance is on either engine: its names, labels and places. */
typedef struct ctr_run {
    char *app;      /* sanitized */
    char *app_raw;  /* as in application.yml: the label value */
    char *run_id;
    char *network;  /* name: "exo-<app>-<run>" */
    char *gateway;  /* IP of the bridge on the host; set by the backend */
    char *log_dir;  /* where build logs go */
    unsigned starts;
} ctr_run_t;

static inline void ctr_run_init(ctr_run_t *r, const exo_host_t *host, const exo_run_spec_t *run)
{
    r->app = sanitize(run->app);
    r->app_raw = xstrdup(run->app);
    r->run_id = xstrdup(run->run_id);
    char *rid = sanitize(run->run_id);
    r->network = xprintf("exo-%s-%s", r->app, rid);
    free(rid);
    const char *sd = host->state_dir ? host->state_dir(host) : NULL;
    r->log_dir = xstrdup(sd ? sd : (run->state_dir ? run->state_dir : "."));
}

static inline void ctr_run_free(ctr_run_t *r)
{
    free(r->app);
    free(r->app_raw);
    free(r->run_id);
    free(r->network);
    free(r->gateway);
    free(r->log_dir);
}

/* The image built for @p unit: "exo-<app>-<unit>:latest". */
static inline char *ctr_image_tag(const ctr_run_t *r, const char *unit)
{
    char *u = sanitize(unit);
    char *t = xprintf("exo-%s-%s:latest", r->app, u);
    free(u);
    return t;
}

/* A new container's name, unique in the run: "exo-<app>-<run>-<unit>-<n>". */
static inline char *ctr_container_name(ctr_run_t *r, const char *unit)
{
    char *uname = sanitize(unit), *rid = sanitize(r->run_id);
    char *cname = xprintf("exo-%s-%s-%s-%u", r->app, rid, uname, ++r->starts);
    free(uname);
    free(rid);
    return cname;
}

/* ops.unit_host: units reach each other by their network alias, the unit name. */
static inline const char *ctr_unit_host(void *inst, const char *name)
{
    return name;
}

/* ops.host_address: the bridge's gateway. A backend's instance starts with its ctr_run_t. */
static inline const char *ctr_host_address(void *inst)
{
    return ((ctr_run_t *)inst)->gateway;
}

/*
 * The Dockerfile prepare() builds @p spec from, as a path: NULL (and EXO_ERR_NOTFOUND in
 * @p err) when there is none.
 */
static inline char *ctr_dockerfile(const exo_unit_spec_t *spec, exo_error_t *err)
{
    const char *dockerfile = spec->dockerfile ? spec->dockerfile : "Dockerfile";
    char *dfpath = xprintf("%s/%s", spec->dir, dockerfile);
    struct stat st;
    if (stat(dfpath, &st) != 0) {
        exo_error_set(err, EXO_ERR_NOTFOUND,
                      "service %s: no %s to build its image from (%s); add one or name an "
                      "`image` in its service.yml", spec->name, dockerfile, dfpath);
        free(dfpath);
        return NULL;
    }
    return dfpath;
}

#define CTR_LOG_LINGER_MS 2000 /* after an exit, how long to wait for the last output */

typedef struct ctr_unit ctr_unit_t;

struct ctr_unit {
    const exo_host_t *host;
    /* The backend's: end the unit's requests in flight, before its exit is reported. */
    void (*finish)(ctr_unit_t *u);
    /* The backend's: send the unit's queued create/run (see ctr_unit_launch_queued). */
    int (*launch)(ctr_unit_t *u, exo_error_t *err);
    void (*on_output)(void *arg, int stream, const char *line, size_t len);
    void (*on_exit)(void *arg, int status, int signal);
    void (*on_running)(void *arg); /* NULL when the core is older than ABI 1.1 */
    void *arg;
    bool running;   /* the container runs: its output and exit are followed */
    bool cancel;    /* stop or kill came before the container ran */
    bool waited, logs_done, reported;
    int status;
    int linger;     /* timer id */
};

static inline void ctr_unit_init(ctr_unit_t *u, const exo_host_t *host,
                                 const exo_unit_spec_t *spec, void (*finish)(ctr_unit_t *u),
                                 int (*launch)(ctr_unit_t *u, exo_error_t *err))
{
    u->host = host;
    u->finish = finish;
    u->launch = launch;
    u->on_output = spec->on_output;
    u->on_exit = spec->on_exit;
    /* on_running was appended in ABI 1.1: an older core passes a shorter spec. */
    if (spec->size >= offsetof(exo_unit_spec_t, on_running) + sizeof spec->on_running) {
        u->on_running = spec->on_running;
    }
    u->arg = spec->arg;
}

/* A ctr_line_fn handing the unit's output lines (arg: the ctr_unit_t) to the core. */
static inline void ctr_unit_output(void *arg, int stream, const char *line, size_t len)
{
    ctr_unit_t *u = arg;
    if (u->on_output) {
        u->on_output(u->arg, stream, line, len);
    }
}

static inline void ctr_unit_cancel_linger(ctr_unit_t *u)
{
    if (u->linger > 0) {
        u->host->timer_cancel(u->host, u->linger);
        u->linger = 0;
    }
}

/* Report the exit once it is known and the output is over (or, with @p force, given up on). */
static inline void ctr_unit_report(ctr_unit_t *u, bool force)
{
    if (u->reported || !u->waited || (!u->logs_done && !force)) {
        return;
    }
    u->reported = true;
    u->finish(u);
    int status = u->status, sig = 0;
    /* The engine reports a death by signal N as 128+N, as a shell does. */
    if (status > 128 && status < 128 + 65) {
        sig = status - 128;
        status = -1;
    }
    u->on_exit(u->arg, status, sig); /* may release @p u */
}

static inline void ctr_unit_linger_expired(void *arg)
{
    ctr_unit_t *u = arg;
    u->linger = 0;
    ctr_unit_report(u, true);
}

/* The output stream ended. */
static inline void ctr_unit_logs_done(ctr_unit_t *u)
{
    u->logs_done = true;
    ctr_unit_report(u, false);
}

/* The container exited with @p status; its last output may still be on the way. */
static inline void ctr_unit_exited(ctr_unit_t *u, int status)
{
    u->status = status;
    u->waited = true;
    if (!u->logs_done) {
        u->linger = u->host->timer_add(u->host, CTR_LOG_LINGER_MS, false,
                                       ctr_unit_linger_expired, u);
    }
    ctr_unit_report(u, false);
}

/* The unit never ran, or was cancelled before it did: report it as an exit now. */
static inline void ctr_unit_fail(ctr_unit_t *u, const char *why)
{
    if (why != NULL && u->on_output != NULL) {
        char line[700];
        int n = snprintf(line, sizeof line, "exo: %s", why);
        u->on_output(u->arg, EXO_STREAM_STDERR, line, (size_t)(n < 0 ? 0 : n));
    }
    /* 125 is what `docker run` and `podman run` exit with when the engine refused; a cancel
     * is a kill. */
    u->status = u->cancel ? 128 + 9 : 125;
    u->waited = u->logs_done = true;
    ctr_unit_report(u, false);
}

/*
 * The container runs and its output and exit are followed. False when a stop or kill came
 * meanwhile: the caller kills it now, and the core hears of it only through the exit.
 */
static inline bool ctr_unit_started(ctr_unit_t *u)
{
    u->running = true;
    if (u->cancel) {
        return false;
    }
    if (u->on_running != NULL) {
        u->on_running(u->arg);
    }
    return true;
}

/*
 * Whether a stop or kill of @p u has nothing to send to the engine: the container does not
 * run yet (the unit is cancelled: its create/run or its turn in the queue ends it) or it
 * exited already.
 */
static inline bool ctr_unit_settled(ctr_unit_t *u)
{
    if (!u->running) {
        u->cancel = true;
        return true;
    }
    return u->waited;
}

/* A queued unit's turn (ctr_queue_leave). */
static inline bool ctr_unit_launch_queued(void *item)
{
    ctr_unit_t *u = item;
    exo_error_t err = {0};
    if (u->cancel) {
        ctr_unit_fail(u, NULL); /* stopped before its turn came */
        return false;
    }
    if (u->launch(u, &err) < 0) {
        ctr_unit_fail(u, err.message);
        return false;
    }
    return true;
}

#endif /* EXO_PLUGINS_CTRUNIT_H */
