/*
 * core/dashboard/dashstate.h - the dashboard's bounded model of a running app: its units
 * (state, restarts, times), a ring of log lines, a ring of routed messages (payloads kept up
 * to a bound, masked only when shown), and the edges of the message-flow map with counters
 * counted like the broker's per-route counters. It builds the JSON of the dashboard protocol
 * (docs/dashboard.md): the snapshot, the pushes (only what changed since the last push) and
 * the answers of dash.activity and dash.payload. It knows nothing of sockets or the session.
 *
 * Ownership: the model borrows the app and the masker (both outlive it) and copies every
 * string it is given. Memory: at most max_logs lines, max_messages messages of at most
 * EXO_DASH_PAYLOAD_MAX payload bytes each, the app's edges plus at most
 * EXO_DASH_SEEN_EDGES + 1 per sender for names seen outside them, and the app's units. Threading: one thread (the loop's).
 */
#ifndef EXO_CORE_DASHSTATE_H
#define EXO_CORE_DASHSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "model/app.h"

struct exo_masker;

#define EXO_DASH_LOGS 5000u            /* log lines kept */
#define EXO_DASH_MESSAGES 4096u        /* messages kept */
#define EXO_DASH_PAYLOAD_MAX 4096u     /* payload bytes kept (and shown) per message */
#define EXO_DASH_PUSH_LINES 500u       /* log lines per dash.logs push */
#define EXO_DASH_PUSH_RECENT 50u       /* messages per dash.flow push */
#define EXO_DASH_SNAPSHOT_LINES 1000u  /* log lines in a snapshot */
#define EXO_DASH_SNAPSHOT_RECENT 200u  /* messages in a snapshot */
#define EXO_DASH_RESTARTS 20u          /* restarts kept per unit (the latest) */
#define EXO_DASH_SEEN_EDGES 256u       /* edges made on first sight per sender; then one: */
#define EXO_DASH_OTHER_NAMES "(other undeclared names)"

typedef struct exo_dashstate exo_dashstate_t;

/** A routed message as the broker traced it (borrowed for the call). */
typedef struct exo_dash_msg {
    const char *sender, *receiver;   /* receiver NULL: nobody (denied, no role receives it) */
    const char *name;                /* as the sender wrote it */
    size_t name_len;
    const char *internal_name;       /* the receiver's name when it differs; NULL */
    const char *outcome;             /* "delivered", "denied", "no-receiver", "dropped" */
    const char *activity, *id;       /* NULL when unknown */
    const char *payload;             /* NULL when none; not NUL-terminated */
    size_t payload_len;
} exo_dash_msg_t;

/** A model of @p app (borrowed) keeping @p max_logs lines and @p max_messages messages
 *  (0 = the EXO_DASH_* defaults); payloads shown are masked with @p masker (may be NULL). */
exo_dashstate_t *exo_dashstate_new(const exo_app_t *app, const struct exo_masker *masker,
                                   size_t max_logs, size_t max_messages);
void exo_dashstate_free(exo_dashstate_t **ds_p);

/** What the snapshot says besides the model: the backend, when the run started. */
void exo_dashstate_set_run(exo_dashstate_t *ds, const char *backend, long long started_at);
/** The terminal colour of log prefix @p prefix (a unit, "exo", "bus"). */
void exo_dashstate_set_colour(exo_dashstate_t *ds, const char *prefix, unsigned colour);

/** Unit @p name's static facts (made when new). */
void exo_dashstate_unit(exo_dashstate_t *ds, const char *name, const char *kind,
                        const char *backend, long pid, const char *container);
/** Unit @p name is now in @p state ("starting", "ready", "restarting", "stopped",
 *  "failed") at @p t (Unix ms); a crash (@p crashed) adds a restart with @p exit_code (-1
 *  none) and @p signal (0 none). */
void exo_dashstate_unit_state(exo_dashstate_t *ds, const char *name, const char *state,
                              bool crashed, int exit_code, int signal, long long t);

/** One output line (already masked) of prefix @p unit on @p stream ("stdout", "stderr",
 *  "exo", "bus") at @p t. */
void exo_dashstate_line(exo_dashstate_t *ds, const char *unit, const char *stream,
                        const char *text, size_t len, long long t);
/** One routed message at @p t: kept in the ring, counted on its edge. */
void exo_dashstate_message(exo_dashstate_t *ds, const exo_dash_msg_t *m, long long t);

/** The snapshot (reply to dash.hello). New reference. */
json_t *exo_dashstate_snapshot(exo_dashstate_t *ds);
/** The payload of a dash.units / dash.logs / dash.flow push of what changed since the last
 *  one of its kind, or NULL when nothing did. Marks it pushed. New reference. */
json_t *exo_dashstate_push_units(exo_dashstate_t *ds);
json_t *exo_dashstate_push_logs(exo_dashstate_t *ds);
json_t *exo_dashstate_push_flow(exo_dashstate_t *ds, long long t);
/** Everything so far counts as pushed (no page is open: nothing is built). */
void exo_dashstate_mark_pushed(exo_dashstate_t *ds);
/** The messages kept of @p activity, in order (dash.activity reply). New reference. */
json_t *exo_dashstate_activity(exo_dashstate_t *ds, const char *activity);
/** The dash.payload reply for message @p seq (masked, truncated), or NULL when it is no
 *  longer kept. New reference. */
json_t *exo_dashstate_payload(exo_dashstate_t *ds, long long seq);
/** Edge counters of (@p from, @p to, @p name as the sender wrote it): false when no edge. */
bool exo_dashstate_edge_counts(const exo_dashstate_t *ds, const char *from, const char *to,
                               const char *name, unsigned long long counts[4]);

/** Kept lines and messages (tests: the bounds). */
size_t exo_dashstate_lines(const exo_dashstate_t *ds);
size_t exo_dashstate_messages(const exo_dashstate_t *ds);

#endif /* EXO_CORE_DASHSTATE_H */
