/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_sasl.h"
#include "smtp_grammar.h"

#include <string.h>
#include <strings.h>

static const char *const mech_names[SMTP_SASL_COUNT] = {
    [SMTP_SASL_UNKNOWN] = NULL,
    [SMTP_SASL_LOGIN] = "LOGIN",
    [SMTP_SASL_PLAIN] = "PLAIN",
    [SMTP_SASL_CRAM_MD5] = "CRAM-MD5",
    [SMTP_SASL_DIGEST_MD5] = "DIGEST-MD5",
    [SMTP_SASL_XOAUTH2] = "XOAUTH2",
    [SMTP_SASL_OAUTHBEARER] = "OAUTHBEARER",
    [SMTP_SASL_SCRAM_SHA_1] = "SCRAM-SHA-1",
    [SMTP_SASL_SCRAM_SHA_256] = "SCRAM-SHA-256",
    [SMTP_SASL_NTLM] = "NTLM",
    [SMTP_SASL_GSSAPI] = "GSSAPI",
    [SMTP_SASL_EXTERNAL] = "EXTERNAL",
    [SMTP_SASL_ANONYMOUS] = "ANONYMOUS",
};

smtp_sasl_mech_t smtp_sasl_mech(const char *s, size_t len)
{
    for (int i = 1; i < SMTP_SASL_COUNT; i++) {
        if (smtp_token_is(s, len, mech_names[i]))
            return (smtp_sasl_mech_t)i;
    }
    return SMTP_SASL_UNKNOWN;
}

const char *smtp_sasl_mech_name(smtp_sasl_mech_t mech)
{
    return (unsigned)mech < SMTP_SASL_COUNT ? mech_names[mech] : NULL;
}

bool smtp_sasl_sends_secret(smtp_sasl_mech_t mech)
{
    return mech == SMTP_SASL_LOGIN || mech == SMTP_SASL_PLAIN || mech == SMTP_SASL_XOAUTH2 ||
           mech == SMTP_SASL_OAUTHBEARER;
}

bool smtp_sasl_step_has_secret(smtp_sasl_mech_t mech, unsigned step)
{
    return smtp_sasl_sends_secret(mech) && step == (mech == SMTP_SASL_LOGIN ? 1u : 0u);
}

bool smtp_base64_valid(const char *s, size_t len)
{
    size_t pad = 0;

    if (len % 4 != 0)
        return false;
    while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < len - pad; i++) {
        if (!smtp_base64_char(s[i]))
            return false;
    }
    return true;
}

static smtp_span_t span(size_t off, size_t len)
{
    smtp_span_t s = { off, len, true, false };
    return s;
}

/* The byte an escape "=2C" / "=3D" at p stands for, or 0. */
static char saslname_escape(const uint8_t *p, size_t left)
{
    if (left < 3 || p[0] != '=')
        return 0;
    if (p[1] == '2' && (p[2] | 0x20) == 'c')
        return ',';
    if (p[1] == '3' && (p[2] | 0x20) == 'd')
        return '=';
    return 0;
}

size_t smtp_saslname_decode(const uint8_t *in, size_t len, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        char e = saslname_escape(in + i, len - i);
        if (e) {
            out[n++] = e;
            i += 2;
            continue;
        }
        out[n++] = (char)in[i];
    }
    out[n] = '\0';
    return n;
}

/* Position of byte c in msg[from..len), or len. */
static size_t find(const uint8_t *msg, size_t len, size_t from, uint8_t c)
{
    while (from < len && msg[from] != c)
        from++;
    return from < len ? from : len;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd */
static bool parse_plain(const uint8_t *msg, size_t len, smtp_sasl_fields_t *f)
{
    size_t a = find(msg, len, 0, 0);
    size_t b = find(msg, len, a + 1, 0);
    if (a >= len || b >= len)
        return false;
    if (a > 0)
        f->authzid = span(0, a);
    f->user = span(a + 1, b - a - 1);
    f->secret = span(b + 1, len - b - 1);
    return true;
}

/* RFC 2195: user SP 32 hex digits */
static bool parse_cram(const uint8_t *msg, size_t len, smtp_sasl_fields_t *f)
{
    size_t sp = len;
    while (sp > 0 && msg[sp - 1] != ' ')
        sp--;
    if (sp == 0)
        return false;
    f->user = span(0, sp - 1);
    f->digest = span(sp, len - sp);
    return true;
}

/* Value of "key" in a list of fields separated by sep, from `from`. */
static bool field_value(const uint8_t *msg, size_t len, size_t from, uint8_t sep, const char *key,
                        smtp_span_t *out)
{
    size_t kl = strlen(key);
    for (size_t pos = from; pos < len;) {
        size_t end = find(msg, len, pos, sep);
        if (end - pos >= kl && memcmp(msg + pos, key, kl) == 0) {
            *out = span(pos + kl, end - pos - kl);
            return true;
        }
        pos = end + 1;
    }
    return false;
}

/* The identities in SCRAM and OAUTHBEARER messages are saslnames (RFC 5802, RFC 7628). */
static void mark_saslnames(smtp_sasl_fields_t *f)
{
    f->user.saslname = f->user.set;
    f->authzid.saslname = f->authzid.set;
}

/* Google XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A */
static bool parse_xoauth2(const uint8_t *msg, size_t len, smtp_sasl_fields_t *f)
{
    bool ok = field_value(msg, len, 0, 0x01, "user=", &f->user);
    ok = field_value(msg, len, 0, 0x01, "auth=Bearer ", &f->secret) && ok;
    return ok;
}

/* RFC 7628: gs2-header "n,a=user," then ^A-separated key=value, auth=Bearer token */
static bool parse_oauthbearer(const uint8_t *msg, size_t len, smtp_sasl_fields_t *f)
{
    size_t kv = find(msg, len, 0, 0x01);
    if (kv >= len)
        return false;
    field_value(msg, kv, 0, ',', "a=", &f->user);
    mark_saslnames(f);
    return field_value(msg, len, kv + 1, 0x01, "auth=Bearer ", &f->secret);
}

/* RFC 5802 client-first-message: gs2-header "n,[a=authzid]," then "n=user,r=nonce" */
static bool parse_scram_first(const uint8_t *msg, size_t len, smtp_sasl_fields_t *f)
{
    size_t c1 = find(msg, len, 0, ',');
    size_t c2 = find(msg, len, c1 + 1, ',');
    if (c2 >= len)
        return false;
    if (c2 - c1 - 1 > 2 && msg[c1 + 1] == 'a' && msg[c1 + 2] == '=')
        f->authzid = span(c1 + 3, c2 - c1 - 3);
    bool ok = field_value(msg, len, c2 + 1, ',', "n=", &f->user);
    mark_saslnames(f);
    return ok;
}

bool smtp_sasl_parse(smtp_sasl_mech_t mech, unsigned step, const uint8_t *msg, size_t len,
                     smtp_sasl_fields_t *f)
{
    memset(f, 0, sizeof *f);
    switch (mech) {
    case SMTP_SASL_LOGIN:
        if (step == 0)
            f->user = span(0, len);
        else if (step == 1)
            f->secret = span(0, len);
        return step <= 1;
    case SMTP_SASL_PLAIN:
        return step == 0 && parse_plain(msg, len, f);
    case SMTP_SASL_CRAM_MD5:
        return step == 0 && parse_cram(msg, len, f);
    case SMTP_SASL_XOAUTH2:
        return step == 0 && parse_xoauth2(msg, len, f);
    case SMTP_SASL_OAUTHBEARER:
        return step == 0 && parse_oauthbearer(msg, len, f);
    case SMTP_SASL_SCRAM_SHA_1:
    case SMTP_SASL_SCRAM_SHA_256:
        return step > 0 || parse_scram_first(msg, len, f);
    default:
        return true;
    }
}
