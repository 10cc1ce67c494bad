/* yamlout.c - sorted block YAML from JSON; see yamlout.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "yamlout.h"

static void scalar(exo_buf_t *out, const json_t *v, unsigned flags)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *escaped = NULL;
        if ((flags & YAMLOUT_ESCAPE_DOLLAR) && strchr(s, '$') != NULL) {
            exo_buf_t b = {0};
            for (const char *p = s; *p; p++) {
                exo_buf_append(&b, p, 1);
                if (*p == '$') {
                    exo_buf_append(&b, "$", 1);
                }
            }
            s = escaped = b.data;
        }
        json_t *str = json_string(s);
        char *text = json_dumps(str, JSON_ENCODE_ANY);
        exo_buf_puts(out, text);
        free(text);
        json_decref(str);
        free(escaped);
    } else if (json_is_integer(v)) {
        exo_buf_printf(out, "%lld", (long long)json_integer_value(v));
    } else if (json_is_boolean(v)) {
        exo_buf_puts(out, json_is_true(v) ? "true" : "false");
    } else if (json_is_object(v)) {
        exo_buf_puts(out, "{}");
    } else if (json_is_array(v)) {
        exo_buf_puts(out, "[]");
    } else {
        exo_buf_puts(out, "null");
    }
}

/* Words YAML 1.1 readers (PyYAML, docker-compose v1) take for booleans or null. */
static bool special_word(const char *k)
{
    static const char *const words[] = {"y", "n", "yes", "no", "on", "off", "true", "false",
                                        "null", NULL};
    for (size_t i = 0; words[i] != NULL; i++) {
        if (strcasecmp(k, words[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* A key as written: plain when it cannot be read as anything but a string. */
static void key(exo_buf_t *out, const char *k)
{
    bool plain = k[0] != '\0' && strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-.") == strlen(k) &&
                 ((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_') &&
                 !special_word(k);
    if (plain) {
        exo_buf_puts(out, k);
    } else {
        json_t *s = json_string(k);
        char *text = json_dumps(s, JSON_ENCODE_ANY);
        exo_buf_puts(out, text);
        free(text);
        json_decref(s);
    }
}

static bool is_block(const json_t *v)
{
    return (json_is_object(v) && json_object_size(v) > 0) ||
           (json_is_array(v) && json_array_size(v) > 0);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void value(exo_buf_t *out, const json_t *v, int indent, unsigned flags);

/* What follows "key:" or "-": a scalar on the same line, or a block indented below. */
static void after_marker(exo_buf_t *out, const json_t *v, int indent, unsigned flags)
{
    if (is_block(v)) {
        exo_buf_puts(out, "\n");
        value(out, v, indent + 2, flags);
    } else {
        exo_buf_puts(out, " ");
        scalar(out, v, flags);
        exo_buf_puts(out, "\n");
    }
}

static void seq(exo_buf_t *out, const json_t *arr, int indent, unsigned flags)
{
    size_t i;
    const json_t *item;
    json_array_foreach(arr, i, item) {
        exo_buf_printf(out, "%*s-", indent, "");
        after_marker(out, item, indent, flags);
    }
}

static void value(exo_buf_t *out, const json_t *v, int indent, unsigned flags)
{
    if (json_is_object(v)) {
        yamlout_map(out, v, indent, flags);
    } else {
        seq(out, v, indent, flags);
    }
}

void yamlout_map(exo_buf_t *out, const json_t *map, int indent, unsigned flags)
{
    size_t n = json_object_size(map), i = 0;
    const char **keys = exo_xcalloc(n + 1, sizeof *keys);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)map, k, v) {
        keys[i++] = k;
    }
    qsort(keys, n, sizeof *keys, by_key);
    for (i = 0; i < n; i++) {
        v = json_object_get(map, keys[i]);
        exo_buf_printf(out, "%*s", indent, "");
        key(out, keys[i]);
        exo_buf_puts(out, ":");
        after_marker(out, v, indent, flags);
    }
    free(keys);
}
