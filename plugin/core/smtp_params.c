/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_params.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int upper_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* xchar: "!" to "~" but "+" and "=" */
static bool is_xchar(char c)
{
    return c > ' ' && c <= '~' && c != '+' && c != '=';
}

/* Reads the xtext in[0..len), decoding it into out unless that is NULL
 * (*n bytes); returns the offset of its first fault (len if none). */
static size_t xtext_walk(const char *in, size_t len, char *out, size_t *n)
{
    size_t bad = len;

    *n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        char c = in[i];
        if (c == '+' && i + 2 < len && (hi = upper_hex(in[i + 1])) >= 0 && (lo = upper_hex(in[i + 2])) >= 0) {
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        else if (!is_xchar(c) && bad == len)
            bad = i;
        if (out)
            out[*n] = c;
        (*n)++;
    }
    return bad;
}

size_t smtp_xtext_decode(const char *in, size_t len, char *out, size_t *bad)
{
    size_t n;
    *bad = xtext_walk(in, len, out, &n);
    return n;
}

/* SMTP_PARAM_XTEXT unless s[0..len) is xtext (at least one character) */
static smtp_param_fault_t xtext_fault(const char *s, size_t len)
{
    size_t n;
    return len == 0 ? SMTP_PARAM_VALUE : xtext_walk(s, len, NULL, &n) < len ? SMTP_PARAM_XTEXT : SMTP_PARAM_OK;
}

/* Is v[0..n) one of the words of list ("FULL|HDRS"), in any case? */
static bool word_in(const char *v, size_t n, const char *list)
{
    for (const char *w = list; *w;) {
        size_t wl = strcspn(w, "|");
        if (wl == n && strncasecmp(v, w, n) == 0)
            return true;
        w += wl + (w[wl] == '|');
    }
    return false;
}

static smtp_param_fault_t value_fault(bool ok)
{
    return ok ? SMTP_PARAM_OK : SMTP_PARAM_VALUE;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return len > 0;
}

/* RFC 5322 atext */
static bool is_atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static smtp_param_fault_t size_fault(const char *v, size_t n)
{
    return value_fault(n <= 20 && all_digits(v, n));
}

static smtp_param_fault_t body_fault(const char *v, size_t n)
{
    return value_fault(word_in(v, n, "7BIT|8BITMIME|BINARYMIME"));
}

static smtp_param_fault_t no_value(const char *v, size_t n)
{
    (void)v;
    return value_fault(n == 0);
}

static smtp_param_fault_t auth_fault(const char *v, size_t n)
{
    return smtp_token_is(v, n, "<>") ? SMTP_PARAM_OK : xtext_fault(v, n);
}

static smtp_param_fault_t ret_fault(const char *v, size_t n)
{
    return value_fault(word_in(v, n, "FULL|HDRS"));
}

static smtp_param_fault_t envid_fault(const char *v, size_t n)
{
    return n > 100 ? SMTP_PARAM_VALUE : xtext_fault(v, n);
}

/* -9 to 9 (RFC 6710) */
static smtp_param_fault_t priority_fault(const char *v, size_t n)
{
    size_t sign = n > 0 && (v[0] == '-' || v[0] == '+');
    return value_fault(n == sign + 1 && v[sign] >= '0' && v[sign] <= '9');
}

/* "NEVER" alone, or a list of SUCCESS, FAILURE and DELAY */
static smtp_param_fault_t notify_fault(const char *v, size_t n)
{
    if (smtp_token_is(v, n, "NEVER"))
        return SMTP_PARAM_OK;
    for (size_t start = 0; start <= n;) {
        const char *comma = memchr(v + start, ',', n - start);
        size_t end = comma ? (size_t)(comma - v) : n;
        const char *w = v + start;
        size_t wl = end - start;
        if (!word_in(w, wl, "SUCCESS|FAILURE|DELAY"))
            return SMTP_PARAM_VALUE;
        start = end + 1;
    }
    return SMTP_PARAM_OK;
}

size_t smtp_orcpt_type_len(const char *s, size_t len)
{
    const char *semi = memchr(s, ';', len);
    return semi ? (size_t)(semi - s) : len;
}

static smtp_param_fault_t orcpt_fault(const char *v, size_t n)
{
    size_t type = smtp_orcpt_type_len(v, n);
    if (n > 500 || type == 0 || type == n)
        return SMTP_PARAM_VALUE;
    for (size_t i = 0; i < type; i++) {
        if (!is_atext(v[i]))
            return SMTP_PARAM_VALUE;
    }
    return xtext_fault(v + type + 1, n - type - 1);
}

/* Postfix's value of an attribute it does not know */
static bool unavailable(const char *v, size_t n)
{
    return word_in(v, n, "[UNAVAILABLE]|[TEMPUNAVAIL]");
}

static smtp_param_fault_t attr_xtext_fault(const char *v, size_t n)
{
    return unavailable(v, n) ? SMTP_PARAM_OK : xtext_fault(v, n);
}

/* an IPv4 address, or an IPv6 one with or without "IPV6:" */
static smtp_param_fault_t attr_addr_fault(const char *v, size_t n)
{
    unsigned char addr[16];
    size_t tag = smtp_ipv6_tag_len(v, n);
    return value_fault(unavailable(v, n) || smtp_ip_parse(v + tag, n - tag, addr) != 0);
}

static smtp_param_fault_t attr_port_fault(const char *v, size_t n)
{
    if (unavailable(v, n))
        return SMTP_PARAM_OK;
    if (n > 5 || !all_digits(v, n))
        return SMTP_PARAM_VALUE;
    unsigned long port = 0;
    for (size_t i = 0; i < n; i++)
        port = port * 10 + (unsigned long)(v[i] - '0');
    return value_fault(port <= 65535);
}

static smtp_param_fault_t attr_proto_fault(const char *v, size_t n)
{
    return value_fault(unavailable(v, n) || word_in(v, n, "SMTP|ESMTP"));
}

static smtp_param_fault_t attr_source_fault(const char *v, size_t n)
{
    return value_fault(unavailable(v, n) || word_in(v, n, "LOCAL|REMOTE"));
}

#define ON_MAIL SMTP_PARAM_ON_MAIL
#define ON_RCPT SMTP_PARAM_ON_RCPT
#define ON_XCLIENT SMTP_PARAM_ON_XCLIENT
#define ON_XFORWARD SMTP_PARAM_ON_XFORWARD
#define ON_BOTH (SMTP_PARAM_ON_XCLIENT | SMTP_PARAM_ON_XFORWARD)
#define ATTRS "Postfix XCLIENT_README, XFORWARD_README"
#define XCLIENT_DOC "Postfix XCLIENT_README"
#define XFORWARD_DOC "Postfix XFORWARD_README"
#define ADDR_VALUE "an IPv4 address, IPV6: and an IPv6 address, or [UNAVAILABLE]"
#define PORT_VALUE "a TCP port from 0 to 65535, or [UNAVAILABLE]"

static const struct {
    smtp_param_rule_t rule;
    smtp_param_fault_t (*fault)(const char *v, size_t n);     /* of the value ("" when there is none) */
} known[] = {
    { { "SIZE", ON_MAIL, "the message size in octets, a decimal number", "RFC 1870", false }, size_fault },
    { { "BODY", ON_MAIL, "7BIT, 8BITMIME or BINARYMIME", "RFC 6152, RFC 3030", false }, body_fault },
    { { "SMTPUTF8", ON_MAIL, "no value", "RFC 6531", false }, no_value },
    { { "AUTH", ON_MAIL, "the submitter's address in xtext, or <>", "RFC 4954", false }, auth_fault },
    { { "RET", ON_MAIL, "FULL or HDRS", "RFC 3461", false }, ret_fault },
    { { "ENVID", ON_MAIL, "xtext of at most 100 characters", "RFC 3461", false }, envid_fault },
    { { "NOTIFY", ON_RCPT, "NEVER, or a comma-separated list of SUCCESS, FAILURE and DELAY", "RFC 3461",
        false }, notify_fault },
    { { "REQUIRETLS", ON_MAIL, "no value", "RFC 8689", true }, no_value },
    { { "MT-PRIORITY", ON_MAIL, "a priority from -9 to 9", "RFC 6710", false }, priority_fault },
    { { "ORCPT", ON_RCPT, "an address type, \";\" and the address in xtext (rfc822;user@example.com), "
                          "at most 500 characters", "RFC 3461", false }, orcpt_fault },
    { { "NAME", ON_BOTH, "the client's host name in xtext, or [UNAVAILABLE]", ATTRS, false }, attr_xtext_fault },
    { { "ADDR", ON_BOTH, ADDR_VALUE, ATTRS, false }, attr_addr_fault },
    { { "PORT", ON_BOTH, PORT_VALUE, ATTRS, false }, attr_port_fault },
    { { "PROTO", ON_BOTH, "SMTP or ESMTP, or [UNAVAILABLE]", ATTRS, false }, attr_proto_fault },
    { { "HELO", ON_BOTH, "the HELO name in xtext, or [UNAVAILABLE]", ATTRS, false }, attr_xtext_fault },
    { { "REVERSE_NAME", ON_XCLIENT, "the host name of the client's address in xtext, or [UNAVAILABLE]", XCLIENT_DOC,
        false }, attr_xtext_fault },
    { { "LOGIN", ON_XCLIENT, "the SASL user in xtext, or [UNAVAILABLE]", XCLIENT_DOC, false }, attr_xtext_fault },
    { { "DESTADDR", ON_XCLIENT, ADDR_VALUE, XCLIENT_DOC, false }, attr_addr_fault },
    { { "DESTPORT", ON_XCLIENT, PORT_VALUE, XCLIENT_DOC, false }, attr_port_fault },
    { { "IDENT", ON_XFORWARD, "the original message's queue ID in xtext, or [UNAVAILABLE]", XFORWARD_DOC, false },
      attr_xtext_fault },
    { { "SOURCE", ON_XFORWARD, "LOCAL or REMOTE, or [UNAVAILABLE]", XFORWARD_DOC, false }, attr_source_fault },
};

_Static_assert(sizeof known / sizeof known[0] <= 32, "a parameter's bit is 1 << its rank");

const char *smtp_param_on_name(unsigned on)
{
    return on & ON_MAIL ? "MAIL FROM" : on & ON_RCPT ? "RCPT TO" : on & ON_XCLIENT ? "XCLIENT" : "XFORWARD";
}

int smtp_param_rank(smtp_param_on_t on, const char *key, size_t len)
{
    int rank = 0;

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (!(known[i].rule.on & on))
            continue;
        if (smtp_token_is(key, len, known[i].rule.key))
            return rank;
        rank++;
    }
    return -1;
}

void smtp_param_keys(smtp_param_on_t on, uint32_t mask, char *out, size_t cap)
{
    size_t n = 0;
    unsigned rank = 0;

    out[0] = '\0';
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (!(known[i].rule.on & on))
            continue;
        if (mask & (1u << rank++))
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", known[i].rule.key);
        if (n >= cap)
            return;
    }
}

/* esmtp-keyword: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); an attribute name
 * of XCLIENT may hold "_" too (REVERSE_NAME) */
static bool keyword_ok(const char *s, size_t len, bool attr)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && ((c != '-' && !(attr && c == '_')) || i == 0))
            return false;
    }
    return len > 0;
}

/* esmtp-value: 1*(%d33-60 / %d62-126), and UTF-8 (RFC 6531) */
static bool value_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '=' || c == 0x7f)
            return false;
    }
    return len > 0;
}

smtp_param_fault_t smtp_param_check(const char *s, const smtp_param_t *p, smtp_param_on_t on,
                                    const smtp_param_rule_t **rule)
{
    const char *key = s + p->key_off, *val = s + p->val_off;
    bool attrs = (on & ON_BOTH) != 0;     /* NAME=VALUE, always with a value */
    unsigned family = attrs ? ON_BOTH : ON_MAIL | ON_RCPT;

    *rule = NULL;
    if (!keyword_ok(key, p->key_len, attrs) || (p->has_val && !value_ok(val, p->val_len)) || (attrs && !p->has_val))
        return SMTP_PARAM_SYNTAX;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (!(known[i].rule.on & family) || !smtp_token_is(key, p->key_len, known[i].rule.key))
            continue;
        *rule = &known[i].rule;
        if (!(known[i].rule.on & on))
            return SMTP_PARAM_MISPLACED;
        bool takes_value = known[i].fault != no_value;
        if (p->has_val != takes_value)
            return SMTP_PARAM_VALUE;
        return known[i].fault(val, p->has_val ? p->val_len : 0);
    }
    return attrs ? SMTP_PARAM_UNKNOWN : SMTP_PARAM_OK;
}
