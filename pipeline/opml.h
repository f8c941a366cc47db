/*
 * opml.h - OPML 1.0/2.0 feed lists in and out.
 *
 * Reading uses libxml2 with XML_PARSE_NONET and never NOENT or DTDLOAD, so a
 * hostile file cannot make us read local files or the network.  The reader
 * reports every outline that has an xmlUrl, with the tags it inherits: the
 * text of each enclosing group outline, then its own category attribute,
 * both split on ',' and '/' (OPML 2.0 writes "/Boston/Weather,/Sports"), so
 * a tag never holds either character.  What is a valid feed URL is
 * the caller's business; the reader only marks outlines whose type says they
 * are not feeds.
 */
#ifndef PCMON_OPML_H
#define PCMON_OPML_H

#include <stddef.h>
#include <stdio.h>

enum opml_err {
	OPML_OK = 0,
	OPML_ERR_NOMEM = 1,
	OPML_ERR_IO = 2,       /* cannot read the file */
	OPML_ERR_PARSE = 3,    /* not well-formed XML */
	OPML_ERR_NOT_OPML = 4, /* well-formed, but not <opml> */
	OPML_ERR_ABORTED = 5   /* the callback returned non-zero */
};

/* All pointers are borrowed, valid only during the callback. */
struct opml_outline {
	const char *url;  /* xmlUrl, trimmed */
	const char *name; /* title, else text; NULL if neither */
	const char *lang; /* language as written, NULL if none */
	const char
	        *tags; /* comma-separated, duplicates removed; NULL if none */
	const char *type;     /* type as written, NULL if none */
	const char *html_url; /* htmlUrl, NULL if none */
	long line;            /* of the <outline> element */
	const char *skip;     /* non-NULL: not a feed outline, and why */
};

/* Calls fn for each outline with an xmlUrl, in document order.  On error,
 * err names the file (and the line, when the XML is broken). */
int opml_read_file(const char *path,
                   int (*fn)(const struct opml_outline *o, void *arg),
                   void *arg, char *err, size_t errsz);
/* The same on a buffer; name is used in messages. */
int opml_read_memory(const char *buf, size_t len, const char *name,
                     int (*fn)(const struct opml_outline *o, void *arg),
                     void *arg, char *err, size_t errsz);

/* Writing: begin, one call per feed (url, name, lang, tags, html_url are
 * used), end.  Return 0, or -1 when the stream reports an error. */
int opml_write_begin(FILE *fp, const char *title);
int opml_write_outline(FILE *fp, const struct opml_outline *o);
int opml_write_end(FILE *fp);

#endif
