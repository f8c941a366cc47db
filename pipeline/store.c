/*
 * store.c - the generic half of the store: argument checks, the backend
 * chosen by the location, and the rules every backend shares (an item's
 * identity, its date flag, how a raw document is kept).  The SQL lives in
 * store_sqlite.c and store_pg.c / store_pg_query.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "sha256.h"
#include "store_internal.h"

const char *
store_strerror(int code)
{
	switch (code) {
	case STORE_OK: return "success";
	case STORE_ERR_NOMEM: return "out of memory";
	case STORE_ERR_IO: return "input/output error";
	case STORE_ERR_CORRUPT: return "not a pcmon database, or damaged";
	case STORE_ERR_VERSION: return "database schema newer than this pcmon";
	case STORE_ERR_BUSY: return "database is locked";
	case STORE_ERR_EXISTS: return "already present";
	case STORE_ERR_NOTFOUND: return "not found";
	case STORE_ERR_FULL: return "disk full";
	case STORE_ERR_USAGE: return "bad argument";
	}
	return "unknown error";
}

void
store_set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

int
store_open(const char *location, struct store **out, char *err, size_t errsz)
{
	*out = NULL;
	if (!location || !*location) {
		store_set_err(err, errsz, "no database given");
		return STORE_ERR_USAGE;
	}
	if (strncmp(location, "postgresql://", 13) == 0 ||
	    strncmp(location, "postgres://", 11) == 0)
		return store_pg_open(location, out, err, errsz);
	return store_sqlite_open(location, out, err, errsz);
}

void
store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

int
store_schema_version(struct store *st)
{
	return st->ops->schema_version(st);
}

int
store_check(struct store *st, char *err, size_t errsz)
{
	return st->ops->check(st, err, errsz);
}

int
store_info(struct store *st, struct store_info *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	out->page_size = out->page_count = out->file_size = out->wal_size = -1;
	return st->ops->info(st, out, err, errsz);
}

int
store_begin(struct store *st, char *err, size_t errsz)
{
	return st->ops->begin(st, err, errsz);
}

int
store_commit(struct store *st, char *err, size_t errsz)
{
	return st->ops->commit(st, err, errsz);
}

void
store_rollback(struct store *st)
{
	if (st)
		st->ops->rollback(st);
}

void
store_feed_release(struct store_feed *f)
{
	if (!f)
		return;
	free(f->url);
	free(f->name);
	free(f->lang);
	free(f->tags);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->site_link);
	free(f->title);
	free(f->last_body_sha256);
	free(f->redirect_url);
	memset(f, 0, sizeof(*f));
}

int
store_feed_list_due(struct store *st, int64_t now, struct store_feed **out,
                    size_t *n, char *err, size_t errsz)
{
	*out = NULL;
	*n = 0;
	return st->ops->feed_list_due(st, now, out, n, err, errsz);
}

int
store_feed_claim_due(struct store *st, int64_t now, const char *owner,
                     int64_t lease, long limit, struct store_feed **out,
                     size_t *n, char *err, size_t errsz)
{
	*out = NULL;
	*n = 0;
	if (!owner || !*owner || lease <= 0 || limit <= 0 ||
	    now == STORE_TIME_NONE) {
		store_set_err(err, errsz, "cannot claim feeds: bad argument");
		return STORE_ERR_USAGE;
	}
	return st->ops->feed_claim_due(st, now, owner, lease, limit, out, n,
	                               err, errsz);
}

void
store_feed_list_free(struct store_feed *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		store_feed_release(&v[i]);
	free(v);
}

int
store_feed_set_url(struct store *st, int64_t id, const char *url, char *err,
                   size_t errsz)
{
	if (!url || !*url) {
		store_set_err(err, errsz, "cannot change feed URL: no URL");
		return STORE_ERR_USAGE;
	}
	return st->ops->feed_set_url(st, id, url, err, errsz);
}

int
store_feed_activity(struct store *st, int64_t feed_id, int64_t now,
                    struct store_feed_activity *a, char *err, size_t errsz)
{
	memset(a, 0, sizeof(*a));
	a->last_item_at = STORE_TIME_NONE;
	return st->ops->feed_activity(st, feed_id, now, a, err, errsz);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int64_t
store_poll_interval(const int64_t *dates, size_t n, int64_t now, int64_t ttl,
                    int64_t min_interval, int64_t max_interval)
{
	int64_t gaps[STORE_RECENT_DATES], d[STORE_RECENT_DATES], iv;
	size_t i, nd = 0, recent = 0, use, ng = 0;

	if (max_interval < min_interval)
		max_interval = min_interval;
	/* distinct dates, newest first, as given */
	for (i = 0; i < n && nd < STORE_RECENT_DATES; i++)
		if (nd == 0 || dates[i] != d[nd - 1])
			d[nd++] = dates[i];
	for (i = 0; i < nd; i++)
		if (d[i] >= now - STORE_RECENT_WINDOW)
			recent++;
	use = recent >= 3 ? recent : nd;
	for (i = 0; i + 1 < use; i++)
		gaps[ng++] =
		        d[i] > d[i + 1] ? d[i] - d[i + 1] : d[i + 1] - d[i];
	if (ng < 2) {
		iv = clamp64(STORE_DEFAULT_INTERVAL, min_interval,
		             max_interval);
	} else {
		int64_t med;

		qsort(gaps, ng, sizeof(gaps[0]), cmp_i64);
		med = ng % 2 ? gaps[ng / 2]
		             : gaps[ng / 2 - 1] / 2 + gaps[ng / 2] / 2;
		iv = clamp64(med / 2, min_interval, max_interval);
	}
	if (ttl > 0 && iv < (ttl < max_interval ? ttl : max_interval))
		iv = ttl < max_interval ? ttl : max_interval;
	return iv;
}

int
store_feed_quiet(const struct store_feed_activity *a, int64_t now,
                 int was_quiet)
{
	int64_t limit;

	if (a->last_item_at == STORE_TIME_NONE)
		return 0;
	if (was_quiet)
		return now - a->last_item_at > STORE_QUIET_RECENT;
	/* at least one item a week, on average, over the 90 days */
	if (a->usual_items <= 0 || a->usual_items * 7 < 90)
		return 0;
	limit = 5 * (STORE_QUIET_USUAL / a->usual_items);
	if (limit < STORE_QUIET_RECENT)
		limit = STORE_QUIET_RECENT;
	return now - a->last_item_at > limit;
}

int
store_feed_add(struct store *st, const struct store_feed *f, int64_t *id,
               char *err, size_t errsz)
{
	if (!f->url || !*f->url) {
		store_set_err(err, errsz, "cannot add feed: no URL");
		return STORE_ERR_USAGE;
	}
	return st->ops->feed_add(st, f, id, err, errsz);
}

/* A key is an id when it is all digits, else a URL. */
static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

int
store_feed_get(struct store *st, const char *key, struct store_feed *out,
               char *err, size_t errsz)
{
	int64_t id;

	memset(out, 0, sizeof(*out));
	if (!key || !*key) {
		store_set_err(err, errsz, "no feed given");
		return STORE_ERR_USAGE;
	}
	if (parse_id(key, &id) == 0)
		return st->ops->feed_get_id(st, id, out, err, errsz);
	return st->ops->feed_get_url(st, key, out, err, errsz);
}

int
store_feed_remove(struct store *st, int64_t id, int purge, char *err,
                  size_t errsz)
{
	return st->ops->feed_remove(st, id, purge, err, errsz);
}

int
store_feed_foreach(struct store *st,
                   int (*fn)(const struct store_feed *f, void *arg), void *arg,
                   char *err, size_t errsz)
{
	return st->ops->feed_foreach(st, fn, arg, err, errsz);
}

int
store_feed_update_meta(struct store *st, const struct store_feed *f, char *err,
                       size_t errsz)
{
	return st->ops->feed_update_meta(st, f, err, errsz);
}

int
store_fetch_begin(struct store *st, const struct store_fetch *fetch,
                  struct store_txn **out, char *err, size_t errsz)
{
	*out = NULL;
	if (fetch->feed_id <= 0) {
		store_set_err(err, errsz, "cannot store fetch: no feed");
		return STORE_ERR_USAGE;
	}
	return st->ops->fetch_begin(st, fetch, out, err, errsz);
}

int
store_date_flag(int64_t published, int64_t first_seen)
{
	if (published == STORE_TIME_NONE)
		return DATE_MISSING;
	if (first_seen != STORE_TIME_NONE && published > first_seen &&
	    published - first_seen > STORE_FUTURE_SLACK)
		return DATE_FUTURE;
	if (published < STORE_ANCIENT_BEFORE)
		return DATE_ANCIENT;
	return DATE_OK;
}

static char *
concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

/*
 * identity is the guid as written, else the link, else a hash of title and
 * summary; never the title alone: outlets rewrite titles for hours.  The
 * prefixes keep a guid that happens to look like a link apart from a link.
 */
char *
store_item_ident(const struct store_item *it)
{
	struct sha256_ctx c;
	unsigned char d[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE + 5];
	static const char digits[] = "0123456789abcdef";
	const char *link;
	int i;

	if (it->guid && *it->guid)
		return strdup(it->guid);
	link = it->canonical_link && *it->canonical_link ? it->canonical_link
	                                                 : it->link;
	if (link && *link)
		return concat("link:", link);
	sha256_init(&c);
	if (it->title)
		sha256_update(&c, it->title, strlen(it->title));
	sha256_update(&c, "\x1f",
	              1); /* title "ab" + summary "c" != "a" + "bc" */
	if (it->summary)
		sha256_update(&c, it->summary, strlen(it->summary));
	sha256_final(&c, d);
	memcpy(hex, "hash:", 5);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[5 + 2 * i] = digits[d[i] >> 4];
		hex[5 + 2 * i + 1] = digits[d[i] & 15];
	}
	hex[5 + 2 * SHA256_DIGEST_SIZE] = '\0';
	return strdup(hex);
}

int
store_fetch_add_item(struct store_txn *tx, const struct store_item *it,
                     int64_t now, int *is_new, char *err, size_t errsz)
{
	char *ident;
	int rc;

	*is_new = 0;
	if (!(ident = store_item_ident(it))) {
		store_set_err(err, errsz, "cannot store item: out of memory");
		return STORE_ERR_NOMEM;
	}
	rc = tx->st->ops->fetch_add_item(tx, it, ident,
	                                 store_date_flag(it->published, now),
	                                 now, is_new, err, errsz);
	free(ident);
	return rc;
}

int
store_fetch_commit(struct store_txn *tx, char *err, size_t errsz)
{
	return tx->st->ops->fetch_commit(tx, err, errsz);
}

void
store_fetch_abort(struct store_txn *tx, const char *error)
{
	if (tx)
		tx->st->ops->fetch_abort(tx, error);
}

int
store_fetch_log(struct store *st, const struct store_fetch *fetch, char *err,
                size_t errsz)
{
	return st->ops->fetch_log(st, fetch, err, errsz);
}

int
store_item_foreach(struct store *st, const struct store_item_query *q,
                   int (*fn)(const struct store_item_row *r, void *arg),
                   void *arg, char *err, size_t errsz)
{
	return st->ops->item_foreach(st, q, fn, arg, err, errsz);
}

int
store_stats(struct store *st, struct store_stats *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	out->first_item = out->last_item = STORE_TIME_NONE;
	return st->ops->stats(st, out, err, errsz);
}

int
store_item_unscored(struct store *st, const char *model_version, int all,
                    int64_t after, long limit,
                    int (*fn)(const struct store_item_text *r, void *arg),
                    void *arg, int64_t *last, char *err, size_t errsz)
{
	if (!model_version || !*model_version) {
		store_set_err(err, errsz, "cannot list items: no model version");
		return STORE_ERR_USAGE;
	}
	return st->ops->item_unscored(st, model_version, all, after, limit, fn,
	                              arg, last, err, errsz);
}

int
store_item_claim_unscored(struct store *st, const char *model_version,
                          long limit,
                          int (*fn)(const struct store_item_text *r, void *arg),
                          void *arg, char *err, size_t errsz)
{
	if (!model_version || !*model_version || limit <= 0) {
		store_set_err(err, errsz, "cannot claim items: bad argument");
		return STORE_ERR_USAGE;
	}
	return st->ops->item_claim_unscored(st, model_version, limit, fn, arg,
	                                    err, errsz);
}

int
store_item_unscored_count(struct store *st, const char *model_version,
                          int all, int64_t *out, char *err, size_t errsz)
{
	*out = 0;
	if (!model_version || !*model_version) {
		store_set_err(err, errsz, "cannot count items: no model version");
		return STORE_ERR_USAGE;
	}
	return st->ops->item_unscored_count(st, model_version, all, out, err,
	                                    errsz);
}

int
store_prediction_put(struct store *st, const struct store_prediction *p,
                     size_t n, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].item_id <= 0 || !p[i].model_version ||
		    !*p[i].model_version) {
			store_set_err(err, errsz,
			              "cannot store prediction: no item or "
			              "model version");
			return STORE_ERR_USAGE;
		}
	if (n == 0)
		return STORE_OK;
	return st->ops->prediction_put(st, p, n, err, errsz);
}

int
store_prediction_count(struct store *st, const char *model_version,
                       int64_t *out, char *err, size_t errsz)
{
	*out = 0;
	if (!model_version || !*model_version) {
		store_set_err(err, errsz,
		              "cannot count predictions: no model version");
		return STORE_ERR_USAGE;
	}
	return st->ops->prediction_count(st, model_version, out, err, errsz);
}

int
store_item_find(struct store *st, int64_t id, const char *link,
                const char *canonical, int64_t *out, char *err, size_t errsz)
{
	*out = 0;
	if (id <= 0 && (!link || !*link)) {
		store_set_err(err, errsz, "cannot find item: no id or link");
		return STORE_ERR_USAGE;
	}
	return st->ops->item_find(st, id, id > 0 ? NULL : link,
	                          id > 0 ? NULL : canonical, out, err, errsz);
}

int
store_label_put(struct store *st, const struct store_label *l, size_t n,
                size_t *bad, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].item_id <= 0 || !l[i].label || !*l[i].label ||
		    !l[i].labeled_by || !*l[i].labeled_by) {
			if (bad)
				*bad = i;
			store_set_err(err, errsz,
			              "cannot store label: no item, label or "
			              "labeler");
			return STORE_ERR_USAGE;
		}
	if (n == 0)
		return STORE_OK;
	return st->ops->label_put(st, l, n, bad, err, errsz);
}

int
store_label_foreach(struct store *st, int latest,
                    int (*fn)(const struct store_label_row *r, void *arg),
                    void *arg, char *err, size_t errsz)
{
	return st->ops->label_foreach(st, latest, fn, arg, err, errsz);
}

int
store_label_top_pair(struct store *st, char **a, char **b, int64_t *n,
                     char *err, size_t errsz)
{
	*a = *b = NULL;
	*n = 0;
	return st->ops->label_top_pair(st, a, b, n, err, errsz);
}

int
store_label_pairs(struct store *st, const char *a, const char *b,
                  int (*fn)(int64_t item_id, const char *la, const char *lb,
                            void *arg),
                  void *arg, char *err, size_t errsz)
{
	if (!a || !b || !*a || !*b) {
		store_set_err(err, errsz, "cannot compare labels: no labeler");
		return STORE_ERR_USAGE;
	}
	return st->ops->label_pairs(st, a, b, fn, arg, err, errsz);
}

int
store_label_candidates(struct store *st, const char *model_version,
                       double threshold,
                       int (*fn)(const struct store_candidate *c, void *arg),
                       void *arg, char *err, size_t errsz)
{
	if (!model_version || !*model_version) {
		store_set_err(err, errsz,
		              "cannot list items to label: no model version");
		return STORE_ERR_USAGE;
	}
	return st->ops->label_candidates(st, model_version, threshold, fn, arg,
	                                 err, errsz);
}

/* ------------------------------------------------------------ stories */

int
store_story_pending(struct store *st, int64_t after, long limit,
                    int (*fn)(const struct store_story_item *r, void *arg),
                    void *arg, int64_t *last, char *err, size_t errsz)
{
	return st->ops->story_pending(st, after, limit, fn, arg, last, err,
	                              errsz);
}

int
store_story_recent(struct store *st, int64_t since, int64_t until,
                   int (*fn)(int64_t id, int64_t story_id, uint64_t fp,
                             int64_t date, void *arg),
                   void *arg, char *err, size_t errsz)
{
	return st->ops->story_recent(st, since, until, fn, arg, err, errsz);
}

int
store_story_put(struct store *st, const struct store_story *s, size_t n,
                char *err, size_t errsz)
{
	return n ? st->ops->story_put(st, s, n, err, errsz) : STORE_OK;
}

/* ------------------------------------------------------------- trends */

static int
series_query_ok(const struct store_series_query *q, char *err, size_t errsz)
{
	if (q->kind < SERIES_TOTAL || q->kind > SERIES_THEME_COUNTRY) {
		store_set_err(err, errsz, "unknown series kind %d", q->kind);
		return 0;
	}
	if (!q->model_version || !*q->model_version) {
		store_set_err(err, errsz, "cannot count: no model version");
		return 0;
	}
	return 1;
}

int
store_series_daily(struct store *st, const struct store_series_query *q,
                   int (*fn)(const char *key, int64_t day, int64_t related,
                             int64_t total, void *arg),
                   void *arg, char *err, size_t errsz)
{
	if (!series_query_ok(q, err, errsz))
		return STORE_ERR_USAGE;
	return st->ops->series_daily(st, q, fn, arg, err, errsz);
}

int
store_fetch_days(struct store *st, int64_t since, int64_t until,
                 int (*fn)(int64_t day, int64_t fetches, int64_t failed,
                           void *arg),
                 void *arg, char *err, size_t errsz)
{
	return st->ops->fetch_days(st, since, until, fn, arg, err, errsz);
}

int
store_series_items(struct store *st, const struct store_series_query *q,
                   const char *key, long limit,
                   int (*fn)(const struct store_series_item *r, void *arg),
                   void *arg, char *err, size_t errsz)
{
	if (!series_query_ok(q, err, errsz))
		return STORE_ERR_USAGE;
	return st->ops->series_items(st, q, key, limit, fn, arg, err, errsz);
}

/* ------------------------------------------------------------- alerts */

int
store_alert_add(struct store *st, const struct store_alert *a,
                const char *const *channels, size_t n, int64_t *id, char *err,
                size_t errsz)
{
	if (!a->series || !*a->series || !a->period || !*a->period) {
		store_set_err(err, errsz, "cannot store alert: no series or "
		                          "period");
		return STORE_ERR_USAGE;
	}
	return st->ops->alert_add(st, a, channels, n, id, err, errsz);
}

int
store_alert_last(struct store *st, const char *series, char **out, char *err,
                 size_t errsz)
{
	*out = NULL;
	return st->ops->alert_last(st, series, out, err, errsz);
}

int
store_alert_foreach(struct store *st, int64_t since, long limit,
                    int (*fn)(const struct store_alert *a, void *arg),
                    void *arg, char *err, size_t errsz)
{
	return st->ops->alert_foreach(st, since, limit, 0, fn, arg, err,
	                              errsz);
}

int
store_alert_get(struct store *st, int64_t id,
                int (*fn)(const struct store_alert *a, void *arg), void *arg,
                char *err, size_t errsz)
{
	return st->ops->alert_foreach(st, STORE_TIME_NONE, 1, id > 0 ? id : -1,
	                              fn, arg, err, errsz);
}

int
store_alert_pending(struct store *st,
                    int (*fn)(const struct store_alert *a,
                              const char *channel, long attempts, void *arg),
                    void *arg, char *err, size_t errsz)
{
	return st->ops->alert_pending(st, fn, arg, err, errsz);
}

int
store_alert_attempt(struct store *st, int64_t alert_id, const char *channel,
                    const char *error, int64_t now, char *err, size_t errsz)
{
	return st->ops->alert_attempt(st, alert_id, channel, error, now, err,
	                              errsz);
}

int
store_prediction_related(struct store *st, const char *model_version,
                         double threshold, int64_t since, int64_t *out,
                         char *err, size_t errsz)
{
	*out = 0;
	if (!model_version || !*model_version) {
		store_set_err(err, errsz, "cannot count: no model version");
		return STORE_ERR_USAGE;
	}
	return st->ops->prediction_related(st, model_version, threshold, since,
	                                   out, err, errsz);
}

int
store_export(struct store *st, const char *model_version, double threshold,
             int related_only, int64_t since, int64_t until,
             int (*fn)(const struct store_export_row *r, void *arg), void *arg,
             char *err, size_t errsz)
{
	return st->ops->export_items(st, model_version ? model_version : "",
	                             threshold, related_only, since, until, fn,
	                             arg, err, errsz);
}

int
store_evidence_item(struct store *st, int64_t id, const char *model_version,
                    int (*fn)(const struct store_evidence *e, void *arg),
                    void *arg, char *err, size_t errsz)
{
	return st->ops->evidence_item(st, id, model_version ? model_version : "",
	                              fn, arg, err, errsz);
}

/* zlib's default level: fast enough for every fetch, a third of the size */
#define RAW_LEVEL 6

int
store_raw_pack(const struct store_fetch *fe, unsigned char **z, size_t *zlen,
               char *hex, char *err, size_t errsz)
{
	uLongf n = compressBound((uLong)fe->body_len);

	if (!(*z = malloc(n))) {
		store_set_err(err, errsz, "cannot keep raw body: out of memory");
		return STORE_ERR_NOMEM;
	}
	if (compress2(*z, &n, (const Bytef *)fe->body, (uLong)fe->body_len,
	              RAW_LEVEL) != Z_OK ||
	    n > (uLongf)0x7fffffff) {
		free(*z);
		*z = NULL;
		store_set_err(err, errsz, "cannot compress raw body of '%s'",
		              fe->url ? fe->url : "?");
		return STORE_ERR_NOMEM;
	}
	*zlen = n;
	sha256_hex(fe->body, fe->body_len, hex);
	return STORE_OK;
}

int
store_raw_unpack(const void *z, size_t zlen, size_t size, int64_t fetch_id,
                 unsigned char **raw, char *err, size_t errsz)
{
	uLongf n = (uLongf)size;

	if (!(*raw = malloc(size + 1))) {
		store_set_err(err, errsz, "out of memory");
		return STORE_ERR_NOMEM;
	}
	if (uncompress(*raw, &n, z, (uLong)zlen) != Z_OK) {
		free(*raw);
		*raw = NULL;
		store_set_err(err, errsz, "raw document of fetch %lld is damaged",
		              (long long)fetch_id);
		return STORE_ERR_CORRUPT;
	}
	(*raw)[n] = '\0';
	return STORE_OK;
}
