/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internet Message Format (RFC 5322) pieces SMTP analysis needs: header
 * lines, header lookup with unfolding, mailbox parsing; and the queue id in
 * a server's reply to the end of a message. No epan dependency. */
#ifndef SMTP_IMF_H
#define SMTP_IMF_H

#include <stdbool.h>
#include <stddef.h>

/* "Name: value": true if line is a header field; value excludes leading blanks. */
bool smtp_header_split(const char *line, size_t len, size_t *name_len, size_t *value_off);

/* Is the line the continuation of a folded header (starts with SP or HTAB)? */
bool smtp_header_is_folded(const char *line, size_t len);

/* The value of the n-th (from 0) header `name` in block[0..len), unfolded
 * (line ends inside the value removed) and trimmed, copied into out (at
 * most cap-1 bytes, NUL-terminated). Returns false if there is none. */
bool smtp_header_get(const char *block, size_t len, const char *name, unsigned n, char *out, size_t cap);

/* Like smtp_header_get, for the first header `name` that starts at or
 * after *pos (0 for the first), and *pos moves past it: a walk over every
 * such header in one pass over the block. */
bool smtp_header_next(const char *block, size_t len, const char *name, size_t *pos, char *out, size_t cap);

/* Number of header fields called `name` in the block. */
unsigned smtp_header_count(const char *block, size_t len, const char *name);

/* The same for each of names[0..n) (any case), in one pass over the block:
 * counts[i] for names[i]. */
void smtp_header_counts(const char *block, size_t len, const char *const names[], size_t n, unsigned counts[]);

/* Length of the header block at the start of a message: up to the empty
 * line that ends it (CRLF or bare LF), or all of msg if there is none. */
size_t smtp_header_block_len(const char *msg, size_t len);

typedef struct {
    size_t display_off, display_len;   /* display name without quotes (len 0 if none) */
    size_t addr_off, addr_len;         /* addr-spec */
} smtp_mailbox_t;

/* First mailbox of an address header value ("Name <a@b>", "a@b", "\"N\" <a@b>"). */
bool smtp_mailbox_parse(const char *v, size_t len, smtp_mailbox_t *mb);

/* The next mailbox of an address list from *pos ("A <a@x>, \"B, Jr\" <b@y>,
 * c@z", groups "team: d@w, e@v;" too), offsets into v; false at its end.
 * Empty members (a group with none: "undisclosed-recipients:;") are skipped. */
bool smtp_mailbox_list_next(const char *v, size_t len, size_t *pos, smtp_mailbox_t *mb);

/* Domain part of an address (after the last '@'); false if none. */
bool smtp_address_domain(const char *addr, size_t len, size_t *off);

/* A trace header (RFC 5321 section 4.4, RFC 5322 section 3.6.7):
 * "from A (B [ip]) by C via D with E id F for <G>; date". Each clause is
 * the word after its keyword (len 0 if absent); comments are skipped. */
typedef enum {
    SMTP_RCVD_FROM, SMTP_RCVD_BY, SMTP_RCVD_VIA, SMTP_RCVD_WITH, SMTP_RCVD_ID, SMTP_RCVD_FOR,
    SMTP_RCVD_CLAUSES
} smtp_rcvd_clause_t;

typedef struct {
    size_t off, len;
} smtp_range_t;

/* Index after the comment that opens at v[i] ('('), nested comments and
 * quoted pairs included; len if it is not closed. */
size_t smtp_comment_end(const char *v, size_t len, size_t i);

typedef struct {
    smtp_range_t clause[SMTP_RCVD_CLAUSES];
    smtp_range_t ip;     /* the sending host's address in the from clause: the first
                         * [literal] ("IPv6:" left out) or bare address in a comment */
    int ip_family;      /* 4 or 6; 0 when there is no valid address */
    unsigned char ip_addr[16];  /* the address, network order (4 or 16 bytes used) */
    smtp_range_t date;   /* after the last ';' outside comments, trimmed */
} smtp_received_t;

/* The date of a Received header's (unfolded) value: after its last ';'
 * outside comments, trimmed (len 0 if there is none). */
smtp_range_t smtp_received_date(const char *v, size_t len);

/* Parses the (unfolded) value of a Received header; false if it has
 * neither a clause nor a date. */
bool smtp_received_parse(const char *v, size_t len, smtp_received_t *r);

/* Its "by" clause alone, as smtp_received_parse finds it (len 0 if none),
 * read no further than needed. */
smtp_range_t smtp_received_by(const char *v, size_t len);

/* The value of the tag `name` (case-sensitive) in the tag list of an
 * (unfolded) DKIM-Signature ("v=1; a=rsa-sha256; d=example.com; s=sel";
 * RFC 6376 3.2), without the blanks around it; false if absent or empty. */
bool smtp_dkim_tag(const char *v, size_t len, const char *name, size_t *off, size_t *tag_len);

/* Queue id in the text of a reply to the end of a message: Postfix
 * "queued as X", Exim "id=X", Exchange "<X> Queued mail", Sendmail
 * "X Message accepted". */
bool smtp_queue_id(const char *text, size_t len, size_t *off, size_t *id_len);

#endif
