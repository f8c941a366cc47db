/*
 * trends.h - daily series of related stories, grouped into periods, and
 * the classifier-corrected estimate of how many there really were.
 *
 * Counting with a classifier miscounts: at a true positive rate tpr and a
 * false positive rate fpr, a period of N items of which R are related
 * yields on average tpr * R + fpr * (N - R) items flagged.  "Adjusted
 * classify and count" (Forman 2008) inverts that:
 *
 *   p_obs = flagged / N
 *   p     = clamp((p_obs - fpr) / (tpr - fpr), 0, 1)     estimate = p * N
 *
 * with tpr and fpr the model's cross-validated rates at the threshold in
 * use (stored in the model by pcmon train).  Its uncertainty, by the delta
 * method over the three estimated proportions (the period's own sampling,
 * and the npos / nneg cross-validation examples behind tpr and fpr):
 *
 *   var(p) = [ p_obs (1 - p_obs) / N + p^2 tpr (1 - tpr) / npos
 *              + (1 - p)^2 fpr (1 - fpr) / nneg ] / (tpr - fpr)^2
 *   interval = N * clamp(p -/+ z sqrt(var(p)), 0, 1)
 *
 * z the two-sided normal quantile of the confidence (1.645 for 90%).  When
 * tpr - fpr < 0.2 the correction is unstable and is not made (the estimate
 * is the raw count, the interval empty): trends_rates_ok() says so.
 *
 * A series of a theme or a country shares its denominator with all the
 * others, and the model's rates describe the related/unrelated decision,
 * not the theme: its estimate is the corrected total shared out in
 * proportion to the raw counts (trends_share_out()).
 */
#ifndef PCMON_TRENDS_H
#define PCMON_TRENDS_H

#include <stddef.h>
#include <stdint.h>

struct trends_rates {
	double tpr, fpr;   /* at the threshold */
	double npos, nneg; /* examples behind them */
	double threshold;
};

/* Reads the rates from the "cv" metadata a model carries (JSON with
 * "classes" (support), "thresholds" (precision, recall) and "confusion"),
 * at threshold (linear interpolation between the thresholds recorded).
 * 0, or -1 when the JSON lacks them (err says why). */
int trends_rates_from_cv(const char *cv_json, double threshold,
                         struct trends_rates *r, char *err, size_t errsz);
int trends_rates_ok(const struct trends_rates *r);

/* The two-sided standard normal quantile for confidence c in (0, 1). */
double trends_z(double confidence);

struct trends_estimate {
	double estimate, low, high;
};
/* flagged of n: see the top of this file.  r NULL (or not ok): the raw
 * count with low = high = flagged. */
void trends_estimate(const struct trends_rates *r, int64_t flagged, int64_t n,
                     double z, struct trends_estimate *out);
/* part of whole flagged: whole's estimate shared out by part / whole. */
void trends_share_out(const struct trends_estimate *whole, int64_t whole_flagged,
                      int64_t part, struct trends_estimate *out);

/* Periods.  Days are UTC days since the epoch. */
enum trends_by { BY_DAY = 0, BY_WEEK, BY_MONTH };
/* The first day of the period holding day: itself, the Monday of its ISO
 * week, the first of its month. */
int64_t trends_period_start(int64_t day, int by);
/* The first day of the next period. */
int64_t trends_period_next(int64_t start, int by);
/* "2026-11-28", "2026-W48", "2026-11" */
void trends_period_label(int64_t start, int by, char *buf, size_t bufsz);
/* "YYYY-MM-DD" of a day */
void trends_day_label(int64_t day, char *buf, size_t bufsz);
/* A date "YYYY-MM-DD" (or a full ISO 8601 time) to its UTC day; -1 when
 * it is not a date. */
int trends_parse_day(const char *s, int64_t *day);

/*
 * A set of daily series over days [day0, day0 + ndays): one row per key,
 * related[k][d] and total[k][d] (the denominator; per key, or the shared
 * one in shared_total when the kind shares it).  Built from
 * store_series_daily()'s rows by trends_table_add().
 */
struct trends_table {
	int64_t day0;
	size_t ndays;
	size_t nkeys, cap;
	char **keys;
	int64_t **related, **total; /* total[k] NULL when shared */
	int64_t *shared_total;      /* NULL when per key */
	int64_t *shared_related;    /* all related items, with shared_total */
};

/* shared: the denominator is shared (themes, countries) */
int trends_table_init(struct trends_table *t, int64_t day0, size_t ndays,
                      int shared);
/* One row of store_series_daily() (key NULL: the shared denominator); rows
 * outside the days are ignored.  0, or -1 out of memory. */
int trends_table_add(struct trends_table *t, const char *key, int64_t day,
                     int64_t related, int64_t total);
void trends_table_free(struct trends_table *t);
/* The denominator of key k on day d. */
int64_t trends_table_total(const struct trends_table *t, size_t k, size_t d);

#endif
