/*
 * cmd_items.c - "pcmon items": the stored items, newest first.
 *
 * Titles come from the open web: they reach the terminal through
 * util_put_cell(), which neutralises control characters and cuts by display
 * width; --json output keeps the text as stored.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd.h"
#include "crawler/crawler.h"
#include "store.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon items [--feed FEED] [--since DATE] [--until DATE] "
        "[--limit N] [--json]\n"
        "\n"
        "Lists stored items, newest first, by their date (the published date\n"
        "when it can be trusted, else when pcmon first saw the item).\n"
        "  --feed FEED   only items of this feed (id or URL)\n"
        "  --since DATE  items on or after DATE (YYYY-MM-DD or RFC 3339 time)\n"
        "  --until DATE  items before DATE; a day (YYYY-MM-DD) is included\n"
        "  --limit N     at most N items\n"
        "  --json        one JSON object per line, with every field\n";

#define FEED_COLS  20
#define TITLE_COLS 66

struct items_out {
	int json;
	int failed;
};

static int64_t
effective(const struct store_item_row *r)
{
	return r->date_flag == DATE_OK ? r->published : r->first_seen;
}

static const char *
flag_name(int flag)
{
	switch (flag) {
	case DATE_OK: return "ok";
	case DATE_MISSING: return "missing";
	case DATE_FUTURE: return "future";
	case DATE_ANCIENT: return "ancient";
	}
	return "?";
}

static void
print_json(const struct store_item_row *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "feed_id",
	                    r->feed_id ? json_integer(r->feed_id)
	                               : json_null());
	json_object_set_new(o, "feed", util_json_str(r->feed_name));
	json_object_set_new(o, "date", util_json_time(effective(r)));
	json_object_set_new(o, "title", util_json_str(r->title));
	json_object_set_new(o, "link", util_json_str(r->link));
	json_object_set_new(o, "canonical_link", util_json_str(r->canonical_link));
	json_object_set_new(o, "guid", util_json_str(r->guid));
	json_object_set_new(o, "summary", util_json_str(r->summary));
	json_object_set_new(o, "author", util_json_str(r->author));
	json_object_set_new(o, "lang", util_json_str(r->lang));
	json_object_set_new(o, "published", util_json_time(r->published));
	json_object_set_new(o, "updated", util_json_time(r->updated));
	json_object_set_new(o, "first_seen", util_json_time(r->first_seen));
	json_object_set_new(o, "date_flag",
	                    json_string(flag_name(r->date_flag)));
	util_json_print(o, stdout);
}

static int
print_item(const struct store_item_row *r, void *arg)
{
	struct items_out *out = arg;
	char day[16] = "-";
	struct tm tm;
	time_t t = (time_t)effective(r);

	if (out->json) {
		print_json(r);
	} else {
		if (effective(r) != STORE_TIME_NONE && gmtime_r(&t, &tm))
			strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		printf("%-10s  ", day);
		util_put_cell(stdout, r->feed_name ? r->feed_name : "(removed)",
		         FEED_COLS, 1);
		fputs("  ", stdout);
		util_put_cell(stdout,
		         r->title && *r->title ? r->title : "(no title)",
		         TITLE_COLS, 0);
		putchar('\n');
	}
	if (ferror(stdout)) {
		out->failed = 1;
		return 1;
	}
	return 0;
}

/* YYYY-MM-DD (a whole day) or an RFC 3339 time; *day set for the first. */
static int
parse_when(const char *s, int64_t *out, int *day)
{
	size_t i;

	*day = strlen(s) == 10;
	for (i = 0; *day && i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			*day = 0;
	return crawler_parse_date(s, out);
}

CMD_FN(cmd_items)
{
	static const struct option opts[] = {
		{ "feed", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_item_query q = { 0, STORE_TIME_NONE, STORE_TIME_NONE, 0 };
	struct items_out out = { 0, 0 };
	struct store_feed feed;
	const char *feed_key = NULL;
	char err[1024], *end;
	long long v;
	int c, rc, day;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': feed_key = optarg; break;
		case 's':
		case 'u':
			if (parse_when(optarg, c == 's' ? &q.since : &q.until,
			               &day) != 0) {
				fprintf(stderr,
				        "pcmon items: invalid date '%s': want "
				        "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n",
				        optarg);
				return EXIT_USAGE;
			}
			if (c == 'u' && day)
				q.until += 86400; /* the whole day */
			break;
		case 'l':
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 ||
			    v > LONG_MAX) {
				fprintf(stderr,
				        "pcmon items: invalid limit '%s'\n",
				        optarg);
				return EXIT_USAGE;
			}
			q.limit = (long)v;
			break;
		case 'j': out.json = 1; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (feed_key) {
		rc = store_feed_get(ctx->store, feed_key, &feed, err,
		                    sizeof(err));
		if (rc != STORE_OK) {
			fprintf(stderr, "pcmon items: %s\n", err);
			return rc == STORE_ERR_NOTFOUND ? EXIT_FAIL : EXIT_DB;
		}
		q.feed_id = feed.id;
		store_feed_release(&feed);
	}
	rc = store_item_foreach(ctx->store, &q, print_item, &out, err,
	                        sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "pcmon items: %s\n", err);
		return EXIT_DB;
	}
	if (out.failed) {
		fprintf(stderr, "pcmon items: cannot write output: %s\n",
		        strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
