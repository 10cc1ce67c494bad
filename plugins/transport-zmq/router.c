/* router.c - routing table, instances, sticky activities, counters; see router.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "outq.h"
#include "router.h"
#include "wire.h"

/* Sticky activities live in a fixed set-associative cache: memory stays bounded however many
 * activities pass (a throughput run makes a new one per message), the oldest entry of a full
 * bucket is evicted, entries older than EXO_RT_ACTIVITY_TTL_MS count as empty. */
#define ACT_BUCKETS 4096u
#define ACT_WAYS 4u
#define ACT_WHO 4u
#define ACT_KEY_MAX 64u

typedef struct act_slot {
    uint64_t hash;
    unsigned long long last;
    uint8_t len;              /* 0 = empty */
    uint8_t n_who;
    uint16_t role[ACT_WHO];
    uint32_t inst[ACT_WHO];
    char key[ACT_KEY_MAX];
} act_slot_t;

typedef struct role {
    char *name;
    exo_rt_route_t **routes;  /* open addressing by name */
    size_t routes_cap, n_routes, n_denied;
    exo_rt_route_t *denied_other;
    exo_rt_instance_t **inst;
    size_t n_inst, cap_inst, n_regular, rr;
} role_t;

struct exo_rt {
    role_t *roles;
    size_t n_roles;
    exo_rt_instance_t **by_rid; /* open addressing by routing id */
    size_t rid_cap, n_total;
    uint32_t next_id;
    act_slot_t *acts;           /* allocated on first use */
};

static uint64_t hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void route_free(exo_rt_route_t *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n_recv; i++) {
        free(r->recv[i].name);
    }
    free(r->recv);
    free(r->name);
    free(r->public_name);
    free(r);
}

static void inst_free(exo_rt_instance_t *in)
{
    exo_outq_release(in->q);
    exo_batch_free(&in->batch);
    free(in);
}

static void role_free(role_t *ro)
{
    for (size_t i = 0; i < ro->routes_cap; i++) {
        route_free(ro->routes[i]);
    }
    free(ro->routes);
    route_free(ro->denied_other);
    for (size_t i = 0; i < ro->n_inst; i++) {
        inst_free(ro->inst[i]);
    }
    free(ro->inst);
    free(ro->name);
}

exo_rt_t *exo_rt_new(void)
{
    exo_rt_t *rt = exo_xcalloc(1, sizeof *rt);
    rt->next_id = 1;
    rt->rid_cap = 64;
    rt->by_rid = exo_xcalloc(rt->rid_cap, sizeof *rt->by_rid);
    return rt;
}

void exo_rt_free(exo_rt_t *rt)
{
    if (rt == NULL) {
        return;
    }
    for (size_t i = 0; i < rt->n_roles; i++) {
        role_free(&rt->roles[i]);
    }
    free(rt->roles);
    free(rt->by_rid);
    free(rt->acts);
    free(rt);
}

/* ---- routes by name ---- */

static exo_rt_route_t **route_slot(role_t *ro, const char *name, size_t len)
{
    size_t mask = ro->routes_cap - 1;
    for (size_t i = hash_bytes(name, len) & mask;; i = (i + 1) & mask) {
        exo_rt_route_t *r = ro->routes[i];
        if (r == NULL || (r->name_len == len && memcmp(r->name, name, len) == 0)) {
            return &ro->routes[i];
        }
    }
}

static void route_insert(role_t *ro, exo_rt_route_t *r)
{
    if ((ro->n_routes + 1) * 2 > ro->routes_cap) {
        exo_rt_route_t **old = ro->routes;
        size_t old_cap = ro->routes_cap;
        ro->routes_cap = old_cap ? old_cap * 2 : 16;
        ro->routes = exo_xcalloc(ro->routes_cap, sizeof *ro->routes);
        for (size_t i = 0; i < old_cap; i++) {
            if (old[i] != NULL) {
                *route_slot(ro, old[i]->name, old[i]->name_len) = old[i];
            }
        }
        free(old);
    }
    *route_slot(ro, r->name, r->name_len) = r;
    ro->n_routes++;
}

static exo_rt_route_t *route_new(const char *name, size_t len, const char *public_name)
{
    exo_rt_route_t *r = exo_xcalloc(1, sizeof *r);
    r->name = exo_xstrndup(name, len);
    r->name_len = len;
    r->name_ok = len <= EXO_WIRE_NAME_MAX && exo_wire_name_ok(name, len);
    r->public_name = exo_xstrndup(public_name, strlen(public_name));
    return r;
}

exo_rt_route_t *exo_rt_route_known(exo_rt_t *rt, int role, const char *name, size_t len)
{
    if (role < 0 || (size_t)role >= rt->n_roles || rt->roles[role].routes_cap == 0) {
        return NULL;
    }
    return *route_slot(&rt->roles[role], name, len);
}

exo_rt_route_t *exo_rt_route(exo_rt_t *rt, int role, const char *name, size_t len)
{
    exo_rt_route_t *known = exo_rt_route_known(rt, role, name, len);
    if (known != NULL || role < 0 || (size_t)role >= rt->n_roles) {
        return known;
    }
    role_t *ro = &rt->roles[role];
    if (ro->n_denied >= EXO_RT_DENIED_NAMES_MAX) {
        if (ro->denied_other == NULL) {
            ro->denied_other = route_new("(other undeclared names)", 24, "");
        }
        return ro->denied_other;
    }
    exo_rt_route_t *r = route_new(name, len, "");
    free(r->public_name);
    r->public_name = exo_xstrndup(name, len);
    route_insert(ro, r);
    ro->n_denied++;
    return r;
}

/* ---- building the table from JSON ---- */

static const char *translate(const json_t *spec, const char *from_key, const char *to_key,
                             const char *name)
{
    const json_t *tr = json_object_get(spec, "translations");
    size_t i;
    const json_t *t;
    json_array_foreach(tr, i, t) {
        const char *from = json_string_value(json_object_get(t, from_key));
        const char *to = json_string_value(json_object_get(t, to_key));
        if (from != NULL && to != NULL && strcmp(from, name) == 0) {
            return to;
        }
    }
    return name;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_list(const json_t *spec, const char *role, const char *key, char *err,
                      size_t errlen)
{
    const json_t *v = json_object_get(spec, key);
    if (v == NULL) {
        return 0;
    }
    if (!json_is_array(v)) {
        snprintf(err, errlen, "routes: roles.%s.%s must be an array", role, key);
        return -1;
    }
    size_t i;
    const json_t *s;
    json_array_foreach(v, i, s) {
        if (strcmp(key, "translations") == 0) {
            if (!json_is_string(json_object_get(s, "public")) ||
                !json_is_string(json_object_get(s, "internal"))) {
                snprintf(err, errlen, "routes: roles.%s.translations[%zu] needs string "
                         "'public' and 'internal'", role, i);
                return -1;
            }
        } else if (!json_is_string(s) || json_string_length(s) == 0) {
            snprintf(err, errlen, "routes: roles.%s.%s[%zu] must be a non-empty string", role,
                     key, i);
            return -1;
        }
    }
    return 0;
}

static void build_routes(role_t *roles, size_t n, const json_t *specs[], int s)
{
    const json_t *sends = json_object_get(specs[s], "sends");
    size_t i;
    const json_t *v;
    json_array_foreach(sends, i, v) {
        const char *name = json_string_value(v);
        size_t len = strlen(name);
        if (roles[s].routes_cap > 0 && *route_slot(&roles[s], name, len) != NULL) {
            continue; /* listed twice */
        }
        const char *pub = translate(specs[s], "internal", "public", name);
        exo_rt_route_t *r = route_new(name, len, pub);
        r->allowed = true;
        r->recv = exo_xcalloc(n, sizeof *r->recv);
        for (size_t k = 0; k < n; k++) {
            const json_t *recv = json_object_get(specs[k], "receives");
            size_t j;
            const json_t *w;
            json_array_foreach(recv, j, w) {
                const char *rname = json_string_value(w);
                if (strcmp(translate(specs[k], "internal", "public", rname), pub) == 0) {
                    exo_rt_receiver_t *rc = &r->recv[r->n_recv++];
                    rc->role = (int)k;
                    rc->name_len = strlen(rname);
                    rc->name = exo_xstrndup(rname, rc->name_len);
                    rc->translated = strcmp(rname, pub) != 0;
                    break;
                }
            }
        }
        route_insert(&roles[s], r);
    }
}

/* The role names of a routing table, checked and sorted (role indexes follow this order);
 * NULL with @p err filled when the table is malformed. */
static const char **checked_role_names(const json_t *jroles, char *err, size_t errlen)
{
    size_t n = json_object_size(jroles), k = 0;
    const char **names = exo_xcalloc(n, sizeof *names);
    const char *key;
    const json_t *spec;
    json_object_foreach((json_t *)jroles, key, spec) {
        if (!json_is_object(spec)) {
            snprintf(err, errlen, "routes: roles.%s must be an object", key);
            free(names);
            return NULL;
        }
        if (check_list(spec, key, "sends", err, errlen) < 0 ||
            check_list(spec, key, "receives", err, errlen) < 0 ||
            check_list(spec, key, "translations", err, errlen) < 0) {
            free(names);
            return NULL;
        }
        names[k++] = key;
    }
    qsort(names, n, sizeof *names, cmp_str);
    return names;
}

/* Move the instances of roles that stay in @p roles over from the current table, and free the
 * current roles; returns how many instances were dropped with their role. */
static size_t adopt_instances(exo_rt_t *rt, role_t *roles, size_t n)
{
    size_t lost = 0;
    for (size_t i = 0; i < rt->n_roles; i++) {
        role_t *old = &rt->roles[i];
        int ni = -1;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(roles[j].name, old->name) == 0) {
                ni = (int)j;
            }
        }
        if (ni >= 0) {
            role_t *nr = &roles[ni];
            nr->inst = old->inst;
            nr->n_inst = old->n_inst;
            nr->cap_inst = old->cap_inst;
            nr->n_regular = old->n_regular;
            for (size_t j = 0; j < nr->n_inst; j++) {
                nr->inst[j]->role = ni;
            }
            old->inst = NULL;
            old->n_inst = 0;
        } else {
            lost += old->n_inst;
        }
        role_free(old);
    }
    free(rt->roles);
    return lost;
}

/* Rebuild the routing-id index from the roles' instances. */
static void reindex_rids(exo_rt_t *rt)
{
    memset(rt->by_rid, 0, rt->rid_cap * sizeof *rt->by_rid);
    rt->n_total = 0;
    size_t mask = rt->rid_cap - 1;
    for (size_t i = 0; i < rt->n_roles; i++) {
        for (size_t j = 0; j < rt->roles[i].n_inst; j++) {
            exo_rt_instance_t *in = rt->roles[i].inst[j];
            size_t s = hash_bytes(in->rid, in->rid_len) & mask;
            while (rt->by_rid[s] != NULL) {
                s = (s + 1) & mask;
            }
            rt->by_rid[s] = in;
            rt->n_total++;
        }
    }
}

int exo_rt_set_routes(exo_rt_t *rt, const json_t *routes, size_t *dropped, char *err,
                      size_t errlen)
{
    const json_t *jroles = json_object_get(routes, "roles");
    if (!json_is_object(jroles)) {
        snprintf(err, errlen, "routes: expected an object with a 'roles' object");
        return -1;
    }
    const char **names = checked_role_names(jroles, err, errlen);
    if (names == NULL) {
        return -1;
    }
    size_t n = json_object_size(jroles);
    const json_t **specs = exo_xcalloc(n, sizeof *specs);
    role_t *roles = exo_xcalloc(n, sizeof *roles);
    for (size_t i = 0; i < n; i++) {
        specs[i] = json_object_get(jroles, names[i]);
        roles[i].name = exo_xstrdup(names[i]);
    }
    for (size_t i = 0; i < n; i++) {
        build_routes(roles, n, specs, (int)i);
    }
    size_t lost = adopt_instances(rt, roles, n);
    rt->roles = roles;
    rt->n_roles = n;
    /* Sticky entries name roles by index: they no longer hold. */
    reindex_rids(rt);
    if (rt->acts != NULL) {
        memset(rt->acts, 0, ACT_BUCKETS * ACT_WAYS * sizeof *rt->acts);
    }
    free(specs);
    free(names);
    if (dropped != NULL) {
        *dropped = lost;
    }
    return 0;
}

size_t exo_rt_role_count(const exo_rt_t *rt)
{
    return rt->n_roles;
}

const char *exo_rt_role_name(const exo_rt_t *rt, int role)
{
    return role >= 0 && (size_t)role < rt->n_roles ? rt->roles[role].name : NULL;
}

int exo_rt_role_find(const exo_rt_t *rt, const char *name, size_t len)
{
    for (size_t i = 0; i < rt->n_roles; i++) {
        if (strncmp(rt->roles[i].name, name, len) == 0 && rt->roles[i].name[len] == '\0') {
            return (int)i;
        }
    }
    return -1;
}

size_t exo_rt_role_instances(const exo_rt_t *rt, int role)
{
    return role >= 0 && (size_t)role < rt->n_roles ? rt->roles[role].n_inst : 0;
}

/* ---- instances ---- */

static size_t rid_find(const exo_rt_t *rt, const void *rid, size_t len)
{
    size_t mask = rt->rid_cap - 1;
    for (size_t i = hash_bytes(rid, len) & mask;; i = (i + 1) & mask) {
        const exo_rt_instance_t *in = rt->by_rid[i];
        if (in == NULL || (in->rid_len == len && memcmp(in->rid, rid, len) == 0)) {
            return i;
        }
    }
}

static void rid_rehash(exo_rt_t *rt, size_t cap, const exo_rt_instance_t *skip)
{
    exo_rt_instance_t **old = rt->by_rid;
    size_t old_cap = rt->rid_cap;
    rt->by_rid = exo_xcalloc(cap, sizeof *rt->by_rid);
    rt->rid_cap = cap;
    rt->n_total = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] != NULL && old[i] != skip) {
            rt->by_rid[rid_find(rt, old[i]->rid, old[i]->rid_len)] = old[i];
            rt->n_total++;
        }
    }
    free(old);
}

exo_rt_instance_t *exo_rt_lookup(exo_rt_t *rt, const void *rid, size_t rid_len)
{
    if (rid_len == 0 || rid_len > EXO_RT_RID_MAX) {
        return NULL;
    }
    return rt->by_rid[rid_find(rt, rid, rid_len)];
}

exo_rt_instance_t *exo_rt_instance_by_id(exo_rt_t *rt, uint32_t id)
{
    for (size_t i = 0; i < rt->n_roles; i++) {
        for (size_t j = 0; j < rt->roles[i].n_inst; j++) {
            if (rt->roles[i].inst[j]->id == id) {
                return rt->roles[i].inst[j];
            }
        }
    }
    return NULL;
}

static void role_detach(role_t *ro, exo_rt_instance_t *in)
{
    for (size_t j = 0; j < ro->n_inst; j++) {
        if (ro->inst[j] == in) {
            memmove(&ro->inst[j], &ro->inst[j + 1], (ro->n_inst - j - 1) * sizeof *ro->inst);
            ro->n_inst--;
            if (!in->transient) {
                ro->n_regular--;
            }
            return;
        }
    }
}

static void role_attach(role_t *ro, exo_rt_instance_t *in)
{
    if (ro->n_inst == ro->cap_inst) {
        ro->cap_inst = ro->cap_inst ? ro->cap_inst * 2 : 4;
        ro->inst = exo_xrealloc(ro->inst, ro->cap_inst * sizeof *ro->inst);
    }
    ro->inst[ro->n_inst++] = in;
    if (!in->transient) {
        ro->n_regular++;
    }
}

exo_rt_instance_t *exo_rt_register(exo_rt_t *rt, int role, const void *rid, size_t rid_len,
                                   const char *label, size_t label_len, bool transient,
                                   unsigned long long now)
{
    if (role < 0 || (size_t)role >= rt->n_roles || rid_len == 0 || rid_len > EXO_RT_RID_MAX) {
        return NULL;
    }
    exo_rt_instance_t *in = exo_rt_lookup(rt, rid, rid_len);
    if (in != NULL) {
        role_detach(&rt->roles[in->role], in);
    } else {
        if ((rt->n_total + 1) * 2 > rt->rid_cap) {
            rid_rehash(rt, rt->rid_cap * 2, NULL);
        }
        in = exo_xcalloc(1, sizeof *in);
        in->q = exo_outq_new();
        in->id = rt->next_id++;
        in->rid_len = (uint8_t)rid_len;
        memcpy(in->rid, rid, rid_len);
        rt->by_rid[rid_find(rt, rid, rid_len)] = in;
        rt->n_total++;
    }
    in->role = role;
    in->transient = transient;
    in->last_seen = now;
    size_t n = label_len < sizeof in->label - 1 ? label_len : sizeof in->label - 1;
    memcpy(in->label, label, n);
    in->label[n] = '\0';
    role_attach(&rt->roles[role], in);
    return in;
}

void exo_rt_unregister(exo_rt_t *rt, exo_rt_instance_t *in)
{
    if (in == NULL) {
        return;
    }
    role_detach(&rt->roles[in->role], in);
    /* Linear probing has no cheap delete; unregistering is rare, so rebuild. */
    rid_rehash(rt, rt->rid_cap, in);
    inst_free(in);
}

void exo_rt_expire(exo_rt_t *rt, unsigned long long before,
                   void (*fn)(void *arg, const exo_rt_instance_t *inst), void *arg)
{
    for (size_t i = 0; i < rt->n_roles; i++) {
        role_t *ro = &rt->roles[i];
        for (size_t j = 0; j < ro->n_inst;) {
            exo_rt_instance_t *in = ro->inst[j];
            if (in->last_seen < before) {
                if (fn != NULL) {
                    fn(arg, in);
                }
                exo_rt_unregister(rt, in);
            } else {
                j++;
            }
        }
    }
}

/* ---- sticky activities ---- */

static act_slot_t *act_get(exo_rt_t *rt, const char *key, size_t len, unsigned long long now,
                           bool create)
{
    if (len == 0 || len > ACT_KEY_MAX) {
        return NULL;
    }
    if (rt->acts == NULL) {
        if (!create) {
            return NULL;
        }
        rt->acts = exo_xcalloc(ACT_BUCKETS * ACT_WAYS, sizeof *rt->acts);
    }
    uint64_t h = hash_bytes(key, len);
    act_slot_t *b = &rt->acts[(h & (ACT_BUCKETS - 1)) * ACT_WAYS];
    act_slot_t *victim = &b[0];
    for (unsigned w = 0; w < ACT_WAYS; w++) {
        act_slot_t *s = &b[w];
        bool live = s->len != 0 && now - s->last <= EXO_RT_ACTIVITY_TTL_MS;
        if (live && s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
            s->last = now;
            return s;
        }
        if (!live) {
            s->len = 0;
        }
        if (victim->len != 0 && (s->len == 0 || s->last < victim->last)) {
            victim = s;
        }
    }
    if (!create) {
        return NULL;
    }
    memset(victim, 0, sizeof *victim);
    victim->hash = h;
    victim->len = (uint8_t)len;
    victim->last = now;
    memcpy(victim->key, key, len);
    return victim;
}

static void act_set(act_slot_t *s, int role, uint32_t inst)
{
    for (unsigned i = 0; i < s->n_who; i++) {
        if (s->role[i] == role) {
            s->inst[i] = inst;
            return;
        }
    }
    unsigned i = s->n_who < ACT_WHO ? s->n_who++ : ACT_WHO - 1;
    s->role[i] = (uint16_t)role;
    s->inst[i] = inst;
}

void exo_rt_note(exo_rt_t *rt, const exo_rt_instance_t *inst, const char *activity, size_t len,
                 unsigned long long now)
{
    const role_t *ro = &rt->roles[inst->role];
    /* With one instance there is nothing to be sticky about. */
    if (ro->n_inst < 2 && !inst->transient) {
        return;
    }
    act_slot_t *s = act_get(rt, activity, len, now, true);
    if (s != NULL) {
        act_set(s, inst->role, inst->id);
    }
}

exo_rt_instance_t *exo_rt_pick(exo_rt_t *rt, int role, const char *activity, size_t len,
                               unsigned long long now)
{
    role_t *ro = &rt->roles[role];
    if (ro->n_inst == 0) {
        return NULL;
    }
    if (ro->n_inst == 1 && ro->n_regular == 1) {
        return ro->inst[0];
    }
    act_slot_t *s = act_get(rt, activity, len, now, ro->n_regular > 0);
    if (s != NULL) {
        for (unsigned i = 0; i < s->n_who; i++) {
            if (s->role[i] != role) {
                continue;
            }
            for (size_t j = 0; j < ro->n_inst; j++) {
                if (ro->inst[j]->id == s->inst[i]) {
                    return ro->inst[j];
                }
            }
        }
    }
    if (ro->n_regular == 0) {
        return NULL;
    }
    exo_rt_instance_t *in = NULL;
    for (size_t tries = 0; tries < ro->n_inst; tries++) {
        in = ro->inst[ro->rr++ % ro->n_inst];
        if (!in->transient) {
            break;
        }
    }
    if (s != NULL) {
        act_set(s, role, in->id);
    }
    return in;
}

/* ---- sticky replies carried in the envelope (via) ---- */

/* Parse the stamp "ROLE.ID" at [p, end); false when it is not one. */
static bool via_parse(const char *p, const char *end, unsigned long *role, unsigned long *id)
{
    char buf[32];
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= sizeof buf) {
        return false;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *dot, *rest;
    *role = strtoul(buf, &dot, 10);
    if (dot == buf || *dot != '.') {
        return false;
    }
    *id = strtoul(dot + 1, &rest, 10);
    return rest != dot + 1 && *rest == '\0';
}

/* Calls fn for each well-formed stamp, in order; stops when it returns true. */
static bool via_each(const char *via, size_t len,
                     bool (*fn)(void *arg, const char *p, size_t n, unsigned long role,
                                unsigned long id), void *arg)
{
    const char *p = via, *end = via + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        unsigned long role, id;
        if (via_parse(p, stop, &role, &id) && fn(arg, p, (size_t)(stop - p), role, id)) {
            return true;
        }
        p = stop + (comma != NULL);
    }
    return false;
}

typedef struct via_out {
    char *buf;
    size_t len;
    unsigned long skip_role;
} via_out_t;

static bool via_keep(void *arg, const char *p, size_t n, unsigned long role, unsigned long id)
{
    via_out_t *o = arg;
    if (role != o->skip_role && o->len + n + 1 <= EXO_RT_VIA_MAX) {
        memcpy(o->buf + o->len, p, n);
        o->len += n;
        o->buf[o->len++] = ',';
    }
    return false;
}

size_t exo_rt_via_stamp(const exo_rt_t *rt, const exo_rt_instance_t *from, const char *via,
                        size_t len, char *out)
{
    (void)rt;
    char own[32];
    int n = snprintf(own, sizeof own, "%d.%u", from->role, from->id);
    via_out_t o = {out, 0, (unsigned long)from->role};
    via_each(via, len, via_keep, &o);
    /* Make room for our own stamp by dropping the oldest ones. */
    size_t start = 0;
    while (o.len - start + (size_t)n > EXO_RT_VIA_MAX) {
        char *comma = memchr(out + start, ',', o.len - start);
        start = (size_t)(comma - out) + 1;
    }
    memmove(out, out + start, o.len - start);
    o.len -= start;
    memcpy(out + o.len, own, (size_t)n);
    o.len += (size_t)n;
    out[o.len] = '\0';
    return o.len;
}

typedef struct via_find {
    unsigned long role;
    unsigned long id;
    bool found;
} via_find_t;

static bool via_match(void *arg, const char *p, size_t n, unsigned long role, unsigned long id)
{
    via_find_t *f = arg;
    if (role == f->role) {
        f->id = id;
        f->found = true;
    }
    return f->found;
}

int exo_rt_via_pick(exo_rt_t *rt, int role, const char *via, size_t len,
                    exo_rt_instance_t **out)
{
    via_find_t f = {.role = (unsigned long)role};
    *out = NULL;
    if (len == 0 || !via_each(via, len, via_match, &f)) {
        return 0;
    }
    const role_t *ro = &rt->roles[role];
    for (size_t j = 0; j < ro->n_inst; j++) {
        if (ro->inst[j]->id == f.id) {
            *out = ro->inst[j];
        }
    }
    return 1;
}

/* ---- stats ---- */

static json_t *route_json(const exo_rt_t *rt, const role_t *ro, const exo_rt_route_t *r)
{
    json_t *recv = json_array();
    for (size_t i = 0; i < r->n_recv; i++) {
        json_array_append_new(recv, json_pack("{s:s,s:s}", "role",
                                              rt->roles[r->recv[i].role].name, "name",
                                              r->recv[i].name));
    }
    return json_pack("{s:s,s:s,s:s,s:o,s:b,s:I,s:I,s:I,s:I}", "sender", ro->name, "name",
                     r->name, "public", r->public_name, "receivers", recv, "allowed",
                     r->allowed, "delivered", (json_int_t)r->delivered, "denied",
                     (json_int_t)r->denied, "no_receiver", (json_int_t)r->no_receiver,
                     "dropped", (json_int_t)r->dropped);
}

json_t *exo_rt_stats(const exo_rt_t *rt)
{
    json_t *roles = json_object();
    json_t *routes = json_array();
    for (size_t i = 0; i < rt->n_roles; i++) {
        const role_t *ro = &rt->roles[i];
        json_t *inst = json_array();
        for (size_t j = 0; j < ro->n_inst; j++) {
            const exo_rt_instance_t *in = ro->inst[j];
            json_array_append_new(inst, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)in->id,
                                                  "label", in->label, "transient",
                                                  in->transient));
        }
        json_object_set_new(roles, ro->name, json_pack("{s:o}", "instances", inst));
        /* Declared routes first, in a stable order (hash order is not). */
        exo_rt_route_t **sorted = exo_xcalloc(ro->n_routes + 1, sizeof *sorted);
        size_t n = 0;
        for (size_t j = 0; j < ro->routes_cap; j++) {
            if (ro->routes[j] != NULL) {
                sorted[n++] = ro->routes[j];
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            for (size_t j = 0; j < n; j++) {
                if (sorted[j]->allowed == (pass == 0)) {
                    json_array_append_new(routes, route_json(rt, ro, sorted[j]));
                }
            }
        }
        if (ro->denied_other != NULL) {
            json_array_append_new(routes, route_json(rt, ro, ro->denied_other));
        }
        free(sorted);
    }
    return json_pack("{s:o,s:o}", "roles", roles, "routes", routes);
}
