/*
 * store.h - the database behind one small interface.
 *
 * Callers (the cmd_*.c files) see only these functions and plain structs;
 * the SQLite implementation lives in store_sqlite.c behind a table of
 * operations, so another backend (PostgreSQL) can be added without touching
 * callers.  Every multi-row write happens inside one transaction; every
 * statement is prepared.  Times are UTC seconds (int64_t), STORE_TIME_NONE
 * when unknown.
 *
 * Errors: functions return STORE_OK (0) or a store_err code and write a
 * message into the caller's buffer; nothing here prints or exits.
 */
#ifndef PCMON_STORE_H
#define PCMON_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_TIME_NONE INT64_MIN

enum store_err {
	STORE_OK = 0,
	STORE_ERR_NOMEM = 1,
	STORE_ERR_IO = 2,      /* cannot open, read or write */
	STORE_ERR_CORRUPT = 3, /* not a pcmon database, or damaged */
	STORE_ERR_VERSION = 4, /* schema newer than this binary */
	STORE_ERR_BUSY = 5,    /* locked beyond the busy timeout */
	STORE_ERR_EXISTS = 6,  /* unique key already present */
	STORE_ERR_NOTFOUND = 7,
	STORE_ERR_FULL = 8, /* disk full */
	STORE_ERR_USAGE = 9 /* bad argument (e.g. unsupported URL) */
};

const char *store_strerror(int code);

struct store;

/* location: a file path (SQLite) or, later, a postgresql:// URL.  Creates the
 * file and its directory when missing and migrates the schema to the
 * current version. */
int store_open(const char *location, struct store **out, char *err,
               size_t errsz);
void store_close(struct store *st); /* NULL is fine */

int store_schema_version(struct store *st);
/* PRAGMA integrity_check and foreign_key_check; "ok" on success. */
int store_check(struct store *st, char *err, size_t errsz);

/* What "pcmon db info" shows.  Strings are borrowed from st (valid until
 * store_close()); sizes are -1 when the backend cannot tell. */
struct store_info {
	const char *backend;        /* "sqlite" */
	const char *location;       /* the path or URL opened */
	const char *engine_version; /* e.g. "3.40.1" */
	int schema_version;         /* now */
	int schema_latest;          /* the newest this binary knows */
	int schema_opened;          /* found by store_open() before migrating;
	                             * 0 for a new database */
	int64_t page_size, page_count, file_size, wal_size;
};
int store_info(struct store *st, struct store_info *out, char *err,
               size_t errsz);

/*
 * An explicit transaction around several calls (an OPML import is all or
 * nothing).  Calls made inside it nest as savepoints: a call that fails
 * undoes only its own work and the batch goes on.  store_rollback() is
 * fine to call when no batch is open.
 */
int store_begin(struct store *st, char *err, size_t errsz);
int store_commit(struct store *st, char *err, size_t errsz);
void store_rollback(struct store *st);

/* ------------------------------------------------------------------ feeds */

enum store_feed_status {
	FEED_OK = 0,
	FEED_FAILING = 1, /* fail_threshold consecutive failures */
	FEED_DEAD = 2     /* 410 Gone, or removed by hand */
};

struct store_feed {
	int64_t id;
	char *url;
	char *name; /* NULL: none given */
	char *lang; /* ISO 639-1 or NULL */
	char *tags; /* comma-separated, NULL if none */
	int local;  /* 1: file:// allowed for this feed */
	int64_t added_at;
	/* crawl state (the crawler issue fills these) */
	char *etag;
	char *last_modified;
	int64_t last_fetch_at;
	int64_t last_success_at;
	int64_t next_fetch_at;
	int64_t interval; /* seconds; 0 = default */
	long fail_count;
	int status; /* enum store_feed_status */
	char *last_error;
	char *site_link; /* the feed's own <link> */
	char *title;     /* the feed's own <title> */
	int64_t items;   /* stored items (filled by list/get) */
	/* schema 2: the HTTP crawler's bookkeeping */
	int no_conditional;    /* validators found stale: never send them */
	int64_t last_probe_at; /* last unconditional probe of a 304 feed */
	int64_t ttl; /* the feed's <ttl> / sy:updatePeriod, s; 0 none */
	char *last_body_sha256; /* of the last 200 body stored */
	int not_modified;       /* the last successful fetch answered 304 */
	int64_t last_item_at;   /* effective date of the newest item */
	int64_t quiet_since;    /* STORE_TIME_NONE unless quiet (see
	                         * store_feed_quiet()) */
	int64_t fail_since;     /* first failure of the current streak */
	char *redirect_url;     /* permanent redirect seen ... */
	long redirect_count;    /* ... on this many consecutive crawls */
};

void store_feed_release(struct store_feed *f); /* frees the strings */

/* f->url, name, lang, tags, local are read; *id gets the new id.
 * STORE_ERR_EXISTS when the URL is already followed. */
int store_feed_add(struct store *st, const struct store_feed *f, int64_t *id,
                   char *err, size_t errsz);
/* key: a numeric id or a URL. */
int store_feed_get(struct store *st, const char *key, struct store_feed *out,
                   char *err, size_t errsz);
/* Removes the feed; its items and fetch log stay (items keep their text,
 * their feed becomes NULL) unless purge is set. */
int store_feed_remove(struct store *st, int64_t id, int purge, char *err,
                      size_t errsz);
/* Calls fn for each feed in id order; fn returning non-zero stops. */
int store_feed_foreach(struct store *st,
                       int (*fn)(const struct store_feed *f, void *arg),
                       void *arg, char *err, size_t errsz);
/* Updates name/lang/tags/local of an existing feed (NULL = keep). */
int store_feed_update_meta(struct store *st, const struct store_feed *f,
                           char *err, size_t errsz);

/* The feeds a crawl fetches, not dead, in a malloc'd array the caller frees
 * with store_feed_list_free(): those due at now (next_fetch_at NULL or
 * <= now), or all of them when now is STORE_TIME_NONE.  Never fetched
 * first, then the longest overdue. */
int store_feed_list_due(struct store *st, int64_t now, struct store_feed **out,
                        size_t *n, char *err, size_t errsz);
void store_feed_list_free(struct store_feed *v, size_t n); /* NULL is fine */
/* For crawl workers sharing a database: up to limit feeds due at now (as
 * store_feed_list_due) that no other worker holds, each leased to owner
 * until now + lease seconds, in the same order.  On PostgreSQL the claim
 * skips rows another worker is claiming at that instant (FOR UPDATE SKIP
 * LOCKED), so concurrent claims never overlap; a lease ends when the feed's
 * fetch is stored (store_fetch_commit, store_fetch_log) or when it
 * expires, which frees the feeds of a worker that died. */
int store_feed_claim_due(struct store *st, int64_t now, const char *owner,
                         int64_t lease, long limit, struct store_feed **out,
                         size_t *n, char *err, size_t errsz);
/* Follows a confirmed permanent redirect: the feed's URL becomes url and
 * the redirect counter is reset.  STORE_ERR_EXISTS when another feed
 * already has that URL (nothing changes). */
int store_feed_set_url(struct store *st, int64_t id, const char *url, char *err,
                       size_t errsz);

/* ------------------------------------------------------ crawl schedule */

/*
 * The polling interval of a feed follows its own posting rate:
 *
 *   dates    the effective dates (published when trusted, else first
 *            seen) of its newest STORE_RECENT_DATES items, newest first;
 *            only those of the last 30 days when at least 3 are that
 *            recent; equal dates count once (a batch seen at one time)
 *   gap      the median gap between consecutive dates (needs 3 dates;
 *            else the feed is new or too sparse: STORE_DEFAULT_INTERVAL)
 *   interval clamp(gap / 2, min_interval, max_interval), raised to the
 *            feed's own ttl / sy:updatePeriod hint (itself capped at
 *            max_interval)
 *
 * next_fetch_at = now + interval.  A pure function: tested by table.
 */
#define STORE_RECENT_DATES     20
#define STORE_RECENT_WINDOW    INT64_C(2592000) /* 30 days */
#define STORE_DEFAULT_INTERVAL INT64_C(3600)
int64_t store_poll_interval(const int64_t *dates, size_t n, int64_t now,
                            int64_t ttl, int64_t min_interval,
                            int64_t max_interval);

/*
 * A feed gone quiet far below its own usual rate, so a dead feed never
 * looks like a quiet topic:
 *
 *   usual rate  items (by effective date) in the 90 days before the last 7
 *   quiet when  usual rate >= 1 item/week (usual_items * 7 >= 90) and no
 *               item for more than max(7 days, 5 x usual mean gap), the
 *               mean gap being 90 days / usual_items;
 *               once quiet, it stays quiet until an item newer than 7 days
 *               arrives (so it does not drop out when the 90 days empty)
 */
#define STORE_QUIET_USUAL  INT64_C(7776000) /* 90 days */
#define STORE_QUIET_RECENT INT64_C(604800)  /* 7 days */
struct store_feed_activity {
	int64_t dates[STORE_RECENT_DATES]; /* newest first */
	size_t ndates;
	int64_t usual_items;  /* effective date in [now - 97 d, now - 7 d) */
	int64_t recent_items; /* effective date >= now - 7 d */
	int64_t last_item_at; /* newest effective date, or STORE_TIME_NONE */
};
/* Fills a from the feed's stored items (sees the items of an open fetch
 * transaction). */
int store_feed_activity(struct store *st, int64_t feed_id, int64_t now,
                        struct store_feed_activity *a, char *err, size_t errsz);
int store_feed_quiet(const struct store_feed_activity *a, int64_t now,
                     int was_quiet);

/* ------------------------------------------------------- fetches & items */

/*
 * One fetch of one feed, stored as a unit: begin, add items, then commit
 * (or abort).  The fetch log row, the raw body and the items land in one
 * transaction, so a crash between fetch and commit loses nothing that the
 * next fetch would not bring again.
 */
/*
 * What the crawler writes about a feed after a fetch, in the fetch's own
 * transaction (so validators, items and schedule move together).  Every
 * field is written as given: start from the feed as read.
 */
struct store_crawl_state {
	int64_t next_fetch_at;
	int64_t interval;
	int no_conditional;
	int64_t last_probe_at;
	int64_t ttl;
	const char *body_sha256; /* of a 200 body; NULL: keep */
	int not_modified;
	int64_t last_item_at;
	int64_t quiet_since;
	const char *redirect_url;
	long redirect_count;
	int dead; /* 410 Gone: FEED_DEAD, no longer crawled */
};

struct store_fetch {
	int64_t feed_id;
	const char *url; /* the URL actually fetched */
	int64_t started_at;
	int64_t duration_ms;
	long http_status; /* 0 for file:// or no response */
	int64_t bytes_wire;
	int64_t bytes_body; /* decompressed */
	const char *error;  /* NULL on success */
	const char *content_type;
	const char *etag; /* new validators, stored on commit */
	const char *last_modified;
	/* raw document, kept zlib-compressed (last raw_keep per feed); may be
	 * NULL */
	const char *body;
	size_t body_len;
	long raw_keep;
	/* feed-level metadata from the parser; may be NULL */
	const char *feed_title;
	const char *feed_link;
	/* consecutive failures that mark the feed FEED_FAILING; 0: never */
	long fail_threshold;
	/* the crawler's schedule, written with the log row; NULL: none */
	const struct store_crawl_state *crawl;
	/* the store failed, not the feed: the row is logged, the feed's
	 * state (failure count, schedule) is left as it was */
	int store_failed;
};

struct store_item {
	const char *guid; /* as written; may be NULL */
	const char *link; /* resolved; may be NULL */
	const char
	        *canonical_link; /* crawler_url_canonical(link); may be NULL */
	const char *title;
	const char *summary;
	const char *author;
	const char *lang;
	int64_t published; /* STORE_TIME_NONE if unknown */
	int64_t updated;
};

/* Date flags stored with each item: the published date is kept as given,
 * but flagged when it cannot be trusted. */
enum store_date_flag {
	DATE_OK = 0,
	DATE_MISSING = 1,
	DATE_FUTURE = 2, /* more than a day after first seen */
	DATE_ANCIENT = 3 /* before 1995 */
};

struct store_txn;

/* fetch is borrowed until commit or abort, which read it again: the caller
 * may fill in duration_ms, feed_title and feed_link after the parse. */
int store_fetch_begin(struct store *st, const struct store_fetch *fetch,
                      struct store_txn **out, char *err, size_t errsz);
/*
 * Adds one item unless it is already stored: identity is (feed, guid), else
 * (feed, link), else (feed, hash of title+summary); across feeds, the
 * canonical link.  *is_new is 1 when inserted.  now is the first-seen time.
 */
int store_fetch_add_item(struct store_txn *tx, const struct store_item *it,
                         int64_t now, int *is_new, char *err, size_t errsz);
/* Writes the fetch log row (items seen/new counted by the txn), the raw
 * body and the validators, then commits.  Frees tx in every case. */
int store_fetch_commit(struct store_txn *tx, char *err, size_t errsz);
/* Rolls back, then records only a fetch-log row with fetch->error. */
void store_fetch_abort(struct store_txn *tx, const char *error);

/* Logs a fetch that produced no items to store (an error, a 304). */
int store_fetch_log(struct store *st, const struct store_fetch *fetch,
                    char *err, size_t errsz);

/* ------------------------------------------------------------ reading */

struct store_item_row {
	int64_t id;
	int64_t feed_id;       /* 0 when the feed was removed */
	const char *feed_name; /* name, else title, else URL; NULL when the
	                        * feed was removed */
	const char *guid, *link, *title, *summary, *author, *lang;
	const char *canonical_link;
	int64_t published, updated, first_seen;
	int date_flag; /* enum store_date_flag */
};

struct store_item_query {
	int64_t feed_id; /* 0: all feeds */
	int64_t since;   /* STORE_TIME_NONE: no bound (on the item's
	                  * effective date: published, else first seen) */
	int64_t until;   /* exclusive */
	long limit;      /* 0: no limit */
};

/* Newest first.  Row pointers are valid only during the callback. */
int store_item_foreach(struct store *st, const struct store_item_query *q,
                       int (*fn)(const struct store_item_row *r, void *arg),
                       void *arg, char *err, size_t errsz);

struct store_stats {
	int64_t feeds, feeds_failing, feeds_dead;
	int64_t items, fetches, fetch_errors, raw_bodies, raw_bytes;
	int64_t first_item, last_item; /* first_seen range */
};
int store_stats(struct store *st, struct store_stats *out, char *err,
                size_t errsz);

/* -------------------------------------------------------- predictions */

/* An item's text as the classifier reads it; strings may be NULL. */
struct store_item_text {
	int64_t id;
	const char *title, *summary, *lang;
};

/*
 * Items to score with model_version, in id order: up to limit of them with
 * an id above after (keyset pagination: the caller passes the last id it
 * saw, so each page costs the same however deep the table), lacking a
 * prediction of model_version, or every item when all is set.  *last gets
 * the id of the last row passed to fn (left alone when there was none).
 * Row pointers are valid only during fn; fn returning non-zero stops.
 * Read only: the statement is finished before this returns, so fn's
 * results can be written straight after.
 */
int store_item_unscored(struct store *st, const char *model_version, int all,
                        int64_t after, long limit,
                        int (*fn)(const struct store_item_text *r, void *arg),
                        void *arg, int64_t *last, char *err, size_t errsz);
/* For classification workers sharing a database: inside store_begin(),
 * up to limit items without a prediction of model_version, in id order,
 * skipping those another worker holds (on PostgreSQL FOR UPDATE SKIP
 * LOCKED: the rows stay ours until store_commit() or store_rollback(), and
 * a worker that dies releases them with its connection; SQLite has one
 * writer at a time anyway).  Write the predictions before committing.  A
 * row committed by another worker while this one read may, rarely, be
 * scored twice: harmless, prediction_put replaces. */
int store_item_claim_unscored(struct store *st, const char *model_version,
                              long limit,
                              int (*fn)(const struct store_item_text *r,
                                        void *arg),
                              void *arg, char *err, size_t errsz);
/* How many items store_item_unscored() would visit from the start. */
int store_item_unscored_count(struct store *st, const char *model_version,
                              int all, int64_t *out, char *err, size_t errsz);

struct store_prediction {
	int64_t item_id;
	const char *model_version;
	const char *label;
	double score;          /* probability of label, in [0, 1] */
	const char *themes;    /* JSON array; NULL: the model has none */
	const char *countries; /* JSON array; NULL: no gazetteer */
	int64_t scored_at;
};

/* Writes p[0..n) with INSERT OR REPLACE in one transaction (a savepoint
 * inside store_begin()): all of them or none. */
int store_prediction_put(struct store *st, const struct store_prediction *p,
                         size_t n, char *err, size_t errsz);
/* How many predictions of model_version are stored. */
int store_prediction_count(struct store *st, const char *model_version,
                           int64_t *out, char *err, size_t errsz);
/* Of the predictions of model_version scored at or after since
 * (INT64_MIN: all), how many
 * say related (P(related) >= threshold). */
int store_prediction_related(struct store *st, const char *model_version,
                             double threshold, int64_t since, int64_t *out,
                             char *err, size_t errsz);

/* ------------------------------------------------------------- labels */

/*
 * People's labels of stored items (pcmon label; ../shared/LABELING.md).
 * One label per item and labeler: a labeler's new label of an item
 * replaces their earlier one, while other people's labels of it stay
 * beside it (agreement between labelers needs both).
 */
struct store_label {
	int64_t item_id;
	const char *label;      /* "1" related, "0" unrelated */
	const char *themes;     /* JSON array of theme names; NULL: none */
	const char *labeled_by; /* non-empty */
	int64_t labeled_at;
	const char *guideline; /* the guideline's version, "1"; may be NULL */
	const char *note;      /* the labeler's reason; may be NULL */
};

/*
 * The id of a stored item into *out: the item id when id > 0 (checking
 * that it exists), else the oldest item whose canonical link is link or
 * canonical (crawler_url_canonical(link), may be NULL), else whose link is
 * link.  STORE_ERR_NOTFOUND with a message ("no item 42") when none.
 */
int store_item_find(struct store *st, int64_t id, const char *link,
                    const char *canonical, int64_t *out, char *err,
                    size_t errsz);

/* Writes l[0..n) in one transaction (a savepoint inside store_begin()):
 * all of them or none.  STORE_ERR_NOTFOUND when an item does not exist;
 * *bad, when not NULL, gets the index of the label that failed. */
int store_label_put(struct store *st, const struct store_label *l, size_t n,
                    size_t *bad, char *err, size_t errsz);

/* A label with its item's text; pointers valid only during the callback. */
struct store_label_row {
	int64_t id; /* the label's own */
	struct store_label l;
	const char *title, *summary, *lang, *link; /* the item's; may be NULL */
};

/* Every label in item id order, then oldest first; with latest, only the
 * most recent label of each item (by labeled_at, then the order stored).
 * fn returning non-zero stops. */
int store_label_foreach(struct store *st, int latest,
                        int (*fn)(const struct store_label_row *r, void *arg),
                        void *arg, char *err, size_t errsz);

/* The two labelers with the most items labeled by both (ties: by name),
 * *a before *b by name, both malloc'd; NULL (and *n 0) when no item has
 * labels by two labelers. */
int store_label_top_pair(struct store *st, char **a, char **b, int64_t *n,
                         char *err, size_t errsz);

/* The items labeled by both a and b, in id order: fn gets a's and b's
 * label of each.  fn returning non-zero stops. */
int store_label_pairs(struct store *st, const char *a, const char *b,
                      int (*fn)(int64_t item_id, const char *la, const char *lb,
                                void *arg),
                      void *arg, char *err, size_t errsz);

/* An item worth labeling: its prediction and what tells stories apart.
 * Pointers valid only during the callback. */
struct store_candidate {
	int64_t item_id;
	int64_t feed_id;   /* 0 when the feed was removed */
	int64_t story_id;  /* 0: none */
	const char *label; /* the prediction as stored */
	double score;
	double related; /* P(related): score of "1", else 1 - score */
	const char *title, *link, *canonical_link; /* may be NULL */
	const char *feed_name; /* name, else title, else URL; NULL: removed */
};

/* The items with a prediction of model_version and no label by anyone,
 * the model's least sure first: by |related - threshold|, then by id.
 * fn returning non-zero stops. */
int store_label_candidates(struct store *st, const char *model_version,
                           double threshold,
                           int (*fn)(const struct store_candidate *c,
                                     void *arg),
                           void *arg, char *err, size_t errsz);

/* ------------------------------------------------------------ stories */

/*
 * Near-duplicate stories (pipeline/story.h makes the fingerprints).  Each
 * item gets a 64-bit fingerprint once, and a story id: its own id when it
 * starts a story, else the story id of the earlier item it copies.
 */
struct store_story_item {
	int64_t id;
	int64_t date; /* effective date */
	const char *title, *summary, *lang; /* may be NULL */
};

/* Items without a fingerprint, in id order after id after, up to limit;
 * *last gets the id of the last row passed to fn.  Read only, like
 * store_item_unscored(). */
int store_story_pending(struct store *st, int64_t after, long limit,
                        int (*fn)(const struct store_story_item *r, void *arg),
                        void *arg, int64_t *last, char *err, size_t errsz);
/* Fingerprinted items whose effective date is in [since, until), in id
 * order: fn(id, story_id, fingerprint, date). */
int store_story_recent(struct store *st, int64_t since, int64_t until,
                       int (*fn)(int64_t id, int64_t story_id, uint64_t fp,
                                 int64_t date, void *arg),
                       void *arg, char *err, size_t errsz);

struct store_story {
	int64_t item_id;
	uint64_t fingerprint;
	int64_t story_id;
};
/* Writes s[0..n) in one transaction: all or none. */
int store_story_put(struct store *st, const struct store_story *s, size_t n,
                    char *err, size_t errsz);

/* ------------------------------------------------------------- trends */

/* What a series is made of. */
enum store_series_kind {
	SERIES_TOTAL = 0,   /* one series: "total" */
	SERIES_THEME,       /* one per theme of the related items */
	SERIES_COUNTRY,     /* one per country (ISO 3166-1 alpha-2) */
	SERIES_SOURCE,      /* one per feed (its name, else title, else URL) */
	SERIES_LANG,        /* one per item language ("und": unknown) */
	SERIES_THEME_COUNTRY /* "theme/CC" */
};

struct store_series_query {
	int kind;                  /* enum store_series_kind */
	const char *model_version; /* whose predictions decide "related" */
	double threshold;          /* P(related) >= threshold is related */
	int stories;               /* count stories (each once, on the day of
	                            * its first item), not items */
	int64_t since, until;      /* effective dates, [since, until);
	                            * STORE_TIME_NONE: no bound */
};

/*
 * Daily counts on the items' effective dates (published, else first
 * seen), days numbered from the epoch in UTC (date / 86400): fn(key, day,
 * related, total) for every key and day with a non-zero total, in key then
 * day order.  total is the denominator: for SERIES_SOURCE and SERIES_LANG
 * the items (stories) of that source or language, else all of them.
 */
int store_series_daily(struct store *st, const struct store_series_query *q,
                       int (*fn)(const char *key, int64_t day, int64_t related,
                                 int64_t total, void *arg),
                       void *arg, char *err, size_t errsz);

/* The crawl's days in [since, until): fn(day, fetches, failed) for every
 * day with a fetch, in day order. */
int store_fetch_days(struct store *st, int64_t since, int64_t until,
                     int (*fn)(int64_t day, int64_t fetches, int64_t failed,
                               void *arg),
                     void *arg, char *err, size_t errsz);

/* The related items behind one point of a series: the series' key and
 * kind as in store_series_daily(), the day's [since, until), the most
 * probable first, one per story, at most limit. */
struct store_series_item {
	int64_t id;
	double related; /* P(related) */
	const char *title, *link, *feed_name, *lang; /* may be NULL */
	int64_t date;
};
int store_series_items(struct store *st, const struct store_series_query *q,
                       const char *key, long limit,
                       int (*fn)(const struct store_series_item *r, void *arg),
                       void *arg, char *err, size_t errsz);

/* ------------------------------------------------------------- alerts */

struct store_alert {
	int64_t id;
	const char *series;  /* "total", "theme:stations", "country:NL",
	                      * "theme_country:stations/NL" */
	const char *period;  /* "2026-11-28" */
	const char *kind;    /* "volume" or "new" */
	int64_t count;
	double expected, score;
	const char *model_version;
	int64_t created_at;
	const char *payload; /* the alert as JSON, with its stories */
	/* reading only */
	int64_t delivered_at; /* every channel done; STORE_TIME_NONE: not */
};

/* Stores a once, with a pending delivery row for each of channels[0..n):
 * *id gets its id; STORE_ERR_EXISTS (nothing written) when an alert for
 * the same series and period is stored already. */
int store_alert_add(struct store *st, const struct store_alert *a,
                    const char *const *channels, size_t n, int64_t *id,
                    char *err, size_t errsz);
/* The newest period alerted for series (malloc'd "YYYY-MM-DD") in *out,
 * NULL when none. */
int store_alert_last(struct store *st, const char *series, char **out,
                     char *err, size_t errsz);
/* Alerts created at or after since (STORE_TIME_NONE: all), newest first,
 * at most limit (0: all). */
int store_alert_foreach(struct store *st, int64_t since, long limit,
                        int (*fn)(const struct store_alert *a, void *arg),
                        void *arg, char *err, size_t errsz);
/* A delivery still owed: fn(alert, channel, attempts), oldest alert
 * first. */
int store_alert_pending(struct store *st,
                        int (*fn)(const struct store_alert *a,
                                  const char *channel, long attempts,
                                  void *arg),
                        void *arg, char *err, size_t errsz);
/* Records an attempt: error NULL marks it delivered at now (and the alert
 * delivered when no channel is owed any more). */
int store_alert_attempt(struct store *st, int64_t alert_id, const char *channel,
                        const char *error, int64_t now, char *err,
                        size_t errsz);
/* One alert by id. */
int store_alert_get(struct store *st, int64_t id,
                    int (*fn)(const struct store_alert *a, void *arg),
                    void *arg, char *err, size_t errsz);

/* ------------------------------------------------------------- export */

/* An item with its prediction by one model, as pcmon export writes it;
 * pointers valid only during the callback. */
struct store_export_row {
	int64_t id, story_id;
	const char *feed_name, *feed_url; /* NULL when the feed was removed */
	const char *title, *summary, *link, *lang, *guid;
	int64_t published, first_seen, date; /* date: the effective date */
	int scored;                /* 0: no prediction of the model */
	double related;            /* P(related) */
	const char *themes, *countries; /* JSON arrays; may be NULL */
};

/* Items in effective-date order (oldest first) within [since, until)
 * (STORE_TIME_NONE: open), only those with P(related) >= threshold when
 * related_only. */
int store_export(struct store *st, const char *model_version, double threshold,
                 int related_only, int64_t since, int64_t until,
                 int (*fn)(const struct store_export_row *r, void *arg),
                 void *arg, char *err, size_t errsz);

/* ----------------------------------------------------------- evidence */

/* One item with where it came from: its fetch and the raw document that
 * fetch stored (decompressed; NULL when pruned), and its prediction by
 * model_version.  Pointers valid only during the callback. */
struct store_evidence {
	struct store_export_row item;
	int64_t fetch_id;          /* 0: unknown */
	int64_t fetched_at;        /* STORE_TIME_NONE: unknown */
	const char *fetch_url;
	long http_status;
	const char *raw;           /* the document as fetched; NULL: gone */
	size_t raw_len;
	const char *raw_sha256;    /* as stored at fetch time */
	const char *content_type;
	const char *model_version; /* of the prediction; NULL: none */
	const char *label;
	double score;              /* of label */
};

/* fn once for item id: STORE_ERR_NOTFOUND when there is no such item,
 * STORE_ERR_CORRUPT when its raw document does not decompress. */
int store_evidence_item(struct store *st, int64_t id, const char *model_version,
                        int (*fn)(const struct store_evidence *e, void *arg),
                        void *arg, char *err, size_t errsz);

#endif
