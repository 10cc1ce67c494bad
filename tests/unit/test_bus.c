/* tests/unit/test_bus.c - core/bus/bus.c: trace lines, the embedded broker's bus.json lifecycle
 * and finding a running broker (with the real zmq plugin from EXO_PLUGIN_PATH), the transport
 * chosen by name and a unit's bus variables (fixture transports). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/bus.h"
#include "bus/busclient.h"
#include "base/util.h"
#include "../support/cunit_main.h"
#include "../support/test_app.h"

static void check_line(const char *event, const char *want)
{
    json_t *ev = json_loads(event, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    char *line = exo_bus_trace_line(ev);
    if (want == NULL) {
        CU_ASSERT_PTR_NULL(line);
    } else {
        CU_ASSERT_PTR_NOT_NULL_FATAL(line);
        CU_ASSERT_STRING_EQUAL(line, want);
    }
    free(line);
    json_decref(ev);
}

static void test_trace_lines(void)
{
    check_line("{\"event\":\"message\",\"sender\":\"web\",\"receiver\":\"users\",\"name\":"
               "\"users.list\",\"outcome\":\"delivered\"}", "web  --[ users.list ]->  users");
    check_line("{\"event\":\"message\",\"sender\":\"web\",\"receiver\":\"tweets\",\"name\":"
               "\"tweets create\",\"internal_name\":\"text-snippets create\",\"outcome\":"
               "\"delivered\"}",
               "web  --[ tweets create ]-[ text-snippets create ]->  tweets");
    check_line("{\"event\":\"message\",\"sender\":\"web\",\"receiver\":null,\"name\":\"x\","
               "\"outcome\":\"denied\"}", "web  --[ x ]->  (denied)");
    check_line("{\"event\":\"message\",\"sender\":\"web\",\"receiver\":\"mailer\",\"name\":"
               "\"ping\",\"outcome\":\"no-receiver\"}", "web  --[ ping ]->  mailer  (no-receiver)");
    check_line("{\"event\":\"register\",\"role\":\"users\",\"instance\":3,\"label\":\"h:1\"}",
               "users online (instance 3, h:1)");
    check_line("{\"event\":\"register\",\"role\":\"users\",\"instance\":3,\"label\":\"h:1\","
               "\"credential\":\"role\"}", "users online (instance 3, h:1)");
    /* A registration with the user token (exo send --as, by hand) is said to be one. */
    check_line("{\"event\":\"register\",\"role\":\"web\",\"instance\":4,\"label\":\"x\","
               "\"credential\":\"user\"}", "web online (instance 4, x, user token)");
    check_line("{\"event\":\"unregister\",\"role\":\"users\",\"instance\":3,\"reason\":\"bye\"}",
               "users offline (instance 3, bye)");
    check_line("{\"event\":\"error\",\"sender\":\"web\",\"error\":\"malformed\",\"message\":"
               "\"bad\"}", "web  (malformed: bad)");
    check_line("{\"event\":\"other\"}", NULL);
}

/* The plain-fields form exo bus and exo run use: the name is a slice of the wire frame, and
 * one buffer is reused line after line. */
static void test_trace_format(void)
{
    const char *wire = "users.listXYZ";
    exo_bus_trace_t t = {.size = sizeof t, .event = "message", .sender = "web", .name = wire,
                         .name_len = 10, .receiver = "users", .outcome = "delivered"};
    exo_buf_t b = {0};
    CU_ASSERT_TRUE(exo_bus_trace_format(&t, &b));
    CU_ASSERT_STRING_EQUAL(b.data, "web  --[ users.list ]->  users");
    b.len = 0;
    t.outcome = "dropped";
    t.internal_name = "people.list";
    CU_ASSERT_TRUE(exo_bus_trace_format(&t, &b));
    CU_ASSERT_STRING_EQUAL(b.data, "web  --[ users.list ]-[ people.list ]->  users  (dropped)");
    b.len = 0;
    exo_bus_trace_t r = {.size = sizeof r, .event = "unregister", .role = "users",
                         .instance = 18446744073709551615ull, .reason = "timeout"};
    CU_ASSERT_TRUE(exo_bus_trace_format(&r, &b));
    CU_ASSERT_STRING_EQUAL(b.data, "users offline (instance 18446744073709551615, timeout)");
    b.len = 0;
    r.event = "other";
    CU_ASSERT_FALSE(exo_bus_trace_format(&r, &b));
    CU_ASSERT_EQUAL(b.len, 0);
    /* A message the broker logged already (transport ABI 1.4) has no line of its own. */
    t.outcome = "denied";
    t.logged = 1;
    CU_ASSERT_FALSE(exo_bus_trace_format(&t, &b));
    CU_ASSERT_EQUAL(b.len, 0);
    exo_buf_free(&b);
}

static char *make_app(void)
{
    char tmpl[] = "/tmp/exo-test-bus.XXXXXX";
    char *dir = exo_xstrdup(mkdtemp(tmpl));
    char *p = exo_path_join(dir, "web");
    exo_mkdir_p(p, 0755);
    free(p);
    const char *app = "name: busapp\nservices:\n  web:\n    location: ./web\n";
    const char *svc = "startup:\n  command: ./web\nmessages:\n  sends: [a]\n  receives: [a]\n";
    p = exo_path_join(dir, "application.yml");
    exo_write_file_atomic(p, app, strlen(app));
    free(p);
    p = exo_path_join(dir, "web/service.yml");
    exo_write_file_atomic(p, svc, strlen(svc));
    free(p);
    return dir;
}

static void test_start_find_stop(void)
{
    if (getenv("EXO_PLUGIN_PATH") == NULL) {
        setenv("EXO_PLUGIN_PATH", EXO_TEST_PLUGIN_DIR, 1);
    }
    char *dir = make_app();
    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_app_t *app = exo_app_load(dir, &diag);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    exo_error_t err = {0};
    char *ep = NULL, *ctl = NULL, *token = NULL;
    CU_ASSERT_EQUAL(exo_bus_find(app, &ep, &ctl, &token, &err), EXO_ERR_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no exo run or exo bus is running for app "
                                  "busapp; start one with"));
    exo_loop_t *loop = exo_loop_new();
    exo_registry_t *reg = exo_registry_load(dir, loop);
    exo_bus_t *bus = exo_bus_start(app, reg, loop, "tcp://127.0.0.1:0", NULL, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bus);
    CU_ASSERT(strncmp(exo_bus_endpoint(bus), "tcp://127.0.0.1:", 16) == 0);
    CU_ASSERT(strcmp(exo_bus_endpoint(bus), "tcp://127.0.0.1:0") != 0);
    CU_ASSERT_EQUAL(exo_bus_find(app, &ep, &ctl, &token, &err), 0);
    CU_ASSERT_STRING_EQUAL(ep, exo_bus_endpoint(bus));
    CU_ASSERT_STRING_EQUAL(ctl, exo_bus_control_endpoint(bus));
    /* The run's user token: 64 hex digits, in bus.json only (mode 0600, checked below). */
    CU_ASSERT_PTR_NOT_NULL_FATAL(token);
    CU_ASSERT_EQUAL(strlen(token), 64);
    free(ep);
    free(ctl);
    free(token);
    char *file = exo_strdupf("%s/.exo/bus.json", dir);
    json_t *j = json_load_file(file, 0, NULL);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "pid")), getpid());
    json_decref(j);
    json_t *st = exo_bus_stats(bus);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(st, "roles"), "web"));
    json_decref(st);
    /* a stale file of a dead process does not count as a running broker */
    exo_bus_stop(&bus);
    CU_ASSERT_PTR_NULL(bus);
    CU_ASSERT_FALSE(exo_path_is_file(file));
    const char *stale = "{\"endpoint\":\"tcp://127.0.0.1:1\",\"control\":\"tcp://127.0.0.1:2\","
                        "\"pid\":999999999}";
    exo_write_file_atomic(file, stale, strlen(stale));
    CU_ASSERT_EQUAL(exo_bus_find(app, &ep, &ctl, NULL, &err), EXO_ERR_UNAVAILABLE);
    bus = exo_bus_start(app, reg, loop, NULL, NULL, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(bus);
    exo_bus_stop(&bus);
    /* a bad endpoint is refused with a message */
    CU_ASSERT_PTR_NULL(exo_bus_start(app, reg, loop, "bogus://x", NULL, NULL, NULL, &err));
    CU_ASSERT(err.code < 0);
    free(file);
    exo_registry_destroy(&reg);
    exo_loop_destroy(&loop);
    exo_app_destroy(&app);
    exo_diag_free(&diag);
    exo_rm_rf(dir);
    free(dir);
}

/* ---- the broker's trace (transport ABI 1.4) and transient clients, in process ---- */

/* What on_trace saw of the messages named "a" and "b" (copied: the trace is borrowed). */
typedef struct seen {
    int a, b;
    char activity[EXO_BUS_ACTIVITY_MAX + 1], id[EXO_BUS_ACTIVITY_MAX + 1];
    char payload[64];
    size_t payload_len;
    char outcome_a[16], outcome_b[16], activity_b[EXO_BUS_ACTIVITY_MAX + 1];
    int logged_a, logged_b;
    int got_full, got_transient;
} seen_t;

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "(null)");
}

static void seen_trace(void *arg, const exo_bus_trace_t *t)
{
    seen_t *s = arg;
    if (t == NULL || strcmp(t->event, "message") != 0 || t->name_len != 1) {
        return;
    }
    CU_ASSERT_FATAL(EXO_HAS(t, exo_bus_trace_t, logged));
    if (t->name[0] == 'a' && s->a++ == 0) {
        copy_str(s->activity, sizeof s->activity, t->activity);
        copy_str(s->id, sizeof s->id, t->id);
        copy_str(s->outcome_a, sizeof s->outcome_a, t->outcome);
        s->payload_len = t->payload_len;
        if (t->payload != NULL && t->payload_len < sizeof s->payload) {
            memcpy(s->payload, t->payload, t->payload_len); /* not NUL-terminated */
        }
        s->logged_a = t->logged;
    } else if (t->name[0] == 'b' && s->b++ == 0) {
        copy_str(s->outcome_b, sizeof s->outcome_b, t->outcome);
        copy_str(s->activity_b, sizeof s->activity_b, t->activity);
        s->logged_b = t->logged;
        CU_ASSERT_PTR_NULL(t->payload);
        CU_ASSERT_EQUAL(t->payload_len, 0);
    }
}

static void got_full(void *arg, const exo_bus_msg_t *m)
{
    ((seen_t *)arg)->got_full += strcmp(m->name, "a") == 0;
}

static void got_transient(void *arg, const exo_bus_msg_t *m)
{
    ((seen_t *)arg)->got_transient += strcmp(m->name, "a") == 0;
}

/* Run @p loop until *@p count reaches @p want or 10 s pass. */
static void run_until(exo_loop_t *loop, const int *count, int want)
{
    for (int i = 0; i < 1000 && *count < want; i++) {
        exo_loop_once(loop, 10);
    }
}

static bool all_online(exo_busclient_t *const *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!exo_busclient_online(c[i])) {
            return false;
        }
    }
    return true;
}

/* web sends a (received by users) and nothing else. */
static exo_app_t *two_role_app(char **dir_out)
{
    exo_app_t *app = exo_test_app_load(
        "name: traceapp\nservices:\n  web:\n    location: ./web\n"
        "  users:\n    location: ./users\n",
        "web", "startup:\n  command: ./web\nmessages:\n  sends: [a]\n", dir_out);
    exo_app_destroy(&app);
    char *p = exo_path_join(*dir_out, "users");
    exo_mkdir_p(p, 0755);
    char *file = exo_path_join(p, "service.yml");
    const char *svc = "startup:\n  command: ./users\nmessages:\n  receives: [a]\n";
    exo_write_file_atomic(file, svc, strlen(svc));
    free(file);
    free(p);
    exo_diag_t diag;
    exo_diag_init(&diag);
    app = exo_app_load(*dir_out, &diag);
    exo_diag_free(&diag);
    return app;
}

static void test_trace_carries_the_message(void)
{
    if (getenv("EXO_PLUGIN_PATH") == NULL) {
        setenv("EXO_PLUGIN_PATH", EXO_TEST_PLUGIN_DIR, 1);
    }
    char *dir;
    exo_app_t *app = two_role_app(&dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    exo_loop_t *loop = exo_loop_new();
    exo_registry_t *reg = exo_registry_load(dir, loop);
    exo_error_t err = {0};
    seen_t s = {0};
    exo_bus_t *bus = exo_bus_start(app, reg, loop, NULL, NULL, seen_trace, &s, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bus);
    char *ep = NULL, *ctl = NULL, *token = NULL;
    CU_ASSERT_EQUAL_FATAL(exo_bus_find(app, &ep, &ctl, &token, &err), 0);
    const exo_plugin_t *tp = exo_bus_transport(app, reg, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tp);
    exo_busclient_t *c[3] = {
        exo_busclient_open(tp, ep, "web", token, "sender", &err),
        exo_busclient_open(tp, ep, "users", token, "full", &err),
        exo_busclient_open_transient(tp, ep, "users", token, "transient", &err),
    };
    CU_ASSERT_FATAL(c[0] != NULL && c[1] != NULL && c[2] != NULL);
    exo_busclient_set_handler(c[1], &(exo_busclient_handler_t){.on_message = got_full,
                                                                .arg = &s});
    exo_busclient_set_handler(c[2], &(exo_busclient_handler_t){.on_message = got_transient,
                                                                .arg = &s});
    for (int i = 0; i < 1000 && !all_online(c, 3); i++) {
        exo_loop_once(loop, 10);
    }
    CU_ASSERT_FATAL(all_online(c, 3));

    /* Six messages to users: the transient instance takes no share of them. */
    char activity[EXO_BUS_ACTIVITY_MAX + 1] = "";
    CU_ASSERT_EQUAL(exo_busclient_post(c[0], "a", "{\"n\":1}", 7, NULL, NULL, activity, &err),
                    0);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(exo_busclient_post(c[0], "a", "{}", 2, NULL, NULL, NULL, &err), 0);
    }
    /* web may not send b: denied, and logged by the broker. */
    CU_ASSERT_EQUAL(exo_busclient_post(c[0], "b", NULL, 0, NULL, NULL, NULL, &err), 0);
    run_until(loop, &s.got_full, 6);
    run_until(loop, &s.b, 1);
    CU_ASSERT_EQUAL(s.got_full, 6);
    CU_ASSERT_EQUAL(s.got_transient, 0);
    CU_ASSERT_EQUAL(s.a, 6);
    CU_ASSERT_STRING_EQUAL(s.outcome_a, "delivered");
    CU_ASSERT_STRING_EQUAL(s.activity, activity);
    CU_ASSERT(strlen(s.id) > 0 && strcmp(s.id, "(null)") != 0);
    CU_ASSERT_EQUAL(s.payload_len, 7);
    CU_ASSERT(memcmp(s.payload, "{\"n\":1}", 7) == 0);
    CU_ASSERT_EQUAL(s.logged_a, 0);
    CU_ASSERT_EQUAL(s.b, 1);
    CU_ASSERT_STRING_EQUAL(s.outcome_b, "denied");
    CU_ASSERT(strlen(s.activity_b) > 0 && strcmp(s.activity_b, "(null)") != 0);
    CU_ASSERT_EQUAL(s.logged_b, 1);

    for (size_t i = 0; i < 3; i++) {
        exo_busclient_close(&c[i]);
    }
    free(ep);
    free(ctl);
    free(token);
    exo_bus_stop(&bus);
    exo_registry_destroy(&reg);
    exo_loop_destroy(&loop);
    exo_test_app_drop(app, dir);
}

/* An app whose application.yml has @p bus as its bus: section, loaded. */
static exo_app_t *app_with_bus(const char *bus, char **dir_out)
{
    char *app_yml = exo_strdupf("name: busapp\nbus:\n%sservices:\n  web:\n"
                                "    location: ./web\n", bus);
    exo_app_t *app = exo_test_app_load(app_yml, "web", "startup:\n  command: ./web\n", dir_out);
    free(app_yml);
    return app;
}

static void drop(exo_app_t *app, exo_registry_t *reg, char *dir)
{
    exo_registry_destroy(&reg);
    exo_test_app_drop(app, dir);
}

static void test_bus_env_from_the_transport(void)
{
    char *saved = getenv("EXO_PLUGIN_PATH") ? exo_xstrdup(getenv("EXO_PLUGIN_PATH")) : NULL;
    setenv("EXO_PLUGIN_PATH", EXO_TEST_BUS_FIXTURES, 1);
    char *dir;
    exo_app_t *app = app_with_bus("  transport: envbus\n  listen: tcp://127.0.0.1:7\n", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    exo_registry_t *reg = exo_registry_load(dir, NULL);
    exo_error_t err = {0};
    const exo_plugin_t *p = exo_bus_transport(app, reg, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p->name, "envbus");

    /* What the core passes: the unit's host, the build flag, no broker, the bus: section. */
    exo_env_t *env = exo_env_new();
    CU_ASSERT_EQUAL(
        exo_bus_emit_env(app, reg, NULL, NULL, "10.1.1.1", EXO_BUS_ENV_BUILD, env, &err), 0);
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_HOST")->value, "10.1.1.1");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_HOST")->origin, "transport envbus");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_BUILD")->value, "yes");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_BROKER")->value, "none");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_LISTEN")->value, "tcp://127.0.0.1:7");
    exo_env_destroy(&env);
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_bus_emit_env(app, reg, NULL, "web", NULL, 0, env, &err), 0);
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_HOST")->value, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_BUILD")->value, "no");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "ENVBUS_ROLE")->value, "web");
    exo_env_destroy(&env);
    drop(app, reg, dir);

    /* A transport without emit_env (before ABI 1.2): EXO_BUS_ENDPOINT and nothing else. */
    app = app_with_bus("  transport: keybus\n  listen: tcp://127.0.0.1:8\n", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    reg = exo_registry_load(dir, NULL);
    env = exo_env_new();
    CU_ASSERT_EQUAL(
        exo_bus_emit_env(app, reg, NULL, NULL, "10.1.1.1", EXO_BUS_ENV_BUILD, env, &err), 0);
    CU_ASSERT_EQUAL(env->n, 1);
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "EXO_BUS_ENDPOINT")->value, "tcp://127.0.0.1:8");
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "EXO_BUS_ENDPOINT")->origin, "transport keybus");
    exo_env_destroy(&env);
    drop(app, reg, dir);

    /* A transport that is not there: named in the error; no variables, no failure for env. */
    app = app_with_bus("  transport: nope\n", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    reg = exo_registry_load(dir, NULL);
    CU_ASSERT_PTR_NULL(exo_bus_transport(app, reg, &err));
    CU_ASSERT_EQUAL(err.code, EXO_ERR_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'nope'"));
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_bus_emit_env(app, reg, NULL, "web", NULL, 0, env, &err), 0);
    CU_ASSERT_EQUAL(env->n, 0);
    exo_env_destroy(&env);
    drop(app, reg, dir);

    if (saved != NULL) {
        setenv("EXO_PLUGIN_PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("EXO_PLUGIN_PATH");
    }
}

static const exo_test_t tests[] = {
    {"trace lines", test_trace_lines},
    {"trace lines from plain fields", test_trace_format},
    {"start, find, stop", test_start_find_stop},
    {"the trace carries activity, id and payload; denials are traced as logged; a transient "
     "client takes no share", test_trace_carries_the_message},
    {"a unit's bus variables come from the transport named in bus:",
     test_bus_env_from_the_transport},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("bus", tests, NULL, NULL)
