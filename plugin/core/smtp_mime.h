/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MIME structure of a message (RFC 2045, 2046, 2183, 2231): its leaf
 * parts with their type, file name and transfer encoding; quoted-printable
 * decoding. No epan dependency. */
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

/* What is wrong with a message's MIME structure (bits of a walk's faults). */
typedef enum {
    SMTP_MIME_UNCLOSED = 1,         /* a multipart whose closing delimiter never comes */
    SMTP_MIME_NO_BOUNDARY = 2,      /* a multipart without a boundary: read as one part */
    SMTP_MIME_LONG_BOUNDARY = 4,    /* a boundary over 70 characters: read as one part */
} smtp_mime_fault_t;

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
    unsigned faults;            /* smtp_mime_fault_t found so far */
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

/* Where a base64 body (RFC 2045 6.8) stops being base64: the offset of
 * the first byte that is neither of its alphabet, "=" padding nor a blank
 * or line end, or of base64 after the padding; len if there is none. */
size_t smtp_base64_body_fault(const char *s, size_t len);

/* Quoted-printable (RFC 2045 6.7) decoded into out (room for len bytes);
 * returns the decoded length. Soft line breaks are removed; a malformed
 * "=" is kept as it is. */
size_t smtp_qp_decode(const char *in, size_t len, unsigned char *out);

#endif
