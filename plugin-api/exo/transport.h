/*
 * exo/transport.h - transport plugins carry the message bus: a broker that routes messages
 * between services by the contracts in their service.yml, and the client side the exo CLI
 * uses for `exo send` and `exo tail`. Services themselves use the transport's own SDK
 * (for zmq: libexoservice), not this header.
 *
 * The routing table is JSON, built by the core from the app model (docs/bus.md):
 *   { "roles": { "<role>": { "sends": [..], "receives": [..],
 *                            "translations": [ {"public": "..", "internal": ".."} ] } } }
 *
 * Ownership and threading: see exo/plugin.h. The broker runs on the core's loop thread by
 * watching its sockets with the host; on_event runs there too.
 *
 * Mandatory operations: all of the 1.0 table (a transport serves both `exo run` and the CLI
 * clients). Optional: emit_env (ABI 1.2); the long-lived client (ABI 1.3: client_open,
 * client_post, client_online, client_close, all four or none), which the core uses to put
 * a frontend on the bus (`exo frontend ROLE`, docs/frontends.md). ABI 1.4 appends the
 * message's activity, id and payload and the `logged` flag to exo_bus_trace_t, traces
 * denied and undeliverable messages too, and adds `transient` to exo_bus_client_spec_t (no
 * new operation).
 */
#ifndef EXO_PLUGIN_API_TRANSPORT_H
#define EXO_PLUGIN_API_TRANSPORT_H

#include <exo/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXO_TRANSPORT_ABI_MAJOR 1
#define EXO_TRANSPORT_ABI_MINOR 4

/**
 * A broker event as plain fields, for observers that want no JSON (exo bus, exo run): the
 * broker fills only what the event has and builds nothing. Borrowed for the call.
 * event "message": sender, name/name_len (public name, not NUL-terminated), receiver (NULL when
 * none), internal_name (the receiver's name when it differs, else NULL), outcome
 * ("delivered", "dropped", "no-receiver", "denied"); "register": role, instance, label;
 * "unregister": role, instance, reason; "error": sender, error, message.
 * Since ABI 1.4 every routed message is traced, a denied or undeliverable one too, with
 * `logged` set when the broker also logged it as a warning (before 1.4 such a message was
 * not traced at all: the host logs both, and a line-printing observer skips it).
 */
typedef struct exo_bus_trace {
    uint32_t size;
    const char *event;
    const char *sender;
    const char *name;
    size_t name_len;
    const char *receiver;
    const char *internal_name;
    const char *outcome;
    const char *role;
    unsigned long long instance;
    const char *label;
    const char *reason;
    const char *error;
    const char *message;
    /* Appended in ABI 1.2: "register" only: what the registration proved, "role" (the
     * role's own secret: a unit exo started) or "user" (the run's user token: exo send,
     * exo tail, a service started by hand). */
    const char *credential;
    /* Appended in ABI 1.4: event "message" only (NULL for the others), so that an observer
     * (exo run's dashboard) can follow an activity and show a payload on request without a
     * JSON event. activity and id: the message's, NUL-terminated; payload: its JSON text as
     * the sender sent it, payload_len bytes, NOT NUL-terminated, NULL (and 0) when it has
     * none. All borrowed for the call: copy what you keep. The broker points at what it
     * already holds (no copy, no cost when nobody reads them). Check
     * EXO_HAS(trace, exo_bus_trace_t, payload_len) first: an older transport passes a
     * shorter struct. */
    const char *activity;
    const char *id;
    const char *payload;
    size_t payload_len;
    /* Appended in ABI 1.4: 1 when the broker also logged this event as a warning through
     * host->log (a denied or undeliverable message): an observer that prints trace lines
     * skips it, since the log already has it; one that counts or shows messages keeps it. */
    int logged;
} exo_bus_trace_t;

typedef struct exo_bus_spec {
    uint32_t size;
    const char *app;
    const char *listen;         /* endpoint to bind, e.g. "tcp://127.0.0.1:0" (0 = any port) */
    const json_t *routes;       /* routing table (borrowed; the broker copies what it keeps) */
    size_t max_message_size;    /* bytes; 0 = default 1 MiB */
    /** Broker events: {"event":"register"|"unregister","role","instance"} and routed messages
     *  {"event":"message","sender","receiver","name","internal_name","activity","outcome",..}.
     *  Borrowed for the call. Optional. */
    void (*on_event)(void *arg, const json_t *event);
    void *arg;
    /** ABI 1.1: every broker event as plain fields (same arg), and NULL each time the broker
     *  has drained its sockets and goes idle: the moment to flush buffered output. Costs no
     *  JSON; on_event, when also set, is still called. Optional. */
    void (*on_trace)(void *arg, const exo_bus_trace_t *trace);
    /* Appended in ABI 1.2: */
    const json_t *config;       /* the app's transport section (config_section, e.g. `bus:`)
                                 * as JSON, checked against the declared keys; may be NULL */
    const char *bind_host;      /* the address the run's backends need the broker bound to
                                 * (a container network's gateway); NULL = loopback. The
                                 * plugin decides how it combines with its own settings */
    const char *user_token;     /* the run's user token (bus.json "token"): proves the user
                                 * who runs the app (exo send, exo tail, stats); NULL = the
                                 * broker draws one nobody else knows */
} exo_bus_spec_t;

/** Options of a one-shot CLI client (exo send). */
typedef struct exo_bus_send {
    uint32_t size;
    const char *endpoint;       /* the broker's endpoint */
    const char *role;           /* send as this role (its `sends` still apply) */
    const char *name;           /* message name */
    const json_t *payload;      /* may be NULL */
    bool wait;                  /* wait for the first reply in the activity */
    unsigned timeout_ms;
    const char *token;          /* ABI 1.2: the run's user token (bus.json); NULL = none */
} exo_bus_send_t;

/**
 * ABI 1.3: a message a long-lived client received. Borrowed for the call. Strings are
 * NUL-terminated except payload.
 */
typedef struct exo_bus_msg {
    uint32_t size;
    const char *name;           /* in the client role's own vocabulary (translations applied) */
    const char *id;
    const char *activity;
    const char *sender;         /* the sending role; EXO_BUS_ERROR_SENDER for the broker's
                                 * refusals (name EXO_BUS_ERROR_NAME, docs/protocol.md) */
    const char *auth;           /* JSON text, or NULL when the message carries none */
    const char *payload;        /* JSON text of payload_len bytes, or NULL when none */
    size_t payload_len;
} exo_bus_msg_t;

/** The broker's refusals reach a client as a message of this name from this sender, with a
 *  payload {"error": KIND, "message": TEXT, "name": .., "roles": [..], "delivered": N}. */
#define EXO_BUS_ERROR_NAME "exo.error"
#define EXO_BUS_ERROR_SENDER "exo"
/** The longest activity id a transport makes or takes (client_post's @p activity_out holds
 *  EXO_BUS_ACTIVITY_MAX + 1 bytes). */
#define EXO_BUS_ACTIVITY_MAX 64

/** ABI 1.3: what a long-lived client joins the bus as. Strings are copied by client_open. */
typedef struct exo_bus_client_spec {
    uint32_t size;
    const char *endpoint;       /* the broker's endpoint (EXO_BUS_ENDPOINT) */
    const char *role;           /* the role to register as (its sends/receives apply) */
    const char *token;          /* the credential: the role's own secret (EXO_BUS_TOKEN of
                                 * a unit exo started) or the run's user token; NULL = none */
    const char *label;          /* names the instance in `exo bus status`; NULL = the
                                 * transport's default */
    /** Every message the broker delivers to the client, exo.error included. Loop thread. The
     *  callee may call client_post, never client_close. */
    void (*on_message)(void *arg, const exo_bus_msg_t *msg);
    /** The registration was acknowledged (true), or the client lost the broker (false):
     *  called on each change only. Loop thread. May be NULL. */
    void (*on_online)(void *arg, bool online);
    void *arg;
    /* Appended in ABI 1.4 (the transport checks spec->size): true registers a transient
     * instance, as `exo send --as ROLE` does: it receives the replies in its own activities
     * but never takes a share of its role's messages (exo run's dashboard sending as a role
     * must not steal that role's load-balanced traffic). false = a full instance. */
    bool transient;
} exo_bus_client_spec_t;

typedef struct exo_transport_ops {
    uint32_t size;

    int (*broker_open)(const exo_host_t *host, const exo_bus_spec_t *spec, void **inst,
                       exo_error_t *err);
    /** The endpoint services connect to, with the real port. Instance-owned string. */
    const char *(*broker_endpoint)(void *inst);
    /** The endpoint of the broker's control socket (introspection, tail). */
    const char *(*broker_control_endpoint)(void *inst);
    /** Replace the routing table (e.g. after a manifest change). */
    int (*broker_set_routes)(void *inst, const json_t *routes, exo_error_t *err);
    /** Connected roles and instances, routes and counters. *out is new; caller decrefs. */
    int (*broker_stats)(void *inst, json_t **out, exo_error_t *err);
    void (*broker_close)(void *inst);

    /** CLI: send one message; with wait, *reply is the first reply (caller decrefs). */
    int (*client_send)(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                       exo_error_t *err);
    /** CLI: call @p fn for every routed message until @p fn returns non-zero or the broker
     *  goes away. Blocks. @p token (last, ABI 1.2): the run's user token (bus.json); the core
     *  calls a plugin older than 1.2 through the 1.1 type, without it. */
    int (*client_tail)(const exo_host_t *host, const char *control_endpoint,
                       int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err,
                       const char *token);
    /** CLI: ask a running broker for its state (same JSON as broker_stats). @p token (last,
     *  ABI 1.2): the run's user token, as for client_tail. */
    int (*client_stats)(const exo_host_t *host, const char *control_endpoint, json_t **out,
                        exo_error_t *err, const char *token);

    /* Appended in ABI 1.2 (the core checks ops->size before calling): */

    /**
     * Add to @p env what a service needs to join the bus: the endpoint as the unit reaches
     * it, and the paths of the transport's client libraries (for zmq: EXO_BUS_ENDPOINT,
     * PYTHONPATH, and with EXO_BUS_ENV_BUILD the EXO_CFLAGS/EXO_LIBS a setup command builds a
     * C service with). @p inst is the running broker, or NULL when none runs (`exo env`
     * outside a run: give the endpoint the configuration @p config names). @p unit_host is
     * the host name under which the unit reaches exo's machine (the backend's host_address;
     * "127.0.0.1" for processes). @p role is the unit's role: with a running broker the
     * transport adds the credential that lets a unit register as that role and no other
     * (for zmq: EXO_BUS_TOKEN, a secret); NULL (`exo env` without a unit, a build-only
     * setup) gives none. Optional: without it services get no bus variables.
     */
    int (*emit_env)(const exo_host_t *host, void *inst, const json_t *config, const char *role,
                    const char *unit_host, unsigned flags, exo_env_t *env, exo_error_t *err);

    /* Appended in ABI 1.3 (the core checks ops->size; a transport has all four or none): */

    /**
     * Open a long-lived client: connect to spec->endpoint and register as spec->role with
     * spec->token, without blocking (the registration completes on the loop; on_online says
     * when). The client runs on the host's loop (host->watch_fd and timers), never on a
     * thread of its own, and keeps itself registered: after the broker restarts or drops it,
     * it reconnects and registers again (on_online false, then true). A registration the
     * broker refuses (unknown role, bad credential) arrives as an exo.error message and the
     * client stays offline. *client is valid until client_close.
     */
    int (*client_open)(const exo_host_t *host, const exo_bus_client_spec_t *spec, void **client,
                       exo_error_t *err);
    /**
     * Send @p name with @p payload (JSON text of @p len bytes; NULL or 0 = none) in
     * @p activity (NULL = a new one) with @p auth (JSON text; NULL = none). When
     * @p activity_out is not NULL it receives the activity's id (EXO_BUS_ACTIVITY_MAX + 1
     * bytes). Fails with EXO_ERR_INVALID for a name the bus refuses (1..255 bytes of UTF-8
     * without control characters) or a bad activity, EXO_ERR_UNAVAILABLE while not
     * registered, EXO_ERR_IO when the socket fails. The broker's verdict (denied,
     * no-receiver, too-large) comes back later as an exo.error in the same activity.
     */
    int (*client_post)(void *client, const char *name, const char *payload, size_t len,
                       const char *activity, const char *auth, char *activity_out,
                       exo_error_t *err);
    /** True while registered with a broker. */
    bool (*client_online)(void *client);
    /** Say goodbye to the broker, stop watching and free the client. Not from a callback. */
    void (*client_close)(void *client);
} exo_transport_ops_t;

/* Flags for emit_env. */
#define EXO_BUS_ENV_BUILD 0x1u /* a setup command: add what compiling against the SDK needs */

/** Define a transport plugin; the inline function makes the compiler check the ops table's type. */
#define EXO_TRANSPORT_PLUGIN(name, version, descr, caps, init, fini, ops) \
    static inline const exo_transport_ops_t *exo_transport_ops_check_(void) { return (ops); } \
    EXO_PLUGIN_DEFINE_(EXO_KIND_TRANSPORT, name, version, descr, caps, init, fini, (ops))
/** The same with declared configuration keys (exo/plugin.h) read from the app's @p section. */
#define EXO_TRANSPORT_PLUGIN_CONFIG(name, version, descr, caps, init, fini, ops, keys, section) \
    static inline const exo_transport_ops_t *exo_transport_ops_check_(void) { return (ops); }  \
    EXO_PLUGIN_DEFINE_CONFIG_(EXO_KIND_TRANSPORT, name, version, descr, caps, init, fini,      \
                              (ops), (keys), (section))

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_TRANSPORT_H */
