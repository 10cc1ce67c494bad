/*
 * tests/unit/test_httpreq.c - the http frontend's requests in flight
 * (plugins/frontend-http/httpreq.c): ids never repeat (also for the next request on a
 * keep-alive socket), a client is found by its connection only, a body over the limit is dropped rather than kept, and message names from paths.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/frontend-http/httpreq.h"
#include "../support/cunit_main.h"

static void test_requests_by_connection(void)
{
    http_reqs_t reqs = {0};
    int a_wsi, b_wsi;
    http_req_t *a = http_req_new(&reqs, &a_wsi, "todo.list", NULL);
    http_req_t *b = http_req_new(&reqs, &b_wsi, "todo.list", strdup("tok"));
    CU_ASSERT_STRING_NOT_EQUAL(a->id, b->id);
    CU_ASSERT_PTR_NULL(http_req_by_conn(&reqs, 0)); /* not yet opened: never found */
    a->conn = 7;
    b->conn = 8;
    CU_ASSERT_PTR_EQUAL(http_req_by_conn(&reqs, 7), a);
    CU_ASSERT_PTR_EQUAL(http_req_by_conn(&reqs, 8), b);
    CU_ASSERT_PTR_NULL(http_req_by_conn(&reqs, 9));
    http_req_free(&reqs, a);
    CU_ASSERT_PTR_NULL(http_req_by_conn(&reqs, 7));
    CU_ASSERT_PTR_EQUAL(http_req_by_conn(&reqs, 8), b);
    http_req_t *c = http_req_new(&reqs, &a_wsi, "x", NULL);
    CU_ASSERT_STRING_NOT_EQUAL(c->id, b->id);
    /* the next request of a keep-alive socket: same connection, new id, fresh state */
    char old_id[sizeof b->id];
    strcpy(old_id, b->id);
    http_req_append(b, "{}", 2, 10);
    b->started = b->answered = true;
    http_req_next(&reqs, b, "todo.create");
    CU_ASSERT_STRING_NOT_EQUAL(b->id, old_id);
    CU_ASSERT_STRING_EQUAL(b->name, "todo.create");
    CU_ASSERT_EQUAL(b->body.len, 0);
    CU_ASSERT_FALSE(b->started || b->answered || b->too_large);
    CU_ASSERT_EQUAL(b->conn, 8);
    CU_ASSERT_STRING_EQUAL(b->credential, "tok");
    http_reqs_clear(&reqs);
    CU_ASSERT_PTR_NULL(reqs.head);
}

static void test_body_bounded(void)
{
    http_reqs_t reqs = {0};
    http_req_t *r = http_req_new(&reqs, NULL, "m", NULL);
    CU_ASSERT_TRUE(http_req_append(r, "{\"a\":", 5, 10));
    CU_ASSERT_TRUE(http_req_append(r, "12345", 5, 10)); /* exactly the limit */
    CU_ASSERT_EQUAL(r->body.len, 10);
    CU_ASSERT_FALSE(http_req_append(r, "}", 1, 10));
    CU_ASSERT_TRUE(r->too_large);
    CU_ASSERT_PTR_NULL(r->body.data); /* dropped, not kept */
    CU_ASSERT_FALSE(http_req_append(r, "x", 1, 10));
    CU_ASSERT_EQUAL(r->body.len, 0);
    http_req_t *big = http_req_new(&reqs, NULL, "m", NULL);
    CU_ASSERT_FALSE(http_req_append(big, "0123456789ab", 12, 10));
    CU_ASSERT_FALSE(http_req_append(big, "x", (size_t)-1, 10)); /* no overflow */
    http_reqs_clear(&reqs);
}

static void test_message_names(void)
{
    CU_ASSERT_PTR_NULL(http_message_name_problem("todo.create"));
    CU_ASSERT_PTR_NULL(http_message_name_problem("a-b_c.D9"));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem(""));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem("todo..create"));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem(".todo"));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem("todo."));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem("todo/create"));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem("todo create"));
    CU_ASSERT_PTR_NOT_NULL(http_message_name_problem("t\xc3\xa9"));
}

static const exo_test_t tests[] = {
    {"requests are found by their connection only", test_requests_by_connection},
    {"bodies over the limit are dropped", test_body_bounded},
    {"message names from paths", test_message_names},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("httpreq", tests, NULL, NULL)
