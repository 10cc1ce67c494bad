/* core/model/yamlnode.c - libyaml events into a positioned node tree (see yamlnode.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/util.h"
#include "yamlnode.h"

/* Deep enough for any manifest; a hostile file must not exhaust the stack. */
#define MAX_DEPTH 200

typedef struct yctx {
    yaml_parser_t parser;
    const char *name;
    const char *text;
    size_t len;
    exo_diag_t *diag;
} yctx_t;

static int line_of(const yaml_mark_t *m)
{
    return (int)m->line + 1;
}

static int column_of(const yaml_mark_t *m)
{
    return (int)m->column + 1;
}

bool exo_yaml_tab_indentation(const char *text, size_t len, size_t line, size_t column)
{
    size_t i = 0;
    for (size_t l = 0; l < line; i++) {
        if (i >= len) {
            return false;
        }
        l += text[i] == '\n';
    }
    /* only blanks before it on its line: then the columns are bytes */
    for (size_t k = 0; k < column; k++, i++) {
        if (i >= len || (text[i] != ' ' && text[i] != '\t')) {
            return false;
        }
    }
    return i < len && text[i] == '\t';
}

static void report_syntax(yctx_t *c)
{
    const yaml_parser_t *p = &c->parser;
    int line = line_of(&p->problem_mark);
    int col = column_of(&p->problem_mark);
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors only know a byte offset: turn it into a line and column. */
        line = 1;
        col = 1;
        for (size_t i = 0; i < p->problem_offset && i < c->len; i++) {
            if (c->text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
    }
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_SCANNER_ERROR &&
        exo_yaml_tab_indentation(c->text, c->len, p->problem_mark.line, p->problem_mark.column)) {
        exo_diag_error(c->diag, c->name, line, col, "invalid YAML: %s", EXO_YAML_TAB_PROBLEM);
    } else if (p->context != NULL) {
        exo_diag_error(c->diag, c->name, line, col, "invalid YAML: %s %s (line %d)", problem,
                       p->context, line_of(&p->context_mark));
    } else {
        exo_diag_error(c->diag, c->name, line, col, "invalid YAML: %s", problem);
    }
}

static bool next_event(yctx_t *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev)) {
        report_syntax(c);
        return false;
    }
    return true;
}

static exo_ynode_t *new_node(exo_ynode_kind_t kind, const yaml_event_t *ev)
{
    exo_ynode_t *n = exo_xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line_of(&ev->start_mark);
    n->column = column_of(&ev->start_mark);
    return n;
}

static void refuse_anchor(yctx_t *c, const yaml_event_t *ev, const yaml_char_t *anchor)
{
    if (anchor != NULL) {
        exo_diag_error(c->diag, c->name, line_of(&ev->start_mark), column_of(&ev->start_mark),
                       "YAML anchors (&%s) are not supported in exo manifests; write the "
                       "value out in full", (const char *)anchor);
    }
}

static exo_ynode_t *build(yctx_t *c, yaml_event_t *ev, int depth);

/* The next child of a collection: NULL with *ended when @p end closes the collection
 * instead, NULL without on a syntax error (already reported). */
static exo_ynode_t *build_child(yctx_t *c, yaml_event_type_t end, int depth, bool *ended)
{
    yaml_event_t ev;
    *ended = false;
    if (!next_event(c, &ev)) {
        return NULL;
    }
    if (ev.type == end) {
        yaml_event_delete(&ev);
        *ended = true;
        return NULL;
    }
    return build(c, &ev, depth + 1);
}

/* Room for one more element in an array of @p n elements of @p size bytes. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) {
        return v;
    }
    *cap = *cap ? *cap * 2 : 4;
    return exo_xrealloc(v, *cap * size);
}

static exo_ynode_t *build_seq(yctx_t *c, exo_ynode_t *node, int depth)
{
    size_t cap = 0;
    for (;;) {
        bool ended;
        exo_ynode_t *item = build_child(c, YAML_SEQUENCE_END_EVENT, depth, &ended);
        if (item == NULL) {
            if (!ended) {
                exo_ynode_free(node);
                node = NULL;
            }
            return node;
        }
        node->items = grow(node->items, node->n, &cap, sizeof *node->items);
        node->items[node->n++] = item;
    }
}

static exo_ynode_t *build_map(yctx_t *c, exo_ynode_t *node, int depth)
{
    size_t cap = 0;
    for (;;) {
        bool ended;
        exo_ynode_t *key = build_child(c, YAML_MAPPING_END_EVENT, depth, &ended);
        if (key == NULL) {
            if (!ended) {
                exo_ynode_free(node);
                node = NULL;
            }
            return node;
        }
        /* A value always follows a key: libyaml's events never end a mapping there. */
        exo_ynode_t *value = build_child(c, YAML_NO_EVENT, depth, &ended);
        if (value == NULL) {
            exo_ynode_free(key);
            exo_ynode_free(node);
            return NULL;
        }
        bool keep = true;
        if (key->kind != EXO_YNODE_SCALAR) {
            exo_diag_error(c->diag, c->name, key->line, key->column,
                           "map keys must be plain names, not %s", exo_ynode_kind_name(key));
            keep = false;
        } else {
            const exo_ypair_t *first = exo_ynode_pair(node, key->value);
            if (first != NULL) {
                exo_diag_error(c->diag, c->name, key->line, key->column,
                               "duplicate key '%s' (first given at line %d); remove one of them",
                               key->value, first->key->line);
                keep = false;
            }
        }
        if (!keep) {
            exo_ynode_free(key);
            exo_ynode_free(value);
            continue;
        }
        node->pairs = grow(node->pairs, node->n, &cap, sizeof *node->pairs);
        node->pairs[node->n].key = key;
        node->pairs[node->n].value = value;
        node->n++;
    }
}

/* Consumes @p ev. NULL only on a syntax error (already reported). */
static exo_ynode_t *build(yctx_t *c, yaml_event_t *ev, int depth)
{
    exo_ynode_t *node = NULL;
    if (depth > MAX_DEPTH) {
        exo_diag_error(c->diag, c->name, line_of(&ev->start_mark), column_of(&ev->start_mark),
                       "YAML nested more than %d levels deep", MAX_DEPTH);
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        node = new_node(EXO_YNODE_SCALAR, ev);
        refuse_anchor(c, ev, ev->data.scalar.anchor);
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        node->value = exo_xstrndup(v, len);
        node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                      ev->data.scalar.tag == NULL;
        if (strlen(node->value) != len) {
            exo_diag_error(c->diag, c->name, node->line, node->column,
                           "value contains a NUL character");
        }
        yaml_event_delete(ev);
        return node;
    }
    case YAML_ALIAS_EVENT:
        node = new_node(EXO_YNODE_SCALAR, ev);
        node->value = exo_xstrdup("");
        node->plain = true;
        exo_diag_error(c->diag, c->name, node->line, node->column,
                       "YAML aliases (*%s) are not supported in exo manifests; write the "
                       "value out in full", (const char *)ev->data.alias.anchor);
        yaml_event_delete(ev);
        return node;
    case YAML_SEQUENCE_START_EVENT:
        node = new_node(EXO_YNODE_SEQ, ev);
        refuse_anchor(c, ev, ev->data.sequence_start.anchor);
        yaml_event_delete(ev);
        return build_seq(c, node, depth);
    case YAML_MAPPING_START_EVENT:
        node = new_node(EXO_YNODE_MAP, ev);
        refuse_anchor(c, ev, ev->data.mapping_start.anchor);
        yaml_event_delete(ev);
        return build_map(c, node, depth);
    default:
        exo_diag_error(c->diag, c->name, line_of(&ev->start_mark), column_of(&ev->start_mark),
                       "invalid YAML: unexpected event");
        yaml_event_delete(ev);
        return NULL;
    }
}

exo_ynode_t *exo_yaml_parse(const char *name, const char *text, size_t len, exo_diag_t *diag)
{
    yctx_t c = {.name = name, .text = text, .len = len, .diag = diag};
    if (!yaml_parser_initialize(&c.parser)) {
        exo_diag_error(diag, name, 0, 0, "cannot initialise the YAML parser (out of memory)");
        return NULL;
    }
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    exo_ynode_t *root = NULL;
    bool ok = true;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(&c, &ev)) {
            ok = false;
            break;
        }
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (type == YAML_DOCUMENT_START_EVENT) {
            if (root != NULL) {
                exo_diag_error(diag, name, line_of(&ev.start_mark), column_of(&ev.start_mark),
                               "only one YAML document is allowed here; remove this '---' "
                               "and what follows, or merge it into the first document");
                yaml_event_delete(&ev);
                ok = false;
                break;
            }
            yaml_event_delete(&ev);
            continue;
        }
        root = build(&c, &ev, 0);
        if (root == NULL) {
            ok = false;
            break;
        }
    }
    yaml_parser_delete(&c.parser);
    if (!ok) {
        exo_ynode_free(root);
        return NULL;
    }
    if (root == NULL) {
        root = exo_xcalloc(1, sizeof *root);
        root->kind = EXO_YNODE_SCALAR;
        root->value = exo_xstrdup("");
        root->plain = true;
        root->line = 1;
        root->column = 1;
    }
    return root;
}

exo_ynode_t *exo_yaml_load(const char *path, exo_diag_t *diag)
{
    size_t len = 0;
    char *text = exo_read_file(path, &len);
    if (text == NULL) {
        exo_diag_error(diag, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    exo_ynode_t *root = exo_yaml_parse(path, text, len, diag);
    free(text);
    return root;
}

void exo_ynode_free(exo_ynode_t *node)
{
    if (node == NULL) {
        return;
    }
    if (node->kind == EXO_YNODE_MAP) {
        for (size_t i = 0; i < node->n; i++) {
            exo_ynode_free(node->pairs[i].key);
            exo_ynode_free(node->pairs[i].value);
        }
    } else if (node->kind == EXO_YNODE_SEQ) {
        for (size_t i = 0; i < node->n; i++) {
            exo_ynode_free(node->items[i]);
        }
    }
    free(node->pairs);
    free(node->items);
    free(node->value);
    free(node);
}

const exo_ypair_t *exo_ynode_pair(const exo_ynode_t *map, const char *key)
{
    if (map == NULL || map->kind != EXO_YNODE_MAP) {
        return NULL;
    }
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp(map->pairs[i].key->value, key) == 0) {
            return &map->pairs[i];
        }
    }
    return NULL;
}

const exo_ynode_t *exo_ynode_get(const exo_ynode_t *map, const char *key)
{
    const exo_ypair_t *p = exo_ynode_pair(map, key);
    return p ? p->value : NULL;
}

bool exo_ynode_is_null(const exo_ynode_t *node)
{
    if (node == NULL || node->kind != EXO_YNODE_SCALAR || !node->plain) {
        return false;
    }
    const char *v = node->value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *exo_ynode_kind_name(const exo_ynode_t *node)
{
    if (node == NULL) {
        return "nothing";
    }
    switch (node->kind) {
    case EXO_YNODE_MAP:
        return "a map";
    case EXO_YNODE_SEQ:
        return "a list";
    default:
        return exo_ynode_is_null(node) ? "empty" : "a single value";
    }
}

static bool is_one_of(const char *v, const char *const *words)
{
    for (; *words; words++) {
        if (strcmp(v, *words) == 0) {
            return true;
        }
    }
    return false;
}

static json_t *scalar_to_json(const exo_ynode_t *node)
{
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    const char *v = node->value;
    if (!node->plain) {
        return json_string(v);
    }
    if (exo_ynode_is_null(node)) {
        return json_null();
    }
    if (is_one_of(v, trues)) {
        return json_true();
    }
    if (is_one_of(v, falses)) {
        return json_false();
    }
    /* YAML 1.2 core schema: decimal (leading zeros allowed), 0x hex, 0o octal. */
    int base = 10;
    const char *digits = v;
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'o')) {
        base = v[1] == 'x' ? 16 : 8;
        digits = v + 2;
    }
    char *end = NULL;
    errno = 0;
    long long i = strtoll(digits, &end, base);
    bool sign_ok = base == 10 || (digits[0] != '-' && digits[0] != '+');
    if (errno == 0 && end != digits && *end == '\0' && sign_ok) {
        return json_integer(i);
    }
    bool has_digit = strpbrk(v, "0123456789") != NULL;
    bool has_alpha = strpbrk(v, "abcdfghijklmnopqrstuvwxyzABCDFGHIJKLMNOPQRSTUVWXYZ") != NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (errno == 0 && end != v && *end == '\0' && has_digit && !has_alpha) {
        return json_real(d);
    }
    return json_string(v);
}

json_t *exo_ynode_to_json(const exo_ynode_t *node)
{
    if (node == NULL) {
        return json_null();
    }
    if (node->kind == EXO_YNODE_SCALAR) {
        json_t *j = scalar_to_json(node);
        return j ? j : json_null(); /* json_string() refuses invalid UTF-8 */
    }
    if (node->kind == EXO_YNODE_SEQ) {
        json_t *a = json_array();
        for (size_t i = 0; i < node->n; i++) {
            json_array_append_new(a, exo_ynode_to_json(node->items[i]));
        }
        return a;
    }
    json_t *o = json_object();
    for (size_t i = 0; i < node->n; i++) {
        json_object_set_new(o, node->pairs[i].key->value, exo_ynode_to_json(node->pairs[i].value));
    }
    return o;
}
