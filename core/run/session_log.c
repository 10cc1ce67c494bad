/* core/run/session_log.c - exo's and the plugins' diagnostics (core/base/log.h) while a session
 * prints: in the run's column layout and in .exo/logs, one line each, instead of a second,
 * unprefixed stream on stderr. See session_int.h. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "session_int.h"

/* A line logged on another thread (a backend's worker), shown on the loop thread. */
typedef struct logged {
    exo_session_t *s;
    exo_log_level_t level;
    char *origin;
    char *msg;
} logged_t;

/* The resource node that a resource plugin's "resource NAME: ..." line is about, or NULL. */
static const node_t *named_resource(const exo_session_t *s, const char *msg, const char **rest)
{
    static const char prefix[] = "resource ";
    if (strncmp(msg, prefix, sizeof prefix - 1) != 0) {
        return NULL;
    }
    const char *name = msg + sizeof prefix - 1;
    size_t len = strcspn(name, ":");
    if (name[len] != ':' || name[len + 1] != ' ') {
        return NULL;
    }
    for (size_t i = s->app->n_services; i < s->n_nodes; i++) {
        const node_t *n = &s->nodes[i];
        if (strlen(n->name) == len && memcmp(n->name, name, len) == 0) {
            *rest = name + len + 2;
            return n;
        }
    }
    return NULL;
}

/* The column a line belongs to: the transport's under "bus", a resource plugin's line about
 * one of the app's resources under that resource, the rest under "exo". */
static void show(exo_session_t *s, exo_log_level_t level, const char *origin, const char *msg)
{
    const char *role = "exo";
    int stream = EXO_OUT_EXO;
    if (origin != NULL && strncmp(origin, "transport ", 10) == 0) {
        role = "bus";
        stream = EXO_OUT_BUS;
    } else if (origin != NULL && strncmp(origin, "resource ", 9) == 0) {
        const node_t *n = named_resource(s, msg, &msg);
        role = n != NULL ? n->name : role;
    }
    char *line = origin != NULL
                     ? exo_strdupf("%s: %s: %s", exo_log_level_word(level), origin, msg)
                     : exo_strdupf("%s: %s", exo_log_level_word(level), msg);
    exo_output_line(s->out, role, stream, line, strlen(line));
    free(line);
}

static void show_posted(void *arg)
{
    logged_t *l = arg;
    show(l->s, l->level, l->origin, l->msg);
    free(l->origin);
    free(l->msg);
    free(l);
}

static void on_log(void *arg, exo_log_level_t level, const char *origin, const char *msg)
{
    exo_session_t *s = arg;
    if (pthread_equal(pthread_self(), s->loop_thread)) {
        show(s, level, origin, msg);
        return;
    }
    logged_t *l = exo_xcalloc(1, sizeof *l);
    *l = (logged_t){.s = s, .level = level, .origin = origin ? exo_xstrdup(origin) : NULL,
                    .msg = exo_xstrdup(msg)};
    if (exo_loop_post(s->loop, show_posted, l) < 0) {
        free(l->origin);
        free(l->msg);
        free(l);
    }
}

void exo_session_log_attach(exo_session_t *s)
{
    s->loop_thread = pthread_self();
    exo_log_set_sink(on_log, s);
}

void exo_session_log_detach(exo_session_t *s)
{
    (void)s;
    exo_log_set_sink(NULL, NULL);
}
