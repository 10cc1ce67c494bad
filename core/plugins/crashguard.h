/*
 * core/plugins/crashguard.h - names the plugin whose code is running when exo crashes.
 *
 * Plugin code runs inside exo: a plugin that dereferences NULL in describe() or init() would
 * otherwise kill exo with status 139 and not one word. Around each call into a plugin while
 * loading, the registry "enters" the guard with the plugin's file and the function; a fatal
 * signal (SEGV, BUS, ILL, FPE, ABRT) in that window prints
 *   exo: error: plugin FILE crashed (SIGSEGV) in init(); ...
 * and then dies of the same signal, so the exit status stays what it was (128 + signal).
 * The handler only write()s a message prepared before the call: async-signal-safe. It runs
 * on its own stack, so a plugin that overflows the stack is named too. A plugin that calls
 * exit() meanwhile is named the same way ("called exit() in init()", an atexit handler).
 *
 * With a report fd set (a child of isolate.h), entering also writes the line "<stage><path>"
 * and leaving the line "-" to that fd, so that the parent knows where a child died.
 *
 * Threading: main thread only; not nestable (one plugin call at a time).
 */
#ifndef EXO_CORE_CRASHGUARD_H
#define EXO_CORE_CRASHGUARD_H

/** Stages: the first byte of a report line. */
#define EXO_GUARD_OPEN 'o'     /* opening the file: its constructors run */
#define EXO_GUARD_DESCRIBE 'd' /* exo_plugin_describe() */
#define EXO_GUARD_INIT 'i'     /* init() */
#define EXO_GUARD_PROBE 'p'    /* the backend's probe() */
#define EXO_GUARD_FINI 'f'     /* fini() */

/** Arm the guard for a call into the plugin at @p path; @p stage is one of EXO_GUARD_*. */
void exo_crashguard_enter(const char *path, char stage);
/** Disarm it: the previous signal dispositions are back. */
void exo_crashguard_leave(void);
/** Also report each entry and exit on @p fd (-1: stop). */
void exo_crashguard_report_to(int fd);
/** "init()" for EXO_GUARD_INIT, ...: what a stage means, for messages. */
const char *exo_crashguard_stage_name(char stage);

#endif /* EXO_CORE_CRASHGUARD_H */
