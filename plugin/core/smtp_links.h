/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links in the (decoded) text of a message: URLs, HTML links and the host a
 * link's text shows. No epan dependency. */
#ifndef SMTP_LINKS_H
#define SMTP_LINKS_H

#include <stdbool.h>
#include <stddef.h>

/* The next http:// or https:// URL (any case) at or after *pos: its span;
 * *pos moves past it. A URL ends at a blank, a quote, '<' or '>', and
 * trailing punctuation (".,;:!?)") is not part of it. */
bool smtp_url_next(const char *text, size_t len, size_t *pos, size_t *off, size_t *url_len);

/* The host of a URL ("scheme://user@host:port/path"): after "://" and any
 * user info, up to ':', '/', '?' or '#'. False if empty. */
bool smtp_url_host(const char *url, size_t len, size_t *off, size_t *host_len);

typedef struct {
    size_t href_off, href_len;  /* the href value, quotes excluded */
    size_t text_off, text_len;  /* what is between the tag and </a> (tags inside kept) */
} smtp_html_link_t;

/* The next <a ... href=...>text</a> at or after *pos in HTML; *pos moves
 * past it. The text is searched for </a> over at most 4 KB. */
bool smtp_html_link_next(const char *html, size_t len, size_t *pos, smtp_html_link_t *link);

/* The host a link's text shows, if the text (tags and blanks around it
 * removed by the caller) is a URL or a host name such as "www.bank.example"
 * or "bank.example/login"; false otherwise. */
bool smtp_text_host(const char *text, size_t len, size_t *off, size_t *host_len);

#endif
