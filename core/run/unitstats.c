/* core/run/unitstats.c - a unit's CPU time and memory from its cgroup or /proc. See
 * unitstats.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unitstats.h"

#define PATH_CAP 4096

/* The whole of a small file into @p buf (NUL-terminated); its length, or -1 with errno. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
            }
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

/* Whether the comma-separated @p list names @p want. */
static bool list_has(const char *list, size_t len, const char *want)
{
    size_t wl = strlen(want);
    for (const char *p = list, *end = list + len; p < end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t n = comma != NULL ? (size_t)(comma - p) : (size_t)(end - p);
        if (n == wl && memcmp(p, want, n) == 0) {
            return true;
        }
        p += n + 1;
    }
    return false;
}

/*
 * The cgroup of hierarchy @p controller in a /proc/PID/cgroup text: NULL for v2 (the line
 * "0::PATH"), else a v1 controller ("N:cpuacct,cpu:PATH"). Copied into @p out; false when
 * the text has no such line.
 */
static bool cgroup_of(const char *text, const char *controller, char *out, size_t cap)
{
    for (const char *line = text; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        const char *c1 = memchr(line, ':', len);
        const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
        if (c2 != NULL) {
            size_t list_len = (size_t)(c2 - c1 - 1);
            bool match = controller == NULL ? (list_len == 0 && c1 - line == 1 && line[0] == '0')
                                            : list_has(c1 + 1, list_len, controller);
            size_t plen = len - (size_t)(c2 + 1 - line);
            if (match && plen > 0 && plen < cap) {
                memcpy(out, c2 + 1, plen);
                out[plen] = '\0';
                return true;
            }
        }
        line += len + (nl != NULL ? 1 : 0);
    }
    return false;
}

/* A unit's cgroup is its own when it is neither exo's nor one that holds exo (an ancestor:
 * its figures would count exo and everything else in it). */
static bool own_cgroup(const char *unit, const char *self)
{
    if (strcmp(unit, "/") == 0 || strcmp(unit, self) == 0) {
        return false;
    }
    size_t n = strlen(unit);
    return !(strncmp(self, unit, n) == 0 && self[n] == '/');
}

/* The unit's own cgroup directory under @p root for @p controller, into @p dir. */
static bool own_cgroup_dir(const char *root, const char *controller, const char *unit_text,
                           const char *self_text, char *dir, size_t cap)
{
    char unit[PATH_CAP], self[PATH_CAP];
    if (root == NULL || !cgroup_of(unit_text, controller, unit, sizeof unit) ||
        !cgroup_of(self_text, controller, self, sizeof self) || !own_cgroup(unit, self)) {
        return false;
    }
    int n = snprintf(dir, cap, "%s%s", root, unit);
    return n > 0 && (size_t)n < cap;
}

/* A number in @p dir/@p file: the whole file, or the value after "@p key " in it. */
static bool read_number(const char *dir, const char *file, const char *key, uint64_t *out)
{
    char path[PATH_CAP + 64], buf[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (read_small(path, buf, sizeof buf) <= 0) {
        return false;
    }
    const char *p = buf;
    if (key != NULL) {
        size_t kl = strlen(key);
        for (p = buf; p != NULL; p = strchr(p, '\n'), p = p != NULL ? p + 1 : NULL) {
            if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
                break;
            }
        }
        if (p == NULL) {
            return false;
        }
        p += kl + 1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || errno != 0) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

/* The process's own figures: /proc/PID/stat utime + stime, /proc/PID/statm resident. */
static int read_process(const char *proc, long pid, uint64_t *cpu_ns, uint64_t *rss)
{
    char path[PATH_CAP], buf[2048];
    snprintf(path, sizeof path, "%s/%ld/stat", proc, pid);
    if (read_small(path, buf, sizeof buf) < 0) {
        return -1;
    }
    /* The name in parentheses may hold spaces and ')': the fields start after the last. */
    const char *p = strrchr(buf, ')');
    char state = 0;
    unsigned long long utime = 0, stime = 0;
    if (p == NULL || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
                            &state, &utime, &stime) != 3) {
        errno = EIO;
        return -1;
    }
    if (state == 'Z' || state == 'X') {
        errno = ESRCH; /* exited, not yet reaped: nothing runs any more */
        return -1;
    }
    long ticks = sysconf(_SC_CLK_TCK);
    *cpu_ns = (uint64_t)(utime + stime) * (1000000000ull / (uint64_t)(ticks > 0 ? ticks : 100));
    snprintf(path, sizeof path, "%s/%ld/statm", proc, pid);
    unsigned long long size = 0, resident = 0;
    if (read_small(path, buf, sizeof buf) < 0 || sscanf(buf, "%llu %llu", &size, &resident) != 2) {
        return -1;
    }
    long page = sysconf(_SC_PAGESIZE);
    *rss = (uint64_t)resident * (uint64_t)(page > 0 ? page : 4096);
    return 0;
}

int exo_unitstats_read_at(const exo_unitstats_paths_t *paths, long pid, exo_unitstats_t *out)
{
    if (pid <= 0) {
        errno = EINVAL;
        return -1;
    }
    memset(out, 0, sizeof *out);
    uint64_t cpu = 0, rss = 0;
    if (read_process(paths->proc, pid, &cpu, &rss) < 0) {
        return -1;
    }
    char path[PATH_CAP], unit_text[4096], self_text[4096], dir[PATH_CAP];
    snprintf(path, sizeof path, "%s/%ld/cgroup", paths->proc, pid);
    if (read_small(path, unit_text, sizeof unit_text) < 0 ||
        read_small(paths->self_cgroup, self_text, sizeof self_text) < 0) {
        unit_text[0] = self_text[0] = '\0'; /* no cgroups: the process's own figures */
    }
    uint64_t v;
    if (own_cgroup_dir(paths->v2, NULL, unit_text, self_text, dir, sizeof dir) &&
        read_number(dir, "cpu.stat", "usage_usec", &v)) {
        cpu = v * 1000u;
        out->from_cgroup = true;
        rss = read_number(dir, "memory.current", NULL, &v) ? v : rss;
    } else {
        if (own_cgroup_dir(paths->v1_cpuacct, "cpuacct", unit_text, self_text, dir,
                           sizeof dir) &&
            read_number(dir, "cpuacct.usage", NULL, &v)) {
            cpu = v;
            out->from_cgroup = true;
        }
        if (own_cgroup_dir(paths->v1_memory, "memory", unit_text, self_text, dir, sizeof dir) &&
            read_number(dir, "memory.usage_in_bytes", NULL, &v)) {
            rss = v;
        }
    }
    out->cpu_ns = cpu;
    out->rss_bytes = rss;
    return 0;
}

/* The cgroup mounts of this machine, from /proc/self/mountinfo ("ID PARENT M:N ROOT POINT
 * OPTS ... - FSTYPE SOURCE SUPEROPTS"), into @p v2, @p cpuacct, @p memory (empty if none). */
static void find_mounts(char *v2, char *cpuacct, char *memory, size_t cap)
{
    v2[0] = cpuacct[0] = memory[0] = '\0';
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[2048];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char root[1024], point[1024], fstype[64], source[256], opts[512];
        const char *dash = strstr(line, " - ");
        if (dash == NULL || sscanf(line, "%*s %*s %*s %1023s %1023s", root, point) != 2 ||
            sscanf(dash + 3, "%63s %255s %511s", fstype, source, opts) != 3 ||
            strcmp(root, "/") != 0 || strlen(point) >= cap) {
            continue;
        }
        if (strcmp(fstype, "cgroup2") == 0 && v2[0] == '\0') {
            snprintf(v2, cap, "%s", point);
        } else if (strcmp(fstype, "cgroup") == 0) {
            if (list_has(opts, strlen(opts), "cpuacct") && cpuacct[0] == '\0') {
                snprintf(cpuacct, cap, "%s", point);
            }
            if (list_has(opts, strlen(opts), "memory") && memory[0] == '\0') {
                snprintf(memory, cap, "%s", point);
            }
        }
    }
    if (f != NULL) {
        fclose(f);
    }
}

int exo_unitstats_read(long pid, exo_unitstats_t *out)
{
    char v2[1024], cpuacct[1024], memory[1024];
    find_mounts(v2, cpuacct, memory, sizeof v2);
    exo_unitstats_paths_t paths = {
        .proc = "/proc", .self_cgroup = "/proc/self/cgroup",
        .v2 = v2[0] ? v2 : NULL, .v1_cpuacct = cpuacct[0] ? cpuacct : NULL,
        .v1_memory = memory[0] ? memory : NULL,
    };
    return exo_unitstats_read_at(&paths, pid, out);
}

double exo_unitstats_cpu_percent(uint64_t cpu_ns_before, uint64_t cpu_ns_after,
                                 uint64_t wall_ns)
{
    if (wall_ns == 0 || cpu_ns_after < cpu_ns_before) {
        return 0.0;
    }
    return 100.0 * (double)(cpu_ns_after - cpu_ns_before) / (double)wall_ns;
}
