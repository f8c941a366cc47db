/*
 * opml.c - OPML feed lists: read with libxml2's tree parser (OPML files are
 * small), written by hand with every attribute escaped.
 *
 * Safety: the file is read by us (size-capped) and parsed from memory with
 * XML_PARSE_NONET, without NOENT or DTDLOAD: external entities and DTDs are
 * never fetched, so an XXE file cannot pull /etc/passwd into a feed name.
 * Group nesting is bounded by libxml2's own depth limit and ours.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "opml.h"

#define OPML_MAX_SIZE  (16 * 1024 * 1024)
#define OPML_MAX_DEPTH 64
#define TAGS_MAX       4096

struct reader {
	const char *name;
	int (*fn)(const struct opml_outline *o, void *arg);
	void *arg;
	char *err;
	size_t errsz;
	/* tags of the enclosing groups, comma-separated */
	char tags[TAGS_MAX];
	size_t ntags;
};

#if defined(__GNUC__)
static void set_err(char *err, size_t errsz, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
#endif

static void
set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* An attribute, whitespace-trimmed; NULL when missing or empty.  Free with
 * xmlFree(). */
static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s, *b, *e;

	if (!v)
		return NULL;
	s = (char *)v;
	for (b = s; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
		;
	e = b + strlen(b);
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		e--;
	*e = '\0';
	if (b == e) {
		xmlFree(v);
		return NULL;
	}
	memmove(s, b, (size_t)(e - b) + 1);
	return s;
}

/* Appends the tag [p, e) trimmed to buf (comma-separated) unless present. */
static void
tags_add(char *buf, size_t *len, const char *p, const char *e)
{
	const char *q;
	size_t n;

	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		e--;
	n = (size_t)(e - p);
	if (n == 0)
		return;
	for (q = buf; q < buf + *len;) {
		const char *c = memchr(q, ',', (size_t)(buf + *len - q));
		size_t m = c ? (size_t)(c - q) : (size_t)(buf + *len - q);

		if (m == n && memcmp(q, p, n) == 0)
			return;
		q += m + 1;
	}
	/* a tag that does not fit is dropped, never cut */
	if (n + 2 > TAGS_MAX - *len)
		return;
	if (*len)
		buf[(*len)++] = ',';
	memcpy(buf + *len, p, n);
	*len += n;
	buf[*len] = '\0';
}

/* Splits s on any of seps and adds each part. */
static void
tags_add_list(char *buf, size_t *len, const char *s, const char *seps)
{
	const char *e;

	while (*s) {
		e = s + strcspn(s, seps);
		tags_add(buf, len, s, e);
		s = *e ? e + 1 : e;
	}
}

static int
type_is_feed(const char *type)
{
	return !type || strcasecmp(type, "rss") == 0 ||
	       strcasecmp(type, "atom") == 0 || strcasecmp(type, "none") == 0;
}

static int walk(struct reader *r, xmlNode *first, int depth);

/* The first error names the real fault; libxml2's last error is often
 * only "premature end of data" at the end of the file. */
struct first_error {
	int set;
	int line;
	char msg[256];
};

static void
keep_first_error(void *arg, xmlErrorPtr e)
{
	xmlParserCtxt *ctxt = arg;
	struct first_error *fe = ctxt ? ctxt->_private : NULL;
	size_t n;

	if (!fe || fe->set || !e || e->level < XML_ERR_ERROR || !e->message)
		return;
	n = strlen(e->message);
	while (n > 0 && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
		n--;
	snprintf(fe->msg, sizeof(fe->msg), "%.*s", (int)n, e->message);
	fe->line = e->line;
	fe->set = 1;
}

static int
visit(struct reader *r, xmlNode *n, int depth)
{
	struct opml_outline o;
	char *url, *title, *text, *lang, *type, *cat, *html;
	char tags[TAGS_MAX], skip[128];
	size_t ntags, saved = r->ntags;
	int rc = OPML_OK;

	url = attr(n, "xmlUrl");
	title = attr(n, "title");
	text = attr(n, "text");
	if (!url) {
		/* a group: its text (or title) tags everything inside */
		if (text || title)
			tags_add_list(r->tags, &r->ntags, text ? text : title,
			              ",/");
		rc = walk(r, n->children, depth + 1);
		r->ntags = saved;
		r->tags[saved] = '\0';
		xmlFree(title);
		xmlFree(text);
		return rc;
	}
	lang = attr(n, "language");
	type = attr(n, "type");
	cat = attr(n, "category");
	html = attr(n, "htmlUrl");

	memcpy(tags, r->tags, r->ntags + 1);
	ntags = r->ntags;
	if (cat)
		tags_add_list(tags, &ntags, cat, ",/");

	memset(&o, 0, sizeof(o));
	o.url = url;
	o.name = title ? title : text;
	o.lang = lang;
	o.tags = ntags ? tags : NULL;
	o.type = type;
	o.html_url = html;
	o.line = xmlGetLineNo(n);
	if (!type_is_feed(type)) {
		snprintf(skip, sizeof(skip), "type '%.64s' is not a feed",
		         type);
		o.skip = skip;
	}
	if (r->fn(&o, r->arg) != 0) {
		set_err(r->err, r->errsz,
		        "cannot read OPML '%s': line %ld: "
		        "stopped",
		        r->name, o.line);
		rc = OPML_ERR_ABORTED;
	}
	xmlFree(url);
	xmlFree(title);
	xmlFree(text);
	xmlFree(lang);
	xmlFree(type);
	xmlFree(cat);
	xmlFree(html);
	/* outlines nested in a feed outline are unusual; read them too */
	if (rc == OPML_OK)
		rc = walk(r, n->children, depth + 1);
	return rc;
}

static int
walk(struct reader *r, xmlNode *first, int depth)
{
	xmlNode *n;
	int rc;

	if (depth > OPML_MAX_DEPTH) {
		set_err(r->err, r->errsz,
		        "cannot read OPML '%s': line %ld: "
		        "outlines nested too deeply",
		        r->name, first ? xmlGetLineNo(first) : 0L);
		return OPML_ERR_PARSE;
	}
	for (n = first; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "outline") == 0)
			rc = visit(r, n, depth);
		else if (strcmp((const char *)n->name, "body") == 0)
			rc = walk(r, n->children, depth + 1);
		else
			continue;
		if (rc != OPML_OK)
			return rc;
	}
	return OPML_OK;
}

int
opml_read_memory(const char *buf, size_t len, const char *name,
                 int (*fn)(const struct opml_outline *o, void *arg), void *arg,
                 char *err, size_t errsz)
{
	struct reader r;
	struct first_error fe;
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	xmlNode *root;
	const xmlError *e;
	size_t n;
	int rc;

	if (len > OPML_MAX_SIZE || len > (size_t)0x7fffffff) {
		set_err(err, errsz, "cannot read OPML '%s': file too large",
		        name);
		return OPML_ERR_IO;
	}
	if (!(ctxt = xmlNewParserCtxt())) {
		set_err(err, errsz, "cannot read OPML '%s': out of memory",
		        name);
		return OPML_ERR_NOMEM;
	}
	memset(&fe, 0, sizeof(fe));
	ctxt->_private = &fe;
	ctxt->sax->serror = keep_first_error;
	/* NONET; never NOENT, DTDLOAD or HUGE */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR |
	                                XML_PARSE_NOWARNING |
	                                XML_PARSE_BIG_LINES);
	if (!doc) {
		e = xmlCtxtGetLastError(ctxt);
		if (fe.set) {
			set_err(err, errsz,
			        "cannot read OPML '%s': line %d: %s", name,
			        fe.line, fe.msg);
		} else if (e && e->message) {
			n = strlen(e->message);
			while (n > 0 && (e->message[n - 1] == '\n' ||
			                 e->message[n - 1] == ' '))
				n--;
			set_err(err, errsz,
			        "cannot read OPML '%s': line %d: %.*s", name,
			        e->line, (int)n, e->message);
		} else {
			set_err(err, errsz,
			        "cannot read OPML '%s': not well-formed "
			        "XML",
			        name);
		}
		xmlFreeParserCtxt(ctxt);
		return OPML_ERR_PARSE;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "opml") != 0) {
		set_err(err, errsz,
		        "cannot read OPML '%s': root element is "
		        "<%s>, not <opml>",
		        name, root ? (const char *)root->name : "none");
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return OPML_ERR_NOT_OPML;
	}
	memset(&r, 0, sizeof(r));
	r.name = name;
	r.fn = fn;
	r.arg = arg;
	r.err = err;
	r.errsz = errsz;
	rc = walk(&r, root->children, 0);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int
opml_read_file(const char *path,
               int (*fn)(const struct opml_outline *o, void *arg), void *arg,
               char *err, size_t errsz)
{
	FILE *fp;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;
	int rc;

	if (!(fp = fopen(path, "rb"))) {
		set_err(err, errsz, "cannot open '%s': %s", path,
		        strerror(errno));
		return OPML_ERR_IO;
	}
	for (;;) {
		if (cap - len < 65536) {
			if (cap > OPML_MAX_SIZE) {
				set_err(err, errsz,
				        "cannot read OPML '%s': file too "
				        "large",
				        path);
				rc = OPML_ERR_IO;
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if (!(nbuf = realloc(buf, cap))) {
				set_err(err, errsz,
				        "cannot read OPML '%s': out of "
				        "memory",
				        path);
				rc = OPML_ERR_NOMEM;
				goto out;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		set_err(err, errsz, "cannot read '%s': %s", path,
		        strerror(errno));
		rc = OPML_ERR_IO;
		goto out;
	}
	rc = opml_read_memory(buf, len, path, fn, arg, err, errsz);
out:
	free(buf);
	fclose(fp);
	return rc;
}

/* ------------------------------------------------------------- writing */

/* An XML attribute value: markup and whitespace escaped, characters XML
 * 1.0 forbids (other C0 controls) dropped. */
static void
put_attr(FILE *fp, const char *key, const char *v)
{
	const unsigned char *p;

	if (!v || !*v)
		return;
	fprintf(fp, " %s=\"", key);
	for (p = (const unsigned char *)v; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\t': fputs("&#9;", fp); break;
		case '\n': fputs("&#10;", fp); break;
		case '\r': fputs("&#13;", fp); break;
		default:
			if (*p >= 0x20)
				putc(*p, fp);
		}
	}
	putc('"', fp);
}

int
opml_write_begin(FILE *fp, const char *title)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<opml version=\"2.0\">\n"
	      "  <head>\n"
	      "    <title",
	      fp);
	putc('>', fp);
	for (; title && *title; title++) {
		if (*title == '&')
			fputs("&amp;", fp);
		else if (*title == '<')
			fputs("&lt;", fp);
		else if ((unsigned char)*title >= 0x20 || *title == '\t')
			putc(*title, fp);
	}
	fputs("</title>\n"
	      "  </head>\n"
	      "  <body>\n",
	      fp);
	return ferror(fp) ? -1 : 0;
}

int
opml_write_outline(FILE *fp, const struct opml_outline *o)
{
	fputs("    <outline type=\"rss\"", fp);
	put_attr(fp, "text", o->name ? o->name : o->url);
	put_attr(fp, "title", o->name);
	put_attr(fp, "xmlUrl", o->url);
	put_attr(fp, "htmlUrl", o->html_url);
	put_attr(fp, "language", o->lang);
	put_attr(fp, "category", o->tags);
	fputs("/>\n", fp);
	return ferror(fp) ? -1 : 0;
}

int
opml_write_end(FILE *fp)
{
	fputs("  </body>\n"
	      "</opml>\n",
	      fp);
	return ferror(fp) ? -1 : 0;
}
