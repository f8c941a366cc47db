/*
 * cmd_feeds.c - "pcmon feeds": the list of followed feeds.
 *
 *   add URL [--name NAME] [--lang LL] [--tag TAG]... [--local]
 *   list [--tag TAG] [--errors] [--json]
 *   rm ID|URL [--purge]
 *   import FILE.opml
 *   export [FILE]
 *
 * Only http(s) URLs are followed; file:// only for a feed added with
 * --local, so a shared OPML file can never make pcmon read local files.  An
 * import is one transaction: it lands whole or not at all.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "crawler/crawler.h"
#include "opml.h"
#include "store.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon feeds add URL [--name NAME] [--lang LL] [--tag TAG]... "
        "[--local]\n"
        "       pcmon feeds list [--tag TAG] [--errors] [--json]\n"
        "       pcmon feeds rm ID|URL [--purge]\n"
        "       pcmon feeds import FILE.opml\n"
        "       pcmon feeds export [FILE]\n"
        "\n"
        "Manages the feeds pcmon follows.\n"
        "  add       follow an http(s) feed (file:// only with --local)\n"
        "  list      show feeds with status, item count and last success;\n"
        "            --errors only failing ones, --json one object per line\n"
        "  rm        stop following a feed; --purge also deletes its items\n"
        "  import    add the feeds of an OPML file (groups and categories\n"
        "            become tags); feeds already present are skipped\n"
        "  export    write the feeds as OPML 2.0 to FILE or standard output\n";

#define TAGS_MAX 4096

#if defined(__GNUC__)
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("pcmon feeds: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
db_status(int code)
{
	switch (code) {
	case STORE_OK: return EXIT_OK;
	case STORE_ERR_NOTFOUND: return EXIT_FAIL;
	case STORE_ERR_EXISTS: return EXIT_PARTIAL;
	case STORE_ERR_USAGE: return EXIT_USAGE;
	default: return EXIT_DB;
	}
}

/* "quiet" is not a stored status: an ok feed gone silent far below its
 * usual rate (see store_feed_quiet()) */
static const char *
feed_status_name(const struct store_feed *f)
{
	if (f->status == FEED_OK && f->quiet_since != STORE_TIME_NONE)
		return "quiet";
	switch (f->status) {
	case FEED_OK: return "ok";
	case FEED_FAILING: return "failing";
	case FEED_DEAD: return "dead";
	}
	return "?";
}

/* ---------------------------------------------------------- validation */

/* 0 when url may be followed; else why in buf. */
static int
check_url(const char *url, int local, char *why, size_t whysz)
{
	const unsigned char *p;
	char *canon;

	if (!*url) {
		snprintf(why, whysz, "empty URL");
		return -1;
	}
	for (p = (const unsigned char *)url; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			snprintf(why, whysz,
			         "URL contains spaces or control "
			         "characters");
			return -1;
		}
	}
	if (strncasecmp(url, "file://", 7) == 0) {
		if (!local) {
			snprintf(why, whysz, "file:// URLs need --local");
			return -1;
		}
		if (url[7] != '/') {
			snprintf(why, whysz,
			         "a file:// URL needs an absolute path");
			return -1;
		}
		return 0;
	}
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		snprintf(why, whysz, "not an http or https URL");
		return -1;
	}
	if (!(canon = crawler_url_canonical(url))) {
		snprintf(why, whysz, "not a valid http or https URL");
		return -1;
	}
	free(canon);
	return 0;
}

/* "en", "en-US", "EN_gb" -> "en" in out; -1 when not a language tag. */
static int
norm_lang(const char *in, char out[3])
{
	size_t i;

	for (i = 0; i < 2; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			return -1;
		out[i] = (char)c;
	}
	out[2] = '\0';
	if (in[2] != '\0' && in[2] != '-' && in[2] != '_')
		return -1;
	return 0;
}

/* ----------------------------------------------------------------- add */

static int
feeds_add(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "lang", required_argument, NULL, 'l' },
		{ "tag", required_argument, NULL, 't' },
		{ "local", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_feed f, old;
	char tags[TAGS_MAX], lang[3], why[128], err[1024];
	size_t ntags = 0, n;
	int64_t id;
	int c, rc;

	memset(&f, 0, sizeof(f));
	tags[0] = '\0';
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': f.name = optarg; break;
		case 'l':
			if (norm_lang(optarg, lang) != 0) {
				fail("invalid language '%s': want a two-letter "
				     "code such as 'en'",
				     optarg);
				return EXIT_USAGE;
			}
			f.lang = lang;
			break;
		case 't':
			n = strlen(optarg);
			/* OPML categories split on both */
			if (n == 0 || strpbrk(optarg, ",/")) {
				fail("invalid tag '%s': empty, or has ',' or "
				     "'/'",
				     optarg);
				return EXIT_USAGE;
			}
			if (n + 2 > sizeof(tags) - ntags) {
				fail("too many tags");
				return EXIT_USAGE;
			}
			if (ntags)
				tags[ntags++] = ',';
			memcpy(tags + ntags, optarg, n + 1);
			ntags += n;
			break;
		case 'L': f.local = 1; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	f.url = argv[optind];
	if (check_url(f.url, f.local, why, sizeof(why)) != 0) {
		fail("invalid feed URL '%s': %s", f.url, why);
		return EXIT_USAGE;
	}
	f.tags = ntags ? tags : NULL;
	rc = store_feed_add(ctx->store, &f, &id, err, sizeof(err));
	if (rc == STORE_ERR_EXISTS &&
	    store_feed_get(ctx->store, f.url, &old, err, sizeof(err)) == 0) {
		fprintf(stderr,
		        "pcmon feeds: feed '%s' is already present "
		        "(feed %lld)\n",
		        f.url, (long long)old.id);
		store_feed_release(&old);
		return EXIT_PARTIAL;
	}
	if (rc != STORE_OK) {
		fail("%s", err);
		return db_status(rc);
	}
	printf("added feed %lld: %s\n", (long long)id, f.url);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- list */

struct list_opts {
	const char *tag;
	int errors, json;
	long shown;
	int failed; /* a write failed */
};

static int
has_tag(const char *tags, const char *tag)
{
	const char *p, *e;
	size_t n = strlen(tag);

	for (p = tags; p && *p; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && strncasecmp(p, tag, n) == 0)
			return 1;
	}
	return 0;
}

static void
list_json(const struct store_feed *f)
{
	json_t *o = json_object(), *tags = json_array();
	const char *p, *e;

	for (p = f->tags; p && *p; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		json_array_append_new(tags, json_stringn(p, (size_t)(e - p)));
	}
	json_object_set_new(o, "id", json_integer(f->id));
	json_object_set_new(o, "url", util_json_str(f->url));
	json_object_set_new(o, "name", util_json_str(f->name));
	json_object_set_new(o, "title", util_json_str(f->title));
	json_object_set_new(o, "lang", util_json_str(f->lang));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "local", json_boolean(f->local));
	json_object_set_new(o, "status", json_string(feed_status_name(f)));
	json_object_set_new(o, "items", json_integer(f->items));
	json_object_set_new(o, "added_at", util_json_time(f->added_at));
	json_object_set_new(o, "last_fetch_at", util_json_time(f->last_fetch_at));
	json_object_set_new(o, "last_success_at", util_json_time(f->last_success_at));
	json_object_set_new(o, "fail_count", json_integer(f->fail_count));
	json_object_set_new(o, "last_error", util_json_str(f->last_error));
	json_object_set_new(o, "fail_since", util_json_time(f->fail_since));
	json_object_set_new(o, "next_fetch_at", util_json_time(f->next_fetch_at));
	json_object_set_new(o, "interval", json_integer(f->interval));
	json_object_set_new(o, "last_item_at", util_json_time(f->last_item_at));
	json_object_set_new(o, "quiet_since", util_json_time(f->quiet_since));
	json_object_set_new(o, "site_link", util_json_str(f->site_link));
	util_json_print(o, stdout);
}

static int
list_one(const struct store_feed *f, void *arg)
{
	struct list_opts *lo = arg;
	char when[32];

	if (lo->tag && !has_tag(f->tags, lo->tag))
		return 0;
	if (lo->errors && f->status == FEED_OK && f->fail_count == 0 &&
	    f->quiet_since == STORE_TIME_NONE)
		return 0;
	if (lo->json) {
		list_json(f);
	} else if (lo->errors) {
		if (lo->shown == 0)
			printf("%4s  %-7s  %5s  %s\n", "ID", "STATUS", "FAILS",
			       "FEED / LAST ERROR");
		printf("%4lld  %-7s  %5ld  ", (long long)f->id,
		       feed_status_name(f), f->fail_count);
		util_put_safe(stdout, f->url);
		fputs("\n                      ", stdout);
		if (f->fail_count > 0 || f->status != FEED_OK) {
			util_put_safe(stdout,
			              f->last_error ? f->last_error : "-");
			if (f->fail_count > 0 &&
			    f->fail_since != STORE_TIME_NONE) {
				util_format_minute(f->fail_since, when,
				                   sizeof(when));
				printf(" (failing since %s)", when);
			}
		} else {
			util_format_minute(f->last_item_at, when, sizeof(when));
			printf("quiet: no new item since %s, far below its "
			       "usual rate", when);
		}
		putchar('\n');
	} else {
		if (lo->shown == 0)
			printf("%4s  %-7s  %6s  %-16s  %s\n", "ID", "STATUS",
			       "ITEMS", "LAST SUCCESS", "FEED");
		util_format_minute(f->last_success_at, when, sizeof(when));
		printf("%4lld  %-7s  %6lld  %-16s  ", (long long)f->id,
		       feed_status_name(f), (long long)f->items, when);
		util_put_safe(stdout, f->name    ? f->name
		                 : f->title ? f->title
		                            : f->url);
		/* a quiet feed shows the date of its last new item */
		if (f->status == FEED_OK && f->quiet_since != STORE_TIME_NONE) {
			util_format_minute(f->last_item_at, when, sizeof(when));
			printf("  (last new item %s)", when);
		}
		putchar('\n');
	}
	lo->shown++;
	return ferror(stdout) ? (lo->failed = 1) : 0;
}

static int
feeds_list(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 't' },
		{ "errors", no_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct list_opts lo;
	char err[1024];
	int c, rc;

	memset(&lo, 0, sizeof(lo));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': lo.tag = optarg; break;
		case 'e': lo.errors = 1; break;
		case 'j': lo.json = 1; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	rc = store_feed_foreach(ctx->store, list_one, &lo, err, sizeof(err));
	if (rc != STORE_OK) {
		fail("%s", err);
		return db_status(rc);
	}
	if (lo.failed) {
		fail("cannot write output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ rm */

static int
feeds_rm(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "purge", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_feed f;
	char err[1024];
	int c, rc, purge = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': purge = 1; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	rc = store_feed_get(ctx->store, argv[optind], &f, err, sizeof(err));
	if (rc != STORE_OK) {
		fail("%s", err);
		return db_status(rc);
	}
	rc = store_feed_remove(ctx->store, f.id, purge, err, sizeof(err));
	if (rc != STORE_OK) {
		fail("%s", err);
		store_feed_release(&f);
		return db_status(rc);
	}
	printf("removed feed %lld: %s (%lld items %s)\n", (long long)f.id,
	       f.url, (long long)f.items, purge ? "deleted" : "kept");
	store_feed_release(&f);
	return EXIT_OK;
}

/* -------------------------------------------------------------- import */

struct import_state {
	struct store *store;
	const char *file;
	long imported, present, skipped;
	int rc; /* a store error that stops the import */
	char err[1024];
};

static int
import_one(const struct opml_outline *o, void *arg)
{
	struct import_state *im = arg;
	struct store_feed f;
	char why[128], lang[3];
	int64_t id;
	int rc;

	if (o->skip) {
		fprintf(stderr,
		        "pcmon feeds: '%s': line %ld: skipped '%s': %s\n",
		        im->file, o->line, o->url, o->skip);
		im->skipped++;
		return 0;
	}
	if (check_url(o->url, 0, why, sizeof(why)) != 0) {
		fprintf(stderr,
		        "pcmon feeds: '%s': line %ld: skipped invalid "
		        "feed URL '%s': %s\n",
		        im->file, o->line, o->url, why);
		im->skipped++;
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.url = (char *)o->url;
	/* export writes text="URL" for an unnamed feed: keep it unnamed */
	f.name = o->name && strcmp(o->name, o->url) != 0 ? (char *)o->name
	                                                 : NULL;
	f.lang = o->lang && norm_lang(o->lang, lang) == 0 ? lang : NULL;
	f.tags = (char *)o->tags;
	rc = store_feed_add(im->store, &f, &id, im->err, sizeof(im->err));
	if (rc == STORE_ERR_EXISTS) {
		im->present++;
		return 0;
	}
	if (rc != STORE_OK) {
		im->rc = rc;
		return 1;
	}
	im->imported++;
	return 0;
}

static int
feeds_import(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct import_state im;
	char err[1024];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	memset(&im, 0, sizeof(im));
	im.store = ctx->store;
	im.file = argv[optind];
	if ((rc = store_begin(ctx->store, err, sizeof(err))) != STORE_OK) {
		fail("%s", err);
		return db_status(rc);
	}
	rc = opml_read_file(im.file, import_one, &im, err, sizeof(err));
	if (rc != OPML_OK) {
		store_rollback(ctx->store);
		if (im.rc != STORE_OK) {
			fail("cannot import '%s': %s", im.file, im.err);
			return db_status(im.rc);
		}
		fail("%s", err);
		return rc == OPML_ERR_NOMEM ? EXIT_FAIL : EXIT_PARTIAL;
	}
	if ((rc = store_commit(ctx->store, err, sizeof(err))) != STORE_OK) {
		fail("cannot import '%s': %s", im.file, err);
		return db_status(rc);
	}
	printf("imported %ld feeds (%ld already present, %ld skipped)\n",
	       im.imported, im.present, im.skipped);
	return EXIT_OK;
}

/* -------------------------------------------------------------- export */

static int
export_one(const struct store_feed *f, void *arg)
{
	struct opml_outline o;

	memset(&o, 0, sizeof(o));
	o.url = f->url;
	o.name = f->name;
	o.lang = f->lang;
	o.tags = f->tags;
	o.html_url = f->site_link;
	return opml_write_outline(arg, &o) != 0;
}

static int
feeds_export(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	char tmp[4096], err[1024];
	const char *path = NULL;
	FILE *fp = stdout;
	int c, fd, rc, status = EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind + 1 < argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		path = argv[optind];
		/* atomic: a reader sees the old list or the new, never half */
		if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
		    (int)sizeof(tmp)) {
			fail("cannot write '%s': %s", path,
			     strerror(ENAMETOOLONG));
			return EXIT_FAIL;
		}
		if ((fd = mkstemp(tmp)) < 0) {
			fail("cannot write '%s': %s", path, strerror(errno));
			return EXIT_FAIL;
		}
		fchmod(fd, 0644);
		if (!(fp = fdopen(fd, "w"))) {
			fail("cannot write '%s': %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			return EXIT_FAIL;
		}
	}
	if (opml_write_begin(fp, "pcmon feeds") != 0)
		goto out;
	rc = store_feed_foreach(ctx->store, export_one, fp, err, sizeof(err));
	if (rc != STORE_OK) {
		fail("%s", err);
		status = db_status(rc);
		goto out;
	}
	if (opml_write_end(fp) != 0 || fflush(fp) != 0)
		goto out;
	if (path && (fsync(fileno(fp)) != 0 || rename(tmp, path) != 0))
		goto out;
	status = EXIT_OK;
out:
	if (status != EXIT_OK && status != EXIT_DB)
		fail("cannot write '%s': %s", path ? path : "standard output",
		     strerror(errno));
	if (path) {
		if (fclose(fp) != 0 && status == EXIT_OK) {
			fail("cannot write '%s': %s", path, strerror(errno));
			status = EXIT_FAIL;
		}
		if (status != EXIT_OK)
			unlink(tmp); /* we created it: leave no debris */
	}
	return status;
}

CMD_FN(cmd_feeds)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv, struct pcmon_ctx *ctx);
	} subs[] = {
		{ "add", feeds_add },       { "list", feeds_list },
		{ "rm", feeds_rm },         { "import", feeds_import },
		{ "export", feeds_export },
	};
	size_t i;

	if (argc < 2)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return cmd_usage(ctx, usage, EXIT_OK);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			break;
	if (i == sizeof(subs) / sizeof(subs[0])) {
		fprintf(stderr, "pcmon feeds: unknown subcommand '%s'\n",
		        argv[1]);
		return cmd_usage(ctx, usage, EXIT_USAGE);
	}
	/* --help anywhere needs no database (main.c opens none then) */
	if (!ctx->store) {
		for (int j = 2; j < argc; j++)
			if (strcmp(argv[j], "--help") == 0 ||
			    strcmp(argv[j], "-h") == 0)
				return cmd_usage(ctx, usage, EXIT_OK);
		return cmd_usage(ctx, usage, EXIT_USAGE);
	}
	return subs[i].fn(argc - 1, argv + 1, ctx);
}
