#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "util.h"

static exo_log_level_t current_level = EXO_LOG_INFO;
static int level_from_env = -1;

void exo_log_set_level(exo_log_level_t level)
{
    current_level = level;
    level_from_env = 0;
}

exo_log_level_t exo_log_get_level(void)
{
    if (level_from_env < 0) {
        const char *d = getenv("EXO_DEBUG");
        if (d != NULL && d[0] != '\0' && d[0] != '0') {
            current_level = EXO_LOG_DEBUG;
        }
        level_from_env = 1;
    }
    return current_level;
}

void exo_vlog(exo_log_level_t level, const char *origin, const char *fmt, va_list ap)
{
    if (level > exo_log_get_level()) {
        return;
    }
    static const char *const words[] = {"error", "warning", "info", "debug"};
    static const char *const colors[] = {"\033[1;31m", "\033[1;33m", "\033[1m", "\033[2m"};
    bool color = exo_use_color(2);
    char *msg = exo_vstrdupf(fmt, ap);
    fprintf(stderr, "exo: %s%s%s: %s%s%s\n", color ? colors[level] : "", words[level],
            color ? "\033[0m" : "", origin ? origin : "", origin ? ": " : "", msg);
    free(msg);
}

void exo_log(exo_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exo_vlog(level, NULL, fmt, ap);
    va_end(ap);
}
