/* SPDX-License-Identifier: GPL-2.0-or-later */
/* smtpx: registration, preferences, and the top-level dissector, which only
 * sets the columns, loops over PDUs and hands them off by direction. */
#include "smtpx.h"
#include "smtp_params.h"

#include <epan/conversation.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/strutil.h>
#include <epan/to_str.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls.h>
#include <epan/dissectors/packet-tls-utils.h>

#define SMTPX_TCP_PORTS "24,25,587,2525"   /* 24: LMTP (SMTPX_LMTP_PORT), as Dovecot listens for it */
#define SMTPX_TLS_PORT  465

/* Lines longer than this are not reassembled further (RFC 4954 allows
 * 12288 octets for an AUTH line): the rest is shown as a continuation. */
guint smtpx_pref_max_line = 16384;
const char *smtpx_pref_local_domains = "";

static dissector_handle_t smtpx_handle;

char *smtpx_line_format(smtpx_ctx_t *ctx, const char *text, int len)
{
    if (!smtp_is_plain_text((const guint8 *)text, (size_t)len))
        return format_text(ctx->pinfo->pool, (const guchar *)text, (size_t)len);
    /* what format_text would give back unchanged, and without NUL: a plain
     * copy (wmem_strndup copies byte by byte) */
    char *copy = (char *)wmem_alloc(ctx->pinfo->pool, (size_t)len + 1);
    memcpy(copy, text, (size_t)len);
    copy[len] = '\0';
    return copy;
}

proto_item *smtpx_add_shown(smtpx_ctx_t *ctx, proto_tree *tree, int hf, int offset, int len, const char *shown)
{
    /* the label is made now, with one printf, from text already escaped
     * (smtpx_line_format), so printing the tree (-V, the GUI) does not escape
     * it a second time */
    proto_item *pi = proto_tree_add_string(tree, hf, ctx->tvb, offset, len, shown);
    proto_item_set_text(pi, "%s: %s", proto_registrar_get_name(hf), shown);
    return pi;
}

gboolean smtpx_any_referenced(proto_tree *tree, int *const *hfs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (proto_field_is_referenced(tree, *hfs[i]))
            return TRUE;
    }
    return FALSE;
}

void smtpx_set_generated_hidden(proto_item *pi)
{
    proto_item_set_generated(pi);
    proto_item_set_hidden(pi);
}

const char *smtpx_valid_utf8(smtpx_ctx_t *ctx, const char *s)
{
    if (!s || g_utf8_validate(s, -1, NULL))
        return s;
    char *valid = g_utf8_make_valid(s, -1);
    const char *copy = wmem_strdup(ctx->pinfo->pool, valid);
    g_free(valid);
    return copy;
}

proto_item *smtpx_add_string(smtpx_ctx_t *ctx, proto_tree *tree, int hf, tvbuff_t *tvb, int start, int len,
                             const char *value)
{
    return proto_tree_add_string(tree, hf, tvb, start, len, smtpx_valid_utf8(ctx, value));
}

void smtpx_add_generated(smtpx_ctx_t *ctx, proto_tree *tree, int hf, const char *value)
{
    if (value)
        proto_item_set_generated(smtpx_add_string(ctx, tree, hf, ctx->tvb, 0, 0, value));
}

char *smtpx_xtext(smtpx_ctx_t *ctx, const char *s, size_t len)
{
    char *out = wmem_alloc(ctx->pinfo->pool, len + 1);
    size_t bad;
    out[smtp_xtext_decode(s, len, out, &bad)] = '\0';
    return out;
}

proto_item *smtpx_add_xtext(smtpx_ctx_t *ctx, proto_tree *tree, int hf, int offset, const char *s, size_t len)
{
    return smtpx_add_string(ctx, tree, hf, ctx->tvb, offset, (int)len, smtpx_xtext(ctx, s, len));
}

proto_item *smtpx_add_ip(smtpx_ctx_t *ctx, proto_tree *tree, int hf4, int hf6, int offset, int len, int family,
                         const unsigned char *addr)
{
    ws_in6_addr ip6;
    ws_in4_addr ip4;

    if (family == 4) {
        memcpy(&ip4, addr, sizeof ip4);
        return proto_tree_add_ipv4(tree, hf4, ctx->tvb, offset, len, ip4);
    }
    if (family == 6) {
        memcpy(ip6.bytes, addr, sizeof ip6.bytes);
        return proto_tree_add_ipv6(tree, hf6, ctx->tvb, offset, len, &ip6);
    }
    return NULL;
}

int smtpx_ip_family(const address *a)
{
    return a->type == AT_IPv4 ? 4 : a->type == AT_IPv6 ? 6 : 0;
}

gboolean smtpx_address_is(const address *a, int family, const unsigned char *addr)
{
    return family && smtpx_ip_family(a) == family && memcmp(a->data, addr, family == 4 ? 4 : 16) == 0;
}

void smtpx_info_append(smtpx_ctx_t *ctx, const char *text)
{
    packet_info *pinfo = ctx->pinfo;
    const char *who = ctx->is_client ? "C: " : "S: ";

    /* the first PDU of the frame replaces TCP's text (but not its fenced
     * notes); curr_proto_layer_num counts the calls of smtpx in this frame */
    if (!ctx->info_started && pinfo->curr_proto_layer_num <= 1) {
        ctx->info_started = TRUE;
        col_clear(pinfo->cinfo, COL_INFO);
        col_append_lstr(pinfo->cinfo, COL_INFO, who, text, COL_ADD_LSTR_TERMINATOR);
        return;
    }
    col_append_lstr(pinfo->cinfo, COL_INFO, " | ", who, text, COL_ADD_LSTR_TERMINATOR);
}

void smtpx_info_appendf(smtpx_ctx_t *ctx, const char *format, ...)
{
    char text[COL_MAX_INFO_LEN];     /* the Info column keeps no more */
    va_list ap;

    va_start(ap, format);
    g_vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    smtpx_info_append(ctx, text);
}

/* Control bytes from the wire in a finding's text (a Delete typed over
 * telnet, in an address) written as \177, as smtpx_line_format does: a
 * label is one line of text. */
static char *escape_controls(wmem_allocator_t *pool, char *msg)
{
    size_t n = 0;

    for (const char *p = msg; *p; p++)
        n += (guchar)*p < 0x20 || *p == 0x7f;
    if (n == 0)
        return msg;
    char *out = (char *)wmem_alloc(pool, strlen(msg) + 3 * n + 1), *o = out;
    for (const char *p = msg; *p; p++) {
        if ((guchar)*p < 0x20 || *p == 0x7f)
            o += g_snprintf(o, 5, "\\%03o", (guchar)*p);
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

void smtpx_finding(smtpx_ctx_t *ctx, expert_field *ei, tvbuff_t *tvb, int offset, int len,
                   const char *format, ...)
{
    va_list ap;
    char *msg;

    if (!smtpx_check_enabled(ei))
        return;
    if (!ctx->analysis_tree) {
        proto_item *ai = proto_tree_add_item(ctx->tree, hf_smtpx_analysis, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ai);
        ctx->analysis_tree = proto_item_add_subtree(ai, ett_smtpx_analysis);
    }
    va_start(ap, format);
    msg = wmem_strdup_vprintf(ctx->pinfo->pool, format, ap);
    va_end(ap);
    msg = escape_controls(ctx->pinfo->pool, (char *)smtpx_valid_utf8(ctx, msg));    /* (msg itself, or a copy) */
    if (strlen(msg) >= ITEM_LABEL_LENGTH)   /* Wireshark would cut it there, maybe inside a character */
        *g_utf8_find_prev_char(msg, msg + ITEM_LABEL_LENGTH) = '\0';
    proto_tree_add_expert_format(ctx->analysis_tree, ctx->pinfo, ei, tvb, offset, len, "%s", msg);
    if (ctx->is_client && (ctx->st->flags & SMTPX_F_NEXT_TXN))
        ctx->st->next_txn_findings++;
    else
        ctx->st->txn_findings++;
    smtpx_tap_simple(ctx, SMTPX_EV_FINDING, smtpx_finding_name(ei), 0);
}

/* May a line starting with these bytes be the last of a reply ("250 ...")? */
static gboolean may_end_reply(const guint8 *p, int len)
{
    smtp_reply_line_t rl;

    return len < 4 || (smtp_parse_reply_line((const char *)p, 4, &rl) && rl.sep == ' ');
}

/* Data at least this long is a bulk transfer, not a person typing. */
#define SMTPX_BULK_DATA 512

/* May a line without its end be dissected as it is, the rest following in
 * later segments, instead of being put together (held by smtpx for the
 * client, reassembled by TCP for the server)? Yes in the body of a message
 * sent in bulk (the bulk of SMTP, which would be kept twice), unless the
 * bytes could be a dot line or a CRLF cut in two; and in a reply already
 * beyond its cap, unless the line may be the reply's last (then it is put
 * together while the reply may grow, so that the reply is seen to end).
 * What is kept then no longer grows with the stream, while lines typed a
 * key at a time are still shown whole. */
static gboolean keep_partial(const smtpx_ctx_t *ctx, const guint8 *p, int len)
{
    const smtpx_state_t *st = ctx->st;

    if (!ctx->is_client)
        return st->open_reply_code != 0 && (!may_end_reply(p, len) || !smtpx_reply_may_grow(ctx, len));
    if (st->mode == SMTPX_MODE_COMMAND)     /* another protocol is not typed a key at a time */
        return smtpx_foreign_start(ctx, p, len);
    return st->mode == SMTPX_MODE_DATA && (!st->in_headers || st->msg_bytes >= SMTPX_MAX_HEADERS) &&
           ctx->len >= SMTPX_BULK_DATA && len >= 3 && p[len - 1] != '\r';
}

gboolean smtpx_get_line(smtpx_ctx_t *ctx, int offset, smtpx_line_t *line)
{
    guint8 *long_line = &ctx->st->long_line[ctx->is_client];
    int avail = ctx->len - offset;
    smtp_line_t found;

    line->text = (const char *)ctx->data + offset;
    line->offset = offset;
    line->continuation = *long_line != 0;
    line->follows = FALSE;
    gboolean complete = smtp_line_find((const guint8 *)line->text, (size_t)avail, &found);
    line->has_cr = found.has_cr;
    if (complete) {
        line->len = (int)found.len;
        line->next = offset + line->len + (int)found.term_len;
        line->eol = found.eol;
        line->partial = FALSE;
        *long_line = 0;
        return TRUE;
    }
    if (ctx->pinfo->can_desegment && *long_line != SMTPX_LINE_OVERLONG && (guint)avail < smtpx_pref_max_line) {
        if (!keep_partial(ctx, (const guint8 *)line->text, avail))
            return FALSE;
        line->follows = TRUE;
    }
    line->len = avail;
    line->next = offset + avail;
    line->eol = SMTP_EOL_NONE;
    line->partial = TRUE;
    *long_line = line->follows ? SMTPX_LINE_FOLLOWS : SMTPX_LINE_OVERLONG;
    return TRUE;
}

/* A line without its end: overlong, or cut where it could not be reassembled.
 * Found once, at its head: the tails that follow are not findings again. */
static void report_cut(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (line->continuation || !line->partial)
        return;
    if (smtpx_line_overlong(line))
        smtpx_finding(ctx, &ei_smtpx_line_too_long, ctx->tvb, line->offset, line->len,
                      "Line of more than %u bytes without a line end; the rest follows in later segments",
                      smtpx_pref_max_line);
    else if (!line->follows)
        smtpx_finding(ctx, &ei_smtpx_incomplete_message, ctx->tvb, line->offset, line->len,
                      "%d bytes without a line end", line->len);
}

/* The tail of an overlong line, or bytes with no line end. */
static void dissect_fragment(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (!smtpx_auth_hide_fragment(ctx, line))
        proto_tree_add_item(ctx->tree, hf_smtpx_data_continuation, ctx->tvb, line->offset,
                            line->next - line->offset, ENC_NA);
    report_cut(ctx, line);
    smtpx_info_appendf(ctx, "[line fragment, %d bytes]", line->next - line->offset);
}

/* Does a whole line at offset read as SMTP of this side: a command with a
 * known verb, or a reply with its code? (TLS bytes, a record cut anywhere,
 * do not.) */
static gboolean smtp_line_at(const smtpx_ctx_t *ctx, int offset)
{
    const char *text = (const char *)ctx->data + offset;
    smtp_line_t line;
    smtp_command_t cmd;
    smtp_reply_line_t rl;

    if (!smtp_line_find(ctx->data + offset, (size_t)(ctx->len - offset), &line) || line.len == 0)
        return FALSE;
    if (!ctx->is_client)
        return smtp_parse_reply_line(text, line.len, &rl);
    smtp_parse_command(text, line.len, &cmd);
    return cmd.id != SMTP_CMD_UNKNOWN;
}

/* SMTP in cleartext after the 220 to STARTTLS: the capture holds the
 * decrypted session, or the peers never started TLS. Command mode again,
 * the conversation smtpx's again (TLS took it from the 220 on), and a
 * finding; else FALSE. */
static gboolean cleartext_after_starttls(smtpx_ctx_t *ctx, int offset)
{
    if (ctx->in_tls || !smtp_line_at(ctx, offset))
        return FALSE;
    ctx->st->mode = SMTPX_MODE_COMMAND;
    if (!PINFO_FD_VISITED(ctx->pinfo))
        conversation_set_dissector_from_frame_number(find_or_create_conversation(ctx->pinfo), ctx->pinfo->num,
                                                     smtpx_handle);
    smtpx_finding(ctx, &ei_smtpx_cleartext_after_starttls, ctx->tvb, offset, -1,
                  "The server accepted STARTTLS, yet the %s goes on in cleartext SMTP, not TLS: the capture "
                  "holds the session decrypted, or the peers never started TLS (then all that follows, "
                  "passwords too, crossed the network readable)", ctx->is_client ? "client" : "server");
    return TRUE;
}

/* Bytes after an accepted STARTTLS that reach smtpx (no TLS dissector). */
static int dissect_tls_data(smtpx_ctx_t *ctx, int offset)
{
    proto_tree_add_item(ctx->tree, hf_smtpx_tls_data, ctx->tvb, offset, -1, ENC_NA);
    smtpx_info_append(ctx, "[data after STARTTLS]");
    return ctx->len - offset;
}

/* A client line in command or AUTH mode; FALSE when it is no PDU of its own
 * (the tail of a cut line, or a cut line that is no command). */
static gboolean dissect_client_line(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (line->continuation)
        return FALSE;
    gboolean step = ctx->st->mode == SMTPX_MODE_AUTH ? !smtpx_auth_pipelined_command(ctx, line)
                                                     : smtpx_auth_unseen_challenge(ctx, line);
    if (!step)
        return smtpx_dissect_command(ctx, line);
    smtpx_dissect_auth_line(ctx, line);
    return TRUE;
}

/* Client PDU at offset: returns bytes used, 0 when its line is unfinished. */
static int dissect_client_pdu(smtpx_ctx_t *ctx, int offset)
{
    smtpx_line_t line;

    if (ctx->st->mode == SMTPX_MODE_COMMAND) {
        int used = smtpx_dissect_proxy(ctx, offset);
        if (used)
            return used;
        smtpx_message_sent_early(ctx, offset);
        smtpx_message_unseen_start(ctx, offset);
    }
    switch (ctx->st->mode) {
    case SMTPX_MODE_DATA:
        return smtpx_dissect_data(ctx, offset);
    case SMTPX_MODE_BDAT:
        return smtpx_dissect_bdat_chunk(ctx, offset);
    case SMTPX_MODE_TLS:
        if (!cleartext_after_starttls(ctx, offset))
            return dissect_tls_data(ctx, offset);
        break;
    default:
        break;
    }
    if (!smtpx_get_line(ctx, offset, &line))
        return 0;
    if (dissect_client_line(ctx, &line))
        report_cut(ctx, &line);
    else
        dissect_fragment(ctx, &line);
    return line.next - offset;
}

/* A cut server line that starts a reply: dissected as one, so the request
 * it answers is known (a part of a reply already open stays a fragment). */
static gboolean is_reply_head(const smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    smtp_reply_line_t rl;

    return !ctx->st->open_reply_code && smtp_parse_reply_line(line->text, (size_t)line->len, &rl);
}

static int dissect_server_pdu(smtpx_ctx_t *ctx, int offset)
{
    smtpx_line_t line;

    if (ctx->st->mode == SMTPX_MODE_TLS && !cleartext_after_starttls(ctx, offset))
        return dissect_tls_data(ctx, offset);
    if (!smtpx_get_line(ctx, offset, &line))
        return 0;
    if (line.continuation || (line.partial && !is_reply_head(ctx, &line))) {
        dissect_fragment(ctx, &line);
        return line.next - offset;
    }
    int used = smtpx_dissect_reply(ctx, &line);
    report_cut(ctx, &line);
    return used;
}

/* The client's PDUs from offset to the end of ctx->tvb; an unfinished line
 * at the end is held (smtpx_pieces.c). */
static void dissect_client_lines(smtpx_ctx_t *ctx, int offset)
{
    int used;

    for (; offset < ctx->len; offset += used) {
        ctx->analysis_tree = NULL;
        if ((used = dissect_client_pdu(ctx, offset)) <= 0) {
            smtpx_pieces_hold(ctx, offset);
            return;
        }
        ctx->pdus++;
    }
}

/* The bytes the call dissects: tvb, and its data and length. */
static void use_tvb(smtpx_ctx_t *ctx, tvbuff_t *tvb)
{
    ctx->tvb = tvb;
    ctx->len = (int)tvb_captured_length(tvb);
    ctx->data = ctx->len > 0 ? tvb_get_ptr(tvb, 0, ctx->len) : NULL;
}

/* The client's bytes of the call, after a line held from earlier segments
 * when there is one: then they are dissected from a tvb of both. */
static int dissect_client_pdus(smtpx_ctx_t *ctx)
{
    tvbuff_t *tvb = ctx->tvb, *joined = smtpx_pieces_resume(ctx, ctx->call.start);

    if (joined) {
        use_tvb(ctx, joined);
        ctx->joined = TRUE;
        dissect_client_lines(ctx, 0);
        ctx->joined = ctx->typed = FALSE;
        ctx->st->flags &= ~SMTPX_F_HELD_GAP;
        use_tvb(ctx, tvb);
    } else if (ctx->st->held_len == 0) {    /* (else the bytes were one more piece) */
        dissect_client_lines(ctx, ctx->call.start);
    }
    return ctx->len;
}

static int dissect_server_pdus(smtpx_ctx_t *ctx)
{
    int offset, used;

    for (offset = ctx->call.start; offset < ctx->len; offset += used) {
        ctx->analysis_tree = NULL;
        if ((used = dissect_server_pdu(ctx, offset)) <= 0) {
            ctx->pinfo->desegment_offset = offset;
            ctx->pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
            break;
        }
        ctx->pdus++;
    }
    return offset;
}

static void add_session_name(smtpx_ctx_t *ctx, proto_tree *tree, int hf, const char *name)
{
    if (name)
        smtpx_set_generated_hidden(smtpx_add_string(ctx, tree, hf, ctx->tvb, 0, 0, name));
}

/* A session name as label text, escaped like a line. */
static const char *shown_name(smtpx_ctx_t *ctx, const char *name)
{
    return smtpx_line_format(ctx, name, (int)strlen(name));
}

/* The session line's text. On the first pass a name is the same string from
 * one packet to the next, so the conversation keeps the text made for them;
 * later passes make it for the packet shown. */
static const char *session_label(smtpx_ctx_t *ctx, const smtpx_session_label_t *now)
{
    smtpx_session_label_t *kept = &ctx->conv->label;
    gboolean live = ctx->call.replay == SMTPX_LIVE;

    if (live && kept->text && kept->client == now->client && kept->server == now->server &&
        kept->software == now->software && kept->real == now->real)
        return kept->text;
    /* the label is text: a name typed with edit keys or odd bytes is escaped */
    wmem_strbuf_t *b = wmem_strbuf_new(live ? wmem_file_scope() : ctx->pinfo->pool, "Session:");
    if (now->client || now->real) {
        wmem_strbuf_append_printf(b, " client %s", now->client ? shown_name(ctx, now->client) : "");
        if (now->real)
            wmem_strbuf_append_printf(b, now->client ? " (%s via a proxy)" : "%s (via a proxy)",
                                      address_to_str(ctx->pinfo->pool, now->real));
    }
    if (now->server) {
        wmem_strbuf_append_printf(b, "%sserver %s", now->client || now->real ? ", " : " ",
                                  shown_name(ctx, now->server));
        if (now->software)
            wmem_strbuf_append_printf(b, " (%s)", now->software);
    }
    const char *text = wmem_strbuf_finalize(b);
    if (live)
        *kept = (smtpx_session_label_t){ now->client, now->server, now->software, now->real, text };
    return text;
}

/* One line for the names client and server gave, and the real client behind
 * a proxy; each stays a field of its own (hidden under it, so not printed
 * twice). */
static void add_session_facts(smtpx_ctx_t *ctx)
{
    smtpx_session_label_t now = { ctx->st->client_name, ctx->st->server_name, ctx->st->server_software,
                                  smtpx_real_client(ctx), NULL };

    if (!ctx->tree || (!now.server && !now.client && !now.real))
        return;
    proto_item *si = proto_tree_add_item(ctx->tree, hf_smtpx_session, ctx->tvb, 0, 0, ENC_NA);
    proto_tree *names = ctx->tree;
    if (si != ctx->tree) {      /* a real item, not one faked in a tree nobody shows */
        proto_item_set_text(si, "%s", session_label(ctx, &now));
        proto_item_set_generated(si);
        names = proto_item_add_subtree(si, ett_smtpx_param);
    }
    add_session_name(ctx, names, hf_smtpx_session_client_name, now.client);
    add_session_name(ctx, names, hf_smtpx_session_server_name, now.server);
    add_session_name(ctx, names, hf_smtpx_session_server_software, now.software);
    if (now.real)
        smtpx_set_generated_hidden(smtpx_add_ip(ctx, names, hf_smtpx_session_real_client,
                                                hf_smtpx_session_real_client_ipv6, 0, 0, smtpx_ip_family(now.real),
                                                now.real->data));
}

/* Bytes of a multi-line reply gathered, whatever its segments, before the
 * rule on small segments applies. */
#define SMTPX_REPLY_GATHER 2048

/* TCP copies everything gathered for each new segment, so a reply that
 * comes in small segments (a hostile server's, one byte each) would cost time
 * in the square of its length: past SMTPX_REPLY_GATHER bytes, gathering goes
 * on only while the reply is at most 64 times this frame's length (which
 * bounds its segment), and the rest is shown in parts, as beyond
 * SMTPX_MAX_REPLY. The frame is the same on every pass, and so is the answer. */
gboolean smtpx_reply_may_grow(const smtpx_ctx_t *ctx, int gathered)
{
    return (guint)gathered < SMTPX_MAX_REPLY &&
           (gathered <= SMTPX_REPLY_GATHER || (guint)gathered / 64 <= ctx->pinfo->fd->pkt_len);
}

/* TRUE when the server's first PDU of the call (a line, or all lines of a
 * reply) is incomplete: reassembly is asked for before anything is added to
 * the tree. */
static gboolean first_pdu_incomplete(smtpx_ctx_t *ctx, int offset)
{
    int avail = ctx->len - offset;
    const guint8 *p = ctx->data + offset;
    smtp_line_t found;
    smtp_reply_line_t rl;
    size_t pos = 0;

    /* the client's pieces are kept by smtpx itself (smtpx_pieces.c) */
    if (ctx->is_client || ctx->st->mode == SMTPX_MODE_TLS || !ctx->pinfo->can_desegment ||
        ctx->st->long_line[ctx->is_client] == SMTPX_LINE_OVERLONG || avail <= 0)
        return FALSE;
    if (keep_partial(ctx, p, avail))
        return FALSE;
    if (ctx->st->open_reply_code)   /* a reply beyond its cap goes on line by line */
        return !smtp_line_find(p, (size_t)avail, &found) && (guint)avail < smtpx_pref_max_line;
    while (smtp_line_find(p + pos, (size_t)avail - pos, &found)) {
        if (!smtp_parse_reply_line((const char *)p + pos, found.len, &rl) || rl.sep != '-')
            return FALSE;
        pos += found.len + found.term_len;
        if (pos >= (size_t)avail)
            return smtpx_reply_may_grow(ctx, avail);
    }
    /* (a first line alone is held up to max_line, below SMTPX_MAX_REPLY) */
    return (guint)(avail - (int)pos) < smtpx_pref_max_line && (pos == 0 || smtpx_reply_may_grow(ctx, avail));
}

/* SMTP bytes that an ICMP error quotes from the packet it reports: a copy of
 * part of a segment, which the session sees (or saw) in the segment itself.
 * Shown line by line, and kept out of the session: no state, no findings. */
static int dissect_quoted(smtpx_ctx_t *ctx)
{
    proto_item *ti = proto_tree_add_item(ctx->root, proto_smtpx, ctx->tvb, 0, -1, ENC_NA);
    proto_item *qi = proto_tree_add_none_format(proto_item_add_subtree(ti, ett_smtpx), hf_smtpx_quoted, ctx->tvb,
                                                0, ctx->len, "Quoted in an ICMP error: %d bytes of a segment, "
                                                "a copy kept out of the session", ctx->len);
    proto_tree *qt = proto_item_add_subtree(qi, ett_smtpx_data);

    for (int offset = 0, next; qt && offset < ctx->len; offset = next) {
        const char *text = (const char *)ctx->data + offset;
        smtp_line_t found;      /* (without a line end: the rest of the bytes) */
        smtp_line_find((const guint8 *)text, (size_t)(ctx->len - offset), &found);
        next = offset + (int)(found.len + found.term_len);
        smtpx_add_shown(ctx, qt, hf_smtpx_quoted_line, offset, next - offset,
                        smtpx_line_format(ctx, text, (int)found.len));
    }
    return ctx->len;
}

static int dissect_smtpx(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const struct tcpinfo *tcpinfo = (const struct tcpinfo *)data;
    smtpx_ctx_t ctx = { .pinfo = pinfo, .root = tree };
    int offset;

    use_tvb(&ctx, tvb);
    int len = ctx.len;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "SMTP");
    if (pinfo->flags.in_error_pkt)
        return dissect_quoted(&ctx);
    ctx.conv = smtpx_conv_get(pinfo, tvb, tcpinfo);
    ctx.is_client = smtpx_is_client(ctx.conv, pinfo);
    ctx.in_tls = tcpinfo == NULL;
    if (!PINFO_FD_VISITED(pinfo)) {
        ctx.st = &ctx.conv->live;
        smtpx_seen_segment(ctx.conv, ctx.is_client, tcpinfo, tvb);
        if (ctx.in_tls && ctx.st->mode == SMTPX_MODE_TLS)
            ctx.st->mode = SMTPX_MODE_COMMAND;     /* decrypted by TLS: SMTP again */
        if (first_pdu_incomplete(&ctx, 0)) {     /* no snapshot for a segment that waits for more */
            pinfo->desegment_offset = 0;
            pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
            return len;
        }
    }
    smtpx_call_begin(&ctx.call, pinfo, ctx.conv, ctx.is_client, tcpinfo, tvb);
    ctx.st = ctx.call.st;
    /* (asked already above when this call advances the live state from byte 0) */
    if ((ctx.st != &ctx.conv->live || ctx.call.start > 0) && first_pdu_incomplete(&ctx, ctx.call.start)) {
        pinfo->desegment_offset = ctx.call.start;
        pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
        return len;
    }
    proto_item *ti = proto_tree_add_item(tree, proto_smtpx, tvb, 0, -1, ENC_NA);
    ctx.tree = proto_item_add_subtree(ti, ett_smtpx);
    if (ctx.call.gap) {
        smtpx_check_stream_gap(&ctx, ctx.call.gap);
        smtpx_message_gap(&ctx, ctx.call.gap);
    }
    if (ctx.call.unseen) {
        smtpx_check_unseen(&ctx, ctx.call.unseen);
        smtpx_replies_unseen(&ctx);
    }
    if (ctx.call.start > 0) {
        proto_tree_add_item(ctx.tree, hf_smtpx_retransmission, tvb, 0, ctx.call.start, ENC_NA);
        if (ctx.call.start >= len)
            smtpx_info_append(&ctx, "[retransmission]");
    }
    /* (set at the LHLO, smtpx_request.c: later passes see it from the start) */
    if (ctx.conv->lmtp)
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "LMTP");
    offset = ctx.is_client ? dissect_client_pdus(&ctx) : dissect_server_pdus(&ctx);
    if (ctx.pdus) {     /* (none for a piece of a line, nor for bytes seen before) */
        add_session_facts(&ctx);
        smtpx_tap_session(&ctx);
    }
    smtpx_call_end(&ctx.call, ctx.conv, ctx.is_client, tcpinfo, offset);
    return len;
}

/* SMTP on a TCP port no dissector claims (a content filter's 10025, a
 * test server's 2526): a segment that opens a session, the server's
 * greeting or the client's HELO/EHLO, gives the whole conversation to smtpx.
 * The side it came from tells which end is the server. */
static gboolean dissect_smtpx_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    guint len = tvb_captured_length(tvb);
    smtp_opening_t opens = len >= 6 ? smtp_session_opening((const char *)tvb_get_ptr(tvb, 0, (gint)len), len)
                                    : SMTP_OPENS_NONE;

    if (opens == SMTP_OPENS_NONE)
        return FALSE;
    /* (from this frame: earlier ones stay what they were in the first pass) */
    conversation_set_dissector_from_frame_number(find_or_create_conversation(pinfo), pinfo->num, smtpx_handle);
    guint32 match = pinfo->match_uint;
    pinfo->match_uint = opens == SMTP_OPENS_GREETING ? pinfo->srcport : pinfo->destport;    /* the server's port */
    dissect_smtpx(tvb, pinfo, tree, data);
    pinfo->match_uint = match;
    return TRUE;
}

static dissector_handle_t tls_handle;

void smtpx_start_tls(packet_info *pinfo)
{
    ssl_starttls_ack(tls_handle, pinfo, smtpx_handle);
}

static void proto_register_smtpx(void)
{
    proto_smtpx = proto_register_protocol("Simple Mail Transfer Protocol (smtpx)", "SMTPX", "smtpx");
    smtpx_handle = register_dissector("smtpx", dissect_smtpx, proto_smtpx);

    module_t *module = prefs_register_protocol(proto_smtpx, NULL);
    smtpx_register_fields(module);
    smtpx_data_register();
    smtpx_trace_register();
    smtpx_attach_register();
    smtpx_stats_register();
    smtpx_conv_cache_register();
    smtpx_hosts_register();
    smtpx_pieces_register();
    smtpx_analysis_register();
    smtpx_sender_register();
    prefs_register_uint_preference(module, "max_line", "Longest line to reassemble",
        "Lines longer than this many bytes are dissected in parts (bounds memory and time)",
        10, &smtpx_pref_max_line);
    prefs_register_bool_preference(module, "reassemble", "Reassemble messages",
        "Reassemble each message, dot-unstuffed, and hand it to the IMF dissector", &smtpx_pref_reassemble);
    prefs_register_uint_preference(module, "max_message", "Largest message to reassemble",
        "Messages larger than this many bytes are not reassembled", 10, &smtpx_pref_max_message);
    prefs_register_string_preference(module, "local_domains", "Local domains",
        "The server's own domains (comma-separated), besides the names in its greeting; "
        "recipients elsewhere accepted without AUTH are reported as open relay", &smtpx_pref_local_domains);
    prefs_register_bool_preference(module, "teaching_notes", "Teaching notes",
        "Add to every PDU the phase of the session and what it means, in plain words (smtpx.note)",
        &smtpx_pref_teaching_notes);
    prefs_register_bool_preference(module, "hide_passwords", "Hide passwords",
        "Show AUTH passwords as ******** (for screens shown to a class)", &smtpx_pref_hide_passwords);
}

static void proto_reg_handoff_smtpx(void)
{
    dissector_add_uint_range_with_preference("tcp.port", SMTPX_TCP_PORTS, smtpx_handle);
    heur_dissector_add("tcp", dissect_smtpx_heur, "SMTP on any TCP port (smtpx)", "smtpx_tcp", proto_smtpx,
                       HEURISTIC_ENABLE);
    ssl_dissector_add(SMTPX_TLS_PORT, smtpx_handle);
    tls_handle = find_dissector_add_dependency("tls", proto_smtpx);
    smtpx_auth_register_handoff();
    smtpx_data_handoff();
}

void smtpx_register(void);
void smtpx_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_smtpx;
    plug.register_handoff = proto_reg_handoff_smtpx;
    proto_register_plugin(&plug);
}
