/* core/scaffold/template.c - template manifests (template.yml) and the template search path. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "model/statedir.h"
#include "model/yamlnode.h"
#include "template.h"

#define MANIFEST "template.yml"

const char *exo_template_origin_name(exo_template_origin_t origin)
{
    switch (origin) {
    case EXO_TEMPLATE_APP:
        return "app";
    case EXO_TEMPLATE_USER:
        return "user";
    case EXO_TEMPLATE_INSTALLED:
        return "installed";
    case EXO_TEMPLATE_PATH:
    default:
        return "path";
    }
}

const char *exo_template_kind_name(exo_template_kind_t kind)
{
    return kind == EXO_TEMPLATE_KIND_APP ? "app" : "service";
}

/* Template and value names: [a-z][a-z0-9_-]* so they read well in {{...}} and on a CLI. */
static bool valid_name(const char *s)
{
    if (s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
            return false;
        }
    }
    return true;
}

static const char *scalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void node_error(exo_diag_t *diag, const char *file, const yaml_node_t *n,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void node_error(exo_diag_t *diag, const char *file, const yaml_node_t *n,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = exo_vstrdupf(fmt, ap);
    va_end(ap);
    exo_diag_error(diag, file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "%s",
                   msg);
    free(msg);
}

static void load_values(exo_template_t *t, yaml_document_t *doc, yaml_node_t *map,
                        exo_diag_t *diag)
{
    const char *f = t->manifest;
    if (map->type == YAML_SCALAR_NODE && scalar(map)[0] == '\0') {
        return; /* `values:` with nothing under it */
    }
    if (map->type != YAML_MAPPING_NODE) {
        node_error(diag, f, map, "values must be a mapping of value names");
        return;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *name = scalar(k);
        if (name == NULL || !valid_name(name)) {
            node_error(diag, f, k, "value name '%s' is not valid: use lower-case letters, "
                           "digits, '-' and '_', starting with a letter", name ? name : "?");
            continue;
        }
        if (strcmp(name, "role") == 0 || strcmp(name, "app") == 0) {
            node_error(diag, f, k, "'%s' is set by exo and cannot be declared", name);
            continue;
        }
        t->values = exo_xrealloc(t->values, (t->n_values + 1) * sizeof *t->values);
        exo_template_value_t *val = &t->values[t->n_values++];
        memset(val, 0, sizeof *val);
        val->name = exo_xstrdup(name);
        if (v->type == YAML_SCALAR_NODE) {
            /* shorthand: `port: "8080"` is a value with that default */
            val->default_value = exo_xstrdup(scalar(v));
            continue;
        }
        if (v->type != YAML_MAPPING_NODE) {
            node_error(diag, f, v, "values.%s must be a mapping (description, default)",
                           name);
            continue;
        }
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
             q++) {
            yaml_node_t *kk = yaml_document_get_node(doc, q->key);
            yaml_node_t *vv = yaml_document_get_node(doc, q->value);
            const char *key = scalar(kk) ? scalar(kk) : "?";
            if (scalar(vv) == NULL) {
                node_error(diag, f, vv, "values.%s.%s must be a string", name, key);
            } else if (strcmp(key, "description") == 0) {
                free(val->description);
                val->description = exo_xstrdup(scalar(vv));
            } else if (strcmp(key, "default") == 0) {
                free(val->default_value);
                val->default_value = exo_xstrdup(scalar(vv));
            } else {
                node_error(diag, f, kk, "unknown key values.%s.%s (known: description, "
                               "default)", name, key);
            }
        }
    }
}

static void load_manifest(exo_template_t *t, yaml_document_t *doc, exo_diag_t *diag)
{
    const char *f = t->manifest;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root == NULL) {
        exo_diag_error(diag, f, 1, 1, "empty manifest: expected name, description, kind and "
                       "values");
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        node_error(diag, f, root, "expected a mapping with name, description, kind and "
                       "values");
        return;
    }
    bool have_kind = false;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *key = scalar(k) ? scalar(k) : "?";
        if (strcmp(key, "values") == 0) {
            load_values(t, doc, v, diag);
            continue;
        }
        const char *s = scalar(v);
        if (s == NULL) {
            node_error(diag, f, v, "%s must be a string", key);
        } else if (strcmp(key, "name") == 0) {
            if (!valid_name(s)) {
                node_error(diag, f, v, "template name '%s' is not valid: use lower-case "
                               "letters, digits, '-' and '_', starting with a letter", s);
            }
            free(t->name);
            t->name = exo_xstrdup(s);
        } else if (strcmp(key, "description") == 0) {
            free(t->description);
            t->description = exo_xstrdup(s);
        } else if (strcmp(key, "kind") == 0) {
            have_kind = true;
            if (strcmp(s, "app") == 0) {
                t->kind = EXO_TEMPLATE_KIND_APP;
            } else if (strcmp(s, "service") == 0) {
                t->kind = EXO_TEMPLATE_KIND_SERVICE;
            } else {
                node_error(diag, f, v, "kind must be 'app' or 'service', not '%s'", s);
            }
        } else {
            node_error(diag, f, k, "unknown key '%s' (known: name, description, kind, "
                           "values)", key);
        }
    }
    if (t->name == NULL) {
        node_error(diag, f, root, "missing key 'name'");
    }
    if (t->description == NULL) {
        node_error(diag, f, root, "missing key 'description'");
    }
    if (!have_kind) {
        node_error(diag, f, root, "missing key 'kind' (app or service)");
    }
}

#define LINK_REFUSED "is a symbolic link; templates may not contain links, their own directory " \
    "and template.yml included (a link could point anywhere): copy the file instead"

int exo_template_open_root(const char *dir, exo_diag_t *diag)
{
    /* "dir/" would make open() follow a link named dir: strip the slashes first */
    char *root = exo_xstrdup(dir);
    for (size_t n = strlen(root); n > 1 && root[n - 1] == '/'; n--) {
        root[n - 1] = '\0';
    }
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        struct stat st;
        if (errno == ELOOP || (lstat(root, &st) == 0 && S_ISLNK(st.st_mode))) {
            exo_diag_error(diag, root, 0, 0, LINK_REFUSED);
        } else {
            exo_diag_error(diag, root, 0, 0, "cannot open the template directory: %s",
                           strerror(errno));
        }
    }
    free(root);
    return fd;
}

/* template.yml as a stream, read only when it is a regular file in the template's own
 * directory: never through a link, never a FIFO or device (which could hang or leak). */
static FILE *open_manifest(const exo_template_t *t, exo_diag_t *diag)
{
    int root = exo_template_open_root(t->dir, diag);
    if (root < 0) {
        return NULL;
    }
    int fd = openat(root, MANIFEST, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int err = errno;
    close(root);
    struct stat st;
    if (fd < 0 && err == ELOOP) {
        exo_diag_error(diag, t->manifest, 0, 0, LINK_REFUSED);
    } else if (fd < 0) {
        exo_diag_error(diag, t->manifest, 0, 0, "cannot read the template manifest: %s; a "
                       "template is a directory with template.yml and files/", strerror(err));
    } else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        exo_diag_error(diag, t->manifest, 0, 0, "is not a regular file");
    } else {
        FILE *fp = fdopen(fd, "rb");
        if (fp != NULL) {
            return fp;
        }
        exo_diag_error(diag, t->manifest, 0, 0, "cannot read: %s", strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

exo_template_t *exo_template_load(const char *dir, exo_template_origin_t origin, exo_diag_t *diag)
{
    size_t errors = diag->errors;
    exo_template_t *t = exo_xcalloc(1, sizeof *t);
    t->dir = exo_xstrdup(dir);
    t->manifest = exo_path_join(dir, MANIFEST);
    t->origin = origin;
    t->kind = EXO_TEMPLATE_KIND_SERVICE;
    FILE *fp = open_manifest(t, diag);
    if (fp == NULL) {
        exo_template_free(&t);
        return NULL;
    }
    /* in memory, so that an error can look at the text it points to */
    exo_buf_t text = {0};
    char chunk[4096];
    for (size_t n; (n = fread(chunk, 1, sizeof chunk, fp)) > 0;) {
        exo_buf_append(&text, chunk, n);
    }
    exo_buf_append(&text, "", 0);
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text.data, text.len);
    if (!yaml_parser_load(&parser, &doc)) {
        bool tab = parser.error == YAML_SCANNER_ERROR &&
                   exo_yaml_tab_indentation(text.data, text.len, parser.problem_mark.line,
                                            parser.problem_mark.column);
        exo_diag_error(diag, t->manifest, (int)parser.problem_mark.line + 1,
                       (int)parser.problem_mark.column + 1, "%s",
                       tab ? EXO_YAML_TAB_PROBLEM
                           : parser.problem ? parser.problem : "invalid YAML");
    } else {
        load_manifest(t, &doc, diag);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    exo_buf_free(&text);
    fclose(fp);
    char *files = exo_path_join(dir, "files");
    struct stat st;
    if (lstat(files, &st) == 0 && S_ISLNK(st.st_mode)) {
        exo_diag_error(diag, files, 0, 0, "the template's files/ " LINK_REFUSED);
    } else if (lstat(files, &st) != 0 || !S_ISDIR(st.st_mode)) {
        exo_diag_error(diag, files, 0, 0, "missing directory: a template keeps the files it "
                       "renders under files/");
    }
    free(files);
    if (diag->errors > errors) {
        exo_template_free(&t);
    }
    return t;
}

void exo_template_free(exo_template_t **t_p)
{
    exo_template_t *t = *t_p;
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_values; i++) {
        free(t->values[i].name);
        free(t->values[i].description);
        free(t->values[i].default_value);
    }
    free(t->values);
    free(t->name);
    free(t->description);
    free(t->dir);
    free(t->manifest);
    free(t);
    *t_p = NULL;
}

const exo_template_value_t *exo_template_value(const exo_template_t *t, const char *name)
{
    for (size_t i = 0; i < t->n_values; i++) {
        if (strcmp(t->values[i].name, name) == 0) {
            return &t->values[i];
        }
    }
    return NULL;
}

size_t exo_template_search_path(const char *app_dir, char *dirs[3],
                                exo_template_origin_t origins[3])
{
    size_t n = 0;
    if (app_dir != NULL) {
        char *sd = exo_statedir(app_dir);
        dirs[n] = exo_statedir_templates(sd);
        free(sd);
        origins[n++] = EXO_TEMPLATE_APP;
    }
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg != NULL && xdg[0] == '/') {
        dirs[n] = exo_path_join(xdg, "exo/templates");
        origins[n++] = EXO_TEMPLATE_USER;
    } else if (home != NULL && home[0] != '\0') {
        dirs[n] = exo_strdupf("%s/.local/share/exo/templates", home);
        origins[n++] = EXO_TEMPLATE_USER;
    }
    const char *installed = getenv("EXO_TEMPLATE_PATH");
    dirs[n] = exo_xstrdup(installed != NULL && installed[0] != '\0' ? installed : EXO_TEMPLATEDIR);
    origins[n++] = EXO_TEMPLATE_INSTALLED;
    return n;
}

/* Whether @p manifest names anything at all: a link or a FIFO there is then refused by
 * exo_template_load with a message, instead of the template vanishing without a word. */
static bool has_manifest(const char *manifest)
{
    struct stat st;
    return lstat(manifest, &st) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void exo_template_list(const char *app_dir, exo_template_list_t *out, exo_diag_t *diag)
{
    memset(out, 0, sizeof *out);
    char *dirs[3];
    exo_template_origin_t origins[3];
    size_t nd = exo_template_search_path(app_dir, dirs, origins);
    for (size_t d = 0; d < nd; d++) {
        DIR *dp = opendir(dirs[d]);
        if (dp == NULL) {
            free(dirs[d]);
            continue;
        }
        exo_strv_t names = {0};
        for (struct dirent *e; (e = readdir(dp)) != NULL;) {
            if (e->d_name[0] != '.') {
                exo_strv_push(&names, e->d_name);
            }
        }
        closedir(dp);
        if (names.n > 1) { /* qsort(NULL, 0, ...) is undefined: an empty directory */
            qsort(names.v, names.n, sizeof *names.v, by_name);
        }
        for (size_t i = 0; i < names.n; i++) {
            char *tdir = exo_path_join(dirs[d], names.v[i]);
            char *manifest = exo_path_join(tdir, MANIFEST);
            bool is_template = has_manifest(manifest);
            free(manifest);
            if (!is_template) {
                free(tdir);
                continue; /* not every directory there has to be a template */
            }
            exo_diag_t local;
            exo_diag_init(&local);
            exo_template_t *t = exo_template_load(tdir, origins[d], &local);
            for (size_t k = 0; k < local.n; k++) {
                exo_diag_entry_t *en = &local.entries[k];
                exo_diag_warning(diag, en->file, en->line, en->column, "%s (template skipped)",
                                 en->message);
            }
            exo_diag_free(&local);
            free(tdir);
            if (t == NULL) {
                continue;
            }
            for (size_t k = 0; k < out->n; k++) {
                if (strcmp(out->items[k]->name, t->name) == 0) {
                    t->shadowed = true;
                }
            }
            out->items = exo_xrealloc(out->items, (out->n + 1) * sizeof *out->items);
            out->items[out->n++] = t;
        }
        exo_strv_free(&names);
        free(dirs[d]);
    }
}

void exo_template_list_free(exo_template_list_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        exo_template_free(&list->items[i]);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

exo_template_t *exo_template_find(const char *app_dir, const char *name, exo_diag_t *diag)
{
    if (strchr(name, '/') != NULL) {
        return exo_template_load(name, EXO_TEMPLATE_PATH, diag);
    }
    char *dirs[3];
    exo_template_origin_t origins[3];
    size_t nd = exo_template_search_path(app_dir, dirs, origins);
    exo_template_t *found = NULL;
    size_t errors = diag->errors;
    for (size_t d = 0; d < nd; d++) {
        char *tdir = exo_path_join(dirs[d], name);
        char *manifest = exo_path_join(tdir, MANIFEST);
        if (found == NULL && has_manifest(manifest)) {
            found = exo_template_load(tdir, origins[d], diag);
            if (found == NULL) {
                exo_diag_error(diag, NULL, 0, 0, "template '%s' in %s is broken (see above)",
                               name, dirs[d]);
                d = nd; /* an earlier broken copy must not silently fall back to a later one */
            }
        }
        free(manifest);
        free(tdir);
    }
    for (size_t d = 0; d < nd; d++) {
        free(dirs[d]);
    }
    if (found != NULL || diag->errors > errors) {
        return found;
    }
    exo_template_list_t list;
    exo_diag_t ignore;
    exo_diag_init(&ignore);
    exo_template_list(app_dir, &list, &ignore);
    exo_diag_free(&ignore);
    exo_buf_t names = {0};
    const char **cands = exo_xcalloc(list.n + 1, sizeof *cands);
    for (size_t i = 0; i < list.n; i++) {
        if (!list.items[i]->shadowed) {
            exo_buf_printf(&names, "%s%s", names.len ? ", " : "", list.items[i]->name);
        }
        cands[i] = list.items[i]->name;
    }
    const char *close = exo_closest(name, cands, list.n);
    if (close != NULL) {
        exo_diag_error(diag, NULL, 0, 0, "no template named '%s'; did you mean '%s'?", name,
                       close);
    } else {
        exo_diag_error(diag, NULL, 0, 0, "no template named '%s' (found: %s); 'exo templates' "
                       "lists them with where they come from", name,
                       names.len ? names.data : "none");
    }
    free(cands);
    exo_buf_free(&names);
    exo_template_list_free(&list);
    return NULL;
}

void exo_tvars_set(exo_tvars_t *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->names.n; i++) {
        if (strcmp(v->names.v[i], name) == 0) {
            free(v->values.v[i]);
            v->values.v[i] = exo_xstrdup(value);
            return;
        }
    }
    exo_strv_push(&v->names, name);
    exo_strv_push(&v->values, value);
}

const char *exo_tvars_get(const exo_tvars_t *v, const char *name)
{
    for (size_t i = 0; i < v->names.n; i++) {
        if (strcmp(v->names.v[i], name) == 0) {
            return v->values.v[i];
        }
    }
    return NULL;
}

void exo_tvars_free(exo_tvars_t *v)
{
    exo_strv_free(&v->names);
    exo_strv_free(&v->values);
}
