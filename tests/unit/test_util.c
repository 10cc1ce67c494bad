/* tests/unit/test_util.c - libexobase helpers the plugins share (core/base/util.h): quoting,
 * URL encoding, trimming, consuming a buffer, random hex, files written with a mode, finding
 * programs on PATH. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "../support/cunit_main.h"

/* A bound, not a length: a short string right before an unreadable page is copied without
 * reading past its terminator (the bound used to be read whole: a crash here, and ASan's
 * global-buffer-overflow on a plugin's version string). */
static void test_xstrndup_stops_at_terminator(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    CU_ASSERT_FATAL(map != MAP_FAILED);
    CU_ASSERT_FATAL(mprotect(map + page, (size_t)page, PROT_NONE) == 0);
    char *s = map + page - 4;
    memcpy(s, "1.0", 4);
    char *copy = exo_xstrndup(s, 64);
    CU_ASSERT_STRING_EQUAL(copy, "1.0");
    free(copy);
    copy = exo_xstrndup("abcdef", 3);
    CU_ASSERT_STRING_EQUAL(copy, "abc");
    free(copy);
    munmap(map, (size_t)page * 2);
}

static void test_shell_quote(void)
{
    char *q = exo_shell_quote("it's $HOME");
    CU_ASSERT_STRING_EQUAL(q, "'it'\\''s $HOME'");
    free(q);
    q = exo_shell_quote("");
    CU_ASSERT_STRING_EQUAL(q, "''");
    free(q);
}

static void test_url_encode(void)
{
    char *e = exo_url_encode("a-b_c.d~e f@g:h/ü");
    CU_ASSERT_STRING_EQUAL(e, "a-b_c.d~e%20f%40g%3Ah%2F%C3%BC");
    free(e);
}

static void check_for_host(const char *endpoint, const char *host, const char *want)
{
    char *got = exo_endpoint_for_host(endpoint, host);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_endpoint_for_host(void)
{
    check_for_host("tcp://127.0.0.1:4000", "host.docker.internal", "tcp://host.docker.internal:4000");
    check_for_host("nats://127.0.0.1:4222", "10.88.0.1", "nats://10.88.0.1:4222");
    check_for_host("nats://127.0.0.1:4222", "127.0.0.1", "nats://127.0.0.1:4222");
    check_for_host("nats://127.0.0.1:4222", NULL, "nats://127.0.0.1:4222");
    check_for_host("nats://127.0.0.1:4222", "", "nats://127.0.0.1:4222");
    check_for_host("tcp://172.17.0.1:4000", "host.docker.internal", "tcp://172.17.0.1:4000");
}

static void test_url_parse(void)
{
    exo_url_t u;
    CU_ASSERT_EQUAL_FATAL(exo_url_parse("postgres://app:p%40ss@w@db.example.com:6543/todo?x=1", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.scheme, "postgres");
    CU_ASSERT_STRING_EQUAL(u.user, "app");
    CU_ASSERT_STRING_EQUAL(u.password, "p@ss@w");
    CU_ASSERT_STRING_EQUAL(u.host, "db.example.com");
    CU_ASSERT_EQUAL(u.port, 6543);
    exo_url_free(&u);
    CU_ASSERT_EQUAL_FATAL(exo_url_parse("redis://[::1]/0", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.host, "[::1]");
    CU_ASSERT_PTR_NULL(u.user);
    CU_ASSERT_PTR_NULL(u.password);
    CU_ASSERT_EQUAL(u.port, 0);
    exo_url_free(&u);
    CU_ASSERT_EQUAL_FATAL(exo_url_parse("rediss://:secret@cache:6380", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.user, "");
    CU_ASSERT_STRING_EQUAL(u.password, "secret");
    exo_url_free(&u);
    const char *bad[] = {"", "db.example.com:5432", "://host", "pg://", "pg://user@", "pg://h:0",
                         "pg://h:70000", "pg://h:12x", "pg://h:", "pg://u%4@h", "pg://[::1",
                         "p g://h", NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        CU_ASSERT_EQUAL(exo_url_parse(bad[i], &u), -1);
        CU_ASSERT_PTR_NULL(u.host);
    }
}

static void test_rtrim(void)
{
    char s[] = "pass \t\r\n";
    exo_rtrim(s);
    CU_ASSERT_STRING_EQUAL(s, "pass");
    char empty[] = " \n";
    exo_rtrim(empty);
    CU_ASSERT_STRING_EQUAL(empty, "");
}

static void test_buf_consume(void)
{
    exo_buf_t b = {0};
    exo_buf_consume(&b, 0); /* an empty buffer stays empty */
    CU_ASSERT_PTR_NULL(b.data);
    exo_buf_puts(&b, "line1\nrest");
    exo_buf_consume(&b, 6);
    CU_ASSERT_STRING_EQUAL(b.data, "rest");
    CU_ASSERT_EQUAL(b.len, 4);
    exo_buf_consume(&b, 4);
    CU_ASSERT_STRING_EQUAL(b.data, "");
    CU_ASSERT_EQUAL(b.len, 0);
    exo_buf_free(&b);
}

static void test_random_hex(void)
{
    char a[33], b[33];
    CU_ASSERT_EQUAL(exo_random_hex(a, 16), 0);
    CU_ASSERT_EQUAL(exo_random_hex(b, 16), 0);
    CU_ASSERT_EQUAL(strlen(a), 32);
    CU_ASSERT_EQUAL(strspn(a, "0123456789abcdef"), 32);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

static void test_token_valid(void)
{
    char t[65];
    CU_ASSERT_EQUAL(exo_random_hex(t, 32), 0);
    CU_ASSERT_TRUE(exo_token_valid(t));
    CU_ASSERT_FALSE(exo_token_valid(NULL));
    t[63] = '\0';
    CU_ASSERT_FALSE(exo_token_valid(t)); /* 63 digits */
    t[63] = 'A';
    CU_ASSERT_FALSE(exo_token_valid(t)); /* upper case */
    t[63] = 'g';
    CU_ASSERT_FALSE(exo_token_valid(t));
}

static void test_write_file_mode(void)
{
    char dir[] = "/tmp/exo-test-util-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char *path = exo_path_join(dir, "secret");
    mode_t old = umask(0);
    CU_ASSERT_EQUAL(exo_write_file_mode(path, "s3cret", 6, 0600), 0);
    umask(old);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    char *text = exo_read_file(path, NULL);
    CU_ASSERT_STRING_EQUAL(text, "s3cret");
    free(text);
    free(path);
    CU_ASSERT_EQUAL(exo_rm_rf(dir), 0);
}

static void test_which(void)
{
    char *old = getenv("PATH") ? exo_xstrdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent::/bin:/usr/bin", 1);
    char *sh = exo_which("sh");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sh);
    CU_ASSERT_EQUAL(sh[0], '/');
    CU_ASSERT_EQUAL(access(sh, X_OK), 0);
    free(sh);
    CU_ASSERT_PTR_NULL(exo_which("exo-no-such-program"));
    if (old != NULL) {
        setenv("PATH", old, 1);
        free(old);
    }
}

static const exo_test_t tests[] = {
    {"xstrndup stops at the terminator", test_xstrndup_stops_at_terminator},
    {"shell quote", test_shell_quote},
    {"url encode", test_url_encode},
    {"endpoint for a unit's host", test_endpoint_for_host},
    {"url parse", test_url_parse},
    {"rtrim", test_rtrim},
    {"buf consume", test_buf_consume},
    {"random hex", test_random_hex},
    {"bus token check", test_token_valid},
    {"write a file with a mode", test_write_file_mode},
    {"which", test_which},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("util", tests, NULL, NULL)
