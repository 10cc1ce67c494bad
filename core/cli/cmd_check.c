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
#include <unistd.h>

#include <jansson.h>

#include <exo/backend.h>

#include "model/app.h"
#include "cli.h"
#include "model/diag.h"
#include "plugins/registry.h"
#include "plugins/settings.h"
#include "base/util.h"
#include "model/wiring.h"

int exo_cmd_check(int argc, char **argv);

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
static void check_with_plugins(const exo_app_t *app, exo_diag_t *diag)
{
    exo_registry_t *reg = exo_registry_load(app->dir, NULL);
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
    json_t *out = json_pack("{s:b, s:s?, s:I, s:I, s:I, s:I, s:o}", "ok", ok, "app",
                            app ? app->name : NULL, "services",
                            (json_int_t)(app ? app->n_services : 0), "messages",
                            (json_int_t)n_messages, "errors", (json_int_t)diag->errors,
                            "warnings", (json_int_t)diag->warnings, "diagnostics", list);
    char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(out);
}

int exo_cmd_check(int argc, char **argv)
{
    const char *app_dir = NULL;
    bool strict = false;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0) {
            strict = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (strcmp(argv[i], "--app") == 0) {
            if (i + 1 >= argc) {
                return exo_cli_usage_error("check", "--app needs a directory");
            }
            app_dir = argv[++i];
        } else if (strncmp(argv[i], "--app=", 6) == 0) {
            app_dir = argv[i] + 6;
        } else {
            return exo_cli_usage_error("check", "unknown argument '%s'", argv[i]);
        }
    }

    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_app_t *app = NULL;
    char *root = NULL;
    if (app_dir != NULL) {
        root = exo_xstrdup(app_dir);
    } else {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd) == NULL) {
            fprintf(stderr, "exo check: cannot read the current directory\n");
            return EXO_EXIT_INTERNAL;
        }
        root = exo_app_find_root(cwd);
        if (root == NULL) {
            exo_diag_error(&diag, NULL, 0, 0, "no application.yml in %s or any parent "
                           "directory; run exo check inside an app or pass --app DIR", cwd);
        }
    }
    size_t n_messages = 0;
    if (root != NULL) {
        app = exo_app_load(root, &diag);
        free(root);
    }
    if (app != NULL) {
        n_messages = check_wiring(app, &diag);
        check_with_plugins(app, &diag);
    }
    bool ok = app != NULL && diag.errors == 0 && !(strict && diag.warnings > 0);
    if (as_json) {
        print_json(&diag, app, n_messages, ok);
    } else {
        exo_diag_print(&diag, stderr, exo_use_color(2));
        if (ok) {
            printf("ok: app %s, %zu service%s, %zu message%s\n", app->name, app->n_services,
                   app->n_services == 1 ? "" : "s", n_messages, n_messages == 1 ? "" : "s");
        } else if (app != NULL && diag.errors == 0) {
            fprintf(stderr, "exo check: %zu warning%s, failing because of --strict\n",
                    diag.warnings, diag.warnings == 1 ? "" : "s");
        } else if (diag.errors > 0 && root != NULL) {
            /* nothing more: the errors above say it all */
        }
    }
    if (!ok && !as_json && diag.errors > 1) {
        fprintf(stderr, "exo check: %zu errors\n", diag.errors);
    }
    exo_app_destroy(&app);
    exo_diag_free(&diag);
    return ok ? EXO_EXIT_OK : EXO_EXIT_USER;
}
