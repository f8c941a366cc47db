/*
 * html.c - HTML fragments to plain text in one pass, without a tree.
 *
 * Comments, <script> and <style> with their content, and every tag go away;
 * a block-level tag becomes a space, an inline one nothing, so "<b>Hel</b>lo"
 * stays one word.  Character references are decoded as HTML5 does (named ones
 * from the full table, numeric ones with the windows-1252 fix-up), runs of
 * ASCII whitespace become one space, and the result is trimmed.  U+00A0 is
 * not ASCII whitespace and survives.  The output is valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "crawler.h"
#include "internal.h"

/* clang-format off */
/* sorted: searched with bsearch() */
static const char *const block_tags[] = {
	"address", "article", "aside", "blockquote", "body", "br", "caption",
	"center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
	"fieldset", "figcaption", "figure", "footer", "form", "frame",
	"frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
	"hgroup", "hr", "html", "iframe", "img", "legend", "li", "main", "menu",
	"nav", "ol", "option", "p", "pre", "section", "summary", "table",
	"tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
};
/* clang-format on */

struct html_out {
	struct crawler_buf b;
	int space; /* whitespace is pending */
};

static int
cmp_tag(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
is_block(const char *name)
{
	return bsearch(name, block_tags,
	               sizeof(block_tags) / sizeof(block_tags[0]),
	               sizeof(block_tags[0]), cmp_tag) != NULL;
}

/* Appends text that holds no whitespace. */
static int
out_text(struct html_out *o, const char *s, size_t n)
{
	if (o->space && o->b.len > 0 && crawler_buf_addc(&o->b, ' ') != 0)
		return -1;
	o->space = 0;
	return crawler_buf_add(&o->b, s, n);
}

static int
out_cp(struct html_out *o, uint32_t cp)
{
	char tmp[4];

	if (cp < 0x80 && CRAWLER_IS_SPACE((int)cp)) {
		o->space = 1;
		return 0;
	}
	return out_text(o, tmp, crawler_utf8_encode(cp, tmp));
}

/* The text of a named reference: "&Tab;" and "&NewLine;" are whitespace. */
static int
out_value(struct html_out *o, const char *v)
{
	size_t n = strlen(v);

	if (n == 1 && CRAWLER_IS_SPACE(v[0])) {
		o->space = 1;
		return 0;
	}
	return out_text(o, v, n);
}

static int
is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Finds needle (lower case, ASCII) in s[0..n) ignoring case; n if absent. */
static size_t
find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++) {
		size_t j;

		for (j = 0; j < k; j++) {
			unsigned char c = (unsigned char)s[i + j];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			if (c != (unsigned char)needle[j])
				break;
		}
		if (j == k)
			return i;
	}
	return n;
}

/* End of the tag starting at s[0] == '<': the index after its '>', quotes
 * in attribute values respected; n when the tag is not closed. */
static size_t
tag_end(const char *s, size_t n)
{
	size_t i = 1;
	char q = 0;

	for (; i < n; i++) {
		char c = s[i];

		if (q) {
			if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'') {
			/* quotes only open an attribute value after '=' */
			size_t j = i;

			while (j > 1 && CRAWLER_IS_SPACE(s[j - 1]))
				j--;
			if (s[j - 1] == '=')
				q = c;
		} else if (c == '>') {
			return i + 1;
		}
	}
	return n;
}

/*
 * Decodes the character reference at s[0] == '&'.  Returns the bytes used
 * (0 when this is no reference: the '&' is then plain text).
 */
static size_t
charref(struct html_out *o, const char *s, size_t n, int *err)
{
	size_t i = 1, k;
	const char *v;

	*err = 0;
	if (i < n && s[i] == '#') {
		uint64_t cp = 0;
		int hex = 0, digits = 0;

		i++;
		if (i < n && (s[i] | 0x20) == 'x') {
			hex = 1;
			i++;
		}
		for (; i < n; i++) {
			int d = hex ? hexval((unsigned char)s[i])
			            : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
			                                          : -1);

			if (d < 0)
				break;
			digits = 1;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + (uint64_t)d;
		}
		if (!digits)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		*err = out_cp(o, crawler_charref_fix(cp));
		return i;
	}
	/* named: the whole alphanumeric run with ';', else the longest legacy
	 * name (those may stand without ';', like "&copy 2026") */
	while (i < n && i < 40 && is_alnum((unsigned char)s[i]))
		i++;
	if (i == 1)
		return 0;
	if (i < n && s[i] == ';' && (v = crawler_entity_find(s + 1, i))) {
		*err = out_value(o, v);
		return i + 1;
	}
	for (k = i - 1; k >= 2; k--) {
		if ((v = crawler_entity_find(s + 1, k))) {
			*err = out_value(o, v);
			return k + 1;
		}
	}
	return 0;
}

/* What may be copied as is: not markup, not whitespace, ASCII. */
static unsigned char plain[256];

static void
init_plain(void)
{
	int c;

	if (plain['a'])
		return;
	for (c = 0x21; c < 0x80; c++)
		plain[c] = 1;
	plain['<'] = 0;
	plain['&'] = 0;
	plain[']'] = 0;
	plain[0x7f] = 1;
}

/* The length of the valid multi-byte UTF-8 character at s[i]; 0 for
 * anything else (ASCII, invalid, cut, the end). */
static inline size_t
utf8_len(const char *s, size_t i, size_t n)
{
	int k;

	if (i >= n || (unsigned char)s[i] < 0x80)
		return 0;
	k = crawler_utf8_seq((const unsigned char *)s + i, n - i);
	return k > 0 ? (size_t)k : 0;
}

char *
crawler_html_to_text(const char *html, size_t len, size_t max)
{
	struct html_out o;
	size_t i = 0;
	int in_cdata = 0;

	init_plain();
	crawler_buf_init(&o.b, max);
	o.space = 0;
	if (crawler_buf_add(&o.b, "", 0) != 0)
		return NULL;
	while (i < len && !o.b.truncated) {
		unsigned char c = (unsigned char)html[i];
		size_t j;

		if (plain[c] || (c >= 0x80 && utf8_len(html, i, len) > 0)) {
			/* a run of text; valid UTF-8 and single spaces between
			 * words need no collapsing and stay in the run */
			j = i;
			for (;;) {
				size_t k;

				while (j < len && plain[(unsigned char)html[j]])
					j++;
				if ((k = utf8_len(html, j, len)) > 0) {
					j += k;
					continue;
				}
				if (j + 1 < len && html[j] == ' ' &&
				    (plain[(unsigned char)html[j + 1]] ||
				     utf8_len(html, j + 1, len) > 0)) {
					j++;
					continue;
				}
				break;
			}
			if (out_text(&o, html + i, j - i) != 0)
				goto fail;
			i = j;
			continue;
		}
		if (CRAWLER_IS_SPACE(c) || c == 0x0b) {
			o.space = 1;
			i++;
			continue;
		}
		if (c >= 0x80) {
			int k = crawler_utf8_seq(
			        (const unsigned char *)html + i, len - i);

			if (k > 0) {
				if (out_text(&o, html + i, (size_t)k) != 0)
					goto fail;
				i += (size_t)k;
			} else {
				if (out_text(&o, "\xef\xbf\xbd", 3) != 0)
					goto fail;
				i++;
			}
			continue;
		}
		if (c < 0x20) {
			/* NUL and other C0 controls: HTML5 drops NUL */
			if (c != 0 && out_text(&o, html + i, 1) != 0)
				goto fail;
			i++;
			continue;
		}
		if (c == '&') {
			int err;
			size_t used = charref(&o, html + i, len - i, &err);

			if (err)
				goto fail;
			if (used == 0) {
				if (out_text(&o, "&", 1) != 0)
					goto fail;
				used = 1;
			}
			i += used;
			continue;
		}
		if (c == ']') {
			if (in_cdata && len - i >= 3 && html[i + 1] == ']' &&
			    html[i + 2] == '>') {
				in_cdata = 0;
				i += 3;
				continue;
			}
			if (out_text(&o, "]", 1) != 0)
				goto fail;
			i++;
			continue;
		}
		/* c == '<' */
		if (len - i >= 4 && memcmp(html + i, "<!--", 4) == 0) {
			const char *e = NULL;
			size_t k;

			for (k = i + 4; k + 3 <= len; k++) {
				if (html[k] == '-' && html[k + 1] == '-' &&
				    html[k + 2] == '>') {
					e = html + k;
					break;
				}
			}
			i = e ? (size_t)(e - html) + 3 : len;
			continue;
		}
		if (len - i >= 9 && memcmp(html + i, "<![CDATA[", 9) == 0) {
			/* feeds wrap CDATA twice: keep the inside as HTML */
			in_cdata = 1;
			i += 9;
			continue;
		}
		if (i + 1 < len && (html[i + 1] == '!' || html[i + 1] == '?')) {
			i += tag_end(html + i, len - i); /* doctype, PI */
			continue;
		}
		if (i + 1 < len && (is_alpha((unsigned char)html[i + 1]) ||
		                    (html[i + 1] == '/' && i + 2 < len &&
		                     is_alpha((unsigned char)html[i + 2])))) {
			char name[16];
			size_t k = i + 1, nl = 0;
			int closing = html[k] == '/';

			if (closing)
				k++;
			while (k < len && is_alnum((unsigned char)html[k])) {
				if (nl < sizeof(name) - 1) {
					char ch = html[k];

					if (ch >= 'A' && ch <= 'Z')
						ch = (char)(ch + 32);
					name[nl++] = ch;
				}
				k++;
			}
			name[nl] = '\0';
			j = tag_end(html + i, len - i);
			if (is_block(name))
				o.space = 1;
			if (!closing &&
			    (strcmp(name, "script") == 0 ||
			     strcmp(name, "style") == 0) &&
			    !(j >= 2 && html[i + j - 2] == '/')) {
				char endtag[10];
				size_t e;

				endtag[0] = '<';
				endtag[1] = '/';
				memcpy(endtag + 2, name, nl + 1);
				e = find_ci(html + i + j, len - i - j, endtag);
				i += j + e;
				if (i < len)
					i += tag_end(html + i, len - i);
				continue;
			}
			i += j;
			continue;
		}
		if (i + 1 < len && html[i + 1] == '/' && i + 2 < len &&
		    html[i + 2] == '>') {
			i += 3; /* "</>" is dropped */
			continue;
		}
		if (out_text(&o, "<", 1) != 0)
			goto fail;
		i++;
	}
	if (o.b.len > 0 && o.b.p[o.b.len - 1] == ' ')
		o.b.p[--o.b.len] = '\0';
	return o.b.p;
fail:
	crawler_buf_release(&o.b);
	return NULL;
}
