/*
 * subject.h - exo's message names and NATS subjects (docs/bus-nats.md "Subjects").
 *
 * A message name becomes one subject token by a reversible escape: bytes A-Z a-z 0-9 '-'
 * stay, every other byte becomes '_' and two lowercase hex digits. The subjects are
 *   exo.APP.r.RECV.NAME.SENDER          a message for role RECV (queue group RECV)
 *   exo.APP.d.RECV.INST.NAME.SENDER     a message for instance INST of RECV (sticky)
 *   exo.APP.x.ROLE.INST.RECV.ACT        the server's no-responders status for ROLE's INST
 *   exo.APP.p.ROLE.CRED                 an instance's presence (CRED "role" or "user")
 * APP, roles and instance ids are subject tokens as they are ([a-z0-9_-], hex): callers check
 * them with exo_nsubj_plain_token.
 *
 * Pure functions, any thread. Strings returned are malloc'd; the caller frees them.
 */
#ifndef EXO_NATS_SUBJECT_H
#define EXO_NATS_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

/** The longest escaped token of a 255-byte name. */
#define EXO_NSUBJ_TOKEN_MAX (255 * 3)

/** @p name (@p len bytes, any bytes) as one subject token. */
char *exo_nsubj_escape(const char *name, size_t len);
/** The name a token stands for, NUL-terminated, with its length in *len_out (may be NULL);
 *  NULL when @p tok (@p len bytes) is not an escape exo makes (a stray byte, a bad or
 *  upper-case hex pair, an escaped byte that needed none). */
char *exo_nsubj_unescape(const char *tok, size_t len, size_t *len_out);
/** True when @p s is a non-empty token that needs no escape and is safe in a subject and in
 *  nats-server's configuration as it is: [a-z0-9_-] (role, app and instance names). */
bool exo_nsubj_plain_token(const char *s);

char *exo_nsubj_role(const char *app, const char *recv, const char *name, const char *sender);
char *exo_nsubj_direct(const char *app, const char *recv, const char *inst, const char *name,
                       const char *sender);
char *exo_nsubj_status(const char *app, const char *role, const char *inst, const char *recv,
                       const char *activity);
char *exo_nsubj_presence(const char *app, const char *role, const char *cred);

/** A message subject (r. or d.) taken apart; strings are the struct's own. */
typedef struct exo_nsubj_msg {
    char *recv;     /* the receiving role */
    char *inst;     /* the instance for a d. subject, NULL for r. */
    char *name;     /* the public name, unescaped */
    size_t name_len;
    char *sender;   /* the sending role (the server allowed only its own name here) */
} exo_nsubj_msg_t;

/** Parse @p subject of app @p app into @p out; -1 when it is not a message subject of that app
 *  (out is then empty). */
int exo_nsubj_parse_msg(const char *subject, const char *app, exo_nsubj_msg_t *out);
void exo_nsubj_msg_free(exo_nsubj_msg_t *m);

/** Parse a status subject: the receiving role and the activity it reports on. */
int exo_nsubj_parse_status(const char *subject, const char *app, char **recv, char **activity);

#endif /* EXO_NATS_SUBJECT_H */
