/*
 * natslink.h - libexoservice's link to a NATS bus (docs/bus-nats.md): chosen by exo_svc_connect
 * for a nats:// endpoint. It is a library of its own, libexoservice-nats.so.0 (it links
 * libnats), which libexoservice opens from its own directory only when a service meets a
 * NATS bus: a service on the zmq bus (and its container image) needs neither. It connects as the role's NATS user, subscribes to what the role's
 * contract (EXO_BUS_CONTRACT) receives, sends by that contract (translations, one publish per
 * receiving role, sticky subjects from via) and turns what the server says (no responders)
 * and what the contract forbids (denied, no role receives) into exo.error messages.
 *
 * Threading: libnats delivers on its own threads into a queue; everything here is called from
 * the exo_svc_t's thread, which learns of queued messages through exo_nlink_fd.
 * Ownership: messages from exo_nlink_next are the caller's (exo_svc_msg_free).
 */
#ifndef EXO_NATS_NATSLINK_H
#define EXO_NATS_NATSLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <exo/service.h>

typedef struct exo_nlink exo_nlink_t;

typedef struct exo_nlink_spec {
    const char *endpoint;   /* nats://[USER@]HOST:PORT[,nats://...] */
    const char *role;
    const char *token;      /* the NATS password */
    const char *label;
    const char *contract;   /* JSON (EXO_BUS_CONTRACT); NULL: none (an error) */
    bool transient;
} exo_nlink_spec_t;

/** Start connecting (in the background when no server answers yet). NULL with @p err on bad
 *  options or a refused connection (a wrong password). */
exo_nlink_t *exo_nlink_open(const exo_nlink_spec_t *spec, exo_error_t *err);
void exo_nlink_close(exo_nlink_t **link_p);
/** Readable while messages are queued. */
int exo_nlink_fd(const exo_nlink_t *link);
/** Bring the online state up to date; true the first time the link is online (print the
 *  readiness line then). */
bool exo_nlink_tick(exo_nlink_t *link);
bool exo_nlink_online(const exo_nlink_t *link);
/** Why the link is not online, when the server said (a refused password), else NULL. */
const char *exo_nlink_refusal(exo_nlink_t *link);
/** The next queued message (new), or NULL. */
exo_svc_msg_t *exo_nlink_next(exo_nlink_t *link);
/** Send @p name (internal) in @p activity with @p via (the handled message's, or NULL). What
 *  the contract forbids is queued as an exo.error and returns 0, like the zmq broker's
 *  verdicts. */
int exo_nlink_send(exo_nlink_t *link, const char *name, const char *id, const char *activity,
                   const char *auth, const char *via, const char *json, size_t len,
                   exo_error_t *err);

/** What libexoservice finds in libexoservice-nats (dlsym EXO_NLINK_API_SYMBOL). */
typedef struct exo_nlink_api {
    uint32_t size;
    exo_nlink_t *(*open)(const exo_nlink_spec_t *spec, exo_error_t *err);
    void (*close)(exo_nlink_t **link_p);
    int (*fd)(const exo_nlink_t *link);
    bool (*tick)(exo_nlink_t *link);
    bool (*online)(const exo_nlink_t *link);
    const char *(*refusal)(exo_nlink_t *link);
    exo_svc_msg_t *(*next)(exo_nlink_t *link);
    int (*send)(exo_nlink_t *link, const char *name, const char *id, const char *activity,
                const char *auth, const char *via, const char *json, size_t len,
                exo_error_t *err);
} exo_nlink_api_t;

#define EXO_NLINK_API_SYMBOL "exo_nlink_api"
#define EXO_NLINK_LIBRARY "libexoservice-nats.so.0"

#endif /* EXO_NATS_NATSLINK_H */
