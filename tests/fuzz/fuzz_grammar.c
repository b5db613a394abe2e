/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: SMTP grammar (smtp_grammar, and the code tables it
 * feeds). The input is split into lines as the dissector splits a stream;
 * every line goes through the client path (command, MAIL FROM:/RCPT TO:
 * path, ESMTP parameters, numbers, domains) and the server path (reply
 * line, enhanced status code, EHLO keyword and parameters); the whole
 * input is also a segment for the other-ports heuristic, and the client's
 * first bytes for a PROXY header and another protocol. Each piece a
 * function is handed lives in a malloc'd buffer of exactly its length. */
#include "fuzz_common.h"
#include "smtp_codes.h"
#include "smtp_foreign.h"
#include "smtp_grammar.h"
#include "smtp_idn.h"
#include "smtp_lines.h"
#include "smtp_params.h"

#include <strings.h>

static void check_u64(const char *s, size_t len)
{
    char *c = fuzz_copy(s, len);
    uint64_t v = 12345, want = 0;
    bool digits = len > 0 && len <= 19;

    for (size_t i = 0; i < len && digits; i++) {
        digits = c[i] >= '0' && c[i] <= '9';
        want = want * 10 + (uint64_t)(c[i] - '0');
    }
    bool ok = smtp_parse_u64(c, len, &v);
    CHECK(ok == digits);
    if (ok)
        CHECK(v == want);
    free(c);
}

static void check_domain(const char *s, size_t len)
{
    char *c = fuzz_copy(s, len);
    bool dom = smtp_is_domain_or_literal(c, len);
    if (dom)
        CHECK(len > 0);
    unsigned char addr[16];
    int family = smtp_helo_address(c, len, addr);
    CHECK(family == 0 || family == 4 || family == 6);
    if (family)
        (void)smtp_ip_is_local(family, addr);
    free(c);
}

/* xtext decoding never writes beyond its input's length; a value that
 * passes a rule has no fault of syntax; a fault of value or command names
 * its rule, an unknown attribute none. */
static void check_param(const char *s, const smtp_param_t *p, smtp_param_on_t on)
{
    const smtp_param_rule_t *rule;
    smtp_param_fault_t f = smtp_param_check(s, p, on, &rule);
    CHECK(f != SMTP_PARAM_SYNTAX || rule == NULL);
    if (f == SMTP_PARAM_UNKNOWN)
        CHECK(rule == NULL && (on == SMTP_PARAM_ON_XCLIENT || on == SMTP_PARAM_ON_XFORWARD));
    else if (f != SMTP_PARAM_OK && f != SMTP_PARAM_SYNTAX)
        CHECK(rule && (f != SMTP_PARAM_MISPLACED) == ((rule->on & on) != 0));
    /* a parameter has a rank among the parameters of the command exactly when it is a known one of it */
    int rank = smtp_param_rank(on, s + p->key_off, p->key_len);
    CHECK(rank < 32);
    if (f != SMTP_PARAM_SYNTAX)
        CHECK((rank >= 0) == (rule != NULL && (rule->on & on) != 0));
    char *out = malloc(p->val_len + 1);
    size_t bad;
    size_t n = smtp_xtext_decode(s + p->val_off, p->val_len, out, &bad);
    CHECK(n <= p->val_len && bad <= p->val_len);
    CHECK(bad < p->val_len || (p->val_len - n) % 2 == 0);   /* each escape: three bytes into one */
    free(out);
    size_t type = smtp_orcpt_type_len(s + p->val_off, p->val_len);
    CHECK(type <= p->val_len);
}

/* A domain's Unicode form and lookalike stay within their room; a domain
 * read has an xn-- label. */
static void check_idn(const char *s, size_t len)
{
    static smtp_idn_t idn;
    bool read = smtp_idn_read(s, len, &idn);
    CHECK(strnlen(idn.unicode, SMTP_IDN_MAX) < SMTP_IDN_MAX && strnlen(idn.looks_like, SMTP_IDN_MAX) < SMTP_IDN_MAX);
    CHECK(!read || smtp_find_nocase(s, len, 0, "xn--") < len);
}

/* ESMTP parameters ("KEY=VALUE KEY") from s[off..len); s is len bytes long. */
static void walk_params(const char *s, size_t len, size_t off)
{
    smtp_param_t p;
    size_t prev = off;

    while (smtp_next_param(s, len, &off, &p)) {
        CHECK(off > prev && off <= len);
        prev = off;
        CHECK(fuzz_span_ok(p.key_off, p.key_len, len));
        CHECK(fuzz_span_ok(p.val_off, p.val_len, len));
        CHECK(p.key_off + p.key_len <= p.val_off);
        if (p.has_val) {
            CHECK(p.val_off == p.key_off + p.key_len + 1 && s[p.val_off - 1] == '=');
            check_u64(s + p.val_off, p.val_len);
            check_domain(s + p.val_off, p.val_len);
        } else {
            CHECK(p.val_len == 0);
        }
        CHECK(p.key_len == 0 || (s[p.key_off] != ' ' && s[p.key_off] != '\t'));
        check_param(s, &p, (smtp_param_on_t)(1u << (len & 3)));
    }
    CHECK(off <= len);
}

static void check_path(const char *param, size_t len, const char *keyword)
{
    char *c = fuzz_copy(param, len);
    smtp_path_t path;

    smtp_parse_path(c, len, keyword, &path);
    CHECK(path.params_off <= len);
    if (path.ok) {
        CHECK(!path.space_before_colon || len > strlen(keyword));
        CHECK(fuzz_span_ok(path.addr_off, path.addr_len, len));
        CHECK(path.addr_off + path.addr_len <= path.params_off || path.params_off == len);
        char *addr = fuzz_copy(c + path.addr_off, path.addr_len);
        (void)smtp_is_domain_or_literal(addr, path.addr_len);
        free(addr);
        walk_params(c, len, path.params_off);
    } else {
        CHECK(path.params_off == len && !path.brackets);
    }
    free(c);
}

static void client_line(const char *line, size_t len)
{
    smtp_command_t cmd;
    static const char *const words[] = { "DATA", "QUIT", "STARTTLS", "LAST", "" };

    smtp_parse_command(line, len, &cmd);
    CHECK(cmd.verb_len <= len && cmd.param_off >= cmd.verb_len);
    CHECK(cmd.param_off + cmd.param_len == len);
    CHECK((unsigned)cmd.id < SMTP_CMD_COUNT);
    CHECK(smtp_cmd_description(cmd.id) != NULL);
    CHECK(!smtp_is_transaction_command(line, len) || cmd.id != SMTP_CMD_UNKNOWN);
    const char *name = smtp_cmd_name(cmd.id);
    CHECK((name == NULL) == (cmd.id == SMTP_CMD_UNKNOWN));
    if (name)
        CHECK(strlen(name) == cmd.verb_len && strncasecmp(name, line, cmd.verb_len) == 0);
    /* suggestions: known verbs, in table order, never the verb itself */
    for (smtp_cmd_t id = SMTP_CMD_UNKNOWN, next; (next = smtp_cmd_suggest(line, cmd.verb_len, id)); id = next)
        CHECK(next > id && next < SMTP_CMD_COUNT && next != cmd.id);
    /* a known verb may be a command; alone, any line that may be one still is */
    CHECK(cmd.id == SMTP_CMD_UNKNOWN || smtp_may_be_command(line, len, false));
    const char *glued = smtp_cmd_glued(line, cmd.verb_len);
    CHECK(!glued || cmd.id == SMTP_CMD_UNKNOWN);       /* (MAILFROM is no verb) */
    smtp_cmd_t meant = smtp_cmd_spelled_out(line, cmd.verb_len);
    CHECK(meant == SMTP_CMD_UNKNOWN || (cmd.id == SMTP_CMD_UNKNOWN && meant < SMTP_CMD_COUNT));
    CHECK(!smtp_may_be_command(line, len, false) || smtp_may_be_command(line, len, true));

    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        (void)smtp_word_equals(line, len, words[i]);

    /* the parameter on its own, as the request code sees it */
    const char *param = line + cmd.param_off;
    check_path(param, cmd.param_len, "FROM:");
    check_path(param, cmd.param_len, "TO:");
    char *pc = fuzz_copy(param, cmd.param_len);
    walk_params(pc, cmd.param_len, 0);          /* BDAT size LAST, AUTH mech resp */
    size_t tok = 0;
    while (tok < cmd.param_len && pc[tok] != ' ' && pc[tok] != '\t')
        tok++;
    check_u64(pc, tok);
    check_domain(pc, tok);                      /* HELO/EHLO argument */
    free(pc);
}

static void server_line(const char *line, size_t len)
{
    smtp_reply_line_t rl;

    if (!smtp_parse_reply_line(line, len, &rl))
        return;
    CHECK(len >= 3 && rl.code <= 999 && rl.text_off <= len);
    CHECK(smtp_reply_fits(rl.code, SMTP_CMD_DATA) || smtp_reply_fits(rl.code, SMTP_CMD_QUIT) ||
          smtp_reply_fits(rl.code, SMTP_CMD_AUTH));        /* each code fits some verb */
    CHECK(rl.sep == ' ' || rl.sep == '-' || (rl.sep == 0 && len == 3));
    (void)smtp_reply_code_text(rl.code);
    (void)smtp_reply_first_digit_text(rl.code / 100);
    (void)smtp_reply_second_digit_text(rl.code / 10 % 10);

    size_t tlen = len - rl.text_off;
    char *text = fuzz_copy(line + rl.text_off, tlen);
    smtp_enh_t enh;
    smtp_enh_result_t r = smtp_parse_enhanced(text, tlen, &enh);
    if (r != SMTP_ENH_NONE) {
        CHECK(r == SMTP_ENH_VALID || r == SMTP_ENH_MALFORMED);
        CHECK(enh.len >= 5 && enh.len <= tlen);
        (void)smtp_enh_class_text(enh.cls);
        (void)smtp_enh_subject_text(enh.subject);
        (void)smtp_enh_code_text(enh.subject, enh.detail);
        if (r == SMTP_ENH_VALID)
            CHECK((enh.cls == 2 || enh.cls == 4 || enh.cls == 5) && enh.subject <= 999 && enh.detail <= 999);
    }
    smtp_reason_match_t why;
    if (smtp_reply_reason(text, tlen, &why))
        CHECK(why.reason && why.reason->name && why.reason->explanation && why.len > 0 &&
              fuzz_span_ok(why.off, why.len, tlen) && fuzz_span_ok(why.list_off, why.list_len, tlen));
    else
        CHECK(why.reason == NULL);
    smtp_software_t sw;
    if (smtp_greeting_software(text, tlen, &sw))
        CHECK(sw.product && sw.len > 0 && fuzz_span_ok(sw.off, sw.len, tlen) &&
              fuzz_span_ok(sw.version_off, sw.version_len, tlen) && sw.version_len <= 32);
    else
        CHECK(sw.product == NULL);
    if (smtp_greeting_masked(text, tlen))      /* asterisks: no product can be named */
        CHECK(sw.product == NULL && tlen >= 8 && memchr(text, '*', tlen));
    /* an EHLO line: keyword, then parameters */
    size_t kw = 0;
    while (kw < tlen && text[kw] != ' ' && text[kw] != '\t' && text[kw] != '=')
        kw++;
    char *k = fuzz_copy(text, kw);
    const smtp_ehlo_ext_t *ext = smtp_ehlo_ext_lookup(k, kw);
    if (ext)
        CHECK(strlen(ext->keyword) == kw && ext->description && ext->rfc);
    if (smtp_ehlo_masked(k, kw))        /* never a registered keyword */
        CHECK(kw >= 4 && k[0] == 'X' && !ext);
    free(k);
    walk_params(text, tlen, kw);
    free(text);
}

/* The heuristic for other ports, on a whole segment: a greeting or a hello
 * is a line that ends in it. */
static void check_opening(const char *s, size_t len)
{
    smtp_opening_t opens = smtp_session_opening(s, len);

    if (opens == SMTP_OPENS_GREETING)
        CHECK(len >= 9 && memcmp(s, "220", 3) == 0 && memchr(s, '\n', len));
    else if (opens == SMTP_OPENS_HELLO)
        CHECK(len >= 7 &&
              (strncasecmp(s, "EHLO", 4) == 0 || strncasecmp(s, "HELO", 4) == 0 || strncasecmp(s, "LHLO", 4) == 0) &&
              (s[4] == ' ' || s[4] == '\t') && memchr(s, '\n', len));
    else
        CHECK(opens == SMTP_OPENS_NONE);
}

/* Another protocol, or a PROXY header: what they are said to be, they are. */
static void check_foreign(const uint8_t *p, size_t len)
{
    smtp_foreign_t kind = smtp_foreign_kind(p, len);
    smtp_proxy_t px;
    size_t n = smtp_proxy_parse(p, len, &px);

    CHECK((unsigned)kind < SMTP_FOREIGN_COUNT && (kind == SMTP_FOREIGN_NONE) == !smtp_foreign_name(kind));
    CHECK(smtp_foreign_kind_after(SMTP_FOREIGN_NONE, p, len) == kind &&
          smtp_foreign_kind_after(SMTP_FOREIGN_HTTP, p, len) == SMTP_FOREIGN_HTTP);
    if (kind == SMTP_FOREIGN_TLS)
        CHECK(len >= 3 && p[0] == 0x16 && p[1] == 0x03);
    else if (kind == SMTP_FOREIGN_BINARY)
        CHECK(len >= 8 && p[0] != 0xFF);
    CHECK(n <= len && n == px.len);
    if (n)
        CHECK(px.version == 1 ? memcmp(p, "PROXY ", 6) == 0 && p[n - 1] == '\n' && n <= 107
                              : px.version == 2 && n >= 16 && p[0] == 0x0D && p[11] == 0x0A);
    if (n && px.family)
        CHECK(!px.local && (px.family == 4 || px.family == 6));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;

    /* whole input as one line too: a line cut at max_line has no end */
    char *all = fuzz_copy(data, size);
    check_u64(all, size);
    check_domain(all, size);
    check_opening(all, size);
    check_idn(all, size);
    free(all);
    uint8_t *bytes = (uint8_t *)fuzz_copy(data, size);
    check_foreign(bytes, size);
    free(bytes);

    while (pos < size) {
        smtp_line_t l;
        bool complete = smtp_line_find(data + pos, size - pos, &l);
        char *line = fuzz_copy(data + pos, l.len);
        client_line(line, l.len);
        server_line(line, l.len);
        free(line);
        if (!complete)
            break;
        pos += l.len + l.term_len;
    }
    return 0;
}
