/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: line framing (smtp_lines). The input is a TCP stream;
 * every line is found the way the dissector walks a segment, each check
 * against the contract in smtp_lines.h, and the same stream cut in two at a
 * point the input chooses must frame its first complete line identically
 * (TCP may deliver any prefix first). The input is also BDAT chunk data cut
 * in two pieces, framed as the dissector frames chunks. The 8-bit scan,
 * has_cr and the plain-text test are checked against byte-by-byte ones. */
#include "fuzz_common.h"
#include "smtp_lines.h"

static void check_line(const uint8_t *buf, size_t avail, bool complete, const smtp_line_t *l)
{
    CHECK(fuzz_span_ok(0, l->len, avail));
    CHECK(fuzz_span_ok(l->len, l->term_len, avail));
    CHECK(memchr(buf, '\n', l->len) == NULL);
    CHECK(l->has_cr == (memchr(buf, '\r', l->len) != NULL));
    if (!complete) {
        CHECK(l->eol == SMTP_EOL_NONE && l->term_len == 0 && l->len == avail);
        return;
    }
    switch (l->eol) {
    case SMTP_EOL_CRLF:
        CHECK(l->term_len == 2 && buf[l->len] == '\r' && buf[l->len + 1] == '\n');
        break;
    case SMTP_EOL_LF:
        CHECK(l->term_len == 1 && buf[l->len] == '\n' && (l->len == 0 || buf[l->len - 1] != '\r'));
        break;
    case SMTP_EOL_CRNUL:
        CHECK(l->term_len == 2 && buf[l->len] == '\r' && buf[l->len + 1] == '\0');
        break;
    default:
        CHECK(!"complete line without a line end");
    }
}

/* smtp_find_8bit (eight bytes at a time) agrees with a byte-by-byte scan. */
static void check_8bit(const uint8_t *buf, size_t len)
{
    size_t naive = 0;
    while (naive < len && buf[naive] < 0x80)
        naive++;
    CHECK(smtp_find_8bit(buf, len) == naive);
}

/* smtp_is_plain_text (a word at a time) agrees with a byte-by-byte test. */
static void check_plain(const uint8_t *buf, size_t len)
{
    bool plain = true;
    for (size_t i = 0; i < len && plain; i++)
        plain = buf[i] >= 0x20 && buf[i] <= 0x7e && buf[i] != '\\';
    CHECK(smtp_is_plain_text(buf, len) == plain);
}

/* BDAT chunk data cut into two pieces at a point the input chooses: each
 * line framed against the contract in smtp_lines.h, and the lines of both
 * pieces, joined, end where the lines of the whole do (any LF). */
static void walk_chunk(const uint8_t *buf, size_t len, size_t cut)
{
    size_t pos = 0, ends_whole = 0, ends_pieces = 0;
    bool after_cr = false;

    for (size_t i = 0; i < len; i++)
        ends_whole += buf[i] == '\n';
    while (pos < len) {
        size_t stop = pos < cut ? cut : len;       /* the piece that holds pos */
        uint8_t *rest = (uint8_t *)fuzz_copy(buf + pos, stop - pos);
        smtp_line_t l;
        bool complete = smtp_chunk_line(rest, stop - pos, after_cr, &l);
        CHECK(fuzz_span_ok(0, l.len + l.term_len, stop - pos));
        CHECK(memchr(rest, '\n', l.len) == NULL);
        if (complete) {
            CHECK(rest[l.len + l.term_len - 1] == '\n' && l.eol != SMTP_EOL_NONE);
            CHECK(l.eol == SMTP_EOL_CRLF ? (l.term_len == 2 ? rest[l.len] == '\r' : l.len == 0 && after_cr)
                                         : l.eol == SMTP_EOL_LF && l.term_len == 1);
            CHECK(l.has_cr == (memchr(rest, '\r', l.len) != NULL));
        } else {
            CHECK(l.len == stop - pos && l.term_len == 0 && l.eol == SMTP_EOL_NONE);
            size_t scanned = l.len > 0 && rest[l.len - 1] == '\r' ? l.len - 1 : l.len;
            CHECK(l.has_cr == (memchr(rest, '\r', scanned) != NULL));
        }
        after_cr = !complete && l.len > 0 ? rest[l.len - 1] == '\r' : !complete && after_cr;
        ends_pieces += complete;
        free(rest);
        CHECK(l.len + l.term_len > 0);
        pos += l.len + l.term_len;
    }
    CHECK(ends_pieces == ends_whole);
}

/* Frames every line of buf[0..len) (buf is exactly len bytes long). */
static size_t walk(const uint8_t *buf, size_t len)
{
    size_t pos = 0, lines = 0;

    while (pos < len) {
        smtp_line_t l;
        /* each line in a buffer of its own, ending where the stream ends */
        uint8_t *rest = (uint8_t *)fuzz_copy(buf + pos, len - pos);
        bool complete = smtp_line_find(rest, len - pos, &l);
        check_line(rest, len - pos, complete, &l);
        size_t edits = smtp_line_count_edits(rest, l.len);
        CHECK(edits <= l.len);
        check_8bit(rest, l.len);
        check_plain(rest, l.len);
        free(rest);
        if (!complete)
            break;
        CHECK(l.len + l.term_len > 0);
        pos += l.len + l.term_len;
        lines++;
    }
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = (uint8_t *)fuzz_copy(data, size);
    smtp_line_t whole, part;

    walk(buf, size);
    walk_chunk(buf, size, size > 1 ? (size_t)buf[size - 1] % size : 0);
    CHECK(smtp_line_count_edits(buf, size) <= size);
    CHECK(!smtp_line_has_arrow_key(buf, size) || memchr(buf, 0x1b, size));
    CHECK(!smtp_line_has_telnet_ip(buf, size) || memchr(buf, 0xff, size));
    CHECK(!smtp_line_has_telnet_ctrl_c(buf, size) || smtp_line_has_telnet_ip(buf, size));
    size_t iac = smtp_telnet_prefix(buf, size);     /* Telnet commands: all of a cut one, within the bytes */
    CHECK(iac <= size && (iac == 0 || buf[0] == 0xFF));
    check_8bit(buf, size);
    check_plain(buf, size);

    /* An empty buffer is never a line. */
    CHECK(!smtp_line_find(buf, 0, &part) && part.len == 0 && part.term_len == 0);

    /* A prefix that holds a complete line frames it as the whole stream does. */
    if (size > 1) {
        size_t cut = (size_t)buf[0] % size;
        uint8_t *prefix = (uint8_t *)fuzz_copy(buf, cut);
        bool pc = smtp_line_find(prefix, cut, &part);
        check_line(prefix, cut, pc, &part);
        bool wc = smtp_line_find(buf, size, &whole);
        if (pc) {
            CHECK(wc);
            CHECK(whole.len == part.len && whole.term_len == part.term_len && whole.eol == part.eol);
        }
        free(prefix);
    }
    free(buf);
    return 0;
}
