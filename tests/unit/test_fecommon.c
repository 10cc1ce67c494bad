/*
 * tests/unit/test_fecommon.c - the frontend plugins' shared pure parts
 * (plugins/frontend-common/festatic.c, fehttp.c): static paths resolved inside their root and
 * never outside (dot segments, NUL, backslash, symlinks out, hidden files), index.html for
 * directories, content types, ETag/Last-Modified and the 304 rules, HTTP dates, the status of
 * every failure name, JSON error bodies, credentials, listen addresses.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/frontend-common/fehttp.h"
#include "../../plugins/frontend-common/festatic.h"
#include "base/util.h"
#include "../support/cunit_main.h"

static char root_tmpl[] = "/tmp/exo-fecommon-XXXXXX";
static char *root;    /* real path of <tmp>/public */
static char *outside; /* <tmp>/secret.txt */

static int write_text(const char *dir, const char *name, const char *text)
{
    char *p = exo_path_join(dir, name);
    int rc = exo_write_file_atomic(p, text, strlen(text));
    free(p);
    return rc;
}

static int setup(void)
{
    if (mkdtemp(root_tmpl) == NULL) {
        return -1;
    }
    char *pub = exo_path_join(root_tmpl, "public");
    char *sub = exo_path_join(pub, "sub");
    char *empty = exo_path_join(pub, "empty");
    if (exo_mkdir_p(sub, 0755) != 0 || exo_mkdir_p(empty, 0755) != 0) {
        return -1;
    }
    root = realpath(pub, NULL);
    if (root == NULL || write_text(root, "index.html", "<h1>hi</h1>") != 0 ||
        write_text(root, "app.js", "export {}") != 0 || write_text(root, ".env", "SECRET=1") != 0 ||
        write_text(sub, "index.html", "<p>sub</p>") != 0 ||
        write_text(root_tmpl, "secret.txt", "do not serve") != 0) {
        return -1;
    }
    outside = exo_path_join(root_tmpl, "secret.txt");
    char *link_out = exo_path_join(root, "leak.txt");
    char *link_in = exo_path_join(root, "alias.js");
    char *dir_out = exo_path_join(root, "up");
    if (symlink(outside, link_out) != 0 || symlink("app.js", link_in) != 0 ||
        symlink(root_tmpl, dir_out) != 0) {
        return -1;
    }
    free(link_out);
    free(link_in);
    free(dir_out);
    free(pub);
    free(sub);
    free(empty);
    return 0;
}

static int teardown(void)
{
    exo_rm_rf(root_tmpl);
    free(root);
    free(outside);
    return 0;
}

static fec_static_result_t resolve(const char *req, char **path_out)
{
    fec_static_file_t f;
    fec_static_result_t r = fec_static_resolve(root, req, strlen(req), &f, NULL);
    if (path_out != NULL) {
        *path_out = r == FEC_STATIC_OK ? exo_xstrdup(f.path) : NULL;
    }
    if (r == FEC_STATIC_OK) {
        fec_static_file_free(&f);
    } else {
        CU_ASSERT_PTR_NULL(f.path);
    }
    return r;
}

static void assert_serves(const char *req, const char *rel)
{
    char *path = NULL;
    CU_ASSERT_EQUAL(resolve(req, &path), FEC_STATIC_OK);
    char *want = exo_path_join(root, rel);
    CU_ASSERT_STRING_EQUAL(path ? path : "", want);
    free(want);
    free(path);
}

static void test_resolve_files_and_indexes(void)
{
    assert_serves("/app.js", "app.js");
    assert_serves("/", "index.html");
    assert_serves("", "index.html");
    assert_serves("/sub/", "sub/index.html");
    assert_serves("/sub", "sub/index.html");
    assert_serves("//sub//index.html", "sub/index.html");
    assert_serves("/alias.js", "app.js"); /* a symlink that stays inside is fine */
    CU_ASSERT_EQUAL(resolve("/missing.js", NULL), FEC_STATIC_NOT_FOUND);
    CU_ASSERT_EQUAL(resolve("/empty/", NULL), FEC_STATIC_NOT_FOUND); /* no index.html */
    CU_ASSERT_EQUAL(resolve("/app.js/x", NULL), FEC_STATIC_NOT_FOUND);
}

static void test_resolve_refuses_escapes(void)
{
    const char *why = NULL;
    fec_static_file_t f;
    CU_ASSERT_EQUAL(resolve("/../secret.txt", NULL), FEC_STATIC_REFUSED);
    CU_ASSERT_EQUAL(resolve("/sub/../../secret.txt", NULL), FEC_STATIC_REFUSED);
    CU_ASSERT_EQUAL(resolve("..", NULL), FEC_STATIC_REFUSED);
    CU_ASSERT_EQUAL(resolve("/./app.js", NULL), FEC_STATIC_REFUSED);
    CU_ASSERT_EQUAL(resolve("/..\\secret.txt", NULL), FEC_STATIC_REFUSED);
    CU_ASSERT_EQUAL(fec_static_resolve(root, "/app.js\0/../x", 13, &f, &why), FEC_STATIC_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_EQUAL(fec_static_resolve(root, "/leak.txt", 9, &f, &why), FEC_STATIC_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "symlink"));
    CU_ASSERT_EQUAL(resolve("/up/secret.txt", NULL), FEC_STATIC_REFUSED);
    CU_ASSERT_EQUAL(resolve("/up", NULL), FEC_STATIC_REFUSED);
    /* hidden files are simply not there */
    CU_ASSERT_EQUAL(resolve("/.env", NULL), FEC_STATIC_NOT_FOUND);
    CU_ASSERT_EQUAL(resolve("/.git/config", NULL), FEC_STATIC_NOT_FOUND);
}

static void test_static_root(void)
{
    char *r = NULL;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(fec_static_root(root_tmpl, "public", &r, &err), EXO_OK);
    CU_ASSERT_STRING_EQUAL(r ? r : "", root);
    free(r);
    CU_ASSERT_EQUAL(fec_static_root(root_tmpl, root, &r, &err), EXO_OK); /* absolute */
    free(r);
    CU_ASSERT_EQUAL(fec_static_root(root_tmpl, "nope", &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "static: 'nope'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is not a directory"));
    CU_ASSERT_EQUAL(fec_static_root(root_tmpl, "public/app.js", &r, &err), EXO_ERR_INVALID);
    /* the app's own directory, or one above it, is never served */
    CU_ASSERT_EQUAL(fec_static_root(root, ".", &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "the app's own directory"));
    CU_ASSERT_EQUAL(fec_static_root(root, "..", &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_static_root(root, "/", &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_static_root(root, "sub/..", &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_static_root(root, "", &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_static_root(root, NULL, &r, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(r);
}

static void test_content_types(void)
{
    CU_ASSERT_STRING_EQUAL(fec_content_type("/a/index.html"), "text/html; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.JS"), "text/javascript; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.mjs"), "text/javascript; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.css"), "text/css; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.json"), "application/json");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.svg"), "image/svg+xml");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.png"), "image/png");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.wasm"), "application/wasm");
    CU_ASSERT_STRING_EQUAL(fec_content_type("x.woff2"), "font/woff2");
    CU_ASSERT_STRING_EQUAL(fec_content_type("noext"), "application/octet-stream");
    CU_ASSERT_STRING_EQUAL(fec_content_type("dir.js/file"), "application/octet-stream");
}

static void test_dates(void)
{
    char buf[40];
    fec_http_date(784111777, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
    time_t t = 0;
    CU_ASSERT_TRUE(fec_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t));
    CU_ASSERT_EQUAL(t, 784111777);
    CU_ASSERT_FALSE(fec_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t));
    CU_ASSERT_FALSE(fec_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT junk", &t));
    CU_ASSERT_FALSE(fec_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t));
    CU_ASSERT_FALSE(fec_http_date_parse("", &t));
}

static void test_conditional_requests(void)
{
    fec_static_file_t f = {.path = NULL, .size = 11, .mtime = 784111777, .mtime_nsec = 5};
    char etag[96];
    fec_static_etag(&f, etag, sizeof etag);
    CU_ASSERT_STRING_EQUAL(etag, "\"b-2ebc98a1.5\"");
    const char *date = "Sun, 06 Nov 1994 08:49:37 GMT";
    const char *earlier = "Sun, 06 Nov 1994 08:49:36 GMT";
    CU_ASSERT_TRUE(fec_static_not_modified(etag, NULL, etag, f.mtime));
    CU_ASSERT_TRUE(fec_static_not_modified("\"x\", W/\"b-2ebc98a1.5\"", NULL, etag, f.mtime));
    CU_ASSERT_TRUE(fec_static_not_modified("*", NULL, etag, f.mtime));
    CU_ASSERT_FALSE(fec_static_not_modified("\"b-2ebc98a1.6\"", NULL, etag, f.mtime));
    CU_ASSERT_FALSE(fec_static_not_modified("\"b-2ebc98a1.5", NULL, etag, f.mtime));
    CU_ASSERT_TRUE(fec_static_not_modified(NULL, date, etag, f.mtime));
    CU_ASSERT_FALSE(fec_static_not_modified(NULL, earlier, etag, f.mtime));
    CU_ASSERT_FALSE(fec_static_not_modified(NULL, "garbage", etag, f.mtime));
    CU_ASSERT_FALSE(fec_static_not_modified(NULL, NULL, etag, f.mtime));
    /* If-None-Match wins over If-Modified-Since */
    CU_ASSERT_FALSE(fec_static_not_modified("\"other\"", date, etag, f.mtime));
}

static void test_statuses_and_bodies(void)
{
    CU_ASSERT_EQUAL(fec_status_for_error("denied"), 403);
    CU_ASSERT_EQUAL(fec_status_for_error("no-receiver"), 503);
    CU_ASSERT_EQUAL(fec_status_for_error("timeout"), 504);
    CU_ASSERT_EQUAL(fec_status_for_error("too-large"), 413);
    CU_ASSERT_EQUAL(fec_status_for_error("bad-request"), 400);
    CU_ASSERT_EQUAL(fec_status_for_error("rate-limited"), 429);
    CU_ASSERT_EQUAL(fec_status_for_error("not-authorised"), 401);
    CU_ASSERT_EQUAL(fec_status_for_error("unavailable"), 503);
    CU_ASSERT_EQUAL(fec_status_for_error("not-found"), 404);
    CU_ASSERT_EQUAL(fec_status_for_error("method-not-allowed"), 405);
    CU_ASSERT_EQUAL(fec_status_for_error("forbidden"), 403);
    CU_ASSERT_EQUAL(fec_status_for_error("length-required"), 411);
    CU_ASSERT_EQUAL(fec_status_for_error("something-new"), 500);
    CU_ASSERT_EQUAL(fec_status_for_error(NULL), 500);
    char *b = fec_error_body("denied", "web may not send \"x\"");
    CU_ASSERT_STRING_EQUAL(b, "{\"error\":\"denied\",\"message\":\"web may not send \\\"x\\\"\"}");
    free(b);
}

static void test_credentials(void)
{
    char *c = fec_cookie_value("a=1; exo_session=abc.def ;b=2", "exo_session");
    CU_ASSERT_STRING_EQUAL(c ? c : "", "abc.def");
    free(c);
    c = fec_cookie_value("my_exo_session=no; exo_session=\"q\"", "exo_session");
    CU_ASSERT_STRING_EQUAL(c ? c : "", "q");
    free(c);
    CU_ASSERT_PTR_NULL(fec_cookie_value("exo_sessionx=1", "exo_session"));
    CU_ASSERT_PTR_NULL(fec_cookie_value("exo_session=", "exo_session"));
    CU_ASSERT_PTR_NULL(fec_cookie_value(NULL, "exo_session"));
    c = fec_bearer_token("bearer  tok123 ");
    CU_ASSERT_STRING_EQUAL(c ? c : "", "tok123");
    free(c);
    CU_ASSERT_PTR_NULL(fec_bearer_token("Basic dXNlcjpwYXNz"));
    CU_ASSERT_PTR_NULL(fec_bearer_token("Bearer"));
    CU_ASSERT_PTR_NULL(fec_bearer_token("Bearertok"));
    c = fec_credential_of("Bearer t1", "exo_session=s1");
    CU_ASSERT_STRING_EQUAL(c ? c : "", "t1");
    free(c);
    c = fec_credential_of(NULL, "exo_session=s1");
    CU_ASSERT_STRING_EQUAL(c ? c : "", "s1");
    free(c);
    CU_ASSERT_PTR_NULL(fec_credential_of(NULL, NULL));
}

static void test_listen_addresses(void)
{
    char *h = NULL;
    int port = 0;
    exo_error_t err = {0};
    CU_ASSERT_EQUAL(fec_parse_listen("127.0.0.1:3000", &h, &port, &err), EXO_OK);
    CU_ASSERT_STRING_EQUAL(h, "127.0.0.1");
    CU_ASSERT_EQUAL(port, 3000);
    free(h);
    CU_ASSERT_EQUAL(fec_parse_listen("[::1]:8080", &h, &port, &err), EXO_OK);
    CU_ASSERT_STRING_EQUAL(h, "::1");
    CU_ASSERT_EQUAL(port, 8080);
    free(h);
    CU_ASSERT_EQUAL(fec_parse_listen("127.0.0.1", &h, &port, &err), EXO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "HOST:PORT"));
    CU_ASSERT_EQUAL(fec_parse_listen("127.0.0.1:0", &h, &port, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_parse_listen("127.0.0.1:70000", &h, &port, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_parse_listen(":80", &h, &port, &err), EXO_ERR_INVALID);
    CU_ASSERT_EQUAL(fec_parse_listen("h:8x", &h, &port, &err), EXO_ERR_INVALID);
}

/* The access prefix of frontend ABI 1.2: what is under /TOKEN/ and what is not. */
static void test_token_prefix(void)
{
    const char *tok = "0123456789abcdef";
    const char *p = "/0123456789abcdef/";
    CU_ASSERT_PTR_EQUAL(fec_token_path(tok, p), p + 17);
    CU_ASSERT_STRING_EQUAL(fec_token_path(tok, "/0123456789abcdef/"), "/");
    CU_ASSERT_STRING_EQUAL(fec_token_path(tok, "/0123456789abcdef/exo.js"), "/exo.js");
    CU_ASSERT_STRING_EQUAL(fec_token_path(tok, "/0123456789abcdef/exo"), "/exo");
    CU_ASSERT_STRING_EQUAL(fec_token_path(tok, "/0123456789abcdef/a/b.css"), "/a/b.css");
    /* the rest is the static rules' to judge: ".." is handed on, not taken as a way out */
    CU_ASSERT_STRING_EQUAL(fec_token_path(tok, "/0123456789abcdef/../x"), "/../x");
    static const char *const not_under[] = {
        "", "/", "/exo", "/exo.js", "/index.html", "//", "0123456789abcdef/",
        "/0123456789abcdef",      /* no trailing slash */
        "/0123456789abcde/",      /* shorter */
        "/0123456789abcdef0/",    /* longer */
        "/0123456789abcdeF/",     /* case */
        "/1123456789abcdef/",     /* first byte wrong */
        "/0123456789abcdee/",     /* last byte wrong */
        "/x0123456789abcdef/", "//0123456789abcdef/", "/0123456789abcdef%2F",
        "/0123456789abcdef\\", "/0123456789abcdef?/", "/0123456789",
        NULL,
    };
    for (size_t i = 0; not_under[i] != NULL; i++) {
        if (fec_token_path(tok, not_under[i]) != NULL) {
            CU_FAIL(not_under[i]);
        }
    }
    /* an empty token guards nothing: it matches nothing either */
    CU_ASSERT_PTR_NULL(fec_token_path("", "//"));
    CU_ASSERT_PTR_NULL(fec_token_path("", "/"));
}

static const exo_test_t tests[] = {
    {"static paths resolve to files and index.html", test_resolve_files_and_indexes},
    {"static paths never leave the root", test_resolve_refuses_escapes},
    {"the static directory: a directory, never the app's own", test_static_root},
    {"content types of web files", test_content_types},
    {"HTTP dates", test_dates},
    {"ETag, If-None-Match, If-Modified-Since", test_conditional_requests},
    {"statuses and JSON error bodies", test_statuses_and_bodies},
    {"credentials from cookie and bearer", test_credentials},
    {"listen addresses", test_listen_addresses},
    {"the access token's prefix", test_token_prefix},
    {NULL, NULL},
};

EXO_CUNIT_MAIN("fecommon", tests, setup, teardown)
