/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes in the client's stream that are not SMTP (the core's smtp_foreign.c):
 * the PROXY header a load balancer sends before the session, and another
 * protocol spoken to the mail port (TLS, HTTP, SSH, binary data). */
#include "smtpx.h"
#include "smtp_foreign.h"

#include <epan/exceptions.h>
#include <epan/show_exception.h>
#include <epan/to_str.h>

/* What the client sent, and why it matters; [0] is unused. */
static const char *const foreign_what[SMTP_FOREIGN_COUNT] = {
    NULL, "a TLS handshake (a ClientHello)", "an HTTP request", "an SSH client's greeting", "binary data",
};
static const char *const foreign_why[SMTP_FOREIGN_COUNT] = {
    NULL,
    "the client began TLS at once, as on port 465, but this port speaks cleartext SMTP first (STARTTLS, then TLS)",
    "a web client, or a cross-protocol attack (a web page can make a browser send lines to the mail port); "
    "Postfix hangs up on such a line",
    "a scanner, or a client aimed at the wrong port",
    "another protocol, a scanner or a broken client; the server answers each line it finds in the bytes with an "
    "error",
};

/* Why a TLS handshake came: after STARTTLS, either still unanswered or refused. */
static const char *tls_why(const smtpx_state_t *st)
{
    const smtpx_cmd_rec_t *prev = st->last_answered;

    if (smtpx_queue_peek(st) && smtp_cmd_starts_tls((smtp_cmd_t)st->last_queued->kind))
        return "the client began TLS before the server's reply to its STARTTLS (RFC 3207 4: it must wait for "
               "the 220)";
    if (prev && smtp_cmd_starts_tls((smtp_cmd_t)prev->kind))
        return "the server refused STARTTLS, yet the client began TLS";
    return foreign_why[SMTP_FOREIGN_TLS];
}

static void report_foreign(smtpx_ctx_t *ctx, const smtpx_line_t *line, smtp_foreign_t kind)
{
    ctx->st->flags |= SMTPX_F_FOREIGN;
    smtpx_finding(ctx, &ei_smtpx_foreign_protocol, ctx->tvb, line->offset, line->len, "Not SMTP but %s: %s",
                  foreign_what[kind], kind == SMTP_FOREIGN_TLS ? tls_why(ctx->st) : foreign_why[kind]);
}

/* Another of Wireshark's dissectors reads bytes of the client's (its
 * handle, or its heuristic): the columns stay smtpx's, it asks TCP for
 * nothing, and what it cannot read is its own error, not smtpx's. */
static void call_other(smtpx_ctx_t *ctx, dissector_handle_t handle, heur_dissector_t heur, tvbuff_t *tvb,
                       proto_tree *tree)
{
    gboolean can_desegment = ctx->pinfo->can_desegment;

    ctx->pinfo->can_desegment = 0;
    col_set_writable(ctx->pinfo->cinfo, -1, FALSE);
    TRY {
        if (handle)
            call_dissector_only(handle, tvb, ctx->pinfo, tree, NULL);
        else
            heur(tvb, ctx->pinfo, tree, NULL);
    }
    CATCH_NONFATAL_ERRORS {
        show_exception(tvb, ctx->pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
    col_set_writable(ctx->pinfo->cinfo, -1, TRUE);
    ctx->pinfo->can_desegment = can_desegment;
}

/* Wireshark's TLS dissector shows the record that starts at offset: the
 * server name a ClientHello asks for, its JA3... */
static void add_tls_record(smtpx_ctx_t *ctx, proto_tree *tree, int offset)
{
    dissector_handle_t tls = find_dissector("tls");
    int avail = ctx->len - offset;

    if (!tls || avail < 5)
        return;
    int len = MIN(avail, 5 + (int)tvb_get_ntohs(ctx->tvb, offset + 3));     /* the record's header says */
    call_other(ctx, tls, NULL, tvb_new_subset_length(ctx->tvb, offset, len), tree);
}

/* The item of a line that is not SMTP, and the Info column's text. */
static void add_foreign_line(smtpx_ctx_t *ctx, const smtpx_line_t *line, smtp_foreign_t kind, gboolean more)
{
    const char *name = smtp_foreign_name(kind);
    const char *shown = smtp_foreign_is_text(kind) ? smtpx_line_format(ctx, line->text, line->len) : NULL;
    proto_item *pi = proto_tree_add_string(ctx->tree, hf_smtpx_foreign, ctx->tvb, line->offset,
                                           line->next - line->offset, name);
    if (shown) {
        proto_item_set_text(pi, "Not SMTP (%s%s): %s", more ? "more of the " : "", name, shown);
        smtpx_info_append(ctx, shown);
    } else {
        proto_item_set_text(pi, "Not SMTP (%s%s), %d bytes", more ? "more " : "", name, line->len);
        smtpx_info_appendf(ctx, "[not SMTP: %s, %d bytes]", name, line->len);
    }
    smtpx_mark_cut(pi, line);
    ctx->pdu_item = pi;
    if (kind == SMTP_FOREIGN_TLS && !more)
        add_tls_record(ctx, proto_item_add_subtree(pi, ett_smtpx_param), line->offset);
}

gboolean smtpx_dissect_foreign(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    smtp_foreign_t kind = smtp_foreign_kind_after(ctx->st->foreign, (const guint8 *)line->text, (size_t)line->len);
    gboolean more = kind == ctx->st->foreign;

    ctx->st->foreign = (guint8)kind;
    if (kind == SMTP_FOREIGN_NONE)
        return FALSE;
    add_foreign_line(ctx, line, kind, more);
    if (!(ctx->st->flags & SMTPX_F_FOREIGN))
        report_foreign(ctx, line, kind);
    if (!more)
        smtpx_note_request(ctx, ctx->tree, SMTPX_KIND_FOREIGN);
    if (line->partial)
        return TRUE;        /* no reply comes before its line ends */
    smtpx_cmd_rec_t *rec = smtpx_queue_push(&ctx->call, ctx->pinfo, SMTP_CMD_UNKNOWN);
    smtpx_tap_simple(ctx, SMTPX_EV_COMMAND, "(not SMTP)", 0);
    smtpx_add_request_links(ctx, ctx->tree, rec);
    return TRUE;
}

gboolean smtpx_foreign_start(const smtpx_ctx_t *ctx, const guint8 *p, int len)
{
    return ctx->st->foreign || smtp_foreign_kind(p, (size_t)len) != SMTP_FOREIGN_NONE;
}

/* ---- PROXY header ---- */

static void set_ip(address *a, int family, const guint8 *bytes)
{
    set_address(a, family == 4 ? AT_IPv4 : AT_IPv6, family == 4 ? 4 : 16, bytes);
}

/* The real client as text, or what the header says instead. */
static const char *proxy_client_text(smtpx_ctx_t *ctx, const smtp_proxy_t *px)
{
    address a;

    if (px->local)
        return "none: LOCAL, the proxy's own connection (a health check)";
    if (!px->family)
        return "none given";
    set_ip(&a, px->family, px->src);
    return wmem_strdup_printf(ctx->pinfo->pool, "%s port %u", address_to_str(ctx->pinfo->pool, &a), px->src_port);
}

/* Wireshark's own PROXY dissector shows the header's parts, when enabled. */
static void add_proxy_parts(smtpx_ctx_t *ctx, proto_tree *tree, int offset, int len)
{
    heur_dtbl_entry_t *proxy = find_heur_dissector_by_unique_short_name("proxy_tcp");

    if (proxy && proxy->enabled && tree)
        call_other(ctx, NULL, proxy->dissector, tvb_new_subset_length(ctx->tvb, offset, len), tree);
}

void smtpx_keep_real_client(smtpx_ctx_t *ctx, int family, const guint8 *addr)
{
    address a;

    ctx->st->flags |= SMTPX_F_REAL_CLIENT;
    if (!family || ctx->call.replay != SMTPX_LIVE)
        return;
    set_ip(&a, family, addr);
    copy_address_wmem(wmem_file_scope(), &ctx->conv->real_client, &a);
}

int smtpx_dissect_proxy(smtpx_ctx_t *ctx, int offset)
{
    smtp_proxy_t px;

    if (smtpx_queue_last(ctx->st) || (ctx->st->flags & SMTPX_F_REAL_CLIENT) ||
        !smtp_proxy_parse(ctx->data + offset, (size_t)(ctx->len - offset), &px))
        return 0;
    int len = (int)px.len;
    const char *client = proxy_client_text(ctx, &px);
    proto_item *pi = proto_tree_add_string(ctx->tree, hf_smtpx_proxy, ctx->tvb, offset, len, client);
    proto_item_set_text(pi, "PROXY header (version %u) from a load balancer: the real client is %s", px.version,
                        client);
    ctx->pdu_item = pi;
    add_proxy_parts(ctx, proto_item_add_subtree(pi, ett_smtpx_param), offset, len);
    smtpx_note_request(ctx, ctx->tree, SMTPX_KIND_PROXY);
    smtpx_info_appendf(ctx, "[PROXY v%u: client %s]", px.version, client);
    smtpx_keep_real_client(ctx, px.family, px.src);
    return len;
}

const address *smtpx_real_client(const smtpx_ctx_t *ctx)
{
    const address *real = &ctx->conv->real_client;
    return (ctx->st->flags & SMTPX_F_REAL_CLIENT) && real->type != AT_NONE ? real : NULL;
}

const address *smtpx_client_address(const smtpx_ctx_t *ctx)
{
    const address *real = smtpx_real_client(ctx);
    return real ? real : ctx->is_client ? &ctx->pinfo->src : &ctx->pinfo->dst;
}
