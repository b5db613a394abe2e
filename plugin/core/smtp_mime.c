/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_mime.h"
#include "smtp_sasl.h"
#include "smtp_imf.h"
#include "smtp_grammar.h"

#include <string.h>
#include <strings.h>

#define SMTP_MIME_TOP_HEADER 65536     /* the message's own header block (Received chains are long) */
#define SMTP_MIME_MAX_VALUE  4096      /* a Content-* header, unfolded */

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The start of the line after the one at pos (len if it is the last). */
static size_t next_line(const char *m, size_t len, size_t pos)
{
    const char *lf = memchr(m + pos, '\n', len - pos);
    return lf ? (size_t)(lf - m) + 1 : len;
}

static bool is_blank_rest(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    }
    return true;
}

/* Is the line [pos, end) "--boundary" or "--boundary--" (blanks after it
 * allowed) of an open multipart? The innermost one that matches wins. */
static bool is_delimiter(const smtp_mime_walk_t *w, size_t pos, size_t end, unsigned *level, bool *close)
{
    const char *l = w->msg + pos;
    size_t n = end - pos;

    if (n < 3 || l[0] != '-' || l[1] != '-')
        return false;
    for (unsigned k = w->depth; k-- > 0;) {
        size_t bl = w->boundary_len[k];
        if (n < 2 + bl || memcmp(l + 2, w->boundary[k], bl) != 0)
            continue;
        size_t rest = 2 + bl;
        *close = n >= rest + 2 && l[rest] == '-' && l[rest + 1] == '-';
        if (*close)
            rest += 2;
        if (is_blank_rest(l + rest, n - rest)) {
            *level = k;
            return true;
        }
    }
    return false;
}

/* The first delimiter line at or after pos: its start in *at. */
static bool find_delimiter(const smtp_mime_walk_t *w, size_t pos, size_t *at, unsigned *level, bool *close)
{
    while (pos < w->len) {
        size_t end = next_line(w->msg, w->len, pos);
        if (w->msg[pos] == '-' && is_delimiter(w, pos, end, level, close)) {
            *at = pos;
            return true;
        }
        pos = end;
    }
    return false;
}

/* The header block of the part at start, up to its empty line (the body
 * begins after it), a delimiter line or cap bytes (the body begins there).
 * Returns its length; *body is where the body begins. */
static size_t part_headers(const smtp_mime_walk_t *w, size_t start, size_t cap, size_t *body)
{
    size_t pos = start, stop = start + min_size(w->len - start, cap);
    unsigned level;
    bool close;

    while (pos < stop) {
        size_t end = next_line(w->msg, w->len, pos), n = end - pos;
        if ((n == 1 && w->msg[pos] == '\n') || (n == 2 && w->msg[pos] == '\r' && w->msg[pos + 1] == '\n')) {
            *body = end;
            return pos - start;
        }
        if (is_delimiter(w, pos, end, &level, &close))
            break;
        pos = end;
    }
    *body = pos;
    return pos - start;
}

/* The first word of a header value (up to ';' or a blank), lower-case. */
static void first_word(const char *v, char *out, size_t cap)
{
    size_t n = 0;

    while (*v == ' ' || *v == '\t')
        v++;
    for (; *v && *v != ';' && *v != ' ' && *v != '\t' && *v != '(' && n + 1 < cap; v++)
        out[n++] = (char)((*v >= 'A' && *v <= 'Z') ? *v + 32 : *v);
    out[n] = '\0';
}

/* A file name into the part: a name longer than the room keeps its head
 * and its tail, where the extension is. */
static void keep_name(smtp_mime_part_t *p, const char *name)
{
    size_t len = strlen(name), cap = sizeof p->name - 1;

    if (len <= cap) {
        memcpy(p->name, name, len + 1);
        return;
    }
    size_t tail = cap / 4, head = cap - tail - 3;
    memcpy(p->name, name, head);
    memcpy(p->name + head, "...", 3);
    memcpy(p->name + head + 3, name + len - tail, tail + 1);
}

/* Type, file name and encoding from a part's header block; the boundary
 * (length in *blen, 0 if none) when it is a multipart. */
static void read_headers(const char *block, size_t len, smtp_mime_part_t *p, char *boundary, size_t *blen,
                         unsigned *faults)
{
    char v[SMTP_MIME_MAX_VALUE], name[SMTP_MIME_MAX_VALUE], word[32];

    *blen = 0;
    if (smtp_header_get(block, len, "Content-Type", 0, v, sizeof v)) {
        first_word(v, p->type, sizeof p->type);
        if (smtp_mime_param(v, strlen(v), "name", name, sizeof name))
            keep_name(p, name);
        if (strncmp(p->type, "multipart/", 10) == 0) {
            if (!smtp_mime_param(v, strlen(v), "boundary", boundary, SMTP_MIME_MAX_BOUNDARY + 2) || !boundary[0])
                *faults |= SMTP_MIME_NO_BOUNDARY;
            else if (strlen(boundary) > SMTP_MIME_MAX_BOUNDARY)
                *faults |= SMTP_MIME_LONG_BOUNDARY;
            else
                *blen = strlen(boundary);
        }
    }
    if (!p->type[0] || !strchr(p->type, '/'))
        strcpy(p->type, "text/plain");      /* RFC 2045 5.2 */
    if (smtp_header_get(block, len, "Content-Disposition", 0, v, sizeof v)) {
        first_word(v, word, sizeof word);
        p->attachment = strcmp(word, "attachment") == 0;
        if (smtp_mime_param(v, strlen(v), "filename", name, sizeof name) && name[0])
            keep_name(p, name);
    }
    if (smtp_header_get(block, len, "Content-Transfer-Encoding", 0, v, sizeof v)) {
        first_word(v, p->encoding, sizeof p->encoding);
        p->cte = strcmp(p->encoding, "base64") == 0             ? SMTP_CTE_BASE64
                 : strcmp(p->encoding, "quoted-printable") == 0 ? SMTP_CTE_QP
                                                                : SMTP_CTE_IDENTITY;
    }
}

/* Reads the part at start into p. A multipart with a boundary is opened
 * instead (true): its parts come next. */
static bool read_entity(smtp_mime_walk_t *w, size_t start, size_t cap, smtp_mime_part_t *p)
{
    char boundary[SMTP_MIME_MAX_BOUNDARY + 2];
    size_t blen, body;
    size_t hlen = part_headers(w, start, cap, &body);

    memset(p, 0, sizeof *p);
    read_headers(w->msg + start, hlen, p, boundary, &blen, &w->faults);
    p->body_off = body;
    p->depth = w->depth;
    if (!blen)
        return false;
    if (w->depth == SMTP_MIME_MAX_DEPTH) {
        w->limited = true;
        return false;
    }
    memcpy(w->boundary[w->depth], boundary, blen);
    w->boundary_len[w->depth++] = blen;
    w->pos = body;
    return true;
}

void smtp_mime_walk_init(smtp_mime_walk_t *w, const char *msg, size_t len)
{
    memset(w, 0, sizeof *w);
    w->msg = msg;
    w->len = len;
}

/* The body of a leaf part ends before the next delimiter (its line end
 * belongs to the delimiter); the walk goes on from that delimiter. */
static void end_body(smtp_mime_walk_t *w, smtp_mime_part_t *p)
{
    size_t at = w->len, end;
    unsigned level;
    bool close;

    if (w->depth)
        (void)find_delimiter(w, p->body_off, &at, &level, &close);      /* none: at stays at the end */
    end = at;
    if (at < w->len && end > p->body_off && w->msg[end - 1] == '\n')
        end--;
    if (at < w->len && end > p->body_off && w->msg[end - 1] == '\r')
        end--;
    w->pos = at;
    p->body_len = end - p->body_off;
}

bool smtp_mime_walk_next(smtp_mime_walk_t *w, smtp_mime_part_t *p)
{
    size_t at;
    unsigned level;
    bool close;

    if (!w->started) {
        w->started = true;
        if (!read_entity(w, 0, SMTP_MIME_TOP_HEADER, p)) {
            end_body(w, p);
            return true;
        }
    }
    while (w->depth > 0) {
        if (!find_delimiter(w, w->pos, &at, &level, &close)) {
            w->faults |= SMTP_MIME_UNCLOSED;
            break;
        }
        w->pos = next_line(w->msg, w->len, at);
        w->depth = close ? level : level + 1;
        if (close)
            continue;
        if (++w->entities > SMTP_MIME_MAX_ENTITIES) {
            w->limited = true;
            break;
        }
        if (!read_entity(w, w->pos, SMTP_MIME_MAX_HEADER, p)) {
            end_body(w, p);
            return true;
        }
    }
    w->depth = 0;
    return false;
}

/* ---- parameters ---- */

typedef struct {
    size_t attr_off, attr_len;
    size_t val_off, val_len;
    bool quoted;
} mime_param_t;

/* The parameter after the next ';' at or after *i (outside quotes). */
static bool next_param(const char *v, size_t len, size_t *i, mime_param_t *p)
{
    bool in_quote = false;

    for (; *i < len; (*i)++) {
        if (v[*i] == '"')
            in_quote = !in_quote;
        else if (v[*i] == '\\' && in_quote)
            (*i)++;
        else if (v[*i] == ';' && !in_quote)
            break;
    }
    if (*i >= len)
        return false;
    size_t k = smtp_skip_wsp(v, len, *i + 1);
    p->attr_off = k;
    while (k < len && v[k] != '=' && v[k] != ';' && v[k] != ' ' && v[k] != '\t')
        k++;
    p->attr_len = k - p->attr_off;
    k = smtp_skip_wsp(v, len, k);
    *i = k;
    if (k >= len || v[k] != '=') {
        p->attr_len = 0;                    /* no value: the caller skips it */
        return true;
    }
    k = smtp_skip_wsp(v, len, k + 1);
    p->quoted = k < len && v[k] == '"';
    p->val_off = k + p->quoted;
    size_t e = p->val_off;
    if (p->quoted) {
        while (e < len && v[e] != '"')
            e += (v[e] == '\\' && e + 1 < len) ? 2 : 1;
        *i = e < len ? e + 1 : len;
    } else {
        while (e < len && v[e] != ';')
            e++;
        *i = e;
        while (e > p->val_off && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
    }
    p->val_len = min_size(e, len) - p->val_off;
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The byte written as two hex digits at s (avail bytes there), or -1. */
static int hex_pair(const char *s, size_t avail)
{
    if (avail < 2 || hex_value(s[0]) < 0 || hex_value(s[1]) < 0)
        return -1;
    return hex_value(s[0]) * 16 + hex_value(s[1]);
}

/* Appends a value to out[*n]: quoted pairs resolved, or %xx decoded (RFC 2231). */
static void append_value(char *out, size_t cap, size_t *n, const char *s, size_t len, bool quoted, bool pct)
{
    for (size_t i = 0; i < len && *n + 1 < cap; i++) {
        char c = s[i];
        int byte;
        if (quoted && c == '\\' && i + 1 < len) {
            c = s[++i];
        } else if (pct && c == '%' && (byte = hex_pair(s + i + 1, len - i - 1)) >= 0) {
            c = (char)byte;
            i += 2;
        }
        out[(*n)++] = c;
    }
    out[*n] = '\0';
}

/* "name", "name*", "name*N", "name*N*": 0 if the attribute is not `name`,
 * 1 for the plain form, 2 for an RFC 2231 form; *pct if it is encoded,
 * *first if it carries the charset'language' prefix. */
static int param_form(const char *a, size_t len, const char *name, bool *pct, bool *first)
{
    size_t nl = strlen(name), k = nl + 1;

    if (len < nl || strncasecmp(a, name, nl) != 0)
        return 0;
    if (len == nl)
        return 1;
    if (a[nl] != '*')
        return 0;
    *pct = *first = len == k;               /* name* */
    if (len == k)
        return 2;
    bool zero = a[k] == '0';
    while (k < len && a[k] >= '0' && a[k] <= '9')
        k++;
    if (k == nl + 1 || (k < len && !(k + 1 == len && a[k] == '*')))
        return 0;
    *pct = k < len;                         /* name*N* */
    *first = zero && *pct;
    return 2;
}

/* Every part of one form (plain: 1, RFC 2231: 2) of the parameter, joined. */
static bool collect_param(const char *v, size_t len, const char *name, int want, char *out, size_t cap)
{
    mime_param_t p;
    size_t i = 0, n = 0;
    bool found = false;

    out[0] = '\0';
    while (next_param(v, len, &i, &p)) {
        bool pct = false, first = false;
        if (!p.attr_len || param_form(v + p.attr_off, p.attr_len, name, &pct, &first) != want)
            continue;
        const char *s = v + p.val_off;
        size_t sl = p.val_len;
        if (first) {        /* charset'language'text */
            const char *q1 = memchr(s, '\'', sl), *q2 = q1 ? memchr(q1 + 1, '\'', sl - (size_t)(q1 + 1 - s)) : NULL;
            if (q2) {
                sl -= (size_t)(q2 + 1 - s);
                s = q2 + 1;
            }
        }
        append_value(out, cap, &n, s, sl, p.quoted, pct);
        found = true;
        if (want == 1)
            break;
    }
    return found;
}

bool smtp_mime_param(const char *v, size_t len, const char *name, char *out, size_t cap)
{
    if (cap == 0)
        return false;
    return collect_param(v, len, name, 2, out, cap) || collect_param(v, len, name, 1, out, cap);
}

size_t smtp_qp_decode(const char *in, size_t len, unsigned char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        int byte;
        if (in[i] != '=') {
            out[n++] = (unsigned char)in[i];
        } else if (i + 1 < len && in[i + 1] == '\n') {
            i += 1;                         /* soft line break */
        } else if (i + 2 < len && in[i + 1] == '\r' && in[i + 2] == '\n') {
            i += 2;
        } else if ((byte = hex_pair(in + i + 1, len - i - 1)) >= 0) {
            out[n++] = (unsigned char)byte;
            i += 2;
        } else {
            out[n++] = '=';
        }
    }
    return n;
}

size_t smtp_base64_body_fault(const char *s, size_t len)
{
    bool padded = false;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=')
            padded = true;
        else if (!smtp_base64_char(c) || padded)
            return i;
    }
    return len;
}
