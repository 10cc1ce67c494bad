/* core/model/endpoint.c - public endpoints. See endpoint.h. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "base/util.h"

/* A whole number from 1 to 65535, digits only. */
static unsigned parse_port(const char *s)
{
    unsigned long v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 5 || strspn(s, "0123456789") != n) {
        return 0;
    }
    v = strtoul(s, NULL, 10);
    return v <= 65535 ? (unsigned)v : 0;
}

static const exo_ynode_t *port_node(const exo_ynode_t *v, const char *what, const char *file,
                                    exo_diag_t *diag)
{
    if (v->kind == EXO_YNODE_SCALAR) {
        return v;
    }
    static const char *const keys[] = {"port", "bind", NULL};
    for (size_t i = 0; i < v->n; i++) {
        const exo_ynode_t *k = v->pairs[i].key;
        if (strcmp(k->value, keys[0]) != 0 && strcmp(k->value, keys[1]) != 0) {
            const char *near = exo_closest(k->value, keys, 2);
            exo_diag_error(diag, file, k->line, k->column, "%s: unknown key '%s'%s%s%s (its "
                           "keys are port and bind)", what, k->value,
                           near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        }
    }
    const exo_ynode_t *p = exo_ynode_get(v, "port");
    if (p == NULL || exo_ynode_is_null(p)) {
        exo_diag_error(diag, file, v->line, v->column, "%s is missing 'port': the host port "
                       "to publish, e.g. port: 3000", what);
        return NULL;
    }
    return p;
}

/* bind: an IPv4 address of this machine's interfaces, or 0.0.0.0 for all of them. */
static char *parse_bind(const exo_ynode_t *v, const char *what, const char *file,
                        exo_diag_t *diag)
{
    const exo_ynode_t *b = v->kind == EXO_YNODE_MAP ? exo_ynode_get(v, "bind") : NULL;
    if (b == NULL || exo_ynode_is_null(b)) {
        return exo_xstrdup(EXO_PUBLIC_BIND_DEFAULT);
    }
    struct in_addr a;
    if (b->kind != EXO_YNODE_SCALAR || inet_pton(AF_INET, b->value, &a) != 1) {
        exo_diag_error(diag, file, b->line, b->column, "%s.bind must be an IPv4 address such "
                       "as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface), not "
                       "'%s'", what, b->kind == EXO_YNODE_SCALAR ? b->value : "a list or map");
        return NULL;
    }
    return exo_xstrdup(b->value);
}

void exo_public_parse(const exo_ynode_t *v, const char *what, const char *file,
                      exo_diag_t *diag, exo_public_t *out)
{
    memset(out, 0, sizeof *out);
    if (v == NULL || exo_ynode_is_null(v)) {
        return;
    }
    if (v->kind != EXO_YNODE_SCALAR && v->kind != EXO_YNODE_MAP) {
        exo_diag_error(diag, file, v->line, v->column, "%s must be a port (public: 3000) or a "
                       "map (public: {port: 3000, bind: 127.0.0.1}), not a list", what);
        return;
    }
    const exo_ynode_t *p = port_node(v, what, file, diag);
    unsigned port = p != NULL && p->kind == EXO_YNODE_SCALAR ? parse_port(p->value) : 0;
    if (p != NULL && port == 0) {
        exo_diag_error(diag, file, p->line, p->column, "%s: the port must be a whole number "
                       "from 1 to 65535, not '%s'", what,
                       p->kind == EXO_YNODE_SCALAR ? p->value : "a list or map");
    }
    char *bind = parse_bind(v, what, file, diag);
    if (port == 0 || bind == NULL) {
        free(bind);
        return;
    }
    *out = (exo_public_t){.port = port, .bind = bind, .line = v->line, .column = v->column};
    if (!exo_public_is_loopback(out)) {
        exo_diag_warning(diag, file, v->line, v->column, "%s binds %s: port %u is reachable "
                         "from other machines, not only from this one", what, bind, port);
    }
}

bool exo_public_is_loopback(const exo_public_t *p)
{
    return p->bind != NULL && strncmp(p->bind, "127.", 4) == 0;
}

char *exo_public_url(const exo_public_t *p)
{
    if (p->port == 0) {
        return NULL;
    }
    const char *host = p->bind == NULL || strcmp(p->bind, "0.0.0.0") == 0 ? "127.0.0.1"
                                                                         : p->bind;
    return exo_strdupf("http://%s:%u", host, p->port);
}

void exo_public_free(exo_public_t *p)
{
    free(p->bind);
    memset(p, 0, sizeof *p);
}
