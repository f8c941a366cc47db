/*
 * story.h - stories, not copies: a 64-bit near-duplicate fingerprint of a
 * news item, and an in-memory index that finds an earlier item whose
 * fingerprint is within a few bits.  Pure: no database, no I/O.
 *
 * Fingerprint.  Title and summary are cleaned of what outlets add when
 * they republish a wire story (a trailing " - Outlet" / " | Outlet" on the
 * title; a leading dateline "CITY (Agency) -" or "(AP) -"; a trailing
 * "Read more", "Continue reading", "The post ... appeared first on ..."
 * and a word cut off before "..."), then tokenized by classify_tokenize()
 * with no stemming, no stop-word removal and no word bigrams: a copy is a
 * copy word for word, and stop words carry the word order.  CJK runs come
 * out as character unigrams and bigrams, so Chinese and Japanese work as
 * any other text.  Every STORY_SHINGLE consecutive terms form a shingle,
 * hashed to 64 bits; the fingerprint is the SimHash (Charikar 2002) of the
 * shingles: bit b is set when most shingles have bit b set.  Identical
 * text in any language gives identical fingerprints; each changed word
 * moves a few bits.
 *
 * Short texts.  A text with fewer than STORY_MIN_TERMS shingles (a title
 * alone) would match unrelated short texts within a few bits; its
 * fingerprint is instead a plain 64-bit hash of its normalised terms, so
 * it equals another fingerprint only for the same words and is otherwise
 * as far from every fingerprint as a random number (within
 * STORY_MAX_DIST bits of a given one with probability 1e-8).  The caller
 * needs no special rule; *nterms tells it what happened.
 *
 * Parameters, measured by bench/stories/run.sh on 9,825 articles (BBC
 * News, AG News test set) and 23,269 generated republications (outlet
 * suffixes, datelines, "Read more" tails, truncated leads, a dropped or
 * added sentence, typos, two words changed, rewritten titles), all 33,094
 * items clustered together (each joins the lowest story id within k bits):
 *   - shingles of 2 terms, counted as a set: 1-term shingles find more
 *     copies but join more unrelated items; 3-term ones lose recall;
 *     counting repeats let score lists ("<num> <num>") chain 53 tennis
 *     reports into one story;
 *   - boilerplate stripping: without it an outlet's suffix or dateline
 *     is within 6 bits only 81% of the time, with it 95-100%;
 *   - STORY_MAX_DIST 10 bits: pairwise precision 0.93 and recall 0.65
 *     over the collection (6 bits: 0.94 / 0.36; 12 bits: 0.91 / 0.78,
 *     but two random fingerprints are then within 12 bits with p = 2e-7,
 *     a false join per 50 lookups among 100,000 items; at 10 bits 1e-8);
 *   - STORY_MIN_TERMS 8: 1 or 16 change nothing measurable.
 * Boilerplate copies are found (99-100%); a copy that loses or gains a
 * fifth of its words (a dropped sentence, a lead cut short) usually is
 * 10-15 bits away and is missed: 64 bits are too few for that (Jaccard
 * >= 0.5 on the same shingles finds 98% of all copies with the same
 * false matches; it needs a MinHash signature, not one integer).
 *   - STORY_WINDOW 3 days: republication follows within hours, a follow-up
 *     days later is a new story (not measured: the corpora have no dates).
 *
 * Index.  Pigeonhole banding: with max_dist + 1 bands, two fingerprints
 * within max_dist bits agree exactly on at least one band, so only items
 * sharing a band value with the query are compared - every match is found
 * (tests/unit/test_story.c checks it against brute force).  Each band has
 * a hash table from band value to a chain of items.  add is O(1)
 * amortised; find visits the items sharing a band value: the true near
 * copies plus, for unrelated fingerprints, about (max_dist + 1) * n /
 * 2^(64 / (max_dist + 1)) of n items: n / 5 at 10 bits (6-bit bands),
 * n / 14 at 8, n / 37 at 6.  Measured at 10 bits on the 33,094 items:
 * 24,000 find + add per second; fingerprints: 114,000 per second.
 * Memory: 24 + 8 * (max_dist + 1) bytes per item plus the tables.  Not
 * thread-safe for writers; concurrent finds on an index nobody adds to
 * are fine.
 */
#ifndef PCMON_STORY_H
#define PCMON_STORY_H

#include <stddef.h>
#include <stdint.h>

#define STORY_SHINGLE   2  /* terms per shingle */
#define STORY_MIN_TERMS 8  /* fewer shingles: exact hash, see above */
#define STORY_MAX_DIST  10 /* bits: at most this far, the same story */
#define STORY_WINDOW    INT64_C(259200) /* seconds: 3 days */
#define STORY_DIST_MAX  31              /* largest max_dist an index accepts */

enum story_err {
	STORY_OK = 0,
	STORY_ERR_NOMEM = 1,
	STORY_ERR_USAGE = 2 /* a bad argument (max_dist out of range) */
};

const char *story_strerror(int code);

/*
 * The fingerprint of an item: title and summary (either may be NULL or
 * empty) in the language lang (ISO 639-1, or NULL; it changes nothing
 * today, as neither stemming nor stop words are used, but is passed on to
 * the tokenizer).  *nterms (may be NULL) gets the number of shingles; 0
 * means no text at all, and then the fingerprint is 0, which the caller
 * should treat as its own story.  Thread-safe (classify_tokenize() is).
 * Out of memory, it returns 0 with *nterms 0.
 */
uint64_t story_fingerprint(const char *title, const char *summary,
                           const char *lang, size_t *nterms);

/* Hamming distance of two fingerprints: 0 to 64 bits. */
int story_distance(uint64_t a, uint64_t b);

struct story_index;

/* An empty index for distances up to max_dist bits (0 to STORY_DIST_MAX;
 * usually STORY_MAX_DIST).  *out is released with story_index_free(). */
int story_index_create(int max_dist, struct story_index **out);
void story_index_free(struct story_index *idx); /* NULL: nothing */

/* Adds an item: id is the caller's (the database row id), time UTC
 * seconds.  STORY_OK or STORY_ERR_NOMEM (then the index is unchanged). */
int story_index_add(struct story_index *idx, int64_t id, uint64_t fp,
                    int64_t time);

size_t story_index_size(const struct story_index *idx);

/*
 * The item with the lowest id among those within the index's max_dist
 * bits of fp whose time is within window seconds of time (either side;
 * window < 0: any time).  Returns 1 with *id and *dist (may be NULL) set,
 * or 0 when there is none.
 */
int story_index_find(const struct story_index *idx, uint64_t fp, int64_t time,
                     int64_t window, int64_t *id, int *dist);

#endif
