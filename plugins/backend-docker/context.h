/*
 * plugins/backend-docker/context.h - the build context POST /build sends: a service
 * directory as a tar stream (pax, so long names and link targets are kept), written by
 * libarchive. Regular files, directories and symbolic links, in sorted order so that the
 * context (and so the engine's build cache) is the same for the same tree; the top-level
 * .exo/ directory is left out. Owner ids are 0, as the engine copies files as root anyway.
 * Threading: reentrant.
 */
#ifndef EXO_PLUGINS_DOCKER_CONTEXT_H
#define EXO_PLUGINS_DOCKER_CONTEXT_H

#include <exo/plugin.h>

#include "base/util.h"

/** Append the tar of @p dir to @p out. 0, or EXO_ERR_IO naming the file that failed. */
int context_tar(const char *dir, exo_buf_t *out, exo_error_t *err);

#endif /* EXO_PLUGINS_DOCKER_CONTEXT_H */
