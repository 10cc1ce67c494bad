/* core/plugins/crashguard.c - the fatal-signal handler that names a crashing plugin (see
 * crashguard.h). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crashguard.h"

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])

static struct sigaction saved[N_FATAL];
static int armed;
static int report_fd = -1;

/* Written before the call, read by the handler: no formatting in signal context. */
static char head[4200], tail[200];
static size_t head_len, tail_len;

/* A stack of its own, so that a plugin that overflows the main stack is named too. */
static char alt_stack[64 * 1024];
static int alt_stack_set;

static const char *signal_word(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGABRT:
        return "SIGABRT";
    default:
        return "a fatal signal";
    }
}

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) {
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

/* A plugin that calls exit() while armed: say so, since exo would end with no word. */
static void on_exit_armed(void)
{
    static const char word[] = "exit()";
    if (armed) {
        write_all(head, head_len - (sizeof "crashed with " - 1));
        write_all("called ", 7);
        write_all(word, sizeof word - 1);
        write_all(tail, tail_len);
    }
}

static void on_fatal(int sig)
{
    const char *word = signal_word(sig);
    write_all(head, head_len);
    write_all(word, strlen(word));
    write_all(tail, tail_len);
    /* SA_RESETHAND put the default action back: dying of the same signal keeps the status. */
    raise(sig);
}

const char *exo_crashguard_stage_name(char stage)
{
    switch (stage) {
    case EXO_GUARD_OPEN:
        return "its constructors (while opening it)";
    case EXO_GUARD_DESCRIBE:
        return "exo_plugin_describe()";
    case EXO_GUARD_INIT:
        return "init()";
    case EXO_GUARD_PROBE:
        return "probe()";
    case EXO_GUARD_FINI:
        return "fini()";
    default:
        return "its code";
    }
}

void exo_crashguard_report_to(int fd)
{
    report_fd = fd;
}

void exo_crashguard_enter(const char *path, char stage)
{
    if (report_fd >= 0) {
        /* One write of less than PIPE_BUF bytes: the parent never sees half a line. */
        char line[4200];
        int n = snprintf(line, sizeof line, "%c%s\n", stage, path);
        if (n > 0 && (size_t)n < sizeof line) {
            ssize_t w = write(report_fd, line, (size_t)n);
            (void)w; /* the parent reads what it gets */
        }
    }
    int n = snprintf(head, sizeof head, "exo: error: plugin %s crashed with ", path);
    head_len = n < 0 ? 0 : (size_t)n < sizeof head ? (size_t)n : sizeof head - 1;
    n = snprintf(tail, sizeof tail,
                 " in %s; remove it from the plugin path or fix it (`exo plugins` lists it "
                 "without crashing)\n",
                 exo_crashguard_stage_name(stage));
    tail_len = n < 0 ? 0 : (size_t)n < sizeof tail ? (size_t)n : sizeof tail - 1;
    if (!alt_stack_set) {
        /* Keep one that is there already (a sanitizer's): it is big enough for us too. */
        stack_t old;
        if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE)) {
            alt_stack_set = 1;
        } else {
            stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
            alt_stack_set = sigaltstack(&ss, NULL) == 0;
        }
    }
    static int exit_hook_set;
    if (!exit_hook_set) {
        exit_hook_set = atexit(on_exit_armed) == 0;
    }
    if (armed) {
        return; /* re-entered for the next stage: the handlers are in place */
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
    for (size_t i = 0; i < N_FATAL; i++) {
        sigaction(fatal_signals[i], &sa, &saved[i]);
    }
    armed = 1;
}

void exo_crashguard_leave(void)
{
    if (report_fd >= 0) {
        ssize_t w = write(report_fd, "-\n", 2);
        (void)w;
    }
    if (!armed) {
        return;
    }
    for (size_t i = 0; i < N_FATAL; i++) {
        sigaction(fatal_signals[i], &saved[i], NULL);
    }
    armed = 0;
}
