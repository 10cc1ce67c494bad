/* plugins/backend-docker/context.c - see context.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "context.h"

static la_ssize_t to_buf(struct archive *a, void *arg, const void *p, size_t n)
{
    exo_buf_append(arg, p, n);
    return (la_ssize_t)n;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int archive_failed(struct archive *a, const char *path, exo_error_t *err)
{
    return exo_error_set(err, EXO_ERR_IO, "build context %s: %s", path,
                         archive_error_string(a) ? archive_error_string(a) : "tar failed");
}

/* A regular file's bytes, which must be as many as its header said. */
static int add_data(struct archive *a, const char *path, const struct stat *st,
                    exo_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return exo_error_set(err, EXO_ERR_IO, "build context %s: %s", path, strerror(errno));
    }
    char chunk[16384];
    size_t got, total = 0;
    int rc = 0;
    while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (archive_write_data(a, chunk, got) < 0) {
            rc = archive_failed(a, path, err);
        }
        total += got;
    }
    fclose(f);
    if (rc == 0 && total != (size_t)st->st_size) {
        rc = exo_error_set(err, EXO_ERR_IO, "build context %s changed while read", path);
    }
    return rc;
}

static int add_tree(struct archive *a, const char *root, const char *rel, exo_error_t *err);

/* One entry: @p rel is its name in the context, @p path where it is. */
static int add_entry(struct archive *a, const char *root, const char *rel, const char *path,
                     exo_error_t *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return exo_error_set(err, EXO_ERR_IO, "build context %s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode)) {
        return 0; /* sockets, fifos, devices: not part of a context */
    }
    char target[4096] = "";
    if (S_ISLNK(st.st_mode)) {
        ssize_t l = readlink(path, target, sizeof target - 1);
        if (l < 0) {
            return exo_error_set(err, EXO_ERR_IO, "build context %s: %s", path,
                                 strerror(errno));
        }
        target[l] = '\0';
    }
    struct archive_entry *e = archive_entry_new();
    archive_entry_copy_stat(e, &st);
    archive_entry_set_pathname(e, rel);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_nlink(e, 1);
    if (S_ISLNK(st.st_mode)) {
        archive_entry_set_symlink(e, target);
    }
    if (!S_ISREG(st.st_mode)) {
        archive_entry_set_size(e, 0);
    }
    int rc = archive_write_header(a, e) < ARCHIVE_WARN ? archive_failed(a, path, err) : 0;
    archive_entry_free(e);
    if (rc == 0 && S_ISREG(st.st_mode)) {
        rc = add_data(a, path, &st, err);
    }
    if (rc == 0 && S_ISDIR(st.st_mode)) {
        rc = add_tree(a, root, rel, err);
    }
    return rc;
}

static int add_tree(struct archive *a, const char *root, const char *rel, exo_error_t *err)
{
    char *dir = rel[0] ? exo_path_join(root, rel) : exo_xstrdup(root);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0) {
        int rc = exo_error_set(err, EXO_ERR_IO, "build context %s: %s", dir, strerror(errno));
        free(dir);
        return rc;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        bool skip = strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
                    (rel[0] == '\0' && strcmp(name, ".exo") == 0);
        if (rc == 0 && !skip) {
            char *r = rel[0] ? exo_strdupf("%s/%s", rel, name) : exo_xstrdup(name);
            char *path = exo_path_join(root, r);
            rc = add_entry(a, root, r, path, err);
            free(path);
            free(r);
        }
        free(names[i]);
    }
    free(names);
    free(dir);
    return rc;
}

int context_tar(const char *dir, exo_buf_t *out, exo_error_t *err)
{
    struct archive *a = archive_write_new();
    if (a == NULL) {
        return exo_error_set(err, EXO_ERR_NOMEM, "build context: cannot start a tar");
    }
    /* Pax only where ustar cannot say it (names over 100 bytes, long link targets). */
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1); /* no padding to 10 KiB */
    int rc = 0;
    if (archive_write_open(a, out, NULL, to_buf, NULL) != ARCHIVE_OK) {
        rc = archive_failed(a, dir, err);
    }
    if (rc == 0) {
        rc = add_tree(a, dir, "", err);
    }
    if (archive_write_close(a) != ARCHIVE_OK && rc == 0) {
        rc = archive_failed(a, dir, err);
    }
    archive_write_free(a);
    return rc;
}
