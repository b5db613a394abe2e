/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the libFuzzer targets of the epan-free core.
 *
 * Every function under test gets its bytes in a buffer of exactly the size
 * it is told, allocated with malloc, so AddressSanitizer reports a read one
 * byte past the end. CHECK aborts (libFuzzer saves the input) when a result
 * breaks the contract documented in plugin/core/ *.h; it is not assert(),
 * which NDEBUG would remove. */
#ifndef SMTPX_FUZZ_COMMON_H
#define SMTPX_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* A malloc'd copy of data[0..len) with no byte to spare (malloc(0) gives a
 * pointer that ASan lets nobody read). */
static inline char *fuzz_copy(const void *data, size_t len)
{
    char *p = malloc(len);
    if (!p)
        abort();
    if (len)
        memcpy(p, data, len);
    return p;
}

/* Is [off, off+len) inside a buffer of `total` bytes? */
static inline int fuzz_span_ok(size_t off, size_t len, size_t total)
{
    return off <= total && len <= total - off;
}

#endif
