/* core/model/statedir.c - the layout of <app>/.exo; see statedir.h. */
#include "config.h"

#include "statedir.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

/* Logs, state and data are the user's alone; .exo and .exo/resources only lead to them:
 * others may pass (x) but not list, so that a resource server running as its own user (the
 * postgres server when exo runs as root) reaches the data directory handed to it. */
#define STATEDIR_MODE 0700
#define PASSAGE_MODE 0711

char *exo_statedir(const char *app_dir)
{
    return exo_path_join(app_dir, EXO_STATEDIR_NAME);
}

char *exo_statedir_run_record(const char *sd)
{
    return exo_path_join(sd, "run.json");
}

char *exo_statedir_bus_file(const char *sd)
{
    return exo_path_join(sd, "bus.json");
}

char *exo_statedir_start_times(const char *sd)
{
    return exo_path_join(sd, "start-times.json");
}

char *exo_statedir_logs(const char *sd)
{
    return exo_path_join(sd, "logs");
}

char *exo_statedir_log_file(const char *logs_dir, const char *role)
{
    return exo_strdupf("%s/%s.log", logs_dir, role);
}

char *exo_statedir_state(const char *sd)
{
    return exo_path_join(sd, "state");
}

char *exo_statedir_plugin_state(const char *sd, const char *kind, const char *name)
{
    return exo_strdupf("%s/state/%s-%s", sd, kind, name);
}

char *exo_statedir_resources(const char *sd)
{
    return exo_path_join(sd, "resources");
}

char *exo_statedir_resource_data(const char *sd, const char *resource)
{
    return exo_strdupf("%s/resources/%s", sd, resource);
}

char *exo_statedir_plugins(const char *sd)
{
    return exo_path_join(sd, "plugins");
}

char *exo_statedir_templates(const char *sd)
{
    return exo_path_join(sd, "templates");
}

/* chmod the first @p len bytes of @p path (a directory exo made or an older exo left). */
static void set_mode(const char *path, size_t len, mode_t mode)
{
    char *p = exo_xstrndup(path, len);
    chmod(p, mode);
    free(p);
}

int exo_statedir_mkdir(const char *dir)
{
    if (exo_mkdir_p(dir, STATEDIR_MODE) != 0) {
        return -1;
    }
    size_t len = strlen(dir);
    const char *sd = strstr(dir, "/" EXO_STATEDIR_NAME);
    while (sd != NULL && sd[sizeof EXO_STATEDIR_NAME] != '/' &&
           sd[sizeof EXO_STATEDIR_NAME] != '\0') {
        sd = strstr(sd + 1, "/" EXO_STATEDIR_NAME);
    }
    if (sd == NULL) {
        set_mode(dir, len, STATEDIR_MODE);
        return 0;
    }
    size_t sd_len = (size_t)(sd - dir) + sizeof EXO_STATEDIR_NAME; /* up to ".exo" */
    set_mode(dir, sd_len, PASSAGE_MODE);
    static const char res[] = "/resources";
    bool under_res = strncmp(dir + sd_len, res, sizeof res - 1) == 0 &&
                     (dir[sd_len + sizeof res - 1] == '/' || dir[sd_len + sizeof res - 1] == '\0');
    if (under_res) {
        set_mode(dir, sd_len + sizeof res - 1, PASSAGE_MODE);
    }
    if (len > sd_len && !(under_res && len == sd_len + sizeof res - 1)) {
        set_mode(dir, len, STATEDIR_MODE);
    }
    return 0;
}
