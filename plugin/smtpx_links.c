/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links in the text of a message: every http(s) URL of its text parts,
 * decoded (in the summary, when the tree is shown or filtered on); the
 * HTML links whose text shows another site than the one they go to, and
 * the URLs whose host is a homograph (a finding each, once per message). */
#include "smtpx.h"
#include "smtp_links.h"
#include "smtp_mime.h"

#define SMTPX_MAX_URLS 100      /* URLs listed per message */

struct smtpx_links {
    proto_tree *summary;
    gboolean show;              /* URLs in the tree */
    wmem_map_t *seen;           /* URLs listed (each once); NULL when not shown */
    guint deceptive;            /* links whose text shows another site */
    const char *first_text, *first_host, *first_href;
    wmem_map_t *homographs;     /* URLs whose host is a homograph (each once); NULL: none */
    const char *first_homograph;    /* what the first one's host reads as */
};

smtpx_links_t *smtpx_links_new(smtpx_ctx_t *ctx, proto_tree *summary)
{
    gboolean show = proto_field_is_referenced(summary, hf_smtpx_msg_url);
    if (!show && !smtpx_check_enabled(&ei_smtpx_deceptive_link) && !smtpx_check_enabled(&ei_smtpx_homograph))
        return NULL;
    smtpx_links_t *l = wmem_new0(ctx->pinfo->pool, smtpx_links_t);
    l->summary = summary;
    l->show = show;
    l->seen = show ? wmem_map_new(ctx->pinfo->pool, g_str_hash, g_str_equal) : NULL;
    return l;
}

/* Adds the URL to a list of at most SMTPX_MAX_URLS; false if it was there or the list is full. */
static gboolean add_once(wmem_map_t *urls, char *url)
{
    if (wmem_map_size(urls) >= SMTPX_MAX_URLS || wmem_map_contains(urls, url))
        return FALSE;
    wmem_map_insert(urls, url, NULL);
    return TRUE;
}

/* A homograph host of the url[0..len) */
static void check_url_host(smtpx_ctx_t *ctx, smtpx_links_t *l, const char *url, size_t len)
{
    size_t off, host_len;
    smtp_idn_t idn;

    if (!smtp_url_host(url, len, &off, &host_len) || !smtpx_homograph(url + off, host_len, &idn))
        return;
    if (!l->homographs) {
        l->homographs = wmem_map_new(ctx->pinfo->pool, g_str_hash, g_str_equal);
        l->first_homograph = smtpx_homograph_text(ctx, url + off, host_len, &idn);
    }
    add_once(l->homographs, wmem_strndup(ctx->pinfo->pool, url, len));
}

/* Each URL of the text: listed (once, up to SMTPX_MAX_URLS) when shown, and its host checked. */
static void walk_urls(smtpx_ctx_t *ctx, smtpx_links_t *l, const char *text, size_t len)
{
    size_t pos = 0, off, url_len;

    while (smtp_url_next(text, len, &pos, &off, &url_len)) {
        check_url_host(ctx, l, text + off, url_len);
        if (!l->show || wmem_map_size(l->seen) >= SMTPX_MAX_URLS)
            continue;       /* not formatted once the list is full */
        char *url = smtpx_line_format(ctx, text + off, (int)url_len);
        if (add_once(l->seen, url))
            smtpx_add_generated(ctx, l->summary, hf_smtpx_msg_url, url);
    }
}

/* A link's text without its tags and the blanks around it. */
static char *link_text(smtpx_ctx_t *ctx, const char *s, size_t len)
{
    wmem_strbuf_t *out = wmem_strbuf_new(ctx->pinfo->pool, "");
    gboolean in_tag = FALSE;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<' || s[i] == '>')
            in_tag = s[i] == '<';
        else if (!in_tag)
            wmem_strbuf_append_c(out, s[i]);
    }
    return g_strstrip(wmem_strbuf_finalize(out));
}

/* The organisational domain of the host at s + off (never NULL). */
static const char *org_of(smtpx_ctx_t *ctx, const char *s, size_t off, size_t len)
{
    return smtpx_org_domain_of_host(ctx, wmem_strndup(ctx->pinfo->pool, s + off, len));
}

/* Does the link's text show a site whose organisation is not the one of
 * the site it goes to? */
static void check_link(smtpx_ctx_t *ctx, smtpx_links_t *l, const char *html, const smtp_html_link_t *link)
{
    const char *href = html + link->href_off, *text;
    size_t href_off, href_len, text_off, text_len;

    if (!smtp_url_host(href, link->href_len, &href_off, &href_len))
        return;         /* mailto:, a relative link... */
    text = link_text(ctx, html + link->text_off, link->text_len);
    if (!smtp_text_host(text, strlen(text), &text_off, &text_len) ||
        strcmp(org_of(ctx, text, text_off, text_len), org_of(ctx, href, href_off, href_len)) == 0)
        return;         /* organisational domains are lower-case */
    if (l->deceptive++ == 0) {
        l->first_text = smtpx_line_format(ctx, text + text_off, (int)text_len);
        l->first_host = smtpx_line_format(ctx, href + href_off, (int)href_len);
        l->first_href = smtpx_line_format(ctx, href, (int)link->href_len);
    }
}

void smtpx_links_part(smtpx_ctx_t *ctx, smtpx_links_t *l, const smtp_mime_part_t *p, const char *body)
{
    gboolean html = strcmp(p->type, "text/html") == 0;
    size_t len, pos = 0;
    smtp_html_link_t link;

    if (!l || strncmp(p->type, "text/", 5) != 0)
        return;
    const char *text = smtpx_part_decoded(ctx, p, body, &len);
    walk_urls(ctx, l, text, len);
    while (html && smtp_html_link_next(text, len, &pos, &link))
        check_link(ctx, l, text, &link);
}

/* "; 3 such links in this message" when there are more than one ("100 or
 * more" once the list of homograph links is full) */
static const char *more_links(smtpx_ctx_t *ctx, guint n)
{
    return n > 1 ? wmem_strdup_printf(ctx->pinfo->pool, "; %u%s such links in this message", n,
                                      n >= SMTPX_MAX_URLS ? " or more" : "") : "";
}

void smtpx_links_end(smtpx_ctx_t *ctx, smtpx_links_t *l)
{
    if (!l)
        return;
    if (l->deceptive)
        smtpx_finding(ctx, &ei_smtpx_deceptive_link, ctx->tvb, 0, 0, "Link text shows %s but the link goes to %s "
                      "(%s)%s", l->first_text, l->first_host, l->first_href, more_links(ctx, l->deceptive));
    if (l->homographs)
        smtpx_finding(ctx, &ei_smtpx_homograph, ctx->tvb, 0, 0, "The link host %s: letters of another script that "
                      "look like Latin ones (a homograph, a phishing trick)%s", l->first_homograph,
                      more_links(ctx, wmem_map_size(l->homographs)));
}
