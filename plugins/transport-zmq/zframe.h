/*
 * zframe.h - one bus frame on a zmq socket (protocol 2: a message is one frame, docs/protocol.md):
 * encoding a head straight into a zmq message and receiving a multipart with a cap on its
 * frames. Shared by the broker, the CLI client and libexoservice (compiled into the plugin
 * and the SDK like wire.c; hidden in each). wire.c stays the codec; this is its zmq side.
 *
 * Threading: a zmq socket belongs to one thread; these use only the socket they are given.
 */
#ifndef EXO_ZMQ_ZFRAME_H
#define EXO_ZMQ_ZFRAME_H

#include <stdbool.h>

#include <zmq.h>

#include "wire.h"

/** Initialise @p m with the encoded @p h (for 'M' with its payload). 0, or -1 with errno
 *  (EMSGSIZE when a field is too long); @p m is then not initialised. */
int exo_zframe_build(zmq_msg_t *m, const exo_wire_head_t *h);

/** Encode @p h and send it as the last frame of a message on @p sock with @p flags
 *  (ZMQ_DONTWAIT, ...). 0, or -1 with errno. */
int exo_zframe_send(void *sock, const exo_wire_head_t *h, int flags);

/**
 * Receive one multipart from @p sock, keeping its first @p max frames in @p f (initialised;
 * close them with exo_zframe_close) and dropping the rest, which sets *@p overflow. The first
 * frame is read with @p flags (ZMQ_DONTWAIT: none waiting is EAGAIN). *@p n frames kept;
 * 0, or -1 with errno when no message was read.
 */
int exo_zframe_recv(void *sock, zmq_msg_t *f, int max, int *n, bool *overflow, int flags);

/** Close the @p n frames of @p f. */
void exo_zframe_close(zmq_msg_t *f, int n);

#endif /* EXO_ZMQ_ZFRAME_H */
