/*
 * test_wsproto: the websocket frontend's pure parts: the exo.v1 frames (wsproto.c), the
 * bounded per-client queue (wsqueue.c) and the id -> connection table (wsconns.c).
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../wsconns.h"
#include "../wsproto.h"
#include "../wsqueue.h"
#include "../../../tests/support/cunit_main.h"

#define HEAD 16

static int parse(const char *text, ws_send_t *s, char *why)
{
    return ws_parse_send(text, strlen(text), s, why, 256);
}

static void test_parse_send(void)
{
    ws_send_t s;
    char why[256];
    CU_ASSERT_EQUAL(parse("{\"type\":\"send\",\"name\":\"todo.create\",\"payload\":{\"a\": [1, 2]},"
                          "\"id\":\"r1\",\"timeout\":2500}", &s, why), 0);
    CU_ASSERT_STRING_EQUAL(s.name, "todo.create");
    CU_ASSERT_STRING_EQUAL(s.payload, "{\"a\":[1,2]}");
    CU_ASSERT_EQUAL(s.payload_len, strlen("{\"a\":[1,2]}"));
    CU_ASSERT_STRING_EQUAL(s.id, "r1");
    CU_ASSERT_EQUAL(s.timeout_ms, 2500);
    ws_send_free(&s);
    /* no payload, no id, a number as id, a scalar payload */
    CU_ASSERT_EQUAL(parse("{\"type\":\"send\",\"name\":\"x\"}", &s, why), 0);
    CU_ASSERT_PTR_NULL(s.payload);
    CU_ASSERT_PTR_NULL(s.id);
    ws_send_free(&s);
    CU_ASSERT_EQUAL(parse("{\"type\":\"send\",\"name\":\"x\",\"id\":42,\"payload\":\"hi\"}", &s, why), 0);
    CU_ASSERT_STRING_EQUAL(s.id, "42");
    CU_ASSERT_STRING_EQUAL(s.payload, "\"hi\"");
    ws_send_free(&s);
}

static void test_parse_refused(void)
{
    static const char *bad[] = {
        "", "not json", "[1,2]", "{\"type\":\"send\"}", "{\"name\":\"x\"}",
        "{\"type\":\"subscribe\",\"name\":\"x\"}", "{\"type\":\"send\",\"name\":\"\"}",
        "{\"type\":\"send\",\"name\":7}", "{\"type\":\"send\",\"name\":\"x\",\"timeout\":0}",
        "{\"type\":\"send\",\"name\":\"x\",\"timeout\":\"5s\"}",
        "{\"type\":\"send\",\"name\":\"x\",\"name\":\"y\"}", "{\"type\":\"send\",\"name\":\"x\",",
        "{\"type\":\"send\",\"name\":\"x\",\"id\":\"has space\"}",
        "{\"type\":\"send\",\"name\":\"x\",\"id\":\"\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ws_send_t s;
        char why[256] = "";
        CU_ASSERT_EQUAL(parse(bad[i], &s, why), -1);
        CU_ASSERT(why[0] != '\0');
        ws_send_free(&s);
    }
    /* A bad frame with a good id keeps the id, so that the error answers that request. */
    ws_send_t s;
    char why[256];
    CU_ASSERT_EQUAL(parse("{\"type\":\"send\",\"id\":\"q7\"}", &s, why), -1);
    CU_ASSERT_STRING_EQUAL(s.id, "q7");
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "name"));
    ws_send_free(&s);
    /* A NUL inside the frame is no JSON. */
    CU_ASSERT_EQUAL(ws_parse_send("{\"type\":\0}", 11, &s, why, sizeof why), -1);
    ws_send_free(&s);
}

static char *text(ws_frame_t f)
{
    char *t = strndup(f.buf + HEAD, f.len);
    free(f.buf);
    return t;
}

static void test_frames(void)
{
    char *t = text(ws_frame_welcome("ann", 65536, HEAD));
    CU_ASSERT_STRING_EQUAL(t, "{\"type\":\"welcome\",\"user\":\"ann\",\"max_message_size\":65536}");
    free(t);
    t = text(ws_frame_welcome(NULL, 10, HEAD));
    CU_ASSERT_STRING_EQUAL(t, "{\"type\":\"welcome\",\"user\":null,\"max_message_size\":10}");
    free(t);
    bool bad;
    exo_frontend_msg_t m = {.size = sizeof m, .name = "todo.created", .payload = "{\"id\": 3}",
                            .payload_len = 9, .activity = "act1", .request = "r\"1"};
    t = text(ws_frame_deliver(&m, HEAD, &bad));
    CU_ASSERT_FALSE(bad);
    CU_ASSERT_STRING_EQUAL(t, "{\"type\":\"message\",\"name\":\"todo.created\",\"payload\":{\"id\":3},"
                              "\"activity\":\"act1\",\"re\":\"r\\\"1\"}");
    free(t);
    /* a push (no request), a payload that is not JSON */
    exo_frontend_msg_t p = {.size = sizeof p, .name = "n", .payload = "{oops", .payload_len = 5,
                            .activity = "a"};
    t = text(ws_frame_deliver(&p, HEAD, &bad));
    CU_ASSERT_TRUE(bad);
    CU_ASSERT_STRING_EQUAL(t, "{\"type\":\"message\",\"name\":\"n\",\"payload\":null,\"activity\":\"a\"}");
    free(t);
    exo_frontend_msg_t e = {.size = sizeof e, .error = "denied", .message = "no", .request = "9"};
    t = text(ws_frame_deliver(&e, HEAD, &bad));
    CU_ASSERT_STRING_EQUAL(t, "{\"type\":\"error\",\"re\":\"9\",\"error\":\"denied\",\"message\":\"no\"}");
    free(t);
    t = text(ws_frame_error(NULL, "bad-request", "not JSON", HEAD));
    CU_ASSERT_STRING_EQUAL(t, "{\"type\":\"error\",\"error\":\"bad-request\",\"message\":\"not JSON\"}");
    free(t);
}

static ws_frame_t frame_of_len(size_t n)
{
    ws_frame_t f = {malloc(n + 1), n};
    return f;
}

static void test_queue_bounds(void)
{
    ws_queue_t q = {0};
    /* An empty queue takes one frame over the byte bound. */
    CU_ASSERT_TRUE(ws_queue_push(&q, frame_of_len(500), 4, 100));
    CU_ASSERT_FALSE(ws_queue_push(&q, frame_of_len(1), 4, 100));
    ws_queue_pop(&q);
    CU_ASSERT_EQUAL(q.count, 0);
    CU_ASSERT_EQUAL(q.bytes, 0);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_TRUE(ws_queue_push(&q, frame_of_len(10), 4, 100));
    CU_ASSERT_FALSE(ws_queue_push(&q, frame_of_len(10), 4, 100)); /* count */
    CU_ASSERT_EQUAL(q.count, 4);
    CU_ASSERT_EQUAL(q.bytes, 40);
    CU_ASSERT_FALSE(ws_queue_push(&q, frame_of_len(61), 10, 100)); /* bytes */
    CU_ASSERT_TRUE(ws_queue_push(&q, frame_of_len(60), 10, 100));
    CU_ASSERT_EQUAL(ws_queue_peek(&q)->len, 10);
    ws_queue_clear(&q);
    CU_ASSERT_PTR_NULL(ws_queue_peek(&q));
    CU_ASSERT_EQUAL(q.bytes, 0);
}

static void test_conns(void)
{
    ws_conns_t t = {0};
    static int values[5000];
    for (uint64_t id = 1; id <= 5000; id++)
        ws_conns_put(&t, id, &values[id - 1]);
    CU_ASSERT_EQUAL(t.count, 5000);
    for (uint64_t id = 1; id <= 5000; id += 2)
        ws_conns_del(&t, id);
    ws_conns_del(&t, 99999);
    CU_ASSERT_EQUAL(t.count, 2500);
    int wrong = 0;
    for (uint64_t id = 1; id <= 5000; id++) {
        void *v = ws_conns_get(&t, id);
        if ((id % 2 == 1 && v != NULL) || (id % 2 == 0 && v != &values[id - 1]))
            wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_PTR_NULL(ws_conns_get(&t, 0));
    ws_conns_free(&t);
    CU_ASSERT_PTR_NULL(ws_conns_get(&t, 2));
}

static const exo_test_t tests[] = {
    {"parse a send frame", test_parse_send},
    {"refuse malformed frames with a reason", test_parse_refused},
    {"welcome, message and error frames", test_frames},
    {"the queue is bounded in count and bytes", test_queue_bounds},
    {"connections by id survive deletions", test_conns},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("frontend-websocket", tests, NULL, NULL)
