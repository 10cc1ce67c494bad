/* core/run/session_observe.c - a running session seen and steered from outside the run
 * engine (the dashboard): its one observer, its units as they are now, stop/start/restart of
 * one unit, and bus clients as a role with the run's user token. See session.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "record.h"
#include "session_int.h"

static void tap_line(void *arg, const char *role, int stream, const char *line, size_t len)
{
    exo_session_t *s = arg;
    if (s->obs.on_line != NULL) {
        s->obs.on_line(s->obs.arg, role, stream, line, len);
    }
}

void exo_session_observe(exo_session_t *s, const exo_session_observer_t *obs)
{
    s->obs = obs != NULL ? *obs : (exo_session_observer_t){0};
    exo_output_set_tap(s->out, obs != NULL && obs->on_line != NULL ? tap_line : NULL, s);
}

void exo_session_observe_state(exo_session_t *s, exo_sup_t *sup, exo_sup_state_t st)
{
    if (s->obs.on_unit == NULL) {
        return;
    }
    int code = -1, sig = 0;
    if (st == EXO_SUP_BACKOFF || st == EXO_SUP_FAILED || st == EXO_SUP_STOPPED) {
        exo_sup_last_exit(sup, &code, &sig);
    }
    s->obs.on_unit(s->obs.arg, exo_sup_name(sup), st, code, sig);
}

/* The supervisor of unit @p i over every node's units in order, and its node. */
static exo_sup_t *unit_sup(exo_session_t *s, size_t i, node_t **node)
{
    for (size_t k = 0; k < s->n_nodes; k++) {
        exo_sup_t *sup;
        for (size_t c = 0; (sup = exo_session_node_sup(&s->nodes[k], c)) != NULL; c++) {
            if (i-- == 0) {
                *node = &s->nodes[k];
                return sup;
            }
        }
    }
    return NULL;
}

/* Where the unit runs as the host sees it: backend ABI 1.5 (unit_pid, unit_container). */
static void unit_place(const node_t *n, exo_sup_t *sup, exo_session_unit_t *out)
{
    exo_unit_t *unit = exo_sup_unit(sup);
    const exo_backend_ops_t *ops = n->be != NULL ? n->be->ops : NULL;
    if (unit == NULL || ops == NULL) {
        return;
    }
    if (EXO_HAS(ops, exo_backend_ops_t, unit_pid) && ops->unit_pid != NULL) {
        out->pid = ops->unit_pid(n->be->inst, unit);
    }
    if (EXO_HAS(ops, exo_backend_ops_t, unit_container) && ops->unit_container != NULL) {
        out->container = ops->unit_container(n->be->inst, unit);
    }
}

size_t exo_session_unit_count(exo_session_t *s)
{
    size_t n = 0;
    node_t *node;
    while (unit_sup(s, n, &node) != NULL) {
        n++;
    }
    return n;
}

bool exo_session_unit_at(exo_session_t *s, size_t i, exo_session_unit_t *out)
{
    node_t *n = NULL;
    exo_sup_t *sup = unit_sup(s, i, &n);
    if (sup == NULL) {
        return false;
    }
    *out = (exo_session_unit_t){
        .name = exo_sup_name(sup),
        .kind = n->is_resource ? "resource" : n->svc->frontend != NULL ? "frontend" : "service",
        .backend = n->be != NULL ? n->be->name : "?",
        .state = exo_sup_state(sup),
        .pid = -1,
    };
    unit_place(n, sup, out);
    return true;
}

/* Unit @p name's supervisor, or NULL with @p err filled. */
static exo_sup_t *find_unit(exo_session_t *s, const char *name, exo_error_t *err)
{
    node_t *n;
    exo_sup_t *sup;
    for (size_t i = 0; (sup = unit_sup(s, i, &n)) != NULL; i++) {
        if (strcmp(exo_sup_name(sup), name) == 0) {
            return sup;
        }
    }
    exo_error_set(err, EXO_ERR_NOTFOUND, "no unit '%s' runs in this app", name);
    return NULL;
}

int exo_session_control(exo_session_t *s, const char *name, exo_session_control_t what,
                        exo_error_t *err)
{
    exo_sup_t *sup = find_unit(s, name, err);
    if (sup == NULL) {
        return err->code;
    }
    if (s->down_pending) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "the app is stopping");
    }
    unsigned grace = s->app->shutdown_grace_ms;
    exo_sup_state_t st = exo_sup_state(sup);
    bool stopping = exo_sup_running(sup) && st == EXO_SUP_STOPPING;
    bool down = st == EXO_SUP_STOPPED || st == EXO_SUP_FAILED || st == EXO_SUP_DONE ||
                st == EXO_SUP_IDLE;
    switch (what) {
    case EXO_SESSION_STOP:
        if (!down && !stopping) { /* running, or waiting to restart after a crash */
            exo_output_role_status(s->out, name, "stopping (asked from the dashboard)");
            exo_sup_stop(sup, grace);
        }
        break;
    case EXO_SESSION_START:
        if (stopping) {
            exo_output_role_status(s->out, name, "starting once it has stopped (asked from "
                                   "the dashboard)");
            exo_sup_start_after_stop(sup);
        } else if (down || st == EXO_SUP_BACKOFF) {
            exo_output_role_status(s->out, name, "starting (asked from the dashboard)");
            exo_sup_restart(sup, grace); /* a fresh restart budget, no backoff wait */
        }
        break;
    case EXO_SESSION_RESTART:
        exo_output_role_status(s->out, name, "restarting (asked from the dashboard)");
        if (stopping) {
            exo_sup_start_after_stop(sup);
        } else {
            exo_sup_restart(sup, grace);
        }
        break;
    }
    return EXO_OK;
}

exo_busclient_t *exo_session_client_open(exo_session_t *s, const char *role, exo_error_t *err)
{
    if (s->bus == NULL) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "no message bus runs");
        return NULL;
    }
    if (exo_app_service(s->app, role) == NULL) {
        exo_error_set(err, EXO_ERR_NOTFOUND, "app %s has no role '%s'", s->app->name, role);
        return NULL;
    }
    const exo_plugin_t *transport = exo_bus_transport(s->app, s->reg, err);
    if (transport == NULL) {
        return NULL;
    }
    return exo_busclient_open_transient(transport, exo_busfeed_endpoint(s->bus), role,
                                        exo_busfeed_user_token(s->bus), "dashboard", err);
}

json_t *exo_session_bus_stats(exo_session_t *s)
{
    return exo_busfeed_stats(s->bus);
}

const exo_registry_t *exo_session_registry(const exo_session_t *s)
{
    return s->reg;
}

int exo_session_record(exo_session_t *s, const char *key, json_t *value)
{
    if (!s->recorded) {
        json_decref(value);
        return -1;
    }
    return exo_record_set(s->exo_dir, key, value);
}

const char *exo_session_backend_name(const exo_session_t *s)
{
    return s->opts.backend != NULL ? s->opts.backend : s->app->backend;
}

unsigned exo_session_free_port(const exo_session_t *s)
{
    return exo_session_private_port(s);
}
