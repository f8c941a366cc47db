/*
 * parse.c - RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 on libxml2's SAX2
 * push parser, one entry at a time.
 *
 * Invariants:
 *  - Memory does not grow with the document: only the open entry's fields
 *    are kept, each in a buffer capped at opts->max_field; libxml2 builds no
 *    tree (every tree-building SAX callback is left NULL).
 *  - libxml2 only ever sees valid UTF-8 and no entity reference at all,
 *    only valid character references.  A prefilter in front of
 *    xmlParseChunk() transcodes the input (BOM, XML declaration,
 *    opts->charset; iconv), replaces invalid UTF-8, NUL and other control
 *    bytes with U+FFFD, and rewrites entity references: the five predefined
 *    ones become character references (libxml2 2.9 drops even "&amp;" once
 *    it has found the document ill-formed, but never "&#38;"), HTML5 names
 *    become their characters, unknown names and bare '&' literal text.  So
 * nothing declared in a DTD is ever expanded or loaded (billion laughs, XXE),
 * and a stray byte cannot stop libxml2 or switch it to Latin-1.  The SAX entity
 * callbacks are overridden as a second wall.
 *  - Element text and CDATA sections that the filter sees whole, in element
 *    content it is sure of, go around libxml2: libxml2 gets a placeholder
 *    processing instruction with the same line count, and sax_pi() reports
 *    the text where libxml2 would have (see filter_cdata()).
 *  - Only direct children of an entry fill its fields (plus an author's
 *    name and the markup inside content): <source>, <image>, media groups
 *    and unknown elements never override what the entry says.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "crawler.h"
#include "internal.h"

#define DEFAULT_MAX_DEPTH 256
#define DEFAULT_MAX_FIELD (1024 * 1024)
#define SNIFF_MAX         1024 /* bytes read to find the XML declaration */
#define REF_MAX           40   /* longest entity reference looked at */

#define NS_ATOM    "http://www.w3.org/2005/Atom"
#define NS_ATOM03  "http://purl.org/atom/ns#"
#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XHTML   "http://www.w3.org/1999/xhtml"
#define NS_SY      "http://purl.org/rss/1.0/modules/syndication/"
#define NS_XML     "http://www.w3.org/XML/1998/namespace"

/* namespace classes; the RSS namespaces count as no namespace */
enum ns {
	N_NONE,
	N_ATOM,
	N_ATOM03,
	N_RDF,
	N_DC,
	N_DCTERMS,
	N_CONTENT,
	N_XHTML,
	N_SY,
	N_OTHER
};

enum format { F_NONE, F_RSS, F_RDF, F_ATOM, F_ATOM03, F_NOT_FEED };

/* how a field's text becomes plain text */
enum mode {
	M_RAW,   /* as written, trimmed (id, link, dates, author) */
	M_TEXT,  /* plain text: whitespace collapsed */
	M_HTML,  /* HTML source: child elements are written back as tags */
	M_XHTML, /* XML markup: tags written back, text escaped */
	M_AUTO,  /* RSS title: HTML when it holds markup, else text */
	M_B64TEXT,
	M_B64HTML,
	M_SKIP /* content we cannot show (binary, out of line) */
};

/* where a field goes; entry slots first, then channel ones */
enum slot {
	S_ID,
	S_TITLE,
	S_TITLE2, /* dc:title */
	S_SUMMARY,
	S_SUMMARY2, /* dc:description */
	S_CONTENT,
	S_LINK,
	S_LINK2, /* atom:link inside an RSS item */
	S_AUTHOR,
	S_PUB,
	S_PUB2, /* dc:date */
	S_UPD,
	S_ENTRY_END,
	S_CTITLE = S_ENTRY_END,
	S_CLINK,
	S_CLINK2,
	S_CLANG,
	S_CTTL,
	S_CPERIOD,
	S_CFREQ,
	S_COUNT
};

struct field {
	struct crawler_buf b;
	int mode;
	int set;       /* holds a value: later candidates are ignored */
	int has_child; /* child elements were seen (M_AUTO) */
};

enum filter_state { FS_TEXT, FS_CDATA, FS_COMMENT };

struct base {
	size_t depth;
	char *url;
};

struct crawl_parser {
	struct crawl_parse_opts opts;
	xmlParserCtxtPtr ctxt;
	struct crawl_feed_meta meta;
	int rc;       /* sticky: NOMEM, ABORTED */
	int stopped;  /* libxml2 was told to stop */
	int finished; /* crawler_parser_finish() ran */
	char errmsg[256];
	char first_error[256];
	int first_line;
	size_t first_msg; /* offset of the message in first_error */

	/* input side */
	int sniffed;
	int nonblank;            /* something but whitespace was read */
	iconv_t cd;              /* (iconv_t)-1 for UTF-8 input */
	int w1252;               /* windows-1252 input, converted here */
	struct crawler_buf head; /* first bytes, until the encoding is known */
	struct crawler_buf icarry;
	struct crawler_buf conv;
	struct crawler_buf fcarry; /* prefilter input not yet decided */
	struct crawler_buf fout;
	int fstate;
	/* the bypass (filter_cdata, filter_text): a tracker of the markup the
	 * filter passes, and the text that went around libxml2 */
	int trk_off;      /* unsure of where libxml2 is: no more bypass */
	int trk_wait;     /* markup cut by the end of the input: wait */
	size_t trk_depth; /* open elements */
	size_t trk_skip;  /* in this input, markup already looked at ends */
	int txt_new;      /* a tag just ended: text may start */
	int txt_stop;     /* the text ends at this '<' */
	int txt_active;   /* fout from txt_fout on is element text */
	size_t txt_fout;
	struct crawler_buf cdq; /* records: seq, length, contents */
	size_t cdq_off;         /* first record not yet handed over */
	unsigned long cd_seq;   /* sequence number of the next section */
	char nonce[17];
	xmlEntity fake; /* returned by get_entity() for nothing but safety */

	/* document state */
	size_t depth;
	int format;
	int root_ns;
	long root_line;
	char root_name[64];
	size_t chan_depth; /* depth of <channel> or of the Atom <feed> */
	int in_chan;       /* inside it */
	size_t entry_depth;
	size_t author_depth; /* Atom <author> inside the entry */
	size_t cap_depth;
	int cap_slot; /* -1: not capturing */
	struct field f[S_COUNT];
	struct base *bases;
	size_t nbases, abases;
	int lang_from_element;

	/* what the meta points to */
	char *feed_title, *feed_link, *feed_lang;
};

static const char *const format_names[] = { NULL,   "rss",    "rdf",
	                                    "atom", "atom03", NULL };

/* ---------------------------------------------------------------------- */
/* small helpers */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static void
fail_nomem(struct crawl_parser *p)
{
	if (!p->rc)
		p->rc = CRAWL_ERR_NOMEM;
	if (p->ctxt && !p->stopped) {
		xmlStopParser(p->ctxt);
		p->stopped = 1;
	}
}

static int
ns_class(const xmlChar *uri)
{
	const char *u = (const char *)uri;

	if (!u || !*u)
		return N_NONE;
	if (strcmp(u, NS_ATOM) == 0)
		return N_ATOM;
	if (strcmp(u, NS_DC) == 0)
		return N_DC;
	if (strcmp(u, NS_CONTENT) == 0)
		return N_CONTENT;
	if (strcmp(u, NS_DCTERMS) == 0)
		return N_DCTERMS;
	if (strcmp(u, NS_RDF) == 0)
		return N_RDF;
	if (strcmp(u, NS_ATOM03) == 0)
		return N_ATOM03;
	if (strcmp(u, NS_XHTML) == 0)
		return N_XHTML;
	if (strcmp(u, NS_SY) == 0)
		return N_SY;
	/* RSS 1.0, RSS 0.90 and the namespaced RSS 2.0 variants */
	if (strcmp(u, "http://purl.org/rss/1.0/") == 0 ||
	    strcmp(u, "http://my.netscape.com/rdf/simple/0.9/") == 0 ||
	    strcmp(u, "http://backend.userland.com/rss2") == 0 ||
	    strcmp(u, "http://backend.userland.com/rss") == 0 ||
	    strcmp(u, "http://blogs.law.harvard.edu/tech/rss") == 0)
		return N_NONE;
	return N_OTHER;
}

/* The value of attribute (uri, local); NULL if absent.  *len gets its size. */
static const char *
attr_get(const xmlChar **attrs, int n, const char *uri, const char *local,
         size_t *len)
{
	int i;

	for (i = 0; i < n; i++) {
		const xmlChar **a = attrs + 5 * i;

		if (strcmp((const char *)a[0], local) != 0)
			continue;
		if (uri ? (!a[2] || strcmp((const char *)a[2], uri) != 0)
		        : a[2] != NULL)
			continue;
		*len = (size_t)(a[4] - a[3]);
		return (const char *)a[3];
	}
	return NULL;
}

/* A NUL-terminated copy of an attribute value, trimmed; NULL if absent. */
static char *
attr_dup(const xmlChar **attrs, int n, const char *uri, const char *local)
{
	size_t len;
	const char *v = attr_get(attrs, n, uri, local, &len);
	char *r;

	if (!v)
		return NULL;
	while (len > 0 && CRAWLER_IS_SPACE(*v)) {
		v++;
		len--;
	}
	while (len > 0 && CRAWLER_IS_SPACE(v[len - 1]))
		len--;
	r = malloc(len + 1);
	if (r) {
		memcpy(r, v, len);
		r[len] = '\0';
	}
	return r;
}

static int
has_text(const struct crawler_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (!CRAWLER_IS_SPACE(b->p[i]))
			return 1;
	return 0;
}

/* A trimmed copy (inner whitespace kept), NULL if empty. */
static char *
dup_trimmed(const char *s, size_t n)
{
	char *r;

	while (n > 0 && CRAWLER_IS_SPACE(*s)) {
		s++;
		n--;
	}
	while (n > 0 && CRAWLER_IS_SPACE(s[n - 1]))
		n--;
	if (n == 0)
		return NULL;
	r = malloc(n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* xml:base */

static const char *
current_base(const struct crawl_parser *p)
{
	if (p->nbases)
		return p->bases[p->nbases - 1].url;
	return p->opts.base_url;
}

/* An entry's link: against xml:base, else the feed's own link when it is
 * absolute, else the document URL; as written when nothing makes it
 * absolute. */
static char *
resolve_link(const struct crawl_parser *p, const char *ref, int entry)
{
	char *r = NULL;

	if (p->nbases)
		r = crawler_url_resolve(p->bases[p->nbases - 1].url, ref);
	if (!r && entry && p->feed_link)
		r = crawler_url_resolve(p->feed_link, ref);
	else if (!r && entry && p->f[S_CLINK2].set)
		r = crawler_url_resolve(p->f[S_CLINK2].b.p, ref);
	if (!r && p->opts.base_url)
		r = crawler_url_resolve(p->opts.base_url, ref);
	if (!r)
		r = dup_trimmed(ref, strlen(ref));
	return r;
}

static void
push_base(struct crawl_parser *p, const xmlChar **attrs, int n)
{
	char *v = attr_dup(attrs, n, NS_XML, "base"), *r;

	if (!v)
		return;
	r = crawler_url_resolve(current_base(p), v);
	if (r)
		free(v);
	else
		r = v; /* relative to nothing we know: kept as written */
	if (p->nbases == p->abases) {
		size_t na = p->abases ? p->abases * 2 : 8;
		struct base *nb = realloc(p->bases, na * sizeof(*nb));

		if (!nb) {
			free(r);
			fail_nomem(p);
			return;
		}
		p->bases = nb;
		p->abases = na;
	}
	p->bases[p->nbases].depth = p->depth;
	p->bases[p->nbases].url = r;
	p->nbases++;
}

static void
pop_base(struct crawl_parser *p)
{
	if (p->nbases && p->bases[p->nbases - 1].depth == p->depth) {
		p->nbases--;
		free(p->bases[p->nbases].url);
	}
}

/* ---------------------------------------------------------------------- */
/* field capture */

static void
capture(struct crawl_parser *p, int slot, int mode)
{
	struct field *f = &p->f[slot];

	if (f->set)
		return;
	crawler_buf_reset(&f->b);
	f->mode = mode;
	f->has_child = 0;
	p->cap_slot = slot;
	p->cap_depth = p->depth;
}

/* The mode of an Atom text construct from its type (and 0.3 mode). */
static int
atom_mode(const xmlChar **attrs, int n, int is_content)
{
	size_t tl = 0, ml = 0;
	const char *t = attr_get(attrs, n, NULL, "type", &tl);
	const char *m = attr_get(attrs, n, NULL, "mode", &ml);
	int mode, b64 = 0;

	if (is_content && attr_get(attrs, n, NULL, "src", &ml))
		return M_SKIP;
	m = attr_get(attrs, n, NULL, "mode", &ml);
	if (m && crawler_word_eq(m, ml, "base64"))
		b64 = 1;
	if (!t || crawler_word_eq(t, tl, "text") ||
	    crawler_word_eq(t, tl, "text/plain"))
		mode = M_TEXT;
	else if (crawler_word_eq(t, tl, "html") ||
	         crawler_word_eq(t, tl, "text/html"))
		mode = M_HTML;
	else if (crawler_word_eq(t, tl, "xhtml") ||
	         crawler_word_eq(t, tl, "application/xhtml+xml"))
		mode = M_XHTML;
	else if (tl > 5 && crawler_word_eq(t, 5, "text/"))
		mode = M_TEXT;
	else if ((tl > 4 && memcmp(t + tl - 4, "+xml", 4) == 0) ||
	         (tl > 4 && memcmp(t + tl - 4, "/xml", 4) == 0))
		mode = M_XHTML;
	else
		return M_SKIP;
	if (b64)
		return mode == M_TEXT ? M_B64TEXT : M_B64HTML;
	if (m && crawler_word_eq(m, ml, "escaped"))
		return M_HTML;
	if (m && crawler_word_eq(m, ml, "xml") && mode == M_HTML)
		return M_XHTML; /* 0.3: inline markup */
	return mode;
}

static void
add_escaped(struct crawl_parser *p, struct crawler_buf *b, const char *s,
            size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		const char *e;

		if (s[i] == '&')
			e = "&amp;";
		else if (s[i] == '<')
			e = "&lt;";
		else if (s[i] == '>')
			e = "&gt;";
		else
			continue;
		if (crawler_buf_add(b, s + start, i - start) != 0 ||
		    crawler_buf_add(b, e, strlen(e)) != 0) {
			fail_nomem(p);
			return;
		}
		start = i + 1;
	}
	if (crawler_buf_add(b, s + start, n - start) != 0)
		fail_nomem(p);
}

/* A child element inside a captured field: markup modes get it back as a
 * tag, so that block and inline rules apply later. */
static void
capture_tag(struct crawl_parser *p, const xmlChar *name, int end)
{
	struct field *f = &p->f[p->cap_slot];
	struct crawler_buf *b = &f->b;
	int r;

	if (f->mode != M_HTML && f->mode != M_XHTML && f->mode != M_AUTO)
		return;
	f->has_child = 1;
	r = crawler_buf_add(b, end ? "</" : "<", end ? 2 : 1);
	if (r == 0)
		r = crawler_buf_add(b, name, strlen((const char *)name));
	if (r == 0)
		r = crawler_buf_addc(b, '>');
	if (r != 0)
		fail_nomem(p);
}

static void
compute_ttl(struct crawl_parser *p)
{
	struct field *t = &p->f[S_CTTL], *per = &p->f[S_CPERIOD],
	             *fr = &p->f[S_CFREQ];
	long long v = 0;

	if (t->set) {
		char *e;
		long long m = strtoll(crawler_buf_str(&t->b), &e, 10);

		while (CRAWLER_IS_SPACE(*e))
			e++;
		if (*e == '\0' && m > 0 && m < 1000000000LL)
			v = m * 60;
	}
	if (!v && per->set) {
		static const struct {
			const char *name;
			long long secs;
		} periods[] = { { "hourly", 3600 },
			        { "daily", 86400 },
			        { "weekly", 604800 },
			        { "monthly", 2592000 },
			        { "yearly", 31536000 } };
		char *s = dup_trimmed(per->b.p, per->b.len);
		long long freq = 1;
		size_t i;

		if (fr->set) {
			char *e;
			long long q = strtoll(crawler_buf_str(&fr->b), &e, 10);

			while (CRAWLER_IS_SPACE(*e))
				e++;
			if (*e == '\0' && q > 0)
				freq = q;
		}
		for (i = 0; s && i < sizeof(periods) / sizeof(periods[0]); i++)
			if (crawler_word_eq(s, strlen(s), periods[i].name))
				v = periods[i].secs / freq;
		free(s);
	}
	p->meta.ttl_seconds = v;
}

/* Plain text of a captured title or summary; NULL when empty. */
static char *
field_text(struct crawl_parser *p, struct field *f)
{
	size_t max = p->opts.max_field;
	const char *s = crawler_buf_str(&f->b);
	size_t n = f->b.len;
	char *r = NULL;
	int mode = f->mode;

	if (!f->set)
		return NULL;
	if (mode == M_B64TEXT || mode == M_B64HTML) {
		struct crawler_buf d;
		unsigned int acc = 0;
		int bits = 0;
		size_t i;

		crawler_buf_init(&d, max);
		for (i = 0; i < n; i++) {
			int c = (unsigned char)s[i], v;

			if (c >= 'A' && c <= 'Z')
				v = c - 'A';
			else if (c >= 'a' && c <= 'z')
				v = c - 'a' + 26;
			else if (c >= '0' && c <= '9')
				v = c - '0' + 52;
			else if (c == '+' || c == '-')
				v = 62;
			else if (c == '/' || c == '_')
				v = 63;
			else
				continue;
			acc = (acc << 6) | (unsigned int)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (crawler_buf_addc(&d, (char)((acc >> bits) &
				                                0xff)) != 0) {
					crawler_buf_release(&d);
					fail_nomem(p);
					return NULL;
				}
			}
		}
		if (mode == M_B64TEXT)
			r = crawler_text_collapse(crawler_buf_str(&d), d.len,
			                          max);
		else
			r = crawler_html_to_text(crawler_buf_str(&d), d.len,
			                         max);
		crawler_buf_release(&d);
	} else if (mode == M_SKIP) {
		return NULL;
	} else {
		int html = mode == M_HTML || mode == M_XHTML;

		if (mode == M_AUTO && !f->has_child) {
			size_t i;

			for (i = 0; i < n && !html; i++) {
				unsigned char c = (unsigned char)s[i + 1];

				if (s[i] == '<' && i + 1 < n &&
				    (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
				     c == '/' || c == '!'))
					html = 1;
				else if (s[i] == '&' && i + 1 < n) {
					size_t k = i + 1;

					if (s[k] == '#')
						html = 1;
					while (k < n &&
					       (((s[k] | 0x20) >= 'a' &&
					         (s[k] | 0x20) <= 'z') ||
					        (s[k] >= '0' && s[k] <= '9')))
						k++;
					if (k > i + 1 && k < n && s[k] == ';')
						html = 1;
				}
			}
		} else if (mode == M_AUTO) {
			html = 1;
		}
		if (html)
			r = crawler_html_to_text(s, n, max);
		else
			r = crawler_text_collapse(s, n, max);
	}
	if (!r) {
		fail_nomem(p);
		return NULL;
	}
	if (!*r) {
		free(r);
		return NULL;
	}
	return r;
}

/* "jane@example.com (Jane Doe)" and "Jane Doe <jane@example.com>" give the
 * name; anything else is kept as it is. */
static char *
author_name(struct crawl_parser *p, struct field *f)
{
	char *s, *o, *c;
	size_t n;

	if (!f->set)
		return NULL;
	if (!(s = crawler_text_collapse(f->b.p, f->b.len, p->opts.max_field))) {
		fail_nomem(p);
		return NULL;
	}
	n = strlen(s);
	if (n > 2 && s[n - 1] == ')' && (o = strchr(s, '(')) && o > s) {
		size_t k;

		for (k = 0; s + k < o - 1 && s[k] != ' '; k++)
			;
		if (memchr(s, '@', (size_t)(o - s)) && s + k == o - 1 &&
		    o[-1] == ' ') {
			char *r = dup_trimmed(o + 1,
			                      (size_t)(s + n - 1 - (o + 1)));

			if (r) {
				free(s);
				return r;
			}
		}
	}
	if (n > 2 && s[n - 1] == '>' && (c = strrchr(s, '<')) &&
	    memchr(c, '@', (size_t)(s + n - c))) {
		char *name = s, *r;
		size_t nl = (size_t)(c - s);

		while (nl > 0 && s[nl - 1] == ' ')
			nl--;
		if (nl >= 2 && name[0] == '"' && name[nl - 1] == '"') {
			name++;
			nl -= 2;
		}
		r = nl ? dup_trimmed(name, nl)
		       : dup_trimmed(c + 1, (size_t)(s + n - 1 - (c + 1)));
		if (r) {
			free(s);
			return r;
		}
	}
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

static int64_t
field_date(struct field *f)
{
	int64_t t;

	if (f->set && f->b.len < 200 && !f->b.truncated &&
	    crawler_parse_date(crawler_buf_str(&f->b), &t) == 0)
		return t;
	return CRAWL_TIME_NONE;
}

static void
entry_begin(struct crawl_parser *p)
{
	int i;

	for (i = 0; i < S_ENTRY_END; i++) {
		crawler_buf_reset(&p->f[i].b);
		p->f[i].set = 0;
		p->f[i].has_child = 0;
	}
	p->entry_depth = p->depth;
	p->author_depth = 0;
}

static void
entry_emit(struct crawl_parser *p)
{
	struct crawl_item it;
	char *id = NULL, *title, *summary, *author;
	const char *link = NULL;
	int r = 0;

	memset(&it, 0, sizeof(it));
	p->entry_depth = 0;
	p->author_depth = 0;
	if (p->rc)
		return;
	if (p->f[S_ID].set)
		id = dup_trimmed(p->f[S_ID].b.p, p->f[S_ID].b.len);
	title = field_text(p, &p->f[S_TITLE]);
	if (!title)
		title = field_text(p, &p->f[S_TITLE2]);
	summary = field_text(p, &p->f[S_SUMMARY]);
	if (!summary)
		summary = field_text(p, &p->f[S_SUMMARY2]);
	if (!summary)
		summary = field_text(p, &p->f[S_CONTENT]);
	if (p->f[S_LINK].set)
		link = p->f[S_LINK].b.p;
	else if (p->f[S_LINK2].set)
		link = p->f[S_LINK2].b.p;
	author = author_name(p, &p->f[S_AUTHOR]);

	it.index = p->meta.items;
	it.id = id;
	it.title = title;
	it.summary = summary;
	it.link = link;
	it.author = author;
	it.published = field_date(&p->f[S_PUB]);
	if (it.published == CRAWL_TIME_NONE)
		it.published = field_date(&p->f[S_PUB2]);
	it.updated = field_date(&p->f[S_UPD]);
	if (!p->rc) {
		p->meta.items++;
		if (p->opts.on_item)
			r = p->opts.on_item(&it, p->opts.arg);
		if (r != 0) {
			p->rc = CRAWL_ERR_ABORTED;
			if (!p->stopped) {
				xmlStopParser(p->ctxt);
				p->stopped = 1;
			}
		} else if (p->opts.max_items &&
		           p->meta.items >= p->opts.max_items && !p->stopped) {
			xmlStopParser(p->ctxt);
			p->stopped = 1;
		}
	}
	free(id);
	free(title);
	free(summary);
	free(author);
}

/* ---------------------------------------------------------------------- */
/* SAX callbacks */

static void
root_element(struct crawl_parser *p, const xmlChar *local, int ns,
             const xmlChar **attrs, int nattrs)
{
	const char *l = (const char *)local;
	size_t vl;
	const char *v;

	p->root_ns = ns;
	p->root_line = p->ctxt->input ? p->ctxt->input->line : 0;
	snprintf(p->root_name, sizeof(p->root_name), "%s", l);
	if (strcmp(l, "rss") == 0 && ns == N_NONE) {
		p->format = F_RSS;
	} else if (strcmp(l, "RDF") == 0 && ns == N_RDF) {
		p->format = F_RDF;
	} else if (strcmp(l, "feed") == 0 && ns == N_ATOM) {
		p->format = F_ATOM;
	} else if (strcmp(l, "feed") == 0 && ns == N_ATOM03) {
		p->format = F_ATOM03;
	} else if (strcmp(l, "feed") == 0 && ns == N_NONE) {
		v = attr_get(attrs, nattrs, NULL, "version", &vl);
		p->format = v && vl == 3 && memcmp(v, "0.3", 3) == 0 ? F_ATOM03
		                                                     : F_ATOM;
	} else if (strcmp(l, "channel") == 0 && ns == N_NONE) {
		p->format = F_RSS; /* RSS without its <rss> wrapper */
		p->chan_depth = 1;
	} else {
		p->format = F_NOT_FEED;
		xmlStopParser(p->ctxt);
		p->stopped = 1;
		return;
	}
	if (p->format == F_ATOM || p->format == F_ATOM03 || p->chan_depth)
		p->in_chan = 1;
	if (p->format == F_ATOM || p->format == F_ATOM03)
		p->chan_depth = 1;
	p->meta.format = format_names[p->format];
	if (!p->feed_lang &&
	    (p->feed_lang = attr_dup(attrs, nattrs, NS_XML, "lang")) != NULL) {
		if (*p->feed_lang)
			p->meta.language = p->feed_lang;
	}
}

/* Atom's namespace for this document: elements of the root's namespace. */
static int
is_atom(const struct crawl_parser *p, int ns)
{
	if (p->format == F_ATOM)
		return ns == N_ATOM || (p->root_ns == N_NONE && ns == N_NONE);
	if (p->format == F_ATOM03)
		return ns == N_ATOM03 || (p->root_ns == N_NONE && ns == N_NONE);
	return 0;
}

static void
atom_link(struct crawl_parser *p, const xmlChar **attrs, int n, int slot,
          int entry)
{
	size_t rl;
	const char *rel = attr_get(attrs, n, NULL, "rel", &rl);
	char *href, *r;

	if (p->f[slot].set)
		return;
	if (rel) {
		while (rl > 0 && CRAWLER_IS_SPACE(*rel)) {
			rel++;
			rl--;
		}
		while (rl > 0 && CRAWLER_IS_SPACE(rel[rl - 1]))
			rl--;
		if (!crawler_word_eq(rel, rl, "alternate") &&
		    !crawler_word_eq(rel, rl,
		                     "http://www.iana.org/assignments/relation/"
		                     "alternate"))
			return;
	}
	if (!(href = attr_dup(attrs, n, NULL, "href")))
		return;
	if (!*href) {
		free(href);
		return;
	}
	r = resolve_link(p, href, entry);
	free(href);
	if (!r) {
		fail_nomem(p);
		return;
	}
	crawler_buf_reset(&p->f[slot].b);
	if (crawler_buf_add(&p->f[slot].b, r, strlen(r)) != 0)
		fail_nomem(p);
	p->f[slot].set = 1;
	free(r);
	if (slot == S_CLINK && !p->feed_link) {
		if (!(p->feed_link = strdup(p->f[slot].b.p)))
			fail_nomem(p);
		p->meta.link = p->feed_link;
	}
}

/* A direct child of an entry. */
static void
entry_child(struct crawl_parser *p, const char *l, int ns,
            const xmlChar **attrs, int n)
{
	if (is_atom(p, ns)) {
		if (strcmp(l, "title") == 0)
			capture(p, S_TITLE, atom_mode(attrs, n, 0));
		else if (strcmp(l, "summary") == 0)
			capture(p, S_SUMMARY, atom_mode(attrs, n, 0));
		else if (strcmp(l, "content") == 0)
			capture(p, S_CONTENT, atom_mode(attrs, n, 1));
		else if (strcmp(l, "id") == 0)
			capture(p, S_ID, M_RAW);
		else if (strcmp(l, "link") == 0)
			atom_link(p, attrs, n, S_LINK, 1);
		else if (strcmp(l, "published") == 0 ||
		         strcmp(l, "issued") == 0)
			capture(p, S_PUB, M_RAW);
		else if (strcmp(l, "updated") == 0 ||
		         strcmp(l, "modified") == 0)
			capture(p, S_UPD, M_RAW);
		else if (strcmp(l, "author") == 0 && !p->f[S_AUTHOR].set)
			p->author_depth = p->depth;
		return;
	}
	switch (ns) {
	case N_NONE:
		if (p->format != F_RSS && p->format != F_RDF)
			return;
		if (strcmp(l, "title") == 0)
			capture(p, S_TITLE, M_AUTO);
		else if (strcmp(l, "link") == 0)
			capture(p, S_LINK, M_RAW);
		else if (strcmp(l, "guid") == 0)
			capture(p, S_ID, M_RAW);
		else if (strcmp(l, "description") == 0)
			capture(p, S_SUMMARY, M_HTML);
		else if (strcmp(l, "pubDate") == 0)
			capture(p, S_PUB, M_RAW);
		else if (strcmp(l, "author") == 0)
			capture(p, S_AUTHOR, M_RAW);
		break;
	case N_DC:
		if (strcmp(l, "creator") == 0)
			capture(p, S_AUTHOR, M_RAW);
		else if (strcmp(l, "date") == 0)
			capture(p, S_PUB2, M_RAW);
		else if (strcmp(l, "title") == 0)
			capture(p, S_TITLE2, M_AUTO);
		else if (strcmp(l, "description") == 0)
			capture(p, S_SUMMARY2, M_HTML);
		break;
	case N_DCTERMS:
		if (strcmp(l, "issued") == 0)
			capture(p, S_PUB, M_RAW);
		else if (strcmp(l, "modified") == 0)
			capture(p, S_UPD, M_RAW);
		break;
	case N_CONTENT:
		if (strcmp(l, "encoded") == 0)
			capture(p, S_CONTENT, M_HTML);
		break;
	case N_XHTML:
		if (strcmp(l, "body") == 0)
			capture(p, S_CONTENT, M_XHTML);
		break;
	case N_ATOM:
		/* <atom:link rel="alternate"> in an RSS item */
		if (strcmp(l, "link") == 0)
			atom_link(p, attrs, n, S_LINK2, 1);
		break;
	}
}

/* A direct child of <channel> or of the Atom <feed>. */
static void
channel_child(struct crawl_parser *p, const char *l, int ns,
              const xmlChar **attrs, int n)
{
	if (is_atom(p, ns)) {
		if (strcmp(l, "title") == 0)
			capture(p, S_CTITLE, atom_mode(attrs, n, 0));
		else if (strcmp(l, "link") == 0)
			atom_link(p, attrs, n, S_CLINK, 0);
		return;
	}
	if (ns == N_NONE && (p->format == F_RSS || p->format == F_RDF)) {
		if (strcmp(l, "title") == 0)
			capture(p, S_CTITLE, M_AUTO);
		else if (strcmp(l, "link") == 0)
			capture(p, S_CLINK, M_RAW);
		else if (strcmp(l, "language") == 0)
			capture(p, S_CLANG, M_RAW);
		else if (strcmp(l, "ttl") == 0)
			capture(p, S_CTTL, M_RAW);
	} else if (ns == N_DC && strcmp(l, "language") == 0) {
		capture(p, S_CLANG, M_RAW);
	} else if (ns == N_SY && strcmp(l, "updatePeriod") == 0) {
		capture(p, S_CPERIOD, M_RAW);
	} else if (ns == N_SY && strcmp(l, "updateFrequency") == 0) {
		capture(p, S_CFREQ, M_RAW);
	} else if (ns == N_ATOM && strcmp(l, "link") == 0) {
		atom_link(p, attrs, n, S_CLINK2, 0);
	}
}

static void
sax_start(void *ud, const xmlChar *local, const xmlChar *prefix,
          const xmlChar *uri, int nb_ns, const xmlChar **ns_decls, int nattrs,
          int ndefaulted, const xmlChar **attrs)
{
	struct crawl_parser *p = ud;
	const char *l = (const char *)local;
	int ns;

	(void)prefix;
	(void)nb_ns;
	(void)ns_decls;
	(void)ndefaulted;
	p->depth++;
	if (p->stopped || p->depth > p->opts.max_depth)
		return;
	if (p->nbases || nattrs)
		push_base(p, attrs, nattrs);
	if (p->cap_slot >= 0) {
		/* markup inside a field */
		capture_tag(p, local, 0);
		return;
	}
	ns = ns_class(uri);
	if (p->depth == 1) {
		root_element(p, local, ns, attrs, nattrs);
		return;
	}
	if (p->entry_depth) {
		if (p->depth == p->entry_depth + 1) {
			entry_child(p, l, ns, attrs, nattrs);
		} else if (p->author_depth && p->depth == p->author_depth + 1 &&
		           is_atom(p, ns) && strcmp(l, "name") == 0) {
			capture(p, S_AUTHOR, M_RAW);
		}
		return;
	}
	/* entries */
	if (((p->format == F_ATOM || p->format == F_ATOM03) && p->depth == 2 &&
	     is_atom(p, ns) && strcmp(l, "entry") == 0) ||
	    ((p->format == F_RSS || p->format == F_RDF) && ns == N_NONE &&
	     strcmp(l, "item") == 0 &&
	     (p->depth == 2 ||
	      (p->in_chan && p->depth == p->chan_depth + 1)))) {
		entry_begin(p);
		if (p->format == F_RDF) {
			char *about = attr_dup(attrs, nattrs, NS_RDF, "about");

			if (about && *about) {
				if (crawler_buf_add(&p->f[S_ID].b, about,
				                    strlen(about)) != 0)
					fail_nomem(p);
				p->f[S_ID].set = 1;
			}
			free(about);
		}
		return;
	}
	if ((p->format == F_RSS || p->format == F_RDF) && p->depth == 2 &&
	    ns == N_NONE && strcmp(l, "channel") == 0) {
		p->chan_depth = 2;
		p->in_chan = 1;
		return;
	}
	if (p->in_chan && p->depth == p->chan_depth + 1)
		channel_child(p, l, ns, attrs, nattrs);
}

/* The end of a captured field: values that take effect at once. */
static void
capture_end(struct crawl_parser *p)
{
	int slot = p->cap_slot;
	struct field *f = &p->f[slot];
	char *r;

	p->cap_slot = -1;
	if (!has_text(&f->b))
		return;
	f->set = 1;
	switch (slot) {
	case S_LINK:
	case S_CLINK: {
		char *ref = dup_trimmed(f->b.p, f->b.len);

		if (!ref) {
			f->set = 0;
			return;
		}
		r = resolve_link(p, ref, slot == S_LINK);
		free(ref);
		if (!r) {
			fail_nomem(p);
			return;
		}
		crawler_buf_reset(&f->b);
		if (crawler_buf_add(&f->b, r, strlen(r)) != 0)
			fail_nomem(p);
		free(r);
		break;
	}
	case S_CTITLE:
		if (!p->feed_title) {
			p->feed_title = field_text(p, f);
			p->meta.title = p->feed_title;
		}
		break;
	case S_CLANG:
		if (!p->lang_from_element) {
			r = dup_trimmed(f->b.p, f->b.len);
			if (r) {
				free(p->feed_lang);
				p->feed_lang = r;
				p->meta.language = r;
				p->lang_from_element = 1;
			}
		}
		break;
	case S_CTTL:
	case S_CPERIOD:
	case S_CFREQ: compute_ttl(p); break;
	}
	if (slot == S_CLINK && !p->feed_link) {
		if (!(p->feed_link = strdup(f->b.p)))
			fail_nomem(p);
		p->meta.link = p->feed_link;
	}
}

static void
sax_end(void *ud, const xmlChar *local, const xmlChar *prefix,
        const xmlChar *uri)
{
	struct crawl_parser *p = ud;

	(void)prefix;
	(void)uri;
	if (p->stopped || p->depth > p->opts.max_depth) {
		p->depth--;
		return;
	}
	if (p->cap_slot >= 0) {
		if (p->depth == p->cap_depth)
			capture_end(p);
		else
			capture_tag(p, local, 1);
	}
	if (p->entry_depth && p->depth == p->entry_depth)
		entry_emit(p);
	else if (p->author_depth && p->depth == p->author_depth)
		p->author_depth = 0;
	else if (p->in_chan && p->depth == p->chan_depth) {
		p->in_chan = 0;
		/* atom:link alternate is the channel link only without <link>
		 */
		if (p->f[S_CLINK2].set && !p->feed_link) {
			p->feed_link = strdup(p->f[S_CLINK2].b.p);
			p->meta.link = p->feed_link;
		}
	}
	pop_base(p);
	p->depth--;
}

static void
sax_chars(void *ud, const xmlChar *ch, int len)
{
	struct crawl_parser *p = ud;
	struct field *f;

	if (p->cap_slot < 0 || p->stopped || p->depth > p->opts.max_depth)
		return;
	f = &p->f[p->cap_slot];
	if (f->b.truncated || f->mode == M_SKIP)
		return;
	if (f->mode == M_XHTML)
		add_escaped(p, &f->b, (const char *)ch, (size_t)len);
	else if (crawler_buf_add(&f->b, ch, (size_t)len) != 0)
		fail_nomem(p);
}

/* A placeholder of filter_cdata(): the section's contents, as libxml2
 * would have reported them.  Any other processing instruction is ignored. */
static void
sax_pi(void *ud, const xmlChar *target, const xmlChar *data)
{
	struct crawl_parser *p = ud;
	const char *d = (const char *)data;
	unsigned long seq;
	uint64_t hdr[2];
	char *e;

	if (!d || strcmp((const char *)target, "pcmon") != 0 ||
	    strncmp(d, p->nonce, 16) != 0 || d[16] != ' ')
		return;
	seq = strtoul(d + 17, &e, 10);
	while (p->cdq_off + sizeof(hdr) <= p->cdq.len) {
		const char *rec = p->cdq.p + p->cdq_off;

		memcpy(hdr, rec, sizeof(hdr));
		if (hdr[0] > seq)
			break;
		p->cdq_off += sizeof(hdr) + (size_t)hdr[1];
		if (hdr[0] == seq) {
			sax_chars(p, (const xmlChar *)rec + sizeof(hdr),
			          (int)hdr[1]);
			break;
		}
	}
	if (p->cdq_off >= p->cdq.len) {
		crawler_buf_reset(&p->cdq);
		p->cdq_off = 0;
	}
}

/* Entities: nothing declared is stored, nothing external is loaded. */
static xmlEntityPtr
sax_get_entity(void *ud, const xmlChar *name)
{
	(void)ud;
	return xmlGetPredefinedEntity(name);
}

static xmlEntityPtr
sax_get_pe(void *ud, const xmlChar *name)
{
	(void)ud;
	(void)name;
	return NULL;
}

static void
sax_entity_decl(void *ud, const xmlChar *name, int type,
                const xmlChar *public_id, const xmlChar *system_id,
                xmlChar *content)
{
	(void)ud;
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
}

static void
sax_external_subset(void *ud, const xmlChar *name, const xmlChar *ext_id,
                    const xmlChar *system_id)
{
	(void)ud;
	(void)name;
	(void)ext_id;
	(void)system_id;
}

static xmlParserInputPtr
sax_resolve_entity(void *ud, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)ud;
	(void)public_id;
	(void)system_id;
	return NULL;
}

static void
sax_serror(void *ud, xmlErrorPtr e)
{
	struct crawl_parser *p = ud;
	size_t n;
	int n0 = 0;

	if (!e || e->level < XML_ERR_ERROR)
		return;
	p->meta.recovered = 1;
	if (p->meta.first_error)
		return;
	n0 = snprintf(p->first_error, sizeof(p->first_error),
	              "line %d: ", e->line);
	if (n0 < 0 || (size_t)n0 >= sizeof(p->first_error))
		n0 = 0;
	snprintf(p->first_error + n0, sizeof(p->first_error) - (size_t)n0, "%s",
	         e->message ? e->message : "XML error");
	p->first_line = e->line;
	p->first_msg = (size_t)n0;
	n = strlen(p->first_error);
	while (n > 0 && CRAWLER_IS_SPACE(p->first_error[n - 1]))
		p->first_error[--n] = '\0';
	p->meta.first_error = p->first_error;
}

static void
sax_quiet(void *ud, const char *msg, ...)
{
	(void)ud;
	(void)msg;
}

/* ---------------------------------------------------------------------- */
/* the input side: encoding and the prefilter */

static void
xml_push(struct crawl_parser *p, const char *buf, size_t len, int terminate)
{
	while (!p->stopped && (len > 0 || terminate)) {
		int n = len > (1 << 20) ? 1 << 20 : (int)len;

		xmlParseChunk(p->ctxt, buf, n, terminate && (size_t)n == len);
		if (p->ctxt->disableSAX == 2 ||
		    p->ctxt->instate == XML_PARSER_EOF)
			p->stopped = 1;
		buf += n;
		len -= (size_t)n;
		if (len == 0)
			break;
	}
}

/* bytes the prefilter copies untouched, per state */
static unsigned char plain_text[256], plain_cdata[256], plain_comment[256];

static void
init_tables(void)
{
	int c;

	if (plain_text['a'])
		return;
	for (c = 0x20; c < 0x80; c++)
		plain_text[c] = plain_cdata[c] = plain_comment[c] = 1;
	plain_text['\t'] = plain_text['\n'] = plain_text['\r'] = 1;
	plain_cdata['\t'] = plain_cdata['\n'] = plain_cdata['\r'] = 1;
	plain_comment['\t'] = plain_comment['\n'] = plain_comment['\r'] = 1;
	plain_text['&'] = plain_text['<'] = 0;
	plain_cdata[']'] = 0;
	plain_comment['-'] = 0;
}

static int
is_name_start(unsigned char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == ':';
}

static int
is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' ||
	       c == '-';
}

static int
is_xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Writes the text of a decoded reference as XML that means the same. */
static int
out_decoded(struct crawler_buf *o, const char *v, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		const char *e;

		switch (v[i]) {
		case '<': e = "&#60;"; break;
		case '>': e = "&#62;"; break;
		case '&': e = "&#38;"; break;
		case '"': e = "&#34;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		if (crawler_buf_add(o, v + start, i - start) != 0 ||
		    crawler_buf_add(o, e, strlen(e)) != 0)
			return -1;
		start = i + 1;
	}
	return crawler_buf_add(o, v + start, n - start);
}

/*
 * The reference at s[0] == '&', n bytes available.  Returns the bytes
 * consumed, or 0 when more input is needed to decide.
 */
static size_t
filter_ref(struct crawler_buf *o, const char *s, size_t n, int final, int *err)
{
	size_t i = 1;

	*err = 0;
	if (n > 1 && s[1] == '#') {
		uint64_t cp = 0;
		int hex = 0, any = 0;

		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < n && i < REF_MAX; i++) {
			unsigned char c = (unsigned char)s[i];
			int d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else
				break;
			any = 1;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + (uint64_t)d;
		}
		if (i >= n && !final && i < REF_MAX)
			return 0;
		if (any && i < n && s[i] == ';') {
			uint32_t c = crawler_charref_fix(cp);
			char tmp[4];
			size_t k;

			if (c < 0x80 && c != '\t' && c != '\n' && c != '\r' &&
			    (c < 0x20 || strchr("<>&\"'", (int)c))) {
				/* markup characters stay references */
				if (c < 0x20)
					c = 0xfffd;
				else {
					*err = crawler_buf_add(o, s, i + 1);
					return i + 1;
				}
			}
			if (!is_xml_char(c))
				c = 0xfffd;
			k = crawler_utf8_encode(c, tmp);
			*err = crawler_buf_add(o, tmp, k);
			return i + 1;
		}
		*err = crawler_buf_add(o, "&#38;", 5);
		return 1;
	}
	if (n > 1 && is_name_start((unsigned char)s[1])) {
		for (i = 2;
		     i < n && i < REF_MAX && is_name_char((unsigned char)s[i]);
		     i++)
			;
		if (i >= n && !final && i < REF_MAX)
			return 0;
		if (i < n && s[i] == ';') {
			const char *v;
			size_t nl = i - 1;

			/* the common ones without a table search; the same
			 * as out_decoded() of their text */
			if (nl == 2 && s[2] == 't' &&
			    (s[1] == 'l' || s[1] == 'g')) {
				*err = crawler_buf_add(
				        o, s[1] == 'l' ? "&#60;" : "&#62;", 5);
				return i + 1;
			}
			if (nl == 3 && memcmp(s + 1, "amp", 3) == 0) {
				*err = crawler_buf_add(o, "&#38;", 5);
				return i + 1;
			}
			if (nl == 4 && memcmp(s + 1, "quot", 4) == 0) {
				*err = crawler_buf_add(o, "&#34;", 5);
				return i + 1;
			}
			if (nl == 4 && memcmp(s + 1, "apos", 4) == 0) {
				*err = crawler_buf_add(o, "&#39;", 5);
				return i + 1;
			}
			/* the predefined ones are in the HTML5 table too */
			if ((v = crawler_entity_find(s + 1, nl + 1))) {
				*err = out_decoded(o, v, strlen(v));
				return i + 1;
			}
			/* unknown: kept as literal text */
			if (crawler_buf_add(o, "&#38;", 5) != 0 ||
			    crawler_buf_add(o, s + 1, i) != 0)
				*err = -1;
			return i + 1;
		}
	} else if (n == 1 && !final) {
		return 0;
	}
	*err = crawler_buf_add(o, "&#38;", 5);
	return 1;
}

/*
 * The end of the run from s[i] that passes the prefilter unchanged: bytes of
 * tbl, valid UTF-8 other than U+FFFE and U+FFFF, and in text a '<' not
 * followed by '!' (tags are the common case of '<': no lookahead needed).
 * Multi-byte characters stay inside the run, so text in any script is one
 * copy, not one call per character.
 */
#ifdef __SSE2__
/*
 * How many of the 16 bytes at s pass unchanged, as plain_run() decides, but
 * 16 at a time: a bit per byte for each class, then the first byte that is a
 * stop, a control character, a stray continuation byte or the lead of a
 * sequence that is invalid or not complete within the 16.  Leads E0, ED and
 * 2-byte ones are checked here; EF (U+FFFE, U+FFFF) and 4-byte leads are
 * left to the scalar code, as is any sequence cut by the end of the block.
 */
static inline unsigned int
plain_block(const unsigned char *s, __m128i stop, int text)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)s);
	unsigned int hi, ctl, stp, cont, l2, l3, req, gea0, err;

	hi = (unsigned int)_mm_movemask_epi8(v);
	/* signed compares: bytes >= 0x80 are negative */
	ctl = (unsigned int)_mm_movemask_epi8(_mm_andnot_si128(
	              _mm_or_si128(
	                      _mm_or_si128(
	                              _mm_cmpeq_epi8(v, _mm_set1_epi8(9)),
	                              _mm_cmpeq_epi8(v, _mm_set1_epi8(10))),
	                      _mm_cmpeq_epi8(v, _mm_set1_epi8(13))),
	              _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)))) &
	      ~hi;
	stp = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, stop));
	if (text)
		stp |= (unsigned int)_mm_movemask_epi8(
		        _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
	if (!(hi | ctl | stp))
		return 16;
	/* 80-BF */
	cont = (unsigned int)_mm_movemask_epi8(
	        _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xc0)));
	/* C2-DF */
	l2 = (unsigned int)_mm_movemask_epi8(
	        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xc1)),
	                      _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xe0))));
	/* E0-EF */
	l3 = (unsigned int)_mm_movemask_epi8(
	        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xdf)),
	                      _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xf0))));
	/* A0-BF */
	gea0 = (unsigned int)_mm_movemask_epi8(
	               _mm_cmpgt_epi8(v, _mm_set1_epi8((char)0x9f))) &
	       cont;
	req = (l2 << 1) | (l3 << 1) | (l3 << 2);
	err = ctl | stp;
	err |= hi & ~cont & ~l2 & ~l3;            /* C0, C1, F0-FF */
	err |= cont & ~req;                       /* stray continuation */
	err |= l2 & ~(cont >> 1);                 /* cut or invalid 2-byte */
	err |= l3 & ~((cont >> 1) & (cont >> 2)); /* cut or invalid 3-byte */
	err |= (unsigned int)_mm_movemask_epi8(
	               _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xe0))) &
	       ~(gea0 >> 1); /* overlong */
	err |= (unsigned int)_mm_movemask_epi8(
	               _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xed))) &
	       (gea0 >> 1); /* surrogate */
	err |= (unsigned int)_mm_movemask_epi8(
	        _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xef)));
	err &= 0xffff;
	return err ? (unsigned int)__builtin_ctz(err) : 16;
}
#endif

/*
 * The end of the run from s[i] that passes the prefilter unchanged: bytes of
 * tbl, valid UTF-8 other than U+FFFE and U+FFFF, and in text a '<' not
 * followed by '!' (tags are the common case of '<': no lookahead needed).
 * Multi-byte characters stay inside the run, so text in any script is one
 * copy, not one call per character.
 */
/* ---------------------------------------------------------------------- */
/*
 * The CDATA bypass.  libxml2's push parser reads a CDATA section three times
 * byte by byte (looking for "]]>", checking UTF-8, counting lines), and RSS
 * puts most of its bytes there.  When the filter sees a whole section in
 * element content, it keeps the (filtered) contents aside and hands libxml2
 * a processing instruction instead: "<?pcmon NONCE SEQ" with as many line
 * feeds as the section had, so line numbers stay right.  sax_pi() then
 * passes the contents to sax_chars() where the section would have been
 * reported: same text, same place, same order.
 *
 * "In element content" is what a small tracker of the markup says; it knows
 * tags, end tags and processing instructions, and gives up (trk_off) on
 * anything it does not know exactly, like a DOCTYPE or a malformed tag, so
 * a bypassed section is always one that libxml2 would have reported as a
 * CDATA section inside an element.  Sections it is unsure of, or that are
 * not whole in the input at hand, go through libxml2 as before.
 */
#define TRK_LOOK  4096      /* longest tag or PI the tracker waits for */
#define CDATA_MAX (1 << 20) /* longest section bypassed */

/* The first pat[0..m) in s[0..n), or NULL (memmem() is not POSIX). */
static const void *
find_seq(const void *s, size_t n, const char *pat, size_t m)
{
	const unsigned char *b = s, *e = b + n, *c;

	while (m <= (size_t)(e - b) &&
	       (c = memchr(b, pat[0], (size_t)(e - b) - m + 1)) != NULL) {
		if (memcmp(c, pat, m) == 0)
			return c;
		b = c + 1;
	}
	return NULL;
}

/* How many '\n' in s[0..n). */
static size_t
count_lf(const char *s, size_t n)
{
	size_t k = 0, c = 0;

#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();

	while (k + 16 <= n) {
		/* per-byte counts (up to 255 blocks), then summed */
		__m128i acc = zero, sum;
		size_t b;

		for (b = 0; b < 255 && k + 16 <= n; b++, k += 16)
			acc = _mm_sub_epi8(
			        acc,
			        _mm_cmpeq_epi8(_mm_loadu_si128((
			                               const __m128i *)(s + k)),
			                       lf));
		sum = _mm_sad_epu8(acc, zero);
		c += (size_t)_mm_cvtsi128_si32(sum) +
		     (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
	}
#endif
	for (; k < n; k++)
		c += s[k] == '\n';
	return c;
}

static int
trk_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The markup at s[i] == '<' (not "<!") ends before n: -1 to wait. */
static int
trk_more(struct crawl_parser *p, size_t avail, int final)
{
	if (!final && avail < TRK_LOOK)
		return -1;
	p->trk_off = 1;
	return 0;
}

/* Follows the tag or PI at s[i] == '<'; returns -1 when it is cut by the
 * end of the input and more may come, 1 after a tag, else 0. */
static int
trk_markup(struct crawl_parser *p, const unsigned char *s, size_t i, size_t n,
           int final)
{
	size_t lim = n - i > TRK_LOOK ? i + TRK_LOOK : n, k = i + 1, ws;
	int closing;
	unsigned char q;

	if (s[k] == '?') {
		const unsigned char *e =
		        k + 1 < lim ? find_seq(s + k + 1, lim - k - 1, "?>", 2)
		                    : NULL;

		if (!e)
			return trk_more(p, n - i, final);
		p->trk_skip = (size_t)(e - s) + 2;
		return 0;
	}
	closing = s[k] == '/';
	if (closing)
		k++;
	if (k >= lim)
		return trk_more(p, n - i, final);
	if (!is_name_start(s[k]))
		goto off;
	while (k < lim && is_name_char(s[k]))
		k++;
	for (;;) {
		ws = k;
		while (k < lim && trk_is_space(s[k]))
			k++;
		if (k >= lim)
			return trk_more(p, n - i, final);
		if (s[k] == '>') {
			if (closing) {
				if (p->trk_depth == 0)
					goto off;
				p->trk_depth--;
			} else {
				p->trk_depth++;
			}
			p->trk_skip = k + 1;
			return 1;
		}
		if (closing)
			goto off;
		if (s[k] == '/') {
			if (k + 1 >= lim)
				return trk_more(p, n - i, final);
			if (s[k + 1] != '>')
				goto off;
			p->trk_skip = k + 2;
			return 1;
		}
		/* an attribute: whitespace, name, '=', quoted value */
		if (k == ws || !is_name_start(s[k]))
			goto off;
		while (k < lim && is_name_char(s[k]))
			k++;
		while (k < lim && trk_is_space(s[k]))
			k++;
		if (k >= lim)
			return trk_more(p, n - i, final);
		if (s[k] != '=')
			goto off;
		k++;
		while (k < lim && trk_is_space(s[k]))
			k++;
		if (k >= lim)
			return trk_more(p, n - i, final);
		q = s[k];
		if (q != '"' && q != '\'')
			goto off;
		k++;
		while (k < lim && s[k] != q && s[k] != '<')
			k++;
		if (k >= lim)
			return trk_more(p, n - i, final);
		if (s[k] == '<')
			goto off;
		k++;
	}
off:
	p->trk_off = 1;
	return 0;
}

static size_t
plain_run(struct crawl_parser *p, const unsigned char *s, size_t i, size_t n,
          const unsigned char *tbl, int text, int final)
{
#ifdef __SSE2__
	const __m128i stop = _mm_set1_epi8((char)(tbl == plain_text    ? '&'
	                                          : tbl == plain_cdata ? ']'
	                                                               : '-'));
#endif

	while (i < n) {
		unsigned char c;
		int k;

#ifdef __SSE2__
		while (n - i >= 16) {
			unsigned int m = plain_block(s + i, stop, text);

			i += m;
			if (m < 16)
				break;
		}
		if (i >= n)
			break;
#endif
		c = s[i];
		if (tbl[c]) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c < 0xe0) {
			if (i + 1 < n && (s[i + 1] & 0xc0) == 0x80) {
				i += 2;
				continue;
			}
			break;
		}
		if (c >= 0xe0) {
			k = crawler_utf8_seq(s + i, n - i);
			if (k <= 0 ||
			    (c == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe))
				break;
			i += (size_t)k;
			continue;
		}
		if (c == '<' && text && i + 1 < n && s[i + 1] != '!') {
			if (p->txt_active) {
				p->txt_stop = 1; /* filter_text() first */
				break;
			}
			if (!p->trk_off && i >= p->trk_skip) {
				int r = trk_markup(p, s, i, n, final);

				if (r < 0) {
					p->trk_wait = 1;
					break;
				}
				if (r > 0 && !p->trk_off && p->trk_depth > 0 &&
				    plain_run(p, s, i + 1, p->trk_skip,
				              plain_text, 0,
				              1) == p->trk_skip) {
					/* a tag the filter leaves as it is, and
					 * element text may follow */
					p->txt_new = 1;
					i = p->trk_skip;
					break;
				}
			}
			i++;
			continue;
		}
		break;
	}
	return i;
}

/* The contents of a CDATA section as the filter would pass them: bad
 * UTF-8, U+FFFE, U+FFFF and control characters become U+FFFD. */
static int
cdata_copy(struct crawl_parser *p, struct crawler_buf *o,
           const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = plain_run(p, s, i, n, plain_cdata, 0, 1);

		if (j > i && crawler_buf_add(o, s + i, j - i) != 0)
			return -1;
		i = j;
		if (i >= n)
			break;
		if (s[i] == ']' || s[i] == '-') {
			if (crawler_buf_addc(o, (char)s[i]) != 0)
				return -1;
		} else {
			int k = s[i] >= 0x80 ? crawler_utf8_seq(s + i, n - i)
			                     : 0;

			if (k > 0 && !(k == 3 && s[i] == 0xef &&
			               s[i + 1] == 0xbf && s[i + 2] >= 0xbe)) {
				if (crawler_buf_add(o, s + i, (size_t)k) != 0)
					return -1;
				i += (size_t)k;
				continue;
			}
			if (crawler_buf_add(o, "\xef\xbf\xbd", 3) != 0)
				return -1;
		}
		i++;
	}
	return 0;
}

/* Writes "<?pcmon NONCE SEQ" to pi (64 bytes); returns its length.  By
 * hand: snprintf() here cost more than the rest of the placeholder. */
static int
placeholder_start(char pi[64], const char *nonce, unsigned long seq)
{
	char d[24];
	int n = 0, k = 0;

	memcpy(pi, "<?pcmon ", 8);
	memcpy(pi + 8, nonce, 16);
	pi[24] = ' ';
	do
		d[k++] = (char)('0' + seq % 10);
	while ((seq /= 10) != 0);
	while (k > 0)
		pi[25 + n++] = d[--k];
	return 25 + n;
}

/*
 * The CDATA section at s[i] ("<![CDATA["): when it is whole in s[0..n) and
 * the tracker knows it is in element content, its contents are kept aside
 * and a placeholder goes to fout.  Returns the bytes consumed, 0 when the
 * section goes through libxml2 as usual.
 */
static size_t
filter_cdata(struct crawl_parser *p, const char *s, size_t i, size_t n,
             int *err)
{
	const char *b = s + i + 9, *e;
	size_t len, nl = 0, rec, k;
	unsigned long seq;
	uint64_t hdr[2];
	char pi[64];
	int pl;

	if (p->trk_off || p->trk_depth == 0 || i < p->trk_skip || p->stopped)
		return 0;
	e = find_seq(b, n - i - 9, "]]>", 3);
	if (!e || (len = (size_t)(e - b)) > CDATA_MAX)
		return 0;
	nl = count_lf(b, len);
	seq = p->cd_seq++;
	rec = p->cdq.len;
	hdr[0] = seq;
	hdr[1] = 0;
	if (crawler_buf_add(&p->cdq, hdr, sizeof(hdr)) != 0 ||
	    cdata_copy(p, &p->cdq, (const unsigned char *)b, len) != 0)
		goto nomem;
	hdr[1] = p->cdq.len - rec - sizeof(hdr);
	memcpy(p->cdq.p + rec, hdr, sizeof(hdr));
	pl = placeholder_start(pi, p->nonce, seq);
	if (crawler_buf_add(&p->fout, pi, (size_t)pl) != 0)
		goto nomem;
	for (k = 0; k < nl; k++)
		if (crawler_buf_addc(&p->fout, '\n') != 0)
			goto nomem;
	if (crawler_buf_add(&p->fout, "?>", 2) != 0)
		goto nomem;
	return (size_t)(e + 3 - (s + i));
nomem:
	*err = -1;
	return 0;
}

/* Has s[0..n) a byte >= 0x80? */
static int
has_high(const char *s, size_t n)
{
	size_t k = 0;

#ifdef __SSE2__
	for (; k + 16 <= n; k += 16)
		if (_mm_movemask_epi8(
		            _mm_loadu_si128((const __m128i *)(s + k))))
			return 1;
#endif
	for (; k < n; k++)
		if ((unsigned char)s[k] >= 0x80)
			return 1;
	return 0;
}

/*
 * The text bypass: element text from a tag to the next '<', whole in this
 * input, as filtered into fout[txt_fout..].  When libxml2 would spend more
 * on it than on a placeholder (references, non-ASCII, long), it goes the
 * way of filter_cdata(): its character references decoded here (the filter
 * leaves only references to '<', '>', '&', '"' and '\''), a placeholder in
 * its place.  Text with CR (libxml2 turns CR LF into LF) or "]]>" (an error
 * for libxml2) stays as it is.
 */
static int
filter_text(struct crawl_parser *p)
{
	struct crawler_buf *o = &p->fout;
	const char *t = o->p + p->txt_fout, *amp;
	size_t len = o->len - p->txt_fout, rec, nl, k;
	unsigned long seq;
	uint64_t hdr[2];
	char pi[64];
	int pl;

	p->txt_active = 0;
	if (len < 16 || len > CDATA_MAX || p->stopped)
		return 0;
	amp = memchr(t, '&', len);
	if (!amp && len < 512 && !has_high(t, len))
		return 0;
	if (memchr(t, '\r', len) || find_seq(t, len, "]]>", 3))
		return 0;
	nl = count_lf(t, len);
	seq = p->cd_seq++;
	rec = p->cdq.len;
	hdr[0] = seq;
	hdr[1] = 0;
	if (crawler_buf_add(&p->cdq, hdr, sizeof(hdr)) != 0)
		return -1;
	while (amp) {
		/* "&#" digits ';' or "&#x" hex digits ';' */
		const char *r = amp + 2, *end = t + len;
		int hex = 0;
		unsigned long v = 0;
		char ch;

		if (crawler_buf_add(&p->cdq, t, (size_t)(amp - t)) != 0)
			return -1;
		if (*r == 'x' || *r == 'X') {
			hex = 1;
			r++;
		}
		for (; r < end && *r != ';'; r++) {
			int d = *r >= '0' && *r <= '9' ? *r - '0'
			                               : (*r | 0x20) - 'a' + 10;

			if (v < 0x110000)
				v = v * (hex ? 16 : 10) + (unsigned long)d;
		}
		ch = (char)v;
		if (crawler_buf_addc(&p->cdq, ch) != 0)
			return -1;
		t = r + 1;
		len = (size_t)(end - t);
		amp = memchr(t, '&', len);
	}
	if (crawler_buf_add(&p->cdq, t, len) != 0)
		return -1;
	hdr[1] = p->cdq.len - rec - sizeof(hdr);
	memcpy(p->cdq.p + rec, hdr, sizeof(hdr));
	o->len = p->txt_fout;
	pl = placeholder_start(pi, p->nonce, seq);
	if (crawler_buf_add(o, pi, (size_t)pl) != 0)
		return -1;
	for (k = 0; k < nl; k++)
		if (crawler_buf_addc(o, '\n') != 0)
			return -1;
	return crawler_buf_add(o, "?>", 2);
}

/*
 * Filters s[0..n) into p->fout; returns the bytes consumed (the rest waits
 * for more input unless final).
 */
static size_t
filter_run(struct crawl_parser *p, const char *s, size_t n, int final)
{
	struct crawler_buf *o = &p->fout;
	size_t i = 0;
	int err = 0;

	p->trk_skip = 0;
	p->trk_wait = 0;
	p->txt_active = 0;
	p->txt_new = 0;
	p->txt_stop = 0;
	while (i < n && !err) {
		const unsigned char *tbl = p->fstate == FS_TEXT ? plain_text
		                           : p->fstate == FS_CDATA
		                                   ? plain_cdata
		                                   : plain_comment;
		unsigned char c = (unsigned char)s[i];
		size_t j = plain_run(p, (const unsigned char *)s, i, n, tbl,
		                     p->fstate == FS_TEXT, final);

		int moved = j > i;

		if (moved) {
			err = crawler_buf_add(o, s + i, j - i);
			i = j;
		}
		if (p->trk_wait)
			break; /* a tag cut by the end of the input: wait */
		if (p->txt_new) {
			p->txt_new = 0;
			p->txt_active = 1;
			p->txt_fout = o->len;
			continue;
		}
		if (p->txt_stop) {
			p->txt_stop = 0;
			if (!err)
				err = filter_text(p);
			continue;
		}
		if (moved)
			continue;
		if (c >= 0x80) {
			int k = crawler_utf8_seq((const unsigned char *)s + i,
			                         n - i);

			if (k < 0 && !final)
				break;
			if (k > 0 && !(k == 3 && c == 0xef &&
			               (unsigned char)s[i + 1] == 0xbf &&
			               (unsigned char)s[i + 2] >= 0xbe)) {
				err = crawler_buf_add(o, s + i, (size_t)k);
				i += (size_t)k;
			} else {
				err = crawler_buf_add(o, "\xef\xbf\xbd", 3);
				i++;
			}
			continue;
		}
		if (c < 0x20) { /* NUL and C0 controls but tab, LF, CR */
			err = crawler_buf_add(o, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		if (c == '&') {
			size_t used = filter_ref(o, s + i, n - i, final, &err);

			if (used == 0)
				break;
			i += used;
			continue;
		}
		if (c == '<') {
			if (p->txt_active && (err = filter_text(p)) != 0)
				break;
			if (n - i < 9 && !final)
				break;
			if (i < p->trk_skip ||
			    (i + 1 < n && s[i + 1] == '!' &&
			     (n - i < 4 || memcmp(s + i, "<!--", 4) != 0) &&
			     (n - i < 9 || memcmp(s + i, "<![CDATA[", 9) != 0)))
				p->trk_off = 1; /* inside a PI, a DOCTYPE */
			if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				p->fstate = FS_COMMENT;
				err = crawler_buf_add(o, s + i, 4);
				i += 4;
			} else if (n - i >= 9 &&
			           memcmp(s + i, "<![CDATA[", 9) == 0) {
				size_t used = filter_cdata(p, s, i, n, &err);

				if (used) {
					i += used;
					continue;
				}
				p->fstate = FS_CDATA;
				err = err ? err : crawler_buf_add(o, s + i, 9);
				i += 9;
			} else {
				err = crawler_buf_addc(o, '<');
				i++;
			}
			continue;
		}
		/* ']' in CDATA, '-' in a comment */
		if (n - i < 3 && !final)
			break;
		if (n - i >= 3 &&
		    ((c == ']' && s[i + 1] == ']' && s[i + 2] == '>') ||
		     (c == '-' && s[i + 1] == '-' && s[i + 2] == '>'))) {
			p->fstate = FS_TEXT;
			err = crawler_buf_add(o, s + i, 3);
			i += 3;
			continue;
		}
		err = crawler_buf_addc(o, (char)c);
		i++;
	}
	if (err)
		fail_nomem(p);
	return i;
}

/* UTF-8 text in; filtered and handed to libxml2. */
static void
filter_feed(struct crawl_parser *p, const char *s, size_t n, int final)
{
	size_t used;

	crawler_buf_reset(&p->fout);
	if (p->fcarry.len) {
		if (crawler_buf_add(&p->fcarry, s, n) != 0) {
			fail_nomem(p);
			return;
		}
		used = filter_run(p, p->fcarry.p, p->fcarry.len, final);
		memmove(p->fcarry.p, p->fcarry.p + used, p->fcarry.len - used);
		p->fcarry.len -= used;
	} else {
		used = filter_run(p, s, n, final);
		if (used < n &&
		    crawler_buf_add(&p->fcarry, s + used, n - used) != 0) {
			fail_nomem(p);
			return;
		}
	}
	if (p->rc)
		return;
	if (p->fout.len || final)
		xml_push(p, crawler_buf_str(&p->fout), p->fout.len, final);
	if (p->stopped || final) {
		/* nobody will ask for these any more */
		crawler_buf_release(&p->cdq);
		p->cdq_off = 0;
	}
}

/*
 * windows-1252 (and the Latin-1 and ASCII labels mapped to it) without
 * iconv: a table, byte for byte what glibc's converter gives, U+FFFD for
 * the five bytes it does not know (0x81, 0x8D, 0x8F, 0x90, 0x9D).
 */
static void
decode_1252(struct crawl_parser *p, const char *str, size_t n, int final)
{
	/* clang-format off */
	static const uint16_t hi[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
	};
	/* clang-format on */
	const unsigned char *s = (const unsigned char *)str;
	struct crawler_buf *c = &p->conv;
	size_t i = 0;
	char *o;

	crawler_buf_reset(c);
	/* at most 3 bytes out per byte in */
	if (n > (((size_t)-1) - 16) / 3 || crawler_buf_add(c, NULL, 0) != 0) {
		fail_nomem(p);
		return;
	}
	if (c->cap < n * 3 + 1) {
		char *np = realloc(c->p, n * 3 + 1);

		if (!np) {
			fail_nomem(p);
			return;
		}
		c->p = np;
		c->cap = n * 3 + 1;
	}
	o = c->p;
	while (i < n) {
		unsigned int b = s[i++];
		uint32_t cp;

		if (b < 0x80) {
			*o++ = (char)b;
			continue;
		}
		cp = b < 0xa0 ? hi[b - 0x80] : b;
		o += crawler_utf8_encode(cp, o);
	}
	c->len = (size_t)(o - c->p);
	c->p[c->len] = '\0';
	filter_feed(p, c->p, c->len, final);
}

/* Bytes in the document's encoding; converted with iconv when needed. */
static void
decode_feed(struct crawl_parser *p, const char *s, size_t n, int final)
{
	char *in, *out;
	size_t inleft, outleft;

	if (p->w1252) {
		decode_1252(p, s, n, final);
		return;
	}
	if (p->cd == (iconv_t)-1) {
		filter_feed(p, s, n, final);
		return;
	}
	if (crawler_buf_add(&p->icarry, s, n) != 0) {
		fail_nomem(p);
		return;
	}
	in = p->icarry.p ? p->icarry.p : (char *)"";
	inleft = p->icarry.len;
	crawler_buf_reset(&p->conv);
	while (inleft > 0) {
		size_t r, before;

		if (p->conv.cap - p->conv.len < inleft * 4 + 16) {
			/* make room: grow once, then convert into it */
			size_t want = p->conv.len + inleft * 4 + 16;

			before = p->conv.len;
			if (crawler_buf_add(&p->conv, NULL, 0) != 0)
				goto nomem;
			if (p->conv.cap < want + 1) {
				char *np = realloc(p->conv.p, want + 1);

				if (!np)
					goto nomem;
				p->conv.p = np;
				p->conv.cap = want + 1;
			}
			p->conv.len = before;
		}
		out = p->conv.p + p->conv.len;
		outleft = p->conv.cap - p->conv.len - 1;
		r = iconv(p->cd, &in, &inleft, &out, &outleft);
		p->conv.len = (size_t)(out - p->conv.p);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !final)
			break; /* a sequence cut by the chunk: wait */
		/* invalid or truncated input: U+FFFD, skip a byte */
		if (crawler_buf_add(&p->conv, "\xef\xbf\xbd", 3) != 0)
			goto nomem;
		in++;
		inleft--;
	}
	if (inleft && in != p->icarry.p)
		memmove(p->icarry.p, in, inleft);
	p->icarry.len = inleft;
	filter_feed(p, crawler_buf_str(&p->conv), p->conv.len, final);
	return;
nomem:
	fail_nomem(p);
}

/* Maps a charset label to the iconv name we use; NULL for UTF-8.  The
 * Latin-1 and the Chinese and Japanese labels get the supersets browsers
 * use, since feeds mislabel those all the time. */
static const char *
charset_name(const char *label, size_t n)
{
	static const struct {
		const char *label, *iconv;
	} map[] = {
		{ "utf-8", NULL },
		{ "utf8", NULL },
		{ "unicode-1-1-utf-8", NULL },
		{ "iso-8859-1", "WINDOWS-1252" },
		{ "iso8859-1", "WINDOWS-1252" },
		{ "iso_8859-1", "WINDOWS-1252" },
		{ "latin1", "WINDOWS-1252" },
		{ "l1", "WINDOWS-1252" },
		{ "us-ascii", "WINDOWS-1252" },
		{ "ascii", "WINDOWS-1252" },
		{ "windows-1252", "WINDOWS-1252" },
		{ "cp1252", "WINDOWS-1252" },
		{ "gb2312", "GB18030" },
		{ "gbk", "GB18030" },
		{ "x-gbk", "GB18030" },
		{ "gb18030", "GB18030" },
		{ "chinese", "GB18030" },
		{ "shift_jis", "CP932" },
		{ "shift-jis", "CP932" },
		{ "sjis", "CP932" },
		{ "x-sjis", "CP932" },
		{ "ms_kanji", "CP932" },
		{ "windows-31j", "CP932" },
		{ "cp932", "CP932" },
		{ "euc-kr", "CP949" },
		/* a UTF-16/32 label on ASCII-compatible bytes is a lie */
		{ "utf-16", NULL },
		{ "utf-16le", NULL },
		{ "utf-16be", NULL },
		{ "utf-32", NULL },
	};
	static char other[64];
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (crawler_word_eq(label, n, map[i].label))
			return map[i].iconv;
	if (n == 0 || n >= sizeof(other))
		return NULL;
	/* anything else iconv may know; the label is checked by iconv_open */
	for (i = 0; i < n; i++) {
		char c = label[i];

		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' &&
		    c != '.' && c != ':')
			return NULL;
	}
	return "";
}

static void
open_iconv(struct crawl_parser *p, const char *label, size_t n)
{
	const char *name = charset_name(label, n);
	char buf[64];

	if (!name)
		return;
	if (strcmp(name, "WINDOWS-1252") == 0) {
		p->w1252 = 1;
		return;
	}
	if (!*name) {
		memcpy(buf, label, n);
		buf[n] = '\0';
		name = buf;
	}
	p->cd = iconv_open("UTF-8", name);
}

/* Finds encoding="..." in the XML declaration at s[0..n). */
static const char *
decl_encoding(const char *s, size_t n, size_t *len)
{
	size_t i, end;

	for (end = 5; end + 1 < n; end++)
		if (s[end] == '?' && s[end + 1] == '>')
			break;
	for (i = 5; i + 8 < end; i++) {
		if (memcmp(s + i, "encoding", 8) == 0) {
			size_t k = i + 8;
			char q;

			while (k < end && CRAWLER_IS_SPACE(s[k]))
				k++;
			if (k >= end || s[k] != '=')
				return NULL;
			k++;
			while (k < end && CRAWLER_IS_SPACE(s[k]))
				k++;
			if (k >= end || (s[k] != '"' && s[k] != '\''))
				return NULL;
			q = s[k++];
			i = k;
			while (k < end && s[k] != q)
				k++;
			if (k >= end)
				return NULL;
			*len = k - i;
			return s + i;
		}
	}
	return NULL;
}

/*
 * Decides the encoding from the first bytes: a BOM, the XML declaration,
 * then opts->charset, else UTF-8.  Returns the bytes of head to skip (the
 * BOM), or -1 when more input is needed.
 */
static long
sniff(struct crawl_parser *p, int final)
{
	const unsigned char *s =
	        (const unsigned char *)crawler_buf_str(&p->head);
	size_t n = p->head.len, skip = 0, ws = 0, el;
	const char *enc;

	if (n < 4 && !final)
		return -1;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		skip = 3;
	} else if (n >= 4 && s[0] == 0xff && s[1] == 0xfe && s[2] == 0 &&
	           s[3] == 0) {
		p->cd = iconv_open("UTF-8", "UTF-32LE");
		return 4;
	} else if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xfe &&
	           s[3] == 0xff) {
		p->cd = iconv_open("UTF-8", "UTF-32BE");
		return 4;
	} else if (n >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		p->cd = iconv_open("UTF-8", "UTF-16LE");
		return 2;
	} else if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		p->cd = iconv_open("UTF-8", "UTF-16BE");
		return 2;
	} else if (n >= 4 && s[0] == '<' && s[1] == 0 && s[2] == '?' &&
	           s[3] == 0) {
		p->cd = iconv_open("UTF-8", "UTF-16LE");
		return 0;
	} else if (n >= 4 && s[0] == 0 && s[1] == '<' && s[2] == 0 &&
	           s[3] == '?') {
		p->cd = iconv_open("UTF-8", "UTF-16BE");
		return 0;
	}
	/* ASCII-compatible: look for the declaration */
	while (skip + ws < n && CRAWLER_IS_SPACE(s[skip + ws]))
		ws++;
	if (n - skip - ws < 6 && !final)
		return -1;
	if (n - skip - ws >= 5 && memcmp(s + skip + ws, "<?xml", 5) == 0) {
		const char *d = (const char *)s + skip + ws;
		size_t dl = n - skip - ws;

		size_t k;

		for (k = 0; k + 1 < dl && !(d[k] == '?' && d[k + 1] == '>');
		     k++)
			;
		if (k + 1 >= dl && !final && n < SNIFF_MAX)
			return -1;
		if (skip == 0 && (enc = decl_encoding(d, dl, &el)) != NULL) {
			open_iconv(p, enc, el);
			return (long)(skip + ws);
		}
		skip += ws;
	}
	if (skip == 0 && p->opts.charset)
		open_iconv(p, p->opts.charset, strlen(p->opts.charset));
	return (long)skip;
}

/* ---------------------------------------------------------------------- */
/* the public API */

int
crawler_parser_create(const struct crawl_parse_opts *opts,
                      struct crawl_parser **out)
{
	struct crawl_parser *p;
	xmlSAXHandler sax;
	int i;

	*out = NULL;
	if (!opts)
		return CRAWL_ERR_USAGE;
	p = calloc(1, sizeof(*p));
	if (!p)
		return CRAWL_ERR_NOMEM;
	p->opts = *opts;
	if (!p->opts.max_depth)
		p->opts.max_depth = DEFAULT_MAX_DEPTH;
	if (!p->opts.max_field)
		p->opts.max_field = DEFAULT_MAX_FIELD;
	p->cd = (iconv_t)-1;
	p->cap_slot = -1;
	for (i = 0; i < S_COUNT; i++)
		crawler_buf_init(&p->f[i].b, p->opts.max_field);
	crawler_buf_init(&p->head, 0);
	crawler_buf_init(&p->icarry, 0);
	crawler_buf_init(&p->conv, 0);
	crawler_buf_init(&p->fcarry, 0);
	crawler_buf_init(&p->fout, 0);
	crawler_buf_init(&p->cdq, 0);
	/* not a secret: only makes a document's own "<?pcmon ...?>" unlikely
	 * to be taken for a placeholder */
	snprintf(p->nonce, sizeof(p->nonce), "%08lx%08lx",
	         (unsigned long)((uintptr_t)p & 0xffffffffu),
	         (unsigned long)(((unsigned long)time(NULL) ^
	                          (unsigned long)clock()) &
	                         0xffffffffu));
	init_tables();
	xmlInitParser();

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_chars;
	sax.ignorableWhitespace = sax_chars;
	sax.cdataBlock = sax_chars;
	sax.processingInstruction = sax_pi;
	sax.getEntity = sax_get_entity;
	sax.getParameterEntity = sax_get_pe;
	sax.entityDecl = sax_entity_decl;
	sax.externalSubset = sax_external_subset;
	sax.resolveEntity = sax_resolve_entity;
	sax.serror = sax_serror;
	sax.warning = sax_quiet;
	sax.error = sax_quiet;
	sax.fatalError = sax_quiet;

	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
	if (!p->ctxt) {
		crawler_parser_free(p);
		return CRAWL_ERR_NOMEM;
	}
	xmlCtxtUseOptions(p->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	                                   XML_PARSE_NOWARNING |
	                                   XML_PARSE_NOERROR |
	                                   XML_PARSE_IGNORE_ENC);
	/* we hand libxml2 UTF-8, whatever the declaration says */
	xmlSwitchEncoding(p->ctxt, XML_CHAR_ENCODING_UTF8);
	*out = p;
	return CRAWL_OK;
}

static int
report(struct crawl_parser *p, char *err, size_t errsz)
{
	if (p->rc == CRAWL_ERR_NOMEM)
		set_err(err, errsz, "out of memory");
	else if (p->rc == CRAWL_ERR_ABORTED)
		set_err(err, errsz, "parse stopped by the caller");
	else if (p->rc == CRAWL_ERR_NOT_FEED)
		set_err(err, errsz, "%s", p->errmsg);
	return p->rc;
}

static void
not_feed_check(struct crawl_parser *p)
{
	if (p->format == F_NOT_FEED && !p->rc) {
		p->rc = CRAWL_ERR_NOT_FEED;
		snprintf(p->errmsg, sizeof(p->errmsg),
		         "line %ld: not a feed (root element <%s>)",
		         p->root_line, p->root_name);
	}
}

int
crawler_parser_feed(struct crawl_parser *p, const char *buf, size_t len,
                    char *err, size_t errsz)
{
	if (!p || p->finished)
		return CRAWL_ERR_USAGE;
	if (p->rc)
		return report(p, err, errsz);
	if (p->stopped)
		return CRAWL_OK; /* a limit was hit: the rest is not needed */
	if (!p->nonblank) {
		size_t i;

		for (i = 0; i < len && !p->nonblank; i++)
			p->nonblank = !CRAWLER_IS_SPACE(buf[i]);
	}
	if (!p->sniffed) {
		long skip;

		if (crawler_buf_add(&p->head, buf, len) != 0) {
			fail_nomem(p);
			return report(p, err, errsz);
		}
		skip = sniff(p, 0);
		if (skip < 0)
			return CRAWL_OK;
		p->sniffed = 1;
		decode_feed(p, p->head.p + skip, p->head.len - (size_t)skip, 0);
		crawler_buf_release(&p->head);
	} else {
		decode_feed(p, buf, len, 0);
	}
	not_feed_check(p);
	return report(p, err, errsz);
}

int
crawler_parser_finish(struct crawl_parser *p, char *err, size_t errsz)
{
	if (!p)
		return CRAWL_ERR_USAGE;
	if (p->finished)
		return p->rc;
	p->finished = 1;
	if (!p->rc && !p->stopped) {
		if (!p->sniffed) {
			long skip = sniff(p, 1);

			if (skip < 0)
				skip = 0;
			p->sniffed = 1;
			decode_feed(p, crawler_buf_str(&p->head) + skip,
			            p->head.len - (size_t)skip, 1);
		} else {
			decode_feed(p, NULL, 0, 1);
		}
	}
	/* an entry cut by the end of a truncated document still counts */
	if (!p->rc && p->entry_depth && p->meta.recovered &&
	    (!p->opts.max_items || p->meta.items < p->opts.max_items)) {
		if (p->cap_slot >= 0)
			capture_end(p);
		entry_emit(p);
	}
	not_feed_check(p);
	if (p->rc)
		return report(p, err, errsz);
	if (p->format == F_NONE) {
		if (!p->nonblank)
			set_err(err, errsz, "not a feed (empty document)");
		else if (p->meta.first_error)
			set_err(err, errsz, "line %d: not a feed (%s)",
			        p->first_line, p->first_error + p->first_msg);
		else
			set_err(err, errsz,
			        "not a feed (no XML element found)");
		p->rc = CRAWL_ERR_PARSE;
		return p->rc;
	}
	return CRAWL_OK;
}

const struct crawl_feed_meta *
crawler_parser_meta(const struct crawl_parser *p)
{
	return &p->meta;
}

void
crawler_parser_free(struct crawl_parser *p)
{
	int i;

	if (!p)
		return;
	if (p->ctxt) {
		/* libxml2 keeps internal-subset declarations in a document of
		 * its own "for expat compatibility" even in SAX mode */
		if (p->ctxt->myDoc)
			xmlFreeDoc(p->ctxt->myDoc);
		xmlFreeParserCtxt(p->ctxt);
	}
	if (p->cd != (iconv_t)-1)
		iconv_close(p->cd);
	for (i = 0; i < S_COUNT; i++)
		crawler_buf_release(&p->f[i].b);
	crawler_buf_release(&p->head);
	crawler_buf_release(&p->icarry);
	crawler_buf_release(&p->conv);
	crawler_buf_release(&p->fcarry);
	crawler_buf_release(&p->fout);
	crawler_buf_release(&p->cdq);
	while (p->nbases)
		free(p->bases[--p->nbases].url);
	free(p->bases);
	free(p->feed_title);
	free(p->feed_link);
	free(p->feed_lang);
	free(p);
}

int
crawler_parse_feed(const char *buf, size_t len,
                   const struct crawl_parse_opts *opts, char *err, size_t errsz)
{
	struct crawl_parser *p;
	int rc;

	rc = crawler_parser_create(opts, &p);
	if (rc != CRAWL_OK) {
		set_err(err, errsz, "%s", crawler_strerror(rc));
		return rc;
	}
	rc = crawler_parser_feed(p, buf, len, err, errsz);
	if (rc == CRAWL_OK)
		rc = crawler_parser_finish(p, err, errsz);
	crawler_parser_free(p);
	return rc;
}
