/*
 * core/run/session_int.h - what the parts of the session share. Not for other modules: they
 * use core/run/session.h.
 *
 * The parts call each other in one direction only:
 *
 *     session_life.c  (new: plugins, settings check, earlier run, nodes, record, bus;
 *        |             signals; destroy)
 *        v
 *     session.c  (up in dependency order, readiness, prepare, tasks, down in order)
 *        |-> session_env.c   a service's environment (unitenv.c + bus + resource variables)
 *        |-> session_res.c   resources: create, start the server, provision, variables
 *        |-> session_task.c  setup and test commands as task units
 *        '-> session_backend.c  backends: find, open, prepare, addresses, close
 *     session_watch.c (--watch) -> session.c's public API and exo_session_restart_node()
 *
 * session_res.c and session_task.c never call session.c: they return what happened, and
 * report later events through the callbacks session.c registers in the session
 * (exo_session_wire: node_output, node_state, tasks_changed).
 *
 * A node is one thing the session starts: a service (index i < app->n_services, the same
 * index as app->services) or a resource (after the services). Ownership: the session owns its
 * nodes, tasks and backends. Threading: loop thread only.
 */
#ifndef EXO_CORE_SESSION_INT_H
#define EXO_CORE_SESSION_INT_H

#include <pthread.h>
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
#include "unitspec.h"
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
    /* A service with instances: N (and no port) runs N units: sup is the first, these the
     * others (units named ROLE-2 ... ROLE-N), all under the same node. */
    exo_sup_t **copies;
    size_t n_copies;
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
    bool no_server;       /* the plugin runs nothing: ready once provisioned */
    bool ready_noserver;
    bool completed;       /* exited 0 and not restarted: a one-shot job that did its work */
    /* watch */
    bool watch_busy;
    exo_strv_t secrets;   /* values masked in the unit's output */
    exo_strv_t tail;      /* its last lines of output since it last started, masked: what
                           * a failure shows */
    bool tail_in_long_line[2]; /* stdout, stderr: the last was a piece of a longer line */
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
    backend_t **backends; /* each allocated once: nodes point at theirs */
    size_t n_backends;
    node_t *nodes;        /* services first (same index as app->services), then resources */
    size_t n_nodes;
    size_t *start_order;  /* node indices, longest learned start-up first */
    exo_starttimes_t starttimes;
    task_t **tasks;
    size_t n_tasks;
    unsigned long long t0, up_t0;
    /* Registered by session.c for its parts: a node's supervisor events (arg = node_t *),
     * and "a task ended" (the session may be waiting for tasks to finish). */
    void (*node_output)(void *arg, exo_sup_t *sup, int stream, const char *line, size_t len);
    void (*node_state)(void *arg, exo_sup_t *sup, exo_sup_state_t st, const char *msg);
    void (*tasks_changed)(exo_session_t *s);
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
    exo_session_observer_t obs; /* session_observe.c */
    pthread_t loop_thread;  /* where the output may be written (session_log.c) */
    bool log_attached;
};

/* ---- session_log.c ---- */

/** From now on exo's and the plugins' diagnostics go to the session's output (its column
 *  layout and .exo/logs), from the calling thread, which runs the loop. */
void exo_session_log_attach(exo_session_t *s);
/** Back to stderr; before the output goes. */
void exo_session_log_detach(exo_session_t *s);

/** How many units service @p svc runs: its instances, but one when it listens on a port
 *  (copies on one machine cannot share it). */
size_t exo_session_instances(const exo_service_t *svc);
/** Supervisor @p i of node @p n: 0 is n->sup, then its copies; NULL past the end. */
exo_sup_t *exo_session_node_sup(const node_t *n, size_t i);

/* ---- session_backend.c ---- */

/** The backend named @p name, found (and checked) on first use but not opened. */
backend_t *exo_session_backend_get(exo_session_t *s, const char *name, exo_error_t *err);
/** Open @p b for this run (probe, then open) unless it is open. */
int exo_session_backend_open(exo_session_t *s, backend_t *b, exo_error_t *err);
/** Host name under which units reach node @p name on backend @p b. */
const char *exo_session_unit_host(const backend_t *b, const char *name);
/** Host name under which a unit on @p b reaches exo's machine ("127.0.0.1" until open). */
const char *exo_session_host_address(const backend_t *b);
/** Where a unit on @p b with these ports runs, for exo_unitspec_build(). */
exo_unit_place_t exo_session_place(const backend_t *b, unsigned host_port,
                                   unsigned listen_port);
/** A supervisor spec for @p unit on @p b in this session's loop; for node_t @p node (NULL
 *  for a task) with the session's node callbacks. The caller adds readiness and restarts. */
exo_sup_spec_t exo_session_sup_spec(exo_session_t *s, backend_t *b, const exo_unit_spec_t *unit,
                                    node_t *node);
/** The one place that calls a backend's prepare() (build an image) of @p unit, its output
 *  under @p label with @p secrets (may be NULL) masked. The backend is open. 0 or < 0 with
 *  @p err filled. */
int exo_session_backend_prepare(exo_session_t *s, backend_t *b, exo_unit_spec_t *unit,
                                const char *label, const exo_strv_t *secrets,
                                exo_error_t *err);
/** Open every container backend of the run and return the address the broker must bind
 *  so that their units reach it (their host_bind_address), or NULL: loopback is enough. */
int exo_session_bus_bind_host(exo_session_t *s, const char **bind_host, exo_error_t *err);
/** Remove what an earlier run of the app left on the backends named in @p names. */
void exo_session_backends_cleanup(exo_session_t *s, const exo_strv_t *names);
/** Close every open backend and forget them all. */
void exo_session_backends_close(exo_session_t *s);

/* ---- session_res.c ---- */

/** Create the resource plugin's instance for node @p n (n->res, n->be set). */
int exo_session_create_resource(exo_session_t *s, node_t *n, exo_error_t *err);
/** exo_unitenv_ctx_t.resource_env (arg = the session): resource @p name's variables. */
int exo_session_resource_env(void *arg, const exo_service_t *svc, const char *name,
                             exo_env_t *env, exo_error_t *err);
/** After readiness: the plugin's provision(). < 0 with @p err filled when it failed. */
int exo_session_provision(node_t *n, exo_error_t *err);

typedef enum exo_res_start {
    EXO_RES_FAILED = -1, /* err says why */
    EXO_RES_STARTING,    /* its server is starting: s->node_state reports READY */
    EXO_RES_READY        /* nothing to run, provisioned: ready now */
} exo_res_start_t;
/** Start resource node @p n (its backend is open). */
exo_res_start_t exo_session_start_resource(exo_session_t *s, node_t *n, exo_error_t *err);

/* ---- session_task.c ---- */

/** Run @p spec as a task; on_done(arg, status, ms) when it ended (see exo_session_task). */
void exo_session_task_start(exo_session_t *s, const exo_sup_spec_t *spec,
                            const exo_strv_t *secrets,
                            void (*on_done)(void *arg, int status, unsigned long long ms),
                            void *arg);
bool exo_session_tasks_running(const exo_session_t *s);
/** Stop (grace) or, with @p now, kill every running task. */
void exo_session_tasks_stop(exo_session_t *s, bool now);
void exo_session_tasks_free(exo_session_t *s);

/* ---- session_env.c ---- */

/** The node of service @p svc. */
node_t *exo_session_service_node(exo_session_t *s, const exo_service_t *svc);
/** The environment of @p svc (as for its setup command when @p setup) as "NAME=VALUE"
 *  strings (exo_env_free_strings), its secrets in @p secrets. NULL with @p err filled. */
char **exo_session_unit_env(exo_session_t *s, const exo_service_t *svc, bool setup,
                            exo_strv_t *secrets, exo_error_t *err);
/** Give the output every secret of the app (each service's environment, resources' included)
 *  and the app's log size: called once the resources exist, before any unit starts. */
void exo_session_mask_app(exo_session_t *s);

/* ---- session_public.c ---- */

/** A free loopback port for a private unit (exo_unitenv_free_port), never a port a public
 *  role pinned: that one is free until its role starts, and must stay its. */
unsigned exo_session_private_port(const exo_session_t *s);

/** Before an up() starts anything: every public port it is about to publish is free to
 *  listen on. Each one that is not is said (role, port, what holds it); < 0 then. */
int exo_session_public_check(exo_session_t *s);
/** Once the app is ready: say the URL of every public endpoint and every frontend it runs
 *  and add them to the run record ("endpoints" in .exo/run.json; a frontend's with
 *  "frontend": its type). */
void exo_session_public_announce(exo_session_t *s);

/* ---- session_observe.c ---- */

/** Tell the observer that @p sup is now in @p st (session.c's node_state). */
void exo_session_observe_state(exo_session_t *s, exo_sup_t *sup, exo_sup_state_t st);

/* ---- session.c, for session_life.c and session_watch.c ---- */

/** Register session.c's callbacks for the other parts (node_output, node_state,
 *  tasks_changed). */
void exo_session_wire(exo_session_t *s);
/** True while a task, service or resource unit of @p s exists. */
bool exo_session_units_running(exo_session_t *s);
/** Rebuild (prepare) and restart service node @p n, which has run before. */
void exo_session_restart_node(exo_session_t *s, node_t *n);

#endif /* EXO_CORE_SESSION_INT_H */
