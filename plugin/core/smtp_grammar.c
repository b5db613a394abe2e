/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_grammar.h"
#include "smtp_sasl.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *name;
    const char *description;
} smtp_verb_t;

/* Indexed by smtp_cmd_t. */
static const smtp_verb_t smtp_verbs[SMTP_CMD_COUNT] = {
    [SMTP_CMD_UNKNOWN]      = { NULL, "Unknown command" },
    [SMTP_CMD_HELO]         = { "HELO", "Identify the client (RFC 5321)" },
    [SMTP_CMD_EHLO]         = { "EHLO", "Identify the client and ask for the ESMTP extensions (RFC 5321)" },
    [SMTP_CMD_LHLO]         = { "LHLO", "Identify the client to an LMTP server and ask for its extensions (RFC 2033)" },
    [SMTP_CMD_MAIL]         = { "MAIL", "Start a mail transaction with the envelope sender (RFC 5321)" },
    [SMTP_CMD_RCPT]         = { "RCPT", "Add an envelope recipient (RFC 5321)" },
    [SMTP_CMD_DATA]         = { "DATA", "Ask to send the message (RFC 5321)" },
    [SMTP_CMD_BDAT]         = { "BDAT", "Send a chunk of the message of a given size (RFC 3030)" },
    [SMTP_CMD_RSET]         = { "RSET", "Abort the current mail transaction (RFC 5321)" },
    [SMTP_CMD_VRFY]         = { "VRFY", "Verify a user name or mailbox (RFC 5321)" },
    [SMTP_CMD_EXPN]         = { "EXPN", "Expand a mailing list (RFC 5321)" },
    [SMTP_CMD_HELP]         = { "HELP", "Ask for help (RFC 5321)" },
    [SMTP_CMD_NOOP]         = { "NOOP", "Do nothing; the server replies OK (RFC 5321)" },
    [SMTP_CMD_QUIT]         = { "QUIT", "Close the session (RFC 5321)" },
    [SMTP_CMD_TURN]         = { "TURN", "Swap the client and server roles (RFC 821, obsolete)" },
    [SMTP_CMD_ETRN]         = { "ETRN", "Ask the server to start its queue for a domain (RFC 1985)" },
    [SMTP_CMD_ATRN]         = { "ATRN", "Authenticated TURN (RFC 2645)" },
    [SMTP_CMD_AUTH]         = { "AUTH", "Authenticate with a SASL mechanism (RFC 4954)" },
    [SMTP_CMD_STARTTLS]     = { "STARTTLS", "Switch the connection to TLS (RFC 3207)" },
    [SMTP_CMD_SEND]         = { "SEND", "Deliver to the user's terminal (RFC 821, obsolete)" },
    [SMTP_CMD_SOML]         = { "SOML", "Send to terminal or mailbox (RFC 821, obsolete)" },
    [SMTP_CMD_SAML]         = { "SAML", "Send to terminal and mailbox (RFC 821, obsolete)" },
    [SMTP_CMD_XCLIENT]      = { "XCLIENT", "Override client attributes (Postfix extension)" },
    [SMTP_CMD_XFORWARD]     = { "XFORWARD", "Forward original client attributes (Postfix extension)" },
    [SMTP_CMD_XEXCH50]      = { "XEXCH50", "Exchange 5.0 binary envelope data (Microsoft extension)" },
    [SMTP_CMD_X_EXPS]       = { "X-EXPS", "Exchange server-to-server authentication (Microsoft extension)" },
    [SMTP_CMD_X_LINK2STATE] = { "X-LINK2STATE", "Exchange link state routing (Microsoft extension)" },
    [SMTP_CMD_XUSR]         = { "XUSR", "Mark the message as sent by a user of the organisation (Microsoft extension)" },
    [SMTP_CMD_X_ANONYMOUSTLS] = { "X-ANONYMOUSTLS", "Switch the connection to TLS between Exchange servers "
                                  "(Microsoft extension, as STARTTLS)" },
};

const char *smtp_cmd_name(smtp_cmd_t id)
{
    return (unsigned)id < SMTP_CMD_COUNT ? smtp_verbs[id].name : NULL;
}

const char *smtp_cmd_description(smtp_cmd_t id)
{
    return (unsigned)id < SMTP_CMD_COUNT ? smtp_verbs[id].description : smtp_verbs[0].description;
}

bool smtp_cmd_is_ehlo(smtp_cmd_t id)
{
    return id == SMTP_CMD_EHLO || id == SMTP_CMD_LHLO;
}

bool smtp_cmd_starts_tls(smtp_cmd_t id)
{
    return id == SMTP_CMD_STARTTLS || id == SMTP_CMD_X_ANONYMOUSTLS;
}

bool smtp_cmd_is_hello(smtp_cmd_t id)
{
    return id == SMTP_CMD_HELO || smtp_cmd_is_ehlo(id);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

size_t smtp_skip_wsp(const char *s, size_t len, size_t off)
{
    while (off < len && is_space(s[off]))
        off++;
    return off;
}

static size_t token_end(const char *s, size_t len, size_t off)
{
    while (off < len && !is_space(s[off]))
        off++;
    return off;
}

void smtp_parse_command(const char *line, size_t len, smtp_command_t *cmd)
{
    size_t verb_len = token_end(line, len, 0);

    cmd->id = SMTP_CMD_UNKNOWN;
    cmd->verb_len = verb_len;
    cmd->param_off = smtp_skip_wsp(line, len, verb_len);
    cmd->param_len = len - cmd->param_off;
    for (int i = 1; i < SMTP_CMD_COUNT; i++) {
        if (smtp_token_is(line, verb_len, smtp_verbs[i].name)) {
            cmd->id = (smtp_cmd_t)i;
            return;
        }
    }
}

/* Case-insensitive: are a[0..n) and b[0..n) the same letters? */
static bool same_letters(const char *a, const char *b, size_t n)
{
    return n == 0 || strncasecmp(a, b, n) == 0;
}

/* Is a one edit from b: a letter left out, added or changed, or two
 * neighbours swapped (optimal string alignment distance 1)? */
static bool one_edit_apart(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;

    if (la > lb + 1 || lb > la + 1)
        return false;
    while (i < la && i < lb && same_letters(a + i, b + i, 1))
        i++;
    if (la == lb + 1)       /* a letter added */
        return same_letters(a + i + 1, b + i, lb - i);
    if (lb == la + 1)       /* a letter left out */
        return same_letters(a + i, b + i + 1, la - i);
    if (i == la)            /* the same word */
        return false;
    if (same_letters(a + i + 1, b + i + 1, la - i - 1))    /* a letter changed */
        return true;
    return i + 1 < la && same_letters(a + i, b + i + 1, 1) && same_letters(a + i + 1, b + i, 1) &&
           same_letters(a + i + 2, b + i + 2, la - i - 2);
}

bool smtp_cmd_obsolete(smtp_cmd_t id)
{
    return id == SMTP_CMD_TURN || id == SMTP_CMD_SEND || id == SMTP_CMD_SOML || id == SMTP_CMD_SAML;
}

smtp_cmd_t smtp_cmd_suggest(const char *s, size_t len, smtp_cmd_t after)
{
    for (unsigned i = (unsigned)after + 1; i < SMTP_CMD_COUNT; i++) {
        const char *name = smtp_verbs[i].name;
        if (name && one_edit_apart(s, len, name, strlen(name)))
            return (smtp_cmd_t)i;
    }
    return SMTP_CMD_UNKNOWN;
}

bool smtp_is_transaction_command(const char *line, size_t len)
{
    smtp_command_t c;

    /* each verb has four letters, from these: most text lines end here (it runs on message lines) */
    if (len < 4 || (len > 4 && !is_space(line[4])) || !strchr("DEHLMQRdehlmqr", line[0]))
        return false;
    smtp_parse_command(line, len, &c);
    switch (c.id) {
    case SMTP_CMD_HELO:
    case SMTP_CMD_EHLO:
    case SMTP_CMD_LHLO:
        return c.param_len > 0;
    case SMTP_CMD_MAIL:
        return c.param_len >= 5 && strncasecmp(line + c.param_off, "FROM:", 5) == 0;
    case SMTP_CMD_RCPT:
        return c.param_len >= 3 && strncasecmp(line + c.param_off, "TO:", 3) == 0;
    case SMTP_CMD_DATA:
    case SMTP_CMD_RSET:
    case SMTP_CMD_QUIT:
        return c.param_len == 0;
    default:
        return false;
    }
}

const char *smtp_cmd_glued(const char *verb, size_t len)
{
    if (len >= 8 && strncasecmp(verb, "MAILFROM", 8) == 0)
        return "MAIL FROM:";
    if (len >= 6 && strncasecmp(verb, "RCPTTO", 6) == 0)
        return "RCPT TO:";
    return NULL;
}

smtp_cmd_t smtp_cmd_spelled_out(const char *verb, size_t len)
{
    static const struct { const char *word; smtp_cmd_t id; } words[] = {
        { "VERIFY", SMTP_CMD_VRFY }, { "EXPAND", SMTP_CMD_EXPN }, { "EXIT", SMTP_CMD_QUIT },
        { "LOGOUT", SMTP_CMD_QUIT }, { "LOGIN", SMTP_CMD_AUTH },
    };

    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (smtp_token_is(verb, len, words[i].word))
            return words[i].id;
    }
    return SMTP_CMD_UNKNOWN;
}

bool smtp_reply_fits(unsigned code, smtp_cmd_t cmd)
{
    switch (code) {
    case 354:
        return cmd == SMTP_CMD_DATA;
    case 221:
        return cmd == SMTP_CMD_QUIT;
    case 334:
    case 235:
        return cmd == SMTP_CMD_AUTH;
    default:
        return true;
    }
}

/* A verb of an extension smtpx does not know, as software writes one:
 * four or more capitals, digits and dashes, from a capital (XSHADOW,
 * X-ANONYMOUSTLS, XEXCH50). */
static bool vendor_verb(const char *verb, size_t len)
{
    if (len < 4 || verb[0] < 'A' || verb[0] > 'Z')
        return false;
    for (size_t i = 1; i < len; i++) {
        if (!((verb[i] >= 'A' && verb[i] <= 'Z') || (verb[i] >= '0' && verb[i] <= '9') || verb[i] == '-'))
            return false;
    }
    return true;
}

bool smtp_may_be_command(const char *line, size_t len, bool alone)
{
    smtp_command_t c;

    if (len == 0 || (unsigned char)line[0] == 0xff || (alone && smtp_base64_valid(line, len)))
        return true;
    smtp_parse_command(line, len, &c);
    return c.id != SMTP_CMD_UNKNOWN || smtp_cmd_suggest(line, c.verb_len, SMTP_CMD_UNKNOWN) != SMTP_CMD_UNKNOWN ||
           vendor_verb(line, c.verb_len);
}

bool smtp_is_alnum(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

bool smtp_token_is(const char *s, size_t len, const char *name)
{
    /* the first character first (0x20 folds a letter's case): most names
     * differ there; strncasecmp decides */
    return len > 0 && (s[0] | 0x20) == (name[0] | 0x20) && strlen(name) == len && strncasecmp(s, name, len) == 0;
}

bool smtp_word_equals(const char *s, size_t len, const char *w)
{
    size_t wl = strlen(w);
    return len >= wl && strncasecmp(s, w, wl) == 0 && (len == wl || is_space(s[wl]));
}

size_t smtp_find_nocase(const char *s, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = from; i + n <= len; i++) {
        if ((s[i] | 0x20) == (needle[0] | 0x20) && strncasecmp(s + i, needle, n) == 0)
            return i;
    }
    return len;
}

/* End of a bracketed path starting at s[off] == '<', honouring quoted local parts. */
static size_t bracket_end(const char *s, size_t len, size_t off)
{
    bool quoted = false;
    for (size_t i = off + 1; i < len; i++) {
        if (quoted && s[i] == '\\' && i + 1 < len)
            i++;
        else if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted && s[i] == '>')
            return i;
    }
    return len;
}

void smtp_parse_path(const char *param, size_t len, const char *keyword, smtp_path_t *path)
{
    size_t kl = strlen(keyword);          /* keyword ends with ':' */
    size_t off;

    memset(path, 0, sizeof *path);
    path->params_off = len;
    if (len < kl - 1 || strncasecmp(param, keyword, kl - 1) != 0)
        return;
    off = smtp_skip_wsp(param, len, kl - 1);  /* tolerate "FROM :" */
    if (off >= len || param[off] != ':')
        return;
    path->ok = true;
    path->space_before_colon = off > kl - 1;
    off++;
    path->space_after_colon = off < len && is_space(param[off]);
    off = smtp_skip_wsp(param, len, off);
    if (off < len && param[off] == '<') {
        size_t end = bracket_end(param, len, off);
        path->brackets = end < len;
        path->addr_off = off + 1;
        path->addr_len = end - off - 1;
        off = end < len ? end + 1 : len;
    } else {
        size_t end = token_end(param, len, off);
        path->addr_off = off;
        path->addr_len = end - off;
        off = end;
    }
    path->params_off = smtp_skip_wsp(param, len, off);
}

bool smtp_next_param(const char *s, size_t len, size_t *off, smtp_param_t *p)
{
    size_t start = smtp_skip_wsp(s, len, *off);
    size_t end = token_end(s, len, start);

    *off = end;
    if (start >= len)
        return false;
    const char *eq = memchr(s + start, '=', end - start);
    p->key_off = start;
    p->has_val = eq != NULL;
    p->key_len = eq ? (size_t)(eq - (s + start)) : end - start;
    p->val_off = eq ? (size_t)(eq - s) + 1 : end;
    p->val_len = end - p->val_off;
    return true;
}

bool smtp_parse_u64(const char *s, size_t len, uint64_t *value)
{
    uint64_t v = 0;
    if (len == 0 || len > 19)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *value = v;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool smtp_parse_reply_line(const char *line, size_t len, smtp_reply_line_t *rl)
{
    if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]))
        return false;
    if (len > 3 && line[3] != ' ' && line[3] != '-')
        return false;
    rl->code = (unsigned)((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
    rl->sep = len > 3 ? line[3] : 0;
    rl->text_off = len > 3 ? 4 : 3;
    return true;
}

/* Reads up to 4 digits: count in *n, value in *v. */
static size_t read_number(const char *s, size_t len, size_t off, unsigned *v, size_t *n)
{
    *v = 0;
    *n = 0;
    while (off < len && is_digit(s[off]) && *n < 4) {
        *v = *v * 10 + (unsigned)(s[off] - '0');
        (*n)++;
        off++;
    }
    return off;
}

/* RFC 3463: subject and detail are "0" or 1-3 digits with no leading zero. */
static bool number_ok(const char *s, size_t start, size_t n)
{
    return n >= 1 && n <= 3 && !(n > 1 && s[start] == '0');
}

smtp_enh_result_t smtp_parse_enhanced(const char *s, size_t len, smtp_enh_t *enh)
{
    size_t start[3], n[3];
    unsigned v[3];
    size_t off = 0;

    for (int i = 0; i < 3; i++) {
        start[i] = off;
        off = read_number(s, len, off, &v[i], &n[i]);
        if (n[i] == 0)
            return SMTP_ENH_NONE;
        if (i < 2) {
            if (off >= len || s[off] != '.')
                return SMTP_ENH_NONE;
            off++;
        }
    }
    /* the code must be a whole word */
    while (off < len && (is_digit(s[off]) || s[off] == '.'))
        off++;
    if (off < len && !is_space(s[off]))
        return SMTP_ENH_NONE;
    enh->cls = v[0];
    enh->subject = v[1];
    enh->detail = v[2];
    enh->len = off;
    if (n[0] != 1 || (v[0] != 2 && v[0] != 4 && v[0] != 5) || off != start[2] + n[2] ||
        !number_ok(s, start[1], n[1]) || !number_ok(s, start[2], n[2]))
        return SMTP_ENH_MALFORMED;
    return SMTP_ENH_VALID;
}

static bool is_ldh(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

smtp_opening_t smtp_session_opening(const char *s, size_t len)
{
    const char *lf = memchr(s, '\n', len < 512 ? len : 512);
    size_t n = lf ? (size_t)(lf - s) : 0;       /* the first line, its end left out */

    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n >= 8 && memcmp(s, "220", 3) == 0 && (s[3] == ' ' || s[3] == '-'))
        return smtp_find_nocase(s, n, 4, "smtp") < n ? SMTP_OPENS_GREETING : SMTP_OPENS_NONE;
    if (n >= 6 && (smtp_word_equals(s, n, "EHLO") || smtp_word_equals(s, n, "HELO") ||
                   smtp_word_equals(s, n, "LHLO")))
        return smtp_is_domain_or_literal(s + 5, n - 5) ? SMTP_OPENS_HELLO : SMTP_OPENS_NONE;
    return SMTP_OPENS_NONE;
}

bool smtp_is_domain_or_literal(const char *s, size_t len)
{
    if (len >= 2 && s[0] == '[')
        return s[len - 1] == ']';
    if (len == 0 || len > 255 || s[0] == '.' || s[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_ldh(s[i]) && !(s[i] == '.' && i + 1 < len && s[i + 1] != '.'))
            return false;
    }
    return true;
}

int smtp_ip_parse(const char *s, size_t len, unsigned char addr[16])
{
    char text[64];

    if (len == 0 || len >= sizeof text)
        return 0;
    memcpy(text, s, len);
    text[len] = '\0';
    if (inet_pton(AF_INET, text, addr) == 1)
        return 4;
    return inet_pton(AF_INET6, text, addr) == 1 ? 6 : 0;
}

size_t smtp_ipv6_tag_len(const char *s, size_t len)
{
    return len >= 5 && strncasecmp(s, "IPv6:", 5) == 0 ? 5 : 0;
}

int smtp_helo_address(const char *s, size_t len, unsigned char addr[16])
{
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        size_t tag = smtp_ipv6_tag_len(s + 1, len - 2);
        s += 1 + tag;
        len -= 2 + tag;
    }
    return smtp_ip_parse(s, len, addr);
}

bool smtp_xclient_value(const char *s, size_t len, const char *name, size_t *off, size_t *vlen)
{
    size_t pos = 0;
    smtp_param_t p;

    while (smtp_next_param(s, len, &pos, &p)) {
        if (!p.has_val || !smtp_word_equals(s + p.key_off, p.key_len, name))
            continue;
        const char *v = s + p.val_off;
        if (smtp_word_equals(v, p.val_len, "[UNAVAILABLE]") || smtp_word_equals(v, p.val_len, "[TEMPUNAVAIL]"))
            return false;
        *off = p.val_off;
        *vlen = p.val_len;
        return true;
    }
    return false;
}

int smtp_xclient_addr(const char *s, size_t len, unsigned char addr[16])
{
    size_t off, vlen;

    if (!smtp_xclient_value(s, len, "ADDR", &off, &vlen))
        return 0;
    size_t tag = smtp_ipv6_tag_len(s + off, vlen);
    return smtp_ip_parse(s + off + tag, vlen - tag, addr);
}

bool smtp_ip_is_local(int family, const unsigned char *a)
{
    static const unsigned char zero[16];

    if (family == 4)
        return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
               (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168);
    if (family == 6)    /* ::, ::1, fc00::/7, fe80::/10 */
        return (memcmp(a, zero, 15) == 0 && a[15] <= 1) || (a[0] & 0xfe) == 0xfc ||
               (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
    return false;
}
