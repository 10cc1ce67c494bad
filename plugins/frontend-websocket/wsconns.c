/*
 * plugins/frontend-websocket/wsconns.c - id -> connection, linear probing with backward-shift
 * deletion (no tombstones, so lookups stay short however many clients come and go).
 */
#include "wsconns.h"

#include <stdlib.h>

#include "base/util.h"

struct ws_conns_slot {
    uint64_t id; /* 0 = empty */
    void *value;
};

static size_t home(const ws_conns_t *t, uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL; /* a 64-bit mix, as ids are sequential */
    id ^= id >> 33;
    return (size_t)id & (t->cap - 1);
}

static void grow(ws_conns_t *t)
{
    struct ws_conns_slot *old = t->slots;
    size_t old_cap = t->cap;
    t->cap = old_cap ? old_cap * 2 : 64;
    t->slots = exo_xcalloc(t->cap, sizeof *t->slots);
    t->count = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].id != 0)
            ws_conns_put(t, old[i].id, old[i].value);
    free(old);
}

void ws_conns_put(ws_conns_t *t, uint64_t id, void *value)
{
    if ((t->count + 1) * 4 > t->cap * 3)
        grow(t);
    size_t i = home(t, id);
    while (t->slots[i].id != 0)
        i = (i + 1) & (t->cap - 1);
    t->slots[i].id = id;
    t->slots[i].value = value;
    t->count++;
}

static size_t find(const ws_conns_t *t, uint64_t id)
{
    if (t->cap == 0 || id == 0)
        return SIZE_MAX;
    for (size_t i = home(t, id); t->slots[i].id != 0; i = (i + 1) & (t->cap - 1))
        if (t->slots[i].id == id)
            return i;
    return SIZE_MAX;
}

void *ws_conns_get(const ws_conns_t *t, uint64_t id)
{
    size_t i = find(t, id);
    return i == SIZE_MAX ? NULL : t->slots[i].value;
}

void ws_conns_del(ws_conns_t *t, uint64_t id)
{
    size_t i = find(t, id);
    if (i == SIZE_MAX)
        return;
    size_t mask = t->cap - 1;
    /* Shift back every later entry of the run that may sit at or before the hole. */
    for (size_t j = (i + 1) & mask; t->slots[j].id != 0; j = (j + 1) & mask) {
        size_t h = home(t, t->slots[j].id);
        if (((j - h) & mask) >= ((j - i) & mask)) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i].id = 0;
    t->slots[i].value = NULL;
    t->count--;
}

void ws_conns_free(ws_conns_t *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}
