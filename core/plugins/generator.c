/* core/plugins/generator.c - a generator plugin's files: collected, checked, written or
 * compared (see generator.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <exo/generator.h>

#include "generator.h"

#define GEN_FILES_MAX 10000
#define GEN_FILE_MAX ((size_t)64 << 20)

bool exo_genpath_valid(const char *path)
{
    if (path == NULL || path[0] == '\0' || path[0] == '/' || strlen(path) > 1024) {
        return false;
    }
    for (const char *c = path; *c != '\0';) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
            return false;
        }
        c += n;
        c += *c == '/';
        if (c[-1] == '/' && *c == '\0') {
            return false; /* a trailing slash names no file */
        }
    }
    return strchr(path, '\\') == NULL;
}

typedef struct collect {
    exo_genset_t *set;
    const char *plugin;
} collect_t;

static int add_file(exo_generator_sink_t *sink, const char *path, const char *content,
                    size_t len, unsigned mode, exo_error_t *err)
{
    collect_t *c = sink->priv;
    if (!exo_genpath_valid(path)) {
        return exo_error_set(err, EXO_ERR_INVALID, "generator %s: path '%s' would leave the "
                             "output directory or names no file; paths are relative, without "
                             "'..', '.' or empty parts", c->plugin, path ? path : "(NULL)");
    }
    if (content == NULL && len > 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "generator %s: %s has no content", c->plugin,
                             path);
    }
    if (mode & ~0777u) {
        return exo_error_set(err, EXO_ERR_INVALID, "generator %s: %s: mode %o is not "
                             "permission bits (0644, 0600, 0755)", c->plugin, path, mode);
    }
    exo_genset_t *set = c->set;
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->files[i].path, path) == 0) {
            return exo_error_set(err, EXO_ERR_INVALID, "generator %s: %s added twice",
                                 c->plugin, path);
        }
    }
    if (set->n >= GEN_FILES_MAX || len > GEN_FILE_MAX) {
        return exo_error_set(err, EXO_ERR_INVALID, "generator %s: %s: too many or too large "
                             "files (at most %d files of %zu bytes)", c->plugin, path,
                             GEN_FILES_MAX, GEN_FILE_MAX);
    }
    set->files = exo_xrealloc(set->files, (set->n + 1) * sizeof *set->files);
    exo_genfile_t *f = &set->files[set->n++];
    f->path = exo_xstrdup(path);
    f->content = exo_xmalloc(len + 1);
    if (len > 0) {
        memcpy(f->content, content, len);
    }
    f->content[len] = '\0';
    f->len = len;
    f->mode = mode;
    return EXO_OK;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const exo_genfile_t *)a)->path, ((const exo_genfile_t *)b)->path);
}

int exo_generator_run(const exo_plugin_t *p, const json_t *model, exo_genset_t *out,
                      exo_error_t *err)
{
    const exo_generator_ops_t *ops = p->desc->ops;
    collect_t c = {.set = out, .plugin = p->name};
    exo_generator_sink_t sink = {.size = sizeof sink, .add_file = add_file, .priv = &c};
    exo_error_t perr = {0};
    int rc = ops->generate(p->host, model, &sink, &perr);
    if (rc < 0) {
        exo_genset_free(out);
        return exo_error_set(err, rc, "%s", perr.message[0] ? perr.message
                             : "the generator failed without saying why");
    }
    if (out->n > 0) {
        qsort(out->files, out->n, sizeof *out->files, by_path);
    }
    return EXO_OK;
}

/* Every directory between out_dir and the file must be a real directory, so that a
 * symbolic link in the output cannot send a write elsewhere. */
static int make_parents(const char *out_dir, const char *path, exo_error_t *err)
{
    char *rel = exo_xstrdup(path);
    int rc = EXO_OK;
    for (char *slash = strchr(rel, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        char *dir = exo_path_join(out_dir, rel);
        struct stat st;
        if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "%s is not a directory (a link or a "
                               "file); remove it and generate again", dir);
        } else if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            rc = exo_error_set(err, EXO_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
        }
        free(dir);
        *slash = '/';
        if (rc < 0) {
            break;
        }
    }
    free(rel);
    return rc;
}

int exo_genset_write(const exo_genset_t *set, const char *out_dir, exo_error_t *err)
{
    if (exo_mkdir_p(out_dir, 0755) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "cannot create the output directory %s: %s; "
                             "choose another with --out", out_dir, strerror(errno));
    }
    for (size_t i = 0; i < set->n; i++) {
        const exo_genfile_t *f = &set->files[i];
        int rc = make_parents(out_dir, f->path, err);
        if (rc < 0) {
            return rc;
        }
        char *full = exo_path_join(out_dir, f->path);
        struct stat st;
        if (lstat(full, &st) == 0 && !S_ISREG(st.st_mode)) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "%s exists and is not a regular file; "
                               "remove it and generate again", full);
        } else if (exo_write_file_mode(full, f->content, f->len, f->mode) != 0) {
            rc = exo_error_set(err, EXO_ERR_IO, "cannot write %s: %s; check the permissions "
                               "of the output directory or choose another with --out", full,
                               strerror(errno));
        }
        free(full);
        if (rc < 0) {
            return rc;
        }
    }
    return EXO_OK;
}

size_t exo_genset_check(const exo_genset_t *set, const char *out_dir, exo_strv_t *drifted)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        const exo_genfile_t *f = &set->files[i];
        char *full = exo_path_join(out_dir, f->path);
        struct stat st;
        size_t len = 0;
        char *disk = NULL;
        if (lstat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            exo_strv_push_owned(drifted, exo_strdupf("%s: missing", f->path));
            n++;
        } else if ((disk = exo_read_file(full, &len)) == NULL || len != f->len ||
                   memcmp(disk, f->content, len) != 0) {
            exo_strv_push_owned(drifted, exo_strdupf("%s: differs", f->path));
            n++;
        } else if ((st.st_mode & 0777u) != f->mode) {
            exo_strv_push_owned(drifted, exo_strdupf("%s: mode %04o, expected %04o", f->path,
                                                     (unsigned)(st.st_mode & 0777u), f->mode));
            n++;
        }
        free(disk);
        free(full);
    }
    return n;
}

void exo_genset_free(exo_genset_t *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->files[i].path);
        free(set->files[i].content);
    }
    free(set->files);
    set->files = NULL;
    set->n = 0;
}
