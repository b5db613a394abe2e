/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The files in a message: the MIME parts that carry one, read in the
 * reassembled message at its end. Each gets its name, type, size and hashes
 * in the message summary (when the tree is shown or filtered on), a finding
 * when it runs when opened or hides what it is, its name in the
 * transactions log, and the decoded file in Export Objects. */
#include "smtpx.h"
#include "smtp_mime.h"
#include "smtp_files.h"
#include "smtp_sasl.h"

#include <epan/export_object.h>
#include <epan/tap.h>

#define SMTPX_B64_CHUNK 4096    /* base64 characters decoded at a time (no copy of the file is made) */
#define SMTPX_HEAD      24      /* encoded bytes read for a file's first bytes */

/* A file, not the text of the message: it has a name, is given as an
 * attachment, or has the type of a file (application/, image/...). */
static gboolean is_file(const smtp_mime_part_t *p)
{
    static const char *const file_types[] = { "application/", "image/", "audio/", "video/", "model/", "font/" };

    if (p->name[0] || p->attachment)
        return TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(file_types); i++) {
        if (g_str_has_prefix(p->type, file_types[i]))
            return TRUE;
    }
    return FALSE;
}

/* The name as shown: bidirectional controls, which would reorder it on
 * screen, written out as <U+202E>; odd bytes escaped like a line's. */
static const char *shown_name(smtpx_ctx_t *ctx, const char *name)
{
    wmem_strbuf_t *out = wmem_strbuf_new(ctx->pinfo->pool, "");
    size_t len = strlen(name);

    if (!len)
        return "(no name)";
    for (size_t i = 0; i < len; i++) {
        unsigned cp = smtp_bidi_control((const unsigned char *)name + i, len - i);
        if (cp) {
            wmem_strbuf_append_printf(out, "<U+%04X>", cp);
            i += 2;
        } else {
            wmem_strbuf_append_c(out, name[i]);
        }
    }
    return smtpx_line_format(ctx, wmem_strbuf_get_str(out), (int)wmem_strbuf_get_len(out));
}

/* One more reason in a list joined by "; ". */
static void add_reason(wmem_strbuf_t *why, const char *reason)
{
    if (wmem_strbuf_get_len(why))
        wmem_strbuf_append(why, "; ");
    wmem_strbuf_append(why, reason);
}

/* A finding when the name or the first bytes say the file runs when opened,
 * or when the name hides its real extension. */
static void check_file(smtpx_ctx_t *ctx, const char *name, const char *shown, const char *content,
                       gboolean encrypted)
{
    static const char *const kind_text[] = {
        [SMTP_FILE_PROGRAM] = "a program", [SMTP_FILE_DISK_IMAGE] = "a disk image",
        [SMTP_FILE_MACRO] = "a macro-enabled Office document",
    };
    static const char *const kind_risk[] = {
        [SMTP_FILE_PROGRAM] = ": opening it runs it",
        [SMTP_FILE_DISK_IMAGE] = ": mail filters do not look inside one", [SMTP_FILE_MACRO] = "",
    };
    wmem_allocator_t *pool = ctx->pinfo->pool;
    wmem_strbuf_t *why = wmem_strbuf_new(pool, "");
    smtp_file_risk_t r;

    smtp_file_risk(name, strlen(name), &r);
    if (r.kind != SMTP_FILE_PLAIN)
        add_reason(why, wmem_strdup_printf(pool, "is %s (.%.*s)%s%s", kind_text[r.kind], (int)r.ext_len,
                                           name + r.ext_off, r.double_ext ? " behind a document's extension" : "",
                                           kind_risk[r.kind]));
    if (content && r.kind != SMTP_FILE_PROGRAM)
        add_reason(why, wmem_strdup_printf(pool, "is %s, whatever its name says", content));
    if (encrypted)
        add_reason(why, "is an encrypted ZIP archive: mail filters cannot look inside it (the password is usually "
                        "in the message)");
    if (r.bidi)
        add_reason(why, "has a bidirectional control in its name: on screen its letters show in another order, "
                        "hiding its real extension");
    if (wmem_strbuf_get_len(why))
        smtpx_finding(ctx, &ei_smtpx_risky_attachment, ctx->tvb, 0, 0, "Attachment \"%s\" %s", shown,
                      wmem_strbuf_get_str(why));
}

/* One file of the message, as found. */
typedef struct {
    const smtp_mime_part_t *part;
    const char *body;           /* encoded, part->body_len bytes */
    const char *type;           /* part->type, escaped (pinfo->pool: it outlives the part, for the taps) */
    const char *name;           /* RFC 2047 decoded, "" if none */
    const char *shown;          /* as shown: escaped, "(no name)" if none */
    const char *content;        /* what its first bytes say it is, or NULL */
    gboolean encrypted;         /* an encrypted ZIP archive */
    guint n;                    /* 0 for the first file of the message */
} smtpx_file_t;

/* Where a decoded file goes: its hashes (tree), a copy (Export Objects). */
typedef struct {
    GChecksum *sha256, *md5;    /* NULL: not hashed */
    guint8 *copy;               /* NULL: not kept; else room for the encoded length */
    gsize size;
} smtpx_sink_t;

static void sink_add(smtpx_sink_t *s, const guchar *data, gsize len)
{
    if (s->sha256) {
        g_checksum_update(s->sha256, data, (gssize)len);
        g_checksum_update(s->md5, data, (gssize)len);
    }
    if (s->copy)
        memcpy(s->copy + s->size, data, len);
    s->size += len;
}

/* The file decoded into the sink; base64 a piece at a time. Decoding never
 * makes it longer than its encoded form. */
static void decode_file(smtpx_ctx_t *ctx, const char *body, size_t len, smtp_cte_t cte, smtpx_sink_t *s)
{
    guchar out[SMTPX_B64_CHUNK];
    gint state = 0;
    guint save = 0;

    if (cte == SMTP_CTE_BASE64) {
        for (size_t off = 0; off < len; off += SMTPX_B64_CHUNK)
            sink_add(s, out, g_base64_decode_step(body + off, MIN(SMTPX_B64_CHUNK, len - off), out, &state, &save));
    } else if (cte == SMTP_CTE_QP) {
        guchar *decoded = (guchar *)wmem_alloc(ctx->pinfo->pool, len + 1);
        sink_add(s, decoded, smtp_qp_decode(body, len, decoded));
    } else {
        sink_add(s, (const guchar *)body, len);
    }
}

const char *smtpx_part_decoded(smtpx_ctx_t *ctx, const smtp_mime_part_t *p, const char *body, size_t *len)
{
    if (p->cte == SMTP_CTE_IDENTITY) {
        *len = p->body_len;
        return body;
    }
    smtpx_sink_t sink = { NULL, NULL, (guint8 *)wmem_alloc(ctx->pinfo->pool, p->body_len + 1), 0 };
    decode_file(ctx, body, p->body_len, p->cte, &sink);
    *len = sink.size;
    return (const char *)sink.copy;
}

/* The first bytes of the file, decoded. */
static size_t file_head(smtpx_ctx_t *ctx, const char *body, size_t len, smtp_cte_t cte, guchar head[SMTPX_HEAD])
{
    smtpx_sink_t sink = { NULL, NULL, head, 0 };

    decode_file(ctx, body, MIN(len, SMTPX_HEAD), cte, &sink);
    return sink.size;
}

/* One file under the message summary; type, encoding and size are hidden
 * (its label gives them). */
static void add_file(smtpx_ctx_t *ctx, proto_tree *summary, const smtpx_file_t *f, const smtpx_sink_t *s)
{
    const smtp_mime_part_t *p = f->part;
    const char *encoding = smtpx_line_format(ctx, p->encoding, (int)strlen(p->encoding));
    guint32 size = (guint32)MIN(s->size, G_MAXUINT32);

    proto_item *pi = proto_tree_add_string(summary, hf_smtpx_msg_attachment, ctx->tvb, 0, 0, f->shown);
    proto_item_set_text(pi, "Attachment: %s (%s%s%s, %u bytes)", f->shown, f->type, encoding[0] ? ", " : "",
                        encoding, size);
    proto_item_set_generated(pi);
    proto_tree *t = proto_item_add_subtree(pi, ett_smtpx_attachment);
    if (f->n == 0)
        smtpx_note_request(ctx, t, SMTPX_KIND_ATTACHMENT);
    smtpx_set_generated_hidden(smtpx_add_string(ctx, t, hf_smtpx_msg_attachment_type, ctx->tvb, 0, 0, f->type));
    if (encoding[0])
        smtpx_set_generated_hidden(smtpx_add_string(ctx, t, hf_smtpx_msg_attachment_encoding, ctx->tvb, 0, 0,
                                                    encoding));
    smtpx_set_generated_hidden(proto_tree_add_uint(t, hf_smtpx_msg_attachment_size, ctx->tvb, 0, 0, size));
    smtpx_add_generated(ctx, t, hf_smtpx_msg_attachment_sha256, g_checksum_get_string(s->sha256));
    smtpx_add_generated(ctx, t, hf_smtpx_msg_attachment_md5, g_checksum_get_string(s->md5));
    smtpx_add_generated(ctx, t, hf_smtpx_msg_attachment_content,
                        f->content ? f->content : f->encrypted ? "an encrypted ZIP archive" : NULL);
}

/* ---- File > Export Objects > SMTPX (tshark --export-objects smtpx,DIR) ---- */

static int eo_tap = -1;

typedef struct {
    const char *sender, *type, *name;
    const guint8 *data;
    gsize len;
} smtpx_eo_file_t;

static tap_packet_status eo_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                                   tap_flags_t flags _U_)
{
    export_object_list_t *list = (export_object_list_t *)tapdata;
    const smtpx_eo_file_t *f = (const smtpx_eo_file_t *)data;
    export_object_entry_t *entry = g_new0(export_object_entry_t, 1);

    entry->pkt_num = pinfo->num;
    entry->hostname = g_strdup(f->sender);
    entry->content_type = g_strdup(f->type);
    entry->filename = g_strdup(f->name);
    entry->payload_len = f->len;
    entry->payload_data = (guint8 *)g_memdup2(f->data, f->len);
    list->add_entry(list->gui_data, entry);
    return TAP_PACKET_REDRAW;
}

void smtpx_attach_register(void)
{
    eo_tap = register_export_object(proto_smtpx, eo_packet, NULL);
}

/* The decoded file for Export Objects, named as shown (a file without a
 * name: attachment-<frame>-<n>). */
static void export_file(smtpx_ctx_t *ctx, const smtpx_file_t *f, const smtpx_sink_t *s)
{
    smtpx_eo_file_t *eo = wmem_new0(ctx->pinfo->pool, smtpx_eo_file_t);

    eo->sender = smtpx_envelope_sender(ctx->st);
    eo->type = f->type;
    eo->name = f->name[0] ? f->shown
                          : wmem_strdup_printf(ctx->pinfo->pool, "attachment-%u-%u", ctx->pinfo->num, f->n + 1);
    eo->data = s->copy;
    eo->len = s->size;
    tap_queue_packet(eo_tap, ctx->pinfo, eo);
}

/* The file decoded once, for the tree and for Export Objects. */
static void decode_for(smtpx_ctx_t *ctx, proto_tree *summary, const smtpx_file_t *f, gboolean show, gboolean export)
{
    smtpx_sink_t sink = { NULL, NULL, NULL, 0 };

    if (show) {
        sink.sha256 = g_checksum_new(G_CHECKSUM_SHA256);
        sink.md5 = g_checksum_new(G_CHECKSUM_MD5);
    }
    if (export)
        sink.copy = (guint8 *)wmem_alloc(ctx->pinfo->pool, f->part->body_len + 1);
    decode_file(ctx, f->body, f->part->body_len, f->part->cte, &sink);
    if (show) {
        add_file(ctx, summary, f, &sink);
        g_checksum_free(sink.sha256);
        g_checksum_free(sink.md5);
    }
    if (export)
        export_file(ctx, f, &sink);
}

static gboolean files_wanted(proto_tree *tree)
{
    static int *const hfs[] = { &hf_smtpx_msg_attachment, &hf_smtpx_msg_attachment_type,
                                &hf_smtpx_msg_attachment_encoding, &hf_smtpx_msg_attachment_size,
                                &hf_smtpx_msg_attachment_sha256, &hf_smtpx_msg_attachment_md5,
                                &hf_smtpx_msg_attachment_content };
    return smtpx_any_referenced(tree, hfs, G_N_ELEMENTS(hfs));
}

/* A base64 part whose body is not all base64: decoders differ on what
 * follows (some skip the byte, some stop), so a filter may not see the file
 * the reader gets. */
static void check_base64(smtpx_ctx_t *ctx, const smtp_mime_part_t *p, const char *body)
{
    size_t at = p->cte == SMTP_CTE_BASE64 ? smtp_base64_body_fault(body, p->body_len) : p->body_len;

    if (at == p->body_len)
        return;
    const char *part = p->name[0] ? wmem_strdup_printf(ctx->pinfo->pool, "\"%s\"",
                                                       shown_name(ctx, smtpx_decode_rfc2047(ctx->pinfo->pool,
                                                                                            p->name)))
                                  : smtpx_line_format(ctx, p->type, (int)strlen(p->type));
    if (smtp_base64_char(body[at]))
        smtpx_finding(ctx, &ei_smtpx_mime_malformed, ctx->tvb, 0, 0, "The base64 of %s goes on after its padding "
                      "\"=\" (byte %zu of its body): decoders stop there or go on, so a filter may not see the file "
                      "the reader gets", part, at);
    else
        smtpx_finding(ctx, &ei_smtpx_mime_malformed, ctx->tvb, 0, 0, "The base64 of %s has \"%s\" at byte %zu of "
                      "its body, which is no base64: decoders skip it or stop there, so a filter may not see the "
                      "file the reader gets", part, smtpx_line_format(ctx, body + at, 1), at);
}

/* What the walk of the message found wrong with its structure. */
static void check_structure(smtpx_ctx_t *ctx, const smtp_mime_walk_t *w)
{
    static const struct {
        unsigned fault;
        const char *text;
    } faults[] = {
        { SMTP_MIME_UNCLOSED, "A multipart of the message has no closing delimiter (--boundary--): programs differ "
                              "on where its last part ends" },
        { SMTP_MIME_NO_BOUNDARY, "A multipart of the message has no boundary: its parts cannot be told apart, and "
                                 "smtpx reads it as one part" },
        { SMTP_MIME_LONG_BOUNDARY, "A multipart boundary is longer than the 70 characters RFC 2046 allows: "
                                   "programs that keep to it, smtpx among them, read that multipart as one part "
                                   "and miss its files" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(faults); i++) {
        if (w->faults & faults[i].fault)
            smtpx_finding(ctx, &ei_smtpx_mime_malformed, ctx->tvb, 0, 0, "%s", faults[i].text);
    }
    if (w->limited)
        smtpx_finding(ctx, &ei_smtpx_mime_malformed, ctx->tvb, 0, 0, "More than %d nested multiparts or %d parts "
                      "in the message: smtpx does not check the parts beyond (a way to hide a file from filters)",
                      SMTP_MIME_MAX_DEPTH, SMTP_MIME_MAX_ENTITIES);
}

/* Every file of the message: checked always; decoded only for the tree
 * (when it is shown or filtered on) and Export Objects; named in the log
 * when that is written. */
void smtpx_attachments(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg)
{
    gboolean show = files_wanted(summary), log = smtpx_tapping(ctx);
    gboolean export = ctx->call.replay != SMTPX_RETRANSMIT && have_tap_listener(eo_tap);
    smtpx_links_t *links = smtpx_links_new(ctx, summary);
    if (!show && !log && !export && !links && !smtpx_check_enabled(&ei_smtpx_risky_attachment) &&
        !smtpx_check_enabled(&ei_smtpx_mime_malformed))
        return;
    guint len = tvb_captured_length(msg);
    const char *text = (const char *)tvb_get_ptr(msg, 0, (gint)len);
    wmem_strbuf_t *names = wmem_strbuf_new(ctx->pinfo->pool, "");
    smtp_mime_walk_t w;
    smtp_mime_part_t p;
    smtpx_file_t f = { &p, NULL, NULL, NULL, NULL, NULL, FALSE, 0 };
    guchar head[SMTPX_HEAD];

    smtp_mime_walk_init(&w, text, len);
    while (smtp_mime_walk_next(&w, &p)) {
        check_base64(ctx, &p, text + p.body_off);
        if (smtpx_is_dsn(&p)) {
            smtpx_dsn_part(ctx, summary, &p, text + p.body_off);
            continue;
        }
        if (!is_file(&p)) {
            smtpx_links_part(ctx, links, &p, text + p.body_off);
            continue;
        }
        f.body = text + p.body_off;
        f.type = smtpx_line_format(ctx, p.type, (int)strlen(p.type));
        f.name = smtpx_decode_rfc2047(ctx->pinfo->pool, p.name);
        f.shown = shown_name(ctx, f.name);
        size_t head_len = file_head(ctx, f.body, p.body_len, p.cte, head);
        f.content = smtp_file_magic(head, head_len);
        f.encrypted = smtp_zip_encrypted(head, head_len);
        check_file(ctx, f.name, f.shown, f.content, f.encrypted);
        if (show || export)
            decode_for(ctx, summary, &f, show, export);
        if (log) {      /* the transactions log, and -z smtpx,tree by type */
            wmem_strbuf_append_printf(names, "%s%s", f.n ? "," : "", f.shown);
            smtpx_tap_simple(ctx, SMTPX_EV_ATTACHMENT, f.type, 0);
        }
        f.n++;
    }
    smtpx_links_end(ctx, links);
    check_structure(ctx, &w);
    if (wmem_strbuf_get_len(names))
        ctx->st->facts.attachments = smtpx_state_strdup(&ctx->call, ctx->pinfo, wmem_strbuf_get_str(names),
                                                      wmem_strbuf_get_len(names));
}
