/*
 * run/unitstats.h - what a running unit uses: CPU time and memory, read from the machine for
 * a process the host sees (a backend's unit_pid, backend ABI 1.5), for exo run's dashboard.
 *
 * Where the figures come from:
 *  - the unit's own cgroup, when the pid is in one that is not exo's and does not hold exo
 *    (a container: the figures then cover every process in it): cgroup v2 cpu.stat
 *    usage_usec and memory.current, or on a cgroup v1 machine cpuacct.usage and
 *    memory.usage_in_bytes; each from the mounts /proc/self/mountinfo lists;
 *  - else the process itself: /proc/PID/stat utime + stime and /proc/PID/statm resident
 *    pages (a process unit shares exo's cgroup; its children are not counted).
 * A figure the cgroup does not offer (v2 without the memory controller) comes from the
 * process instead.
 *
 * Nothing is kept between calls (no state, no allocation kept). Threading: reentrant; it
 * reads a few small files, so call it from a timer (once a second per unit), not per event.
 */
#ifndef EXO_CORE_UNITSTATS_H
#define EXO_CORE_UNITSTATS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct exo_unitstats {
    uint64_t cpu_ns;    /* CPU time used since the unit started, cumulative */
    uint64_t rss_bytes; /* memory in use now */
    bool from_cgroup;   /* cpu_ns came from the unit's own cgroup (a container) */
} exo_unitstats_t;

/**
 * Read @p pid's figures into @p out. 0, or -1 with errno: EINVAL (pid <= 0), ESRCH or ENOENT
 * (the process is gone, or a zombie), another errno when /proc cannot be read.
 */
int exo_unitstats_read(long pid, exo_unitstats_t *out);

/** Where exo_unitstats_read_at reads (tests point it at a tree of their own). A NULL cgroup
 *  root means that hierarchy is not mounted. */
typedef struct exo_unitstats_paths {
    const char *proc;         /* "/proc" */
    const char *self_cgroup;  /* exo's own: "/proc/self/cgroup" */
    const char *v2;           /* the cgroup2 mount */
    const char *v1_cpuacct;   /* the v1 hierarchy with cpuacct */
    const char *v1_memory;    /* the v1 hierarchy with memory */
} exo_unitstats_paths_t;

/** exo_unitstats_read over @p paths instead of the machine's own (found in mountinfo). */
int exo_unitstats_read_at(const exo_unitstats_paths_t *paths, long pid, exo_unitstats_t *out);

/** CPU use in percent of one core between two readings @p wall_ns apart (100 = one core
 *  busy; more on several cores); 0 when @p wall_ns is 0 or the count went back (a restart). */
double exo_unitstats_cpu_percent(uint64_t cpu_ns_before, uint64_t cpu_ns_after,
                                 uint64_t wall_ns);

#endif /* EXO_CORE_UNITSTATS_H */
