/*
 * jsonline.c - the fast path for flat JSON lines (see jsonline.h).
 *
 * Grammar as RFC 8259 has it, narrowed to what jansson would read the same
 * way; every "not sure" answers JSONLINE_OTHER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonline.h"

#define NUM_MAX 18 /* longer numbers go to jansson (range checks) */

struct scan {
	const char *p, *end;
	char *out; /* next free byte of jl->buf */
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	                         *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/*
 * A string value from the opening quote at s->p.  With dst, decodes it
 * into s->out (NUL-terminated) and sets *dst; without, only checks it.
 * *escaped tells whether it held a backslash.  -1: not for us.
 */
static int
string(struct scan *s, struct jsonline_str *dst, int *escaped)
{
	const char *p = s->p + 1;
	char *o = s->out;

	*escaped = 0;
	for (;;) {
		const char *q = p;
		unsigned char c;

		/* the plain run up to a quote, backslash or control byte */
		while (q < s->end && (c = (unsigned char)*q) != '"' &&
		       c != '\\' && c >= 0x20)
			q++;
		if (dst) {
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
		}
		p = q;
		if (p >= s->end || (unsigned char)*p < 0x20)
			return -1; /* unterminated, or a raw control byte */
		if (*p == '"')
			break;
		/* a backslash */
		*escaped = 1;
		if (p + 1 >= s->end)
			return -1;
		switch (p[1]) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (s->end - p < 6 || hex4(p + 2, &cp) != 0 || cp == 0)
				return -1; /* "\u0000": jansson refuses it */
			p += 6;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return -1; /* a lone low surrogate */
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (s->end - p < 6 || p[0] != '\\' ||
				    p[1] != 'u' || hex4(p + 2, &lo) != 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
			}
			if (dst)
				o = put_utf8(o, cp);
			continue;
		}
		default: return -1;
		}
		if (dst)
			*o++ = (char)c;
		p += 2;
	}
	if (dst) {
		*o = '\0';
		dst->s = s->out;
		dst->len = (size_t)(o - s->out);
		s->out = o + 1;
	}
	s->p = p + 1;
	return 0;
}

/* A number at s->p; *integer: no fraction.  -1: not JSON, or long
 * enough that jansson's range checks might answer otherwise. */
static int
number(struct scan *s, int *integer)
{
	const char *p = s->p;

	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end)
		return -1;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	else
		return -1;
	*integer = 1;
	if (p < s->end && *p == '.') {
		const char *d = ++p;

		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return -1;
		*integer = 0;
	}
	if (p < s->end && (*p == 'e' || *p == 'E'))
		return -1; /* exponents: overflow is jansson's to judge */
	if (p - s->p > NUM_MAX)
		return -1;
	s->p = p;
	return 0;
}

static int
literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int
key_is(const char *k, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(k, name, n) == 0;
}

int
jsonline_scan(struct jsonline *jl, const char *line, size_t n)
{
	struct scan s;
	unsigned seen = 0;

	if (jl->cap < n + 1) {
		char *b = realloc(jl->buf, n + 1);

		if (!b)
			return JSONLINE_NOMEM;
		jl->buf = b;
		jl->cap = n + 1;
	}
	jl->id = NULL;
	jl->idlen = 0;
	memset(&jl->title, 0, sizeof(jl->title));
	jl->summary = jl->text = jl->lang = jl->title;
	s.p = line;
	s.end = line + n;
	s.out = jl->buf;

	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return JSONLINE_OTHER;
	s.p++;
	skip_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto tail;
	}
	for (;;) {
		struct jsonline_str *dst = NULL;
		const char *k, *v;
		size_t kn;
		unsigned bit = 0;
		int esc, integer;

		skip_ws(&s);
		if (s.p >= s.end || *s.p != '"')
			return JSONLINE_OTHER;
		k = s.p + 1;
		if (string(&s, NULL, &esc) != 0 || esc)
			return JSONLINE_OTHER; /* escaped keys: jansson */
		kn = (size_t)(s.p - 1 - k);
		if (key_is(k, kn, "id"))
			bit = 1;
		else if (key_is(k, kn, "title"))
			bit = 2, dst = &jl->title;
		else if (key_is(k, kn, "summary"))
			bit = 4, dst = &jl->summary;
		else if (key_is(k, kn, "text"))
			bit = 8, dst = &jl->text;
		else if (key_is(k, kn, "lang"))
			bit = 16, dst = &jl->lang;
		if (seen & bit)
			return JSONLINE_OTHER; /* repeated: the last wins there */
		seen |= bit;
		skip_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return JSONLINE_OTHER;
		s.p++;
		skip_ws(&s);
		if (s.p >= s.end)
			return JSONLINE_OTHER;
		v = s.p;
		switch (*s.p) {
		case '"':
			if (string(&s, dst, &esc) != 0 || (bit == 1 && esc))
				return JSONLINE_OTHER;
			break;
		case 't':
		case 'f':
			if (literal(&s, *s.p == 't' ? "true" : "false") != 0 ||
			    dst)
				return JSONLINE_OTHER; /* jansson words it */
			break;
		case 'n':
			if (literal(&s, "null") != 0)
				return JSONLINE_OTHER;
			break; /* a null member is an absent one */
		default:
			if (number(&s, &integer) != 0 || dst)
				return JSONLINE_OTHER;
			/* jansson prints reals its own way, and "-0" as 0 */
			if (bit == 1 && (!integer || (v[0] == '-' && v[1] == '0')))
				return JSONLINE_OTHER;
			break;
		}
		if (bit == 1) {
			jl->id = v;
			jl->idlen = (size_t)(s.p - v);
		}
		skip_ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		if (s.p < s.end && *s.p == '}') {
			s.p++;
			break;
		}
		return JSONLINE_OTHER;
	}
tail:
	skip_ws(&s);
	return s.p == s.end ? JSONLINE_OK : JSONLINE_OTHER;
}

void
jsonline_release(struct jsonline *jl)
{
	free(jl->buf);
	jl->buf = NULL;
	jl->cap = 0;
}

size_t
jsonline_real(char *buf, size_t size, double x, int prec)
{
	char *e, *start, *end;
	int n = snprintf(buf, size, "%.*g", prec, x);

	if (n < 0 || (size_t)n + 3 > size)
		return 0;
	if (!strchr(buf, '.') && !strchr(buf, 'e') && !strchr(buf, 'n') &&
	    !strchr(buf, 'i')) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		start = e + 1;
		end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, strlen(end) + 1);
			n = (int)strlen(buf);
		}
	}
	return (size_t)n;
}
