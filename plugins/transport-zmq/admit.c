/* admit.c - unregistered connections, capped and timed out; see admit.h. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <zmq.h>

#include "admit.h"

typedef struct conn {
    int fd;
    bool registered;
    bool early; /* its 'R' was read before the monitor reported it accepted */
    unsigned long long since;
} conn_t;

struct exo_zadmit {
    void *mon;
    conn_t *conns;
    size_t n, cap_conns, pending, cap;
    unsigned grace_ms;
};

exo_zadmit_t *exo_zadmit_new(void *ctx, void *sock, size_t cap, unsigned grace_ms)
{
    char name[64];
    static unsigned seq;
    snprintf(name, sizeof name, "inproc://exo-admit-%p-%u", sock, seq++);
    if (zmq_socket_monitor(sock, name, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0) {
        return NULL;
    }
    exo_zadmit_t *a = calloc(1, sizeof *a);
    if (a == NULL || (a->mon = zmq_socket(ctx, ZMQ_PAIR)) == NULL ||
        zmq_connect(a->mon, name) != 0) {
        if (a != NULL && a->mon != NULL) {
            zmq_close(a->mon);
        }
        free(a);
        zmq_socket_monitor(sock, NULL, 0);
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt(a->mon, ZMQ_LINGER, &zero, sizeof zero);
    a->cap = cap;
    a->grace_ms = grace_ms;
    return a;
}

int exo_zadmit_fd(const exo_zadmit_t *a)
{
    int fd = -1;
    size_t len = sizeof fd;
    zmq_getsockopt(a->mon, ZMQ_FD, &fd, &len);
    return fd;
}

static conn_t *find(exo_zadmit_t *a, int fd)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->conns[i].fd == fd) {
            return &a->conns[i];
        }
    }
    return NULL;
}

static void forget(exo_zadmit_t *a, conn_t *c)
{
    a->pending -= !c->registered;
    *c = a->conns[--a->n];
}

/* Shut the connection down: ZeroMQ sees the error, closes the descriptor, reports it. */
static void drop(exo_zadmit_t *a, conn_t *c)
{
    shutdown(c->fd, SHUT_RDWR);
    forget(a, c);
}

static void enforce_cap(exo_zadmit_t *a);

static bool grow(exo_zadmit_t *a)
{
    if (a->n < a->cap_conns) {
        return true;
    }
    size_t cap = a->cap_conns ? a->cap_conns * 2 : 64;
    conn_t *p = realloc(a->conns, cap * sizeof *p);
    if (p == NULL) {
        return false;
    }
    a->conns = p;
    a->cap_conns = cap;
    return true;
}

static void accepted(exo_zadmit_t *a, int fd, unsigned long long now)
{
    conn_t *old = find(a, fd);
    if (old != NULL && old->early) {
        old->early = false;
        return;
    }
    if (old != NULL) {
        forget(a, old); /* a stale entry: that descriptor was closed and reused */
    }
    if (!grow(a)) {
        return;
    }
    a->conns[a->n++] = (conn_t){.fd = fd, .since = now};
    a->pending++;
    enforce_cap(a);
}

static void enforce_cap(exo_zadmit_t *a)
{
    /* Over the cap: the oldest unregistered connection goes (a real unit registers at once). */
    while (a->pending > a->cap) {
        conn_t *oldest = NULL;
        for (size_t i = 0; i < a->n; i++) {
            if (!a->conns[i].registered && (oldest == NULL || a->conns[i].since < oldest->since)) {
                oldest = &a->conns[i];
            }
        }
        drop(a, oldest);
    }
}

void exo_zadmit_drain(exo_zadmit_t *a, unsigned long long now)
{
    zmq_msg_t ev, addr;
    for (;;) {
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, a->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        zmq_msg_init(&addr);
        if (zmq_msg_more(&ev)) {
            zmq_msg_recv(&addr, a->mon, 0);
        }
        if (zmq_msg_size(&ev) >= 6) {
            const unsigned char *p = zmq_msg_data(&ev);
            uint16_t event;
            int32_t value;
            memcpy(&event, p, 2);
            memcpy(&value, p + 2, 4);
            conn_t *c;
            if (event == ZMQ_EVENT_ACCEPTED) {
                accepted(a, value, now);
            } else if (event == ZMQ_EVENT_DISCONNECTED && (c = find(a, value)) != NULL) {
                forget(a, c);
            }
        }
        zmq_msg_close(&addr);
        zmq_msg_close(&ev);
    }
}

void exo_zadmit_registered(exo_zadmit_t *a, int fd)
{
    if (fd < 0) {
        return;
    }
    conn_t *c = find(a, fd);
    if (c == NULL) {
        /* The monitor has not reported it yet: remember it as registered already. */
        if (grow(a)) {
            a->conns[a->n++] = (conn_t){.fd = fd, .registered = true, .early = true};
        }
    } else if (!c->registered) {
        c->registered = true;
        a->pending--;
    }
}

size_t exo_zadmit_sweep(exo_zadmit_t *a, unsigned long long now)
{
    size_t dropped = 0;
    for (size_t i = 0; i < a->n;) {
        conn_t *c = &a->conns[i];
        if (!c->registered && now - c->since > a->grace_ms) {
            drop(a, c);
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}

size_t exo_zadmit_pending(const exo_zadmit_t *a)
{
    return a->pending;
}

void exo_zadmit_free(exo_zadmit_t *a)
{
    if (a != NULL) {
        zmq_close(a->mon);
        free(a->conns);
        free(a);
    }
}
