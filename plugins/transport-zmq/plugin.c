/* plugin.c - the `zmq` transport plugin: descriptor, settings and ops table (docs/bus.md). */
#include "config.h"

#include <exo/transport.h>

#include "broker.h"
#include "busenv.h"
#include "cli_client.h"
#include "longclient.h"

/* The app's `bus:` section, besides the core's own keys (transport, max-message-size). */
static const exo_config_key_t config[] = {
    {"listen", EXO_CONFIG_STRING, EXO_BUS_DEFAULT_LISTEN,
     "endpoint the broker binds (tcp://HOST:PORT; port 0 = any free port)", 0},
    {"queue-bytes", EXO_CONFIG_SIZE, EXO_BUS_DEFAULT_QUEUE_TEXT,
     "bytes queued for one slow service before the broker drops its messages", 0},
    {NULL, 0, NULL, NULL, 0},
};

static const exo_transport_ops_t ops = {
    .size = sizeof(exo_transport_ops_t),
    .broker_open = exo_zbroker_open,
    .broker_endpoint = exo_zbroker_endpoint,
    .broker_control_endpoint = exo_zbroker_control_endpoint,
    .broker_set_routes = exo_zbroker_set_routes,
    .broker_stats = exo_zbroker_stats,
    .broker_close = exo_zbroker_close,
    .client_send = exo_zclient_send,
    .client_tail = exo_zclient_tail,
    .client_stats = exo_zclient_stats,
    .emit_env = exo_zbusenv_emit,
    .client_open = exo_zlong_open,
    .client_post = exo_zlong_post,
    .client_online = exo_zlong_online,
    .client_close = exo_zlong_close,
};

EXO_TRANSPORT_PLUGIN_CONFIG("zmq", PACKAGE_VERSION, "message bus over ZeroMQ: broker and CLI "
                            "client", EXO_CAP_NONE, NULL, NULL, &ops, config, "bus")
