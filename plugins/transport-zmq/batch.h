/*
 * batch.h - a protocol 5 batch being built (docs/protocol.md "Batches"): frames appended in
 * order into one growable buffer that goes out as one zmq frame. The broker keeps one per
 * connection for a pass over its input, the SDK one per socket for a burst of sends.
 *
 * Ownership and threading: the buffer belongs to the batch (exo_batch_free); one thread uses
 * a batch at a time.
 */
#ifndef EXO_ZMQ_BATCH_H
#define EXO_ZMQ_BATCH_H

#include <stddef.h>

#include "wire.h"

typedef struct exo_batch {
    unsigned char *p;
    size_t len, cap; /* bytes so far (0: empty), allocated */
    size_t frames;
} exo_batch_t;

/** Append frame @p h, the batch written as protocol @p version. Returns 0, or -1 with errno
 *  (ENOMEM, EMSGSIZE: @p h cannot be encoded) and the batch unchanged. */
int exo_batch_add(exo_batch_t *b, unsigned version, const exo_wire_head_t *h);
/** Bytes the batch would have after appending @p h. */
size_t exo_batch_size_with(const exo_batch_t *b, const exo_wire_head_t *h);
/** What to send: a lone frame as itself (single frames stay valid), more as the batch. */
const unsigned char *exo_batch_bytes(const exo_batch_t *b, size_t *len);
/** Empty it, keeping the buffer for the next batch. */
void exo_batch_clear(exo_batch_t *b);
void exo_batch_free(exo_batch_t *b);

#endif /* EXO_ZMQ_BATCH_H */
