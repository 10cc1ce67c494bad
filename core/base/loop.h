/*
 * core/base/loop.h - the core's single-threaded event loop (poll(2) based): fd watches, timers,
 * signals (through a self-pipe) and calls posted from other threads. Plugins reach it through
 * exo_host_t; core modules call it directly.
 *
 * Threading: everything runs on the thread that calls exo_loop_run(), except exo_loop_post()
 * and exo_loop_stop(), which any thread (and a signal handler, for stop) may call.
 */
#ifndef EXO_CORE_LOOP_H
#define EXO_CORE_LOOP_H

#include <stdbool.h>

#include <exo/plugin.h>

typedef struct exo_loop exo_loop_t;

exo_loop_t *exo_loop_new(void);
void exo_loop_destroy(exo_loop_t **loop_p);

/** Watch an fd; returns an id > 0. The fd stays the caller's; unwatch before closing it. */
int exo_loop_watch(exo_loop_t *loop, int fd, unsigned events, exo_fd_fn fn, void *arg);
int exo_loop_watch_modify(exo_loop_t *loop, int id, unsigned events);
void exo_loop_unwatch(exo_loop_t *loop, int id);

/** One-shot or repeating timer; returns an id > 0. */
int exo_loop_timer(exo_loop_t *loop, unsigned ms, bool repeat, exo_call_fn fn, void *arg);
void exo_loop_timer_cancel(exo_loop_t *loop, int id);

/** Run @p fn on the loop thread soon. Thread-safe. */
int exo_loop_post(exo_loop_t *loop, exo_call_fn fn, void *arg);

/** Deliver @p signo to @p fn on the loop thread (installs a handler). */
int exo_loop_signal(exo_loop_t *loop, int signo, void (*fn)(int signo, void *arg), void *arg);

/** Run until exo_loop_stop(). Returns 0, or -1 on a poll failure. */
int exo_loop_run(exo_loop_t *loop);
/** Run one iteration, waiting at most @p timeout_ms (-1 = until something happens). */
int exo_loop_once(exo_loop_t *loop, int timeout_ms);
/** Make exo_loop_run() return after the current iteration. Async-signal-safe. */
void exo_loop_stop(exo_loop_t *loop);

#endif /* EXO_CORE_LOOP_H */
