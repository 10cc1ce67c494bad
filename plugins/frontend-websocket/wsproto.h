/*
 * plugins/frontend-websocket/wsproto.h - the exo.v1 wire protocol (docs/frontends.md, "The
 * websocket frontend"): one JSON object per WebSocket text message.
 *
 *   client -> frontend   {"type":"send","name":N,"payload":P?,"id":ID?,"timeout":MS?}
 *   frontend -> client   {"type":"welcome","user":U|null,"max_message_size":B}
 *                        {"type":"message","name":N,"payload":P|null,"activity":A,"re":ID?}
 *                        {"type":"error","re":ID?,"error":E,"message":M}
 *
 * Pure functions over strings (no libwebsockets), so that they are tested alone. Frames are
 * built with @p headroom free bytes in front of them (libwebsockets' LWS_PRE), so that the
 * buffer goes to lws_write as it is. Threading: reentrant.
 */
#ifndef EXO_PLUGINS_WSPROTO_H
#define EXO_PLUGINS_WSPROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <exo/frontend.h>

/** The subprotocol a client asks for in Sec-WebSocket-Protocol. */
#define WS_SUBPROTOCOL "exo.v1"
/** Longest request id a client may give (the bus's id rules: printable ASCII). */
#define WS_MAX_ID 64
/** Longest timeout a client may ask for a request, in ms (10 minutes). */
#define WS_MAX_TIMEOUT_MS 600000u

/** A client's "send" frame. Strings owned (ws_send_free). */
typedef struct ws_send {
    char *name;
    char *payload;      /* compact JSON text; NULL = no payload */
    size_t payload_len;
    char *id;           /* NULL: the client wants no reply, only failures */
    unsigned timeout_ms; /* 0: the frontend's default */
} ws_send_t;

/**
 * Parse one client frame of @p len bytes. 0 and @p out filled, or -1 with @p why (a sentence
 * for the client, never longer than @p why_len) and out->id set when the frame had a valid
 * one (so that the error can answer it); the caller frees @p out in both cases.
 */
int ws_parse_send(const char *text, size_t len, ws_send_t *out, char *why, size_t why_len);
void ws_send_free(ws_send_t *s);

/** A frame ready for the wire: buf holds headroom bytes, then len bytes of JSON. */
typedef struct ws_frame {
    char *buf;   /* free() */
    size_t len;
} ws_frame_t;

/** {"type":"welcome",...}; @p user NULL for an anonymous connection. */
ws_frame_t ws_frame_welcome(const char *user, size_t max_message_size, size_t headroom);
/** {"type":"error",...}; @p re NULL when it answers no request. */
ws_frame_t ws_frame_error(const char *re, const char *error, const char *message,
                          size_t headroom);
/**
 * The frame for what the core delivers: a message, or a failure (msg->error set). A payload
 * that is not JSON goes out as null and *bad_payload is set (the caller logs it).
 */
ws_frame_t ws_frame_deliver(const exo_frontend_msg_t *msg, size_t headroom, bool *bad_payload);

#endif /* EXO_PLUGINS_WSPROTO_H */
