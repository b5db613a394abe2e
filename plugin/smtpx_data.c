/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message transfer: DATA lines up to the end-of-data line, BDAT chunks. */
#include "smtpx.h"

static gboolean is_end_of_data(const smtpx_line_t *line)
{
    return !line->continuation && !line->partial && line->len == 1 && line->text[0] == '.';
}

static void add_data_line(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line)
{
    proto_item *li = proto_tree_add_string(tree, hf_smtpx_data_line, ctx->tvb, line->offset,
                                           line->next - line->offset,
                                           smtpx_line_format(ctx, line->text, line->len));
    if (line->eol == SMTP_EOL_LF)
        proto_item_append_text(li, " [ends with a bare LF]");
    else if (line->partial)
        proto_item_append_text(li, " [continues in the next segment]");
}

static void add_end_of_data(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    proto_item *pi = proto_tree_add_item(ctx->tree, hf_smtpx_data_eod, ctx->tvb, line->offset,
                                         line->next - line->offset, ENC_NA);
    smtpx_add_request_links(ctx, proto_item_add_subtree(pi, ett_smtpx_data),
                            smtpx_queue_push(&ctx->call, ctx->pinfo, SMTPX_KIND_EOD));
    ctx->st->mode = SMTPX_MODE_COMMAND;
    smtpx_info_append(ctx, ". (end of data)");
}

int smtpx_dissect_data(smtpx_ctx_t *ctx, int offset)
{
    int len = (int)tvb_captured_length(ctx->tvb), pos = offset, nlines = 0;
    proto_item *di = NULL;
    proto_tree *dt = NULL;
    smtpx_line_t line;

    while (pos < len) {
        if (!smtpx_get_line(ctx, pos, &line))
            break;
        if (is_end_of_data(&line))
            break;
        if (!di) {
            di = proto_tree_add_item(ctx->tree, hf_smtpx_data, ctx->tvb, offset, -1, ENC_NA);
            dt = proto_item_add_subtree(di, ett_smtpx_data);
            ctx->pdu_item = di;
        }
        add_data_line(ctx, dt, &line);
        nlines++;
        pos = line.next;
    }
    if (di) {
        proto_item_set_len(di, pos - offset);
        proto_item_append_text(di, ": %d lines, %d bytes", nlines, pos - offset);
        smtpx_info_append(ctx, wmem_strdup_printf(ctx->pinfo->pool, "DATA fragment, %d line%s, %d bytes",
                                                  nlines, nlines == 1 ? "" : "s", pos - offset));
        return pos - offset;
    }
    if (pos < len) {            /* the end-of-data line comes first */
        add_end_of_data(ctx, &line);
        return line.next - offset;
    }
    return 0;
}

int smtpx_dissect_bdat_chunk(smtpx_ctx_t *ctx, int offset)
{
    smtpx_state_t *st = ctx->st;
    int avail = tvb_captured_length_remaining(ctx->tvb, offset);
    int n = (int)MIN((guint64)avail, st->bdat_remaining);

    ctx->pdu_item = proto_tree_add_item(ctx->tree, hf_smtpx_bdat_chunk, ctx->tvb, offset, n, ENC_NA);
    st->bdat_remaining -= (guint64)n;
    if (st->bdat_remaining == 0)
        st->mode = SMTPX_MODE_COMMAND;
    smtpx_info_append(ctx, wmem_strdup_printf(ctx->pinfo->pool, "BDAT chunk data, %d bytes (%" PRIu64 " to come)",
                                              n, st->bdat_remaining));
    return n;
}
