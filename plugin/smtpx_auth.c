/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AUTH (RFC 4954): the command, the client lines that answer 334
 * challenges, the challenges and the outcome. Secrets are decoded by
 * default; a preference masks passwords. Credentials feed the
 * "credentials" tap (tshark -z credentials). */
#include "smtpx.h"
#include "smtp_sasl.h"

#include <epan/tap.h>

gboolean smtpx_pref_hide_passwords = FALSE;

static dissector_handle_t ntlmssp_handle, gssapi_handle;
static int credentials_tap = -1;

/* Same layout as Wireshark's tap_credential_t (ui/tap-credentials.h, not
 * installed with the development headers); the tap name is public. */
typedef struct {
    guint num;
    guint username_num;
    guint password_hf_id;
    gchar *username;
    const gchar *proto;
    gchar *info;
} smtpx_credential_t;

void smtpx_auth_register_handoff(void)
{
    ntlmssp_handle = find_dissector_add_dependency("ntlmssp", proto_smtpx);
    gssapi_handle = find_dissector_add_dependency("gssapi", proto_smtpx);
    credentials_tap = register_tap("credentials");
}

#define SMTPX_MASK "********"

/* The bytes that valid base64 text (smtp_base64_valid) stands for, in pinfo->pool. */
static guchar *base64_bytes(smtpx_ctx_t *ctx, const char *text, int len, gsize *out_len)
{
    *out_len = 0;
    if (len < 2)    /* valid: empty; g_base64_decode_inplace wants 2 bytes or more */
        return (guchar *)wmem_strdup(ctx->pinfo->pool, "");
    return g_base64_decode_inplace(wmem_strndup(ctx->pinfo->pool, text, (gsize)len), out_len);
}

/* "=" (RFC 4954, for an initial response) and an empty line are an empty response. */
static gboolean is_empty_response(const char *text, int len)
{
    return len == 0 || (len == 1 && text[0] == '=');
}

/* "*" cancels the exchange (RFC 4954 4). */
static gboolean is_cancel(const char *text, int len)
{
    return len == 1 && text[0] == '*';
}

/* A client message that is no base64 (typed in clear, or without its
 * padding) where the exchange expects its secret: the secret as it is. */
static gboolean secret_in_clear(smtp_sasl_mech_t mech, unsigned step, const char *text, int len)
{
    return smtp_sasl_step_has_secret(mech, step) && !is_empty_response(text, len) && !is_cancel(text, len) &&
           !smtp_base64_valid(text, (size_t)len);
}

/* With the hide_passwords preference: does this client message carry a
 * password or token, so that nothing of it may be shown? */
static gboolean must_mask(smtpx_ctx_t *ctx, smtp_sasl_mech_t mech, unsigned step, const char *text, int len)
{
    smtp_sasl_fields_t f;
    gsize out_len;

    if (!smtpx_pref_hide_passwords)
        return FALSE;
    if (!smtp_base64_valid(text, (size_t)len))
        return secret_in_clear(mech, step, text, len);
    guchar *decoded = base64_bytes(ctx, text, len, &out_len);
    return smtp_sasl_parse(mech, step, decoded, out_len, &f) && f.secret.set;
}

/* must_mask for a line. A cut line (the head of an overlong one) cannot be
 * decoded, so it is hidden whole whenever passwords are hidden; the session
 * then remembers it (SMTPX_F_SECRET_CUT), so that the parts of the line that
 * follow are hidden too (smtpx_auth_hide_fragment). */
static gboolean hide_line(smtpx_ctx_t *ctx, const smtpx_line_t *line, smtp_sasl_mech_t mech, unsigned step,
                          const char *text, int len)
{
    if (!line->partial)
        return must_mask(ctx, mech, step, text, len);
    if (smtpx_pref_hide_passwords)
        ctx->st->flags |= SMTPX_F_SECRET_CUT;
    return smtpx_pref_hide_passwords;
}

/* A later part of a cut AUTH line hidden at its head: shown as SMTPX_MASK,
 * with no bytes as its value. FALSE when the part is not hidden. */
gboolean smtpx_auth_hide_fragment(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (!ctx->is_client || !(ctx->st->flags & SMTPX_F_SECRET_CUT))
        return FALSE;
    if (!line->partial)
        ctx->st->flags &= ~SMTPX_F_SECRET_CUT;     /* the line ends here */
    proto_item *pi = proto_tree_add_bytes_with_length(ctx->tree, hf_smtpx_data_continuation, ctx->tvb,
                                                      line->offset, line->next - line->offset, NULL, 0);
    proto_item_set_text(pi, "%s: " SMTPX_MASK, proto_registrar_get_name(hf_smtpx_data_continuation));
    return TRUE;
}

/* The argument of AUTH: the mechanism is param[0, *mlen), the initial
 * response (if any) starts at the returned offset (cmd->param_len if none). */
static size_t split_auth_param(const char *param, const smtp_command_t *cmd, size_t *mlen)
{
    size_t m = 0, ir;

    while (m < cmd->param_len && param[m] != ' ')
        m++;
    for (ir = m; ir < cmd->param_len && param[ir] == ' ';)
        ir++;
    *mlen = m;
    return ir;
}

/* The AUTH command line with its initial response masked if it carries a
 * secret and passwords are hidden; NULL when nothing needs masking. */
char *smtpx_auth_masked_command(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    const char *param = line->text + cmd->param_off;
    size_t mlen, ir = split_auth_param(param, cmd, &mlen);

    if (ir < cmd->param_len &&
        hide_line(ctx, line, smtp_sasl_mech(param, mlen), 0, param + ir, (int)(cmd->param_len - ir)))
        return wmem_strdup_printf(ctx->pinfo->pool, "%s " SMTPX_MASK,
                                  smtpx_line_format(ctx, line->text, (int)(cmd->param_off + ir - 1)));
    return NULL;
}

/* Decodes base64 text into a new tvb shown as "Decoded AUTH"; NULL if invalid. */
static tvbuff_t *decode_base64(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *text, int len,
                               gboolean mask)
{
    if (mask)
        proto_tree_add_string(tree, hf_smtpx_auth_base64, ctx->tvb, offset, len, SMTPX_MASK);
    else
        proto_tree_add_item(tree, hf_smtpx_auth_base64, ctx->tvb, offset, len, ENC_ASCII);
    if (!smtp_base64_valid(text, (size_t)len)) {
        smtpx_finding(ctx, &ei_smtpx_bad_base64, ctx->tvb, offset, len,
                      "\"%s\" is not valid base64; the server should answer 501",
                      mask ? SMTPX_MASK : smtpx_line_format(ctx, text, MIN(len, 64)));
        return NULL;
    }
    gsize out_len;
    guchar *decoded = base64_bytes(ctx, text, len, &out_len);
    tvbuff_t *dtvb = tvb_new_child_real_data(ctx->tvb, decoded, (guint)out_len, (gint)out_len);
    if (!mask)      /* a masked secret gets no "Decoded AUTH" bytes tab either */
        add_new_data_source(ctx->pinfo, dtvb, "Decoded AUTH");
    proto_item *pi = proto_tree_add_string(tree, hf_smtpx_auth_decoded, dtvb, 0, (gint)out_len,
                                           mask ? SMTPX_MASK
                                                : smtpx_line_format(ctx, (const char *)decoded, (int)out_len));
    proto_item_set_generated(pi);
    return dtvb;
}

static const char *span_text(smtpx_ctx_t *ctx, tvbuff_t *dtvb, const smtp_span_t *s)
{
    char *text = (char *)tvb_get_string_enc(ctx->pinfo->pool, dtvb, (gint)s->off, (gint)s->len, ENC_UTF_8);
    if (s->saslname)    /* "=2C" and "=3D" stand for ',' and '=' (RFC 5802) */
        smtp_saslname_decode((const guint8 *)text, strlen(text), text);
    return text;
}

static void add_span(smtpx_ctx_t *ctx, proto_tree *tree, int hf, tvbuff_t *dtvb, const smtp_span_t *s)
{
    if (!s->set)
        return;
    gboolean masked = smtpx_pref_hide_passwords && hf == hf_smtpx_auth_password;
    smtpx_add_string(ctx, tree, hf, dtvb, (gint)s->off, (gint)s->len, masked ? "********" : span_text(ctx, dtvb, s));
}

static void remember_user(smtpx_ctx_t *ctx, tvbuff_t *dtvb, const smtp_span_t *user)
{
    const char *name = span_text(ctx, dtvb, user);
    ctx->st->auth_user = smtpx_state_strdup(&ctx->call, ctx->pinfo, name, strlen(name));
    ctx->st->auth_user_frame = ctx->pinfo->num;
}

static void report_secret(smtpx_ctx_t *ctx, const char *mech, int offset, int len)
{
    const char *user = ctx->st->auth_user ? ctx->st->auth_user : "(unknown)";
    smtpx_credential_t *cred = wmem_new0(ctx->pinfo->pool, smtpx_credential_t);

    cred->num = ctx->pinfo->num;
    cred->username_num = ctx->st->auth_user_frame ? ctx->st->auth_user_frame : ctx->pinfo->num;
    cred->password_hf_id = (guint)hf_smtpx_auth_password;
    cred->username = wmem_strdup(ctx->pinfo->pool, user);
    cred->proto = "SMTP";
    cred->info = wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s", mech);
    tap_queue_packet(credentials_tap, ctx->pinfo, cred);
    if (!ctx->in_tls)
        smtpx_finding(ctx, &ei_smtpx_cleartext_auth, ctx->tvb, offset, len,
                      "AUTH %s sends the secret of user \"%s\" without TLS: anyone on the path can read it",
                      mech, user);
}

/* A decoded client message of the exchange: fields, sub-dissectors, findings. */
static void dissect_client_message(smtpx_ctx_t *ctx, proto_tree *tree, tvbuff_t *dtvb, int offset, int len)
{
    smtp_sasl_mech_t mech = (smtp_sasl_mech_t)ctx->st->auth_mech;
    const char *name = smtp_sasl_mech_name(mech);
    smtp_sasl_fields_t f;
    guint dlen = tvb_captured_length(dtvb);

    if (mech == SMTP_SASL_NTLM && ntlmssp_handle && dlen)
        call_dissector(ntlmssp_handle, dtvb, ctx->pinfo, tree);
    else if (mech == SMTP_SASL_GSSAPI && gssapi_handle && dlen)
        call_dissector(gssapi_handle, dtvb, ctx->pinfo, tree);
    if (!smtp_sasl_parse(mech, ctx->st->auth_step, tvb_get_ptr(dtvb, 0, dlen), dlen, &f))
        return;
    add_span(ctx, tree, hf_smtpx_auth_authzid, dtvb, &f.authzid);
    add_span(ctx, tree, hf_smtpx_auth_username, dtvb, &f.user);
    add_span(ctx, tree, mech == SMTP_SASL_XOAUTH2 || mech == SMTP_SASL_OAUTHBEARER ? hf_smtpx_auth_token
                                                                                 : hf_smtpx_auth_password,
             dtvb, &f.secret);
    add_span(ctx, tree, hf_smtpx_auth_digest, dtvb, &f.digest);
    if (f.user.set)
        remember_user(ctx, dtvb, &f.user);
    if (f.secret.set && smtp_sasl_sends_secret(mech))
        report_secret(ctx, name, offset, len);
}

/* base64 text at offset. A response cut at max_line is a step all the
 * same, but not decoded. */
static void dissect_response(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *text, int len,
                             gboolean cut)
{
    smtp_sasl_mech_t mech = (smtp_sasl_mech_t)ctx->st->auth_mech;
    tvbuff_t *dtvb;

    if (cut)
        dtvb = NULL;
    else if (is_empty_response(text, len))
        dtvb = tvb_new_child_real_data(ctx->tvb, (const guint8 *)"", 0, 0);
    else
        dtvb = decode_base64(ctx, tree, offset, text, len, must_mask(ctx, mech, ctx->st->auth_step, text, len));
    if (dtvb)
        dissect_client_message(ctx, tree, dtvb, offset, len);
    else if (!cut && secret_in_clear(mech, ctx->st->auth_step, text, len))
        report_secret(ctx, smtp_sasl_mech_name(mech), offset, len);
    ctx->st->auth_step++;
}

const char *smtpx_auth_mech_label(unsigned mech)
{
    const char *name = smtp_sasl_mech_name((smtp_sasl_mech_t)mech);
    return name ? name : "(other)";
}

void smtpx_auth_command(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line, const smtp_command_t *cmd)
{
    smtpx_state_t *st = ctx->st;
    const char *param = line->text + cmd->param_off;
    size_t mlen, ir = split_auth_param(param, cmd, &mlen);

    if (st->flags & SMTPX_F_AUTHED)
        smtpx_finding(ctx, &ei_smtpx_auth_repeated, ctx->tvb, line->offset, line->len,
                      "AUTH after a successful AUTH as \"%s\"; RFC 4954 requires a 503 reply",
                      st->login_user ? st->login_user : "?");
    st->auth_mech = (guint8)smtp_sasl_mech(param, mlen);
    st->auth_step = 0;
    st->auth_user = NULL;
    st->auth_user_frame = 0;
    st->flags &= ~SMTPX_F_AUTH_CANCEL;
    proto_tree_add_item(tree, hf_smtpx_auth_mechanism, ctx->tvb, line->offset + (int)cmd->param_off, (int)mlen,
                        ENC_ASCII);
    smtpx_tap_simple(ctx, SMTPX_EV_AUTH, smtpx_auth_mech_label(st->auth_mech), 0);
    if (ir < cmd->param_len)
        dissect_response(ctx, tree, line->offset + (int)(cmd->param_off + ir), param + ir,
                         (int)(cmd->param_len - ir), line->partial);
}

void smtpx_dissect_auth_line(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    const char *shown = hide_line(ctx, line, (smtp_sasl_mech_t)ctx->st->auth_mech, ctx->st->auth_step,
                                  line->text, line->len) ? SMTPX_MASK : smtpx_line_format(ctx, line->text, line->len);
    proto_item *ai = proto_tree_add_string(ctx->tree, hf_smtpx_auth_step, ctx->tvb, line->offset,
                                           line->next - line->offset, shown);
    proto_tree *at = proto_item_add_subtree(ai, ett_smtpx_auth);
    const char *mech = smtp_sasl_mech_name((smtp_sasl_mech_t)ctx->st->auth_mech);

    ctx->pdu_item = ai;
    if (is_cancel(line->text, line->len)) {
        proto_item_append_text(ai, " (cancel)");
        ctx->st->flags |= SMTPX_F_AUTH_CANCEL;
        smtpx_info_append(ctx, "* (AUTH cancelled)");
    } else {
        const char *empty = !is_empty_response(line->text, line->len) ? ""
                            : line->len ? " (empty response)" : "(empty response)";
        proto_item_append_text(ai, "%s", empty);
        smtpx_info_append(ctx, wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s step %u: %s%s", mech ? mech : "",
                                                  ctx->st->auth_step + 1, shown, empty));
        dissect_response(ctx, at, line->offset, line->text, line->len, line->partial);
    }
    smtpx_note_request(ctx, at, SMTPX_KIND_AUTH_STEP);
    smtpx_add_request_links(ctx, at, smtpx_queue_push(&ctx->call, ctx->pinfo, SMTPX_KIND_AUTH_STEP));
}

/* "refused": the server would not run the exchange or could not check it
 * (bad sequence, as a second AUTH; AUTH or the mechanism unknown, too weak,
 * or needing TLS; a temporary failure), so no credentials were judged
 * (RFC 4954 4, 6; 530 is "TLS first" in practice). */
static const char *auth_result(const smtpx_state_t *st, unsigned code)
{
    if (code == 235)
        return "success";
    if (code == 501 && (st->flags & SMTPX_F_AUTH_CANCEL))
        return "cancelled";
    if (code == 454 || code == 502 || code == 503 || code == 504 || code == 530 || code == 534 || code == 538)
        return "refused";
    return "failure";
}

/* AUTH LOGIN's prompts say which answer comes next: a client line the
 * capture lacks (or an AUTH it lacks) does not make the password the user
 * name. */
static void login_prompt(smtpx_state_t *st, const char *prompt, gsize len)
{
    gboolean user = len >= 8 && g_ascii_strncasecmp(prompt, "username", 8) == 0;
    gboolean pass = len >= 8 && g_ascii_strncasecmp(prompt, "password", 8) == 0;

    if (!user && !pass)
        return;
    if (st->auth_mech == SMTP_SASL_UNKNOWN)
        st->auth_mech = SMTP_SASL_LOGIN;    /* (its AUTH not captured, or a name smtpx does not know) */
    if (st->auth_mech == SMTP_SASL_LOGIN)
        st->auth_step = pass;
}

void smtpx_auth_reply(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, const char *text, int offset, int len)
{
    if (code != 334) {
        const char *result = auth_result(ctx->st, code);
        proto_item *pi = proto_tree_add_string(tree, hf_smtpx_auth_result, ctx->tvb, offset, 0, result);
        proto_item_set_generated(pi);
        ctx->st->flags |= SMTPX_F_AUTH_ENDED;
        smtpx_tap_pair(ctx, SMTPX_EV_AUTH_RESULT, smtpx_auth_mech_label(ctx->st->auth_mech), result);
        return;
    }
    if (len <= 0 || !smtp_base64_valid(text, (size_t)len))
        return;
    gsize out_len;
    guchar *decoded = base64_bytes(ctx, text, len, &out_len);
    proto_item *pi = proto_tree_add_string(tree, hf_smtpx_auth_challenge, ctx->tvb, offset, len,
                                           smtpx_line_format(ctx, (const char *)decoded, (int)out_len));
    proto_item_set_generated(pi);
    login_prompt(ctx->st, (const char *)decoded, out_len);
}

void smtpx_auth_unasked_challenge(smtpx_ctx_t *ctx, proto_tree *tree, const char *text, int offset, int len)
{
    smtpx_state_t *st = ctx->st;

    if (st->mode == SMTPX_MODE_COMMAND) {
        st->mode = SMTPX_MODE_AUTH;
        st->auth_mech = SMTP_SASL_UNKNOWN;
        st->auth_user = NULL;
    }
    if (st->mode == SMTPX_MODE_AUTH)
        smtpx_auth_reply(ctx, tree, 334, text, offset, len);
}

gboolean smtpx_auth_unseen_challenge(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    smtpx_state_t *st = ctx->st;
    smtp_command_t cmd;

    if (!smtpx_queue_peek(st) || st->last_queued->kind != SMTP_CMD_AUTH || line->len < 4 ||
        !smtp_base64_valid(line->text, (size_t)line->len))
        return FALSE;
    smtp_parse_command(line->text, (size_t)line->len, &cmd);
    if (cmd.id != SMTP_CMD_UNKNOWN)
        return FALSE;       /* ("QUIT" is base64 too) */
    if (ctx->call.unseen && smtpx_queue_peek(st) == st->last_queued)
        smtpx_queue_lose(&ctx->call);      /* the segment acknowledges server bytes the capture lacks: the 334 */
    st->mode = SMTPX_MODE_AUTH;
    return TRUE;
}

/* A known verb that is no base64: while replies of the exchange are due
 * (RFC 4954 4: AUTH ends a pipelined group, yet a server reads such a line
 * as a command once the exchange is done), or in a segment that
 * acknowledges server bytes the capture lacks (the reply that ended the
 * exchange). */
gboolean smtpx_auth_pipelined_command(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    const smtpx_cmd_rec_t *pending = smtpx_queue_peek(ctx->st);
    smtp_command_t cmd;

    if ((!pending && !ctx->call.unseen) || smtp_base64_valid(line->text, (size_t)line->len))
        return FALSE;
    smtp_parse_command(line->text, (size_t)line->len, &cmd);
    if (cmd.id == SMTP_CMD_UNKNOWN)
        return FALSE;
    if (!pending) {
        ctx->st->mode = SMTPX_MODE_COMMAND;
        return TRUE;
    }
    smtpx_finding(ctx, &ei_smtpx_bad_sequence, ctx->tvb, line->offset, line->len,
                  "Command sent inside an AUTH exchange, before its replies (frame %u on): AUTH must end a "
                  "pipelined group (RFC 4954 4); the server reads it once the exchange is done", pending->req_frame);
    return TRUE;
}

gboolean smtpx_auth_late_step(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (!(ctx->st->flags & SMTPX_F_AUTH_ENDED) || line->len < 4 || !smtp_base64_valid(line->text, (size_t)line->len))
        return FALSE;
    smtpx_finding(ctx, &ei_smtpx_auth_late_step, ctx->tvb, line->offset, line->len,
                  "Base64 line after the AUTH exchange ended; the server takes it for a command");
    return TRUE;
}
