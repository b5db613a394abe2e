/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_lines.h"

#include <string.h>

bool smtp_line_find(const uint8_t *buf, size_t avail, smtp_line_t *line)
{
    const uint8_t *lf = memchr(buf, '\n', avail);
    const uint8_t *end = lf ? lf : buf + avail;
    const uint8_t *crnul = NULL;

    /* CR NUL ends a line only when it comes before any LF. */
    for (const uint8_t *p = memchr(buf, '\r', (size_t)(end - buf)); p && p + 1 < end;
         p = memchr(p + 1, '\r', (size_t)(end - (p + 1)))) {
        if (p[1] == '\0') {
            crnul = p;
            break;
        }
    }
    if (crnul) {
        line->len = (size_t)(crnul - buf);
        line->term_len = 2;
        line->eol = SMTP_EOL_CRNUL;
        return true;
    }
    if (!lf) {
        line->len = avail;
        line->term_len = 0;
        line->eol = SMTP_EOL_NONE;
        return false;
    }
    size_t pos = (size_t)(lf - buf);
    if (pos > 0 && buf[pos - 1] == '\r') {
        line->len = pos - 1;
        line->term_len = 2;
        line->eol = SMTP_EOL_CRLF;
    } else {
        line->len = pos;
        line->term_len = 1;
        line->eol = SMTP_EOL_LF;
    }
    return true;
}

size_t smtp_line_count_edits(const uint8_t *buf, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (buf[i] == 0x08 || buf[i] == 0x7f);
    return n;
}

size_t smtp_find_8bit(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    uint64_t word;

    /* eight bytes at a time: message text is nearly always 7-bit */
    for (; i + sizeof word <= len; i += sizeof word) {
        memcpy(&word, buf + i, sizeof word);
        if (word & UINT64_C(0x8080808080808080))
            break;
    }
    while (i < len && buf[i] < 0x80)
        i++;
    return i;
}
