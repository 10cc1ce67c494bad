/* core/bus/bus.c - the embedded broker, bus.json and trace lines; see bus.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "bus.h"
#include "base/util.h"
#include "model/statedir.h"

struct exo_bus {
    const exo_plugin_t *plugin;
    const exo_transport_ops_t *ops;
    void *inst;
    char *file; /* <app>/.exo/bus.json */
    char token[65]; /* the run's user token */
};

static char *bus_file(const exo_app_t *app);
static char *running_transport(const exo_app_t *app);

const exo_plugin_t *exo_bus_transport(const exo_app_t *app, const exo_registry_t *reg,
                                      exo_error_t *err)
{
    /* A running bus's transport (bus.json) wins over application.yml's: `exo run --transport`
     * chose it for that run, and exo send, tail and the frontends must speak it. */
    char *running = running_transport(app);
    const char *name = running != NULL          ? running
                       : app->bus_transport != NULL ? app->bus_transport : "zmq";
    const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_TRANSPORT, name);
    if (p == NULL) {
        exo_error_set(err, EXO_ERR_NOTFOUND, "the transport plugin '%s' was not found or is "
                      "broken; 'exo plugins' shows what exo found and why", name);
        free(running);
        return NULL;
    }
    const exo_transport_ops_t *ops = p->desc->ops;
    if (ops == NULL || !EXO_HAS(ops, exo_transport_ops_t, client_stats)) {
        exo_error_set(err, EXO_ERR_ABI, "the transport plugin '%s' (%s) is too old for this exo",
                      name, p->path);
        free(running);
        return NULL;
    }
    free(running);
    return p;
}

/* The endpoint the configuration names, for transports built before ABI 1.2, which read
 * exo_bus_spec_t.listen only (and give no emit_env). */
static const char *configured_listen(const exo_app_t *app)
{
    return json_string_value(json_object_get(app->bus_config, "listen"));
}

static char *bus_file(const exo_app_t *app)
{
    char *sd = exo_statedir(app->dir);
    char *file = exo_statedir_bus_file(sd);
    free(sd);
    return file;
}

/* Read bus.json; 0 when it names a live process. */
static int read_bus_file(const char *file, char **endpoint, char **control, char **token,
                         long *pid)
{
    json_t *j = json_load_file(file, 0, NULL);
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    const char *ctl = json_string_value(json_object_get(j, "control"));
    const char *tok = json_string_value(json_object_get(j, "token"));
    *pid = (long)json_integer_value(json_object_get(j, "pid"));
    int rc = -1;
    if (ep != NULL && ctl != NULL && *pid > 0 &&
        (kill((pid_t)*pid, 0) == 0 || errno == EPERM)) {
        if (endpoint != NULL) {
            *endpoint = exo_xstrdup(ep);
        }
        if (control != NULL) {
            *control = exo_xstrdup(ctl);
        }
        if (token != NULL) {
            *token = tok != NULL ? exo_xstrdup(tok) : NULL;
        }
        rc = 0;
    }
    json_decref(j);
    return rc;
}

/* The transport bus.json names when it belongs to a live process, else NULL. */
static char *running_transport(const exo_app_t *app)
{
    char *file = bus_file(app);
    json_t *j = json_load_file(file, 0, NULL);
    free(file);
    const char *t = json_string_value(json_object_get(j, "transport"));
    long pid = (long)json_integer_value(json_object_get(j, "pid"));
    char *name = t != NULL && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)
                     ? exo_xstrdup(t) : NULL;
    json_decref(j);
    return name;
}

int exo_bus_find(const exo_app_t *app, char **endpoint, char **control, char **token,
                 exo_error_t *err)
{
    char *file = bus_file(app);
    long pid = 0;
    int rc = read_bus_file(file, endpoint, control, token, &pid);
    free(file);
    if (rc < 0) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "no exo run or exo bus is running for "
                             "app %s; start one with 'exo run --app %s' or 'exo bus --app %s'",
                             app->name, app->dir, app->dir);
    }
    return 0;
}

exo_bus_t *exo_bus_start(const exo_app_t *app, const exo_registry_t *reg, exo_loop_t *loop,
                         const char *listen, const char *bind_host,
                         void (*on_trace)(void *arg, const exo_bus_trace_t *trace), void *arg,
                         exo_error_t *err)
{
    const exo_plugin_t *p = exo_bus_transport(app, reg, err);
    if (p == NULL) {
        return NULL;
    }
    char *file = bus_file(app);
    long pid = 0;
    if (read_bus_file(file, NULL, NULL, NULL, &pid) == 0 && pid != (long)getpid()) {
        exo_error_set(err, EXO_ERR_EXISTS, "a broker for app %s is already running (pid %ld, "
                      "see %s); stop that exo run / exo bus first", app->name, pid, file);
        free(file);
        return NULL;
    }
    /* The user token: proves the user who runs the app (exo send, exo tail); bus.json, which
     * holds it, is the user's alone (docs/security.md). */
    char token[65];
    const char *given = getenv("EXO_BUS_USER_TOKEN");
    if (given != NULL && !exo_token_valid(given)) {
        exo_error_set(err, EXO_ERR_INVALID, "EXO_BUS_USER_TOKEN must be 64 lower-case hex "
                      "digits (32 random bytes, e.g. `od -An -N32 -tx1 /dev/urandom | tr -d "
                      "' \\n'`); unset it to have a random token made");
        free(file);
        return NULL;
    }
    if (given != NULL) {
        /* A deployment's own token (exo generate): its units were given it beforehand. */
        memcpy(token, given, sizeof token);
    } else if (exo_random_hex(token, 32) < 0) {
        exo_error_set(err, EXO_ERR_IO, "getrandom() failed (%s): cannot make the bus's user "
                      "token", strerror(errno));
        free(file);
        return NULL;
    }
    json_t *routes = exo_app_routes(app);
    exo_bus_spec_t spec = {
        .size = sizeof spec,
        .app = app->name,
        .listen = listen ? listen : configured_listen(app),
        .routes = routes,
        .max_message_size = app->bus_max_message_size,
        .arg = arg,
        .on_trace = on_trace,
        .config = app->bus_config,
        .bind_host = bind_host,
        .user_token = token,
    };
    exo_bus_t *bus = exo_xcalloc(1, sizeof *bus);
    bus->plugin = p;
    bus->ops = p->desc->ops;
    memcpy(bus->token, token, sizeof bus->token);
    int rc = bus->ops->broker_open(p->host, &spec, &bus->inst, err);
    json_decref(routes);
    if (rc < 0) {
        free(file);
        free(bus);
        return NULL;
    }
    char *dir = exo_statedir(app->dir);
    json_t *info = json_pack("{s:s,s:s,s:I,s:s,s:s}", "endpoint",
                             bus->ops->broker_endpoint(bus->inst), "control",
                             bus->ops->broker_control_endpoint(bus->inst), "pid",
                             (json_int_t)getpid(), "token", token, "transport", p->desc->name);
    char *text = json_dumps(info, JSON_INDENT(2));
    json_decref(info);
    if (exo_statedir_mkdir(dir) < 0 || text == NULL ||
        exo_write_file_mode(file, text, strlen(text), EXO_STATEDIR_FILE_MODE) < 0) {
        exo_error_set(err, EXO_ERR_IO, "cannot write %s: %s", file, strerror(errno));
        bus->ops->broker_close(bus->inst);
        free(bus);
        free(file);
        free(dir);
        free(text);
        return NULL;
    }
    free(dir);
    free(text);
    bus->file = file;
    (void)loop; /* the plugin reaches the loop through its host table */
    return bus;
}

const char *exo_bus_endpoint(const exo_bus_t *bus)
{
    return bus->ops->broker_endpoint(bus->inst);
}

const char *exo_bus_control_endpoint(const exo_bus_t *bus)
{
    return bus->ops->broker_control_endpoint(bus->inst);
}

json_t *exo_bus_stats(exo_bus_t *bus)
{
    json_t *out = NULL;
    return bus->ops->broker_stats(bus->inst, &out, NULL) == 0 ? out : NULL;
}

int exo_bus_emit_env(const exo_app_t *app, const exo_registry_t *reg, exo_bus_t *bus,
                     const char *role, const char *unit_host, unsigned flags, exo_env_t *env,
                     exo_error_t *err)
{
    const exo_plugin_t *p = bus != NULL ? bus->plugin : exo_bus_transport(app, reg, NULL);
    if (p == NULL) {
        return EXO_OK; /* no broker and no transport: nothing to join (exo env, exo setup) */
    }
    const exo_transport_ops_t *ops = p->desc->ops;
    char *origin = exo_strdupf("transport %s", p->desc->name);
    exo_env_set_origin(env, origin);
    free(origin);
    if (EXO_HAS(ops, exo_transport_ops_t, emit_env) && ops->emit_env != NULL) {
        return ops->emit_env(p->host, bus != NULL ? bus->inst : NULL, app->bus_config, role,
                             unit_host != NULL ? unit_host : "127.0.0.1", flags, env, err);
    }
    const char *endpoint = bus != NULL ? exo_bus_endpoint(bus) : configured_listen(app);
    if (endpoint != NULL) {
        exo_env_set(env, "EXO_BUS_ENDPOINT", endpoint, 0);
    }
    return EXO_OK;
}

typedef int (*tail_fn_1_1)(const exo_host_t *host, const char *control,
                           int (*fn)(void *arg, const json_t *event), void *arg,
                           exo_error_t *err);
typedef int (*stats_fn_1_1)(const exo_host_t *host, const char *control, json_t **out,
                            exo_error_t *err);

int exo_bus_client_tail(const exo_plugin_t *p, const char *control, const char *token,
                        int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err)
{
    const exo_transport_ops_t *ops = p->desc->ops;
    if (!EXO_HAS(ops, exo_transport_ops_t, emit_env)) {
        return ((tail_fn_1_1)(void (*)(void))ops->client_tail)(p->host, control, fn, arg, err);
    }
    return ops->client_tail(p->host, control, fn, arg, err, token);
}

int exo_bus_client_stats(const exo_plugin_t *p, const char *control, const char *token,
                         json_t **out, exo_error_t *err)
{
    const exo_transport_ops_t *ops = p->desc->ops;
    if (!EXO_HAS(ops, exo_transport_ops_t, emit_env)) {
        return ((stats_fn_1_1)(void (*)(void))ops->client_stats)(p->host, control, out, err);
    }
    return ops->client_stats(p->host, control, out, err, token);
}

const char *exo_bus_user_token(const exo_bus_t *bus)
{
    return bus->token;
}

void exo_bus_stop(exo_bus_t **bus_p)
{
    exo_bus_t *bus = bus_p ? *bus_p : NULL;
    if (bus == NULL) {
        return;
    }
    bus->ops->broker_close(bus->inst);
    /* Only our own file: a broker started after us for the same app keeps its own. */
    long pid = 0;
    json_t *j = json_load_file(bus->file, 0, NULL);
    pid = (long)json_integer_value(json_object_get(j, "pid"));
    json_decref(j);
    if (pid == (long)getpid()) {
        unlink(bus->file);
    }
    free(bus->file);
    free(bus);
    *bus_p = NULL;
}

static const char *str(const json_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(ev, key));
    return s ? s : "?";
}

static const char *or_q(const char *s)
{
    return s ? s : "?";
}


static void buf_put_ull(exo_buf_t *b, unsigned long long v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    exo_buf_append(b, tmp + i, sizeof tmp - i);
}

bool exo_bus_trace_format(const exo_bus_trace_t *t, exo_buf_t *b)
{
    /* The broker logged it already (a denial, no receiver): one event is one line. */
    if (EXO_HAS(t, exo_bus_trace_t, logged) && t->logged) {
        return false;
    }
    const char *kind = or_q(t->event);
    if (strcmp(kind, "message") == 0) {
        exo_buf_puts(b, or_q(t->sender));
        exo_buf_puts(b, "  --[ ");
        if (t->name != NULL) {
            exo_buf_append(b, t->name, t->name_len);
        } else {
            exo_buf_puts(b, "?");
        }
        exo_buf_puts(b, " ]");
        if (t->internal_name != NULL) {
            exo_buf_puts(b, "-[ ");
            exo_buf_puts(b, t->internal_name);
            exo_buf_puts(b, " ]");
        }
        const char *outcome = or_q(t->outcome);
        exo_buf_puts(b, "->  ");
        if (strcmp(outcome, "delivered") == 0) {
            exo_buf_puts(b, or_q(t->receiver));
        } else {
            if (t->receiver != NULL) {
                exo_buf_puts(b, t->receiver);
                exo_buf_puts(b, "  ");
            }
            exo_buf_puts(b, "(");
            exo_buf_puts(b, outcome);
            exo_buf_puts(b, ")");
        }
        return true;
    }
    bool reg = strcmp(kind, "register") == 0;
    if (reg || strcmp(kind, "unregister") == 0) {
        exo_buf_puts(b, or_q(t->role));
        exo_buf_puts(b, reg ? " online (instance " : " offline (instance ");
        buf_put_ull(b, t->instance);
        exo_buf_puts(b, ", ");
        exo_buf_puts(b, or_q(reg ? t->label : t->reason));
        /* A registration with the user token (exo send, a service started by hand) is not
         * one of the role's own units: said, since it does not count for readiness. */
        if (reg && EXO_HAS(t, exo_bus_trace_t, credential) && t->credential != NULL &&
            strcmp(t->credential, "user") == 0) {
            exo_buf_puts(b, ", user token");
        }
        exo_buf_puts(b, ")");
        return true;
    }
    if (strcmp(kind, "error") == 0) {
        exo_buf_puts(b, or_q(t->sender));
        exo_buf_puts(b, "  (");
        exo_buf_puts(b, or_q(t->error));
        exo_buf_puts(b, ": ");
        exo_buf_puts(b, or_q(t->message));
        exo_buf_puts(b, ")");
        return true;
    }
    return false;
}

char *exo_bus_trace_line(const json_t *ev)
{
    /* A lossy observer's notice (docs/bus.md): the broker did not wait for this tail. */
    if (strcmp(str(ev, "event"), "dropped") == 0) {
        return exo_strdupf("(%lld events not shown: this tail did not keep up with the bus)",
                           (long long)json_integer_value(json_object_get(ev, "count")));
    }
    const char *name = str(ev, "name");
    json_int_t instance = json_integer_value(json_object_get(ev, "instance"));
    exo_bus_trace_t t = {
        .size = sizeof t,
        .event = str(ev, "event"),
        .sender = str(ev, "sender"),
        .name = name,
        .name_len = strlen(name),
        .receiver = json_string_value(json_object_get(ev, "receiver")),
        .internal_name = json_string_value(json_object_get(ev, "internal_name")),
        .outcome = str(ev, "outcome"),
        .role = str(ev, "role"),
        .instance = (unsigned long long)instance,
        .label = str(ev, "label"),
        .reason = str(ev, "reason"),
        .error = str(ev, "error"),
        .message = str(ev, "message"),
        .credential = json_string_value(json_object_get(ev, "credential")),
    };
    exo_buf_t b = {0};
    if (!exo_bus_trace_format(&t, &b)) {
        exo_buf_free(&b);
        return NULL;
    }
    exo_buf_append(&b, "", 0);
    return b.data;
}
