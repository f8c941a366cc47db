/*
 * cmd_db.c - "pcmon db info|check|migrate": the database itself.
 *
 * main.c has already opened the database, which migrates it; "migrate"
 * therefore only reports what opening did, and "check" runs SQLite's
 * integrity and foreign-key checks (exit 3 when either fails).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "crawler/crawler.h"
#include "store.h"

static const char usage[] =
        "usage: pcmon db info | check | migrate\n"
        "\n"
        "  info     path, schema version, SQLite version, sizes and counts\n"
        "  check    integrity and foreign-key check; exit 3 when damaged\n"
        "  migrate  bring the schema to this pcmon's version\n";

static void
put_time(const char *label, int64_t t)
{
	char buf[40];

	if (t == STORE_TIME_NONE) {
		printf("%-14s-\n", label);
		return;
	}
	crawler_format_date(t, buf, sizeof(buf));
	printf("%-14s%s\n", label, buf);
}

static int
db_info(struct pcmon_ctx *ctx)
{
	struct store_info in;
	struct store_stats s;
	char err[1024];
	int rc;

	if ((rc = store_info(ctx->store, &in, err, sizeof(err))) != STORE_OK ||
	    (rc = store_stats(ctx->store, &s, err, sizeof(err))) != STORE_OK) {
		fprintf(stderr, "pcmon db: %s\n", err);
		return EXIT_DB;
	}
	printf("%-14s%s\n", "database", in.location);
	printf("%-14s%s %s\n", "backend", in.backend, in.engine_version);
	printf("%-14s%d (this pcmon: %d)\n", "schema", in.schema_version,
	       in.schema_latest);
	if (in.page_size >= 0)
		printf("%-14s%lld bytes x %lld pages\n", "pages",
		       (long long)in.page_size, (long long)in.page_count);
	if (in.file_size >= 0)
		printf("%-14s%lld bytes\n", "file size",
		       (long long)in.file_size);
	if (in.wal_size >= 0)
		printf("%-14s%lld bytes\n", "wal size", (long long)in.wal_size);
	printf("%-14s%lld (%lld failing, %lld dead)\n", "feeds",
	       (long long)s.feeds, (long long)s.feeds_failing,
	       (long long)s.feeds_dead);
	printf("%-14s%lld\n", "items", (long long)s.items);
	put_time("first seen", s.first_item);
	put_time("last seen", s.last_item);
	printf("%-14s%lld (%lld failed)\n", "fetches", (long long)s.fetches,
	       (long long)s.fetch_errors);
	printf("%-14s%lld (%lld bytes compressed)\n", "raw bodies",
	       (long long)s.raw_bodies, (long long)s.raw_bytes);
	return EXIT_OK;
}

static int
db_check(struct pcmon_ctx *ctx)
{
	char err[4096];
	int rc;

	rc = store_check(ctx->store, err, sizeof(err));
	if (rc == STORE_OK) {
		printf("ok\n");
		return EXIT_OK;
	}
	fprintf(stderr, "pcmon db: check failed: %s\n", err);
	return EXIT_DB;
}

static int
db_migrate(struct pcmon_ctx *ctx)
{
	struct store_info in;
	char err[1024];

	if (store_info(ctx->store, &in, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon db: %s\n", err);
		return EXIT_DB;
	}
	if (in.schema_opened == in.schema_version)
		printf("schema version %d: up to date\n", in.schema_version);
	else
		printf("schema version %d -> %d\n", in.schema_opened,
		       in.schema_version);
	return EXIT_OK;
}

CMD_FN(cmd_db)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (!ctx->store)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (strcmp(argv[optind], "info") == 0)
		return db_info(ctx);
	if (strcmp(argv[optind], "check") == 0)
		return db_check(ctx);
	if (strcmp(argv[optind], "migrate") == 0)
		return db_migrate(ctx);
	fprintf(stderr, "pcmon db: unknown subcommand '%s'\n", argv[optind]);
	return cmd_usage(ctx, usage, EXIT_USAGE);
}
