/* plugins/backend-process/proctree.c - see proctree.h. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proctree.h"

typedef struct entry {
    pid_t pid;
    pid_t ppid;
    unsigned long long start;
} entry_t;

struct proctree {
    char *path;
    entry_t *recorded; /* sorted by pid, as /proc lists them */
    size_t n_recorded;
    bool written;
};

unsigned long long proctree_stat(pid_t pid, pid_t *ppid, pid_t *pgrp, pid_t *sid, bool *zombie)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    /* comm may contain spaces and parentheses: fields start after the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ') {
        return 0;
    }
    char state = p[2];
    int parent = 0, group = 0, session = 0;
    unsigned long long start = 0;
    /* fields 3..22: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime cutime cstime priority nice num_threads itrealvalue starttime */
    if (sscanf(p + 2, "%*c %d %d %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                      "%*s %llu", &parent, &group, &session, &start) != 4) {
        return 0;
    }
    if (ppid != NULL) {
        *ppid = (pid_t)parent;
    }
    if (pgrp != NULL) {
        *pgrp = (pid_t)group;
    }
    if (sid != NULL) {
        *sid = (pid_t)session;
    }
    if (zombie != NULL) {
        *zombie = state == 'Z' || state == 'X';
    }
    return start;
}

proctree_t *proctree_new(const char *path)
{
    proctree_t *t = calloc(1, sizeof *t);
    if (t == NULL || (t->path = strdup(path)) == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

/* Every live process of /proc with its parent and start time. NULL when /proc is unreadable
 * or memory ran out. */
static entry_t *list_processes(size_t *n)
{
    DIR *d = opendir("/proc");
    if (d == NULL) {
        return NULL;
    }
    entry_t *all = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        entry_t e = {.pid = (pid_t)pid};
        bool zombie = false;
        if (*end != '\0' || pid <= 1 ||
            (e.start = proctree_stat(e.pid, &e.ppid, NULL, NULL, &zombie)) == 0 || zombie) {
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            entry_t *grown = realloc(all, cap * sizeof *grown);
            if (grown == NULL) {
                free(all);
                closedir(d);
                return NULL;
            }
            all = grown;
        }
        all[(*n)++] = e;
    }
    closedir(d);
    return all != NULL ? all : calloc(1, sizeof *all);
}

static int by_pid(const void *a, const void *b)
{
    pid_t x = ((const entry_t *)a)->pid, y = ((const entry_t *)b)->pid;
    return (x > y) - (x < y);
}

/* Keep only the descendants of @p root in @p all (sorted by pid); returns how many. */
static size_t keep_descendants(entry_t *all, size_t n, pid_t root)
{
    bool *mine = calloc(n ? n : 1, sizeof *mine);
    if (mine == NULL) {
        return 0;
    }
    qsort(all, n, sizeof *all, by_pid);
    /* A parent usually has a lower pid than its children, but pids wrap: repeat until no
     * process joins. */
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < n; i++) {
            if (mine[i]) {
                continue;
            }
            entry_t key = {.pid = all[i].ppid};
            entry_t *parent = all[i].ppid == root ? NULL
                                                  : bsearch(&key, all, n, sizeof *all, by_pid);
            if (all[i].ppid == root || (parent != NULL && mine[parent - all])) {
                mine[i] = grew = true;
            }
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (mine[i]) {
            all[k++] = all[i];
        }
    }
    free(mine);
    return k;
}

static bool same_set(const entry_t *a, size_t na, const entry_t *b, size_t nb)
{
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        if (a[i].pid != b[i].pid || a[i].start != b[i].start) {
            return false;
        }
    }
    return true;
}

/* Replace the file in one step: a killed exo leaves either the old or the new record. */
static int write_record(const char *path, const entry_t *e, size_t n)
{
    size_t len = strlen(path) + 8;
    char *tmp = malloc(len);
    if (tmp == NULL) {
        return -1;
    }
    snprintf(tmp, len, "%s.new", path);
    /* Private like the rest of .exo/state: it lists what the user runs. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL && fd >= 0) {
        close(fd);
    }
    int rc = f != NULL ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = fprintf(f, "%d %llu\n", (int)e[i].pid, e[i].start) < 0 ? -1 : 0;
    }
    if (f != NULL && fclose(f) != 0) {
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        rc = -1;
    }
    if (rc < 0) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int proctree_scan(proctree_t *t)
{
    size_t n = 0;
    entry_t *all = list_processes(&n);
    if (all == NULL) {
        return -1;
    }
    n = keep_descendants(all, n, getpid());
    if (t->written && same_set(all, n, t->recorded, t->n_recorded)) {
        free(all);
        return 0;
    }
    if (write_record(t->path, all, n) < 0) {
        free(all);
        return -1;
    }
    free(t->recorded);
    t->recorded = all;
    t->n_recorded = n;
    t->written = true;
    return 0;
}

void proctree_free(proctree_t *t)
{
    if (t == NULL) {
        return;
    }
    if (t->written) {
        unlink(t->path);
    }
    free(t->recorded);
    free(t->path);
    free(t);
}

bool proctree_kill_once(proctree_killed_t *killed, pid_t pid)
{
    for (size_t i = 0; i < killed->n; i++) {
        if (killed->pids[i] == pid) {
            return false;
        }
    }
    if (pid <= 1 || pid == getpid() || kill(pid, SIGKILL) != 0) {
        return false;
    }
    pid_t *grown = realloc(killed->pids, (killed->n + 1) * sizeof *grown);
    if (grown != NULL) {
        killed->pids = grown;
        killed->pids[killed->n++] = pid;
    }
    return true;
}

int proctree_kill_recorded(const char *path, proctree_killed_t *killed)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return 0;
    }
    int count = 0, pid;
    unsigned long long start;
    while (fscanf(f, "%d %llu", &pid, &start) == 2) {
        bool zombie = false;
        if (start != 0 && proctree_stat((pid_t)pid, NULL, NULL, NULL, &zombie) == start &&
            !zombie && proctree_kill_once(killed, (pid_t)pid)) {
            count++;
        }
    }
    fclose(f);
    return count;
}
