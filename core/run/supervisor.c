/* core/run/supervisor.c - one unit's lifecycle. See supervisor.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervisor.h"
#include "unitspec.h"
#include "base/util.h"

#define POLL_MS 100
#define BACKOFF_MAX_MS 30000
/* A service that stayed up this long after becoming ready earns its restart budget back. */
#define STABLE_MS 10000

struct exo_sup {
    exo_sup_spec_t spec;          /* the policy; online_text is an owned copy, unit unused */
    exo_unit_spec_t *unit_spec;   /* owned copy of spec.unit, with the supervisor's callbacks */
    exo_sup_state_t state;
    exo_unit_t *unit;
    unsigned restarts;
    int exit_status;
    int last_code, last_signal;   /* the unit's last exit (-1 / 0 when none) */
    unsigned long long started_ms, ready_ms, elapsed_ms;
    unsigned long long running_ms; /* when the unit ran (on_running); 0 = not yet */
    int timeout_timer, poll_timer, backoff_timer, settle_timer;
    unsigned settled_ms;          /* the settle time of the last readiness (0 = none) */
    bool restart_after_stop;
    bool timed_out;
    char *awaited;
    char *last_check_error;
};

static void set_state(exo_sup_t *s, exo_sup_state_t st, const char *msg)
{
    s->state = st;
    if (s->spec.on_state != NULL) {
        s->spec.on_state(s->spec.arg, s, st, msg);
    }
}

static void cancel_timer(exo_sup_t *s, int *id)
{
    if (*id > 0) {
        exo_loop_timer_cancel(s->spec.loop, *id);
        *id = 0;
    }
}

static char *describe_awaited(const exo_sup_spec_t *sp)
{
    if (sp->check != NULL) {
        return exo_xstrdup("its readiness check to succeed");
    }
    switch (sp->ready) {
    case EXO_READY_ONLINE_TEXT:
        return exo_strdupf("the text '%s' in its output", sp->online_text ? sp->online_text : "");
    case EXO_READY_PORT:
        return exo_strdupf("port %u to accept connections",
                           sp->unit.n_ports > 0 ? sp->unit.ports[0].host_port : 0);
    case EXO_READY_BUS:
        return exo_xstrdup("it to register on the bus");
    default:
        return sp->settle_ms > 0 ? exo_strdupf("it to keep running for %u ms", sp->settle_ms)
                                 : exo_xstrdup("it to start");
    }
}

static void unit_output(void *arg, int stream, const char *line, size_t len);
static void unit_exit(void *arg, int status, int sig);
static void unit_running(void *arg);

exo_sup_t *exo_sup_new(const exo_sup_spec_t *spec)
{
    exo_sup_t *s = exo_xcalloc(1, sizeof *s);
    s->spec = *spec;
    s->spec.online_text = spec->online_text ? exo_xstrdup(spec->online_text) : NULL;
    s->unit_spec = exo_unitspec_copy(&spec->unit);
    s->unit_spec->on_output = unit_output;
    s->unit_spec->on_exit = unit_exit;
    s->unit_spec->on_running = unit_running;
    s->unit_spec->arg = s;
    s->spec.unit = (exo_unit_spec_t){0};
    s->awaited = describe_awaited(spec);
    s->exit_status = -1;
    s->last_code = -1;
    return s;
}

void exo_sup_destroy(exo_sup_t **sup_p)
{
    exo_sup_t *s = *sup_p;
    if (s == NULL) {
        return;
    }
    cancel_timer(s, &s->timeout_timer);
    cancel_timer(s, &s->poll_timer);
    cancel_timer(s, &s->backoff_timer);
    cancel_timer(s, &s->settle_timer);
    if (s->unit != NULL) {
        s->spec.ops->release(s->spec.inst, s->unit);
    }
    free((char *)s->spec.online_text);
    exo_unitspec_free(&s->unit_spec);
    free(s->awaited);
    free(s->last_check_error);
    free(s);
    *sup_p = NULL;
}

static void become_ready(exo_sup_t *s)
{
    if (s->state != EXO_SUP_STARTING) {
        return;
    }
    cancel_timer(s, &s->timeout_timer);
    cancel_timer(s, &s->poll_timer);
    cancel_timer(s, &s->settle_timer);
    s->ready_ms = exo_now_ms();
    s->elapsed_ms = s->ready_ms - s->started_ms;
    if (s->running_ms == 0) {
        s->running_ms = s->started_ms; /* ready before the backend said it runs */
    }
    set_state(s, EXO_SUP_READY, NULL);
}

static bool port_open(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static void on_poll(void *arg)
{
    exo_sup_t *s = arg;
    if (s->state != EXO_SUP_STARTING || s->unit == NULL) {
        return;
    }
    if (s->spec.check != NULL) {
        exo_error_t err = {0};
        int rc = s->spec.check(s->spec.check_arg, &err);
        if (rc > 0) {
            become_ready(s);
        } else if (rc < 0) {
            free(s->last_check_error);
            s->last_check_error = exo_xstrdup(err.message);
        }
    } else if (s->spec.ready == EXO_READY_PORT && s->unit_spec->n_ports > 0 &&
               port_open(s->unit_spec->ports[0].host_port)) {
        become_ready(s);
    }
}

static void on_timeout(void *arg)
{
    exo_sup_t *s = arg;
    s->timeout_timer = 0;
    if (s->state != EXO_SUP_STARTING && s->state != EXO_SUP_BACKOFF) {
        return;
    }
    cancel_timer(s, &s->poll_timer);
    cancel_timer(s, &s->backoff_timer);
    s->timed_out = true;
    unsigned secs = (s->spec.ready_timeout_ms + 999) / 1000;
    char *msg = exo_strdupf("did not become ready within %u s: waited for %s%s%s", secs,
                            s->awaited, s->last_check_error ? " (last error: " : "",
                            s->last_check_error ? s->last_check_error : "");
    if (s->last_check_error != NULL) {
        char *m2 = exo_strdupf("%s)", msg);
        free(msg);
        msg = m2;
    }
    if (s->unit != NULL) {
        exo_error_t err = {0};
        s->spec.ops->kill(s->spec.inst, s->unit, &err);
    }
    set_state(s, EXO_SUP_FAILED, msg);
    free(msg);
}

static void unit_output(void *arg, int stream, const char *line, size_t len)
{
    exo_sup_t *s = arg;
    if (s->spec.on_output != NULL) {
        s->spec.on_output(s->spec.arg, s, stream, line, len);
    }
    if (s->state == EXO_SUP_STARTING && s->spec.check == NULL &&
        s->spec.ready == EXO_READY_ONLINE_TEXT && s->spec.online_text != NULL) {
        /* Lines are not NUL-terminated. */
        char *l = exo_xstrndup(line, len);
        bool hit = strstr(l, s->spec.online_text) != NULL;
        free(l);
        if (hit) {
            become_ready(s);
        }
    }
}

/* `ready: started`: it ran for the settle time without exiting. */
static void on_settled(void *arg)
{
    exo_sup_t *s = arg;
    s->settle_timer = 0;
    if (s->state == EXO_SUP_STARTING && s->unit != NULL) {
        s->settled_ms = s->spec.settle_ms;
        become_ready(s);
    }
}

/*
 * The unit runs: poll its check or port, or it is ready if that is all it waits for. Not
 * before: a container's published port accepts connections (the engine's proxy) before the
 * container exists, and a check against it only waits for its timeout on the loop.
 */
static void start_checking(exo_sup_t *s)
{
    if (s->state != EXO_SUP_STARTING || s->unit_spec->mode == EXO_UNIT_TASK) {
        return;
    }
    if (s->spec.check != NULL || s->spec.ready == EXO_READY_PORT) {
        if (s->poll_timer == 0) {
            s->poll_timer = exo_loop_timer(s->spec.loop, POLL_MS, true, on_poll, s);
            on_poll(s);
        }
    } else if (s->spec.ready == EXO_READY_STARTED && s->spec.settle_ms == 0) {
        become_ready(s);
    } else if (s->spec.ready == EXO_READY_STARTED && s->settle_timer == 0) {
        s->settle_timer = exo_loop_timer(s->spec.loop, s->spec.settle_ms, false, on_settled, s);
    }
}

/* The backend says the unit now runs (async-start backends: the container started). */
static void unit_running(void *arg)
{
    exo_sup_t *s = arg;
    if (s->running_ms != 0) {
        return;
    }
    s->running_ms = exo_now_ms();
    start_checking(s);
}

static void on_backoff_over(void *arg);

static char *exit_text(int status, int sig)
{
    if (sig > 0) {
        const char *name = sigabbrev_np(sig);
        return exo_strdupf("was killed by signal %d (SIG%s)", sig, name ? name : "?");
    }
    return exo_strdupf("exited with code %d", status);
}

/* The shell's (and the engines') codes for a command that cannot run at all: what a restart
 * cannot change. NULL for any other end. */
static const char *cannot_run_text(int status, int sig)
{
    if (sig > 0) {
        return NULL;
    }
    if (status == 127) {
        return "command not found";
    }
    if (status == 126) {
        return "command not executable";
    }
    return NULL;
}

static void unit_exit(void *arg, int status, int sig)
{
    exo_sup_t *s = arg;
    s->spec.ops->release(s->spec.inst, s->unit);
    s->unit = NULL;
    cancel_timer(s, &s->poll_timer);
    cancel_timer(s, &s->settle_timer);
    unsigned long long now = exo_now_ms();
    s->exit_status = sig > 0 ? -1 : status;
    s->last_code = sig > 0 ? -1 : status;
    s->last_signal = sig > 0 ? sig : 0;
    if (s->unit_spec->mode == EXO_UNIT_TASK) {
        s->elapsed_ms = now - s->started_ms;
    }

    if (s->state == EXO_SUP_FAILED) {
        /* Killed after a timeout, already reported: a NULL message says only "it is gone". */
        set_state(s, EXO_SUP_FAILED, NULL);
        return;
    }
    if (s->state == EXO_SUP_STOPPING) {
        cancel_timer(s, &s->timeout_timer);
        if (s->restart_after_stop) {
            s->restart_after_stop = false;
            s->restarts = 0;
            exo_sup_start(s);
            return;
        }
        set_state(s, EXO_SUP_STOPPED, NULL);
        return;
    }
    char *why = exit_text(status, sig);
    if (s->unit_spec->mode == EXO_UNIT_TASK) {
        cancel_timer(s, &s->timeout_timer);
        s->elapsed_ms = now - s->started_ms;
        set_state(s, EXO_SUP_DONE, why);
        free(why);
        return;
    }
    if (s->state == EXO_SUP_READY && now - s->ready_ms >= STABLE_MS) {
        s->restarts = 0;
    }
    bool failure = sig > 0 || status != 0;
    const char *cannot_run = s->state == EXO_SUP_STARTING ? cannot_run_text(status, sig) : NULL;
    if (cannot_run != NULL) {
        cancel_timer(s, &s->timeout_timer);
        char *msg = exo_strdupf("%s (%s) before it was ready; not restarting: a restart "
                                "cannot help", why, cannot_run);
        set_state(s, EXO_SUP_FAILED, msg);
        free(msg);
    } else if (s->spec.restart == EXO_RESTART_NO ||
               (s->spec.restart == EXO_RESTART_ON_FAILURE && !failure)) {
        cancel_timer(s, &s->timeout_timer);
        char *msg = exo_strdupf("%s; restart policy '%s', not restarting", why,
                                s->spec.restart == EXO_RESTART_NO ? "no" : "on-failure");
        set_state(s, failure ? EXO_SUP_FAILED : EXO_SUP_STOPPED, msg);
        free(msg);
    } else if (s->restarts >= s->spec.max_restarts) {
        cancel_timer(s, &s->timeout_timer);
        char *msg = exo_strdupf("%s; gave up after %u restart%s", why, s->restarts,
                                s->restarts == 1 ? "" : "s");
        set_state(s, EXO_SUP_FAILED, msg);
        free(msg);
    } else {
        unsigned delay = s->spec.restart_base_ms ? s->spec.restart_base_ms : 250;
        for (unsigned i = 0; i < s->restarts && delay < BACKOFF_MAX_MS; i++) {
            delay *= 2;
        }
        if (delay > BACKOFF_MAX_MS) {
            delay = BACKOFF_MAX_MS;
        }
        s->restarts++;
        char *msg = exo_strdupf("%s; restarting in %u ms (restart %u of %u)", why, delay,
                                s->restarts, s->spec.max_restarts);
        s->backoff_timer = exo_loop_timer(s->spec.loop, delay, false, on_backoff_over, s);
        set_state(s, EXO_SUP_BACKOFF, msg);
        free(msg);
    }
    free(why);
}

static void on_backoff_over(void *arg)
{
    exo_sup_t *s = arg;
    s->backoff_timer = 0;
    if (s->state == EXO_SUP_BACKOFF) {
        exo_sup_start(s);
    }
}

void exo_sup_start(exo_sup_t *s)
{
    if (s->unit != NULL) {
        return;
    }
    bool first = s->state != EXO_SUP_BACKOFF;
    s->timed_out = false;
    s->exit_status = -1;
    s->started_ms = exo_now_ms();
    s->running_ms = 0;
    s->settled_ms = 0;
    exo_error_t err = {0};
    int rc = s->spec.ops->start(s->spec.inst, s->unit_spec, &s->unit, &err);

    if (rc < 0) {
        s->unit = NULL;
        cancel_timer(s, &s->timeout_timer);
        set_state(s, EXO_SUP_FAILED, err.message[0] ? err.message : "could not start");
        return;
    }
    s->state = EXO_SUP_STARTING;
    if (!s->spec.async_start) {
        s->running_ms = s->started_ms;
    }
    if (s->unit_spec->mode == EXO_UNIT_TASK) {
        set_state(s, EXO_SUP_STARTING, NULL);
        return;
    }
    /* One timeout spans the crash-restart cycles of a start-up. */
    if (first && s->spec.ready_timeout_ms > 0) {
        cancel_timer(s, &s->timeout_timer);
        s->timeout_timer = exo_loop_timer(s->spec.loop, s->spec.ready_timeout_ms, false,
                                          on_timeout, s);
    }
    set_state(s, EXO_SUP_STARTING, NULL);
    if (s->state != EXO_SUP_STARTING) {
        return; /* the owner stopped it from the callback */
    }
    if (s->running_ms != 0) {
        start_checking(s); /* else unit_running() does, when the backend says it runs */
    }
}

void exo_sup_stop(exo_sup_t *s, unsigned grace_ms)
{
    cancel_timer(s, &s->backoff_timer);
    cancel_timer(s, &s->poll_timer);
    cancel_timer(s, &s->settle_timer);
    if (s->unit == NULL) {
        cancel_timer(s, &s->timeout_timer);
        if (s->state != EXO_SUP_STOPPED) {
            set_state(s, EXO_SUP_STOPPED, NULL);
        }
        return;
    }
    if (s->state != EXO_SUP_FAILED) {
        s->state = EXO_SUP_STOPPING;
    }
    exo_error_t err = {0};
    s->spec.ops->stop(s->spec.inst, s->unit, grace_ms, &err);
}

void exo_sup_kill(exo_sup_t *s)
{
    if (s->unit == NULL) {
        exo_sup_stop(s, 0);
        return;
    }
    if (s->state != EXO_SUP_FAILED) {
        s->state = EXO_SUP_STOPPING;
    }
    exo_error_t err = {0};
    s->spec.ops->kill(s->spec.inst, s->unit, &err);
}

void exo_sup_restart(exo_sup_t *s, unsigned grace_ms)
{
    if (s->unit != NULL) {
        s->restart_after_stop = true;
        exo_sup_stop(s, grace_ms);
        return;
    }
    cancel_timer(s, &s->backoff_timer);
    cancel_timer(s, &s->timeout_timer);
    s->restarts = 0;
    s->state = EXO_SUP_IDLE;
    exo_sup_start(s);
}

void exo_sup_start_after_stop(exo_sup_t *s)
{
    if (s->unit != NULL && s->state == EXO_SUP_STOPPING) {
        s->restart_after_stop = true;
    }
}

void exo_sup_registered(exo_sup_t *s)
{
    if (s->state == EXO_SUP_STARTING && s->spec.check == NULL && s->spec.ready == EXO_READY_BUS) {
        become_ready(s);
    }
}

exo_sup_state_t exo_sup_state(const exo_sup_t *s)
{
    return s->state;
}

const char *exo_sup_name(const exo_sup_t *s)
{
    return s->unit_spec->name;
}

bool exo_sup_running(const exo_sup_t *s)
{
    return s->unit != NULL;
}

int exo_sup_exit_status(const exo_sup_t *s)
{
    return s->exit_status;
}

void exo_sup_last_exit(const exo_sup_t *s, int *code, int *sig)
{
    *code = s->last_code;
    *sig = s->last_signal;
}

exo_unit_t *exo_sup_unit(const exo_sup_t *s)
{
    return s->unit;
}

unsigned long long exo_sup_elapsed_ms(const exo_sup_t *s)
{
    return s->elapsed_ms;
}

unsigned long long exo_sup_startup_ms(const exo_sup_t *s)
{
    unsigned long long own = s->running_ms + s->settled_ms;
    return s->ready_ms >= own ? s->ready_ms - own : 0;
}

unsigned long long exo_sup_ran_after_ms(const exo_sup_t *s)
{
    return s->running_ms >= s->started_ms ? s->running_ms - s->started_ms : 0;
}

const char *exo_sup_awaited(const exo_sup_t *s)
{
    return s->awaited;
}
