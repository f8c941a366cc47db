/*
 * internal.h - declarations shared by the crawler's own files, never by
 * pipeline/ (which sees only crawler.h).
 *
 * crawler_buf is curl's dynbuf: a growing byte buffer with a ceiling set at
 * creation.  It is always NUL-terminated once anything was added, and its
 * contents never end inside a UTF-8 sequence because of truncation: text that
 * does not fit is cut at a character boundary and the buffer remembers it.
 */
#ifndef PCMON_CRAWLER_INTERNAL_H
#define PCMON_CRAWLER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct crawler_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;    /* bytes of content at most (the NUL is extra) */
	int truncated; /* something did not fit */
};

void crawler_buf_init(struct crawler_buf *b, size_t max);
void crawler_buf_release(struct crawler_buf *b);
/* Empties the buffer but keeps its memory. */
void crawler_buf_reset(struct crawler_buf *b);
/* Appends; returns 0, or -1 when memory runs out.  Hitting max is not an
 * error: the rest is dropped (at a UTF-8 boundary) and b->truncated set. */
int crawler_buf_add(struct crawler_buf *b, const void *data, size_t len);
int crawler_buf_addc(struct crawler_buf *b, char c);
/* The NUL-terminated contents ("" when empty); valid until the next call. */
const char *crawler_buf_str(struct crawler_buf *b);

/* Appends the UTF-8 encoding of code point cp (U+FFFD when invalid). */
int crawler_buf_add_utf8(struct crawler_buf *b, uint32_t cp);
size_t crawler_utf8_encode(uint32_t cp, char out[4]);

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes available):
 * 1..4, 0 when the bytes are invalid, or -1 when they are a valid prefix cut
 * by the end of the buffer (more bytes may complete it).
 */
static inline int
crawler_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	int len, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}
/* Appends s with invalid UTF-8 replaced by U+FFFD. */
int crawler_buf_add_repaired(struct crawler_buf *b, const char *s, size_t n);

/* The UTF-8 text of HTML5 named reference name[0..len) ("amp;", "amp"):
 * NULL when unknown.  The name includes its ';' when the reference has one. */
const char *crawler_entity_find(const char *name, size_t len);

/* HTML5's numeric character reference rules: NUL, surrogates and values
 * beyond U+10FFFF become U+FFFD, 0x80-0x9F the windows-1252 characters. */
uint32_t crawler_charref_fix(uint64_t cp);

/* ASCII whitespace as HTML and XML know it. */
#define CRAWLER_IS_SPACE(c)                                                    \
	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || (c) == '\f')

/*
 * Copies s into a new string with runs of ASCII whitespace collapsed to one
 * space, trimmed, invalid UTF-8 replaced, at most max bytes (0 = no limit).
 * NULL on allocation failure.
 */
char *crawler_text_collapse(const char *s, size_t len, size_t max);

/* Case-insensitive ASCII comparison of s[0..len) with the NUL-terminated
 * lower-case word w. */
int crawler_word_eq(const char *s, size_t len, const char *w);

#endif
