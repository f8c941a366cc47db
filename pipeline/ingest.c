/*
 * ingest.c - parse one feed document and store it as one fetch (see
 * ingest.h).  The invariant: nothing of a document is stored unless all of
 * it is, and a failed document still leaves exactly one fetch-log row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "config.h"
#include "crawler/crawler.h"
#include "ingest.h"
#include "store.h"

#define CHUNK 65536

struct ingest {
	struct store_txn *tx;
	struct crawl_parser *parser;
	const char *feed_lang;
	int64_t now;
	long seen, added;
	int store_rc; /* a store error stopped the parse */
	char store_err[1024];
};

int64_t
ingest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The document's language as ISO 639-1 ("en-US" -> "en"), or NULL. */
static const char *
doc_lang(const struct crawl_parser *p, char out[3])
{
	const struct crawl_feed_meta *m = crawler_parser_meta(p);
	const char *l = m ? m->language : NULL;
	int i;

	if (!l)
		return NULL;
	for (i = 0; i < 2; i++) {
		char c = l[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			return NULL;
		out[i] = c;
	}
	out[2] = '\0';
	if (l[2] && l[2] != '-' && l[2] != '_')
		return NULL;
	return out;
}

/*
 * The item's language: what its own text says (classify_langid() on the
 * title and the start of the summary), else what the feed declares.
 * Feeds often declare one language for everything they carry, or none.
 */
static const char *
item_lang(const struct crawl_item *ci, const char *declared)
{
	char buf[2048];
	size_t tl = ci->title ? strlen(ci->title) : 0, sl, n;
	const char *l;

	if (tl > sizeof(buf) - 2)
		tl = sizeof(buf) - 2;
	if (tl)
		memcpy(buf, ci->title, tl);
	buf[tl] = '\n';
	sl = ci->summary ? strlen(ci->summary) : 0;
	n = sizeof(buf) - tl - 2;
	if (sl > n)
		sl = n; /* a cut UTF-8 sequence at the end is skipped */
	if (sl)
		memcpy(buf + tl + 1, ci->summary, sl);
	buf[tl + 1 + sl] = '\0';
	l = classify_langid(buf, tl + 1 + sl);
	return l ? l : declared;
}

static int
ingest_item(const struct crawl_item *ci, void *arg)
{
	struct ingest *in = arg;
	struct store_item it;
	char *canon = NULL, lang[3];
	int is_new, rc;

	if (ci->link)
		canon = crawler_url_canonical(ci->link);
	memset(&it, 0, sizeof(it));
	it.guid = ci->id;
	it.link = ci->link;
	it.canonical_link = canon;
	it.title = ci->title;
	it.summary = ci->summary;
	it.author = ci->author;
	it.lang = item_lang(ci, in->feed_lang ? in->feed_lang
	                                      : doc_lang(in->parser, lang));
	it.published = ci->published == CRAWL_TIME_NONE ? STORE_TIME_NONE
	                                                : ci->published;
	it.updated =
	        ci->updated == CRAWL_TIME_NONE ? STORE_TIME_NONE : ci->updated;
	rc = store_fetch_add_item(in->tx, &it, in->now, &is_new, in->store_err,
	                          sizeof(in->store_err));
	free(canon);
	if (rc != STORE_OK) {
		in->store_rc = rc;
		return 1;
	}
	in->seen++;
	in->added += is_new;
	return 0;
}

int
ingest_document(struct store *st, const struct pcmon_config *cfg,
                const struct store_feed *feed, struct store_fetch *fe,
                const char *charset, int64_t t0_ms,
                int (*before_commit)(struct store_fetch *fe,
                                     struct ingest_result *r, void *arg),
                void *arg, struct ingest_result *r)
{
	struct crawl_parse_opts po;
	struct ingest in;
	const char *body = fe->body ? fe->body : "";
	size_t len = fe->body ? fe->body_len : 0, off, n;
	char msg[1024];
	int rc, status;

	memset(r, 0, sizeof(*r));
	memset(&in, 0, sizeof(in));
	if (store_fetch_begin(st, fe, &in.tx, r->msg, sizeof(r->msg)) !=
	    STORE_OK)
		return INGEST_DB;
	in.feed_lang = feed->lang;
	in.now = fe->started_at;

	memset(&po, 0, sizeof(po));
	/* relative links resolve against the URL actually fetched */
	po.base_url = fe->url && strncmp(fe->url, "http", 4) == 0 ? fe->url
	                                                          : feed->url;
	po.charset = charset;
	po.max_depth = (size_t)cfg->max_depth;
	po.max_field = (size_t)cfg->max_field;
	po.max_items = (size_t)cfg->max_items;
	po.on_item = ingest_item;
	po.arg = &in;
	msg[0] = '\0';
	if ((rc = crawler_parser_create(&po, &in.parser)) != CRAWL_OK) {
		snprintf(msg, sizeof(msg), "%s", crawler_strerror(rc));
	} else {
		/* streamed in chunks, as a download arrives */
		for (off = 0; off < len && rc == CRAWL_OK; off += n) {
			n = len - off < CHUNK ? len - off : CHUNK;
			rc = crawler_parser_feed(in.parser, body + off, n, msg,
			                         sizeof(msg));
		}
		if (rc == CRAWL_OK)
			rc = crawler_parser_finish(in.parser, msg, sizeof(msg));
	}
	if (t0_ms > 0)
		fe->duration_ms = ingest_now_ms() - t0_ms;
	r->seen = in.seen;
	r->added = in.added;

	if (in.store_rc != STORE_OK) {
		/* the database failed, not the document: the fetch is logged
		 * (if the database still can) but the feed is not backed off,
		 * it stays due */
		snprintf(r->msg, sizeof(r->msg), "%s", in.store_err);
		fe->store_failed = 1;
		store_fetch_abort(in.tx, in.store_err);
		status = INGEST_DB;
	} else if (rc != CRAWL_OK) {
		if (!msg[0])
			snprintf(msg, sizeof(msg), "%s", crawler_strerror(rc));
		snprintf(r->msg, sizeof(r->msg), "%s", msg);
		store_fetch_abort(in.tx, msg);
		status = INGEST_BAD_DOC;
	} else {
		const struct crawl_feed_meta *m =
		        crawler_parser_meta(in.parser);

		fe->feed_title = m->title;
		fe->feed_link = m->link;
		r->ttl_seconds = m->ttl_seconds;
		if (m->recovered && m->first_error)
			snprintf(r->warning, sizeof(r->warning), "%s",
			         m->first_error);
		if (before_commit && before_commit(fe, r, arg) != 0) {
			fe->store_failed = 1;
			store_fetch_abort(in.tx, r->msg);
			status = INGEST_DB;
		} else if (store_fetch_commit(in.tx, r->msg, sizeof(r->msg)) !=
		           STORE_OK) {
			status = INGEST_DB;
		} else {
			status = INGEST_OK;
		}
	}
	/* they pointed into the parser */
	fe->feed_title = fe->feed_link = NULL;
	crawler_parser_free(in.parser);
	return status;
}
