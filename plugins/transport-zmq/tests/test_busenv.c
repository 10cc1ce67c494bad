/* tests/test_busenv.c - the zmq transport's emit_env and where its broker binds, through the
 * plugin's ops as the core calls them: the endpoint a unit gets (no broker, a running one,
 * a unit elsewhere), PYTHONPATH, the build variables, their overrides; the declared `listen`,
 * spec->listen and bind_host (a container network's gateway). */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/transport.h>

#include "base/env.h"
#include "base/loop.h"
#include "../../../tests/support/test_host.h"
#include "../../../tests/support/cunit_main.h"

#define UNIT_HOST "host.exo.test"

static exo_loop_t *loop;
static exo_host_t host;
static void *handle;
static const exo_plugin_desc_t *desc;
static const exo_transport_ops_t *ops;

static int env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return exo_env_set(env, name, value, flags);
}

static int setup(void)
{
    const char *dir = getenv("EXO_PLUGIN_PATH");
    char path[4096];
    snprintf(path, sizeof path, "%s/transport_zmq.so", dir ? dir : "plugins/.libs");
    loop = exo_loop_new();
    exo_test_host_init(&host, loop, "test_busenv");
    host.env_set = env_set; /* a real environment, as the core's */
    desc = exo_test_plugin_load(path, &host, &handle);
    if (desc == NULL) {
        return 1;
    }
    ops = desc->ops;
    unsetenv("EXO_PYTHON_DIR");
    unsetenv("EXO_CFLAGS");
    unsetenv("EXO_LIBS");
    unsetenv("PYTHONPATH");
    return 0;
}

static int teardown(void)
{
    exo_loop_destroy(&loop);
    dlclose(handle);
    return 0;
}

/* emit_env into a new env; NULL when it failed. */
static exo_env_t *emit_as(void *inst, const char *config_text, const char *role,
                          const char *unit_host, unsigned flags)
{
    json_t *config = config_text ? json_loads(config_text, 0, NULL) : NULL;
    exo_env_t *env = exo_env_new();
    exo_error_t err = {0};
    int rc = ops->emit_env(&host, inst, config, role, unit_host, flags, env, &err);
    json_decref(config);
    if (rc < 0) {
        fprintf(stderr, "emit_env: %s\n", err.message);
        exo_env_destroy(&env);
    }
    return env;
}

static exo_env_t *emit(void *inst, const char *config_text, const char *unit_host,
                       unsigned flags)
{
    return emit_as(inst, config_text, "web", unit_host, flags);
}

static const char *value(const exo_env_t *env, const char *name)
{
    const exo_env_var_t *v = exo_env_get(env, name);
    return v ? v->value : NULL;
}

static void *open_broker(const char *listen, const char *config_text, const char *bind_host)
{
    json_t *routes = json_loads("{\"roles\": {\"web\": {}}}", 0, NULL);
    json_t *config = config_text ? json_loads(config_text, 0, NULL) : NULL;
    exo_bus_spec_t spec = {.size = sizeof spec, .app = "test", .routes = routes,
                           .listen = listen, .config = config, .bind_host = bind_host};
    void *broker = NULL;
    exo_error_t err = {0};
    if (ops->broker_open(&host, &spec, &broker, &err) < 0) {
        fprintf(stderr, "broker_open: %s\n", err.message);
    }
    json_decref(routes);
    json_decref(config);
    return broker;
}

static bool starts_with(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_declares_listen_in_bus(void)
{
    CU_ASSERT_FATAL(EXO_HAS(desc, exo_plugin_desc_t, config_section));
    CU_ASSERT_STRING_EQUAL(desc->config_section, "bus");
    CU_ASSERT_PTR_NOT_NULL_FATAL(desc->config);
    CU_ASSERT_STRING_EQUAL(desc->config[0].name, "listen");
    CU_ASSERT_EQUAL(desc->config[0].type, EXO_CONFIG_STRING);
    CU_ASSERT_STRING_EQUAL(desc->config[0].default_value, "tcp://127.0.0.1:0");
    /* bus.queue-bytes: bytes queued per slow service (issue 18) */
    CU_ASSERT_STRING_EQUAL(desc->config[1].name, "queue-bytes");
    CU_ASSERT_EQUAL(desc->config[1].type, EXO_CONFIG_SIZE);
    CU_ASSERT_STRING_EQUAL(desc->config[1].default_value, "8m");
    CU_ASSERT_PTR_NULL(desc->config[2].name);
    CU_ASSERT_FATAL(EXO_HAS(ops, exo_transport_ops_t, emit_env));
    CU_ASSERT_PTR_NOT_NULL(ops->emit_env);
}

static void test_without_broker_the_configured_endpoint(void)
{
    exo_env_t *env = emit(NULL, NULL, "127.0.0.1", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_BUS_ENDPOINT"), "tcp://127.0.0.1:0");
    CU_ASSERT_STRING_EQUAL(value(env, "PYTHONPATH"), EXO_TEST_PYTHONDIR);
    CU_ASSERT_PTR_NULL(value(env, "EXO_CFLAGS"));
    CU_ASSERT_PTR_NULL(value(env, "EXO_LIBS"));
    exo_env_destroy(&env);

    env = emit(NULL, "{\"listen\": \"tcp://127.0.0.1:7400\"}", UNIT_HOST, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_BUS_ENDPOINT"), "tcp://127.0.0.1:7400");
    exo_env_destroy(&env);
}

static void test_pythonpath_puts_the_client_first(void)
{
    setenv("PYTHONPATH", "/a:/b", 1);
    exo_env_t *env = emit(NULL, NULL, NULL, 0);
    CU_ASSERT_STRING_EQUAL(value(env, "PYTHONPATH"), EXO_TEST_PYTHONDIR ":/a:/b");
    exo_env_destroy(&env);
    setenv("EXO_PYTHON_DIR", "/src/python", 1);
    env = emit(NULL, NULL, NULL, 0);
    CU_ASSERT_STRING_EQUAL(value(env, "PYTHONPATH"), "/src/python:/a:/b");
    exo_env_destroy(&env);
    unsetenv("EXO_PYTHON_DIR");
    unsetenv("PYTHONPATH");
}

static void test_build_flag_adds_sdk_paths(void)
{
    exo_env_t *env = emit(NULL, NULL, NULL, EXO_BUS_ENV_BUILD);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_CFLAGS"), "-I" EXO_TEST_INCLUDEDIR);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_LIBS"), "-L" EXO_TEST_LIBDIR " -Wl,-rpath,"
                           EXO_TEST_LIBDIR " -lexoservice");
    CU_ASSERT_PTR_NOT_NULL(value(env, "EXO_BUS_ENDPOINT"));
    exo_env_destroy(&env);
    /* An uninstalled build tree says where its SDK is. */
    setenv("EXO_CFLAGS", "-I/src/include", 1);
    setenv("EXO_LIBS", "-L/build -lexoservice", 1);
    env = emit(NULL, NULL, NULL, EXO_BUS_ENV_BUILD);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_CFLAGS"), "-I/src/include");
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_LIBS"), "-L/build -lexoservice");
    exo_env_destroy(&env);
    unsetenv("EXO_CFLAGS");
    unsetenv("EXO_LIBS");
}

static void test_running_broker_as_the_unit_reaches_it(void)
{
    void *broker = open_broker(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(broker);
    const char *ep = ops->broker_endpoint(broker);
    CU_ASSERT_FATAL(starts_with(ep, "tcp://127.0.0.1:"));
    const char *port = ep + strlen("tcp://127.0.0.1:");
    CU_ASSERT_STRING_NOT_EQUAL(port, "0");

    exo_env_t *env = emit(broker, NULL, "127.0.0.1", 0);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_BUS_ENDPOINT"), ep);
    exo_env_destroy(&env);
    env = emit(broker, NULL, NULL, 0);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_BUS_ENDPOINT"), ep);
    exo_env_destroy(&env);

    /* A container reaches exo's loopback under the backend's host name. */
    char want[256];
    snprintf(want, sizeof want, "tcp://" UNIT_HOST ":%s", port);
    env = emit(broker, NULL, UNIT_HOST, 0);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_BUS_ENDPOINT"), want);
    exo_env_destroy(&env);
    ops->broker_close(broker);
}

/* A unit gets its role's secret (the same for every unit of the role, masked), other roles
 * another one; without a broker or without a role there is none (issue 18 finding 1). */
static void test_a_unit_gets_its_roles_secret(void)
{
    void *broker = open_broker(NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(broker);
    exo_env_t *web1 = emit_as(broker, NULL, "web", NULL, 0);
    exo_env_t *web2 = emit_as(broker, NULL, "web", NULL, 0);
    exo_env_t *users = emit_as(broker, NULL, "users", NULL, 0);
    exo_env_t *none = emit_as(broker, NULL, NULL, NULL, EXO_BUS_ENV_BUILD);
    const exo_env_var_t *v = exo_env_get(web1, "EXO_BUS_TOKEN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT(v->secret);
    CU_ASSERT_EQUAL(strlen(v->value), 64);
    CU_ASSERT_STRING_EQUAL(value(web2, "EXO_BUS_TOKEN"), v->value);
    CU_ASSERT_PTR_NOT_NULL_FATAL(value(users, "EXO_BUS_TOKEN"));
    CU_ASSERT_STRING_NOT_EQUAL(value(users, "EXO_BUS_TOKEN"), v->value);
    CU_ASSERT_PTR_NULL(value(none, "EXO_BUS_TOKEN"));
    exo_env_destroy(&web1);
    exo_env_destroy(&web2);
    exo_env_destroy(&users);
    exo_env_destroy(&none);
    ops->broker_close(broker);
    exo_env_t *offline = emit(NULL, NULL, NULL, 0);
    CU_ASSERT_PTR_NULL(value(offline, "EXO_BUS_TOKEN"));
    exo_env_destroy(&offline);
}

static void test_bind_host_replaces_the_default_listen(void)
{
    void *broker = open_broker(NULL, NULL, "127.0.0.2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(broker);
    const char *ep = ops->broker_endpoint(broker);
    CU_ASSERT(starts_with(ep, "tcp://127.0.0.2:"));
    /* Bound to the gateway: every unit reaches it there as it is. */
    exo_env_t *env = emit(broker, NULL, UNIT_HOST, 0);
    CU_ASSERT_STRING_EQUAL(value(env, "EXO_BUS_ENDPOINT"), ep);
    exo_env_destroy(&env);
    ops->broker_close(broker);

    /* The default written out is still the default. */
    broker = open_broker(NULL, "{\"listen\": \"tcp://127.0.0.1:0\"}", "127.0.0.2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(broker);
    CU_ASSERT(starts_with(ops->broker_endpoint(broker), "tcp://127.0.0.2:"));
    ops->broker_close(broker);
}

static void test_chosen_listen_wins_over_bind_host(void)
{
    void *broker = open_broker(NULL, "{\"listen\": \"tcp://127.0.0.3:0\"}", "127.0.0.2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(broker);
    CU_ASSERT(starts_with(ops->broker_endpoint(broker), "tcp://127.0.0.3:"));
    ops->broker_close(broker);

    /* The core's own choice (exo bus --listen) wins over the app's bus.listen. */
    broker = open_broker("tcp://127.0.0.4:0", "{\"listen\": \"tcp://127.0.0.3:0\"}", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(broker);
    CU_ASSERT(starts_with(ops->broker_endpoint(broker), "tcp://127.0.0.4:"));
    ops->broker_close(broker);
}

static const exo_test_t tests[] = {
    {"declares listen in the bus section", test_declares_listen_in_bus},
    {"without a broker: the configured endpoint", test_without_broker_the_configured_endpoint},
    {"PYTHONPATH puts the client first", test_pythonpath_puts_the_client_first},
    {"build flag adds the SDK paths", test_build_flag_adds_sdk_paths},
    {"running broker as the unit reaches it", test_running_broker_as_the_unit_reaches_it},
    {"a unit gets its role's secret", test_a_unit_gets_its_roles_secret},
    {"bind_host replaces the default listen", test_bind_host_replaces_the_default_listen},
    {"a chosen listen wins over bind_host", test_chosen_listen_wins_over_bind_host},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("busenv", tests, setup, teardown)
