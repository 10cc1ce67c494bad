/*
 * core/run/masker.h - hides every secret of an app in text: one masker per session holds the
 * secret values of every service and resource (exo_unitenv_secrets), and every line exo
 * prints, logs or tails goes through it, whoever printed it (a secret of role a printed by
 * role b is hidden too).
 *
 * Each occurrence becomes "******". Values shorter than EXO_MASK_MIN_LEN bytes are not
 * masked: they would hide ordinary words and numbers. A value is also matched in its JSON
 * string form (quotes and backslashes escaped), as payloads appear in `exo tail --json`.
 * Matching is a multi-search: at each byte only the secrets starting with that byte are
 * compared, longest first, so the cost is one pass over the line for any number of secrets.
 *
 * Lines split into pieces by a backend: exo_masker_held() tells how much of a piece's end
 * could be the start of a secret, to hold back and prepend to the next piece (output.c).
 *
 * Ownership: the masker owns copies of its secrets. Threading: loop thread only.
 */
#ifndef EXO_CORE_MASKER_H
#define EXO_CORE_MASKER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/** Shorter values are not masked (see above). */
#define EXO_MASK_MIN_LEN 4
/** What a secret becomes. */
#define EXO_MASK_TEXT "******"

typedef struct exo_masker exo_masker_t;

exo_masker_t *exo_masker_new(void);
void exo_masker_destroy(exo_masker_t **m_p);

/** Add @p secret (and its JSON string form); a value already known or too short is
 *  ignored. */
void exo_masker_add(exo_masker_t *m, const char *secret);
/** Add every value of @p secrets. */
void exo_masker_add_all(exo_masker_t *m, const exo_strv_t *secrets);
/** Whether there is anything to mask. */
bool exo_masker_empty(const exo_masker_t *m);

/** @p text with every secret replaced: a new NUL-terminated string, its length in
 *  @p out_len (may be NULL). */
char *exo_masker_apply(const exo_masker_t *m, const char *text, size_t len, size_t *out_len);

/** The length of the longest end of @p text that is the beginning (not the whole) of a
 *  secret: what to hold back when the text continues in a next piece. */
size_t exo_masker_held(const exo_masker_t *m, const char *text, size_t len);

#endif /* EXO_CORE_MASKER_H */
