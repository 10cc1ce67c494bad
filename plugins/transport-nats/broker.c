/* broker.c - the `nats` transport's broker side; see broker.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "broker.h"
#include "natsconf.h"
#include "observer.h"
#include "sdkenv.h"
#include "server.h"
#include "subject.h"


#define DEFAULT_MAX_PAYLOAD (1024u * 1024u)

typedef struct nbroker {
    const exo_host_t *host;
    char *app, *dir, *token, *bind;
    bool own_dir;      /* a temporary directory this broker removes */
    int port;          /* -1: any */
    size_t max_payload;
    json_t *routes, *secrets;
    exo_nserver_t *server;
    exo_nobs_t *observer; /* presence as register/unregister events; NULL when none wanted */
} nbroker_t;

const char *exo_nbroker_state_dir(const exo_host_t *host)
{
    const char *dir = host->state_dir != NULL ? host->state_dir(host) : NULL;
    if (dir == NULL) {
        dir = getenv("EXO_NATS_STATE_DIR");
    }
    return dir != NULL && dir[0] != '\0' ? dir : NULL;
}

static const char *config_listen(const exo_host_t *host, const json_t *config)
{
    const json_t *v = config != NULL ? host->config_get(config, "listen") : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* HOST and PORT of "nats://HOST:PORT" (tcp:// too: bus.listen of a zmq app); port 0 = any. */
static int parse_listen(const char *listen, char **hostp, int *port, exo_error_t *err)
{
    const char *rest = strncmp(listen, "nats://", 7) == 0  ? listen + 7
                       : strncmp(listen, "tcp://", 6) == 0 ? listen + 6 : NULL;
    const char *colon = rest != NULL ? strrchr(rest, ':') : NULL;
    char *end = NULL;
    long p = colon != NULL ? strtol(colon + 1, &end, 10) : -1;
    if (colon == NULL || colon == rest || end == colon + 1 || *end != '\0' || p < 0 ||
        p > 65535) {
        return exo_error_set(err, EXO_ERR_INVALID, "bus.listen '%s' is not nats://HOST:PORT "
                             "(port 0 = any free port)", listen);
    }
    *hostp = exo_xstrndup(rest, (size_t)(colon - rest));
    *port = p == 0 ? -1 : (int)p;
    return 0;
}

/* Every role of the table has a secret (drawn once; kept across set_routes). */
static int draw_secrets(nbroker_t *b, exo_error_t *err)
{
    const char *role;
    const json_t *spec;
    json_object_foreach(json_object_get(b->routes, "roles"), role, spec) {
        if (json_object_get(b->secrets, role) != NULL) {
            continue;
        }
        char secret[65];
        if (exo_random_hex(secret, 32) != 0) {
            return exo_error_set(err, EXO_ERR_IO, "getrandom() failed: no bus secret for role "
                                 "%s", role);
        }
        json_object_set_new(b->secrets, role, json_string(secret));
    }
    return 0;
}

/* The contracts file the CLI's clients read (exo send as ROLE needs ROLE's contract). */
static int write_contracts(const nbroker_t *b, exo_error_t *err)
{
    json_t *all = json_object();
    const char *role;
    const json_t *spec;
    json_object_foreach(json_object_get(b->routes, "roles"), role, spec) {
        json_object_set_new(all, role, exo_nconf_contract(b->routes, b->app, role));
    }
    char *text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(all);
    char *path = exo_path_join(b->dir, EXO_NATS_CONTRACTS_FILE);
    int rc = exo_write_file_mode(path, text, strlen(text), 0600);
    if (rc != 0) {
        exo_error_set(err, EXO_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    free(path);
    free(text);
    return rc;
}

static char *server_text(const nbroker_t *b, exo_error_t *err)
{
    exo_nconf_server_t c = {
        .app = b->app, .routes = b->routes, .host = b->bind, .port = b->port,
        .max_payload = b->max_payload, .secrets = b->secrets, .user_token = b->token,
    };
    return exo_nconf_server_text(&c, err);
}

/* Routes checked, secrets drawn, contracts written: what a start and a reload share. */
static char *prepare(nbroker_t *b, const json_t *routes, exo_error_t *err)
{
    if (exo_nconf_check(routes, b->app, err) != 0) {
        return NULL;
    }
    json_decref(b->routes);
    b->routes = json_deep_copy(routes);
    if (draw_secrets(b, err) != 0 || write_contracts(b, err) != 0) {
        return NULL;
    }
    return server_text(b, err);
}

static int choose_dir(nbroker_t *b, exo_error_t *err)
{
    const char *dir = exo_nbroker_state_dir(b->host);
    if (dir != NULL) {
        b->dir = exo_xstrdup(dir);
        return exo_mkdir_p(dir, 0700) == 0 ? 0
               : exo_error_set(err, EXO_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    }
    const char *tmp = getenv("TMPDIR");
    b->dir = exo_strdupf("%s/exo-nats-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(b->dir) == NULL) {
        return exo_error_set(err, EXO_ERR_IO, "cannot create %s: %s", b->dir, strerror(errno));
    }
    b->own_dir = true;
    return 0;
}

/* Where to listen: spec->listen, else the plugin's `listen`, else loopback on any port; a
 * container network's gateway (bind_host) replaces the default host, as for zmq. */
static int choose_listen(nbroker_t *b, const exo_bus_spec_t *spec, exo_error_t *err)
{
    const char *listen = spec->listen != NULL && spec->listen[0] != '\0' ? spec->listen : NULL;
    const char *bind_host = NULL;
    if (EXO_HAS(spec, exo_bus_spec_t, bind_host)) {
        listen = listen ? listen : config_listen(b->host, spec->config);
        bind_host = spec->bind_host;
    }
    bool is_default = listen == NULL || strcmp(listen, EXO_NATS_DEFAULT_LISTEN) == 0;
    if (parse_listen(listen ? listen : EXO_NATS_DEFAULT_LISTEN, &b->bind, &b->port, err) != 0) {
        return -1;
    }
    if (is_default && bind_host != NULL && bind_host[0] != '\0') {
        free(b->bind);
        b->bind = exo_xstrdup(bind_host);
    }
    return 0;
}

static int open_checked(nbroker_t *b, const exo_bus_spec_t *spec, exo_error_t *err)
{
    const char *tok = EXO_HAS(spec, exo_bus_spec_t, user_token) ? spec->user_token : NULL;
    char drawn[65];
    if (tok == NULL && exo_random_hex(drawn, 32) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "getrandom() failed: no user token");
    }
    b->token = exo_xstrdup(tok != NULL ? tok : drawn);
    b->max_payload = spec->max_message_size ? spec->max_message_size : DEFAULT_MAX_PAYLOAD;
    if (choose_listen(b, spec, err) != 0 || choose_dir(b, err) != 0) {
        return -1;
    }
    char *text = prepare(b, spec->routes, err);
    if (text == NULL) {
        return -1;
    }
    b->server = exo_nserver_start(b->dir, text, err);
    free(text);
    if (b->server == NULL) {
        return -1;
    }
    b->observer = exo_nobs_open(b->host, spec, exo_nserver_url(b->server), b->token, err);
    return b->observer != NULL || (spec->on_event == NULL &&
                                   !(EXO_HAS(spec, exo_bus_spec_t, on_trace) && spec->on_trace))
               ? 0 : -1;
}

int exo_nbroker_open(const exo_host_t *host, const exo_bus_spec_t *spec, void **inst,
                     exo_error_t *err)
{
    nbroker_t *b = exo_xcalloc(1, sizeof *b);
    b->host = host;
    b->app = exo_xstrdup(spec->app != NULL ? spec->app : "app");
    b->secrets = json_object();
    if (open_checked(b, spec, err) != 0) {
        exo_nbroker_close(b);
        return err != NULL && err->code < 0 ? err->code : EXO_ERR_INTERNAL;
    }
    *inst = b;
    return 0;
}

const char *exo_nbroker_endpoint(void *inst)
{
    return exo_nserver_url(((nbroker_t *)inst)->server);
}

const char *exo_nbroker_control_endpoint(void *inst)
{
    return exo_nserver_url(((nbroker_t *)inst)->server);
}

int exo_nbroker_set_routes(void *inst, const json_t *routes, exo_error_t *err)
{
    nbroker_t *b = inst;
    char *text = prepare(b, routes, err);
    int rc = text != NULL ? exo_nserver_reload(b->server, text, err) : -1;
    free(text);
    return rc;
}

/* What exo knows without asking the server: the roles and their routes (no instances, no
 * counters: docs/bus-nats.md "Observing the bus"). */
int exo_nbroker_stats(void *inst, json_t **out, exo_error_t *err)
{
    nbroker_t *b = inst;
    json_t *roles = json_object();
    const char *role;
    const json_t *spec;
    json_object_foreach(json_object_get(b->routes, "roles"), role, spec) {
        json_object_set_new(roles, role, json_pack("{s:[]}", "instances"));
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:[]}", "app", b->app, "transport", "nats",
                     "endpoint", exo_nbroker_endpoint(b), "control",
                     exo_nbroker_control_endpoint(b), "max_message_size",
                     (json_int_t)b->max_payload, "roles", roles, "routes");
    return *out != NULL ? 0 : exo_error_set(err, EXO_ERR_NOMEM, "stats");
}

void exo_nbroker_close(void *inst)
{
    nbroker_t *b = inst;
    if (b == NULL) {
        return;
    }
    exo_nobs_close(b->observer);
    exo_nserver_stop(b->server);
    if (b->own_dir) {
        exo_rm_rf(b->dir);
    }
    free(b->app);
    free(b->dir);
    free(b->token);
    free(b->bind);
    json_decref(b->routes);
    json_decref(b->secrets);
    free(b);
}

/* ---- the services' environment ---- */

/* The server's URL as the unit reaches it (see the zmq transport's busenv.c). */
static char *unit_endpoint(const exo_host_t *host, nbroker_t *b, const json_t *config,
                           const char *unit_host)
{
    if (b == NULL) {
        const char *listen = config_listen(host, config);
        return exo_xstrdup(listen ? listen : EXO_NATS_DEFAULT_LISTEN);
    }
    return exo_endpoint_for_host(exo_nbroker_endpoint(b), unit_host);
}

/* The role's secret (its NATS password) and contract: only with a running broker. */
static int emit_role(const exo_host_t *host, nbroker_t *b, const char *role, exo_env_t *env,
                     exo_error_t *err)
{
    if (b == NULL || role == NULL) {
        return 0;
    }
    const char *secret = json_string_value(json_object_get(b->secrets, role));
    json_t *contract = exo_nconf_contract(b->routes, b->app, role);
    if (secret == NULL || contract == NULL) {
        json_decref(contract);
        return 0; /* not a role of the bus (a resource's server): nothing to join with */
    }
    char *text = json_dumps(contract, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(contract);
    int rc = host->env_set(env, "EXO_BUS_TOKEN", secret, EXO_ENV_SECRET) != 0 ||
                     host->env_set(env, "EXO_BUS_CONTRACT", text, 0) != 0
                 ? exo_error_set(err, EXO_ERR_INVALID, "cannot set EXO_BUS_TOKEN")
                 : 0;
    free(text);
    return rc;
}

int exo_nbusenv_emit(const exo_host_t *host, void *inst, const json_t *config, const char *role,
                     const char *unit_host, unsigned flags, exo_env_t *env, exo_error_t *err)
{
    char *endpoint = unit_endpoint(host, inst, config, unit_host);
    int rc = exo_sdkenv_emit(host, endpoint, flags, env, err);
    free(endpoint);
    return rc == 0 ? emit_role(host, inst, role, env, err) : rc;
}
