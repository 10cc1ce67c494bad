/*
 * plugins/backend-process/process.c - the `process` backend: every unit is a local process
 * group (`/bin/sh -c COMMAND` in the unit's directory, started in a new session), its stdout
 * and stderr read through pipes and delivered line by line, its exit seen through a pidfd.
 *
 * A unit is its process group: when the leader exits the rest of the group is killed, so a
 * restarted service never leaves the previous generation behind. Each running group is
 * recorded in <.exo>/state/backend-process/<pgid> (pgid, leader start time, run id, name) so
 * that cleanup() after a killed exo can find exactly what this backend started: a group is
 * killed only when its leader still has the recorded start time, and stray processes only
 * when their environment carries the run's EXO_RUN_ID marker. Each start also gets its own
 * EXO_UNIT_ID marker, so processes that left the group die with the unit, not only with exo.
 *
 * While a run is open, exo is a child subreaper (PR_SET_CHILD_SUBREAPER): a process that
 * escapes its unit (setsid, double fork) is reparented to exo instead of init, and close()
 * kills and reaps every such orphan of the run, so that none outlives it or stays a zombie.
 * Because an escaped process stays exo's descendant, the run also records every descendant
 * with its start time as it appears (proctree.h: a /proc scan SCAN_SOON_MS after each start,
 * when daemons usually detach, and every SCAN_MS), and cleanup()
 * kills those still alive after a killed exo: a process with a new session and a cleared
 * environment has shed the group and the markers, but not that record.
 *
 * Ownership and threading: see exo/plugin.h. All state lives on the loop thread.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/backend.h>

#include "proctree.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How often a run records exo's descendants: a process that escapes its unit and lives
 * shorter than this may never be recorded, but is gone anyway. A scan costs about 2.5 ms with
 * 150 processes on the machine: every 250 ms was 1% of a core for an idle app, this 0.25%. */
#define SCAN_MS 1000
/* And this long after each start, when a service's daemons usually detach. */
#define SCAN_SOON_MS 100

/* Longer lines are delivered in pieces of this size so a runaway writer cannot exhaust memory. */
#define LINE_MAX_BYTES 65536

static const exo_host_t *host;

typedef struct stream {
    int fd;
    int watch;
    int id;            /* EXO_STREAM_* */
    char *buf;
    size_t len;
} stream_t;

struct exo_unit {
    char *name;
    pid_t pid;         /* leader; also the process group and session id */
    int pidfd;
    int pidfd_watch;
    int poll_timer;    /* instead of the pidfd watch when pidfd_open is missing */
    int kill_timer;
    int group_timer;   /* polls the group while it outlives its leader during a stop */
    bool stopping;     /* be_stop: the group has its grace */
    bool grace_over;
    bool exited;
    stream_t out, err;
    char *record;      /* state file of this group, or NULL */
    char *unit_marker; /* "EXO_UNIT_ID=..." in the environment of everything it started */
    void (*on_output)(void *arg, int stream, const char *line, size_t len);
    void (*on_exit)(void *arg, int status, int signal);
    void *arg;
};

typedef struct inst {
    char *run_id;
    unsigned long starts; /* makes each start's unit marker unique */
    char *record_dir;  /* <.exo>/state/backend-process */
    pid_t *leaders;    /* every unit leader of the run: each began a session of its own */
    size_t n_leaders;
    proctree_t *tree;  /* the record of exo's descendants, or NULL */
    int scan_timer;
    int soon_timer;    /* the one-shot scan after a start, when pending */
} inst_t;

/* Open runs, and whether exo was a subreaper before the first of them. */
static unsigned open_runs;
static int subreaper_before;

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

static char *fmt(const char *f, ...) EXO_PRINTF(1, 2);
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0) {
        s = NULL;
    }
    va_end(ap);
    return s;
}

static int mkdirs(const char *path)
{
    char *p = dupstr(path);
    if (p == NULL) {
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0700) < 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    int rc = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* The process group and state letter of @p pid; false when it is gone. */
static bool proc_stat_state(pid_t pid, pid_t *pgrp, char *state)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return false;
    }
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
    int ppid, group;
    if (p == NULL || sscanf(p + 1, " %c %d %d", state, &ppid, &group) != 3) {
        return false;
    }
    *pgrp = (pid_t)group;
    return true;
}

/* True when /proc/PID/environ holds exactly @p marker ("EXO_RUN_ID=..."). */
static bool proc_has_marker(pid_t pid, const char *marker)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    bool found = false;
    char *entry = NULL;
    size_t cap = 0;
    while (!found && getdelim(&entry, &cap, '\0', f) > 0) {
        found = strcmp(entry, marker) == 0;
    }
    free(entry);
    fclose(f);
    return found;
}

/* SIGKILL every process whose environment holds @p marker (those that left the group:
 * setsid, double fork). Returns how many. */
static int kill_marked(const char *marker)
{
    int killed = 0;
    DIR *d = opendir("/proc");
    if (d == NULL) {
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || pid == getpid()) {
            continue;
        }
        if (proc_has_marker((pid_t)pid, marker) && kill((pid_t)pid, SIGKILL) == 0) {
            killed++;
        }
    }
    closedir(d);
    return killed;
}

/* ---- orphans ---- */

/* Begin being a subreaper with the first open run; remember whether exo was one before. */
static void subreaper_begin(void)
{
    if (open_runs++ == 0) {
        subreaper_before = 0;
        prctl(PR_GET_CHILD_SUBREAPER, &subreaper_before, 0, 0, 0);
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

static void subreaper_end(void)
{
    if (open_runs > 0 && --open_runs == 0 && !subreaper_before) {
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    }
}

/* True when @p pid, a child of exo, came from this run: it is still in the group or session
 * of one of the run's units (a zombie has no environment left to show), or it carries the
 * run's marker. */
static bool orphan_of_run(const inst_t *in, pid_t pid, pid_t pgrp, pid_t sid,
                          const char *marker)
{
    for (size_t i = 0; i < in->n_leaders; i++) {
        if (pgrp == in->leaders[i] || sid == in->leaders[i]) {
            return true;
        }
    }
    return proc_has_marker(pid, marker);
}

/* Kill and reap the run's processes that escaped their units and were reparented to exo.
 * Only those of this run: another backend's children of exo (a container engine's CLI) are
 * no business of this one. */
static void reap_orphans(const inst_t *in)
{
    char *marker = fmt("EXO_RUN_ID=%s", in->run_id);
    pid_t self = getpid();
    for (int round = 0; marker != NULL && round < 5; round++) {
        int found = 0;
        DIR *d = opendir("/proc");
        if (d == NULL) {
            break;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            char *end;
            long pid = strtol(de->d_name, &end, 10);
            pid_t ppid = 0, pgrp = 0, sid = 0;
            if (*end != '\0' || pid <= 1 || proctree_stat((pid_t)pid, &ppid, &pgrp, &sid, NULL) == 0 ||
                ppid != self || !orphan_of_run(in, (pid_t)pid, pgrp, sid, marker)) {
                continue;
            }
            kill((pid_t)pid, SIGKILL);
            waitpid((pid_t)pid, NULL, 0);
            found++;
        }
        closedir(d);
        if (found == 0) {
            break;
        }
    }
    free(marker);
}

/* Signal the unit's process group. Never with a pid of 0 or 1: kill(0) or kill(-1) would hit
 * exo's own group or every process of the user. */
static void signal_group(const exo_unit_t *u, int sig)
{
    if (u->pid > 1) {
        kill(-u->pid, sig);
    }
}

/* ---- output ---- */

static void deliver(exo_unit_t *u, stream_t *s, const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    if (u->on_output != NULL) {
        u->on_output(u->arg, s->id, line, len);
    }
}

static void stream_feed(exo_unit_t *u, stream_t *s, const char *data, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (s->len + take >= LINE_MAX_BYTES) {
            take = LINE_MAX_BYTES - s->len;
            nl = NULL;
            memcpy(s->buf + s->len, data, take);
            deliver(u, s, s->buf, LINE_MAX_BYTES);
            s->len = 0;
            data += take;
            n -= take;
            continue;
        }
        memcpy(s->buf + s->len, data, take);
        s->len += take;
        data += take;
        n -= take;
        if (nl != NULL) {
            deliver(u, s, s->buf, s->len);
            s->len = 0;
            data++;
            n--;
        }
    }
}

static void stream_close(exo_unit_t *u, stream_t *s)
{
    if (s->fd < 0) {
        return;
    }
    if (s->len > 0) {
        deliver(u, s, s->buf, s->len);
        s->len = 0;
    }
    if (s->watch > 0) {
        host->unwatch(host, s->watch);
        s->watch = 0;
    }
    close(s->fd);
    s->fd = -1;
}

/* Read what is there now; false at EOF or error. */
static bool stream_drain(exo_unit_t *u, stream_t *s)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = read(s->fd, chunk, sizeof chunk);
        if (n > 0) {
            stream_feed(u, s, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
}

static void on_stream(int fd, unsigned events, void *arg)
{
    exo_unit_t *u = arg;
    stream_t *s = fd == u->out.fd ? &u->out : &u->err;
    if (!stream_drain(u, s)) {
        stream_close(u, s);
    }
}

/* ---- exit ---- */

/* waitid on the pidfd, or on the pid when the kernel (or valgrind) has no pidfd_open. */
static int wait_leader(exo_unit_t *u, siginfo_t *si, int flags)
{
    memset(si, 0, sizeof *si);
    if (u->pidfd >= 0) {
        return waitid((idtype_t)P_PIDFD, (id_t)u->pidfd, si, WEXITED | flags);
    }
    return waitid(P_PID, (id_t)u->pid, si, WEXITED | flags);
}

/* Whether a live process other than the (dead) leader is still in the unit's group. */
static bool group_has_others(const exo_unit_t *u)
{
    DIR *d = opendir("/proc");
    if (d == NULL) {
        return false;
    }
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || (pid_t)pid == u->pid) {
            continue;
        }
        pid_t pgrp = 0;
        char state = 0;
        if (proc_stat_state((pid_t)pid, &pgrp, &state) && pgrp == u->pid && state != 'Z') {
            found = true;
        }
    }
    closedir(d);
    return found;
}

static void leader_gone(exo_unit_t *u);

static void on_group_poll(void *arg)
{
    leader_gone(arg);
}

/* During a stop the leader (often the `sh -c` of a command without exec) may end before
 * the processes it started: they keep their grace until the group is empty or the grace
 * ends. The leader stays an unreaped zombie meanwhile, so the group id cannot be reused.
 * True while waiting. */
static bool wait_for_group(exo_unit_t *u)
{
    if (!u->stopping || u->grace_over || !group_has_others(u)) {
        return false;
    }
    if (u->pidfd_watch > 0) {
        host->unwatch(host, u->pidfd_watch); /* it would fire until the leader is reaped */
        u->pidfd_watch = 0;
    }
    if (u->group_timer == 0 && u->poll_timer == 0) {
        u->group_timer = host->timer_add(host, 20, true, on_group_poll, u);
    }
    return true;
}

static void leader_gone(exo_unit_t *u)
{
    siginfo_t si;
    /* Peek first: while the leader is an unreaped zombie its pid, and so the group id, cannot
     * be reused, so the group kill below can only hit this unit's processes. */
    int rc = wait_leader(u, &si, WNOHANG | WNOWAIT);
    if (rc == 0 && si.si_pid == 0) {
        return; /* still running */
    }
    if (wait_for_group(u)) {
        return;
    }
    if (u->group_timer > 0) {
        host->timer_cancel(host, u->group_timer);
        u->group_timer = 0;
    }
    /* The unit is its group: whatever the leader left behind goes with it, and so does
     * what left the group but still carries this start's marker. */
    signal_group(u, SIGKILL);
    if (u->unit_marker != NULL) {
        kill_marked(u->unit_marker);
    }
    if (rc == 0) {
        siginfo_t reaped;
        wait_leader(u, &reaped, 0);
    }
    if (u->pidfd_watch > 0) {
        host->unwatch(host, u->pidfd_watch);
        u->pidfd_watch = 0;
    }
    if (u->poll_timer > 0) {
        host->timer_cancel(host, u->poll_timer);
        u->poll_timer = 0;
    }
    if (u->pidfd >= 0) {
        close(u->pidfd);
        u->pidfd = -1;
    }
    if (u->kill_timer > 0) {
        host->timer_cancel(host, u->kill_timer);
        u->kill_timer = 0;
    }
    /* Lines written before the exit are in the pipes already. */
    stream_t *streams[2] = {&u->out, &u->err};
    for (int i = 0; i < 2; i++) {
        if (streams[i]->fd >= 0) {
            stream_drain(u, streams[i]);
            stream_close(u, streams[i]);
        }
    }
    if (u->record != NULL) {
        unlink(u->record);
    }
    u->exited = true;
    int status = -1, sig = 0;
    if (si.si_code == CLD_EXITED) {
        status = si.si_status;
    } else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) {
        sig = si.si_status;
    } else {
        sig = SIGKILL; /* reaped elsewhere: report it as killed */
    }
    u->on_exit(u->arg, status, sig);
}

static void on_pidfd(int fd, unsigned events, void *arg)
{
    leader_gone(arg);
}

static void on_poll(void *arg)
{
    leader_gone(arg);
}

/* ---- ops ---- */

static int be_init(const exo_host_t *h, exo_error_t *err)
{
    host = h;
    return EXO_OK;
}

static void on_scan(void *arg)
{
    inst_t *in = arg;
    proctree_scan(in->tree);
}

static void on_scan_soon(void *arg)
{
    inst_t *in = arg;
    in->soon_timer = 0;
    proctree_scan(in->tree);
}

/* Scan soon after a start (one pending scan covers every start before it). */
static void scan_soon(inst_t *in)
{
    if (in->tree != NULL && in->soon_timer <= 0) {
        in->soon_timer = host->timer_add(host, SCAN_SOON_MS, false, on_scan_soon, in);
    }
}

/* Record exo's descendants in <record_dir>/descendants from now on. */
static void tree_begin(inst_t *in)
{
    char *path = fmt("%s/descendants", in->record_dir);
    in->tree = path != NULL ? proctree_new(path) : NULL;
    free(path);
    if (in->tree != NULL) {
        in->scan_timer = host->timer_add(host, SCAN_MS, true, on_scan, in);
    }
}

static int be_open(const exo_host_t *h, const exo_run_spec_t *run, void **instp, exo_error_t *err)
{
    host = h;
    inst_t *in = calloc(1, sizeof *in);
    if (in == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    in->run_id = dupstr(run->run_id ? run->run_id : "0");
    if (in->run_id == NULL) {
        free(in);
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    if (run->state_dir != NULL) {
        in->record_dir = fmt("%s/state/backend-process", run->state_dir);
        if (in->record_dir == NULL || mkdirs(in->record_dir) < 0) {
            int e = errno;
            free(in->record_dir);
            free(in->run_id);
            free(in);
            return exo_error_set(err, EXO_ERR_IO, "cannot create %s/state/backend-process: %s",
                                 run->state_dir, strerror(e));
        }
        tree_begin(in);
    }
    subreaper_begin();
    *instp = in;
    return EXO_OK;
}

static void unit_free(exo_unit_t *u)
{
    if (u == NULL) {
        return;
    }
    free(u->out.buf);
    free(u->err.buf);
    free(u->record);
    free(u->unit_marker);
    free(u->name);
    free(u);
}

static void close_pair(int p[2])
{
    if (p[0] >= 0) {
        close(p[0]);
    }
    if (p[1] >= 0) {
        close(p[1]);
    }
}

/* In the child, after fork: only async-signal-safe calls. Never returns. */
static void child(const exo_unit_spec_t *spec, int out, int errfd, const struct passwd *pw,
                  char *const argv[], char *const envp[])
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        signal(sig, SIG_DFL);
    }
    setsid();
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, 0);
    }
    dup2(out, 1);
    dup2(errfd, 2);
    syscall(SYS_close_range, 3u, ~0u, 0u);
    if (spec->dir != NULL && chdir(spec->dir) < 0) {
        static const char msg[] = "exo: cannot enter the unit's directory\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    if (pw != NULL) {
        if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
            setuid(pw->pw_uid) < 0) {
            static const char msg[] = "exo: cannot switch to the unit's user\n";
            ssize_t w = write(2, msg, sizeof msg - 1);
            (void)w;
            _exit(127);
        }
    }
    execve("/bin/sh", argv, envp);
    _exit(127);
}

/* Remember the unit's group for close(), and record it in the state directory for cleanup()
 * after a killed exo: "PGID START RUN_ID NAME". */
static void record_group(inst_t *in, exo_unit_t *u, const char *name)
{
    pid_t *leaders = realloc(in->leaders, (in->n_leaders + 1) * sizeof *leaders);
    if (leaders != NULL) {
        in->leaders = leaders;
        in->leaders[in->n_leaders++] = u->pid;
    }
    if (in->record_dir == NULL) {
        return;
    }
    unsigned long long start = proctree_stat(u->pid, NULL, NULL, NULL, NULL);
    u->record = fmt("%s/%d", in->record_dir, (int)u->pid);
    char *line = fmt("%d %llu %s %s\n", (int)u->pid, start, in->run_id, name);
    int fd = u->record ? open(u->record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (fd >= 0 && line != NULL) {
        ssize_t w = write(fd, line, strlen(line));
        (void)w;
    }
    if (fd >= 0) {
        close(fd);
    }
    free(line);
}

/* The unit's environment: the run's and this start's markers first, so that a manifest
 * variable cannot hide them, then the spec's. NULL when out of memory; *markers gets both
 * marker strings, owned by the caller, the list itself borrows spec->env. */
static char **unit_envp(inst_t *in, const exo_unit_spec_t *spec, char *markers[2])
{
    size_t nenv = 0;
    while (spec->env != NULL && spec->env[nenv] != NULL) {
        nenv++;
    }
    char **envp = calloc(nenv + 3, sizeof *envp);
    markers[0] = fmt("EXO_RUN_ID=%s", in->run_id);
    markers[1] = fmt("EXO_UNIT_ID=%s-%s-%lu", in->run_id, spec->name, ++in->starts);
    if (envp == NULL || markers[0] == NULL || markers[1] == NULL) {
        free(envp);
        free(markers[0]);
        free(markers[1]);
        markers[0] = markers[1] = NULL;
        return NULL;
    }
    size_t k = 0;
    envp[k++] = markers[0];
    envp[k++] = markers[1];
    for (size_t i = 0; i < nenv; i++) {
        if (strncmp(spec->env[i], "EXO_RUN_ID=", 11) != 0 &&
            strncmp(spec->env[i], "EXO_UNIT_ID=", 12) != 0) {
            envp[k++] = (char *)spec->env[i];
        }
    }
    envp[k] = NULL;
    return envp;
}

static int be_start(void *instp, const exo_unit_spec_t *spec, exo_unit_t **unitp,
                    exo_error_t *err)
{
    inst_t *in = instp;
    if (spec->command == NULL || spec->command[0] == '\0') {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "%s has no command to run; the process backend needs one "
                             "(startup.command in its service.yml)", spec->name);
    }
    struct passwd *pw = NULL;
    if (spec->user != NULL && spec->user[0] != '\0' && geteuid() == 0) {
        pw = getpwnam(spec->user);
        if (pw == NULL) {
            return exo_error_set(err, EXO_ERR_NOTFOUND, "%s: user '%s' does not exist",
                                 spec->name, spec->user);
        }
    }

    /* The markers let cleanup() and close() recognise strays that left the group. */
    char *markers[2];
    char **envp = unit_envp(in, spec, markers);
    if (envp == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    char *marker = markers[0], *unit_marker = markers[1];
    char *argv[] = {"sh", "-c", (char *)spec->command, NULL};

    exo_unit_t *u = calloc(1, sizeof *u);
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    int rc = EXO_OK;
    if (u == NULL || (u->name = dupstr(spec->name)) == NULL ||
        (u->out.buf = malloc(LINE_MAX_BYTES)) == NULL ||
        (u->err.buf = malloc(LINE_MAX_BYTES)) == NULL) {
        rc = exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
        rc = exo_error_set(err, EXO_ERR_IO, "%s: cannot create pipes: %s", spec->name,
                           strerror(errno));
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        rc = exo_error_set(err, EXO_ERR_IO, "%s: cannot fork: %s", spec->name, strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        child(spec, po[1], pe[1], pw, argv, envp);
    }
    /* Also in the parent, so no signal can reach a group that does not exist yet. */
    setpgid(pid, pid);
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    u->pid = pid;
    u->out = (stream_t){.fd = po[0], .id = EXO_STREAM_STDOUT, .buf = u->out.buf};
    u->err = (stream_t){.fd = pe[0], .id = EXO_STREAM_STDERR, .buf = u->err.buf};
    po[0] = pe[0] = -1;
    fcntl(u->out.fd, F_SETFL, O_NONBLOCK);
    fcntl(u->err.fd, F_SETFL, O_NONBLOCK);
    u->on_output = spec->on_output;
    u->on_exit = spec->on_exit;
    u->arg = spec->arg;
    u->out.watch = host->watch_fd(host, u->out.fd, EXO_EV_READ, on_stream, u);
    u->err.watch = host->watch_fd(host, u->err.fd, EXO_EV_READ, on_stream, u);
    u->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (u->pidfd >= 0) {
        fcntl(u->pidfd, F_SETFD, FD_CLOEXEC);
        u->pidfd_watch = host->watch_fd(host, u->pidfd, EXO_EV_READ, on_pidfd, u);
    } else {
        /* Kernels before 5.3 and valgrind: poll the leader instead. */
        u->poll_timer = host->timer_add(host, 50, true, on_poll, u);
    }

    record_group(in, u, spec->name);
    scan_soon(in);
    free(marker);
    free(envp);
    u->unit_marker = unit_marker;
    *unitp = u;
    return EXO_OK;

fail:
    close_pair(po);
    close_pair(pe);
    free(marker);
    free(unit_marker);
    free(envp);
    unit_free(u);
    return rc;
}

static void on_grace_over(void *arg)
{
    exo_unit_t *u = arg;
    u->kill_timer = 0;
    u->grace_over = true;
    if (!u->exited) {
        signal_group(u, SIGKILL);
        if (u->group_timer > 0) {
            leader_gone(u); /* the leader is gone already: end the unit now */
        }
    }
}

static int be_stop(void *instp, exo_unit_t *u, unsigned grace_ms, exo_error_t *err)
{
    if (u->exited) {
        return EXO_OK;
    }
    u->stopping = true;
    signal_group(u, SIGTERM);
    /* A shell that is waiting for its child may not pass SIGTERM on: the group gets it. */
    if (u->kill_timer == 0) {
        u->kill_timer = host->timer_add(host, grace_ms, false, on_grace_over, u);
    }
    return EXO_OK;
}

static int be_kill(void *instp, exo_unit_t *u, exo_error_t *err)
{
    if (!u->exited) {
        signal_group(u, SIGKILL);
    }
    return EXO_OK;
}

static void be_release(void *instp, exo_unit_t *u)
{
    if (u == NULL) {
        return;
    }
    if (!u->exited) {
        /* Released early (error paths): make sure nothing is left and reap the leader. */
        signal_group(u, SIGKILL);
        if (u->unit_marker != NULL) {
            kill_marked(u->unit_marker);
        }
        if (u->pidfd_watch > 0) {
            host->unwatch(host, u->pidfd_watch);
        }
        if (u->poll_timer > 0) {
            host->timer_cancel(host, u->poll_timer);
        }
        if (u->pidfd >= 0) {
            close(u->pidfd);
        }
        waitpid(u->pid, NULL, 0);
        if (u->kill_timer > 0) {
            host->timer_cancel(host, u->kill_timer);
        }
        if (u->group_timer > 0) {
            host->timer_cancel(host, u->group_timer);
        }
        stream_close(u, &u->out);
        stream_close(u, &u->err);
        if (u->record != NULL) {
            unlink(u->record);
        }
    }
    unit_free(u);
}

static const char *be_unit_host(void *instp, const char *name)
{
    return "127.0.0.1";
}

static const char *be_host_address(void *instp)
{
    return "127.0.0.1";
}

/* The leader exo forked (the shell, or the program it exec'd), until it is gone. */
static long be_unit_pid(void *instp, exo_unit_t *u)
{
    (void)instp;
    return u != NULL && !u->exited && u->pid > 1 ? (long)u->pid : -1;
}

/* Processes are no containers. */
static const char *be_unit_container(void *instp, exo_unit_t *u)
{
    (void)instp;
    (void)u;
    return NULL;
}

static void be_close(void *instp)
{
    inst_t *in = instp;
    if (in == NULL) {
        return;
    }
    /* Every unit is released: what is left of the run escaped its unit. */
    reap_orphans(in);
    subreaper_end();
    if (in->soon_timer > 0) {
        host->timer_cancel(host, in->soon_timer);
    }
    if (in->scan_timer > 0) {
        host->timer_cancel(host, in->scan_timer);
    }
    proctree_free(in->tree); /* what it recorded is reaped */
    if (in->record_dir != NULL) {
        rmdir(in->record_dir); /* only when empty */
    }
    free(in->record_dir);
    free(in->run_id);
    free(in->leaders);
    free(in);
}

/* Kill every process that provably belongs to the recorded group. Returns how many. */
static int cleanup_record(const char *line, proctree_killed_t *killed_pids)
{
    int pgid = 0;
    unsigned long long start = 0;
    char run_id[128] = "";
    if (sscanf(line, "%d %llu %127s", &pgid, &start, run_id) < 3 || pgid <= 1) {
        return 0;
    }
    char marker[160];
    snprintf(marker, sizeof marker, "EXO_RUN_ID=%s", run_id);
    bool leader_ours = start != 0 && proctree_stat(pgid, NULL, NULL, NULL, NULL) == start;
    int killed = 0;
    DIR *d = opendir("/proc");
    if (d == NULL) {
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || pid == getpid()) {
            continue;
        }
        pid_t pgrp = 0;
        if (proctree_stat((pid_t)pid, NULL, &pgrp, NULL, NULL) == 0) {
            continue;
        }
        if (((leader_ours && pgrp == pgid) || proc_has_marker((pid_t)pid, marker)) &&
            proctree_kill_once(killed_pids, (pid_t)pid)) {
            killed++;
        }
    }
    closedir(d);
    return killed;
}

static int be_cleanup(const exo_host_t *h, const char *app, const char *state_dir,
                      exo_error_t *err)
{
    host = h;
    char *dir = fmt("%s/state/backend-process", state_dir);
    if (dir == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "out of memory");
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        free(dir);
        return EXO_OK; /* nothing recorded */
    }
    int total = 0;
    proctree_killed_t killed = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *path = fmt("%s/%s", dir, de->d_name);
        char buf[512];
        bool tree = strcmp(de->d_name, "descendants") == 0;
        if (tree && path != NULL) {
            total += proctree_kill_recorded(path, &killed);
        }
        FILE *f = path && !tree ? fopen(path, "re") : NULL;
        if (f != NULL) {
            if (fgets(buf, sizeof buf, f) != NULL) {
                total += cleanup_record(buf, &killed);
            }
            fclose(f);
        }
        if (path != NULL) {
            unlink(path);
        }
        free(path);
    }
    closedir(d);
    free(killed.pids);
    rmdir(dir);
    free(dir);
    if (total > 0) {
        h->log(h, EXO_LOG_INFO, "killed %d leftover process%s of app %s", total,
               total == 1 ? "" : "es", app);
    }
    return EXO_OK;
}

static const exo_backend_ops_t ops = {
    .size = sizeof(exo_backend_ops_t),
    .probe = NULL,
    .open = be_open,
    .prepare = NULL,
    .start = be_start,
    .stop = be_stop,
    .kill = be_kill,
    .release = be_release,
    .unit_host = be_unit_host,
    .host_address = be_host_address,
    .close = be_close,
    .cleanup = be_cleanup,
    .host_bind_address = NULL,
    .unit_pid = be_unit_pid,
    .unit_container = be_unit_container,
};

/* The process backend reads no settings: an empty table says so, and a service's container
 * settings are checked against the container backends' tables. */
static const exo_config_key_t config_keys[] = {{NULL, 0, NULL, NULL, 0}};

EXO_BACKEND_PLUGIN_CONFIG("process", "1.0.0", "runs services as local process groups",
                          EXO_CAP_NONE, be_init, NULL, &ops, config_keys, NULL)
