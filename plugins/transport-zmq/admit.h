/*
 * admit.h - connections to the service socket that have not registered yet. ZeroMQ tells a
 * ROUTER about a peer only at its first frame, so idle connections are invisible to routing
 * while each holds a descriptor: a thousand of them lock real units out. This module follows
 * the socket's monitor (accepted / disconnected, by descriptor), learns which descriptors
 * registered (ZMQ_SRCFD of their 'R'), and shuts down the others after a grace period or, when
 * there are more than a cap, the oldest at once (issue 18 finding 5, docs/security.md).
 *
 * Threading: the broker's thread. Ownership: the monitor socket belongs to the exo_zadmit_t.
 */
#ifndef EXO_ZMQ_ADMIT_H
#define EXO_ZMQ_ADMIT_H

#include <stddef.h>

typedef struct exo_zadmit exo_zadmit_t;

/** Follow @p sock (a bound ROUTER of @p ctx): at most @p cap unregistered connections, each for
 *  at most @p grace_ms. NULL when the monitor cannot be set up (nothing is then enforced). */
exo_zadmit_t *exo_zadmit_new(void *ctx, void *sock, size_t cap, unsigned grace_ms);
/** The monitor's ZMQ_FD (edge-triggered, like any zmq socket): call exo_zadmit_drain on it. */
int exo_zadmit_fd(const exo_zadmit_t *a);
/** Read the monitor's events until none is left; enforce the cap. */
void exo_zadmit_drain(exo_zadmit_t *a, unsigned long long now);
/** The connection on descriptor @p fd registered (fd < 0 is ignored). */
void exo_zadmit_registered(exo_zadmit_t *a, int fd);
/** Shut down the connections unregistered for longer than the grace. Returns how many. */
size_t exo_zadmit_sweep(exo_zadmit_t *a, unsigned long long now);
/** Connections not registered right now. */
size_t exo_zadmit_pending(const exo_zadmit_t *a);
void exo_zadmit_free(exo_zadmit_t *a);

#endif /* EXO_ZMQ_ADMIT_H */
