/*
 * core/run/session_int.h - what the parts of the session share (core/run/session.c: backends, the
 * environment, bringing nodes up and down, signals, lifecycle; session_res.c: resources;
 * session_task.c: setup and test tasks; session_watch.c: --watch). Not for other modules:
 * they use core/session.h.
 *
 * A node is one thing the session starts: a service (index i < app->n_services, the same
 * index as app->services) or a resource (after the services). Ownership: the session owns its
 * nodes, tasks and backends. Threading: loop thread only.
 */
#ifndef EXO_CORE_SESSION_INT_H
#define EXO_CORE_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/backend.h>
#include <exo/resource.h>

#include "model/app.h"
#include "base/env.h"
#include "plugins/registry.h"
#include "base/loop.h"
#include "output.h"
#include "busfeed.h"
#include "session.h"
#include "starttimes.h"
#include "supervisor.h"
#include "base/util.h"
#include "watch.h"

typedef struct backend {
    char *name;
    const exo_plugin_t *plugin;
    const exo_backend_ops_t *ops;
    void *inst;
    bool containers;
    bool async_start;     /* EXO_BACKEND_CAP_ASYNC_START */
} backend_t;

typedef struct node {
    exo_session_t *s;
    bool is_resource;
    const char *name;
    const exo_service_t *svc;
    const exo_resource_t *res;
    backend_t *be;
    exo_sup_t *sup;
    size_t *deps;
    size_t n_deps;
    bool wanted;
    unsigned host_port;   /* published on 127.0.0.1 (0 = none) */
    unsigned listen_port; /* what the program listens on (PORT) */
    unsigned reach_port;  /* what other units connect to */
    /* resources */
    const exo_resource_ops_t *rops;
    void *rinst;
    exo_resource_unit_t runit;
    bool unit_known;
    bool no_server;       /* the plugin runs nothing: ready once provisioned */
    bool ready_noserver;
    bool completed;       /* exited 0 and not restarted: a one-shot job that did its work */
    bool prepared;        /* its image was built before the run's first unit started */
    /* watch */
    bool watch_busy;
    exo_strv_t secrets;   /* values masked in the unit's output */
} node_t;

typedef struct task {
    exo_session_t *s;
    exo_sup_t *sup;
    exo_strv_t secrets;
    void (*on_done)(void *arg, int status, unsigned long long ms);
    void *arg;
    bool done;
} task_t;

struct exo_session {
    const exo_app_t *app;
    exo_session_opts_t opts;
    exo_loop_t *loop;
    exo_registry_t *reg;
    exo_output_t *out;
    exo_busfeed_t *bus;
    char *exo_dir;
    char *run_id;
    bool recorded;
    backend_t *backends;
    size_t n_backends;
    node_t *nodes;        /* services first (same index as app->services), then resources */
    size_t n_nodes;
    size_t *start_order;  /* node indices, longest learned start-up first */
    exo_starttimes_t starttimes;
    task_t **tasks;
    size_t n_tasks;
    unsigned long long t0, up_t0;
    /* up */
    void (*on_up)(void *arg, bool ok);
    void *up_arg;
    bool up_pending;
    bool up_all;          /* the whole app: say it is ready even when it has no services */
    /* down */
    void (*on_down)(void *arg);
    void *down_arg;
    bool down_pending;
    bool stopping_resources;
    /* signals */
    void (*on_interrupt)(void *arg);
    void *int_arg;
    int interrupts;
    exo_watch_t *watch;
};

/* session.c */
int exo_session_backend_open(exo_session_t *s, backend_t *b, exo_error_t *err);
/** The service's settings for backend @p b (exo_service_settings of its config_section).
 *  New reference or NULL. */
json_t *exo_session_settings(const backend_t *b, const exo_service_t *svc);
/** Host name under which units reach node @p name on backend @p b. */
const char *exo_session_unit_host(const backend_t *b, const char *name);
/** The pending up() is over: all ready (@p ok), or one failed. */
void exo_session_up_finish(exo_session_t *s, bool ok);
void exo_session_check_up(exo_session_t *s);
/** Start every wanted node whose dependencies are ready. */
void exo_session_pump(exo_session_t *s);
/** Move a pending down() on when units are gone: services, then resources, then done. */
void exo_session_check_down(exo_session_t *s);
/** Supervisor callbacks of a node (arg = node_t *). */
void exo_session_node_output(void *arg, exo_sup_t *sup, int stream, const char *line,
                             size_t len);
void exo_session_node_state(void *arg, exo_sup_t *sup, exo_sup_state_t st, const char *msg);
/** Secret values of @p env worth masking in output (4 characters or longer). */
void exo_session_secrets(const exo_env_t *env, exo_strv_t *out);
/** Print a unit's line with its @p secrets replaced by ******. */
void exo_session_print_masked(exo_output_t *out, const char *label, int stream,
                              const exo_strv_t *secrets, const char *line, size_t len);

/* session_res.c */
/** Create the resource plugin's instance for node @p n (n->res, n->be set). */
int exo_session_create_resource(exo_session_t *s, node_t *n, exo_error_t *err);
/** exo_unitenv_ctx_t.resource_env: resource @p name's variables for @p svc. */
int exo_session_resource_env(void *arg, const exo_service_t *svc, const char *name,
                             exo_env_t *env, exo_error_t *err);
/** After readiness: the plugin's provision(); < 0 (reported) when it failed. */
int exo_session_provision(node_t *n);
void exo_session_start_resource(exo_session_t *s, node_t *n);

/* session_task.c */
bool exo_session_tasks_running(exo_session_t *s);

#endif /* EXO_CORE_SESSION_INT_H */
