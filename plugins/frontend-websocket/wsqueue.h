/*
 * plugins/frontend-websocket/wsqueue.h - the frames waiting for one client, bounded in count
 * and bytes: a client that does not read fills its queue and is dropped (websocket.c), so it
 * costs the frontend at most its bound.
 *
 * The queue owns the frames it holds. Threading: the loop thread only (one queue per
 * connection, never shared).
 */
#ifndef EXO_PLUGINS_WSQUEUE_H
#define EXO_PLUGINS_WSQUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "wsproto.h"

typedef struct ws_queue_item ws_queue_item_t;

typedef struct ws_queue {
    ws_queue_item_t *head, *tail;
    size_t count, bytes;
} ws_queue_t;

/**
 * Append @p frame (taken over) unless that would pass @p max_count frames or @p max_bytes
 * bytes; an empty queue takes any one frame, so a message bigger than the byte bound still
 * reaches a client that reads. False when refused: the frame is freed and the queue unchanged.
 */
bool ws_queue_push(ws_queue_t *q, ws_frame_t frame, size_t max_count, size_t max_bytes);
/** The oldest frame, or NULL when empty. Owned by the queue until ws_queue_pop. */
const ws_frame_t *ws_queue_peek(const ws_queue_t *q);
/** Drop the oldest frame. */
void ws_queue_pop(ws_queue_t *q);
/** Drop every frame. */
void ws_queue_clear(ws_queue_t *q);

#endif /* EXO_PLUGINS_WSQUEUE_H */
