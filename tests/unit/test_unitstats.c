/* tests/unit/test_unitstats.c - core/run/unitstats.c: a process's CPU time and memory from
 * /proc (this test's own process, a busy child, a dead one), a container's from its cgroup
 * (a tree made to look like /proc and /sys/fs/cgroup, v2 and v1, and a real cgroup when this
 * machine lets the test make one). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/unitstats.h"
#include "base/util.h"
#include "../support/cunit_main.h"

/* Spend about @p ms of CPU time in this process. */
static void burn(unsigned ms)
{
    unsigned long long end = exo_now_ms() + ms;
    volatile unsigned long x = 0;
    while (exo_now_ms() < end) {
        x++;
    }
}

static pid_t spin_child(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        volatile unsigned long x = 0;
        for (;;) {
            x++;
        }
    }
    return pid;
}

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Until @p pid has used more than @p ns of CPU (10 s at most); its last reading in @p out. */
static bool cpu_reaches(long pid, uint64_t ns, exo_unitstats_t *out)
{
    unsigned long long end = exo_now_ms() + 10000;
    while (exo_now_ms() < end) {
        if (exo_unitstats_read(pid, out) == 0 && out->cpu_ns > ns) {
            return true;
        }
        usleep(20000);
    }
    return false;
}

static void test_own_process(void)
{
    exo_unitstats_t a, b;
    CU_ASSERT_EQUAL_FATAL(exo_unitstats_read((long)getpid(), &a), 0);
    CU_ASSERT(a.rss_bytes > 100 * 1024);
    CU_ASSERT_FALSE(a.from_cgroup); /* exo's own cgroup is never taken as the unit's */
    burn(150);
    CU_ASSERT_TRUE(cpu_reaches((long)getpid(), a.cpu_ns + 50u * 1000000u, &b));
    CU_ASSERT(b.cpu_ns > a.cpu_ns);
}

static void test_busy_child_grows(void)
{
    pid_t pid = spin_child();
    CU_ASSERT_FATAL(pid > 0);
    exo_unitstats_t a, b;
    CU_ASSERT_TRUE(cpu_reaches((long)pid, 20u * 1000000u, &a));
    CU_ASSERT(a.rss_bytes > 0);
    CU_ASSERT_FALSE(a.from_cgroup);
    CU_ASSERT_TRUE(cpu_reaches((long)pid, a.cpu_ns + 20u * 1000000u, &b));
    reap(pid);
}

static void test_dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        _exit(0);
    }
    CU_ASSERT_FATAL(pid > 0);
    /* A zombie runs nothing any more. */
    unsigned long long end = exo_now_ms() + 5000;
    exo_unitstats_t s;
    int rc = 0;
    while ((rc = exo_unitstats_read((long)pid, &s)) == 0 && exo_now_ms() < end) {
        usleep(10000);
    }
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(errno, ESRCH);
    waitpid(pid, NULL, 0);
    errno = 0;
    CU_ASSERT_EQUAL(exo_unitstats_read((long)pid, &s), -1);
    CU_ASSERT(errno == ENOENT || errno == ESRCH);
    CU_ASSERT_EQUAL(exo_unitstats_read(0, &s), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(exo_unitstats_read(-1, &s), -1);
}

static void put(const char *root, const char *rel, const char *text)
{
    char *path = exo_path_join(root, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    exo_mkdir_p(path, 0755);
    *slash = '/';
    CU_ASSERT_EQUAL_FATAL(exo_write_file_atomic(path, text, strlen(text)), 0);
    free(path);
}

/* A fake machine: process 4242 ("my (odd) name", 10 + 5 ticks, 3 resident pages) in the
 * cgroup @p unit_cgroup, exo in /user.slice/exo. */
static char *fake_machine(const char *unit_cgroup)
{
    char tmpl[] = "/tmp/exo-test-unitstats.XXXXXX";
    char *root = exo_xstrdup(mkdtemp(tmpl));
    put(root, "proc/4242/stat",
        "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 1 0 1 2 3\n");
    put(root, "proc/4242/statm", "1000 3 2 1 0 50 0\n");
    put(root, "proc/4242/cgroup", unit_cgroup);
    put(root, "proc/self/cgroup", "4:memory:/user.slice/exo\n2:cpuacct,cpu:/user.slice/exo\n"
                                  "0::/user.slice/exo\n");
    put(root, "v2/docker/abc/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
    put(root, "v2/docker/abc/memory.current", "8192\n");
    put(root, "cpuacct/docker/abc/cpuacct.usage", "7000000\n");
    put(root, "memory/docker/abc/memory.usage_in_bytes", "16384\n");
    return root;
}

static int read_fake(const char *root, exo_unitstats_t *s)
{
    char *proc = exo_path_join(root, "proc");
    char *self = exo_path_join(root, "proc/self/cgroup");
    char *v2 = exo_path_join(root, "v2");
    char *cpuacct = exo_path_join(root, "cpuacct");
    char *memory = exo_path_join(root, "memory");
    exo_unitstats_paths_t paths = {.proc = proc, .self_cgroup = self, .v2 = v2,
                                   .v1_cpuacct = cpuacct, .v1_memory = memory};
    int rc = exo_unitstats_read_at(&paths, 4242, s);
    free(proc);
    free(self);
    free(v2);
    free(cpuacct);
    free(memory);
    return rc;
}

static void test_cgroup_of_a_container(void)
{
    long tick_ns = 1000000000L / sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    exo_unitstats_t s;
    /* v2: the container's own cgroup */
    char *root = fake_machine("0::/docker/abc\n");
    CU_ASSERT_EQUAL(read_fake(root, &s), 0);
    CU_ASSERT_TRUE(s.from_cgroup);
    CU_ASSERT_EQUAL(s.cpu_ns, 2500u * 1000u);
    CU_ASSERT_EQUAL(s.rss_bytes, 8192u);
    exo_rm_rf(root);
    free(root);
    /* v1 (a hybrid machine): cpuacct and memory hierarchies */
    root = fake_machine("4:memory:/docker/abc\n2:cpuacct,cpu:/docker/abc\n0::/\n");
    CU_ASSERT_EQUAL(read_fake(root, &s), 0);
    CU_ASSERT_TRUE(s.from_cgroup);
    CU_ASSERT_EQUAL(s.cpu_ns, 7000000u);
    CU_ASSERT_EQUAL(s.rss_bytes, 16384u);
    exo_rm_rf(root);
    free(root);
    /* exo's own cgroup, one that holds exo, and none: the process's own figures */
    static const char *const not_own[] = {"0::/user.slice/exo\n", "0::/user.slice\n", "0::/\n",
                                          "", "0::/user.slice/exo\n2:cpuacct:/\n", NULL};
    for (size_t i = 0; not_own[i] != NULL; i++) {
        root = fake_machine(not_own[i]);
        CU_ASSERT_EQUAL(read_fake(root, &s), 0);
        CU_ASSERT_FALSE(s.from_cgroup);
        CU_ASSERT_EQUAL(s.cpu_ns, (uint64_t)(15 * tick_ns));
        CU_ASSERT_EQUAL(s.rss_bytes, (uint64_t)(3 * page));
        exo_rm_rf(root);
        free(root);
    }
    /* a cgroup whose files are missing: the process's own figures too */
    root = fake_machine("0::/docker/gone\n");
    CU_ASSERT_EQUAL(read_fake(root, &s), 0);
    CU_ASSERT_FALSE(s.from_cgroup);
    exo_rm_rf(root);
    free(root);
}

/* A directory of a writable cgroup hierarchy of this machine for a new cgroup, or NULL. */
static char *real_cgroup_dir(void)
{
    static const char *const roots[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/cpuacct",
                                        "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup", NULL};
    for (size_t i = 0; roots[i] != NULL; i++) {
        char *dir = exo_strdupf("%s/exo-test-unitstats-%d", roots[i], (int)getpid());
        char *probe = exo_strdupf("%s/cgroup.procs", roots[i]);
        bool ok = access(probe, W_OK) == 0 && mkdir(dir, 0755) == 0;
        free(probe);
        if (ok) {
            return dir;
        }
        free(dir);
    }
    return NULL;
}

static void test_real_cgroup_when_available(void)
{
    char *dir = real_cgroup_dir();
    if (dir == NULL) {
        fprintf(stderr, "(no writable cgroup hierarchy here: the real cgroup is not tried) ");
        return;
    }
    pid_t pid = spin_child();
    CU_ASSERT_FATAL(pid > 0);
    char *procs = exo_strdupf("%s/cgroup.procs", dir);
    char *text = exo_strdupf("%d\n", (int)pid);
    FILE *f = fopen(procs, "we");
    bool moved = f != NULL && fputs(text, f) >= 0;
    moved = f != NULL && fclose(f) == 0 && moved;
    if (moved) {
        exo_unitstats_t a, b;
        CU_ASSERT_TRUE(cpu_reaches((long)pid, 20u * 1000000u, &a));
        CU_ASSERT_TRUE(a.from_cgroup);
        CU_ASSERT_TRUE(cpu_reaches((long)pid, a.cpu_ns + 20u * 1000000u, &b));
        CU_ASSERT_TRUE(b.from_cgroup);
        fprintf(stderr, "(%s: %llu ns) ", dir, (unsigned long long)b.cpu_ns);
    } else {
        fprintf(stderr, "(cannot move a process into %s: the real cgroup is not tried) ", dir);
    }
    reap(pid);
    for (int i = 0; i < 100 && rmdir(dir) != 0 && errno == EBUSY; i++) {
        usleep(10000); /* the killed child leaves the cgroup a moment later */
    }
    free(text);
    free(procs);
    free(dir);
}

static void test_cpu_percent(void)
{
    CU_ASSERT_DOUBLE_EQUAL(exo_unitstats_cpu_percent(0, 500000000, 1000000000), 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(exo_unitstats_cpu_percent(0, 2000000000, 1000000000), 200.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(exo_unitstats_cpu_percent(5, 1, 1000000000), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(exo_unitstats_cpu_percent(0, 5, 0), 0.0, 1e-9);
}

static const exo_test_t tests[] = {
    {"this process: memory, and CPU that grows as it works", test_own_process},
    {"a busy child's CPU grows", test_busy_child_grows},
    {"a zombie, a reaped pid and a bad pid give -1", test_dead_pid},
    {"a container's figures come from its own cgroup (v2, v1), never exo's",
     test_cgroup_of_a_container},
    {"a process in a real cgroup of its own, when this machine allows one",
     test_real_cgroup_when_available},
    {"CPU percent between two readings", test_cpu_percent},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("unitstats", tests, NULL, NULL)
