/* core/cli/options.c - the table-driven option parser and help printer; see options.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

/* Column where option help starts in --help, and the widest left part kept on its line. */
#define HELP_COLUMN 24

static bool is_option(const char *a)
{
    return a[0] == '-' && (a[1] == '-' || isalpha((unsigned char)a[1]));
}

static bool takes_value(const exo_option_t *o)
{
    return o->kind != EXO_OPT_FLAG;
}

static void *field(void *opts, const exo_option_t *o)
{
    return (char *)opts + o->offset;
}

static const exo_option_t *find_long(const exo_option_t *t, const char *name, size_t len)
{
    for (; t != NULL && t->name != NULL; t++) {
        if (strlen(t->name) == len && strncmp(t->name, name, len) == 0) {
            return t;
        }
    }
    return NULL;
}

static const exo_option_t *find_short(const exo_option_t *t, char c)
{
    for (; t != NULL && t->name != NULL; t++) {
        if (t->short_name != 0 && t->short_name == c) {
            return t;
        }
    }
    return NULL;
}

static exo_options_result_t unknown(const char *cmd, const exo_option_t *t, const char *arg)
{
    const char *names[64] = {"help"};
    size_t n = 1;
    for (; t != NULL && t->name != NULL && n < 64; t++) {
        names[n++] = t->name;
    }
    size_t len = strcspn(arg, "=");
    char *word = exo_xstrndup(arg + 2, len > 2 ? len - 2 : 0);
    const char *close = arg[1] == '-' ? exo_closest(word, names, n) : NULL;
    free(word);
    if (close != NULL) {
        exo_cli_usage_error(cmd, "unknown option '%.*s'; did you mean '--%s'?", (int)len, arg,
                            close);
    } else {
        exo_cli_usage_error(cmd, "unknown option '%.*s'", (int)len, arg);
    }
    return EXO_OPTIONS_ERROR;
}

/* Whether @p value is one of the '|'-separated words of @p choices. */
static bool is_choice(const char *choices, const char *value)
{
    size_t n = strlen(value);
    for (const char *c = choices; *c;) {
        size_t len = strcspn(c, "|");
        if (len == n && strncmp(c, value, n) == 0) {
            return true;
        }
        c += len + (c[len] == '|');
    }
    return false;
}

static void split_push(exo_strv_t *sv, const char *list)
{
    char *copy = exo_xstrdup(list);
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        exo_strv_push(sv, w);
    }
    free(copy);
}

/* Store @p value of option @p o; false after printing why it cannot be taken. */
static bool store(const char *cmd, const exo_option_t *o, const char *value, void *opts)
{
    if (o->kind == EXO_OPT_LIST) {
        exo_strv_push(field(opts, o), value);
        return true;
    }
    if (o->kind == EXO_OPT_WORDS) {
        split_push(field(opts, o), value);
        return true;
    }
    if (o->kind == EXO_OPT_CHOICE && !is_choice(o->value_name, value)) {
        exo_buf_t list = {0};
        for (const char *c = o->value_name; *c;) {
            size_t len = strcspn(c, "|");
            bool last = c[len] == '\0';
            exo_buf_printf(&list, "%s'%.*s'", c == o->value_name ? "" : last ? " or " : ", ",
                           (int)len, c);
            c += len + !last;
        }
        exo_cli_usage_error(cmd, "--%s takes %s, not '%s'", o->name, list.data, value);
        exo_buf_free(&list);
        return false;
    }
    const char **slot = field(opts, o);
    if (*slot != NULL && strcmp(*slot, value) != 0) {
        exo_cli_usage_error(cmd, "--%s given twice ('%s', then '%s'); give it once", o->name,
                            *slot, value);
        return false;
    }
    *slot = value;
    return true;
}

/* Parse the option in argv[*i]; advances *i past the values it takes. */
static exo_options_result_t parse_one(const char *cmd, const exo_option_t *t, int argc,
                                      char **argv, int *i, void *opts)
{
    const char *a = argv[*i];
    const exo_option_t *o;
    const char *value = NULL;
    if (a[1] == '-') {
        size_t len = strcspn(a + 2, "=");
        if (strncmp(a + 2, "help", len) == 0 && len == 4) {
            return EXO_OPTIONS_HELP;
        }
        o = find_long(t, a + 2, len);
        value = a[2 + len] == '=' ? a + 3 + len : NULL;
    } else {
        if (a[1] == 'h' && a[2] == '\0') {
            return EXO_OPTIONS_HELP;
        }
        o = find_short(t, a[1]);
        value = a[2] != '\0' ? a + 2 : NULL;
        if (o != NULL && !takes_value(o) && value != NULL) {
            o = NULL; /* -qx: short flags are not grouped */
        }
    }
    if (o == NULL) {
        return unknown(cmd, t, a);
    }
    if (!takes_value(o)) {
        if (value != NULL) {
            exo_cli_usage_error(cmd, "--%s takes no value", o->name);
            return EXO_OPTIONS_ERROR;
        }
        *(bool *)field(opts, o) = true;
        return EXO_OPTIONS_OK;
    }
    if (value == NULL) {
        if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
            exo_cli_usage_error(cmd, "missing the value of --%s %s", o->name, o->value_name);
            return EXO_OPTIONS_ERROR;
        }
        value = argv[++*i];
    }
    if (!store(cmd, o, value, opts)) {
        return EXO_OPTIONS_ERROR;
    }
    while (o->kind == EXO_OPT_WORDS && *i + 1 < argc && !is_option(argv[*i + 1])) {
        split_push(field(opts, o), argv[++*i]);
    }
    return EXO_OPTIONS_OK;
}

static bool given(const exo_option_t *o, void *opts)
{
    switch (o->kind) {
    case EXO_OPT_FLAG: return *(bool *)field(opts, o);
    case EXO_OPT_LIST:
    case EXO_OPT_WORDS: return ((exo_strv_t *)field(opts, o))->n > 0;
    default: return *(const char **)field(opts, o) != NULL;
    }
}

exo_options_result_t exo_options_parse(const char *cmd, const exo_option_t *table, int argc,
                                       char **argv, void *opts, exo_strv_t *args)
{
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || !is_option(a)) {
            exo_strv_push(args, a);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        exo_options_result_t r = parse_one(cmd, table, argc, argv, &i, opts);
        if (r != EXO_OPTIONS_OK) {
            return r;
        }
    }
    for (const exo_option_t *o = table; o != NULL && o->name != NULL; o++) {
        if ((o->flags & EXO_OPT_REQUIRED) && !given(o, opts)) {
            exo_cli_usage_error(cmd, "missing --%s %s: %s", o->name, o->value_name, o->help);
            return EXO_OPTIONS_ERROR;
        }
    }
    return EXO_OPTIONS_OK;
}

void exo_options_free(const exo_option_t *table, void *opts)
{
    for (const exo_option_t *o = table; opts != NULL && o != NULL && o->name != NULL; o++) {
        if (o->kind == EXO_OPT_LIST || o->kind == EXO_OPT_WORDS) {
            exo_strv_free(field(opts, o));
        }
    }
}

void exo_options_synopsis(const exo_option_t *table, exo_strv_t *words)
{
    for (const exo_option_t *o = table; o != NULL && o->name != NULL; o++) {
        bool required = (o->flags & EXO_OPT_REQUIRED) != 0;
        const char *value = o->value_name ? o->value_name : "";
        exo_strv_push_owned(words, exo_strdupf("%s--%s%s%s%s%s", required ? "" : "[", o->name,
                                               takes_value(o) ? " " : "", value,
                                               required ? "" : "]",
                                               o->kind == EXO_OPT_LIST ? "..." : ""));
    }
}

/* One option's block: "  -q, --quiet     help", continuation lines aligned. */
static void print_option(FILE *out, const char *left, const char *help)
{
    int width = fprintf(out, "  %s", left);
    if (width > HELP_COLUMN - 2) {
        fprintf(out, "\n");
        width = 0;
    }
    for (const char *line = help; *line;) {
        size_t len = strcspn(line, "\n");
        fprintf(out, "%*s%.*s\n", HELP_COLUMN - width, "", (int)len, line);
        width = 0;
        line += len + (line[len] == '\n');
    }
}

void exo_options_print(const exo_option_t *table, FILE *out)
{
    fprintf(out, "Options:\n");
    for (const exo_option_t *o = table; o != NULL && o->name != NULL; o++) {
        const char *space = takes_value(o) ? " " : "";
        const char *value = o->value_name ? o->value_name : "";
        char *left = o->short_name ? exo_strdupf("-%c, --%s%s%s", o->short_name, o->name, space,
                                                 value)
                                   : exo_strdupf("--%s%s%s", o->name, space, value);
        print_option(out, left, o->help);
        free(left);
    }
    print_option(out, "-h, --help", "print this help");
}
