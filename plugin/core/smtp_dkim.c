/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_dkim.h"
#include "smtp_grammar.h"

#include <string.h>

static smtp_dkim_hash_t hash_of(const char *v, size_t len)
{
    if (smtp_token_is(v, len, "rsa-sha256") || smtp_token_is(v, len, "ed25519-sha256"))
        return SMTP_DKIM_SHA256;
    return smtp_token_is(v, len, "rsa-sha1") ? SMTP_DKIM_SHA1 : SMTP_DKIM_HASH_UNKNOWN;
}

/* c= is "header/body" or "header" alone: the body half, simple by default */
static bool body_canon_of(const char *v, size_t len, smtp_dkim_canon_t *canon)
{
    const char *slash = memchr(v, '/', len);
    if (!slash) {
        *canon = SMTP_DKIM_SIMPLE;
        return smtp_token_is(v, len, "simple") || smtp_token_is(v, len, "relaxed");
    }
    size_t off = (size_t)(slash - v) + 1;
    if (smtp_token_is(v + off, len - off, "relaxed"))
        *canon = SMTP_DKIM_RELAXED;
    else if (smtp_token_is(v + off, len - off, "simple"))
        *canon = SMTP_DKIM_SIMPLE;
    else
        return false;
    return true;
}

/* digits only, at most max of them */
static bool number_of(const char *v, size_t len, size_t max, uint64_t *n)
{
    *n = 0;
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        *n = *n * 10 + (uint64_t)(v[i] - '0');
    }
    return true;
}

bool smtp_dkim_body_sig_parse(const char *v, size_t len, smtp_dkim_body_sig_t *sig)
{
    size_t off, n;

    memset(sig, 0, sizeof *sig);
    if (!smtp_dkim_tag(v, len, "a", &off, &n) || (sig->hash = hash_of(v + off, n)) == SMTP_DKIM_HASH_UNKNOWN)
        return false;
    if (smtp_dkim_tag(v, len, "c", &off, &n) && !body_canon_of(v + off, n, &sig->body))
        return false;
    if (smtp_dkim_tag(v, len, "l", &off, &n)) {
        if (!number_of(v + off, n, 19, &sig->length))     /* l=: 1*76DIGIT, read only up to what fits */
            return false;
        sig->has_length = true;
    }
    if (!smtp_dkim_tag(v, len, "bh", &off, &n))
        return false;
    sig->bh = (smtp_range_t){ off, n };
    return true;
}

bool smtp_dkim_number(const char *v, size_t len, const char *name, uint64_t *n)
{
    size_t off, tag_len;
    return smtp_dkim_tag(v, len, name, &off, &tag_len) && number_of(v + off, tag_len, 12, n);
}

static bool is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool smtp_dkim_signs(const char *h, size_t len, const char *name)
{
    for (size_t start = 0; start < len;) {
        const char *colon = memchr(h + start, ':', len - start);
        size_t end = colon ? (size_t)(colon - h) : len, a = start, b = end;
        while (a < b && is_fws(h[a]))
            a++;
        while (b > a && is_fws(h[b - 1]))
            b--;
        if (smtp_token_is(h + a, b - a, name))
            return true;
        start = end + 1;
    }
    return false;
}

/* The canonical body goes out through a small buffer, cut at the limit. */
typedef struct {
    char buf[1024];
    size_t used;
    uint64_t total, limit;
    smtp_dkim_sink_t sink;
    void *data;
} writer_t;

static void flush(writer_t *w)
{
    if (w->used)
        w->sink(w->data, w->buf, w->used);
    w->used = 0;
}

static void put(writer_t *w, const char *bytes, size_t len)
{
    uint64_t room = w->total < w->limit ? w->limit - w->total : 0;
    size_t n = room < len ? (size_t)room : len;

    w->total += len;
    if (n > sizeof w->buf - w->used) {
        flush(w);
        if (n >= sizeof w->buf) {
            w->sink(w->data, bytes, n);
            return;
        }
    }
    memcpy(w->buf + w->used, bytes, n);
    w->used += n;
}

/* Empty lines are held until a line with text follows: those at the end
 * of the body are left out. */
static void put_held_lines(writer_t *w, uint64_t *held)
{
    for (; *held > 0; (*held)--)
        put(w, "\r\n", 2);
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* One line, without its CRLF; false when its canonical form is empty. The
 * blanks at the end of a last line without CRLF (a BDAT body) stay one
 * space, as dkimpy has it: relaxed removes blanks before a CRLF. */
static bool put_line(writer_t *w, const char *line, size_t len, smtp_dkim_canon_t canon, uint64_t *held,
                     bool unterminated)
{
    if (canon == SMTP_DKIM_SIMPLE) {
        if (len == 0)
            return false;
        put_held_lines(w, held);
        put(w, line, len);
        return true;
    }
    bool text = false, blank = false;
    for (size_t i = 0; i < len; i++) {
        if (is_wsp(line[i])) {      /* a run of blanks is one space, none at the line's end */
            blank = true;
            continue;
        }
        if (!text)
            put_held_lines(w, held);
        if (blank)
            put(w, " ", 1);
        size_t run = 1;
        while (i + run < len && !is_wsp(line[i + run]))
            run++;
        put(w, line + i, run);
        i += run - 1;
        text = true;
        blank = false;
    }
    if (blank && unterminated) {
        if (!text)
            put_held_lines(w, held);
        put(w, " ", 1);
        text = true;
    }
    return text;
}

/* Where the line from pos ends: at its CRLF, or at len. */
static size_t line_end(const char *s, size_t pos, size_t len)
{
    const char *cr;

    while (pos < len && (cr = memchr(s + pos, '\r', len - pos)) != NULL) {
        size_t i = (size_t)(cr - s);
        if (i + 1 < len && s[i + 1] == '\n')
            return i;
        pos = i + 1;
    }
    return len;
}

uint64_t smtp_dkim_body_canon(const char *body, size_t len, smtp_dkim_canon_t canon, uint64_t limit,
                              smtp_dkim_sink_t sink, void *data)
{
    writer_t w = { .limit = limit, .sink = sink, .data = data };
    uint64_t held = 0;
    bool any = false;

    for (size_t pos = 0; pos < len;) {
        size_t end = line_end(body, pos, len);
        if (put_line(&w, body + pos, end - pos, canon, &held, end == len)) {     /* a last line without CRLF gets one */
            put(&w, "\r\n", 2);
            any = true;
        } else {
            held++;
        }
        pos = end < len ? end + 2 : len;
    }
    if (!any && canon == SMTP_DKIM_SIMPLE)     /* an empty body is one CRLF; relaxed: nothing */
        put(&w, "\r\n", 2);
    flush(&w);
    return w.total;
}

void smtp_arc_add(smtp_arc_sets_t *sets, smtp_arc_kind_t kind, const char *v, size_t len)
{
    uint64_t i;
    size_t off, n;

    if (!smtp_dkim_number(v, len, "i", &i) || i < 1 || i > SMTP_ARC_MAX) {
        if (!sets->no_instance)
            sets->no_instance_kind = kind;
        sets->no_instance = true;
        return;
    }
    if (sets->count[i][kind] < UINT8_MAX)
        sets->count[i][kind]++;
    if (i > sets->highest)
        sets->highest = (unsigned)i;
    if (kind != SMTP_ARC_SEAL || sets->cv[i])
        return;
    sets->cv[i] = '?';
    if (smtp_dkim_tag(v, len, "cv", &off, &n)) {
        sets->cv[i] = smtp_token_is(v + off, n, "none") ? 'n' : smtp_token_is(v + off, n, "pass") ? 'p'
                    : smtp_token_is(v + off, n, "fail") ? 'f' : '?';
    }
}

/* The first set, lowest instance first, that lacks a header or has two. */
static bool incomplete_set(const smtp_arc_sets_t *sets, smtp_arc_chain_t *chain)
{
    for (unsigned i = 1; i <= sets->highest; i++) {
        for (int k = 0; k < SMTP_ARC_KINDS; k++) {
            if (sets->count[i][k] != 1) {
                chain->verdict = sets->count[i][k] ? SMTP_ARC_DUPLICATE : SMTP_ARC_MISSING;
                chain->at = i;
                chain->kind = (smtp_arc_kind_t)k;
                return true;
            }
        }
    }
    return false;
}

void smtp_arc_verdict(const smtp_arc_sets_t *sets, smtp_arc_chain_t *chain)
{
    *chain = (smtp_arc_chain_t){ SMTP_ARC_INTACT, sets->highest, 0, SMTP_ARC_SEAL };
    if (sets->no_instance) {
        chain->verdict = SMTP_ARC_NO_INSTANCE;
        chain->kind = sets->no_instance_kind;
        return;
    }
    for (unsigned i = 1; i <= sets->highest; i++) {
        if (sets->cv[i] == 'f') {       /* the forwarder found the chain before it broken */
            chain->verdict = SMTP_ARC_FAILED;
            chain->at = i;
            return;
        }
    }
    if (incomplete_set(sets, chain))
        return;
    for (unsigned i = 1; i <= sets->highest; i++) {
        if (sets->cv[i] != (i == 1 ? 'n' : 'p')) {
            chain->verdict = SMTP_ARC_WRONG_CV;
            chain->at = i;
            return;
        }
    }
}
