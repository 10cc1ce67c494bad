/*
 * compose.c - the `compose` generator: the app as a Docker Compose project.
 *
 * Files (relative to the output directory):
 *   docker-compose.yml   every service and resource as a compose service, the bus as
 *                        service "bus", named volumes for resource data, dependency order
 *                        with health checks from readiness; no secret value in it
 *   bus/Dockerfile       the image of service "bus" (`exo bus` with the app's manifests)
 *   secrets/NAME.env     the secret variables of one service or resource (mode 0600),
 *                        read through env_file
 *   .gitignore           keeps secrets/ out of version control
 * Keys are sorted and nothing depends on time or the machine, so the same app gives the same
 * bytes. Only the zmq transport is known: its services reach the broker at tcp://bus:PORT.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <exo/generator.h>

#include "base/util.h"
#include "yamlout.h"

#define HEALTH_INTERVAL_MS 2000u

typedef struct gen {
    const exo_host_t *host;
    const json_t *model;
    exo_generator_sink_t *sink;
    exo_error_t *err;
    json_t *services; /* the compose services: map */
    json_t *volumes;  /* named volumes: map */
} gen_t;

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

static unsigned uint_of(const json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    return v > 0 && v < (json_int_t)1 << 31 ? (unsigned)v : 0;
}

static int add_file(gen_t *g, const char *path, const exo_buf_t *b, unsigned mode)
{
    return g->sink->add_file(g->sink, path, b->data ? b->data : "", b->len, mode, g->err);
}

static json_t *shell_command(const char *command)
{
    return json_pack("[s, s, s]", "/bin/sh", "-c", command);
}

/* A port health check: the port accepts a connection (bash's /dev/tcp, so the image needs
 * bash, as Debian-based images have), retried for the unit's ready timeout. */
static json_t *port_health(unsigned port, unsigned timeout_ms)
{
    char *test = exo_strdupf("bash -c ':> /dev/tcp/127.0.0.1/%u' || exit 1", port);
    unsigned retries = (timeout_ms + HEALTH_INTERVAL_MS - 1) / HEALTH_INTERVAL_MS;
    json_t *h = json_pack("{s:[s, s], s:s, s:s, s:i}", "test", "CMD-SHELL", test, "interval",
                          "2s", "timeout", "2s", "retries", retries > 0 ? (int)retries : 1);
    free(test);
    return h;
}

/*
 * Split @p env (model VARs) of compose service @p name: plain variables into its
 * environment:, secrets into secrets/NAME.env (0600) named by env_file:. @p extra (may be
 * NULL) is added first, as the lowest layer.
 */
static int put_env(gen_t *g, json_t *svc, const char *name, const json_t *env, const json_t *extra)
{
    json_t *plain = extra ? json_deep_copy(extra) : json_object();
    exo_buf_t secrets = {0};
    size_t i;
    const json_t *v;
    int rc = EXO_OK;
    json_array_foreach(env, i, v) {
        const char *vname = str(v, "name"), *value = str(v, "value");
        if (!json_is_true(json_object_get(v, "secret"))) {
            json_object_set_new(plain, vname, json_string(value));
            continue;
        }
        json_object_del(plain, vname);
        if (strchr(value, '\n') != NULL) {
            rc = exo_error_set(g->err, EXO_ERR_INVALID, "compose: %s: secret %s has a line "
                               "break, which an env file cannot hold; give it on one line",
                               name, vname);
            break;
        }
        exo_buf_printf(&secrets, "%s=%s\n", vname, value);
    }
    if (rc == EXO_OK && json_object_size(plain) > 0) {
        json_object_set(svc, "environment", plain);
    }
    if (rc == EXO_OK && secrets.len > 0) {
        char *path = exo_strdupf("secrets/%s.env", name);
        rc = add_file(g, path, &secrets, 0600);
        json_object_set_new(svc, "env_file", json_pack("[s]", path));
        free(path);
    }
    json_decref(plain);
    exo_buf_free(&secrets);
    return rc;
}

/* The service's docker settings: service.yml's docker: overlaid with options. New object. */
static json_t *docker_settings(const json_t *s)
{
    json_t *set = json_object();
    const json_t *docker = json_object_get(json_object_get(s, "sections"), "docker");
    if (json_is_object(docker)) {
        json_object_update(set, (json_t *)docker);
    }
    const json_t *options = json_object_get(s, "options");
    if (json_is_object(options)) {
        json_object_update(set, (json_t *)options);
    }
    return set;
}

static bool has_file(const json_t *s, const char *name)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(s, "files"), i, f) {
        if (strcmp(json_string_value(f), name) == 0) {
            return true;
        }
    }
    return false;
}

/* image: from the settings, else build: from the service's Dockerfile, else an error. */
static int put_image(gen_t *g, json_t *svc, const json_t *s)
{
    json_t *set = docker_settings(s);
    const char *role = str(s, "role");
    const char *image = json_string_value(json_object_get(set, "image"));
    const char *dockerfile = json_string_value(json_object_get(set, "dockerfile"));
    int rc = EXO_OK;
    if (image != NULL) {
        json_object_set_new(svc, "image", json_string(image));
    } else if (dockerfile == NULL && !has_file(s, "Dockerfile")) {
        rc = exo_error_set(g->err, EXO_ERR_INVALID, "compose: service %s has no image and no "
                           "Dockerfile in %s; add one, or set docker: {image: ...} in its "
                           "service.yml", role, str(s, "dir"));
    } else {
        const char *app_dir = str(g->model, "app_dir");
        char *context = exo_strdupf("%s/%s", app_dir, str(s, "dir"));
        json_object_set_new(svc, "build", json_pack("{s:s, s:s}", "context", context,
                                                    "dockerfile",
                                                    dockerfile ? dockerfile : "Dockerfile"));
        const char *version = str(g->model, "version");
        char *tag = exo_strdupf("%s-%s:%s", str(g->model, "name"), role,
                                version[0] ? version : "latest");
        json_object_set_new(svc, "image", json_string(tag));
        free(tag);
        free(context);
    }
    json_decref(set);
    return rc;
}

/* Readiness a compose health check can see: a port. Online text and bus registration are
 * only in the unit's output or the broker, so those services have none. */
static bool ready_by_port(const json_t *s)
{
    const char *ready = str(s, "ready");
    unsigned port = uint_of(s, "port");
    return port > 0 && (strcmp(ready, "port") == 0 ||
                        (strcmp(ready, "auto") == 0 && json_object_get(s, "online_text") == NULL));
}

static void depend(json_t *deps, const char *name, bool healthy)
{
    json_object_set_new(deps, name, json_pack("{s:s}", "condition",
                                              healthy ? "service_healthy" : "service_started"));
}

static json_t *service_deps(const gen_t *g, const json_t *s)
{
    json_t *deps = json_object();
    depend(deps, "bus", true);
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(s, "depends_on"), i, d) {
        size_t j;
        const json_t *o;
        json_array_foreach(json_object_get(g->model, "services"), j, o) {
            if (strcmp(str(o, "role"), json_string_value(d)) == 0) {
                depend(deps, json_string_value(d), ready_by_port(o));
            }
        }
    }
    json_array_foreach(json_object_get(s, "resources"), i, d) {
        depend(deps, json_string_value(d), true);
    }
    return deps;
}

/* The model's bus token as a secret variable NAME of the model's env form. */
static json_t *bus_token_var(gen_t *g, const char *name)
{
    return json_pack("{s:s, s:s, s:b}", "name", name, "value",
                     str(json_object_get(g->model, "bus"), "token"), "secret", 1);
}

static int service(gen_t *g, const json_t *s)
{
    const char *role = str(s, "role");
    json_t *svc = json_object();
    int rc = put_image(g, svc, s);
    if (rc == EXO_OK) {
        char *endpoint = exo_strdupf("tcp://%s:%u", str(json_object_get(g->model, "bus"), "host"),
                                     uint_of(json_object_get(g->model, "bus"), "port"));
        json_t *bus_env = json_pack("{s:s}", "EXO_BUS_ENDPOINT", endpoint);
        /* The deployment's bus credential, a secret like the app's own (secrets/ROLE.env). */
        json_t *env = json_deep_copy(json_object_get(s, "env"));
        json_array_append_new(env, bus_token_var(g, "EXO_BUS_TOKEN"));
        rc = put_env(g, svc, role, env, bus_env);
        json_decref(env);
        json_decref(bus_env);
        free(endpoint);
    }
    if (rc < 0) {
        json_decref(svc);
        return rc;
    }
    if (str(s, "command")[0] != '\0') {
        json_object_set_new(svc, "command", shell_command(str(s, "command")));
    }
    json_object_set_new(svc, "depends_on", service_deps(g, s));
    if (ready_by_port(s)) {
        json_object_set_new(svc, "healthcheck",
                            port_health(uint_of(s, "port"), uint_of(s, "ready_timeout_ms")));
    }
    json_object_set_new(svc, "restart", json_string(str(s, "restart")));
    unsigned instances = uint_of(s, "instances");
    if (instances > 1) {
        json_object_set_new(svc, "deploy", json_pack("{s:i}", "replicas", (int)instances));
    }
    json_object_set_new(g->services, role, svc);
    return EXO_OK;
}

static int resource(gen_t *g, const json_t *r)
{
    const char *name = str(r, "name");
    const char *image = json_string_value(json_object_get(r, "image"));
    if (image == NULL) {
        return exo_error_set(g->err, EXO_ERR_INVALID, "compose: resource %s (%s) cannot run in "
                             "a container: its plugin gives no image; set its image: in "
                             "application.yml", name, str(r, "type"));
    }
    json_t *svc = json_pack("{s:s, s:s}", "image", image, "restart", "always");
    int rc = put_env(g, svc, name, json_object_get(r, "env"), NULL);
    if (rc < 0) {
        json_decref(svc);
        return rc;
    }
    if (json_is_string(json_object_get(r, "command"))) {
        json_object_set_new(svc, "command", shell_command(str(r, "command")));
    }
    json_t *mounts = json_array();
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(r, "data"), i, d) {
        char *volume = i == 0 ? exo_strdupf("%s-data", name) : exo_strdupf("%s-data-%zu", name, i);
        char *mount = exo_strdupf("%s:%s", volume, json_string_value(d));
        json_array_append_new(mounts, json_string(mount));
        json_object_set_new(g->volumes, volume, json_object());
        free(mount);
        free(volume);
    }
    if (json_array_size(mounts) > 0) {
        json_object_set(svc, "volumes", mounts);
    }
    json_decref(mounts);
    if (uint_of(r, "port") > 0) {
        json_object_set_new(svc, "healthcheck", port_health(uint_of(r, "port"), 60000));
    }
    json_object_set_new(g->services, name, svc);
    return EXO_OK;
}

/* The bus image: `exo bus` and the app's manifests, built with the app directory as
 * context (so the output directory must be inside the app). */
static int bus_dockerfile(gen_t *g, const char *out_rel, unsigned port)
{
    exo_buf_t b = {0};
    exo_buf_printf(&b,
        "# The bus of app %s: `exo bus`, routing by the app's manifests copied below.\n"
        "# Generated by `exo generate compose`; do not edit. Build context: the app directory.\n"
        "# Stage exo first, from exo's build tree: make install DESTDIR=<app>/%s/bus/exo-root\n"
        "FROM debian:bookworm-slim\n"
        "RUN { dpkg -s libyaml-0-2 libjansson4 libltdl7 libzmq5 >/dev/null 2>&1 || \\\n"
        "      { apt-get update && apt-get install -y --no-install-recommends libyaml-0-2 \\\n"
        "          libjansson4 libltdl7 libzmq5 && rm -rf /var/lib/apt/lists/*; }; }\n"
        "COPY %s/bus/exo-root/ /\n"
        "COPY application.yml /app/application.yml\n",
        str(g->model, "name"), out_rel, out_rel);
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(g->model, "services"), i, s) {
        exo_buf_printf(&b, "COPY %s/service.yml /app/%s/service.yml\n", str(s, "dir"),
                       str(s, "dir"));
    }
    exo_buf_printf(&b,
        "RUN ldconfig\n"
        "WORKDIR /app\n"
        "EXPOSE %u\n"
        "CMD [\"exo\", \"bus\", \"--app\", \"/app\", \"--listen\", \"tcp://0.0.0.0:%u\"]\n",
        port, port);
    int rc = add_file(g, "bus/Dockerfile", &b, 0644);
    exo_buf_free(&b);
    return rc;
}

static int bus(gen_t *g)
{
    const json_t *bus = json_object_get(g->model, "bus");
    if (strcmp(str(bus, "transport"), "zmq") != 0) {
        return exo_error_set(g->err, EXO_ERR_UNSUPPORTED, "compose: the app's bus transport "
                             "is '%s'; this generator knows how services reach the zmq "
                             "transport only", str(bus, "transport"));
    }
    const char *out_rel = str(g->model, "out_dir");
    if (out_rel[0] == '/' || strncmp(out_rel, "..", 2) == 0) {
        return exo_error_set(g->err, EXO_ERR_INVALID, "compose: the output directory %s is "
                             "outside the app, but the bus image is built from the app "
                             "directory; choose --out inside it", out_rel);
    }
    unsigned port = uint_of(bus, "port");
    int rc = bus_dockerfile(g, out_rel, port);
    if (rc < 0) {
        return rc;
    }
    char *dockerfile = exo_strdupf("%s/bus/Dockerfile", out_rel);
    const char *version = str(g->model, "version");
    char *image = exo_strdupf("%s-bus:%s", str(g->model, "name"), version[0] ? version : "latest");
    json_t *svc = json_pack("{s:{s:s, s:s}, s:s, s:o, s:s}", "build", "context",
                            str(g->model, "app_dir"), "dockerfile", dockerfile, "image", image,
                            "healthcheck", port_health(port, 60000), "restart", "always");
    /* `exo bus` takes the deployment's token as its user token: every unit presents it. */
    json_t *env = json_pack("[o]", bus_token_var(g, "EXO_BUS_USER_TOKEN"));
    rc = put_env(g, svc, str(bus, "host"), env, NULL);
    json_decref(env);
    json_object_set_new(g->services, str(bus, "host"), svc);
    free(image);
    free(dockerfile);
    return rc;
}

static int compose_file(gen_t *g)
{
    exo_buf_t b = {0};
    exo_buf_printf(&b, "# App %s as a Docker Compose project. Generated by `exo generate "
                   "compose`: do not edit,\n# generate again (`exo generate compose --check` "
                   "tells whether this file is up to date).\n# Secrets are in secrets/*.env "
                   "(mode 0600), not here.\n", str(g->model, "name"));
    /* No version: key: the Compose Specification, read by docker-compose >= 1.27 and v2. */
    json_t *doc = json_pack("{s:O}", "services", g->services);
    if (json_object_size(g->volumes) > 0) {
        json_object_set(doc, "volumes", g->volumes);
    }
    yamlout_map(&b, doc, 0, COMPOSE_ESCAPE_DOLLAR);
    json_decref(doc);
    int rc = add_file(g, "docker-compose.yml", &b, 0644);
    exo_buf_free(&b);
    return rc;
}

static int compose_generate(const exo_host_t *host, const json_t *model,
                            exo_generator_sink_t *sink, exo_error_t *err)
{
    if (json_integer_value(json_object_get(model, "schema")) != EXO_GENERATOR_MODEL_SCHEMA) {
        return exo_error_set(err, EXO_ERR_ABI, "compose: app model schema %lld, this "
                             "generator reads schema %d; use the exo it was built with",
                             (long long)json_integer_value(json_object_get(model, "schema")),
                             EXO_GENERATOR_MODEL_SCHEMA);
    }
    gen_t g = {.host = host, .model = model, .sink = sink, .err = err,
               .services = json_object(), .volumes = json_object()};
    int rc = bus(&g);
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(model, "resources"), i, v) {
        if (rc == EXO_OK) {
            rc = resource(&g, v);
        }
    }
    json_array_foreach(json_object_get(model, "services"), i, v) {
        if (rc == EXO_OK) {
            rc = service(&g, v);
        }
    }
    if (rc == EXO_OK) {
        rc = compose_file(&g);
    }
    if (rc == EXO_OK) {
        exo_buf_t ignore = {0};
        exo_buf_puts(&ignore, "# Generated by `exo generate compose`: secret values and the "
                     "staged exo stay out of version control.\nsecrets/\nbus/exo-root/\n");
        rc = add_file(&g, ".gitignore", &ignore, 0644);
        exo_buf_free(&ignore);
    }
    json_decref(g.services);
    json_decref(g.volumes);
    return rc;
}

static const exo_generator_ops_t ops = {
    .size = sizeof(exo_generator_ops_t),
    .generate = compose_generate,
};

EXO_GENERATOR_PLUGIN("compose", PACKAGE_VERSION, "the app as a Docker Compose project "
                     "(docker-compose.yml, the bus image, secrets in 0600 env files)",
                     EXO_CAP_NONE, NULL, NULL, &ops)
