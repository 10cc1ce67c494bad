/* core/dashboard/dashserve.c - the dashboard's server: the websocket frontend plugin in the exo
 * process, the page's connections with the access token, the session's observer feeding the
 * model, and the batched pushes. See dashserve.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/log.h"
#include "base/util.h"
#include "dashserve_int.h"
#include "frontend/feopen.h"
#include "run/output.h"
#include "run/portcheck.h"
#include "run/unitstats.h"

#define PUSH_MS 100u
#define STATS_TICKS 10u    /* dash.stats every 10 pushes: once a second */

static long long wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

const char *exo_dashserve_files(void)
{
    const char *dir = getenv("EXO_DASHBOARD_DIR");
    return dir != NULL && dir[0] != '\0' ? dir : EXO_DATADIR "/dashboard";
}

/* Equal without telling how much of it matched, by how long it took. */
static bool token_equal(const char *given, const char *token)
{
    size_t n = strlen(token);
    if (given == NULL || strlen(given) != n) {
        return false;
    }
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= (unsigned char)(given[i] ^ token[i]);
    }
    return diff == 0;
}

/* ---- delivering ---- */

void exo_dash_deliver(exo_dashserve_t *d, exo_conn_id_t conn, const char *request,
                      const char *name, json_t *payload)
{
    char *text = payload != NULL ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    exo_frontend_msg_t m = {.size = sizeof m, .name = name, .payload = text,
                            .payload_len = text != NULL ? strlen(text) : 0,
                            .activity = "dashboard", .request = request};
    d->ops->deliver(d->inst, conn, &m);
    free(text);
}

void exo_dash_error(exo_dashserve_t *d, exo_conn_id_t conn, const char *request,
                    const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = exo_vstrdupf(fmt, ap);
    va_end(ap);
    exo_frontend_msg_t m = {.size = sizeof m, .activity = "dashboard", .request = request,
                            .error = kind, .message = text};
    d->ops->deliver(d->inst, conn, &m);
    free(text);
}

/* One push to every page: the text is built once. */
static void broadcast(exo_dashserve_t *d, const char *name, json_t *payload)
{
    if (payload == NULL) {
        return;
    }
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    exo_frontend_msg_t m = {.size = sizeof m, .name = name, .payload = text,
                            .payload_len = text != NULL ? strlen(text) : 0,
                            .activity = "dashboard"};
    /* Ids first: a delivery may make the plugin drop a connection. */
    exo_conn_id_t ids[EXO_DASH_MAX_CONNECTIONS];
    size_t n = 0;
    for (size_t i = 0; i < d->n_conns; i++) {
        if (!d->conns[i].refused) {
            ids[n++] = d->conns[i].id;
        }
    }
    for (size_t i = 0; i < n && text != NULL; i++) {
        d->ops->deliver(d->inst, ids[i], &m);
    }
    free(text);
}

/* ---- the model from the session ---- */

const char *exo_dash_state_name(exo_sup_state_t st)
{
    switch (st) {
    case EXO_SUP_STARTING: return "starting";
    case EXO_SUP_READY: return "ready";
    case EXO_SUP_BACKOFF: return "restarting";
    case EXO_SUP_FAILED: return "failed";
    default: return "stopped";
    }
}

static void set_colour(void *arg, const char *prefix, unsigned colour)
{
    exo_dashstate_set_colour(arg, prefix, colour);
}

void exo_dash_refresh_units(exo_dashserve_t *d)
{
    exo_session_unit_t u;
    exo_output_t *out = exo_session_output(d->s);
    for (size_t i = 0; exo_session_unit_at(d->s, i, &u); i++) {
        exo_dashstate_unit(d->ds, u.name, u.kind, u.backend, u.pid, u.container);
    }
    exo_output_colours(out, set_colour, d->ds);
}

static void on_unit(void *arg, const char *unit, exo_sup_state_t st, int exit_code, int sig)
{
    exo_dashserve_t *d = arg;
    if (st == EXO_SUP_STOPPING) {
        return; /* on its way: what it becomes is told */
    }
    bool crashed = (st == EXO_SUP_BACKOFF || st == EXO_SUP_FAILED) &&
                   (exit_code >= 0 || sig > 0);
    exo_dashstate_unit_state(d->ds, unit, exo_dash_state_name(st), crashed, exit_code, sig,
                             wall_ms());
}

static void on_line(void *arg, const char *role, int stream, const char *line, size_t len)
{
    exo_dashserve_t *d = arg;
    exo_dashstate_line(d->ds, role, exo_output_stream_name(stream), line, len, wall_ms());
}

static void on_trace(void *arg, const exo_bus_trace_t *t)
{
    exo_dashserve_t *d = arg;
    if (strcmp(t->event, "message") != 0 || t->sender == NULL || t->name == NULL) {
        return;
    }
    exo_dash_msg_t m = {.sender = t->sender, .receiver = t->receiver, .name = t->name,
                        .name_len = t->name_len, .internal_name = t->internal_name,
                        .outcome = t->outcome};
    if (EXO_HAS(t, exo_bus_trace_t, payload_len)) {
        m.activity = t->activity;
        m.id = t->id;
        m.payload = t->payload;
        m.payload_len = t->payload_len;
    }
    exo_dashstate_message(d->ds, &m, wall_ms());
    exo_dash_sends_traced(d, t);
}

/* ---- pushes ---- */

static dash_sample_t *sample_of(exo_dashserve_t *d, const char *unit)
{
    for (size_t i = 0; i < d->n_samples; i++) {
        if (strcmp(d->samples[i].unit, unit) == 0) {
            return &d->samples[i];
        }
    }
    d->samples = exo_xrealloc(d->samples, (d->n_samples + 1) * sizeof *d->samples);
    dash_sample_t *sm = &d->samples[d->n_samples++];
    *sm = (dash_sample_t){.unit = exo_xstrdup(unit), .pid = -1};
    return sm;
}

/* One unit's figures, its CPU use since the last reading (0 on the first, or a new pid). */
static json_t *unit_stats(exo_dashserve_t *d, const exo_session_unit_t *u)
{
    exo_unitstats_t st;
    if (u->pid <= 0 || exo_unitstats_read(u->pid, &st) < 0) {
        return NULL;
    }
    dash_sample_t *sm = sample_of(d, u->name);
    unsigned long long now = exo_now_ms();
    double cpu = sm->pid == u->pid
                     ? exo_unitstats_cpu_percent(sm->cpu_ns, st.cpu_ns,
                                                 (uint64_t)(now - sm->at_ms) * 1000000u)
                     : 0.0;
    *sm = (dash_sample_t){.unit = sm->unit, .pid = u->pid, .cpu_ns = st.cpu_ns, .at_ms = now};
    return json_pack("{s:f,s:I}", "cpu", cpu, "rss", (json_int_t)st.rss_bytes);
}

/* dash.stats: every running unit's CPU (percent of one core) and memory. */
static void push_stats(exo_dashserve_t *d)
{
    json_t *units = json_object();
    exo_session_unit_t u;
    for (size_t i = 0; exo_session_unit_at(d->s, i, &u); i++) {
        json_t *one = unit_stats(d, &u);
        if (one != NULL) {
            json_object_set_new(units, u.name, one);
        }
    }
    broadcast(d, "dash.stats", json_pack("{s:o}", "units", units));
}

void exo_dash_push_now(exo_dashserve_t *d)
{
    if (d->n_conns == 0) {
        exo_dashstate_mark_pushed(d->ds); /* no page: build nothing */
        return;
    }
    exo_dash_refresh_units(d);
    broadcast(d, "dash.units", exo_dashstate_push_units(d->ds));
    broadcast(d, "dash.logs", exo_dashstate_push_logs(d->ds));
    broadcast(d, "dash.flow", exo_dashstate_push_flow(d->ds, wall_ms()));
}

static void on_tick(void *arg)
{
    exo_dashserve_t *d = arg;
    exo_dash_push_now(d);
    if (++d->ticks % STATS_TICKS == 0 && d->n_conns > 0) {
        push_stats(d);
    }
}

/* ---- the plugin's bus: connections ---- */

static dash_conn_t *conn_find(exo_dashserve_t *d, exo_conn_id_t id)
{
    for (size_t i = 0; i < d->n_conns; i++) {
        if (d->conns[i].id == id) {
            return &d->conns[i];
        }
    }
    return NULL;
}

static exo_conn_id_t conn_open(exo_frontend_bus_t *bus, const char *peer,
                               const char *credential, exo_error_t *err)
{
    exo_dashserve_t *d = (exo_dashserve_t *)bus;
    (void)peer;
    if (d->n_conns == EXO_DASH_MAX_CONNECTIONS) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "the dashboard takes at most %u pages at once",
                      EXO_DASH_MAX_CONNECTIONS);
        return 0;
    }
    dash_conn_t *c = &d->conns[d->n_conns++];
    *c = (dash_conn_t){.id = ++d->next_id, .refused = !token_equal(credential, d->token)};
    if (c->refused) {
        d->ops->auth_done(d->inst, c->id, NULL, "not-authorised",
                          "this page needs the URL exo printed, with its token");
    } else {
        d->ops->auth_done(d->inst, c->id, NULL, NULL, NULL);
    }
    return c->id;
}

static int conn_send(exo_frontend_bus_t *bus, exo_conn_id_t conn, const char *name,
                     const char *payload, size_t len, const char *request, unsigned timeout_ms,
                     exo_error_t *err)
{
    exo_dashserve_t *d = (exo_dashserve_t *)bus;
    (void)timeout_ms;
    dash_conn_t *c = conn_find(d, conn);
    if (c == NULL) {
        return exo_error_set(err, EXO_ERR_NOTFOUND, "no connection %llu",
                             (unsigned long long)conn);
    }
    if (c->refused) {
        return 0;
    }
    exo_dash_command(d, conn, name, payload, len, request);
    return 0;
}

static void conn_close(exo_frontend_bus_t *bus, exo_conn_id_t conn)
{
    exo_dashserve_t *d = (exo_dashserve_t *)bus;
    dash_conn_t *c = conn_find(d, conn);
    if (c != NULL) {
        *c = d->conns[--d->n_conns];
        exo_dash_sends_forget(d, conn);
    }
}

static const exo_frontend_bus_ops_t dash_bus_ops = {
    .size = sizeof dash_bus_ops, .conn_open = conn_open, .conn_send = conn_send,
    .conn_close = conn_close,
};

/* ---- open and close ---- */

int exo_dashserve_check_port(unsigned port, exo_error_t *err)
{
    exo_error_t perr = {0};
    if (port != 0 && exo_portcheck_listen("127.0.0.1", port, &perr) < 0) {
        return exo_error_set(err, perr.code, "--dashboard-port %u: %s; pick another port or "
                             "leave the option out (exo then picks a free one)", port,
                             perr.message);
    }
    return EXO_OK;
}

/* The plugin's settings: the page's files when they are installed (else the protocol only). */
static json_t *plugin_config(void)
{
    const char *dir = exo_dashserve_files();
    if (!exo_path_is_dir(dir)) {
        exo_warn("the dashboard's page is not installed (no directory %s; set "
                 "EXO_DASHBOARD_DIR to where its files are): the dashboard serves its protocol "
                 "only", dir);
        return json_object();
    }
    return json_pack("{s:s}", "static", dir);
}

static int open_plugin(exo_dashserve_t *d, exo_error_t *err)
{
    d->plugin = exo_registry_find(exo_session_registry(d->s), EXO_KIND_FRONTEND, "websocket");
    if (d->plugin == NULL) {
        return exo_error_set(err, EXO_ERR_NOTFOUND, "the dashboard needs the websocket "
                             "frontend plugin, which is not installed or does not load ('exo "
                             "plugins' says why); run with --no-dashboard to go without");
    }
    d->ops = d->plugin->desc->ops;
    char *listen = exo_strdupf("127.0.0.1:%u", d->port);
    json_t *config = plugin_config();
    exo_frontend_spec_t spec = {
        .size = sizeof spec, .app = d->app->name, .app_dir = d->app->dir,
        .role = "dashboard", .listen = listen, .config = config,
        .max_message_size = d->app->bus_max_message_size, .bus_ops = &dash_bus_ops,
        .bus = (exo_frontend_bus_t *)d, .access_token = d->token,
    };
    exo_error_t perr = {0};
    int rc = exo_frontend_open(d->plugin, &spec, &d->inst, &perr);
    if (rc < 0) {
        exo_error_set(err, rc, "the dashboard cannot listen on %s: %s", listen, perr.message);
    }
    json_decref(config);
    free(listen);
    return rc;
}

exo_dashserve_t *exo_dashserve_open(exo_session_t *s, const exo_app_t *app, unsigned port,
                                    exo_error_t *err)
{
    exo_dashserve_t *d = exo_xcalloc(1, sizeof *d);
    d->s = s;
    d->app = app;
    d->loop = exo_session_loop(s);
    d->port = port != 0 ? port : exo_session_free_port(s);
    if (exo_random_hex(d->token, 16) < 0) {
        exo_error_set(err, EXO_ERR_IO, "cannot draw the dashboard's token (getrandom failed)");
        free(d);
        return NULL;
    }
    d->ds = exo_dashstate_new(app, exo_output_masker(exo_session_output(s)), 0, 0);
    exo_dashstate_set_run(d->ds, exo_session_backend_name(s), wall_ms());
    if (open_plugin(d, err) < 0) {
        exo_dashstate_free(&d->ds);
        free(d);
        return NULL;
    }
    d->url = exo_strdupf("http://127.0.0.1:%u/%s/", d->port, d->token);
    exo_session_observer_t obs = {.on_unit = on_unit, .on_line = on_line,
                                  .on_trace = on_trace, .arg = d};
    exo_session_observe(s, &obs);
    d->tick_timer = exo_loop_timer(d->loop, PUSH_MS, true, on_tick, d);
    return d;
}

const char *exo_dashserve_url(const exo_dashserve_t *d)
{
    return d->url;
}

unsigned exo_dashserve_port(const exo_dashserve_t *d)
{
    return d->port;
}

void exo_dashserve_close(exo_dashserve_t **d_p)
{
    exo_dashserve_t *d = *d_p;
    if (d == NULL) {
        return;
    }
    exo_session_observe(d->s, NULL);
    if (d->tick_timer > 0) {
        exo_loop_timer_cancel(d->loop, d->tick_timer);
    }
    d->ops->close(d->inst);
    exo_dash_sends_close(d);
    for (size_t i = 0; i < d->n_samples; i++) {
        free(d->samples[i].unit);
    }
    free(d->samples);
    exo_dashstate_free(&d->ds);
    free(d->url);
    free(d);
    *d_p = NULL;
}
