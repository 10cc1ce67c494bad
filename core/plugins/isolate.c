/* core/plugins/isolate.c - plugin calls in child processes (see isolate.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crashguard.h"
#include "isolate.h"

#define RESULT_MARK '\001'
#define DONE_MARK '\002'

typedef struct child {
    pid_t pid;
    int fd[3];       /* report, stdout, stderr read ends; -1 once at EOF or not captured */
    exo_buf_t in[3]; /* what came on each */
    bool reaped;     /* waited for: status is its end */
    int status;
} child_t;

/* One write of at most PIPE_BUF bytes to a blocking pipe is whole or nothing: a line is never
 * cut, and a reader never sees half of one. */
#define LINE_MAX_BYTES 4000

static void write_line(int fd, const char *s, size_t n)
{
    ssize_t w = write(fd, s, n < LINE_MAX_BYTES ? n : LINE_MAX_BYTES);
    (void)w; /* nothing to do about a parent that went away */
}

void exo_isolate_result(int report_fd, const char *text)
{
    exo_buf_t b = {0};
    exo_buf_printf(&b, "%c%s", RESULT_MARK, text);
    for (size_t i = 1; i < b.len; i++) {
        b.data[i] = b.data[i] == '\n' ? ' ' : b.data[i];
    }
    if (b.len >= LINE_MAX_BYTES) {
        b.len = LINE_MAX_BYTES - 1;
    }
    exo_buf_append(&b, "\n", 1);
    write_line(report_fd, b.data, b.len);
    exo_buf_free(&b);
}

static void child_main(int p[3][2], bool capture, size_t i, exo_isolate_fn fn, void *arg)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
    }
    for (int k = 1; k < 3; k++) {
        int to = capture ? p[k][1] : null;
        if (to >= 0) {
            dup2(to, k); /* fd 1 = stdout, 2 = stderr */
        }
    }
    int rc = fn(i, p[0][1], arg);
    fflush(NULL); /* _exit does not flush, and what fn printed is the point */
    const char done[2] = {DONE_MARK, '\n'};
    write_line(p[0][1], done, 2);
    _exit(rc);
}

static void start(child_t *c, bool capture, size_t i, exo_isolate_fn fn, void *arg)
{
    int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    c->pid = -1;
    for (int k = 0; k < 3; k++) {
        c->fd[k] = -1;
        if ((k == 0 || capture) && pipe2(p[k], O_CLOEXEC) != 0) {
            p[k][0] = p[k][1] = -1;
        }
    }
    if (p[0][0] >= 0 && (!capture || (p[1][0] >= 0 && p[2][0] >= 0))) {
        c->pid = fork();
    }
    if (c->pid == 0) {
        child_main(p, capture, i, fn, arg);
    }
    for (int k = 0; k < 3; k++) {
        if (p[k][1] >= 0) {
            close(p[k][1]);
        }
        if (p[k][0] >= 0 && c->pid < 0) {
            close(p[k][0]);
        } else {
            c->fd[k] = p[k][0];
        }
    }
}

/* Read what is left on @p fd without waiting, then close it. */
static void drain(int fd, exo_buf_t *into)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    char buf[4096];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        exo_buf_append(into, buf, (size_t)got);
    }
    close(fd);
}

/* Whether the child wrote its last line (or closed its report pipe): it is ending. */
static bool ending(const child_t *c)
{
    const exo_buf_t *b = &c->in[0];
    return c->fd[0] < 0 || (b->len >= 2 && b->data[b->len - 2] == DONE_MARK &&
                            b->data[b->len - 1] == '\n');
}

/* A child that is ending: once it is reaped, what a process it left behind (a daemon a plugin
 * started, which inherited the pipes) still holds open is not waited for. */
static bool reap_ended(child_t *c, size_t n)
{
    bool exiting = false;
    for (size_t i = 0; i < n; i++) {
        if (c[i].pid < 0 || c[i].reaped || !ending(&c[i])) {
            continue;
        }
        if (waitpid(c[i].pid, &c[i].status, WNOHANG) != c[i].pid) {
            exiting = true;
            continue;
        }
        c[i].reaped = true;
        for (int k = 0; k < 3; k++) {
            if (c[i].fd[k] >= 0) {
                drain(c[i].fd[k], &c[i].in[k]);
                c[i].fd[k] = -1;
            }
        }
    }
    return exiting;
}

/* Read what the children write until every pipe is at EOF or the deadline passed. */
static void collect(child_t *c, size_t n, unsigned timeout_ms)
{
    struct pollfd *pf = exo_xcalloc(3 * n + 1, sizeof *pf);
    unsigned long long end = exo_now_ms() + timeout_ms;
    for (;;) {
        bool exiting = reap_ended(c, n);
        size_t open_fds = 0;
        for (size_t i = 0; i < 3 * n; i++) {
            pf[i] = (struct pollfd){.fd = c[i / 3].fd[i % 3], .events = POLLIN};
            open_fds += pf[i].fd >= 0;
        }
        unsigned long long now = exo_now_ms();
        if (open_fds == 0 || now >= end) {
            break;
        }
        unsigned long long wait = end - now;
        int r = poll(pf, 3 * n, (int)(exiting && wait > 10 ? 10 : wait));
        if (r < 0 && errno != EINTR) {
            break;
        }
        for (size_t i = 0; r > 0 && i < 3 * n; i++) {
            if (pf[i].fd < 0 || pf[i].revents == 0) {
                continue;
            }
            child_t *ch = &c[i / 3];
            char buf[4096];
            ssize_t got = read(pf[i].fd, buf, sizeof buf);
            if (got > 0) {
                exo_buf_append(&ch->in[i % 3], buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(pf[i].fd);
                ch->fd[i % 3] = -1;
            }
        }
    }
    free(pf);
}

/* The report lines: where the child was, its result, whether it got to the end. */
static void parse_report(const exo_buf_t *b, exo_isolated_t *r)
{
    const char *s = b->data ? b->data : "";
    const char *end = s + b->len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (nl == NULL) {
            break; /* a line cut short by death: not trusted */
        }
        size_t len = (size_t)(nl - s);
        if (len == 1 && s[0] == DONE_MARK) {
            r->done = true;
        } else if (len >= 1 && s[0] == RESULT_MARK) {
            free(r->result);
            r->result = exo_xstrndup(s + 1, len - 1);
        } else if (len == 1 && s[0] == '-') {
            r->stage = 0;
            free(r->path);
            r->path = NULL;
        } else if (len > 1) {
            r->stage = s[0];
            free(r->path);
            r->path = exo_xstrndup(s + 1, len - 1);
        }
        s = nl + 1;
    }
}

static void judge(child_t *c, exo_isolated_t *r)
{
    memset(r, 0, sizeof *r);
    r->exit_code = -1;
    r->out = c->in[1];
    r->err = c->in[2];
    if (c->pid < 0) {
        exo_buf_free(&c->in[0]);
        return; /* could not start: neither done nor dead, the caller says so */
    }
    bool open_pipe = false;
    for (int k = 0; k < 3; k++) {
        if (c->fd[k] >= 0) {
            close(c->fd[k]);
            open_pipe = true;
        }
    }
    if (open_pipe && !c->reaped) {
        kill(c->pid, SIGKILL);
        r->timed_out = true;
    }
    int status = c->status;
    while (!c->reaped && waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    parse_report(&c->in[0], r);
    exo_buf_free(&c->in[0]);
    if (r->timed_out) {
        r->done = false;
    } else if (WIFSIGNALED(status)) {
        r->signal = WTERMSIG(status);
        r->done = false;
    } else if (WIFEXITED(status)) {
        r->exit_code = WEXITSTATUS(status);
    }
}

void exo_isolate_each(size_t n, exo_isolate_fn fn, void *arg, unsigned timeout_ms, bool capture,
                      exo_isolated_t *out)
{
    child_t *c = exo_xcalloc(n + 1, sizeof *c);
    fflush(NULL); /* or the children would print what the parent had buffered, again */
    for (size_t i = 0; i < n; i++) {
        start(&c[i], capture, i, fn, arg);
    }
    collect(c, n, timeout_ms);
    for (size_t i = 0; i < n; i++) {
        judge(&c[i], &out[i]);
    }
    free(c);
}

void exo_isolated_free(exo_isolated_t *r)
{
    free(r->path);
    free(r->result);
    exo_buf_free(&r->out);
    exo_buf_free(&r->err);
    memset(r, 0, sizeof *r);
}

char *exo_isolated_verdict(const exo_isolated_t *r, unsigned timeout_ms)
{
    if (r->path == NULL || r->done) {
        return NULL;
    }
    const char *where = exo_crashguard_stage_name(r->stage);
    if (r->signal != 0) {
        return exo_strdupf("crashed with signal %d (%s) in %s; remove it from the plugin path "
                           "or fix it", r->signal, strsignal(r->signal), where);
    }
    if (r->timed_out) {
        return exo_strdupf("did not return from %s within %u s; exo would hang on it", where,
                           (timeout_ms + 999) / 1000);
    }
    return exo_strdupf("ended the process (exit status %d) in %s; a plugin must report "
                       "errors, not exit", r->exit_code, where);
}
