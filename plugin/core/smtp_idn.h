/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internationalised domain names: the Unicode form of "xn--" labels
 * (Punycode, RFC 3492) and the homograph a label makes when all its letters
 * are Cyrillic or Greek ones that look like Latin letters ("xn--80ak6aa92e"
 * is аррӏе, which reads as "apple"). No epan dependency. */
#ifndef SMTP_IDN_H
#define SMTP_IDN_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_IDN_MAX 1024       /* room for a domain's Unicode form or lookalike */

typedef struct {
    char unicode[SMTP_IDN_MAX];     /* the domain with its xn-- labels decoded (UTF-8), in lower case */
    char looks_like[SMTP_IDN_MAX];  /* the same with lookalike letters as the Latin ones they imitate */
    bool lookalike;                 /* a decoded label is made of lookalikes (and ASCII) only */
} smtp_idn_t;

/* Reads domain[0..len): false when no label is a valid "xn--" label (any
 * case; a domain without "xn--" is passed over at once) or the domain is
 * too long; else fills idn. A label that is no valid Punycode is kept as
 * written, and the others are still read. */
bool smtp_idn_read(const char *domain, size_t len, smtp_idn_t *idn);

#endif
