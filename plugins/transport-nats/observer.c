/* observer.c - presence as register/unregister events; see observer.h. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "base/util.h"
#include "natsconf.h"
#include "observer.h"

/* What the loop thread's posts share with the observer: freed by the last one. */
typedef struct shared {
    pthread_mutex_t lock;
    int refs;
    bool closed;
    const exo_host_t *host;
    void (*on_event)(void *arg, const json_t *event);
    void (*on_trace)(void *arg, const exo_bus_trace_t *trace);
    void *arg;
} shared_t;

struct exo_nobs {
    shared_t *sh;
    natsConnection *nc;
    natsSubscription *sub;
    char *app;
};

typedef struct posted {
    shared_t *sh;
    json_t *event;
} posted_t;

static void unref(shared_t *sh)
{
    pthread_mutex_lock(&sh->lock);
    int left = --sh->refs;
    pthread_mutex_unlock(&sh->lock);
    if (left == 0) {
        pthread_mutex_destroy(&sh->lock);
        free(sh);
    }
}

unsigned long long exo_nobs_instance(const char *inst)
{
    char head[13];
    snprintf(head, sizeof head, "%s", inst != NULL ? inst : "");
    return strtoull(head, NULL, 16);
}

/* On the loop thread: the event to the core, unless the observer was closed meanwhile. */
static void deliver(void *arg)
{
    posted_t *p = arg;
    shared_t *sh = p->sh;
    pthread_mutex_lock(&sh->lock);
    bool closed = sh->closed;
    pthread_mutex_unlock(&sh->lock);
    json_t *ev = p->event;
    if (!closed && sh->on_trace != NULL) {
        bool reg = strcmp(json_string_value(json_object_get(ev, "event")), "register") == 0;
        exo_bus_trace_t t = {
            .size = sizeof t,
            .event = reg ? "register" : "unregister",
            .role = json_string_value(json_object_get(ev, "role")),
            .instance = (unsigned long long)json_integer_value(json_object_get(ev, "instance")),
            .label = json_string_value(json_object_get(ev, "label")),
            .reason = json_string_value(json_object_get(ev, "reason")),
            .credential = json_string_value(json_object_get(ev, "credential")),
        };
        sh->on_trace(sh->arg, &t);
        sh->on_trace(sh->arg, NULL); /* idle: the moment to flush */
    }
    if (!closed && sh->on_event != NULL) {
        sh->on_event(sh->arg, ev);
    }
    json_decref(ev);
    free(p);
    unref(sh);
}

/* exo.APP.p.ROLE.CRED with {"instance", "label", "transient"} or {"instance", "bye": true}. */
static json_t *presence_event(const char *subject, const char *data, int len)
{
    const char *p = strstr(subject, ".p.");
    const char *dot = p != NULL ? strchr(p + 3, '.') : NULL;
    json_t *body = data != NULL ? json_loadb(data, (size_t)len, 0, NULL) : NULL;
    const char *inst = json_string_value(json_object_get(body, "instance"));
    if (dot == NULL || inst == NULL) {
        json_decref(body);
        return NULL;
    }
    json_t *role = json_stringn(p + 3, (size_t)(dot - p - 3));
    json_int_t n = (json_int_t)exo_nobs_instance(inst);
    json_t *ev = json_is_true(json_object_get(body, "bye"))
        ? json_pack("{s:s, s:o, s:I, s:s}", "event", "unregister", "role", role, "instance", n,
                    "reason", "bye")
        : json_pack("{s:s, s:o, s:I, s:s, s:b, s:s}", "event", "register", "role", role,
                    "instance", n, "label",
                    json_string_value(json_object_get(body, "label")) ?: "",
                    "transient", json_is_true(json_object_get(body, "transient")),
                    "credential", strcmp(dot + 1, "role") == 0 ? "role" : "user");
    json_decref(body);
    return ev;
}

static void on_presence(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *arg)
{
    shared_t *sh = arg;
    json_t *ev = presence_event(natsMsg_GetSubject(msg), natsMsg_GetData(msg),
                                natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
    if (ev == NULL) {
        return;
    }
    posted_t *p = exo_xcalloc(1, sizeof *p);
    p->sh = sh;
    p->event = ev;
    pthread_mutex_lock(&sh->lock);
    sh->refs++;
    pthread_mutex_unlock(&sh->lock);
    if (sh->host->post(sh->host, deliver, p) != 0) {
        json_decref(ev);
        free(p);
        unref(sh);
    }
}

static natsStatus connect_observer(exo_nobs_t *o, const char *url, const char *token)
{
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) {
        s = natsOptions_SetURL(opts, url);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetUserInfo(opts, EXO_NCONF_OBSERVER, token);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetMaxReconnect(opts, -1);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetReconnectWait(opts, 100);
    }
    if (s == NATS_OK) {
        s = natsConnection_Connect(&o->nc, opts);
    }
    natsOptions_Destroy(opts);
    char *subject = exo_strdupf("exo.%s.p.>", o->app);
    if (s == NATS_OK) {
        s = natsConnection_Subscribe(&o->sub, o->nc, subject, on_presence, o->sh);
    }
    if (s == NATS_OK) {
        s = natsConnection_FlushTimeout(o->nc, 2000);
    }
    free(subject);
    return s;
}

exo_nobs_t *exo_nobs_open(const exo_host_t *host, const exo_bus_spec_t *spec, const char *url,
                          const char *user_token, exo_error_t *err)
{
    void (*on_trace)(void *, const exo_bus_trace_t *) =
        EXO_HAS(spec, exo_bus_spec_t, on_trace) ? spec->on_trace : NULL;
    if (spec->on_event == NULL && on_trace == NULL) {
        return NULL;
    }
    exo_nobs_t *o = exo_xcalloc(1, sizeof *o);
    o->sh = exo_xcalloc(1, sizeof *o->sh);
    pthread_mutex_init(&o->sh->lock, NULL);
    o->sh->refs = 1;
    o->sh->host = host;
    o->sh->on_event = spec->on_event;
    o->sh->on_trace = on_trace;
    o->sh->arg = spec->arg;
    o->app = exo_xstrdup(spec->app != NULL ? spec->app : "app");
    natsStatus s = connect_observer(o, url, user_token);
    if (s != NATS_OK) {
        exo_error_set(err, EXO_ERR_UNAVAILABLE, "cannot observe the NATS bus at %s: %s", url,
                      natsStatus_GetText(s));
        exo_nobs_close(o);
        return NULL;
    }
    return o;
}

void exo_nobs_close(exo_nobs_t *o)
{
    if (o == NULL) {
        return;
    }
    pthread_mutex_lock(&o->sh->lock);
    o->sh->closed = true;
    pthread_mutex_unlock(&o->sh->lock);
    if (o->sub != NULL) {
        /* A drain waits for a callback in progress: none touches the shared state after. */
        if (natsSubscription_Drain(o->sub) == NATS_OK) {
            natsSubscription_WaitForDrainCompletion(o->sub, 1000);
        }
        natsSubscription_Destroy(o->sub);
    }
    natsConnection_Destroy(o->nc);
    unref(o->sh);
    free(o->app);
    free(o);
}
