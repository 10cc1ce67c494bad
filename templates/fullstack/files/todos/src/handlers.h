/*
 * handlers.h - what todos makes of each message it receives, apart from the bus (main.c) and
 * the database (store.c), so tests/test_handlers.c can check it without either.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <jansson.h>

/** The longest item, in characters. */
#define TODO_TEXT_MAX 200

typedef enum todo_op { TODO_LIST, TODO_CREATE, TODO_DELETE, TODO_CLEAR } todo_op_t;

/** A checked request. text is the item's text without surrounding blanks (owned: free it
 *  with todo_request_free); id is the item to delete. */
typedef struct todo_request {
    todo_op_t op;
    char *text;
    long long id;
} todo_request_t;

/**
 * Check message @p name with @p payload (NULL when it has none or it is not JSON).
 * Returns 0 and fills @p req when the request is good; 1 when @p name is not a todos message;
 * -1 when the request is refused, with @p why (static) saying why in words for a person.
 */
int todo_parse(const char *name, const json_t *payload, todo_request_t *req, const char **why);

void todo_request_free(todo_request_t *req);

/** The payload of todo.refused: {"error": why} (new reference). */
json_t *todo_refusal(const char *why);

#endif
