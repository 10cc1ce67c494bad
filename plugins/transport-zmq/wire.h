/*
 * wire.h - the frame codec of the bus protocol (docs/protocol.md), shared by the broker plugin
 * and libexoservice (wire.c is compiled into both; its symbols stay hidden in each). Protocol 2:
 * every message is one zmq frame, a head (version, type, length-prefixed fields) and, for 'M',
 * the payload bytes after the last field, so routing reads the head only.
 *
 * Nothing here allocates: a decoded head points into the caller's buffer, which must stay alive
 * while the head is used; a built head (exo_wire_message, exo_wire_register) points at the
 * caller's strings; encoding writes into a caller buffer. Reentrant; no state.
 */
#ifndef EXO_ZMQ_WIRE_H
#define EXO_ZMQ_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXO_WIRE_VERSION 5     /* what this codec writes by default */
#define EXO_WIRE_VERSION_BATCH 5 /* the first that has batches ('K') */
#define EXO_WIRE_BATCH 'K'
#define EXO_WIRE_BATCH_HEAD 2    /* version + 'K' */
#define EXO_WIRE_BATCH_LEN 4     /* u32 length in front of each frame of a batch */
#define EXO_WIRE_VERSION_AUTH 4 /* the first whose 'R' carries a credential */
#define EXO_WIRE_VERSION_MIN 2 /* the oldest it still reads and writes (no 'via' field) */
#define EXO_WIRE_MAX_FIELDS 6
#define EXO_WIRE_VIA_MAX 255
#define EXO_WIRE_NAME_MAX 255
#define EXO_WIRE_ID_MAX 64
#define EXO_WIRE_ROLE_MAX 255
#define EXO_WIRE_AUTH_MAX 65535
#define EXO_WIRE_CREDENTIAL_MAX 128

/* The broker's own messages: errors it sends, under its own sender name. */
#define EXO_WIRE_ERROR_NAME "exo.error"
#define EXO_WIRE_BUS_SENDER "exo"

/* Frame types (byte 1 of the head). */
#define EXO_WIRE_REGISTER 'R'
#define EXO_WIRE_REGISTERED 'A'
#define EXO_WIRE_MESSAGE 'M'
#define EXO_WIRE_PING 'P'
#define EXO_WIRE_PONG 'O'
#define EXO_WIRE_NOT_REGISTERED 'N'
#define EXO_WIRE_BYE 'B'

/* Field indexes of a message head. */
enum { EXO_WIRE_F_NAME = 0, EXO_WIRE_F_ID, EXO_WIRE_F_ACTIVITY, EXO_WIRE_F_SENDER,
       EXO_WIRE_F_AUTH, EXO_WIRE_F_VIA /* protocol 3 */ };
/* Field indexes of a register head. */
enum { EXO_WIRE_F_ROLE = 0, EXO_WIRE_F_LABEL, EXO_WIRE_F_FLAGS,
       EXO_WIRE_F_CREDENTIAL /* protocol 4 */ };

/* Decode results; 0 is success. */
enum {
    EXO_WIRE_OK = 0,
    EXO_WIRE_ESHORT = -1,     /* shorter than the 2-byte prefix or a field's length */
    EXO_WIRE_EVERSION = -2,   /* unknown protocol version */
    EXO_WIRE_ETYPE = -3,      /* unknown type */
    EXO_WIRE_ETRAILING = -4,  /* bytes after the last field (types other than 'M') */
    EXO_WIRE_ELENGTH = -5,    /* a field is empty or too long for its kind */
    EXO_WIRE_EFIELD = -6,     /* id/activity/role/label/flags contain forbidden bytes */
    EXO_WIRE_ENAME = -7       /* the name is not valid UTF-8 or has control characters */
};

typedef struct exo_wire_str {
    const char *p; /* not NUL-terminated */
    size_t len;
} exo_wire_str_t;

typedef struct exo_wire_head {
    unsigned char version; /* 0 = EXO_WIRE_VERSION; decoded frames carry theirs */
    char type;
    unsigned n_fields;
    exo_wire_str_t f[EXO_WIRE_MAX_FIELDS];
    exo_wire_str_t payload; /* 'M' only: the bytes after the head (may be empty) */
} exo_wire_head_t;

/** Fields a type carries in the current protocol, or -1 for an unknown type. */
int exo_wire_field_count(char type);
/** Fields a type carries in protocol @p version (2 or 3), or -1. */
int exo_wire_field_count_v(unsigned version, char type);
/** Decode and validate a frame (head, and for 'M' the payload span after it). Returns
 *  EXO_WIRE_OK or a negative EXO_WIRE_E*. */
int exo_wire_decode(const void *buf, size_t len, exo_wire_head_t *out);
/** Decode without the content rules (UTF-8, printable ids, lengths per kind): only the
 *  structure, so every field still lies inside @p buf. For frames from the broker, which
 *  applied the rules when it received them. */
int exo_wire_decode_trusted(const void *buf, size_t len, exo_wire_head_t *out);
/** exo_wire_decode, but the name of an 'M' is not checked for UTF-8 and control characters
 *  (everything else is): for the broker, which checks a name only when it is not already in
 *  its routing table (names there were checked when they got in). The caller must call
 *  exo_wire_name_ok on any other name and treat false as EXO_WIRE_ENAME. */
int exo_wire_decode_name_unchecked(const void *buf, size_t len, exo_wire_head_t *out);
/** Whether [buf, buf+len) is a batch ('K' of protocol 5 or later): frames, each a u32 length
 *  (big endian) + the frame. */
bool exo_wire_is_batch(const void *buf, size_t len);
/** The next frame of a batch: *pos is 0 at the start. Returns 1 and the frame, 0 at the end,
 *  or EXO_WIRE_ESHORT (a length past the end, or an empty frame): the rest is unreadable. */
int exo_wire_batch_next(const void *buf, size_t len, size_t *pos, const void **frame,
                        size_t *flen);
/** Append frame @p h to the batch in @p buf (@p len bytes so far, 0 for a new batch: the
 *  batch's head, version @p version and 'K', is written first). Returns the new length, or 0
 *  when it does not fit in @p cap or @p h cannot be encoded. exo_wire_batch_size tells what
 *  appending needs. */
size_t exo_wire_batch_append(void *buf, size_t cap, size_t len, unsigned version,
                             const exo_wire_head_t *h);
/** Bytes appending @p h to a batch of @p len bytes needs in all. */
size_t exo_wire_batch_size(size_t len, const exo_wire_head_t *h);
/** Bytes of the head of @p h alone (without the payload). */
size_t exo_wire_head_size(const exo_wire_head_t *h);
/** Bytes exo_wire_encode needs for @p h (head, and for 'M' its payload). */
size_t exo_wire_size(const exo_wire_head_t *h);
/** Encode @p h (for 'M' with h->payload) into @p buf (at least exo_wire_size() bytes). Returns
 *  the length written, or 0 when a field is longer than 65535 bytes or the type is unknown. */
size_t exo_wire_encode(void *buf, size_t cap, const exo_wire_head_t *h);
/** True when [p, p+len) is valid UTF-8 (no overlongs, surrogates or values > U+10FFFF) and has
 *  no control characters. */
bool exo_wire_name_ok(const char *p, size_t len);
/**
 * The head of a message ('M') a client sends: @p name, @p id, @p activity, @p auth (NULL: none)
 * and the @p payload_len bytes at @p payload (NULL: none). The sender and via fields stay empty
 * (the broker fills the sender; a client copies via from the message it handles). The head points at the caller's strings: nothing is copied or allocated.
 */
exo_wire_head_t exo_wire_message(const char *name, const char *id, const char *activity,
                                 const char *auth, const char *payload, size_t payload_len);
/** The head of a registration ('R') as @p role, with a free-text @p label; a @p transient
 *  instance (a CLI client) never takes a share of its role's messages. @p credential (NULL:
 *  none) is the role's secret or the run's user token (docs/protocol.md). Points at the
 *  caller's strings. */
exo_wire_head_t exo_wire_register(const char *role, const char *label, bool transient,
                                  const char *credential);
/** Short English text for a decode result. */
const char *exo_wire_strerror(int code);

static inline exo_wire_str_t exo_wire_s(const char *s)
{
    exo_wire_str_t r = {s ? s : "", 0};
    if (s != NULL) {
        while (s[r.len] != '\0') {
            r.len++;
        }
    }
    return r;
}

#endif /* EXO_ZMQ_WIRE_H */
