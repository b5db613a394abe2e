/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What of a DKIM signature can be checked without the signer's key: the
 * hash of the body it gives (bh=, RFC 6376 3.7) against the captured body
 * (a body changed after signing, by a mailing list's footer or a filter's
 * disclaimer, or a signature copied onto another message, does not match;
 * l= may sign only the body's start), that it signs From, and that it had
 * not expired (x=), nor was made later (t=), when the message was
 * captured. A forwarder's ARC-Message-Signature (RFC 8617) has the same
 * tags and gets the same checks, and the ARC chain's structure is checked
 * (smtp_arc_verdict). */
#include "smtpx.h"
#include "smtp_dkim.h"
#include "smtp_imf.h"

#define SMTPX_MAX_DKIM 8        /* signatures checked per message */

static void hash_piece(void *data, const char *bytes, size_t len)
{
    g_checksum_update((GChecksum *)data, (const guchar *)bytes, (gssize)len);
}

/* bh= decoded, with the blanks of folding left out; NULL when it is not
 * base64 of a digest of the hash's length (a header cut at SMTPX_MAX_VALUE). */
static guchar *signed_hash(smtpx_ctx_t *ctx, const char *value, const smtp_dkim_body_sig_t *sig, gsize want)
{
    char *b64 = wmem_strndup(ctx->pinfo->pool, value + sig->bh.off, sig->bh.len), *w = b64;
    gsize n = 0;

    for (const char *r = b64; *r; r++) {
        if (*r != ' ' && *r != '\t')
            *w++ = *r;
    }
    *w = '\0';
    if ((gsize)(w - b64) != (want + 2) / 3 * 4)
        return NULL;
    guchar *digest = g_base64_decode_inplace(b64, &n);
    return n == want ? digest : NULL;
}

typedef struct {
    const char *value;              /* the signature, unfolded */
    const char *name;               /* "DKIM signature of example.com (s=sel)", for findings */
    const char *label;              /* "example.com, s=sel", for its verdict item */
    const char *who;                /* "example.com" ("arc:example.com"), for the log and statistics */
} dkim_sig_t;

typedef struct {
    guint64 signed_len, body_len;   /* canonical bytes signed (l=, else all) and in the body */
    gboolean match;
    const char *computed;           /* base64 of the body's hash */
} dkim_body_t;

static const char *tag_text(smtpx_ctx_t *ctx, const char *value, const char *name)
{
    size_t off, n;
    return smtp_dkim_tag(value, strlen(value), name, &off, &n) ? wmem_strndup(ctx->pinfo->pool, value + off, n) : "?";
}

/* How a DKIM-Signature, or an ARC-Message-Signature (RFC 8617: a forwarder's
 * DKIM-like signature, numbered by i=), is named. */
static void name_signature(smtpx_ctx_t *ctx, dkim_sig_t *sig, gboolean arc)
{
    wmem_allocator_t *pool = ctx->pinfo->pool;
    const char *d = tag_text(ctx, sig->value, "d"), *sel = tag_text(ctx, sig->value, "s");

    if (!arc) {
        sig->name = wmem_strdup_printf(pool, "DKIM signature of %s (s=%s)", d, sel);
        sig->label = wmem_strdup_printf(pool, "%s, s=%s", d, sel);
        sig->who = d;
        return;
    }
    const char *i = tag_text(ctx, sig->value, "i");
    sig->name = wmem_strdup_printf(pool, "ARC message signature i=%s of %s (s=%s)", i, d, sel);
    sig->label = wmem_strdup_printf(pool, "ARC i=%s, %s, s=%s", i, d, sel);
    sig->who = wmem_strdup_printf(pool, "arc:%s", d);
}

/* The bodies hashed for a message's signatures so far: signatures that
 * hash it the same way (a DKIM and an ARC signature, both relaxed) share
 * one pass over it. */
typedef struct {
    int n;
    struct {
        smtp_dkim_hash_t hash;
        smtp_dkim_canon_t canon;
        guint64 limit;
        guint64 body_len;
        guchar digest[32];
    } done[SMTPX_MAX_DKIM];
} hashed_t;

/* The body's canonical length, and its digest (of digest_len bytes) as sig asks. */
static const guchar *digest_of(hashed_t *hashed, const smtp_dkim_body_sig_t *sig, const char *body, size_t len,
                               gsize digest_len, guint64 *body_len)
{
    guint64 limit = sig->has_length ? sig->length : G_MAXUINT64;
    int i;

    for (i = 0; i < hashed->n; i++) {
        if (hashed->done[i].hash == sig->hash && hashed->done[i].canon == sig->body && hashed->done[i].limit == limit)
            break;
    }
    if (i == hashed->n) {       /* not hashed so: once more (at most SMTPX_MAX_DKIM times) */
        GChecksum *sum = g_checksum_new(sig->hash == SMTP_DKIM_SHA1 ? G_CHECKSUM_SHA1 : G_CHECKSUM_SHA256);
        hashed->done[i].body_len = smtp_dkim_body_canon(body, len, sig->body, limit, hash_piece, sum);
        g_checksum_get_digest(sum, hashed->done[i].digest, &digest_len);
        g_checksum_free(sum);
        hashed->done[i].hash = sig->hash;
        hashed->done[i].canon = sig->body;
        hashed->done[i].limit = limit;
        hashed->n++;
    }
    *body_len = hashed->done[i].body_len;
    return hashed->done[i].digest;
}

/* The body's hash as the signature asks for it; FALSE when the signature
 * does not say how, or its bh= cannot be read. */
static gboolean hash_body(smtpx_ctx_t *ctx, hashed_t *hashed, const char *value, const char *body, size_t len,
                          dkim_body_t *r)
{
    smtp_dkim_body_sig_t sig;

    if (!smtp_dkim_body_sig_parse(value, strlen(value), &sig))
        return FALSE;
    gsize digest_len = (gsize)g_checksum_type_get_length(sig.hash == SMTP_DKIM_SHA1 ? G_CHECKSUM_SHA1
                                                                                     : G_CHECKSUM_SHA256);
    const guchar *want = signed_hash(ctx, value, &sig, digest_len);
    if (!want)
        return FALSE;
    const guchar *got = digest_of(hashed, &sig, body, len, digest_len, &r->body_len);
    r->signed_len = sig.has_length ? MIN(sig.length, r->body_len) : r->body_len;
    r->match = memcmp(want, got, digest_len) == 0 && (!sig.has_length || sig.length <= r->body_len);
    gchar *computed = g_base64_encode(got, digest_len);
    r->computed = wmem_strdup(ctx->pinfo->pool, computed);
    g_free(computed);
    return TRUE;
}

/* A signature's verdict in the transactions log: the worst thing found */
typedef enum { VERDICT_UNCHECKED, VERDICT_OK, VERDICT_PARTIAL, VERDICT_FUTURE, VERDICT_EXPIRED, VERDICT_NO_FROM,
               VERDICT_ALTERED } verdict_t;
static const char *const verdict_names[] = { "unchecked", "ok", "partial", "future", "expired", "no-from",
                                             "altered" };

static verdict_t report_body(smtpx_ctx_t *ctx, proto_tree *summary, const dkim_sig_t *sig, const dkim_body_t *r,
                             gboolean first)
{
    gboolean part = r->match && r->signed_len < r->body_len;
    proto_item *pi = proto_tree_add_boolean_format_value(
        summary, hf_smtpx_msg_dkim_body, ctx->tvb, 0, 0, r->match, "%s (%s)%s",
        r->match ? "matches" : "does not match", sig->label,
        part ? wmem_strdup_printf(ctx->pinfo->pool, ", of the first %" PRIu64 " of %" PRIu64 " bytes",
                                  r->signed_len, r->body_len) : "");
    proto_item_set_generated(pi);
    proto_tree *t = proto_item_add_subtree(pi, ett_smtpx_dkim);
    smtpx_add_generated(ctx, t, hf_smtpx_msg_dkim_body_hash, r->computed);
    if (first)
        smtpx_note_request(ctx, t, SMTPX_KIND_DKIM);
    if (!r->match)
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The body does not match the %s: it was changed "
                      "after signing (a list's footer, a filter's disclaimer), so the signature fails, or it was "
                      "copied from another message", sig->name);
    else if (part)
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The %s signs only the first %" PRIu64 " of the "
                      "body's %" PRIu64 " bytes (l=): text added after them still passes DKIM", sig->name,
                      r->signed_len, r->body_len);
    return !r->match ? VERDICT_ALTERED : part ? VERDICT_PARTIAL : VERDICT_OK;
}

/* RFC 6376 5.4: From MUST be signed; a signature without it fails, and
 * leaves From to anyone. */
static gboolean check_signed_from(smtpx_ctx_t *ctx, const dkim_sig_t *sig)
{
    size_t off, n;

    if (!smtp_dkim_tag(sig->value, strlen(sig->value), "h", &off, &n) || smtp_dkim_signs(sig->value + off, n, "from"))
        return FALSE;
    smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The %s does not sign the From header (h=%s): RFC 6376 "
                  "requires it, verifiers fail the signature, and anyone may change From", sig->name,
                  smtpx_line_format(ctx, sig->value + off, (int)MIN(n, 60)));
    return TRUE;
}

#define SMTPX_DKIM_SKEW (2 * 3600)      /* the signer's clock and the capture's differ */

/* x=: a signature that expired before the message was captured fails; t=:
 * one made after it cannot be (a clock gone wrong, or made up). */
static verdict_t check_times(smtpx_ctx_t *ctx, const dkim_sig_t *sig)
{
    guint64 x, t;
    long long now;

    if (!smtpx_capture_clock(ctx, &now))
        return VERDICT_UNCHECKED;
    const char *captured = smtpx_capture_time_text(ctx, "%Y-%m-%d %H:%M UTC");
    if (smtp_dkim_number(sig->value, strlen(sig->value), "x", &x) && (long long)x < now) {
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The %s expired on %s (x=), before this capture of the "
                      "message (%s): verifiers fail it; an old signed message sent again", sig->name,
                      smtpx_time_text(ctx, (long long)x, "%Y-%m-%d %H:%M UTC"), captured);
        return VERDICT_EXPIRED;
    }
    if (smtp_dkim_number(sig->value, strlen(sig->value), "t", &t) && (long long)t > now + SMTPX_DKIM_SKEW) {
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The %s was made on %s (t=), %.1f hours after this "
                      "capture of the message (%s): the signer's clock is wrong, or the signature made up", sig->name,
                      smtpx_time_text(ctx, (long long)t, "%Y-%m-%d %H:%M UTC"), (double)((long long)t - now) / 3600,
                      captured);
        return VERDICT_FUTURE;
    }
    return VERDICT_UNCHECKED;      /* nothing found */
}

/* The checks of one signature, and its verdict. */
static verdict_t check_signature(smtpx_ctx_t *ctx, proto_tree *summary, hashed_t *hashed, const dkim_sig_t *sig,
                                 const char *body, size_t len, gboolean first)
{
    dkim_body_t r;
    verdict_t body_v = hash_body(ctx, hashed, sig->value, body, len, &r) ? report_body(ctx, summary, sig, &r, first)
                                                                          : VERDICT_UNCHECKED;
    verdict_t times_v = check_times(ctx, sig);
    verdict_t from_v = check_signed_from(ctx, sig) ? VERDICT_NO_FROM : VERDICT_UNCHECKED;

    return MAX(body_v, MAX(times_v, from_v));
}

static const char *const arc_headers[SMTP_ARC_KINDS] = { "ARC-Seal", "ARC-Message-Signature",
                                                         "ARC-Authentication-Results" };

static const char *cv_text(char cv)
{
    return cv == 'n' ? "cv=none" : cv == 'p' ? "cv=pass" : "no cv= of none, pass or fail";
}

/* The finding for a chain that is not intact. */
static void report_arc_fault(smtpx_ctx_t *ctx, const smtp_arc_sets_t *sets, const smtp_arc_chain_t *c)
{
    const char *broken = "the chain is broken, verifiers fail it";

    switch (c->verdict) {
    case SMTP_ARC_NO_INSTANCE:
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "An %s header has no instance i= from 1 to %d: %s",
                      arc_headers[c->kind], SMTP_ARC_MAX, broken);
        break;
    case SMTP_ARC_FAILED:
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The ARC-Seal i=%u says cv=fail: the forwarder that "
                      "added set %u found the chain it received broken, so the chain fails", c->at, c->at);
        break;
    case SMTP_ARC_MISSING:
    case SMTP_ARC_DUPLICATE:
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "Set i=%u of %u in the ARC chain has %s %s header "
                      "(each forwarder adds one seal, one signature, one results): %s", c->at, c->instances,
                      c->verdict == SMTP_ARC_MISSING ? "no" : "more than one", arc_headers[c->kind], broken);
        break;
    case SMTP_ARC_WRONG_CV:
        smtpx_finding(ctx, &ei_smtpx_dkim, ctx->tvb, 0, 0, "The ARC-Seal i=%u has %s where the chain needs %s "
                      "(%s): %s", c->at, cv_text(sets->cv[c->at]), c->at == 1 ? "cv=none" : "cv=pass",
                      c->at == 1 ? "no chain comes before the first set" : "the sets before it were intact", broken);
        break;
    case SMTP_ARC_INTACT:
        break;
    }
}

/* The structure of the message's ARC chain (RFC 8617 5.2), the part of it
 * that needs no key; returns its verdict: intact, failed or broken. */
static const char *check_arc_chain(smtpx_ctx_t *ctx, proto_tree *summary, const char *text, size_t hlen)
{
    smtp_arc_sets_t sets = { 0 };
    smtp_arc_chain_t chain;
    const char *value;

    for (int k = 0; k < SMTP_ARC_KINDS; k++) {
        for (size_t pos = 0; (value = smtpx_header_next(ctx, text, hlen, arc_headers[k], &pos));)
            smtp_arc_add(&sets, (smtp_arc_kind_t)k, value, strlen(value));
    }
    smtp_arc_verdict(&sets, &chain);
    const char *verdict = chain.verdict == SMTP_ARC_INTACT ? "intact"
                        : chain.verdict == SMTP_ARC_FAILED ? "failed" : "broken";
    proto_item *pi = proto_tree_add_string_format_value(summary, hf_smtpx_msg_arc, ctx->tvb, 0, 0, verdict,
                                                        "%s, %u set%s (its seals need keys: not verified)", verdict,
                                                        chain.instances, chain.instances == 1 ? "" : "s");
    proto_item_set_generated(pi);
    proto_tree *t = proto_item_add_subtree(pi, ett_smtpx_dkim);
    proto_item_set_generated(proto_tree_add_uint(t, hf_smtpx_msg_arc_sets, ctx->tvb, 0, 0, chain.instances));
    smtpx_note_request(ctx, t, SMTPX_KIND_ARC);
    report_arc_fault(ctx, &sets, &chain);
    smtpx_tap_pair(ctx, SMTPX_EV_DKIM, verdict, "arc-chain");
    return verdict;
}

void smtpx_dkim(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg)
{
    static int *const hfs[] = { &hf_smtpx_msg_dkim_body, &hf_smtpx_msg_dkim_body_hash, &hf_smtpx_msg_arc,
                                &hf_smtpx_msg_arc_sets };
    gboolean log = smtpx_tapping(ctx);
    if (!log && !smtpx_check_enabled(&ei_smtpx_dkim) && !smtpx_any_referenced(summary, hfs, G_N_ELEMENTS(hfs)))
        return;
    size_t avail, hlen, pos = 0;
    const char *text = smtpx_message_text(msg, &avail, &hlen);
    if (hlen == SMTPX_MAX_HEADERS && hlen < avail)     /* the body's start is not known */
        return;
    size_t body = hlen + (hlen < avail && text[hlen] == '\r' ? 2 : hlen < avail ? 1 : 0);
    static const char *const headers[] = { "DKIM-Signature", "ARC-Message-Signature", "ARC-Seal",
                                           "ARC-Authentication-Results" };
    unsigned counts[G_N_ELEMENTS(headers)];
    smtp_header_counts(text, hlen, headers, G_N_ELEMENTS(headers), counts);     /* one walk when there is none */
    unsigned arc = counts[1] + counts[2] + counts[3];
    if (!counts[0] && !arc)
        return;
    wmem_strbuf_t *verdicts = wmem_strbuf_new(ctx->pinfo->pool, "");
    dkim_sig_t sig;
    hashed_t hashed = { 0 };
    int n = 0;

    for (int h = 0; h < 2; h++) {
        for (pos = 0; n < SMTPX_MAX_DKIM && (sig.value = smtpx_header_next(ctx, text, hlen, headers[h], &pos)); n++) {
            name_signature(ctx, &sig, h == 1);
            verdict_t v = check_signature(ctx, summary, &hashed, &sig, text + body, avail - body, n == 0);
            smtpx_tap_pair(ctx, SMTPX_EV_DKIM, verdict_names[v], sig.who);
            wmem_strbuf_append_printf(verdicts, "%s%s=%s", n ? "," : "", sig.who, verdict_names[v]);
        }
    }
    if (arc)
        wmem_strbuf_append_printf(verdicts, "%sarc-chain=%s", n ? "," : "", check_arc_chain(ctx, summary, text, hlen));
    if (log && wmem_strbuf_get_len(verdicts))
        ctx->st->facts.dkim = smtpx_state_strdup(&ctx->call, ctx->pinfo, wmem_strbuf_get_str(verdicts),
                                               wmem_strbuf_get_len(verdicts));
}
