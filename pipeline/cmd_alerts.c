/*
 * cmd_alerts.c - "pcmon alerts": the stored alerts, their delivery, and a
 * test of the channels.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alerts.h"
#include "cmd.h"
#include "config.h"
#include "store.h"
#include "trends.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon alerts [list] [--since DATE] [--limit N]\n"
        "                    [--format table|json]\n"
        "       pcmon alerts deliver\n"
        "       pcmon alerts test\n"
        "\n"
        "list (the default) shows the stored alerts, newest first: when,\n"
        "which series (total, theme:T, country:CC, theme_country:T/CC),\n"
        "the day, the count against the expected count, the detector's\n"
        "score and whether every channel has it; --format json prints one\n"
        "alert per line with the stories behind it.  --since DATE lists\n"
        "the alerts created since that day (UTC).\n"
        "\n"
        "deliver sends the deliveries still owed (pcmon detect sends new\n"
        "alerts itself; a failed delivery is retried here or by the next\n"
        "run, and one that succeeded is never sent again).  test sends a\n"
        "test message to every channel in [alerts] and says what each\n"
        "receiver answered.\n"
        "\n"
        "Exit status: 0 done; 1 a delivery failed (it stays pending);\n"
        "2 bad option or channel configuration; 3 database error.\n";

struct list_state {
	int json;
	long n;
	int failed;
};

static int
list_one(const struct store_alert *a, void *arg)
{
	struct list_state *ls = arg;
	char when[32];

	ls->n++;
	if (ls->json) {
		json_t *p = a->payload ? json_loads(a->payload, 0, NULL) : NULL;
		json_t *o = json_pack(
		        "{s:I, s:s, s:s, s:s, s:I, s:f, s:f, s:s?, s:I, s:b}",
		        "id", (json_int_t)a->id, "series", a->series, "period",
		        a->period, "kind", a->kind ? a->kind : "volume", "count",
		        (json_int_t)a->count, "expected", a->expected, "score",
		        a->score, "model_version", a->model_version,
		        "created_at", (json_int_t)a->created_at, "delivered",
		        a->delivered_at != STORE_TIME_NONE);
		char *s;

		if (!o) {
			json_decref(p);
			ls->failed = 1;
			return 1;
		}
		if (json_object_get(p, "stories"))
			json_object_set(o, "stories",
			                json_object_get(p, "stories"));
		json_decref(p);
		s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(o);
		if (!s) {
			ls->failed = 1;
			return 1;
		}
		puts(s);
		free(s);
		return 0;
	}
	util_format_minute(a->created_at, when, sizeof(when));
	if (ls->n == 1)
		printf("%5s  %-16s  %-10s  %-6s  %5s  %8s  %6s  %s\n", "id",
		       "created (UTC)", "day", "kind", "count", "expected",
		       "score", "series");
	printf("%5lld  %-16s  %-10s  %-6s  %5lld  %8.2f  %6.2f  ",
	       (long long)a->id, when, a->period, a->kind ? a->kind : "volume",
	       (long long)a->count, a->expected, a->score);
	util_put_safe(stdout, a->series);
	printf("%s\n", a->delivered_at == STORE_TIME_NONE ? "  (pending)" : "");
	return 0;
}

CMD_FN(cmd_alerts)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct list_state ls = { 0, 0, 0 };
	const char *sub = "list";
	int64_t since = STORE_TIME_NONE, day;
	long limit = 0, sent, failed;
	char err[1024], *end;
	int c, rc;

	if (argc > 1 && argv[1][0] != '-') {
		sub = argv[1];
		argc--;
		argv++;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (trends_parse_day(optarg, &day) != 0) {
				fprintf(stderr, "pcmon alerts: --since '%s': "
				                "want a date YYYY-MM-DD\n",
				        optarg);
				return EXIT_USAGE;
			}
			since = day * 86400;
			break;
		case 'l':
			limit = strtol(optarg, &end, 10);
			if (end == optarg || *end || limit < 0) {
				fprintf(stderr, "pcmon alerts: --limit '%s': "
				                "want a number\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				ls.json = 1;
			else if (strcmp(optarg, "table") != 0) {
				fprintf(stderr, "pcmon alerts: --format '%s': "
				                "want table or json\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);

	if (strcmp(sub, "test") == 0)
		return alerts_test(ctx->cfg, "pcmon alerts test");
	if (strcmp(sub, "deliver") == 0) {
		rc = alerts_deliver(ctx->cfg, ctx->store, "pcmon alerts",
		                    &sent, &failed);
		printf("delivered %ld, failed %ld (left pending)\n", sent,
		       failed);
		return rc;
	}
	if (strcmp(sub, "list") != 0) {
		fprintf(stderr, "pcmon alerts: unknown subcommand '%s'\n", sub);
		return cmd_usage(ctx, usage, EXIT_USAGE);
	}
	if (store_alert_foreach(ctx->store, since, limit, list_one, &ls, err,
	                        sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon alerts: %s\n", err);
		return EXIT_DB;
	}
	if (ls.failed) {
		fprintf(stderr, "pcmon alerts: out of memory\n");
		return EXIT_FAIL;
	}
	if (ls.n == 0 && !ls.json)
		printf("no alerts%s\n", since != STORE_TIME_NONE ? " since then"
		                                                  : "");
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
