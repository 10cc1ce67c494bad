/*
 * core/base/log.h - exo's own diagnostics (and the plugins', through their host table) on
 * stderr: "exo: error: ...", "exo: warning: ...", or to a sink while a run has one (a run
 * prints them in its column layout and logs them). Service output and bus traces are not
 * logged here (see core/run/output.c). Thread-safe: each
 * line is written with one fprintf under stdio's own lock.
 *
 * Repeated lines are rate-limited: of one kind (the same format string from the same origin,
 * e.g. a broker's "rejected a frame from %s: %s"; for a format that begins with a conversion
 * such as "%s", the same message) at most EXO_LOG_BURST lines are printed
 * per EXO_LOG_WINDOW_MS; the rest are counted and reported as one line "N more like "..."
 * suppressed in the last S s" with the next line of that kind after the window, or at exit.
 * Debug lines (EXO_DEBUG=1) are never suppressed.
 */
#ifndef EXO_CORE_LOG_H
#define EXO_CORE_LOG_H

#include <stdarg.h>

#include <exo/plugin.h>

/** At most this many lines of one kind per window (see above). */
#define EXO_LOG_BURST 5
#define EXO_LOG_WINDOW_MS 10000ULL

/** Lines above this level are dropped. Default EXO_LOG_INFO; EXO_LOG_DEBUG with EXO_DEBUG=1. */
void exo_log_set_level(exo_log_level_t level);
exo_log_level_t exo_log_get_level(void);
void exo_log(exo_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** @p origin prefixes the message, e.g. "backend process". NULL for none. */
void exo_vlog(exo_log_level_t level, const char *origin, const char *fmt, va_list ap);

/** Where lines go instead of stderr while set: a run shows them in its own layout and logs
 *  (core/run/output.c). Called after the rate limit, from whichever thread logged, with no
 *  other sink call in flight; a line the sink logs itself goes to stderr. NULL: stderr again.
 *  Once this returns, the old sink is not called any more. */
typedef void (*exo_log_sink_fn)(void *arg, exo_log_level_t level, const char *origin,
                                const char *msg);
void exo_log_set_sink(exo_log_sink_fn fn, void *arg);
/** "error", "warning", "info", "debug". */
const char *exo_log_level_word(exo_log_level_t level);

#define exo_error(...) exo_log(EXO_LOG_ERROR, __VA_ARGS__)
#define exo_warn(...) exo_log(EXO_LOG_WARN, __VA_ARGS__)
#define exo_info(...) exo_log(EXO_LOG_INFO, __VA_ARGS__)
#define exo_debug(...) exo_log(EXO_LOG_DEBUG, __VA_ARGS__)

#endif /* EXO_CORE_LOG_H */
