/*
 * core/plugins/registry.h - finding, loading and checking plugins (libltdl), and giving each one its
 * host table (core/plugins/host.c).
 *
 * Search path, first match of a (kind, name) wins, later duplicates are warned about and
 * listed with status error:
 *   1. every directory in EXO_PLUGIN_PATH (colon-separated),
 *   2. <app>/.exo/plugins when an app is known,
 *   3. the installed plugin directory (EXO_PLUGINDIR).
 * A plugin that cannot be opened, lacks exo_plugin_describe, has another ABI major, a bad
 * descriptor or a failing init() is recorded with status error and a message, and skipped.
 *
 * Trust (docs/security.md): a directory or file writable by other users (other-writable, or
 * group-writable by a group other than the caller's own) or owned by a user other than the
 * caller and root is refused: its plugins are recorded with status error and a warning says
 * what to change. The app's own plugins (<app>/.exo/plugins) come from the app's checkout:
 * they are opened only when the caller says so (exo_registry_opts_t.load_app), i.e. for the
 * commands that run the app; otherwise they are recorded unopened (skipped).
 *
 * Crashes: while a plugin's code runs during loading (constructors, describe, init; fini at
 * destroy), a fatal signal prints which file crashed before exo dies of it (crashguard.h).
 * A caller that must survive loads in a child process (isolate.h) and passes the files found
 * broken there back in .broken (`exo plugins`).
 *
 * Ownership: the registry owns every plugin record. Threading: main thread only (libltdl is
 * not thread-safe).
 */
#ifndef EXO_CORE_REGISTRY_H
#define EXO_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/plugin.h>

#include "base/loop.h"

typedef struct exo_plugin {
    char *path;                     /* file it was loaded from */
    char *name;                     /* descriptor name, or the file stem when unreadable */
    int kind;                       /* exo_plugin_kind_t, 0 when unknown */
    char *version;                  /* plugin version, or NULL */
    unsigned abi_major, abi_minor;  /* as the plugin declares; 0.0 when unknown */
    bool ok;                        /* loaded, checked and initialised */
    char *error;                    /* why not, when !ok */
    const exo_plugin_desc_t *desc;  /* NULL when !ok */
    const exo_host_t *host;         /* the host table given to this plugin */
    /* The declared configuration (exo/plugin.h), read only when the descriptor is large
     * enough to have it (ABI >= 1.1); NULL for older plugins and when not declared. */
    const exo_config_key_t *config; /* keys, ended by a NULL name */
    const char *config_section;     /* backend/transport: the manifest section they are in */
    bool skipped;                   /* an app-local plugin listed but not opened (!ok) */
} exo_plugin_t;

/* A plugin file the caller already knows to be broken: recorded with the reason, unopened. */
typedef struct exo_plugin_verdict {
    const char *path;
    const char *reason;
} exo_plugin_verdict_t;

typedef struct exo_registry_opts {
    const char *app_dir; /* NULL: no app (no app-local plugins, no plugin state dirs) */
    exo_loop_t *loop;    /* backs the host's loop services; NULL for listing only */
    unsigned kind_mask;  /* EXO_KIND_BIT mask of the kinds wanted (as load_kinds); 0 = all */
    bool load_app;       /* open <app>/.exo/plugins: only for commands that run the app */
    const exo_plugin_verdict_t *broken; /* files not to open, with why; may be NULL */
    size_t n_broken;
} exo_registry_opts_t;

typedef struct exo_registry exo_registry_t;

/** Scan the search path and load the plugins as @p opts says. Never fails as a whole. */
exo_registry_t *exo_registry_open(const exo_registry_opts_t *opts);

/**
 * Scan the search path and load every plugin, the app's own included (.load_app: for the
 * commands that run the app). @p app_dir may be NULL (no app-local plugins).
 * @p loop backs the host's event-loop services; may be NULL for listing only (then the loop
 * services fail with EXO_ERR_UNSUPPORTED). Never fails as a whole: broken plugins are
 * recorded. Warnings (duplicates) are logged.
 */
exo_registry_t *exo_registry_load(const char *app_dir, exo_loop_t *loop);
/** Bit of @p kind in a kinds mask, and the mask of every kind. */
#define EXO_KIND_BIT(kind) (1u << (kind))
#define EXO_KINDS_ALL 0xffffffffu

/**
 * Like exo_registry_load, but files named "<kind>_<name>.so" of a kind outside @p kind_mask
 * (EXO_KIND_BIT mask) are not opened. Files not named after a kind are always opened, so a
 * plugin of any name still works; the installed plugins follow the naming.
 */
exo_registry_t *exo_registry_load_kinds(const char *app_dir, exo_loop_t *loop,
                                        unsigned kind_mask);
/**
 * Ask a working backend whether its engine works (its probe(), which may take long: `podman
 * info`): "ok" or the probe's message, new string; NULL when @p p is no backend with probe().
 */
char *exo_registry_probe(const exo_plugin_t *p);
/** Whether @p p is a working backend with a probe() (what exo_registry_probe asks). */
bool exo_registry_has_probe(const exo_plugin_t *p);
/** Call fini() of every initialised plugin; does not unload (keeps valgrind stacks whole). */
void exo_registry_destroy(exo_registry_t **reg_p);

size_t exo_registry_count(const exo_registry_t *reg);
const exo_plugin_t *exo_registry_at(const exo_registry_t *reg, size_t i);
/** The working plugin of @p kind named @p name, or NULL. */
const exo_plugin_t *exo_registry_find(const exo_registry_t *reg, int kind, const char *name);
/** Names of the working plugins of @p kind, comma-separated (for error messages). New string. */
char *exo_registry_names(const exo_registry_t *reg, int kind);

/**
 * For messages about a plugin not found: "" when no app-local plugin was left unopened, else
 * "; the app's own plugins (.exo/plugins) are not opened by this command: --load-app opens
 * them". Static string.
 */
const char *exo_registry_skipped_note(const exo_registry_t *reg);

/** "string", "int", ... for an exo_config_type_t; "unknown" otherwise. */
const char *exo_config_type_name(int type);

/** "backend", "resource", ... */
const char *exo_kind_name(int kind);

#endif /* EXO_CORE_REGISTRY_H */
