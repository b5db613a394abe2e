/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_imf.h"
#include "smtp_grammar.h"

#include <string.h>
#include <strings.h>

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

bool smtp_header_is_folded(const char *line, size_t len)
{
    return len > 0 && is_wsp(line[0]);
}

bool smtp_header_split(const char *line, size_t len, size_t *name_len, size_t *value_off)
{
    size_t i = 0;
    while (i < len && line[i] != ':' && line[i] > ' ' && line[i] < 127)
        i++;
    if (i == 0 || i >= len || line[i] != ':')
        return false;
    *name_len = i;
    i++;
    while (i < len && is_wsp(line[i]))
        i++;
    *value_off = i;
    return true;
}

/* End of the line starting at pos (index of its LF, or len). */
static size_t line_end(const char *b, size_t len, size_t pos)
{
    const char *lf = memchr(b + pos, '\n', len - pos);
    return lf ? (size_t)(lf - b) : len;
}

/* Appends b[from..to) to out, dropping CR/LF, without overflowing. */
static size_t append(char *out, size_t n, size_t cap, const char *b, size_t from, size_t to)
{
    for (size_t i = from; i < to && n + 1 < cap; i++) {
        if (b[i] != '\r' && b[i] != '\n')
            out[n++] = b[i];
    }
    return n;
}

static size_t trim_end(const char *out, size_t n)
{
    while (n > 0 && is_wsp(out[n - 1]))
        n--;
    return n;
}

/* Calls back for every header `name`; stops when fn returns true. */
static bool find_header(const char *b, size_t len, const char *name, unsigned n, size_t *start, size_t *end)
{
    size_t name_len, value_off;
    unsigned seen = 0;

    for (size_t pos = 0; pos < len;) {
        size_t e = line_end(b, len, pos);
        if (smtp_header_split(b + pos, e - pos, &name_len, &value_off) && smtp_token_is(b + pos, name_len, name) &&
            seen++ == n) {
            *start = pos + value_off;
            /* the value runs on over folded lines */
            while (e < len && e + 1 < len && is_wsp(b[e + 1]))
                e = line_end(b, len, e + 1);
            *end = e;
            return true;
        }
        pos = e + 1;
    }
    return false;
}

bool smtp_header_get(const char *block, size_t len, const char *name, unsigned n, char *out, size_t cap)
{
    size_t start, end;
    if (cap == 0 || !find_header(block, len, name, n, &start, &end))
        return false;
    size_t k = trim_end(out, append(out, 0, cap, block, start, end));
    out[k] = '\0';
    return true;
}

unsigned smtp_header_count(const char *block, size_t len, const char *name)
{
    size_t start, end;
    unsigned n = 0;
    while (find_header(block, len, name, n, &start, &end))
        n++;
    return n;
}

size_t smtp_header_block_len(const char *msg, size_t len)
{
    size_t pos = 0;
    while (pos < len && msg[pos] != '\n' && !(msg[pos] == '\r' && pos + 1 < len && msg[pos + 1] == '\n')) {
        const char *nl = memchr(msg + pos, '\n', len - pos);
        if (!nl)
            return len;
        pos = (size_t)(nl - msg) + 1;
    }
    return pos;
}

static void trim(const char *v, size_t *off, size_t *len)
{
    while (*len > 0 && is_wsp(v[*off])) {
        (*off)++;
        (*len)--;
    }
    while (*len > 0 && is_wsp(v[*off + *len - 1]))
        (*len)--;
    if (*len >= 2 && v[*off] == '"' && v[*off + *len - 1] == '"') {
        (*off)++;
        *len -= 2;
    }
}

bool smtp_mailbox_parse(const char *v, size_t len, smtp_mailbox_t *mb)
{
    bool quoted = false;
    size_t lt = len, gt = len;

    memset(mb, 0, sizeof *mb);
    for (size_t i = 0; i < len && gt == len; i++) {
        if (v[i] == '"')
            quoted = !quoted;
        else if (!quoted && v[i] == '<')
            lt = i;
        else if (!quoted && v[i] == '>' && lt < len)
            gt = i;
        else if (!quoted && v[i] == ',' && lt == len)
            len = i;        /* several mailboxes: the first one */
    }
    if (lt < len) {
        mb->display_off = 0;
        mb->display_len = lt;
        trim(v, &mb->display_off, &mb->display_len);
        mb->addr_off = lt + 1;
        mb->addr_len = (gt < len ? gt : len) - lt - 1;
    } else {
        mb->addr_off = 0;
        mb->addr_len = len;
        trim(v, &mb->addr_off, &mb->addr_len);
    }
    return mb->addr_len > 0;
}

bool smtp_address_domain(const char *addr, size_t len, size_t *off)
{
    for (size_t i = len; i > 0; i--) {
        if (addr[i - 1] == '@') {
            *off = i;
            return i < len;
        }
    }
    return false;
}

static size_t token_len(const char *s, size_t len, size_t off, char stop)
{
    size_t n = 0;
    while (off + n < len && !is_wsp(s[off + n]) && s[off + n] != stop && s[off + n] != ';')
        n++;
    return n;
}

static const char *find_ci(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++) {
        if (strncasecmp(s + i, needle, nl) == 0)
            return s + i;
    }
    return NULL;
}

bool smtp_queue_id(const char *text, size_t len, size_t *off, size_t *id_len)
{
    static const char *const markers[] = { "queued as ", "id=" };
    const char *p;

    for (size_t m = 0; m < sizeof markers / sizeof markers[0]; m++) {
        if ((p = find_ci(text, len, markers[m])) != NULL) {
            *off = (size_t)(p - text) + strlen(markers[m]);
            *id_len = token_len(text, len, *off, ')');
            return *id_len > 0;
        }
    }
    /* "<id> Queued mail for delivery" (Exchange), "id Message accepted" (Sendmail) */
    size_t start = 0;
    while (start < len && (text[start] == '.' || (text[start] >= '0' && text[start] <= '9')))
        start++;        /* skip an enhanced status code */
    while (start < len && is_wsp(text[start]))
        start++;
    size_t n = token_len(text, len, start, '\0');
    if (n > 0 && (find_ci(text, len, "queued mail") || find_ci(text, len, "message accepted"))) {
        bool angle = text[start] == '<' && text[start + n - 1] == '>' && n > 2;
        *off = start + angle;
        *id_len = n - 2 * angle;
        return true;
    }
    return false;
}
