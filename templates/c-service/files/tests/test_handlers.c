/* test_handlers.c - unit tests of {{role}}'s handlers: plain C, no bus, no framework.
 * `make test` (and so `exo test`) builds and runs it; exit status 0 means all passed. */
#include <stdio.h>
#include <string.h>

#include "handlers.h"

static int failures;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static void test_ping_answers_pong_with_the_payload(void)
{
    reply_t r;
    CHECK(handle_message("ping", "{\"n\":42}", &r) == 1);
    CHECK(r.name != NULL && strcmp(r.name, "pong") == 0);
    CHECK(r.payload != NULL && strcmp(r.payload, "{\"n\":42}") == 0);
    reply_free(&r);
}

static void test_ping_without_payload(void)
{
    reply_t r;
    CHECK(handle_message("ping", NULL, &r) == 1);
    CHECK(r.name != NULL && strcmp(r.name, "pong") == 0);
    CHECK(r.payload == NULL);
    reply_free(&r);
}

static void test_unknown_message_is_not_handled(void)
{
    reply_t r;
    CHECK(handle_message("no such message", "{}", &r) == -1);
    CHECK(r.name == NULL && r.payload == NULL);
}

int main(void)
{
    test_ping_answers_pong_with_the_payload();
    test_ping_without_payload();
    test_unknown_message_is_not_handled();
    if (failures > 0) {
        fprintf(stderr, "{{role}}: %d check(s) failed\n", failures);
        return 1;
    }
    printf("{{role}}: all handler tests passed\n");
    return 0;
}
