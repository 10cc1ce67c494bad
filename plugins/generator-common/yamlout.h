/*
 * yamlout.h - a JSON value written as block YAML with every mapping's keys sorted, so that
 * the same value always gives the same bytes. Strings are double-quoted (JSON escapes are
 * valid YAML); with YAMLOUT_ESCAPE_DOLLAR every '$' is doubled, because compose reads
 * "$NAME" in any value as a variable of the shell that runs it.
 *
 * Ownership: the caller's buffer; nothing kept. Threading: none.
 */
#ifndef EXO_GENCOMMON_YAMLOUT_H
#define EXO_GENCOMMON_YAMLOUT_H

#include <jansson.h>

#include "base/util.h"

#define YAMLOUT_ESCAPE_DOLLAR 0x1u

/** Append @p map (an object) to @p out as a YAML block mapping at @p indent spaces. */
void yamlout_map(exo_buf_t *out, const json_t *map, int indent, unsigned flags);

#endif /* EXO_GENCOMMON_YAMLOUT_H */
