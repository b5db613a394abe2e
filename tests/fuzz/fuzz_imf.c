/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: message headers and queue ids (smtp_imf). The input is
 * a header block (or the text of a reply to the end of data): every line is
 * split as a header field, a few headers are looked up for n = 0..2 into
 * output buffers of 1, 16 and 4097 bytes (malloc'd to size, so a write past
 * cap is caught), counted, and their values parsed as mailboxes whose
 * domains are taken; the whole input is also searched for a queue id and
 * taken as a message whose header block is measured. Every Received header,
 * walked with smtp_header_next (as many as smtp_header_count finds), and the
 * whole input are parsed as trace fields, whose spans must lie inside the
 * value; the input is also read as a DKIM tag list, and it and every
 * Authentication-Results header (and ARC-Authentication-Results header,
 * after its "i=N;") as authentication results (spans inside,
 * each result a step forward, at most SMTP_AUTHRES_PROPS properties) and as
 * a Received-SPF value; and the input as the body of a delivery report, in
 * groups of fields (each inside, not empty, a step forward) whose lines'
 * typed values lie inside them; and the input as a Date header's value,
 * whose date, when it is taken, is a real one (ranges, day of the week,
 * seconds since 1970 within years 1900 to 9999). */
#include "fuzz_common.h"
#include "smtp_authres.h"
#include "smtp_date.h"
#include "smtp_dkim.h"
#include "smtp_dsn.h"
#include "smtp_imf.h"

static const char *const names[] = { "From", "To", "Subject", "Received", "Message-ID", "Sender" };
static const size_t caps[] = { 1, 16, 4097 };

static void check_mailbox(const char *v, size_t len)
{
    char *c = fuzz_copy(v, len);
    smtp_mailbox_t mb;
    bool ok = smtp_mailbox_parse(c, len, &mb);

    CHECK(fuzz_span_ok(mb.display_off, mb.display_len, len));
    CHECK(fuzz_span_ok(mb.addr_off, mb.addr_len, len));
    CHECK(ok == (mb.addr_len > 0));
    size_t pos = 0, prev = 0;
    smtp_mailbox_t lm;
    while (smtp_mailbox_list_next(c, len, &pos, &lm)) {
        CHECK(pos > prev && pos <= len && lm.addr_len > 0);
        CHECK(fuzz_span_ok(lm.addr_off, lm.addr_len, len) && fuzz_span_ok(lm.display_off, lm.display_len, len));
        prev = pos;
    }
    CHECK(pos <= len && lm.addr_len == 0);
    if (ok) {
        char *addr = fuzz_copy(c + mb.addr_off, mb.addr_len);
        size_t off = 0;
        if (smtp_address_domain(addr, mb.addr_len, &off))
            CHECK(off > 0 && off < mb.addr_len && addr[off - 1] == '@');
        else
            CHECK(off <= mb.addr_len);
        free(addr);
    }
    free(c);
}

static void check_received(const char *v, size_t len)
{
    char *c = fuzz_copy(v, len);
    smtp_received_t r;
    bool any = smtp_received_parse(c, len, &r);
    bool seen = r.date.len > 0;

    for (int k = 0; k < SMTP_RCVD_CLAUSES; k++) {
        CHECK(fuzz_span_ok(r.clause[k].off, r.clause[k].len, len));
        seen = seen || r.clause[k].len > 0;
    }
    CHECK(any == seen);
    smtp_range_t by = smtp_received_by(c, len);     /* the same clause, read no further */
    CHECK(by.off == r.clause[SMTP_RCVD_BY].off && by.len == r.clause[SMTP_RCVD_BY].len);
    CHECK(fuzz_span_ok(r.date.off, r.date.len, len));
    CHECK(fuzz_span_ok(r.ip.off, r.ip.len, len));
    CHECK(r.ip_family == 0 || r.ip_family == 4 || r.ip_family == 6);
    CHECK((r.ip_family != 0) == (r.ip.len > 0));
    if (r.ip_family)
        CHECK(r.ip.len < 64);
    free(c);
}

static void check_dkim(const char *v, size_t len)
{
    static const char *const tags[] = { "d", "s", "bh", "" };
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        size_t off = 0, n = 0;
        if (smtp_dkim_tag(v, len, tags[i], &off, &n))
            CHECK(n > 0 && fuzz_span_ok(off, n, len) && off > 0 && v[off - 1] != ';');
    }
}

typedef struct {
    uint64_t bytes;
    char last[2];           /* the last two bytes written */
    bool blank_before_crlf; /* relaxed: a blank just before a CRLF */
    bool tab;               /* relaxed: a tab */
} canon_seen_t;

static void see_canon(void *data, const char *bytes, size_t len)
{
    canon_seen_t *s = data;
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\n' && s->last[1] == '\r' && s->last[0] == ' ')
            s->blank_before_crlf = true;
        s->tab |= bytes[i] == '\t';
        s->last[0] = s->last[1];
        s->last[1] = bytes[i];
    }
    s->bytes += len;
}

/* The canonical body of a signature's body hash: no more than asked for,
 * at most the body and one CRLF, ending in CRLF (but an empty relaxed one);
 * relaxed has no tab and no blank at a line's end but the last one's. */
static void check_dkim_body(const char *v, size_t len)
{
    smtp_dkim_body_sig_t sig;
    uint64_t x;
    if (smtp_dkim_number(v, len, "x", &x))
        CHECK(x < 1000000000000ULL);
    if (smtp_dkim_signs(v, len, "from"))       /* the name is in it, in some case */
        CHECK(len >= 4);
    if (smtp_dkim_body_sig_parse(v, len, &sig))
        CHECK(sig.hash != SMTP_DKIM_HASH_UNKNOWN && fuzz_span_ok(sig.bh.off, sig.bh.len, len));
    for (int c = SMTP_DKIM_SIMPLE; c <= SMTP_DKIM_RELAXED; c++) {
        canon_seen_t all = { 0 }, cut = { 0 };
        uint64_t total = smtp_dkim_body_canon(v, len, (smtp_dkim_canon_t)c, UINT64_MAX, see_canon, &all);
        CHECK(total == all.bytes && total <= (uint64_t)len + 2);
        CHECK(total == 0 ? c == SMTP_DKIM_RELAXED : all.last[0] == '\r' && all.last[1] == '\n');
        if (c == SMTP_DKIM_RELAXED)
            CHECK(!all.tab && (!all.blank_before_crlf || (total >= 3 && len > 0 && v[len - 1] != '\n')));
        CHECK(smtp_dkim_body_canon(v, len, (smtp_dkim_canon_t)c, len / 3, see_canon, &cut) == total &&
              cut.bytes == (total < len / 3 ? total : len / 3));
    }
}

/* An ARC chain of the input's lines, each taken as a header of the kind
 * its first byte picks: the verdict names an instance of the chain, and an
 * intact chain has exactly three headers a set. */
static void check_arc(const char *v, size_t len)
{
    smtp_arc_sets_t sets = { 0 };
    smtp_arc_chain_t chain;
    size_t headers = 0;

    for (size_t start = 0; start < len;) {
        const char *nl = memchr(v + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - v) : len;
        if (end > start) {
            smtp_arc_add(&sets, (smtp_arc_kind_t)((unsigned char)v[start] % SMTP_ARC_KINDS), v + start + 1,
                         end - start - 1);
            headers++;
        }
        start = end + 1;
    }
    smtp_arc_verdict(&sets, &chain);
    CHECK(chain.instances == sets.highest && chain.instances <= SMTP_ARC_MAX && chain.kind < SMTP_ARC_KINDS);
    if (chain.verdict != SMTP_ARC_NO_INSTANCE && chain.verdict != SMTP_ARC_INTACT)
        CHECK(chain.at >= 1 && chain.at <= chain.instances);
    if (chain.verdict == SMTP_ARC_INTACT)
        CHECK(headers == 3 * (size_t)chain.instances);
}

static void check_authres(const char *v, size_t len)
{
    char *c = fuzz_copy(v, len);
    smtp_range_t id, result;
    size_t pos = 99;
    smtp_authres_t r;

    if (smtp_authres_server(c, len, &id, &pos))
        CHECK(id.len > 0 && fuzz_span_ok(id.off, id.len, len) && pos >= id.off + id.len && pos <= len);
    else
        CHECK(pos == 0);
    for (size_t prev = pos; smtp_authres_next(c, len, &pos, &r); prev = pos) {
        CHECK(pos > prev && pos <= len);
        CHECK(r.method.len > 0 && r.result.len > 0 && r.n_props <= SMTP_AUTHRES_PROPS);
        CHECK(fuzz_span_ok(r.method.off, r.method.len, len) && fuzz_span_ok(r.result.off, r.result.len, len));
        CHECK(fuzz_span_ok(r.reason.off, r.reason.len, len));
        for (unsigned k = 0; k < r.n_props; k++)
            CHECK(r.prop[k].len > 0 && fuzz_span_ok(r.prop[k].off, r.prop[k].len, len));
        (void)smtp_authres_failed(c + r.method.off, r.method.len, c + r.result.off, r.result.len);
    }
    CHECK(pos == len);
    if (smtp_received_spf(c, len, &result))
        CHECK(result.len >= 4 && fuzz_span_ok(result.off, result.len, len));
    else
        CHECK(result.len == 0);
    free(c);
}

/* An ARC-Authentication-Results value: its Authentication-Results value
 * starts after the ';' that ends "i=N", N a number up to 999. */
static void check_arc_results(const char *v, size_t len)
{
    char *c = fuzz_copy(v, len);
    unsigned instance = 1000;
    size_t rest = smtp_arc_results_instance(c, len, &instance);

    CHECK(rest <= len && instance <= 999 && (rest == 0 ? instance == 0 : c[rest - 1] == ';'));
    check_authres(c + rest, len - rest);
    free(c);
}

static void walk_authres(const char *block, size_t size)
{
    char value[4097];
    size_t pos = 0;

    while (smtp_header_next(block, size, "Authentication-Results", &pos, value, sizeof value))
        check_authres(value, strlen(value));
    for (pos = 0; smtp_header_next(block, size, "ARC-Authentication-Results", &pos, value, sizeof value);)
        check_arc_results(value, strlen(value));
}

static void walk_dsn(const char *body, size_t size)
{
    size_t pos = 0, prev = 0;
    smtp_range_t g;

    while (smtp_dsn_group_next(body, size, &pos, &g)) {
        CHECK(g.len > 0 && fuzz_span_ok(g.off, g.len, size) && pos == g.off + g.len && pos > prev);
        prev = pos;
        const char *lf = memchr(body + g.off, '\n', g.len);
        size_t line = lf ? (size_t)(lf - (body + g.off)) : g.len;
        smtp_range_t v = smtp_dsn_value(body + g.off, line);
        CHECK(fuzz_span_ok(v.off, v.len, line));
    }
    CHECK(pos == size);
}

/* smtp_header_next walks as many Received headers as smtp_header_count finds. */
static void walk_received(const char *block, size_t size)
{
    char value[4097];
    size_t pos = 0, last = 0;
    unsigned n = 0;

    while (smtp_header_next(block, size, "Received", &pos, value, sizeof value)) {
        CHECK(pos > last && pos <= size + 1);
        last = pos;
        n++;
        check_received(value, strlen(value));
    }
    CHECK(n == smtp_header_count(block, size, "Received"));
}

/* A date taken is a real one; a fault is one of the four. */
static void check_date(const char *v, size_t len)
{
    smtp_date_t d;
    smtp_date_fault_t f = smtp_date_parse(v, len, &d);

    CHECK(f == SMTP_DATE_OK || f == SMTP_DATE_SYNTAX || f == SMTP_DATE_RANGE || f == SMTP_DATE_WEEKDAY);
    if (f == SMTP_DATE_RANGE || f == SMTP_DATE_WEEKDAY)
        CHECK(d.month >= 1 && d.month <= 12 && d.weekday >= -1 && d.weekday <= 6);
    if (f != SMTP_DATE_OK)
        return;
    CHECK(d.year >= 1900 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
    CHECK(d.hour >= 0 && d.hour <= 23 && d.minute >= 0 && d.minute <= 59 && d.second >= 0 && d.second <= 60);
    CHECK(d.zone > -100 * 60 && d.zone < 100 * 60);
    CHECK(d.weekday == -1 || d.weekday == smtp_date_weekday(d.year, d.month, d.day));
    long long t = smtp_date_seconds(&d);    /* 1900-01-01 to 10000-01-01 UTC, a day either side for the zone */
    CHECK(t >= -2208988800LL - 86400 && t <= 253402300800LL + 86400);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *block = fuzz_copy(data, size);
    /* the dissector passes NUL-terminated blocks; a NUL inside a value here
     * ends the C string early, so trailing blanks are only checked without */
    bool has_nul = memchr(block, '\0', size) != NULL;
    size_t off, id_len;

    /* every line as a header field */
    for (size_t pos = 0; pos < size;) {
        const char *lf = memchr(block + pos, '\n', size - pos);
        size_t end = lf ? (size_t)(lf - block) : size;
        size_t len = end - pos, name_len = 0, value_off = 0;
        char *line = fuzz_copy(block + pos, len);
        if (smtp_header_split(line, len, &name_len, &value_off)) {
            size_t colon = name_len;
            while (colon < len && (line[colon] == ' ' || line[colon] == '\t'))
                colon++;        /* ("From : x", obsolete) */
            CHECK(name_len > 0 && colon < len && line[colon] == ':' && value_off > colon);
            CHECK(value_off > name_len && value_off <= len);
            check_mailbox(line + value_off, len - value_off);
        }
        (void)smtp_header_is_folded(line, len);
        free(line);
        pos = end + 1;
    }

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        unsigned count = smtp_header_count(block, size, names[i]);
        CHECK(count <= size / 2 + 1);
        for (unsigned n = 0; n <= 2; n++) {
            for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
                char *out = malloc(caps[c]);
                if (!out)
                    abort();
                bool found = smtp_header_get(block, size, names[i], n, out, caps[c]);
                CHECK(found == (n < count));
                if (found) {
                    size_t vlen = strnlen(out, caps[c]);
                    CHECK(vlen < caps[c]);
                    CHECK(has_nul || vlen == 0 || (out[vlen - 1] != ' ' && out[vlen - 1] != '\t'));
                    if (c == 2)
                        check_mailbox(out, vlen);
                }
                free(out);
            }
        }
        char none = 'x';
        CHECK(!smtp_header_get(block, size, names[i], 0, &none, 0) && none == 'x');
    }

    /* the header block of a whole message: ends at a line start, before an empty line */
    size_t hlen = smtp_header_block_len(block, size);
    CHECK(hlen <= size);
    CHECK(hlen == size || hlen == 0 || block[hlen - 1] == '\n');
    CHECK(hlen == size || block[hlen] == '\n' || (block[hlen] == '\r' && hlen + 1 < size && block[hlen + 1] == '\n'));

    check_mailbox(block, size);
    check_received(block, size);
    check_dkim(block, size);
    check_dkim_body(block, size);
    check_arc(block, size);
    walk_received(block, size);
    check_authres(block, size);
    walk_authres(block, size);
    walk_dsn(block, size);
    check_date(block, size);
    if (smtp_queue_id(block, size, &off, &id_len))
        CHECK(id_len > 0 && fuzz_span_ok(off, id_len, size));
    free(block);
    return 0;
}
