/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the servers that received a message before found when they checked
 * its sender: the Authentication-Results (RFC 8601), ARC-Authentication-Results
 * (RFC 8617) and Received-SPF (RFC 7208) headers, under the message's
 * headers; the finding when one of them says the sender failed SPF, DKIM or
 * DMARC (with what the first forwarder found, when it says the sender
 * passed); the newest verdicts for the transactions log and -z smtpx,tree. */
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
    gboolean failed_arc;        /* the failures are an ARC-Authentication-Results' */
    wmem_strbuf_t *newest;      /* "spf=pass dkim=pass dmarc=fail": the top header's verdicts */
    const char *origin_by;      /* the first forwarder's ARC-Authentication-Results (i=1), as named */
    wmem_strbuf_t *origin;      /* its verdicts in lower case: " spf=pass dmarc=pass " */
} verdicts_t;

/* One header of verdicts: an Authentication-Results, or an
 * ARC-Authentication-Results, whose Authentication-Results value follows
 * its i=. */
typedef struct {
    const char *value;          /* as written */
    size_t rest;                /* where its Authentication-Results value starts */
    guint hop;                  /* 1: the top (newest) header of its kind */
    gboolean arc;
    unsigned instance;          /* ARC: i= (0: none) */
} results_header_t;

static const char *range_str(smtpx_ctx_t *ctx, const char *v, smtp_range_t r)
{
    return wmem_strndup(ctx->pinfo->pool, v + r.off, r.len);
}

static gboolean authres_wanted(proto_tree *tree)
{
    static int *const hfs[] = { &hf_smtpx_header_auth_results, &hf_smtpx_header_auth_results_server,
                                &hf_smtpx_header_auth_result, &hf_smtpx_header_auth_method,
                                &hf_smtpx_header_auth_verdict, &hf_smtpx_header_auth_reason,
                                &hf_smtpx_header_auth_property, &hf_smtpx_header_received_spf,
                                &hf_smtpx_header_arc_auth_results, &hf_smtpx_header_arc_auth_results_instance };
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
    proto_item *pi = smtpx_add_string(ctx, tree, hf_smtpx_header_auth_result, ctx->tvb, 0, 0, vd->shown);

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
static void note_failure(verdicts_t *out, const char *by, gboolean arc, const verdict_t *vd)
{
    if ((out->failed_in && out->failed_in != out->header) ||
        !smtp_authres_failed(vd->method, strlen(vd->method), vd->result, strlen(vd->result)))
        return;
    out->failed_in = out->header;
    out->failed_by = by;
    out->failed_arc = arc;
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

/* The header as the finding and its label name it: "Authentication-Results
 * of mx.example.org", "ARC-Authentication-Results i=1 of lists.example". */
static const char *results_name(smtpx_ctx_t *ctx, const results_header_t *h, const char *server)
{
    const char *kind = !h->arc ? "Authentication-Results"
                     : h->instance ? wmem_strdup_printf(ctx->pinfo->pool, "ARC-Authentication-Results i=%u", h->instance)
                     : "ARC-Authentication-Results";
    return server ? wmem_strdup_printf(ctx->pinfo->pool, "%s of %s", kind, server) : kind;
}

/* The header's item, its note (on the newest one, or on the first
 * forwarder's), instance and server; its subtree goes to *at. */
static proto_item *add_results_item(verdicts_t *out, const results_header_t *h, const char *by, const char *server,
                                    proto_tree **at)
{
    smtpx_ctx_t *ctx = out->ctx;
    proto_item *ai = smtpx_add_string(ctx, out->tree, h->arc ? hf_smtpx_header_arc_auth_results
                                                             : hf_smtpx_header_auth_results, ctx->tvb, 0, 0, h->value);

    proto_item_set_generated(ai);
    proto_item_set_text(ai, "%s:", by);
    *at = proto_item_add_subtree(ai, ett_smtpx_auth_results);
    if (h->arc ? h->instance == 1 : h->hop == 1)
        smtpx_note_request(ctx, *at, h->arc ? SMTPX_KIND_ARC_RESULTS : SMTPX_KIND_AUTHRES);
    if (h->instance)
        proto_item_set_generated(proto_tree_add_uint(*at, hf_smtpx_header_arc_auth_results_instance, ctx->tvb, 0, 0,
                                                     h->instance));
    smtpx_add_generated(ctx, *at, hf_smtpx_header_auth_results_server, server);
    return ai;
}

static void read_results(verdicts_t *out, const results_header_t *h)
{
    smtpx_ctx_t *ctx = out->ctx;
    const char *v = h->value + h->rest;
    size_t len = strlen(v), pos;
    smtp_range_t id = { 0, 0 };
    const char *server = smtp_authres_server(v, len, &id, &pos) ? range_str(ctx, v, id) : NULL;
    const char *by = results_name(ctx, h, server);
    gboolean origin = h->arc && h->instance == 1 && !out->origin_by;
    proto_tree *at = NULL;
    proto_item *ai = out->tree ? add_results_item(out, h, by, server, &at) : NULL;
    smtp_authres_t r;

    if (origin)
        out->origin_by = by;
    for (unsigned n = 0; smtp_authres_next(v, len, &pos, &r); n++) {
        verdict_t vd = verdict_of(ctx, v + r.method.off, r.method.len, v + r.result.off, r.result.len,
                                  r.n_props ? range_str(ctx, v, r.prop[0]) : NULL);
        if (ai) {
            proto_item_append_text(ai, "%s %s", n ? "," : "", vd.shown);
            add_result(out, at, v, &r, &vd);
        }
        if (!h->arc && h->hop == 1)
            newest_verdict(out, &vd);
        if (origin)
            wmem_strbuf_append_printf(out->origin, "%s=%s ", vd.method, vd.result);
        note_failure(out, by, h->arc, &vd);
    }
}

static void read_authres(verdicts_t *out, const char *v, guint hop)
{
    read_results(out, &(results_header_t){ v, 0, hop, FALSE, 0 });
}

static void read_arc_results(verdicts_t *out, const char *v, guint hop)
{
    results_header_t h = { v, 0, hop, TRUE, 0 };

    h.rest = smtp_arc_results_instance(v, strlen(v), &h.instance);
    read_results(out, &h);
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
    note_failure(out, "Received-SPF", FALSE, &vd);
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

/* Did the first forwarder find that the sender passed the check that
 * failed later? Then forwarding may be why. */
static gboolean origin_passed(const verdicts_t *out)
{
    return out->origin_by && !out->failed_arc &&
           strstr(wmem_strbuf_get_str(out->origin),
                  wmem_strdup_printf(out->ctx->pinfo->pool, " %s=pass ", out->failed_method)) != NULL;
}

/* The finding: who says the sender failed what, and what that means. */
static void report_failure(const verdicts_t *out)
{
    smtpx_ctx_t *ctx = out->ctx;
    const char *checked = out->failed_what ? wmem_strdup_printf(ctx->pinfo->pool, " (%s)", out->failed_what) : "";

    if (origin_passed(out))
        smtpx_finding(ctx, &ei_smtpx_sender_check_failed, ctx->tvb, 0, 0,
                      "%s says %s%s, but %s says %s=pass: forwarding may explain it, if its ARC seal verifies",
                      out->failed_by, wmem_strbuf_get_str(out->failed), checked, out->origin_by, out->failed_method);
    else
        smtpx_finding(ctx, &ei_smtpx_sender_check_failed, ctx->tvb, 0, 0,
                      "%s says %s%s: %s. Trust it where your own server wrote it (a sender can add one)",
                      out->failed_by, wmem_strbuf_get_str(out->failed), checked, failure_meaning(out->failed_method));
}

const char *smtpx_auth_results(smtpx_ctx_t *ctx, proto_tree *tree, const char *block)
{
    verdicts_t out = { .ctx = ctx, .tree = authres_wanted(tree) ? tree : NULL,
                       .newest = wmem_strbuf_new(ctx->pinfo->pool, ""),
                       .failed = wmem_strbuf_new(ctx->pinfo->pool, ""),
                       .origin = wmem_strbuf_new(ctx->pinfo->pool, " ") };

    walk(&out, block, "Authentication-Results", read_authres);
    walk(&out, block, "ARC-Authentication-Results", read_arc_results);
    walk(&out, block, "Received-SPF", read_received_spf);
    if (out.failed_in)
        report_failure(&out);
    return wmem_strbuf_get_len(out.newest) ? wmem_strbuf_get_str(out.newest) : NULL;
}
