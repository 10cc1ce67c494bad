/* tests/unit/test_yamledit.c - adding a role to application.yml text keeps everything else. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scaffold/yamledit.h"
#include "../support/cunit_main.h"

/* Add role `ping` at ./ping and compare with the exact expected text. */
static void expect_add(const char *in, const char *want)
{
    char *out = NULL;
    exo_error_t err = {0};
    int rc = exo_yamledit_add_service(in, "ping", "./ping", &out, &err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "\nerror: %s\n", err.message);
        return;
    }
    CU_ASSERT_STRING_EQUAL(out, want);
    if (strcmp(out, want) != 0) {
        fprintf(stderr, "\n--- got\n%s--- want\n%s---\n", out, want);
    }
    free(out);
}

static void test_appends_to_block_mapping_keeping_comments(void)
{
    expect_add("# my app\n"
               "name: demo   # the name\n"
               "version: 0.1.0\n"
               "services:\n"
               "  # the web front\n"
               "  web:\n"
               "    location: ./web  # here\n"
               "    # more about web\n"
               "\n"
               "# resources come last\n"
               "resources: {}\n",
               "# my app\n"
               "name: demo   # the name\n"
               "version: 0.1.0\n"
               "services:\n"
               "  # the web front\n"
               "  web:\n"
               "    location: ./web  # here\n"
               "    # more about web\n"
               "  ping:\n"
               "    location: ./ping\n"
               "\n"
               "# resources come last\n"
               "resources: {}\n");
}

static void test_follows_four_space_indentation(void)
{
    expect_add("name: demo\n"
               "services:\n"
               "    web:\n"
               "        location: ./web\n"
               "        depends-on: [db]\n",
               "name: demo\n"
               "services:\n"
               "    web:\n"
               "        location: ./web\n"
               "        depends-on: [db]\n"
               "    ping:\n"
               "        location: ./ping\n");
}

static void test_adds_missing_services_key_with_document_indentation(void)
{
    expect_add("name: demo\n"
               "bus:\n"
               "   listen: tcp://127.0.0.1:0\n"
               "# trailing comment",
               "name: demo\n"
               "bus:\n"
               "   listen: tcp://127.0.0.1:0\n"
               "# trailing comment\n"
               "services:\n"
               "   ping:\n"
               "      location: ./ping\n");
}

static void test_fills_empty_services(void)
{
    expect_add("name: demo\nservices:\nresources: {}\n",
               "name: demo\nservices:\n  ping:\n    location: ./ping\nresources: {}\n");
    expect_add("name: demo\nservices: {}\n# end\n",
               "name: demo\nservices:\n  ping:\n    location: ./ping\n# end\n");
    expect_add("name: demo\nservices: {}  # none yet\n",
               "name: demo\nservices:  # none yet\n  ping:\n    location: ./ping\n");
    expect_add("name: demo\nservices: ~\n",
               "name: demo\nservices:\n  ping:\n    location: ./ping\n");
}

static void test_extends_flow_mapping(void)
{
    expect_add("name: demo\nservices: {web: {location: ./web}}  # flow\n",
               "name: demo\nservices: {web: {location: ./web}, ping: {location: ./ping}}"
               "  # flow\n");
}

static void test_role_with_empty_value_is_not_followed_past_comments(void)
{
    expect_add("services:\n"
               "  web:\n"
               "\n"
               "# about resources\n"
               "resources: {}\n",
               "services:\n"
               "  web:\n"
               "  ping:\n"
               "    location: ./ping\n"
               "\n"
               "# about resources\n"
               "resources: {}\n");
}

static void test_keeps_crlf_and_utf8(void)
{
    expect_add("name: d\xc3\xa9mo # caf\xc3\xa9\r\nservices:\r\n  web: {location: ./w\xc3\xa9}\r\n",
               "name: d\xc3\xa9mo # caf\xc3\xa9\r\nservices:\r\n  web: {location: ./w\xc3\xa9}\r\n"
               "  ping:\r\n    location: ./ping\r\n");
}

static void test_block_scalar_last(void)
{
    expect_add("services:\n"
               "  web:\n"
               "    location: ./web\n"
               "    env:\n"
               "      NOTE: |\n"
               "        line one\n"
               "        line two\n"
               "other: 1\n",
               "services:\n"
               "  web:\n"
               "    location: ./web\n"
               "    env:\n"
               "      NOTE: |\n"
               "        line one\n"
               "        line two\n"
               "  ping:\n"
               "    location: ./ping\n"
               "other: 1\n");
}

static void test_empty_and_comment_only_documents(void)
{
    expect_add("", "services:\n  ping:\n    location: ./ping\n");
    expect_add("# nothing yet\n", "# nothing yet\nservices:\n  ping:\n    location: ./ping\n");
}

static void test_explicit_document_end(void)
{
    expect_add("---\nname: demo\n...\n", "---\nname: demo\nservices:\n  ping:\n"
               "    location: ./ping\n...\n");
}

static void test_refuses_existing_role(void)
{
    char *out = NULL;
    exo_error_t err = {0};
    const char *in = "services:\n  ping:\n    location: ./elsewhere\n";
    CU_ASSERT_EQUAL(exo_yamledit_add_service(in, "ping", "./ping", &out, &err), EXO_ERR_EXISTS);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "services.ping"));
    CU_ASSERT_TRUE(exo_yamledit_has_service(in, "ping"));
    CU_ASSERT_FALSE(exo_yamledit_has_service(in, "web"));
}

static void test_refuses_bad_documents(void)
{
    const char *bad[] = {
        "- a\n- b\n",                      /* a sequence */
        "services: [a, b]\n",              /* services not a mapping */
        "name: demo\n  bad: indent\n",     /* libyaml error */
        "{name: demo}\n",                  /* flow top level */
        "services: plain\n",
        "a: 1\n---\nb: 2\n",                /* two documents */
        "services: {}\nname: x\nservices:\n", /* services twice */
        "a: 1\n...\nb: [\n",                /* an error after the first document */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL;
        exo_error_t err = {0};
        CU_ASSERT_EQUAL(exo_yamledit_add_service(bad[i], "ping", "./ping", &out, &err),
                        EXO_ERR_INVALID);
        CU_ASSERT_PTR_NULL(out);
        CU_ASSERT(err.message[0] != '\0');
    }
}

static const exo_test_t tests[] = {
    {"appends to a block mapping keeping comments", test_appends_to_block_mapping_keeping_comments},
    {"follows four-space indentation", test_follows_four_space_indentation},
    {"adds a missing services key", test_adds_missing_services_key_with_document_indentation},
    {"fills an empty services value", test_fills_empty_services},
    {"extends a flow mapping", test_extends_flow_mapping},
    {"stops before comments after an empty role",
     test_role_with_empty_value_is_not_followed_past_comments},
    {"keeps CRLF and UTF-8", test_keeps_crlf_and_utf8},
    {"inserts after a block scalar", test_block_scalar_last},
    {"empty and comment-only documents", test_empty_and_comment_only_documents},
    {"keeps an explicit document end last", test_explicit_document_end},
    {"refuses an existing role", test_refuses_existing_role},
    {"refuses bad documents", test_refuses_bad_documents},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("yamledit", tests, NULL, NULL)
