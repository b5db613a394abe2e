/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the MIME structure of a message (smtp_mime). The input
 * is a whole message: its parts are walked to the end, and every part's
 * body must lie inside the message, after the previous one, with a type,
 * name and encoding that fit their buffers; the walk must end within its
 * limits. Each body is quoted-printable decoded into a buffer of exactly its
 * size, its name is judged, its first bytes are looked at, and the input's
 * first line is also read as a Content-Type value for its parameters. The
 * whole input is also searched for URLs and HTML links, whose spans (and
 * hosts) must lie inside it, each after the one before. */
#include "fuzz_common.h"
#include "smtp_files.h"
#include "smtp_links.h"
#include "smtp_mime.h"

static void check_part(const char *msg, size_t size, const smtp_mime_part_t *p, size_t *last)
{
    CHECK(fuzz_span_ok(p->body_off, p->body_len, size));
    CHECK(p->body_off >= *last);
    *last = p->body_off + p->body_len;
    CHECK(strnlen(p->type, sizeof p->type) < sizeof p->type && strchr(p->type, '/'));
    CHECK(strnlen(p->name, sizeof p->name) < sizeof p->name);
    CHECK(strnlen(p->encoding, sizeof p->encoding) < sizeof p->encoding);
    CHECK(p->depth <= SMTP_MIME_MAX_DEPTH);
    CHECK(p->cte != SMTP_CTE_BASE64 || strcmp(p->encoding, "base64") == 0);
    CHECK(smtp_base64_body_fault(msg + p->body_off, p->body_len) <= p->body_len);

    unsigned char *out = (unsigned char *)fuzz_copy(msg + p->body_off, p->body_len);
    CHECK(smtp_qp_decode(msg + p->body_off, p->body_len, out) <= p->body_len);
    (void)smtp_file_magic(out, p->body_len < 8 ? p->body_len : 8);
    (void)smtp_zip_encrypted(out, p->body_len < 8 ? p->body_len : 8);
    free(out);

    smtp_file_risk_t r;
    size_t nl = strlen(p->name);
    smtp_file_risk(p->name, nl, &r);
    CHECK(r.kind == SMTP_FILE_PLAIN || (r.ext_len > 0 && fuzz_span_ok(r.ext_off, r.ext_len, nl) &&
                                        p->name[r.ext_off - 1] == '.'));
    CHECK(!r.double_ext || r.kind != SMTP_FILE_PLAIN);
}

static void check_links(const char *text, size_t size)
{
    size_t pos = 0, last = 0, off, len, hoff, hlen;
    smtp_html_link_t l;

    while (smtp_url_next(text, size, &pos, &off, &len)) {
        CHECK(off >= last && len > 0 && fuzz_span_ok(off, len, size) && pos == off + len);
        last = pos;
        if (smtp_url_host(text + off, len, &hoff, &hlen))
            CHECK(hlen > 0 && fuzz_span_ok(hoff, hlen, len));
    }
    CHECK(pos == size);
    for (pos = 0, last = 0; smtp_html_link_next(text, size, &pos, &l); last = pos) {
        CHECK(l.href_off > last && fuzz_span_ok(l.href_off, l.href_len, size));
        CHECK(fuzz_span_ok(l.text_off, l.text_len, size) && l.text_off > l.href_off && pos > last);
        CHECK(pos >= l.text_off + l.text_len);
    }
    if (smtp_text_host(text, size, &hoff, &hlen))
        CHECK(hlen > 0 && fuzz_span_ok(hoff, hlen, size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *msg = fuzz_copy(data, size);
    smtp_mime_walk_t w;
    smtp_mime_part_t p;
    size_t last = 0;
    unsigned parts = 0;

    smtp_mime_walk_init(&w, msg, size);
    while (smtp_mime_walk_next(&w, &p)) {
        check_part(msg, size, &p, &last);
        parts++;
        CHECK(parts <= SMTP_MIME_MAX_ENTITIES + 1);
    }
    CHECK(!smtp_mime_walk_next(&w, &p));
    CHECK((w.faults & ~(unsigned)(SMTP_MIME_UNCLOSED | SMTP_MIME_NO_BOUNDARY | SMTP_MIME_LONG_BOUNDARY)) == 0);
    check_links(msg, size);

    const char *lf = memchr(msg, '\n', size);
    size_t first = lf ? (size_t)(lf - msg) : size;
    static const size_t caps[] = { 1, 8, 300 };
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        char *out = malloc(caps[c]);
        if (!out)
            abort();
        if (smtp_mime_param(msg, first, "name", out, caps[c]))
            CHECK(strnlen(out, caps[c]) < caps[c]);
        free(out);
    }
    free(msg);
    return 0;
}
