#include "config.h"
#include "template.h"
#include "../support/cunit_main.h"
static const exo_test_t tests[] = {{NULL, NULL}};
EXO_CUNIT_MAIN("template", tests, NULL, NULL)
