/* plugins/backend-common/ctrqueue.c - see ctrqueue.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#include "ctrqueue.h"

bool ctr_queue_enter(ctr_queue_t *q, void *item)
{
    if (q->busy < q->limit) {
        q->busy++;
        return true;
    }
    if (q->head + q->n == q->cap) {
        if (q->head > 0) {
            memmove(q->items, q->items + q->head, q->n * sizeof *q->items);
            q->head = 0;
        } else {
            q->cap = q->cap ? q->cap * 2 : 16;
            q->items = exo_xrealloc(q->items, q->cap * sizeof *q->items);
        }
    }
    q->items[q->head + q->n++] = item;
    return false;
}

void ctr_queue_leave(ctr_queue_t *q, bool (*launch)(void *item))
{
    q->busy--;
    while (q->busy < q->limit && q->n > 0) {
        void *item = q->items[q->head++];
        q->n--;
        q->busy++;
        if (!launch(item)) {
            q->busy--;
        }
    }
}

void ctr_queue_free(ctr_queue_t *q)
{
    free(q->items);
    q->items = NULL;
    q->head = q->n = q->cap = 0;
}

void ctr_pending_add(ctr_pending_t *p, void *item)
{
    p->items = exo_xrealloc(p->items, (p->n + 1) * sizeof *p->items);
    p->items[p->n++] = item;
}

void ctr_pending_drop(ctr_pending_t *p, void *item)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->items[i] == item) {
            p->items[i] = p->items[--p->n];
            return;
        }
    }
}

void ctr_pending_free(ctr_pending_t *p)
{
    free(p->items);
    p->items = NULL;
    p->n = 0;
}
