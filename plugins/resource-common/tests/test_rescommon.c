/* plugins/resource-common/tests/test_rescommon.c - what the resource plugins share: the data
 * directory (fresh, password, wipe), the server unit command and log, helper programs,
 * settings and variables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/env.h"
#include "base/loop.h"
#include "base/util.h"
#include "../datadir.h"
#include "../helper.h"
#include "../server.h"
#include "../settings.h"
#include "../vars.h"
#include "../../../tests/support/test_host.h"
#include "../../../tests/support/cunit_main.h"

static exo_loop_t *loop;
static exo_host_t host;
static char dir[64];

static int env_set(exo_env_t *env, const char *name, const char *value, unsigned flags)
{
    return exo_env_set(env, name, value, flags);
}

static int setup(void)
{
    loop = exo_loop_new();
    exo_test_host_init(&host, loop, "test_rescommon");
    host.env_set = env_set;
    snprintf(dir, sizeof dir, "/tmp/exo-test-rescommon-XXXXXX");
    return mkdtemp(dir) == NULL;
}

static int teardown(void)
{
    exo_rm_rf(dir);
    exo_loop_destroy(&loop);
    return 0;
}

static void test_fresh_data_dir_is_temporary(void)
{
    setenv("TMPDIR", dir, 1);
    exo_resource_spec_t spec = {.size = sizeof spec, .name = "db", .app = "shop",
                                .data_dir = "/nowhere", .fresh = true};
    char *d = NULL;
    bool temp = false;
    CU_ASSERT_EQUAL_FATAL(res_datadir_open(&spec, &d, &temp, NULL), 0);
    CU_ASSERT_TRUE(temp);
    char *prefix = exo_strdupf("%s/exo-shop-db-", dir);
    CU_ASSERT_EQUAL(strncmp(d, prefix, strlen(prefix)), 0);
    CU_ASSERT_TRUE(exo_path_is_dir(d));
    free(prefix);
    free(d);
    spec.fresh = false;
    CU_ASSERT_EQUAL(res_datadir_open(&spec, &d, &temp, NULL), 0);
    CU_ASSERT_FALSE(temp);
    CU_ASSERT_STRING_EQUAL(d, "/nowhere");
    free(d);
    unsetenv("TMPDIR");
}

static void test_password_is_generated_once(void)
{
    char *data = exo_path_join(dir, "pw");
    CU_ASSERT_EQUAL(res_datadir_ensure("db", data, NULL), 0);
    char *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(res_datadir_password("db", data, false, 0, 0, &a, NULL), 0);
    CU_ASSERT_EQUAL(strlen(a), 32);
    CU_ASSERT_EQUAL_FATAL(res_datadir_password("db", data, false, 0, 0, &b, NULL), 0);
    CU_ASSERT_STRING_EQUAL(a, b);
    char *path = exo_path_join(data, "password");
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    /* A hand-written password (with a newline) is kept as it is, trimmed. */
    exo_write_file_atomic(path, "mine\n", 5);
    free(b);
    CU_ASSERT_EQUAL(res_datadir_password("db", data, false, 0, 0, &b, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b, "mine");
    exo_error_t err = {0};
    char *c = NULL;
    CU_ASSERT_EQUAL(res_datadir_password("db", "/nonexistent/dir", false, 0, 0, &c, &err),
                    EXO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "resource db: cannot write"));
    CU_ASSERT_PTR_NULL(c);
    free(a);
    free(b);
    free(path);
    free(data);
}

static void test_wipe_deletes_the_parts_only(void)
{
    char *data = exo_path_join(dir, "wipe");
    char *sub = exo_path_join(data, "pgdata/base");
    char *keep = exo_path_join(data, "keep");
    exo_mkdir_p(sub, 0700);
    exo_write_file_atomic(keep, "x", 1);
    static const char *const parts[] = {"pgdata", "password", NULL};
    CU_ASSERT_EQUAL(res_datadir_wipe("db", data, parts, NULL), 0);
    CU_ASSERT_FALSE(exo_path_is_dir(sub));
    CU_ASSERT_TRUE(exo_path_is_file(keep));
    free(data);
    free(sub);
    free(keep);
}

static void test_server_log_and_report(void)
{
    char *log = exo_path_join(dir, "server.log");
    exo_write_file_atomic(log, "old\n", 4);
    long off = res_server_log_size(log);
    CU_ASSERT_EQUAL(off, 4);
    exo_write_file_atomic(log, "old\nFATAL: new\n", 15);
    char *since = res_server_log_since(log, off);
    CU_ASSERT_STRING_EQUAL(since, "FATAL: new\n");
    free(since);
    since = res_server_log_since(log, 100); /* replaced by a shorter log: all of it */
    CU_ASSERT_STRING_EQUAL(since, "old\nFATAL: new\n");
    free(since);
    CU_ASSERT_EQUAL(res_server_log_size("/nonexistent"), 0);
    free(log);
}

/* A judge for the test: lines starting with "FATAL" fail the start, "HINT" lines explain. */
static const char *judge(const char *line, bool *fatal)
{
    *fatal = strncmp(line, "FATAL", 5) == 0;
    return *fatal || strncmp(line, "HINT", 4) == 0 ? line : NULL;
}

static void test_server_failure_quotes_the_log(void)
{
    char *log = exo_path_join(dir, "fail.log");
    exo_write_file_atomic(log, "FATAL: old start\n", 17);
    long off = res_server_log_size(log);
    exo_write_file_atomic(log, "FATAL: old start\nLOG: hello\nHINT: a hint  \n\n", 44);
    CU_ASSERT_PTR_NULL(res_server_failure(log, off, judge, 400)); /* no fatal line since */
    exo_write_file_atomic(log, "FATAL: old start\nLOG: hello\nHINT: a hint  \nFATAL: port\n",
                          55);
    char *report = res_server_failure(log, off, judge, 400);
    CU_ASSERT_STRING_EQUAL(report, "HINT: a hint / FATAL: port");
    free(report);
    report = res_server_failure(log, off, judge, 20); /* cut at 20 bytes */
    CU_ASSERT_STRING_EQUAL(report, "HINT: a hint / FATAL");
    free(report);
    CU_ASSERT_PTR_NULL(res_server_failure("/nonexistent", 0, judge, 400));
    free(log);
}

static void test_server_command_repeats_a_failure(void)
{
    char *log = exo_path_join(dir, "cmd.log");
    exo_write_file_atomic(log, "before\n", 7);
    char *cmd = res_server_command("sh -c 'echo it broke; exit 3'", log);
    char *sh = exo_which("sh");
    char *argv[] = {sh, "-c", cmd, NULL};
    char *out = NULL;
    CU_ASSERT_EQUAL(res_helper_run(argv, NULL, &out), 3);
    CU_ASSERT_STRING_EQUAL(out, "it broke\n"); /* this start's words only */
    char *text = exo_read_file(log, NULL);
    CU_ASSERT_STRING_EQUAL(text, "before\nit broke\n");
    free(text);
    free(out);
    free(cmd);
    free(sh);
    free(log);
}

static void test_helper_run_reports_what_it_could_not_run(void)
{
    char *argv[] = {"/nonexistent/initdb", NULL};
    char *out = NULL;
    CU_ASSERT_EQUAL(res_helper_run(argv, NULL, &out), 127);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot run /nonexistent/initdb"));
    free(out);
    CU_ASSERT_TRUE(res_helper_can_use_dir(NULL, dir));
}

static void test_settings_name_the_key(void)
{
    json_t *config = json_loads("{\"user\": \"app\", \"empty\": \"\", \"flag\": true, "
                                "\"num\": 3, \"none\": null}", 0, NULL);
    char *s = NULL;
    bool b = false;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(res_setting_string(&host, "db", config, "user", &s, &err), 0);
    CU_ASSERT_STRING_EQUAL(s, "app");
    free(s);
    s = NULL;
    CU_ASSERT_EQUAL(res_setting_string(&host, "db", config, "none", &s, &err), 0);
    CU_ASSERT_EQUAL(res_setting_string(&host, "db", config, "absent", &s, &err), 0);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(res_setting_string(&host, "db", config, "empty", &s, &err), EXO_ERR_INVALID);
    CU_ASSERT_STRING_EQUAL(err.message, "resource db: 'empty' must be a non-empty string");
    CU_ASSERT_EQUAL(res_setting_bool(&host, "db", config, "flag", &b, &err), 0);
    CU_ASSERT_TRUE(b);
    CU_ASSERT_EQUAL(res_setting_bool(&host, "db", config, "num", &b, &err), EXO_ERR_INVALID);
    CU_ASSERT_STRING_EQUAL(err.message, "resource db: 'num' must be true or false");
    json_decref(config);
}

static void test_vars_are_prefixed(void)
{
    exo_env_t *env = exo_env_new();
    const res_var_t vars[] = {
        {"URL", "redis://x", EXO_ENV_SECRET}, {"PASSWORD", NULL, EXO_ENV_SECRET},
        {"PORT", "6379", 0},
    };
    CU_ASSERT_EQUAL(res_vars_emit(&host, "cache", env, "CACHE_", vars, 3, NULL), 0);
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "CACHE_URL")->value, "redis://x");
    CU_ASSERT_TRUE(exo_env_get(env, "CACHE_URL")->secret);
    CU_ASSERT_PTR_NULL(exo_env_get(env, "CACHE_PASSWORD"));
    CU_ASSERT_STRING_EQUAL(exo_env_get(env, "CACHE_PORT")->value, "6379");
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(res_vars_emit(&host, "cache", env, "9", vars, 1, &err), EXO_ERR_INVALID);
    CU_ASSERT_STRING_EQUAL(err.message, "resource cache: cannot set 9URL");
    exo_env_destroy(&env);
}

static const exo_test_t tests[] = {
    {"fresh data directory is temporary", test_fresh_data_dir_is_temporary},
    {"password is generated once", test_password_is_generated_once},
    {"wipe deletes the parts only", test_wipe_deletes_the_parts_only},
    {"server log since an offset", test_server_log_and_report},
    {"server failure quotes the log", test_server_failure_quotes_the_log},
    {"server command repeats a failure", test_server_command_repeats_a_failure},
    {"helper run reports what it could not run", test_helper_run_reports_what_it_could_not_run},
    {"settings name the key", test_settings_name_the_key},
    {"variables are prefixed", test_vars_are_prefixed},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("rescommon", tests, setup, teardown)
