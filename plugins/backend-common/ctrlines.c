/* plugins/backend-common/ctrlines.c - see ctrlines.h. */
#include "config.h"

#include "ctrlines.h"

void ctr_lines_feed(exo_buf_t *part, int stream, const char *p, size_t n, ctr_line_fn fn,
                    void *arg)
{
    exo_buf_append(part, p, n);
    size_t start = 0;
    for (size_t i = 0; i < part->len; i++) {
        if (part->data[i] == '\n' || i - start >= CTR_MAX_LINE) {
            size_t end = i;
            if (end > start && part->data[end - 1] == '\r') {
                end--;
            }
            fn(arg, stream, part->data + start, end - start);
            start = i + 1;
        }
    }
    exo_buf_consume(part, start);
}

void ctr_lines_flush(exo_buf_t *part, int stream, ctr_line_fn fn, void *arg)
{
    if (part->len > 0) {
        fn(arg, stream, part->data, part->len);
    }
    exo_buf_free(part);
}
