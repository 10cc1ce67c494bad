/*
 * tests/support/cunit_main.h - the main() every CUnit test program shares.
 * A test file defines `static const exo_test_t tests[]` (ending with {NULL, NULL}) and
 * the suite name, then uses EXO_CUNIT_MAIN(name, tests, setup, teardown).
 * Exit status: 0 all passed, 1 a failure, 99 a CUnit registry error (automake "hard error").
 */
#ifndef EXO_TESTS_CUNIT_MAIN_H
#define EXO_TESTS_CUNIT_MAIN_H

#include <CUnit/Basic.h>

typedef struct exo_test {
    const char *name;
    void (*fn)(void);
} exo_test_t;

static inline int exo_cunit_run(const char *suite, const exo_test_t *tests, int (*setup)(void),
                                int (*teardown)(void))
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 99;
    }
    CU_pSuite s = CU_add_suite(suite, setup, teardown);
    if (s == NULL) {
        CU_cleanup_registry();
        return 99;
    }
    for (const exo_test_t *t = tests; t->name; t++) {
        if (CU_add_test(s, t->name, t->fn) == NULL) {
            CU_cleanup_registry();
            return 99;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}

#define EXO_CUNIT_MAIN(suite, tests, setup, teardown)                \
    int main(void)                                                   \
    {                                                                \
        return exo_cunit_run((suite), (tests), (setup), (teardown)); \
    }

#endif /* EXO_TESTS_CUNIT_MAIN_H */
