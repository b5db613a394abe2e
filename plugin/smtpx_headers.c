/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The form of a message's header block, where two readers (a filter, a mail
 * program) may read it apart: headers RFC 5322 allows once written more
 * than once, and a Date that is no real date or lies far from the time the
 * message was captured (From has its own findings: smtpx_sender.c); and
 * the Date as a time, for filters and columns. */
#include "smtpx.h"
#include "smtp_date.h"
#include "smtp_imf.h"

#include <time.h>

/* The header fields RFC 5322 (3.6) allows once that the header block keeps
 * (smtpx_message.c), but From. */
static const char *const once_only[] = { "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID",
                                         "In-Reply-To" };

/* Subject twice and the like: a filter and a mail program may each read
 * another one. */
static void check_repeated(smtpx_ctx_t *ctx, const char *block)
{
    unsigned counts[G_N_ELEMENTS(once_only)];

    smtp_header_counts(block, strlen(block), once_only, G_N_ELEMENTS(once_only), counts);
    for (size_t i = 0; i < G_N_ELEMENTS(once_only); i++) {
        if (counts[i] > 1)
            smtpx_finding(ctx, &ei_smtpx_duplicate_header, ctx->tvb, 0, 0, "The message has %u %s headers: RFC "
                          "5322 allows one, and a filter and a mail program may each read a different one",
                          counts[i], once_only[i]);
    }
}

#define SMTPX_DATE_PAST (7 * 86400)      /* a message may wait in queues for days */
#define SMTPX_DATE_FUTURE 86400          /* clocks off by hours, zones written wrong */
#define SMTPX_CLOCK_SET 631152000        /* 1990: a capture before it has no real clock */

gboolean smtpx_capture_clock(smtpx_ctx_t *ctx, long long *now)
{
    *now = (long long)ctx->pinfo->abs_ts.secs;
    return *now >= SMTPX_CLOCK_SET;
}

const char *smtpx_time_text(smtpx_ctx_t *ctx, long long secs, const char *format)
{
    time_t t = (time_t)secs;
    struct tm tm;
    char text[32];

    if (!gmtime_r(&t, &tm) || !strftime(text, sizeof text, format, &tm))
        return "?";
    return wmem_strdup(ctx->pinfo->pool, text);
}

const char *smtpx_capture_time_text(smtpx_ctx_t *ctx, const char *format)
{
    return smtpx_time_text(ctx, (long long)ctx->pinfo->abs_ts.secs, format);
}

/* Seconds from the capture of the message to its date d, when that is far:
 * a date copied (the lab's example of 2008), made up, or a clock gone
 * wrong; else 0. */
static long long date_far_off(smtpx_ctx_t *ctx, const smtp_date_t *d)
{
    long long captured, off;

    if (!smtpx_capture_clock(ctx, &captured))
        return 0;
    off = smtp_date_seconds(d) - captured;
    return off >= -SMTPX_DATE_PAST && off <= SMTPX_DATE_FUTURE ? 0 : off;
}

static void report_far_off(smtpx_ctx_t *ctx, const char *shown, long long off)
{
    smtpx_finding(ctx, &ei_smtpx_date_far_off, ctx->tvb, 0, 0, "Date header \"%s\" is %.1f days %s this capture "
                  "(%s): a date copied or made up, or a clock gone wrong; mail programs sort the message by it",
                  shown, (double)(off < 0 ? -off : off) / 86400, off < 0 ? "before" : "after",
                  smtpx_capture_time_text(ctx, "%Y-%m-%d"));
}

/* The Date as a time (UTC), when it is a real date and the field is asked for */
static void add_date_time(smtpx_ctx_t *ctx, proto_tree *tree, const smtp_date_t *d, smtp_date_fault_t fault)
{
    if ((fault != SMTP_DATE_OK && fault != SMTP_DATE_WEEKDAY) ||
        !proto_field_is_referenced(tree, hf_smtpx_header_date_time))
        return;
    nstime_t t = { (time_t)smtp_date_seconds(d), 0 };
    proto_item_set_generated(proto_tree_add_time(tree, hf_smtpx_header_date_time, ctx->tvb, 0, 0, &t));
}

/* The Date header: as a time under tree, and a finding when it is no RFC
 * 5322 date-time, or not a real one (mail programs sort and show such
 * messages wrongly, and spam filters score them), or far from the capture. */
static void check_date(smtpx_ctx_t *ctx, proto_tree *tree, const char *block)
{
    char value[SMTPX_MAX_VALUE];
    smtp_date_t d;

    if (!smtp_header_get(block, strlen(block), "Date", 0, value, sizeof value))
        return;
    smtp_date_fault_t fault = smtp_date_parse(value, strlen(value), &d);
    add_date_time(ctx, tree, &d, fault);
    long long off = fault == SMTP_DATE_OK ? date_far_off(ctx, &d) : 0;
    if (fault == SMTP_DATE_OK && off == 0)
        return;
    const char *shown = smtpx_line_format(ctx, value, (int)MIN(strlen(value), 80));
    if (fault == SMTP_DATE_OK)
        report_far_off(ctx, shown, off);
    else if (fault == SMTP_DATE_SYNTAX)
        smtpx_finding(ctx, &ei_smtpx_bad_date, ctx->tvb, 0, 0, "Date header \"%s\" is not written as RFC 5322 "
                      "wants (Mon, 7 Dec 2026 10:00:00 +0100): mail programs may sort or show it wrongly", shown);
    else if (fault == SMTP_DATE_RANGE)
        smtpx_finding(ctx, &ei_smtpx_bad_date, ctx->tvb, 0, 0, "Date header \"%s\" names a day, time or time "
                      "zone that does not exist", shown);
    else
        smtpx_finding(ctx, &ei_smtpx_bad_date, ctx->tvb, 0, 0, "Date header \"%s\" says %s, but that date is a "
                      "%s: RFC 5322 wants the day the date falls on (a date typed by hand or made up)", shown,
                      smtp_weekday_name(d.weekday), smtp_weekday_name(smtp_date_weekday(d.year, d.month, d.day)));
}

void smtpx_header_form(smtpx_ctx_t *ctx, proto_tree *tree, const char *block)
{
    check_repeated(ctx, block);
    check_date(ctx, tree, block);
}
