/* batch.c - a protocol 5 batch being built; see batch.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "batch.h"

size_t exo_batch_size_with(const exo_batch_t *b, const exo_wire_head_t *h)
{
    return exo_wire_batch_size(b->len, h);
}

int exo_batch_add(exo_batch_t *b, unsigned version, const exo_wire_head_t *h)
{
    size_t need = exo_wire_batch_size(b->len, h);
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < need) {
            cap *= 2;
        }
        unsigned char *p = realloc(b->p, cap);
        if (p == NULL) {
            errno = ENOMEM;
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    size_t len = exo_wire_batch_append(b->p, b->cap, b->len, version, h);
    if (len == 0) {
        errno = EMSGSIZE;
        return -1;
    }
    b->len = len;
    b->frames++;
    return 0;
}

const unsigned char *exo_batch_bytes(const exo_batch_t *b, size_t *len)
{
    size_t skip = b->frames == 1 ? EXO_WIRE_BATCH_HEAD + EXO_WIRE_BATCH_LEN : 0;
    *len = b->len - skip;
    return b->p + skip;
}

void exo_batch_clear(exo_batch_t *b)
{
    b->len = 0;
    b->frames = 0;
}

void exo_batch_free(exo_batch_t *b)
{
    free(b->p);
    *b = (exo_batch_t){0};
}
