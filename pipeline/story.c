/*
 * story.c - near-duplicate fingerprints and their banded index; see
 * story.h for the method and the measurements behind its parameters.
 *
 * The index keeps its items in one array; each of the max_dist + 1 bands
 * has an open-addressing table from a band value to the newest item with
 * that value, and the items of one value are chained through next[], so
 * a lookup walks only items that agree with the query on a whole band.
 */
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "story.h"

/* bench/stories/ compiles this file with other values to measure them */
#ifndef STORY_BENCH_SHINGLE
#define SHINGLE STORY_SHINGLE
#else
#define SHINGLE STORY_BENCH_SHINGLE
#endif
#ifndef STORY_BENCH_STRIP
#define STRIP 1
#else
#define STRIP STORY_BENCH_STRIP
#endif
#ifndef STORY_BENCH_MIN_TERMS
#define MIN_TERMS STORY_MIN_TERMS
#else
#define MIN_TERMS STORY_BENCH_MIN_TERMS
#endif

const char *
story_strerror(int code)
{
	switch (code) {
	case STORY_OK: return "success";
	case STORY_ERR_NOMEM: return "out of memory";
	case STORY_ERR_USAGE: return "bad argument";
	default: return "unknown error";
	}
}

int
story_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

static uint64_t
fnv1a(uint64_t h, const char *s, size_t n)
{
	while (n--) {
		h ^= (unsigned char)*s++;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* splitmix64's finaliser: every input bit moves every output bit */
static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------ cleaning */

/* A separator outlets put before their name: its length at p, else 0. */
static size_t
sep_at(const char *p)
{
	static const char *const seps[] = {
		" - ",
		" | ",
		" -- ",
		" :: ",
		" \xe2\x80\x94 " /* em dash */,
		" \xe2\x80\x93 " /* en dash */,
		" \xc2\xb7 " /* middle dot */,
	};
	size_t i, n;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		n = strlen(seps[i]);
		if (strncmp(p, seps[i], n) == 0)
			return n;
	}
	return 0;
}

static size_t
count_words(const char *s, size_t n)
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

/* The length of title without a trailing " - Outlet": at most 5 words
 * and 60 bytes after the last separator, at least 3 words before it. */
static size_t
title_len(const char *t)
{
	size_t n = strlen(t), i;

	for (i = n; i-- > 0 && n - i <= 64;) {
		size_t k = sep_at(t + i);

		if (!k)
			continue;
		if (count_words(t + i + k, n - i - k) <= 5 &&
		    count_words(t, i) >= 3)
			return i;
		break;
	}
	return n;
}

/* The offset of the lead after a dateline: "PARIS (Reuters) - ", "(AP) -
 * ", "WASHINGTON - ": up to 80 bytes before the first separator, ending
 * in ")" or without a lower-case ASCII letter in at most 6 words. */
static size_t
lead_start(const char *s)
{
	size_t i, j, k;

	for (i = 0; s[i] && i < 80; i++) {
		if (!(k = sep_at(s + i)))
			continue;
		if (i > 0 && s[i - 1] == ')')
			return i + k;
		for (j = 0; j < i; j++)
			if (s[j] >= 'a' && s[j] <= 'z')
				return 0;
		return count_words(s, i) <= 6 ? i + k : 0;
	}
	return 0;
}

/* The last occurrence of needle in s[0..n), or NULL. */
static const char *
find_last(const char *s, size_t n, const char *needle)
{
	const char *p = s, *last = NULL, *q;
	size_t m = strlen(needle);

	while ((q = strstr(p, needle)) && (size_t)(q - s) + m <= n) {
		last = q;
		p = q + 1;
	}
	return last;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The length of a lead without the tail a feed adds ("Read more", "The
 * post ... appeared first on ...") and without the word cut off before
 * a trailing ellipsis. */
static size_t
lead_len(const char *s, size_t n)
{
	static const char *const tails[] = {
		"Read more",          "Continue reading", "Read the full",
		"Click here to read", "The post ",
	};
	static const char *const dots[] = {
		"...",
		"\xe2\x80\xa6" /* ellipsis */,
		"[...]",
		"[\xe2\x80\xa6]",
	};
	size_t i, k;
	int cut;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		const char *p = find_last(s, n, tails[i]);

		if (!p || p == s || n - (size_t)(p - s) > 200)
			continue;
		if (i == 4 &&
		    !find_last(p, n - (size_t)(p - s), " appeared first on "))
			continue;
		n = (size_t)(p - s);
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	for (cut = 0, i = 0; i < sizeof(dots) / sizeof(dots[0]); i++) {
		if (ends_with(s, n, dots[i])) {
			k = strlen(dots[i]);
			/* "the invest..." lost the rest of its last word */
			cut = n > k && s[n - k - 1] != ' ' &&
			      s[n - k - 1] != '.';
			n -= k;
			break;
		}
	}
	if (cut)
		while (n > 0 && s[n - 1] != ' ')
			n--;
	return n;
}

/* --------------------------------------------------------- fingerprint */

struct acc {
	uint64_t *h; /* shingle hashes */
	size_t nh, cap;
	int oom;
	uint64_t ring[SHINGLE]; /* hashes of the last SHINGLE terms */
	size_t seen;            /* terms in the current part */
	size_t shingles;        /* distinct, over both parts */
	uint64_t exact;         /* hash of the whole term sequence */
	size_t terms;
};

static void
vote(struct acc *a, uint64_t s)
{
	if (a->nh == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 128;
		uint64_t *h = realloc(a->h, cap * sizeof(*h));

		if (!h) {
			a->oom = 1;
			return;
		}
		a->h = h;
		a->cap = cap;
	}
	a->h[a->nh++] = s;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

static void
on_term(const char *term, size_t len, void *arg)
{
	struct acc *a = arg;
	uint64_t s = 0;
	size_t i;

	a->ring[a->seen % SHINGLE] =
	        fnv1a(UINT64_C(0xcbf29ce484222325), term, len);
	a->seen++;
	a->terms++;
	a->exact = fnv1a(a->exact, term, len + 1); /* with the NUL */
	if (a->seen < SHINGLE)
		return;
	/* the shingle's hash depends on the order of its terms */
	for (i = 0; i < SHINGLE; i++)
		s = mix(s ^ a->ring[(a->seen + i) % SHINGLE]);
	vote(a, s);
}

/* A part shorter than a shingle still counts, as one shingle. */
static void
end_part(struct acc *a)
{
	uint64_t s = 0;
	size_t i;

	if (a->seen > 0 && a->seen < SHINGLE) {
		for (i = 0; i < a->seen; i++)
			s = mix(s ^ a->ring[i]);
		vote(a, s);
	}
	a->seen = 0;
	a->exact = fnv1a(a->exact, "\n", 1);
}

/* Tokenizes s[0..n) (copied: the tokenizer wants a NUL-terminated text). */
static int
add_part(struct acc *a, const char *s, size_t n, const char *lang,
         const struct classify_feature_opts *o)
{
	char *buf;
	int rc;

	if (n == 0)
		return 0;
	if (!(buf = malloc(n + 1)))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	rc = classify_tokenize(buf, lang, o, on_term, a);
	free(buf);
	end_part(a);
	return rc == CLASSIFY_OK ? 0 : -1;
}

uint64_t
story_fingerprint(const char *title, const char *summary, const char *lang,
                  size_t *nterms)
{
	struct classify_feature_opts o;
	struct acc a;
	size_t tn, off = 0, sn, i;
	uint64_t fp = 0;
	int v[64] = { 0 }, b;

	if (nterms)
		*nterms = 0;
	title = title ? title : "";
	summary = summary ? summary : "";
	tn = strlen(title);
	sn = strlen(summary);
	if (STRIP) {
		tn = title_len(title);
		off = lead_start(summary);
		sn = lead_len(summary + off, sn - off);
	}
	classify_feature_opts_default(&o);
	o.stem = 0;
	o.stopwords = 0;
	o.word_bigrams = 0;
	o.cjk_ngrams = 1;
	o.detect_lang = 0;
	memset(&a, 0, sizeof(a));
	a.exact = UINT64_C(0xcbf29ce484222325);
	/* title and lead apart: a new title leaves the lead's shingles be */
	if (add_part(&a, title, tn, lang, &o) != 0 ||
	    add_part(&a, summary + off, sn, lang, &o) != 0 || a.oom ||
	    a.nh == 0) {
		free(a.h);
		return 0;
	}
	/* a set of shingles, as Jaccard's: a repeated shingle ("<num>
	 * <num>" in a list of scores) votes once */
	qsort(a.h, a.nh, sizeof(*a.h), cmp_u64);
	for (i = 0; i < a.nh; i++) {
		if (i > 0 && a.h[i] == a.h[i - 1])
			continue;
		a.shingles++;
		for (b = 0; b < 64; b++)
			v[b] += (int)((a.h[i] >> b) & 1) * 2 - 1;
	}
	free(a.h);
	if (nterms)
		*nterms = a.shingles;
	if (a.shingles < MIN_TERMS)
		return mix(a.exact);
	for (b = 0; b < 64; b++)
		if (v[b] > 0)
			fp |= UINT64_C(1) << b;
	return fp;
}

/* --------------------------------------------------------------- index */

struct item {
	int64_t id, time;
	uint64_t fp;
};

/* open addressing, linear probing: band value -> newest item + 1 */
struct band {
	uint64_t *key;
	size_t *head; /* 0: empty slot */
	size_t cap;   /* a power of two */
	size_t used;
	int shift, bits;
};

struct story_index {
	int max_dist, nbands;
	struct item *items;
	size_t *next; /* n * nbands: the previous item of the same value + 1 */
	size_t n, cap;
	struct band band[STORY_DIST_MAX + 1];
};

static uint64_t
band_value(const struct band *b, uint64_t fp)
{
	/* one band of 64 bits (max_dist 0): shifting by 64 is undefined */
	return b->bits >= 64
	               ? fp
	               : (fp >> b->shift) & ((UINT64_C(1) << b->bits) - 1);
}

static size_t
slot_of(const struct band *b, uint64_t v)
{
	size_t i = (size_t)mix(v) & (b->cap - 1);

	while (b->head[i] && b->key[i] != v)
		i = (i + 1) & (b->cap - 1);
	return i;
}

static int
band_grow(struct band *b)
{
	size_t cap = b->cap ? b->cap * 2 : 64, i;
	struct band nb = *b;

	if (cap > SIZE_MAX / sizeof(uint64_t))
		return -1;
	nb.cap = cap;
	nb.key = malloc(cap * sizeof(*nb.key));
	nb.head = calloc(cap, sizeof(*nb.head));
	if (!nb.key || !nb.head) {
		free(nb.key);
		free(nb.head);
		return -1;
	}
	for (i = 0; i < b->cap; i++) {
		if (b->head[i]) {
			size_t j = slot_of(&nb, b->key[i]);

			nb.key[j] = b->key[i];
			nb.head[j] = b->head[i];
		}
	}
	free(b->key);
	free(b->head);
	*b = nb;
	return 0;
}

int
story_index_create(int max_dist, struct story_index **out)
{
	struct story_index *idx;
	int b, shift = 0;

	*out = NULL;
	if (max_dist < 0 || max_dist > STORY_DIST_MAX)
		return STORY_ERR_USAGE;
	if (!(idx = calloc(1, sizeof(*idx))))
		return STORY_ERR_NOMEM;
	idx->max_dist = max_dist;
	idx->nbands = max_dist + 1;
	/* 64 bits in nbands bands, the wider ones first */
	for (b = 0; b < idx->nbands; b++) {
		idx->band[b].shift = shift;
		idx->band[b].bits =
		        64 / idx->nbands + (b < 64 % idx->nbands ? 1 : 0);
		shift += idx->band[b].bits;
	}
	*out = idx;
	return STORY_OK;
}

void
story_index_free(struct story_index *idx)
{
	int b;

	if (!idx)
		return;
	for (b = 0; b < idx->nbands; b++) {
		free(idx->band[b].key);
		free(idx->band[b].head);
	}
	free(idx->items);
	free(idx->next);
	free(idx);
}

size_t
story_index_size(const struct story_index *idx)
{
	return idx ? idx->n : 0;
}

int
story_index_add(struct story_index *idx, int64_t id, uint64_t fp, int64_t time)
{
	size_t nb = (size_t)idx->nbands, i;
	int b;

	if (idx->n == idx->cap) {
		size_t cap = idx->cap ? idx->cap * 2 : 256;
		struct item *it;
		size_t *nx;

		if (cap > SIZE_MAX / sizeof(size_t) / nb)
			return STORY_ERR_NOMEM;
		if (!(it = realloc(idx->items, cap * sizeof(*it))))
			return STORY_ERR_NOMEM;
		idx->items = it;
		if (!(nx = realloc(idx->next, cap * nb * sizeof(*nx))))
			return STORY_ERR_NOMEM;
		idx->next = nx;
		idx->cap = cap;
	}
	/* grow every table first, so that a failure changes nothing */
	for (b = 0; b < idx->nbands; b++) {
		struct band *bd = &idx->band[b];

		if ((bd->used + 1) * 2 > bd->cap && band_grow(bd) != 0)
			return STORY_ERR_NOMEM;
	}
	i = idx->n;
	idx->items[i].id = id;
	idx->items[i].time = time;
	idx->items[i].fp = fp;
	for (b = 0; b < idx->nbands; b++) {
		struct band *bd = &idx->band[b];
		uint64_t v = band_value(bd, fp);
		size_t s = slot_of(bd, v);

		if (!bd->head[s]) {
			bd->key[s] = v;
			bd->used++;
		}
		idx->next[i * nb + (size_t)b] = bd->head[s];
		bd->head[s] = i + 1;
	}
	idx->n++;
	return STORY_OK;
}

int
story_index_find(const struct story_index *idx, uint64_t fp, int64_t time,
                 int64_t window, int64_t *id, int *dist)
{
	size_t nb = (size_t)idx->nbands, j;
	int b, d, found = 0, best_d = 0;
	int64_t best = 0;

	for (b = 0; b < idx->nbands; b++) {
		const struct band *bd = &idx->band[b];
		uint64_t v = band_value(bd, fp);

		if (!bd->cap)
			continue;
		for (j = bd->head[slot_of(bd, v)]; j;
		     j = idx->next[(j - 1) * nb + (size_t)b]) {
			const struct item *it = &idx->items[j - 1];

			/* unsigned: no overflow for distant times */
			if (window >= 0 &&
			    (it->time > time
			             ? (uint64_t)it->time - (uint64_t)time
			             : (uint64_t)time - (uint64_t)it->time) >
			            (uint64_t)window)
				continue;
			d = story_distance(it->fp, fp);
			if (d > idx->max_dist)
				continue;
			if (!found || it->id < best ||
			    (it->id == best && d < best_d)) {
				best = it->id;
				best_d = d;
				found = 1;
			}
		}
	}
	if (found) {
		*id = best;
		if (dist)
			*dist = best_d;
	}
	return found;
}
