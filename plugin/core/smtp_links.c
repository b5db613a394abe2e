/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_links.h"
#include "smtp_grammar.h"

#include <string.h>
#include <strings.h>

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

#define SMTP_LINK_TEXT_MAX 4096     /* bytes searched for the </a> of a link */

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool url_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && !strchr("\"'<>`{}|\\^", c);
}

/* Length of "http://" or "https://" at s (any case), 0 if neither. */
static size_t scheme_len(const char *s, size_t len)
{
    if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
        return 7;
    if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
        return 8;
    return 0;
}

/* The start of "http" or "https" (any case) just before the ':' at i, or -1. */
static size_t scheme_start(const char *text, size_t i)
{
    if (i >= 5 && strncasecmp(text + i - 5, "https", 5) == 0)
        return i - 5;
    if (i >= 4 && strncasecmp(text + i - 4, "http", 4) == 0)
        return i - 4;
    return (size_t)-1;
}

/* Looks for the "://" of each URL (memchr for ':', fast on text). */
bool smtp_url_next(const char *text, size_t len, size_t *pos, size_t *off, size_t *url_len)
{
    const char *c = *pos < len ? memchr(text + *pos, ':', len - *pos) : NULL;

    for (; c; c = memchr(c + 1, ':', len - (size_t)(c + 1 - text))) {
        size_t i = (size_t)(c - text), start = scheme_start(text, i);
        if (i + 2 >= len || c[1] != '/' || c[2] != '/' || start == (size_t)-1 || start < *pos)
            continue;
        size_t e = i + 3;
        while (e < len && url_char((unsigned char)text[e]))
            e++;
        while (e > i + 3 && strchr(".,;:!?)", text[e - 1]))
            e--;
        if (e == i + 3)
            continue;
        *off = start;
        *url_len = e - start;
        *pos = e;
        return true;
    }
    *pos = len;
    return false;
}

bool smtp_url_host(const char *url, size_t len, size_t *off, size_t *host_len)
{
    const char *sep = len >= 3 ? memchr(url, ':', len - 2) : NULL;
    size_t h, e;

    if (!sep || sep[1] != '/' || sep[2] != '/')
        return false;
    h = (size_t)(sep - url) + 3;
    for (e = h; e < len && !strchr("/?#", url[e]); e++) {
        if (url[e] == '@')          /* user info: the host comes after it */
            h = e + 1;
    }
    size_t colon = h;
    while (colon < e && url[colon] != ':')
        colon++;
    *off = h;
    *host_len = colon - h;
    return *host_len > 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The href value in the tag [from, to): its span. */
static bool tag_href(const char *h, size_t from, size_t to, size_t *off, size_t *vlen)
{
    for (size_t i = smtp_find_nocase(h, to, from, "href"); i < to; i = smtp_find_nocase(h, to, i + 1, "href")) {
        size_t k = i + 4;
        if (i > from && !is_blank(h[i - 1]))
            continue;
        while (k < to && is_blank(h[k]))
            k++;
        if (k >= to || h[k] != '=')
            continue;
        k++;
        while (k < to && is_blank(h[k]))
            k++;
        char quote = (k < to && (h[k] == '"' || h[k] == '\'')) ? h[k] : 0;
        size_t v = k + (quote != 0), e = v;
        while (e < to && (quote ? h[e] != quote : !is_blank(h[e])))
            e++;
        *off = v;
        *vlen = e - v;
        return true;
    }
    return false;
}

/* Where a link's text ends: at its </a>, at the next <a, or after 4 KB (or
 * at the end of the text: an "</a" cut there is text);
 * *resume is where the search for the next link goes on. */
static size_t link_text_end(const char *h, size_t len, size_t from, size_t *resume)
{
    size_t stop = from + min_size(len - from, SMTP_LINK_TEXT_MAX);

    for (size_t i = from; i < stop; i++) {
        const char *lt = memchr(h + i, '<', stop - i);
        if (!lt)
            break;
        i = (size_t)(lt - h);
        if (i + 3 < len && h[i + 1] == '/' && lower(h[i + 2]) == 'a' && (h[i + 3] == '>' || is_blank(h[i + 3]))) {
            *resume = i + 3;
            return i;
        }
        if (i + 2 < len && lower(h[i + 1]) == 'a' && is_blank(h[i + 2])) {
            *resume = i;
            return i;
        }
    }
    *resume = stop;
    return stop;
}

bool smtp_html_link_next(const char *html, size_t len, size_t *pos, smtp_html_link_t *link)
{
    size_t i = *pos;

    while ((i = smtp_find_nocase(html, len, i, "<a")) < len) {
        if (i + 2 >= len || !is_blank(html[i + 2])) {
            i += 2;
            continue;
        }
        const char *gt = memchr(html + i, '>', len - i);
        if (!gt)
            break;
        size_t tag_end = (size_t)(gt - html);
        if (!tag_href(html, i + 2, tag_end, &link->href_off, &link->href_len)) {
            i = tag_end + 1;
            continue;
        }
        link->text_off = tag_end + 1;
        link->text_len = link_text_end(html, len, link->text_off, pos) - link->text_off;
        return true;
    }
    *pos = len;
    return false;
}

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool smtp_text_host(const char *text, size_t len, size_t *off, size_t *host_len)
{
    size_t e = 0, dots = 0;

    if (scheme_len(text, len))
        return smtp_url_host(text, len, off, host_len);
    while (e < len && host_char(text[e]))
        dots += text[e++] == '.';
    if (e < len && text[e] != '/')      /* more than a host name (and a path) */
        return false;
    while (e > 0 && text[e - 1] == '.') {
        e--;
        dots--;
    }
    size_t tld = e;
    while (tld > 0 && text[tld - 1] != '.')
        tld--;
    if (!dots || text[0] == '.' || text[0] == '-' || e - tld < 2)
        return false;
    for (size_t k = tld; k < e; k++) {
        if (!((text[k] >= 'a' && text[k] <= 'z') || (text[k] >= 'A' && text[k] <= 'Z')))
            return false;       /* "1.5", "e.g": not a host name */
    }
    *off = 0;
    *host_len = e;
    return true;
}
