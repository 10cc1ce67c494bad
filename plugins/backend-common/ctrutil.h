/*
 * plugins/backend-common/ctrutil.h - small helpers the container backends (docker, podman)
 * share: a growable buffer, output line splitting, string helpers, a queue of work waiting for
 * an engine slot and the services.<role>.options they understand. Header-only and static,
 * because a plugin links nothing from exo and exports nothing but exo_plugin_describe. Out of
 * memory aborts: a backend cannot do anything useful without it. Threading: reentrant.
 */
#ifndef EXO_PLUGINS_CTRUTIL_H
#define EXO_PLUGINS_CTRUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include <exo/plugin.h>

typedef struct ctr_buf {
    char *data;
    size_t len, cap;
} ctr_buf_t;

static inline void buf_add(ctr_buf_t *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            abort();
        }
        b->data = d;
        b->cap = cap;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void buf_str(ctr_buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static inline void buf_consume(ctr_buf_t *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    if (b->data) {
        b->data[b->len] = '\0';
    }
}

static inline void buf_free(ctr_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

#define CTR_MAX_LINE 65536 /* longer output lines are split */

/* Output arrives in arbitrary pieces; units see whole lines, without their "\r\n" or "\n". */
typedef void (*ctr_line_fn)(void *arg, int stream, const char *line, size_t len);

/* Append @p p to the partial line in @p part and hand every completed line to @p fn. */
static inline void ctr_lines_feed(ctr_buf_t *part, int stream, const char *p, size_t n,
                                  ctr_line_fn fn, void *arg)
{
    buf_add(part, p, n);
    size_t start = 0;
    for (size_t i = 0; i < part->len; i++) {
        if (part->data[i] == '\n' || i - start >= CTR_MAX_LINE) {
            size_t end = i;
            if (end > start && part->data[end - 1] == '\r') {
                end--;
            }
            fn(arg, stream, part->data + start, end - start);
            start = i + 1;
        }
    }
    buf_consume(part, start);
}

/* The stream ended: hand on an unterminated last line and free @p part. */
static inline void ctr_lines_flush(ctr_buf_t *part, int stream, ctr_line_fn fn, void *arg)
{
    if (part->len > 0) {
        fn(arg, stream, part->data, part->len);
    }
    buf_free(part);
}

static inline char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (d == NULL) {
        abort();
    }
    return d;
}

static inline char *xvprintf(const char *fmt, va_list ap) EXO_PRINTF(1, 0);
static inline char *xvprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
    return s;
}

static inline char *xprintf(const char *fmt, ...) EXO_PRINTF(1, 2);
static inline char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* Docker names: lower-case [a-z0-9-], never empty. */
static inline char *sanitize(const char *s)
{
    ctr_buf_t b = {0};
    for (; s && *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            buf_add(&b, &c, 1);
        } else if (c == '_' || c == '.' || c == ' ') {
            buf_add(&b, "-", 1);
        }
    }
    if (b.len == 0) {
        buf_str(&b, "app");
    }
    return b.data;
}

/*
 * Work for the engine that must not all run at once (container creates): at most `limit`
 * items in flight, the others wait and are launched in the order they came, which is the
 * core's order of preference (the slowest unit first). Zero-initialise, then set limit.
 */
typedef struct ctr_queue {
    void **items;
    size_t head, n, cap;
    unsigned busy, limit;
} ctr_queue_t;

/* Take a slot for @p item (true: launch it now) or queue it (false). */
static inline bool ctr_queue_enter(ctr_queue_t *q, void *item)
{
    if (q->busy < q->limit) {
        q->busy++;
        return true;
    }
    if (q->head + q->n == q->cap) {
        if (q->head > 0) {
            memmove(q->items, q->items + q->head, q->n * sizeof *q->items);
            q->head = 0;
        } else {
            q->cap = q->cap ? q->cap * 2 : 16;
            q->items = realloc(q->items, q->cap * sizeof *q->items);
            if (q->items == NULL) {
                abort();
            }
        }
    }
    q->items[q->head + q->n++] = item;
    return false;
}

/*
 * One item's work is over (or failed to launch): free its slot and launch queued items while
 * slots are free. @p launch returns true when the item's work is now in flight, false when it
 * was not launched (it reported why itself). It may call ctr_queue_enter.
 */
static inline void ctr_queue_leave(ctr_queue_t *q, bool (*launch)(void *item))
{
    q->busy--;
    while (q->busy < q->limit && q->n > 0) {
        void *item = q->items[q->head++];
        q->n--;
        q->busy++;
        if (!launch(item)) {
            q->busy--;
        }
    }
}

static inline void ctr_queue_free(ctr_queue_t *q)
{
    free(q->items);
    q->items = NULL;
    q->head = q->n = q->cap = 0;
}

/*
 * services.<role>.options on a container backend: resource limits, applied by the engine.
 *   cpus:   number of CPUs, 0.01 up to this machine's count (docker --cpus)
 *   memory: bytes, or a number with B, KiB, MiB, GiB (K/M/G and KB/MB/GB taken as the
 *           binary units, as docker does), at least 6 MiB (docker --memory)
 * Anything else is an error naming the role, the option and what is known, so that a typo
 * does not silently run the service without its limit.
 */
typedef struct ctr_options {
    double cpus;                /* 0 = no limit */
    unsigned long long memory;  /* bytes; 0 = no limit */
} ctr_options_t;

#define CTR_MIN_MEMORY (6ull << 20)

static inline bool ctr_parse_memory(const json_t *v, unsigned long long *out)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            return false;
        }
        *out = (unsigned long long)json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (s == NULL || *s < '0' || *s > '9') {
        return false;
    }
    char *end = NULL;
    double n = strtod(s, &end);
    while (*end == ' ') {
        end++;
    }
    static const struct { const char *unit; double mul; } units[] = {
        {"", 1},          {"b", 1},          {"k", 1024.0},     {"kb", 1024.0},
        {"kib", 1024.0},  {"m", 1048576.0},  {"mb", 1048576.0}, {"mib", 1048576.0},
        {"g", 1073741824.0}, {"gb", 1073741824.0}, {"gib", 1073741824.0},
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bytes = n * units[i].mul;
            if (!(bytes >= 0 && bytes < 1.8e19)) {
                return false;
            }
            *out = (unsigned long long)(bytes + 0.5);
            return true;
        }
    }
    return false;
}

/* 0, or EXO_ERR_INVALID with a message for the user. */
static inline int ctr_parse_options(const char *engine, const char *unit, const json_t *opts,
                                    ctr_options_t *out, exo_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (opts == NULL || json_is_null(opts)) {
        return 0;
    }
    if (!json_is_object(opts)) {
        return exo_error_set(err, EXO_ERR_INVALID,
                             "%s: services.%s.options must be a map (known options: cpus, "
                             "memory)", engine, unit);
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)opts, key, v) {
        if (strcmp(key, "cpus") == 0) {
            long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
            double c = json_is_number(v) ? json_number_value(v) : -1;
            if (!(c >= 0.01 && c <= (double)(ncpu > 0 ? ncpu : 1))) {
                return exo_error_set(err, EXO_ERR_INVALID,
                                     "%s: services.%s.options.cpus must be a number from 0.01 "
                                     "to %ld (the CPUs of this machine), e.g. `cpus: 0.5`",
                                     engine, unit, ncpu > 0 ? ncpu : 1);
            }
            out->cpus = c;
        } else if (strcmp(key, "memory") == 0) {
            if (!ctr_parse_memory(v, &out->memory) || out->memory < CTR_MIN_MEMORY) {
                return exo_error_set(err, EXO_ERR_INVALID,
                                     "%s: services.%s.options.memory must be a size of at "
                                     "least 6MiB, in bytes or with a unit (B, KiB, MiB, GiB), "
                                     "e.g. `memory: 512MiB`", engine, unit);
            }
        } else {
            return exo_error_set(err, EXO_ERR_INVALID,
                                 "%s: services.%s.options has an unknown option '%s'; the "
                                 "container backends know: cpus, memory",
                                 engine, unit, key);
        }
    }
    return 0;
}

#endif /* EXO_PLUGINS_CTRUTIL_H */
