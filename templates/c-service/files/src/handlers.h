/*
 * handlers.h - what {{role}} does with each message it receives. The logic lives here, apart
 * from the bus code in main.c, so tests/test_handlers.c can call it without a running app.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

/** A reply to send back within the same activity. */
typedef struct reply {
    const char *name; /* message name, static */
    char *payload;    /* JSON text owned by the reply (free with reply_free), or NULL */
} reply_t;

/**
 * Handle message @p name with JSON @p payload (NULL when it has none).
 * Returns 1 and fills @p out when there is a reply to send, 0 when the message needs no reply,
 * -1 when {{role}} does not handle @p name.
 */
int handle_message(const char *name, const char *payload, reply_t *out);

void reply_free(reply_t *r);

#endif
