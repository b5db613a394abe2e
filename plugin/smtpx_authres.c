/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the servers that received a message before found when they checked
 * its sender: the Authentication-Results (RFC 8601) and Received-SPF
 * (RFC 7208) headers, under the message's headers; the finding when one of
 * them says the sender failed SPF, DKIM or DMARC; the newest verdicts for
 * the transactions log and -z smtpx,tree. */
#include "smtpx.h"
#include "smtp_authres.h"

#include <wsutil/str_util.h>

#define SMTPX_MAX_AUTHRES 16       /* headers of each kind read per message */

/* What the headers of one message said, as they are read. */
typedef struct {
    smtpx_ctx_t *ctx;
    proto_tree *tree;           /* NULL: no items wanted */
    guint header;               /* the header being read: 1, 2... (both kinds) */
    guint failed_in;            /* the first header with a failure (0: none) */
    wmem_strbuf_t *failed;      /* its failures: "spf=softfail, dmarc=fail" */
    const char *failed_by;      /* it, as named: "Authentication-Results of mx.example.org" */
    const char *failed_method;  /* the failure explained: dmarc if it is one, else the first */
    const char *failed_what;    /* what it checked: its first property ("header.from=x"), or NULL */
    wmem_strbuf_t *newest;      /* "spf=pass dkim=pass dmarc=fail": the top header's verdicts */
} verdicts_t;

static const char *range_str(smtpx_ctx_t *ctx, const char *v, smtp_range_t r)
{
    return wmem_strndup(ctx->pinfo->pool, v + r.off, r.len);
}

static gboolean authres_wanted(proto_tree *tree)
{
    static int *const hfs[] = { &hf_smtpx_header_auth_results, &hf_smtpx_header_auth_results_server,
                                &hf_smtpx_header_auth_result, &hf_smtpx_header_auth_method,
                                &hf_smtpx_header_auth_verdict, &hf_smtpx_header_auth_reason,
                                &hf_smtpx_header_auth_property, &hf_smtpx_header_received_spf };
    return smtpx_any_referenced(tree, hfs, G_N_ELEMENTS(hfs));
}

/* One verdict: its method and result in lower case, as shown ("dkim=pass",
 * as written), and the first thing it checked ("header.d=x"; NULL: none). */
typedef struct {
    const char *method, *result, *shown, *what;
} verdict_t;

static verdict_t verdict_of(smtpx_ctx_t *ctx, const char *method, size_t method_len, const char *result,
                            size_t result_len, const char *what)
{
    wmem_allocator_t *pool = ctx->pinfo->pool;

    return (verdict_t){ ascii_strdown_inplace(wmem_strndup(pool, method, method_len)),
                        ascii_strdown_inplace(wmem_strndup(pool, result, result_len)),
                        wmem_strdup_printf(pool, "%.*s=%.*s", (int)method_len, method, (int)result_len, result),
                        what };
}

/* One result and its parts under the header's item; the label lists
 * what was checked: "Result: dmarc=fail (header.from=x)". */
static void add_result(verdicts_t *out, proto_tree *tree, const char *v, const smtp_authres_t *r,
                       const verdict_t *vd)
{
    smtpx_ctx_t *ctx = out->ctx;
    proto_item *pi = proto_tree_add_string(tree, hf_smtpx_header_auth_result, ctx->tvb, 0, 0, vd->shown);

    proto_item_set_generated(pi);
    for (unsigned k = 0; k < r->n_props; k++)
        proto_item_append_text(pi, "%s%.*s", k ? ", " : " (", (int)r->prop[k].len, v + r->prop[k].off);
    if (r->n_props)
        proto_item_append_text(pi, ")");
    proto_tree *rt = proto_item_add_subtree(pi, ett_smtpx_auth_results);
    smtpx_add_generated(ctx, rt, hf_smtpx_header_auth_method, range_str(ctx, v, r->method));
    smtpx_add_generated(ctx, rt, hf_smtpx_header_auth_verdict, range_str(ctx, v, r->result));
    if (r->reason.len)
        smtpx_add_generated(ctx, rt, hf_smtpx_header_auth_reason, range_str(ctx, v, r->reason));
    for (unsigned k = 0; k < r->n_props; k++)
        smtpx_add_generated(ctx, rt, hf_smtpx_header_auth_property, range_str(ctx, v, r->prop[k]));
}

/* A verdict that says the sender failed, of the first header that says so:
 * for the finding. */
static void note_failure(verdicts_t *out, const char *by, const verdict_t *vd)
{
    if ((out->failed_in && out->failed_in != out->header) ||
        !smtp_authres_failed(vd->method, strlen(vd->method), vd->result, strlen(vd->result)))
        return;
    out->failed_in = out->header;
    out->failed_by = by;
    if (wmem_strbuf_get_len(out->failed))
        wmem_strbuf_append(out->failed, ", ");
    wmem_strbuf_append(out->failed, vd->shown);
    if (!out->failed_method || strcmp(vd->method, "dmarc") == 0) {
        out->failed_method = vd->method;
        out->failed_what = vd->what;
    }
}

/* A verdict of the newest header: for the log and -z smtpx,tree. */
static void newest_verdict(verdicts_t *out, const verdict_t *vd)
{
    if (wmem_strbuf_get_len(out->newest))
        wmem_strbuf_append_c(out->newest, ' ');
    wmem_strbuf_append(out->newest, vd->shown);
    smtpx_tap_pair(out->ctx, SMTPX_EV_VERDICT, vd->method, vd->result);
}

/* One Authentication-Results header; hop 1 is the top (newest) one. */
static void read_authres(verdicts_t *out, const char *v, guint hop)
{
    smtpx_ctx_t *ctx = out->ctx;
    smtp_range_t id = { 0, 0 };
    size_t pos;
    const char *server = smtp_authres_server(v, strlen(v), &id, &pos) ? range_str(ctx, v, id) : NULL;
    const char *by = server ? wmem_strdup_printf(ctx->pinfo->pool, "Authentication-Results of %s", server)
                            : "Authentication-Results";
    proto_tree *at = NULL;
    proto_item *ai = NULL;
    smtp_authres_t r;

    if (out->tree) {
        ai = proto_tree_add_string(out->tree, hf_smtpx_header_auth_results, ctx->tvb, 0, 0, v);
        proto_item_set_generated(ai);
        proto_item_set_text(ai, "%s:", by);
        at = proto_item_add_subtree(ai, ett_smtpx_auth_results);
        if (hop == 1)
            smtpx_note_request(ctx, at, SMTPX_KIND_AUTHRES);
        smtpx_add_generated(ctx, at, hf_smtpx_header_auth_results_server, server);
    }
    for (unsigned n = 0; smtp_authres_next(v, strlen(v), &pos, &r); n++) {
        verdict_t vd = verdict_of(ctx, v + r.method.off, r.method.len, v + r.result.off, r.result.len,
                                  r.n_props ? range_str(ctx, v, r.prop[0]) : NULL);
        if (ai) {
            proto_item_append_text(ai, "%s %s", n ? "," : "", vd.shown);
            add_result(out, at, v, &r, &vd);
        }
        if (hop == 1)
            newest_verdict(out, &vd);
        note_failure(out, by, &vd);
    }
}

/* One Received-SPF header: its result, an spf verdict. */
static void read_received_spf(verdicts_t *out, const char *v, guint hop)
{
    smtp_range_t result;

    if (!smtp_received_spf(v, strlen(v), &result))
        return;
    verdict_t vd = verdict_of(out->ctx, "spf", 3, v + result.off, result.len, NULL);
    if (out->tree)
        smtpx_add_generated(out->ctx, out->tree, hf_smtpx_header_received_spf, range_str(out->ctx, v, result));
    if (hop == 1 && !wmem_strbuf_get_len(out->newest))     /* no Authentication-Results: the newest */
        newest_verdict(out, &vd);
    note_failure(out, "Received-SPF", &vd);
}

/* Each header `name` of the block, in order, at most SMTPX_MAX_AUTHRES. */
static void walk(verdicts_t *out, const char *block, const char *name, void (*read)(verdicts_t *, const char *, guint))
{
    const char *value;
    size_t pos = 0, len = strlen(block);

    for (guint hop = 1; hop <= SMTPX_MAX_AUTHRES && (value = smtpx_header_next(out->ctx, block, len, name, &pos));
         hop++) {
        out->header++;
        read(out, value, hop);
    }
}

/* What each method proves when it fails, for the finding. */
static const char *failure_meaning(const char *method)
{
    if (strcmp(method, "spf") == 0)
        return "the envelope sender's domain does not allow the host that sent it";
    if (strcmp(method, "dkim") == 0)
        return "a signature did not verify: the message was changed, or the signature is forged";
    return "the From domain is not authenticated, so From may be forged";
}

const char *smtpx_auth_results(smtpx_ctx_t *ctx, proto_tree *tree, const char *block)
{
    verdicts_t out = { .ctx = ctx, .tree = authres_wanted(tree) ? tree : NULL,
                       .newest = wmem_strbuf_new(ctx->pinfo->pool, ""),
                       .failed = wmem_strbuf_new(ctx->pinfo->pool, "") };

    walk(&out, block, "Authentication-Results", read_authres);
    walk(&out, block, "Received-SPF", read_received_spf);
    if (out.failed_in)
        smtpx_finding(ctx, &ei_smtpx_sender_check_failed, ctx->tvb, 0, 0,
                      "%s says %s%s%s%s: %s. Trust it where your own server wrote it (a sender can add one)",
                      out.failed_by, wmem_strbuf_get_str(out.failed), out.failed_what ? " (" : "",
                      out.failed_what ? out.failed_what : "", out.failed_what ? ")" : "",
                      failure_meaning(out.failed_method));
    return wmem_strbuf_get_len(out.newest) ? wmem_strbuf_get_str(out.newest) : NULL;
}
