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
    size_t name_end = i;
    while (i < len && is_wsp(line[i]))
        i++;        /* "From : x", the obsolete form RFC 5322 4.5 has readers accept */
    if (name_end == 0 || i >= len || line[i] != ':')
        return false;
    *name_len = name_end;
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

/* The n-th (from 0) header `name` at or after *pos: its value is
 * b[*start..*end), and *pos moves past it. */
static bool find_header(const char *b, size_t len, const char *name, unsigned n, size_t *pos, size_t *start,
                        size_t *end)
{
    size_t name_len, value_off;
    unsigned seen = 0;

    while (*pos < len) {
        size_t line = *pos, e = line_end(b, len, line);
        *pos = e + 1;
        if (smtp_header_split(b + line, e - line, &name_len, &value_off) && smtp_token_is(b + line, name_len, name) &&
            seen++ == n) {
            *start = line + value_off;
            /* the value runs on over folded lines */
            while (e < len && e + 1 < len && is_wsp(b[e + 1]))
                e = line_end(b, len, e + 1);
            *end = e;
            *pos = e + 1;
            return true;
        }
    }
    return false;
}

/* The value b[start..end) unfolded and trimmed into out (cap > 0). */
static void copy_value(const char *b, size_t start, size_t end, char *out, size_t cap)
{
    size_t k = trim_end(out, append(out, 0, cap, b, start, end));
    out[k] = '\0';
}

bool smtp_header_get(const char *block, size_t len, const char *name, unsigned n, char *out, size_t cap)
{
    size_t pos = 0, start, end;
    if (cap == 0 || !find_header(block, len, name, n, &pos, &start, &end))
        return false;
    copy_value(block, start, end, out, cap);
    return true;
}

bool smtp_header_next(const char *block, size_t len, const char *name, size_t *pos, char *out, size_t cap)
{
    size_t start, end;
    if (cap == 0 || !find_header(block, len, name, 0, pos, &start, &end))
        return false;
    copy_value(block, start, end, out, cap);
    return true;
}

void smtp_header_counts(const char *block, size_t len, const char *const names[], size_t n, unsigned counts[])
{
    size_t name_len, value_off;

    memset(counts, 0, n * sizeof counts[0]);
    for (size_t pos = 0; pos < len;) {
        size_t e = line_end(block, len, pos);
        if (smtp_header_split(block + pos, e - pos, &name_len, &value_off)) {
            for (size_t i = 0; i < n; i++) {
                if (smtp_token_is(block + pos, name_len, names[i]))
                    counts[i]++;
            }
        }
        pos = e + 1;
    }
}

unsigned smtp_header_count(const char *block, size_t len, const char *name)
{
    unsigned n;
    smtp_header_counts(block, len, &name, 1, &n);
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
    unsigned comment = 0;
    size_t lt = len, gt = len, first = len, last = 0;   /* [first, last): outside comments */

    memset(mb, 0, sizeof *mb);
    for (size_t i = 0; i < len && gt == len; i++) {
        bool was_comment = comment > 0;
        if ((quoted || comment) && v[i] == '\\' && i + 1 < len) {
            i++;            /* a quoted-pair: the next character is text (RFC 5322 3.2.1) */
        } else if (v[i] == '"' && !comment) {
            quoted = !quoted;
        } else if (quoted) {
            ;
        } else if (v[i] == '(') {
            comment++;
        } else if (comment) {
            comment -= v[i] == ')';
        } else if (v[i] == '<') {
            lt = i;
        } else if (v[i] == '>' && lt < len) {
            gt = i;
        } else if (v[i] == ',' && lt == len) {
            len = i;        /* several mailboxes: the first one */
            break;
        }
        if (!comment && !was_comment && !is_wsp(v[i])) {
            first = first < len ? first : i;
            last = i + 1;
        }
    }
    if (lt < len) {
        mb->display_off = 0;
        mb->display_len = lt;
        trim(v, &mb->display_off, &mb->display_len);
        mb->addr_off = lt + 1;
        mb->addr_len = (gt < len ? gt : len) - lt - 1;
    } else if (first < last) {  /* "(Bob) bob@b.example (Bob)": without its comments */
        mb->addr_off = first;
        mb->addr_len = last - first;
    }
    return mb->addr_len > 0;
}

/* Where the list member starting at `from` ends: a ',' or ';' outside
 * quotes, comments, <...> and [...]; *group: after a group's "name:". */
static size_t member_end(const char *v, size_t len, size_t from, size_t *group)
{
    bool quoted = false;
    unsigned comment = 0;
    char closer = 0;    /* '>' or ']' while inside one */

    for (size_t i = from; i < len; i++) {
        char c = v[i];
        if (quoted) {
            i += c == '\\';
            quoted = c != '"';
        } else if (comment) {
            i += c == '\\';    /* (a quoted-pair) */
            comment = c == '(' ? comment + 1 : c == ')' ? comment - 1 : comment;
        } else if (closer) {
            closer = c == closer ? 0 : closer;
        } else if (c == '"' || c == '(') {
            quoted = c == '"';
            comment = c == '(';
        } else if (c == '<' || c == '[') {
            closer = c == '<' ? '>' : ']';
        } else if (c == ':') {
            *group = i + 1;
        } else if (c == ',' || c == ';') {
            return i;
        }
    }
    return len;
}

bool smtp_mailbox_list_next(const char *v, size_t len, size_t *pos, smtp_mailbox_t *mb)
{
    while (*pos < len) {
        size_t start = *pos, end = member_end(v, len, start, &start);
        *pos = end < len ? end + 1 : len;
        if (smtp_mailbox_parse(v + start, end - start, mb)) {
            mb->display_off += start;
            mb->addr_off += start;
            return true;
        }
    }
    memset(mb, 0, sizeof *mb);
    return false;
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

/* A queue id's length at off: up to a blank or punctuation that ends it in
 * a reply's text ("id=ABC;", "(queued as ABC)", "[InternalId=1, ...]"). */
static size_t token_len(const char *s, size_t len, size_t off)
{
    size_t n = 0;
    while (off + n < len && !is_wsp(s[off + n]) && !strchr(",;()", s[off + n]))
        n++;
    return n;
}

/* Where marker is found starting a word ("id=", not the end of
 * "InternalId="), else len. */
static size_t find_word(const char *s, size_t len, const char *marker)
{
    size_t at = smtp_find_nocase(s, len, 0, marker);
    while (at < len && at > 0 && smtp_is_alnum(s[at - 1]))
        at = smtp_find_nocase(s, len, at + 1, marker);
    return at;
}

/* Past an enhanced status code at off ("2.0.0"), if there is one. */
static size_t skip_enhanced(const char *s, size_t len, size_t off)
{
    while (off < len && (s[off] == '.' || (s[off] >= '0' && s[off] <= '9')))
        off++;
    return off;
}

bool smtp_queue_id(const char *text, size_t len, size_t *off, size_t *id_len)
{
    static const char *const markers[] = { "queued as ", "id=" };
    for (size_t m = 0; m < sizeof markers / sizeof markers[0]; m++) {
        size_t at = find_word(text, len, markers[m]);
        if (at < len) {
            *off = at + strlen(markers[m]);
            *id_len = token_len(text, len, *off);
            return *id_len > 0;
        }
    }
    /* "<id> Queued mail for delivery" (Exchange), "id Message accepted" (Sendmail): a token before the phrase */
    size_t start = smtp_skip_wsp(text, len, skip_enhanced(text, len, 0));
    size_t n = token_len(text, len, start);
    bool angle = n > 2 && text[start] == '<' && text[start + n - 1] == '>';
    if (n > 0 && (smtp_find_nocase(text, len, start + n, "queued mail") < len ||
                  smtp_find_nocase(text, len, start + n, "message accepted") < len)) {
        *off = start + angle;
        *id_len = n - 2 * angle;
        return true;
    }
    /* "<recipient> id Saved" (Dovecot LMTP: one reply per recipient) */
    size_t id = smtp_skip_wsp(text, len, start + n);
    size_t id_n = token_len(text, len, id);
    if (angle && id_n > 0 && smtp_find_nocase(text, len, id + id_n, " saved") < len) {
        *off = id;
        *id_len = id_n;
        return true;
    }
    return false;
}

bool smtp_dkim_tag(const char *v, size_t len, const char *name, size_t *off, size_t *tag_len)
{
    size_t name_len = strlen(name);

    for (size_t start = 0; start < len;) {
        const char *semi = memchr(v + start, ';', len - start);
        size_t end = semi ? (size_t)(semi - v) : len;
        size_t i = start;
        while (i < end && is_wsp(v[i]))
            i++;
        size_t name_end = i;
        while (name_end < end && v[name_end] != '=' && !is_wsp(v[name_end]))
            name_end++;
        size_t eq = name_end;
        while (eq < end && is_wsp(v[eq]))
            eq++;
        if (eq < end && v[eq] == '=' && name_end - i == name_len && memcmp(v + i, name, name_len) == 0) {
            *off = eq + 1;
            *tag_len = end - eq - 1;
            trim(v, off, tag_len);
            return *tag_len > 0;
        }
        start = end + 1;
    }
    return false;
}

size_t smtp_comment_end(const char *v, size_t len, size_t i)
{
    size_t depth = 0;
    for (; i < len; i++) {
        if (v[i] == '\\')
            i++;
        else if (v[i] == '(')
            depth++;
        else if (v[i] == ')' && --depth == 0)
            return i + 1;
    }
    return len;
}

/* The last ';' outside comments, which the date follows (len if none). */
static size_t last_semicolon(const char *v, size_t len)
{
    size_t at = len;
    for (size_t i = 0; i < len;) {
        if (v[i] == '(') {
            i = smtp_comment_end(v, len, i);
        } else {
            if (v[i] == ';')
                at = i;
            i++;
        }
    }
    return at;
}

/* Takes s[off..off+len) as the address if it is one and none was found yet. */
static void take_ip(const char *v, size_t off, size_t len, smtp_received_t *r)
{
    if (r->ip_family)
        return;
    size_t tag = smtp_ipv6_tag_len(v + off, len);
    off += tag;
    len -= tag;
    r->ip_family = smtp_ip_parse(v + off, len, r->ip_addr);
    if (r->ip_family) {
        r->ip.off = off;
        r->ip.len = len;
    }
}

/* The sender's address in v[from..to): a [literal] first, else a bare
 * address between blanks, brackets or parentheses (Exchange, qmail). */
static void find_ip(const char *v, size_t from, size_t to, smtp_received_t *r)
{
    for (size_t i = from; i < to && !r->ip_family;) {
        const char *open = memchr(v + i, '[', to - i);
        const char *close = open ? memchr(open, ']', to - (size_t)(open - v)) : NULL;
        if (!close)
            break;      /* one scan each, however many '[' there are */
        take_ip(v, (size_t)(open - v) + 1, (size_t)(close - open) - 1, r);
        i = (size_t)(close - v) + 1;
    }
    for (size_t i = from; i < to && !r->ip_family;) {
        size_t w = i;
        while (i < to && !strchr(" \t()[]", v[i]))
            i++;
        take_ip(v, w, i - w, r);
        i += (i == w);
    }
}

/* The address in a comment of the from clause is the one the server saw
 * (TCP-info, RFC 5321 4.4): it wins over one the client gave as its name
 * ("from [192.168.1.5] (dsl-9.isp.example [203.0.113.9])"). */
static void comment_ip(const char *v, size_t from, size_t to, smtp_received_t *r)
{
    smtp_received_t before = *r;

    r->ip_family = 0;
    find_ip(v, from, to, r);
    if (!r->ip_family)
        *r = before;
}

static int rcvd_keyword(const char *w, size_t len)
{
    static const char *const keywords[SMTP_RCVD_CLAUSES] = { "from", "by", "via", "with", "id", "for" };
    for (int k = 0; k < SMTP_RCVD_CLAUSES; k++) {
        if (smtp_token_is(w, len, keywords[k]))
            return k;
    }
    return -1;
}

/* One word v[w..i) of the clauses: a keyword opens its clause, the first
 * word after it is the clause's value, later words are left out. */
static void rcvd_word(const char *v, size_t w, size_t i, int *clause, smtp_received_t *r)
{
    int k = rcvd_keyword(v + w, i - w);
    bool open = *clause >= 0 && r->clause[*clause].len == 0;
    if (k >= 0 && !open && r->clause[k].len == 0) {
        *clause = k;
    } else if (open) {
        r->clause[*clause].off = w;
        r->clause[*clause].len = i - w;
        if (*clause == SMTP_RCVD_FROM)
            find_ip(v, w, i, r);        /* from [192.0.2.1] */
    }
}

smtp_range_t smtp_received_date(const char *v, size_t len)
{
    size_t end = last_semicolon(v, len);
    smtp_range_t date = { 0, 0 };

    if (end < len) {
        date.off = end + 1;
        date.len = len - end - 1;
        trim(v, &date.off, &date.len);
    }
    return date;
}

/* The clauses of v[0..end) into r, up to the value of clause `last`
 * (SMTP_RCVD_CLAUSES: all of them). */
static void rcvd_clauses(const char *v, size_t end, int last, smtp_received_t *r)
{
    int clause = -1;

    for (size_t i = 0; i < end && (last == SMTP_RCVD_CLAUSES || r->clause[last].len == 0);) {
        if (is_wsp(v[i])) {
            i++;
        } else if (v[i] == '(') {
            size_t e = smtp_comment_end(v, end, i);
            if (clause == SMTP_RCVD_FROM)
                comment_ip(v, i + 1, e, r);     /* from name (rdns [192.0.2.1]) */
            i = e;
        } else {
            size_t w = i;
            while (i < end && !is_wsp(v[i]) && v[i] != '(')
                i++;
            rcvd_word(v, w, i, &clause, r);
        }
    }
}

bool smtp_received_parse(const char *v, size_t len, smtp_received_t *r)
{
    bool any = false;

    memset(r, 0, sizeof *r);
    r->date = smtp_received_date(v, len);
    rcvd_clauses(v, last_semicolon(v, len), SMTP_RCVD_CLAUSES, r);
    for (int k = 0; k < SMTP_RCVD_CLAUSES; k++)
        any = any || r->clause[k].len > 0;
    return any || r->date.len > 0;
}

smtp_range_t smtp_received_by(const char *v, size_t len)
{
    smtp_received_t r;

    memset(&r, 0, sizeof r);
    rcvd_clauses(v, last_semicolon(v, len), SMTP_RCVD_BY, &r);
    return r.clause[SMTP_RCVD_BY];
}
