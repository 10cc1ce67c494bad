/* test_natsconf.c - names as subject tokens, exo's subjects, via stamps, contracts and the
 * generated nats-server configuration (docs/bus-nats.md). The configuration is also checked
 * by nats-server itself (`nats-server -t`) when it is installed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "../natsconf.h"
#include "../nmsg.h"
#include "../subject.h"
#include "../../../tests/support/cunit_main.h"

static void check_round_trip(const char *name, size_t len, const char *want)
{
    char *tok = exo_nsubj_escape(name, len);
    CU_ASSERT_STRING_EQUAL(tok, want);
    size_t back_len = 0;
    char *back = exo_nsubj_unescape(tok, strlen(tok), &back_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(back_len, len);
    CU_ASSERT(memcmp(back, name, len) == 0);
    free(tok);
    free(back);
}

static void test_escape_round_trip(void)
{
    check_round_trip("users.list", 10, "users_2elist");
    check_round_trip("tweets create", 13, "tweets_20create");
    check_round_trip("a_b", 3, "a_5fb");
    check_round_trip("caf\xc3\xa9", 5, "caf_c3_a9");
    check_round_trip("*", 1, "_2a");
    check_round_trip(">", 1, "_3e");
    check_round_trip("a..b", 4, "a_2e_2eb");
    check_round_trip("A-Z", 3, "A-Z");
    /* Every byte survives. */
    char all[255];
    for (int i = 0; i < 255; i++) {
        all[i] = (char)(i + 1);
    }
    char *tok = exo_nsubj_escape(all, sizeof all);
    CU_ASSERT(strlen(tok) <= EXO_NSUBJ_TOKEN_MAX);
    CU_ASSERT(strpbrk(tok, ". *>\t\r\n") == NULL);
    size_t len = 0;
    char *back = exo_nsubj_unescape(tok, strlen(tok), &len);
    CU_ASSERT(back != NULL && len == sizeof all && memcmp(back, all, len) == 0);
    free(tok);
    free(back);
}

static void test_unescape_refuses(void)
{
    const char *bad[] = {"", "a_", "a_2", "a_2E", "a_zz", "a_41", "a.b", "a b", "a*"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *r = exo_nsubj_unescape(bad[i], strlen(bad[i]), NULL);
        CU_ASSERT_PTR_NULL(r);
        if (r != NULL) {
            fprintf(stderr, "accepted '%s'\n", bad[i]);
        }
        free(r);
    }
}

static void test_subjects(void)
{
    char *s = exo_nsubj_role("todo", "users", "users.list", "web");
    CU_ASSERT_STRING_EQUAL(s, "exo.todo.r.users.users_2elist.web");
    exo_nsubj_msg_t m;
    CU_ASSERT_EQUAL(exo_nsubj_parse_msg(s, "todo", &m), 0);
    CU_ASSERT_STRING_EQUAL(m.recv, "users");
    CU_ASSERT_PTR_NULL(m.inst);
    CU_ASSERT_STRING_EQUAL(m.name, "users.list");
    CU_ASSERT_STRING_EQUAL(m.sender, "web");
    exo_nsubj_msg_free(&m);
    CU_ASSERT_EQUAL(exo_nsubj_parse_msg(s, "other", &m), -1);
    free(s);
    s = exo_nsubj_direct("todo", "web", "0123abcd", "users listed", "users");
    CU_ASSERT_STRING_EQUAL(s, "exo.todo.d.web.0123abcd.users_20listed.users");
    CU_ASSERT_EQUAL(exo_nsubj_parse_msg(s, "todo", &m), 0);
    CU_ASSERT_STRING_EQUAL(m.inst, "0123abcd");
    CU_ASSERT_STRING_EQUAL(m.name, "users listed");
    exo_nsubj_msg_free(&m);
    free(s);
    const char *bad[] = {"exo.todo.r.users.users_2elist", "exo.todo.x.users.a.b.c",
                         "exo.todo.r.users.bad_zz.web", "exo.todo..users.a.web",
                         "exo.todo.d.web.1.a.b.c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(exo_nsubj_parse_msg(bad[i], "todo", &m), -1);
    }
    s = exo_nsubj_status("todo", "web", "0123", "users", "act.1");
    CU_ASSERT_STRING_EQUAL(s, "exo.todo.x.web.0123.users.act_2e1");
    char *recv = NULL, *act = NULL;
    CU_ASSERT_EQUAL(exo_nsubj_parse_status(s, "todo", &recv, &act), 0);
    CU_ASSERT_STRING_EQUAL(recv, "users");
    CU_ASSERT_STRING_EQUAL(act, "act.1");
    free(recv);
    free(act);
    free(s);
    CU_ASSERT(exo_nsubj_plain_token("web-2_x"));
    CU_ASSERT(!exo_nsubj_plain_token("Web"));
    CU_ASSERT(!exo_nsubj_plain_token("a.b"));
    CU_ASSERT(!exo_nsubj_plain_token(""));
}

static void test_via(void)
{
    char *v = exo_nvia_with(NULL, "web", "aa");
    CU_ASSERT_STRING_EQUAL(v, "web.aa");
    char *w = exo_nvia_with(v, "users", "bb");
    CU_ASSERT_STRING_EQUAL(w, "web.aa,users.bb");
    char *x = exo_nvia_with(w, "web", "cc");
    CU_ASSERT_STRING_EQUAL(x, "web.cc,users.bb");
    char *i = exo_nvia_instance(x, "users");
    CU_ASSERT_STRING_EQUAL(i, "bb");
    free(i);
    CU_ASSERT_PTR_NULL(exo_nvia_instance(x, "use"));
    CU_ASSERT_PTR_NULL(exo_nvia_instance("", "web"));
    char *s = exo_nmsg_subject("todo", "users", "web", "users.listed", x);
    CU_ASSERT_STRING_EQUAL(s, "exo.todo.d.web.cc.users_2elisted.users");
    free(s);
    s = exo_nmsg_subject("todo", "web", "audit", "users.list", x);
    CU_ASSERT_STRING_EQUAL(s, "exo.todo.r.audit.users_2elist.web");
    free(s);
    free(v);
    free(w);
    free(x);
}

static json_t *routes(void)
{
    return json_loads("{\"roles\": {"
                      "\"web\": {\"sends\": [\"users.list\", \"ping\", \"make\"],"
                      "          \"receives\": [\"users.listed\"],"
                      "          \"translations\": [{\"public\": \"tweets create\","
                      "                              \"internal\": \"make\"}]},"
                      "\"users\": {\"sends\": [\"users.listed\"], \"receives\": [\"users.list\"]},"
                      "\"audit\": {\"receives\": [\"users.list\"]},"
                      "\"tweets\": {\"receives\": [\"create\"], \"translations\": "
                      "  [{\"public\": \"tweets create\", \"internal\": \"create\"}]}}}",
                      0, NULL);
}

static void test_contract(void)
{
    json_t *r = routes();
    json_t *c = exo_nconf_contract(r, "todo", "web");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    CU_ASSERT_STRING_EQUAL(text,
        "{\"app\":\"todo\",\"receives\":{\"users.listed\":\"users.listed\"},\"role\":\"web\","
        "\"sends\":{\"make\":{\"public\":\"tweets create\",\"to\":[\"tweets\"]},"
        "\"ping\":{\"public\":\"ping\",\"to\":[]},"
        "\"users.list\":{\"public\":\"users.list\",\"to\":[\"users\",\"audit\"]}}}");
    free(text);
    json_decref(c);
    c = exo_nconf_contract(r, "todo", "tweets");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(c, "receives"),
                                                             "tweets create")), "create");
    json_decref(c);
    CU_ASSERT_PTR_NULL(exo_nconf_contract(r, "todo", "nobody"));
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_nconf_check(r, "todo", &err), 0);
    CU_ASSERT(exo_nconf_check(r, "To Do", &err) < 0);
    CU_ASSERT(strstr(err.message, "app name 'To Do'") != NULL);
    json_object_set_new(json_object_get(r, "roles"), "Bad.Role", json_object());
    CU_ASSERT(exo_nconf_check(r, "todo", &err) < 0);
    CU_ASSERT(strstr(err.message, "role name 'Bad.Role'") != NULL);
    json_decref(r);
}

static char *server_conf(json_t *r, json_t *secrets, exo_error_t *err)
{
    exo_nconf_server_t c = {
        .app = "todo", .routes = r, .host = "127.0.0.1", .port = -1, .max_payload = 4096,
        .secrets = secrets,
        .user_token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    };
    return exo_nconf_server_text(&c, err);
}

/* nats-server -t on @p text: 0 valid, 1 invalid, 77 no nats-server. */
static int nats_server_check(const char *text)
{
    char *bin = exo_which("nats-server");
    if (bin == NULL) {
        return 77;
    }
    char path[] = "/tmp/exo-natsconf-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        free(bin);
        return 1;
    }
    close(fd);
    char *cmd = exo_strdupf("%s -t -c %s >/dev/null 2>&1", bin, path);
    int rc = system(cmd);
    unlink(path);
    free(cmd);
    free(bin);
    return rc == 0 ? 0 : 1;
}

static void test_server_conf(void)
{
    json_t *r = routes();
    json_t *secrets = json_pack("{s:s,s:s,s:s}",
        "web", "1111111111111111111111111111111111111111111111111111111111111111",
        "users", "2222222222222222222222222222222222222222222222222222222222222222",
        "audit", "3333333333333333333333333333333333333333333333333333333333333333");
    exo_error_t err = {0};
    CU_ASSERT_PTR_NULL(server_conf(r, secrets, &err)); /* tweets has no secret */
    CU_ASSERT(strstr(err.message, "no bus secret for role tweets") != NULL);
    json_object_set_new(secrets, "tweets",
        json_string("4444444444444444444444444444444444444444444444444444444444444444"));
    char *text = server_conf(r, secrets, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* web publishes what it sends, in public names, with itself as the sender token. */
    CU_ASSERT(strstr(text, "\"exo.todo.r.*.users_2elist.web\"") != NULL);
    CU_ASSERT(strstr(text, "\"exo.todo.d.*.*.tweets_20create.web\"") != NULL);
    CU_ASSERT(strstr(text, "\"exo.todo.r.*.make.web\"") == NULL);
    /* users subscribes to its own subjects of what it receives only. */
    CU_ASSERT(strstr(text, "\"exo.todo.r.users.users_2elist.*\"") != NULL);
    CU_ASSERT(strstr(text, "\"exo.todo.d.users.*.users_2elist.*\"") != NULL);
    CU_ASSERT(strstr(text, "\"exo.todo.r.tweets.tweets_20create.*\"") != NULL);
    CU_ASSERT(strstr(text, "{user: \"web~user\"") != NULL);
    CU_ASSERT(strstr(text, "\"exo.todo.p.web.user\"") != NULL);
    CU_ASSERT(strstr(text, "max_payload: 4096") != NULL);
    CU_ASSERT(strstr(text, "listen: \"127.0.0.1:-1\"") != NULL);
    int rc = nats_server_check(text);
    if (rc == 77) {
        fprintf(stderr, "nats-server not installed: configuration not checked by it\n");
    } else {
        CU_ASSERT_EQUAL(rc, 0);
        if (rc != 0) {
            fprintf(stderr, "%s\n", text);
        }
    }
    free(text);
    json_decref(secrets);
    json_decref(r);
}

static const exo_test_t tests[] = {
    {"names as tokens round trip", test_escape_round_trip},
    {"tokens exo does not make are refused", test_unescape_refuses},
    {"message and status subjects", test_subjects},
    {"via stamps and the subject a message goes to", test_via},
    {"contracts in public names", test_contract},
    {"nats-server configuration", test_server_conf},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("natsconf", tests, NULL, NULL)
