/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "smtp_date.h"
#include "smtp_imf.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const char *const weekdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const weekday_names[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                             "Saturday" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* obs-zone names (RFC 5322 4.3), hours east of UTC */
static const struct {
    const char *name;
    int hours;
} zone_names[] = {
    { "UT", 0 }, { "GMT", 0 }, { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
    { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
};

typedef struct {
    const char *v;
    size_t len, i;
} reader_t;

/* Blanks and comments (CFWS) */
static void skip_cfws(reader_t *r)
{
    while (r->i < r->len) {
        char c = r->v[r->i];
        if (c == '(')
            r->i = smtp_comment_end(r->v, r->len, r->i);
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            r->i++;
        else
            return;
    }
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A run of at most max digits (at least one), as a number; -1 if none. */
static int read_number(reader_t *r, size_t max, size_t *n)
{
    int value = 0;

    *n = 0;
    while (r->i < r->len && *n < max && r->v[r->i] >= '0' && r->v[r->i] <= '9') {
        value = value * 10 + (r->v[r->i++] - '0');
        (*n)++;
    }
    return *n ? value : -1;
}

/* A run of letters (at most max); its length. */
static size_t read_word(reader_t *r, size_t max)
{
    size_t start = r->i;
    while (r->i < r->len && r->i - start < max && is_alpha(r->v[r->i]))
        r->i++;
    return r->i - start;
}

/* The index of the word v[start..start+n) (any case) in names, or -1. */
static int word_index(const char *w, size_t n, const char *const *names, int count)
{
    for (int k = 0; k < count; k++) {
        if (n == 3 && strncasecmp(w, names[k], 3) == 0)
            return k;
    }
    return -1;
}

/* [day-name ","] */
static bool read_weekday(reader_t *r, smtp_date_t *d)
{
    size_t start = r->i, n = read_word(r, 9);

    d->weekday = -1;
    if (n == 0)
        return true;
    d->weekday = word_index(r->v + start, n, weekdays, 7);
    skip_cfws(r);
    if (d->weekday < 0 || r->i >= r->len || r->v[r->i] != ',')
        return false;
    r->i++;
    skip_cfws(r);
    return true;
}

/* day month year */
static bool read_day_month_year(reader_t *r, smtp_date_t *d)
{
    size_t n;

    d->day = read_number(r, 2, &n);
    skip_cfws(r);
    size_t start = r->i, wl = read_word(r, 9);
    d->month = word_index(r->v + start, wl, months, 12) + 1;
    skip_cfws(r);
    d->year = read_number(r, 9, &n);
    if (d->day < 0 || d->month == 0 || d->year < 0 || n < 2)
        return false;
    if (n == 2)         /* obs-year */
        d->year += d->year < 50 ? 2000 : 1900;
    else if (n == 3)
        d->year += 1900;
    skip_cfws(r);
    return true;
}

/* hh ":" mm [":" ss] */
static bool read_time(reader_t *r, smtp_date_t *d)
{
    size_t n1, n2, n3 = 2;

    d->hour = read_number(r, 2, &n1);
    if (r->i >= r->len || r->v[r->i++] != ':')
        return false;
    d->minute = read_number(r, 2, &n2);
    d->second = 0;
    if (r->i < r->len && r->v[r->i] == ':') {
        r->i++;
        d->second = read_number(r, 2, &n3);
    }
    skip_cfws(r);
    return n1 == 2 && n2 == 2 && n3 == 2;
}

/* ("+" / "-") 4DIGIT, or an obs-zone name or military letter; *minutes_ok
 * is false for +hhmm with mm over 59. */
static bool read_zone(reader_t *r, smtp_date_t *d, bool *minutes_ok)
{
    *minutes_ok = true;
    if (r->i < r->len && (r->v[r->i] == '+' || r->v[r->i] == '-')) {
        int sign = r->v[r->i++] == '-' ? -1 : 1;
        size_t n;
        int hhmm = read_number(r, 4, &n);
        if (n != 4)
            return false;
        *minutes_ok = hhmm % 100 < 60;
        d->zone = sign * (hhmm / 100 * 60 + hhmm % 100);
        return true;
    }
    size_t start = r->i, n = read_word(r, 5);
    const char *w = r->v + start;
    d->zone = 0;
    if (n == 1)     /* military zones: RFC 5322 reads them as -0000 */
        return (w[0] | 0x20) != 'j';
    for (size_t k = 0; k < sizeof zone_names / sizeof zone_names[0]; k++) {
        if (n == strlen(zone_names[k].name) && strncasecmp(w, zone_names[k].name, n) == 0) {
            d->zone = zone_names[k].hours * 60;
            return true;
        }
    }
    return false;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

int smtp_date_weekday(int year, int month, int day)
{
    static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
    int y = year - (month < 3);
    return (y + y / 4 - y / 100 + y / 400 + t[month - 1] + day) % 7;
}

/* Days from 1970-01-01 to the date (the civil-from-days inverse, Gregorian) */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long long smtp_date_seconds(const smtp_date_t *d)
{
    return days_from_civil(d->year, d->month, d->day) * 86400 + d->hour * 3600 + d->minute * 60 + d->second -
           d->zone * 60LL;
}

const char *smtp_weekday_name(int wd)
{
    return wd >= 0 && wd < 7 ? weekday_names[wd] : "";
}

smtp_date_fault_t smtp_date_parse(const char *v, size_t len, smtp_date_t *d)
{
    reader_t r = { v, len, 0 };
    bool minutes_ok;

    *d = (smtp_date_t){ 0, 0, 0, 0, 0, 0, 0, -1 };
    skip_cfws(&r);
    if (!read_weekday(&r, d) || !read_day_month_year(&r, d) || !read_time(&r, d) || !read_zone(&r, d, &minutes_ok))
        return SMTP_DATE_SYNTAX;
    skip_cfws(&r);
    if (r.i < len)
        return SMTP_DATE_SYNTAX;
    if (d->year < 1900 || d->year > 9999 || d->day < 1 || d->day > days_in_month(d->year, d->month) ||
        d->hour > 23 || d->minute > 59 || d->second > 60 || !minutes_ok)
        return SMTP_DATE_RANGE;
    if (d->weekday >= 0 && d->weekday != smtp_date_weekday(d->year, d->month, d->day))
        return SMTP_DATE_WEEKDAY;
    return SMTP_DATE_OK;
}
