/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delivery status notifications (RFC 3464, and RFC 6533's global form):
 * the body of a message/delivery-status part is groups of header-like
 * fields separated by empty lines, first the report's (Reporting-MTA...),
 * then one per recipient (Final-Recipient, Action, Status, Remote-MTA,
 * Diagnostic-Code). No epan dependency. */
#ifndef SMTP_DSN_H
#define SMTP_DSN_H

#include "smtp_imf.h"

#include <stdbool.h>
#include <stddef.h>

/* The next group of fields from *pos (empty lines before it skipped), and
 * *pos after it; false at the end of the body. */
bool smtp_dsn_group_next(const char *body, size_t len, size_t *pos, smtp_range_t *group);

/* The value of a typed field ("rfc822; bob@example.org", "dns; mx.example",
 * "smtp; 550 5.1.1 ..."): what follows the type, trimmed; all of v if it
 * has no type. */
smtp_range_t smtp_dsn_value(const char *v, size_t len);

#endif
