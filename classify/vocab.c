/*
 * vocab.c - the vocabulary: terms, document frequencies and idf, and the
 * text -> sparse TF-IDF vector that every model sees.
 *
 * Invariants of a struct classify_vocab: terms are unique, sorted by bytes
 * and numbered 1..n in that order (so the same data gives the same file);
 * every idf is finite and > 0; the feature options are those it was built
 * with, and vectorising always tokenises with them.  Once built or read it
 * is never written again, so threads may share it.
 *
 * Both hash tables (counting while building, lookup while vectorising) are
 * open addressing with linear probing over a power-of-two table.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

#define VOCAB_MAX_TERMS  ((size_t)50000000) /* also bounds max_features */
#define VOCAB_MAX_POOL   ((size_t)1 << 31)  /* bytes of distinct terms */
#define VOCAB_TERM_MAX   256 /* longer than any term classify_tokenize makes */
#define VOCAB_LINE_MAX   (VOCAB_TERM_MAX + 64)
#define VOCAB_MIN_DF_MAX 1000000000

struct classify_vocab {
	struct classify_feature_opts opts;
	size_t n;
	char *pool;  /* the terms, NUL-terminated, in index order */
	size_t *off; /* [n + 2]: term i is pool + off[i], off[n+1] the end */
	double *idf; /* [n + 1] */
	/* [mask + 1]; index 0: empty.  A slot holds what a probe compares
	 * (hash tag, length, where the term is), so a lookup touches one
	 * slot and, on a tag match, the term's bytes: no third array. */
	struct vslot *slot;
	size_t mask;
};

struct vslot {
	uint32_t tag;   /* high 32 bits of the term's hash */
	uint32_t index; /* 1..n; 0: empty */
	uint32_t off;   /* in the pool (the pool is < 2^31 bytes) */
	uint32_t len;
};

/* smallest power of two >= 2 * n, at least 16 */
static size_t
table_size(size_t n)
{
	size_t s = 16;

	while (s < n * 2)
		s *= 2;
	return s;
}

void
vocab_free(struct classify_vocab *v)
{
	if (!v)
		return;
	free(v->pool);
	free(v->off);
	free(v->idf);
	free(v->slot);
	free(v);
}

size_t
vocab_size(const struct classify_vocab *v)
{
	return v->n;
}

const char *
vocab_term(const struct classify_vocab *v, int index)
{
	if (index < 1 || (size_t)index > v->n)
		return NULL;
	return v->pool + v->off[index];
}

double
vocab_idf(const struct classify_vocab *v, int index)
{
	if (index < 1 || (size_t)index > v->n)
		return 0.0;
	return v->idf[index];
}

const struct classify_feature_opts *
vocab_opts(const struct classify_vocab *v)
{
	return &v->opts;
}

/* Room for n terms (and pool bytes when not 0); -1: no memory. */
static int
vocab_reserve(struct classify_vocab *v, size_t n, size_t pool)
{
	size_t *off;
	double *idf;

	if (pool) {
		char *p = realloc(v->pool, pool);

		if (!p)
			return -1;
		v->pool = p;
	}
	off = realloc(v->off, (n + 2) * sizeof(*off));
	if (!off)
		return -1;
	v->off = off;
	idf = realloc(v->idf, (n + 1) * sizeof(*idf));
	if (!idf)
		return -1;
	v->idf = idf;
	return 0;
}

/* The hash table over terms 1..v->n; -1: no memory or a duplicate. */
static int vocab_insert(struct classify_vocab *v, size_t x);

static int
vocab_index(struct classify_vocab *v)
{
	size_t i;

	v->mask = table_size(v->n) - 1;
	v->slot = calloc(v->mask + 1, sizeof(*v->slot));
	if (!v->slot)
		return -1;
	for (i = 1; i <= v->n; i++)
		if (vocab_insert(v, i) != 0)
			return -1;
	return 0;
}

/* Index of term, 0 when absent. */
static int
vocab_lookup(const struct classify_vocab *v, const char *t, size_t len,
             uint64_t h)
{
	size_t i = (size_t)h & v->mask;
	uint32_t tag = (uint32_t)(h >> 32);
	const struct vslot *s;

	while ((s = &v->slot[i])->index != 0) {
		if (s->tag == tag && s->len == len &&
		    memcmp(v->pool + s->off, t, len) == 0)
			return (int)s->index;
		i = (i + 1) & v->mask;
	}
	return 0;
}

/* Adds term index x (pool and off already set); -1 if a duplicate. */
static int
vocab_insert(struct classify_vocab *v, size_t x)
{
	const char *t = v->pool + v->off[x];
	size_t len = v->off[x + 1] - v->off[x] - 1;
	uint64_t h = hash_bytes(t, len);
	size_t i = (size_t)h & v->mask;

	if (vocab_lookup(v, t, len, h))
		return -1;
	while (v->slot[i].index)
		i = (i + 1) & v->mask;
	v->slot[i].tag = (uint32_t)(h >> 32);
	v->slot[i].index = (uint32_t)x;
	v->slot[i].off = (uint32_t)v->off[x];
	v->slot[i].len = (uint32_t)len;
	return 0;
}

/* ------------------------------------------------------------ building */

struct count_ent {
	uint64_t h;
	size_t off; /* in the pool */
	uint32_t len;
	uint32_t df;
	size_t lastdoc; /* document that last counted it, + 1 */
};

struct counter {
	struct count_ent *ent;
	size_t n, cap;
	uint32_t *slot; /* entry index + 1, 0: empty */
	size_t mask;
	char *pool;
	size_t poolsz, poolcap;
	size_t doc; /* current document + 1 */
	int rc;
};

static int
counter_grow_table(struct counter *c)
{
	size_t size = (c->mask + 1) * 2, i;
	uint32_t *s = calloc(size, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < c->n; i++) {
		size_t j = (size_t)c->ent[i].h & (size - 1);

		while (s[j])
			j = (j + 1) & (size - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(c->slot);
	c->slot = s;
	c->mask = size - 1;
	return 0;
}

static int
counter_add(struct counter *c, const char *t, size_t len)
{
	uint64_t h = hash_bytes(t, len);
	size_t i = (size_t)h & c->mask;
	struct count_ent *e;
	uint32_t x;

	while ((x = c->slot[i]) != 0) {
		e = &c->ent[x - 1];
		if (e->h == h && e->len == len &&
		    memcmp(c->pool + e->off, t, len) == 0) {
			if (e->lastdoc != c->doc) {
				e->lastdoc = c->doc;
				e->df++;
			}
			return 0;
		}
		i = (i + 1) & c->mask;
	}
	if (c->n >= VOCAB_MAX_TERMS * 4 || len + 1 > VOCAB_MAX_POOL - c->poolsz)
		return CLASSIFY_ERR_DATA;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct count_ent *p = realloc(c->ent, cap * sizeof(*p));

		if (!p)
			return CLASSIFY_ERR_NOMEM;
		c->ent = p;
		c->cap = cap;
	}
	if (len + 1 > c->poolcap - c->poolsz) {
		size_t cap = c->poolcap ? c->poolcap : 65536;
		char *p;

		while (len + 1 > cap - c->poolsz)
			cap *= 2;
		p = realloc(c->pool, cap);
		if (!p)
			return CLASSIFY_ERR_NOMEM;
		c->pool = p;
		c->poolcap = cap;
	}
	e = &c->ent[c->n];
	e->h = h;
	e->off = c->poolsz;
	e->len = (uint32_t)len;
	e->df = 1;
	e->lastdoc = c->doc;
	memcpy(c->pool + c->poolsz, t, len + 1);
	c->poolsz += len + 1;
	c->slot[i] = (uint32_t)(++c->n);
	if (c->n * 2 > c->mask + 1 && counter_grow_table(c) != 0)
		return CLASSIFY_ERR_NOMEM;
	return 0;
}

static void
count_term(const char *term, size_t len, void *arg)
{
	struct counter *c = arg;

	if (c->rc == CLASSIFY_OK)
		c->rc = counter_add(c, term, len);
}

struct pick {
	const char *s;
	uint32_t len, df;
};

static int
term_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	if (r)
		return r;
	return (al > bl) - (al < bl);
}

/* by df, largest first, then by term */
static int
pick_df_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return term_cmp(x->s, x->len, y->s, y->len);
}

static int
pick_term_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return term_cmp(x->s, x->len, y->s, y->len);
}

static int
opts_valid(const struct classify_feature_opts *o)
{
	return (o->stem == 0 || o->stem == 1) &&
	       (o->stopwords == 0 || o->stopwords == 1) &&
	       (o->word_bigrams == 0 || o->word_bigrams == 1) &&
	       (o->cjk_ngrams == 0 || o->cjk_ngrams == 1) &&
	       (o->sublinear_tf == 0 || o->sublinear_tf == 1) &&
	       (o->detect_lang == 0 || o->detect_lang == 1) &&
	       o->min_df >= 0 && o->min_df <= VOCAB_MIN_DF_MAX &&
	       o->max_features <= VOCAB_MAX_TERMS;
}

int
vocab_build(const struct classify_dataset *ds, const size_t *idx, size_t n,
            const struct classify_feature_opts *o, struct classify_vocab **out,
            char *err, size_t errsz)
{
	struct counter c;
	struct pick *pk = NULL;
	struct classify_vocab *v = NULL;
	size_t i, k, pool = 0;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	if (!opts_valid(o)) {
		snprintf(err, errsz, "feature options out of range");
		return CLASSIFY_ERR_USAGE;
	}
	if (!idx)
		n = ds->n;
	if (n == 0) {
		snprintf(err, errsz, "no examples to build a vocabulary from");
		return CLASSIFY_ERR_DATA;
	}
	c.mask = 1023;
	c.slot = calloc(c.mask + 1, sizeof(*c.slot));
	if (!c.slot) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t e = idx ? idx[i] : i;

		if (e >= ds->n) {
			snprintf(err, errsz, "example %zu out of range", e);
			rc = CLASSIFY_ERR_USAGE;
			goto out;
		}
		c.doc = i + 1;
		rc = classify_tokenize(ds->ex[e].text, ds->ex[e].lang, o,
		                       count_term, &c);
		if (rc == CLASSIFY_OK)
			rc = c.rc;
		if (rc == CLASSIFY_ERR_DATA) {
			snprintf(err, errsz, "too many distinct terms");
			goto out;
		}
		if (rc != CLASSIFY_OK)
			goto out;
	}
	pk = malloc((c.n ? c.n : 1) * sizeof(*pk));
	if (!pk) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	for (i = k = 0; i < c.n; i++) {
		if ((long)c.ent[i].df < (long)o->min_df)
			continue;
		pk[k].s = c.pool + c.ent[i].off;
		pk[k].len = c.ent[i].len;
		pk[k].df = c.ent[i].df;
		k++;
	}
	if (o->max_features && k > o->max_features) {
		qsort(pk, k, sizeof(*pk), pick_df_cmp);
		k = o->max_features;
	}
	if (k == 0) {
		snprintf(err, errsz, "no term occurs in %d or more documents",
		         o->min_df);
		rc = CLASSIFY_ERR_DATA;
		goto out;
	}
	if (k > VOCAB_MAX_TERMS) {
		snprintf(err, errsz, "more than %zu terms: set max_features",
		         VOCAB_MAX_TERMS);
		rc = CLASSIFY_ERR_DATA;
		goto out;
	}
	qsort(pk, k, sizeof(*pk), pick_term_cmp);
	for (i = 0; i < k; i++)
		pool += pk[i].len + 1;
	v = calloc(1, sizeof(*v));
	if (!v || vocab_reserve(v, k, pool) != 0) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	v->opts = *o;
	v->n = k;
	v->off[0] = 0;
	v->idf[0] = 0.0;
	pool = 0;
	for (i = 0; i < k; i++) {
		v->off[i + 1] = pool;
		memcpy(v->pool + pool, pk[i].s, pk[i].len + 1);
		pool += pk[i].len + 1;
		v->off[i + 2] = pool;
		v->idf[i + 1] =
		        log((1.0 + (double)n) / (1.0 + (double)pk[i].df)) + 1.0;
	}
	/* terms are unique: they were counted so */
	if (vocab_index(v) != 0) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	*out = v;
	v = NULL;
	rc = CLASSIFY_OK;
out:
	if (rc == CLASSIFY_ERR_NOMEM)
		snprintf(err, errsz, "building the vocabulary: out of memory");
	vocab_free(v);
	free(pk);
	free(c.ent);
	free(c.slot);
	free(c.pool);
	return rc;
}

/* --------------------------------------------------------- vectorising */

/* term counts of one text: feature index -> tf, on the stack when small */
#define TF_STACK 256

/*
 * Terms are looked up in batches: each term's slot is prefetched when the
 * tokenizer hands it over and looked up TF_BATCH terms later, so the
 * cache misses of a large vocabulary overlap instead of following one
 * another (the lookups were a third of prediction time).
 */
#define TF_BATCH 16

struct tfmap {
	const struct classify_vocab *v;
	uint32_t *key, *cnt; /* key 0: empty */
	size_t n, mask;
	int rc;
	size_t npend;
	uint64_t ph[TF_BATCH];
	size_t plen[TF_BATCH];
	char pterm[TF_BATCH][VOCAB_TERM_MAX];
	uint32_t skey[TF_STACK], scnt[TF_STACK];
};

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static size_t
tf_slot(uint32_t key, size_t mask)
{
	return (size_t)((key * 0x9E3779B1u) >> 7) & mask;
}

static int
tf_grow(struct tfmap *m)
{
	size_t size = (m->mask + 1) * 2, i;
	uint32_t *key = calloc(size, sizeof(*key));
	uint32_t *cnt = calloc(size, sizeof(*cnt));

	if (!key || !cnt) {
		free(key);
		free(cnt);
		return -1;
	}
	for (i = 0; i <= m->mask; i++) {
		size_t j;

		if (!m->key[i])
			continue;
		j = tf_slot(m->key[i], size - 1);
		while (key[j])
			j = (j + 1) & (size - 1);
		key[j] = m->key[i];
		cnt[j] = m->cnt[i];
	}
	if (m->key != m->skey) {
		free(m->key);
		free(m->cnt);
	}
	m->key = key;
	m->cnt = cnt;
	m->mask = size - 1;
	return 0;
}

static void
tf_count(struct tfmap *m, const char *term, size_t len, uint64_t h)
{
	uint32_t x;
	size_t i;

	x = (uint32_t)vocab_lookup(m->v, term, len, h);
	if (!x || m->rc)
		return;
	i = tf_slot(x, m->mask);
	while (m->key[i] && m->key[i] != x)
		i = (i + 1) & m->mask;
	if (m->key[i]) {
		m->cnt[i]++;
		return;
	}
	m->key[i] = x;
	m->cnt[i] = 1;
	/* at most vocab_size() keys: the table never outgrows the vocabulary */
	if (++m->n * 2 > m->mask + 1 && tf_grow(m) != 0)
		m->rc = CLASSIFY_ERR_NOMEM;
}

static void
tf_flush(struct tfmap *m)
{
	size_t i;

	for (i = 0; i < m->npend; i++)
		tf_count(m, m->pterm[i], m->plen[i], m->ph[i]);
	m->npend = 0;
}

static void
tf_term(const char *term, size_t len, void *arg)
{
	struct tfmap *m = arg;
	uint64_t h = hash_bytes(term, len);

	if (len >= VOCAB_TERM_MAX) { /* never in a vocabulary; no batch */
		tf_count(m, term, len, h);
		return;
	}
	PREFETCH(&m->v->slot[(size_t)h & m->v->mask]);
	memcpy(m->pterm[m->npend], term, len);
	m->plen[m->npend] = len;
	m->ph[m->npend] = h;
	if (++m->npend == TF_BATCH)
		tf_flush(m);
}

static int
node_cmp(const void *a, const void *b)
{
	const struct svm_node *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* by index; a short text's few dozen nodes by insertion, which beats
 * qsort's calls through a pointer there */
static void
sort_nodes(struct svm_node *nd, size_t k)
{
	size_t i, j;

	if (k > 64) {
		qsort(nd, k, sizeof(*nd), node_cmp);
		return;
	}
	for (i = 1; i < k; i++) {
		struct svm_node t = nd[i];

		for (j = i; j > 0 && nd[j - 1].index > t.index; j--)
			nd[j] = nd[j - 1];
		nd[j] = t;
	}
}

int
vocab_vectorize(const struct classify_vocab *v, const char *text,
                const char *lang, struct svm_node **out, size_t *n)
{
	return vocab_vectorize_ex(v, text, lang, 1, out, n);
}

int
vocab_vectorize_ex(const struct classify_vocab *v, const char *text,
                   const char *lang, int sorted, struct svm_node **out,
                   size_t *n)
{
	struct tfmap m;
	struct svm_node *nd;
	size_t i, k = 0;
	double norm = 0.0;
	int rc;

	*out = NULL;
	*n = 0;
	m.v = v;
	m.key = m.skey;
	m.cnt = m.scnt;
	m.n = 0;
	m.mask = TF_STACK - 1;
	m.rc = CLASSIFY_OK;
	memset(m.skey, 0, sizeof(m.skey));
	m.npend = 0;
	rc = classify_tokenize(text, lang, &v->opts, tf_term, &m);
	tf_flush(&m);
	if (rc == CLASSIFY_OK)
		rc = m.rc;
	if (rc != CLASSIFY_OK)
		goto out;
	nd = malloc((m.n + 1) * sizeof(*nd));
	if (!nd) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i <= m.mask; i++) {
		double tf;

		if (!m.key[i])
			continue;
		tf = v->opts.sublinear_tf ? 1.0 + log((double)m.cnt[i])
		                          : (double)m.cnt[i];
		nd[k].index = (int)m.key[i];
		nd[k].value = tf * v->idf[m.key[i]];
		norm += nd[k].value * nd[k].value;
		k++;
	}
	if (sorted)
		sort_nodes(nd, k);
	if (norm > 0.0) {
		norm = sqrt(norm);
		for (i = 0; i < k; i++)
			nd[i].value /= norm;
	}
	nd[k].index = -1;
	nd[k].value = 0.0;
	*out = nd;
	*n = k;
out:
	if (m.key != m.skey) {
		free(m.key);
		free(m.cnt);
	}
	return rc;
}

/* ----------------------------------------------------------- the file */

int
vocab_write(const struct classify_vocab *v, FILE *fp)
{
	const struct classify_feature_opts *o = &v->opts;
	size_t i;

	fprintf(fp,
	        "vocab_features stem=%d stopwords=%d word_bigrams=%d "
	        "cjk_ngrams=%d min_df=%d max_features=%zu sublinear_tf=%d "
	        "detect_lang=%d\n",
	        o->stem, o->stopwords, o->word_bigrams, o->cjk_ngrams,
	        o->min_df, o->max_features, o->sublinear_tf, o->detect_lang);
	fprintf(fp, "vocab_terms %zu\n", v->n);
	for (i = 1; i <= v->n; i++)
		fprintf(fp, "%zu\t%.17g\t%s\n", i, v->idf[i],
		        v->pool + v->off[i]);
	return ferror(fp) ? CLASSIFY_ERR_IO : CLASSIFY_OK;
}

/*
 * One line into buf without its newline; 0, or CLASSIFY_ERR_IO, or
 * CLASSIFY_ERR_CORRUPT with err set (end of file, too long, NUL byte).
 */
static int
read_line(FILE *fp, long line, char *buf, size_t bufsz, size_t *len, char *err,
          size_t errsz)
{
	size_t n = 0;
	int ch;

	while ((ch = getc_unlocked(fp)) != EOF && ch != '\n') {
		if (ch == '\0') {
			snprintf(err, errsz, "line %ld: NUL byte", line);
			return CLASSIFY_ERR_CORRUPT;
		}
		if (n + 1 >= bufsz) {
			snprintf(err, errsz, "line %ld: line too long", line);
			return CLASSIFY_ERR_CORRUPT;
		}
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	*len = n;
	if (ch == EOF) {
		if (ferror(fp)) {
			snprintf(err, errsz, "line %ld: %s", line,
			         strerror(errno));
			return CLASSIFY_ERR_IO;
		}
		snprintf(err, errsz, "line %ld: %s", line,
		         n ? "line not terminated" : "unexpected end of file");
		return CLASSIFY_ERR_CORRUPT;
	}
	return CLASSIFY_OK;
}

/* Unsigned decimal at *p, no sign or space, at most max; advances *p. */
static int
parse_num(const char **p, unsigned long long max, unsigned long long *out)
{
	const char *s = *p;
	unsigned long long x = 0;

	if (*s < '0' || *s > '9')
		return -1;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return -1; /* no leading zeros: one spelling per value */
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long long d = (unsigned long long)(*s - '0');

		if (d > max || x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*p = s;
	*out = x;
	return 0;
}

/* "key=value" then a space (or the end when last) */
static int
parse_opt(const char **p, const char *key, unsigned long long max,
          unsigned long long *out, int last)
{
	size_t kl = strlen(key);

	if (strncmp(*p, key, kl) != 0 || (*p)[kl] != '=')
		return -1;
	*p += kl + 1;
	if (parse_num(p, max, out) != 0)
		return -1;
	if (last)
		return **p == '\0' ? 0 : -1;
	if (**p != ' ')
		return -1;
	(*p)++;
	return 0;
}

static int
parse_opts(const char *s, struct classify_feature_opts *o)
{
	unsigned long long x[8];
	static const char *const keys[8] = {
		"stem",   "stopwords",    "word_bigrams", "cjk_ngrams",
		"min_df", "max_features", "sublinear_tf", "detect_lang",
	};
	static const unsigned long long max[8] = {
		1, 1, 1, 1, VOCAB_MIN_DF_MAX, VOCAB_MAX_TERMS, 1, 1,
	};
	const char *start;
	int i, nkeys = 8;

	if (strncmp(s, "vocab_features ", 15) != 0)
		return -1;
	s += 15;
	start = s;
	x[7] = 0; /* bundles before detect_lang: no detection */
	for (i = 0; i < nkeys; i++)
		if (parse_opt(&s, keys[i], max[i], &x[i], i == nkeys - 1) !=
		    0) {
			if (nkeys == 8) { /* the older line, seven keys */
				nkeys = 7;
				s = start;
				i = -1;
				continue;
			}
			return -1;
		}
	o->stem = (int)x[0];
	o->stopwords = (int)x[1];
	o->word_bigrams = (int)x[2];
	o->cjk_ngrams = (int)x[3];
	o->min_df = (int)x[4];
	o->max_features = (size_t)x[5];
	o->sublinear_tf = (int)x[6];
	o->detect_lang = nkeys == 8 ? (int)x[7] : 0;
	return 0;
}

/* valid UTF-8, no control characters (tab, newline), not empty */
static int
term_valid(const char *t, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)t;
	utf8proc_ssize_t k;
	utf8proc_int32_t c;

	if (len == 0 || len > VOCAB_TERM_MAX)
		return 0;
	while (len > 0) {
		k = utf8proc_iterate(p, (utf8proc_ssize_t)len, &c);
		if (k < 0 || c < 0x20 || c == 0x7f)
			return 0;
		p += k;
		len -= (size_t)k;
	}
	return 1;
}

int
vocab_read(FILE *fp, long *line, struct classify_vocab **out, char *err,
           size_t errsz)
{
	char buf[VOCAB_LINE_MAX];
	struct classify_feature_opts o;
	struct classify_vocab *v = NULL;
	unsigned long long nterms;
	size_t len, i, cap = 0, pool = 0, poolcap = 0;
	const char *p;
	int rc;

	*out = NULL;
	++*line;
	rc = read_line(fp, *line, buf, sizeof(buf), &len, err, errsz);
	if (rc != CLASSIFY_OK)
		return rc;
	if (parse_opts(buf, &o) != 0) {
		snprintf(err, errsz, "line %ld: bad vocab_features line",
		         *line);
		return CLASSIFY_ERR_CORRUPT;
	}
	++*line;
	rc = read_line(fp, *line, buf, sizeof(buf), &len, err, errsz);
	if (rc != CLASSIFY_OK)
		return rc;
	p = buf + 12;
	if (strncmp(buf, "vocab_terms ", 12) != 0 ||
	    parse_num(&p, VOCAB_MAX_TERMS, &nterms) != 0 || *p != '\0') {
		snprintf(err, errsz, "line %ld: bad vocab_terms line", *line);
		return CLASSIFY_ERR_CORRUPT;
	}
	if (nterms == 0 || (o.max_features && nterms > o.max_features)) {
		snprintf(err, errsz, "line %ld: %llu terms, max_features %zu",
		         *line, nterms, o.max_features);
		return CLASSIFY_ERR_CORRUPT;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	v->opts = o;
	/* arrays grow as lines arrive: a count alone claims no memory */
	for (i = 1; i <= nterms; i++) {
		unsigned long long index;
		const char *t;
		char *end;
		double idf;

		++*line;
		rc = read_line(fp, *line, buf, sizeof(buf), &len, err, errsz);
		if (rc != CLASSIFY_OK) {
			if (rc == CLASSIFY_ERR_CORRUPT && len == 0 && feof(fp))
				snprintf(err, errsz,
				         "line %ld: unexpected end of file, "
				         "%zu of %zu terms read",
				         *line, i - 1, (size_t)nterms);
			goto out;
		}
		p = buf;
		if (parse_num(&p, VOCAB_MAX_TERMS, &index) != 0 || *p != '\t') {
			snprintf(err, errsz, "line %ld: bad term index", *line);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		if (index != i) {
			snprintf(err, errsz,
			         "line %ld: index %llu, expected %zu", *line,
			         index, i);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		p++;
		if (*p < '0' || *p > '9') {
			snprintf(err, errsz, "line %ld: bad idf", *line);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		errno = 0;
		idf = strtod(p, &end);
		if (end == p || *end != '\t' || errno == ERANGE ||
		    !isfinite(idf) || idf <= 0.0) {
			snprintf(err, errsz, "line %ld: bad idf", *line);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		t = end + 1;
		len -= (size_t)(t - buf);
		if (!term_valid(t, len)) {
			snprintf(err, errsz, "line %ld: bad term", *line);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		if (len + 1 > VOCAB_MAX_POOL - pool) {
			snprintf(err, errsz, "line %ld: terms over %zu bytes",
			         *line, VOCAB_MAX_POOL);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		if (i >= cap || len + 1 > poolcap - pool) {
			size_t pc = poolcap ? poolcap : 4096;

			while (len + 1 > pc - pool)
				pc *= 2;
			if (i >= cap)
				cap = cap ? cap * 2 : 1024;
			if (vocab_reserve(v, cap, pc == poolcap ? 0 : pc) !=
			    0) {
				rc = CLASSIFY_ERR_NOMEM;
				goto out;
			}
			poolcap = pc;
		}
		v->off[i] = pool;
		memcpy(v->pool + pool, t, len + 1);
		pool += len + 1;
		v->off[i + 1] = pool;
		v->idf[i] = idf;
		if (i > 1 &&
		    term_cmp(v->pool + v->off[i - 1],
		             v->off[i] - v->off[i - 1] - 1, t, len) >= 0) {
			snprintf(err, errsz, "line %ld: terms not in order",
			         *line);
			rc = CLASSIFY_ERR_CORRUPT;
			goto out;
		}
		v->n = i;
	}
	v->off[0] = 0;
	v->idf[0] = 0.0;
	/* no duplicate: terms are strictly increasing */
	if (vocab_index(v) != 0) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	*out = v;
	v = NULL;
	rc = CLASSIFY_OK;
out:
	if (rc == CLASSIFY_ERR_NOMEM)
		snprintf(err, errsz, "line %ld: out of memory", *line);
	vocab_free(v);
	return rc;
}
