#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

typedef struct watch {
    int id; /* 0 = free slot */
    int fd;
    unsigned events;
    exo_fd_fn fn;
    void *arg;
} watch_t;

typedef struct timer {
    int id; /* 0 = free slot */
    unsigned long long due;
    unsigned interval; /* 0 = one-shot */
    exo_call_fn fn;
    void *arg;
} timer_t_;

typedef struct posted {
    exo_call_fn fn;
    void *arg;
    struct posted *next;
} posted_t;

#define MAX_SIGNALS 8

struct exo_loop {
    watch_t *watches;
    size_t n_watches;
    timer_t_ *timers;
    size_t n_timers;
    int next_id;
    int wake[2]; /* self-pipe: posts, stop and signals */
    pthread_mutex_t lock;
    posted_t *posted_head, *posted_tail;
    volatile sig_atomic_t stop;
    struct {
        int signo;
        void (*fn)(int, void *);
        void *arg;
        volatile sig_atomic_t pending;
    } sigs[MAX_SIGNALS];
    size_t n_sigs;
    struct pollfd *pfds;
    size_t pfds_cap;
};

/* Signal handlers have no argument, so the loop that owns signals is global. */
static exo_loop_t *signal_loop;

static void wake_up(exo_loop_t *loop)
{
    int saved = errno;
    char c = 0;
    ssize_t r = write(loop->wake[1], &c, 1);
    (void)r; /* a full pipe already means "wake up" */
    errno = saved;
}

exo_loop_t *exo_loop_new(void)
{
    exo_loop_t *loop = exo_xcalloc(1, sizeof *loop);
    if (pipe2(loop->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(loop);
        return NULL;
    }
    pthread_mutex_init(&loop->lock, NULL);
    return loop;
}

void exo_loop_destroy(exo_loop_t **loop_p)
{
    exo_loop_t *loop = *loop_p;
    if (loop == NULL) {
        return;
    }
    for (size_t i = 0; i < loop->n_sigs; i++) {
        signal(loop->sigs[i].signo, SIG_DFL);
    }
    if (signal_loop == loop) {
        signal_loop = NULL;
    }
    posted_t *p = loop->posted_head;
    while (p) {
        posted_t *next = p->next;
        free(p);
        p = next;
    }
    close(loop->wake[0]);
    close(loop->wake[1]);
    pthread_mutex_destroy(&loop->lock);
    free(loop->watches);
    free(loop->timers);
    free(loop->pfds);
    free(loop);
    *loop_p = NULL;
}

int exo_loop_watch(exo_loop_t *loop, int fd, unsigned events, exo_fd_fn fn, void *arg)
{
    if (fd < 0 || fn == NULL) {
        return EXO_ERR_INVALID;
    }
    size_t i;
    for (i = 0; i < loop->n_watches; i++) {
        if (loop->watches[i].id == 0) {
            break;
        }
    }
    if (i == loop->n_watches) {
        loop->watches = exo_xrealloc(loop->watches, (loop->n_watches + 1) * sizeof(watch_t));
        loop->n_watches++;
    }
    int id = ++loop->next_id;
    loop->watches[i] = (watch_t){.id = id, .fd = fd, .events = events, .fn = fn, .arg = arg};
    return id;
}

static watch_t *find_watch(exo_loop_t *loop, int id)
{
    for (size_t i = 0; i < loop->n_watches; i++) {
        if (loop->watches[i].id == id) {
            return &loop->watches[i];
        }
    }
    return NULL;
}

int exo_loop_watch_modify(exo_loop_t *loop, int id, unsigned events)
{
    watch_t *w = find_watch(loop, id);
    if (w == NULL) {
        return EXO_ERR_NOTFOUND;
    }
    w->events = events;
    return EXO_OK;
}

void exo_loop_unwatch(exo_loop_t *loop, int id)
{
    watch_t *w = find_watch(loop, id);
    if (w != NULL) {
        w->id = 0;
    }
}

int exo_loop_timer(exo_loop_t *loop, unsigned ms, bool repeat, exo_call_fn fn, void *arg)
{
    if (fn == NULL) {
        return EXO_ERR_INVALID;
    }
    size_t i;
    for (i = 0; i < loop->n_timers; i++) {
        if (loop->timers[i].id == 0) {
            break;
        }
    }
    if (i == loop->n_timers) {
        loop->timers = exo_xrealloc(loop->timers, (loop->n_timers + 1) * sizeof(timer_t_));
        loop->n_timers++;
    }
    int id = ++loop->next_id;
    loop->timers[i] = (timer_t_){.id = id,
                                 .due = exo_now_ms() + ms,
                                 .interval = repeat ? (ms ? ms : 1) : 0,
                                 .fn = fn,
                                 .arg = arg};
    return id;
}

void exo_loop_timer_cancel(exo_loop_t *loop, int id)
{
    for (size_t i = 0; i < loop->n_timers; i++) {
        if (loop->timers[i].id == id) {
            loop->timers[i].id = 0;
        }
    }
}

int exo_loop_post(exo_loop_t *loop, exo_call_fn fn, void *arg)
{
    posted_t *p = malloc(sizeof *p);
    if (p == NULL) {
        return EXO_ERR_NOMEM;
    }
    p->fn = fn;
    p->arg = arg;
    p->next = NULL;
    pthread_mutex_lock(&loop->lock);
    if (loop->posted_tail) {
        loop->posted_tail->next = p;
    } else {
        loop->posted_head = p;
    }
    loop->posted_tail = p;
    pthread_mutex_unlock(&loop->lock);
    wake_up(loop);
    return EXO_OK;
}

static void on_signal(int signo)
{
    exo_loop_t *loop = signal_loop;
    if (loop == NULL) {
        return;
    }
    for (size_t i = 0; i < loop->n_sigs; i++) {
        if (loop->sigs[i].signo == signo) {
            loop->sigs[i].pending = 1;
        }
    }
    wake_up(loop);
}

int exo_loop_signal(exo_loop_t *loop, int signo, void (*fn)(int, void *), void *arg)
{
    if (loop->n_sigs == MAX_SIGNALS) {
        return EXO_ERR_INVALID;
    }
    signal_loop = loop;
    loop->sigs[loop->n_sigs].signo = signo;
    loop->sigs[loop->n_sigs].fn = fn;
    loop->sigs[loop->n_sigs].arg = arg;
    loop->sigs[loop->n_sigs].pending = 0;
    loop->n_sigs++;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(signo, &sa, NULL) == 0 ? EXO_OK : EXO_ERR_IO;
}

void exo_loop_stop(exo_loop_t *loop)
{
    loop->stop = 1;
    wake_up(loop);
}

static void run_posted(exo_loop_t *loop)
{
    pthread_mutex_lock(&loop->lock);
    posted_t *p = loop->posted_head;
    loop->posted_head = loop->posted_tail = NULL;
    pthread_mutex_unlock(&loop->lock);
    while (p) {
        posted_t *next = p->next;
        p->fn(p->arg);
        free(p);
        p = next;
    }
}

static void run_timers(exo_loop_t *loop)
{
    unsigned long long now = exo_now_ms();
    /* Index loop: callbacks may add timers and so move the array. */
    for (size_t i = 0; i < loop->n_timers; i++) {
        timer_t_ *t = &loop->timers[i];
        if (t->id == 0 || t->due > now) {
            continue;
        }
        exo_call_fn fn = t->fn;
        void *arg = t->arg;
        if (t->interval) {
            t->due = now + t->interval;
        } else {
            t->id = 0;
        }
        fn(arg);
    }
}

static int next_timeout(exo_loop_t *loop, int limit)
{
    unsigned long long now = exo_now_ms();
    long long best = limit;
    for (size_t i = 0; i < loop->n_timers; i++) {
        if (loop->timers[i].id == 0) {
            continue;
        }
        long long d = loop->timers[i].due > now ? (long long)(loop->timers[i].due - now) : 0;
        if (best < 0 || d < best) {
            best = d;
        }
    }
    return (int)best;
}

int exo_loop_once(exo_loop_t *loop, int timeout_ms)
{
    size_t need = loop->n_watches + 1;
    if (need > loop->pfds_cap) {
        loop->pfds = exo_xrealloc(loop->pfds, need * sizeof *loop->pfds);
        loop->pfds_cap = need;
    }
    loop->pfds[0] = (struct pollfd){.fd = loop->wake[0], .events = POLLIN};
    size_t n = 1;
    /* Remember which watch each pollfd belongs to by id: callbacks may unwatch others. */
    int *ids = exo_xmalloc(need * sizeof *ids);
    for (size_t i = 0; i < loop->n_watches; i++) {
        watch_t *w = &loop->watches[i];
        if (w->id == 0 || w->events == 0) {
            continue;
        }
        short ev = 0;
        if (w->events & EXO_EV_READ) {
            ev |= POLLIN;
        }
        if (w->events & EXO_EV_WRITE) {
            ev |= POLLOUT;
        }
        ids[n] = w->id;
        loop->pfds[n++] = (struct pollfd){.fd = w->fd, .events = ev};
    }
    int rc = poll(loop->pfds, n, next_timeout(loop, timeout_ms));
    if (rc < 0 && errno != EINTR) {
        free(ids);
        return -1;
    }
    if (rc > 0 && (loop->pfds[0].revents & POLLIN)) {
        char buf[64];
        while (read(loop->wake[0], buf, sizeof buf) > 0) {
        }
    }
    for (size_t i = 0; i < loop->n_sigs; i++) {
        if (loop->sigs[i].pending) {
            loop->sigs[i].pending = 0;
            loop->sigs[i].fn(loop->sigs[i].signo, loop->sigs[i].arg);
        }
    }
    run_posted(loop);
    for (size_t i = 1; rc > 0 && i < n; i++) {
        short re = loop->pfds[i].revents;
        if (re == 0) {
            continue;
        }
        watch_t *w = find_watch(loop, ids[i]);
        if (w == NULL) {
            continue; /* unwatched by an earlier callback in this round */
        }
        unsigned ev = 0;
        if (re & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
            ev |= EXO_EV_READ;
        }
        if (re & POLLOUT) {
            ev |= EXO_EV_WRITE;
        }
        w->fn(w->fd, ev & (w->events | EXO_EV_READ), w->arg);
    }
    free(ids);
    run_timers(loop);
    return 0;
}

int exo_loop_run(exo_loop_t *loop)
{
    loop->stop = 0;
    while (!loop->stop) {
        if (exo_loop_once(loop, -1) != 0) {
            return -1;
        }
    }
    return 0;
}
