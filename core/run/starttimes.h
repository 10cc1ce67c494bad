/*
 * core/run/starttimes.h - what exo learned about how long each unit of an app takes to start, so
 * that the next run starts the slowest first. Creating containers is work the engine does for
 * every unit; when a slow service (a JVM, a migration) is created first, its own start-up
 * overlaps the engine's work on the others instead of following it (longest-first
 * scheduling). Kept in <app>/.exo/start-times.json: {"ROLE": MS, ...}, MS being the unit's
 * own start-up, from when it ran to readiness (exo_sup_startup_ms), in the latest run that
 * saw it become ready. A missing or unreadable file means nothing is known: manifest order.
 *
 * Ownership: exo_starttimes_t owns its data. Threading: none.
 */
#ifndef EXO_CORE_STARTTIMES_H
#define EXO_CORE_STARTTIMES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

typedef struct exo_starttimes {
    json_t *times; /* object: name -> integer ms */
    bool dirty;    /* changed since load */
} exo_starttimes_t;

/** Load <exo_dir>/start-times.json. Never fails: a missing or malformed file (or a NULL
 *  @p exo_dir) gives an empty record; a malformed one is replaced on the next save. */
void exo_starttimes_load(exo_starttimes_t *t, const char *exo_dir);
/** Milliseconds unit @p name took to start last time; 0 when unknown. */
unsigned long long exo_starttimes_get(const exo_starttimes_t *t, const char *name);
void exo_starttimes_set(exo_starttimes_t *t, const char *name, unsigned long long ms);
/** Write the record atomically when it changed. 0, or -1 with errno. */
int exo_starttimes_save(exo_starttimes_t *t, const char *exo_dir);
void exo_starttimes_free(exo_starttimes_t *t);

/** Fill @p order (n entries) with the indices of @p names, longest known start-up first.
 *  Start-ups are compared in steps of 100 ms (closer ones are noise); ties, and unknown ones
 *  (last), keep their order in @p names. */
void exo_starttimes_order(const exo_starttimes_t *t, const char *const *names, size_t n,
                          size_t *order);

#endif /* EXO_CORE_STARTTIMES_H */
