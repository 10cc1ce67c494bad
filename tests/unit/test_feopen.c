/* tests/unit/test_feopen.c - core/frontend/feopen.c: an access token (frontend ABI 1.2) goes
 * only to a frontend plugin that declares EXO_FRONTEND_CAP_ACCESS_TOKEN (the real websocket
 * plugin does, the real http plugin does not), and only a token that is one path segment. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frontend/feopen.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static exo_registry_t *reg;

static int setup(void)
{
    setenv("EXO_PLUGIN_PATH", EXO_TEST_PLUGIN_DIR, 1);
    reg = exo_registry_load(NULL, NULL);
    return reg != NULL ? 0 : 1;
}

static int teardown(void)
{
    exo_registry_destroy(&reg);
    return 0;
}

/* open() of a plugin that must never be reached: the core refuses before calling it. */
static exo_frontend_spec_t spec_with(const char *token)
{
    return (exo_frontend_spec_t){.size = sizeof(exo_frontend_spec_t), .app = "t",
                                 .app_dir = "/nonexistent", .role = "web",
                                 .listen = "127.0.0.1:1", .access_token = token};
}

static void test_token_needs_the_capability(void)
{
    const exo_plugin_t *http = exo_registry_find(reg, EXO_KIND_FRONTEND, "http");
    const exo_plugin_t *ws = exo_registry_find(reg, EXO_KIND_FRONTEND, "websocket");
    if (http == NULL || ws == NULL) {
        CU_ASSERT_PTR_NULL_FATAL(getenv("EXO_TEST_REQUIRE_ALL")); /* frontends not built */
        return;
    }
    CU_ASSERT_TRUE(exo_frontend_takes_token(ws));
    CU_ASSERT_FALSE(exo_frontend_takes_token(http));
    CU_ASSERT_FALSE(exo_frontend_takes_token(NULL));
    exo_frontend_spec_t spec = spec_with("0123456789abcdef0123456789abcdef");
    void *inst = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(exo_frontend_open(http, &spec, &inst, &err), EXO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NULL(inst);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "frontend plugin http ("));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot serve behind an access token"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "EXO_FRONTEND_CAP_ACCESS_TOKEN (frontend ABI 1.2)"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "0123456789abcdef")); /* never the token */
}

static void test_token_must_be_a_path_segment(void)
{
    const exo_plugin_t *ws = exo_registry_find(reg, EXO_KIND_FRONTEND, "websocket");
    if (ws == NULL) {
        CU_ASSERT_PTR_NULL_FATAL(getenv("EXO_TEST_REQUIRE_ALL"));
        return;
    }
    static const char *const bad[] = {
        "", "a/b", "a b", "a%2Fb", "..", "x?y",
        "0123456789012345678901234567890123456789" "0123456789012345678901234X", /* 65 */
        NULL,
    };
    for (size_t i = 0; bad[i] != NULL; i++) {
        exo_frontend_spec_t spec = spec_with(bad[i]);
        void *inst = NULL;
        exo_error_t err = {0};
        CU_ASSERT_EQUAL(exo_frontend_open(ws, &spec, &inst, &err), EXO_ERR_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "must be 1 to 64 of [A-Za-z0-9_-]"));
        CU_ASSERT_PTR_NULL(inst);
    }
}

static const exo_test_t tests[] = {
    {"an access token only for a plugin with the capability", test_token_needs_the_capability},
    {"an access token is one path segment", test_token_must_be_a_path_segment},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("feopen", tests, setup, teardown)
