/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the epan-free protocol core: lines, grammar, SASL, IMF, MIME, authentication results. */
#include <stdio.h>
#include <string.h>

#include "smtp_authres.h"
#include "smtp_date.h"
#include "smtp_dkim.h"
#include "smtp_dsn.h"
#include "smtp_foreign.h"
#include "smtp_grammar.h"
#include "smtp_idn.h"
#include "smtp_imf.h"
#include "smtp_files.h"
#include "smtp_lines.h"
#include "smtp_links.h"
#include "smtp_mime.h"
#include "smtp_params.h"
#include "smtp_sasl.h"

static int failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

#define S(lit) lit, sizeof(lit) - 1

static void test_lines(void)
{
    smtp_line_t l;
    CHECK(smtp_line_find((const uint8_t *)S("HELO x\r\nMAIL"), &l) && l.len == 6 && l.term_len == 2 &&
          l.eol == SMTP_EOL_CRLF);
    CHECK(smtp_line_find((const uint8_t *)S("a\nb"), &l) && l.len == 1 && l.eol == SMTP_EOL_LF);
    CHECK(smtp_line_find((const uint8_t *)"NOOP\r\0x", 7, &l) && l.len == 4 && l.eol == SMTP_EOL_CRNUL);
    CHECK(!smtp_line_find((const uint8_t *)S("HEL"), &l) && l.len == 3 && l.term_len == 0);
    CHECK(!smtp_line_find((const uint8_t *)S("abc\r"), &l) && l.has_cr);
    /* has_cr: a CR of the content, never the CR of the line end */
    CHECK(smtp_line_find((const uint8_t *)S("HELO x\r\n"), &l) && !l.has_cr);
    CHECK(smtp_line_find((const uint8_t *)S("a\r.\rb\r\n"), &l) && l.len == 5 && l.has_cr);
    CHECK(smtp_line_find((const uint8_t *)S("ab\rc\n"), &l) && l.eol == SMTP_EOL_LF && l.has_cr);
    CHECK(smtp_line_find((const uint8_t *)"NOOP\r\0\r\n", 8, &l) && l.eol == SMTP_EOL_CRNUL && !l.has_cr);
    CHECK(smtp_line_find((const uint8_t *)"a\rb\r\0", 6, &l) && l.eol == SMTP_EOL_CRNUL && l.len == 3 && l.has_cr);
    /* BDAT chunk data: any LF ends a line, a CRLF may be split between pieces */
    CHECK(smtp_chunk_line((const uint8_t *)S("ab\r\ncd"), false, &l) && l.len == 2 && l.term_len == 2 &&
          l.eol == SMTP_EOL_CRLF && !l.has_cr);
    CHECK(smtp_chunk_line((const uint8_t *)S("ab\n"), false, &l) && l.len == 2 && l.term_len == 1 &&
          l.eol == SMTP_EOL_LF);
    CHECK(smtp_chunk_line((const uint8_t *)S("\nx"), true, &l) && l.len == 0 && l.term_len == 1 &&
          l.eol == SMTP_EOL_CRLF);
    CHECK(smtp_chunk_line((const uint8_t *)S("\nx"), false, &l) && l.eol == SMTP_EOL_LF);
    CHECK(!smtp_chunk_line((const uint8_t *)S("ab\r"), false, &l) && l.len == 3 && l.term_len == 0 && !l.has_cr);
    CHECK(!smtp_chunk_line((const uint8_t *)S("a\rb\r"), false, &l) && l.len == 4 && l.has_cr);
    CHECK(smtp_chunk_line((const uint8_t *)"a\r\0b\n", 5, false, &l) && l.len == 4 && l.has_cr);
    CHECK(!smtp_chunk_line((const uint8_t *)"", 0, true, &l) && l.len == 0 && l.term_len == 0);
    CHECK(smtp_line_find((const uint8_t *)S("\n"), &l) && l.len == 0 && !l.has_cr);
    CHECK(smtp_line_count_edits((const uint8_t *)S("ab\x08\x7f")) == 2);
    CHECK(smtp_line_has_arrow_key((const uint8_t *)S("pc.ex\x1b[Dample")));
    CHECK(!smtp_line_has_arrow_key((const uint8_t *)S("\x1b[Z \x1b[")));
    CHECK(smtp_line_has_telnet_ip((const uint8_t *)S("\xff\xf4\xff\xfd\x06")));
    CHECK(!smtp_line_has_telnet_ip((const uint8_t *)S("\xff\xff\xf4 \xff")));
    CHECK(smtp_line_has_telnet_ctrl_c((const uint8_t *)S("caf\xc3\xa9 \xff\xf4\xff\xfd\x06")));
    CHECK(!smtp_line_has_telnet_ctrl_c((const uint8_t *)S("\xff\xf4\xff\xfd")));
    CHECK(smtp_find_8bit((const uint8_t *)S("")) == 0);
    CHECK(smtp_find_8bit((const uint8_t *)S("plain 7-bit text, longer than a word")) == 36);
    CHECK(smtp_find_8bit((const uint8_t *)S("abc\xc3\xa9")) == 3);
    CHECK(smtp_find_8bit((const uint8_t *)S("0123456789abcdef\x80")) == 16);
    CHECK(smtp_find_8bit((const uint8_t *)S("01234567\xff" "9")) == 8);
    CHECK(smtp_is_plain_text((const uint8_t *)S("")));
    CHECK(smtp_is_plain_text((const uint8_t *)S("MAIL FROM:<alice@example.com> SIZE=1234 ~")));
    CHECK(!smtp_is_plain_text((const uint8_t *)S("MAIL FROM:<alice@example.com>\t")));
    CHECK(!smtp_is_plain_text((const uint8_t *)S("a\\b")));
    CHECK(!smtp_is_plain_text((const uint8_t *)S("0123456789abcdef\x7f")));
    CHECK(!smtp_is_plain_text((const uint8_t *)S("01234567\xc3\xa9" "bcdefgh")));
    CHECK(!smtp_is_plain_text((const uint8_t *)"0123456\0" "89abcdef", 16));
    for (unsigned b = 0; b < 256; b++) {    /* every byte, at every place of a word */
        uint8_t buf[16];
        memset(buf, 'a', sizeof buf);
        buf[b % 9] = (uint8_t)b;
        CHECK(smtp_is_plain_text(buf, sizeof buf) == (b >= 0x20 && b <= 0x7e && b != '\\'));
    }
}

static void test_commands(void)
{
    smtp_command_t c;
    CHECK(smtp_token_is(S("ehlo"), "EHLO") && smtp_token_is(S("8bitmime"), "8BITMIME"));
    CHECK(!smtp_token_is(S("EHLOX"), "EHLO") && !smtp_token_is(S("EHL"), "EHLO"));
    CHECK(!smtp_token_is("", 0, "EHLO") && !smtp_token_is(S("\x05HLO"), "EHLO"));
    smtp_parse_command(S("starttls"), &c);
    CHECK(c.id == SMTP_CMD_STARTTLS && c.param_len == 0);
    smtp_parse_command(S("LHLO mx.example.org"), &c);
    CHECK(c.id == SMTP_CMD_LHLO && smtp_cmd_is_ehlo(c.id) && smtp_cmd_is_hello(c.id));
    CHECK(!smtp_cmd_is_ehlo(SMTP_CMD_HELO) && smtp_cmd_is_hello(SMTP_CMD_HELO) && !smtp_cmd_is_hello(SMTP_CMD_MAIL));
    smtp_parse_command(S("MAIL  FROM:<a@b>"), &c);
    CHECK(c.id == SMTP_CMD_MAIL && c.verb_len == 4 && c.param_off == 6);
    smtp_parse_command(S("X-LINK2STATE x"), &c);
    CHECK(c.id == SMTP_CMD_X_LINK2STATE);
    smtp_parse_command(S("x-anonymoustls"), &c);
    CHECK(c.id == SMTP_CMD_X_ANONYMOUSTLS && smtp_cmd_starts_tls(c.id) && smtp_cmd_starts_tls(SMTP_CMD_STARTTLS));
    smtp_parse_command(S("XUSR"), &c);
    CHECK(c.id == SMTP_CMD_XUSR && !smtp_cmd_starts_tls(c.id));
    CHECK(smtp_is_transaction_command(S("MAIL FROM:<a@b>")) && smtp_is_transaction_command(S("rcpt to:<x@y>")));
    CHECK(smtp_is_transaction_command(S("DATA")) && smtp_is_transaction_command(S("EHLO x")));
    CHECK(!smtp_is_transaction_command(S("Mail me later")) && !smtp_is_transaction_command(S("Data is kept")));
    CHECK(!smtp_is_transaction_command(S("HELO")) && !smtp_is_transaction_command(S("Help")) &&
          !smtp_is_transaction_command(S("")));
    smtp_parse_command(S("STAR"), &c);
    CHECK(c.id == SMTP_CMD_UNKNOWN);
    CHECK(strcmp(smtp_cmd_name(SMTP_CMD_STARTTLS), "STARTTLS") == 0);
}

static void test_session_opening(void)
{
    CHECK(smtp_session_opening(S("220 mx.example.org ESMTP Postfix\r\n")) == SMTP_OPENS_GREETING);
    CHECK(smtp_session_opening(S("220-mx Python SMTP 1.4.6\n220 more\r\n")) == SMTP_OPENS_GREETING);
    CHECK(smtp_session_opening(S("EHLO client.example.com\r\n")) == SMTP_OPENS_HELLO);
    CHECK(smtp_session_opening(S("lhlo [192.0.2.1]\r\n")) == SMTP_OPENS_HELLO);
    /* not SMTP: an FTP greeting, a hello without a name or with an odd one, no line end, another code */
    CHECK(smtp_session_opening(S("220 ProFTPD 1.3.8 Server ready.\r\n")) == SMTP_OPENS_NONE);
    CHECK(smtp_session_opening(S("EHLO\r\n")) == SMTP_OPENS_NONE);
    CHECK(smtp_session_opening(S("HELO a b\r\n")) == SMTP_OPENS_NONE);
    CHECK(smtp_session_opening(S("220 mx ESMTP")) == SMTP_OPENS_NONE);
    CHECK(smtp_session_opening(S("250 mx ESMTP\r\n")) == SMTP_OPENS_NONE);
    CHECK(smtp_session_opening(S("HELLO there\r\n")) == SMTP_OPENS_NONE);
    CHECK(smtp_session_opening(S("")) == SMTP_OPENS_NONE);
}

static void test_xclient(void)
{
    unsigned char a[16];
    CHECK(smtp_xclient_addr(S("NAME=[UNAVAILABLE] ADDR=203.0.113.7 LOGIN=alice"), a) == 4 && a[0] == 203 && a[3] == 7);
    CHECK(smtp_xclient_addr(S("addr=IPv6:2001:db8::1"), a) == 6 && a[0] == 0x20 && a[15] == 1);
    CHECK(smtp_xclient_addr(S("ADDR=[UNAVAILABLE]"), a) == 0);
    CHECK(smtp_xclient_addr(S("NAME=mail.example.net HELO=x"), a) == 0);
    CHECK(smtp_xclient_addr(S("ADDRESS=192.0.2.1"), a) == 0);
    size_t off, n;
    CHECK(smtp_xclient_value(S("ADDR=203.0.113.7 login=alice"), "LOGIN", &off, &n) && off == 23 && n == 5);
    CHECK(!smtp_xclient_value(S("LOGIN=[UNAVAILABLE] ADDR=203.0.113.7"), "LOGIN", &off, &n));
    CHECK(!smtp_xclient_value(S("LOGINS=alice"), "LOGIN", &off, &n));
}

/* the fault of the first parameter of s, on the command on */
static smtp_param_fault_t param_fault(const char *s, size_t len, smtp_param_on_t on, const char *key)
{
    size_t off = 0;
    smtp_param_t p;
    const smtp_param_rule_t *rule;
    if (!smtp_next_param(s, len, &off, &p))
        return (smtp_param_fault_t)-1;
    smtp_param_fault_t f = smtp_param_check(s, &p, on, &rule);
    return (key ? rule && strcmp(rule->key, key) == 0 : rule == NULL) ? f : (smtp_param_fault_t)-1;
}

static void test_params(void)
{
    char out[64];
    size_t bad;
    CHECK(smtp_xtext_decode(S("a+2Bb+3D"), out, &bad) == 4 && memcmp(out, "a+b=", 4) == 0 && bad == 8);
    CHECK(smtp_xtext_decode(S("x+2b y"), out, &bad) == 6 && memcmp(out, "x+2b y", 6) == 0 && bad == 1);
    CHECK(smtp_xtext_decode(S("ab+4"), out, &bad) == 4 && bad == 2);
    CHECK(smtp_xtext_decode(S("a=b"), out, &bad) == 3 && bad == 1);
    CHECK(smtp_xtext_decode(S("+C3+A9"), out, &bad) == 2 && (unsigned char)out[0] == 0xC3 && bad == 6);

#define MAIL SMTP_PARAM_ON_MAIL
#define RCPT SMTP_PARAM_ON_RCPT
#define XCLIENT SMTP_PARAM_ON_XCLIENT
#define XFORWARD SMTP_PARAM_ON_XFORWARD
    static const struct {
        const char *param;
        smtp_param_on_t on;
        const char *key;       /* the rule found, NULL: none */
        smtp_param_fault_t fault;
    } params[] = {
        { "SIZE=12345", MAIL, "SIZE", SMTP_PARAM_OK },
        { "size=abc", MAIL, "SIZE", SMTP_PARAM_VALUE },
        { "SIZE", MAIL, "SIZE", SMTP_PARAM_VALUE },
        { "SIZE=123456789012345678901", MAIL, "SIZE", SMTP_PARAM_VALUE },
        { "BODY=8bitmime", MAIL, "BODY", SMTP_PARAM_OK },
        { "BODY=9BIT", MAIL, "BODY", SMTP_PARAM_VALUE },
        { "SMTPUTF8", MAIL, "SMTPUTF8", SMTP_PARAM_OK },
        { "SMTPUTF8=yes", MAIL, "SMTPUTF8", SMTP_PARAM_VALUE },
        { "AUTH=<>", MAIL, "AUTH", SMTP_PARAM_OK },
        { "AUTH=e+3Dmc2@example.com", MAIL, "AUTH", SMTP_PARAM_OK },
        { "AUTH=e+3dmc2@example.com", MAIL, "AUTH", SMTP_PARAM_XTEXT },
        { "RET=HDRS", MAIL, "RET", SMTP_PARAM_OK },
        { "RET=FOO", MAIL, "RET", SMTP_PARAM_VALUE },
        { "RET=FULL", RCPT, "RET", SMTP_PARAM_MISPLACED },
        { "ENVID=QQ314159", MAIL, "ENVID", SMTP_PARAM_OK },
        { "ENVID=a+zz", MAIL, "ENVID", SMTP_PARAM_XTEXT },
        { "ENVID=a+2", MAIL, "ENVID", SMTP_PARAM_XTEXT },
        { "NOTIFY=SUCCESS,delay", RCPT, "NOTIFY", SMTP_PARAM_OK },
        { "NOTIFY=NEVER", RCPT, "NOTIFY", SMTP_PARAM_OK },
        { "NOTIFY=NEVER,SUCCESS", RCPT, "NOTIFY", SMTP_PARAM_VALUE },
        { "NOTIFY=SUCCESS,", RCPT, "NOTIFY", SMTP_PARAM_VALUE },
        { "NOTIFY=SUCCESS", MAIL, "NOTIFY", SMTP_PARAM_MISPLACED },
        { "ORCPT=rfc822;b+2Bold@example.org", RCPT, "ORCPT", SMTP_PARAM_OK },
        { "ORCPT=bogus", RCPT, "ORCPT", SMTP_PARAM_VALUE },
        { "ORCPT=;a@b", RCPT, "ORCPT", SMTP_PARAM_VALUE },
        { "ORCPT=rfc822;", RCPT, "ORCPT", SMTP_PARAM_VALUE },
        { "ORCPT=rfc822;a+b@c", RCPT, "ORCPT", SMTP_PARAM_XTEXT },
        { "X-VENDOR=1", MAIL, NULL, SMTP_PARAM_OK },
        { "MT-PRIORITY=-3", MAIL, "MT-PRIORITY", SMTP_PARAM_OK },
        { "MT-PRIORITY=4", MAIL, "MT-PRIORITY", SMTP_PARAM_OK },
        { "MT-PRIORITY=10", MAIL, "MT-PRIORITY", SMTP_PARAM_VALUE },
        { "MT-PRIORITY=-", MAIL, "MT-PRIORITY", SMTP_PARAM_VALUE },
        { "REQUIRETLS", MAIL, "REQUIRETLS", SMTP_PARAM_OK },
        { "REQUIRETLS=YES", MAIL, "REQUIRETLS", SMTP_PARAM_VALUE },
        { "<x@y.z>", RCPT, NULL, SMTP_PARAM_SYNTAX },
        { "-X=1", RCPT, NULL, SMTP_PARAM_SYNTAX },
        { "X=a=b", RCPT, NULL, SMTP_PARAM_SYNTAX },
        { "X=", RCPT, NULL, SMTP_PARAM_SYNTAX },
        { "NAME=mail.example.com", XCLIENT, "NAME", SMTP_PARAM_OK },
        { "ADDR=IPV6:2001:db8::1", XCLIENT, "ADDR", SMTP_PARAM_OK },
        { "addr=203.0.113.7", XFORWARD, "ADDR", SMTP_PARAM_OK },
        { "ADDR=[UNAVAILABLE]", XCLIENT, "ADDR", SMTP_PARAM_OK },
        { "ADDR=mail.example.com", XCLIENT, "ADDR", SMTP_PARAM_VALUE },
        { "PORT=65535", XCLIENT, "PORT", SMTP_PARAM_OK },
        { "PORT=65536", XCLIENT, "PORT", SMTP_PARAM_VALUE },
        { "DESTPORT=2x", XCLIENT, "DESTPORT", SMTP_PARAM_VALUE },
        { "PROTO=esmtp", XFORWARD, "PROTO", SMTP_PARAM_OK },
        { "PROTO=LMTP", XFORWARD, "PROTO", SMTP_PARAM_VALUE },
        { "LOGIN=a+2Bb", XCLIENT, "LOGIN", SMTP_PARAM_OK },
        { "LOGIN=a+2bb", XCLIENT, "LOGIN", SMTP_PARAM_XTEXT },
        { "LOGIN=alice", XFORWARD, "LOGIN", SMTP_PARAM_MISPLACED },
        { "SOURCE=REMOTE", XFORWARD, "SOURCE", SMTP_PARAM_OK },
        { "SOURCE=REMOTE", XCLIENT, "SOURCE", SMTP_PARAM_MISPLACED },
        { "SOURCE=OTHER", XFORWARD, "SOURCE", SMTP_PARAM_VALUE },
        { "REVERSE_NAME=host.example", XCLIENT, "REVERSE_NAME", SMTP_PARAM_OK },
        { "SIZE=10", XCLIENT, NULL, SMTP_PARAM_UNKNOWN },
        { "NAME", XCLIENT, NULL, SMTP_PARAM_SYNTAX },
        { "NAME=a", MAIL, NULL, SMTP_PARAM_OK },
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        if (param_fault(params[i].param, strlen(params[i].param), params[i].on, params[i].key) != params[i].fault) {
            fprintf(stderr, "parameter %s:\n", params[i].param);
            CHECK(0);
        }
    }
    CHECK(strcmp(smtp_param_on_name(RCPT), "RCPT TO") == 0 && strcmp(smtp_param_on_name(XFORWARD), "XFORWARD") == 0);
    char keys[64];
    smtp_param_keys(XFORWARD, SMTP_PARAMS_ALL, keys, sizeof keys);
    CHECK(strcmp(keys, "NAME, ADDR, PORT, PROTO, HELO, IDENT, SOURCE") == 0);
    smtp_param_keys(RCPT, SMTP_PARAMS_ALL, keys, 12);
    CHECK(strcmp(keys, "NOTIFY, ORC") == 0);
    /* the attributes a server lists, as bits of their rank */
    int name = smtp_param_rank(XCLIENT, S("name")), login = smtp_param_rank(XCLIENT, S("LOGIN"));
    CHECK(name >= 0 && login > name && smtp_param_rank(XFORWARD, S("NAME")) == name);
    CHECK(smtp_param_rank(XFORWARD, S("LOGIN")) == -1 && smtp_param_rank(XCLIENT, S("SIZE")) == -1 &&
          smtp_param_rank(XCLIENT, S("NAMEX")) == -1);
    smtp_param_keys(XCLIENT, (1u << name) | (1u << login), keys, sizeof keys);
    CHECK(strcmp(keys, "NAME, LOGIN") == 0);
    CHECK(smtp_orcpt_type_len(S("rfc822;a@b")) == 6 && smtp_orcpt_type_len(S("rfc822")) == 6);
    size_t off = 0;
    smtp_param_t tls;
    const smtp_param_rule_t *rule;
    CHECK(smtp_next_param(S("REQUIRETLS"), &off, &tls) && smtp_param_check("REQUIRETLS", &tls, MAIL, &rule) ==
          SMTP_PARAM_OK && rule && rule->needs_tls);
    off = 0;
    CHECK(smtp_next_param(S("SIZE=1"), &off, &tls) && smtp_param_check("SIZE=1", &tls, MAIL, &rule) ==
          SMTP_PARAM_OK && rule && !rule->needs_tls);
#undef MAIL
#undef RCPT
#undef XCLIENT
#undef XFORWARD
}

static void test_idn(void)
{
    static smtp_idn_t idn;
    CHECK(smtp_idn_read(S("xn--80ak6aa92e.com"), &idn) && idn.lookalike &&
          strcmp(idn.unicode, "\xd0\xb0\xd1\x80\xd1\x80\xd3\x8f\xd0\xb5.com") == 0 &&
          strcmp(idn.looks_like, "apple.com") == 0);
    CHECK(smtp_idn_read(S("Mail.XN--EXMPLE-4NF.org"), &idn) && idn.lookalike &&
          strcmp(idn.looks_like, "mail.example.org") == 0 && strcmp(idn.unicode, "mail.ex\xd0\xb0mple.org") == 0);
    CHECK(smtp_idn_read(S("xn--ggle-55da.com"), &idn) && idn.lookalike && strcmp(idn.looks_like, "google.com") == 0);
    /* a real word in another script, or with accents: no lookalike */
    CHECK(smtp_idn_read(S("xn--bcher-kva.de"), &idn) && !idn.lookalike &&
          strcmp(idn.unicode, "b\xc3\xbc" "cher.de") == 0);
    CHECK(smtp_idn_read(S("xn--e1afmkfd.xn--p1ai"), &idn) && !idn.lookalike);
    /* a label that is no Punycode does not hide the others (GLib's g_hostname_to_unicode gives up on the name) */
    CHECK(smtp_idn_read(S("xn--zz.xn--80ak6aa92e.com"), &idn) && idn.lookalike &&
          strcmp(idn.looks_like, "xn--zz.apple.com") == 0);
    CHECK(!smtp_idn_read(S("example.com"), &idn));
    CHECK(!smtp_idn_read(S("xn--.com"), &idn));
    CHECK(!smtp_idn_read(S("xn--99999999999999.com"), &idn));
    CHECK(!smtp_idn_read(S(""), &idn));
}

static void test_paths(void)
{
    smtp_path_t p;
    smtp_parse_path(S("FROM:<a@b.c> SIZE=10"), "FROM:", &p);
    CHECK(p.ok && p.brackets && !p.space_after_colon && p.addr_off == 6 && p.addr_len == 5 && p.params_off == 13);
    smtp_parse_path(S("from: 194.87.96.192"), "FROM:", &p);
    CHECK(p.ok && !p.brackets && p.space_after_colon && p.addr_len == 13);
    smtp_parse_path(S("FROM:<>"), "FROM:", &p);
    CHECK(p.ok && p.brackets && p.addr_len == 0);
    smtp_parse_path(S("TO:<\"a>b\"@c>"), "TO:", &p);
    CHECK(p.ok && p.brackets && p.addr_len == 7);
    smtp_parse_path(S("TO <x>"), "TO:", &p);
    CHECK(!p.ok);
    size_t off = 0;
    smtp_param_t pr;
    const char *ps = "SIZE=10  BODY=8BITMIME SMTPUTF8";
    CHECK(smtp_next_param(ps, strlen(ps), &off, &pr) && pr.key_len == 4 && pr.has_val && pr.val_len == 2);
    CHECK(smtp_next_param(ps, strlen(ps), &off, &pr) && pr.key_off == 9);
    CHECK(smtp_next_param(ps, strlen(ps), &off, &pr) && !pr.has_val && pr.key_len == 8);
    CHECK(!smtp_next_param(ps, strlen(ps), &off, &pr));
    uint64_t v;
    CHECK(smtp_parse_u64(S("2097152"), &v) && v == 2097152);
    CHECK(!smtp_parse_u64(S("12a"), &v));
    CHECK(!smtp_parse_u64(S("12345678901234567890"), &v));
}

static void test_replies(void)
{
    smtp_reply_line_t r;
    CHECK(smtp_parse_reply_line(S("250-PIPELINING"), &r) && r.code == 250 && r.sep == '-' && r.text_off == 4);
    CHECK(smtp_parse_reply_line(S("334"), &r) && r.sep == 0);
    CHECK(!smtp_parse_reply_line(S("25O ok"), &r));
    CHECK(!smtp_parse_reply_line(S("2500 x"), &r));
    smtp_enh_t e;
    CHECK(smtp_parse_enhanced(S("5.1.1 <x>"), &e) == SMTP_ENH_VALID && e.cls == 5 && e.subject == 1 && e.len == 5);
    CHECK(smtp_parse_enhanced(S("2.01.5 Ok"), &e) == SMTP_ENH_MALFORMED);
    CHECK(smtp_parse_enhanced(S("6.0.0 x"), &e) == SMTP_ENH_MALFORMED);
    CHECK(smtp_parse_enhanced(S("2.1.1234 x"), &e) == SMTP_ENH_MALFORMED);
    CHECK(smtp_parse_enhanced(S("10.0.0.1 ready"), &e) == SMTP_ENH_MALFORMED);
    CHECK(smtp_parse_enhanced(S("Ok: queued"), &e) == SMTP_ENH_NONE);
    CHECK(smtp_parse_enhanced(S("2.0.0"), &e) == SMTP_ENH_VALID);
    CHECK(smtp_is_domain_or_literal(S("mail.example.com")));
    CHECK(smtp_is_domain_or_literal(S("[192.0.2.1]")));
    CHECK(!smtp_is_domain_or_literal(S("a@b.c")));
    unsigned char a[16];
    CHECK(smtp_helo_address(S("[192.0.2.1]"), a) == 4 && a[0] == 192 && a[3] == 1);
    CHECK(smtp_helo_address(S("192.0.2.1"), a) == 4);
    CHECK(smtp_helo_address(S("[IPv6:2001:db8::1]"), a) == 6 && a[0] == 0x20 && a[15] == 1);
    CHECK(smtp_helo_address(S("[ipv6:::1]"), a) == 6);
    CHECK(smtp_helo_address(S("mail.example.com"), a) == 0);
    CHECK(smtp_helo_address(S("[192.0.2.1"), a) == 0);
    CHECK(smtp_helo_address(S("[]"), a) == 0);
    CHECK(smtp_helo_address(S("[192.0.2.1]x"), a) == 0);
    static const char *const local[] = { "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1",
                                         "169.254.1.1", "100.64.0.1", "100.127.1.1", "0.0.0.0", "::", "::1",
                                         "fd00::1", "fc00::1", "fe80::1", "febf::1" };
    static const char *const global[] = { "172.32.0.1", "172.15.0.1", "100.128.0.1", "100.63.0.1", "192.0.2.1",
                                          "8.8.8.8", "2001:db8::1", "::2", "fec0::1", "ff02::1" };
    for (size_t i = 0; i < sizeof local / sizeof *local; i++) {
        int family = smtp_ip_parse(local[i], strlen(local[i]), a);
        CHECK(family && smtp_ip_is_local(family, a));
    }
    for (size_t i = 0; i < sizeof global / sizeof *global; i++) {
        int family = smtp_ip_parse(global[i], strlen(global[i]), a);
        CHECK(family && !smtp_ip_is_local(family, a));
    }
    CHECK(!smtp_ip_is_local(0, a));
    CHECK(smtp_cmd_suggest(S("VERFY"), SMTP_CMD_UNKNOWN) == SMTP_CMD_VRFY);      /* a letter added */
    CHECK(smtp_cmd_suggest(S("rcpt"), SMTP_CMD_UNKNOWN) == SMTP_CMD_UNKNOWN);    /* the verb itself */
    CHECK(smtp_cmd_suggest(S("RCTP"), SMTP_CMD_UNKNOWN) == SMTP_CMD_RCPT);       /* two swapped */
    CHECK(smtp_cmd_suggest(S("DATE"), SMTP_CMD_UNKNOWN) == SMTP_CMD_DATA);       /* one changed */
    CHECK(smtp_cmd_suggest(S("STARTLS"), SMTP_CMD_UNKNOWN) == SMTP_CMD_STARTTLS);  /* one left out */
    CHECK(smtp_cmd_suggest(S("hlo"), SMTP_CMD_UNKNOWN) == SMTP_CMD_HELO);
    CHECK(smtp_cmd_suggest(S("hlo"), SMTP_CMD_HELO) == SMTP_CMD_EHLO);
    CHECK(smtp_cmd_suggest(S("hlo"), SMTP_CMD_EHLO) == SMTP_CMD_LHLO);
    CHECK(smtp_cmd_suggest(S("hlo"), SMTP_CMD_LHLO) == SMTP_CMD_UNKNOWN);
    CHECK(smtp_cmd_suggest(S("QUEUE"), SMTP_CMD_UNKNOWN) == SMTP_CMD_UNKNOWN);
    CHECK(smtp_cmd_suggest(S("MA"), SMTP_CMD_UNKNOWN) == SMTP_CMD_UNKNOWN);
    CHECK(smtp_cmd_suggest(S("MAILL"), SMTP_CMD_UNKNOWN) == SMTP_CMD_MAIL);
    CHECK(smtp_cmd_suggest(S("XMAIL"), SMTP_CMD_UNKNOWN) == SMTP_CMD_MAIL);
    CHECK(smtp_cmd_suggest(S("MIAL"), SMTP_CMD_UNKNOWN) == SMTP_CMD_MAIL);
    CHECK(smtp_cmd_suggest(S("MAI\0"), SMTP_CMD_UNKNOWN) == SMTP_CMD_MAIL);     /* (changed to NUL) */
    CHECK(smtp_cmd_suggest(S("AMIL"), SMTP_CMD_UNKNOWN) == SMTP_CMD_MAIL);
    CHECK(smtp_cmd_suggest(S("MLIA"), SMTP_CMD_UNKNOWN) == SMTP_CMD_UNKNOWN);    /* two apart */
    /* before any reply: a line meant as a command, or message text (a capture begun inside DATA) */
    CHECK(smtp_may_be_command(S("mail from:<a@b.c>"), true));
    CHECK(smtp_may_be_command(S("HLEO me"), false));                          /* a typing error */
    CHECK(smtp_may_be_command(S(""), false));
    CHECK(smtp_may_be_command(S("\xff\xfb\x18" "EHLO x"), false));          /* Telnet negotiation */
    CHECK(smtp_may_be_command(S("dXNlcg=="), true));                          /* an AUTH answer */
    CHECK(!smtp_may_be_command(S("dXNlcg=="), false));                        /* base64 body lines */
    CHECK(!smtp_may_be_command(S("Regards,"), true));
    CHECK(smtp_may_be_command(S("X-ANONYMOUSTLS"), false) && smtp_may_be_command(S("XSHADOW 1"), false));
    CHECK(!smtp_may_be_command(S("Bob"), true) && !smtp_may_be_command(S("BOB"), true));
    CHECK(!smtp_may_be_command(S("Xshadow"), false));
    CHECK(!smtp_may_be_command(S("quarterly figures attached"), false));
    CHECK(!smtp_may_be_command(S("."), true));
    CHECK(smtp_telnet_prefix((const uint8_t *)"\xff\xfb\x1f\xff\xfd\x03HELO x", 12) == 6);
    CHECK(smtp_telnet_prefix((const uint8_t *)"\xff\xfa\x18\x00VT100\xff\xf0" "EHLO", 15) == 11);
    CHECK(smtp_telnet_prefix((const uint8_t *)"\xff\xf1NOOP", 6) == 2);      /* IAC NOP */
    CHECK(smtp_telnet_prefix((const uint8_t *)"\xff\xffx", 3) == 0);         /* a 0xFF byte of data */
    CHECK(smtp_telnet_prefix((const uint8_t *)"\xff\xfb", 2) == 2);          /* cut: all of it */
    CHECK(smtp_telnet_prefix((const uint8_t *)"HELO", 4) == 0);
    CHECK(smtp_reply_fits(354, SMTP_CMD_DATA) && !smtp_reply_fits(354, SMTP_CMD_RCPT));
    CHECK(strcmp(smtp_cmd_glued(S("MAILFROM:<a@b>")), "MAIL FROM:") == 0);
    CHECK(strcmp(smtp_cmd_glued(S("rcptto:")), "RCPT TO:") == 0);
    CHECK(smtp_cmd_glued(S("MAIL")) == NULL && smtp_cmd_glued(S("RCPT")) == NULL);
    CHECK(smtp_cmd_spelled_out(S("verify")) == SMTP_CMD_VRFY && smtp_cmd_spelled_out(S("EXIT")) == SMTP_CMD_QUIT);
    CHECK(smtp_cmd_spelled_out(S("LOGIN")) == SMTP_CMD_AUTH && smtp_cmd_spelled_out(S("EXPAND")) == SMTP_CMD_EXPN);
    CHECK(smtp_cmd_spelled_out(S("VERIFYX")) == SMTP_CMD_UNKNOWN && smtp_cmd_spelled_out(S("VRFY")) == SMTP_CMD_UNKNOWN);
    CHECK(smtp_reply_fits(221, SMTP_CMD_QUIT) && !smtp_reply_fits(221, SMTP_CMD_RSET));
    CHECK(smtp_reply_fits(334, SMTP_CMD_AUTH) && !smtp_reply_fits(235, SMTP_CMD_MAIL));
    CHECK(smtp_reply_fits(250, SMTP_CMD_MAIL) && smtp_reply_fits(550, SMTP_CMD_DATA));
}

static void test_sasl(void)
{
    smtp_sasl_fields_t f;
    CHECK(smtp_base64_valid(S("c3R1ZGVudA==")));
    CHECK(!smtp_base64_valid(S("c3R1ZGVudA=")));
    CHECK(!smtp_base64_valid(S("not*base64!x")));
    CHECK(smtp_sasl_mech(S("cram-md5")) == SMTP_SASL_CRAM_MD5);
    CHECK(smtp_sasl_parse(SMTP_SASL_PLAIN, 0, (const uint8_t *)"z\0u\0p", 5, &f) && f.authzid.set &&
          f.user.off == 2 && f.user.len == 1 && f.secret.off == 4);
    CHECK(!smtp_sasl_parse(SMTP_SASL_PLAIN, 0, (const uint8_t *)"nonul", 5, &f));
    CHECK(smtp_sasl_parse(SMTP_SASL_CRAM_MD5, 0, (const uint8_t *)S("tim abcd"), &f) && f.user.len == 3 &&
          f.digest.off == 4);
    const char *xo = "user=a@b\x01" "auth=Bearer tok\x01\x01";
    CHECK(smtp_sasl_parse(SMTP_SASL_XOAUTH2, 0, (const uint8_t *)xo, strlen(xo), &f) && f.user.len == 3 &&
          f.secret.len == 3);
    const char *sc = "n,a=admin,n=user,r=abc";
    CHECK(smtp_sasl_parse(SMTP_SASL_SCRAM_SHA_256, 0, (const uint8_t *)sc, strlen(sc), &f) && f.user.len == 4 &&
          f.authzid.len == 5 && f.user.saslname && f.authzid.saslname && !f.secret.saslname);
    char name[32];
    CHECK(smtp_saslname_decode((const uint8_t *)S("a=2Cb=3dc"), name) == 5 && strcmp(name, "a,b=c") == 0);
    CHECK(smtp_saslname_decode((const uint8_t *)S("x=4=2"), name) == 5 && strcmp(name, "x=4=2") == 0);
    char inplace[] = "us=3Der=2Cx";
    CHECK(smtp_saslname_decode((const uint8_t *)inplace, strlen(inplace), inplace) == 7 &&
          strcmp(inplace, "us=er,x") == 0);
    CHECK(smtp_sasl_parse(SMTP_SASL_LOGIN, 1, (const uint8_t *)S("pw"), &f) && f.secret.set && !f.user.set);
}

static void test_imf(void)
{
    const char *b = "From: \"Bob\" <bob@x.example>\r\nTo: a,\r\n b\r\nSubject: hi\r\nfrom: second@y\r\n";
    char v[64];
    CHECK(smtp_header_get(b, strlen(b), "to", 0, v, sizeof v) && strcmp(v, "a, b") == 0);
    CHECK(smtp_header_get(b, strlen(b), "From", 1, v, sizeof v) && strcmp(v, "second@y") == 0);
    CHECK(!smtp_header_get(b, strlen(b), "Cc", 0, v, sizeof v));
    size_t hn, ho;      /* obsolete: blanks before the colon (RFC 5322 4.5); a body line is no field */
    CHECK(smtp_header_split(S("From : ceo@bank.example"), &hn, &ho) && hn == 4 && ho == 7);
    CHECK(!smtp_header_split(S("Hello world: x"), &hn, &ho) && !smtp_header_split(S(" : x"), &hn, &ho));
    CHECK(smtp_header_get(b, strlen(b), "Subject", 0, v, 3) && strcmp(v, "hi") == 0);
    CHECK(smtp_header_count(b, strlen(b), "FROM") == 2);
    static const char *const names[] = { "From", "to", "Cc", "Subject" };
    unsigned counts[4];
    smtp_header_counts(b, strlen(b), names, 4, counts);
    CHECK(counts[0] == 2 && counts[1] == 1 && counts[2] == 0 && counts[3] == 1);
    size_t pos = 0;
    CHECK(smtp_header_next(b, strlen(b), "from", &pos, v, sizeof v) && strcmp(v, "\"Bob\" <bob@x.example>") == 0);
    CHECK(smtp_header_next(b, strlen(b), "from", &pos, v, sizeof v) && strcmp(v, "second@y") == 0);
    CHECK(!smtp_header_next(b, strlen(b), "from", &pos, v, sizeof v) && pos >= strlen(b));
    static const struct { const char *msg; size_t block; } blocks[] = {
        { "A: 1\r\nB: 2\r\n\r\nbody", 12 }, { "A: 1\nB: 2\n\nbody\n", 10 }, { "\r\nbody", 0 },
        { "A: 1\r\nB: 2", 10 }, { "A: 1\r", 5 }, { "A: 1\r\n \r\n\r\n", 9 },
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        CHECK(smtp_header_block_len(blocks[i].msg, strlen(blocks[i].msg)) == blocks[i].block);
    CHECK(smtp_header_block_len("", 0) == 0);
    smtp_mailbox_t mb;
    const char *m = "\"Bob\" <bob@x.example>";
    CHECK(smtp_mailbox_parse(m, strlen(m), &mb) && mb.display_len == 3 && mb.addr_len == 13);
    CHECK(smtp_mailbox_parse(S(" alice@example.com "), &mb) && mb.addr_off == 1 && mb.addr_len == 17);
    /* quoted-pairs in a display name and a comment, comments before and after an address */
    static const struct { const char *v, *addr; } boxes[] = {
        { "\"x\\\" <x@evil.example> \\\"\" <ceo@bank.example>", "ceo@bank.example" },
        { "(x \\) <x@evil.example> ) <ceo@bank.example>", "ceo@bank.example" },
        { "(CEO) ceo@bank.example", "ceo@bank.example" },
        { "bob@b.example (Bob (the boss))", "bob@b.example" },
        { " (a) (b) c@d.example (e) ", "c@d.example" },
    };
    for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++)
        CHECK(smtp_mailbox_parse(boxes[i].v, strlen(boxes[i].v), &mb) && mb.addr_len == strlen(boxes[i].addr) &&
              strncmp(boxes[i].v + mb.addr_off, boxes[i].addr, mb.addr_len) == 0);
    CHECK(!smtp_mailbox_parse(S("(only a comment)"), &mb));
    size_t epos = 0;
    const char *esc = "(a \\, b) x@y.example, z@w.example";
    CHECK(smtp_mailbox_list_next(esc, strlen(esc), &epos, &mb) && strncmp(esc + mb.addr_off, "x@y.example", 11) == 0);
    /* address lists: quoted commas, comments, groups, domain literals */
    const char *list = "\"Doe, Jane\" <jane@a.example>, bob@b.example (Bob, the boss),"
                       " team: c@c.example, d@[IPv6:2001:db8::1];, undisclosed-recipients:;";
    static const char *const members[] = { "jane@a.example", "bob@b.example", "c@c.example",
                                           "d@[IPv6:2001:db8::1]" };
    size_t lpos = 0, got = 0;
    while (smtp_mailbox_list_next(list, strlen(list), &lpos, &mb)) {
        CHECK(got < 4 && mb.addr_len == strlen(members[got]) &&
              strncmp(list + mb.addr_off, members[got], mb.addr_len) == 0);
        got++;
    }
    CHECK(got == 4 && lpos == strlen(list) && mb.addr_len == 0);
    lpos = 0;
    CHECK(!smtp_mailbox_list_next(S("undisclosed-recipients:;"), &lpos, &mb));
    size_t off, n;
    CHECK(smtp_queue_id(S("2.0.0 Ok: queued as 85155CD43"), &off, &n) && n == 9);
    CHECK(smtp_queue_id(S("OK id=1q2w3e-0004Xy-AB"), &off, &n) && off == 6);
    CHECK(!smtp_queue_id(S("2.0.0 Ok"), &off, &n));
    CHECK(smtp_queue_id(S("2.0.0 <bob@example.org> eG8pB3vQM2W0AQAA Saved"), &off, &n) && off == 24 && n == 16);
    CHECK(!smtp_queue_id(S("2.0.0 <bob@example.org> Saved"), &off, &n));
    CHECK(!smtp_queue_id(S("2.1.5 <bob@example.org> OK"), &off, &n));
    /* the phrase alone names no id; an id= inside a word is no marker; punctuation ends an id */
    CHECK(!smtp_queue_id(S("2.0.0 Message accepted for delivery"), &off, &n));
    CHECK(!smtp_queue_id(S("Message accepted for delivery"), &off, &n));
    CHECK(smtp_queue_id(S("2.0.0 x1234567 Message accepted for delivery"), &off, &n) && off == 6 && n == 8);
    CHECK(smtp_queue_id(S("2.6.0 <m7@ex.test> [InternalId=12345, Hostname=EX01] Queued mail for delivery"),
                        &off, &n) && off == 7 && n == 10);
    CHECK(!smtp_queue_id(S("2.0.0 queued as (deferred)"), &off, &n));
    CHECK(smtp_queue_id(S("OK id=1q2w3e-0004Xy-AB, thanks"), &off, &n) && n == 16);
    CHECK(smtp_address_domain(S("a@b.c"), &off) && off == 2);
    CHECK(!smtp_address_domain(S("194.87.96.192"), &off));
}

/* The clause kw of r as a string (into buf), "" if absent. */
static const char *clause(const char *v, smtp_range_t c, char *buf)
{
    memcpy(buf, v + c.off, c.len);
    buf[c.len] = '\0';
    return buf;
}

static void test_received(void)
{
    static const struct {
        const char *value, *from, *ip, *by, *with, *id, *for_, *date;
        int family;
    } cases[] = {
        /* Postfix */
        { "from client.example (rdns.example [203.0.113.5]) by mx.example (Postfix) with ESMTPS id 4A1B2C "
          "for <bob@example.org>; Tue, 15 Jan 2008 16:02:43 -0500",
          "client.example", "203.0.113.5", "mx.example", "ESMTPS", "4A1B2C", "<bob@example.org>",
          "Tue, 15 Jan 2008 16:02:43 -0500", 4 },
        /* Exim, an address literal with a tag, nested comments */
        { "from [IPv6:2001:db8::1] (helo=pc (the (laptop))) by mx.example with esmtp (Exim 4.96) "
          "(envelope-from <a@b>) id 1q2w3e-0001; Mon, 1 Jan 2024 00:00:00 +0000",
          "[IPv6:2001:db8::1]", "2001:db8::1", "mx.example", "esmtp", "1q2w3e-0001", "", "Mon, 1 Jan 2024 00:00:00 +0000",
          6 },
        /* Exchange: a bare address in the comment; a ';' inside a comment is not the date's */
        { "from EX01.corp (10.0.0.5) by EX02.corp (10.0.0.6) with Microsoft SMTP Server (a=b; c=d) id 15.1;"
          " Wed, 2 Feb 2022 10:00:00 +0100",
          "EX01.corp", "10.0.0.5", "EX02.corp", "Microsoft", "15.1", "", "Wed, 2 Feb 2022 10:00:00 +0100", 4 },
        /* qmail: the address in a second comment */
        { "from unknown (HELO client) (192.0.2.7) by mail.example with SMTP; 5 Mar 2020 12:00:00 -0000",
          "unknown", "192.0.2.7", "mail.example", "SMTP", "", "", "5 Mar 2020 12:00:00 -0000", 4 },
        /* Postfix, a client behind NAT: the address the server saw wins over the HELO literal */
        { "from [192.168.1.5] (dsl-9.isp.example [203.0.113.9]) by mx.example.org (Postfix) with ESMTPSA id 4AbC;"
          " Mon, 1 Jan 2024 00:00:00 +0000",
          "[192.168.1.5]", "203.0.113.9", "mx.example.org", "ESMTPSA", "4AbC", "", "Mon, 1 Jan 2024 00:00:00 +0000", 4 },
        /* no from clause, no date; an address-like word after by is not the sender's */
        { "by localhost (Postfix, from userid 1000) id 9F8E7D", "", "", "localhost", "", "9F8E7D", "", "", 0 },
        /* no valid address: 999.1.1.1 and [bad] are not addresses */
        { "from x ([bad] 999.1.1.1) by y", "x", "", "y", "", "", "", "", 0 },
    };
    char a[128];
    smtp_received_t r;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *v = cases[i].value;
        CHECK(smtp_received_parse(v, strlen(v), &r));
        CHECK(strcmp(clause(v, r.clause[SMTP_RCVD_FROM], a), cases[i].from) == 0);
        CHECK(strcmp(clause(v, r.ip, a), cases[i].ip) == 0 && r.ip_family == cases[i].family);
        CHECK(strcmp(clause(v, r.clause[SMTP_RCVD_BY], a), cases[i].by) == 0);
        CHECK(strcmp(clause(v, smtp_received_by(v, strlen(v)), a), cases[i].by) == 0);
        CHECK(strcmp(clause(v, r.clause[SMTP_RCVD_WITH], a), cases[i].with) == 0);
        CHECK(strcmp(clause(v, r.clause[SMTP_RCVD_ID], a), cases[i].id) == 0);
        CHECK(strcmp(clause(v, r.clause[SMTP_RCVD_FOR], a), cases[i].for_) == 0);
        CHECK(strcmp(clause(v, r.date, a), cases[i].date) == 0);
    }
    static const unsigned char v4[4] = { 192, 0, 2, 7 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    CHECK(smtp_received_parse(cases[3].value, strlen(cases[3].value), &r) && memcmp(r.ip_addr, v4, 4) == 0);
    CHECK(smtp_received_parse(cases[1].value, strlen(cases[1].value), &r) && memcmp(r.ip_addr, v6, 16) == 0);
    CHECK(!smtp_received_parse(S("   (only a comment"), &r) && r.ip_family == 0);
    CHECK(smtp_received_parse(S("; Tue, 1 Jan 2008"), &r) && r.date.len == 15);
    CHECK(!smtp_received_parse(S("from"), &r));
    smtp_range_t date = smtp_received_date(S("from a (b; c) by d; x (y; z) ;  Tue, 1 Jan 2008 "));
    CHECK(date.off == 32 && date.len == 15);
    CHECK(smtp_received_date(S("from a (b; c)")).len == 0);
}

static void test_dkim(void)
{
    const char *v = "v=1; a=rsa-sha256; c=relaxed/relaxed;  d = news.example.com ;s=sel1;\tbh=abc=; b=x";
    char a[64];
    smtp_range_t t;

    CHECK(smtp_dkim_tag(v, strlen(v), "d", &t.off, &t.len) && strcmp(clause(v, t, a), "news.example.com") == 0);
    CHECK(smtp_dkim_tag(v, strlen(v), "s", &t.off, &t.len) && strcmp(clause(v, t, a), "sel1") == 0);
    CHECK(smtp_dkim_tag(v, strlen(v), "bh", &t.off, &t.len) && strcmp(clause(v, t, a), "abc=") == 0);
    CHECK(!smtp_dkim_tag(v, strlen(v), "D", &t.off, &t.len));        /* tag names are case-sensitive */
    CHECK(!smtp_dkim_tag(v, strlen(v), "i", &t.off, &t.len));
    CHECK(!smtp_dkim_tag(S("d=; s"), "d", &t.off, &t.len) && !smtp_dkim_tag(S("d=; s"), "s", &t.off, &t.len));
}

/* The verdict of the ARC headers given as "kind:value" lines (kind s, m, r). */
static smtp_arc_chain_t arc_chain(const char *const *headers, size_t n)
{
    smtp_arc_sets_t sets = { 0 };
    smtp_arc_chain_t chain;

    for (size_t i = 0; i < n; i++) {
        smtp_arc_kind_t kind = headers[i][0] == 's' ? SMTP_ARC_SEAL : headers[i][0] == 'm' ? SMTP_ARC_SIGNATURE
                             : SMTP_ARC_RESULTS;
        smtp_arc_add(&sets, kind, headers[i] + 2, strlen(headers[i] + 2));
    }
    smtp_arc_verdict(&sets, &chain);
    return chain;
}

#define ARC(...) arc_chain((const char *const[]){ __VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

static void test_arc(void)
{
    smtp_arc_chain_t c = ARC("s:i=2; cv=pass; d=b", "m:i=2; d=b", "r:i=2; b.example; spf=pass",
                             "s:i=1; cv=None; d=a", "m:a=rsa-sha256; i=1", "r:i=1; a.example; dkim=pass header.i=@x");
    CHECK(c.verdict == SMTP_ARC_INTACT && c.instances == 2);
    c = ARC("s:i=1; cv=none", "m:i=1", "r:i=1; a", "s:i=2; cv=pass", "m:i=2");
    CHECK(c.verdict == SMTP_ARC_MISSING && c.at == 2 && c.kind == SMTP_ARC_RESULTS);
    c = ARC("s:i=1; cv=none", "m:i=1", "m:i=1", "r:i=1");
    CHECK(c.verdict == SMTP_ARC_DUPLICATE && c.at == 1 && c.kind == SMTP_ARC_SIGNATURE);
    c = ARC("s:i=3; cv=pass", "m:i=3", "r:i=3", "s:i=1; cv=none", "m:i=1", "r:i=1");
    CHECK(c.verdict == SMTP_ARC_MISSING && c.at == 2 && c.kind == SMTP_ARC_SEAL && c.instances == 3);
    /* a seal saying fail is reported before the sets it leaves incomplete */
    c = ARC("s:i=2; cv=fail", "s:i=1; cv=none", "m:i=1", "r:i=1");
    CHECK(c.verdict == SMTP_ARC_FAILED && c.at == 2);
    c = ARC("s:i=1; cv=pass", "m:i=1", "r:i=1");
    CHECK(c.verdict == SMTP_ARC_WRONG_CV && c.at == 1);
    c = ARC("s:i=1; cv=none", "m:i=1", "r:i=1", "s:i=2; cv=none", "m:i=2", "r:i=2");
    CHECK(c.verdict == SMTP_ARC_WRONG_CV && c.at == 2);
    c = ARC("s:i=1", "m:i=1", "r:i=1");                               /* no cv= */
    CHECK(c.verdict == SMTP_ARC_WRONG_CV && c.at == 1);
    c = ARC("s:i=1; cv=none", "m:i=51", "r:i=1");
    CHECK(c.verdict == SMTP_ARC_NO_INSTANCE && c.kind == SMTP_ARC_SIGNATURE);
    c = ARC("s:i=1; cv=none", "m:i=1", "r:a.example; i=x");
    CHECK(c.verdict == SMTP_ARC_NO_INSTANCE && c.kind == SMTP_ARC_RESULTS);
    c = ARC("s:i=0; cv=none");
    CHECK(c.verdict == SMTP_ARC_NO_INSTANCE);
}

/* The canonical body as one string. */
static void append_canon(void *data, const char *bytes, size_t len)
{
    char *out = data;
    size_t n = strlen(out);
    memcpy(out + n, bytes, len);
    out[n + len] = '\0';
}

static bool canon_is(const char *body, smtp_dkim_canon_t c, uint64_t limit, const char *want, uint64_t total)
{
    char out[256] = "";
    return smtp_dkim_body_canon(body, strlen(body), c, limit, append_canon, out) == total && strcmp(out, want) == 0;
}

static void test_dkim_body(void)
{
    smtp_dkim_body_sig_t sig;
    const char *v = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=a.example; s=s; l=26; bh=ab cd=; b=x";

    CHECK(smtp_dkim_body_sig_parse(v, strlen(v), &sig) && sig.hash == SMTP_DKIM_SHA256 && sig.body == SMTP_DKIM_RELAXED &&
          sig.has_length && sig.length == 26 && sig.bh.len == 6 && strncmp(v + sig.bh.off, "ab cd=", 6) == 0);
    /* c= absent, or naming only the header half: the body is simple */
    CHECK(smtp_dkim_body_sig_parse(S("a=rsa-sha1; bh=x"), &sig) && sig.hash == SMTP_DKIM_SHA1 &&
          sig.body == SMTP_DKIM_SIMPLE && !sig.has_length);
    CHECK(smtp_dkim_body_sig_parse(S("a=ed25519-sha256; c=relaxed; bh=x"), &sig) && sig.body == SMTP_DKIM_SIMPLE);
    CHECK(smtp_dkim_body_sig_parse(S("a=RSA-SHA256; c=simple/Relaxed; bh=x"), &sig) && sig.body == SMTP_DKIM_RELAXED);
    CHECK(!smtp_dkim_body_sig_parse(S("a=rsa-md5; bh=x"), &sig));
    CHECK(!smtp_dkim_body_sig_parse(S("a=rsa-sha256; c=relaxed/nowsp; bh=x"), &sig));
    CHECK(!smtp_dkim_body_sig_parse(S("a=rsa-sha256; l=1x; bh=x"), &sig));
    CHECK(!smtp_dkim_body_sig_parse(S("a=rsa-sha256; l=99999999999999999999; bh=x"), &sig));
    CHECK(!smtp_dkim_body_sig_parse(S("a=rsa-sha256; b=x"), &sig));
    /* h= and x= */
    CHECK(smtp_dkim_signs(S("Date:To : \r\n From:subject"), "from") && smtp_dkim_signs(S("from"), "from"));
    CHECK(!smtp_dkim_signs(S("to:subject:x-from:fromx"), "from") && !smtp_dkim_signs(S(""), "from"));
    uint64_t x;
    CHECK(smtp_dkim_number(S("v=1; x=1600000000; t=1"), "x", &x) && x == 1600000000);
    CHECK(!smtp_dkim_number(S("x=16e8"), "x", &x) && !smtp_dkim_number(S("x=1234567890123"), "x", &x) &&
          !smtp_dkim_number(S("t=1"), "x", &x));
    /* RFC 6376 3.4.5's example */
    const char *body = " C \r\nD \t E\r\n\r\n\r\n";
    CHECK(canon_is(body, SMTP_DKIM_SIMPLE, UINT64_MAX, " C \r\nD \t E\r\n", 12));
    CHECK(canon_is(body, SMTP_DKIM_RELAXED, UINT64_MAX, " C\r\nD E\r\n", 9));
    /* empty bodies; a last line without CRLF gets one (its blanks stay one space, as dkimpy has it) */
    CHECK(canon_is("", SMTP_DKIM_SIMPLE, UINT64_MAX, "\r\n", 2) && canon_is("", SMTP_DKIM_RELAXED, UINT64_MAX, "", 0));
    CHECK(canon_is("\r\n \r\n", SMTP_DKIM_RELAXED, UINT64_MAX, "", 0));
    CHECK(canon_is("a\r\n\r\nb  ", SMTP_DKIM_RELAXED, UINT64_MAX, "a\r\n\r\nb \r\n", 9));
    CHECK(canon_is("a\rb\nc", SMTP_DKIM_SIMPLE, UINT64_MAX, "a\rb\nc\r\n", 7));
    /* l=: only the first bytes go out, the whole length is returned */
    CHECK(canon_is("hello\r\nworld\r\n", SMTP_DKIM_SIMPLE, 7, "hello\r\n", 14));
}

static void test_mime_params(void)
{
    char out[64];

    CHECK(smtp_mime_param(S("text/plain; charset=utf-8; name=\"a b.txt\""), "name", out, sizeof out) &&
          strcmp(out, "a b.txt") == 0);
    CHECK(smtp_mime_param(S("attachment; FILENAME = report.pdf ;size=3"), "filename", out, sizeof out) &&
          strcmp(out, "report.pdf") == 0);
    CHECK(smtp_mime_param(S("attachment; filename=\"x\\\"y;z.txt\""), "filename", out, sizeof out) &&
          strcmp(out, "x\"y;z.txt") == 0);
    /* RFC 2231: encoded, continued, and preferred to the plain form */
    CHECK(smtp_mime_param(S("attachment; filename=plain.txt; filename*=UTF-8''na%C3%AFve%20file.pdf"), "filename",
                          out, sizeof out) && strcmp(out, "na\xc3\xafve file.pdf") == 0);
    CHECK(smtp_mime_param(S("attachment; filename*0*=us-ascii'en'long%20; filename*1=\"name.\"; filename*2=doc"),
                          "filename", out, sizeof out) && strcmp(out, "long name.doc") == 0);
    CHECK(!smtp_mime_param(S("attachment; filenamex=a; xfilename=b; filename"), "filename", out, sizeof out));
    CHECK(!smtp_mime_param(S("multipart/mixed"), "boundary", out, sizeof out));
    CHECK(smtp_mime_param(S("multipart/mixed; boundary=\"=_b;1\""), "boundary", out, sizeof out) &&
          strcmp(out, "=_b;1") == 0);
    CHECK(smtp_mime_param(S("a; name=\"unterminated"), "name", out, sizeof out) && strcmp(out, "unterminated") == 0);
    CHECK(smtp_mime_param(S("a; name=0123456789"), "name", out, 5) && strcmp(out, "0123") == 0);
}

static void test_mime_walk(void)
{
    static const char msg[] =
        "From: a@b\r\nContent-Type: multipart/mixed;\r\n boundary=\"outer\"\r\n\r\n"
        "preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
        "--inner\r\n\r\nplain text\r\n--inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--inner--\r\n"
        "--outer\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
        "Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\n"
        "Content-Transfer-Encoding: BASE64\r\n\r\nTVqQAAMA\r\nAAAE\r\n--outer--\r\nepilogue\r\n";
    smtp_mime_walk_t w;
    smtp_mime_part_t p;

    smtp_mime_walk_init(&w, S(msg));
    CHECK(smtp_mime_walk_next(&w, &p) && strcmp(p.type, "text/plain") == 0 && p.depth == 2 && !p.name[0] &&
          p.body_len == 10 && memcmp(msg + p.body_off, "plain text", 10) == 0);
    CHECK(smtp_mime_walk_next(&w, &p) && strcmp(p.type, "text/html") == 0 && p.body_len == 9);
    CHECK(smtp_mime_walk_next(&w, &p) && strcmp(p.type, "application/octet-stream") == 0 && p.depth == 1 &&
          strcmp(p.name, "invoice.pdf.exe") == 0 && p.attachment && p.cte == SMTP_CTE_BASE64 &&
          strcmp(p.encoding, "base64") == 0 && p.body_len == 14 &&
          memcmp(msg + p.body_off, "TVqQAAMA\r\nAAAE", 14) == 0);
    CHECK(!smtp_mime_walk_next(&w, &p) && !w.limited && w.faults == 0);
    CHECK(smtp_base64_body_fault(S("TVqQ AAMA\r\nAAAE\r\n")) == 17);
    CHECK(smtp_base64_body_fault(S("TVq!QAAMA")) == 3);
    CHECK(smtp_base64_body_fault(S("aGk=\r\naGk=")) == 6);
    CHECK(smtp_base64_body_fault(S("aGk=\r\n=")) == 7);

    /* faults of structure: no closing delimiter, no boundary, a boundary over 70 */
    smtp_mime_walk_init(&w, S("Content-Type: multipart/mixed; boundary=u\r\n\r\n--u\r\n\r\nbody\r\n"));
    CHECK(smtp_mime_walk_next(&w, &p) && !smtp_mime_walk_next(&w, &p) && w.faults == SMTP_MIME_UNCLOSED);
    smtp_mime_walk_init(&w, S("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n--x--\r\n"));
    CHECK(smtp_mime_walk_next(&w, &p) && p.depth == 0 && !smtp_mime_walk_next(&w, &p) &&
          w.faults == SMTP_MIME_NO_BOUNDARY);
    smtp_mime_walk_init(&w, S("Content-Type: multipart/mixed; boundary=\"0123456789012345678901234567890123456789"
                              "012345678901234567890123456789X\"\r\n\r\nbody\r\n"));
    CHECK(smtp_mime_walk_next(&w, &p) && w.faults == SMTP_MIME_LONG_BOUNDARY);

    /* not multipart: the message is the one part */
    smtp_mime_walk_init(&w, S("Content-Type: application/pdf; name=x.pdf\n\n%PDF"));
    CHECK(smtp_mime_walk_next(&w, &p) && p.depth == 0 && strcmp(p.name, "x.pdf") == 0 && p.body_len == 4);
    CHECK(!smtp_mime_walk_next(&w, &p));

    /* a delimiter that only starts like the boundary, an inner part never
     * closed (the outer delimiter closes it), a part with no header block */
    static const char odd[] = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--bx\r\n"
                              "--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n\r\nin\r\n"
                              "--b\r\n--b--\r\n";
    smtp_mime_walk_init(&w, S(odd));
    CHECK(smtp_mime_walk_next(&w, &p) && p.body_len == 4 && memcmp(odd + p.body_off, "--bx", 4) == 0);
    CHECK(smtp_mime_walk_next(&w, &p) && p.depth == 2 && p.body_len == 2);
    CHECK(smtp_mime_walk_next(&w, &p) && p.depth == 1 && p.body_len == 0);
    CHECK(!smtp_mime_walk_next(&w, &p));

    /* nesting deeper than followed, and too many parts: the walk stops */
    char deep[4096];
    size_t n = 0;
    for (int i = 0; i < SMTP_MIME_MAX_DEPTH + 2; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n,
                              "Content-Type: multipart/mixed; boundary=d%d\r\n\r\n--d%d\r\n", i, i);
    smtp_mime_walk_init(&w, deep, n);
    CHECK(smtp_mime_walk_next(&w, &p) && w.limited && strcmp(p.type, "multipart/mixed") == 0);
    static char many[64 * (SMTP_MIME_MAX_ENTITIES + 10)];
    n = (size_t)snprintf(many, sizeof many, "Content-Type: multipart/mixed; boundary=m\r\n\r\n");
    for (int i = 0; i < SMTP_MIME_MAX_ENTITIES + 5; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "--m\r\n\r\npart\r\n");
    smtp_mime_walk_init(&w, many, n);
    int parts = 0;
    while (smtp_mime_walk_next(&w, &p))
        parts++;
    CHECK(parts == SMTP_MIME_MAX_ENTITIES && w.limited);

    /* a long name keeps its extension */
    char longname[600];
    n = (size_t)snprintf(longname, sizeof longname, "Content-Disposition: attachment; filename=");
    memset(longname + n, 'a', 400);
    n += 400;
    n += (size_t)snprintf(longname + n, sizeof longname - n, ".exe\r\n\r\nbody");
    smtp_mime_walk_init(&w, longname, n);
    CHECK(smtp_mime_walk_next(&w, &p) && strlen(p.name) == SMTP_MIME_MAX_NAME - 1 && strstr(p.name, "...") &&
          strcmp(p.name + strlen(p.name) - 4, ".exe") == 0);
}

static void test_mime_decode_and_risk(void)
{
    unsigned char out[64];
    smtp_file_risk_t r;

    CHECK(smtp_qp_decode(S("a=3Db=\r\nc=\nd=zz=4"), out) == 10 && memcmp(out, "a=bcd=zz=4", 10) == 0);
    CHECK(smtp_qp_decode(S("caf=C3=A9"), out) == 5 && memcmp(out, "caf\xc3\xa9", 5) == 0);
    smtp_file_risk(S("invoice.pdf.exe"), &r);
    CHECK(r.kind == SMTP_FILE_PROGRAM && r.double_ext && !r.bidi && r.ext_off == 12 && r.ext_len == 3);
    smtp_file_risk(S("setup.EXE. "), &r);
    CHECK(r.kind == SMTP_FILE_PROGRAM && !r.double_ext);
    smtp_file_risk(S("disk.iso"), &r);
    CHECK(r.kind == SMTP_FILE_DISK_IMAGE);
    smtp_file_risk(S("budget.xlsm"), &r);
    CHECK(r.kind == SMTP_FILE_MACRO);
    smtp_file_risk(S("report.pdf"), &r);
    CHECK(r.kind == SMTP_FILE_PLAIN && !r.double_ext);
    smtp_file_risk(S("noext"), &r);
    CHECK(r.kind == SMTP_FILE_PLAIN);
    smtp_file_risk(S("photo\xe2\x80\xaegpj.scr"), &r);
    CHECK(r.kind == SMTP_FILE_PROGRAM && r.bidi);
    smtp_file_risk(S("a\xe2\x81\xa6.txt"), &r);
    CHECK(r.kind == SMTP_FILE_PLAIN && r.bidi);
    CHECK(smtp_bidi_control((const unsigned char *)S("\xe2\x80\xae")) == 0x202E);
    CHECK(smtp_bidi_control((const unsigned char *)S("\xe2\x81\xa9")) == 0x2069);
    CHECK(smtp_bidi_control((const unsigned char *)S("\xe2\x80\xa9")) == 0);
    CHECK(smtp_bidi_control((const unsigned char *)S("\xe2\x80")) == 0);
    CHECK(smtp_file_magic((const unsigned char *)S("MZ\x90")) != NULL);
    CHECK(smtp_file_magic((const unsigned char *)S("\x7f" "ELF\x02")) != NULL);
    CHECK(smtp_file_magic((const unsigned char *)"L\0\0\0\x01\x14\x02\0", 8) != NULL);
    CHECK(smtp_file_magic((const unsigned char *)S("%PDF-1.7")) == NULL);
    CHECK(smtp_file_magic((const unsigned char *)S("M")) == NULL);
    CHECK(smtp_zip_encrypted((const unsigned char *)"PK\x03\x04\x14\x00\x01\x00", 8));
    CHECK(!smtp_zip_encrypted((const unsigned char *)"PK\x03\x04\x14\x00\x00\x08", 8));
    CHECK(!smtp_zip_encrypted((const unsigned char *)"PK\x03\x04\x14\x00\x01", 7));
    CHECK(!smtp_zip_encrypted((const unsigned char *)S("PK\x03\x04 macro")));    /* not a ZIP header */
}

static void test_links(void)
{
    static const char text[] = "See https://Example.org/a?b=1, or HTTP://x.example/path). Not http:// nor xhttps:";
    size_t pos = 0, off, len, hoff, hlen;

    CHECK(smtp_url_next(S(text), &pos, &off, &len) && len == 25 &&
          memcmp(text + off, "https://Example.org/a?b=1", 25) == 0);
    CHECK(smtp_url_next(S(text), &pos, &off, &len) && len == 21 &&
          memcmp(text + off, "HTTP://x.example/path", 21) == 0);
    CHECK(!smtp_url_next(S(text), &pos, &off, &len) && pos == sizeof text - 1);
    CHECK(smtp_url_host(S("https://user:pw@www.bank.example@evil.example:8080/x"), &hoff, &hlen) && hlen == 12 &&
          hoff == 33);
    CHECK(smtp_url_host(S("http://h.example"), &hoff, &hlen) && hoff == 7 && hlen == 9);
    CHECK(!smtp_url_host(S("http:///x"), &hoff, &hlen));
    CHECK(!smtp_url_host(S("mailto:a@b"), &hoff, &hlen));

    static const char html[] = "<p><A class=x HREF = \"http://evil.example/login\">www.bank.example</a>"
                               "<a name=top>no href</a><a href=http://ok.example/>Click <b>here</b></A>"
                               "<abbr>x</abbr><a href='http://last.example'>cut";
    smtp_html_link_t l;
    pos = 0;
    CHECK(smtp_html_link_next(S(html), &pos, &l) && l.href_len == 25 &&
          memcmp(html + l.href_off, "http://evil.example/login", 25) == 0 && l.text_len == 16 &&
          memcmp(html + l.text_off, "www.bank.example", 16) == 0);
    CHECK(smtp_html_link_next(S(html), &pos, &l) && l.href_len == 18 && l.text_len == 17 &&
          memcmp(html + l.text_off, "Click <b>here</b>", 17) == 0);     /* tags inside are kept */
    /* "</abbr>" is not "</a>" */
    CHECK(smtp_html_link_next(S(html), &pos, &l) && l.href_len == 19 && l.text_len == 3);
    CHECK(!smtp_html_link_next(S(html), &pos, &l));

    CHECK(smtp_text_host(S("www.bank.example"), &hoff, &hlen) && hlen == 16);
    CHECK(smtp_text_host(S("bank.example/login"), &hoff, &hlen) && hlen == 12);
    CHECK(smtp_text_host(S("https://www.bank.example/x"), &hoff, &hlen) && hoff == 8 && hlen == 16);
    CHECK(!smtp_text_host(S("Click here"), &hoff, &hlen));
    CHECK(!smtp_text_host(S("version 1.5"), &hoff, &hlen));
    CHECK(!smtp_text_host(S("1.5"), &hoff, &hlen));
    CHECK(!smtp_text_host(S("e.g."), &hoff, &hlen));
    CHECK(!smtp_text_host(S("localhost"), &hoff, &hlen));
}

/* The results of an Authentication-Results value as "method=result[reason]{props}" joined by spaces. */
static const char *authres_all(const char *v, char *out, size_t cap)
{
    smtp_authres_t r;
    size_t pos = 0, n = 0;
    smtp_range_t id;
    char a[128];

    out[0] = '\0';
    if (smtp_authres_server(v, strlen(v), &id, &pos))
        n += (size_t)snprintf(out + n, cap - n, "<%s>", clause(v, id, a));
    while (smtp_authres_next(v, strlen(v), &pos, &r) && n < cap) {
        n += (size_t)snprintf(out + n, cap - n, " %s", clause(v, r.method, a));
        n += (size_t)snprintf(out + n, cap - n, "=%s", clause(v, r.result, a));
        if (r.reason.len)
            n += (size_t)snprintf(out + n, cap - n, "[%s]", clause(v, r.reason, a));
        for (unsigned k = 0; k < r.n_props && n < cap; k++)
            n += (size_t)snprintf(out + n, cap - n, "{%s}", clause(v, r.prop[k], a));
    }
    return out;
}

static void test_authres(void)
{
    static const struct {
        const char *value, *want;
    } cases[] = {
        /* Gmail's form: comments (with ';' and '=') skipped, a base64 value with '/' and '=' */
        { "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/c+d=;\r\n"
          "       spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as permitted sender; x=y) "
          "smtp.mailfrom=a@example.com;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
          "<mx.google.com> dkim=pass{header.i=@example.com}{header.s=20230601}{header.b=Ab/c+d=}"
          " spf=pass{smtp.mailfrom=a@example.com} dmarc=pass{header.from=example.com}" },
        /* a version after the authserv-id, a quoted reason, a method version */
        { "mx.example.org 1; dmarc=fail reason=\"no aligned identifier\" header.from=bank.example; dkim/1=none",
          "<mx.example.org> dmarc=fail[no aligned identifier]{header.from=bank.example} dkim=none" },
        /* no result at all */
        { "mx.example.org; none", "<mx.example.org>" },
        /* no authserv-id (not RFC 8601, but written): the results are still read */
        { "spf=pass smtp.mailfrom=a@b", " spf=pass{smtp.mailfrom=a@b}" },
        /* a quoted authserv-id, blanks around '=' and a stray word */
        { "\"mx x\"; spf = fail stray smtp.mailfrom = a@b", "<mx x> spf=fail{smtp.mailfrom = a@b}" },
        /* broken parts are skipped: no '=', no result, an unclosed comment */
        { "mx; dkim; =pass; arc=; iprev=pass (unclosed", "<mx> iprev=pass" },
    };
    char out[512];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        authres_all(cases[i].value, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0)
            fprintf(stderr, "authres %zu: got \"%s\"\n", i, out);
        CHECK(strcmp(out, cases[i].want) == 0);
    }
    /* at most SMTP_AUTHRES_PROPS properties are kept */
    smtp_authres_t r;
    size_t pos = 0;
    CHECK(smtp_authres_next(S("dkim=pass a.b=1 a.b=2 a.b=3 a.b=4 a.b=5 a.b=6 a.b=7 a.b=8 a.b=9"), &pos, &r) &&
          r.n_props == SMTP_AUTHRES_PROPS);

    smtp_range_t res;
    char a[64];
    CHECK(smtp_received_spf(S("  SoftFail (mx: transitioning) client-ip=192.0.2.1;"), &res) &&
          strcmp(clause("  SoftFail (mx: transitioning) client-ip=192.0.2.1;", res, a), "SoftFail") == 0);
    CHECK(smtp_received_spf(S("(comment first) pass"), &res) && res.len == 4);
    CHECK(!smtp_received_spf(S("maybe (not a result)"), &res) && res.len == 0);
    CHECK(!smtp_received_spf(S(""), &res));

    CHECK(smtp_authres_failed(S("DMARC"), S("fail")) && smtp_authres_failed(S("spf"), S("softfail")));
    CHECK(smtp_authres_failed(S("dkim"), S("FAIL")));
    CHECK(!smtp_authres_failed(S("dkim"), S("permerror")) && !smtp_authres_failed(S("spf"), S("none")));
    CHECK(!smtp_authres_failed(S("iprev"), S("fail")) && !smtp_authres_failed(S("arc"), S("fail")));

    /* ARC-Authentication-Results: "i=N;" before the Authentication-Results value */
    unsigned inst;
    const char *aar = "i=1; lists.example; spf=pass smtp.mailfrom=a@b";
    CHECK(smtp_arc_results_instance(S("i=1; lists.example; spf=pass smtp.mailfrom=a@b"), &inst) == 4 && inst == 1);
    CHECK(strcmp(authres_all(aar + 4, out, sizeof out), "<lists.example> spf=pass{smtp.mailfrom=a@b}") == 0);
    CHECK(smtp_arc_results_instance(S(" (c) I = 12 ;x; dkim=pass"), &inst) == 13 && inst == 12);
    CHECK(smtp_arc_results_instance(S("i=x; mx; spf=pass"), &inst) == 4 && inst == 0);
    CHECK(smtp_arc_results_instance(S("i=1000; mx"), &inst) == 7 && inst == 0);
    CHECK(smtp_arc_results_instance(S("lists.example; spf=pass"), &inst) == 0 && inst == 0);
    CHECK(smtp_arc_results_instance(S("i=2"), &inst) == 0 && inst == 0);
    CHECK(smtp_arc_results_instance(S(""), &inst) == 0 && inst == 0);
}

static void test_dsn(void)
{
    const char *body = "\r\nReporting-MTA: dns; mx\r\n\r\n\r\nFinal-Recipient: rfc822; b@x\r\nAction: failed\r\n"
                       "\nFinal-Recipient: c@y\n";
    size_t pos = 0, len = strlen(body);
    smtp_range_t g, v;
    char a[128];

    CHECK(smtp_dsn_group_next(body, len, &pos, &g) && strcmp(clause(body, g, a), "Reporting-MTA: dns; mx\r\n") == 0);
    CHECK(smtp_dsn_group_next(body, len, &pos, &g) &&
          strcmp(clause(body, g, a), "Final-Recipient: rfc822; b@x\r\nAction: failed\r\n") == 0);
    CHECK(smtp_dsn_group_next(body, len, &pos, &g) && strcmp(clause(body, g, a), "Final-Recipient: c@y\n") == 0);
    CHECK(!smtp_dsn_group_next(body, len, &pos, &g) && pos == len);
    pos = 0;
    CHECK(!smtp_dsn_group_next(S("\r\n\n"), &pos, &g) && pos == 3);
    pos = 0;
    CHECK(smtp_dsn_group_next(S("no line end"), &pos, &g) && g.len == 11 && pos == 11);

    const char *t = "rfc822;  bob@example.net ";
    v = smtp_dsn_value(t, strlen(t));
    CHECK(strcmp(clause(t, v, a), "bob@example.net") == 0);
    t = "smtp; 550 5.1.1 <b@x>; user unknown";      /* only the first ';' ends the type */
    v = smtp_dsn_value(t, strlen(t));
    CHECK(strcmp(clause(t, v, a), "550 5.1.1 <b@x>; user unknown") == 0);
    t = " failed ";
    v = smtp_dsn_value(t, strlen(t));
    CHECK(strcmp(clause(t, v, a), "failed") == 0);
    v = smtp_dsn_value(S("dns;"));
    CHECK(v.len == 0);
}

#define U(lit) (const uint8_t *)lit, sizeof(lit) - 1

static void test_foreign(void)
{
    /* a ClientHello record, an SSH banner, HTTP request lines */
    CHECK(smtp_foreign_kind(U("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")) == SMTP_FOREIGN_TLS);
    CHECK(smtp_foreign_kind(U("SSH-2.0-OpenSSH_9.2p1 Debian-2")) == SMTP_FOREIGN_SSH);
    CHECK(smtp_foreign_kind(U("GET / HTTP/1.1")) == SMTP_FOREIGN_HTTP);
    CHECK(smtp_foreign_kind(U("CONNECT mx.example.org:25 HTTP/1.0")) == SMTP_FOREIGN_HTTP);
    CHECK(smtp_foreign_kind(U("\x8f\x01\xc3\x28\x90\x07\x02\xfe\x11\x80\x41\x00\x9a")) == SMTP_FOREIGN_BINARY);
    CHECK(strcmp(smtp_foreign_name(SMTP_FOREIGN_TLS), "TLS") == 0 && !smtp_foreign_name(SMTP_FOREIGN_NONE));
    CHECK(smtp_foreign_is_text(SMTP_FOREIGN_HTTP) && !smtp_foreign_is_text(SMTP_FOREIGN_BINARY));
    /* typed lines stay SMTP: typos, edit keys, arrow keys, UTF-8, Latin-1 words, telnet negotiation */
    CHECK(smtp_foreign_kind(U("MAIL FROM:<bob@exmaple\b\b\b\bample.org>")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("HELO \x1b[A\x1b[D\x7f\x7f" "client")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("Gr\xc3\xbc\xc3\x9f" "e an alle")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("Gr\xfc\xdf" "e an alle")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("\xff\xfb\x1f\xff\xfb\x20\xff\xfb\x18\xff\xfb\x27\xff\xfd\x01")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("GET /index.html")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("\x01\x02")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind(U("")) == SMTP_FOREIGN_NONE);
    /* the lines after: more of HTTP, more bytes of TLS, until plain text */
    CHECK(smtp_foreign_kind_after(SMTP_FOREIGN_HTTP, U("Host: mx.example.org")) == SMTP_FOREIGN_HTTP);
    CHECK(smtp_foreign_kind_after(SMTP_FOREIGN_TLS, U("\x01\x00")) == SMTP_FOREIGN_TLS);
    CHECK(smtp_foreign_kind_after(SMTP_FOREIGN_BINARY, U("Date: today")) == SMTP_FOREIGN_NONE);
    CHECK(smtp_foreign_kind_after(SMTP_FOREIGN_BINARY, U("GET / HTTP/1.0")) == SMTP_FOREIGN_HTTP);
    CHECK(smtp_foreign_kind_after(SMTP_FOREIGN_NONE, U("QUIT")) == SMTP_FOREIGN_NONE);
}

static void test_proxy(void)
{
    smtp_proxy_t px;
    CHECK(smtp_proxy_parse(U("PROXY TCP4 192.0.2.1 198.51.100.25 56324 25\r\nEHLO x\r\n"), &px) == 45);
    CHECK(px.version == 1 && px.family == 4 && px.src[0] == 192 && px.src[3] == 1 && px.dst[0] == 198 &&
          px.src_port == 56324 && px.dst_port == 25 && !px.local);
    CHECK(smtp_proxy_parse(U("PROXY TCP6 2001:db8::1 2001:db8::25 4000 587\r\n"), &px) == 46);
    CHECK(px.family == 6 && px.src[0] == 0x20 && px.src[15] == 1 && px.dst[15] == 0x25 && px.dst_port == 587);
    /* a header whose parts are wrong is still one header: no addresses */
    CHECK(smtp_proxy_parse(U("PROXY UNKNOWN\r\n"), &px) == 15 && px.version == 1 && px.family == 0);
    CHECK(smtp_proxy_parse(U("PROXY TCP4 192.0.2.1 198.51.100.25 99999 25\r\n"), &px) == 45 && px.family == 0);
    CHECK(smtp_proxy_parse(U("PROXY TCP4 2001:db8::1 198.51.100.25 1 25\r\n"), &px) > 0 && px.family == 0);
    /* not a header: no line end, or another line */
    CHECK(smtp_proxy_parse(U("PROXY TCP4 192.0.2.1"), &px) == 0);
    CHECK(smtp_proxy_parse(U("PROXYTCP4\r\n"), &px) == 0);
    /* version 2: signature, PROXY over TCP4, 12 bytes of addresses */
    static const uint8_t v2[] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
                                  0x21, 0x11, 0x00, 0x0C, 192, 0, 2, 7, 10, 0, 0, 25, 0xC0, 0x00, 0x00, 0x19, 'E' };
    CHECK(smtp_proxy_parse(v2, sizeof v2, &px) == 28);
    CHECK(px.version == 2 && px.family == 4 && px.src[3] == 7 && px.dst[0] == 10 && px.src_port == 49152 &&
          px.dst_port == 25);
    CHECK(smtp_proxy_parse(v2, 27, &px) == 0);      /* cut short of its length */
    uint8_t local[16];
    memcpy(local, v2, 16);
    local[12] = 0x20;   /* LOCAL: the proxy's own check */
    local[15] = 0;
    CHECK(smtp_proxy_parse(local, 16, &px) == 16 && px.local && px.family == 0);
}

static void test_dates(void)
{
    static const struct {
        const char *value;
        smtp_date_fault_t fault;
        int year, month, day, hour, zone, weekday;     /* checked when the fault is OK */
    } dates[] = {
        { "Tue, 15 Jan 2008 16:02:43 -0500", SMTP_DATE_OK, 2008, 1, 15, 16, -300, 2 },
        { "7 Dec 2026 09:05 +0130 (CET)", SMTP_DATE_OK, 2026, 12, 7, 9, 90, -1 },
        { " mon ,  7 dec 26 23:59:60 GMT", SMTP_DATE_OK, 2026, 12, 7, 23, 0, 1 },
        { "Thu, 29 Feb 24 00:00:00 PDT", SMTP_DATE_OK, 2024, 2, 29, 0, -420, 4 },
        { "Fri, 1 Jan 99 12:00:00 Z", SMTP_DATE_OK, 1999, 1, 1, 12, 0, 5 },
        { "today", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "2026-12-07 10:00:00", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon, 7 Dec 2026 10:00:00", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon, 7 Dec 2026 10:00:00 +0000 x", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon 7 Dec 2026 10:00:00 +0000", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon, 7 Dec 2026 9:00:00 +0000", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon, 7 Dec 2026 10:00:00 +000", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon, 7 Dec 2026 10:00:00 J", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "Mon, 7 Dec 2026 10:00:00 CEST", SMTP_DATE_SYNTAX, 0, 0, 0, 0, 0, 0 },
        { "31 Feb 2026 10:00:00 +0000", SMTP_DATE_RANGE, 0, 0, 0, 0, 0, 0 },
        { "29 Feb 2100 10:00:00 +0000", SMTP_DATE_RANGE, 0, 0, 0, 0, 0, 0 },
        { "7 Dec 2026 24:00:00 +0000", SMTP_DATE_RANGE, 0, 0, 0, 0, 0, 0 },
        { "7 Dec 2026 10:00:00 +0060", SMTP_DATE_RANGE, 0, 0, 0, 0, 0, 0 },
        { "Mon, 8 Dec 2026 10:00:00 +0000", SMTP_DATE_WEEKDAY, 0, 0, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        smtp_date_t d;
        smtp_date_fault_t f = smtp_date_parse(dates[i].value, strlen(dates[i].value), &d);
        if (f != dates[i].fault || (f == SMTP_DATE_OK && (d.year != dates[i].year || d.month != dates[i].month ||
            d.day != dates[i].day || d.hour != dates[i].hour || d.zone != dates[i].zone ||
            d.weekday != dates[i].weekday))) {
            fprintf(stderr, "date %s:\n", dates[i].value);
            CHECK(0);
        }
    }
    CHECK(smtp_date_weekday(2026, 12, 8) == 2 && smtp_date_weekday(2000, 2, 29) == 2);
    smtp_date_t d;
    CHECK(smtp_date_parse(S("Thu, 1 Jan 1970 01:00:00 +0100"), &d) == SMTP_DATE_OK && smtp_date_seconds(&d) == 0);
    CHECK(smtp_date_parse(S("Sat, 13 Feb 2021 12:00:00 +0000"), &d) == SMTP_DATE_OK &&
          smtp_date_seconds(&d) == 1613217600LL);
    CHECK(smtp_date_parse(S("Tue, 15 Jan 2008 16:02:43 -0500"), &d) == SMTP_DATE_OK &&
          smtp_date_seconds(&d) == 1200430963LL);
    CHECK(strcmp(smtp_weekday_name(2), "Tuesday") == 0 && strcmp(smtp_weekday_name(7), "") == 0);
}

int main(void)
{
    test_lines();
    test_commands();
    test_session_opening();
    test_paths();
    test_xclient();
    test_params();
    test_idn();
    test_replies();
    test_sasl();
    test_imf();
    test_received();
    test_dkim();
    test_dkim_body();
    test_arc();
    test_authres();
    test_dsn();
    test_foreign();
    test_proxy();
    test_mime_params();
    test_mime_walk();
    test_mime_decode_and_risk();
    test_links();
    test_dates();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("core: all checks passed\n");
    return failures != 0;
}
