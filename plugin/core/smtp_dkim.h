/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What of a DKIM signature (RFC 6376) can be checked without the signer's
 * key: the hash of the body, the headers it signs (h=), when it expires
 * (x=). The tags of a DKIM-Signature that say how the body was hashed (a=,
 * c=, l=, bh=), and the body's canonical form (3.4.3 simple, 3.4.4
 * relaxed), written out in pieces for a hash function; and the structure
 * of an ARC chain (RFC 8617). No epan dependency. */
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

/* ARC (RFC 8617): each forwarder adds a set of three headers numbered by
 * i=: a seal, a message signature, and the results of the checks it made.
 * Without keys, a capture can still check the chain's structure (4.1.2,
 * 5.2): sets 1..N complete and single, the first seal cv=none, later seals
 * cv=pass; a seal saying cv=fail ends the chain as failed. */
typedef enum { SMTP_ARC_SEAL = 0, SMTP_ARC_SIGNATURE, SMTP_ARC_RESULTS, SMTP_ARC_KINDS } smtp_arc_kind_t;

#define SMTP_ARC_MAX 50         /* instances a chain may have */

typedef enum {
    SMTP_ARC_INTACT = 0,        /* structure as required */
    SMTP_ARC_NO_INSTANCE,       /* a header without i= of 1 to 50 */
    SMTP_ARC_FAILED,            /* the seal of instance `at` says cv=fail */
    SMTP_ARC_MISSING,           /* set `at` has no header of `kind` */
    SMTP_ARC_DUPLICATE,         /* set `at` has two of `kind` */
    SMTP_ARC_WRONG_CV,          /* the seal of `at`: cv= not none (at 1) or pass (later) */
} smtp_arc_verdict_t;

/* The sets seen so far; all zero to begin. */
typedef struct {
    uint8_t count[SMTP_ARC_MAX + 1][SMTP_ARC_KINDS];
    char cv[SMTP_ARC_MAX + 1];      /* a seal's cv=: 'n'one, 'p'ass, 'f'ail, '?' other, 0 none seen */
    unsigned highest;               /* N, the highest i= */
    bool no_instance;
    smtp_arc_kind_t no_instance_kind;
} smtp_arc_sets_t;

typedef struct {
    smtp_arc_verdict_t verdict;
    unsigned instances;             /* N */
    unsigned at;                    /* the instance the verdict names (not for NO_INSTANCE) */
    smtp_arc_kind_t kind;           /* the header kind it names (MISSING, DUPLICATE, NO_INSTANCE) */
} smtp_arc_chain_t;

/* Adds the header v[0..len) (unfolded) of kind to the sets. */
void smtp_arc_add(smtp_arc_sets_t *sets, smtp_arc_kind_t kind, const char *v, size_t len);

/* The chain's verdict: the first fault found, lowest instance first. */
void smtp_arc_verdict(const smtp_arc_sets_t *sets, smtp_arc_chain_t *chain);

#endif
