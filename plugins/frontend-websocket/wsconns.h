/*
 * plugins/frontend-websocket/wsconns.h - the frontend's open connections by the core's id
 * (exo_conn_id_t), so that deliver() and auth_done() find the client a message is for: an
 * open-addressing hash table that grows, and never holds a stale id (removal is exact).
 *
 * The table stores pointers it does not own. Threading: the loop thread only.
 */
#ifndef EXO_PLUGINS_WSCONNS_H
#define EXO_PLUGINS_WSCONNS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ws_conns {
    struct ws_conns_slot *slots;
    size_t cap;   /* a power of two, or 0 */
    size_t count;
} ws_conns_t;

/** Add @p value under @p id (never 0, not present yet). */
void ws_conns_put(ws_conns_t *t, uint64_t id, void *value);
/** The value under @p id, or NULL. */
void *ws_conns_get(const ws_conns_t *t, uint64_t id);
/** Remove @p id (absent: nothing happens). */
void ws_conns_del(ws_conns_t *t, uint64_t id);
void ws_conns_free(ws_conns_t *t);

#endif /* EXO_PLUGINS_WSCONNS_H */
