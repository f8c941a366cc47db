/*
 * store_internal.h - what a storage backend implements (SQLite keeps
 * btreeInt.h beside btree.h).  store.c checks arguments and dispatches
 * through st->ops; a backend embeds struct store (and struct store_txn) as
 * the first member of its own and casts back.  Only store.c and the
 * backends include this file.
 */
#ifndef PCMON_STORE_INTERNAL_H
#define PCMON_STORE_INTERNAL_H

#include "store.h"

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	int (*schema_version)(struct store *st);
	int (*check)(struct store *st, char *err, size_t errsz);
	int (*info)(struct store *st, struct store_info *out, char *err,
	            size_t errsz);
	int (*begin)(struct store *st, char *err, size_t errsz);
	int (*commit)(struct store *st, char *err, size_t errsz);
	void (*rollback)(struct store *st);

	int (*feed_add)(struct store *st, const struct store_feed *f,
	                int64_t *id, char *err, size_t errsz);
	int (*feed_get_id)(struct store *st, int64_t id, struct store_feed *out,
	                   char *err, size_t errsz);
	int (*feed_get_url)(struct store *st, const char *url,
	                    struct store_feed *out, char *err, size_t errsz);
	int (*feed_remove)(struct store *st, int64_t id, int purge, char *err,
	                   size_t errsz);
	int (*feed_foreach)(struct store *st,
	                    int (*fn)(const struct store_feed *f, void *arg),
	                    void *arg, char *err, size_t errsz);
	int (*feed_update_meta)(struct store *st, const struct store_feed *f,
	                        char *err, size_t errsz);

	int (*feed_list_due)(struct store *st, int64_t now,
	                     struct store_feed **out, size_t *n, char *err,
	                     size_t errsz);
	int (*feed_claim_due)(struct store *st, int64_t now, const char *owner,
	                      int64_t lease, long limit,
	                      struct store_feed **out, size_t *n, char *err,
	                      size_t errsz);
	int (*feed_activity)(struct store *st, int64_t id, int64_t now,
	                     struct store_feed_activity *out, char *err,
	                     size_t errsz);
	int (*feed_set_url)(struct store *st, int64_t id, const char *url,
	                    char *err, size_t errsz);

	int (*fetch_begin)(struct store *st, const struct store_fetch *fetch,
	                   struct store_txn **out, char *err, size_t errsz);
	int (*fetch_add_item)(struct store_txn *tx, const struct store_item *it,
	                      const char *ident, int date_flag, int64_t now,
	                      int *is_new, char *err, size_t errsz);
	int (*fetch_commit)(struct store_txn *tx, char *err, size_t errsz);
	void (*fetch_abort)(struct store_txn *tx, const char *error);
	int (*fetch_log)(struct store *st, const struct store_fetch *fetch,
	                 char *err, size_t errsz);

	int (*item_foreach)(struct store *st, const struct store_item_query *q,
	                    int (*fn)(const struct store_item_row *r,
	                              void *arg),
	                    void *arg, char *err, size_t errsz);
	int (*stats)(struct store *st, struct store_stats *out, char *err,
	             size_t errsz);

	int (*item_unscored)(struct store *st, const char *model_version,
	                     int all, int64_t after, long limit,
	                     int (*fn)(const struct store_item_text *r,
	                               void *arg),
	                     void *arg, int64_t *last, char *err, size_t errsz);
	int (*item_claim_unscored)(struct store *st, const char *model_version,
	                           long limit,
	                           int (*fn)(const struct store_item_text *r,
	                                     void *arg),
	                           void *arg, char *err, size_t errsz);
	int (*item_unscored_count)(struct store *st, const char *model_version,
	                           int all, int64_t *out, char *err,
	                           size_t errsz);
	int (*prediction_put)(struct store *st,
	                      const struct store_prediction *p, size_t n,
	                      char *err, size_t errsz);
	int (*prediction_count)(struct store *st, const char *model_version,
	                        int64_t *out, char *err, size_t errsz);
	int (*prediction_related)(struct store *st, const char *model_version,
	                          double threshold, int64_t since, int64_t *out,
	                          char *err, size_t errsz);

	int (*item_find)(struct store *st, int64_t id, const char *link,
	                 const char *canonical, int64_t *out, char *err,
	                 size_t errsz);
	int (*label_put)(struct store *st, const struct store_label *l,
	                 size_t n, size_t *bad, char *err, size_t errsz);
	int (*label_foreach)(struct store *st, int latest,
	                     int (*fn)(const struct store_label_row *r,
	                               void *arg),
	                     void *arg, char *err, size_t errsz);
	int (*label_top_pair)(struct store *st, char **a, char **b, int64_t *n,
	                      char *err, size_t errsz);
	int (*label_pairs)(struct store *st, const char *a, const char *b,
	                   int (*fn)(int64_t item_id, const char *la,
	                             const char *lb, void *arg),
	                   void *arg, char *err, size_t errsz);
	int (*label_candidates)(struct store *st, const char *model_version,
	                        double threshold,
	                        int (*fn)(const struct store_candidate *c,
	                                  void *arg),
	                        void *arg, char *err, size_t errsz);

	int (*story_pending)(struct store *st, int64_t after, long limit,
	                     int (*fn)(const struct store_story_item *r,
	                               void *arg),
	                     void *arg, int64_t *last, char *err, size_t errsz);
	int (*story_recent)(struct store *st, int64_t since, int64_t until,
	                    int (*fn)(int64_t id, int64_t story_id, uint64_t fp,
	                              int64_t date, void *arg),
	                    void *arg, char *err, size_t errsz);
	int (*story_put)(struct store *st, const struct store_story *s,
	                 size_t n, char *err, size_t errsz);

	int (*series_daily)(struct store *st,
	                    const struct store_series_query *q,
	                    int (*fn)(const char *key, int64_t day,
	                              int64_t related, int64_t total, void *arg),
	                    void *arg, char *err, size_t errsz);
	int (*fetch_days)(struct store *st, int64_t since, int64_t until,
	                  int (*fn)(int64_t day, int64_t fetches,
	                            int64_t failed, void *arg),
	                  void *arg, char *err, size_t errsz);
	int (*series_items)(struct store *st,
	                    const struct store_series_query *q, const char *key,
	                    long limit,
	                    int (*fn)(const struct store_series_item *r,
	                              void *arg),
	                    void *arg, char *err, size_t errsz);

	int (*alert_add)(struct store *st, const struct store_alert *a,
	                 const char *const *channels, size_t n, int64_t *id,
	                 char *err, size_t errsz);
	int (*alert_last)(struct store *st, const char *series, char **out,
	                  char *err, size_t errsz);
	int (*alert_foreach)(struct store *st, int64_t since, long limit,
	                     int64_t id,
	                     int (*fn)(const struct store_alert *a, void *arg),
	                     void *arg, char *err, size_t errsz);
	int (*alert_pending)(struct store *st,
	                     int (*fn)(const struct store_alert *a,
	                               const char *channel, long attempts,
	                               void *arg),
	                     void *arg, char *err, size_t errsz);
	int (*export_items)(struct store *st, const char *model_version,
	                    double threshold, int related_only, int64_t since,
	                    int64_t until,
	                    int (*fn)(const struct store_export_row *r,
	                              void *arg),
	                    void *arg, char *err, size_t errsz);
	int (*evidence_item)(struct store *st, int64_t id,
	                     const char *model_version,
	                     int (*fn)(const struct store_evidence *e,
	                               void *arg),
	                     void *arg, char *err, size_t errsz);
	int (*alert_attempt)(struct store *st, int64_t alert_id,
	                     const char *channel, const char *error,
	                     int64_t now, char *err, size_t errsz);
};

struct store {
	const struct store_ops *ops;
};

struct store_txn {
	struct store *st;
};

/* 1995-01-01T00:00:00Z: older published dates are DATE_ANCIENT */
#define STORE_ANCIENT_BEFORE INT64_C(788918400)
/* published more than this after first seen is DATE_FUTURE */
#define STORE_FUTURE_SLACK INT64_C(86400)

/* Backends. */
int store_sqlite_open(const char *path, struct store **out, char *err,
                      size_t errsz);
/* url: postgresql://... or postgres://... (libpq's connection URI) */
int store_pg_open(const char *url, struct store **out, char *err,
                  size_t errsz);

/* store.c: shared by backends */
void store_set_err(char *err, size_t errsz, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;
/* The identity of an item within its feed (see store_fetch_add_item());
 * malloc'd, NULL when out of memory. */
char *store_item_ident(const struct store_item *it);
int store_date_flag(int64_t published, int64_t first_seen);
/* A raw feed document as every backend keeps it: zlib-compressed into a
 * malloc'd *z of *zlen bytes, with the SHA-256 (hex) of the original. */
int store_raw_pack(const struct store_fetch *fe, unsigned char **z,
                   size_t *zlen, char *hex, char *err, size_t errsz);
/* Inflates a kept document of size bytes into a malloc'd, NUL-terminated
 * *raw; STORE_ERR_CORRUPT (naming the fetch) when it does not inflate. */
int store_raw_unpack(const void *z, size_t zlen, size_t size,
                     int64_t fetch_id, unsigned char **raw, char *err,
                     size_t errsz);

#endif
