/*
 * core/run/watch.h - `exo run --watch`: inotify on every service directory (recursively), with
 * noise filtered out (.git, .exo, build outputs, editor temp files) and a debounce, reporting
 * one change per service once its directory has been quiet for a moment.
 *
 * Ownership: the watcher owns its inotify fd. Threading: loop thread only.
 */
#ifndef EXO_CORE_WATCH_H
#define EXO_CORE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/loop.h"

typedef struct exo_watch exo_watch_t;

/** @p on_change(arg, id, path) after @p debounce_ms of quiet following a change. */
exo_watch_t *exo_watch_new(exo_loop_t *loop, unsigned debounce_ms,
                           void (*on_change)(void *arg, int id, const char *path), void *arg);
void exo_watch_destroy(exo_watch_t **w_p);

/** Watch @p dir and everything below it as @p id. 0 or -1 with errno. */
int exo_watch_add(exo_watch_t *w, const char *dir, int id);
/** Drop changes of @p id for the next @p ms (its own setup writing build outputs). */
void exo_watch_quiet(exo_watch_t *w, int id, unsigned ms);

/** True for names a change to which never restarts a service. */
bool exo_watch_ignored(const char *name);

#endif /* EXO_CORE_WATCH_H */
