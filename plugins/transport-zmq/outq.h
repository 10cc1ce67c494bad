/*
 * outq.h - bytes the broker has handed to ZeroMQ for one peer and ZeroMQ has not written yet.
 * ZeroMQ bounds its queues by message count only; to bound them in bytes the broker builds
 * each outgoing frame with exo_outq_build, whose buffer ZeroMQ frees once it is on the wire
 * (or dropped): the free callback gives the bytes back. docs/bus.md "Flow control".
 *
 * Ownership and threading: an exo_outq_t is reference counted, one reference for its owner
 * (an instance or a tail client) and one per frame in flight, so a peer may go away while its
 * frames are still queued. The free callback runs on a ZeroMQ I/O thread: the counters are
 * atomic; everything else belongs to the broker's thread. Buffers of small frames are
 * recycled (a pool: lock-free for the I/O threads that give them back), so that the two threads do not contend
 * for malloc's lock on every message.
 */
#ifndef EXO_ZMQ_OUTQ_H
#define EXO_ZMQ_OUTQ_H

#include <stddef.h>

#include <zmq.h>

typedef struct exo_outq exo_outq_t;

/** A new queue with one reference (the owner's). NULL when out of memory. */
exo_outq_t *exo_outq_new(void);
/** Drop the owner's reference (NULL is fine). */
void exo_outq_release(exo_outq_t *q);
/** Bytes queued right now. */
size_t exo_outq_bytes(const exo_outq_t *q);
/** Bus messages queued right now (a batch counts its frames). */
size_t exo_outq_msgs(const exo_outq_t *q);
/** Initialise @p m with @p len bytes counted on @p q until ZeroMQ frees them; fill them from
 *  zmq_msg_data(m). Returns 0, or -1 (ENOMEM). */
int exo_outq_msg(exo_outq_t *q, zmq_msg_t *m, size_t len);
/** The same for a frame that carries @p msgs bus messages (a batch). */
int exo_outq_msg_n(exo_outq_t *q, zmq_msg_t *m, size_t len, size_t msgs);
/** Free the recycled buffers, e.g. when the bus is quiet, so that RSS returns to its idle size,
 *  and when the broker closes. Any thread. */
void exo_outq_trim(void);

#endif /* EXO_ZMQ_OUTQ_H */
