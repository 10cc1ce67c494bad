/*
 * core/dashboard/dashserve.h - the dashboard of `exo run`: the websocket frontend plugin opened
 * in the exo process on 127.0.0.1:PORT with a per-run access token (the page at
 * http://127.0.0.1:PORT/TOKEN/), the dashboard's static files, and the core's side of its
 * connections (exo_frontend_bus_ops_t): every message a page sends is a dashboard command
 * (dash.hello, dash.send, dash.stop, dash.start, dash.restart, dash.activity, dash.payload),
 * answered to that page; the state is pushed to every page at most every 100 ms, each push
 * built once. The model is core/dashboard/dashstate.h, fed by the session's observer.
 * docs/dashboard.md has the protocol and the bounds.
 *
 * Ownership: the dashboard borrows the session and the app (both outlive it) and owns the
 * plugin's instance, the model, its bus clients (one per role a page sends as) and timers.
 * Threading: the loop thread only (the session's loop).
 */
#ifndef EXO_CORE_DASHSERVE_H
#define EXO_CORE_DASHSERVE_H

#include "model/app.h"
#include "run/session.h"

#define EXO_DASH_MAX_CONNECTIONS 64u

typedef struct exo_dashserve exo_dashserve_t;

/** Where the page's files are: $EXO_DASHBOARD_DIR, else EXO_DATADIR/dashboard. */
const char *exo_dashserve_files(void);

/**
 * Check that the dashboard can listen on pinned port @p port (0: a free one is picked), before
 * anything starts. 0, or < 0 with @p err filled (the port is taken: what holds it).
 */
int exo_dashserve_check_port(unsigned port, exo_error_t *err);

/**
 * Serve the dashboard of session @p s (app @p app) on 127.0.0.1:@p port (0: a free port) and
 * observe the session from now on. NULL with @p err filled (no websocket frontend plugin, the
 * port taken).
 */
exo_dashserve_t *exo_dashserve_open(exo_session_t *s, const exo_app_t *app, unsigned port,
                                    exo_error_t *err);
/** http://127.0.0.1:PORT/TOKEN/ */
const char *exo_dashserve_url(const exo_dashserve_t *d);
unsigned exo_dashserve_port(const exo_dashserve_t *d);
/** Stop serving (every page is dropped), stop observing, free. Sets *d_p to NULL. */
void exo_dashserve_close(exo_dashserve_t **d_p);

#endif /* EXO_CORE_DASHSERVE_H */
