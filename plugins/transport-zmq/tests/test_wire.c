/* tests/test_wire.c - the frame codec (protocol 5; 2 to 4 still read and written): round trips
 * and every malformed case. */
#include "config.h"

#include <string.h>

#include "../wire.h"
#include "../../../tests/support/cunit_main.h"

static size_t enc(unsigned char *buf, size_t cap, char type, const char *f0, const char *f1,
                  const char *f2, const char *f3, const char *f4)
{
    exo_wire_head_t h = {.type = type};
    const char *f[5] = {f0, f1, f2, f3, f4};
    for (int i = 0; i < 5; i++) {
        h.f[i] = exo_wire_s(f[i]);
    }
    return exo_wire_encode(buf, cap, &h);
}

static int dec(const unsigned char *buf, size_t len)
{
    exo_wire_head_t h;
    return exo_wire_decode(buf, len, &h);
}

static void test_message_round_trip(void)
{
    unsigned char buf[256];
    size_t n = enc(buf, sizeof buf, 'M', "users create", "id1", "act1", "web", "{\"u\":1}");
    CU_ASSERT_EQUAL(n, 2 + 6 * 2 + 12 + 3 + 4 + 3 + 7);
    exo_wire_head_t h;
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n, &h), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(h.type, 'M');
    CU_ASSERT_EQUAL(h.version, 5);
    CU_ASSERT_EQUAL(h.n_fields, 6);
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_VIA].len, 0);
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_NAME].len, 12);
    CU_ASSERT(memcmp(h.f[EXO_WIRE_F_NAME].p, "users create", 12) == 0);
    CU_ASSERT(memcmp(h.f[EXO_WIRE_F_AUTH].p, "{\"u\":1}", 7) == 0);
    CU_ASSERT_EQUAL(exo_wire_size(&h), n);
    CU_ASSERT_EQUAL(h.payload.len, 0);
}

/* Protocol 2: the payload is the rest of the frame after the head, never parsed. */
static void test_message_with_payload(void)
{
    unsigned char buf[256];
    exo_wire_head_t h = {.type = 'M'};
    h.f[EXO_WIRE_F_NAME] = exo_wire_s("users.list");
    h.f[EXO_WIRE_F_ID] = exo_wire_s("i1");
    h.f[EXO_WIRE_F_ACTIVITY] = exo_wire_s("a1");
    h.payload = (exo_wire_str_t){"{\"p\":1}\0x", 9}; /* bytes, not checked */
    size_t head = exo_wire_head_size(&h);
    CU_ASSERT_EQUAL(head, 2 + 6 * 2 + 10 + 2 + 2);
    CU_ASSERT_EQUAL(exo_wire_size(&h), head + 9);
    size_t n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL(n, head + 9);
    CU_ASSERT_EQUAL(exo_wire_encode(buf, n - 1, &h), 0); /* no room for the payload */
    exo_wire_head_t d;
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n, &d), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(d.payload.len, 9);
    CU_ASSERT_PTR_EQUAL(d.payload.p, (const char *)buf + head);
    CU_ASSERT(memcmp(d.payload.p, "{\"p\":1}\0x", 9) == 0);
    /* every shorter cut of the payload is still a message, with that much payload */
    CU_ASSERT_EQUAL(exo_wire_decode(buf, head + 3, &d), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(d.payload.len, 3);
    /* other types ignore a payload when encoding and refuse one when decoding */
    h.type = 'P';
    CU_ASSERT_EQUAL(exo_wire_encode(buf, sizeof buf, &h), 2);
    buf[2] = 'x';
    CU_ASSERT_EQUAL(dec(buf, 3), EXO_WIRE_ETRAILING);
}

static void test_other_types_round_trip(void)
{
    unsigned char buf[64];
    const char types[] = {'R', 'A', 'P', 'O', 'N', 'B'};
    for (size_t i = 0; i < sizeof types; i++) {
        size_t n = enc(buf, sizeof buf, types[i], "web", "1", "", NULL, NULL);
        CU_ASSERT(n >= 2);
        CU_ASSERT_EQUAL(dec(buf, n), EXO_WIRE_OK);
    }
    CU_ASSERT_EQUAL(enc(buf, sizeof buf, 'Z', "x", NULL, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL(enc(buf, 4, 'M', "name", "i", "a", "", ""), 0); /* too small */
}

static void test_short_and_bad_prefix(void)
{
    unsigned char buf[64] = {0};
    CU_ASSERT_EQUAL(dec(buf, 0), EXO_WIRE_ESHORT);
    buf[0] = 1;
    CU_ASSERT_EQUAL(dec(buf, 1), EXO_WIRE_ESHORT);
    buf[0] = 1, buf[1] = 'P'; /* protocol 1 */
    CU_ASSERT_EQUAL(dec(buf, 2), EXO_WIRE_EVERSION);
    buf[0] = 6;
    CU_ASSERT_EQUAL(dec(buf, 2), EXO_WIRE_EVERSION);
    buf[0] = 0;
    CU_ASSERT_EQUAL(dec(buf, 2), EXO_WIRE_EVERSION);
    buf[0] = 2, buf[1] = 'm';
    CU_ASSERT_EQUAL(dec(buf, 2), EXO_WIRE_ETYPE);
    buf[1] = 'P';
    CU_ASSERT_EQUAL(dec(buf, 2), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(dec(buf, 3), EXO_WIRE_ETRAILING);
}

static void test_truncated_fields(void)
{
    unsigned char buf[128];
    size_t n = enc(buf, sizeof buf, 'M', "users.list", "i", "a", "", "");
    for (size_t cut = 2; cut < n; cut++) {
        CU_ASSERT_EQUAL(dec(buf, cut), EXO_WIRE_ESHORT);
    }
    /* a length larger than what is left */
    buf[2] = 0xff;
    CU_ASSERT_EQUAL(dec(buf, n), EXO_WIRE_ESHORT);
}

static void test_field_rules(void)
{
    unsigned char buf[512];
    char long_id[70];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct { const char *name, *id, *act, *sender; int want; } cases[] = {
        {"", "i", "a", "", EXO_WIRE_ELENGTH},
        {long_name, "i", "a", "", EXO_WIRE_ELENGTH},
        {"n", "", "a", "", EXO_WIRE_ELENGTH},
        {"n", "i", "", "", EXO_WIRE_ELENGTH},
        {"n", long_id, "a", "", EXO_WIRE_ELENGTH},
        {"n", "i", long_id, "", EXO_WIRE_ELENGTH},
        {"n", "i d", "a", "", EXO_WIRE_EFIELD},
        {"n", "i", "a\tb", "", EXO_WIRE_EFIELD},
        {"n", "i", "a", "bad\xff", EXO_WIRE_EFIELD},
        {"users\x01", "i", "a", "", EXO_WIRE_ENAME},
        {"users\x7f", "i", "a", "", EXO_WIRE_ENAME},
        {"a\xc3", "i", "a", "", EXO_WIRE_ENAME},          /* cut sequence */
        {"\xc0\xaf", "i", "a", "", EXO_WIRE_ENAME},       /* overlong */
        {"\xed\xa0\x80", "i", "a", "", EXO_WIRE_ENAME},   /* surrogate */
        {"\xf4\x90\x80\x80", "i", "a", "", EXO_WIRE_ENAME}, /* > U+10FFFF */
        {"\xff", "i", "a", "", EXO_WIRE_ENAME},
        {"\xc2\x85", "i", "a", "", EXO_WIRE_ENAME},       /* C1 control */
        {"caf\xc3\xa9 cr\xc3\xa8me \xf0\x9f\x8d\xb0", "i", "a", "", EXO_WIRE_OK},
        {"users list.v2", "i-1", "act:9", "web", EXO_WIRE_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = enc(buf, sizeof buf, 'M', cases[i].name, cases[i].id, cases[i].act,
                       cases[i].sender, "");
        CU_ASSERT_FATAL(n > 0);
        int got = dec(buf, n);
        if (got != cases[i].want) {
            fprintf(stderr, "case %zu: got %d want %d\n", i, got, cases[i].want);
        }
        CU_ASSERT_EQUAL(got, cases[i].want);
    }
    /* register: empty role, bad flags, NUL in label */
    size_t n = enc(buf, sizeof buf, 'R', "", "l", "", NULL, NULL);
    CU_ASSERT_EQUAL(dec(buf, n), EXO_WIRE_ELENGTH);
    n = enc(buf, sizeof buf, 'R', "web", "l", "trans ient", NULL, NULL);
    CU_ASSERT_EQUAL(dec(buf, n), EXO_WIRE_EFIELD);
    exo_wire_head_t h = {.type = 'R'};
    h.f[0] = exo_wire_s("web");
    h.f[1] = (exo_wire_str_t){"a\0b", 3};
    n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL(dec(buf, n), EXO_WIRE_EFIELD);
    h.type = 'N';
    h.f[0] = h.f[1];
    n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL(dec(buf, n), EXO_WIRE_EFIELD);
}

/* The SDKs' decoder for broker frames: structure only, content rules skipped. */
static void test_trusted_decode(void)
{
    unsigned char buf[128];
    exo_wire_head_t h;
    size_t n = enc(buf, sizeof buf, 'M', "users.\xff", "i d", "a", "", "");
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n, &h), EXO_WIRE_EFIELD);
    CU_ASSERT_EQUAL(exo_wire_decode_trusted(buf, n, &h), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_NAME].len, 7);
    for (size_t cut = 2; cut < n; cut++) {
        CU_ASSERT_EQUAL(exo_wire_decode_trusted(buf, cut, &h), EXO_WIRE_ESHORT);
    }
    buf[0] = 1;
    CU_ASSERT_EQUAL(exo_wire_decode_trusted(buf, n, &h), EXO_WIRE_EVERSION);
    n = enc(buf, sizeof buf, 'P', NULL, NULL, NULL, NULL, NULL);
    buf[n] = 'x';
    CU_ASSERT_EQUAL(exo_wire_decode_trusted(buf, n + 1, &h), EXO_WIRE_ETRAILING);
}

/* The broker's decoder: every rule but the name's, which it checks only for names not already
 * in its routing table. */
static void test_name_unchecked_decode(void)
{
    unsigned char buf[128];
    exo_wire_head_t h;
    size_t n = enc(buf, sizeof buf, 'M', "users.\x01\xff", "id", "a", "", "");
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n, &h), EXO_WIRE_ENAME);
    CU_ASSERT_EQUAL(exo_wire_decode_name_unchecked(buf, n, &h), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_NAME].len, 8);
    /* the other fields' rules still apply */
    n = enc(buf, sizeof buf, 'M', "users.\x01", "i d", "a", "", "");
    CU_ASSERT_EQUAL(exo_wire_decode_name_unchecked(buf, n, &h), EXO_WIRE_EFIELD);
    n = enc(buf, sizeof buf, 'M', "", "id", "a", "", "");
    CU_ASSERT_EQUAL(exo_wire_decode_name_unchecked(buf, n, &h), EXO_WIRE_ELENGTH);
    n = enc(buf, sizeof buf, 'R', "we\x01b", "label", "", "", "");
    CU_ASSERT_EQUAL(exo_wire_decode_name_unchecked(buf, n, &h), EXO_WIRE_EFIELD);
}

/* Protocol 5 batches: frames each behind a u32 length; a bad length ends the batch. */
static void test_batch_frames(void)
{
    unsigned char b[64] = {5, 'K', 0, 0, 0, 2, 5, 'P', 0, 0, 0, 3, 5, 'N', 0};
    size_t len = 15, pos = 0, flen;
    const void *f;
    CU_ASSERT_TRUE(exo_wire_is_batch(b, len));
    CU_ASSERT_EQUAL(exo_wire_batch_next(b, len, &pos, &f, &flen), 1);
    CU_ASSERT_EQUAL(flen, 2);
    CU_ASSERT_PTR_EQUAL(f, b + 6);
    CU_ASSERT_EQUAL(exo_wire_batch_next(b, len, &pos, &f, &flen), 1);
    CU_ASSERT_EQUAL(flen, 3);
    CU_ASSERT_PTR_EQUAL(f, b + 12);
    CU_ASSERT_EQUAL(exo_wire_batch_next(b, len, &pos, &f, &flen), 0);
    /* an empty batch has no frames */
    pos = 0;
    CU_ASSERT_EQUAL(exo_wire_batch_next(b, 2, &pos, &f, &flen), 0);
    /* a length past the end, a cut length, an empty frame */
    for (size_t cut = 3; cut < len; cut++) {
        pos = 6 + 2;
        if (cut < pos) {
            continue;
        }
        int rc = exo_wire_batch_next(b, cut, &pos, &f, &flen);
        CU_ASSERT(cut == 8 ? rc == 0 : rc == EXO_WIRE_ESHORT);
    }
    unsigned char empty[] = {5, 'K', 0, 0, 0, 0};
    pos = 0;
    CU_ASSERT_EQUAL(exo_wire_batch_next(empty, sizeof empty, &pos, &f, &flen), EXO_WIRE_ESHORT);
    /* not batches: older versions, other types, too short */
    unsigned char v4[] = {4, 'K'}, m[] = {5, 'M'};
    CU_ASSERT_FALSE(exo_wire_is_batch(v4, 2));
    CU_ASSERT_FALSE(exo_wire_is_batch(m, 2));
    CU_ASSERT_FALSE(exo_wire_is_batch(b, 1));
    /* a batch is not a frame the decoder knows */
    exo_wire_head_t h;
    CU_ASSERT_EQUAL(exo_wire_decode(b, len, &h), EXO_WIRE_ETYPE);
    /* built with exo_wire_batch_append, read back in order */
    unsigned char out[256];
    exo_wire_head_t m1 = exo_wire_message("a.b", "i1", "x1", NULL, "{}", 2);
    exo_wire_head_t p = {.type = EXO_WIRE_PING};
    size_t n = exo_wire_batch_append(out, sizeof out, 0, 5, &m1);
    CU_ASSERT_EQUAL(n, exo_wire_batch_size(0, &m1));
    n = exo_wire_batch_append(out, sizeof out, n, 5, &p);
    CU_ASSERT_EQUAL(n, 2 + 4 + exo_wire_size(&m1) + 4 + 2);
    CU_ASSERT_TRUE(exo_wire_is_batch(out, n));
    pos = 0;
    CU_ASSERT_EQUAL_FATAL(exo_wire_batch_next(out, n, &pos, &f, &flen), 1);
    CU_ASSERT_EQUAL_FATAL(exo_wire_decode(f, flen, &h), EXO_WIRE_OK);
    CU_ASSERT(h.type == 'M' && h.version == 5 && h.payload.len == 2);
    CU_ASSERT_EQUAL_FATAL(exo_wire_batch_next(out, n, &pos, &f, &flen), 1);
    CU_ASSERT_EQUAL_FATAL(exo_wire_decode(f, flen, &h), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(h.type, 'P');
    CU_ASSERT_EQUAL(exo_wire_batch_next(out, n, &pos, &f, &flen), 0);
    /* what does not fit is refused, nothing written past cap */
    CU_ASSERT_EQUAL(exo_wire_batch_append(out, n + 3, n, 5, &p), 0);
}

static void test_strerror_names_every_code(void)
{
    for (int c = 0; c >= EXO_WIRE_ENAME; c--) {
        CU_ASSERT_STRING_NOT_EQUAL(exo_wire_strerror(c), "unknown error");
    }
    CU_ASSERT_STRING_EQUAL(exo_wire_strerror(-99), "unknown error");
}

/* The heads clients build: what they encode decodes to the same fields. */
static void test_built_heads(void)
{
    unsigned char buf[256];
    exo_wire_head_t h = exo_wire_message("users.list", "i1", "a1", "{\"u\":1}", "[1]", 3);
    CU_ASSERT_EQUAL(h.type, EXO_WIRE_MESSAGE);
    size_t n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_NOT_EQUAL_FATAL(n, 0);
    exo_wire_head_t d;
    CU_ASSERT_EQUAL_FATAL(exo_wire_decode(buf, n, &d), EXO_WIRE_OK);
    CU_ASSERT(d.f[EXO_WIRE_F_NAME].len == 10 && !memcmp(d.f[EXO_WIRE_F_NAME].p, "users.list", 10));
    CU_ASSERT(d.f[EXO_WIRE_F_ACTIVITY].len == 2 && !memcmp(d.f[EXO_WIRE_F_ACTIVITY].p, "a1", 2));
    CU_ASSERT_EQUAL(d.f[EXO_WIRE_F_SENDER].len, 0);
    CU_ASSERT_EQUAL(d.f[EXO_WIRE_F_AUTH].len, 7);
    CU_ASSERT(d.payload.len == 3 && !memcmp(d.payload.p, "[1]", 3));

    h = exo_wire_message("n", "i", "a", NULL, NULL, 5); /* no payload: its length is ignored */
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_AUTH].len, 0);
    CU_ASSERT_EQUAL(h.payload.len, 0);
    CU_ASSERT_EQUAL(exo_wire_size(&h), exo_wire_head_size(&h));

    h = exo_wire_register("web", "host:1", true, "0123abcd");
    n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL_FATAL(exo_wire_decode(buf, n, &d), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(d.type, EXO_WIRE_REGISTER);
    CU_ASSERT_EQUAL(d.version, 5);
    CU_ASSERT(d.f[EXO_WIRE_F_FLAGS].len == 9 && !memcmp(d.f[EXO_WIRE_F_FLAGS].p, "transient", 9));
    CU_ASSERT(d.f[EXO_WIRE_F_CREDENTIAL].len == 8 &&
              !memcmp(d.f[EXO_WIRE_F_CREDENTIAL].p, "0123abcd", 8));
    h = exo_wire_register("web", "host:1", false, NULL);
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_FLAGS].len, 0);
    CU_ASSERT_EQUAL(h.f[EXO_WIRE_F_CREDENTIAL].len, 0);
    /* A credential is a printable token: a space or a control byte is refused. */
    h = exo_wire_register("web", "host:1", false, "ab cd");
    n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n, &d), EXO_WIRE_EFIELD);
    /* Protocol 3's register has no credential field: still decoded (the broker refuses it
     * with a clear error). */
    h = exo_wire_register("web", "host:1", false, NULL);
    h.version = 3;
    n = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL_FATAL(exo_wire_decode(buf, n, &d), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(d.n_fields, 3);
}

/* Protocol 2 (no via) is still read, and written when a head says so: old clients keep
 * working. Protocol 3 carries via, a token field of at most 255 bytes. */
static void test_versions_and_via(void)
{
    unsigned char buf[512];
    exo_wire_head_t h = exo_wire_message("users.list", "i1", "a1", NULL, "{}", 2);
    h.f[EXO_WIRE_F_VIA] = exo_wire_s("0.7,2.9");
    size_t n3 = exo_wire_encode(buf, sizeof buf, &h);
    exo_wire_head_t d;
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n3, &d), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(d.version, 5);
    CU_ASSERT(d.f[EXO_WIRE_F_VIA].len == 7 && memcmp(d.f[EXO_WIRE_F_VIA].p, "0.7,2.9", 7) == 0);
    CU_ASSERT(d.payload.len == 2 && memcmp(d.payload.p, "{}", 2) == 0);
    h.version = 2; /* the same message for an old client: via is left out */
    size_t n2 = exo_wire_encode(buf, sizeof buf, &h);
    CU_ASSERT_EQUAL(n2, n3 - 2 - 7);
    CU_ASSERT_EQUAL(buf[0], 2);
    CU_ASSERT_EQUAL(exo_wire_decode(buf, n2, &d), EXO_WIRE_OK);
    CU_ASSERT_EQUAL(d.version, 2);
    CU_ASSERT_EQUAL(d.n_fields, 5);
    CU_ASSERT_EQUAL(d.f[EXO_WIRE_F_VIA].len, 0);
    CU_ASSERT(d.payload.len == 2 && memcmp(d.payload.p, "{}", 2) == 0);
    h.version = 0;
    h.f[EXO_WIRE_F_VIA] = exo_wire_s("0.7 2.9");
    CU_ASSERT_EQUAL(exo_wire_decode(buf, exo_wire_encode(buf, sizeof buf, &h), &d),
                    EXO_WIRE_EFIELD);
    char longvia[300];
    memset(longvia, '1', sizeof longvia - 1);
    longvia[sizeof longvia - 1] = '\0';
    h.f[EXO_WIRE_F_VIA] = exo_wire_s(longvia);
    CU_ASSERT_EQUAL(exo_wire_decode(buf, exo_wire_encode(buf, sizeof buf, &h), &d),
                    EXO_WIRE_ELENGTH);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(2, 'M'), 5);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(3, 'M'), 6);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(4, 'M'), 6);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(5, 'M'), 6); /* 5 adds batches, not fields */
    CU_ASSERT_EQUAL(exo_wire_field_count_v(6, 'M'), -1);
    /* Protocol 4 adds the register's credential. */
    CU_ASSERT_EQUAL(exo_wire_field_count_v(3, 'R'), 3);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(4, 'R'), 4);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(5, 'R'), 4);
    CU_ASSERT_EQUAL(exo_wire_field_count_v(5, 'K'), -1); /* a batch is not a frame */
}

static const exo_test_t tests[] = {
    {"protocol versions and via", test_versions_and_via},
    {"built message and register heads", test_built_heads},
    {"message with payload", test_message_with_payload},
    {"message round trip", test_message_round_trip},
    {"other types round trip", test_other_types_round_trip},
    {"short frames and bad prefix", test_short_and_bad_prefix},
    {"truncated fields", test_truncated_fields},
    {"field rules", test_field_rules},
    {"trusted decode", test_trusted_decode},
    {"decode with the name left to the caller", test_name_unchecked_decode},
    {"batches (protocol 5)", test_batch_frames},
    {"strerror names every code", test_strerror_names_every_code},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("wire", tests, NULL, NULL)
