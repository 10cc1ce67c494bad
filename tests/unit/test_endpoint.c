/* tests/unit/test_endpoint.c - public endpoints (core/model/endpoint.c): both forms of the
 * value, the default bind, the findings and their positions, the URL a client opens. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/endpoint.h"
#include "../support/cunit_main.h"

/* Parse the `public` value of the YAML @p text into @p p; the findings go to @p diag. */
static void parse(const char *text, exo_diag_t *diag, exo_public_t *p)
{
    exo_diag_init(diag);
    exo_ynode_t *root = exo_yaml_parse("app.yml", text, strlen(text), diag);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    exo_public_parse(exo_ynode_get(root, "public"), "services.web.public", "app.yml", diag, p);
    exo_ynode_free(root);
}

static void test_short_form(void)
{
    exo_diag_t d;
    exo_public_t p;
    parse("public: 3000\n", &d, &p);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_EQUAL(p.port, 3000);
    CU_ASSERT_STRING_EQUAL(p.bind, "127.0.0.1");
    CU_ASSERT_EQUAL(p.line, 1);
    CU_ASSERT_EQUAL(p.column, 9);
    CU_ASSERT_TRUE(exo_public_is_loopback(&p));
    char *url = exo_public_url(&p);
    CU_ASSERT_STRING_EQUAL(url, "http://127.0.0.1:3000");
    free(url);
    exo_public_free(&p);
    exo_diag_free(&d);
}

static void test_map_form_and_wide_bind(void)
{
    exo_diag_t d;
    exo_public_t p;
    parse("public:\n  port: 8080\n  bind: 0.0.0.0\n", &d, &p);
    CU_ASSERT_EQUAL(d.errors, 0);
    CU_ASSERT_EQUAL(d.warnings, 1); /* reachable from other machines */
    CU_ASSERT_EQUAL(p.port, 8080);
    CU_ASSERT_STRING_EQUAL(p.bind, "0.0.0.0");
    CU_ASSERT_FALSE(exo_public_is_loopback(&p));
    char *url = exo_public_url(&p);
    CU_ASSERT_STRING_EQUAL(url, "http://127.0.0.1:8080"); /* what a local browser opens */
    free(url);
    exo_public_free(&p);
    exo_diag_free(&d);
}

static void test_absent_is_private(void)
{
    exo_diag_t d;
    exo_public_t p;
    parse("public:\nother: 1\n", &d, &p);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_EQUAL(p.port, 0);
    CU_ASSERT_PTR_NULL(exo_public_url(&p));
    exo_diag_free(&d);
}

static void test_bad_values(void)
{
    static const struct {
        const char *yaml;
        const char *message; /* a part of the one error */
        int line, column;
    } cases[] = {
        {"public: 0\n", "from 1 to 65535, not '0'", 1, 9},
        {"public: 65536\n", "from 1 to 65535, not '65536'", 1, 9},
        {"public: -1\n", "not '-1'", 1, 9},
        {"public: web\n", "not 'web'", 1, 9},
        {"public: [3000]\n", "not a list", 1, 9},
        {"public: {bind: 127.0.0.1}\n", "missing 'port'", 1, 9},
        {"public: {port: 3000, bnd: 0.0.0.0}\n", "did you mean 'bind'", 1, 22},
        {"public: {port: 3000, bind: localhost}\n", "must be an IPv4 address", 1, 28},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exo_diag_t d;
        exo_public_t p;
        parse(cases[i].yaml, &d, &p);
        CU_ASSERT_EQUAL(d.errors, 1);
        if (d.n > 0) {
            CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, cases[i].message));
            CU_ASSERT_EQUAL(d.entries[0].line, cases[i].line);
            CU_ASSERT_EQUAL(d.entries[0].column, cases[i].column);
        }
        exo_public_free(&p);
        exo_diag_free(&d);
    }
}

static const exo_test_t tests[] = {
    {"public: PORT binds loopback", test_short_form},
    {"public: {port, bind} and a warning for 0.0.0.0", test_map_form_and_wide_bind},
    {"no value is private", test_absent_is_private},
    {"bad values are located errors", test_bad_values},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("endpoint", tests, NULL, NULL)
