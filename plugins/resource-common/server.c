/* plugins/resource-common/server.c - a resource server's unit command and log; see server.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "server.h"

char *res_server_command(const char *argv_sh, const char *log)
{
    char *qlog = exo_shell_quote(log);
    /* umask 077: the server's data files and its log are the user's alone (a Redis dump
     * and AOF would be 0644 otherwise). */
    char *cmd = exo_strdupf("umask 077; trap '' INT TERM; "
                            "off=$(wc -c 2>/dev/null <%s || echo 0); "
                            "%s >>%s 2>&1; st=$?; "
                            "[ $st -eq 0 ] || tail -c +$((off + 1)) %s >&2; exit $st",
                            qlog, argv_sh, qlog, qlog);
    free(qlog);
    return cmd;
}

long res_server_log_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

char *res_server_log_since(const char *path, long offset)
{
    size_t len = 0;
    char *all = exo_read_file(path, &len);
    if (all == NULL) {
        return NULL;
    }
    if (offset < 0 || (size_t)offset > len) {
        offset = 0; /* truncated or replaced: read it all */
    }
    char *tail = exo_xstrdup(all + offset);
    free(all);
    return tail;
}

/* Append @p line to the " / "-joined report *@p acc (owned, may be NULL) within @p max bytes. */
static void report_add(char **acc, const char *line, size_t max)
{
    size_t cur = *acc ? strlen(*acc) : 0;
    size_t add = strlen(line);
    if (cur >= max) {
        return;
    }
    if (cur + add + 3 > max) {
        add = max > cur + 3 ? max - cur - 3 : 0;
    }
    char *n = exo_xrealloc(*acc, cur + add + 4);
    if (cur > 0) {
        memcpy(n + cur, " / ", 3);
        cur += 3;
    }
    memcpy(n + cur, line, add);
    n[cur + add] = '\0';
    *acc = n;
}

char *res_server_failure(const char *path, long offset, res_log_judge_fn judge, size_t max)
{
    char *text = res_server_log_since(path, offset);
    if (text == NULL) {
        return NULL;
    }
    bool failed = false;
    char *report = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        exo_rtrim(line);
        if (line[0] == '\0') {
            continue;
        }
        bool fatal = false;
        const char *quote = judge(line, &fatal);
        failed = failed || fatal;
        if (quote != NULL) {
            report_add(&report, quote, max);
        }
    }
    free(text);
    if (!failed) {
        free(report);
        return NULL;
    }
    return report;
}
