/*
 * exo/frontend.h - frontend plugins extend the bus to clients outside the app, such as
 * browsers over WebSocket. A frontend joins the bus as a role of the app and relays messages
 * between its clients and the broker, keeping each client's identity in the `auth` field so
 * that replies reach only the client that asked.
 *
 * Ownership and threading: see exo/plugin.h.
 *
 * Mandatory operations: open, endpoint, close.
 */
#ifndef EXO_PLUGIN_API_FRONTEND_H
#define EXO_PLUGIN_API_FRONTEND_H

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXO_FRONTEND_ABI_MAJOR 1
#define EXO_FRONTEND_ABI_MINOR 0

typedef struct exo_frontend_spec {
    uint32_t size;
    const char *app;
    const char *role;          /* the role the frontend joins the bus as */
    const char *listen;        /* where clients connect, e.g. "127.0.0.1:8080" */
    const char *bus_endpoint;  /* the broker */
    const json_t *config;      /* the frontend's manifest block (borrowed) */
} exo_frontend_spec_t;

typedef struct exo_frontend_ops {
    uint32_t size;
    int (*open)(const exo_host_t *host, const exo_frontend_spec_t *spec, void **inst,
                exo_error_t *err);
    /** Where clients connect, with the real port. Instance-owned string. */
    const char *(*endpoint)(void *inst);
    void (*close)(void *inst);
} exo_frontend_ops_t;

/** Define a frontend plugin; the inline function makes the compiler check the ops table's type. */
#define EXO_FRONTEND_PLUGIN(name, version, descr, caps, init, fini, ops) \
    static inline const exo_frontend_ops_t *exo_frontend_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_(EXO_KIND_FRONTEND, name, version, descr, caps, init, fini, (ops))

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_FRONTEND_H */
