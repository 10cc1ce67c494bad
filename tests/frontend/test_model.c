/* tests/frontend/test_model.c - application.yml frontends: into the app model (a role of
 * app->services with its exo_frontend_t), its defaults, the routing table, a frontend's unit
 * spec and environment. The diagnostics at file:line:column are tests/frontend/check.sh's. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/app.h"
#include "base/util.h"
#include "run/unitenv.h"
#include "run/unitspec.h"
#include "../support/cunit_main.h"
#include "../support/test_app.h"

#define SVC_YML "startup: {command: ./run}\n" \
                "messages: {receives: [todo.create, session.check], sends: [todo.created]}\n"

#define APP_YML "name: shop\n" \
                "services:\n" \
                "  todos: {location: todos}\n" \
                "frontends:\n" \
                "  web:\n" \
                "    type: websocket\n" \
                "    public: {port: 3000, bind: 0.0.0.0}\n" \
                "    sends: [todo.create, session.check]\n" \
                "    receives: [todo.created, session.user]\n" \
                "    depends-on: [todos]\n" \
                "    auth: {ask: session.check}\n" \
                "    rate: 20\n" \
                "    request-timeout: 2s\n" \
                "    max-message-size: 16KiB\n" \
                "    static: web/public\n" \
                "    origins: [http://example.test]\n" \
                "  api:\n" \
                "    type: http\n" \
                "    translations: [{public: todo.create, internal: create}]\n" \
                "    sends: [create]\n"

static void test_frontend_fields(void)
{
    char *dir;
    exo_app_t *app = exo_test_app_load(APP_YML, "todos", SVC_YML, &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_EQUAL(app->n_services, 3); /* one namespace: services, then frontends */
    CU_ASSERT_EQUAL(app->n_frontends, 2);
    CU_ASSERT_PTR_NULL(app->services[0].frontend);
    const exo_service_t *web = exo_app_service(app, "web");
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    CU_ASSERT_PTR_EQUAL(web, &app->services[1]);
    const exo_frontend_t *f = web->frontend;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->type, "websocket");
    CU_ASSERT_EQUAL(f->auth, EXO_FRONTEND_AUTH_ASK);
    CU_ASSERT_STRING_EQUAL(f->auth_ask, "session.check");
    CU_ASSERT_EQUAL(f->rate, 20);
    CU_ASSERT_EQUAL(f->request_timeout_ms, 2000);
    CU_ASSERT_EQUAL(f->max_message_size, 16 * 1024);
    /* the plugin gets the whole block, its own keys among the core's */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f->config, "static")),
                           "web/public");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f->config, "type")), "websocket");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(f->config, "origins")), 1);
    /* the role's bus contract, dependencies and endpoint are a service's */
    CU_ASSERT_EQUAL_FATAL(web->n_sends, 2);
    CU_ASSERT_STRING_EQUAL(web->sends[0], "todo.create");
    CU_ASSERT_EQUAL(web->sends_pos[0].line, 8);
    CU_ASSERT_STRING_EQUAL(web->receives[1], "session.user");
    CU_ASSERT_STRING_EQUAL(web->depends_on[0], "todos");
    CU_ASSERT_EQUAL(web->public_endpoint.port, 3000);
    CU_ASSERT_STRING_EQUAL(web->public_endpoint.bind, "0.0.0.0");
    CU_ASSERT_EQUAL(web->port, 3000);
    /* it runs as exo frontend ROLE in the app's directory, ready by its online line */
    CU_ASSERT_STRING_EQUAL(web->dir, app->dir);
    CU_ASSERT_STRING_EQUAL(web->file, app->file);
    CU_ASSERT_STRING_EQUAL(web->online_text, "web online");
    CU_ASSERT_EQUAL(web->ready, EXO_READY_ONLINE_TEXT);
    CU_ASSERT_EQUAL(web->instances, 1);
    CU_ASSERT_PTR_NULL(web->startup_command);
    CU_ASSERT_PTR_NULL(web->setup);
    CU_ASSERT_PTR_NULL(web->test);
    const exo_service_t *api = exo_app_service(app, "api");
    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    CU_ASSERT_EQUAL(api->n_translations, 1);
    exo_test_app_drop(app, dir);
}

static void test_frontend_defaults(void)
{
    char *dir;
    exo_app_t *app = exo_test_app_load("name: t\nfrontends:\n  web: {type: http}\n", "unused",
                                       "", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    const exo_frontend_t *f = app->services[0].frontend;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->auth, EXO_FRONTEND_AUTH_NONE);
    CU_ASSERT_PTR_NULL(f->auth_ask);
    CU_ASSERT_EQUAL(f->rate, 100);
    CU_ASSERT_EQUAL(f->request_timeout_ms, 10000);
    CU_ASSERT_EQUAL(f->max_message_size, 64 * 1024);
    CU_ASSERT_EQUAL(app->services[0].port, 0); /* private: exo picks one per run */
    exo_test_app_drop(app, dir);
    /* the default never goes over the bus's limit */
    app = exo_test_app_load("name: t\nbus: {max-message-size: 8KiB}\n"
                            "frontends:\n  web: {type: http, auth: none}\n",
                            "unused", "", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_EQUAL(app->services[0].frontend->max_message_size, 8 * 1024);
    CU_ASSERT_EQUAL(app->services[0].frontend->auth, EXO_FRONTEND_AUTH_NONE);
    exo_test_app_drop(app, dir);
}

static void test_routes_have_frontends(void)
{
    char *dir;
    exo_app_t *app = exo_test_app_load(APP_YML, "todos", SVC_YML, &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    json_t *routes = exo_app_routes(app);
    json_t *want = json_loads(
        "{\"roles\": {"
        " \"todos\": {\"sends\": [\"todo.created\"],"
        "             \"receives\": [\"todo.create\", \"session.check\"], \"translations\": []},"
        " \"web\": {\"sends\": [\"todo.create\", \"session.check\"],"
        "           \"receives\": [\"todo.created\", \"session.user\"],"
        "           \"translations\": []},"
        " \"api\": {\"sends\": [\"create\"], \"receives\": [],"
        "           \"translations\": [{\"public\": \"todo.create\", \"internal\": \"create\"}]}"
        "}}", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_TRUE(json_equal(routes, want));
    json_decref(want);
    json_decref(routes);
    exo_test_app_drop(app, dir);
}

static void test_frontend_unit(void)
{
    char *dir;
    exo_app_t *app = exo_test_app_load(APP_YML, "todos", SVC_YML, &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    const exo_service_t *web = exo_app_service(app, "web");
    exo_unit_source_t src = {.role = EXO_UNIT_ROLE_SERVICE, .svc = web};
    exo_unit_place_t place = {.backend = "process", .host_port = 3000, .listen_port = 3000,
                              .publish_address = "0.0.0.0"};
    exo_error_t err = {0};
    exo_unit_spec_t *u = exo_unitspec_build(&src, &place, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    char *self = exo_self_exe();
    char *quoted = exo_shell_quote(self);
    char *want = exo_strdupf("exec %s frontend web", quoted);
    CU_ASSERT_STRING_EQUAL(u->command, want);
    CU_ASSERT_STRING_EQUAL(u->dir, app->dir);
    CU_ASSERT_EQUAL(u->mode, EXO_UNIT_SERVICE);
    CU_ASSERT_EQUAL_FATAL(u->n_ports, 1);
    CU_ASSERT_EQUAL(u->ports[0].unit_port, 3000);
    CU_ASSERT_PTR_NULL(u->options);
    exo_unitspec_free(&u);
    free(want);
    free(quoted);
    free(self);
    /* no setup or test of its own */
    src.role = EXO_UNIT_ROLE_SETUP;
    CU_ASSERT_PTR_NULL(exo_unitspec_build(&src, &place, NULL, &err));
    CU_ASSERT_EQUAL(err.code, EXO_ERR_UNSUPPORTED);
    exo_test_app_drop(app, dir);
}

/* The value of @p name in @p env, or NULL. */
static const char *env_value(const exo_env_t *env, const char *name)
{
    const exo_env_var_t *v = exo_env_get(env, name);
    return v != NULL ? v->value : NULL;
}

static void test_frontend_env(void)
{
    char *dir;
    exo_app_t *app = exo_test_app_load(APP_YML, "todos", SVC_YML, &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    unsigned listen[] = {0, 3000, 41234};
    exo_unitenv_ctx_t ctx = {.app = app, .listen_ports = listen, .reach_ports = listen};
    setenv("EXO_PLUGIN_PATH", "/plugins/here", 1);
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, exo_app_service(app, "web"), env, &err), 0);
    CU_ASSERT_STRING_EQUAL(env_value(env, "EXO_FRONTEND_LISTEN"), "0.0.0.0:3000");
    CU_ASSERT_STRING_EQUAL(env_value(env, "EXO_PLUGIN_PATH"), "/plugins/here");
    exo_env_destroy(&env);
    /* a private frontend listens on loopback; services find it like any role with a port */
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, exo_app_service(app, "api"), env, &err), 0);
    CU_ASSERT_STRING_EQUAL(env_value(env, "EXO_FRONTEND_LISTEN"), "127.0.0.1:41234");
    exo_env_destroy(&env);
    env = exo_env_new();
    CU_ASSERT_EQUAL(exo_unitenv_build(&ctx, exo_app_service(app, "todos"), env, &err), 0);
    CU_ASSERT_PTR_NULL(env_value(env, "EXO_FRONTEND_LISTEN"));
    CU_ASSERT_STRING_EQUAL(env_value(env, "API_URL"), "http://127.0.0.1:41234");
    exo_env_destroy(&env);
    unsetenv("EXO_PLUGIN_PATH");
    exo_test_app_drop(app, dir);
}

static const exo_test_t tests[] = {
    {"a frontend's keys into the model", test_frontend_fields},
    {"a frontend's defaults", test_frontend_defaults},
    {"the routing table has the frontends' roles", test_routes_have_frontends},
    {"a frontend's unit: exo frontend ROLE", test_frontend_unit},
    {"a frontend's environment", test_frontend_env},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("frontend model", tests, NULL, NULL)
