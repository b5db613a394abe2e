/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sender authenticity: the header block of a message against its envelope,
 * domains compared by organisational domain (Public Suffix List, libpsl);
 * and domains spelt in lookalike letters (homographs). */
#include "smtpx.h"
#include "smtp_grammar.h"
#include "smtp_imf.h"

#include <libpsl.h>
#include <wsutil/str_util.h>

static const psl_ctx_t *psl;
static psl_ctx_t *loaded_psl;       /* from a file: freed at shutdown */

static const psl_ctx_t *public_suffixes(void)
{
    if (!psl)
        psl = loaded_psl = psl_latest(NULL);    /* Debian's public_suffix_list, else libpsl's built-in copy */
    if (!psl)
        psl = psl_builtin();
    return psl;
}

/* Public-suffix look-ups are remembered in a small direct-mapped cache: the
 * same few domains come back in every session, and the cache's size is fixed
 * whatever the capture holds. */
#define ORG_CACHE_SLOTS 256
#define ORG_CACHE_MAX_HOST 253      /* longest DNS name; longer ones are not kept */

typedef struct {
    char *host;                     /* lower-case */
    char *org;
} org_cache_slot_t;

static org_cache_slot_t org_cache[ORG_CACHE_SLOTS];

/* At exit: what the plugin allocated for the program's life, freed before
 * the plugin is unloaded (memcheck would count it as lost). */
static void sender_shutdown(void)
{
    for (size_t i = 0; i < ORG_CACHE_SLOTS; i++) {
        g_free(org_cache[i].host);
        g_free(org_cache[i].org);
        org_cache[i].host = org_cache[i].org = NULL;
    }
    psl_free(loaded_psl);
    loaded_psl = NULL;
    psl = NULL;
}

void smtpx_sender_register(void)
{
    register_shutdown_routine(sender_shutdown);
}

static guint host_hash(const char *host)
{
    guint h = 5381;
    for (; *host; host++)
        h = h * 33 + (guchar)g_ascii_tolower(*host);
    return h;
}

static char *lookup_org_domain(const char *host_lower)
{
    const char *reg = public_suffixes() ? psl_registrable_domain(public_suffixes(), host_lower) : NULL;
    return g_strdup(reg ? reg : host_lower);
}

/* A host name in one form: ASCII, an IDN's labels as xn-- (bücher.de is
 * xn--bcher-kva.de; a homograph stays visible as one), without the root's
 * dot ("bank.example."). */
static const char *one_form(smtpx_ctx_t *ctx, const char *host)
{
    gboolean idn = g_utf8_validate(host, -1, NULL) && g_hostname_is_non_ascii(host);
    char *ascii = idn ? g_hostname_to_ascii(host) : NULL;

    if (ascii) {
        host = wmem_strdup(ctx->pinfo->pool, ascii);
        g_free(ascii);
    }
    size_t len = strlen(host);
    return len > 1 && host[len - 1] == '.' ? wmem_strndup(ctx->pinfo->pool, host, len - 1) : host;
}

/* Organisational domain of a host name, lower-case. */
const char *smtpx_org_domain_of_host(smtpx_ctx_t *ctx, const char *host)
{
    if (host[0] == '[')     /* an address literal: no DNS name, its own "organisation" */
        return ascii_strdown_inplace(wmem_strdup(ctx->pinfo->pool, host));
    host = one_form(ctx, host);
    org_cache_slot_t *slot = &org_cache[host_hash(host) % ORG_CACHE_SLOTS], fresh;

    if (slot->host && g_ascii_strcasecmp(slot->host, host) == 0)
        return wmem_strdup(ctx->pinfo->pool, slot->org);
    fresh.host = g_ascii_strdown(host, -1);
    fresh.org = lookup_org_domain(fresh.host);
    const char *org = wmem_strdup(ctx->pinfo->pool, fresh.org);
    if (strlen(host) > ORG_CACHE_MAX_HOST) {
        g_free(fresh.host);
        g_free(fresh.org);
        return org;
    }
    g_free(slot->host);
    g_free(slot->org);
    *slot = fresh;
    return org;
}

/* Organisational domain of an address (DMARC relaxed alignment), lower-case; NULL if none. */
const char *smtpx_org_domain(smtpx_ctx_t *ctx, const char *addr)
{
    size_t off;
    if (!addr || !smtp_address_domain(addr, strlen(addr), &off))
        return NULL;
    return smtpx_org_domain_of_host(ctx, addr + off);
}

/* The addresses the header `name` lists (From may name several, RFC 5322
 * 3.6.2; a group's members count), in order; *display: the first one's
 * display name. */
static wmem_array_t *header_addresses(smtpx_ctx_t *ctx, const char *block, const char *name, const char **display)
{
    const char *value = smtpx_whole_header(ctx, block, name);
    wmem_array_t *addrs = wmem_array_new(ctx->pinfo->pool, sizeof(const char *));
    smtp_mailbox_t mb;
    size_t pos = 0;

    if (!value)
        return addrs;
    while (smtp_mailbox_list_next(value, strlen(value), &pos, &mb)) {
        const char *addr = wmem_strndup(ctx->pinfo->pool, value + mb.addr_off, mb.addr_len);
        if (display && wmem_array_get_count(addrs) == 0)
            *display = wmem_strndup(ctx->pinfo->pool, value + mb.display_off, mb.display_len);
        wmem_array_append_one(addrs, addr);
    }
    return addrs;
}

static const char *address_at(wmem_array_t *addrs, guint i)
{
    return i < wmem_array_get_count(addrs) ? *(const char **)wmem_array_index(addrs, i) : NULL;
}

/* The domain of the first DKIM signature aligned with from_org (relaxed), or NULL. */
static const char *aligned_signature(smtpx_ctx_t *ctx, const char *block, const char *from_org)
{
    const char *domain, *selector;
    size_t pos = 0, len = strlen(block);

    while (smtpx_dkim_next(ctx, block, len, &pos, &domain, &selector)) {
        if (strcmp(smtpx_org_domain_of_host(ctx, domain), from_org) == 0)
            return domain;
    }
    return NULL;
}

/* Each From address against the envelope sender (DMARC relaxed alignment);
 * one finding, for the first that is not aligned. */
static void check_alignment(smtpx_ctx_t *ctx, const char *block, wmem_array_t *froms)
{
    const char *envelope = smtpx_envelope_sender(ctx->st), *from = address_at(froms, 0);

    if (!envelope || !*envelope || !from || !strchr(from, '@'))
        return;         /* no transaction seen, a bounce (<>), or no address (check_from_is_address) */
    if (!strchr(envelope, '@')) {
        smtpx_finding(ctx, &ei_smtpx_spoofed_from, ctx->tvb, 0, 0,
                      "Header From <%s> cannot be checked against the envelope sender \"%s\", which is not "
                      "an address: the sender is not authenticated", from, envelope);
        return;
    }
    const char *env_org = smtpx_org_domain(ctx, envelope);
    for (guint i = 0; env_org && (from = address_at(froms, i)) != NULL; i++) {
        const char *from_org = smtpx_org_domain(ctx, from);
        if (!from_org || strcmp(env_org, from_org) == 0)
            continue;
        const char *signer = aligned_signature(ctx, block, from_org);
        smtpx_finding(ctx, &ei_smtpx_spoofed_from, ctx->tvb, 0, 0,
                      "Header From <%s> (domain %s) is not aligned with the envelope sender <%s> (domain %s)%s%s%s",
                      from, from_org, envelope, env_org,
                      signer ? "; a DKIM signature of d=" : "", signer ? signer : "",
                      signer ? " would align it if valid (not verified)" : "");
        return;
    }
}

/* A From that is no address ("From: You'll-never-know", "From: <Ilon Mask>"):
 * mail programs show it as the sender, and there is nothing to check. */
static void check_from_is_address(smtpx_ctx_t *ctx, const char *from)
{
    if (from && !strchr(from, '@'))
        smtpx_finding(ctx, &ei_smtpx_spoofed_from, ctx->tvb, 0, 0,
                      "Header From \"%s\" is no address (RFC 5322 3.6.2 wants a mailbox, name@domain): mail "
                      "programs show it as the sender, and nothing ties it to one", from);
}

/* A display name that holds another address than the real one, as a mail
 * client shows it (RFC 2047 words decoded). */
static void check_display_name(smtpx_ctx_t *ctx, const char *from, const char *display)
{
    const char *name = display && from ? smtpx_decode_rfc2047(ctx->pinfo->pool, display) : NULL;
    const char *at = name ? strchr(name, '@') : NULL;
    if (!at)
        return;
    const char *start = at, *end = at + 1;
    while (start > name && !strchr(" \"'<(", start[-1]))
        start--;
    while (*end && !strchr(" \"'>)", *end))
        end++;
    if (start == at || end == at + 1)
        return;     /* "Support @ Example": no address */
    char *shown = wmem_strndup(ctx->pinfo->pool, start, (size_t)(end - start));
    if (g_ascii_strcasecmp(shown, from) != 0)
        smtpx_finding(ctx, &ei_smtpx_display_name_spoof, ctx->tvb, 0, 0,
                      "The From display name shows the address %s but the message is from <%s>", shown, from);
}

static void check_other_senders(smtpx_ctx_t *ctx, const char *block, const char *from)
{
    static const char *const names[] = { "Sender", "Reply-To" };
    const char *from_org = smtpx_org_domain(ctx, from);

    for (size_t i = 0; i < G_N_ELEMENTS(names) && from_org; i++) {
        wmem_array_t *addrs = header_addresses(ctx, block, names[i], NULL);
        const char *addr, *org;
        for (guint j = 0; (addr = address_at(addrs, j)) != NULL; j++) {
            if ((org = smtpx_org_domain(ctx, addr)) == NULL || strcmp(org, from_org) == 0)
                continue;
            smtpx_finding(ctx, &ei_smtpx_reply_to_mismatch, ctx->tvb, 0, 0,
                          "%s <%s> is in another domain (%s) than From <%s> (%s)", names[i], addr, org,
                          from, from_org);
            break;
        }
    }
}

gboolean smtpx_homograph(const char *domain, size_t len, smtp_idn_t *idn)
{
    return smtp_idn_read(domain, len, idn) && idn->lookalike;
}

const char *smtpx_homograph_text(smtpx_ctx_t *ctx, const char *domain, size_t len, const smtp_idn_t *idn)
{
    return wmem_strdup_printf(ctx->pinfo->pool, "%s is %s in Unicode, which reads as %s",
                              smtpx_line_format(ctx, domain, (int)len),
                              smtpx_line_format(ctx, idn->unicode, (int)strlen(idn->unicode)),
                              smtpx_line_format(ctx, idn->looks_like, (int)strlen(idn->looks_like)));
}

void smtpx_check_homograph(smtpx_ctx_t *ctx, const char *what, const char *addr, size_t len, int offset,
                           int item_len)
{
    const char *at = g_strrstr_len(addr, (gssize)len, "@");
    const char *domain = at ? at + 1 : addr;
    size_t n = len - (size_t)(domain - addr);
    smtp_idn_t idn;

    if (smtpx_homograph(domain, n, &idn))
        smtpx_finding(ctx, &ei_smtpx_homograph, ctx->tvb, offset, item_len,
                      "The %s domain %s: letters of another script that look like Latin ones (a homograph, a "
                      "phishing trick)", what, smtpx_homograph_text(ctx, domain, n, &idn));
}

/* A Return-Path header in a message on its way: RFC 5321 (4.4) has only
 * the final delivery write it, from MAIL FROM (and LMTP is that delivery). */
static void check_return_path(smtpx_ctx_t *ctx, const char *block)
{
    char value[SMTPX_MAX_VALUE];
    const char *envelope = smtpx_envelope_sender(ctx->st);

    if (smtpx_is_lmtp(ctx) ||
        !smtp_header_get(block, strlen(block), "Return-Path", 0, value, sizeof value))
        return;
    const char *path = g_strstrip(value), *addr = path;
    size_t len = strlen(path);
    if (len >= 2 && path[0] == '<' && path[len - 1] == '>')
        addr = wmem_strndup(ctx->pinfo->pool, path + 1, len - 2);
    gboolean other = envelope && g_ascii_strcasecmp(addr, envelope) != 0;
    smtpx_finding(ctx, &ei_smtpx_return_path, ctx->tvb, 0, 0, "Return-Path header %s in a message on its way: only "
                  "the final delivery writes it (RFC 5321 4.4), from MAIL FROM, so it was copied or written by the "
                  "sender%s%s%s", smtpx_line_format(ctx, path, (int)MIN(len, 80)),
                  other ? "; the envelope's sender is <" : "", other ? envelope : "", other ? ">" : "");
}

void smtpx_analyse_headers(smtpx_ctx_t *ctx, const char *block)
{
    const char *display = NULL;
    wmem_array_t *froms = header_addresses(ctx, block, "From", &display);
    const char *from = address_at(froms, 0);
    unsigned nfrom = smtp_header_count(block, strlen(block), "From");

    check_return_path(ctx, block);
    if (nfrom == 0) {
        smtpx_finding(ctx, &ei_smtpx_missing_from, ctx->tvb, 0, 0,
                      "The message has no From header (RFC 5322 requires one)");
        return;
    }
    if (nfrom > 1)
        smtpx_finding(ctx, &ei_smtpx_multiple_from, ctx->tvb, 0, 0,
                      "The message has %u From headers; mail clients may show any of them", nfrom);
    check_from_is_address(ctx, from);
    check_alignment(ctx, block, froms);
    if (from)
        smtpx_check_homograph(ctx, "From", from, strlen(from), 0, 0);
    check_display_name(ctx, from, display);
    check_other_senders(ctx, block, from);
}
