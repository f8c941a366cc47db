/*
 * jsonline.h - a fast path for the flat JSON objects `pcmon predict` reads.
 *
 * jansson builds a tree for every line: a hash table per object, a copy of
 * every string.  At 100,000 lines a second that was a third of the run.
 * jsonline_scan() reads the common shape in one pass with no allocation -
 * one object whose values are strings, numbers, true, false or null - and
 * decodes only the members pcmon uses.  For anything else (nesting, an
 * escaped key, "\u0000", a lone surrogate, a number jansson might refuse
 * or print differently, a repeated member pcmon uses, a syntax error) it
 * answers JSONLINE_OTHER and the caller parses the line with jansson,
 * which stays the reference and words the errors.  So the fast path never
 * accepts a line jansson rejects, nor reads one differently.
 *
 * The caller has checked that the line is valid UTF-8.
 */
#ifndef PCMON_JSONLINE_H
#define PCMON_JSONLINE_H

#include <stddef.h>

enum { JSONLINE_OK = 0, JSONLINE_OTHER = 1, JSONLINE_NOMEM = -1 };

struct jsonline_str {
	const char *s; /* decoded, NUL-terminated; NULL: absent or null */
	size_t len;
};

struct jsonline {
	/* "id" as it appears in the line (a string without escapes, an
	 * integer, true, false or null), which is also how jansson prints
	 * it; NULL when absent */
	const char *id;
	size_t idlen;
	struct jsonline_str title, summary, text, lang;
	char *buf; /* the decoded strings; reused from line to line */
	size_t cap;
};

/* Fills jl from the line s[0..n); JSONLINE_OK, JSONLINE_OTHER (use
 * jansson) or JSONLINE_NOMEM.  jl's pointers are valid until the next
 * call.  Start with a zeroed struct; jsonline_release() frees it. */
int jsonline_scan(struct jsonline *jl, const char *s, size_t n);
void jsonline_release(struct jsonline *jl);

/* x as jansson prints a real with JSON_REAL_PRECISION(prec): "%.*g", a
 * ".0" when that looks like an integer, the exponent without '+' or
 * leading zeros.  Returns the length, or 0 when buf is too small. */
size_t jsonline_real(char *buf, size_t size, double x, int prec);

#endif
