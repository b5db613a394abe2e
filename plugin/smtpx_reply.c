/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Server replies: one PDU per reply (all lines of a multi-line reply),
 * reply codes, enhanced status codes, request/response links, and what a
 * reply does to the session. */
#include "smtpx.h"
#include "smtp_codes.h"
#include "smtp_sasl.h"

/* What a reply answers, when not (only) a request. */
typedef enum {
    ANSWERS_REQUEST = 0,    /* its request, or nothing known */
    ANSWERS_GREETING,       /* nothing: it is the server's greeting */
    ANSWERS_TAKEN_END,      /* an end of data only the server saw (SMTP smuggling) */
    ANSWERS_LOST_END,       /* an end of data in client bytes the capture lacks */
    ANSWERS_LINE            /* a line of a refused message sent early, read as a command */
} smtpx_answers_t;

typedef struct {
    smtpx_line_t first;
    smtp_reply_line_t rl;   /* of the first line */
    int end;                /* offset after the last line of the reply */
    int nlines;
    gboolean complete;      /* the final line (code + space) is included */
    gboolean interrupted;   /* not complete: a line without a reply code comes first (its own finding) */
    smtpx_answers_t answers;
    guint32 line_frame;     /* ANSWERS_LINE: the frame that sent the line */
} smtpx_reply_t;

/* Finds the extent of the reply beginning with `first`. FALSE: reassembly asked for. */
static gboolean scan_reply(smtpx_ctx_t *ctx, smtpx_reply_t *r)
{
    smtp_reply_line_t rl = r->rl;
    int len = ctx->len;
    smtpx_line_t line;

    r->end = r->first.next;
    r->nlines = 1;
    if (r->first.partial) {     /* a cut line: the reply goes on (or ends) with it */
        r->complete = rl.sep != '-';
        return TRUE;
    }
    while (rl.sep == '-') {
        gboolean too_big = !smtpx_reply_may_grow(ctx, r->end - r->first.offset);
        if (r->end >= len || too_big) {
            /* beyond the cap, a reply goes on segment by segment */
            if (!too_big && ctx->pinfo->can_desegment && !ctx->st->open_reply_code)
                return FALSE;
            r->complete = FALSE;
            return TRUE;
        }
        if (!smtpx_get_line(ctx, r->end, &line)) {
            if (!ctx->st->open_reply_code)
                return FALSE;
            r->complete = FALSE;    /* (that line is put together on its own) */
            return TRUE;
        }
        if (line.partial || !smtp_parse_reply_line(line.text, (size_t)line.len, &rl)) {
            ctx->st->long_line[0] = 0;  /* that line is looked at again on its own */
            r->complete = FALSE;
            r->interrupted = !line.partial;
            return TRUE;
        }
        r->end = line.next;
        r->nlines++;
    }
    r->complete = TRUE;
    return TRUE;
}

static void add_enhanced(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, int offset, const char *text,
                         size_t len, gboolean *seen)
{
    smtp_enh_t enh;
    smtp_enh_result_t res = smtp_parse_enhanced(text, len, &enh);

    if (res == SMTP_ENH_NONE)
        return;
    *seen = TRUE;
    char *shown = smtpx_line_format(ctx, text, (int)enh.len);
    proto_item *ei = proto_tree_add_string(tree, hf_smtpx_rsp_enhanced, ctx->tvb, offset, (int)enh.len, shown);
    if (res == SMTP_ENH_MALFORMED) {
        smtpx_finding(ctx, &ei_smtpx_enhanced_malformed, ctx->tvb, offset, (int)enh.len,
                      "\"%s\" is not a valid RFC 3463 enhanced status code (class 2, 4 or 5; "
                      "subject and detail of 1-3 digits without leading zeros)", shown);
        return;
    }
    const char *meaning = smtp_enh_code_text(enh.subject, enh.detail);
    proto_item_append_text(ei, " (%s)", meaning ? meaning : "not in the IANA registry");
    proto_tree *et = proto_item_add_subtree(ei, ett_smtpx_enhanced);
    proto_tree_add_uint(et, hf_smtpx_rsp_enhanced_class, ctx->tvb, offset, 1, enh.cls);
    proto_tree_add_uint(et, hf_smtpx_rsp_enhanced_subject, ctx->tvb, offset, (int)enh.len, enh.subject);
    proto_tree_add_uint(et, hf_smtpx_rsp_enhanced_detail, ctx->tvb, offset, (int)enh.len, enh.detail);
    proto_item *mi = proto_tree_add_string(et, hf_smtpx_rsp_enhanced_meaning, ctx->tvb, offset, (int)enh.len,
                                           meaning ? meaning : "Unregistered code");
    proto_item_set_generated(mi);
    proto_item_set_hidden(mi);      /* the code's label already ends with it */
    smtpx_tap_enhanced(ctx, enh.cls, enh.subject);
    if (enh.cls != code / 100)
        smtpx_finding(ctx, &ei_smtpx_enhanced_class_mismatch, ctx->tvb, offset, 1,
                      "Enhanced code %s has class %u but the reply code %u is class %u", shown, enh.cls,
                      code, code / 100);
}

static void add_code(smtpx_ctx_t *ctx, proto_tree *tree, int offset, unsigned code)
{
    proto_item *ci = proto_tree_add_uint(tree, hf_smtpx_rsp_code, ctx->tvb, offset, 3, code);
    proto_tree *ct = proto_item_add_subtree(ci, ett_smtpx_rsp_code);
    proto_item *pi = proto_tree_add_uint(ct, hf_smtpx_rsp_code_class, ctx->tvb, offset, 1, code / 100);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint(ct, hf_smtpx_rsp_code_category, ctx->tvb, offset + 1, 1, (code / 10) % 10);
    proto_item_set_generated(pi);
}

/* Why the server refuses, if the words of a reply line say it. */
static gboolean add_reason(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *text, size_t len)
{
    smtp_reason_match_t m;

    if (!smtp_reply_reason(text, len, &m))
        return FALSE;
    proto_item *pi = proto_tree_add_string(tree, hf_smtpx_rsp_reason, ctx->tvb, offset + (int)m.off, (int)m.len,
                                           m.reason->name);
    proto_item_append_text(pi, ": %s", m.reason->explanation);
    if (m.list_len)
        proto_tree_add_item(proto_item_add_subtree(pi, ett_smtpx_param), hf_smtpx_rsp_blocklist, ctx->tvb,
                            offset + (int)m.list_off, (int)m.list_len, ENC_ASCII);
    smtpx_tap_simple(ctx, SMTPX_EV_REASON, m.reason->name, 0);
    return TRUE;
}

/* The lines of the reply: text, enhanced code, EHLO extensions, reason.
 * Returns TRUE if some line carried an enhanced code. */
static gboolean add_lines(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_reply_t *r, unsigned code,
                          gboolean ehlo)
{
    gboolean enhanced = FALSE, reason = code < 400;
    smtpx_line_t line = r->first;
    smtp_reply_line_t rl = r->rl;

    for (int i = 0; i < r->nlines; i++) {
        if (i > 0) {
            smtpx_get_line(ctx, line.next, &line);
            smtp_parse_reply_line(line.text, (size_t)line.len, &rl);
        }
        int toff = line.offset + (int)rl.text_off;
        int tlen = MAX(line.len - (int)rl.text_off, 0);
        proto_item *pi = proto_tree_add_item(tree, hf_smtpx_rsp_parameter, ctx->tvb, toff, tlen, ENC_UTF_8);
        proto_tree *lt = proto_item_add_subtree(pi, ett_smtpx_ehlo);
        if (rl.code != code) {
            proto_tree_add_uint(lt, hf_smtpx_rsp_line_code, ctx->tvb, line.offset, 3, rl.code);
            smtpx_finding(ctx, &ei_smtpx_continuation_code, ctx->tvb, line.offset, 3,
                          "Line %d of the reply has code %u, the first line has %u", i + 1, rl.code, code);
        }
        if (ehlo && i > 0)
            smtpx_ehlo_line(ctx, lt, toff, line.text + rl.text_off, (size_t)tlen);
        else
            add_enhanced(ctx, lt, code, toff, line.text + rl.text_off, (size_t)tlen, &enhanced);
        /* (in the first lines, as far as RFC 5321's 512 octets: hostile replies stay cheap) */
        if (!reason && i < 8)
            reason = add_reason(ctx, lt, toff, line.text + rl.text_off, (size_t)MIN(tlen, 512));
    }
    return enhanced;
}

/* "Request in frame": the frame the reply answers. */
static proto_item *add_request_link(smtpx_ctx_t *ctx, proto_tree *tree, guint32 frame)
{
    proto_item *pi = proto_tree_add_uint(tree, hf_smtpx_response_to, ctx->tvb, 0, 0, frame);
    proto_item_set_generated(pi);
    return pi;
}

/* The reply's request, and the time since it; or the line it answers. */
static void add_response_links(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_cmd_rec_t *rec,
                               const smtpx_reply_t *r)
{
    if (r->answers == ANSWERS_LINE)
        proto_item_append_text(add_request_link(ctx, tree, r->line_frame),
                               " (a line of the message sent before the reply to DATA, read as a command)");
    if (!rec || !rec->req_frame)    /* (an end of data the capture lacks) */
        return;
    add_request_link(ctx, tree, rec->req_frame);
    nstime_t delta;
    nstime_delta(&delta, &ctx->pinfo->abs_ts, &rec->req_time);
    proto_item_set_generated(proto_tree_add_time(tree, hf_smtpx_time, ctx->tvb, 0, 0, &delta));
}

static gboolean is_greeting(const smtpx_state_t *st, unsigned code)
{
    const smtpx_cmd_rec_t *pending = smtpx_queue_peek(st);
    return !(st->flags & SMTPX_F_ANY_REPLY) && (code == 220 || code == 421 || code == 554) &&
           !(pending && smtp_cmd_starts_tls((smtp_cmd_t)pending->kind));
}

/* The findings counted from now on: the next transaction's (with those of
 * its MAIL, if it was pipelined behind). */
static void count_next_findings(smtpx_state_t *st)
{
    st->txn_findings = (st->flags & SMTPX_F_NEXT_TXN) ? st->next_txn_findings : 0;
    st->next_txn_findings = 0;
    st->flags &= ~SMTPX_F_NEXT_TXN;
}

/* The final reply of a mail transaction: its row in the logs (rec: the request it answers, if any;
 * code 0: the transaction ended without a message). */
static void log_transaction(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code)
{
    smtpx_tap_transaction(ctx, rec, code);
    count_next_findings(ctx->st);
    ctx->st->flags |= SMTPX_F_LOGGED;
}

static void end_transaction(smtpx_ctx_t *ctx)
{
    smtpx_state_t *st = ctx->st;

    /* given up before a reply to its message (RSET, a new hello, QUIT, STARTTLS, 421): a row without one */
    if ((st->flags & (SMTPX_F_MAIL | SMTPX_F_RCPT)) && !(st->flags & SMTPX_F_LOGGED))
        log_transaction(ctx, NULL, 0);
    else if (st->flags & SMTPX_F_NEXT_TXN)
        count_next_findings(st);
    st->flags &= ~(SMTPX_F_MAIL | SMTPX_F_RCPT | SMTPX_F_LOGGED);
    st->rcpt_ok = st->rcpt_bad = 0;
    /* a MAIL still waiting for its reply was pipelined behind the request
     * answered now: its record and message belong to the next transaction */
    if (smtpx_queue_has_pending(st, SMTP_CMD_MAIL))
        return;
    smtpx_message_server_ended(ctx);
    st->mail_rec = NULL;
    st->msg = NULL;
}

static void add_recipient(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code)
{
    smtpx_state_t *st = ctx->st;
    gboolean ok = code / 100 == 2;

    if (!ok) {      /* (accepted without a MAIL seen: the capture began after it) */
        st->rcpt_bad++;
        return;
    }
    smtpx_check_relay(ctx, rec, code);
    st->flags |= SMTPX_F_RCPT;
    st->rcpt_ok++;
}

/* What the server advertised: gone with a new EHLO reply or a new session. */
static void forget_extensions(smtpx_state_t *st)
{
    st->ext = st->auth_mechs = st->listed_attrs[0] = st->listed_attrs[1] = 0;
    st->size_limit = 0;
    st->auth_others = NULL;
}

/* The server forgets the hello, its extensions, the login and the
 * transaction (RFC 3207 after STARTTLS; Postfix after XCLIENT): the client
 * must say EHLO again. */
static void restart_session(smtpx_ctx_t *ctx)
{
    smtpx_state_t *st = ctx->st;

    end_transaction(ctx);
    st->flags &= ~(SMTPX_F_HELLO | SMTPX_F_HELLO_UNSEEN | SMTPX_F_EHLO | SMTPX_F_AUTHED | SMTPX_F_AUTH_UNSEEN);
    st->login_user = NULL;
    forget_extensions(st);
}

/* The session is logged in by the exchange just ended: it keeps that
 * login's mechanism and user (a later AUTH, refused, changes neither). */
static void logged_in(smtpx_state_t *st)
{
    st->flags |= SMTPX_F_AUTHED;
    st->login_mech = st->auth_mech;
    st->login_user = st->auth_user;
}

/* XCLIENT accepted: a new session, from the client it names (ADDR), logged
 * in as its LOGIN as Postfix takes it (sasl_method=XCLIENT). */
static void xclient_accepted(smtpx_ctx_t *ctx, const char *arg)
{
    unsigned char addr[16];
    size_t n = arg ? strlen(arg) : 0, off, len;
    int family = smtp_xclient_addr(arg, n, addr);

    if (family)
        smtpx_keep_real_client(ctx, family, addr);
    if (smtp_xclient_value(arg, n, "LOGIN", &off, &len)) {
        ctx->st->auth_mech = SMTP_SASL_UNKNOWN;
        const char *login = smtpx_xtext(ctx, arg + off, len);
        ctx->st->auth_user = smtpx_state_strdup(&ctx->call, ctx->pinfo, login, strlen(login));
        ctx->st->auth_user_frame = ctx->pinfo->num;
        logged_in(ctx->st);
    }
}

static void forget_lmtp(smtpx_ctx_t *ctx)
{
    ctx->st->flags &= ~SMTPX_F_LMTP;
    if (ctx->call.replay == SMTPX_LIVE)
        ctx->conv->lmtp = FALSE;    /* (the Protocol column) */
}

/* What a complete reply to `rec` does to the session. */
static void apply_reply(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, unsigned code)
{
    smtpx_state_t *st = ctx->st;
    gboolean ok = code / 100 == 2;

    smtpx_check_guessing(ctx, rec, code);
    switch (rec->kind) {
    case SMTP_CMD_HELO:
    case SMTP_CMD_EHLO:
    case SMTP_CMD_LHLO:
        if (rec->kind == SMTP_CMD_LHLO ? !ok : ok)    /* SMTP after all (a refused LHLO, an accepted EHLO) */
            forget_lmtp(ctx);
        if (ok) {
            st->flags = (st->flags | SMTPX_F_HELLO) & ~SMTPX_F_EHLO;
            st->flags |= smtp_cmd_is_ehlo((smtp_cmd_t)rec->kind) ? SMTPX_F_EHLO : 0;
            end_transaction(ctx);
        } else {
            st->client_name = rec->arg;     /* the name before the refused one */
        }
        break;
    case SMTP_CMD_MAIL:
        /* pipelined RCPT and BDAT may already follow: keep what they started */
        if (ok) {
            st->flags = (st->flags | SMTPX_F_MAIL) & ~(SMTPX_F_RCPT | SMTPX_F_LOGGED);
            st->rcpt_ok = st->rcpt_bad = 0;
        } else {
            if (st->mail_rec == rec)    /* the open transaction's, if one was (a refused MAIL pipelined in it) */
                st->mail_rec = st->open_mail_rec;
            if ((st->flags & SMTPX_F_NEXT_TXN) && !smtpx_queue_has_pending(st, SMTP_CMD_MAIL)) {
                st->txn_findings += st->next_txn_findings;     /* no next transaction after all */
                st->next_txn_findings = 0;
                st->flags &= ~SMTPX_F_NEXT_TXN;
            }
        }
        break;
    case SMTP_CMD_RCPT:
        add_recipient(ctx, rec, code);
        break;
    case SMTP_CMD_DATA:
        if (smtpx_rec_sent_early(rec)) {     /* the message came before this reply */
            if (code != 354)
                smtpx_message_refused(ctx, rec);
        } else if (code == 354) {
            st->mode = SMTPX_MODE_DATA;
            smtpx_message_begin(ctx, rec);
        } else {
            st->data_refused = ctx->pinfo->num;
        }
        break;
    case SMTPX_KIND_EOD:
    case SMTP_CMD_RSET:
        end_transaction(ctx);
        break;
    case SMTP_CMD_BDAT:
        if (rec->last || !ok)
            end_transaction(ctx);
        break;
    case SMTP_CMD_AUTH:
    case SMTPX_KIND_AUTH_STEP:
        st->mode = code == 334 ? SMTPX_MODE_AUTH : SMTPX_MODE_COMMAND;
        if (code == 235)
            logged_in(st);
        break;
    case SMTP_CMD_STARTTLS:
    case SMTP_CMD_X_ANONYMOUSTLS:
        if (code == 220) {
            restart_session(ctx);
            smtpx_queue_discard(st);    /* commands sent before TLS (smtpx.analysis.starttls_injection) */
            st->flags |= SMTPX_F_TLS;
            st->mode = SMTPX_MODE_TLS;
            if (ctx->call.replay != SMTPX_RETRANSMIT)
                smtpx_start_tls(ctx->pinfo);
        }
        break;
    case SMTP_CMD_QUIT:
        if (code == 221) {
            st->flags |= SMTPX_F_QUIT;
            end_transaction(ctx);   /* (a message in chunks without its LAST is given up) */
        }
        break;
    case SMTP_CMD_XCLIENT:
        if (code == 220) {
            restart_session(ctx);
            xclient_accepted(ctx, rec->arg);
        }
        break;
    default:
        break;
    }
}

/* Is this the final reply of a mail transaction (for the transaction log)? */
static gboolean ends_transaction(const smtpx_state_t *st, const smtpx_cmd_rec_t *rec, unsigned code)
{
    gboolean failed = code >= 400, open = (st->flags & SMTPX_F_MAIL) != 0;

    if (rec->kind == SMTP_CMD_BDAT)     /* the first chunk refused ends it; later ones get 503 */
        return failed ? open : rec->last;
    return rec->kind == SMTPX_KIND_EOD || (rec->kind == SMTP_CMD_DATA && failed && open && !smtpx_in_chunks(st));
}

/* A reply while the client is still sending the message: the server took an
 * earlier line for the end of data, or (4xx, 5xx) aborted the transfer. If
 * the message had an end that only some servers take (<LF>.<LF>,
 * <CR>.<CR>), the reply answers it as it would "." (ANSWERS_TAKEN_END), as it
 * does an end in bytes the capture lacks (ANSWERS_LOST_END); ANSWERS_REQUEST
 * if there is none, and the transaction ends without its message. */
static smtpx_answers_t reply_during_data(smtpx_ctx_t *ctx, const smtpx_reply_t *r)
{
    smtpx_state_t *st = ctx->st;
    const smtpx_early_end_t *end = st->msg ? &st->msg->early_end : NULL;

    st->mode = SMTPX_MODE_COMMAND;
    smtpx_cmd_rec_t *rec = NULL;
    if (end && end->frame)
        rec = smtpx_queue_push_at(&ctx->call, SMTPX_KIND_EOD, end->frame, &end->time);
    if (rec) {
        if (ctx->call.replay == SMTPX_LIVE)
            rec->early_taken = 1;
        if (!end->meant)
            smtpx_finding(ctx, &ei_smtpx_smuggling, ctx->tvb, r->first.offset, 3,
                          "Reply %u while the client was sending the message: the server took the lone \".\" "
                          "of frame %u for the end of data (SMTP smuggling)", r->rl.code, end->frame);
        return ANSWERS_TAKEN_END;
    }
    /* the reply acknowledges client bytes the capture lacks: they held the end of data (no frame, no time) */
    gboolean begun = !(st->msg && st->msg->start_unseen);
    if (ctx->call.unseen && begun && smtpx_queue_push_at(&ctx->call, SMTPX_KIND_EOD, 0, &ctx->pinfo->abs_ts))
        return ANSWERS_LOST_END;
    /* an error reply aborts the transfer (its own finding says so); in a message the capture began
     * inside, the lines were no message after all (a BDAT chunk's, a command's) */
    if (r->rl.code < 400 && begun)
        smtpx_finding(ctx, &ei_smtpx_smuggling, ctx->tvb, r->first.offset, 3,
                      "Reply %u while the client was sending the message: the server took an earlier "
                      "line for the end of data", r->rl.code);
    if (begun)     /* (else those lines were no message after all) */
        log_transaction(ctx, NULL, r->rl.code);
    end_transaction(ctx);
    return ANSWERS_REQUEST;
}

/* The server refused DATA, but the client had sent the message: the server
 * reads its lines as commands (smtpx_message_refused counted them), and the
 * reply may answer one. A server that closes the connection instead (221,
 * 421) answers no more. The "." of such a message is queued: see
 * match_request. */
static gboolean answers_line(smtpx_state_t *st, smtpx_reply_t *r)
{
    if (!st->lines_as_commands)
        return FALSE;
    st->lines_as_commands = smtp_reply_closes(r->rl.code) ? 0 : st->lines_as_commands - 1;
    r->answers = ANSWERS_LINE;
    r->line_frame = st->lines_frame;
    return TRUE;
}

static gboolean reply_fits(const smtpx_cmd_rec_t *rec, unsigned code)
{
    return smtp_reply_fits(code, rec->kind == SMTPX_KIND_AUTH_STEP ? SMTP_CMD_AUTH
                                 : rec->kind < SMTP_CMD_COUNT ? (smtp_cmd_t)rec->kind : SMTP_CMD_UNKNOWN);
}

/* The oldest request waiting got a reply the capture lacks. The client went
 * on, as after an acceptance: so it counts for the order of commands (no
 * counts, no checks of its own; a hello's extensions and an AUTH's outcome
 * stay unknown). */
static void reply_lost(smtpx_ctx_t *ctx)
{
    const smtpx_cmd_rec_t *rec = smtpx_queue_peek(ctx->st);

    if (rec && smtp_cmd_is_hello((smtp_cmd_t)rec->kind))
        ctx->st->flags |= SMTPX_F_HELLO_UNSEEN;
    else if (rec && (rec->kind == SMTP_CMD_AUTH || rec->kind == SMTPX_KIND_AUTH_STEP))
        ctx->st->flags |= SMTPX_F_AUTH_UNSEEN;
    else if (rec && rec->kind == SMTP_CMD_MAIL)
        ctx->st->flags |= SMTPX_F_MAIL;
    else if (rec && rec->kind == SMTP_CMD_RCPT)
        ctx->st->flags |= SMTPX_F_RCPT;
    smtpx_queue_lose(&ctx->call);
}

/* A reply only one verb gets (354 to DATA...) while an older request waits:
 * the replies to the requests before its own are missing from the capture.
 * Looks a few requests ahead only, so that many pipelined ones cost no more. */
static void skip_lost_replies(smtpx_ctx_t *ctx, unsigned code)
{
    const smtpx_state_t *st = ctx->st;
    const smtpx_cmd_rec_t *first = smtpx_queue_peek(st), *rec = first;

    if (!first || reply_fits(first, code))
        return;
    for (int ahead = 0; rec != st->last_queued && ahead < 8; ahead++) {
        rec = rec->next;
        if (reply_fits(rec, code)) {
            while (smtpx_queue_peek(st) != rec)
                reply_lost(ctx);
            return;
        }
    }
}

/* The first command of a segment that acknowledges server bytes the
 * capture lacks, while AUTH or STARTTLS of an earlier segment waits: the
 * reply in those bytes ended it (a command, not base64 nor TLS, follows). */
void smtpx_replies_unseen_command(smtpx_ctx_t *ctx)
{
    const smtpx_cmd_rec_t *rec = smtpx_queue_peek(ctx->st);

    if (ctx->call.unseen && rec && rec->req_frame < ctx->pinfo->num &&
        (rec->kind == SMTP_CMD_AUTH || smtp_cmd_starts_tls((smtp_cmd_t)rec->kind)))
        reply_lost(ctx);
}

/* A client segment acknowledges server bytes the capture lacks: they held
 * the reply to the oldest request waiting (a client waits for it, or the
 * lost bytes came first), unless a reply is open (they held its rest). For
 * DATA, AUTH and STARTTLS the client's next bytes tell what that reply was
 * (smtpx_message_sent_early, smtpx_auth_unseen_challenge; a ClientHello). */
void smtpx_replies_unseen(smtpx_ctx_t *ctx)
{
    const smtpx_cmd_rec_t *rec = smtpx_queue_peek(ctx->st);

    if (ctx->is_client && rec && rec->kind != SMTP_CMD_DATA && rec->kind != SMTP_CMD_AUTH &&
        !smtp_cmd_starts_tls((smtp_cmd_t)rec->kind) && !ctx->st->open_reply_code && ctx->st->mode != SMTPX_MODE_TLS)
        reply_lost(ctx);
}

/* Which request the reply answers; NULL when none is known, or when it
 * answers no request (r->answers says what it does answer). */
static smtpx_cmd_rec_t *match_request(smtpx_ctx_t *ctx, smtpx_reply_t *r)
{
    smtpx_state_t *st = ctx->st;
    smtpx_cmd_rec_t *rec;

    if (st->open_reply_code)
        return st->open_reply;
    if (is_greeting(st, r->rl.code)) {
        r->answers = ANSWERS_GREETING;
        return NULL;
    }
    if (answers_line(st, r))
        return NULL;
    if (st->mode == SMTPX_MODE_DATA && !smtpx_queue_peek(st)) {
        r->answers = reply_during_data(ctx, r);
        if (r->answers == ANSWERS_REQUEST)
            return NULL;
    }
    skip_lost_replies(ctx, r->rl.code);
    rec = smtpx_queue_pop(&ctx->call, ctx->pinfo);
    if (rec && ctx->call.replay == SMTPX_LIVE)
        rec->rsp_code = (guint16)r->rl.code;
    if (rec && rec->kind == SMTPX_KIND_EOD && rec->msg && rec->msg->refused) {     /* its "." read as a command */
        r->answers = ANSWERS_LINE;
        r->line_frame = rec->req_frame;
        return NULL;
    }
    /* a server that shuts down or times out may send 421 unasked (RFC 5321 3.8); a reply
     * in a segment that acknowledges client bytes the capture lacks may answer them */
    if (!rec && (st->flags & SMTPX_F_GREETING) && r->rl.code != 421 && !ctx->call.unseen)
        smtpx_finding(ctx, &ei_smtpx_unsolicited_reply, ctx->tvb, r->first.offset, 3,
                      "Reply %u answers no command of the client", r->rl.code);
    return rec;
}

/* The text of the reply's first line after its code, at *offset in the tvb. */
static const char *first_text(const smtpx_reply_t *r, int *offset, int *len)
{
    *offset = r->first.offset + (int)r->rl.text_off;
    *len = MAX(r->first.len - (int)r->rl.text_off, 0);
    return r->first.text + r->rl.text_off;
}

static void add_info(smtpx_ctx_t *ctx, const smtpx_reply_t *r, const char *shown)
{
    if (r->nlines > 1)
        smtpx_info_appendf(ctx, "%s (+%d line%s)", shown, r->nlines - 1, r->nlines == 2 ? "" : "s");
    else
        smtpx_info_append(ctx, shown);
}

static int dissect_not_a_reply(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    ctx->pdu_item = proto_tree_add_item(ctx->tree, hf_smtpx_rsp_parameter, ctx->tvb, line->offset, line->len,
                                        ENC_UTF_8);
    smtpx_finding(ctx, &ei_smtpx_not_a_reply, ctx->tvb, line->offset, line->len,
                  "Server line does not start with a three-digit reply code");
    smtpx_info_append(ctx, smtpx_line_format(ctx, line->text, line->len));
    return line->next - line->offset;
}

/* What the reply says about the request it answers: AUTH outcome, queue id. */
static void add_request_specific(smtpx_ctx_t *ctx, proto_tree *rt, const smtpx_reply_t *r, smtpx_cmd_rec_t *rec,
                                 unsigned code)
{
    int text_off, text_len;
    const char *text = first_text(r, &text_off, &text_len);

    if (!rec && code == 334 && r->complete && r->answers == ANSWERS_REQUEST)
        smtpx_auth_unasked_challenge(ctx, rt, text, text_off, text_len);
    if (!rec)
        return;
    if ((rec->kind == SMTP_CMD_AUTH || rec->kind == SMTPX_KIND_AUTH_STEP) && r->complete)
        smtpx_auth_reply(ctx, rt, code, text, text_off, text_len);
    if (smtpx_rec_for_recipient(rec))
        smtpx_add_generated(ctx, rt, hf_smtpx_rsp_recipient, rec->arg);
    if (smtpx_rec_ends_message(rec))
        smtpx_message_reply(ctx, rt, rec, text, text_off, text_len);
    if (smtp_cmd_is_hello((smtp_cmd_t)rec->kind) && code == 250)
        smtpx_hello_reply(ctx, rt, text, text_off, text_len);
}

/* A complete reply: what it does to the session, notes, findings, taps. */
static void finish_reply(smtpx_ctx_t *ctx, proto_tree *rt, const smtpx_reply_t *r, smtpx_cmd_rec_t *rec,
                         unsigned code, gboolean enhanced)
{
    gboolean greeting = r->answers == ANSWERS_GREETING;
    smtpx_state_t *st = ctx->st;
    int offset = r->first.offset, text_off, text_len;
    const char *text = first_text(r, &text_off, &text_len);

    st->open_reply_code = 0;
    st->open_reply = NULL;
    st->flags |= SMTPX_F_ANY_REPLY;
    if (greeting) {
        st->flags |= SMTPX_F_GREETING;
        smtpx_greeting(ctx, rt, code, text, text_off, text_len);
        smtpx_check_early_talker(ctx, offset);
    }
    smtpx_check_reply(ctx, code, offset, text, text_len);
    smtpx_check_enhanced_missing(ctx, rec, greeting, code, enhanced, offset);
    if (r->answers == ANSWERS_LINE)
        smtpx_note_line_reply(ctx, rt, code, r->line_frame);
    else
        smtpx_note_reply(ctx, rt, code, rec, greeting);
    smtpx_tap_reply(ctx, code, rec, greeting);
    /* LMTP: the transaction ends with the reply for its last recipient */
    if (rec && !smtpx_rec_next_recipient(rec)) {
        smtpx_check_sent_early_reply(ctx, rec, code, offset);
        if (ends_transaction(st, rec, code))
            log_transaction(ctx, rec, code);
        apply_reply(ctx, rec, code);
    }
    if (code == 421)    /* the server closes the session (RFC 5321 3.8) */
        end_transaction(ctx);
}

int smtpx_dissect_reply(smtpx_ctx_t *ctx, const smtpx_line_t *first)
{
    smtpx_reply_t r = { .first = *first };
    smtpx_state_t *st = ctx->st;

    if (!smtp_parse_reply_line(first->text, (size_t)first->len, &r.rl))
        return dissect_not_a_reply(ctx, first);
    if (!scan_reply(ctx, &r))
        return 0;
    unsigned code = st->open_reply_code ? st->open_reply_code : r.rl.code;
    smtpx_cmd_rec_t *rec = match_request(ctx, &r);
    gboolean ehlo = rec && smtp_cmd_is_ehlo((smtp_cmd_t)rec->kind) && code == 250;

    const char *shown = smtpx_line_format(ctx, first->text, first->len);
    proto_item *ri = smtpx_add_shown(ctx, ctx->tree, hf_smtpx_rsp, first->offset, r.end - first->offset, shown);
    proto_tree *rt = proto_item_add_subtree(ri, ett_smtpx_rsp);
    ctx->pdu_item = ri;
    smtpx_mark_cut(ri, first);
    add_code(ctx, rt, first->offset, r.rl.code);
    if (ehlo && !st->open_reply_code)       /* a new EHLO reply replaces what was advertised */
        forget_extensions(st);
    gboolean enhanced = add_lines(ctx, rt, &r, code, ehlo);
    add_request_specific(ctx, rt, &r, rec, code);
    if (r.answers == ANSWERS_TAKEN_END)
        smtpx_message_taken(ctx, rec, first->offset);
    else if (r.answers == ANSWERS_LOST_END)
        smtpx_message_end_lost(ctx, ri, rec, first->offset);
    add_response_links(ctx, rt, rec, &r);
    add_info(ctx, &r, shown);
    if (r.complete) {
        finish_reply(ctx, rt, &r, rec, code, enhanced);
        return r.end - first->offset;
    }
    if (!st->open_reply_code && !r.interrupted)
        smtpx_finding(ctx, &ei_smtpx_reply_truncated, ctx->tvb, first->offset, 3,
                      "Reply %u continues beyond this part (%d lines so far); the rest is shown in parts",
                      code, r.nlines);
    st->open_reply_code = (guint16)code;
    st->open_reply = rec;
    return r.end - first->offset;
}
