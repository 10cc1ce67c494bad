/*
 * exo/plugin.h - the envelope every exo plugin shares.
 *
 * A plugin is a shared object that exports exactly one symbol,
 *
 *     const exo_plugin_desc_t *exo_plugin_describe(void);
 *
 * which returns a pointer to a constant descriptor (use the EXO_*_PLUGIN macros from the kind
 * headers rather than filling it by hand). The descriptor names the plugin, stamps the ABI it
 * was built against and points at the function table of its kind (backend.h, resource.h,
 * transport.h, frontend.h, generator.h).
 *
 * ABI policy (docs/plugin-authoring.md has the long form):
 *  - The core loads a plugin when its abi_major equals EXO_PLUGIN_ABI_MAJOR. A different minor
 *    is never a reason to refuse, in either direction: every struct that crosses the boundary
 *    starts with its own `size`, members are only ever appended, and each side reads an
 *    appended member only after checking the other side's size with EXO_HAS().
 *  - The major changes on any incompatible change (a member removed, reordered, retyped or
 *    given another meaning).
 *  - The descriptor's members from size to version are frozen across majors, so that a core
 *    can name a plugin built for another major when it refuses it.
 *  - Mandatory operations: each kind header says which ops members may be NULL; the core
 *    refuses a plugin whose ops table lacks a mandatory one or is smaller than that kind's
 *    1.0 table.
 *
 * The host: the core hands each plugin a table of services (exo_host_t) so that a plugin links
 * against nothing from the exo binary: logging, allocation, config lookup, environment
 * emission and the core's event loop (fd watches, timers, cross-thread posting).
 *
 * Ownership rules, valid for every function of every kind unless its comment says otherwise:
 *  1. Descriptor strings and tables are static and live as long as the plugin is loaded.
 *  2. Pointer arguments are borrowed for the duration of the call; copy what you keep.
 *  3. Objects a plugin creates (instances, units) are opaque to the core and go back to the
 *     plugin through that kind's destroy/release function. Neither side frees the other's
 *     objects with free().
 *  4. A buffer that changes hands is allocated with host->alloc and freed with host->free.
 *  5. json_t values are never stolen: a callee that keeps one calls json_incref; a caller that
 *     created one calls json_decref after the call. Core and plugins link the same shared
 *     libjansson.
 *
 * Threading rules:
 *  - The core calls every plugin function from its main thread (the loop thread), one call at
 *    a time. Callbacks a plugin registers with the host (fd watches, timers, posted functions)
 *    also run on that thread.
 *  - A plugin may start threads of its own. From them it may call only host->log and
 *    host->post; everything else must be posted to the loop thread.
 *  - fini() and each kind's destroy() must stop and join every thread and cancel every watch
 *    and timer the plugin registered before returning.
 */
#ifndef EXO_PLUGIN_API_PLUGIN_H
#define EXO_PLUGIN_API_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <exo/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define EXO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define EXO_EXPORT __attribute__((visibility("default")))
#define EXO_UNUSED __attribute__((unused))
#else
#define EXO_PRINTF(fmt, args)
#define EXO_EXPORT
#define EXO_UNUSED
#endif

/* The descriptor macros expand in the plugin's own file, outside this header's extern "C". */
#ifdef __cplusplus
#define EXO_EXTERN_C extern "C"
#else
#define EXO_EXTERN_C
#endif

/** True when the struct at @p p (whose first member is uint32_t size) has @p member. */
#define EXO_HAS(p, type, member) \
    ((p)->size >= offsetof(type, member) + sizeof(((type *)0)->member))

/* ---- Status codes: 0 is success, failures are negative. ---- */
enum {
    EXO_OK = 0,
    EXO_ERR_INVALID = -1,     /* bad argument or bad input */
    EXO_ERR_NOMEM = -2,
    EXO_ERR_NOTFOUND = -3,
    EXO_ERR_EXISTS = -4,
    EXO_ERR_IO = -5,
    EXO_ERR_TIMEOUT = -6,
    EXO_ERR_UNAVAILABLE = -7, /* an engine, server or binary is not there or not running */
    EXO_ERR_ABI = -8,
    EXO_ERR_LOAD = -9,
    EXO_ERR_INTERNAL = -10,
    EXO_ERR_UNSUPPORTED = -11 /* the plugin does not implement this optional operation */
};

/**
 * A failure description filled by the callee. Fixed size, so no ownership crosses the
 * boundary. Messages say what failed, on what, and what the user can do; never secrets.
 */
typedef struct exo_error {
    int code;           /* < 0 once set */
    char message[512];  /* NUL-terminated */
} exo_error_t;

/** Fill @p err (may be NULL) and return @p code, so `return exo_error_set(err, ...);` works. */
static inline int exo_error_set(exo_error_t *err, int code, const char *fmt, ...)
    EXO_PRINTF(3, 4);
static inline int exo_error_set(exo_error_t *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- Plugin kinds and capabilities ---- */
typedef enum exo_plugin_kind {
    EXO_KIND_BACKEND = 1,   /* runs services: processes, containers */
    EXO_KIND_RESOURCE = 2,  /* provides databases, caches, ... */
    EXO_KIND_TRANSPORT = 3, /* the message bus broker */
    EXO_KIND_FRONTEND = 4,  /* extends the bus to browsers and other clients */
    EXO_KIND_GENERATOR = 5  /* writes deployment descriptions (ABI 1.2) */
} exo_plugin_kind_t;

/* Capability bits in exo_plugin_desc_t.caps. Kinds define more from bit 16 up. */
#define EXO_CAP_NONE 0u

/* ---- Log levels ---- */
typedef enum exo_log_level {
    EXO_LOG_ERROR = 0,
    EXO_LOG_WARN = 1,
    EXO_LOG_INFO = 2,
    EXO_LOG_DEBUG = 3
} exo_log_level_t;

/* ---- Event loop ---- */
#define EXO_EV_READ 0x1u
#define EXO_EV_WRITE 0x2u

/** Called on the loop thread when @p fd is ready; @p events is EXO_EV_* that fired. */
typedef void (*exo_fd_fn)(int fd, unsigned events, void *arg);
/** Called on the loop thread when a timer fires or a posted call runs. */
typedef void (*exo_call_fn)(void *arg);

/** Opaque: the environment a resource or backend adds variables to (see env_set). */
typedef struct exo_env exo_env_t;

/* Flags for env_set. */
#define EXO_ENV_SECRET 0x1u /* masked in `exo env` and logs */

typedef struct exo_host exo_host_t;

/**
 * Services the core offers to a plugin. One table per loaded plugin; the core prefixes log
 * lines with the plugin's kind and name. The table is valid until fini() returns.
 */
struct exo_host {
    uint32_t size;               /* sizeof(exo_host_t) as the core built it */
    uint16_t abi_major, abi_minor;

    /** Log a line. Thread-safe. */
    void (*log)(const exo_host_t *h, exo_log_level_t level, const char *fmt, ...)
        EXO_PRINTF(3, 4);
    /** Allocation pair for buffers that cross the boundary. */
    void *(*alloc)(size_t n);
    void (*free)(void *p);

    /**
     * Config lookup in a plugin's config object by dotted path ("image", "build.args").
     * Returns a borrowed value or NULL when absent.
     */
    const json_t *(*config_get)(const json_t *config, const char *path);

    /** Add NAME=VALUE to @p env (copies both). Loop thread only. */
    int (*env_set)(exo_env_t *env, const char *name, const char *value, unsigned flags);

    /**
     * Watch @p fd for @p events (EXO_EV_*). Returns a watch id > 0, or < 0 on error.
     * The fd stays owned by the plugin; cancel the watch before closing it. Loop thread only.
     */
    int (*watch_fd)(const exo_host_t *h, int fd, unsigned events, exo_fd_fn fn, void *arg);
    /** Change the events of a watch (0 pauses it). Loop thread only. */
    int (*watch_modify)(const exo_host_t *h, int watch_id, unsigned events);
    void (*unwatch)(const exo_host_t *h, int watch_id);

    /** Call @p fn after @p ms milliseconds, once, or every @p ms if @p repeat. Returns id > 0. */
    int (*timer_add)(const exo_host_t *h, unsigned ms, bool repeat, exo_call_fn fn, void *arg);
    void (*timer_cancel)(const exo_host_t *h, int timer_id);

    /** Run @p fn on the loop thread soon. Thread-safe; the only way back from a plugin thread. */
    int (*post)(const exo_host_t *h, exo_call_fn fn, void *arg);

    /** Directory for the plugin's state in the current app (".exo/state/<kind>-<name>"), or
     *  NULL outside an app. Created on first use. */
    const char *(*state_dir)(const exo_host_t *h);

    void *priv; /* core-private */
};

#define exo_log_error(h, ...) do { (h)->log((h), EXO_LOG_ERROR, __VA_ARGS__); } while (0)
#define exo_log_warn(h, ...) do { (h)->log((h), EXO_LOG_WARN, __VA_ARGS__); } while (0)
#define exo_log_info(h, ...) do { (h)->log((h), EXO_LOG_INFO, __VA_ARGS__); } while (0)
#define exo_log_debug(h, ...) do { (h)->log((h), EXO_LOG_DEBUG, __VA_ARGS__); } while (0)

/* ---- Declared configuration (ABI 1.1) ----
 *
 * A plugin declares the configuration keys it reads, in the spirit of Fluent Bit's config_map,
 * so that the core checks every plugin block of application.yml and service.yml before
 * anything starts (`exo check`, every command that loads the app), with FILE:LINE:COLUMN
 * errors and did-you-mean hints, and `exo plugins --json` documents them. A plugin whose
 * descriptor has no table (built before ABI 1.1, or config NULL) gets its block unchecked.
 *
 * Which block a kind's keys describe:
 *  - resource:  the resources.<name> block of application.yml (without its `type`);
 *  - backend:   a service's backend settings: the service.yml section named by
 *               config_section (docker and podman: "docker"), overlaid key by key with
 *               application.yml's services.<role>.options; keys another backend declares are
 *               not errors (a service may run on either), keys none declares are;
 *  - transport: the application.yml section named by config_section ("bus"), without the
 *               core's own keys (transport, max-message-size).
 * The core checks presence and type only; ranges and meaning stay the plugin's (create()
 * still reports them, with the key's name).
 */
typedef enum exo_config_type {
    EXO_CONFIG_STRING = 1,  /* a scalar, taken as text */
    EXO_CONFIG_INT = 2,     /* a whole number */
    EXO_CONFIG_BOOL = 3,    /* true / false */
    EXO_CONFIG_NUMBER = 4,  /* a whole or decimal number */
    EXO_CONFIG_SIZE = 5,    /* bytes: a whole number or a string with a unit ("512m", "1g") */
    EXO_CONFIG_STRINGS = 6, /* a sequence of scalars */
    EXO_CONFIG_MAP = 7      /* a mapping the plugin checks itself */
} exo_config_type_t;

#define EXO_CONFIG_REQUIRED 0x1u /* the block must have it */
#define EXO_CONFIG_SECRET 0x2u   /* never printed; `exo env` masks what it becomes */

typedef struct exo_config_key {
    const char *name;          /* the key as written, [a-z0-9_-]+; NULL ends the table */
    exo_config_type_t type;
    const char *default_value; /* as it would be written in YAML, for docs; NULL = none */
    const char *doc;           /* one line */
    unsigned flags;            /* EXO_CONFIG_* */
} exo_config_key_t;

/**
 * What exo_plugin_describe() returns. Build it with the kind header's macro.
 * describe() must be pure: no allocation, no I/O, no threads. State belongs in init().
 */
typedef struct exo_plugin_desc {
    uint32_t size;                /* sizeof(exo_plugin_desc_t) the plugin was built with */
    uint16_t abi_major, abi_minor; /* EXO_PLUGIN_ABI_* at build time */
    uint16_t kind;                /* exo_plugin_kind_t */
    uint16_t reserved;
    const char *name;             /* [a-z0-9_-]+, unique per kind */
    const char *version;          /* the plugin's own version */
    const char *description;      /* one line */
    uint64_t caps;                /* EXO_CAP_* and kind capabilities */
    /** Called once after loading. Keep @p host; it lives until fini() returns. Optional. */
    int (*init)(const exo_host_t *host, exo_error_t *err);
    /** Called once before the plugin is dropped. Optional. */
    void (*fini)(void);
    const void *ops;              /* the kind's table; starts with its own uint32_t size */
    /* Appended in ABI 1.1: read them only when EXO_HAS(desc, exo_plugin_desc_t, member). */
    const exo_config_key_t *config; /* keys this plugin reads, ended by a NULL name; NULL =
                                     * not declared (the core checks nothing) */
    const char *config_section;     /* backend/transport: the manifest section holding them
                                     * (see above); NULL for resources */
} exo_plugin_desc_t;

/** The one symbol every plugin exports. */
#define EXO_PLUGIN_SYMBOL "exo_plugin_describe"
typedef const exo_plugin_desc_t *(*exo_plugin_describe_fn)(void);

/** Used by the kind macros: defines exo_plugin_describe() returning a static descriptor. */
#define EXO_PLUGIN_DEFINE_CONFIG_(kind_, name_, version_, descr_, caps_, init_, fini_, ops_,  \
                                  config_, section_)                                        \
    EXO_EXTERN_C EXO_EXPORT const exo_plugin_desc_t *exo_plugin_describe(void);             \
    EXO_EXTERN_C const exo_plugin_desc_t *exo_plugin_describe(void)                         \
    {                                                                                       \
        static const exo_plugin_desc_t desc_ = {                                            \
            .size = sizeof(exo_plugin_desc_t),                                              \
            .abi_major = EXO_PLUGIN_ABI_MAJOR,                                              \
            .abi_minor = EXO_PLUGIN_ABI_MINOR,                                              \
            .kind = (kind_),                                                                \
            .reserved = 0,                                                                  \
            .name = (name_),                                                                \
            .version = (version_),                                                          \
            .description = (descr_),                                                        \
            .caps = (caps_),                                                                \
            .init = (init_),                                                                \
            .fini = (fini_),                                                                \
            .ops = (ops_),                                                                  \
            .config = (config_),                                                            \
            .config_section = (section_),                                                   \
        };                                                                                  \
        return &desc_;                                                                      \
    }
#define EXO_PLUGIN_DEFINE_(kind_, name_, version_, descr_, caps_, init_, fini_, ops_) \
    EXO_PLUGIN_DEFINE_CONFIG_(kind_, name_, version_, descr_, caps_, init_, fini_, ops_, NULL, NULL)

#ifdef __cplusplus
}
#endif

#endif /* EXO_PLUGIN_API_PLUGIN_H */
