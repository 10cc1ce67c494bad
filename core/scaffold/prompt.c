/* core/scaffold/prompt.c - ask on the terminal for a missing value. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prompt.h"
#include "base/util.h"

bool exo_prompt_possible(void)
{
    const char *off = getenv("EXO_NO_PROMPT");
    if (off != NULL && off[0] != '\0' && strcmp(off, "0") != 0) {
        return false;
    }
    return isatty(0) == 1;
}

char *exo_prompt_ask(const char *question, const char *default_value)
{
    if (!exo_prompt_possible()) {
        return NULL;
    }
    for (;;) {
        if (default_value != NULL && default_value[0] != '\0') {
            fprintf(stderr, "%s [%s]: ", question, default_value);
        } else {
            fprintf(stderr, "%s: ", question);
        }
        fflush(stderr);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (n < 0) {
            free(line);
            fputc('\n', stderr);
            return NULL;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) {
            line[--n] = '\0';
        }
        size_t lead = strspn(line, " \t");
        if (line[lead] != '\0') {
            char *answer = exo_xstrdup(line + lead);
            free(line);
            return answer;
        }
        free(line);
        if (default_value != NULL) {
            return exo_xstrdup(default_value);
        }
    }
}
