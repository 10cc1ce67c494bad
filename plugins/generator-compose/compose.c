/*
 * compose.c - the `compose` generator: the app as a Docker Compose project.
 *
 * Files (relative to the output directory):
 *   docker-compose.yml   every service and resource as a compose service, the bus as
 *                        service "bus", named volumes for resource data, dependency order
 *                        with health checks from readiness, host ports for public services
 *                        only; no secret value in it. Services are built from their
 *                        directories (development)
 *   docker-compose.prod.yml  the same project running the images `exo build` makes
 *                        (APP-ROLE:VERSION), nothing built from the app's directories
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
#include "../generator-common/gencommon.h"
#include "../generator-common/yamlout.h"

#define HEALTH_INTERVAL_MS 2000u
/* Where a frontend that is not public listens in its container (reached by name only). */
#define FRONTEND_PORT_DEFAULT 8080u

typedef struct gen {
    const exo_host_t *host;
    const json_t *model;
    exo_generator_sink_t *sink;
    exo_error_t *err;
    json_t *services; /* the compose services: map */
    json_t *volumes;  /* named volumes: map */
    json_t *prod_images; /* role -> the image docker-compose.prod.yml runs (exo build's) */
} gen_t;

static int add_file(gen_t *g, const char *path, const exo_buf_t *b, unsigned mode)
{
    return gen_add_file(g->sink, path, b, mode, g->err);
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
        const char *vname = gen_str(v, "name"), *value = gen_str(v, "value");
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

/*
 * Development (docker-compose.yml): the image of the settings, else build: from the
 * service's Dockerfile tagged APP-ROLE:VERSION-dev, so that `up --build` never replaces the
 * production image. Production (docker-compose.prod.yml): the settings' image, else
 * APP-ROLE:VERSION, which `exo build` makes (from Dockerfile.prod when there is one).
 */
static int put_image(gen_t *g, json_t *svc, const json_t *s)
{
    gen_image_t img;
    int rc = gen_service_image(g->model, s, "compose", &img, g->err);
    if (rc < 0) {
        return rc;
    }
    json_object_set_new(g->prod_images, gen_str(s, "role"), json_string(img.image));
    if (img.dockerfile != NULL) {
        char *context = exo_strdupf("%s/%s", gen_str(g->model, "app_dir"), gen_str(s, "dir"));
        json_object_set_new(svc, "build", json_pack("{s:s, s:s}", "context", context,
                                                    "dockerfile", img.dockerfile));
        json_object_set_new(svc, "image", json_sprintf("%s-dev", img.image));
        free(context);
    } else {
        json_object_set_new(svc, "image", json_string(img.image));
    }
    gen_image_free(&img);
    return EXO_OK;
}

/* A public service's port on the host (services.<role>.public), at its bind address;
 * @p port: where it listens in its container. */
static int put_ports(gen_t *g, json_t *svc, const json_t *s, unsigned port)
{
    if (!json_is_true(json_object_get(s, "public"))) {
        return EXO_OK; /* private: reached by name on the project's network only */
    }
    if (gen_uint(s, "instances") > 1) {
        return exo_error_set(g->err, EXO_ERR_INVALID, "compose: service %s is public on host "
                             "port %u and has %u instances, but one host port can be published "
                             "by one container only; give it instances: 1, or put a proxy in "
                             "front of it", gen_str(s, "role"), gen_uint(s, "public_port"),
                             gen_uint(s, "instances"));
    }
    char *ports = exo_strdupf("%s:%u:%u", gen_str(s, "public_bind"), gen_uint(s, "public_port"),
                              port);
    json_object_set_new(svc, "ports", json_pack("[s]", ports));
    free(ports);
    return EXO_OK;
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
            if (strcmp(gen_str(o, "role"), json_string_value(d)) == 0) {
                depend(deps, json_string_value(d), gen_ready_by_port(o));
            }
        }
    }
    json_array_foreach(json_object_get(s, "resources"), i, d) {
        if (!gen_resource_external(gen_resource(g->model, json_string_value(d)))) {
            depend(deps, json_string_value(d), true);
        }
    }
    return deps;
}

static int service(gen_t *g, const json_t *s)
{
    const char *role = gen_str(s, "role");
    json_t *svc = json_object();
    int rc = put_image(g, svc, s);
    if (rc == EXO_OK) {
        rc = put_ports(g, svc, s, gen_uint(s, "port"));
    }
    if (rc == EXO_OK) {
        char *endpoint = gen_bus_endpoint(g->model);
        json_t *bus_env = json_pack("{s:s}", "EXO_BUS_ENDPOINT", endpoint);
        /* The deployment's bus credential, a secret like the app's own (secrets/ROLE.env). */
        json_t *env = json_deep_copy(json_object_get(s, "env"));
        json_array_append_new(env, gen_bus_token_var(g->model, "EXO_BUS_TOKEN"));
        rc = put_env(g, svc, role, env, bus_env);
        json_decref(env);
        json_decref(bus_env);
        free(endpoint);
    }
    if (rc < 0) {
        json_decref(svc);
        return rc;
    }
    if (gen_str(s, "command")[0] != '\0') {
        json_object_set_new(svc, "command", shell_command(gen_str(s, "command")));
    }
    json_object_set_new(svc, "depends_on", service_deps(g, s));
    if (gen_ready_by_port(s)) {
        json_object_set_new(svc, "healthcheck",
                            port_health(gen_uint(s, "port"), gen_uint(s, "ready_timeout_ms")));
    }
    json_object_set_new(svc, "restart", json_string(gen_str(s, "restart")));
    unsigned instances = gen_uint(s, "instances");
    if (instances > 1) {
        json_object_set_new(svc, "deploy", json_pack("{s:i}", "replicas", (int)instances));
    }
    json_object_set_new(g->services, role, svc);
    return EXO_OK;
}

static int resource(gen_t *g, const json_t *r)
{
    const char *name = gen_str(r, "name");
    const char *image = json_string_value(json_object_get(r, "image"));
    if (image == NULL) {
        return exo_error_set(g->err, EXO_ERR_INVALID, "compose: resource %s (%s) cannot run in "
                             "a container: its plugin gives no image; set its image: in "
                             "application.yml", name, gen_str(r, "type"));
    }
    json_t *svc = json_pack("{s:s, s:s}", "image", image, "restart", "always");
    int rc = put_env(g, svc, name, json_object_get(r, "env"), NULL);
    if (rc < 0) {
        json_decref(svc);
        return rc;
    }
    if (json_is_string(json_object_get(r, "command"))) {
        json_object_set_new(svc, "command", shell_command(gen_str(r, "command")));
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
    if (gen_uint(r, "port") > 0) {
        json_object_set_new(svc, "healthcheck", port_health(gen_uint(r, "port"), 60000));
    }
    json_object_set_new(g->services, name, svc);
    return EXO_OK;
}

/* The build of the bus image (exo with the app's manifests), which frontends run too. */
static json_t *bus_build(const gen_t *g)
{
    char *dockerfile = exo_strdupf("%s/bus/Dockerfile", gen_str(g->model, "out_dir"));
    json_t *build = json_pack("{s:s, s:s}", "context", gen_str(g->model, "app_dir"),
                              "dockerfile", dockerfile);
    free(dockerfile);
    return build;
}

/*
 * A frontend: `exo frontend ROLE` from the bus image, listening on all interfaces of its
 * container at its public port (else FRONTEND_PORT_DEFAULT), published at its bind address
 * when public; it joins the bus with the deployment's token, as a service does.
 */
static int frontend(gen_t *g, const json_t *f)
{
    const char *role = gen_str(f, "role");
    unsigned port = gen_uint(f, "port") ? gen_uint(f, "port") : FRONTEND_PORT_DEFAULT;
    char *image = gen_bus_image(g->model);
    json_t *svc = json_pack("{s:o, s:s, s:[s, s, s, s, s], s:o, s:s}", "build", bus_build(g),
                            "image", image, "command", "exo", "frontend", role, "--app", "/app",
                            "healthcheck", port_health(port, 60000), "restart", "on-failure");
    free(image);
    json_t *deps = json_object();
    depend(deps, "bus", true);
    json_object_set_new(svc, "depends_on", deps);
    char *endpoint = gen_bus_endpoint(g->model);
    char *listen = exo_strdupf("0.0.0.0:%u", port);
    json_t *plain = json_pack("{s:s, s:s, s:s}", "EXO_BUS_ENDPOINT", endpoint,
                              "EXO_FRONTEND_LISTEN", listen, "EXO_ROLE", role);
    json_t *env = json_pack("[o]", gen_bus_token_var(g->model, "EXO_BUS_TOKEN"));
    int rc = put_ports(g, svc, f, port);
    if (rc == EXO_OK) {
        rc = put_env(g, svc, role, env, plain);
    }
    json_decref(env);
    json_decref(plain);
    free(listen);
    free(endpoint);
    json_object_set_new(g->services, role, svc);
    return rc;
}

static int bus(gen_t *g)
{
    const json_t *bus = json_object_get(g->model, "bus");
    int rc = gen_check_transport(g->model, "compose", g->err);
    if (rc < 0 || (rc = gen_bus_dockerfile(g->model, g->sink, "bus/Dockerfile", "compose",
                                           g->err)) < 0) {
        return rc;
    }
    char *image = gen_bus_image(g->model);
    json_t *svc = json_pack("{s:o, s:s, s:o, s:s}", "build", bus_build(g), "image", image,
                            "healthcheck", port_health(gen_uint(bus, "port"), 60000), "restart",
                            "always");
    /* `exo bus` takes the deployment's token as its user token: every unit presents it. */
    json_t *env = json_pack("[o]", gen_bus_token_var(g->model, "EXO_BUS_USER_TOKEN"));
    rc = put_env(g, svc, gen_str(bus, "host"), env, NULL);
    json_decref(env);
    json_object_set_new(g->services, gen_str(bus, "host"), svc);
    free(image);
    return rc;
}

/* The production services: the development ones, each app service running the image exo
 * build made instead of building from its directory. New object. */
static json_t *prod_services(const gen_t *g)
{
    json_t *services = json_deep_copy(g->services);
    const char *role;
    json_t *image;
    json_object_foreach(g->prod_images, role, image) {
        json_t *svc = json_object_get(services, role);
        json_object_del(svc, "build");
        json_object_set(svc, "image", image);
    }
    return services;
}

/* @p path: the project with @p services; @p what says which one in the header. */
static int compose_file(gen_t *g, const char *path, json_t *services, const char *what)
{
    exo_buf_t b = {0};
    exo_buf_printf(&b, "# App %s as a Docker Compose project, %s.\n# Generated by `exo "
                   "generate compose`: do not edit, generate again\n# (`exo generate compose --check` "
                   "tells whether this file is up to date). Secrets are in secrets/*.env "
                   "(mode 0600), not here.\n", gen_str(g->model, "name"), what);
    /* No version: key: the Compose Specification, read by docker-compose >= 1.27 and v2. */
    json_t *doc = json_pack("{s:O}", "services", services);
    if (json_object_size(g->volumes) > 0) {
        json_object_set(doc, "volumes", g->volumes);
    }
    yamlout_map(&b, doc, 0, YAMLOUT_ESCAPE_DOLLAR);
    json_decref(doc);
    int rc = add_file(g, path, &b, 0644);
    exo_buf_free(&b);
    return rc;
}

static int compose_files(gen_t *g)
{
    int rc = compose_file(g, "docker-compose.yml", g->services, "for development: each "
                          "service's image is built from its directory");
    if (rc == EXO_OK) {
        json_t *prod = prod_services(g);
        rc = compose_file(g, "docker-compose.prod.yml", prod, "in production: it runs the "
                          "images `exo build` makes (run that first)");
        json_decref(prod);
    }
    return rc;
}

static int compose_generate(const exo_host_t *host, const json_t *model,
                            exo_generator_sink_t *sink, exo_error_t *err)
{
    int rc = gen_check_schema(model, "compose", err);
    if (rc < 0) {
        return rc;
    }
    gen_t g = {.host = host, .model = model, .sink = sink, .err = err,
               .services = json_object(), .volumes = json_object(),
               .prod_images = json_object()};
    rc = bus(&g);
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(model, "resources"), i, v) {
        if (rc == EXO_OK && !gen_resource_external(v)) {
            rc = resource(&g, v);
        }
    }
    json_array_foreach(json_object_get(model, "services"), i, v) {
        if (rc == EXO_OK) {
            rc = service(&g, v);
        }
    }
    json_array_foreach(json_object_get(model, "frontends"), i, v) {
        if (rc == EXO_OK) {
            rc = frontend(&g, v);
        }
    }
    if (rc == EXO_OK) {
        rc = compose_files(&g);
    }
    if (rc == EXO_OK) {
        rc = gen_gitignore(sink, "compose", err);
    }
    json_decref(g.services);
    json_decref(g.volumes);
    json_decref(g.prod_images);
    return rc;
}

static const exo_generator_ops_t ops = {
    .size = sizeof(exo_generator_ops_t),
    .generate = compose_generate,
};

EXO_GENERATOR_PLUGIN("compose", PACKAGE_VERSION, "the app as a Docker Compose project "
                     "(docker-compose.yml, the bus image, secrets in 0600 env files)",
                     EXO_CAP_NONE, NULL, NULL, &ops)
