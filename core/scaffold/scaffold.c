/* core/scaffold/scaffold.c - create an app, add a service: render beside the target, then rename. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scaffold.h"
#include "yamledit.h"

#define MAX_NAME 63

const char *exo_scaffold_check_app_name(const char *name)
{
    if (name[0] == '\0' || strlen(name) > MAX_NAME) {
        return "an app name has 1 to 63 characters";
    }
    for (const char *p = name; *p; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9');
        if (p == name && !alnum) {
            return "an app name starts with a letter or a digit";
        }
        if (!alnum && *p != '-' && *p != '_') {
            return "an app name has only letters, digits, '-' and '_'";
        }
    }
    return NULL;
}

const char *exo_scaffold_check_role(const char *role)
{
    if (role[0] == '\0' || strlen(role) > MAX_NAME) {
        return "a role has 1 to 63 characters";
    }
    if (role[0] < 'a' || role[0] > 'z') {
        return "a role starts with a lower-case letter";
    }
    for (const char *p = role; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
            return "a role has only lower-case letters, digits and '-'";
        }
    }
    return NULL;
}

const char *exo_scaffold_check_version(const char *version)
{
    const char *p = version;
    for (int part = 0; part < 3; part++) {
        if (*p < '0' || *p > '9') {
            return "a version is X.Y.Z with numbers, like 0.1.0";
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
        if (part < 2 && *p++ != '.') {
            return "a version is X.Y.Z with numbers, like 0.1.0";
        }
    }
    return *p == '\0' ? NULL : "a version is X.Y.Z with numbers, like 0.1.0";
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A fresh directory beside @p target (same file system, so rename is atomic). */
static char *temp_beside(const char *parent, const char *base, exo_diag_t *diag)
{
    char *tmpl = exo_strdupf("%s/.%s.exo-new.XXXXXX", parent, base);
    if (mkdtemp(tmpl) == NULL) {
        exo_diag_error(diag, parent, 0, 0, "cannot create a directory here: %s",
                       strerror(errno));
        free(tmpl);
        return NULL;
    }
    /* mkdtemp makes it 0700; the result should look like any directory the user makes */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmpl, 0777 & ~mask);
    return tmpl;
}

/* Ctrl-C in the middle must not leave a half-rendered directory: hold the usual termination
 * signals while rendering (fast, local work) and deliver them once everything is tidy. */
static void hold_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

/* rename() that never replaces: a directory that appeared meanwhile is left alone. */
static int rename_noreplace(const char *from, const char *to)
{
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

int exo_scaffold_create_app(const char *parent, const char *name, const exo_template_t *t,
                            const exo_tvars_t *vars, exo_diag_t *diag)
{
    const char *rule = exo_scaffold_check_app_name(name);
    if (rule != NULL) {
        exo_diag_error(diag, NULL, 0, 0, "'%s' is not a valid app name: %s", name, rule);
        return -1;
    }
    if (t->kind != EXO_TEMPLATE_KIND_APP) {
        exo_diag_error(diag, t->manifest, 0, 0, "template '%s' makes a service, not an app; "
                       "use it with 'exo add service'", t->name);
        return -1;
    }
    char *target = exo_path_join(parent, name);
    int rc = -1;
    char *tmp = NULL;
    sigset_t old_mask;
    bool held = false;
    if (exists(target)) {
        exo_diag_error(diag, NULL, 0, 0, "%s exists already; exo create never overwrites: pick "
                       "another name or remove it", target);
        goto out;
    }
    hold_signals(&old_mask);
    held = true;
    tmp = temp_beside(parent, name, diag);
    if (tmp == NULL) {
        goto out;
    }
    if (exo_template_render(t, vars, tmp, diag) != 0) {
        goto out;
    }
    char *yml = exo_path_join(tmp, "application.yml");
    bool has_yml = exo_path_is_file(yml);
    free(yml);
    if (!has_yml) {
        exo_diag_error(diag, t->dir, 0, 0, "app template '%s' did not render an "
                       "application.yml at the top of files/", t->name);
        goto out;
    }
    if (rename_noreplace(tmp, target) != 0) {
        exo_diag_error(diag, NULL, 0, 0, "cannot create %s: %s", target, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (rc != 0 && tmp != NULL) {
        exo_rm_rf(tmp);
    }
    if (held) {
        release_signals(&old_mask);
    }
    free(tmp);
    free(target);
    return rc;
}

int exo_scaffold_add_service(const char *app_dir, const char *role, const exo_template_t *t,
                             const exo_tvars_t *vars, exo_diag_t *diag)
{
    const char *rule = exo_scaffold_check_role(role);
    if (rule != NULL) {
        exo_diag_error(diag, NULL, 0, 0, "'%s' is not a valid role: %s", role, rule);
        return -1;
    }
    if (t->kind != EXO_TEMPLATE_KIND_SERVICE) {
        exo_diag_error(diag, t->manifest, 0, 0, "template '%s' makes an app, not a service; "
                       "use it with 'exo create app --template %s'", t->name, t->name);
        return -1;
    }
    char *yml_path = exo_path_join(app_dir, "application.yml");
    char *target = exo_path_join(app_dir, role);
    char *location = exo_strdupf("./%s", role);
    char *yml = NULL, *edited = NULL, *tmp = NULL;
    bool placed = false;
    int rc = -1;
    sigset_t old_mask;
    bool held = false;
    yml = exo_read_file(yml_path, NULL);
    if (yml == NULL) {
        exo_diag_error(diag, yml_path, 0, 0, "cannot read: %s", strerror(errno));
        goto out;
    }
    exo_error_t err = {0};
    int erc = exo_yamledit_add_service(yml, role, location, &edited, &err);
    if (erc == EXO_ERR_EXISTS) {
        exo_diag_error(diag, yml_path, 0, 0, "role '%s' exists already in this app; choose "
                       "another role", role);
        goto out;
    }
    if (erc < 0) {
        exo_diag_error(diag, yml_path, 0, 0, "%s", err.message);
        goto out;
    }
    if (exists(target)) {
        exo_diag_error(diag, NULL, 0, 0, "%s exists already; exo add never overwrites: choose "
                       "another role or move it away", target);
        goto out;
    }
    hold_signals(&old_mask);
    held = true;
    tmp = temp_beside(app_dir, role, diag);
    if (tmp == NULL || exo_template_render(t, vars, tmp, diag) != 0) {
        goto out;
    }
    char *svc = exo_path_join(tmp, "service.yml");
    bool has_svc = exo_path_is_file(svc);
    free(svc);
    if (!has_svc) {
        exo_diag_error(diag, t->dir, 0, 0, "service template '%s' did not render a service.yml "
                       "at the top of files/", t->name);
        goto out;
    }
    if (rename_noreplace(tmp, target) != 0) {
        exo_diag_error(diag, NULL, 0, 0, "cannot create %s: %s", target, strerror(errno));
        goto out;
    }
    placed = true;
    if (exo_write_file_atomic(yml_path, edited, strlen(edited)) != 0) {
        exo_diag_error(diag, yml_path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (rc != 0 && placed) {
        exo_rm_rf(target); /* ours: it did not exist a moment ago */
    } else if (rc != 0 && tmp != NULL) {
        exo_rm_rf(tmp);
    }
    if (held) {
        release_signals(&old_mask);
    }
    free(tmp);
    free(yml);
    free(edited);
    free(location);
    free(target);
    free(yml_path);
    return rc;
}
