/*
 * router.h - the broker's routing state, without any sockets: the routing table (who may send
 * what, who receives what under which name), the connected instances of each role, sticky
 * activities and per-route counters. docs/bus.md states the rules this implements.
 *
 * Hot-path lookups (instance by routing id, route by (role, name), activity) are hash lookups
 * that never allocate; allocation happens on registration, on the first denied use of a name
 * and when the routing table is replaced.
 *
 * Ownership: the exo_rt_t owns every instance and route; pointers it returns stay valid until
 * the next exo_rt_unregister / exo_rt_set_routes / exo_rt_free. Threading: none; one thread.
 */
#ifndef EXO_ZMQ_ROUTER_H
#define EXO_ZMQ_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "batch.h"

#define EXO_RT_RID_MAX 255
#define EXO_RT_ACTIVITY_TTL_MS 60000u
#define EXO_RT_DENIED_NAMES_MAX 256 /* distinct undeclared names counted per role */

typedef struct exo_rt exo_rt_t;

typedef struct exo_rt_instance {
    uint32_t id;               /* unique for the broker's lifetime, > 0 */
    int role;                  /* index of its role */
    bool transient;            /* never load-balanced to (exo send) */
    uint8_t version;           /* protocol of its 'R' (2: no via field) */
    struct exo_outq *q;        /* bytes queued for it (outq.h); NULL when out of memory */
    unsigned long long last_seen;
    unsigned long long congested_until; /* the broker drops instead of waiting until then */
    exo_batch_t batch;         /* frames for it not yet handed to ZeroMQ (protocol 5) */
    bool pending;              /* in the broker's list of instances with a batch to send */
    uint8_t rid_len;
    unsigned char rid[EXO_RT_RID_MAX]; /* zmq routing id */
    char label[64];
} exo_rt_instance_t;

typedef struct exo_rt_receiver {
    int role;
    char *name;                /* the name that role understands */
    size_t name_len;
    bool translated;           /* name differs from the public name */
} exo_rt_receiver_t;

typedef struct exo_rt_route {
    char *name;                /* as the sender writes it */
    size_t name_len;
    char *public_name;
    bool allowed;              /* declared in the sender's sends */
    bool name_ok;              /* name passes exo_wire_name_ok: a sender's need not be checked */
    exo_rt_receiver_t *recv;
    size_t n_recv;
    uint64_t delivered, denied, no_receiver, dropped;
} exo_rt_route_t;

exo_rt_t *exo_rt_new(void);
void exo_rt_free(exo_rt_t *rt);

/**
 * Replace the routing table with @p routes (exo/transport.h format). Instances whose role
 * still exists are kept; the others are dropped (counted in *dropped when not NULL).
 * Returns 0, or -1 with a message in @p err (the old table stays).
 */
int exo_rt_set_routes(exo_rt_t *rt, const json_t *routes, size_t *dropped, char *err,
                      size_t errlen);

size_t exo_rt_role_count(const exo_rt_t *rt);
const char *exo_rt_role_name(const exo_rt_t *rt, int role);
/** Role index or -1. */
int exo_rt_role_find(const exo_rt_t *rt, const char *name, size_t len);
/** Connected instances of @p role (transient ones included). */
size_t exo_rt_role_instances(const exo_rt_t *rt, int role);

/** Register the connection @p rid as an instance of @p role. A connection already registered
 *  is moved to the new role and keeps its id. */
exo_rt_instance_t *exo_rt_register(exo_rt_t *rt, int role, const void *rid, size_t rid_len,
                                   const char *label, size_t label_len, bool transient,
                                   unsigned long long now);
exo_rt_instance_t *exo_rt_lookup(exo_rt_t *rt, const void *rid, size_t rid_len);
exo_rt_instance_t *exo_rt_instance_by_id(exo_rt_t *rt, uint32_t id);
void exo_rt_unregister(exo_rt_t *rt, exo_rt_instance_t *inst);

/** The route of @p name sent by @p role: declared, or a denied entry (created on first use,
 *  at most EXO_RT_DENIED_NAMES_MAX per role, then a shared one). Never NULL for a valid role. */
exo_rt_route_t *exo_rt_route(exo_rt_t *rt, int role, const char *name, size_t len);
/** The route of @p name sent by @p role when the table has one (declared, or denied before),
 *  else NULL; creates nothing. */
exo_rt_route_t *exo_rt_route_known(exo_rt_t *rt, int role, const char *name, size_t len);

/** Remember that @p inst took part in @p activity (it sent a message in it). */
void exo_rt_note(exo_rt_t *rt, const exo_rt_instance_t *inst, const char *activity, size_t len,
                 unsigned long long now);
/**
 * The instance of @p role that gets a message of @p activity: the one that took part in the
 * activity if still connected, else the next non-transient instance round robin (remembered
 * for the activity). NULL when the role has no instance that may take it.
 */
exo_rt_instance_t *exo_rt_pick(exo_rt_t *rt, int role, const char *activity, size_t len,
                               unsigned long long now);

/*
 * Sticky replies carried in the envelope (protocol 3, docs/bus.md): a message's `via` lists
 * stamps "ROLE.ID" (role index, instance id) of the instances that took part in its chain, at
 * most one per role. The broker stamps each message with its sender; clients copy `via` from
 * the message they handle, so a reply names the instance that asked whatever happened since.
 */
#define EXO_RT_VIA_MAX 255
/**
 * Write into @p out (at least EXO_RT_VIA_MAX + 1 bytes) the via to deliver with a message
 * from @p from that arrived with @p via: its stamps minus any of @p from's role, then @p
 * from's stamp; the oldest stamps go when it would not fit. Returns the length (NUL-ended).
 */
size_t exo_rt_via_stamp(const exo_rt_t *rt, const exo_rt_instance_t *from, const char *via,
                        size_t len, char *out);
/**
 * The instance of @p role that @p via names: returns 1 and sets *@p out to it, or to NULL
 * when that instance is gone (the message must not go to another one); returns 0 when @p via
 * has no stamp of @p role (pick as usual).
 */
int exo_rt_via_pick(exo_rt_t *rt, int role, const char *via, size_t len,
                    exo_rt_instance_t **out);

/** Call @p fn for every instance not seen since @p before, then unregister it. */
void exo_rt_expire(exo_rt_t *rt, unsigned long long before,
                   void (*fn)(void *arg, const exo_rt_instance_t *inst), void *arg);

/** Roles with instances and routes with counters (the "roles" and "routes" of stats). */
json_t *exo_rt_stats(const exo_rt_t *rt);

#endif /* EXO_ZMQ_ROUTER_H */
