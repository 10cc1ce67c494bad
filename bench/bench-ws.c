/*
 * bench/bench-ws.c - the browser-side peer of the WebSocket benchmark (bench/run-ws-bench.sh):
 * a minimal RFC 6455 client (our own, blocking, one thread) speaking one of three wires to a
 * WebSocket server, so that the same client measures each server alike:
 *
 *   --wire exo    exo.v1 to the websocket frontend: {"type":"send","name":SUBJECT,
 *                 "payload":PAYLOAD,"id":SEQ} -> {"type":"message",...,"re":SEQ}
 *   --wire echo   the payload as a text message to an echo server (bench-ws-echo), back as is
 *   --wire nats   the NATS protocol over nats-server's WebSocket listener: PUB SUBJECT INBOX,
 *                 answered by a bench-nats echo peer with MSG INBOX
 *
 * Modes (bench.h's command line plus --wire and --window):
 *   req    warmup+count round trips, --window of them in flight (1: sequential); prints
 *          bench.h's `result req` line (round trips) and `result rate count=N ns=T`
 *   idle   open --conns connections (each welcomed, for exo), print ready, hold them
 *
 * --endpoint is ws://HOST:PORT/PATH. Payloads are bench.h's, so the reply is checked by SEQ.
 */
#define _GNU_SOURCE /* memmem */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *who = "bench-ws";

typedef enum { WIRE_EXO, WIRE_ECHO, WIRE_NATS } wire_t;

typedef struct ws {
    int fd;
    unsigned char *in;   /* bytes read, not yet taken */
    size_t in_len, in_cap;
    char *msg;           /* the last whole message (text) */
    size_t msg_len, msg_cap;
    char *stream;        /* nats: the messages' bytes as one stream */
    size_t stream_len, stream_cap;
    uint32_t mask_state;
} ws_t;

static void grow(void *pp, size_t *cap, size_t need)
{
    char **p = pp;
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    *p = realloc(*p, n);
    if (*p == NULL)
        bb_die(who, "out of memory");
    *cap = n;
}

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0)
            bb_die(who, "write: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
}

static void read_more(ws_t *w)
{
    grow(&w->in, &w->in_cap, w->in_len + 65536);
    ssize_t n = read(w->fd, w->in + w->in_len, w->in_cap - w->in_len);
    if (n <= 0)
        bb_die(who, "the server closed the connection");
    w->in_len += (size_t)n;
}

static void take(ws_t *w, size_t n)
{
    memmove(w->in, w->in + n, w->in_len - n);
    w->in_len -= n;
}

static void send_frame(ws_t *w, int opcode, const char *data, size_t len)
{
    unsigned char head[14];
    size_t h = 0;
    head[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        head[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        head[h++] = 0x80 | 126;
        head[h++] = (unsigned char)(len >> 8);
        head[h++] = (unsigned char)len;
    } else {
        head[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            head[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    w->mask_state = w->mask_state * 1103515245u + 12345u;
    unsigned char key[4] = {(unsigned char)(w->mask_state >> 24), (unsigned char)(w->mask_state >> 16),
                            (unsigned char)(w->mask_state >> 8), (unsigned char)w->mask_state};
    memcpy(head + h, key, 4);
    h += 4;
    unsigned char *buf = malloc(h + len);
    memcpy(buf, head, h);
    for (size_t i = 0; i < len; i++)
        buf[h + i] = (unsigned char)data[i] ^ key[i & 3];
    write_all(w->fd, buf, h + len);
    free(buf);
}

/* The next whole data message into w->msg (pings answered, fragments joined). */
static void next_message(ws_t *w)
{
    w->msg_len = 0;
    for (;;) {
        while (w->in_len < 2)
            read_more(w);
        int fin = w->in[0] & 0x80, opcode = w->in[0] & 0x0f;
        uint64_t len = w->in[1] & 0x7f;
        size_t off = 2;
        if (len == 126 || len == 127) {
            size_t n = len == 126 ? 2 : 8;
            while (w->in_len < 2 + n)
                read_more(w);
            len = 0;
            for (size_t i = 0; i < n; i++)
                len = (len << 8) | w->in[2 + i];
            off += n;
        }
        while (w->in_len < off + len)
            read_more(w);
        const char *payload = (const char *)w->in + off;
        if (opcode == 8)
            bb_die(who, "the server closed the WebSocket (code %d)",
                   len >= 2 ? (w->in[off] << 8) | w->in[off + 1] : 1005);
        if (opcode == 9) {
            send_frame(w, 10, payload, len);
        } else if (opcode <= 2) {
            grow(&w->msg, &w->msg_cap, w->msg_len + len + 1);
            memcpy(w->msg + w->msg_len, payload, len);
            w->msg_len += len;
            w->msg[w->msg_len] = '\0';
        }
        take(w, off + len);
        if (opcode <= 2 && fin)
            return;
    }
}

static ws_t *ws_open(const char *url, wire_t wire)
{
    char host[256], path[512] = "/";
    int port = 80;
    if (sscanf(url, "ws://%255[^:/]:%d%511s", host, &port, path) < 2)
        bb_die(who, "--endpoint wants ws://HOST:PORT/PATH, got '%s'", url);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        bb_die(who, "give an IPv4 address, not '%s'", host);
    ws_t *w = calloc(1, sizeof *w);
    w->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (w->fd < 0 || connect(w->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        bb_die(who, "cannot connect to %s: %s", url, strerror(errno));
    int one = 1;
    setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    w->mask_state = (uint32_t)(uintptr_t)w ^ (uint32_t)bb_now_ns();
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: ZXhvLWJlbmNoLWtleS0wMQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\nOrigin: http://%s:%d\r\n%s\r\n",
                     path, host, port, host, port,
                     wire == WIRE_EXO ? "Sec-WebSocket-Protocol: exo.v1\r\n" : "");
    write_all(w->fd, req, (size_t)n);
    for (;;) {
        read_more(w);
        grow(&w->in, &w->in_cap, w->in_len + 1);
        w->in[w->in_len] = '\0';
        char *end = strstr((char *)w->in, "\r\n\r\n");
        if (end == NULL)
            continue;
        if (strncmp((char *)w->in, "HTTP/1.1 101", 12) != 0)
            bb_die(who, "the server refused the WebSocket: %.40s", (char *)w->in);
        take(w, (size_t)(end + 4 - (char *)w->in));
        break;
    }
    return w;
}

/* nats: the next protocol line of the stream (MSG's payload included), skipping INFO/PONG,
 * answering PING. Returns the payload of the next MSG. */
static const char *nats_next_msg(ws_t *w, size_t *len)
{
    for (;;) {
        char *crlf = w->stream_len ? memmem(w->stream, w->stream_len, "\r\n", 2) : NULL;
        if (crlf != NULL) {
            size_t line = (size_t)(crlf - w->stream);
            if (line >= 4 && strncmp(w->stream, "MSG ", 4) == 0) {
                const char *sp = crlf;
                while (sp > w->stream && sp[-1] != ' ')
                    sp--;
                size_t n = (size_t)strtoul(sp, NULL, 10);
                if (w->stream_len >= line + 2 + n + 2) {
                    static char *out;
                    static size_t out_cap;
                    grow(&out, &out_cap, n + 1);
                    memcpy(out, crlf + 2, n);
                    *len = n;
                    size_t used = line + 2 + n + 2;
                    memmove(w->stream, w->stream + used, w->stream_len - used);
                    w->stream_len -= used;
                    return out;
                }
            } else {
                if (line >= 4 && strncmp(w->stream, "PING", 4) == 0)
                    send_frame(w, 1, "PONG\r\n", 6);
                else if (line >= 4 && strncmp(w->stream, "-ERR", 4) == 0)
                    bb_die(who, "nats-server: %.*s", (int)line, w->stream);
                memmove(w->stream, crlf + 2, w->stream_len - line - 2);
                w->stream_len -= line + 2;
                continue;
            }
        }
        next_message(w);
        grow(&w->stream, &w->stream_cap, w->stream_len + w->msg_len);
        memcpy(w->stream + w->stream_len, w->msg, w->msg_len);
        w->stream_len += w->msg_len;
    }
}

/* Ready to carry requests: exo waits for its welcome, nats subscribes its inbox. */
static void ws_ready(ws_t *w, wire_t wire)
{
    if (wire == WIRE_EXO) {
        next_message(w);
        if (strstr(w->msg, "\"welcome\"") == NULL)
            bb_die(who, "expected a welcome, got %.200s", w->msg);
    } else if (wire == WIRE_NATS) {
        static const char hello[] = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}"
                                    "\r\nSUB _INBOX.bench 1\r\nPING\r\n";
        send_frame(w, 1, hello, sizeof hello - 1);
        for (;;) { /* until our PONG */
            next_message(w);
            if (strstr(w->msg, "PONG") != NULL)
                break;
        }
    }
}

static void send_request(ws_t *w, wire_t wire, const char *subject, const char *payload,
                         size_t size, long seq)
{
    static char *buf;
    static size_t cap;
    grow(&buf, &cap, size + 256);
    int n = 0;
    if (wire == WIRE_EXO) {
        n = snprintf(buf, cap, "{\"type\":\"send\",\"name\":\"%s\",\"id\":\"%ld\",\"payload\":", subject,
                     seq);
        memcpy(buf + n, payload, size);
        n += (int)size;
        buf[n++] = '}';
    } else if (wire == WIRE_NATS) {
        n = snprintf(buf, cap, "PUB %s _INBOX.bench %zu\r\n", subject, size);
        memcpy(buf + n, payload, size);
        n += (int)size;
        memcpy(buf + n, "\r\n", 2);
        n += 2;
    } else {
        memcpy(buf, payload, size);
        n = (int)size;
    }
    send_frame(w, 1, buf, (size_t)n);
}

/* The SEQ of the next reply (-1: not one of ours). */
static long next_reply(ws_t *w, wire_t wire)
{
    if (wire == WIRE_NATS) {
        size_t len;
        const char *p = nats_next_msg(w, &len);
        return bb_payload_seq(p, len);
    }
    next_message(w);
    if (wire == WIRE_ECHO)
        return bb_payload_seq(w->msg, w->msg_len);
    const char *p = strstr(w->msg, "\"payload\":");
    if (p == NULL || strstr(w->msg, "\"type\":\"message\"") == NULL)
        bb_die(who, "not a reply: %.300s", w->msg);
    p += 10;
    const char *end = strstr(p, ",\"activity\"");
    return end ? bb_payload_seq(p, (size_t)(end - p)) : -1;
}

static int do_req(const bb_opts_t *o, wire_t wire, long window)
{
    ws_t *w = ws_open(o->endpoint, wire);
    ws_ready(w, wire);
    bb_ready(NULL);
    long total = o->warmup + o->count, sent = 0, got = 0;
    int64_t *sent_at = calloc((size_t)total, sizeof *sent_at);
    char *payload = malloc(o->size);
    bb_rtt_t rtt;
    bb_rtt_init(&rtt, o->count);
    while (got < total && !bb_should_stop(o)) {
        while (sent < total && sent - got < window) {
            bb_payload(payload, o->size, sent);
            sent_at[sent] = bb_now_ns();
            send_request(w, wire, o->subject, payload, o->size, sent);
            sent++;
        }
        long seq = next_reply(w, wire);
        int64_t now = bb_now_ns();
        got++;
        if (seq < 0 || seq >= total) {
            rtt.failed++;
            continue;
        }
        if (seq >= o->warmup)
            bb_rtt_add(&rtt, now - sent_at[seq]);
    }
    int64_t end = bb_now_ns();
    /* messages/s: the measured requests, from the first one sent to the last reply */
    printf("result rate count=%ld ns=%lld\n", o->count, (long long)(end - sent_at[o->warmup]));
    bb_rtt_report(&rtt);
    free(payload);
    free(sent_at);
    close(w->fd);
    return 0;
}

static int do_idle(const bb_opts_t *o, wire_t wire)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    ws_t **all = calloc((size_t)o->conns, sizeof *all);
    for (long i = 0; i < o->conns; i++) {
        all[i] = ws_open(o->endpoint, wire);
        ws_ready(all[i], wire);
    }
    char extra[64];
    snprintf(extra, sizeof extra, "conns=%ld", o->conns);
    bb_ready(extra);
    while (!bb_should_stop(o))
        poll(NULL, 0, 100);
    return 0;
}

int main(int argc, char **argv)
{
    /* Our two options, then bench.h's. */
    wire_t wire = WIRE_EXO;
    long window = 1;
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--wire") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            wire = strcmp(v, "echo") == 0 ? WIRE_ECHO : strcmp(v, "nats") == 0 ? WIRE_NATS
                                                                                : WIRE_EXO;
            if (wire == WIRE_EXO && strcmp(v, "exo") != 0)
                bb_die(who, "--wire is exo, echo or nats, not '%s'", v);
        } else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
            window = strtol(argv[++i], NULL, 10);
            if (window < 1 || window > 100000)
                bb_die(who, "--window wants 1 to 100000");
        } else {
            argv[n++] = argv[i];
        }
    }
    argc = n;
    bb_opts_t o;
    if (bb_parse(argc, argv, &o) < 0)
        return 2;
    if (o.endpoint == NULL)
        bb_die(who, "give --endpoint ws://HOST:PORT/PATH");
    bb_start(&o);
    switch (o.mode) {
    case BB_REQ:
        return do_req(&o, wire, window);
    case BB_IDLE:
        return do_idle(&o, wire);
    default:
        bb_die(who, "modes: req, idle");
    }
}
