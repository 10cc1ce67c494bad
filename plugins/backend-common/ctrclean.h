/*
 * plugins/backend-common/ctrclean.h - what a container backend's cleanup() finds and removes:
 * the engine's list of an app's containers or networks (each entry's exo.app label checked
 * again, so nothing else is ever touched) and the line that tells the user what went, as the
 * process backend says how many processes it killed.
 * Ownership: a ctr_leftovers_t owns its entries (ctr_leftovers_free). Threading: any.
 */
#ifndef EXO_PLUGINS_CTRCLEAN_H
#define EXO_PLUGINS_CTRCLEAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <exo/plugin.h>

/** One container or network of the app. */
typedef struct ctr_leftover {
    char *id;     /* what the engine's remove command takes */
    char *name;   /* for the user; the id when the engine gave no name */
    char *unit;   /* a container's exo.unit label, or NULL */
    char *ifname; /* a network's bridge interface when the engine names it, or NULL */
    bool removed; /* set by the backend once it removed it */
} ctr_leftover_t;

typedef struct ctr_leftovers {
    ctr_leftover_t *v;
    size_t n;
} ctr_leftovers_t;

/** The keys of one engine's list entries: @p id_key and @p labels_key name string and object
 *  members; @p name_key a string or an array of names (the first is taken, without the
 *  leading '/' docker puts there); @p ifname_key may be NULL. */
typedef struct ctr_list_keys {
    const char *id_key, *name_key, *labels_key, *ifname_key;
} ctr_list_keys_t;

/** Append to @p out the entries of the engine's JSON list @p list labelled exo.app=@p app. */
void ctr_leftovers_parse(const json_t *list, const char *app, const ctr_list_keys_t *keys,
                         ctr_leftovers_t *out);
void ctr_leftovers_free(ctr_leftovers_t *l);

/** Log (info) the entries of @p l marked removed, all in one line so that the log's rate limit
 *  (a few lines of a kind at a time) never hides one: "removed 2 containers of app APP: NAME
 *  (unit UNIT), NAME (unit UNIT)". @p kind is singular ("container", "network"). Nothing
 *  when none was removed. */
void ctr_report_removed(const exo_host_t *host, const char *app, const char *kind,
                        const ctr_leftovers_t *l);

#endif /* EXO_PLUGINS_CTRCLEAN_H */
