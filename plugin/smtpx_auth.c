/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Client lines of an AUTH exchange (RFC 4954): answers to 334 challenges. */
#include "smtpx.h"

void smtpx_dissect_auth_line(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    char *shown = smtpx_line_format(ctx, line->text, line->len);
    proto_item *ai = proto_tree_add_string(ctx->tree, hf_smtpx_auth_step, ctx->tvb, line->offset,
                                           line->next - line->offset, shown);
    proto_tree *at = proto_item_add_subtree(ai, ett_smtpx_req);

    ctx->pdu_item = ai;
    if (line->len == 1 && line->text[0] == '*') {
        proto_item_append_text(ai, " (cancel)");
        smtpx_info_append(ctx, "* (AUTH cancelled)");
    } else {
        smtpx_info_append(ctx, wmem_strdup_printf(ctx->pinfo->pool, "AUTH step: %s", shown));
    }
    smtpx_add_request_links(ctx, at, smtpx_queue_push(&ctx->call, ctx->pinfo, SMTPX_KIND_AUTH_STEP));
}
