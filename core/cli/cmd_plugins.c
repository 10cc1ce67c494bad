/* core/cli/cmd_plugins.c - `exo plugins [--app DIR] [--json]`: what the loader found and why a
 * plugin is not usable; --json also shows each plugin's declared configuration keys. Listing
 * never fails because of a broken plugin: that is what it is for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <exo/backend.h>

#include "commands.h"
#include "plugins/registry.h"
#include "plugins/settings.h"
#include "base/log.h"
#include "base/util.h"

/* The engine status of a working backend with probe(): "ok", the probe's message, or NULL. */
static char *probe_engine(const exo_plugin_t *p)
{
    if (!p->ok || p->kind != EXO_KIND_BACKEND) {
        return NULL;
    }
    const exo_backend_ops_t *ops = p->desc->ops;
    if (!EXO_HAS(ops, exo_backend_ops_t, probe) || ops->probe == NULL) {
        return NULL;
    }
    exo_error_t err = {0, ""};
    if (ops->probe(p->host, &err) == 0) {
        return exo_xstrdup("ok");
    }
    err.message[sizeof err.message - 1] = '\0';
    return exo_xstrdup(err.message[0] ? err.message : "engine not reachable (no message)");
}

static char *abi_string(const exo_plugin_t *p)
{
    if (p->abi_major == 0 && p->abi_minor == 0) {
        return NULL;
    }
    return exo_strdupf("%u.%u", p->abi_major, p->abi_minor);
}

static int print_json(const exo_registry_t *reg)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < exo_registry_count(reg); i++) {
        const exo_plugin_t *p = exo_registry_at(reg, i);
        char *abi = abi_string(p);
        char *engine = probe_engine(p);
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s?}", "name", p->name, "kind",
                              p->kind ? exo_kind_name(p->kind) : "unknown", "version",
                              p->version, "abi", abi, "path", p->path, "status",
                              p->ok ? "ok" : "error", "error", p->ok ? NULL : p->error);
        if (o != NULL && p->ok && p->desc->description != NULL) {
            json_object_set_new(o, "description", json_string(p->desc->description));
        }
        if (o != NULL && engine != NULL) {
            json_object_set_new(o, "engine", json_string(engine));
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
        free(engine);
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

static void print_table(const exo_registry_t *reg)
{
    size_t n = exo_registry_count(reg);
    if (n == 0) {
        printf("no plugins found; set EXO_PLUGIN_PATH or install plugins in %s\n", EXO_PLUGINDIR);
        return;
    }
    bool color = exo_use_color(1);
    printf("%-12s %-10s %-9s %-5s %-6s %s\n", "NAME", "KIND", "VERSION", "ABI", "STATUS", "PATH");
    for (size_t i = 0; i < n; i++) {
        const exo_plugin_t *p = exo_registry_at(reg, i);
        char *abi = abi_string(p);
        const char *status = p->ok ? "ok" : "error";
        printf("%-12s %-10s %-9s %-5s %s%-6s%s %s\n", p->name,
               p->kind ? exo_kind_name(p->kind) : "unknown", p->version ? p->version : "-",
               abi ? abi : "-", color ? (p->ok ? "\033[32m" : "\033[1;31m") : "", status,
               color ? "\033[0m" : "", p->path);
        free(abi);
        if (!p->ok) {
            printf("    error: %s\n", p->error);
        }
        char *engine = probe_engine(p);
        if (engine != NULL) {
            printf("    engine: %s\n", engine);
            free(engine);
        }
    }
}

typedef struct plugins_opts {
    const char *app;
    bool json;
} plugins_opts_t;

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
    exo_registry_t *reg = exo_registry_load(app_dir, NULL);
    int rc = EXO_EXIT_OK;
    if (o->json) {
        rc = print_json(reg);
    } else {
        print_table(reg);
    }
    exo_registry_destroy(&reg);
    free(app_dir);
    return rc;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", plugins_opts_t, app, 0,
               "also search DIR/.exo/plugins (default: the app at or above the\n"
               "current directory, if any)"),
    EXO_OPTION("json", 0, EXO_OPT_FLAG, NULL, plugins_opts_t, json, 0,
               "print a JSON array of objects with keys name, kind, version, abi,\n"
               "path, status, error (null when ok) and, for backends with a probe,\n"
               "engine"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_plugins = {
    .name = "plugins",
    .summary = "list the plugins exo finds, their ABI and status",
    .max_args = 0,
    .description =
        "Lists every plugin found on the search path with its name, kind, version, plugin ABI,\n"
        "path and status (ok or error, with the reason). For backends that can probe their\n"
        "engine, also whether the engine is reachable. Broken plugins are listed, not fatal.\n\n"
        "Search path, first (kind, name) wins:\n"
        "  1. the directories in EXO_PLUGIN_PATH (colon-separated, absolute paths only)\n"
        "  2. <app>/.exo/plugins of the app in --app DIR or at/above the current directory\n"
        "  3. the installed plugin directory (" EXO_PLUGINDIR "),\n"
        "     unless EXO_NO_INSTALLED_PLUGINS=1\n"
        "The same plugin found again later is listed as a duplicate; a warning is printed\n"
        "only when its version differs from the one found first.",
    .options = options,
    .opts_size = sizeof(plugins_opts_t),
    .epilog = "Exit status: 0 (also when plugins are broken), 1 bad arguments, 2 internal error.",
    .run = run,
};
