/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verdicts receiving servers write into a message: Authentication-Results
 * (RFC 8601: "mx.example.org; spf=pass smtp.mailfrom=a@b; dkim=fail
 * header.d=b; dmarc=fail header.from=b") and Received-SPF (RFC 7208 9.1:
 * "softfail (comment) client-ip=192.0.2.1; ..."). No epan dependency. */
#ifndef SMTP_AUTHRES_H
#define SMTP_AUTHRES_H

#include "smtp_imf.h"

#include <stdbool.h>
#include <stddef.h>

#define SMTP_AUTHRES_PROPS 8    /* properties kept per result; later ones are left out */

/* One result (resinfo) of an Authentication-Results value. Ranges are
 * offsets into the value; comments are skipped. */
typedef struct {
    smtp_range_t method;        /* "dkim" (a "/1" version left out) */
    smtp_range_t result;        /* "pass" */
    smtp_range_t reason;        /* the reason's text, quotes left out (len 0: none) */
    smtp_range_t prop[SMTP_AUTHRES_PROPS];  /* "header.d=example.org", as written */
    unsigned n_props;
} smtp_authres_t;

/* The authserv-id that starts an Authentication-Results value (the server
 * that checked), and *pos after it and its version; false when the value
 * starts with a result instead (no authserv-id: *pos stays 0). */
bool smtp_authres_server(const char *v, size_t len, smtp_range_t *id, size_t *pos);

/* An ARC-Authentication-Results value (RFC 8617 4.1.1) is "i=N;" and then an
 * Authentication-Results value. Returns where that value starts (0 when the
 * value does not start with "i=...;") and sets *instance to N (0: no i=, or
 * not a number from 1 to 999). */
size_t smtp_arc_results_instance(const char *v, size_t len, unsigned *instance);

/* The next result from *pos on ("; spf=pass smtp.mailfrom=a@b"), *pos
 * after it; false at the end. A part that is not "method=result" ("none")
 * is skipped. */
bool smtp_authres_next(const char *v, size_t len, size_t *pos, smtp_authres_t *r);

/* The result word of a Received-SPF value ("pass", "softfail", ...: RFC 7208
 * 8); false if the value does not start with one. */
bool smtp_received_spf(const char *v, size_t len, smtp_range_t *result);

/* Does the result say the sender failed the check? Only for the methods
 * that authenticate the sender's domain (spf, dkim, dmarc), and only
 * "fail" and "softfail" (an error or "none" says nothing of the sender). */
bool smtp_authres_failed(const char *method, size_t method_len, const char *result, size_t result_len);

#endif
