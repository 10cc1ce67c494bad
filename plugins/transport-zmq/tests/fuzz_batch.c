/*
 * fuzz_batch.c - libFuzzer target for the batch decoder (protocol 5, docs/protocol.md): any
 * input must split without crashing or reading out of bounds; every frame it yields lies
 * inside the input, after the one before, and is not empty; the walk ends (no frame twice);
 * and each frame goes through the broker's decoder (exo_wire_decode_name_unchecked) as the
 * broker would. Built and run by tests/bus/fuzz.sh (clang).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "../wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!exo_wire_is_batch(data, size)) {
        return 0;
    }
    size_t pos = 0, flen, frames = 0;
    const void *frame;
    const uint8_t *prev_end = data + EXO_WIRE_BATCH_HEAD;
    int rc;
    while ((rc = exo_wire_batch_next(data, size, &pos, &frame, &flen)) == 1) {
        const uint8_t *f = frame;
        if (flen == 0 || f < prev_end + EXO_WIRE_BATCH_LEN || f + flen > data + size ||
            pos != (size_t)(f + flen - data) || ++frames > size) {
            abort();
        }
        prev_end = f + flen;
        exo_wire_head_t h;
        if (exo_wire_decode_name_unchecked(f, flen, &h) == EXO_WIRE_OK) {
            for (unsigned i = 0; i < h.n_fields; i++) {
                const uint8_t *p = (const uint8_t *)h.f[i].p;
                if (p < f || p + h.f[i].len > f + flen) {
                    abort();
                }
            }
        }
    }
    if (rc != 0 && rc != EXO_WIRE_ESHORT) {
        abort();
    }
    return 0;
}
