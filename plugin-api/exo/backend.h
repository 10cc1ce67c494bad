/*
 * exo/backend.h - backend plugins run an app's units: services, tests, setup tasks and
 * resource servers. The process backend runs them as local process groups; container
 * backends (docker, podman) as containers on a per-run network.
 *
 * The core owns every lifecycle decision (readiness, restarts, shutdown order); a backend only
 * builds, starts, stops and reports. Everything is asynchronous and single-threaded: output
 * lines and exits come back through the callbacks in exo_unit_spec_t, on the loop thread, and
 * a backend that needs to wait (an image build, an engine stream) watches fds with the host.
 *
 * Lifecycle of one run:
 *     probe?  -> open -> (prepare -> start -> [stop|kill] -> on_exit -> release)* -> close
 * and, independently of any run, cleanup() removes what earlier runs of an app left behind.
 *
 * Ownership and threading: see exo/plugin.h. Strings in the specs are borrowed for the call;
 * the callbacks' pointers are valid only during the callback.
 *
 * Mandatory operations: open, start, stop, kill, release, unit_host, host_address, close,
 * cleanup. Optional (may be NULL): probe, prepare, host_bind_address (ABI 1.2), unit_pid and
 * unit_container (ABI 1.5).
 */
#ifndef EXO_PLUGIN_API_BACKEND_H
#define EXO_PLUGIN_API_BACKEND_H

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXO_BACKEND_ABI_MAJOR 1
#define EXO_BACKEND_ABI_MINOR 5

/* Capabilities (exo_plugin_desc_t.caps). */
#define EXO_BACKEND_CAP_CONTAINERS (1ull << 16) /* units run isolated; needs images */
#define EXO_BACKEND_CAP_BUILD (1ull << 17)      /* prepare() builds images from a Dockerfile */
/* start() returns before the unit runs (the engine still creates it); the backend calls
 * spec->on_running once it does. Without this capability the core takes the return of
 * start() as the moment the unit runs. (ABI 1.1) */
#define EXO_BACKEND_CAP_ASYNC_START (1ull << 18)

/** One app run on a backend. */
typedef struct exo_run_spec {
    uint32_t size;
    const char *app;       /* app name from application.yml */
    const char *app_dir;   /* absolute */
    const char *run_id;    /* unique per `exo run`/`exo test`; use it in labels and names */
    const char *state_dir; /* absolute .exo/ directory of the app */
} exo_run_spec_t;

typedef enum exo_unit_mode {
    EXO_UNIT_SERVICE = 0, /* long-running; the core restarts it per its policy */
    EXO_UNIT_TASK = 1     /* runs to completion: setup, tests (the "exec for tests" case) */
} exo_unit_mode_t;

typedef struct exo_port_map {
    unsigned unit_port; /* the port the program listens on inside the unit */
    unsigned host_port; /* published on 127.0.0.1 (or the spec's publish_address, ABI 1.3);
                         * 0 = not published */
} exo_port_map_t;

/** Output stream ids for on_output. */
#define EXO_STREAM_STDOUT 1
#define EXO_STREAM_STDERR 2

/** Everything needed to start one unit. */
typedef struct exo_unit_spec {
    uint32_t size;
    const char *name;          /* role or resource name: [a-z0-9-]+ */
    exo_unit_mode_t mode;
    const char *dir;           /* absolute service directory: cwd or build context */
    const char *command;       /* run with /bin/sh -c; NULL = the image's own command */
    const char *image;         /* container backends: run this image, chosen by another plugin
                                * (a resource's server); NULL for services, whose image or
                                * Dockerfile is in their settings (options) */
    const char *dockerfile;    /* ABI 1.0 only: the core leaves it NULL since 1.2; a backend
                                * reads a service's Dockerfile from its settings (options) */
    const char *const *env;    /* NULL-terminated "NAME=VALUE" list */
    const exo_port_map_t *ports;
    size_t n_ports;
    const char *user;          /* run as this user when exo is root; NULL = unchanged */
    const json_t *options;     /* the service's backend settings: its service.yml section
                                * (the backend's config_section) overlaid with application.yml
                                * services.<role>.options, checked against the backend's
                                * declared keys (exo/plugin.h); may be NULL */

    /** One line of output, without its newline. May be called many times. */
    void (*on_output)(void *arg, int stream, const char *line, size_t len);
    /** The unit is gone: exit status >= 0, or signal > 0 (status -1). Called exactly once per
     *  successful start(), also after stop() and kill(). */
    void (*on_exit)(void *arg, int status, int signal);
    void *arg;
    /* Appended: container backends bind-mount these NULL-terminated "HOST_DIR:UNIT_DIR"
     * pairs (resource data); the process backend ignores them. NULL = none. */
    const char *const *mounts;
    /* Appended in ABI 1.1: a backend with EXO_BACKEND_CAP_ASYNC_START calls this once per
     * start(), when the unit actually runs (container started); never after on_exit. The core
     * counts a unit's own start-up time from here, and its readiness "started" means this.
     * Check spec->size before reading it: an older core passes a shorter struct. */
    void (*on_running)(void *arg);
    /* Appended in ABI 1.3: the host address the ports' host_port is published on, an IPv4
     * address ("0.0.0.0" = every interface), for a public endpoint the app pinned
     * (application.yml services.<role>.public). NULL = 127.0.0.1. Container backends publish
     * there; the process backend cannot choose where the program binds and ignores it. Check
     * spec->size before reading it: an older core passes a shorter struct. */
    const char *publish_address;
    /* Appended in ABI 1.4, for `exo build`: when set, prepare() builds the service's
     * production image under this name ("APP-ROLE:VERSION"): from its settings'
     * dockerfile-prod when that file exists, else from its dockerfile. A service whose
     * settings name an `image` has nothing to build: prepare() then returns EXO_ERR_EXISTS
     * with a message saying so. NULL in runs (prepare() builds what start() runs). Check
     * spec->size before reading it: an older core passes a shorter struct. */
    const char *build_tag;
} exo_unit_spec_t;

typedef struct exo_unit exo_unit_t; /* opaque, owned by the backend */

typedef struct exo_backend_ops {
    uint32_t size;

    /** Is the engine installed and running? On failure say how to start it. Optional. */
    int (*probe)(const exo_host_t *host, exo_error_t *err);

    /** Begin a run (create its network, ...). *inst is passed to every call below. */
    int (*open)(const exo_host_t *host, const exo_run_spec_t *run, void **inst,
                exo_error_t *err);

    /** Build what start() needs (an image). Output goes to spec->on_output. May block.
     *  Optional: NULL means nothing to prepare. */
    int (*prepare)(void *inst, const exo_unit_spec_t *spec, exo_error_t *err);

    /** Start a unit. On success *unit is the backend's handle and on_exit will fire. The
     *  order of start() calls is the core's order of preference: a backend that has to
     *  serialise work (an engine slow at parallel creates) keeps that order. */
    int (*start)(void *inst, const exo_unit_spec_t *spec, exo_unit_t **unit, exo_error_t *err);

    /** Ask the unit to stop (SIGTERM to its whole process group, `docker stop`), and kill it
     *  after @p grace_ms. on_exit fires when it is gone. */
    int (*stop)(void *inst, exo_unit_t *unit, unsigned grace_ms, exo_error_t *err);

    /** Kill the unit and everything it started, now. on_exit still fires. */
    int (*kill)(void *inst, exo_unit_t *unit, exo_error_t *err);

    /** Free a unit after its on_exit fired. */
    void (*release)(void *inst, exo_unit_t *unit);

    /** Host name under which other units reach unit @p name ("127.0.0.1" for processes, the
     *  name itself on a container network). Static or instance-owned string. */
    const char *(*unit_host)(void *inst, const char *name);

    /** Host name under which units reach the machine exo runs on (for the bus endpoint). */
    const char *(*host_address)(void *inst);

    /** End the run: remove what open() created. Every unit has been released before. */
    void (*close)(void *inst);

    /** Remove everything labelled with app @p app that an earlier run left behind (containers,
     *  networks, process groups recorded in @p state_dir). Never touches anything else. */
    int (*cleanup)(const exo_host_t *host, const char *app, const char *state_dir,
                   exo_error_t *err);

    /* Appended in ABI 1.2 (the core checks ops->size before calling): */

    /** The address a server that exo runs on its own machine (the broker) must bind so that
     *  this run's units reach it: a container network's gateway on the host; NULL (or the op
     *  missing) means loopback is enough, as for processes. Instance-owned string. */
    const char *(*host_bind_address)(void *inst);

    /* Appended in ABI 1.5 (optional; the core checks ops->size and NULL before calling):
     * what a unit is on exo's machine, for exo run's dashboard (pid, container, CPU and
     * memory). Both are called on the loop thread with a unit between a successful start()
     * and its release(), also after on_exit; they answer from what the backend already knows
     * (no engine call, no blocking). */

    /** The unit's main process as the HOST sees it (its pid in exo's pid namespace): the
     *  process backend's child, a container's State.Pid as the engine reported it when the
     *  container started. -1 when unknown: not running yet, gone, or not learned. */
    long (*unit_pid)(void *inst, exo_unit_t *unit);
    /** The unit's container id, 12 hex digits (the engine's short id), or NULL when the
     *  unit is no container or its id is not known yet. Backend-owned string, valid until
     *  release(unit). */
    const char *(*unit_container)(void *inst, exo_unit_t *unit);
} exo_backend_ops_t;

/** Define a backend plugin: EXO_BACKEND_PLUGIN("process", "1.0.0", "...", caps, init, fini, &ops) */
#define EXO_BACKEND_PLUGIN(name, version, descr, caps, init, fini, ops)                         \
    static inline const exo_backend_ops_t *exo_backend_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_(EXO_KIND_BACKEND, name, version, descr, caps, init, fini, (ops))
/** The same with declared settings keys (exo/plugin.h) read from service.yml's @p section. */
#define EXO_BACKEND_PLUGIN_CONFIG(name, version, descr, caps, init, fini, ops, keys, section) \
    static inline const exo_backend_ops_t *exo_backend_ops_check_(void) { return (ops); }   \
    EXO_PLUGIN_DEFINE_CONFIG_(EXO_KIND_BACKEND, name, version, descr, caps, init, fini, (ops), \
                              (keys), (section))

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_BACKEND_H */
