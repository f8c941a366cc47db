/*
 * test_parse.c - the streaming feed parser: the same result whatever the
 * chunk size, the fixtures' entries, and hostile documents (entity bombs,
 * XXE, external DTDs, deep nesting, NUL bytes, bad UTF-8, huge fields).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "crawler.h"

/* Every entry as one line "id|title|summary|link|published|updated|author" */
struct collect {
	char *buf;
	size_t len, cap;
	size_t items;
	size_t longest; /* longest field seen */
	int stop_after; /* on_item returns 1 after this many; 0 never */
	int bad_utf8;   /* a field was not valid UTF-8 */
};

static int
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80   ? 1
		        : *p < 0xc2 ? 0
		        : *p < 0xe0 ? 2
		        : *p < 0xf0 ? 3
		        : *p < 0xf5 ? 4
		                    : 0;
		int i;

		if (!n)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
		               (p[0] == 0xed && p[1] > 0x9f)))
			return 0;
		if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) ||
		               (p[0] == 0xf4 && p[1] > 0x8f)))
			return 0;
		p += n;
	}
	return 1;
}

static void
add(struct collect *c, const char *s)
{
	size_t n;

	if (!s)
		s = "-";
	else if (!valid_utf8(s))
		c->bad_utf8 = 1;
	n = strlen(s);
	if (n > c->longest)
		c->longest = n;
	if (n > 200)
		n = 200; /* keep the record small */
	if (c->len + n + 2 > c->cap) {
		c->cap = (c->len + n + 2) * 2;
		c->buf = realloc(c->buf, c->cap);
		if (!c->buf)
			abort();
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len++] = '|';
	c->buf[c->len] = '\0';
}

static int
on_item(const struct crawl_item *it, void *arg)
{
	struct collect *c = arg;
	char d[40];

	add(c, it->id);
	add(c, it->title);
	add(c, it->summary);
	add(c, it->link);
	if (it->published != CRAWL_TIME_NONE)
		crawler_format_date(it->published, d, sizeof(d));
	add(c, it->published == CRAWL_TIME_NONE ? NULL : d);
	if (it->updated != CRAWL_TIME_NONE)
		crawler_format_date(it->updated, d, sizeof(d));
	add(c, it->updated == CRAWL_TIME_NONE ? NULL : d);
	add(c, it->author);
	c->buf[c->len - 1] = '\n';
	c->items++;
	if (c->stop_after && c->items >= (size_t)c->stop_after)
		return 1;
	return 0;
}

struct result {
	int rc;
	char err[256];
	struct collect c;
	char format[16], title[200], link[200], language[32];
	int64_t ttl;
	int recovered;
};

static void
result_free(struct result *r)
{
	free(r->c.buf);
	memset(r, 0, sizeof(*r));
}

/* Parses doc in chunks of chunk bytes (0: all at once). */
static void
parse(const char *doc, size_t len, size_t chunk, struct crawl_parse_opts *o,
      struct result *r)
{
	struct crawl_parse_opts opts;
	struct crawl_parser *p = NULL;
	const struct crawl_feed_meta *m;
	size_t off = 0;
	int stop = r->c.stop_after;

	memset(r, 0, sizeof(*r));
	r->c.stop_after = stop;
	if (o)
		opts = *o;
	else
		memset(&opts, 0, sizeof(opts));
	opts.on_item = on_item;
	opts.arg = &r->c;
	r->rc = crawler_parser_create(&opts, &p);
	if (r->rc != CRAWL_OK)
		return;
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len && r->rc == CRAWL_OK) {
		size_t n = len - off < chunk ? len - off : chunk;

		r->rc = crawler_parser_feed(p, doc + off, n, r->err,
		                            sizeof(r->err));
		off += n;
	}
	if (r->rc == CRAWL_OK)
		r->rc = crawler_parser_finish(p, r->err, sizeof(r->err));
	m = crawler_parser_meta(p);
	snprintf(r->format, sizeof(r->format), "%s",
	         m->format ? m->format : "-");
	snprintf(r->title, sizeof(r->title), "%s", m->title ? m->title : "-");
	snprintf(r->link, sizeof(r->link), "%s", m->link ? m->link : "-");
	snprintf(r->language, sizeof(r->language), "%s",
	         m->language ? m->language : "-");
	r->ttl = m->ttl_seconds;
	r->recovered = m->recovered;
	CHECK_INT(m->items, r->c.items, "meta counts the entries reported");
	crawler_parser_free(p);
}

static char *
read_file(const char *name, size_t *len)
{
	const char *src = getenv("PCMON_SRC");
	char path[1024];
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/feeds/%s", src ? src : ".",
	         name);
	if (!(fp = fopen(path, "rb")))
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* clang-format off */
/* fixture, entries, rc, expected first record (prefix) */
static const struct {
	const char *file;
	size_t items;
	int rc;
	const char *first;
	const char *format;
} fixtures[] = {
	{ "rss091.xml", 2, 0, "-|Ferry\xc2\xa0timetable changes \xe2\x80\x94 again|", "rss" },
	{ "rss092.xml", 2, 0, "-|-|A bulletin with no title", "rss" },
	{ "rss20-basic.xml", 3, 0, "https://news.example.com/border/2026/03/task-force|Joint task force", "rss" },
	{ "rss10-rdf.xml", 2, 0, "http://wire.example.org/a/1|Europol report on cybercrime|", "rdf" },
	{ "rss090.xml", 2, 0, "-|First ever item|-|http://old.example.com/1|", "rdf" },
	{ "atom10-types.xml", 4, 0, "tag:veilleur.example.fr,2026:1|Text title with <tags> kept & entities decoded|", "atom" },
	{ "atom10-base.xml", 5, 0, "tag:base.example.com,2026:1|Relative to the feed's xml:base|-|http://base.example.com/site/posts/one.html|", "atom" },
	{ "atom10-source.xml", 2, 0, "tag:agg.example.com,2026:1|Copied entry keeps its own fields|-|-|-|2026-07-01T10:00:00Z|-\n", "atom" },
	{ "atom03-modes.xml", 3, 0, "tag:old.example.org,2005:1|Escaped title|Plain text <b>not markup</b>|", "atom03" },
	{ "windows-1252.xml", 1, 0, "w1252-1|\xe2\x80\x9cSmart quotes\xe2\x80\x9d \xe2\x80\x93 and a dash\xe2\x80\xa6 \xe2\x82\xac" "5|", "rss" },
	{ "iso-8859-1.xml", 2, 0, "latin1-1|Gr\xc3\xb6\xc3\x9f" "ere Kontrollen", "rss" },
	{ "utf-16le-bom.xml", 1, 0, "tag:u16.example.com,2026:1|\xce\x95\xce\xbb", "atom" },
	{ "utf-16be-bom.xml", 1, 0, "tag:u16.example.com,2026:1|\xce\x95\xce\xbb", "atom" },
	{ "gb2312.xml", 1, 0, "-|\xe5\x9b\xbd\xe9\x99\x85\xe8\xad\xa6\xe5\x8a\xa1", "rss" },
	{ "gbk.xml", 1, 0, "-|\xe8\xb7\xa8\xe5\xa2\x83", "rss" },
	{ "shift_jis.xml", 1, 0, "-|\xe5\x9b\xbd\xe9\x9a\x9b\xe6\x8d\x9c\xe6\x9f\xbb", "rss" },
	{ "utf8-bom.xml", 1, 0, "bom-1|A UTF-8 byte order mark is skipped|", "rss" },
	{ "invalid-utf8.xml", 2, 0, "bad-\xef\xbf\xbd-utf8|Lone \xef\xbf\xbd Latin-1 byte", "rss" },
	{ "nul-bytes.xml", 2, 0, "nul-1|Before\xef\xbf\xbd" "after|", "rss" },
	{ "undeclared-entities.xml", 2, 0, "ent-1|Caf\xc3\xa9 \xe2\x80\x93 \xc2\xa9\xc2\xa0" "2026 \xe2\x80\xa6 &unknownname; & <|", "rss" },
	{ "cdata.xml", 3, 0, "cdata-1|Title in CDATA with & and bold|Para & more|", "rss" },
	{ "billion-laughs.xml", 2, 0, "bomb-1|Entity bomb &lol9;|&lol9;&lol9;&lol9;|", "rss" },
	{ "xxe.xml", 1, 0, "-|Secret: &xxe;|Remote: &net; end|http://example.com/xxe|", "rss" },
	{ "external-dtd.xml", 1, 0, "-|DTD named, never loaded & never needed|", "rss" },
	{ "truncated.xml", 2, 0, "-|Complete item|-|http://cut.example.com/1|2026-03-05T10:00:00Z|", "rss" },
	{ "broken-dates.xml", 18, 0, "-|rfc822 no seconds, named zone|-|-|2026-03-06T22:30:00Z|", "rss" },
	{ "html-page.html", 0, CRAWL_ERR_NOT_FEED, "", "-" },
	{ "empty.xml", 0, CRAWL_ERR_PARSE, "", "-" },
};
/* clang-format on */

static void
test_fixtures(void)
{
	static const size_t chunks[] = { 0, 1, 7, 4096 };
	size_t i, k;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		size_t len;
		char *doc = read_file(fixtures[i].file, &len);
		struct result whole;

		CHECK(doc != NULL, "%s: readable", fixtures[i].file);
		if (!doc)
			continue;
		parse(doc, len, 0, NULL, &whole);
		CHECK_INT(whole.rc, fixtures[i].rc, "%s: rc (%s)",
		          fixtures[i].file, whole.err);
		CHECK_INT(whole.c.items, fixtures[i].items, "%s: entries",
		          fixtures[i].file);
		CHECK_STR(whole.format, fixtures[i].format, "%s: format",
		          fixtures[i].file);
		CHECK(!whole.c.bad_utf8, "%s: every field is UTF-8",
		      fixtures[i].file);
		if (fixtures[i].items) {
			size_t n = strlen(fixtures[i].first);

			CHECK(whole.c.buf && strncmp(whole.c.buf,
			                             fixtures[i].first, n) == 0,
			      "%s: first entry", fixtures[i].file);
			if (!whole.c.buf ||
			    strncmp(whole.c.buf, fixtures[i].first, n))
				check_show("got ", whole.c.buf);
		}
		for (k = 1; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct result r;

			parse(doc, len, chunks[k], NULL, &r);
			CHECK(r.rc == whole.rc &&
			              check_str_eq(r.c.buf, whole.c.buf) &&
			              strcmp(r.title, whole.title) == 0 &&
			              strcmp(r.link, whole.link) == 0,
			      "%s: chunks of %zu give the same result",
			      fixtures[i].file, chunks[k]);
			result_free(&r);
		}
		result_free(&whole);
		free(doc);
	}
}

static void
test_meta(void)
{
	static const struct {
		const char *file, *title, *link, *language;
		int64_t ttl;
	} rows[] = {
		{ "rss091.xml", "Harbour Gazette",
		  "http://gazette.example.org/", "en-gb", 0 },
		{ "rss20-basic.xml", "Border Watch Daily",
		  "https://news.example.com/border/", "en-us", 1800 },
		{ "rss10-rdf.xml", "Example Wire", "http://wire.example.org/",
		  "de", 21600 },
		{ "atom10-types.xml", "Le Veilleur",
		  "http://veilleur.example.fr/", "fr", 0 },
		{ "atom10-base.xml", "Relative links",
		  "http://base.example.com/site/home/", "-", 0 },
		{ "atom03-modes.xml", "Atom 0.3 modes",
		  "http://old.example.org/", "en", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len;
		char *doc = read_file(rows[i].file, &len);
		struct result r;

		if (!doc) {
			CHECK(0, "%s: readable", rows[i].file);
			continue;
		}
		parse(doc, len, 0, NULL, &r);
		CHECK_STR(r.title, rows[i].title, "%s: feed title",
		          rows[i].file);
		CHECK_STR(r.link, rows[i].link, "%s: feed link", rows[i].file);
		CHECK_STR(r.language, rows[i].language, "%s: language",
		          rows[i].file);
		CHECK_INT(r.ttl, rows[i].ttl, "%s: ttl", rows[i].file);
		result_free(&r);
		free(doc);
	}
}

/* A string built by repeating a piece. */
static char *
build(const char *head, const char *piece, size_t times, const char *tail,
      size_t *len)
{
	size_t hl = strlen(head), pl = strlen(piece), tl = strlen(tail), i;
	char *s = malloc(hl + pl * times + tl + 1), *p;

	if (!s)
		abort();
	p = s;
	memcpy(p, head, hl);
	p += hl;
	for (i = 0; i < times; i++) {
		memcpy(p, piece, pl);
		p += pl;
	}
	memcpy(p, tail, tl);
	p += tl;
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

static void
test_hostile(void)
{
	struct result r;
	size_t len;
	char *doc;
	clock_t t0;

	/* billion laughs: fast, small, the rest of the feed still there */
	doc = read_file("billion-laughs.xml", &len);
	t0 = clock();
	parse(doc ? doc : "", doc ? len : 0, 0, NULL, &r);
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0,
	      "billion laughs finishes at once");
	CHECK(r.c.longest < 100, "billion laughs: nothing expanded (%zu bytes)",
	      r.c.longest);
	CHECK_INT(r.c.items, 2, "billion laughs: both entries");
	result_free(&r);
	free(doc);

	/* XXE: the file is never read, whatever the chunking */
	doc = read_file("xxe.xml", &len);
	parse(doc ? doc : "", doc ? len : 0, 1, NULL, &r);
	CHECK(r.c.buf && !strstr(r.c.buf, "root:"),
	      "XXE: /etc/passwd is not read");
	result_free(&r);
	free(doc);
	{
		static const char x[] =
		        "<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY e "
		        "SYSTEM "
		        "'file:///etc/passwd'>]><feed "
		        "xmlns='http://www.w3.org/2005/"
		        "Atom'><entry><title type='html'>&e;</title><link "
		        "href='http://x.example/&e;'/><summary>&e;</summary>"
		        "</entry></feed>";

		parse(x, sizeof(x) - 1, 0, NULL, &r);
		CHECK(r.c.buf && !strstr(r.c.buf, "root:") &&
		              strstr(r.c.buf, "&e;"),
		      "XXE in Atom attributes and text stays literal");
		result_free(&r);
	}
	/* external DTD and parameter entities are not fetched */
	{
		static const char x[] =
		        "<?xml version='1.0'?><!DOCTYPE rss SYSTEM "
		        "'file:///etc/passwd' [<!ENTITY % p SYSTEM "
		        "'file:///etc/passwd'> %p;]><rss><channel><item><title>"
		        "t</title></item></channel></rss>";

		parse(x, sizeof(x) - 1, 0, NULL, &r);
		CHECK(r.rc == 0 && r.c.buf && !strstr(r.c.buf, "root:") &&
		              strncmp(r.c.buf, "-|t|", 4) == 0,
		      "external DTD and parameter entity ignored");
		result_free(&r);
	}

	/* 10,000-deep nesting: no crash; the entries before it survive */
	doc = build("<rss><channel><item><title>before</title></item><item>",
	            "<x>", 10000, "", &len);
	parse(doc, len, 4096, NULL, &r);
	CHECK(r.rc == 0 && r.c.buf && strncmp(r.c.buf, "-|before|", 9) == 0,
	      "10,000-deep nesting: recovered, entry before it kept");
	CHECK(r.recovered, "10,000-deep nesting: marked recovered");
	result_free(&r);
	free(doc);
	/* deep nesting inside an entry, below max_depth, then more entries */
	{
		struct crawl_parse_opts o;

		memset(&o, 0, sizeof(o));
		o.max_depth = 8;
		doc = build(
		        "<rss><channel><item><title>one</title>",
		        "<a><b><c><d><e><f><g><h><i><title>deep</title></i></h>"
		        "</g></f></e></d></c></b></a>",
		        3,
		        "</item><item><title>two</title></item></channel></"
		        "rss>",
		        &len);
		parse(doc, len, 7, &o, &r);
		CHECK_STR(r.c.buf, "-|one|-|-|-|-|-\n-|two|-|-|-|-|-\n",
		          "content deeper than max_depth is ignored");
		result_free(&r);
		free(doc);
	}

	/* NUL bytes do not cut the document */
	{
		static const char x[] =
		        "<rss><channel><item><title>a\0b</title>"
		        "</item>\0<item><title>c</title></item>"
		        "</channel></rss>";

		parse(x, sizeof(x) - 1, 1, NULL, &r);
		CHECK_STR(r.c.buf,
		          "-|a\xef\xbf\xbd"
		          "b|-|-|-|-|-\n-|c|-|-|-|-|-\n",
		          "NUL bytes become U+FFFD, the rest is parsed");
		result_free(&r);
	}

	/* invalid UTF-8 in every field, split across chunk boundaries */
	{
		static const char x[] =
		        "<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
		        "<id>i\xff</id><title>t\xc3</title><summary>s\xe2\x82"
		        "</summary><link href='http://x.example/\xfe'/>"
		        "<author><name>n\xc0\xaf</name></author>"
		        "<updated>2026-01-01T00:00:00Z\xff</updated></entry>"
		        "<entry><title>ok \xc3\xa9</title></entry></feed>";
		size_t k;

		for (k = 1; k <= 7; k += 3) {
			parse(x, sizeof(x) - 1, k, NULL, &r);
			CHECK(r.rc == 0 && !r.c.bad_utf8 && r.c.items == 2,
			      "invalid UTF-8 repaired (chunks of %zu)", k);
			CHECK(r.c.buf &&
			              strstr(r.c.buf,
			                     "i\xef\xbf\xbd|t\xef\xbf\xbd|") &&
			              strstr(r.c.buf, "ok \xc3\xa9"),
			      "U+FFFD in place of bad bytes (chunks of %zu)",
			      k);
			result_free(&r);
		}
	}

	/* a 5 MB title is cut to max_field */
	{
		struct crawl_parse_opts o;

		memset(&o, 0, sizeof(o));
		o.max_field = 1000;
		doc = build("<rss><channel><item><title>", "abc\xc3\xa9 ",
		            5 * 1024 * 1024 / 6,
		            "</title><guid>g</guid></item></channel></rss>",
		            &len);
		parse(doc, len, 65536, &o, &r);
		CHECK(r.rc == 0 && r.c.items == 1 && r.c.longest <= 1000 &&
		              r.c.longest > 900 && !r.c.bad_utf8,
		      "5 MB title cut to max_field (%zu bytes)", r.c.longest);
		result_free(&r);
		parse(doc, len, 65536, NULL, &r);
		CHECK(r.rc == 0 && r.c.longest <= 1024 * 1024 && !r.c.bad_utf8,
		      "5 MB title cut to the default 1 MiB (%zu bytes)",
		      r.c.longest);
		result_free(&r);
		free(doc);
	}

	/* not XML, not a feed */
	parse("hello world", 11, 0, NULL, &r);
	CHECK_INT(r.rc, CRAWL_ERR_PARSE, "plain text is not a feed");
	CHECK(strstr(r.err, "not a feed") != NULL, "message: %s", r.err);
	result_free(&r);
	parse("<html><body>x</body></html>", 27, 3, NULL, &r);
	CHECK_INT(r.rc, CRAWL_ERR_NOT_FEED, "an HTML page is not a feed");
	CHECK_STR(r.err, "line 1: not a feed (root element <html>)",
	          "message names the root element");
	result_free(&r);
	parse("", 0, 0, NULL, &r);
	CHECK_INT(r.rc, CRAWL_ERR_PARSE, "empty input is not a feed");
	result_free(&r);

	/* the callback stops the parse */
	memset(&r, 0, sizeof(r));
	r.c.stop_after = 1;
	doc = read_file("rss20-basic.xml", &len);
	parse(doc ? doc : "", doc ? len : 0, 10, NULL, &r);
	CHECK_INT(r.rc, CRAWL_ERR_ABORTED, "on_item can stop the parse");
	CHECK_INT(r.c.items, 1, "nothing after the stop");
	result_free(&r);
	/* max_items */
	{
		struct crawl_parse_opts o;

		memset(&o, 0, sizeof(o));
		o.max_items = 2;
		parse(doc ? doc : "", doc ? len : 0, 10, &o, &r);
		CHECK(r.rc == 0 && r.c.items == 2,
		      "max_items caps the entries");
		result_free(&r);
	}
	free(doc);
}

static void
test_encodings(void)
{
	struct crawl_parse_opts o;
	struct result r;
	/* "Café" in Latin-1 without a declaration */
	static const char latin1[] =
	        "<rss><channel><item><title>Caf\xe9</title>"
	        "</item></channel></rss>";
	static const char decl[] = "<?xml version='1.0' encoding='iso-8859-1'?>"
	                           "<rss><channel><item><title>Caf\xe9</title>"
	                           "</item></channel></rss>";
	static const char bom[] = "\xef\xbb\xbf<?xml version='1.0' encoding="
	                          "'iso-8859-1'?><rss><channel><item><title>"
	                          "Caf\xc3\xa9</title></item></channel></rss>";
	static const char ws[] = "\n\n  <?xml version='1.0' encoding='utf-8'?>"
	                         "<rss><channel><item><title>ws</title></item>"
	                         "</channel></rss>";

	memset(&o, 0, sizeof(o));
	o.charset = "ISO-8859-1";
	parse(latin1, sizeof(latin1) - 1, 0, &o, &r);
	CHECK_STR(r.c.buf, "-|Caf\xc3\xa9|-|-|-|-|-\n",
	          "opts->charset used without BOM or declaration");
	result_free(&r);
	parse(latin1, sizeof(latin1) - 1, 0, NULL, &r);
	CHECK_STR(r.c.buf, "-|Caf\xef\xbf\xbd|-|-|-|-|-\n",
	          "UTF-8 by default, bad byte repaired");
	result_free(&r);
	o.charset = "UTF-8";
	parse(decl, sizeof(decl) - 1, 2, &o, &r);
	CHECK_STR(r.c.buf, "-|Caf\xc3\xa9|-|-|-|-|-\n",
	          "the declaration wins over opts->charset");
	result_free(&r);
	parse(bom, sizeof(bom) - 1, 1, NULL, &r);
	CHECK_STR(r.c.buf, "-|Caf\xc3\xa9|-|-|-|-|-\n",
	          "the BOM wins over the declaration");
	result_free(&r);
	parse(ws, sizeof(ws) - 1, 3, NULL, &r);
	CHECK(r.rc == 0 && r.c.buf && strcmp(r.c.buf, "-|ws|-|-|-|-|-\n") == 0,
	      "whitespace before the XML declaration is tolerated");
	result_free(&r);
}

int
main(void)
{
	test_fixtures();
	test_meta();
	test_hostile();
	test_encodings();
	return check_done();
}
