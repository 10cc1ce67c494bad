/* plugin.c - the `nats` transport plugin: descriptor, settings and ops table
 * (docs/bus-nats.md). The long-lived client (ABI 1.3) is not there yet: the core then puts no
 * frontend on a NATS bus. */
#include "config.h"

#include <stddef.h>

#include <exo/transport.h>
#include <nats/nats.h>

#include "broker.h"
#include "cli_client.h"

/* The app's `bus:` section, besides the core's own keys (transport, max-message-size). */
static const exo_config_key_t config[] = {
    {"listen", EXO_CONFIG_STRING, EXO_NATS_DEFAULT_LISTEN,
     "where the local nats-server listens (nats://HOST:PORT; port 0 = any free port)", 0},
    {NULL, 0, NULL, NULL, 0},
};

/* Up to emit_env (ABI 1.2): a transport has the four long-lived client ops or none. */
static const exo_transport_ops_t ops = {
    .size = offsetof(exo_transport_ops_t, client_open),
    .broker_open = exo_nbroker_open,
    .broker_endpoint = exo_nbroker_endpoint,
    .broker_control_endpoint = exo_nbroker_control_endpoint,
    .broker_set_routes = exo_nbroker_set_routes,
    .broker_stats = exo_nbroker_stats,
    .broker_close = exo_nbroker_close,
    .client_send = exo_nclient_send,
    .client_tail = exo_nclient_tail,
    .client_stats = exo_nclient_stats,
    .emit_env = exo_nbusenv_emit,
};

/* libnats runs threads of its own (timers, a connection's reader and flusher) that outlive
 * natsConnection_Destroy: unloading the plugin (and libnats with it) while one still runs
 * crashed `busd send` about once in 15 runs. The ABI asks fini to join every thread. */
static void nats_plugin_fini(void)
{
    nats_CloseAndWait(10000);
}

EXO_TRANSPORT_PLUGIN_CONFIG("nats", PACKAGE_VERSION, "message bus on a NATS server: generated "
                            "permissions, a local nats-server, the CLI client", EXO_CAP_NONE,
                            NULL, nats_plugin_fini, &ops, config, "bus")
