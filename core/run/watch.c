/* core/run/watch.c - recursive inotify with filtering and debounce. See watch.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "model/statedir.h"
#include "watch.h"

typedef struct wdir {
    int wd;
    int id;
    char *path;
} wdir_t;

typedef struct pending {
    int id;
    int timer;
    unsigned long long quiet_until;
    char *path;
    exo_watch_t *w;
} pending_t;

struct exo_watch {
    exo_loop_t *loop;
    int fd, watch;
    unsigned debounce_ms;
    void (*on_change)(void *arg, int id, const char *path);
    void *arg;
    wdir_t *dirs;
    size_t n_dirs;
    pending_t *pend;   /* one per id, grown on demand */
    size_t n_pend;
};

static const char *const ignored_patterns[] = {
    ".git", EXO_STATEDIR_NAME, ".hg", ".svn", ".libs", ".deps", "node_modules", "__pycache__",
    "build", "dist", "target", "*.o", "*.lo", "*.la", "*.so", "*.a", "*.pyc", "*.pyo",
    "*~", ".*.swp", ".*.swx", ".*.swo", "*.swp", ".#*", "#*#", "4913", "*.tmp", "*.part",
    ".DS_Store", NULL,
};

bool exo_watch_ignored(const char *name)
{
    for (size_t i = 0; ignored_patterns[i] != NULL; i++) {
        if (fnmatch(ignored_patterns[i], name, 0) == 0) {
            return true;
        }
    }
    return false;
}

static pending_t *pend_get(exo_watch_t *w, int id)
{
    for (size_t i = 0; i < w->n_pend; i++) {
        if (w->pend[i].id == id) {
            return &w->pend[i];
        }
    }
    /* Timers hold pointers into this array: grow only while none is armed (ids are all
     * registered by exo_watch_add before events flow). */
    w->pend = exo_xrealloc(w->pend, (w->n_pend + 1) * sizeof *w->pend);
    pending_t *p = &w->pend[w->n_pend++];
    *p = (pending_t){.id = id, .w = w};
    return p;
}

static void add_tree(exo_watch_t *w, const char *dir, int id)
{
    int wd = inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO |
                                               IN_MOVED_FROM | IN_ONLYDIR);
    if (wd < 0) {
        return;
    }
    w->dirs = exo_xrealloc(w->dirs, (w->n_dirs + 1) * sizeof *w->dirs);
    w->dirs[w->n_dirs++] = (wdir_t){.wd = wd, .id = id, .path = exo_xstrdup(dir)};
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            exo_watch_ignored(de->d_name)) {
            continue;
        }
        char *sub = exo_path_join(dir, de->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            add_tree(w, sub, id);
        }
        free(sub);
    }
    closedir(d);
}

static void on_quiet(void *arg)
{
    pending_t *p = arg;
    p->timer = 0;
    char *path = p->path;
    p->path = NULL;
    p->w->on_change(p->w->arg, p->id, path ? path : "");
    free(path);
}

static void on_events(int fd, unsigned events, void *arg)
{
    exo_watch_t *w = arg;
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            return;
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            wdir_t *wd = NULL;
            for (size_t i = 0; i < w->n_dirs; i++) {
                if (w->dirs[i].wd == ev->wd) {
                    wd = &w->dirs[i];
                    break;
                }
            }
            if (wd == NULL || ev->len == 0 || exo_watch_ignored(ev->name)) {
                continue;
            }
            char *path = exo_path_join(wd->path, ev->name);
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                add_tree(w, path, wd->id);
            }
            int id = wd->id; /* add_tree may have moved w->dirs */
            pending_t *pd = pend_get(w, id);
            if (exo_now_ms() < pd->quiet_until) {
                free(path);
                continue;
            }
            free(pd->path);
            pd->path = path;
            if (pd->timer > 0) {
                exo_loop_timer_cancel(w->loop, pd->timer);
            }
            pd->timer = exo_loop_timer(w->loop, w->debounce_ms, false, on_quiet, pd);
        }
    }
}

exo_watch_t *exo_watch_new(exo_loop_t *loop, unsigned debounce_ms,
                           void (*on_change)(void *arg, int id, const char *path), void *arg)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    exo_watch_t *w = exo_xcalloc(1, sizeof *w);
    w->loop = loop;
    w->fd = fd;
    w->debounce_ms = debounce_ms;
    w->on_change = on_change;
    w->arg = arg;
    w->watch = exo_loop_watch(loop, fd, EXO_EV_READ, on_events, w);
    return w;
}

int exo_watch_add(exo_watch_t *w, const char *dir, int id)
{
    if (!exo_path_is_dir(dir)) {
        errno = ENOTDIR;
        return -1;
    }
    pend_get(w, id);
    add_tree(w, dir, id);
    return 0;
}

void exo_watch_quiet(exo_watch_t *w, int id, unsigned ms)
{
    pending_t *p = pend_get(w, id);
    p->quiet_until = exo_now_ms() + ms;
    if (p->timer > 0) {
        exo_loop_timer_cancel(w->loop, p->timer);
        p->timer = 0;
    }
}

void exo_watch_destroy(exo_watch_t **w_p)
{
    exo_watch_t *w = *w_p;
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; i < w->n_pend; i++) {
        if (w->pend[i].timer > 0) {
            exo_loop_timer_cancel(w->loop, w->pend[i].timer);
        }
        free(w->pend[i].path);
    }
    for (size_t i = 0; i < w->n_dirs; i++) {
        free(w->dirs[i].path);
    }
    exo_loop_unwatch(w->loop, w->watch);
    close(w->fd);
    free(w->pend);
    free(w->dirs);
    free(w);
    *w_p = NULL;
}
