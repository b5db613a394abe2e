/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_lines.h"

#include <string.h>

bool smtp_line_find(const uint8_t *buf, size_t avail, smtp_line_t *line)
{
    const uint8_t *lf = memchr(buf, '\n', avail);
    const uint8_t *end = lf ? lf : buf + avail;
    const uint8_t *first_cr = memchr(buf, '\r', (size_t)(end - buf));
    const uint8_t *crnul = NULL;

    /* CR NUL ends a line only when it comes before any LF. */
    for (const uint8_t *p = first_cr; p && p + 1 < end; p = memchr(p + 1, '\r', (size_t)(end - (p + 1)))) {
        if (p[1] == '\0') {
            crnul = p;
            break;
        }
    }
    if (crnul) {
        line->len = (size_t)(crnul - buf);
        line->term_len = 2;
        line->eol = SMTP_EOL_CRNUL;
    } else if (!lf) {
        line->len = avail;
        line->term_len = 0;
        line->eol = SMTP_EOL_NONE;
    } else if (lf > buf && lf[-1] == '\r') {
        line->len = (size_t)(lf - buf) - 1;
        line->term_len = 2;
        line->eol = SMTP_EOL_CRLF;
    } else {
        line->len = (size_t)(lf - buf);
        line->term_len = 1;
        line->eol = SMTP_EOL_LF;
    }
    line->has_cr = first_cr && first_cr < buf + line->len;
    return line->eol != SMTP_EOL_NONE;
}

bool smtp_chunk_line(const uint8_t *buf, size_t avail, bool after_cr, smtp_line_t *line)
{
    const uint8_t *lf = memchr(buf, '\n', avail);
    size_t stop = lf ? (size_t)(lf - buf) : avail;
    bool cr_before = stop > 0 ? buf[stop - 1] == '\r' : after_cr;

    line->eol = !lf ? SMTP_EOL_NONE : cr_before ? SMTP_EOL_CRLF : SMTP_EOL_LF;
    line->len = stop - (lf && stop > 0 && cr_before);
    line->term_len = lf ? stop - line->len + 1 : 0;
    size_t scanned = line->len - (!lf && cr_before && stop > 0);   /* not a CR that may start a CRLF */
    line->has_cr = memchr(buf, '\r', scanned) != NULL;
    return lf != NULL;
}

size_t smtp_line_count_edits(const uint8_t *buf, size_t len)
{
    size_t n = 0;

    if (!memchr(buf, 0x08, len) && !memchr(buf, 0x7f, len))
        return 0;       /* the usual case, found at memchr's speed */
    for (size_t i = 0; i < len; i++)
        n += (buf[i] == 0x08 || buf[i] == 0x7f);
    return n;
}

bool smtp_line_has_arrow_key(const uint8_t *buf, size_t len)
{
    if (!memchr(buf, 0x1b, len))
        return false;
    for (size_t i = 0; i + 2 < len; i++) {
        if (buf[i] == 0x1b && buf[i + 1] == '[' && buf[i + 2] >= 'A' && buf[i + 2] <= 'D')
            return true;
    }
    return false;
}

/* Offset of the first IAC IP in buf (IAC IAC is a 0xFF byte of data), or len. */
static size_t find_telnet_ip(const uint8_t *buf, size_t len)
{
    if (!memchr(buf, 0xff, len))
        return len;
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] == 0xff && buf[i + 1] == 0xf4)
            return i;
        i += buf[i] == 0xff && buf[i + 1] == 0xff;
    }
    return len;
}

bool smtp_line_has_telnet_ip(const uint8_t *buf, size_t len)
{
    return find_telnet_ip(buf, len) < len;
}

bool smtp_line_has_telnet_ctrl_c(const uint8_t *buf, size_t len)
{
    size_t i = find_telnet_ip(buf, len);
    return len - i >= 5 && buf[i + 2] == 0xff && buf[i + 3] == 0xfd && buf[i + 4] == 0x06;
}

size_t smtp_telnet_prefix(const uint8_t *buf, size_t len)
{
    size_t i = 0;

    while (i + 1 < len && buf[i] == 0xFF && buf[i + 1] != 0xFF) {   /* (IAC IAC is a 0xFF byte of data) */
        uint8_t cmd = buf[i + 1];
        if (cmd == 0xFA) {          /* SB ... IAC SE */
            size_t j = i + 2;
            while (j + 1 < len && !(buf[j] == 0xFF && buf[j + 1] == 0xF0))
                j++;
            i = j + 1 < len ? j + 2 : len;
        } else {
            i += cmd >= 0xFB ? 3 : 2;   /* WILL, WONT, DO, DONT take an option */
        }
    }
    return i < len ? i : len;
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

/* Bytes of a 64-bit word, each tested in parallel (no byte carries into the
 * next: every test keeps to the low seven bits before it adds or subtracts). */
#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)

static bool word_has_unplain(uint64_t w)
{
    uint64_t low7 = w & ~HIGH;
    uint64_t below_space = ~(low7 + ONES * (0x80 - 0x20)) & ~w;  /* high bit: byte < 0x20 */
    uint64_t del_or_more = (low7 + ONES) | w;                    /* high bit: byte >= 0x7f */
    uint64_t x = low7 ^ (ONES * '\\');
    uint64_t backslash = ~((x + ~HIGH) | x) & ~w;                /* high bit: byte == '\\' */
    return ((below_space | del_or_more | backslash) & HIGH) != 0;
}

bool smtp_is_plain_text(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    uint64_t word;

    for (; i + sizeof word <= len; i += sizeof word) {
        memcpy(&word, buf + i, sizeof word);
        if (word_has_unplain(word))
            return false;
    }
    for (; i < len; i++) {
        if (buf[i] < 0x20 || buf[i] > 0x7e || buf[i] == '\\')
            return false;
    }
    return true;
}
