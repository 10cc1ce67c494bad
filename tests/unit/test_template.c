/* tests/unit/test_template.c - template manifests and the renderer: placeholders, filters,
 * diagnostics with FILE:LINE:COLUMN, and every way a template could write outside its target. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scaffold/template.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static char *root; /* a fresh temporary directory per test */

static int setup(void)
{
    return 0;
}

static void fresh_root(void)
{
    if (root != NULL) {
        exo_rm_rf(root);
        free(root);
    }
    root = exo_xstrdup("/tmp/exo-test-template.XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
}

static int teardown(void)
{
    if (root != NULL) {
        exo_rm_rf(root);
        free(root);
        root = NULL;
    }
    return 0;
}

static void put(const char *rel, const char *text)
{
    char *path = exo_path_join(root, rel);
    char *dir = exo_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    CU_ASSERT_EQUAL(exo_mkdir_p(dir, 0755), 0);
    CU_ASSERT_EQUAL(exo_write_file_atomic(path, text, strlen(text)), 0);
    free(dir);
    free(path);
}

static char *slurp(const char *rel)
{
    char *path = exo_path_join(root, rel);
    char *s = exo_read_file(path, NULL);
    free(path);
    return s;
}

static bool diag_has(const exo_diag_t *d, const char *needle, int line, int col)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strstr(d->entries[i].message, needle) != NULL &&
            (line < 0 || (d->entries[i].line == line && d->entries[i].column == col))) {
            return true;
        }
    }
    return false;
}

static void vars_init(exo_tvars_t *v)
{
    memset(v, 0, sizeof *v);
    exo_tvars_set(v, "role", "ping");
    exo_tvars_set(v, "app", "demo");
    exo_tvars_set(v, "description", "say \"hi\"\n");
}

static void test_subst_values_filters_literals(void)
{
    exo_tvars_t v;
    vars_init(&v);
    exo_diag_t d;
    exo_diag_init(&d);
    const char *in = "{{role}}/{{ app }} {{description|quote}} {{role | ident}} {{\"{{\"}}x}}"
                     " {{ not a placeholder }} {{}} {";
    char *out = exo_template_subst(in, strlen(in), &v, "f", &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "ping/demo \"say \\\"hi\\\"\\n\" ping {{x}} "
                                "{{ not a placeholder }} {{}} {");
    CU_ASSERT_EQUAL(d.errors, 0);
    free(out);
    exo_tvars_set(&v, "role", "my-role");
    out = exo_template_subst("{{role|ident}}", 14, &v, "f", &d);
    CU_ASSERT_STRING_EQUAL(out, "my_role");
    free(out);
    exo_diag_free(&d);
    exo_tvars_free(&v);
}

/* A line with nothing but a placeholder whose value is empty is left out with its newline
 * (and one of two blank lines around it); anything else on the line, a filter's output or a
 * non-empty value keeps it. Positions in errors still count the lines left out. */
static void test_subst_empty_standalone_line_is_left_out(void)
{
    exo_tvars_t v;
    vars_init(&v);
    exo_tvars_set(&v, "description", "");
    exo_diag_t d;
    exo_diag_init(&d);
    const char *in = "# {{app}}\n\n{{description}}\n\nbody {{description}}\n"
                     "{{ description }}\n{{description|quote}}\n{{role}}\n{{description}}";
    char *out = exo_template_subst(in, strlen(in), &v, "f", &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "# demo\n\nbody \n\"\"\nping\n");
    free(out);
    const char *bad = "x\n\n{{description}}\n\n{{nope}}";
    CU_ASSERT_PTR_NULL(exo_template_subst(bad, strlen(bad), &v, "f", &d));
    CU_ASSERT_TRUE(diag_has(&d, "unknown placeholder {{nope}}", 5, 1));
    exo_diag_free(&d);
    exo_tvars_free(&v);
}

static void test_subst_unknown_placeholder_names_line_and_column(void)
{
    exo_tvars_t v;
    vars_init(&v);
    exo_diag_t d;
    exo_diag_init(&d);
    const char *in = "line one\n  ok {{role}} then {{nope}}\n{{role|shout}}";
    CU_ASSERT_PTR_NULL(exo_template_subst(in, strlen(in), &v, "dir/file.c", &d));
    CU_ASSERT_EQUAL(d.errors, 2);
    CU_ASSERT_TRUE(diag_has(&d, "unknown placeholder {{nope}}", 2, 20));
    CU_ASSERT_TRUE(diag_has(&d, "unknown filter '|shout'", 3, 1));
    CU_ASSERT_STRING_EQUAL(d.entries[0].file, "dir/file.c");
    exo_diag_free(&d);
    exo_tvars_free(&v);
}

/* Random text made of the characters that matter to the parser: never a crash, and text
 * without a known placeholder comes out unchanged. */
static void test_subst_random_text(void)
{
    static const char alphabet[] = "{}| \"\nax-_1";
    exo_tvars_t v;
    vars_init(&v);
    srand(12345);
    for (int round = 0; round < 20000; round++) {
        char in[40];
        size_t n = (size_t)(rand() % 39);
        for (size_t i = 0; i < n; i++) {
            in[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        in[n] = '\0';
        exo_diag_t d;
        exo_diag_init(&d);
        char *out = exo_template_subst(in, n, &v, "r", &d);
        CU_ASSERT((out == NULL) == (d.errors > 0));
        if (out != NULL && strstr(in, "{{\"") == NULL) {
            CU_ASSERT_STRING_EQUAL(out, in); /* no placeholder is named role/app/description */
        }
        free(out);
        exo_diag_free(&d);
    }
    exo_tvars_free(&v);
}

static exo_template_t *load(exo_diag_t *d)
{
    char *dir = exo_path_join(root, "tpl");
    exo_template_t *t = exo_template_load(dir, EXO_TEMPLATE_PATH, d);
    free(dir);
    return t;
}

static void test_manifest_is_read_with_values(void)
{
    fresh_root();
    put("tpl/template.yml", "name: svc\ndescription: a service\nkind: service\nvalues:\n"
                            "  port:\n    description: the port\n    default: \"8080\"\n"
                            "  token:\n    description: a token\n  short: x\n");
    put("tpl/files/service.yml", "type: x\n");
    exo_diag_t d;
    exo_diag_init(&d);
    exo_template_t *t = load(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->name, "svc");
    CU_ASSERT_EQUAL(t->kind, EXO_TEMPLATE_KIND_SERVICE);
    CU_ASSERT_EQUAL(t->n_values, 3);
    CU_ASSERT_STRING_EQUAL(exo_template_value(t, "port")->default_value, "8080");
    CU_ASSERT_PTR_NULL(exo_template_value(t, "token")->default_value);
    CU_ASSERT_STRING_EQUAL(exo_template_value(t, "short")->default_value, "x");
    exo_template_free(&t);
    exo_diag_free(&d);
}

static void test_manifest_errors_have_positions(void)
{
    fresh_root();
    put("tpl/template.yml", "name: Bad Name\nkind: thing\ncolour: red\nvalues:\n  role: x\n");
    exo_diag_t d;
    exo_diag_init(&d);
    CU_ASSERT_PTR_NULL(load(&d));
    CU_ASSERT_TRUE(diag_has(&d, "template name 'Bad Name' is not valid", 1, 7));
    CU_ASSERT_TRUE(diag_has(&d, "kind must be 'app' or 'service'", 2, 7));
    CU_ASSERT_TRUE(diag_has(&d, "unknown key 'colour'", 3, 1));
    CU_ASSERT_TRUE(diag_has(&d, "'role' is set by exo", 5, 3));
    CU_ASSERT_TRUE(diag_has(&d, "missing key 'description'", -1, 0));
    CU_ASSERT_TRUE(diag_has(&d, "missing directory", -1, 0));
    exo_diag_free(&d);
}

/* Render root/tpl into root/out; returns the renderer's result. */
static int render(exo_tvars_t *v, exo_diag_t *d)
{
    exo_template_t *t = load(d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    char *out = exo_path_join(root, "out");
    CU_ASSERT_EQUAL(mkdir(out, 0755), 0);
    int rc = exo_template_render(t, v, out, d);
    free(out);
    exo_template_free(&t);
    return rc;
}

static void basic_template(void)
{
    fresh_root();
    put("tpl/template.yml", "name: svc\ndescription: d\nkind: service\nvalues:\n"
                            "  where: {default: sub}\n");
}

static void test_render_names_contents_modes(void)
{
    basic_template();
    put("tpl/files/{{role}}.txt", "I am {{role}} of {{app}}\n");
    put("tpl/files/{{where}}/run.sh", "#!/bin/sh\necho {{role}}\n");
    char *sh = exo_path_join(root, "tpl/files/{{where}}/run.sh");
    chmod(sh, 0755);
    free(sh);
    char *bin = exo_path_join(root, "tpl/files/blob.bin");
    FILE *f = fopen(bin, "wb");
    fwrite("{{nope}}\0\1", 1, 10, f);
    fclose(f);
    free(bin);
    exo_tvars_t v;
    vars_init(&v);
    exo_tvars_set(&v, "where", "lib");
    exo_diag_t d;
    exo_diag_init(&d);
    CU_ASSERT_EQUAL(render(&v, &d), 0);
    exo_diag_print(&d, stderr, false);
    char *s = slurp("out/ping.txt");
    CU_ASSERT_STRING_EQUAL(s, "I am ping of demo\n");
    free(s);
    s = slurp("out/lib/run.sh");
    CU_ASSERT_STRING_EQUAL(s, "#!/bin/sh\necho ping\n");
    free(s);
    char *path = exo_path_join(root, "out/lib/run.sh");
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT(st.st_mode & S_IXUSR);
    free(path);
    size_t len = 0;
    path = exo_path_join(root, "out/blob.bin");
    s = exo_read_file(path, &len);
    CU_ASSERT_EQUAL(len, 10); /* binary files are copied, never substituted */
    free(s);
    free(path);
    exo_diag_free(&d);
    exo_tvars_free(&v);
}

static void expect_refused(const char *file_name, const char *value, const char *why)
{
    basic_template();
    char *rel = exo_strdupf("tpl/files/%s", file_name);
    put(rel, "x\n");
    free(rel);
    exo_tvars_t v;
    vars_init(&v);
    exo_tvars_set(&v, "where", value);
    exo_diag_t d;
    exo_diag_init(&d);
    CU_ASSERT_EQUAL(render(&v, &d), -1);
    CU_ASSERT_TRUE(diag_has(&d, why, -1, 0));
    /* nothing escaped: the parent of out/ holds only tpl/ and out/ */
    char *esc = exo_path_join(root, "escaped");
    CU_ASSERT_FALSE(exo_path_is_file(esc));
    free(esc);
    exo_diag_free(&d);
    exo_tvars_free(&v);
}

static void test_render_refuses_escaping_names(void)
{
    expect_refused("{{where}}", "..", "'.' or '..'");
    expect_refused("{{where}}", "../escaped", "with '/'");
    expect_refused("{{where}}", "/tmp/escaped", "absolute path");
    expect_refused("..{{where}}", "", "'.' or '..'");
    expect_refused("{{missing}}", "", "unknown placeholder {{missing}}");
}

static void test_render_refuses_links(void)
{
    basic_template();
    put("tpl/files/ok.txt", "x\n");
    char *link = exo_path_join(root, "tpl/files/passwd");
    CU_ASSERT_EQUAL(symlink("/etc/passwd", link), 0);
    free(link);
    exo_tvars_t v;
    vars_init(&v);
    exo_diag_t d;
    exo_diag_init(&d);
    CU_ASSERT_EQUAL(render(&v, &d), -1);
    CU_ASSERT_TRUE(diag_has(&d, "symbolic link", -1, 0));
    char *copied = exo_path_join(root, "out/passwd");
    struct stat st;
    CU_ASSERT_NOT_EQUAL(lstat(copied, &st), 0);
    free(copied);
    exo_diag_free(&d);
    exo_tvars_free(&v);
}

static void test_search_path_order(void)
{
    fresh_root();
    char *app = exo_path_join(root, "app");
    char *user = exo_path_join(root, "xdg");
    char *inst = exo_path_join(root, "inst");
    put("app/.exo/templates/one/template.yml", "name: one\ndescription: app's\nkind: service\n");
    put("app/.exo/templates/one/files/service.yml", "x: 1\n");
    put("xdg/exo/templates/one/template.yml", "name: one\ndescription: user's\nkind: service\n");
    put("xdg/exo/templates/one/files/service.yml", "x: 1\n");
    put("inst/two/template.yml", "name: two\ndescription: installed\nkind: app\n");
    put("inst/two/files/application.yml", "x: 1\n");
    put("inst/broken/template.yml", "name: [\n");
    setenv("XDG_DATA_HOME", user, 1);
    setenv("EXO_TEMPLATE_PATH", inst, 1);
    exo_diag_t d;
    exo_diag_init(&d);
    exo_template_list_t list;
    exo_template_list(app, &list, &d);
    CU_ASSERT_EQUAL_FATAL(list.n, 3);
    CU_ASSERT_EQUAL(list.items[0]->origin, EXO_TEMPLATE_APP);
    CU_ASSERT_FALSE(list.items[0]->shadowed);
    CU_ASSERT_EQUAL(list.items[1]->origin, EXO_TEMPLATE_USER);
    CU_ASSERT_TRUE(list.items[1]->shadowed);
    CU_ASSERT_STRING_EQUAL(list.items[2]->name, "two");
    CU_ASSERT(d.warnings >= 1); /* the broken one, skipped */
    CU_ASSERT_TRUE(diag_has(&d, "template skipped", -1, 0));
    exo_template_list_free(&list);
    exo_template_t *t = exo_template_find(app, "one", &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->description, "app's");
    exo_template_free(&t);
    CU_ASSERT_PTR_NULL(exo_template_find(app, "onw", &d));
    CU_ASSERT_TRUE(diag_has(&d, "did you mean 'one'", -1, 0));
    exo_diag_free(&d);
    unsetenv("XDG_DATA_HOME");
    unsetenv("EXO_TEMPLATE_PATH");
    free(app);
    free(user);
    free(inst);
}

static const exo_test_t tests[] = {
    {"substitutes values, filters and literals", test_subst_values_filters_literals},
    {"unknown placeholder names line and column",
     test_subst_unknown_placeholder_names_line_and_column},
    {"random text never crashes", test_subst_random_text},
    {"an empty placeholder alone on its line leaves no line",
     test_subst_empty_standalone_line_is_left_out},
    {"reads a manifest with values", test_manifest_is_read_with_values},
    {"manifest errors have positions", test_manifest_errors_have_positions},
    {"renders names, contents and modes", test_render_names_contents_modes},
    {"refuses names that escape the target", test_render_refuses_escaping_names},
    {"refuses links", test_render_refuses_links},
    {"search path order and shadowing", test_search_path_order},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("template", tests, setup, teardown)
