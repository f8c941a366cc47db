/*
 * store_sqlite.c - the store on one SQLite file.
 *
 * WAL journal, synchronous=NORMAL, foreign keys on, a 10 s busy timeout,
 * BEGIN IMMEDIATE for every write transaction (so two writers queue at the
 * start instead of failing at their first write), and prepared statements
 * only: no SQL is ever built from data.  The schema is versioned with
 * PRAGMA user_version; migrations[i] takes version i to i + 1, each in its
 * own transaction, and the file is marked with PRAGMA application_id so a
 * foreign SQLite database is refused rather than "migrated".
 *
 * Nesting: st->depth counts open transactions; the outermost is BEGIN
 * IMMEDIATE, inner ones are savepoints, so a call inside store_begin() that
 * fails undoes only its own work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "sha256.h"
#include "store_internal.h"

#define APPLICATION_ID  0x70636d6e /* "pcmn" */
#define BUSY_TIMEOUT_MS 10000

/* ------------------------------------------------------------- schema */

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  url TEXT UNIQUE NOT NULL,"
	"  name TEXT,"
	"  lang TEXT,"
	"  local INTEGER NOT NULL DEFAULT 0,"
	"  added_at INTEGER NOT NULL,"
	"  etag TEXT,"
	"  last_modified TEXT,"
	"  last_fetch_at INTEGER,"
	"  last_success_at INTEGER,"
	"  next_fetch_at INTEGER,"
	"  interval INTEGER,"
	"  fail_count INTEGER NOT NULL DEFAULT 0,"
	"  status INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  site_link TEXT,"
	"  title TEXT,"
	"  redirect_url TEXT,"
	"  redirect_count INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX feeds_next_fetch ON feeds(next_fetch_at);"
	"CREATE TABLE feed_tags ("
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (feed_id, tag)"
	") WITHOUT ROWID;"
	"CREATE INDEX feed_tags_tag ON feed_tags(tag);"
	"CREATE TABLE fetch_log ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,"
	"  url TEXT,"
	"  started_at INTEGER NOT NULL,"
	"  duration_ms INTEGER,"
	"  http_status INTEGER,"
	"  bytes_wire INTEGER,"
	"  bytes_body INTEGER,"
	"  items_seen INTEGER NOT NULL DEFAULT 0,"
	"  items_new INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT"
	");"
	"CREATE INDEX fetch_log_started ON fetch_log(started_at);"
	"CREATE INDEX fetch_log_feed ON fetch_log(feed_id, started_at);"
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,"
	"  fetch_id INTEGER REFERENCES fetch_log(id) ON DELETE SET NULL,"
	"  ident TEXT NOT NULL,"
	"  guid TEXT,"
	"  link TEXT,"
	"  canonical_link TEXT,"
	"  title TEXT,"
	"  summary TEXT,"
	"  author TEXT,"
	"  lang TEXT,"
	"  published INTEGER,"
	"  updated INTEGER,"
	"  first_seen INTEGER NOT NULL,"
	"  date_flag INTEGER NOT NULL DEFAULT 0,"
	"  story_id INTEGER,"
	"  UNIQUE (feed_id, ident)"
	");"
	/* across feeds, one row per story link */
	"CREATE UNIQUE INDEX items_canonical ON items(canonical_link)"
	"  WHERE canonical_link IS NOT NULL;"
	"CREATE INDEX items_first_seen ON items(first_seen);"
	"CREATE INDEX items_published ON items(published);"
	/* the effective date: listing and time windows sort on it */
	"CREATE INDEX items_effective ON items("
	"  (CASE WHEN date_flag = 0 THEN published ELSE first_seen END));"
	"CREATE INDEX items_fetch ON items(fetch_id);"
	"CREATE INDEX items_story ON items(story_id) WHERE story_id IS NOT "
	"NULL;"
	"CREATE TABLE raw_bodies ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER REFERENCES feeds(id) ON DELETE CASCADE,"
	"  fetch_id INTEGER REFERENCES fetch_log(id) ON DELETE SET NULL,"
	"  fetched_at INTEGER,"
	"  url TEXT,"
	"  content_type TEXT,"
	"  sha256 TEXT,"
	"  size INTEGER,"
	"  body BLOB"
	");"
	"CREATE INDEX raw_bodies_feed ON raw_bodies(feed_id, id);"
	"CREATE INDEX raw_bodies_fetch ON raw_bodies(fetch_id);"
	"CREATE TABLE labels ("
	"  id INTEGER PRIMARY KEY,"
	"  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	"  label TEXT NOT NULL,"
	"  themes TEXT,"
	"  labeled_by TEXT,"
	"  labeled_at INTEGER,"
	"  guideline TEXT"
	");"
	"CREATE INDEX labels_item ON labels(item_id);"
	"CREATE TABLE predictions ("
	"  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	"  model_version TEXT NOT NULL,"
	"  label TEXT,"
	"  score REAL,"
	"  themes TEXT,"
	"  countries TEXT,"
	"  scored_at INTEGER,"
	"  PRIMARY KEY (item_id, model_version)"
	");"
	"CREATE INDEX predictions_model ON predictions(model_version, label);"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  series TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  count INTEGER,"
	"  expected REAL,"
	"  score REAL,"
	"  model_version TEXT,"
	"  created_at INTEGER,"
	"  delivered_at INTEGER,"
	"  payload TEXT,"
	"  UNIQUE (series, period)"
	");"
	"CREATE INDEX alerts_undelivered ON alerts(created_at)"
	"  WHERE delivered_at IS NULL;"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT"
	");",
	/* 2: the HTTP crawler's bookkeeping per feed (redirect_url and
	 * redirect_count came with 1) */
	"ALTER TABLE feeds ADD COLUMN no_conditional INTEGER NOT NULL DEFAULT "
	"0;"
	"ALTER TABLE feeds ADD COLUMN last_probe_at INTEGER;"
	"ALTER TABLE feeds ADD COLUMN ttl INTEGER;"
	"ALTER TABLE feeds ADD COLUMN last_body_sha256 TEXT;"
	"ALTER TABLE feeds ADD COLUMN not_modified INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN last_item_at INTEGER;"
	"ALTER TABLE feeds ADD COLUMN quiet_since INTEGER;"
	"ALTER TABLE feeds ADD COLUMN fail_since INTEGER;"
	/* a feed's newest items by effective date: the polling interval */
	"CREATE INDEX items_feed_effective ON items(feed_id,"
	"  (CASE WHEN date_flag = 0 THEN published ELSE first_seen END));",
	/* 3: the labeling loop.  One label per item and labeler: of a
	 * labeler's duplicates only the newest stays (rows without a labeler
	 * are kept as they are); the labeler's note; labels_item is covered
	 * by the unique index */
	"DELETE FROM labels WHERE labeled_by IS NOT NULL AND EXISTS ("
	"  SELECT 1 FROM labels n WHERE n.item_id = labels.item_id"
	"  AND n.labeled_by = labels.labeled_by"
	"  AND (coalesce(n.labeled_at, 0) > coalesce(labels.labeled_at, 0)"
	"   OR (coalesce(n.labeled_at, 0) = coalesce(labels.labeled_at, 0)"
	"    AND n.id > labels.id)));"
	"ALTER TABLE labels ADD COLUMN note TEXT;"
	"DROP INDEX labels_item;"
	"CREATE UNIQUE INDEX labels_item_by ON labels(item_id, labeled_by);"
	/* agreement: one labeler's items */
	"CREATE INDEX labels_by ON labels(labeled_by, item_id);",
	/* 4: trends and alerts.  The near-duplicate fingerprint of each item
	 * (story_id came with 1); what kind of alert; one delivery row per
	 * alert and channel, so a failed one is retried and a done one never
	 * sent again */
	"ALTER TABLE items ADD COLUMN simhash INTEGER;"
	"CREATE INDEX items_simhash_pending ON items(id) WHERE simhash IS "
	"NULL;"
	"ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'volume';"
	"CREATE INDEX alerts_series ON alerts(series, period);"
	"CREATE TABLE alert_deliveries ("
	"  alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_attempt_at INTEGER,"
	"  last_error TEXT,"
	"  delivered_at INTEGER,"
	"  PRIMARY KEY (alert_id, channel)"
	") WITHOUT ROWID;"
	"CREATE INDEX alert_deliveries_pending ON alert_deliveries(alert_id)"
	"  WHERE delivered_at IS NULL;",
	/* 5: crawl workers sharing the database: who holds a feed, until
	 * when (see store_feed_claim_due) */
	("ALTER TABLE feeds ADD COLUMN lease_owner TEXT;"
	 "ALTER TABLE feeds ADD COLUMN lease_until INTEGER;"),
};

#define SCHEMA_LATEST ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* --------------------------------------------------- cached statements */

#define FEED_COLUMNS                                                           \
	"SELECT f.id, f.url, f.name, f.lang,"                                  \
	" (SELECT group_concat(tag, ',') FROM"                                 \
	"   (SELECT tag FROM feed_tags t"                                      \
	"    WHERE t.feed_id = f.id ORDER BY tag)),"                           \
	" f.local, f.added_at, f.etag, f.last_modified, f.last_fetch_at,"      \
	" f.last_success_at, f.next_fetch_at, f.interval, f.fail_count,"       \
	" f.status, f.last_error, f.site_link, f.title,"                       \
	" (SELECT count(*) FROM items i WHERE i.feed_id = f.id),"              \
	" f.no_conditional, f.last_probe_at, f.ttl, f.last_body_sha256,"       \
	" f.not_modified, f.last_item_at, f.quiet_since, f.fail_since,"        \
	" f.redirect_url, f.redirect_count"                                    \
	" FROM feeds f"

enum {
	ST_FEED_INSERT,
	ST_TAG_INSERT,
	ST_TAG_CLEAR,
	ST_FEED_BY_ID,
	ST_FEED_BY_URL,
	ST_FEED_META,
	ST_FETCH_INSERT,
	ST_FETCH_COUNTS,
	ST_ITEM_INSERT,
	ST_RAW_INSERT,
	ST_RAW_PRUNE,
	ST_FEED_SUCCESS,
	ST_FEED_FAILURE,
	ST_FEED_CRAWL,
	ST_FEED_SET_URL,
	ST_FEED_ACTIVITY,
	ST_FEED_DATES,
	ST_ITEM_UNSCORED,
	ST_ITEM_ALL_TEXT,
	ST_PREDICTION_PUT,
	ST_PREDICTION_COUNT,
	ST_PREDICTION_RELATED,
	ST_ITEM_BY_ID,
	ST_ITEM_BY_CANONICAL,
	ST_ITEM_BY_LINK,
	ST_LABEL_PUT,
	ST_LABEL_LIST,
	ST_LABEL_TOP_PAIR,
	ST_LABEL_PAIRS,
	ST_LABEL_CANDIDATES,
	ST_STORY_PUT,
	ST_ALERT_INSERT,
	ST_ALERT_LAST,
	ST_DELIVERY_INSERT,
	ST_DELIVERY_ATTEMPT,
	ST_ALERT_DONE,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_FEED_INSERT] =
	        "INSERT INTO feeds (url, name, lang, local, added_at)"
	        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (url) DO NOTHING",
	[ST_TAG_INSERT] = "INSERT INTO feed_tags (feed_id, tag) VALUES (?1, ?2)"
	                  " ON CONFLICT DO NOTHING",
	[ST_TAG_CLEAR] = "DELETE FROM feed_tags WHERE feed_id = ?1",
	[ST_FEED_BY_ID] = FEED_COLUMNS " WHERE f.id = ?1",
	[ST_FEED_BY_URL] = FEED_COLUMNS " WHERE f.url = ?1",
	[ST_FEED_META] =
	        "UPDATE feeds SET name = coalesce(nullif(?2, ''), iif(?2 = '', "
	        "NULL, name)),"
	        " lang = coalesce(nullif(?3, ''), iif(?3 = '', NULL, lang)),"
	        " local = iif(?4 < 0, local, ?4) WHERE id = ?1",
	[ST_FETCH_INSERT] =
	        "INSERT INTO fetch_log (feed_id, url, started_at, duration_ms,"
	        " http_status, bytes_wire, bytes_body, items_seen, items_new, "
	        "error)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_FETCH_COUNTS] =
	        "UPDATE fetch_log SET duration_ms = ?2, items_seen = ?3,"
	        " items_new = ?4, http_status = ?5, bytes_wire = ?6, "
	        "bytes_body = ?7"
	        " WHERE id = ?1",
	/* no conflict target: (feed, ident) and the canonical link both count
	 */
	[ST_ITEM_INSERT] =
	        "INSERT INTO items (feed_id, fetch_id, ident, guid, link,"
	        " canonical_link, title, summary, author, lang, published, "
	        "updated,"
	        " first_seen, date_flag)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	        "?13, ?14)"
	        " ON CONFLICT DO NOTHING",
	[ST_RAW_INSERT] =
	        "INSERT INTO raw_bodies (feed_id, fetch_id, fetched_at, url,"
	        " content_type, sha256, size, body)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_RAW_PRUNE] =
	        "DELETE FROM raw_bodies WHERE feed_id = ?1 AND id NOT IN"
	        " (SELECT id FROM raw_bodies WHERE feed_id = ?1"
	        "  ORDER BY id DESC LIMIT ?2)",
	/* a file (status 0) brings no validators: keep the crawler's */
	[ST_FEED_SUCCESS] =
	        "UPDATE feeds SET"
	        " etag = iif(?4 = 0, coalesce(?2, etag), ?2),"
	        " last_modified = iif(?4 = 0, coalesce(?3, last_modified), ?3),"
	        " last_fetch_at = ?5, last_success_at = ?5, fail_count = 0,"
	        " last_error = NULL, fail_since = NULL,"
	        " status = iif(status = 2, 2, 0),"
	        " title = coalesce(?6, title), site_link = coalesce(?7, "
	        "site_link)"
	        " WHERE id = ?1",
	[ST_FEED_FAILURE] =
	        "UPDATE feeds SET last_fetch_at = ?2, fail_count = fail_count "
	        "+ 1,"
	        " last_error = ?3, fail_since = iif(fail_count = 0, ?2, "
	        "coalesce(fail_since, ?2)),"
	        " status = CASE WHEN status = 2 THEN 2"
	        "  WHEN ?4 > 0 AND fail_count + 1 >= ?4 THEN 1 ELSE status END"
	        " WHERE id = ?1",
	/* the crawler's state after a fetch; the caller computed every
	 * value from the feed it read (NULL sha256: keep) */
	[ST_FEED_CRAWL] =
	        "UPDATE feeds SET next_fetch_at = ?2, interval = ?3,"
	        " no_conditional = ?4, last_probe_at = ?5, ttl = ?6,"
	        " last_body_sha256 = coalesce(?7, last_body_sha256),"
	        " not_modified = ?8, last_item_at = ?9, quiet_since = ?10,"
	        " redirect_url = ?11, redirect_count = ?12,"
	        " status = iif(?13, 2, status),"
	        " lease_owner = NULL, lease_until = NULL"
	        " WHERE id = ?1",
	[ST_FEED_SET_URL] = "UPDATE feeds SET url = ?2, redirect_url = NULL,"
	                    " redirect_count = 0 WHERE id = ?1",
	/* rows counted on the effective date: the previous 90 days before
	 * the last 7, the last 7, and the newest */
	[ST_FEED_ACTIVITY] =
	        "SELECT count(*) FILTER (WHERE e >= ?2 AND e < ?3),"
	        " count(*) FILTER (WHERE e >= ?3), max(e)"
	        " FROM (SELECT (CASE WHEN date_flag = 0 THEN published"
	        "  ELSE first_seen END) AS e FROM items WHERE feed_id = ?1)",
	[ST_FEED_DATES] =
	        "SELECT (CASE WHEN date_flag = 0 THEN published"
	        " ELSE first_seen END) AS e FROM items WHERE feed_id = ?1"
	        " ORDER BY (CASE WHEN date_flag = 0 THEN published"
	        " ELSE first_seen END) DESC LIMIT ?2",
	/* keyset pagination by id; the predictions primary key (item_id,
	 * model_version) answers NOT EXISTS with one index probe */
	[ST_ITEM_UNSCORED] =
	        "SELECT i.id, i.title, i.summary, i.lang FROM items i"
	        " WHERE i.id > ?1 AND NOT EXISTS (SELECT 1 FROM predictions p"
	        "  WHERE p.item_id = i.id AND p.model_version = ?2)"
	        " ORDER BY i.id LIMIT ?3",
	[ST_ITEM_ALL_TEXT] = "SELECT i.id, i.title, i.summary, i.lang FROM items i"
	                     " WHERE i.id > ?1 ORDER BY i.id LIMIT ?3",
	[ST_PREDICTION_PUT] =
	        "INSERT OR REPLACE INTO predictions (item_id, model_version,"
	        " label, score, themes, countries, scored_at)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_PREDICTION_COUNT] =
	        "SELECT count(*) FROM predictions WHERE model_version = ?1",
	[ST_PREDICTION_RELATED] =
	        "SELECT count(*) FROM predictions WHERE model_version = ?1"
	        " AND scored_at >= ?3 AND (CASE WHEN label = '1' THEN score"
	        " ELSE 1 - score END) >= ?2",
	[ST_ITEM_BY_ID] = "SELECT id FROM items WHERE id = ?1",
	/* the partial unique index on canonical_link answers this one */
	[ST_ITEM_BY_CANONICAL] = "SELECT id FROM items WHERE canonical_link"
	                         " IN (?1, ?2) ORDER BY id LIMIT 1",
	/* items.link has no index: only tried when the canonical link
	 * missed */
	[ST_ITEM_BY_LINK] =
	        "SELECT id FROM items WHERE link = ?1 ORDER BY id LIMIT 1",
	/* a labeler's new label of an item replaces their earlier one */
	[ST_LABEL_PUT] =
	        "INSERT INTO labels (item_id, label, themes, labeled_by,"
	        " labeled_at, guideline, note)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	        " ON CONFLICT (item_id, labeled_by) DO UPDATE SET"
	        " label = excluded.label, themes = excluded.themes,"
	        " labeled_at = excluded.labeled_at,"
	        " guideline = excluded.guideline, note = excluded.note",
	/* ?1: only the newest label of each item (by labeled_at, then
	 * row id) */
	[ST_LABEL_LIST] =
	        "SELECT l.id, l.item_id, l.label, l.themes, l.labeled_by,"
	        " l.labeled_at, l.guideline, l.note,"
	        " i.title, i.summary, i.lang, i.link"
	        " FROM labels l JOIN items i ON i.id = l.item_id"
	        " WHERE ?1 = 0 OR NOT EXISTS (SELECT 1 FROM labels n"
	        "  WHERE n.item_id = l.item_id"
	        "  AND (coalesce(n.labeled_at, 0) > coalesce(l.labeled_at, 0)"
	        "   OR (coalesce(n.labeled_at, 0) = coalesce(l.labeled_at, 0)"
	        "    AND n.id > l.id)))"
	        " ORDER BY l.item_id, coalesce(l.labeled_at, 0), l.id",
	[ST_LABEL_TOP_PAIR] =
	        "SELECT a.labeled_by, b.labeled_by, count(*) AS n"
	        " FROM labels a JOIN labels b ON b.item_id = a.item_id"
	        "  AND b.labeled_by > a.labeled_by"
	        " GROUP BY a.labeled_by, b.labeled_by"
	        " ORDER BY n DESC, a.labeled_by, b.labeled_by LIMIT 1",
	[ST_LABEL_PAIRS] =
	        "SELECT a.item_id, a.label, b.label"
	        " FROM labels a JOIN labels b ON b.item_id = a.item_id"
	        "  AND b.labeled_by = ?2"
	        " WHERE a.labeled_by = ?1 ORDER BY a.item_id",
	/* P(related) is the score of label "1", else its complement (a
	 * binary model's probabilities); nearest the threshold first */
	[ST_LABEL_CANDIDATES] =
	        "SELECT i.id, i.feed_id, i.story_id, p.label, p.score,"
	        " (CASE WHEN p.label = '1' THEN p.score ELSE 1.0 - p.score"
	        "  END),"
	        " i.title, i.link, i.canonical_link,"
	        " coalesce(f.name, f.title, f.url)"
	        " FROM predictions p JOIN items i ON i.id = p.item_id"
	        " LEFT JOIN feeds f ON f.id = i.feed_id"
	        " WHERE p.model_version = ?1 AND p.score IS NOT NULL"
	        " AND NOT EXISTS (SELECT 1 FROM labels l"
	        "  WHERE l.item_id = p.item_id)"
	        " ORDER BY abs((CASE WHEN p.label = '1' THEN p.score"
	        "  ELSE 1.0 - p.score END) - ?2), i.id",
	[ST_STORY_PUT] = "UPDATE items SET simhash = ?2, story_id = ?3"
	                 " WHERE id = ?1",
	[ST_ALERT_INSERT] =
	        "INSERT INTO alerts (series, period, kind, count, expected,"
	        " score, model_version, created_at, payload)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	        " ON CONFLICT (series, period) DO NOTHING",
	[ST_ALERT_LAST] = "SELECT max(period) FROM alerts WHERE series = ?1",
	[ST_DELIVERY_INSERT] = "INSERT INTO alert_deliveries (alert_id, channel)"
	                       " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	/* a delivered row stays delivered: never sent twice */
	[ST_DELIVERY_ATTEMPT] =
	        "UPDATE alert_deliveries SET attempts = attempts + 1,"
	        " last_attempt_at = ?4, last_error = ?3,"
	        " delivered_at = iif(?3 IS NULL, ?4, NULL)"
	        " WHERE alert_id = ?1 AND channel = ?2 AND delivered_at IS NULL",
	[ST_ALERT_DONE] =
	        "UPDATE alerts SET delivered_at = ?2 WHERE id = ?1 AND"
	        " NOT EXISTS (SELECT 1 FROM alert_deliveries WHERE alert_id = ?1"
	        " AND delivered_at IS NULL)",
};

struct sq_store {
	struct store base; /* first: struct store * casts to it */
	sqlite3 *db;
	char *path;
	char version[32];
	int opened_version;
	int depth; /* open transactions: 1 is BEGIN, more are savepoints */
	sqlite3_stmt *stmt[ST_COUNT];
};

struct sq_txn {
	struct store_txn base; /* first */
	struct sq_store *st;
	const struct store_fetch *fetch; /* borrowed until commit/abort */
	int64_t fetch_id;
	int64_t seen, added;
};

static const struct store_ops sqlite_ops;

/* ------------------------------------------------------------ helpers */

static int
sq_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE: return STORE_OK;
	case SQLITE_NOMEM: return STORE_ERR_NOMEM;
	case SQLITE_FULL: return STORE_ERR_FULL;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return STORE_ERR_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return STORE_ERR_CORRUPT;
	case SQLITE_CONSTRAINT: return STORE_ERR_EXISTS;
	default: return STORE_ERR_IO;
	}
}

/* "cannot add feed: database '/x/pcmon.db': database or disk is full" */
static int
sq_fail(struct sq_store *st, int rc, const char *what, char *err, size_t errsz)
{
	store_set_err(err, errsz, "cannot %s: database '%s': %s", what,
	              st->path, sqlite3_errmsg(st->db));
	return sq_code(rc);
}

static int
sq_exec(struct sq_store *st, const char *sql, const char *what, char *err,
        size_t errsz)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? STORE_OK : sq_fail(st, rc, what, err, errsz);
}

/* A cached statement, reset and unbound, or NULL with err set. */
static sqlite3_stmt *
stmt_get(struct sq_store *st, int which, int *code, char *err, size_t errsz)
{
	int rc;

	if (!st->stmt[which]) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[which], -1,
		                        SQLITE_PREPARE_PERSISTENT,
		                        &st->stmt[which], NULL);
		if (rc != SQLITE_OK) {
			*code = sq_fail(st, rc, "prepare statement", err,
			                errsz);
			return NULL;
		}
	}
	return st->stmt[which];
}

static void
stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	if (t == STORE_TIME_NONE)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, t);
}

static int64_t
col_time(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return STORE_TIME_NONE;
	return sqlite3_column_int64(s, i);
}

/* strdup of a text column; *oom set when the copy failed */
static char *
col_dup(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	char *d;

	if (!v)
		return NULL;
	if (!(d = strdup((const char *)v)))
		*oom = 1;
	return d;
}

/* Ends a one-shot statement's row loop: rc is the last step's result
 * (SQLITE_OK when the callback stopped it); finalizes s. */
static int
sq_finish(struct sq_store *st, sqlite3_stmt *s, int rc, const char *what,
          char *err, size_t errsz)
{
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		rc = sq_fail(st, rc, what, err, errsz);
	else
		rc = STORE_OK;
	sqlite3_finalize(s);
	return rc;
}

/* Single-statement, single-value query (pragmas, counts). */
static int
query_int64(struct sq_store *st, const char *sql, int64_t *out, char *err,
            size_t errsz)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		rc = sq_fail(st, rc, "read database", err, errsz);
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	return STORE_OK;
}

/* -------------------------------------------------------- transactions */

static int
tx_enter(struct sq_store *st, char *err, size_t errsz)
{
	int rc;

	rc = sq_exec(st, st->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT nest",
	             "begin transaction", err, errsz);
	if (rc == STORE_OK)
		st->depth++;
	return rc;
}

/* ok: commit (or release); else roll back.  Returns the commit's code. */
static int
tx_leave(struct sq_store *st, int ok, char *err, size_t errsz)
{
	int rc = STORE_OK;

	if (st->depth <= 0)
		return STORE_OK;
	st->depth--;
	if (st->depth > 0) {
		if (ok)
			return sq_exec(st, "RELEASE nest", "release savepoint",
			               err, errsz);
		sqlite3_exec(st->db, "ROLLBACK TO nest; RELEASE nest", NULL,
		             NULL, NULL);
		return STORE_OK;
	}
	if (ok) {
		rc = sq_exec(st, "COMMIT", "commit", err, errsz);
		if (rc == STORE_OK)
			return STORE_OK;
	}
	/* a failed COMMIT (disk full, busy) may leave the transaction open */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int
sq_begin(struct store *base, char *err, size_t errsz)
{
	return tx_enter((struct sq_store *)base, err, errsz);
}

static int
sq_commit(struct store *base, char *err, size_t errsz)
{
	return tx_leave((struct sq_store *)base, 1, err, errsz);
}

static void
sq_rollback(struct store *base)
{
	tx_leave((struct sq_store *)base, 0, NULL, 0);
}

/* ------------------------------------------------------ open and close */

/* mkdir -p of path's directory, mode 0700 */
static int
make_parent_dirs(const char *path, char *err, size_t errsz)
{
	char *dir, *p, c;
	int rc = 0;

	if (!(dir = strdup(path))) {
		store_set_err(err, errsz, "out of memory");
		return STORE_ERR_NOMEM;
	}
	if (!(p = strrchr(dir, '/')) || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			store_set_err(err, errsz,
			              "cannot create directory '%s': %s", dir,
			              strerror(errno));
			rc = STORE_ERR_IO;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return rc;
}

static void
sq_close(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	int i;

	if (!st)
		return;
	if (st->db && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static int
migrate(struct sq_store *st, char *err, size_t errsz)
{
	char sql[64];
	int64_t v;
	int rc, target;

	for (;;) {
		if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
			return rc;
		/* read again inside the lock: another pcmon may have migrated
		 */
		if ((rc = query_int64(st, "PRAGMA user_version", &v, err,
		                      errsz)) != STORE_OK)
			goto fail;
		if (v >= SCHEMA_LATEST)
			return tx_leave(st, 1, err, errsz);
		target = (int)v + 1;
		if (v == 0) {
			snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
			         APPLICATION_ID);
			if ((rc = sq_exec(st, sql, "mark database", err,
			                  errsz)) != STORE_OK)
				goto fail;
		}
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK) {
			rc = sqlite3_errcode(st->db);
			store_set_err(err, errsz,
			              "cannot migrate database '%s' to "
			              "schema version %d: %s",
			              st->path, target, sqlite3_errmsg(st->db));
			rc = sq_code(rc);
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
		if ((rc = sq_exec(st, sql, "migrate", err, errsz)) != STORE_OK)
			goto fail;
		if ((rc = tx_leave(st, 1, err, errsz)) != STORE_OK)
			return rc;
	}
fail:
	tx_leave(st, 0, NULL, 0);
	return rc;
}

int
store_sqlite_open(const char *path, struct store **out, char *err, size_t errsz)
{
	struct sq_store *st;
	int64_t appid, version, tables, wal;
	int rc;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))) || !(st->path = strdup(path))) {
		free(st);
		store_set_err(err, errsz,
		              "cannot open database '%s': out of memory", path);
		return STORE_ERR_NOMEM;
	}
	st->base.ops = &sqlite_ops;
	snprintf(st->version, sizeof(st->version), "%s", sqlite3_libversion());
	if ((rc = make_parent_dirs(path, err, errsz)) != STORE_OK)
		goto fail;
	rc = sqlite3_open_v2(path, &st->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		store_set_err(err, errsz, "cannot open database '%s': %s", path,
		              st->db ? sqlite3_errmsg(st->db)
		                     : sqlite3_errstr(rc));
		rc = sq_code(rc) == STORE_ERR_CORRUPT ? STORE_ERR_CORRUPT
		     : sq_code(rc) == STORE_ERR_NOMEM ? STORE_ERR_NOMEM
		                                      : STORE_ERR_IO;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	/* no writable_schema or other footguns, even through our own SQL */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	                  (int *)NULL);

	/* the first read of the file: a non-SQLite file fails here */
	rc = sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_int64(st, "PRAGMA application_id", &appid, err,
		                 errsz);
	if (rc != SQLITE_OK) {
		rc = sqlite3_errcode(st->db);
		store_set_err(err, errsz, "cannot open database '%s': %s", path,
		              sqlite3_errmsg(st->db));
		rc = sq_code(rc);
		goto fail;
	}
	if ((rc = query_int64(st, "PRAGMA user_version", &version, err,
	                      errsz)) != STORE_OK ||
	    (rc = query_int64(st, "SELECT count(*) FROM sqlite_schema", &tables,
	                      err, errsz)) != STORE_OK)
		goto fail;
	if ((appid != 0 && appid != APPLICATION_ID) ||
	    (appid == 0 && tables > 0)) {
		store_set_err(err, errsz,
		              "cannot open database '%s': "
		              "not a pcmon database",
		              path);
		rc = STORE_ERR_CORRUPT;
		goto fail;
	}
	if (version > SCHEMA_LATEST) {
		store_set_err(
		        err, errsz,
		        "cannot open database '%s': schema "
		        "version %lld is newer than this pcmon knows (%d); "
		        "use a newer pcmon",
		        path, (long long)version, SCHEMA_LATEST);
		rc = STORE_ERR_VERSION;
		goto fail;
	}
	st->opened_version = (int)version;
	if ((rc = query_int64(st, "PRAGMA journal_mode = WAL", &wal, err,
	                      errsz)) != STORE_OK ||
	    (rc = sq_exec(st, "PRAGMA synchronous = NORMAL", "open database",
	                  err, errsz)) != STORE_OK)
		goto fail;
	if ((rc = migrate(st, err, errsz)) != STORE_OK)
		goto fail;
	*out = &st->base;
	return STORE_OK;
fail:
	sq_close(&st->base);
	return rc;
}

static int
sq_schema_version(struct store *base)
{
	struct sq_store *st = (struct sq_store *)base;
	int64_t v;

	if (query_int64(st, "PRAGMA user_version", &v, NULL, 0) != STORE_OK)
		return -1;
	return (int)v;
}

/* ---------------------------------------------------- check and info */

static int
sq_check(struct store *base, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	const char *msg;
	int rc, bad = 0;
	size_t used = 0;

	store_set_err(err, errsz, "ok");
	rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(20)", -1, &s,
	                        NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		msg = (const char *)sqlite3_column_text(s, 0);
		if (msg && strcmp(msg, "ok") == 0)
			continue;
		if (err && used < errsz) {
			int n = snprintf(err + used, errsz - used, "%s%s",
			                 bad ? "; " : "", msg ? msg : "?");
			used += n > 0 ? (size_t)n : 0;
		}
		bad++;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_fail(st, rc, "check integrity", err, errsz);
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	if (bad)
		return STORE_ERR_CORRUPT;

	s = NULL;
	rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s,
	                        NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (err && used < errsz) {
			int n = snprintf(
			        err + used, errsz - used,
			        "%sforeign key violation: %s row %lld "
			        "refers to a missing %s row",
			        bad ? "; " : "",
			        (const char *)sqlite3_column_text(s, 0),
			        (long long)sqlite3_column_int64(s, 1),
			        (const char *)sqlite3_column_text(s, 2));
			used += n > 0 ? (size_t)n : 0;
		}
		bad++;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_fail(st, rc, "check foreign keys", err, errsz);
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	return bad ? STORE_ERR_CORRUPT : STORE_OK;
}

static int64_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

static int
sq_info(struct store *base, struct store_info *out, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	char wal[4096];
	int64_t v;
	int rc;

	out->backend = "sqlite";
	out->location = st->path;
	out->engine_version = st->version;
	out->schema_latest = SCHEMA_LATEST;
	out->schema_opened = st->opened_version;
	if ((rc = query_int64(st, "PRAGMA user_version", &v, err, errsz)) != 0)
		return rc;
	out->schema_version = (int)v;
	if ((rc = query_int64(st, "PRAGMA page_size", &out->page_size, err,
	                      errsz)) != 0 ||
	    (rc = query_int64(st, "PRAGMA page_count", &out->page_count, err,
	                      errsz)) != 0)
		return rc;
	out->file_size = file_size(st->path);
	if (snprintf(wal, sizeof(wal), "%s-wal", st->path) < (int)sizeof(wal))
		out->wal_size = file_size(wal);
	if (out->wal_size < 0)
		out->wal_size = 0; /* no WAL file: checkpointed and removed */
	return STORE_OK;
}

/* ---------------------------------------------------------------- feeds */

/* Inserts each comma-separated tag (trimmed, empty ones skipped). */
static int
insert_tags(struct sq_store *st, int64_t id, const char *tags, char *err,
            size_t errsz)
{
	sqlite3_stmt *s;
	const char *p, *e, *b;
	int rc = STORE_OK, code;

	if (!tags)
		return STORE_OK;
	if (!(s = stmt_get(st, ST_TAG_INSERT, &code, err, errsz)))
		return code;
	for (p = tags; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		b = e;
		while (p < b && (*p == ' ' || *p == '\t'))
			p++;
		while (b > p && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b == p)
			continue;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, p, (int)(b - p), SQLITE_STATIC);
		rc = sqlite3_step(s);
		stmt_done(s);
		if (rc != SQLITE_DONE)
			return sq_fail(st, rc, "add tag", err, errsz);
		rc = STORE_OK;
	}
	return rc;
}

static int
sq_feed_add(struct store *base, const struct store_feed *f, int64_t *id,
            char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code;

	if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
		return rc;
	if (!(s = stmt_get(st, ST_FEED_INSERT, &code, err, errsz))) {
		rc = code;
		goto out;
	}
	bind_text(s, 1, f->url);
	bind_text(s, 2, f->name && *f->name ? f->name : NULL);
	bind_text(s, 3, f->lang && *f->lang ? f->lang : NULL);
	sqlite3_bind_int(s, 4, f->local ? 1 : 0);
	sqlite3_bind_int64(s, 5,
	                   f->added_at > 0 ? f->added_at : (int64_t)time(NULL));
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(st, rc, "add feed", err, errsz);
		goto out;
	}
	if (sqlite3_changes(st->db) == 0) {
		store_set_err(err, errsz, "feed '%s' is already present",
		              f->url);
		rc = STORE_ERR_EXISTS;
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	rc = insert_tags(st, *id, f->tags, err, errsz);
out:
	if (rc != STORE_OK) {
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	return tx_leave(st, 1, err, errsz);
}

/* One row of FEED_COLUMNS into f. */
static int
read_feed(sqlite3_stmt *s, struct store_feed *f)
{
	int oom = 0;

	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(s, 0);
	f->url = col_dup(s, 1, &oom);
	f->name = col_dup(s, 2, &oom);
	f->lang = col_dup(s, 3, &oom);
	f->tags = col_dup(s, 4, &oom);
	f->local = sqlite3_column_int(s, 5);
	f->added_at = col_time(s, 6);
	f->etag = col_dup(s, 7, &oom);
	f->last_modified = col_dup(s, 8, &oom);
	f->last_fetch_at = col_time(s, 9);
	f->last_success_at = col_time(s, 10);
	f->next_fetch_at = col_time(s, 11);
	f->interval = sqlite3_column_int64(s, 12);
	f->fail_count = (long)sqlite3_column_int64(s, 13);
	f->status = sqlite3_column_int(s, 14);
	f->last_error = col_dup(s, 15, &oom);
	f->site_link = col_dup(s, 16, &oom);
	f->title = col_dup(s, 17, &oom);
	f->items = sqlite3_column_int64(s, 18);
	f->no_conditional = sqlite3_column_int(s, 19);
	f->last_probe_at = col_time(s, 20);
	f->ttl = sqlite3_column_int64(s, 21);
	f->last_body_sha256 = col_dup(s, 22, &oom);
	f->not_modified = sqlite3_column_int(s, 23);
	f->last_item_at = col_time(s, 24);
	f->quiet_since = col_time(s, 25);
	f->fail_since = col_time(s, 26);
	f->redirect_url = col_dup(s, 27, &oom);
	f->redirect_count = (long)sqlite3_column_int64(s, 28);
	if (oom || !f->url) {
		store_feed_release(f);
		return STORE_ERR_NOMEM;
	}
	return STORE_OK;
}

static int
feed_get(struct sq_store *st, int which, int64_t id, const char *url,
         struct store_feed *out, char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int rc, code;

	if (!(s = stmt_get(st, which, &code, err, errsz)))
		return code;
	if (url)
		bind_text(s, 1, url);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rc = read_feed(s, out);
		if (rc != STORE_OK)
			store_set_err(err, errsz,
			              "cannot read feed: out of memory");
	} else if (rc == SQLITE_DONE) {
		if (url)
			store_set_err(err, errsz, "no feed '%s'", url);
		else
			store_set_err(err, errsz, "no feed %lld",
			              (long long)id);
		rc = STORE_ERR_NOTFOUND;
	} else {
		rc = sq_fail(st, rc, "read feed", err, errsz);
	}
	stmt_done(s);
	return rc;
}

static int
sq_feed_get_id(struct store *base, int64_t id, struct store_feed *out,
               char *err, size_t errsz)
{
	return feed_get((struct sq_store *)base, ST_FEED_BY_ID, id, NULL, out,
	                err, errsz);
}

static int
sq_feed_get_url(struct store *base, const char *url, struct store_feed *out,
                char *err, size_t errsz)
{
	return feed_get((struct sq_store *)base, ST_FEED_BY_URL, 0, url, out,
	                err, errsz);
}

static int
run_id_stmt(struct sq_store *st, const char *sql, int64_t id, const char *what,
            char *err, size_t errsz)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, what, err, errsz);
	return STORE_OK;
}

static int
sq_feed_remove(struct store *base, int64_t id, int purge, char *err,
               size_t errsz)
{
	/* children first: raw bodies and items point at fetch_log rows */
	static const char *const purge_sql[] = {
		"DELETE FROM items WHERE feed_id = ?1",
		"DELETE FROM raw_bodies WHERE feed_id = ?1",
		"DELETE FROM fetch_log WHERE feed_id = ?1",
	};
	struct sq_store *st = (struct sq_store *)base;
	size_t i;
	int rc;

	if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
		return rc;
	for (i = 0; purge && i < sizeof(purge_sql) / sizeof(purge_sql[0]); i++)
		if ((rc = run_id_stmt(st, purge_sql[i], id, "purge feed", err,
		                      errsz)) != STORE_OK)
			goto out;
	/* without purge, items and the log stay: their feed_id becomes NULL */
	if ((rc = run_id_stmt(st, "DELETE FROM feeds WHERE id = ?1", id,
	                      "remove feed", err, errsz)) != STORE_OK)
		goto out;
	if (sqlite3_changes(st->db) == 0) {
		store_set_err(err, errsz, "no feed %lld", (long long)id);
		rc = STORE_ERR_NOTFOUND;
	}
out:
	if (rc != STORE_OK) {
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	return tx_leave(st, 1, err, errsz);
}

static int
sq_feed_foreach(struct store *base,
                int (*fn)(const struct store_feed *f, void *arg), void *arg,
                char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_feed f;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	/* not cached: fn may call back into the store */
	rc = sqlite3_prepare_v2(st->db, FEED_COLUMNS " ORDER BY f.id", -1, &s,
	                        NULL);
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (read_feed(s, &f) != STORE_OK) {
			sqlite3_finalize(s);
			store_set_err(err, errsz,
			              "cannot list feeds: out of memory");
			return STORE_ERR_NOMEM;
		}
		stop = fn(&f, arg);
		store_feed_release(&f);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return sq_fail(st, rc, "list feeds", err, errsz);
	return STORE_OK;
}

static int
sq_feed_update_meta(struct store *base, const struct store_feed *f, char *err,
                    size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code;

	if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
		return rc;
	if (!(s = stmt_get(st, ST_FEED_META, &code, err, errsz))) {
		rc = code;
		goto out;
	}
	sqlite3_bind_int64(s, 1, f->id);
	bind_text(s, 2, f->name);
	bind_text(s, 3, f->lang);
	sqlite3_bind_int(s, 4, f->local < 0 ? -1 : f->local ? 1 : 0);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(st, rc, "update feed", err, errsz);
		goto out;
	}
	rc = STORE_OK;
	if (sqlite3_changes(st->db) == 0) {
		store_set_err(err, errsz, "no feed %lld", (long long)f->id);
		rc = STORE_ERR_NOTFOUND;
		goto out;
	}
	if (f->tags) {
		if (!(s = stmt_get(st, ST_TAG_CLEAR, &code, err, errsz))) {
			rc = code;
			goto out;
		}
		sqlite3_bind_int64(s, 1, f->id);
		rc = sqlite3_step(s);
		stmt_done(s);
		if (rc != SQLITE_DONE) {
			rc = sq_fail(st, rc, "update tags", err, errsz);
			goto out;
		}
		rc = insert_tags(st, f->id, f->tags, err, errsz);
	}
out:
	if (rc != STORE_OK) {
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	return tx_leave(st, 1, err, errsz);
}

/* Steps s (rc: its preparation's result) over FEED_COLUMNS rows into a
 * store_feed_list_free() array; finalizes s. */
static int
feed_list(struct sq_store *st, sqlite3_stmt *s, int rc, const char *what,
          struct store_feed **out, size_t *n, char *err, size_t errsz)
{
	struct store_feed *v = NULL, *nv;
	size_t len = 0, cap = 0;

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(nv = realloc(v, cap * sizeof(*v))))
				goto oom;
			v = nv;
		}
		if (read_feed(s, &v[len]) != STORE_OK)
			goto oom;
		len++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		store_feed_list_free(v, len);
		return sq_fail(st, rc, what, err, errsz);
	}
	*out = v;
	*n = len;
	return STORE_OK;
oom:
	sqlite3_finalize(s);
	store_feed_list_free(v, len);
	store_set_err(err, errsz, "cannot %s: out of memory", what);
	return STORE_ERR_NOMEM;
}

static int
sq_feed_list_due(struct store *base, int64_t now, struct store_feed **out,
                 size_t *n, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc;

	/* not cached: the list is read once per run */
	rc = sqlite3_prepare_v2(
	        st->db,
	        FEED_COLUMNS
	        " WHERE f.status <> 2 AND (?1 IS NULL OR"
	        " ((f.next_fetch_at IS NULL OR f.next_fetch_at <= ?1) AND"
	        " (f.lease_until IS NULL OR f.lease_until <= ?1)))"
	        " ORDER BY f.next_fetch_at IS NOT NULL,"
	        " f.next_fetch_at, f.id",
	        -1, &s, NULL);
	if (rc == SQLITE_OK)
		bind_time(s, 1, now);
	return feed_list(st, s, rc, "list due feeds", out, n, err, errsz);
}

/* One writer at a time (BEGIN IMMEDIATE): pick, lease, read back. */
static int
sq_feed_claim_due(struct store *base, int64_t now, const char *owner,
                  int64_t lease, long limit, struct store_feed **out,
                  size_t *n, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
		return rc;
	rc = sqlite3_prepare_v2(
	        st->db,
	        "UPDATE feeds SET lease_owner = ?2, lease_until = ?3"
	        " WHERE id IN (SELECT id FROM feeds WHERE status <> 2 AND"
	        " (next_fetch_at IS NULL OR next_fetch_at <= ?1) AND"
	        " (lease_until IS NULL OR lease_until <= ?1)"
	        " ORDER BY next_fetch_at IS NOT NULL, next_fetch_at, id"
	        " LIMIT ?4)",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, now);
		bind_text(s, 2, owner);
		sqlite3_bind_int64(s, 3, now + lease);
		sqlite3_bind_int64(s, 4, limit);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE) {
		rc = sq_fail(st, rc, "claim due feeds", err, errsz);
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	rc = sqlite3_prepare_v2(st->db,
	                        FEED_COLUMNS " WHERE f.lease_owner = ?1 AND"
	                                     " f.lease_until = ?2"
	                                     " ORDER BY f.next_fetch_at IS"
	                                     " NOT NULL, f.next_fetch_at, f.id",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		bind_text(s, 1, owner);
		sqlite3_bind_int64(s, 2, now + lease);
	}
	if ((rc = feed_list(st, s, rc, "claim due feeds", out, n, err,
	                    errsz)) != STORE_OK) {
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	if ((rc = tx_leave(st, 1, err, errsz)) != STORE_OK) {
		store_feed_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static int
sq_feed_activity(struct store *base, int64_t id, int64_t now,
                 struct store_feed_activity *out, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code;

	if (!(s = stmt_get(st, ST_FEED_ACTIVITY, &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now - STORE_QUIET_RECENT - STORE_QUIET_USUAL);
	sqlite3_bind_int64(s, 3, now - STORE_QUIET_RECENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->usual_items = sqlite3_column_int64(s, 0);
		out->recent_items = sqlite3_column_int64(s, 1);
		out->last_item_at = col_time(s, 2);
		rc = SQLITE_DONE;
	}
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, "read feed activity", err, errsz);

	if (!(s = stmt_get(st, ST_FEED_DATES, &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, STORE_RECENT_DATES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       out->ndates < STORE_RECENT_DATES)
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			out->dates[out->ndates++] = sqlite3_column_int64(s, 0);
	stmt_done(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_fail(st, rc, "read item dates", err, errsz);
	return STORE_OK;
}

static int
sq_feed_set_url(struct store *base, int64_t id, const char *url, char *err,
                size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code;

	if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
		return rc;
	if (!(s = stmt_get(st, ST_FEED_SET_URL, &code, err, errsz))) {
		tx_leave(st, 0, NULL, 0);
		return code;
	}
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, url);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE) {
		/* UNIQUE(url): another feed already follows it */
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			store_set_err(err, errsz,
			              "feed '%s' is already present", url);
			rc = STORE_ERR_EXISTS;
		} else {
			rc = sq_fail(st, rc, "change feed URL", err, errsz);
		}
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	if (sqlite3_changes(st->db) == 0) {
		store_set_err(err, errsz, "no feed %lld", (long long)id);
		tx_leave(st, 0, NULL, 0);
		return STORE_ERR_NOTFOUND;
	}
	return tx_leave(st, 1, err, errsz);
}

/* ------------------------------------------------------------- fetches */

static int
insert_fetch_row(struct sq_store *st, const struct store_fetch *fe,
                 const char *error, int64_t *id, char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int rc, code;

	if (!(s = stmt_get(st, ST_FETCH_INSERT, &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, fe->feed_id);
	bind_text(s, 2, fe->url);
	sqlite3_bind_int64(s, 3,
	                   fe->started_at != STORE_TIME_NONE
	                           ? fe->started_at
	                           : (int64_t)time(NULL));
	sqlite3_bind_int64(s, 4, fe->duration_ms);
	sqlite3_bind_int64(s, 5, fe->http_status);
	sqlite3_bind_int64(s, 6, fe->bytes_wire);
	sqlite3_bind_int64(s, 7, fe->bytes_body);
	sqlite3_bind_int(s, 8, 0);
	sqlite3_bind_int(s, 9, 0);
	bind_text(s, 10, error);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, "log fetch", err, errsz);
	*id = sqlite3_last_insert_rowid(st->db);
	return STORE_OK;
}

/* The crawler's schedule and bookkeeping, in the fetch's transaction. */
static int
update_crawl_state(struct sq_store *st, int64_t id,
                   const struct store_crawl_state *c, char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int rc, code;

	if (!(s = stmt_get(st, ST_FEED_CRAWL, &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, id);
	bind_time(s, 2, c->next_fetch_at);
	sqlite3_bind_int64(s, 3, c->interval);
	sqlite3_bind_int(s, 4, c->no_conditional ? 1 : 0);
	bind_time(s, 5, c->last_probe_at);
	sqlite3_bind_int64(s, 6, c->ttl);
	bind_text(s, 7, c->body_sha256);
	sqlite3_bind_int(s, 8, c->not_modified ? 1 : 0);
	bind_time(s, 9, c->last_item_at);
	bind_time(s, 10, c->quiet_since);
	bind_text(s, 11, c->redirect_url);
	sqlite3_bind_int64(s, 12, c->redirect_count);
	sqlite3_bind_int(s, 13, c->dead ? 1 : 0);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, "update feed schedule", err, errsz);
	return STORE_OK;
}

/* The feed's state after a fetch: validators and metadata on success,
 * fail_count and last_error on failure. */
static int
update_feed_state(struct sq_store *st, const struct store_fetch *fe,
                  const char *error, char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int64_t when = fe->started_at != STORE_TIME_NONE ? fe->started_at
	                                                 : (int64_t)time(NULL);
	int rc, code;

	if (error) {
		if (!(s = stmt_get(st, ST_FEED_FAILURE, &code, err, errsz)))
			return code;
		sqlite3_bind_int64(s, 1, fe->feed_id);
		sqlite3_bind_int64(s, 2, when);
		bind_text(s, 3, error);
		sqlite3_bind_int64(s, 4, fe->fail_threshold);
	} else {
		if (!(s = stmt_get(st, ST_FEED_SUCCESS, &code, err, errsz)))
			return code;
		sqlite3_bind_int64(s, 1, fe->feed_id);
		bind_text(s, 2, fe->etag);
		bind_text(s, 3, fe->last_modified);
		sqlite3_bind_int64(s, 4, fe->http_status);
		sqlite3_bind_int64(s, 5, when);
		bind_text(s, 6,
		          fe->feed_title && *fe->feed_title ? fe->feed_title
		                                            : NULL);
		bind_text(s, 7,
		          fe->feed_link && *fe->feed_link ? fe->feed_link
		                                          : NULL);
	}
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, "update feed", err, errsz);
	if (fe->crawl)
		return update_crawl_state(st, fe->feed_id, fe->crawl, err,
		                          errsz);
	return STORE_OK;
}

static int
sq_fetch_log(struct store *base, const struct store_fetch *fe, char *err,
             size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	int64_t id;
	int rc;

	if ((rc = tx_enter(st, err, errsz)) != STORE_OK)
		return rc;
	rc = insert_fetch_row(st, fe, fe->error, &id, err, errsz);
	if (rc == STORE_OK && fe->feed_id > 0 && !fe->store_failed)
		rc = update_feed_state(st, fe, fe->error, err, errsz);
	if (rc != STORE_OK) {
		tx_leave(st, 0, NULL, 0);
		return rc;
	}
	return tx_leave(st, 1, err, errsz);
}

static int
sq_fetch_begin(struct store *base, const struct store_fetch *fe,
               struct store_txn **out, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_txn *tx;
	int rc;

	if (!(tx = calloc(1, sizeof(*tx)))) {
		store_set_err(err, errsz, "cannot store fetch: out of memory");
		return STORE_ERR_NOMEM;
	}
	tx->base.st = base;
	tx->st = st;
	tx->fetch = fe;
	if ((rc = tx_enter(st, err, errsz)) != STORE_OK) {
		free(tx);
		return rc;
	}
	/* the log row comes first so items can point at it (provenance);
	 * commit fills in the counts */
	if ((rc = insert_fetch_row(st, fe, NULL, &tx->fetch_id, err, errsz)) !=
	    STORE_OK) {
		tx_leave(st, 0, NULL, 0);
		free(tx);
		return rc;
	}
	*out = &tx->base;
	return STORE_OK;
}

static int
sq_fetch_add_item(struct store_txn *base, const struct store_item *it,
                  const char *ident, int date_flag, int64_t now, int *is_new,
                  char *err, size_t errsz)
{
	struct sq_txn *tx = (struct sq_txn *)base;
	struct sq_store *st = tx->st;
	sqlite3_stmt *s;
	int rc, code;

	if (!(s = stmt_get(st, ST_ITEM_INSERT, &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, tx->fetch->feed_id);
	sqlite3_bind_int64(s, 2, tx->fetch_id);
	bind_text(s, 3, ident);
	bind_text(s, 4, it->guid);
	bind_text(s, 5, it->link);
	bind_text(s, 6,
	          it->canonical_link && *it->canonical_link ? it->canonical_link
	                                                    : NULL);
	bind_text(s, 7, it->title);
	bind_text(s, 8, it->summary);
	bind_text(s, 9, it->author);
	bind_text(s, 10, it->lang);
	bind_time(s, 11, it->published);
	bind_time(s, 12, it->updated);
	sqlite3_bind_int64(s, 13, now);
	sqlite3_bind_int(s, 14, date_flag);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, "store item", err, errsz);
	tx->seen++;
	/* ON CONFLICT DO NOTHING: no change means already stored */
	*is_new = sqlite3_changes(st->db) == 1;
	tx->added += *is_new;
	return STORE_OK;
}

static int
store_raw_body(struct sq_txn *tx, char *err, size_t errsz)
{
	const struct store_fetch *fe = tx->fetch;
	struct sq_store *st = tx->st;
	char hex[SHA256_HEX_SIZE];
	unsigned char *z = NULL;
	size_t zlen;
	sqlite3_stmt *s;
	int rc, code;

	if (fe->body && fe->body_len > 0 && fe->raw_keep > 0) {
		if ((code = store_raw_pack(fe, &z, &zlen, hex, err, errsz)) !=
		    STORE_OK)
			return code;
		if (!(s = stmt_get(st, ST_RAW_INSERT, &code, err, errsz))) {
			free(z);
			return code;
		}
		sqlite3_bind_int64(s, 1, fe->feed_id);
		sqlite3_bind_int64(s, 2, tx->fetch_id);
		bind_time(s, 3, fe->started_at);
		bind_text(s, 4, fe->url);
		bind_text(s, 5, fe->content_type);
		bind_text(s, 6, hex);
		sqlite3_bind_int64(s, 7, (int64_t)fe->body_len);
		sqlite3_bind_blob64(s, 8, z, (sqlite3_uint64)zlen,
		                    SQLITE_STATIC);
		rc = sqlite3_step(s);
		stmt_done(s);
		free(z);
		if (rc != SQLITE_DONE)
			return sq_fail(st, rc, "keep raw body", err, errsz);
	}
	/* keep only the newest raw_keep, in the same transaction */
	if (!(s = stmt_get(st, ST_RAW_PRUNE, &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, fe->feed_id);
	sqlite3_bind_int64(s, 2, fe->raw_keep > 0 ? fe->raw_keep : 0);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return sq_fail(st, rc, "prune raw bodies", err, errsz);
	return STORE_OK;
}

static int
sq_fetch_commit(struct store_txn *base, char *err, size_t errsz)
{
	struct sq_txn *tx = (struct sq_txn *)base;
	struct sq_store *st = tx->st;
	const struct store_fetch *fe = tx->fetch;
	sqlite3_stmt *s;
	int rc, code;

	if (!(s = stmt_get(st, ST_FETCH_COUNTS, &code, err, errsz))) {
		rc = code;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, tx->fetch_id);
	sqlite3_bind_int64(s, 2, fe->duration_ms);
	sqlite3_bind_int64(s, 3, tx->seen);
	sqlite3_bind_int64(s, 4, tx->added);
	sqlite3_bind_int64(s, 5, fe->http_status);
	sqlite3_bind_int64(s, 6, fe->bytes_wire);
	sqlite3_bind_int64(s, 7, fe->bytes_body);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(st, rc, "log fetch", err, errsz);
		goto fail;
	}
	if ((rc = store_raw_body(tx, err, errsz)) != STORE_OK ||
	    (rc = update_feed_state(st, fe, NULL, err, errsz)) != STORE_OK)
		goto fail;
	rc = tx_leave(st, 1, err, errsz);
	free(tx);
	return rc;
fail:
	tx_leave(st, 0, NULL, 0);
	free(tx);
	return rc;
}

static void
sq_fetch_abort(struct store_txn *base, const char *error)
{
	struct sq_txn *tx = (struct sq_txn *)base;
	struct store_fetch fe = *tx->fetch;

	tx_leave(tx->st, 0, NULL, 0);
	fe.error = error ? error : fe.error ? fe.error : "aborted";
	/* best effort: a database that cannot take the log row has already
	 * reported its trouble to the caller */
	sq_fetch_log(&tx->st->base, &fe, NULL, 0);
	free(tx);
}

/* ---------------------------------------------------------------- items */

#define EFFECTIVE                                                              \
	"(CASE WHEN i.date_flag = 0 THEN i.published ELSE i.first_seen END)"

static int
sq_item_foreach(struct store *base, const struct store_item_query *q,
                int (*fn)(const struct store_item_row *r, void *arg), void *arg,
                char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_item_row r;
	sqlite3_stmt *s = NULL;
	char sql[1024];
	int rc, stop = 0;

	/* only constant fragments are pasted; every value is bound */
	snprintf(sql, sizeof(sql),
	         "SELECT i.id, i.feed_id, coalesce(f.name, f.title, f.url),"
	         " i.guid, i.link, i.title, i.summary, i.author, i.lang,"
	         " i.canonical_link, i.published, i.updated, i.first_seen,"
	         " i.date_flag"
	         " FROM items i LEFT JOIN feeds f ON f.id = i.feed_id"
	         " WHERE 1%s%s%s"
	         " ORDER BY " EFFECTIVE " DESC, i.id DESC LIMIT ?4",
	         q->feed_id > 0 ? " AND i.feed_id = ?1" : "",
	         q->since != STORE_TIME_NONE ? " AND " EFFECTIVE " >= ?2" : "",
	         q->until != STORE_TIME_NONE ? " AND " EFFECTIVE " < ?3" : "");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		if (q->feed_id > 0)
			sqlite3_bind_int64(s, 1, q->feed_id);
		if (q->since != STORE_TIME_NONE)
			sqlite3_bind_int64(s, 2, q->since);
		if (q->until != STORE_TIME_NONE)
			sqlite3_bind_int64(s, 3, q->until);
		sqlite3_bind_int64(s, 4, q->limit > 0 ? q->limit : -1);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.feed_id = sqlite3_column_int64(s, 1);
		r.feed_name = (const char *)sqlite3_column_text(s, 2);
		r.guid = (const char *)sqlite3_column_text(s, 3);
		r.link = (const char *)sqlite3_column_text(s, 4);
		r.title = (const char *)sqlite3_column_text(s, 5);
		r.summary = (const char *)sqlite3_column_text(s, 6);
		r.author = (const char *)sqlite3_column_text(s, 7);
		r.lang = (const char *)sqlite3_column_text(s, 8);
		r.canonical_link = (const char *)sqlite3_column_text(s, 9);
		r.published = col_time(s, 10);
		r.updated = col_time(s, 11);
		r.first_seen = col_time(s, 12);
		r.date_flag = sqlite3_column_int(s, 13);
		stop = fn(&r, arg);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		rc = sq_fail(st, rc, "list items", err, errsz);
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	return STORE_OK;
}

static int
sq_stats(struct store *base, struct store_stats *out, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT (SELECT count(*) FROM feeds),"
	        " (SELECT count(*) FROM feeds WHERE status = 1),"
	        " (SELECT count(*) FROM feeds WHERE status = 2),"
	        " (SELECT count(*) FROM items),"
	        " (SELECT count(*) FROM fetch_log),"
	        " (SELECT count(*) FROM fetch_log WHERE error IS NOT NULL),"
	        " (SELECT count(*) FROM raw_bodies),"
	        " (SELECT coalesce(sum(length(body)), 0) FROM raw_bodies),"
	        " (SELECT min(first_seen) FROM items),"
	        " (SELECT max(first_seen) FROM items)",
	        -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->feeds = sqlite3_column_int64(s, 0);
		out->feeds_failing = sqlite3_column_int64(s, 1);
		out->feeds_dead = sqlite3_column_int64(s, 2);
		out->items = sqlite3_column_int64(s, 3);
		out->fetches = sqlite3_column_int64(s, 4);
		out->fetch_errors = sqlite3_column_int64(s, 5);
		out->raw_bodies = sqlite3_column_int64(s, 6);
		out->raw_bytes = sqlite3_column_int64(s, 7);
		out->first_item = col_time(s, 8);
		out->last_item = col_time(s, 9);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		rc = sq_fail(st, rc, "count rows", err, errsz);
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	return STORE_OK;
}

/* ---------------------------------------------------------- predictions */

static int
sq_item_unscored(struct store *base, const char *model_version, int all,
                 int64_t after, long limit,
                 int (*fn)(const struct store_item_text *r, void *arg),
                 void *arg, int64_t *last, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_item_text r;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, code = STORE_OK, stop = 0;

	if (!(s = stmt_get(st, all ? ST_ITEM_ALL_TEXT : ST_ITEM_UNSCORED,
	                   &code, err, errsz)))
		return code;
	sqlite3_bind_int64(s, 1, after);
	if (!all)
		sqlite3_bind_text(s, 2, model_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, limit > 0 ? limit : -1);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.title = (const char *)sqlite3_column_text(s, 1);
		r.summary = (const char *)sqlite3_column_text(s, 2);
		r.lang = (const char *)sqlite3_column_text(s, 3);
		*last = r.id;
		stop = fn(&r, arg);
	}
	if (!stop && rc != SQLITE_DONE)
		code = sq_fail(st, rc, "list items to classify", err, errsz);
	stmt_done(s);
	return code;
}

/* The caller's store_begin() holds the write lock: no other worker reads
 * between this list and the predictions' commit. */
static int
sq_item_claim_unscored(struct store *base, const char *model_version,
                       long limit,
                       int (*fn)(const struct store_item_text *r, void *arg),
                       void *arg, char *err, size_t errsz)
{
	int64_t last = 0;

	return sq_item_unscored(base, model_version, 0, 0, limit, fn, arg,
	                        &last, err, errsz);
}

static int
sq_item_unscored_count(struct store *base, const char *model_version, int all,
                       int64_t *out, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(
	        st->db,
	        all ? "SELECT count(*) FROM items"
	            : "SELECT count(*) FROM items i WHERE NOT EXISTS"
	              " (SELECT 1 FROM predictions p WHERE p.item_id = i.id"
	              "  AND p.model_version = ?1)",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		if (!all)
			sqlite3_bind_text(s, 1, model_version, -1,
			                  SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		rc = sq_fail(st, rc, "count items to classify", err, errsz);
	sqlite3_finalize(s);
	return rc;
}

static int
sq_prediction_put(struct store *base, const struct store_prediction *p,
                  size_t n, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	size_t i;
	int rc, code = STORE_OK;

	if (!(s = stmt_get(st, ST_PREDICTION_PUT, &code, err, errsz)))
		return code;
	if ((code = tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	for (i = 0; i < n && code == STORE_OK; i++) {
		sqlite3_bind_int64(s, 1, p[i].item_id);
		bind_text(s, 2, p[i].model_version);
		bind_text(s, 3, p[i].label);
		sqlite3_bind_double(s, 4, p[i].score);
		bind_text(s, 5, p[i].themes);
		bind_text(s, 6, p[i].countries);
		bind_time(s, 7, p[i].scored_at);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			code = sq_fail(st, rc, "store predictions", err, errsz);
		stmt_done(s);
	}
	rc = tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

static int
sq_prediction_count(struct store *base, const char *model_version, int64_t *out,
                    char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code = STORE_OK;

	if (!(s = stmt_get(st, ST_PREDICTION_COUNT, &code, err, errsz)))
		return code;
	sqlite3_bind_text(s, 1, model_version, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		code = sq_fail(st, rc, "count predictions", err, errsz);
	stmt_done(s);
	return code;
}

static int
sq_prediction_related(struct store *base, const char *model_version,
                      double threshold, int64_t since, int64_t *out, char *err,
                      size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code = STORE_OK;

	if (!(s = stmt_get(st, ST_PREDICTION_RELATED, &code, err, errsz)))
		return code;
	sqlite3_bind_text(s, 1, model_version, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, threshold);
	sqlite3_bind_int64(s, 3, since);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		code = sq_fail(st, rc, "count predictions", err, errsz);
	stmt_done(s);
	return code;
}

/* --------------------------------------------------------------- labels */

/* The first id a cached one-column statement answers; STORE_ERR_NOTFOUND
 * (err untouched) when it answers none. */
static int
first_id(struct sq_store *st, sqlite3_stmt *s, int64_t *out, char *err,
         size_t errsz)
{
	int rc, code = STORE_OK;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		code = STORE_ERR_NOTFOUND;
	else
		code = sq_fail(st, rc, "find item", err, errsz);
	stmt_done(s);
	return code;
}

static int
sq_item_find(struct store *base, int64_t id, const char *link,
             const char *canonical, int64_t *out, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int code = STORE_OK;

	if (id > 0) {
		if (!(s = stmt_get(st, ST_ITEM_BY_ID, &code, err, errsz)))
			return code;
		sqlite3_bind_int64(s, 1, id);
		code = first_id(st, s, out, err, errsz);
		if (code == STORE_ERR_NOTFOUND)
			store_set_err(err, errsz, "no item %lld",
			              (long long)id);
		return code;
	}
	if (!(s = stmt_get(st, ST_ITEM_BY_CANONICAL, &code, err, errsz)))
		return code;
	bind_text(s, 1, link);
	bind_text(s, 2, canonical);
	code = first_id(st, s, out, err, errsz);
	if (code != STORE_ERR_NOTFOUND)
		return code;
	if (!(s = stmt_get(st, ST_ITEM_BY_LINK, &code, err, errsz)))
		return code;
	bind_text(s, 1, link);
	code = first_id(st, s, out, err, errsz);
	if (code == STORE_ERR_NOTFOUND)
		store_set_err(err, errsz, "no item with link '%s'", link);
	return code;
}

static int
sq_label_put(struct store *base, const struct store_label *l, size_t n,
             size_t *bad, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	size_t i;
	int rc, code = STORE_OK;

	if (!(s = stmt_get(st, ST_LABEL_PUT, &code, err, errsz)))
		return code;
	if ((code = tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	for (i = 0; i < n && code == STORE_OK; i++) {
		sqlite3_bind_int64(s, 1, l[i].item_id);
		bind_text(s, 2, l[i].label);
		bind_text(s, 3, l[i].themes);
		bind_text(s, 4, l[i].labeled_by);
		bind_time(s, 5, l[i].labeled_at);
		bind_text(s, 6, l[i].guideline);
		bind_text(s, 7, l[i].note);
		rc = sqlite3_step(s);
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
			/* the item went away since the caller looked */
			store_set_err(err, errsz,
			              "cannot store label: no item %lld",
			              (long long)l[i].item_id);
			code = STORE_ERR_NOTFOUND;
		} else if (rc != SQLITE_DONE) {
			code = sq_fail(st, rc, "store label", err, errsz);
		}
		stmt_done(s);
		if (code != STORE_OK && bad)
			*bad = i;
	}
	rc = tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

static int
sq_label_foreach(struct store *base, int latest,
                 int (*fn)(const struct store_label_row *r, void *arg),
                 void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_label_row r;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, code = STORE_OK, stop = 0;

	if (!(s = stmt_get(st, ST_LABEL_LIST, &code, err, errsz)))
		return code;
	sqlite3_bind_int(s, 1, latest != 0);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.l.item_id = sqlite3_column_int64(s, 1);
		r.l.label = (const char *)sqlite3_column_text(s, 2);
		r.l.themes = (const char *)sqlite3_column_text(s, 3);
		r.l.labeled_by = (const char *)sqlite3_column_text(s, 4);
		r.l.labeled_at = col_time(s, 5);
		r.l.guideline = (const char *)sqlite3_column_text(s, 6);
		r.l.note = (const char *)sqlite3_column_text(s, 7);
		r.title = (const char *)sqlite3_column_text(s, 8);
		r.summary = (const char *)sqlite3_column_text(s, 9);
		r.lang = (const char *)sqlite3_column_text(s, 10);
		r.link = (const char *)sqlite3_column_text(s, 11);
		stop = fn(&r, arg);
	}
	if (!stop && rc != SQLITE_DONE)
		code = sq_fail(st, rc, "list labels", err, errsz);
	stmt_done(s);
	return code;
}

static int
sq_label_top_pair(struct store *base, char **a, char **b, int64_t *n, char *err,
                  size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code = STORE_OK, oom = 0;

	if (!(s = stmt_get(st, ST_LABEL_TOP_PAIR, &code, err, errsz)))
		return code;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*a = col_dup(s, 0, &oom);
		*b = col_dup(s, 1, &oom);
		*n = sqlite3_column_int64(s, 2);
		if (oom || !*a || !*b) {
			free(*a);
			free(*b);
			*a = *b = NULL;
			*n = 0;
			store_set_err(err, errsz,
			              "cannot read labelers: out of memory");
			code = STORE_ERR_NOMEM;
		}
	} else if (rc != SQLITE_DONE) {
		code = sq_fail(st, rc, "read labelers", err, errsz);
	}
	stmt_done(s);
	return code;
}

static int
sq_label_pairs(struct store *base, const char *a, const char *b,
               int (*fn)(int64_t item_id, const char *la, const char *lb,
                         void *arg),
               void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, code = STORE_OK, stop = 0;

	if (!(s = stmt_get(st, ST_LABEL_PAIRS, &code, err, errsz)))
		return code;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(sqlite3_column_int64(s, 0),
		          (const char *)sqlite3_column_text(s, 1),
		          (const char *)sqlite3_column_text(s, 2), arg);
	if (!stop && rc != SQLITE_DONE)
		code = sq_fail(st, rc, "read labels", err, errsz);
	stmt_done(s);
	return code;
}

static int
sq_label_candidates(struct store *base, const char *model_version,
                    double threshold,
                    int (*fn)(const struct store_candidate *c, void *arg),
                    void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_candidate c;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, code = STORE_OK, stop = 0;

	if (!(s = stmt_get(st, ST_LABEL_CANDIDATES, &code, err, errsz)))
		return code;
	sqlite3_bind_text(s, 1, model_version, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, threshold);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.item_id = sqlite3_column_int64(s, 0);
		c.feed_id = sqlite3_column_int64(s, 1); /* NULL: 0 */
		c.story_id = sqlite3_column_int64(s, 2);
		c.label = (const char *)sqlite3_column_text(s, 3);
		c.score = sqlite3_column_double(s, 4);
		c.related = sqlite3_column_double(s, 5);
		c.title = (const char *)sqlite3_column_text(s, 6);
		c.link = (const char *)sqlite3_column_text(s, 7);
		c.canonical_link = (const char *)sqlite3_column_text(s, 8);
		c.feed_name = (const char *)sqlite3_column_text(s, 9);
		stop = fn(&c, arg);
	}
	if (!stop && rc != SQLITE_DONE)
		code = sq_fail(st, rc, "list items to label", err, errsz);
	stmt_done(s);
	return code;
}

/* ------------------------------------------------------------ stories */

static int
sq_story_pending(struct store *base, int64_t after, long limit,
                 int (*fn)(const struct store_story_item *r, void *arg),
                 void *arg, int64_t *last, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_story_item r;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT i.id, " EFFECTIVE ", i.title, i.summary, i.lang"
	        " FROM items i WHERE i.simhash IS NULL AND i.id > ?1"
	        " ORDER BY i.id LIMIT ?2",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, after);
		sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.date = sqlite3_column_int64(s, 1);
		r.title = (const char *)sqlite3_column_text(s, 2);
		r.summary = (const char *)sqlite3_column_text(s, 3);
		r.lang = (const char *)sqlite3_column_text(s, 4);
		*last = r.id;
		stop = fn(&r, arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "list items to fingerprint", err, errsz);
}

static int
sq_story_recent(struct store *base, int64_t since, int64_t until,
                int (*fn)(int64_t id, int64_t story_id, uint64_t fp,
                          int64_t date, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT i.id, coalesce(i.story_id, i.id), i.simhash, " EFFECTIVE
	        " FROM items i WHERE i.simhash IS NOT NULL"
	        " AND " EFFECTIVE " >= ?1 AND " EFFECTIVE " < ?2 ORDER BY i.id",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, since);
		sqlite3_bind_int64(s, 2, until);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		stop = fn(sqlite3_column_int64(s, 0),
		          sqlite3_column_int64(s, 1),
		          (uint64_t)sqlite3_column_int64(s, 2),
		          sqlite3_column_int64(s, 3), arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "read fingerprints", err, errsz);
}

static int
sq_story_put(struct store *base, const struct store_story *v, size_t n,
             char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	size_t i;
	int rc, code = STORE_OK;

	if (!(s = stmt_get(st, ST_STORY_PUT, &code, err, errsz)))
		return code;
	if ((code = tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	for (i = 0; i < n && code == STORE_OK; i++) {
		sqlite3_bind_int64(s, 1, v[i].item_id);
		/* the bits as they are: SQLite integers are signed */
		sqlite3_bind_int64(s, 2, (sqlite3_int64)v[i].fingerprint);
		sqlite3_bind_int64(s, 3, v[i].story_id);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			code = sq_fail(st, rc, "store story ids", err, errsz);
		stmt_done(s);
	}
	rc = tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

/* ------------------------------------------------------------- trends */

/* P(related) of a prediction p (NULL when the item has none: 0) */
#define RELATED_P                                                              \
	"coalesce(CASE WHEN p.label = '1' THEN p.score ELSE 1 - p.score END," \
	" 0)"

/* The items in the query's window with their day, story and verdict;
 * ?1 model version, ?2 threshold, ?3 since, ?4 until (NULL: none). */
#define SERIES_BASE                                                            \
	"WITH it AS (SELECT i.id AS id, coalesce(i.story_id, i.id) AS story," \
	" " EFFECTIVE " AS date, " EFFECTIVE " / 86400 AS day,"              \
	" i.feed_id AS feed_id, i.lang AS lang, i.title AS title,"            \
	" i.link AS link, p.themes AS themes, p.countries AS countries,"      \
	" " RELATED_P " AS relp, (" RELATED_P " >= ?2) AS rel"                \
	" FROM items i LEFT JOIN predictions p ON p.item_id = i.id"           \
	"  AND p.model_version = ?1"                                           \
	" WHERE (?3 IS NULL OR " EFFECTIVE " >= ?3)"                           \
	" AND (?4 IS NULL OR " EFFECTIVE " < ?4)) "

/* The key of each row of "it" for per-key kinds; NULL for the others */
static const char *
series_key_expr(int kind)
{
	switch (kind) {
	case SERIES_TOTAL: return "'total'";
	case SERIES_SOURCE:
		return "coalesce((SELECT coalesce(f.name, f.title, f.url) FROM"
		       " feeds f WHERE f.id = it.feed_id), '(removed feed)')";
	case SERIES_LANG: return "coalesce(nullif(it.lang, ''), 'und')";
	default: return NULL;
	}
}

/* The related rows of "it" with their keys, for kinds whose key comes
 * from the prediction's JSON arrays */
static const char *
series_json_rows(int kind)
{
	switch (kind) {
	case SERIES_THEME:
		return "SELECT t.value AS k, it.* FROM it, json_each("
		       "iif(json_valid(it.themes), it.themes, '[]')) t"
		       " WHERE it.rel";
	case SERIES_COUNTRY:
		return "SELECT c.value AS k, it.* FROM it, json_each("
		       "iif(json_valid(it.countries), it.countries, '[]')) c"
		       " WHERE it.rel";
	case SERIES_THEME_COUNTRY:
		return "SELECT t.value || '/' || c.value AS k, it.* FROM it,"
		       " json_each(iif(json_valid(it.themes), it.themes, '[]'))"
		       " t, json_each(iif(json_valid(it.countries),"
		       " it.countries, '[]')) c WHERE it.rel";
	default: return NULL;
	}
}

static void
series_bind(sqlite3_stmt *s, const struct store_series_query *q)
{
	sqlite3_bind_text(s, 1, q->model_version, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, q->threshold);
	bind_time(s, 3, q->since);
	bind_time(s, 4, q->until);
}

static int
sq_series_daily(struct store *base, const struct store_series_query *q,
                int (*fn)(const char *key, int64_t day, int64_t related,
                          int64_t total, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	const char *key = series_key_expr(q->kind);
	const char *json = series_json_rows(q->kind);
	char keyed[512], part[2048], sql[4096];
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	/* T: every item with its key (NULL: the shared denominator) */
	snprintf(keyed, sizeof(keyed), "SELECT %s AS k, it.* FROM it",
	         key ? key : "NULL");
	/* each row is (k, day, related, total); a story counts once, on the
	 * day of its first item (its first related item for "related") */
	if (q->stories)
		snprintf(part, sizeof(part),
		         "SELECT k, min(day) AS day, 0 AS r, 1 AS t FROM (%s)"
		         " GROUP BY k, story"
		         " UNION ALL SELECT k, min(day), 1, 0 FROM (%s)"
		         " WHERE rel GROUP BY k, story%s%s%s",
		         keyed, keyed, json ? " UNION ALL SELECT k, min(day),"
		                              " 1, 0 FROM ("
		                            : "",
		         json ? json : "", json ? ") GROUP BY k, story" : "");
	else
		snprintf(part, sizeof(part),
		         "SELECT k, day, rel AS r, 1 AS t FROM (%s)"
		         "%s%s%s",
		         keyed, json ? " UNION ALL SELECT k, day, 1, 0 FROM (" : "",
		         json ? json : "", json ? ")" : "");
	snprintf(sql, sizeof(sql),
	         SERIES_BASE "SELECT k, day, sum(r), sum(t) FROM (%s)"
	                     " GROUP BY k, day ORDER BY k, day",
	         part);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		series_bind(s, q);
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		stop = fn((const char *)sqlite3_column_text(s, 0),
		          sqlite3_column_int64(s, 1),
		          sqlite3_column_int64(s, 2),
		          sqlite3_column_int64(s, 3), arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "count the series", err, errsz);
}

static int
sq_fetch_days(struct store *base, int64_t since, int64_t until,
              int (*fn)(int64_t day, int64_t fetches, int64_t failed,
                        void *arg),
              void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	/* a feed failed on a day when none of its fetches that day worked */
	rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT d, count(*), sum(ok = 0) FROM"
	        " (SELECT started_at / 86400 AS d, feed_id,"
	        "  max(error IS NULL AND coalesce(http_status, 0) < 400) AS ok"
	        "  FROM fetch_log WHERE (?1 IS NULL OR started_at >= ?1)"
	        "  AND (?2 IS NULL OR started_at < ?2) GROUP BY d, feed_id)"
	        " GROUP BY d ORDER BY d",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		bind_time(s, 1, since);
		bind_time(s, 2, until);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		stop = fn(sqlite3_column_int64(s, 0),
		          sqlite3_column_int64(s, 1),
		          sqlite3_column_int64(s, 2), arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "read the fetch log", err, errsz);
}

static int
sq_series_items(struct store *base, const struct store_series_query *q,
                const char *key, long limit,
                int (*fn)(const struct store_series_item *r, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_series_item r;
	const char *cond = "1";
	char sql[4096], k1[256] = "", k2[64] = "";
	const char *slash;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	switch (q->kind) {
	case SERIES_THEME:
		cond = "EXISTS (SELECT 1 FROM json_each(iif(json_valid("
		       "it.themes), it.themes, '[]')) WHERE value = ?5)";
		break;
	case SERIES_COUNTRY:
		cond = "EXISTS (SELECT 1 FROM json_each(iif(json_valid("
		       "it.countries), it.countries, '[]')) WHERE value = ?5)";
		break;
	case SERIES_THEME_COUNTRY:
		cond = "EXISTS (SELECT 1 FROM json_each(iif(json_valid("
		       "it.themes), it.themes, '[]')) WHERE value = ?5)"
		       " AND EXISTS (SELECT 1 FROM json_each(iif(json_valid("
		       "it.countries), it.countries, '[]')) WHERE value = ?6)";
		break;
	case SERIES_SOURCE:
	case SERIES_LANG: break;
	}
	if (q->kind == SERIES_SOURCE || q->kind == SERIES_LANG) {
		snprintf(k1, sizeof(k1), "%s = ?5", series_key_expr(q->kind));
		cond = k1;
	}
	snprintf(sql, sizeof(sql),
	         SERIES_BASE
	         "SELECT it.id, max(it.relp), it.title, it.link,"
	         " (SELECT coalesce(f.name, f.title, f.url) FROM feeds f"
	         "  WHERE f.id = it.feed_id), it.lang, it.date"
	         " FROM it WHERE it.rel AND %s GROUP BY it.story"
	         " ORDER BY max(it.relp) DESC, it.id LIMIT ?7",
	         cond);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		series_bind(s, q);
		if (q->kind == SERIES_THEME_COUNTRY && key &&
		    (slash = strrchr(key, '/')) != NULL) {
			snprintf(k2, sizeof(k2), "%s", slash + 1);
			sqlite3_bind_text(s, 5, key, (int)(slash - key),
			                  SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 6, k2, -1, SQLITE_STATIC);
		} else {
			bind_text(s, 5, key);
		}
		sqlite3_bind_int64(s, 7, limit > 0 ? limit : -1);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.related = sqlite3_column_double(s, 1);
		r.title = (const char *)sqlite3_column_text(s, 2);
		r.link = (const char *)sqlite3_column_text(s, 3);
		r.feed_name = (const char *)sqlite3_column_text(s, 4);
		r.lang = (const char *)sqlite3_column_text(s, 5);
		r.date = sqlite3_column_int64(s, 6);
		stop = fn(&r, arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "list the stories of a series", err, errsz);
}

/* ------------------------------------------------------------- alerts */

static int
sq_alert_add(struct store *base, const struct store_alert *a,
             const char *const *channels, size_t n, int64_t *id, char *err,
             size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	size_t i;
	int rc, code = STORE_OK;

	if ((code = tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	if (!(s = stmt_get(st, ST_ALERT_INSERT, &code, err, errsz)))
		goto out;
	bind_text(s, 1, a->series);
	bind_text(s, 2, a->period);
	bind_text(s, 3, a->kind ? a->kind : "volume");
	sqlite3_bind_int64(s, 4, a->count);
	sqlite3_bind_double(s, 5, a->expected);
	sqlite3_bind_double(s, 6, a->score);
	bind_text(s, 7, a->model_version);
	bind_time(s, 8, a->created_at);
	bind_text(s, 9, a->payload);
	rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE) {
		code = sq_fail(st, rc, "store alert", err, errsz);
		goto out;
	}
	if (sqlite3_changes(st->db) == 0) {
		store_set_err(err, errsz, "alert for %s on %s exists", a->series,
		              a->period);
		code = STORE_ERR_EXISTS;
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	if (n && !(s = stmt_get(st, ST_DELIVERY_INSERT, &code, err, errsz)))
		goto out;
	for (i = 0; i < n && code == STORE_OK; i++) {
		sqlite3_bind_int64(s, 1, *id);
		bind_text(s, 2, channels[i]);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			code = sq_fail(st, rc, "store alert", err, errsz);
		stmt_done(s);
	}
	/* no channel: nothing is owed, the alert is as delivered as it gets */
	if (code == STORE_OK && n == 0 &&
	    (s = stmt_get(st, ST_ALERT_DONE, &code, err, errsz)) != NULL) {
		sqlite3_bind_int64(s, 1, *id);
		bind_time(s, 2, a->created_at);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			code = sq_fail(st, rc, "store alert", err, errsz);
		stmt_done(s);
	}
out:
	rc = tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

static int
sq_alert_last(struct store *base, const char *series, char **out, char *err,
              size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code = STORE_OK, oom = 0;

	if (!(s = stmt_get(st, ST_ALERT_LAST, &code, err, errsz)))
		return code;
	bind_text(s, 1, series);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = col_dup(s, 0, &oom);
	else if (rc != SQLITE_DONE)
		code = sq_fail(st, rc, "read alerts", err, errsz);
	stmt_done(s);
	if (oom) {
		store_set_err(err, errsz, "out of memory");
		code = STORE_ERR_NOMEM;
	}
	return code;
}

#define ALERT_COLUMNS                                                          \
	"SELECT a.id, a.series, a.period, a.kind, a.count, a.expected,"       \
	" a.score, a.model_version, a.created_at, a.payload, a.delivered_at"  \
	" FROM alerts a"

static void
read_alert(sqlite3_stmt *s, struct store_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->series = (const char *)sqlite3_column_text(s, 1);
	a->period = (const char *)sqlite3_column_text(s, 2);
	a->kind = (const char *)sqlite3_column_text(s, 3);
	a->count = sqlite3_column_int64(s, 4);
	a->expected = sqlite3_column_double(s, 5);
	a->score = sqlite3_column_double(s, 6);
	a->model_version = (const char *)sqlite3_column_text(s, 7);
	a->created_at = col_time(s, 8);
	a->payload = (const char *)sqlite3_column_text(s, 9);
	a->delivered_at = col_time(s, 10);
}

static int
sq_alert_foreach(struct store *base, int64_t since, long limit, int64_t id,
                 int (*fn)(const struct store_alert *a, void *arg), void *arg,
                 char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_alert a;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;
	long rows = 0;

	rc = sqlite3_prepare_v2(st->db,
	                        ALERT_COLUMNS
	                        " WHERE (?1 IS NULL OR a.created_at >= ?1)"
	                        " AND (?3 = 0 OR a.id = ?3)"
	                        " ORDER BY a.period DESC, a.id DESC LIMIT ?2",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		bind_time(s, 1, since);
		sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
		sqlite3_bind_int64(s, 3, id);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_alert(s, &a);
		stop = fn(&a, arg);
		rows++;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		rc = sq_fail(st, rc, "list alerts", err, errsz);
	else if (id != 0 && rows == 0) {
		store_set_err(err, errsz, "no alert %lld", (long long)id);
		rc = STORE_ERR_NOTFOUND;
	} else
		rc = STORE_OK;
	sqlite3_finalize(s);
	return rc;
}

static int
sq_alert_pending(struct store *base,
                 int (*fn)(const struct store_alert *a, const char *channel,
                           long attempts, void *arg),
                 void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_alert a;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT a.id, a.series, a.period, a.kind,"
	                        " a.count, a.expected, a.score,"
	                        " a.model_version, a.created_at, a.payload,"
	                        " a.delivered_at, d.channel, d.attempts"
	                        " FROM alert_deliveries d JOIN alerts a"
	                        " ON a.id = d.alert_id"
	                        " WHERE d.delivered_at IS NULL"
	                        " ORDER BY a.id, d.channel",
	                        -1, &s, NULL);
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_alert(s, &a);
		stop = fn(&a, (const char *)sqlite3_column_text(s, 11),
		          (long)sqlite3_column_int64(s, 12), arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "list alert deliveries", err, errsz);
}

static int
sq_alert_attempt(struct store *base, int64_t alert_id, const char *channel,
                 const char *error, int64_t now, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s;
	int rc, code = STORE_OK;

	if ((code = tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	if (!(s = stmt_get(st, ST_DELIVERY_ATTEMPT, &code, err, errsz)))
		goto out;
	sqlite3_bind_int64(s, 1, alert_id);
	bind_text(s, 2, channel);
	bind_text(s, 3, error);
	sqlite3_bind_int64(s, 4, now);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		code = sq_fail(st, rc, "record a delivery", err, errsz);
	stmt_done(s);
	if (code != STORE_OK || error)
		goto out;
	if (!(s = stmt_get(st, ST_ALERT_DONE, &code, err, errsz)))
		goto out;
	sqlite3_bind_int64(s, 1, alert_id);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		code = sq_fail(st, rc, "record a delivery", err, errsz);
	stmt_done(s);
out:
	rc = tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

/* ------------------------------------------------------------- export */

static int
sq_export_items(struct store *base, const char *model_version,
                double threshold, int related_only, int64_t since,
                int64_t until,
                int (*fn)(const struct store_export_row *r, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_export_row r;
	sqlite3_stmt *s = NULL;
	int rc, stop = 0;

	rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT i.id, coalesce(i.story_id, i.id), f.name, f.url,"
	        " i.title, i.summary, i.link, i.lang, i.guid, i.published,"
	        " i.first_seen, " EFFECTIVE ", p.item_id IS NOT NULL,"
	        " " RELATED_P ", p.themes, p.countries"
	        " FROM items i LEFT JOIN feeds f ON f.id = i.feed_id"
	        " LEFT JOIN predictions p ON p.item_id = i.id"
	        "  AND p.model_version = ?1"
	        " WHERE (?3 IS NULL OR " EFFECTIVE " >= ?3)"
	        " AND (?4 IS NULL OR " EFFECTIVE " < ?4)"
	        " AND (?5 = 0 OR " RELATED_P " >= ?2)"
	        " ORDER BY " EFFECTIVE ", i.id",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, model_version, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 2, threshold);
		bind_time(s, 3, since);
		bind_time(s, 4, until);
		sqlite3_bind_int(s, 5, related_only);
	}
	while (rc == SQLITE_OK && !stop &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.story_id = sqlite3_column_int64(s, 1);
		r.feed_name = (const char *)sqlite3_column_text(s, 2);
		r.feed_url = (const char *)sqlite3_column_text(s, 3);
		r.title = (const char *)sqlite3_column_text(s, 4);
		r.summary = (const char *)sqlite3_column_text(s, 5);
		r.link = (const char *)sqlite3_column_text(s, 6);
		r.lang = (const char *)sqlite3_column_text(s, 7);
		r.guid = (const char *)sqlite3_column_text(s, 8);
		r.published = col_time(s, 9);
		r.first_seen = col_time(s, 10);
		r.date = col_time(s, 11);
		r.scored = sqlite3_column_int(s, 12);
		r.related = sqlite3_column_double(s, 13);
		r.themes = (const char *)sqlite3_column_text(s, 14);
		r.countries = (const char *)sqlite3_column_text(s, 15);
		stop = fn(&r, arg);
		rc = SQLITE_OK;
	}
	return sq_finish(st, s, rc, "export items", err, errsz);
}

/* ----------------------------------------------------------- evidence */

static int
sq_evidence_item(struct store *base, int64_t id, const char *model_version,
                 int (*fn)(const struct store_evidence *e, void *arg),
                 void *arg, char *err, size_t errsz)
{
	struct sq_store *st = (struct sq_store *)base;
	struct store_evidence e;
	sqlite3_stmt *s = NULL;
	unsigned char *raw = NULL;
	int rc, code = STORE_OK;

	rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT i.id, coalesce(i.story_id, i.id), f.name, f.url,"
	        " i.title, i.summary, i.link, i.lang, i.guid, i.published,"
	        " i.first_seen, " EFFECTIVE ", p.item_id IS NOT NULL,"
	        " " RELATED_P ", p.themes, p.countries,"
	        " i.fetch_id, l.started_at, l.url, l.http_status,"
	        " r.body, r.size, r.sha256, r.content_type,"
	        " p.model_version, p.label, p.score"
	        " FROM items i LEFT JOIN feeds f ON f.id = i.feed_id"
	        " LEFT JOIN fetch_log l ON l.id = i.fetch_id"
	        " LEFT JOIN raw_bodies r ON r.fetch_id = i.fetch_id"
	        " LEFT JOIN predictions p ON p.item_id = i.id"
	        "  AND p.model_version = ?2"
	        " WHERE i.id = ?1 LIMIT 1",
	        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, model_version, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc == SQLITE_DONE) {
		store_set_err(err, errsz, "no item %lld", (long long)id);
		code = STORE_ERR_NOTFOUND;
	} else if (rc != SQLITE_ROW) {
		code = sq_fail(st, rc, "read evidence", err, errsz);
	} else {
		struct store_export_row *r = &e.item;

		memset(&e, 0, sizeof(e));
		r->id = sqlite3_column_int64(s, 0);
		r->story_id = sqlite3_column_int64(s, 1);
		r->feed_name = (const char *)sqlite3_column_text(s, 2);
		r->feed_url = (const char *)sqlite3_column_text(s, 3);
		r->title = (const char *)sqlite3_column_text(s, 4);
		r->summary = (const char *)sqlite3_column_text(s, 5);
		r->link = (const char *)sqlite3_column_text(s, 6);
		r->lang = (const char *)sqlite3_column_text(s, 7);
		r->guid = (const char *)sqlite3_column_text(s, 8);
		r->published = col_time(s, 9);
		r->first_seen = col_time(s, 10);
		r->date = col_time(s, 11);
		r->scored = sqlite3_column_int(s, 12);
		r->related = sqlite3_column_double(s, 13);
		r->themes = (const char *)sqlite3_column_text(s, 14);
		r->countries = (const char *)sqlite3_column_text(s, 15);
		e.fetch_id = sqlite3_column_int64(s, 16);
		e.fetched_at = col_time(s, 17);
		e.fetch_url = (const char *)sqlite3_column_text(s, 18);
		e.http_status = (long)sqlite3_column_int64(s, 19);
		if (sqlite3_column_type(s, 20) == SQLITE_BLOB) {
			size_t n = (size_t)sqlite3_column_int64(s, 21);

			code = store_raw_unpack(
			        sqlite3_column_blob(s, 20),
			        (size_t)sqlite3_column_bytes(s, 20), n,
			        e.fetch_id, &raw, err, errsz);
			if (code == STORE_OK) {
				e.raw = (const char *)raw;
				e.raw_len = n;
			}
		}
		e.raw_sha256 = (const char *)sqlite3_column_text(s, 22);
		e.content_type = (const char *)sqlite3_column_text(s, 23);
		e.model_version = (const char *)sqlite3_column_text(s, 24);
		e.label = (const char *)sqlite3_column_text(s, 25);
		e.score = sqlite3_column_double(s, 26);
		if (code == STORE_OK)
			fn(&e, arg);
	}
	free(raw);
	sqlite3_finalize(s);
	return code;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.schema_version = sq_schema_version,
	.check = sq_check,
	.info = sq_info,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.feed_add = sq_feed_add,
	.feed_get_id = sq_feed_get_id,
	.feed_get_url = sq_feed_get_url,
	.feed_remove = sq_feed_remove,
	.feed_foreach = sq_feed_foreach,
	.feed_update_meta = sq_feed_update_meta,
	.feed_list_due = sq_feed_list_due,
	.feed_claim_due = sq_feed_claim_due,
	.feed_activity = sq_feed_activity,
	.feed_set_url = sq_feed_set_url,
	.fetch_begin = sq_fetch_begin,
	.fetch_add_item = sq_fetch_add_item,
	.fetch_commit = sq_fetch_commit,
	.fetch_abort = sq_fetch_abort,
	.fetch_log = sq_fetch_log,
	.item_foreach = sq_item_foreach,
	.stats = sq_stats,
	.item_unscored = sq_item_unscored,
	.item_claim_unscored = sq_item_claim_unscored,
	.item_unscored_count = sq_item_unscored_count,
	.prediction_put = sq_prediction_put,
	.prediction_count = sq_prediction_count,
	.prediction_related = sq_prediction_related,
	.item_find = sq_item_find,
	.label_put = sq_label_put,
	.label_foreach = sq_label_foreach,
	.label_top_pair = sq_label_top_pair,
	.label_pairs = sq_label_pairs,
	.label_candidates = sq_label_candidates,
	.story_pending = sq_story_pending,
	.story_recent = sq_story_recent,
	.story_put = sq_story_put,
	.series_daily = sq_series_daily,
	.fetch_days = sq_fetch_days,
	.series_items = sq_series_items,
	.alert_add = sq_alert_add,
	.alert_last = sq_alert_last,
	.alert_foreach = sq_alert_foreach,
	.alert_pending = sq_alert_pending,
	.alert_attempt = sq_alert_attempt,
	.export_items = sq_export_items,
	.evidence_item = sq_evidence_item,
};
