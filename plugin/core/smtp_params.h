/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ESMTP parameters of MAIL FROM and RCPT TO: RFC 5321's esmtp-param, the
 * grammar of each known value (SIZE RFC 1870, BODY RFC 6152 and 3030,
 * SMTPUTF8 RFC 6531, AUTH RFC 4954, RET, ENVID, NOTIFY and ORCPT RFC 3461,
 * REQUIRETLS RFC 8689, MT-PRIORITY RFC 6710), the attributes of Postfix's
 * XCLIENT and XFORWARD, and xtext (RFC 3461 4), in which ENVID, ORCPT, AUTH
 * and those attributes are written. No epan dependency. */
#ifndef SMTP_PARAMS_H
#define SMTP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_grammar.h"

/* Decodes the xtext in[0..len) into out (room for len bytes, not
 * NUL-terminated) and returns the decoded length. "+" and two upper-case
 * hex digits is the byte they name; a "+" without them, and a byte xtext
 * does not allow (a control, space, "=", or beyond "~"), is copied as it is,
 * and *bad is the offset of the first such (len if there is none). */
size_t smtp_xtext_decode(const char *in, size_t len, char *out, size_t *bad);

/* The commands whose parameters are checked, as a set */
typedef enum {
    SMTP_PARAM_ON_MAIL = 1,
    SMTP_PARAM_ON_RCPT = 2,
    SMTP_PARAM_ON_XCLIENT = 4,     /* NAME=VALUE attributes, of a closed set */
    SMTP_PARAM_ON_XFORWARD = 8,
} smtp_param_on_t;

/* "MAIL FROM", "RCPT TO", "XCLIENT" or "XFORWARD": the first in the set on */
const char *smtp_param_on_name(unsigned on);

/* The known parameter key[0..len) (any case) of the command on: its rank
 * among the command's known parameters (XCLIENT's NAME is 0, ADDR 1...;
 * below 16 for XCLIENT and XFORWARD, below 32 for any), or -1. */
int smtp_param_rank(smtp_param_on_t on, const char *key, size_t len);

#define SMTP_PARAMS_ALL 0xffffffffu

/* The known parameters of the command on whose bit (1 << rank) is in mask
 * ("NAME, ADDR, PORT"), into out (cap > 0 bytes, NUL-terminated, cut if
 * need be). */
void smtp_param_keys(smtp_param_on_t on, uint32_t mask, char *out, size_t cap);

typedef struct {
    const char *key;        /* upper case */
    unsigned on;            /* the commands it belongs to (smtp_param_on_t) */
    const char *value;      /* what its value must be */
    const char *rfc;        /* "RFC 1870" */
    bool needs_tls;         /* allowed only on a session under TLS */
} smtp_param_rule_t;

typedef enum {
    SMTP_PARAM_OK = 0,
    SMTP_PARAM_SYNTAX,      /* not KEYWORD[=value] as RFC 5321 4.1.2 has it */
    SMTP_PARAM_VALUE,       /* a known parameter whose value breaks its rule */
    SMTP_PARAM_XTEXT,       /* the same, in its xtext: a bad "+" escape, or a byte xtext does not allow */
    SMTP_PARAM_MISPLACED,   /* a known parameter of the other command (NOTIFY on MAIL, LOGIN on XFORWARD) */
    SMTP_PARAM_UNKNOWN,     /* an attribute XCLIENT or XFORWARD does not have */
} smtp_param_fault_t;

/* Checks the parameter p (in s) of the command on. *rule is the known
 * parameter's rule, or NULL for a parameter of another extension (only its
 * syntax is checked) or an unknown attribute. */
smtp_param_fault_t smtp_param_check(const char *s, const smtp_param_t *p, smtp_param_on_t on,
                                    const smtp_param_rule_t **rule);

/* ORCPT's value "addr-type;xtext": the length of the address type, or len
 * when there is no ";". */
size_t smtp_orcpt_type_len(const char *s, size_t len);

#endif
