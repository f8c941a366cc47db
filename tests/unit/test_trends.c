/*
 * test_trends.c - pipeline/trends.c: periods and their labels (ISO weeks at
 * year ends), dates, the adjusted count and its interval against values
 * worked out by hand, the rates read from a model's cross-validation, and
 * the daily series table.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "trends.h"

static int64_t
day(const char *s)
{
	int64_t d = -1;

	trends_parse_day(s, &d);
	return d;
}

static void
test_periods(void)
{
	static const struct {
		const char *date;
		int by;
		const char *label, *start, *next;
	} rows[] = {
		{ "2026-11-28", BY_DAY, "2026-11-28", "2026-11-28", "2026-11-29" },
		{ "2026-11-28", BY_WEEK, "2026-W48", "2026-11-23", "2026-11-30" },
		{ "2026-11-28", BY_MONTH, "2026-11", "2026-11-01", "2026-12-01" },
		{ "2026-12-31", BY_MONTH, "2026-12", "2026-12-01", "2027-01-01" },
		{ "2024-02-29", BY_MONTH, "2024-02", "2024-02-01", "2024-03-01" },
		/* 2026-01-01 is a Thursday: its week is 2026-W01 */
		{ "2026-01-01", BY_WEEK, "2026-W01", "2025-12-29", "2026-01-05" },
		/* 2027-01-01 is a Friday: still 2026's week 53 */
		{ "2027-01-01", BY_WEEK, "2026-W53", "2026-12-28", "2027-01-04" },
		/* 2024-12-30 is a Monday: 2025-W01 */
		{ "2024-12-31", BY_WEEK, "2025-W01", "2024-12-30", "2025-01-06" },
		{ "1970-01-01", BY_WEEK, "1970-W01", "1969-12-29", "1970-01-05" },
	};
	char buf[32], want[32];
	size_t i;
	int64_t s;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		s = trends_period_start(day(rows[i].date), rows[i].by);
		trends_period_label(s, rows[i].by, buf, sizeof(buf));
		CHECK_STR(buf, rows[i].label, "label of %s by %d", rows[i].date,
		          rows[i].by);
		trends_day_label(s, buf, sizeof(buf));
		CHECK_STR(buf, rows[i].start, "start of %s by %d", rows[i].date,
		          rows[i].by);
		trends_day_label(trends_period_next(s, rows[i].by), buf,
		                 sizeof(buf));
		snprintf(want, sizeof(want), "%s", rows[i].next);
		CHECK_STR(buf, want, "next after %s by %d", rows[i].date,
		          rows[i].by);
	}
}

static void
test_dates(void)
{
	static const struct {
		const char *s;
		int ok;
		int64_t day;
	} rows[] = {
		{ "1970-01-01", 1, 0 },
		{ "2026-11-28", 1, 20785 },
		{ "2026-11-28T12:00:00Z", 1, 20785 },
		{ "2024-02-29", 1, 19782 },
		{ "2026-02-29", 0, 0 },
		{ "2026-02-31", 0, 0 },
		{ "2026-13-01", 0, 0 },
		{ "2026-1-01", 0, 0 },
		{ "26-11-28", 0, 0 },
		{ "2026-11-28x", 0, 0 },
		{ "", 0, 0 },
		{ "yesterday", 0, 0 },
	};
	size_t i;
	int64_t d;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		d = -1;
		CHECK_INT(trends_parse_day(rows[i].s, &d) == 0, rows[i].ok,
		          "parse '%s'", rows[i].s);
		if (rows[i].ok)
			CHECK_INT(d, rows[i].day, "day of '%s'", rows[i].s);
	}
}

static int
near(double a, double b, double eps)
{
	return fabs(a - b) <= eps;
}

static void
test_estimate(void)
{
	struct trends_rates r = { 0.9, 0.02, 700, 1800, 0.5 };
	struct trends_estimate e;
	double pobs, p, var, z = trends_z(0.9);

	CHECK(near(z, 1.6449, 1e-3), "z(0.90) = %.4f", z);
	CHECK(near(trends_z(0.95), 1.9600, 1e-3), "z(0.95)");
	CHECK(trends_rates_ok(&r), "rates usable");

	/* 60 flagged of 1000: p = (0.06 - 0.02) / 0.88 */
	trends_estimate(&r, 60, 1000, z, &e);
	pobs = 0.06;
	p = (pobs - 0.02) / 0.88;
	var = (pobs * (1 - pobs) / 1000 + p * p * 0.9 * 0.1 / 700 +
	       (1 - p) * (1 - p) * 0.02 * 0.98 / 1800) /
	      (0.88 * 0.88);
	CHECK(near(e.estimate, p * 1000, 1e-9), "estimate %.3f", e.estimate);
	CHECK(near(e.low, (p - z * sqrt(var)) * 1000, 1e-6), "low %.3f",
	      e.low);
	CHECK(near(e.high, (p + z * sqrt(var)) * 1000, 1e-6), "high %.3f",
	      e.high);
	CHECK(e.low < e.estimate && e.estimate < e.high, "interval around it");

	/* fewer flagged than false positives alone explain: 0, not negative */
	trends_estimate(&r, 5, 1000, z, &e);
	CHECK(e.estimate == 0 && e.low == 0 && e.high > 0,
	      "clamped at 0 (%.2f [%.2f, %.2f])", e.estimate, e.low, e.high);
	/* everything flagged: at most n */
	trends_estimate(&r, 50, 50, z, &e);
	CHECK(e.estimate == 50 && e.high == 50, "clamped at n");
	/* nothing crawled */
	trends_estimate(&r, 0, 0, z, &e);
	CHECK(e.estimate == 0 && e.low == 0 && e.high == 0, "n = 0");
	/* unusable rates: the raw count */
	r.fpr = 0.8;
	CHECK(!trends_rates_ok(&r), "tpr - fpr < 0.2 is unusable");
	trends_estimate(&r, 7, 100, z, &e);
	CHECK(e.estimate == 7 && e.low == 7 && e.high == 7, "raw when unusable");
	trends_estimate(NULL, 7, 100, z, &e);
	CHECK(e.estimate == 7, "raw without rates");

	/* sharing out: a theme with 3 of 12 flagged gets a quarter */
	e.estimate = 10;
	e.low = 6;
	e.high = 14;
	{
		struct trends_estimate part;

		trends_share_out(&e, 12, 3, &part);
		CHECK(near(part.estimate, 2.5, 1e-12) &&
		              near(part.low, 1.5, 1e-12) &&
		              near(part.high, 3.5, 1e-12),
		      "shared out by raw counts");
		trends_share_out(&e, 0, 0, &part);
		CHECK(part.estimate == 0, "nothing to share");
	}
}

static void
test_rates(void)
{
	/* the shape pcmon train writes into a model's "cv" metadata */
	static const char cv[] =
	        "{\"n\":2566,\"classes\":[{\"label\":\"0\",\"support\":1853},"
	        "{\"label\":\"1\",\"support\":713}],"
	        "\"confusion\":[[1788,65],[75,638]],\"thresholds\":["
	        "{\"threshold\":0.4,\"precision\":0.885135,\"recall\":0.918654},"
	        "{\"threshold\":0.5,\"precision\":0.907539,\"recall\":0.894811},"
	        "{\"threshold\":0.6,\"precision\":0.929664,\"recall\":0.852735}]}";
	struct trends_rates r;
	char err[256];
	double tp, fp;

	CHECK_INT(trends_rates_from_cv(cv, 0.5, &r, err, sizeof(err)), 0,
	          "rates at 0.5");
	tp = 0.894811 * 713;
	fp = tp * (1 - 0.907539) / 0.907539;
	CHECK(near(r.tpr, 0.894811, 1e-9), "tpr %.4f", r.tpr);
	CHECK(near(r.fpr, fp / 1853, 1e-9), "fpr %.4f (65/1853 = %.4f)", r.fpr,
	      65.0 / 1853);
	CHECK(near(r.fpr, 65.0 / 1853, 2e-4), "fpr agrees with the confusion");
	CHECK(r.npos == 713 && r.nneg == 1853, "supports");
	CHECK_INT(trends_rates_from_cv(cv, 0.55, &r, err, sizeof(err)), 0,
	          "rates at 0.55");
	CHECK(near(r.tpr, (0.894811 + 0.852735) / 2, 1e-9),
	      "interpolated tpr");
	CHECK_INT(trends_rates_from_cv(cv, 0.9, &r, err, sizeof(err)), 0,
	          "beyond the last threshold");
	CHECK(near(r.tpr, 0.852735, 1e-9), "nearest recorded");
	CHECK_INT(trends_rates_from_cv(NULL, 0.5, &r, err, sizeof(err)), -1,
	          "no cv");
	CHECK_INT(trends_rates_from_cv("{\"n\":3}", 0.5, &r, err, sizeof(err)),
	          -1, "cv without classes: %s", err);
	CHECK_INT(trends_rates_from_cv("not json", 0.5, &r, err, sizeof(err)),
	          -1, "cv not JSON");
}

static void
test_table(void)
{
	struct trends_table t;

	CHECK_INT(trends_table_init(&t, 100, 5, 0), 0, "per-key table");
	/* rows arrive in key order, then out of order: kept sorted */
	trends_table_add(&t, "b", 100, 1, 4);
	trends_table_add(&t, "b", 104, 2, 5);
	trends_table_add(&t, "d", 101, 0, 3);
	trends_table_add(&t, "a", 102, 1, 1);
	trends_table_add(&t, "c", 99, 9, 9);  /* before the range */
	trends_table_add(&t, "c", 105, 9, 9); /* after it */
	trends_table_add(&t, NULL, 101, 9, 9); /* no shared total here */
	CHECK_INT(t.nkeys, 3, "keys outside the range not created");
	CHECK(t.nkeys == 3 && strcmp(t.keys[0], "a") == 0 &&
	              strcmp(t.keys[1], "b") == 0 &&
	              strcmp(t.keys[2], "d") == 0,
	      "keys sorted");
	CHECK_INT(t.related[1][4], 2, "b on day 104");
	CHECK_INT(trends_table_total(&t, 1, 0), 4, "b's own total");
	CHECK_INT(trends_table_total(&t, 0, 2), 1, "a's own total");
	CHECK_INT(t.related[2][0], 0, "zero-filled");
	trends_table_free(&t);

	CHECK_INT(trends_table_init(&t, 0, 3, 1), 0, "shared table");
	trends_table_add(&t, NULL, 1, 4, 10);
	trends_table_add(&t, "stations", 1, 3, 0);
	trends_table_add(&t, "training", 1, 1, 0);
	CHECK_INT(trends_table_total(&t, 0, 1), 10, "shared total");
	CHECK_INT(trends_table_total(&t, 1, 1), 10, "shared by every key");
	CHECK_INT(t.shared_related[1], 4, "all related");
	trends_table_free(&t);
}

int
main(void)
{
	test_periods();
	test_dates();
	test_estimate();
	test_rates();
	test_table();
	return check_done();
}
