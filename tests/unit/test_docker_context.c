/*
 * tests/unit/test_docker_context.c - the docker backend's build context (context.c): the tar
 * it writes is read back with libarchive. Long names (over ustar's 100 bytes, with no slash to
 * split them at), symlinks with long targets, sorted entries, .exo/ left out at the top only,
 * file contents and modes kept, owners 0.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "../../plugins/backend-docker/context.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static char *dir;

static void put(const char *rel, const char *text)
{
    char *p = exo_path_join(dir, rel);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    CU_ASSERT_EQUAL_FATAL(exo_mkdir_p(p, 0755), 0);
    *slash = '/';
    CU_ASSERT_EQUAL_FATAL(exo_write_file_atomic(p, text, strlen(text)), 0);
    free(p);
}

/* "name|type|size|link" per entry, one a line; contents of regular files after a '='. */
static char *listing(const exo_buf_t *tar)
{
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    CU_ASSERT_EQUAL_FATAL(archive_read_open_memory(a, tar->data, tar->len), ARCHIVE_OK);
    exo_buf_t out = {0};
    exo_buf_puts(&out, "");
    struct archive_entry *e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        mode_t t = archive_entry_filetype(e);
        CU_ASSERT_EQUAL(archive_entry_uid(e), 0);
        CU_ASSERT_EQUAL(archive_entry_gid(e), 0);
        exo_buf_printf(&out, "%s|%s|%lld|%s", archive_entry_pathname(e),
                       t == AE_IFDIR ? "dir" : t == AE_IFLNK ? "link" : "file",
                       (long long)archive_entry_size(e),
                       archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
        if (t == AE_IFREG) {
            char data[256] = "";
            la_ssize_t n = archive_read_data(a, data, sizeof data - 1);
            exo_buf_printf(&out, "=%.*s|%o", (int)(n > 0 ? n : 0), data,
                           (unsigned)(archive_entry_perm(e) & 0777));
        }
        exo_buf_puts(&out, "\n");
    }
    archive_read_free(a);
    return out.data;
}

static void test_long_names_and_symlinks(void)
{
    char longname[160];
    memset(longname, 'n', 150);
    strcpy(longname + 150, ".txt"); /* 154 bytes, no slash: ustar cannot split it */
    char *deep = exo_strdupf("sub/%s", longname);
    put(deep, "deep\n");
    put("Dockerfile", "FROM scratch\n");
    put("b.txt", "bee\n");
    put(".exo/run.json", "{}");
    put("sub/.exo/kept", "kept\n"); /* only the top-level .exo/ is the app's state */
    char *p = exo_path_join(dir, "b.txt");
    chmod(p, 0750);
    free(p);
    char *link = exo_path_join(dir, "sub/to-long");
    CU_ASSERT_EQUAL_FATAL(symlink(longname, link), 0);
    free(link);
    char target[200];
    memset(target, 't', 180);
    target[180] = '\0';
    link = exo_path_join(dir, "dangling");
    CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0); /* a target over 100 bytes */
    free(link);

    exo_buf_t tar = {0};
    exo_error_t err = {0};
    CU_ASSERT_EQUAL_FATAL(context_tar(dir, &tar, &err), 0);
    char *got = listing(&tar);
    char *want = exo_strdupf("Dockerfile|file|13|=FROM scratch\n|644\n"
                             "b.txt|file|4|=bee\n|750\n"
                             "dangling|link|0|%s\n"
                             "sub/|dir|0|\n"
                             "sub/.exo/|dir|0|\n"
                             "sub/.exo/kept|file|5|=kept\n|644\n"
                             "sub/%s|file|5|=deep\n|644\n"
                             "sub/to-long|link|0|%s\n", target, longname, longname);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
    }
    CU_ASSERT_STRING_EQUAL(got, want);
    free(want);
    free(got);
    exo_buf_free(&tar);
    free(deep);
}

static void test_unreadable_directory_is_named(void)
{
    exo_buf_t tar = {0};
    exo_error_t err = {0};
    char *missing = exo_path_join(dir, "no-such-dir");
    CU_ASSERT_NOT_EQUAL(context_tar(missing, &tar, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no-such-dir"));
    exo_buf_free(&tar);
    free(missing);
}

static int setup(void)
{
    char tmpl[] = "/tmp/exo-context-XXXXXX";
    if (mkdtemp(tmpl) == NULL) {
        return 1;
    }
    umask(022);
    dir = exo_xstrdup(tmpl);
    return 0;
}

static int teardown(void)
{
    exo_rm_rf(dir);
    free(dir);
    return 0;
}

static const exo_test_t tests[] = {
    {"long names and symlinks survive, sorted, .exo/ left out", test_long_names_and_symlinks},
    {"a context that cannot be read is named", test_unreadable_directory_is_named},
    {NULL, NULL},
};

int main(void)
{
    return exo_cunit_run("docker build context", tests, setup, teardown);
}
