#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "base/util.h"

void exo_diag_init(exo_diag_t *d)
{
    memset(d, 0, sizeof *d);
}

void exo_diag_free(exo_diag_t *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->entries[i].file);
        free(d->entries[i].message);
    }
    free(d->entries);
    memset(d, 0, sizeof *d);
}

void exo_diag_add(exo_diag_t *d, exo_severity_t sev, const char *file, int line, int column,
                  const char *fmt, ...)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->entries = exo_xrealloc(d->entries, d->cap * sizeof *d->entries);
    }
    exo_diag_entry_t *e = &d->entries[d->n++];
    va_list ap;
    va_start(ap, fmt);
    e->message = exo_vstrdupf(fmt, ap);
    va_end(ap);
    e->severity = sev;
    e->file = file ? exo_xstrdup(file) : NULL;
    e->line = line;
    e->column = column;
    if (sev == EXO_SEV_ERROR) {
        d->errors++;
    } else {
        d->warnings++;
    }
}

void exo_diag_print(const exo_diag_t *d, FILE *out, bool color)
{
    for (size_t i = 0; i < d->n; i++) {
        const exo_diag_entry_t *e = &d->entries[i];
        const char *word = e->severity == EXO_SEV_ERROR ? "error" : "warning";
        const char *on = !color ? "" : e->severity == EXO_SEV_ERROR ? "\033[1;31m" : "\033[1;33m";
        const char *off = color ? "\033[0m" : "";
        if (e->file != NULL && e->line > 0) {
            fprintf(out, "%s:%d:%d: %s%s:%s %s\n", e->file, e->line, e->column, on, word, off,
                    e->message);
        } else if (e->file != NULL) {
            fprintf(out, "%s: %s%s:%s %s\n", e->file, on, word, off, e->message);
        } else {
            fprintf(out, "%s%s:%s %s\n", on, word, off, e->message);
        }
    }
}
