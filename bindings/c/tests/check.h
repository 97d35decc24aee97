/*
 * Check counters and assertions shared by the C test programs (smoke.c, stream.c). Each test is
 * one translation unit, so the counters are file-static; main() reports them.
 */
#ifndef GOVAI_TEST_CHECK_H
#define GOVAI_TEST_CHECK_H

#include "govai.h"

#include <stdio.h>

static int checks;
static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        checks++;                                                                    \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

/* Expect success; on failure print the error and free it. Returns 1 on success. */
static int expect_ok_at(const char *file, int line, govai_error_t *err) {
    checks++;
    if (err != NULL) {
        fprintf(stderr, "%s:%d: unexpected error %u (%s): %s\n", file, line, (unsigned)govai_error_code(err),
                govai_error_kind(err), govai_error_message(err));
        govai_error_free(err);
        failures++;
        return 0;
    }
    return 1;
}
#define EXPECT_OK(err) expect_ok_at(__FILE__, __LINE__, (err))

#endif
