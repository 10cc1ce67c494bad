/*
 * cli_client.h - the exo CLI's side of the `nats` transport: `exo send` as a transient
 * instance (connects as ROLE~user with the run's user token, publishes to the roles the
 * role's contract names, waits for the first reply on its own instance subjects). The
 * contract comes from the contracts file the broker side wrote (broker.h). `exo tail` and
 * `exo bus status` are not yet there on NATS (docs/bus-nats.md "Observing the bus").
 *
 * Threading: the caller's; blocking. libnats runs its own threads meanwhile.
 */
#ifndef EXO_NATS_CLI_CLIENT_H
#define EXO_NATS_CLI_CLIENT_H

#include <exo/transport.h>

int exo_nclient_send(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                     exo_error_t *err);
int exo_nclient_tail(const exo_host_t *host, const char *control_endpoint,
                     int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err,
                     const char *token);
int exo_nclient_stats(const exo_host_t *host, const char *control_endpoint, json_t **out,
                      exo_error_t *err, const char *token);

#endif /* EXO_NATS_CLI_CLIENT_H */
