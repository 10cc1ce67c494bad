/*
 * core/model/endpoint.h - public endpoints: a port exo publishes on the host at a number the
 * app pins, so that a browser or another program finds it at the same place on every run
 * (Exosphere's public roles on localhost:3000). Today application.yml services.<role>.public;
 * any other part of the app that listens (a frontend) takes the same `public` value and this
 * same struct, so the check, `exo run`'s URLs, the run record and the generators read one
 * shape. Everything without a public endpoint is private: a random loopback port per run.
 *
 * The value is either a port or a map:
 *     public: 3000
 *     public: {port: 3000, bind: 0.0.0.0}
 * docs/configuration.md documents it.
 *
 * Ownership: an exo_public_t owns its bind string (exo_public_free). Threading: none.
 */
#ifndef EXO_CORE_ENDPOINT_H
#define EXO_CORE_ENDPOINT_H

#include <stdbool.h>

#include "diag.h"
#include "yamlnode.h"

/** The address a public endpoint is published on unless the app says otherwise. */
#define EXO_PUBLIC_BIND_DEFAULT "127.0.0.1"

typedef struct exo_public {
    unsigned port;     /* host port, 1-65535; 0 = not public (private, random each run) */
    char *bind;        /* IPv4 address the port is published on; NULL when not public */
    int line, column;  /* where the value is written, for findings about it */
} exo_public_t;

/**
 * Parse the value @p v of a `public` key (NULL or empty = not public) written in @p file;
 * @p what names it in messages ("services.web.public"). Errors and the warning for a
 * non-loopback bind go to @p diag. @p out is left not public on error.
 */
void exo_public_parse(const exo_ynode_t *v, const char *what, const char *file,
                      exo_diag_t *diag, exo_public_t *out);

/** True for 127.0.0.0/8: reachable from this machine only. */
bool exo_public_is_loopback(const exo_public_t *p);

/** The URL a client on this machine opens: http://BIND:PORT, 127.0.0.1 for a 0.0.0.0 bind.
 *  New string; NULL when @p p is not public. */
char *exo_public_url(const exo_public_t *p);

void exo_public_free(exo_public_t *p);

#endif /* EXO_CORE_ENDPOINT_H */
