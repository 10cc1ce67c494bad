/* core/cli/cmd_send.c - `exo send [--app DIR] --as ROLE NAME [JSON] [--wait] [--timeout MS]`:
 * send one message into a running app as a transient instance of ROLE. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "cli.h"
#include "base/log.h"
#include "base/util.h"

int exo_cmd_send(int argc, char **argv);

int exo_cmd_send(int argc, char **argv)
{
    const char *app_dir = NULL, *role = NULL, *name = NULL, *json = NULL;
    bool wait = false;
    unsigned long timeout = 5000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--app") == 0 || strcmp(a, "--as") == 0 || strcmp(a, "--timeout") == 0) {
            if (i + 1 >= argc) {
                return exo_cli_usage_error("send", "%s needs a value", a);
            }
            const char *v = argv[++i];
            if (a[2] == 'a' && a[3] == 'p') {
                app_dir = v;
            } else if (a[2] == 'a') {
                role = v;
            } else {
                char *end;
                timeout = strtoul(v, &end, 10);
                if (*end != '\0' || timeout == 0 || timeout > 86400000) {
                    return exo_cli_usage_error("send", "--timeout takes milliseconds "
                                               "(1..86400000), not '%s'", v);
                }
            }
        } else if (strncmp(a, "--app=", 6) == 0) {
            app_dir = a + 6;
        } else if (strncmp(a, "--as=", 5) == 0) {
            role = a + 5;
        } else if (strcmp(a, "--wait") == 0) {
            wait = true;
        } else if (a[0] == '-' && a[1] == '-') {
            return exo_cli_usage_error("send", "unknown option '%s'", a);
        } else if (name == NULL) {
            name = a;
        } else if (json == NULL) {
            json = a;
        } else {
            return exo_cli_usage_error("send", "unexpected argument '%s'", a);
        }
    }
    if (role == NULL) {
        return exo_cli_usage_error("send", "say which role sends the message with --as ROLE");
    }
    if (name == NULL) {
        return exo_cli_usage_error("send", "missing the message NAME");
    }
    json_t *payload = NULL;
    if (json != NULL) {
        json_error_t jerr;
        payload = json_loads(json, JSON_DECODE_ANY, &jerr);
        if (payload == NULL) {
            return exo_cli_usage_error("send", "the payload is not valid JSON (column %d: %s); "
                                       "quote it for the shell, e.g. '{\"id\": 1}'",
                                       jerr.column, jerr.text);
        }
    }
    int code = EXO_EXIT_OK;
    exo_app_t *app = exo_cli_load_app(app_dir, &code);
    if (app == NULL) {
        json_decref(payload);
        return code;
    }
    exo_registry_t *reg = NULL;
    char *endpoint = NULL, *control = NULL;
    exo_error_t err = {0};
    if (exo_app_service(app, role) == NULL) {
        const char *names[256];
        size_t n = 0;
        for (size_t i = 0; i < app->n_services && n < 256; i++) {
            names[n++] = app->services[i].role;
        }
        const char *close = exo_closest(role, names, n);
        exo_error("app %s has no role '%s'%s%s%s", app->name, role,
                  close ? "; did you mean '" : "", close ? close : "", close ? "'?" : "");
        code = EXO_EXIT_USER;
        goto out;
    }
    if (exo_bus_find(app, &endpoint, &control, &err) < 0) {
        exo_error("%s", err.message);
        code = EXO_EXIT_USER;
        goto out;
    }
    reg = exo_registry_load_kinds(app->dir, NULL, EXO_KIND_BIT(EXO_KIND_TRANSPORT));
    const exo_plugin_t *p = exo_bus_transport(reg, &err);
    if (p == NULL) {
        exo_error("%s", err.message);
        code = EXO_EXIT_INTERNAL;
        goto out;
    }
    const exo_transport_ops_t *ops = p->desc->ops;
    exo_bus_send_t req = {
        .size = sizeof req, .endpoint = endpoint, .role = role, .name = name,
        .payload = payload, .wait = wait, .timeout_ms = (unsigned)timeout,
    };
    json_t *reply = NULL;
    if (ops->client_send(p->host, &req, &reply, &err) < 0) {
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
    free(endpoint);
    free(control);
    json_decref(payload);
    exo_registry_destroy(&reg);
    exo_app_destroy(&app);
    return code;
}
