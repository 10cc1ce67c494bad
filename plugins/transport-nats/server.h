/*
 * server.h - a local nats-server as a child process of exo: started with a configuration
 * file exo wrote, its client URL learned from the server's ports file, reloaded (SIGHUP) when
 * the configuration changes, stopped with the broker (docs/bus-nats.md "Choosing it").
 *
 * The binary is $EXO_NATS_SERVER, else `nats-server` on PATH. The server runs in a process
 * group of its own (a Ctrl-C to exo's terminal must not take the bus away before exo has
 * stopped the services) and gets SIGTERM when exo dies (PR_SET_PDEATHSIG).
 *
 * Threading: the caller's thread; start blocks until the server listens (at most 10 s).
 * Ownership: the exo_nserver_t and its strings are the caller's until exo_nserver_stop.
 */
#ifndef EXO_NATS_SERVER_H
#define EXO_NATS_SERVER_H

#include <sys/types.h>

#include <exo/plugin.h>

typedef struct exo_nserver exo_nserver_t;

/** Write @p config (mode 0600: it holds credentials) to DIR/server.conf and start the server
 *  on it, logging to DIR/server.log. NULL with @p err saying why (no binary, a bad
 *  configuration, a taken port: with the server's own last log line). */
exo_nserver_t *exo_nserver_start(const char *dir, const char *config, exo_error_t *err);
/** The client URL the server reports, e.g. "nats://127.0.0.1:41017". */
const char *exo_nserver_url(const exo_nserver_t *s);
pid_t exo_nserver_pid(const exo_nserver_t *s);
/** Replace the configuration and have the server reload it (SIGHUP). */
int exo_nserver_reload(exo_nserver_t *s, const char *config, exo_error_t *err);
/** SIGTERM, then SIGKILL after 2 s; remove the ports file; free. NULL is a no-op. */
void exo_nserver_stop(exo_nserver_t *s);

#endif /* EXO_NATS_SERVER_H */
