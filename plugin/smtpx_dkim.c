/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part of a DKIM signature that can be checked without the signer's
 * key (RFC 6376 3.7): the hash of the body it gives (bh=) against the
 * captured body. A body changed after signing (a mailing list's footer, a
 * filter's disclaimer) or a signature copied onto another message does not
 * match; neither does a body of which l= signs only the start. */
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
    const char *domain, *selector;
    guint64 signed_len, body_len;   /* canonical bytes signed (l=, else all) and in the body */
    gboolean match;
    const char *computed;           /* base64 of the body's hash */
} dkim_body_t;

/* The body's hash as the signature value asks for it; FALSE when the
 * signature does not say how, or its bh= cannot be read. */
static gboolean check_signature(smtpx_ctx_t *ctx, const char *value, const char *body, size_t len, dkim_body_t *r)
{
    smtp_dkim_body_sig_t sig;
    size_t off, n;

    if (!smtp_dkim_body_sig_parse(value, strlen(value), &sig))
        return FALSE;
    GChecksumType type = sig.hash == SMTP_DKIM_SHA1 ? G_CHECKSUM_SHA1 : G_CHECKSUM_SHA256;
    gsize digest_len = (gsize)g_checksum_type_get_length(type);
    guchar *want = signed_hash(ctx, value, &sig, digest_len), got[32];
    if (!want)
        return FALSE;
    GChecksum *sum = g_checksum_new(type);
    r->body_len = smtp_dkim_body_canon(body, len, sig.body, sig.has_length ? sig.length : G_MAXUINT64, hash_piece,
                                       sum);
    r->signed_len = sig.has_length ? MIN(sig.length, r->body_len) : r->body_len;
    g_checksum_get_digest(sum, got, &digest_len);
    g_checksum_free(sum);
    r->match = memcmp(want, got, digest_len) == 0 && (!sig.has_length || sig.length <= r->body_len);
    gchar *computed = g_base64_encode(got, digest_len);
    r->computed = wmem_strdup(ctx->pinfo->pool, computed);
    g_free(computed);
    r->domain = smtp_dkim_tag(value, strlen(value), "d", &off, &n) ? wmem_strndup(ctx->pinfo->pool, value + off, n)
                                                                   : "?";
    r->selector = smtp_dkim_tag(value, strlen(value), "s", &off, &n) ? wmem_strndup(ctx->pinfo->pool, value + off, n)
                                                                     : "?";
    return TRUE;
}

static void report(smtpx_ctx_t *ctx, proto_tree *summary, const dkim_body_t *r)
{
    gboolean part = r->match && r->signed_len < r->body_len;
    proto_item *pi = proto_tree_add_boolean_format_value(
        summary, hf_smtpx_msg_dkim_body, ctx->tvb, 0, 0, r->match, "%s (%s, s=%s)%s",
        r->match ? "matches" : "does not match", r->domain, r->selector,
        part ? wmem_strdup_printf(ctx->pinfo->pool, ", of the first %" PRIu64 " of %" PRIu64 " bytes",
                                  r->signed_len, r->body_len) : "");
    proto_item_set_generated(pi);
    proto_tree *t = proto_item_add_subtree(pi, ett_smtpx_dkim);
    smtpx_add_generated(ctx, t, hf_smtpx_msg_dkim_body_hash, r->computed);
    if (!r->match)
        smtpx_finding(ctx, &ei_smtpx_dkim_body, ctx->tvb, 0, 0, "The body does not match the DKIM signature of %s "
                      "(s=%s): it was changed after signing (a list's footer, a filter's disclaimer), so DKIM fails, "
                      "or the signature was copied from another message", r->domain, r->selector);
    else if (part)
        smtpx_finding(ctx, &ei_smtpx_dkim_body, ctx->tvb, 0, 0, "The DKIM signature of %s (s=%s) signs only the "
                      "first %" PRIu64 " of the body's %" PRIu64 " bytes (l=): text added after them still passes "
                      "DKIM", r->domain, r->selector, r->signed_len, r->body_len);
}

void smtpx_dkim_body(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg)
{
    static int *const hfs[] = { &hf_smtpx_msg_dkim_body, &hf_smtpx_msg_dkim_body_hash };
    if (!smtpx_check_enabled(&ei_smtpx_dkim_body) && !smtpx_any_referenced(summary, hfs, G_N_ELEMENTS(hfs)))
        return;
    size_t avail = tvb_captured_length(msg), pos = 0;
    const char *text = avail ? (const char *)tvb_get_ptr(msg, 0, (gint)avail) : "";
    size_t hlen = smtp_header_block_len(text, MIN(avail, SMTPX_MAX_HEADERS));
    if (hlen == SMTPX_MAX_HEADERS && hlen < avail)     /* the body's start is not known */
        return;
    size_t body = hlen + (hlen < avail && text[hlen] == '\r' ? 2 : hlen < avail ? 1 : 0);
    const char *value;
    dkim_body_t r;

    for (int n = 0; n < SMTPX_MAX_DKIM && (value = smtpx_header_next(ctx, text, hlen, "DKIM-Signature", &pos)); n++) {
        if (check_signature(ctx, value, text + body, avail - body, &r))
            report(ctx, summary, &r);
    }
}
