/*
 * cmd_ingest.c - "pcmon ingest FEED FILE...": saved feed documents in, as
 * fetches of a stored feed.
 *
 * Each file is one fetch (store_fetch_begin/add_item/commit), exactly as the
 * HTTP crawler will store a download: the items, the fetch-log row and the
 * compressed raw body land in one transaction.  A file that cannot be
 * parsed is logged as a failed fetch and the run goes on with the next one;
 * only a database error stops it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "config.h"
#include "crawler/crawler.h"
#include "store.h"

static const char usage[] =
        "usage: pcmon ingest FEED FILE...\n"
        "\n"
        "Parses saved RSS, RDF or Atom documents and stores their new items "
        "as\n"
        "fetches of FEED (an id or URL from 'pcmon feeds list').  Items "
        "already\n"
        "stored (same guid or link in this feed, same canonical link in any\n"
        "feed) are counted but not added again.\n";

#define CHUNK 65536

struct ingest {
	struct store_txn *tx;
	struct crawl_parser *parser;
	const char *feed_lang;
	int64_t now;
	long seen, added;
	int store_rc; /* a store error stopped the parse */
	char store_err[1024];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The document's language as ISO 639-1 ("en-US" -> "en"), or NULL. */
static const char *
doc_lang(const struct crawl_parser *p, char out[3])
{
	const struct crawl_feed_meta *m = crawler_parser_meta(p);
	const char *l = m ? m->language : NULL;
	int i;

	if (!l)
		return NULL;
	for (i = 0; i < 2; i++) {
		char c = l[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			return NULL;
		out[i] = c;
	}
	out[2] = '\0';
	if (l[2] && l[2] != '-' && l[2] != '_')
		return NULL;
	return out;
}

static int
ingest_item(const struct crawl_item *ci, void *arg)
{
	struct ingest *in = arg;
	struct store_item it;
	char *canon = NULL, lang[3];
	int is_new, rc;

	if (ci->link)
		canon = crawler_url_canonical(ci->link);
	memset(&it, 0, sizeof(it));
	it.guid = ci->id;
	it.link = ci->link;
	it.canonical_link = canon;
	it.title = ci->title;
	it.summary = ci->summary;
	it.author = ci->author;
	it.lang = in->feed_lang ? in->feed_lang : doc_lang(in->parser, lang);
	it.published = ci->published == CRAWL_TIME_NONE ? STORE_TIME_NONE
	                                                : ci->published;
	it.updated =
	        ci->updated == CRAWL_TIME_NONE ? STORE_TIME_NONE : ci->updated;
	rc = store_fetch_add_item(in->tx, &it, in->now, &is_new, in->store_err,
	                          sizeof(in->store_err));
	free(canon);
	if (rc != STORE_OK) {
		in->store_rc = rc;
		return 1;
	}
	in->seen++;
	in->added += is_new;
	return 0;
}

/* Reads path whole (raw bodies are kept), at most max bytes. */
static int
read_file(const char *path, int64_t max, char **out, size_t *outlen, char *err,
          size_t errsz)
{
	FILE *fp;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	if (!(fp = fopen(path, "rb"))) {
		snprintf(err, errsz, "cannot open '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < CHUNK) {
			if (!(nbuf = realloc(buf, cap + CHUNK + 1))) {
				snprintf(err, errsz,
				         "cannot read '%s': out of memory",
				         path);
				goto out;
			}
			buf = nbuf;
			cap += CHUNK;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (max > 0 && (uint64_t)len > (uint64_t)max) {
			snprintf(err, errsz,
			         "cannot read '%s': larger than "
			         "max_body (%lld bytes)",
			         path, (long long)max);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "cannot read '%s': %s", path,
		         strerror(errno));
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(fp);
	return rc;
}

/* Returns EXIT_OK, EXIT_PARTIAL (this file failed) or EXIT_DB. */
static int
ingest_file(struct pcmon_ctx *ctx, const struct store_feed *feed,
            const char *path)
{
	const struct pcmon_config *cfg = ctx->cfg;
	struct crawl_parse_opts po;
	struct store_fetch fe;
	struct ingest in;
	char url[PATH_MAX + 16], abspath[PATH_MAX], msg[1024], err[1024];
	char *body = NULL;
	size_t len = 0, off, n;
	int64_t t0 = now_ms();
	int rc, status = EXIT_OK;

	memset(&fe, 0, sizeof(fe));
	memset(&in, 0, sizeof(in));
	fe.feed_id = feed->id;
	fe.started_at = (int64_t)time(NULL);
	fe.raw_keep = cfg->raw_keep;
	fe.fail_threshold = cfg->fail_threshold;
	if (realpath(path, abspath) &&
	    snprintf(url, sizeof(url), "file://%s", abspath) < (int)sizeof(url))
		fe.url = url;
	else
		fe.url = path;

	if (read_file(path, cfg->max_body, &body, &len, msg, sizeof(msg)) !=
	    0) {
		fprintf(stderr, "pcmon ingest: %s\n", msg);
		fe.error = msg;
		fe.duration_ms = now_ms() - t0;
		if ((rc = store_fetch_log(ctx->store, &fe, err, sizeof(err))) !=
		    0) {
			fprintf(stderr, "pcmon ingest: %s\n", err);
			return EXIT_DB;
		}
		return EXIT_PARTIAL;
	}
	fe.bytes_wire = fe.bytes_body = (int64_t)len;
	fe.body = body;
	fe.body_len = len;

	if ((rc = store_fetch_begin(ctx->store, &fe, &in.tx, err,
	                            sizeof(err))) != STORE_OK) {
		fprintf(stderr, "pcmon ingest: %s\n", err);
		free(body);
		return EXIT_DB;
	}
	in.feed_lang = feed->lang;
	in.now = fe.started_at;

	memset(&po, 0, sizeof(po));
	po.base_url = feed->url;
	po.max_depth = (size_t)cfg->max_depth;
	po.max_field = (size_t)cfg->max_field;
	po.max_items = (size_t)cfg->max_items;
	po.on_item = ingest_item;
	po.arg = &in;
	msg[0] = '\0';
	if ((rc = crawler_parser_create(&po, &in.parser)) != CRAWL_OK) {
		snprintf(msg, sizeof(msg), "%s", crawler_strerror(rc));
	} else {
		/* streamed in chunks, as the crawler will hand us a download */
		for (off = 0; off < len && rc == CRAWL_OK; off += n) {
			n = len - off < CHUNK ? len - off : CHUNK;
			rc = crawler_parser_feed(in.parser, body + off, n, msg,
			                         sizeof(msg));
		}
		if (rc == CRAWL_OK)
			rc = crawler_parser_finish(in.parser, msg, sizeof(msg));
	}
	fe.duration_ms = now_ms() - t0;

	if (in.store_rc != STORE_OK) {
		/* the database failed, not the document */
		fprintf(stderr, "pcmon ingest: %s\n", in.store_err);
		store_fetch_abort(in.tx, in.store_err);
		status = EXIT_DB;
	} else if (rc != CRAWL_OK) {
		if (!msg[0])
			snprintf(msg, sizeof(msg), "%s", crawler_strerror(rc));
		fprintf(stderr, "pcmon ingest: cannot ingest '%s': %s\n", path,
		        msg);
		store_fetch_abort(in.tx, msg);
		status = EXIT_PARTIAL;
	} else {
		const struct crawl_feed_meta *m =
		        crawler_parser_meta(in.parser);

		fe.feed_title = m->title;
		fe.feed_link = m->link;
		if (m->recovered && m->first_error)
			fprintf(stderr, "pcmon ingest: '%s': %s (recovered)\n",
			        path, m->first_error);
		rc = store_fetch_commit(in.tx, err, sizeof(err));
		if (rc != STORE_OK) {
			fprintf(stderr, "pcmon ingest: %s\n", err);
			status = EXIT_DB;
		} else {
			printf("%s: %ld items, %ld new\n", path, in.seen,
			       in.added);
		}
	}
	crawler_parser_free(in.parser);
	free(body);
	return status;
}

CMD_FN(cmd_ingest)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct store_feed feed;
	char err[1024];
	int c, i, rc, status = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (argc - optind < 2)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	rc = store_feed_get(ctx->store, argv[optind], &feed, err, sizeof(err));
	if (rc == STORE_ERR_NOTFOUND) {
		fprintf(stderr, "pcmon ingest: %s; see 'pcmon feeds list'\n",
		        err);
		return EXIT_FAIL;
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "pcmon ingest: %s\n", err);
		return EXIT_DB;
	}
	for (i = optind + 1; i < argc; i++) {
		rc = ingest_file(ctx, &feed, argv[i]);
		if (rc == EXIT_DB) {
			status = EXIT_DB;
			break;
		}
		if (rc != EXIT_OK)
			status = EXIT_PARTIAL;
	}
	store_feed_release(&feed);
	return status;
}
