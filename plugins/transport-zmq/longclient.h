/*
 * longclient.h - the zmq transport's long-lived client (transport ABI 1.3, exo/transport.h):
 * libexoservice (sdk/service.c, compiled into the plugin like wire.c) driven by the host's
 * loop instead of its own: the DEALER socket's fd watched with host->watch_fd, pings,
 * re-registration and the online state on a host timer. libexoservice already reconnects and
 * registers again after a broker restart; this file only turns its state into callbacks.
 *
 * Threading: the loop thread only (the host's).
 */
#ifndef EXO_ZMQ_LONGCLIENT_H
#define EXO_ZMQ_LONGCLIENT_H

#include <exo/transport.h>

int exo_zlong_open(const exo_host_t *host, const exo_bus_client_spec_t *spec, void **client,
                   exo_error_t *err);
int exo_zlong_post(void *client, const char *name, const char *payload, size_t len,
                   const char *activity, const char *auth, char *activity_out, exo_error_t *err);
bool exo_zlong_online(void *client);
void exo_zlong_close(void *client);

#endif /* EXO_ZMQ_LONGCLIENT_H */
