/* main.c - todos on the bus: checks each request (handlers.c), runs it against Postgres
 * (store.c), replies in the request's activity, and announces every change to all browsers
 * with a push: a message sent in a new activity without auth, which the `web` frontend hands
 * to every connection (todo.added, todo.removed, todo.cleared). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/service.h>

#include "handlers.h"
#include "store.h"

static exo_svc_t *svc;
static todo_store_t *store;

static void on_signal(int sig)
{
    (void)sig;
    exo_svc_stop(svc); /* async-signal-safe: exo_svc_run returns, we close cleanly */
}

static void reply(const exo_svc_msg_t *msg, const char *name, json_t *payload)
{
    exo_error_t err = {0};
    if (exo_svc_reply(svc, msg, name, payload, &err) != 0) {
        fprintf(stderr, "todos: cannot reply %s: %s\n", name, err.message);
    }
    json_decref(payload);
}

/* A push: a new activity without auth reaches every browser connected to `web`. */
static void push(const char *name, json_t *payload)
{
    char *json = json_dumps(payload, JSON_COMPACT);
    exo_error_t err = {0};
    if (json == NULL ||
        exo_svc_send_ex(svc, name, json, strlen(json), NULL, NULL, &err) != 0) {
        fprintf(stderr, "todos: cannot push %s: %s\n", name, json ? err.message : "no memory");
    }
    free(json);
    json_decref(payload);
}

/* Run @p req; the database's own words go to the log, browsers get a plain refusal. */
static void run_request(const exo_svc_msg_t *msg, const todo_request_t *req)
{
    char *err = NULL;
    json_t *result = NULL;
    long long n = 0;
    switch (req->op) {
    case TODO_LIST:
        if ((result = store_list(store, &err)) != NULL) {
            reply(msg, "todo.listed", json_pack("{s:o}", "items", result));
        }
        break;
    case TODO_CREATE:
        if ((result = store_add(store, req->text, &err)) != NULL) {
            printf("added item %lld for %s\n",
                   (long long)json_integer_value(json_object_get(result, "id")), msg->sender);
            reply(msg, "todo.created", json_pack("{s:O}", "item", result));
            push("todo.added", json_pack("{s:o}", "item", result));
        }
        break;
    case TODO_DELETE:
        if ((n = store_delete(store, req->id, &err)) >= 0) {
            reply(msg, "todo.deleted", json_pack("{s:I, s:b}", "id", (json_int_t)req->id,
                                                 "deleted", n > 0));
            if (n > 0) {
                push("todo.removed", json_pack("{s:I}", "id", (json_int_t)req->id));
            }
        }
        break;
    case TODO_CLEAR:
        if ((n = store_clear(store, &err)) >= 0) {
            reply(msg, "todo.cleared", json_pack("{s:I}", "count", (json_int_t)n));
            push("todo.cleared", json_pack("{s:I}", "count", (json_int_t)n));
        }
        break;
    }
    if (err != NULL) {
        fprintf(stderr, "todos: %s: %s\n", msg->name, err);
        reply(msg, "todo.refused", todo_refusal("the list is not available right now"));
        free(err);
    }
}

static void on_message(exo_svc_t *s, const exo_svc_msg_t *msg, void *arg)
{
    (void)s;
    (void)arg;
    json_t *payload = exo_svc_msg_json(msg);
    todo_request_t req;
    const char *why = NULL;
    int rc = todo_parse(msg->name, payload, &req, &why);
    json_decref(payload);
    if (rc == 0) {
        run_request(msg, &req);
        todo_request_free(&req);
    } else if (rc < 0) {
        reply(msg, "todo.refused", todo_refusal(why));
    } else {
        fprintf(stderr, "todos: no handler for '%s'\n", msg->name);
    }
}

/* The broker's refusals, e.g. a push while no browser page is open: worth a line, no more. */
static void on_bus_error(exo_svc_t *s, const exo_svc_msg_t *msg, void *arg)
{
    (void)s;
    (void)arg;
    fprintf(stderr, "todos: the bus says: %.*s\n", (int)msg->payload_len,
            msg->payload ? msg->payload : "");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *err = NULL;
    store = store_open(getenv("DB_URL"), &err);
    if (store == NULL) {
        fprintf(stderr, "todos: %s\n", err);
        free(err);
        return 1;
    }
    exo_error_t bus_err = {0};
    svc = exo_svc_connect(NULL, &bus_err); /* prints "todos online" once registered */
    if (svc == NULL) {
        fprintf(stderr, "todos: cannot connect to the bus: %s\n", bus_err.message);
        store_close(&store);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    exo_svc_on(svc, "exo.error", on_bus_error, NULL);
    exo_svc_on(svc, NULL, on_message, NULL); /* every message; handlers.c picks by name */
    int rc = exo_svc_run(svc);
    exo_svc_close(&svc);
    store_close(&store);
    return rc == 0 ? 0 : 1;
}
