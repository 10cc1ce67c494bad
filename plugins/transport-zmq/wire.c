/* wire.c - frame codec of the bus protocol; see wire.h and docs/protocol.md. */
#include "config.h"

#include <string.h>

#include "wire.h"

int exo_wire_field_count(char type)
{
    return exo_wire_field_count_v(EXO_WIRE_VERSION, type);
}

int exo_wire_field_count_v(unsigned version, char type)
{
    if (version < EXO_WIRE_VERSION_MIN || version > EXO_WIRE_VERSION) {
        return -1;
    }
    switch (type) {
    case EXO_WIRE_REGISTER:
        return version >= EXO_WIRE_VERSION_AUTH ? 4 : 3;
    case EXO_WIRE_REGISTERED:
        return 2;
    case EXO_WIRE_MESSAGE:
        return version >= 3 ? 6 : 5;
    case EXO_WIRE_NOT_REGISTERED:
        return 1;
    case EXO_WIRE_PING:
    case EXO_WIRE_PONG:
    case EXO_WIRE_BYE:
        return 0;
    default:
        return -1;
    }
}

bool exo_wire_name_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
            i++;
            continue;
        }
        unsigned need, cp, min;
        if ((c & 0xe0) == 0xc0) {
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (len - i <= need) {
            return false;
        }
        for (unsigned k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            (cp >= 0x80 && cp < 0xa0)) {
            return false;
        }
        i += need + 1;
    }
    return true;
}

static bool token_ok(const exo_wire_str_t *s)
{
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->p[i];
        if (c < 0x21 || c > 0x7e) {
            return false;
        }
    }
    return true;
}

/* Free text (labels, reasons, roles) only needs to be UTF-8 without NUL. */
static bool text_ok(const exo_wire_str_t *s)
{
    return memchr(s->p, '\0', s->len) == NULL && exo_wire_name_ok(s->p, s->len);
}

static int check_message(const exo_wire_head_t *h, bool check_name)
{
    const exo_wire_str_t *f = h->f;
    if (f[EXO_WIRE_F_NAME].len == 0 || f[EXO_WIRE_F_NAME].len > EXO_WIRE_NAME_MAX ||
        f[EXO_WIRE_F_ID].len == 0 || f[EXO_WIRE_F_ID].len > EXO_WIRE_ID_MAX ||
        f[EXO_WIRE_F_ACTIVITY].len == 0 || f[EXO_WIRE_F_ACTIVITY].len > EXO_WIRE_ID_MAX ||
        f[EXO_WIRE_F_SENDER].len > EXO_WIRE_ROLE_MAX || f[EXO_WIRE_F_VIA].len > EXO_WIRE_VIA_MAX) {
        return EXO_WIRE_ELENGTH;
    }
    if (!token_ok(&f[EXO_WIRE_F_ID]) || !token_ok(&f[EXO_WIRE_F_ACTIVITY]) ||
        !token_ok(&f[EXO_WIRE_F_VIA]) ||
        !text_ok(&f[EXO_WIRE_F_SENDER])) {
        return EXO_WIRE_EFIELD;
    }
    if (check_name && !exo_wire_name_ok(f[EXO_WIRE_F_NAME].p, f[EXO_WIRE_F_NAME].len)) {
        return EXO_WIRE_ENAME;
    }
    return EXO_WIRE_OK;
}

/* The structure only: version, type, field lengths inside the frame, no trailing bytes. */
static int decode_frame(const void *buf, size_t len, exo_wire_head_t *out)
{
    const unsigned char *p = buf;
    memset(out, 0, sizeof *out);
    if (len < 2) {
        return EXO_WIRE_ESHORT;
    }
    if (p[0] < EXO_WIRE_VERSION_MIN || p[0] > EXO_WIRE_VERSION) {
        return EXO_WIRE_EVERSION;
    }
    int n = exo_wire_field_count_v(p[0], (char)p[1]);
    if (n < 0) {
        return EXO_WIRE_ETYPE;
    }
    out->version = p[0];
    out->type = (char)p[1];
    size_t pos = 2;
    for (int i = 0; i < n; i++) {
        if (len - pos < 2) {
            return EXO_WIRE_ESHORT;
        }
        size_t flen = ((size_t)p[pos] << 8) | p[pos + 1];
        pos += 2;
        if (len - pos < flen) {
            return EXO_WIRE_ESHORT;
        }
        out->f[i].p = (const char *)p + pos;
        out->f[i].len = flen;
        pos += flen;
    }
    out->n_fields = (unsigned)n;
    if (out->type == EXO_WIRE_MESSAGE) {
        out->payload.p = (const char *)p + pos;
        out->payload.len = len - pos;
    } else if (pos != len) {
        return EXO_WIRE_ETRAILING;
    }
    return EXO_WIRE_OK;
}

bool exo_wire_is_batch(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    return len >= EXO_WIRE_BATCH_HEAD && p[0] >= EXO_WIRE_VERSION_BATCH &&
           p[0] <= EXO_WIRE_VERSION && p[1] == EXO_WIRE_BATCH;
}

int exo_wire_batch_next(const void *buf, size_t len, size_t *pos, const void **frame,
                        size_t *flen)
{
    const unsigned char *p = buf;
    size_t at = *pos < EXO_WIRE_BATCH_HEAD ? EXO_WIRE_BATCH_HEAD : *pos;
    if (at >= len) {
        return 0;
    }
    if (len - at < EXO_WIRE_BATCH_LEN) {
        return EXO_WIRE_ESHORT;
    }
    size_t n = ((size_t)p[at] << 24) | ((size_t)p[at + 1] << 16) | ((size_t)p[at + 2] << 8) |
               p[at + 3];
    at += EXO_WIRE_BATCH_LEN;
    if (n == 0 || len - at < n) {
        return EXO_WIRE_ESHORT;
    }
    *frame = p + at;
    *flen = n;
    *pos = at + n;
    return 1;
}

size_t exo_wire_batch_size(size_t len, const exo_wire_head_t *h)
{
    return (len ? len : EXO_WIRE_BATCH_HEAD) + EXO_WIRE_BATCH_LEN + exo_wire_size(h);
}

size_t exo_wire_batch_append(void *buf, size_t cap, size_t len, unsigned version,
                             const exo_wire_head_t *h)
{
    unsigned char *p = buf;
    if (exo_wire_batch_size(len, h) > cap) {
        return 0;
    }
    if (len == 0) {
        p[0] = (unsigned char)version;
        p[1] = EXO_WIRE_BATCH;
        len = EXO_WIRE_BATCH_HEAD;
    }
    size_t n = exo_wire_encode(p + len + EXO_WIRE_BATCH_LEN, cap - len - EXO_WIRE_BATCH_LEN, h);
    if (n == 0 || n > 0xffffffffu) {
        return 0;
    }
    p[len] = (unsigned char)(n >> 24);
    p[len + 1] = (unsigned char)(n >> 16);
    p[len + 2] = (unsigned char)(n >> 8);
    p[len + 3] = (unsigned char)n;
    return len + EXO_WIRE_BATCH_LEN + n;
}

int exo_wire_decode_trusted(const void *buf, size_t len, exo_wire_head_t *out)
{
    return decode_frame(buf, len, out);
}

static int decode_checked(const void *buf, size_t len, exo_wire_head_t *out, bool check_name)
{
    int rc = decode_frame(buf, len, out);
    if (rc != EXO_WIRE_OK) {
        return rc;
    }
    int n = (int)out->n_fields;
    switch (out->type) {
    case EXO_WIRE_MESSAGE:
        return check_message(out, check_name);
    case EXO_WIRE_REGISTER:
        if (out->f[EXO_WIRE_F_ROLE].len == 0 || out->f[EXO_WIRE_F_ROLE].len > EXO_WIRE_ROLE_MAX
            || out->f[EXO_WIRE_F_LABEL].len > EXO_WIRE_ROLE_MAX ||
            out->f[EXO_WIRE_F_FLAGS].len > EXO_WIRE_ROLE_MAX ||
            out->f[EXO_WIRE_F_CREDENTIAL].len > EXO_WIRE_CREDENTIAL_MAX) {
            return EXO_WIRE_ELENGTH;
        }
        if (!text_ok(&out->f[0]) || !text_ok(&out->f[1]) || !token_ok(&out->f[2]) ||
            !token_ok(&out->f[EXO_WIRE_F_CREDENTIAL])) {
            return EXO_WIRE_EFIELD;
        }
        return EXO_WIRE_OK;
    default:
        for (int i = 0; i < n; i++) {
            if (!text_ok(&out->f[i])) {
                return EXO_WIRE_EFIELD;
            }
        }
        return EXO_WIRE_OK;
    }
}

int exo_wire_decode(const void *buf, size_t len, exo_wire_head_t *out)
{
    return decode_checked(buf, len, out, true);
}

int exo_wire_decode_name_unchecked(const void *buf, size_t len, exo_wire_head_t *out)
{
    return decode_checked(buf, len, out, false);
}

static unsigned version_of(const exo_wire_head_t *h)
{
    return h->version != 0 ? h->version : EXO_WIRE_VERSION;
}

size_t exo_wire_head_size(const exo_wire_head_t *h)
{
    int n = exo_wire_field_count_v(version_of(h), h->type);
    size_t len = 2;
    for (int i = 0; i < n; i++) {
        len += 2 + h->f[i].len;
    }
    return len;
}

size_t exo_wire_size(const exo_wire_head_t *h)
{
    return exo_wire_head_size(h) + (h->type == EXO_WIRE_MESSAGE ? h->payload.len : 0);
}

size_t exo_wire_encode(void *buf, size_t cap, const exo_wire_head_t *h)
{
    int n = exo_wire_field_count_v(version_of(h), h->type);
    size_t need = exo_wire_size(h);
    if (n < 0 || need > cap) {
        return 0;
    }
    unsigned char *p = buf;
    p[0] = (unsigned char)version_of(h);
    p[1] = (unsigned char)h->type;
    size_t pos = 2;
    for (int i = 0; i < n; i++) {
        size_t flen = h->f[i].len;
        if (flen > 0xffff) {
            return 0;
        }
        p[pos] = (unsigned char)(flen >> 8);
        p[pos + 1] = (unsigned char)(flen & 0xff);
        if (flen > 0) {
            memcpy(p + pos + 2, h->f[i].p, flen);
        }
        pos += 2 + flen;
    }
    if (h->type == EXO_WIRE_MESSAGE && h->payload.len > 0) {
        memcpy(p + pos, h->payload.p, h->payload.len);
        pos += h->payload.len;
    }
    return pos;
}

exo_wire_head_t exo_wire_message(const char *name, const char *id, const char *activity,
                                 const char *auth, const char *payload, size_t payload_len)
{
    exo_wire_head_t h = {.version = EXO_WIRE_VERSION, .type = EXO_WIRE_MESSAGE, .n_fields = 6};
    h.f[EXO_WIRE_F_NAME] = exo_wire_s(name);
    h.f[EXO_WIRE_F_ID] = exo_wire_s(id);
    h.f[EXO_WIRE_F_ACTIVITY] = exo_wire_s(activity);
    h.f[EXO_WIRE_F_SENDER] = exo_wire_s(NULL);
    h.f[EXO_WIRE_F_AUTH] = exo_wire_s(auth);
    h.payload.p = payload != NULL ? payload : "";
    h.payload.len = payload != NULL ? payload_len : 0;
    return h;
}

exo_wire_head_t exo_wire_register(const char *role, const char *label, bool transient,
                                  const char *credential)
{
    exo_wire_head_t h = {.type = EXO_WIRE_REGISTER, .n_fields = 4};
    h.f[EXO_WIRE_F_ROLE] = exo_wire_s(role);
    h.f[EXO_WIRE_F_LABEL] = exo_wire_s(label);
    h.f[EXO_WIRE_F_FLAGS] = exo_wire_s(transient ? "transient" : NULL);
    h.f[EXO_WIRE_F_CREDENTIAL] = exo_wire_s(credential);
    return h;
}

const char *exo_wire_strerror(int code)
{
    switch (code) {
    case EXO_WIRE_OK:
        return "ok";
    case EXO_WIRE_ESHORT:
        return "frame ends inside a field (truncated or bad length)";
    case EXO_WIRE_EVERSION:
        return "unknown protocol version (expected 2 to 5)";
    case EXO_WIRE_ETYPE:
        return "unknown frame type";
    case EXO_WIRE_ETRAILING:
        return "bytes after the last field";
    case EXO_WIRE_ELENGTH:
        return "a field is empty or too long";
    case EXO_WIRE_EFIELD:
        return "a field contains forbidden bytes";
    case EXO_WIRE_ENAME:
        return "message name is not valid UTF-8 or contains control characters";
    default:
        return "unknown error";
    }
}
