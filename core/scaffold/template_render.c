/* core/scaffold/template_render.c - render a template's files/ tree: placeholders, and nothing that
 * could leave the target directory. All file system work is relative to directory fds opened
 * with O_NOFOLLOW, so a link can neither be read from the template nor followed in the target. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"

static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* quote: a double-quoted string valid in YAML, JSON, C and Python; ident: [A-Za-z0-9_]. */
static bool apply_filter(exo_buf_t *out, const char *f, size_t n, const char *value)
{
    if (n == 5 && strncmp(f, "quote", 5) == 0) {
        exo_buf_puts(out, "\"");
        for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
            if (*p == '"' || *p == '\\') {
                exo_buf_printf(out, "\\%c", *p);
            } else if (*p == '\n') {
                exo_buf_puts(out, "\\n");
            } else if (*p == '\t') {
                exo_buf_puts(out, "\\t");
            } else if (*p < 0x20 || *p == 0x7f) {
                exo_buf_printf(out, "\\x%02x", *p);
            } else {
                exo_buf_append(out, (const char *)p, 1);
            }
        }
        exo_buf_puts(out, "\"");
        return true;
    }
    if (n == 5 && strncmp(f, "ident", 5) == 0) {
        for (const char *p = value; *p; p++) {
            bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9');
            exo_buf_append(out, ok ? p : "_", 1);
        }
        return true;
    }
    return false;
}

static void known_names(const exo_tvars_t *vars, exo_buf_t *b)
{
    for (size_t i = 0; i < vars->names.n; i++) {
        exo_buf_printf(b, "%s%s", i ? ", " : "", vars->names.v[i]);
    }
}

char *exo_template_subst(const char *text, size_t len, const exo_tvars_t *vars,
                         const char *file, exo_diag_t *diag)
{
    exo_buf_t out = {0};
    exo_buf_append(&out, "", 0);
    size_t errors = diag->errors;
    int line = 1, col = 1;
    size_t i = 0;
    size_t line_out = 0; /* where the current line starts in out */
    while (i < len) {
        if (text[i] != '{' || i + 1 >= len || text[i + 1] != '{') {
            if (text[i] == '\n') {
                line++;
                col = 1;
                line_out = out.len + 1;
            } else {
                col++;
            }
            exo_buf_append(&out, text + i, 1);
            i++;
            continue;
        }
        /* {{ name }} or {{ "literal" }}; anything else is plain text */
        size_t j = i + 2;
        while (j < len && text[j] == ' ') {
            j++;
        }
        size_t a = j, b = j, fa = 0, fb = 0; /* name [a, b), filter [fa, fb) */
        bool literal = false;
        if (j < len && text[j] == '"') {
            literal = true;
            a = ++j;
            while (j < len && text[j] != '"' && text[j] != '\n') {
                j++;
            }
            if (j >= len || text[j] != '"') {
                goto plain;
            }
            b = j++;
        } else if (j < len && ident_start(text[j])) {
            while (j < len && ident_char(text[j])) {
                j++;
            }
            b = j;
            while (j < len && text[j] == ' ') {
                j++;
            }
            if (j < len && text[j] == '|') {
                j++;
                while (j < len && text[j] == ' ') {
                    j++;
                }
                fa = j;
                while (j < len && ident_char(text[j])) {
                    j++;
                }
                fb = j;
            }
        } else {
            goto plain;
        }
        while (j < len && text[j] == ' ') {
            j++;
        }
        if (j + 1 >= len || text[j] != '}' || text[j + 1] != '}') {
            goto plain;
        }
        j += 2;
        if (literal) {
            exo_buf_append(&out, text + a, b - a);
        } else {
            char *name = exo_xstrndup(text + a, b - a);
            const char *value = exo_tvars_get(vars, name);
            if (value == NULL) {
                exo_buf_t known = {0};
                known_names(vars, &known);
                exo_diag_error(diag, file, line, col, "unknown placeholder {{%s}} (this template "
                               "knows: %s); declare it under values: in template.yml", name,
                               known.len ? known.data : "none");
                exo_buf_free(&known);
            } else if (fa == fb && fa == 0) {
                exo_buf_puts(&out, value);
                /* A line holding only a placeholder whose value is empty is left out, newline
                 * and all; between two blank lines, one of them goes too: an empty
                 * {{description}} paragraph leaves no blank line behind. */
                if (out.len == line_out && (i == 0 || text[i - 1] == '\n') &&
                    j < len && text[j] == '\n') {
                    bool blank_before = line_out == 0 || (line_out >= 2 &&
                                                          out.data[line_out - 2] == '\n');
                    bool blank_after = j + 1 < len && text[j + 1] == '\n';
                    size_t skip = blank_before && blank_after ? 2 : 1;
                    free(name);
                    line += (int)skip;
                    col = 1;
                    i = j + skip;
                    continue;
                }
            } else if (!apply_filter(&out, text + fa, fb - fa, value)) {
                exo_diag_error(diag, file, line, col, "unknown filter '|%.*s' on {{%s}} "
                               "(filters: quote, ident)", (int)(fb - fa), text + fa, name);
            }
            free(name);
        }
        col += (int)(j - i);
        i = j;
        continue;
    plain:
        exo_buf_append(&out, "{{", 2);
        col += 2;
        i += 2;
    }
    if (diag->errors > errors) {
        exo_buf_free(&out);
        return NULL;
    }
    return out.data;
}

/* Read all of @p fd. New buffer (NUL-terminated) or NULL with errno. */
static char *read_fd(int fd, size_t *len)
{
    exo_buf_t b = {0};
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            exo_buf_free(&b);
            return NULL;
        }
        if (n == 0) {
            break;
        }
        exo_buf_append(&b, chunk, (size_t)n);
    }
    exo_buf_append(&b, "", 0);
    *len = b.len;
    return b.data;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* A rendered name must stay one entry inside its directory. */
static const char *bad_name(const char *name)
{
    if (name[0] == '\0') {
        return "it renders to an empty name";
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return "it renders to '.' or '..', which would write outside its directory";
    }
    if (name[0] == '/') {
        return "it renders to an absolute path";
    }
    if (strchr(name, '/') != NULL) {
        return "it renders to a path with '/' (make directories in files/ instead)";
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            return "it renders to a name with a control character";
        }
    }
    return NULL;
}

typedef struct render {
    const exo_tvars_t *vars;
    exo_diag_t *diag;
} render_t;

static void render_file(render_t *r, int sfd, int dfd, const char *sname, const char *dname,
                        const char *spath, mode_t mode)
{
    int in = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) {
        exo_diag_error(r->diag, spath, 0, 0, "cannot read: %s", strerror(errno));
        return;
    }
    size_t len = 0;
    char *data = read_fd(in, &len);
    close(in);
    if (data == NULL) {
        exo_diag_error(r->diag, spath, 0, 0, "cannot read: %s", strerror(errno));
        return;
    }
    char *text = data;
    size_t tlen = len;
    if (memchr(data, '\0', len) == NULL) {
        text = exo_template_subst(data, len, r->vars, spath, r->diag);
        tlen = text ? strlen(text) : 0;
    } /* else binary: copied as is */
    if (text != NULL) {
        /* executables stay executable; everything else is plain 0644 (before umask) */
        mode_t m = (mode & 0111) ? 0755 : 0644;
        int out = openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m);
        if (out < 0 || write_all(out, text, tlen) != 0) {
            exo_diag_error(r->diag, spath, 0, 0, "cannot write %s: %s", dname, strerror(errno));
        }
        if (out >= 0) {
            close(out);
        }
    }
    if (text != data) {
        free(text);
    }
    free(data);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Render the directory @p sfd (at @p spath) into @p dfd. Takes ownership of both fds. */
static void render_dir(render_t *r, int sfd, int dfd, const char *spath, int depth)
{
    DIR *dp = fdopendir(sfd);
    if (dp == NULL) {
        exo_diag_error(r->diag, spath, 0, 0, "cannot list: %s", strerror(errno));
        close(sfd);
        close(dfd);
        return;
    }
    exo_strv_t names = {0};
    for (struct dirent *e; (e = readdir(dp)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            exo_strv_push(&names, e->d_name);
        }
    }
    if (names.n > 1) { /* qsort(NULL, 0, ...) is undefined: an empty directory */
        qsort(names.v, names.n, sizeof *names.v, by_name);
    }
    for (size_t i = 0; i < names.n; i++) {
        const char *sname = names.v[i];
        char *child = exo_path_join(spath, sname);
        struct stat st;
        if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            exo_diag_error(r->diag, child, 0, 0, "cannot read: %s", strerror(errno));
            free(child);
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            exo_diag_error(r->diag, child, 0, 0, "is a symbolic link; templates may not contain "
                           "links (a link could point outside the new directory): copy the "
                           "file instead");
            free(child);
            continue;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            exo_diag_error(r->diag, child, 0, 0, "is not a regular file or directory");
            free(child);
            continue;
        }
        char *label = exo_strdupf("%s (its name)", child);
        char *dname = exo_template_subst(sname, strlen(sname), r->vars, label, r->diag);
        free(label);
        const char *why = dname ? bad_name(dname) : NULL;
        if (why != NULL) {
            /* quoted and escaped: a newline must not start a fake line of output */
            exo_buf_t shown = {0};
            apply_filter(&shown, "quote", 5, dname);
            exo_diag_error(r->diag, child, 0, 0, "refused: %s (%s)", why, shown.data);
            exo_buf_free(&shown);
        }
        if (dname == NULL || why != NULL) {
            free(dname);
            free(child);
            continue;
        }
        if (S_ISREG(st.st_mode)) {
            render_file(r, sfd, dfd, sname, dname, child, st.st_mode);
        } else if (depth > 64) {
            exo_diag_error(r->diag, child, 0, 0, "directories nest too deep");
        } else if (mkdirat(dfd, dname, 0755) != 0) {
            exo_diag_error(r->diag, child, 0, 0, "cannot create %s: %s", dname, strerror(errno));
        } else {
            int csfd = openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int cdfd = openat(dfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (csfd < 0 || cdfd < 0) {
                exo_diag_error(r->diag, child, 0, 0, "cannot open: %s", strerror(errno));
                if (csfd >= 0) {
                    close(csfd);
                }
                if (cdfd >= 0) {
                    close(cdfd);
                }
            } else {
                render_dir(r, csfd, cdfd, child, depth + 1);
            }
        }
        free(dname);
        free(child);
    }
    exo_strv_free(&names);
    closedir(dp);
    close(dfd);
}

int exo_template_render(const exo_template_t *t, const exo_tvars_t *vars, const char *dest,
                        exo_diag_t *diag)
{
    size_t errors = diag->errors;
    char *files = exo_path_join(t->dir, "files");
    int root = exo_template_open_root(t->dir, diag);
    if (root < 0) {
        free(files);
        return -1;
    }
    int sfd = openat(root, "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(root);
    if (sfd < 0) {
        exo_diag_error(diag, files, 0, 0, "cannot open the template's files/: %s%s",
                       strerror(errno), errno == ELOOP ? " (it is a link)" : "");
        free(files);
        return -1;
    }
    int dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        exo_diag_error(diag, dest, 0, 0, "cannot open: %s", strerror(errno));
        close(sfd);
        free(files);
        return -1;
    }
    render_t r = {vars, diag};
    render_dir(&r, sfd, dfd, files, 0);
    free(files);
    return diag->errors > errors ? -1 : 0;
}
