/*
 * longclient.c - the long-lived client of transport ABI 1.3 on libexoservice; see
 * longclient.h. libexoservice's fds are edge-triggered (ZMQ_FD) and any zmq call on the
 * socket, a send too, may consume their signal: after every poll and every send the client
 * asks whether input waits, and if so polls again on the next turn of the loop. A poll reads
 * at most BUDGET frames, so that a burst of replies leaves the frontend's plugin turns to
 * write them out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/service.h>

#include "base/util.h"
#include "longclient.h"
#include "sdk/service_int.h"

/* Pings, re-registration after a reconnect and the online state need a poll this often;
 * libexoservice pings every second and gives up on a silent broker after three. */
#define TICK_MS 100u
#define BUDGET 64u
/* Messages received and not yet read that ZeroMQ may hold for the client (libexoservice's
 * default is 10,000 whatever their size: a flood of large messages for a frontend slower than
 * its services piled up hundreds of MiB there). Past it ZeroMQ stops reading the socket and the
 * broker keeps the rest within its own byte bound (bus.queue-bytes), waiting or dropping as
 * for any slow receiver. The frontend's memory for them: this x bus.max-message-size (16 MiB
 * by default); ZeroMQ refills the pipe while a poll reads it, so a poll still reads BUDGET. */
#define RECEIVE_HWM 16

typedef struct zlong {
    const exo_host_t *host;
    exo_svc_t *svc;
    void (*on_message)(void *arg, const exo_bus_msg_t *msg);
    void (*on_online)(void *arg, bool online);
    void *arg;
    int watch_id, mon_watch_id, tick_id, again_id;
    bool online;
    char act_prefix[16];
    unsigned long long act_seq;
} zlong_t;

static void on_svc_message(exo_svc_t *svc, const exo_svc_msg_t *m, void *arg)
{
    (void)svc;
    zlong_t *z = arg;
    exo_bus_msg_t msg = {
        .size = sizeof msg, .name = m->name, .id = m->id, .activity = m->activity,
        .sender = m->sender, .auth = m->auth, .payload = m->payload,
        .payload_len = m->payload_len,
    };
    if (z->on_message != NULL) {
        z->on_message(z->arg, &msg);
    }
}

static void note_online(zlong_t *z)
{
    bool now = exo_svc_online(z->svc);
    if (now != z->online) {
        z->online = now;
        if (z->on_online != NULL) {
            z->on_online(z->arg, now);
        }
    }
}

static void pump(zlong_t *z);

static void pump_again(void *arg)
{
    zlong_t *z = arg;
    z->again_id = 0;
    pump(z);
}

/* Poll again on the next turn when input waits (see above). */
static void rearm(zlong_t *z)
{
    if (z->again_id == 0 && exo_svc_has_input(z->svc)) {
        z->again_id = z->host->timer_add(z->host, 0, false, pump_again, z);
    }
}

static void pump(zlong_t *z)
{
    exo_svc_poll(z->svc, 0);
    note_online(z);
    rearm(z);
}

static void on_fd(int fd, unsigned events, void *arg)
{
    (void)fd;
    (void)events;
    pump(arg);
}

static void on_tick(void *arg)
{
    pump(arg);
}

int exo_zlong_open(const exo_host_t *host, const exo_bus_client_spec_t *spec, void **client,
                   exo_error_t *err)
{
    *client = NULL;
    exo_svc_options_t o = {
        .size = sizeof o, .role = spec->role, .endpoint = spec->endpoint,
        .label = spec->label, .quiet = true,
        .token = spec->token != NULL ? spec->token : "", /* NULL is none, not $EXO_BUS_TOKEN */
        .transient = EXO_HAS(spec, exo_bus_client_spec_t, transient) && spec->transient,
    };
    zlong_t *z = exo_xcalloc(1, sizeof *z);
    z->host = host;
    z->on_message = spec->on_message;
    z->on_online = EXO_HAS(spec, exo_bus_client_spec_t, on_online) ? spec->on_online : NULL;
    z->arg = EXO_HAS(spec, exo_bus_client_spec_t, arg) ? spec->arg : NULL;
    if (spec->role == NULL || spec->endpoint == NULL) {
        free(z);
        return exo_error_set(err, EXO_ERR_INVALID, "a bus client needs a role and an endpoint");
    }
    z->svc = exo_svc_connect_bounded(&o, RECEIVE_HWM, err);
    if (z->svc == NULL) {
        free(z);
        return err != NULL && err->code != 0 ? err->code : EXO_ERR_INVALID;
    }
    exo_svc_set_budget(z->svc, BUDGET);
    exo_svc_on(z->svc, NULL, on_svc_message, z);
    exo_svc_on(z->svc, EXO_BUS_ERROR_NAME, on_svc_message, z);
    char rnd[11];
    exo_random_hex(rnd, 5);
    snprintf(z->act_prefix, sizeof z->act_prefix, "%.10s-", rnd);
    z->watch_id = host->watch_fd(host, exo_svc_fd(z->svc), EXO_EV_READ, on_fd, z);
    z->mon_watch_id = host->watch_fd(host, exo_svc_monitor_fd(z->svc), EXO_EV_READ, on_fd, z);
    z->tick_id = host->timer_add(host, TICK_MS, true, on_tick, z);
    if (z->watch_id <= 0 || z->mon_watch_id <= 0 || z->tick_id <= 0) {
        exo_zlong_close(z);
        return exo_error_set(err, EXO_ERR_INTERNAL, "cannot watch the bus socket on the loop");
    }
    pump(z); /* sends the registration as soon as the connection is up */
    *client = z;
    return 0;
}

int exo_zlong_post(void *client, const char *name, const char *payload, size_t len,
                   const char *activity, const char *auth, char *activity_out, exo_error_t *err)
{
    zlong_t *z = client;
    char fresh[EXO_BUS_ACTIVITY_MAX + 1];
    if (activity == NULL) {
        snprintf(fresh, sizeof fresh, "%s%llx", z->act_prefix, ++z->act_seq);
        activity = fresh;
    }
    int rc = exo_svc_send_ex(z->svc, name, payload, payload != NULL ? len : 0, activity, auth,
                             err);
    if (rc == 0 && activity_out != NULL) {
        snprintf(activity_out, EXO_BUS_ACTIVITY_MAX + 1, "%s", activity);
    }
    rearm(z); /* the send may have taken the fd's signal of a message waiting */
    return rc;
}

bool exo_zlong_online(void *client)
{
    return exo_svc_online(((zlong_t *)client)->svc);
}

void exo_zlong_close(void *client)
{
    zlong_t *z = client;
    if (z == NULL) {
        return;
    }
    if (z->watch_id > 0) {
        z->host->unwatch(z->host, z->watch_id);
    }
    if (z->mon_watch_id > 0) {
        z->host->unwatch(z->host, z->mon_watch_id);
    }
    if (z->tick_id > 0) {
        z->host->timer_cancel(z->host, z->tick_id);
    }
    if (z->again_id > 0) {
        z->host->timer_cancel(z->host, z->again_id);
    }
    exo_svc_close(&z->svc);
    free(z);
}
