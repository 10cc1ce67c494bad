/*
 * core/plugins/isolate.h - calls that may run plugin code, made in child processes so that a
 * plugin that crashes, exits or hangs is reported instead of taking exo down: how `exo
 * plugins` lists broken plugins and probes engines in parallel (cmd_plugins.c).
 *
 * The child reports on a pipe, one line each: crashguard.h writes "<stage><plugin file>" when
 * plugin code is entered and "-" when it is left; the function may send one result text
 * (exo_isolate_result); "\002" ends a child whose function returned. So the parent knows
 * which plugin, and in which call, a child was in when it died.
 *
 * Ownership: results own their strings and buffers (exo_isolated_free). Threading: main
 * thread; forks, so call it before starting threads.
 */
#ifndef EXO_CORE_ISOLATE_H
#define EXO_CORE_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

typedef struct exo_isolated {
    bool done;          /* the function returned: exit_code is what it returned */
    int exit_code;      /* or the status of a child that exited early; -1 when none */
    int signal;         /* it died of this signal, else 0 */
    bool timed_out;     /* killed at the deadline */
    char stage;         /* crashguard stage it was in when it ended, 0 outside plugin code */
    char *path;         /* the plugin file of that stage, NULL outside plugin code */
    char *result;       /* what it sent with exo_isolate_result, or NULL */
    exo_buf_t out, err; /* its stdout and stderr, when captured (else they are /dev/null) */
} exo_isolated_t;

/** In the child: job @p i of the batch; reports on @p report_fd. Returns the exit status. */
typedef int (*exo_isolate_fn)(size_t i, int report_fd, void *arg);

/**
 * Run @p fn(0..n-1) in @p n parallel children; wait at most @p timeout_ms in all, then kill the
 * rest. With @p capture their stdout and stderr are kept in out[i]. Fills @p out[0..n).
 */
void exo_isolate_each(size_t n, exo_isolate_fn fn, void *arg, unsigned timeout_ms, bool capture,
                      exo_isolated_t *out);
/** In the child: send @p text (one line; newlines become spaces) as the result. */
void exo_isolate_result(int report_fd, const char *text);
/**
 * Why the plugin a child was in (r->path) must not be loaded, for its error message: "crashed
 * with signal 11 (Segmentation fault) in init(); ...". NULL when the child was in no plugin's
 * code or ended well. New string.
 */
char *exo_isolated_verdict(const exo_isolated_t *r, unsigned timeout_ms);
void exo_isolated_free(exo_isolated_t *r);

#endif /* EXO_CORE_ISOLATE_H */
