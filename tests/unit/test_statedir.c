/* tests/unit/test_statedir.c - the layout of <app>/.exo (core/model/statedir.c). */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "model/statedir.h"
#include "../support/cunit_main.h"

/* Check that @p got (freed here) is @p want. */
static void expect(char *got, const char *want)
{
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_paths(void)
{
    char *sd = exo_statedir("/apps/demo/");
    CU_ASSERT_STRING_EQUAL(sd, "/apps/demo/.exo");
    expect(exo_statedir_run_record(sd), "/apps/demo/.exo/run.json");
    expect(exo_statedir_bus_file(sd), "/apps/demo/.exo/bus.json");
    expect(exo_statedir_start_times(sd), "/apps/demo/.exo/start-times.json");
    char *logs = exo_statedir_logs(sd);
    CU_ASSERT_STRING_EQUAL(logs, "/apps/demo/.exo/logs");
    expect(exo_statedir_log_file(logs, "web"), "/apps/demo/.exo/logs/web.log");
    free(logs);
    expect(exo_statedir_state(sd), "/apps/demo/.exo/state");
    expect(exo_statedir_plugin_state(sd, "backend", "process"),
           "/apps/demo/.exo/state/backend-process");
    expect(exo_statedir_resources(sd), "/apps/demo/.exo/resources");
    expect(exo_statedir_resource_data(sd, "db"), "/apps/demo/.exo/resources/db");
    expect(exo_statedir_plugins(sd), "/apps/demo/.exo/plugins");
    expect(exo_statedir_templates(sd), "/apps/demo/.exo/templates");
    free(sd);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT(S_ISDIR(st.st_mode));
    return st.st_mode & 0777;
}

/* The user's alone (issue 18): 0700, and 0711 for the two directories others may pass
 * through to a resource's data; whatever the umask, and also for a directory left open. */
static void test_mkdir_makes_parents_with_the_mode(void)
{
    char tmpl[] = "/tmp/exo-statedir.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    char *sd = exo_statedir(tmpl);
    char *dir = exo_statedir_plugin_state(sd, "resource", "postgres");
    char *state = exo_statedir_state(sd);
    char *res = exo_statedir_resources(sd);
    char *data = exo_statedir_resource_data(sd, "db");
    char *logs = exo_statedir_logs(sd);
    mode_t old = umask(0);
    CU_ASSERT_EQUAL(exo_statedir_mkdir(dir), 0);
    CU_ASSERT_EQUAL(exo_statedir_mkdir(dir), 0); /* already there: fine */
    CU_ASSERT_EQUAL(exo_statedir_mkdir(data), 0);
    CU_ASSERT_EQUAL(mkdir(logs, 0755), 0); /* as an older exo left it */
    CU_ASSERT_EQUAL(exo_statedir_mkdir(logs), 0);
    umask(old);
    CU_ASSERT_EQUAL(mode_of(dir), 0700);
    CU_ASSERT_EQUAL(mode_of(state), 0700);
    CU_ASSERT_EQUAL(mode_of(sd), 0711);
    CU_ASSERT_EQUAL(mode_of(res), 0711);
    CU_ASSERT_EQUAL(mode_of(data), 0700);
    CU_ASSERT_EQUAL(mode_of(logs), 0700);
    exo_rm_rf(tmpl);
    free(dir);
    free(state);
    free(res);
    free(data);
    free(logs);
    free(sd);
}

static const exo_test_t tests[] = {
    {"every path of the layout", test_paths},
    {"mkdir makes parents with the state dir's mode", test_mkdir_makes_parents_with_the_mode},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("statedir", tests, NULL, NULL)
