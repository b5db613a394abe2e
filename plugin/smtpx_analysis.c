/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Findings about a client command in the light of what the session knows:
 * extensions the server did not advertise, STARTTLS command injection. */
#include "smtpx.h"
#include "smtp_params.h"
#include "smtp_codes.h"
#include "smtp_grammar.h"
#include "smtp_imf.h"
#include "smtp_sasl.h"

#include <epan/to_str.h>

/* The client used an extension the server did not advertise. */
static void unadvertised(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *what, const char *ext)
{
    if (ctx->st->flags & SMTPX_F_EHLO)
        smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, line->offset, line->len,
                      "%s, but the server did not advertise %s in its %s reply", what, ext,
                      smtpx_is_lmtp(ctx) ? "LHLO" : "EHLO");
    else
        smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, line->offset, line->len,
                      "%s, but the session began with HELO, so the server advertised no extension (%s needs EHLO)",
                      what, ext);
}

/* A command sent before the reply to the one before it, PIPELINING not
 * advertised: also behind a hello, which ends a group (RFC 2920 3.1). */
static void check_pipelining(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    const smtpx_state_t *st = ctx->st;
    const smtpx_cmd_rec_t *pending = smtpx_queue_peek(st);

    if (!pending || (st->ext & SMTPX_EXT_PIPELINING))
        return;
    if (smtp_cmd_is_hello((smtp_cmd_t)pending->kind))
        smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, line->offset, line->len,
                      "Command sent before the reply to %s (frame %u): a client may pipeline only once the EHLO "
                      "reply advertised PIPELINING, and a hello ends a group (RFC 2920 3.1)",
                      smtp_cmd_name((smtp_cmd_t)pending->kind), pending->req_frame);
    else if (st->flags & SMTPX_F_HELLO)
        unadvertised(ctx, line, wmem_strdup_printf(ctx->pinfo->pool,
                     "Command sent before the reply to the command in frame %u (pipelining)",
                     pending->req_frame), "PIPELINING");
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
    else if (!smtpx_auth_offered(ctx, param, mlen))
        unadvertised(ctx, line, wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s", mech),
                     wmem_strdup_printf(ctx->pinfo->pool, "the mechanism %s", mech));
}

void smtpx_check_unseen(smtpx_ctx_t *ctx, guint32 unseen)
{
    guint32 flag = ctx->is_client ? SMTPX_F_UNSEEN_SERVER : SMTPX_F_UNSEEN_CLIENT;

    if (ctx->st->mode == SMTPX_MODE_TLS || (ctx->st->flags & flag))
        return;
    ctx->st->flags |= flag;
    smtpx_finding(ctx, &ei_smtpx_not_captured, ctx->tvb, 0, 0,
                  "This segment acknowledges %u bytes the %s sent that smtpx did not get (%s's side captured "
                  "only, frames lost, or a retransmission TCP kept back): %s", unseen,
                  ctx->is_client ? "server" : "client", ctx->is_client ? "client" : "server",
                  ctx->is_client ? "the replies in them are not shown, so commands go unanswered here"
                                 : "the commands in them are not shown, so the replies to them answer nothing here");
}

static void check_syntax_and_order(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line,
                                   const smtp_command_t *cmd);

/* The server offered STARTTLS, yet the client starts a transaction without
 * it (once per session). */
static void check_cleartext_mail(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    smtpx_state_t *st = ctx->st;

    if (ctx->in_tls || !(st->ext & SMTPX_EXT_STARTTLS) || (st->flags & SMTPX_F_CLEAR_MAIL))
        return;
    st->flags |= SMTPX_F_CLEAR_MAIL;
    smtpx_finding(ctx, &ei_smtpx_cleartext_mail, ctx->tvb, line->offset, line->len,
                  "The server offered STARTTLS, but the client sends its mail without TLS: anyone on the path can "
                  "read the message and its addresses");
}

/* Commands of an extension the server must have advertised */
static const struct {
    smtp_cmd_t cmd;
    guint32 ext;
    const char *what, *ext_name;
} command_extensions[] = {
    { SMTP_CMD_BDAT, SMTPX_EXT_CHUNKING, "BDAT", "CHUNKING" },
    { SMTP_CMD_STARTTLS, SMTPX_EXT_STARTTLS, "STARTTLS", "STARTTLS" },
    /* Postfix offers it only to its own proxies */
    { SMTP_CMD_XCLIENT, SMTPX_EXT_XCLIENT, "XCLIENT (it asks the server to take another client's address and login)",
      "XCLIENT" },
    { SMTP_CMD_XFORWARD, SMTPX_EXT_XFORWARD, "XFORWARD", "XFORWARD" },
};

static void check_command_advertised(smtpx_ctx_t *ctx, const smtpx_line_t *line, smtp_cmd_t cmd)
{
    for (size_t i = 0; i < G_N_ELEMENTS(command_extensions); i++) {
        if (command_extensions[i].cmd == cmd && !(ctx->st->ext & command_extensions[i].ext))
            unadvertised(ctx, line, command_extensions[i].what, command_extensions[i].ext_name);
    }
}

void smtpx_analyse_command(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    check_syntax_and_order(ctx, tree, line, cmd);
    smtpx_state_t *st = ctx->st;

    if (smtp_cmd_starts_tls(cmd->id) && line->next < ctx->len)
        smtpx_finding(ctx, &ei_smtpx_starttls_injection, ctx->tvb, line->next, -1,
                      "%d bytes follow %s in the same segment: sent in cleartext, a server that "
                      "buffers them would run them inside TLS (CVE-2011-0411)",
                      ctx->len - line->next, smtp_cmd_name(cmd->id));
    check_pipelining(ctx, line);
    if (!(st->flags & SMTPX_F_HELLO))
        return;
    check_command_advertised(ctx, line, cmd->id);
    if (cmd->id == SMTP_CMD_AUTH)
        check_auth(ctx, line, cmd);
    else if (cmd->id == SMTP_CMD_MAIL)
        check_cleartext_mail(ctx, line);
}

void smtpx_check_size(smtpx_ctx_t *ctx, guint64 size, int offset, int len)
{
    if (ctx->st->size_limit && size > ctx->st->size_limit)
        smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, offset, len,
                      "SIZE=%" PRIu64 " is larger than the %" PRIu64 " bytes the server advertised",
                      size, ctx->st->size_limit);
}


/* ---- syntax, as typed by students ---- */

/* The line as the user meant it: each BS or DEL removes the character
 * before it (all bytes of a UTF-8 one, "é" erased whole). */
static char *apply_edits(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    char *out = (char *)wmem_alloc(ctx->pinfo->pool, (size_t)line->len + 1);
    int n = 0;
    for (int i = 0; i < line->len; i++) {
        guint8 c = (guint8)line->text[i];
        if (c == 0x08 || c == 0x7f) {
            while (n > 0 && ((guint8)out[--n] & 0xc0) == 0x80)
                ;       /* (a continuation byte: on to the first byte of its character) */
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return out;
}

/* Arrow keys in a line typed over telnet (where: "the line", "a message line"). */
static void check_arrow_keys(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *where)
{
    if (smtp_line_has_arrow_key((const guint8 *)line->text, (size_t)line->len))
        smtpx_finding(ctx, &ei_smtpx_telnet_edit, ctx->tvb, line->offset, line->len,
                      "Arrow keys in %s: they moved the cursor on the screen, but telnet sends each as three bytes "
                      "(ESC [ A to D), which stay in the line", where);
}

void smtpx_check_message_ctrl_c(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (smtp_line_has_telnet_ctrl_c((const guint8 *)line->text, (size_t)line->len))
        smtpx_finding(ctx, &ei_smtpx_telnet_iac, ctx->tvb, line->offset, line->len,
                      "Ctrl-C in a message line, sent by telnet as Interrupt Process (IAC IP, IAC DO TIMING-MARK): "
                      "it does not stop the message; its bytes go into it, and only a line holding \".\" alone "
                      "ends it");
}

/* A message line typed by hand with Backspace/Delete or arrow keys: the
 * message keeps the keys as bytes. */
void smtpx_check_message_edits(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (!ctx->typed || line->offset != 0)
        return;
    check_arrow_keys(ctx, line, "a message line");
    if (!smtp_line_count_edits((const guint8 *)line->text, (size_t)line->len))
        return;
    char *edited = apply_edits(ctx, line);
    const char *outcome = strcmp(edited, ".") == 0 ? "the line is not \".\" alone, so the message has not ended"
                                                   : "mail programs show them as they are";
    smtpx_finding(ctx, &ei_smtpx_telnet_edit, ctx->tvb, line->offset, line->len,
                  "Edit keys (Backspace/Delete) in a message line: the screen showed \"%s\", but telnet sends the "
                  "keys as bytes, and the message keeps them: %s",
                  smtpx_line_format(ctx, edited, (int)MIN(strlen(edited), 60)), outcome);
}

static void check_telnet(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line)
{
    if (line->eol == SMTP_EOL_CRLF)
        ctx->st->flags |= SMTPX_F_CRLF_CLIENT;
    if (smtp_line_count_edits((const guint8 *)line->text, (size_t)line->len)) {
        char *edited = apply_edits(ctx, line);
        proto_item *pi = smtpx_add_string(ctx, tree, hf_smtpx_req_edited, ctx->tvb, line->offset, line->len, edited);
        proto_item_set_generated(pi);
        /* (the bytes sent are the item's; the label holds 240 bytes) */
        smtpx_finding(ctx, &ei_smtpx_telnet_edit, ctx->tvb, line->offset, line->len,
                      "Edit keys (Backspace/Delete) in the line: the screen showed \"%s\", but telnet sends the keys "
                      "as bytes and the server gets them in the line: it may refuse it, or take other text",
                      smtpx_line_format(ctx, edited, (int)MIN(strlen(edited), 60)));
    }
    check_arrow_keys(ctx, line, "the line");
    size_t iac = smtp_telnet_prefix((const guint8 *)line->text, (size_t)line->len);
    if (iac) {
        smtp_command_t after;
        smtp_parse_command(line->text + iac, (size_t)line->len - iac, &after);
        const char *verb = after.id != SMTP_CMD_UNKNOWN ? smtp_cmd_name(after.id) : NULL;
        gboolean ctrl_c = smtp_line_has_telnet_ip((const guint8 *)line->text, iac);
        smtpx_finding(ctx, &ei_smtpx_telnet_iac, ctx->tvb, line->offset, (int)iac,
                      "%s (%zu bytes %s)%s%s%s: the server reads them in the line and refuses it; use a raw "
                      "connection (PuTTY: Raw)",
                      ctrl_c ? "Ctrl-C, which telnet sends as Interrupt Process, IAC IP" : "Telnet negotiation", iac,
                      ctrl_c ? "in all" : "the telnet client sent, not typed", verb ? " before \"" : "",
                      verb ? verb : "", verb ? "\"" : "");
    } else if (memchr(line->text, 0xff, (size_t)line->len)) {
        smtpx_finding(ctx, &ei_smtpx_telnet_iac, ctx->tvb, line->offset, line->len,
                      "Telnet option negotiation (IAC, 0xFF) in the stream: the client is in Telnet mode, not raw");
    } else if (line->eol == SMTP_EOL_CRNUL) {
        ctx->st->flags |= SMTPX_F_CRNUL_CLIENT;
        smtpx_finding(ctx, &ei_smtpx_telnet_iac, ctx->tvb, line->next - 2, 2,
                      "Line ends with CR NUL, as a Telnet client in NVT mode sends: the client is not in raw mode");
    } else if (line->eol == SMTP_EOL_LF && !(ctx->st->flags & SMTPX_F_LF_CLIENT)) {
        ctx->st->flags |= SMTPX_F_LF_CLIENT;
        smtpx_finding(ctx, &ei_smtpx_bare_lf, ctx->tvb, line->next - 1, 1,
                      "Command ends with a bare LF, not CRLF (RFC 5321 2.3.8), as netcat without -C sends: many "
                      "servers accept it, strict ones do not");
    }
}

static void check_lengths(smtpx_ctx_t *ctx, int off, const char *addr, size_t len)
{
    size_t at;
    if (len + 2 > 256)
        smtpx_finding(ctx, &ei_smtpx_too_long, ctx->tvb, off, (int)len,
                      "Path of %zu octets: RFC 5321 4.5.3.1.3 allows 256", len + 2);
    if (!smtp_address_domain(addr, len, &at))
        return;
    if (at - 1 > 64)
        smtpx_finding(ctx, &ei_smtpx_too_long, ctx->tvb, off, (int)(at - 1),
                      "Local part of %zu octets: RFC 5321 4.5.3.1.1 allows 64", at - 1);
    if (len - at > 255)
        smtpx_finding(ctx, &ei_smtpx_too_long, ctx->tvb, off + (int)at, (int)(len - at),
                      "Domain of %zu octets: RFC 5321 4.5.3.1.2 allows 255", len - at);
}

/* An authenticated user sending as another domain than its own. */
static void check_auth_sender(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *sender)
{
    const smtpx_state_t *st = ctx->st;
    if (!(st->flags & SMTPX_F_AUTHED) || !st->login_user || !*sender)
        return;
    const char *user_org = smtpx_org_domain(ctx, st->login_user);
    const char *sender_org = smtpx_org_domain(ctx, sender);
    if (user_org && sender_org && strcmp(user_org, sender_org) != 0)
        smtpx_finding(ctx, &ei_smtpx_auth_sender_mismatch, ctx->tvb, line->offset, line->len,
                      "User \"%s\" logged in (domain %s) but sends as <%s> (domain %s)", st->login_user, user_org,
                      sender, sender_org);
}

/* ESMTP parameters of MAIL and RCPT and the extension each one needs;
 * value NULL: any value. */
static const struct {
    const char *key, *value, *ext_name;
    guint32 ext;
} param_extensions[] = {
    { "SIZE", NULL, "SIZE", SMTPX_EXT_SIZE },
    { "BODY", "8BITMIME", "8BITMIME", SMTPX_EXT_8BITMIME },
    { "BODY", "BINARYMIME", "BINARYMIME", SMTPX_EXT_BINARYMIME },
    { "SMTPUTF8", NULL, "SMTPUTF8", SMTPX_EXT_SMTPUTF8 },
    { "AUTH", NULL, "AUTH", SMTPX_EXT_AUTH },
    { "RET", NULL, "DSN", SMTPX_EXT_DSN },
    { "ENVID", NULL, "DSN", SMTPX_EXT_DSN },
    { "NOTIFY", NULL, "DSN", SMTPX_EXT_DSN },
    { "ORCPT", NULL, "DSN", SMTPX_EXT_DSN },
};

/* MAIL FROM:<a> BODY=8BITMIME and the like: a parameter of an extension
 * the server did not advertise (once per extension and command: *reported). */
static void check_param_advertised(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *param,
                                   const smtp_param_t *p, gboolean is_mail, guint32 *reported)
{
    for (size_t i = 0; i < G_N_ELEMENTS(param_extensions); i++) {
        const char *value = param_extensions[i].value;
        if (!smtp_word_equals(param + p->key_off, p->key_len, param_extensions[i].key) ||
            (value && !smtp_word_equals(param + p->val_off, p->val_len, value)) ||
            (*reported & param_extensions[i].ext))
            continue;
        *reported |= param_extensions[i].ext;
        unadvertised(ctx, line, wmem_strdup_printf(ctx->pinfo->pool, "%s parameter %s", is_mail ? "MAIL" : "RCPT",
                                                   smtpx_line_format(ctx, param + p->key_off,
                                                                     (int)smtp_param_len(p))),
                     param_extensions[i].ext_name);
        return;
    }
}

/* SIZE=abc, NOTIFY on MAIL, ENVID with a bad xtext escape, XCLIENT FOO=1: a
 * parameter (at offset, in param) of the command on, not written as RFC 5321,
 * its extension's RFC or Postfix's XCLIENT and XFORWARD want. */
static void check_param_grammar(smtpx_ctx_t *ctx, const smtpx_line_t *line, int offset, const char *param,
                                const smtp_param_t *p, smtp_param_on_t on)
{
    const smtp_param_rule_t *rule;
    smtp_param_fault_t fault = smtp_param_check(param, p, on, &rule);
    int len = (int)smtp_param_len(p);
    offset += (int)p->key_off;

    gboolean tls_missing = fault == SMTP_PARAM_OK && rule && rule->needs_tls && !ctx->in_tls;

    /* edit keys break the grammar, and telnet_edit says so */
    if ((fault == SMTP_PARAM_OK && !tls_missing) ||
        smtp_line_count_edits((const guint8 *)line->text, (size_t)line->len))
        return;
    if (tls_missing) {
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len, "%s on a session without TLS: "
                      "%s allows it only under TLS (after STARTTLS), and the server must refuse the message",
                      rule->key, rule->rfc);
        return;
    }
    const char *shown = smtpx_line_format(ctx, param + p->key_off, len);
    const char *cmd = smtp_param_on_name(on);
    if (fault == SMTP_PARAM_SYNTAX && (on & (SMTP_PARAM_ON_MAIL | SMTP_PARAM_ON_RCPT)))
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len,
                      "\"%s\" is no parameter: RFC 5321 wants KEYWORD or KEYWORD=value, the keyword of letters, "
                      "digits and hyphens, the value without spaces, \"=\" or control characters", shown);
    else if (fault == SMTP_PARAM_SYNTAX)
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len,
                      "\"%s\" is no attribute: %s wants NAME=value, the value in xtext; Postfix answers 501", shown,
                      cmd);
    else if (fault == SMTP_PARAM_UNKNOWN) {
        char names[128];
        smtp_param_keys(on, SMTP_PARAMS_ALL, names, sizeof names);
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len,
                      "\"%s\": %s has no such attribute (%s); Postfix answers 501", shown, cmd, names);
    }
    else if (fault == SMTP_PARAM_MISPLACED)
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len, "\"%s\" on %s: %s belongs to %s (%s)",
                      shown, cmd, rule->key, smtp_param_on_name(rule->on), rule->rfc);
    else if (fault == SMTP_PARAM_XTEXT)
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len,
                      "\"%s\": %s is xtext (RFC 3461), which writes \"+\", \"=\", spaces and controls as \"+\" "
                      "and two upper-case hex digits (\"+2B\")", shown, rule->key);
    else
        smtpx_finding(ctx, &ei_smtpx_bad_param, ctx->tvb, offset, len, "\"%s\": %s wants %s (%s)", shown,
                      rule->key, rule->value, rule->rfc);
}

/* The parameters after MAIL's or RCPT's path. */
static void check_params(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd,
                         const smtp_path_t *path)
{
    gboolean is_mail = cmd->id == SMTP_CMD_MAIL;
    gboolean hello = (ctx->st->flags & SMTPX_F_HELLO) != 0;   /* the server's extensions are known */
    const char *param = line->text + cmd->param_off;
    guint32 reported = ctx->st->ext;
    smtp_param_t p;

    for (size_t off = path->params_off; smtp_next_param(param, cmd->param_len, &off, &p);) {
        check_param_grammar(ctx, line, line->offset + (int)cmd->param_off, param, &p,
                            is_mail ? SMTP_PARAM_ON_MAIL : SMTP_PARAM_ON_RCPT);
        if (hello)
            check_param_advertised(ctx, line, param, &p, is_mail, &reported);
    }
}

/* An attribute of XCLIENT or XFORWARD that the server's EHLO reply does not
 * list after the command (listed: their bits; 0, no list): a server that
 * does not know it answers 501 (Postfix before 3.2 has no DESTADDR or
 * DESTPORT). */
static void check_attribute_listed(smtpx_ctx_t *ctx, int offset, const char *param, const smtp_param_t *p,
                                   smtp_param_on_t on, guint32 listed)
{
    int rank = smtp_param_rank(on, param + p->key_off, p->key_len);
    char names[128];

    if (!listed || rank < 0 || (listed & (1u << rank)))
        return;
    smtp_param_keys(on, listed, names, sizeof names);
    smtpx_finding(ctx, &ei_smtpx_unadvertised, ctx->tvb, offset + (int)p->key_off, (int)smtp_param_len(p),
                  "%s attribute %s, but the server's EHLO reply lists only %s after %s: a server answers 501 to "
                  "an attribute it does not list (an older Postfix knows fewer)",
                  smtp_param_on_name(on), smtpx_line_format(ctx, param + p->key_off, (int)p->key_len), names,
                  smtp_param_on_name(on));
}

/* XCLIENT's and XFORWARD's NAME=VALUE attributes. */
static void check_attributes(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    gboolean xclient = cmd->id == SMTP_CMD_XCLIENT;
    smtp_param_on_t on = xclient ? SMTP_PARAM_ON_XCLIENT : SMTP_PARAM_ON_XFORWARD;
    const char *param = line->text + cmd->param_off;
    int offset = line->offset + (int)cmd->param_off;
    smtp_param_t p;

    for (size_t off = 0; smtp_next_param(param, cmd->param_len, &off, &p);) {
        check_param_grammar(ctx, line, offset, param, &p, on);
        check_attribute_listed(ctx, offset, param, &p, on, ctx->st->listed_attrs[!xclient]);
    }
}

/* Does MAIL's parameter list (from off) hold SMTPUTF8? */
static gboolean has_smtputf8(const char *param, size_t len, size_t off)
{
    smtp_param_t p;

    while (smtp_next_param(param, len, &off, &p)) {
        if (smtp_word_equals(param + p.key_off, p.key_len, "SMTPUTF8"))
            return TRUE;
    }
    return FALSE;
}

/* An address with non-ASCII bytes needs SMTPUTF8 on the transaction's MAIL
 * (RFC 6531); a RCPT learns it from the state, MAIL from its own line. */
static void check_utf8_address(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd,
                               const smtp_path_t *path)
{
    gboolean is_mail = cmd->id == SMTP_CMD_MAIL;
    const char *param = line->text + cmd->param_off, *addr = param + path->addr_off;

    if (smtp_find_8bit((const guint8 *)addr, path->addr_len) == path->addr_len ||
        memchr(addr, 0xff, path->addr_len))     /* (Telnet's bytes: smtpx.analysis.telnet_iac says it) */
        return;
    if (!g_utf8_validate(addr, (gssize)path->addr_len, NULL)) {
        smtpx_finding(ctx, &ei_smtpx_utf8_address, ctx->tvb, line->offset + (int)(cmd->param_off + path->addr_off),
                      (int)path->addr_len, "Address <%s> holds bytes that are not UTF-8: a server refuses it, "
                      "with SMTPUTF8 or without", smtpx_line_format(ctx, addr, (int)path->addr_len));
        return;
    }
    if (is_mail ? has_smtputf8(param, cmd->param_len, path->params_off) : (ctx->st->flags & SMTPX_F_SMTPUTF8) != 0)
        return;
    smtpx_finding(ctx, &ei_smtpx_utf8_address, ctx->tvb, line->offset + (int)(cmd->param_off + path->addr_off),
                  (int)path->addr_len, "Non-ASCII address <%s> without SMTPUTF8 on MAIL: RFC 6531 needs it, "
                  "and a server answers 553 (5.6.7)", smtpx_line_format(ctx, addr, (int)path->addr_len));
}

/* A byte below space, or DEL (Ctrl-C typed in a raw session, an escape sequence). */
static gboolean has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((guint8)s[i] < 0x20 || s[i] == 0x7f)
            return TRUE;
    }
    return FALSE;
}

static void add_reason(wmem_strbuf_t *why, gboolean cond, const char *reason)
{
    if (cond)
        wmem_strbuf_append_printf(why, "%s%s", wmem_strbuf_get_len(why) ? ", " : "", reason);
}

/* "MAIL FROM: bob@x", "RCPT TO :<x>", "RCPT TO:a@x,b@x": the form RFC 5321
 * wants instead, with the address as given (the first of a list) unless it
 * is none or holds control bytes. */
static void report_path_form(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd,
                             const smtp_path_t *path, gboolean no_domain)
{
    const char *addr = line->text + cmd->param_off + path->addr_off;
    const char *comma = path->brackets ? NULL : memchr(addr, ',', path->addr_len);
    size_t n = comma ? (size_t)(comma - addr) : path->addr_len;
    gboolean usable = n > 0 && !no_domain && !has_control(addr, n);
    wmem_strbuf_t *why = wmem_strbuf_new(ctx->pinfo->pool, "");

    add_reason(why, !path->brackets, "angle brackets");
    add_reason(why, path->space_before_colon, "no space before the colon");
    add_reason(why, path->space_after_colon, "no space after the colon");
    add_reason(why, comma != NULL, "one address per command");
    smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, line->offset, line->len,
                  "\"%s\": RFC 5321 wants %s<%s> (%s); strict servers answer 501",
                  smtpx_line_format(ctx, line->text, line->len), cmd->id == SMTP_CMD_MAIL ? "MAIL FROM:" : "RCPT TO:",
                  usable ? smtpx_line_format(ctx, addr, (int)n) : "local-part@domain", wmem_strbuf_get_str(why));
}

/* "<Bob <bob@x>>", "Bob <bob@x>": a display name in the envelope; the
 * address in its brackets at *off (in param), *n long. */
static gboolean display_name_address(const char *param, size_t len, const smtp_path_t *path, size_t *off,
                                     size_t *n)
{
    size_t from = path->addr_off, upto = path->brackets ? path->addr_off + path->addr_len : len;
    const char *lt = memchr(param + from, '<', upto - from);
    if (!lt || (!path->brackets && path->addr_len == 0))
        return FALSE;
    *off = (size_t)(lt - param) + 1;
    const char *gt = memchr(param + *off, '>', len - *off);
    *n = gt ? (size_t)(gt - (param + *off)) : 0;
    return *n > 0 && memchr(param + *off, '@', *n) != NULL;
}

/* A blank or control byte in the domain (after the last '@') of an address. */
static gboolean bad_domain_byte(const char *addr, size_t n)
{
    size_t at = n;

    while (at > 0 && addr[at - 1] != '@')
        at--;
    return at > 0 && (has_control(addr + at, n - at) || memchr(addr + at, ' ', n - at));
}

static void check_path(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    gboolean is_mail = cmd->id == SMTP_CMD_MAIL;
    const char *param = line->text + cmd->param_off;
    const char *shown = smtpx_line_format(ctx, line->text, line->len);
    smtp_path_t path;

    smtp_parse_path(param, cmd->param_len, is_mail ? "FROM:" : "TO:", &path);
    if (!path.ok || (!is_mail && path.addr_len == 0 && !path.brackets)) {
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, line->offset, line->len,
                      "\"%s\": the command needs %s followed by an address in angle brackets", shown,
                      is_mail ? "FROM:" : "TO:");
        return;
    }
    const char *raw = param + path.addr_off, *addr = smtpx_line_format(ctx, raw, (int)path.addr_len);
    gboolean no_domain = path.addr_len > 0 && !memchr(raw, '@', path.addr_len) &&
                         (is_mail || !smtp_token_is(raw, path.addr_len, "Postmaster"));
    size_t dn_off, dn_len;
    gboolean display_name = display_name_address(param, cmd->param_len, &path, &dn_off, &dn_len);
    if (display_name)     /* (its words are no parameters: not checked as such) */
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, line->offset, line->len,
                      "\"%s\": a display name does not belong in the envelope: RFC 5321 wants %s<%s>; a server "
                      "answers 501 or 555", shown, is_mail ? "MAIL FROM:" : "RCPT TO:",
                      smtpx_line_format(ctx, param + dn_off, (int)dn_len));
    else if (!path.brackets || path.space_after_colon || path.space_before_colon)
        report_path_form(ctx, line, cmd, &path, no_domain);
    else if (bad_domain_byte(raw, path.addr_len) &&
             !smtp_line_count_edits((const guint8 *)line->text, (size_t)line->len))     /* (telnet_edit says it) */
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, line->offset, line->len,
                      "<%s> is no address: a domain name holds no blank or control byte (RFC 5321 4.1.2); a server "
                      "answers 501", addr);
    else if (no_domain)
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, line->offset, line->len,
                      "<%s> is no address: RFC 5321 wants local-part@domain (only RCPT TO:<Postmaster> may go "
                      "without one); a server refuses it, or adds its own domain", addr);
    check_lengths(ctx, line->offset + (int)(cmd->param_off + path.addr_off), param + path.addr_off,
                  path.addr_len);
    check_utf8_address(ctx, line, cmd, &path);
    if (!display_name)
        check_params(ctx, line, cmd, &path);
    if (is_mail) {
        check_auth_sender(ctx, line, wmem_strndup(ctx->pinfo->pool, param + path.addr_off, path.addr_len));
        smtpx_check_homograph(ctx, "envelope sender", param + path.addr_off, path.addr_len,
                              line->offset + (int)(cmd->param_off + path.addr_off), (int)path.addr_len);
    }
}

/* What a forged HELO/EHLO argument claims (NULL: nothing). Nobody verifies
 * the name, and clients behind a NAT give a local address: only the
 * server's own name or address, or a public address of the client's family
 * other than its own public one, is a claim to another host's identity.
 * Not when client and server are one host (a loopback capture). */
static const char *forged_helo(const smtpx_ctx_t *ctx, const char *arg, size_t n, int family,
                               const unsigned char *addr)
{
    const address *client = smtpx_client_address(ctx), *server = &ctx->pinfo->dst;
    const char *server_name = ctx->st->server_name;

    if (n == 0 || addresses_equal(client, server))
        return NULL;
    if (server_name && smtp_token_is(arg, n, server_name))
        return "the server's own name";
    if (smtpx_address_is(server, family, addr))
        return "the server's own address";
    if (family && family == smtpx_ip_family(client) && !smtpx_address_is(client, family, addr) &&
        !smtp_ip_is_local(family, addr) && !smtp_ip_is_local(family, (const unsigned char *)client->data))
        return "another host's address";
    return NULL;
}

static void check_hello(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const char *arg = line->text + cmd->param_off;
    int off = line->offset + (int)cmd->param_off;
    unsigned char addr[16];
    size_t n = 0;
    while (n < cmd->param_len && arg[n] != ' ')
        n++;
    const char *shown = smtpx_line_format(ctx, arg, (int)n);
    int family = smtp_helo_address(arg, n, addr);
    if (n == 0)
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, line->offset, (int)cmd->verb_len,
                      "%s names no host: RFC 5321 (4.1.1.1) wants the client's domain name or an address "
                      "literal such as [192.0.2.1]", smtp_cmd_name(cmd->id));
    else if (!smtp_is_domain_or_literal(arg, n))
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, off, MAX((int)n, 0),
                      "\"%s\" is not a domain name or an address literal such as [192.0.2.1]: HELO/EHLO names "
                      "the client host%s", shown, memchr(arg, '@', n) ? ", not an email address" : "");
    else if (family && arg[0] != '[')
        smtpx_finding(ctx, &ei_smtpx_missing_brackets, ctx->tvb, off, (int)n,
                      "\"%s\" is an address, not a name: RFC 5321 wants an address written as a literal, "
                      "[%s]", shown, shown);
    smtpx_check_homograph(ctx, smtp_cmd_name(cmd->id), arg, n, off, (int)n);
    const char *claim = forged_helo(ctx, arg, n, family, addr);
    if (claim)
        smtpx_finding(ctx, &ei_smtpx_forged_helo, ctx->tvb, off, (int)n,
                      "%s %s gives %s as the client's identity, but the client connects from %s: nobody "
                      "verifies the HELO name, and claiming another host's identity is a spam and phishing trick",
                      smtp_cmd_name(cmd->id), shown, claim, address_to_str(ctx->pinfo->pool, smtpx_client_address(ctx)));
}

/* ---- order of commands ---- */

static void bad_sequence(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *why)
{
    smtpx_finding(ctx, &ei_smtpx_bad_sequence, ctx->tvb, line->offset, line->len, "%s", why);
}

static void check_sequence(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const smtpx_state_t *st = ctx->st;
    const char *name = smtp_cmd_name(cmd->id);

    if ((st->flags & SMTPX_F_QUIT) || smtpx_queue_has_pending(st, SMTP_CMD_QUIT)) {
        bad_sequence(ctx, line, wmem_strdup_printf(ctx->pinfo->pool, "%s after QUIT", name ? name : "Command"));
        return;
    }
    if (!(st->flags & SMTPX_F_GREETING))
        return;     /* capture began mid-session (or early talker, reported at the greeting) */
    gboolean hello = (st->flags & (SMTPX_F_HELLO | SMTPX_F_HELLO_UNSEEN)) ||
                     smtpx_queue_has_pending(st, SMTP_CMD_HELO) || smtpx_queue_has_pending(st, SMTP_CMD_EHLO);
    switch (cmd->id) {
    case SMTP_CMD_MAIL:
        if (!hello)
            bad_sequence(ctx, line, "MAIL before HELO/EHLO: the client must introduce itself first");
        else if ((st->flags & SMTPX_F_MAIL) && !smtpx_queue_peek(st))
            bad_sequence(ctx, line, "MAIL inside an open mail transaction: finish it or send RSET first");
        break;
    case SMTP_CMD_RCPT:
        if (!(st->flags & SMTPX_F_MAIL) && !smtpx_queue_has_pending(st, SMTP_CMD_MAIL))
            bad_sequence(ctx, line, "RCPT before an accepted MAIL: the server answers 503");
        break;
    case SMTP_CMD_DATA:
    case SMTP_CMD_BDAT:
        if (!(st->flags & SMTPX_F_RCPT) && !smtpx_queue_has_pending(st, SMTP_CMD_RCPT) && !st->msg)
            bad_sequence(ctx, line, wmem_strdup_printf(ctx->pinfo->pool,
                         "%s without an accepted recipient: the server answers 503 or 554", name));
        else if (cmd->id == SMTP_CMD_DATA && (st->msg_flags & SMTPX_MSG_BINARY))
            bad_sequence(ctx, line, "DATA after MAIL with BODY=BINARYMIME: a binary message must be sent "
                                    "with BDAT (RFC 3030); the server answers 503");
        else if (cmd->id == SMTP_CMD_DATA && smtpx_in_chunks(st))
            bad_sequence(ctx, line, "DATA inside a message sent with BDAT: the server answers 503 (RFC 3030), "
                                    "and the next chunk goes on the same message");
        break;
    default:
        break;
    }
}

/* ---- relaying ---- */

/* The local_domains preference, split again only when it changed. */
static char *split_from;
static gchar **domains;

static void analysis_shutdown(void)
{
    g_free(split_from);
    g_strfreev(domains);
    split_from = NULL;
    domains = NULL;
}

void smtpx_analysis_register(void)
{
    register_shutdown_routine(analysis_shutdown);
}

static gchar **local_domains(void)
{
    const char *pref = smtpx_pref_local_domains ? smtpx_pref_local_domains : "";

    if (!split_from || strcmp(split_from, pref) != 0) {
        g_free(split_from);
        g_strfreev(domains);
        split_from = g_strdup(pref);
        domains = g_strsplit_set(pref, ", ", -1);
    }
    return domains;
}

static gboolean is_local_domain(smtpx_ctx_t *ctx, const char *org)
{
    for (gchar **d = local_domains(); *d; d++) {
        if (**d && strcmp(smtpx_org_domain_of_host(ctx, *d), org) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Is domain an address literal of the server itself ("[192.0.2.25]"):
 * local delivery, no relaying (RFC 5321 4.1.3)? The reply is the server's
 * packet. */
static gboolean is_server_literal(const smtpx_ctx_t *ctx, const char *domain)
{
    unsigned char addr[16];
    int family = domain[0] == '[' ? smtp_helo_address(domain, strlen(domain), addr) : 0;

    return family && smtpx_address_is(&ctx->pinfo->src, family, addr);
}

void smtpx_check_relay(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code)
{
    const smtpx_state_t *st = ctx->st;
    gboolean have_pref = smtpx_pref_local_domains && *smtpx_pref_local_domains;

    /* (LMTP delivers into the local mailbox store: it relays nothing) */
    if ((st->flags & (SMTPX_F_AUTHED | SMTPX_F_AUTH_UNSEEN)) || smtpx_is_lmtp(ctx) ||
        (!st->server_name && !have_pref))
        return;
    const char *rcpt_org = smtpx_org_domain(ctx, rec->arg);
    if (rcpt_org && is_server_literal(ctx, rcpt_org))
        return;
    const char *server_org = st->server_name ? smtpx_org_domain_of_host(ctx, st->server_name) : NULL;
    if (!rcpt_org || (server_org && strcmp(server_org, rcpt_org) == 0) || is_local_domain(ctx, rcpt_org))
        return;
    smtpx_finding(ctx, &ei_smtpx_open_relay, ctx->tvb, 0, 0,
                  "The server relays mail for anyone: RCPT TO:<%s> accepted (%u) without authentication, for "
                  "domain %s, not the server's own (%s%s%s%s)",
                  rec->arg, code, rcpt_org, server_org ? "it calls itself " : "",
                  server_org ? st->server_name : "", server_org && have_pref ? "; " : "",
                  have_pref ? "not in the local_domains preference" : "; no local_domains preference");
}

/* ---- guessing over a session ---- */

#define SMTPX_AUTH_GUESSES  3   /* rejected AUTH attempts that make a finding */
#define SMTPX_ADDR_GUESSES  5   /* refused addresses that make a finding */

/* Counts one more, up to 255; TRUE when the count reaches `at`. */
static gboolean count_to(guint8 *count, unsigned at)
{
    if (*count < G_MAXUINT8)
        (*count)++;
    return *count == at;
}

static gboolean address_refused(const smtpx_cmd_rec_t *rec, unsigned code)
{
    return (rec->kind == SMTP_CMD_RCPT && code / 100 == 5) ||
           (rec->kind == SMTP_CMD_VRFY && (code == 550 || code == 551 || code == 553));
}

/* The same refusals counted for the client's address over all its sessions
 * (smtpx_hosts.c): a guesser that opens a new connection every few tries. */
static void check_guessing_host(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, gboolean auth)
{
    const smtpx_host_report_t *h = smtpx_host_refused(ctx, rec, auth ? SMTPX_HOST_AUTH : SMTPX_HOST_ADDRESS,
                                                      auth ? SMTPX_AUTH_GUESSES : SMTPX_ADDR_GUESSES);
    if (h)
        smtpx_finding(ctx, auth ? &ei_smtpx_auth_guessing : &ei_smtpx_address_probing, ctx->tvb, 0, 0,
                      "%u %s from %s refused over %u sessions (the first in frame %u): someone guessing %s, who "
                      "opens a new connection every few tries to stay under the count of one session",
                      h->count, auth ? "AUTH attempts" : "addresses",
                      address_to_str(ctx->pinfo->pool, &ctx->pinfo->dst), h->sessions, h->first_frame,
                      auth ? "passwords" : "which mailboxes exist");
}

void smtpx_check_guessing(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, unsigned code)
{
    smtpx_state_t *st = ctx->st;
    gboolean auth = code == 535 && (rec->kind == SMTP_CMD_AUTH || rec->kind == SMTPX_KIND_AUTH_STEP);
    gboolean address = address_refused(rec, code);

    if (auth && count_to(&st->auth_rejected, SMTPX_AUTH_GUESSES))
        smtpx_finding(ctx, &ei_smtpx_auth_guessing, ctx->tvb, 0, 0,
                      "%u AUTH attempts rejected (535) in this session%s%s: someone is guessing passwords, "
                      "or a user has forgotten one", SMTPX_AUTH_GUESSES, st->auth_user ? ", the last for " : "",
                      st->auth_user ? st->auth_user : "");
    if (address && count_to(&st->addr_refused, SMTPX_ADDR_GUESSES))
        smtpx_finding(ctx, &ei_smtpx_address_probing, ctx->tvb, 0, 0,
                      "%u addresses refused in this session (RCPT 5xx, VRFY 550/551/553)%s%s%s: the client "
                      "may be guessing which mailboxes exist (directory harvest)", SMTPX_ADDR_GUESSES,
                      rec->arg ? ", the last <" : "", rec->arg ? rec->arg : "", rec->arg ? ">" : "");
    if (auth || address)
        check_guessing_host(ctx, rec, auth);
}

/* ---- replies ---- */

/* The meaning of an enhanced code of the reply's class that says more than
 * the reply code (452 4.5.3: "Too many recipients", where 452 alone says
 * storage), with the code; else NULL. Not an "other ... status" (X.Y.0),
 * nor "invalid command" or "syntax error" (X.5.1, X.5.2), which servers
 * give with any refusal of a command (Postfix's 554 5.5.1 "no valid
 * recipients"), nor for 500-504, whose own texts say as much. */
static const char *enhanced_meaning(smtpx_ctx_t *ctx, unsigned code, const char *text, int len)
{
    smtp_enh_t enh;

    if ((code >= 500 && code <= 504) || len <= 0 || smtp_parse_enhanced(text, (size_t)len, &enh) != SMTP_ENH_VALID ||
        enh.cls != code / 100 || enh.detail == 0 || (enh.subject == 5 && enh.detail <= 2))
        return NULL;
    const char *meaning = smtp_enh_code_text(enh.subject, enh.detail);
    return meaning ? wmem_strdup_printf(ctx->pinfo->pool, "%u.%u.%u %s", enh.cls, enh.subject, enh.detail, meaning)
                   : NULL;
}

void smtpx_check_reply(smtpx_ctx_t *ctx, unsigned code, int offset, const char *text, int len)
{
    if (code < 400)
        return;
    const char *meaning = enhanced_meaning(ctx, code, text, len);
    if (!meaning)
        meaning = smtp_reply_code_text(code);
    gboolean serious = code == 421 || code == 535 || code == 554 || code == 550;
    smtpx_finding(ctx, serious ? &ei_smtpx_serious_reply : &ei_smtpx_error_reply, ctx->tvb, offset, 3,
                  "%u: %s%s", code, meaning ? meaning : (code < 500 ? "temporary failure" : "permanent failure"),
                  code < 500 ? " (temporary: the client may try again later)" : " (permanent: do not retry as is)");
}

void smtpx_check_early_talker(smtpx_ctx_t *ctx, int offset)
{
    const smtpx_cmd_rec_t *first = smtpx_queue_peek(ctx->st);
    if (first)
        smtpx_finding(ctx, &ei_smtpx_bad_sequence, ctx->tvb, offset, 3,
                      "The client spoke (frame %u) before the server's greeting: an early talker, which "
                      "RFC 5321 forbids and spam filters punish", first->req_frame);
}

void smtpx_check_sent_early(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, int offset)
{
    smtpx_finding(ctx, &ei_smtpx_bad_sequence, ctx->tvb, offset, ctx->len - offset,
                  "Message sent before the server's reply to DATA (frame %u): the client must wait for 354 "
                  "(RFC 2920); shown as the message, as a server that answers 354 reads it", rec->req_frame);
}

void smtpx_check_sent_early_reply(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code, int offset)
{
    if (smtpx_rec_sent_early(rec) && code != 354)
        smtpx_finding(ctx, &ei_smtpx_bad_sequence, ctx->tvb, offset, 3,
                      "Reply %u refuses DATA, but the client sent the message (from frame %u) without waiting: "
                      "the server did not take it, and reads those lines as commands unless it closes the "
                      "connection", code, rec->msg->id);
}

void smtpx_check_stream_gap(smtpx_ctx_t *ctx, guint32 gap)
{
    if (ctx->st->mode == SMTPX_MODE_TLS)     /* the bytes are TLS's, not SMTP */
        return;
    gboolean in_message = smtpx_sending_message(ctx);
    gboolean in_line = !in_message && ctx->is_client && ctx->st->held_len;
    if (in_line)
        ctx->st->flags |= SMTPX_F_HELD_GAP;
    smtpx_finding(ctx, &ei_smtpx_stream_gap, ctx->tvb, 0, 0,
                  "%u bytes the %s sent before this segment are missing from the capture (not captured, or in a "
                  "retransmission TCP did not pass on): %s", gap, ctx->is_client ? "client" : "server",
                  in_message ? "the message lacks them, so its size, summary, IMF and exported file are incomplete"
                  : in_line ? "the line being typed lacks them, so its parameters are not read"
                            : "the lines in them are not shown, and replies may not match their requests");
}

static void check_syntax_and_order(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line,
                                   const smtp_command_t *cmd)
{
    if (line->next - line->offset > 512 && !line->partial)     /* a cut line has a finding of its own */
        smtpx_finding(ctx, &ei_smtpx_line_too_long, ctx->tvb, line->offset, line->len,
                      "Command line of %d octets: RFC 5321 4.5.3.1.4 allows 512 including CRLF",
                      line->next - line->offset);
    if ((ctx->st->flags & SMTPX_F_CHUNK_END) && cmd->id == SMTP_CMD_UNKNOWN)
        smtpx_finding(ctx, &ei_smtpx_bdat, ctx->tvb, line->offset, line->len,
                      "Not a command right after a BDAT chunk: the chunk size does not match the data sent");
    ctx->st->flags &= ~SMTPX_F_CHUNK_END;
    if (cmd->id == SMTP_CMD_MAIL)
        ctx->st->flags &= ~SMTPX_F_BDAT_LAST;
    check_telnet(ctx, tree, line);
    check_sequence(ctx, line, cmd);
    gboolean whole = !line->partial;    /* the argument of a cut line is not checked */
    if (whole && (cmd->id == SMTP_CMD_MAIL || cmd->id == SMTP_CMD_RCPT))
        check_path(ctx, line, cmd);
    else if (whole && smtp_cmd_is_hello(cmd->id) &&
             !smtp_line_count_edits((const guint8 *)line->text, (size_t)line->len))   /* (telnet_edit says it) */
        check_hello(ctx, line, cmd);
    else if (whole && (cmd->id == SMTP_CMD_XCLIENT || cmd->id == SMTP_CMD_XFORWARD))
        check_attributes(ctx, line, cmd);
    if (cmd->id == SMTP_CMD_RCPT && ++ctx->st->rcpt_cmds == 101)
        smtpx_finding(ctx, &ei_smtpx_too_long, ctx->tvb, line->offset, line->len,
                      "More than 100 recipients in one transaction: RFC 5321 4.5.3.1.8 lets servers refuse them");
}
