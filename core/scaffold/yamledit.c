/* core/scaffold/yamledit.c - add a service role to application.yml by splicing its text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/util.h"
#include "yamledit.h"

/* A position in the text as libyaml reports it (0-based line and column in characters). */
typedef struct pos {
    size_t line, column;
} pos_t;

typedef enum svc_kind {
    SVC_MISSING,  /* no services key */
    SVC_EMPTY,    /* services: / services: ~ / services: null */
    SVC_BLOCK,    /* services:\n  web: ... */
    SVC_FLOW      /* services: {...} */
} svc_kind_t;

/* What one pass over the document found out about it. */
typedef struct doc_info {
    bool has_root;          /* a document with a block mapping at the top */
    size_t root_col;        /* column of the top-level keys */
    size_t step;            /* indentation step in use (0 = unknown) */
    svc_kind_t kind;
    pos_t key_end;          /* end of the `services` key */
    pos_t value_start;      /* the value's first character (null scalar, flow mapping) */
    pos_t value_end;        /* end of the null scalar or the flow mapping */
    pos_t last_end;         /* end of the last content inside the services mapping */
    size_t n_children;
    size_t child_col;       /* column of the role keys */
    size_t sub_col;         /* column of the keys inside the first role (0 = unknown) */
    bool role_found;
    char *role_location;    /* services.<role>.location when it is a scalar */
    bool has_doc_end;       /* the document ends with an explicit `...` */
    pos_t doc_end;          /* where */
} doc_info_t;

static pos_t mk(yaml_mark_t m)
{
    pos_t p = {m.line, m.column};
    return p;
}

static bool pos_after(pos_t a, pos_t b)
{
    return a.line > b.line || (a.line == b.line && a.column > b.column);
}

static bool is_null_scalar(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *v = (const char *)ev->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static int next_event(yaml_parser_t *p, yaml_event_t *ev, exo_error_t *err)
{
    if (!yaml_parser_parse(p, ev)) {
        return exo_error_set(err, EXO_ERR_INVALID, "line %zu, column %zu: %s",
                             p->problem_mark.line + 1, p->problem_mark.column + 1,
                             p->problem ? p->problem : "invalid YAML");
    }
    return 0;
}

/*
 * Skip the node whose first event is @p first (already consumed). Tracks the end of the last
 * content in *last (scalars, aliases and flow collection ends; block ends sit on the next
 * token, which may be far below after comments).
 */
static int skip_node(yaml_parser_t *p, yaml_event_t *first, pos_t *last, exo_error_t *err)
{
    int depth = 0;
    yaml_event_t ev = *first;
    bool own = false;
    for (;;) {
        switch (ev.type) {
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            /* an empty scalar has zero width and sits on the next token: not content */
            if (last != NULL && ev.start_mark.index != ev.end_mark.index &&
                pos_after(mk(ev.end_mark), *last)) {
                *last = mk(ev.end_mark);
            }
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            depth++;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            if (last != NULL && pos_after(mk(ev.end_mark), *last) &&
                ev.start_mark.index != ev.end_mark.index) {
                /* a flow end: `}` or `]` is real content (block ends have zero width) */
                *last = mk(ev.end_mark);
            }
            break;
        default:
            break;
        }
        if (own) {
            yaml_event_delete(&ev);
        }
        if (depth == 0) {
            return 0;
        }
        int rc = next_event(p, &ev, err);
        if (rc < 0) {
            return rc;
        }
        own = true;
    }
}

/* Walk the services mapping (its MAPPING_START already consumed). */
static int walk_services(yaml_parser_t *p, const char *role, doc_info_t *info, exo_error_t *err)
{
    for (;;) {
        yaml_event_t key;
        int rc = next_event(p, &key, err);
        if (rc < 0) {
            return rc;
        }
        if (key.type == YAML_MAPPING_END_EVENT) {
            if (info->kind == SVC_FLOW) {
                info->value_end = mk(key.end_mark);
            }
            yaml_event_delete(&key);
            return 0;
        }
        if (key.type != YAML_SCALAR_EVENT) {
            yaml_event_delete(&key);
            return exo_error_set(err, EXO_ERR_INVALID, "a key under services is not a role name");
        }
        if (info->n_children == 0) {
            info->child_col = key.start_mark.column;
        }
        if (pos_after(mk(key.end_mark), info->last_end)) {
            info->last_end = mk(key.end_mark);
        }
        bool is_role = role != NULL && strcmp((const char *)key.data.scalar.value, role) == 0;
        info->role_found = info->role_found || is_role;
        yaml_event_delete(&key);

        yaml_event_t val;
        rc = next_event(p, &val, err);
        if (rc < 0) {
            return rc;
        }
        if (val.type == YAML_MAPPING_START_EVENT && info->n_children == 0 &&
            val.data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE) {
            /* the first key inside the first role gives the nested indentation */
            info->sub_col = val.end_mark.column;
        }
        if (val.type == YAML_MAPPING_START_EVENT && is_role) {
            /* look for location among the role's keys */
            yaml_event_delete(&val);
            for (;;) {
                yaml_event_t k;
                rc = next_event(p, &k, err);
                if (rc < 0) {
                    return rc;
                }
                if (k.type == YAML_MAPPING_END_EVENT) {
                    if (k.start_mark.index != k.end_mark.index &&
                        pos_after(mk(k.end_mark), info->last_end)) {
                        info->last_end = mk(k.end_mark);
                    }
                    yaml_event_delete(&k);
                    break;
                }
                bool is_loc = k.type == YAML_SCALAR_EVENT &&
                              strcmp((const char *)k.data.scalar.value, "location") == 0;
                rc = skip_node(p, &k, &info->last_end, err);
                yaml_event_delete(&k);
                if (rc < 0) {
                    return rc;
                }
                yaml_event_t v;
                rc = next_event(p, &v, err);
                if (rc < 0) {
                    return rc;
                }
                if (is_loc && v.type == YAML_SCALAR_EVENT && info->role_location == NULL) {
                    info->role_location = exo_xstrdup((const char *)v.data.scalar.value);
                }
                rc = skip_node(p, &v, &info->last_end, err);
                yaml_event_delete(&v);
                if (rc < 0) {
                    return rc;
                }
            }
        } else {
            rc = skip_node(p, &val, &info->last_end, err);
            yaml_event_delete(&val);
            if (rc < 0) {
                return rc;
            }
        }
        info->n_children++;
    }
}

/* After the first document: only its end and the stream's end may follow, so that an error
 * further down or a second document is reported before anything is spliced in. */
static int check_rest(yaml_parser_t *p, doc_info_t *info, exo_error_t *err)
{
    for (;;) {
        yaml_event_t ev;
        int rc = next_event(p, &ev, err);
        if (rc < 0) {
            return rc;
        }
        yaml_event_type_t t = ev.type;
        size_t line = ev.start_mark.line + 1;
        if (t == YAML_DOCUMENT_END_EVENT && !ev.data.document_end.implicit) {
            info->has_doc_end = true; /* an explicit `...`: new keys go above it */
            info->doc_end = mk(ev.start_mark);
        }
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT) {
            return 0;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            return exo_error_set(err, EXO_ERR_INVALID, "line %zu: a second YAML document; "
                                 "application.yml must hold exactly one", line);
        }
    }
}

static int scan(const char *text, const char *role, doc_info_t *info, exo_error_t *err)
{
    memset(info, 0, sizeof *info);
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    yaml_event_t ev;
    int rc = 0;
    /* stream start, then a document or the stream end (a file of comments only) */
    for (;;) {
        rc = next_event(&p, &ev, err);
        if (rc < 0) {
            goto out;
        }
        yaml_event_type_t t = ev.type;
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT) {
            goto out;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            break;
        }
    }
    rc = next_event(&p, &ev, err);
    if (rc < 0) {
        goto out;
    }
    if (ev.type == YAML_SCALAR_EVENT && is_null_scalar(&ev)) {
        yaml_event_delete(&ev);
        rc = check_rest(&p, info, err);
        goto out;
    }
    if (ev.type != YAML_MAPPING_START_EVENT ||
        ev.data.mapping_start.style != YAML_BLOCK_MAPPING_STYLE) {
        rc = exo_error_set(err, EXO_ERR_INVALID, "line %zu: the top level is not a block mapping "
                           "of keys (name:, services:, ...)", ev.start_mark.line + 1);
        yaml_event_delete(&ev);
        goto out;
    }
    info->has_root = true;
    bool seen_services = false;
    info->root_col = ev.end_mark.column;
    yaml_event_delete(&ev);
    for (;;) {
        yaml_event_t key;
        rc = next_event(&p, &key, err);
        if (rc < 0) {
            goto out;
        }
        if (key.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key);
            rc = check_rest(&p, info, err);
            goto out;
        }
        bool is_services = key.type == YAML_SCALAR_EVENT &&
                           strcmp((const char *)key.data.scalar.value, "services") == 0;
        size_t key_col = key.start_mark.column;
        pos_t key_end = mk(key.end_mark);
        rc = skip_node(&p, &key, NULL, err);
        yaml_event_delete(&key);
        if (rc < 0) {
            goto out;
        }
        yaml_event_t val;
        rc = next_event(&p, &val, err);
        if (rc < 0) {
            goto out;
        }
        if (val.type == YAML_MAPPING_START_EVENT &&
            val.data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE && info->step == 0 &&
            val.end_mark.column > key_col) {
            info->step = val.end_mark.column - key_col;
        }
        if (!is_services) {
            rc = skip_node(&p, &val, NULL, err);
            yaml_event_delete(&val);
            if (rc < 0) {
                goto out;
            }
            continue;
        }
        if (seen_services) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "line %zu: a second services key",
                               key_end.line + 1);
            yaml_event_delete(&val);
            goto out;
        }
        seen_services = true;
        info->key_end = key_end;
        info->value_start = mk(val.start_mark);
        info->value_end = mk(val.end_mark);
        if (val.type == YAML_SCALAR_EVENT && is_null_scalar(&val)) {
            info->kind = SVC_EMPTY;
            yaml_event_delete(&val);
            continue;
        }
        if (val.type != YAML_MAPPING_START_EVENT) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "line %zu: services is not a mapping of "
                               "roles", val.start_mark.line + 1);
            yaml_event_delete(&val);
            goto out;
        }
        info->kind = val.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? SVC_FLOW
                                                                            : SVC_BLOCK;
        info->last_end = info->key_end;
        yaml_event_delete(&val);
        rc = walk_services(&p, role, info, err);
        if (rc < 0) {
            goto out;
        }
    }
out:
    yaml_parser_delete(&p);
    if (rc < 0) {
        free(info->role_location);
        info->role_location = NULL;
    }
    return rc;
}

/* Byte offset of a libyaml position: lines end at '\n', columns count UTF-8 characters. */
static size_t byte_at(const char *text, pos_t pos)
{
    size_t off = 0;
    if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF) {
        off = 3; /* libyaml does not count the byte order mark */
    }
    for (size_t line = 0; line < pos.line && text[off] != '\0'; off++) {
        if (text[off] == '\n') {
            line++;
        }
    }
    for (size_t col = 0; text[off] != '\0' && text[off] != '\n';) {
        if (((unsigned char)text[off] & 0xC0) != 0x80) {
            if (col == pos.column) {
                break;
            }
            col++;
        }
        off++;
    }
    return off;
}

/* Offset just past the newline that ends the line holding @p off (or the text's end). */
static size_t line_after(const char *text, size_t off)
{
    const char *nl = strchr(text + off, '\n');
    return nl ? (size_t)(nl - text) + 1 : strlen(text);
}

static size_t line_indent(const char *s)
{
    size_t n = 0;
    while (s[n] == ' ') {
        n++;
    }
    return n;
}

/* Past the comment lines right below @p off that are indented deeper than @p col: they
 * describe the entries above them. */
static size_t skip_own_comments(const char *text, size_t off, size_t col)
{
    while (text[off] != '\0') {
        size_t ind = line_indent(text + off);
        if (text[off + ind] != '#' || ind <= col) {
            break;
        }
        off = line_after(text, off);
    }
    return off;
}

static void pad(exo_buf_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        exo_buf_puts(b, " ");
    }
}

int exo_yamledit_add_service(const char *text, const char *role, const char *location,
                             char **out, exo_error_t *err)
{
    doc_info_t info;
    int rc = scan(text, role, &info, err);
    if (rc < 0) {
        return rc;
    }
    if (info.role_found) {
        free(info.role_location);
        return exo_error_set(err, EXO_ERR_EXISTS, "services.%s exists already", role);
    }
    const char *nl = strstr(text, "\r\n") ? "\r\n" : "\n";
    size_t step = info.step ? info.step : 2;
    size_t len = strlen(text);
    exo_buf_t b = {0};
    size_t at;         /* where the new lines go */
    size_t cut_from = 0, cut_to = 0; /* a null value or `{}` to drop */
    size_t child_col;
    size_t sub_col;

    switch (info.kind) {
    case SVC_MISSING:
        at = info.has_doc_end ? byte_at(text, info.doc_end) : len;
        exo_buf_append(&b, text, at);
        if (at > 0 && text[at - 1] != '\n') {
            exo_buf_puts(&b, nl);
        }
        pad(&b, info.root_col);
        exo_buf_printf(&b, "services:%s", nl);
        pad(&b, info.root_col + step);
        exo_buf_printf(&b, "%s:%s", role, nl);
        pad(&b, info.root_col + 2 * step);
        exo_buf_printf(&b, "location: %s%s", location, nl);
        exo_buf_puts(&b, text + at);
        goto done;
    case SVC_FLOW:
        if (info.n_children > 0) {
            at = byte_at(text, info.last_end);
            exo_buf_append(&b, text, at);
            exo_buf_printf(&b, ", %s: {location: %s}", role, location);
            exo_buf_puts(&b, text + at);
            goto done;
        }
        /* `services: {}` becomes `services:` followed by a block */
        cut_from = byte_at(text, info.value_start);
        cut_to = byte_at(text, info.value_end);
        at = line_after(text, cut_to);
        child_col = info.root_col + step;
        sub_col = child_col + step;
        break;
    case SVC_EMPTY: {
        pos_t end = info.key_end; /* an empty scalar's marks sit on the next token */
        if (info.value_end.line == info.value_start.line &&
            info.value_end.column != info.value_start.column) {
            cut_from = byte_at(text, info.value_start);
            cut_to = byte_at(text, info.value_end);
            end = info.value_end;
        }
        at = line_after(text, byte_at(text, end));
        child_col = info.root_col + step;
        sub_col = child_col + step;
        break;
    }
    case SVC_BLOCK:
    default: {
        size_t e = byte_at(text, info.last_end);
        at = info.last_end.column == 0 ? e : line_after(text, e);
        at = skip_own_comments(text, at, info.root_col);
        child_col = info.child_col;
        sub_col = info.sub_col > child_col ? info.sub_col : child_col + step;
        break;
    }
    }
    exo_buf_append(&b, text, cut_from < cut_to ? cut_from : at);
    if (cut_from < cut_to) {
        /* `services: {}  # none yet` keeps its comment; no trailing blanks otherwise */
        while (b.len > 0 && b.data[b.len - 1] == ' ') {
            b.data[--b.len] = '\0';
        }
        exo_buf_append(&b, text + cut_to, at - cut_to);
    }
    if (b.len > 0 && b.data[b.len - 1] != '\n') {
        exo_buf_puts(&b, nl);
    }
    pad(&b, child_col);
    exo_buf_printf(&b, "%s:%s", role, nl);
    pad(&b, sub_col);
    exo_buf_printf(&b, "location: %s%s", location, nl);
    exo_buf_puts(&b, text + at);

done:
    free(info.role_location);
    /* never hand back a document that does not say what we meant */
    doc_info_t check;
    exo_error_t cerr = {0};
    if (scan(b.data, role, &check, &cerr) < 0 || !check.role_found ||
        check.role_location == NULL || strcmp(check.role_location, location) != 0) {
        free(check.role_location);
        exo_buf_free(&b);
        return exo_error_set(err, EXO_ERR_INTERNAL, "could not add services.%s to this file's "
                             "layout (%s); add it by hand:\n  services:\n    %s:\n"
                             "      location: %s", role,
                             cerr.message[0] ? cerr.message : "the result did not parse back",
                             role, location);
    }
    free(check.role_location);
    *out = b.data;
    return 0;
}

bool exo_yamledit_has_service(const char *text, const char *role)
{
    doc_info_t info;
    if (scan(text, role, &info, NULL) < 0) {
        return false;
    }
    free(info.role_location);
    return info.role_found;
}

char *exo_yamledit_get_scalar(const char *text, const char *key)
{
    yaml_parser_t p;
    yaml_document_t doc;
    char *found = NULL;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    if (!yaml_parser_load(&p, &doc)) {
        yaml_parser_delete(&p);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root != NULL && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
             pr < root->data.mapping.pairs.top && found == NULL; pr++) {
            yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
            yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
            if (k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
                strcmp((const char *)k->data.scalar.value, key) == 0) {
                found = exo_xstrdup((const char *)v->data.scalar.value);
            }
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return found;
}
