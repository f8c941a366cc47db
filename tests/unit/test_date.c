/*
 * test_date.c - crawler_parse_date() and crawler_format_date(), one date as
 * feeds write it and its UTC value per row.  want NULL: must be refused.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "crawler.h"

/* clang-format off */
static const struct {
	const char *in;
	const char *want;
} rows[] = {
	/* RFC 822 / 1123 */
	{ "Tue, 13 Oct 2026 04:05:06 GMT",     "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 +0000",   "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 -0000",   "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 +0200",   "2026-10-13T02:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 -0530",   "2026-10-13T09:35:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 +02:00",  "2026-10-13T02:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 UT",      "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 UTC",     "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 Z",       "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 EST",     "2026-10-13T09:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 EDT",     "2026-10-13T08:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 CST",     "2026-10-13T10:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 CDT",     "2026-10-13T09:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 MST",     "2026-10-13T11:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 MDT",     "2026-10-13T10:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 PST",     "2026-10-13T12:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 PDT",     "2026-10-13T11:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 pdt",     "2026-10-13T11:05:06Z" },
	/* military letters with RFC 822's signs (A = -1, N = +1), as curl */
	{ "Tue, 13 Oct 2026 04:05:06 A",       "2026-10-13T05:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 M",       "2026-10-13T16:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 N",       "2026-10-13T03:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 Y",       "2026-10-12T16:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05 GMT",        "2026-10-13T04:05:00Z" },
	{ "13 Oct 2026 04:05:06 GMT",          "2026-10-13T04:05:06Z" },
	{ "Mon, 13 Oct 2026 04:05:06 GMT",     "2026-10-13T04:05:06Z" },
	{ "Sun, 11 oct 26 23:30 EST",          "2026-10-12T04:30:00Z" },
	{ "Tue, 13 Oct 49 04:05:06 GMT",       "2049-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 50 04:05:06 GMT",       "1950-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 00 04:05:06 GMT",       "2000-10-13T04:05:06Z" },
	{ "Wed, 13 Oct 99 04:05:06 GMT",       "1999-10-13T04:05:06Z" },
	{ "TUE, 13 OCT 2026 04:05:06 GMT",     "2026-10-13T04:05:06Z" },
	{ "tuesday, 13 october 2026 04:05:06 gmt", "2026-10-13T04:05:06Z" },
	{ "Tuesday, 13-Oct-26 04:05:06 GMT",   "2026-10-13T04:05:06Z" },
	{ "13 September 2026 10:00:00 +0000",  "2026-09-13T10:00:00Z" },
	{ "13 Sept 2026 10:00:00 +0000",       "2026-09-13T10:00:00Z" },
	{ "  Tue,,  13  Oct   2026  04:05:06   GMT  ", "2026-10-13T04:05:06Z" },
	{ "Tue , 13 Oct , 2026 , 04:05:06 , GMT", "2026-10-13T04:05:06Z" },
	{ "Tue Oct 13 04:05:06 2026",          "2026-10-13T04:05:06Z" },
	{ "Oct 13, 2026 04:05:06 GMT",         "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06",         "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026",                  "2026-10-13T00:00:00Z" },
	{ "Tue, 13 Oct 2026 04:05:06.789 GMT", "2026-10-13T04:05:06Z" },
	{ "Tue, 13 Oct 2026 4:05:06 PM EST",   "2026-10-13T21:05:06Z" },
	{ "Tue, 13 Oct 2026 12:05 AM GMT",     "2026-10-13T00:05:00Z" },
	{ "Tue, 13 Oct 2026 04:05:06 GMT+0200", "2026-10-13T02:05:06Z" },
	{ "Tue, 13 Oct 2026 04:05:06 +0000 (UTC)", "2026-10-13T04:05:06Z" },
	{ "Thu, 29 Feb 2024 12:00:00 GMT",     "2024-02-29T12:00:00Z" },
	{ "Thu, 31 Dec 2026 23:59:59 -1200",   "2027-01-01T11:59:59Z" },
	{ "Fri, 01 Jan 2027 00:30:00 +0100",   "2026-12-31T23:30:00Z" },
	{ "Thu, 01 Jan 1970 00:00:00 GMT",     "1970-01-01T00:00:00Z" },
	{ "Wed, 31 Dec 1969 23:59:59 GMT",     "1969-12-31T23:59:59Z" },
	{ "Sat, 01 Jan 2000 00:00:00 CET",     "1999-12-31T23:00:00Z" },
	/* RFC 3339 / W3CDTF */
	{ "2026-10-13T04:05:06Z",              "2026-10-13T04:05:06Z" },
	{ "2026-10-13t04:05:06z",              "2026-10-13T04:05:06Z" },
	{ "2026-10-13T04:05:06+02:00",         "2026-10-13T02:05:06Z" },
	{ "2026-10-13T04:05:06-05:30",         "2026-10-13T09:35:06Z" },
	{ "2026-10-13T04:05:06+0200",          "2026-10-13T02:05:06Z" },
	{ "2026-10-13T04:05:06+02",            "2026-10-13T02:05:06Z" },
	{ "2026-10-13T04:05:06.250Z",          "2026-10-13T04:05:06Z" },
	{ "2026-10-13T04:05:06.999999999+01:00", "2026-10-13T03:05:06Z" },
	{ "2026-10-13T04:05Z",                 "2026-10-13T04:05:00Z" },
	{ "2026-10-13T04:05+01:00",            "2026-10-13T03:05:00Z" },
	{ "2026-10-13T04:05:06",               "2026-10-13T04:05:06Z" },
	{ "2026-10-13 04:05:06",               "2026-10-13T04:05:06Z" },
	{ "2026-10-13",                        "2026-10-13T00:00:00Z" },
	{ "2026-10",                           "2026-10-01T00:00:00Z" },
	{ "2026",                              "2026-01-01T00:00:00Z" },
	{ "  2026-10-13T04:05:06Z  ",          "2026-10-13T04:05:06Z" },
	{ "2024-02-29T00:00:00Z",              "2024-02-29T00:00:00Z" },
	{ "2000-02-29",                        "2000-02-29T00:00:00Z" },
	{ "2026-12-31T23:59:60Z",              "2027-01-01T00:00:00Z" },
	{ "1969-07-20T20:17:40Z",              "1969-07-20T20:17:40Z" },
	{ "0001-01-01T00:00:00Z",              "0001-01-01T00:00:00Z" },
	{ "9999-12-31T23:59:59Z",              "9999-12-31T23:59:59Z" },
	/* refused */
	{ "",                                  NULL },
	{ "   ",                               NULL },
	{ "sometime last week",                NULL },
	{ "not a date",                        NULL },
	{ "Tue, 32 Oct 2026 04:05:06 GMT",     NULL },
	{ "Tue, 00 Oct 2026 04:05:06 GMT",     NULL },
	{ "Tue, 31 Nov 2026 04:05:06 GMT",     NULL },
	{ "Sun, 29 Feb 2026 04:05:06 GMT",     NULL },
	{ "Tue, 13 Foo 2026 04:05:06 GMT",     NULL },
	{ "Tue, 13 Oct 2026 24:05:06 GMT",     NULL },
	{ "Tue, 13 Oct 2026 04:60:06 GMT",     NULL },
	{ "Tue, 13 Oct 2026 04:05:61 GMT",     NULL },
	{ "Tue, 13 Oct 2026 04:05:06 XYZ",     NULL },
	{ "Tue, 13 Oct 2026 04:05:06 +2500",   NULL },
	{ "Tue, 13 Oct 2026 04:05:06 +0260",   NULL },
	{ "Tue, Oct 2026 04:05:06 GMT",        NULL },
	{ "Tue, 13 Oct 04:05:06 GMT",          NULL },
	{ "Tue, 13 Oct 2026 13:05 PM GMT",     NULL },
	{ "2026-13-01",                        NULL },
	{ "2026-00-10",                        NULL },
	{ "2026-02-29",                        NULL },
	{ "1900-02-29",                        NULL },
	{ "2026-10-32",                        NULL },
	{ "2026-10-13T24:00:00Z",              NULL },
	{ "2026-10-13T04:61:00Z",              NULL },
	{ "2026-10-13T04:05:06+24:00",         NULL },
	{ "2026-10-13T04:05:06Zjunk",          NULL },
	{ "2026-10-13T04",                     NULL },
	{ "2026-1-13",                         NULL },
	{ "26-10-13",                          NULL },
	{ "0000-01-01",                        NULL },
	{ "2026-10-13T04:05:06.Z",             NULL },
	{ "20261013T040506Z",                  NULL },
};
/* clang-format on */

static const struct {
	int64_t t;
	const char *want;
} formats[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ -1, "1969-12-31T23:59:59Z" },
	{ 951782400, "2000-02-29T00:00:00Z" },
	{ 1791864306, "2026-10-13T04:05:06Z" },
	{ 253402300799LL, "9999-12-31T23:59:59Z" },
	{ -62135596800LL, "0001-01-01T00:00:00Z" },
};

int
main(void)
{
	size_t i;
	char buf[64];

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t t = 0;
		int rc = crawler_parse_date(rows[i].in, &t);

		if (!rows[i].want) {
			if (rc == 0)
				crawler_format_date(t, buf, sizeof(buf));
			CHECK_STR(rc == 0 ? buf : NULL, NULL, "refuses '%s'",
			          rows[i].in);
			continue;
		}
		if (rc != 0) {
			CHECK_STR(NULL, rows[i].want, "parses '%s'",
			          rows[i].in);
			continue;
		}
		crawler_format_date(t, buf, sizeof(buf));
		CHECK_STR(buf, rows[i].want, "parses '%s'", rows[i].in);
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		int64_t back = 0;

		crawler_format_date(formats[i].t, buf, sizeof(buf));
		CHECK_STR(buf, formats[i].want, "formats %lld",
		          (long long)formats[i].t);
		CHECK(crawler_parse_date(buf, &back) == 0 &&
		              back == formats[i].t,
		      "round trip %s", buf);
	}
	/* every day of four years: format and parse agree */
	{
		int bad = 0;
		int64_t t;

		for (t = 946684800; t < 946684800 + 4 * 366 * 86400LL;
		     t += 86400 + 3601) {
			int64_t back;

			crawler_format_date(t, buf, sizeof(buf));
			if (crawler_parse_date(buf, &back) != 0 || back != t)
				bad++;
		}
		CHECK_INT(bad, 0, "format/parse round trip over 2000-2004");
	}
	CHECK(crawler_parse_date(NULL, &(int64_t){ 0 }) == -1, "NULL refused");
	return check_done();
}
