/*
 * core/model/diag.h - diagnostics about user input: FILE:LINE:COLUMN: error|warning: message.
 * Parsers collect every finding here instead of stopping at the first, so the user sees all of
 * them at once. Ownership: the collector owns its entries. Threading: none.
 */
#ifndef EXO_CORE_DIAG_H
#define EXO_CORE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum exo_severity { EXO_SEV_ERROR, EXO_SEV_WARNING } exo_severity_t;

typedef struct exo_diag_entry {
    exo_severity_t severity;
    char *file;    /* may be NULL */
    int line, column; /* 1-based; 0 = unknown */
    char *message;
} exo_diag_entry_t;

typedef struct exo_diag {
    exo_diag_entry_t *entries;
    size_t n, cap;
    size_t errors, warnings;
} exo_diag_t;

void exo_diag_init(exo_diag_t *d);
void exo_diag_free(exo_diag_t *d);
void exo_diag_add(exo_diag_t *d, exo_severity_t sev, const char *file, int line, int column,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define exo_diag_error(d, file, line, col, ...) \
    exo_diag_add((d), EXO_SEV_ERROR, (file), (line), (col), __VA_ARGS__)
#define exo_diag_warning(d, file, line, col, ...) \
    exo_diag_add((d), EXO_SEV_WARNING, (file), (line), (col), __VA_ARGS__)
/** Print every entry, one line each, in the order found. Colours when @p color. */
void exo_diag_print(const exo_diag_t *d, FILE *out, bool color);

#endif /* EXO_CORE_DIAG_H */
