/*
 * sdk/service_int.h - what the zmq transport plugin's long-lived client (longclient.c) needs
 * of libexoservice beyond exo/service.h, to run it on another loop: not exported from the
 * library (hidden), compiled into the plugin with it.
 *
 * The fds of exo_svc_fd and exo_svc_monitor_fd are edge-triggered (ZMQ_FD): any zmq call on
 * the socket (a send too) may consume their signal. exo_svc_has_input says whether a poll
 * would find work, and re-arms them when it returns false.
 */
#ifndef EXO_ZMQ_SERVICE_INT_H
#define EXO_ZMQ_SERVICE_INT_H

#include <stdbool.h>

#include <exo/service.h>

/** exo_svc_connect, with at most @p rcv_hwm messages (ZMQ_RCVHWM; exo_svc_connect: 10,000)
 *  received and not yet polled: past it ZeroMQ stops reading the socket and the broker holds
 *  the rest (within its queue-bytes). Whatever their size: memory is this x the largest
 *  message. 0 = the default. */
exo_svc_t *exo_svc_connect_bounded(const exo_svc_options_t *opts, int rcv_hwm,
                                   exo_error_t *err);
/** Read at most @p frames per exo_svc_poll (0: the default, 4096), so that a burst does not
 *  keep the loop from everything else. */
void exo_svc_set_budget(exo_svc_t *svc, unsigned frames);
/** The fd of the socket monitor (reconnections: registration is sent again at once). */
int exo_svc_monitor_fd(const exo_svc_t *svc);
/** True when the bus socket or its monitor has something to read. */
bool exo_svc_has_input(const exo_svc_t *svc);

#endif /* EXO_ZMQ_SERVICE_INT_H */
