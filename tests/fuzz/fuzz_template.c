/*
 * tests/fuzz/fuzz_template.c - libFuzzer target for templates: template.yml through
 * exo_template_load, and files/ through exo_template_render (placeholders in contents and in
 * names, the refusal of names that would leave the new directory). Built and run by
 * tests/fuzz/run.sh (clang).
 *
 * An input is up to 1 + MAX_FILES sections separated by NUL bytes: the first is template.yml;
 * each other one is a file of files/, its first line the file's name (a name that cannot be
 * one directory entry becomes fK) and the rest its content. The values given to the
 * rendering are exo's own (app, role, description, version) plus every value template.yml
 * declares, with its default, so the input also chooses what gets substituted.
 *
 * Checked besides crashes, leaks and undefined behaviour: rendering never creates anything
 * outside the target directory, and text without "{{" renders to itself.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "model/diag.h"
#include "scaffold/template.h"

#define MAX_FILES 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[4096];
static char *tpl_dir, *files_dir, *box_dir, *out_dir;

static void remove_scratch(void)
{
    exo_rm_rf(scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    const char *env = getenv("EXO_FUZZ_SCRATCH");
    snprintf(scratch, sizeof scratch, "%s/exo-fuzz-template.XXXXXX", env ? env : base);
    if (mkdtemp(scratch) == NULL) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    tpl_dir = exo_path_join(scratch, "tpl");
    files_dir = exo_path_join(tpl_dir, "files");
    box_dir = exo_path_join(scratch, "box"); /* holds only out/, before and after rendering */
    out_dir = exo_path_join(box_dir, "out");
    exo_mkdir_p(tpl_dir, 0755);
    exo_mkdir_p(box_dir, 0755);
    return 0;
}

static void put_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char *path = exo_path_join(dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        perror(path);
        abort();
    }
    close(fd);
    free(path);
}

/* The name a section's first line gives its file, or NULL when it cannot be one entry. */
static char *file_name(const uint8_t *line, size_t len)
{
    if (len == 0 || len > 200 || memchr(line, '/', len) != NULL) {
        return NULL;
    }
    char *name = exo_xstrndup((const char *)line, len);
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        free(name);
        return NULL;
    }
    return name;
}

/* Write files/ from the sections after the first; check that plain text renders to itself. */
static void put_files(const uint8_t *data, size_t size, size_t off, const exo_tvars_t *vars)
{
    for (int k = 1; k <= MAX_FILES && off <= size; k++) {
        const uint8_t *s = data + off;
        const uint8_t *nul = memchr(s, '\0', size - off);
        size_t len = nul ? (size_t)(nul - s) : size - off;
        const uint8_t *nl = memchr(s, '\n', len);
        size_t name_len = nl ? (size_t)(nl - s) : len;
        char *name = file_name(s, name_len);
        if (name == NULL) {
            name = exo_strdupf("f%d", k);
        }
        const uint8_t *body = nl ? nl + 1 : s + len;
        size_t body_len = (size_t)(s + len - body);
        put_file(files_dir, name, body, body_len);
        free(name);
        if (vars != NULL && memmem(body, body_len, "{{", 2) == NULL) {
            exo_diag_t diag;
            exo_diag_init(&diag);
            char *text = exo_template_subst((const char *)body, body_len, vars, "f", &diag);
            if (text == NULL || strlen(text) != body_len || memcmp(text, body, body_len) != 0) {
                abort();
            }
            free(text);
            exo_diag_free(&diag);
        }
        off += len + 1;
    }
}

/* exo's values and the template's own, as `exo add` would pass them without --set. */
static void template_vars(const exo_template_t *t, exo_tvars_t *vars)
{
    exo_tvars_set(vars, "app", "demo");
    exo_tvars_set(vars, "role", "svc");
    exo_tvars_set(vars, "description", "a service");
    exo_tvars_set(vars, "version", "0.1.0");
    for (size_t i = 0; i < t->n_values; i++) {
        const char *d = t->values[i].default_value;
        exo_tvars_set(vars, t->values[i].name, d ? d : "x");
    }
}

/* Nothing but out/ may exist in the box after rendering. */
static void check_box(void)
{
    DIR *dp = opendir(box_dir);
    if (dp == NULL) {
        abort();
    }
    for (struct dirent *e; (e = readdir(dp)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, "out") != 0) {
            fprintf(stderr, "rendering escaped its directory: %s\n", e->d_name);
            abort();
        }
    }
    closedir(dp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    exo_rm_rf(files_dir);
    exo_mkdir_p(files_dir, 0755);
    put_file(tpl_dir, "template.yml", data, mlen);

    exo_diag_t diag;
    exo_diag_init(&diag);
    exo_template_t *t = exo_template_load(tpl_dir, EXO_TEMPLATE_PATH, &diag);
    exo_tvars_t vars = {0};
    if (t != NULL) {
        template_vars(t, &vars);
    } else if (diag.errors == 0) {
        abort(); /* a refused template always says why */
    }
    put_files(data, size, nul ? mlen + 1 : size + 1, t ? &vars : NULL);
    if (t != NULL) {
        exo_rm_rf(out_dir);
        if (mkdir(out_dir, 0755) != 0) {
            abort();
        }
        exo_template_render(t, &vars, out_dir, &diag);
        check_box();
        exo_template_free(&t);
    }
    exo_tvars_free(&vars);
    exo_diag_free(&diag);
    return 0;
}
