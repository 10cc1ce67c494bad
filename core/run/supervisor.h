/*
 * core/run/supervisor.h - one unit's life on a backend: start it, decide when it is ready
 * (online text in its output, its port accepting connections, bus registration reported by
 * the caller, a custom check for resources, or started and still running after a settle
 * time), time readiness out, report crashes with exit code or signal, restart it per policy
 * with exponential backoff up to a maximum (never after exit 126 or 127 before it was ready:
 * its command cannot run, a restart cannot help), and stop or kill it. The supervisor decides nothing about other units; it reports
 * every state change to its owner (core/run/session.c).
 *
 * It never prepares (builds) a unit: the session does, before it starts one.
 *
 * Ownership: the supervisor copies the spec (and its unit spec) and owns the backend unit
 * while it runs.
 * Threading: loop thread only; callbacks run on the loop thread.
 */
#ifndef EXO_CORE_SUPERVISOR_H
#define EXO_CORE_SUPERVISOR_H

#include <stdbool.h>

#include <exo/backend.h>

#include "model/app.h"
#include "base/loop.h"

typedef enum exo_sup_state {
    EXO_SUP_IDLE = 0,  /* never started */
    EXO_SUP_STARTING,  /* running, not ready yet */
    EXO_SUP_READY,
    EXO_SUP_BACKOFF,   /* crashed, waiting to restart */
    EXO_SUP_STOPPING,
    EXO_SUP_STOPPED,   /* stopped on request, or a service that exited 0 under on-failure */
    EXO_SUP_FAILED,    /* could not start, readiness timed out, or gave up restarting */
    EXO_SUP_DONE       /* a task finished: see exo_sup_exit_status() */
} exo_sup_state_t;

typedef struct exo_sup exo_sup_t;

/** The readiness check of a resource: 1 ready, 0 not yet, < 0 failed (fills err). */
typedef int (*exo_sup_check_fn)(void *arg, exo_error_t *err);

typedef struct exo_sup_spec {
    /** What to start (core/run/unitspec.h). Deep-copied; its callbacks are ignored: the
     *  supervisor sets its own. */
    exo_unit_spec_t unit;

    /* Readiness. */
    exo_ready_kind_t ready;        /* resolved: never EXO_READY_AUTO */
    const char *online_text;
    exo_sup_check_fn check;        /* used when check != NULL, before the ready kind */
    void *check_arg;
    unsigned ready_timeout_ms;     /* 0 = none */
    unsigned settle_ms;            /* EXO_READY_STARTED: ready once it has run this long
                                    * (0 = at once); dying before is a failed start */

    /* Restarts: services only; tasks never restart. */
    exo_restart_policy_t restart;
    unsigned max_restarts;
    unsigned restart_base_ms;      /* first backoff delay; doubles each time, max 30 s */

    /* The backend the unit runs on. The owner has prepared the unit (prepare()) before it
     * asks for a start: the supervisor only starts, stops and watches. */
    const exo_backend_ops_t *ops;
    void *inst;
    bool async_start;              /* the backend has EXO_BACKEND_CAP_ASYNC_START */
    exo_loop_t *loop;

    void (*on_output)(void *arg, exo_sup_t *sup, int stream, const char *line, size_t len);
    /** After every state change. @p message explains FAILED, BACKOFF, crashes; else NULL. */
    void (*on_state)(void *arg, exo_sup_t *sup, exo_sup_state_t state, const char *message);
    void *arg;
} exo_sup_spec_t;

exo_sup_t *exo_sup_new(const exo_sup_spec_t *spec);
/** Kills a running unit without waiting; call it after the unit is gone in normal use. */
void exo_sup_destroy(exo_sup_t **sup_p);

/** Start (or start again). Failing to start reports FAILED through on_state. */
void exo_sup_start(exo_sup_t *sup);
/** Stop gracefully (SIGTERM, then SIGKILL after @p grace_ms); STOPPED is reported. */
void exo_sup_stop(exo_sup_t *sup, unsigned grace_ms);
/** Kill at once; STOPPED is reported when it is gone. */
void exo_sup_kill(exo_sup_t *sup);
/** Stop (if running) and start again, with a fresh restart budget. */
void exo_sup_restart(exo_sup_t *sup, unsigned grace_ms);
/** While a stop is under way (STOPPING): start again, with a fresh restart budget, once the
 *  unit is gone (as exo_sup_restart would, without stopping it a second time). */
void exo_sup_start_after_stop(exo_sup_t *sup);
/** The bus saw this role register: ready when the unit waits for that. */
void exo_sup_registered(exo_sup_t *sup);

exo_sup_state_t exo_sup_state(const exo_sup_t *sup);
const char *exo_sup_name(const exo_sup_t *sup);
/** True while a backend unit exists (started and not yet exited). */
bool exo_sup_running(const exo_sup_t *sup);
/** Exit status of a finished task (0 ok), or -1 when killed by a signal or not finished. */
int exo_sup_exit_status(const exo_sup_t *sup);
/** How the unit last exited: its exit code (-1 when killed by a signal or it never exited)
 *  and the signal (0 when none). */
void exo_sup_last_exit(const exo_sup_t *sup, int *code, int *sig);
/** The backend's unit while one exists (exo_sup_running), else NULL. Borrowed. */
exo_unit_t *exo_sup_unit(const exo_sup_t *sup);
/** Milliseconds from the last start() to readiness (or to exit for tasks). */
unsigned long long exo_sup_elapsed_ms(const exo_sup_t *sup);
/** The unit's own start-up: milliseconds from when it ran (the backend's on_running, or
 *  start() for backends that run a unit at once) to readiness. Engine work before the unit
 *  ran (creating a container) is not in it, nor the settle time (it says nothing of the
 *  unit). */
unsigned long long exo_sup_startup_ms(const exo_sup_t *s);
/** Milliseconds from the last start() to when the unit ran (the engine's work). */
unsigned long long exo_sup_ran_after_ms(const exo_sup_t *s);
/** What readiness waits for, e.g. "the text 'listening' in its output". Static or owned. */
const char *exo_sup_awaited(const exo_sup_t *sup);

#endif /* EXO_CORE_SUPERVISOR_H */
