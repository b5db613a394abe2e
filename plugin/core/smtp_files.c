/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_files.h"
#include "smtp_grammar.h"

#include <string.h>

static const struct {
    const char *ext;
    smtp_file_kind_t kind;
} risky_ext[] = {
    { "exe", SMTP_FILE_PROGRAM }, { "scr", SMTP_FILE_PROGRAM }, { "com", SMTP_FILE_PROGRAM },
    { "pif", SMTP_FILE_PROGRAM }, { "bat", SMTP_FILE_PROGRAM }, { "cmd", SMTP_FILE_PROGRAM },
    { "js", SMTP_FILE_PROGRAM }, { "jse", SMTP_FILE_PROGRAM }, { "vbs", SMTP_FILE_PROGRAM },
    { "vbe", SMTP_FILE_PROGRAM }, { "wsf", SMTP_FILE_PROGRAM }, { "wsh", SMTP_FILE_PROGRAM },
    { "hta", SMTP_FILE_PROGRAM }, { "msi", SMTP_FILE_PROGRAM }, { "msp", SMTP_FILE_PROGRAM },
    { "cpl", SMTP_FILE_PROGRAM }, { "jar", SMTP_FILE_PROGRAM }, { "lnk", SMTP_FILE_PROGRAM },
    { "ps1", SMTP_FILE_PROGRAM }, { "psm1", SMTP_FILE_PROGRAM }, { "reg", SMTP_FILE_PROGRAM },
    { "scf", SMTP_FILE_PROGRAM }, { "dll", SMTP_FILE_PROGRAM }, { "url", SMTP_FILE_PROGRAM },
    { "xll", SMTP_FILE_PROGRAM }, { "sh", SMTP_FILE_PROGRAM },
    { "iso", SMTP_FILE_DISK_IMAGE }, { "img", SMTP_FILE_DISK_IMAGE }, { "vhd", SMTP_FILE_DISK_IMAGE },
    { "vhdx", SMTP_FILE_DISK_IMAGE },
    { "docm", SMTP_FILE_MACRO }, { "dotm", SMTP_FILE_MACRO }, { "xlsm", SMTP_FILE_MACRO },
    { "xltm", SMTP_FILE_MACRO }, { "xlam", SMTP_FILE_MACRO }, { "pptm", SMTP_FILE_MACRO },
    { "potm", SMTP_FILE_MACRO }, { "ppam", SMTP_FILE_MACRO },
};

/* Extensions of the documents a double extension pretends to be. */
static const char *const document_ext[] = {
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "rtf", "txt", "csv",
    "jpg", "jpeg", "png", "gif", "htm", "html", "zip", "mp3", "mp4",
};

static size_t last_dot(const char *s, size_t len)
{
    while (len && s[len - 1] != '.')
        len--;
    return len ? len - 1 : (size_t)-1;
}

unsigned smtp_bidi_control(const unsigned char *s, size_t len)
{
    if (len < 3 || s[0] != 0xE2)
        return 0;
    if ((s[1] == 0x80 && s[2] >= 0xAA && s[2] <= 0xAE) || (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9))
        return 0x2000u + (s[1] & 0x3Fu) * 64u + (s[2] & 0x3Fu);
    return 0;
}

static bool has_bidi(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++) {
        if (smtp_bidi_control(s + i, len - i))
            return true;
    }
    return false;
}

void smtp_file_risk(const char *name, size_t len, smtp_file_risk_t *r)
{
    memset(r, 0, sizeof *r);
    r->bidi = has_bidi((const unsigned char *)name, len);
    while (len && (name[len - 1] == '.' || name[len - 1] == ' '))
        len--;
    size_t dot = last_dot(name, len);
    if (dot == (size_t)-1)
        return;
    const char *ext = name + dot + 1;
    size_t ext_len = len - dot - 1;
    for (size_t i = 0; i < sizeof risky_ext / sizeof risky_ext[0]; i++) {
        if (smtp_token_is(ext, ext_len, risky_ext[i].ext))
            r->kind = risky_ext[i].kind;
    }
    if (r->kind == SMTP_FILE_PLAIN)
        return;
    r->ext_off = dot + 1;
    r->ext_len = ext_len;
    size_t prev = last_dot(name, dot);
    if (prev == (size_t)-1)
        return;
    for (size_t i = 0; i < sizeof document_ext / sizeof document_ext[0]; i++) {
        if (smtp_token_is(name + prev + 1, dot - prev - 1, document_ext[i]))
            r->double_ext = true;
    }
}

const char *smtp_file_magic(const unsigned char *head, size_t len)
{
    static const unsigned char lnk[] = { 0x4C, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00 };

    if (len >= 2 && head[0] == 'M' && head[1] == 'Z')
        return "a Windows program (MZ)";
    if (len >= 4 && memcmp(head, "\x7F" "ELF", 4) == 0)
        return "a Linux program (ELF)";
    if (len >= sizeof lnk && memcmp(head, lnk, sizeof lnk) == 0)
        return "a Windows shortcut";
    return NULL;
}

bool smtp_zip_encrypted(const unsigned char *head, size_t len)
{
    /* a local file header: the version needed (at most 6.3) is two bytes, then the flags */
    return len >= 8 && memcmp(head, "PK\x03\x04", 4) == 0 && head[4] <= 63 && head[5] == 0 && (head[6] & 0x01);
}
