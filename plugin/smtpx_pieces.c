/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Client lines that arrive in pieces: typed one key per segment (telnet,
 * PuTTY), or cut at a segment end. smtpx keeps the pieces itself instead of
 * asking TCP to reassemble them: each piece is shown in its own frame with
 * the line so far, and the whole line is dissected in the frame where it
 * ends, from a tvb of the held bytes and that segment's ("Assembled SMTP
 * data").
 *
 * The bytes so far are file scope and only ever appended to, so the state a
 * call starts from (a smtpx_held_t pointer and a length) keeps naming the
 * same bytes on every pass. */
#include "smtpx.h"

#define SHOWN_TAIL 64   /* bytes of the line so far shown with a piece */

static int hf_piece = -1, hf_piece_ends_in = -1, hf_line_segments = -1, hf_line_first_frame = -1;

void smtpx_pieces_register(void)
{
    static hf_register_info hf[] = {
        { &hf_piece, { "Piece of a line", "smtpx.line.piece", FT_STRING, BASE_NONE, NULL, 0,
          "Bytes of a client line whose end is in a later segment (a key typed over telnet)", HFILL } },
        { &hf_piece_ends_in, { "Line ends in frame", "smtpx.line.ends_in", FT_FRAMENUM, BASE_NONE, NULL, 0,
          "The frame where this line is complete and dissected", HFILL } },
        { &hf_line_segments, { "Segments of the line", "smtpx.line.segments", FT_UINT32, BASE_DEC, NULL, 0,
          "This line was assembled from this many segments", HFILL } },
        { &hf_line_first_frame, { "First piece in frame", "smtpx.line.first_frame", FT_FRAMENUM, BASE_NONE, NULL, 0,
          NULL, HFILL } },
    };
    proto_register_field_array(proto_smtpx, hf, array_length(hf));
}

smtpx_held_t *smtpx_held_new(void)
{
    return wmem_new0(wmem_file_scope(), smtpx_held_t);
}

/* Appends a piece to the line (first pass only). */
static void hold(smtpx_ctx_t *ctx, const guint8 *p, int n)
{
    smtpx_state_t *st = ctx->st;
    smtpx_held_t *h = st->held;
    guint32 need = st->held_len + (guint32)n;

    if (ctx->call.replay != SMTPX_LIVE)
        return;
    if (st->held_len == 0)
        h->first_frame = ctx->pinfo->num;
    if (need > h->cap) {
        h->cap = MAX(need, MAX(2 * h->cap, 64u));
        h->bytes = (guint8 *)wmem_realloc(wmem_file_scope(), h->bytes, h->cap);
    }
    memcpy(h->bytes + st->held_len, p, (size_t)n);
    st->held_len = need;
    h->pieces++;
}

/* The line is over (ended in frame done_in, or 0: abandoned); the next one
 * gets a record of its own. */
static void line_done(smtpx_ctx_t *ctx, guint32 done_in)
{
    smtpx_state_t *st = ctx->st;

    if (ctx->call.replay == SMTPX_LIVE) {
        st->held->done_in = done_in;
        st->held->next = smtpx_held_new();
    }
    if (st->held->next)     /* (none yet for a retransmission on the first pass) */
        st->held = st->held->next;
    st->held_len = 0;
}

/* The last SHOWN_TAIL bytes of the line so far, this piece included, escaped. */
static const char *so_far(smtpx_ctx_t *ctx, const guint8 *piece, int n)
{
    guint32 total = ctx->st->held_len + (guint32)n;
    guint32 keep = MIN(total, SHOWN_TAIL);
    guint8 *buf = (guint8 *)wmem_alloc(ctx->pinfo->pool, keep);
    guint32 from_piece = MIN(keep, (guint32)n);
    guint32 from_held = keep - from_piece;

    if (from_held)      /* (no bytes yet before the first piece) */
        memcpy(buf, ctx->st->held->bytes + ctx->st->held_len - from_held, from_held);
    memcpy(buf + from_held, piece + n - (int)from_piece, from_piece);
    const char *text = smtpx_line_format(ctx, (const char *)buf, (int)keep);
    return keep < total ? wmem_strdup_printf(ctx->pinfo->pool, "\xe2\x80\xa6%s", text) : text;
}

/* With hide_passwords, the pieces of a line that may carry a secret show
 * none of its bytes: lines of an AUTH exchange, an AUTH command once its
 * verb is followed by a space. */
static gboolean secret(const smtpx_ctx_t *ctx)
{
    const smtpx_state_t *st = ctx->st;

    return smtpx_pref_hide_passwords &&
           (st->mode == SMTPX_MODE_AUTH ||
            (st->held_len > 4 && smtp_word_equals((const char *)st->held->bytes, st->held_len, "AUTH")));
}

static void show_piece(smtpx_ctx_t *ctx, int offset, int n)
{
    const guint8 *p = ctx->data + offset;
    gboolean hide = secret(ctx);
    const char *line = hide ? "********" : so_far(ctx, p, n);

    if (proto_field_is_referenced(ctx->tree, hf_piece)) {     /* (no text for a tree nobody shows) */
        proto_item *pi = smtpx_add_shown(ctx, ctx->tree, hf_piece, offset, n,
                                         hide ? "*" : smtpx_line_format(ctx, (const char *)p, n));
        proto_item_append_text(pi, " (line so far: %s)", line);
        guint32 ends_in = ctx->st->held->done_in;
        if (ends_in && ends_in != ctx->pinfo->num) {
            proto_item *ei = proto_tree_add_uint(proto_item_add_subtree(pi, ett_smtpx_param), hf_piece_ends_in,
                                                 ctx->tvb, 0, 0, ends_in);
            proto_item_set_generated(ei);
        }
    }
    smtpx_info_appendf(ctx, "[unfinished line] %s", line);
}

void smtpx_pieces_hold(smtpx_ctx_t *ctx, int offset)
{
    int n = ctx->len - offset;

    show_piece(ctx, offset, n);
    hold(ctx, ctx->data + offset, n);
}

/* Does the held line end in the bytes at offset? */
static gboolean ends_here(const smtpx_ctx_t *ctx, int offset)
{
    const guint8 *p = ctx->data + offset;
    smtp_line_t found;

    if (ctx->st->held->bytes[ctx->st->held_len - 1] == '\r' && p[0] == '\0')
        return TRUE;    /* CR NUL, cut between the two */
    return smtp_line_find(p, (size_t)(ctx->len - offset), &found);
}

/* A tvb of the held bytes and the rest of the call's, shown as a data source. */
static tvbuff_t *join(smtpx_ctx_t *ctx, int offset)
{
    guint32 held_len = ctx->st->held_len, n = (guint32)(ctx->len - offset), len = held_len + n;
    guint8 *buf = (guint8 *)wmem_alloc(ctx->pinfo->pool, len);

    memcpy(buf, ctx->st->held->bytes, held_len);
    memcpy(buf + held_len, ctx->data + offset, n);
    tvbuff_t *tvb = tvb_new_child_real_data(ctx->tvb, buf, len, (gint)len);
    add_new_data_source(ctx->pinfo, tvb, "Assembled SMTP data");
    return tvb;
}

static void show_segments(smtpx_ctx_t *ctx)
{
    const smtpx_held_t *h = ctx->st->held;
    guint32 segments = h->pieces + 1;

    if (!ctx->tree)
        return;
    proto_item *si = proto_tree_add_uint_format(ctx->tree, hf_line_segments, ctx->tvb, 0, 0, segments,
                                                "Line assembled from %u segments (frames %u to %u)", segments,
                                                h->first_frame, ctx->pinfo->num);
    proto_item_set_generated(si);
    proto_item *fi = proto_tree_add_uint(proto_item_add_subtree(si, ett_smtpx_param), hf_line_first_frame,
                                         ctx->tvb, 0, 0, h->first_frame);
    proto_item_set_generated(fi);
}

tvbuff_t *smtpx_pieces_resume(smtpx_ctx_t *ctx, int offset)
{
    smtpx_state_t *st = ctx->st;
    int avail = ctx->len - offset;

    if (st->held_len == 0 || avail <= 0)
        return NULL;
    if (st->mode == SMTPX_MODE_BDAT || st->mode == SMTPX_MODE_TLS) {
        line_done(ctx, 0);      /* no lines any more: the pieces were shown in their frames */
        return NULL;
    }
    if (!ends_here(ctx, offset) && st->held_len + (guint)avail < smtpx_pref_max_line) {
        smtpx_pieces_hold(ctx, offset);
        return NULL;
    }
    /* the line ends here, or goes beyond max_line (then shown as it is, overlong) */
    tvbuff_t *tvb = join(ctx, offset);
    ctx->typed = st->held_len <= 4 * st->held->pieces;
    show_segments(ctx);
    line_done(ctx, ctx->pinfo->num);
    return tvb;
}
