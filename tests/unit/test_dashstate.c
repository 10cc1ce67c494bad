/* tests/unit/test_dashstate.c - the dashboard's model (core/dashboard/dashstate.c): its bounds,
 * the edges of the map from the app's routes (translations included), counters counted like
 * the broker's, an activity's messages in order, masked and truncated payloads, pushes of
 * what changed only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dashboard/dashstate.h"
#include "model/app.h"
#include "run/masker.h"
#include "base/util.h"
#include "../support/cunit_main.h"

/* web sends users.list and shop.buy; users receives users.list; db (a service that calls
 * users.list "db.query" inside) receives it too; nobody receives shop.buy. */
static const char *const APP_YML =
    "name: dash\n"
    "services:\n"
    "  web:\n"
    "    location: ./web\n"
    "  users:\n"
    "    location: ./users\n"
    "  db:\n"
    "    location: ./db\n"
    "    translations:\n"
    "      - public: users.list\n"
    "        internal: db.query\n";

static char *dir;
static exo_app_t *app;

static void write_service(const char *name, const char *yml)
{
    char *d = exo_path_join(dir, name);
    exo_mkdir_p(d, 0755);
    char *f = exo_path_join(d, "service.yml");
    exo_write_file_atomic(f, yml, strlen(yml));
    free(f);
    free(d);
}

static int setup(void)
{
    char tmpl[] = "/tmp/exo-test-dash.XXXXXX";
    dir = exo_xstrdup(mkdtemp(tmpl));
    write_service("web", "type: worker\nstartup:\n  command: 'true'\nmessages:\n"
                         "  sends: [users.list, shop.buy]\n");
    write_service("users", "type: worker\nstartup:\n  command: 'true'\nmessages:\n"
                           "  receives: [users.list]\n");
    write_service("db", "type: worker\nstartup:\n  command: 'true'\nmessages:\n"
                        "  receives: [db.query]\n");
    char *f = exo_path_join(dir, "application.yml");
    exo_write_file_atomic(f, APP_YML, strlen(APP_YML));
    free(f);
    exo_diag_t diag;
    exo_diag_init(&diag);
    app = exo_app_load(dir, &diag);
    exo_diag_free(&diag);
    return app == NULL;
}

static int teardown(void)
{
    exo_app_destroy(&app);
    char *cmd = exo_strdupf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    free(dir);
    return rc != 0;
}

static exo_dash_msg_t msg(const char *from, const char *to, const char *name, const char *outcome,
                          const char *activity, const char *payload)
{
    return (exo_dash_msg_t){.sender = from, .receiver = to, .name = name,
                            .name_len = strlen(name), .outcome = outcome,
                            .activity = activity, .id = "m", .payload = payload,
                            .payload_len = payload ? strlen(payload) : 0};
}

static const json_t *edge_by_id(const json_t *snap, const char *id)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(snap, "edges"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "id")), id) == 0) {
            return e;
        }
    }
    return NULL;
}

static void test_edges_from_routes(void)
{
    exo_dashstate_t *ds = exo_dashstate_new(app, NULL, 0, 0);
    json_t *snap = exo_dashstate_snapshot(ds);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(snap, "edges")), 2);
    const json_t *plain = edge_by_id(snap, "web>users>users.list");
    const json_t *tr = edge_by_id(snap, "web>db>users.list");
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
    CU_ASSERT_TRUE(json_is_null(json_object_get(plain, "internal_name")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(tr, "internal_name")), "db.query");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(tr, "delivered")), 0);
    /* no edge for shop.buy: nobody receives it (until it is sent) */
    CU_ASSERT_PTR_NULL(edge_by_id(snap, "web>exo>shop.buy"));
    json_t *sends = json_object_get(json_object_get(snap, "roles_can_send"), "web");
    CU_ASSERT_EQUAL(json_array_size(sends), 2);
    json_decref(snap);
    exo_dashstate_free(&ds);
}

/* Counted as the broker counts: per receiving role, undeclared ones on SENDER>exo>NAME. */
static void test_counters(void)
{
    exo_dashstate_t *ds = exo_dashstate_new(app, NULL, 0, 0);
    exo_dash_msg_t m1 = msg("web", "users", "users.list", "delivered", "a1", NULL);
    exo_dash_msg_t m2 = msg("web", "db", "users.list", "no-receiver", "a1", NULL);
    m2.internal_name = "db.query";
    exo_dash_msg_t m3 = msg("web", NULL, "shop.buy", "no-receiver", "a2", NULL);
    exo_dash_msg_t m4 = msg("users", NULL, "users.list", "denied", "a3", NULL);
    exo_dash_msg_t m5 = msg("web", "users", "users.list", "dropped", "a4", NULL);
    exo_dashstate_message(ds, &m1, 1);
    exo_dashstate_message(ds, &m1, 2);
    exo_dashstate_message(ds, &m2, 3);
    exo_dashstate_message(ds, &m3, 4);
    exo_dashstate_message(ds, &m4, 5);
    exo_dashstate_message(ds, &m5, 6);
    unsigned long long n[4];
    CU_ASSERT_TRUE_FATAL(exo_dashstate_edge_counts(ds, "web", "users", "users.list", n));
    CU_ASSERT_EQUAL(n[0], 2);
    CU_ASSERT_EQUAL(n[3], 1);
    CU_ASSERT_TRUE_FATAL(exo_dashstate_edge_counts(ds, "web", "db", "users.list", n));
    CU_ASSERT_EQUAL(n[2], 1);
    CU_ASSERT_TRUE_FATAL(exo_dashstate_edge_counts(ds, "web", "exo", "shop.buy", n));
    CU_ASSERT_EQUAL(n[2], 1);
    CU_ASSERT_TRUE_FATAL(exo_dashstate_edge_counts(ds, "users", "exo", "users.list", n));
    CU_ASSERT_EQUAL(n[1], 1);
    /* the push carries the changed edges and the recent messages, newest last */
    json_t *flow = exo_dashstate_push_flow(ds, 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(flow);
    const json_t *edges = json_object_get(flow, "edges");
    CU_ASSERT_EQUAL(json_object_size(edges), 4);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(edges,
                    "users>exo>users.list"), "denied")), 1);
    const json_t *recent = json_object_get(flow, "recent");
    CU_ASSERT_EQUAL(json_array_size(recent), 6);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(recent, 5), "seq")), 6);
    json_decref(flow);
    CU_ASSERT_PTR_NULL(exo_dashstate_push_flow(ds, 8)); /* nothing new */
    exo_dashstate_free(&ds);
}

/* A role sending made-up names grows the map by a bounded number of edges. */
static void test_seen_edges_bounded(void)
{
    exo_dashstate_t *ds = exo_dashstate_new(app, NULL, 0, 0);
    for (unsigned i = 0; i < EXO_DASH_SEEN_EDGES + 50; i++) {
        char name[32];
        snprintf(name, sizeof name, "made.up%u", i);
        exo_dash_msg_t m = msg("web", NULL, name, "denied", "a", NULL);
        exo_dashstate_message(ds, &m, i);
    }
    json_t *snap = exo_dashstate_snapshot(ds);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(snap, "edges")), 2 + EXO_DASH_SEEN_EDGES + 1);
    const json_t *other = edge_by_id(snap, "web>exo>" EXO_DASH_OTHER_NAMES);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(other, "denied")), 50);
    json_decref(snap);
    exo_dashstate_free(&ds);
}

static void test_activity_order(void)
{
    exo_dashstate_t *ds = exo_dashstate_new(app, NULL, 0, 0);
    const char *acts[] = {"A", "B", "A", "B", "A"};
    const char *froms[] = {"web", "web", "users", "web", "web"};
    for (size_t i = 0; i < 5; i++) {
        exo_dash_msg_t m = msg(froms[i], "users", "users.list", "delivered", acts[i], NULL);
        exo_dashstate_message(ds, &m, (long long)i);
    }
    json_t *a = exo_dashstate_activity(ds, "A");
    const json_t *list = json_object_get(a, "messages");
    CU_ASSERT_EQUAL_FATAL(json_array_size(list), 3);
    long long seqs[] = {1, 3, 5};
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(list, i), "seq")),
                        seqs[i]);
    }
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(list, 1),
                                                             "sender")), "users");
    /* no payload in a message's summary, only its size */
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(list, 0), "payload"));
    json_decref(a);
    a = exo_dashstate_activity(ds, "none");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "messages")), 0);
    json_decref(a);
    exo_dashstate_free(&ds);
}

static void test_bounds(void)
{
    exo_dashstate_t *ds = exo_dashstate_new(app, NULL, 10, 8);
    for (int i = 0; i < 25; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        exo_dashstate_line(ds, "web", "stdout", line, strlen(line), i);
    }
    CU_ASSERT_EQUAL(exo_dashstate_lines(ds), 10);
    json_t *logs = exo_dashstate_push_logs(ds);
    const json_t *lines = json_object_get(logs, "lines");
    CU_ASSERT_EQUAL(json_array_size(lines), 10);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(logs, "skipped")), 15);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(lines, 9), "text")),
                           "line 24");
    json_decref(logs);
    CU_ASSERT_PTR_NULL(exo_dashstate_push_logs(ds));
    for (int i = 0; i < 20; i++) {
        exo_dash_msg_t m = msg("web", "users", "users.list", "delivered", "x", "{}");
        exo_dashstate_message(ds, &m, i);
    }
    CU_ASSERT_EQUAL(exo_dashstate_messages(ds), 8);
    CU_ASSERT_PTR_NULL(exo_dashstate_payload(ds, 12)); /* evicted */
    json_t *p = exo_dashstate_payload(ds, 13);
    CU_ASSERT_PTR_NOT_NULL(p);
    json_decref(p);
    CU_ASSERT_PTR_NULL(exo_dashstate_payload(ds, 21)); /* not yet */
    json_t *snap = exo_dashstate_snapshot(ds);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(snap, "recent")), 8);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(snap, "logs")), 10);
    json_decref(snap);
    exo_dashstate_free(&ds);
}

static void test_payload_masked(void)
{
    exo_masker_t *mk = exo_masker_new();
    exo_masker_add(mk, "hunter2secret");
    exo_dashstate_t *ds = exo_dashstate_new(app, mk, 0, 0);
    exo_dash_msg_t m = msg("web", "users", "users.list", "delivered", "a",
                           "{\"password\":\"hunter2secret\"}");
    exo_dashstate_message(ds, &m, 1);
    /* a payload over the bound, with a secret across the cut */
    size_t big = EXO_DASH_PAYLOAD_MAX + 100;
    char *text = exo_xcalloc(big + 1, 1);
    memset(text, 'x', big);
    memcpy(text + EXO_DASH_PAYLOAD_MAX - 6, "hunter2secret", 13);
    exo_dash_msg_t m2 = msg("web", "users", "users.list", "delivered", "a", text);
    exo_dashstate_message(ds, &m2, 2);
    json_t *p = exo_dashstate_payload(ds, 1);
    const char *shown = json_string_value(json_object_get(p, "payload"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(shown);
    CU_ASSERT_PTR_NULL(strstr(shown, "hunter2"));
    CU_ASSERT_FALSE(json_is_true(json_object_get(p, "truncated")));
    json_decref(p);
    p = exo_dashstate_payload(ds, 2);
    shown = json_string_value(json_object_get(p, "payload"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(shown);
    CU_ASSERT_TRUE(json_is_true(json_object_get(p, "truncated")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(p, "size")), (json_int_t)big);
    CU_ASSERT_TRUE(strlen(shown) <= EXO_DASH_PAYLOAD_MAX);
    CU_ASSERT_PTR_NULL(strstr(shown, "hunte")); /* not even the secret's start */
    json_decref(p);
    free(text);
    exo_dashstate_free(&ds);
    exo_masker_destroy(&mk);
}

static void test_units(void)
{
    exo_dashstate_t *ds = exo_dashstate_new(app, NULL, 0, 0);
    exo_dashstate_set_colour(ds, "web", 36);
    exo_dashstate_unit(ds, "web", "service", "process", 1234, NULL);
    exo_dashstate_unit_state(ds, "web", "starting", false, -1, 0, 100);
    exo_dashstate_unit_state(ds, "web", "ready", false, -1, 0, 150);
    json_t *u = exo_dashstate_push_units(ds);
    const json_t *web = json_array_get(json_object_get(u, "units"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(web, "state")), "ready");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(web, "pid")), 1234);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(web, "ready_at")), 150);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(web, "color")), 36);
    json_decref(u);
    CU_ASSERT_PTR_NULL(exo_dashstate_push_units(ds)); /* nothing changed */
    exo_dashstate_unit_state(ds, "web", "restarting", true, -1, 9, 200);
    exo_dashstate_unit_state(ds, "web", "restarting", true, 3, 0, 300);
    u = exo_dashstate_push_units(ds);
    web = json_array_get(json_object_get(u, "units"), 0);
    const json_t *r = json_object_get(web, "restarts");
    CU_ASSERT_EQUAL_FATAL(json_array_size(r), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "signal")),
                           "SIGKILL");
    CU_ASSERT_TRUE(json_is_null(json_object_get(json_array_get(r, 0), "exit_code")));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 1), "exit_code")), 3);
    json_decref(u);
    for (int i = 0; i < 30; i++) {
        exo_dashstate_unit_state(ds, "web", "restarting", true, i, 0, 400 + i);
    }
    u = exo_dashstate_push_units(ds);
    r = json_object_get(json_array_get(json_object_get(u, "units"), 0), "restarts");
    CU_ASSERT_EQUAL(json_array_size(r), EXO_DASH_RESTARTS);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, EXO_DASH_RESTARTS - 1),
                                                       "exit_code")), 29);
    json_decref(u);
    exo_dashstate_free(&ds);
}

static const exo_test_t tests[] = {
    {"edges come from the app's routes, translations shown", test_edges_from_routes},
    {"counters per edge as the broker counts", test_counters},
    {"edges made on first sight are bounded", test_seen_edges_bounded},
    {"an activity's messages in order", test_activity_order},
    {"lines and messages are bounded", test_bounds},
    {"payloads are masked and cut without a secret's start", test_payload_masked},
    {"units: state, times, restarts; pushes only changes", test_units},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("dashstate", tests, setup, teardown)
