/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_foreign.h"
#include "smtp_grammar.h"

#include <string.h>

#define SAMPLE 256          /* bytes of a line looked at for binary data */
#define PROXY_V1_MAX 107    /* the longest version 1 line, its CRLF included */

static const uint8_t proxy_v2_sig[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

static const char *const foreign_names[SMTP_FOREIGN_COUNT] = { NULL, "TLS", "HTTP", "SSH", "binary" };

const char *smtp_foreign_name(smtp_foreign_t kind)
{
    return (unsigned)kind < SMTP_FOREIGN_COUNT ? foreign_names[kind] : NULL;
}

bool smtp_foreign_is_text(smtp_foreign_t kind)
{
    return kind == SMTP_FOREIGN_HTTP || kind == SMTP_FOREIGN_SSH;
}

/* Bytes of a valid UTF-8 sequence at p (1 for ASCII), 0 when it is not one;
 * a sequence cut by the end of the sample counts as valid. */
static size_t utf8_len(const uint8_t *p, size_t avail)
{
    size_t need = p[0] < 0x80 ? 1 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
                : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < need && i < avail; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    }
    return need;
}

/* Control bytes a typed line may hold: tab, the edit keys, escape (arrow keys). */
static bool typed_control(uint8_t c)
{
    return c == '\t' || c == '\b' || c == 0x1B || c == 0x7F || c == '\r';
}

/* Mostly not text: of the first SAMPLE bytes, a quarter or more are control
 * bytes no keyboard sends or bytes that are not UTF-8. Telnet commands (IAC
 * and the two bytes after it) are left out. */
static bool is_binary(const uint8_t *p, size_t len)
{
    size_t n = len < SAMPLE ? len : SAMPLE, looked = 0, bad = 0;

    for (size_t i = 0; i < n;) {
        if (p[i] == 0xFF) {         /* telnet IAC */
            i += 3;
            continue;
        }
        size_t step = utf8_len(p + i, n - i);
        looked++;
        if (step == 0 || (p[i] < 0x20 && !typed_control(p[i])))
            bad++;
        i += step ? step : 1;
    }
    return looked >= 8 && bad * 4 >= looked;
}

static bool starts_with(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && memcmp(p, s, n) == 0;
}

static bool is_http_request(const uint8_t *p, size_t len)
{
    static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
                                           "CONNECT ", "PATCH ", "TRACE " };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t m = strlen(methods[i]);
        if (starts_with(p, len, methods[i]))
            return len > m + 6 && memcmp(p + len - 8, "HTTP/", 5) == 0 && p[len - 9] == ' ';
    }
    return false;
}

smtp_foreign_t smtp_foreign_kind(const uint8_t *p, size_t len)
{
    if (len >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04)
        return SMTP_FOREIGN_TLS;
    if (len >= 5 && starts_with(p, len, "SSH-") && p[4] >= '1' && p[4] <= '2')
        return SMTP_FOREIGN_SSH;
    if (is_http_request(p, len))
        return SMTP_FOREIGN_HTTP;
    return len > 0 && p[0] != 0xFF && is_binary(p, len) ? SMTP_FOREIGN_BINARY : SMTP_FOREIGN_NONE;
}

static bool plain_text(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((p[i] < 0x20 && p[i] != '\t') || p[i] >= 0x7F)
            return false;
    }
    return true;
}

smtp_foreign_t smtp_foreign_kind_after(smtp_foreign_t prev, const uint8_t *p, size_t len)
{
    if (prev != SMTP_FOREIGN_NONE && (smtp_foreign_is_text(prev) || !plain_text(p, len)))
        return prev;
    return smtp_foreign_kind(p, len);
}

/* ---- PROXY header ---- */

/* The next space-separated token of a version 1 line from *pos. */
static bool next_token(const uint8_t *line, size_t len, size_t *pos, const char **tok, size_t *n)
{
    size_t start = *pos, end = start;

    while (end < len && line[end] != ' ')
        end++;
    *tok = (const char *)line + start;
    *n = end - start;
    *pos = end < len ? end + 1 : end;
    return *n > 0;
}

static bool parse_port(const char *s, size_t n, uint16_t *port)
{
    unsigned v = 0;

    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *port = (uint16_t)v;
    return v <= 65535;
}

/* "TCP4 192.0.2.1 198.51.100.25 56324 25": the family, when every part is right. */
static uint8_t parse_v1_addresses(const uint8_t *line, size_t len, smtp_proxy_t *out)
{
    const char *tok[5];
    size_t n[5], pos = 0;

    for (int i = 0; i < 5; i++) {
        if (!next_token(line, len, &pos, &tok[i], &n[i]))
            return 0;
    }
    int want = n[0] == 4 && memcmp(tok[0], "TCP4", 4) == 0 ? 4 : n[0] == 4 && memcmp(tok[0], "TCP6", 4) == 0 ? 6 : 0;
    if (!want || pos != len || smtp_ip_parse(tok[1], n[1], out->src) != want ||
        smtp_ip_parse(tok[2], n[2], out->dst) != want || !parse_port(tok[3], n[3], &out->src_port) ||
        !parse_port(tok[4], n[4], &out->dst_port))
        return 0;
    return (uint8_t)want;
}

static size_t parse_v1(const uint8_t *p, size_t len, smtp_proxy_t *out)
{
    size_t n = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;
    const uint8_t *lf = memchr(p, '\n', n);

    if (!lf)
        return 0;
    size_t end = (size_t)(lf - p), body = end > 6 && p[end - 1] == '\r' ? end - 1 : end;
    out->version = 1;
    out->family = body > 6 ? parse_v1_addresses(p + 6, body - 6, out) : 0;
    return end + 1;
}

static size_t parse_v2(const uint8_t *p, size_t len, smtp_proxy_t *out)
{
    if (len < 16 || (p[12] & 0xF0) != 0x20)
        return 0;
    size_t body = (size_t)p[14] << 8 | p[15];
    if (len < 16 + body)
        return 0;
    const uint8_t *a = p + 16;
    unsigned fam = p[13] >> 4, alen = fam == 1 ? 4 : fam == 2 ? 16 : 0;
    out->version = 2;
    out->local = (p[12] & 0x0F) == 0;
    if (!out->local && alen && body >= 2 * alen + 4) {
        out->family = alen == 4 ? 4 : 6;
        memcpy(out->src, a, alen);
        memcpy(out->dst, a + alen, alen);
        out->src_port = (uint16_t)(a[2 * alen] << 8 | a[2 * alen + 1]);
        out->dst_port = (uint16_t)(a[2 * alen + 2] << 8 | a[2 * alen + 3]);
    }
    return 16 + body;
}

size_t smtp_proxy_parse(const uint8_t *p, size_t len, smtp_proxy_t *out)
{
    memset(out, 0, sizeof *out);
    if (starts_with(p, len, "PROXY "))
        out->len = parse_v1(p, len, out);
    else if (len >= sizeof proxy_v2_sig && memcmp(p, proxy_v2_sig, sizeof proxy_v2_sig) == 0)
        out->len = parse_v2(p, len, out);
    return out->len;
}
