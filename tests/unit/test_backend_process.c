/* tests/unit/test_backend_process.c - the process backend driven through a real host: output
 * lines, exit statuses, group stop with grace, kill, cleanup of recorded groups only, orphans
 * of a run reaped when it closes. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/backend.h>

#include "base/loop.h"
#include "base/util.h"
#include "../support/cunit_main.h"
#include "../support/test_host.h"
#include "../../plugins/backend-process/proctree.h"

const exo_plugin_desc_t *exo_plugin_describe(void);

typedef struct result {
    exo_strv_t out, err;
    bool exited;
    int status, sig;
} result_t;

static exo_loop_t *loop;
static exo_host_t host;
static const exo_backend_ops_t *ops;
static void *inst;
static char state_dir[64];

/* Run the loop until *flag or @p timeout_ms. */
static bool run_until(const bool *flag, unsigned timeout_ms)
{
    unsigned long long end = exo_now_ms() + timeout_ms;
    while (!*flag && exo_now_ms() < end) {
        exo_loop_once(loop, 20);
    }
    return *flag;
}

static void on_output(void *arg, int stream, const char *line, size_t len)
{
    result_t *r = arg;
    exo_strv_push_owned(stream == EXO_STREAM_STDOUT ? &r->out : &r->err,
                        exo_xstrndup(line, len));
}

static void on_exit_cb(void *arg, int status, int sig)
{
    result_t *r = arg;
    CU_ASSERT_FALSE(r->exited);
    r->exited = true;
    r->status = status;
    r->sig = sig;
}

static int setup(void)
{
    snprintf(state_dir, sizeof state_dir, "/tmp/exo-test-bp-XXXXXX");
    if (mkdtemp(state_dir) == NULL) {
        return 1;
    }
    loop = exo_loop_new();
    exo_test_host_init(&host, loop, "backend-process");
    const exo_plugin_desc_t *d = exo_plugin_describe();
    if (d->kind != EXO_KIND_BACKEND || strcmp(d->name, "process") != 0) {
        return 1;
    }
    ops = d->ops;
    exo_error_t err = {0};
    if (d->init(&host, &err) != 0) {
        return 1;
    }
    exo_run_spec_t run = {.size = sizeof run, .app = "t", .app_dir = state_dir,
                          .run_id = "test-run-1", .state_dir = state_dir};
    return ops->open(&host, &run, &inst, &err) == 0 ? 0 : 1;
}

static int teardown(void)
{
    ops->close(inst);
    exo_loop_destroy(&loop);
    exo_rm_rf(state_dir);
    return 0;
}

static exo_unit_t *start(const char *cmd, result_t *r, const char *const *env)
{
    memset(r, 0, sizeof *r);
    exo_unit_spec_t spec = {.size = sizeof spec, .name = "svc", .mode = EXO_UNIT_SERVICE,
                            .dir = state_dir, .command = cmd, .env = env,
                            .on_output = on_output, .on_exit = on_exit_cb, .arg = r};
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    int rc = ops->start(inst, &spec, &u, &err);
    CU_ASSERT_EQUAL(rc, 0);
    return u;
}

static void finish(exo_unit_t *u, result_t *r)
{
    if (u != NULL) {
        ops->release(inst, u);
    }
    exo_strv_free(&r->out);
    exo_strv_free(&r->err);
}

static bool pid_alive(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    struct stat st;
    if (stat(path, &st) < 0) {
        return false;
    }
    /* A zombie is not running any more. */
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *s = exo_read_file(path, NULL);
    bool alive = s != NULL && strstr(s, ") Z ") == NULL;
    free(s);
    return alive;
}

/* Signals are delivered asynchronously: give a dying process a moment. */
static bool gone_within(pid_t pid, unsigned ms)
{
    unsigned long long end = exo_now_ms() + ms;
    while (pid_alive(pid) && exo_now_ms() < end) {
        usleep(10000);
    }
    return !pid_alive(pid);
}

static void test_lines_split_and_streams_separate(void)
{
    result_t r;
    const char *env[] = {"FOO=bar baz", NULL};
    exo_unit_t *u = start("printf 'one\\ntw'; sleep 0.05; printf 'o\\n'; echo err >&2; "
                          "echo \"$FOO\"; pwd; printf 'last'", &r, env);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_EQUAL(r.sig, 0);
    CU_ASSERT_EQUAL_FATAL(r.out.n, 5);
    CU_ASSERT_STRING_EQUAL(r.out.v[0], "one");
    CU_ASSERT_STRING_EQUAL(r.out.v[1], "two");
    CU_ASSERT_STRING_EQUAL(r.out.v[2], "bar baz");
    CU_ASSERT_STRING_EQUAL(r.out.v[3], state_dir);
    CU_ASSERT_STRING_EQUAL(r.out.v[4], "last");
    CU_ASSERT_EQUAL_FATAL(r.err.n, 1);
    CU_ASSERT_STRING_EQUAL(r.err.v[0], "err");
    finish(u, &r);
}

static void test_very_long_line_comes_in_pieces(void)
{
    result_t r;
    exo_unit_t *u = start("head -c 150000 /dev/zero | tr '\\0' x; echo; echo next", &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL_FATAL(r.out.n, 4);
    CU_ASSERT_EQUAL(strlen(r.out.v[0]), 65536);
    CU_ASSERT_EQUAL(strlen(r.out.v[1]), 65536);
    CU_ASSERT_EQUAL(strlen(r.out.v[2]), 150000 - 2 * 65536);
    CU_ASSERT_STRING_EQUAL(r.out.v[3], "next");
    finish(u, &r);
}

static void test_exit_code_and_signal_reported(void)
{
    result_t r;
    exo_unit_t *u = start("exit 3", &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL(r.status, 3);
    CU_ASSERT_EQUAL(r.sig, 0);
    finish(u, &r);

    u = start("kill -SEGV $$", &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL(r.status, -1);
    CU_ASSERT_EQUAL(r.sig, SIGSEGV);
    finish(u, &r);
}

static void test_run_id_marker_in_environment(void)
{
    result_t r;
    const char *env[] = {"EXO_RUN_ID=spoofed", NULL};
    exo_unit_t *u = start("echo $EXO_RUN_ID", &r, env);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL_FATAL(r.out.n, 1);
    CU_ASSERT_STRING_EQUAL(r.out.v[0], "test-run-1");
    finish(u, &r);
}

static pid_t first_pid(result_t *r, unsigned timeout_ms)
{
    unsigned long long end = exo_now_ms() + timeout_ms;
    while (r->out.n == 0 && exo_now_ms() < end) {
        exo_loop_once(loop, 20);
    }
    return r->out.n > 0 ? (pid_t)atoi(r->out.v[0]) : 0;
}

static void test_stop_terminates_group_gracefully(void)
{
    result_t r;
    /* A child in the background that exits on SIGTERM: stop() must reach it too. */
    exo_unit_t *u = start("sleep 100 & echo $!; wait", &r, NULL);
    pid_t child = first_pid(&r, 5000);
    CU_ASSERT(child > 0);
    exo_error_t err = {0};
    unsigned long long t0 = exo_now_ms();
    CU_ASSERT_EQUAL(ops->stop(inst, u, 5000, &err), 0);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT(exo_now_ms() - t0 < 2000);
    CU_ASSERT_EQUAL(r.sig, SIGTERM);
    CU_ASSERT_TRUE(gone_within(child, 2000));
    finish(u, &r);
}

/* Backend ABI 1.5: the unit's pid is the leader's, whose own $$ it is (`exec` keeps it), no
 * container; -1 once it is gone. */
static void test_unit_pid_is_the_leader(void)
{
    CU_ASSERT_FATAL(EXO_HAS(ops, exo_backend_ops_t, unit_container));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->unit_pid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->unit_container);
    result_t r;
    exo_unit_t *u = start("echo $$; exec sleep 100", &r, NULL);
    pid_t shell = first_pid(&r, 5000);
    CU_ASSERT(shell > 1);
    CU_ASSERT_EQUAL(ops->unit_pid(inst, u), (long)shell);
    CU_ASSERT_TRUE(pid_alive(shell));
    CU_ASSERT_PTR_NULL(ops->unit_container(inst, u));
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(ops->kill(inst, u, &err), 0);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL(ops->unit_pid(inst, u), -1);
    finish(u, &r);
}

static void test_stop_kills_after_grace(void)
{
    result_t r;
    exo_unit_t *u = start("trap '' TERM; (trap '' TERM; sleep 100) & echo $!; "
                          "while :; do sleep 0.05; done", &r, NULL);
    pid_t child = first_pid(&r, 5000);
    CU_ASSERT(child > 0);
    exo_error_t err = {0};
    unsigned long long t0 = exo_now_ms();
    CU_ASSERT_EQUAL(ops->stop(inst, u, 300, &err), 0);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    unsigned long long took = exo_now_ms() - t0;
    CU_ASSERT(took >= 290 && took < 3000);
    CU_ASSERT_EQUAL(r.sig, SIGKILL);
    CU_ASSERT_TRUE(gone_within(child, 2000));
    finish(u, &r);
}

static void test_kill_is_immediate_and_leader_exit_takes_group(void)
{
    result_t r;
    exo_unit_t *u = start("trap '' TERM; sleep 100 & echo $!; sleep 100", &r, NULL);
    pid_t child = first_pid(&r, 5000);
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(ops->kill(inst, u, &err), 0);
    CU_ASSERT_TRUE(run_until(&r.exited, 2000));
    CU_ASSERT_EQUAL(r.sig, SIGKILL);
    CU_ASSERT_TRUE(gone_within(child, 2000));
    finish(u, &r);

    /* The leader exits on its own and leaves a background child: it goes too. */
    u = start("sleep 100 & echo $!; exit 0", &r, NULL);
    child = first_pid(&r, 5000);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_TRUE(gone_within(child, 2000));
    finish(u, &r);
}

static void test_strays_that_left_the_group_die_with_the_unit(void)
{
    result_t r;
    exo_unit_t *u = start("setsid sleep 100 & echo $!; echo $EXO_UNIT_ID; sleep 0.2", &r, NULL);
    CU_ASSERT_TRUE(run_until(&r.exited, 5000));
    CU_ASSERT_EQUAL_FATAL(r.out.n, 2);
    pid_t stray = (pid_t)atoi(r.out.v[0]);
    CU_ASSERT(stray > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out.v[1], "test-run-1-svc-"));
    CU_ASSERT_TRUE(gone_within(stray, 2000));
    finish(u, &r);
}

/* After a cleanup: a new run, so that the state directory is there for the later tests. */
static void reopen_run(void)
{
    exo_error_t err = {0};
    ops->close(inst);
    exo_run_spec_t run = {.size = sizeof run, .app = "t", .app_dir = state_dir,
                          .run_id = "test-run-1", .state_dir = state_dir};
    CU_ASSERT_EQUAL(ops->open(&host, &run, &inst, &err), 0);
}

static void test_cleanup_kills_recorded_groups_only(void)
{
    result_t r;
    exo_unit_t *u = start("sleep 100 & echo $!; wait", &r, NULL);
    pid_t child = first_pid(&r, 5000);
    CU_ASSERT(child > 0);

    /* A process this backend did not start, recorded with a wrong start time as if its pid
     * had been recycled: cleanup must leave it alone. */
    pid_t other = fork();
    if (other == 0) {
        setpgid(0, 0);
        execl("/bin/sleep", "sleep", "100", (char *)NULL);
        _exit(127);
    }
    setpgid(other, other);
    char *dir = exo_strdupf("%s/state/backend-process", state_dir);
    char *rec = exo_strdupf("%s/%d", dir, (int)other);
    char *line = exo_strdupf("%d 12345 other-run other\n", (int)other);
    CU_ASSERT_EQUAL(exo_write_file_atomic(rec, line, strlen(line)), 0);

    exo_error_t err = {0};
    CU_ASSERT_EQUAL(ops->cleanup(&host, "t", state_dir, &err), 0);
    CU_ASSERT_TRUE(run_until(&r.exited, 3000));
    CU_ASSERT_EQUAL(r.sig, SIGKILL);
    CU_ASSERT_TRUE(gone_within(child, 2000));
    CU_ASSERT_TRUE(pid_alive(other));
    CU_ASSERT_FALSE(exo_path_is_file(rec));
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    finish(u, &r);
    free(dir);
    free(rec);
    free(line);
    reopen_run();
}

static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        execl("/bin/sleep", "sleep", "100", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The run records exo's descendants as they appear; after a killed exo, cleanup kills those
 * that still have their recorded start time, and not a pid whose start time differs. */
static void test_cleanup_kills_recorded_descendants_only(void)
{
    pid_t escaped = spawn_sleeper(), other = spawn_sleeper();
    unsigned long long escaped_start = proctree_stat(escaped, NULL, NULL, NULL, NULL);
    unsigned long long other_start = proctree_stat(other, NULL, NULL, NULL, NULL);
    CU_ASSERT_FATAL(escaped_start != 0 && other_start != 0);
    char *path = exo_strdupf("%s/state/backend-process/descendants", state_dir);
    char *want = exo_strdupf("%d %llu\n", (int)escaped, escaped_start);
    /* The scan timer of the open run records our children, so both. */
    bool recorded = false;
    unsigned long long end = exo_now_ms() + 3000;
    while (!recorded && exo_now_ms() < end) {
        exo_loop_once(loop, 20);
        char *text = exo_read_file(path, NULL);
        recorded = text != NULL && strstr(text, want) != NULL;
        free(text);
    }
    CU_ASSERT_TRUE(recorded);
    /* As after a kill -9: the record stays, and the other pid looks reused. */
    char *line = exo_strdupf("%d %llu\n%d %llu\n", (int)escaped, escaped_start, (int)other,
                             other_start + 1);
    CU_ASSERT_EQUAL(exo_write_file_atomic(path, line, strlen(line)), 0);
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(ops->cleanup(&host, "t", state_dir, &err), 0);
    CU_ASSERT_TRUE(gone_within(escaped, 2000));
    CU_ASSERT_TRUE(pid_alive(other));
    CU_ASSERT_FALSE(exo_path_is_file(path));
    waitpid(escaped, NULL, 0);
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    free(path);
    free(want);
    free(line);
    reopen_run();
}

/* The parent of @p pid from /proc, 0 when it is gone. */
static pid_t parent_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *s = exo_read_file(path, NULL);
    char *p = s ? strrchr(s, ')') : NULL;
    int ppid = 0;
    if (p == NULL || sscanf(p + 2, "%*c %d", &ppid) != 1) {
        ppid = 0;
    }
    free(s);
    return (pid_t)ppid;
}

static int subreaper(void)
{
    int on = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0);
    return on;
}

static void test_close_reaps_the_runs_orphans(void)
{
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(subreaper(), 1); /* while a run is open */
    /* An escapee that also dropped its unit's marker outlives its unit, reparented to us.
     * The unit ends only once the escapee has left its group (it wrote its pid). */
    result_t r;
    exo_unit_t *u = start("rm -f escaped; env -u EXO_UNIT_ID setsid sh -c 'echo $$ > escaped.t; "
                          "mv escaped.t escaped; exec sleep 100' & "
                          "while [ ! -s escaped ]; do sleep 0.01; done; cat escaped", &r, NULL);
    pid_t stray = first_pid(&r, 5000);
    CU_ASSERT_FATAL(stray > 0);
    CU_ASSERT_TRUE(run_until(&r.exited, 3000));
    finish(u, &r);
    unsigned long long end = exo_now_ms() + 2000;
    while (parent_of(stray) != getpid() && exo_now_ms() < end) {
        usleep(10000);
    }
    CU_ASSERT_EQUAL(parent_of(stray), getpid());
    CU_ASSERT_TRUE(pid_alive(stray));
    /* A child of ours that is not of the run (another backend's helper) is left alone. */
    pid_t other = fork();
    if (other == 0) {
        setsid();
        execl("/bin/sleep", "sleep", "100", (char *)NULL);
        _exit(127);
    }

    ops->close(inst);
    /* Killed and reaped: not even a zombie is left. */
    CU_ASSERT_EQUAL(kill(stray, 0), -1);
    CU_ASSERT_EQUAL(errno, ESRCH);
    CU_ASSERT_TRUE(pid_alive(other));
    CU_ASSERT_EQUAL(subreaper(), 0);
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);

    exo_run_spec_t run = {.size = sizeof run, .app = "t", .app_dir = state_dir,
                          .run_id = "test-run-1", .state_dir = state_dir};
    CU_ASSERT_EQUAL(ops->open(&host, &run, &inst, &err), 0);
    CU_ASSERT_EQUAL(subreaper(), 1);
}

static void test_missing_command_is_an_error(void)
{
    exo_unit_spec_t spec = {.size = sizeof spec, .name = "svc", .dir = state_dir,
                            .on_exit = on_exit_cb};
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    CU_ASSERT(ops->start(inst, &spec, &u, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "startup.command"));
    CU_ASSERT_STRING_EQUAL(ops->unit_host(inst, "x"), "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(ops->host_address(inst), "127.0.0.1");
}

static const exo_test_t tests[] = {
    {"lines are split, streams kept apart", test_lines_split_and_streams_separate},
    {"a very long line comes in pieces", test_very_long_line_comes_in_pieces},
    {"exit code and signal are reported", test_exit_code_and_signal_reported},
    {"the run id marker is always set", test_run_id_marker_in_environment},
    {"stop terminates the whole group", test_stop_terminates_group_gracefully},
    {"stop kills after the grace period", test_stop_kills_after_grace},
    {"unit_pid is the leader's pid until it exits; no container", test_unit_pid_is_the_leader},
    {"kill is immediate; leader exit takes the group",
     test_kill_is_immediate_and_leader_exit_takes_group},
    {"strays that left the group die with the unit",
     test_strays_that_left_the_group_die_with_the_unit},
    {"cleanup kills recorded groups only", test_cleanup_kills_recorded_groups_only},
    {"cleanup kills recorded descendants only", test_cleanup_kills_recorded_descendants_only},
    {"close reaps the run's orphans, and only those", test_close_reaps_the_runs_orphans},
    {"a missing command is an error", test_missing_command_is_an_error},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("backend-process", tests, setup, teardown)
