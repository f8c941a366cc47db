/*
 * cmd_crawl.c - "pcmon crawl": fetch the due feeds over HTTP, store their
 * new items.
 *
 * One crawl_request per due feed goes to crawler_fetch() (libcurl's multi
 * interface: concurrency, per-host limits and delays, every size and time
 * limit).  Each response is handled as it completes: a 200 body is parsed
 * and stored by ingest_document() in one transaction per feed, together
 * with its fetch-log row, its validators and the feed's new schedule; a 304
 * or a failure writes one fetch-log row and the schedule.  The invariants:
 *
 *   - validators move only with the items they describe (same commit), so
 *     a crash between fetch and commit loses nothing the next run would not
 *     fetch again;
 *   - every fetch that reached the network leaves exactly one fetch_log row
 *     (transfers cut short by SIGINT/SIGTERM leave none: the feed stays due);
 *   - a feed is never deleted: failures back off, 410 Gone marks it dead.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "crawler/crawler.h"
#include "ingest.h"
#include "log.h"
#include "sha256.h"
#include "store.h"
#include "util.h"

static const char usage[] =
        "usage: pcmon crawl [--feed ID|URL] [--force] [--dry-run] [--quiet]\n"
        "       pcmon crawl --worker [--lease DURATION] [--batch N] [--quiet]\n"
        "\n"
        "Fetches the feeds that are due (never fetched, or past their next\n"
        "fetch time) and stores their new items.  Each feed is polled at its\n"
        "own pace, with conditional requests (ETag, Last-Modified).\n"
        "  --feed ID|URL  fetch this one feed now (not a dead one)\n"
        "  --force        fetch every feed that is not dead, due or not\n"
        "  --dry-run      print which feeds would be fetched; fetch nothing\n"
        "  --quiet        print nothing but errors (no progress, no summary)\n"
        "  --worker       one of many crawlers sharing a database (best on\n"
        "                 PostgreSQL): claim due feeds in batches, each\n"
        "                 with a lease, until none is left; takes no\n"
        "                 lock, so any number may run at once\n"
        "  --lease D      how long a claimed feed is ours (default 10m):\n"
        "                 a worker that dies frees its feeds after it\n"
        "  --batch N      feeds per claim (default 4 x concurrency)\n"
        "\n"
        "Exit status: 0 all fetched, 1 some feeds failed, 2 usage or\n"
        "configuration error, 3 database error, 4 another pcmon is running.\n";

/* Retry-After is honoured up to a week */
#define RETRY_AFTER_MAX INT64_C(604800)

/* Set from the signal handler; crawler_fetch() polls it (an int, as
 * crawl_fetch_opts.stop wants; sig_atomic_t is int on every target). */
static volatile int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct job {
	struct store_feed *feed;
	int conditional; /* validators sent */
	int probe;       /* unconditional probe of a feed answering 304 */
};

struct crawl {
	struct pcmon_ctx *ctx;
	const struct pcmon_config *cfg;
	size_t njobs, done;
	long ok, not_modified, failed, aborted, quiet;
	int64_t new_items, bytes;
	int progress; /* a terminal on stderr, not --quiet */
	int db_failed;
	int64_t t0_ms;
};

/* What the before-commit hook needs about the response being stored. */
struct commit_ctx {
	struct crawl *c;
	const struct job *job;
	const struct crawl_response *resp;
	struct store_crawl_state *cs;
	int stale; /* validators found stale by the probe */
};

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The feed's interval as stored, else the default for a new feed. */
static int64_t
base_interval(const struct crawl *c, const struct store_feed *f)
{
	if (f->interval > 0)
		return f->interval;
	return clamp64(STORE_DEFAULT_INTERVAL, c->cfg->min_interval,
	               c->cfg->max_interval);
}

/* next_fetch_at after the n-th consecutive failure:
 * now + min(max_interval, interval * 2^n) */
static int64_t
backoff(const struct crawl *c, const struct store_feed *f, long n, int64_t now)
{
	int64_t iv = base_interval(c, f), max = c->cfg->max_interval;

	while (n-- > 0 && iv < max)
		iv *= 2;
	return now + (iv < max ? iv : max);
}

static void
state_from_feed(struct store_crawl_state *cs, const struct store_feed *f)
{
	memset(cs, 0, sizeof(*cs));
	cs->next_fetch_at = f->next_fetch_at;
	cs->interval = f->interval;
	cs->no_conditional = f->no_conditional;
	cs->last_probe_at = f->last_probe_at;
	cs->ttl = f->ttl;
	cs->not_modified = f->not_modified;
	cs->last_item_at = f->last_item_at;
	cs->quiet_since = f->quiet_since;
	cs->redirect_url = f->redirect_url;
	cs->redirect_count = f->redirect_count;
}

/* A permanent redirect to the same URL on consecutive crawls counts up;
 * anything else resets the counter. */
static void
track_redirect(struct store_crawl_state *cs, const struct store_feed *f,
               const struct crawl_response *r)
{
	if (r->moved_to && strcmp(r->moved_to, f->url) != 0) {
		if (f->redirect_url &&
		    strcmp(f->redirect_url, r->moved_to) == 0)
			cs->redirect_count = f->redirect_count + 1;
		else
			cs->redirect_count = 1;
		cs->redirect_url = r->moved_to;
	} else {
		cs->redirect_url = NULL;
		cs->redirect_count = 0;
	}
}

/* Interval, next fetch and quiet status from the stored items (inside the
 * fetch's transaction when there is one, so the new items count). */
static int
schedule(struct crawl *c, const struct store_feed *f,
         struct store_crawl_state *cs, int64_t now, char *err, size_t errsz)
{
	struct store_feed_activity a;
	int rc, quiet;

	if ((rc = store_feed_activity(c->ctx->store, f->id, now, &a, err,
	                              errsz)) != STORE_OK)
		return rc;
	cs->interval =
	        store_poll_interval(a.dates, a.ndates, now, cs->ttl,
	                            c->cfg->min_interval, c->cfg->max_interval);
	cs->next_fetch_at = now + cs->interval;
	cs->last_item_at = a.last_item_at;
	quiet = store_feed_quiet(&a, now, f->quiet_since != STORE_TIME_NONE);
	cs->quiet_since = !quiet                              ? STORE_TIME_NONE
	                  : f->quiet_since != STORE_TIME_NONE ? f->quiet_since
	                                                      : now;
	return STORE_OK;
}

static int
same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void
report_failure(const struct store_feed *f, const char *msg)
{
	fprintf(stderr, "pcmon crawl: feed '");
	util_put_safe(stderr, f->url);
	fprintf(stderr, "': ");
	util_put_safe(stderr, msg);
	fputc('\n', stderr);
}

/* The database refused a write (disk full, I/O error, locked for too
 * long): the feed's fetch is not stored, nothing more is started, and the
 * feeds not stored stay due for the next run. */
static void
db_failure(struct crawl *c, const struct store_feed *f, const char *msg)
{
	if (!c->db_failed) {
		fprintf(stderr, "pcmon crawl: feed '");
		util_put_safe(stderr, f->url);
		fprintf(stderr, "': %s; stopping, the feeds not stored stay "
		                "due\n",
		        msg);
	}
	c->db_failed = 1;
	stop_flag = 1; /* stop starting transfers: the database is gone */
}

/* Runs in the fetch's transaction after a good parse. */
static int
before_commit(struct store_fetch *fe, struct ingest_result *r, void *arg)
{
	struct commit_ctx *cc = arg;
	const struct store_feed *f = cc->job->feed;
	const struct crawl_response *resp = cc->resp;
	struct store_crawl_state *cs = cc->cs;

	cs->ttl = r->ttl_seconds > 0 ? r->ttl_seconds : 0;
	/* the probe brought new items although the previous fetch answered
	 * 304 to the same validators: they are stale */
	if (cc->job->probe && f->not_modified && r->added > 0 &&
	    (same(resp->etag, f->etag) ||
	     same(resp->last_modified, f->last_modified))) {
		cs->no_conditional = 1;
		cc->stale = 1;
	}
	if (schedule(cc->c, f, cs, fe->started_at, r->msg, sizeof(r->msg)) !=
	    STORE_OK)
		return -1;
	fe->crawl = cs;
	return 0;
}

static void
progress(struct crawl *c)
{
	if (!c->progress)
		return;
	fprintf(stderr, "\r[%4zu/%zu] %lld new, %ld errors, %.1f MB", c->done,
	        c->njobs, (long long)c->new_items, c->failed,
	        (double)c->bytes / (1024.0 * 1024.0));
	fflush(stderr);
}

/* The charset parameter of a Content-Type, or NULL. */
static const char *
http_charset(const char *ctype, char *buf, size_t bufsz)
{
	const char *p;
	size_t n = 0;

	if (!ctype)
		return NULL;
	for (p = ctype; (p = strchr(p, ';'));) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"')
			p++;
		while (p[n] && p[n] != '"' && p[n] != ';' && p[n] != ' ' &&
		       n + 1 < bufsz) {
			buf[n] = p[n];
			n++;
		}
		buf[n] = '\0';
		return n ? buf : NULL;
	}
	return NULL;
}

static void
on_done(const struct crawl_response *r, void *arg)
{
	struct crawl *c = arg;
	const struct job *job = r->req->user;
	const struct store_feed *f = job->feed;
	const struct pcmon_config *cfg = c->cfg;
	struct store_crawl_state cs, cs_fail;
	struct store_fetch fe;
	struct ingest_result res;
	struct commit_ctx cc;
	char err[1024], sha[SHA256_HEX_SIZE], cset[64];
	int64_t now = (int64_t)time(NULL);
	int rc, stale = 0;

	c->done++;
	if (r->result == CRAWL_ERR_ABORTED || c->db_failed) {
		/* cut short by a signal: not the feed's fault, it stays due */
		c->aborted++;
		return;
	}
	memset(&fe, 0, sizeof(fe));
	fe.feed_id = f->id;
	fe.url = r->url ? r->url : f->url;
	fe.started_at = r->started_at > 0 ? r->started_at : now;
	fe.duration_ms = r->duration_ms;
	fe.http_status = r->status;
	fe.bytes_wire = r->bytes_wire;
	fe.bytes_body = r->bytes_body;
	fe.content_type = r->content_type;
	fe.raw_keep = cfg->raw_keep;
	fe.fail_threshold = cfg->fail_threshold;
	c->bytes += r->bytes_wire;

	state_from_feed(&cs, f);
	if (job->probe)
		cs.last_probe_at = now;

	if (r->result != CRAWL_OK) {
		/* anything but a clean answer resets the redirect counter */
		cs.redirect_url = NULL;
		cs.redirect_count = 0;
		if (r->status == 410) {
			cs.dead = 1;
			cs.next_fetch_at = STORE_TIME_NONE;
		} else if ((r->status == 429 || r->status == 503) &&
		           r->retry_after > 0) {
			cs.next_fetch_at =
			        now + (r->retry_after < RETRY_AFTER_MAX
			                       ? r->retry_after
			                       : RETRY_AFTER_MAX);
		} else {
			cs.next_fetch_at =
			        backoff(c, f, f->fail_count + 1, now);
		}
		fe.error = r->error ? r->error : crawler_strerror(r->result);
		fe.crawl = &cs;
		report_failure(f, fe.error);
		c->failed++;
		if (store_fetch_log(c->ctx->store, &fe, err, sizeof(err)) !=
		    STORE_OK)
			db_failure(c, f, err);
		progress(c);
		return;
	}

	track_redirect(&cs, f, r);
	if (r->not_modified) {
		/* a 304 costs no parsing; its validators replace ours when
		 * it repeats them */
		fe.etag = r->etag ? r->etag : f->etag;
		fe.last_modified =
		        r->last_modified ? r->last_modified : f->last_modified;
		cs.not_modified = 1;
		fe.crawl = &cs;
		if ((rc = schedule(c, f, &cs, now, err, sizeof(err))) !=
		            STORE_OK ||
		    (rc = store_fetch_log(c->ctx->store, &fe, err,
		                          sizeof(err))) != STORE_OK) {
			db_failure(c, f, err);
			return;
		}
		c->not_modified++;
	} else {
		sha256_hex(r->body, r->body_len, sha);
		/* a 200 under the very ETag we sent, with another body: the
		 * server's ETag does not follow its content */
		if (job->conditional && same(r->etag, f->etag) &&
		    f->last_body_sha256 &&
		    strcmp(sha, f->last_body_sha256) != 0) {
			cs.no_conditional = 1;
			stale = 1;
		}
		fe.etag = r->etag;
		fe.last_modified = r->last_modified;
		fe.body = r->body;
		fe.body_len = r->body_len;
		cs.body_sha256 = sha;
		cs.not_modified = 0;
		/* if the document is bad: a failure, backed off */
		cs_fail = cs;
		cs_fail.body_sha256 = NULL;
		cs_fail.redirect_url = NULL;
		cs_fail.redirect_count = 0;
		cs_fail.next_fetch_at = backoff(c, f, f->fail_count + 1, now);
		fe.crawl = &cs_fail;
		cc.c = c;
		cc.job = job;
		cc.resp = r;
		cc.cs = &cs;
		cc.stale = 0;
		rc = ingest_document(
		        c->ctx->store, cfg, f, &fe,
		        http_charset(r->content_type, cset, sizeof(cset)), 0,
		        before_commit, &cc, &res);
		if (rc == INGEST_DB) {
			db_failure(c, f, res.msg);
			return;
		}
		if (rc == INGEST_BAD_DOC) {
			report_failure(f, res.msg);
			c->failed++;
			progress(c);
			return;
		}
		if (res.warning[0])
			log_info("feed '%s': %s (recovered)", f->url,
			         res.warning);
		stale |= cc.stale;
		c->ok++;
		c->new_items += res.added;
	}
	if (cs.quiet_since != STORE_TIME_NONE)
		c->quiet++;
	if (stale && !f->no_conditional)
		log_warn("feed '%s': stale validators (the server answers 304 "
		         "or keeps its ETag although the feed changed); "
		         "fetching it unconditionally from now on",
		         f->url);
	if (cs.redirect_url && cs.redirect_count >= cfg->redirect_confirm) {
		rc = store_feed_set_url(c->ctx->store, f->id, cs.redirect_url,
		                        err, sizeof(err));
		if (rc == STORE_OK)
			log_info("feed %lld '%s': moved permanently to '%s' "
			         "(seen on %ld crawls); URL updated",
			         (long long)f->id, f->url, cs.redirect_url,
			         cs.redirect_count);
		else if (rc == STORE_ERR_EXISTS)
			log_info("feed %lld '%s': moved permanently to '%s', "
			         "which another feed already follows; "
			         "URL left as is",
			         (long long)f->id, f->url, cs.redirect_url);
		else
			db_failure(c, f, err);
	}
	progress(c);
}

static void
dry_run(const struct store_feed *v, size_t n, int64_t now)
{
	char when[32];
	size_t i;

	for (i = 0; i < n; i++) {
		printf("%4lld  ", (long long)v[i].id);
		util_put_safe(stdout, v[i].url);
		if (v[i].next_fetch_at == STORE_TIME_NONE) {
			printf("  never fetched\n");
		} else {
			util_format_minute(v[i].next_fetch_at, when,
			                   sizeof(when));
			printf("  %s %s\n",
			       v[i].next_fetch_at <= now ? "due since"
			                                 : "next due",
			       when);
		}
	}
	printf("%zu feeds would be fetched\n", n);
}

/* Fetches n feeds at once and stores what they bring, adding to c's
 * counts.  Returns EXIT_OK, or EXIT_FAIL / EXIT_DB when the crawl as a
 * whole failed (a feed's own failure is only counted). */
static int
crawl_batch(struct crawl *c, struct store_feed *feeds, size_t n, int64_t now)
{
	const struct pcmon_config *cfg = c->cfg;
	struct crawl_fetch_opts fo;
	struct crawl_request *reqs = NULL;
	struct job *jobs = NULL;
	struct sigaction sa, old_int, old_term;
	char err[1024];
	size_t i;
	int rc, status = EXIT_OK;

	if (n == 0)
		return EXIT_OK;
	if (!(reqs = calloc(n, sizeof(*reqs))) ||
	    !(jobs = calloc(n, sizeof(*jobs)))) {
		fprintf(stderr, "pcmon crawl: out of memory\n");
		free(reqs);
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		struct store_feed *f = &feeds[i];
		int has_validators = (f->etag && *f->etag) ||
		                     (f->last_modified && *f->last_modified);

		jobs[i].feed = f;
		/* a feed answering 304 is probed without validators once
		 * per probe_interval: are they stale? */
		jobs[i].probe = !f->no_conditional && has_validators &&
		                f->not_modified &&
		                (f->last_probe_at == STORE_TIME_NONE ||
		                 now - f->last_probe_at >= cfg->probe_interval);
		jobs[i].conditional =
		        has_validators && !f->no_conditional && !jobs[i].probe;
		reqs[i].url = f->url;
		reqs[i].etag = jobs[i].conditional ? f->etag : NULL;
		reqs[i].last_modified =
		        jobs[i].conditional ? f->last_modified : NULL;
		reqs[i].allow_file = f->local;
		reqs[i].user = &jobs[i];
	}
	c->njobs += n;

	memset(&fo, 0, sizeof(fo));
	fo.user_agent = cfg->user_agent;
	fo.concurrency = cfg->concurrency;
	fo.per_host = cfg->per_host;
	fo.host_delay_ms = (long)(cfg->host_delay * 1000.0 + 0.5);
	fo.connect_timeout = cfg->connect_timeout;
	fo.timeout = cfg->timeout;
	fo.low_speed_limit = cfg->low_speed_limit;
	fo.low_speed_time = cfg->low_speed_time;
	fo.max_body = cfg->max_body;
	fo.max_header = cfg->max_header;
	fo.max_redirects = cfg->max_redirects;
	fo.on_done = on_done;
	fo.arg = c;
	fo.stop = &stop_flag;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = crawler_fetch(reqs, n, &fo, err, sizeof(err));
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc != CRAWL_OK) {
		fprintf(stderr, "pcmon crawl: %s\n", err);
		status = EXIT_FAIL;
	} else if (c->db_failed) {
		status = EXIT_DB;
	}
	free(reqs);
	free(jobs);
	return status;
}

/* "host:pid", which names a worker's leases in the feeds table */
static void
worker_name(char *buf, size_t bufsz)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, bufsz, "%s:%ld", host, (long)getpid());
}

/* --worker: claims due feeds in batches (a lease of lease_s seconds each,
 * taken with SKIP LOCKED on PostgreSQL) until none is left unclaimed, so
 * that any number of workers on any number of machines share one cycle,
 * each feed fetched by one of them.  A worker that dies leaves its leases
 * to expire; the others then take its feeds. */
static int
crawl_worker(struct crawl *c, int64_t lease_s, long batch)
{
	struct store_feed *feeds;
	char owner[300], err[1024];
	size_t n;
	int rc;

	worker_name(owner, sizeof(owner));
	log_info("crawl: worker %s, batches of %ld feeds, %lld s leases",
	         owner, batch, (long long)lease_s);
	while (!stop_flag) {
		int64_t now = (int64_t)time(NULL);

		rc = store_feed_claim_due(c->ctx->store, now, owner, lease_s,
		                          batch, &feeds, &n, err, sizeof(err));
		if (rc != STORE_OK) {
			fprintf(stderr, "pcmon crawl: %s\n", err);
			return EXIT_DB;
		}
		if (n == 0)
			break;
		rc = crawl_batch(c, feeds, n, now);
		store_feed_list_free(feeds, n);
		if (rc != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}

CMD_FN(cmd_crawl)
{
	static const struct option opts[] = {
		{ "feed", required_argument, NULL, 'f' },
		{ "force", no_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "worker", no_argument, NULL, 'w' },
		{ "lease", required_argument, NULL, 'l' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct pcmon_config *cfg;
	struct store_feed *feeds = NULL;
	struct crawl c;
	const char *feed_key = NULL;
	char err[1024], *end;
	size_t n = 0;
	int64_t now = (int64_t)time(NULL), lease_s = 600;
	long batch = 0;
	int ch, rc, force = 0, dry = 0, quiet = 0, worker = 0,
	            status = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': feed_key = optarg; break;
		case 'F': force = 1; break;
		case 'n': dry = 1; break;
		case 'q': quiet = 1; break;
		case 'w': worker = 1; break;
		case 'l':
			if (config_parse_duration(optarg, &lease_s) != 0 ||
			    lease_s < 10) {
				fprintf(stderr, "pcmon crawl: --lease '%s': "
				                "want a duration of at least "
				                "10s (e.g. 10m)\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			batch = strtol(optarg, &end, 10);
			if (*end || batch < 1 || batch > 100000) {
				fprintf(stderr, "pcmon crawl: --batch '%s': "
				                "want 1 to 100000 feeds\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (worker && (feed_key || force || dry)) {
		fprintf(stderr, "pcmon crawl: --worker takes the due feeds; "
		                "not with --feed, --force or --dry-run\n");
		return EXIT_USAGE;
	}
	cfg = ctx->cfg;

	if (worker) {
		/* never all at once: the others must find feeds to claim */
		if (batch == 0)
			batch = cfg->concurrency * 4;
	} else if (feed_key) {
		if (!(feeds = calloc(1, sizeof(*feeds)))) {
			fprintf(stderr, "pcmon crawl: out of memory\n");
			return EXIT_FAIL;
		}
		rc = store_feed_get(ctx->store, feed_key, feeds, err,
		                    sizeof(err));
		if (rc != STORE_OK) {
			free(feeds);
			if (rc == STORE_ERR_NOTFOUND) {
				fprintf(stderr,
				        "pcmon crawl: %s; see 'pcmon "
				        "feeds list'\n",
				        err);
				return EXIT_USAGE;
			}
			fprintf(stderr, "pcmon crawl: %s\n", err);
			return EXIT_DB;
		}
		n = 1;
		if (feeds->status == FEED_DEAD) {
			fprintf(stderr, "pcmon crawl: feed '");
			util_put_safe(stderr, feeds->url);
			fprintf(stderr, "' is dead (410 Gone); not crawled\n");
			store_feed_list_free(feeds, n);
			return EXIT_USAGE;
		}
	} else {
		rc = store_feed_list_due(ctx->store,
		                         force ? STORE_TIME_NONE : now, &feeds,
		                         &n, err, sizeof(err));
		if (rc != STORE_OK) {
			fprintf(stderr, "pcmon crawl: %s\n", err);
			return EXIT_DB;
		}
	}
	if (dry) {
		dry_run(feeds, n, now);
		store_feed_list_free(feeds, n);
		return EXIT_OK;
	}
	if (strstr(cfg->user_agent, "contact: unset"))
		log_warn("crawl: user_agent in [crawl] has no contact address; "
		         "publishers block anonymous crawlers: put a URL or "
		         "e-mail address where they can reach you in it");

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.cfg = cfg;
	c.progress = !quiet && !worker && isatty(STDERR_FILENO);
	c.t0_ms = ingest_now_ms();
	stop_flag = 0;
	if (worker)
		status = crawl_worker(&c, lease_s, batch);
	else
		status = crawl_batch(&c, feeds, n, now);
	store_feed_list_free(feeds, n);
	if (c.progress)
		fputc('\n', stderr);
	if (status != EXIT_OK)
		return status;
	if (c.aborted)
		fprintf(stderr,
		        "pcmon crawl: interrupted; %ld feeds not "
		        "fetched (they stay due)\n",
		        c.aborted);
	if (!quiet)
		printf("crawled %zu feeds: %ld ok, %ld not modified, %ld "
		       "failed, "
		       "%ld quiet, %lld new items, %lld bytes, %.1f s\n",
		       c.njobs - (size_t)c.aborted, c.ok, c.not_modified,
		       c.failed, c.quiet, (long long)c.new_items,
		       (long long)c.bytes,
		       (double)(ingest_now_ms() - c.t0_ms) / 1000.0);
	return c.failed || c.aborted ? EXIT_PARTIAL : EXIT_OK;
}
