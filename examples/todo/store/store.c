/*
 * store - a generic in-memory item store built on libexoservice. It knows only "item.*"
 * messages; application.yml translates them for the role that uses it (todo.* for "todos").
 *   item.create {"text": "..."}  ->  item.created {"id": N, "text": "..."}
 *   item.list                    ->  item.listing {"count": N, "items": [...]}
 * `store --self-test` checks the item logic without a bus (the service's test command).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <exo/service.h>

static json_t *items;
static exo_svc_t *svc;

/* The new item (borrowed from the list), or NULL when the payload has no text. */
static json_t *add_item(const json_t *payload)
{
    const char *text = json_string_value(json_object_get(payload, "text"));
    if (text == NULL || text[0] == '\0') {
        return NULL;
    }
    json_t *item = json_pack("{s:I, s:s}", "id", (json_int_t)json_array_size(items) + 1,
                             "text", text);
    json_array_append_new(items, item);
    return item;
}

static void on_create(exo_svc_t *s, const exo_svc_msg_t *msg, void *arg)
{
    json_t *payload = exo_svc_msg_json(msg);
    json_t *item = add_item(payload);
    json_decref(payload);
    if (item == NULL) {
        json_t *e = json_pack("{s:s}", "error", "item.create needs {\"text\": \"...\"}");
        exo_svc_reply(s, msg, "item.created", e, NULL);
        json_decref(e);
        return;
    }
    printf("created item %lld for %s: %s\n", (long long)json_integer_value(json_object_get(item,
           "id")), msg->sender, json_string_value(json_object_get(item, "text")));
    exo_svc_reply(s, msg, "item.created", item, NULL);
}

static void on_list(exo_svc_t *s, const exo_svc_msg_t *msg, void *arg)
{
    json_t *reply = json_pack("{s:I, s:O}", "count", (json_int_t)json_array_size(items),
                              "items", items);
    exo_svc_reply(s, msg, "item.listing", reply, NULL);
    json_decref(reply);
}

static void on_term(int sig)
{
    exo_svc_stop(svc);
}

static int self_test(void)
{
    json_t *p = json_pack("{s:s}", "text", "one");
    json_t *bad = json_object();
    int ok = add_item(p) != NULL && add_item(bad) == NULL && add_item(p) != NULL &&
             json_array_size(items) == 2 &&
             json_integer_value(json_object_get(json_array_get(items, 1), "id")) == 2;
    json_decref(p);
    json_decref(bad);
    printf("self-test %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    items = json_array();
    if (argc > 1 && strcmp(argv[1], "--self-test") == 0) {
        int rc = self_test();
        json_decref(items);
        return rc;
    }
    exo_error_t err = {0};
    svc = exo_svc_connect(NULL, &err);
    if (svc == NULL) {
        fprintf(stderr, "store: %s\n", err.message);
        return 1;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    exo_svc_on(svc, "item.create", on_create, NULL);
    exo_svc_on(svc, "item.list", on_list, NULL);
    int rc = exo_svc_run(svc);
    printf("store: %zu items, stopping\n", json_array_size(items));
    exo_svc_close(&svc);
    json_decref(items);
    return rc == 0 ? 0 : 1;
}
