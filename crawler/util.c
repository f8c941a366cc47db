/*
 * util.c - the crawler's small helpers: the bounded buffer, UTF-8 checks and
 * repair, whitespace collapsing and the error strings.
 *
 * Invariant: whatever leaves these helpers as text is valid UTF-8; bad bytes
 * become U+FFFD, one per byte that cannot start or continue a sequence.
 */
#include <stdlib.h>
#include <string.h>

#include "crawler.h"
#include "internal.h"

const char *
crawler_strerror(int code)
{
	switch (code) {
	case CRAWL_OK: return "success";
	case CRAWL_ERR_NOMEM: return "out of memory";
	case CRAWL_ERR_PARSE: return "not a feed: nothing could be parsed";
	case CRAWL_ERR_NOT_FEED: return "not a feed";
	case CRAWL_ERR_TOO_LARGE: return "a limit was hit";
	case CRAWL_ERR_ABORTED: return "aborted";
	case CRAWL_ERR_IO: return "input/output error";
	case CRAWL_ERR_USAGE: return "bad argument";
	}
	return "unknown error";
}

void
crawler_buf_init(struct crawler_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : (size_t)-2;
	b->truncated = 0;
}

void
crawler_buf_release(struct crawler_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->truncated = 0;
}

void
crawler_buf_reset(struct crawler_buf *b)
{
	b->len = 0;
	b->truncated = 0;
	if (b->p)
		b->p[0] = '\0';
}

static int
buf_grow(struct crawler_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	/* need <= max < SIZE_MAX - 1, so need + 1 cannot wrap */
	while (cap < need + 1) {
		if (cap > ((size_t)-1) / 2) {
			cap = need + 1;
			break;
		}
		cap *= 2;
	}
	if (cap > b->max + 1 && need + 1 <= b->max + 1)
		cap = b->max + 1;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int
crawler_buf_add(struct crawler_buf *b, const void *data, size_t len)
{
	const unsigned char *s = data;

	if (b->truncated)
		return 0;
	if (len > b->max - b->len) {
		size_t room = b->max - b->len;

		/* cut at a character boundary */
		while (room > 0 && (s[room] & 0xc0) == 0x80)
			room--;
		len = room;
		b->truncated = 1;
	}
	if (b->len + len + 1 > b->cap && buf_grow(b, b->len + len) != 0)
		return -1;
	if (len)
		memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int
crawler_buf_addc(struct crawler_buf *b, char c)
{
	if (b->len + 1 < b->cap && b->len < b->max && !b->truncated) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return crawler_buf_add(b, &c, 1);
}

const char *
crawler_buf_str(struct crawler_buf *b)
{
	return b->p ? b->p : "";
}

size_t
crawler_utf8_encode(uint32_t cp, char out[4])
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return crawler_utf8_encode(0xfffd, out);
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int
crawler_buf_add_utf8(struct crawler_buf *b, uint32_t cp)
{
	char tmp[4];
	size_t n = crawler_utf8_encode(cp, tmp);

	return crawler_buf_add(b, tmp, n);
}

int
crawler_buf_add_repaired(struct crawler_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0;

	while (i < n) {
		int k;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = crawler_utf8_seq(s + i, n - i);
		if (k > 0) {
			i += (size_t)k;
			continue;
		}
		if (crawler_buf_add(b, s + start, i - start) != 0 ||
		    crawler_buf_add(b, "\xef\xbf\xbd", 3) != 0)
			return -1;
		i++;
		start = i;
	}
	return crawler_buf_add(b, s + start, i - start);
}

uint32_t
crawler_charref_fix(uint64_t cp)
{
	/* clang-format off */
	static const uint16_t cp1252[32] = {
		0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
		0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
	};
	/* clang-format on */

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0xfffd;
	if (cp >= 0x80 && cp <= 0x9f)
		return cp1252[cp - 0x80];
	return (uint32_t)cp;
}

char *
crawler_text_collapse(const char *s, size_t len, size_t max)
{
	struct crawler_buf out, tmp;
	size_t i = 0;
	int space = 0;
	char *r;

	crawler_buf_init(&tmp, 0);
	crawler_buf_init(&out, max);
	if (crawler_buf_add_repaired(&tmp, s, len) != 0)
		goto fail;
	s = crawler_buf_str(&tmp);
	len = tmp.len;
	if (crawler_buf_add(&out, "", 0) != 0)
		goto fail;
	while (i < len && !out.truncated) {
		size_t j = i;

		if (CRAWLER_IS_SPACE(s[i])) {
			while (i < len && CRAWLER_IS_SPACE(s[i]))
				i++;
			space = 1;
			continue;
		}
		while (j < len && !CRAWLER_IS_SPACE(s[j]))
			j++;
		if (space && out.len > 0 && crawler_buf_addc(&out, ' ') != 0)
			goto fail;
		space = 0;
		if (crawler_buf_add(&out, s + i, j - i) != 0)
			goto fail;
		i = j;
	}
	/* a cut may leave a trailing space */
	if (out.len > 0 && out.p[out.len - 1] == ' ')
		out.p[--out.len] = '\0';
	crawler_buf_release(&tmp);
	r = out.p;
	return r;
fail:
	crawler_buf_release(&tmp);
	crawler_buf_release(&out);
	return NULL;
}

int
crawler_word_eq(const char *s, size_t len, const char *w)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (w[i] == '\0' || c != (unsigned char)w[i])
			return 0;
	}
	return w[len] == '\0';
}
