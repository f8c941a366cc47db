/*
 * cmd_export.c - "pcmon export": the stored items with their scores, for
 * R, pandas or a spreadsheet.
 */
#include <getopt.h>
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
        "usage: pcmon export [--format csv|json] [--related] [--since DATE]\n"
        "                    [--until DATE] [--model PATH]\n"
        "\n"
        "Writes the stored items, oldest first, with the model's verdict:\n"
        "id, story (the id of the story's first item), date (published, else\n"
        "first seen; UTC), published, first_seen, source, feed_url, lang,\n"
        "title, link, summary, related (0/1 at [classify] threshold), score\n"
        "(P(related); empty when not scored yet), themes and countries\n"
        "(';'-separated in CSV, arrays in JSON).\n"
        "  --format csv   RFC 4180, UTF-8, a header line (the default)\n"
        "  --format json  one JSON object per line (pandas:\n"
        "                 read_json(path, lines=True))\n"
        "  --related      only the related items\n"
        "  --since DATE, --until DATE   effective dates, inclusive, UTC\n"
        "\n"
        "Exit status: 0 done; 2 bad option; 3 database error; 5 the model\n"
        "cannot be loaded.\n";

struct export_state {
	int json;
	double threshold;
	long n;
	int failed;
};

/* a JSON array of strings as "a;b" for CSV */
static void
csv_list(const char *json)
{
	json_t *a = json ? json_loads(json, 0, NULL) : NULL, *v;
	size_t i, n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp) {
		json_array_foreach(a, i, v)
		{
			if (json_is_string(v))
				fprintf(fp, "%s%s", n++ ? ";" : "",
				        json_string_value(v));
		}
		fclose(fp);
		util_put_csv(stdout, buf);
	}
	free(buf);
	json_decref(a);
}

static int
export_row(const struct store_export_row *r, void *arg)
{
	struct export_state *es = arg;
	char date[32], pub[32], seen[32];
	int related = r->scored && r->related >= es->threshold;

	util_format_iso(r->date, date, sizeof(date));
	util_format_iso(r->published, pub, sizeof(pub));
	util_format_iso(r->first_seen, seen, sizeof(seen));
	es->n++;
	if (es->json) {
		json_t *th = r->themes ? json_loads(r->themes, 0, NULL) : NULL;
		json_t *co = r->countries ? json_loads(r->countries, 0, NULL)
		                          : NULL;
		json_t *o = json_pack(
		        "{s:I, s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:s?,"
		        " s:s?, s:b, s:o, s:o, s:o}",
		        "id", (json_int_t)r->id, "story", (json_int_t)r->story_id,
		        "date", date, "published", *pub ? pub : NULL,
		        "first_seen", seen, "source", r->feed_name, "feed_url",
		        r->feed_url, "lang", r->lang, "title", r->title, "link",
		        r->link, "summary", r->summary, "related", related,
		        "score", r->scored ? json_real(r->related) : json_null(),
		        "themes", json_is_array(th) ? th : json_array(),
		        "countries", json_is_array(co) ? co : json_array());
		char *s;

		if (th && !json_is_array(th))
			json_decref(th);
		if (co && !json_is_array(co))
			json_decref(co);
		if (!o || !(s = json_dumps(o, JSON_COMPACT |
		                                      JSON_REAL_PRECISION(6)))) {
			json_decref(o);
			es->failed = 1;
			return 1;
		}
		json_decref(o);
		puts(s);
		free(s);
		return 0;
	}
	printf("%lld,%lld,%s,%s,%s,", (long long)r->id, (long long)r->story_id,
	       date, pub, seen);
	util_put_csv(stdout, r->feed_name);
	putchar(',');
	util_put_csv(stdout, r->feed_url);
	putchar(',');
	util_put_csv(stdout, r->lang);
	putchar(',');
	util_put_csv(stdout, r->title);
	putchar(',');
	util_put_csv(stdout, r->link);
	putchar(',');
	util_put_csv(stdout, r->summary);
	printf(",%d,", related);
	if (r->scored)
		printf("%.6f", r->related);
	putchar(',');
	csv_list(r->themes);
	putchar(',');
	csv_list(r->countries);
	fputs("\r\n", stdout);
	return 0;
}

CMD_FN(cmd_export)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "related", no_argument, NULL, 'r' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "model", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct export_state es = { 0, 0, 0, 0 };
	struct series_model sm;
	const char *model = NULL;
	int64_t since = STORE_TIME_NONE, until = STORE_TIME_NONE, day;
	char err[1024];
	int c, related = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				es.json = 1;
			else if (strcmp(optarg, "csv") != 0) {
				fprintf(stderr, "pcmon export: --format '%s': "
				                "want csv or json\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r': related = 1; break;
		case 'S':
		case 'U':
			if (trends_parse_day(optarg, &day) != 0) {
				fprintf(stderr, "pcmon export: --%s '%s': want a "
				                "date YYYY-MM-DD\n",
				        c == 'S' ? "since" : "until", optarg);
				return EXIT_USAGE;
			}
			if (c == 'S')
				since = day * 86400;
			else
				until = (day + 1) * 86400;
			break;
		case 'm': model = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (series_model(ctx->cfg, ctx->store, model, "pcmon export", &sm) != 0)
		return EXIT_FAIL;
	es.threshold = ctx->cfg->threshold;
	if (!es.json)
		fputs("id,story,date,published,first_seen,source,feed_url,lang,"
		      "title,link,summary,related,score,themes,countries\r\n",
		      stdout);
	if (store_export(ctx->store, sm.version, ctx->cfg->threshold, related,
	                 since, until, export_row, &es, err,
	                 sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon export: %s\n", err);
		return EXIT_DB;
	}
	if (es.failed) {
		fprintf(stderr, "pcmon export: out of memory\n");
		return EXIT_FAIL;
	}
	if (sm.scored == 0)
		fprintf(stderr, "pcmon export: warning: no item is scored by "
		                "model %s yet (run pcmon classify): scores are "
		                "empty\n",
		        sm.version);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
