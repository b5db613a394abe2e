/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_authres.h"
#include "smtp_grammar.h"

#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first index from i on that is neither a blank nor in a comment. */
static size_t skip_cfws(const char *v, size_t len, size_t i)
{
    while (i < len && (is_blank(v[i]) || v[i] == '(')) {
        if (v[i] == '(')
            i = smtp_comment_end(v, len, i);
        else
            i++;
    }
    return i;
}

/* Index after the quoted string that opens at v[i] ('"'); len if unclosed. */
static size_t quoted_end(const char *v, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (v[i] == '\\')
            i++;
        else if (v[i] == '"')
            return i + 1;
    }
    return len;
}

/* A word from i up to one of stops, a blank, a comment or a quote (may be
 * empty); returns the index after it. */
static size_t read_word(const char *v, size_t len, size_t i, const char *stops, smtp_range_t *out)
{
    out->off = i;
    while (i < len && !is_blank(v[i]) && v[i] != '(' && v[i] != '"' && v[i] != '\0' && !strchr(stops, v[i]))
        i++;
    out->len = i - out->off;
    return i;
}

/* A value: a quoted string (its text) or a word that may hold '=', '/',
 * '@' (a base64 signature, an address). */
static size_t read_value(const char *v, size_t len, size_t i, smtp_range_t *out)
{
    if (i < len && v[i] == '"') {
        size_t end = quoted_end(v, len, i);
        out->off = i + 1;
        out->len = end - i - 1 - (end > i + 1 && v[end - 1] == '"');
        return end;
    }
    return read_word(v, len, i, ";", out);
}

/* Where the part from i ends: the next ';' outside comments and quotes. */
static size_t part_end(const char *v, size_t len, size_t i)
{
    while (i < len && v[i] != ';') {
        if (v[i] == '(')
            i = smtp_comment_end(v, len, i);
        else if (v[i] == '"')
            i = quoted_end(v, len, i);
        else
            i++;
    }
    return i;
}

bool smtp_authres_server(const char *v, size_t len, smtp_range_t *id, size_t *pos)
{
    size_t i = read_value(v, len, skip_cfws(v, len, 0), id);

    *pos = 0;
    if (id->len == 0 || memchr(v + id->off, '=', id->len))
        return false;       /* "spf=pass ...": a result, no authserv-id */
    i = skip_cfws(v, len, i);
    if (i < len && v[i] >= '0' && v[i] <= '9') {    /* authres-version */
        smtp_range_t version;
        i = read_word(v, len, i, ";", &version);
    }
    *pos = i;
    return true;
}

size_t smtp_arc_results_instance(const char *v, size_t len, unsigned *instance)
{
    smtp_range_t key, number;
    size_t i = skip_cfws(v, len, read_word(v, len, skip_cfws(v, len, 0), "=;", &key));

    *instance = 0;
    if (!smtp_token_is(v + key.off, key.len, "i") || i >= len || v[i] != '=')
        return 0;
    i = skip_cfws(v, len, read_word(v, len, skip_cfws(v, len, i + 1), ";", &number));
    if (i >= len || v[i] != ';')
        return 0;
    unsigned n = 0;
    for (size_t k = 0; k < number.len && number.len <= 3; k++) {
        char c = v[number.off + k];
        if (c < '0' || c > '9')
            return i + 1;       /* "i=x;": no instance */
        n = n * 10 + (unsigned)(c - '0');
    }
    *instance = n;
    return i + 1;
}

/* The properties and the reason after "method=result", in v[i..end). */
static void read_properties(const char *v, size_t end, size_t i, smtp_authres_t *r)
{
    while ((i = skip_cfws(v, end, i)) < end) {
        smtp_range_t key, value;
        size_t k = skip_cfws(v, end, read_word(v, end, i, "=", &key));
        if (key.len == 0 || k >= end || v[k] != '=') {
            i = k > i ? k : i + 1;      /* a stray word or character */
            continue;
        }
        size_t next = read_value(v, end, skip_cfws(v, end, k + 1), &value);
        if (smtp_token_is(v + key.off, key.len, "reason"))
            r->reason = value;
        else if (r->n_props < SMTP_AUTHRES_PROPS)
            r->prop[r->n_props++] = (smtp_range_t){ key.off, next - key.off };
        i = next > i ? next : i + 1;
    }
}

/* "method[/version]=result properties" in v[i..end); false if it is not one. */
static bool read_result(const char *v, size_t end, size_t i, smtp_authres_t *r)
{
    i = read_word(v, end, skip_cfws(v, end, i), "=/", &r->method);
    i = skip_cfws(v, end, i);
    if (i < end && v[i] == '/') {
        smtp_range_t version;
        i = skip_cfws(v, end, read_word(v, end, skip_cfws(v, end, i + 1), "=", &version));
    }
    if (r->method.len == 0 || i >= end || v[i] != '=')
        return false;
    i = read_word(v, end, skip_cfws(v, end, i + 1), "", &r->result);
    if (r->result.len == 0)
        return false;
    read_properties(v, end, i, r);
    return true;
}

bool smtp_authres_next(const char *v, size_t len, size_t *pos, smtp_authres_t *r)
{
    size_t i = *pos;

    while (i < len) {
        size_t end = part_end(v, len, i);
        memset(r, 0, sizeof *r);
        bool found = read_result(v, end, i, r);
        i = end < len ? end + 1 : len;
        if (found) {
            *pos = i;
            return true;
        }
    }
    *pos = len;
    return false;
}

bool smtp_received_spf(const char *v, size_t len, smtp_range_t *result)
{
    static const char *const results[] = { "pass", "fail", "softfail", "neutral", "none", "temperror",
                                            "permerror" };
    read_word(v, len, skip_cfws(v, len, 0), ";", result);
    for (size_t k = 0; k < sizeof results / sizeof results[0]; k++) {
        if (smtp_token_is(v + result->off, result->len, results[k]))
            return true;
    }
    result->len = 0;
    return false;
}

bool smtp_authres_failed(const char *method, size_t method_len, const char *result, size_t result_len)
{
    bool sender_check = smtp_token_is(method, method_len, "spf") || smtp_token_is(method, method_len, "dkim") ||
                        smtp_token_is(method, method_len, "dmarc");
    return sender_check &&
           (smtp_token_is(result, result_len, "fail") || smtp_token_is(result, result_len, "softfail"));
}
