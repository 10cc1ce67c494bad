/* main.c - {{role}} on the bus: connect with what exo passes in the environment (EXO_ROLE,
 * EXO_BUS_ENDPOINT), hand every received message to handlers.c, send the replies. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/service.h>

#include "handlers.h"

static exo_svc_t *svc;

static void on_signal(int sig)
{
    (void)sig;
    exo_svc_stop(svc); /* async-signal-safe: exo_svc_run returns, we close cleanly */
}

static void on_message(exo_svc_t *s, const exo_svc_msg_t *msg, void *arg)
{
    (void)arg;
    /* the SDK's payload is not NUL-terminated; handlers get a C string */
    char *payload = NULL;
    if (msg->payload != NULL && msg->payload_len > 0) {
        payload = malloc(msg->payload_len + 1);
        if (payload == NULL) {
            return;
        }
        memcpy(payload, msg->payload, msg->payload_len);
        payload[msg->payload_len] = '\0';
    }
    reply_t r;
    int rc = handle_message(msg->name, payload, &r);
    if (rc == 1) {
        exo_error_t err = {0};
        if (exo_svc_reply_raw(s, msg, r.name, r.payload, r.payload ? strlen(r.payload) : 0,
                              &err) != 0) {
            fprintf(stderr, "{{role}}: cannot reply %s: %s\n", r.name, err.message);
        }
    } else if (rc < 0) {
        fprintf(stderr, "{{role}}: no handler for '%s'\n", msg->name);
    }
    reply_free(&r);
    free(payload);
}

int main(void)
{
    exo_error_t err = {0};
    svc = exo_svc_connect(NULL, &err); /* prints "{{role}} online" once registered */
    if (svc == NULL) {
        fprintf(stderr, "{{role}}: cannot connect to the bus: %s\n", err.message);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    exo_svc_on(svc, NULL, on_message, NULL); /* every message; handlers.c picks by name */
    int rc = exo_svc_run(svc);
    exo_svc_close(&svc);
    return rc == 0 ? 0 : 1;
}
