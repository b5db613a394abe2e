/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Line framing: where a line of an SMTP stream ends, and how. No epan dependency. */
#ifndef SMTP_LINES_H
#define SMTP_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SMTP_EOL_NONE = 0,  /* no line end in the buffer yet */
    SMTP_EOL_CRLF,      /* the RFC 5321 line end */
    SMTP_EOL_LF,        /* a bare LF, accepted as a line end */
    SMTP_EOL_CRNUL      /* CR NUL, as a Telnet client in NVT mode sends */
} smtp_eol_t;

typedef struct {
    size_t len;       /* length of the content, line end excluded */
    size_t term_len;  /* length of the line end (0 if none) */
    smtp_eol_t eol;
    bool has_cr;      /* a CR inside the content (not the one of the line end) */
} smtp_line_t;

/* Finds the first line in buf[0..avail). Returns true if it is complete. */
bool smtp_line_find(const uint8_t *buf, size_t avail, smtp_line_t *line);

/* The first line of a piece of BDAT chunk data (RFC 3030: no dot-stuffing,
 * no CR NUL): up to and with its LF (true), or all of buf (false). A chunk
 * may cut a line anywhere, even inside its CRLF: after_cr says the previous
 * piece ended with CR, so an LF at buf[0] ends a CRLF line (term_len 1); and
 * a CR that ends an incomplete piece does not count in has_cr. */
bool smtp_chunk_line(const uint8_t *buf, size_t avail, bool after_cr, smtp_line_t *line);

/* Counts bytes of buf that are BS (0x08) or DEL (0x7f). */
size_t smtp_line_count_edits(const uint8_t *buf, size_t len);

/* Does buf hold an arrow key as a terminal sends it (ESC [ A, B, C or D)? */
bool smtp_line_has_arrow_key(const uint8_t *buf, size_t len);

/* Does buf hold Telnet's Interrupt Process (IAC IP: Ctrl-C in a telnet client)? */
bool smtp_line_has_telnet_ip(const uint8_t *buf, size_t len);
/* ... its first one followed by IAC DO TIMING-MARK, all that a telnet client
 * sends for Ctrl-C (five bytes that text, even 8-bit text, does not hold)? */
bool smtp_line_has_telnet_ctrl_c(const uint8_t *buf, size_t len);

/* Length of the Telnet commands (RFC 854: IAC and a command; WILL, WONT, DO
 * and DONT with their option; SB up to IAC SE) at the start of buf, as a
 * telnet client sends them before the first typed key; 0 if none. */
size_t smtp_telnet_prefix(const uint8_t *buf, size_t len);

/* Index of the first byte of buf with the high bit set (8-bit data), or len. */
size_t smtp_find_8bit(const uint8_t *buf, size_t len);

/* True when buf holds only printable ASCII (0x20-0x7e) and no backslash:
 * text Wireshark would show unchanged, with nothing to escape. */
bool smtp_is_plain_text(const uint8_t *buf, size_t len);

#endif
