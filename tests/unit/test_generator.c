/* tests/unit/test_generator.c - what the core does with a generator's files
 * (core/plugins/generator.c): paths that would leave the output directory are refused, a
 * failing generator leaves nothing, files are sorted, written atomically with their modes,
 * never through a symbolic link, and compared with the disk (missing, differs, mode). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exo/generator.h>

#include "base/util.h"
#include "plugins/generator.h"
#include "../support/cunit_main.h"

/* The fake generator adds these files, then returns `result`. */
typedef struct fake_file {
    const char *path, *content;
    unsigned mode;
} fake_file_t;
static const fake_file_t *fake_files;
static int fake_result;

static int fake_generate(const exo_host_t *host, const json_t *model, exo_generator_sink_t *sink,
                         exo_error_t *err)
{
    (void)host;
    (void)model;
    for (const fake_file_t *f = fake_files; f && f->path; f++) {
        int rc = sink->add_file(sink, f->path, f->content, strlen(f->content), f->mode, err);
        if (rc < 0) {
            return rc;
        }
    }
    return fake_result < 0 ? exo_error_set(err, fake_result, "fake: cannot") : EXO_OK;
}

static const exo_generator_ops_t fake_ops = {.size = sizeof fake_ops, .generate = fake_generate};
static const exo_plugin_desc_t fake_desc = {.size = sizeof fake_desc, .kind = EXO_KIND_GENERATOR,
                                            .name = "fake", .ops = &fake_ops};
static const exo_plugin_t fake_plugin = {.name = "fake", .kind = EXO_KIND_GENERATOR, .ok = true,
                                         .desc = &fake_desc};

static int run_fake(const fake_file_t *files, int result, exo_genset_t *set, exo_error_t *err)
{
    fake_files = files;
    fake_result = result;
    memset(err, 0, sizeof *err);
    return exo_generator_run(&fake_plugin, NULL, set, err);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/exo-test-gen.XXXXXX";
    return exo_xstrdup(mkdtemp(tmpl));
}

static void test_path_rules(void)
{
    const char *good[] = {"a", "a/b.yml", ".gitignore", "secrets/db.env", "a..b", NULL};
    const char *bad[] = {"", "/etc/passwd", "..", "../x", "a/../../x", "a//b", "./a", "a/.",
                         "a/", "a\\b", NULL};
    for (size_t i = 0; good[i]; i++) {
        CU_ASSERT_TRUE(exo_genpath_valid(good[i]));
    }
    for (size_t i = 0; bad[i]; i++) {
        CU_ASSERT_FALSE(exo_genpath_valid(bad[i]));
    }
    CU_ASSERT_FALSE(exo_genpath_valid(NULL));
}

static void test_escaping_path_refused(void)
{
    const fake_file_t files[] = {{"ok.yml", "x", 0644}, {"../escape", "x", 0644}, {NULL, NULL, 0}};
    exo_genset_t set = {0};
    exo_error_t err;
    CU_ASSERT_EQUAL(run_fake(files, 0, &set, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'../escape' would leave the output directory"));
    CU_ASSERT_EQUAL(set.n, 0); /* nothing of a failed run is kept */
}

static void test_duplicate_and_mode_refused(void)
{
    const fake_file_t dup[] = {{"a", "1", 0644}, {"a", "2", 0644}, {NULL, NULL, 0}};
    const fake_file_t setuid[] = {{"a", "1", 04755}, {NULL, NULL, 0}};
    exo_genset_t set = {0};
    exo_error_t err;
    CU_ASSERT_EQUAL(run_fake(dup, 0, &set, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "a added twice"));
    CU_ASSERT_EQUAL(run_fake(setuid, 0, &set, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(set.n, 0);
}

static void test_failing_generator_leaves_nothing(void)
{
    const fake_file_t files[] = {{"a", "1", 0644}, {NULL, NULL, 0}};
    exo_genset_t set = {0};
    exo_error_t err;
    CU_ASSERT_EQUAL(run_fake(files, EXO_ERR_INVALID, &set, &err), EXO_ERR_INVALID);
    CU_ASSERT_STRING_EQUAL(err.message, "fake: cannot");
    CU_ASSERT_EQUAL(set.n, 0);
}

static void test_write_then_check(void)
{
    const fake_file_t files[] = {{"z.yml", "zed\n", 0644}, {"secrets/a.env", "K=v\n", 0600},
                                 {NULL, NULL, 0}};
    exo_genset_t set = {0};
    exo_error_t err;
    CU_ASSERT_EQUAL(run_fake(files, 0, &set, &err), EXO_OK);
    CU_ASSERT_EQUAL_FATAL(set.n, 2);
    CU_ASSERT_STRING_EQUAL(set.files[0].path, "secrets/a.env"); /* sorted */
    char *dir = tmpdir();
    char *out = exo_path_join(dir, "out");
    exo_strv_t drift = {0};
    CU_ASSERT_EQUAL(exo_genset_check(&set, out, &drift), 2); /* nothing there yet */
    CU_ASSERT_STRING_EQUAL(drift.v[0], "secrets/a.env: missing");
    exo_strv_free(&drift);
    CU_ASSERT_EQUAL(exo_genset_write(&set, out, &err), EXO_OK);
    char *secret = exo_path_join(out, "secrets/a.env");
    struct stat st;
    CU_ASSERT_EQUAL(stat(secret, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(exo_genset_check(&set, out, &drift), 0);
    chmod(secret, 0644);
    char *z = exo_path_join(out, "z.yml");
    CU_ASSERT_EQUAL(exo_write_file_atomic(z, "zed!\n", 5), 0);
    CU_ASSERT_EQUAL(exo_genset_check(&set, out, &drift), 2);
    CU_ASSERT_STRING_EQUAL(drift.v[0], "secrets/a.env: mode 0644, expected 0600");
    CU_ASSERT_STRING_EQUAL(drift.v[1], "z.yml: differs");
    exo_strv_free(&drift);
    exo_genset_free(&set);
    free(z);
    free(secret);
    free(out);
    exo_rm_rf(dir);
    free(dir);
}

static void test_no_write_through_a_link(void)
{
    const fake_file_t files[] = {{"sub/f", "x", 0644}, {NULL, NULL, 0}};
    exo_genset_t set = {0};
    exo_error_t err;
    CU_ASSERT_EQUAL(run_fake(files, 0, &set, &err), EXO_OK);
    char *dir = tmpdir();
    char *out = exo_path_join(dir, "out"), *elsewhere = exo_path_join(dir, "elsewhere");
    char *sub = exo_path_join(out, "sub"), *leaked = exo_path_join(elsewhere, "f");
    exo_mkdir_p(out, 0755);
    exo_mkdir_p(elsewhere, 0755);
    CU_ASSERT_EQUAL(symlink(elsewhere, sub), 0);
    CU_ASSERT_EQUAL(exo_genset_write(&set, out, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is not a directory"));
    CU_ASSERT_FALSE(exo_path_is_file(leaked));
    exo_genset_free(&set);
    exo_rm_rf(dir);
    free(leaked);
    free(sub);
    free(elsewhere);
    free(out);
    free(dir);
}

static const exo_test_t tests[] = {
    {"path rules", test_path_rules},
    {"a path leaving the output is refused", test_escaping_path_refused},
    {"duplicate paths and odd modes are refused", test_duplicate_and_mode_refused},
    {"a failing generator leaves nothing", test_failing_generator_leaves_nothing},
    {"write, then check for drift", test_write_then_check},
    {"no write through a symbolic link", test_no_write_through_a_link},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("generator", tests, NULL, NULL)
