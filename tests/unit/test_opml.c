/*
 * test_opml.c - the OPML reader (groups and categories to tags, lines,
 * hostile files) and the writer (escaping, round trip).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "opml.h"

struct got {
	char buf[4096];
	int n;
};

/* "url|name|lang|tags|line|skip;" per outline */
static int
collect(const struct opml_outline *o, void *arg)
{
	struct got *g = arg;
	size_t len = strlen(g->buf);

	snprintf(g->buf + len, sizeof(g->buf) - len, "%s|%s|%s|%s|%ld|%s;",
	         o->url, o->name ? o->name : "-", o->lang ? o->lang : "-",
	         o->tags ? o->tags : "-", o->line, o->skip ? "skip" : "ok");
	g->n++;
	return 0;
}

static const struct {
	const char *name;
	const char *doc;
	int rc;
	const char *want; /* outlines, or a substring of the error */
} cases[] = {
	{ "flat OPML 1.0",
	  "<opml version=\"1.0\"><body>\n"
	  "<outline text=\"A\" xmlUrl=\"https://a.example/rss\"/>\n"
	  "</body></opml>",
	  OPML_OK, "https://a.example/rss|A|-|-|2|ok;" },
	{ "title wins over text, xmlUrl trimmed",
	  "<opml><body><outline text=\"t\" title=\"T\" xmlUrl=\" "
	  "https://a.example/ \" language=\"de\"/></body></opml>",
	  OPML_OK, "https://a.example/|T|de|-|1|ok;" },
	{ "nested groups become tags",
	  "<opml><body>\n"
	  "<outline text=\"Europe\">\n"
	  " <outline text=\"Police, Justice\">\n"
	  "  <outline text=\"A\" xmlUrl=\"https://a.example/\" "
	  "category=\"/eu/agency,wire,Europe\"/>\n"
	  " </outline>\n"
	  " <outline text=\"B\" xmlUrl=\"https://b.example/\"/>\n"
	  "</outline>\n"
	  "<outline text=\"C\" xmlUrl=\"https://c.example/\"/>\n"
	  "</body></opml>",
	  OPML_OK,
	  "https://a.example/|A|-|Europe,Police,Justice,eu,agency,wire|4|ok;"
	  "https://b.example/|B|-|Europe|6|ok;"
	  "https://c.example/|C|-|-|8|ok;" },
	{ "types: rss, atom, none accepted; others marked",
	  "<opml><body>"
	  "<outline type=\"RSS\" text=\"a\" xmlUrl=\"https://a.example/\"/>"
	  "<outline type=\"atom\" text=\"b\" xmlUrl=\"https://b.example/\"/>"
	  "<outline type=\"none\" text=\"c\" xmlUrl=\"https://c.example/\"/>"
	  "<outline type=\"link\" text=\"d\" xmlUrl=\"https://d.example/\"/>"
	  "<outline type=\"include\" text=\"e\" "
	  "url=\"https://e.example/x.opml\"/>"
	  "</body></opml>",
	  OPML_OK,
	  "https://a.example/|a|-|-|1|ok;https://b.example/|b|-|-|1|ok;"
	  "https://c.example/|c|-|-|1|ok;https://d.example/|d|-|-|1|skip;" },
	{ "outline without xmlUrl and no children is ignored",
	  "<opml><body><outline text=\"note\"/></body></opml>", OPML_OK, "" },
	{ "entities: internal ones expand",
	  "<!DOCTYPE opml [<!ENTITY n \"Named\">]><opml><body>"
	  "<outline text=\"&n; &amp; co\" "
	  "xmlUrl=\"https://a.example/?a=1&amp;b=2\"/></body></opml>",
	  OPML_OK, "https://a.example/?a=1&b=2|Named & co|-|-|1|ok;" },
	{ "malformed", "<opml><body><outline text=\"a\">\n</body></opml>",
	  OPML_ERR_PARSE, "line 2: Opening and ending tag mismatch" },
	{ "not OPML", "<rss version=\"2.0\"/>", OPML_ERR_NOT_OPML,
	  "root element is <rss>" },
	{ "empty", "", OPML_ERR_PARSE, "cannot read OPML 'mem.opml'" },
	{ "external entity in attribute refused",
	  "<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	  "<opml><body><outline text=\"&x;\" "
	  "xmlUrl=\"https://a.example/\"/></body></opml>",
	  OPML_ERR_PARSE, "external entity" },
	{ "external entity in content never read",
	  "<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	  "<opml><head><title>&x;</title></head><body><outline text=\"ok\" "
	  "xmlUrl=\"https://a.example/\">&x;</outline></body></opml>",
	  OPML_OK, "https://a.example/|ok|-|-|1|ok;" },
};

static void
test_read(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct got g;
		char err[1024] = "";
		int rc;

		memset(&g, 0, sizeof(g));
		rc = opml_read_memory(cases[i].doc, strlen(cases[i].doc),
		                      "mem.opml", collect, &g, err,
		                      sizeof(err));
		CHECK_INT(rc, cases[i].rc, "%s: status", cases[i].name);
		if (cases[i].rc == OPML_OK)
			CHECK_STR(g.buf, cases[i].want, "%s: outlines",
			          cases[i].name);
		else
			CHECK(strstr(err, cases[i].want) != NULL &&
			              strstr(err, "mem.opml") != NULL,
			      "%s: message '%s'", cases[i].name, err);
		CHECK(strstr(g.buf, "root:") == NULL, "%s: no passwd",
		      cases[i].name);
	}
}

static int
stop_at_first(const struct opml_outline *o, void *arg)
{
	(*(int *)arg)++;
	return 1;
}

static void
test_misc(void)
{
	const char *doc = "<opml><body><outline xmlUrl=\"https://a/\"/>"
	                  "<outline xmlUrl=\"https://b/\"/></body></opml>";
	char err[512];
	int n = 0;

	CHECK_INT(opml_read_memory(doc, strlen(doc), "x", stop_at_first, &n,
	                           err, sizeof(err)),
	          OPML_ERR_ABORTED, "callback stops the read");
	CHECK_INT(n, 1, "no outline after the stop");
	CHECK_INT(opml_read_file("/nonexistent/feeds.opml", stop_at_first, &n,
	                         err, sizeof(err)),
	          OPML_ERR_IO, "missing file");
	CHECK(strstr(err, "cannot open '/nonexistent/feeds.opml'") != NULL,
	      "missing file message: %s", err);
}

static void
test_write(void)
{
	struct opml_outline o;
	struct got g;
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	opml_write_begin(fp, "feeds & <things>");
	memset(&o, 0, sizeof(o));
	o.url = "https://a.example/?x=1&y=\"2\"";
	o.name = "A & B <c>\t\"q\"\x01";
	o.lang = "fr";
	o.tags = "wire,Europe";
	o.html_url = "https://a.example/";
	opml_write_outline(fp, &o);
	memset(&o, 0, sizeof(o));
	o.url = "https://b.example/";
	opml_write_outline(fp, &o);
	CHECK_INT(opml_write_end(fp), 0, "write ok");
	fclose(fp);
	CHECK(strstr(buf, "<title>feeds &amp; &lt;things></title>") != NULL,
	      "title escaped");
	CHECK(strstr(buf, "text=\"A &amp; B &lt;c&gt;&#9;&quot;q&quot;\"") !=
	              NULL,
	      "attribute escaped, control byte dropped");
	CHECK(strstr(buf, "text=\"https://b.example/\" xmlUrl") != NULL,
	      "unnamed feed: text is the URL, no title");
	memset(&g, 0, sizeof(g));
	CHECK_INT(opml_read_memory(buf, len, "out", collect, &g, err,
	                           sizeof(err)),
	          OPML_OK, "written OPML reads back");
	CHECK_STR(g.buf,
	          "https://a.example/?x=1&y=\"2\"|A & B "
	          "<c>\t\"q\"|fr|wire,Europe|7|ok;"
	          "https://b.example/|https://b.example/|-|-|8|ok;",
	          "round trip");
	free(buf);
}

int
main(void)
{
	test_read();
	test_misc();
	test_write();
	return check_done();
}
