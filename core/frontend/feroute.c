/*
 * frontend/feroute.c - what the bus delivers to a frontend, routed to its connections: a
 * message in an activity a connection started goes to that connection only (with its
 * request id), the broker's refusals become the frontend's errors, the auth step's reply
 * decides a connection, and anything else is a push: to the connections of the user its
 * `auth` names, or to every authorised connection when it has no auth.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "feconn.h"
#include "feconn_int.h"

/* A broker refusal, read from its payload. */
typedef struct refusal {
    json_t *payload;
    const char *kind, *text;
    bool partial; /* no-receiver while other roles got the message: not the end */
} refusal_t;

static void read_refusal(const exo_bus_msg_t *msg, refusal_t *r)
{
    r->payload = msg->payload != NULL ? json_loadb(msg->payload, msg->payload_len, 0, NULL)
                                      : NULL;
    r->kind = json_string_value(json_object_get(r->payload, "error"));
    r->text = json_string_value(json_object_get(r->payload, "message"));
    r->kind = r->kind != NULL ? r->kind : "?";
    r->text = r->text != NULL ? r->text : "the bus gave no reason";
    json_int_t delivered = json_integer_value(json_object_get(r->payload, "delivered"));
    r->partial = strcmp(r->kind, "no-receiver") == 0 && delivered > 0;
}

/* The frontend error a broker refusal (docs/protocol.md "Errors to the sender") is. */
static exo_feconn_error_t error_of(const char *kind)
{
    static const struct {
        const char *kind;
        exo_feconn_error_t error;
    } map[] = {
        {"denied", EXO_FECONN_DENIED},         {"no-receiver", EXO_FECONN_NO_RECEIVER},
        {"too-large", EXO_FECONN_TOO_LARGE},   {"malformed", EXO_FECONN_BAD_REQUEST},
        {"invalid-name", EXO_FECONN_BAD_REQUEST},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(kind, map[i].kind) == 0) {
            return map[i].error;
        }
    }
    return EXO_FECONN_UNAVAILABLE; /* not-registered (a broker restart), anything new */
}

static void on_refusal(exo_feconn_table_t *t, exo_feconn_act_t *a, const exo_bus_msg_t *msg)
{
    refusal_t r;
    read_refusal(msg, &r);
    if (!r.partial) {
        exo_conn_id_t id = a->conn_id;
        char *request = a->request;
        a->request = NULL; /* kept for the delivery below */
        exo_feconn_act_remove(t, a);
        exo_feconn_fail(t, id, request, error_of(r.kind), "%s", r.text);
        free(request);
    }
    json_decref(r.payload);
}

/* The auth step answered: {"user": "ID"} accepts, anything else refuses. */
static void on_auth_reply(exo_feconn_table_t *t, exo_feconn_act_t *a, const exo_bus_msg_t *msg,
                          bool refusal)
{
    refusal_t r = {0};
    if (refusal) {
        read_refusal(msg, &r);
        if (r.partial) {
            json_decref(r.payload);
            return;
        }
    }
    exo_feconn_conn_t *c = exo_feconn_find(t, a->conn_id);
    exo_feconn_act_remove(t, a);
    json_t *p = refusal || msg->payload == NULL
                    ? NULL : json_loadb(msg->payload, msg->payload_len, 0, NULL);
    const char *user = json_string_value(json_object_get(p, "user"));
    if (c == NULL) {
        /* closed meanwhile */
    } else if (user != NULL && user[0] != '\0') {
        exo_feconn_verdict(t, c, user, 0, NULL);
    } else if (refusal && error_of(r.kind) != EXO_FECONN_DENIED) {
        exo_buf_t why = {0};
        exo_buf_printf(&why, "the auth step '%s' is not available (%s): %s", t->s.auth_ask,
                       r.kind, r.text);
        exo_feconn_verdict(t, c, NULL, EXO_FECONN_UNAVAILABLE, why.data);
        exo_buf_free(&why);
    } else {
        exo_feconn_verdict(t, c, NULL, EXO_FECONN_NOT_AUTHORISED, refusal
                           ? "the frontend may not ask the auth step: its role does not "
                             "declare it in sends" : "the credential was not accepted");
    }
    json_decref(p);
    json_decref(r.payload);
}

static void on_reply(exo_feconn_table_t *t, exo_feconn_act_t *a, const exo_bus_msg_t *msg)
{
    if (a->request == NULL) {
        return; /* a send without a request hears only of failures */
    }
    exo_feconn_act_answered(a);
    char request[EXO_FECONN_REQUEST_MAX + 1];
    snprintf(request, sizeof request, "%s", a->request);
    exo_frontend_msg_t m = {
        .size = sizeof m, .name = msg->name, .payload = msg->payload,
        .payload_len = msg->payload_len, .activity = msg->activity, .request = request,
    };
    exo_feconn_deliver(t, a->conn_id, &m);
}

/* A message outside every activity a connection started. */
static void push(exo_feconn_table_t *t, const exo_bus_msg_t *msg)
{
    json_t *auth = msg->auth != NULL ? json_loads(msg->auth, JSON_DECODE_ANY, NULL) : NULL;
    const char *user = json_string_value(json_object_get(auth, "user"));
    if (t->ops == NULL || t->ops->deliver == NULL || (msg->auth != NULL && user == NULL)) {
        json_decref(auth); /* an auth that names no user reaches nobody */
        return;
    }
    exo_frontend_msg_t m = {
        .size = sizeof m, .name = msg->name, .payload = msg->payload,
        .payload_len = msg->payload_len, .activity = msg->activity,
    };
    t->busy++;
    for (exo_feconn_conn_t *c = t->conns; c != NULL; c = c->next) {
        if (c->dead || c->state != EXO_FECONN_OPEN ||
            (user != NULL && (c->user == NULL || strcmp(c->user, user) != 0))) {
            continue;
        }
        t->ops->deliver(t->inst, c->id, &m);
        if (t->ops == NULL) {
            break;
        }
    }
    exo_feconn_unbusy(t);
    json_decref(auth);
}

void exo_feconn_on_message(void *arg, const exo_bus_msg_t *msg)
{
    exo_feconn_table_t *t = arg;
    bool refusal = strcmp(msg->sender, EXO_BUS_ERROR_SENDER) == 0 &&
                   strcmp(msg->name, EXO_BUS_ERROR_NAME) == 0;
    exo_feconn_act_t *a = exo_feconn_act_find(t, msg->activity);
    if (a == NULL) {
        /* A connection's activity that ended (a late reply, a refusal after the timeout)
         * reaches nobody: never another connection. */
        if (!refusal && !exo_feconn_act_ours(t, msg->activity)) {
            push(t, msg);
        }
    } else if (a->is_auth) {
        on_auth_reply(t, a, msg, refusal);
    } else if (refusal) {
        on_refusal(t, a, msg);
    } else {
        on_reply(t, a, msg);
    }
}
