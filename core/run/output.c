/* core/run/output.c - prefixed, coloured, JSON and per-role file output. See output.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/log.h"
#include "output.h"
#include "base/util.h"
#include "model/app.h"
#include "model/statedir.h"
#include "masker.h"

typedef struct role_file {
    char *role;
    FILE *f;
    bool opened;       /* tried to open f: files appear only for roles that print */
    size_t written;    /* bytes in f: it rotates past the output's max_log */
    unsigned colour;
    exo_buf_t held[2]; /* stdout, stderr: the end of a split line that may begin a secret */
} role_file_t;

struct exo_output {
    FILE *out;
    exo_output_format_t format;
    bool colour;
    bool dir_made;
    char *log_dir;
    size_t width;
    size_t max_log;
    exo_masker_t *masker;
    role_file_t *roles;
    size_t n_roles;
    exo_output_tap_fn tap;
    void *tap_arg;
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
    o->max_log = EXO_LOG_MAX_SIZE_DEFAULT;
    o->masker = exo_masker_new();
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
        exo_buf_free(&o->roles[i].held[0]);
        exo_buf_free(&o->roles[i].held[1]);
    }
    exo_masker_destroy(&o->masker);
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
    r->written = 0;
    r->held[0] = r->held[1] = (exo_buf_t){0};
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

const char *exo_output_stream_name(int stream)
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

/* Logs hold what the services print, secrets and all: the user's alone (0600). */
static FILE *open_log(const char *name)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return NULL;
    }
    fchmod(fd, 0600); /* a log left by an older exo */
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return NULL;
    }
    /* Fully buffered: emit() flushes after each line, exo_output_line_buffered() leaves
     * bursts for exo_output_flush(). */
    setvbuf(f, NULL, _IOFBF, 0);
    return f;
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
    char *older = exo_strdupf("%s.1", name);
    unlink(older); /* an earlier run's: the logs are this run's */
    free(older);
    r->f = open_log(name);
    free(name);
    return r->f;
}

/* Past max_log bytes: ROLE.log becomes ROLE.log.1 (replacing the older one) and a new
 * ROLE.log starts, so a role keeps at most twice max_log on disk. */
static void rotate_if_full(exo_output_t *o, role_file_t *r, size_t adding)
{
    if (r->f == NULL || r->written == 0 || r->written + adding <= o->max_log) {
        return;
    }
    fclose(r->f);
    char *name = exo_statedir_log_file(o->log_dir, r->role);
    char *old = exo_strdupf("%s.1", name);
    if (rename(name, old) != 0) {
        unlink(name);
    }
    r->f = open_log(name);
    r->written = 0;
    free(old);
    free(name);
}

/* One line into the role's log, rotating it first when it would grow past max_log. */
static void log_line(exo_output_t *o, role_file_t *r, const char *ts, const char *what,
                     const char *line, size_t len, bool flush)
{
    if (log_file(o, r) == NULL) {
        return;
    }
    rotate_if_full(o, r, strlen(ts) + strlen(what) + len + 3);
    if (r->f == NULL) {
        return;
    }
    int n = fprintf(r->f, "%s %s %.*s\n", ts, what, (int)len, line);
    r->written += n > 0 ? (size_t)n : 0;
    if (flush) {
        fflush(r->f);
    }
}

static void emit_masked(exo_output_t *o, role_file_t *r, int stream, const char *line,
                        size_t len, bool flush);

/* Every line goes through the app's masker, whoever printed it. */
static void emit(exo_output_t *o, role_file_t *r, int stream, const char *line, size_t len,
                 bool flush)
{
    if (exo_masker_empty(o->masker)) {
        emit_masked(o, r, stream, line, len, flush);
        return;
    }
    size_t mlen;
    char *masked = exo_masker_apply(o->masker, line, len, &mlen);
    emit_masked(o, r, stream, masked, mlen, flush);
    free(masked);
}

static void emit_masked(exo_output_t *o, role_file_t *r, int stream, const char *line,
                        size_t len, bool flush)
{
    char ts[40];
    timestamp(ts, sizeof ts);
    log_line(o, r, ts, exo_output_stream_name(stream), line, len, flush);
    if (o->tap != NULL) {
        o->tap(o->tap_arg, r->role, stream, line, len);
    }
    if (o->out == NULL) {
        return;
    }
    if (o->format == EXO_OUTPUT_JSON) {
        char *clean = utf8_clean(line, len);
        json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "time", ts, "role", r->role, "stream",
                              exo_output_stream_name(stream), "line", clean);
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
    char *masked = exo_masker_apply(o->masker, line, strlen(line), NULL);
    char ts[40];
    timestamp(ts, sizeof ts);
    log_line(o, role_get(o, role), ts, "exo", masked, strlen(masked), true);
    free(masked);
    free(line);
    free(s);
}

void exo_output_set_max_log(exo_output_t *o, size_t bytes)
{
    o->max_log = bytes;
}

void exo_output_add_secrets(exo_output_t *o, const exo_strv_t *secrets)
{
    exo_masker_add_all(o->masker, secrets);
}

const exo_masker_t *exo_output_masker(const exo_output_t *o)
{
    return o->masker;
}

void exo_output_unit_line(exo_output_t *o, const char *role, int stream, const char *line,
                          size_t len)
{
    role_file_t *r = role_get(o, role);
    exo_buf_t *held = &r->held[stream == EXO_OUT_STDERR ? 1 : 0];
    if (held->len == 0 && (len < EXO_OUTPUT_PIECE || exo_masker_empty(o->masker))) {
        emit(o, r, stream, line, len, true);
        return;
    }
    /* A piece of a longer line (or the rest of one): mask it with what the last piece held
     * back, and hold back its own end when that may be the start of a secret. */
    exo_buf_t text = {0};
    exo_buf_append(&text, held->data ? held->data : "", held->len);
    exo_buf_append(&text, line, len);
    held->len = 0;
    size_t mlen;
    char *masked = exo_masker_apply(o->masker, text.data, text.len, &mlen);
    exo_buf_free(&text);
    size_t keep = len >= EXO_OUTPUT_PIECE ? exo_masker_held(o->masker, masked, mlen) : 0;
    if (keep > 0) {
        exo_buf_append(held, masked + mlen - keep, keep);
    }
    emit_masked(o, r, stream, masked, mlen - keep, true);
    free(masked);
}

void exo_output_set_tap(exo_output_t *o, exo_output_tap_fn fn, void *arg)
{
    o->tap = fn;
    o->tap_arg = arg;
}

void exo_output_colours(exo_output_t *o, void (*fn)(void *arg, const char *role, unsigned colour),
                        void *arg)
{
    role_get(o, "exo");
    for (size_t i = 0; i < o->n_roles; i++) {
        fn(arg, o->roles[i].role, o->roles[i].colour);
    }
}

unsigned exo_output_colour(exo_output_t *o, const char *role)
{
    return role_get(o, role)->colour;
}
