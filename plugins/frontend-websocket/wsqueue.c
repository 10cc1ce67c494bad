/*
 * plugins/frontend-websocket/wsqueue.c - a bounded FIFO of frames (see wsqueue.h).
 */
#include "wsqueue.h"

#include <stdlib.h>

#include "base/util.h"

struct ws_queue_item {
    ws_queue_item_t *next;
    ws_frame_t frame;
};

bool ws_queue_push(ws_queue_t *q, ws_frame_t frame, size_t max_count, size_t max_bytes)
{
    if (q->count > 0 && (q->count + 1 > max_count || q->bytes + frame.len > max_bytes)) {
        free(frame.buf);
        return false;
    }
    ws_queue_item_t *it = exo_xmalloc(sizeof *it);
    it->next = NULL;
    it->frame = frame;
    if (q->tail != NULL)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->count++;
    q->bytes += frame.len;
    return true;
}

const ws_frame_t *ws_queue_peek(const ws_queue_t *q)
{
    return q->head != NULL ? &q->head->frame : NULL;
}

void ws_queue_pop(ws_queue_t *q)
{
    ws_queue_item_t *it = q->head;
    if (it == NULL)
        return;
    q->head = it->next;
    if (q->head == NULL)
        q->tail = NULL;
    q->count--;
    q->bytes -= it->frame.len;
    free(it->frame.buf);
    free(it);
}

void ws_queue_clear(ws_queue_t *q)
{
    while (q->head != NULL)
        ws_queue_pop(q);
}
