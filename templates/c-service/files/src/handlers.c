/* handlers.c - {{role}}'s message handlers. Add one function per message in service.yml's
 * messages.receives and list it in the table at the bottom. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

/* ping -> pong, carrying the ping's payload back so the sender can match them up. */
static int on_ping(const char *payload, reply_t *out)
{
    out->name = "pong";
    out->payload = payload != NULL ? strdup(payload) : NULL;
    return 1;
}

static const struct {
    const char *name;
    int (*fn)(const char *payload, reply_t *out);
} handlers[] = {
    {"ping", on_ping},
};

int handle_message(const char *name, const char *payload, reply_t *out)
{
    out->name = NULL;
    out->payload = NULL;
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
        if (strcmp(handlers[i].name, name) == 0) {
            return handlers[i].fn(payload, out);
        }
    }
    return -1;
}

void reply_free(reply_t *r)
{
    free(r->payload);
    r->payload = NULL;
    r->name = NULL;
}
