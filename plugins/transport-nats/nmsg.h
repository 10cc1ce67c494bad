/*
 * nmsg.h - exo's envelope on NATS (docs/bus-nats.md): the name and the sender are the
 * subject, id/activity/via/auth are headers (Exo-Id, Exo-Activity, Exo-Via, Exo-Auth), the
 * payload is the body. Also the sender's side of routing: which subjects one message goes to
 * (one per receiving role of the contract; an instance's own subject when the via names one).
 *
 * Threading: any; no state. Ownership: see each function.
 */
#ifndef EXO_NATS_NMSG_H
#define EXO_NATS_NMSG_H

#include <stddef.h>

#include <jansson.h>
#include <nats/nats.h>

#include "subject.h"

#define EXO_NMSG_H_ID "Exo-Id"
#define EXO_NMSG_H_ACTIVITY "Exo-Activity"
#define EXO_NMSG_H_VIA "Exo-Via"
#define EXO_NMSG_H_AUTH "Exo-Auth"
#define EXO_NMSG_INST_LEN 16 /* hex digits of an instance id */

/** What one message carries besides its subject; strings borrowed. */
typedef struct exo_nmsg_out {
    const char *id, *activity;
    const char *via;      /* may be NULL or "" */
    const char *auth;     /* JSON text or NULL */
    const char *payload;  /* JSON text or NULL */
    size_t payload_len;
} exo_nmsg_out_t;

/** The NATS message (new: natsMsg_Destroy) on @p subject with status replies to @p reply. */
natsStatus exo_nmsg_build(natsMsg **out, const char *subject, const char *reply,
                          const exo_nmsg_out_t *m);

/** A received message taken apart: subject fields owned, headers and payload borrowed from
 *  the natsMsg (valid while it lives). */
typedef struct exo_nmsg_in {
    exo_nsubj_msg_t subj;
    const char *id, *activity, *via, *auth;
    const char *payload;  /* NULL when empty */
    size_t payload_len;
} exo_nmsg_in_t;

/** -1 when @p msg is not a message of exo's for @p app (bad subject or no id/activity). */
int exo_nmsg_decode(natsMsg *msg, const char *app, exo_nmsg_in_t *out);
void exo_nmsg_in_free(exo_nmsg_in_t *in);

/** The instance id in @p via's stamp of @p role (new string), or NULL. */
char *exo_nvia_instance(const char *via, const char *role);
/** @p via with @p role's stamp replaced by (or added as) ROLE.INST. New string. */
char *exo_nvia_with(const char *via, const char *role, const char *inst);

/** The subject of a message from @p sender (contract's role) for receiving role @p recv:
 *  the instance's own when @p via names one of @p recv, else the role's. New string. */
char *exo_nmsg_subject(const char *app, const char *sender, const char *recv,
                       const char *public_name, const char *via);

#endif /* EXO_NATS_NMSG_H */
