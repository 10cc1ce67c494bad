/*
 * plugins/frontend-websocket/wsconn.c - one client over exo.v1: its connection in the core
 * (conn_open with the credential, conn_send per frame, conn_close), its frames assembled under
 * the size bound, and what goes out through its bounded queue (see wsfront.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "feserve.h"
#include "wsfront.h"
#include "wsproto.h"

/* Frames written per writable event (until the socket is full): a burst from the bus drains
 * in few turns of the loop, and one client cannot hold the loop for long. */
#define WS_WRITES_PER_EVENT 1024

static ws_frontend_t *frontend_of(struct lws *wsi)
{
    return fec_server_user(wsi);
}

static void forget(ws_frontend_t *fe, ws_conn_t *c)
{
    if (c->id == 0)
        return;
    ws_conns_del(&fe->conns, c->id);
    if (!fe->closing)
        fe->bus_ops->conn_close(fe->bus, c->id);
    c->id = 0;
}

/* A client that does not read: drop it (everything it had queued is lost). */
static void drop(ws_frontend_t *fe, ws_conn_t *c)
{
    exo_log_warn(fe->host, "dropping client %s: it does not read its messages (%zu frames, "
                 "%zu bytes waiting; queue-messages %zu, queue-bytes %zu)",
                 c->peer, c->out.count, c->out.bytes, fe->queue_messages, fe->queue_bytes);
    c->dropped = true;
    ws_queue_clear(&c->out);
    forget(fe, c);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
    fec_server_kick(c->wsi);
}

void ws_conn_queue(ws_frontend_t *fe, ws_conn_t *c, ws_frame_t frame)
{
    if (c->dropped || c->closing) {
        free(frame.buf);
        return;
    }
    if (!ws_queue_push(&c->out, frame, fe->queue_messages, fe->queue_bytes)) {
        drop(fe, c);
        return;
    }
    /* (deliver and auth_done come from outside lws's callbacks: kick its loop) */
    lws_callback_on_writable(c->wsi);
    fec_server_kick(c->wsi);
}

void ws_conn_refuse(ws_frontend_t *fe, ws_conn_t *c, const char *error, const char *message,
                    unsigned short code)
{
    ws_conn_queue(fe, c, ws_frame_error(NULL, error, message, LWS_PRE));
    c->closing = true;
    c->close_code = code;
}

static void established(ws_frontend_t *fe, ws_conn_t *c, struct lws *wsi)
{
    memset(c, 0, sizeof *c);
    c->wsi = wsi;
    fe->n_conns++;
    fec_peer_name(wsi, c->peer, sizeof c->peer);
    /* An explicit ?token= wins over the headers a browser adds by itself. */
    char token[512];
    char *credential = NULL;
    if (lws_get_urlarg_by_name(wsi, "token=", token, sizeof token) != NULL && token[0] != '\0')
        credential = exo_xstrdup(token);
    else
        credential = fec_request_credential(wsi);
    exo_error_t err = {0};
    fe->opening = c;
    exo_conn_id_t id = fe->bus_ops->conn_open(fe->bus, c->peer, credential, &err);
    fe->opening = NULL;
    free(credential);
    if (id == 0) {
        exo_log_warn(fe->host, "refused client %s: %s", c->peer, err.message);
        ws_conn_refuse(fe, c, "unavailable", err.message[0] ? err.message :
                       "the frontend takes no more connections", WS_CLOSE_TRY_AGAIN_LATER);
        return;
    }
    /* (auth_done may have come inside conn_open, through fe->opening: a refused connection
     * is closing already, and the core still knows it until conn_close) */
    c->id = id;
    ws_conns_put(&fe->conns, id, c);
}

static void send_to_bus(ws_frontend_t *fe, ws_conn_t *c, const char *text, size_t len)
{
    ws_send_t s;
    char why[300];
    if (ws_parse_send(text, len, &s, why, sizeof why) < 0) {
        ws_conn_queue(fe, c, ws_frame_error(s.id, "bad-request", why, LWS_PRE));
        ws_send_free(&s);
        return;
    }
    exo_error_t err = {0};
    if (fe->bus_ops->conn_send(fe->bus, c->id, s.name, s.payload, s.payload_len, s.id,
                               s.timeout_ms, &err) < 0)
        exo_log_warn(fe->host, "client %s: %s", c->peer, err.message);
    ws_send_free(&s);
}

static int too_large(ws_frontend_t *fe, ws_conn_t *c)
{
    exo_log_info(fe->host, "closing client %s: a message over %zu bytes", c->peer, fe->max_frame);
    char reason[64];
    int n = snprintf(reason, sizeof reason, "message over %zu bytes", fe->max_frame);
    lws_close_reason(c->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)reason,
                     (size_t)n);
    return -1;
}

/* A piece of a client's message: assembled until its last piece, bounded by max_frame. */
static int receive(ws_frontend_t *fe, ws_conn_t *c, const char *in, size_t len)
{
    size_t remaining = lws_remaining_packet_payload(c->wsi);
    if (c->rx.len + len + remaining > fe->max_frame)
        return too_large(fe, c);
    bool last = lws_is_final_fragment(c->wsi) && remaining == 0;
    if (c->id == 0 || c->closing || c->dropped)
        return 0; /* refused or dropped: it only closes */
    if (last && c->rx.len == 0) {
        if (lws_frame_is_binary(c->wsi))
            ws_conn_queue(fe, c, ws_frame_error(NULL, "bad-request",
                                                "exo.v1 messages are text frames of JSON", LWS_PRE));
        else
            send_to_bus(fe, c, in, len);
        return 0;
    }
    exo_buf_append(&c->rx, in, len);
    if (last) {
        if (lws_frame_is_binary(c->wsi))
            ws_conn_queue(fe, c, ws_frame_error(NULL, "bad-request",
                                                "exo.v1 messages are text frames of JSON", LWS_PRE));
        else
            send_to_bus(fe, c, c->rx.data, c->rx.len);
        exo_buf_free(&c->rx);
    }
    return 0;
}

static int writable(ws_frontend_t *fe, ws_conn_t *c)
{
    (void)fe;
    for (int i = 0; i < WS_WRITES_PER_EVENT && !c->dropped; i++) {
        const ws_frame_t *f = ws_queue_peek(&c->out);
        if (f == NULL)
            break;
        int n = lws_write(c->wsi, (unsigned char *)f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
        if (n < (int)f->len)
            return -1;
        ws_queue_pop(&c->out);
        if (lws_send_pipe_choked(c->wsi))
            break;
    }
    if (c->dropped)
        return -1;
    if (c->out.count > 0) {
        lws_callback_on_writable(c->wsi);
    } else if (c->closing) {
        lws_close_reason(c->wsi, c->close_code, NULL, 0);
        return -1;
    }
    return 0;
}

static void closed(ws_frontend_t *fe, ws_conn_t *c)
{
    forget(fe, c);
    ws_queue_clear(&c->out);
    exo_buf_free(&c->rx);
    if (fe->n_conns > 0)
        fe->n_conns--;
}

int ws_conn_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    ws_frontend_t *fe = frontend_of(wsi);
    ws_conn_t *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        established(fe, c, wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return receive(fe, c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return writable(fe, c);
    case LWS_CALLBACK_CLOSED:
        closed(fe, c);
        return 0;
    default:
        return 0;
    }
}
