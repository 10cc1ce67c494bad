/* outq.c - bytes queued for one peer, given back by ZeroMQ's free callback; see outq.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "outq.h"

struct exo_outq {
    atomic_size_t bytes;
    atomic_size_t msgs; /* bus messages in those bytes (a batch carries many) */
    atomic_uint refs;
};

/* In front of every counted buffer: which queue, how many bytes, which pool class (or none). */
typedef struct frame_tag {
    exo_outq_t *q;
    size_t len, msgs;
    struct frame_tag *next; /* in a pool's free list */
    int cls;                /* index into pools, -1 for a buffer of its own */
    alignas(max_align_t) unsigned char data[];
} frame_tag_t;

/*
 * Buffers of a few fixed sizes are recycled: the broker's thread allocates a frame and a
 * ZeroMQ I/O thread frees it, and with malloc both threads would contend for the same arena
 * lock on every message. A frame done goes onto its class's returned stack (lock-free push
 * from any thread); the allocating side takes the whole stack at once (atomic exchange) into
 * its own list, under a lock that only allocators and exo_outq_trim take (uncontended: the
 * broker builds frames on one thread). At most POOL_MAX buffers per class are kept;
 * exo_outq_trim frees them.
 */
#define POOL_MAX 4096
static const size_t pool_size[] = {512, 2048};
#define N_POOLS (sizeof pool_size / sizeof pool_size[0])

typedef struct pool {
    _Atomic(frame_tag_t *) returned; /* pushed by any thread */
    atomic_size_t kept;              /* buffers in returned + all local lists */
} pool_t;

static pool_t pools[N_POOLS];
static pthread_mutex_t local_lock = PTHREAD_MUTEX_INITIALIZER;
static frame_tag_t *local[N_POOLS]; /* taken from returned, not handed out yet */

static frame_tag_t *pool_take(int cls)
{
    pthread_mutex_lock(&local_lock);
    frame_tag_t *t = local[cls];
    if (t == NULL) {
        t = atomic_exchange_explicit(&pools[cls].returned, NULL, memory_order_acquire);
    }
    if (t != NULL) {
        local[cls] = t->next;
        pthread_mutex_unlock(&local_lock);
        atomic_fetch_sub_explicit(&pools[cls].kept, 1, memory_order_relaxed);
        return t;
    }
    pthread_mutex_unlock(&local_lock);
    t = malloc(sizeof *t + pool_size[cls]);
    if (t != NULL) {
        t->cls = cls;
    }
    return t;
}

/* Any thread. */
static void pool_give(frame_tag_t *t)
{
    pool_t *p = &pools[t->cls];
    if (atomic_fetch_add_explicit(&p->kept, 1, memory_order_relaxed) >= POOL_MAX) {
        atomic_fetch_sub_explicit(&p->kept, 1, memory_order_relaxed);
        free(t);
        return;
    }
    frame_tag_t *head = atomic_load_explicit(&p->returned, memory_order_relaxed);
    do {
        t->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&p->returned, &head, t,
                                                    memory_order_release,
                                                    memory_order_relaxed));
}

void exo_outq_trim(void)
{
    pthread_mutex_lock(&local_lock);
    for (size_t c = 0; c < N_POOLS; c++) {
        frame_tag_t *t = atomic_exchange_explicit(&pools[c].returned, NULL,
                                                  memory_order_acquire);
        for (int pass = 0; pass < 2; pass++) {
            while (t != NULL) {
                frame_tag_t *next = t->next;
                free(t);
                atomic_fetch_sub_explicit(&pools[c].kept, 1, memory_order_relaxed);
                t = next;
            }
            t = local[c];
            local[c] = NULL;
        }
    }
    pthread_mutex_unlock(&local_lock);
}

exo_outq_t *exo_outq_new(void)
{
    exo_outq_t *q = malloc(sizeof *q);
    if (q != NULL) {
        atomic_init(&q->bytes, 0);
        atomic_init(&q->msgs, 0);
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

size_t exo_outq_msgs(const exo_outq_t *q)
{
    return atomic_load_explicit(&((exo_outq_t *)q)->msgs, memory_order_relaxed);
}

/* ZeroMQ is done with the frame (any thread). */
static void frame_done(void *data, void *hint)
{
    frame_tag_t *t = hint;
    (void)data;
    atomic_fetch_sub(&t->q->bytes, t->len);
    atomic_fetch_sub(&t->q->msgs, t->msgs);
    exo_outq_release(t->q);
    if (t->cls >= 0) {
        pool_give(t);
    } else {
        free(t);
    }
}

static frame_tag_t *tag_new(size_t len)
{
    for (size_t c = 0; c < N_POOLS; c++) {
        if (len <= pool_size[c]) {
            return pool_take((int)c);
        }
    }
    frame_tag_t *t = malloc(sizeof *t + len);
    if (t != NULL) {
        t->cls = -1;
    }
    return t;
}

int exo_outq_msg(exo_outq_t *q, zmq_msg_t *m, size_t len)
{
    return exo_outq_msg_n(q, m, len, 1);
}

int exo_outq_msg_n(exo_outq_t *q, zmq_msg_t *m, size_t len, size_t msgs)
{
    frame_tag_t *t = tag_new(len);
    if (t == NULL) {
        errno = ENOMEM;
        return -1;
    }
    t->q = q;
    t->len = len;
    t->msgs = msgs;
    atomic_fetch_add(&q->refs, 1);
    atomic_fetch_add(&q->bytes, len);
    atomic_fetch_add(&q->msgs, msgs);
    if (zmq_msg_init_data(m, t->data, len, frame_done, t) != 0) {
        frame_done(t->data, t);
        return -1;
    }
    return 0;
}
