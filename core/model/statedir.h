/*
 * core/model/statedir.h - the app's state directory on disk, <app>/.exo: the one place that
 * knows its layout. Everything exo keeps for an app between commands lives there:
 *
 *   .exo/run.json                the running exo (record.h)       exo clean removes it
 *   .exo/bus.json                the running broker (bus.h)       removed when the broker ends
 *   .exo/start-times.json        learned start-up times           kept (an ordering hint)
 *   .exo/logs/ROLE.log           output of the last run           exo clean removes it
 *   .exo/state/KIND-NAME/        a plugin's own state (host.h)    exo clean removes it
 *   .exo/resources/NAME/         a resource's data                kept unless exo clean --data
 *   .exo/plugins/                app-local plugins                never touched
 *   .exo/templates/              the app's own templates          never touched
 *
 * Functions return new strings (free them); they only build paths, except exo_statedir_mkdir.
 * The item functions take the state directory itself (exo_statedir()), which is also what
 * backends get as their state_dir. Threading: none (pure functions).
 */
#ifndef EXO_CORE_STATEDIR_H
#define EXO_CORE_STATEDIR_H

/** The mode of every file exo writes under .exo (records, logs): the user's alone. */
#define EXO_STATEDIR_FILE_MODE 0600

/** The state directory's name inside an app directory. */
#define EXO_STATEDIR_NAME ".exo"

/** <app_dir>/.exo */
char *exo_statedir(const char *app_dir);

/** <sd>/run.json: the record of the exo running the app. */
char *exo_statedir_run_record(const char *sd);
/** <sd>/bus.json: where the app's running broker listens. */
char *exo_statedir_bus_file(const char *sd);
/** <sd>/start-times.json: each unit's start-up time from its last run. */
char *exo_statedir_start_times(const char *sd);

/** <sd>/logs: one log file per role, written by exo run and exo test. */
char *exo_statedir_logs(const char *sd);
/** <logs_dir>/ROLE.log, @p logs_dir being exo_statedir_logs(). */
char *exo_statedir_log_file(const char *logs_dir, const char *role);

/** <sd>/state: the state of every plugin (removed as a whole by exo clean). */
char *exo_statedir_state(const char *sd);
/** <sd>/state/KIND-NAME: the state directory of plugin NAME of KIND ("backend", ...). */
char *exo_statedir_plugin_state(const char *sd, const char *kind, const char *name);

/** <sd>/resources: the data of every resource. */
char *exo_statedir_resources(const char *sd);
/** <sd>/resources/NAME: the data directory of resource NAME. */
char *exo_statedir_resource_data(const char *sd, const char *resource);

/** <sd>/plugins: plugins only this app loads. */
char *exo_statedir_plugins(const char *sd);
/** <sd>/templates: templates only this app offers. */
char *exo_statedir_templates(const char *sd);

/**
 * Create @p dir (a path from the functions above) and its missing parents, the user's alone:
 * 0700, also when an older exo left it more open. .exo and .exo/resources are 0711: others
 * may pass through them (a resource server running as its own user must reach its data
 * directory) but not list them. Files in the state directory are written 0600
 * (EXO_STATEDIR_FILE_MODE). 0, or -1 with errno set.
 */
int exo_statedir_mkdir(const char *dir);

#endif /* EXO_CORE_STATEDIR_H */
