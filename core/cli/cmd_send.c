/* core/cli/cmd_send.c - `exo send NAME [JSON|-|@FILE] --as ROLE [--app DIR] [--wait]
 * [--timeout MS]`: send one message into a running app as a transient instance of ROLE. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "commands.h"
#include "base/log.h"
#include "base/util.h"
#include "payload.h"
#include "roles.h"

typedef struct send_opts {
    const char *app, *as, *timeout;
    bool wait;
} send_opts_t;

static int run(void *opts, const exo_strv_t *args)
{
    const send_opts_t *o = opts;
    const char *app_dir = o->app, *role = o->as;
    const char *name = args->n > 0 ? args->v[0] : NULL, *json = args->n > 1 ? args->v[1] : NULL;
    bool wait = o->wait;
    unsigned long timeout = 5000;
    if (o->timeout != NULL) {
        char *end;
        timeout = strtoul(o->timeout, &end, 10);
        if (*end != '\0' || o->timeout[0] == '-' || timeout == 0 || timeout > 86400000) {
            return exo_cli_usage_error("send", "--timeout takes milliseconds (1..86400000), "
                                       "not '%s'", o->timeout);
        }
    }
    if (name == NULL) {
        return exo_cli_usage_error("send", "missing the message NAME");
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        return code;
    }
    /* After the app: its bus.max-message-size bounds the payload. */
    json_t *payload = NULL;
    if (json != NULL && (code = exo_cli_payload("send", json, app->bus_max_message_size,
                                                &payload)) != EXO_EXIT_OK) {
        exo_app_destroy(&app);
        return code;
    }
    exo_cli_bus_t bus = {0};
    exo_error_t err = {0};
    exo_strv_t roles = {0};
    exo_strv_push(&roles, role);
    bool known = exo_roles_roles(app, "send", &roles, false);
    exo_strv_free(&roles);
    if (!known) {
        code = EXO_EXIT_USER;
        goto out;
    }
    if ((code = exo_cli_bus_open(app, &bus)) != EXO_EXIT_OK) {
        goto out;
    }
    const exo_transport_ops_t *ops = bus.transport->desc->ops;
    exo_bus_send_t req = {
        .size = sizeof req, .endpoint = bus.endpoint, .role = role, .name = name,
        .payload = payload, .wait = wait, .timeout_ms = (unsigned)timeout, .token = bus.token,
    };
    json_t *reply = NULL;
    if (ops->client_send(bus.transport->host, &req, &reply, &err) < 0) {
        exo_error("%s", err.message);
        code = EXO_EXIT_USER;
    } else if (reply != NULL) {
        char *text = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text != NULL) {
            puts(text);
        }
        free(text);
        json_decref(reply);
    }
out:
    exo_cli_bus_close(&bus);
    json_decref(payload);
    exo_app_destroy(&app);
    return code;
}

static const exo_option_t options[] = {
    EXO_OPTION("as", 0, EXO_OPT_VALUE, "ROLE", send_opts_t, as, EXO_OPT_REQUIRED,
               "the role to send as"),
    EXO_OPTION("app", 0, EXO_OPT_VALUE, "DIR", send_opts_t, app, 0,
               "the app directory (default: the nearest application.yml at or above)"),
    EXO_OPTION("wait", 0, EXO_OPT_FLAG, NULL, send_opts_t, wait, 0,
               "wait for the first reply in the activity and print it as JSON:\n"
               "{\"name\", \"id\", \"activity\", \"sender\", \"auth\", \"payload\"}"),
    EXO_OPTION("timeout", 0, EXO_OPT_VALUE, "MS", send_opts_t, timeout, 0,
               "how long --wait waits (default 5000)"),
    EXO_OPTIONS_END,
};

const exo_command_t exo_cmd_send = {
    .name = "send",
    .summary = "send one message into a running app",
    .args = "NAME [JSON | - | @FILE]",
    .max_args = 2,
    .description =
        "Sends message NAME with the optional JSON payload as role ROLE to the app's running\n"
        "broker (exo run or exo bus). ROLE's messages.sends still apply: an undeclared NAME is\n"
        "denied. The command joins as a transient instance of ROLE, which never takes a share of\n"
        "the role's load-balanced traffic, only replies in its own activity.\n"
        "The payload is the JSON argument itself, - (read standard input to its end) or @FILE\n"
        "(read FILE): the last two for payloads beyond the shell's argument limit (128 KiB).\n"
        "Whatever its source, it must be one JSON value within the bus's max message size\n"
        "(bus.max-message-size, default 1 MiB) once compacted.",
    .options = options,
    .opts_size = sizeof(send_opts_t),
    .epilog = "Examples: exo send --as web users.list '{\"page\": 1}' --wait\n"
              "          exo send --as web users.import @users.json\n"
              "          generate-users | exo send --as web users.import -\n\n"
              "Exit status: 0 sent (and, with --wait, a reply printed), 1 no broker running, "
              "denied,\nno receiver, invalid payload or no reply within the timeout, 2 internal "
              "error.",
    .run = run,
};
