/* test_store.c - the store against a real Postgres: `exo test` starts one with the migrations
 * applied and an empty table, and gives its URL in DB_URL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store.h"

int main(void)
{
    char *err = NULL;
    todo_store_t *store = store_open(getenv("DB_URL"), &err);
    if (store == NULL) {
        fprintf(stderr, "todos: %s (run the store tests through `exo test`)\n", err);
        free(err);
        return 1;
    }
    json_t *a = store_add(store, "it's 'quoted'; DROP TABLE todos; --", &err);
    json_t *b = store_add(store, "second", &err);
    CHECK(a != NULL && b != NULL);
    long long ida = json_integer_value(json_object_get(a, "id"));
    long long idb = json_integer_value(json_object_get(b, "id"));
    CHECK(ida > 0 && idb > ida);
    CHECK(strlen(json_string_value(json_object_get(a, "created"))) == 20);

    json_t *items = store_list(store, &err);
    CHECK(items != NULL && json_array_size(items) == 2);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(items, 0), "text")),
                 "it's 'quoted'; DROP TABLE todos; --") == 0);
    json_decref(items);

    CHECK(store_delete(store, ida, &err) == 1);
    CHECK(store_delete(store, ida, &err) == 0);
    CHECK(store_clear(store, &err) == 1);
    items = store_list(store, &err);
    CHECK(items != NULL && json_array_size(items) == 0);
    json_decref(items);

    json_decref(a);
    json_decref(b);
    free(err);
    store_close(&store);
    if (failures > 0) {
        fprintf(stderr, "todos: %d store check(s) failed\n", failures);
        return 1;
    }
    printf("todos: all store tests passed\n");
    return 0;
}
