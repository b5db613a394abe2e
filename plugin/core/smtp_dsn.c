/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_dsn.h"

#include <string.h>

/* Length of the empty line at body[pos] (CRLF or LF), 0 if it is none. */
static size_t empty_line(const char *body, size_t len, size_t pos)
{
    if (pos < len && body[pos] == '\n')
        return 1;
    return pos + 1 < len && body[pos] == '\r' && body[pos + 1] == '\n' ? 2 : 0;
}

bool smtp_dsn_group_next(const char *body, size_t len, size_t *pos, smtp_range_t *group)
{
    size_t i = *pos;

    for (size_t n; (n = empty_line(body, len, i)) > 0;)
        i += n;
    if (i >= len) {
        *pos = len;
        return false;
    }
    group->off = i;
    group->len = smtp_header_block_len(body + i, len - i);     /* > 0: body[i] starts no empty line */
    *pos = i + group->len;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

smtp_range_t smtp_dsn_value(const char *v, size_t len)
{
    const char *semi = memchr(v, ';', len);
    smtp_range_t r = { semi ? (size_t)(semi - v) + 1 : 0, 0 };

    r.len = len - r.off;
    while (r.len > 0 && is_blank(v[r.off])) {
        r.off++;
        r.len--;
    }
    while (r.len > 0 && is_blank(v[r.off + r.len - 1]))
        r.len--;
    return r;
}
