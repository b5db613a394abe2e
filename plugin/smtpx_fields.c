/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every field, subtree and expert item of smtpx, registered in one place. */
#include "smtpx.h"
#include "smtp_codes.h"

#include <epan/prefs.h>

int proto_smtpx = -1;
int hf_smtpx_req = -1, hf_smtpx_req_command = -1, hf_smtpx_req_command_desc = -1, hf_smtpx_req_parameter = -1;
int hf_smtpx_envelope_sender = -1, hf_smtpx_envelope_recipient = -1, hf_smtpx_envelope_param = -1;
int hf_smtpx_envelope_param_size = -1, hf_smtpx_envelope_param_body = -1, hf_smtpx_envelope_param_smtputf8 = -1;
int hf_smtpx_envelope_param_ret = -1, hf_smtpx_envelope_param_envid = -1, hf_smtpx_envelope_param_notify = -1;
int hf_smtpx_envelope_param_orcpt = -1, hf_smtpx_envelope_param_auth = -1;
int hf_smtpx_envelope_param_orcpt_type = -1, hf_smtpx_envelope_param_orcpt_addr = -1;
int hf_smtpx_rsp = -1, hf_smtpx_rsp_code = -1, hf_smtpx_rsp_code_class = -1, hf_smtpx_rsp_code_category = -1;
int hf_smtpx_rsp_parameter = -1, hf_smtpx_rsp_line_code = -1, hf_smtpx_rsp_recipient = -1;
int hf_smtpx_rsp_client_ip = -1, hf_smtpx_rsp_client_ipv6 = -1;
int hf_smtpx_rsp_reason = -1, hf_smtpx_rsp_blocklist = -1;
int hf_smtpx_rsp_software = -1, hf_smtpx_rsp_software_version = -1;
int hf_smtpx_rsp_enhanced = -1, hf_smtpx_rsp_enhanced_class = -1, hf_smtpx_rsp_enhanced_subject = -1;
int hf_smtpx_rsp_enhanced_detail = -1, hf_smtpx_rsp_enhanced_meaning = -1;
int hf_smtpx_response_in = -1, hf_smtpx_response_to = -1, hf_smtpx_time = -1;
int hf_smtpx_ehlo_keyword = -1, hf_smtpx_ehlo_param = -1, hf_smtpx_ehlo_size = -1, hf_smtpx_ehlo_auth_mech = -1;
int hf_smtpx_session = -1, hf_smtpx_session_server_name = -1, hf_smtpx_session_client_name = -1;
int hf_smtpx_session_server_software = -1;
int hf_smtpx_session_real_client = -1, hf_smtpx_session_real_client_ipv6 = -1;
int hf_smtpx_xclient_attribute = -1, hf_smtpx_xclient_addr = -1, hf_smtpx_xclient_addr_ipv6 = -1;
int hf_smtpx_xclient_login = -1;
int hf_smtpx_data = -1, hf_smtpx_data_line = -1, hf_smtpx_data_eod = -1, hf_smtpx_data_continuation = -1;
int hf_smtpx_bdat_size = -1, hf_smtpx_bdat_last = -1, hf_smtpx_bdat_chunk = -1;
int hf_smtpx_auth_step = -1, hf_smtpx_tls_data = -1, hf_smtpx_retransmission = -1;
int hf_smtpx_foreign = -1, hf_smtpx_proxy = -1;
int hf_smtpx_auth_mechanism = -1, hf_smtpx_auth_username = -1, hf_smtpx_auth_password = -1;
int hf_smtpx_auth_authzid = -1, hf_smtpx_auth_token = -1, hf_smtpx_auth_digest = -1;
int hf_smtpx_auth_challenge = -1, hf_smtpx_auth_base64 = -1, hf_smtpx_auth_decoded = -1, hf_smtpx_auth_result = -1;
int hf_smtpx_data_header = -1, hf_smtpx_data_header_name = -1, hf_smtpx_data_header_value = -1, hf_smtpx_headers = -1;
int hf_smtpx_header_from = -1, hf_smtpx_header_from_display = -1, hf_smtpx_header_to = -1, hf_smtpx_header_cc = -1;
int hf_smtpx_header_subject = -1, hf_smtpx_header_date = -1, hf_smtpx_header_message_id = -1;
int hf_smtpx_header_date_time = -1;
int hf_smtpx_header_reply_to = -1, hf_smtpx_header_sender = -1, hf_smtpx_header_return_path = -1;
int hf_smtpx_header_in_reply_to = -1, hf_smtpx_header_user_agent = -1, hf_smtpx_header_originating_ip = -1;
int hf_smtpx_header_auth_results = -1, hf_smtpx_header_auth_results_server = -1;
int hf_smtpx_header_arc_auth_results = -1, hf_smtpx_header_arc_auth_results_instance = -1;
int hf_smtpx_header_auth_result = -1, hf_smtpx_header_auth_method = -1, hf_smtpx_header_auth_verdict = -1;
int hf_smtpx_msg_dsn = -1, hf_smtpx_msg_dsn_reporting_mta = -1, hf_smtpx_msg_dsn_recipient = -1;
int hf_smtpx_msg_dsn_action = -1, hf_smtpx_msg_dsn_status = -1, hf_smtpx_msg_dsn_remote_mta = -1;
int hf_smtpx_msg_dsn_diagnostic = -1, hf_smtpx_msg_header_only = -1;
int hf_smtpx_header_auth_reason = -1, hf_smtpx_header_auth_property = -1, hf_smtpx_header_received_spf = -1;
int hf_smtpx_header_dkim_domain = -1, hf_smtpx_header_dkim_selector = -1;
int hf_smtpx_msg_received = -1, hf_smtpx_msg_received_hop = -1, hf_smtpx_msg_received_from = -1;
int hf_smtpx_msg_received_ip = -1, hf_smtpx_msg_received_ipv6 = -1, hf_smtpx_msg_received_by = -1;
int hf_smtpx_msg_received_via = -1, hf_smtpx_msg_received_with = -1, hf_smtpx_msg_received_id = -1;
int hf_smtpx_msg_received_for = -1, hf_smtpx_msg_received_date = -1, hf_smtpx_msg_received_queued_in = -1;
int hf_smtpx_msg = -1, hf_smtpx_msg_sender = -1, hf_smtpx_msg_recipient = -1, hf_smtpx_msg_from = -1;
int hf_smtpx_msg_bcc = -1, hf_smtpx_msg_recipient_unanswered = -1;
int hf_smtpx_msg_subject = -1, hf_smtpx_msg_size = -1, hf_smtpx_msg_missing = -1, hf_smtpx_msg_lines = -1;
int hf_smtpx_msg_reply_code = -1, hf_smtpx_msg_queue_id = -1, hf_smtpx_msg_end_in = -1;
int hf_smtpx_msg_dkim_body = -1, hf_smtpx_msg_dkim_body_hash = -1, hf_smtpx_msg_arc = -1, hf_smtpx_msg_arc_sets = -1;
int hf_smtpx_msg_attachment = -1, hf_smtpx_msg_attachment_type = -1, hf_smtpx_msg_attachment_encoding = -1;
int hf_smtpx_msg_attachment_size = -1, hf_smtpx_msg_attachment_sha256 = -1, hf_smtpx_msg_attachment_md5 = -1;
int hf_smtpx_msg_attachment_content = -1, hf_smtpx_msg_url = -1;
int hf_smtpx_req_edited = -1, hf_smtpx_note = -1, hf_smtpx_note_phase = -1;
int hf_smtpx_analysis = -1, hf_smtpx_quoted = -1, hf_smtpx_quoted_line = -1;

gint ett_smtpx = -1, ett_smtpx_req = -1, ett_smtpx_rsp = -1, ett_smtpx_rsp_code = -1, ett_smtpx_enhanced = -1;
gint ett_smtpx_param = -1, ett_smtpx_ehlo = -1, ett_smtpx_data = -1, ett_smtpx_analysis = -1, ett_smtpx_auth = -1;
gint ett_smtpx_received = -1, ett_smtpx_attachment = -1, ett_smtpx_auth_results = -1, ett_smtpx_dkim = -1;

expert_field ei_smtpx_unknown_command = EI_INIT, ei_smtpx_continuation_code = EI_INIT;
expert_field ei_smtpx_line_too_long = EI_INIT, ei_smtpx_not_a_reply = EI_INIT;
expert_field ei_smtpx_unsolicited_reply = EI_INIT, ei_smtpx_reply_truncated = EI_INIT;
expert_field ei_smtpx_enhanced_class_mismatch = EI_INIT, ei_smtpx_enhanced_malformed = EI_INIT;
expert_field ei_smtpx_incomplete_message = EI_INIT, ei_smtpx_enhanced_missing = EI_INIT;
expert_field ei_smtpx_unadvertised = EI_INIT, ei_smtpx_starttls_injection = EI_INIT;
expert_field ei_smtpx_spoofed_from = EI_INIT, ei_smtpx_display_name_spoof = EI_INIT;
expert_field ei_smtpx_multiple_from = EI_INIT, ei_smtpx_missing_from = EI_INIT, ei_smtpx_reply_to_mismatch = EI_INIT;
expert_field ei_smtpx_bare_lf = EI_INIT, ei_smtpx_smuggling = EI_INIT, ei_smtpx_8bit = EI_INIT;
expert_field ei_smtpx_not_end_of_data = EI_INIT;
expert_field ei_smtpx_size_exceeded = EI_INIT, ei_smtpx_message_too_big = EI_INIT;
expert_field ei_smtpx_message_incomplete = EI_INIT, ei_smtpx_stream_gap = EI_INIT;
expert_field ei_smtpx_missing_brackets = EI_INIT, ei_smtpx_telnet_edit = EI_INIT, ei_smtpx_telnet_iac = EI_INIT;
expert_field ei_smtpx_utf8_address = EI_INIT;
expert_field ei_smtpx_forged_helo = EI_INIT, ei_smtpx_foreign_protocol = EI_INIT, ei_smtpx_not_captured = EI_INIT;
expert_field ei_smtpx_version_disclosed = EI_INIT, ei_smtpx_cleartext_mail = EI_INIT;
expert_field ei_smtpx_sender_check_failed = EI_INIT, ei_smtpx_masked_banner = EI_INIT;
expert_field ei_smtpx_masked_extension = EI_INIT;
expert_field ei_smtpx_missing_blank_line = EI_INIT, ei_smtpx_bad_param = EI_INIT;
expert_field ei_smtpx_mime_malformed = EI_INIT, ei_smtpx_homograph = EI_INIT, ei_smtpx_duplicate_header = EI_INIT;
expert_field ei_smtpx_cleartext_after_starttls = EI_INIT;
expert_field ei_smtpx_bad_date = EI_INIT, ei_smtpx_date_far_off = EI_INIT, ei_smtpx_trace_order = EI_INIT;
expert_field ei_smtpx_return_path = EI_INIT, ei_smtpx_dkim = EI_INIT, ei_smtpx_trace_top = EI_INIT;
expert_field ei_smtpx_too_long = EI_INIT, ei_smtpx_bad_sequence = EI_INIT, ei_smtpx_open_relay = EI_INIT;
expert_field ei_smtpx_error_reply = EI_INIT, ei_smtpx_serious_reply = EI_INIT;
expert_field ei_smtpx_auth_sender_mismatch = EI_INIT, ei_smtpx_bdat = EI_INIT;
expert_field ei_smtpx_cleartext_auth = EI_INIT, ei_smtpx_bad_base64 = EI_INIT;
expert_field ei_smtpx_auth_repeated = EI_INIT, ei_smtpx_auth_late_step = EI_INIT;
expert_field ei_smtpx_auth_guessing = EI_INIT, ei_smtpx_address_probing = EI_INIT;
expert_field ei_smtpx_risky_attachment = EI_INIT, ei_smtpx_deceptive_link = EI_INIT;

/* The epan-free tables of smtp_codes.c have the layout of value_string. */
G_STATIC_ASSERT(sizeof(smtp_code_name_t) == sizeof(value_string));
G_STATIC_ASSERT(offsetof(smtp_code_name_t, value) == offsetof(value_string, value));
G_STATIC_ASSERT(offsetof(smtp_code_name_t, name) == offsetof(value_string, strptr));
#define vals_of(table) VALS((const value_string *)(table))

#define HF(id, name, abbrev, type, display, strings, blurb) \
    { &id, { name, abbrev, type, display, strings, 0x0, blurb, HFILL } }

static void register_hf(void)
{
    static hf_register_info hf[] = {
        HF(hf_smtpx_req, "Command line", "smtpx.req", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_req_command, "Command", "smtpx.req.command", FT_STRING, BASE_NONE, NULL,
           "The command verb, upper-case"),
        HF(hf_smtpx_req_command_desc, "Meaning", "smtpx.req.command.description", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_req_edited, "As meant (edits applied)", "smtpx.req.edited", FT_STRING, BASE_NONE, NULL,
           "The line after applying the Backspace/Delete keys typed in it"),
        HF(hf_smtpx_note, "Teaching note", "smtpx.note", FT_STRING, BASE_NONE, NULL,
           "What this PDU does, in plain words (preference teaching_notes)"),
        HF(hf_smtpx_note_phase, "Phase", "smtpx.note.phase", FT_STRING, BASE_NONE, NULL,
           "Phase of the SMTP session"),
        HF(hf_smtpx_req_parameter, "Request parameter", "smtpx.req.parameter", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_envelope_sender, "Envelope sender", "smtpx.envelope.sender", FT_STRING, BASE_NONE, NULL,
           "Reverse path of MAIL FROM (empty for <>)"),
        HF(hf_smtpx_envelope_recipient, "Envelope recipient", "smtpx.envelope.recipient", FT_STRING, BASE_NONE, NULL,
           "Forward path of RCPT TO"),
        HF(hf_smtpx_envelope_param, "ESMTP parameter", "smtpx.envelope.param", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_envelope_param_size, "SIZE", "smtpx.envelope.param.size", FT_UINT64, BASE_DEC, NULL,
           "Declared message size in octets (RFC 1870)"),
        HF(hf_smtpx_envelope_param_body, "BODY", "smtpx.envelope.param.body", FT_STRING, BASE_NONE, NULL,
           "Body type: 7BIT, 8BITMIME (RFC 6152) or BINARYMIME (RFC 3030)"),
        HF(hf_smtpx_envelope_param_smtputf8, "SMTPUTF8", "smtpx.envelope.param.smtputf8", FT_BOOLEAN, BASE_NONE, NULL,
           "Internationalised addresses (RFC 6531)"),
        HF(hf_smtpx_envelope_param_ret, "RET", "smtpx.envelope.param.ret", FT_STRING, BASE_NONE, NULL,
           "DSN: return FULL message or HDRS only (RFC 3461)"),
        HF(hf_smtpx_envelope_param_envid, "ENVID", "smtpx.envelope.param.envid", FT_STRING, BASE_NONE, NULL,
           "DSN envelope identifier (RFC 3461), xtext decoded"),
        HF(hf_smtpx_envelope_param_notify, "NOTIFY", "smtpx.envelope.param.notify", FT_STRING, BASE_NONE, NULL,
           "DSN: when to notify (RFC 3461)"),
        HF(hf_smtpx_envelope_param_orcpt, "ORCPT", "smtpx.envelope.param.orcpt", FT_STRING, BASE_NONE, NULL,
           "DSN original recipient (RFC 3461), as written: address type, \";\", address in xtext"),
        HF(hf_smtpx_envelope_param_orcpt_type, "Address type", "smtpx.envelope.param.orcpt.type", FT_STRING,
           BASE_NONE, NULL, "ORCPT's address type (rfc822, utf-8)"),
        HF(hf_smtpx_envelope_param_orcpt_addr, "Original recipient", "smtpx.envelope.param.orcpt.address", FT_STRING,
           BASE_NONE, NULL, "ORCPT's address, xtext decoded: the recipient the sender named, before forwarding"),
        HF(hf_smtpx_envelope_param_auth, "AUTH", "smtpx.envelope.param.auth", FT_STRING, BASE_NONE, NULL,
           "Authenticated submitter (RFC 4954), xtext decoded"),
        HF(hf_smtpx_rsp, "Response", "smtpx.rsp", FT_STRING, BASE_NONE, NULL, "First line of the reply"),
        HF(hf_smtpx_rsp_code, "Response code", "smtpx.rsp.code", FT_UINT16, BASE_DEC,
           vals_of(smtp_reply_codes), NULL),
        HF(hf_smtpx_rsp_code_class, "Class (first digit)", "smtpx.rsp.code.class", FT_UINT8, BASE_DEC,
           vals_of(smtp_reply_first_digits), NULL),
        HF(hf_smtpx_rsp_code_category, "Category (second digit)", "smtpx.rsp.code.category", FT_UINT8, BASE_DEC,
           vals_of(smtp_reply_second_digits), NULL),
        HF(hf_smtpx_rsp_parameter, "Response parameter", "smtpx.rsp.parameter", FT_STRING, BASE_NONE, NULL,
           "Text of a reply line"),
        HF(hf_smtpx_rsp_line_code, "Line code", "smtpx.rsp.line_code", FT_UINT16, BASE_DEC, NULL,
           "Code of a continuation line that differs from the first line"),
        HF(hf_smtpx_rsp_reason, "Reason", "smtpx.rsp.reason", FT_STRING, BASE_NONE, NULL,
           "Why the server refuses, from the words of its 4xx/5xx reply (greylisting, blocklist, SPF, relay "
           "denied...)"),
        HF(hf_smtpx_rsp_blocklist, "Blocklist", "smtpx.rsp.blocklist", FT_STRING, BASE_NONE, NULL,
           "The DNS blocklist the reply names (\"blocked using zen.spamhaus.org\")"),
        HF(hf_smtpx_rsp_software, "Server software", "smtpx.rsp.software", FT_STRING, BASE_NONE, NULL,
           "The mail software the greeting names (\"ESMTP Exim 4.96\", \"Microsoft ESMTP MAIL Service\", "
           "\"- gsmtp\")"),
        HF(hf_smtpx_rsp_software_version, "Software version", "smtpx.rsp.software_version", FT_STRING, BASE_NONE,
           NULL, "The version of the server software, where the greeting gives it"),
        HF(hf_smtpx_rsp_client_ip, "Client address the server sees", "smtpx.rsp.client_ip", FT_IPv4, BASE_NONE,
           NULL, "The address the server names in its reply to HELO/EHLO (\"Hello [192.0.2.1]\": Exchange, "
           "Sendmail, Exim); another than the capture's shows a NAT or proxy between them"),
        HF(hf_smtpx_rsp_client_ipv6, "Client address the server sees", "smtpx.rsp.client_ipv6", FT_IPv6,
           BASE_NONE, NULL, "The address the server names in its reply to HELO/EHLO (\"Hello [IPv6:2001:db8::1]\")"),
        HF(hf_smtpx_rsp_recipient, "For recipient", "smtpx.rsp.recipient", FT_STRING, BASE_NONE, NULL,
           "LMTP: the recipient this reply to the end of a message is for (one reply per accepted recipient, "
           "RFC 2033)"),
        HF(hf_smtpx_rsp_enhanced, "Enhanced status code", "smtpx.rsp.enhanced", FT_STRING, BASE_NONE, NULL,
           "RFC 3463 class.subject.detail"),
        HF(hf_smtpx_rsp_enhanced_class, "Class", "smtpx.rsp.enhanced.class", FT_UINT8, BASE_DEC,
           vals_of(smtp_enh_classes), NULL),
        HF(hf_smtpx_rsp_enhanced_subject, "Subject", "smtpx.rsp.enhanced.subject", FT_UINT16, BASE_DEC,
           vals_of(smtp_enh_subjects), NULL),
        HF(hf_smtpx_rsp_enhanced_detail, "Detail", "smtpx.rsp.enhanced.detail", FT_UINT16, BASE_DEC, NULL, NULL),
        HF(hf_smtpx_rsp_enhanced_meaning, "Meaning", "smtpx.rsp.enhanced.meaning", FT_STRING, BASE_NONE, NULL,
           "IANA SMTP Enhanced Status Codes registry"),
        { &hf_smtpx_response_in, { "Response in frame", "smtpx.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "The reply to this request is in this frame", HFILL } },
        { &hf_smtpx_response_to, { "Request in frame", "smtpx.response_to", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "This is a reply to the request in this frame", HFILL } },
        HF(hf_smtpx_time, "Time since request", "smtpx.time", FT_RELATIVE_TIME, BASE_NONE, NULL,
           "Time between the request and this reply"),
        HF(hf_smtpx_ehlo_keyword, "Extension", "smtpx.ehlo.keyword", FT_STRING, BASE_NONE, NULL,
           "ESMTP service extension advertised in the EHLO reply"),
        HF(hf_smtpx_ehlo_param, "Extension parameter", "smtpx.ehlo.param", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_ehlo_size, "Maximum message size", "smtpx.ehlo.size", FT_UINT64, BASE_DEC, NULL,
           "SIZE limit in octets (0: no limit)"),
        HF(hf_smtpx_ehlo_auth_mech, "AUTH mechanism", "smtpx.ehlo.auth_mech", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_session, "Session", "smtpx.session", FT_NONE, BASE_NONE, NULL,
           "The names client and server gave (each a field of its own)"),
        HF(hf_smtpx_session_server_name, "Server name", "smtpx.session.server_name", FT_STRING, BASE_NONE, NULL,
           "Domain the server gave in its greeting"),
        HF(hf_smtpx_session_client_name, "Client name", "smtpx.session.client_name", FT_STRING, BASE_NONE, NULL,
           "Domain the client gave in HELO/EHLO"),
        HF(hf_smtpx_session_real_client, "Real client", "smtpx.session.real_client", FT_IPv4, BASE_NONE, NULL,
           "The client's address a load balancer's PROXY header gave"),
        HF(hf_smtpx_session_real_client_ipv6, "Real client", "smtpx.session.real_client_ipv6", FT_IPv6, BASE_NONE,
           NULL, "The client's address a load balancer's PROXY header gave"),
        HF(hf_smtpx_xclient_attribute, "Attribute", "smtpx.xclient.attribute", FT_STRING, BASE_NONE, NULL,
           "NAME=VALUE of XCLIENT (a proxy names the real client) or XFORWARD (a content filter passes it on)"),
        HF(hf_smtpx_xclient_addr, "Client address", "smtpx.xclient.addr", FT_IPv4, BASE_NONE, NULL,
           "ADDR of XCLIENT or XFORWARD"),
        HF(hf_smtpx_xclient_addr_ipv6, "Client address", "smtpx.xclient.addr_ipv6", FT_IPv6, BASE_NONE, NULL,
           "ADDR of XCLIENT or XFORWARD"),
        HF(hf_smtpx_xclient_login, "Login", "smtpx.xclient.login", FT_STRING, BASE_NONE, NULL,
           "LOGIN of XCLIENT: the user the proxy authenticated (xtext decoded)"),
        HF(hf_smtpx_session_server_software, "Server software", "smtpx.session.server_software", FT_STRING,
           BASE_NONE, NULL, "The mail software the greeting named, and its version if given"),
        HF(hf_smtpx_data, "Message data", "smtpx.data", FT_NONE, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_data_line, "Line", "smtpx.data.line", FT_STRING, BASE_NONE, NULL, "A line of the message"),
        HF(hf_smtpx_data_eod, "End of data", "smtpx.data.eod", FT_NONE, BASE_NONE, NULL,
           "The line holding only \".\" that ends the message"),
        HF(hf_smtpx_data_continuation, "Continuation of an overlong line", "smtpx.data.continuation", FT_BYTES,
           BASE_NONE, NULL, NULL),
        HF(hf_smtpx_bdat_size, "Chunk size", "smtpx.bdat.size", FT_UINT64, BASE_DEC, NULL, NULL),
        HF(hf_smtpx_bdat_last, "Last chunk", "smtpx.bdat.last", FT_BOOLEAN, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_bdat_chunk, "Chunk data", "smtpx.bdat.chunk", FT_BYTES, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_auth_step, "AUTH step", "smtpx.auth.step", FT_STRING, BASE_NONE, NULL,
           "A client line of an AUTH exchange (not a command)"),
        HF(hf_smtpx_auth_mechanism, "AUTH mechanism", "smtpx.auth.mechanism", FT_STRING, BASE_NONE, NULL,
           "SASL mechanism of the exchange"),
        HF(hf_smtpx_auth_username, "User name", "smtpx.auth.username", FT_STRING, BASE_NONE, NULL,
           "Authentication identity"),
        HF(hf_smtpx_auth_password, "Password", "smtpx.auth.password", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_auth_authzid, "Authorisation identity", "smtpx.auth.authzid", FT_STRING, BASE_NONE, NULL,
           "Identity to act as (PLAIN authzid, SCRAM/OAUTHBEARER a=)"),
        HF(hf_smtpx_auth_token, "Bearer token", "smtpx.auth.token", FT_STRING, BASE_NONE, NULL,
           "OAuth 2.0 access token (XOAUTH2, OAUTHBEARER)"),
        HF(hf_smtpx_auth_digest, "Digest", "smtpx.auth.digest", FT_STRING, BASE_NONE, NULL,
           "CRAM-MD5 HMAC of the challenge"),
        HF(hf_smtpx_auth_challenge, "Challenge", "smtpx.auth.challenge", FT_STRING, BASE_NONE, NULL,
           "Decoded server challenge of a 334 reply"),
        HF(hf_smtpx_auth_base64, "Base64", "smtpx.auth.base64", FT_STRING, BASE_NONE, NULL,
           "The base64 text as sent"),
        HF(hf_smtpx_auth_decoded, "Decoded", "smtpx.auth.decoded", FT_STRING, BASE_NONE, NULL,
           "The base64 text decoded"),
        HF(hf_smtpx_auth_result, "AUTH result", "smtpx.auth.result", FT_STRING, BASE_NONE, NULL,
           "success (235), failure, or cancelled (501 after \"*\")"),
        HF(hf_smtpx_data_header, "Header", "smtpx.data.header", FT_STRING, BASE_NONE, NULL,
           "A header line of the message"),
        HF(hf_smtpx_data_header_name, "Name", "smtpx.data.header.name", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_data_header_value, "Value", "smtpx.data.header.value", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_headers, "Message headers", "smtpx.header", FT_NONE, BASE_NONE, NULL,
           "The headers that matter, from the complete header block"),
        HF(hf_smtpx_header_from, "From", "smtpx.header.from", FT_STRING, BASE_NONE, NULL, "Address of the From header"),
        HF(hf_smtpx_header_from_display, "From display name", "smtpx.header.from_display", FT_STRING, BASE_NONE,
           NULL, "Display name of the From header (RFC 2047 decoded)"),
        HF(hf_smtpx_header_to, "To", "smtpx.header.to", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_cc, "Cc", "smtpx.header.cc", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_subject, "Subject", "smtpx.header.subject", FT_STRING, BASE_NONE, NULL,
           "Subject (RFC 2047 decoded)"),
        HF(hf_smtpx_header_date, "Date", "smtpx.header.date", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_date_time, "Date (UTC)", "smtpx.header.date.time", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC,
           NULL, "The Date header as a time, when it is a real date"),
        HF(hf_smtpx_header_message_id, "Message-ID", "smtpx.header.message_id", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_reply_to, "Reply-To", "smtpx.header.reply_to", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_sender, "Sender", "smtpx.header.sender", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_return_path, "Return-Path", "smtpx.header.return_path", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_in_reply_to, "In-Reply-To", "smtpx.header.in_reply_to", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_header_user_agent, "Mail program", "smtpx.header.user_agent", FT_STRING, BASE_NONE, NULL,
           "The program that wrote the message: User-Agent, or X-Mailer"),
        HF(hf_smtpx_header_originating_ip, "X-Originating-IP", "smtpx.header.originating_ip", FT_STRING, BASE_NONE,
           NULL, "Address of the web-mail user, as some providers record it"),
        HF(hf_smtpx_header_dkim_domain, "DKIM signing domain", "smtpx.header.dkim_domain", FT_STRING, BASE_NONE,
           NULL, "The d= tag of a DKIM-Signature (not verified: that needs DNS)"),
        HF(hf_smtpx_header_dkim_selector, "DKIM selector", "smtpx.header.dkim_selector", FT_STRING, BASE_NONE,
           NULL, "The s= tag of a DKIM-Signature: where the key is published (s._domainkey.d)"),
        HF(hf_smtpx_header_auth_results, "Authentication-Results", "smtpx.header.auth_results", FT_STRING,
           BASE_NONE, NULL, "What a server that received the message found when it checked the sender "
           "(RFC 8601): the header's value"),
        HF(hf_smtpx_header_auth_results_server, "Checked by", "smtpx.header.auth_results.server", FT_STRING,
           BASE_NONE, NULL, "The authserv-id: the server (or domain) that wrote the verdicts"),
        HF(hf_smtpx_header_auth_result, "Result", "smtpx.header.auth_results.result", FT_STRING, BASE_NONE, NULL,
           "One verdict, as method=result (\"spf=pass\", \"dmarc=fail\")"),
        HF(hf_smtpx_header_auth_method, "Method", "smtpx.header.auth_results.method", FT_STRING, BASE_NONE, NULL,
           "spf, dkim, dmarc, arc, iprev, auth..."),
        HF(hf_smtpx_header_auth_verdict, "Verdict", "smtpx.header.auth_results.verdict", FT_STRING, BASE_NONE,
           NULL, "pass, fail, softfail, neutral, none, temperror, permerror, policy"),
        HF(hf_smtpx_header_auth_reason, "Reason", "smtpx.header.auth_results.reason", FT_STRING, BASE_NONE, NULL,
           NULL),
        HF(hf_smtpx_header_auth_property, "Property", "smtpx.header.auth_results.property", FT_STRING, BASE_NONE,
           NULL, "What was checked, as ptype.property=value (smtp.mailfrom=..., header.from=..., header.d=...)"),
        HF(hf_smtpx_header_arc_auth_results, "ARC-Authentication-Results", "smtpx.header.arc_auth_results",
           FT_STRING, BASE_NONE, NULL, "What a forwarder found when it checked the sender, kept in its ARC set "
           "(RFC 8617 4.1.1): the header's value; its verdicts are shown with the auth_results fields"),
        HF(hf_smtpx_header_arc_auth_results_instance, "Instance", "smtpx.header.arc_auth_results.instance",
           FT_UINT16, BASE_DEC, NULL, "i=: the forwarder's place in the ARC chain (1: the first forwarder)"),
        HF(hf_smtpx_header_received_spf, "Received-SPF", "smtpx.header.received_spf", FT_STRING, BASE_NONE, NULL,
           "The SPF result a receiving server wrote (RFC 7208 9.1): may the sending host send for the envelope "
           "sender's domain?"),
        HF(hf_smtpx_msg, "Message summary", "smtpx.msg", FT_NONE, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_msg_sender, "Envelope sender", "smtpx.msg.sender", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_msg_recipient, "Accepted recipient", "smtpx.msg.recipient", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_msg_recipient_unanswered, "Recipient, no reply yet", "smtpx.msg.recipient_unanswered",
           FT_STRING, BASE_NONE, NULL, "A RCPT TO the server had not answered at the end of the message (pipelined "
           "with BDAT LAST); one pass cannot know whether it was accepted, two passes can"),
        HF(hf_smtpx_msg_bcc, "Blind copy", "smtpx.msg.bcc", FT_STRING, BASE_NONE, NULL,
           "An envelope recipient the To and Cc headers do not name: it gets the message without the others "
           "seeing it (Bcc), or the headers are not the real recipients"),
        HF(hf_smtpx_msg_header_only, "Not a recipient", "smtpx.msg.header_only", FT_STRING, BASE_NONE, NULL,
           "An address the To or Cc header names that is no accepted envelope recipient (RCPT TO): this "
           "transaction does not deliver the message to it; normal on a relay that delivers to some of them"),
        HF(hf_smtpx_msg_from, "Header From", "smtpx.msg.from", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_msg_dsn, "Delivery report", "smtpx.msg.dsn", FT_NONE, BASE_NONE, NULL,
           "A bounce (RFC 3464): what became of an earlier message, for each of its recipients"),
        HF(hf_smtpx_msg_dsn_reporting_mta, "Reporting server", "smtpx.msg.dsn.reporting_mta", FT_STRING, BASE_NONE,
           NULL, "Reporting-MTA: the server that writes the report"),
        HF(hf_smtpx_msg_dsn_recipient, "Recipient", "smtpx.msg.dsn.recipient", FT_STRING, BASE_NONE, NULL,
           "Final-Recipient (else Original-Recipient) of the earlier message"),
        HF(hf_smtpx_msg_dsn_action, "Action", "smtpx.msg.dsn.action", FT_STRING, BASE_NONE, NULL,
           "failed, delayed, delivered, relayed or expanded"),
        HF(hf_smtpx_msg_dsn_status, "Status", "smtpx.msg.dsn.status", FT_STRING, BASE_NONE, NULL,
           "The enhanced status code (RFC 3463) of the outcome"),
        HF(hf_smtpx_msg_dsn_remote_mta, "Remote server", "smtpx.msg.dsn.remote_mta", FT_STRING, BASE_NONE, NULL,
           "Remote-MTA: the server that answered"),
        HF(hf_smtpx_msg_dsn_diagnostic, "Diagnostic", "smtpx.msg.dsn.diagnostic", FT_STRING, BASE_NONE, NULL,
           "Diagnostic-Code: the remote server's own reply"),
        HF(hf_smtpx_msg_subject, "Subject", "smtpx.msg.subject", FT_STRING, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_msg_size, "Size", "smtpx.msg.size", FT_UINT64, BASE_DEC, NULL,
           "Message size in bytes, dot-unstuffed"),
        HF(hf_smtpx_msg_missing, "Missing from the capture", "smtpx.msg.missing", FT_UINT64, BASE_DEC, NULL,
           "Bytes of the message the capture lacks (smtpx.analysis.stream_gap): size, IMF and the exported file "
           "are incomplete"),
        HF(hf_smtpx_msg_lines, "Lines", "smtpx.msg.lines", FT_UINT32, BASE_DEC, NULL, NULL),
        HF(hf_smtpx_msg_reply_code, "Final reply", "smtpx.msg.reply_code", FT_UINT16, BASE_DEC,
           vals_of(smtp_reply_codes), "The server's reply to the end of the message (LMTP: one per recipient)"),
        HF(hf_smtpx_msg_queue_id, "Queue id", "smtpx.msg.queue_id", FT_STRING, BASE_NONE, NULL,
           "Id the server gave the message (\"queued as X\")"),
        HF(hf_smtpx_msg_dkim_body, "DKIM body hash", "smtpx.msg.dkim_body", FT_BOOLEAN, BASE_NONE, NULL,
           "Does the body match the hash a DKIM signature gives (bh=)? The part of DKIM that needs no key"),
        HF(hf_smtpx_msg_dkim_body_hash, "Body hash of the capture", "smtpx.msg.dkim_body.hash", FT_STRING, BASE_NONE,
           NULL, "The hash of the captured body, canonicalized as the signature says (base64, as bh=)"),
        HF(hf_smtpx_msg_arc, "ARC chain", "smtpx.msg.arc", FT_STRING, BASE_NONE, NULL,
           "The structure of the message's ARC chain (RFC 8617), which needs no key: intact, failed (a seal says "
           "cv=fail) or broken"),
        HF(hf_smtpx_msg_arc_sets, "ARC sets", "smtpx.msg.arc.sets", FT_UINT8, BASE_DEC, NULL,
           "The highest instance (i=) of the chain: one set per forwarder"),
        HF(hf_smtpx_msg_received, "Received", "smtpx.msg.received", FT_STRING, BASE_NONE, NULL,
           "A trace header of the message: one hop it took before this session, newest first (RFC 5321 4.4)"),
        HF(hf_smtpx_msg_received_hop, "Hop", "smtpx.msg.received.hop", FT_UINT32, BASE_DEC, NULL,
           "Position of the Received header: 1 is the top one, added by the last relay"),
        HF(hf_smtpx_msg_received_from, "From host", "smtpx.msg.received.from", FT_STRING, BASE_NONE, NULL,
           "The name the sending host gave (its HELO/EHLO), as the relay recorded it"),
        HF(hf_smtpx_msg_received_ip, "From address", "smtpx.msg.received.ip", FT_IPv4, BASE_NONE, NULL,
           "The sending host's IPv4 address, as the relay recorded it"),
        HF(hf_smtpx_msg_received_ipv6, "From address", "smtpx.msg.received.ipv6", FT_IPv6, BASE_NONE, NULL,
           "The sending host's IPv6 address, as the relay recorded it"),
        HF(hf_smtpx_msg_received_by, "By host", "smtpx.msg.received.by", FT_STRING, BASE_NONE, NULL,
           "The relay that added the header"),
        HF(hf_smtpx_msg_received_via, "Via", "smtpx.msg.received.via", FT_STRING, BASE_NONE, NULL, "The link (rare)"),
        HF(hf_smtpx_msg_received_with, "With", "smtpx.msg.received.with", FT_STRING, BASE_NONE, NULL,
           "The protocol: SMTP, ESMTP, ESMTPS (with TLS), ESMTPA (authenticated), ESMTPSA, LMTP..."),
        HF(hf_smtpx_msg_received_id, "Id", "smtpx.msg.received.id", FT_STRING, BASE_NONE, NULL, "The relay's queue id"),
        HF(hf_smtpx_msg_received_for, "For", "smtpx.msg.received.for", FT_STRING, BASE_NONE, NULL, "The recipient"),
        HF(hf_smtpx_msg_received_date, "Date", "smtpx.msg.received.date", FT_STRING, BASE_NONE, NULL,
           "When the relay received the message"),
        { &hf_smtpx_msg_received_queued_in, { "Queued in frame", "smtpx.msg.received.queued_in", FT_FRAMENUM,
          BASE_NONE, NULL, 0x0, "The reply in this capture where that relay (by) queued the message with that id: "
          "the same message, one hop earlier", HFILL } },
        HF(hf_smtpx_msg_attachment, "Attachment", "smtpx.msg.attachment", FT_STRING, BASE_NONE, NULL,
           "A file in the message (a MIME part with a file name, given as an attachment, or not text): its name"),
        HF(hf_smtpx_msg_attachment_type, "Content type", "smtpx.msg.attachment.type", FT_STRING, BASE_NONE, NULL,
           "The type the message declares for it (Content-Type)"),
        HF(hf_smtpx_msg_attachment_encoding, "Transfer encoding", "smtpx.msg.attachment.encoding", FT_STRING,
           BASE_NONE, NULL, "Content-Transfer-Encoding: base64, quoted-printable, 7bit..."),
        HF(hf_smtpx_msg_attachment_size, "Size", "smtpx.msg.attachment.size", FT_UINT32, BASE_DEC, NULL,
           "Bytes of the file, decoded"),
        HF(hf_smtpx_msg_attachment_sha256, "SHA-256", "smtpx.msg.attachment.sha256", FT_STRING, BASE_NONE, NULL,
           "SHA-256 of the decoded file, as sha256sum gives it"),
        HF(hf_smtpx_msg_attachment_md5, "MD5", "smtpx.msg.attachment.md5", FT_STRING, BASE_NONE, NULL,
           "MD5 of the decoded file (as Zeek and Arkime log it)"),
        HF(hf_smtpx_msg_attachment_content, "Content is", "smtpx.msg.attachment.content", FT_STRING, BASE_NONE,
           NULL, "What the file's first bytes say it is, whatever its name says"),
        HF(hf_smtpx_msg_url, "URL", "smtpx.msg.url", FT_STRING, BASE_NONE, NULL,
           "An http or https URL in the text of the message (its text parts, decoded), each once"),
        { &hf_smtpx_msg_end_in, { "End of data in frame", "smtpx.msg.end_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL } },
        HF(hf_smtpx_tls_data, "Data after STARTTLS", "smtpx.tls_data", FT_BYTES, BASE_NONE, NULL, NULL),
        HF(hf_smtpx_foreign, "Not SMTP", "smtpx.foreign", FT_STRING, BASE_NONE, NULL,
           "A client line of another protocol (TLS, HTTP, SSH, binary): the protocol"),
        HF(hf_smtpx_proxy, "PROXY header", "smtpx.proxy", FT_STRING, BASE_NONE, NULL,
           "The PROXY protocol header a load balancer sends before the session: the real client it names"),
        HF(hf_smtpx_retransmission, "Retransmitted data", "smtpx.retransmission", FT_BYTES, BASE_NONE, NULL,
           "Bytes already dissected in an earlier segment"),
        HF(hf_smtpx_analysis, "SMTP analysis", "smtpx.analysis", FT_NONE, BASE_NONE, NULL,
           "Problems found in this PDU"),
        HF(hf_smtpx_quoted, "Quoted in an ICMP error", "smtpx.quoted", FT_NONE, BASE_NONE, NULL,
           "SMTP bytes that an ICMP error message quotes from the packet it reports: a copy, kept out of the "
           "session"),
        HF(hf_smtpx_quoted_line, "Quoted line", "smtpx.quoted.line", FT_STRING, BASE_NONE, NULL,
           "A line of the SMTP bytes an ICMP error quotes"),
    };
    proto_register_field_array(proto_smtpx, hf, array_length(hf));
}

static void register_ett(void)
{
    static gint *ett[] = {
        &ett_smtpx, &ett_smtpx_req, &ett_smtpx_rsp, &ett_smtpx_rsp_code, &ett_smtpx_enhanced,
        &ett_smtpx_param, &ett_smtpx_ehlo, &ett_smtpx_data, &ett_smtpx_analysis, &ett_smtpx_auth,
        &ett_smtpx_received, &ett_smtpx_attachment, &ett_smtpx_auth_results, &ett_smtpx_dkim,
    };
    proto_register_subtree_array(ett, array_length(ett));
}

#define EI(id, abbrev, group, severity, summary) \
    { &id, { abbrev, group, severity, summary, EXPFILL } }

static ei_register_info ei[] = {
    EI(ei_smtpx_unknown_command, "smtpx.analysis.unknown_command", PI_PROTOCOL, PI_WARN,
       "Unknown SMTP command"),
    EI(ei_smtpx_continuation_code, "smtpx.analysis.continuation_code", PI_PROTOCOL, PI_WARN,
       "A line of a multi-line reply has another code than the first line"),
    EI(ei_smtpx_line_too_long, "smtpx.analysis.line_too_long", PI_PROTOCOL, PI_WARN,
       "Line longer than RFC 5321 allows"),
    EI(ei_smtpx_not_a_reply, "smtpx.analysis.not_a_reply", PI_MALFORMED, PI_ERROR,
       "Server line that is not a reply (three digits)"),
    EI(ei_smtpx_unsolicited_reply, "smtpx.analysis.unsolicited_reply", PI_SEQUENCE, PI_WARN,
       "Reply with no request waiting for it"),
    EI(ei_smtpx_reply_truncated, "smtpx.analysis.reply_too_long", PI_PROTOCOL, PI_WARN,
       "Multi-line reply longer than the reassembly limit; shown in parts"),
    EI(ei_smtpx_enhanced_class_mismatch, "smtpx.analysis.enhanced_class_mismatch", PI_PROTOCOL, PI_WARN,
       "Enhanced status code class differs from the reply code's first digit"),
    EI(ei_smtpx_enhanced_malformed, "smtpx.analysis.enhanced_malformed", PI_MALFORMED, PI_WARN,
       "Malformed enhanced status code"),
    EI(ei_smtpx_enhanced_missing, "smtpx.analysis.enhanced_missing", PI_PROTOCOL, PI_NOTE,
       "The server advertised ENHANCEDSTATUSCODES but this reply carries none"),
    EI(ei_smtpx_unadvertised, "smtpx.analysis.unadvertised", PI_PROTOCOL, PI_WARN,
       "The client used an extension the server did not advertise"),
    EI(ei_smtpx_starttls_injection, "smtpx.analysis.starttls_injection", PI_SECURITY, PI_ERROR,
       "Cleartext bytes after STARTTLS in the same segment (CVE-2011-0411)"),
    EI(ei_smtpx_cleartext_after_starttls, "smtpx.analysis.cleartext_after_starttls", PI_SECURITY, PI_WARN,
       "Cleartext SMTP after the server accepted STARTTLS"),
    EI(ei_smtpx_spoofed_from, "smtpx.analysis.spoofed_from", PI_SECURITY, PI_WARN,
       "Header From not aligned with the envelope sender"),
    EI(ei_smtpx_display_name_spoof, "smtpx.analysis.display_name_spoof", PI_SECURITY, PI_WARN,
       "From display name shows another address"),
    EI(ei_smtpx_multiple_from, "smtpx.analysis.multiple_from", PI_SECURITY, PI_WARN,
       "Several From headers"),
    EI(ei_smtpx_missing_from, "smtpx.analysis.missing_from", PI_SECURITY, PI_WARN,
       "No From header"),
    EI(ei_smtpx_reply_to_mismatch, "smtpx.analysis.reply_to_mismatch", PI_SECURITY, PI_WARN,
       "Sender or Reply-To in another domain than From"),
    EI(ei_smtpx_missing_blank_line, "smtpx.analysis.missing_blank_line", PI_MALFORMED, PI_WARN,
       "Body text without the empty line after the headers: the header block ends there"),
    EI(ei_smtpx_bare_lf, "smtpx.analysis.bare_lf", PI_PROTOCOL, PI_WARN,
       "Bare LF or CR inside a message"),
    EI(ei_smtpx_smuggling, "smtpx.analysis.smuggling", PI_SECURITY, PI_WARN,
       "End-of-data sequence other than <CRLF>.<CRLF> (SMTP smuggling)"),
    EI(ei_smtpx_not_end_of_data, "smtpx.analysis.not_end_of_data", PI_SEQUENCE, PI_WARN,
       "A message line meant as its end or as a command, which is text"),
    EI(ei_smtpx_8bit, "smtpx.analysis.eight_bit", PI_PROTOCOL, PI_WARN,
       "8-bit data in a message not declared or not accepted as 8BITMIME"),
    EI(ei_smtpx_size_exceeded, "smtpx.analysis.size_exceeded", PI_PROTOCOL, PI_WARN,
       "Message larger than the advertised SIZE"),
    EI(ei_smtpx_message_too_big, "smtpx.analysis.message_too_big", PI_REASSEMBLE, PI_NOTE,
       "Message larger than the reassembly limit"),
    EI(ei_smtpx_message_incomplete, "smtpx.analysis.message_incomplete", PI_SEQUENCE, PI_NOTE,
       "The capture ends inside the message"),
    EI(ei_smtpx_stream_gap, "smtpx.analysis.stream_gap", PI_SEQUENCE, PI_WARN,
       "Bytes of the stream missing before this segment"),
    EI(ei_smtpx_not_captured, "smtpx.analysis.not_captured", PI_SEQUENCE, PI_WARN,
       "Bytes of the other side that this segment acknowledges are not in the capture (one side captured)"),
    EI(ei_smtpx_missing_brackets, "smtpx.analysis.missing_brackets", PI_MALFORMED, PI_WARN,
       "Address or HELO argument not written as RFC 5321 wants"),
    EI(ei_smtpx_bad_param, "smtpx.analysis.bad_param", PI_MALFORMED, PI_WARN,
       "MAIL, RCPT, XCLIENT or XFORWARD parameter not written as its RFC or Postfix wants"),
    EI(ei_smtpx_duplicate_header, "smtpx.analysis.duplicate_header", PI_MALFORMED, PI_WARN,
       "Message with a header RFC 5322 allows once (Subject, To, Date...) more than once"),
    EI(ei_smtpx_bad_date, "smtpx.analysis.bad_date", PI_MALFORMED, PI_WARN,
       "Date header that is not an RFC 5322 date, or not a real one"),
    EI(ei_smtpx_date_far_off, "smtpx.analysis.date_far_off", PI_PROTOCOL, PI_WARN,
       "Date header days away from the time the message was captured"),
    EI(ei_smtpx_trace_order, "smtpx.analysis.trace_order", PI_SECURITY, PI_WARN,
       "Received header dated after the one above it or after the capture (a forged trace)"),
    EI(ei_smtpx_trace_top, "smtpx.analysis.trace_top", PI_SECURITY, PI_WARN,
       "Top Received header naming another organisation's host than the client's HELO (a forged trace)"),
    EI(ei_smtpx_dkim, "smtpx.analysis.dkim", PI_SECURITY, PI_WARN,
       "DKIM or ARC signature that fails what a capture can check: body hash, l=, From signed, expiry, ARC chain"),
    EI(ei_smtpx_return_path, "smtpx.analysis.return_path", PI_PROTOCOL, PI_WARN,
       "Return-Path header in a message on its way (only the final delivery writes it)"),
    EI(ei_smtpx_mime_malformed, "smtpx.analysis.mime_malformed", PI_MALFORMED, PI_WARN,
       "Message whose MIME structure mail programs may read differently"),
    EI(ei_smtpx_homograph, "smtpx.analysis.homograph", PI_SECURITY, PI_WARN,
       "Sender, HELO or link domain in letters of another script that look like Latin ones"),
    EI(ei_smtpx_telnet_edit, "smtpx.analysis.telnet_edit", PI_PROTOCOL, PI_WARN,
       "Backspace or Delete typed into a command line"),
    EI(ei_smtpx_telnet_iac, "smtpx.analysis.telnet_iac", PI_PROTOCOL, PI_WARN,
       "Telnet negotiation or CR NUL in the SMTP stream"),
    EI(ei_smtpx_utf8_address, "smtpx.analysis.utf8_address", PI_PROTOCOL, PI_WARN,
       "Non-ASCII envelope address without SMTPUTF8 (RFC 6531)"),
    EI(ei_smtpx_too_long, "smtpx.analysis.limit_exceeded", PI_PROTOCOL, PI_WARN,
       "Local part, domain, path or recipient count over the RFC 5321 limits"),
    EI(ei_smtpx_bad_sequence, "smtpx.analysis.bad_sequence", PI_SEQUENCE, PI_WARN,
       "Command in the wrong order"),
    EI(ei_smtpx_forged_helo, "smtpx.analysis.forged_helo", PI_SECURITY, PI_WARN,
       "HELO/EHLO claims the server's own name or address, or an address that is not the client's"),
    EI(ei_smtpx_foreign_protocol, "smtpx.analysis.foreign_protocol", PI_PROTOCOL, PI_WARN,
       "The client speaks another protocol to the mail port (TLS, HTTP, SSH, binary data)"),
    EI(ei_smtpx_masked_extension, "smtpx.analysis.masked_extension", PI_SECURITY, PI_WARN,
       "An EHLO extension masked by a firewall on the path (XXXXXXXA where STARTTLS would be)"),
    EI(ei_smtpx_masked_banner, "smtpx.analysis.masked_banner", PI_SECURITY, PI_NOTE,
       "The greeting masked by a firewall on the path (asterisks: Cisco ASA's ESMTP inspection)"),
    EI(ei_smtpx_cleartext_mail, "smtpx.analysis.cleartext_mail", PI_SECURITY, PI_NOTE,
       "The server offered STARTTLS, but the client sends its mail without TLS"),
    EI(ei_smtpx_version_disclosed, "smtpx.analysis.version_disclosed", PI_SECURITY, PI_NOTE,
       "The greeting gives the server software's version: its known flaws can be looked up"),
    EI(ei_smtpx_sender_check_failed, "smtpx.analysis.sender_check_failed", PI_SECURITY, PI_WARN,
       "A receiving server's Authentication-Results or Received-SPF says the sender failed SPF, DKIM or DMARC"),
    EI(ei_smtpx_auth_sender_mismatch, "smtpx.analysis.auth_sender_mismatch", PI_SECURITY, PI_WARN,
       "Authenticated user sending as another domain"),
    EI(ei_smtpx_bdat, "smtpx.analysis.bdat", PI_PROTOCOL, PI_WARN,
       "BDAT misuse: empty LAST chunk, chunk after LAST, wrong size"),
    EI(ei_smtpx_open_relay, "smtpx.analysis.open_relay", PI_SECURITY, PI_WARN,
       "Recipient in a foreign domain accepted without authentication"),
    EI(ei_smtpx_error_reply, "smtpx.analysis.error_reply", PI_RESPONSE_CODE, PI_NOTE,
       "4xx or 5xx reply"),
    EI(ei_smtpx_serious_reply, "smtpx.analysis.serious_reply", PI_RESPONSE_CODE, PI_WARN,
       "421, 535, 550 or 554 reply"),
    EI(ei_smtpx_cleartext_auth, "smtpx.analysis.cleartext_auth", PI_SECURITY, PI_WARN,
       "Credentials sent without TLS"),
    EI(ei_smtpx_bad_base64, "smtpx.analysis.bad_base64", PI_MALFORMED, PI_WARN,
       "Invalid base64 in an AUTH exchange"),
    EI(ei_smtpx_auth_repeated, "smtpx.analysis.auth_repeated", PI_SEQUENCE, PI_WARN,
       "AUTH on a session that is already authenticated (RFC 4954 forbids it)"),
    EI(ei_smtpx_auth_late_step, "smtpx.analysis.auth_late_step", PI_SEQUENCE, PI_WARN,
       "Base64 line after the AUTH exchange ended"),
    EI(ei_smtpx_auth_guessing, "smtpx.analysis.auth_guessing", PI_SECURITY, PI_WARN,
       "Several AUTH attempts rejected (535) in one session: password guessing?"),
    EI(ei_smtpx_address_probing, "smtpx.analysis.address_probing", PI_SECURITY, PI_WARN,
       "Several recipients refused in one session: addresses being guessed?"),
    EI(ei_smtpx_risky_attachment, "smtpx.analysis.risky_attachment", PI_SECURITY, PI_WARN,
       "Attachment that runs when opened, or hides what it is"),
    EI(ei_smtpx_deceptive_link, "smtpx.analysis.deceptive_link", PI_SECURITY, PI_WARN,
       "HTML link whose text shows another site than the one it goes to (phishing, or a click tracker)"),
    EI(ei_smtpx_incomplete_message, "smtpx.analysis.incomplete_line", PI_REASSEMBLE, PI_NOTE,
       "Line without a line end at the end of the data"),
};

/* One switch per analysis check: preference "check_<name>" for "smtpx.analysis.<name>".
 * Its texts are static: Wireshark keeps them for the program's life and
 * never frees them (allocated, they would be lost at exit). */
static gboolean check_enabled[array_length(ei)];
static struct {
    char name[48], title[48], description[256];
} check_text[array_length(ei)];

static void register_ei(module_t *module)
{
    expert_module_t *expert = expert_register_protocol(proto_smtpx);
    expert_register_field_array(expert, ei, array_length(ei));
    for (size_t i = 0; i < array_length(ei); i++) {
        const char *abbrev = ei[i].eiinfo.name;
        if (!g_str_has_prefix(abbrev, "smtpx.analysis."))
            continue;
        check_enabled[i] = TRUE;
        const char *name = abbrev + strlen("smtpx.analysis.");
        g_snprintf(check_text[i].name, sizeof check_text[i].name, "check_%s", name);
        g_snprintf(check_text[i].title, sizeof check_text[i].title, "Check %s", name);
        g_snprintf(check_text[i].description, sizeof check_text[i].description, "Report %s: %s", abbrev,
                   ei[i].eiinfo.summary);
        prefs_register_bool_preference(module, check_text[i].name, check_text[i].title, check_text[i].description,
                                       &check_enabled[i]);
    }
}

const char *smtpx_finding_name(const expert_field *field)
{
    for (size_t i = 0; i < array_length(ei); i++) {
        if (ei[i].ids == field)
            return ei[i].eiinfo.name;
    }
    return "smtpx.analysis";
}

gboolean smtpx_check_enabled(const expert_field *field)
{
    for (size_t i = 0; i < array_length(ei); i++) {
        if (ei[i].ids == field)
            return check_enabled[i] || !g_str_has_prefix(ei[i].eiinfo.name, "smtpx.analysis.");
    }
    return TRUE;
}

void smtpx_register_fields(module_t *module)
{
    register_hf();
    register_ett();
    register_ei(module);
}
