/*
 * plugins/backend-common/ctrqueue.h - work for the engine that must not all run at once
 * (container creates, `podman run`s): at most `limit` items in flight, the others wait and
 * are launched in the order they came, which is the core's order of preference (the slowest
 * unit first). Zero-initialise, then set limit. Items are borrowed. Threading: loop thread.
 */
#ifndef EXO_PLUGINS_CTRQUEUE_H
#define EXO_PLUGINS_CTRQUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ctr_queue {
    void **items;
    size_t head, n, cap;
    unsigned busy, limit;
} ctr_queue_t;

/** Take a slot for @p item (true: launch it now) or queue it (false). */
bool ctr_queue_enter(ctr_queue_t *q, void *item);

/**
 * One item's work is over (or failed to launch): free its slot and launch queued items while
 * slots are free. @p launch returns true when the item's work is now in flight, false when it
 * was not launched (it reported why itself). It may call ctr_queue_enter.
 */
void ctr_queue_leave(ctr_queue_t *q, bool (*launch)(void *item));

void ctr_queue_free(ctr_queue_t *q);

/*
 * Requests in flight that a run waits for before it ends (container removals): a set of
 * borrowed pointers.
 */
typedef struct ctr_pending {
    void **items;
    size_t n;
} ctr_pending_t;

void ctr_pending_add(ctr_pending_t *p, void *item);
/** Forget @p item (no-op when absent). */
void ctr_pending_drop(ctr_pending_t *p, void *item);
void ctr_pending_free(ctr_pending_t *p);

#endif /* EXO_PLUGINS_CTRQUEUE_H */
