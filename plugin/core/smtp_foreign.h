/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes in the client's stream that are not SMTP: another protocol spoken to
 * the mail port (TLS, HTTP, SSH, binary data), and the PROXY protocol header
 * a load balancer sends before the session (HAProxy's proxy-protocol.txt,
 * versions 1 and 2). No epan dependency. */
#ifndef SMTP_FOREIGN_H
#define SMTP_FOREIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SMTP_FOREIGN_NONE = 0,
    SMTP_FOREIGN_TLS,       /* a TLS handshake record (a ClientHello) */
    SMTP_FOREIGN_HTTP,      /* an HTTP request line */
    SMTP_FOREIGN_SSH,       /* an SSH identification line */
    SMTP_FOREIGN_BINARY,    /* bytes that are mostly not text */
    SMTP_FOREIGN_COUNT
} smtp_foreign_t;

/* What a client line that is no SMTP command is, from its bytes (without
 * its line end; it may be cut). Telnet negotiation (IAC) is not foreign. */
smtp_foreign_t smtp_foreign_kind(const uint8_t *p, size_t len);

/* The same for the next line when the client's previous line was of kind
 * prev: more of an HTTP request or SSH stays prev, and so do bytes that are
 * not all printable (a fragment of a TLS record or of binary data); a line
 * of plain text ends the other protocol (it is read as a command again). */
smtp_foreign_t smtp_foreign_kind_after(smtp_foreign_t prev, const uint8_t *p, size_t len);

/* "TLS", "HTTP", "SSH", "binary"; NULL for SMTP_FOREIGN_NONE. */
const char *smtp_foreign_name(smtp_foreign_t kind);

/* Is the foreign kind text, shown as its line (HTTP, SSH)? */
bool smtp_foreign_is_text(smtp_foreign_t kind);

typedef struct {
    size_t len;             /* bytes of the header */
    uint8_t version;        /* 1 (a text line) or 2 (binary) */
    uint8_t family;         /* 4 or 6: the addresses below are set; 0: none given (UNKNOWN, LOCAL, UNIX) */
    bool local;             /* version 2 LOCAL: the proxy's own connection (a health check) */
    uint8_t src[16], dst[16];
    uint16_t src_port, dst_port;
} smtp_proxy_t;

/* A PROXY header at the start of p: its length (and *out), or 0 when p does
 * not start with a whole header. A version 1 line with bad parts is still a
 * header (family 0); a version 2 header needs its whole length in p. */
size_t smtp_proxy_parse(const uint8_t *p, size_t len, smtp_proxy_t *out);

#endif
