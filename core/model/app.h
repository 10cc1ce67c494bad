/*
 * core/model/app.h - the app model: application.yml and every service.yml, parsed into typed structs
 * (core/model/app.c) and validated strictly. docs/configuration.md documents the schema.
 *
 * Plugin blocks (a backend's service.yml section, services.<role>.options, resources.<name>,
 * the transport's keys in bus:) are kept as written, never interpreted here; the check step
 * in core/plugins/settings.h validates them against the keys the plugins declare.
 *
 * Ownership: an exo_app_t owns every string, array, JSON value and YAML tree below it;
 * exo_app_destroy() frees all.
 * Threading: none; build and read it on the main thread.
 */
#ifndef EXO_CORE_APP_H
#define EXO_CORE_APP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "diag.h"
#include "endpoint.h"
#include "yamlnode.h"

/** A log file in .exo/logs is rotated to ROLE.log.1 when it would grow past this (10 MiB),
 *  unless application.yml sets log-max-size: at most twice this per role on disk. */
#define EXO_LOG_MAX_SIZE_DEFAULT ((size_t)10 << 20)

/** `ready: started` means still running this long after it started (services.<role>.
 *  ready-settle): a command that is not found or dies at once is not reported ready. */
#define EXO_READY_SETTLE_DEFAULT_MS 500u
/** The most copies of a service `instances:` may ask for. */
#define EXO_INSTANCES_MAX 64

/** Where a node was written (1-based), for diagnostics after loading (exo check). */
typedef struct exo_pos {
    int line, column;
} exo_pos_t;

typedef struct exo_translation {
    char *public_name;   /* the name the rest of the app uses */
    char *internal_name; /* the name the service itself uses */
} exo_translation_t;

typedef struct exo_kv {
    char *name;
    char *value;
    bool secret;         /* masked in `exo env` and logs */
} exo_kv_t;

typedef enum exo_restart_policy {
    EXO_RESTART_ON_FAILURE = 0, /* default */
    EXO_RESTART_NO,
    EXO_RESTART_ALWAYS
} exo_restart_policy_t;

typedef enum exo_ready_kind {
    EXO_READY_AUTO = 0,  /* online text if set, else port if set, else bus registration if the
                          * service declares messages, else as soon as it started */
    EXO_READY_ONLINE_TEXT,
    EXO_READY_PORT,
    EXO_READY_BUS,
    EXO_READY_STARTED
} exo_ready_kind_t;

/**
 * A manifest block that belongs to a plugin (a backend's service.yml section, a role's
 * options): the core keeps it as written and never interprets it. The check step
 * (core/plugins/settings.h) walks @c map for positions; plugins get @c json.
 */
typedef struct exo_block {
    const exo_ynode_t *key;  /* the key naming the block (where it starts); NULL when absent.
                              * Borrowed from the tree the app or service keeps */
    const exo_ynode_t *map;  /* the block, a map; NULL when absent or empty */
    json_t *json;            /* the block as a JSON object (owned); NULL when absent */
} exo_block_t;

/** Defaults of a frontend's core keys (application.yml frontends.<role>). */
#define EXO_FRONTEND_RATE_DEFAULT 100u
#define EXO_FRONTEND_RATE_MAX 1000000u
#define EXO_FRONTEND_REQUEST_TIMEOUT_DEFAULT_MS 10000u
#define EXO_FRONTEND_MAX_MESSAGE_DEFAULT ((size_t)64 << 10)

/** How a frontend decides who a client is (frontends.<role>.auth). */
typedef enum exo_frontend_auth {
    EXO_FRONTEND_AUTH_NONE = 0, /* every connection anonymous (the default) */
    EXO_FRONTEND_AUTH_ASK       /* ask a service: send auth_ask {"credential": ...} */
} exo_frontend_auth_t;

/**
 * What makes a role a frontend: application.yml frontends.<role> (docs/configuration.md,
 * docs/frontends.md). The role's bus contract (sends, receives, translations), depends-on and
 * public endpoint live in its exo_service_t like a service's; these are the rest.
 */
typedef struct exo_frontend {
    char *type;              /* the frontend plugin (kind frontend), e.g. websocket */
    exo_frontend_auth_t auth;
    char *auth_ask;          /* auth: {ask: NAME}: the message asked; NULL with auth none */
    unsigned rate;           /* messages a connection may send per second (the burst too),
                              * 1..EXO_FRONTEND_RATE_MAX; default EXO_FRONTEND_RATE_DEFAULT */
    unsigned request_timeout_ms; /* a request's timeout unless the client gives one */
    size_t max_message_size; /* bytes of one client message; never over the bus's */
    json_t *config;          /* the whole block as JSON, for the plugin (owned) */
    const exo_ynode_t *node; /* the block as written, for the positions of the plugin's keys
                              * (borrowed from app->yaml) */
    exo_pos_t type_pos;      /* where type is written */
    exo_pos_t auth_pos;      /* where auth.ask's message is written */
} exo_frontend_t;

/**
 * One role of the app: application.yml's services.<role> plus its service.yml, or a
 * frontends.<role> (then @c frontend is set). Both kinds share app->services, one namespace
 * of roles: services first, in file order, then frontends. A frontend has no service.yml:
 * its dir is the app's directory, its file application.yml, its location, type, commands,
 * sections and env NULL/empty, its port the public one (0 when private: exo picks one per
 * run). Code that reads a service.yml's parts (setup, test, builds, generators) skips it.
 */
typedef struct exo_service {
    char *role;            /* key in services: [a-z][a-z0-9-]* */
    char *location;        /* as written, relative to the app dir */
    char *dir;             /* absolute, canonical */
    char *file;            /* absolute path of its service.yml */

    /* service.yml */
    char *type;
    char *description;
    char *setup;           /* shell command, or NULL */
    char *startup_command; /* startup.command */
    char *online_text;     /* startup.online-text, or NULL */
    char *test;            /* shell command, or NULL */
    char **sends;          /* messages.sends */
    size_t n_sends;
    char **receives;       /* messages.receives */
    size_t n_receives;
    unsigned port;         /* port the service listens on (0 = none); exo may remap it, except
                            * on a container, where it is the container's port. Defaults to
                            * the public port when the role is public and service.yml has none */
    exo_kv_t *env;         /* environment from service.yml */
    size_t n_env;
    /* Every other top-level section of service.yml (a map, such as a backend's `docker:`),
     * in file order, kept raw for the backends: read them with exo_service_settings(). */
    exo_block_t *sections;
    size_t n_sections;
    exo_ynode_t *yaml;     /* the parsed service.yml the sections point into (owned) */

    /* application.yml services.<role> */
    exo_translation_t *translations;
    size_t n_translations;
    char **depends_on;     /* roles that must be ready first */
    size_t n_depends_on;
    char **resources;      /* resource names the service uses */
    size_t n_resources;
    char **needs;          /* roles `exo test` starts alongside this service's tests */
    size_t n_needs;
    exo_kv_t *app_env;     /* environment from application.yml (overrides service.yml's) */
    size_t n_app_env;
    char *backend;         /* per-service backend override, or NULL */
    exo_restart_policy_t restart;
    unsigned max_restarts; /* default 5 */
    unsigned instances;    /* services.<role>.instances: copies deployed (generators' replicas),
                            * 1..EXO_INSTANCES_MAX, default 1 */
    unsigned ready_timeout_ms; /* default 60000 */
    unsigned ready_settle_ms;  /* ready: started waits this long still running; default
                                * EXO_READY_SETTLE_DEFAULT_MS */
    exo_ready_kind_t ready;
    exo_block_t options;   /* services.<role>.options, raw for the backends (see
                            * exo_service_settings()) */
    exo_public_t public_endpoint; /* services.<role>.public: the host port pinned for
                            * port (published on its bind address); port 0 = private */

    int line, column;      /* where services.<role> is in application.yml */

    /* Positions parallel to sends and receives (in file) and translations (in the app's
     * application.yml), so that exo check can point at the item a finding is about. */
    exo_pos_t *sends_pos;
    exo_pos_t *receives_pos;
    exo_pos_t *translations_pos;

    bool test_dev_data;    /* services.<role>.test-data: dev; exo test keeps the dev data of
                            * the resources instead of starting them empty */
    exo_frontend_t *frontend; /* frontends.<role>: the role is a frontend (owned); NULL for
                               * a service */
} exo_service_t;

typedef struct exo_resource {
    char *name;            /* key in resources: [a-z][a-z0-9_]* */
    char *type;            /* plugin name, e.g. postgres */
    json_t *config;        /* the whole block as JSON, for the plugin */
    char *deploy_url;      /* resources.<name>.deploy-url: the existing server generated
                            * deployments use instead of running one (exo run ignores it);
                            * NULL when not set. A secret: it may hold a password */
    const exo_ynode_t *node; /* the block as written, for the positions of its keys (borrowed
                              * from app->yaml) */
    int line, column;
} exo_resource_t;

typedef struct exo_app {
    char *name;            /* [A-Za-z0-9][A-Za-z0-9_-]* */
    char *description;
    char *version;
    char *dir;             /* absolute */
    char *file;            /* absolute path of application.yml */
    char *backend;         /* default backend, "process" unless set */
    char *bus_transport;   /* bus.transport: the transport plugin, default "zmq" */
    size_t bus_max_message_size; /* bus.max-message-size, default 1 MiB */
    json_t *bus_config;    /* the other keys of bus: (the transport's own, e.g. listen) as a
                            * JSON object; NULL when there are none */
    const exo_ynode_t *bus_node; /* bus: as written (borrowed from yaml), or NULL */
    exo_ynode_t *yaml;     /* the parsed application.yml, kept for the positions of plugin
                            * blocks (owned) */
    unsigned shutdown_grace_ms;  /* default 5000 */
    size_t log_max_size;         /* log-max-size: a .exo/logs file rotates past it */
    exo_kv_t *env;         /* app-wide environment */
    size_t n_env;
    exo_service_t *services; /* every role: the services, then the frontends */
    size_t n_services;       /* roles in services, frontends included */
    size_t n_frontends;      /* how many of them are frontends (the last ones) */
    exo_resource_t *resources;
    size_t n_resources;
} exo_app_t;

/** The keys of service.yml and of bus: that the core reads itself, NULL-terminated. Every
 *  other key is a plugin's (a backend section, the transport's settings). */
extern const char *const exo_service_core_keys[];
extern const char *const exo_bus_core_keys[];
/** The keys of frontends.<role> the core reads; every other key is the frontend plugin's. */
extern const char *const exo_frontend_core_keys[];

/**
 * Load and validate the app whose application.yml is in @p dir. Every problem found goes to
 * @p diag as FILE:LINE:COLUMN: error|warning: message. Returns NULL when any error was found.
 * Loads no plugin: plugin blocks are checked afterwards by exo_settings_check_app().
 */
exo_app_t *exo_app_load(const char *dir, exo_diag_t *diag);

/** Find the nearest directory at or above @p start that holds application.yml. Returns a new
 *  string or NULL. */
char *exo_app_find_root(const char *start);

void exo_app_destroy(exo_app_t **app_p);

const exo_service_t *exo_app_service(const exo_app_t *app, const char *role);
const exo_resource_t *exo_app_resource(const exo_app_t *app, const char *name);

/**
 * A service's settings for a backend: the service.yml section named @p section (may be NULL:
 * none) overlaid key by key with application.yml services.<role>.options. New reference, or
 * NULL when both are empty. Values are deep copies; the caller may keep or change them.
 */
json_t *exo_service_settings(const exo_service_t *svc, const char *section);

/** The service.yml section named @p name of @p svc, or NULL. */
const exo_block_t *exo_service_section(const exo_service_t *svc, const char *name);

/** The routing table JSON the transport plugin takes (see exo/transport.h): every role, the
 *  frontends too. New reference. */
json_t *exo_app_routes(const exo_app_t *app);

#endif /* EXO_CORE_APP_H */
