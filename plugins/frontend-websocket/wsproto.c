/*
 * plugins/frontend-websocket/wsproto.c - the exo.v1 wire protocol: parsing client frames and
 * building the frontend's (see wsproto.h).
 */
#include "wsproto.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static int refuse(char *why, size_t why_len, const char *reason)
{
    snprintf(why, why_len, "%s", reason);
    return -1;
}

/* A request id as the bus allows one: 1..64 printable ASCII; an integer is taken as text. */
static char *id_of(const json_t *v, bool *bad)
{
    *bad = false;
    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_integer(v))
        return exo_strdupf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    const char *s = json_string_value(v);
    size_t n = s != NULL ? json_string_length(v) : 0;
    bool ok = n >= 1 && n <= WS_MAX_ID;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= 0x21 && s[i] <= 0x7e;
    if (!ok) {
        *bad = true;
        return NULL;
    }
    return exo_xstrndup(s, n);
}

static int parse_timeout(const json_t *v, unsigned *out, char *why, size_t why_len)
{
    *out = 0;
    if (v == NULL)
        return 0;
    json_int_t t = json_is_integer(v) ? json_integer_value(v) : -1;
    if (t < 1 || t > (json_int_t)WS_MAX_TIMEOUT_MS)
        return refuse(why, why_len, "\"timeout\" must be a whole number of milliseconds "
                      "from 1 to 600000");
    *out = (unsigned)t;
    return 0;
}

static int parse_fields(json_t *root, ws_send_t *out, char *why, size_t why_len)
{
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type == NULL || strcmp(type, "send") != 0)
        return refuse(why, why_len, type == NULL ?
                      "the frame has no \"type\" (the client sends {\"type\":\"send\",...})" :
                      "unknown \"type\": a client sends only \"send\" frames");
    json_t *name = json_object_get(root, "name");
    if (!json_is_string(name) || json_string_length(name) == 0)
        return refuse(why, why_len, "\"name\" must be a message name (a non-empty string)");
    out->name = exo_xstrndup(json_string_value(name), json_string_length(name));
    if (parse_timeout(json_object_get(root, "timeout"), &out->timeout_ms, why, why_len) < 0)
        return -1;
    json_t *payload = json_object_get(root, "payload");
    if (payload != NULL && !json_is_null(payload)) {
        out->payload = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
        if (out->payload == NULL)
            return refuse(why, why_len, "the payload could not be encoded");
        out->payload_len = strlen(out->payload);
    }
    return 0;
}

int ws_parse_send(const char *text, size_t len, ws_send_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(why, why_len, "the frame is not a JSON object: %s at byte %d", jerr.text,
                 jerr.position);
        return -1;
    }
    int rc = -1;
    bool bad_id = false;
    if (!json_is_object(root)) {
        refuse(why, why_len, "the frame is not a JSON object");
    } else {
        out->id = id_of(json_object_get(root, "id"), &bad_id);
        if (bad_id)
            refuse(why, why_len, "\"id\" must be an integer or 1 to 64 printable ASCII "
                   "characters");
        else
            rc = parse_fields(root, out, why, why_len);
    }
    json_decref(root);
    return rc;
}

void ws_send_free(ws_send_t *s)
{
    free(s->name);
    free(s->payload);
    free(s->id);
    memset(s, 0, sizeof *s);
}

/* Serialise @p obj (stolen) after headroom bytes. */
static ws_frame_t frame_of(json_t *obj, size_t headroom)
{
    ws_frame_t f = {NULL, 0};
    size_t n = json_dumpb(obj, NULL, 0, JSON_COMPACT);
    f.buf = exo_xmalloc(headroom + n + 1);
    f.len = json_dumpb(obj, f.buf + headroom, n, JSON_COMPACT);
    f.buf[headroom + f.len] = '\0'; /* also a C string, for logs and tests */
    json_decref(obj);
    return f;
}

static void set_str(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(obj, key, value != NULL ? json_string(value) : json_null());
}

ws_frame_t ws_frame_welcome(const char *user, size_t max_message_size, size_t headroom)
{
    json_t *o = json_object();
    set_str(o, "type", "welcome");
    set_str(o, "user", user);
    json_object_set_new(o, "max_message_size", json_integer((json_int_t)max_message_size));
    return frame_of(o, headroom);
}

ws_frame_t ws_frame_error(const char *re, const char *error, const char *message,
                          size_t headroom)
{
    json_t *o = json_object();
    set_str(o, "type", "error");
    if (re != NULL)
        set_str(o, "re", re);
    set_str(o, "error", error);
    set_str(o, "message", message != NULL ? message : error);
    return frame_of(o, headroom);
}

ws_frame_t ws_frame_deliver(const exo_frontend_msg_t *msg, size_t headroom, bool *bad_payload)
{
    *bad_payload = false;
    if (msg->error != NULL)
        return ws_frame_error(msg->request, msg->error, msg->message, headroom);
    json_t *o = json_object();
    set_str(o, "type", "message");
    set_str(o, "name", msg->name);
    json_t *payload = NULL;
    if (msg->payload != NULL && msg->payload_len > 0) {
        payload = json_loadb(msg->payload, msg->payload_len, JSON_DECODE_ANY, NULL);
        *bad_payload = payload == NULL;
    }
    json_object_set_new(o, "payload", payload != NULL ? payload : json_null());
    set_str(o, "activity", msg->activity);
    if (msg->request != NULL)
        set_str(o, "re", msg->request);
    return frame_of(o, headroom);
}
