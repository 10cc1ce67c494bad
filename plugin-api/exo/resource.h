/*
 * exo/resource.h - resource plugins provide databases, caches and other servers to services.
 *
 * A resource plugin does not run its server itself: it describes the server as a unit
 * (a command for the process backend, an image for container backends) and the core runs that
 * unit on the app's backend with the same logging, restart and shutdown as any service.
 * The plugin prepares data, checks readiness with a real client connection, provisions
 * (databases, users, migrations) and emits the connection variables each service gets.
 *
 * Lifecycle:
 *     create -> prepare -> unit -> [core starts the unit] -> check_ready* -> provision
 *            -> emit_env (once per service using it) -> [core stops the unit] -> destroy
 * wipe() may be called instead of running, to delete the resource's data (`exo clean --data`).
 *
 * Ownership and threading: see exo/plugin.h. Strings a plugin returns in exo_resource_unit_t
 * belong to the instance and stay valid until destroy().
 *
 * Mandatory operations: create, unit, check_ready, emit_env, destroy. Optional (may be
 * NULL): prepare, provision, wipe.
 */
#ifndef EXO_PLUGIN_API_RESOURCE_H
#define EXO_PLUGIN_API_RESOURCE_H

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXO_RESOURCE_ABI_MAJOR 1
#define EXO_RESOURCE_ABI_MINOR 1

typedef struct exo_resource_spec {
    uint32_t size;
    const char *app;         /* app name */
    const char *name;        /* resource name in application.yml: [a-z0-9_]+ */
    const char *type;        /* resource type, the plugin's name */
    const json_t *config;    /* the resource's block from application.yml (borrowed) */
    const char *app_dir;     /* absolute */
    const char *data_dir;    /* absolute, persistent: .exo/resources/<name> (created by core) */
    bool containers;         /* true when the unit will run on a container backend */
    bool fresh;              /* true for `exo test`: start from empty data */
    unsigned host_port;      /* a free loopback port the core reserved for the server */
} exo_resource_spec_t;

/** The server to run. command for process backends, image for container backends. */
typedef struct exo_resource_unit {
    uint32_t size;
    const char *command;       /* shell command; NULL when nothing needs to run */
    const char *image;         /* container image; NULL = cannot run in containers */
    const char *const *env;    /* NULL-terminated "NAME=VALUE" or NULL */
    const char *user;          /* process backend: run as this user when exo is root */
    unsigned port;             /* port the server listens on inside the unit */
    /* Appended: container backends bind-mount these NULL-terminated "HOST_DIR:UNIT_DIR"
     * pairs (the server's data, so that it outlives the container); NULL = none. */
    const char *const *mounts;
    /* Appended: container backends run this shell command (/bin/sh -c) in the image instead
     * of the image's own command; NULL = the image's command. The core zero-fills the struct
     * before unit(), so a plugin built before this member leaves it NULL. */
    const char *container_command;
} exo_resource_unit_t;

typedef struct exo_resource_ops {
    uint32_t size;

    int (*create)(const exo_host_t *host, const exo_resource_spec_t *spec, void **inst,
                  exo_error_t *err);

    /** Prepare data (initdb, config files, fresh test data). May block. Optional. */
    int (*prepare)(void *inst, exo_error_t *err);

    /** Fill @p out with the server to run. */
    int (*unit)(void *inst, exo_resource_unit_t *out, exo_error_t *err);

    /** Poll readiness with a real connection: 1 ready, 0 not yet, < 0 failed (say why).
     *  The core calls it on a timer until ready or the resource's timeout. */
    int (*check_ready)(void *inst, exo_error_t *err);

    /** After readiness: create databases and users, apply migrations. Optional. */
    int (*provision)(void *inst, exo_error_t *err);

    /** Add the connection variables, prefixed with @p prefix (e.g. "DB_"), for a service that
     *  reaches the server at @p host:@p port. Secrets get EXO_ENV_SECRET. */
    int (*emit_env)(void *inst, exo_env_t *env, const char *prefix, const char *host,
                    unsigned port, exo_error_t *err);

    /** Delete the resource's data. Optional. */
    int (*wipe)(void *inst, exo_error_t *err);

    void (*destroy)(void *inst);
} exo_resource_ops_t;

/** Define a resource plugin; the inline function makes the compiler check the ops table's type. */
#define EXO_RESOURCE_PLUGIN(name, version, descr, caps, init, fini, ops) \
    static inline const exo_resource_ops_t *exo_resource_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_(EXO_KIND_RESOURCE, name, version, descr, caps, init, fini, (ops))
/** The same with declared configuration keys (exo/plugin.h): the resources.<name> block. */
#define EXO_RESOURCE_PLUGIN_CONFIG(name, version, descr, caps, init, fini, ops, keys)        \
    static inline const exo_resource_ops_t *exo_resource_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_CONFIG_(EXO_KIND_RESOURCE, name, version, descr, caps, init, fini,    \
                              (ops), (keys), NULL)

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_RESOURCE_H */
