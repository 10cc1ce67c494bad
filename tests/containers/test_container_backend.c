/*
 * tests/containers/test_container_backend.c - drives a container backend plugin (docker or
 * podman) through the backend ABI against a real engine, the way the core does: open a run,
 * build, start units, watch their output and exits on the core loop, stop, clean up.
 *
 * Run by tests/containers/{docker,podman}.sh, which start the engine and import the base
 * image first. Environment: EXO_TEST_BACKEND (plugin name), EXO_TEST_ENGINE (CLI used only to
 * check what the plugin did, and to start an outsider container), EXO_TEST_BASE_IMAGE (a
 * busybox image), EXO_PLUGIN_PATH.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exo/backend.h>

#include "cunit_main.h"
#include "test_host.h"
#include "base/util.h"
#include "run/unitstats.h"

static exo_loop_t *loop;
static struct {
    exo_host_t host;
} th_, *th;
static void *dl;
static const exo_plugin_desc_t *desc;
static const exo_backend_ops_t *ops;
static const char *engine, *base_image, *backend;
static char *tmpdir;
static char app[64];

/* Run the loop until @p done(arg) holds or @p timeout_ms pass. */
static bool run_until(void *unused, bool (*done)(void *arg), void *arg, unsigned timeout_ms)
{
    unsigned long long end = exo_now_ms() + timeout_ms;
    while (!done(arg) && exo_now_ms() < end) {
        exo_loop_once(loop, 50);
    }
    return done(arg);
}

typedef struct unit_rec {
    exo_buf_t out, err;
    bool exited;
    int status, signal;
    unsigned long long exit_ms;
} unit_rec_t;

static void rec_output(void *arg, int stream, const char *line, size_t len)
{
    unit_rec_t *r = arg;
    exo_buf_t *b = stream == EXO_STREAM_STDERR ? &r->err : &r->out;
    exo_buf_append(b, line, len);
    exo_buf_append(b, "\n", 1);
}

static void rec_exit(void *arg, int status, int sig)
{
    unit_rec_t *r = arg;
    CU_ASSERT_FALSE(r->exited); /* exactly once */
    r->exited = true;
    r->status = status;
    r->signal = sig;
    r->exit_ms = exo_now_ms();
}

static void rec_free(unit_rec_t *r)
{
    exo_buf_free(&r->out);
    exo_buf_free(&r->err);
}

static bool rec_done(void *arg)
{
    return ((unit_rec_t *)arg)->exited;
}

typedef struct wait_text {
    unit_rec_t *r;
    const char *text;
} wait_text_t;

static bool has_text(void *arg)
{
    wait_text_t *w = arg;
    return w->r->out.data && strstr(w->r->out.data, w->text) != NULL;
}

static exo_unit_spec_t unit_spec(const char *name, const char *command, unit_rec_t *r)
{
    static const char *const env[] = {"GREETING=hello from exo", NULL};
    return (exo_unit_spec_t){
        .size = sizeof(exo_unit_spec_t),
        .name = name,
        .mode = EXO_UNIT_SERVICE,
        .dir = tmpdir,
        .command = command,
        .image = base_image,
        .env = env,
        .on_output = rec_output,
        .on_exit = rec_exit,
        .arg = r,
    };
}

static void *open_run(const char *run_id)
{
    exo_run_spec_t run = {.size = sizeof run, .app = app, .app_dir = tmpdir, .run_id = run_id,
                          .state_dir = tmpdir};
    void *inst = NULL;
    exo_error_t err = {0};
    int rc = ops->open(&th->host, &run, &inst, &err);
    if (rc != 0) {
        fprintf(stderr, "open: %s\n", err.message);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return inst;
}

/* Output of an engine CLI command, trimmed; new string. */
static char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sh_out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = exo_vstrdupf(fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    free(cmd);
    exo_buf_t b = {0};
    exo_buf_puts(&b, "");
    char chunk[512];
    size_t n;
    while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        exo_buf_append(&b, chunk, n);
    }
    if (p) {
        pclose(p);
    }
    while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' ')) {
        b.data[--b.len] = '\0';
    }
    return b.data;
}

static void write_file(const char *name, const char *text)
{
    char *p = exo_path_join(tmpdir, name);
    CU_ASSERT_EQUAL_FATAL(exo_write_file_atomic(p, text, strlen(text)), 0);
    free(p);
}

/* ---- tests ---- */

static void test_probe(void)
{
    exo_error_t err = {0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->probe);
    int rc = ops->probe(&th->host, &err);
    if (rc != 0) {
        fprintf(stderr, "probe: %s\n", err.message);
    }
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_build_and_two_units(void)
{
    void *inst = open_run("r1");
    char *df = exo_strdupf("FROM %s\nCOPY greeting.txt /greeting.txt\nRUN cat /greeting.txt\n"
                           "CMD [\"/bin/sh\", \"-c\", \"cat /greeting.txt\"]\n", base_image);
    write_file("Dockerfile", df);
    free(df);
    write_file("greeting.txt", "built-into-the-image\n");

    unit_rec_t build = {0};
    exo_unit_spec_t bs = unit_spec("alpha", NULL, &build);
    bs.image = NULL;
    exo_error_t err = {0};
    int rc = ops->prepare(inst, &bs, &err);
    if (rc != 0) {
        fprintf(stderr, "prepare: %s\n", err.message);
    }
    CU_ASSERT_EQUAL(rc, 0);
    /* Build progress is streamed, step by step, and the RUN output shows up in it. */
    CU_ASSERT_PTR_NOT_NULL(build.out.data && strcasestr(build.out.data, "step"));
    CU_ASSERT_PTR_NOT_NULL(build.out.data && strstr(build.out.data, "built-into-the-image"));
    /* The build log goes to the plugin's state dir, or the run's when the host has none. */
    char *logp = exo_strdupf("%s/build-alpha.log", th->host.state_dir(&th->host) ?
                             th->host.state_dir(&th->host) : tmpdir);
    CU_ASSERT_TRUE(exo_path_is_file(logp));
    free(logp);
    rec_free(&build);

    /* alpha: the built image, answering on 7000; beta: the base image, calling alpha by name. */
    unit_rec_t a = {0}, b = {0};
    exo_unit_spec_t as = unit_spec("alpha",
                                   "cat /greeting.txt; echo \"$GREETING\"; echo to-stderr >&2; "
                                   "while true; do echo pong | nc -l -p 7000; done", &a);
    as.image = NULL;
    exo_port_map_t port = {.unit_port = 7000, .host_port = 0};
    as.ports = &port;
    as.n_ports = 1;
    exo_unit_spec_t bsp = unit_spec("beta",
                                    "i=0; while [ $i -lt 40 ]; do "
                                    "r=$(nc alpha 7000 </dev/null 2>/dev/null); "
                                    "if [ \"$r\" = pong ]; then echo got-$r; exit 0; fi; "
                                    "i=$((i+1)); sleep 0.25; done; echo no-answer; exit 7", &b);
    exo_unit_t *ua = NULL, *ub = NULL;
    rc = ops->start(inst, &as, &ua, &err);
    if (rc != 0) {
        fprintf(stderr, "start alpha: %s\n", err.message);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = ops->start(inst, &bsp, &ub, &err);
    if (rc != 0) {
        fprintf(stderr, "start beta: %s\n", err.message);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);

    CU_ASSERT_TRUE(run_until(th, rec_done, &b, 30000));
    CU_ASSERT_EQUAL(b.status, 0);
    CU_ASSERT_PTR_NOT_NULL(b.out.data && strstr(b.out.data, "got-pong"));
    wait_text_t w = {&a, "hello from exo"};
    CU_ASSERT_TRUE(run_until(th, has_text, &w, 10000));
    CU_ASSERT_PTR_NOT_NULL(a.out.data && strstr(a.out.data, "built-into-the-image\n"));
    CU_ASSERT_PTR_NOT_NULL(a.err.data && strstr(a.err.data, "to-stderr\n"));
    CU_ASSERT_FALSE(a.exited);

    /* Units reach the host through host_address; other units through unit_host. */
    const char *ha = ops->host_address(inst);
    CU_ASSERT_PTR_NOT_NULL(ha);
    CU_ASSERT_TRUE(ha && strchr(ha, '.') != NULL);
    CU_ASSERT_STRING_EQUAL(ops->unit_host(inst, "alpha"), "alpha");

    CU_ASSERT_EQUAL(ops->kill(inst, ua, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &a, 20000));
    CU_ASSERT_TRUE(a.signal == 9 || a.status != 0);
    ops->release(inst, ua);
    ops->release(inst, ub);
    ops->close(inst);
    rec_free(&a);
    rec_free(&b);
    char *left = sh_out("%s ps -aq --filter label=exo.app=%s; %s network ls -q --filter "
                        "label=exo.app=%s", engine, app, engine, app);
    CU_ASSERT_STRING_EQUAL(left, "");
    free(left);
}

typedef struct host_listener {
    int fd;
    exo_buf_t got;
    bool done;
} host_listener_t;

static void host_accept(int fd, unsigned events, void *arg)
{
    host_listener_t *hl = arg;
    int c = accept(fd, NULL, NULL);
    if (c < 0) {
        return;
    }
    char chunk[256];
    ssize_t n;
    while ((n = read(c, chunk, sizeof chunk)) > 0) {
        exo_buf_append(&hl->got, chunk, (size_t)n);
    }
    close(c);
    hl->done = true;
}

static bool listener_done(void *arg)
{
    return ((host_listener_t *)arg)->done;
}

/* What the broker relies on: a server bound to host_address() on the host (and nowhere
 * else) is reachable from a unit. */
static void test_host_address_reachable(void)
{
    void *inst = open_run("r6");
    const char *ha = ops->host_address(inst);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ha);
    /* The broker binds host_bind_address (backend ABI 1.2): the same gateway. */
    CU_ASSERT_FATAL(EXO_HAS(ops, exo_backend_ops_t, host_bind_address) &&
                    ops->host_bind_address != NULL);
    const char *bind_to = ops->host_bind_address(inst);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bind_to);
    CU_ASSERT_STRING_EQUAL(bind_to, ha);
    host_listener_t hl = {.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    struct sockaddr_in sa = {.sin_family = AF_INET};
    CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, bind_to, &sa.sin_addr), 1);
    CU_ASSERT_EQUAL_FATAL(bind(hl.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    CU_ASSERT_EQUAL_FATAL(listen(hl.fd, 4), 0);
    socklen_t sl = sizeof sa;
    getsockname(hl.fd, (struct sockaddr *)&sa, &sl);
    int w = exo_loop_watch(loop, hl.fd, EXO_EV_READ, host_accept, &hl);

    unit_rec_t r = {0};
    char *cmd = exo_strdupf("echo hello-host | nc %s %u", ha, (unsigned)ntohs(sa.sin_port));
    exo_unit_spec_t s = unit_spec("caller", cmd, &r);
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    CU_ASSERT_TRUE(run_until(th, listener_done, &hl, 20000));
    CU_ASSERT_PTR_NOT_NULL(hl.got.data && strstr(hl.got.data, "hello-host"));
    CU_ASSERT_TRUE(run_until(th, rec_done, &r, 20000));
    exo_loop_unwatch(loop, w);
    close(hl.fd);
    exo_buf_free(&hl.got);
    free(cmd);
    ops->release(inst, u);
    ops->close(inst);
    rec_free(&r);
}

static void test_crash_exit_code(void)
{
    void *inst = open_run("r2");
    unit_rec_t r = {0};
    exo_unit_spec_t s = unit_spec("crasher", "echo about-to-crash; exit 3", &r);
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &r, 20000));
    CU_ASSERT_EQUAL(r.status, 3);
    CU_ASSERT_EQUAL(r.signal, 0);
    /* All output arrives before the exit is reported. */
    CU_ASSERT_PTR_NOT_NULL(r.out.data && strstr(r.out.data, "about-to-crash\n"));
    ops->release(inst, u);
    rec_free(&r);

    /* The same unit started again in the same run: no name clash. */
    unit_rec_t r2 = {0};
    s = unit_spec("crasher", "exit 0", &r2);
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &r2, 20000));
    CU_ASSERT_EQUAL(r2.status, 0);
    ops->release(inst, u);
    ops->close(inst);
    rec_free(&r2);
}

static void test_stop_grace(void)
{
    void *inst = open_run("r3");
    unit_rec_t r = {0};
    exo_unit_spec_t s = unit_spec("stubborn",
                                  "trap '' TERM; echo ignoring-term; "
                                  "while true; do sleep 0.2; done", &r);
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    wait_text_t w = {&r, "ignoring-term"};
    CU_ASSERT_TRUE(run_until(th, has_text, &w, 20000));
    unsigned long long t0 = exo_now_ms();
    CU_ASSERT_EQUAL(ops->stop(inst, u, 1000, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &r, 30000));
    unsigned long long took = r.exit_ms - t0;
    fprintf(stderr, "stop with 1 s grace took %llu ms\n", took);
    CU_ASSERT_TRUE(took >= 900);
    CU_ASSERT_TRUE(took < 15000);
    CU_ASSERT_EQUAL(r.signal, 9);

    /* A unit that honours SIGTERM goes at once. */
    unit_rec_t r2 = {0};
    exo_unit_spec_t s2 = unit_spec("polite", "echo up; while true; do sleep 0.2; done", &r2);
    exo_unit_t *u2 = NULL;
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s2, &u2, &err), 0);
    wait_text_t w2 = {&r2, "up"};
    CU_ASSERT_TRUE(run_until(th, has_text, &w2, 20000));
    t0 = exo_now_ms();
    CU_ASSERT_EQUAL(ops->stop(inst, u2, 10000, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &r2, 30000));
    fprintf(stderr, "stop of a polite unit took %llu ms\n", r2.exit_ms - t0);
    CU_ASSERT_TRUE(r2.exit_ms - t0 < 8000);
    ops->release(inst, u);
    ops->release(inst, u2);
    ops->close(inst);
    rec_free(&r);
    rec_free(&r2);
}

typedef struct pid_wait {
    void *inst;
    exo_unit_t *u;
} pid_wait_t;

static bool has_pid(void *arg)
{
    pid_wait_t *w = arg;
    return ops->unit_pid(w->inst, w->u) > 0;
}

/* Backend ABI 1.5: the container's id at once, its pid on the host once it runs (both as
 * the engine's own inspect says), the pid -1 once it exited. */
static void test_unit_pid_and_container(void)
{
    CU_ASSERT_FATAL(EXO_HAS(ops, exo_backend_ops_t, unit_container));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->unit_pid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->unit_container);
    void *inst = open_run("r8");
    unit_rec_t r = {0};
    exo_unit_spec_t s = unit_spec("pidunit", "echo up; while true; do sleep 0.2; done", &r);
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    wait_text_t w = {&r, "up"};
    CU_ASSERT_TRUE(run_until(th, has_text, &w, 20000));
    pid_wait_t pw = {inst, u};
    CU_ASSERT_TRUE_FATAL(run_until(th, has_pid, &pw, 20000));
    long pid = ops->unit_pid(inst, u);
    const char *id = ops->unit_container(inst, u);
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    CU_ASSERT_EQUAL(strlen(id), 12);
    CU_ASSERT_EQUAL(strspn(id, "0123456789abcdef"), 12);
    char *full = sh_out("%s inspect --format '{{.Id}} {{.State.Pid}}' %s 2>&1", engine, id);
    char *want = exo_strdupf(" %ld", pid);
    CU_ASSERT_EQUAL(strncmp(full, id, 12), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(full, want));
    fprintf(stderr, "unit pidunit: container %s, pid %ld; %s inspect: %s\n", id, pid, engine,
            full);
    /* the pid is one of this machine's processes: the container's shell, in the container's
     * own cgroup, which exo's dashboard reads (core/run/unitstats.h) */
    char *proc = exo_strdupf("/proc/%ld/cmdline", pid);
    CU_ASSERT_TRUE(exo_path_is_file(proc));
    free(proc);
    exo_unitstats_t st;
    CU_ASSERT_EQUAL(exo_unitstats_read(pid, &st), 0);
    CU_ASSERT_TRUE(st.from_cgroup);
    CU_ASSERT(st.rss_bytes > 0);
    fprintf(stderr, "unit pidunit: cpu %llu ns, memory %llu bytes (from its cgroup: %d)\n",
            (unsigned long long)st.cpu_ns, (unsigned long long)st.rss_bytes, st.from_cgroup);
    free(want);
    free(full);
    CU_ASSERT_EQUAL(ops->stop(inst, u, 10000, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &r, 30000));
    CU_ASSERT_EQUAL(ops->unit_pid(inst, u), -1);
    ops->release(inst, u);
    ops->close(inst);
    rec_free(&r);
}

static void test_cleanup_only_the_app(void)
{
    /* An outsider, labelled with another app, and one with no label at all. */
    char *out1 = sh_out("%s run -d --name exo-outsider-%d --label exo.app=%s-other %s "
                        "sleep 300", engine, (int)getpid(), app, base_image);
    char *out2 = sh_out("%s run -d --name exo-plain-%d %s sleep 300", engine, (int)getpid(),
                        base_image);
    CU_ASSERT_NOT_EQUAL(out1[0], '\0');
    CU_ASSERT_NOT_EQUAL(out2[0], '\0');

    /* A run that "crashed": units and network left behind. */
    void *inst = open_run("r4");
    unit_rec_t r = {0};
    exo_unit_spec_t s = unit_spec("leftover", "echo leftover-up; sleep 300", &r);
    exo_unit_t *u = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    wait_text_t w = {&r, "leftover-up"};
    CU_ASSERT_TRUE(run_until(th, has_text, &w, 20000));
    char *mine = sh_out("%s ps -q --filter label=exo.app=%s | wc -l", engine, app);
    CU_ASSERT_STRING_EQUAL(mine, "1");
    free(mine);

    int rc = ops->cleanup(&th->host, app, tmpdir, &err);
    if (rc != 0) {
        fprintf(stderr, "cleanup: %s\n", err.message);
    }
    CU_ASSERT_EQUAL(rc, 0);
    char *left = sh_out("%s ps -aq --filter label=exo.app=%s; %s network ls -q --filter "
                        "label=exo.app=%s", engine, app, engine, app);
    CU_ASSERT_STRING_EQUAL(left, "");
    free(left);
    char *alive = sh_out("%s ps -q --filter name=exo-outsider-%d --filter name=exo-plain-%d "
                         "| wc -l", engine, (int)getpid(), (int)getpid());
    CU_ASSERT_STRING_EQUAL(alive, "2");
    free(alive);

    /* The unit of the cleaned run still reports its end, once. */
    CU_ASSERT_TRUE(run_until(th, rec_done, &r, 20000));
    ops->release(inst, u);
    ops->close(inst);
    rec_free(&r);
    free(sh_out("%s kill exo-outsider-%d exo-plain-%d >/dev/null 2>&1; %s rm -f exo-outsider-%d "
                "exo-plain-%d >/dev/null 2>&1", engine, (int)getpid(), (int)getpid(), engine,
                (int)getpid(), (int)getpid()));
    free(out1);
    free(out2);
}

static void test_build_failure_names_step(void)
{
    void *inst = open_run("r5");
    char *df = exo_strdupf("FROM %s\nRUN echo first-step-ok\nRUN echo about-to-fail && false\n"
                           "RUN echo never\n", base_image);
    write_file("Dockerfile.broken", df);
    free(df);
    unit_rec_t r = {0};
    exo_unit_spec_t s = unit_spec("brokensvc", NULL, &r);
    s.image = NULL;
    s.dockerfile = "Dockerfile.broken";
    exo_error_t err = {0};
    int rc = ops->prepare(inst, &s, &err);
    fprintf(stderr, "build failure: %s\n", err.message);
    CU_ASSERT_NOT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "brokensvc"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "about-to-fail"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "never"));
    CU_ASSERT_PTR_NOT_NULL(r.out.data && strstr(r.out.data, "first-step-ok"));

    /* The same through the service's settings, as the core passes them since ABI 1.2. */
    s.dockerfile = NULL;
    json_t *opts = json_pack("{s:s}", "dockerfile", "Dockerfile.broken");
    s.options = opts;
    memset(&err, 0, sizeof err);
    CU_ASSERT_NOT_EQUAL(ops->prepare(inst, &s, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "about-to-fail"));

    /* A missing Dockerfile is named too, from either place. */
    json_object_set_new(opts, "dockerfile", json_string("Dockerfile.gone"));
    memset(&err, 0, sizeof err);
    CU_ASSERT_NOT_EQUAL(ops->prepare(inst, &s, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Dockerfile.gone"));
    s.options = NULL;
    s.dockerfile = "Dockerfile.nope";
    memset(&err, 0, sizeof err);
    CU_ASSERT_NOT_EQUAL(ops->prepare(inst, &s, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Dockerfile.nope"));
    json_decref(opts);
    ops->close(inst);
    rec_free(&r);
    char *left = sh_out("%s ps -aq --filter label=exo.app=%s", engine, app);
    CU_ASSERT_STRING_EQUAL(left, "");
    free(left);
}

/* image, cpus and memory come from the settings (spec->options); spec->image is the fallback
 * that resource servers use. Keys for `exo build` (dockerfile-prod) are accepted unread. */
static void test_settings_from_options(void)
{
    void *inst = open_run("r7");
    unit_rec_t r = {0};
    exo_unit_spec_t s = unit_spec("fromopts", "echo from-options; exit 4", &r);
    s.image = NULL;
    json_t *opts = json_pack("{s:s, s:s, s:f, s:s}", "image", base_image, "dockerfile-prod",
                             "Dockerfile.prod", "cpus", 0.5, "memory", "64MiB");
    s.options = opts;
    exo_error_t err = {0};
    int rc = ops->prepare(inst, &s, &err);
    if (rc != 0) {
        fprintf(stderr, "prepare: %s\n", err.message);
    }
    CU_ASSERT_EQUAL(rc, 0);
    exo_unit_t *u = NULL;
    CU_ASSERT_EQUAL_FATAL(ops->start(inst, &s, &u, &err), 0);
    CU_ASSERT_TRUE(run_until(th, rec_done, &r, 20000));
    CU_ASSERT_EQUAL(r.status, 4);
    CU_ASSERT_PTR_NOT_NULL(r.out.data && strstr(r.out.data, "from-options"));
    ops->release(inst, u);
    rec_free(&r);

    /* An image named in the settings that the engine lacks: said before anything starts. */
    json_object_set_new(opts, "image", json_string("exo-no-such-image:1"));
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(ops->prepare(inst, &s, &err), EXO_ERR_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "exo-no-such-image:1"));
    /* A value out of range names its key. */
    json_object_set_new(opts, "memory", json_string("1KiB"));
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(ops->prepare(inst, &s, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "memory must be a size of at least 6MiB"));
    json_decref(opts);
    ops->close(inst);
}

/* The settings keys are declared for the core to check (ABI 1.1), in the "docker" section. */
static void test_declared_settings(void)
{
    CU_ASSERT_FATAL(EXO_HAS(desc, exo_plugin_desc_t, config_section));
    CU_ASSERT_PTR_NOT_NULL_FATAL(desc->config);
    CU_ASSERT_STRING_EQUAL(desc->config_section, "docker");
    const char *want[] = {"image", "dockerfile", "dockerfile-prod", "cpus", "memory"};
    const exo_config_type_t types[] = {EXO_CONFIG_STRING, EXO_CONFIG_STRING, EXO_CONFIG_STRING,
                                       EXO_CONFIG_NUMBER, EXO_CONFIG_SIZE};
    size_t n = 0;
    for (const exo_config_key_t *k = desc->config; k->name != NULL; k++, n++) {
        CU_ASSERT_FATAL(n < 5);
        CU_ASSERT_STRING_EQUAL(k->name, want[n]);
        CU_ASSERT_EQUAL(k->type, types[n]);
        CU_ASSERT_TRUE(k->doc != NULL && k->doc[0] != '\0' && strchr(k->doc, '\n') == NULL);
    }
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_STRING_EQUAL(desc->config[1].default_value, "Dockerfile");
    CU_ASSERT_STRING_EQUAL(desc->config[2].default_value, "Dockerfile.prod");
}

static int setup(void)
{
    backend = getenv("EXO_TEST_BACKEND");
    engine = getenv("EXO_TEST_ENGINE");
    base_image = getenv("EXO_TEST_BASE_IMAGE");
    const char *pp = getenv("EXO_PLUGIN_PATH");
    if (!backend || !engine || !base_image || !pp) {
        fprintf(stderr, "needs EXO_TEST_BACKEND, EXO_TEST_ENGINE, EXO_TEST_BASE_IMAGE and "
                        "EXO_PLUGIN_PATH (run it through tests/containers/*.sh)\n");
        return 1;
    }
    char tmpl[] = "/tmp/exo-ctest-XXXXXX";
    if (mkdtemp(tmpl) == NULL) {
        return 1;
    }
    tmpdir = exo_xstrdup(tmpl);
    snprintf(app, sizeof app, "exotest%d", (int)getpid());
    /* Loaded as the core's loader would: dlopen and the one exported symbol. */
    loop = exo_loop_new();
    exo_test_host_init(&th_.host, loop, backend);
    th = &th_;
    char *so = exo_strdupf("%s/backend_%s.so", pp, backend);
    desc = exo_test_plugin_load(so, &th->host, &dl);
    free(so);
    if (desc == NULL || desc->kind != EXO_KIND_BACKEND) {
        return 1;
    }
    ops = desc->ops;
    return 0;
}

static int teardown(void)
{
    if (th != NULL && ops != NULL) {
        exo_error_t err;
        ops->cleanup(&th->host, app, tmpdir, &err);
    }
    if (desc != NULL && desc->fini != NULL) {
        desc->fini();
    }
    if (loop != NULL) {
        exo_loop_destroy(&loop);
    }
    if (dl != NULL) {
        dlclose(dl);
    }
    if (tmpdir) {
        exo_rm_rf(tmpdir);
        free(tmpdir);
    }
    return 0;
}

static const exo_test_t tests[] = {
    {"probe answers", test_probe},
    {"build, two units reach each other by name, output streams", test_build_and_two_units},
    {"a server bound to host_address is reachable from units", test_host_address_reachable},
    {"a crashing unit reports its exit code", test_crash_exit_code},
    {"stop kills a SIGTERM-ignoring unit after the grace", test_stop_grace},
    {"unit_pid and unit_container say what the engine says", test_unit_pid_and_container},
    {"cleanup removes the app's containers and networks only", test_cleanup_only_the_app},
    {"a build failure names the service and the failing step", test_build_failure_names_step},
    {"image and limits come from the service's settings", test_settings_from_options},
    {"the settings keys are declared", test_declared_settings},
    {NULL, NULL},
};

int main(void)
{
    return exo_cunit_run("container backend", tests, setup, teardown);
}
