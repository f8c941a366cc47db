/*
 * cmd_items.c - "pcmon items": the stored items, newest first.
 *
 * Titles come from the open web: before one reaches a terminal, control
 * characters (C0, DEL, C1) and bidirectional overrides are replaced, so a
 * hostile title cannot move the cursor, clear the screen or reorder the
 * line, and long titles are cut to a fixed number of columns (wide
 * characters count two).  --json output keeps the text as stored; the JSON
 * writer escapes control characters.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <utf8proc.h>

#include "cmd.h"
#include "crawler/crawler.h"
#include "store.h"

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

/* Display width of code point c after sanitising (see put_cell). */
static utf8proc_int32_t
clean_cp(utf8proc_int32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return ' ';
	/* bidi embeddings, overrides and isolates; line/paragraph separators */
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f)
		return ' ';
	return c;
}

static int
cp_width(utf8proc_int32_t c)
{
	int w = utf8proc_charwidth(c);

	return w < 0 ? 0 : w;
}

/* Next code point of s (invalid bytes become U+FFFD); returns its length. */
static utf8proc_ssize_t
next_cp(const char *s, utf8proc_int32_t *c)
{
	utf8proc_ssize_t n =
	        utf8proc_iterate((const utf8proc_uint8_t *)s, -1, c);

	if (n <= 0) {
		*c = 0xfffd;
		return 1;
	}
	return n;
}

/* Writes s sanitised in at most width columns, cut with "…", then pads to
 * width when pad is set. */
static void
put_cell(FILE *fp, const char *s, int width, int pad)
{
	utf8proc_uint8_t enc[4];
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	const char *p;
	int total = 0, used = 0, w, cut;

	if (!s)
		s = "";
	for (p = s; *p; p += n) {
		n = next_cp(p, &c);
		total += cp_width(clean_cp(c));
	}
	cut = total > width;
	for (p = s; *p; p += n) {
		n = next_cp(p, &c);
		c = clean_cp(c);
		w = cp_width(c);
		if (cut && used + w > width - 1)
			break;
		fwrite(enc, 1, (size_t)utf8proc_encode_char(c, enc), fp);
		used += w;
	}
	if (cut) {
		fputs("\xe2\x80\xa6", fp); /* … */
		used++;
	}
	while (pad && used++ < width)
		putc(' ', fp);
}

static int64_t
effective(const struct store_item_row *r)
{
	return r->date_flag == DATE_OK ? r->published : r->first_seen;
}

static json_t *
jstr(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	return json_string(
	        "\xef\xbf\xbd"); /* damaged row: keep the stream valid */
}

static json_t *
jtime(int64_t t)
{
	char buf[40];

	if (t == STORE_TIME_NONE)
		return json_null();
	crawler_format_date(t, buf, sizeof(buf));
	return json_string(buf);
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
	char *s;

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "feed_id",
	                    r->feed_id ? json_integer(r->feed_id)
	                               : json_null());
	json_object_set_new(o, "feed", jstr(r->feed_name));
	json_object_set_new(o, "date", jtime(effective(r)));
	json_object_set_new(o, "title", jstr(r->title));
	json_object_set_new(o, "link", jstr(r->link));
	json_object_set_new(o, "canonical_link", jstr(r->canonical_link));
	json_object_set_new(o, "guid", jstr(r->guid));
	json_object_set_new(o, "summary", jstr(r->summary));
	json_object_set_new(o, "author", jstr(r->author));
	json_object_set_new(o, "lang", jstr(r->lang));
	json_object_set_new(o, "published", jtime(r->published));
	json_object_set_new(o, "updated", jtime(r->updated));
	json_object_set_new(o, "first_seen", jtime(r->first_seen));
	json_object_set_new(o, "date_flag",
	                    json_string(flag_name(r->date_flag)));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(o);
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
		put_cell(stdout, r->feed_name ? r->feed_name : "(removed)",
		         FEED_COLS, 1);
		fputs("  ", stdout);
		put_cell(stdout,
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
