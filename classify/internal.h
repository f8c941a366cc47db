/*
 * internal.h - declarations shared inside classify/ only.
 *
 * Two halves meet here: the vocabulary (vocab.c: terms, document
 * frequencies, idf; text -> sparse TF-IDF vector) and the models (model.c,
 * train.c: libsvm, the bundle file, the linear fast path, metrics).
 */
#ifndef PCMON_CLASSIFY_INTERNAL_H
#define PCMON_CLASSIFY_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libsvm/svm.h>

#include "classify.h"

/* A wyhash-like mix, 8 bytes at a time, for the in-memory tables of the
 * tokenizer (stem cache) and the vocabulary; never stored. */
static inline uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h =
	        0x9E3779B97F4A7C15ull ^ ((uint64_t)n * 0xff51afd7ed558ccdull);
	uint64_t v;

	while (n >= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		p += 8;
		n -= 8;
	}
	v = 0;
	memcpy(&v, p, n);
	h = (h ^ v) * 0x94d049bb133111ebull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/* The data set (dataset.c). */
struct classify_example {
	char *label;
	char *text;
	char *lang;     /* NULL when unknown */
	char **tags;    /* themes and such: ntags strings, or NULL */
	size_t ntags;
};

struct classify_dataset {
	struct classify_example *ex;
	size_t n, cap;
};

/*
 * A vocabulary: term -> feature index (1-based, as libsvm wants), with the
 * idf of each term from the documents it was built on.  Immutable once
 * built; safe to share between threads for vectorising.
 */
struct classify_vocab;

/* Builds the vocabulary of the examples idx[0..n) of ds (all when idx is
 * NULL): terms in at least o->min_df documents, the max_features most
 * frequent by df (ties by term, so the result is deterministic);
 * idf = ln((1 + N) / (1 + df)) + 1. */
int vocab_build(const struct classify_dataset *ds, const size_t *idx,
                size_t n, const struct classify_feature_opts *o,
                struct classify_vocab **out, char *err, size_t errsz);
void vocab_free(struct classify_vocab *v);

size_t vocab_size(const struct classify_vocab *v);
/* index 1..size */
const char *vocab_term(const struct classify_vocab *v, int index);
double vocab_idf(const struct classify_vocab *v, int index);
const struct classify_feature_opts *vocab_opts(const struct classify_vocab *v);

/*
 * text -> TF-IDF vector (sublinear tf when set, times idf, L2-normalised),
 * as libsvm nodes sorted by index and terminated by index -1.  Terms not in
 * the vocabulary are dropped.  *out is malloc'd; *n counts the nodes
 * without the terminator.
 */
int vocab_vectorize(const struct classify_vocab *v, const char *text,
                    const char *lang, struct svm_node **out, size_t *n);
/* The same; sorted 0 leaves the nodes in no particular order, for the
 * linear fast path, whose sparse dot product does not care. */
int vocab_vectorize_ex(const struct classify_vocab *v, const char *text,
                       const char *lang, int sorted, struct svm_node **out,
                       size_t *n);

/* The stop words of a language (ISO 639-1), sorted; NULL when none. */
const char *const *stopwords_get(const char *code, size_t *n);

/* tokenize.c: Han, Kana, Hangul - scripts written without spaces, which
 * the tokenizer cuts into character n-grams */
int tokenize_is_cjk(int32_t c);

/* The vocabulary section of a model bundle: options, then one line per
 * term "index<TAB>idf<TAB>term" (terms hold no tab or newline). */
int vocab_write(const struct classify_vocab *v, FILE *fp);
/* Reads what vocab_write wrote; line numbers in err are relative to *line
 * (the caller's line counter, advanced as lines are read). */
int vocab_read(FILE *fp, long *line, struct classify_vocab **out, char *err,
               size_t errsz);

#endif
