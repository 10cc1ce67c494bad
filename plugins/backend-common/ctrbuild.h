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

/* The engine's half of prepare(): is @p image there, and build @p spec's image from the
 * Dockerfile @p dockerfile (its path: @p dfpath). Both return 0 or fill @p err. */
typedef struct ctr_image_ops {
    int (*check)(const char *unit, const char *image, exo_error_t *err);
    int (*build)(void *inst, const exo_unit_spec_t *spec, const char *dockerfile,
                 const char *dfpath, exo_error_t *err);
} ctr_image_ops_t;

/**
 * ops.prepare on either engine: the settings are checked (before anything is built or
 * started), then a named image must be on the engine, or the image is built from the
 * service's Dockerfile, which must exist. With a build tag (`exo build`): the production
 * image is built from dockerfile-prod when that file exists, else the Dockerfile, and a
 * named image is EXO_ERR_EXISTS (nothing to build).
 */
/** The image name `exo build` asked for (exo_unit_spec_t.build_tag, ABI 1.4), or NULL in a
 *  run or from an older core. */
const char *ctr_build_tag(const exo_unit_spec_t *spec);

/** The name an image built for @p spec gets: its build tag, else the run's tag for the unit
 *  (ctr_image_tag). New string. */
char *ctr_built_image(const ctr_run_t *run, const exo_unit_spec_t *spec);

int ctr_prepare(const char *engine, const ctr_image_ops_t *ops, void *inst,
                const exo_unit_spec_t *spec, exo_error_t *err);

#endif /* EXO_PLUGINS_CTRBUILD_H */
