/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Teaching notes: the phase of the session and, in plain words, what each
 * command asks for and what each reply means. All the text is in the
 * tables below, so a teacher can correct a note in one place. */
#include "smtpx.h"
#include "smtp_codes.h"

gboolean smtpx_pref_teaching_notes = TRUE;

/* The phases of an SMTP session as the lecture slides name them. */
static const char *const phase_names[] = {
    [SMTPX_PHASE_CONNECTION] = "connection establishment",
    [SMTPX_PHASE_HELLO] = "greeting and EHLO",
    [SMTPX_PHASE_AUTH] = "authentication",
    [SMTPX_PHASE_ENVELOPE] = "mail transaction: envelope",
    [SMTPX_PHASE_MESSAGE] = "mail transaction: message transfer",
    [SMTPX_PHASE_TERMINATION] = "connection termination",
    [SMTPX_PHASE_ANY] = "any time in the session",
};

typedef struct {
    guint16 kind;          /* smtp_cmd_t or SMTPX_KIND_* */
    smtpx_phase_t phase;
    const char *note;
} smtpx_command_note_t;

static const smtpx_command_note_t command_notes[] = {
    { SMTP_CMD_HELO, SMTPX_PHASE_HELLO, "HELO: the client gives its host name and starts the session (no extensions)" },
    { SMTP_CMD_EHLO, SMTPX_PHASE_HELLO, "EHLO: the client gives its host name and asks which extensions (ESMTP) the server offers" },
    { SMTP_CMD_LHLO, SMTPX_PHASE_HELLO, "LHLO: the EHLO of LMTP (RFC 2033), spoken on the last hop into the mailbox store; unlike SMTP, the server answers the end of each message once per accepted recipient" },
    { SMTP_CMD_STARTTLS, SMTPX_PHASE_HELLO, "STARTTLS: the client asks to encrypt the connection with TLS from now on" },
    { SMTP_CMD_X_ANONYMOUSTLS, SMTPX_PHASE_HELLO, "X-ANONYMOUSTLS: Exchange's STARTTLS between its servers: the connection is encrypted from the 220 on" },
    { SMTP_CMD_AUTH, SMTPX_PHASE_AUTH, "AUTH: the client starts to log in with a SASL mechanism; with PLAIN and LOGIN the user name and password travel in base64, an encoding, not encryption (CRAM-MD5 and SCRAM send only a proof of the password)" },
    { SMTPX_KIND_AUTH_STEP, SMTPX_PHASE_AUTH, "Answer to the server's 334 challenge, in base64 (decode it to read it)" },
    { SMTP_CMD_MAIL, SMTPX_PHASE_ENVELOPE, "MAIL FROM: starts a new message and gives the envelope sender, where bounces go; it need not match the From: header" },
    { SMTP_CMD_RCPT, SMTPX_PHASE_ENVELOPE, "RCPT TO: adds one envelope recipient; one RCPT per recipient" },
    { SMTP_CMD_DATA, SMTPX_PHASE_MESSAGE, "DATA: the client asks to send the message (headers, empty line, body)" },
    { SMTP_CMD_BDAT, SMTPX_PHASE_MESSAGE, "BDAT: the client sends a chunk of the message of exactly the given size; LAST marks the end" },
    { SMTPX_KIND_DATA_LINES, SMTPX_PHASE_MESSAGE, "Lines of the message itself: first the headers (From:, To:, Subject:...), then an empty line, then the body" },
    { SMTPX_KIND_BDAT_CHUNK, SMTPX_PHASE_MESSAGE, "Bytes of the message, exactly as many as BDAT announced: unlike DATA, no dot-stuffing and no \".\" line at the end" },
    { SMTPX_KIND_TRACE, SMTPX_PHASE_MESSAGE, "Received: each server on the way adds one on top, so read the path bottom-up; only those added by servers you trust are reliable, the ones below can be forged" },
    { SMTPX_KIND_AUTHRES, SMTPX_PHASE_MESSAGE, "Authentication-Results: how a receiving server judged the sender by SPF (the sending host), DKIM (a signature) and DMARC (the From domain); only your own server's is trustworthy" },
    { SMTPX_KIND_DKIM, SMTPX_PHASE_MESSAGE, "DKIM: the signer hashed the body (bh=) and signed that hash and some headers with its key; the body hash needs no key, so it is checked here: a match means the body is as signed" },
    { SMTPX_KIND_ARC_RESULTS, SMTPX_PHASE_MESSAGE, "ARC-Authentication-Results i=1: what the first forwarder (a mailing list) found of the sender before changing the message; a server trusting it may accept what now fails DMARC" },
    { SMTPX_KIND_ARC, SMTPX_PHASE_MESSAGE, "ARC: each forwarder adds a set numbered i= (seal, signature, the checks it saw); seal 1 has cv=none, later seals cv=pass; a missing set or cv=fail breaks the chain" },
    { SMTPX_KIND_DSN, SMTPX_PHASE_MESSAGE, "A delivery report (bounce, RFC 3464): a server tells the sender what became of a message, for each recipient an action (failed, delayed, delivered) and a status code" },
    { SMTPX_KIND_ATTACHMENT, SMTPX_PHASE_MESSAGE, "An attachment travels inside the message text as a MIME part (RFC 2045, 2046): a file is sent in base64, four characters for every three bytes, so it grows by a third on the way" },
    { SMTPX_KIND_EOD, SMTPX_PHASE_MESSAGE, "A line holding only \".\" ends the message; the server now accepts or refuses it" },
    { SMTP_CMD_RSET, SMTPX_PHASE_ANY, "RSET: the client cancels the current message (sender, recipients, data)" },
    { SMTP_CMD_NOOP, SMTPX_PHASE_ANY, "NOOP: does nothing; a server still connected answers 250 (keeps the connection alive)" },
    { SMTP_CMD_VRFY, SMTPX_PHASE_ANY, "VRFY: asks whether a user or mailbox exists (most servers do not tell)" },
    { SMTP_CMD_EXPN, SMTPX_PHASE_ANY, "EXPN: asks for the members of a mailing list (most servers refuse)" },
    { SMTP_CMD_HELP, SMTPX_PHASE_ANY, "HELP: asks the server for help text" },
    { SMTP_CMD_QUIT, SMTPX_PHASE_TERMINATION, "QUIT: the client ends the session; the server answers 221 and closes the connection" },
    { SMTP_CMD_XCLIENT, SMTPX_PHASE_HELLO, "XCLIENT (Postfix): a proxy (nginx's mail proxy) names the real client; after 220 the session starts again as that client, so servers allow it only from their own proxies (smtpd_authorized_xclient_hosts)" },
    { SMTP_CMD_XFORWARD, SMTPX_PHASE_ANY, "XFORWARD (Postfix): a content filter passes on the original client's name and address, for the logs of the server it hands the mail back to" },
    { SMTP_CMD_TURN, SMTPX_PHASE_ANY, "TURN (RFC 821): asked the server to swap roles and send its mail to the client; RFC 5321 dropped it (anyone could take another's mail), and most servers answer 502" },
    { SMTP_CMD_SEND, SMTPX_PHASE_ANY, "SEND (RFC 821): delivered to the user's terminal instead of the mailbox; RFC 5321 dropped it, and servers answer 502" },
    { SMTP_CMD_SOML, SMTPX_PHASE_ANY, "SOML (RFC 821): to the user's terminal or else the mailbox; RFC 5321 dropped it, and servers answer 502" },
    { SMTP_CMD_SAML, SMTPX_PHASE_ANY, "SAML (RFC 821): to the user's terminal and the mailbox; RFC 5321 dropped it, and servers answer 502" },
    { SMTPX_KIND_PROXY, SMTPX_PHASE_CONNECTION, "PROXY protocol: a load balancer passes on the real client's address before SMTP begins; the server must expect it (Postfix: smtpd_upstream_proxy_protocol) or it answers 500" },
    { SMTPX_KIND_FOREIGN, SMTPX_PHASE_ANY, "Not SMTP: the server reads these bytes as command lines and answers each with an error, or hangs up" },
    { SMTP_CMD_UNKNOWN, SMTPX_PHASE_ANY, "A command the SMTP standards do not define: the server answers 500 or 502" },
};

typedef struct {
    guint16 code;
    guint16 kind;          /* the request it answers; ANY_REQUEST: whatever it is */
    const char *note;
} smtpx_reply_note_t;

#define ANY_REQUEST 0xffff

/* Replies to a given request first: the first match is used. */
static const smtpx_reply_note_t reply_notes[] = {
    { 220, SMTP_CMD_STARTTLS, "220: the server is ready to start TLS: from the next packet on, the session is encrypted" },
    { 220, SMTP_CMD_X_ANONYMOUSTLS, "220: the server is ready to start TLS: from the next packet on, the session is encrypted" },
    { 250, SMTPX_KIND_EOD, "250: the server accepted the message; it is now responsible for delivering it" },
    { 250, SMTP_CMD_BDAT, "250: the server received the chunk; the client sends the next one, the last with LAST" },
    { 250, SMTP_CMD_EHLO, "250: the server greets the client; the lines after the first list its extensions" },
    { 554, SMTPX_KIND_GREETING, "554: the server refuses this client at once: no mail service for it here (often its address is on a blocklist); it still answers QUIT (RFC 5321 3.1)" },
    { 221, ANY_REQUEST, "221: the server says goodbye and closes the connection" },
    { 211, ANY_REQUEST, "211: system status or help reply" },
    { 214, ANY_REQUEST, "214: help text for a human reader" },
    { 220, ANY_REQUEST, "220: the server is ready: its greeting, naming itself" },
    { 235, ANY_REQUEST, "235: login successful" },
    { 250, ANY_REQUEST, "250: OK, the requested action was done" },
    { 251, ANY_REQUEST, "251: the user is not local; the server will forward the message" },
    { 252, ANY_REQUEST, "252: the server cannot verify the user but will accept the message" },
    { 334, ANY_REQUEST, "334: the server waits for the next part of the login, in base64" },
    { 354, ANY_REQUEST, "354: the server is ready for the message; end it with a line holding only \".\"" },
    { 421, ANY_REQUEST, "421: the service is not available; the server closes the connection (try later)" },
    { 450, ANY_REQUEST, "450: mailbox busy or temporarily unavailable (try later)" },
    { 451, ANY_REQUEST, "451: local error in processing (try later)" },
    { 452, ANY_REQUEST, "452: not enough storage on the server (try later)" },
    { 454, ANY_REQUEST, "454: TLS or login temporarily unavailable (try later)" },
    { 500, ANY_REQUEST, "500: the server could not read the line as a command (a typing error, a line too long, bytes that are not text)" },
    { 501, ANY_REQUEST, "501: syntax error in the parameters (check angle brackets and spelling)" },
    { 502, ANY_REQUEST, "502: the server does not offer this command (RFC 5321 keeps 502 for a known one and 500 for an unknown one, but many servers answer 502 to any)" },
    { 503, ANY_REQUEST, "503: bad sequence of commands (e.g. RCPT before MAIL, MAIL before HELO)" },
    { 504, ANY_REQUEST, "504: that parameter is not implemented" },
    { 530, ANY_REQUEST, "530: authentication (or STARTTLS) is required first" },
    { 535, ANY_REQUEST, "535: login failed: a wrong user name or password, or an answer the server could not read (its text may say which)" },
    { 550, ANY_REQUEST, "550: the action was refused: mailbox unavailable, user unknown, or relaying denied" },
    { 551, ANY_REQUEST, "551: user not local; the server gives another address to try" },
    { 552, ANY_REQUEST, "552: the message is too big or the mailbox is full" },
    { 553, ANY_REQUEST, "553: the mailbox name is not allowed (bad address syntax)" },
    { 554, ANY_REQUEST, "554: transaction failed (e.g. no valid recipients, or rejected as spam)" },
};

/* A reply to an end of data only the server saw (code, frame of the "."). */
static const char taken_end_note[] =
    "%u: the server ended the message at the \".\" of frame %u, though only <CRLF>.<CRLF> ends it (RFC 5321): "
    "it reads what follows as commands, how SMTP smuggling hides another message";

/* A 354 to a DATA whose message came before it (frame of its first line). */
static const char early_message_note[] =
    "354: the server is ready for the message, which the client began to send in frame %u without waiting "
    "for this reply; the server reads those lines as the message";

/* A reply to a line of a refused message sent early (code, frame that sent
 * the line), and a server closing the connection at such a line instead. */
static const char line_reply_note[] =
    "%u: the server refused DATA, but the client had sent the message (from frame %u) without waiting: the "
    "server reads each of its lines as a command, and this reply answers one of them";
static const char line_closing_note[] =
    "%u: the server refused DATA, but the client had sent the message (from frame %u) without waiting: rather "
    "than read its lines as commands, the server closes the connection";

/* Added to a reply to the end of a message that is for one recipient (LMTP). */
static const char lmtp_note[] =
    "an LMTP server answers the end of a message once per accepted recipient, in RCPT order (RFC 2033)";

/* Generic meaning of a reply's first digit when the code has no note. */
static const char *const first_digit_notes[] = {
    [2] = "the action succeeded",
    [3] = "the server waits for more input",
    [4] = "temporary failure: the client may try again later",
    [5] = "permanent failure: the client must not retry as is",
};

static const smtpx_command_note_t *command_note(guint16 kind)
{
    for (size_t i = 0; i < G_N_ELEMENTS(command_notes); i++) {
        if (command_notes[i].kind == kind)
            return &command_notes[i];
    }
    return NULL;
}

static smtpx_phase_t phase_of(guint16 kind)
{
    const smtpx_command_note_t *n = command_note(kind);
    return n ? n->phase : SMTPX_PHASE_ANY;
}

/* Whether a note would be real: a tree shown, or a filter on notes (no table
 * look-up for a tree nobody shows). */
static gboolean notes_wanted(proto_tree *tree)
{
    return smtpx_pref_teaching_notes && (proto_field_is_referenced(tree, hf_smtpx_note) ||
                                         proto_field_is_referenced(tree, hf_smtpx_note_phase));
}

static void add_note(smtpx_ctx_t *ctx, proto_tree *tree, smtpx_phase_t phase, const char *text)
{
    proto_item *pi = proto_tree_add_string_format_value(tree, hf_smtpx_note, ctx->tvb, 0, 0, text,
                                                        "[%s] %s", phase_names[phase], text);
    proto_item_set_generated(pi);
    /* hidden: the note's text already starts with the phase */
    smtpx_set_generated_hidden(proto_tree_add_string(tree, hf_smtpx_note_phase, ctx->tvb, 0, 0, phase_names[phase]));
}

void smtpx_note_request(smtpx_ctx_t *ctx, proto_tree *tree, guint16 kind)
{
    if (!notes_wanted(tree))
        return;
    const smtpx_command_note_t *n = command_note(kind);
    if (n && smtp_cmd_is_hello((smtp_cmd_t)kind) && ctx->st->mail_rec)     /* (STARTTLS, of the same phase, does not) */
        add_note(ctx, tree, n->phase, wmem_strdup_printf(ctx->pinfo->pool, "%s; mid-transaction it also cancels "
                                                         "the transaction, as RSET does (RFC 5321 4.1.4)", n->note));
    else if (n)
        add_note(ctx, tree, n->phase, n->note);
    else
        add_note(ctx, tree, SMTPX_PHASE_ANY, "A command of an SMTP extension or a vendor (see its RFC)");
}

/* The meaning of a reply to rec (NULL: none known), or of the greeting. */
static const char *reply_meaning(smtpx_ctx_t *ctx, unsigned code, const smtpx_cmd_rec_t *rec, gboolean greeting)
{
    /* the reply to the LAST chunk is the server's answer to the whole message; LHLO's is EHLO's */
    guint16 kind = greeting ? SMTPX_KIND_GREETING : !rec ? SMTP_CMD_UNKNOWN
                 : smtpx_rec_ends_message(rec) ? SMTPX_KIND_EOD : rec->kind;
    kind = kind == SMTP_CMD_LHLO ? SMTP_CMD_EHLO : kind;

    if (rec && rec->early_taken)
        return wmem_strdup_printf(ctx->pinfo->pool, taken_end_note, code, rec->req_frame);
    if (rec && code == 354 && smtpx_rec_sent_early(rec))
        return wmem_strdup_printf(ctx->pinfo->pool, early_message_note, rec->msg->id);
    for (size_t i = 0; i < G_N_ELEMENTS(reply_notes); i++) {
        if (reply_notes[i].code == code && (reply_notes[i].kind == ANY_REQUEST || reply_notes[i].kind == kind))
            return reply_notes[i].note;
    }
    unsigned digit = code / 100;
    const char *generic = digit < G_N_ELEMENTS(first_digit_notes) ? first_digit_notes[digit] : NULL;
    return wmem_strdup_printf(ctx->pinfo->pool, "%u: %s", code,
                              generic ? generic : "a code the standards do not define");
}

void smtpx_note_line_reply(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, guint32 frame)
{
    if (notes_wanted(tree))
        add_note(ctx, tree, SMTPX_PHASE_MESSAGE,
                 wmem_strdup_printf(ctx->pinfo->pool, smtp_reply_closes(code) ? line_closing_note : line_reply_note,
                                    code, frame));
}

void smtpx_note_reply(smtpx_ctx_t *ctx, proto_tree *tree, unsigned code, const smtpx_cmd_rec_t *rec,
                      gboolean greeting)
{
    if (!notes_wanted(tree))
        return;
    smtpx_phase_t phase = greeting ? SMTPX_PHASE_CONNECTION : rec ? phase_of(rec->kind) : SMTPX_PHASE_ANY;
    const char *meaning = reply_meaning(ctx, code, rec, greeting);
    if (rec && smtpx_rec_for_recipient(rec))
        meaning = code == 250 ? wmem_strdup_printf(ctx->pinfo->pool, "250 for %s: the message is stored in that "
                                                   "recipient's mailbox; %s", rec->arg, lmtp_note)
                              : wmem_strdup_printf(ctx->pinfo->pool, "%s; for %s only: %s", meaning, rec->arg,
                                                   lmtp_note);
    add_note(ctx, tree, phase, meaning);
}
