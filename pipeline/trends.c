/*
 * trends.c - periods, the adjusted count and daily series tables.  See
 * trends.h for the formulas.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "trends.h"

/* ---------------------------------------------------------------- rates */

static double
interp(double x, double x0, double y0, double x1, double y1)
{
	if (x1 == x0)
		return y0;
	return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

int
trends_rates_from_cv(const char *cv_json, double threshold,
                     struct trends_rates *r, char *err, size_t errsz)
{
	json_t *cv, *classes, *th, *c, *lo = NULL, *hi = NULL;
	double npos = -1, nneg = -1, rec, prec, tp, fp;
	json_error_t je;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!cv_json || !(cv = json_loads(cv_json, 0, &je))) {
		snprintf(err, errsz, "the model records no cross-validation");
		return -1;
	}
	classes = json_object_get(cv, "classes");
	json_array_foreach(classes, i, c)
	{
		const char *l = json_string_value(json_object_get(c, "label"));
		double sup = json_number_value(json_object_get(c, "support"));

		if (l && strcmp(l, "1") == 0)
			npos = sup;
		else if (l && strcmp(l, "0") == 0)
			nneg = sup;
	}
	if (npos <= 0 || nneg <= 0) {
		json_decref(cv);
		snprintf(err, errsz, "the model's cross-validation has no "
		                     "related/unrelated support");
		return -1;
	}
	/* the recorded thresholds around the one in use */
	th = json_object_get(cv, "thresholds");
	json_array_foreach(th, i, c)
	{
		double t = json_number_value(json_object_get(c, "threshold"));

		if (t <= threshold && (!lo || t > json_number_value(json_object_get(
		                                         lo, "threshold"))))
			lo = c;
		if (t >= threshold && (!hi || t < json_number_value(json_object_get(
		                                         hi, "threshold"))))
			hi = c;
	}
	if (!lo)
		lo = hi;
	if (!hi)
		hi = lo;
	if (!lo) {
		json_decref(cv);
		snprintf(err, errsz, "the model's cross-validation has no "
		                     "thresholds");
		return -1;
	}
#define NUM(o, k) json_number_value(json_object_get((o), (k)))
	rec = interp(threshold, NUM(lo, "threshold"), NUM(lo, "recall"),
	             NUM(hi, "threshold"), NUM(hi, "recall"));
	prec = interp(threshold, NUM(lo, "threshold"), NUM(lo, "precision"),
	              NUM(hi, "threshold"), NUM(hi, "precision"));
#undef NUM
	json_decref(cv);
	tp = rec * npos;
	fp = prec > 0 ? tp * (1 - prec) / prec : nneg;
	r->tpr = rec;
	r->fpr = fp / nneg;
	if (r->fpr > 1)
		r->fpr = 1;
	r->npos = npos;
	r->nneg = nneg;
	r->threshold = threshold;
	return 0;
}

int
trends_rates_ok(const struct trends_rates *r)
{
	return r && r->npos > 0 && r->nneg > 0 && r->tpr - r->fpr >= 0.2;
}

/* ----------------------------------------------------------- estimates */

double
trends_z(double confidence)
{
	double lo = 0, hi = 10, mid, tail = (1 - confidence) / 2;
	int i;

	if (!(confidence > 0 && confidence < 1))
		return 0;
	/* P(Z > z) = erfc(z / sqrt 2) / 2 falls with z: bisect */
	for (i = 0; i < 100; i++) {
		mid = (lo + hi) / 2;
		if (0.5 * erfc(mid / sqrt(2.0)) > tail)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static double
clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

void
trends_estimate(const struct trends_rates *r, int64_t flagged, int64_t n,
                double z, struct trends_estimate *out)
{
	double pobs, p, d, var, sd;

	out->estimate = out->low = out->high = (double)flagged;
	if (!trends_rates_ok(r) || n <= 0)
		return;
	pobs = (double)flagged / (double)n;
	d = r->tpr - r->fpr;
	p = clamp01((pobs - r->fpr) / d);
	var = (pobs * (1 - pobs) / (double)n +
	       p * p * r->tpr * (1 - r->tpr) / r->npos +
	       (1 - p) * (1 - p) * r->fpr * (1 - r->fpr) / r->nneg) /
	      (d * d);
	sd = sqrt(var > 0 ? var : 0);
	out->estimate = p * (double)n;
	out->low = clamp01(p - z * sd) * (double)n;
	out->high = clamp01(p + z * sd) * (double)n;
}

void
trends_share_out(const struct trends_estimate *whole, int64_t whole_flagged,
                 int64_t part, struct trends_estimate *out)
{
	double f;

	if (whole_flagged <= 0) {
		out->estimate = out->low = out->high = (double)part;
		return;
	}
	f = (double)part / (double)whole_flagged;
	out->estimate = whole->estimate * f;
	out->low = whole->low * f;
	out->high = whole->high * f;
}

/* -------------------------------------------------------------- periods */

/* A day (since the epoch, UTC) and its calendar date, by libc */
static void
civil(int64_t day, int *y, int *m, int *d)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

/* out-of-range days roll over (2026-02-31 is 2026-03-03): callers that
 * must refuse them compare with civil() */
static int64_t
days_from_civil(int y, int m, int d)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	return (int64_t)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

/* Monday 0 ... Sunday 6; 1970-01-01 was a Thursday */
static int
weekday(int64_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

int64_t
trends_period_start(int64_t day, int by)
{
	int y, m, d;

	switch (by) {
	case BY_WEEK: return day - weekday(day);
	case BY_MONTH:
		civil(day, &y, &m, &d);
		return days_from_civil(y, m, 1);
	default: return day;
	}
}

int64_t
trends_period_next(int64_t start, int by)
{
	int y, m, d;

	switch (by) {
	case BY_WEEK: return start + 7;
	case BY_MONTH:
		civil(start, &y, &m, &d);
		return m == 12 ? days_from_civil(y + 1, 1, 1)
		               : days_from_civil(y, m + 1, 1);
	default: return start + 1;
	}
}

void
trends_day_label(int64_t day, char *buf, size_t bufsz)
{
	int y, m, d;

	civil(day, &y, &m, &d);
	snprintf(buf, bufsz, "%04d-%02d-%02d", y, m, d);
}

void
trends_period_label(int64_t start, int by, char *buf, size_t bufsz)
{
	int y, m, d, wy, wm, wd;
	int64_t thursday;

	switch (by) {
	case BY_WEEK:
		/* the ISO week belongs to the year of its Thursday */
		thursday = start - weekday(start) + 3;
		civil(thursday, &wy, &wm, &wd);
		snprintf(buf, bufsz, "%04d-W%02d", wy,
		         (int)((thursday - days_from_civil(wy, 1, 1)) / 7 + 1));
		break;
	case BY_MONTH:
		civil(start, &y, &m, &d);
		snprintf(buf, bufsz, "%04d-%02d", y, m);
		break;
	default: trends_day_label(start, buf, bufsz);
	}
}

int
trends_parse_day(const char *s, int64_t *day)
{
	int y, m, d, n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	if (s[n] != '\0' && s[n] != 'T' && s[n] != ' ')
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1970 || y > 9999)
		return -1;
	*day = days_from_civil(y, m, d);
	/* 2026-02-31 is not a date */
	{
		int yy, mm, dd;

		civil(*day, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- table */

int
trends_table_init(struct trends_table *t, int64_t day0, size_t ndays,
                  int shared)
{
	memset(t, 0, sizeof(*t));
	t->day0 = day0;
	t->ndays = ndays;
	if (shared) {
		t->shared_total = calloc(ndays ? ndays : 1, sizeof(int64_t));
		t->shared_related = calloc(ndays ? ndays : 1, sizeof(int64_t));
		if (!t->shared_total || !t->shared_related) {
			trends_table_free(t);
			return -1;
		}
	}
	return 0;
}

static long
find_key(struct trends_table *t, const char *key)
{
	size_t lo = 0, hi = t->nkeys;

	/* rows come in key order: the newest key is the likely one */
	if (t->nkeys && strcmp(t->keys[t->nkeys - 1], key) == 0)
		return (long)t->nkeys - 1;
	while (lo < hi) { /* keys are kept sorted */
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->keys[mid], key);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1 - (long)lo;
}

static long
add_key(struct trends_table *t, const char *key, size_t at)
{
	size_t n = t->ndays ? t->ndays : 1;
	char *k;
	int64_t *rel, *tot = NULL;

	if (t->nkeys == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **keys = realloc(t->keys, cap * sizeof(*keys));
		int64_t **r, **o;

		if (!keys)
			return -1;
		t->keys = keys;
		if (!(r = realloc(t->related, cap * sizeof(*r))))
			return -1;
		t->related = r;
		if (!(o = realloc(t->total, cap * sizeof(*o))))
			return -1;
		t->total = o;
		t->cap = cap;
	}
	k = strdup(key);
	rel = calloc(n, sizeof(int64_t));
	if (!t->shared_total)
		tot = calloc(n, sizeof(int64_t));
	if (!k || !rel || (!t->shared_total && !tot)) {
		free(k);
		free(rel);
		free(tot);
		return -1;
	}
	memmove(t->keys + at + 1, t->keys + at,
	        (t->nkeys - at) * sizeof(*t->keys));
	memmove(t->related + at + 1, t->related + at,
	        (t->nkeys - at) * sizeof(*t->related));
	memmove(t->total + at + 1, t->total + at,
	        (t->nkeys - at) * sizeof(*t->total));
	t->keys[at] = k;
	t->related[at] = rel;
	t->total[at] = tot;
	t->nkeys++;
	return (long)at;
}

int
trends_table_add(struct trends_table *t, const char *key, int64_t day,
                 int64_t related, int64_t total)
{
	size_t d;
	long k;

	if (day < t->day0 || day >= t->day0 + (int64_t)t->ndays)
		return 0;
	d = (size_t)(day - t->day0);
	if (!key) {
		if (t->shared_total) {
			t->shared_total[d] += total;
			t->shared_related[d] += related;
		}
		return 0;
	}
	if ((k = find_key(t, key)) < 0 &&
	    (k = add_key(t, key, (size_t)(-1 - k))) < 0)
		return -1;
	t->related[k][d] += related;
	if (t->total[k])
		t->total[k][d] += total;
	return 0;
}

int64_t
trends_table_total(const struct trends_table *t, size_t k, size_t d)
{
	return t->shared_total ? t->shared_total[d] : t->total[k][d];
}

void
trends_table_free(struct trends_table *t)
{
	size_t i;

	for (i = 0; i < t->nkeys; i++) {
		free(t->keys[i]);
		free(t->related[i]);
		if (t->total)
			free(t->total[i]);
	}
	free(t->keys);
	free(t->related);
	free(t->total);
	free(t->shared_total);
	free(t->shared_related);
	memset(t, 0, sizeof(*t));
}
