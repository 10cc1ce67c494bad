/* outq.c - bytes queued for one peer, given back by ZeroMQ's free callback; see outq.h. */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "outq.h"

struct exo_outq {
    atomic_size_t bytes;
    atomic_uint refs;
};

/* In front of every counted buffer: which queue, how many bytes. */
typedef struct frame_tag {
    exo_outq_t *q;
    size_t len;
    alignas(max_align_t) unsigned char data[];
} frame_tag_t;

exo_outq_t *exo_outq_new(void)
{
    exo_outq_t *q = malloc(sizeof *q);
    if (q != NULL) {
        atomic_init(&q->bytes, 0);
        atomic_init(&q->refs, 1);
    }
    return q;
}

void exo_outq_release(exo_outq_t *q)
{
    if (q != NULL && atomic_fetch_sub(&q->refs, 1) == 1) {
        free(q);
    }
}

size_t exo_outq_bytes(const exo_outq_t *q)
{
    return atomic_load_explicit(&((exo_outq_t *)q)->bytes, memory_order_relaxed);
}

/* ZeroMQ is done with the frame (any thread). */
static void frame_done(void *data, void *hint)
{
    frame_tag_t *t = hint;
    (void)data;
    atomic_fetch_sub(&t->q->bytes, t->len);
    exo_outq_release(t->q);
    free(t);
}

int exo_outq_msg(exo_outq_t *q, zmq_msg_t *m, size_t len)
{
    frame_tag_t *t = malloc(sizeof *t + (len ? len : 1));
    if (t == NULL) {
        errno = ENOMEM;
        return -1;
    }
    t->q = q;
    t->len = len;
    atomic_fetch_add(&q->refs, 1);
    atomic_fetch_add(&q->bytes, len);
    if (zmq_msg_init_data(m, t->data, len, frame_done, t) != 0) {
        frame_done(t->data, t);
        return -1;
    }
    return 0;
}
