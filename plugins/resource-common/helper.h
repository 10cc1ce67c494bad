/*
 * plugins/resource-common/helper.h - running a server's helper programs (initdb and the like)
 * to completion with their output captured, as an unprivileged user when exo runs as root and
 * the server refuses root (PostgreSQL).
 *
 * Part of libresource_common (see datadir.h). Threading: forks; loop thread only.
 */
#ifndef EXO_RESOURCE_HELPER_H
#define EXO_RESOURCE_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

/** Who a helper program runs as: as we are unless @p drop. */
typedef struct res_cred {
    bool drop;
    uid_t uid;
    gid_t gid;
} res_cred_t;

/**
 * Run argv[0] (absolute path) with stdout and stderr captured into *@p output (may be NULL;
 * a new string), as @p cred when it says so, with /dev/null as its standard input.
 * Returns the exit status (0-255), 128+signal, or -1 with errno when it could not start.
 */
int res_helper_run(char *const argv[], const res_cred_t *cred, char **output);

/** True when @p cred may write into and search @p dir (checked by a child that becomes it). */
bool res_helper_can_use_dir(const res_cred_t *cred, const char *dir);

#endif /* EXO_RESOURCE_HELPER_H */
