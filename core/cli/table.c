/* core/cli/table.c - see table.h. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define MAX_COLS 32

/* Characters, not bytes: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s != '\0'; s++) {
        w += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return w;
}

void exo_table_init(exo_table_t *t, size_t ncols, unsigned right_aligned)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols > 0 && ncols <= MAX_COLS ? ncols : 1;
    t->right = right_aligned;
}

void exo_table_cell(exo_table_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exo_strv_push_owned(&t->cells, exo_vstrdupf(fmt, ap));
    va_end(ap);
}

void exo_table_print(const exo_table_t *t, FILE *out)
{
    size_t width[MAX_COLS] = {0};
    for (size_t i = 0; i < t->cells.n; i++) {
        size_t w = text_width(t->cells.v[i]);
        if (w > width[i % t->ncols]) {
            width[i % t->ncols] = w;
        }
    }
    for (size_t i = 0; i < t->cells.n; i++) {
        size_t col = i % t->ncols;
        bool last = col + 1 == t->ncols || i + 1 == t->cells.n;
        size_t pad = width[col] - text_width(t->cells.v[i]);
        bool right = (t->right >> col) & 1u;
        fprintf(out, "%s%*s%s", col > 0 ? "  " : "", right ? (int)pad : 0, "",
                t->cells.v[i]);
        if (!right && !last) {
            fprintf(out, "%*s", (int)pad, "");
        }
        if (last) {
            fputc('\n', out);
        }
    }
}

void exo_table_free(exo_table_t *t)
{
    exo_strv_free(&t->cells);
}
