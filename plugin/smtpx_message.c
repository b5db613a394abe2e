/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The message as the reader sees it: header lines, the headers that
 * matter (RFC 2047 words decoded), and the summary at the end of data. */
#include "smtpx.h"
#include "smtp_imf.h"


typedef struct {
    const char *name;
    int *hf;
} smtpx_header_field_t;

static const smtpx_header_field_t header_fields[] = {
    { "To", &hf_smtpx_header_to },
    { "Cc", &hf_smtpx_header_cc },
    { "Date", &hf_smtpx_header_date },
    { "Message-ID", &hf_smtpx_header_message_id },
    { "Reply-To", &hf_smtpx_header_reply_to },
    { "Sender", &hf_smtpx_header_sender },
    { "Return-Path", &hf_smtpx_header_return_path },
    { "In-Reply-To", &hf_smtpx_header_in_reply_to },
    { "User-Agent", &hf_smtpx_header_user_agent },
    { "X-Mailer", &hf_smtpx_header_user_agent },
    { "X-Originating-IP", &hf_smtpx_header_originating_ip },
};

/* One RFC 2047 encoded word =?charset?B|Q?text?= at s; returns its length, 0 if none. */
static size_t decode_word(wmem_strbuf_t *out, const char *s)
{
    char **parts;
    size_t len = 0;
    const char *end;

    const char *q = strncmp(s, "=?", 2) == 0 ? strchr(s + 2, '?') : NULL;    /* after the charset */
    if (!q || !q[1] || q[2] != '?' || !(end = strstr(q + 3, "?=")))    /* (the text may start with "=") */
        return 0;
    char *word = g_strndup(s + 2, (gsize)(end - s - 2));
    parts = g_strsplit(word, "?", 3);
    if (g_strv_length(parts) == 3 && strlen(parts[1]) == 1) {
        gsize raw_len = 0;
        guchar *raw;
        if (g_ascii_toupper(parts[1][0]) == 'B') {
            raw = g_base64_decode(parts[2], &raw_len);
        } else {
            raw = (guchar *)g_strdup(parts[2]);
            for (char *p = (char *)raw; *p; p++) {
                if (*p == '_')
                    *p = ' ';
                else if (*p == '=' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
                    *(guchar *)(raw + raw_len++) = (guchar)(g_ascii_xdigit_value(p[1]) * 16 + g_ascii_xdigit_value(p[2]));
                    p += 2;
                    continue;
                }
                raw[raw_len++] = (guchar)*p;
            }
        }
        char *utf8 = g_convert((const char *)raw, (gssize)raw_len, "UTF-8", parts[0], NULL, NULL, NULL);
        if (utf8) {
            wmem_strbuf_append(out, utf8);
            len = (size_t)(end + 2 - s);
        }
        g_free(utf8);
        g_free(raw);
    }
    g_strfreev(parts);
    g_free(word);
    return len;
}

/* RFC 2047: encoded words decoded, blanks between two of them dropped. */
const char *smtpx_decode_rfc2047(wmem_allocator_t *pool, const char *s)
{
    wmem_strbuf_t *out = wmem_strbuf_new(pool, "");
    gboolean after_word = FALSE;

    while (*s) {
        size_t n = decode_word(out, s);
        if (n) {
            s += n;
            after_word = TRUE;
            continue;
        }
        const char *ws = s;
        while (*ws == ' ' || *ws == '\t')
            ws++;
        if (after_word && ws != s && strncmp(ws, "=?", 2) == 0 && decode_word(wmem_strbuf_new(pool, ""), ws)) {
            s = ws;
            continue;
        }
        wmem_strbuf_append_c(out, *s++);
        after_word = FALSE;
    }
    return wmem_strbuf_get_str(out);
}

static gboolean header_named(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && g_ascii_strncasecmp(name, want, len) == 0;
}

/* Is the header one that analysis or the header summary reads? Only those
 * are kept (Received chains and signatures are the bulk of a header block). */
static gboolean is_kept_header(const char *name, size_t len)
{
    static const char *const read_whole[] = { "From", "Subject", "DKIM-Signature", "Authentication-Results",
                                              "ARC-Authentication-Results", "Received-SPF" };
    for (size_t i = 0; i < G_N_ELEMENTS(read_whole); i++) {
        if (header_named(name, len, read_whole[i]))
            return TRUE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(header_fields); i++) {
        if (header_named(name, len, header_fields[i].name))
            return TRUE;
    }
    return FALSE;
}

/* Whether a header line item would be real: a tree shown, or a filter on it. */
static gboolean header_wanted(proto_tree *tree)
{
    return proto_field_is_referenced(tree, hf_smtpx_data_header) ||
           proto_field_is_referenced(tree, hf_smtpx_data_header_name) ||
           proto_field_is_referenced(tree, hf_smtpx_data_header_value);
}

/* A line of body text where a header or the empty line after the headers
 * should be: the body begins there (RFC 5322 2.1), and a header typed after
 * it is text of the body. */
static void body_without_blank_line(smtpx_ctx_t *ctx, const smtpx_line_t *line)
{
    const char *shown = smtpx_line_format(ctx, line->text, MIN(line->len, 40));    /* (a label holds 240 bytes) */

    if (ctx->st->msg_lines == 0)
        smtpx_finding(ctx, &ei_smtpx_missing_blank_line, ctx->tvb, line->offset, line->len,
                      "\"%s\" is not a header field (Name: value): the message has no header at all, its body "
                      "begins here (RFC 5322: the headers, an empty line, then the body)", shown);
    else
        smtpx_finding(ctx, &ei_smtpx_missing_blank_line, ctx->tvb, line->offset, line->len,
                      "\"%s\" is not a header field (Name: value), and no empty line came before it: the header "
                      "block ends here and the body begins (RFC 5322), so a header typed after it (Subject:...) "
                      "is only text of the body", shown);
}

void smtpx_header_line(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line)
{
    smtpx_state_t *st = ctx->st;
    size_t name_len, value_off;

    if (line->continuation || line->partial) {
        return;
    }
    /* (a first line that starts with a blank folds nothing: no header) */
    gboolean folded = smtp_header_is_folded(line->text, (size_t)line->len) && st->msg_lines > 0;
    if (line->len == 0 || (!folded && !smtp_header_split(line->text, (size_t)line->len, &name_len, &value_off))) {
        if (line->len > 0)
            body_without_blank_line(ctx, line);
        smtpx_headers_end(ctx);     /* an empty line or body text: the body begins */
        return;
    }
    if (!folded && header_wanted(tree)) {
        /* hidden (filterable, not printed): the message line shows the same text */
        proto_item *hi = proto_tree_add_string(tree, hf_smtpx_data_header, ctx->tvb, line->offset, line->len,
                                               smtpx_line_format(ctx, line->text, line->len));
        proto_item_set_hidden(hi);
        proto_tree *ht = proto_item_add_subtree(hi, ett_smtpx_param);
        proto_item_set_hidden(proto_tree_add_item(ht, hf_smtpx_data_header_name, ctx->tvb, line->offset,
                                                  (int)name_len, ENC_ASCII));
        proto_item_set_hidden(proto_tree_add_item(ht, hf_smtpx_data_header_value, ctx->tvb,
                                                  line->offset + (int)value_off, line->len - (int)value_off,
                                                  ENC_UTF_8));
    } else if (folded && smtp_skip_wsp(line->text, (size_t)line->len, 0) == (size_t)line->len) {
        smtpx_finding(ctx, &ei_smtpx_missing_blank_line, ctx->tvb, line->offset, line->len,
                      "A line of blanks is no empty line: it continues the header before it (RFC 5322 folding), "
                      "so the body has not begun");
    } else if (folded && header_wanted(tree)) {     /* the rest of a folded value: filters find it too */
        proto_item_set_hidden(proto_tree_add_item(tree, hf_smtpx_data_header_value, ctx->tvb, line->offset,
                                                  line->len, ENC_UTF_8));
    }
    if (!folded) {      /* a folded line belongs to the header before it */
        if (is_kept_header(line->text, name_len))
            st->msg_flags |= SMTPX_MSG_HDR_KEPT;
        else
            st->msg_flags &= (guint8)~SMTPX_MSG_HDR_KEPT;
    }
    if ((st->msg_flags & SMTPX_MSG_HDR_KEPT) && st->headers_len + (guint32)line->len + 2 <= SMTPX_MAX_HEADERS) {
        /* the line may hold NUL bytes: copy it by length, not as a string */
        char *text = (char *)wmem_alloc(ctx->pinfo->pool, (gsize)line->len + 2);
        memcpy(text, line->text, (gsize)line->len);
        memcpy(text + line->len, "\r\n", 2);
        st->headers = smtpx_chunk_add(&ctx->call, ctx->pinfo, st->headers, text, (gsize)line->len + 2);
        st->headers_len += (guint32)line->len + 2;
    }
}

/* The value of the next header `name` of the block from *pos, as written,
 * at most cap - 1 bytes (pool), or NULL; *pos moves past it. */
static const char *next_value(smtpx_ctx_t *ctx, const char *block, size_t len, const char *name, size_t *pos,
                              size_t cap)
{
    char *value = (char *)wmem_alloc(ctx->pinfo->pool, cap);
    return smtp_header_next(block, len, name, pos, value, cap) ? value : NULL;
}

/* The value of the first header `name` of the block (see next_value). */
static const char *value_of(smtpx_ctx_t *ctx, const char *block, size_t len, const char *name, size_t cap)
{
    size_t pos = 0;
    return next_value(ctx, block, len, name, &pos, cap);
}

static const char *header_value(smtpx_ctx_t *ctx, const char *block, const char *name)
{
    return value_of(ctx, block, strlen(block), name, SMTPX_MAX_VALUE);
}

const char *smtpx_whole_header(smtpx_ctx_t *ctx, const char *block, const char *name)
{
    size_t len = strlen(block);
    return value_of(ctx, block, len, name, len + 1);
}

#define SMTPX_MAX_FROM 64       /* mailboxes of a From header shown; the rest are skipped */
#define SMTPX_MAX_REPEATS 16    /* headers of one name shown (a header written twice: both, as filters see) */

/* Every header `name` of the block under tree, as field hf (RFC 2047
 * decoded if asked); returns the first value shown, or NULL. */
static const char *add_header_values(smtpx_ctx_t *ctx, proto_tree *tree, int hf, const char *block,
                                     const char *name, gboolean decode)
{
    size_t pos = 0, len = strlen(block);
    const char *value, *first = NULL;

    for (unsigned n = 0; n < SMTPX_MAX_REPEATS; n++) {
        if (!(value = next_value(ctx, block, len, name, &pos, SMTPX_MAX_VALUE)))
            break;
        value = decode ? smtpx_decode_rfc2047(ctx->pinfo->pool, value) : value;
        smtpx_add_generated(ctx, tree, hf, value);
        first = first ? first : value;
    }
    return first;
}

/* Every mailbox the From header names (RFC 5322 3.6.2 allows several, and
 * a group's members count), each with its display name; the first is the
 * message's sender in the logs. */
static void add_from(smtpx_ctx_t *ctx, proto_tree *tree, const char *block)
{
    const char *value = smtpx_whole_header(ctx, block, "From");
    smtp_mailbox_t mb;
    size_t pos = 0, len = value ? strlen(value) : 0;

    for (unsigned n = 0; n < SMTPX_MAX_FROM && value && smtp_mailbox_list_next(value, len, &pos, &mb); n++) {
        const char *addr = wmem_strndup(ctx->pinfo->pool, value + mb.addr_off, mb.addr_len);
        smtpx_add_generated(ctx, tree, hf_smtpx_header_from, addr);
        if (mb.display_len) {
            const char *raw = wmem_strndup(ctx->pinfo->pool, value + mb.display_off, mb.display_len);
            smtpx_add_generated(ctx, tree, hf_smtpx_header_from_display, smtpx_decode_rfc2047(ctx->pinfo->pool, raw));
        }
        if (n == 0)
            ctx->st->facts.from = smtpx_state_strdup(&ctx->call, ctx->pinfo, addr, strlen(addr));
    }
}

/* A DKIM tag of a signature as a string (NULL if absent). */
static const char *dkim_tag(smtpx_ctx_t *ctx, const char *value, const char *name)
{
    size_t off, len;
    return smtp_dkim_tag(value, strlen(value), name, &off, &len) ? wmem_strndup(ctx->pinfo->pool, value + off, len)
                                                                  : NULL;
}

char *smtpx_header_next(smtpx_ctx_t *ctx, const char *block, size_t len, const char *name, size_t *pos)
{
    char *value = (char *)wmem_alloc(ctx->pinfo->pool, SMTPX_MAX_VALUE);

    if (!smtp_header_next(block, len, name, pos, value, SMTPX_MAX_VALUE))
        return NULL;
    return g_strdelimit(value, "\t", ' ');     /* folded with tabs: shown as blanks */
}

gboolean smtpx_dkim_next(smtpx_ctx_t *ctx, const char *block, size_t len, size_t *pos, const char **domain,
                         const char **selector)
{
    const char *value;

    while ((value = smtpx_header_next(ctx, block, len, "DKIM-Signature", pos)) != NULL) {
        *domain = dkim_tag(ctx, value, "d");
        *selector = dkim_tag(ctx, value, "s");
        if (*domain)
            return TRUE;
    }
    return FALSE;
}

/* Who signed the message: each DKIM signature's domain and selector. */
static void add_dkim(smtpx_ctx_t *ctx, proto_tree *tree, const char *block)
{
    const char *domain, *selector;
    size_t pos = 0, len = strlen(block);

    if (!proto_field_is_referenced(tree, hf_smtpx_header_dkim_domain) &&
        !proto_field_is_referenced(tree, hf_smtpx_header_dkim_selector))
        return;
    while (smtpx_dkim_next(ctx, block, len, &pos, &domain, &selector)) {
        smtpx_add_generated(ctx, tree, hf_smtpx_header_dkim_domain, domain);
        smtpx_add_generated(ctx, tree, hf_smtpx_header_dkim_selector, selector);
    }
}

/* Is addr one of the mailboxes of an address list (in any case)? */
static gboolean in_address_list(const char *list, const char *addr)
{
    size_t pos = 0, n = strlen(addr), len = list ? strlen(list) : 0;
    smtp_mailbox_t mb;

    while (smtp_mailbox_list_next(list, len, &pos, &mb)) {
        if (mb.addr_len == n && g_ascii_strncasecmp(list + mb.addr_off, addr, n) == 0)
            return TRUE;
    }
    return FALSE;
}

/* An envelope recipient that To and Cc do not name gets a blind copy (Bcc). */
static gboolean is_blind_copy(const char *to, const char *cc, const char *addr)
{
    return !in_address_list(to, addr) && !in_address_list(cc, addr);
}

typedef struct {
    const char *to, *cc;
    wmem_strbuf_t *list;
} blind_list_t;

static void list_blind_copy(const smtpx_cmd_rec_t *rec, void *data)
{
    blind_list_t *b = (blind_list_t *)data;

    if (!is_blind_copy(b->to, b->cc, rec->arg))
        return;
    if (wmem_strbuf_get_len(b->list))
        wmem_strbuf_append_c(b->list, ',');
    wmem_strbuf_append(b->list, rec->arg);
}

const char *smtpx_blind_copies(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *mail, const char *to, const char *cc)
{
    blind_list_t b = { to, cc, wmem_strbuf_new(ctx->pinfo->pool, "") };

    smtpx_foreach_recipient(ctx->st, mail, list_blind_copy, &b);
    return wmem_strbuf_get_len(b.list) ? wmem_strbuf_get_str(b.list) : NULL;
}

/* A header's value in the scope of the state, or NULL. */
static const char *kept_value(smtpx_ctx_t *ctx, const char *block, const char *name)
{
    const char *v = header_value(ctx, block, name);
    return v ? smtpx_state_strdup(&ctx->call, ctx->pinfo, v, strlen(v)) : NULL;
}

/* The header values the transactions log writes (Zeek's smtp.log has them). */
static void keep_log_headers(smtpx_ctx_t *ctx, const char *block, const char *verdicts)
{
    smtpx_log_headers_t *log = smtpx_state_alloc0(&ctx->call, ctx->pinfo, sizeof *log);

    log->to = kept_value(ctx, block, "To");
    log->cc = kept_value(ctx, block, "Cc");
    log->reply_to = kept_value(ctx, block, "Reply-To");
    log->date = kept_value(ctx, block, "Date");
    log->in_reply_to = kept_value(ctx, block, "In-Reply-To");
    log->user_agent = kept_value(ctx, block, "User-Agent");
    if (!log->user_agent)
        log->user_agent = kept_value(ctx, block, "X-Mailer");
    log->originating_ip = kept_value(ctx, block, "X-Originating-IP");
    if (verdicts)
        log->auth_results = smtpx_state_strdup(&ctx->call, ctx->pinfo, verdicts, strlen(verdicts));
    ctx->st->facts.log = log;
}

/* The header block read: the headers that matter, and analysis on them. */
static void headers_read(smtpx_ctx_t *ctx, const char *block)
{
    smtpx_state_t *st = ctx->st;
    proto_item *hi = proto_tree_add_item(ctx->tree, hf_smtpx_headers, ctx->tvb, 0, 0, ENC_NA);
    proto_item_set_generated(hi);
    proto_tree *ht = proto_item_add_subtree(hi, ett_smtpx_data);
    add_from(ctx, ht, block);
    const char *subject = add_header_values(ctx, ht, hf_smtpx_header_subject, block, "Subject", TRUE);
    if (subject)
        st->facts.subject = smtpx_state_strdup(&ctx->call, ctx->pinfo, subject, strlen(subject));
    st->facts.message_id = kept_value(ctx, block, "Message-ID");
    for (size_t i = 0; i < G_N_ELEMENTS(header_fields); i++) {      /* tree items only */
        if (proto_field_is_referenced(ht, *header_fields[i].hf))
            add_header_values(ctx, ht, *header_fields[i].hf, block, header_fields[i].name, FALSE);
    }
    add_dkim(ctx, ht, block);
    const char *verdicts = smtpx_auth_results(ctx, ht, block);
    if (smtpx_tapping(ctx))     /* for the transactions log only */
        keep_log_headers(ctx, block, verdicts);
    smtpx_header_form(ctx, ht, block);
    smtpx_analyse_headers(ctx, block);
}

void smtpx_headers_end(smtpx_ctx_t *ctx)
{
    smtpx_state_t *st = ctx->st;

    if (!st->in_headers)
        return;
    st->in_headers = 0;
    headers_read(ctx, smtpx_chunk_join(ctx->pinfo, st->headers, ""));
}

/* The header block of a reassembled message, as a string: a NUL byte ends
 * it, as it does for DATA. */
const char *smtpx_message_text(tvbuff_t *msg, size_t *len, size_t *block_len)
{
    *len = tvb_captured_length(msg);
    const char *text = *len ? (const char *)tvb_get_ptr(msg, 0, (gint)*len) : "";
    *block_len = smtp_header_block_len(text, MIN(*len, SMTPX_MAX_HEADERS));
    return text;
}

static const char *header_block_of(smtpx_ctx_t *ctx, tvbuff_t *msg)
{
    size_t len, block_len;

    smtpx_message_text(msg, &len, &block_len);
    return (const char *)tvb_get_string_enc(ctx->pinfo->pool, msg, 0, (gint)block_len, ENC_UTF_8);
}

/* BDAT: the header block of the reassembled message, as far as the first
 * hole in it (the lines whole before it). */
void smtpx_chunked_headers(smtpx_ctx_t *ctx, tvbuff_t *msg)
{
    smtpx_msg_rec_t *m = ctx->st->msg;
    char *block = (char *)header_block_of(ctx, msg);

    if (m && m->missing && strlen(block) > m->gap_at) {
        block[m->gap_at] = '\0';
        char *eol = strrchr(block, '\n');
        *(eol ? eol + 1 : block) = '\0';
        if (ctx->call.replay == SMTPX_LIVE)
            m->header_gap = TRUE;
    }
    headers_read(ctx, block);
}

/* The message summary being filled; To and Cc: for blind copies (NULL
 * without a tree). */
typedef struct {
    smtpx_ctx_t *ctx;
    proto_tree *tree;
    const char *to, *cc;
    gboolean header_gap;    /* the header block has a hole: To and Cc may be lost, no blind copy told */
} summary_t;

/* A recipient of the summary, accepted or not answered yet (one pass, RCPT
 * pipelined with BDAT LAST). One that To and Cc do not name gets the
 * message as a blind copy: the label says so (the field is hidden under it). */
static proto_item *add_summary_recipient(const summary_t *s, const char *addr, gboolean unanswered)
{
    smtpx_ctx_t *ctx = s->ctx;
    proto_item *pi = smtpx_add_string(ctx, s->tree, unanswered ? hf_smtpx_msg_recipient_unanswered
                                                               : hf_smtpx_msg_recipient, ctx->tvb, 0, 0, addr);

    proto_item_set_generated(pi);
    if (ctx->tree && !s->header_gap && is_blind_copy(s->to, s->cc, addr)) {
        proto_item_append_text(pi, s->to || s->cc ? " (blind copy: To and Cc do not name it)"
                                                    : " (blind copy: the message has no To or Cc)");
        smtpx_set_generated_hidden(smtpx_add_string(ctx, proto_item_add_subtree(pi, ett_smtpx_data), hf_smtpx_msg_bcc,
                                                    ctx->tvb, 0, 0, addr));
    }
    return pi;
}

static void add_recipient(const smtpx_cmd_rec_t *rec, void *data)
{
    add_summary_recipient((const summary_t *)data, rec->arg, rec->rsp_code == 0);
}

typedef struct {
    const char *addr;
    size_t len;
    gboolean found;
} rcpt_search_t;

static void match_recipient(const smtpx_cmd_rec_t *rec, void *data)
{
    rcpt_search_t *q = (rcpt_search_t *)data;

    q->found |= strlen(rec->arg) == q->len && g_ascii_strncasecmp(rec->arg, q->addr, q->len) == 0;
}

/* The addresses a To or Cc header names that are no envelope recipient of
 * the transaction: it does not deliver the message to them (the headers
 * are only text). */
static void add_header_only(const summary_t *s, const char *list, const char *header)
{
    smtpx_ctx_t *ctx = s->ctx;
    size_t pos = 0, len = list ? strlen(list) : 0;
    smtp_mailbox_t mb;

    if (!ctx->st->mail_rec)
        return;         /* no envelope seen (a capture that starts later) */
    while (smtp_mailbox_list_next(list, len, &pos, &mb)) {
        rcpt_search_t q = { list + mb.addr_off, mb.addr_len, FALSE };
        smtpx_foreach_recipient(ctx->st, ctx->st->mail_rec, match_recipient, &q);
        if (q.found)
            continue;
        const char *addr = wmem_strndup(ctx->pinfo->pool, q.addr, q.len);
        proto_item *pi = smtpx_add_string(ctx, s->tree, hf_smtpx_msg_header_only, ctx->tvb, 0, 0, addr);
        proto_item_set_generated(pi);
        proto_item_append_text(pi, " (named in %s, but no accepted RCPT TO: not delivered there by this "
                               "transaction)", header);
    }
}

/* The reply to the end of the message, once seen (on the first pass it
 * comes after the end of data): its code item, or NULL. A message refused
 * before its text (sent early, DATA refused) has none: the reply to its "."
 * answers a line read as a command. */
static proto_item *add_final_reply(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_cmd_rec_t *rec)
{
    if (!rec->rsp_frame || (rec->msg && rec->msg->refused))
        return NULL;
    proto_item *pi = proto_tree_add_uint(tree, hf_smtpx_msg_reply_code, ctx->tvb, 0, 0, rec->rsp_code);
    proto_item_set_generated(pi);
    smtpx_add_generated(ctx, tree, hf_smtpx_msg_queue_id, rec->queue_id);
    return pi;
}

/* LMTP: each recipient with the reply the server gave for it at the end of
 * the message (RFC 2033), in RCPT order; the label says the code. */
static void add_lmtp_recipients(const summary_t *s, const smtpx_cmd_rec_t *first)
{
    for (const smtpx_cmd_rec_t *rec = smtpx_rec_first_recipient(first); rec; rec = smtpx_rec_next_recipient(rec)) {
        proto_item *pi = add_summary_recipient(s, rec->arg, rec->rcpt && !rec->rcpt->rsp_code);
        proto_item *ci = add_final_reply(s->ctx, proto_item_add_subtree(pi, ett_smtpx_data), rec);
        if (ci) {
            proto_item_set_hidden(ci);
            proto_item_append_text(pi, " (final reply %u in frame %u)", rec->rsp_code, rec->rsp_frame);
        }
    }
}

void smtpx_message_summary(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, tvbuff_t *msg)
{
    smtpx_state_t *st = ctx->st;
    proto_item *si = proto_tree_add_item(ctx->tree, hf_smtpx_msg, ctx->tvb, 0, 0, ENC_NA);
    proto_tree *t = proto_item_add_subtree(si, ett_smtpx_data);
    const smtpx_cmd_rec_t *lmtp_first = st->msg ? st->msg->lmtp_first : NULL;

    proto_item_set_generated(si);
    const char *sender = smtpx_envelope_sender(st);
    const char *shown_sender = !sender ? "?" : *sender ? sender : "<> (null sender: a bounce)";
    if (sender) {
        proto_item *pi = smtpx_add_string(ctx, t, hf_smtpx_msg_sender, ctx->tvb, 0, 0, sender);
        proto_item_set_generated(pi);
        if (!*sender)
            proto_item_append_text(pi, "%s", shown_sender);
    }
    summary_t s = { ctx, t, NULL, NULL, st->msg && st->msg->header_gap };
    if (ctx->tree) {    /* the kept headers, or those of the reassembled message (BDAT) */
        const char *block = st->headers ? smtpx_chunk_join(ctx->pinfo, st->headers, "")
                          : msg ? header_block_of(ctx, msg) : "";
        s.to = header_value(ctx, block, "To");
        s.cc = header_value(ctx, block, "Cc");
    }
    if (lmtp_first)
        add_lmtp_recipients(&s, lmtp_first);
    else
        smtpx_foreach_recipient(st, st->mail_rec, add_recipient, &s);
    if (ctx->tree) {
        add_header_only(&s, s.to, "To");
        add_header_only(&s, s.cc, "Cc");
    }
    smtpx_add_generated(ctx, t, hf_smtpx_msg_from, st->facts.from);
    smtpx_add_generated(ctx, t, hf_smtpx_msg_subject, st->facts.subject);
    /* size and lines: hidden, the summary's label gives them */
    smtpx_set_generated_hidden(proto_tree_add_uint64(t, hf_smtpx_msg_size, ctx->tvb, 0, 0, st->msg_bytes));
    smtpx_set_generated_hidden(proto_tree_add_uint(t, hf_smtpx_msg_lines, ctx->tvb, 0, 0, st->msg_lines));
    proto_item_append_text(si, ": %" PRIu64 " bytes, %u lines, from %s", st->msg_bytes, st->msg_lines, shown_sender);
    if (st->msg && st->msg->missing) {
        proto_item_append_text(si, " (incomplete: %" PRIu64 " bytes missing from the capture)", st->msg->missing);
        smtpx_set_generated_hidden(proto_tree_add_uint64(t, hf_smtpx_msg_missing, ctx->tvb, 0, 0, st->msg->missing));
    }
    if (st->msg && st->msg->start_unseen)
        proto_item_append_text(si, " (the capture may lack its beginning)");
    if (rec && !lmtp_first)
        add_final_reply(ctx, t, rec);
    if (msg) {
        smtpx_trace(ctx, t, msg);
        smtpx_dkim(ctx, t, msg);
        smtpx_attachments(ctx, t, msg);
    }
}

/* The server's reply to the end of a message: its queue id. */
void smtpx_message_reply(smtpx_ctx_t *ctx, proto_tree *tree, smtpx_cmd_rec_t *rec, const char *text, int offset,
                         int len)
{
    size_t off, id_len;

    if (len <= 0 || !smtp_queue_id(text, (size_t)len, &off, &id_len))
        return;
    proto_tree_add_item(tree, hf_smtpx_msg_queue_id, ctx->tvb, offset + (int)off, (int)id_len, ENC_ASCII);
    if (ctx->call.replay != SMTPX_LIVE)
        return;
    rec->queue_id = wmem_strndup(wmem_file_scope(), text + off, id_len);
    smtpx_trace_queued(ctx, text + off, id_len);
}
