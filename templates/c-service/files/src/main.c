/* main.c - {{role}} on the bus: connect with what exo passes in the environment (EXO_ROLE,
 * EXO_APP, EXO_BUS_ENDPOINT), hand every received message to handlers.c, send the replies. */
#include <stdio.h>
#include <stdlib.h>

#include <exo/service.h>

#include "handlers.h"

static void on_message(exo_service_t *svc, const exo_message_t *msg, void *arg)
{
    (void)arg;
    reply_t r;
    int rc = handle_message(exo_message_name(msg), exo_message_payload(msg), &r);
    if (rc == 1) {
        exo_service_reply(svc, msg, r.name, r.payload);
    } else if (rc < 0) {
        fprintf(stderr, "{{role}}: no handler for '%s'\n", exo_message_name(msg));
    }
    reply_free(&r);
}

int main(void)
{
    exo_service_t *svc = exo_service_new_from_env();
    if (svc == NULL) {
        return 1;
    }
    exo_service_on(svc, "ping", on_message, NULL);
    int rc = exo_service_run(svc);
    exo_service_destroy(&svc);
    return rc == 0 ? 0 : 1;
}
