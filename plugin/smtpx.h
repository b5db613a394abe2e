/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared declarations of the smtpx plugin: fields, the dissection context,
 * and the entry points of each file (one concern per file). */
#ifndef SMTPX_H
#define SMTPX_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>

#include "smtp_grammar.h"
#include "smtp_lines.h"
#include "smtp_idn.h"
#include "smtp_mime.h"
#include "smtpx_session.h"

/* ---- smtpx_fields.c: every hf/ett/ei of the protocol ---- */
extern int proto_smtpx;
extern int hf_smtpx_req_edited, hf_smtpx_note, hf_smtpx_note_phase;
extern int hf_smtpx_req, hf_smtpx_req_command, hf_smtpx_req_command_desc, hf_smtpx_req_parameter;
extern int hf_smtpx_envelope_sender, hf_smtpx_envelope_recipient, hf_smtpx_envelope_param;
extern int hf_smtpx_envelope_param_size, hf_smtpx_envelope_param_body, hf_smtpx_envelope_param_smtputf8;
extern int hf_smtpx_envelope_param_ret, hf_smtpx_envelope_param_envid, hf_smtpx_envelope_param_notify;
extern int hf_smtpx_envelope_param_orcpt, hf_smtpx_envelope_param_auth;
extern int hf_smtpx_envelope_param_orcpt_type, hf_smtpx_envelope_param_orcpt_addr;
extern int hf_smtpx_rsp, hf_smtpx_rsp_code, hf_smtpx_rsp_code_class, hf_smtpx_rsp_code_category;
extern int hf_smtpx_rsp_parameter, hf_smtpx_rsp_line_code, hf_smtpx_rsp_recipient;
extern int hf_smtpx_rsp_client_ip, hf_smtpx_rsp_client_ipv6;
extern int hf_smtpx_rsp_reason, hf_smtpx_rsp_blocklist;
extern int hf_smtpx_rsp_software, hf_smtpx_rsp_software_version;
extern int hf_smtpx_rsp_enhanced, hf_smtpx_rsp_enhanced_class, hf_smtpx_rsp_enhanced_subject;
extern int hf_smtpx_rsp_enhanced_detail, hf_smtpx_rsp_enhanced_meaning;
extern int hf_smtpx_response_in, hf_smtpx_response_to, hf_smtpx_time;
extern int hf_smtpx_ehlo_keyword, hf_smtpx_ehlo_param, hf_smtpx_ehlo_size, hf_smtpx_ehlo_auth_mech;
extern int hf_smtpx_session, hf_smtpx_session_server_name, hf_smtpx_session_client_name;
extern int hf_smtpx_session_real_client, hf_smtpx_session_real_client_ipv6;
extern int hf_smtpx_xclient_attribute, hf_smtpx_xclient_addr, hf_smtpx_xclient_addr_ipv6, hf_smtpx_xclient_login;
extern int hf_smtpx_session_server_software, hf_smtpx_msg_bcc, hf_smtpx_msg_header_only;
extern int hf_smtpx_msg_recipient_unanswered;
extern int hf_smtpx_msg_dsn, hf_smtpx_msg_dsn_reporting_mta, hf_smtpx_msg_dsn_recipient, hf_smtpx_msg_dsn_action;
extern int hf_smtpx_msg_dsn_status, hf_smtpx_msg_dsn_remote_mta, hf_smtpx_msg_dsn_diagnostic;
extern int hf_smtpx_data, hf_smtpx_data_line, hf_smtpx_data_eod, hf_smtpx_data_continuation;
extern int hf_smtpx_bdat_size, hf_smtpx_bdat_last, hf_smtpx_bdat_chunk;
extern int hf_smtpx_auth_step, hf_smtpx_tls_data, hf_smtpx_retransmission, hf_smtpx_foreign, hf_smtpx_proxy;
extern int hf_smtpx_auth_mechanism, hf_smtpx_auth_username, hf_smtpx_auth_password, hf_smtpx_auth_authzid;
extern int hf_smtpx_auth_token, hf_smtpx_auth_digest, hf_smtpx_auth_challenge, hf_smtpx_auth_base64;
extern int hf_smtpx_auth_decoded, hf_smtpx_auth_result;
extern int hf_smtpx_data_header, hf_smtpx_data_header_name, hf_smtpx_data_header_value, hf_smtpx_headers;
extern int hf_smtpx_header_from, hf_smtpx_header_from_display, hf_smtpx_header_to, hf_smtpx_header_cc;
extern int hf_smtpx_header_subject, hf_smtpx_header_date, hf_smtpx_header_message_id, hf_smtpx_header_reply_to;
extern int hf_smtpx_header_date_time;
extern int hf_smtpx_header_sender, hf_smtpx_header_return_path;
extern int hf_smtpx_header_in_reply_to, hf_smtpx_header_user_agent, hf_smtpx_header_originating_ip;
extern int hf_smtpx_header_dkim_domain, hf_smtpx_header_dkim_selector;
extern int hf_smtpx_header_auth_results, hf_smtpx_header_auth_results_server;
extern int hf_smtpx_header_arc_auth_results, hf_smtpx_header_arc_auth_results_instance;
extern int hf_smtpx_header_auth_result, hf_smtpx_header_auth_method, hf_smtpx_header_auth_verdict;
extern int hf_smtpx_header_auth_reason, hf_smtpx_header_auth_property, hf_smtpx_header_received_spf;
extern int hf_smtpx_msg_received, hf_smtpx_msg_received_hop, hf_smtpx_msg_received_from, hf_smtpx_msg_received_ip;
extern int hf_smtpx_msg_received_ipv6, hf_smtpx_msg_received_by, hf_smtpx_msg_received_via;
extern int hf_smtpx_msg_received_with, hf_smtpx_msg_received_id, hf_smtpx_msg_received_for;
extern int hf_smtpx_msg_received_date, hf_smtpx_msg_received_queued_in;
extern int hf_smtpx_msg, hf_smtpx_msg_sender, hf_smtpx_msg_recipient, hf_smtpx_msg_from, hf_smtpx_msg_subject;
extern int hf_smtpx_msg_dkim_body, hf_smtpx_msg_dkim_body_hash, hf_smtpx_msg_arc, hf_smtpx_msg_arc_sets;
extern int hf_smtpx_msg_size, hf_smtpx_msg_missing, hf_smtpx_msg_lines, hf_smtpx_msg_reply_code, hf_smtpx_msg_queue_id;
extern int hf_smtpx_msg_end_in;
extern int hf_smtpx_msg_attachment, hf_smtpx_msg_attachment_type, hf_smtpx_msg_attachment_encoding;
extern int hf_smtpx_msg_attachment_size, hf_smtpx_msg_attachment_sha256, hf_smtpx_msg_attachment_md5;
extern int hf_smtpx_msg_attachment_content, hf_smtpx_msg_url;
extern int hf_smtpx_analysis, hf_smtpx_quoted, hf_smtpx_quoted_line;

extern gint ett_smtpx, ett_smtpx_req, ett_smtpx_rsp, ett_smtpx_rsp_code, ett_smtpx_enhanced;
extern gint ett_smtpx_param, ett_smtpx_ehlo, ett_smtpx_data, ett_smtpx_analysis, ett_smtpx_auth;
extern gint ett_smtpx_received, ett_smtpx_attachment, ett_smtpx_auth_results, ett_smtpx_dkim;

extern expert_field ei_smtpx_unknown_command, ei_smtpx_continuation_code, ei_smtpx_line_too_long;
extern expert_field ei_smtpx_not_a_reply, ei_smtpx_unsolicited_reply, ei_smtpx_reply_truncated;
extern expert_field ei_smtpx_enhanced_class_mismatch, ei_smtpx_enhanced_malformed;
extern expert_field ei_smtpx_incomplete_message, ei_smtpx_enhanced_missing;
extern expert_field ei_smtpx_unadvertised, ei_smtpx_starttls_injection;
extern expert_field ei_smtpx_spoofed_from, ei_smtpx_display_name_spoof, ei_smtpx_multiple_from;
extern expert_field ei_smtpx_missing_from, ei_smtpx_reply_to_mismatch;
extern expert_field ei_smtpx_not_end_of_data, ei_smtpx_cleartext_after_starttls;
extern expert_field ei_smtpx_bare_lf, ei_smtpx_smuggling, ei_smtpx_8bit, ei_smtpx_size_exceeded, ei_smtpx_message_too_big;
extern expert_field ei_smtpx_message_incomplete, ei_smtpx_stream_gap;
extern expert_field ei_smtpx_utf8_address;
extern expert_field ei_smtpx_forged_helo, ei_smtpx_foreign_protocol, ei_smtpx_not_captured;
extern expert_field ei_smtpx_version_disclosed, ei_smtpx_cleartext_mail, ei_smtpx_masked_extension;
extern expert_field ei_smtpx_sender_check_failed, ei_smtpx_masked_banner;
extern expert_field ei_smtpx_missing_blank_line, ei_smtpx_bad_param, ei_smtpx_mime_malformed, ei_smtpx_homograph,
    ei_smtpx_duplicate_header, ei_smtpx_bad_date, ei_smtpx_date_far_off, ei_smtpx_trace_order, ei_smtpx_return_path,
    ei_smtpx_dkim, ei_smtpx_trace_top;
extern expert_field ei_smtpx_missing_brackets, ei_smtpx_telnet_edit, ei_smtpx_telnet_iac, ei_smtpx_too_long;
extern expert_field ei_smtpx_auth_sender_mismatch, ei_smtpx_bdat;
extern expert_field ei_smtpx_bad_sequence, ei_smtpx_open_relay, ei_smtpx_error_reply, ei_smtpx_serious_reply;
extern expert_field ei_smtpx_cleartext_auth, ei_smtpx_bad_base64, ei_smtpx_auth_repeated, ei_smtpx_auth_late_step;
extern expert_field ei_smtpx_auth_guessing, ei_smtpx_address_probing, ei_smtpx_risky_attachment;
extern expert_field ei_smtpx_deceptive_link;

void smtpx_register_fields(module_t *module);
/* FALSE when the user switched the analysis check of this expert item off. */
gboolean smtpx_check_enabled(const expert_field *ei);
/* The abbreviation of an expert item of smtpx ("smtpx.analysis.open_relay"). */
const char *smtpx_finding_name(const expert_field *ei);

/* ---- preferences (packet-smtpx.c) ---- */
extern guint smtpx_pref_max_line;
extern gboolean smtpx_pref_hide_passwords;
extern guint smtpx_pref_max_message;
extern gboolean smtpx_pref_reassemble;
extern const char *smtpx_pref_local_domains;
/* Header block of a message kept for analysis (smtpx_message.c). */
#define SMTPX_MAX_HEADERS 65536
/* One header's value read from it, unfolded. */
#define SMTPX_MAX_VALUE 1024
/* A multi-line reply longer than this is shown in parts. */
#define SMTPX_MAX_REPLY (4 * smtpx_pref_max_line)
#define SMTPX_LMTP_PORT 24      /* LMTP's port (IANA), among the default ports */

/* ---- the context of one call of the dissector ---- */
typedef struct {
    tvbuff_t *tvb;
    const guint8 *data;        /* the bytes of tvb (captured length len) */
    int len;
    packet_info *pinfo;
    proto_tree *tree;          /* the smtpx tree of this call (may be NULL) */
    proto_tree *root;          /* the packet's tree (for IMF, NTLMSSP...) */
    smtpx_conv_t *conv;
    smtpx_call_t call;         /* the state being advanced, and how (smtpx_session.h) */
    smtpx_state_t *st;         /* == call.st */
    gboolean is_client;
    gboolean in_tls;           /* called by the TLS dissector with decrypted data */
    proto_tree *analysis_tree; /* created on the first finding of a PDU */
    proto_item *pdu_item;      /* the PDU the findings belong to */
    gboolean info_started;     /* this call has written to the Info column */
    int pdus;                  /* PDUs dissected in this call */
    gboolean joined;           /* tvb starts with a client line held from earlier segments */
    gboolean typed;            /* ... that came a few bytes a segment: typed by hand (telnet character mode) */
} smtpx_ctx_t;

/* May a multi-line reply of `gathered` bytes so far wait for more (TCP reassembly)? */
gboolean smtpx_reply_may_grow(const smtpx_ctx_t *ctx, int gathered);

/* One line of the tvb. */
typedef struct {
    int offset;        /* first byte */
    int len;           /* content length, line end excluded */
    int next;          /* offset after the line end */
    smtp_eol_t eol;
    gboolean has_cr;        /* a CR inside the content (a bare CR) */
    gboolean partial;       /* no line end here; without continuation, the head of a
                             * cut line: a command or reply as far as it goes */
    gboolean continuation;  /* tail of a line begun in an earlier PDU */
    gboolean follows;       /* partial on purpose: the rest follows, not reassembled */
    const char *text;       /* content bytes (not NUL-terminated) */
} smtpx_line_t;

/* packet-smtpx.c: line framing shared by all PDU kinds.
 * FALSE: the line is incomplete; the client's is held (smtpx_pieces.c), for
 * the server's TCP reassembly is asked for. */
gboolean smtpx_get_line(smtpx_ctx_t *ctx, int offset, smtpx_line_t *line);
/* Appends "C: text" / "S: text" to the Info column. */
void smtpx_info_append(smtpx_ctx_t *ctx, const char *text);
/* The same, formatted. */
void smtpx_info_appendf(smtpx_ctx_t *ctx, const char *format, ...) G_GNUC_PRINTF(2, 3);
/* Printable form of line bytes (pinfo->pool). */
char *smtpx_line_format(smtpx_ctx_t *ctx, const char *text, int len);
/* A string item of text formatted by smtpx_line_format, its label made once. */
proto_item *smtpx_add_shown(smtpx_ctx_t *ctx, proto_tree *tree, int hf, int offset, int len, const char *shown);
/* Would an item of one of these fields be real (a tree shown, or a filter on it)? */
gboolean smtpx_any_referenced(proto_tree *tree, int *const *hfs, size_t n);
/* An item made by smtpx and left out of the printed tree (a label above already says it). */
void smtpx_set_generated_hidden(proto_item *pi);
/* s, or where it is not valid UTF-8 (bytes from the wire), a copy in pinfo->pool with U+FFFD in place of
 * each bad sequence, as Wireshark gives text it reads as UTF-8: JSON and EK output stay valid. */
const char *smtpx_valid_utf8(smtpx_ctx_t *ctx, const char *s);
/* proto_tree_add_string with the value made valid UTF-8 (smtpx_valid_utf8). */
proto_item *smtpx_add_string(smtpx_ctx_t *ctx, proto_tree *tree, int hf, tvbuff_t *tvb, int start, int len,
                             const char *value);
/* A generated string field (made from the message, at no place in the frame), if value is not NULL. */
void smtpx_add_generated(smtpx_ctx_t *ctx, proto_tree *tree, int hf, const char *value);
/* The xtext s[0..len) decoded (RFC 3461; pinfo->pool, NUL-terminated). */
char *smtpx_xtext(smtpx_ctx_t *ctx, const char *s, size_t len);
/* A string item of the xtext s[0..len) at offset, its value decoded. */
proto_item *smtpx_add_xtext(smtpx_ctx_t *ctx, proto_tree *tree, int hf, int offset, const char *s, size_t len);
/* An address item: family 4 (hf4) or 6 (hf6), addr in network order; NULL
 * for another family. */
proto_item *smtpx_add_ip(smtpx_ctx_t *ctx, proto_tree *tree, int hf4, int hf6, int offset, int len, int family,
                         const unsigned char *addr);
/* 4 or 6 for an IP address of the packet, else 0. */
int smtpx_ip_family(const address *a);
/* Is the packet's address a the address addr of the family (4 or 6)? */
gboolean smtpx_address_is(const address *a, int family, const unsigned char *addr);

/* Is the call's client sending message data (DATA or BDAT)? */
static inline gboolean smtpx_sending_message(const smtpx_ctx_t *ctx)
{
    return ctx->is_client && (ctx->st->mode == SMTPX_MODE_DATA || ctx->st->mode == SMTPX_MODE_BDAT);
}

/* A line cut at max_line: never reassembled further. */
static inline gboolean smtpx_line_overlong(const smtpx_line_t *line)
{
    return line->partial && (guint)line->len >= smtpx_pref_max_line;
}

/* The item of a line that goes on in later segments says so. */
static inline void smtpx_mark_cut(proto_item *pi, const smtpx_line_t *line)
{
    if (line->partial)
        proto_item_append_text(pi, " [continues in the next segment]");
}

/* smtpx_pieces.c: client lines that arrive in pieces. resume: where a line
 * is held, a tvb of it and the bytes from offset on, when it ends there (or
 * grew beyond max_line); else NULL, and a line still held (st->held_len)
 * means the bytes were one more piece of it. hold: the bytes from offset on
 * start a held line. */
void smtpx_pieces_register(void);
tvbuff_t *smtpx_pieces_resume(smtpx_ctx_t *ctx, int offset);
void smtpx_pieces_hold(smtpx_ctx_t *ctx, int offset);

/* packet-smtpx.c: the server accepted STARTTLS; TLS follows this frame. */
void smtpx_start_tls(packet_info *pinfo);

/* smtpx_foreign.c: bytes of the client that are not SMTP. dissect_proxy: a
 * PROXY header as the client's first bytes (bytes used, 0: none there).
 * dissect_foreign: a line that is no command, of another protocol (FALSE:
 * it is not). foreign_start: do the bytes of a line without its end start
 * another protocol (so they are shown, not held)? client_address: the
 * client's address, the real one behind a proxy. */
int smtpx_dissect_proxy(smtpx_ctx_t *ctx, int offset);
gboolean smtpx_dissect_foreign(smtpx_ctx_t *ctx, const smtpx_line_t *line);
gboolean smtpx_foreign_start(const smtpx_ctx_t *ctx, const guint8 *p, int len);
const address *smtpx_client_address(const smtpx_ctx_t *ctx);
/* The real client a PROXY header or an accepted XCLIENT named, or NULL;
 * keep_real_client: it is addr (family 4 or 6; 0: none given). */
const address *smtpx_real_client(const smtpx_ctx_t *ctx);
void smtpx_keep_real_client(smtpx_ctx_t *ctx, int family, const guint8 *addr);

/* smtpx_request.c: FALSE (nothing added) for a cut line that is no command. */
gboolean smtpx_dissect_command(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* smtpx_reply.c: the reply starting with line `first` (a cut line: a reply
 * of that line alone); returns bytes used, 0 if reassembly was asked for. */
int smtpx_dissect_reply(smtpx_ctx_t *ctx, const smtpx_line_t *first);
void smtpx_add_request_links(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_cmd_rec_t *rec);
/* Is the session LMTP (RFC 2033)? An LHLO not refused says so; before any
 * hello is accepted, port 24 does. */
gboolean smtpx_is_lmtp(const smtpx_ctx_t *ctx);
/* smtpx_data.c: message transfer; returns bytes used, 0 if reassembly was asked for. */
int smtpx_dissect_data(smtpx_ctx_t *ctx, int offset);
int smtpx_dissect_bdat_chunk(smtpx_ctx_t *ctx, int offset);
void smtpx_message_begin(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec);
/* In command mode, before a client line: is it message sent before the reply to DATA? */
void smtpx_message_sent_early(smtpx_ctx_t *ctx, int offset);
/* smtpx_reply.c: a client segment acknowledges server bytes the capture lacks; the first command of it. */
void smtpx_replies_unseen(smtpx_ctx_t *ctx);
void smtpx_replies_unseen_command(smtpx_ctx_t *ctx);
/* smtpx_analysis.c: Backspace/Delete or arrow keys typed in a message line (the first of a tvb ctx->typed). */
void smtpx_check_message_edits(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* Ctrl-C as a telnet client sends it (IAC IP, IAC DO TIMING-MARK) in a message line. */
void smtpx_check_message_ctrl_c(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* In command mode, before a client line: does the capture begin inside a message? */
void smtpx_message_unseen_start(smtpx_ctx_t *ctx, int offset);
/* A reply other than 354 to a DATA whose message was sent early. */
void smtpx_message_refused(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec);
void smtpx_bdat_begin(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, guint64 size, gboolean last);
void smtpx_message_server_ended(smtpx_ctx_t *ctx);
void smtpx_message_taken(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, int offset);
void smtpx_message_end_lost(smtpx_ctx_t *ctx, proto_item *reply, smtpx_cmd_rec_t *rec, int offset);
/* Bytes missing from the capture before this call (a stream gap). */
void smtpx_message_gap(smtpx_ctx_t *ctx, guint32 gap);
void smtpx_data_register(void);
void smtpx_data_handoff(void);
/* smtpx_message.c: headers and summary */
void smtpx_header_line(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line);
void smtpx_headers_end(smtpx_ctx_t *ctx);
/* The signing domain (d=) and selector (s=, or NULL) of the next
 * DKIM-Signature of block[0..len) at or after *pos (0 for the first);
 * FALSE when there is none left. */
gboolean smtpx_dkim_next(smtpx_ctx_t *ctx, const char *block, size_t len, size_t *pos, const char **domain,
                         const char **selector);
/* The value of the next header `name` of block[0..len) at or after *pos
 * (0 for the first), unfolded, tabs shown as blanks (pinfo->pool, at most
 * SMTPX_MAX_VALUE - 1 bytes); NULL when there is none left. */
char *smtpx_header_next(smtpx_ctx_t *ctx, const char *block, size_t len, const char *name, size_t *pos);
/* The first header `name` of the block, unfolded and whole however long (pool), or NULL. */
const char *smtpx_whole_header(smtpx_ctx_t *ctx, const char *block, const char *name);
/* BDAT: the header block, read in the reassembled message. */
void smtpx_chunked_headers(smtpx_ctx_t *ctx, tvbuff_t *msg);
/* The bytes of a reassembled message (*len of them), and the length of its
 * header block, read within the first SMTPX_MAX_HEADERS bytes (that many
 * when it goes on). */
const char *smtpx_message_text(tvbuff_t *msg, size_t *len, size_t *block_len);
/* smtpx_trace.c: the Received headers of a message */
void smtpx_trace_register(void);
/* The trace of the reassembled message msg, under the message summary. */
void smtpx_trace(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg);
/* A queue id the server gave (the reply to the end of a message): a later
 * Received header naming this server and id links to it. */
void smtpx_trace_queued(smtpx_ctx_t *ctx, const char *id, size_t id_len);
/* The summary at the end of a message; msg is the reassembled message (or NULL), for its trace. */
void smtpx_message_summary(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, tvbuff_t *msg);
/* The recipients of the transaction opened by `mail` that the To and Cc
 * headers do not name, comma-separated (pool), or NULL. */
const char *smtpx_blind_copies(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *mail, const char *to, const char *cc);
/* RFC 2047 encoded words of a header value decoded (pool). */
const char *smtpx_decode_rfc2047(wmem_allocator_t *pool, const char *s);
/* smtpx_authres.c: the verdicts of earlier receiving servers (Authentication-Results,
 * Received-SPF) in a header block: items under tree, the finding, -z smtpx,tree; returns
 * the newest verdicts ("spf=pass dkim=fail", pinfo->pool) for the log, or NULL. */
const char *smtpx_auth_results(smtpx_ctx_t *ctx, proto_tree *tree, const char *block);
/* smtpx_dsn.c: delivery reports (bounces): is the part one; its recipients under the summary */
gboolean smtpx_is_dsn(const smtp_mime_part_t *p);
void smtpx_dsn_part(smtpx_ctx_t *ctx, proto_tree *summary, const smtp_mime_part_t *p, const char *body);
/* smtpx_attach.c: the files in a message (its MIME parts), their hashes, and the risky ones */
void smtpx_attach_register(void);
void smtpx_attachments(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg);
/* A part's body decoded (base64, quoted-printable; pinfo->pool, or body itself). */
const char *smtpx_part_decoded(smtpx_ctx_t *ctx, const smtp_mime_part_t *p, const char *body, size_t *len);
/* smtpx_dkim.c: what of each DKIM (and ARC message) signature needs no key: body hash, From signed, expiry;
 * and the structure of the ARC chain */
void smtpx_dkim(smtpx_ctx_t *ctx, proto_tree *summary, tvbuff_t *msg);
/* smtpx_links.c: links in the text parts of a message; NULL when nothing asks for them */
typedef struct smtpx_links smtpx_links_t;
smtpx_links_t *smtpx_links_new(smtpx_ctx_t *ctx, proto_tree *summary);
void smtpx_links_part(smtpx_ctx_t *ctx, smtpx_links_t *links, const smtp_mime_part_t *p, const char *body);
void smtpx_links_end(smtpx_ctx_t *ctx, smtpx_links_t *links);
void smtpx_message_reply(smtpx_ctx_t *ctx, proto_tree *tree, smtpx_cmd_rec_t *rec, const char *text, int offset,
                         int len);
/* smtpx_auth.c: AUTH command, client lines of the exchange, server challenges and results */
void smtpx_auth_command(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line, const smtp_command_t *cmd);
/* A mechanism (smtp_sasl_mech_t) as the statistics and logs name it ("(other)": one smtpx has no decoder for). */
const char *smtpx_auth_mech_label(unsigned mech);
void smtpx_dissect_auth_line(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* A later part of a cut AUTH line, hidden (hide_passwords): TRUE if it was shown so. */
gboolean smtpx_auth_hide_fragment(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* The AUTH command line with the secret masked (hide_passwords), or NULL. */
char *smtpx_auth_masked_command(smtpx_ctx_t *ctx, const smtpx_line_t *line, const smtp_command_t *cmd);
void smtpx_auth_reply(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, const char *text, int offset, int len);
/* A 334 that answers no AUTH the capture has (it began, or lost bytes, in
 * the exchange): the client's next lines are AUTH steps. */
void smtpx_auth_unasked_challenge(smtpx_ctx_t *ctx, proto_tree *tree, const char *text, int offset, int len);
/* A base64 line sent while AUTH waits for its reply: the server reads it as
 * the answer to a 334 the capture lacks (TRUE: now in AUTH mode). */
gboolean smtpx_auth_unseen_challenge(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* In AUTH mode, a command pipelined behind the exchange's lines (TRUE:
 * dissect it as a command, reported as such). */
gboolean smtpx_auth_pipelined_command(smtpx_ctx_t *ctx, const smtpx_line_t *line);
/* A base64 line after the AUTH exchange ended: TRUE if it was reported as such. */
gboolean smtpx_auth_late_step(smtpx_ctx_t *ctx, const smtpx_line_t *line);
void smtpx_auth_register_handoff(void);
/* smtpx_ehlo.c: one extension line of an EHLO reply (text at offset). */
void smtpx_ehlo_line(smtpx_ctx_t *ctx, proto_tree *tree, int offset, const char *text, size_t len);
/* Did the last EHLO reply's AUTH offer the mechanism (any case)? */
gboolean smtpx_auth_offered(smtpx_ctx_t *ctx, const char *mech, size_t len);
/* The first line of the greeting: the server's name, and the software it names. */
void smtpx_greeting(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, const char *text, int offset, int len);
/* The first line of the reply to HELO/EHLO: the server's name if the greeting gave none, and the
 * client's address, if the server names it. */
void smtpx_hello_reply(smtpx_ctx_t *ctx, proto_tree *tree, const char *text, int offset, int len);
/* A reply with no enhanced code from a server that promised them (RFC 2034). */
void smtpx_check_enhanced_missing(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, gboolean greeting,
                                  unsigned code, gboolean enhanced, int offset);

/* smtpx_analysis.c and smtpx_sender.c: what they keep for the program's life is freed at exit */
void smtpx_analysis_register(void);
void smtpx_sender_register(void);
/* smtpx_analysis.c: findings about a command (before it is queued) */
void smtpx_analyse_command(smtpx_ctx_t *ctx, proto_tree *tree, const smtpx_line_t *line, const smtp_command_t *cmd);
/* A 2xx to RCPT: does the server relay for an unauthenticated client? */
void smtpx_check_relay(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code);
/* Counts rejected AUTH attempts and refused addresses over the session. */
void smtpx_check_guessing(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, unsigned code);
/* A 4xx/5xx reply: its meaning in plain words, from its enhanced code when the first line's text (text, len)
 * starts with one that says more. */
void smtpx_check_reply(smtpx_ctx_t *ctx, unsigned code, int offset, const char *text, int len);
/* The greeting came after client commands. */
void smtpx_check_early_talker(smtpx_ctx_t *ctx, int offset);
/* Message lines sent before the reply to DATA (rec), from offset; and the reply to it. */
void smtpx_check_sent_early(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, int offset);
void smtpx_check_sent_early_reply(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code, int offset);
/* Bytes of this direction's stream that never reached smtpx before the segment. */
void smtpx_check_stream_gap(smtpx_ctx_t *ctx, guint32 gap);
/* Bytes of the other side the segment acknowledges that smtpx did not get (once per side). */
void smtpx_check_unseen(smtpx_ctx_t *ctx, guint32 unseen);
void smtpx_check_size(smtpx_ctx_t *ctx, guint64 size, int offset, int len);
/* smtpx_sender.c: findings on the header block of a message (sender authenticity) */
void smtpx_analyse_headers(smtpx_ctx_t *ctx, const char *block);
/* smtpx_headers.c: findings on the form of the header block (headers twice, the Date), and the
 * Date as a time under tree */
void smtpx_header_form(smtpx_ctx_t *ctx, proto_tree *tree, const char *block);
/* The capture time of this frame in *now; FALSE when it is no real clock's
 * (before 1990: a capture made up by hand or stamped with 0). */
gboolean smtpx_capture_clock(smtpx_ctx_t *ctx, long long *now);
/* A time (seconds since 1970), UTC, as strftime writes it with format (at most 31 bytes; pinfo->pool) */
const char *smtpx_time_text(smtpx_ctx_t *ctx, long long secs, const char *format);
/* The capture time of this frame, so written */
const char *smtpx_capture_time_text(smtpx_ctx_t *ctx, const char *format);
/* Is domain[0..len) a homograph, spelt in letters of another script that look like Latin
 * ones? idn holds it decoded. */
gboolean smtpx_homograph(const char *domain, size_t len, smtp_idn_t *idn);
/* "xn--80ak6aa92e.com is аррӏе.com in Unicode, which reads as apple.com" (pinfo->pool) */
const char *smtpx_homograph_text(smtpx_ctx_t *ctx, const char *domain, size_t len, const smtp_idn_t *idn);
/* A finding if the domain of the address (or host name) addr[0..len) (at offset, len item_len)
 * is a homograph; what names it ("From"). */
void smtpx_check_homograph(smtpx_ctx_t *ctx, const char *what, const char *addr, size_t len, int offset,
                           int item_len);
/* Organisational domain (lower-case, pinfo->pool) of an address or a host name; NULL if none. */
const char *smtpx_org_domain(smtpx_ctx_t *ctx, const char *addr);
const char *smtpx_org_domain_of_host(smtpx_ctx_t *ctx, const char *host);

/* smtpx_notes.c: teaching notes (phase and plain-language meaning) */
typedef enum {
    SMTPX_PHASE_CONNECTION, SMTPX_PHASE_HELLO, SMTPX_PHASE_AUTH, SMTPX_PHASE_ENVELOPE,
    SMTPX_PHASE_MESSAGE, SMTPX_PHASE_TERMINATION, SMTPX_PHASE_ANY
} smtpx_phase_t;
/* Kinds of PDU with a note that are no command, after smtpx_session.h's;
 * an enum, so no two share a number (and so a note). */
enum {
    SMTPX_KIND_DATA_LINES = SMTPX_KIND_EOD + 1,     /* message lines */
    SMTPX_KIND_BDAT_CHUNK,  /* the bytes of a BDAT chunk */
    SMTPX_KIND_TRACE,       /* the Received headers of a message */
    SMTPX_KIND_ATTACHMENT,  /* the attachments of a message */
    SMTPX_KIND_GREETING,    /* the server's greeting */
    SMTPX_KIND_AUTHRES,     /* the Authentication-Results of a message */
    SMTPX_KIND_DSN,         /* a delivery report in a message */
    SMTPX_KIND_FOREIGN,     /* client bytes of another protocol */
    SMTPX_KIND_DKIM,        /* the DKIM body hash of a message */
    SMTPX_KIND_ARC,         /* the ARC chain of a message */
    SMTPX_KIND_PROXY,       /* a PROXY header before the session */
    SMTPX_KIND_ARC_RESULTS, /* the first forwarder's ARC-Authentication-Results */
};
extern gboolean smtpx_pref_teaching_notes;
void smtpx_note_request(smtpx_ctx_t *ctx, proto_tree *tree, guint16 kind);
/* The note on a reply to rec (NULL: none known), or on the greeting. */
void smtpx_note_reply(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, const smtpx_cmd_rec_t *rec,
                      gboolean greeting);
/* The note on a reply to a line of a refused message sent early (from frame). */
void smtpx_note_line_reply(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, guint32 frame);

/* smtpx_stats.c: tap events for -z smtpx,tree, -z smtpx,transactions and -z smtpx,srt */
typedef enum {
    SMTPX_EV_COMMAND, SMTPX_EV_REPLY, SMTPX_EV_ENHANCED, SMTPX_EV_AUTH, SMTPX_EV_AUTH_RESULT,
    SMTPX_EV_TRANSACTION, SMTPX_EV_FINDING, SMTPX_EV_ATTACHMENT, SMTPX_EV_REASON, SMTPX_EV_SESSION,
    SMTPX_EV_SOFTWARE, SMTPX_EV_DOMAIN, SMTPX_EV_VERDICT, SMTPX_EV_DSN, SMTPX_EV_DKIM
} smtpx_event_kind_t;

/* What a call knows of its session, for -z smtpx,sessions. */
typedef struct {
    gboolean is_client;     /* the packet is the client's */
    gboolean tls;
    const char *server_name, *server_software, *client_name, *auth_user;
    const char *real_client;    /* named by a PROXY header or an accepted XCLIENT (NULL: none) */
} smtpx_session_facts_t;

typedef struct {
    guint32 frame, stream;
    const char *client, *server, *helo, *auth_mech, *auth_user, *sender, *rcpt_to, *from, *subject, *message_id;
    const char *real_client;            /* named by a PROXY header or an accepted XCLIENT (NULL: none) */
    const char *dkim, *path, *attachments, *queue_id;
    const smtpx_log_headers_t *hdr;     /* To, Cc, Date... (never NULL) */
    const char *bcc;                    /* the recipients To and Cc do not name */
    gboolean tls;
    const char *reply;      /* its code; LMTP: each recipient's, in RCPT order ("250,452"); "-": no_message */
    gboolean no_message;    /* given up before a reply to a message (RSET, QUIT...): no message columns */
    gboolean accepted;      /* the server took the message (LMTP: for at least one recipient) */
    guint rcpt_ok, rcpt_bad, findings;
    guint64 size;
    guint64 missing;        /* bytes of the message the capture lacks */
} smtpx_txn_t;

typedef struct {
    smtpx_event_kind_t kind;
    const char *name;       /* verb, mechanism, finding, server software, address domain, verdict's method,
                             * DSN action */
    const char *detail;     /* counted under name: the software's version (NULL: not given), the
                             * verdict's result, the DSN status, AUTH's result (success, failure,
                             * cancelled) */
    unsigned code;          /* reply code, or enhanced class */
    unsigned subject;       /* enhanced subject */
    const smtpx_cmd_rec_t *rec; /* reply: the request it answers (NULL: none known) */
    gboolean greeting;      /* reply: the server's greeting */
    smtpx_txn_t txn;
    smtpx_session_facts_t session;
} smtpx_tap_event_t;

void smtpx_stats_register(void);
/* Is a tap listener there for the events (not on retransmitted data)? */
gboolean smtpx_tapping(const smtpx_ctx_t *ctx);
void smtpx_tap_simple(smtpx_ctx_t *ctx, smtpx_event_kind_t kind, const char *name, unsigned code);
void smtpx_tap_enhanced(smtpx_ctx_t *ctx, unsigned cls, unsigned subject);
void smtpx_tap_reply(smtpx_ctx_t *ctx, unsigned code, const smtpx_cmd_rec_t *rec, gboolean greeting);
/* An event counted under name and then detail (server software and version, a verdict's
 * method and result, a delivery report's action and status). */
void smtpx_tap_pair(smtpx_ctx_t *ctx, smtpx_event_kind_t kind, const char *name, const char *detail);
/* The domain of a MAIL FROM (sender) or RCPT TO address. */
void smtpx_tap_domain(smtpx_ctx_t *ctx, gboolean sender, const char *addr, size_t len);
/* After the PDUs of a call: the session's names, TLS and user. */
void smtpx_tap_session(smtpx_ctx_t *ctx);
void smtpx_tap_transaction(smtpx_ctx_t *ctx, const smtpx_cmd_rec_t *rec, unsigned code);

/* smtpx_hosts.c: refusals of one client address over all its sessions. */
typedef enum { SMTPX_HOST_AUTH = 0, SMTPX_HOST_ADDRESS, SMTPX_HOST_KINDS } smtpx_host_kind_t;
typedef struct {
    guint32 count, sessions, first_frame;
} smtpx_host_report_t;
void smtpx_hosts_register(void);
/* One more refusal of this kind for the client of the reply to rec. Not
 * NULL at the reply that brings the count to `at` over more than one
 * session (once per client address): the tally then. */
const smtpx_host_report_t *smtpx_host_refused(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, smtpx_host_kind_t kind,
                                              unsigned at);

/* Adds a finding to the PDU's "SMTP analysis" subtree. */
void smtpx_finding(smtpx_ctx_t *ctx, expert_field *ei, tvbuff_t *tvb, int offset, int len,
                   const char *format, ...) G_GNUC_PRINTF(6, 7);

#endif
