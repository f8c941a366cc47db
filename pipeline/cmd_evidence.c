/*
 * cmd_evidence.c - "pcmon evidence": a citable bundle of what pcmon saw
 * behind an alert or an item - the items with their links, the raw feed
 * documents they came from (checked against the SHA-256 stored at fetch
 * time), fetch times, the model version and scores, a README and a
 * SHA256SUMS file that `sha256sum -c` verifies.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "series.h"
#include "sha256.h"
#include "store.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon evidence ALERT_ID --out DIR\n"
        "       pcmon evidence --item ITEM_ID --out DIR\n"
        "\n"
        "Writes into DIR (created; it must not hold a bundle already) the\n"
        "evidence behind an alert (its stories) or one item: items.json\n"
        "(each item with its link, source, dates, the fetch that brought it,\n"
        "the model version, label and score), raw/fetch-N.xml (the feed\n"
        "documents as fetched, checked against the SHA-256 stored then),\n"
        "alert.json for an alert, README.txt, and SHA256SUMS (verify with\n"
        "cd DIR && sha256sum -c SHA256SUMS).  Raw documents older than the\n"
        "[crawl] raw_keep newest of their feed are no longer stored; the\n"
        "README says which.\n"
        "\n"
        "Exit status: 0 done; 2 bad option; 3 database error; 5 no such\n"
        "alert or item, or DIR cannot be written.\n";

struct bundle {
	const char *dir;
	json_t *items;
	FILE *sums;
	FILE *readme_list; /* memstream of README lines on items */
	char *readme_buf;
	size_t readme_len;
	int failed;
	long missing_raw;
	char err[1024];
};

/* writes name in the bundle and records its checksum */
static int
put_file(struct bundle *b, const char *name, const char *data, size_t len)
{
	char path[4096], hex[SHA256_HEX_SIZE];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	if (!(fp = fopen(path, "wbx")) ||
	    fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		snprintf(b->err, sizeof(b->err), "cannot write '%.900s': %s", path,
		         strerror(errno));
		return -1;
	}
	sha256_hex(data, len, hex);
	fprintf(b->sums, "%s  %s\n", hex, name);
	return 0;
}

static int
add_item(const struct store_evidence *e, void *arg)
{
	struct bundle *b = arg;
	const struct store_export_row *r = &e->item;
	char pub[32], seen[32], fetched[32], rawname[64] = "", hex[65] = "";
	json_t *o, *th, *co;
	struct stat stbuf;
	char path[4096];

	util_format_iso(r->published, pub, sizeof(pub));
	util_format_iso(r->first_seen, seen, sizeof(seen));
	util_format_iso(e->fetched_at, fetched, sizeof(fetched));
	if (e->raw) {
		snprintf(rawname, sizeof(rawname), "raw/fetch-%lld.xml",
		         (long long)e->fetch_id);
		sha256_hex(e->raw, e->raw_len, hex);
		if (e->raw_sha256 && strcmp(hex, e->raw_sha256) != 0) {
			snprintf(b->err, sizeof(b->err),
			         "raw document of fetch %lld does not match the "
			         "SHA-256 stored at fetch time",
			         (long long)e->fetch_id);
			b->failed = 1;
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", b->dir, rawname);
		/* several items of one fetch share its document */
		if (stat(path, &stbuf) != 0 &&
		    put_file(b, rawname, e->raw, e->raw_len) != 0) {
			b->failed = 1;
			return 1;
		}
	} else {
		b->missing_raw++;
	}
	th = r->themes ? json_loads(r->themes, 0, NULL) : NULL;
	co = r->countries ? json_loads(r->countries, 0, NULL) : NULL;
	o = json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?,"
	              " s:s, s:I, s:s?, s:s?, s:I, s:s?, s:s?, s:s?, s:s?,"
	              " s:o, s:o}",
	              "id", (json_int_t)r->id, "story",
	              (json_int_t)r->story_id, "title", r->title, "link",
	              r->link, "summary", r->summary, "source", r->feed_name,
	              "feed_url", r->feed_url, "lang", r->lang, "published",
	              *pub ? pub : NULL, "first_seen", seen, "fetch_id",
	              (json_int_t)e->fetch_id, "fetched_at",
	              *fetched ? fetched : NULL, "fetch_url", e->fetch_url,
	              "http_status", (json_int_t)e->http_status, "raw_file",
	              *rawname ? rawname : NULL, "raw_sha256",
	              *hex ? hex : NULL, "model_version", e->model_version,
	              "label", e->label, "themes",
	              json_is_array(th) ? th : json_array(), "countries",
	              json_is_array(co) ? co : json_array());
	if (th && !json_is_array(th))
		json_decref(th);
	if (co && !json_is_array(co))
		json_decref(co);
	if (o && e->model_version)
		json_object_set_new(o, "score", json_real(e->score));
	if (!o || json_array_append_new(b->items, o) != 0) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		b->failed = 1;
		return 1;
	}
	fprintf(b->readme_list, "  item %lld  %s  %s\n      %s\n",
	        (long long)r->id, *pub ? pub : seen,
	        r->title ? r->title : "", r->link ? r->link : "");
	return 0;
}

struct alert_copy {
	char *payload;
	char series[256], period[16], kind[16], model[128];
	long long count;
	double expected, score;
	int found;
};

static int
copy_alert(const struct store_alert *a, void *arg)
{
	struct alert_copy *c = arg;

	c->found = 1;
	c->payload = a->payload ? strdup(a->payload) : NULL;
	snprintf(c->series, sizeof(c->series), "%s", a->series);
	snprintf(c->period, sizeof(c->period), "%s", a->period);
	snprintf(c->kind, sizeof(c->kind), "%s", a->kind ? a->kind : "volume");
	snprintf(c->model, sizeof(c->model), "%s",
	         a->model_version ? a->model_version : "");
	c->count = (long long)a->count;
	c->expected = a->expected;
	c->score = a->score;
	return 1;
}

static int
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

CMD_FN(cmd_evidence)
{
	static const struct option opts[] = {
		{ "item", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bundle b;
	struct alert_copy ac;
	struct series_model sm;
	const char *item_s = NULL, *out = NULL;
	int64_t alert_id = 0, item_id = 0;
	char path[4096], *js = NULL, gen[32];
	FILE *fp;
	int c, status = EXIT_FAIL, rc;
	size_t i;
	json_t *p = NULL, *s;
	time_t now = time(NULL);
	struct tm tm;

	memset(&b, 0, sizeof(b));
	memset(&ac, 0, sizeof(ac));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': item_s = optarg; break;
		case 'o': out = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (!out || (item_s ? optind != argc : optind != argc - 1))
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if ((item_s && parse_id(item_s, &item_id) != 0) ||
	    (!item_s && parse_id(argv[optind], &alert_id) != 0)) {
		fprintf(stderr, "pcmon evidence: '%s' is not an id\n",
		        item_s ? item_s : argv[optind]);
		return EXIT_USAGE;
	}
	if (series_model(ctx->cfg, ctx->store, NULL, "pcmon evidence", &sm) !=
	    0)
		return EXIT_FAIL;
	if (alert_id) {
		if (store_alert_get(ctx->store, alert_id, copy_alert, &ac,
		                    b.err, sizeof(b.err)) != STORE_OK) {
			fprintf(stderr, "pcmon evidence: %s\n", b.err);
			return EXIT_FAIL;
		}
	}
	if (mkdir(out, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "pcmon evidence: cannot create '%s': %s\n", out,
		        strerror(errno));
		goto done;
	}
	snprintf(path, sizeof(path), "%s/raw", out);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "pcmon evidence: cannot create '%s': %s\n",
		        path, strerror(errno));
		goto done;
	}
	snprintf(path, sizeof(path), "%s/SHA256SUMS", out);
	b.dir = out;
	if (!(b.sums = fopen(path, "wx"))) {
		fprintf(stderr, "pcmon evidence: cannot write '%s': %s%s\n", path,
		        strerror(errno),
		        errno == EEXIST ? " (a bundle is there already)" : "");
		goto done;
	}
	b.items = json_array();
	b.readme_list = open_memstream(&b.readme_buf, &b.readme_len);
	if (!b.items || !b.readme_list) {
		fprintf(stderr, "pcmon evidence: out of memory\n");
		goto done;
	}
	/* the items: the alert's stories, or the one asked for */
	if (alert_id) {
		p = ac.payload ? json_loads(ac.payload, 0, NULL) : NULL;
		json_array_foreach(json_object_get(p, "stories"), i, s)
		{
			int64_t id = json_integer_value(json_object_get(s, "id"));

			rc = store_evidence_item(ctx->store, id, ac.model, add_item,
			                         &b, b.err, sizeof(b.err));
			if (rc != STORE_OK || b.failed) {
				fprintf(stderr, "pcmon evidence: %s\n", b.err);
				status = rc == STORE_ERR_NOTFOUND ? EXIT_FAIL
				                                  : EXIT_DB;
				goto done;
			}
		}
		json_decref(p);
		p = NULL;
		if (put_file(&b, "alert.json", ac.payload ? ac.payload : "{}",
		             ac.payload ? strlen(ac.payload) : 2) != 0) {
			fprintf(stderr, "pcmon evidence: %s\n", b.err);
			goto done;
		}
	} else {
		rc = store_evidence_item(ctx->store, item_id, sm.version,
		                         add_item, &b, b.err, sizeof(b.err));
		if (rc != STORE_OK || b.failed) {
			fprintf(stderr, "pcmon evidence: %s\n", b.err);
			status = rc == STORE_ERR_NOTFOUND || b.failed ? EXIT_FAIL
			                                              : EXIT_DB;
			goto done;
		}
	}
	if (!(js = json_dumps(b.items, JSON_INDENT(2) | JSON_REAL_PRECISION(6))) ||
	    put_file(&b, "items.json", js, strlen(js)) != 0) {
		fprintf(stderr, "pcmon evidence: %s\n",
		        js ? b.err : "out of memory");
		goto done;
	}
	fclose(b.readme_list);
	b.readme_list = NULL;
	gmtime_r(&now, &tm);
	strftime(gen, sizeof(gen), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		char *text = NULL;
		size_t len = 0;
		FILE *rm = open_memstream(&text, &len);

		if (!rm) {
			fprintf(stderr, "pcmon evidence: out of memory\n");
			goto done;
		}
		fprintf(rm, "pcmon evidence bundle\n=====================\n\n"
		            "Made by pcmon %s on %s (UTC).\n\n",
		        PCMON_VERSION, gen);
		if (alert_id)
			fprintf(rm,
			        "Alert %lld: series %s, day %s (UTC), %s: %lld "
			        "stories against %.2f expected (score %.2f), "
			        "model %s.\nThe alert as stored: alert.json.\n\n",
			        (long long)alert_id, ac.series, ac.period, ac.kind,
			        ac.count, ac.expected, ac.score, ac.model);
		else
			fprintf(rm, "Item %lld, scored by model %s.\n\n",
			        (long long)item_id, sm.version);
		fprintf(rm, "Items (items.json has each with its source, dates, "
		            "the fetch that brought it, label and score):\n\n");
		fwrite(b.readme_buf, 1, b.readme_len, rm);
		fprintf(rm,
		        "\nraw/ holds the feed documents as fetched (fetch_id "
		        "in items.json); each was checked against the SHA-256 "
		        "pcmon stored when it fetched it.%s\n\nVerify the "
		        "files: cd into this directory and run\n\n    sha256sum "
		        "-c SHA256SUMS\n",
		        b.missing_raw ? "  Some items' documents are no longer "
		                        "stored (only the newest [crawl] "
		                        "raw_keep documents of a feed are "
		                        "kept): their raw_file is null."
		                      : "");
		fclose(rm);
		rc = put_file(&b, "README.txt", text, len);
		free(text);
		if (rc != 0) {
			fprintf(stderr, "pcmon evidence: %s\n", b.err);
			goto done;
		}
	}
	if (fclose(b.sums) != 0) {
		b.sums = NULL;
		fprintf(stderr, "pcmon evidence: cannot write SHA256SUMS\n");
		goto done;
	}
	b.sums = NULL;
	fp = stdout;
	fprintf(fp, "%s: %zu item%s, %ld without their raw document\n", out,
	        json_array_size(b.items),
	        json_array_size(b.items) == 1 ? "" : "s", b.missing_raw);
	status = EXIT_OK;
done:
	if (b.sums)
		fclose(b.sums);
	if (b.readme_list)
		fclose(b.readme_list);
	free(b.readme_buf);
	json_decref(b.items);
	json_decref(p);
	free(js);
	free(ac.payload);
	return status;
}
