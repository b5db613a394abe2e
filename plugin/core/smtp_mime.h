/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MIME structure of a message (RFC 2045, 2046, 2183, 2231): its leaf
 * parts with their type, file name and transfer encoding; quoted-printable
 * decoding; and what a file's name or first bytes say it is. No epan
 * dependency. */
#ifndef SMTP_MIME_H
#define SMTP_MIME_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_MIME_MAX_DEPTH    8      /* nested multiparts followed */
#define SMTP_MIME_MAX_ENTITIES 128    /* parts looked at in one message */
#define SMTP_MIME_MAX_HEADER   8192   /* bytes of a part's header block read */
#define SMTP_MIME_MAX_BOUNDARY 70     /* RFC 2046 5.1.1 */
#define SMTP_MIME_MAX_NAME     256    /* bytes of a file name kept (a longer one: head...tail) */

typedef enum {
    SMTP_CTE_IDENTITY,      /* 7bit, 8bit, binary, or none given */
    SMTP_CTE_BASE64,
    SMTP_CTE_QP,            /* quoted-printable */
} smtp_cte_t;

typedef struct {
    size_t body_off, body_len;  /* in the message; the line end before the next delimiter excluded */
    char type[80];              /* "type/subtype", lower-case; "text/plain" when not given */
    char name[SMTP_MIME_MAX_NAME];  /* file name (RFC 2231 decoded, RFC 2047 words kept), "" if none */
    char encoding[24];          /* Content-Transfer-Encoding, lower-case, "" if none */
    smtp_cte_t cte;
    bool attachment;            /* Content-Disposition: attachment */
    unsigned depth;             /* 0: the message itself is the part */
} smtp_mime_part_t;

typedef struct {
    const char *msg;
    size_t len;
    size_t pos;                 /* where the search for the next delimiter goes on */
    char boundary[SMTP_MIME_MAX_DEPTH][SMTP_MIME_MAX_BOUNDARY + 1];
    size_t boundary_len[SMTP_MIME_MAX_DEPTH];
    unsigned depth;             /* multiparts open */
    unsigned entities;          /* parts looked at so far */
    bool started;
    bool limited;               /* a limit above stopped the walk */
} smtp_mime_walk_t;

void smtp_mime_walk_init(smtp_mime_walk_t *w, const char *msg, size_t len);

/* The next leaf part (any part that is not a multipart, message/rfc822
 * included), in message order; false when there is none left. The walk is
 * one pass over the message. */
bool smtp_mime_walk_next(smtp_mime_walk_t *w, smtp_mime_part_t *part);

/* The parameter `name` of a Content-Type or Content-Disposition value
 * ("type; a=b; name=\"c\""), into out (NUL-terminated, at most cap-1
 * bytes); RFC 2231 forms (name*=charset''%xx, name*0=, name*1*=) are
 * joined and percent-decoded, and preferred to the plain one. False if absent. */
bool smtp_mime_param(const char *v, size_t len, const char *name, char *out, size_t cap);

/* Quoted-printable (RFC 2045 6.7) decoded into out (room for len bytes);
 * returns the decoded length. Soft line breaks are removed; a malformed
 * "=" is kept as it is. */
size_t smtp_qp_decode(const char *in, size_t len, unsigned char *out);

typedef enum {
    SMTP_FILE_PLAIN,        /* nothing known against it */
    SMTP_FILE_PROGRAM,      /* runs when opened: .exe, .scr, .js, .lnk... */
    SMTP_FILE_DISK_IMAGE,   /* .iso, .img, .vhd: a container mail filters do not open */
    SMTP_FILE_MACRO,        /* a macro-enabled Office document */
} smtp_file_kind_t;

typedef struct {
    smtp_file_kind_t kind;
    size_t ext_off, ext_len;    /* the extension that decides it (after the dot) */
    bool double_ext;            /* "invoice.pdf.exe": a document's extension before it */
    bool bidi;                  /* a bidirectional control (U+202E...) reorders the name on screen */
} smtp_file_risk_t;

/* The code point of the bidirectional control at s (U+202A..U+202E,
 * U+2066..U+2069, in UTF-8), or 0. */
unsigned smtp_bidi_control(const unsigned char *s, size_t len);

/* What the name of a file says about it. Windows ignores trailing dots and
 * blanks, so "a.exe. " is a program too. */
void smtp_file_risk(const char *name, size_t len, smtp_file_risk_t *risk);

/* What the first bytes of a file say it is, whatever its name: "a Windows
 * program (MZ)", "a Linux program (ELF)", "a Windows shortcut", or NULL. */
const char *smtp_file_magic(const unsigned char *head, size_t len);

/* ---- links in a text part (decoded) ---- */

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
