#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static exo_log_level_t current_level = EXO_LOG_INFO;
static int level_from_env = -1;

void exo_log_set_level(exo_log_level_t level)
{
    current_level = level;
    level_from_env = 0;
}

exo_log_level_t exo_log_get_level(void)
{
    if (level_from_env < 0) {
        const char *d = getenv("EXO_DEBUG");
        if (d != NULL && d[0] != '\0' && d[0] != '0') {
            current_level = EXO_LOG_DEBUG;
        }
        level_from_env = 1;
    }
    return current_level;
}

/* ---- where lines go: stderr, or a sink (exo_log_set_sink) ---- */

static exo_log_sink_fn sink_fn;
static void *sink_arg;
/* Held while the sink is called: once exo_log_set_sink() returned, no call is in flight. */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
/* A line logged by the sink itself goes to stderr, unlimited: no recursion, no deadlock on
 * the rate limiter's lock (the sink may be called under it, for a suppression count). */
static _Thread_local bool in_sink;

void exo_log_set_sink(exo_log_sink_fn fn, void *arg)
{
    pthread_mutex_lock(&sink_lock);
    sink_fn = fn;
    sink_arg = arg;
    pthread_mutex_unlock(&sink_lock);
}

const char *exo_log_level_word(exo_log_level_t level)
{
    static const char *const words[] = {"error", "warning", "info", "debug"};
    return level <= EXO_LOG_DEBUG ? words[level] : "debug";
}

static bool to_sink(exo_log_level_t level, const char *origin, const char *msg)
{
    if (in_sink) {
        return false;
    }
    pthread_mutex_lock(&sink_lock);
    bool taken = sink_fn != NULL;
    if (taken) {
        in_sink = true;
        sink_fn(sink_arg, level, origin, msg);
        in_sink = false;
    }
    pthread_mutex_unlock(&sink_lock);
    return taken;
}

static void print_line(exo_log_level_t level, const char *origin, const char *msg)
{
    static const char *const colors[] = {"\033[1;31m", "\033[1;33m", "\033[1m", "\033[2m"};
    if (to_sink(level, origin, msg)) {
        return;
    }
    bool color = exo_use_color(2);
    fprintf(stderr, "exo: %s%s%s: %s%s%s\n", color ? colors[level] : "", exo_log_level_word(level),
            color ? "\033[0m" : "", origin ? origin : "", origin ? ": " : "", msg);
}

/* ---- rate limit: a kind of line is its format string (and origin) ---- */

typedef struct kind {
    const char *fmt;           /* compared by address; may be a plugin's, unloaded by exit */
    char *shown;               /* a copy of the format (or text) for the suppression line */
    char *origin;
    char *text;                /* the message, when the format is only a conversion */
    exo_log_level_t level;
    unsigned long long window_start;
    unsigned printed;          /* in this window */
    unsigned long suppressed;  /* in this window, not yet reported */
    unsigned long long last_used;
} kind_t;

#define KINDS 32
static kind_t kinds[KINDS];
static pthread_mutex_t kinds_lock = PTHREAD_MUTEX_INITIALIZER;
static bool exit_hook;

static void say_suppressed(kind_t *k, unsigned long long now)
{
    if (k->suppressed == 0) {
        return;
    }
    char *msg = exo_strdupf("%lu more like \"%s\" suppressed in the last %llu s",
                            k->suppressed, k->shown,
                            (now - k->window_start + 999) / 1000);
    print_line(k->level, k->origin, msg);
    free(msg);
    k->suppressed = 0;
}

/* At exit: the counts of the last window. */
static void say_all_suppressed(void)
{
    pthread_mutex_lock(&kinds_lock);
    unsigned long long now = exo_now_ms();
    for (size_t i = 0; i < KINDS; i++) {
        if (kinds[i].fmt != NULL) {
            say_suppressed(&kinds[i], now);
        }
    }
    pthread_mutex_unlock(&kinds_lock);
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A format that begins with a conversion ("%s", an error passed on) says nothing about the
 * kind of line: the message itself does. */
static const char *kind_text(const char *fmt, const char *msg)
{
    return fmt[0] == '%' ? msg : NULL;
}

static kind_t *kind_for(exo_log_level_t level, const char *origin, const char *fmt,
                        const char *msg, unsigned long long now)
{
    const char *text = kind_text(fmt, msg);
    kind_t *oldest = &kinds[0];
    for (size_t i = 0; i < KINDS; i++) {
        kind_t *k = &kinds[i];
        if (k->fmt == fmt && k->level == level && same_str(k->origin, origin) &&
            same_str(k->text, text)) {
            return k;
        }
        if (k->last_used < oldest->last_used) {
            oldest = k;
        }
    }
    say_suppressed(oldest, now);
    free(oldest->origin);
    free(oldest->text);
    free(oldest->shown);
    *oldest = (kind_t){.fmt = fmt, .origin = origin ? exo_xstrdup(origin) : NULL,
                       .text = text ? exo_xstrdup(text) : NULL,
                       .shown = exo_xstrdup(text ? text : fmt), .level = level,
                       .window_start = now};
    return oldest;
}

/* Whether this line may be printed: at most EXO_LOG_BURST of a kind per window. */
static bool may_print(exo_log_level_t level, const char *origin, const char *fmt,
                      const char *msg)
{
    pthread_mutex_lock(&kinds_lock);
    if (!exit_hook) {
        exit_hook = true;
        atexit(say_all_suppressed);
    }
    unsigned long long now = exo_now_ms();
    kind_t *k = kind_for(level, origin, fmt, msg, now);
    k->last_used = now;
    if (now - k->window_start >= EXO_LOG_WINDOW_MS) {
        say_suppressed(k, now);
        k->window_start = now;
        k->printed = 0;
    }
    bool ok = k->printed < EXO_LOG_BURST;
    if (ok) {
        k->printed++;
    } else {
        k->suppressed++;
    }
    pthread_mutex_unlock(&kinds_lock);
    return ok;
}

void exo_vlog(exo_log_level_t level, const char *origin, const char *fmt, va_list ap)
{
    if (level > exo_log_get_level()) {
        return;
    }
    char *msg = exo_vstrdupf(fmt, ap);
    if (level == EXO_LOG_DEBUG || in_sink || may_print(level, origin, fmt, msg)) {
        print_line(level, origin, msg);
    }
    free(msg);
}

void exo_log(exo_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exo_vlog(level, NULL, fmt, ap);
    va_end(ap);
}
