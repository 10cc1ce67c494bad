/*
 * exo/generator.h - generator plugins turn an app into deployment descriptions (compose files,
 * Kubernetes manifests, ...) for engines exo does not drive itself.
 *
 * `exo generate NAME` loads the generator plugin NAME, hands it the app model as JSON (below)
 * and collects the files it adds to a sink. The core, not the plugin, owns the output
 * directory: it refuses any path that would leave it, writes every file atomically with its
 * mode (rename into place), and with `--check` compares instead of writing (drift). A
 * generator therefore never touches the file system: it is a pure function of the model.
 *
 * Determinism: the same model must give byte-identical files, so that generated files can be
 * committed and checked for drift. Sort what has no natural order (the model's arrays are
 * already in a stable order: see below), never write times, random names or absolute paths.
 *
 * The app model (schema 1), a JSON object; every key is always present unless marked
 * optional, strings are UTF-8, arrays keep the order given here:
 *   { "schema": 1,
 *     "name": "todo", "version": "1.0.0" (optional), "description": "..." (optional),
 *     "app_dir": "../..",          the app directory relative to the output directory
 *     "out_dir": "deploy/compose", the output directory relative to the app directory
 *                                  (or absolute when it is outside the app)
 *     "bus": { "transport": "zmq", "host": "bus", "port": 7777, "token": "64 hex" },
 *                                  the broker runs as host "bus" on that port (bus.listen's
 *                                  tcp port, else 7777); token: the deployment's bus
 *                                  credential, a secret (the broker's EXO_BUS_USER_TOKEN,
 *                                  each unit's EXO_BUS_TOKEN), the same at every generation;
 *                                  how a service reaches it is the transport's (zmq:
 *                                  EXO_BUS_ENDPOINT=tcp://HOST:PORT)
 *     "services": [ {              in application.yml order
 *         "role": "web", "dir": "web" (relative to the app dir), "type": "...",
 *         "command": "...",        startup.command
 *         "port": 8080 | 0,        the port it listens on in its unit (0: none)
 *         "public": false,         the app declares it reachable from outside
 *                                  (services.<role>.public); a generator publishes no host
 *                                  port for a service that is not public. When true:
 *         "public_port": 3000,     the host port to publish "port" on, and
 *         "public_bind": "127.0.0.1", the host address to publish it on
 *         "instances": 1,          services.<role>.instances
 *         "ready": "auto|online-text|port|bus|started", "online_text": "..." (optional),
 *         "ready_timeout_ms": 60000,
 *         "restart": "on-failure|no|always",
 *         "depends_on": ["role", ...], dependencies on other services
 *         "resources": ["db", ...],     resources it uses (also dependencies)
 *         "sends": [...], "receives": [...],
 *         "files": ["Dockerfile", ...], the regular files at the top of its directory,
 *                                  sorted (what a generator can build from)
 *         "sections": { "docker": {...} }, service.yml's plugin sections as written
 *         "options": { ... },      services.<role>.options as written (they overlay each
 *                                  section key by key, as for backends: image, dockerfile,
 *                                  dockerfile-prod, ...)
 *         "env": [ VAR... ] } ],   what it gets in a deployment, later names win, each once:
 *                                  EXO_ROLE, EXO_APP, PORT, other services' <ROLE>_HOST/_PORT/
 *                                  _URL (host = their role), its resources' variables (host =
 *                                  the resource's name, or from an external one's url), the
 *                                  manifests' env; not the bus's
 *                                  (see "bus")
 *     "resources": [ {             in application.yml order
 *         "name": "db", "type": "postgres",
 *         "image": "postgres:15",  the server's image (the resource plugin's unit for
 *                                  containers); null when it cannot run in a container
 *         "port": 5432,            where it listens inside its container
 *         "command": "..." | null, a shell command to run instead of the image's own
 *         "data": ["/var/lib/postgresql/data", ...], directories to keep in volumes
 *         "env": [ VAR... ],       the server's own variables (all marked secret: they
 *                                  carry its passwords)
 *         "external": true,        optional: the app points deployments at an existing
 *         "url": "..." } ],        server (resources.<name>.deploy-url, a secret): run
 *                                  nothing for it (image and command null, port 0, data
 *                                  and env empty); its services' variables for it are
 *                                  <NAME>_URL (secret) and the URL's _HOST, _PORT, _USER,
 *                                  _PASSWORD (secret) where it has them
 *     "frontends": [ {             application.yml frontends:, in its order; each runs as
 *                                  `exo frontend ROLE` (exo with the app's manifests and the
 *                                  frontend plugin "type"), joins the bus like a service
 *                                  (EXO_BUS_ENDPOINT, EXO_BUS_TOKEN) and listens on
 *                                  EXO_FRONTEND_LISTEN=HOST:PORT
 *         "role": "site", "type": "http",
 *         "port": 3000 | 0,        its public port (0: not public; the generator picks one)
 *         "public": true,          as for services, with "public_port" and "public_bind"
 *         "sends": [...], "receives": [...],
 *         "config": { ... } } ] }  frontends.<role> as written (the plugin's keys too, such
 *                                  as a directory of static files)
 *   VAR = { "name": "DB_URL", "value": "...", "secret": true|false }
 * Secret values are in the model: a generator must write them only to files it marks with
 * mode 0600 (an env file beside, never inside, a descriptor meant to be shared).
 *
 * Ownership and threading: see exo/plugin.h. generate() is called once, on the loop thread;
 * @p model is borrowed for the call. Every string given to the sink is copied by the core
 * before add_file returns.
 *
 * Mandatory operations: generate. Optional: none yet.
 */
#ifndef EXO_PLUGIN_API_GENERATOR_H
#define EXO_PLUGIN_API_GENERATOR_H

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of the model JSON above ("schema"); a new key does not change it. */
#define EXO_GENERATOR_MODEL_SCHEMA 1

typedef struct exo_generator_sink exo_generator_sink_t;

/**
 * Where a generator puts its files; the core's. Calls on the loop thread, during generate()
 * only.
 */
struct exo_generator_sink {
    uint32_t size;  /* sizeof(exo_generator_sink_t) as the core built it */
    /**
     * Add the file @p path (relative to the output directory, '/'-separated, no "..", no
     * leading '/', no empty or "." component) with @p len bytes of @p content and permission
     * bits @p mode (0644; 0600 for files with secrets; 0755 for scripts). Adding a path twice
     * is an error. Returns EXO_OK, or EXO_ERR_INVALID with @p err filled: return it.
     */
    int (*add_file)(exo_generator_sink_t *sink, const char *path, const char *content,
                    size_t len, unsigned mode, exo_error_t *err);
    void *priv; /* core-private */
};

typedef struct exo_generator_ops {
    uint32_t size;

    /**
     * Turn @p model (above) into files through @p sink. Must not write files itself. Fill
     * @p err and return < 0 when the app cannot be generated (name the service or resource
     * and what the user must add), before or after adding files: the core then writes none.
     */
    int (*generate)(const exo_host_t *host, const json_t *model, exo_generator_sink_t *sink,
                    exo_error_t *err);
} exo_generator_ops_t;

/** Define a generator plugin; the inline function makes the compiler check the ops table's
 *  type. The plugin's name is the word after `exo generate`. */
#define EXO_GENERATOR_PLUGIN(name, version, descr, caps, init, fini, ops) \
    static inline const exo_generator_ops_t *exo_generator_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_(EXO_KIND_GENERATOR, name, version, descr, caps, init, fini, (ops))

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_GENERATOR_H */
