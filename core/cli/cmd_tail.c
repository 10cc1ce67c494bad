/* core/cli/cmd_tail.c - `exo tail [--app DIR] [--json]`: every message the app's broker routes,
 * one line each, until Ctrl-C (exit 0) or the broker goes away (exit 1). */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "commands.h"
#include "base/log.h"
#include "base/util.h"
#include "run/masker.h"
#include "run/output.h"
#include "run/session.h"

static pthread_t tail_thread;            /* the one waiting in the transport's client */
static volatile sig_atomic_t stopping;   /* Ctrl-C or SIGTERM seen */

/* Ctrl-C must stop the wait (EINTR makes the client return), but a signal that lands while
 * the client is between two waits (printing an event, say) interrupts nothing. So the first
 * one also starts a 100 ms interval timer whose SIGALRM interrupts the next wait, and
 * print_event stops at the next event. The kernel may also hand a signal to any thread that
 * does not block it, a transport's I/O thread included (libzmq's): pass it on to the
 * waiting thread. */
static void on_signal(int signo)
{
    if (!pthread_equal(pthread_self(), tail_thread)) {
        pthread_kill(tail_thread, signo);
        return;
    }
    if (signo != SIGALRM && !stopping) {
        stopping = 1;
        struct itimerval every = {{0, 100000}, {0, 100000}};
        setitimer(ITIMER_REAL, &every, NULL);
    }
}

typedef struct tail_out {
    bool json;
    const exo_masker_t *masker; /* every secret of the app: payloads carry them too */
} tail_out_t;

static int print_event(void *arg, const json_t *ev)
{
    const tail_out_t *t = arg;
    char *line = t->json ? json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER)
                         : exo_bus_trace_line(ev);
    if (line != NULL) {
        char *masked = exo_masker_apply(t->masker, line, strlen(line), NULL);
        puts(masked);
        fflush(stdout);
        free(masked);
        free(line);
    }
    return stopping; /* non-zero: the client returns */
}

typedef struct tail_opts {
    const char *app;
    bool json;
} tail_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    (void)args;
    tail_opts_t *o = opts;
    const char *app_dir = o->app;
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        return code;
    }
    exo_cli_bus_t bus = {0};
    /* The app's secrets, as exo run knows them (exo env's way: a session that starts
     * nothing). Without them tail would print payload secrets: it refuses instead. */
    exo_session_opts_t sopts = {.command = "tail", .quiet = true, .load_app = true};
    exo_session_t *s = exo_cli_session(app, &sopts, &code);
    if (s == NULL) {
        exo_app_destroy(&app);
        return code;
    }
    tail_out_t t = {.json = o->json, .masker = exo_output_masker(exo_session_output(s))};
    exo_error_t err = {0};
    if ((code = exo_cli_bus_open(app, &bus)) != EXO_EXIT_OK) {
        goto out;
    }
    struct sigaction sa;
    tail_thread = pthread_self();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait must see EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    if (exo_bus_client_tail(bus.transport, bus.control, bus.token, print_event, &t, &err) < 0 && !stopping) {
        exo_error("%s", err.message);
        code = EXO_EXIT_USER;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
out:
    exo_cli_bus_close(&bus);
    exo_session_destroy(&s);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", tail_opts_t, app, 0,
               "the app directory (default: the nearest application.yml at or above)"),
    EXO_OPTION("json", 0, EXO_OPT_FLAG, NULL, tail_opts_t, json, 0,
               "one JSON object per event instead: {event, sender, receiver, name,\n"
               "internal_name, id, activity, outcome, payload} (docs/protocol.md)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_tail = {
    .name = "tail",
    .summary = "print every message the running app's bus routes",
    .max_args = 0,
    .description =
        "Connects to the app's running broker (exo run or exo bus) and prints one line per\n"
        "routed message until Ctrl-C: sender, receiver, name (both names when translated) and\n"
        "the outcome when not delivered, e.g.\n"
        "  web  --[ users.list ]->  users\n"
        "  web  --[ users.list ]->  users  (no-receiver)\n"
        "plus lines for services going online and offline. Every secret of the app (the\n"
        "services' secret variables, the resources' passwords) is shown as ******.",
    .options = options,
    .opts_size = sizeof(tail_opts_t),
    .epilog = "Exit status: 0 stopped with Ctrl-C, 1 no broker running or it went away, 2 "
              "internal\nerror.",
    .run = run,
};
