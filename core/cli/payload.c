/* core/cli/payload.c - the payload of `exo send` from an argument, stdin or a file; see
 * payload.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "cli.h"
#include "payload.h"

/* Raw input beyond this many times the max message size is not read at all: even a
 * pretty-printed payload that large cannot shrink under the limit. */
#define RAW_FACTOR 16

/* Where the payload comes from, for messages: "the payload file 'x.json'", "standard input". */
typedef struct source {
    char what[4200];
    const char *path; /* NULL for standard input */
} source_t;

/* Read @p f to its end, but at most @p cap bytes: *over is set when there was more. New
 * NUL-terminated buffer, or NULL with errno on a read error. */
static char *read_bounded(FILE *f, size_t cap, size_t *len, bool *over)
{
    exo_buf_t b = {0};
    char chunk[65536];
    size_t n;
    *over = false;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > cap) {
            *over = true;
            break;
        }
        exo_buf_append(&b, chunk, n);
    }
    if (!*over && ferror(f)) {
        int e = errno != 0 ? errno : EIO;
        exo_buf_free(&b);
        errno = e;
        return NULL;
    }
    *len = b.len;
    return b.data != NULL ? b.data : exo_xstrdup("");
}

static int too_large(const source_t *src, const char *size, size_t max_size)
{
    exo_error("%s is %s; the bus takes at most %zu bytes per message: send less, or "
              "raise bus.max-message-size in application.yml and restart exo run / exo bus",
              src->what, size, max_size);
    return EXO_EXIT_USER;
}

/* The text of @p src (opened here), or NULL after reporting why not. */
static char *read_source(const source_t *src, size_t max_size, size_t *len)
{
    if (src->path != NULL && exo_path_is_dir(src->path)) {
        exo_error("%s is a directory; give a file that holds the JSON payload", src->what);
        return NULL;
    }
    if (src->path == NULL && isatty(0)) {
        /* Someone typing: without this, exo seems to hang. */
        fprintf(stderr, "exo: reading the payload from standard input; end it with Ctrl-D\n");
    }
    FILE *f = src->path != NULL ? fopen(src->path, "rb") : stdin;
    if (f == NULL) {
        exo_error("cannot open %s: %s; check the name after @ (a relative path starts at "
                  "the current directory), or give - to read standard input", src->what,
                  strerror(errno));
        return NULL;
    }
    size_t cap = max_size > (size_t)-1 / RAW_FACTOR ? (size_t)-1 : max_size * RAW_FACTOR;
    bool over;
    char *text = read_bounded(f, cap, len, &over);
    int read_errno = errno;
    if (f != stdin) {
        fclose(f);
    }
    if (text == NULL) {
        exo_error("cannot read %s: %s", src->what, strerror(read_errno));
    } else if (over) {
        char *size = exo_strdupf("more than %zu bytes", cap);
        too_large(src, size, max_size);
        free(size);
        free(text);
        text = NULL;
    }
    return text;
}

/* Parse @p text read from @p src; NULL after reporting where it is not JSON. */
static json_t *parse_source(const source_t *src, const char *text, size_t len)
{
    if (strspn(text, " \t\r\n") == len) {
        exo_error("%s is empty; it must hold one JSON value, e.g. {\"id\": 1} (leave "
                  "the payload out to send none)", src->what);
        return NULL;
    }
    json_error_t jerr;
    json_t *payload = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
    if (payload == NULL) {
        exo_error("%s is not valid JSON: line %d, column %d: %s; fix it there (it must "
                  "hold one JSON value)", src->what, jerr.line, jerr.column, jerr.text);
    }
    return payload;
}

int exo_cli_payload(const char *cmd, const char *arg, size_t max_size, json_t **out)
{
    *out = NULL;
    json_t *payload = NULL;
    source_t src = {.path = NULL};
    if (strcmp(arg, "-") == 0 || arg[0] == '@') {
        if (arg[0] == '@' && arg[1] == '\0') {
            return exo_cli_usage_error(cmd, "'@' needs a file name: @payload.json");
        }
        src.path = arg[0] == '@' ? arg + 1 : NULL;
        if (src.path != NULL) {
            snprintf(src.what, sizeof src.what, "the payload file '%s'", src.path);
        } else {
            snprintf(src.what, sizeof src.what, "the payload on standard input");
        }
        size_t len = 0;
        char *text = read_source(&src, max_size, &len);
        payload = text != NULL ? parse_source(&src, text, len) : NULL;
        free(text);
        if (payload == NULL) {
            return EXO_EXIT_USER;
        }
    } else {
        json_error_t jerr;
        payload = json_loads(arg, JSON_DECODE_ANY, &jerr);
        if (payload == NULL) {
            return exo_cli_usage_error(cmd, "the payload is not valid JSON (column %d: %s); "
                                       "quote it for the shell, e.g. '{\"id\": 1}', or give "
                                       "@FILE or - (standard input)", jerr.column, jerr.text);
        }
        snprintf(src.what, sizeof src.what, "the payload");
    }
    /* The size the bus sees: the compact encoding the transport sends. */
    char *compact = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t size = compact != NULL ? strlen(compact) : 0;
    free(compact);
    if (size > max_size) {
        char *what = exo_strdupf("%zu bytes as compact JSON", size);
        too_large(&src, what, max_size);
        free(what);
        json_decref(payload);
        return EXO_EXIT_USER;
    }
    *out = payload;
    return 0;
}
