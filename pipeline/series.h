/*
 * series.h - the stored daily series as the trends, detect and report
 * commands read them: which model's predictions count, the crawl's blind
 * days, and a trends_table of a kind of series over a range of days.
 */
#ifndef PCMON_SERIES_H
#define PCMON_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "trends.h"

struct pcmon_config;
struct store;

/* The model whose predictions count (models_path() of model): its version
 * and cross-validated rates at cfg's threshold.  rates_ok is 0 when the
 * model records none (trends then shows raw counts); a warning is printed
 * under prog.  0, or -1 with the error printed. */
struct series_model {
	char version[128];
	struct trends_rates rates;
	int rates_ok;
	int64_t scored; /* items with a prediction of this version */
};
int series_model(const struct pcmon_config *cfg, struct store *st,
                 const char *model, const char *prog, struct series_model *out);

/* enum store_series_kind from "total", "theme", "country", "source",
 * "lang", "theme-country"; -1 when none. */
int series_kind(const char *name);
const char *series_kind_name(int kind);
/* The alert series name of a key: "total", "theme:stations" ... */
void series_name(int kind, const char *key, char *buf, size_t bufsz);

/*
 * blind[d] = 1 for the days of [day0, day0 + ndays) on which the crawl
 * was blind: at least share of the feeds fetched that day failed all day,
 * or nothing was fetched at all on a day after the first fetch ever (cron
 * stopped) and before today.  Days before the first fetch are not blind:
 * items found later carry their own dates.  0 or -1 (err).
 */
int series_blind_days(struct store *st, int64_t day0, size_t ndays,
                      double share, int64_t today, unsigned char *blind,
                      char *err, size_t errsz);

/* Fills t (initialised here) with kind's series over [day0, day0+ndays). */
int series_load(struct store *st, const struct series_model *m,
                double threshold, int kind, int stories, int64_t day0,
                size_t ndays, struct trends_table *t, char *err, size_t errsz);

#endif
