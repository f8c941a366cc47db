/*
 * simhash.h - near-duplicate fingerprints of news items, and an index that
 * finds an earlier item within a few bits.
 *
 * A fingerprint is the 64-bit SimHash (Charikar 2002) of the item's word
 * 2-shingles: title and summary tokenized by classify_tokenize() without
 * stemming or stop-word removal (copies are copies word for word; CJK runs
 * come out as character n-grams), after removing what outlets add when
 * they republish a wire story - a trailing " - Outlet" / " | Outlet" on
 * the title, a leading dateline such as "BEIJING (Reuters) -".  Each
 * shingle is hashed (FNV-1a, then a splitmix64 finaliser) and votes +1/-1
 * on each bit.  Identical text in any language gives identical
 * fingerprints; a dropped sentence or a changed word moves a few bits.
 *
 * Items within SIMHASH_MAX_DIST bits and SIMHASH_WINDOW of each other are
 * one story.  Short texts (fewer than SIMHASH_MIN_TERMS shingles: a title
 * alone) collide too easily and must match exactly.  tests/unit/
 * test_simhash.c measures the distances on a 50-word lead: an outlet's
 * suffix or a dateline 0 bits, a one-word edit 5, the last of three
 * sentences dropped 7; another event on the same topic, with most words
 * shared, 21; unrelated texts 32 on average (two random fingerprints are
 * within 7 bits with probability 1e-10).
 */
#ifndef PCMON_SIMHASH_H
#define PCMON_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIMHASH_MAX_DIST  7
#define SIMHASH_MIN_TERMS 8
#define SIMHASH_WINDOW    INT64_C(259200) /* 3 days */

/* *nterms gets the number of shingles (0: nothing to compare). */
uint64_t simhash_item(const char *title, const char *summary,
                      const char *lang, size_t *nterms);

/*
 * Pigeonhole banding: SIMHASH_MAX_DIST + 1 = 8 bands of 8 bits; two
 * fingerprints within 7 bits agree on at least one band exactly, so only
 * the entries sharing a band value are compared.
 */
struct simhash_index;

struct simhash_index *simhash_index_create(void); /* NULL: out of memory */
void simhash_index_free(struct simhash_index *ix); /* NULL is fine */
int simhash_index_add(struct simhash_index *ix, int64_t id, uint64_t fp,
                      int64_t time); /* 0, or -1 out of memory */
/* The lowest id within SIMHASH_MAX_DIST bits (exactly equal when nterms <
 * SIMHASH_MIN_TERMS) whose time is within window of time: 1 with *id and
 * *dist set, else 0. */
int simhash_index_find(const struct simhash_index *ix, uint64_t fp,
                       size_t nterms, int64_t time, int64_t window,
                       int64_t *id, int *dist);

#endif
