/*
 * plugins/backend-common/ctrbuild.h - an image build as both container backends report it:
 * progress lines go to the unit's on_output and, in full, to
 * <state dir>/build-<unit>.log; the last step line ("Step N/M : ..." from docker, "STEP N/M:
 * ..." from podman) and the engine's error make the failure message.
 * Ownership: ctr_build_close frees what ctr_build_open took. Threading: loop thread.
 */
#ifndef EXO_PLUGINS_CTRBUILD_H
#define EXO_PLUGINS_CTRBUILD_H

#include <stdio.h>

#include <exo/backend.h>

#include "ctrrun.h"

typedef struct ctr_build {
    const exo_unit_spec_t *spec;
    FILE *log;
    char *log_path;
    char step[512];  /* the last step line */
    char error[512]; /* the engine's error message, if any */
} ctr_build_t;

void ctr_build_open(ctr_build_t *b, const ctr_run_t *run, const exo_unit_spec_t *spec);

/** A ctr_line_fn (arg: the ctr_build_t): one line of build output. */
void ctr_build_line(void *arg, int stream, const char *line, size_t len);

/** Remember the engine's error message (trailing newlines dropped). */
void ctr_build_error(ctr_build_t *b, const char *msg, size_t len);

/** EXO_ERR_IO with "service S: image build failed at STEP: ERROR (full log: PATH)"; the
 *  error is @p fallback when the engine gave none. */
int ctr_build_failed(const ctr_build_t *b, const char *fallback, exo_error_t *err);

void ctr_build_close(ctr_build_t *b);

#endif /* EXO_PLUGINS_CTRBUILD_H */
