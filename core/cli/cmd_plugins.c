/* core/cli/cmd_plugins.c - `exo plugins [--app DIR] [--json] [--probe] [--load-app]`: what the
 * loader found and why a plugin is not usable; --json also shows each plugin's declared
 * configuration keys. Listing never fails because of a broken plugin: that is what it is for.
 * So the listing is made in a child process (isolate.h); when a plugin crashes, exits or hangs
 * there, the child is run again with that file recorded as broken, and only the output of
 * the run that got to the end is shown. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <exo/backend.h>

#include "commands.h"
#include "plugins/crashguard.h"
#include "plugins/isolate.h"
#include "plugins/registry.h"
#include "plugins/settings.h"
#include "base/log.h"
#include "base/util.h"

/* How long loading may take in the listing's child (a plugin that hangs is reported after
 * it), each engine probe, and the listing with --probe (loading, then the probes). */
#define LOAD_TIMEOUT_MS 10000u
#define PROBE_TIMEOUT_MS 10000u
#define LIST_PROBE_TIMEOUT_MS (LOAD_TIMEOUT_MS + PROBE_TIMEOUT_MS + 2000u)
/* Broken plugins one `exo plugins` works around before giving up. */
#define MAX_BROKEN 64

typedef struct plugins_opts {
    const char *app;
    bool json, probe, load_app; /* --probe: engines are slow to ask (`podman info`) */
} plugins_opts_t;

typedef struct listing {
    const plugins_opts_t *o;
    const char *app_dir;
    bool color;                   /* decided by the parent: the child's stdout is a pipe */
    exo_plugin_verdict_t *broken; /* found by earlier children */
    size_t n_broken;
    exo_registry_t *reg;          /* the child's */
    char **engines;               /* the child's, by registry index: probe answers */
    size_t *probed;               /* registry indices of the backends probed */
} listing_t;

/* The STATUS column: ok, error, or skipped (an app-local plugin listed, not opened). */
static const char *status_word(const exo_plugin_t *p)
{
    return p->ok ? "ok" : p->skipped ? "skipped" : "error";
}

static char *abi_string(const exo_plugin_t *p)
{
    if (p->abi_major == 0 && p->abi_minor == 0) {
        return NULL;
    }
    return exo_strdupf("%u.%u", p->abi_major, p->abi_minor);
}

static int print_json(const listing_t *l)
{
    const exo_registry_t *reg = l->reg;
    json_t *arr = json_array();
    for (size_t i = 0; i < exo_registry_count(reg); i++) {
        const exo_plugin_t *p = exo_registry_at(reg, i);
        char *abi = abi_string(p);
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s?}", "name", p->name, "kind",
                              p->kind ? exo_kind_name(p->kind) : "unknown", "version",
                              p->version, "abi", abi, "path", p->path, "status",
                              status_word(p), "error", p->ok ? NULL : p->error);
        if (o != NULL && p->ok && p->desc->description != NULL) {
            json_object_set_new(o, "description", json_string(p->desc->description));
        }
        if (o != NULL && l->o->probe && exo_registry_has_probe(p)) {
            json_object_set_new(o, "engine", json_string(l->engines[i]));
        }
        if (o != NULL && p->ok) {
            /* null when the plugin declares nothing (built before ABI 1.1): not checked */
            json_t *keys = exo_settings_keys_json(p);
            json_object_set_new(o, "config", keys != NULL ? keys : json_null());
            json_object_set_new(o, "config_section", p->config_section
                                                         ? json_string(p->config_section)
                                                         : json_null());
        }
        free(abi);
        if (o == NULL) {
            json_decref(arr);
            exo_error("cannot build the JSON of plugin %s (invalid UTF-8?)", p->path);
            return EXO_EXIT_INTERNAL;
        }
        json_array_append_new(arr, o);
    }
    char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (s == NULL) {
        return EXO_EXIT_INTERNAL;
    }
    puts(s);
    free(s);
    return EXO_EXIT_OK;
}

static void print_table(const listing_t *l)
{
    const exo_registry_t *reg = l->reg;
    size_t n = exo_registry_count(reg);
    if (n == 0) {
        printf("no plugins found; set EXO_PLUGIN_PATH or install plugins in %s\n", EXO_PLUGINDIR);
        return;
    }
    bool color = l->color;
    printf("%-12s %-10s %-9s %-5s %-7s %s\n", "NAME", "KIND", "VERSION", "ABI", "STATUS", "PATH");
    for (size_t i = 0; i < n; i++) {
        const exo_plugin_t *p = exo_registry_at(reg, i);
        char *abi = abi_string(p);
        const char *status = status_word(p);
        const char *on = !color ? "" : p->ok ? "\033[32m" : p->skipped ? "\033[33m" : "\033[1;31m";
        printf("%-12s %-10s %-9s %-5s %s%-7s%s %s\n", p->name,
               p->kind ? exo_kind_name(p->kind) : "unknown", p->version ? p->version : "-",
               abi ? abi : "-", on, status,
               color ? "\033[0m" : "", p->path);
        free(abi);
        if (!p->ok) {
            printf("    %s: %s\n", p->skipped ? "note" : "error", p->error);
        }
        if (exo_registry_has_probe(p)) {
            printf("    engine: %s\n",
                   l->o->probe ? l->engines[i] : "not probed (exo plugins --probe asks it)");
        }
    }
}

/* In a grandchild: the probe of the @p i-th probed backend. */
static int probe_child(size_t i, int report_fd, void *arg)
{
    const listing_t *l = arg;
    exo_crashguard_report_to(report_fd);
    char *e = exo_registry_probe(exo_registry_at(l->reg, l->probed[i]));
    if (e != NULL) {
        exo_isolate_result(report_fd, e);
    }
    free(e);
    return 0;
}

/* Every probe at once, each in a child of its own: the slowest engine sets the time. */
static void probe_all(listing_t *l)
{
    size_t n = exo_registry_count(l->reg), m = 0;
    l->engines = exo_xcalloc(n + 1, sizeof *l->engines);
    l->probed = exo_xcalloc(n + 1, sizeof *l->probed);
    for (size_t i = 0; i < n; i++) {
        if (exo_registry_has_probe(exo_registry_at(l->reg, i))) {
            l->probed[m++] = i;
        }
    }
    exo_isolated_t *r = exo_xcalloc(m + 1, sizeof *r);
    exo_isolate_each(m, probe_child, l, PROBE_TIMEOUT_MS, false, r);
    for (size_t k = 0; k < m; k++) {
        char *e = r[k].result != NULL ? exo_xstrdup(r[k].result)
                  : r[k].timed_out    ? exo_strdupf("no answer from probe() within %u s",
                                                    PROBE_TIMEOUT_MS / 1000)
                  : r[k].signal != 0  ? exo_strdupf("probe() crashed with signal %d (%s)",
                                                    r[k].signal, strsignal(r[k].signal))
                                      : exo_xstrdup("probe() gave no answer");
        l->engines[l->probed[k]] = e;
        exo_isolated_free(&r[k]);
    }
    free(r);
}

/* In the child (or in process when no child can be started): the whole listing. */
static int list_child(size_t i, int report_fd, void *arg)
{
    (void)i;
    listing_t *l = arg;
    exo_crashguard_report_to(report_fd);
    exo_registry_opts_t ro = {.app_dir = l->app_dir, .load_app = l->o->load_app,
                              .broken = l->broken, .n_broken = l->n_broken};
    l->reg = exo_registry_open(&ro);
    if (l->o->probe) {
        probe_all(l);
    }
    int rc = EXO_EXIT_OK;
    if (l->o->json) {
        rc = print_json(l);
    } else {
        print_table(l);
    }
    for (size_t k = 0; l->engines != NULL && k < exo_registry_count(l->reg); k++) {
        free(l->engines[k]);
    }
    free(l->engines);
    free(l->probed);
    exo_registry_destroy(&l->reg);
    exo_crashguard_report_to(-1);
    return rc;
}

/* List in children until one gets to the end, recording each plugin that kills one. */
static int list_isolated(listing_t *l)
{
    exo_isolated_t r;
    unsigned timeout = l->o->probe ? LIST_PROBE_TIMEOUT_MS : LOAD_TIMEOUT_MS;
    for (;;) {
        exo_isolate_each(1, list_child, l, timeout, true, &r);
        char *verdict = exo_isolated_verdict(&r, timeout);
        if (verdict == NULL || l->n_broken == MAX_BROKEN) {
            free(verdict);
            break;
        }
        l->broken[l->n_broken++] = (exo_plugin_verdict_t){exo_xstrdup(r.path), verdict};
        exo_isolated_free(&r);
    }
    int rc;
    if (r.done) {
        rc = r.exit_code;
    } else if (r.exit_code == -1 && r.signal == 0 && !r.timed_out && r.err.len == 0) {
        exo_debug("cannot start a child to list the plugins in; listing in process");
        exo_isolated_free(&r);
        return list_child(0, -1, l);
    } else {
        exo_error("listing the plugins failed (%s); run it again with EXO_LOG=debug and "
                  "report it", r.signal ? strsignal(r.signal) : "the child ended early");
        rc = EXO_EXIT_INTERNAL;
    }
    fwrite(r.err.data ? r.err.data : "", 1, r.err.len, stderr);
    fwrite(r.out.data ? r.out.data : "", 1, r.out.len, stdout);
    exo_isolated_free(&r);
    return rc;
}

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    const plugins_opts_t *o = opts;
    /* Outside an app, app-local plugins are simply not searched. The path is absolute, so
     * that the paths exo prints and plugins' state_dir do not depend on where exo started. */
    bool failed;
    char *app_dir = exo_cli_app_dir(o->app, EXO_APP_OPTIONAL, &failed);
    if (failed) {
        return EXO_EXIT_USER;
    }
    listing_t l = {.o = o, .app_dir = app_dir, .color = exo_use_color(1)};
    l.broken = exo_xcalloc(MAX_BROKEN, sizeof *l.broken);
    int rc = list_isolated(&l);
    for (size_t i = 0; i < l.n_broken; i++) {
        free((char *)l.broken[i].path);
        free((char *)l.broken[i].reason);
    }
    free(l.broken);
    free(app_dir);
    return rc;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", plugins_opts_t, app, 0,
               "also search DIR/.exo/plugins (default: the app at or above the\n"
               "current directory, if any)"),
    EXO_OPTION("json", 0, EXO_OPT_FLAG, NULL, plugins_opts_t, json, 0,
               "print a JSON array of objects with keys name, kind, version, abi,\n"
               "path, status (ok, error, skipped), error (null when ok) and, with\n"
               "--probe, for backends with a probe, engine"),
    EXO_OPTION("probe", 0, EXO_OPT_FLAG, NULL, plugins_opts_t, probe, 0,
               "ask each backend whether its engine works (docker, podman; in\n"
               "parallel, at most 10 s); without it engines are not asked"),
    EXO_OPTION("load-app", 0, EXO_OPT_FLAG, NULL, plugins_opts_t, load_app, 0,
               "also load the app's own plugins (.exo/plugins), which runs their\n"
               "code; without it they are listed unopened, as skipped"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_plugins = {
    .name = "plugins",
    .summary = "list the plugins exo finds, their ABI and status",
    .max_args = 0,
    .description =
        "Lists every plugin found on the search path with its name, kind, version, plugin ABI,\n"
        "path and status (ok, error with the reason, or skipped). Plugins are loaded in a\n"
        "child process: one that crashes, exits or hangs is listed as an error, not fatal.\n"
        "With --probe, backends that can probe their engine also say whether it works.\n"
        "The app's own plugins are listed unopened (skipped) unless --load-app: listing a\n"
        "checkout does not run its code.\n\n"
        "Search path, first (kind, name) wins:\n"
        "  1. the directories in EXO_PLUGIN_PATH (colon-separated, absolute paths only)\n"
        "  2. <app>/.exo/plugins of the app in --app DIR or at/above the current directory\n"
        "     (opened only with --load-app)\n"
        "  3. the installed plugin directory (" EXO_PLUGINDIR "),\n"
        "     unless EXO_NO_INSTALLED_PLUGINS=1\n"
        "The same plugin found again later is listed as a duplicate; a warning is printed\n"
        "only when its version differs from the one found first. A directory or file that\n"
        "other users can write, or that belongs to another user than you and root, is\n"
        "refused (listed as an error, with a warning).",
    .options = options,
    .opts_size = sizeof(plugins_opts_t),
    .epilog = "Exit status: 0 (also when plugins are broken), 1 bad arguments, 2 internal error.",
    .run = run,
};
