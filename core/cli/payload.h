/*
 * core/cli/payload.h - the JSON payload of `exo send`, from the command line, from standard
 * input ("-") or from a file ("@FILE"): the last two carry payloads beyond the shell's
 * argument limit (128 KiB per argument on Linux). Threading: main thread only (reads stdin).
 */
#ifndef EXO_CORE_CLI_PAYLOAD_H
#define EXO_CORE_CLI_PAYLOAD_H

#include <stddef.h>

#include <jansson.h>

/**
 * Parse the payload argument @p arg of command @p cmd: "-" reads standard input to its end,
 * "@FILE" reads FILE, anything else is the JSON text itself. @p max_size is the bus's max
 * message size (bytes): a payload whose compact encoding is larger can never be delivered and
 * is refused here. On success *out is a new reference and the result is 0; on failure the
 * problem (which source, where in it, what to do) is printed to stderr, *out is NULL and the
 * result is the exit status (1).
 */
int exo_cli_payload(const char *cmd, const char *arg, size_t max_size, json_t **out);

#endif /* EXO_CORE_CLI_PAYLOAD_H */
