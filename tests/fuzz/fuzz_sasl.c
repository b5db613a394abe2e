/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: SASL pieces of AUTH (smtp_sasl). The input is an AUTH
 * line or one client line inside an AUTH exchange: the base64 check, the
 * mechanism name, and the decoded message parsed for every mechanism at
 * steps 0..2, each result checked against smtp_sasl.h. The raw bytes are
 * parsed too (a client may send anything after a 334). */
#include "fuzz_common.h"
#include "smtp_sasl.h"

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Our own reference check of RFC 4648 base64, to compare with. */
static bool b64_reference(const char *s, size_t len)
{
    size_t pad = 0;
    if (len % 4)
        return false;
    while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < len - pad; i++)
        if (b64_value(s[i]) < 0)
            return false;
    return true;
}

/* Decodes valid base64 into an exactly-sized buffer; *out_len gets its size. */
static uint8_t *b64_decode(const char *s, size_t len, size_t *out_len)
{
    size_t n = 0, cap = len / 4 * 3;
    uint8_t *tmp = malloc(cap ? cap : 1);
    unsigned acc = 0, bits = 0;

    if (!tmp)
        abort();
    for (size_t i = 0; i < len && s[i] != '='; i++) {
        acc = (acc << 6) | (unsigned)b64_value(s[i]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            tmp[n++] = (uint8_t)(acc >> bits);
        }
    }
    uint8_t *out = (uint8_t *)fuzz_copy(tmp, n);
    free(tmp);
    *out_len = n;
    return out;
}

static void check_span(const smtp_span_t *s, size_t len)
{
    if (s->set)
        CHECK(fuzz_span_ok(s->off, s->len, len));
    else
        CHECK(s->off == 0 && s->len == 0);
}

/* A decoded saslname is NUL-terminated, never longer, and shorter only
 * where the input had an '=' escape. */
static void check_saslname(const uint8_t *msg, const smtp_span_t *s)
{
    if (!s->set || !s->saslname)
        return;
    char *out = malloc(s->len + 1);
    if (!out)
        abort();
    size_t n = smtp_saslname_decode(msg + s->off, s->len, out);
    CHECK(n <= s->len && out[n] == '\0');
    CHECK(n == s->len || memchr(msg + s->off, '=', s->len) != NULL);
    free(out);
}

static void parse_all(const uint8_t *msg, size_t len)
{
    for (int m = 0; m < SMTP_SASL_COUNT; m++) {
        for (unsigned step = 0; step <= 2; step++) {
            smtp_sasl_fields_t f;
            bool ok = smtp_sasl_parse((smtp_sasl_mech_t)m, step, msg, len, &f);
            check_span(&f.authzid, len);
            check_span(&f.user, len);
            check_span(&f.secret, len);
            check_span(&f.digest, len);
            check_saslname(msg, &f.user);
            check_saslname(msg, &f.authzid);
            if (ok && m == SMTP_SASL_LOGIN)
                CHECK(step == 0 ? f.user.set && f.user.len == len : step == 1 ? f.secret.set : 1);
            if (ok && m == SMTP_SASL_PLAIN)
                CHECK(f.user.set && f.secret.set);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_copy(data, size);

    CHECK(smtp_base64_valid(line, size) == b64_reference(line, size));

    /* the mechanism, as in "AUTH PLAIN <initial response>" */
    size_t tok = 0;
    while (tok < size && line[tok] != ' ')
        tok++;
    char *mech_text = fuzz_copy(line, tok);
    smtp_sasl_mech_t mech = smtp_sasl_mech(mech_text, tok);
    CHECK((unsigned)mech < SMTP_SASL_COUNT);
    const char *name = smtp_sasl_mech_name(mech);
    CHECK((name == NULL) == (mech == SMTP_SASL_UNKNOWN));
    if (name)
        CHECK(strlen(name) == tok);
    CHECK(!smtp_sasl_step_has_secret(mech, size % 3) || smtp_sasl_sends_secret(mech));
    free(mech_text);

    /* the initial response after the mechanism, if any */
    if (tok + 1 < size) {
        size_t rlen = size - tok - 1;
        char *resp = fuzz_copy(line + tok + 1, rlen);
        if (smtp_base64_valid(resp, rlen)) {
            size_t dlen;
            uint8_t *dec = b64_decode(resp, rlen, &dlen);
            parse_all(dec, dlen);
            free(dec);
        }
        free(resp);
    }

    /* the whole line as a client answer to a 334 */
    if (smtp_base64_valid(line, size)) {
        size_t dlen;
        uint8_t *dec = b64_decode(line, size, &dlen);
        parse_all(dec, dlen);
        free(dec);
    }
    parse_all((const uint8_t *)line, size);
    free(line);
    return 0;
}
