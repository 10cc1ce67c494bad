/*
 * store.h - the to-do list in Postgres (libpq), through the URL exo gives the service in
 * DB_URL. Items are JSON objects {"id": N, "text": "...", "created": "ISO 8601 time"}.
 * Errors come back as a message in *err (malloc'd; the caller frees it). After a lost
 * connection (the database restarted) the next call reconnects once before failing.
 * Threading: a store belongs to one thread.
 */
#ifndef STORE_H
#define STORE_H

#include <jansson.h>

typedef struct todo_store todo_store_t;

todo_store_t *store_open(const char *url, char **err);
void store_close(todo_store_t **store_p);

/** Every item, oldest first (new reference), or NULL on error. */
json_t *store_list(todo_store_t *store, char **err);
/** The new item (new reference), or NULL on error. */
json_t *store_add(todo_store_t *store, const char *text, char **err);
/** 1 when item @p id was deleted, 0 when there was none, -1 on error. */
int store_delete(todo_store_t *store, long long id, char **err);
/** The number of items deleted, or -1 on error. */
long long store_clear(todo_store_t *store, char **err);

#endif
