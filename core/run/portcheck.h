/*
 * core/run/portcheck.h - can a server listen on this TCP port? Asked before a public endpoint
 * (a pinned host port, core/model/endpoint.h) starts, so that a port another program holds
 * stops `exo run` with a message naming that program, before anything of the app runs.
 *
 * Threading: none; reads /proc, may take a moment on a machine with many processes.
 */
#ifndef EXO_CORE_PORTCHECK_H
#define EXO_CORE_PORTCHECK_H

#include <exo/plugin.h>

/**
 * 0 when a server could listen on @p address:@p port (an IPv4 address; "0.0.0.0" = every
 * interface) right now; otherwise < 0 with @p err saying why: the port is in use (by which
 * process when /proc tells, else the `ss` command that shows it), it needs privileges, or
 * the address is not one of this machine's.
 */
int exo_portcheck_listen(const char *address, unsigned port, exo_error_t *err);

#endif /* EXO_CORE_PORTCHECK_H */
