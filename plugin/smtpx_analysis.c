/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Findings about a client command in the light of what the session knows:
 * extensions the server did not advertise, STARTTLS command injection. */
#include "smtpx.h"
#include "smtp_sasl.h"

/* The client used an extension the server did not advertise. */
static void unadvertised(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *what, const char *ext)
{
    smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, line->offset, line->len,
                  "%s, but the server did not advertise %s in its EHLO reply", what, ext);
}

static void check_auth(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const smtpx_state_t *st = ctx->st;
    const char *param = line->text + cmd->param_off;
    size_t mlen = 0;

    while (mlen < cmd->param_len && param[mlen] != ' ')
        mlen++;
    char *mech = smtpx_line_format(ctx, param, (int)mlen);
    if (!(st->ext & SMTPX_EXT_AUTH))
        unadvertised(ctx, line, wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s", mech), "AUTH");
    else if (!(st->auth_mechs & (1u << smtp_sasl_mech(param, mlen))))
        unadvertised(ctx, line, wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s", mech),
                     wmem_strdup_printf(ctx->pinfo->pool, "the mechanism %s", mech));
}

void smtpx_analyse_command(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const smtpx_state_t *st = ctx->st;
    const smtpx_cmd_rec_t *pending = smtpx_queue_peek(st);

    if (cmd->id == SMTP_CMD_STARTTLS && line->next < (int)tvb_captured_length(ctx->tvb))
        smtpx_finding(ctx, &ei_smtpx_starttls_injection, ctx->tvb, line->next, -1,
                      "%d bytes follow STARTTLS in the same segment: sent in cleartext, a server that "
                      "buffers them would run them inside TLS (CVE-2011-0411)",
                      tvb_captured_length_remaining(ctx->tvb, line->next));
    if (!(st->flags & SMTPX_F_HELLO))
        return;
    if (pending && !(st->ext & SMTPX_EXT_PIPELINING))
        unadvertised(ctx, line, wmem_strdup_printf(ctx->pinfo->pool,
                     "Command sent before the reply to the command in frame %u (pipelining)",
                     pending->req_frame), "PIPELINING");
    switch (cmd->id) {
    case SMTP_CMD_BDAT:
        if (!(st->ext & SMTPX_EXT_CHUNKING))
            unadvertised(ctx, line, "BDAT", "CHUNKING");
        break;
    case SMTP_CMD_STARTTLS:
        if (!(st->ext & SMTPX_EXT_STARTTLS))
            unadvertised(ctx, line, "STARTTLS", "STARTTLS");
        break;
    case SMTP_CMD_AUTH:
        check_auth(ctx, line, cmd);
        break;
    default:
        break;
    }
}

void smtpx_check_size(smtpx_ctx_t *ctx, guint64 size, int offset, int len)
{
    if (ctx->st->size_limit && size > ctx->st->size_limit)
        smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, offset, len,
                      "SIZE=%" PRIu64 " is larger than the %" PRIu64 " bytes the server advertised",
                      size, ctx->st->size_limit);
}
