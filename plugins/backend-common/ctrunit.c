/* plugins/backend-common/ctrunit.c - see ctrunit.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctrunit.h"

const char *ctr_unit_publish_address(const exo_unit_spec_t *spec)
{
    if (spec->size >= offsetof(exo_unit_spec_t, publish_address) + sizeof spec->publish_address
        && spec->publish_address != NULL) {
        return spec->publish_address;
    }
    return "127.0.0.1";
}

void ctr_unit_init(ctr_unit_t *u, const exo_host_t *host, const exo_unit_spec_t *spec,
                   void (*finish)(ctr_unit_t *u), int (*launch)(ctr_unit_t *u, exo_error_t *err))
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
    u->pid = -1;
    u->container[0] = '\0';
}

void ctr_unit_output(void *arg, int stream, const char *line, size_t len)
{
    ctr_unit_t *u = arg;
    if (u->on_output) {
        u->on_output(u->arg, stream, line, len);
    }
}

void ctr_unit_cancel_linger(ctr_unit_t *u)
{
    if (u->linger > 0) {
        u->host->timer_cancel(u->host, u->linger);
        u->linger = 0;
    }
}

/* Report the exit once it is known and the output is over (or, with @p force, given up on). */
static void ctr_unit_report(ctr_unit_t *u, bool force)
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

static void ctr_unit_linger_expired(void *arg)
{
    ctr_unit_t *u = arg;
    u->linger = 0;
    ctr_unit_report(u, true);
}

/* The output stream ended. */
void ctr_unit_logs_done(ctr_unit_t *u)
{
    u->logs_done = true;
    ctr_unit_report(u, false);
}

/* The container exited with @p status; its last output may still be on the way. */
void ctr_unit_exited(ctr_unit_t *u, int status)
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
void ctr_unit_fail(ctr_unit_t *u, const char *why)
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
bool ctr_unit_started(ctr_unit_t *u)
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
bool ctr_unit_settled(ctr_unit_t *u)
{
    if (!u->running) {
        u->cancel = true;
        return true;
    }
    return u->waited;
}

/* A queued unit's turn (ctr_queue_leave). */
bool ctr_unit_launch_queued(void *item)
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


void ctr_unit_set_id(ctr_unit_t *u, const char *id)
{
    if (id == NULL || strlen(id) < 12 || strspn(id, "0123456789abcdef") < 12) {
        return;
    }
    memcpy(u->container, id, 12);
    u->container[12] = '\0';
}

bool ctr_unit_learn(ctr_unit_t *u, const json_t *inspect)
{
    const json_t *c = json_is_array(inspect) ? json_array_get(inspect, 0) : inspect;
    ctr_unit_set_id(u, json_string_value(json_object_get(c, "Id")));
    const json_t *state = json_object_get(c, "State");
    json_int_t pid = json_integer_value(json_object_get(state, "Pid"));
    if (pid <= 0 || !json_is_true(json_object_get(state, "Running"))) {
        return false;
    }
    u->pid = (long)pid;
    return true;
}

long ctr_unit_pid(void *inst, exo_unit_t *unit)
{
    (void)inst;
    const ctr_unit_t *u = (const ctr_unit_t *)unit;
    return u != NULL && u->running && !u->waited ? u->pid : -1;
}

const char *ctr_unit_container(void *inst, exo_unit_t *unit)
{
    (void)inst;
    const ctr_unit_t *u = (const ctr_unit_t *)unit;
    return u != NULL && u->container[0] != '\0' ? u->container : NULL;
}
