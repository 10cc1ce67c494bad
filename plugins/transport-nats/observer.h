/*
 * observer.h - exo's observer on a NATS bus: the presence messages the SDKs publish on
 * exo.APP.p.ROLE.CRED when they come online and before they leave, as the broker events
 * "register" and "unregister" of exo/transport.h (the trace lines of exo run, readiness by
 * bus registration). It connects as the user ~exo with the run's user token; it subscribes
 * to presence only, never to messages, so it is no interest that would hide a missing
 * receiver from the server's no-responders (docs/bus-nats.md "Observing the bus").
 *
 * Threading: libnats delivers on its thread; the events are posted to the host's loop and
 * reach on_trace/on_event there. exo_nobs_close may be called with posts still pending: they
 * then do nothing.
 */
#ifndef EXO_NATS_OBSERVER_H
#define EXO_NATS_OBSERVER_H

#include <exo/transport.h>

typedef struct exo_nobs exo_nobs_t;

/** Observe the bus at @p url for @p spec's on_trace / on_event (none set: NULL and no
 *  error). NULL with @p err when the connection fails. */
exo_nobs_t *exo_nobs_open(const exo_host_t *host, const exo_bus_spec_t *spec, const char *url,
                          const char *user_token, exo_error_t *err);
void exo_nobs_close(exo_nobs_t *o);

/** The instance number of an SDK's instance id (its first 12 hex digits). */
unsigned long long exo_nobs_instance(const char *inst);

#endif /* EXO_NATS_OBSERVER_H */
