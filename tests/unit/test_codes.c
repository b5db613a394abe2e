/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for smtp_codes: reply codes, enhanced status codes, EHLO
 * extension keywords. */
#include "smtp_codes.h"

#include <stdio.h>
#include <string.h>

static int failures;
static int checks;

#define CHECK(cond)                                                         \
    do {                                                                    \
        checks++;                                                           \
        if (!(cond)) {                                                      \
            failures++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                 \
        }                                                                   \
    } while (0)

static int str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static size_t table_len(const smtp_code_name_t *t)
{
    size_t n = 0;
    while (t[n].name != NULL) {
        n++;
    }
    return n;
}

static void test_reply_codes(void)
{
    static const unsigned required[] = {
        211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451,
        452, 454, 455, 500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550,
        551, 552, 553, 554, 555, 556
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *t = smtp_reply_code_text(required[i]);
        CHECK(t != NULL && t[0] != '\0');
        if (t == NULL) {
            fprintf(stderr, "  missing reply code %u\n", required[i]);
        }
    }
    CHECK(str_eq(smtp_reply_code_text(250), "Requested mail action okay, completed"));
    CHECK(smtp_reply_code_text(354) != NULL);
    CHECK(smtp_reply_code_text(999) == NULL);
    CHECK(smtp_reply_code_text(0) == NULL);
    CHECK(smtp_reply_code_text(299) == NULL);

    /* table is sorted, strictly increasing, values are 3-digit replies */
    size_t n = table_len(smtp_reply_codes);
    CHECK(n >= 34);
    for (size_t i = 0; i < n; i++) {
        CHECK(smtp_reply_codes[i].value >= 100 && smtp_reply_codes[i].value <= 599);
        if (i > 0) {
            CHECK(smtp_reply_codes[i - 1].value < smtp_reply_codes[i].value);
        }
    }
}

static void test_reply_digits(void)
{
    CHECK(str_eq(smtp_reply_first_digit_text(1), "Positive preliminary"));
    CHECK(str_eq(smtp_reply_first_digit_text(2), "Positive completion"));
    CHECK(str_eq(smtp_reply_first_digit_text(3), "Positive intermediate"));
    CHECK(str_eq(smtp_reply_first_digit_text(4), "Transient negative completion"));
    CHECK(str_eq(smtp_reply_first_digit_text(5), "Permanent negative completion"));
    CHECK(smtp_reply_first_digit_text(0) == NULL);
    CHECK(smtp_reply_first_digit_text(6) == NULL);

    CHECK(str_eq(smtp_reply_second_digit_text(0), "Syntax"));
    CHECK(str_eq(smtp_reply_second_digit_text(1), "Information"));
    CHECK(str_eq(smtp_reply_second_digit_text(2), "Connections"));
    CHECK(str_eq(smtp_reply_second_digit_text(3), "Unspecified"));
    CHECK(str_eq(smtp_reply_second_digit_text(4), "Unspecified"));
    CHECK(str_eq(smtp_reply_second_digit_text(5), "Mail system"));
    CHECK(smtp_reply_second_digit_text(6) == NULL);

    CHECK(table_len(smtp_reply_first_digits) == 5);
    CHECK(table_len(smtp_reply_second_digits) == 6);
}

static void test_enh(void)
{
    CHECK(str_eq(smtp_enh_class_text(2), "Success"));
    CHECK(str_eq(smtp_enh_class_text(4), "Persistent transient failure"));
    CHECK(str_eq(smtp_enh_class_text(5), "Permanent failure"));
    CHECK(smtp_enh_class_text(3) == NULL);
    CHECK(smtp_enh_class_text(0) == NULL);
    CHECK(table_len(smtp_enh_classes) == 3);

    CHECK(str_eq(smtp_enh_subject_text(0), "Other or undefined status"));
    CHECK(str_eq(smtp_enh_subject_text(1), "Addressing status"));
    CHECK(str_eq(smtp_enh_subject_text(7), "Security or policy status"));
    CHECK(smtp_enh_subject_text(8) == NULL);
    CHECK(table_len(smtp_enh_subjects) == 8);

    CHECK(str_eq(smtp_enh_code_text(1, 1), "Bad destination mailbox address"));
    CHECK(str_eq(smtp_enh_code_text(7, 8), "Authentication credentials invalid"));
    CHECK(str_eq(smtp_enh_code_text(5, 6), "Authentication Exchange line is too long"));
    CHECK(str_eq(smtp_enh_code_text(7, 11),
                 "Encryption required for requested authentication mechanism"));
    CHECK(str_eq(smtp_enh_code_text(7, 13), "User Account Disabled"));
    CHECK(str_eq(smtp_enh_code_text(3, 6), "Requested priority was changed"));
    CHECK(str_eq(smtp_enh_code_text(1, 10), "Recipient address has null MX"));
    CHECK(str_eq(smtp_enh_code_text(7, 10), "Encryption Needed"));
    CHECK(str_eq(smtp_enh_code_text(7, 30), "REQUIRETLS support required"));
    CHECK(str_eq(smtp_enh_code_text(2, 2), "Mailbox full"));
    for (unsigned d = 7; d <= 10; d++) {
        CHECK(smtp_enh_code_text(6, d) != NULL);
    }
    for (unsigned d = 0; d <= 30; d++) {
        CHECK(smtp_enh_code_text(7, d) != NULL);
    }
    CHECK(smtp_enh_code_text(9, 99) == NULL);
    CHECK(smtp_enh_code_text(7, 31) == NULL);
    CHECK(smtp_enh_code_text(2, 5) == NULL);
    CHECK(smtp_enh_code_text(0, 1) == NULL);
}

static void test_ehlo(void)
{
    const smtp_ehlo_ext_t *e = smtp_ehlo_ext_lookup("pipelining", 10);
    CHECK(e != NULL);
    CHECK(e != NULL && str_eq(e->keyword, "PIPELINING"));
    CHECK(e != NULL && str_eq(e->rfc, "RFC 2920"));
    CHECK(e != NULL && e->description != NULL);

    e = smtp_ehlo_ext_lookup("StartTLS", 8);
    CHECK(e != NULL && str_eq(e->rfc, "RFC 3207"));

    CHECK(smtp_ehlo_ext_lookup("x-unknown", 9) == NULL);
    CHECK(smtp_ehlo_ext_lookup(NULL, 4) == NULL);
    CHECK(smtp_ehlo_ext_lookup("SIZE", 0) == NULL);

    /* len shorter than the string: only the prefix is looked up */
    e = smtp_ehlo_ext_lookup("SIZE 10240000", 4);
    CHECK(e != NULL && str_eq(e->keyword, "SIZE"));
    e = smtp_ehlo_ext_lookup("AUTH PLAIN LOGIN", 4);
    CHECK(e != NULL && str_eq(e->rfc, "RFC 4954"));
    /* a prefix of a keyword is not a match */
    CHECK(smtp_ehlo_ext_lookup("PIPELINING", 4) == NULL);
    /* nor is a keyword followed by more characters within len */
    CHECK(smtp_ehlo_ext_lookup("SIZEX", 5) == NULL);
    /* not NUL-terminated */
    {
        const char buf[4] = { 'd', 's', 'n', '!' };
        e = smtp_ehlo_ext_lookup(buf, 3);
        CHECK(e != NULL && str_eq(e->keyword, "DSN"));
    }

    static const char *const required[] = {
        "PIPELINING", "SIZE", "AUTH", "STARTTLS", "8BITMIME", "DSN",
        "ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME", "SMTPUTF8", "ETRN",
        "VRFY", "EXPN", "HELP", "DELIVERBY", "REQUIRETLS", "MT-PRIORITY",
        "LIMITS", "ATRN", "BURL", "CHECKPOINT", "CONNEG", "FUTURERELEASE",
        "NO-SOLICITING", "MTRK", "RRVS", "SUBMITTER", "TURN", "VERB", "ONEX",
        "SEND", "SAML", "SOML", "XUSR", "XCLIENT", "XFORWARD", "XEXCH50",
        "X-EXPS", "X-LINK2STATE", "X-ADAT", "X-DRCP", "X-ERCP", "X-EXCH50",
        "X-RCPTLIMIT", "X-TURNME", "CLIENTID"
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        e = smtp_ehlo_ext_lookup(required[i], strlen(required[i]));
        CHECK(e != NULL && e->rfc != NULL && e->description != NULL);
        if (e == NULL) {
            fprintf(stderr, "  missing EHLO keyword %s\n", required[i]);
        }
    }
    e = smtp_ehlo_ext_lookup("xclient", 7);
    CHECK(e != NULL && str_eq(e->rfc, "Postfix"));
    e = smtp_ehlo_ext_lookup("x-exps", 6);
    CHECK(e != NULL && str_eq(e->rfc, "Microsoft Exchange"));
}

/* Reasons in replies as real servers write them (Postfix, Exim, Sendmail, Gmail, Dovecot). */
static void test_reasons(void)
{
    static const struct {
        const char *text, *reason, *words, *list;
    } cases[] = {
        { "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
          "https://www.spamhaus.org/query/ip/192.0.2.1", "blocklist", "blocked using", "zen.spamhaus.org" },
        { "rejected because 192.0.2.1 is in a black list at bl.spamcop.net.", "blocklist", "black list at",
          "bl.spamcop.net" },
        { "5.7.1 Blocked by SpamHaus", "blocklist", "SpamHaus", NULL },
        { "4.2.0 <b@example.org>: Recipient address rejected: Greylisted, see http://postgrey.example/help",
          "greylisting", "Greylist", NULL },
        { "4.7.1 Greylisting in action, please come back later", "greylisting", "Greylist", NULL },
        { "5.7.1 <b@other.example>: Relay access denied", "relay denied", "Relay access denied", NULL },
        { "4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]", "reverse DNS",
          "cannot find your hostname", NULL },
        { "5.7.23 <a@b.example>: Recipient address rejected: Message rejected due to: SPF fail - not authorized",
          "SPF", "SPF", NULL },
        { "5.7.26 This message fails to pass authentication checks (SPF or DKIM)", "SPF", "SPF", NULL },
        { "5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy", "DMARC",
          "DMARC", NULL },
        { "5.7.0 Must issue a STARTTLS command first", "TLS required", "Must issue a STARTTLS", NULL },
        { "5.7.0 Authentication required", "authentication required", "Authentication required", NULL },
        { "5.7.1 <a@b.example>: Sender address rejected: not logged in", "authentication required",
          "not logged in", NULL },
        { "4.7.0 mx.example.org Error: too many connections from 192.0.2.1", "limit reached", "too many", NULL },
        { "4.5.3 Error: too many recipients", "limit reached", "too many", NULL },
        { "5.3.4 Message size exceeds fixed limit", "message too big", "size exceeds", NULL },
        { "5.7.1 Message rejected as spam", "spam or virus filter", "spam", NULL },
        { "5.5.0 Error: SMTP protocol synchronization", "pipelining", "protocol synchronization", NULL },
        { "5.5.0 <unknown[10.0.0.2]>: Client host rejected: Improper use of SMTP command pipelining", "pipelining",
          "command pipelining", NULL },
        { "4.2.2 <carol@example.org> Quota exceeded (mailbox for user is full)", "mailbox full", "Quota", NULL },
        { "5.4.5 Daily user sending quota exceeded", "limit reached", "sending quota", NULL },
        { "5.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table",
          "unknown recipient", "User unknown", NULL },
        { "5.1.1 <nobody@example.org> User doesn't exist: nobody@example.org", "unknown recipient",
          "User doesn't exist", NULL },
        { "4.1.8 <a@nx.example>: Sender address rejected: Domain not found", "unknown domain", "Domain not found",
          NULL },
        { "5.1.8 <a@nx.example>... Domain of sender address a@nx.example does not exist", "unknown domain",
          "Domain of sender address", NULL },
    };
    static const char *const none[] = {
        "5.5.2 Error: command not recognized", "4.3.0 Temporary lookup failure", "Spamming prohibited?",
        "5.1.1 dkimtools.example: unknown", "5.7.1 transport error", "",
    };
    smtp_reason_match_t m;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        bool ok = smtp_reply_reason(t, strlen(t), &m) && str_eq(m.reason->name, cases[i].reason) &&
                  m.reason->explanation != NULL && m.len == strlen(cases[i].words) &&
                  strncmp(t + m.off, cases[i].words, m.len) == 0 &&
                  (cases[i].list ? m.list_len == strlen(cases[i].list) &&
                                   strncmp(t + m.list_off, cases[i].list, m.list_len) == 0
                                 : m.list_len == 0);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  reason of \"%s\"\n", t);
    }
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        CHECK(!smtp_reply_reason(none[i], strlen(none[i]), &m) && m.reason == NULL);
        if (m.reason)
            fprintf(stderr, "  no reason expected in \"%s\": %s\n", none[i], m.reason->name);
    }
}

/* Greetings as the servers write them by default (and some they do not name). */
static void test_software(void)
{
    static const struct {
        const char *text, *product, *words, *version;
    } cases[] = {
        { "mx.example.org ESMTP Postfix (Debian/GNU)", "Postfix", "Postfix", NULL },
        { "mx.example.org ESMTP Postfix (3.7.11)", "Postfix", "Postfix", "3.7.11" },
        { "xc90.websitewelcome.com ESMTP Exim 4.69 #1 Mon, 05 Oct 2009 01:05:54 -0500 ", "Exim", "Exim", "4.69" },
        { "tux319.loginserver.ch ESMTP Sendmail 8.14.9/8.12.11; Mon, 29 Jul 2019 19:01:46 +0200", "Sendmail",
          "Sendmail", "8.14.9" },
        { "WIN-BKLR90FGWRQ Microsoft ESMTP MAIL Service, Version: 10.0.14393.0 ready at  Sat, 13 Feb 2021",
          "Microsoft IIS SMTP", "Microsoft ESMTP MAIL Service, Version:", "10.0.14393.0" },
        { "PCIAT-MX.example.fr Microsoft ESMTP MAIL Service ready at Thu, 5 Dec 2024 08:52:31 +0000",
          "Microsoft Exchange", "Microsoft ESMTP MAIL Service", NULL },
        { "mx.google.com ESMTP s4si9696358qcc.63 - gsmtp", "Gmail", "gsmtp", NULL },
        { "aiosmtpd.smtpx.test Python SMTP 1.4.3", "Python aiosmtpd", "Python SMTP", "1.4.3" },
        { "localhost Dovecot ready.", "Dovecot", "Dovecot", NULL },
        { "mail.example.org ESMTP Haraka/2.8.25 ready", "Haraka", "Haraka", "2.8.25" },
        { "localhost GreenMail SMTP Service v1.6.15 ready", "GreenMail", "GreenMail SMTP Service", "1.6.15" },
        { "mx ESMTP Exim 4.96.", "Exim", "Exim", "4.96" },
        { "mx ESMTP Exim 4.96_2012345678901234567890123456789", "Exim", "Exim",
          "4.96_201234567890123456789012345" },
    };
    static const char *const none[] = {
        "mx.example.org ESMTP", "exim.example.org ESMTP ready", "postfix ESMTP ready", "mx ESMTP postfix.example",
        "mta4265.mail.ne1.yahoo.com ESMTP ready", "mx ESMTP eximious", "", "Postfix",
    };
    smtp_software_t sw;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        bool ok = smtp_greeting_software(t, strlen(t), &sw) && str_eq(sw.product, cases[i].product) &&
                  sw.len == strlen(cases[i].words) && strncmp(t + sw.off, cases[i].words, sw.len) == 0 &&
                  (cases[i].version ? sw.version_len == strlen(cases[i].version) &&
                                      strncmp(t + sw.version_off, cases[i].version, sw.version_len) == 0
                                    : sw.version_len == 0);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  software of \"%s\"\n", t);
    }
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        CHECK(!smtp_greeting_software(none[i], strlen(none[i]), &sw) && sw.product == NULL);
        if (sw.product)
            fprintf(stderr, "  no software expected in \"%s\": %s\n", none[i], sw.product);
    }
}

static void test_masked(void)
{
    CHECK(smtp_ehlo_masked("XXXXXXXA", 8) && smtp_ehlo_masked("XXXXXXXB", 8) && smtp_ehlo_masked("XXXX", 4));
    CHECK(!smtp_ehlo_masked("XXX", 3) && !smtp_ehlo_masked("XEXCH50", 7) && !smtp_ehlo_masked("XXXXXXX-", 8));
    CHECK(!smtp_ehlo_masked("X-EXPS", 6) && !smtp_ehlo_masked("STARTTLS", 8) && !smtp_ehlo_masked("", 0));
    const char *banner = "*************************2****0*0**0****************2**0*0*00";
    CHECK(smtp_greeting_masked(banner, strlen(banner)) && smtp_greeting_masked("******** ", 9));
    CHECK(!smtp_greeting_masked("*******", 7) && !smtp_greeting_masked("", 0));
    CHECK(!smtp_greeting_masked("mx.example.org ESMTP ********", 29));
    CHECK(!smtp_greeting_masked("********\0", 9));
}

int main(void)
{
    test_reply_codes();
    test_reply_digits();
    test_enh();
    test_ehlo();
    test_reasons();
    test_software();
    test_masked();
    if (failures != 0) {
        fprintf(stderr, "test_codes: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_codes: all %d checks passed\n", checks);
    return 0;
}
