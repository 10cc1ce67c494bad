/* core/run/session_life.c - a session's life: load the plugins, check the app's plugin
 * settings, clean up after an earlier run, build the nodes, record the run, start the bus;
 * signals; take it all down again. See session.h and session_int.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "model/statedir.h"
#include "plugins/settings.h"
#include "unitenv.h"
#include "record.h"
#include "session_int.h"

/* ---- signals ---- */

static void on_signal(int signo, void *arg)
{
    exo_session_t *s = arg;
    s->interrupts++;
    if (s->interrupts == 1) {
        exo_output_status(s->out, "%s received: stopping (again to kill at once)",
                          signo == SIGINT ? "Ctrl-C" : sigabbrev_np(signo));
        if (s->on_interrupt != NULL) {
            s->on_interrupt(s->int_arg);
        }
    } else {
        exo_output_status(s->out, "killing everything now");
        exo_session_kill(s);
    }
}

void exo_session_on_interrupt(exo_session_t *s, void (*fn)(void *arg), void *arg)
{
    s->on_interrupt = fn;
    s->int_arg = arg;
    exo_loop_signal(s->loop, SIGINT, on_signal, s);
    exo_loop_signal(s->loop, SIGTERM, on_signal, s);
    exo_loop_signal(s->loop, SIGHUP, on_signal, s);
}

static const char *backend_name_for(const exo_session_t *s, const exo_service_t *svc)
{
    if (svc != NULL && svc->frontend != NULL) {
        return "process"; /* it listens on the host's ports, whatever runs the services */
    }
    if (s->opts.backend != NULL) {
        return s->opts.backend;
    }
    if (svc != NULL && svc->backend != NULL) {
        return svc->backend;
    }
    return s->app->backend != NULL ? s->app->backend : "process";
}

/* ---- bus events ---- */

static void on_register(void *arg, const char *role)
{
    exo_session_t *s = arg;
    for (size_t i = 0; i < s->app->n_services; i++) {
        if (strcmp(s->nodes[i].name, role) != 0) {
            continue;
        }
        /* One registration readies one instance: the first still waiting for it. */
        exo_sup_t *sup;
        for (size_t k = 0; (sup = exo_session_node_sup(&s->nodes[i], k)) != NULL; k++) {
            if (exo_sup_state(sup) == EXO_SUP_STARTING) {
                exo_sup_registered(sup);
                break;
            }
        }
    }
}

static void on_trace(void *arg, const char *line)
{
    exo_session_t *s = arg;
    exo_output_line_buffered(s->out, "bus", EXO_OUT_BUS, line, strlen(line));
}

static void on_bus_idle(void *arg)
{
    exo_session_t *s = arg;
    exo_output_flush(s->out);
    if (s->obs.on_idle != NULL) {
        s->obs.on_idle(s->obs.arg);
    }
}

static void on_bus_event(void *arg, const exo_bus_trace_t *t)
{
    exo_session_t *s = arg;
    if (s->obs.on_trace != NULL) {
        s->obs.on_trace(s->obs.arg, t);
    }
}

/* ---- lifecycle ---- */

static int build_service_nodes(exo_session_t *s, exo_error_t *err)
{
    const exo_app_t *app = s->app;
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        node_t *n = &s->nodes[i];
        n->s = s;
        n->svc = svc;
        n->name = svc->role;
        n->be = exo_session_backend_get(s, backend_name_for(s, svc), err);
        if (n->be == NULL) {
            return EXO_ERR_NOTFOUND;
        }
        if (svc->port != 0 || svc->frontend != NULL) {
            /* A public role's host port is the one the app pinned; others are random. A
             * frontend always listens: on a port exo picks when it is not public. */
            n->host_port = svc->public_endpoint.port != 0 ? svc->public_endpoint.port
                                                          : exo_session_private_port(s);
            n->listen_port = n->be->containers ? svc->port : n->host_port;
            n->reach_port = n->be->containers ? svc->port : n->host_port;
        }
        n->deps = exo_xcalloc(svc->n_depends_on + svc->n_resources + 1, sizeof *n->deps);
        for (size_t d = 0; d < svc->n_depends_on; d++) {
            const exo_service_t *dep = exo_app_service(app, svc->depends_on[d]);
            if (dep != NULL) {
                n->deps[n->n_deps++] = (size_t)(dep - app->services);
            }
        }
    }
    return EXO_OK;
}

static int build_nodes(exo_session_t *s, exo_error_t *err)
{
    const exo_app_t *app = s->app;
    s->n_nodes = app->n_services + app->n_resources;
    s->nodes = exo_xcalloc(s->n_nodes + 1, sizeof *s->nodes);
    int rc = build_service_nodes(s, err);
    for (size_t i = 0; rc == 0 && i < app->n_resources; i++) {
        node_t *n = &s->nodes[app->n_services + i];
        n->s = s;
        n->is_resource = true;
        n->res = &app->resources[i];
        n->name = n->res->name;
        n->be = exo_session_backend_get(s, backend_name_for(s, NULL), err);
        rc = n->be == NULL ? EXO_ERR_NOTFOUND : exo_session_create_resource(s, n, err);
    }
    /* Resources a service uses are dependencies like depends-on roles. */
    for (size_t i = 0; rc == 0 && i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        node_t *n = &s->nodes[i];
        for (size_t r = 0; r < svc->n_resources; r++) {
            for (size_t k = app->n_services; k < s->n_nodes; k++) {
                if (strcmp(s->nodes[k].name, svc->resources[r]) == 0) {
                    n->deps[n->n_deps++] = k;
                }
            }
        }
    }
    return rc;
}

static void order_starts(exo_session_t *s)
{
    exo_starttimes_load(&s->starttimes, s->exo_dir);
    const char **node_names = exo_xcalloc(s->n_nodes + 1, sizeof *node_names);
    for (size_t i = 0; i < s->n_nodes; i++) {
        node_names[i] = s->nodes[i].name;
    }
    s->start_order = exo_xcalloc(s->n_nodes + 1, sizeof *s->start_order);
    exo_starttimes_order(&s->starttimes, node_names, s->n_nodes, s->start_order);
    free(node_names);
}

/* Record this run (the run record in the state directory), with the backends a later cleanup has to ask. */
static void record_run(exo_session_t *s)
{
    exo_strv_t names = {0};
    for (size_t i = 0; i < s->n_backends; i++) {
        exo_strv_push(&names, s->backends[i]->name);
    }
    if (exo_record_write(s->exo_dir, s->run_id, s->opts.command, &names) < 0) {
        exo_warn("cannot record this run in %s (%s); 'exo clean' will not find it",
                 s->exo_dir, strerror(errno));
    } else {
        s->recorded = true;
    }
    exo_strv_free(&names);
}

/* Refuse a second exo on the app; clean up after an earlier one that was killed. */
static int check_earlier_run(exo_session_t *s, exo_error_t *err)
{
    exo_record_t rs;
    if (!exo_record_read(s->exo_dir, &rs)) {
        return EXO_OK;
    }
    int rc = EXO_OK;
    if (exo_record_alive(&rs) && rs.pid != getpid()) {
        rc = exo_error_set(err, EXO_ERR_EXISTS, "exo %s is already running this app (pid %d); "
                           "stop it first, or run 'exo clean' to stop it and remove its state",
                           rs.command, (int)rs.pid);
    } else {
        exo_output_status(s->out, "cleaning up after an earlier run that did not shut down");
        exo_session_backends_cleanup(s, &rs.backends);
    }
    exo_record_free(&rs);
    return rc;
}

static int start_bus(exo_session_t *s, exo_error_t *err)
{
    const char *bind_host = NULL;
    int rc = exo_session_bus_bind_host(s, &bind_host, err);
    if (rc < 0) {
        return rc;
    }
    exo_busfeed_events_t ev = {.on_register = on_register, .on_trace = on_trace, .arg = s,
                               .on_idle = on_bus_idle, .on_event = on_bus_event};
    exo_error_t berr = {0};
    s->bus = exo_busfeed_start(s->app, s->reg, s->loop, bind_host, &ev, &berr);
    if (s->bus == NULL && berr.code == EXO_ERR_UNAVAILABLE) {
        exo_warn("running without the message bus: %s", berr.message);
    } else if (s->bus == NULL) {
        return exo_error_set(err, EXO_ERR_INTERNAL, "cannot start the message bus: %s",
                             berr.message);
    } else {
        exo_output_status(s->out, "bus listening on %s", exo_busfeed_endpoint(s->bus));
    }
    return EXO_OK;
}

static exo_session_t *session_alloc(const exo_app_t *app, const exo_session_opts_t *opts)
{
    exo_session_t *s = exo_xcalloc(1, sizeof *s);
    s->app = app;
    s->opts = *opts;
    s->t0 = exo_now_ms();
    s->exo_dir = exo_statedir(app->dir);
    s->run_id = exo_record_new_id();
    s->loop = exo_loop_new();
    exo_session_wire(s);
    char *logs = opts->record ? exo_statedir_logs(s->exo_dir) : NULL;
    s->out = exo_output_new(opts->quiet ? NULL : stdout, opts->format, logs);
    free(logs);
    for (size_t i = 0; i < app->n_services; i++) {
        exo_output_add_role(s->out, app->services[i].role);
    }
    for (size_t i = 0; i < app->n_resources; i++) {
        exo_output_add_role(s->out, app->resources[i].name);
    }
    if (!opts->quiet) {
        exo_session_log_attach(s);
        s->log_attached = true;
    }
    return s;
}

/* The app's plugin blocks against the keys the plugins declare, before anything starts.
 * Prints the findings (with their positions); false when one is an error. */
static bool settings_ok(const exo_app_t *app, const exo_registry_t *reg)
{
    exo_diag_t diag;
    exo_diag_init(&diag);
    size_t errors = exo_settings_check_app(app, reg, &diag);
    exo_diag_print(&diag, stderr, exo_use_color(2));
    exo_diag_free(&diag);
    return errors == 0;
}

exo_session_t *exo_session_new(const exo_app_t *app, const exo_session_opts_t *opts,
                               exo_error_t *err)
{
    /* `exo run | head` must not kill exo (and orphan the app) when the reader goes away. */
    signal(SIGPIPE, SIG_IGN);
    exo_session_t *s = session_alloc(app, opts);
    exo_registry_opts_t ro = {.app_dir = app->dir, .loop = s->loop, .load_app = opts->load_app};
    s->reg = exo_registry_open(&ro);
    int rc = EXO_OK;
    if (!settings_ok(app, s->reg)) {
        rc = err->code = EXO_ERR_INVALID;
        err->message[0] = '\0'; /* reported above */
    }
    if (rc == 0 && opts->record) {
        rc = check_earlier_run(s, err);
    }
    if (rc == 0) {
        rc = build_nodes(s, err);
    }
    if (rc == 0) {
        order_starts(s);
        if (opts->record) {
            record_run(s);
        }
        rc = opts->bus ? start_bus(s, err) : EXO_OK;
    }
    if (rc == 0) {
        exo_session_mask_app(s);
    }
    if (rc < 0) {
        exo_session_destroy(&s);
        return NULL;
    }
    return s;
}

void exo_session_destroy(exo_session_t **s_p)
{
    exo_session_t *s = *s_p;
    if (s == NULL) {
        return;
    }
    exo_watch_destroy(&s->watch);
    /* Normally everything is down already; this is for error paths. */
    exo_session_kill(s);
    unsigned long long end = exo_now_ms() + 3000;
    while (exo_session_units_running(s) && exo_now_ms() < end) {
        exo_loop_once(s->loop, 50);
    }
    exo_session_tasks_free(s);
    for (size_t i = 0; i < s->n_nodes; i++) {
        node_t *n = &s->nodes[i];
        exo_sup_destroy(&n->sup);
        for (size_t k = 0; k < n->n_copies; k++) {
            exo_sup_destroy(&n->copies[k]);
        }
        free(n->copies);
        exo_strv_free(&n->secrets);
        exo_strv_free(&n->tail);
        if (n->rinst != NULL) {
            n->rops->destroy(n->rinst);
        }
        free(n->deps);
    }
    free(s->nodes);
    exo_busfeed_stop(&s->bus);
    exo_session_backends_close(s);
    if (s->recorded) {
        if (exo_starttimes_save(&s->starttimes, s->exo_dir) < 0) {
            exo_warn("cannot save the start-up times in %s (%s)", s->exo_dir, strerror(errno));
        }
        exo_record_remove(s->exo_dir);
    }
    exo_starttimes_free(&s->starttimes);
    free(s->start_order);
    exo_registry_destroy(&s->reg);
    if (s->log_attached) {
        exo_session_log_detach(s);
    }
    exo_output_destroy(&s->out);
    exo_loop_destroy(&s->loop);
    free(s->exo_dir);
    free(s->run_id);
    free(s);
    *s_p = NULL;
}

exo_loop_t *exo_session_loop(exo_session_t *s)
{
    return s->loop;
}

exo_output_t *exo_session_output(exo_session_t *s)
{
    return s->out;
}

unsigned long long exo_session_uptime_ms(const exo_session_t *s)
{
    return exo_now_ms() - s->t0;
}

