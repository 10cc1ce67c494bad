/*
 * core/plugins/scan.h - which plugin files the search path holds, in load order, and whether
 * each may be trusted: the registry's first step, before any plugin file is opened.
 *
 * Search path: the directories of EXO_PLUGIN_PATH, <app>/.exo/plugins, then EXO_PLUGINDIR
 * (unless EXO_NO_INSTALLED_PLUGINS=1); *.so files in name order within a directory. A file
 * or directory that other users can write (other-writable, or group-writable by a group not
 * the caller's own) or that belongs to another user than the caller and root is refused, with
 * one warning per directory or file: whoever can write it could run code as the caller.
 *
 * Ownership: the list owns its strings. Threading: any thread (no shared state).
 */
#ifndef EXO_CORE_PLUGIN_SCAN_H
#define EXO_CORE_PLUGIN_SCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct exo_plugin_file {
    char *path;
    bool app_local; /* in <app>/.exo/plugins: code from the app's checkout */
    char *refused;  /* why it must not be opened (trust), or NULL */
} exo_plugin_file_t;

typedef struct exo_plugin_files {
    exo_plugin_file_t *v;
    size_t n, cap;
} exo_plugin_files_t;

/** Append the search path's plugin files to @p out; @p kind_mask as in registry.h. */
void exo_plugin_files_scan(exo_plugin_files_t *out, const char *app_dir, unsigned kind_mask);
void exo_plugin_files_free(exo_plugin_files_t *files);

#endif /* EXO_CORE_PLUGIN_SCAN_H */
