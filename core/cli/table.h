/*
 * core/cli/table.h - a plain text table for the CLI's human output: cells added row by row,
 * printed with each column as wide as its widest cell (two spaces between columns), numbers
 * right-aligned. Widths count UTF-8 characters, not bytes.
 * Ownership: the table owns copies of its cells (exo_table_free). Threading: none.
 */
#ifndef EXO_CORE_CLI_TABLE_H
#define EXO_CORE_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "base/util.h"

typedef struct exo_table {
    size_t ncols;
    unsigned right;   /* bit i set: column i is right-aligned */
    exo_strv_t cells; /* row after row, ncols each */
} exo_table_t;

/** An empty table of @p ncols columns (at most 32); bit i of @p right_aligned right-aligns
 *  column i. */
void exo_table_init(exo_table_t *t, size_t ncols, unsigned right_aligned);
/** The next cell, left to right then row after row. */
void exo_table_cell(exo_table_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Print every row to @p out; a last row left incomplete is printed as far as it goes. */
void exo_table_print(const exo_table_t *t, FILE *out);
void exo_table_free(exo_table_t *t);

#endif /* EXO_CORE_CLI_TABLE_H */
