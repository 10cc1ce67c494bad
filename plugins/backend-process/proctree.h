/*
 * plugins/backend-process/proctree.h - what /proc says about processes, and the record of
 * exo's descendants.
 *
 * A process can shed every mark of its unit: its process group and session (setsid) and the
 * EXO_RUN_ID / EXO_UNIT_ID markers of its environment (env -i). It cannot shed being exo's
 * descendant while exo is the child subreaper: its parent chain ends at exo even when the
 * process that started it is gone. So during a run the backend scans /proc now and then and
 * keeps, in a file of its state directory, every descendant of exo with its start time; after
 * a killed exo, cleanup() kills each recorded process that still has the recorded start time
 * (a pid used again by a later process has another start time and is left alone).
 *
 * Ownership: proctree_t owns its list and path. Threading: none (the loop thread).
 */
#ifndef EXO_BACKEND_PROCESS_PROCTREE_H
#define EXO_BACKEND_PROCESS_PROCTREE_H

#include <stdbool.h>
#include <sys/types.h>

/* Start time of @p pid (field 22 of /proc/PID/stat, clock ticks since boot), 0 when it does
 * not exist. The parent (field 4), process group (5) and session (6) go to the pointers that
 * are not NULL; *zombie (when not NULL) says whether it is a zombie already. */
unsigned long long proctree_stat(pid_t pid, pid_t *ppid, pid_t *pgrp, pid_t *sid, bool *zombie);

typedef struct proctree proctree_t;

/* A record kept in @p path (not touched until the first scan). NULL when out of memory. */
proctree_t *proctree_new(const char *path);

/* Scan /proc for the live descendants of this process and rewrite the record when they
 * changed. 0, or -1 when /proc or the file could not be used (the old record stays). */
int proctree_scan(proctree_t *t);

/* Forget the record and remove its file (the run ended and reaped what it left). */
void proctree_free(proctree_t *t);

/* Pids already killed by one cleanup, so that each is killed and counted once. */
typedef struct proctree_killed {
    pid_t *pids;
    size_t n;
} proctree_killed_t;

/* SIGKILL @p pid unless @p killed has it already; true when it was killed now. */
bool proctree_kill_once(proctree_killed_t *killed, pid_t pid);

/* Kill every process of the record in @p path that still has its recorded start time.
 * Returns how many. */
int proctree_kill_recorded(const char *path, proctree_killed_t *killed);

#endif /* EXO_BACKEND_PROCESS_PROCTREE_H */
