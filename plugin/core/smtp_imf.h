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

/* Number of header fields called `name` in the block. */
unsigned smtp_header_count(const char *block, size_t len, const char *name);

/* Length of the header block at the start of a message: up to the empty
 * line that ends it (CRLF or bare LF), or all of msg if there is none. */
size_t smtp_header_block_len(const char *msg, size_t len);

typedef struct {
    size_t display_off, display_len;   /* display name without quotes (len 0 if none) */
    size_t addr_off, addr_len;         /* addr-spec */
} smtp_mailbox_t;

/* First mailbox of an address header value ("Name <a@b>", "a@b", "\"N\" <a@b>"). */
bool smtp_mailbox_parse(const char *v, size_t len, smtp_mailbox_t *mb);

/* Domain part of an address (after the last '@'); false if none. */
bool smtp_address_domain(const char *addr, size_t len, size_t *off);

/* Queue id in the text of a reply to the end of a message: Postfix
 * "queued as X", Exim "id=X", Exchange "<X> Queued mail", Sendmail
 * "X Message accepted". */
bool smtp_queue_id(const char *text, size_t len, size_t *off, size_t *id_len);

#endif
