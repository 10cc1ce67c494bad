/*
 * core/run/record.h - what a running exo records in the app's .exo/ so that a later `exo run`
 * or `exo clean` can tell whether it is still running and clean up after it when it was
 * killed: .exo/run.json holds exo's pid and its start time (so a recycled pid is never taken
 * for exo), the run id and the backends it used, and, once the app is ready, its public
 * endpoints ("endpoints": [{"role", "url", "port", "bind"}], so that other commands can show
 * them), and the dashboard's address ("dashboard": {"url", "port"}, for `exo dashboard`).
 *
 * Ownership: exo_record_t owns its strings. Threading: none.
 */
#ifndef EXO_CORE_RECORD_H
#define EXO_CORE_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/util.h"

typedef struct exo_record {
    pid_t pid;
    unsigned long long start;   /* /proc/PID/stat start time */
    char *run_id;
    char *command;              /* "run", "test" */
    exo_strv_t backends;
} exo_record_t;

/** Start time of @p pid (clock ticks since boot), 0 when it does not exist. */
unsigned long long exo_record_proc_start(pid_t pid);

/** Record this process as running @p run_id in @p exo_dir (.exo). 0 or -1 with errno. */
int exo_record_write(const char *exo_dir, const char *run_id, const char *command,
                       const exo_strv_t *backends);
/** Read the record; false when there is none or it is unreadable. */
bool exo_record_read(const char *exo_dir, exo_record_t *rs);
/** True when the recorded exo is this very process still alive. */
bool exo_record_alive(const exo_record_t *rs);
void exo_record_remove(const char *exo_dir);
/** Add @p endpoints (a JSON array; the record takes its reference) to the record in
 *  @p exo_dir as "endpoints", replacing earlier ones. 0 or -1 (no record, or not writable). */
int exo_record_set_endpoints(const char *exo_dir, json_t *endpoints);
/** Set @p key of the record in @p exo_dir to @p value (the record takes its reference), e.g.
 *  "dashboard": {"url", "port"}. 0 or -1 (no record, or not writable). */
int exo_record_set(const char *exo_dir, const char *key, json_t *value);
/** @p key of the record in @p exo_dir: new reference, NULL when there is none. */
json_t *exo_record_get(const char *exo_dir, const char *key);
void exo_record_free(exo_record_t *rs);

/** A run id: short, unique per run, safe in container names. New string. */
char *exo_record_new_id(void);

#endif /* EXO_CORE_RECORD_H */
