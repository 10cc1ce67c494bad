/*
 * broker.h - the zmq broker (broker.c) of the transport plugin, as the ops table in plugin.c
 * exposes it. Internal to the plugin.
 *
 * Threading: everything runs on the host's loop thread (see exo/plugin.h).
 */
#ifndef EXO_ZMQ_BROKER_H
#define EXO_ZMQ_BROKER_H

#include <exo/transport.h>

#define EXO_BUS_DEFAULT_MAX (1024u * 1024u)
#define EXO_BUS_INSTANCE_TIMEOUT_MS 3500u
#define EXO_BUS_TAIL_TIMEOUT_MS 5000u
#define EXO_BUS_DEFAULT_LISTEN "tcp://127.0.0.1:0"
/* Bytes queued for one service connection before the broker waits, then drops (bus key
 * queue-bytes); a tail client's budget; the largest payload a tail event shows. */
#define EXO_BUS_DEFAULT_QUEUE_BYTES (8u * 1024u * 1024u)
#define EXO_BUS_DEFAULT_QUEUE_TEXT "8m"
#define EXO_BUS_TAIL_QUEUE_BYTES (4u * 1024u * 1024u)
#define EXO_BUS_EVENT_PAYLOAD_MAX (16u * 1024u)

int exo_zbroker_open(const exo_host_t *host, const exo_bus_spec_t *spec, void **inst,
                     exo_error_t *err);
const char *exo_zbroker_endpoint(void *inst);
const char *exo_zbroker_control_endpoint(void *inst);
/** The secret a unit of @p role registers with (drawn at the first call); NULL when the
 *  kernel gives no randomness. Instance-owned. */
const char *exo_zbroker_role_secret(void *inst, const char *role);
int exo_zbroker_set_routes(void *inst, const json_t *routes, exo_error_t *err);
int exo_zbroker_stats(void *inst, json_t **out, exo_error_t *err);
void exo_zbroker_close(void *inst);

/** `queue-bytes` of the bus section (a number of bytes or "512k", "8m", "1g"), or the default;
 *  0 when the value cannot be read. */
size_t exo_zbroker_config_queue_bytes(const exo_host_t *host, const json_t *config);

/** `listen` of the bus section (@p config, may be NULL), or NULL when it has none. Borrowed. */
const char *exo_zbroker_config_listen(const exo_host_t *host, const json_t *config);

#endif /* EXO_ZMQ_BROKER_H */
