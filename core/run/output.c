/* core/run/output.c - prefixed, coloured, JSON and per-role file output. See output.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

#include "base/log.h"
#include "output.h"
#include "base/util.h"
#include "model/statedir.h"

typedef struct role_file {
    char *role;
    FILE *f;
    bool opened;       /* tried to open f: files appear only for roles that print */
    unsigned colour;
} role_file_t;

struct exo_output {
    FILE *out;
    exo_output_format_t format;
    bool colour;
    bool dir_made;
    char *log_dir;
    size_t width;
    role_file_t *roles;
    size_t n_roles;
};

/* Bright, readable on dark and light terminals; red is left for errors. */
static const unsigned palette[] = {36, 32, 33, 35, 34, 96, 92, 93, 95, 94};

exo_output_t *exo_output_new(FILE *out, exo_output_format_t format, const char *log_dir)
{
    exo_output_t *o = exo_xcalloc(1, sizeof *o);
    o->out = out;
    o->format = format;
    o->colour = out != NULL && format == EXO_OUTPUT_TEXT && exo_use_color(fileno(out));
    o->log_dir = log_dir ? exo_xstrdup(log_dir) : NULL;
    o->width = 3; /* "exo" */
    return o;
}

void exo_output_destroy(exo_output_t **out_p)
{
    exo_output_t *o = *out_p;
    if (o == NULL) {
        return;
    }
    for (size_t i = 0; i < o->n_roles; i++) {
        if (o->roles[i].f != NULL) {
            fclose(o->roles[i].f);
        }
        free(o->roles[i].role);
    }
    free(o->roles);
    free(o->log_dir);
    free(o);
    *out_p = NULL;
}

static role_file_t *role_get(exo_output_t *o, const char *role)
{
    for (size_t i = 0; i < o->n_roles; i++) {
        if (strcmp(o->roles[i].role, role) == 0) {
            return &o->roles[i];
        }
    }
    o->roles = exo_xrealloc(o->roles, (o->n_roles + 1) * sizeof *o->roles);
    role_file_t *r = &o->roles[o->n_roles];
    r->role = exo_xstrdup(role);
    r->colour = strcmp(role, "exo") == 0 ? 1 : palette[(o->n_roles) % (sizeof palette /
                                                                     sizeof palette[0])];
    r->f = NULL;
    r->opened = false;
    o->n_roles++;
    if (strlen(role) > o->width) {
        o->width = strlen(role);
    }
    return r;
}

void exo_output_add_role(exo_output_t *o, const char *role)
{
    role_get(o, role);
}

static const char *stream_name(int stream)
{
    switch (stream) {
    case EXO_OUT_STDOUT: return "stdout";
    case EXO_OUT_STDERR: return "stderr";
    case EXO_OUT_BUS: return "bus";
    default: return "exo";
    }
}

static void timestamp(char *buf, size_t n)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, n - k, ".%03dZ", (int)(tv.tv_usec / 1000));
}

/* Length of the valid UTF-8 sequence at @p p (at most @p n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : (p[0] >> 5) == 0x6 ? 2 : (p[0] >> 4) == 0xe ? 3
               : (p[0] >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || len > n || (len == 2 && p[0] < 0xc2)) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return len;
}

/* JSON strings must be UTF-8: a service's stray bytes become U+FFFD instead of losing the
 * line. New string. */
static char *utf8_clean(const char *line, size_t len)
{
    exo_buf_t b = {0};
    const unsigned char *p = (const unsigned char *)line;
    for (size_t i = 0; i < len;) {
        size_t k = p[i] == 0 ? 0 : utf8_seq(p + i, len - i);
        if (k == 0) {
            exo_buf_puts(&b, "\xef\xbf\xbd");
            i++;
        } else {
            exo_buf_append(&b, line + i, k);
            i += k;
        }
    }
    if (b.data == NULL) {
        return exo_xstrdup("");
    }
    return b.data;
}

static FILE *log_file(exo_output_t *o, role_file_t *r)
{
    if (r->opened || o->log_dir == NULL) {
        return r->f;
    }
    r->opened = true;
    if (!o->dir_made) {
        o->dir_made = true;
        if (exo_statedir_mkdir(o->log_dir) < 0) {
            exo_warn("cannot create %s (%s); logs are not kept", o->log_dir, strerror(errno));
            free(o->log_dir);
            o->log_dir = NULL;
            return NULL;
        }
    }
    char *name = exo_statedir_log_file(o->log_dir, r->role);
    r->f = fopen(name, "we");
    if (r->f != NULL) {
        /* Fully buffered: emit() flushes after each line, exo_output_line_buffered() leaves
         * bursts for exo_output_flush(). */
        setvbuf(r->f, NULL, _IOFBF, 0);
    }
    free(name);
    return r->f;
}

static void emit(exo_output_t *o, role_file_t *r, int stream, const char *line, size_t len,
                 bool flush)
{
    char ts[40];
    timestamp(ts, sizeof ts);
    if (log_file(o, r) != NULL) {
        fprintf(r->f, "%s %s %.*s\n", ts, stream_name(stream), (int)len, line);
        if (flush) {
            fflush(r->f);
        }
    }
    if (o->out == NULL) {
        return;
    }
    if (o->format == EXO_OUTPUT_JSON) {
        char *clean = utf8_clean(line, len);
        json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "time", ts, "role", r->role, "stream",
                              stream_name(stream), "line", clean);
        free(clean);
        if (j != NULL) {
            char *s = json_dumps(j, JSON_COMPACT);
            if (s != NULL) {
                fprintf(o->out, "%s\n", s);
                free(s);
            }
            json_decref(j);
        }
    } else if (o->colour) {
        const char *err_on = stream == EXO_OUT_STDERR ? "\033[31m" : "";
        const char *err_off = stream == EXO_OUT_STDERR ? "\033[0m" : "";
        fprintf(o->out, "\033[%um%*s\033[0m | %s%.*s%s\n", r->colour, (int)o->width, r->role,
                err_on, (int)len, line, err_off);
    } else {
        fprintf(o->out, "%*s | %.*s\n", (int)o->width, r->role, (int)len, line);
    }
    if (flush) {
        fflush(o->out);
    }
}

void exo_output_line(exo_output_t *o, const char *role, int stream, const char *line,
                     size_t len)
{
    emit(o, role_get(o, role), stream, line, len, true);
}

void exo_output_line_buffered(exo_output_t *o, const char *role, int stream, const char *line,
                              size_t len)
{
    emit(o, role_get(o, role), stream, line, len, false);
}

void exo_output_flush(exo_output_t *o)
{
    for (size_t i = 0; i < o->n_roles; i++) {
        if (o->roles[i].f != NULL) {
            fflush(o->roles[i].f);
        }
    }
    if (o->out != NULL) {
        fflush(o->out);
    }
}

void exo_output_status(exo_output_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = exo_vstrdupf(fmt, ap);
    va_end(ap);
    emit(o, role_get(o, "exo"), EXO_OUT_EXO, s, strlen(s), true);
    free(s);
}

void exo_output_role_status(exo_output_t *o, const char *role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = exo_vstrdupf(fmt, ap);
    va_end(ap);
    char *line = exo_strdupf("%s %s", role, s);
    emit(o, role_get(o, "exo"), EXO_OUT_EXO, line, strlen(line), true);
    role_file_t *r = role_get(o, role);
    if (log_file(o, r) != NULL) {
        char ts[40];
        timestamp(ts, sizeof ts);
        fprintf(r->f, "%s exo %s\n", ts, line);
        fflush(r->f);
    }
    free(line);
    free(s);
}

void exo_output_line_masked(exo_output_t *o, const char *role, int stream,
                            const exo_strv_t *secrets, const char *line, size_t len)
{
    if (secrets->n == 0) {
        exo_output_line(o, role, stream, line, len);
        return;
    }
    char *text = exo_xstrndup(line, len);
    for (size_t i = 0; i < secrets->n; i++) {
        const char *sec = secrets->v[i];
        size_t sl = strlen(sec);
        char *hit;
        while ((hit = strstr(text, sec)) != NULL) {
            char *next = exo_strdupf("%.*s******%s", (int)(hit - text), text, hit + sl);
            free(text);
            text = next;
        }
    }
    exo_output_line(o, role, stream, text, strlen(text));
    free(text);
}
