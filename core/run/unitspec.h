/*
 * core/run/unitspec.h - the one path from the app model to a unit: the exo_unit_spec_t
 * (exo/backend.h) of a service, a setup task, a test task or a resource's server, built by one
 * function, and the deep copy a supervisor keeps.
 *
 * What each kind of unit gets:
 *   service   mode SERVICE, dir = the service's directory, command = startup.command,
 *             ports = its declared port (unit side: the port itself on containers, the
 *             remapped listen port on processes; host side: the published port), options =
 *             the service's backend settings (exo_service_settings with the backend's
 *             config_section), publish_address = the place's (a public endpoint's bind)
 *   setup     mode TASK, the service's directory and settings, command = its setup command,
 *   test      no ports
 *   frontend  mode SERVICE, dir = the app's directory, command = `exec EXO frontend ROLE`
 *             (EXO: this exo binary), ports = its listen port as for a service on processes
 *             (frontends always run on the process backend), no settings; no setup or test
 *   resource  mode SERVICE, dir = the app's directory, command = the plugin's command
 *             (container_command on containers), image, user, env and mounts (containers only)
 *             from the plugin's exo_resource_unit_t, ports = its server port, no settings
 * A service's or task's env is what the caller built (core/run/unitenv.h); a resource's is the
 * plugin's own.
 *
 * Ownership: every spec returned here is owned by the caller, which frees it with
 * exo_unitspec_free(); it owns its strings, lists, port and a reference to its options.
 * The callbacks (on_output, on_exit, on_running, arg) are left NULL by the builder and copied
 * as they are by exo_unitspec_copy(). Threading: none.
 */
#ifndef EXO_CORE_UNITSPEC_H
#define EXO_CORE_UNITSPEC_H

#include <stdbool.h>

#include <exo/backend.h>
#include <exo/resource.h>

#include "model/app.h"

/** What a unit is for. */
typedef enum exo_unit_role {
    EXO_UNIT_ROLE_SERVICE = 0, /* a service's startup command */
    EXO_UNIT_ROLE_SETUP,       /* a service's setup command, run to completion */
    EXO_UNIT_ROLE_TEST,        /* a service's test command, run to completion */
    EXO_UNIT_ROLE_RESOURCE     /* a resource's server */
} exo_unit_role_t;

/** Where a unit comes from. */
typedef struct exo_unit_source {
    exo_unit_role_t role;
    const exo_service_t *svc;          /* service, setup, test */
    const char *label;                 /* the unit's name; NULL = the role or resource name */
    const char *resource;              /* resource: its name */
    const char *resource_type;         /* resource: its plugin's name, for messages */
    const char *app_dir;               /* resource: the app's directory (its cwd) */
    const exo_resource_unit_t *server; /* resource: what its plugin says to run */
} exo_unit_source_t;

/** The backend and ports a unit gets, as far as its spec depends on them. */
typedef struct exo_unit_place {
    const char *backend;          /* its name, for messages */
    bool containers;              /* the backend has EXO_BACKEND_CAP_CONTAINERS */
    const char *settings_section; /* the backend's config_section; NULL = none */
    unsigned host_port;           /* published on 127.0.0.1; 0 = none */
    unsigned listen_port;         /* process backends: the port the program listens on */
    const char *publish_address;  /* where host_port is published (a public endpoint's
                                   * bind); NULL = 127.0.0.1 */
} exo_unit_place_t;

/**
 * The spec of the unit @p src describes on @p place with environment @p env (NULL-terminated
 * "NAME=VALUE"; NULL = none, or the resource's own). NULL with @p err filled when the unit
 * cannot run there (a resource without a container image on a container backend).
 */
exo_unit_spec_t *exo_unitspec_build(const exo_unit_source_t *src, const exo_unit_place_t *place,
                                    const char *const *env, exo_error_t *err);

/** A deep copy of @p spec (which may borrow everything). */
exo_unit_spec_t *exo_unitspec_copy(const exo_unit_spec_t *spec);

/** Free a spec from exo_unitspec_build or exo_unitspec_copy; sets *spec_p to NULL. */
void exo_unitspec_free(exo_unit_spec_t **spec_p);

/**
 * True when @p settings (a service's backend settings) has keys and the backend @p desc
 * declares none of them, so the unit runs without them. A backend without a declared table
 * (built before ABI 1.1) is judged by @p containers: only container backends read settings.
 */
bool exo_unitspec_settings_unused(const exo_plugin_desc_t *desc, bool containers,
                                  const json_t *settings);

#endif /* EXO_CORE_UNITSPEC_H */
