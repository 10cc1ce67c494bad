/*
 * frontend/feconn_int.h - what the parts of the connection table share: feconn.c (the table,
 * connections, calls into the plugin), feact.c (activities: a client's send, the auth step,
 * timeouts), feroute.c (what the bus delivers: replies, refusals, pushes). Not for other
 * modules: they use feconn.h.
 */
#ifndef EXO_CORE_FECONN_INT_H
#define EXO_CORE_FECONN_INT_H

#include <stdarg.h>

#include "feconn.h"

#define EXO_FECONN_NAME_MAX 255
#define EXO_FECONN_REQUEST_MAX 128 /* bytes of a client's request id */
#define EXO_FECONN_SWEEP_MS 50u    /* how often timeouts are looked for */
/* A send without a request waits this long for a refusal; an answered request this long
 * after each message for more of its activity. */
#define EXO_FECONN_LINGER_MS 3000u

/* The names of frontend.h, in this order. */
typedef enum {
    EXO_FECONN_DENIED, EXO_FECONN_NO_RECEIVER, EXO_FECONN_TIMEOUT, EXO_FECONN_TOO_LARGE,
    EXO_FECONN_BAD_REQUEST, EXO_FECONN_RATE_LIMITED, EXO_FECONN_NOT_AUTHORISED,
    EXO_FECONN_UNAVAILABLE,
} exo_feconn_error_t;
extern const char *const exo_feconn_error_names[];

typedef enum { EXO_FECONN_AUTHING, EXO_FECONN_OPEN, EXO_FECONN_REFUSED } exo_feconn_state_t;

typedef struct exo_feconn_conn exo_feconn_conn_t;

/* An activity a connection started: a request, a send without one, or its auth step. */
typedef struct exo_feconn_act {
    char activity[EXO_BUS_ACTIVITY_MAX + 1];
    char *name;                     /* what the connection sent (for messages) */
    char *request;                  /* the client's id; NULL for a send without one */
    exo_conn_id_t conn_id;
    bool is_auth, answered;
    unsigned long long deadline;    /* ms; the first reply's, then extended by each message */
    unsigned timeout_ms;
    exo_feconn_conn_t *conn;
    struct exo_feconn_act *cprev, *cnext; /* the connection's activities */
    struct exo_feconn_act *hnext;         /* hash chain */
} exo_feconn_act_t;

struct exo_feconn_conn {
    exo_conn_id_t id;
    exo_frontend_bus_t *table;
    char *peer;
    exo_feconn_state_t state;
    char *user, *auth_json;         /* NULL: anonymous */
    exo_feconn_error_t refused_as;
    char *refusal;
    bool opening, dead;
    int announce_timer;
    double tokens;                  /* the rate limit's bucket */
    unsigned long long refilled_ms;
    size_t n_requests;              /* requests waiting for their first reply */
    exo_feconn_act_t *acts;
    struct exo_feconn_conn *prev, *next, *hnext;
};

struct exo_frontend_bus {
    exo_loop_t *loop;
    exo_busclient_t *client;
    exo_feconn_settings_t s;        /* strings owned */
    const exo_frontend_ops_t *ops;
    void *inst;
    exo_feconn_conn_t *conns;       /* every connection, dead ones until unbusy */
    exo_feconn_conn_t **conn_buckets;
    size_t n_conn_buckets, n_conns;
    exo_conn_id_t last_id;
    exo_feconn_act_t **act_buckets;
    size_t n_act_buckets, n_acts;
    char act_prefix[16];            /* the table's activity ids: PREFIX + counter */
    unsigned long long act_seq;
    int sweep_timer;
    unsigned busy;                  /* calls into the plugin under way */
    bool has_dead;
};

/* feconn.c */
exo_feconn_conn_t *exo_feconn_find(exo_feconn_table_t *t, exo_conn_id_t id);
void exo_feconn_unbusy(exo_feconn_table_t *t);
void exo_feconn_deliver(exo_feconn_table_t *t, exo_conn_id_t id, const exo_frontend_msg_t *m);
void exo_feconn_fail(exo_feconn_table_t *t, exo_conn_id_t id, const char *request,
                     exo_feconn_error_t error, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void exo_feconn_verdict(exo_feconn_table_t *t, exo_feconn_conn_t *c, const char *user,
                        exo_feconn_error_t refused_as, const char *why);

/* feact.c */
int exo_feconn_send(exo_frontend_bus_t *t, exo_conn_id_t conn, const char *name,
                    const char *payload, size_t len, const char *request, unsigned timeout_ms,
                    exo_error_t *err);
void exo_feconn_ask(exo_feconn_table_t *t, exo_feconn_conn_t *c, const char *credential);
exo_feconn_act_t *exo_feconn_act_find(exo_feconn_table_t *t, const char *activity);
void exo_feconn_act_remove(exo_feconn_table_t *t, exo_feconn_act_t *a);
void exo_feconn_act_answered(exo_feconn_act_t *a);
bool exo_feconn_act_ours(const exo_feconn_table_t *t, const char *activity);
void exo_feconn_acts_offline(exo_feconn_table_t *t);

/* feroute.c */
void exo_feconn_on_message(void *arg, const exo_bus_msg_t *msg);

#endif /* EXO_CORE_FECONN_INT_H */
