/*
 * cmd_trends.c - "pcmon trends": related stories per period and series,
 * with the denominator, the share and the corrected estimate.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "series.h"
#include "store.h"
#include "trends.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon trends [--by day|week|month] [--series KIND]\n"
        "                    [--since DATE] [--until DATE] [--count "
        "stories|items]\n"
        "                    [--format table|csv|json] [--model PATH]\n"
        "\n"
        "For each series and period: the related stories, all stories\n"
        "crawled in the period (the denominator), their share, and the\n"
        "number of related stories corrected for the classifier's errors\n"
        "with its interval ([trends] confidence, 90%).  KIND is total (the\n"
        "default), theme, country, source, lang or theme-country.  A\n"
        "story is counted once, on the day of its first item, however many\n"
        "outlets republish it (--count items counts every item).  Items\n"
        "count on their published date (UTC), or on the day they were\n"
        "first seen when that is missing or in the future.  Periods with\n"
        "nothing are zeros; blind_days counts the days the crawl was\n"
        "mostly failing.  Dates are YYYY-MM-DD; --until is inclusive.\n"
        "Default range: the last 30 days, 26 weeks or 12 months, up to "
        "today.\n"
        "\n"
        "Exit status: 0 done; 2 bad option; 3 database error; 5 the model\n"
        "cannot be loaded.\n";

struct trends_opts {
	int by, kind, stories, format;
	const char *model;
};

enum { FMT_TABLE, FMT_CSV, FMT_JSON };

struct row {
	const char *key;
	char period[16];
	int64_t related, total, blind;
	struct trends_estimate e;
};

CMD_FN(cmd_trends)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "series", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "count", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "model", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct trends_opts o = { BY_DAY, SERIES_TOTAL, 1, FMT_TABLE, NULL };
	struct series_model sm;
	struct trends_table t;
	unsigned char *blind = NULL;
	const char *since_s = NULL, *until_s = NULL;
	int64_t today = (int64_t)time(NULL) / 86400, since, until, p, next;
	size_t k, d, ndays, width = 6;
	double z;
	char err[1024];
	json_t *doc = NULL, *rows = NULL;
	int c, status = EXIT_FAIL;

	memset(&t, 0, sizeof(t));
	/* no configuration when only --help was asked for */
	o.stories = !ctx->cfg || strcmp(ctx->cfg->trends_count, "items") != 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "day") == 0)
				o.by = BY_DAY;
			else if (strcmp(optarg, "week") == 0)
				o.by = BY_WEEK;
			else if (strcmp(optarg, "month") == 0)
				o.by = BY_MONTH;
			else {
				fprintf(stderr, "pcmon trends: --by '%s': want "
				                "day, week or month\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			if ((o.kind = series_kind(optarg)) < 0) {
				fprintf(stderr,
				        "pcmon trends: --series '%s': want total, "
				        "theme, country, source, lang or "
				        "theme-country\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'S': since_s = optarg; break;
		case 'U': until_s = optarg; break;
		case 'c':
			if (strcmp(optarg, "stories") != 0 &&
			    strcmp(optarg, "items") != 0) {
				fprintf(stderr, "pcmon trends: --count '%s': want "
				                "stories or items\n",
				        optarg);
				return EXIT_USAGE;
			}
			o.stories = strcmp(optarg, "stories") == 0;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				o.format = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o.format = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o.format = FMT_JSON;
			else {
				fprintf(stderr, "pcmon trends: --format '%s': "
				                "want table, csv or json\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm': o.model = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	z = trends_z(ctx->cfg->trends_confidence);
	until = today;
	if (until_s && trends_parse_day(until_s, &until) != 0) {
		fprintf(stderr, "pcmon trends: --until '%s': want a date "
		                "YYYY-MM-DD\n",
		        until_s);
		return EXIT_USAGE;
	}
	if (since_s) {
		if (trends_parse_day(since_s, &since) != 0) {
			fprintf(stderr, "pcmon trends: --since '%s': want a "
			                "date YYYY-MM-DD\n",
			        since_s);
			return EXIT_USAGE;
		}
	} else if (o.by == BY_DAY) {
		since = until - 29;
	} else if (o.by == BY_WEEK) {
		since = trends_period_start(until, BY_WEEK) - 25 * 7;
	} else {
		since = trends_period_start(until, BY_MONTH);
		for (k = 0; k < 11; k++)
			since = trends_period_start(since - 1, BY_MONTH);
	}
	since = trends_period_start(since, o.by);
	if (since > until) {
		fprintf(stderr, "pcmon trends: --since is after --until\n");
		return EXIT_USAGE;
	}
	ndays = (size_t)(until - since + 1);

	if (series_model(ctx->cfg, ctx->store, o.model, "pcmon trends", &sm) !=
	    0)
		return EXIT_FAIL;
	if (sm.scored == 0)
		fprintf(stderr,
		        "pcmon trends: warning: no item is scored by model %s "
		        "yet: run pcmon classify\n",
		        sm.version);
	if (!(blind = calloc(ndays, 1))) {
		fprintf(stderr, "pcmon trends: out of memory\n");
		goto out;
	}
	if (series_blind_days(ctx->store, since, ndays,
	                      ctx->cfg->detect_outage_share, today, blind, err,
	                      sizeof(err)) != 0 ||
	    series_load(ctx->store, &sm, ctx->cfg->threshold, o.kind, o.stories,
	                since, ndays, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "pcmon trends: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (o.kind == SERIES_TOTAL && t.nkeys == 0 &&
	    trends_table_add(&t, "total", since, 0, 0) != 0) {
		fprintf(stderr, "pcmon trends: out of memory\n");
		goto out;
	}
	for (k = 0; k < t.nkeys; k++)
		if (strlen(t.keys[k]) > width)
			width = strlen(t.keys[k]);
	if (width > 40)
		width = 40;

	if (o.format == FMT_JSON) {
		doc = json_pack(
		        "{s:s, s:s, s:s, s:s, s:f, s:f, s:{s:b, s:f, s:f, s:f, "
		        "s:f}, s:[]}",
		        "by", o.by == BY_DAY ? "day" : o.by == BY_WEEK ? "week" : "month",
		        "series", series_kind_name(o.kind), "count",
		        o.stories ? "stories" : "items", "model", sm.version,
		        "threshold", ctx->cfg->threshold, "confidence",
		        ctx->cfg->trends_confidence, "correction", "applied",
		        sm.rates_ok, "tpr", sm.rates.tpr, "fpr", sm.rates.fpr,
		        "cv_positives", sm.rates.npos, "cv_negatives",
		        sm.rates.nneg, "rows");
		rows = doc ? json_object_get(doc, "rows") : NULL;
		if (!rows) {
			fprintf(stderr, "pcmon trends: out of memory\n");
			goto out;
		}
	} else if (o.format == FMT_CSV) {
		printf("series,period,related,total,share,estimate,low,high,"
		       "blind_days\n");
	} else {
		printf("%-*s  %-10s  %7s  %7s  %6s  %8s  %-17s  %s\n", (int)width,
		       series_kind_name(o.kind), "period", "related", "total",
		       "share", "estimate",
		       sm.rates_ok ? "interval" : "(uncorrected)", "blind");
	}
	for (k = 0; k < t.nkeys; k++) {
		for (p = since; p <= until; p = next) {
			struct row r;
			struct trends_estimate whole;
			int64_t wrel = 0;

			next = trends_period_next(p, o.by);
			memset(&r, 0, sizeof(r));
			r.key = t.keys[k];
			trends_period_label(p, o.by, r.period, sizeof(r.period));
			for (d = (size_t)(p - since);
			     d < ndays && (int64_t)d < next - since; d++) {
				r.related += t.related[k][d];
				r.total += trends_table_total(&t, k, d);
				r.blind += blind[d];
				if (t.shared_related)
					wrel += t.shared_related[d];
			}
			if (t.shared_total) {
				trends_estimate(sm.rates_ok ? &sm.rates : NULL,
				                wrel, r.total, z, &whole);
				trends_share_out(&whole, wrel, r.related, &r.e);
			} else {
				trends_estimate(sm.rates_ok ? &sm.rates : NULL,
				                r.related, r.total, z, &r.e);
			}
			if (o.format == FMT_JSON) {
				json_t *j = json_pack(
				        "{s:s, s:s, s:I, s:I, s:f, s:f, s:f, "
				        "s:f, s:I}",
				        "key", r.key, "period", r.period,
				        "related", (json_int_t)r.related, "total",
				        (json_int_t)r.total, "share",
				        r.total ? (double)r.related / (double)r.total
				                : 0.0,
				        "estimate", round(r.e.estimate * 100) / 100,
				        "low", round(r.e.low * 100) / 100, "high",
				        round(r.e.high * 100) / 100, "blind_days",
				        (json_int_t)r.blind);
				if (!j || json_array_append_new(rows, j) != 0) {
					fprintf(stderr,
					        "pcmon trends: out of memory\n");
					goto out;
				}
			} else if (o.format == FMT_CSV) {
				util_put_csv(stdout, r.key);
				printf(",%s,%lld,%lld,%.4f,%.2f,%.2f,%.2f,%lld\n",
				       r.period, (long long)r.related,
				       (long long)r.total,
				       r.total ? (double)r.related /
				                         (double)r.total
				               : 0.0,
				       r.e.estimate, r.e.low, r.e.high,
				       (long long)r.blind);
			} else {
				char iv[40] = "";

				if (sm.rates_ok)
					snprintf(iv, sizeof(iv), "[%.1f, %.1f]",
					         r.e.low, r.e.high);
				util_put_cell(stdout, r.key, (int)width, 1);
				printf("  %-10s  %7lld  %7lld  %5.1f%%  %8.1f  "
				       "%-17s  %s\n",
				       r.period, (long long)r.related,
				       (long long)r.total,
				       r.total ? 100.0 * (double)r.related /
				                         (double)r.total
				               : 0.0,
				       r.e.estimate, iv,
				       r.blind ? (r.blind > 1 ? "blind days"
				                              : "blind day")
				               : "");
			}
		}
	}
	if (doc) {
		if (json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(6)) !=
		    0) {
			fprintf(stderr, "pcmon trends: cannot write\n");
			goto out;
		}
		putchar('\n');
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pcmon trends: cannot write the output\n");
		goto out;
	}
	status = EXIT_OK;
out:
	json_decref(doc);
	trends_table_free(&t);
	free(blind);
	return status;
}
