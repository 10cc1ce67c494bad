/*
 * plugins/backend-common/ctrutil.h - small helpers the container backends (docker, podman)
 * share: a growable buffer, string helpers and a queue of work waiting for an engine slot. Header-only and static, because a plugin links
 * nothing from exo and exports nothing but exo_plugin_describe. Out of memory aborts: a
 * backend cannot do anything useful without it. Threading: reentrant.
 */
#ifndef EXO_PLUGINS_CTRUTIL_H
#define EXO_PLUGINS_CTRUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static inline char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (d == NULL) {
        abort();
    }
    return d;
}

static inline char *xprintf(const char *fmt, ...) EXO_PRINTF(1, 2);
static inline char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
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

#endif /* EXO_PLUGINS_CTRUTIL_H */
