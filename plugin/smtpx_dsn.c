/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delivery reports (bounces, RFC 3464): the message/delivery-status part of
 * a message says, for each recipient, what became of an earlier message
 * (failed, delayed, delivered...) with an enhanced status code and the
 * remote server's words. Shown under the message summary, counted in
 * -z smtpx,tree. */
#include "smtpx.h"
#include "smtp_codes.h"
#include "smtp_dsn.h"

#include <wsutil/str_util.h>

#define SMTPX_MAX_DSN_GROUPS 101    /* the report's own fields and 100 recipients (RFC 5321's limit) */

gboolean smtpx_is_dsn(const smtp_mime_part_t *p)
{
    return strcmp(p->type, "message/delivery-status") == 0 || strcmp(p->type, "message/global-delivery-status") == 0;
}

static gboolean dsn_wanted(proto_tree *tree)
{
    static int *const hfs[] = { &hf_smtpx_msg_dsn, &hf_smtpx_msg_dsn_reporting_mta, &hf_smtpx_msg_dsn_recipient,
                                &hf_smtpx_msg_dsn_action, &hf_smtpx_msg_dsn_status, &hf_smtpx_msg_dsn_remote_mta,
                                &hf_smtpx_msg_dsn_diagnostic };
    return smtpx_any_referenced(tree, hfs, G_N_ELEMENTS(hfs));
}

/* Runs of blanks (where a field was folded) as one space, in place. */
static void squeeze_blanks(char *s)
{
    char *d = s;
    gboolean after_blank = FALSE;

    for (; *s; s++) {
        gboolean blank = *s == ' ' || *s == '\t';
        if (!(blank && after_blank))
            *d++ = blank ? ' ' : *s;
        after_blank = blank;
    }
    *d = '\0';
}

/* The typed value of field `name` in the group ("rfc822; a@b" -> "a@b"), or NULL. */
static const char *field(smtpx_ctx_t *ctx, const char *group, size_t len, const char *name)
{
    size_t pos = 0;
    char *value = smtpx_header_next(ctx, group, len, name, &pos);

    if (!value)
        return NULL;
    squeeze_blanks(value);
    smtp_range_t r = smtp_dsn_value(value, strlen(value));
    return smtpx_line_format(ctx, value + r.off, (int)r.len);
}

/* The status with the meaning of its code: "5.1.1 (Bad destination mailbox address)". */
static const char *status_text(smtpx_ctx_t *ctx, const char *status)
{
    smtp_enh_t enh;
    const char *meaning = NULL;

    if (smtp_parse_enhanced(status, strlen(status), &enh) == SMTP_ENH_VALID)
        meaning = smtp_enh_code_text(enh.subject, enh.detail);
    return meaning ? wmem_strdup_printf(ctx->pinfo->pool, "%s (%s)", status, meaning) : status;
}

/* One recipient's group: what became of the message for it. */
static void add_recipient(smtpx_ctx_t *ctx, proto_tree *tree, const char *group, size_t len)
{
    const char *rcpt = field(ctx, group, len, "Final-Recipient");
    const char *action = field(ctx, group, len, "Action");
    const char *status = field(ctx, group, len, "Status");

    if (!rcpt)
        rcpt = field(ctx, group, len, "Original-Recipient");
    if (!rcpt && !action && !status)
        return;
    if (action && status)
        smtpx_tap_pair(ctx, SMTPX_EV_DSN, ascii_strdown_inplace(wmem_strdup(ctx->pinfo->pool, action)), status);
    if (!tree)
        return;
    proto_item *pi = smtpx_add_string(ctx, tree, hf_smtpx_msg_dsn_recipient, ctx->tvb, 0, 0, rcpt ? rcpt : "?");
    proto_item_set_generated(pi);
    proto_item_append_text(pi, ": %s%s%s", action ? action : "no action given", status ? ", " : "",
                           status ? status_text(ctx, status) : "");
    proto_tree *rt = proto_item_add_subtree(pi, ett_smtpx_data);
    smtpx_add_generated(ctx, rt, hf_smtpx_msg_dsn_action, action);
    smtpx_add_generated(ctx, rt, hf_smtpx_msg_dsn_status, status);
    smtpx_add_generated(ctx, rt, hf_smtpx_msg_dsn_remote_mta, field(ctx, group, len, "Remote-MTA"));
    smtpx_add_generated(ctx, rt, hf_smtpx_msg_dsn_diagnostic, field(ctx, group, len, "Diagnostic-Code"));
}

void smtpx_dsn_part(smtpx_ctx_t *ctx, proto_tree *summary, const smtp_mime_part_t *p, const char *body)
{
    proto_tree *tree = dsn_wanted(summary) ? summary : NULL;
    if (!tree && !smtpx_tapping(ctx))
        return;
    size_t len, pos = 0;
    const char *text = smtpx_part_decoded(ctx, p, body, &len);
    smtp_range_t g;

    if (!smtp_dsn_group_next(text, len, &pos, &g))
        return;
    if (tree) {     /* the report's own fields: who reports */
        const char *mta = field(ctx, text + g.off, g.len, "Reporting-MTA");
        proto_item *di = proto_tree_add_item(tree, hf_smtpx_msg_dsn, ctx->tvb, 0, 0, ENC_NA);
        proto_item_set_generated(di);
        if (mta)
            proto_item_append_text(di, " from %s", mta);
        tree = proto_item_add_subtree(di, ett_smtpx_data);
        smtpx_note_request(ctx, tree, SMTPX_KIND_DSN);
        smtpx_add_generated(ctx, tree, hf_smtpx_msg_dsn_reporting_mta, mta);
    }
    for (int n = 1; n < SMTPX_MAX_DSN_GROUPS && smtp_dsn_group_next(text, len, &pos, &g); n++)
        add_recipient(ctx, tree, text + g.off, g.len);
}
