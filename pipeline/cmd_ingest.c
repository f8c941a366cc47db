/*
 * cmd_ingest.c - "pcmon ingest FEED FILE...": saved feed documents in, as
 * fetches of a stored feed.
 *
 * Each file is one fetch, parsed and stored by ingest_document() exactly as
 * "pcmon crawl" stores a download: the items, the fetch-log row and the
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
#include "ingest.h"
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
	struct ingest_result res;
	struct store_fetch fe;
	char url[PATH_MAX + 16], abspath[PATH_MAX], msg[1024], err[1024];
	char *body = NULL;
	size_t len = 0;
	int64_t t0 = ingest_now_ms();
	int rc, status = EXIT_OK;

	memset(&fe, 0, sizeof(fe));
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
		fe.duration_ms = ingest_now_ms() - t0;
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

	switch (ingest_document(ctx->store, cfg, feed, &fe, NULL, t0, NULL,
	                        NULL, &res)) {
	case INGEST_OK:
		if (res.warning[0])
			fprintf(stderr, "pcmon ingest: '%s': %s (recovered)\n",
			        path, res.warning);
		printf("%s: %ld items, %ld new\n", path, res.seen, res.added);
		break;
	case INGEST_BAD_DOC:
		fprintf(stderr, "pcmon ingest: cannot ingest '%s': %s\n", path,
		        res.msg);
		status = EXIT_PARTIAL;
		break;
	default:
		fprintf(stderr, "pcmon ingest: %s\n", res.msg);
		status = EXIT_DB;
		break;
	}
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
