/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message transfer: DATA lines up to the end-of-data line and BDAT chunks,
 * the checks on message bytes, and the whole message reassembled,
 * dot-unstuffed and handed to the IMF dissector. */
#include "smtpx.h"
#include "smtp_foreign.h"

#include <epan/reassemble.h>
#include <epan/dissectors/packet-tcp.h>
#include <wsutil/str_util.h>
#include <wsutil/to_str.h>

/* Messages larger than this are not reassembled (memory stays bounded). */
guint smtpx_pref_max_message = 16 * 1024 * 1024;
gboolean smtpx_pref_reassemble = TRUE;

static reassembly_table msg_reassembly;
static dissector_handle_t imf_handle;

static int hf_msg_fragments = -1, hf_msg_fragment = -1, hf_msg_fragment_overlap = -1;
static int hf_msg_fragment_overlap_conflicts = -1, hf_msg_fragment_multiple_tails = -1;
static int hf_msg_fragment_too_long = -1, hf_msg_fragment_error = -1, hf_msg_fragment_count = -1;
static int hf_msg_reassembled_in = -1, hf_msg_reassembled_length = -1;
static gint ett_msg_fragment = -1, ett_msg_fragments = -1;

static const fragment_items msg_frag_items = {
    &ett_msg_fragment, &ett_msg_fragments, &hf_msg_fragments, &hf_msg_fragment,
    &hf_msg_fragment_overlap, &hf_msg_fragment_overlap_conflicts, &hf_msg_fragment_multiple_tails,
    &hf_msg_fragment_too_long, &hf_msg_fragment_error, &hf_msg_fragment_count,
    &hf_msg_reassembled_in, &hf_msg_reassembled_length, NULL, "Message fragments"
};

/* Message fragments are keyed by their message record, not by addresses and
 * ports: a message whose end only the server's reply shows (smuggling) is
 * reassembled in a frame of the other direction. */
static gpointer msg_key(const packet_info *pinfo _U_, const guint32 id _U_, const void *msg)
{
    return (gpointer)msg;
}

static void msg_key_free(gpointer key _U_)
{
}

static const reassembly_table_functions msg_key_functions = {
    g_direct_hash, g_direct_equal, msg_key, msg_key, msg_key_free, msg_key_free
};

void smtpx_data_register(void)
{
    static hf_register_info hf[] = {
        { &hf_msg_fragments, { "Message fragments", "smtpx.msg.fragments", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment, { "Message fragment", "smtpx.msg.fragment", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment_overlap, { "Fragment overlap", "smtpx.msg.fragment.overlap", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment_overlap_conflicts, { "Conflicting data in overlap", "smtpx.msg.fragment.overlap.conflicts", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment_multiple_tails, { "Multiple tail fragments", "smtpx.msg.fragment.multiple_tails", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment_too_long, { "Fragment too long", "smtpx.msg.fragment.too_long_fragment", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment_error, { "Reassembly error", "smtpx.msg.fragment.error", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_fragment_count, { "Fragment count", "smtpx.msg.fragment.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_msg_reassembled_in, { "Reassembled in", "smtpx.msg.reassembled.in", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_msg_reassembled_length, { "Reassembled length", "smtpx.msg.reassembled.length", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_msg_fragment, &ett_msg_fragments };

    proto_register_field_array(proto_smtpx, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    reassembly_table_register(&msg_reassembly, &msg_key_functions);
}

void smtpx_data_handoff(void)
{
    imf_handle = find_dissector_add_dependency("imf", proto_smtpx);
}

/* A new message: after 354 to DATA, at a line the client sends before it,
 * or at the first BDAT of a transaction. */
static smtpx_msg_rec_t *new_message(smtpx_ctx_t *ctx)
{
    static guint32 messages;
    smtpx_msg_rec_t *msg = wmem_new0(wmem_file_scope(), smtpx_msg_rec_t);

    msg->id = ctx->pinfo->num;
    msg->reassembly_id = ++messages;
    msg->mail = ctx->st->mail_rec;
    return msg;
}

/* How the client ends its lines: CRLF, unless it never did and ends its
 * commands with a bare LF (netcat) or CR NUL (a Telnet client in NVT mode). */
static smtp_eol_t client_eol(const smtpx_state_t *st)
{
    if (st->flags & SMTPX_F_CRLF_CLIENT)
        return SMTP_EOL_CRLF;
    return (st->flags & SMTPX_F_LF_CLIENT) ? SMTP_EOL_LF : (st->flags & SMTPX_F_CRNUL_CLIENT) ? SMTP_EOL_CRNUL
                                                                                            : SMTP_EOL_CRLF;
}

static void begin_message(smtpx_ctx_t *ctx, smtpx_msg_rec_t *msg)
{
    smtpx_state_t *st = ctx->st;

    st->msg = msg;
    st->msg_bytes = 0;
    st->msg_lines = 0;
    st->msg_line_len = 0;
    st->headers = NULL;
    st->headers_len = 0;
    memset(&st->facts, 0, sizeof st->facts);
    st->in_headers = 1;
    st->prev_eol = client_eol(st);     /* (the DATA line's) */
    st->early_end_next = 0;
    st->msg_flags &= SMTPX_MSG_8BIT_OK | SMTPX_MSG_BINARY;
    st->chunk_open = SMTPX_CHUNK_AT_LINE_START;
}

void smtpx_message_begin(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec)
{
    if (ctx->call.replay == SMTPX_LIVE && rec && !rec->msg)
        rec->msg = new_message(ctx);
    begin_message(ctx, rec ? rec->msg : NULL);
}

/* A client line while the newest request, DATA, still waits for its reply:
 * the client sends the message without waiting for 354 (RFC 2920 makes it
 * wait). A server that answers 354 reads the lines as the message, so they
 * are dissected as one from here (smtpx_message_refused undoes it). */
void smtpx_message_sent_early(smtpx_ctx_t *ctx, int offset)
{
    smtpx_cmd_rec_t *rec = smtpx_queue_last(ctx->st);

    if (!rec || rec->kind != SMTP_CMD_DATA || !smtpx_queue_peek(ctx->st))
        return;
    /* the segment acknowledges server bytes the capture lacks: its 354 was in them */
    gboolean answered = ctx->call.unseen && smtpx_queue_peek(ctx->st) == rec;
    if (answered)
        smtpx_queue_lose(&ctx->call);
    ctx->st->mode = SMTPX_MODE_DATA;
    smtpx_message_begin(ctx, rec);
    if (rec->msg && ctx->call.replay == SMTPX_LIVE)
        rec->msg->sent_early = !answered;
    if (!ctx->call.unseen)     /* (else its reply, 354 or not, may be what the capture lacks) */
        smtpx_check_sent_early(ctx, rec, offset);
}

/* The capture begins inside a message: without the TCP handshake, before
 * any request or reply, the client sends a line that is no command
 * (smtp_may_be_command) nor another protocol. The lines up to the end of
 * data are the rest of a message whose beginning, headers included, the
 * capture lacks. */
void smtpx_message_unseen_start(smtpx_ctx_t *ctx, int offset)
{
    const guint8 *p = ctx->data + offset;
    size_t avail = (size_t)(ctx->len - offset);
    smtp_line_t found;

    if (smtpx_queue_last(ctx->st) || (ctx->st->flags & SMTPX_F_ANY_REPLY) || ctx->st->long_line[TRUE])
        return;     /* (the usual case, at once: a later line of the session) */
    const struct tcp_analysis *tcpd = smtpx_tcp_data(ctx->pinfo);
    if ((tcpd && !nstime_is_zero(&tcpd->ts_mru_syn)) ||     /* (the session's start is in the capture) */
        !smtp_line_find(p, avail, &found) ||
        smtp_may_be_command((const char *)p, found.len, found.len + found.term_len == avail) ||
        smtp_foreign_kind(p, found.len) != SMTP_FOREIGN_NONE)
        return;
    if (ctx->call.replay == SMTPX_LIVE && !ctx->conv->unseen_msg) {
        ctx->conv->unseen_msg = new_message(ctx);
        ctx->conv->unseen_msg->start_unseen = TRUE;
    }
    ctx->st->mode = SMTPX_MODE_DATA;
    begin_message(ctx, ctx->conv->unseen_msg);
    ctx->st->in_headers = 0;
    smtpx_finding(ctx, &ei_smtpx_not_captured, ctx->tvb, offset, (int)found.len,
                  "The capture begins inside a message: a line that is no command, before any reply; the lines up "
                  "to the end of data are its rest (its beginning and headers are not in the capture)");
}

/* A reply other than 354 to a DATA whose message was sent early: the server
 * did not take the message; it reads each line sent so far as a command
 * and answers it (the end of data too, if sent: its request is queued), and
 * the lines still to come are commands. */
void smtpx_message_refused(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec)
{
    smtpx_state_t *st = ctx->st;
    gboolean open = st->msg == rec->msg;

    if (ctx->call.replay == SMTPX_LIVE)
        rec->msg->refused = TRUE;
    st->lines_as_commands = open ? st->msg_lines : rec->msg->lines;
    st->lines_frame = rec->msg->id;
    if (!open)
        return;
    smtpx_message_server_ended(ctx);
    st->msg = NULL;
    st->mode = SMTPX_MODE_COMMAND;
}

static void add_recipient_to(const smtpx_cmd_rec_t *rcpt, void *data)
{
    wmem_array_append_one((wmem_array_t *)data, rcpt);
}

/* LMTP (RFC 2033): the server answers the end of a message once for each
 * accepted recipient, in RCPT order. rec, the request that ends the message,
 * stands for the first; one more request (same frame and kind) is queued for
 * each other recipient, and later passes queue as many as the first did.
 * Returns the last of them (rec when there is one recipient, or no LMTP). */
static smtpx_cmd_rec_t *lmtp_expect_replies(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec)
{
    smtpx_state_t *st = ctx->st;

    if (!rec || !smtpx_is_lmtp(ctx))
        return rec;
    if (ctx->call.replay != SMTPX_LIVE) {
        smtpx_cmd_rec_t *next;
        while (rec->lmtp_more && (next = smtpx_queue_push(&ctx->call, ctx->pinfo, rec->kind)))
            rec = next;
        return rec;
    }
    wmem_array_t *rcpts = wmem_array_new(ctx->pinfo->pool, sizeof(const smtpx_cmd_rec_t *));
    smtpx_foreach_recipient(st, st->mail_rec, add_recipient_to, rcpts);
    for (guint i = 0; i < wmem_array_get_count(rcpts); i++) {
        if (i > 0) {
            rec->lmtp_more = 1;
            smtpx_cmd_rec_t *next = smtpx_queue_push(&ctx->call, ctx->pinfo, rec->kind);
            next->last = rec->last;
            rec = next;
        } else if (st->msg) {
            st->msg->lmtp_first = rec;
        }
        rec->rcpt = *(const smtpx_cmd_rec_t **)wmem_array_index(rcpts, i);
        rec->arg = rec->rcpt->arg;
        rec->msg = st->msg;
    }
    return rec;
}

/* Wireshark's reassembly walks the list of a message's fragments twice to
 * add one, so the fragments of one message cost the square of their number.
 * The first ones are a segment each, so the fragment tree names their
 * frames; after them, segments are joined into fragments of 64 KB. */
#define SMTPX_EXACT_FRAGMENTS 256
#define SMTPX_JOINED_FRAGMENT 65536

static void give_fragment(smtpx_ctx_t *ctx, const guint8 *data, guint32 len)
{
    smtpx_msg_rec_t *msg = ctx->st->msg;
    tvbuff_t *ftvb = tvb_new_child_real_data(ctx->tvb, data, len, (gint)len);

    fragment_add_seq_next(&msg_reassembly, ftvb, 0, ctx->pinfo, msg->reassembly_id, msg, len, TRUE);
    if (ctx->call.replay == SMTPX_LIVE)
        msg->fragments++;
}

/* The bytes kept to be joined, as one fragment of this frame. */
static void give_pending(smtpx_ctx_t *ctx)
{
    smtpx_msg_rec_t *msg = ctx->st->msg;

    if (msg && msg->pending_len) {
        give_fragment(ctx, msg->pending, msg->pending_len);
        msg->pending_len = 0;
    }
}

static void add_fragment(smtpx_ctx_t *ctx, const guint8 *data, int len)
{
    smtpx_state_t *st = ctx->st;
    smtpx_msg_rec_t *msg = st->msg;

    if (!smtpx_pref_reassemble || !msg || len <= 0 || (st->msg_flags & SMTPX_MSG_TOO_BIG))
        return;
    if (st->msg_bytes > smtpx_pref_max_message) {
        st->msg_flags |= SMTPX_MSG_TOO_BIG;
        smtpx_finding(ctx, &ei_smtpx_message_too_big, ctx->tvb, 0, 0,
                      "Message larger than %u bytes: not reassembled nor handed to IMF (preference max_message)",
                      smtpx_pref_max_message);
        return;
    }
    if (ctx->call.replay != SMTPX_LIVE || msg->fragments < SMTPX_EXACT_FRAGMENTS) {
        give_fragment(ctx, data, (guint32)len);
        return;
    }
    if (msg->pending_len + (guint32)len > SMTPX_JOINED_FRAGMENT)
        give_pending(ctx);
    if (len >= SMTPX_JOINED_FRAGMENT) {
        give_fragment(ctx, data, (guint32)len);
        return;
    }
    if (!msg->pending)
        msg->pending = (guint8 *)wmem_alloc(wmem_file_scope(), SMTPX_JOINED_FRAGMENT);
    memcpy(msg->pending + msg->pending_len, data, (size_t)len);
    msg->pending_len += (guint32)len;
}

/* A bare CR or LF in the message: once per message. */
static void report_bare(smtpx_ctx_t *ctx, int offset, int len, const char *what)
{
    smtpx_state_t *st = ctx->st;

    if (st->msg_flags & SMTPX_MSG_BARE_SEEN)
        return;
    st->msg_flags |= SMTPX_MSG_BARE_SEEN;
    smtpx_finding(ctx, &ei_smtpx_bare_lf, ctx->tvb, offset, len,
                  "Bare %s inside the message: RFC 5321 allows CR and LF only together as CRLF", what);
}

static void check_bare(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (line->eol == SMTP_EOL_CRNUL)
        report_bare(ctx, line->next - 2, 2, "CR (CR NUL ends the line, as a Telnet client in NVT mode sends)");
    else if (line->eol == SMTP_EOL_LF || line->has_cr)
        report_bare(ctx, line->offset, line->next - line->offset, line->has_cr ? "CR" : "LF");
}

/* The end of the message: reassembled, handed to IMF, summarised. */
static void message_end(smtpx_ctx_t *ctx, int offset, smtpx_cmd_rec_t *rec)
{
    smtpx_state_t *st = ctx->st;
    tvbuff_t *mtvb = NULL;

    smtpx_headers_end(ctx);
    st->msg_lines += st->chunk_open != SMTPX_CHUNK_AT_LINE_START;  /* BDAT: a last line without a line end */
    if (st->chunk_open == SMTPX_CHUNK_OPEN_CR && !(st->msg_flags & SMTPX_MSG_BINARY))
        report_bare(ctx, offset, 0, "CR");     /* its last byte */
    if (st->msg && ctx->call.replay == SMTPX_LIVE) {
        st->msg->end_frame = ctx->pinfo->num;
        st->msg->lines = st->msg_lines;
        if (rec)
            rec->msg = st->msg;
    }
    if (smtpx_pref_reassemble && st->msg && !(st->msg_flags & SMTPX_MSG_TOO_BIG)) {
        if (ctx->call.replay == SMTPX_LIVE)
            give_pending(ctx);
        fragment_head *fh = fragment_end_seq_next(&msg_reassembly, ctx->pinfo, st->msg->reassembly_id, st->msg);
        mtvb = process_reassembled_data(ctx->tvb, offset, ctx->pinfo, "Reassembled SMTP message", fh,
                                                  &msg_frag_items, NULL, ctx->tree);
        if (mtvb && tvb_reported_length(mtvb) > st->msg_bytes)     /* ended early: smtpx_message_taken */
            mtvb = tvb_new_subset_length(mtvb, 0, (gint)st->msg_bytes);
        if (st->msg->start_unseen)      /* no headers to read, for IMF or smtpx */
            mtvb = NULL;
        if (mtvb && (st->msg_flags & SMTPX_MSG_CHUNKED))
            smtpx_chunked_headers(ctx, mtvb);
        if (mtvb && imf_handle) {
            /* IMF makes the Protocol column SMTP/IMF; the Info column stays ours */
            col_set_writable(ctx->pinfo->cinfo, COL_INFO, FALSE);
            call_dissector(imf_handle, mtvb, ctx->pinfo, ctx->root);
            col_set_writable(ctx->pinfo->cinfo, COL_INFO, TRUE);
        }
    }
    smtpx_message_summary(ctx, rec, mtvb);
    if (st->msg && ctx->call.replay == SMTPX_LIVE) {
        st->msg->bytes = st->msg_bytes;
        st->msg->facts = wmem_memdup(wmem_file_scope(), &st->facts, sizeof st->facts);
    }
    st->msg = NULL;
}

/* The first end of data that only some servers take, and the message up to
 * it (the message so far and `more` bytes of the current line): if the
 * server answers it, the message ends there. */
static void note_early_end(smtpx_ctx_t *ctx, guint64 more, gboolean meant)
{
    smtpx_state_t *st = ctx->st;
    smtpx_early_end_t *end = st->msg ? &st->msg->early_end : NULL;

    if (!end || end->frame || ctx->call.replay != SMTPX_LIVE)
        return;
    end->frame = ctx->pinfo->num;
    end->time = ctx->pinfo->abs_ts;
    end->bytes = st->msg_bytes + more;
    end->lines = st->msg_lines + (more > 0);
    end->meant = meant;
}

/* The server replied during DATA to an end of data only some servers take
 * (note_early_end; rec is that end's record): the message ends there, and
 * is reassembled, handed to IMF and summarised in the reply's frame. */
void smtpx_message_taken(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, int offset)
{
    smtpx_state_t *st = ctx->st;

    st->msg_bytes = st->msg->early_end.bytes;
    st->msg_lines = st->msg->early_end.lines;
    message_end(ctx, offset, rec);
}

/* n bytes of the message are missing from the capture here (first pass). */
static void add_missing(smtpx_ctx_t *ctx, guint64 n)
{
    smtpx_msg_rec_t *msg = ctx->st->msg;

    if (!msg || ctx->call.replay != SMTPX_LIVE)
        return;
    if (!msg->missing)
        msg->gap_at = ctx->st->msg_bytes;
    msg->missing += n;
}

/* The server answered an end of data in client bytes the capture lacks:
 * the message ends with what was captured of it; it lacks those bytes but
 * for the end of data itself (".\r\n"), or fewer (commands may follow). */
void smtpx_message_end_lost(smtpx_ctx_t *ctx, proto_item *reply, smtpx_cmd_rec_t *rec, int offset)
{
    proto_item_append_text(reply, " [answers an end of data the capture lacks]");
    if (ctx->call.unseen > 3)
        add_missing(ctx, ctx->call.unseen - 3);
    message_end(ctx, offset, rec);
}

/* A message line longer than 1000 bytes: once per line, also when cut in parts. */
static void check_length(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    smtpx_state_t *st = ctx->st;
    guint32 so_far = st->msg_line_len + (guint32)(line->next - line->offset);

    if (so_far > 1000 && st->msg_line_len <= 1000) {
        if (line->partial)
            smtpx_finding(ctx, &ei_smtpx_line_too_long, ctx->tvb, line->offset, line->len,
                          "Message line of more than 1000 bytes: RFC 5321 allows 1000 including CRLF");
        else
            smtpx_finding(ctx, &ei_smtpx_line_too_long, ctx->tvb, line->offset, line->len,
                          "Message line of %u bytes: RFC 5321 allows 1000 including CRLF", so_far);
    }
    st->msg_line_len = line->partial ? MIN(so_far, 1001u) : 0;     /* only "over 1000?" matters */
}

/* The first 8-bit byte of a message (at offset in the tvb), unless the
 * client declared an 8-bit body to a server that offers one. */
static void check_8bit(smtpx_ctx_t *ctx, int at)
{
    smtpx_state_t *st = ctx->st;

    if (st->msg_flags & SMTPX_MSG_8BIT_SEEN)
        return;
    st->msg_flags |= SMTPX_MSG_8BIT_SEEN;
    if (!(st->msg_flags & SMTPX_MSG_8BIT_OK) || !(st->ext & SMTPX_EXT_8BITMIME))
        smtpx_finding(ctx, &ei_smtpx_8bit, ctx->tvb, at, 1, "8-bit byte 0x%02x in a message sent %s",
                      ctx->data[at], (st->msg_flags & SMTPX_MSG_8BIT_OK)
                                         ? "to a server that did not advertise 8BITMIME"
                                         : "without BODY=8BITMIME");
}

/* Text that follows an end of data only some servers take: if it is a
 * command of a mail transaction, such a server runs it (the smuggled part). */
static void check_smuggled(smtpx_ctx_t *ctx, const smtpx_line_t *line, const char *text, int len)
{
    if (smtp_is_transaction_command(text, (size_t)len))
        smtpx_finding(ctx, &ei_smtpx_smuggling, ctx->tvb, line->offset, line->len,
                      "After that end of data the message goes on with the command \"%s\": a server that "
                      "ends the message there runs it (SMTP smuggling)", smtpx_line_format(ctx, text, MIN(len, 80)));
}

/* A line meant to end the message or to leave it, which is text (RFC 5321
 * 4.1.1.4: only "." alone on a line ends it): "." with blanks, or a command
 * of a transaction, alone on its line (a student who forgot the "."). */
static void check_not_end(smtpx_ctx_t *ctx, const smtpx_line_t *line, gboolean commands)
{
    if (line->partial || line->continuation)
        return;
    if (line->len > 1 && line->len <= 8) {
        char text[9];
        memcpy(text, line->text, (size_t)line->len);
        text[line->len] = '\0';
        if (strcmp(g_strstrip(text), ".") == 0)
            smtpx_finding(ctx, &ei_smtpx_not_end_of_data, ctx->tvb, line->offset, line->len,
                          "\"%s\" is message text: only a line holding \".\" alone, nothing before or after it, "
                          "ends the message (RFC 5321 4.1.1.4)", smtpx_line_format(ctx, line->text, line->len));
    }
    if (commands && smtp_is_transaction_command(line->text, (size_t)line->len))
        smtpx_finding(ctx, &ei_smtpx_not_end_of_data, ctx->tvb, line->offset, line->len,
                      "\"%s\" inside the message is text: the server reads no command until a line holding "
                      "\".\" alone ends the message", smtpx_line_format(ctx, line->text, MIN(line->len, 60)));
}

/* Where the first 8-bit byte to check is, up to the end of line (the
 * call's first one, or past the line: none). With SMTPUTF8 on MAIL the
 * header block may hold UTF-8 (RFC 6532 3), so only body lines count, each
 * scanned on its own (such transactions are few). */
static int line_8bit(const smtpx_ctx_t *ctx, const smtpx_line_t *line, int first_8bit)
{
    int end = line->offset + line->len;

    if (first_8bit >= end || !(ctx->st->flags & SMTPX_F_SMTPUTF8))
        return first_8bit;
    if (ctx->st->in_headers)
        return end;
    for (int i = MAX(first_8bit, line->offset); i < end; i++) {
        if (ctx->data[i] & 0x80)
            return i;
    }
    return end;
}

/* Findings on the bytes of one DATA line (its first `stuffed` bytes are
 * not message bytes). */
static void check_line(smtpx_ctx_t *ctx, const smtpx_line_t *line, int stuffed, int first_8bit)
{
    gboolean smuggled_next = ctx->st->early_end_next;   /* (a command there is smuggling's: check_smuggled) */

    check_bare(ctx, line);
    const char *cr_dot = line->has_cr && line->len >= 3 ? g_strstr_len(line->text, line->len, "\r.\r") : NULL;
    if (cr_dot) {
        note_early_end(ctx, (guint64)(cr_dot + 1 - line->text - stuffed), FALSE);
        smtpx_finding(ctx, &ei_smtpx_smuggling, ctx->tvb, line->offset, line->len,
                      "<CR>.<CR> inside the message: some servers take it for the end of data (SMTP smuggling)");
        check_smuggled(ctx, line, cr_dot + 3, line->len - (int)(cr_dot + 3 - line->text));
    }
    if (ctx->st->early_end_next && !(line->len == 1 && line->text[0] == '.')) {
        ctx->st->early_end_next = 0;
        check_smuggled(ctx, line, line->text, line->len);
    }
    check_length(ctx, line);
    first_8bit = line_8bit(ctx, line, first_8bit);
    if (first_8bit < line->offset + line->len)
        check_8bit(ctx, first_8bit);
    smtpx_check_message_ctrl_c(ctx, line);
    smtpx_check_message_edits(ctx, line);
    check_not_end(ctx, line, !smuggled_next);
}

static void count_bytes(smtpx_ctx_t *ctx, guint64 n)
{
    smtpx_state_t *st = ctx->st;

    st->msg_bytes += n;
    if (st->size_limit && st->msg_bytes > st->size_limit && !(st->msg_flags & SMTPX_MSG_SIZE_SEEN)) {
        st->msg_flags |= SMTPX_MSG_SIZE_SEEN;
        smtpx_finding(ctx, &ei_smtpx_size_exceeded, ctx->tvb, 0, 0,
                      "The message is larger than the %" PRIu64 " bytes the server advertised (SIZE)",
                      st->size_limit);
    }
}

/* The message lines of one call: their bytes dot-unstuffed, for reassembly,
 * and where the first 8-bit byte from the first line on is (one scan per
 * call, not one per line; the lines are the call's bytes in order). */
typedef struct {
    guint8 *data;       /* room for every byte of the call */
    int len;
    int first_8bit;     /* offset in the tvb; ctx->len if none */
} smtpx_frag_t;

/* One line of the message: tree item, checks, headers, unstuffed copy. */
static void message_line(smtpx_ctx_t *ctx, proto_tree *dt, const smtpx_line_t *line, smtpx_frag_t *frag)
{
    smtpx_state_t *st = ctx->st;
    int stuffed = !line->continuation && line->len > 1 && line->text[0] == '.';

    /* no text to format for a tree nobody shows, unless a filter asks for lines */
    if (proto_field_is_referenced(dt, hf_smtpx_data_line)) {
        proto_item *li = smtpx_add_shown(ctx, dt, hf_smtpx_data_line, line->offset, line->next - line->offset,
                                         smtpx_line_format(ctx, line->text + stuffed, line->len - stuffed));
        if (line->eol == SMTP_EOL_LF)
            proto_item_append_text(li, " [ends with a bare LF]");
        else
            smtpx_mark_cut(li, line);
        if (stuffed)
            proto_item_append_text(li, " [leading dot removed]");
    }
    check_line(ctx, line, stuffed, frag->first_8bit);
    if (st->in_headers)
        smtpx_header_line(ctx, dt, line);
    int n = line->next - line->offset - stuffed;
    memcpy(frag->data + frag->len, line->text + stuffed, (size_t)n);
    frag->len += n;
    count_bytes(ctx, (guint64)n);
    st->msg_lines += !line->partial;
    if (!line->partial)
        st->prev_eol = (guint8)line->eol;
    if (line->eol == SMTP_EOL_CRLF)
        st->flags |= SMTPX_F_CRLF_CLIENT;
}

/* "." between bare LFs, or CR NULs, from a client that ends all its lines so
 * (netcat, a Telnet client in NVT mode): its end of data as it means it, no
 * smuggling. */
static gboolean client_style_end(const smtpx_state_t *st, const smtpx_line_t *line)
{
    return line->eol != SMTP_EOL_CRLF && line->eol == client_eol(st) && line->eol == st->prev_eol;
}

static const char *eol_name(unsigned eol)
{
    return eol == SMTP_EOL_CRLF ? "<CRLF>" : eol == SMTP_EOL_CRNUL ? "<CR><NUL>" : "<LF>";
}

/* "." alone on a line, after CRLF and ending with CRLF, ends the message; the
 * same with bare LF or CR ends it only for some servers (smuggling). */
static gboolean is_end_of_data(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    if (line->continuation || line->partial || line->len != 1 || line->text[0] != '.')
        return FALSE;
    if (line->eol == SMTP_EOL_CRLF && ctx->st->prev_eol == SMTP_EOL_CRLF)
        return TRUE;
    gboolean meant = client_style_end(ctx->st, line);
    note_early_end(ctx, 0, meant);
    ctx->st->early_end_next = 1;
    if (meant)
        smtpx_finding(ctx, &ei_smtpx_bare_lf, ctx->tvb, line->offset, line->next - line->offset,
                      "End of data written %s.%s, as this client ends all its lines: a server that takes that line "
                      "end ends the message here, a strict one waits for <CRLF>.<CRLF>", eol_name(line->eol),
                      eol_name(line->eol));
    else
        smtpx_finding(ctx, &ei_smtpx_smuggling, ctx->tvb, line->offset, line->next - line->offset,
                      "End of data written %s.%s: not <CRLF>.<CRLF>, yet some servers end the message here "
                      "(SMTP smuggling); dissection goes on as message data until the server replies",
                      eol_name(ctx->st->prev_eol), eol_name(line->eol));
    return FALSE;
}

static void add_end_of_data(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    proto_item *pi = proto_tree_add_item(ctx->tree, hf_smtpx_data_eod, ctx->tvb, line->offset,
                                         line->next - line->offset, ENC_NA);
    smtpx_cmd_rec_t *rec = smtpx_queue_push(&ctx->call, ctx->pinfo, SMTPX_KIND_EOD);
    smtpx_cmd_rec_t *last = lmtp_expect_replies(ctx, rec);

    proto_tree *et = proto_item_add_subtree(pi, ett_smtpx_data);
    ctx->pdu_item = pi;
    smtpx_note_request(ctx, et, SMTPX_KIND_EOD);
    smtpx_add_request_links(ctx, et, rec);
    ctx->st->mode = SMTPX_MODE_COMMAND;
    smtpx_info_append(ctx, ". (end of data)");
    message_end(ctx, line->offset, last);
}

/* On a segment of message data: once the whole capture was read (two-pass,
 * or the GUI), a finding on the last segment of a message that never ended. */
static void check_cut(smtpx_ctx_t *ctx)
{
    smtpx_msg_rec_t *msg = ctx->st->msg;
    gboolean bdat = (ctx->st->msg_flags & SMTPX_MSG_CHUNKED) != 0;

    if (!msg)
        return;
    if (ctx->call.replay == SMTPX_LIVE)
        msg->last_frame = ctx->pinfo->num;
    else if (ctx->call.replay == SMTPX_REPLAY && !msg->end_frame && !msg->server_ended &&
             msg->last_frame == ctx->pinfo->num)
        smtpx_finding(ctx, &ei_smtpx_message_incomplete, ctx->tvb, 0, 0,
                      "No %s follows (the message began with %s in frame %u): a server delivers no message that "
                      "does not end, unless the capture merely stops first",
                      bdat ? "complete LAST chunk" : "end of data (a line holding only \".\")",
                      bdat ? "its first BDAT" : msg->sent_early ? "its first line, sent before 354," : "the 354 reply",
                      msg->id);
}

static void add_data_info(smtpx_ctx_t *ctx, proto_item *di, int nlines, int nbytes)
{
    proto_item_append_text(di, ": %d line%s, %d bytes", nlines, nlines == 1 ? "" : "s", nbytes);
    /* once per message segment: no printf on this path */
    char text[64], *p = g_stpcpy(text, "DATA fragment, ");
    guint32_to_str_buf((guint32)nlines, p, 12);
    p = g_stpcpy(p + strlen(p), nlines == 1 ? " line, " : " lines, ");
    guint32_to_str_buf((guint32)nbytes, p, 12);
    g_stpcpy(p + strlen(p), " bytes");
    smtpx_info_append(ctx, text);
    const smtpx_msg_rec_t *msg = ctx->st->msg;
    if (msg && msg->end_frame && msg->end_frame != ctx->pinfo->num) {
        proto_item *pi = proto_tree_add_uint(proto_item_get_subtree(di), hf_smtpx_msg_end_in, ctx->tvb, 0, 0,
                                             msg->end_frame);
        proto_item_set_generated(pi);
    }
    check_cut(ctx);
}

/* The server ended the transaction before the message ended (a reply during
 * DATA, to RSET or EHLO, or a failed BDAT): the capture did not cut it. */
void smtpx_message_server_ended(smtpx_ctx_t *ctx)
{
    if (ctx->st->msg && ctx->call.replay == SMTPX_LIVE)
        ctx->st->msg->server_ended = TRUE;
}

int smtpx_dissect_data(smtpx_ctx_t *ctx, int offset)
{
    int len = ctx->len, pos = offset, nlines = 0;
    smtpx_frag_t frag = { (guint8 *)wmem_alloc(ctx->pinfo->pool, (size_t)MAX(len - offset, 1)), 0, len };
    proto_item *di = NULL;
    proto_tree *dt = NULL;
    gboolean eod = FALSE;
    smtpx_line_t line;

    if (offset < len && !(ctx->st->msg_flags & SMTPX_MSG_8BIT_SEEN))
        frag.first_8bit = offset + (int)smtp_find_8bit(ctx->data + offset, (size_t)(len - offset));
    while (pos < len && smtpx_get_line(ctx, pos, &line)) {
        if ((eod = is_end_of_data(ctx, &line)))
            break;
        if (pos == offset) {    /* no item (nor a filter match) for a frame without message lines */
            di = ctx->pdu_item = proto_tree_add_item(ctx->tree, hf_smtpx_data, ctx->tvb, offset, -1, ENC_NA);
            dt = proto_item_add_subtree(di, ett_smtpx_data);
        }
        message_line(ctx, dt, &line, &frag);
        nlines += !line.partial;
        pos = line.next;
    }
    if (pos > offset) {     /* an end-of-data line after these lines is the next PDU */
        add_fragment(ctx, frag.data, frag.len);
        proto_item_set_len(di, pos - offset);
        smtpx_note_request(ctx, dt, SMTPX_KIND_DATA_LINES);
        add_data_info(ctx, di, nlines, pos - offset);
        return pos - offset;
    }
    if (eod) {
        add_end_of_data(ctx, &line);
        return line.next - offset;
    }
    return 0;
}

void smtpx_bdat_begin(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, guint64 size, gboolean last)
{
    smtpx_state_t *st = ctx->st;

    if (st->flags & SMTPX_F_BDAT_LAST)
        smtpx_finding(ctx, &ei_smtpx_bdat, ctx->tvb, 0, 0,
                      "BDAT after the LAST chunk of this message: a new message needs a new MAIL");
    else if (size == 0 && last && !st->msg)
        smtpx_finding(ctx, &ei_smtpx_bdat, ctx->tvb, 0, 0, "BDAT 0 LAST with no chunk before: an empty message");
    if (!st->msg) {
        smtpx_message_begin(ctx, rec);
        st->in_headers = 0;     /* the headers are read in the reassembled message, at its end */
        st->msg_flags |= SMTPX_MSG_CHUNKED;
        /* a capture begun after the session's start, with no MAIL nor RCPT seen: chunks may be missing */
        if (st->msg && ctx->call.replay == SMTPX_LIVE && !st->mail_rec && !st->rcpt_cmds &&
            !(st->flags & SMTPX_F_GREETING))
            st->msg->start_unseen = TRUE;
    }
    st->bdat_remaining = size;
    st->bdat_last = last;
    if (rec && ctx->call.replay == SMTPX_LIVE)
        rec->last = last;
    if (last) {
        st->flags |= SMTPX_F_BDAT_LAST;
        rec = lmtp_expect_replies(ctx, rec);
    }
    if (size > 0)
        st->mode = SMTPX_MODE_BDAT;
    else if (last)
        message_end(ctx, 0, rec);
}

/* One line of chunk data from offset, up to and with its LF, or up to end;
 * the state remembers where the piece ended (smtp_chunk_line). */
static void chunk_line(smtpx_ctx_t *ctx, int offset, int end, smtpx_line_t *line)
{
    guint8 *open = &ctx->st->chunk_open;
    smtp_line_t found;
    gboolean after_cr = *open == SMTPX_CHUNK_OPEN_CR;
    gboolean complete = smtp_chunk_line(ctx->data + offset, (size_t)(end - offset), after_cr, &found);

    line->offset = offset;
    line->text = (const char *)ctx->data + offset;
    line->len = (int)found.len;
    line->next = offset + (int)(found.len + found.term_len);
    line->eol = found.eol;
    line->has_cr = found.has_cr || (after_cr && ctx->data[offset] != '\n');    /* (the CR before was bare) */
    line->partial = !complete;
    line->continuation = *open != SMTPX_CHUNK_AT_LINE_START;
    line->follows = FALSE;
    *open = complete ? SMTPX_CHUNK_AT_LINE_START
                     : line->len > 0 && line->text[line->len - 1] == '\r' ? SMTPX_CHUNK_OPEN_CR : SMTPX_CHUNK_OPEN;
}

/* Where the line that ends a piece of chunk data (piece_len bytes) goes on. */
static const char *where_cut(const smtpx_state_t *st, int piece_len)
{
    if (st->bdat_remaining > (guint64)piece_len)
        return "continues in the next segment";
    return st->bdat_last ? "the message ends without a line end" : "continues in the next chunk";
}

/* The lines of a piece of chunk data: shown as text, and checked as DATA
 * lines are, unless the body is BINARYMIME (any bytes, RFC 3030). Chunks
 * are not dot-stuffed and have no end-of-data line. */
static void chunk_lines(smtpx_ctx_t *ctx, proto_tree *ct, int offset, int end)
{
    gboolean show = proto_field_is_referenced(ct, hf_smtpx_data_line);
    gboolean check = !(ctx->st->msg_flags & SMTPX_MSG_BINARY);
    smtpx_line_t line;

    if (check && !(ctx->st->msg_flags & SMTPX_MSG_8BIT_SEEN)) {
        int at = offset + (int)smtp_find_8bit(ctx->data + offset, (size_t)(end - offset));
        if (at < end)
            check_8bit(ctx, at);
    }
    for (int pos = offset; pos < end; pos = line.next) {     /* always: the state follows the cut lines */
        chunk_line(ctx, pos, end, &line);
        if (show) {
            proto_item *li = smtpx_add_shown(ctx, ct, hf_smtpx_data_line, pos, line.next - pos,
                                             smtpx_line_format(ctx, line.text, line.len));
            if (line.continuation)
                proto_item_append_text(li, " [rest of a cut line]");
            if (line.eol == SMTP_EOL_LF)
                proto_item_append_text(li, " [ends with a bare LF]");
            else if (line.partial)
                proto_item_append_text(li, " [%s]", where_cut(ctx->st, end - offset));
        }
        if (check) {
            check_bare(ctx, &line);
            check_length(ctx, &line);
        }
        ctx->st->msg_lines += !line.partial;
    }
}

/* The last byte of a chunk was sent: commands follow; after LAST, the message ends. */
static void chunk_done(smtpx_ctx_t *ctx, int offset)
{
    smtpx_state_t *st = ctx->st;

    st->mode = SMTPX_MODE_COMMAND;
    st->flags |= SMTPX_F_CHUNK_END;
    if (st->bdat_last && st->msg)   /* (none once the server refused a chunk before) */
        message_end(ctx, offset, smtpx_queue_last(st));
}

int smtpx_dissect_bdat_chunk(smtpx_ctx_t *ctx, int offset)
{
    smtpx_state_t *st = ctx->st;
    int avail = ctx->len - offset;
    int n = (int)MIN((guint64)avail, st->bdat_remaining);

    ctx->pdu_item = proto_tree_add_bytes_format_value(ctx->tree, hf_smtpx_bdat_chunk, ctx->tvb, offset, n, NULL,
                                                      "%d byte%s", n, plurality(n, "", "s"));
    proto_tree *ct = proto_item_add_subtree(ctx->pdu_item, ett_smtpx_data);
    chunk_lines(ctx, ct, offset, offset + n);
    smtpx_note_request(ctx, ct, SMTPX_KIND_BDAT_CHUNK);
    st->bdat_remaining -= (guint64)n;
    count_bytes(ctx, (guint64)n);
    add_fragment(ctx, tvb_get_ptr(ctx->tvb, offset, n), n);
    smtpx_info_appendf(ctx, "BDAT chunk data, %d byte%s (%" PRIu64 " to come)", n, plurality(n, "", "s"),
                       st->bdat_remaining);
    check_cut(ctx);
    if (st->bdat_remaining == 0)
        chunk_done(ctx, offset);
    return n;
}

void smtpx_message_gap(smtpx_ctx_t *ctx, guint32 gap)
{
    smtpx_state_t *st = ctx->st;

    if (!smtpx_sending_message(ctx))
        return;
    add_missing(ctx, gap);
    if (st->msg && ctx->call.replay == SMTPX_LIVE)
        st->msg->header_gap |= st->in_headers != 0;     /* (BDAT: smtpx_chunked_headers tells) */
    smtpx_headers_end(ctx);     /* (what follows a hole in the header block is read as body) */
    if (st->mode == SMTPX_MODE_BDAT) {      /* the missing bytes were chunk data, as many as announced */
        st->bdat_remaining -= MIN((guint64)gap, st->bdat_remaining);
        if (st->bdat_remaining == 0)
            chunk_done(ctx, 0);
    }
}
