/*
 * simhash.c - near-duplicate fingerprints and their index; see simhash.h.
 */
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "simhash.h"

#define NBANDS    (SIMHASH_MAX_DIST + 1)
#define BAND_BITS (64 / NBANDS)
#define BUCKETS   (1u << BAND_BITS)

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

struct votes {
	int v[64];
	uint64_t prev;
	int have_prev;
	size_t n;
};

static void
on_term(const char *term, size_t len, void *arg)
{
	struct votes *vs = arg;
	uint64_t h = fnv1a(term, len), s;
	int b;

	if (vs->have_prev) {
		s = mix(vs->prev * UINT64_C(0x9e3779b97f4a7c15) ^ h);
		for (b = 0; b < 64; b++)
			vs->v[b] += (s >> b) & 1 ? 1 : -1;
		vs->n++;
	}
	vs->prev = h;
	vs->have_prev = 1;
}

static int
dash_at(const char *p)
{
	return strncmp(p, " - ", 3) == 0 || strncmp(p, " | ", 3) == 0 ||
	       strncmp(p, " \xe2\x80\x94 ", 5) == 0 || /* em dash */
	       strncmp(p, " \xe2\x80\x93 ", 5) == 0 || /* en dash */
	       strncmp(p, " -- ", 4) == 0;
}

static size_t
words(const char *s, size_t n)
{
	size_t w = 0, i;
	int in = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ') {
			in = 0;
		} else if (!in) {
			in = 1;
			w++;
		}
	}
	return w;
}

/* The title without a trailing " - Outlet" (at most 4 words, with more
 * before it): its length. */
static size_t
title_core(const char *t)
{
	size_t n = strlen(t), i;

	for (i = n; i-- > 0;) {
		if (dash_at(t + i) && words(t + i, n - i) <= 5 &&
		    words(t, i) >= 4)
			return i;
		if (n - i > 60)
			break;
	}
	return n;
}

/* The summary after a leading dateline such as "BEIJING (Reuters) -": the
 * offset of the text. */
static size_t
summary_start(const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < 48; i++) {
		if (dash_at(s + i)) {
			/* a dateline is short and names an agency in
			 * parentheses, or is in capitals */
			int paren = memchr(s, '(', i) != NULL, upper = 1;
			size_t j;

			for (j = 0; j < i; j++)
				if (s[j] >= 'a' && s[j] <= 'z')
					upper = 0;
			if ((paren || upper) && words(s, i) <= 4)
				return i + (s[i + 1] == '-' && s[i + 2] == '-'
				                    ? 4
				                    : s[i + 1] == '-' || s[i + 1] == '|'
				                              ? 3
				                              : 5);
			break;
		}
	}
	return 0;
}

uint64_t
simhash_item(const char *title, const char *summary, const char *lang,
             size_t *nterms)
{
	struct classify_feature_opts o;
	struct votes vs;
	uint64_t fp = 0;
	char *text;
	size_t tl, off, sl;
	int b;

	*nterms = 0;
	title = title ? title : "";
	summary = summary ? summary : "";
	tl = title_core(title);
	off = summary_start(summary);
	sl = strlen(summary + off);
	if (!(text = malloc(tl + sl + 2)))
		return 0;
	memcpy(text, title, tl);
	text[tl] = '\n';
	memcpy(text + tl + 1, summary + off, sl + 1);
	classify_feature_opts_default(&o);
	o.stem = 0;
	o.stopwords = 0;
	o.word_bigrams = 0;
	o.cjk_ngrams = 1;
	o.detect_lang = 0;
	memset(&vs, 0, sizeof(vs));
	classify_tokenize(text, lang, &o, on_term, &vs);
	free(text);
	for (b = 0; b < 64; b++)
		if (vs.v[b] > 0)
			fp |= UINT64_C(1) << b;
	*nterms = vs.n;
	return vs.n ? fp : 0;
}

/* ---------------------------------------------------------------- index */

struct entry {
	int64_t id, time;
	uint64_t fp;
	uint32_t next[NBANDS]; /* 0: end of the chain; else index + 1 */
};

struct simhash_index {
	struct entry *e;
	size_t n, cap;
	uint32_t *head[NBANDS]; /* BUCKETS each */
};

static unsigned
band(uint64_t fp, int b)
{
	return (unsigned)((fp >> (b * BAND_BITS)) & (BUCKETS - 1));
}

struct simhash_index *
simhash_index_create(void)
{
	struct simhash_index *ix = calloc(1, sizeof(*ix));
	int b;

	if (!ix)
		return NULL;
	for (b = 0; b < NBANDS; b++)
		if (!(ix->head[b] = calloc(BUCKETS, sizeof(uint32_t)))) {
			simhash_index_free(ix);
			return NULL;
		}
	return ix;
}

void
simhash_index_free(struct simhash_index *ix)
{
	int b;

	if (!ix)
		return;
	for (b = 0; b < NBANDS; b++)
		free(ix->head[b]);
	free(ix->e);
	free(ix);
}

int
simhash_index_add(struct simhash_index *ix, int64_t id, uint64_t fp,
                  int64_t time)
{
	struct entry *e;
	int b;

	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 1024;

		if (cap >= UINT32_MAX)
			return -1;
		if (!(e = realloc(ix->e, cap * sizeof(*e))))
			return -1;
		ix->e = e;
		ix->cap = cap;
	}
	e = &ix->e[ix->n];
	e->id = id;
	e->time = time;
	e->fp = fp;
	for (b = 0; b < NBANDS; b++) {
		unsigned k = band(fp, b);

		e->next[b] = ix->head[b][k];
		ix->head[b][k] = (uint32_t)(ix->n + 1);
	}
	ix->n++;
	return 0;
}

int
simhash_index_find(const struct simhash_index *ix, uint64_t fp,
                   size_t nterms, int64_t time, int64_t window, int64_t *id,
                   int *dist)
{
	int max = nterms < SIMHASH_MIN_TERMS ? 0 : SIMHASH_MAX_DIST;
	int b, d, found = 0;
	uint32_t i;

	for (b = 0; b < NBANDS; b++) {
		for (i = ix->head[b][band(fp, b)]; i; i = ix->e[i - 1].next[b]) {
			const struct entry *e = &ix->e[i - 1];
			int64_t dt = e->time - time;

			if (band(e->fp, b) != band(fp, b))
				continue;
			if (dt > window || dt < -window)
				continue;
			d = __builtin_popcountll(e->fp ^ fp);
			if (d > max)
				continue;
			if (!found || e->id < *id) {
				*id = e->id;
				*dist = d;
				found = 1;
			}
		}
	}
	return found;
}
