/*
 * core/run/output.h - what `exo run`, `exo test` and `exo setup` print: every line of every unit,
 * prefixed with its role right-aligned to the widest role and coloured per role (only on a
 * TTY, never with NO_COLOR), or one JSON object per line with --log-format json. Each line is
 * also appended to .exo/logs/<role>.log so the logs survive the run; exo's own status lines go
 * under the role "exo" (and .exo/logs/exo.log). Every line is masked with the app's secrets
 * (exo_output_add_secrets); log files are 0600 and rotate at a size (exo_output_set_max_log).
 *
 * Ownership: the output owns its log files. Threading: loop thread only.
 */
#ifndef EXO_CORE_OUTPUT_H
#define EXO_CORE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/util.h"

typedef struct exo_output exo_output_t;

typedef enum exo_output_format { EXO_OUTPUT_TEXT = 0, EXO_OUTPUT_JSON } exo_output_format_t;

/** Stream names in output: "stdout", "stderr", "exo" (exo's own lines), "bus". */
#define EXO_OUT_STDOUT 1
#define EXO_OUT_STDERR 2
#define EXO_OUT_EXO 3
#define EXO_OUT_BUS 4
/** "stdout", "stderr", "exo" or "bus" for an EXO_OUT_* stream. Static. */
const char *exo_output_stream_name(int stream);

/**
 * Print to @p out (normally stdout; NULL prints nothing). @p log_dir may be NULL (no files);
 * it and the per-role files in it are created (truncated) on a role's first output. Colour
 * follows exo_use_color(fileno(out)) unless @p format is JSON.
 */
exo_output_t *exo_output_new(FILE *out, exo_output_format_t format, const char *log_dir);
void exo_output_destroy(exo_output_t **out_p);

/** Make the prefix column at least as wide as @p role. */
void exo_output_add_role(exo_output_t *o, const char *role);

/** One line of @p role. @p len excludes any newline. */
void exo_output_line(exo_output_t *o, const char *role, int stream, const char *line,
                     size_t len);
/** Backends split longer output lines into pieces of this many bytes (64 KiB). */
#define EXO_OUTPUT_PIECE 65536
/** A line (or a piece of one) of a unit's output. Like exo_output_line, but a piece of
 *  EXO_OUTPUT_PIECE bytes is taken to continue in the next one: its end is held back when
 *  it may begin a secret, so that a secret across two pieces is masked too. */
void exo_output_unit_line(exo_output_t *o, const char *role, int stream, const char *line,
                          size_t len);
/** Mask these values (every service's and resource's secrets, exo_unitenv_secrets) in
 *  every line printed from now on, on the terminal, in JSON and in the logs (masker.h). */
void exo_output_add_secrets(exo_output_t *o, const exo_strv_t *secrets);
/** The output's masker: every secret added so far (borrowed). */
const struct exo_masker *exo_output_masker(const exo_output_t *o);
/** Rotate a role's log to ROLE.log.1 when it would grow past @p bytes (default
 *  EXO_LOG_MAX_SIZE_DEFAULT; application.yml log-max-size). */
void exo_output_set_max_log(exo_output_t *o, size_t bytes);
/** Like exo_output_line, but the line stays in the buffers until exo_output_flush(): for
 *  bursts (the bus trace), one write per burst instead of one per line. */
void exo_output_line_buffered(exo_output_t *o, const char *role, int stream, const char *line,
                              size_t len);
/** Write out everything exo_output_line_buffered() left in the buffers. */
void exo_output_flush(exo_output_t *o);
/** exo's own status line, under the role "exo". */
void exo_output_status(exo_output_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** A status line about @p role, printed under "exo" and also in the role's own log. */
void exo_output_role_status(exo_output_t *o, const char *role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Sees every line after masking, as printed: @p role its prefix, @p stream EXO_OUT_*,
 *  @p line (not NUL-terminated, @p len bytes) borrowed for the call. Loop thread. */
typedef void (*exo_output_tap_fn)(void *arg, const char *role, int stream, const char *line,
                                  size_t len);
/** Give every line from now on also to @p fn (NULL: none); one tap (the dashboard). */
void exo_output_set_tap(exo_output_t *o, exo_output_tap_fn fn, void *arg);
/** @p fn for every prefix the output knows ("exo" included) with its ANSI colour number
 *  (the same whether or not the terminal shows colours). */
void exo_output_colours(exo_output_t *o, void (*fn)(void *arg, const char *role, unsigned colour),
                        void *arg);
/** The ANSI colour number of @p role's prefix (the role is added when new). */
unsigned exo_output_colour(exo_output_t *o, const char *role);

#endif /* EXO_CORE_OUTPUT_H */
