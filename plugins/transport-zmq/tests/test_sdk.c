/* tests/test_sdk.c - libexoservice against a real broker (the plugin, loaded with the test
 * host, running on its own thread): connect, env, registration errors, send/reply/request,
 * activity and auth, timeouts and the broker's refusals. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>

#include <exo/service.h>
#include <exo/transport.h>

#include "base/env.h"
#include "base/loop.h"
#include "../../../tests/support/test_host.h"
#include "../../../tests/support/cunit_main.h"

static exo_loop_t *loop;
static exo_host_t host;
static void *handle, *broker;
static const exo_transport_ops_t *ops;
static pthread_t loop_thread;
static char endpoint[256];
/* The run's user token (every helper service uses it) and the roles' own secrets. */
#define USER_TOKEN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
static char web_secret[65], users_secret[65];

static int env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return exo_env_set(env, name, value, flags);
}

static void *run_loop(void *arg)
{
    exo_loop_run(loop);
    return NULL;
}

static int setup(void)
{
    const char *dir = getenv("EXO_PLUGIN_PATH");
    char path[4096];
    snprintf(path, sizeof path, "%s/transport_zmq.so", dir ? dir : "plugins/.libs");
    loop = exo_loop_new();
    exo_test_host_init(&host, loop, "test_sdk");
    host.env_set = env_set; /* a real environment: emit_env hands out the roles' secrets */
    const exo_plugin_desc_t *d = exo_test_plugin_load(path, &host, &handle);
    if (d == NULL) {
        return 1;
    }
    ops = d->ops;
    json_t *routes = json_loads(
        "{\"roles\": {\"web\": {\"sends\": [\"users.list\", \"users.ping\"], \"receives\": "
        "[\"users.listed\"]}, \"users\": {\"sends\": [\"users.listed\"], \"receives\": "
        "[\"users.list\"]}, \"ghost\": {\"receives\": [\"users.ping\"]}}}", 0, NULL);
    exo_bus_spec_t spec = {.size = sizeof spec, .app = "test", .routes = routes,
                           .user_token = USER_TOKEN};
    exo_error_t err = {0};
    int rc = ops->broker_open(&host, &spec, &broker, &err);
    json_decref(routes);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    snprintf(endpoint, sizeof endpoint, "%s", ops->broker_endpoint(broker));
    /* The roles' secrets as exo hands them to units (emit_env), before the loop thread
     * starts: the broker is not thread-safe. */
    const char *roles[] = {"web", "users"};
    char *secrets[] = {web_secret, users_secret};
    for (int i = 0; i < 2; i++) {
        exo_env_t *env = exo_env_new();
        if (ops->emit_env(&host, broker, NULL, roles[i], NULL, 0, env, &err) < 0 ||
            exo_env_get(env, "EXO_BUS_TOKEN") == NULL) {
            return 1;
        }
        snprintf(secrets[i], 65, "%s", exo_env_get(env, "EXO_BUS_TOKEN")->value);
        exo_env_destroy(&env);
    }
    setenv("EXO_BUS_TOKEN", USER_TOKEN, 1);
    return pthread_create(&loop_thread, NULL, run_loop, NULL) != 0;
}

static int teardown(void)
{
    exo_loop_stop(loop);
    pthread_join(loop_thread, NULL);
    ops->broker_close(broker);
    exo_loop_destroy(&loop);
    dlclose(handle);
    return 0;
}

static exo_svc_t *connect_as(const char *role, unsigned wait_ms, exo_error_t *err)
{
    exo_svc_options_t o = {.size = sizeof o, .role = role, .endpoint = endpoint,
                           .quiet = true, .wait_ms = wait_ms};
    return exo_svc_connect(&o, err);
}

/* ---- a users service on its own thread ---- */
typedef struct users_ctx {
    exo_svc_t *svc;
    pthread_t th;
    int mode; /* 0 reply, 1 send inside the handler, 2 stay silent, 3 count in order */
    atomic_long got, out_of_order;
    long last;
} users_ctx_t;

static void on_list(exo_svc_t *svc, const exo_svc_msg_t *m, void *arg)
{
    users_ctx_t *u = arg;
    char body[256];
    snprintf(body, sizeof body, "{\"auth\":%s,\"activity\":\"%s\"}", m->auth ? m->auth : "null",
             m->activity);
    if (u->mode == 3) {
        /* {"n":N}; the payload is not NUL-terminated (inside a batch, the next frame or the
         * end of the buffer follows it) */
        char num[32] = "-1";
        if (m->payload != NULL && m->payload_len > 5) {
            size_t len = m->payload_len - 5 < sizeof num - 1 ? m->payload_len - 5 : sizeof num - 1;
            memcpy(num, m->payload + 5, len);
            num[len] = '\0';
        }
        long n = strtol(num, NULL, 10);
        atomic_fetch_add(&u->out_of_order, n != u->last + 1);
        u->last = n;
        atomic_fetch_add(&u->got, 1);
    } else if (u->mode == 0) {
        exo_svc_reply_raw(svc, m, "users.listed", body, strlen(body), NULL);
    } else if (u->mode == 1) {
        exo_svc_send_raw(svc, "users.listed", body, strlen(body), NULL);
    }
}

static void *users_main(void *arg)
{
    users_ctx_t *u = arg;
    exo_svc_run(u->svc);
    return NULL;
}

static void users_start(users_ctx_t *u, int mode)
{
    exo_error_t err = {0};
    u->mode = mode;
    u->last = -1;
    atomic_init(&u->got, 0);
    atomic_init(&u->out_of_order, 0);
    u->svc = connect_as("users", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->svc);
    exo_svc_on(u->svc, "users.list", on_list, u);
    pthread_create(&u->th, NULL, users_main, u);
}

static void users_stop(users_ctx_t *u)
{
    exo_svc_stop(u->svc);
    pthread_join(u->th, NULL);
    exo_svc_close(&u->svc);
    CU_ASSERT_PTR_NULL(u->svc);
}

static void test_connect_needs_role_and_endpoint(void)
{
    unsetenv("EXO_ROLE");
    unsetenv("EXO_BUS_ENDPOINT");
    exo_error_t err = {0};
    CU_ASSERT_PTR_NULL(exo_svc_connect(NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "EXO_ROLE"));
    setenv("EXO_ROLE", "web", 1);
    CU_ASSERT_PTR_NULL(exo_svc_connect(NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "EXO_BUS_ENDPOINT"));
    setenv("EXO_BUS_ENDPOINT", "not an endpoint", 1);
    CU_ASSERT_PTR_NULL(exo_svc_connect(NULL, &err));
    CU_ASSERT_EQUAL(err.code, EXO_ERR_INVALID);
}

static void test_connect_from_env_waits_for_registration(void)
{
    setenv("EXO_ROLE", "web", 1);
    setenv("EXO_BUS_ENDPOINT", endpoint, 1);
    exo_svc_options_t o = {.size = sizeof o, .quiet = true, .wait_ms = 3000};
    exo_error_t err = {0};
    exo_svc_t *svc = exo_svc_connect(&o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
    CU_ASSERT_TRUE(exo_svc_online(svc));
    CU_ASSERT_STRING_EQUAL(exo_svc_role(svc), "web");
    CU_ASSERT(exo_svc_fd(svc) >= 0);
    exo_svc_close(&svc);
}

static exo_svc_t *connect_with(const char *role, const char *token, exo_error_t *err)
{
    exo_svc_options_t o = {.size = sizeof o, .role = role, .endpoint = endpoint,
                           .quiet = true, .wait_ms = 3000, .token = token};
    return exo_svc_connect(&o, err);
}

/* A role's secret registers that role only; the user token any role; nothing else does
 * (issue 18 finding 1). */
static void test_registration_needs_a_credential(void)
{
    exo_error_t err = {0};
    exo_svc_t *svc = connect_with("web", web_secret, &err);
    CU_ASSERT_PTR_NOT_NULL(svc);
    exo_svc_close(&svc);
    svc = connect_with("users", USER_TOKEN, &err);
    CU_ASSERT_PTR_NOT_NULL(svc);
    exo_svc_close(&svc);
    const char *bad[] = {users_secret, "", "0011", USER_TOKEN "0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        CU_ASSERT_PTR_NULL(connect_with("web", bad[i], &err));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not authorised to register as web"));
    }
}

static void test_unknown_role_is_refused(void)
{
    exo_error_t err = {0};
    CU_ASSERT_PTR_NULL(connect_as("nosuch", 3000, &err));
    CU_ASSERT_EQUAL(err.code, EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'nosuch' is not a service of app test"));
}

static void test_send_checks_state_and_name(void)
{
    exo_svc_options_t o = {.size = sizeof o, .role = "web", .endpoint = "tcp://127.0.0.1:1",
                           .quiet = true};
    exo_error_t err = {0};
    exo_svc_t *svc = exo_svc_connect(&o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
    CU_ASSERT_FALSE(exo_svc_online(svc));
    CU_ASSERT_EQUAL(exo_svc_send(svc, "users.list", NULL, &err), EXO_ERR_UNAVAILABLE);
    CU_ASSERT_EQUAL(exo_svc_send(svc, "bad\x01name", NULL, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(exo_svc_send(svc, "", NULL, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(exo_svc_poll(svc, 10), 0);
    exo_svc_close(&svc);
}

static void check_reply(int mode)
{
    users_ctx_t u;
    users_start(&u, mode);
    exo_error_t err = {0};
    exo_svc_t *web = connect_as("web", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    exo_svc_msg_t *reply = NULL;
    json_t *p = json_pack("{s:i}", "page", 1);
    CU_ASSERT_EQUAL(exo_svc_request(web, "users.list", p, 3000, &reply, &err), 0);
    json_decref(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
    CU_ASSERT_STRING_EQUAL(reply->name, "users.listed");
    CU_ASSERT_STRING_EQUAL(reply->sender, "users");
    json_t *body = exo_svc_msg_json(reply);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(body, "activity")),
                           reply->activity);
    json_decref(body);
    exo_svc_msg_free(reply);
    exo_svc_close(&web);
    users_stop(&u);
}

static void test_request_reply(void)
{
    check_reply(0);
}

static void test_send_inside_handler_joins_activity(void)
{
    check_reply(1);
}

static exo_svc_msg_t *caught;

static void catch_all(exo_svc_t *svc, const exo_svc_msg_t *m, void *arg)
{
    exo_svc_msg_free(caught);
    caught = exo_svc_msg_dup(m);
}

static void test_reply_keeps_auth(void)
{
    users_ctx_t u;
    users_start(&u, 0);
    exo_error_t err = {0};
    exo_svc_t *web = connect_as("web", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    exo_svc_on(web, "users.listed", catch_all, NULL);
    CU_ASSERT_EQUAL(exo_svc_send_ex(web, "users.list", "{}", 2, "act-auth-2",
                                    "{\"user\":\"ann\"}", &err), 0);
    for (int i = 0; i < 300 && caught == NULL; i++) {
        exo_svc_poll(web, 10);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(caught);
    CU_ASSERT_STRING_EQUAL(caught->activity, "act-auth-2");
    CU_ASSERT_STRING_EQUAL(caught->auth, "{\"user\":\"ann\"}");
    json_t *body = exo_svc_msg_json(caught);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(body, "auth"),
                                                             "user")), "ann");
    json_decref(body);
    exo_svc_msg_free(caught);
    caught = NULL;
    exo_svc_close(&web);
    users_stop(&u);
}

static void test_request_timeout(void)
{
    users_ctx_t u;
    users_start(&u, 2);
    exo_error_t err = {0};
    exo_svc_t *web = connect_as("web", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    exo_svc_msg_t *reply = NULL;
    CU_ASSERT_EQUAL(exo_svc_request(web, "users.list", NULL, 300, &reply, &err),
                    EXO_ERR_TIMEOUT);
    CU_ASSERT_PTR_NULL(reply);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "within 300 ms"));
    exo_svc_close(&web);
    users_stop(&u);
}

static void test_request_refused_by_broker(void)
{
    exo_error_t err = {0};
    exo_svc_t *web = connect_as("web", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    exo_svc_msg_t *reply = NULL;
    CU_ASSERT_EQUAL(exo_svc_request(web, "users.drop", NULL, 3000, &reply, &err),
                    EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "denied"));
    CU_ASSERT_EQUAL(exo_svc_request(web, "users.ping", NULL, 3000, &reply, &err),
                    EXO_ERR_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "ghost"));
    CU_ASSERT_PTR_NULL(reply);
    exo_svc_close(&web);
}

static void test_back_online_after_a_long_pause(void)
{
    exo_error_t err = {0};
    exo_svc_t *web = connect_as("web", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    usleep(3300 * 1000); /* a handler that took longer than the dead-broker threshold */
    for (int i = 0; i < 40 && !(exo_svc_poll(web, 50) >= 0 && exo_svc_online(web) &&
                                exo_svc_send(web, "users.list", NULL, NULL) == 0); i++) {
    }
    CU_ASSERT_TRUE(exo_svc_online(web));
    exo_svc_close(&web);
}

/* A burst sent outside the loop: the sends that found the pipe busy were collected into
 * batches; exo_svc_flush sends the rest without a poll, and all arrive, in order. */
static void test_burst_then_flush(void)
{
    users_ctx_t u;
    users_start(&u, 3);
    exo_error_t err = {0};
    exo_svc_t *web = connect_as("web", 3000, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    enum { N = 20000 };
    for (long i = 0; i < N; i++) {
        char body[32];
        int len = snprintf(body, sizeof body, "{\"n\":%ld}", i);
        CU_ASSERT_EQUAL_FATAL(exo_svc_send_raw(web, "users.list", body, (size_t)len, &err), 0);
    }
    CU_ASSERT_EQUAL(exo_svc_flush(web), 0);
    for (int waited = 0; atomic_load(&u.got) < N && waited < 5000; waited += 10) {
        struct timespec ms = {0, 10000000};
        nanosleep(&ms, NULL); /* no exo_svc_poll on web: the flush alone sent everything */
    }
    CU_ASSERT_EQUAL(atomic_load(&u.got), N);
    CU_ASSERT_EQUAL(atomic_load(&u.out_of_order), 0);
    exo_svc_close(&web);
    users_stop(&u);
}

static void test_msg_dup(void)
{
    exo_svc_msg_t m = {.name = "n", .id = "i", .activity = "a", .sender = "s", .auth = NULL,
                       .payload = "[1,2]xx", .payload_len = 5};
    exo_svc_msg_t *d = exo_svc_msg_dup(&m);
    CU_ASSERT_STRING_EQUAL(d->name, "n");
    CU_ASSERT_PTR_NULL(d->auth);
    CU_ASSERT_STRING_EQUAL(d->payload, "[1,2]");
    json_t *j = exo_svc_msg_json(d);
    CU_ASSERT_EQUAL(json_array_size(j), 2);
    json_decref(j);
    exo_svc_msg_free(d);
}

static const exo_test_t tests[] = {
    {"connect needs role and endpoint", test_connect_needs_role_and_endpoint},
    {"connect from env waits for registration", test_connect_from_env_waits_for_registration},
    {"unknown role is refused", test_unknown_role_is_refused},
    {"registration needs a credential", test_registration_needs_a_credential},
    {"send checks state and name", test_send_checks_state_and_name},
    {"request/reply", test_request_reply},
    {"send inside a handler joins the activity", test_send_inside_handler_joins_activity},
    {"reply keeps activity and auth", test_reply_keeps_auth},
    {"request timeout", test_request_timeout},
    {"request refused by the broker", test_request_refused_by_broker},
    {"back online after a long pause", test_back_online_after_a_long_pause},
    {"message dup and json", test_msg_dup},
    {"a burst, then exo_svc_flush: everything arrives in order", test_burst_then_flush},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("sdk", tests, setup, teardown)
