/* core/run/session.c - bringing an app up and down: backends, environments, the dependency order,
 * shutdown, signals, lifecycle. See session.h and session_int.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/log.h"
#include "model/statedir.h"
#include "plugins/settings.h"
#include "unitenv.h"
#include "record.h"
#include "session_int.h"

/* ---- backends ---- */

/* bus.listen (the zmq transport's key) when the app sets it, else NULL. Transitional until the
 * run engine leaves the endpoint to the transport (issue 11). */
static const char *app_bus_listen(const exo_app_t *app)
{
    return json_string_value(json_object_get(app->bus_config, "listen"));
}

json_t *exo_session_settings(const backend_t *b, const exo_service_t *svc)
{
    return exo_service_settings(svc, b != NULL && b->plugin != NULL ? b->plugin->config_section
                                                                    : NULL);
}

static const char *backend_name_for(const exo_session_t *s, const exo_service_t *svc)
{
    if (s->opts.backend != NULL) {
        return s->opts.backend;
    }
    if (svc != NULL && svc->backend != NULL) {
        return svc->backend;
    }
    return s->app->backend != NULL ? s->app->backend : "process";
}

/* Find (and describe) a backend without opening it. */
static backend_t *backend_get(exo_session_t *s, const char *name, exo_error_t *err)
{
    for (size_t i = 0; i < s->n_backends; i++) {
        if (strcmp(s->backends[i].name, name) == 0) {
            return &s->backends[i];
        }
    }
    const exo_plugin_t *p = exo_registry_find(s->reg, EXO_KIND_BACKEND, name);
    if (p == NULL) {
        char *names = exo_registry_names(s->reg, EXO_KIND_BACKEND);
        exo_error_set(err, EXO_ERR_NOTFOUND,
                      "no working backend plugin named '%s' (available: %s); 'exo plugins' "
                      "shows every plugin and why one failed to load", name,
                      names && names[0] ? names : "none");
        free(names);
        return NULL;
    }
    const exo_backend_ops_t *ops = p->desc->ops;
    if (ops == NULL || ops->size < offsetof(exo_backend_ops_t, cleanup) ||
        ops->start == NULL || ops->stop == NULL || ops->kill == NULL || ops->release == NULL) {
        exo_error_set(err, EXO_ERR_ABI, "backend plugin '%s' (%s) lacks required operations",
                      name, p->path);
        return NULL;
    }
    s->backends = exo_xrealloc(s->backends, (s->n_backends + 1) * sizeof *s->backends);
    backend_t *b = &s->backends[s->n_backends++];
    *b = (backend_t){.name = exo_xstrdup(name), .plugin = p, .ops = ops,
                     .containers = (p->desc->caps & EXO_BACKEND_CAP_CONTAINERS) != 0,
                     .async_start = (p->desc->caps & EXO_BACKEND_CAP_ASYNC_START) != 0};
    return b;
}

int exo_session_backend_open(exo_session_t *s, backend_t *b, exo_error_t *err)
{
    if (b->inst != NULL) {
        return EXO_OK;
    }
    if (b->ops->probe != NULL) {
        int rc = b->ops->probe(b->plugin->host, err);
        if (rc < 0) {
            return rc;
        }
    }
    exo_run_spec_t run = {.size = sizeof run, .app = s->app->name, .app_dir = s->app->dir,
                          .run_id = s->run_id, .state_dir = s->exo_dir};
    return b->ops->open(b->plugin->host, &run, &b->inst, err);
}

const char *exo_session_unit_host(const backend_t *b, const char *name)
{
    if (b->inst != NULL && b->ops->unit_host != NULL) {
        const char *h = b->ops->unit_host(b->inst, name);
        if (h != NULL) {
            return h;
        }
    }
    return b->containers ? name : "127.0.0.1";
}

/* ---- env ---- */



int exo_session_env(exo_session_t *s, const exo_service_t *svc, bool setup, exo_env_t *env,
                    exo_error_t *err)
{
    size_t n = s->app->n_services;
    unsigned *listen = exo_xcalloc(n + 1, sizeof *listen);
    unsigned *reach = exo_xcalloc(n + 1, sizeof *reach);
    const char **hosts = exo_xcalloc(n + 1, sizeof *hosts);
    for (size_t i = 0; i < n; i++) {
        listen[i] = s->nodes[i].listen_port;
        reach[i] = s->nodes[i].reach_port;
        hosts[i] = s->nodes[i].be ? exo_session_unit_host(s->nodes[i].be, s->nodes[i].name)
                                  : "127.0.0.1";
    }
    const char *endpoint = exo_busfeed_endpoint(s->bus);
    char *ep = NULL;
    if (endpoint != NULL) {
        /* Units on a container network reach exo's loopback under the backend's host name. */
        backend_t *b = s->nodes[svc - s->app->services].be;
        const char *ha = b && b->inst && b->ops->host_address ? b->ops->host_address(b->inst)
                                                               : NULL;
        const char *lo = strstr(endpoint, "127.0.0.1");
        if (ha != NULL && lo != NULL && strcmp(ha, "127.0.0.1") != 0) {
            ep = exo_strdupf("%.*s%s%s", (int)(lo - endpoint), endpoint, ha, lo + 9);
        } else {
            ep = exo_xstrdup(endpoint);
        }
    } else if (!s->opts.bus) {
        const char *chosen = app_bus_listen(s->app);
        ep = exo_xstrdup(chosen ? chosen : "tcp://127.0.0.1:0");
    }
    exo_unitenv_ctx_t ctx = {
        .app = s->app, .bus_endpoint = ep, .run_id = s->run_id, .listen_ports = listen,
        .reach_ports = reach, .hosts = hosts, .setup = setup,
        .resource_env = exo_session_resource_env,
        .arg = s,
    };
    int rc = exo_unitenv_build(&ctx, svc, env, err);
    free(ep);
    free(listen);
    free(reach);
    free(hosts);
    return rc;
}

/* ---- node state ---- */

static bool node_ready(const node_t *n)
{
    if (n->is_resource && n->no_server) {
        return n->ready_noserver;
    }
    return n->completed || (n->sup != NULL && exo_sup_state(n->sup) == EXO_SUP_READY);
}

static const char *label_of(const node_t *n)
{
    return n->name;
}

void exo_session_up_finish(exo_session_t *s, bool ok)
{
    if (!s->up_pending) {
        return;
    }
    s->up_pending = false;
    size_t count = 0;
    for (size_t i = 0; i < s->app->n_services; i++) {
        count += s->nodes[i].wanted;
    }
    if (s->recorded && exo_starttimes_save(&s->starttimes, s->exo_dir) < 0) {
        exo_warn("cannot save the start-up times in %s (%s)", s->exo_dir, strerror(errno));
    }
    if (ok && (count > 0 || s->up_all)) {
        exo_output_status(s->out, "all services ready (%zu service%s) in %llu ms", count,
                          count == 1 ? "" : "s", exo_now_ms() - s->up_t0);
    }
    if (s->on_up != NULL) {
        s->on_up(s->up_arg, ok);
    }
}

void exo_session_check_up(exo_session_t *s)
{
    if (!s->up_pending) {
        return;
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (s->nodes[i].wanted && !node_ready(&s->nodes[i])) {
            return;
        }
    }
    exo_session_up_finish(s, true);
}

static const char *ready_word(const exo_service_t *svc, exo_ready_kind_t k)
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

/* Secret values of @p env worth masking (very short ones would mask ordinary words). */
void exo_session_secrets(const exo_env_t *env, exo_strv_t *out)
{
    exo_strv_free(out);
    for (size_t i = 0; i < env->n; i++) {
        if (env->vars[i].secret && strlen(env->vars[i].value) >= 4) {
            exo_strv_push(out, env->vars[i].value);
        }
    }
}

/* Print a unit's line with its secrets replaced by ******. */
void exo_session_print_masked(exo_output_t *out, const char *label, int stream,
                              const exo_strv_t *secrets, const char *line, size_t len)
{
    int os = stream == EXO_STREAM_STDERR ? EXO_OUT_STDERR : EXO_OUT_STDOUT;
    if (secrets->n == 0) {
        exo_output_line(out, label, os, line, len);
        return;
    }
    char *text = exo_xstrndup(line, len);
    for (size_t i = 0; i < secrets->n; i++) {
        const char *sec = secrets->v[i];
        size_t sl = strlen(sec);
        char *hit;
        while ((hit = strstr(text, sec)) != NULL) {
            char *next = exo_strdupf("%.*s******%s", (int)(hit - text), text, hit + sl);
            free(text);
            text = next;
        }
    }
    exo_output_line(out, label, os, text, strlen(text));
    free(text);
}

void exo_session_node_output(void *arg, exo_sup_t *sup, int stream, const char *line,
                             size_t len)
{
    node_t *n = arg;
    exo_session_print_masked(n->s->out, label_of(n), stream, &n->secrets, line, len);
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
                                     : ready_word(n->svc, resolve_ready(s, n->svc));
    unsigned long long total = exo_sup_elapsed_ms(sup), own = exo_sup_startup_ms(sup);
    if (n->be->async_start) {
        exo_output_role_status(s->out, n->name, "ready in %llu ms (%s; its container ran after "
                               "%llu ms)", total, how, total - own);
    } else {
        exo_output_role_status(s->out, n->name, "ready in %llu ms (%s)", total, how);
    }
}

void exo_session_node_state(void *arg, exo_sup_t *sup, exo_sup_state_t st, const char *msg)
{
    node_t *n = arg;
    exo_session_t *s = n->s;
    switch (st) {
    case EXO_SUP_READY:
        exo_starttimes_set(&s->starttimes, n->name, exo_sup_startup_ms(sup));
        if (n->is_resource && exo_session_provision(n) < 0) {
            exo_sup_kill(n->sup);
            if (s->up_pending && n->wanted) {
                exo_session_up_finish(s, false);
            }
            break;
        }
        say_ready(s, n, sup);
        exo_session_pump(s);
        exo_session_check_up(s);
        break;
    case EXO_SUP_BACKOFF:
        exo_output_role_status(s->out, n->name, "%s", msg);
        tell_resource_users(s, n, "they lose their connection until it is back");
        break;
    case EXO_SUP_FAILED:
        if (msg != NULL) {
            exo_output_role_status(s->out, n->name, "failed: %s", msg);
            tell_resource_users(s, n, "they have lost it for this run");
            if (s->up_pending && n->wanted && !s->down_pending) {
                exo_session_up_finish(s, false);
            }
        }
        exo_session_check_down(s);
        break;
    case EXO_SUP_STOPPED:
        if (msg != NULL) {
            /* It exited 0 on its own: what depends on it may go ahead. */
            exo_output_role_status(s->out, n->name, "%s", msg);
            n->completed = true;
            exo_session_pump(s);
            exo_session_check_up(s);
        }
        exo_session_check_down(s);
        break;
    default:
        break;
    }
}

static void start_service(exo_session_t *s, node_t *n)
{
    const exo_service_t *svc = n->svc;
    exo_error_t err = {0};
    if (exo_session_backend_open(s, n->be, &err) < 0) {
        exo_output_role_status(s->out, n->name, "failed: backend %s: %s", n->be->name,
                               err.message);
        exo_session_up_finish(s, false);
        return;
    }
    if (n->sup == NULL) {
        if (!n->be->containers && json_object_size(svc->options.json) > 0) {
            exo_output_role_status(s->out, n->name, "runs without its options "
                                   "(services.%s.options): they are for container backends, "
                                   "not the %s backend", svc->role, n->be->name);
        }
        exo_env_t *env = exo_env_new();
        if (exo_session_env(s, svc, false, env, &err) < 0) {
            exo_output_role_status(s->out, n->name, "failed: environment: %s", err.message);
            exo_env_destroy(&env);
            exo_session_up_finish(s, false);
            return;
        }
        char **strings = exo_env_strings(env);
        exo_session_secrets(env, &n->secrets);
        exo_ready_kind_t ready = resolve_ready(s, svc);
        json_t *settings = exo_session_settings(n->be, svc);
        exo_sup_spec_t spec = {
            .name = svc->role,
            .mode = EXO_UNIT_SERVICE,
            .dir = svc->dir,
            .command = svc->startup_command,
            .options = settings,
            .env = (const char *const *)strings,
            .port = {.unit_port = n->be->containers ? svc->port : n->listen_port,
                     .host_port = n->host_port},
            .ready = ready,
            .online_text = svc->online_text,
            .ready_timeout_ms = svc->ready_timeout_ms,
            .restart = svc->restart,
            .max_restarts = svc->max_restarts,
            .ops = n->be->ops,
            .inst = n->be->inst,
            .loop = s->loop,
            .on_output = exo_session_node_output,
            .on_state = exo_session_node_state,
            .arg = n,
            .prepared = n->prepared,
            .async_start = n->be->async_start,
        };
        if (svc->port == 0) {
            spec.port.unit_port = 0;
        }
        n->sup = exo_sup_new(&spec);
        json_decref(settings);
        exo_env_free_strings(strings);
        exo_env_destroy(&env);
    }
    n->completed = false;
    exo_sup_restart(n->sup, s->app->shutdown_grace_ms);
}



static void up_failed(void *arg)
{
    exo_session_up_finish(arg, false);
}

static void prepare_output(void *arg, int stream, const char *line, size_t len)
{
    exo_session_node_output(arg, NULL, stream, line, len);
}

/* Build the images of every wanted service before the first unit starts. prepare() blocks
 * the loop: a build while other units already run would stall the broker long enough for
 * their heartbeats to time out. A failed build thus also stops the run before anything runs. */
static int prepare_services(exo_session_t *s)
{
    static const char *const no_env[] = {NULL};
    for (size_t i = 0; i < s->app->n_services; i++) {
        node_t *n = &s->nodes[i];
        if (!n->wanted || n->sup != NULL || n->prepared || !n->be->containers ||
            n->be->ops->prepare == NULL) {
            continue;
        }
        exo_error_t err = {0};
        if (exo_session_backend_open(s, n->be, &err) < 0) {
            exo_output_role_status(s->out, n->name, "failed: backend %s: %s", n->be->name,
                                   err.message);
            return -1;
        }
        const exo_service_t *svc = n->svc;
        json_t *settings = exo_session_settings(n->be, svc);
        exo_unit_spec_t us = {
            .size = sizeof us,
            .name = svc->role,
            .mode = EXO_UNIT_SERVICE,
            .dir = svc->dir,
            .command = svc->startup_command,
            .env = no_env,
            .options = settings,
            .on_output = prepare_output,
            .arg = n,
        };
        int prc = n->be->ops->prepare(n->be->inst, &us, &err);
        json_decref(settings);
        if (prc < 0) {
            exo_output_role_status(s->out, n->name, "failed: %s",
                                   err.message[0] ? err.message : "could not build");
            return -1;
        }
        n->prepared = true;
    }
    return 0;
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

/* Start every wanted node whose dependencies are ready, the slowest to start first (what
 * earlier runs learned): a backend that creates units one after another then overlaps the
 * slow unit's own start-up with its work on the others. */
void exo_session_pump(exo_session_t *s)
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
        if (n->is_resource) {
            exo_session_start_resource(s, n);
        } else {
            start_service(s, n);
        }
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
    if (prepare_services(s) < 0) {
        /* From the loop: the caller may stop it in on_up, which it has not started yet. */
        exo_loop_timer(s->loop, 0, false, up_failed, s);
        return;
    }
    exo_session_pump(s);
    exo_session_check_up(s);
}




/* ---- down ---- */

static bool any_running(exo_session_t *s, bool resources)
{
    for (size_t i = 0; i < s->n_nodes; i++) {
        node_t *n = &s->nodes[i];
        if (n->is_resource == resources && n->sup != NULL && exo_sup_running(n->sup)) {
            return true;
        }
    }
    return false;
}


void exo_session_check_down(exo_session_t *s)
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
    for (size_t i = 0; i < s->n_tasks; i++) {
        if (exo_sup_running(s->tasks[i]->sup)) {
            exo_sup_stop(s->tasks[i]->sup, s->app->shutdown_grace_ms);
        }
    }
    for (size_t i = 0; i < s->app->n_services; i++) {
        if (s->nodes[i].sup != NULL) {
            exo_sup_stop(s->nodes[i].sup, s->app->shutdown_grace_ms);
        }
    }
    exo_session_check_down(s);
}

void exo_session_kill(exo_session_t *s)
{
    for (size_t i = 0; i < s->n_tasks; i++) {
        if (exo_sup_running(s->tasks[i]->sup)) {
            exo_sup_kill(s->tasks[i]->sup);
        }
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (s->nodes[i].sup != NULL && exo_sup_running(s->nodes[i].sup)) {
            exo_sup_kill(s->nodes[i].sup);
        }
    }
}

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






/* ---- bus events ---- */

static void on_register(void *arg, const char *role)
{
    exo_session_t *s = arg;
    for (size_t i = 0; i < s->app->n_services; i++) {
        if (strcmp(s->nodes[i].name, role) == 0 && s->nodes[i].sup != NULL) {
            exo_sup_registered(s->nodes[i].sup);
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
}

/* ---- lifecycle ---- */

static void cleanup_leftovers(exo_session_t *s, const exo_record_t *rs)
{
    for (size_t i = 0; i < rs->backends.n; i++) {
        exo_error_t err = {0};
        backend_t *b = backend_get(s, rs->backends.v[i], &err);
        if (b != NULL && b->ops->cleanup != NULL &&
            b->ops->cleanup(b->plugin->host, s->app->name, s->exo_dir, &err) < 0) {
            exo_warn("cleaning up after the earlier run (backend %s): %s", b->name, err.message);
        }
    }
}

/*
 * Units on a container network cannot reach the host's loopback, where the broker listens by
 * default. When a container backend takes part and bus.listen is the default, open that
 * backend now (so a missing engine is reported before anything starts) and bind the broker
 * to the network's gateway address instead: reachable from the host and from containers on
 * that bridge, not from other machines. Sets *listen (new string) or leaves it NULL.
 */
static int container_bus_listen(exo_session_t *s, char **listen, exo_error_t *err)
{
    const char *chosen = app_bus_listen(s->app);
    if (chosen != NULL && strcmp(chosen, "tcp://127.0.0.1:0") != 0) {
        return 0; /* the user chose */
    }
    for (size_t i = 0; i < s->n_backends; i++) {
        backend_t *b = &s->backends[i];
        if (!b->containers) {
            continue;
        }
        int rc = exo_session_backend_open(s, b, err);
        if (rc < 0) {
            return rc;
        }
        const char *ha = b->ops->host_address ? b->ops->host_address(b->inst) : NULL;
        if (ha != NULL && ha[0] != '\0' && *listen == NULL) {
            *listen = exo_strdupf("tcp://%s:0", ha);
        }
    }
    return 0;
}

static int build_nodes(exo_session_t *s, exo_error_t *err)
{
    const exo_app_t *app = s->app;
    s->n_nodes = app->n_services + app->n_resources;
    s->nodes = exo_xcalloc(s->n_nodes + 1, sizeof *s->nodes);
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        node_t *n = &s->nodes[i];
        n->s = s;
        n->svc = svc;
        n->name = svc->role;
        n->be = backend_get(s, backend_name_for(s, svc), err);
        if (n->be == NULL) {
            return EXO_ERR_NOTFOUND;
        }
        if (svc->port != 0) {
            n->host_port = exo_unitenv_free_port();
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
    for (size_t i = 0; i < app->n_resources; i++) {
        const exo_resource_t *res = &app->resources[i];
        node_t *n = &s->nodes[app->n_services + i];
        n->s = s;
        n->is_resource = true;
        n->res = res;
        n->name = res->name;
        n->be = backend_get(s, backend_name_for(s, NULL), err);
        if (n->be == NULL) {
            return EXO_ERR_NOTFOUND;
        }
        int rc = exo_session_create_resource(s, n, err);
        if (rc < 0) {
            return rc;
        }
    }
    /* Resources a service uses are dependencies like depends-on roles. */
    for (size_t i = 0; i < app->n_services; i++) {
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
    return EXO_OK;
}

/* The app's plugin blocks against the keys the plugins declare, before anything starts.
 * Prints the findings; false when one is an error. */
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
                               int *exit_code)
{
    /* `exo run | head` must not kill exo (and orphan the app) when the reader goes away. */
    signal(SIGPIPE, SIG_IGN);
    exo_session_t *s = exo_xcalloc(1, sizeof *s);
    s->app = app;
    s->opts = *opts;
    s->t0 = exo_now_ms();
    s->exo_dir = exo_statedir(app->dir);
    s->run_id = exo_record_new_id();
    s->loop = exo_loop_new();
    *exit_code = EXO_EXIT_USER;

    exo_record_t rs;
    bool earlier = opts->record && exo_record_read(s->exo_dir, &rs);
    if (earlier && exo_record_alive(&rs) && rs.pid != getpid()) {
        exo_error("exo %s is already running this app (pid %d); stop it first, or run "
                  "'exo clean' to stop it and remove its state", rs.command, (int)rs.pid);
        exo_record_free(&rs);
        exo_session_destroy(&s);
        return NULL;
    }

    char *logs = opts->record ? exo_statedir_logs(s->exo_dir) : NULL;
    s->out = exo_output_new(opts->quiet ? NULL : stdout, opts->format, logs);
    free(logs);
    for (size_t i = 0; i < app->n_services; i++) {
        exo_output_add_role(s->out, app->services[i].role);
    }
    for (size_t i = 0; i < app->n_resources; i++) {
        exo_output_add_role(s->out, app->resources[i].name);
    }

    s->reg = exo_registry_load(app->dir, s->loop);
    if (!settings_ok(app, s->reg)) {
        exo_session_destroy(&s);
        return NULL;
    }
    exo_error_t err = {0};
    if (earlier) {
        exo_output_status(s->out, "cleaning up after an earlier run that did not shut down");
        cleanup_leftovers(s, &rs);
        exo_record_free(&rs);
    }
    if (build_nodes(s, &err) < 0) {
        exo_error("%s", err.message);
        exo_session_destroy(&s);
        return NULL;
    }
    exo_starttimes_load(&s->starttimes, s->exo_dir);
    const char **node_names = exo_xcalloc(s->n_nodes + 1, sizeof *node_names);
    for (size_t i = 0; i < s->n_nodes; i++) {
        node_names[i] = s->nodes[i].name;
    }
    s->start_order = exo_xcalloc(s->n_nodes + 1, sizeof *s->start_order);
    exo_starttimes_order(&s->starttimes, node_names, s->n_nodes, s->start_order);
    free(node_names);
    if (opts->record) {
        /* Processes that leave their group become exo's children, so none is lost. */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        exo_strv_t names = {0};
        for (size_t i = 0; i < s->n_backends; i++) {
            exo_strv_push(&names, s->backends[i].name);
        }
        if (exo_record_write(s->exo_dir, s->run_id, opts->command, &names) < 0) {
            exo_warn("cannot record this run in %s (%s); 'exo clean' will not find it",
                     s->exo_dir, strerror(errno));
        } else {
            s->recorded = true;
        }
        exo_strv_free(&names);
    }
    char *listen = NULL;
    if (opts->bus && container_bus_listen(s, &listen, &err) < 0) {
        exo_error("%s", err.message);
        free(listen);
        *exit_code = EXO_EXIT_USER;
        exo_session_destroy(&s);
        return NULL;
    }
    if (opts->bus) {
        exo_busfeed_events_t ev = {.on_register = on_register, .on_trace = on_trace, .arg = s,
                                  .on_idle = on_bus_idle};
        s->bus = exo_busfeed_start(app, s->reg, s->loop, listen, &ev, &err);
        free(listen);
        if (s->bus == NULL && err.code == EXO_ERR_UNAVAILABLE) {
            exo_warn("running without the message bus: %s", err.message);
        } else if (s->bus == NULL) {
            exo_error("cannot start the message bus: %s", err.message);
            *exit_code = EXO_EXIT_INTERNAL;
            exo_session_destroy(&s);
            return NULL;
        }
        if (s->bus != NULL) {
            exo_output_status(s->out, "bus listening on %s", exo_busfeed_endpoint(s->bus));
        }
    }
    *exit_code = EXO_EXIT_OK;
    return s;
}

/* Kill and reap what escaped the units' process groups and was reparented to exo. */
static void reap_orphans(void)
{
    pid_t self = getpid();
    for (int round = 0; round < 5; round++) {
        int found = 0;
        DIR *d = opendir("/proc");
        if (d == NULL) {
            return;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            char *end;
            long pid = strtol(de->d_name, &end, 10);
            if (*end != '\0' || pid <= 1) {
                continue;
            }
            char path[64];
            snprintf(path, sizeof path, "/proc/%ld/stat", pid);
            char *st = exo_read_file(path, NULL);
            char *p = st ? strrchr(st, ')') : NULL;
            int ppid = 0;
            if (p != NULL && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == self) {
                kill((pid_t)pid, SIGKILL);
                waitpid((pid_t)pid, NULL, 0);
                found++;
            }
            free(st);
        }
        closedir(d);
        if (found == 0) {
            return;
        }
    }
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
    while ((exo_session_tasks_running(s) || any_running(s, false) || any_running(s, true)) &&
           exo_now_ms() < end) {
        exo_loop_once(s->loop, 50);
    }
    for (size_t i = 0; i < s->n_tasks; i++) {
        exo_sup_destroy(&s->tasks[i]->sup);
        exo_strv_free(&s->tasks[i]->secrets);
        free(s->tasks[i]);
    }
    free(s->tasks);
    for (size_t i = 0; i < s->n_nodes; i++) {
        node_t *n = &s->nodes[i];
        exo_sup_destroy(&n->sup);
        exo_strv_free(&n->secrets);
        if (n->rinst != NULL) {
            n->rops->destroy(n->rinst);
        }
        free(n->deps);
    }
    free(s->nodes);
    exo_busfeed_stop(&s->bus);
    for (size_t i = 0; i < s->n_backends; i++) {
        if (s->backends[i].inst != NULL && s->backends[i].ops->close != NULL) {
            s->backends[i].ops->close(s->backends[i].inst);
        }
        free(s->backends[i].name);
    }
    free(s->backends);
    if (s->opts.record) {
        reap_orphans();
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    }
    if (s->recorded) {
        if (exo_starttimes_save(&s->starttimes, s->exo_dir) < 0) {
            exo_warn("cannot save the start-up times in %s (%s)", s->exo_dir, strerror(errno));
        }
        exo_record_remove(s->exo_dir);
    }
    exo_starttimes_free(&s->starttimes);
    free(s->start_order);
    exo_registry_destroy(&s->reg);
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
