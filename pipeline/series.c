/*
 * series.c - reading the stored series; see series.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "config.h"
#include "models.h"
#include "series.h"
#include "store.h"

static const char *const kind_names[] = {
	[SERIES_TOTAL] = "total",     [SERIES_THEME] = "theme",
	[SERIES_COUNTRY] = "country", [SERIES_SOURCE] = "source",
	[SERIES_LANG] = "lang",       [SERIES_THEME_COUNTRY] = "theme-country",
};

int
series_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
series_kind_name(int kind)
{
	if (kind < 0 || kind > SERIES_THEME_COUNTRY)
		return "?";
	return kind_names[kind];
}

void
series_name(int kind, const char *key, char *buf, size_t bufsz)
{
	if (kind == SERIES_TOTAL)
		snprintf(buf, bufsz, "total");
	else if (kind == SERIES_THEME_COUNTRY)
		snprintf(buf, bufsz, "theme_country:%s", key);
	else
		snprintf(buf, bufsz, "%s:%s", series_kind_name(kind), key);
}

int
series_model(const struct pcmon_config *cfg, struct store *st,
             const char *model, const char *prog, struct series_model *out)
{
	struct classify_model *m = NULL;
	char err[1024], mbuf[4096];
	const char *path, *cv;

	memset(out, 0, sizeof(*out));
	path = models_path(cfg, model, mbuf, sizeof(mbuf));
	if (!path || !*path) {
		fprintf(stderr, "%s: no model: give --model or set [classify] "
		                "model\n", prog);
		return -1;
	}
	if (classify_model_load(path, &m, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	snprintf(out->version, sizeof(out->version), "%s",
	         classify_model_version(m));
	cv = classify_model_meta(m, "cv");
	if (trends_rates_from_cv(cv, cfg->threshold, &out->rates, err,
	                         sizeof(err)) == 0)
		out->rates_ok = trends_rates_ok(&out->rates);
	else
		fprintf(stderr, "%s: warning: %s (%s): counts are not "
		                "corrected\n", prog, err, path);
	classify_model_free(m);
	if (store_prediction_count(st, out->version, &out->scored, err,
	                           sizeof(err)) != STORE_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	return 0;
}

struct blind_state {
	int64_t day0;
	size_t ndays;
	double share;
	unsigned char *blind;
	unsigned char *fetched;
};

static int
blind_day(int64_t day, int64_t fetches, int64_t failed, void *arg)
{
	struct blind_state *b = arg;
	size_t d;

	if (day < b->day0 || day >= b->day0 + (int64_t)b->ndays)
		return 0;
	d = (size_t)(day - b->day0);
	b->fetched[d] = 1;
	if (fetches > 0 && (double)failed >= b->share * (double)fetches)
		b->blind[d] = 1;
	return 0;
}

static int
first_fetch(int64_t day, int64_t fetches, int64_t failed, void *arg)
{
	(void)fetches;
	(void)failed;
	*(int64_t *)arg = day;
	return 1;
}

int
series_blind_days(struct store *st, int64_t day0, size_t ndays, double share,
                  int64_t today, unsigned char *blind, char *err, size_t errsz)
{
	struct blind_state b = { day0, ndays, share, blind, NULL };
	int64_t first = -1;
	size_t d;

	memset(blind, 0, ndays);
	if (!ndays)
		return 0;
	if (!(b.fetched = calloc(ndays, 1))) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (store_fetch_days(st, STORE_TIME_NONE, STORE_TIME_NONE, first_fetch,
	                     &first, err, errsz) != STORE_OK ||
	    store_fetch_days(st, day0 * 86400, (day0 + (int64_t)ndays) * 86400,
	                     blind_day, &b, err, errsz) != STORE_OK) {
		free(b.fetched);
		return -1;
	}
	/* a day with no fetch at all between the first crawl and today: the
	 * crawler did not run */
	for (d = 0; first >= 0 && d < ndays; d++)
		if (!b.fetched[d] && day0 + (int64_t)d > first &&
		    day0 + (int64_t)d < today)
			blind[d] = 1;
	free(b.fetched);
	return 0;
}

struct load_state {
	struct trends_table *t;
	int failed;
};

static int
load_row(const char *key, int64_t day, int64_t related, int64_t total,
         void *arg)
{
	struct load_state *ls = arg;

	if (trends_table_add(ls->t, key, day, related, total) != 0) {
		ls->failed = 1;
		return 1;
	}
	return 0;
}

int
series_load(struct store *st, const struct series_model *m, double threshold,
            int kind, int stories, int64_t day0, size_t ndays,
            struct trends_table *t, char *err, size_t errsz)
{
	struct store_series_query q;
	struct load_state ls = { t, 0 };
	int shared = kind == SERIES_THEME || kind == SERIES_COUNTRY ||
	             kind == SERIES_THEME_COUNTRY;

	if (trends_table_init(t, day0, ndays, shared) != 0) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.kind = kind;
	q.model_version = m->version;
	q.threshold = threshold;
	q.stories = stories;
	q.since = day0 * 86400;
	q.until = (day0 + (int64_t)ndays) * 86400;
	if (store_series_daily(st, &q, load_row, &ls, err, errsz) !=
	    STORE_OK) {
		trends_table_free(t);
		return -1;
	}
	if (ls.failed) {
		snprintf(err, errsz, "out of memory");
		trends_table_free(t);
		return -1;
	}
	return 0;
}
