/* tests/unit/test_loader.c - the plugin loader against the fixture plugins in
 * tests/fixtures/plugins*, and the host table each plugin gets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exo/backend.h>

#include "base/env.h"
#include "model/app.h"
#include "plugins/host.h"
#include "plugins/registry.h"
#include "plugins/settings.h"
#include "base/loop.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static char *fixtures, *fixtures_dup, *fixtures_keys, *fixtures_abi10;

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
    fixtures_keys = exo_strdupf("%s/tests/fixtures/plugins-keys/.libs", abs);
    fixtures_abi10 = exo_strdupf("%s/tests/fixtures/plugins-abi10/.libs", abs);
    free(abs);
    return 0;
}

static int teardown(void)
{
    free(fixtures);
    free(fixtures_dup);
    free(fixtures_keys);
    free(fixtures_abi10);
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

/* Without .load_app the app's own plugins are recorded unopened (skipped), and a message
 * about a plugin not found says why; with it they load. */
static void test_app_local_plugins_closed_unless_asked(void)
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
    exo_registry_opts_t o = {.app_dir = app};
    exo_registry_t *reg = exo_registry_open(&o);
    CU_ASSERT_EQUAL_FATAL(exo_registry_count(reg), 1);
    const exo_plugin_t *p = exo_registry_at(reg, 0);
    CU_ASSERT_TRUE(p->skipped);
    CU_ASSERT_FALSE(p->ok);
    CU_ASSERT_STRING_EQUAL(p->path, link);
    CU_ASSERT_PTR_NULL(exo_registry_find(reg, EXO_KIND_BACKEND, "good"));
    CU_ASSERT_PTR_NOT_NULL(strstr(exo_registry_skipped_note(reg), "--load-app"));
    exo_registry_destroy(&reg);
    o.load_app = true;
    reg = exo_registry_open(&o);
    CU_ASSERT_PTR_NOT_NULL(exo_registry_find(reg, EXO_KIND_BACKEND, "good"));
    CU_ASSERT_STRING_EQUAL(exo_registry_skipped_note(reg), "");
    exo_registry_destroy(&reg);
    exo_rm_rf(app);
    free(pdir);
    free(target);
    free(link);
}

/* A plugin directory every user can write: its files are refused, unopened, with why. */
static void test_writable_directory_refused(void)
{
    char tmpl[] = "/tmp/exo-loader-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *target = exo_strdupf("%s/good.so", fixtures);
    char *link = exo_strdupf("%s/good.so", dir);
    CU_ASSERT_EQUAL(symlink(target, link), 0);
    CU_ASSERT_EQUAL(chmod(dir, 0777), 0);
    setenv("EXO_PLUGIN_PATH", dir, 1);
    exo_registry_t *reg = exo_registry_load(NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(exo_registry_count(reg), 1);
    const exo_plugin_t *p = exo_registry_at(reg, 0);
    CU_ASSERT_FALSE(p->ok);
    CU_ASSERT_FALSE(p->skipped);
    CU_ASSERT_PTR_NOT_NULL(strstr(p->error, "every user can write it (mode 0777)"));
    exo_registry_destroy(&reg);
    CU_ASSERT_EQUAL(chmod(dir, 0755), 0); /* the same directory, safe again: it loads */
    reg = exo_registry_load(NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL(exo_registry_find(reg, EXO_KIND_BACKEND, "good"));
    exo_registry_destroy(&reg);
    exo_rm_rf(dir);
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
    exo_host_t *h = exo_host_new(exo_kind_name(EXO_KIND_RESOURCE), "pg", NULL, NULL);
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
    h = exo_host_new(exo_kind_name(EXO_KIND_BACKEND), "process", NULL, loop);
    fired = 0;
    CU_ASSERT(h->timer_add(h, 1, false, on_timer, loop) > 0);
    CU_ASSERT_EQUAL(exo_loop_run(loop), 0);
    CU_ASSERT_EQUAL(fired, 1);
    exo_host_destroy(&h);
    exo_loop_destroy(&loop);
}

static void test_env_set_through_host(void)
{
    exo_host_t *h = exo_host_new(exo_kind_name(EXO_KIND_RESOURCE), "redis", NULL, NULL);
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

/* ---- declared configuration and the settings check ---- */

static exo_registry_t *load_dir(const char *a, const char *b)
{
    char *path = exo_strdupf("%s%s%s", a, b ? ":" : "", b ? b : "");
    setenv("EXO_PLUGIN_PATH", path, 1);
    free(path);
    return exo_registry_load_kinds(NULL, NULL, EXO_KINDS_ALL);
}

static void test_declared_config_read_by_size(void)
{
    exo_registry_t *reg = load_dir(fixtures_keys, fixtures_abi10);
    const exo_plugin_t *keyed = exo_registry_find(reg, EXO_KIND_RESOURCE, "keyed");
    CU_ASSERT_PTR_NOT_NULL_FATAL(keyed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keyed->config);
    CU_ASSERT_STRING_EQUAL(keyed->config[0].name, "version");
    CU_ASSERT_EQUAL(keyed->config[0].type, EXO_CONFIG_INT);
    CU_ASSERT_PTR_NULL(keyed->config[8].name);
    CU_ASSERT_PTR_NULL(keyed->config_section);
    const exo_plugin_t *boxed = exo_registry_find(reg, EXO_KIND_BACKEND, "boxed");
    CU_ASSERT_PTR_NOT_NULL_FATAL(boxed);
    CU_ASSERT_STRING_EQUAL(boxed->config_section, "box");
    const exo_plugin_t *plain = exo_registry_find(reg, EXO_KIND_BACKEND, "plain");
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain->config); /* declared: reads nothing */
    CU_ASSERT_PTR_NULL(plain->config[0].name);
    CU_ASSERT_PTR_NULL(exo_registry_find(reg, EXO_KIND_RESOURCE, "bare")->config);
    /* Built against the 1.0 headers: its descriptor ends at ops; nothing past it is read. */
    const exo_plugin_t *old = exo_registry_find(reg, EXO_KIND_BACKEND, "old");
    CU_ASSERT_PTR_NOT_NULL_FATAL(old);
    CU_ASSERT_TRUE(old->ok);
    CU_ASSERT_EQUAL(old->abi_major, 1);
    CU_ASSERT_EQUAL(old->abi_minor, 0);
    CU_ASSERT_EQUAL(old->desc->size, offsetof(exo_plugin_desc_t, config));
    CU_ASSERT_PTR_NULL(old->config);
    CU_ASSERT_PTR_NULL(old->config_section);
    /* The JSON of exo plugins --json. */
    json_t *j = exo_settings_keys_json(keyed);
    CU_ASSERT_EQUAL(json_array_size(j), 8);
    json_t *want = json_pack("{s:s, s:s, s:n, s:s, s:b, s:b}", "name", "token", "type",
                             "string", "default", "doc", "access token", "required", 1,
                             "secret", 1);
    CU_ASSERT_TRUE(json_equal(json_array_get(j, 7), want));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(j, 0), "default")),
                           "15");
    json_decref(want);
    json_decref(j);
    CU_ASSERT_PTR_NULL(exo_settings_keys_json(old));
    /* A table exo cannot check against makes the plugin unusable, with the reason. */
    CU_ASSERT_PTR_NULL(exo_registry_find(reg, EXO_KIND_RESOURCE, "badkeys"));
    const exo_plugin_t *bad = by_file(reg, fixtures_keys, "resource_badkeys.so");
    ASSERT_ERROR_HAS(bad, "resource plugin badkeys: config key 1 ('Not Valid') has an invalid "
                          "name or type");
    CU_ASSERT_PTR_NULL(bad->config);
    exo_registry_destroy(&reg);
}

static char *settings_app;
static exo_diag_t sdiag;

static void put(const char *rel, const char *text)
{
    char *path = exo_path_join(settings_app, rel);
    char *dir = exo_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    exo_mkdir_p(dir, 0755);
    CU_ASSERT_EQUAL(exo_write_file_atomic(path, text, strlen(text)), 0);
    free(dir);
    free(path);
}

/* Load the app written with put() and check it against the plugins in @p dirs. Returns the
 * errors the check added; findings in sdiag. */
static size_t check_settings(const char *dirs)
{
    exo_diag_free(&sdiag);
    exo_diag_init(&sdiag);
    exo_app_t *app = exo_app_load(settings_app, &sdiag);
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    CU_ASSERT_EQUAL(sdiag.n, 0);
    exo_registry_t *reg = load_dir(dirs, NULL);
    size_t errors = exo_settings_check_app(app, reg, &sdiag);
    exo_registry_destroy(&reg);
    exo_app_destroy(&app);
    return errors;
}

static bool has(exo_severity_t sev, const char *file, int line, int col, const char *text)
{
    for (size_t i = 0; i < sdiag.n; i++) {
        const exo_diag_entry_t *e = &sdiag.entries[i];
        size_t a = strlen(e->file), b = strlen(file);
        if (e->severity == sev && a >= b && strcmp(e->file + a - b, file) == 0 &&
            e->line == line && e->column == col && strstr(e->message, text) != NULL) {
            return true;
        }
    }
    for (size_t i = 0; i < sdiag.n; i++) {
        fprintf(stderr, "\n  have: %s:%d:%d: %s", sdiag.entries[i].file, sdiag.entries[i].line,
                sdiag.entries[i].column, sdiag.entries[i].message);
    }
    fprintf(stderr, "\n  want: %s:%d:%d: ...%s...\n", file, line, col, text);
    return false;
}

#define ERR(file, line, col, text) CU_ASSERT(has(EXO_SEV_ERROR, file, line, col, text))
#define WARN(file, line, col, text) CU_ASSERT(has(EXO_SEV_WARNING, file, line, col, text))

static void settings_setup(void)
{
    char tmpl[] = "/tmp/exo-test-settings-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    settings_app = exo_xstrdup(tmpl);
    exo_diag_init(&sdiag);
}

static void settings_teardown(void)
{
    exo_diag_free(&sdiag);
    exo_rm_rf(settings_app);
    free(settings_app);
    settings_app = NULL;
}

static void test_settings_resources(void)
{
    settings_setup();
    put("application.yml",
        "name: t\n"
        "resources:\n"
        "  db:\n"
        "    type: keyed\n"
        "    verison: 15\n"
        "    version: fifteen\n"
        "    persistence: maybe\n"
        "    memory: 512m\n"
        "    ratio: 0.5\n"
        "    databases: [a, b]\n"
        "    extra: {anything: 1}\n"
        "    image:\n"
        "  ok:\n"
        "    type: keyed\n"
        "    token: t0ken\n"
        "    version: \"16\"\n" /* quoted whole numbers are whole numbers */
        "    memory: 1048576\n"
        "  bad:\n"
        "    type: keyed\n"
        "    token: [s3cret]\n"
        "    databases: one\n"
        "    zzzz: 1\n"
        "  cache:\n"
        "    type: bare\n"
        "    anything: 1\n"
        "  other:\n"
        "    type: nothere\n"
        "    anything: 1\n");
    size_t errors = check_settings(fixtures_keys);
    ERR("application.yml", 5, 5, "resources.db: unknown key 'verison'; did you mean 'version'?");
    ERR("application.yml", 6, 14, "resources.db.version must be a whole number (int), not "
        "'fifteen'");
    ERR("application.yml", 7, 18, "resources.db.persistence must be true or false (bool)");
    ERR("application.yml", 3, 3, "resources.db is missing 'token', which resource plugin keyed "
        "requires: access token");
    ERR("application.yml", 20, 12, "resources.bad.token must be a single value (string), not a "
        "list");
    ERR("application.yml", 21, 16, "resources.bad.databases must be a list of values");
    ERR("application.yml", 22, 5, "resources.bad: unknown key 'zzzz' (resource plugin keyed "
        "knows: version, image, persistence, memory, ratio, databases, extra, token)");
    WARN("application.yml", 26, 3, "resources.other: its keys are not checked: no working "
         "resource plugin 'nothere' is installed (installed: ");
    CU_ASSERT_EQUAL(errors, 7);
    CU_ASSERT_EQUAL(sdiag.errors, 7);
    CU_ASSERT_EQUAL(sdiag.warnings, 1);
    settings_teardown();
}

static void test_settings_secret_never_echoed(void)
{
    settings_setup();
    put("application.yml", "name: t\nresources:\n  db:\n    type: keyed\n"
                           "    token: {v: hunter2}\n");
    CU_ASSERT_EQUAL(check_settings(fixtures_keys), 1);
    ERR("application.yml", 5, 12, "resources.db.token must be a single value (string), not a map");
    settings_teardown();
}

static void test_settings_backends(void)
{
    settings_setup();
    put("application.yml",
        "name: t\n"
        "backend: boxed\n"
        "services:\n"
        "  web:\n"
        "    location: web\n"
        "    options:\n"
        "      cpus: 2\n"
        "      memory: 1g\n"
        "      cpu: 1\n"
        "  api:\n"
        "    location: api\n"
        "  lone:\n"
        "    location: web\n"
        "    backend: nothere\n"
        "  plain:\n"
        "    location: api\n"
        "    backend: plain\n");
    put("web/service.yml",
        "startup:\n  command: ./run\n"
        "box:\n  image: x\n  memroy: 1g\n  cpus: many\n"
        "bxo:\n  image: y\n"
        "zzzz:\n  a: 1\n");
    put("api/service.yml", "startup:\n  command: ./run\n");
    size_t errors = check_settings(fixtures_keys);
    ERR("web/service.yml", 5, 3, "box: unknown key 'memroy'; did you mean 'memory'?");
    ERR("web/service.yml", 6, 9, "box.cpus must be a number (number), not 'many'");
    ERR("web/service.yml", 7, 1, "unknown key 'bxo' in service.yml; did you mean 'box'?");
    ERR("web/service.yml", 9, 1, "unknown key 'zzzz' in service.yml: no installed backend reads "
        "a section of that name (known keys: type, description, setup, startup, test, "
        "messages, port, env, box)");
    ERR("application.yml", 9, 7, "services.web.options: unknown key 'cpu'; did you mean 'cpus'?");
    ERR("application.yml", 10, 3, "services.api is missing 'image', which backend boxed "
        "requires: image to run");
    WARN("application.yml", 12, 3, "services.lone: its backend settings are not checked: no "
         "working backend 'nothere' is installed");
    /* web's service.yml is reported once although lone shares it; plain needs nothing. */
    CU_ASSERT_EQUAL(errors, 6);
    CU_ASSERT_EQUAL(sdiag.errors, 6);
    CU_ASSERT_EQUAL(sdiag.warnings, 1);
    settings_teardown();
}

static void test_settings_bus(void)
{
    settings_setup();
    put("application.yml", "name: t\nbus:\n  transport: keybus\n  listen: tcp://x:1\n"
                           "  hwm: lots\n  lisen: x\n  max-message-size: 1MiB\n");
    CU_ASSERT_EQUAL(check_settings(fixtures_keys), 2);
    ERR("application.yml", 5, 8, "bus.hwm must be a whole number (int), not 'lots'");
    ERR("application.yml", 6, 3, "bus: unknown key 'lisen'; did you mean 'listen'?");
    put("application.yml", "name: t\nbus:\n  transport: zmqq\n  listen: tcp://x:1\n");
    CU_ASSERT_EQUAL(check_settings(fixtures_keys), 0);
    WARN("application.yml", 2, 1, "bus: its keys are not checked: no working transport plugin "
         "'zmqq' is installed");
    settings_teardown();
}

static void test_settings_undeclared_plugins_unchecked(void)
{
    /* An ABI 1.0 backend declares nothing: it may read any section or option, so neither an
     * unclaimed section nor an unknown option is an error while it is installed. */
    settings_setup();
    put("application.yml", "name: t\nbackend: old\nservices:\n  web:\n    location: web\n"
                           "    options: {anything: 1}\n");
    put("web/service.yml", "startup:\n  command: ./run\nwhatever:\n  a: 1\n");
    char *dirs = exo_strdupf("%s:%s", fixtures_keys, fixtures_abi10);
    CU_ASSERT_EQUAL(check_settings(dirs), 0);
    CU_ASSERT_EQUAL(sdiag.n, 0);
    /* Without it, both are errors. */
    put("application.yml", "name: t\nbackend: plain\nservices:\n  web:\n    location: web\n"
                           "    options: {anything: 1}\n");
    CU_ASSERT_EQUAL(check_settings(fixtures_keys), 2);
    free(dirs);
    settings_teardown();
}

static const exo_test_t tests[] = {
    {"good plugin loads", test_good_plugin_loads},
    {"wrong ABI major names both versions", test_wrong_major_names_both_versions},
    {"newer ABI minor loads", test_newer_minor_loads},
    {"broken plugins are reported", test_broken_plugins_are_reported},
    {"duplicate: first wins", test_duplicate_first_wins},
    {"app-local plugins and state dir", test_app_local_plugins_and_state_dir},
    {"app-local plugins closed unless asked", test_app_local_plugins_closed_unless_asked},
    {"a directory every user can write is refused", test_writable_directory_refused},
    {"host services", test_host_services},
    {"env_set through the host", test_env_set_through_host},
    {"kind filter skips other kinds unopened", test_kind_filter_skips_other_kinds_unopened},
    {"declared config read only when the descriptor has it", test_declared_config_read_by_size},
    {"settings: resources against their plugin's keys", test_settings_resources},
    {"settings: a secret's value is never echoed", test_settings_secret_never_echoed},
    {"settings: backend sections and options", test_settings_backends},
    {"settings: the transport's bus keys", test_settings_bus},
    {"settings: plugins without a table leave blocks unchecked",
     test_settings_undeclared_plugins_unchecked},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("loader", tests, setup, teardown)
