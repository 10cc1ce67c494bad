/* core/plugins/scan.c - the plugin files of the search path and their trust (see scan.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"
#include "scan.h"
#include "base/log.h"
#include "base/util.h"
#include "model/statedir.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Files named <kind>_<name>.so whose kind the caller does not want are skipped unopened:
 * opening a plugin maps its libraries (libpq alone brings a TLS stack), which costs start-up
 * time and memory in commands such as `exo send`. Other file names are always opened. */
static bool wanted_by_name(const char *file, unsigned kind_mask)
{
    for (int kind = EXO_KIND_BACKEND; kind <= EXO_KIND_GENERATOR; kind++) {
        const char *word = exo_kind_name(kind);
        size_t n = strlen(word);
        if (strncmp(file, word, n) == 0 && file[n] == '_') {
            return (kind_mask & EXO_KIND_BIT(kind)) != 0;
        }
    }
    return true;
}

/* Why a file or directory with status @p st must not be trusted, or NULL. Group-writable is
 * accepted for the caller's own primary group: that is what umask 002 with user private
 * groups gives every file. */
static char *distrust(const struct stat *st)
{
    unsigned mode = (unsigned)st->st_mode & 07777;
    if (st->st_uid != geteuid() && st->st_uid != 0) {
        return exo_strdupf("it belongs to user %u, neither you nor root", (unsigned)st->st_uid);
    }
    if (st->st_mode & S_IWOTH) {
        return exo_strdupf("every user can write it (mode %04o)", mode);
    }
    if ((st->st_mode & S_IWGRP) && st->st_gid != getegid()) {
        return exo_strdupf("group %u can write it (mode %04o)", (unsigned)st->st_gid, mode);
    }
    return NULL;
}

static void push(exo_plugin_files_t *out, char *path, bool app_local, char *refused)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->v = exo_xrealloc(out->v, out->cap * sizeof *out->v);
    }
    out->v[out->n++] = (exo_plugin_file_t){path, app_local, refused};
}

/* The .so files of @p dir in name order. */
static void list_dir(DIR *dh, unsigned kind_mask, exo_strv_t *files)
{
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        /* Only .so: a libtool .libs directory also holds .la/.lai files for the same module. */
        if (e->d_name[0] != '.' && has_suffix(e->d_name, ".so") &&
            wanted_by_name(e->d_name, kind_mask)) {
            exo_strv_push(files, e->d_name);
        }
    }
    if (files->n > 1) {
        qsort(files->v, files->n, sizeof files->v[0], cmp_str);
    }
}

/* The files of one directory, refused as a whole when the directory is not trusted. */
static void add_files(exo_plugin_files_t *out, const char *dir, const char *dir_distrust,
                      bool app_local, const exo_strv_t *files)
{
    for (size_t i = 0; i < files->n; i++) {
        char *path = exo_path_join(dir, files->v[i]);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        char *why = NULL;
        if (dir_distrust != NULL) {
            why = exo_strdupf("not loaded: its directory %s is unsafe: %s", dir, dir_distrust);
        } else {
            char *d = distrust(&st);
            if (d != NULL) {
                exo_warn("plugin %s is not loaded: %s; whoever can write it could run code as "
                         "you. Fix its owner or mode (chmod go-w %s) if you trust it",
                         path, d, path);
                why = exo_strdupf("not loaded: %s", d);
                free(d);
            }
        }
        push(out, path, app_local, why);
    }
}

static void scan_dir(exo_plugin_files_t *out, const char *dir, exo_strv_t *seen,
                     bool app_local, unsigned kind_mask)
{
    char real[PATH_MAX];
    struct stat st;
    if (realpath(dir, real) == NULL || stat(real, &st) != 0) {
        exo_debug("plugin directory %s: %s", dir, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        exo_debug("plugin directory %s: not a directory", dir);
        return;
    }
    if (exo_strv_contains(seen, real)) {
        return; /* listed twice in the search path: its plugins are no duplicates of themselves */
    }
    exo_strv_push(seen, real);
    DIR *dh = opendir(dir);
    if (dh == NULL) {
        exo_warn("cannot read plugin directory %s: %s", dir, strerror(errno));
        return;
    }
    exo_strv_t files = {0};
    list_dir(dh, kind_mask, &files);
    closedir(dh);
    char *d = distrust(&st);
    if (d != NULL && files.n > 0) {
        exo_warn("plugins in %s are not loaded: %s; whoever can write it could run code as "
                 "you. Fix its owner or mode (chmod go-w %s) if you trust it",
                 dir, d, real);
    }
    add_files(out, dir, d, app_local, &files);
    free(d);
    exo_strv_free(&files);
}

void exo_plugin_files_scan(exo_plugin_files_t *out, const char *app_dir, unsigned kind_mask)
{
    exo_strv_t seen = {0};
    const char *env = getenv("EXO_PLUGIN_PATH");
    if (env != NULL) {
        char *copy = exo_xstrdup(env);
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            if (dir[0] != '/') {
                exo_warn("EXO_PLUGIN_PATH: ignoring relative directory '%s'; use absolute "
                         "paths",
                         dir);
                continue;
            }
            scan_dir(out, dir, &seen, false, kind_mask);
        }
        free(copy);
    }
    if (app_dir != NULL) {
        char *sd = exo_statedir(app_dir);
        char *dir = exo_statedir_plugins(sd);
        scan_dir(out, dir, &seen, true, kind_mask);
        free(dir);
        free(sd);
    }
    /* EXO_NO_INSTALLED_PLUGINS=1 leaves the installed directory out: a build tree's tests
     * and demo see their own plugins only, whatever exo is installed on the machine. */
    const char *no_installed = getenv("EXO_NO_INSTALLED_PLUGINS");
    if (no_installed == NULL || strcmp(no_installed, "1") != 0) {
        scan_dir(out, EXO_PLUGINDIR, &seen, false, kind_mask);
    }
    exo_strv_free(&seen);
}

void exo_plugin_files_free(exo_plugin_files_t *files)
{
    for (size_t i = 0; i < files->n; i++) {
        free(files->v[i].path);
        free(files->v[i].refused);
    }
    free(files->v);
    *files = (exo_plugin_files_t){0};
}
