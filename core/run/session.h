/*
 * core/run/session.h - one `exo run` / `exo test` / `exo setup` / `exo env` over an app: the
 * plugin registry, the backends (opened on first use, chosen by name so container backends
 * slot in unchanged), the embedded bus, the resources and one supervisor per service. It
 * brings sets of roles up in dependency order (independent ones in parallel, a role only once
 * its depends-on roles and its resources are ready), runs tasks (setup and test commands),
 * and takes everything down again: services first, then resources, grace then SIGKILL.
 *
 * Each unit's spec comes from core/run/unitspec.h; the session alone prepares (builds) units,
 * the supervisors only start and watch them. What happens to processes that escape a unit is
 * the backend's business (the process backend reaps them).
 *
 * Ownership: the session borrows the app (which must outlive it) and owns everything else.
 * Threading: loop thread only.
 */
#ifndef EXO_CORE_SESSION_H
#define EXO_CORE_SESSION_H

#include <stdbool.h>

#include "model/app.h"
#include "base/env.h"
#include "base/loop.h"
#include "output.h"
#include "supervisor.h"
#include "unitspec.h"
#include "base/util.h"
#include "bus/busclient.h"
#include "plugins/registry.h"

typedef struct exo_session exo_session_t;

typedef struct exo_session_opts {
    const char *command;        /* "run", "test", "setup", "env": recorded in .exo/run.json */
    const char *backend;        /* --backend: overrides every other choice; NULL = manifest */
    exo_output_format_t format;
    bool bus;                   /* start the embedded broker */
    bool fresh;                 /* resources start from empty data (exo test) */
    bool record;                /* write .exo/run.json and keep logs (run, test) */
    bool quiet;                 /* no output at all (exo env) */
    bool load_app;              /* open the app's own plugins (.exo/plugins): the commands
                                 * that run the app (run, test, setup, tail); exo env only
                                 * with --load-app (registry.h) */
} exo_session_opts_t;

/**
 * Load plugins, clean up after an earlier run that did not shut down, find the backends and
 * resources and start the bus. NULL on failure with @p err filled: err->code is
 * EXO_ERR_INTERNAL when exo could not do its own part (the bus would not start), another
 * EXO_ERR_* for a problem of the app or its plugins (the app already running, a missing
 * plugin, an engine that is not there). err->message is empty when the
 * problem was already reported in detail (diagnostics with their positions on stderr).
 */
exo_session_t *exo_session_new(const exo_app_t *app, const exo_session_opts_t *opts,
                               exo_error_t *err);
/** Kill what still runs, stop the bus, reap escaped processes, remove the run record. */
void exo_session_destroy(exo_session_t **s_p);

exo_loop_t *exo_session_loop(exo_session_t *s);
exo_output_t *exo_session_output(exo_session_t *s);

/**
 * Bring up @p roles (NULL = every role) plus, transitively, their depends-on roles, and every
 * resource they use plus @p resources (may be NULL). @p on_up(arg, ok) fires once: ok when all
 * are ready, not ok as soon as one fails to come up.
 */
void exo_session_up(exo_session_t *s, const exo_strv_t *roles, const exo_strv_t *resources,
                    void (*on_up)(void *arg, bool ok), void *arg);

/**
 * Run the setup or test command of @p svc (@p role EXO_UNIT_ROLE_SETUP or _TEST) as a task in
 * its directory with its environment (a setup gets the transport's build variables too).
 * @p on_done(arg, status, ms): status 0 success, > 0 exit code, -1 killed or could not start.
 * Output goes out under @p label (normally the role). Returns 0, or -1 when it could not be
 * started (said in the output; on_done is not called).
 */
int exo_session_task(exo_session_t *s, const exo_service_t *svc, exo_unit_role_t role,
                     const char *label,
                     void (*on_done)(void *arg, int status, unsigned long long ms), void *arg);

/**
 * `exo build`: build the production image of @p svc under @p tag on the backend its role runs
 * on (prepare() with exo_unit_spec_t.build_tag). Output goes out under the role. Returns 0;
 * EXO_ERR_EXISTS when its settings name an image (nothing to build, said in @p err);
 * EXO_ERR_UNSUPPORTED when the backend builds no images; another error with @p err filled.
 */
int exo_session_build(exo_session_t *s, const exo_service_t *svc, const char *tag,
                      exo_error_t *err);

/** Stop every task, service and resource (in that order); @p on_down(arg) when all are gone. */
void exo_session_down(exo_session_t *s, void (*on_down)(void *arg), void *arg);
/** Kill everything at once (second Ctrl-C). on_down of a pending down still fires. */
void exo_session_kill(exo_session_t *s);

/** Call @p fn on SIGINT/SIGTERM; a second signal kills everything at once. */
void exo_session_on_interrupt(exo_session_t *s, void (*fn)(void *arg), void *arg);

/** Restart a role's service (after its setup) whenever its directory changes. 0 or -1. */
int exo_session_watch(exo_session_t *s);

/** The environment @p svc gets, as for its setup command when @p setup (for `exo env`).
 *  Returns 0 or a negative EXO_ERR_* with @p err filled. */
int exo_session_env(exo_session_t *s, const exo_service_t *svc, bool setup, exo_env_t *env,
                    exo_error_t *err);

/* ---- observing and controlling a running app (the dashboard; session_observe.c) ---- */

/** What a session tells its one observer, on the loop thread. Every member may be NULL. */
typedef struct exo_session_observer {
    /** Unit @p unit (a service's or a resource's unit, "ROLE" or "ROLE-2") is now in @p st;
     *  @p exit_code (-1 none) and @p signal (0 none) of its last exit when it crashed
     *  (EXO_SUP_BACKOFF, EXO_SUP_FAILED, EXO_SUP_STOPPED after an exit). */
    void (*on_unit)(void *arg, const char *unit, exo_sup_state_t st, int exit_code,
                    int signal);
    /** Every line the output prints, masked: @p role its prefix, @p stream EXO_OUT_*. */
    void (*on_line)(void *arg, const char *role, int stream, const char *line, size_t len);
    /** Every broker event (borrowed for the call). */
    void (*on_trace)(void *arg, const exo_bus_trace_t *t);
    /** The broker drained its sockets. */
    void (*on_idle)(void *arg);
    void *arg;
} exo_session_observer_t;

/** Set (copied) or clear (NULL) the session's observer. */
void exo_session_observe(exo_session_t *s, const exo_session_observer_t *obs);

/** One unit of the session as it is now. Strings borrowed until the next call. */
typedef struct exo_session_unit {
    const char *name;
    const char *kind;       /* "service", "resource" or "frontend" */
    const char *backend;
    exo_sup_state_t state;
    long pid;               /* as the host sees it; -1 unknown (backend ABI 1.5) */
    const char *container;  /* NULL when none or unknown */
} exo_session_unit_t;

/** How many units the session has (services' instances and resource servers exo runs). */
size_t exo_session_unit_count(exo_session_t *s);
/** Unit @p i (0 .. count-1) into @p out; false past the end. */
bool exo_session_unit_at(exo_session_t *s, size_t i, exo_session_unit_t *out);

typedef enum exo_session_control { EXO_SESSION_STOP, EXO_SESSION_START,
                                   EXO_SESSION_RESTART } exo_session_control_t;
/** Stop (grace, then SIGKILL), start or restart unit @p name. 0, or < 0 with @p err filled
 *  (no such unit, the app is stopping, a resource that provisions once). */
int exo_session_control(exo_session_t *s, const char *name, exo_session_control_t what,
                        exo_error_t *err);

/** A long-lived bus client as @p role with the run's user token: what `exo send --as ROLE`
 *  joins as (the role's sends apply). NULL with @p err filled (no bus, unknown role). */
exo_busclient_t *exo_session_client_open(exo_session_t *s, const char *role, exo_error_t *err);

/** The broker's state (per-route counters, exo bus status --json); new reference or NULL. */
json_t *exo_session_bus_stats(exo_session_t *s);

/** Add @p key = @p value (reference taken) to the run record (.exo/run.json) when the
 *  session keeps one. 0 or -1. */
int exo_session_record(exo_session_t *s, const char *key, json_t *value);

/** A free loopback port that no public role of the app pins (for the dashboard). */
unsigned exo_session_free_port(const exo_session_t *s);

/** The run's backend: --backend when given, else the app's default (services may name their
 *  own). Borrowed. */
const char *exo_session_backend_name(const exo_session_t *s);

/** The registry the session loaded its plugins into (borrowed). */
const exo_registry_t *exo_session_registry(const exo_session_t *s);

/** Milliseconds since the session was created. */
unsigned long long exo_session_uptime_ms(const exo_session_t *s);

#endif /* EXO_CORE_SESSION_H */
