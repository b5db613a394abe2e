/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The date-time of a Date header (RFC 5322 3.3, and the obsolete forms of
 * 4.3 that mail software still writes: two-digit years, zone names such as
 * GMT or EST), its ranges and its day of the week. No epan dependency. */
#ifndef SMTP_DATE_H
#define SMTP_DATE_H

#include <stddef.h>

typedef enum {
    SMTP_DATE_OK = 0,
    SMTP_DATE_SYNTAX,       /* not [day ","] day month year hh:mm[:ss] zone */
    SMTP_DATE_RANGE,        /* a day, hour, minute, second or zone out of range (31 Feb, 25:00) */
    SMTP_DATE_WEEKDAY,      /* the day of the week written is not the date's */
} smtp_date_fault_t;

typedef struct {
    int year, month, day;           /* month 1..12; a two-digit year made four-digit */
    int hour, minute, second;
    int zone;                       /* minutes east of UTC */
    int weekday;                    /* as written, 0 Sunday to 6 Saturday; -1 when not written */
} smtp_date_t;

/* Reads the (unfolded) value v[0..len); comments and blanks between the
 * parts are skipped. *d is filled as far as it was read. */
smtp_date_fault_t smtp_date_parse(const char *v, size_t len, smtp_date_t *d);

/* The date-time as seconds since 1970-01-01 00:00 UTC, its zone applied. */
long long smtp_date_seconds(const smtp_date_t *d);

/* The day of the week of a date of the Gregorian calendar, 0 Sunday to 6 Saturday. */
int smtp_date_weekday(int year, int month, int day);

/* "Sunday" to "Saturday" (wd 0 to 6) */
const char *smtp_weekday_name(int wd);

#endif
