/* tests/test_router.c - routing table: fan-out, load balancing, stickiness, translation,
 * deny, unknown roles, expiry and table replacement. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../outq.h"
#include "../router.h"
#include "../../../tests/support/cunit_main.h"

static const char *ROUTES =
    "{\"roles\": {"
    " \"web\": {\"sends\": [\"users.list\", \"users.create\"], \"receives\": [\"users.listed\","
    "          \"users.created\"]},"
    " \"users\": {\"sends\": [\"mongo.listed\", \"mongo.created\"],"
    "            \"receives\": [\"mongo.list\", \"mongo.create\"],"
    "            \"translations\": [{\"public\": \"users.list\", \"internal\": \"mongo.list\"},"
    "                               {\"public\": \"users.listed\", \"internal\": \"mongo.listed\"},"
    "                               {\"public\": \"users.create\", \"internal\": \"mongo.create\"},"
    "                               {\"public\": \"users.created\","
    "                                \"internal\": \"mongo.created\"}]},"
    " \"audit\": {\"receives\": [\"users.create\"]}}}";

static exo_rt_t *rt;

static int setup_each(void)
{
    rt = exo_rt_new();
    json_t *j = json_loads(ROUTES, 0, NULL);
    char err[256];
    int rc = exo_rt_set_routes(rt, j, NULL, err, sizeof err);
    json_decref(j);
    return rc;
}

static exo_rt_instance_t *reg(const char *role, unsigned char id, bool transient)
{
    unsigned char rid[5] = {0, 0, 0, 0, id};
    return exo_rt_register(rt, exo_rt_role_find(rt, role, strlen(role)), rid, 5, "t", 1,
                           transient, 1000);
}

static exo_rt_route_t *route(const char *role, const char *name)
{
    return exo_rt_route(rt, exo_rt_role_find(rt, role, strlen(role)), name, strlen(name));
}

static void test_fan_out_and_translation(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    exo_rt_route_t *r = route("web", "users.create");
    CU_ASSERT_TRUE(r->allowed);
    CU_ASSERT_STRING_EQUAL(r->public_name, "users.create");
    CU_ASSERT_EQUAL_FATAL(r->n_recv, 2); /* audit and users, in role order */
    CU_ASSERT_STRING_EQUAL(exo_rt_role_name(rt, r->recv[0].role), "audit");
    CU_ASSERT_STRING_EQUAL(r->recv[0].name, "users.create");
    CU_ASSERT_FALSE(r->recv[0].translated);
    CU_ASSERT_STRING_EQUAL(exo_rt_role_name(rt, r->recv[1].role), "users");
    CU_ASSERT_STRING_EQUAL(r->recv[1].name, "mongo.create");
    CU_ASSERT_TRUE(r->recv[1].translated);
    /* outgoing translation: users sends its internal name, web gets the public one */
    r = route("users", "mongo.listed");
    CU_ASSERT_TRUE(r->allowed);
    CU_ASSERT_STRING_EQUAL(r->public_name, "users.listed");
    CU_ASSERT_EQUAL_FATAL(r->n_recv, 1);
    CU_ASSERT_STRING_EQUAL(r->recv[0].name, "users.listed");
    exo_rt_free(rt);
}

static void test_default_deny(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    exo_rt_route_t *r = route("web", "users.drop");
    CU_ASSERT_FALSE(r->allowed);
    CU_ASSERT_EQUAL(r->n_recv, 0);
    CU_ASSERT_PTR_EQUAL(route("web", "users.drop"), r); /* counted in one place */
    /* the public name of a translated message is not the internal one users may send */
    CU_ASSERT_FALSE(route("users", "users.listed")->allowed);
    CU_ASSERT_FALSE(route("audit", "users.create")->allowed);
    /* a flood of distinct undeclared names stays bounded */
    char name[32];
    exo_rt_route_t *other = NULL;
    for (int i = 0; i < EXO_RT_DENIED_NAMES_MAX + 10; i++) {
        snprintf(name, sizeof name, "junk.%d", i);
        other = route("web", name);
        CU_ASSERT_FALSE(other->allowed);
    }
    CU_ASSERT_PTR_EQUAL(route("web", "junk.99999"), other);
    CU_ASSERT_PTR_NULL(exo_rt_route(rt, 99, "x", 1));
    exo_rt_free(rt);
}

static void test_load_balance_and_sticky(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    int users = exo_rt_role_find(rt, "users", 5);
    exo_rt_instance_t *u1 = reg("users", 1, false), *u2 = reg("users", 2, false);
    exo_rt_instance_t *w1 = reg("web", 3, false), *w2 = reg("web", 4, false);
    int web = exo_rt_role_find(rt, "web", 3);
    CU_ASSERT_PTR_NULL(exo_rt_pick(rt, exo_rt_role_find(rt, "audit", 5), "a", 1, 1000));
    /* round robin for fresh activities */
    exo_rt_instance_t *p1 = exo_rt_pick(rt, users, "act1", 4, 1000);
    exo_rt_instance_t *p2 = exo_rt_pick(rt, users, "act2", 4, 1000);
    CU_ASSERT_PTR_NOT_NULL(p1);
    CU_ASSERT_PTR_NOT_NULL(p2);
    CU_ASSERT_PTR_NOT_EQUAL(p1, p2);
    /* the same activity sticks to its instance */
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, users, "act1", 4, 1001 + i), p1);
    }
    /* replies go back to the web instance that sent in the activity */
    exo_rt_note(rt, w2, "act9", 4, 1000);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, web, "act9", 4, 1000), w2);
    }
    exo_rt_note(rt, w1, "act8", 4, 1000);
    CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, web, "act8", 4, 1000), w1);
    /* fallback when the sticky instance is gone */
    exo_rt_unregister(rt, w2);
    CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, web, "act9", 4, 1000), w1);
    /* expired activities are forgotten (then round robin again) */
    exo_rt_instance_t *later = exo_rt_pick(rt, users, "act1", 4, 1000 + EXO_RT_ACTIVITY_TTL_MS
                                           + 10);
    CU_ASSERT_PTR_NOT_NULL(later);
    (void)u1, (void)u2;
    exo_rt_free(rt);
}

static void test_transient_gets_only_its_activities(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    int web = exo_rt_role_find(rt, "web", 3);
    exo_rt_instance_t *cli = reg("web", 7, true);
    CU_ASSERT_PTR_NULL(exo_rt_pick(rt, web, "fresh", 5, 1000));
    exo_rt_note(rt, cli, "mine", 4, 1000);
    CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, web, "mine", 4, 1000), cli);
    exo_rt_instance_t *w = reg("web", 8, false);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, web, "other", 5, 1000), w);
    }
    CU_ASSERT_PTR_EQUAL(exo_rt_pick(rt, web, "mine", 4, 1000), cli);
    exo_rt_free(rt);
}

static int expired_count;

static void on_expired(void *arg, const exo_rt_instance_t *in)
{
    expired_count++;
}

static void test_register_lookup_expire(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    exo_rt_instance_t *a[40];
    for (int i = 0; i < 40; i++) {
        a[i] = reg("users", (unsigned char)(i + 1), false);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a[i]);
    }
    CU_ASSERT_EQUAL(exo_rt_role_instances(rt, exo_rt_role_find(rt, "users", 5)), 40);
    unsigned char rid[5] = {0, 0, 0, 0, 17};
    CU_ASSERT_PTR_EQUAL(exo_rt_lookup(rt, rid, 5), a[16]);
    CU_ASSERT_PTR_EQUAL(exo_rt_instance_by_id(rt, a[16]->id), a[16]);
    /* re-registering keeps the instance and moves it to the new role */
    exo_rt_instance_t *again = reg("web", 17, false);
    CU_ASSERT_PTR_EQUAL(again, a[16]);
    CU_ASSERT_EQUAL(exo_rt_role_instances(rt, exo_rt_role_find(rt, "users", 5)), 39);
    CU_ASSERT_PTR_NULL(exo_rt_register(rt, -1, rid, 5, "", 0, false, 0));
    CU_ASSERT_EQUAL(exo_rt_role_find(rt, "nosuch", 6), -1);
    CU_ASSERT_EQUAL(exo_rt_role_find(rt, "use", 3), -1);
    a[3]->last_seen = 5000;
    expired_count = 0;
    exo_rt_expire(rt, 2000, on_expired, NULL);
    CU_ASSERT_EQUAL(expired_count, 39);
    CU_ASSERT_EQUAL(exo_rt_role_instances(rt, exo_rt_role_find(rt, "users", 5)), 1);
    rid[4] = 4;
    CU_ASSERT_PTR_EQUAL(exo_rt_lookup(rt, rid, 5), a[3]);
    rid[4] = 5;
    CU_ASSERT_PTR_NULL(exo_rt_lookup(rt, rid, 5));
    exo_rt_free(rt);
}

static void test_stats_and_replace_table(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    reg("users", 1, false);
    reg("audit", 2, false);
    route("web", "users.create")->delivered = 3;
    route("web", "nope")->denied = 2;
    json_t *st = exo_rt_stats(rt);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(json_object_get(st,
        "roles"), "users"), "instances")), 1);
    json_t *routes = json_object_get(st, "routes");
    size_t i;
    json_t *r;
    int seen = 0;
    json_array_foreach(routes, i, r) {
        const char *name = json_string_value(json_object_get(r, "name"));
        if (!strcmp(name, "users.create")) {
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "delivered")), 3);
            CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "receivers")), 2);
            seen++;
        } else if (!strcmp(name, "nope")) {
            CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "denied")), 2);
            CU_ASSERT_TRUE(json_is_false(json_object_get(r, "allowed")));
            seen++;
        }
    }
    CU_ASSERT_EQUAL(seen, 2);
    json_decref(st);
    /* new table without audit: users keeps its instance, audit's is dropped */
    json_t *j = json_loads("{\"roles\": {\"users\": {\"receives\": [\"x\"]}, \"web\": "
                           "{\"sends\": [\"x\"]}}}", 0, NULL);
    char err[256];
    size_t dropped = 0;
    CU_ASSERT_EQUAL(exo_rt_set_routes(rt, j, &dropped, err, sizeof err), 0);
    json_decref(j);
    CU_ASSERT_EQUAL(dropped, 1);
    CU_ASSERT_EQUAL(exo_rt_role_instances(rt, exo_rt_role_find(rt, "users", 5)), 1);
    unsigned char rid[5] = {0, 0, 0, 0, 1};
    CU_ASSERT_PTR_NOT_NULL(exo_rt_lookup(rt, rid, 5));
    CU_ASSERT_EQUAL(route("web", "x")->n_recv, 1);
    exo_rt_free(rt);
}

static void test_bad_tables(void)
{
    const char *bad[] = {
        "[]", "{}", "{\"roles\": []}", "{\"roles\": {\"a\": 1}}",
        "{\"roles\": {\"a\": {\"sends\": \"x\"}}}", "{\"roles\": {\"a\": {\"sends\": [1]}}}",
        "{\"roles\": {\"a\": {\"receives\": [\"\"]}}}",
        "{\"roles\": {\"a\": {\"translations\": [{\"public\": \"x\"}]}}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        exo_rt_t *t = exo_rt_new();
        json_t *j = json_loads(bad[i], 0, NULL);
        char err[256] = "";
        CU_ASSERT_EQUAL(exo_rt_set_routes(t, j, NULL, err, sizeof err), -1);
        CU_ASSERT(strncmp(err, "routes:", 7) == 0);
        json_decref(j);
        exo_rt_free(t);
    }
}

/* via (protocol 3): one stamp per role, the sender's replaces its role's, it names the
 * instance whatever the cache holds, and a gone instance is named (not replaced). */
static void test_via_stamps(void)
{
    CU_ASSERT_EQUAL_FATAL(setup_each(), 0);
    int users = exo_rt_role_find(rt, "users", 5), web = exo_rt_role_find(rt, "web", 3);
    reg("users", 1, false);
    exo_rt_instance_t *u2 = reg("users", 2, false);
    exo_rt_instance_t *w1 = reg("web", 3, false);
    reg("web", 4, false);
    char via[EXO_RT_VIA_MAX + 1], want[64], via2[EXO_RT_VIA_MAX + 1];
    size_t n = exo_rt_via_stamp(rt, w1, "", 0, via);
    snprintf(want, sizeof want, "%d.%u", web, w1->id);
    CU_ASSERT_STRING_EQUAL(via, want);
    CU_ASSERT_EQUAL(n, strlen(want));
    exo_rt_instance_t *to = NULL;
    CU_ASSERT_EQUAL(exo_rt_via_pick(rt, users, via, n, &to), 0); /* no stamp of users: pick */
    CU_ASSERT_EQUAL(exo_rt_via_pick(rt, web, via, n, &to), 1);
    CU_ASSERT_PTR_EQUAL(to, w1);
    /* users (instance 2) answers: both stamps; the web stamp still names w1 */
    size_t n2 = exo_rt_via_stamp(rt, u2, via, n, via2);
    snprintf(want, sizeof want, "%d.%u,%d.%u", web, w1->id, users, u2->id);
    CU_ASSERT_STRING_EQUAL(via2, want);
    CU_ASSERT_EQUAL(exo_rt_via_pick(rt, web, via2, n2, &to), 1);
    CU_ASSERT_PTR_EQUAL(to, w1);
    /* the sender's own role: replaced, not repeated; garbage stamps are dropped */
    n = exo_rt_via_stamp(rt, w1, "x,9.9.9,,7", 10, via);
    snprintf(want, sizeof want, "%d.%u", web, w1->id);
    CU_ASSERT_STRING_EQUAL(via, want);
    /* the named instance is gone: 1 with NULL, never another instance */
    uint32_t gone = w1->id;
    exo_rt_unregister(rt, w1);
    snprintf(want, sizeof want, "%d.%u", web, gone);
    CU_ASSERT_EQUAL(exo_rt_via_pick(rt, web, want, strlen(want), &to), 1);
    CU_ASSERT_PTR_NULL(to);
    /* a long chain keeps the newest stamps within EXO_RT_VIA_MAX */
    char longvia[EXO_RT_VIA_MAX + 1] = "";
    while (strlen(longvia) + 8 < EXO_RT_VIA_MAX) {
        strcat(longvia, "99.1234,");
    }
    strcat(longvia, "99.1");
    n = exo_rt_via_stamp(rt, u2, longvia, strlen(longvia), via);
    CU_ASSERT(n <= EXO_RT_VIA_MAX);
    CU_ASSERT_EQUAL(exo_rt_via_pick(rt, users, via, n, &to), 1);
    CU_ASSERT_PTR_EQUAL(to, u2);
    exo_rt_free(rt);
}

/* The broker skips the name check for names already in the table: only names it checked
 * (or declared names that pass the check) may count as checked. */
static void test_known_routes(void)
{
    rt = exo_rt_new();
    json_t *j = json_loads("{\"roles\": {\"a\": {\"sends\": [\"ok.name\", \"bad\\u0001name\"]},"
                           " \"b\": {\"receives\": [\"ok.name\"]}}}", 0, NULL);
    char err[256];
    CU_ASSERT_EQUAL_FATAL(exo_rt_set_routes(rt, j, NULL, err, sizeof err), 0);
    json_decref(j);
    int a = exo_rt_role_find(rt, "a", 1);
    exo_rt_route_t *ok = exo_rt_route_known(rt, a, "ok.name", 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
    CU_ASSERT_TRUE(ok->name_ok);
    exo_rt_route_t *bad = exo_rt_route_known(rt, a, "bad\001name", 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    CU_ASSERT_FALSE(bad->name_ok);
    /* an unknown name is not created by asking */
    CU_ASSERT_PTR_NULL(exo_rt_route_known(rt, a, "new.name", 8));
    exo_rt_route_t *denied = exo_rt_route(rt, a, "new.name", 8);
    CU_ASSERT_FALSE(denied->allowed);
    CU_ASSERT_PTR_EQUAL(exo_rt_route_known(rt, a, "new.name", 8), denied);
    CU_ASSERT_PTR_NULL(exo_rt_route_known(rt, 99, "ok.name", 7));
    exo_rt_free(rt);
}

/* Frames built on a queue count their bytes until ZeroMQ frees them, also when their buffers
 * are recycled (small ones) or not (large ones). */
static void test_outq_recycles_buffers(void)
{
    exo_outq_t *q = exo_outq_new();
    zmq_msg_t m[64];
    size_t sizes[] = {0, 100, 512, 513, 2048, 4000};
    for (int round = 0; round < 3; round++) {
        size_t total = 0;
        for (int i = 0; i < 64; i++) {
            size_t len = sizes[i % 6];
            CU_ASSERT_EQUAL_FATAL(exo_outq_msg(q, &m[i], len), 0);
            CU_ASSERT_EQUAL(zmq_msg_size(&m[i]), len);
            memset(zmq_msg_data(&m[i]), i, len);
            total += len;
        }
        CU_ASSERT_EQUAL(exo_outq_bytes(q), total);
        for (int i = 0; i < 64; i++) {
            const unsigned char *d = zmq_msg_data(&m[i]);
            CU_ASSERT(zmq_msg_size(&m[i]) == 0 || (d[0] == i && d[zmq_msg_size(&m[i]) - 1] == i));
            zmq_msg_close(&m[i]);
        }
        CU_ASSERT_EQUAL(exo_outq_bytes(q), 0);
        if (round == 1) {
            exo_outq_trim();
        }
    }
    /* a batch counts its messages until it is freed */
    CU_ASSERT_EQUAL_FATAL(exo_outq_msg_n(q, &m[0], 300, 7), 0);
    CU_ASSERT_EQUAL_FATAL(exo_outq_msg(q, &m[1], 100), 0);
    CU_ASSERT_EQUAL(exo_outq_msgs(q), 8);
    CU_ASSERT_EQUAL(exo_outq_bytes(q), 400);
    zmq_msg_close(&m[0]);
    CU_ASSERT_EQUAL(exo_outq_msgs(q), 1);
    zmq_msg_close(&m[1]);
    CU_ASSERT_EQUAL(exo_outq_msgs(q), 0);
    exo_outq_trim();
    exo_outq_release(q);
}

static const exo_test_t tests[] = {
    {"names already in the table", test_known_routes},
    {"queued bytes with recycled buffers", test_outq_recycles_buffers},
    {"via stamps (protocol 3 sticky replies)", test_via_stamps},
    {"fan-out across roles and translation both ways", test_fan_out_and_translation},
    {"default deny", test_default_deny},
    {"load balancing and sticky activities", test_load_balance_and_sticky},
    {"transient instances get only their activities", test_transient_gets_only_its_activities},
    {"register, lookup, expire", test_register_lookup_expire},
    {"stats and replacing the table", test_stats_and_replace_table},
    {"bad routing tables are refused", test_bad_tables},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("router", tests, NULL, NULL)
