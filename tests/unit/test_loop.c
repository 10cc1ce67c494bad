/* tests/unit/test_loop.c - the core event loop: fds, timers, posts, signals. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "base/loop.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static int fired;

static void on_timer(void *arg)
{
    fired++;
    if (fired == 3) {
        exo_loop_stop(arg);
    }
}

static void test_repeating_timer_fires_until_stopped(void)
{
    exo_loop_t *loop = exo_loop_new();
    fired = 0;
    unsigned long long t0 = exo_now_ms();
    int id = exo_loop_timer(loop, 10, true, on_timer, loop);
    CU_ASSERT(id > 0);
    CU_ASSERT_EQUAL(exo_loop_run(loop), 0);
    CU_ASSERT_EQUAL(fired, 3);
    CU_ASSERT(exo_now_ms() - t0 >= 30);
    exo_loop_destroy(&loop);
    CU_ASSERT_PTR_NULL(loop);
}

static void test_cancelled_timer_never_fires(void)
{
    exo_loop_t *loop = exo_loop_new();
    fired = 0;
    int id = exo_loop_timer(loop, 5, false, on_timer, loop);
    exo_loop_timer_cancel(loop, id);
    exo_loop_once(loop, 30);
    CU_ASSERT_EQUAL(fired, 0);
    exo_loop_destroy(&loop);
}

static char got[16];

static void on_readable(int fd, unsigned events, void *arg)
{
    CU_ASSERT(events & EXO_EV_READ);
    ssize_t n = read(fd, got, sizeof got - 1);
    CU_ASSERT(n == 5);
    got[n > 0 ? n : 0] = '\0';
    exo_loop_stop(arg);
}

static void test_fd_watch_reports_readable(void)
{
    exo_loop_t *loop = exo_loop_new();
    int p[2];
    CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
    int id = exo_loop_watch(loop, p[0], EXO_EV_READ, on_readable, loop);
    CU_ASSERT(id > 0);
    CU_ASSERT_EQUAL(write(p[1], "hello", 5), 5);
    exo_loop_run(loop);
    CU_ASSERT_STRING_EQUAL(got, "hello");
    exo_loop_unwatch(loop, id);
    close(p[0]);
    close(p[1]);
    exo_loop_destroy(&loop);
}

static int posted_value;

static void on_posted(void *arg)
{
    posted_value = 42;
    exo_loop_stop(arg);
}

static void *poster(void *arg)
{
    usleep(10000);
    exo_loop_post(arg, on_posted, arg);
    return NULL;
}

static void test_post_from_other_thread_runs_on_loop(void)
{
    exo_loop_t *loop = exo_loop_new();
    posted_value = 0;
    pthread_t th;
    pthread_create(&th, NULL, poster, loop);
    exo_loop_run(loop);
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(posted_value, 42);
    exo_loop_destroy(&loop);
}

static int got_signal;

static void on_sig(int signo, void *arg)
{
    got_signal = signo;
    exo_loop_stop(arg);
}

static void test_signal_delivered_on_loop(void)
{
    exo_loop_t *loop = exo_loop_new();
    got_signal = 0;
    exo_loop_signal(loop, SIGUSR1, on_sig, loop);
    kill(getpid(), SIGUSR1);
    exo_loop_run(loop);
    CU_ASSERT_EQUAL(got_signal, SIGUSR1);
    exo_loop_destroy(&loop);
}

static const exo_test_t tests[] = {
    {"repeating timer fires until stopped", test_repeating_timer_fires_until_stopped},
    {"cancelled timer never fires", test_cancelled_timer_never_fires},
    {"fd watch reports readable", test_fd_watch_reports_readable},
    {"post from another thread runs on the loop", test_post_from_other_thread_runs_on_loop},
    {"signal delivered on the loop", test_signal_delivered_on_loop},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("loop", tests, NULL, NULL)
