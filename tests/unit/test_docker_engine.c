/*
 * tests/unit/test_docker_engine.c - the docker backend's HTTP layer (engine.c: libcurl over a
 * Unix socket, its multi interface on the host loop) against a small fake engine served from
 * a thread: an error answer and its message, a chunked answer streamed piece by piece while
 * the loop runs, a request started from inside a body callback, engine_wait without the loop,
 * and the messages for a DOCKER_HOST that is not a Unix socket or has no engine behind it.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../plugins/backend-docker/engine.h"
#include "../support/cunit_main.h"
#include "../support/test_host.h"
#include "base/loop.h"
#include "base/util.h"

static exo_loop_t *loop;
static exo_host_t host;
static char *dir, *sock_path;
static int listen_fd = -1;
static pthread_t server;

/* ---- the fake engine: one thread per connection, one request per connection ---- */

static void send_str(int fd, const char *s)
{
    (void)!write(fd, s, strlen(s));
}

static void *serve_one(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[4096] = "";
    size_t got = 0;
    while (got < sizeof req - 1 && strstr(req, "\r\n\r\n") == NULL) {
        ssize_t n = read(fd, req + got, sizeof req - 1 - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        req[got] = '\0';
    }
    if (strncmp(req, "GET /missing ", 13) == 0) {
        const char *body = "{\"message\":\"no such thing\"}\n";
        char head[256];
        snprintf(head, sizeof head, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
        send_str(fd, head);
        send_str(fd, body);
    } else if (strncmp(req, "GET /stream ", 12) == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     "6\r\nline1\n\r\n");
        usleep(300000);
        send_str(fd, "6\r\nline2\n\r\n0\r\n\r\n");
    } else {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    }
    close(fd);
    return NULL;
}

static void *serve(void *arg)
{
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) {
            return NULL; /* shut down */
        }
        pthread_t t;
        pthread_create(&t, NULL, serve_one, (void *)(intptr_t)c);
        pthread_detach(t);
    }
}

/* ---- tests ---- */

static void test_error_answer_is_quoted(void)
{
    engine_response_t resp;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(engine_call("GET", "/missing", NULL, NULL, 0, 5000, NULL, NULL, &resp,
                                      &err), 0);
    CU_ASSERT_EQUAL(resp.status, 404);
    char msg[100];
    CU_ASSERT_STRING_EQUAL(engine_message(&resp, msg, sizeof msg), "no such thing");
    engine_response_free(&resp);
}

typedef struct streamed {
    exo_buf_t body;
    unsigned long long first_ms, done_ms;
    int pieces;
    bool done, ok;
    engine_request_t *nested; /* started from inside on_body */
    bool nested_done;
} streamed_t;

static void nested_done(void *arg, engine_request_t *r, bool ok)
{
    streamed_t *s = arg;
    s->nested_done = ok && engine_request_response(r)->status == 200;
    engine_request_free(r);
    s->nested = NULL;
}

static void on_piece(void *arg, const char *p, size_t n)
{
    streamed_t *s = arg;
    if (s->pieces++ == 0) {
        s->first_ms = exo_now_ms();
        exo_error_t err = {0};
        s->nested = engine_request_start("POST", "/other", "{}", NULL, nested_done, s, &err);
        CU_ASSERT_PTR_NOT_NULL(s->nested);
    }
    exo_buf_append(&s->body, p, n);
}

static void on_done(void *arg, engine_request_t *r, bool ok)
{
    streamed_t *s = arg;
    s->done = true;
    s->ok = ok;
    s->done_ms = exo_now_ms();
    engine_request_free(r);
}

static bool stream_over(void *arg)
{
    streamed_t *s = arg;
    return s->done && s->nested_done;
}

static void test_stream_on_the_loop(void)
{
    streamed_t s = {0};
    exo_error_t err = {0};
    engine_request_t *r = engine_request_start("GET", "/stream", NULL, on_piece, on_done, &s,
                                               &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    unsigned long long end = exo_now_ms() + 10000;
    while (!stream_over(&s) && exo_now_ms() < end) {
        exo_loop_once(loop, 50);
    }
    CU_ASSERT_TRUE(s.done && s.ok);
    CU_ASSERT_TRUE(s.nested_done);
    CU_ASSERT_STRING_EQUAL(s.body.data ? s.body.data : "", "line1\nline2\n");
    /* The first piece came while the engine still held the second back. */
    CU_ASSERT_TRUE(s.pieces >= 2);
    CU_ASSERT_TRUE(s.done_ms - s.first_ms >= 200);
    exo_buf_free(&s.body);
}

static bool request_done(void *arg)
{
    return ((streamed_t *)arg)->done;
}

static void test_wait_without_the_loop(void)
{
    streamed_t s = {0};
    exo_error_t err = {0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        engine_request_start("DELETE", "/containers/x", NULL, NULL, on_done, &s, &err));
    engine_wait(request_done, &s, 5000);
    CU_ASSERT_TRUE(s.done && s.ok);
}

static void test_docker_host_messages(void)
{
    exo_error_t err = {0};
    engine_response_t resp;
    setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
    CU_ASSERT_EQUAL(engine_call("GET", "/_ping", NULL, NULL, 0, 5000, NULL, NULL, &resp, &err),
                    EXO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "over a Unix socket only"));
    char *nothing = exo_strdupf("unix://%s/nothing.sock", dir);
    setenv("DOCKER_HOST", nothing, 1);
    free(nothing);
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(engine_call("GET", "/_ping", NULL, NULL, 0, 5000, NULL, NULL, &resp, &err),
                    EXO_ERR_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot reach the Docker engine at"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nothing.sock"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Start it"));
    char *back = exo_strdupf("unix://%s", sock_path);
    setenv("DOCKER_HOST", back, 1);
    free(back);
}

static int setup(void)
{
    char tmpl[] = "/tmp/exo-engine-XXXXXX";
    if (mkdtemp(tmpl) == NULL) {
        return 1;
    }
    dir = exo_xstrdup(tmpl);
    sock_path = exo_path_join(dir, "engine.sock");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(listen_fd, 8) != 0) {
        return 1;
    }
    pthread_create(&server, NULL, serve, NULL);
    char *dh = exo_strdupf("unix://%s", sock_path);
    setenv("DOCKER_HOST", dh, 1);
    free(dh);
    loop = exo_loop_new();
    exo_test_host_init(&host, loop, "docker");
    exo_error_t err = {0};
    return engine_init(&host, &err) == 0 ? 0 : 1;
}

static int teardown(void)
{
    engine_fini();
    shutdown(listen_fd, SHUT_RDWR);
    close(listen_fd);
    pthread_join(server, NULL);
    exo_loop_destroy(&loop);
    exo_rm_rf(dir);
    free(sock_path);
    free(dir);
    return 0;
}

static const exo_test_t tests[] = {
    {"an error answer's message is quoted", test_error_answer_is_quoted},
    {"a chunked answer streams on the loop; callbacks may start requests",
     test_stream_on_the_loop},
    {"engine_wait drives requests without the loop", test_wait_without_the_loop},
    {"DOCKER_HOST that is not a Unix socket, or has no engine, is explained",
     test_docker_host_messages},
    {NULL, NULL},
};

int main(void)
{
    return exo_cunit_run("docker engine HTTP", tests, setup, teardown);
}
