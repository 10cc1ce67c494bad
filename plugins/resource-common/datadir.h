/*
 * plugins/resource-common/datadir.h - a resource server's data directory, as the built-in
 * resource plugins (postgres, redis) keep it: the app's .exo/resources/<name>/, or a temporary
 * directory for `exo test` (spec->fresh); the generated password kept in it; wiping it.
 *
 * Part of libresource_common, a static library linked (hidden) into each resource plugin.
 * Strings returned are malloc'ed and owned by the caller. Threading: loop thread only.
 */
#ifndef EXO_RESOURCE_DATADIR_H
#define EXO_RESOURCE_DATADIR_H

#include <stdbool.h>
#include <sys/types.h>

#include <exo/resource.h>

/**
 * The data directory for @p spec: spec->data_dir, or with spec->fresh a new temporary
 * directory ($TMPDIR or /tmp, "exo-<app>-<name>-XXXXXX") that the plugin removes in destroy()
 * (*@p temp is then true). 0, or < 0 with @p err filled.
 */
int res_datadir_open(const exo_resource_spec_t *spec, char **dir, bool *temp, exo_error_t *err);

/** Create @p dir (mode 0700) unless it exists. 0, or EXO_ERR_IO naming resource @p name. */
int res_datadir_ensure(const char *name, const char *dir, exo_error_t *err);

/**
 * The password kept in @p dir/password: the stored one, or a new random one written with mode
 * 0600 (owned by @p uid/@p gid when @p chown_to_user, for a server that runs as another user).
 * *@p out is the password. 0, or EXO_ERR_IO naming resource @p name.
 */
int res_datadir_password(const char *name, const char *dir, bool chown_to_user, uid_t uid,
                         gid_t gid, char **out, exo_error_t *err);

/** The body of a plugin's wipe(): delete each of @p parts (NULL-terminated names) inside
 *  @p dir, stopping at the first failure with a message naming resource @p name. */
int res_datadir_wipe(const char *name, const char *dir, const char *const *parts,
                     exo_error_t *err);

#endif /* EXO_RESOURCE_DATADIR_H */
