/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP protocol vocabularies: basic reply codes (RFC 5321 and extension
 * RFCs), RFC 3463 enhanced status codes (IANA "SMTP Enhanced Status Codes"
 * registry) and ESMTP service extension keywords announced in EHLO replies.
 * Pure C11 tables and lookups; no epan / GLib dependency. */
#ifndef SMTP_CODES_H
#define SMTP_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A {value, name} pair; arrays of these end with {0, NULL}. */
typedef struct {
    uint32_t value;
    const char *name;
} smtp_code_name_t;

/* ---- Basic three-digit reply codes ------------------------------------ */

/* Reply codes from RFC 5321 4.2.2/4.2.3 plus extension RFCs (RFC 4954 AUTH,
 * RFC 3207 STARTTLS, RFC 1985 ETRN, RFC 2645 ATRN, RFC 7504), sorted by
 * value. The text is a short description of the code's meaning. */
extern const smtp_code_name_t smtp_reply_codes[];

/* Description of a full reply code (e.g. 250); NULL if not in the table. */
const char *smtp_reply_code_text(unsigned code);

/* Does the server close the connection with this reply (221, 421)? */
static inline bool smtp_reply_closes(unsigned code)
{
    return code == 221 || code == 421;
}

/* RFC 5321 4.2.1 first digit: 1 "Positive preliminary", 2 "Positive
 * completion", 3 "Positive intermediate", 4 "Transient negative completion",
 * 5 "Permanent negative completion"; NULL otherwise. */
const char *smtp_reply_first_digit_text(unsigned digit);

/* RFC 5321 4.2.1 second digit: 0 "Syntax", 1 "Information", 2 "Connections",
 * 3 "Unspecified", 4 "Unspecified", 5 "Mail system"; NULL otherwise. */
const char *smtp_reply_second_digit_text(unsigned digit);

/* The same digit vocabularies as {value, name} tables. */
extern const smtp_code_name_t smtp_reply_first_digits[];
extern const smtp_code_name_t smtp_reply_second_digits[];

/* ---- RFC 3463 enhanced status codes (class.subject.detail) ------------ */

/* 2 "Success", 4 "Persistent transient failure", 5 "Permanent failure". */
extern const smtp_code_name_t smtp_enh_classes[];

/* 0 "Other or undefined status" .. 7 "Security or policy status". */
extern const smtp_code_name_t smtp_enh_subjects[];

/* Class text; NULL if cls is not 2, 4 or 5. */
const char *smtp_enh_class_text(unsigned cls);

/* Subject text; NULL if subject > 7. */
const char *smtp_enh_subject_text(unsigned subject);

/* Text of the registered code X.subject.detail (e.g. 1, 1 ->
 * "Bad destination mailbox address"), covering the entries registered by
 * RFC 3463, 3886, 4468, 4954, 5248, 6531, 6710, 7293, 7372, 7505, 8617,
 * 8689 and later. NULL if not registered. */
const char *smtp_enh_code_text(unsigned subject, unsigned detail);

/* ---- ESMTP service extensions announced in an EHLO reply -------------- */

typedef struct {
    const char *keyword;        /* upper case, e.g. "PIPELINING" */
    const char *description;    /* short human-readable description */
    const char *rfc;            /* "RFC 2920", or a vendor name */
} smtp_ehlo_ext_t;

/* Case-insensitive lookup of the keyword kw[0..len) (kw need not be
 * NUL-terminated). Returns NULL if unknown, kw is NULL or len is 0. */
const smtp_ehlo_ext_t *smtp_ehlo_ext_lookup(const char *kw, size_t len);

/* Is an EHLO keyword masked: X's but for its last letter ("XXXXXXXA")? A
 * firewall on the path writes this over an extension it will not pass
 * (Cisco ASA's ESMTP inspection, over STARTTLS). */
bool smtp_ehlo_masked(const char *kw, size_t len);

/* Is the text of a greeting masked: asterisks over every character but
 * '2', '0' and blanks, at least 8 of them? The same inspection does this
 * to the banner (its default mask-banner). */
bool smtp_greeting_masked(const char *text, size_t len);

/* ---- Why a server refuses: words it puts in a 4xx/5xx reply ---------- */

typedef struct {
    const char *name;           /* "greylisting", "blocklist", "SPF"... */
    const char *explanation;    /* what it means, in plain words */
} smtp_reason_t;

typedef struct {
    const smtp_reason_t *reason;
    size_t off, len;            /* the words found in the text */
    size_t list_off, list_len;  /* the blocklist the text names (list_len 0: none) */
} smtp_reason_match_t;

/* Is there a reason in the text of a reply line ("Greylisted", "blocked
 * using zen.spamhaus.org", "Relay access denied")? Words of several
 * reasons: the most specific wins. */
bool smtp_reply_reason(const char *text, size_t len, smtp_reason_match_t *m);

/* ---- The server software a greeting names ----------------------------- */

typedef struct {
    const char *product;        /* "Exim", "Microsoft Exchange"...; NULL: none named */
    size_t off, len;            /* the words that name it */
    size_t version_off, version_len;  /* its version, if given after them (version_len 0: none) */
} smtp_software_t;

/* Which mail software the text of a greeting names after the server's host
 * name ("mx.example.org ESMTP Exim 4.96 Sun, 06 Dec 2026", "... Sendmail
 * 8.15.2/8.15.2", "... - gsmtp"), and its version. */
bool smtp_greeting_software(const char *text, size_t len, smtp_software_t *sw);

#endif /* SMTP_CODES_H */
