/*
 * core/scaffold/prompt.h - asking the user for a missing value, only when there is a user to ask:
 * standard input must be a terminal. Commands call exo_prompt_ask() for a value the command
 * line did not give; without a terminal they fail and name the flag instead, so every command
 * works non-interactively. The question goes to stderr, so stdout stays clean for scripts.
 * Threading: main thread only.
 */
#ifndef EXO_CORE_PROMPT_H
#define EXO_CORE_PROMPT_H

#include <stdbool.h>

/** True when standard input is a terminal (EXO_NO_PROMPT=1 says it is not). */
bool exo_prompt_possible(void);

/**
 * Ask @p question on stderr, showing @p default_value (may be NULL) in brackets; an empty
 * answer takes the default. Asks again while the answer is empty and there is no default.
 * Returns a new string, or NULL when stdin is not a terminal or reached end of file.
 */
char *exo_prompt_ask(const char *question, const char *default_value);

#endif /* EXO_CORE_PROMPT_H */
