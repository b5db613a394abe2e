/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a server says of itself: its name and software in the greeting, the
 * ESMTP extensions it advertises in its EHLO reply (and what the session
 * remembers of them), the client's address it sees. */
#include "smtpx.h"
#include "smtp_codes.h"
#include "smtp_params.h"
#include "smtp_sasl.h"

#include <epan/to_str.h>
#include <wsutil/str_util.h>

typedef struct {
    const char *keyword;
    guint32 bit;
} smtpx_ext_bit_t;

static const smtpx_ext_bit_t ext_bits[] = {
    { "PIPELINING", SMTPX_EXT_PIPELINING }, { "SIZE", SMTPX_EXT_SIZE },
    { "AUTH", SMTPX_EXT_AUTH },             { "STARTTLS", SMTPX_EXT_STARTTLS },
    { "8BITMIME", SMTPX_EXT_8BITMIME },     { "CHUNKING", SMTPX_EXT_CHUNKING },
    { "ENHANCEDSTATUSCODES", SMTPX_EXT_ENHANCED }, { "SMTPUTF8", SMTPX_EXT_SMTPUTF8 },
    { "DSN", SMTPX_EXT_DSN },               { "BINARYMIME", SMTPX_EXT_BINARYMIME },
    { "XCLIENT", SMTPX_EXT_XCLIENT },       { "XFORWARD", SMTPX_EXT_XFORWARD },
};

static guint32 ext_bit(const char *kw)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ext_bits); i++) {
        if (strcmp(kw, ext_bits[i].keyword) == 0)
            return ext_bits[i].bit;
    }
    return 0;
}

#define SMTPX_MAX_AUTH_OTHERS 128   /* bytes of unknown mechanism names kept per EHLO reply */

/* The mechanisms an AUTH line offers (its parameters from off): a bit for
 * each one smtpx knows, and the names of the others in auth_others, at most
 * SMTPX_MAX_AUTH_OTHERS bytes (past that, bit 0 says any unknown one may be
 * offered). One copy per line, so what is kept follows the reply's size. */
static void offer_mechs(smtpx_ctx_t *ctx, const char *text, size_t len, size_t off)
{
    smtpx_state_t *st = ctx->st;
    wmem_strbuf_t *others = wmem_strbuf_new(ctx->pinfo->pool, st->auth_others ? st->auth_others : " ");
    gsize kept = wmem_strbuf_get_len(others);
    smtp_param_t p;

    while (smtp_next_param(text, len, &off, &p)) {
        smtp_sasl_mech_t m = smtp_sasl_mech(text + p.key_off, p.key_len);
        if (m != SMTP_SASL_UNKNOWN)
            st->auth_mechs |= 1u << m;
        else if (wmem_strbuf_get_len(others) + p.key_len + 1 > SMTPX_MAX_AUTH_OTHERS)
            st->auth_mechs |= 1u;
        else
            wmem_strbuf_append_printf(others, "%.*s ", (int)p.key_len, text + p.key_off);
    }
    if (wmem_strbuf_get_len(others) > kept) {
        char *list = ascii_strup_inplace(wmem_strbuf_finalize(others));
        st->auth_others = smtpx_state_strdup(&ctx->call, ctx->pinfo, list, strlen(list));
    }
}

gboolean smtpx_auth_offered(smtpx_ctx_t *ctx, const char *mech, size_t len)
{
    const smtpx_state_t *st = ctx->st;
    smtp_sasl_mech_t m = smtp_sasl_mech(mech, len);

    if (m != SMTP_SASL_UNKNOWN)
        return (st->auth_mechs >> m) & 1u;
    if (st->auth_mechs & 1u)
        return TRUE;        /* more unknown ones than were kept */
    const char *word = ascii_strup_inplace(wmem_strdup_printf(ctx->pinfo->pool, " %.*s ", (int)len, mech));
    return st->auth_others && strstr(st->auth_others, word);
}

/* One parameter of the extension `name` (the registry's keyword, or NULL). */
static void add_param(smtpx_ctx_t *ctx, proto_tree *tree, const char *name, int offset, const char *text,
                      const smtp_param_t *p)
{
    guint64 size;
    int start = offset + (int)p->key_off;

    int len = (int)smtp_param_len(p);

    /* the generic item is hidden where a typed one shows the same bytes */
    proto_item *pi = proto_tree_add_item(tree, hf_smtpx_ehlo_param, ctx->tvb, start, len, ENC_UTF_8);
    if (name && strcmp(name, "AUTH") == 0) {
        proto_tree_add_item(tree, hf_smtpx_ehlo_auth_mech, ctx->tvb, start, (int)p->key_len, ENC_ASCII);
        proto_item_set_hidden(pi);
    } else if (name && strcmp(name, "SIZE") == 0 && smtp_parse_u64(text + p->key_off, p->key_len, &size)) {
        proto_tree_add_uint64(tree, hf_smtpx_ehlo_size, ctx->tvb, start, (int)p->key_len, size);
        ctx->st->size_limit = size;
        proto_item_set_hidden(pi);
    } else if (name && (strcmp(name, "XCLIENT") == 0 || strcmp(name, "XFORWARD") == 0)) {
        gboolean xclient = strcmp(name, "XCLIENT") == 0;
        int rank = smtp_param_rank(xclient ? SMTP_PARAM_ON_XCLIENT : SMTP_PARAM_ON_XFORWARD, text + p->key_off,
                                    p->key_len);
        if (rank >= 0)
            ctx->st->listed_attrs[!xclient] |= 1u << rank;
    }
}

static void add_keyword(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *text, size_t kw_len,
                        const smtp_ehlo_ext_t *ext)
{
    if (!proto_field_is_referenced(tree, hf_smtpx_ehlo_keyword))
        return;
    char *kw = ascii_strup_inplace(wmem_strndup(ctx->pinfo->pool, text, kw_len));
    proto_item *ki = smtpx_add_string(ctx, tree, hf_smtpx_ehlo_keyword, ctx->tvb, offset, (int)kw_len, kw);
    if (ext)
        proto_item_append_text(ki, " (%s, %s)", ext->description, ext->rfc);
    else if (g_ascii_toupper(text[0]) == 'X')
        proto_item_append_text(ki, " (vendor extension)");
}

/* "XXXXXXXA": a firewall on the path hid the extension from the client. */
static void check_masked(smtpx_ctx_t *ctx, int offset, const char *kw, size_t kw_len)
{
    if (!smtp_ehlo_masked(kw, kw_len))
        return;
    smtpx_finding(ctx, &ei_smtpx_masked_extension, ctx->tvb, offset, (int)kw_len,
                  "The EHLO reply offers \"%s\": an extension masked by a firewall on the path (Cisco ASA's ESMTP "
                  "inspection writes XXXXXXXA over STARTTLS), so the client cannot use it%s",
                  smtpx_line_format(ctx, kw, (int)kw_len),
                  kw_len == 8 ? "; where it is STARTTLS (eight letters), mail goes without TLS" : "");
}

void smtpx_ehlo_line(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *text, size_t len)
{
    size_t kw_len = 0, off;
    smtp_param_t p;

    /* keyword ends at a space, or at '=' in the old "AUTH=LOGIN PLAIN" form */
    while (kw_len < len && text[kw_len] != ' ' && text[kw_len] != '=')
        kw_len++;
    if (kw_len == 0 || (kw_len == len && smtp_token_is(text, len, "OK")))     /* (Microsoft's "250 OK" ends the list) */
        return;
    const smtp_ehlo_ext_t *ext = smtp_ehlo_ext_lookup(text, kw_len);
    const char *name = ext ? ext->keyword : NULL;
    add_keyword(ctx, tree, offset, text, kw_len, ext);
    if (name)
        ctx->st->ext |= ext_bit(name);
    else
        check_masked(ctx, offset, text, kw_len);
    off = kw_len < len && text[kw_len] == '=' ? kw_len + 1 : kw_len;
    if (name && strcmp(name, "AUTH") == 0)
        offer_mechs(ctx, text, len, off);
    while (smtp_next_param(text, len, &off, &p))
        add_param(ctx, tree, name, offset, text, &p);
}

/* The mail software the greeting names ("ESMTP Exim 4.96"); a version
 * given away is a finding. */
static void greeting_software(smtpx_ctx_t *ctx, proto_tree *tree, const char *text, int offset, int len)
{
    smtp_software_t sw;
    const char *version = NULL;

    if (!smtp_greeting_software(text, (size_t)len, &sw)) {
        smtpx_tap_pair(ctx, SMTPX_EV_SOFTWARE, "not named", NULL);
        return;
    }
    proto_tree_add_string(tree, hf_smtpx_rsp_software, ctx->tvb, offset + (int)sw.off, (int)sw.len, sw.product);
    if (sw.version_len) {
        version = wmem_strndup(ctx->pinfo->pool, text + sw.version_off, sw.version_len);
        smtpx_add_string(ctx, tree, hf_smtpx_rsp_software_version, ctx->tvb, offset + (int)sw.version_off,
                              (int)sw.version_len, version);
        smtpx_finding(ctx, &ei_smtpx_version_disclosed, ctx->tvb, offset + (int)sw.version_off,
                      (int)sw.version_len, "The greeting gives away the server software and its version (%s %s): "
                      "anyone can look up that version's known flaws", sw.product, version);
    }
    const char *named = version ? wmem_strdup_printf(ctx->pinfo->pool, "%s %s", sw.product, version) : sw.product;
    ctx->st->server_software = smtpx_state_strdup(&ctx->call, ctx->pinfo, named, strlen(named));
    smtpx_tap_pair(ctx, SMTPX_EV_SOFTWARE, sw.product, version);
}

/* The first word of a greeting or of the reply to HELO/EHLO, after an
 * enhanced code: the server's name (of the reply or of a refusing greeting,
 * only a dotted one: not "OK", "Hello" or "Service"). */
static void keep_server_name(smtpx_ctx_t *ctx, const char *text, int len, gboolean dotted)
{
    smtp_enh_t enh;
    int n = 0;

    if (len > 0 && smtp_parse_enhanced(text, (size_t)len, &enh) == SMTP_ENH_VALID) {    /* "554 5.7.1 mx ..." */
        int skip = (int)enh.len;
        while (skip < len && text[skip] == ' ')
            skip++;
        text += skip;
        len -= skip;
    }
    while (n < len && !g_ascii_isspace(text[n]))
        n++;
    if (n && (!dotted || memchr(text, '.', (size_t)n)))
        ctx->st->server_name = smtpx_state_strdup(&ctx->call, ctx->pinfo, text, (gsize)n);
}

void smtpx_greeting(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, const char *text, int offset, int len)
{
    if (len > 0 && smtp_greeting_masked(text, (size_t)len)) {
        smtpx_finding(ctx, &ei_smtpx_masked_banner, ctx->tvb, offset, len,
                      "The greeting's text is asterisks: a firewall on the path masked the banner (Cisco ASA's "
                      "ESMTP inspection does by default), so the server's name and software are hidden; it may "
                      "also mask EHLO extensions such as STARTTLS");
        smtpx_tap_pair(ctx, SMTPX_EV_SOFTWARE, "not named", NULL);
        return;
    }
    keep_server_name(ctx, text, len, code != 220);      /* a refusal's text need not start with the name */
    greeting_software(ctx, tree, text, offset, len);
}

/* The server's name when the greeting gave none; and the address it sees
 * the client connect from, which Exchange, Sendmail and Exim name ("250 mx
 * Hello client [192.0.2.1]"): captured behind a NAT, not the one in the
 * packets. */
void smtpx_hello_reply(smtpx_ctx_t *ctx, proto_tree *tree, const char *text, int offset, int len)
{
    const char *open = len > 0 ? memchr(text, '[', (size_t)len) : NULL;
    const char *close = open ? memchr(open, ']', (size_t)(text + len - open)) : NULL;
    unsigned char addr[16];

    if (!ctx->st->server_name)      /* the greeting was masked, or not captured */
        keep_server_name(ctx, text, len, TRUE);
    if (!close)
        return;
    int family = smtp_helo_address(open, (size_t)(close - open) + 1, addr);
    proto_item *pi = smtpx_add_ip(ctx, tree, hf_smtpx_rsp_client_ip, hf_smtpx_rsp_client_ipv6,
                                  offset + (int)(open - text) + 1, (int)(close - open) - 1, family, addr);
    if (pi && !smtpx_address_is(&ctx->pinfo->dst, family, addr))
        proto_item_append_text(pi, " (the capture shows %s: a NAT or proxy between them translates it)",
                               address_to_str(ctx->pinfo->pool, &ctx->pinfo->dst));
}

void smtpx_check_enhanced_missing(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, gboolean greeting,
                                  unsigned code, gboolean enhanced, int offset)
{
    unsigned cls = code / 100;

    /* RFC 2034: not the greeting, nor the replies to HELO and EHLO; nor XCLIENT's 220, a greeting again */
    if (enhanced || greeting || !(ctx->st->ext & SMTPX_EXT_ENHANCED) || (cls != 2 && cls != 4 && cls != 5) ||
        (rec && (smtp_cmd_is_hello((smtp_cmd_t)rec->kind) || rec->kind == SMTP_CMD_XCLIENT)))
        return;
    smtpx_finding(ctx, &ei_smtpx_enhanced_missing, ctx->tvb, offset, 3,
                  "Reply %u has no enhanced status code although the server advertised ENHANCEDSTATUSCODES",
                  code);
}
