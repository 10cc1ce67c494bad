/*
 * backend-podman: runs an app's units as Podman containers. Podman is daemonless, so this
 * plugin drives the podman command (EXO_PODMAN, default "podman" on PATH) and reads only its
 * machine-readable output: container ids, `--format json` listings and `podman wait` exit
 * codes. Output comes from a `podman logs -f` child and the exit from a `podman wait` child,
 * whose pipes are watched on the host's loop; stop and kill run as children too.
 *
 * Observable behaviour matches backend-docker: network "exo-<app>-<run>" labelled
 * exo.app/exo.run, containers labelled exo.app/exo.run/exo.unit with the unit name as network
 * alias, ports published on 127.0.0.1 (a public endpoint on the address the app binds),
 * images "exo-<app>-<unit>:latest", build logs in the plugin's state directory. Environment
 * values go through a 0600 env file that is removed right after `podman run --detach`, so
 * they never show on a command line.
 *
 * Threading: loop thread only. run, stop, kill, rm, logs and wait run as children
 * whose pipes are watched on the loop; open(), close(), cleanup() and prepare()'s build (which
 * the ABI lets block) wait for their commands.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/backend.h>

#include "base/util.h"

#include "../backend-common/ctrbuild.h"
#include "../backend-common/ctrclean.h"
#include "../backend-common/ctrlines.h"
#include "../backend-common/ctrqueue.h"
#include "../backend-common/ctrrun.h"
#include "../backend-common/ctrsettings.h"
#include "../backend-common/ctrunit.h"

static const exo_host_t *g_host;

/* Measured with bench/containers-up.sh podman on 2 cores, 10 units: 1 at a time 3.8-4.3 s,
 * 2 at a time 3.0-3.2 s, all at once 3.3-3.8 s to ready. */
#define RUNS_AT_ONCE 2

/* ------------------------------------------------------------------------------------------ */
/* Strings, argv                                                                               */

/* @p s without its trailing whitespace (trimmed in place), for use in an expression. */
static char *rtrim(char *s)
{
    exo_rtrim(s);
    return s;
}

/* argv lists are exo_strv_t: NULL-terminated, as execvp wants them. */
static void arg_addf(exo_strv_t *a, const char *fmt, ...) EXO_PRINTF(2, 3);
static void arg_addf(exo_strv_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exo_strv_push_owned(a, exo_vstrdupf(fmt, ap));
    va_end(ap);
}

static const char *podman_bin(void)
{
    const char *p = getenv("EXO_PODMAN");
    return p && *p ? p : "podman";
}

static exo_strv_t podman_argv(void)
{
    exo_strv_t a = {0};
    exo_strv_push(&a, podman_bin());
    return a;
}

/* ------------------------------------------------------------------------------------------ */
/* Child processes                                                                             */

/* fork+exec with stdout/stderr on pipes and stdin on /dev/null. Returns the pid or -1. */
static pid_t spawn(char *const *argv, int *out_fd, int *err_fd)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0) {
        return -1;
    }
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        dup2(po[1], 1);
        dup2(pe[1], 2);
        /* podman must not die with exo's own Ctrl-C before exo cleans up. */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        return -1;
    }
    *out_fd = po[0];
    *err_fd = pe[0];
    return pid;
}

/* Reap @p pid; -1 when someone else (a SIGCHLD handler of the core) already did. */
static int reap(pid_t pid)
{
    int st = 0;
    pid_t r;
    do {
        r = waitpid(pid, &st, 0);
    } while (r < 0 && errno == EINTR);
    if (r != pid) {
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

typedef struct run_result {
    int status;    /* exit status, -1 unknown */
    exo_buf_t out, err;
} run_result_t;

static void result_free(run_result_t *r)
{
    exo_buf_free(&r->out);
    exo_buf_free(&r->err);
}

/**
 * Run a podman command to its end. With @p fn, output lines are also handed to it as they
 * come (stream 1 or 2). Fails only when podman cannot be started.
 */
static int run_sync(exo_strv_t *a, ctr_line_fn fn, void *arg, run_result_t *res, exo_error_t *err)
{
    memset(res, 0, sizeof *res);
    exo_buf_append(&res->out, "", 0);
    exo_buf_append(&res->err, "", 0);
    int fds[2];
    pid_t pid = spawn(a->v, &fds[0], &fds[1]);
    if (pid < 0) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE, "cannot run %s: %s", a->v[0],
                             strerror(errno));
    }
    exo_buf_t part[2] = {{0}, {0}};
    bool open_[2] = {true, true};
    while (open_[0] || open_[1]) {
        struct pollfd p[2] = {{.fd = open_[0] ? fds[0] : -1, .events = POLLIN},
                              {.fd = open_[1] ? fds[1] : -1, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (!open_[i] || p[i].revents == 0) {
                continue;
            }
            char chunk[8192];
            ssize_t n = read(fds[i], chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                open_[i] = false;
                continue;
            }
            exo_buf_append(i == 0 ? &res->out : &res->err, chunk, (size_t)n);
            if (fn != NULL) {
                ctr_lines_feed(&part[i], i + 1, chunk, (size_t)n, fn, arg);
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fn != NULL) {
            ctr_lines_flush(&part[i], i + 1, fn, arg);
        }
        exo_buf_free(&part[i]);
        close(fds[i]);
    }
    res->status = reap(pid);
    if (res->status == 127 && res->out.len == 0 && res->err.len == 0) {
        return exo_error_set(err, EXO_ERR_UNAVAILABLE,
                             "cannot run %s: not installed? Install the podman and runc "
                             "packages, or point EXO_PODMAN at the podman binary", a->v[0]);
    }
    return 0;
}

/* Run, and turn a non-zero exit into an error quoting podman's last stderr line. */
static int run_ok(exo_strv_t *a, const char *doing, run_result_t *res, exo_error_t *err)
{
    int rc = run_sync(a, NULL, NULL, res, err);
    if (rc < 0) {
        return rc;
    }
    if (res->status != 0) {
        char *e = rtrim(res->err.data);
        char *last = strrchr(e, '\n');
        return exo_error_set(err, EXO_ERR_IO, "podman: %s failed (exit %d): %s", doing,
                             res->status, last ? last + 1 : e);
    }
    return 0;
}

/* A watched child: both pipes until EOF, then reaped. */
typedef struct child child_t;
typedef void (*child_done_fn)(void *arg, child_t *c, int status);

struct child {
    pid_t pid;
    int fd[2];
    int watch[2];
    exo_buf_t out;      /* stdout, when on_line is NULL */
    exo_buf_t errb;     /* stderr, when on_line is NULL */
    exo_buf_t part[2];  /* partial lines, when on_line is set */
    ctr_line_fn on_line;
    child_done_fn on_done;
    void *arg;
};

static void child_free(child_t *c, bool kill_it)
{
    if (c == NULL) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        if (c->watch[i] > 0) {
            g_host->unwatch(g_host, c->watch[i]);
        }
        if (c->fd[i] >= 0) {
            close(c->fd[i]);
        }
        exo_buf_free(&c->part[i]);
    }
    if (c->pid > 0) {
        if (kill_it) {
            kill(c->pid, SIGKILL);
        }
        reap(c->pid);
    }
    exo_buf_free(&c->out);
    exo_buf_free(&c->errb);
    free(c);
}

static void child_readable(int fd, unsigned events, void *arg)
{
    child_t *c = arg;
    int i = fd == c->fd[0] ? 0 : 1;
    char chunk[16384];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n > 0) {
        if (c->on_line != NULL) {
            ctr_lines_feed(&c->part[i], i + 1, chunk, (size_t)n, c->on_line, c->arg);
        } else {
            exo_buf_append(i == 0 ? &c->out : &c->errb, chunk, (size_t)n);
        }
        return;
    }
    g_host->unwatch(g_host, c->watch[i]);
    c->watch[i] = 0;
    close(c->fd[i]);
    c->fd[i] = -1;
    if (c->on_line != NULL) {
        ctr_lines_flush(&c->part[i], i + 1, c->on_line, c->arg);
    }
    if (c->fd[0] < 0 && c->fd[1] < 0) {
        int status = reap(c->pid);
        c->pid = 0;
        c->on_done(c->arg, c, status); /* may free @p c */
    }
}

static child_t *child_start(exo_strv_t *a, ctr_line_fn on_line, child_done_fn on_done, void *arg,
                            exo_error_t *err)
{
    child_t *c = exo_xcalloc(1, sizeof *c);
    c->fd[0] = c->fd[1] = -1;
    c->pid = spawn(a->v, &c->fd[0], &c->fd[1]);
    if (c->pid < 0) {
        c->pid = 0;
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "cannot run %s: %s", a->v[0], strerror(errno));
        child_free(c, false);
        return NULL;
    }
    c->on_line = on_line;
    c->on_done = on_done;
    c->arg = arg;
    exo_buf_append(&c->out, "", 0);
    exo_buf_append(&c->errb, "", 0);
    for (int i = 0; i < 2; i++) {
        fcntl(c->fd[i], F_SETFL, fcntl(c->fd[i], F_GETFL) | O_NONBLOCK);
        c->watch[i] = g_host->watch_fd(g_host, c->fd[i], EXO_EV_READ, child_readable, c);
        if (c->watch[i] <= 0) {
            c->watch[i] = 0;
            child_free(c, true);
            exo_error_set(err, EXO_ERR_INTERNAL, "podman: cannot watch a child's output");
            return NULL;
        }
    }
    return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Backend                                                                                     */

typedef struct podman_inst {
    ctr_run_t ctr; /* first: ctrrun.h's ops take the instance as one */
    char *ifname; /* the bridge, when this plugin created it */
    ctr_pending_t removing; /* `podman rm` children in flight; close() waits for them */
    /* At most RUNS_AT_ONCE `podman run`s at a time, started in the order of start() calls
     * (the core's order, slowest unit first): more only wait on podman's locks, in no order,
     * and compete for the CPU with the ones that could finish. */
    ctr_queue_t runs; /* limit RUNS_AT_ONCE */
} podman_inst_t;

struct exo_unit {
    ctr_unit_t ctr; /* first: ctrunit.h's functions take the unit as one */
    podman_inst_t *inst;
    char *name, *id;
    exo_strv_t run_args; /* the `podman run` command, until it runs */
    child_t *step; /* podman run in flight */
    child_t *logs, *wait, *stop, *killer;
    child_t *inspect; /* after the start: State.Pid for unit_pid (ABI 1.5) */
    char *envfile; /* until podman run is done */
};

static int podman_probe(const exo_host_t *host, exo_error_t *err)
{
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "info");
    exo_strv_push(&a, "--format");
    exo_strv_push(&a, "json");
    run_result_t r;
    int rc = run_sync(&a, NULL, NULL, &r, err);
    exo_strv_free(&a);
    if (rc == 0 && r.status != 0) {
        char *e = rtrim(r.err.data);
        rc = exo_error_set(err, EXO_ERR_UNAVAILABLE,
                           "podman does not work here (`podman info` exit %d): %s. Check its "
                           "configuration (runtime, cgroup manager, ulimits: CONTAINERS_CONF)",
                           r.status, e);
    }
    result_free(&r);
    return rc;
}

static void inst_free(podman_inst_t *in)
{
    ctr_queue_free(&in->runs);
    ctr_pending_free(&in->removing);
    ctr_run_free(&in->ctr);
    free(in->ifname);
    free(in);
}

/* Remove network @p name; true when this call removed it (one already gone is no warning). */
static bool network_rm(const char *name)
{
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "network");
    exo_strv_push(&a, "rm");
    exo_strv_push(&a, "-f");
    exo_strv_push(&a, name);
    run_result_t r;
    exo_error_t err;
    int rc = run_ok(&a, "removing a network", &r, &err);
    if (rc < 0 && strstr(err.message, "unknown") == NULL) {
        exo_log_warn(g_host, "%s", err.message);
    }
    result_free(&r);
    exo_strv_free(&a);
    return rc == 0;
}

static bool address_is_local(const char *ip)
{
    struct in_addr want;
    if (inet_pton(AF_INET, ip, &want) != 1) {
        return false;
    }
    struct ifaddrs *ifs = NULL, *i;
    bool found = false;
    if (getifaddrs(&ifs) != 0) {
        return false;
    }
    for (i = ifs; i && !found; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
            ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == want.s_addr) {
            found = true;
        }
    }
    freeifaddrs(ifs);
    return found;
}

static int run_ip(const char *a1, const char *a2, const char *a3, const char *a4,
                  const char *a5, const char *a6)
{
    exo_strv_t a = {0};
    const char *v[] = {"ip", a1, a2, a3, a4, a5, a6};
    for (size_t i = 0; i < sizeof v / sizeof v[0] && v[i]; i++) {
        exo_strv_push(&a, v[i]);
    }
    run_result_t r;
    exo_error_t err;
    int rc = run_sync(&a, NULL, NULL, &r, &err);
    rc = rc < 0 ? rc : r.status;
    result_free(&r);
    exo_strv_free(&a);
    return rc;
}

/*
 * Netavark creates a network's bridge, and so the gateway address the broker binds to, only
 * when the first container joins, and removes it when the last one leaves. Creating the
 * bridge up front with the address netavark will use lets the broker bind before any unit
 * starts; netavark adopts an existing bridge. A listening socket stays bound while the
 * bridge comes and goes.
 */
static bool ensure_bridge(const char *ifname, const char *gateway, const char *subnet)
{
    if (address_is_local(gateway)) {
        return false;
    }
    const char *slash = strchr(subnet, '/');
    char *cidr = exo_strdupf("%s%s", gateway, slash ? slash : "/24");
    if (run_ip("link", "add", ifname, "type", "bridge", NULL) != 0 ||
        run_ip("addr", "add", cidr, "dev", ifname, NULL) != 0 ||
        run_ip("link", "set", ifname, "up", NULL, NULL) != 0) {
        exo_log_warn(g_host, "could not create bridge %s with %s: units reach a broker on the "
                     "host only once a container runs on the network", ifname, cidr);
    }
    free(cidr);
    return true;
}

/* After `podman network rm`: netavark removes only bridges it saw in use. */
static void drop_bridge(const char *ifname)
{
    char *path = exo_strdupf("/sys/class/net/%s", ifname);
    if (access(path, F_OK) == 0) {
        run_ip("link", "del", ifname, NULL, NULL, NULL);
    }
    free(path);
}

static int podman_open(const exo_host_t *host, const exo_run_spec_t *run, void **instp,
                       exo_error_t *err)
{
    podman_inst_t *in = exo_xcalloc(1, sizeof *in);
    ctr_run_init(&in->ctr, host, run);
    in->runs.limit = RUNS_AT_ONCE;

    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "network");
    exo_strv_push(&a, "create");
    arg_addf(&a, "--label=exo.app=%s", run->app);
    arg_addf(&a, "--label=exo.run=%s", run->run_id);
    exo_strv_push(&a, in->ctr.network);
    run_result_t r;
    int rc;
    /* podman reads the host's routes to pick a free subnet; a bridge removed meanwhile (by
     * another engine or run on this machine) fails that scan with "no such network
     * interface". The scan is safe to repeat. */
    for (int attempt = 0;; attempt++) {
        rc = run_ok(&a, "creating the run network", &r, err);
        result_free(&r);
        if (rc == 0 || attempt == 4 || err == NULL ||
            strstr(err->message, "no such network interface") == NULL) {
            break;
        }
        usleep(200000);
    }
    exo_strv_free(&a);
    if (rc < 0) {
        inst_free(in);
        return rc;
    }
    a = podman_argv();
    exo_strv_push(&a, "network");
    exo_strv_push(&a, "inspect");
    exo_strv_push(&a, "--format");
    exo_strv_push(&a, "json");
    exo_strv_push(&a, in->ctr.network);
    rc = run_ok(&a, "inspecting the run network", &r, err);
    exo_strv_free(&a);
    if (rc == 0) {
        json_t *j = json_loads(r.out.data, 0, NULL);
        json_t *net = json_is_array(j) ? json_array_get(j, 0) : j;
        json_t *sub = json_array_get(json_object_get(net, "subnets"), 0);
        const char *gw = json_string_value(json_object_get(sub, "gateway"));
        const char *subnet = json_string_value(json_object_get(sub, "subnet"));
        const char *ifname = json_string_value(json_object_get(net, "network_interface"));
        in->ctr.gateway = exo_xstrdup(gw ? gw : "");
        if (gw != NULL && subnet != NULL && ifname != NULL && ensure_bridge(ifname, gw, subnet)) {
            in->ifname = exo_xstrdup(ifname);
        }
        json_decref(j);
    }
    result_free(&r);
    if (rc < 0 || in->ctr.gateway[0] == '\0') {
        network_rm(in->ctr.network);
        if (rc == 0) {
            rc = exo_error_set(err, EXO_ERR_IO, "podman: network %s has no gateway address",
                               in->ctr.network);
        }
        inst_free(in);
        return rc;
    }
    *instp = in;
    return 0;
}

/* A line of `podman build` output; podman says why it failed on a line "Error: ...". */
static void build_line(void *arg, int stream, const char *line, size_t len)
{
    if (len >= 7 && strncmp(line, "Error: ", 7) == 0) {
        ctr_build_error(arg, line + 7, len - 7);
    }
    ctr_build_line(arg, stream, line, len);
}

static int check_image(const char *unit, const char *image, exo_error_t *err)
{
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "image");
    exo_strv_push(&a, "exists");
    exo_strv_push(&a, image);
    run_result_t r;
    int rc = run_sync(&a, NULL, NULL, &r, err);
    exo_strv_free(&a);
    if (rc == 0 && r.status != 0) {
        rc = exo_error_set(err, EXO_ERR_NOTFOUND,
                           "service %s: image %s is not in podman's storage; pull or "
                           "build it (`podman pull %s`), or remove `image` from its "
                           "service.yml to build from its Dockerfile", unit, image, image);
    }
    result_free(&r);
    return rc;
}

static int build_image(void *instp, const exo_unit_spec_t *spec, const char *dockerfile,
                       const char *dfpath, exo_error_t *err)
{
    podman_inst_t *in = instp;
    char *tag = ctr_built_image(&in->ctr, spec);
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "build");
    exo_strv_push(&a, "--file");
    exo_strv_push(&a, dfpath);
    exo_strv_push(&a, "--tag");
    exo_strv_push(&a, tag);
    arg_addf(&a, "--label=exo.app=%s", in->ctr.app_raw);
    arg_addf(&a, "--label=exo.unit=%s", spec->name);
    exo_strv_push(&a, "--layers");
    exo_strv_push(&a, spec->dir);
    free(tag);
    ctr_build_t b;
    ctr_build_open(&b, &in->ctr, spec);
    run_result_t r;
    int rc = run_sync(&a, build_line, &b, &r, err);
    exo_strv_free(&a);
    if (rc == 0 && r.status != 0) {
        rc = ctr_build_failed(&b, "podman build failed", err);
    }
    result_free(&r);
    ctr_build_close(&b);
    return rc;
}

static int podman_prepare(void *instp, const exo_unit_spec_t *spec, exo_error_t *err)
{
    static const ctr_image_ops_t image_ops = {.check = check_image, .build = build_image};
    return ctr_prepare("podman", &image_ops, instp, spec, err);
}

/* Also ctr_unit_t.finish. */
static void unit_close_children(ctr_unit_t *cu)
{
    struct exo_unit *u = (struct exo_unit *)cu;
    child_free(u->step, false);
    u->step = NULL;
    if (u->envfile != NULL) {
        unlink(u->envfile);
        free(u->envfile);
        u->envfile = NULL;
    }
    child_free(u->logs, true);
    child_free(u->wait, true);
    child_free(u->inspect, true);
    u->inspect = NULL;
    /* A stop or kill in flight finishes on its own: the container is going either way. */
    child_free(u->stop, false);
    child_free(u->killer, false);
    u->logs = u->wait = u->stop = u->killer = NULL;
    ctr_unit_cancel_linger(&u->ctr);
}

static void logs_done(void *arg, child_t *c, int status)
{
    struct exo_unit *u = arg;
    child_free(u->logs, false);
    u->logs = NULL;
    ctr_unit_logs_done(&u->ctr);
}

static void wait_done(void *arg, child_t *c, int status)
{
    struct exo_unit *u = arg;
    char *end = NULL;
    long code = strtol(c->out.data, &end, 10);
    if ((status != 0 && status != -1) || end == c->out.data) {
        exo_log_warn(g_host, "unit %s: `podman wait` failed (exit %d); reporting it as gone",
                     u->name, status);
        code = 255;
    }
    child_free(u->wait, false);
    u->wait = NULL;
    ctr_unit_exited(&u->ctr, (int)code);
}

/* `podman container inspect` after the start: the container's pid on the host (unit_pid).
 * A failure only leaves the pid unknown. */
static void inspect_done(void *arg, child_t *c, int status)
{
    struct exo_unit *u = arg;
    json_t *j = status == 0 || status == -1 ? json_loads(c->out.data, 0, NULL) : NULL;
    if (!ctr_unit_learn(&u->ctr, j)) {
        exo_log_debug(g_host, "unit %s: no pid from inspecting container %s", u->name, u->id);
    }
    json_decref(j);
    child_free(u->inspect, false);
    u->inspect = NULL;
}

static void stop_done(void *arg, child_t *c, int status)
{
    struct exo_unit *u = arg;
    child_free(u->stop, false);
    u->stop = NULL;
}

static void kill_done(void *arg, child_t *c, int status)
{
    struct exo_unit *u = arg;
    child_free(u->killer, false);
    u->killer = NULL;
}

/* Remove container @p id now, whatever its state; true when this call removed it. */
static bool container_rm(const char *id)
{
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "rm");
    exo_strv_push(&a, "-f");
    exo_strv_push(&a, "-t");
    exo_strv_push(&a, "0");
    exo_strv_push(&a, id);
    run_result_t r;
    exo_error_t err;
    int rc = run_ok(&a, "removing a container", &r, &err);
    if (rc < 0 && strstr(err.message, "no such container") == NULL) {
        exo_log_warn(g_host, "%s", err.message);
    }
    result_free(&r);
    exo_strv_free(&a);
    return rc == 0;
}

/* An init that forwards signals to the unit's shell (podman's own catatonit is optional). */
static const char *find_init(void)
{
    static const char *const paths[] = {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit",
                                        "/usr/bin/tini-static", "/usr/bin/docker-init", NULL};
    for (const char *const *p = paths; *p; p++) {
        if (access(*p, X_OK) == 0) {
            return *p;
        }
    }
    return NULL;
}

static int write_env_file(const char *dir, const exo_unit_spec_t *spec, char **pathp,
                          exo_error_t *err)
{
    char *path = exo_strdupf("%s/env-%s-XXXXXX", dir, spec->name);
    int fd = mkstemp(path); /* mode 0600 */
    if (fd < 0) {
        int e = errno;
        free(path);
        return exo_error_set(err, EXO_ERR_IO, "podman: cannot write an env file in %s: %s",
                             dir, strerror(e));
    }
    FILE *f = fdopen(fd, "w");
    for (const char *const *e = spec->env; e && *e; e++) {
        if (strchr(*e, '\n') != NULL) {
            fclose(f);
            unlink(path);
            free(path);
            return exo_error_set(err, EXO_ERR_INVALID,
                                 "unit %s: environment values with newlines are not supported "
                                 "by the podman backend", spec->name);
        }
        fprintf(f, "%s\n", *e);
    }
    fclose(f);
    *pathp = path;
    return 0;
}

static int podman_kill(void *instp, exo_unit_t *u, exo_error_t *err);

static void step_error(child_t *c, int status, const char *doing, char *out, size_t n)
{
    char *e = rtrim(c->errb.data);
    char *last = e ? strrchr(e, '\n') : NULL;
    snprintf(out, n, "podman: %s failed (exit %d): %s", doing, status, last ? last + 1 : e);
}

/* The container runs: follow its output and its exit. */
static void unit_follow(struct exo_unit *u)
{
    /* logs -f replays from the start; wait answers at once for a container already gone. */
    exo_error_t err = {0};
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "logs");
    exo_strv_push(&a, "--follow");
    exo_strv_push(&a, u->id);
    u->logs = child_start(&a, ctr_unit_output, logs_done, u, &err);
    exo_strv_free(&a);
    a = podman_argv();
    exo_strv_push(&a, "wait");
    exo_strv_push(&a, u->id);
    u->wait = u->logs ? child_start(&a, NULL, wait_done, u, &err) : NULL;
    exo_strv_free(&a);
    if (u->wait == NULL) {
        child_free(u->logs, true);
        u->logs = NULL;
        ctr_unit_fail(&u->ctr, err.message);
        return;
    }
    a = podman_argv();
    exo_strv_push(&a, "container");
    exo_strv_push(&a, "inspect");
    exo_strv_push(&a, u->id);
    u->inspect = child_start(&a, NULL, inspect_done, u, &err);
    exo_strv_free(&a);
    if (!ctr_unit_started(&u->ctr)) {
        podman_kill(u->inst, u, &err);
    }
}

static void run_done(void *arg, child_t *c, int status)
{
    struct exo_unit *u = arg;
    u->step = NULL;
    ctr_queue_leave(&u->inst->runs, ctr_unit_launch_queued);
    unlink(u->envfile);
    free(u->envfile);
    u->envfile = NULL;
    if (status != 0 && status != -1) {
        char why[600];
        step_error(c, status, "starting the container (podman run)", why, sizeof why);
        child_free(c, false);
        ctr_unit_fail(&u->ctr, why);
        return;
    }
    char *id = rtrim(c->out.data);
    if (id != NULL && id[0] != '\0' && strchr(id, '\n') == NULL) {
        free(u->id);
        u->id = exo_xstrdup(id);
        ctr_unit_set_id(&u->ctr, id);
    }
    child_free(c, false);
    unit_follow(u); /* also when cancelled meanwhile: it runs, so it is killed from there */
}

/*
 * `podman run --detach` takes a few hundred milliseconds; start() only queues it (see
 * RUNS_AT_ONCE), and the rest follows on the loop, so the units of a run start in parallel.
 * A failure after start() returned is an exit with status 125 and a stderr line.
 */
static int launch_run(ctr_unit_t *cu, exo_error_t *err);

static int podman_start(void *instp, const exo_unit_spec_t *spec, exo_unit_t **unitp,
                        exo_error_t *err)
{
    podman_inst_t *in = instp;
    ctr_settings_t set;
    char *image = NULL;
    int rc = ctr_unit_image(&in->ctr, "podman", spec, &set, &image, err);
    char *envfile = NULL;
    if (rc == 0) {
        rc = write_env_file(in->ctr.log_dir, spec, &envfile, err);
    }
    if (rc < 0) {
        free(image);
        return rc;
    }
    char *cname = ctr_container_name(&in->ctr, spec->name);
    /* `run --detach` creates and starts in one podman process: each podman command costs a
     * process start-up of the engine, which is most of a unit's start time here. */
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "run");
    exo_strv_push(&a, "--detach");
    arg_addf(&a, "--name=%s", cname);
    arg_addf(&a, "--network=%s", in->ctr.network);
    arg_addf(&a, "--network-alias=%s", spec->name);
    arg_addf(&a, "--label=exo.app=%s", in->ctr.app_raw);
    arg_addf(&a, "--label=exo.run=%s", in->ctr.run_id);
    arg_addf(&a, "--label=exo.unit=%s", spec->name);
    arg_addf(&a, "--label=exo.mode=%s", spec->mode == EXO_UNIT_TASK ? "task" : "service");
    arg_addf(&a, "--env-file=%s", envfile);
    const char *init = find_init();
    if (init != NULL) {
        exo_strv_push(&a, "--init");
        arg_addf(&a, "--init-path=%s", init);
    }
    if (set.cpus > 0) {
        arg_addf(&a, "--cpus=%.2f", set.cpus);
    }
    if (set.memory > 0) {
        arg_addf(&a, "--memory=%llu", set.memory);
    }
    for (size_t i = 0; i < spec->n_ports; i++) {
        if (spec->ports[i].host_port != 0) {
            arg_addf(&a, "--publish=%s:%u:%u", ctr_unit_publish_address(spec),
                     spec->ports[i].host_port, spec->ports[i].unit_port);
        } else {
            arg_addf(&a, "--expose=%u", spec->ports[i].unit_port);
        }
    }
    /* mounts was appended to the spec: a core built before it passes a shorter struct. */
    if (spec->size >= offsetof(exo_unit_spec_t, mounts) + sizeof spec->mounts &&
        spec->mounts != NULL) {
        for (const char *const *m = spec->mounts; *m != NULL; m++) {
            arg_addf(&a, "--volume=%s", *m);
        }
    }
    exo_strv_push(&a, image);
    free(image);
    if (spec->command != NULL) {
        exo_strv_push(&a, "/bin/sh");
        exo_strv_push(&a, "-c");
        exo_strv_push(&a, spec->command);
    }
    struct exo_unit *u = exo_xcalloc(1, sizeof *u);
    u->inst = in;
    u->name = exo_xstrdup(spec->name);
    u->id = cname; /* the name works as an id until podman prints the real one */
    u->envfile = envfile;
    ctr_unit_init(&u->ctr, g_host, spec, unit_close_children, launch_run);
    u->run_args = a;
    if (ctr_queue_enter(&in->runs, &u->ctr) && launch_run(&u->ctr, err) < 0) {
        in->runs.busy--; /* its slot: nothing waits while a slot is free */
        unlink(envfile);
        free(envfile);
        free(u->name);
        free(u->id);
        free(u);
        return err ? err->code : EXO_ERR_UNAVAILABLE;
    }
    *unitp = u;
    return 0;
}

/* ctr_unit_t.launch */
static int launch_run(ctr_unit_t *cu, exo_error_t *err)
{
    struct exo_unit *u = (struct exo_unit *)cu;
    u->step = child_start(&u->run_args, NULL, run_done, u, err);
    exo_strv_free(&u->run_args);
    return u->step != NULL ? 0 : -1;
}

static int podman_stop(void *instp, exo_unit_t *u, unsigned grace_ms, exo_error_t *err)
{
    if (ctr_unit_settled(&u->ctr) || u->stop != NULL) {
        return 0; /* not running yet: run_done or the queue ends it */
    }
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "stop");
    arg_addf(&a, "--time=%u", (grace_ms + 999) / 1000);
    exo_strv_push(&a, u->id);
    u->stop = child_start(&a, NULL, stop_done, u, err);
    exo_strv_free(&a);
    return u->stop ? 0 : (err ? err->code : EXO_ERR_IO);
}

static int podman_kill(void *instp, exo_unit_t *u, exo_error_t *err)
{
    if (ctr_unit_settled(&u->ctr) || u->killer != NULL) {
        return 0;
    }
    /* A failure means it is not running any more; `podman wait` reports the exit. */
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "kill");
    exo_strv_push(&a, u->id);
    u->killer = child_start(&a, NULL, kill_done, u, err);
    exo_strv_free(&a);
    return u->killer ? 0 : (err ? err->code : EXO_ERR_UNAVAILABLE);
}

static void removal_done(void *arg, child_t *c, int status)
{
    podman_inst_t *in = arg;
    ctr_pending_drop(&in->removing, c);
    if (status > 0 && strstr(c->errb.data, "no such container") == NULL) {
        exo_log_warn(g_host, "podman rm failed (exit %d): %s; `exo clean` retries", status,
                     rtrim(c->errb.data));
    }
    child_free(c, false);
}

/* Wait (blocking, bounded) for the removals in flight: the network goes only after them. */
static void drain_removals(podman_inst_t *in)
{
    unsigned waited = 0;
    while (in->removing.n > 0 && waited < 60000) {
        child_t *c = in->removing.items[0];
        int i = c->fd[0] >= 0 ? 0 : 1;
        struct pollfd pfd = {.fd = c->fd[i], .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0) {
            child_readable(c->fd[i], EXO_EV_READ, c); /* removal_done drops it */
        } else {
            waited += 100;
        }
    }
    while (in->removing.n > 0) {
        child_t *c = in->removing.items[0];
        ctr_pending_drop(&in->removing, c);
        child_free(c, true);
    }
}

static void podman_release(void *instp, exo_unit_t *u)
{
    podman_inst_t *in = instp;
    unit_close_children(&u->ctr);
    /* Removal takes podman a few hundred milliseconds: it continues while exo goes on. */
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, "rm");
    exo_strv_push(&a, "-f");
    exo_strv_push(&a, "-t");
    exo_strv_push(&a, "0");
    exo_strv_push(&a, u->id);
    exo_error_t err = {0};
    child_t *rm = child_start(&a, NULL, removal_done, in, &err);
    exo_strv_free(&a);
    if (rm == NULL) {
        container_rm(u->id);
    } else {
        ctr_pending_add(&in->removing, rm);
    }
    exo_strv_free(&u->run_args); /* a unit stopped before its run was launched */
    if (u->envfile != NULL) {
        unlink(u->envfile);
        free(u->envfile);
    }
    free(u->name);
    free(u->id);
    free(u);
}

static void podman_close(void *instp)
{
    podman_inst_t *in = instp;
    drain_removals(in);
    network_rm(in->ctr.network);
    if (in->ifname != NULL) {
        drop_bridge(in->ifname);
    }
    inst_free(in);
}

/* `podman ... ls --format json` of the containers or networks (@p what) labelled
 * exo.app=@p app; ctr_leftovers_parse checks each label again. A network's ifname is its
 * bridge when podman names it. */
static int list_labelled(const char *what, const char *app, ctr_leftovers_t *out,
                         exo_error_t *err)
{
    bool networks = strcmp(what, "network") == 0;
    exo_strv_t a = podman_argv();
    exo_strv_push(&a, networks ? "network" : "ps");
    exo_strv_push(&a, networks ? "ls" : "--all");
    arg_addf(&a, "--filter=label=exo.app=%s", app);
    exo_strv_push(&a, "--format");
    exo_strv_push(&a, "json");
    run_result_t r;
    char doing[64];
    snprintf(doing, sizeof doing, "listing the app's %ss", what);
    int rc = run_ok(&a, doing, &r, err);
    exo_strv_free(&a);
    json_t *j = rc == 0 ? json_loads(r.out.data, 0, NULL) : NULL;
    static const ctr_list_keys_t container_keys = {"Id", "Names", "Labels", NULL};
    static const ctr_list_keys_t network_keys = {"name", "name", "labels", "network_interface"};
    ctr_leftovers_parse(j, app, networks ? &network_keys : &container_keys, out);
    json_decref(j);
    result_free(&r);
    return rc;
}

/* Remove the app's containers, then its networks (and their bridges), saying what went. */
static int podman_cleanup(const exo_host_t *host, const char *app, const char *state_dir,
                          exo_error_t *err)
{
    ctr_leftovers_t found = {0};
    int rc = list_labelled("container", app, &found, err);
    for (size_t i = 0; i < found.n; i++) {
        found.v[i].removed = container_rm(found.v[i].id);
    }
    ctr_report_removed(host, app, "container", &found);
    ctr_leftovers_free(&found);
    if (rc < 0) {
        return rc;
    }
    rc = list_labelled("network", app, &found, err);
    for (size_t i = 0; i < found.n; i++) {
        found.v[i].removed = network_rm(found.v[i].id);
        const char *ifname = found.v[i].ifname;
        if (ifname != NULL && strncmp(ifname, "podman", 6) == 0) {
            drop_bridge(ifname);
        }
    }
    ctr_report_removed(host, app, "network", &found);
    ctr_leftovers_free(&found);
    return rc;
}

static int podman_init(const exo_host_t *host, exo_error_t *err)
{
    g_host = host;
    return 0;
}

static const exo_backend_ops_t podman_ops = {
    .size = sizeof(exo_backend_ops_t),
    .probe = podman_probe,
    .open = podman_open,
    .prepare = podman_prepare,
    .start = podman_start,
    .stop = podman_stop,
    .kill = podman_kill,
    .release = podman_release,
    .close = podman_close,
    .cleanup = podman_cleanup,
    CTR_RUN_OPS,
    CTR_UNIT_OPS,
};

EXO_BACKEND_PLUGIN_CONFIG("podman", PACKAGE_VERSION,
                          "runs units as Podman containers through the podman command",
                          CTR_BACKEND_CAPS, podman_init, NULL,
                          &podman_ops, ctr_config_keys, CTR_CONFIG_SECTION)
