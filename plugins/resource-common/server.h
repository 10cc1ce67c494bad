/*
 * plugins/resource-common/server.h - running a resource's server program as a unit of the
 * process backend and reporting its failures in its own words: the unit's command, which
 * appends everything the server prints to its log, and reading that log back.
 *
 * Part of libresource_common (see datadir.h). Strings returned are malloc'ed and owned by
 * the caller. Threading: loop thread only.
 */
#ifndef EXO_RESOURCE_SERVER_H
#define EXO_RESOURCE_SERVER_H

#include <stdbool.h>
#include <stddef.h>

/**
 * The unit command for a server program: @p argv_sh (already shell-quoted words) runs with its
 * output appended to @p log; when it exits non-zero, what it wrote during this start is
 * repeated on stderr, so the core's unit output shows the server's own words too. The shell
 * ignores SIGTERM/SIGINT, so a group-wide SIGTERM reaches only the server (which installs its
 * own handlers) and the shell, the unit's leader, exits only after the server has shut down.
 */
char *res_server_command(const char *argv_sh, const char *log);

/** The size of the log at @p path now (0 when missing): where the next start's words begin. */
long res_server_log_size(const char *path);

/** What the server wrote to @p path from @p offset on (all of it when the log was truncated or
 *  replaced since), or NULL when it cannot be read. */
char *res_server_log_since(const char *path, long offset);

/**
 * How a plugin reads one line of its server's log (trailing whitespace removed, never empty):
 * the part to quote in a failure report, or NULL to leave the line out; *@p fatal set when the
 * line shows that the start failed.
 */
typedef const char *(*res_log_judge_fn)(const char *line, bool *fatal);

/**
 * The server's own words on a failed start: the lines of @p path written since @p offset that
 * @p judge quotes, " / "-joined within @p max bytes, or NULL when no line was fatal (or the log
 * cannot be read). New string.
 */
char *res_server_failure(const char *path, long offset, res_log_judge_fn judge, size_t max);

#endif /* EXO_RESOURCE_SERVER_H */
