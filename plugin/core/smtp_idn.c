/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_idn.h"
#include "smtp_grammar.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define PUNY_MAX 64             /* code points of a label (63 octets at most in DNS) */

/* ---- Punycode (RFC 3492 6.2) ---- */

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128 };

static uint32_t adapt(uint32_t delta, uint32_t points, bool first)
{
    uint32_t k = 0;

    delta = first ? delta / DAMP : delta / 2;
    delta += delta / points;
    while (delta > ((BASE - TMIN) * TMAX) / 2) {
        delta /= BASE - TMIN;
        k += BASE;
    }
    return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static uint32_t digit_of(char c)
{
    return c >= '0' && c <= '9' ? (uint32_t)(c - '0' + 26)
           : c >= 'a' && c <= 'z' ? (uint32_t)(c - 'a')
           : c >= 'A' && c <= 'Z' ? (uint32_t)(c - 'A') : BASE;
}

/* The code points of the Punycode in[0..len) into out (at most PUNY_MAX);
 * their number, or -1 when it is not valid Punycode. */
static int puny_decode(const char *in, size_t len, uint32_t *out)
{
    uint32_t n = INITIAL_N, i = 0, bias = INITIAL_BIAS;
    size_t basic = 0, count = 0, pos;

    for (size_t j = 0; j < len; j++) {
        if (in[j] == '-')
            basic = j;
    }
    if (basic > PUNY_MAX)
        return -1;
    for (size_t j = 0; j < basic; j++) {
        if ((unsigned char)in[j] >= 0x80)
            return -1;
        out[count++] = (unsigned char)in[j];
    }
    for (pos = basic > 0 ? basic + 1 : 0; pos < len;) {
        uint32_t old = i, w = 1;
        for (uint32_t k = BASE;; k += BASE) {
            if (pos >= len)
                return -1;
            uint32_t digit = digit_of(in[pos++]);
            if (digit >= BASE || digit > (UINT32_MAX - i) / w)
                return -1;
            i += digit * w;
            uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if (digit < t)
                break;
            if (w > UINT32_MAX / (BASE - t))
                return -1;
            w *= BASE - t;
        }
        if (count >= PUNY_MAX)
            return -1;
        bias = adapt(i - old, (uint32_t)count + 1, old == 0);
        if (i / (count + 1) > 0x10FFFF - n)
            return -1;
        n += i / (uint32_t)(count + 1);
        i %= (uint32_t)(count + 1);
        if (n < 0x80 || (n >= 0xD800 && n <= 0xDFFF))
            return -1;
        memmove(out + i + 1, out + i, (count - i) * sizeof *out);
        out[i++] = n;
        count++;
    }
    return (int)count;
}

/* ---- letters that look like Latin ones ---- */

static const struct {
    uint32_t cp;
    char latin;
} lookalikes[] = {
    /* Cyrillic */
    { 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043E, 'o' }, { 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0443, 'y' },
    { 0x0445, 'x' }, { 0x0455, 's' }, { 0x0456, 'i' }, { 0x0458, 'j' }, { 0x0461, 'w' }, { 0x0475, 'v' },
    { 0x04BB, 'h' }, { 0x04CF, 'l' }, { 0x0501, 'd' }, { 0x051B, 'q' }, { 0x051D, 'w' },
    /* Greek */
    { 0x03B1, 'a' }, { 0x03B9, 'i' }, { 0x03BA, 'k' }, { 0x03BD, 'v' }, { 0x03BF, 'o' }, { 0x03C1, 'p' },
    { 0x03C5, 'u' }, { 0x03C7, 'x' }, { 0x03F2, 'c' }, { 0x03F3, 'j' },
    /* Latin letters without their dot or of IPA, Armenian */
    { 0x0131, 'i' }, { 0x0251, 'a' }, { 0x0261, 'g' }, { 0x0269, 'i' }, { 0x0578, 'n' }, { 0x0585, 'o' },
};

static char latin_of(uint32_t cp)
{
    for (size_t i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++) {
        if (lookalikes[i].cp == cp)
            return lookalikes[i].latin;
    }
    return 0;
}

/* ---- the domain ---- */

typedef struct {
    char *buf;
    size_t len;
} out_t;

/* Appends s[0..n), ASCII letters in lower case (domain names ignore case). */
static bool put(out_t *o, const char *s, size_t n)
{
    if (o->len + n >= SMTP_IDN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        o->buf[o->len++] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    o->buf[o->len] = '\0';
    return true;
}

static size_t utf8_of(uint32_t cp, char *u)
{
    if (cp < 0x80) {
        u[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (char)(0xF0 | cp >> 18);
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One decoded label into both forms; true if it is all lookalikes and ASCII. */
static bool put_label(out_t *uni, out_t *like, const uint32_t *cp, int n, bool *ok)
{
    bool faked = false, plain = true;

    for (int j = 0; j < n; j++) {
        char u[4], latin = cp[j] < 0x80 ? (char)cp[j] : latin_of(cp[j]);
        size_t ul = utf8_of(cp[j], u);
        faked |= latin && cp[j] >= 0x80;
        plain &= latin != 0;
        *ok &= put(uni, u, ul) && (latin ? put(like, &latin, 1) : put(like, u, ul));
    }
    return faked && plain;
}

bool smtp_idn_read(const char *domain, size_t len, smtp_idn_t *idn)
{
    out_t uni = { idn->unicode, 0 }, like = { idn->looks_like, 0 };
    uint32_t cp[PUNY_MAX];
    bool any = false, ok = true;

    idn->unicode[0] = idn->looks_like[0] = '\0';
    idn->lookalike = false;
    if (smtp_find_nocase(domain, len, 0, "xn--") == len)
        return false;       /* most domains: no label to decode */
    for (size_t start = 0; start <= len && ok;) {
        const char *dot = memchr(domain + start, '.', len - start);
        size_t end = dot ? (size_t)(dot - domain) : len;
        const char *label = domain + start;
        size_t n = end - start;
        int points = n > 4 && strncasecmp(label, "xn--", 4) == 0 ? puny_decode(label + 4, n - 4, cp) : -1;
        if (points > 0) {
            any = true;
            idn->lookalike |= put_label(&uni, &like, cp, points, &ok);
        } else {
            ok &= put(&uni, label, n) && put(&like, label, n);
        }
        if (end < len)
            ok &= put(&uni, ".", 1) && put(&like, ".", 1);
        start = end + 1;
    }
    return any && ok;
}
