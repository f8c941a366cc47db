/*
 * test_vocab.c - the vocabulary: document frequencies, min_df, max_features
 * and idf on a small hand-made data set, vectors, the file section and its
 * validation (one corrupt input per row, with the line it must name).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
/* -Icrawler comes first: crawler/ has an internal.h too */
#include "classify/internal.h"

/* clang-format off */
static struct classify_example docs[] = {
	{ "1", "police raid city", "en", NULL, 0 },
	{ "1", "police arrest city", "en", NULL, 0 },
	{ "1", "police raid", "en", NULL, 0 },
	{ "0", "weather sunny", NULL, NULL, 0 },
};
/* clang-format on */

static struct classify_dataset ds = { docs, 4, 4 };

/* plain words: no stemming, stop words or bigrams */
static void
plain_opts(struct classify_feature_opts *o, int min_df, size_t max_features)
{
	classify_feature_opts_default(o);
	o->stem = 0;
	o->stopwords = 0;
	o->word_bigrams = 0;
	o->min_df = min_df;
	o->max_features = max_features;
}

/* the terms of v joined with "|" */
static const char *
terms(const struct classify_vocab *v)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 1; i <= vocab_size(v); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		                        i > 1 ? "|" : "",
		                        vocab_term(v, (int)i));
	return buf;
}

static char *
write_str(const struct classify_vocab *v)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);
	int rc;

	if (!fp)
		return NULL;
	rc = vocab_write(v, fp);
	fclose(fp);
	if (rc != CLASSIFY_OK) {
		free(s);
		return NULL;
	}
	return s;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

static void
test_build(void)
{
	struct classify_feature_opts o;
	struct classify_vocab *v;
	char err[256];
	size_t idx[] = { 3, 0 };
	int rc;

	plain_opts(&o, 2, 0);
	rc = vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err));
	CHECK_INT(rc, CLASSIFY_OK, "build: min_df 2");
	if (rc != CLASSIFY_OK)
		return;
	/* df: police 3, raid 2, city 2, arrest/weather/sunny 1; by term */
	CHECK_STR(terms(v), "city|police|raid", "min_df 2: terms");
	CHECK(near(vocab_idf(v, 1), log(5.0 / 3.0) + 1.0), "idf city");
	CHECK(near(vocab_idf(v, 2), log(5.0 / 4.0) + 1.0), "idf police");
	CHECK(near(vocab_idf(v, 3), log(5.0 / 3.0) + 1.0), "idf raid");
	CHECK(vocab_term(v, 0) == NULL && vocab_term(v, 4) == NULL,
	      "terms outside 1..n: NULL");
	CHECK(vocab_opts(v)->min_df == 2 && vocab_opts(v)->stem == 0,
	      "options kept");
	vocab_free(v);

	plain_opts(&o, 1, 0);
	rc = vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err));
	CHECK_INT(rc, CLASSIFY_OK, "build: min_df 1");
	if (rc == CLASSIFY_OK) {
		CHECK_STR(terms(v), "arrest|city|police|raid|sunny|weather",
		          "min_df 1: terms");
		CHECK(near(vocab_idf(v, 1), log(5.0 / 2.0) + 1.0),
		      "idf arrest");
		vocab_free(v);
	}

	/* the two most frequent: police, then city before raid (tie) */
	plain_opts(&o, 1, 2);
	rc = vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err));
	CHECK_INT(rc, CLASSIFY_OK, "build: max_features 2");
	if (rc == CLASSIFY_OK) {
		CHECK_STR(terms(v), "city|police", "max_features 2: terms");
		vocab_free(v);
	}

	/* a subset: N is 2 */
	plain_opts(&o, 1, 0);
	rc = vocab_build(&ds, idx, 2, &o, &v, err, sizeof(err));
	CHECK_INT(rc, CLASSIFY_OK, "build: idx subset");
	if (rc == CLASSIFY_OK) {
		CHECK_STR(terms(v), "city|police|raid|sunny|weather",
		          "subset: terms");
		CHECK(near(vocab_idf(v, 2), log(3.0 / 2.0) + 1.0),
		      "subset: idf police");
		vocab_free(v);
	}

	/* a term twice in one document counts once */
	{
		struct classify_example e[] = { { "1", "a a a b", NULL, NULL, 0 },
			                        { "0", "b b", NULL, NULL, 0 } };
		struct classify_dataset d = { e, 2, 2 };

		plain_opts(&o, 2, 0);
		rc = vocab_build(&d, NULL, 0, &o, &v, err, sizeof(err));
		CHECK_INT(rc, CLASSIFY_OK, "build: repeated terms");
		if (rc == CLASSIFY_OK) {
			CHECK_STR(terms(v), "b", "df counts documents");
			vocab_free(v);
		}
	}
}

static void
test_build_errors(void)
{
	struct classify_feature_opts o;
	struct classify_vocab *v = (struct classify_vocab *)&v;
	struct classify_dataset empty = { NULL, 0, 0 };
	char err[256];
	size_t bad[] = { 0, 4 };

	plain_opts(&o, 2, 0);
	CHECK_INT(vocab_build(&empty, NULL, 0, &o, &v, err, sizeof(err)),
	          CLASSIFY_ERR_DATA, "no examples");
	CHECK(v == NULL, "no examples: *out NULL");
	plain_opts(&o, 5, 0);
	CHECK_INT(vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err)),
	          CLASSIFY_ERR_DATA, "min_df above every df");
	CHECK_STR(err, "no term occurs in 5 or more documents",
	          "min_df message");
	plain_opts(&o, 1, 0);
	CHECK_INT(vocab_build(&ds, bad, 2, &o, &v, err, sizeof(err)),
	          CLASSIFY_ERR_USAGE, "index out of range");
	plain_opts(&o, 1, 0);
	o.stem = 2;
	CHECK_INT(vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err)),
	          CLASSIFY_ERR_USAGE, "options out of range");
}

static void
test_determinism(void)
{
	struct classify_example rev[4];
	struct classify_dataset d = { rev, 4, 4 };
	struct classify_feature_opts o;
	struct classify_vocab *a = NULL, *b = NULL, *c = NULL;
	char err[256], *sa = NULL, *sb = NULL, *sc = NULL;
	size_t i;

	for (i = 0; i < 4; i++)
		rev[i] = docs[3 - i];
	classify_feature_opts_default(&o);
	o.min_df = 1;
	if (vocab_build(&ds, NULL, 0, &o, &a, err, sizeof(err)) == 0 &&
	    vocab_build(&ds, NULL, 0, &o, &b, err, sizeof(err)) == 0 &&
	    vocab_build(&d, NULL, 0, &o, &c, err, sizeof(err)) == 0) {
		sa = write_str(a);
		sb = write_str(b);
		sc = write_str(c);
	}
	CHECK(sa && sb && sc, "three builds");
	CHECK(sa && sb && strcmp(sa, sb) == 0, "same data, same vocabulary");
	CHECK(sa && sc && strcmp(sa, sc) == 0,
	      "documents in another order, same vocabulary");
	free(sa);
	free(sb);
	free(sc);
	vocab_free(a);
	vocab_free(b);
	vocab_free(c);
}

static double
norm2(const struct svm_node *x, size_t n)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i].value * x[i].value;
	return sqrt(s);
}

static int
sorted(const struct svm_node *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i].index < 1 || (i > 0 && x[i].index <= x[i - 1].index))
			return 0;
	return x[n].index == -1;
}

static void
test_vectorize(void)
{
	struct classify_feature_opts o;
	struct classify_vocab *v;
	struct svm_node *x = NULL;
	char err[256];
	size_t n;
	double wp, wr, len;
	int rc;

	plain_opts(&o, 2, 0); /* city 1, police 2, raid 3 */
	if (vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err)) != 0) {
		CHECK(0, "vectorize: build");
		return;
	}
	rc = vocab_vectorize(v, "Raid, police, POLICE and unknown words", "en",
	                     &x, &n);
	CHECK_INT(rc, CLASSIFY_OK, "vectorize");
	CHECK_INT(n, 2, "unknown terms dropped");
	if (rc == CLASSIFY_OK && n == 2) {
		CHECK(sorted(x, n), "indexes sorted, terminated by -1");
		CHECK(x[0].index == 2 && x[1].index == 3, "police, raid");
		/* sublinear: police 1 + ln 2, raid 1; times idf; L2 */
		wp = (1.0 + log(2.0)) * vocab_idf(v, 2);
		wr = 1.0 * vocab_idf(v, 3);
		len = sqrt(wp * wp + wr * wr);
		CHECK(near(x[0].value, wp / len), "police weight");
		CHECK(near(x[1].value, wr / len), "raid weight");
		CHECK(fabs(norm2(x, n) - 1.0) < 1e-9, "L2 norm 1");
	}
	free(x);

	rc = vocab_vectorize(v, "", "en", &x, &n);
	CHECK(rc == CLASSIFY_OK && n == 0 && x && x[0].index == -1,
	      "empty text: no nodes, a terminator");
	free(x);
	rc = vocab_vectorize(v, "nothing known here", NULL, &x, &n);
	CHECK(rc == CLASSIFY_OK && n == 0 && x && x[0].index == -1,
	      "unknown words only: no nodes");
	free(x);
	vocab_free(v);

	/* raw tf */
	plain_opts(&o, 2, 0);
	o.sublinear_tf = 0;
	if (vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err)) == 0) {
		rc = vocab_vectorize(v, "police police raid", NULL, &x, &n);
		if (rc == CLASSIFY_OK && n == 2) {
			wp = 2.0 * vocab_idf(v, 2);
			wr = vocab_idf(v, 3);
			len = sqrt(wp * wp + wr * wr);
			CHECK(near(x[0].value, wp / len), "raw tf weight");
		} else {
			CHECK(0, "raw tf vectorize");
		}
		free(x);
		vocab_free(v);
	}
}

/* the default features over a larger text: many nodes, still in order */
static void
test_vectorize_many(void)
{
	struct classify_example e[3] = {
		{ "1",
		  "Police in Rome arrested 12 suspects of a smuggling ring "
		  "working across borders with Europol.",
		  "en", NULL, 0 },
		{ "1",
		  "Europol and police in Madrid arrested suspects of "
		  "smuggling across borders.",
		  "en", NULL, 0 },
		{ "0",
		  "\xe6\xb5\xb7\xe5\xa4\x96\xe8\xad\xa6\xe5\x8a\xa1 "
		  "\xe6\xb5\xb7\xe5\xa4\x96\xe8\xad\xa6\xe5\x8a\xa1",
		  "zh", NULL, 0 },
	};
	struct classify_dataset d = { e, 3, 3 };
	struct classify_feature_opts o;
	struct classify_vocab *v;
	struct svm_node *x = NULL;
	char err[256];
	size_t n;
	int rc;

	classify_feature_opts_default(&o);
	o.min_df = 1;
	if (vocab_build(&d, NULL, 0, &o, &v, err, sizeof(err)) != 0) {
		CHECK(0, "defaults: build");
		return;
	}
	rc = vocab_vectorize(v, e[0].text, "en", &x, &n);
	CHECK(rc == CLASSIFY_OK && n > 10 && sorted(x, n),
	      "defaults: %zu nodes, sorted", n);
	CHECK(rc == CLASSIFY_OK && fabs(norm2(x, n) - 1.0) < 1e-9,
	      "defaults: L2 norm 1");
	free(x);
	rc = vocab_vectorize(v, e[2].text, "zh", &x, &n);
	/* 海 海外 外 外警 警 警务 务: seven terms, each twice */
	CHECK(rc == CLASSIFY_OK && n == 7 && sorted(x, n),
	      "defaults: CJK terms, %zu", n);
	free(x);
	vocab_free(v);
}

/* field by field: structs have padding */
static int
opts_equal(const struct classify_feature_opts *a,
           const struct classify_feature_opts *b)
{
	return a->stem == b->stem && a->stopwords == b->stopwords &&
	       a->word_bigrams == b->word_bigrams &&
	       a->cjk_ngrams == b->cjk_ngrams && a->min_df == b->min_df &&
	       a->max_features == b->max_features &&
	       a->sublinear_tf == b->sublinear_tf;
}

static void
test_round_trip(void)
{
	struct classify_feature_opts o;
	struct classify_vocab *v = NULL, *r = NULL;
	struct svm_node *x = NULL, *y = NULL;
	char err[256] = "", *s = NULL, *s2 = NULL, next[64] = "";
	size_t i, nx = 0, ny = 0, len;
	long line = 7;
	FILE *fp;
	int rc, same;

	classify_feature_opts_default(&o);
	o.min_df = 1;
	o.max_features = 1000;
	o.word_bigrams = 0;
	o.sublinear_tf = 0;
	if (vocab_build(&ds, NULL, 0, &o, &v, err, sizeof(err)) != 0 ||
	    !(s = write_str(v))) {
		CHECK(0, "round trip: build and write");
		vocab_free(v);
		return;
	}
	len = strlen(s);
	s2 = malloc(len + 20);
	if (!s2)
		return;
	memcpy(s2, s, len);
	memcpy(s2 + len, "next section\n", 14);
	fp = fmemopen(s2, len + 13, "r");
	rc = fp ? vocab_read(fp, &line, &r, err, sizeof(err)) : -1;
	CHECK_INT(rc, CLASSIFY_OK, "round trip: read (%s)", err);
	if (rc == CLASSIFY_OK) {
		CHECK_INT(line, 7 + 2 + (long)vocab_size(v),
		          "line counter advanced");
		CHECK(fgets(next, sizeof(next), fp) &&
		              strcmp(next, "next section\n") == 0,
		      "reading stops after the section");
		same = vocab_size(r) == vocab_size(v) &&
		       opts_equal(vocab_opts(r), vocab_opts(v));
		for (i = 1; same && i <= vocab_size(v); i++)
			same = strcmp(vocab_term(r, (int)i),
			              vocab_term(v, (int)i)) == 0 &&
			       vocab_idf(r, (int)i) == vocab_idf(v, (int)i);
		CHECK(same, "round trip: options, terms, idf bit for bit");
		vocab_vectorize(v, "The police raided the city", "en", &x, &nx);
		vocab_vectorize(r, "The police raided the city", "en", &y, &ny);
		same = x && y && nx == ny && nx > 0;
		for (i = 0; same && i <= nx; i++)
			same = x[i].index == y[i].index &&
			       x[i].value == y[i].value;
		CHECK(same, "round trip: same vectors");
	}
	if (fp)
		fclose(fp);
	free(x);
	free(y);
	free(s);
	free(s2);
	vocab_free(v);
	vocab_free(r);
}

#define OPTS                                                                   \
	"vocab_features stem=1 stopwords=1 word_bigrams=1 cjk_ngrams=1 "       \
	"min_df=2 max_features=200000 sublinear_tf=1\n"

/* clang-format off */
static const struct {
	const char *name, *text;
	long line; /* relative to a counter starting at 10 */
} corrupt[] = {
	{ "empty input", "", 1 },
	{ "options: value 2", "vocab_features stem=2 stopwords=1 word_bigrams=1 cjk_ngrams=1 min_df=2 max_features=200000 sublinear_tf=1\n", 1 },
	{ "options: missing key", "vocab_features stem=1 stopwords=1 word_bigrams=1 cjk_ngrams=1 min_df=2 sublinear_tf=1\n", 1 },
	{ "options: negative", "vocab_features stem=1 stopwords=1 word_bigrams=1 cjk_ngrams=1 min_df=-2 max_features=200000 sublinear_tf=1\n", 1 },
	{ "options: trailing", "vocab_features stem=1 stopwords=1 word_bigrams=1 cjk_ngrams=1 min_df=2 max_features=200000 sublinear_tf=1 x=1\n", 1 },
	{ "options: huge max_features", "vocab_features stem=1 stopwords=1 word_bigrams=1 cjk_ngrams=1 min_df=2 max_features=99999999999999999999 sublinear_tf=1\n", 1 },
	{ "options only", OPTS, 2 },
	{ "count: not a number", OPTS "vocab_terms x\n", 2 },
	{ "count: zero", OPTS "vocab_terms 0\n", 2 },
	{ "count: negative", OPTS "vocab_terms -1\n", 2 },
	{ "count: above max_features", "vocab_features stem=1 stopwords=1 word_bigrams=1 cjk_ngrams=1 min_df=2 max_features=1 sublinear_tf=1\nvocab_terms 2\n1\t1.5\ta\n2\t1.5\tb\n", 2 },
	{ "count: more than the lines", OPTS "vocab_terms 3\n1\t1.5\ta\n2\t1.5\tb\n", 5 },
	{ "index: repeated", OPTS "vocab_terms 2\n1\t1.5\ta\n1\t1.5\tb\n", 4 },
	{ "index: skipped", OPTS "vocab_terms 2\n1\t1.5\ta\n3\t1.5\tb\n", 4 },
	{ "index: zero", OPTS "vocab_terms 1\n0\t1.5\ta\n", 3 },
	{ "index: leading zero", OPTS "vocab_terms 1\n01\t1.5\ta\n", 3 },
	{ "idf: NaN", OPTS "vocab_terms 1\n1\tnan\ta\n", 3 },
	{ "idf: NaN digits", OPTS "vocab_terms 2\n1\t1.5\ta\n2\t1nan\tb\n", 4 },
	{ "idf: infinite", OPTS "vocab_terms 1\n1\t1e999\ta\n", 3 },
	{ "idf: zero", OPTS "vocab_terms 1\n1\t0\ta\n", 3 },
	{ "idf: negative", OPTS "vocab_terms 1\n1\t-1.5\ta\n", 3 },
	{ "idf: missing", OPTS "vocab_terms 1\n1\t\ta\n", 3 },
	{ "no tabs", OPTS "vocab_terms 1\n1 1.5 a\n", 3 },
	{ "term: empty", OPTS "vocab_terms 1\n1\t1.5\t\n", 3 },
	{ "term: bad UTF-8", OPTS "vocab_terms 1\n1\t1.5\ta\xff\n", 3 },
	{ "term: tab", OPTS "vocab_terms 1\n1\t1.5\ta\tb\n", 3 },
	{ "term: carriage return", OPTS "vocab_terms 1\n1\t1.5\ta\r\n", 3 },
	{ "terms: out of order", OPTS "vocab_terms 2\n1\t1.5\tb\n2\t1.5\ta\n", 4 },
	{ "terms: duplicate", OPTS "vocab_terms 2\n1\t1.5\ta\n2\t1.5\ta\n", 4 },
	{ "last line unterminated", OPTS "vocab_terms 1\n1\t1.5\ta", 3 },
};
/* clang-format on */

static void
test_corrupt(void)
{
	char want[32], err[256];
	size_t i;

	for (i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		struct classify_vocab *v = (struct classify_vocab *)&v;
		const char *t = corrupt[i].text;
		long line = 10;
		FILE *fp;
		int rc;

		/* fmemopen() refuses a zero size */
		fp = *t ? fmemopen((void *)t, strlen(t), "r")
		        : fopen("/dev/null", "r");
		if (!fp) {
			CHECK(0, "corrupt: %s: open", corrupt[i].name);
			continue;
		}
		err[0] = '\0';
		rc = vocab_read(fp, &line, &v, err, sizeof(err));
		fclose(fp);
		snprintf(want, sizeof(want),
		         "line %ld: ", 10 + corrupt[i].line);
		CHECK(rc == CLASSIFY_ERR_CORRUPT && v == NULL &&
		              strncmp(err, want, strlen(want)) == 0,
		      "corrupt: %s: rc %d, '%s'", corrupt[i].name, rc, err);
	}
}

/* a long term, the longest a bigram can be, reads back */
static void
test_long_term(void)
{
	char text[400], term[200], err[256];
	struct classify_vocab *v = NULL;
	long line = 0;
	FILE *fp;
	int rc;

	memset(term, 'x', 129);
	term[129] = '\0';
	snprintf(text, sizeof(text), OPTS "vocab_terms 1\n1\t2.5\t%s\n", term);
	fp = fmemopen(text, strlen(text), "r");
	rc = fp ? vocab_read(fp, &line, &v, err, sizeof(err)) : -1;
	CHECK(rc == CLASSIFY_OK && v && vocab_size(v) == 1 &&
	              strcmp(vocab_term(v, 1), term) == 0 &&
	              vocab_idf(v, 1) == 2.5 && line == 3,
	      "129-byte term");
	if (fp)
		fclose(fp);
	vocab_free(v);
}

int
main(void)
{
	test_build();
	test_build_errors();
	test_determinism();
	test_vectorize();
	test_vectorize_many();
	test_round_trip();
	test_corrupt();
	test_long_term();
	return check_done();
}
