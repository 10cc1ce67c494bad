/*
 * tests/unit/test_feconn.c - a frontend's connection table (core/frontend/feconn.h) through
 * the real zmq transport's long-lived client (core/bus/busclient.h, transport ABI 1.3)
 * against a real broker (busd, a child process on a fixed port so that it can be restarted)
 * and a real service on libexoservice (a thread). The "plugin" is this file: it records what
 * the table delivers. Replies per connection, pushes by user, broadcast, every error with its
 * request id, the auth step, bounds, a broker restart, closing with requests in flight.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/service.h>

#include "base/loop.h"
#include "base/util.h"
#include "bus/busclient.h"
#include "frontend/feconn.h"
#include "plugins/registry.h"
#include "../support/cunit_main.h"

#define USER_TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define BROKER_MAX "4096" /* the broker's max message size (busd --max-size) */

static const char routes_json[] =
    "{\"roles\": {"
    "\"web\": {\"sends\": [\"todo.echo\", \"todo.late\", \"todo.flood\", \"todo.silent\", \"todo.push\", "
    "\"session.check\", \"session.none\", \"nobody.home\"], "
    "\"receives\": [\"todo.echoed\", \"todo.flooded\", \"todo.pushed\", \"session.checked\"]},"
    "\"todos\": {\"sends\": [\"todo.echoed\", \"todo.flooded\", \"todo.pushed\", "
    "\"session.checked\"], \"receives\": [\"todo.echo\", \"todo.late\", \"todo.flood\", \"todo.silent\", "
    "\"todo.push\", \"session.check\"]},"
    "\"ghost\": {\"receives\": [\"nobody.home\", \"session.none\"]}}}";

static exo_loop_t *loop;
static exo_registry_t *reg;
static exo_busclient_t *client;
static char endpoint[64], routes_path[256];
static pid_t busd_pid;

/* ---- the broker ---- */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* Start busd on `endpoint` and wait for its "control" line (it listens by then). */
static int busd_start(void)
{
    int p[2];
    if (pipe(p) < 0) {
        return -1;
    }
    busd_pid = fork();
    if (busd_pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(EXO_TEST_BUSD, "busd", "serve", "--token", USER_TOKEN, "--max-size",
              BROKER_MAX, routes_path, endpoint, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    FILE *out = fdopen(p[0], "r");
    char line[512];
    int rc = -1;
    while (fgets(line, sizeof line, out) != NULL) {
        if (strncmp(line, "control ", 8) == 0) {
            rc = 0;
            break;
        }
    }
    fclose(out);
    return rc;
}

static void busd_stop(void)
{
    if (busd_pid > 0) {
        kill(busd_pid, SIGTERM);
        waitpid(busd_pid, NULL, 0);
        busd_pid = 0;
    }
}

/* Run the loop until @p cond holds or @p ms pass; the condition's last value. */
static bool wait_for(bool (*cond)(void), unsigned ms)
{
    unsigned long long deadline = exo_now_ms() + ms;
    while (!cond() && exo_now_ms() < deadline) {
        exo_loop_once(loop, 10);
    }
    return cond();
}

static void run_for(unsigned ms)
{
    unsigned long long deadline = exo_now_ms() + ms;
    while (exo_now_ms() < deadline) {
        exo_loop_once(loop, 10);
    }
}

/* ---- the service: libexoservice on its own thread ---- */

static exo_svc_t *svc;
static pthread_t svc_thread;

static void on_echo(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    (void)arg;
    char body[1024];
    snprintf(body, sizeof body, "{\"auth\":%s,\"in\":%.*s}", m->auth ? m->auth : "null",
             m->payload ? (int)m->payload_len : 4, m->payload ? m->payload : "null");
    exo_svc_reply_raw(s, m, "todo.echoed", body, strlen(body), NULL);
}

static void on_flood(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        char body[32];
        snprintf(body, sizeof body, "{\"i\":%d}", i);
        exo_svc_reply_raw(s, m, "todo.flooded", body, strlen(body), NULL);
    }
}

/* {"user": U} pushes to U (a new activity with that auth), {} to everyone (no auth). */
static void on_push(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    (void)arg;
    json_t *p = exo_svc_msg_json(m);
    const char *user = json_string_value(json_object_get(p, "user"));
    char auth[128];
    snprintf(auth, sizeof auth, "{\"user\":\"%s\"}", user ? user : "");
    exo_svc_send_ex(s, "todo.pushed", "{\"x\":1}", 7, NULL, user ? auth : NULL, NULL);
    json_decref(p);
}

/* The auth step: "good-NAME" is user NAME, "slow" never answers, anything else is refused. */
static void on_check(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    (void)arg;
    json_t *p = exo_svc_msg_json(m);
    const char *cred = json_string_value(json_object_get(p, "credential"));
    char body[128];
    if (cred != NULL && strncmp(cred, "good-", 5) == 0) {
        snprintf(body, sizeof body, "{\"user\":\"%s\"}", cred + 5);
        exo_svc_reply_raw(s, m, "session.checked", body, strlen(body), NULL);
    } else if (cred == NULL || strcmp(cred, "slow") != 0) {
        exo_svc_reply_raw(s, m, "session.checked", "{\"no\":1}", 8, NULL);
    }
    json_decref(p);
}

/* Answers after 300 ms: later than the request's timeout in test_late_reply. */
static void on_late(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    (void)arg;
    usleep(300 * 1000);
    exo_svc_reply_raw(s, m, "todo.echoed", "{\"late\":1}", 10, NULL);
}

static void on_silent(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    (void)s;
    (void)m;
    (void)arg;
}

static void *svc_main(void *arg)
{
    (void)arg;
    exo_svc_run(svc);
    return NULL;
}

static int svc_start(void)
{
    exo_svc_options_t o = {.size = sizeof o, .role = "todos", .endpoint = endpoint,
                           .quiet = true, .wait_ms = 5000, .token = USER_TOKEN};
    exo_error_t err = {0};
    svc = exo_svc_connect(&o, &err);
    if (svc == NULL) {
        fprintf(stderr, "service: %s\n", err.message);
        return -1;
    }
    exo_svc_on(svc, "todo.echo", on_echo, NULL);
    exo_svc_on(svc, "todo.flood", on_flood, NULL);
    exo_svc_on(svc, "todo.push", on_push, NULL);
    exo_svc_on(svc, "session.check", on_check, NULL);
    exo_svc_on(svc, "todo.silent", on_silent, NULL);
    exo_svc_on(svc, "todo.late", on_late, NULL);
    return pthread_create(&svc_thread, NULL, svc_main, NULL);
}

/* ---- the frontend plugin: what the table tells it ---- */

typedef struct rec {
    exo_conn_id_t conn;
    bool auth;
    char name[64], request[64], error[32], user[32], payload[512];
} rec_t;

static rec_t recs[2048];
static size_t n_recs;
static exo_feconn_table_t *table;
static exo_conn_id_t close_on_deliver; /* deliver closes this connection (re-entrancy) */

static void copy(char *dst, size_t n, const char *s, size_t len)
{
    snprintf(dst, n, "%.*s", s ? (int)len : 0, s ? s : "");
}

static void fe_deliver(void *inst, exo_conn_id_t conn, const exo_frontend_msg_t *m)
{
    (void)inst;
    CU_ASSERT_FATAL(n_recs < sizeof recs / sizeof recs[0]);
    rec_t *r = &recs[n_recs++];
    memset(r, 0, sizeof *r);
    r->conn = conn;
    copy(r->name, sizeof r->name, m->name, m->name ? strlen(m->name) : 0);
    copy(r->request, sizeof r->request, m->request, m->request ? strlen(m->request) : 0);
    copy(r->error, sizeof r->error, m->error, m->error ? strlen(m->error) : 0);
    copy(r->payload, sizeof r->payload, m->payload, m->payload_len);
    if (m->error != NULL) {
        CU_ASSERT_PTR_NOT_NULL(m->message);
        CU_ASSERT_PTR_NULL(m->name);
    }
    if (conn == close_on_deliver) {
        exo_feconn_bus_ops()->conn_close(table, conn);
    }
}

static void fe_auth_done(void *inst, exo_conn_id_t conn, const char *user, const char *error,
                         const char *message)
{
    (void)inst;
    rec_t *r = &recs[n_recs++];
    memset(r, 0, sizeof *r);
    r->conn = conn;
    r->auth = true;
    copy(r->user, sizeof r->user, user, user ? strlen(user) : 0);
    copy(r->error, sizeof r->error, error, error ? strlen(error) : 0);
    if (error != NULL) {
        CU_ASSERT_PTR_NOT_NULL(message);
    }
}

static const exo_frontend_ops_t fe_ops = {
    .size = sizeof fe_ops, .deliver = fe_deliver, .auth_done = fe_auth_done,
};

static bool online_now;
static void on_online(void *arg, bool online)
{
    (void)arg;
    online_now = online;
}

static void table_open(exo_feconn_settings_t s)
{
    exo_error_t err = {0};
    s.role = "web";
    s.on_online = on_online;
    table = exo_feconn_open(loop, client, &s, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(table);
    exo_feconn_attach(table, &fe_ops, NULL);
    n_recs = 0;
    close_on_deliver = 0;
}

static exo_conn_id_t conn_open(const char *credential)
{
    exo_error_t err = {0};
    exo_conn_id_t id = exo_feconn_bus_ops()->conn_open(table, "127.0.0.1:1", credential, &err);
    CU_ASSERT_NOT_EQUAL(id, 0);
    return id;
}

static void fe_send(exo_conn_id_t c, const char *name, const char *payload, const char *request,
                 unsigned timeout_ms)
{
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_feconn_bus_ops()->conn_send(table, c, name, payload,
                                                    payload ? strlen(payload) : 0, request,
                                                    timeout_ms, &err), 0);
}

static const rec_t *find_rec(exo_conn_id_t conn, bool auth, const char *request)
{
    for (size_t i = 0; i < n_recs; i++) {
        if ((conn == 0 || recs[i].conn == conn) && recs[i].auth == auth &&
            (request == NULL || strcmp(recs[i].request, request) == 0)) {
            return &recs[i];
        }
    }
    return NULL;
}

static size_t count_recs(exo_conn_id_t conn, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < n_recs; i++) {
        n += recs[i].conn == conn && !recs[i].auth && strcmp(recs[i].name, name) == 0;
    }
    return n;
}

static size_t want_recs;
static bool enough_recs(void)
{
    return n_recs >= want_recs;
}

static bool have_recs(size_t n, unsigned ms)
{
    want_recs = n;
    return wait_for(enough_recs, ms);
}

static bool client_online(void)
{
    return exo_busclient_online(client);
}

static bool client_offline(void)
{
    return !exo_busclient_online(client);
}

/* ---- suite ---- */

static int setup(void)
{
    setenv("EXO_PLUGIN_PATH", EXO_TEST_PLUGIN_DIR, 1);
    setenv("EXO_NO_INSTALLED_PLUGINS", "1", 1);
    signal(SIGPIPE, SIG_IGN);
    snprintf(routes_path, sizeof routes_path, "/tmp/exo-test-feconn-%d.json", (int)getpid());
    if (exo_write_file_atomic(routes_path, routes_json, strlen(routes_json)) < 0) {
        return 1;
    }
    int port = free_port();
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    if (port <= 0 || busd_start() < 0 || svc_start() < 0) {
        return 1;
    }
    loop = exo_loop_new();
    reg = exo_registry_load(NULL, loop);
    const exo_plugin_t *zmq = exo_registry_find(reg, EXO_KIND_TRANSPORT, "zmq");
    exo_error_t err = {0};
    client = zmq ? exo_busclient_open(zmq, endpoint, "web", USER_TOKEN, "test_feconn", &err)
                 : NULL;
    if (client == NULL) {
        fprintf(stderr, "bus client: %s\n", zmq ? err.message : "no zmq transport");
        return 1;
    }
    return wait_for(client_online, 5000) ? 0 : 1;
}

static int teardown(void)
{
    exo_busclient_close(&client);
    exo_registry_destroy(&reg);
    exo_loop_destroy(&loop);
    exo_svc_stop(svc);
    pthread_join(svc_thread, NULL);
    exo_svc_close(&svc);
    busd_stop();
    unlink(routes_path);
    return 0;
}

/* ---- tests ---- */

/* Two connections, interleaved requests and a stream of replies: each reply reaches the
 * connection that asked, with its request id, and no other. */
static void test_replies_reach_their_connection(void)
{
    table_open((exo_feconn_settings_t){.rate = 1000});
    exo_conn_id_t a = conn_open(NULL), b = conn_open(NULL);
    CU_ASSERT_NOT_EQUAL(a, b);
    CU_ASSERT_FATAL(have_recs(2, 2000));
    CU_ASSERT_PTR_NOT_NULL(find_rec(a, true, ""));
    CU_ASSERT_PTR_NOT_NULL(find_rec(b, true, ""));
    n_recs = 0;
    for (int i = 0; i < 50; i++) {
        char req[16], body[32];
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        snprintf(req, sizeof req, "a%d", i);
        fe_send(a, "todo.echo", body, req, 0);
        snprintf(req, sizeof req, "b%d", i);
        fe_send(b, "todo.echo", body, req, 0);
    }
    fe_send(a, "todo.flood", NULL, "flood", 0);
    CU_ASSERT_FATAL(have_recs(105, 5000));
    run_for(100); /* nothing more comes */
    CU_ASSERT_EQUAL(n_recs, 105);
    for (size_t i = 0; i < n_recs; i++) {
        const rec_t *r = &recs[i];
        CU_ASSERT_STRING_EQUAL(r->error, "");
        if (strcmp(r->name, "todo.echoed") == 0) {
            CU_ASSERT_EQUAL(r->conn, r->request[0] == 'a' ? a : b);
            char want[32];
            snprintf(want, sizeof want, "\"in\":{\"n\":%s}", r->request + 1);
            CU_ASSERT_PTR_NOT_NULL(strstr(r->payload, want));
            CU_ASSERT_PTR_NOT_NULL(strstr(r->payload, "\"auth\":null")); /* anonymous */
        } else {
            CU_ASSERT_STRING_EQUAL(r->name, "todo.flooded");
            CU_ASSERT_EQUAL(r->conn, a);
            CU_ASSERT_STRING_EQUAL(r->request, "flood");
        }
    }
    CU_ASSERT_EQUAL(count_recs(a, "todo.flooded"), 5);
    CU_ASSERT_EQUAL(count_recs(b, "todo.flooded"), 0);
    exo_feconn_close(&table);
}

/* auth {ask}: the verdicts, the user on every message a connection sends, pushes by user. */
static void test_auth_ask_and_pushes_by_user(void)
{
    table_open((exo_feconn_settings_t){.auth_ask = "session.check", .auth_timeout_ms = 300});
    exo_conn_id_t al1 = conn_open("good-alice"), al2 = conn_open("good-alice");
    exo_conn_id_t bob = conn_open("good-bob"), bad = conn_open("wrong");
    exo_conn_id_t none = conn_open(NULL), slow = conn_open("slow");
    CU_ASSERT_FATAL(have_recs(6, 3000));
    CU_ASSERT_STRING_EQUAL(find_rec(al1, true, NULL)->user, "alice");
    CU_ASSERT_STRING_EQUAL(find_rec(al2, true, NULL)->user, "alice");
    CU_ASSERT_STRING_EQUAL(find_rec(bob, true, NULL)->user, "bob");
    CU_ASSERT_STRING_EQUAL(find_rec(bob, true, NULL)->error, "");
    CU_ASSERT_STRING_EQUAL(find_rec(bad, true, NULL)->error, "not-authorised");
    CU_ASSERT_STRING_EQUAL(find_rec(none, true, NULL)->error, "not-authorised");
    CU_ASSERT_STRING_EQUAL(find_rec(slow, true, NULL)->error, "unavailable"); /* timed out */
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 0);
    n_recs = 0;
    fe_send(bad, "todo.echo", "{}", "x", 0);
    fe_send(al1, "todo.echo", "{}", "who", 0);
    CU_ASSERT_FATAL(have_recs(2, 2000));
    CU_ASSERT_STRING_EQUAL(find_rec(bad, false, "x")->error, "not-authorised");
    CU_ASSERT_PTR_NOT_NULL(strstr(find_rec(al1, false, "who")->payload,
                                  "\"auth\":{\"user\":\"alice\"}"));
    /* A push to alice reaches her two connections only; one without auth reaches all. */
    n_recs = 0;
    fe_send(bob, "todo.push", "{\"user\":\"alice\"}", NULL, 0);
    CU_ASSERT_FATAL(have_recs(2, 2000));
    run_for(100);
    CU_ASSERT_EQUAL(n_recs, 2);
    CU_ASSERT_EQUAL(count_recs(al1, "todo.pushed"), 1);
    CU_ASSERT_EQUAL(count_recs(al2, "todo.pushed"), 1);
    CU_ASSERT_STRING_EQUAL(recs[0].request, ""); /* a push answers no request */
    n_recs = 0;
    fe_send(bob, "todo.push", "{}", NULL, 0);
    CU_ASSERT_FATAL(have_recs(3, 2000));
    run_for(100);
    CU_ASSERT_EQUAL(n_recs, 3); /* the refused connections get nothing */
    CU_ASSERT_EQUAL(count_recs(bob, "todo.pushed"), 1);
    exo_feconn_close(&table);
}

/* auth none: a push without auth reaches every connection, one for a user none of them. */
static void test_broadcast_without_auth(void)
{
    table_open((exo_feconn_settings_t){0});
    exo_conn_id_t c[3] = {conn_open(NULL), conn_open(NULL), conn_open(NULL)};
    CU_ASSERT_FATAL(have_recs(3, 2000));
    n_recs = 0;
    fe_send(c[0], "todo.push", "{}", NULL, 0);
    CU_ASSERT_FATAL(have_recs(3, 2000));
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(count_recs(c[i], "todo.pushed"), 1);
    }
    n_recs = 0;
    fe_send(c[0], "todo.push", "{\"user\":\"alice\"}", NULL, 0);
    run_for(300);
    CU_ASSERT_EQUAL(n_recs, 0);
    exo_feconn_close(&table);
}

static void expect_error(exo_conn_id_t c, const char *request, const char *error)
{
    const rec_t *r = find_rec(c, false, request);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    if (strcmp(r->error, error) != 0) {
        fprintf(stderr, "request %s: got '%s', expected '%s'\n", request, r->error, error);
    }
    CU_ASSERT_STRING_EQUAL(r->error, error);
}

/* Every failure reaches the connection with the id of the request it answers. */
static void test_errors_with_their_request(void)
{
    table_open((exo_feconn_settings_t){.rate = 1000, .max_message_size = 8192});
    exo_conn_id_t c = conn_open(NULL);
    CU_ASSERT_FATAL(have_recs(1, 2000));
    n_recs = 0;
    char *big = exo_xmalloc(9000), *mid = exo_xmalloc(5000);
    memset(big, ' ', 9000);
    big[0] = '1';
    big[8999] = '\0';
    memset(mid, ' ', 5000);
    mid[0] = '2';
    mid[4999] = '\0';
    fe_send(c, "todo.secret", "{}", "denied", 0);        /* not in web's sends */
    fe_send(c, "nobody.home", "{}", "none", 0);          /* its receiver is not connected */
    fe_send(c, "todo.silent", "{}", "slow", 200);        /* never answered */
    fe_send(c, "todo.echo", big, "big", 0);              /* over the frontend's limit */
    fe_send(c, "todo.echo", mid, "mid", 0);              /* over the broker's (4096) */
    fe_send(c, "", "{}", "noname", 0);
    fe_send(c, "bad\001name", "{}", "ctl", 0);           /* the transport refuses the name */
    fe_send(c, "todo.echo", "{not json", "json", 0);
    CU_ASSERT_FATAL(have_recs(8, 3000));
    expect_error(c, "denied", "denied");
    expect_error(c, "none", "no-receiver");
    expect_error(c, "slow", "timeout");
    expect_error(c, "big", "too-large");
    expect_error(c, "mid", "too-large");
    expect_error(c, "noname", "bad-request");
    expect_error(c, "ctl", "bad-request");
    expect_error(c, "json", "bad-request");
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 0);
    /* A send without a request hears of its failure too, without an id. */
    n_recs = 0;
    fe_send(c, "todo.secret", "{}", NULL, 0);
    CU_ASSERT_FATAL(have_recs(1, 2000));
    expect_error(c, "", "denied");
    free(big);
    free(mid);
    exo_feconn_close(&table);
}

/* The per-connection rate, the bound on requests in flight and on connections. */
static void test_limits(void)
{
    table_open((exo_feconn_settings_t){.rate = 3, .max_pending = 2, .max_connections = 2});
    exo_conn_id_t c = conn_open(NULL), d = conn_open(NULL);
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_feconn_bus_ops()->conn_open(table, "127.0.0.1:3", NULL, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "has 2 connections, its limit"));
    CU_ASSERT_FATAL(have_recs(2, 2000));
    n_recs = 0;
    fe_send(c, "todo.silent", "{}", "p1", 0);
    fe_send(c, "todo.silent", "{}", "p2", 0);
    fe_send(c, "todo.silent", "{}", "p3", 0);  /* a third request in flight */
    fe_send(c, "todo.silent", "{}", "r4", 0);  /* over 3 per second */
    fe_send(d, "todo.echo", "{}", "other", 0); /* another connection's rate is its own */
    CU_ASSERT_FATAL(have_recs(3, 2000));
    expect_error(c, "p3", "rate-limited");
    expect_error(c, "r4", "rate-limited");
    CU_ASSERT_STRING_EQUAL(find_rec(d, false, "other")->name, "todo.echoed");
    CU_ASSERT_PTR_NULL(find_rec(c, false, "p1"));
    /* p1 and p2 in flight; d's answered request stays d's a while, without counting as
     * in flight: d may have two more. */
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 3);
    n_recs = 0;
    fe_send(d, "todo.echo", "{}", "o2", 0);
    fe_send(d, "todo.echo", "{}", "o3", 0);
    CU_ASSERT_FATAL(have_recs(2, 2000));
    CU_ASSERT_STRING_EQUAL(find_rec(d, false, "o2")->name, "todo.echoed");
    CU_ASSERT_STRING_EQUAL(find_rec(d, false, "o3")->name, "todo.echoed");
    CU_ASSERT(exo_feconn_bus_ops()->conn_send(table, 999, "todo.echo", NULL, 0, NULL, 0, &err)
              < 0);
    exo_feconn_close(&table);
}

/* Closing a connection forgets its requests at once: nothing is delivered for them later,
 * also when the plugin closes it from inside deliver. */
static void test_close_frees_requests(void)
{
    table_open((exo_feconn_settings_t){.rate = 1000, .request_timeout_ms = 200});
    exo_conn_id_t c = conn_open(NULL), d = conn_open(NULL);
    CU_ASSERT_FATAL(have_recs(2, 2000));
    n_recs = 0;
    for (int i = 0; i < 10; i++) {
        fe_send(c, "todo.silent", "{}", "s", 0);
    }
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 10);
    exo_feconn_bus_ops()->conn_close(table, c);
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 0);
    CU_ASSERT_EQUAL(exo_feconn_connections(table), 1);
    close_on_deliver = d; /* the first of five replies closes d */
    fe_send(d, "todo.flood", NULL, "f", 0);
    run_for(500);
    CU_ASSERT_EQUAL(n_recs, 1);
    CU_ASSERT_EQUAL(exo_feconn_connections(table), 0);
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 0);
    /* Connections and requests left open are freed by close (valgrind/ASan check). */
    exo_conn_id_t e = conn_open(NULL);
    fe_send(e, "todo.silent", "{}", "left", 0);
    exo_feconn_close(&table);
}

/* The broker goes away: requests in flight and new sends get "unavailable"; once it is back
 * the client registers again and requests are answered. */
static void test_broker_restart(void)
{
    table_open((exo_feconn_settings_t){.rate = 1000, .auth_ask = NULL});
    exo_conn_id_t c = conn_open(NULL);
    CU_ASSERT_FATAL(have_recs(1, 2000));
    n_recs = 0;
    fe_send(c, "todo.silent", "{}", "inflight", 30000);
    busd_stop();
    CU_ASSERT_FATAL(wait_for(client_offline, 8000));
    CU_ASSERT_FALSE(online_now);
    CU_ASSERT_FATAL(have_recs(1, 1000));
    expect_error(c, "inflight", "unavailable");
    fe_send(c, "todo.echo", "{}", "while-down", 0);
    expect_error(c, "while-down", "unavailable");
    CU_ASSERT_FATAL(busd_start() == 0);
    CU_ASSERT_FATAL(wait_for(client_online, 8000));
    run_for(200);
    CU_ASSERT_TRUE(online_now);
    /* The service re-registers on its own schedule: ask until it answers. */
    const rec_t *r = NULL;
    for (int i = 0; i < 40 && (r == NULL || r->error[0] != '\0'); i++) {
        char req[16];
        snprintf(req, sizeof req, "again%d", i);
        size_t before = n_recs;
        fe_send(c, "todo.echo", "{}", req, 2000);
        have_recs(before + 1, 3000);
        r = find_rec(c, false, req);
        if (r != NULL && r->error[0] != '\0') {
            run_for(200);
        }
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->name, "todo.echoed");
    exo_feconn_close(&table);
}

/* A reply after its request's timeout reaches nobody: not the connection (it was told
 * "timeout"), and never another one as a push. */
static void test_late_reply_reaches_nobody(void)
{
    table_open((exo_feconn_settings_t){0});
    exo_conn_id_t c = conn_open(NULL), other = conn_open(NULL);
    CU_ASSERT_FATAL(have_recs(2, 2000));
    n_recs = 0;
    fe_send(c, "todo.late", "{}", "late", 100);
    CU_ASSERT_FATAL(have_recs(1, 2000));
    expect_error(c, "late", "timeout");
    CU_ASSERT_EQUAL(exo_feconn_pending(table), 0);
    run_for(600); /* the reply comes after 300 ms */
    CU_ASSERT_EQUAL(n_recs, 1);
    CU_ASSERT_EQUAL(count_recs(other, "todo.echoed"), 0);
    exo_feconn_close(&table);
}

static const exo_test_t tests[] = {
    {"replies reach the connection that asked, and no other",
     test_replies_reach_their_connection},
    {"auth ask: verdicts, the user in auth, pushes by user", test_auth_ask_and_pushes_by_user},
    {"auth none: a push without auth reaches every connection", test_broadcast_without_auth},
    {"every failure with its request id", test_errors_with_their_request},
    {"rate, requests in flight and connections are bounded", test_limits},
    {"closing a connection forgets its requests", test_close_frees_requests},
    {"a reply after the timeout reaches nobody", test_late_reply_reaches_nobody},
    {"a broker restart: unavailable, then online again", test_broker_restart},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("feconn", tests, setup, teardown)
