/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP grammar (RFC 5321 and extensions): commands, paths, parameters,
 * reply lines, enhanced status codes, EHLO lines. Pure functions over
 * (line, len); no epan dependency. Offsets are relative to the line. */
#ifndef SMTP_GRAMMAR_H
#define SMTP_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SMTP_CMD_UNKNOWN = 0,
    SMTP_CMD_HELO, SMTP_CMD_EHLO, SMTP_CMD_LHLO, SMTP_CMD_MAIL, SMTP_CMD_RCPT, SMTP_CMD_DATA,
    SMTP_CMD_BDAT, SMTP_CMD_RSET, SMTP_CMD_VRFY, SMTP_CMD_EXPN, SMTP_CMD_HELP,
    SMTP_CMD_NOOP, SMTP_CMD_QUIT, SMTP_CMD_TURN, SMTP_CMD_ETRN, SMTP_CMD_ATRN,
    SMTP_CMD_AUTH, SMTP_CMD_STARTTLS, SMTP_CMD_SEND, SMTP_CMD_SOML, SMTP_CMD_SAML,
    SMTP_CMD_XCLIENT, SMTP_CMD_XFORWARD, SMTP_CMD_XEXCH50, SMTP_CMD_X_EXPS,
    SMTP_CMD_X_LINK2STATE, SMTP_CMD_XUSR, SMTP_CMD_X_ANONYMOUSTLS,
    SMTP_CMD_COUNT
} smtp_cmd_t;

typedef struct {
    smtp_cmd_t id;
    size_t verb_len;    /* verb is line[0..verb_len) */
    size_t param_off;   /* parameter after the separating spaces */
    size_t param_len;
} smtp_command_t;

/* Upper-case name of a known verb ("STARTTLS"), NULL for SMTP_CMD_UNKNOWN. */
const char *smtp_cmd_name(smtp_cmd_t id);
/* Short description of what the verb asks for. */
const char *smtp_cmd_description(smtp_cmd_t id);
/* EHLO, or LMTP's LHLO (RFC 2033): a hello whose reply lists extensions. */
bool smtp_cmd_is_ehlo(smtp_cmd_t id);
/* HELO, EHLO or LHLO. */
bool smtp_cmd_is_hello(smtp_cmd_t id);
/* STARTTLS, or Exchange's X-ANONYMOUSTLS: a 220 makes the rest of the connection TLS. */
bool smtp_cmd_starts_tls(smtp_cmd_t id);
/* RFC 821's verbs that RFC 5321 dropped: TURN, SEND, SOML, SAML. */
bool smtp_cmd_obsolete(smtp_cmd_t id);
void smtp_parse_command(const char *line, size_t len, smtp_command_t *cmd);
/* A known verb one typing error away from the unknown verb s[0..len) (a
 * letter left out, added, changed, or two swapped: "VERFY", "HELLO",
 * "RCTP"), the first after `after` in the table of verbs (SMTP_CMD_UNKNOWN
 * to start); SMTP_CMD_UNKNOWN when there is no more. Case-insensitive. */
smtp_cmd_t smtp_cmd_suggest(const char *s, size_t len, smtp_cmd_t after);
/* "MAIL FROM:" or "RCPT TO:" for a verb written glued to its keyword
 * ("MAILFROM:<a@b>", "rcptto:"), else NULL. */
const char *smtp_cmd_glued(const char *verb, size_t len);
/* The verb meant by a word written in full or taken from another protocol
 * ("VERIFY" VRFY, "EXPAND" EXPN, "EXIT" and "LOGOUT" QUIT, "LOGIN" AUTH),
 * else SMTP_CMD_UNKNOWN. Case-insensitive. */
smtp_cmd_t smtp_cmd_spelled_out(const char *verb, size_t len);
/* Is the line a command that opens or carries a mail transaction, as a
 * smuggled one does: HELO/EHLO name, MAIL FROM:, RCPT TO:, or DATA, RSET,
 * QUIT alone? (Not a text line that starts with "Mail me" or "Data".) */
bool smtp_is_transaction_command(const char *line, size_t len);
/* Could a client line be meant as a command: a known verb, one typing error
 * away from one, a verb of an extension (capitals: XSHADOW), an empty line,
 * Telnet negotiation (IAC), or, when `alone`
 * (nothing follows it in its segment, as an AUTH answer waits for its
 * reply), a base64 token? A line that is none of them, sent before any
 * reply, is text: a capture that begins inside a message. */
bool smtp_may_be_command(const char *line, size_t len, bool alone);
/* Can a reply with this code answer cmd? false only for the codes one verb
 * alone gets: 354 (DATA), 221 (QUIT), 334 and 235 (AUTH and its answers). */
bool smtp_reply_fits(unsigned code, smtp_cmd_t cmd);

/* MAIL FROM:<path> / RCPT TO:<path> */
typedef struct {
    bool ok;                /* the "FROM:"/"TO:" keyword was found */
    bool brackets;          /* path was enclosed in <> */
    bool space_before_colon;      /* "TO :" */
    bool space_after_colon;
    size_t addr_off, addr_len;   /* the address, without brackets */
    size_t params_off;           /* first ESMTP parameter (== len if none) */
} smtp_path_t;

/* keyword is "FROM:" or "TO:" (case-insensitive match in the parameter). */
void smtp_parse_path(const char *param, size_t len, const char *keyword, smtp_path_t *path);

/* One "KEY[=VALUE]" token of a space-separated list. */
typedef struct {
    size_t key_off, key_len;
    size_t val_off, val_len;
    bool has_val;
} smtp_param_t;

/* Bytes of the whole token, KEY or KEY=VALUE. */
static inline size_t smtp_param_len(const smtp_param_t *p)
{
    return p->has_val ? p->val_off + p->val_len - p->key_off : p->key_len;
}

/* Reads the token at or after *off; advances *off past it. False when no token is left. */
bool smtp_next_param(const char *s, size_t len, size_t *off, smtp_param_t *p);

/* Parses a decimal number of at most 19 digits; false on anything else. */
bool smtp_parse_u64(const char *s, size_t len, uint64_t *value);

/* Reply line: 3 digits, then ' ', '-' or the end of the line. */
typedef struct {
    unsigned code;
    char sep;          /* ' ', '-', or 0 for a bare code */
    size_t text_off;   /* text after the separator */
} smtp_reply_line_t;

bool smtp_parse_reply_line(const char *line, size_t len, smtp_reply_line_t *rl);

/* RFC 3463 enhanced status code at the start of s. */
typedef enum {
    SMTP_ENH_NONE = 0,      /* nothing that looks like a code */
    SMTP_ENH_VALID,
    SMTP_ENH_MALFORMED      /* looks like one (digits and dots) but breaks the grammar */
} smtp_enh_result_t;

typedef struct {
    unsigned cls, subject, detail;
    size_t len;             /* length of the code text */
} smtp_enh_t;

smtp_enh_result_t smtp_parse_enhanced(const char *s, size_t len, smtp_enh_t *enh);

/* Does s look like a domain or an address literal ("[192.0.2.1]", "[IPv6:...]")? */
bool smtp_is_domain_or_literal(const char *s, size_t len);

/* 4 or 6 if s[0..len) is an IPv4 or IPv6 address (into addr, network
 * order), else 0. */
int smtp_ip_parse(const char *s, size_t len, unsigned char addr[16]);

/* 5 if s[0..len) starts with the "IPv6:" tag of an address literal
 * (RFC 5321 4.1.3, any case), else 0. */
size_t smtp_ipv6_tag_len(const char *s, size_t len);

/* The address a HELO/EHLO argument gives instead of a name: an address
 * literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") or a bare address (which
 * RFC 5321 forbids, but clients send). 4 or 6 (into addr), else 0. */
int smtp_helo_address(const char *s, size_t len, unsigned char addr[16]);

/* The value of the attribute name (any case) of an XCLIENT or XFORWARD
 * argument ("NAME=VALUE ..."), as it is written (xtext); false when it is
 * not there or says [UNAVAILABLE] or [TEMPUNAVAIL]. */
bool smtp_xclient_value(const char *s, size_t len, const char *name, size_t *off, size_t *vlen);

/* Its ADDR attribute ("ADDR=192.0.2.1", "ADDR=IPv6:2001:db8::1"): 4 or 6
 * (into addr), else 0. */
int smtp_xclient_addr(const char *s, size_t len, unsigned char addr[16]);

/* Is the address one that a NAT or the host itself may stand for, so that
 * it need not be the address a peer sees: private (RFC 1918, RFC 4193),
 * shared (RFC 6598), loopback, link-local or unspecified? */
bool smtp_ip_is_local(int family, const unsigned char *addr);

/* Case-insensitive: is s[0..len) exactly the token name (a verb, keyword,
 * mechanism or header name)? */
bool smtp_token_is(const char *s, size_t len, const char *name);
/* An ASCII letter or digit (whatever the locale). */
bool smtp_is_alnum(char c);

/* Case-insensitive: does line start with the word w (followed by end or space)? */
bool smtp_word_equals(const char *s, size_t len, const char *w);

/* The first offset from off on that is not a space or a tab (len if none). */
size_t smtp_skip_wsp(const char *s, size_t len, size_t off);

/* Case-insensitive: where needle (lower-case) first starts in s[from..len), or len. */
size_t smtp_find_nocase(const char *s, size_t len, size_t from, const char *needle);

/* Does a segment open an SMTP session, on a port not known for SMTP? A
 * greeting ("220 " or "220-") whose first line names SMTP or ESMTP, or a
 * client's HELO, EHLO or LHLO with a domain or address literal; the line
 * must end (CRLF or LF) within 512 octets. */
typedef enum { SMTP_OPENS_NONE = 0, SMTP_OPENS_GREETING, SMTP_OPENS_HELLO } smtp_opening_t;
smtp_opening_t smtp_session_opening(const char *s, size_t len);

#endif
