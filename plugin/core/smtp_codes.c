/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP reply codes, enhanced status codes and EHLO extension keywords.
 * Descriptions are written for this project from the RFCs and the IANA
 * registries they create. */
#include "smtp_codes.h"
#include "smtp_grammar.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* ---- Basic reply codes ------------------------------------------------- */

/* Sorted by value. Where several RFCs give one code different meanings,
 * the text names them all, most common first. */
const smtp_code_name_t smtp_reply_codes[] = {
    { 211, "System status, or system help reply" },
    { 214, "Help message" },
    { 220, "Service ready" },
    { 221, "Service closing transmission channel" },
    { 235, "Authentication successful" },                           /* RFC 4954 */
    { 250, "Requested mail action okay, completed" },
    /* 251/252 also carry ETRN results (RFC 1985) */
    { 251, "User not local; will forward" },
    { 252, "Cannot VRFY user, but will accept message and attempt delivery" },
    { 253, "Pending messages for node started" },                   /* RFC 1985 */
    { 334, "Authentication challenge (continue)" },                 /* RFC 4954 */
    { 354, "Start mail input; end with <CRLF>.<CRLF>" },
    { 421, "Service not available, closing transmission channel" },
    { 432, "A password transition is needed" },                     /* RFC 4954 */
    { 450, "Requested mail action not taken: mailbox unavailable" },
    { 451, "Requested action aborted: local error in processing" },
    { 452, "Requested action not taken: insufficient system storage" },
    { 453, "You have no mail" },                                    /* RFC 2645 */
    /* RFC 3207 and RFC 4954 */
    { 454, "TLS not available due to temporary reason, or temporary authentication failure" },
    { 455, "Server unable to accommodate parameters" },
    { 458, "Unable to queue messages for node" },                   /* RFC 1985 */
    { 459, "Node not allowed" },                                    /* RFC 1985 */
    /* RFC 4954 also uses 500 for an over-long authentication line */
    { 500, "Syntax error, command unrecognized" },
    { 501, "Syntax error in parameters or arguments" },
    { 502, "Command not implemented" },
    { 503, "Bad sequence of commands" },
    { 504, "Command parameter not implemented" },
    { 521, "Host does not accept mail" },                           /* RFC 7504 */
    /* RFC 4954 and RFC 3207 */
    { 530, "Authentication required, or must issue a STARTTLS command first" },
    { 534, "Authentication mechanism is too weak" },                /* RFC 4954 */
    { 535, "Authentication credentials invalid" },                  /* RFC 4954 */
    { 538, "Encryption required for requested authentication mechanism" }, /* RFC 4954 */
    { 550, "Requested action not taken: mailbox unavailable" },
    { 551, "User not local; please try <forward-path>" },
    { 552, "Requested mail action aborted: exceeded storage allocation" },
    { 553, "Requested action not taken: mailbox name not allowed" },
    { 554, "Transaction failed (or no SMTP service here)" },
    { 555, "MAIL FROM/RCPT TO parameters not recognized or not implemented" },
    { 556, "Domain does not accept mail" },                         /* RFC 7504 */
    { 0, NULL }
};

const smtp_code_name_t smtp_reply_first_digits[] = {
    { 1, "Positive preliminary" },
    { 2, "Positive completion" },
    { 3, "Positive intermediate" },
    { 4, "Transient negative completion" },
    { 5, "Permanent negative completion" },
    { 0, NULL }
};

const smtp_code_name_t smtp_reply_second_digits[] = {
    { 0, "Syntax" },
    { 1, "Information" },
    { 2, "Connections" },
    { 3, "Unspecified" },
    { 4, "Unspecified" },
    { 5, "Mail system" },
    { 0, NULL }
};

static const char *table_lookup(const smtp_code_name_t *table, unsigned value)
{
    for (const smtp_code_name_t *e = table; e->name != NULL; e++) {
        if (e->value == value) {
            return e->name;
        }
    }
    return NULL;
}

const char *smtp_reply_code_text(unsigned code)
{
    return table_lookup(smtp_reply_codes, code);
}

const char *smtp_reply_first_digit_text(unsigned digit)
{
    return table_lookup(smtp_reply_first_digits, digit);
}

const char *smtp_reply_second_digit_text(unsigned digit)
{
    return table_lookup(smtp_reply_second_digits, digit);
}

/* ---- Enhanced status codes ---------------------------------------------- */

const smtp_code_name_t smtp_enh_classes[] = {
    { 2, "Success" },
    { 4, "Persistent transient failure" },
    { 5, "Permanent failure" },
    { 0, NULL }
};

const smtp_code_name_t smtp_enh_subjects[] = {
    { 0, "Other or undefined status" },
    { 1, "Addressing status" },
    { 2, "Mailbox status" },
    { 3, "Mail system status" },
    { 4, "Network and routing status" },
    { 5, "Mail delivery protocol status" },
    { 6, "Message content or media status" },
    { 7, "Security or policy status" },
    { 0, NULL }
};

const char *smtp_enh_class_text(unsigned cls)
{
    return table_lookup(smtp_enh_classes, cls);
}

const char *smtp_enh_subject_text(unsigned subject)
{
    return table_lookup(smtp_enh_subjects, subject);
}

typedef struct {
    uint8_t subject;
    uint8_t detail;
    const char *text;
} enh_code_t;

/* IANA "SMTP Enhanced Status Codes" registry, enumerated codes, sorted by
 * (subject, detail). Unattributed entries are from RFC 3463. */
static const enh_code_t enh_codes[] = {
    { 0, 0, "Other undefined status" },

    { 1, 0, "Other address status" },
    { 1, 1, "Bad destination mailbox address" },
    { 1, 2, "Bad destination system address" },
    { 1, 3, "Bad destination mailbox address syntax" },
    { 1, 4, "Destination mailbox address ambiguous" },
    { 1, 5, "Destination address valid" },
    { 1, 6, "Destination mailbox has moved, no forwarding address" },
    { 1, 7, "Bad sender's mailbox address syntax" },
    { 1, 8, "Bad sender's system address" },
    { 1, 9, "Message relayed to non-compliant mailer" },            /* RFC 3886 */
    { 1, 10, "Recipient address has null MX" },                     /* RFC 7505 */

    { 2, 0, "Other or undefined mailbox status" },
    { 2, 1, "Mailbox disabled, not accepting messages" },
    { 2, 2, "Mailbox full" },
    { 2, 3, "Message length exceeds administrative limit" },
    { 2, 4, "Mailing list expansion problem" },

    { 3, 0, "Other or undefined mail system status" },
    { 3, 1, "Mail system full" },
    { 3, 2, "System not accepting network messages" },
    { 3, 3, "System not capable of selected features" },
    { 3, 4, "Message too big for system" },
    { 3, 5, "System incorrectly configured" },
    { 3, 6, "Requested priority was changed" },                     /* RFC 6710 */

    { 4, 0, "Other or undefined network or routing status" },
    { 4, 1, "No answer from host" },
    { 4, 2, "Bad connection" },
    { 4, 3, "Directory server failure" },
    { 4, 4, "Unable to route" },
    { 4, 5, "Mail system congestion" },
    { 4, 6, "Routing loop detected" },
    { 4, 7, "Delivery time expired" },

    { 5, 0, "Other or undefined protocol status" },
    { 5, 1, "Invalid command" },
    { 5, 2, "Syntax error" },
    { 5, 3, "Too many recipients" },
    { 5, 4, "Invalid command arguments" },
    { 5, 5, "Wrong protocol version" },
    { 5, 6, "Authentication Exchange line is too long" },           /* RFC 4954 */

    { 6, 0, "Other or undefined media error" },
    { 6, 1, "Media not supported" },
    { 6, 2, "Conversion required and prohibited" },
    { 6, 3, "Conversion required but not supported" },
    { 6, 4, "Conversion with loss performed" },
    { 6, 5, "Conversion failed" },
    { 6, 6, "Message content not available" },                      /* RFC 4468 */
    /* SMTPUTF8 / EAI (RFC 5336, updated by RFC 6531) */
    { 6, 7, "Non-ASCII addresses not permitted for that sender/recipient" },
    { 6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client" },
    { 6, 9, "UTF-8 header message cannot be transferred to one or more recipients, "
            "so the message must be rejected" },
    { 6, 10, "UTF-8 string reply is required, but not permitted by the SMTP client "
             "(deprecated duplicate of X.6.8)" },

    { 7, 0, "Other or undefined security status" },
    { 7, 1, "Delivery not authorized, message refused" },
    { 7, 2, "Mailing list expansion prohibited" },
    { 7, 3, "Security conversion required but not possible" },
    { 7, 4, "Security features not supported" },
    { 7, 5, "Cryptographic failure" },
    { 7, 6, "Cryptographic algorithm not supported" },
    { 7, 7, "Message integrity failure" },
    { 7, 8, "Authentication credentials invalid" },                 /* RFC 4954 */
    { 7, 9, "Authentication mechanism is too weak" },               /* RFC 4954 */
    { 7, 10, "Encryption Needed" },                                 /* RFC 5248 */
    { 7, 11, "Encryption required for requested authentication mechanism" }, /* RFC 4954 */
    { 7, 12, "A password transition is needed" },                   /* RFC 4954 */
    { 7, 13, "User Account Disabled" },                             /* RFC 5248 */
    { 7, 14, "Trust relationship required" },                       /* RFC 5248 */
    { 7, 15, "Priority Level is too low" },                         /* RFC 6710 */
    { 7, 16, "Message is too big for the specified priority" },     /* RFC 6710 */
    { 7, 17, "Mailbox owner has changed" },                         /* RFC 7293 */
    { 7, 18, "Domain owner has changed" },                          /* RFC 7293 */
    { 7, 19, "RRVS test cannot be completed" },                     /* RFC 7293 */
    { 7, 20, "No passing DKIM signature found" },                   /* RFC 7372 */
    { 7, 21, "No acceptable DKIM signature found" },                /* RFC 7372 */
    { 7, 22, "No valid author-matched DKIM signature found" },      /* RFC 7372 */
    { 7, 23, "SPF validation failed" },                             /* RFC 7372 */
    { 7, 24, "SPF validation error" },                              /* RFC 7372 */
    { 7, 25, "Reverse DNS validation failed" },                     /* RFC 7372 */
    { 7, 26, "Multiple authentication checks failed" },             /* RFC 7372 */
    { 7, 27, "Sender address has null MX" },                        /* RFC 7505 */
    { 7, 28, "Mail flood detected" },
    { 7, 29, "ARC validation failure" },                            /* RFC 8617 */
    { 7, 30, "REQUIRETLS support required" },                       /* RFC 8689 */
};

const char *smtp_enh_code_text(unsigned subject, unsigned detail)
{
    for (size_t i = 0; i < sizeof enh_codes / sizeof enh_codes[0]; i++) {
        if (enh_codes[i].subject == subject && enh_codes[i].detail == detail) {
            return enh_codes[i].text;
        }
    }
    return NULL;
}

/* ---- EHLO service extensions ------------------------------------------- */

/* IANA "SMTP Service Extensions" keywords plus common vendor extensions,
 * sorted by keyword. */
static const smtp_ehlo_ext_t ehlo_exts[] = {
    { "8BITMIME", "8-bit MIME transport", "RFC 6152" },
    { "ATRN", "Authenticated TURN (on-demand mail relay)", "RFC 2645" },
    { "AUTH", "SMTP authentication (SASL)", "RFC 4954" },
    { "BINARYMIME", "Binary MIME message bodies", "RFC 3030" },
    { "BURL", "Message assembly from a URL reference", "RFC 4468" },
    { "CHECKPOINT", "Checkpoint/restart of interrupted transactions", "RFC 1845" },
    { "CHUNKING", "Message transmission in chunks (BDAT)", "RFC 3030" },
    { "CLIENTID", "Client identification", "draft-storey-smtp-client-id" },
    { "CONNEG", "Content negotiation", "RFC 4141" },
    { "CONPERM", "Content conversion permission", "RFC 4141" },
    { "DELIVERBY", "Delivery deadline (deliver by)", "RFC 2852" },
    { "DSN", "Delivery status notifications", "RFC 3461" },
    { "ENHANCEDSTATUSCODES", "Enhanced status codes in replies", "RFC 2034" },
    { "ETRN", "Remote message queue starting (extended TURN)", "RFC 1985" },
    { "EXPN", "Expand mailing list", "RFC 5321" },
    { "FUTURERELEASE", "Future message release (hold for delivery)", "RFC 4865" },
    { "HELP", "Help information", "RFC 5321" },
    { "LIMITS", "Server limits advertisement", "RFC 9422" },
    { "MT-PRIORITY", "Message transfer priority", "RFC 6710" },
    { "MTRK", "Message tracking", "RFC 3885" },
    { "NO-SOLICITING", "No soliciting", "RFC 3865" },
    { "ONEX", "One message transaction only", "Sendmail" },
    { "PIPELINING", "Command pipelining", "RFC 2920" },
    { "REQUIRETLS", "Require TLS for the whole delivery path", "RFC 8689" },
    { "RRVS", "Require recipient valid since", "RFC 7293" },
    { "SAML", "Send to terminal and mailbox", "RFC 821" },
    { "SEND", "Send to terminal", "RFC 821" },
    { "SIZE", "Message size declaration", "RFC 1870" },
    { "SMTPUTF8", "Internationalized email addresses and headers", "RFC 6531" },
    { "SOML", "Send to terminal or mailbox", "RFC 821" },
    { "STARTTLS", "Upgrade to TLS", "RFC 3207" },
    { "SUBMITTER", "Responsible submitter", "RFC 4405" },
    { "TURN", "Reverse client and server roles", "RFC 821" },
    { "UTF8SMTP", "Internationalized email (experimental, superseded by SMTPUTF8)",
      "RFC 5336" },
    { "VERB", "Verbose mode", "Sendmail" },
    { "VRFY", "Verify user or mailbox name", "RFC 5321" },
    { "X-ADAT", "Exchange authentication data", "Microsoft Exchange" },
    { "X-ANONYMOUSTLS", "Exchange anonymous TLS between servers", "Microsoft Exchange" },
    { "X-DRCP", "Exchange proprietary extension (DRCP)", "Microsoft Exchange" },
    { "X-ERCP", "Exchange proprietary extension (ERCP)", "Microsoft Exchange" },
    { "X-EXCH50", "Exchange message properties transfer", "Microsoft Exchange" },
    { "X-EXPS", "Exchange server-to-server authentication", "Microsoft Exchange" },
    { "X-LINK2STATE", "Exchange link state routing updates", "Microsoft Exchange" },
    { "X-RCPTLIMIT", "Recipient limit per message", "Microsoft Exchange" },
    { "X-TURNME", "Request role reversal (TURNME)", "Microsoft Exchange" },
    { "XCLIENT", "Override client connection attributes", "Postfix" },
    { "XEXCH50", "Exchange message properties transfer", "Microsoft Exchange" },
    { "XFORWARD", "Forward original client attributes", "Postfix" },
    { "XUSR", "Initial user submission", "Sendmail" },
    { "XVERP", "Variable envelope return paths", "Postfix" },
};

const smtp_ehlo_ext_t *smtp_ehlo_ext_lookup(const char *kw, size_t len)
{
    if (kw == NULL || len == 0) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof ehlo_exts / sizeof ehlo_exts[0]; i++) {
        if (smtp_token_is(kw, len, ehlo_exts[i].keyword)) {
            return &ehlo_exts[i];
        }
    }
    return NULL;
}

/* ---- Why a server refuses ------------------------------------------------ */

enum {
    R_GREYLIST, R_UNKNOWN_DOMAIN, R_UNKNOWN_USER, R_MAILBOX_FULL, R_RELAY, R_BLOCKLIST, R_RDNS, R_SPF, R_DKIM,
    R_DMARC, R_TLS, R_AUTH, R_PIPELINING, R_LIMIT, R_SIZE, R_CONTENT
};

static const smtp_reason_t reasons[] = {
    [R_GREYLIST] = { "greylisting", "the server turns away the first attempt of an unknown sender on purpose; a "
                     "real mail server tries again later, most spam software does not" },
    [R_UNKNOWN_DOMAIN] = { "unknown domain", "the address's domain does not exist in the DNS (for a sender: no "
                           "bounce could ever reach it)" },
    [R_UNKNOWN_USER] = { "unknown recipient", "no mailbox of that name exists on the server" },
    [R_MAILBOX_FULL] = { "mailbox full", "the recipient's mailbox has no room left (quota)" },
    [R_RELAY] = { "relay denied", "the server passes on mail to other domains only for clients that logged in: "
                  "it is not an open relay" },
    [R_BLOCKLIST] = { "blocklist", "the client's address is on a DNS blocklist (DNSBL) that the server consults "
                      "before it takes mail" },
    [R_RDNS] = { "reverse DNS", "the client's address has no host name in the DNS (PTR record), or one that does "
                 "not lead back to it, and the server requires one" },
    [R_SPF] = { "SPF", "the envelope sender's domain does not allow the client's address to send its mail "
                "(SPF, RFC 7208)" },
    [R_DKIM] = { "DKIM", "the message has no valid DKIM signature (RFC 6376)" },
    [R_DMARC] = { "DMARC", "the message fails the DMARC policy of its From domain (RFC 7489)" },
    [R_TLS] = { "TLS required", "the server takes this only over TLS: the client must send STARTTLS first" },
    [R_AUTH] = { "authentication required", "the server takes this only from a client that logged in (AUTH), "
                 "as a submission server does" },
    [R_PIPELINING] = { "pipelining", "the client sent commands without waiting for the replies, which the server "
                       "does not allow" },
    [R_LIMIT] = { "limit reached", "the client went over a limit of the server (recipients, messages, "
                  "connections, or how fast it sends); later, or with less, it may pass" },
    [R_SIZE] = { "message too big", "the message is larger than the server takes" },
    [R_CONTENT] = { "spam or virus filter", "the server's filters took the message, or the client, for spam or "
                    "for a virus" },
};

#define WORD 1          /* the words stand alone: "SPF", not inside another word */
#define NAME_FOLLOWS 2  /* a blocklist's name follows the words */
#define PRODUCT 4       /* the words stand alone, and not in a host name ("exim.example.org") */

/* Most specific first: "Recipient address rejected: User unknown" is an
 * unknown recipient even if the server also names a blocklist. */
static const struct {
    const char *words;      /* lower case */
    unsigned char reason, flags;
} reason_words[] = {
    { "greylist", R_GREYLIST, 0 }, { "graylist", R_GREYLIST, 0 }, { "grey-list", R_GREYLIST, 0 },
    { "domain not found", R_UNKNOWN_DOMAIN, 0 }, { "domain of sender address", R_UNKNOWN_DOMAIN, 0 },
    { "user unknown", R_UNKNOWN_USER, 0 }, { "unknown user", R_UNKNOWN_USER, 0 },
    { "no such user", R_UNKNOWN_USER, 0 }, { "unknown recipient", R_UNKNOWN_USER, 0 },
    { "recipient not found", R_UNKNOWN_USER, 0 }, { "mailbox not found", R_UNKNOWN_USER, 0 },
    { "user does not exist", R_UNKNOWN_USER, 0 }, { "user doesn't exist", R_UNKNOWN_USER, 0 },
    { "mailbox does not exist", R_UNKNOWN_USER, 0 },
    { "sending quota", R_LIMIT, 0 }, { "sending limit", R_LIMIT, 0 },     /* the client's own, as Gmail's 5.4.5 */
    { "quota", R_MAILBOX_FULL, 0 }, { "mailbox full", R_MAILBOX_FULL, 0 }, { "mailbox is full", R_MAILBOX_FULL, 0 },
    { "relay access denied", R_RELAY, 0 }, { "relaying denied", R_RELAY, 0 }, { "relay not permitted", R_RELAY, 0 },
    { "unable to relay", R_RELAY, 0 }, { "relaying not allowed", R_RELAY, 0 }, { "relay denied", R_RELAY, 0 },
    { "blocked using", R_BLOCKLIST, NAME_FOLLOWS }, { "black list at", R_BLOCKLIST, NAME_FOLLOWS },
    { "blacklisted at", R_BLOCKLIST, NAME_FOLLOWS }, { "listed at", R_BLOCKLIST, NAME_FOLLOWS },
    { "blocklist", R_BLOCKLIST, 0 }, { "blacklist", R_BLOCKLIST, 0 }, { "black list", R_BLOCKLIST, 0 },
    { "dnsbl", R_BLOCKLIST, 0 }, { "rbl", R_BLOCKLIST, WORD }, { "spamhaus", R_BLOCKLIST, 0 },
    { "spamcop", R_BLOCKLIST, 0 },
    { "cannot find your hostname", R_RDNS, 0 }, { "cannot find your reverse hostname", R_RDNS, 0 },
    { "reverse dns", R_RDNS, 0 }, { "reverse hostname", R_RDNS, 0 }, { "ptr record", R_RDNS, 0 },
    { "rdns", R_RDNS, WORD },
    { "spf", R_SPF, WORD }, { "dmarc", R_DMARC, WORD }, { "dkim", R_DKIM, WORD },
    { "must issue a starttls", R_TLS, 0 }, { "starttls first", R_TLS, 0 }, { "tls required", R_TLS, 0 },
    { "requires tls", R_TLS, 0 }, { "encryption required", R_TLS, 0 },
    { "authentication required", R_AUTH, 0 }, { "authentication is required", R_AUTH, 0 },
    { "must authenticate", R_AUTH, 0 }, { "must be authenticated", R_AUTH, 0 }, { "not logged in", R_AUTH, 0 },
    { "protocol synchronization", R_PIPELINING, 0 }, { "command pipelining", R_PIPELINING, 0 },
    { "too many", R_LIMIT, 0 }, { "rate limit", R_LIMIT, 0 }, { "ratelimit", R_LIMIT, 0 },
    { "throttl", R_LIMIT, 0 },
    { "size exceeds", R_SIZE, 0 }, { "exceeds size", R_SIZE, 0 }, { "message too big", R_SIZE, 0 },
    { "too large", R_SIZE, 0 },
    { "spam", R_CONTENT, WORD }, { "virus", R_CONTENT, 0 }, { "malware", R_CONTENT, 0 },
    { "content rejected", R_CONTENT, 0 },
};

bool smtp_ehlo_masked(const char *kw, size_t len)
{
    if (len < 4)
        return false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (kw[i] != 'X')
            return false;
    }
    return smtp_is_alnum(kw[len - 1]);
}

bool smtp_greeting_masked(const char *text, size_t len)
{
    size_t stars = 0;

    for (size_t i = 0; i < len; i++) {
        if (text[i] == '*')
            stars++;
        else if (!strchr("20 \t", text[i]) || text[i] == '\0')
            return false;
    }
    return stars >= 8;
}

/* Does c join the words to what stands beside them? */
static bool joins(char c, unsigned flags)
{
    return smtp_is_alnum(c) || ((flags & PRODUCT) && c == '.');
}

/* Where the words stand in text (len if nowhere); WORD, PRODUCT: alone. */
static size_t find_words(const char *text, size_t len, const char *words, unsigned flags)
{
    size_t n = strlen(words);

    for (size_t at = smtp_find_nocase(text, len, 0, words); at < len;
         at = smtp_find_nocase(text, len, at + 1, words)) {
        if (!(flags & (WORD | PRODUCT)) ||
            ((at == 0 || !joins(text[at - 1], flags)) && (at + n == len || !joins(text[at + n], flags))))
            return at;
    }
    return len;
}

/* A blocklist's name after the words that end at `from`: "zen.spamhaus.org". */
static void list_name(const char *text, size_t len, size_t from, smtp_reason_match_t *m)
{
    while (from < len && text[from] == ' ')
        from++;
    size_t end = from;
    while (end < len && (smtp_is_alnum(text[end]) || text[end] == '.' || text[end] == '-'))
        end++;
    while (end > from && text[end - 1] == '.')      /* "zen.spamhaus.org." ends a sentence */
        end--;
    m->list_off = from;
    m->list_len = end - from;
}

bool smtp_reply_reason(const char *text, size_t len, smtp_reason_match_t *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < sizeof reason_words / sizeof reason_words[0]; i++) {
        size_t at = find_words(text, len, reason_words[i].words, reason_words[i].flags);
        if (at == len)
            continue;
        m->reason = &reasons[reason_words[i].reason];
        m->off = at;
        m->len = strlen(reason_words[i].words);
        if (reason_words[i].flags & NAME_FOLLOWS)
            list_name(text, len, at + m->len, m);
        return true;
    }
    return false;
}

/* ---- The server software a greeting names ----------------------------- */

/* The words as servers write them by default, most specific first. */
static const struct {
    const char *words;      /* lower case */
    const char *product;
} software_words[] = {
    { "microsoft esmtp mail service, version:", "Microsoft IIS SMTP" },
    { "microsoft esmtp mail service", "Microsoft Exchange" },
    { "postfix", "Postfix" }, { "exim", "Exim" }, { "sendmail", "Sendmail" }, { "opensmtpd", "OpenSMTPD" },
    { "dovecot", "Dovecot" }, { "python smtp", "Python aiosmtpd" }, { "gsmtp", "Gmail" },
    { "simpleemailservice", "Amazon SES" }, { "haraka", "Haraka" }, { "mdaemon", "MDaemon" },
    { "hmailserver", "hMailServer" }, { "kerio connect", "Kerio Connect" }, { "icewarp", "IceWarp" },
    { "axigen", "Axigen" }, { "communigate pro", "CommuniGate Pro" }, { "lotus domino release", "Lotus Domino" },
    { "mailenable", "MailEnable" }, { "messaging server", "Sun/Oracle Messaging Server" },
    { "james smtp server", "Apache James" }, { "greenmail smtp service", "GreenMail" }, { "mailhog", "MailHog" },
    { "mailpit", "Mailpit" }, { "smtp4dev", "smtp4dev" }, { "stalwart", "Stalwart" }, { "coremail", "Coremail" },
    { "xmail", "XMail" }, { "qmail", "qmail" }, { "courier", "Courier" },
};

#define VERSION_MAX 32

static bool in_version(char c)
{
    return smtp_is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '+';
}

/* A version right after the product's words: "Exim 4.96", "Haraka/2.8.25",
 * "Postfix (3.7.11)", "GreenMail SMTP Service v1.6.15"; not in "Postfix
 * (Debian/GNU)". */
static void find_version(const char *text, size_t len, size_t from, smtp_software_t *sw)
{
    size_t at = from;

    while (at < len && at < from + 2 && (text[at] == ' ' || text[at] == '/' || text[at] == '('))
        at++;
    if (at + 1 < len && (text[at] == 'v' || text[at] == 'V') && text[at + 1] >= '0' && text[at + 1] <= '9')
        at++;
    if (at >= len || text[at] < '0' || text[at] > '9')
        return;
    size_t end = at;
    while (end < len && end - at < VERSION_MAX && in_version(text[end]))
        end++;
    while (end > at && (text[end - 1] == '.' || text[end - 1] == '-'))   /* "4.96." ends a sentence */
        end--;
    sw->version_off = at;
    sw->version_len = end - at;
}

bool smtp_greeting_software(const char *text, size_t len, smtp_software_t *sw)
{
    size_t skip = 0;

    memset(sw, 0, sizeof *sw);
    while (skip < len && text[skip] != ' ')     /* the host name */
        skip++;
    for (size_t i = 0; i < sizeof software_words / sizeof software_words[0]; i++) {
        size_t at = skip + find_words(text + skip, len - skip, software_words[i].words, PRODUCT);
        if (at == len)
            continue;
        sw->product = software_words[i].product;
        sw->off = at;
        sw->len = strlen(software_words[i].words);
        find_version(text, len, at + sw->len, sw);
        return true;
    }
    return false;
}
