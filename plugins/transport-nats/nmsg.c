/* nmsg.c - exo's envelope on NATS; see nmsg.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nmsg.h"

natsStatus exo_nmsg_build(natsMsg **out, const char *subject, const char *reply,
                          const exo_nmsg_out_t *m)
{
    natsStatus s = natsMsg_Create(out, subject, reply, m->payload,
                                  m->payload != NULL ? (int)m->payload_len : 0);
    if (s == NATS_OK) {
        s = natsMsgHeader_Set(*out, EXO_NMSG_H_ID, m->id);
    }
    if (s == NATS_OK) {
        s = natsMsgHeader_Set(*out, EXO_NMSG_H_ACTIVITY, m->activity);
    }
    if (s == NATS_OK && m->via != NULL && m->via[0] != '\0') {
        s = natsMsgHeader_Set(*out, EXO_NMSG_H_VIA, m->via);
    }
    if (s == NATS_OK && m->auth != NULL) {
        s = natsMsgHeader_Set(*out, EXO_NMSG_H_AUTH, m->auth);
    }
    if (s != NATS_OK) {
        natsMsg_Destroy(*out);
        *out = NULL;
    }
    return s;
}

static const char *header(natsMsg *msg, const char *key)
{
    const char *v = NULL;
    return natsMsgHeader_Get(msg, key, &v) == NATS_OK ? v : NULL;
}

int exo_nmsg_decode(natsMsg *msg, const char *app, exo_nmsg_in_t *out)
{
    memset(out, 0, sizeof(*out));
    if (exo_nsubj_parse_msg(natsMsg_GetSubject(msg), app, &out->subj) != 0) {
        return -1;
    }
    out->id = header(msg, EXO_NMSG_H_ID);
    out->activity = header(msg, EXO_NMSG_H_ACTIVITY);
    out->via = header(msg, EXO_NMSG_H_VIA);
    out->auth = header(msg, EXO_NMSG_H_AUTH);
    int len = natsMsg_GetDataLength(msg);
    out->payload = len > 0 ? natsMsg_GetData(msg) : NULL;
    out->payload_len = len > 0 ? (size_t)len : 0;
    if (out->id == NULL || out->activity == NULL) {
        exo_nsubj_msg_free(&out->subj);
        return -1;
    }
    return 0;
}

void exo_nmsg_in_free(exo_nmsg_in_t *in)
{
    exo_nsubj_msg_free(&in->subj);
}

/* The stamp of @p role in @p via: its start and length, or NULL. */
static const char *find_stamp(const char *via, const char *role, size_t *len)
{
    size_t rl = strlen(role);
    for (const char *p = via; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t l = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (l > rl + 1 && strncmp(p, role, rl) == 0 && p[rl] == '.') {
            *len = l;
            return p;
        }
        p = comma != NULL ? comma + 1 : NULL;
    }
    return NULL;
}

char *exo_nvia_instance(const char *via, const char *role)
{
    size_t len = 0;
    const char *st = via != NULL ? find_stamp(via, role, &len) : NULL;
    size_t rl = strlen(role);
    return st != NULL ? exo_xstrndup(st + rl + 1, len - rl - 1) : NULL;
}

char *exo_nvia_with(const char *via, const char *role, const char *inst)
{
    size_t len = 0;
    const char *st = via != NULL ? find_stamp(via, role, &len) : NULL;
    if (via == NULL || via[0] == '\0') {
        return exo_strdupf("%s.%s", role, inst);
    }
    if (st == NULL) {
        return exo_strdupf("%s,%s.%s", via, role, inst);
    }
    return exo_strdupf("%.*s%s.%s%s", (int)(st - via), via, role, inst, st + len);
}

char *exo_nmsg_subject(const char *app, const char *sender, const char *recv,
                       const char *public_name, const char *via)
{
    char *inst = exo_nvia_instance(via, recv);
    char *s = inst != NULL && exo_nsubj_plain_token(inst)
                  ? exo_nsubj_direct(app, recv, inst, public_name, sender)
                  : exo_nsubj_role(app, recv, public_name, sender);
    free(inst);
    return s;
}
