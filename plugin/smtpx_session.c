/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtpx.h"

#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

/* The state a call starts from is stored as the words of smtpx_state_t that
 * differ from the conversation's previous snapshot (a delta), with a key
 * snapshot every SMTPX_SNAP_CHAIN snapshots, so that a later pass rebuilds a
 * state from at most that many pieces. A key snapshot holds the words that
 * differ from zero. Most calls change a few words (a counter, a queue
 * pointer), so a snapshot costs tens of bytes, not the whole state.
 *
 * The snapshots of a conversation follow each other in one array of 64-bit
 * words (conv->snaps): a header word, then the words it stores. The header
 * holds the mask of the stored words (bits 0-31 for words 0-31, bits 48-63
 * for words 32-47), the number of snapshots back to the key snapshot (bits
 * 32-39) and the distance in words to the previous snapshot's header (bits
 * 40-47). */
#define SMTPX_STATE_WORDS ((sizeof(smtpx_state_t) + 7) / 8)
#define SMTPX_SNAP_CHAIN 32
G_STATIC_ASSERT(SMTPX_STATE_WORDS <= 48);
G_STATIC_ASSERT(sizeof(smtpx_state_t) % 8 == 0);     /* the words cover it exactly */

typedef union {
    smtpx_state_t st;
    guint64 w[SMTPX_STATE_WORDS];
} smtpx_state_words_t;

#define SNAP_MASK(h)  (((h) & 0xffffffffu) | ((h) >> 48) << 32)
#define SNAP_MASK_BITS(m) (((m) & 0xffffffffu) | ((m) >> 32) << 48)     /* a mask as the header holds it */
#define SNAP_WORD_BIT(i)   (G_GUINT64_CONSTANT(1) << (i))
#define SNAP_DEPTH(h) ((guint32)((h) >> 32) & 0xffu)
#define SNAP_BACK(h)  ((guint32)((h) >> 40) & 0xffu)

/* One call of the dissector on the first pass, in the conversation's list. */
typedef struct {
    guint32 frame;
    guint32 key;                    /* TCP sequence number, or a call counter inside TLS */
    gint32 start;                   /* bytes at the start already seen (all: a retransmission) */
    guint32 snap;                   /* the state the call starts from: its header in conv->snaps */
} smtpx_call_rec_t;

/* pinfo->pool key counting calls without TCP info (inside TLS) in a frame. */
#define SMTPX_KEY_TLS_CALLS 0x7fffffffu
#define SMTPX_KEY_GAP       0x7ffffffeu   /* file scope: bytes missing before the frame's segment */
#define SMTPX_KEY_UNSEEN    0x7ffffffdu   /* file scope: bytes of the other side it acknowledges, never seen */
#define SMTPX_KEY_TLS_BASE  0x80000000u

static gboolean looks_like_reply(tvbuff_t *tvb)
{
    return tvb_captured_length(tvb) >= 4 && g_ascii_isdigit(tvb_get_guint8(tvb, 0)) &&
           g_ascii_isdigit(tvb_get_guint8(tvb, 1)) && g_ascii_isdigit(tvb_get_guint8(tvb, 2));
}

/* The server side is the port that selected this dissector; when both
 * ports are equal, the first payload decides. */
static void choose_server(smtpx_conv_t *conv, packet_info *pinfo, tvbuff_t *tvb)
{
    gboolean src_is_server;

    if (pinfo->srcport != pinfo->destport)
        src_is_server = pinfo->match_uint == pinfo->srcport;
    else
        src_is_server = looks_like_reply(tvb);
    copy_address_wmem(wmem_file_scope(), &conv->server_addr, src_is_server ? &pinfo->src : &pinfo->dst);
    conv->server_port = src_is_server ? pinfo->srcport : pinfo->destport;
}

smtpx_conv_t *smtpx_conv_get(packet_info *pinfo, tvbuff_t *tvb, const struct tcpinfo *tcpinfo)
{
    smtpx_conv_t *conv = smtpx_conv_cache_get(pinfo, tcpinfo);
    if (conv)
        return conv;
    conversation_t *conversation = find_or_create_conversation(pinfo);
    conv = (smtpx_conv_t *)conversation_get_proto_data(conversation, proto_smtpx);

    if (!conv) {
        conv = wmem_new0(wmem_file_scope(), smtpx_conv_t);
        conv->live.last_queued = &conv->head;
        conv->live.last_answered = &conv->head;
        conv->live.held = smtpx_held_new();
        conv->calls = wmem_array_sized_new(wmem_file_scope(), sizeof(smtpx_call_rec_t), 16);
        conv->snaps = wmem_array_sized_new(wmem_file_scope(), sizeof(guint64), 64);
        choose_server(conv, pinfo, tvb);
        conversation_add_proto_data(conversation, proto_smtpx, conv);
    }
    smtpx_conv_cache_put(pinfo, conv);
    return conv;
}

gboolean smtpx_is_client(const smtpx_conv_t *conv, const packet_info *pinfo)
{
    return pinfo->destport == conv->server_port && addresses_equal(&pinfo->dst, &conv->server_addr);
}

static guint32 call_key(packet_info *pinfo, const struct tcpinfo *tcpinfo)
{
    if (tcpinfo)
        return tcpinfo->seq & ~SMTPX_KEY_TLS_BASE;
    guint32 n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_smtpx, SMTPX_KEY_TLS_CALLS));
    p_add_proto_data(pinfo->pool, pinfo, proto_smtpx, SMTPX_KEY_TLS_CALLS, GUINT_TO_POINTER(n + 1));
    return SMTPX_KEY_TLS_BASE | n;
}

/* Where the segment starts against the next new byte of its direction:
 * < 0, that many bytes at its start were seen before (TCP retransmission);
 * > 0, that many bytes before it never reached smtpx (not captured, or in a
 * retransmission with new data that TCP did not pass on); 0 when unknown. */
static gint32 seq_distance(const smtpx_conv_t *conv, gboolean is_client, const struct tcpinfo *tcpinfo)
{
    if (!tcpinfo || !conv->seq_known[is_client])
        return 0;
    return (gint32)(tcpinfo->seq - conv->next_seq[is_client]);
}

/* A side's bytes are accounted for up to seq (the newest number wins). */
static void account(smtpx_seen_t *side, guint32 seq)
{
    if (!side->known || (gint32)(seq - side->upto) > 0) {
        side->upto = seq;
        side->known = TRUE;
    }
}

void smtpx_seen_segment(smtpx_conv_t *conv, gboolean is_client, const struct tcpinfo *tcpinfo, tvbuff_t *tvb)
{
    if (tcpinfo)
        account(&conv->seen[is_client], tcpinfo->seq + tvb_reported_length(tvb));
}

/* Bytes of the other side that the segment acknowledges and that are not
 * accounted for: they never reached smtpx (one capture side only, or frames
 * lost), and no earlier segment acknowledged them. 0 when unknown; a FIN's
 * one byte is left out. First pass. */
static guint32 unseen_bytes(smtpx_conv_t *conv, gboolean is_client, const struct tcpinfo *tcpinfo)
{
    smtpx_seen_t *peer = &conv->seen[!is_client];
    gint32 unseen = 0;

    if (!(tcpinfo->flags & TH_ACK))
        return 0;
    if (peer->known)
        unseen = (gint32)(tcpinfo->lastackseq - peer->upto);
    account(peer, tcpinfo->lastackseq);
    return unseen > 1 ? (guint32)unseen : 0;
}

static guint32 snap_store(smtpx_conv_t *conv, const smtpx_state_t *st)
{
    smtpx_state_words_t now;
    guint32 prev = conv->last_snap, count = wmem_array_get_count(conv->snaps);
    guint32 depth = count ? SNAP_DEPTH(*(const guint64 *)wmem_array_index(conv->snaps, prev)) + 1 : SMTPX_SNAP_CHAIN;
    gboolean key = depth >= SMTPX_SNAP_CHAIN;
    guint64 snap[1 + SMTPX_STATE_WORDS];
    guint64 mask = 0;
    guint32 n = 1;

    memcpy(&now, st, sizeof *st);     /* every byte, padding included */
    for (guint i = 0; i < SMTPX_STATE_WORDS; i++) {
        if (now.w[i] != (key ? 0 : conv->last_words[i])) {
            mask |= SNAP_WORD_BIT(i);
            snap[n++] = now.w[i];
        }
    }
    memcpy(conv->last_words, now.w, sizeof now.w);
    if (!key && !mask)
        return prev;    /* nothing changed since the previous call */
    snap[0] = SNAP_MASK_BITS(mask) | (guint64)(key ? 0 : depth) << 32 | (guint64)(key ? 0 : count - prev) << 40;
    wmem_array_append(conv->snaps, snap, n);
    conv->last_snap = count;
    return count;
}

static void snap_load(const smtpx_conv_t *conv, guint32 at, smtpx_state_t *out)
{
    const guint64 *words = (const guint64 *)wmem_array_get_raw(conv->snaps);
    guint32 chain[SMTPX_SNAP_CHAIN];
    smtpx_state_words_t st;
    int n = 0;

    do {        /* back to the key snapshot */
        chain[n++] = at;
        at -= SNAP_BACK(words[at]);
    } while (SNAP_DEPTH(words[chain[n - 1]]) > 0 && n < SMTPX_SNAP_CHAIN);
    memset(&st, 0, sizeof st);
    while (n-- > 0) {
        const guint64 *snap = words + chain[n];
        guint64 mask = SNAP_MASK(snap[0]);
        for (guint i = 0, j = 1; i < SMTPX_STATE_WORDS; i++) {
            if (mask & SNAP_WORD_BIT(i))
                st.w[i] = snap[j++];
        }
    }
    *out = st.st;
}

/* The record of the call (frame, key) made on the first pass, or NULL. */
static const smtpx_call_rec_t *call_find(const smtpx_conv_t *conv, guint32 frame, guint32 key)
{
    const smtpx_call_rec_t *recs = (const smtpx_call_rec_t *)wmem_array_get_raw(conv->calls);
    guint lo = 0, hi = wmem_array_get_count(conv->calls);

    if (hi == 0 || recs[hi - 1].frame < frame)
        return NULL;    /* the first pass meets frames in order: nearly always a new one */
    while (lo < hi) {       /* the first record of the frame */
        guint mid = lo + (hi - lo) / 2;
        if (recs[mid].frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (guint n = wmem_array_get_count(conv->calls); lo < n && recs[lo].frame == frame; lo++) {
        if (recs[lo].key == key)
            return &recs[lo];
    }
    return NULL;
}

void smtpx_call_begin(smtpx_call_t *call, packet_info *pinfo, smtpx_conv_t *conv,
                      gboolean is_client, const struct tcpinfo *tcpinfo, tvbuff_t *tvb)
{
    guint32 key = call_key(pinfo, tcpinfo);
    const smtpx_call_rec_t *rec = call_find(conv, pinfo->num, key);

    if (!rec && !PINFO_FD_VISITED(pinfo)) {
        gint32 distance = seq_distance(conv, is_client, tcpinfo);
        int seen = distance < 0 ? (int)MIN(-(gint64)distance, (gint64)tvb_captured_length(tvb)) : 0;
        gboolean retransmit = seen >= (int)tvb_captured_length(tvb) && seen > 0;
        call->gap = distance > 0 ? (guint32)distance : 0;
        call->unseen = tcpinfo ? unseen_bytes(conv, is_client, tcpinfo) : 0;
        /* rare: kept per frame, so later passes show them too */
        if (call->gap)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_smtpx, SMTPX_KEY_GAP, GUINT_TO_POINTER(call->gap));
        if (call->unseen)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_smtpx, SMTPX_KEY_UNSEEN,
                             GUINT_TO_POINTER(call->unseen));
        smtpx_call_rec_t r = { .frame = pinfo->num, .key = key, .start = seen };
        r.snap = snap_store(conv, &conv->live);
        wmem_array_append_one(conv->calls, r);
        call->st = &conv->live;
        call->replay = retransmit ? SMTPX_RETRANSMIT : SMTPX_LIVE;
        call->start = seen;     /* (a retransmission: all of it, shown as such, not dissected again) */
        if (retransmit)
            call->st = wmem_memdup(pinfo->pool, &conv->live, sizeof conv->live);
        return;
    }
    /* Replay: a later pass, or a call seen before in this one. */
    call->st = wmem_new0(pinfo->pool, smtpx_state_t);
    if (rec)
        snap_load(conv, rec->snap, call->st);
    else {      /* no record (a call the first pass did not make): an empty state */
        call->st->last_queued = call->st->last_answered = &conv->head;
        call->st->held = wmem_new0(pinfo->pool, smtpx_held_t);
    }
    call->start = rec ? rec->start : 0;
    call->replay = call->start > 0 && call->start >= (int)tvb_captured_length(tvb) ? SMTPX_RETRANSMIT : SMTPX_REPLAY;
    call->gap = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_smtpx, SMTPX_KEY_GAP));
    call->unseen = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_smtpx, SMTPX_KEY_UNSEEN));
}

void smtpx_call_end(smtpx_call_t *call, smtpx_conv_t *conv, gboolean is_client,
                    const struct tcpinfo *tcpinfo, int consumed)
{
    if (call->replay != SMTPX_LIVE || !tcpinfo)
        return;
    conv->next_seq[is_client] = tcpinfo->seq + (guint32)consumed;
    conv->seq_known[is_client] = TRUE;
}

/* Index of a counted kind in smtpx_state_t.pending, or -1. */
static int pending_index(guint16 kind)
{
    switch (kind) {
    case SMTP_CMD_HELO: return 0;
    case SMTP_CMD_EHLO: return 1;
    case SMTP_CMD_LHLO: return 1;   /* counted as EHLO */
    case SMTP_CMD_MAIL: return 2;
    case SMTP_CMD_RCPT: return 3;
    case SMTP_CMD_QUIT: return 4;
    default: return -1;
    }
}

static void count_pending(smtpx_state_t *st, guint16 kind, int delta)
{
    int i = pending_index(kind);
    if (i >= 0)
        st->pending[i] = (guint32)((gint64)st->pending[i] + delta);
}

smtpx_cmd_rec_t *smtpx_queue_push(smtpx_call_t *call, packet_info *pinfo, guint16 kind)
{
    return smtpx_queue_push_at(call, kind, pinfo->num, &pinfo->abs_ts);
}

smtpx_cmd_rec_t *smtpx_queue_push_at(smtpx_call_t *call, guint16 kind, guint32 frame, const nstime_t *time)
{
    smtpx_state_t *st = call->st;
    smtpx_cmd_rec_t *rec;

    switch (call->replay) {
    case SMTPX_LIVE:
        rec = wmem_new0(wmem_file_scope(), smtpx_cmd_rec_t);
        rec->req_frame = frame;
        rec->req_time = *time;
        rec->kind = kind;
        st->last_queued->next = rec;
        break;
    case SMTPX_REPLAY:
        rec = st->last_queued->next;
        if (!rec || rec->req_frame != frame)
            return NULL;
        break;
    default:
        return NULL;
    }
    st->last_queued = rec;
    count_pending(st, kind, 1);
    return rec;
}

const char *smtpx_envelope_sender(const smtpx_state_t *st)
{
    return st->mail_rec ? st->mail_rec->arg : NULL;
}

const smtpx_cmd_rec_t *smtpx_txn_mail(const smtpx_state_t *st, const smtpx_cmd_rec_t *rec)
{
    const smtpx_cmd_rec_t *mail = rec && rec->msg && rec->msg->mail ? rec->msg->mail : st->mail_rec;
    return mail && (mail->rsp_code == 0 || mail->rsp_code / 100 == 2) ? mail : NULL;
}

void smtpx_foreach_recipient(const smtpx_state_t *st, const smtpx_cmd_rec_t *mail,
                             void (*fn)(const smtpx_cmd_rec_t *rec, void *data), void *data)
{
    for (const smtpx_cmd_rec_t *r = mail; r && r != st->last_queued && r->next; r = r->next) {
        const smtpx_cmd_rec_t *c = r->next;
        gboolean refused = c->rsp_code && c->rsp_code / 100 != 2;
        if ((c->kind == SMTP_CMD_MAIL && !refused) || c->kind == SMTP_CMD_RSET)   /* pipelined: the next transaction */
            break;      /* (a refused MAIL inside the transaction, nested, ends nothing) */
        if (c->kind == SMTP_CMD_RCPT && c->arg && (c->rsp_code == 0 || c->rsp_code / 100 == 2))
            fn(c, data);
    }
}

smtpx_cmd_rec_t *smtpx_queue_last(const smtpx_state_t *st)
{
    return st->last_queued->req_frame ? st->last_queued : NULL;
}

smtpx_cmd_rec_t *smtpx_queue_peek(const smtpx_state_t *st)
{
    return st->last_answered != st->last_queued ? st->last_answered->next : NULL;
}

gboolean smtpx_queue_has_pending(const smtpx_state_t *st, guint16 kind)
{
    int i = pending_index(kind);
    return i >= 0 && st->pending[i] > 0;
}

void smtpx_queue_discard(smtpx_state_t *st)
{
    st->last_answered = st->last_queued;
    memset(st->pending, 0, sizeof st->pending);
}

/* The oldest request waiting, no longer waiting (NULL: none). */
static smtpx_cmd_rec_t *queue_advance(smtpx_call_t *call)
{
    smtpx_cmd_rec_t *rec;

    /* (LMTP: no reply comes for a recipient refused after its end of data was sent) */
    while ((rec = smtpx_queue_peek(call->st)) && smtpx_rec_for_refused(rec) && call->replay != SMTPX_RETRANSMIT)
        call->st->last_answered = rec;

    if (!rec || call->replay == SMTPX_RETRANSMIT)
        return rec;
    call->st->last_answered = rec;
    count_pending(call->st, rec->kind, -1);
    return rec;
}

smtpx_cmd_rec_t *smtpx_queue_pop(smtpx_call_t *call, packet_info *pinfo)
{
    smtpx_cmd_rec_t *rec = queue_advance(call);

    if (rec && call->replay == SMTPX_LIVE)
        rec->rsp_frame = pinfo->num;
    return rec;
}

void smtpx_queue_lose(smtpx_call_t *call)
{
    queue_advance(call);
}

static wmem_allocator_t *state_scope(const smtpx_call_t *call, packet_info *pinfo)
{
    return call->replay == SMTPX_LIVE ? wmem_file_scope() : pinfo->pool;
}

const smtpx_chunk_t *smtpx_chunk_add(const smtpx_call_t *call, packet_info *pinfo, const smtpx_chunk_t *prev,
                                     const char *text, gsize len)
{
    smtpx_chunk_t *c = (smtpx_chunk_t *)wmem_alloc(state_scope(call, pinfo), sizeof *c + len);
    c->prev = prev;
    c->len = (guint32)len;
    memcpy(c->data, text, len);
    return c;
}

char *smtpx_chunk_join(packet_info *pinfo, const smtpx_chunk_t *last, const char *sep)
{
    gsize n = 0, total = 0, seplen = strlen(sep);
    for (const smtpx_chunk_t *c = last; c; c = c->prev) {
        n++;
        total += c->len;
    }
    gsize size = total + n * seplen + 1;
    char *out = (char *)wmem_alloc(pinfo->pool, size);
    gsize end = size - 1;
    out[end] = '\0';
    for (const smtpx_chunk_t *c = last; c; c = c->prev) {
        gsize take = MIN((gsize)c->len, end);
        end -= take;
        memcpy(out + end, c->data + c->len - take, take);
        if (c->prev && end >= seplen) {
            end -= seplen;
            memcpy(out + end, sep, seplen);
        }
    }
    return out + end;
}

void *smtpx_state_alloc0(const smtpx_call_t *call, packet_info *pinfo, gsize size)
{
    return wmem_alloc0(state_scope(call, pinfo), size);
}

struct tcp_analysis *smtpx_tcp_data(packet_info *pinfo)
{
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    return conv ? get_tcp_conversation_data(conv, pinfo) : NULL;
}

const char *smtpx_state_strdup(const smtpx_call_t *call, packet_info *pinfo, const char *s, gsize len)
{
    return wmem_strndup(state_scope(call, pinfo), s, len);
}
