/*
 * labels.h - labeled data for "pcmon train" and "pcmon eval": the readers
 * of label files, and what both commands print about a model's metrics.
 *
 * Two formats, one example per line:
 *
 *   JSON lines  {"label": "1" | 1, "title": ..., "summary": ... | "text":
 *               ..., "lang": "en", "theme": "stations", "themes": [...]};
 *               the text is title + "\n" + summary (or text); "theme"
 *               and "themes" (optional, null allowed) are the example's
 *               tags, "themes" listing all of them; other keys are ignored
 *   TSV         label<TAB>text (the text is the rest of the line)
 *
 * The format is chosen by the file name (.jsonl, .ndjson, .json: JSON
 * lines; .tsv, .txt: TSV), else by the first non-blank byte ('{': JSON
 * lines).  A UTF-8 byte order mark at the start and CR before LF are
 * dropped; blank lines are skipped.  Anything else that is wrong stops the
 * reader with the file and line: bad JSON, a missing or mistyped label, no
 * text, a TSV line without a tab, invalid UTF-8, a line longer than
 * LABELS_MAX_LINE.  Never silently skipped: a label file is curated data.
 */
#ifndef PCMON_LABELS_H
#define PCMON_LABELS_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "classify/classify.h"

#define LABELS_MAX_LINE ((size_t)16 << 20) /* bytes in one example */
#define LABELS_MAX_FILE ((size_t)1 << 30)  /* bytes in one label file */

enum labels_err {
	LABELS_OK = 0,
	LABELS_ERR_NOMEM = 1,
	LABELS_ERR_IO = 2,   /* cannot read the file */
	LABELS_ERR_DATA = 3, /* a bad line; err names the file and line */
	LABELS_ERR_STOP = 4  /* the callback returned non-zero */
};

enum labels_format { LABELS_AUTO = 0, LABELS_JSONL = 1, LABELS_TSV = 2 };

/* One example; the strings are valid only during the callback. */
struct labels_example {
	const char *label; /* non-empty; an integer label as its digits */
	const char *text;  /* non-empty, valid UTF-8 */
	const char *lang;  /* NULL when not given */
	long line;         /* 1-based */
	const char *const *tags; /* themes: ntags distinct names */
	size_t ntags;
};

#define LABELS_MAX_TAGS 16
#define LABELS_MAX_TAG  64 /* bytes; [A-Za-z0-9_.-] */

/*
 * Parses data[0..len) (need not be NUL-terminated) in the format given,
 * AUTO deciding by name as described above.  name is only used in
 * messages: "'NAME': line N: message".  fn returning non-zero stops the
 * reader with LABELS_ERR_STOP (err untouched).  *count, when not NULL,
 * gets the number of examples passed to fn.
 */
int labels_parse(const char *name, const char *data, size_t len, int format,
                 int (*fn)(const struct labels_example *ex, void *arg),
                 void *arg, size_t *count, char *err, size_t errsz);

/* The whole file at path, at most LABELS_MAX_FILE bytes, NUL-terminated
 * (the NUL not counted in *len); release with free(). */
int labels_read_file(const char *path, char **data, size_t *len, char *err,
                     size_t errsz);

/*
 * Reads every file of paths[0..n) into ds (created here; the caller frees
 * it) and, when sha_hex is not NULL, writes there the SHA-256 of the files'
 * bytes concatenated in the order given.  A file with no example is an
 * error.  Returns a labels_err.
 */
int labels_load_dataset(char *const *paths, size_t n,
                        struct classify_dataset **ds, char sha_hex[65],
                        char *err, size_t errsz);

/*
 * The text of a news item given as a JSON object, as the classifier sees
 * it: title + "\n" + summary, "text" standing in for "summary".  *text is
 * malloc'd; *lang is borrowed from o (NULL when absent).  On a bad object
 * returns LABELS_ERR_DATA with a message (no file or line: the caller adds
 * them).  allow_empty: an item whose fields are all empty strings is fine
 * (predicting), else it is an error (training).
 */
int labels_json_text(json_t *o, int allow_empty, char **text, const char **lang,
                     char *err, size_t errsz);

/* 1 when s[0..len) is valid UTF-8 with no NUL byte. */
int labels_utf8_valid(const char *s, size_t len);

/* ------------------------------------------------------------ metrics */

/* The metrics as one JSON object: n, accuracy, macro_f1, micro_f1,
 * classes [{label, precision, recall, f1, support}], labels (the order of
 * the confusion matrix), confusion [[...], ...] (rows: true label), and
 * for binary models thresholds [{threshold, precision, recall}].  NULL
 * when out of memory. */
json_t *labels_metrics_json(const struct classify_metrics *m);

/* The same as a human-readable table. */
void labels_metrics_print(FILE *fp, const struct classify_metrics *m);

/* JSON output with reals cut to 6 significant digits, one line. */
int labels_json_print(json_t *o, FILE *fp);

#endif
