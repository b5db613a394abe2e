/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a file's name or first bytes say it is: a program, a disk image, a
 * macro document; bidirectional controls that reorder a name on screen.
 * No epan dependency. */
#ifndef SMTP_FILES_H
#define SMTP_FILES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SMTP_FILE_PLAIN,        /* nothing known against it */
    SMTP_FILE_PROGRAM,      /* runs when opened: .exe, .scr, .js, .lnk... */
    SMTP_FILE_DISK_IMAGE,   /* .iso, .img, .vhd: a container mail filters do not open */
    SMTP_FILE_MACRO,        /* a macro-enabled Office document */
} smtp_file_kind_t;

typedef struct {
    smtp_file_kind_t kind;
    size_t ext_off, ext_len;    /* the extension that decides it (after the dot) */
    bool double_ext;            /* "invoice.pdf.exe": a document's extension before it */
    bool bidi;                  /* a bidirectional control (U+202E...) reorders the name on screen */
} smtp_file_risk_t;

/* The code point of the bidirectional control at s (U+202A..U+202E,
 * U+2066..U+2069, in UTF-8), or 0. */
unsigned smtp_bidi_control(const unsigned char *s, size_t len);

/* What the name of a file says about it. Windows ignores trailing dots and
 * blanks, so "a.exe. " is a program too. */
void smtp_file_risk(const char *name, size_t len, smtp_file_risk_t *risk);

/* What the first bytes of a file say it is, whatever its name: "a Windows
 * program (MZ)", "a Linux program (ELF)", "a Windows shortcut", or NULL. */
const char *smtp_file_magic(const unsigned char *head, size_t len);

/* Do the first bytes start a ZIP archive whose first entry is encrypted
 * (general purpose flag bit 0)? Mail filters cannot look inside one. */
bool smtp_zip_encrypted(const unsigned char *head, size_t len);

#endif
