/*
 * cmd_db.c - "pcmon db info|check|migrate": the database itself.
 *
 * main.c has already opened the database, which migrates it; "migrate"
 * therefore only reports what opening did, and "check" runs SQLite's
 * integrity and foreign-key checks (exit 3 when either fails).  "copy"
 * moves a whole archive between databases (store_copy.c); it opens both
 * itself, whatever the configuration names.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "crawler/crawler.h"
#include "store.h"
#include "store_copy.h"

static const char usage[] =
        "usage: pcmon db info | check | migrate\n"
        "       pcmon db copy --from LOCATION --to LOCATION [--quiet]\n"
        "\n"
        "  info     location, schema version, backend version, sizes, counts\n"
        "  check    integrity and foreign-key check; exit 3 when damaged\n"
        "  migrate  bring the schema to this pcmon's version\n"
        "  copy     the whole archive into an empty database (see\n"
        "           pcmon db copy --help)\n";

static const char usage_copy[] =
        "usage: pcmon db copy --from LOCATION --to LOCATION [--quiet]\n"
        "\n"
        "Copies every table, ids and values unchanged, into an empty\n"
        "database of the same schema version, in one transaction, then\n"
        "checks each table's row count and checksum on both sides.\n"
        "LOCATION: sqlite:PATH, a plain PATH or postgresql://...\n"
        "\n"
        "  --from LOCATION  the database to read\n"
        "  --to LOCATION    the database to fill (created when missing;\n"
        "                   refused when it holds any row)\n"
        "  -q, --quiet      print nothing but errors\n";

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
		/* PostgreSQL: pg_database_size, not one file */
		printf("%-14s%lld bytes\n",
		       strcmp(in.backend, "sqlite") == 0 ? "file size"
		                                         : "database size",
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

static int
db_copy(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_copy_opts o = { 0 };
	char err[1024];
	int c, quiet = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.from = optarg; break;
		case 't': o.to = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': return cmd_usage(ctx, usage_copy, EXIT_OK);
		default: return cmd_usage(ctx, usage_copy, EXIT_USAGE);
		}
	}
	if (optind != argc || !o.from || !o.to || !*o.from || !*o.to)
		return cmd_usage(ctx, usage_copy, EXIT_USAGE);
	o.out = quiet ? NULL : stdout;
	/* a progress line is for someone watching, never for a log */
	o.progress = !quiet && isatty(STDERR_FILENO);
	rc = store_copy(&o, err, sizeof(err));
	if (rc == STORE_OK)
		return EXIT_OK;
	fprintf(stderr, "pcmon db copy: %s\n", err);
	return rc == STORE_ERR_USAGE ? EXIT_USAGE : EXIT_DB;
}

CMD_FN(cmd_db)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int c;

	/* copy has options of its own: before getopt permutes them */
	if (argc >= 2 && strcmp(argv[1], "copy") == 0)
		return db_copy(argc - 1, argv + 1, ctx);
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
