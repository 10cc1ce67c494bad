/* core/dashboard/dashstate.c - the dashboard's bounded model and its JSON. See dashstate.h. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dashstate.h"
#include "run/masker.h"

typedef struct restart {
    long long at;
    int exit_code, signal;
} restart_t;

typedef struct unit {
    char *name, *kind, *backend, *state, *container;
    long pid;
    long long started_at, ready_at;
    restart_t restarts[EXO_DASH_RESTARTS];
    size_t n_restarts;   /* kept (the latest) */
    bool changed;
} unit_t;

typedef struct line {
    char *unit, *text;
    const char *stream;  /* static */
    long long t;
} line_t;

typedef struct msg {
    long long seq, t;
    char *activity, *id, *sender, *receiver, *name, *internal_name;
    const char *outcome; /* static */
    size_t size;
    char *payload;       /* the first EXO_DASH_PAYLOAD_MAX bytes; NULL when none */
    size_t kept;
} msg_t;

enum { C_DELIVERED, C_DENIED, C_NO_RECEIVER, C_DROPPED };

typedef struct edge {
    char *from, *to, *sname;   /* sname: the name as the sender writes it */
    char *public_name, *internal_name;
    unsigned long long n[4];
    bool changed;
    bool seen_only;            /* made on first sight, not from the app's routes */
} edge_t;

struct exo_dashstate {
    const exo_app_t *app;
    const exo_masker_t *masker;
    char *backend;
    long long started_at;
    json_t *colours;
    unit_t *units;
    size_t n_units;
    line_t *lines;           /* ring */
    size_t max_lines, n_lines, line_head; /* head: the oldest */
    unsigned long long lines_total, lines_pushed;
    msg_t *msgs;             /* ring */
    size_t max_msgs, n_msgs, msg_head;
    long long next_seq, seq_pushed;
    edge_t *edges;
    size_t n_edges;
    bool edges_changed;
};

static const char *static_outcome(const char *o)
{
    static const char *const names[] = {"delivered", "denied", "no-receiver", "dropped"};
    for (size_t i = 0; i < 4; i++) {
        if (o != NULL && strcmp(o, names[i]) == 0) {
            return names[i];
        }
    }
    return "dropped";
}

static int counter_of(const char *outcome)
{
    return outcome[0] == 'd' ? (outcome[2] == 'l' ? C_DELIVERED : outcome[2] == 'n'
                                ? C_DENIED : C_DROPPED) : C_NO_RECEIVER;
}

static const char *translate(const exo_service_t *svc, bool to_public, const char *name)
{
    for (size_t i = 0; i < svc->n_translations; i++) {
        const exo_translation_t *t = &svc->translations[i];
        if (strcmp(to_public ? t->internal_name : t->public_name, name) == 0) {
            return to_public ? t->public_name : t->internal_name;
        }
    }
    return name;
}

static edge_t *edge_add(exo_dashstate_t *ds, const char *from, const char *to,
                        const char *sname, const char *pub, const char *internal)
{
    ds->edges = exo_xrealloc(ds->edges, (ds->n_edges + 1) * sizeof *ds->edges);
    edge_t *e = &ds->edges[ds->n_edges++];
    *e = (edge_t){.from = exo_xstrdup(from), .to = exo_xstrdup(to), .sname = exo_xstrdup(sname),
                  .public_name = exo_xstrdup(pub),
                  .internal_name = internal != NULL ? exo_xstrdup(internal) : NULL};
    return e;
}

/* The app's routes as the broker builds them: a sender's name made public, every role that
 * receives that public name (in its own vocabulary). */
static void edges_from_routes(exo_dashstate_t *ds)
{
    const exo_app_t *app = ds->app;
    for (size_t s = 0; s < app->n_services; s++) {
        const exo_service_t *from = &app->services[s];
        for (size_t i = 0; i < from->n_sends; i++) {
            const char *pub = translate(from, true, from->sends[i]);
            for (size_t r = 0; r < app->n_services; r++) {
                const exo_service_t *to = &app->services[r];
                for (size_t k = 0; k < to->n_receives; k++) {
                    if (strcmp(translate(to, true, to->receives[k]), pub) == 0) {
                        const char *rname = to->receives[k];
                        edge_add(ds, from->role, to->role, from->sends[i], pub,
                                 strcmp(rname, pub) != 0 ? rname : NULL);
                        break;
                    }
                }
            }
        }
    }
}

exo_dashstate_t *exo_dashstate_new(const exo_app_t *app, const exo_masker_t *masker,
                                   size_t max_logs, size_t max_messages)
{
    exo_dashstate_t *ds = exo_xcalloc(1, sizeof *ds);
    ds->app = app;
    ds->masker = masker;
    ds->max_lines = max_logs ? max_logs : EXO_DASH_LOGS;
    ds->max_msgs = max_messages ? max_messages : EXO_DASH_MESSAGES;
    ds->lines = exo_xcalloc(ds->max_lines, sizeof *ds->lines);
    ds->msgs = exo_xcalloc(ds->max_msgs, sizeof *ds->msgs);
    ds->colours = json_object();
    ds->next_seq = 1;
    edges_from_routes(ds);
    return ds;
}

static void line_clear(line_t *l)
{
    free(l->unit);
    free(l->text);
}

static void msg_clear(msg_t *m)
{
    free(m->activity);
    free(m->id);
    free(m->sender);
    free(m->receiver);
    free(m->name);
    free(m->internal_name);
    free(m->payload);
}

void exo_dashstate_free(exo_dashstate_t **ds_p)
{
    exo_dashstate_t *ds = *ds_p;
    if (ds == NULL) {
        return;
    }
    for (size_t i = 0; i < ds->n_units; i++) {
        unit_t *u = &ds->units[i];
        free(u->name);
        free(u->kind);
        free(u->backend);
        free(u->state);
        free(u->container);
    }
    for (size_t i = 0; i < ds->n_lines; i++) {
        line_clear(&ds->lines[(ds->line_head + i) % ds->max_lines]);
    }
    for (size_t i = 0; i < ds->n_msgs; i++) {
        msg_clear(&ds->msgs[(ds->msg_head + i) % ds->max_msgs]);
    }
    for (size_t i = 0; i < ds->n_edges; i++) {
        edge_t *e = &ds->edges[i];
        free(e->from);
        free(e->to);
        free(e->sname);
        free(e->public_name);
        free(e->internal_name);
    }
    free(ds->units);
    free(ds->lines);
    free(ds->msgs);
    free(ds->edges);
    free(ds->backend);
    json_decref(ds->colours);
    free(ds);
    *ds_p = NULL;
}

void exo_dashstate_set_run(exo_dashstate_t *ds, const char *backend, long long started_at)
{
    free(ds->backend);
    ds->backend = exo_xstrdup(backend != NULL ? backend : "");
    ds->started_at = started_at;
}

void exo_dashstate_set_colour(exo_dashstate_t *ds, const char *prefix, unsigned colour)
{
    json_object_set_new(ds->colours, prefix, json_integer(colour));
}

/* ---- units ---- */

static unit_t *unit_get(exo_dashstate_t *ds, const char *name)
{
    for (size_t i = 0; i < ds->n_units; i++) {
        if (strcmp(ds->units[i].name, name) == 0) {
            return &ds->units[i];
        }
    }
    ds->units = exo_xrealloc(ds->units, (ds->n_units + 1) * sizeof *ds->units);
    unit_t *u = &ds->units[ds->n_units++];
    *u = (unit_t){.name = exo_xstrdup(name), .kind = exo_xstrdup("service"),
                  .backend = exo_xstrdup("?"), .state = exo_xstrdup("starting"), .pid = -1,
                  .changed = true};
    return u;
}

static void set_str(char **dst, const char *v, bool *changed)
{
    if ((*dst == NULL) != (v == NULL) || (v != NULL && strcmp(*dst, v) != 0)) {
        free(*dst);
        *dst = v != NULL ? exo_xstrdup(v) : NULL;
        *changed = true;
    }
}

void exo_dashstate_unit(exo_dashstate_t *ds, const char *name, const char *kind,
                        const char *backend, long pid, const char *container)
{
    unit_t *u = unit_get(ds, name);
    set_str(&u->kind, kind, &u->changed);
    set_str(&u->backend, backend, &u->changed);
    set_str(&u->container, container, &u->changed);
    if (u->pid != pid) {
        u->pid = pid;
        u->changed = true;
    }
}

void exo_dashstate_unit_state(exo_dashstate_t *ds, const char *name, const char *state,
                              bool crashed, int exit_code, int signal, long long t)
{
    unit_t *u = unit_get(ds, name);
    set_str(&u->state, state, &u->changed);
    u->changed = true;
    if (strcmp(state, "starting") == 0) {
        u->started_at = t;
        u->ready_at = 0;
    } else if (strcmp(state, "ready") == 0) {
        u->ready_at = t;
    }
    if (crashed) {
        if (u->n_restarts == EXO_DASH_RESTARTS) {
            memmove(u->restarts, u->restarts + 1, (EXO_DASH_RESTARTS - 1) * sizeof *u->restarts);
            u->n_restarts--;
        }
        u->restarts[u->n_restarts++] = (restart_t){t, exit_code, signal};
    }
}

static json_t *signal_json(int sig)
{
    const char *abbrev = sigabbrev_np(sig);
    char name[32];
    snprintf(name, sizeof name, "SIG%s", abbrev != NULL ? abbrev : "?");
    return json_string(name);
}

static json_t *ms_or_null(long long t)
{
    return t > 0 ? json_integer(t) : json_null();
}

static json_t *unit_json(const exo_dashstate_t *ds, const unit_t *u)
{
    json_t *restarts = json_array();
    for (size_t i = 0; i < u->n_restarts; i++) {
        const restart_t *r = &u->restarts[i];
        json_array_append_new(restarts, json_pack(
            "{s:I,s:o,s:o}", "at", (json_int_t)r->at, "exit_code",
            r->exit_code >= 0 ? json_integer(r->exit_code) : json_null(), "signal",
            r->signal > 0 ? signal_json(r->signal) : json_null()));
    }
    json_t *colour = json_object_get(ds->colours, u->name);
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:O}", "name", u->name, "kind",
                     u->kind, "backend", u->backend, "state", u->state, "pid",
                     u->pid > 0 ? json_integer(u->pid) : json_null(), "container",
                     u->container ? json_string(u->container) : json_null(), "started_at",
                     ms_or_null(u->started_at), "ready_at", ms_or_null(u->ready_at),
                     "restarts", restarts, "color", colour ? colour : json_null());
}

json_t *exo_dashstate_push_units(exo_dashstate_t *ds)
{
    json_t *units = NULL;
    for (size_t i = 0; i < ds->n_units; i++) {
        if (ds->units[i].changed) {
            units = units ? units : json_array();
            json_array_append_new(units, unit_json(ds, &ds->units[i]));
            ds->units[i].changed = false;
        }
    }
    return units ? json_pack("{s:o}", "units", units) : NULL;
}

/* ---- logs ---- */

void exo_dashstate_line(exo_dashstate_t *ds, const char *unit, const char *stream,
                        const char *text, size_t len, long long t)
{
    line_t *l;
    if (ds->n_lines == ds->max_lines) {
        l = &ds->lines[ds->line_head];
        line_clear(l);
        ds->line_head = (ds->line_head + 1) % ds->max_lines;
    } else {
        l = &ds->lines[(ds->line_head + ds->n_lines++) % ds->max_lines];
    }
    *l = (line_t){.unit = exo_xstrdup(unit), .text = exo_xstrndup(text, len), .t = t,
                  .stream = stream};
    ds->lines_total++;
}

/* A JSON string of @p text; a text that is not UTF-8 (jansson refuses it) has '?' for
 * every byte outside ASCII. */
static json_t *text_json(const char *text, size_t len)
{
    json_t *j = json_stringn(text, len);
    if (j == NULL) {
        char *ascii = exo_xstrndup(text, len);
        for (size_t i = 0; i < len; i++) {
            ascii[i] = (unsigned char)ascii[i] >= 0x80 || ascii[i] == 0 ? '?' : ascii[i];
        }
        j = json_stringn(ascii, len);
        free(ascii);
    }
    return j;
}

/* A line as JSON. */
static json_t *line_json(const line_t *l)
{
    json_t *text = text_json(l->text, strlen(l->text));
    return json_pack("{s:s,s:s,s:o,s:I}", "unit", l->unit, "stream", l->stream, "text",
                     text ? text : json_string(""), "t", (json_int_t)l->t);
}

/* The last @p n kept lines, oldest first. */
static json_t *last_lines(const exo_dashstate_t *ds, size_t n)
{
    json_t *a = json_array();
    size_t from = ds->n_lines > n ? ds->n_lines - n : 0;
    for (size_t i = from; i < ds->n_lines; i++) {
        json_array_append_new(a, line_json(&ds->lines[(ds->line_head + i) % ds->max_lines]));
    }
    return a;
}

json_t *exo_dashstate_push_logs(exo_dashstate_t *ds)
{
    unsigned long long fresh = ds->lines_total - ds->lines_pushed;
    if (fresh == 0) {
        return NULL;
    }
    size_t sent = fresh < EXO_DASH_PUSH_LINES ? (size_t)fresh : EXO_DASH_PUSH_LINES;
    sent = sent < ds->n_lines ? sent : ds->n_lines;
    ds->lines_pushed = ds->lines_total;
    return json_pack("{s:o,s:I}", "lines", last_lines(ds, sent), "skipped",
                     (json_int_t)(fresh - sent));
}

size_t exo_dashstate_lines(const exo_dashstate_t *ds)
{
    return ds->n_lines;
}

/* ---- messages and edges ---- */

static edge_t *edge_find(const exo_dashstate_t *ds, const char *from, const char *to,
                         const char *sname, size_t sname_len)
{
    for (size_t i = 0; i < ds->n_edges; i++) {
        edge_t *e = &ds->edges[i];
        if (strcmp(e->from, from) == 0 && strcmp(e->to, to) == 0 &&
            strlen(e->sname) == sname_len && memcmp(e->sname, sname, sname_len) == 0) {
            return e;
        }
    }
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? exo_xstrdup(s) : NULL;
}

/* The edge made on first sight for @p m: SENDER>exo>NAME, or past EXO_DASH_SEEN_EDGES of
 * its sender (a role sending made-up names) the one edge of its other names, as the broker
 * bounds its routes. */
static edge_t *edge_seen(exo_dashstate_t *ds, const exo_dash_msg_t *m, const char *to)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->n_edges; i++) {
        n += ds->edges[i].seen_only && strcmp(ds->edges[i].from, m->sender) == 0;
    }
    char *name = n < EXO_DASH_SEEN_EDGES ? exo_xstrndup(m->name, m->name_len)
                                         : exo_xstrdup(EXO_DASH_OTHER_NAMES);
    edge_t *e = edge_find(ds, m->sender, to, name, strlen(name));
    if (e == NULL) {
        e = edge_add(ds, m->sender, to, name, name, m->internal_name);
        e->seen_only = true;
    }
    free(name);
    return e;
}

/* The message's edge: the declared one, or one made on first sight. */
static void count(exo_dashstate_t *ds, const exo_dash_msg_t *m, const char *outcome)
{
    const char *to = m->receiver != NULL ? m->receiver : "exo";
    edge_t *e = edge_find(ds, m->sender, to, m->name, m->name_len);
    if (e == NULL) {
        e = edge_seen(ds, m, to);
    }
    e->n[counter_of(outcome)]++;
    e->changed = true;
    ds->edges_changed = true;
}

void exo_dashstate_message(exo_dashstate_t *ds, const exo_dash_msg_t *m, long long t)
{
    const char *outcome = static_outcome(m->outcome);
    count(ds, m, outcome);
    msg_t *k;
    if (ds->n_msgs == ds->max_msgs) {
        k = &ds->msgs[ds->msg_head];
        msg_clear(k);
        ds->msg_head = (ds->msg_head + 1) % ds->max_msgs;
    } else {
        k = &ds->msgs[(ds->msg_head + ds->n_msgs++) % ds->max_msgs];
    }
    size_t kept = m->payload_len < EXO_DASH_PAYLOAD_MAX ? m->payload_len : EXO_DASH_PAYLOAD_MAX;
    *k = (msg_t){.seq = ds->next_seq++, .t = t, .activity = dup_or_null(m->activity),
                 .id = dup_or_null(m->id), .sender = exo_xstrdup(m->sender),
                 .receiver = dup_or_null(m->receiver),
                 .name = exo_xstrndup(m->name, m->name_len),
                 .internal_name = dup_or_null(m->internal_name), .outcome = outcome,
                 .size = m->payload != NULL ? m->payload_len : 0,
                 .payload = m->payload != NULL ? exo_xstrndup(m->payload, kept) : NULL,
                 .kept = m->payload != NULL ? kept : 0};
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *msg_json(const msg_t *m)
{
    return json_pack("{s:I,s:I,s:o,s:o,s:s,s:o,s:o,s:o,s:s,s:I}", "seq", (json_int_t)m->seq,
                     "t", (json_int_t)m->t, "activity", str_or_null(m->activity), "id",
                     str_or_null(m->id), "sender", m->sender, "receiver",
                     str_or_null(m->receiver), "name", text_json(m->name, strlen(m->name)),
                     "internal_name", str_or_null(m->internal_name), "outcome", m->outcome,
                     "size", (json_int_t)m->size);
}

static const msg_t *msg_at(const exo_dashstate_t *ds, size_t i)
{
    return &ds->msgs[(ds->msg_head + i) % ds->max_msgs];
}

/* The last @p n kept messages newer than @p after, oldest first; the others newer than
 * @p after in *skipped. */
static json_t *recent(const exo_dashstate_t *ds, size_t n, long long after, size_t *skipped)
{
    size_t newer = 0;
    while (newer < ds->n_msgs && msg_at(ds, ds->n_msgs - 1 - newer)->seq > after) {
        newer++;
    }
    size_t take = newer < n ? newer : n;
    json_t *a = json_array();
    for (size_t i = ds->n_msgs - take; i < ds->n_msgs; i++) {
        json_array_append_new(a, msg_json(msg_at(ds, i)));
    }
    if (skipped != NULL) {
        *skipped = newer - take;
    }
    return a;
}

static json_t *edge_json(const edge_t *e, bool full)
{
    json_t *j = json_pack("{s:I,s:I,s:I,s:I}", "delivered", (json_int_t)e->n[C_DELIVERED],
                          "denied", (json_int_t)e->n[C_DENIED], "no_receiver",
                          (json_int_t)e->n[C_NO_RECEIVER], "dropped",
                          (json_int_t)e->n[C_DROPPED]);
    if (full) {
        char *id = exo_strdupf("%s>%s>%s", e->from, e->to, e->public_name);
        json_object_set_new(j, "id", json_string(id));
        json_object_set_new(j, "from", json_string(e->from));
        json_object_set_new(j, "to", json_string(e->to));
        json_object_set_new(j, "name", json_string(e->public_name));
        json_object_set_new(j, "internal_name", str_or_null(e->internal_name));
        free(id);
    }
    return j;
}

json_t *exo_dashstate_push_flow(exo_dashstate_t *ds, long long t)
{
    if (!ds->edges_changed) {
        return NULL;
    }
    json_t *edges = json_object();
    for (size_t i = 0; i < ds->n_edges; i++) {
        edge_t *e = &ds->edges[i];
        if (e->changed) {
            char *id = exo_strdupf("%s>%s>%s", e->from, e->to, e->public_name);
            json_object_set_new(edges, id, edge_json(e, false));
            free(id);
            e->changed = false;
        }
    }
    size_t sampled = 0;
    json_t *a = recent(ds, EXO_DASH_PUSH_RECENT, ds->seq_pushed, &sampled);
    ds->seq_pushed = ds->next_seq - 1;
    ds->edges_changed = false;
    return json_pack("{s:I,s:o,s:o,s:I}", "t", (json_int_t)t, "edges", edges, "recent", a,
                     "sampled", (json_int_t)sampled);
}

bool exo_dashstate_edge_counts(const exo_dashstate_t *ds, const char *from, const char *to,
                               const char *name, unsigned long long counts[4])
{
    const edge_t *e = edge_find(ds, from, to, name, strlen(name));
    if (e != NULL) {
        memcpy(counts, e->n, sizeof e->n);
    }
    return e != NULL;
}

size_t exo_dashstate_messages(const exo_dashstate_t *ds)
{
    return ds->n_msgs;
}

json_t *exo_dashstate_activity(exo_dashstate_t *ds, const char *activity)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ds->n_msgs; i++) {
        const msg_t *m = msg_at(ds, i);
        if (m->activity != NULL && strcmp(m->activity, activity) == 0) {
            json_array_append_new(a, msg_json(m));
        }
    }
    return json_pack("{s:s,s:o}", "activity", activity, "messages", a);
}

json_t *exo_dashstate_payload(exo_dashstate_t *ds, long long seq)
{
    if (ds->n_msgs == 0 || seq < msg_at(ds, 0)->seq || seq > msg_at(ds, ds->n_msgs - 1)->seq) {
        return NULL;
    }
    const msg_t *m = msg_at(ds, (size_t)(seq - msg_at(ds, 0)->seq));
    bool truncated = m->kept < m->size;
    char *text = m->payload;
    size_t len = m->kept;
    char *masked = NULL;
    if (ds->masker != NULL && text != NULL && !exo_masker_empty(ds->masker)) {
        masked = exo_masker_apply(ds->masker, text, len, &len);
        /* A secret cut at the end of what was kept is not whole: hide its start too. */
        if (truncated) {
            len -= exo_masker_held(ds->masker, masked, len);
        }
        text = masked;
    }
    json_t *j = json_pack("{s:I,s:o,s:b,s:I}", "seq", (json_int_t)seq, "payload",
                          text != NULL ? text_json(text, len) : json_null(), "truncated",
                          truncated, "size", (json_int_t)m->size);
    free(masked);
    return j;
}

/* ---- the snapshot ---- */

static json_t *nodes_json(const exo_app_t *app)
{
    json_t *nodes = json_array();
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        json_array_append_new(nodes, json_pack("{s:s,s:s}", "id", svc->role, "kind",
                                               svc->frontend ? "frontend" : "service"));
    }
    for (size_t i = 0; i < app->n_resources; i++) {
        json_array_append_new(nodes, json_pack("{s:s,s:s}", "id", app->resources[i].name,
                                               "kind", "resource"));
    }
    json_array_append_new(nodes, json_pack("{s:s,s:s}", "id", "exo", "kind", "exo"));
    return nodes;
}

static json_t *roles_can_send(const exo_app_t *app)
{
    json_t *roles = json_object();
    for (size_t i = 0; i < app->n_services; i++) {
        const exo_service_t *svc = &app->services[i];
        json_t *names = json_array();
        for (size_t k = 0; k < svc->n_sends; k++) {
            json_array_append_new(names, json_string(svc->sends[k]));
        }
        json_object_set_new(roles, svc->role, names);
    }
    return roles;
}

json_t *exo_dashstate_snapshot(exo_dashstate_t *ds)
{
    json_t *units = json_array(), *edges = json_array();
    for (size_t i = 0; i < ds->n_units; i++) {
        json_array_append_new(units, unit_json(ds, &ds->units[i]));
    }
    for (size_t i = 0; i < ds->n_edges; i++) {
        json_array_append_new(edges, edge_json(&ds->edges[i], true));
    }
    return json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:O}", "app", ds->app->name,
                     "dir", ds->app->dir, "backend", ds->backend ? ds->backend : "",
                     "started_at", (json_int_t)ds->started_at, "units", units, "nodes",
                     nodes_json(ds->app), "edges", edges, "logs",
                     last_lines(ds, EXO_DASH_SNAPSHOT_LINES), "recent",
                     recent(ds, EXO_DASH_SNAPSHOT_RECENT, 0, NULL), "roles_can_send",
                     roles_can_send(ds->app), "colors", ds->colours);
}

void exo_dashstate_mark_pushed(exo_dashstate_t *ds)
{
    for (size_t i = 0; i < ds->n_units; i++) {
        ds->units[i].changed = false;
    }
    for (size_t i = 0; i < ds->n_edges; i++) {
        ds->edges[i].changed = false;
    }
    ds->edges_changed = false;
    ds->lines_pushed = ds->lines_total;
    ds->seq_pushed = ds->next_seq - 1;
}
