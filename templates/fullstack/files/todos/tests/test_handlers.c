/* test_handlers.c - what todos accepts and refuses, without a bus or a database. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "handlers.h"

/* todo_parse on a payload given as JSON text. */
static int parse(const char *name, const char *json, todo_request_t *req, const char **why)
{
    json_t *payload = json ? json_loads(json, 0, NULL) : NULL;
    int rc = todo_parse(name, payload, req, why);
    json_decref(payload);
    return rc;
}

static void test_create_trims_the_text(void)
{
    todo_request_t req;
    const char *why;
    CHECK(parse("todo.create", "{\"text\": \"  buy milk \\n\"}", &req, &why) == 0);
    CHECK(req.op == TODO_CREATE && req.text != NULL && strcmp(req.text, "buy milk") == 0);
    todo_request_free(&req);
}

static void test_create_refuses_empty_and_missing_text(void)
{
    todo_request_t req;
    const char *why;
    CHECK(parse("todo.create", "{\"text\": \"   \"}", &req, &why) == -1);
    CHECK(why != NULL && strcmp(why, "an item needs some text") == 0);
    CHECK(parse("todo.create", "{}", &req, &why) == -1 && why != NULL);
    CHECK(parse("todo.create", NULL, &req, &why) == -1 && why != NULL);
    CHECK(parse("todo.create", "{\"text\": 7}", &req, &why) == -1 && why != NULL);
}

static void test_create_counts_characters_not_bytes(void)
{
    char text[TODO_TEXT_MAX * 2 + 32];
    char json[sizeof text + 32];
    todo_request_t req;
    const char *why;
    /* 200 two-byte characters are allowed, 201 are not */
    text[0] = '\0';
    for (int i = 0; i < TODO_TEXT_MAX; i++) {
        strcat(text, "\xc3\xa9");
    }
    snprintf(json, sizeof json, "{\"text\": \"%s\"}", text);
    CHECK(parse("todo.create", json, &req, &why) == 0);
    todo_request_free(&req);
    strcat(text, "x");
    snprintf(json, sizeof json, "{\"text\": \"%s\"}", text);
    CHECK(parse("todo.create", json, &req, &why) == -1);
    CHECK(why != NULL && strstr(why, "200") != NULL);
}

static void test_delete_needs_a_positive_id(void)
{
    todo_request_t req;
    const char *why;
    CHECK(parse("todo.delete", "{\"id\": 12}", &req, &why) == 0);
    CHECK(req.op == TODO_DELETE && req.id == 12);
    CHECK(parse("todo.delete", "{\"id\": 0}", &req, &why) == -1 && why != NULL);
    CHECK(parse("todo.delete", "{\"id\": \"12\"}", &req, &why) == -1 && why != NULL);
    CHECK(parse("todo.delete", NULL, &req, &why) == -1 && why != NULL);
}

static void test_list_clear_and_unknown_names(void)
{
    todo_request_t req;
    const char *why;
    CHECK(parse("todo.list", NULL, &req, &why) == 0 && req.op == TODO_LIST);
    CHECK(parse("todo.clear", "{}", &req, &why) == 0 && req.op == TODO_CLEAR);
    CHECK(parse("todo.rename", "{}", &req, &why) == 1);
}

static void test_refusal_payload(void)
{
    json_t *r = todo_refusal("no");
    CHECK(strcmp(json_string_value(json_object_get(r, "error")), "no") == 0);
    json_decref(r);
}

int main(void)
{
    test_create_trims_the_text();
    test_create_refuses_empty_and_missing_text();
    test_create_counts_characters_not_bytes();
    test_delete_needs_a_positive_id();
    test_list_clear_and_unknown_names();
    test_refusal_payload();
    if (failures > 0) {
        fprintf(stderr, "todos: %d handler check(s) failed\n", failures);
        return 1;
    }
    printf("todos: all handler tests passed\n");
    return 0;
}
