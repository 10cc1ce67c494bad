/* core/run/starttimes.c - see starttimes.h. */
#include "starttimes.h"

#include <errno.h>
#include <stdlib.h>

#include "base/util.h"
#include "model/statedir.h"

void exo_starttimes_load(exo_starttimes_t *t, const char *exo_dir)
{
    t->times = NULL;
    t->dirty = false;
    if (exo_dir != NULL) {
        char *path = exo_statedir_start_times(exo_dir);
        json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
        free(path);
        if (json_is_object(j)) {
            t->times = j;
        } else {
            json_decref(j);
        }
    }
    if (t->times == NULL) {
        t->times = json_object();
    }
}

unsigned long long exo_starttimes_get(const exo_starttimes_t *t, const char *name)
{
    json_t *v = json_object_get(t->times, name);
    /* Anything but a non-negative integer is taken as unknown (a hand-edited file). */
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        return 0;
    }
    return (unsigned long long)json_integer_value(v);
}

void exo_starttimes_set(exo_starttimes_t *t, const char *name, unsigned long long ms)
{
    json_t *v = json_object_get(t->times, name);
    if (json_is_integer(v) && json_integer_value(v) == (json_int_t)ms) {
        return;
    }
    json_object_set_new(t->times, name, json_integer((json_int_t)ms));
    t->dirty = true;
}

int exo_starttimes_save(exo_starttimes_t *t, const char *exo_dir)
{
    if (!t->dirty || exo_dir == NULL) {
        return 0;
    }
    char *text = json_dumps(t->times, JSON_SORT_KEYS | JSON_INDENT(2));
    if (text == NULL) {
        errno = ENOMEM;
        return -1;
    }
    char *path = exo_statedir_start_times(exo_dir);
    exo_buf_t b = {0};
    exo_buf_printf(&b, "%s\n", text);
    int rc = exo_write_file_mode(path, b.data, b.len, EXO_STATEDIR_FILE_MODE);
    exo_buf_free(&b);
    free(path);
    free(text);
    if (rc == 0) {
        t->dirty = false;
    }
    return rc;
}

void exo_starttimes_free(exo_starttimes_t *t)
{
    json_decref(t->times);
    t->times = NULL;
}

/* Start-ups that differ by less than this are the same for ordering: the difference is
 * noise, and the manifest order stays. */
#define ORDER_GRAIN_MS 100

static unsigned long long grain(const exo_starttimes_t *t, const char *name)
{
    return exo_starttimes_get(t, name) / ORDER_GRAIN_MS;
}

void exo_starttimes_order(const exo_starttimes_t *t, const char *const *names, size_t n,
                          size_t *order)
{
    /* Insertion sort: stable, and n is the number of units of one app. */
    for (size_t i = 0; i < n; i++) {
        unsigned long long g = grain(t, names[i]);
        size_t j = i;
        while (j > 0 && grain(t, names[order[j - 1]]) < g) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}
