/* core/run/appmodel.c - the model JSON of exo/generator.h; see appmodel.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <exo/generator.h>
#include <exo/resource.h>

#include "appmodel.h"
#include "base/env.h"
#include "base/util.h"
#include "model/statedir.h"
#include "unitenv.h"

/* @p to relative to @p from, both absolute and without "." or ".." parts. */
static char *relative_path(const char *from, const char *to)
{
    size_t common = 0;
    for (size_t i = 0;; i++) {
        bool end_f = from[i] == '\0' || from[i] == '/';
        bool end_t = to[i] == '\0' || to[i] == '/';
        if (end_f && end_t) {
            common = i;
            if (from[i] == '\0' || to[i] == '\0') {
                break;
            }
        }
        if (from[i] != to[i] || from[i] == '\0') {
            break;
        }
    }
    exo_buf_t b = {0};
    for (const char *p = from + common; *p != '\0'; p++) {
        if (*p == '/' && p[1] != '\0') {
            exo_buf_puts(&b, b.len ? "/.." : "..");
        }
    }
    const char *rest = to + common;
    rest += *rest == '/';
    if (*rest != '\0') {
        exo_buf_printf(&b, "%s%s", b.len ? "/" : "", rest);
    }
    if (b.len == 0) {
        exo_buf_puts(&b, ".");
    }
    return b.data;
}

static json_t *env_json(const exo_env_t *env)
{
    json_t *a = json_array();
    for (size_t i = 0; i < env->n; i++) {
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "name", env->vars[i].name,
                                           "value", env->vars[i].value, "secret",
                                           env->vars[i].secret));
    }
    return a;
}

static json_t *strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(v[i]));
    }
    return a;
}

/* The roles @p svc depends on that a deployment has: frontends are not generated yet. */
static json_t *deps_json(const exo_app_t *app, const exo_service_t *svc)
{
    json_t *a = json_array();
    for (size_t i = 0; i < svc->n_depends_on; i++) {
        const exo_service_t *dep = exo_app_service(app, svc->depends_on[i]);
        if (dep == NULL || dep->frontend == NULL) {
            json_array_append_new(a, json_string(svc->depends_on[i]));
        }
    }
    return a;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files at the top of @p dir, sorted (a generator looks for its Dockerfile). */
static json_t *dir_files(const char *dir)
{
    exo_strv_t names = {0};
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        char *path = exo_path_join(dir, e->d_name);
        struct stat st;
        if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            exo_strv_push(&names, e->d_name);
        }
        free(path);
    }
    if (d != NULL) {
        closedir(d);
    }
    if (names.n > 0) {
        qsort(names.v, names.n, sizeof *names.v, by_name);
    }
    json_t *a = strv_json(names.v, names.n);
    exo_strv_free(&names);
    return a;
}

static unsigned bus_port(const exo_app_t *app)
{
    const json_t *listen = app->bus_config ? json_object_get(app->bus_config, "listen") : NULL;
    const char *colon = json_is_string(listen) ? strrchr(json_string_value(listen), ':') : NULL;
    long port = colon ? strtol(colon + 1, NULL, 10) : 0;
    return port > 0 && port < 65536 ? (unsigned)port : EXO_APPMODEL_BUS_PORT;
}

/* One resource plugin instance, as a container backend would run it. */
typedef struct res {
    const exo_resource_ops_t *ops;
    void *inst;
    exo_resource_unit_t unit;
} res_t;

static int res_open(const exo_app_t *app, const exo_registry_t *reg, const exo_resource_t *r,
                    res_t *out, exo_error_t *err)
{
    const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_RESOURCE, r->type);
    if (p == NULL) {
        char *names = exo_registry_names(reg, EXO_KIND_RESOURCE);
        exo_error_set(err, EXO_ERR_NOTFOUND, "%s:%d:%d: resource '%s': no working resource "
                      "plugin of type '%s' (available: %s); 'exo plugins' shows why one failed "
                      "to load", app->file, r->line, r->column, r->name, r->type,
                      names && names[0] ? names : "none");
        free(names);
        return EXO_ERR_NOTFOUND;
    }
    char *sd = exo_statedir(app->dir);
    char *data_dir = exo_statedir_resource_data(sd, r->name);
    exo_statedir_mkdir(data_dir);
    exo_resource_spec_t spec = {
        .size = sizeof spec, .app = app->name, .name = r->name, .type = r->type,
        .config = r->config, .app_dir = app->dir, .data_dir = data_dir, .containers = true,
    };
    out->ops = p->desc->ops;
    int rc = out->ops->create(p->host, &spec, &out->inst, err);
    free(data_dir);
    free(sd);
    if (rc < 0) {
        out->inst = NULL;
        return rc;
    }
    /* As a container backend runs it: prepared (for containers that is the stored password;
     * the image makes its own data), then described. A plugin whose unit() predates an
     * appended member leaves it zero. */
    if (out->ops->prepare != NULL && (rc = out->ops->prepare(out->inst, err)) < 0) {
        return rc;
    }
    out->unit.size = sizeof out->unit;
    return out->ops->unit(out->inst, &out->unit, err);
}

static json_t *res_json(const exo_resource_t *r, const res_t *rs)
{
    const exo_resource_unit_t *u = &rs->unit;
    exo_env_t *env = exo_env_new();
    for (const char *const *e = u->env; e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq != NULL) {
            char *name = exo_xstrndup(*e, (size_t)(eq - *e));
            /* The server's own variables carry its passwords: treat them all as secret. */
            exo_env_set(env, name, eq + 1, EXO_ENV_SECRET);
            free(name);
        }
    }
    json_t *data = json_array();
    for (const char *const *m = u->mounts; m != NULL && *m != NULL; m++) {
        const char *colon = strrchr(*m, ':');
        json_array_append_new(data, json_string(colon ? colon + 1 : *m));
    }
    json_t *o = json_pack("{s:s, s:s, s:o, s:I, s:o, s:o, s:o}", "name", r->name, "type",
                          r->type, "image", u->image ? json_string(u->image) : json_null(),
                          "port", (json_int_t)u->port, "command",
                          u->container_command ? json_string(u->container_command)
                                               : json_null(),
                          "data", data, "env", env_json(env));
    exo_env_destroy(&env);
    return o;
}

/* A resource at an existing server (deploy-url): nothing to run, its URL for the services. */
static json_t *external_json(const exo_resource_t *r)
{
    return json_pack("{s:s, s:s, s:b, s:s, s:n, s:I, s:n, s:[], s:[]}", "name", r->name,
                     "type", r->type, "external", 1, "url", r->deploy_url, "image", "port",
                     (json_int_t)0, "command", "data", "env");
}

/* What a service gets for an external resource: PREFIX_URL (secret) and the URL's HOST,
 * PORT (when it has one), USER and PASSWORD (secret) when it has them. The plugin's other
 * variables describe a server exo runs, so they are not set. */
static void external_env(const exo_resource_t *r, const char *prefix, exo_env_t *env)
{
    exo_url_t url;
    if (exo_url_parse(r->deploy_url, &url) < 0) {
        return; /* checked when the app was loaded */
    }
    char port[16];
    snprintf(port, sizeof port, "%u", url.port);
    const struct { const char *suffix, *value; unsigned flags; } vars[] = {
        {"URL", r->deploy_url, EXO_ENV_SECRET},
        {"HOST", url.host, 0},
        {"PORT", url.port ? port : NULL, 0},
        {"USER", url.user, 0},
        {"PASSWORD", url.password, EXO_ENV_SECRET},
    };
    exo_env_set_origin(env, "deploy-url");
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        if (vars[i].value != NULL) {
            char *name = exo_strdupf("%s%s", prefix, vars[i].suffix);
            exo_env_set(env, name, vars[i].value, vars[i].flags);
            free(name);
        }
    }
    exo_url_free(&url);
}

typedef struct model_ctx {
    const exo_app_t *app;
    res_t *res;        /* indexed like app->resources */
    unsigned bus_port;
} model_ctx_t;

static int service_env(const model_ctx_t *m, const exo_service_t *svc, exo_env_t *env,
                       exo_error_t *err)
{
    const exo_app_t *app = m->app;
    exo_env_set_origin(env, "exo");
    exo_env_set(env, "EXO_ROLE", svc->role, 0);
    exo_env_set(env, "EXO_APP", app->name, 0);
    if (svc->port != 0) {
        char port[16];
        snprintf(port, sizeof port, "%u", svc->port);
        exo_env_set(env, "PORT", port, 0);
    }
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *o = &app->services[i];
        if (o == svc || o->port == 0 || o->frontend != NULL) {
            continue;
        }
        char *prefix = exo_unitenv_prefix(o->role);
        char *name = exo_strdupf("%sHOST", prefix), *val = exo_strdupf("%u", o->port);
        exo_env_set(env, name, o->role, 0);
        free(name);
        name = exo_strdupf("%sPORT", prefix);
        exo_env_set(env, name, val, 0);
        free(name);
        free(val);
        name = exo_strdupf("%sURL", prefix);
        val = exo_strdupf("http://%s:%u", o->role, o->port);
        exo_env_set(env, name, val, 0);
        free(name);
        free(val);
        free(prefix);
    }
    for (size_t i = 0; i < svc->n_resources; i++) {
        const exo_resource_t *r = exo_app_resource(app, svc->resources[i]);
        const res_t *rs = &m->res[r - app->resources];
        char *prefix = exo_unitenv_prefix(r->name);
        int rc = EXO_OK;
        if (r->deploy_url != NULL) {
            external_env(r, prefix, env);
        } else {
            rc = rs->ops->emit_env(rs->inst, env, prefix, r->name, rs->unit.port, err);
        }
        free(prefix);
        if (rc < 0) {
            return rc;
        }
    }
    const exo_kv_t *layers[] = {app->env, svc->env, svc->app_env};
    const size_t counts[] = {app->n_env, svc->n_env, svc->n_app_env};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            exo_env_set(env, layers[l][i].name, layers[l][i].value,
                        layers[l][i].secret ? EXO_ENV_SECRET : 0);
        }
    }
    return EXO_OK;
}

static const char *ready_word(exo_ready_kind_t k)
{
    static const char *const words[] = {"auto", "online-text", "port", "bus", "started"};
    return k <= EXO_READY_STARTED ? words[k] : "auto";
}

static const char *restart_word(exo_restart_policy_t r)
{
    return r == EXO_RESTART_NO ? "no" : r == EXO_RESTART_ALWAYS ? "always" : "on-failure";
}

static json_t *service_json(const model_ctx_t *m, const exo_service_t *svc, exo_error_t *err)
{
    exo_env_t *env = exo_env_new();
    if (service_env(m, svc, env, err) < 0) {
        exo_env_destroy(&env);
        return NULL;
    }
    char *dir = relative_path(m->app->dir, svc->dir);
    json_t *sections = json_object();
    for (size_t i = 0; i < svc->n_sections; i++) {
        const exo_block_t *b = &svc->sections[i];
        if (b->key != NULL && b->json != NULL) {
            json_object_set(sections, b->key->value, b->json);
        }
    }
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "role", svc->role, "dir", dir, "type", svc->type ? svc->type : "", "command",
        svc->startup_command ? svc->startup_command : "", "port", (json_int_t)svc->port,
        "public", 0, "instances", (json_int_t)svc->instances, "ready", ready_word(svc->ready),
        "ready_timeout_ms", (json_int_t)svc->ready_timeout_ms, "restart",
        restart_word(svc->restart), "depends_on", deps_json(m->app, svc),
        "resources", strv_json(svc->resources, svc->n_resources), "sends",
        strv_json(svc->sends, svc->n_sends), "receives", strv_json(svc->receives, svc->n_receives),
        "files", dir_files(svc->dir), "sections", sections, "options",
        svc->options.json ? json_deep_copy(svc->options.json) : json_object(), "env",
        env_json(env));
    if (svc->online_text != NULL) {
        json_object_set_new(o, "online_text", json_string(svc->online_text));
    }
    if (svc->public_endpoint.port != 0) {
        /* services.<role>.public: the host port and address a deployment publishes. */
        json_object_set_new(o, "public", json_true());
        json_object_set_new(o, "public_port", json_integer(svc->public_endpoint.port));
        json_object_set_new(o, "public_bind", json_string(svc->public_endpoint.bind));
    }
    free(dir);
    exo_env_destroy(&env);
    return o;
}

/* A frontend (application.yml frontends.<role>): what a deployment runs as
 * `exo frontend ROLE`. */
static json_t *frontend_json(const exo_service_t *fe)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:b, s:o, s:o, s:o}", "role", fe->role, "type",
                          fe->frontend->type, "port", (json_int_t)fe->port, "public",
                          fe->public_endpoint.port != 0, "sends",
                          strv_json(fe->sends, fe->n_sends), "receives",
                          strv_json(fe->receives, fe->n_receives), "config",
                          fe->frontend->config ? json_incref(fe->frontend->config)
                                               : json_object());
    if (fe->public_endpoint.port != 0) {
        json_object_set_new(o, "public_port", json_integer(fe->public_endpoint.port));
        json_object_set_new(o, "public_bind", json_string(fe->public_endpoint.bind));
    }
    return o;
}

/* The bus credential of the app's generated deployments: made once, kept in
 * .exo/state/generate/bus-token (0600) so that generating again gives the same files. NULL
 * with @p err filled when it can be neither read nor made. */
static char *deployment_token(const exo_app_t *app, exo_error_t *err)
{
    char *sd = exo_statedir(app->dir);
    char *state = exo_statedir_state(sd);
    char *dir = exo_path_join(state, "generate");
    char *file = exo_path_join(dir, "bus-token");
    char *token = exo_read_file(file, NULL);
    if (token != NULL) {
        token[strcspn(token, "\n")] = '\0';
    }
    if (!exo_token_valid(token)) {
        free(token);
        token = exo_xmalloc(65);
        if (exo_random_hex(token, 32) < 0 || exo_statedir_mkdir(sd) < 0 ||
            exo_statedir_mkdir(state) < 0 || exo_statedir_mkdir(dir) < 0 ||
            exo_write_file_mode(file, token, 64, EXO_STATEDIR_FILE_MODE) < 0) {
            exo_error_set(err, EXO_ERR_IO, "cannot make the deployment's bus token %s: %s",
                          file, strerror(errno));
            free(token);
            token = NULL;
        }
    }
    free(file);
    free(dir);
    free(state);
    free(sd);
    return token;
}

static json_t *build(model_ctx_t *m, const exo_registry_t *reg, const char *out_dir,
                     exo_error_t *err)
{
    const exo_app_t *app = m->app;
    json_t *resources = json_array();
    for (size_t i = 0; i < app->n_resources; i++) {
        if (app->resources[i].deploy_url != NULL) {
            json_array_append_new(resources, external_json(&app->resources[i]));
            continue;
        }
        if (res_open(app, reg, &app->resources[i], &m->res[i], err) < 0) {
            json_decref(resources);
            return NULL;
        }
        json_array_append_new(resources, res_json(&app->resources[i], &m->res[i]));
    }
    json_t *services = json_array(), *frontends = json_array();
    for (size_t i = 0; i < app->n_services; i++) {
        if (app->services[i].frontend != NULL) {
            json_array_append_new(frontends, frontend_json(&app->services[i]));
            continue;
        }
        json_t *s = service_json(m, &app->services[i], err);
        if (s == NULL) {
            json_decref(resources);
            json_decref(services);
            json_decref(frontends);
            return NULL;
        }
        json_array_append_new(services, s);
    }
    char *token = deployment_token(app, err);
    if (token == NULL) {
        json_decref(resources);
        json_decref(services);
        json_decref(frontends);
        return NULL;
    }
    char *app_rel = relative_path(out_dir, app->dir);
    char *out_rel = strncmp(out_dir, app->dir, strlen(app->dir)) == 0 &&
                    out_dir[strlen(app->dir)] == '/'
                    ? relative_path(app->dir, out_dir) : exo_xstrdup(out_dir);
    json_t *model = json_pack(
        "{s:i, s:s, s:s, s:s, s:{s:s, s:I, s:s, s:s}, s:o, s:o}", "schema",
        EXO_GENERATOR_MODEL_SCHEMA, "name", app->name, "app_dir", app_rel, "out_dir", out_rel,
        "bus", "transport", app->bus_transport, "port", (json_int_t)m->bus_port, "host", "bus",
        "token", token, "services", services, "resources", resources);
    json_object_set_new(model, "frontends", frontends);
    free(token);
    if (app->version != NULL) {
        json_object_set_new(model, "version", json_string(app->version));
    }
    if (app->description != NULL) {
        json_object_set_new(model, "description", json_string(app->description));
    }
    free(app_rel);
    free(out_rel);
    return model;
}

json_t *exo_appmodel_build(const exo_app_t *app, const exo_registry_t *reg, const char *out_dir,
                           exo_error_t *err)
{
    model_ctx_t m = {.app = app, .bus_port = bus_port(app)};
    m.res = exo_xcalloc(app->n_resources + 1, sizeof *m.res);
    json_t *model = build(&m, reg, out_dir, err);
    for (size_t i = 0; i < app->n_resources; i++) {
        if (m.res[i].inst != NULL) {
            m.res[i].ops->destroy(m.res[i].inst);
        }
    }
    free(m.res);
    return model;
}
