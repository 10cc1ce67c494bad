/*
 * core/plugins/generator.h - running a generator plugin (exo/generator.h) and owning what it
 * produces: the files are collected in memory, checked (paths stay inside the output
 * directory), then either written atomically with their modes or compared with the disk
 * (drift). A generator never touches the file system itself.
 *
 * Ownership: an exo_genset_t owns its files; exo_genset_free() frees them.
 * Threading: main thread only (plugins are called on the loop thread).
 */
#ifndef EXO_CORE_GENERATOR_H
#define EXO_CORE_GENERATOR_H

#include <stddef.h>

#include <jansson.h>

#include <exo/plugin.h>

#include "base/util.h"
#include "registry.h"

typedef struct exo_genfile {
    char *path;     /* relative to the output directory, checked */
    char *content;
    size_t len;
    unsigned mode;  /* permission bits */
} exo_genfile_t;

typedef struct exo_genset {
    exo_genfile_t *files; /* sorted by path */
    size_t n;
} exo_genset_t;

/**
 * Run generator @p p on @p model and collect its files into @p out (empty on entry).
 * Fails (err filled, @p out emptied) when the plugin fails or adds a path that is absolute,
 * has a ".." or empty component, or is added twice.
 */
int exo_generator_run(const exo_plugin_t *p, const json_t *model, exo_genset_t *out,
                      exo_error_t *err);

/** True when @p path is a relative path that cannot leave the directory it is joined to. */
bool exo_genpath_valid(const char *path);

/**
 * Write every file under @p out_dir (created with its parents), each atomically with its
 * mode. Refuses to write through a symbolic link inside @p out_dir. Files of earlier runs
 * that the generator no longer produces are left alone.
 */
int exo_genset_write(const exo_genset_t *set, const char *out_dir, exo_error_t *err);

/**
 * Compare with the disk: push onto @p drifted one line per file that is missing, differs or
 * has another mode ("PATH: missing" / "PATH: differs" / "PATH: mode 0644, expected 0600").
 * Returns the number of drifted files.
 */
size_t exo_genset_check(const exo_genset_t *set, const char *out_dir, exo_strv_t *drifted);

void exo_genset_free(exo_genset_t *set);

#endif /* EXO_CORE_GENERATOR_H */
