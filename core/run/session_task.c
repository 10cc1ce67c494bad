/* core/run/session_task.c - setup and test commands as task units of the session. See
 * session_int.h. */
#include "config.h"

#include <stdlib.h>

#include "session_int.h"

static void on_task_output(void *arg, exo_sup_t *sup, int stream, const char *line, size_t len)
{
    task_t *t = arg;
    exo_session_print_masked(t->s->out, exo_sup_name(sup), stream, &t->secrets, line, len);
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
    exo_session_check_down(t->s);
}

int exo_session_task(exo_session_t *s, const exo_service_t *svc, const char *label,
                     const char *command, bool setup,
                     void (*on_done)(void *arg, int status, unsigned long long ms), void *arg)
{
    node_t *n = &s->nodes[svc - s->app->services];
    exo_error_t err = {0};
    if (exo_session_backend_open(s, n->be, &err) < 0) {
        exo_output_role_status(s->out, label, "failed: backend %s: %s", n->be->name,
                               err.message);
        return -1;
    }
    exo_env_t *env = exo_env_new();
    if (exo_session_env(s, svc, setup, env, &err) < 0) {
        exo_output_role_status(s->out, label, "failed: environment: %s", err.message);
        exo_env_destroy(&env);
        return -1;
    }
    char **strings = exo_env_strings(env);
    task_t *t = exo_xcalloc(1, sizeof *t);
    t->s = s;
    t->on_done = on_done;
    t->arg = arg;
    exo_session_secrets(env, &t->secrets);
    json_t *settings = exo_session_settings(n->be, svc);
    exo_sup_spec_t spec = {
        .name = label, .mode = EXO_UNIT_TASK, .dir = svc->dir, .command = command,
        .options = settings,
        .env = (const char *const *)strings, .ready = EXO_READY_STARTED, .ops = n->be->ops,
        .inst = n->be->inst, .loop = s->loop, .on_output = on_task_output,
        .on_state = on_task_state, .arg = t,
    };
    t->sup = exo_sup_new(&spec);
    json_decref(settings);
    exo_env_free_strings(strings);
    exo_env_destroy(&env);
    s->tasks = exo_xrealloc(s->tasks, (s->n_tasks + 1) * sizeof *s->tasks);
    s->tasks[s->n_tasks++] = t;
    exo_sup_start(t->sup);
    return 0;
}

bool exo_session_tasks_running(exo_session_t *s)
{
    for (size_t i = 0; i < s->n_tasks; i++) {
        if (exo_sup_running(s->tasks[i]->sup)) {
            return true;
        }
    }
    return false;
}
