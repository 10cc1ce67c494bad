/*
 * broker.h - the `nats` transport's broker side: no broker process of exo's, but the
 * generated nats-server configuration (users and permissions from the routing table), the
 * local nats-server that runs it, the roles' secrets and contracts, and the services'
 * environment (emit_env). docs/bus-nats.md.
 *
 * Threading: the core's loop thread. Ownership: strings returned are the broker's, valid until
 * exo_nbroker_close.
 */
#ifndef EXO_NATS_BROKER_H
#define EXO_NATS_BROKER_H

#include <exo/transport.h>

#define EXO_NATS_DEFAULT_LISTEN "nats://127.0.0.1:0"
#define EXO_NATS_CONTRACTS_FILE "contracts.json"

int exo_nbroker_open(const exo_host_t *host, const exo_bus_spec_t *spec, void **inst,
                     exo_error_t *err);
const char *exo_nbroker_endpoint(void *inst);
const char *exo_nbroker_control_endpoint(void *inst);
int exo_nbroker_set_routes(void *inst, const json_t *routes, exo_error_t *err);
int exo_nbroker_stats(void *inst, json_t **out, exo_error_t *err);
void exo_nbroker_close(void *inst);

int exo_nbusenv_emit(const exo_host_t *host, void *inst, const json_t *config, const char *role,
                     const char *unit_host, unsigned flags, exo_env_t *env, exo_error_t *err);

/** Where the plugin keeps the server's files and the contracts: the app's state directory,
 *  else $EXO_NATS_STATE_DIR (tools without an app), else NULL. */
const char *exo_nbroker_state_dir(const exo_host_t *host);

#endif /* EXO_NATS_BROKER_H */
