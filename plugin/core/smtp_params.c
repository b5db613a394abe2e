/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_params.h"

#include <string.h>

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
    return value_fault(smtp_token_is(v, n, "7BIT") || smtp_token_is(v, n, "8BITMIME") ||
                       smtp_token_is(v, n, "BINARYMIME"));
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
    return value_fault(smtp_token_is(v, n, "FULL") || smtp_token_is(v, n, "HDRS"));
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
        if (!smtp_token_is(w, wl, "SUCCESS") && !smtp_token_is(w, wl, "FAILURE") && !smtp_token_is(w, wl, "DELAY"))
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

static const struct {
    smtp_param_rule_t rule;
    smtp_param_fault_t (*fault)(const char *v, size_t n);     /* of the value ("" when there is none) */
} known[] = {
    { { "SIZE", true, "the message size in octets, a decimal number", "RFC 1870", false }, size_fault },
    { { "BODY", true, "7BIT, 8BITMIME or BINARYMIME", "RFC 6152, RFC 3030", false }, body_fault },
    { { "SMTPUTF8", true, "no value", "RFC 6531", false }, no_value },
    { { "AUTH", true, "the submitter's address in xtext, or <>", "RFC 4954", false }, auth_fault },
    { { "RET", true, "FULL or HDRS", "RFC 3461", false }, ret_fault },
    { { "ENVID", true, "xtext of at most 100 characters", "RFC 3461", false }, envid_fault },
    { { "NOTIFY", false, "NEVER, or a comma-separated list of SUCCESS, FAILURE and DELAY", "RFC 3461",
        false }, notify_fault },
    { { "REQUIRETLS", true, "no value", "RFC 8689", true }, no_value },
    { { "MT-PRIORITY", true, "a priority from -9 to 9", "RFC 6710", false }, priority_fault },
    { { "ORCPT", false, "an address type, \";\" and the address in xtext (rfc822;user@example.com), "
                        "at most 500 characters", "RFC 3461", false }, orcpt_fault },
};

/* esmtp-keyword: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
static bool keyword_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (c != '-' || i == 0))
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

smtp_param_fault_t smtp_param_check(const char *s, const smtp_param_t *p, bool is_mail,
                                    const smtp_param_rule_t **rule)
{
    const char *key = s + p->key_off, *val = s + p->val_off;

    *rule = NULL;
    if (!keyword_ok(key, p->key_len) || (p->has_val && !value_ok(val, p->val_len)))
        return SMTP_PARAM_SYNTAX;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (!smtp_token_is(key, p->key_len, known[i].rule.key))
            continue;
        *rule = &known[i].rule;
        if (known[i].rule.on_mail != is_mail)
            return SMTP_PARAM_MISPLACED;
        bool takes_value = known[i].fault != no_value;
        if (p->has_val != takes_value)
            return SMTP_PARAM_VALUE;
        return known[i].fault(val, p->has_val ? p->val_len : 0);
    }
    return SMTP_PARAM_OK;
}
