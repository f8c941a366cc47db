/*
 * cmd_parse.c - "pcmon parse": one feed document in, its entries out as
 * JSON lines, in document order.
 *
 * Other tools read this output, so its shape is a contract: one object per
 * entry per line, keys always present and always in the order below, null
 * for what is missing, real UTF-8 (no \u escapes but for control
 * characters).  The document is read in 64 KiB chunks into the streaming
 * parser, so memory does not grow with it.  No configuration, no database.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "crawler/crawler.h"

static const char usage[] =
        "usage: pcmon parse [--base URL] [FILE | -]\n"
        "\n"
        "Parses one RSS, RDF or Atom document (standard input when FILE is\n"
        "missing or \"-\") and prints each entry as a JSON object on its own\n"
        "line: id, title, summary, link, published, updated, author.\n"
        "  --base URL  the document's URL, to resolve relative links\n";

struct parse_out {
	FILE *fp;
	int failed; /* a write failed */
};

/* A JSON string, or null.  The text is valid UTF-8 (crawler.h promises it):
 * only '"', '\\' and control characters need escapes. */
static void
json_put_str(FILE *fp, const char *s)
{
	const char *run;

	if (!s) {
		fputs("null", fp);
		return;
	}
	putc('"', fp);
	run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (s > run)
			fwrite(run, 1, (size_t)(s - run), fp);
		run = s + 1;
		switch (c) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\b': fputs("\\b", fp); break;
		case '\f': fputs("\\f", fp); break;
		default: fprintf(fp, "\\u%04x", c); break;
		}
	}
	if (s > run)
		fwrite(run, 1, (size_t)(s - run), fp);
	putc('"', fp);
}

static void
json_put_date(FILE *fp, int64_t t)
{
	char buf[40];

	if (t == CRAWL_TIME_NONE) {
		fputs("null", fp);
		return;
	}
	crawler_format_date(t, buf, sizeof(buf));
	json_put_str(fp, buf);
}

static int
print_item(const struct crawl_item *it, void *arg)
{
	struct parse_out *o = arg;
	FILE *fp = o->fp;

	fputs("{\"id\":", fp);
	json_put_str(fp, it->id);
	fputs(",\"title\":", fp);
	json_put_str(fp, it->title);
	fputs(",\"summary\":", fp);
	json_put_str(fp, it->summary);
	fputs(",\"link\":", fp);
	json_put_str(fp, it->link);
	fputs(",\"published\":", fp);
	json_put_date(fp, it->published);
	fputs(",\"updated\":", fp);
	json_put_date(fp, it->updated);
	fputs(",\"author\":", fp);
	json_put_str(fp, it->author);
	fputs("}\n", fp);
	if (ferror(fp)) {
		o->failed = errno ? errno : EIO;
		return 1; /* stop: nobody reads us */
	}
	return 0;
}

CMD_FN(cmd_parse)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static char buf[64 * 1024];
	struct crawl_parse_opts po;
	struct crawl_parser *p = NULL;
	struct parse_out out = { stdout, 0 };
	const char *path = "-", *base = NULL;
	char err[512];
	FILE *fp;
	int c, rc, status = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hb:", opts, NULL)) != -1) {
		switch (c) {
		case 'b': base = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default:
			if (optopt && optopt != '?' && optopt != 'b')
				fprintf(stderr,
				        "pcmon parse: unknown option '-%c'\n",
				        optopt);
			else if (optopt == 'b' ||
			         (argv[optind - 1] &&
			          strncmp(argv[optind - 1], "--base", 6) == 0))
				fprintf(stderr, "pcmon parse: option '--base' "
				                "needs a URL\n");
			else
				fprintf(stderr,
				        "pcmon parse: unknown option "
				        "'%s'\n",
				        argv[optind - 1]);
			return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "pcmon parse: too many arguments\n");
		return cmd_usage(ctx, usage, EXIT_USAGE);
	}
	if (optind < argc)
		path = argv[optind];

	if (strcmp(path, "-") == 0) {
		fp = stdin;
	} else if (!(fp = fopen(path, "rb"))) {
		fprintf(stderr, "pcmon parse: cannot open '%s': %s\n", path,
		        strerror(errno));
		return EXIT_PARTIAL;
	}

	memset(&po, 0, sizeof(po));
	po.base_url = base;
	po.on_item = print_item;
	po.arg = &out;
	if ((rc = crawler_parser_create(&po, &p)) != CRAWL_OK) {
		fprintf(stderr, "pcmon parse: %s\n", crawler_strerror(rc));
		status = EXIT_FAIL;
		goto done;
	}
	err[0] = '\0';
	rc = CRAWL_OK;
	for (;;) {
		size_t n = fread(buf, 1, sizeof(buf), fp);

		if (n > 0 && (rc = crawler_parser_feed(p, buf, n, err,
		                                       sizeof(err))) != 0)
			break;
		if (n < sizeof(buf)) {
			if (ferror(fp)) {
				fprintf(stderr,
				        "pcmon parse: cannot read '%s': "
				        "%s\n",
				        path, strerror(errno));
				status = EXIT_PARTIAL;
				goto done;
			}
			break;
		}
	}
	if (rc == CRAWL_OK)
		rc = crawler_parser_finish(p, err, sizeof(err));
	if (out.failed || fflush(stdout) != 0) {
		fprintf(stderr, "pcmon parse: cannot write output: %s\n",
		        strerror(out.failed ? out.failed : errno));
		status = EXIT_FAIL;
	} else if (rc == CRAWL_ERR_NOMEM) {
		fprintf(stderr, "pcmon parse: '%s': out of memory\n", path);
		status = EXIT_FAIL;
	} else if (rc != CRAWL_OK) {
		fprintf(stderr, "pcmon parse: '%s': %s\n", path,
		        err[0] ? err : crawler_strerror(rc));
		status = EXIT_PARTIAL;
	}
done:
	crawler_parser_free(p);
	if (fp != stdin)
		fclose(fp);
	return status;
}
