/* natsconf.c - contracts and nats-server's configuration from the routing table; see
 * natsconf.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "natsconf.h"
#include "subject.h"

/* The name @p role uses on the bus for its internal @p name (its translations). */
static const char *to_public(const json_t *spec, const char *name)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(spec, "translations"), i, t) {
        const char *in = json_string_value(json_object_get(t, "internal"));
        const char *pub = json_string_value(json_object_get(t, "public"));
        if (in != NULL && pub != NULL && strcmp(in, name) == 0) {
            return pub;
        }
    }
    return name;
}

static int check_names(const json_t *spec, const char *role, const char *key, exo_error_t *err)
{
    const json_t *v = json_object_get(spec, key);
    if (v != NULL && !json_is_array(v)) {
        return exo_error_set(err, EXO_ERR_INVALID, "routes: roles.%s.%s must be an array",
                             role, key);
    }
    size_t i;
    const json_t *s;
    json_array_foreach(v, i, s) {
        if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > 255) {
            return exo_error_set(err, EXO_ERR_INVALID, "routes: roles.%s.%s[%zu] must be a "
                                 "name of 1 to 255 bytes", role, key, i);
        }
    }
    return 0;
}

int exo_nconf_check(const json_t *routes, const char *app, exo_error_t *err)
{
    if (!exo_nsubj_plain_token(app)) {
        return exo_error_set(err, EXO_ERR_INVALID, "app name '%s' cannot be a NATS subject "
                             "token: use lower-case letters, digits, '-' and '_'", app);
    }
    const json_t *roles = json_object_get(routes, "roles");
    if (!json_is_object(roles)) {
        return exo_error_set(err, EXO_ERR_INVALID, "routes: 'roles' must be an object");
    }
    const char *role;
    const json_t *spec;
    json_object_foreach((json_t *)roles, role, spec) {
        if (!exo_nsubj_plain_token(role)) {
            return exo_error_set(err, EXO_ERR_INVALID, "role name '%s' cannot be a NATS user "
                                 "and subject token: use lower-case letters, digits, '-' and "
                                 "'_'", role);
        }
        if (check_names(spec, role, "sends", err) != 0 ||
            check_names(spec, role, "receives", err) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The roles that receive public name @p pub, sorted as the table's keys come. */
static json_t *receivers(const json_t *roles, const char *pub)
{
    json_t *to = json_array();
    const char *role;
    const json_t *spec;
    json_object_foreach((json_t *)roles, role, spec) {
        size_t i;
        const json_t *r;
        json_array_foreach(json_object_get(spec, "receives"), i, r) {
            if (strcmp(to_public(spec, json_string_value(r)), pub) == 0) {
                json_array_append_new(to, json_string(role));
                break;
            }
        }
    }
    return to;
}

json_t *exo_nconf_contract(const json_t *routes, const char *app, const char *role)
{
    const json_t *roles = json_object_get(routes, "roles");
    const json_t *spec = json_object_get(roles, role);
    if (!json_is_object(spec)) {
        return NULL;
    }
    json_t *sends = json_object(), *recvs = json_object();
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(spec, "sends"), i, v) {
        const char *pub = to_public(spec, json_string_value(v));
        json_object_set_new(sends, json_string_value(v),
                            json_pack("{s:s, s:o}", "public", pub, "to", receivers(roles, pub)));
    }
    json_array_foreach(json_object_get(spec, "receives"), i, v) {
        json_object_set_new(recvs, to_public(spec, json_string_value(v)), json_copy((json_t *)v));
    }
    return json_pack("{s:s, s:s, s:o, s:o}", "app", app, "role", role, "sends", sends,
                     "receives", recvs);
}

/* A role user's permissions (docs/bus-nats.md "Contracts enforced by the server"). */
static void role_permissions(exo_buf_t *b, const json_t *contract, const char *app,
                             const char *role, const char *cred)
{
    exo_buf_puts(b, "      permissions: {\n      publish: {allow: [\n");
    const char *name;
    const json_t *v;
    json_object_foreach(json_object_get(contract, "sends"), name, v) {
        const char *pub = json_string_value(json_object_get(v, "public"));
        char *tok = exo_nsubj_escape(pub, strlen(pub));
        exo_buf_printf(b, "        \"exo.%s.r.*.%s.%s\",\n        \"exo.%s.d.*.*.%s.%s\",\n",
                       app, tok, role, app, tok, role);
        free(tok);
    }
    exo_buf_printf(b, "        \"exo.%s.p.%s.%s\"\n      ]}\n      subscribe: {allow: [\n",
                   app, role, cred);
    json_object_foreach(json_object_get(contract, "receives"), name, v) {
        char *tok = exo_nsubj_escape(name, strlen(name));
        exo_buf_printf(b, "        \"exo.%s.r.%s.%s.*\",\n        \"exo.%s.d.%s.*.%s.*\",\n",
                       app, role, tok, app, role, tok);
        free(tok);
    }
    exo_buf_printf(b, "        \"exo.%s.x.%s.>\"\n      ]}}\n", app, role);
}

static int role_users(exo_buf_t *b, const exo_nconf_server_t *c, exo_error_t *err)
{
    const char *role;
    const json_t *spec;
    json_object_foreach(json_object_get(c->routes, "roles"), role, spec) {
        const char *secret = json_string_value(json_object_get(c->secrets, role));
        if (secret == NULL || !exo_token_valid(secret)) {
            return exo_error_set(err, EXO_ERR_INVALID, "no bus secret for role %s", role);
        }
        json_t *contract = exo_nconf_contract(c->routes, c->app, role);
        exo_buf_printf(b, "    {user: \"%s\", password: \"%s\",\n", role, secret);
        role_permissions(b, contract, c->app, role, "role");
        exo_buf_printf(b, "    },\n    {user: \"%s" EXO_NCONF_USER_SUFFIX "\", password: "
                       "\"%s\",\n", role, c->user_token);
        role_permissions(b, contract, c->app, role, "user");
        exo_buf_puts(b, "    },\n");
        json_decref(contract);
    }
    return 0;
}

char *exo_nconf_server_text(const exo_nconf_server_t *c, exo_error_t *err)
{
    if (c->user_token == NULL || !exo_token_valid(c->user_token)) {
        exo_error_set(err, EXO_ERR_INVALID, "no valid user token for the NATS configuration");
        return NULL;
    }
    exo_buf_t b = {0};
    exo_buf_printf(&b, "# generated by exo for app %s: do not edit (docs/bus-nats.md)\n"
                   "listen: \"%s:%d\"\nmax_payload: %zu\n"
                   "accounts {\n  EXO {\n  users = [\n",
                   c->app, c->host, c->port, c->max_payload);
    if (role_users(&b, c, err) != 0) {
        exo_buf_free(&b);
        return NULL;
    }
    exo_buf_printf(&b, "    {user: \"" EXO_NCONF_OBSERVER "\", password: \"%s\",\n"
                   "      permissions: {publish: {deny: [\">\"]}, subscribe: {allow: [\n"
                   "        \"exo.%s.p.>\", \"exo.%s.r.>\", \"exo.%s.d.>\"]}}}\n  ]\n  }\n"
                   "  SYS {\n  users = [\n    {user: \"" EXO_NCONF_SYSTEM "\", password: "
                   "\"%s\"}\n  ]\n  }\n}\nsystem_account: SYS\n",
                   c->user_token, c->app, c->app, c->app, c->user_token);
    char *text = exo_xstrndup(b.data, b.len);
    exo_buf_free(&b);
    return text;
}
