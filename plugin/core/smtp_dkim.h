/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What of a DKIM signature (RFC 6376) can be checked without the signer's
 * key: the hash of the body, the headers it signs (h=), when it expires
 * (x=). The tags of a DKIM-Signature that say how the body was hashed (a=,
 * c=, l=, bh=), and the body's canonical form (3.4.3 simple, 3.4.4
 * relaxed), written out in pieces for a hash function. No epan dependency. */
#ifndef SMTP_DKIM_H
#define SMTP_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_imf.h"

typedef enum {
    SMTP_DKIM_SIMPLE = 0,
    SMTP_DKIM_RELAXED,
} smtp_dkim_canon_t;

typedef enum {
    SMTP_DKIM_HASH_UNKNOWN = 0,
    SMTP_DKIM_SHA1,             /* rsa-sha1 */
    SMTP_DKIM_SHA256,           /* rsa-sha256, ed25519-sha256 (RFC 8463) */
} smtp_dkim_hash_t;

typedef struct {
    smtp_dkim_hash_t hash;      /* from a= */
    smtp_dkim_canon_t body;     /* the body half of c= (simple when c= or its half is absent) */
    bool has_length;            /* l= */
    uint64_t length;
    smtp_range_t bh;            /* bh=: base64, blanks and folding possibly inside */
} smtp_dkim_body_sig_t;

/* Reads how the signature v[0..len) (unfolded) hashed the body; false when
 * it has no bh=, an a= of no known hash, or a c= or l= it cannot read. */
bool smtp_dkim_body_sig_parse(const char *v, size_t len, smtp_dkim_body_sig_t *sig);

/* Does the colon-separated list of header names h[0..len) (h=, blanks and
 * folding possibly around the names) name `name`, in any case? */
bool smtp_dkim_signs(const char *h, size_t len, const char *name);

/* The number of the tag `name` (t=, x=: seconds since 1970) of the
 * signature v[0..len); false if absent or not 1 to 12 digits. */
bool smtp_dkim_number(const char *v, size_t len, const char *name, uint64_t *n);

/* Receives the canonical body, piece by piece. */
typedef void (*smtp_dkim_sink_t)(void *data, const char *bytes, size_t len);

/* Writes the canonical form of the body body[0..len) to sink, at most
 * limit bytes of it (l=; UINT64_MAX for all), and returns its whole length.
 * Lines end in CRLF; a bare CR or LF is a byte of its line. */
uint64_t smtp_dkim_body_canon(const char *body, size_t len, smtp_dkim_canon_t canon, uint64_t limit,
                              smtp_dkim_sink_t sink, void *data);

#endif
