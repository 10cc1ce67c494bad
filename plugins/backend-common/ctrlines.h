/*
 * plugins/backend-common/ctrlines.h - a unit's output arrives from the engine in arbitrary
 * pieces (HTTP chunks, pipe reads); the core wants whole lines, without "\r\n" or "\n".
 * Threading: reentrant; a buffer belongs to one stream.
 */
#ifndef EXO_PLUGINS_CTRLINES_H
#define EXO_PLUGINS_CTRLINES_H

#include <stddef.h>

#include "base/util.h"

#define CTR_MAX_LINE 65536 /* longer output lines are split */

typedef void (*ctr_line_fn)(void *arg, int stream, const char *line, size_t len);

/** Append @p p to the partial line in @p part and hand every completed line to @p fn. */
void ctr_lines_feed(exo_buf_t *part, int stream, const char *p, size_t n, ctr_line_fn fn,
                    void *arg);

/** The stream ended: hand on an unterminated last line and free @p part. */
void ctr_lines_flush(exo_buf_t *part, int stream, ctr_line_fn fn, void *arg);

#endif /* EXO_PLUGINS_CTRLINES_H */
