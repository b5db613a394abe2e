/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The trace of a message: its Received headers, read in the reassembled
 * message, each split into its clauses; the senders' addresses for the
 * transactions log; the link from a Received header to the reply where
 * that relay queued the message, when the capture holds both hops; and a
 * header dated after the one above it, or after the capture, which the
 * message reached later; a top header the client did not write. */
#include "smtpx.h"
#include "smtp_date.h"
#include "smtp_imf.h"

#include <wsutil/str_util.h>

#define SMTPX_MAX_RECEIVED 100      /* RFC 5321 6.3: mail that took this many hops is looping */

/* Every queue id a server gave in this capture ("server name\tid" -> frame
 * of the reply), so that a Received header naming the server and the id
 * links to the hop before; file scope. */
static wmem_map_t *queued;

void smtpx_trace_register(void)
{
    queued = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash, g_str_equal);
}

/* "server\tid", lower-case (host names are case-insensitive; so, here, are ids). */
static char *queued_key(wmem_allocator_t *pool, const char *server, size_t server_len, const char *id, size_t id_len)
{
    return ascii_strdown_inplace(wmem_strdup_printf(pool, "%.*s\t%.*s", (int)server_len, server, (int)id_len, id));
}

void smtpx_trace_queued(smtpx_ctx_t *ctx, const char *id, size_t id_len)
{
    const char *server = ctx->st->server_name;
    if (server)
        wmem_map_insert(queued, queued_key(wmem_file_scope(), server, strlen(server), id, id_len),
                        GUINT_TO_POINTER(ctx->pinfo->num));
}

/* The fields of a Received header, by clause (smtp_rcvd_clause_t). */
static int *const received_clause_hf[SMTP_RCVD_CLAUSES] = {
    &hf_smtpx_msg_received_from, &hf_smtpx_msg_received_by, &hf_smtpx_msg_received_via,
    &hf_smtpx_msg_received_with, &hf_smtpx_msg_received_id, &hf_smtpx_msg_received_for,
};

/* The sending host's address, as the core read it. */
static void add_received_ip(smtpx_ctx_t *ctx, proto_tree *tree, const smtp_received_t *r)
{
    proto_item *pi = smtpx_add_ip(ctx, tree, hf_smtpx_msg_received_ip, hf_smtpx_msg_received_ipv6, 0, 0,
                                  r->ip_family, r->ip_addr);
    if (pi)
        proto_item_set_generated(pi);
}

static void add_received_part(smtpx_ctx_t *ctx, proto_tree *tree, int hf, const char *value, smtp_range_t part)
{
    if (part.len)
        smtpx_add_generated(ctx, tree, hf, wmem_strndup(ctx->pinfo->pool, value + part.off, part.len));
}

/* The frame where the relay of this Received header (by) gave the message
 * its id (id), if that happened earlier in the capture. */
static void add_queued_in(smtpx_ctx_t *ctx, proto_tree *tree, const char *value, const smtp_received_t *r)
{
    smtp_range_t by = r->clause[SMTP_RCVD_BY], id = r->clause[SMTP_RCVD_ID];

    if (!by.len || !id.len)
        return;
    char *key = queued_key(ctx->pinfo->pool, value + by.off, by.len, value + id.off, id.len);
    guint32 frame = GPOINTER_TO_UINT(wmem_map_lookup(queued, key));
    if (frame && frame < ctx->pinfo->num)
        proto_item_set_generated(proto_tree_add_uint(tree, hf_smtpx_msg_received_queued_in, ctx->tvb, 0, 0, frame));
}

/* One Received header (hop 1 is the top one) and its clauses. */
static void add_received(smtpx_ctx_t *ctx, proto_tree *tree, const char *value, const smtp_received_t *r,
                         gboolean parsed, guint32 hop)
{
    proto_item *pi = smtpx_add_string(ctx, tree, hf_smtpx_msg_received, ctx->tvb, 0, 0, value);

    proto_item_set_generated(pi);
    if (!parsed)
        return;
    proto_tree *rt = proto_item_add_subtree(pi, ett_smtpx_received);
    proto_item_set_generated(proto_tree_add_uint(rt, hf_smtpx_msg_received_hop, ctx->tvb, 0, 0, hop));
    if (hop == 1)
        smtpx_note_request(ctx, rt, SMTPX_KIND_TRACE);
    add_received_part(ctx, rt, hf_smtpx_msg_received_from, value, r->clause[SMTP_RCVD_FROM]);
    add_received_ip(ctx, rt, r);
    for (int k = SMTP_RCVD_FROM + 1; k < SMTP_RCVD_CLAUSES; k++)
        add_received_part(ctx, rt, *received_clause_hf[k], value, r->clause[k]);
    add_received_part(ctx, rt, hf_smtpx_msg_received_date, value, r->date);
    add_queued_in(ctx, rt, value, r);
}

#define SMTPX_TRACE_SKEW (2 * 3600)     /* relays' clocks differ; a zone written an hour wrong */

/* The time order of the trace: each header written before the one above
 * it, and the top one before the message was captured. */
typedef struct {
    gboolean known;             /* the time above is known */
    long long above;            /* the time of the header above, or of the capture (hop 0) */
    guint32 above_hop;
    gboolean reported;          /* once per message */
} trace_order_t;

static void report_order(smtpx_ctx_t *ctx, const trace_order_t *o, const char *date, long long t, guint32 hop)
{
    const char *after = o->above_hop
        ? wmem_strdup_printf(ctx->pinfo->pool, "header %u above it, which the message reached later", o->above_hop)
        : wmem_strdup_printf(ctx->pinfo->pool, "this capture of the message (%s UTC), when no relay can have "
                             "received it yet", smtpx_capture_time_text(ctx, "%Y-%m-%d %H:%M"));
    smtpx_finding(ctx, &ei_smtpx_trace_order, ctx->tvb, 0, 0, "Received header %u (%s) is dated %.1f hours after "
                  "%s: a trace header written by hand (forged) or a relay's clock gone wrong", hop, date,
                  (double)(t - o->above) / 3600, after);
}

static void check_order(smtpx_ctx_t *ctx, trace_order_t *o, const char *value, guint32 hop)
{
    smtp_range_t date = smtp_received_date(value, strlen(value));
    smtp_date_t d;
    smtp_date_fault_t fault = smtp_date_parse(value + date.off, date.len, &d);

    if (fault != SMTP_DATE_OK && fault != SMTP_DATE_WEEKDAY)
        return;
    long long t = smtp_date_seconds(&d);
    if (o->known && !o->reported && t > o->above + SMTPX_TRACE_SKEW) {
        o->reported = TRUE;
        report_order(ctx, o, smtpx_line_format(ctx, value + date.off, (int)MIN(date.len, 60)), t, hop);
    }
    *o = (trace_order_t){ TRUE, t, hop, o->reported };
}

/* A domain with a dot, not an address ("[192.0.2.1]", "192.0.2.1") nor
 * "localhost". */
static gboolean is_host_name(const char *s)
{
    unsigned char addr[16];
    size_t len = s ? strlen(s) : 0;
    return len && s[0] != '[' && smtp_is_domain_or_literal(s, len) && strchr(s, '.') && !smtp_ip_parse(s, len, addr);
}

/* The client of this session writes the top Received header when it takes
 * the message, naming itself after "by", as in its HELO: one that names
 * another organisation's host (and not this server's: a message back from
 * a content filter) was written before, by hand, or the client relays for
 * another host. */
static void check_top_hop(smtpx_ctx_t *ctx, const char *value)
{
    const char *helo = ctx->st->client_name, *server = ctx->st->server_name;
    if (!is_host_name(helo))
        return;
    smtp_range_t by = smtp_received_by(value, strlen(value));

    if (!by.len)
        return;
    const char *host = wmem_strndup(ctx->pinfo->pool, value + by.off, by.len);
    if (!is_host_name(host))
        return;
    if (g_ascii_strcasecmp(host, helo) == 0 || (server && g_ascii_strcasecmp(host, server) == 0))
        return;     /* the usual case, without a look-up in the Public Suffix List */
    const char *org = smtpx_org_domain_of_host(ctx, host);
    if (strcmp(org, smtpx_org_domain_of_host(ctx, helo)) == 0 ||
        (server && strcmp(org, smtpx_org_domain_of_host(ctx, server)) == 0))
        return;
    smtpx_finding(ctx, &ei_smtpx_trace_top, ctx->tvb, 0, 0, "The top Received header says %s received the message "
                  "last, but the client calls itself %s, of another organisation, and it is the client that writes "
                  "that header: forged, or the client relays for another host",
                  smtpx_line_format(ctx, host, (int)MIN(strlen(host), 60)),
                  smtpx_line_format(ctx, helo, (int)MIN(strlen(helo), 60)));
}

static gboolean received_wanted(proto_tree *tree)
{
    static int *const hfs[] = { &hf_smtpx_msg_received, &hf_smtpx_msg_received_hop, &hf_smtpx_msg_received_ip,
                                &hf_smtpx_msg_received_ipv6, &hf_smtpx_msg_received_date,
                                &hf_smtpx_msg_received_queued_in };
    return smtpx_any_referenced(tree, hfs, G_N_ELEMENTS(hfs)) ||
           smtpx_any_referenced(tree, received_clause_hf, SMTP_RCVD_CLAUSES);
}

/* The trace, top (newest) first: in the tree (under the summary) when it is
 * shown or filtered on, its addresses as the path of the transactions log
 * when that is written, and its time order checked. Read in the reassembled
 * message, not kept from the lines as they pass: a Received chain is the
 * bulk of a header block, and reassembly holds the message anyway. */
void smtpx_trace(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg)
{
    gboolean show = received_wanted(summary), log = smtpx_tapping(ctx);
    gboolean check = smtpx_check_enabled(&ei_smtpx_trace_order), check_top = smtpx_check_enabled(&ei_smtpx_trace_top);
    if (!show && !log && !check && !check_top)
        return;
    trace_order_t order = { FALSE, 0, 0, FALSE };
    order.known = smtpx_capture_clock(ctx, &order.above);
    wmem_strbuf_t *path = log ? wmem_strbuf_new(ctx->pinfo->pool, "") : NULL;
    size_t avail, len, pos = 0;
    const char *text = smtpx_message_text(msg, &avail, &len);
    smtp_received_t r;
    const char *value;

    for (guint32 hop = 1; hop <= SMTPX_MAX_RECEIVED && (value = smtpx_header_next(ctx, text, len, "Received", &pos));
         hop++) {
        if (check)
            check_order(ctx, &order, value, hop);
        if (check_top && hop == 1)
            check_top_hop(ctx, value);
        if (!show && !log)
            continue;
        gboolean parsed = smtp_received_parse(value, strlen(value), &r);
        if (show)
            add_received(ctx, summary, value, &r, parsed, hop);
        if (log && parsed && r.ip_family)
            wmem_strbuf_append_printf(path, "%s%.*s", wmem_strbuf_get_len(path) ? "," : "", (int)r.ip.len,
                                      value + r.ip.off);
    }
    if (path && wmem_strbuf_get_len(path))
        ctx->st->facts.path = smtpx_state_strdup(&ctx->call, ctx->pinfo, wmem_strbuf_get_str(path),
                                               wmem_strbuf_get_len(path));
}
