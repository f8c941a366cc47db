/*
 * store_pg_query.c - the PostgreSQL store, second half: unscored items and
 * predictions, item_find, labels, stories, daily series, alerts, export
 * and evidence.
 *
 * Every function mirrors its sq_ twin in store_sqlite.c, statement for
 * statement, with SQLite's habits spelled out where PostgreSQL differs:
 * text is compared and sorted with COLLATE "C" (SQLite's BINARY), NULL
 * keys sort first (SQLite's NULLS FIRST), every parameter carries its type
 * (so "$3 IS NULL" never leaves a type to guess), booleans are cast to
 * integers, and JSON text is read with jsonb only when it looks like an
 * array (json_each of SQLite skipped what json_valid refused).
 *
 * Rows that can be many are read through pg_foreach's cursor, so fn may
 * call the store again; the batches (predictions, stories) go as one JSON
 * parameter per thousand rows instead of one round trip per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store_pg.h"

/* the effective date of item i: published when trusted, else first seen */
#define EFFECTIVE                                                              \
	"(CASE WHEN i.date_flag = 0 THEN i.published ELSE i.first_seen END)"

/* P(related) of a prediction p (NULL when the item has none: 0) */
#define RELATED_P                                                              \
	"coalesce(CASE WHEN p.label = '1' THEN p.score ELSE 1 - p.score END,"  \
	" 0)"

/*
 * A JSON text column as a jsonb array, '[]' when it is NULL or not an
 * array: SQLite's iif(json_valid(x), x, '[]') for the themes and
 * countries of a prediction in "it".  PostgreSQL 15 has no safe
 * cast, so the shape is checked first; text shaped like an array but not
 * JSON still fails the statement (pcmon only ever writes valid arrays).
 */
#define ARRAY_SHAPE "'^[ \\t\\r\\n]*\\[.*\\][ \\t\\r\\n]*$'"
#define THEMES                                                                 \
	"(CASE WHEN it.themes ~ " ARRAY_SHAPE " THEN it.themes"                \
	" ELSE '[]' END)::jsonb"
#define COUNTRIES                                                              \
	"(CASE WHEN it.countries ~ " ARRAY_SHAPE " THEN it.countries"          \
	" ELSE '[]' END)::jsonb"

/* rows per statement of a batch written as one JSON parameter */
#define BATCH_ROWS 1000

/* ------------------------------------------------------------ helpers */

/* LIMIT: SQLite's -1 is PostgreSQL's NULL (no limit) */
static void
param_limit(struct pg_params *p, long limit)
{
	if (limit > 0)
		pg_param_int(p, limit);
	else
		pg_param_text(p, NULL);
}

/* A batch of rows as one JSON text parameter (jsonb_to_recordset): adds
 * row to rows; -1 when row is NULL (out of memory, or text that is not
 * UTF-8) or cannot be appended. */
static int
rows_add(json_t *rows, json_t *row)
{
	return row ? json_array_append_new(rows, row) : -1;
}

/* The first id a one-column query answers; STORE_ERR_NOTFOUND (err
 * untouched) when it answers none. */
static int
first_id(struct pg_store *st, const char *sql, const struct pg_params *p,
         int64_t *out, char *err, size_t errsz)
{
	PGresult *r;
	int code = STORE_OK;

	if (!(r = pg_query(st, sql, p, "find item", &code, err, errsz)))
		return code;
	if (PQntuples(r) > 0)
		*out = pg_int(r, 0, 0);
	else
		code = STORE_ERR_NOTFOUND;
	PQclear(r);
	return code;
}

/* ---------------------------------------------------------- predictions */

struct unscored_ctx {
	int (*fn)(const struct store_item_text *r, void *arg);
	void *arg;
	int64_t *last;
};

static int
unscored_row(const PGresult *res, int row, void *arg)
{
	struct unscored_ctx *c = arg;
	struct store_item_text r;

	r.id = pg_int(res, row, 0);
	r.title = pg_text(res, row, 1);
	r.summary = pg_text(res, row, 2);
	r.lang = pg_text(res, row, 3);
	*c->last = r.id;
	return c->fn(&r, c->arg);
}

int
pg_item_unscored(struct store *base, const char *model_version, int all,
                 int64_t after, long limit,
                 int (*fn)(const struct store_item_text *r, void *arg),
                 void *arg, int64_t *last, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct unscored_ctx c = { fn, arg, last };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, after);
	param_limit(&p, limit);
	if (!all)
		pg_param_text(&p, model_version);
	/* keyset pagination by id; the predictions primary key (item_id,
	 * model_version) answers NOT EXISTS with one index probe */
	return pg_foreach(
	        st,
	        all ? "SELECT i.id, i.title, i.summary, i.lang FROM items i"
	              " WHERE i.id > $1::bigint ORDER BY i.id LIMIT $2::bigint"
	            : "SELECT i.id, i.title, i.summary, i.lang FROM items i"
	              " WHERE i.id > $1::bigint AND NOT EXISTS (SELECT 1"
	              "  FROM predictions p WHERE p.item_id = i.id"
	              "  AND p.model_version = $3::text)"
	              " ORDER BY i.id LIMIT $2::bigint",
	        &p, "list items to classify", unscored_row, &c, err, errsz);
}

int
pg_item_claim_unscored(struct store *base, const char *model_version,
                       long limit,
                       int (*fn)(const struct store_item_text *r, void *arg),
                       void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	int64_t last = 0;
	struct unscored_ctx c = { fn, arg, &last };
	struct pg_params p;

	pg_params_init(&p);
	param_limit(&p, limit);
	pg_param_text(&p, model_version);
	/* the locks are taken as the cursor reads and held by the caller's
	 * transaction: the other workers' claims skip these rows */
	return pg_foreach(st,
	                  "SELECT i.id, i.title, i.summary, i.lang FROM items i"
	                  " WHERE NOT EXISTS (SELECT 1 FROM predictions p"
	                  "  WHERE p.item_id = i.id AND p.model_version ="
	                  "  $2::text)"
	                  " ORDER BY i.id LIMIT $1::bigint"
	                  " FOR UPDATE OF i SKIP LOCKED",
	                  &p, "claim items to classify", unscored_row, &c, err,
	                  errsz);
}

int
pg_item_unscored_count(struct store *base, const char *model_version, int all,
                       int64_t *out, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;

	pg_params_init(&p);
	if (!all)
		pg_param_text(&p, model_version);
	return pg_query_int64(
	        st,
	        all ? "SELECT count(*) FROM items"
	            : "SELECT count(*) FROM items i WHERE NOT EXISTS"
	              " (SELECT 1 FROM predictions p WHERE p.item_id = i.id"
	              "  AND p.model_version = $1::text)",
	        &p, "count items to classify", out, err, errsz);
}

/*
 * INSERT OR REPLACE, a thousand rows a statement.  One statement cannot
 * update a row twice, so of duplicates within it the last one given wins
 * (as SQLite's row-by-row REPLACE); across statements the later one
 * overwrites anyway.
 */
int
pg_prediction_put(struct store *base, const struct store_prediction *v,
                  size_t n, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	json_t *rows;
	char *text, score[40];
	size_t i, j, end;
	int rc, code = STORE_OK;

	if ((code = pg_tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	for (i = 0; i < n && code == STORE_OK; i = end) {
		end = n - i > BATCH_ROWS ? i + BATCH_ROWS : n;
		rows = json_array();
		for (j = i; rows && j < end; j++) {
			/* the score as text: float8in reads it back bit for
			 * bit, NaN included */
			snprintf(score, sizeof(score), "%.17g", v[j].score);
			if (rows_add(rows,
			             json_pack("{sI sI ss? ss? ss ss? ss? so?}",
			                       "n", (json_int_t)j, "item_id",
			                       (json_int_t)v[j].item_id,
			                       "model_version", v[j].model_version,
			                       "label", v[j].label, "score", score,
			                       "themes", v[j].themes, "countries",
			                       v[j].countries, "scored_at",
			                       v[j].scored_at == STORE_TIME_NONE
			                               ? NULL
			                               : json_integer(
			                                         v[j].scored_at))) !=
			    0) {
				json_decref(rows);
				rows = NULL;
			}
		}
		text = rows ? json_dumps(rows, JSON_COMPACT) : NULL;
		json_decref(rows);
		if (!text) {
			store_set_err(err, errsz,
			              "cannot store predictions: out of memory or "
			              "text that is not UTF-8");
			code = STORE_ERR_NOMEM;
			break;
		}
		pg_params_init(&p);
		pg_param_text(&p, text);
		code = pg_exec(
		        st,
		        "INSERT INTO predictions (item_id, model_version,"
		        " label, score, themes, countries, scored_at)"
		        " SELECT DISTINCT ON (x.item_id, x.model_version)"
		        " x.item_id, x.model_version, x.label, x.score,"
		        " x.themes, x.countries, x.scored_at"
		        " FROM jsonb_to_recordset($1::jsonb) AS x(n bigint,"
		        "  item_id bigint, model_version text, label text,"
		        "  score double precision, themes text, countries text,"
		        "  scored_at bigint)"
		        " ORDER BY x.item_id, x.model_version, x.n DESC"
		        " ON CONFLICT (item_id, model_version) DO UPDATE SET"
		        " label = excluded.label, score = excluded.score,"
		        " themes = excluded.themes,"
		        " countries = excluded.countries,"
		        " scored_at = excluded.scored_at",
		        &p, "store predictions", NULL, err, errsz);
		free(text);
	}
	rc = pg_tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

int
pg_prediction_count(struct store *base, const char *model_version, int64_t *out,
                    char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, model_version);
	return pg_query_int64(st,
	                      "SELECT count(*) FROM predictions"
	                      " WHERE model_version = $1::text",
	                      &p, "count predictions", out, err, errsz);
}

int
pg_prediction_related(struct store *base, const char *model_version,
                      double threshold, int64_t since, int64_t *out, char *err,
                      size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, model_version);
	pg_param_double(&p, threshold);
	pg_param_int(&p, since); /* INT64_MIN: all (NULL scored_at never) */
	return pg_query_int64(
	        st,
	        "SELECT count(*) FROM predictions"
	        " WHERE model_version = $1::text AND scored_at >= $3::bigint"
	        " AND (CASE WHEN label = '1' THEN score ELSE 1 - score END)"
	        " >= $2::double precision",
	        &p, "count predictions", out, err, errsz);
}

/* --------------------------------------------------------------- labels */

int
pg_item_find(struct store *base, int64_t id, const char *link,
             const char *canonical, int64_t *out, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	int code;

	pg_params_init(&p);
	if (id > 0) {
		pg_param_int(&p, id);
		code = first_id(st,
		                "SELECT id FROM items WHERE id = $1::bigint",
		                &p, out, err, errsz);
		if (code == STORE_ERR_NOTFOUND)
			store_set_err(err, errsz, "no item %lld",
			              (long long)id);
		return code;
	}
	/* the partial unique index on canonical_link answers this one */
	pg_param_text(&p, link);
	pg_param_text(&p, canonical);
	code = first_id(st,
	                "SELECT id FROM items WHERE canonical_link"
	                " IN ($1::text, $2::text) ORDER BY id LIMIT 1",
	                &p, out, err, errsz);
	if (code != STORE_ERR_NOTFOUND)
		return code;
	/* items.link has no index: only tried when the canonical link
	 * missed */
	pg_params_init(&p);
	pg_param_text(&p, link);
	code = first_id(st,
	                "SELECT id FROM items WHERE link = $1::text"
	                " ORDER BY id LIMIT 1",
	                &p, out, err, errsz);
	if (code == STORE_ERR_NOTFOUND)
		store_set_err(err, errsz, "no item with link '%s'", link);
	return code;
}

/*
 * A labeler's new label of an item replaces their earlier one (the
 * upsert's DO UPDATE only covers a concurrent insert).  The missing item
 * is found by the statement itself (no row inserted) rather
 * than by the foreign key's error, which pg_exec reports as any other
 * constraint: STORE_ERR_NOTFOUND as SQLite's SQLITE_CONSTRAINT_FOREIGNKEY.
 * The first failure ends the batch and pg_tx_leave rolls it all back, so
 * no statement runs after a failed one in the same transaction.
 */
int
pg_label_put(struct store *base, const struct store_label *l, size_t n,
             size_t *bad, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	int64_t rows;
	size_t i;
	int rc, code = STORE_OK;

	if ((code = pg_tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	for (i = 0; i < n && code == STORE_OK; i++) {
		pg_params_init(&p);
		pg_param_int(&p, l[i].item_id);
		pg_param_text(&p, l[i].label);
		pg_param_text(&p, l[i].themes);
		pg_param_text(&p, l[i].labeled_by);
		pg_param_time(&p, l[i].labeled_at);
		pg_param_text(&p, l[i].guideline);
		pg_param_text(&p, l[i].note);
		/* the replacement first: an upsert would draw an id from
		 * the identity even when it only updates */
		rows = 0;
		code = pg_exec(st,
		               "UPDATE labels SET label = $2::text,"
		               " themes = $3::text, labeled_at = $5::bigint,"
		               " guideline = $6::text, note = $7::text"
		               " WHERE item_id = $1::bigint"
		               " AND labeled_by = $4::text",
		               &p, "store label", &rows, err, errsz);
		if (code == STORE_OK && rows == 0)
			code = pg_exec(
			        st,
			        "INSERT INTO labels (item_id, label, themes,"
			        " labeled_by, labeled_at, guideline, note)"
			        " SELECT $1::bigint, $2::text, $3::text,"
			        " $4::text, $5::bigint, $6::text, $7::text"
			        " WHERE EXISTS (SELECT 1 FROM items"
			        "  WHERE id = $1::bigint)"
			        " ON CONFLICT (item_id, labeled_by)"
			        " DO UPDATE SET label = excluded.label,"
			        " themes = excluded.themes,"
			        " labeled_at = excluded.labeled_at,"
			        " guideline = excluded.guideline,"
			        " note = excluded.note",
			        &p, "store label", &rows, err, errsz);
		if (code == STORE_OK && rows == 0) {
			/* the item went away since the caller looked */
			store_set_err(err, errsz,
			              "cannot store label: no item %lld",
			              (long long)l[i].item_id);
			code = STORE_ERR_NOTFOUND;
		}
		if (code != STORE_OK && bad)
			*bad = i;
	}
	rc = pg_tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

struct label_ctx {
	int (*fn)(const struct store_label_row *r, void *arg);
	void *arg;
};

static int
label_row(const PGresult *res, int row, void *arg)
{
	struct label_ctx *c = arg;
	struct store_label_row r;

	memset(&r, 0, sizeof(r));
	r.id = pg_int(res, row, 0);
	r.l.item_id = pg_int(res, row, 1);
	r.l.label = pg_text(res, row, 2);
	r.l.themes = pg_text(res, row, 3);
	r.l.labeled_by = pg_text(res, row, 4);
	r.l.labeled_at = pg_time(res, row, 5);
	r.l.guideline = pg_text(res, row, 6);
	r.l.note = pg_text(res, row, 7);
	r.title = pg_text(res, row, 8);
	r.summary = pg_text(res, row, 9);
	r.lang = pg_text(res, row, 10);
	r.link = pg_text(res, row, 11);
	return c->fn(&r, c->arg);
}

int
pg_label_foreach(struct store *base, int latest,
                 int (*fn)(const struct store_label_row *r, void *arg),
                 void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct label_ctx c = { fn, arg };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, latest != 0);
	/* $1: only the newest label of each item (by labeled_at, then id) */
	return pg_foreach(
	        st,
	        "SELECT l.id, l.item_id, l.label, l.themes, l.labeled_by,"
	        " l.labeled_at, l.guideline, l.note,"
	        " i.title, i.summary, i.lang, i.link"
	        " FROM labels l JOIN items i ON i.id = l.item_id"
	        " WHERE $1::int = 0 OR NOT EXISTS (SELECT 1 FROM labels n"
	        "  WHERE n.item_id = l.item_id"
	        "  AND (coalesce(n.labeled_at, 0) > coalesce(l.labeled_at, 0)"
	        "   OR (coalesce(n.labeled_at, 0) = coalesce(l.labeled_at, 0)"
	        "    AND n.id > l.id)))"
	        " ORDER BY l.item_id, coalesce(l.labeled_at, 0), l.id",
	        &p, "list labels", label_row, &c, err, errsz);
}

int
pg_label_top_pair(struct store *base, char **a, char **b, int64_t *n, char *err,
                  size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	PGresult *r;
	int code = STORE_OK, oom = 0;

	/* labelers compared and ordered byte by byte, as SQLite does */
	r = pg_query(st,
	             "SELECT a.labeled_by, b.labeled_by, count(*) AS n"
	             " FROM labels a JOIN labels b ON b.item_id = a.item_id"
	             "  AND b.labeled_by COLLATE \"C\" > a.labeled_by"
	             " GROUP BY a.labeled_by, b.labeled_by"
	             " ORDER BY n DESC, a.labeled_by COLLATE \"C\","
	             " b.labeled_by COLLATE \"C\" LIMIT 1",
	             NULL, "read labelers", &code, err, errsz);
	if (!r)
		return code;
	if (PQntuples(r) > 0) {
		*a = pg_dup(r, 0, 0, &oom);
		*b = pg_dup(r, 0, 1, &oom);
		*n = pg_int(r, 0, 2);
		if (oom || !*a || !*b) {
			free(*a);
			free(*b);
			*a = *b = NULL;
			*n = 0;
			store_set_err(err, errsz,
			              "cannot read labelers: out of memory");
			code = STORE_ERR_NOMEM;
		}
	}
	PQclear(r);
	return code;
}

struct pairs_ctx {
	int (*fn)(int64_t item_id, const char *la, const char *lb, void *arg);
	void *arg;
};

static int
pairs_row(const PGresult *res, int row, void *arg)
{
	struct pairs_ctx *c = arg;

	return c->fn(pg_int(res, row, 0), pg_text(res, row, 1),
	             pg_text(res, row, 2), c->arg);
}

int
pg_label_pairs(struct store *base, const char *a, const char *b,
               int (*fn)(int64_t item_id, const char *la, const char *lb,
                         void *arg),
               void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pairs_ctx c = { fn, arg };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, a);
	pg_param_text(&p, b);
	return pg_foreach(
	        st,
	        "SELECT a.item_id, a.label, b.label"
	        " FROM labels a JOIN labels b ON b.item_id = a.item_id"
	        "  AND b.labeled_by = $2::text"
	        " WHERE a.labeled_by = $1::text ORDER BY a.item_id",
	        &p, "read labels", pairs_row, &c, err, errsz);
}

struct candidate_ctx {
	int (*fn)(const struct store_candidate *c, void *arg);
	void *arg;
};

static int
candidate_row(const PGresult *res, int row, void *arg)
{
	struct candidate_ctx *x = arg;
	struct store_candidate c;

	memset(&c, 0, sizeof(c));
	c.item_id = pg_int(res, row, 0);
	c.feed_id = pg_int(res, row, 1); /* NULL: 0 */
	c.story_id = pg_int(res, row, 2);
	c.label = pg_text(res, row, 3);
	c.score = pg_double(res, row, 4);
	c.related = pg_double(res, row, 5);
	c.title = pg_text(res, row, 6);
	c.link = pg_text(res, row, 7);
	c.canonical_link = pg_text(res, row, 8);
	c.feed_name = pg_text(res, row, 9);
	return x->fn(&c, x->arg);
}

int
pg_label_candidates(struct store *base, const char *model_version,
                    double threshold,
                    int (*fn)(const struct store_candidate *c, void *arg),
                    void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct candidate_ctx c = { fn, arg };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, model_version);
	pg_param_double(&p, threshold);
	/* P(related) is the score of label "1", else its complement (a
	 * binary model's probabilities); nearest the threshold first */
	return pg_foreach(
	        st,
	        "SELECT i.id, i.feed_id, i.story_id, p.label, p.score,"
	        " (CASE WHEN p.label = '1' THEN p.score ELSE 1.0 - p.score"
	        "  END),"
	        " i.title, i.link, i.canonical_link,"
	        " coalesce(f.name, f.title, f.url)"
	        " FROM predictions p JOIN items i ON i.id = p.item_id"
	        " LEFT JOIN feeds f ON f.id = i.feed_id"
	        " WHERE p.model_version = $1::text AND p.score IS NOT NULL"
	        " AND NOT EXISTS (SELECT 1 FROM labels l"
	        "  WHERE l.item_id = p.item_id)"
	        " ORDER BY abs((CASE WHEN p.label = '1' THEN p.score"
	        "  ELSE 1.0 - p.score END) - $2::double precision), i.id",
	        &p, "list items to label", candidate_row, &c, err, errsz);
}

/* ------------------------------------------------------------ stories */

struct pending_ctx {
	int (*fn)(const struct store_story_item *r, void *arg);
	void *arg;
	int64_t *last;
};

static int
pending_row(const PGresult *res, int row, void *arg)
{
	struct pending_ctx *c = arg;
	struct store_story_item r;

	r.id = pg_int(res, row, 0);
	r.date = pg_int(res, row, 1);
	r.title = pg_text(res, row, 2);
	r.summary = pg_text(res, row, 3);
	r.lang = pg_text(res, row, 4);
	*c->last = r.id;
	return c->fn(&r, c->arg);
}

int
pg_story_pending(struct store *base, int64_t after, long limit,
                 int (*fn)(const struct store_story_item *r, void *arg),
                 void *arg, int64_t *last, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pending_ctx c = { fn, arg, last };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, after);
	param_limit(&p, limit);
	return pg_foreach(st,
	                  "SELECT i.id, " EFFECTIVE ", i.title, i.summary,"
	                  " i.lang FROM items i WHERE i.simhash IS NULL"
	                  " AND i.id > $1::bigint ORDER BY i.id"
	                  " LIMIT $2::bigint",
	                  &p, "list items to fingerprint", pending_row, &c, err,
	                  errsz);
}

struct recent_ctx {
	int (*fn)(int64_t id, int64_t story_id, uint64_t fp, int64_t date,
	          void *arg);
	void *arg;
};

static int
recent_row(const PGresult *res, int row, void *arg)
{
	struct recent_ctx *c = arg;

	/* the bits as stored: BIGINT is signed */
	return c->fn(pg_int(res, row, 0), pg_int(res, row, 1),
	             (uint64_t)pg_int(res, row, 2), pg_int(res, row, 3),
	             c->arg);
}

int
pg_story_recent(struct store *base, int64_t since, int64_t until,
                int (*fn)(int64_t id, int64_t story_id, uint64_t fp,
                          int64_t date, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct recent_ctx c = { fn, arg };
	struct pg_params p;

	/* bound as given, like SQLite's bind_int64: never NULL */
	pg_params_init(&p);
	pg_param_int(&p, since);
	pg_param_int(&p, until);
	return pg_foreach(
	        st,
	        "SELECT i.id, coalesce(i.story_id, i.id), i.simhash, " EFFECTIVE
	        " FROM items i WHERE i.simhash IS NOT NULL"
	        " AND " EFFECTIVE " >= $1::bigint"
	        " AND " EFFECTIVE " < $2::bigint ORDER BY i.id",
	        &p, "read fingerprints", recent_row, &c, err, errsz);
}

/* A thousand rows a statement, as pg_prediction_put; of one item given
 * twice the last wins, as SQLite's row-by-row UPDATE. */
int
pg_story_put(struct store *base, const struct store_story *v, size_t n,
             char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	json_t *rows;
	char *text;
	size_t i, j, end;
	int rc, code = STORE_OK;

	if ((code = pg_tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	for (i = 0; i < n && code == STORE_OK; i = end) {
		end = n - i > BATCH_ROWS ? i + BATCH_ROWS : n;
		rows = json_array();
		for (j = i; rows && j < end; j++) {
			/* the bits as they are: BIGINT is signed */
			if (rows_add(rows,
			             json_pack("{sI sI sI sI}", "n", (json_int_t)j,
			                       "item_id", (json_int_t)v[j].item_id,
			                       "simhash",
			                       (json_int_t)(int64_t)v[j].fingerprint,
			                       "story_id",
			                       (json_int_t)v[j].story_id)) != 0) {
				json_decref(rows);
				rows = NULL;
			}
		}
		text = rows ? json_dumps(rows, JSON_COMPACT) : NULL;
		json_decref(rows);
		if (!text) {
			store_set_err(err, errsz,
			              "cannot store story ids: out of memory");
			code = STORE_ERR_NOMEM;
			break;
		}
		pg_params_init(&p);
		pg_param_text(&p, text);
		code = pg_exec(
		        st,
		        "UPDATE items SET simhash = x.simhash,"
		        " story_id = x.story_id"
		        " FROM (SELECT DISTINCT ON (y.item_id) y.item_id,"
		        "  y.simhash, y.story_id"
		        "  FROM jsonb_to_recordset($1::jsonb) AS y(n bigint,"
		        "   item_id bigint, simhash bigint, story_id bigint)"
		        "  ORDER BY y.item_id, y.n DESC) AS x"
		        " WHERE items.id = x.item_id",
		        &p, "store story ids", NULL, err, errsz);
		free(text);
	}
	rc = pg_tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

/* ------------------------------------------------------------- trends */

/* The items in the query's window with their day, story and verdict;
 * $1 model version, $2 threshold, $3 since, $4 until (NULL: none).  The
 * effective dates are never negative, so BIGINT division truncating
 * toward zero gives SQLite's days. */
#define SERIES_BASE                                                            \
	"WITH it AS (SELECT i.id AS id, coalesce(i.story_id, i.id) AS story,"  \
	" " EFFECTIVE " AS date, " EFFECTIVE " / 86400 AS day,"                \
	" i.feed_id AS feed_id, i.lang AS lang, i.title AS title,"             \
	" i.link AS link, p.themes AS themes, p.countries AS countries,"       \
	" " RELATED_P " AS relp,"                                              \
	" (" RELATED_P " >= $2::double precision)::int AS rel"                 \
	" FROM items i LEFT JOIN predictions p ON p.item_id = i.id"            \
	"  AND p.model_version = $1::text"                                     \
	" WHERE ($3::bigint IS NULL OR " EFFECTIVE " >= $3::bigint)"           \
	" AND ($4::bigint IS NULL OR " EFFECTIVE " < $4::bigint)) "

/* The key of each row of "it" for per-key kinds; NULL for the others */
static const char *
series_key_expr(int kind)
{
	switch (kind) {
	case SERIES_TOTAL: return "'total'::text";
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
		return "SELECT t.v AS k, it.* FROM it,"
		       " jsonb_array_elements_text(" THEMES
		       ") AS t(v) WHERE it.rel = 1";
	case SERIES_COUNTRY:
		return "SELECT c.v AS k, it.* FROM it,"
		       " jsonb_array_elements_text(" COUNTRIES
		       ") AS c(v) WHERE it.rel = 1";
	case SERIES_THEME_COUNTRY:
		return "SELECT t.v || '/' || c.v AS k, it.* FROM it,"
		       " jsonb_array_elements_text(" THEMES
		       ") AS t(v), jsonb_array_elements_text(" COUNTRIES
		       ") AS c(v) WHERE it.rel = 1";
	default: return NULL;
	}
}

static void
series_params(struct pg_params *p, const struct store_series_query *q)
{
	pg_params_init(p);
	pg_param_text(p, q->model_version);
	pg_param_double(p, q->threshold);
	pg_param_time(p, q->since);
	pg_param_time(p, q->until);
}

struct daily_ctx {
	int (*fn)(const char *key, int64_t day, int64_t related, int64_t total,
	          void *arg);
	void *arg;
};

static int
daily_row(const PGresult *res, int row, void *arg)
{
	struct daily_ctx *c = arg;

	return c->fn(pg_text(res, row, 0), pg_int(res, row, 1),
	             pg_int(res, row, 2), pg_int(res, row, 3), c->arg);
}

int
pg_series_daily(struct store *base, const struct store_series_query *q,
                int (*fn)(const char *key, int64_t day, int64_t related,
                          int64_t total, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct daily_ctx c = { fn, arg };
	const char *key = series_key_expr(q->kind);
	const char *json = series_json_rows(q->kind);
	char keyed[512], part[4096], sql[8192];
	struct pg_params p;

	/* T: every item with its key (NULL: the shared denominator) */
	snprintf(keyed, sizeof(keyed), "SELECT %s AS k, it.* FROM it",
	         key ? key : "NULL::text");
	/* each row is (k, day, related, total); a story counts once, on the
	 * day of its first item (its first related item for "related") */
	if (q->stories)
		snprintf(part, sizeof(part),
		         "SELECT k, min(day) AS day, 0 AS r, 1 AS t FROM (%s)"
		         " AS a GROUP BY k, story"
		         " UNION ALL SELECT k, min(day), 1, 0 FROM (%s) AS b"
		         " WHERE rel = 1 GROUP BY k, story%s%s%s",
		         keyed, keyed,
		         json ? " UNION ALL SELECT k, min(day),"
		                " 1, 0 FROM ("
		              : "",
		         json ? json : "",
		         json ? ") AS c GROUP BY k, story" : "");
	else
		snprintf(part, sizeof(part),
		         "SELECT k, day, rel AS r, 1 AS t FROM (%s) AS a"
		         "%s%s%s",
		         keyed,
		         json ? " UNION ALL SELECT k, day, 1, 0 FROM (" : "",
		         json ? json : "", json ? ") AS c" : "");
	/* keys sorted as SQLite sorts them: bytes, the NULL key first */
	snprintf(sql, sizeof(sql),
	         SERIES_BASE "SELECT k, day, sum(r), sum(t) FROM (%s) AS u"
	                     " GROUP BY k, day"
	                     " ORDER BY k COLLATE \"C\" NULLS FIRST, day",
	         part);
	series_params(&p, q);
	return pg_foreach(st, sql, &p, "count the series", daily_row, &c, err,
	                  errsz);
}

struct days_ctx {
	int (*fn)(int64_t day, int64_t fetches, int64_t failed, void *arg);
	void *arg;
};

static int
days_row(const PGresult *res, int row, void *arg)
{
	struct days_ctx *c = arg;

	return c->fn(pg_int(res, row, 0), pg_int(res, row, 1),
	             pg_int(res, row, 2), c->arg);
}

int
pg_fetch_days(struct store *base, int64_t since, int64_t until,
              int (*fn)(int64_t day, int64_t fetches, int64_t failed,
                        void *arg),
              void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct days_ctx c = { fn, arg };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_time(&p, since);
	pg_param_time(&p, until);
	/* a feed failed on a day when none of its fetches that day worked */
	return pg_foreach(
	        st,
	        "SELECT d, count(*), sum((ok = 0)::int) FROM"
	        " (SELECT started_at / 86400 AS d, feed_id,"
	        "  max((error IS NULL AND coalesce(http_status, 0) < 400)::int)"
	        "  AS ok FROM fetch_log"
	        "  WHERE ($1::bigint IS NULL OR started_at >= $1::bigint)"
	        "  AND ($2::bigint IS NULL OR started_at < $2::bigint)"
	        "  GROUP BY 1, feed_id) AS x"
	        " GROUP BY d ORDER BY d",
	        &p, "read the fetch log", days_row, &c, err, errsz);
}

struct sitems_ctx {
	int (*fn)(const struct store_series_item *r, void *arg);
	void *arg;
};

static int
sitems_row(const PGresult *res, int row, void *arg)
{
	struct sitems_ctx *c = arg;
	struct store_series_item r;

	r.id = pg_int(res, row, 0);
	r.related = pg_double(res, row, 1);
	r.title = pg_text(res, row, 2);
	r.link = pg_text(res, row, 3);
	r.feed_name = pg_text(res, row, 4);
	r.lang = pg_text(res, row, 5);
	r.date = pg_int(res, row, 6);
	return c->fn(&r, c->arg);
}

/*
 * SQLite's "GROUP BY story" with max(relp) takes the bare columns from
 * the row holding the maximum (the first of equals); DISTINCT ON says so
 * outright, the lowest id breaking ties.
 */
int
pg_series_items(struct store *base, const struct store_series_query *q,
                const char *key, long limit,
                int (*fn)(const struct store_series_item *r, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct sitems_ctx c = { fn, arg };
	const char *cond = "true";
	char sql[8192], k1[512];
	char *theme = NULL;
	const char *slash;
	struct pg_params p;
	int code;

	/* $5 the limit, $6 the key (the theme of "theme/CC"), $7 its
	 * country */
	switch (q->kind) {
	case SERIES_THEME:
		cond = "EXISTS (SELECT 1 FROM"
		       " jsonb_array_elements_text(" THEMES ") AS e(v)"
		       " WHERE e.v = $6::text)";
		break;
	case SERIES_COUNTRY:
		cond = "EXISTS (SELECT 1 FROM"
		       " jsonb_array_elements_text(" COUNTRIES ") AS e(v)"
		       " WHERE e.v = $6::text)";
		break;
	case SERIES_THEME_COUNTRY:
		cond = "EXISTS (SELECT 1 FROM"
		       " jsonb_array_elements_text(" THEMES ") AS e(v)"
		       " WHERE e.v = $6::text)"
		       " AND EXISTS (SELECT 1 FROM"
		       " jsonb_array_elements_text(" COUNTRIES ") AS e(v)"
		       " WHERE e.v = $7::text)";
		break;
	case SERIES_SOURCE:
	case SERIES_LANG:
		snprintf(k1, sizeof(k1), "%s = $6::text",
		         series_key_expr(q->kind));
		cond = k1;
		break;
	}
	snprintf(sql, sizeof(sql),
	         SERIES_BASE
	         "SELECT s.id, s.relp, s.title, s.link,"
	         " (SELECT coalesce(f.name, f.title, f.url) FROM feeds f"
	         "  WHERE f.id = s.feed_id), s.lang, s.date"
	         " FROM (SELECT DISTINCT ON (it.story) it.* FROM it"
	         "  WHERE it.rel = 1 AND %s"
	         "  ORDER BY it.story, it.relp DESC, it.id) AS s"
	         " ORDER BY s.relp DESC, s.id LIMIT $5::bigint",
	         cond);
	series_params(&p, q);
	param_limit(&p, limit);
	if (q->kind == SERIES_THEME_COUNTRY) {
		if (key && (slash = strrchr(key, '/')) != NULL) {
			if (!(theme = malloc((size_t)(slash - key) + 1))) {
				store_set_err(err, errsz, "out of memory");
				return STORE_ERR_NOMEM;
			}
			memcpy(theme, key, (size_t)(slash - key));
			theme[slash - key] = '\0';
			pg_param_text(&p, theme);
			pg_param_text(&p, slash + 1);
		} else {
			pg_param_text(&p, key);
			pg_param_text(&p, NULL);
		}
	} else if (q->kind == SERIES_THEME || q->kind == SERIES_COUNTRY ||
	           q->kind == SERIES_SOURCE || q->kind == SERIES_LANG) {
		pg_param_text(&p, key);
	}
	code = pg_foreach(st, sql, &p, "list the stories of a series",
	                  sitems_row, &c, err, errsz);
	free(theme);
	return code;
}

/* ------------------------------------------------------------- alerts */

int
pg_alert_add(struct store *base, const struct store_alert *a,
             const char *const *channels, size_t n, int64_t *id, char *err,
             size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	PGresult *r;
	size_t i;
	int rc, code = STORE_OK;

	if ((code = pg_tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	pg_params_init(&p);
	pg_param_text(&p, a->series);
	pg_param_text(&p, a->period);
	pg_param_text(&p, a->kind ? a->kind : "volume");
	pg_param_int(&p, a->count);
	pg_param_double(&p, a->expected);
	pg_param_double(&p, a->score);
	pg_param_text(&p, a->model_version);
	pg_param_time(&p, a->created_at);
	pg_param_text(&p, a->payload);
	/* the NOT EXISTS spares the identity a number per duplicate (ids
	 * stay consecutive, as SQLite's); ON CONFLICT covers a race */
	r = pg_query(st,
	             "INSERT INTO alerts (series, period, kind, count,"
	             " expected, score, model_version, created_at, payload)"
	             " SELECT $1::text, $2::text, $3::text, $4::bigint,"
	             " $5::double precision, $6::double precision, $7::text,"
	             " $8::bigint, $9::text"
	             " WHERE NOT EXISTS (SELECT 1 FROM alerts"
	             "  WHERE series = $1::text AND period = $2::text)"
	             " ON CONFLICT (series, period) DO NOTHING RETURNING id",
	             &p, "store alert", &code, err, errsz);
	if (!r)
		goto out;
	if (PQntuples(r) == 0) {
		PQclear(r);
		store_set_err(err, errsz, "alert for %s on %s exists",
		              a->series, a->period);
		code = STORE_ERR_EXISTS;
		goto out;
	}
	*id = pg_int(r, 0, 0);
	PQclear(r);
	for (i = 0; i < n && code == STORE_OK; i++) {
		pg_params_init(&p);
		pg_param_int(&p, *id);
		pg_param_text(&p, channels[i]);
		code = pg_exec(
		        st,
		        "INSERT INTO alert_deliveries (alert_id, channel)"
		        " VALUES ($1::bigint, $2::text)"
		        " ON CONFLICT DO NOTHING",
		        &p, "store alert", NULL, err, errsz);
	}
	/* no channel: nothing is owed, the alert is as delivered as it gets */
	if (code == STORE_OK && n == 0) {
		pg_params_init(&p);
		pg_param_int(&p, *id);
		pg_param_time(&p, a->created_at);
		code = pg_exec(
		        st,
		        "UPDATE alerts SET delivered_at = $2::bigint"
		        " WHERE id = $1::bigint AND NOT EXISTS (SELECT 1"
		        " FROM alert_deliveries WHERE alert_id = $1::bigint"
		        " AND delivered_at IS NULL)",
		        &p, "store alert", NULL, err, errsz);
	}
out:
	rc = pg_tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

int
pg_alert_last(struct store *base, const char *series, char **out, char *err,
              size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	PGresult *r;
	int code = STORE_OK, oom = 0;

	pg_params_init(&p);
	pg_param_text(&p, series);
	r = pg_query(st,
	             "SELECT max(period COLLATE \"C\") FROM alerts"
	             " WHERE series = $1::text",
	             &p, "read alerts", &code, err, errsz);
	if (!r)
		return code;
	if (PQntuples(r) > 0)
		*out = pg_dup(r, 0, 0, &oom);
	PQclear(r);
	if (oom) {
		store_set_err(err, errsz, "out of memory");
		code = STORE_ERR_NOMEM;
	}
	return code;
}

#define ALERT_COLUMNS                                                          \
	"SELECT a.id, a.series, a.period, a.kind, a.count, a.expected,"        \
	" a.score, a.model_version, a.created_at, a.payload, a.delivered_at"

static void
read_alert(const PGresult *res, int row, struct store_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = pg_int(res, row, 0);
	a->series = pg_text(res, row, 1);
	a->period = pg_text(res, row, 2);
	a->kind = pg_text(res, row, 3);
	a->count = pg_int(res, row, 4);
	a->expected = pg_double(res, row, 5);
	a->score = pg_double(res, row, 6);
	a->model_version = pg_text(res, row, 7);
	a->created_at = pg_time(res, row, 8);
	a->payload = pg_text(res, row, 9);
	a->delivered_at = pg_time(res, row, 10);
}

struct alert_ctx {
	int (*fn)(const struct store_alert *a, void *arg);
	void *arg;
	long rows;
};

static int
alert_row(const PGresult *res, int row, void *arg)
{
	struct alert_ctx *c = arg;
	struct store_alert a;

	read_alert(res, row, &a);
	c->rows++;
	return c->fn(&a, c->arg);
}

int
pg_alert_foreach(struct store *base, int64_t since, long limit, int64_t id,
                 int (*fn)(const struct store_alert *a, void *arg), void *arg,
                 char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct alert_ctx c = { fn, arg, 0 };
	struct pg_params p;
	int code;

	pg_params_init(&p);
	pg_param_time(&p, since);
	param_limit(&p, limit);
	pg_param_int(&p, id);
	code = pg_foreach(
	        st,
	        ALERT_COLUMNS
	        " FROM alerts a"
	        " WHERE ($1::bigint IS NULL OR a.created_at >= $1::bigint)"
	        " AND ($3::bigint = 0 OR a.id = $3::bigint)"
	        " ORDER BY a.period COLLATE \"C\" DESC, a.id DESC"
	        " LIMIT $2::bigint",
	        &p, "list alerts", alert_row, &c, err, errsz);
	if (code == STORE_OK && id != 0 && c.rows == 0) {
		store_set_err(err, errsz, "no alert %lld", (long long)id);
		code = STORE_ERR_NOTFOUND;
	}
	return code;
}

struct apending_ctx {
	int (*fn)(const struct store_alert *a, const char *channel,
	          long attempts, void *arg);
	void *arg;
};

static int
apending_row(const PGresult *res, int row, void *arg)
{
	struct apending_ctx *c = arg;
	struct store_alert a;

	read_alert(res, row, &a);
	return c->fn(&a, pg_text(res, row, 11), (long)pg_int(res, row, 12),
	             c->arg);
}

int
pg_alert_pending(struct store *base,
                 int (*fn)(const struct store_alert *a, const char *channel,
                           long attempts, void *arg),
                 void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct apending_ctx c = { fn, arg };

	return pg_foreach(
	        st,
	        ALERT_COLUMNS
	        ", d.channel, d.attempts"
	        " FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
	        " WHERE d.delivered_at IS NULL"
	        " ORDER BY a.id, d.channel COLLATE \"C\"",
	        NULL, "list alert deliveries", apending_row, &c, err, errsz);
}

int
pg_alert_attempt(struct store *base, int64_t alert_id, const char *channel,
                 const char *error, int64_t now, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_params p;
	int rc, code = STORE_OK;

	if ((code = pg_tx_enter(st, err, errsz)) != STORE_OK)
		return code;
	pg_params_init(&p);
	pg_param_int(&p, alert_id);
	pg_param_text(&p, channel);
	pg_param_text(&p, error);
	pg_param_int(&p, now);
	/* a delivered row stays delivered: never sent twice */
	code = pg_exec(st,
	               "UPDATE alert_deliveries SET attempts = attempts + 1,"
	               " last_attempt_at = $4::bigint, last_error = $3::text,"
	               " delivered_at = CASE WHEN $3::text IS NULL"
	               "  THEN $4::bigint END"
	               " WHERE alert_id = $1::bigint AND channel = $2::text"
	               " AND delivered_at IS NULL",
	               &p, "record a delivery", NULL, err, errsz);
	if (code != STORE_OK || error)
		goto out;
	pg_params_init(&p);
	pg_param_int(&p, alert_id);
	pg_param_int(&p, now);
	code = pg_exec(st,
	               "UPDATE alerts SET delivered_at = $2::bigint"
	               " WHERE id = $1::bigint AND NOT EXISTS (SELECT 1"
	               " FROM alert_deliveries WHERE alert_id = $1::bigint"
	               " AND delivered_at IS NULL)",
	               &p, "record a delivery", NULL, err, errsz);
out:
	rc = pg_tx_leave(st, code == STORE_OK, err, errsz);
	return code != STORE_OK ? code : rc;
}

/* ------------------------------------------------------------- export */

/* The columns of struct store_export_row, 0 to 15; $1 the model */
#define EXPORT_COLUMNS                                                         \
	"SELECT i.id, coalesce(i.story_id, i.id), f.name, f.url,"              \
	" i.title, i.summary, i.link, i.lang, i.guid, i.published,"            \
	" i.first_seen, " EFFECTIVE ", (p.item_id IS NOT NULL)::int,"          \
	" " RELATED_P ", p.themes, p.countries"

static void
read_export(const PGresult *res, int row, struct store_export_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = pg_int(res, row, 0);
	r->story_id = pg_int(res, row, 1);
	r->feed_name = pg_text(res, row, 2);
	r->feed_url = pg_text(res, row, 3);
	r->title = pg_text(res, row, 4);
	r->summary = pg_text(res, row, 5);
	r->link = pg_text(res, row, 6);
	r->lang = pg_text(res, row, 7);
	r->guid = pg_text(res, row, 8);
	r->published = pg_time(res, row, 9);
	r->first_seen = pg_time(res, row, 10);
	r->date = pg_time(res, row, 11);
	r->scored = (int)pg_int(res, row, 12);
	r->related = pg_double(res, row, 13);
	r->themes = pg_text(res, row, 14);
	r->countries = pg_text(res, row, 15);
}

struct export_ctx {
	int (*fn)(const struct store_export_row *r, void *arg);
	void *arg;
};

static int
export_row(const PGresult *res, int row, void *arg)
{
	struct export_ctx *c = arg;
	struct store_export_row r;

	read_export(res, row, &r);
	return c->fn(&r, c->arg);
}

int
pg_export_items(struct store *base, const char *model_version, double threshold,
                int related_only, int64_t since, int64_t until,
                int (*fn)(const struct store_export_row *r, void *arg),
                void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct export_ctx c = { fn, arg };
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, model_version);
	pg_param_double(&p, threshold);
	pg_param_time(&p, since);
	pg_param_time(&p, until);
	pg_param_int(&p, related_only);
	/* the effective date is never NULL (first_seen is NOT NULL and a
	 * trusted date is a known one): NULLS FIRST would change nothing
	 * but the use of items_effective */
	return pg_foreach(
	        st,
	        EXPORT_COLUMNS
	        " FROM items i LEFT JOIN feeds f ON f.id = i.feed_id"
	        " LEFT JOIN predictions p ON p.item_id = i.id"
	        "  AND p.model_version = $1::text"
	        " WHERE ($3::bigint IS NULL OR " EFFECTIVE " >= $3::bigint)"
	        " AND ($4::bigint IS NULL OR " EFFECTIVE " < $4::bigint)"
	        " AND ($5::int = 0 OR " RELATED_P " >= $2::double precision)"
	        " ORDER BY " EFFECTIVE ", i.id",
	        &p, "export items", export_row, &c, err, errsz);
}

/* ----------------------------------------------------------- evidence */

int
pg_evidence_item(struct store *base, int64_t id, const char *model_version,
                 int (*fn)(const struct store_evidence *e, void *arg),
                 void *arg, char *err, size_t errsz)
{
	struct pg_store *st = (struct pg_store *)base;
	struct store_evidence e;
	struct pg_params p;
	PGresult *r;
	unsigned char *raw = NULL, *z = NULL;
	size_t zn = 0;
	int code = STORE_OK;

	pg_params_init(&p);
	pg_param_int(&p, id);
	pg_param_text(&p, model_version);
	/* one raw body per fetch; ORDER BY only makes "the first" certain */
	r = pg_query(st,
	             EXPORT_COLUMNS
	             ", i.fetch_id, l.started_at, l.url, l.http_status,"
	             " r.body, r.size, r.sha256, r.content_type,"
	             " p.model_version, p.label, p.score"
	             " FROM items i LEFT JOIN feeds f ON f.id = i.feed_id"
	             " LEFT JOIN fetch_log l ON l.id = i.fetch_id"
	             " LEFT JOIN raw_bodies r ON r.fetch_id = i.fetch_id"
	             " LEFT JOIN predictions p ON p.item_id = i.id"
	             "  AND p.model_version = $2::text"
	             " WHERE i.id = $1::bigint ORDER BY r.id LIMIT 1",
	             &p, "read evidence", &code, err, errsz);
	if (!r)
		return code;
	if (PQntuples(r) == 0) {
		PQclear(r);
		store_set_err(err, errsz, "no item %lld", (long long)id);
		return STORE_ERR_NOTFOUND;
	}
	memset(&e, 0, sizeof(e));
	read_export(r, 0, &e.item);
	e.fetch_id = pg_int(r, 0, 16);
	e.fetched_at = pg_time(r, 0, 17);
	e.fetch_url = pg_text(r, 0, 18);
	e.http_status = (long)pg_int(r, 0, 19);
	if (!PQgetisnull(r, 0, 20)) {
		/* BYTEA comes as text ("\x..."): back to bytes, then
		 * inflated to the size stored beside it */
		size_t n = (size_t)pg_int(r, 0, 21);

		z = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 20),
		                    &zn);
		if (!z) {
			store_set_err(err, errsz, "out of memory");
			code = STORE_ERR_NOMEM;
		} else if ((code = store_raw_unpack(z, zn, n, e.fetch_id, &raw,
		                                    err, errsz)) == STORE_OK) {
			e.raw = (const char *)raw;
			e.raw_len = n;
		}
	}
	e.raw_sha256 = pg_text(r, 0, 22);
	e.content_type = pg_text(r, 0, 23);
	e.model_version = pg_text(r, 0, 24);
	e.label = pg_text(r, 0, 25);
	e.score = pg_double(r, 0, 26);
	if (code == STORE_OK)
		fn(&e, arg);
	if (z)
		PQfreemem(z);
	free(raw);
	PQclear(r);
	return code;
}
