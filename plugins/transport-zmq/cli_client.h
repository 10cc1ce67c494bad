/*
 * cli_client.h - the exo CLI's side of the bus (cli_client.c): one-shot send (`exo send`), tail
 * (`exo tail`) and stats, talking to a running broker, as the ops table in plugin.c exposes them.
 * Not a service client: services use libexoservice (sdk/) or the Python client.
 *
 * Each call blocks its caller (the CLI has nothing else to do) and uses its own zmq context.
 */
#ifndef EXO_ZMQ_CLI_CLIENT_H
#define EXO_ZMQ_CLI_CLIENT_H

#include <exo/transport.h>

int exo_zclient_send(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                     exo_error_t *err);
int exo_zclient_tail(const exo_host_t *host, const char *control_endpoint,
                     int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err,
                     const char *token);
int exo_zclient_stats(const exo_host_t *host, const char *control_endpoint, json_t **out,
                      exo_error_t *err, const char *token);

#endif /* EXO_ZMQ_CLI_CLIENT_H */
