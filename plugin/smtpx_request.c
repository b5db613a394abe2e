/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Client commands: verb, parameter, envelope addresses and ESMTP parameters. */
#include "smtpx.h"
#include "smtp_foreign.h"
#include "smtp_imf.h"
#include "smtp_params.h"

typedef struct {
    const char *key;
    int *hf;
} smtpx_param_field_t;

static const smtpx_param_field_t envelope_params[] = {
    { "SIZE", &hf_smtpx_envelope_param_size },
    { "BODY", &hf_smtpx_envelope_param_body },
    { "SMTPUTF8", &hf_smtpx_envelope_param_smtputf8 },
    { "RET", &hf_smtpx_envelope_param_ret },
    { "ENVID", &hf_smtpx_envelope_param_envid },
    { "NOTIFY", &hf_smtpx_envelope_param_notify },
    { "ORCPT", &hf_smtpx_envelope_param_orcpt },
    { "AUTH", &hf_smtpx_envelope_param_auth },
};

/* ORCPT=addr-type;xtext: the value as written, its type and its address decoded. */
static void add_orcpt(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *value, size_t len)
{
    proto_tree *ot = proto_item_add_subtree(
        proto_tree_add_item(tree, hf_smtpx_envelope_param_orcpt, ctx->tvb, offset, (int)len, ENC_UTF_8),
        ett_smtpx_param);
    size_t type = smtp_orcpt_type_len(value, len);
    if (type == len)
        return;
    proto_tree_add_item(ot, hf_smtpx_envelope_param_orcpt_type, ctx->tvb, offset, (int)type, ENC_UTF_8);
    smtpx_add_xtext(ctx, ot, hf_smtpx_envelope_param_orcpt_addr, offset + (int)type + 1, value + type + 1,
                    len - type - 1);
}

static void add_param_value(smtpx_ctx_t *ctx, proto_tree *tree, int hf, int offset, const smtp_param_t *p,
                            const char *text)
{
    tvbuff_t *tvb = ctx->tvb;
    guint64 size;

    if (hf == hf_smtpx_envelope_param_smtputf8) {
        proto_tree_add_boolean(tree, hf, tvb, offset + (int)p->key_off, (int)p->key_len, TRUE);
        ctx->st->flags |= SMTPX_F_SMTPUTF8;
    }
    else if (hf == hf_smtpx_envelope_param_size && smtp_parse_u64(text + p->val_off, p->val_len, &size)) {
        proto_tree_add_uint64(tree, hf, tvb, offset + (int)p->val_off, (int)p->val_len, size);
        smtpx_check_size(ctx, size, offset + (int)p->val_off, (int)p->val_len);
    }
    else if (hf == hf_smtpx_envelope_param_envid || hf == hf_smtpx_envelope_param_auth)
        smtpx_add_xtext(ctx, tree, hf, offset + (int)p->val_off, text + p->val_off, p->val_len);
    else if (hf == hf_smtpx_envelope_param_orcpt)
        add_orcpt(ctx, tree, offset + (int)p->val_off, text + p->val_off, p->val_len);
    else if (hf != hf_smtpx_envelope_param_size && p->has_val)
        proto_tree_add_item(tree, hf, tvb, offset + (int)p->val_off, (int)p->val_len, ENC_UTF_8);
    if (hf == hf_smtpx_envelope_param_body) {
        gboolean binary = smtp_word_equals(text + p->val_off, p->val_len, "BINARYMIME");
        if (binary || smtp_word_equals(text + p->val_off, p->val_len, "8BITMIME"))
            ctx->st->msg_flags |= binary ? SMTPX_MSG_8BIT_OK | SMTPX_MSG_BINARY : SMTPX_MSG_8BIT_OK;
    }
}

/* ESMTP parameters after the path; text/len is the command parameter at offset. */
static void dissect_envelope_params(smtpx_ctx_t *ctx, proto_tree *tree, const char *text, size_t len,
                                    size_t off, int offset)
{
    smtp_param_t p;

    while (smtp_next_param(text, len, &off, &p)) {
        int start = offset + (int)p.key_off;
        int plen = (int)smtp_param_len(&p);
        proto_item *pi = proto_tree_add_item(tree, hf_smtpx_envelope_param, ctx->tvb, start, plen, ENC_UTF_8);
        proto_tree *pt = proto_item_add_subtree(pi, ett_smtpx_param);
        for (size_t i = 0; i < G_N_ELEMENTS(envelope_params); i++) {
            if (strlen(envelope_params[i].key) == p.key_len &&
                g_ascii_strncasecmp(text + p.key_off, envelope_params[i].key, p.key_len) == 0)
                add_param_value(ctx, pt, *envelope_params[i].hf, offset, &p, text);
        }
    }
}

/* MAIL FROM:<path> params / RCPT TO:<path> params */
static void dissect_path(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line,
                         const smtp_command_t *cmd, smtpx_cmd_rec_t *rec)
{
    gboolean is_mail = cmd->id == SMTP_CMD_MAIL;
    const char *param = line->text + cmd->param_off;
    int base = line->offset + (int)cmd->param_off;
    smtp_path_t path;

    smtp_parse_path(param, cmd->param_len, is_mail ? "FROM:" : "TO:", &path);
    if (!path.ok)
        return;
    proto_tree_add_item(tree, is_mail ? hf_smtpx_envelope_sender : hf_smtpx_envelope_recipient, ctx->tvb,
                        base + (int)path.addr_off, (int)path.addr_len, ENC_UTF_8);
    if (rec && ctx->call.replay == SMTPX_LIVE)
        rec->arg = wmem_strndup(wmem_file_scope(), param + path.addr_off, path.addr_len);
    smtpx_tap_domain(ctx, is_mail, param + path.addr_off, path.addr_len);
    if (is_mail) {
        ctx->st->msg_flags &= (guint8)~(SMTPX_MSG_8BIT_OK | SMTPX_MSG_BINARY);
        ctx->st->flags &= ~SMTPX_F_SMTPUTF8;
    }
    dissect_envelope_params(ctx, tree, param, cmd->param_len, path.params_off, base);
}

/* XCLIENT (a proxy tells the server the real client) and XFORWARD (a content
 * filter passes on the client for the logs): NAME=VALUE attributes. The
 * server's 220 to XCLIENT makes its ADDR the client (smtpx_reply.c). */
static void dissect_xclient(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line,
                            const smtp_command_t *cmd, smtpx_cmd_rec_t *rec)
{
    const char *param = line->text + cmd->param_off;
    int base = line->offset + (int)cmd->param_off;
    size_t off = 0;
    smtp_param_t p;
    unsigned char addr[16];

    while (smtp_next_param(param, cmd->param_len, &off, &p)) {
        int at = base + (int)p.key_off, len = (int)smtp_param_len(&p);
        proto_tree *at_tree = proto_item_add_subtree(
            proto_tree_add_item(tree, hf_smtpx_xclient_attribute, ctx->tvb, at, len, ENC_UTF_8), ett_smtpx_param);
        if (!p.has_val)
            continue;
        if (smtp_word_equals(param + p.key_off, p.key_len, "LOGIN"))
            smtpx_add_xtext(ctx, at_tree, hf_smtpx_xclient_login, base + (int)p.val_off, param + p.val_off,
                            p.val_len);
        else if (smtp_word_equals(param + p.key_off, p.key_len, "ADDR"))
            smtpx_add_ip(ctx, at_tree, hf_smtpx_xclient_addr, hf_smtpx_xclient_addr_ipv6, base + (int)p.val_off,
                         (int)p.val_len, smtp_xclient_addr(param + p.key_off, len, addr), addr);
    }
    if (rec && cmd->id == SMTP_CMD_XCLIENT && ctx->call.replay == SMTPX_LIVE)
        rec->arg = wmem_strndup(wmem_file_scope(), param, cmd->param_len);
}

/* BDAT <size> [LAST]: the chunk follows the command line at once. Anything
 * else (RFC 3030 2) has the server answer 501 and read no chunk. */
static void dissect_bdat(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line, const smtp_command_t *cmd,
                         smtpx_cmd_rec_t *rec)
{
    const char *param = line->text + cmd->param_off;
    int base = line->offset + (int)cmd->param_off;
    size_t off = 0;
    smtp_param_t size_tok, last_tok, extra;
    guint64 size = 0;

    gboolean sized = smtp_next_param(param, cmd->param_len, &off, &size_tok) &&
                     smtp_parse_u64(param + size_tok.key_off, size_tok.key_len, &size);
    gboolean has_last = sized && smtp_next_param(param, cmd->param_len, &off, &last_tok);
    gboolean last = has_last && smtp_word_equals(param + last_tok.key_off, last_tok.key_len, "LAST");
    if (!sized || has_last != last || smtp_next_param(param, cmd->param_len, &off, &extra)) {
        smtpx_finding(ctx, &ei_smtpx_bdat, ctx->tvb, line->offset, line->len, "Not BDAT <size> [LAST] (RFC 3030), "
                      "or a size of over 19 digits: the server refuses it and reads no chunk");
        return;
    }
    proto_tree_add_uint64(tree, hf_smtpx_bdat_size, ctx->tvb, base + (int)size_tok.key_off,
                          (int)size_tok.key_len, size);
    proto_tree_add_boolean(tree, hf_smtpx_bdat_last, ctx->tvb, last ? base + (int)last_tok.key_off : base,
                           last ? 4 : 0, last);
    smtpx_bdat_begin(ctx, rec, size, last);
}

/* The client's name, from its HELO/EHLO on; the request keeps the name
 * before it, which a refusal gives back (smtpx_reply.c): a refused "EHLO"
 * with no name does not erase the name. */
static void dissect_hello(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd,
                          smtpx_cmd_rec_t *rec)
{
    const char *name = line->text + cmd->param_off;
    size_t name_len = 0;
    while (name_len < cmd->param_len && !g_ascii_isspace(name[name_len]))
        name_len++;
    if (rec && ctx->call.replay == SMTPX_LIVE)
        rec->arg = ctx->st->client_name;
    ctx->st->client_name = smtpx_state_strdup(&ctx->call, ctx->pinfo, name, name_len);
    if (cmd->id == SMTP_CMD_LHLO) {
        ctx->st->flags |= SMTPX_F_LMTP;
        ctx->conv->lmtp |= ctx->call.replay == SMTPX_LIVE;
        col_set_str(ctx->pinfo->cinfo, COL_PROTOCOL, "LMTP");
    }
}

gboolean smtpx_is_lmtp(const smtpx_ctx_t *ctx)
{
    const smtpx_state_t *st = ctx->st;

    return (st->flags & SMTPX_F_LMTP) || (!(st->flags & SMTPX_F_HELLO) && ctx->conv->server_port == SMTPX_LMTP_PORT);
}

/* " (did you mean VRFY?)" for a verb written in full or one typing error
 * away from known ones ("HELO or EHLO"), else "". LHLO only in LMTP (RFC
 * 2033 1: never on port 25); a verb RFC 5321 dropped (SEND, SAML...) only
 * for a line of its form ("SMOL FROM:<a@b>", as a lab's slide has it). */
static const char *suggestion(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const char *verb = line->text;
    size_t len = cmd->verb_len;
    /* (SEND, SOML, SAML take FROM: as MAIL does: only a line of that form may mean them) */
    gboolean from = cmd->param_len >= 5 && g_ascii_strncasecmp(line->text + cmd->param_off, "FROM:", 5) == 0;
    gboolean lmtp = smtpx_is_lmtp(ctx);
    const char *names[SMTP_CMD_COUNT + 1];
    smtp_cmd_t meant = smtp_cmd_spelled_out(verb, len);
    size_t n = 0;
    const char *glued = smtp_cmd_glued(verb, len);

    if (glued)
        return wmem_strdup_printf(ctx->pinfo->pool, " (did you mean %s, with a space after the verb?)", glued);
    if (meant != SMTP_CMD_UNKNOWN)
        names[n++] = smtp_cmd_name(meant);
    for (smtp_cmd_t id = smtp_cmd_suggest(verb, len, SMTP_CMD_UNKNOWN); id != SMTP_CMD_UNKNOWN;
         id = smtp_cmd_suggest(verb, len, id)) {
        if ((id != SMTP_CMD_LHLO || lmtp) && id != meant && (from || !smtp_cmd_obsolete(id)))
            names[n++] = smtp_cmd_name(id);
    }
    if (n == 0)
        return "";
    wmem_strbuf_t *buf = wmem_strbuf_new(ctx->pinfo->pool, " (did you mean ");
    for (size_t i = 0; i < n; i++)
        wmem_strbuf_append_printf(buf, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", names[i]);
    wmem_strbuf_append(buf, "?)");
    return wmem_strbuf_get_str(buf);
}

/* A line shaped as a header field, a blank after its colon ("Subject: hi";
 * not "RCPT:<a@b>"), inside a transaction that sends no chunks (leftover
 * BDAT data is no typing slip): the message typed before DATA. */
static gboolean message_line_before_data(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    size_t name_len, value_off;

    return (ctx->st->flags & SMTPX_F_MAIL) && !(ctx->st->flags & SMTPX_F_CHUNK_END) && !smtpx_in_chunks(ctx->st) &&
           smtp_header_split(line->text, (size_t)line->len, &name_len, &value_off) && value_off > name_len + 1;
}

/* Why the unknown verb of the line is refused, and what was meant. */
static const char *unknown_verb_why(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    /* after a refused DATA, a message line: no typing error to suggest a verb for */
    if (ctx->st->data_refused)
        return wmem_strdup_printf(ctx->pinfo->pool, ": the server refused DATA (frame %u), so it reads the message "
                                  "lines typed after it as commands", ctx->st->data_refused);
    if (message_line_before_data(ctx, line))
        return ": it looks like a line of the message, which goes after DATA and the server's 354 reply";
    return wmem_strdup_printf(ctx->pinfo->pool, "; a server answers %s%s", cmd->verb_len ? "500 or 502" : "500",
                              suggestion(ctx, line, cmd));
}

static void add_verb(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const char *name = smtp_cmd_name(cmd->id);
    if (!name)
        name = g_ascii_strup(smtpx_line_format(ctx, line->text, (int)cmd->verb_len), -1);
    proto_item *vi = proto_tree_add_string(tree, hf_smtpx_req_command, ctx->tvb, line->offset,
                                           (int)cmd->verb_len, name);
    proto_item_append_text(vi, " (%s)", smtp_cmd_description(cmd->id));
    /* (a line that begins with Telnet negotiation: smtpx.analysis.telnet_iac says what it is) */
    if (cmd->id == SMTP_CMD_UNKNOWN && (guint8)line->text[0] != 0xff && !smtpx_auth_late_step(ctx, line)) {
        ctx->pdu_item = vi;
        smtpx_finding(ctx, &ei_smtpx_unknown_command, ctx->tvb, line->offset, MAX((int)cmd->verb_len, 1),
                      "%s%s%s%s", cmd->verb_len ? "Unknown command \"" : "Empty command line",
                      cmd->verb_len ? name : "", cmd->verb_len ? "\"" : "", unknown_verb_why(ctx, line, cmd));
    }
    if (!smtp_cmd_name(cmd->id))
        g_free((char *)name);
}

/* What the argument of the command says. A cut line's argument is not
 * parsed; AUTH still names its mechanism (smtpx_auth.c leaves the cut response). */
static void dissect_argument(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line,
                             const smtp_command_t *cmd, smtpx_cmd_rec_t *rec)
{
    if (cmd->id == SMTP_CMD_AUTH) {
        smtpx_auth_command(ctx, tree, line, cmd);
        return;
    }
    if (line->partial)
        return;
    switch (cmd->id) {
    case SMTP_CMD_MAIL:
    case SMTP_CMD_RCPT:
        dissect_path(ctx, tree, line, cmd, rec);
        break;
    case SMTP_CMD_BDAT:
        dissect_bdat(ctx, tree, line, cmd, rec);
        break;
    case SMTP_CMD_XCLIENT:
    case SMTP_CMD_XFORWARD:
        dissect_xclient(ctx, tree, line, cmd, rec);
        break;
    case SMTP_CMD_HELO:
    case SMTP_CMD_EHLO:
    case SMTP_CMD_LHLO:
        dissect_hello(ctx, line, cmd, rec);
        break;
    default:
        break;
    }
}

/* A transaction's findings start with its MAIL; one pipelined behind the
 * end of the open transaction counts them apart until that one is logged. */
static void count_findings_from_mail(smtpx_state_t *st)
{
    if ((st->flags & SMTPX_F_MAIL) || smtpx_queue_has_pending(st, SMTP_CMD_MAIL)) {
        st->flags |= SMTPX_F_NEXT_TXN;
        st->next_txn_findings = 0;
    } else {
        st->txn_findings = 0;
    }
}

/* The line from its first byte that is no blank (whole itself if it starts
 * with one, or holds nothing else). */
static const smtpx_line_t *skip_leading_blanks(const smtpx_line_t *whole, smtpx_line_t *trimmed)
{
    int n = (int)smtp_skip_wsp(whole->text, (size_t)whole->len, 0);

    if (n == 0 || n == whole->len)
        return whole;
    *trimmed = *whole;
    trimmed->offset += n;
    trimmed->len -= n;
    trimmed->text += n;
    return trimmed;
}

gboolean smtpx_dissect_command(smtpx_ctx_t *ctx, const smtpx_line_t *whole)
{
    smtpx_line_t trimmed;
    const smtpx_line_t *line = skip_leading_blanks(whole, &trimmed);
    smtp_command_t cmd;

    smtp_parse_command(line->text, (size_t)line->len, &cmd);
    gboolean nested = cmd.id == SMTP_CMD_MAIL && (ctx->st->flags & SMTPX_F_MAIL) && !smtpx_queue_peek(ctx->st);
    if (cmd.id == SMTP_CMD_MAIL && !nested)
        count_findings_from_mail(ctx->st);
    if (cmd.id == SMTP_CMD_UNKNOWN && smtpx_dissect_foreign(ctx, line))
        return TRUE;
    if (cmd.id != SMTP_CMD_UNKNOWN && ctx->st->foreign)
        ctx->st->foreign = SMTP_FOREIGN_NONE;
    if (cmd.id != SMTP_CMD_UNKNOWN) {
        ctx->st->data_refused = 0;
        smtpx_replies_unseen_command(ctx);
    }
    if (cmd.id == SMTP_CMD_UNKNOWN && line->partial && !smtpx_line_overlong(line))
        return FALSE;   /* cut short of max_line: the verb itself may be cut */
    char *masked = cmd.id == SMTP_CMD_AUTH ? smtpx_auth_masked_command(ctx, line, &cmd) : NULL;
    char *shown = masked ? masked : smtpx_line_format(ctx, whole->text, whole->len);
    proto_item *ri = smtpx_add_shown(ctx, ctx->tree, hf_smtpx_req, whole->offset, whole->next - whole->offset, shown);
    proto_tree *rt = proto_item_add_subtree(ri, ett_smtpx_req);
    ctx->pdu_item = ri;
    if (line != whole)
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, whole->offset, line->offset - whole->offset,
                      "Blanks before the verb: an SMTP command starts with its verb (RFC 5321 4.1.1); Postfix and "
                      "Sendmail skip them, a stricter server answers 500");
    add_verb(ctx, rt, line, &cmd);
    if (masked)
        smtpx_add_string(ctx, rt, hf_smtpx_req_parameter, ctx->tvb, line->offset + (int)cmd.param_off,
                              (int)cmd.param_len, masked + cmd.param_off);
    else if (cmd.param_len)
        proto_tree_add_item(rt, hf_smtpx_req_parameter, ctx->tvb, line->offset + (int)cmd.param_off,
                            (int)cmd.param_len, ENC_UTF_8);
    smtpx_mark_cut(ri, line);
    smtpx_info_append(ctx, shown);

    /* a line typed across a stream gap: its verb is known, its parameters are not what was sent */
    gboolean gap_inside = ctx->joined && line->offset == 0 && (ctx->st->flags & SMTPX_F_HELD_GAP);
    if (gap_inside) {
        proto_item_append_text(ri, " [bytes missing inside: parameters not read]");
        col_append_str(ctx->pinfo->cinfo, COL_INFO, " [bytes missing inside]");
    } else {
        smtpx_analyse_command(ctx, rt, line, &cmd);
    }
    smtpx_cmd_rec_t *rec = smtpx_queue_push(&ctx->call, ctx->pinfo, (guint16)cmd.id);
    /* (a MAIL inside an open transaction, with nothing pending to end it, is refused: not the transaction's) */
    if (cmd.id == SMTP_CMD_MAIL && !nested) {
        ctx->st->open_mail_rec = ctx->st->mail_rec;     /* (NULL once that transaction has ended) */
        ctx->st->mail_rec = rec;
        ctx->st->rcpt_cmds = 0;
    }
    if (!gap_inside)
        dissect_argument(ctx, rt, line, &cmd, rec);
    ctx->st->flags &= ~SMTPX_F_AUTH_ENDED;
    smtpx_note_request(ctx, rt, (guint16)cmd.id);
    smtpx_tap_simple(ctx, SMTPX_EV_COMMAND, smtp_cmd_name(cmd.id) ? smtp_cmd_name(cmd.id) : "(unknown)", 0);
    smtpx_add_request_links(ctx, rt, rec);
    return TRUE;
}

void smtpx_add_request_links(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_cmd_rec_t *rec)
{
    /* (LMTP: the end of a message has a reply for each recipient) */
    for (; rec; rec = smtpx_rec_next_recipient(rec)) {
        if (rec->rsp_frame) {
            proto_item *pi = proto_tree_add_uint(tree, hf_smtpx_response_in, ctx->tvb, 0, 0, rec->rsp_frame);
            proto_item_set_generated(pi);
        }
    }
}
