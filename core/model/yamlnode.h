/*
 * core/model/yamlnode.h - a YAML file read with libyaml into a small tree of scalars, maps and
 * sequences that remembers where every node (and every map key) was written, so that the
 * manifest validator can point at the offending text.
 *
 * Only what a manifest needs: one document, string keys, no anchors or aliases (refused with an
 * error), no duplicate keys (an error; the later entry is dropped). Scalars keep their text as
 * written; `plain` tells an unquoted scalar (which may mean a number, bool or null) from a
 * quoted string.
 *
 * Ownership: the tree owns all its strings and children; exo_ynode_free() frees everything.
 * Threading: none needed; a tree is built and read by one thread.
 */
#ifndef EXO_CORE_YAMLNODE_H
#define EXO_CORE_YAMLNODE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "diag.h"

typedef enum exo_ynode_kind {
    EXO_YNODE_SCALAR,
    EXO_YNODE_MAP,
    EXO_YNODE_SEQ
} exo_ynode_kind_t;

typedef struct exo_ynode exo_ynode_t;

typedef struct exo_ypair {
    exo_ynode_t *key;   /* always a scalar */
    exo_ynode_t *value;
} exo_ypair_t;

struct exo_ynode {
    exo_ynode_kind_t kind;
    int line, column;   /* 1-based */
    char *value;        /* scalar text ("" for an empty value) */
    bool plain;         /* scalar written without quotes or block style */
    exo_ypair_t *pairs; /* map entries, in file order */
    exo_ynode_t **items; /* sequence items */
    size_t n;           /* number of pairs or items */
};

/**
 * Parse @p path. Syntax errors, duplicate keys, anchors and aliases are reported to @p diag as
 * PATH:LINE:COLUMN: error: ... Returns the root node (an empty plain scalar for an empty file),
 * or NULL when the file cannot be read or is not valid YAML. A non-NULL result may still come
 * with errors (e.g. duplicate keys); check diag->errors.
 */
exo_ynode_t *exo_yaml_load(const char *path, exo_diag_t *diag);

/** Same, from a string; @p name is the file name used in diagnostics. */
exo_ynode_t *exo_yaml_parse(const char *name, const char *text, size_t len, exo_diag_t *diag);

void exo_ynode_free(exo_ynode_t *node);

/**
 * Whether libyaml's "found character that cannot start any token" at (@p line, @p column)
 * (0-based, as in yaml_mark_t) of @p text is a tab used for indentation: a tab with nothing
 * but blanks before it on its line. Then say EXO_YAML_TAB_PROBLEM instead.
 */
bool exo_yaml_tab_indentation(const char *text, size_t len, size_t line, size_t column);
#define EXO_YAML_TAB_PROBLEM "tab characters are not allowed for indentation"

/** The pair whose key is @p key in map @p map, or NULL (also when @p map is not a map). */
const exo_ypair_t *exo_ynode_pair(const exo_ynode_t *map, const char *key);
/** The value of @p key in @p map, or NULL. */
const exo_ynode_t *exo_ynode_get(const exo_ynode_t *map, const char *key);

/** True for an empty plain scalar or plain ~ / null / Null / NULL. */
bool exo_ynode_is_null(const exo_ynode_t *node);

/** "a string", "a map", "a list" - for messages such as "must be a map, not a list". */
const char *exo_ynode_kind_name(const exo_ynode_t *node);

/**
 * The node as JSON: maps become objects, sequences arrays; plain scalars that read as YAML
 * 1.2 core-schema null, bool, integer or float become those types, every other scalar a
 * string. New reference.
 */
json_t *exo_ynode_to_json(const exo_ynode_t *node);

#endif /* EXO_CORE_YAMLNODE_H */
