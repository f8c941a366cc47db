/*
 * test_labels.c - the label file readers (pipeline/labels.c): one input
 * and what must come out of it per row; every error with its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "labels.h"

/* The examples read, as "label|text|lang@line;" (lang "-" when NULL). */
struct collect {
	char buf[4096];
	size_t len;
};

static int
collect(const struct labels_example *ex, void *arg)
{
	struct collect *c = arg;
	int n;

	n = snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s|%s|%s@%ld;",
	             ex->label, ex->text, ex->lang ? ex->lang : "-", ex->line);
	if (n > 0 && (size_t)n < sizeof(c->buf) - c->len)
		c->len += (size_t)n;
	return 0;
}

static const struct {
	const char *name; /* file name: decides the format */
	const char *in;
	int rc;
	const char *want; /* examples, or the error message */
} cases[] = {
	/* JSON lines */
	{ "a.jsonl", "{\"label\": \"1\", \"text\": \"Joint patrol\"}\n",
	  LABELS_OK, "1|\nJoint patrol|-@1;" },
	{ "a.jsonl", "{\"label\": 0, \"title\": \"T\", \"summary\": \"S\"}\n",
	  LABELS_OK, "0|T\nS|-@1;" },
	{ "a.jsonl", "{\"label\": -3, \"title\": \"only a title\"}", LABELS_OK,
	  "-3|only a title\n|-@1;" },
	{ "a.jsonl",
	  "{\"label\": \"sport\", \"title\": \"T\", \"text\": \"X\", "
	  "\"lang\": \"fr\", \"extra\": [1, 2]}\n",
	  LABELS_OK, "sport|T\nX|fr@1;" },
	/* "summary" wins over "text" */
	{ "a.jsonl",
	  "{\"label\": \"1\", \"summary\": \"S\", \"text\": \"X\"}\n",
	  LABELS_OK, "1|\nS|-@1;" },
	{ "a.jsonl",
	  "\n{\"label\": \"1\", \"text\": \"a\"}\n   \n\t\n{\"label\": \"0\", "
	  "\"text\": \"b\"}\n\n",
	  LABELS_OK, "1|\na|-@2;0|\nb|-@5;" },
	/* CRLF line endings and a byte order mark */
	{ "a.jsonl",
	  "\xef\xbb\xbf{\"label\": \"1\", \"text\": \"a\"}\r\n{\"label\": "
	  "\"0\", \"text\": \"b\"}\r\n",
	  LABELS_OK, "1|\na|-@1;0|\nb|-@2;" },
	{ "a.jsonl", "", LABELS_OK, "" },
	{ "a.jsonl", "\n\n  \n", LABELS_OK, "" },
	{ "a.jsonl",
	  "{\"label\": \"1\", \"text\": \"caf\xc3\xa9 \xe4\xb8\xad\"}",
	  LABELS_OK, "1|\ncaf\xc3\xa9 \xe4\xb8\xad|-@1;" },

	/* JSON errors, each with its line */
	{ "data.jsonl",
	  "{\"label\": \"1\", \"text\": \"a\"}\n\n{\"text\": \"b\"}\n",
	  LABELS_ERR_DATA, "'data.jsonl': line 3: \"label\" is missing" },
	{ "d.jsonl", "{\"label\": null, \"text\": \"b\"}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: \"label\" is missing" },
	{ "d.jsonl", "{\"label\": true, \"text\": \"b\"}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: \"label\" is not a string or an integer" },
	{ "d.jsonl", "{\"label\": 1.5, \"text\": \"b\"}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: \"label\" is not a string or an integer" },
	{ "d.jsonl", "{\"label\": \"\", \"text\": \"b\"}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: \"label\" is empty" },
	{ "d.jsonl", "{\"label\": \"1\"}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: no \"title\", \"summary\" or \"text\"" },
	{ "d.jsonl", "{\"label\": \"1\", \"title\": \" \", \"text\": \"\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: empty text" },
	{ "d.jsonl", "{\"label\": \"1\", \"title\": 7}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: \"title\" is not a string" },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"a\", \"lang\": 2}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: \"lang\" is not a string" },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"a\\u0000b\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: bad JSON: " },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"a\"}\n[1, 2]\n",
	  LABELS_ERR_DATA, "'d.jsonl': line 2: not a JSON object" },
	{ "d.jsonl",
	  "{\"label\": \"1\", \"text\": \"a\"}\n\n\n{\"label\": \"1\"",
	  LABELS_ERR_DATA, "'d.jsonl': line 4: bad JSON: " },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"a\"} {}", LABELS_ERR_DATA,
	  "'d.jsonl': line 1: bad JSON: " },
	{ "d.jsonl", "{\"label\": \"1\", \"label\": \"0\", \"text\": \"a\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: bad JSON: " },
	/* invalid UTF-8: a stray byte, an overlong form, a surrogate, a NUL */
	{ "d.jsonl",
	  "{\"label\": \"1\", \"text\": \"a\"}\n{\"label\": \"1\", "
	  "\"text\": \"caf\xe9\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 2: invalid UTF-8" },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"\xc0\xaf\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: invalid UTF-8" },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"\xed\xa0\x80\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: invalid UTF-8" },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"\xf4\x90\x80\x80\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: invalid UTF-8" },
	{ "d.jsonl", "{\"label\": \"1\", \"text\": \"\xe4\xb8\"}",
	  LABELS_ERR_DATA, "'d.jsonl': line 1: invalid UTF-8" },

	/* TSV */
	{ "a.tsv", "1\tJoint patrol in the port\n0\tFootball results\n",
	  LABELS_OK, "1|Joint patrol in the port|-@1;0|Football results|-@2;" },
	{ "a.tsv",
	  "\xef\xbb\xbf"
	  "1\ta\r\n\r\n0\tb\tc\r\n",
	  LABELS_OK, "1|a|-@1;0|b\tc|-@3;" },
	{ "a.txt", " sport \ttext", LABELS_OK, "sport|text|-@1;" },
	{ "data.tsv", "1\ta\n0 no tab here\n", LABELS_ERR_DATA,
	  "'data.tsv': line 2: no tab between label and text" },
	{ "d.tsv", "\ttext\n", LABELS_ERR_DATA,
	  "'d.tsv': line 1: empty label" },
	{ "d.tsv", "1\t  \n", LABELS_ERR_DATA, "'d.tsv': line 1: empty text" },
	{ "d.tsv", "1\ta\n1\t\xff\xfe\n", LABELS_ERR_DATA,
	  "'d.tsv': line 2: invalid UTF-8" },

	/* no telling extension: the first non-blank byte decides */
	{ "data", "\n  {\"label\": \"1\", \"text\": \"a\"}\n", LABELS_OK,
	  "1|\na|-@2;" },
	{ "data", "1\t{not json}\n", LABELS_OK, "1|{not json}|-@1;" },
	/* the extension wins over the content */
	{ "x.tsv", "{\"label\": \"1\"}\n", LABELS_ERR_DATA,
	  "'x.tsv': line 1: no tab between label and text" },
	{ "X.JSONL", "1\ta\n", LABELS_ERR_DATA,
	  "'X.JSONL': line 1: bad JSON: " },
};

static void
test_cases(void)
{
	char err[512];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct collect c = { { 0 }, 0 };
		int rc;

		err[0] = '\0';
		rc = labels_parse(cases[i].name, cases[i].in,
		                  strlen(cases[i].in), LABELS_AUTO, collect, &c,
		                  &n, err, sizeof(err));
		CHECK_INT(rc, cases[i].rc, "case %zu (%s) return code", i,
		          cases[i].name);
		if (cases[i].rc == LABELS_OK) {
			CHECK_STR(c.buf, cases[i].want, "case %zu examples", i);
		} else if (strstr(cases[i].want, "bad JSON: ")) {
			/* jansson's own wording follows the prefix */
			CHECK(strncmp(err, cases[i].want,
			              strlen(cases[i].want)) == 0 &&
			              strlen(err) > strlen(cases[i].want),
			      "case %zu message starts '%s' (got '%s')", i,
			      cases[i].want, err);
		} else {
			CHECK_STR(err, cases[i].want, "case %zu message", i);
		}
	}
}

/* Data that strlen cannot measure: a NUL byte in a line. */
static void
test_nul_byte(void)
{
	static const char in[] = "1\ta\n1\tb\0c\n";
	char err[256] = "";
	int rc;

	rc = labels_parse("n.tsv", in, sizeof(in) - 1, LABELS_AUTO, NULL, NULL,
	                  NULL, err, sizeof(err));
	CHECK_INT(rc, LABELS_ERR_DATA, "NUL byte rejected");
	CHECK_STR(err, "'n.tsv': line 2: invalid UTF-8", "NUL byte message");
}

static int
count_and_len(const struct labels_example *ex, void *arg)
{
	size_t *total = arg;

	*total += strlen(ex->text);
	return 0;
}

/* A line of 2 MB is fine; one above LABELS_MAX_LINE is an error. */
static void
test_huge_lines(void)
{
	size_t big = (size_t)2 << 20, total = 0, n = 0, len;
	char err[256] = "", *s;
	int rc;

	s = malloc(big + 64);
	if (!s) {
		CHECK(0, "malloc");
		return;
	}
	memcpy(s, "1\t", 2);
	memset(s + 2, 'x', big);
	memcpy(s + 2 + big, "\n0\ty\n", 6);
	rc = labels_parse("big.tsv", s, strlen(s), LABELS_AUTO, count_and_len,
	                  &total, &n, err, sizeof(err));
	CHECK_INT(rc, LABELS_OK, "2 MB line read");
	CHECK_INT(n, 2, "2 MB line: two examples");
	CHECK_INT(total, big + 1, "2 MB line: whole text");
	free(s);

	len = LABELS_MAX_LINE + 10;
	s = malloc(len + 16);
	if (!s) {
		CHECK(0, "malloc");
		return;
	}
	memcpy(s, "0\tok\n1\t", 7);
	memset(s + 7, 'y', len - 7);
	s[len] = '\0';
	rc = labels_parse("huge.tsv", s, len, LABELS_AUTO, NULL, NULL, &n, err,
	                  sizeof(err));
	CHECK_INT(rc, LABELS_ERR_DATA, "line over the limit rejected");
	CHECK(strncmp(err, "'huge.tsv': line 2: line longer than ", 37) == 0,
	      "line over the limit: message names line 2 (got '%s')", err);
	free(s);
}

static int
stop_at_two(const struct labels_example *ex, void *arg)
{
	(void)arg;
	return ex->line == 2;
}

static void
test_stop(void)
{
	char err[64] = "untouched";
	size_t n = 99;
	int rc;

	rc = labels_parse("s.tsv", "1\ta\n0\tb\n1\tc\n", 12, LABELS_AUTO,
	                  stop_at_two, NULL, &n, err, sizeof(err));
	CHECK_INT(rc, LABELS_ERR_STOP, "callback stops the reader");
	CHECK_INT(n, 1, "one example before the stop");
	CHECK_STR(err, "untouched", "no message on a stop");
}

/* Forced formats, whatever the name says. */
static void
test_forced_format(void)
{
	struct collect c = { { 0 }, 0 };
	char err[256] = "";
	int rc;

	rc = labels_parse("x.jsonl", "1\ta\n", 4, LABELS_TSV, collect, &c, NULL,
	                  err, sizeof(err));
	CHECK_INT(rc, LABELS_OK, "forced TSV");
	CHECK_STR(c.buf, "1|a|-@1;", "forced TSV example");
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		int ok;
	} v[] = {
		{ "", 1 },
		{ "plain", 1 },
		{ "\xc3\xa9", 1 },
		{ "\xe2\x82\xac", 1 },
		{ "\xf0\x9f\x98\x80", 1 },
		{ "\xf4\x8f\xbf\xbf", 1 },
		{ "\x80", 0 },
		{ "\xc3", 0 },
		{ "\xc1\xbf", 0 },
		{ "\xe0\x9f\xbf", 0 },
		{ "\xf0\x8f\xbf\xbf", 0 },
		{ "\xed\xbf\xbf", 0 },
		{ "\xf5\x80\x80\x80", 0 },
		{ "\xfe", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_INT(labels_utf8_valid(v[i].s, strlen(v[i].s)), v[i].ok,
		          "utf8 row %zu", i);
}

/* The item text of "pcmon predict": empty fields allowed there. */
static void
test_json_text(void)
{
	json_t *o = json_loads("{\"id\": 3, \"title\": \"\", \"text\": \"\"}",
	                       0, NULL);
	const char *lang = "x";
	char err[128] = "", *text = NULL;

	CHECK_INT(labels_json_text(o, 1, &text, &lang, err, sizeof(err)),
	          LABELS_OK, "empty item text allowed when predicting");
	CHECK_STR(text, "\n", "empty item text");
	CHECK(lang == NULL, "no lang");
	free(text);
	text = NULL;
	CHECK_INT(labels_json_text(o, 0, &text, &lang, err, sizeof(err)),
	          LABELS_ERR_DATA, "empty item text refused when training");
	CHECK_STR(err, "empty text", "empty item text message");
	json_decref(o);
}

int
main(void)
{
	test_cases();
	test_nul_byte();
	test_huge_lines();
	test_stop();
	test_forced_format();
	test_utf8();
	test_json_text();
	return check_done();
}
