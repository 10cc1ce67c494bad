/* tests/unit/test_loader.c - the plugin loader against the fixture plugins in
 * tests/fixtures/plugins*, and the host table each plugin gets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exo/backend.h>

#include "base/env.h"
#include "plugins/host.h"
#include "plugins/registry.h"
#include "base/loop.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static char *fixtures, *fixtures_dup;

static int setup(void)
{
    const char *b = getenv("EXO_TOP_BUILDDIR");
    if (b == NULL) {
        b = ".";
    }
    char *abs = realpath(b, NULL);
    if (abs == NULL) {
        return 1;
    }
    fixtures = exo_strdupf("%s/tests/fixtures/plugins/.libs", abs);
    fixtures_dup = exo_strdupf("%s/tests/fixtures/plugins-dup/.libs", abs);
    free(abs);
    return 0;
}

static int teardown(void)
{
    free(fixtures);
    free(fixtures_dup);
    return 0;
}

static exo_registry_t *load_fixtures(void)
{
    /* The relative entry must be skipped with a warning, not searched. */
    char *path = exo_strdupf("%s:tests/fixtures/plugins/.libs:%s", fixtures, fixtures_dup);
    setenv("EXO_PLUGIN_PATH", path, 1);
    free(path);
    return exo_registry_load(NULL, NULL);
}

static const exo_plugin_t *by_file(const exo_registry_t *reg, const char *dir, const char *file)
{
    char *want = exo_strdupf("%s/%s", dir, file);
    const exo_plugin_t *found = NULL;
    for (size_t i = 0; i < exo_registry_count(reg); i++) {
        const exo_plugin_t *p = exo_registry_at(reg, i);
        if (strcmp(p->path, want) == 0) {
            found = p;
        }
    }
    free(want);
    return found;
}

#define ASSERT_ERROR_HAS(p, text)                                          \
    do {                                                                   \
        CU_ASSERT_FATAL((p) != NULL);                                      \
        CU_ASSERT_FALSE((p)->ok);                                          \
        CU_ASSERT_PTR_NOT_NULL_FATAL((p)->error);                          \
        if (strstr((p)->error, (text)) == NULL) {                          \
            fprintf(stderr, "\n  '%s' lacks '%s'\n", (p)->error, (text));  \
            CU_FAIL("error message");                                      \
        }                                                                  \
    } while (0)

static void test_good_plugin_loads(void)
{
    exo_registry_t *reg = load_fixtures();
    const exo_plugin_t *p = by_file(reg, fixtures, "good.so");
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_TRUE(p->ok);
    CU_ASSERT_PTR_NULL(p->error);
    CU_ASSERT_STRING_EQUAL(p->name, "good");
    CU_ASSERT_EQUAL(p->kind, EXO_KIND_BACKEND);
    CU_ASSERT_STRING_EQUAL(p->version, "1.2.3");
    CU_ASSERT_EQUAL(p->abi_major, EXO_PLUGIN_ABI_MAJOR);
    CU_ASSERT_EQUAL(p->abi_minor, EXO_PLUGIN_ABI_MINOR);
    CU_ASSERT_PTR_NOT_NULL(p->host);
    CU_ASSERT_PTR_EQUAL(exo_registry_find(reg, EXO_KIND_BACKEND, "good"), p);
    CU_ASSERT_PTR_NULL(exo_registry_find(reg, EXO_KIND_RESOURCE, "good"));
    const exo_backend_ops_t *ops = p->desc->ops;
    exo_error_t err = {0, ""};
    CU_ASSERT_EQUAL(ops->probe(p->host, &err), 0);
    char *names = exo_registry_names(reg, EXO_KIND_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(names, "good"));
    CU_ASSERT_PTR_NOT_NULL(strstr(names, "newer-minor"));
    CU_ASSERT_PTR_NULL(strstr(names, "wrong-major"));
    free(names);
    exo_registry_destroy(&reg);
    CU_ASSERT_PTR_NULL(reg);
}

static void test_wrong_major_names_both_versions(void)
{
    exo_registry_t *reg = load_fixtures();
    const exo_plugin_t *p = by_file(reg, fixtures, "wrong_major.so");
    char *theirs = exo_strdupf("ABI %d.3", EXO_PLUGIN_ABI_MAJOR + 1);
    char *ours = exo_strdupf("ABI %d.%d", EXO_PLUGIN_ABI_MAJOR, EXO_PLUGIN_ABI_MINOR);
    ASSERT_ERROR_HAS(p, "plugin wrong-major");
    ASSERT_ERROR_HAS(p, theirs);
    ASSERT_ERROR_HAS(p, ours);
    ASSERT_ERROR_HAS(p, "rebuild it against exo-plugin.pc");
    CU_ASSERT_EQUAL(p->abi_major, (unsigned)EXO_PLUGIN_ABI_MAJOR + 1);
    CU_ASSERT_PTR_NULL(exo_registry_find(reg, EXO_KIND_BACKEND, "wrong-major"));
    free(theirs);
    free(ours);
    exo_registry_destroy(&reg);
}

static void test_newer_minor_loads(void)
{
    exo_registry_t *reg = load_fixtures();
    const exo_plugin_t *p = by_file(reg, fixtures, "newer_minor.so");
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_TRUE(p->ok);
    CU_ASSERT_EQUAL(p->abi_minor, (unsigned)EXO_PLUGIN_ABI_MINOR + 1);
    exo_registry_destroy(&reg);
}

static void test_broken_plugins_are_reported(void)
{
    exo_registry_t *reg = load_fixtures();
    ASSERT_ERROR_HAS(by_file(reg, fixtures, "no_symbol.so"), "does not export exo_plugin_describe");
    ASSERT_ERROR_HAS(by_file(reg, fixtures, "null_desc.so"), "exo_plugin_describe() returned NULL");
    ASSERT_ERROR_HAS(by_file(reg, fixtures, "small_desc.so"), "descriptor is 8 bytes, smaller");
    ASSERT_ERROR_HAS(by_file(reg, fixtures, "null_op.so"), "mandatory operation start is NULL");
    ASSERT_ERROR_HAS(by_file(reg, fixtures, "init_fails.so"),
                     "init failed: the fixture engine is switched off");
    const exo_plugin_t *p = by_file(reg, fixtures, "no_symbol.so");
    CU_ASSERT_STRING_EQUAL(p->name, "no_symbol"); /* the file stem when nothing better */
    exo_registry_destroy(&reg);
}

static void test_duplicate_first_wins(void)
{
    exo_registry_t *reg = load_fixtures();
    const exo_plugin_t *first = by_file(reg, fixtures, "good.so");
    const exo_plugin_t *dup = by_file(reg, fixtures_dup, "dup.so");
    CU_ASSERT_FATAL(first != NULL && dup != NULL);
    char *want = exo_strdupf("duplicate of %s", first->path);
    ASSERT_ERROR_HAS(dup, want);
    free(want);
    CU_ASSERT_PTR_EQUAL(exo_registry_find(reg, EXO_KIND_BACKEND, "good"), first);
    CU_ASSERT_STRING_EQUAL(exo_registry_find(reg, EXO_KIND_BACKEND, "good")->version, "1.2.3");
    exo_registry_destroy(&reg);
}

static void test_app_local_plugins_and_state_dir(void)
{
    char tmpl[] = "/tmp/exo-loader-XXXXXX";
    char *app = mkdtemp(tmpl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    char *pdir = exo_strdupf("%s/.exo/plugins", app);
    CU_ASSERT_EQUAL(exo_mkdir_p(pdir, 0755), 0);
    char *target = exo_strdupf("%s/good.so", fixtures);
    char *link = exo_strdupf("%s/good.so", pdir);
    CU_ASSERT_EQUAL(symlink(target, link), 0);
    setenv("EXO_PLUGIN_PATH", "", 1);
    exo_registry_t *reg = exo_registry_load(app, NULL);
    const exo_plugin_t *p = exo_registry_find(reg, EXO_KIND_BACKEND, "good");
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_STRING_EQUAL(p->path, link);
    char *want = exo_strdupf("%s/.exo/state/backend-good", app);
    CU_ASSERT_FALSE(exo_path_is_dir(want));
    const char *sd = p->host->state_dir(p->host);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sd);
    CU_ASSERT_STRING_EQUAL(sd, want);
    CU_ASSERT_TRUE(exo_path_is_dir(want));
    exo_registry_destroy(&reg);
    exo_rm_rf(app);
    free(want);
    free(pdir);
    free(target);
    free(link);
}

static int fired;

static void on_timer(void *arg)
{
    fired++;
    exo_loop_stop(arg);
}

static void test_host_services(void)
{
    exo_host_t *h = exo_host_new(EXO_KIND_RESOURCE, "pg", NULL, NULL);
    CU_ASSERT_EQUAL(h->size, sizeof(exo_host_t));
    CU_ASSERT_EQUAL(h->abi_major, EXO_PLUGIN_ABI_MAJOR);
    CU_ASSERT_PTR_NULL(h->state_dir(h));
    CU_ASSERT_EQUAL(h->timer_add(h, 1, false, on_timer, NULL), EXO_ERR_UNSUPPORTED);
    CU_ASSERT_EQUAL(h->watch_fd(h, 0, EXO_EV_READ, NULL, NULL), EXO_ERR_UNSUPPORTED);
    CU_ASSERT_EQUAL(h->post(h, on_timer, NULL), EXO_ERR_UNSUPPORTED);

    json_t *cfg = json_pack("{s:s, s:{s:{s:i}}}", "image", "postgres:16", "build", "args", "n", 3);
    CU_ASSERT_STRING_EQUAL(json_string_value(h->config_get(cfg, "image")), "postgres:16");
    CU_ASSERT_EQUAL(json_integer_value(h->config_get(cfg, "build.args.n")), 3);
    CU_ASSERT_PTR_NULL(h->config_get(cfg, "build.nope"));
    CU_ASSERT_PTR_NULL(h->config_get(cfg, "image.x"));
    CU_ASSERT_PTR_NULL(h->config_get(cfg, "build..args"));
    CU_ASSERT_PTR_NULL(h->config_get(NULL, "image"));
    json_decref(cfg);

    void *buf = h->alloc(16);
    CU_ASSERT_PTR_NOT_NULL(buf);
    h->free(buf);

    /* Log lines carry the plugin's kind and name. */
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    dup2(fileno(tmp), 2);
    h->log(h, EXO_LOG_WARN, "disk %d%% full", 93);
    h->log(h, (exo_log_level_t)42, "from a future level");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char line[256] = "";
    rewind(tmp);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, tmp));
    fclose(tmp);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "warning"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "resource pg: disk 93% full"));
    exo_host_destroy(&h);
    CU_ASSERT_PTR_NULL(h);

    exo_loop_t *loop = exo_loop_new();
    h = exo_host_new(EXO_KIND_BACKEND, "process", NULL, loop);
    fired = 0;
    CU_ASSERT(h->timer_add(h, 1, false, on_timer, loop) > 0);
    CU_ASSERT_EQUAL(exo_loop_run(loop), 0);
    CU_ASSERT_EQUAL(fired, 1);
    exo_host_destroy(&h);
    exo_loop_destroy(&loop);
}

static void test_env_set_through_host(void)
{
    exo_host_t *h = exo_host_new(EXO_KIND_RESOURCE, "redis", NULL, NULL);
    exo_env_t *env = exo_env_new();
    CU_ASSERT_EQUAL(h->env_set(env, "REDIS_URL", "redis://127.0.0.1:6379", 0), 0);
    CU_ASSERT(h->env_set(env, "1BAD", "x", 0) < 0);
    CU_ASSERT(h->env_set(NULL, "X", "x", 0) < 0);
    exo_env_destroy(&env);
    exo_host_destroy(&h);
}

static void test_kind_filter_skips_other_kinds_unopened(void)
{
    /* The tree's own plugins follow the <kind>_<name>.so naming. */
    const char *top = getenv("EXO_TOP_BUILDDIR");
    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    char *dir = exo_strdupf("%s/plugins/.libs", top);
    char *path = exo_strdupf("%s:%s", dir, fixtures);
    setenv("EXO_PLUGIN_PATH", path, 1);
    exo_registry_t *reg = exo_registry_load_kinds(NULL, NULL, EXO_KIND_BIT(EXO_KIND_TRANSPORT));
    CU_ASSERT_PTR_NOT_NULL(exo_registry_find(reg, EXO_KIND_TRANSPORT, "zmq"));
    CU_ASSERT_PTR_NULL(by_file(reg, dir, "backend_process.so"));
    for (size_t i = 0; i < exo_registry_count(reg); i++) {
        const exo_plugin_t *p = exo_registry_at(reg, i);
        /* Fixtures are not named after a kind, so they are still opened. */
        if (strncmp(p->path, dir, strlen(dir)) == 0) {
            CU_ASSERT_EQUAL(p->kind, EXO_KIND_TRANSPORT);
        }
    }
    CU_ASSERT_PTR_NOT_NULL(by_file(reg, fixtures, "good.so"));
    exo_registry_destroy(&reg);
    reg = exo_registry_load(NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL(by_file(reg, dir, "backend_process.so"));
    exo_registry_destroy(&reg);
    free(path);
    free(dir);
}

static const exo_test_t tests[] = {
    {"good plugin loads", test_good_plugin_loads},
    {"wrong ABI major names both versions", test_wrong_major_names_both_versions},
    {"newer ABI minor loads", test_newer_minor_loads},
    {"broken plugins are reported", test_broken_plugins_are_reported},
    {"duplicate: first wins", test_duplicate_first_wins},
    {"app-local plugins and state dir", test_app_local_plugins_and_state_dir},
    {"host services", test_host_services},
    {"env_set through the host", test_env_set_through_host},
    {"kind filter skips other kinds unopened", test_kind_filter_skips_other_kinds_unopened},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("loader", tests, setup, teardown)
