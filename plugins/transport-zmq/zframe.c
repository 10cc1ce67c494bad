/* zframe.c - bus frames on zmq sockets; see zframe.h. */
#include "config.h"

#include <errno.h>

#include "zframe.h"

int exo_zframe_build(zmq_msg_t *m, const exo_wire_head_t *h)
{
    size_t need = exo_wire_size(h);
    if (zmq_msg_init_size(m, need) != 0) {
        return -1;
    }
    if (exo_wire_encode(zmq_msg_data(m), need, h) == 0) {
        zmq_msg_close(m);
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

int exo_zframe_send(void *sock, const exo_wire_head_t *h, int flags)
{
    zmq_msg_t m;
    if (exo_zframe_build(&m, h) < 0) {
        return -1;
    }
    if (zmq_msg_send(&m, sock, flags) < 0) {
        int e = errno;
        zmq_msg_close(&m);
        errno = e;
        return -1;
    }
    return 0;
}

int exo_zframe_recv(void *sock, zmq_msg_t *f, int max, int *n, bool *overflow, int flags)
{
    *n = 0;
    *overflow = false;
    zmq_msg_init(&f[0]);
    if (zmq_msg_recv(&f[0], sock, flags) < 0) {
        int e = errno;
        zmq_msg_close(&f[0]);
        errno = e;
        return -1;
    }
    *n = 1;
    bool more = zmq_msg_more(&f[0]);
    while (more) {
        /* The rest of a multipart is already there: blocking reads return at once. */
        if (*n == max) {
            zmq_msg_t extra;
            zmq_msg_init(&extra);
            zmq_msg_recv(&extra, sock, 0);
            more = zmq_msg_more(&extra);
            zmq_msg_close(&extra);
            *overflow = true;
            continue;
        }
        zmq_msg_init(&f[*n]);
        if (zmq_msg_recv(&f[*n], sock, 0) < 0) {
            zmq_msg_close(&f[*n]);
            break;
        }
        more = zmq_msg_more(&f[*n]);
        (*n)++;
    }
    return 0;
}

void exo_zframe_close(zmq_msg_t *f, int n)
{
    for (int i = 0; i < n; i++) {
        zmq_msg_close(&f[i]);
    }
}
