/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistics: the "smtpx" tap, a stats_tree (-z smtpx,tree; Statistics menu),
 * a transaction log (-z smtpx,transactions[,tsv]), one row per mail
 * transaction, in the spirit of Zeek's smtp.log, and the server's response
 * time by command (-z smtpx,srt; Statistics > Service Response Time). */
#include "smtpx.h"
#include "smtp_imf.h"
#include "smtp_sasl.h"

#include <epan/to_str.h>
#include <epan/conversation.h>
#include <epan/srt_table.h>
#include <epan/strutil.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-tcp.h>

static int smtpx_tap = -1;

/* Is anyone listening (events are not even built otherwise)? */
gboolean smtpx_tapping(const smtpx_ctx_t *ctx)
{
    return ctx->call.replay != SMTPX_RETRANSMIT && have_tap_listener(smtpx_tap);
}

static void queue_event(smtpx_ctx_t *ctx, const smtpx_tap_event_t *ev)
{
    tap_queue_packet(smtpx_tap, ctx->pinfo, wmem_memdup(ctx->pinfo->pool, ev, sizeof *ev));
}

void smtpx_tap_simple(smtpx_ctx_t *ctx, smtpx_event_kind_t kind, const char *name, unsigned code)
{
    if (smtpx_tapping(ctx))
        queue_event(ctx, &(smtpx_tap_event_t){ .kind = kind, .name = name, .code = code });
}

void smtpx_tap_reply(smtpx_ctx_t *ctx, unsigned code, const smtpx_cmd_rec_t *rec, gboolean greeting)
{
    if (smtpx_tapping(ctx))
        queue_event(ctx, &(smtpx_tap_event_t){ .kind = SMTPX_EV_REPLY, .code = code, .rec = rec,
                                               .greeting = greeting });
}

void smtpx_tap_pair(smtpx_ctx_t *ctx, smtpx_event_kind_t kind, const char *name, const char *detail)
{
    if (smtpx_tapping(ctx))
        queue_event(ctx, &(smtpx_tap_event_t){ .kind = kind, .name = name, .detail = detail });
}

void smtpx_tap_domain(smtpx_ctx_t *ctx, gboolean sender, const char *addr, size_t len)
{
    size_t at;

    if (!smtpx_tapping(ctx))
        return;
    const char *domain = len == 0 ? (sender ? "(null sender: a bounce)" : "(empty address)")
                       : smtp_address_domain(addr, len, &at)
                           ? ascii_strdown_inplace(wmem_strndup(ctx->pinfo->pool, addr + at, len - at))
                           : "(no domain)";
    queue_event(ctx, &(smtpx_tap_event_t){ .kind = SMTPX_EV_DOMAIN, .name = domain, .code = sender });
}

void smtpx_tap_enhanced(smtpx_ctx_t *ctx, unsigned cls, unsigned subject)
{
    if (smtpx_tapping(ctx))
        queue_event(ctx, &(smtpx_tap_event_t){ .kind = SMTPX_EV_ENHANCED, .code = cls, .subject = subject });
}

/* The real client's address as text (pinfo->pool), or NULL. */
static const char *real_client(smtpx_ctx_t *ctx)
{
    const address *a = smtpx_real_client(ctx);
    return a ? address_to_str(ctx->pinfo->pool, a) : NULL;
}

void smtpx_tap_session(smtpx_ctx_t *ctx)
{
    const smtpx_state_t *st = ctx->st;

    if (smtpx_tapping(ctx))
        queue_event(ctx, &(smtpx_tap_event_t){ .kind = SMTPX_EV_SESSION, .session = {
            .is_client = ctx->is_client, .tls = ctx->in_tls || (st->flags & SMTPX_F_TLS),
            .server_name = st->server_name, .server_software = st->server_software, .client_name = st->client_name,
            .auth_user = st->login_user ? st->login_user : st->auth_user, .real_client = real_client(ctx) } });
}

static guint32 tcp_stream(packet_info *pinfo)
{
    struct tcp_analysis *tcpd = smtpx_tcp_data(pinfo);
    return tcpd ? tcpd->stream : 0;
}

static void append_recipient(const smtpx_cmd_rec_t *rec, void *data)
{
    wmem_strbuf_t *list = (wmem_strbuf_t *)data;

    if (wmem_strbuf_get_len(list))
        wmem_strbuf_append_c(list, ',');
    wmem_strbuf_append(list, rec->arg);
}

/* LMTP: the reply and the queue id for each recipient, in RCPT order
 * ("250,452"; a queue id a reply lacks is "-"), and whether any took it. */
static void lmtp_outcome(smtpx_txn_t *t, const smtpx_cmd_rec_t *first, wmem_allocator_t *pool)
{
    wmem_strbuf_t *codes = wmem_strbuf_new(pool, ""), *ids = wmem_strbuf_new(pool, "");
    gboolean any_id = FALSE;

    for (const smtpx_cmd_rec_t *rec = smtpx_rec_first_recipient(first); rec; rec = smtpx_rec_next_recipient(rec)) {
        const char *sep = wmem_strbuf_get_len(codes) ? "," : "";
        wmem_strbuf_append_printf(codes, "%s%u", sep, rec->rsp_code);
        wmem_strbuf_append_printf(ids, "%s%s", sep, rec->queue_id ? rec->queue_id : "-");
        any_id |= rec->queue_id != NULL;
        t->accepted |= rec->rsp_code / 100 == 2;
    }
    t->reply = wmem_strbuf_get_str(codes);
    t->queue_id = any_id ? wmem_strbuf_get_str(ids) : NULL;
}

static const smtpx_log_headers_t no_log_headers;    /* a message with no header read */

/* What the transaction's message said of itself (its headers, trace, files,
 * size). A DATA refused before any message (none sent early) has none: the
 * state still holds the previous message's. */
static void message_facts(smtpx_txn_t *t, smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec,
                          const smtpx_cmd_rec_t *mail)
{
    const smtpx_msg_rec_t *msg = rec ? rec->msg : NULL;
    /* kept at its end: the state may hold the next message's, pipelined behind it */
    const smtpx_msg_facts_t *f = msg && msg->facts ? msg->facts : &ctx->st->facts;

    t->hdr = &no_log_headers;
    if (t->no_message || (rec && rec->kind == SMTP_CMD_DATA && !rec->msg))
        return;
    t->from = f->from;
    t->subject = f->subject;
    t->message_id = f->message_id;
    if (f->log) {
        t->hdr = f->log;
        t->bcc = msg && msg->header_gap ? NULL : smtpx_blind_copies(ctx, mail, t->hdr->to, t->hdr->cc);
    }
    t->dkim = f->dkim;
    t->path = f->path;
    t->attachments = f->attachments;
    t->size = msg && msg->facts ? msg->bytes : ctx->st->msg_bytes;
    t->missing = msg ? msg->missing : ctx->st->msg ? ctx->st->msg->missing : 0;
}

/* The final reply of a mail transaction: one row of the log (code 0: the
 * transaction was given up before a reply to a message). */
void smtpx_tap_transaction(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code)
{
    const smtpx_state_t *st = ctx->st;

    if (!smtpx_tapping(ctx))
        return;
    smtpx_tap_event_t *ev = wmem_new0(ctx->pinfo->pool, smtpx_tap_event_t);
    smtpx_txn_t *t = &ev->txn;

    ev->kind = SMTPX_EV_TRANSACTION;
    t->stream = tcp_stream(ctx->pinfo);
    t->client = address_to_str(ctx->pinfo->pool, &ctx->pinfo->dst);
    t->server = address_to_str(ctx->pinfo->pool, &ctx->pinfo->src);
    t->real_client = real_client(ctx);
    t->helo = st->client_name;
    t->tls = ctx->in_tls || (st->flags & SMTPX_F_TLS);
    t->auth_mech = (st->flags & SMTPX_F_AUTHED) ? smtpx_auth_mech_label(st->login_mech) : NULL;
    t->auth_user = (st->flags & SMTPX_F_AUTHED) ? st->login_user : NULL;
    t->no_message = code == 0;
    /* (given up with a MAIL pipelined behind its end: st->mail_rec is that next one's) */
    const smtpx_cmd_rec_t *mail = t->no_message && smtpx_queue_has_pending(st, SMTP_CMD_MAIL)
                                      ? st->open_mail_rec : smtpx_txn_mail(st, rec);
    t->sender = mail ? mail->arg : NULL;
    wmem_strbuf_t *rcpt_to = wmem_strbuf_new(ctx->pinfo->pool, "");
    smtpx_foreach_recipient(st, mail, append_recipient, rcpt_to);
    t->rcpt_to = wmem_strbuf_get_str(rcpt_to);
    t->rcpt_ok = st->rcpt_ok;
    t->rcpt_bad = st->rcpt_bad;
    message_facts(t, ctx, rec, mail);
    if (rec && rec->msg && rec->msg->lmtp_first) {
        lmtp_outcome(t, rec->msg->lmtp_first, ctx->pinfo->pool);
    } else {
        t->reply = code ? wmem_strdup_printf(ctx->pinfo->pool, "%u", code) : "-";
        t->accepted = code / 100 == 2;
        t->queue_id = rec ? rec->queue_id : NULL;
    }
    t->findings = st->txn_findings;
    t->frame = ctx->pinfo->num;
    tap_queue_packet(smtpx_tap, ctx->pinfo, ev);
}

/* ---- -z smtpx,tree ---- */

/* Was a message not accepted only put off: its codes ("451", LMTP's "450,452"
 * for each recipient) all 4xx, so the client keeps it and tries again? */
static gboolean deferred(const char *reply)
{
    return reply[0] == '4' && !strstr(reply, ",5");
}

/* The top nodes, in the order they are shown. */
typedef enum {
    N_SOFTWARE, N_COMMANDS, N_SENDERS, N_RECIPIENTS, N_REPLIES, N_REASONS, N_ENHANCED, N_AUTH, N_MESSAGES,
    N_VERDICTS, N_DKIM, N_DSN, N_ATTACHMENTS, N_FINDINGS, N_COUNT
} tree_node_t;

static const char *const node_names[N_COUNT] = {
    "Server software", "Commands", "Sender domains (MAIL FROM)", "Recipient domains (RCPT TO)", "Replies",
    "Refusal reasons", "Enhanced status codes", "AUTH", "Messages",
    "Sender checks (Authentication-Results, Received-SPF)", "DKIM signatures (what needs no key)",
    "Delivery reports (bounces)", "Attachments",
    "Analysis findings"
};
static int node_ids[N_COUNT];

/* Children a top node shows by name; the others count as one "(others)".
 * stats_tree appends a new child at the end of a list, so a capture with a
 * domain per recipient would cost time in the square of their number. */
#define SMTPX_TREE_MAX_NAMES 1000
static GHashTable *node_children[N_COUNT];     /* the names shown under each top node */

/* Also a shutdown routine: tshark never frees a -z tree, and Wireshark
 * unloads its plugins at exit, which would leave the tables unreachable. */
static void tree_forget_children(void)
{
    for (int i = 0; i < N_COUNT; i++) {
        if (node_children[i])
            g_hash_table_destroy(node_children[i]);
        node_children[i] = NULL;
    }
}

static void tree_cleanup(stats_tree *st _U_)
{
    tree_forget_children();
}

static void tree_init(stats_tree *st)
{
    tree_cleanup(st);
    for (int i = 0; i < N_COUNT; i++) {
        node_ids[i] = stats_tree_create_node(st, node_names[i], 0, STAT_DT_INT, TRUE);
        node_children[i] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
}

/* One more under a top node and its child `name`; returns the child's id. */
static int tick_under(stats_tree *st, tree_node_t node, const char *name, gboolean with_children)
{
    GHashTable *shown = node_children[node];

    tick_stat_node(st, node_names[node], 0, TRUE);
    if (!g_hash_table_contains(shown, name)) {
        if (g_hash_table_size(shown) >= SMTPX_TREE_MAX_NAMES)
            name = "(others)";
        else
            g_hash_table_add(shown, g_strdup(name));
    }
    return tick_stat_node(st, name, node_ids[node], with_children);
}

static void tick_reply(stats_tree *st, unsigned code)
{
    char cls[8], num[8];
    g_snprintf(cls, sizeof cls, "%uxx", code / 100);
    g_snprintf(num, sizeof num, "%u", code);
    tick_stat_node(st, num, tick_under(st, N_REPLIES, cls, TRUE), FALSE);
}

static void tick_enhanced(stats_tree *st, unsigned cls, unsigned subject)
{
    char c[4], s[8];
    g_snprintf(c, sizeof c, "%u", cls);
    g_snprintf(s, sizeof s, "%u.%u.x", cls, subject);
    tick_stat_node(st, s, tick_under(st, N_ENHANCED, c, TRUE), FALSE);
}

/* The top node of an event counted by name and then version. */
static tree_node_t pair_node(smtpx_event_kind_t kind)
{
    switch (kind) {
    case SMTPX_EV_SOFTWARE:
        return N_SOFTWARE;
    case SMTPX_EV_VERDICT:
        return N_VERDICTS;
    case SMTPX_EV_DKIM:
        return N_DKIM;
    default:
        return N_DSN;
    }
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                     const void *data, tap_flags_t flags _U_)
{
    const smtpx_tap_event_t *ev = (const smtpx_tap_event_t *)data;

    switch (ev->kind) {
    case SMTPX_EV_COMMAND:
        tick_under(st, N_COMMANDS, ev->name, FALSE);
        break;
    case SMTPX_EV_DOMAIN:
        tick_under(st, ev->code ? N_SENDERS : N_RECIPIENTS, ev->name, FALSE);
        break;
    case SMTPX_EV_REPLY:
        tick_reply(st, ev->code);
        break;
    case SMTPX_EV_ENHANCED:
        tick_enhanced(st, ev->code, ev->subject);
        break;
    case SMTPX_EV_AUTH:
        tick_under(st, N_AUTH, ev->name, TRUE);
        break;
    case SMTPX_EV_AUTH_RESULT: {    /* (an exchange whose AUTH the capture lacks counts from its outcome) */
        int id = stats_tree_parent_id_by_name(st, ev->name);
        tick_stat_node(st, ev->detail, id > 0 ? id : tick_under(st, N_AUTH, ev->name, TRUE), FALSE);
        break;
    }
    case SMTPX_EV_TRANSACTION:
        if (!ev->txn.no_message)
            tick_under(st, N_MESSAGES, ev->txn.accepted ? "accepted" : deferred(ev->txn.reply) ? "deferred" : "refused",
                       FALSE);
        break;
    case SMTPX_EV_SOFTWARE:        /* one per greeting */
    case SMTPX_EV_VERDICT:         /* one per method of a message's newest verdicts */
    case SMTPX_EV_DKIM:            /* one per DKIM signature: verdict, then domain */
    case SMTPX_EV_DSN: {           /* one per recipient of a delivery report: action, then status */
        int id = tick_under(st, pair_node(ev->kind), ev->name, TRUE);
        if (ev->detail)
            tick_stat_node(st, ev->detail, id, FALSE);
        break;
    }
    case SMTPX_EV_REASON:
        tick_under(st, N_REASONS, ev->name, FALSE);
        break;
    case SMTPX_EV_ATTACHMENT:
        tick_under(st, N_ATTACHMENTS, ev->name, FALSE);
        break;
    case SMTPX_EV_FINDING:
        tick_under(st, N_FINDINGS, ev->name, FALSE);
        break;
    default:
        break;
    }
    return TAP_PACKET_REDRAW;
}

/* ---- -z smtpx,transactions[,tsv][,filter] ---- */

typedef struct {
    GPtrArray *rows;    /* of gchar ** (NULL-terminated) */
    gboolean tsv;
} txn_log_t;

static const char *const txn_columns[] = {
    "frame", "stream", "client", "real_client", "server", "helo", "tls", "auth", "user", "mail_from", "rcpt_to",
    "rcpt_ok", "rcpt_rejected", "header_from", "to", "cc", "bcc", "reply_to", "date", "subject", "message_id",
    "in_reply_to", "user_agent", "originating_ip", "auth_results", "dkim", "path", "attachments", "size", "missing",
    "reply", "queue_id", "findings", NULL
};

/* A text cell: packet text escaped as Wireshark shows it (valid UTF-8, no
 * tab or line end to break a row), "-" if there is none. */
static gchar *text_cell(const char *s)
{
    return s && *s ? format_text_string(NULL, (const guchar *)s) : g_strdup("-");
}

static tap_packet_status txn_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                    const void *data, tap_flags_t flags _U_)
{
    txn_log_t *log = (txn_log_t *)tapdata;
    const smtpx_tap_event_t *ev = (const smtpx_tap_event_t *)data;
    const smtpx_txn_t *t = &ev->txn;

    if (ev->kind != SMTPX_EV_TRANSACTION)
        return TAP_PACKET_DONT_REDRAW;
    gchar **row = g_new0(gchar *, G_N_ELEMENTS(txn_columns));
    int i = 0;
    row[i++] = g_strdup_printf("%u", t->frame);
    row[i++] = g_strdup_printf("%u", t->stream);
    row[i++] = g_strdup(t->client);
    row[i++] = text_cell(t->real_client);
    row[i++] = g_strdup(t->server);
    row[i++] = text_cell(t->helo);
    row[i++] = g_strdup(t->tls ? "yes" : "no");
    row[i++] = text_cell(t->auth_mech);
    row[i++] = text_cell(t->auth_user);
    row[i++] = t->sender && !*t->sender ? g_strdup("<>") : text_cell(t->sender);
    row[i++] = text_cell(t->rcpt_to);
    row[i++] = g_strdup_printf("%u", t->rcpt_ok);
    row[i++] = g_strdup_printf("%u", t->rcpt_bad);
    row[i++] = text_cell(t->from);
    row[i++] = text_cell(t->hdr->to);
    row[i++] = text_cell(t->hdr->cc);
    row[i++] = text_cell(t->bcc);
    row[i++] = text_cell(t->hdr->reply_to);
    row[i++] = text_cell(t->hdr->date);
    row[i++] = text_cell(t->subject);
    row[i++] = text_cell(t->message_id);
    row[i++] = text_cell(t->hdr->in_reply_to);
    row[i++] = text_cell(t->hdr->user_agent);
    row[i++] = text_cell(t->hdr->originating_ip);
    row[i++] = text_cell(t->hdr->auth_results);
    row[i++] = text_cell(t->dkim);
    row[i++] = text_cell(t->path);
    row[i++] = text_cell(t->attachments);
    row[i++] = g_strdup_printf("%" PRIu64, t->size);
    row[i++] = g_strdup_printf("%" PRIu64, t->missing);
    row[i++] = g_strdup(t->reply);
    row[i++] = text_cell(t->queue_id);
    row[i++] = g_strdup_printf("%u", t->findings);
    g_ptr_array_add(log->rows, row);
    return TAP_PACKET_REDRAW;
}

static void print_row(const char *const *row, const size_t *width, gboolean tsv)
{
    for (size_t c = 0; row[c]; c++) {
        /* (printf pads by bytes: a cell's UTF-8 characters count one each) */
        size_t pad = row[c + 1] ? width[c] + strlen(row[c]) - (size_t)g_utf8_strlen(row[c], -1) : 0;
        if (tsv)
            printf("%s%s", c ? "\t" : "", row[c]);
        else
            printf("%s%-*s", c ? "  " : "", (int)pad, row[c]);
    }
    printf("\n");
}

/* Columns padded to their widest cell, or tab-separated. */
static void print_table(const char *title, const char *const *columns, size_t ncols, GPtrArray *rows, gboolean tsv)
{
    size_t *width = g_new0(size_t, ncols);

    for (size_t c = 0; columns[c]; c++)
        width[c] = strlen(columns[c]);
    for (guint r = 0; r < rows->len; r++) {
        gchar **row = (gchar **)g_ptr_array_index(rows, r);
        for (size_t c = 0; row[c]; c++)
            width[c] = MAX(width[c], g_utf8_strlen(row[c], -1));
    }
    if (!tsv)
        printf("=== %s ===\n", title);
    print_row(columns, width, tsv);
    for (guint r = 0; r < rows->len; r++)
        print_row((const char *const *)g_ptr_array_index(rows, r), width, tsv);
    g_free(width);
}

static void txn_draw(void *tapdata)
{
    txn_log_t *log = (txn_log_t *)tapdata;
    print_table("SMTP transactions (smtpx)", txn_columns, G_N_ELEMENTS(txn_columns), log->rows, log->tsv);
}

static void txn_reset(void *tapdata)
{
    txn_log_t *log = (txn_log_t *)tapdata;
    g_ptr_array_set_size(log->rows, 0);
}

static void txn_finish(void *tapdata)
{
    txn_log_t *log = (txn_log_t *)tapdata;
    g_ptr_array_free(log->rows, TRUE);
    g_free(log);
}

/* "-z smtpx,<log>[,tsv][,<display filter>]" (opt starts with name): the
 * filter, NULL for none; *tsv: tab-separated. */
static const char *log_options(const char *opt, const char *name, gboolean *tsv)
{
    const char *rest = opt + strlen(name);

    rest += *rest == ',';
    *tsv = strncmp(rest, "tsv", 3) == 0 && (rest[3] == '\0' || rest[3] == ',');
    if (*tsv)
        rest += rest[3] ? 4 : 3;
    return *rest ? rest : NULL;
}

/* A listener of the smtpx tap for one of the logs (freed, FALSE, if it cannot be). */
static gboolean listen_to_tap(void *log, const char *filter, tap_reset_cb reset, tap_packet_cb packet,
                              tap_draw_cb draw, tap_finish_cb finish)
{
    GString *err = register_tap_listener("smtpx", log, filter, 0, reset, packet, draw, finish);
    if (err) {
        fprintf(stderr, "smtpx: %s\n", err->str);
        g_string_free(err, TRUE);
        finish(log);
    }
    return err == NULL;
}

static void txn_init(const char *opt, void *userdata _U_)
{
    txn_log_t *log = g_new0(txn_log_t, 1);
    log->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    const char *filter = log_options(opt, "smtpx,transactions", &log->tsv);
    listen_to_tap(log, filter, txn_reset, txn_packet, txn_draw, txn_finish);
}

/* ---- -z smtpx,sessions[,tsv][,filter]: one row per TCP session ---- */

typedef struct {
    guint32 frame, stream;
    nstime_t first, last;
    gchar *client, *real_client, *server, *server_name, *software, *helo, *auth_mech, *auth_user;
    gboolean tls;
    guint auth_ok, auth_failed, mails, accepted, findings, last_reply;
} session_row_t;

typedef struct {
    GPtrArray *sessions;        /* of session_row_t, by first frame */
    GHashTable *by_stream;      /* TCP stream -> session_row_t */
    GHashTable *selected;       /* with a display filter: the TCP streams with a frame it keeps (NULL: none) */
    gboolean tsv;
} session_log_t;

/* The listener with the display filter: it only picks the sessions, whose
 * rows count all their frames. */
typedef struct {
    session_log_t *log;
} session_selector_t;

static const char *const session_columns[] = {
    "frame", "stream", "client", "real_client", "server", "server_name", "software", "helo", "tls", "auth", "user",
    "auth_ok", "auth_failed", "mails", "accepted", "findings", "last_reply", "duration", NULL
};

static void session_row_free(gpointer p)
{
    session_row_t *s = (session_row_t *)p;
    g_free(s->client);
    g_free(s->real_client);
    g_free(s->server);
    g_free(s->server_name);
    g_free(s->software);
    g_free(s->helo);
    g_free(s->auth_mech);
    g_free(s->auth_user);
    g_free(s);
}

/* Keeps the newest of a text that the session learns as it goes. */
static void keep_text(gchar **kept, const char *s)
{
    if (s && g_strcmp0(*kept, s) != 0) {
        g_free(*kept);
        *kept = g_strdup(s);
    }
}

static session_row_t *session_of(session_log_t *log, packet_info *pinfo)
{
    guint32 stream = tcp_stream(pinfo);
    session_row_t *s = (session_row_t *)g_hash_table_lookup(log->by_stream, GUINT_TO_POINTER(stream));

    if (!s) {
        s = g_new0(session_row_t, 1);
        s->stream = stream;
        s->frame = pinfo->num;
        s->first = pinfo->abs_ts;
        g_ptr_array_add(log->sessions, s);
        g_hash_table_insert(log->by_stream, GUINT_TO_POINTER(stream), s);
    }
    s->last = pinfo->abs_ts;
    return s;
}

static void session_facts(session_row_t *s, packet_info *pinfo, const smtpx_session_facts_t *f)
{
    if (!s->client) {
        s->client = address_to_str(NULL, f->is_client ? &pinfo->src : &pinfo->dst);
        s->server = address_to_str(NULL, f->is_client ? &pinfo->dst : &pinfo->src);
    }
    s->tls |= f->tls;
    keep_text(&s->real_client, f->real_client);
    keep_text(&s->server_name, f->server_name);
    keep_text(&s->software, f->server_software);
    keep_text(&s->helo, f->client_name);
    keep_text(&s->auth_user, f->auth_user);
}

static tap_packet_status session_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                        const void *data, tap_flags_t flags _U_)
{
    session_log_t *log = (session_log_t *)tapdata;
    const smtpx_tap_event_t *ev = (const smtpx_tap_event_t *)data;
    session_row_t *s = session_of(log, pinfo);

    switch (ev->kind) {
    case SMTPX_EV_SESSION:
        session_facts(s, pinfo, &ev->session);
        break;
    case SMTPX_EV_REPLY:
        s->last_reply = ev->code;
        break;
    case SMTPX_EV_AUTH:             /* the mechanism tried, until one logs in */
        if (!s->auth_ok)
            keep_text(&s->auth_mech, ev->name);
        break;
    case SMTPX_EV_AUTH_RESULT:      /* one cancelled by the client is neither */
        if (!s->auth_mech || strcmp(ev->detail, "success") == 0)     /* (its AUTH not captured) */
            keep_text(&s->auth_mech, ev->name);
        s->auth_ok += strcmp(ev->detail, "success") == 0;
        s->auth_failed += strcmp(ev->detail, "failure") == 0;
        break;
    case SMTPX_EV_TRANSACTION:
        s->mails++;
        s->accepted += ev->txn.accepted;
        break;
    case SMTPX_EV_FINDING:
        s->findings++;
        break;
    default:
        break;
    }
    return TAP_PACKET_REDRAW;
}

static gchar **session_cells(const session_row_t *s)
{
    gchar **row = g_new0(gchar *, G_N_ELEMENTS(session_columns));
    nstime_t took;
    int i = 0;

    nstime_delta(&took, &s->last, &s->first);
    row[i++] = g_strdup_printf("%u", s->frame);
    row[i++] = g_strdup_printf("%u", s->stream);
    row[i++] = text_cell(s->client);
    row[i++] = text_cell(s->real_client);
    row[i++] = text_cell(s->server);
    row[i++] = text_cell(s->server_name);
    row[i++] = text_cell(s->software);
    row[i++] = text_cell(s->helo);
    row[i++] = g_strdup(s->tls ? "yes" : "no");
    row[i++] = text_cell(s->auth_mech);
    row[i++] = text_cell(s->auth_user);
    row[i++] = g_strdup_printf("%u", s->auth_ok);
    row[i++] = g_strdup_printf("%u", s->auth_failed);
    row[i++] = g_strdup_printf("%u", s->mails);
    row[i++] = g_strdup_printf("%u", s->accepted);
    row[i++] = g_strdup_printf("%u", s->findings);
    row[i++] = s->last_reply ? g_strdup_printf("%u", s->last_reply) : g_strdup("-");
    row[i++] = g_strdup_printf("%.3f", nstime_to_sec(&took));
    return row;
}

static void session_draw(void *tapdata)
{
    session_log_t *log = (session_log_t *)tapdata;
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

    for (guint i = 0; i < log->sessions->len; i++) {
        const session_row_t *s = (const session_row_t *)g_ptr_array_index(log->sessions, i);
        if (!log->selected || g_hash_table_contains(log->selected, GUINT_TO_POINTER(s->stream)))
            g_ptr_array_add(rows, session_cells(s));
    }
    print_table("SMTP sessions (smtpx)", session_columns, G_N_ELEMENTS(session_columns), rows, log->tsv);
    g_ptr_array_free(rows, TRUE);
}

static void session_reset(void *tapdata)
{
    session_log_t *log = (session_log_t *)tapdata;
    g_hash_table_remove_all(log->by_stream);
    g_ptr_array_set_size(log->sessions, 0);
    if (log->selected)
        g_hash_table_remove_all(log->selected);
}

static void session_finish(void *tapdata)
{
    session_log_t *log = (session_log_t *)tapdata;
    g_hash_table_destroy(log->by_stream);
    if (log->selected)
        g_hash_table_destroy(log->selected);
    g_ptr_array_free(log->sessions, TRUE);
    g_free(log);
}

static tap_packet_status session_select(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                        const void *data _U_, tap_flags_t flags _U_)
{
    session_selector_t *sel = (session_selector_t *)tapdata;
    g_hash_table_add(sel->log->selected, GUINT_TO_POINTER(tcp_stream(pinfo)));
    return TAP_PACKET_DONT_REDRAW;
}

static void session_selector_finish(void *tapdata)
{
    g_free(tapdata);
}

/* With a display filter, one listener picks the sessions that have a
 * frame it keeps, and the other, unfiltered, fills their rows. */
static void session_init(const char *opt, void *userdata _U_)
{
    session_log_t *log = g_new0(session_log_t, 1);
    log->sessions = g_ptr_array_new_with_free_func(session_row_free);
    log->by_stream = g_hash_table_new(g_direct_hash, g_direct_equal);
    const char *filter = log_options(opt, "smtpx,sessions", &log->tsv);
    if (filter) {
        session_selector_t *sel = g_new0(session_selector_t, 1);
        sel->log = log;
        log->selected = g_hash_table_new(g_direct_hash, g_direct_equal);
        if (!listen_to_tap(sel, filter, NULL, session_select, NULL, session_selector_finish)) {
            session_finish(log);
            return;
        }
    }
    listen_to_tap(log, NULL, session_reset, session_packet, session_draw, session_finish);
}

/* ---- -z smtpx,srt: the time from each request to its final reply ---- */

/* Rows: the verbs (smtp_cmd_t), then the end of data, AUTH's later steps,
 * and the greeting (timed from the client's SYN). */
#define SRT_ROW_EOD       SMTP_CMD_COUNT
#define SRT_ROW_AUTH_STEP (SMTP_CMD_COUNT + 1)
#define SRT_ROW_GREETING  (SMTP_CMD_COUNT + 2)
#define SRT_ROWS          (SMTP_CMD_COUNT + 3)

static void srt_init(struct register_srt *srt _U_, GArray *srt_array)
{
    srt_stat_table *table = init_srt_table("SMTP commands", NULL, srt_array, SRT_ROWS, "Command", NULL, NULL);

    for (int i = 0; i < SMTP_CMD_COUNT; i++)
        init_srt_table_row(table, i, i == SMTP_CMD_UNKNOWN ? "(unknown verb)" : smtp_cmd_name((smtp_cmd_t)i));
    init_srt_table_row(table, SRT_ROW_EOD, ". (end of data)");
    init_srt_table_row(table, SRT_ROW_AUTH_STEP, "AUTH step");
    init_srt_table_row(table, SRT_ROW_GREETING, "(greeting, from SYN)");
}

/* The row of a reply and the time of what it answers; -1 if not timed. */
static int srt_row(const smtpx_tap_event_t *ev, packet_info *pinfo, const nstime_t **since)
{
    if (ev->greeting) {
        struct tcp_analysis *tcpd = smtpx_tcp_data(pinfo);
        *since = tcpd ? &tcpd->ts_mru_syn : NULL;
        return *since && !nstime_is_zero(*since) ? SRT_ROW_GREETING : -1;
    }
    if (!ev->rec || !ev->rec->req_frame)     /* (an end of data the capture lacks: no time) */
        return -1;
    *since = &ev->rec->req_time;
    switch (ev->rec->kind) {
    case SMTPX_KIND_EOD:
        return SRT_ROW_EOD;
    case SMTPX_KIND_AUTH_STEP:
        return SRT_ROW_AUTH_STEP;
    default:
        return ev->rec->kind < SMTP_CMD_COUNT ? ev->rec->kind : -1;
    }
}

static tap_packet_status srt_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                                    tap_flags_t flags _U_)
{
    const smtpx_tap_event_t *ev = (const smtpx_tap_event_t *)data;
    srt_data_t *srt = (srt_data_t *)tapdata;
    const nstime_t *since = NULL;
    int row = ev->kind == SMTPX_EV_REPLY ? srt_row(ev, pinfo, &since) : -1;

    if (row < 0)
        return TAP_PACKET_DONT_REDRAW;
    add_srt_table_data(g_array_index(srt->srt_array, srt_stat_table *, 0), row, since, pinfo);
    return TAP_PACKET_REDRAW;
}

void smtpx_stats_register(void)
{
    static stat_tap_ui txn_ui = {
        REGISTER_STAT_GROUP_GENERIC, "SMTP transactions (smtpx)", "smtpx,transactions", txn_init, 0, NULL
    };
    static stat_tap_ui session_ui = {
        REGISTER_STAT_GROUP_GENERIC, "SMTP sessions (smtpx)", "smtpx,sessions", session_init, 0, NULL
    };

    smtpx_tap = register_tap("smtpx");
    stats_tree_register_with_group("smtpx", "smtpx", "SMTP (smtpx)", 0, tree_packet, tree_init, tree_cleanup,
                                   REGISTER_STAT_GROUP_GENERIC);
    register_shutdown_routine(tree_forget_children);
    register_stat_tap_ui(&txn_ui, NULL);
    register_stat_tap_ui(&session_ui, NULL);
    register_srt_table(proto_smtpx, "smtpx", 1, srt_packet, srt_init, NULL);
}
