/* core/run/masker.c - multi-secret masking. See masker.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "masker.h"

typedef struct secret {
    char *value;
    size_t len;
} secret_t;

struct exo_masker {
    secret_t *secrets;   /* longest first */
    size_t n;
    /* by_first[c]: indices of the secrets starting with byte c, longest first; -1 ends */
    int *by_first[256];
};

exo_masker_t *exo_masker_new(void)
{
    return exo_xcalloc(1, sizeof(exo_masker_t));
}

static void index_free(exo_masker_t *m)
{
    for (int c = 0; c < 256; c++) {
        free(m->by_first[c]);
        m->by_first[c] = NULL;
    }
}

void exo_masker_destroy(exo_masker_t **m_p)
{
    exo_masker_t *m = *m_p;
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        free(m->secrets[i].value);
    }
    free(m->secrets);
    index_free(m);
    free(m);
    *m_p = NULL;
}

/* Rebuild by_first after an addition (secrets are added a few times per run, not per line). */
static void reindex(exo_masker_t *m)
{
    index_free(m);
    size_t count[256] = {0};
    for (size_t i = 0; i < m->n; i++) {
        count[(unsigned char)m->secrets[i].value[0]]++;
    }
    size_t fill[256] = {0};
    for (size_t i = 0; i < m->n; i++) {
        unsigned char c = (unsigned char)m->secrets[i].value[0];
        if (m->by_first[c] == NULL) {
            m->by_first[c] = exo_xcalloc(count[c] + 1, sizeof(int));
        }
        m->by_first[c][fill[c]++] = (int)i;
        m->by_first[c][fill[c]] = -1;
    }
}

static void add_one(exo_masker_t *m, const char *value)
{
    size_t len = strlen(value);
    if (len < EXO_MASK_MIN_LEN) {
        return;
    }
    size_t at = m->n;
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->secrets[i].value, value) == 0) {
            return;
        }
        if (at == m->n && m->secrets[i].len < len) {
            at = i;
        }
    }
    m->secrets = exo_xrealloc(m->secrets, (m->n + 1) * sizeof *m->secrets);
    memmove(m->secrets + at + 1, m->secrets + at, (m->n - at) * sizeof *m->secrets);
    m->secrets[at] = (secret_t){.value = exo_xstrdup(value), .len = len};
    m->n++;
    reindex(m);
}

/* The value as it appears inside a JSON string. */
static char *json_form(const char *value)
{
    exo_buf_t b = {0};
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\') {
            exo_buf_append(&b, "\\", 1);
        }
        exo_buf_append(&b, p, 1);
    }
    return b.data;
}

void exo_masker_add(exo_masker_t *m, const char *secret)
{
    add_one(m, secret);
    char *j = json_form(secret);
    if (j != NULL) {
        add_one(m, j);
    }
    free(j);
}

void exo_masker_add_all(exo_masker_t *m, const exo_strv_t *secrets)
{
    for (size_t i = 0; secrets != NULL && i < secrets->n; i++) {
        exo_masker_add(m, secrets->v[i]);
    }
}

bool exo_masker_empty(const exo_masker_t *m)
{
    return m == NULL || m->n == 0;
}

/* The length of the longest secret at @p text (of @p left bytes), 0 when none. */
static size_t match_at(const exo_masker_t *m, const char *text, size_t left)
{
    const int *cand = m->by_first[(unsigned char)text[0]];
    for (size_t k = 0; cand != NULL && cand[k] >= 0; k++) {
        const secret_t *s = &m->secrets[cand[k]];
        if (s->len <= left && memcmp(text, s->value, s->len) == 0) {
            return s->len;
        }
    }
    return 0;
}

char *exo_masker_apply(const exo_masker_t *m, const char *text, size_t len, size_t *out_len)
{
    exo_buf_t b = {0};
    exo_buf_append(&b, "", 0);
    size_t plain = 0; /* start of the text not yet copied */
    for (size_t i = 0; m != NULL && i < len;) {
        size_t hit = match_at(m, text + i, len - i);
        if (hit == 0) {
            i++;
            continue;
        }
        exo_buf_append(&b, text + plain, i - plain);
        exo_buf_puts(&b, EXO_MASK_TEXT);
        i += hit;
        plain = i;
    }
    exo_buf_append(&b, text + plain, len - plain);
    if (out_len != NULL) {
        *out_len = b.len;
    }
    if (b.data == NULL) {
        return exo_xstrdup("");
    }
    return b.data;
}

size_t exo_masker_held(const exo_masker_t *m, const char *text, size_t len)
{
    if (m == NULL || m->n == 0) {
        return 0;
    }
    size_t longest = m->secrets[0].len;
    size_t from = len >= longest ? len - longest + 1 : 0;
    for (size_t i = from; i < len; i++) {
        const int *cand = m->by_first[(unsigned char)text[i]];
        for (size_t k = 0; cand != NULL && cand[k] >= 0; k++) {
            const secret_t *s = &m->secrets[cand[k]];
            if (s->len > len - i && memcmp(text + i, s->value, len - i) == 0) {
                return len - i;
            }
        }
    }
    return 0;
}
