/* core/run/session.c - bringing an app up and down: the dependency order, readiness,
 * prepare, tasks, shutdown in order. See session.h and session_int.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "masker.h"
#include "session_int.h"

/* What a failure shows of the unit's output: its last lines, each cut at a length. */
#define TAIL_LINES 5
#define TAIL_LINE_MAX 300

/* ---- node state ---- */

static bool node_ready(const node_t *n)
{
    if (n->is_resource && n->no_server) {
        return n->ready_noserver;
    }
    if (n->completed) {
        return true;
    }
    exo_sup_t *sup;
    for (size_t i = 0; (sup = exo_session_node_sup(n, i)) != NULL; i++) {
        if (exo_sup_state(sup) != EXO_SUP_READY) {
            return false;
        }
    }
    return n->sup != NULL;
}

size_t exo_session_instances(const exo_service_t *svc)
{
    return svc->port != 0 ? 1 : svc->instances;
}

exo_sup_t *exo_session_node_sup(const node_t *n, size_t i)
{
    if (n->sup == NULL) {
        return NULL;
    }
    return i == 0 ? n->sup : i <= n->n_copies ? n->copies[i - 1] : NULL;
}

/* The pending up() is over: all ready (@p ok), or one failed. */
static void up_finish(exo_session_t *s, bool ok)
{
    if (!s->up_pending) {
        return;
    }
    s->up_pending = false;
    size_t count = 0, frontends = 0;
    for (size_t i = 0; i < s->app->n_services; i++) {
        count += s->nodes[i].wanted;
        frontends += s->nodes[i].wanted && s->app->services[i].frontend != NULL;
    }
    if (s->recorded && exo_starttimes_save(&s->starttimes, s->exo_dir) < 0) {
        exo_warn("cannot save the start-up times in %s (%s)", s->exo_dir, strerror(errno));
    }
    if (ok && (count > 0 || s->up_all)) {
        size_t services = count - frontends;
        char fe[48] = "";
        if (frontends > 0) {
            snprintf(fe, sizeof fe, ", %zu frontend%s", frontends, frontends == 1 ? "" : "s");
        }
        exo_output_status(s->out, "all services ready (%zu service%s%s) in %llu ms", services,
                          services == 1 ? "" : "s", fe, exo_now_ms() - s->up_t0);
        exo_session_public_announce(s);
    }
    if (s->on_up != NULL) {
        s->on_up(s->up_arg, ok);
    }
}

static void check_up(exo_session_t *s)
{
    if (!s->up_pending) {
        return;
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (s->nodes[i].wanted && !node_ready(&s->nodes[i])) {
            return;
        }
    }
    up_finish(s, true);
}

/* A node could not come up: say why, and the pending up() has failed. */
static void node_failed(exo_session_t *s, const node_t *n, const char *why)
{
    exo_output_role_status(s->out, n->name, "failed: %s", why);
    up_finish(s, false);
}

static const char *ready_word(exo_ready_kind_t k)
{
    switch (k) {
    case EXO_READY_ONLINE_TEXT: return "online text seen";
    case EXO_READY_PORT: return "port open";
    case EXO_READY_BUS: return "registered on the bus";
    default: return "started";
    }
}

static exo_ready_kind_t resolve_ready(const exo_session_t *s, const exo_service_t *svc)
{
    exo_ready_kind_t k = svc->ready;
    if (k == EXO_READY_AUTO) {
        if (svc->online_text != NULL) {
            k = EXO_READY_ONLINE_TEXT;
        } else if (svc->port != 0) {
            k = EXO_READY_PORT;
        } else if (svc->n_sends + svc->n_receives > 0) {
            k = EXO_READY_BUS;
        } else {
            k = EXO_READY_STARTED;
        }
    }
    if (k == EXO_READY_BUS && s->bus == NULL) {
        k = EXO_READY_STARTED;
    }
    return k;
}

/* Keep the last lines of a unit's output for its failure message: masked before they are cut,
 * so that a cut never leaves part of a secret. Of a line longer than a piece only the first
 * piece is kept: a later one may begin with the rest of a secret split between the two. */
static void keep_tail(node_t *n, int stream, const char *line, size_t len)
{
    bool *in_long_line = &n->tail_in_long_line[stream == EXO_STREAM_STDERR];
    bool continued = *in_long_line;
    *in_long_line = len >= EXO_OUTPUT_PIECE;
    if (continued) {
        return;
    }
    const exo_masker_t *m = exo_output_masker(n->s->out);
    char *masked = exo_masker_empty(m) ? exo_xstrndup(line, len)
                                       : exo_masker_apply(m, line, len, NULL);
    if (strlen(masked) > TAIL_LINE_MAX) { /* a NUL in the line ends it here */
        memcpy(masked + TAIL_LINE_MAX - 3, "...", 4);
    }
    if (n->tail.n == TAIL_LINES) {
        free(n->tail.v[0]);
        memmove(n->tail.v, n->tail.v + 1, (TAIL_LINES - 1) * sizeof *n->tail.v);
        n->tail.n--;
    }
    exo_strv_push_owned(&n->tail, masked);
}

/* After "ROLE failed: ...": what it printed last, indented under "ROLE's last output:" (not as
 * "ROLE | ...": those are the lines the unit printed itself). */
static void say_tail(exo_session_t *s, const node_t *n)
{
    if (n->tail.n == 0) {
        return;
    }
    exo_output_status(s->out, "%s's last output:", n->name);
    for (size_t i = 0; i < n->tail.n; i++) {
        exo_output_status(s->out, "  %s", n->tail.v[i]);
    }
}

static void node_output(void *arg, exo_sup_t *sup, int stream, const char *line, size_t len)
{
    node_t *n = arg;
    keep_tail(n, stream, line, len);
    exo_output_unit_line(n->s->out, n->name,
                         stream == EXO_STREAM_STDERR ? EXO_OUT_STDERR : EXO_OUT_STDOUT, line,
                         len);
}

/* A resource server that went down while the app runs: say in the log which services lose it,
 * since they see only a failing connection. */
static void tell_resource_users(exo_session_t *s, node_t *n, const char *what)
{
    if (!n->is_resource || s->down_pending) {
        return;
    }
    exo_buf_t users = {0};
    for (size_t i = 0; i < s->app->n_services; i++) {
        const exo_service_t *svc = &s->app->services[i];
        for (size_t j = 0; j < svc->n_resources; j++) {
            if (strcmp(svc->resources[j], n->name) == 0) {
                exo_buf_printf(&users, "%s%s", users.len ? ", " : "", svc->role);
            }
        }
    }
    if (users.len > 0) {
        exo_output_role_status(s->out, n->name, "went away under %s: %s", users.data, what);
    }
    exo_buf_free(&users);
}

/* "ROLE ready in N ms (HOW)"; on a container backend also when the container ran, so that a
 * user sees whether the engine or the service took the time. */
static void say_ready(exo_session_t *s, const node_t *n, const exo_sup_t *sup)
{
    const char *how = n->is_resource ? "readiness check passed"
                                     : ready_word(resolve_ready(s, n->svc));
    unsigned long long total = exo_sup_elapsed_ms(sup);
    if (n->be->async_start) {
        exo_output_role_status(s->out, n->name, "ready in %llu ms (%s; its container ran after "
                               "%llu ms)", total, how, exo_sup_ran_after_ms(sup));
    } else {
        exo_output_role_status(s->out, n->name, "ready in %llu ms (%s)", total, how);
    }
}

static void pump(exo_session_t *s);
static void check_down(exo_session_t *s);

/* A unit became ready: a resource is provisioned first, then what waits for it may start. */
static void node_became_ready(exo_session_t *s, node_t *n, exo_sup_t *sup)
{
    exo_starttimes_set(&s->starttimes, n->name, exo_sup_startup_ms(sup));
    exo_error_t err = {0};
    if (n->is_resource && exo_session_provision(n, &err) < 0) {
        exo_output_role_status(s->out, n->name, "failed: %s", err.message);
        exo_sup_kill(n->sup);
        if (s->up_pending && n->wanted) {
            up_finish(s, false);
        }
        return;
    }
    say_ready(s, n, sup);
    pump(s);
    check_up(s);
}

static void node_state(void *arg, exo_sup_t *sup, exo_sup_state_t st, const char *msg)
{
    node_t *n = arg;
    exo_session_t *s = n->s;
    exo_session_observe_state(s, sup, st);
    switch (st) {
    case EXO_SUP_READY:
        if (node_ready(n)) { /* every instance of it */
            node_became_ready(s, n, sup);
        }
        break;
    case EXO_SUP_BACKOFF:
        exo_output_role_status(s->out, n->name, "%s", msg);
        tell_resource_users(s, n, "they lose their connection until it is back");
        break;
    case EXO_SUP_STARTING:
        exo_strv_free(&n->tail); /* a failure shows this start's output */
        n->tail_in_long_line[0] = n->tail_in_long_line[1] = false;
        break;
    case EXO_SUP_FAILED:
        if (msg != NULL) {
            exo_output_role_status(s->out, n->name, "failed: %s", msg);
            say_tail(s, n);
            tell_resource_users(s, n, "they have lost it for this run");
            if (s->up_pending && n->wanted && !s->down_pending) {
                up_finish(s, false);
            }
        }
        check_down(s);
        break;
    case EXO_SUP_STOPPED:
        if (msg != NULL) {
            /* It exited 0 on its own: what depends on it may go ahead. */
            exo_output_role_status(s->out, n->name, "%s", msg);
            n->completed = true;
            pump(s);
            check_up(s);
        }
        check_down(s);
        break;
    default:
        break;
    }
}

/* ---- starting ---- */

/* The unit spec of service node @p n; @p env NULL for prepare() (which needs none). */
static exo_unit_spec_t *service_unit(node_t *n, const char *const *env, exo_error_t *err)
{
    exo_unit_source_t src = {.role = EXO_UNIT_ROLE_SERVICE, .svc = n->svc};
    exo_unit_place_t place = exo_session_place(n->be, n->host_port, n->listen_port);
    place.publish_address = n->svc->public_endpoint.bind;
    return exo_unitspec_build(&src, &place, env, err);
}

/* Say so when a service's settings are for another backend than the one it runs on. */
static void say_settings_unused(exo_session_t *s, const node_t *n, const exo_unit_spec_t *unit)
{
    if (exo_unitspec_settings_unused(n->be->plugin->desc, n->be->containers, unit->options)) {
        exo_output_role_status(s->out, n->name, "runs without its options (services.%s."
                               "options): they are for container backends, not the %s "
                               "backend", n->svc->role, n->be->name);
    }
}

/* The supervisor of instance @p k (1-based) of @p count of service node @p n, with @p env
 * and, when there are several, EXO_INSTANCE=k and the unit name ROLE-k (k > 1). */
static int make_instance(exo_session_t *s, node_t *n, char **env, size_t k, size_t count,
                         exo_error_t *err)
{
    exo_strv_t envv = {0};
    for (char **e = env; *e != NULL; e++) {
        exo_strv_push(&envv, *e);
    }
    char *label = k > 1 ? exo_strdupf("%s-%zu", n->svc->role, k) : NULL;
    if (count > 1) {
        exo_strv_push_owned(&envv, exo_strdupf("EXO_INSTANCE=%zu", k));
    }
    exo_unit_source_t src = {.role = EXO_UNIT_ROLE_SERVICE, .svc = n->svc, .label = label};
    exo_unit_place_t place = exo_session_place(n->be, n->host_port, n->listen_port);
    place.publish_address = n->svc->public_endpoint.bind;
    exo_unit_spec_t *unit = exo_unitspec_build(&src, &place, exo_strv_nullterm(&envv), err);
    exo_strv_free(&envv);
    free(label);
    if (unit == NULL) {
        return err->code;
    }
    if (k == 1) {
        say_settings_unused(s, n, unit);
    }
    const exo_service_t *svc = n->svc;
    exo_sup_spec_t spec = exo_session_sup_spec(s, n->be, unit, n);
    spec.ready = resolve_ready(s, svc);
    spec.online_text = svc->online_text;
    spec.ready_timeout_ms = svc->ready_timeout_ms;
    spec.settle_ms = svc->ready_settle_ms;
    spec.restart = svc->restart;
    spec.max_restarts = svc->max_restarts;
    exo_sup_t *sup = exo_sup_new(&spec);
    exo_unitspec_free(&unit);
    if (k == 1) {
        n->sup = sup;
    } else {
        n->copies = exo_xrealloc(n->copies, (n->n_copies + 1) * sizeof *n->copies);
        n->copies[n->n_copies++] = sup;
    }
    return EXO_OK;
}

/* Make the supervisors of service node @p n. < 0 with @p err filled. */
static int make_service(exo_session_t *s, node_t *n, exo_error_t *err)
{
    const exo_service_t *svc = n->svc;
    exo_error_t eerr = {0};
    char **env = exo_session_unit_env(s, svc, false, &n->secrets, &eerr);
    if (env == NULL) {
        return exo_error_set(err, eerr.code, "environment: %s", eerr.message);
    }
    size_t count = exo_session_instances(svc);
    int rc = EXO_OK;
    for (size_t k = 1; k <= count && rc == EXO_OK; k++) {
        rc = make_instance(s, n, env, k, count, err);
    }
    exo_env_free_strings(env);
    return rc;
}

static void restart_all(exo_session_t *s, node_t *n)
{
    exo_sup_t *sup;
    for (size_t i = 0; (sup = exo_session_node_sup(n, i)) != NULL; i++) {
        exo_sup_restart(sup, s->app->shutdown_grace_ms);
    }
}

static void start_node(exo_session_t *s, node_t *n)
{
    exo_error_t err = {0};
    if (exo_session_backend_open(s, n->be, &err) < 0) {
        char *why = exo_strdupf("backend %s: %s", n->be->name, err.message);
        node_failed(s, n, why);
        free(why);
        return;
    }
    if (n->is_resource) {
        exo_res_start_t r = exo_session_start_resource(s, n, &err);
        if (r == EXO_RES_FAILED) {
            node_failed(s, n, err.message);
        } else if (r == EXO_RES_READY) {
            pump(s);
            check_up(s);
        }
        return;
    }
    if (n->sup == NULL && make_service(s, n, &err) < 0) {
        node_failed(s, n, err.message);
        return;
    }
    n->completed = false;
    restart_all(s, n);
}

/* prepare() (an image build) of service node @p n; failures are said. */
static int prepare_service(exo_session_t *s, node_t *n)
{
    exo_error_t err = {0};
    if (exo_session_backend_open(s, n->be, &err) < 0) {
        exo_output_role_status(s->out, n->name, "failed: backend %s: %s", n->be->name,
                               err.message);
        return -1;
    }
    exo_unit_spec_t *unit = service_unit(n, NULL, &err);
    int rc = err.code;
    if (unit != NULL) {
        rc = exo_session_backend_prepare(s, n->be, unit, n->name, &n->secrets, &err);
        exo_unitspec_free(&unit);
    }
    if (rc < 0) {
        exo_output_role_status(s->out, n->name, "failed: %s", err.message);
    }
    return rc;
}

int exo_session_build(exo_session_t *s, const exo_service_t *svc, const char *tag,
                      exo_error_t *err)
{
    node_t *n = &s->nodes[svc - s->app->services];
    if (!(n->be->plugin->desc->caps & EXO_BACKEND_CAP_BUILD) || n->be->ops->prepare == NULL) {
        return exo_error_set(err, EXO_ERR_UNSUPPORTED, "backend %s builds no images; build "
                             "with a container backend: exo build --backend docker (or "
                             "podman)", n->be->name);
    }
    if (exo_session_backend_open(s, n->be, err) < 0) {
        return err->code < 0 ? err->code : EXO_ERR_IO;
    }
    exo_unit_spec_t *unit = service_unit(n, NULL, err);
    if (unit == NULL) {
        return err->code < 0 ? err->code : EXO_ERR_INVALID;
    }
    unit->build_tag = tag; /* borrowed for the call */
    int rc = exo_session_backend_prepare(s, n->be, unit, n->name, &n->secrets, err);
    unit->build_tag = NULL;
    exo_unitspec_free(&unit);
    return rc;
}

static bool node_idle(const node_t *n)
{
    if (n->completed) {
        return false; /* a one-shot job that did its work is not run again */
    }
    if (n->is_resource && n->no_server) {
        return !n->ready_noserver;
    }
    if (n->sup == NULL) {
        return true;
    }
    exo_sup_state_t st = exo_sup_state(n->sup);
    return st == EXO_SUP_IDLE || st == EXO_SUP_STOPPED;
}

/* Build the units of every service this up() starts before the first unit starts: the
 * session is the one owner of prepare(). prepare() blocks the loop: a build while other units
 * already run would stall the broker long enough for their heartbeats to time out. A failed
 * build thus also stops the run before anything runs. */
static int prepare_services(exo_session_t *s)
{
    for (size_t i = 0; i < s->app->n_services; i++) {
        node_t *n = &s->nodes[i];
        if (n->wanted && node_idle(n) && n->be->ops->prepare != NULL &&
            prepare_service(s, n) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Start every wanted node whose dependencies are ready, the slowest to start first (what
 * earlier runs learned): a backend that creates units one after another then overlaps the
 * slow unit's own start-up with its work on the others. */
static void pump(exo_session_t *s)
{
    if (!s->up_pending || s->down_pending) {
        return;
    }
    for (size_t k = 0; k < s->n_nodes; k++) {
        node_t *n = &s->nodes[s->start_order[k]];
        if (!n->wanted || !node_idle(n)) {
            continue;
        }
        bool deps_ready = true;
        for (size_t d = 0; d < n->n_deps; d++) {
            deps_ready = deps_ready && node_ready(&s->nodes[n->deps[d]]);
        }
        if (!deps_ready) {
            continue;
        }
        start_node(s, n);
        if (!s->up_pending) {
            return;
        }
    }
}

static void want(exo_session_t *s, size_t i)
{
    node_t *n = &s->nodes[i];
    if (n->wanted) {
        return;
    }
    n->wanted = true;
    for (size_t d = 0; d < n->n_deps; d++) {
        want(s, n->deps[d]);
    }
}

static void up_failed(void *arg)
{
    up_finish(arg, false);
}

void exo_session_up(exo_session_t *s, const exo_strv_t *roles, const exo_strv_t *resources,
                    void (*on_up)(void *arg, bool ok), void *arg)
{
    for (size_t i = 0; i < s->n_nodes; i++) {
        s->nodes[i].wanted = false;
    }
    for (size_t i = 0; i < s->app->n_services; i++) {
        if (roles == NULL || exo_strv_contains(roles, s->app->services[i].role)) {
            want(s, i);
        }
    }
    for (size_t i = s->app->n_services; i < s->n_nodes; i++) {
        if (resources != NULL && exo_strv_contains(resources, s->nodes[i].name)) {
            want(s, i);
        }
    }
    s->on_up = on_up;
    s->up_arg = arg;
    s->up_all = roles == NULL;
    s->up_pending = true;
    s->up_t0 = exo_now_ms();
    if (exo_session_public_check(s) < 0 || prepare_services(s) < 0) {
        /* From the loop: the caller may stop it in on_up, which it has not started yet. */
        exo_loop_timer(s->loop, 0, false, up_failed, s);
        return;
    }
    pump(s);
    check_up(s);
}

void exo_session_restart_node(exo_session_t *s, node_t *n)
{
    if (n->be->ops->prepare != NULL && prepare_service(s, n) < 0) {
        exo_output_role_status(s->out, n->name, "the running version stays (fix it and save "
                               "again)");
        return;
    }
    exo_output_role_status(s->out, n->name, "restarting");
    n->completed = false;
    restart_all(s, n);
}

/* ---- tasks ---- */

int exo_session_task(exo_session_t *s, const exo_service_t *svc, exo_unit_role_t role,
                     const char *label,
                     void (*on_done)(void *arg, int status, unsigned long long ms), void *arg)
{
    node_t *n = exo_session_service_node(s, svc);
    exo_error_t err = {0};
    if (exo_session_backend_open(s, n->be, &err) < 0) {
        exo_output_role_status(s->out, label, "failed: backend %s: %s", n->be->name,
                               err.message);
        return -1;
    }
    exo_strv_t secrets = {0};
    char **env = exo_session_unit_env(s, svc, role == EXO_UNIT_ROLE_SETUP, &secrets, &err);
    if (env == NULL) {
        exo_output_role_status(s->out, label, "failed: environment: %s", err.message);
        return -1;
    }
    exo_unit_source_t src = {.role = role, .svc = svc, .label = label};
    exo_unit_place_t place = exo_session_place(n->be, 0, 0);
    exo_unit_spec_t *unit = exo_unitspec_build(&src, &place, (const char *const *)env, &err);
    exo_env_free_strings(env);
    if (unit == NULL) {
        exo_output_role_status(s->out, label, "failed: %s", err.message);
        exo_strv_free(&secrets);
        return -1;
    }
    exo_sup_spec_t spec = exo_session_sup_spec(s, n->be, unit, NULL);
    /* A task's image is built when it starts, like a service's before its first start. */
    if (exo_session_backend_prepare(s, n->be, unit, label, &secrets, &err) < 0) {
        exo_output_role_status(s->out, label, "failed: %s", err.message);
        exo_unitspec_free(&unit);
        exo_strv_free(&secrets);
        return -1;
    }
    exo_session_task_start(s, &spec, &secrets, on_done, arg);
    exo_unitspec_free(&unit);
    exo_strv_free(&secrets);
    return 0;
}

/* ---- down ---- */

static bool any_running(exo_session_t *s, bool resources)
{
    for (size_t i = 0; i < s->n_nodes; i++) {
        node_t *n = &s->nodes[i];
        exo_sup_t *sup;
        for (size_t k = 0; n->is_resource == resources && (sup = exo_session_node_sup(n, k));
             k++) {
            if (exo_sup_running(sup)) {
                return true;
            }
        }
    }
    return false;
}

/* Move a pending down() on when units are gone: services, then resources, then done. */
static void check_down(exo_session_t *s)
{
    if (!s->down_pending) {
        return;
    }
    if (exo_session_tasks_running(s) || any_running(s, false)) {
        return;
    }
    if (!s->stopping_resources) {
        /* Resources outlive the services that use them. */
        s->stopping_resources = true;
        for (size_t i = s->app->n_services; i < s->n_nodes; i++) {
            node_t *n = &s->nodes[i];
            n->ready_noserver = false;
            if (n->sup != NULL) {
                exo_sup_stop(n->sup, s->app->shutdown_grace_ms);
            }
        }
    }
    if (any_running(s, true)) {
        return;
    }
    s->down_pending = false;
    s->stopping_resources = false;
    if (s->on_down != NULL) {
        s->on_down(s->down_arg);
    }
}

void exo_session_down(exo_session_t *s, void (*on_down)(void *arg), void *arg)
{
    for (size_t i = 0; i < s->n_nodes; i++) {
        s->nodes[i].completed = false;
    }
    s->up_pending = false;
    s->down_pending = true;
    s->stopping_resources = false;
    s->on_down = on_down;
    s->down_arg = arg;
    exo_session_tasks_stop(s, false);
    for (size_t i = 0; i < s->app->n_services; i++) {
        exo_sup_t *sup;
        for (size_t k = 0; (sup = exo_session_node_sup(&s->nodes[i], k)) != NULL; k++) {
            exo_sup_stop(sup, s->app->shutdown_grace_ms);
        }
    }
    check_down(s);
}

void exo_session_kill(exo_session_t *s)
{
    exo_session_tasks_stop(s, true);
    for (size_t i = 0; i < s->n_nodes; i++) {
        exo_sup_t *sup;
        for (size_t k = 0; (sup = exo_session_node_sup(&s->nodes[i], k)) != NULL; k++) {
            if (exo_sup_running(sup)) {
                exo_sup_kill(sup);
            }
        }
    }
}

bool exo_session_units_running(exo_session_t *s)
{
    return exo_session_tasks_running(s) || any_running(s, false) || any_running(s, true);
}

void exo_session_wire(exo_session_t *s)
{
    s->node_output = node_output;
    s->node_state = node_state;
    s->tasks_changed = check_down;
}
