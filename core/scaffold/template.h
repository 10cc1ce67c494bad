/*
 * core/scaffold/template.h - scaffolding templates: finding them (core/scaffold/template.c), reading their
 * manifest (template.yml) and rendering their files/ tree into a directory
 * (core/scaffold/template_render.c). docs/templates.md is the author's guide.
 *
 * A template is a directory holding template.yml (name, description, kind, values) and files/.
 * Rendering substitutes {{name}} placeholders in file contents and names, refuses anything
 * that could write outside the target (links in the template, names that render to "..",
 * to an absolute path or to nested paths) and never runs anything from the template.
 *
 * Ownership: exo_template_t and exo_tvars_t own their strings; free them with their *_free.
 * Threading: none.
 */
#ifndef EXO_CORE_TEMPLATE_H
#define EXO_CORE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"
#include "base/util.h"

typedef enum exo_template_origin {
    EXO_TEMPLATE_APP,       /* <app>/.exo/templates */
    EXO_TEMPLATE_USER,      /* $XDG_DATA_HOME/exo/templates */
    EXO_TEMPLATE_INSTALLED, /* $(pkgdatadir)/templates, or $EXO_TEMPLATE_PATH */
    EXO_TEMPLATE_PATH       /* named by a path on the command line */
} exo_template_origin_t;

typedef enum exo_template_kind {
    EXO_TEMPLATE_KIND_APP,
    EXO_TEMPLATE_KIND_SERVICE
} exo_template_kind_t;

/** A value the template takes: {{name}} in its files. */
typedef struct exo_template_value {
    char *name;
    char *description;
    char *default_value; /* NULL: the user must give it */
} exo_template_value_t;

typedef struct exo_template {
    char *name;
    char *description;
    exo_template_kind_t kind;
    char *dir;           /* the template directory */
    char *manifest;      /* dir/template.yml */
    exo_template_origin_t origin;
    bool shadowed;       /* a template of the same name comes earlier in the search path */
    exo_template_value_t *values;
    size_t n_values;
} exo_template_t;

typedef struct exo_template_list {
    exo_template_t **items;
    size_t n;
} exo_template_list_t;

/** Placeholder values for one rendering. */
typedef struct exo_tvars {
    exo_strv_t names, values;
} exo_tvars_t;

const char *exo_template_origin_name(exo_template_origin_t origin);
const char *exo_template_kind_name(exo_template_kind_t kind);

/**
 * Read @p dir/template.yml. Problems go to @p diag as FILE:LINE:COLUMN (all of them).
 * Returns the template or NULL when any error was found.
 */
exo_template_t *exo_template_load(const char *dir, exo_template_origin_t origin, exo_diag_t *diag);
void exo_template_free(exo_template_t **t_p);

/**
 * Open the template directory @p dir (trailing slashes ignored) as a directory fd, refusing a
 * symbolic link there (O_NOFOLLOW): templates contain no links, their root included. Returns
 * the fd (the caller closes it) or -1 with an error in @p diag.
 */
int exo_template_open_root(const char *dir, exo_diag_t *diag);

/** The value named @p name, or NULL. */
const exo_template_value_t *exo_template_value(const exo_template_t *t, const char *name);

/**
 * The directories searched, in order, with their origins: @p app_dir/.exo/templates (when
 * @p app_dir is not NULL), the user's, the installed one. Missing directories are listed too.
 */
size_t exo_template_search_path(const char *app_dir, char *dirs[3],
                                exo_template_origin_t origins[3]);

/**
 * Every template in the search path, earlier directories first; later ones with the same
 * name are marked shadowed. Broken templates are reported to @p diag as warnings and skipped.
 */
void exo_template_list(const char *app_dir, exo_template_list_t *out, exo_diag_t *diag);
void exo_template_list_free(exo_template_list_t *list);

/**
 * The template @p name: a path when it holds a '/', else the first match in the search path.
 * NULL with an error in @p diag (naming close matches) when there is none or it is broken.
 */
exo_template_t *exo_template_find(const char *app_dir, const char *name, exo_diag_t *diag);

void exo_tvars_set(exo_tvars_t *v, const char *name, const char *value);
const char *exo_tvars_get(const exo_tvars_t *v, const char *name);
void exo_tvars_free(exo_tvars_t *v);

/**
 * Render @p t's files/ into the existing, empty directory @p dest with @p vars. Every problem
 * (unknown placeholder at FILE:LINE:COLUMN, a link, a name escaping @p dest) goes to @p diag.
 * Returns 0, or -1 when anything was reported; @p dest then holds a partial tree that the
 * caller removes (callers render into a temporary directory and rename it when done).
 */
int exo_template_render(const exo_template_t *t, const exo_tvars_t *vars, const char *dest,
                        exo_diag_t *diag);

/**
 * Substitute placeholders in @p text (@p len bytes). @p file names the source in diagnostics.
 * Returns a new string, or NULL after reporting to @p diag.
 */
char *exo_template_subst(const char *text, size_t len, const exo_tvars_t *vars,
                         const char *file, exo_diag_t *diag);

#endif /* EXO_CORE_TEMPLATE_H */
