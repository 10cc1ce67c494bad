/* core/cli/cmd_clean.c - `exo clean`: stop what an earlier run left and remove its state. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <exo/backend.h>
#include <exo/resource.h>

#include <jansson.h>

#include "commands.h"
#include "plugins/registry.h"
#include "base/log.h"
#include "model/statedir.h"
#include "run/record.h"

/* Delete each resource's data: the plugin's wipe() when it has one, then its data directory. */
static int wipe_data(const exo_app_t *app, const exo_registry_t *reg, const char *exo_dir)
{
    int code = EXO_EXIT_OK;
    for (size_t i = 0; i < app->n_resources; i++) {
        const exo_resource_t *res = &app->resources[i];
        char *data_dir = exo_statedir_resource_data(exo_dir, res->name);
        if (!exo_path_is_dir(data_dir)) {
            free(data_dir);
            continue;
        }
        const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_RESOURCE, res->type);
        if (p != NULL) {
            const exo_resource_ops_t *ops = p->desc->ops;
            exo_resource_spec_t spec = {
                .size = sizeof spec, .app = app->name, .name = res->name, .type = res->type,
                .config = res->config, .app_dir = app->dir, .data_dir = data_dir,
            };
            void *inst = NULL;
            exo_error_t err = {0};
            if (ops->wipe != NULL && ops->create(p->host, &spec, &inst, &err) == 0) {
                if (ops->wipe(inst, &err) < 0) {
                    exo_error("resource %s: %s", res->name, err.message);
                    code = EXO_EXIT_INTERNAL;
                }
                ops->destroy(inst);
            }
        }
        if (exo_rm_rf(data_dir) < 0) {
            exo_error("cannot remove %s: %s", data_dir, strerror(errno));
            code = EXO_EXIT_INTERNAL;
        } else {
            printf("deleted the data of resource %s\n", res->name);
        }
        free(data_dir);
    }
    char *dir = exo_statedir_resources(exo_dir);
    rmdir(dir);
    free(dir);
    return code;
}

/* Wait for the recorded exo to exit; true when it did within @p ms. */
static bool wait_gone(const exo_record_t *rs, unsigned ms)
{
    unsigned long long end = exo_now_ms() + ms;
    while (exo_record_alive(rs)) {
        if (exo_now_ms() >= end) {
            return false;
        }
        usleep(50000);
    }
    return true;
}

/* --data without --yes: true when a terminal's user said yes. Deleting databases is not
 * undoable: without a terminal, --yes is needed. */
static bool confirm_data(const exo_app_t *app)
{
    if (!isatty(0)) {
        exo_error("exo clean --data deletes the data of every resource of %s; add --yes to "
                  "confirm", app->name);
        return false;
    }
    printf("Delete the data of every resource of %s (databases, caches)? [y/N] ", app->name);
    fflush(stdout);
    char answer[16] = "";
    if (fgets(answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y')) {
        printf("nothing deleted\n");
        return false;
    }
    return true;
}

/* A live exo takes its app down itself, in order; SIGKILL only when it will not. */
static void stop_recorded(const exo_app_t *app, const exo_record_t *rs)
{
    printf("stopping exo %s (pid %d)\n", rs->command, (int)rs->pid);
    kill(rs->pid, SIGTERM);
    if (!wait_gone(rs, app->shutdown_grace_ms + 3000)) {
        kill(rs->pid, SIGKILL);
        wait_gone(rs, 2000);
    }
}

/* Let each backend the run used (@p recorded, may be NULL), process, and each the manifest
 * names remove what it left. Container backends label what they create, so those the
 * manifest names are cleaned even when no run is recorded (a run.json removed by hand,
 * another machine's state dir). */
static int clean_backends(const exo_app_t *app, const exo_registry_t *reg, const char *exo_dir,
                          const exo_strv_t *recorded)
{
    exo_strv_t backends = {0};
    for (size_t i = 0; recorded != NULL && i < recorded->n; i++) {
        exo_strv_push(&backends, recorded->v[i]);
    }
    if (!exo_strv_contains(&backends, "process")) {
        exo_strv_push(&backends, "process");
    }
    size_t recorded_n = backends.n;
    if (app->backend != NULL && !exo_strv_contains(&backends, app->backend)) {
        exo_strv_push(&backends, app->backend);
    }
    for (size_t i = 0; i < app->n_services; i++) {
        const char *b = app->services[i].backend;
        if (b != NULL && !exo_strv_contains(&backends, b)) {
            exo_strv_push(&backends, b);
        }
    }
    int code = EXO_EXIT_OK;
    for (size_t i = 0; i < backends.n; i++) {
        const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_BACKEND, backends.v[i]);
        if (p == NULL) {
            if (recorded != NULL && exo_strv_contains(recorded, backends.v[i])) {
                exo_warn("backend %s is not available; what it ran is not cleaned up%s",
                         backends.v[i], exo_registry_skipped_note(reg));
            }
            continue;
        }
        const exo_backend_ops_t *ops = p->desc->ops;
        exo_error_t err = {0};
        if (ops->cleanup != NULL && ops->cleanup(p->host, app->name, exo_dir, &err) < 0) {
            if (i >= recorded_n) {
                /* Only named in the manifest: an engine that is not running holds nothing. */
                exo_warn("backend %s: %s", backends.v[i], err.message);
                continue;
            }
            exo_error("backend %s: %s", backends.v[i], err.message);
            code = EXO_EXIT_INTERNAL;
        }
    }
    exo_strv_free(&backends);
    return code;
}

/* Remove the logs, the plugins' state, the run record, and the bus.json of the recorded run
 * (@p pid, 0 for none) that was killed: a bus of another process (exo bus) keeps its file. */
static int remove_state(const char *exo_dir, pid_t pid)
{
    int code = EXO_EXIT_OK;
    char *(*const remove[])(const char *) = {exo_statedir_logs, exo_statedir_state, NULL};
    for (size_t i = 0; remove[i] != NULL; i++) {
        char *path = remove[i](exo_dir);
        if (exo_path_is_dir(path) && exo_rm_rf(path) < 0) {
            exo_error("cannot remove %s: %s", path, strerror(errno));
            code = EXO_EXIT_INTERNAL;
        }
        free(path);
    }
    if (pid > 0) {
        char *bus_json = exo_statedir_bus_file(exo_dir);
        json_t *bj = json_load_file(bus_json, 0, NULL);
        if (bj != NULL && json_integer_value(json_object_get(bj, "pid")) == (json_int_t)pid) {
            unlink(bus_json);
        }
        json_decref(bj);
        free(bus_json);
    }
    exo_record_remove(exo_dir);
    rmdir(exo_dir); /* only when nothing else (resource data, plugins) is kept there */
    return code;
}

typedef struct clean_opts {
    const char *app;
    bool data, yes, load_app;
} clean_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    const clean_opts_t *o = opts;
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
    }
    if (o->data && !o->yes && !confirm_data(app)) {
        exo_app_destroy(&app);
        return EXO_EXIT_USER;
    }
    char *exo_dir = exo_statedir(app->dir);
    exo_record_t rs;
    bool recorded = exo_record_read(exo_dir, &rs);
    if (recorded && exo_record_alive(&rs)) {
        stop_recorded(app, &rs);
    }
    exo_loop_t *loop = exo_loop_new();
    /* Cleaning a checkout must not run its code: its own plugins stay closed unless asked. */
    exo_registry_opts_t ro = {.app_dir = app->dir, .loop = loop, .load_app = o->load_app};
    exo_registry_t *reg = exo_registry_open(&ro);
    code = clean_backends(app, reg, exo_dir, recorded ? &rs.backends : NULL);
    if (o->data) {
        int rc = wipe_data(app, reg, exo_dir);
        code = code == EXO_EXIT_OK ? rc : code;
    }
    exo_registry_destroy(&reg);
    exo_loop_destroy(&loop);
    int rc = remove_state(exo_dir, recorded ? rs.pid : 0);
    code = code == EXO_EXIT_OK ? rc : code;
    printf("cleaned %s: run state and logs removed\n", app->name);
    if (recorded) {
        exo_record_free(&rs);
    }
    free(exo_dir);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", clean_opts_t, app, 0,
               "the app directory (default: found from the current directory)"),
    EXO_OPTION("data", 0, EXO_OPT_FLAG, NULL, clean_opts_t, data, 0,
               "also delete the data of every resource (asks first on a terminal)"),
    EXO_OPTION("yes", 0, EXO_OPT_FLAG, NULL, clean_opts_t, yes, 0,
               "do not ask (needed for --data without a terminal)"),
    EXO_OPTION("load-app", 0, EXO_OPT_FLAG, NULL, clean_opts_t, load_app, 0,
               "also load the app's own plugins (.exo/plugins), which runs their\n"
               "code; without it they are not opened (docs/security.md)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_clean = {
    .name = "clean",
    .summary = "stop leftovers of an earlier run and remove run state and logs",
    .max_args = 0,
    .description =
        "Stops an exo still running this app, kills what a killed exo left running (only what\n"
        "the app's backends recorded in .exo/), and removes .exo/logs, .exo/state and\n"
        ".exo/run.json. Resource data in .exo/resources is kept unless --data is given.",
    .options = options,
    .opts_size = sizeof(clean_opts_t),
    .run = run,
};
