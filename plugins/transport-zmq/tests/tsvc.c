/*
 * tsvc - a configurable test service built on libexoservice (integration tests):
 *   tsvc [--label L] [--reply IN=OUT]... [--send NAME [JSON]] [--request NAME TIMEOUT_MS]
 *        [--exit-after N] [--flood NAME COUNT [--size BYTES]] [--count]
 * Prints "ROLE online" (the SDK), then one line per received message:
 *   got NAME from SENDER activity ACT payload PAYLOAD
 * --reply answers IN with OUT carrying {"by": LABEL, "echo": PAYLOAD}; --send sends once
 * online; --request prints "reply NAME from SENDER payload P" or "request failed: ..." and
 * exits (0 / 1); --flood sends COUNT messages as fast as it can, prints "flooded N" and
 * exits (--size: each payload about BYTES long); --count prints nothing per message but
 * "received N" when stopped. Role and endpoint come from EXO_ROLE and EXO_BUS_ENDPOINT.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/service.h>

static exo_svc_t *svc;
static const char *label = "tsvc";
static int exit_after = -1;
static int received;
static bool count_only;

static void on_signal(int signo)
{
    exo_svc_stop(svc);
}

static void on_reply_rule(exo_svc_t *s, const exo_svc_msg_t *m, void *arg)
{
    if (count_only) {
        received++;
        return;
    }
    printf("got %s from %s activity %s payload %.*s\n", m->name, m->sender, m->activity,
           (int)m->payload_len, m->payload ? m->payload : "null");
    fflush(stdout);
    json_t *echo = exo_svc_msg_json(m);
    json_t *p = json_pack("{s:s,s:o}", "by", label, "echo", echo ? echo : json_null());
    exo_error_t err = {0};
    if (arg != NULL && exo_svc_reply(s, m, arg, p, &err) < 0) {
        printf("reply failed: %s\n", err.message);
    }
    json_decref(p);
    if (exit_after > 0 && ++received >= exit_after) {
        exo_svc_stop(s);
    }
}

/* {"n":1}, or with @p size a {"d":"xxx..."} of about that many bytes. New string. */
static char *flood_payload(size_t size)
{
    if (size < 16) {
        return strdup("{\"n\":1}");
    }
    char *p = malloc(size + 1);
    memset(p, 'x', size);
    memcpy(p, "{\"d\":\"", 6);
    memcpy(p + size - 2, "\"}", 2);
    p[size] = '\0';
    return p;
}

int main(int argc, char **argv)
{
    exo_error_t err = {0};
    svc = exo_svc_connect(NULL, &err);
    if (svc == NULL) {
        fprintf(stderr, "tsvc: %s\n", err.message);
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    exo_svc_on(svc, NULL, on_reply_rule, NULL);
    const char *send_name = NULL, *send_json = NULL, *req_name = NULL, *flood = NULL;
    long flood_n = 0;
    size_t flood_size = 0;
    unsigned req_timeout = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--label") && i + 1 < argc) {
            label = argv[++i];
        } else if (!strcmp(argv[i], "--reply") && i + 1 < argc) {
            char *rule = argv[++i];
            char *eq = strchr(rule, '=');
            if (eq != NULL) {
                *eq = '\0';
                exo_svc_on(svc, rule, on_reply_rule, eq + 1);
            }
        } else if (!strcmp(argv[i], "--send") && i + 1 < argc) {
            send_name = argv[++i];
            if (i + 1 < argc && argv[i + 1][0] != '-') {
                send_json = argv[++i];
            }
        } else if (!strcmp(argv[i], "--request") && i + 2 < argc) {
            req_name = argv[++i];
            req_timeout = (unsigned)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--flood") && i + 2 < argc) {
            flood = argv[++i];
            flood_n = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            flood_size = strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--count")) {
            count_only = true;
        } else if (!strcmp(argv[i], "--exit-after") && i + 1 < argc) {
            exit_after = atoi(argv[++i]);
        }
    }
    while ((send_name || req_name || flood) && !exo_svc_online(svc)) {
        if (exo_svc_poll(svc, 100) < 0) {
            return 2;
        }
    }
    if (send_name != NULL &&
        exo_svc_send_raw(svc, send_name, send_json, send_json ? strlen(send_json) : 0,
                         &err) < 0) {
        printf("send failed: %s\n", err.message);
    }
    int rc = 0;
    if (flood != NULL) {
        long sent = 0;
        char *body = flood_payload(flood_size);
        for (; sent < flood_n; sent++) {
            if (exo_svc_send_raw(svc, flood, body, strlen(body), &err) < 0) {
                printf("send failed: %s\n", err.message);
                break;
            }
        }
        for (int i = 0; i < 10; i++) {
            exo_svc_poll(svc, 100); /* let the queue drain before close drops it */
        }
        free(body);
        printf("flooded %ld\n", sent);
        exo_svc_close(&svc);
        return sent == flood_n ? 0 : 1;
    }
    if (req_name != NULL) {
        exo_svc_msg_t *reply = NULL;
        json_t *p = json_pack("{s:s}", "from", label);
        if (exo_svc_request(svc, req_name, p, req_timeout, &reply, &err) == 0) {
            printf("reply %s from %s payload %.*s\n", reply->name, reply->sender,
                   (int)reply->payload_len, reply->payload ? reply->payload : "null");
            exo_svc_msg_free(reply);
        } else {
            printf("request failed: %s\n", err.message);
            rc = 1;
        }
        json_decref(p);
        fflush(stdout);
    } else {
        rc = exo_svc_run(svc) < 0 ? 2 : 0;
        if (count_only) {
            printf("received %d\n", received);
        }
    }
    exo_svc_close(&svc);
    return rc;
}
