/*
 * bench/bench-ws-echo.c - the ceiling of the WebSocket benchmark: a plain libwebsockets echo
 * server (lws's own event loop, nothing else), answering every text message with itself, in
 * order. bench-ws --wire echo measures it exactly as it measures the exo frontend.
 *
 * Usage: bench-ws-echo --endpoint ws://127.0.0.1:PORT/ [--deadline-ms MS]
 * Prints "ready endpoint=ws://127.0.0.1:PORT/" once listening; stops on SIGTERM/SIGINT.
 */
#include "bench.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *who = "bench-ws-echo";

typedef struct echo_msg {
    struct echo_msg *next;
    size_t len;
    unsigned char data[]; /* LWS_PRE bytes, then the message */
} echo_msg_t;

typedef struct echo_conn {
    echo_msg_t *head, *tail;
    unsigned char *partial; /* a message in several pieces */
    size_t partial_len;
} echo_conn_t;

static void push(echo_conn_t *c, const void *data, size_t len)
{
    echo_msg_t *m = malloc(sizeof *m + LWS_PRE + len);
    m->next = NULL;
    m->len = len;
    memcpy(m->data + LWS_PRE, data, len);
    if (c->tail)
        c->tail->next = m;
    else
        c->head = m;
    c->tail = m;
}

static int on_receive(struct lws *wsi, echo_conn_t *c, const void *in, size_t len)
{
    bool whole = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    if (whole && c->partial == NULL) {
        push(c, in, len);
    } else {
        c->partial = realloc(c->partial, c->partial_len + len);
        memcpy(c->partial + c->partial_len, in, len);
        c->partial_len += len;
        if (!whole)
            return 0;
        push(c, c->partial, c->partial_len);
        free(c->partial);
        c->partial = NULL;
        c->partial_len = 0;
    }
    lws_callback_on_writable(wsi);
    return 0;
}

static int on_writable(struct lws *wsi, echo_conn_t *c)
{
    while (c->head != NULL) {
        echo_msg_t *m = c->head;
        if (lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len)
            return -1;
        c->head = m->next;
        if (c->head == NULL)
            c->tail = NULL;
        free(m);
        if (lws_send_pipe_choked(wsi))
            break;
    }
    if (c->head != NULL)
        lws_callback_on_writable(wsi);
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    echo_conn_t *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memset(c, 0, sizeof *c);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return on_receive(wsi, c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writable(wsi, c);
    case LWS_CALLBACK_CLOSED:
        while (c->head) {
            echo_msg_t *m = c->head;
            c->head = m->next;
            free(m);
        }
        free(c->partial);
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"echo", callback, sizeof(echo_conn_t), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    /* bench.h's parser wants a mode: this server is an echo */
    char *args[64];
    int n = 0;
    args[n++] = argv[0];
    args[n++] = "echo";
    for (int i = 1; i < argc && n < 63; i++)
        args[n++] = argv[i];
    bb_opts_t o;
    if (bb_parse(n, args, &o) < 0)
        return 2;
    int port = 0;
    if (o.endpoint == NULL || sscanf(o.endpoint, "ws://127.0.0.1:%d", &port) != 1)
        bb_die(who, "give --endpoint ws://127.0.0.1:PORT/");
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    struct lws_context *ctx = lws_create_context(&info);
    if (ctx == NULL)
        bb_die(who, "cannot listen on port %d", port);
    bb_start(&o);
    char extra[128];
    snprintf(extra, sizeof extra, "endpoint=ws://127.0.0.1:%d/", port);
    bb_ready(extra);
    while (!bb_should_stop(&o))
        lws_service(ctx, 100);
    lws_context_destroy(ctx);
    return 0;
}
