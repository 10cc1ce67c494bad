/*
 * broker.h - the zmq broker (broker.c) and the CLI client side (client.c) of the transport
 * plugin, as the ops table in plugin.c exposes them. Internal to the plugin.
 *
 * Threading: everything runs on the host's loop thread (see exo/plugin.h).
 */
#ifndef EXO_ZMQ_BROKER_H
#define EXO_ZMQ_BROKER_H

#include <exo/transport.h>

/* Wire names of the broker's own messages and errors (docs/protocol.md). */
#define EXO_BUS_ERROR_NAME "exo.error"
#define EXO_BUS_SENDER "exo"
#define EXO_BUS_DEFAULT_MAX (1024u * 1024u)
#define EXO_BUS_INSTANCE_TIMEOUT_MS 3500u
#define EXO_BUS_TAIL_TIMEOUT_MS 5000u

int exo_zbroker_open(const exo_host_t *host, const exo_bus_spec_t *spec, void **inst,
                     exo_error_t *err);
const char *exo_zbroker_endpoint(void *inst);
const char *exo_zbroker_control_endpoint(void *inst);
int exo_zbroker_set_routes(void *inst, const json_t *routes, exo_error_t *err);
int exo_zbroker_stats(void *inst, json_t **out, exo_error_t *err);
void exo_zbroker_close(void *inst);

int exo_zclient_send(const exo_host_t *host, const exo_bus_send_t *req, json_t **reply,
                     exo_error_t *err);
int exo_zclient_tail(const exo_host_t *host, const char *control_endpoint,
                     int (*fn)(void *arg, const json_t *event), void *arg, exo_error_t *err);
int exo_zclient_stats(const exo_host_t *host, const char *control_endpoint, json_t **out,
                      exo_error_t *err);

#endif /* EXO_ZMQ_BROKER_H */
