/* store.c - the to-do list in Postgres. Every statement is parameterised: item text never
 * becomes SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store.h"

struct todo_store {
    PGconn *conn;
};

static char *copy_error(const char *what, const char *detail)
{
    size_t n = strlen(what) + strlen(detail) + 3;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s: %s", what, detail);
        /* libpq's messages end with a newline */
        size_t len = strlen(s);
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ')) {
            s[--len] = '\0';
        }
    }
    return s;
}

todo_store_t *store_open(const char *url, char **err)
{
    if (url == NULL || url[0] == '\0') {
        *err = copy_error("no database", "DB_URL is not set (declare `resources: [db]`)");
        return NULL;
    }
    todo_store_t *store = calloc(1, sizeof *store);
    if (store == NULL) {
        *err = copy_error("no database", "out of memory");
        return NULL;
    }
    store->conn = PQconnectdb(url);
    if (PQstatus(store->conn) != CONNECTION_OK) {
        *err = copy_error("cannot connect to the database", PQerrorMessage(store->conn));
        store_close(&store);
    }
    return store;
}

void store_close(todo_store_t **store_p)
{
    if (*store_p != NULL) {
        PQfinish((*store_p)->conn);
        free(*store_p);
        *store_p = NULL;
    }
}

/* Run @p sql with @p n text parameters; reconnect once when the connection was lost. */
static PGresult *run(todo_store_t *store, const char *sql, int n, const char *const *params,
                     char **err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (PQstatus(store->conn) != CONNECTION_OK) {
            PQreset(store->conn);
        }
        PGresult *res = PQexecParams(store->conn, sql, n, NULL, params, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            return res;
        }
        PQclear(res);
        if (PQstatus(store->conn) == CONNECTION_OK) {
            break; /* the statement failed, not the connection: no second try */
        }
    }
    *err = copy_error("database error", PQerrorMessage(store->conn));
    return NULL;
}

static json_t *row_item(const PGresult *res, int row)
{
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)strtoll(PQgetvalue(res, row, 0), NULL, 10),
                     "text", PQgetvalue(res, row, 1), "created", PQgetvalue(res, row, 2));
}

#define ITEM_COLUMNS "id, text, to_char(created_at AT TIME ZONE 'UTC', " \
                     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

json_t *store_list(todo_store_t *store, char **err)
{
    PGresult *res = run(store, "SELECT " ITEM_COLUMNS " FROM todos ORDER BY id", 0, NULL, err);
    if (res == NULL) {
        return NULL;
    }
    json_t *items = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        json_array_append_new(items, row_item(res, i));
    }
    PQclear(res);
    return items;
}

json_t *store_add(todo_store_t *store, const char *text, char **err)
{
    const char *params[] = {text};
    PGresult *res = run(store, "INSERT INTO todos (text) VALUES ($1) RETURNING " ITEM_COLUMNS,
                        1, params, err);
    if (res == NULL) {
        return NULL;
    }
    json_t *item = row_item(res, 0);
    PQclear(res);
    return item;
}

int store_delete(todo_store_t *store, long long id, char **err)
{
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", id);
    const char *params[] = {idtext};
    PGresult *res = run(store, "DELETE FROM todos WHERE id = $1", 1, params, err);
    if (res == NULL) {
        return -1;
    }
    int deleted = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return deleted;
}

long long store_clear(todo_store_t *store, char **err)
{
    PGresult *res = run(store, "DELETE FROM todos", 0, NULL, err);
    if (res == NULL) {
        return -1;
    }
    long long n = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return n;
}
