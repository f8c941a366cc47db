/*
 * ingest.h - one feed document in, one stored fetch out: the parse-and-store
 * routine shared by "pcmon ingest" (saved files) and "pcmon crawl" (HTTP
 * bodies).
 *
 * The document is streamed through the parser in chunks and every item is
 * stored inside one fetch transaction (store_fetch_begin/add_item/commit):
 * the items, the fetch-log row, the compressed raw body and the validators
 * land together or not at all.  A document that cannot be parsed is rolled
 * back and logged as a failed fetch.
 */
#ifndef PCMON_INGEST_H
#define PCMON_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct pcmon_config;
struct store;
struct store_feed;
struct store_fetch;

enum ingest_status {
	INGEST_OK = 0,
	INGEST_BAD_DOC =
	        1,    /* not a feed, or not parseable: logged, feed failed */
	INGEST_DB = 2 /* the database failed: msg says why */
};

struct ingest_result {
	long seen, added;
	int64_t ttl_seconds; /* the feed's own hint; 0 if none */
	char msg[1024];      /* why, when the status is not INGEST_OK */
	char warning[512];   /* XML recovered: its first error, or "" */
};

/*
 * Parses body (len bytes; charset from HTTP or NULL) as a fetch of feed and
 * stores it.  fe is filled by the caller (feed id, URL, status, validators,
 * body, raw_keep, fail_threshold, crawl state for a failure) and borrowed
 * until return; feed title and link are set here.  Item links are
 * canonicalised; an item's language is the feed's, else the document's.
 *
 * before_commit, when given, runs inside the open transaction after a good
 * parse (it may read the store and change fe, e.g. fe->crawl); non-zero
 * aborts as a database error with r->msg set by it.  t0_ms, when > 0, is a
 * monotonic start time: fe->duration_ms then ends after the parse.
 */
int ingest_document(struct store *st, const struct pcmon_config *cfg,
                    const struct store_feed *feed, struct store_fetch *fe,
                    const char *charset, int64_t t0_ms,
                    int (*before_commit)(struct store_fetch *fe,
                                         struct ingest_result *r, void *arg),
                    void *arg, struct ingest_result *r);

/* Monotonic milliseconds. */
int64_t ingest_now_ms(void);

#endif
