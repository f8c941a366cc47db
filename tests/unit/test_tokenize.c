/*
 * test_tokenize.c - classify_tokenize(): one text, its language and options
 * per row, and the terms it must give, in order, joined with "|".
 *
 * Options: "" the defaults; B no word bigrams; S no stemming; W keep stop
 * words; C CJK runs as whole words.  Stems are Snowball's (libstemmer).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "check.h"
#include "classify.h"

#include "classify/internal.h"

#define LONG64                                                                 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* clang-format off */
static const struct {
	const char *flags, *lang, *text, *want;
} rows[] = {
	/* English: stop words, stemming, bigrams of adjacent kept words */
	{ "", "en", "The police stations were closed",
	  "polic|polic station|station|station close|close" },
	{ "B", "en", "Police arrested 12 suspects in 2024",
	  "polic|arrest|<num>|suspect|<num>" },
	{ "", "en", "Hello   world", "hello|hello world|world" },
	{ "", "en", "the, the the police", "polic" },
	{ "", "en-GB", "The police", "polic" },
	{ "", "EN", "The police", "polic" },
	{ "S", "en", "The police", "police" },
	{ "W", "en", "The police", "the|the polic|polic" },
	{ "SWB", "en", "The police", "the|police" },
	/* sentence punctuation and class tokens end a bigram chain */
	{ "", "en", "Police raid. Drugs seized; arrests follow",
	  "polic|polic raid|raid|drug|drug seiz|seiz|arrest|arrest follow|follow" },
	{ "", "en", "Police seize 2 tons cocaine",
	  "polic|polic seiz|seiz|<num>|ton|ton cocain|cocain" },
	{ "", "en", "Title | Outlet\nSummary here",
	  "titl|outlet|summari" },
	/* a class token is never forged from text */
	{ "", "en", "police <num> raid", "polic|polic num|num|num raid|raid" },
	/* English apostrophes */
	{ "B", "en", "Don't panic: the officers' police's they're O'Brien",
	  "panic|offic|polic|obrien" },
	{ "B", "en", "rock'n'roll \xe2\x80\x99tis O\xe2\x80\x99Neil\xe2\x80\x99s",
	  "rocknrol|tis|oneil" },
	{ "BSW", "en", "I'm we'll you've he'd isn't", "i|we|you|he|isnt" },
	/* unknown or no language: neither stop words nor stemming */
	{ "", "xx", "The police", "the|the police|police" },
	{ "", NULL, "The police stations", "the|the police|police|police stations|stations" },
	{ "B", "english", "The police", "the|police" },
	{ "B", "", "The police", "the|police" },
	/* French: elision dropped whatever the case, apostrophe kind */
	{ "B", "fr", "Les policiers ont arr\xc3\xaat\xc3\xa9 l'homme qu'ils cherchaient",
	  "polici|arr\xc3\xaat|homm|cherch" },
	{ "", "fr", "L'accord d\xe2\x80\x99Interpol",
	  "accord|accord interpol|interpol" },
	{ "BS", "fr", "jusqu'\xc3\xa0 aujourd'hui", "aujourdhui" },
	{ "BSW", "fr", "L'\xc3\x89tat", "\xc3\xa9tat" },
	/* Italian */
	{ "B", "it", "dell'Interno, un'altra operazione della polizia",
	  "intern|altra|oper|poliz" },
	/* Spanish: accents kept */
	{ "B", "es", "Los ni\xc3\xb1os peque\xc3\xb1os corr\xc3\xad" "an",
	  "ni\xc3\xb1|peque\xc3\xb1|corr" },
	{ "B", "es", "La polic\xc3\xad" "a detuvo a los sospechosos en M\xc3\xa1laga",
	  "polic|detuv|sospech|malag" },
	{ "BS", "es", "\xc2\xbfPOLIC\xc3\x8d" "A?", "polic\xc3\xad" "a" },
	/* German: no decompounding, ß folded to ss */
	{ "B", "de", "Die Polizeibeh\xc3\xb6rde untersucht Kinderpornografie",
	  "polizeibehord|untersucht|kinderpornografi" },
	{ "B", "de", "Die Bundespolizei hat Grenzkontrollen versch\xc3\xa4rft",
	  "bundespolizei|grenzkontroll|verscharft" },
	{ "BS", "de", "Stra\xc3\x9f" "e STRASSE da\xc3\x9f", "strasse|strasse" },
	/* Portuguese, Dutch, Indonesian */
	{ "B", "pt", "A pol\xc3\xad" "cia federal prendeu os suspeitos",
	  "pol\xc3\xad" "c|federal|prend|suspeit" },
	{ "B", "pt-BR", "d'\xc3\xa1gua", "\xc3\xa1gu" },
	{ "B", "nl", "De politie heeft de verdachten gearresteerd",
	  "politie|verdacht|gearresteerd" },
	{ "B", "id", "Polisi menangkap para tersangka di Jakarta",
	  "polisi|angkap|sangka|jakarta" },
	{ "B", "in", "Polisi menangkap para tersangka", "polisi|angkap|sangka" },
	/* Russian: Cyrillic case folding, stemming, stop words */
	{ "B", "ru", "\xd0\x9f\xd0\xbe\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb8\xd1\x8f "
	  "\xd0\xb8 \xd1\x82\xd0\xb0\xd0\xbc\xd0\xbe\xd0\xb6\xd0\xbd\xd1\x8f",
	  "\xd0\xbf\xd0\xbe\xd0\xbb\xd0\xb8\xd1\x86|"
	  "\xd1\x82\xd0\xb0\xd0\xbc\xd0\xbe\xd0\xb6\xd0\xbd" },
	{ "BS", NULL, "\xd0\x9f\xd0\x9e\xd0\x9b\xd0\x98\xd0\xa6\xd0\x98\xd0\xaf",
	  "\xd0\xbf\xd0\xbe\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb8\xd1\x8f" },
	/* Chinese: character unigrams and bigrams, simplified and traditional */
	{ "", "zh", "\xe6\xb5\xb7\xe5\xa4\x96\xe8\xad\xa6\xe5\x8a\xa1\xe6\x9c\x8d\xe5\x8a\xa1\xe7\xab\x99",
	  "\xe6\xb5\xb7|\xe6\xb5\xb7\xe5\xa4\x96|\xe5\xa4\x96|\xe5\xa4\x96\xe8\xad\xa6|"
	  "\xe8\xad\xa6|\xe8\xad\xa6\xe5\x8a\xa1|\xe5\x8a\xa1|\xe5\x8a\xa1\xe6\x9c\x8d|"
	  "\xe6\x9c\x8d|\xe6\x9c\x8d\xe5\x8a\xa1|\xe5\x8a\xa1|\xe5\x8a\xa1\xe7\xab\x99|"
	  "\xe7\xab\x99" },
	{ "", "zh-Hant", "\xe8\xad\xa6\xe5\x8b\x99\xe7\xab\x99",
	  "\xe8\xad\xa6|\xe8\xad\xa6\xe5\x8b\x99|\xe5\x8b\x99|\xe5\x8b\x99\xe7\xab\x99|\xe7\xab\x99" },
	/* 我们的警察: 我, 们, 的, 我们 and 们的 are stop words */
	{ "", "zh", "\xe6\x88\x91\xe4\xbb\xac\xe7\x9a\x84\xe8\xad\xa6\xe5\xaf\x9f",
	  "\xe7\x9a\x84\xe8\xad\xa6|\xe8\xad\xa6|\xe8\xad\xa6\xe5\xaf\x9f|\xe5\xaf\x9f" },
	{ "W", "zh", "\xe6\x88\x91\xe4\xbb\xac",
	  "\xe6\x88\x91|\xe6\x88\x91\xe4\xbb\xac|\xe4\xbb\xac" },
	/* numbers split a run; no stop words without zh */
	{ "", "ja", "2024\xe5\xb9\xb4" "3\xe6\x9c\x88",
	  "<num>|\xe5\xb9\xb4|<num>|\xe6\x9c\x88" },
	{ "C", "zh", "\xe6\xb5\xb7\xe5\xa4\x96\xe8\xad\xa6\xe5\x8a\xa1",
	  "\xe6\xb5\xb7\xe5\xa4\x96\xe8\xad\xa6\xe5\x8a\xa1" },
	/* Japanese kana; half-width katakana become full-width */
	{ "", "ja", "\xe3\x81\xb2\xe3\x82\x89\xe3\x81\x8c\xe3\x81\xaa",
	  "\xe3\x81\xb2|\xe3\x81\xb2\xe3\x82\x89|\xe3\x82\x89|\xe3\x82\x89\xe3\x81\x8c|"
	  "\xe3\x81\x8c|\xe3\x81\x8c\xe3\x81\xaa|\xe3\x81\xaa" },
	{ "", NULL, "\xef\xbd\xb6\xef\xbe\x9e\xef\xbd\xb2",
	  "\xe3\x82\xac|\xe3\x82\xac\xe3\x82\xa4|\xe3\x82\xa4" },
	/* Korean Hangul, spaces between words respected */
	{ "", "ko", "\xea\xb2\xbd\xec\xb0\xb0 \xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4",
	  "\xea\xb2\xbd|\xea\xb2\xbd\xec\xb0\xb0|\xec\xb0\xb0|"
	  "\xec\x84\x9c|\xec\x84\x9c\xeb\xb9\x84|\xeb\xb9\x84|\xeb\xb9\x84\xec\x8a\xa4|\xec\x8a\xa4" },
	/* conjoining jamo compose to a syllable (NFKC) */
	{ "", NULL, "\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80" },
	/* mixed Latin and CJK: no word bigram across a run */
	{ "", "en", "Police iPhone\xe6\x89\x8b\xe6\x9c\xba seized",
	  "polic|polic iphon|iphon|\xe6\x89\x8b|\xe6\x89\x8b\xe6\x9c\xba|\xe6\x9c\xba|seiz" },
	/* NFKC: full-width forms, ligatures, compatibility digits */
	{ "B", NULL, "\xef\xbc\xb0\xef\xbc\xaf\xef\xbc\xac\xef\xbc\xa9\xef\xbc\xa3\xef\xbc\xa5",
	  "police" },
	{ "B", NULL, "\xef\xbc\xb0\xef\xbd\x8f\xef\xbd\x8c\xef\xbd\x89\xef\xbd\x83\xef\xbd\x85"
	  "\xe3\x80\x80\xef\xbc\xb2\xef\xbc\xa1\xef\xbc\xa9\xef\xbc\xa4\xef\xbc\x81\xef\xbc\xae\xef\xbc\xaf\xef\xbc\xb7",
	  "police|raid|now" },
	{ "B", NULL, "\xef\xac\x81nancial \xef\xac\x82ows", "financial|flows" },
	{ "B", NULL, "\xe2\x85\xab \xe2\x91\xa0 x\xc2\xb2 \xc2\xbd", "xii|<num>|x2|<num>|<num>" },
	/* composition: precomposed and decomposed accents are one term */
	{ "B", NULL, "caf\xc3\xa9 Caf\xc3\xa9 CAF\xc3\x89 cafe\xcc\x81",
	  "caf\xc3\xa9|caf\xc3\xa9|caf\xc3\xa9|caf\xc3\xa9" },
	/* case folding: German, Greek final sigma, Turkish I as casefold does */
	{ "B", NULL, "\xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3",
	  "\xcf\x83\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x83" },
	{ "B", NULL, "\xc4\xb0stanbul \xc4\xb1rmak ISTANBUL",
	  "i\xcc\x87stanbul|\xc4\xb1rmak|istanbul" },
	{ "B", NULL, "\xc7\x85" "emal", "d\xc5\xbe" "emal" },
	/* default ignorables vanish inside a word */
	{ "B", NULL, "po\xc2\xadlice zero\xe2\x80\x8bwidth", "police|zerowidth" },
	/* URLs, e-mail addresses, numbers */
	{ "", "en", "Visit https://x.org/a?b=1, www.europol.europa.eu. Mail john.smith@police.gov.uk now",
	  "visit|<url>|<url>|mail|<email>" },
	{ "B", NULL, "(https://europol.europa.eu/news) and HTTP://X.ORG",
	  "<url>|and|<url>" },
	{ "B", NULL, "http:// www. nothing", "http|www|nothing" },
	{ "B", NULL, "mail: A.B@Example.COM, @handle x@y a@b.c",
	  "mail|<email>|handle|x|y|a|b|c" },
	{ "B", NULL, "https://example.org/\xe8\xad\xa6\xe5\xaf\x9f",
	  "<url>|\xe8\xad\xa6|\xe8\xad\xa6\xe5\xaf\x9f|\xe5\xaf\x9f" },
	{ "B", NULL, "1.5km 3,14 1.000.000 2nd v1.2 10km",
	  "<num>|km|<num>|<num>|2nd|v1|<num>|10km" },
	{ "B", NULL, "G20 covid-19 1990s 3.", "g20|covid|<num>|1990s|<num>" },
	{ "B", NULL, "\xd9\xa3\xd9\xa4\xd9\xa5 \xd9\xa3 \xd8\xa3\xd8\xae\xd8\xa8\xd8\xa7\xd8\xb1",
	  "<num>|<num>|\xd8\xa3\xd8\xae\xd8\xa8\xd8\xa7\xd8\xb1" },
	/* invalid UTF-8: replaced, a separator */
	{ "B", NULL, "a\xff" "b \xc0\xaf" "c \xed\xa0\x80" "d \xe6\xb5", "a|b|c|d" },
	{ "B", NULL, "\xf8\x88\x80\x80\x80", "" },
	{ "B", NULL, "poli\xfe" "ce", "poli|ce" },
	/* empty and white space only */
	{ "", "en", "", "" },
	{ "", "en", "  \t\n\r\xc2\xa0\xe3\x80\x80 ", "" },
	{ "", "en", "... !!! --- ''", "" },
	/* long words: up to 64 bytes kept, longer dropped and the chain cut */
	{ "BS", NULL, LONG64 " b", LONG64 "|b" },
	{ "S", NULL, "x " LONG64 "a y", "x|y" },
	/* 21 Cyrillic letters are 42 bytes; 33 are 66 */
	{ "BS", NULL, "\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0"
	  "\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0"
	  "\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0"
	  "\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0 ok", "ok" },
	/* Thai has no spaces and is not split: one word */
	{ "B", NULL, "\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2 x", "\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2|x" },
	/* stemmers of languages without a stop list */
	{ "B", "sv", "polisen och poliser", "polis|och|polis" },
	{ "B", "tr", "polisler", "polis" },
};
/* clang-format on */

struct acc {
	char buf[4096];
	size_t len;
	int bad; /* a term broke the contract */
};

static void
collect(const char *term, size_t len, void *arg)
{
	struct acc *a = arg;

	if (strlen(term) != len)
		a->bad = 1;
	if (a->len + len + 2 >= sizeof(a->buf))
		return;
	if (a->len)
		a->buf[a->len++] = '|';
	memcpy(a->buf + a->len, term, len);
	a->len += len;
	a->buf[a->len] = '\0';
}

static void
set_flags(struct classify_feature_opts *o, const char *f)
{
	classify_feature_opts_default(o);
	if (strchr(f, 'B'))
		o->word_bigrams = 0;
	if (strchr(f, 'S'))
		o->stem = 0;
	if (strchr(f, 'W'))
		o->stopwords = 0;
	if (strchr(f, 'C'))
		o->cjk_ngrams = 0;
}

static int
run(const char *flags, const char *lang, const char *text, struct acc *a)
{
	struct classify_feature_opts o;

	set_flags(&o, flags);
	memset(a, 0, sizeof(*a));
	return classify_tokenize(text, lang, &o, collect, a);
}

static void
test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct acc a;
		int rc = run(rows[i].flags, rows[i].lang, rows[i].text, &a);

		CHECK(rc == CLASSIFY_OK && !a.bad, "row %zu: rc %d", i, rc);
		CHECK_STR(a.buf, rows[i].want, "row %zu: [%s] %s '%s'", i,
		          rows[i].flags, rows[i].lang ? rows[i].lang : "NULL",
		          rows[i].text);
	}
}

static void
test_defaults(void)
{
	struct classify_feature_opts o;

	classify_feature_opts_default(&o);
	CHECK(o.stem == 1 && o.stopwords == 1 && o.word_bigrams == 1 &&
	              o.cjk_ngrams == 1 && o.min_df == 2 &&
	              o.max_features == 200000 && o.sublinear_tf == 1,
	      "feature defaults");
}

static void
test_usage(void)
{
	struct acc a;

	memset(&a, 0, sizeof(a));
	CHECK_INT(classify_tokenize(NULL, "en", NULL, collect, &a),
	          CLASSIFY_ERR_USAGE, "NULL text");
	CHECK_INT(classify_tokenize("x", "en", NULL, NULL, NULL),
	          CLASSIFY_ERR_USAGE, "NULL callback");
	CHECK_INT(classify_tokenize("The police", "en", NULL, collect, &a),
	          CLASSIFY_OK, "NULL options: the defaults");
	CHECK_STR(a.buf, "polic", "NULL options: the defaults' terms");
}

static void
test_stoplists(void)
{
	static const char *const codes[] = { "en", "fr", "es", "it", "de",
		                             "pt", "nl", "id", "ru", "zh" };
	size_t i, j, n;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *const *w = stopwords_get(codes[i], &n);
		int sorted = 1, valid = 1;

		CHECK(w && n >= 50 && n <= 150, "stop list %s: %zu words",
		      codes[i], n);
		for (j = 0; w && j < n; j++) {
			utf8proc_uint8_t *m = NULL;

			if (j > 0 && strcmp(w[j - 1], w[j]) >= 0)
				sorted = 0;
			/* already folded and normalised, as terms are */
			utf8proc_map((const utf8proc_uint8_t *)w[j], 0, &m,
			             UTF8PROC_NULLTERM | UTF8PROC_COMPOSE |
			                     UTF8PROC_COMPAT |
			                     UTF8PROC_CASEFOLD);
			if (!m || strcmp((char *)m, w[j]) != 0)
				valid = 0;
			free(m);
		}
		CHECK(sorted, "stop list %s: sorted, no duplicates", codes[i]);
		CHECK(valid, "stop list %s: case-folded NFKC", codes[i]);
	}
	CHECK(stopwords_get("sv", &n) == NULL && n == 0, "no Swedish list");
}

/* every term of random bytes: NUL-free valid UTF-8, no tab or newline */
static void
check_term(const char *term, size_t len, void *arg)
{
	int *bad = arg;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)term;
	utf8proc_int32_t c;
	size_t i = 0;

	if (len == 0 || strlen(term) != len || len > 129)
		*bad = 1;
	while (i < len) {
		utf8proc_ssize_t k = utf8proc_iterate(p + i, len - i, &c);

		if (k <= 0 || c == '\t' || c == '\n' || c == 0) {
			*bad = 1;
			return;
		}
		i += (size_t)k;
	}
}

static void
test_random(void)
{
	static const char *const langs[] = { NULL, "en", "fr", "ru", "zh" };
	unsigned x = 12345;
	char text[512];
	int bad = 0, rc = CLASSIFY_OK, r, i;
	size_t j;

	for (r = 0; r < 2000 && !bad && rc == CLASSIFY_OK; r++) {
		size_t len = (size_t)(r % 500);

		for (j = 0; j < len; j++) {
			x = x * 1103515245u + 12345u;
			/* mostly ASCII letters, some high bytes */
			i = (int)((x >> 16) & 0xff);
			text[j] = (char)(i < 96    ? 'a' + i % 26
			                 : i < 128 ? ' '
			                           : i);
		}
		text[len] = '\0';
		rc = classify_tokenize(text, langs[r % 5], NULL, check_term,
		                       &bad);
	}
	CHECK(rc == CLASSIFY_OK && !bad, "random bytes: valid terms only");
}

/* fn may call the tokenizer again: it gets its own context */
struct nested {
	struct acc outer, inner;
};

static void
nested_term(const char *term, size_t len, void *arg)
{
	struct nested *n = arg;

	collect(term, len, &n->outer);
	classify_tokenize("Stations closed", "en", NULL, collect, &n->inner);
}

static void
test_nested(void)
{
	struct nested n;
	int rc;

	memset(&n, 0, sizeof(n));
	rc = classify_tokenize("Police raid", "en", NULL, nested_term, &n);
	CHECK(rc == CLASSIFY_OK, "nested call");
	CHECK_STR(n.outer.buf, "polic|polic raid|raid", "nested: outer terms");
	CHECK_STR(n.inner.buf,
	          "station|station close|close|station|station close|close|"
	          "station|station close|close",
	          "nested: inner terms");
}

/* threads tokenise at once with their own stemmers */
static void *
thread_main(void *arg)
{
	struct acc *a = arg;
	int i;

	for (i = 0; i < 200; i++)
		run("", i % 2 ? "en" : "de", "The police stations were closed",
		    a);
	return NULL;
}

static void
test_threads(void)
{
	pthread_t th[4];
	struct acc a[4];
	int i, started = 0;

	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, thread_main, &a[i]) == 0)
			started++;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(started, 4, "threads started");
	for (i = 0; i < started; i++)
		CHECK_STR(a[i].buf,
		          "polic|polic station|station|station close|close",
		          "thread %d", i);
}

int
main(void)
{
	test_defaults();
	test_rows();
	test_usage();
	test_stoplists();
	test_random();
	test_nested();
	test_threads();
	return check_done();
}
