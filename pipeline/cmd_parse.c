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
        "usage: pcmon parse [--base URL] [FILE | -]...\n"
        "\n"
        "Parses an RSS, RDF or Atom document (standard input when FILE is\n"
        "missing or \"-\") and prints each entry as a JSON object on its own\n"
        "line: id, title, summary, link, published, updated, author.\n"
        "Several FILEs are parsed one after the other, each as a document of\n"
        "its own, in one process (as pcmon crawl parses feeds).\n"
        "  --base URL  the document's URL, to resolve relative links\n"
        "\n"
        "Exit status: 0 when every document was parsed, 1 when nothing could\n"
        "be parsed from one of them (the others are still printed), 2 usage.\n";

/* Each entry is escaped into buf and handed to stdio in one fwrite() at its
 * end (or when buf fills up), so output still streams entry by entry. */
struct parse_out {
	FILE *fp;
	int failed; /* a write failed */
	size_t len;
	char buf[64 * 1024];
};

static void
out_flush(struct parse_out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len && !o->failed)
		o->failed = errno ? errno : EIO;
	o->len = 0;
}

static void
out_add(struct parse_out *o, const char *s, size_t n)
{
	while (n > sizeof(o->buf) - o->len) {
		size_t room = sizeof(o->buf) - o->len;

		memcpy(o->buf + o->len, s, room);
		o->len += room;
		s += room;
		n -= room;
		out_flush(o);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

#define OUT_LIT(o, lit) out_add((o), (lit), sizeof(lit) - 1)

/* bytes a JSON string must escape: '"', '\\' and the control characters */
static const unsigned char json_esc[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
	[0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1,
	[0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1,
	[0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1,
	[0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

/* A JSON string, or null.  The text is valid UTF-8 (crawler.h promises it):
 * only '"', '\\' and control characters need escapes. */
static void
json_put_str(struct parse_out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;

	if (!s) {
		OUT_LIT(o, "null");
		return;
	}
	OUT_LIT(o, "\"");
	for (run = s;; s++) {
		unsigned char c = *s;
		char u[8];

		if (!json_esc[c])
			continue;
		if (s > run)
			out_add(o, (const char *)run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '\0': OUT_LIT(o, "\""); return;
		case '"': OUT_LIT(o, "\\\""); break;
		case '\\': OUT_LIT(o, "\\\\"); break;
		case '\n': OUT_LIT(o, "\\n"); break;
		case '\r': OUT_LIT(o, "\\r"); break;
		case '\t': OUT_LIT(o, "\\t"); break;
		case '\b': OUT_LIT(o, "\\b"); break;
		case '\f': OUT_LIT(o, "\\f"); break;
		default:
			snprintf(u, sizeof(u), "\\u%04x", c);
			out_add(o, u, 6);
			break;
		}
	}
}

static void
json_put_date(struct parse_out *o, int64_t t)
{
	char buf[40];

	if (t == CRAWL_TIME_NONE) {
		OUT_LIT(o, "null");
		return;
	}
	crawler_format_date(t, buf, sizeof(buf));
	json_put_str(o, buf);
}

static int
print_item(const struct crawl_item *it, void *arg)
{
	struct parse_out *o = arg;

	OUT_LIT(o, "{\"id\":");
	json_put_str(o, it->id);
	OUT_LIT(o, ",\"title\":");
	json_put_str(o, it->title);
	OUT_LIT(o, ",\"summary\":");
	json_put_str(o, it->summary);
	OUT_LIT(o, ",\"link\":");
	json_put_str(o, it->link);
	OUT_LIT(o, ",\"published\":");
	json_put_date(o, it->published);
	OUT_LIT(o, ",\"updated\":");
	json_put_date(o, it->updated);
	OUT_LIT(o, ",\"author\":");
	json_put_str(o, it->author);
	OUT_LIT(o, "}\n");
	out_flush(o);
	if (o->failed || ferror(o->fp)) {
		if (!o->failed)
			o->failed = errno ? errno : EIO;
		return 1; /* stop: nobody reads us */
	}
	return 0;
}

/* Parses one document and prints its entries; returns the exit status. */
static int
parse_one(const char *path, const char *base, struct parse_out *pout)
{
	static char buf[64 * 1024];
	struct crawl_parse_opts po;
	struct crawl_parser *p = NULL;
	char err[512];
	FILE *fp;
	int rc, status = EXIT_OK;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
	} else if (!(fp = fopen(path, "rb"))) {
		fprintf(stderr, "pcmon parse: cannot open '%s': %s\n", path,
		        strerror(errno));
		return EXIT_PARTIAL;
	}

	pout->fp = stdout;
	pout->failed = 0;
	pout->len = 0;
	memset(&po, 0, sizeof(po));
	po.base_url = base;
	po.on_item = print_item;
	po.arg = pout;
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
	if (pout->failed || fflush(stdout) != 0) {
		fprintf(stderr, "pcmon parse: cannot write output: %s\n",
		        strerror(pout->failed ? pout->failed : errno));
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

CMD_FN(cmd_parse)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct parse_out out;
	const char *base = NULL;
	int c, i, rc, status = EXIT_OK;

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
	out.fp = stdout;
	if (optind >= argc)
		return parse_one("-", base, &out);
	for (i = optind; i < argc; i++) {
		rc = parse_one(argv[i], base, &out);
		/* the worst status wins: a failure of pcmon itself over a
		 * document that could not be parsed */
		if (rc == EXIT_FAIL || (rc != EXIT_OK && status == EXIT_OK))
			status = rc;
		if (rc == EXIT_FAIL)
			break;
	}
	return status;
}
