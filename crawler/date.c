/*
 * date.c - dates as feeds write them, to and from UTC seconds.
 *
 * Two grammars: RFC 3339 / W3CDTF ("2026-10-13", "2026-10-13T04:05Z",
 * "...:06.25+02:00"), tried when the text starts with a four-digit year, and
 * RFC 822/1123 with the variants seen in the wild (any weekday or none,
 * names in any case, two-digit years, missing seconds, RFC 850 dashes,
 * asctime order, named and military zones, AM/PM).  A date without a zone is
 * UTC; a date without a time is midnight.  Out-of-range fields are refused.
 *
 * No libc time conversion: days_from_civil() and civil_from_days() are Howard
 * Hinnant's algorithms, exact for the proleptic Gregorian calendar.
 */
#include <stdio.h>
#include <string.h>

#include "crawler.h"
#include "internal.h"

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30,
		                       31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

struct tm_fields {
	int64_t year;
	int mon, day, hour, min, sec;
	int offset; /* seconds east of UTC */
};

static int
fields_to_time(const struct tm_fields *f, int64_t *out)
{
	if (f->year < 1 || f->year > 9999 || f->mon < 1 || f->mon > 12 ||
	    f->day < 1 || f->day > days_in_month(f->year, f->mon) ||
	    f->hour < 0 || f->hour > 23 || f->min < 0 || f->min > 59 ||
	    f->sec < 0 || f->sec > 60)
		return -1;
	*out = days_from_civil(f->year, f->mon, f->day) * 86400 +
	       f->hour * 3600 + f->min * 60 + f->sec - f->offset;
	return 0;
}

void
crawler_format_date(int64_t t, char *buf, size_t bufsz)
{
	int64_t days = t / 86400, secs = t % 86400, y;
	int m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, bufsz, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y,
	         m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	         (int)(secs % 60));
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly n digits. */
static int
digits(const char **sp, int n, int *out)
{
	const char *s = *sp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

/* "Z", "+hh:mm", "+hhmm", "+hh" (also after "GMT" in RFC 822 dates). */
static int
numeric_zone(const char **sp, int *offset)
{
	const char *s = *sp;
	int sign, hh, mm = 0;

	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (digits(&s, 2, &hh) != 0)
		return -1;
	if (*s == ':')
		s++;
	if (is_digit(*s) && digits(&s, 2, &mm) != 0)
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600 + mm * 60);
	*sp = s;
	return 0;
}

static int
parse_iso(const char *s, int64_t *out)
{
	struct tm_fields f = { 0, 1, 1, 0, 0, 0, 0 };
	int y;

	if (digits(&s, 4, &y) != 0)
		return -1;
	f.year = y;
	if (*s == '-') {
		s++;
		if (digits(&s, 2, &f.mon) != 0)
			return -1;
		if (*s == '-') {
			s++;
			if (digits(&s, 2, &f.day) != 0)
				return -1;
			if (*s == 'T' || *s == 't' ||
			    (*s == ' ' && is_digit(s[1]))) {
				s++;
				if (digits(&s, 2, &f.hour) != 0 ||
				    *s++ != ':' || digits(&s, 2, &f.min) != 0)
					return -1;
				if (*s == ':') {
					s++;
					if (digits(&s, 2, &f.sec) != 0)
						return -1;
					if (*s == '.' || *s == ',') {
						s++;
						if (!is_digit(*s))
							return -1;
						while (is_digit(*s))
							s++;
					}
				}
				while (*s == ' ')
					s++;
				if (*s == 'Z' || *s == 'z')
					s++;
				else if (*s == '+' || *s == '-') {
					if (numeric_zone(&s, &f.offset) != 0)
						return -1;
				} else if (crawler_word_eq(s, 3, "utc") ||
				           crawler_word_eq(s, 3, "gmt"))
					s += 3;
			}
		}
	}
	while (CRAWLER_IS_SPACE(*s))
		s++;
	if (*s)
		return -1;
	return fields_to_time(&f, out);
}

struct zone {
	const char *name;
	int hours; /* east of UTC, in minutes */
};

/* clang-format off */
static const struct zone zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "ast", -240 }, { "adt", -180 }, { "akst", -540 }, { "akdt", -480 },
	{ "hst", -600 }, { "nst", -210 }, { "ndt", -150 },
	{ "wet", 0 }, { "west", 60 }, { "bst", 60 }, { "cet", 60 },
	{ "cest", 120 }, { "met", 60 }, { "mest", 120 }, { "eet", 120 },
	{ "eest", 180 }, { "msk", 180 }, { "jst", 540 }, { "kst", 540 },
	{ "hkt", 480 }, { "sgt", 480 }, { "awst", 480 }, { "acst", 570 },
	{ "aest", 600 }, { "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
};
static const char *const months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};
static const char *const month_names[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};
static const char *const days[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday", "tues", "thur", "thurs",
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Military letters as RFC 822 defines them (A = -1 ... M = -12, N = +1 ...
 * Y = +12, Z = 0), which is also what curl and feedparser do. */
static int
military_zone(char c, int *offset)
{
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'i')
		*offset = -(c - 'a' + 1) * 3600;
	else if (c >= 'k' && c <= 'm')
		*offset = -(c - 'k' + 10) * 3600;
	else if (c >= 'n' && c <= 'y')
		*offset = (c - 'n' + 1) * 3600;
	else if (c == 'z')
		*offset = 0;
	else
		return -1;
	return 0;
}

static int
is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int
parse_rfc822(const char *s, int64_t *out)
{
	struct tm_fields f = { -1, 0, 0, 0, 0, 0, 0 };
	int have_time = 0, have_zone = 0, pm = -1, year_digits = 0;
	size_t i;

	while (*s) {
		const char *w = s;
		size_t n;

		if (CRAWLER_IS_SPACE(*s) || *s == ',' || *s == '.') {
			s++;
			continue;
		}
		if (*s == '(') { /* "+0000 (UTC)" comments */
			while (*s && *s != ')')
				s++;
			if (*s)
				s++;
			continue;
		}
		if ((*s == '+' || (*s == '-' && have_time)) && is_digit(s[1])) {
			int off;

			if (numeric_zone(&s, &off) != 0 ||
			    (have_zone && f.offset != 0))
				return -1;
			f.offset = off;
			have_zone = 1;
			continue;
		}
		if (*s == '-') {
			s++; /* RFC 850: 13-Oct-26 */
			continue;
		}
		if (is_alpha(*s)) {
			while (is_alpha(*s))
				s++;
			n = (size_t)(s - w);
			for (i = 0; i < 12; i++)
				if (crawler_word_eq(w, n, months[i]) ||
				    crawler_word_eq(w, n, month_names[i]) ||
				    (i == 8 && crawler_word_eq(w, n, "sept")))
					break;
			if (i < 12) {
				if (f.mon)
					return -1;
				f.mon = (int)i + 1;
				continue;
			}
			for (i = 0; i < NELEM(days); i++)
				if (crawler_word_eq(w, n, days[i]))
					break;
			if (i < NELEM(days)) {
				if (f.mon || f.day || have_time)
					return -1; /* a weekday comes first */
				continue;
			}
			if (have_time && (crawler_word_eq(w, n, "am") ||
			                  crawler_word_eq(w, n, "pm"))) {
				if (pm >= 0)
					return -1;
				pm = (w[0] | 0x20) == 'p';
				continue;
			}
			if (have_zone)
				return -1;
			for (i = 0; i < NELEM(zones); i++)
				if (crawler_word_eq(w, n, zones[i].name))
					break;
			if (i < NELEM(zones)) {
				f.offset = zones[i].hours * 60;
			} else if (n == 1 &&
			           military_zone(w[0], &f.offset) == 0) {
				;
			} else {
				return -1;
			}
			have_zone = 1;
			continue;
		}
		if (is_digit(*s)) {
			int64_t v = 0;

			while (is_digit(*s) && s - w < 9)
				v = v * 10 + (*s++ - '0');
			n = (size_t)(s - w);
			if (is_digit(*s))
				return -1;
			if (*s == ':') { /* hh:mm[:ss[.fff]] */
				if (have_time || n > 2)
					return -1;
				f.hour = (int)v;
				s++;
				if (digits(&s, 2, &f.min) != 0)
					return -1;
				if (*s == ':') {
					s++;
					if (digits(&s, 2, &f.sec) != 0)
						return -1;
					if (*s == '.' && is_digit(s[1])) {
						s++;
						while (is_digit(*s))
							s++;
					}
				}
				have_time = 1;
				continue;
			}
			if (!f.day && n <= 2 && f.year < 0 && v >= 1 &&
			    v <= 31) {
				f.day = (int)v;
			} else if (f.year < 0 && (n == 2 || n == 4 || n == 3) &&
			           (f.mon || n == 4)) {
				f.year = v;
				year_digits = (int)n;
			} else {
				return -1;
			}
			continue;
		}
		return -1;
	}
	if (!f.mon || !f.day || f.year < 0)
		return -1;
	if (year_digits == 2)
		f.year += f.year < 50 ? 2000 : 1900;
	else if (year_digits == 3)
		f.year += 1900; /* RFC 2822 obs-year */
	if (pm >= 0) {
		if (f.hour < 1 || f.hour > 12)
			return -1;
		f.hour = f.hour % 12 + (pm ? 12 : 0);
	}
	return fields_to_time(&f, out);
}

int
crawler_parse_date(const char *s, int64_t *out)
{
	const char *p;

	if (!s)
		return -1;
	while (CRAWLER_IS_SPACE(*s))
		s++;
	p = s;
	while (is_digit(*p))
		p++;
	if (p - s == 4 && (*p == '-' || *p == '\0' || CRAWLER_IS_SPACE(*p))) {
		const char *q = p;

		while (CRAWLER_IS_SPACE(*q))
			q++;
		if (*p == '-' || *q == '\0')
			return parse_iso(s, out);
	}
	return parse_rfc822(s, out);
}
