/* core/cli/cmd_bus_status.c - `exo bus status [--app DIR] [--json]`: the running broker's
 * state (roles and their instances, routes and their counters) through the transport's
 * client_stats, found from .exo/bus.json as exo tail finds it. The JSON is the transport's
 * stats reply (docs/protocol.md); the table reads only its documented fields and shows what a
 * transport leaves out as "-". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "bus/bus.h"
#include "commands.h"
#include "table.h"

static const char *str_or(const json_t *o, const char *key, const char *fallback)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : fallback;
}

/* A counter cell: the number, or "-" when the transport did not give it. */
static void count_cell(exo_table_t *t, const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) {
        exo_table_cell(t, "%lld", (long long)json_integer_value(v));
    } else {
        exo_table_cell(t, "-");
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ROLE  ONLINE  INSTANCES: every role, alphabetical, with its instances' ids and labels. */
static void print_roles(const json_t *roles)
{
    size_t n = json_object_size(roles);
    if (n == 0) {
        printf("no roles\n");
        return;
    }
    const char **names = exo_xcalloc(n, sizeof *names);
    size_t k = 0;
    const char *name;
    const json_t *role;
    json_object_foreach((json_t *)roles, name, role) {
        names[k++] = name;
    }
    qsort(names, k, sizeof *names, by_name);
    exo_table_t t;
    exo_table_init(&t, 3, 1u << 1);
    exo_table_cell(&t, "ROLE");
    exo_table_cell(&t, "ONLINE");
    exo_table_cell(&t, "INSTANCES");
    for (size_t i = 0; i < k; i++) {
        const json_t *inst = json_object_get(json_object_get(roles, names[i]), "instances");
        exo_buf_t list = {0};
        size_t j;
        const json_t *in;
        json_array_foreach(inst, j, in) {
            exo_buf_printf(&list, "%s#%lld %s%s", j > 0 ? ", " : "",
                           (long long)json_integer_value(json_object_get(in, "id")),
                           str_or(in, "label", "?"),
                           json_is_true(json_object_get(in, "transient")) ? " (transient)" : "");
        }
        exo_table_cell(&t, "%s", names[i]);
        exo_table_cell(&t, "%zu", json_array_size(inst));
        exo_table_cell(&t, "%s", list.data != NULL ? list.data : "-");
        exo_buf_free(&list);
    }
    exo_table_print(&t, stdout);
    exo_table_free(&t);
    free(names);
}

/* Who gets a route's message: "users", "users as mongo.create" when the receiver knows it by
 * another name (a translation), "(not in sends)" when the sender may not send it. */
static char *receivers_text(const json_t *route)
{
    if (json_is_false(json_object_get(route, "allowed"))) {
        return exo_xstrdup("(not in sends)");
    }
    const char *sent = str_or(route, "name", "");
    const json_t *recv = json_object_get(route, "receivers");
    exo_buf_t b = {0};
    size_t i;
    const json_t *r;
    json_array_foreach(recv, i, r) {
        const char *as = str_or(r, "name", sent);
        exo_buf_printf(&b, "%s%s", i > 0 ? ", " : "", str_or(r, "role", "?"));
        if (strcmp(as, sent) != 0) {
            exo_buf_printf(&b, " as %s", as);
        }
    }
    return b.data != NULL ? b.data : exo_xstrdup("(no role receives it)");
}

/* SENDER  MESSAGE  RECEIVERS  and the counters, in the broker's order (declared routes
 * first). */
static void print_routes(const json_t *routes)
{
    if (json_array_size(routes) == 0) {
        printf("no routes\n");
        return;
    }
    exo_table_t t;
    exo_table_init(&t, 7, 0xFu << 3);
    static const char *const heads[] = {"SENDER", "MESSAGE", "RECEIVERS", "DELIVERED",
                                        "NO-RECEIVER", "DENIED", "DROPPED"};
    for (size_t i = 0; i < 7; i++) {
        exo_table_cell(&t, "%s", heads[i]);
    }
    size_t i;
    const json_t *r;
    json_array_foreach(routes, i, r) {
        char *recv = receivers_text(r);
        exo_table_cell(&t, "%s", str_or(r, "sender", "?"));
        exo_table_cell(&t, "%s", str_or(r, "name", "?"));
        exo_table_cell(&t, "%s", recv);
        count_cell(&t, r, "delivered");
        count_cell(&t, r, "no_receiver");
        count_cell(&t, r, "denied");
        count_cell(&t, r, "dropped");
        free(recv);
    }
    exo_table_print(&t, stdout);
    exo_table_free(&t);
}

static void print_status(const exo_app_t *app, const json_t *st)
{
    printf("bus of app %s: %s (control %s)\n", str_or(st, "app", app->name),
           str_or(st, "endpoint", "-"), str_or(st, "control", "-"));
    static const char *const keys[] = {"max_message_size", "tail_clients", "tail_dropped",
                                       "unregistered_connections"};
    static const char *const words[] = {"max message size", "tail clients",
                                        "tail events dropped", "unregistered connections"};
    exo_buf_t line = {0};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const json_t *v = json_object_get(st, keys[i]);
        if (json_is_integer(v)) {
            exo_buf_printf(&line, "%s%s %lld", line.len > 0 ? ", " : "", words[i],
                           (long long)json_integer_value(v));
        }
    }
    if (line.data != NULL) {
        printf("%s\n", line.data);
    }
    exo_buf_free(&line);
    printf("\n");
    print_roles(json_object_get(st, "roles"));
    printf("\n");
    print_routes(json_object_get(st, "routes"));
}

typedef struct status_opts {
    const char *app;
    bool json;
} status_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    const status_opts_t *o = opts;
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(o->app, &code);
    if (app == NULL) {
        return code;
    }
    exo_cli_bus_t bus = {0};
    json_t *st = NULL;
    exo_error_t err = {0};
    if ((code = exo_cli_bus_open(app, &bus)) != EXO_EXIT_OK) {
        goto out;
    }
    if (exo_bus_client_stats(bus.transport, bus.control, bus.token, &st, &err) < 0) {
        exo_error("%s", err.message);
        code = EXO_EXIT_USER;
        goto out;
    }
    if (o->json) {
        char *text = json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text != NULL) {
            puts(text);
        }
        free(text);
    } else {
        print_status(app, st);
    }
out:
    json_decref(st);
    exo_cli_bus_close(&bus);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", status_opts_t, app, 0,
               "the app directory (default: the nearest application.yml at or above)"),
    EXO_OPTION("json", 0, EXO_OPT_FLAG, NULL, status_opts_t, json, 0,
               "print the broker's state as JSON (docs/protocol.md, control socket)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_bus_status = {
    .name = "bus status",
    .summary = "show the running broker's roles, instances and per-route counters",
    .max_args = 0,
    .description =
        "Asks the app's running broker (exo run or exo bus, found from .exo/bus.json) for its\n"
        "state and prints it: each role with its connected instances (id and label; exo send's\n"
        "are transient), then each route (sender, message, the roles that receive it, as\n"
        "which name when translated) with how many messages were delivered, had no receiver,\n"
        "were denied or dropped since the broker started.",
    .options = options,
    .opts_size = sizeof(status_opts_t),
    .epilog = "Exit status: 0 printed, 1 no broker running for the app or it did not answer, "
              "2 internal\nerror (e.g. the transport plugin is missing).",
    .run = run,
};
