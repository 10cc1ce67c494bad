/* core/dashboard/dashcmd.c - the commands a dashboard page sends (docs/dashboard.md
 * "Protocol"), each answered by one reply or one error, and dash.send: a message as a role
 * through a transient bus client with the run's user token, as `exo send --as ROLE`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dashserve_int.h"

#define SEND_WAIT_MS 1500u  /* how long dash.send waits for a reply after its message went */

/* ---- dash.send ---- */

static void pending_free(dash_pending_t *p)
{
    if (p->timer > 0) {
        exo_loop_timer_cancel(p->d->loop, p->timer);
    }
    free(p->request);
    free(p->name);
    free(p->payload);
    free(p);
}

static void pending_unlink(exo_dashserve_t *d, dash_pending_t *p)
{
    for (dash_pending_t **pp = &d->pending; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

/* Answer the send with its result and forget it. */
static void settle(dash_pending_t *p, const char *outcome, json_t *reply, json_t *error)
{
    exo_dashserve_t *d = p->d;
    pending_unlink(d, p);
    json_t *j = json_pack("{s:s,s:s,s:o,s:o}", "activity", p->activity, "outcome", outcome,
                          "reply", reply ? reply : json_null(), "error",
                          error ? error : json_null());
    exo_dash_deliver(d, p->conn, p->request, "dash.sent", j);
    pending_free(p);
}

static void on_wait_over(void *arg)
{
    dash_pending_t *p = arg;
    p->timer = 0;
    if (p->activity[0] == '\0') {
        settle(p, "unavailable", NULL, json_pack("{s:s,s:s}", "error", "unavailable", "message",
                                                 "the role's bus client did not come online"));
        return;
    }
    settle(p, p->outcome != NULL ? p->outcome : "delivered", NULL, NULL);
}

static void post(dash_pending_t *p)
{
    exo_error_t err = {0};
    const char *payload = p->payload;
    if (exo_busclient_post(p->sender->client, p->name, payload,
                           payload != NULL ? strlen(payload) : 0, NULL, NULL, p->activity,
                           &err) < 0) {
        p->activity[0] = '\0';
        exo_loop_timer_cancel(p->d->loop, p->timer);
        p->timer = 0;
        settle(p, "unavailable", NULL, json_pack("{s:s,s:s}", "error", "unavailable",
                                                 "message", err.message));
        return;
    }
    free(p->payload);
    p->payload = NULL;
}

static dash_pending_t *pending_of_activity(exo_dashserve_t *d, const char *activity)
{
    for (dash_pending_t *p = d->pending; p != NULL && activity != NULL; p = p->next) {
        if (p->activity[0] != '\0' && strcmp(p->activity, activity) == 0) {
            return p;
        }
    }
    return NULL;
}

static void on_client_message(void *arg, const exo_bus_msg_t *msg)
{
    dash_sender_t *sd = arg;
    dash_pending_t *p = pending_of_activity(sd->d, msg->activity);
    if (p == NULL) {
        return;
    }
    json_t *payload = msg->payload != NULL
                          ? json_loadb(msg->payload, msg->payload_len, JSON_DECODE_ANY, NULL)
                          : NULL;
    if (strcmp(msg->name, EXO_BUS_ERROR_NAME) == 0 && strcmp(msg->sender,
                                                             EXO_BUS_ERROR_SENDER) == 0) {
        const char *kind = json_string_value(json_object_get(payload, "error"));
        json_t *error = json_pack("{s:s,s:O}", "error", kind ? kind : "error", "message",
                                  json_object_get(payload, "message") ? json_object_get(
                                      payload, "message") : json_null());
        char *outcome = exo_xstrdup(kind ? kind : "error");
        json_decref(payload);
        settle(p, outcome, NULL, error);
        free(outcome);
        return;
    }
    json_t *reply = json_pack("{s:s,s:o}", "name", msg->name, "payload",
                              payload ? payload : json_null());
    settle(p, "delivered", reply, NULL);
}

static void on_client_online(void *arg, bool online)
{
    dash_sender_t *sd = arg;
    if (!online) {
        return;
    }
    for (dash_pending_t *p = sd->d->pending, *next; p != NULL; p = next) {
        next = p->next;
        if (p->sender == sd && p->activity[0] == '\0') {
            post(p);
        }
    }
}

static dash_sender_t *sender_get(exo_dashserve_t *d, const char *role, exo_error_t *err)
{
    for (size_t i = 0; i < d->n_senders; i++) {
        if (strcmp(d->senders[i]->role, role) == 0) {
            return d->senders[i];
        }
    }
    exo_busclient_t *c = exo_session_client_open(d->s, role, err);
    if (c == NULL) {
        return NULL;
    }
    dash_sender_t *sd = exo_xcalloc(1, sizeof *sd);
    *sd = (dash_sender_t){.d = d, .role = exo_xstrdup(role), .client = c};
    exo_busclient_handler_t h = {.on_message = on_client_message,
                                 .on_online = on_client_online, .arg = sd};
    exo_busclient_set_handler(c, &h);
    d->senders = exo_xrealloc(d->senders, (d->n_senders + 1) * sizeof *d->senders);
    d->senders[d->n_senders++] = sd;
    return sd;
}

static void cmd_send(exo_dashserve_t *d, exo_conn_id_t conn, const json_t *args,
                     const char *request)
{
    const char *role = json_string_value(json_object_get(args, "role"));
    const char *name = json_string_value(json_object_get(args, "name"));
    const json_t *payload = json_object_get(args, "payload");
    if (role == NULL || name == NULL || name[0] == '\0') {
        exo_dash_error(d, conn, request, "bad-request", "dash.send needs {\"role\": ROLE, "
                       "\"name\": NAME, \"payload\": JSON (optional)}");
        return;
    }
    exo_error_t err = {0};
    dash_sender_t *sd = sender_get(d, role, &err);
    if (sd == NULL) {
        exo_dash_error(d, conn, request, "bad-request", "cannot send as %s: %s", role,
                       err.message);
        return;
    }
    dash_pending_t *p = exo_xcalloc(1, sizeof *p);
    *p = (dash_pending_t){.d = d, .conn = conn, .request = exo_xstrdup(request),
                          .sender = sd, .name = exo_xstrdup(name), .next = d->pending};
    if (payload != NULL && !json_is_null(payload)) {
        p->payload = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
    }
    d->pending = p;
    p->timer = exo_loop_timer(d->loop, SEND_WAIT_MS, false, on_wait_over, p);
    if (exo_busclient_online(sd->client)) {
        post(p);
    }
}

void exo_dash_sends_traced(exo_dashserve_t *d, const exo_bus_trace_t *t)
{
    if (d->pending == NULL || !EXO_HAS(t, exo_bus_trace_t, payload_len)) {
        return;
    }
    dash_pending_t *p = pending_of_activity(d, t->activity);
    if (p != NULL && p->outcome == NULL && t->outcome != NULL &&
        strcmp(t->sender, p->sender->role) == 0) {
        static const char *const names[] = {"delivered", "denied", "no-receiver", "dropped"};
        for (size_t i = 0; i < 4; i++) {
            if (strcmp(t->outcome, names[i]) == 0) {
                p->outcome = names[i];
            }
        }
    }
}

void exo_dash_sends_forget(exo_dashserve_t *d, exo_conn_id_t conn)
{
    for (dash_pending_t *p = d->pending, *next; p != NULL; p = next) {
        next = p->next;
        if (p->conn == conn) {
            pending_unlink(d, p);
            pending_free(p);
        }
    }
}

void exo_dash_sends_close(exo_dashserve_t *d)
{
    while (d->pending != NULL) {
        dash_pending_t *p = d->pending;
        d->pending = p->next;
        pending_free(p);
    }
    for (size_t i = 0; i < d->n_senders; i++) {
        exo_busclient_close(&d->senders[i]->client);
        free(d->senders[i]->role);
        free(d->senders[i]);
    }
    free(d->senders);
    d->senders = NULL;
    d->n_senders = 0;
}

/* ---- the other commands ---- */

static void cmd_control(exo_dashserve_t *d, exo_conn_id_t conn, const char *name,
                        const json_t *args, const char *request)
{
    const char *unit = json_string_value(json_object_get(args, "unit"));
    if (unit == NULL) {
        exo_dash_error(d, conn, request, "bad-request", "%s needs {\"unit\": NAME}", name);
        return;
    }
    exo_session_control_t what = strcmp(name, "dash.stop") == 0 ? EXO_SESSION_STOP
                                 : strcmp(name, "dash.start") == 0 ? EXO_SESSION_START
                                 : EXO_SESSION_RESTART;
    exo_error_t err = {0};
    if (exo_session_control(d->s, unit, what, &err) < 0) {
        exo_dash_error(d, conn, request, "bad-request", "%s", err.message);
        return;
    }
    static const char *const heading[] = {"stopped", "starting", "restarting"};
    exo_dash_deliver(d, conn, request, "dash.done",
                     json_pack("{s:s,s:s}", "unit", unit, "state", heading[what]));
}

static void cmd_payload(exo_dashserve_t *d, exo_conn_id_t conn, const json_t *args,
                        const char *request)
{
    const json_t *seq = json_object_get(args, "seq");
    if (!json_is_integer(seq)) {
        exo_dash_error(d, conn, request, "bad-request", "dash.payload needs {\"seq\": N}");
        return;
    }
    json_t *j = exo_dashstate_payload(d->ds, json_integer_value(seq));
    if (j == NULL) {
        exo_dash_error(d, conn, request, "bad-request", "message %lld is no longer kept (the "
                       "dashboard keeps the last %u messages)",
                       (long long)json_integer_value(seq), EXO_DASH_MESSAGES);
        return;
    }
    exo_dash_deliver(d, conn, request, "dash.payload", j);
}

static void cmd_activity(exo_dashserve_t *d, exo_conn_id_t conn, const json_t *args,
                         const char *request)
{
    const char *activity = json_string_value(json_object_get(args, "activity"));
    if (activity == NULL) {
        exo_dash_error(d, conn, request, "bad-request", "dash.activity needs {\"activity\": "
                       "ID}");
        return;
    }
    exo_dash_deliver(d, conn, request, "dash.activity", exo_dashstate_activity(d->ds,
                                                                               activity));
}

static void cmd_hello(exo_dashserve_t *d, exo_conn_id_t conn, const char *request)
{
    /* Pending changes go to every page first: this one gets them in its snapshot, and the
     * next push carries only what is newer. */
    exo_dash_push_now(d);
    exo_dash_refresh_units(d);
    exo_dash_deliver(d, conn, request, "dash.snapshot", exo_dashstate_snapshot(d->ds));
}

void exo_dash_command(exo_dashserve_t *d, exo_conn_id_t conn, const char *name,
                      const char *payload, size_t len, const char *request)
{
    if (request == NULL) {
        exo_dash_error(d, conn, NULL, "bad-request", "%s: a dashboard command needs an id "
                       "(exo.v1 \"id\"): its answer carries it as \"re\"", name);
        return;
    }
    json_t *args = payload != NULL && len > 0 ? json_loadb(payload, len, 0, NULL)
                                              : json_object();
    if (!json_is_object(args)) {
        exo_dash_error(d, conn, request, "bad-request", "%s: the payload must be a JSON object",
                       name);
    } else if (strcmp(name, "dash.hello") == 0) {
        cmd_hello(d, conn, request);
    } else if (strcmp(name, "dash.send") == 0) {
        cmd_send(d, conn, args, request);
    } else if (strcmp(name, "dash.stop") == 0 || strcmp(name, "dash.start") == 0 ||
               strcmp(name, "dash.restart") == 0) {
        cmd_control(d, conn, name, args, request);
    } else if (strcmp(name, "dash.activity") == 0) {
        cmd_activity(d, conn, args, request);
    } else if (strcmp(name, "dash.payload") == 0) {
        cmd_payload(d, conn, args, request);
    } else {
        exo_dash_error(d, conn, request, "bad-request", "no dashboard command '%s' (commands: "
                       "dash.hello, dash.send, dash.stop, dash.start, dash.restart, "
                       "dash.activity, dash.payload)", name);
    }
    json_decref(args);
}
