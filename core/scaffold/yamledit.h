/*
 * core/scaffold/yamledit.h - edits application.yml as text: adds a service role without re-serialising
 * the document, so comments, key order, quoting and the indentation in use all survive.
 *
 * libyaml only locates things (the top-level `services` key, its value, the last line of its
 * last entry); the edit itself is a splice into the original bytes. The result is re-parsed
 * before it is returned, so a caller never writes a file the parser would reject.
 *
 * Ownership: returned strings are new and owned by the caller. Threading: reentrant.
 */
#ifndef EXO_CORE_YAMLEDIT_H
#define EXO_CORE_YAMLEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/plugin.h>

/**
 * Add `services.<role>.location: <location>` to the YAML document @p text.
 * Handles a missing `services:` key, an empty value (`services:`, `services: {}`, `~`), block
 * and flow mappings, and follows the document's indentation and line endings.
 * Returns 0 and sets *out (new string), or EXO_ERR_EXISTS when the role is there already,
 * EXO_ERR_INVALID when the text is not a mapping document libyaml accepts (err says where).
 */
int exo_yamledit_add_service(const char *text, const char *role, const char *location,
                             char **out, exo_error_t *err);

/**
 * True when the top-level mapping of @p text has services.<role>. False for bad YAML too.
 */
bool exo_yamledit_has_service(const char *text, const char *role);

/** The top-level scalar @p key of @p text as a new string, or NULL (absent, not a scalar). */
char *exo_yamledit_get_scalar(const char *text, const char *key);

#endif /* EXO_CORE_YAMLEDIT_H */
