/*
 * bus/busclient.c - the core's long-lived bus client over the transport's ABI 1.3 client; see
 * busclient.h. The transport calls back into this file, which forwards to the handler set
 * later (the connection table), and says once why the broker refused the registration.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "busclient.h"

struct exo_busclient {
    const exo_transport_ops_t *ops;
    void *inst;
    char *role;
    exo_busclient_handler_t handler;
    bool refusal_said;
};

/* The broker refused our registration (unknown role, wrong credential): say it once, since
 * the client retries and nothing else tells the user why the frontend stays offline. */
static void say_refusal(exo_busclient_t *c, const exo_bus_msg_t *msg)
{
    if (c->refusal_said || c->ops->client_online(c->inst) || msg->payload == NULL) {
        return;
    }
    json_t *p = json_loadb(msg->payload, msg->payload_len, 0, NULL);
    const char *kind = json_string_value(json_object_get(p, "error"));
    if (kind != NULL && (!strcmp(kind, "not-authorised") || !strcmp(kind, "unknown-role"))) {
        const char *text = json_string_value(json_object_get(p, "message"));
        exo_log(EXO_LOG_ERROR, "the bus refused role '%s' (%s): %s", c->role, kind,
                text != NULL ? text : "no reason given");
        c->refusal_said = true;
    }
    json_decref(p);
}

static void on_message(void *arg, const exo_bus_msg_t *msg)
{
    exo_busclient_t *c = arg;
    if (strcmp(msg->sender, EXO_BUS_ERROR_SENDER) == 0 &&
        strcmp(msg->name, EXO_BUS_ERROR_NAME) == 0) {
        say_refusal(c, msg);
    }
    if (c->handler.on_message != NULL) {
        c->handler.on_message(c->handler.arg, msg);
    }
}

static void on_online(void *arg, bool online)
{
    exo_busclient_t *c = arg;
    if (online) {
        c->refusal_said = false;
    }
    if (c->handler.on_online != NULL) {
        c->handler.on_online(c->handler.arg, online);
    }
}

static exo_busclient_t *open_client(const exo_plugin_t *transport, const char *endpoint,
                                    const char *role, const char *token, const char *label,
                                    bool transient, exo_error_t *err)
{
    const exo_transport_ops_t *ops = transport->desc != NULL ? transport->desc->ops : NULL;
    if (ops == NULL || !EXO_HAS(ops, exo_transport_ops_t, client_close) ||
        ops->client_open == NULL || ops->client_post == NULL || ops->client_online == NULL ||
        ops->client_close == NULL) {
        exo_error_set(err, EXO_ERR_UNSUPPORTED, "the transport plugin '%s' (%s) cannot keep a "
                      "frontend on the bus: it has no long-lived client (transport ABI 1.3); "
                      "update it", transport->name, transport->path);
        return NULL;
    }
    exo_busclient_t *c = exo_xcalloc(1, sizeof *c);
    c->ops = ops;
    c->role = exo_xstrdup(role);
    exo_bus_client_spec_t spec = {
        .size = sizeof spec, .endpoint = endpoint, .role = role, .token = token,
        .label = label, .on_message = on_message, .on_online = on_online, .arg = c,
        .transient = transient,
    };
    if (ops->client_open(transport->host, &spec, &c->inst, err) < 0) {
        free(c->role);
        free(c);
        return NULL;
    }
    return c;
}

exo_busclient_t *exo_busclient_open(const exo_plugin_t *transport, const char *endpoint,
                                    const char *role, const char *token, const char *label,
                                    exo_error_t *err)
{
    return open_client(transport, endpoint, role, token, label, false, err);
}

exo_busclient_t *exo_busclient_open_transient(const exo_plugin_t *transport,
                                              const char *endpoint, const char *role,
                                              const char *token, const char *label,
                                              exo_error_t *err)
{
    return open_client(transport, endpoint, role, token, label, true, err);
}

void exo_busclient_set_handler(exo_busclient_t *c, const exo_busclient_handler_t *handler)
{
    c->handler = handler != NULL ? *handler : (exo_busclient_handler_t){0};
}

int exo_busclient_post(exo_busclient_t *c, const char *name, const char *payload, size_t len,
                       const char *activity, const char *auth, char *activity_out,
                       exo_error_t *err)
{
    return c->ops->client_post(c->inst, name, payload, len, activity, auth, activity_out, err);
}

bool exo_busclient_online(const exo_busclient_t *c)
{
    return c->ops->client_online(c->inst);
}

const char *exo_busclient_role(const exo_busclient_t *c)
{
    return c->role;
}

void exo_busclient_close(exo_busclient_t **c_p)
{
    exo_busclient_t *c = c_p != NULL ? *c_p : NULL;
    if (c == NULL) {
        return;
    }
    c->ops->client_close(c->inst);
    free(c->role);
    free(c);
    *c_p = NULL;
}
