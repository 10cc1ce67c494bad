/*
 * core/model/wiring.h - the message wiring of a loaded app: every message some role sends
 * should be received by some role, and the other way round, on public names (translations
 * applied). `exo check` reports it; the manifest fuzz target runs it on every input.
 * Threading: none; the app is only read.
 */
#ifndef EXO_CORE_WIRING_H
#define EXO_CORE_WIRING_H

#include <stddef.h>

#include "app.h"
#include "diag.h"

/**
 * Add a warning to @p diag for each message of @p app with no partner: sent but received by
 * no role, received but sent by none (at the service.yml item, or a frontend's item in
 * application.yml), or translated to a public name no role has (at the translation in
 * application.yml). Frontends are roles like services here. Returns the number of distinct
 * public message names.
 */
size_t exo_app_check_wiring(const exo_app_t *app, exo_diag_t *diag);

#endif /* EXO_CORE_WIRING_H */
