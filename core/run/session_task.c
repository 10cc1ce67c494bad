/* core/run/session_task.c - setup and test commands as task units of the session: start one,
 * report its end, stop them all. See session_int.h. */
#include "config.h"

#include <stdlib.h>

#include "session_int.h"

static void on_task_output(void *arg, exo_sup_t *sup, int stream, const char *line, size_t len)
{
    task_t *t = arg;
    exo_output_unit_line(t->s->out, exo_sup_name(sup),
                         stream == EXO_STREAM_STDERR ? EXO_OUT_STDERR : EXO_OUT_STDOUT, line,
                         len);
}

static void on_task_state(void *arg, exo_sup_t *sup, exo_sup_state_t st, const char *msg)
{
    task_t *t = arg;
    if (t->done || (st != EXO_SUP_DONE && st != EXO_SUP_FAILED && st != EXO_SUP_STOPPED)) {
        return;
    }
    if (st == EXO_SUP_FAILED && msg != NULL) {
        exo_output_role_status(t->s->out, exo_sup_name(sup), "failed: %s", msg);
    }
    if (exo_sup_running(sup)) {
        return;
    }
    t->done = true;
    int status = st == EXO_SUP_DONE ? exo_sup_exit_status(sup) : -1;
    if (t->on_done != NULL) {
        t->on_done(t->arg, status, exo_sup_elapsed_ms(sup));
    }
    if (t->s->tasks_changed != NULL) {
        t->s->tasks_changed(t->s);
    }
}

void exo_session_task_start(exo_session_t *s, const exo_sup_spec_t *spec,
                            const exo_strv_t *secrets,
                            void (*on_done)(void *arg, int status, unsigned long long ms),
                            void *arg)
{
    task_t *t = exo_xcalloc(1, sizeof *t);
    t->s = s;
    t->on_done = on_done;
    t->arg = arg;
    for (size_t i = 0; i < secrets->n; i++) {
        exo_strv_push(&t->secrets, secrets->v[i]);
    }
    exo_sup_spec_t sp = *spec;
    sp.on_output = on_task_output;
    sp.on_state = on_task_state;
    sp.arg = t;
    t->sup = exo_sup_new(&sp);
    s->tasks = exo_xrealloc(s->tasks, (s->n_tasks + 1) * sizeof *s->tasks);
    s->tasks[s->n_tasks++] = t;
    exo_sup_start(t->sup);
}

bool exo_session_tasks_running(const exo_session_t *s)
{
    for (size_t i = 0; i < s->n_tasks; i++) {
        if (exo_sup_running(s->tasks[i]->sup)) {
            return true;
        }
    }
    return false;
}

void exo_session_tasks_stop(exo_session_t *s, bool now)
{
    for (size_t i = 0; i < s->n_tasks; i++) {
        exo_sup_t *sup = s->tasks[i]->sup;
        if (!exo_sup_running(sup)) {
            continue;
        }
        if (now) {
            exo_sup_kill(sup);
        } else {
            exo_sup_stop(sup, s->app->shutdown_grace_ms);
        }
    }
}

void exo_session_tasks_free(exo_session_t *s)
{
    for (size_t i = 0; i < s->n_tasks; i++) {
        exo_sup_destroy(&s->tasks[i]->sup);
        exo_strv_free(&s->tasks[i]->secrets);
        free(s->tasks[i]);
    }
    free(s->tasks);
    s->tasks = NULL;
    s->n_tasks = 0;
}
