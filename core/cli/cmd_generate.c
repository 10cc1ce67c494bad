/*
 * core/cli/cmd_generate.c - `exo generate NAME [--out DIR] [--check]`: the app as files for
 * another engine, written by the generator plugin NAME (exo/generator.h). The plugin builds
 * the files in memory from the app model (run/appmodel.c); this command owns the output
 * directory: it writes them atomically (plugins/generator.c) or, with --check, compares
 * them with the disk and lists what drifted.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "base/util.h"
#include "model/diag.h"
#include "plugins/generator.h"
#include "plugins/registry.h"
#include "plugins/settings.h"
#include "run/appmodel.h"

typedef struct generate_opts {
    const char *app, *out;
    bool check;
} generate_opts_t;

/* @p path made absolute against the current directory, with "." and ".." parts resolved as
 * text (the directory may not exist yet). New string. */
static char *absolute_path(const char *path)
{
    char cwd[4096];
    char *joined = path[0] == '/' ? exo_xstrdup(path)
                   : exo_path_join(getcwd(cwd, sizeof cwd) ? cwd : "/", path);
    exo_strv_t parts = {0};
    for (char *save = NULL, *t = strtok_r(joined, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, "..") == 0) {
            if (parts.n > 0) {
                free(parts.v[--parts.n]);
            }
        } else if (strcmp(t, ".") != 0) {
            exo_strv_push(&parts, t);
        }
    }
    exo_buf_t b = {0};
    for (size_t i = 0; i < parts.n; i++) {
        exo_buf_printf(&b, "/%s", parts.v[i]);
    }
    if (b.len == 0) {
        exo_buf_puts(&b, "/");
    }
    exo_strv_free(&parts);
    free(joined);
    return b.data;
}

/* The generator NAME, or NULL after saying which ones work. */
static const exo_plugin_t *find_generator(const exo_registry_t *reg, const char *name)
{
    const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_GENERATOR, name);
    if (p == NULL) {
        char *names = exo_registry_names(reg, EXO_KIND_GENERATOR);
        fprintf(stderr, "exo: error: no working generator plugin named '%s' (available: %s); "
                "'exo plugins' shows why one failed to load\n", name,
                names && names[0] ? names : "none");
        free(names);
    }
    return p;
}

/* The app's plugin blocks, as `exo check` checks them: generating a broken app is refused. */
static bool app_checks(const exo_app_t *app, const exo_registry_t *reg)
{
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_settings_check_app(app, reg, &diag);
    bool ok = diag.errors == 0;
    if (!ok) {
        exo_diag_print(&diag, stderr, exo_use_color(2));
        fprintf(stderr, "exo: error: app %s has errors (above); fix what 'exo check' reports, "
                "then generate again\n", app->name);
    }
    exo_diag_free(&diag);
    return ok;
}

static int report_check(const exo_genset_t *set, const char *out_dir, const char *name)
{
    exo_strv_t drifted = {0};
    size_t n = exo_genset_check(set, out_dir, &drifted);
    for (size_t i = 0; i < drifted.n; i++) {
        printf("%s/%s\n", out_dir, drifted.v[i]);
    }
    exo_strv_free(&drifted);
    if (n > 0) {
        fprintf(stderr, "exo: error: %zu generated file%s in %s %s out of date; run "
                "'exo generate %s' (without --check) to update\n", n, n == 1 ? "" : "s",
                out_dir, n == 1 ? "is" : "are", name);
        return EXO_EXIT_USER;
    }
    printf("ok: %zu file%s in %s match the app\n", set->n, set->n == 1 ? "" : "s", out_dir);
    return EXO_EXIT_OK;
}

static int generate(const exo_app_t *app, const exo_registry_t *reg, const char *name,
                    const char *out_dir, bool check)
{
    const exo_plugin_t *p = find_generator(reg, name);
    if (p == NULL || !app_checks(app, reg)) {
        return EXO_EXIT_USER;
    }
    exo_error_t err = {0};
    json_t *model = exo_appmodel_build(app, reg, out_dir, &err);
    exo_genset_t set = {0};
    if (model == NULL || exo_generator_run(p, model, &set, &err) < 0) {
        json_decref(model);
        fprintf(stderr, "exo: error: %s\n", err.message);
        return EXO_EXIT_USER;
    }
    json_decref(model);
    int code = EXO_EXIT_OK;
    if (check) {
        code = report_check(&set, out_dir, name);
    } else if (exo_genset_write(&set, out_dir, &err) < 0) {
        fprintf(stderr, "exo: error: %s\n", err.message);
        code = EXO_EXIT_USER;
    } else {
        printf("generated %zu file%s in %s\n", set.n, set.n == 1 ? "" : "s", out_dir);
    }
    exo_genset_free(&set);
    return code;
}

static int run(void *opts, const exo_strv_t *args)
{
    const generate_opts_t *o = opts;
    if (args->n != 1) {
        return exo_cli_usage_error("generate", "takes exactly one generator NAME (compose, kubernetes)");
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
    }
    char *out_dir = NULL;
    if (o->out != NULL) {
        out_dir = absolute_path(o->out);
    } else {
        char *rel = exo_strdupf("deploy/%s", args->v[0]);
        out_dir = exo_path_join(app->dir, rel);
        free(rel);
    }
    exo_registry_t *reg = exo_registry_load(app->dir, NULL);
    code = generate(app, reg, args->v[0], out_dir, o->check);
    exo_registry_destroy(&reg);
    free(out_dir);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", generate_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("out", 0, EXO_OPT_VALUE, "DIR", generate_opts_t, out, 0,
               "where the files go (default: APP/deploy/NAME)"),
    EXO_OPTION("check", 0, EXO_OPT_FLAG, NULL, generate_opts_t, check, 0,
               "write nothing; list the files that differ from what would be\n"
               "generated, and fail when any does"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_generate = {
    .name = "generate",
    .summary = "write the app as files for another engine (compose, kubernetes)",
    .args = "NAME",
    .max_args = -1,
    .description =
        "Runs the generator plugin NAME on the app and writes what it produces under --out\n"
        "(default APP/deploy/NAME), each file atomically with its mode; files with secrets are\n"
        "0600. The same app always gives the same bytes, so the output can be committed and\n"
        "checked with --check (see docs/generate.md).",
    .options = options,
    .opts_size = sizeof(generate_opts_t),
    .epilog = "Exit status: 0 written (or, with --check, up to date), 1 a user error or drift,\n"
              "2 internal error.",
    .run = run,
};
