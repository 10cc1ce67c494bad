/* core/model/statedir.c - the layout of <app>/.exo; see statedir.h. */
#include "config.h"

#include "statedir.h"

#include "base/util.h"

#define STATEDIR_MODE 0755

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

int exo_statedir_mkdir(const char *dir)
{
    return exo_mkdir_p(dir, STATEDIR_MODE);
}
