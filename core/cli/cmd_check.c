/*
 * core/cli/cmd_check.c - `exo check`: validate the manifest, then the message wiring, then
 * what needs the installed plugins (their declared keys, a command for each service), so that
 * whatever `exo run` would refuse for a reason known before it starts is reported here.
 *
 * Wiring is checked on public names: a role with the translation {public: P, internal: I}
 * sends or receives I itself, which is P for the rest of the app. A translated name that finds
 * no partner is reported at its translation (the translation maps to nothing) rather than at
 * the service's message list, so each finding is one line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <exo/backend.h>

#include "model/app.h"
#include "commands.h"
#include "model/diag.h"
#include "plugins/registry.h"
#include "plugins/settings.h"
#include "base/util.h"
#include "model/wiring.h"

/* The wiring's warnings (model/wiring.c); the number of distinct messages. */
static size_t check_wiring(const exo_app_t *app, exo_diag_t *diag)
{
    size_t n = exo_app_check_wiring(app, diag);
    return n;
}

/* exo run refuses a service its backend cannot start: a backend without containers (which
 * could run an image's own command) needs startup.command. */
static void check_commands(const exo_app_t *app, const exo_registry_t *reg, exo_diag_t *diag)
{
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *s = &app->services[i];
        if (s->frontend != NULL) {
            continue; /* exo runs it itself (exo frontend ROLE) */
        }
        const char *name = s->backend ? s->backend : app->backend;
        const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_BACKEND, name);
        if (s->startup_command != NULL || p == NULL ||
            (p->desc->caps & EXO_BACKEND_CAP_CONTAINERS)) {
            continue;
        }
        const exo_ypair_t *st = exo_ynode_pair(s->yaml, "startup");
        exo_diag_error(diag, s->file, st ? st->key->line : 1, st ? st->key->column : 1,
                       "service.yml has no startup.command, which the %s backend needs to run "
                       "role %s; add startup: {command: ...}", name, s->role);
    }
}

/* What needs the installed plugins: their declared keys, and what their backends can run. */
static void check_with_plugins(const exo_app_t *app, bool load_app, exo_diag_t *diag)
{
    /* Checking a checkout must not run its code: its own plugins stay closed unless asked. */
    exo_registry_opts_t ro = {.app_dir = app->dir, .load_app = load_app};
    exo_registry_t *reg = exo_registry_open(&ro);
    exo_settings_check_app(app, reg, diag);
    check_commands(app, reg, diag);
    exo_registry_destroy(&reg);
}

static void print_json(const exo_diag_t *diag, const exo_app_t *app, size_t n_messages, bool ok)
{
    json_t *list = json_array();
    for (size_t i = 0; i < diag->n; i++) {
        const exo_diag_entry_t *e = &diag->entries[i];
        json_t *o = json_pack("{s:s, s:s?, s:i, s:i, s:s}", "severity",
                              e->severity == EXO_SEV_ERROR ? "error" : "warning", "file",
                              e->file, "line", e->line, "column", e->column, "message",
                              e->message);
        json_array_append_new(list, o);
    }
    json_t *out = json_pack("{s:b, s:s?, s:I, s:I, s:I, s:I, s:I, s:o}", "ok", ok, "app",
                            app ? app->name : NULL, "services",
                            (json_int_t)(app ? app->n_services - app->n_frontends : 0),
                            "frontends", (json_int_t)(app ? app->n_frontends : 0), "messages",
                            (json_int_t)n_messages, "errors", (json_int_t)diag->errors,
                            "warnings", (json_int_t)diag->warnings, "diagnostics", list);
    char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(out);
}

typedef struct check_opts {
    const char *app;
    bool strict, json, load_app;
} check_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    const check_opts_t *o = opts;
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_app_t *app = NULL;
    /* The app not found is a finding like any other: --json reports it too. */
    char *error = NULL;
    char *root = exo_cli_find_app(o->app, EXO_APP_REQUIRED, &error);
    if (root == NULL) {
        exo_diag_error(&diag, NULL, 0, 0, "%s", error);
        free(error);
    }
    size_t n_messages = 0;
    if (root != NULL) {
        app = exo_app_load(root, &diag);
        free(root);
    }
    if (app != NULL) {
        n_messages = check_wiring(app, &diag);
        check_with_plugins(app, o->load_app, &diag);
    }
    bool ok = app != NULL && diag.errors == 0 && !(o->strict && diag.warnings > 0);
    if (o->json) {
        print_json(&diag, app, n_messages, ok);
    } else {
        exo_diag_print(&diag, stderr, exo_use_color(2));
        if (ok) {
            size_t n_svc = app->n_services - app->n_frontends;
            printf("ok: app %s, %zu service%s, ", app->name, n_svc, n_svc == 1 ? "" : "s");
            if (app->n_frontends > 0) {
                printf("%zu frontend%s, ", app->n_frontends, app->n_frontends == 1 ? "" : "s");
            }
            printf("%zu message%s\n", n_messages, n_messages == 1 ? "" : "s");
        } else if (app != NULL && diag.errors == 0) {
            fprintf(stderr, "exo check: %zu warning%s, failing because of --strict\n",
                    diag.warnings, diag.warnings == 1 ? "" : "s");
        } else if (diag.errors > 1) {
            fprintf(stderr, "exo check: %zu errors\n", diag.errors);
        }
    }
    exo_app_destroy(&app);
    exo_diag_free(&diag);
    return ok ? EXO_EXIT_OK : EXO_EXIT_USER;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", check_opts_t, app, 0,
               "the app directory (default: the nearest directory at or above\n"
               "the current one that holds application.yml)"),
    EXO_OPTION("strict", 0, EXO_OPT_FLAG, NULL, check_opts_t, strict, 0,
               "treat warnings as errors"),
    EXO_OPTION("json", 0, EXO_OPT_FLAG, NULL, check_opts_t, json, 0,
               "print {ok, app, services, frontends, messages, errors, warnings,\n"
               "diagnostics: [{severity, file, line, column, message}]} on stdout\n"
               "instead"),
    EXO_OPTION("load-app", 0, EXO_OPT_FLAG, NULL, check_opts_t, load_app, 0,
               "also load the app's own plugins (.exo/plugins), which runs their\n"
               "code; without it they are not opened (docs/security.md)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_check = {
    .name = "check",
    .summary = "validate the app's manifests and message wiring",
    .max_args = 0,
    .description =
        "Validates application.yml and every service's service.yml (types, required and unknown\n"
        "keys, names, locations, translations, dependencies) and then the message wiring on\n"
        "public names: a message sent that no role receives, a message received that no role\n"
        "sends, a translation that maps to nothing.\n"
        "Prints one FILE:LINE:COLUMN: error|warning: MESSAGE line per finding on stderr, then\n"
        "'ok: app NAME, N services, M messages' on success.",
    .options = options,
    .opts_size = sizeof(check_opts_t),
    .epilog = "Exit status: 0 valid (warnings allowed unless --strict), 1 errors (or warnings "
              "with\n--strict), 2 internal error.",
    .run = run,
};
