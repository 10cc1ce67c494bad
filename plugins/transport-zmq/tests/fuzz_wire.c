/*
 * fuzz_wire.c - libFuzzer target for the frame decoder (protocol 2): any input must decode
 * without crashing or reading out of bounds, and whatever decodes must re-encode to the same
 * bytes and have fields (and an 'M''s payload, which ends the frame) inside the input. Built and run by tests/bus/fuzz.sh (clang).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exo_wire_head_t h;
    /* The trusted decoder accepts a superset, and every field it returns lies in the input. */
    int trc = exo_wire_decode_trusted(data, size, &h);
    if (trc == EXO_WIRE_OK) {
        for (unsigned i = 0; i < h.n_fields; i++) {
            const uint8_t *p = (const uint8_t *)h.f[i].p;
            if (p < data || p + h.f[i].len > data + size) {
                abort();
            }
        }
    }
    /* The broker's decoder differs from the full one by the name check alone. */
    int urc = exo_wire_decode_name_unchecked(data, size, &h);
    int rc = exo_wire_decode(data, size, &h);
    if (rc == EXO_WIRE_OK && (trc != EXO_WIRE_OK || urc != EXO_WIRE_OK)) {
        abort();
    }
    if (rc != urc && (urc != EXO_WIRE_OK || rc != EXO_WIRE_ENAME)) {
        abort();
    }
    if (rc > 0 || rc < EXO_WIRE_ENAME) {
        abort();
    }
    if (rc == EXO_WIRE_OK) {
        for (unsigned i = 0; i < h.n_fields; i++) {
            const uint8_t *p = (const uint8_t *)h.f[i].p;
            if (p < data || p + h.f[i].len > data + size) {
                abort();
            }
        }
        const uint8_t *pl = (const uint8_t *)h.payload.p;
        if (h.type == EXO_WIRE_MESSAGE ? pl == NULL || pl + h.payload.len != data + size ||
                                             exo_wire_head_size(&h) + h.payload.len != size
                                       : h.payload.len != 0) {
            abort();
        }
        if (h.type == EXO_WIRE_MESSAGE &&
            !exo_wire_name_ok(h.f[EXO_WIRE_F_NAME].p, h.f[EXO_WIRE_F_NAME].len)) {
            abort();
        }
        uint8_t *out = malloc(size ? size : 1);
        size_t n = exo_wire_encode(out, size, &h);
        if (n != size || memcmp(out, data, size) != 0 || exo_wire_size(&h) != size) {
            abort();
        }
        free(out);
    }
    return 0;
}
