/*
 * plugins/backend-common/ctrunit.h - the life of a unit on either container engine: the
 * core's callbacks, the exit that waits a little for the last output, the exit reported for a
 * unit that never ran, and the launch of a unit whose turn came in the engine queue. How a
 * backend talks to its engine (HTTP requests, child processes) stays in the backend, behind
 * two hooks.
 *
 * A backend's struct exo_unit starts with a ctr_unit_t, so each converts into the other.
 * Ownership: the unit belongs to the backend and nothing here frees it, but the core's on_exit
 * (called from ctr_unit_report) may release it. Threading: the loop thread only.
 */
#ifndef EXO_PLUGINS_CTRUNIT_H
#define EXO_PLUGINS_CTRUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <exo/backend.h>

/** The host address to publish @p spec's ports on: its publish_address (ABI 1.3, a public
 *  endpoint's bind), else 127.0.0.1, also for an older core's shorter spec. Borrowed. */
const char *ctr_unit_publish_address(const exo_unit_spec_t *spec);

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
    /* Backend ABI 1.5 (unit_pid, unit_container): what the engine said of the container. */
    long pid;            /* its State.Pid on the host once inspected after the start; -1 */
    char container[13];  /* its short id (12 hex digits) once the engine named it; "" */
};

void ctr_unit_init(ctr_unit_t *u, const exo_host_t *host, const exo_unit_spec_t *spec,
                   void (*finish)(ctr_unit_t *u), int (*launch)(ctr_unit_t *u, exo_error_t *err));

/** A ctr_line_fn handing the unit's output lines (arg: the ctr_unit_t) to the core. */
void ctr_unit_output(void *arg, int stream, const char *line, size_t len);

void ctr_unit_cancel_linger(ctr_unit_t *u);

/** The output stream ended. */
void ctr_unit_logs_done(ctr_unit_t *u);

/** The container exited with @p status; its last output may still be on the way. */
void ctr_unit_exited(ctr_unit_t *u, int status);

/** The unit never ran, or was cancelled before it did: report it as an exit now, after a
 *  stderr line "exo: @p why" (when not NULL). */
void ctr_unit_fail(ctr_unit_t *u, const char *why);

/**
 * The container runs and its output and exit are followed. False when a stop or kill came
 * meanwhile: the caller kills it now, and the core hears of it only through the exit.
 */
bool ctr_unit_started(ctr_unit_t *u);

/**
 * Whether a stop or kill of @p u has nothing to send to the engine: the container does not
 * run yet (the unit is cancelled: its create/run or its turn in the queue ends it) or it
 * exited already.
 */
bool ctr_unit_settled(ctr_unit_t *u);

/** A queued unit's turn (ctr_queue_leave's launch). */
bool ctr_unit_launch_queued(void *item);

/** The engine named the container @p id (create's Id, `podman run --detach`'s output): its
 *  first 12 hex digits become the unit's container id. Anything else (the name used until
 *  then) is ignored. */
void ctr_unit_set_id(ctr_unit_t *u, const char *id);

/**
 * What an inspect of the running container said: Docker's GET /containers/ID/json object or
 * `podman container inspect`'s array of one. Takes State.Pid (when > 0 and the container
 * still runs, as the engine saw it) and Id. Returns false when @p inspect has no pid.
 */
bool ctr_unit_learn(ctr_unit_t *u, const json_t *inspect);

/** ops.unit_pid (backend ABI 1.5): the container's main process as the host sees it while it
 *  runs and its exit has not been seen; -1 otherwise or when not learned. */
long ctr_unit_pid(void *inst, exo_unit_t *unit);
/** ops.unit_container: the short id, or NULL before the engine named it. */
const char *ctr_unit_container(void *inst, exo_unit_t *unit);

/* In a backend's exo_backend_ops_t initialiser, for a struct exo_unit that starts with a
 * ctr_unit_t. */
#define CTR_UNIT_OPS .unit_pid = ctr_unit_pid, .unit_container = ctr_unit_container

#endif /* EXO_PLUGINS_CTRUNIT_H */
