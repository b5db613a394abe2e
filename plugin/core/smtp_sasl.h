/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SASL as used by SMTP AUTH (RFC 4954): mechanisms, base64 checks and the
 * layout of the client messages that carry a user name or a secret.
 * No epan dependency. Spans are offsets into the decoded message. */
#ifndef SMTP_SASL_H
#define SMTP_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SMTP_SASL_UNKNOWN = 0,
    SMTP_SASL_LOGIN, SMTP_SASL_PLAIN, SMTP_SASL_CRAM_MD5, SMTP_SASL_DIGEST_MD5,
    SMTP_SASL_XOAUTH2, SMTP_SASL_OAUTHBEARER, SMTP_SASL_SCRAM_SHA_1, SMTP_SASL_SCRAM_SHA_256,
    SMTP_SASL_NTLM, SMTP_SASL_GSSAPI, SMTP_SASL_EXTERNAL, SMTP_SASL_ANONYMOUS,
    SMTP_SASL_COUNT
} smtp_sasl_mech_t;

smtp_sasl_mech_t smtp_sasl_mech(const char *s, size_t len);
const char *smtp_sasl_mech_name(smtp_sasl_mech_t mech);
/* Does the mechanism send a password or bearer token that anyone on the path can reuse? */
bool smtp_sasl_sends_secret(smtp_sasl_mech_t mech);
/* Is the client message at `step` (as in smtp_sasl_parse) the one that carries
 * it: LOGIN's second, PLAIN's, XOAUTH2's and OAUTHBEARER's first? */
bool smtp_sasl_step_has_secret(smtp_sasl_mech_t mech, unsigned step);

/* A character of the base64 alphabet (RFC 4648), padding not included. */
static inline bool smtp_base64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Strict RFC 4648 base64: alphabet, length a multiple of 4, '=' only at the end. */
bool smtp_base64_valid(const char *s, size_t len);

typedef struct {
    size_t off, len;
    bool set;
    bool saslname;  /* RFC 5802 saslname: "=2C" stands for ',' and "=3D" for '=' */
} smtp_span_t;

typedef struct {
    smtp_span_t authzid;   /* authorisation identity */
    smtp_span_t user;      /* authentication identity */
    smtp_span_t secret;    /* password or token */
    smtp_span_t digest;    /* CRAM-MD5 answer */
} smtp_sasl_fields_t;

/* Parses a decoded client message of `mech` at client step `step` (0: the
 * initial response or the answer to the first challenge). Returns false if
 * the message has not the expected layout. */
bool smtp_sasl_parse(smtp_sasl_mech_t mech, unsigned step, const uint8_t *msg, size_t len,
                     smtp_sasl_fields_t *fields);

/* Decodes a saslname (RFC 5802 section 5.1) into out (room for len + 1
 * bytes, NUL-terminated; out may be in: decoding only shortens); returns
 * its length. An '=' not followed by "2C" or "3D" is kept as it is. */
size_t smtp_saslname_decode(const uint8_t *in, size_t len, char *out);

#endif
