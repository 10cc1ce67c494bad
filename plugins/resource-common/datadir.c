/* plugins/resource-common/datadir.c - a resource's data directory; see datadir.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "datadir.h"

int res_datadir_open(const exo_resource_spec_t *spec, char **dir, bool *temp, exo_error_t *err)
{
    *temp = false;
    if (!spec->fresh) {
        *dir = exo_xstrdup(spec->data_dir);
        return 0;
    }
    const char *tmp = getenv("TMPDIR");
    char *templ = exo_strdupf("%s/exo-%s-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
                              spec->app ? spec->app : "app", spec->name);
    if (mkdtemp(templ) == NULL) {
        int rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot create a temporary "
                               "directory %s: %s", spec->name, templ, strerror(errno));
        free(templ);
        return rc;
    }
    *dir = templ;
    *temp = true;
    return 0;
}

int res_datadir_ensure(const char *name, const char *dir, exo_error_t *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot create %s: %s", name, dir,
                             strerror(errno));
    }
    return 0;
}

int res_datadir_password(const char *name, const char *dir, bool chown_to_user, uid_t uid,
                         gid_t gid, char **out, exo_error_t *err)
{
    char *path = exo_path_join(dir, "password");
    char *text = exo_read_file(path, NULL);
    if (text != NULL) {
        exo_rtrim(text);
    }
    int rc = 0;
    if (text == NULL || text[0] == '\0') {
        free(text);
        text = exo_xmalloc(33);
        if (exo_random_hex(text, 16) != 0 ||
            exo_write_file_mode(path, text, strlen(text), 0600) != 0) {
            rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot write %s: %s", name, path,
                               strerror(errno));
        }
    }
    if (rc == 0 && chown_to_user && chown(path, uid, gid) != 0) {
        rc = exo_error_set(err, EXO_ERR_IO, "resource %s: cannot chown %s: %s", name, path,
                           strerror(errno));
    }
    free(path);
    if (rc < 0) {
        free(text);
        return rc;
    }
    *out = text;
    return 0;
}

int res_datadir_wipe(const char *name, const char *dir, const char *const *parts,
                     exo_error_t *err)
{
    for (const char *const *p = parts; *p; p++) {
        char *path = exo_path_join(dir, *p);
        int r = exo_rm_rf(path);
        int saved = errno;
        free(path);
        if (r != 0) {
            return exo_error_set(err, EXO_ERR_IO, "resource %s: cannot delete %s/%s: %s", name,
                                 dir, *p, strerror(saved));
        }
    }
    return 0;
}
