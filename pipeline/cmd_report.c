/*
 * cmd_report.c - "pcmon report": one self-contained HTML file with charts
 * drawn as inline SVG, readable without JavaScript, printable, legible in
 * greyscale (bars are black or grey, outage days hatched, alerts marked
 * with a labelled triangle, not a colour).  Every text from a feed or the
 * database goes through html() below.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "series.h"
#include "store.h"
#include "trends.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon report [--out DIR] [--since DATE] [--until DATE]\n"
        "                    [--model PATH]\n"
        "\n"
        "Writes DIR/report.html (default DIR: DATA_DIR/report): one\n"
        "self-contained page, no external assets or scripts, printable,\n"
        "with related stories per day and per week (corrected estimate and\n"
        "its interval, alerts marked, the crawl's blind days hatched), one\n"
        "small chart per theme, the top countries, a theme x country table,\n"
        "the latest related stories, the recent alerts with the stories\n"
        "behind them, and feed health.  Default period: the 120 days up to\n"
        "today (UTC).  Prints the path of the file.\n"
        "\n"
        "Exit status: 0 done; 2 bad option; 3 database error; 5 the model\n"
        "cannot be loaded or the file cannot be written.\n";

#define LATEST 60 /* related stories listed */

/* ------------------------------------------------------------- escaping */

static void
html(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t')
				fputc(' ', fp);
			else
				fputc(*s, fp);
		}
	}
}

/* only http(s) links become links: no javascript: or data: URLs */
static int
safe_link(const char *u)
{
	return u && (strncmp(u, "https://", 8) == 0 ||
	             strncmp(u, "http://", 7) == 0);
}

/* ------------------------------------------------------------------ SVG */

struct bars {
	const char *id, *title;
	size_t n;
	const double *v, *lo, *hi;  /* lo/hi may be NULL */
	const unsigned char *shade; /* blind: hatched; may be NULL */
	const unsigned char *mark;  /* alerts: a triangle; may be NULL */
	const int64_t *start;       /* the first day of each bar */
	int by;                     /* BY_DAY, BY_WEEK */
	int w, h;
};

static double
nice_max(double m)
{
	double p, f;

	if (m <= 1)
		return 1;
	p = pow(10, floor(log10(m)));
	f = m / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void
svg_bars(FILE *fp, const struct bars *b)
{
	int left = 44, right = 10, top = 22, bottom = 34;
	double pw = b->w - left - right, ph = b->h - top - bottom, max = 0,
	       bw, x, y, yl, yh;
	size_t i;
	int k, lastm = -1;
	double lastx = -1e9;
	char lab[16];

	for (i = 0; i < b->n; i++) {
		double v = b->hi ? b->hi[i] : b->v[i];

		if (v > max)
			max = v;
	}
	max = nice_max(max);
	bw = b->n ? pw / (double)b->n : pw;
	fprintf(fp,
	        "<svg class=\"chart\" id=\"%s\" role=\"img\" viewBox=\"0 0 %d %d\" "
	        "width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n"
	        "<title>",
	        b->id, b->w, b->h, b->w, b->h);
	html(fp, b->title);
	fputs("</title>\n", fp);
	/* y axis: 0, half, max, with light grid lines */
	for (k = 0; k <= 2; k++) {
		double v = max * k / 2;

		y = top + ph - ph * k / 2;
		fprintf(fp,
		        "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
		        "class=\"grid\"/><text x=\"%d\" y=\"%.1f\" "
		        "class=\"ytick\">%g</text>\n",
		        left, left + pw, y, y, left - 4, y + 4, v);
	}
	for (i = 0; i < b->n; i++) {
		x = left + bw * (double)i;
		if (b->shade && b->shade[i])
			fprintf(fp,
			        "<rect class=\"blind\" x=\"%.1f\" y=\"%d\" "
			        "width=\"%.1f\" height=\"%.1f\"/>\n",
			        x, top, bw, ph);
		y = top + ph - ph * b->v[i] / max;
		if (b->v[i] > 0)
			fprintf(fp,
			        "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
			        "width=\"%.1f\" height=\"%.1f\"><title>",
			        x + bw * 0.1, y, bw * 0.8, top + ph - y);
		if (b->v[i] > 0) {
			trends_period_label(b->start[i], b->by, lab, sizeof(lab));
			fprintf(fp, "%s: %g", lab, b->v[i]);
			if (b->lo)
				fprintf(fp, " (estimate interval %.1f-%.1f)",
				        b->lo[i], b->hi[i]);
			fputs("</title></rect>\n", fp);
		}
		if (b->lo && b->hi[i] > b->lo[i]) {
			yl = top + ph - ph * b->lo[i] / max;
			yh = top + ph - ph * b->hi[i] / max;
			fprintf(fp,
			        "<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" "
			        "y1=\"%.1f\" y2=\"%.1f\"/>\n",
			        x + bw / 2, x + bw / 2, yl, yh);
		}
		if (b->mark && b->mark[i])
			fprintf(fp,
			        "<path class=\"alert\" d=\"M%.1f %d l5 -9 l-10 0 z\">"
			        "<title>alert</title></path>\n",
			        x + bw / 2, top - 2);
		/* x labels: the first bar of each month */
		{
			int y0, m0, d0;
			char dl[16];

			trends_day_label(b->start[i], dl, sizeof(dl));
			sscanf(dl, "%d-%d-%d", &y0, &m0, &d0);
			if (m0 != lastm && x - lastx >= 48) {
				fprintf(fp,
				        "<line class=\"tick\" x1=\"%.1f\" "
				        "x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
				        "<text class=\"xtick\" x=\"%.1f\" "
				        "y=\"%.1f\">%04d-%02d</text>\n",
				        x, x, top + ph, top + ph + 4, x + 2,
				        top + ph + 16, y0, m0);
				lastm = m0;
				lastx = x;
			}
		}
	}
	fprintf(fp,
	        "<line class=\"axis\" x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" "
	        "y2=\"%.1f\"/>\n</svg>\n",
	        left, left + pw, top + ph, top + ph);
}

/* --------------------------------------------------------------- pieces */

struct latest {
	struct item {
		int64_t id, date;
		double score;
		char *title, *link, *source, *themes, *countries;
	} v[LATEST];
	size_t n, next;
	int oom;
};

static char *
dup0(const char *s)
{
	return strdup(s ? s : "");
}

static void
item_free(struct item *it)
{
	free(it->title);
	free(it->link);
	free(it->source);
	free(it->themes);
	free(it->countries);
	memset(it, 0, sizeof(*it));
}

static int
keep_latest(const struct store_export_row *r, void *arg)
{
	struct latest *l = arg;
	struct item *it = &l->v[l->next];

	item_free(it);
	it->id = r->id;
	it->date = r->date;
	it->score = r->related;
	it->title = dup0(r->title);
	it->link = dup0(r->link);
	it->source = dup0(r->feed_name);
	it->themes = dup0(r->themes);
	it->countries = dup0(r->countries);
	if (!it->title || !it->link || !it->source || !it->themes ||
	    !it->countries) {
		l->oom = 1;
		return 1;
	}
	l->next = (l->next + 1) % LATEST;
	if (l->n < LATEST)
		l->n++;
	return 0;
}

/* a JSON array of strings as "a, b" */
static void
html_list(FILE *fp, const char *json)
{
	json_t *a = json ? json_loads(json, 0, NULL) : NULL, *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		if (i)
			fputs(", ", fp);
		html(fp, json_string_value(v));
	}
	json_decref(a);
}

struct alert_ctx {
	FILE *fp;
	int64_t day0;
	size_t ndays;
	unsigned char *marks; /* total or any theme alert per day */
	long n;
};

static int
mark_alert(const struct store_alert *a, void *arg)
{
	struct alert_ctx *ac = arg;
	int64_t d;

	if (trends_parse_day(a->period, &d) == 0 && d >= ac->day0 &&
	    d < ac->day0 + (int64_t)ac->ndays &&
	    (strcmp(a->series, "total") == 0 ||
	     strncmp(a->series, "theme:", 6) == 0))
		ac->marks[d - ac->day0] = 1;
	return 0;
}

static int
print_alert(const struct store_alert *a, void *arg)
{
	struct alert_ctx *ac = arg;
	FILE *fp = ac->fp;
	json_t *p = a->payload ? json_loads(a->payload, 0, NULL) : NULL, *s;
	size_t i;

	if (ac->n++ >= 30) {
		json_decref(p);
		return 1;
	}
	fprintf(fp, "<li class=\"alert-item\"><b>");
	html(fp, a->period);
	fputs("</b> &middot; <span class=\"series\">", fp);
	html(fp, a->series);
	fprintf(fp, "</span> &middot; %s: %lld %s (expected %.2f, score "
	            "%.1f)<ul>\n",
	        a->kind && strcmp(a->kind, "new") == 0
	                ? "first story in a long time"
	                : "spike",
	        (long long)a->count, a->count == 1 ? "story" : "stories",
	        a->expected, a->score);
	json_array_foreach(json_object_get(p, "stories"), i, s)
	{
		const char *link =
		        json_string_value(json_object_get(s, "link"));

		fputs("<li>", fp);
		if (safe_link(link)) {
			fputs("<a href=\"", fp);
			html(fp, link);
			fputs("\">", fp);
		}
		html(fp, json_string_value(json_object_get(s, "title")));
		if (safe_link(link))
			fputs("</a>", fp);
		fputs(" <span class=\"src\">", fp);
		html(fp, json_string_value(json_object_get(s, "source")));
		fputs("</span></li>\n", fp);
	}
	fputs("</ul></li>\n", fp);
	json_decref(p);
	return 0;
}

struct feed_ctx {
	FILE *fp;
	long shown, ok;
};

static int
print_feed(const struct store_feed *f, void *arg)
{
	struct feed_ctx *fc = arg;
	char when[32];

	if (f->status == FEED_OK && f->fail_count == 0) {
		fc->ok++;
		return 0;
	}
	util_format_minute(f->last_success_at, when, sizeof(when));
	fc->shown++;
	fputs("<tr><td>", fc->fp);
	html(fc->fp, f->name ? f->name : f->title ? f->title : f->url);
	fprintf(fc->fp, "</td><td>%s</td><td>%ld</td><td>%s</td><td>",
	        f->status == FEED_DEAD      ? "dead"
	        : f->status == FEED_FAILING ? "failing"
	                                    : "errors",
	        f->fail_count, when);
	html(fc->fp, f->last_error);
	fputs("</td></tr>\n", fc->fp);
	return 0;
}

static const char css[] =
        "body{font:14px/1.45 'DejaVu Sans',Arial,sans-serif;color:#111;"
        "max-width:960px;margin:1em auto;padding:0 12px}"
        "h1{font-size:22px;margin:.2em 0}h2{font-size:17px;margin:1.4em 0 "
        ".4em;border-bottom:1px solid #999}"
        ".meta{color:#444}.chart{display:block;max-width:100%;height:auto}"
        ".bar{fill:#222}.ci{stroke:#888;stroke-width:1.5}"
        ".blind{fill:url(#hatch)}.grid{stroke:#ddd}.axis,.tick{stroke:#333}"
        ".ytick{font-size:10px;text-anchor:end;fill:#333}.xtick{font-size:10px;"
        "fill:#333}.alert{fill:#fff;stroke:#000;stroke-width:1.5}"
        ".legend span{margin-right:1.2em}"
        ".multiples{display:flex;flex-wrap:wrap;gap:8px}.multiples figure{"
        "margin:0;width:300px}.multiples figcaption{font-size:12px}"
        "table{border-collapse:collapse;width:100%;font-size:13px}"
        "th,td{border-bottom:1px solid #ccc;padding:3px 5px;text-align:left;"
        "vertical-align:top}td.n,th.n{text-align:right}td:first-child{white-space:nowrap}"
        ".src{color:#555;font-size:12px}.series{font-family:monospace}"
        "@media print{body{max-width:none}a{color:#000}h2{break-after:avoid}"
        "svg,figure,tr{break-inside:avoid}}";

CMD_FN(cmd_report)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "model", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct series_model sm;
	struct trends_table tt, th, tc, ttc;
	struct latest lat;
	struct alert_ctx ac;
	struct feed_ctx fc;
	const char *out = NULL, *model = NULL;
	char dir[4096], path[4200], tmp[4300], err[1024], a[16], b[16];
	int64_t today = (int64_t)time(NULL) / 86400, since, until, p, next;
	unsigned char *blind = NULL, *wblind = NULL, *wmark = NULL;
	double *v = NULL, *lo = NULL, *hi = NULL, *wv = NULL, *wlo = NULL,
	       *whi = NULL, z;
	int64_t *starts = NULL, *wstarts = NULL;
	size_t ndays, nweeks = 0, d, k, i, j;
	int c, status = EXIT_FAIL, stories;
	FILE *fp = NULL;
	struct bars bb;
	time_t now = time(NULL);
	struct tm tm;
	char gen[32];

	memset(&tt, 0, sizeof(tt));
	memset(&th, 0, sizeof(th));
	memset(&tc, 0, sizeof(tc));
	memset(&ttc, 0, sizeof(ttc));
	memset(&lat, 0, sizeof(lat));
	memset(&ac, 0, sizeof(ac));
	since = today - 119;
	until = today;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'S':
		case 'U':
			if (trends_parse_day(optarg, c == 'S' ? &since : &until) !=
			    0) {
				fprintf(stderr, "pcmon report: --%s '%s': want a "
				                "date YYYY-MM-DD\n",
				        c == 'S' ? "since" : "until", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm': model = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (since > until) {
		fprintf(stderr, "pcmon report: --since is after --until\n");
		return EXIT_USAGE;
	}
	since = trends_period_start(since, BY_WEEK); /* whole weeks */
	ndays = (size_t)(until - since + 1);
	z = trends_z(ctx->cfg->trends_confidence);
	stories = strcmp(ctx->cfg->trends_count, "items") != 0;
	if (series_model(ctx->cfg, ctx->store, model, "pcmon report", &sm) != 0)
		return EXIT_FAIL;
	snprintf(dir, sizeof(dir), "%s", out ? out : "");
	if (!out)
		snprintf(dir, sizeof(dir), "%s/report", ctx->cfg->data_dir);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "pcmon report: cannot create '%s': %s\n", dir,
		        strerror(errno));
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/report.html", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	blind = calloc(ndays, 1);
	ac.marks = calloc(ndays, 1);
	v = calloc(ndays, sizeof(double));
	lo = calloc(ndays, sizeof(double));
	hi = calloc(ndays, sizeof(double));
	starts = calloc(ndays, sizeof(int64_t));
	wv = calloc(ndays / 7 + 2, sizeof(double));
	wlo = calloc(ndays / 7 + 2, sizeof(double));
	whi = calloc(ndays / 7 + 2, sizeof(double));
	wstarts = calloc(ndays / 7 + 2, sizeof(int64_t));
	wblind = calloc(ndays / 7 + 2, 1);
	wmark = calloc(ndays / 7 + 2, 1);
	if (!blind || !ac.marks || !v || !lo || !hi || !starts || !wv ||
	    !wlo || !whi || !wstarts || !wblind || !wmark) {
		fprintf(stderr, "pcmon report: out of memory\n");
		goto done;
	}
	ac.day0 = since;
	ac.ndays = ndays;
	if (series_blind_days(ctx->store, since, ndays,
	                      ctx->cfg->detect_outage_share, today, blind, err,
	                      sizeof(err)) != 0 ||
	    series_load(ctx->store, &sm, ctx->cfg->threshold, SERIES_TOTAL,
	                stories, since, ndays, &tt, err, sizeof(err)) != 0 ||
	    series_load(ctx->store, &sm, ctx->cfg->threshold, SERIES_THEME,
	                stories, since, ndays, &th, err, sizeof(err)) != 0 ||
	    series_load(ctx->store, &sm, ctx->cfg->threshold, SERIES_COUNTRY,
	                stories, since, ndays, &tc, err, sizeof(err)) != 0 ||
	    series_load(ctx->store, &sm, ctx->cfg->threshold,
	                SERIES_THEME_COUNTRY, stories, since, ndays, &ttc, err,
	                sizeof(err)) != 0 ||
	    store_alert_foreach(ctx->store, STORE_TIME_NONE, 0, mark_alert, &ac,
	                        err, sizeof(err)) != STORE_OK ||
	    store_export(ctx->store, sm.version, ctx->cfg->threshold, 1,
	                 since * 86400, (until + 1) * 86400, keep_latest, &lat,
	                 err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon report: %s\n", err);
		status = EXIT_DB;
		goto done;
	}
	if (lat.oom) {
		fprintf(stderr, "pcmon report: out of memory\n");
		goto done;
	}
	/* the daily and weekly totals with their estimates */
	for (d = 0; d < ndays; d++) {
		struct trends_estimate e;
		int64_t rel = tt.nkeys ? tt.related[0][d] : 0;
		int64_t tot = tt.nkeys ? trends_table_total(&tt, 0, d) : 0;

		trends_estimate(sm.rates_ok ? &sm.rates : NULL, rel, tot, z, &e);
		v[d] = (double)rel;
		lo[d] = e.low;
		hi[d] = e.high;
		starts[d] = since + (int64_t)d;
	}
	for (p = since; p <= until; p = next, nweeks++) {
		struct trends_estimate e;
		int64_t rel = 0, tot = 0;

		next = trends_period_next(p, BY_WEEK);
		for (d = (size_t)(p - since); d < ndays && (int64_t)d < next - since;
		     d++) {
			rel += tt.nkeys ? tt.related[0][d] : 0;
			tot += tt.nkeys ? trends_table_total(&tt, 0, d) : 0;
			wblind[nweeks] |= blind[d];
			wmark[nweeks] |= ac.marks[d];
		}
		trends_estimate(sm.rates_ok ? &sm.rates : NULL, rel, tot, z, &e);
		wv[nweeks] = (double)rel;
		wlo[nweeks] = e.low;
		whi[nweeks] = e.high;
		wstarts[nweeks] = p;
	}

	if (!(fp = fopen(tmp, "w"))) {
		fprintf(stderr, "pcmon report: cannot write '%s': %s\n", tmp,
		        strerror(errno));
		goto done;
	}
	gmtime_r(&now, &tm);
	strftime(gen, sizeof(gen), "%Y-%m-%d %H:%M UTC", &tm);
	trends_day_label(since, a, sizeof(a));
	trends_day_label(until, b, sizeof(b));
	fprintf(fp,
	        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	        "charset=\"utf-8\"><meta name=\"viewport\" "
	        "content=\"width=device-width\"><title>pcmon report %s to "
	        "%s</title><style>%s</style></head><body>\n"
	        "<svg width=\"0\" height=\"0\" aria-hidden=\"true\" "
	        "style=\"position:absolute\"><defs><pattern id=\"hatch\" "
	        "width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	        "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
	        "fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
	        "stroke=\"#aaa\" stroke-width=\"2\"/></pattern></defs></svg>\n"
	        "<h1>International police cooperation in the news</h1>\n"
	        "<p class=\"meta\">%s to %s (UTC) &middot; generated %s &middot; "
	        "model <code>",
	        a, b, css, a, b, gen);
	html(fp, sm.version);
	fprintf(fp, "</code> at threshold %.2f &middot; counting %s</p>\n",
	        ctx->cfg->threshold, stories ? "stories" : "items");
	fputs("<p class=\"legend\"><span>&#9632; related stories</span>"
	      "<span>| estimate interval</span><span>&#9661; alert</span>"
	      "<span>hatched: crawl blind (most feeds failing)</span></p>\n",
	      fp);

	fputs("<h2 id=\"daily\">Related stories per day</h2>\n", fp);
	memset(&bb, 0, sizeof(bb));
	bb.id = "chart-daily";
	bb.title = "Related stories per day";
	bb.n = ndays;
	bb.v = v;
	bb.lo = sm.rates_ok ? lo : NULL;
	bb.hi = sm.rates_ok ? hi : NULL;
	bb.shade = blind;
	bb.mark = ac.marks;
	bb.start = starts;
	bb.by = BY_DAY;
	bb.w = 920;
	bb.h = 240;
	if (!sm.rates_ok)
		bb.hi = NULL;
	svg_bars(fp, &bb);
	fputs("<h2 id=\"weekly\">Related stories per week</h2>\n", fp);
	bb.id = "chart-weekly";
	bb.title = "Related stories per week";
	bb.n = nweeks;
	bb.v = wv;
	bb.lo = sm.rates_ok ? wlo : NULL;
	bb.hi = sm.rates_ok ? whi : NULL;
	bb.shade = wblind;
	bb.mark = wmark;
	bb.start = wstarts;
	bb.by = BY_WEEK;
	svg_bars(fp, &bb);

	/* small multiples: weekly per theme */
	fputs("<h2 id=\"themes\">Themes, per week</h2>\n<div "
	      "class=\"multiples\">\n",
	      fp);
	for (k = 0; k < th.nkeys; k++) {
		double *tv = calloc(nweeks ? nweeks : 1, sizeof(double));
		int64_t sum = 0;
		char id[64];

		if (!tv)
			continue;
		for (i = 0; i < nweeks; i++)
			for (d = (size_t)(wstarts[i] - since);
			     d < ndays && d < (size_t)(wstarts[i] - since) + 7;
			     d++) {
				tv[i] += (double)th.related[k][d];
				sum += th.related[k][d];
			}
		fputs("<figure>", fp);
		snprintf(id, sizeof(id), "chart-theme-%zu", k);
		memset(&bb, 0, sizeof(bb));
		bb.id = id;
		bb.title = th.keys[k];
		bb.n = nweeks;
		bb.v = tv;
		bb.shade = wblind;
		bb.start = wstarts;
		bb.by = BY_WEEK;
		bb.w = 300;
		bb.h = 120;
		svg_bars(fp, &bb);
		fputs("<figcaption>", fp);
		html(fp, th.keys[k]);
		fprintf(fp, ": %lld</figcaption></figure>\n", (long long)sum);
		free(tv);
	}
	if (th.nkeys == 0)
		fputs("<p>No related story has a theme in this period.</p>\n",
		      fp);
	fputs("</div>\n", fp);

	/* top countries */
	fputs("<h2 id=\"countries\">Top countries</h2>\n<table "
	      "id=\"table-countries\"><tr><th>country</th><th "
	      "class=\"n\">stories</th><th></th></tr>\n",
	      fp);
	{
		int64_t *sum = calloc(tc.nkeys ? tc.nkeys : 1, sizeof(int64_t)),
		        max = 1;
		size_t *ord = calloc(tc.nkeys ? tc.nkeys : 1, sizeof(size_t));

		for (k = 0; sum && ord && k < tc.nkeys; k++) {
			for (d = 0; d < ndays; d++)
				sum[k] += tc.related[k][d];
			ord[k] = k;
			if (sum[k] > max)
				max = sum[k];
		}
		/* by count, then code: a small insertion sort */
		for (i = 1; sum && ord && i < tc.nkeys; i++)
			for (j = i; j > 0 && sum[ord[j]] > sum[ord[j - 1]]; j--) {
				size_t t = ord[j];

				ord[j] = ord[j - 1];
				ord[j - 1] = t;
			}
		for (i = 0; sum && ord && i < tc.nkeys && i < 15; i++) {
			fputs("<tr><td>", fp);
			html(fp, tc.keys[ord[i]]);
			fprintf(fp,
			        "</td><td class=\"n\">%lld</td><td><svg "
			        "width=\"300\" height=\"12\" role=\"img\"><rect "
			        "class=\"bar\" width=\"%.1f\" "
			        "height=\"12\"/></svg></td></tr>\n",
			        (long long)sum[ord[i]],
			        300.0 * (double)sum[ord[i]] / (double)max);
		}
		free(sum);
		free(ord);
	}
	fputs("</table>\n", fp);

	/* theme x country: themes as rows, the top countries as columns */
	fputs("<h2 id=\"theme-country\">Themes by country</h2>\n<table "
	      "id=\"table-theme-country\"><tr><th>theme \\ country</th>",
	      fp);
	{
		/* the 10 countries with most theme x country stories */
		char cols[10][8];
		int64_t colsum[10];
		size_t ncol = 0, r, m;

		for (k = 0; k < ttc.nkeys; k++) {
			const char *cc = strrchr(ttc.keys[k], '/');
			int64_t s = 0;
			size_t kk;

			if (!cc || strlen(++cc) >= sizeof(cols[0]))
				continue;
			for (i = 0; i < ncol && strcmp(cols[i], cc) != 0; i++)
				;
			if (i < ncol)
				continue; /* counted with its first key */
			/* this country's stories over every theme */
			for (kk = 0; kk < ttc.nkeys; kk++) {
				const char *c2 = strrchr(ttc.keys[kk], '/');

				if (c2 && strcmp(c2 + 1, cc) == 0)
					for (d = 0; d < ndays; d++)
						s += ttc.related[kk][d];
			}
			/* keep the top 10, largest first */
			for (m = ncol; m > 0 && colsum[m - 1] < s; m--)
				;
			if (m >= 10)
				continue;
			if (ncol < 10)
				ncol++;
			memmove(cols + m + 1, cols + m,
			        (ncol - 1 - m) * sizeof(cols[0]));
			memmove(colsum + m + 1, colsum + m,
			        (ncol - 1 - m) * sizeof(colsum[0]));
			snprintf(cols[m], sizeof(cols[0]), "%s", cc);
			colsum[m] = s;
		}
		for (i = 0; i < ncol; i++) {
			fputs("<th class=\"n\">", fp);
			html(fp, cols[i]);
			fputs("</th>", fp);
		}
		fputs("</tr>\n", fp);
		for (r = 0; r < th.nkeys; r++) {
			fputs("<tr><td>", fp);
			html(fp, th.keys[r]);
			fputs("</td>", fp);
			for (i = 0; i < ncol; i++) {
				char key[160];
				int64_t s = 0;

				snprintf(key, sizeof(key), "%s/%s", th.keys[r],
				         cols[i]);
				for (k = 0; k < ttc.nkeys; k++)
					if (strcmp(ttc.keys[k], key) == 0)
						for (d = 0; d < ndays; d++)
							s += ttc.related[k][d];
				if (s)
					fprintf(fp, "<td class=\"n\">%lld</td>",
					        (long long)s);
				else
					fputs("<td class=\"n\"></td>", fp);
			}
			fputs("</tr>\n", fp);
		}
	}
	fputs("</table>\n", fp);

	/* the latest related stories, newest first */
	fputs("<h2 id=\"latest\">Latest related stories</h2>\n<table "
	      "id=\"table-latest\"><tr><th>date</th><th class=\"n\">score</th>"
	      "<th>story</th><th>themes</th><th>countries</th></tr>\n",
	      fp);
	for (i = 0; i < lat.n; i++) {
		struct item *it = &lat.v[(lat.next + LATEST - 1 - i) % LATEST];
		char dl[16];

		trends_day_label(it->date / 86400, dl, sizeof(dl));
		fprintf(fp, "<tr class=\"story\"><td>%s</td><td class=\"n\">"
		            "%.2f</td><td>",
		        dl, it->score);
		if (safe_link(it->link)) {
			fputs("<a href=\"", fp);
			html(fp, it->link);
			fputs("\">", fp);
		}
		html(fp, it->title);
		if (safe_link(it->link))
			fputs("</a>", fp);
		fputs(" <span class=\"src\">", fp);
		html(fp, it->source);
		fputs("</span></td><td>", fp);
		html_list(fp, it->themes);
		fputs("</td><td>", fp);
		html_list(fp, it->countries);
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
	if (lat.n == 0)
		fputs("<p>No related story in this period.</p>\n", fp);

	fputs("<h2 id=\"alerts\">Recent alerts</h2>\n<ul "
	      "id=\"list-alerts\">\n",
	      fp);
	ac.fp = fp;
	ac.n = 0;
	if (store_alert_foreach(ctx->store, STORE_TIME_NONE, 0, print_alert,
	                        &ac, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon report: %s\n", err);
		status = EXIT_DB;
		goto done;
	}
	fputs("</ul>\n", fp);
	if (ac.n == 0)
		fputs("<p>No alerts.</p>\n", fp);

	fputs("<h2 id=\"feeds\">Feed health</h2>\n<table id=\"table-feeds\">"
	      "<tr><th>feed</th><th>state</th><th class=\"n\">failures in a "
	      "row</th><th>last success (UTC)</th><th>last error</th></tr>\n",
	      fp);
	fc.fp = fp;
	fc.shown = fc.ok = 0;
	if (store_feed_foreach(ctx->store, print_feed, &fc, err, sizeof(err)) !=
	    STORE_OK) {
		fprintf(stderr, "pcmon report: %s\n", err);
		status = EXIT_DB;
		goto done;
	}
	fprintf(fp, "</table>\n<p>%ld feed%s working, %ld with problems.</p>\n",
	        fc.ok, fc.ok == 1 ? "" : "s", fc.shown);
	fputs("</body></html>\n", fp);
	if (fflush(fp) != 0 || ferror(fp)) {
		fprintf(stderr, "pcmon report: cannot write '%s'\n", tmp);
		goto done;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		fp = NULL;
		fprintf(stderr, "pcmon report: cannot write '%s': %s\n", path,
		        strerror(errno));
		goto done;
	}
	fp = NULL;
	printf("%s\n", path);
	status = EXIT_OK;
done:
	if (fp) {
		fclose(fp);
		unlink(tmp);
	}
	for (i = 0; i < LATEST; i++)
		item_free(&lat.v[i]);
	trends_table_free(&tt);
	trends_table_free(&th);
	trends_table_free(&tc);
	trends_table_free(&ttc);
	free(blind);
	free(ac.marks);
	free(v);
	free(lo);
	free(hi);
	free(starts);
	free(wv);
	free(wlo);
	free(whi);
	free(wstarts);
	free(wblind);
	free(wmark);
	return status;
}
