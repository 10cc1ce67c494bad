/* handlers.c - checking what browsers ask for before anything reaches the database. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

/* Characters, not bytes: jansson hands us valid UTF-8, so count every byte that does not
 * continue a sequence. */
static size_t utf8_length(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return chars;
}

/* A copy of @p s without leading and trailing blanks. */
static char *trimmed_copy(const char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    char *copy = malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

static int parse_create(const json_t *payload, todo_request_t *req, const char **why)
{
    const char *text = json_string_value(json_object_get(payload, "text"));
    if (text == NULL) {
        *why = "todo.create needs {\"text\": \"...\"}";
        return -1;
    }
    req->text = trimmed_copy(text);
    if (req->text == NULL || req->text[0] == '\0') {
        *why = "an item needs some text";
        return -1;
    }
    if (utf8_length(req->text, strlen(req->text)) > TODO_TEXT_MAX) {
        *why = "an item is at most 200 characters long";
        return -1;
    }
    return 0;
}

static int parse_delete(const json_t *payload, todo_request_t *req, const char **why)
{
    json_t *id = json_object_get(payload, "id");
    if (!json_is_integer(id) || json_integer_value(id) < 1) {
        *why = "todo.delete needs {\"id\": N}, the id of an item";
        return -1;
    }
    req->id = json_integer_value(id);
    return 0;
}

int todo_parse(const char *name, const json_t *payload, todo_request_t *req, const char **why)
{
    memset(req, 0, sizeof *req);
    *why = NULL;
    if (strcmp(name, "todo.list") == 0) {
        req->op = TODO_LIST;
        return 0;
    }
    if (strcmp(name, "todo.clear") == 0) {
        req->op = TODO_CLEAR;
        return 0;
    }
    int rc = 1;
    if (strcmp(name, "todo.create") == 0) {
        req->op = TODO_CREATE;
        rc = parse_create(payload, req, why);
    } else if (strcmp(name, "todo.delete") == 0) {
        req->op = TODO_DELETE;
        rc = parse_delete(payload, req, why);
    }
    if (rc != 0) {
        todo_request_free(req);
    }
    return rc;
}

void todo_request_free(todo_request_t *req)
{
    free(req->text);
    req->text = NULL;
}

json_t *todo_refusal(const char *why)
{
    return json_pack("{s:s}", "error", why);
}
