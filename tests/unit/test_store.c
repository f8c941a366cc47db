/*
 * test_store.c - the store against real SQLite files in a temporary
 * directory: schema and migrations, refusals, feeds, fetch transactions and
 * dedup, raw-body pruning, date flags, listing, labels; and SHA-256's test
 * vectors.
 *
 * With PCMON_TEST_PG set to a libpq URL (a database the test may wipe:
 * tests/pg.sh start DIR prints one), the tests of the store API run
 * against PostgreSQL instead, every name prefixed "pg: ", and the schema
 * checks of test_open become test_open_pg's; the pure tests and the
 * SQLite-file ones run only without it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <zlib.h>

#include "check.h"
#include "sha256.h"
#include "store.h"
#include "store_internal.h"

static char dir[256];

/* PostgreSQL mode: the URL of PCMON_TEST_PG; NULL for SQLite */
static const char *pg_url;
/* the start of every check's name: "pg: " against PostgreSQL */
static const char *prefix = "";

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
prefixed_report(int ok, const char *fmt, ...)
{
	va_list ap;
	char name[512];

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return check_report(ok, "%s%s", prefix, name);
}

/* check.h's CHECK macros name check_report when they are used: from here
 * on they go through the prefix */
#define check_report prefixed_report

static void
path_of(char *buf, size_t bufsz, const char *name)
{
	snprintf(buf, bufsz, "%s/%s", dir, name);
}

/* ------------------------------------------------------------ SHA-256 */

static const struct {
	const char *in;
	size_t repeat;
	const char *want;
} sha_vectors[] = {
	/* FIPS 180-4 examples and the NIST long messages */
	{ "", 1,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijkl"
	  "mnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  1,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "a", 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	/* 55 and 56 bytes: padding fits, padding spills into a second block */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1,
	  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1,
	  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
};

static void
test_sha256(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(sha_vectors) / sizeof(sha_vectors[0]); i++) {
		struct sha256_ctx c;
		unsigned char d[SHA256_DIGEST_SIZE];
		char hex[SHA256_HEX_SIZE];
		size_t n = strlen(sha_vectors[i].in);

		sha256_init(&c);
		/* odd-sized updates cross block boundaries */
		for (j = 0; j < sha_vectors[i].repeat; j++)
			sha256_update(&c, sha_vectors[i].in, n);
		sha256_final(&c, d);
		for (j = 0; j < SHA256_DIGEST_SIZE; j++)
			snprintf(hex + 2 * j, 3, "%02x", d[j]);
		CHECK_STR(hex, sha_vectors[i].want, "sha256 vector %zu", i);
		if (sha_vectors[i].repeat == 1) {
			sha256_hex(sha_vectors[i].in, n, hex);
			CHECK_STR(hex, sha_vectors[i].want,
			          "sha256_hex vector %zu", i);
		}
	}
	{
		/* byte-at-a-time equals one shot */
		const char *msg = "The quick brown fox jumps over the lazy dog";
		struct sha256_ctx c;
		unsigned char a[32], b[32];

		sha256_init(&c);
		for (j = 0; msg[j]; j++)
			sha256_update(&c, msg + j, 1);
		sha256_final(&c, a);
		sha256_init(&c);
		sha256_update(&c, msg, strlen(msg));
		sha256_final(&c, b);
		CHECK(memcmp(a, b, 32) == 0, "sha256 bytewise == one shot");
	}
}

/* ----------------------------------------------------------- helpers */

static int
is_pg(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0 ||
	       strncmp(db, "postgres://", 11) == 0;
}

static void
pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* PostgreSQL's message, first line, as a TAP comment */
static void
pg_show(const char *what, PGconn *c)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";

	printf("# %s: %.*s\n", what, (int)strcspn(m, "\n"), m);
}

/* A connection of its own, as sqlite3_open is below; a statement waiting
 * on a lock the store holds fails instead of hanging. */
static PGconn *
pg_connect(const char *url)
{
	static const char *const keys[] = { "dbname", "connect_timeout",
		                            "options", NULL };
	const char *vals[] = { url, "10", "-c statement_timeout=30000", NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (c && PQstatus(c) == CONNECTION_OK) {
		PQsetNoticeProcessor(c, pg_quiet, NULL);
		return c;
	}
	pg_show("cannot connect", c);
	PQfinish(c);
	return NULL;
}

/* The first column of the first row: -1 without one, 0 for NULL, booleans
 * as 1 and 0 (as in SQLite). */
static long long
pg_sql_int(const char *url, const char *sql)
{
	PGconn *c = pg_connect(url);
	PGresult *r;
	long long v = -1;

	if (!c)
		return -1;
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_show(sql, c);
	} else if (PQntuples(r) > 0 && PQnfields(r) > 0) {
		const char *s = PQgetvalue(r, 0, 0);

		if (PQgetisnull(r, 0, 0))
			v = 0;
		else if (strcmp(s, "t") == 0 || strcmp(s, "f") == 0)
			v = *s == 't';
		else
			v = strtoll(s, NULL, 10);
	}
	PQclear(r);
	PQfinish(c);
	return v;
}

static int
pg_sql_exec(const char *url, const char *sql)
{
	PGconn *c = pg_connect(url);
	PGresult *r;
	int rc;

	if (!c)
		return -1;
	r = PQexec(c, sql);
	rc = PQresultStatus(r) != PGRES_COMMAND_OK &&
	     PQresultStatus(r) != PGRES_TUPLES_OK;
	if (rc)
		pg_show(sql, c);
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* sql_int and sql_exec take the database as the store does: a postgresql://
 * or postgres:// URL, else an SQLite file */
static long long
sql_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	long long v = -1;

	if (is_pg(db))
		return pg_sql_int(db, sql);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return v;
}

static int
sql_exec(const char *db, const char *sql)
{
	sqlite3 *h;
	int rc;

	if (is_pg(db))
		return pg_sql_exec(db, sql);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}

/* --------------------------------------------------- open and migrate */

static void
test_open(void)
{
	char db[512], err[1024];
	struct store *st = NULL;
	FILE *fp;
	int rc;

	path_of(db, sizeof(db), "sub/dir/a.db");
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "open creates the file and its directories");
	if (rc != STORE_OK) {
		printf("# %s\n", err);
		return;
	}
	CHECK_INT(store_schema_version(st), 5, "schema version 5 after open");
	CHECK_INT(store_check(st, err, sizeof(err)), STORE_OK, "check ok");
	CHECK_STR(err, "ok", "check message");
	{
		struct store_info in;

		CHECK_INT(store_info(st, &in, err, sizeof(err)), STORE_OK,
		          "info");
		CHECK_INT(in.schema_opened, 0,
		          "info: new database opened at 0");
		CHECK_INT(in.schema_latest, 5, "info: latest 5");
		CHECK_STR(in.backend, "sqlite", "info: backend");
		CHECK(in.page_size > 0, "info: page size");
	}
	store_close(st);
	CHECK_INT(sql_int(db, "SELECT journal_mode = 'wal' FROM "
	                      "pragma_journal_mode"),
	          1, "WAL journal");
	CHECK_INT(sql_int(db, "PRAGMA application_id"), 0x70636d6e,
	          "application id marks the file");
	CHECK_INT(
	        sql_int(db,
	                "SELECT count(*) FROM sqlite_schema WHERE "
	                "name IN ('feeds','feed_tags','fetch_log','items',"
	                "'raw_bodies','labels','predictions','alerts','meta')"),
	        9, "every table exists");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM pragma_index_list('items') "
	                      "WHERE \"unique\""),
	          2, "items: unique (feed, ident) and canonical link");

	/* reopen: no migration, same version */
	st = NULL;
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "reopen");
	if (st) {
		struct store_info in;

		store_info(st, &in, err, sizeof(err));
		CHECK_INT(in.schema_opened, 5, "reopen: found version 5");
	}
	store_close(st);

	/* newer than this binary */
	sql_exec(db, "PRAGMA user_version = 42");
	st = NULL;
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_VERSION, "version too new refused");
	CHECK(st == NULL, "version too new: no handle");
	CHECK(strstr(err, "schema version 42 is newer") != NULL &&
	              strstr(err, db) != NULL,
	      "version message names file: %s", err);
	CHECK_INT(sql_int(db, "PRAGMA user_version"), 42, "left untouched");

	/* not SQLite */
	path_of(db, sizeof(db), "text.db");
	fp = fopen(db, "w");
	fputs("not a database, just some text long enough to have a header "
	      "that SQLite reads and rejects as such\n",
	      fp);
	fclose(fp);
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_CORRUPT, "text file refused as corrupt");
	CHECK(strstr(err, db) != NULL && strstr(err, "not a database"),
	      "corrupt message names file: %s", err);

	/* SQLite, but not ours */
	path_of(db, sizeof(db), "foreign.db");
	sql_exec(db, "CREATE TABLE t (x)");
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_CORRUPT, "foreign SQLite database refused");
	CHECK(strstr(err, "not a pcmon database") != NULL, "foreign: %s", err);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM sqlite_schema"), 1,
	          "foreign database untouched");

	/* an empty file is a new database */
	path_of(db, sizeof(db), "empty.db");
	fclose(fopen(db, "w"));
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "empty file becomes a database");
	store_close(st);

	path_of(db, sizeof(db), "text.db/below.db");
	rc = store_open(db, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_IO, "directory that is a file: IO error");
	store_close(NULL);
}

/* ------------------------------------------ open and migrate, PostgreSQL */

/* A fresh PostgreSQL database: everything of the schema public goes */
static int
pg_wipe(const char *url)
{
	return sql_exec(url, "DROP SCHEMA IF EXISTS public CASCADE;"
	                     " CREATE SCHEMA public");
}

#define PG_TABLES                                                              \
	"SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"

static void
test_open_pg(const char *url)
{
	char err[1024], loc[512] = "", alt[512];
	struct store *st = NULL;
	int rc;

	rc = store_open(url, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "open creates the schema");
	if (rc != STORE_OK) {
		printf("# %s\n", err);
		return;
	}
	CHECK_INT(store_schema_version(st), 5, "schema version 5 after open");
	CHECK_INT(store_check(st, err, sizeof(err)), STORE_OK, "check ok");
	CHECK_STR(err, "ok", "check message");
	{
		struct store_info in;

		memset(&in, 0, sizeof(in));
		CHECK_INT(store_info(st, &in, err, sizeof(err)), STORE_OK,
		          "info");
		CHECK_INT(in.schema_opened, 0,
		          "info: new database opened at 0");
		CHECK_INT(in.schema_latest, 5, "info: latest 5");
		CHECK_INT(in.schema_version, 5, "info: version 5");
		CHECK_STR(in.backend, "postgresql", "info: backend");
		CHECK(in.location && is_pg(in.location), "info: location %s",
		      in.location ? in.location : "NULL");
		CHECK(in.engine_version && strcmp(in.engine_version, "?") != 0,
		      "info: server version %s",
		      in.engine_version ? in.engine_version : "NULL");
		CHECK(in.file_size > 0, "info: database size");
		if (in.location)
			snprintf(loc, sizeof(loc), "%s", in.location);
	}
	store_close(st);
	CHECK_INT(sql_int(url, "SELECT value FROM meta WHERE key = "
	                       "'schema_version'"),
	          5, "meta holds the schema version");
	CHECK_INT(sql_int(url, PG_TABLES " AND tablename IN ('feeds',"
	                                 "'feed_tags','fetch_log','items',"
	                                 "'raw_bodies','labels','predictions',"
	                                 "'alerts','meta')"),
	          9, "every table exists");
	CHECK_INT(sql_int(url, "SELECT count(*) FROM pg_index x JOIN pg_class "
	                       "c ON c.oid = x.indrelid WHERE c.relname = "
	                       "'items' AND c.relnamespace = "
	                       "current_schema()::regnamespace AND "
	                       "x.indisunique AND NOT x.indisprimary"),
	          2, "items: unique (feed, ident) and canonical link");

	/* reopen: no migration, same version */
	st = NULL;
	rc = store_open(url, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "reopen");
	if (st) {
		struct store_info in;

		store_info(st, &in, err, sizeof(err));
		CHECK_INT(in.schema_opened, 5, "reopen: found version 5");
	}
	store_close(st);

	/* the other spelling of the scheme */
	if (strncmp(url, "postgresql://", 13) == 0) {
		snprintf(alt, sizeof(alt), "postgres://%s", url + 13);
		st = NULL;
		rc = store_open(alt, &st, err, sizeof(err));
		CHECK_INT(rc, STORE_OK, "postgres:// opens too");
		store_close(st);
	}

	/* newer than this binary */
	sql_exec(url, "UPDATE meta SET value = '42' WHERE key = "
	              "'schema_version'");
	st = NULL;
	rc = store_open(url, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_VERSION, "version too new refused");
	CHECK(st == NULL, "version too new: no handle");
	CHECK(strstr(err, "schema version 42 is newer") != NULL && *loc &&
	              strstr(err, loc) != NULL,
	      "version message names the database: %s", err);
	CHECK_INT(sql_int(url, "SELECT value FROM meta WHERE key = "
	                       "'schema_version'"),
	          42, "left untouched");
	store_close(st);

	/* PostgreSQL, but not ours: one of pcmon's table names is taken */
	pg_wipe(url);
	sql_exec(url, "CREATE TABLE items (x integer)");
	st = NULL;
	rc = store_open(url, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_CORRUPT, "foreign database refused");
	CHECK(st == NULL && strstr(err, "not a pcmon database") != NULL,
	      "foreign: %s", err);
	CHECK_INT(sql_int(url, PG_TABLES), 1, "foreign database untouched");
	store_close(st);

	/* a meta table without pcmon's version */
	pg_wipe(url);
	sql_exec(url, "CREATE TABLE meta (key text PRIMARY KEY, value text)");
	st = NULL;
	rc = store_open(url, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_CORRUPT, "meta without a version refused");
	CHECK(strstr(err, "not a pcmon database") != NULL, "meta: %s", err);
	store_close(st);

	/* tables of other names share the database */
	pg_wipe(url);
	sql_exec(url, "CREATE TABLE t (x integer); INSERT INTO t VALUES (7)");
	st = NULL;
	rc = store_open(url, &st, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "unrelated table: schema created beside it");
	store_close(st);
	CHECK_INT(sql_int(url, "SELECT x FROM t"), 7, "unrelated table kept");

	/* no server there: the URL named, never its password */
	st = NULL;
	rc = store_open("postgresql://pcmon:secret@127.0.0.1:1/pcmon", &st, err,
	                sizeof(err));
	CHECK_INT(rc, STORE_ERR_IO, "no server: IO error");
	CHECK(st == NULL &&
	              strstr(err, "postgresql://pcmon@127.0.0.1:1/pcmon") !=
	                      NULL,
	      "no server: the URL named: %s", err);
	CHECK(strstr(err, "secret") == NULL, "no server: password not shown");
	store_close(st);
	rc = store_open("postgresql://pcmon@127.0.0.1:1/pcmon?password=secret",
	                &st, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_IO, "no server, password parameter: IO error");
	CHECK(strstr(err, "127.0.0.1:1/pcmon") != NULL &&
	              strstr(err, "secret") == NULL,
	      "password parameter not shown: %s", err);
	store_close(st);
}

/* -------------------------------------------------------------- feeds */

static int
count_feed(const struct store_feed *f, void *arg)
{
	long *n = arg;

	(void)f;
	(*n)++;
	return 0;
}

static int
first_feed(const struct store_feed *f, void *arg)
{
	*(int64_t *)arg = f->id;
	return 1; /* stop */
}

static void
test_feeds(struct store *st, const char *db)
{
	struct store_feed f, g;
	char err[1024];
	int64_t id1 = 0, id2 = 0, id;
	long n = 0;
	int rc;

	(void)db;
	memset(&f, 0, sizeof(f));
	f.url = "https://a.example/rss";
	f.name = "A";
	f.lang = "en";
	f.tags = " wire , eu,,wire ";
	CHECK_INT(store_feed_add(st, &f, &id1, err, sizeof(err)), STORE_OK,
	          "feed add");
	rc = store_feed_add(st, &f, &id, err, sizeof(err));
	CHECK_INT(rc, STORE_ERR_EXISTS, "feed add twice: exists");
	CHECK(strstr(err, "already present") != NULL, "exists message: %s",
	      err);
	memset(&f, 0, sizeof(f));
	f.url = "file:///srv/feed.xml";
	f.local = 1;
	CHECK_INT(store_feed_add(st, &f, &id2, err, sizeof(err)), STORE_OK,
	          "local feed add");
	CHECK(id2 > id1, "ids grow");

	CHECK_INT(store_feed_get(st, "1", &g, err, sizeof(err)), STORE_OK,
	          "get by id");
	CHECK_STR(g.url, "https://a.example/rss", "get: url");
	CHECK_STR(g.name, "A", "get: name");
	CHECK_STR(g.tags, "eu,wire", "get: tags trimmed, sorted, unique");
	CHECK_INT(g.items, 0, "get: no items");
	CHECK_INT(g.last_success_at, STORE_TIME_NONE, "get: never fetched");
	store_feed_release(&g);
	CHECK_INT(store_feed_get(st, "file:///srv/feed.xml", &g, err,
	                         sizeof(err)),
	          STORE_OK, "get by url");
	CHECK_INT(g.local, 1, "get: local");
	CHECK(g.name == NULL && g.tags == NULL, "get: NULLs stay NULL");
	store_feed_release(&g);
	CHECK_INT(store_feed_get(st, "99", &g, err, sizeof(err)),
	          STORE_ERR_NOTFOUND, "get missing id");
	CHECK_INT(store_feed_get(st, "https://nope.example/", &g, err,
	                         sizeof(err)),
	          STORE_ERR_NOTFOUND, "get missing url");

	memset(&f, 0, sizeof(f));
	f.id = id1;
	f.name = "A renamed";
	f.tags = "x";
	f.local = -1;
	CHECK_INT(store_feed_update_meta(st, &f, err, sizeof(err)), STORE_OK,
	          "update meta");
	store_feed_get(st, "1", &g, err, sizeof(err));
	CHECK_STR(g.name, "A renamed", "update: name");
	CHECK_STR(g.lang, "en", "update: lang kept");
	CHECK_STR(g.tags, "x", "update: tags replaced");
	CHECK_INT(g.local, 0, "update: local kept");
	store_feed_release(&g);
	f.id = 12345;
	CHECK_INT(store_feed_update_meta(st, &f, err, sizeof(err)),
	          STORE_ERR_NOTFOUND, "update missing feed");

	store_feed_foreach(st, count_feed, &n, err, sizeof(err));
	CHECK_INT(n, 2, "foreach visits every feed");
	id = 0;
	store_feed_foreach(st, first_feed, &id, err, sizeof(err));
	CHECK_INT(id, id1, "foreach in id order, stops on non-zero");

	/* a batch: nested failures undo only themselves; rollback undoes all */
	CHECK_INT(store_begin(st, err, sizeof(err)), STORE_OK, "begin batch");
	memset(&f, 0, sizeof(f));
	f.url = "https://batch.example/rss";
	CHECK_INT(store_feed_add(st, &f, &id, err, sizeof(err)), STORE_OK,
	          "add in batch");
	f.url = "https://a.example/rss";
	CHECK_INT(store_feed_add(st, &f, &id, err, sizeof(err)),
	          STORE_ERR_EXISTS, "duplicate in batch");
	store_rollback(st);
	CHECK_INT(store_feed_get(st, "https://batch.example/rss", &g, err,
	                         sizeof(err)),
	          STORE_ERR_NOTFOUND, "rolled-back batch left nothing");

	CHECK_INT(store_feed_remove(st, id2, 0, err, sizeof(err)), STORE_OK,
	          "remove");
	CHECK_INT(store_feed_remove(st, id2, 0, err, sizeof(err)),
	          STORE_ERR_NOTFOUND, "remove twice");
}

/* ------------------------------------------------- fetches and items */

struct fetch_case {
	const char *name;
	const char *guid, *link, *canon, *title, *summary;
	int64_t published;
	int want_new;
};

static int
add_items(struct store *st, int64_t feed, const struct fetch_case *cs, size_t n,
          int64_t now, const char *body, long raw_keep)
{
	struct store_fetch fe;
	struct store_txn *tx;
	char err[1024];
	size_t i;
	int rc, is_new;

	memset(&fe, 0, sizeof(fe));
	fe.feed_id = feed;
	fe.url = "file:///test";
	fe.started_at = now;
	fe.body = body;
	fe.body_len = body ? strlen(body) : 0;
	fe.raw_keep = raw_keep;
	fe.feed_title = "The title";
	if ((rc = store_fetch_begin(st, &fe, &tx, err, sizeof(err))) != 0) {
		printf("# %s\n", err);
		return rc;
	}
	for (i = 0; i < n; i++) {
		struct store_item it;

		memset(&it, 0, sizeof(it));
		it.guid = cs[i].guid;
		it.link = cs[i].link;
		it.canonical_link = cs[i].canon;
		it.title = cs[i].title;
		it.summary = cs[i].summary;
		it.published = cs[i].published;
		it.updated = STORE_TIME_NONE;
		rc = store_fetch_add_item(tx, &it, now, &is_new, err,
		                          sizeof(err));
		CHECK(rc == STORE_OK && is_new == cs[i].want_new, "%s (new %d)",
		      cs[i].name, is_new);
	}
	return store_fetch_commit(tx, err, sizeof(err));
}

#define T0   INT64_C(1789000000) /* 2026-09-10 */
#define NONE STORE_TIME_NONE

static const struct fetch_case first_fetch[] = {
	{ "guid item", "g-1", "https://n.example/1", "https://n.example/1",
	  "One", NULL, T0 - 3600, 1 },
	{ "same guid again", "g-1", "https://n.example/1b",
	  "https://n.example/1b", "One (updated)", NULL, T0, 0 },
	{ "no guid: link identity", NULL, "https://n.example/2",
	  "https://n.example/2", "Two", NULL, T0 - 7200, 1 },
	{ "same link again", NULL, "https://n.example/2", "https://n.example/2",
	  "Two again", NULL, T0, 0 },
	{ "nothing: hash identity", NULL, NULL, NULL, "Three", "text", NONE,
	  1 },
	{ "same title+summary again", NULL, NULL, NULL, "Three", "text", NONE,
	  0 },
	{ "title+summary boundary differs", NULL, NULL, NULL, "Thre", "etext",
	  NONE, 1 },
	{ "ancient date", "g-old", NULL, NULL, "Old", NULL, INT64_C(700000000),
	  1 },
	{ "future date", "g-future", NULL, NULL, "Future", NULL, T0 + 2 * 86400,
	  1 },
	{ "slightly ahead is fine", "g-soon", NULL, NULL, "Soon", NULL,
	  T0 + 3600, 1 },
};

static const struct fetch_case second_feed[] = {
	{ "same canonical link from another feed", "other-1",
	  "https://n.example/1?utm_source=x", "https://n.example/1",
	  "One elsewhere", NULL, T0, 0 },
	{ "same guid in another feed is new", "g-1", "https://o.example/9",
	  "https://o.example/9", "Other", NULL, T0 - 60, 1 },
};

struct collect {
	char titles[1024];
	int n;
};

static int
collect(const struct store_item_row *r, void *arg)
{
	struct collect *c = arg;
	size_t len = strlen(c->titles);

	snprintf(c->titles + len, sizeof(c->titles) - len, "%s%s",
	         c->n++ ? "|" : "", r->title ? r->title : "-");
	return 0;
}

static void
test_fetch(struct store *st, const char *db)
{
	struct store_item_query q;
	struct store_fetch fe;
	struct store_txn *tx;
	struct store_feed f;
	struct store_stats s;
	struct collect c;
	char err[1024];
	int64_t a, b;
	int is_new, rc;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.url = "https://n.example/rss";
	store_feed_add(st, &f, &a, err, sizeof(err));
	f.url = "https://o.example/rss";
	store_feed_add(st, &f, &b, err, sizeof(err));

	rc = add_items(st, a, first_fetch,
	               sizeof(first_fetch) / sizeof(first_fetch[0]), T0,
	               "<rss>one</rss>", 2);
	CHECK_INT(rc, STORE_OK, "first fetch committed");
	rc = add_items(st, b, second_feed,
	               sizeof(second_feed) / sizeof(second_feed[0]), T0 + 10,
	               "<rss>two</rss>", 2);
	CHECK_INT(rc, STORE_OK, "second feed committed");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM items"), 8,
	          "8 items stored");
	CHECK_INT(sql_int(db,
	                  "SELECT items_seen * 100 + items_new FROM fetch_log "
	                  "ORDER BY id LIMIT 1"),
	          1007, "fetch log: 10 seen, 7 new");
	CHECK_INT(
	        sql_int(db, "SELECT date_flag FROM items WHERE guid = 'g-old'"),
	        DATE_ANCIENT, "flag: ancient");
	CHECK_INT(
	        sql_int(db,
	                "SELECT date_flag FROM items WHERE guid = 'g-future'"),
	        DATE_FUTURE, "flag: future");
	CHECK_INT(sql_int(db,
	                  "SELECT date_flag FROM items WHERE guid = 'g-soon'"),
	          DATE_OK, "flag: within a day is ok");
	CHECK_INT(sql_int(db,
	                  "SELECT date_flag FROM items WHERE title = 'Three'"),
	          DATE_MISSING, "flag: missing");
	CHECK_INT(sql_int(db,
	                  "SELECT count(*) FROM items WHERE fetch_id IS NULL"),
	          0, "every item knows its fetch");
	CHECK_INT(
	        sql_int(db,
	                "SELECT count(*) FROM feeds WHERE title = 'The title'"
	                " AND fail_count = 0 AND last_success_at IS NOT NULL"),
	        2, "feed state updated on commit");

	/* abort: items gone, a log row with the error, fail_count + 1 */
	memset(&fe, 0, sizeof(fe));
	fe.feed_id = a;
	fe.url = "file:///bad";
	fe.started_at = T0 + 100;
	fe.fail_threshold = 2;
	rc = store_fetch_begin(st, &fe, &tx, err, sizeof(err));
	CHECK_INT(rc, STORE_OK, "begin for abort");
	if (rc == STORE_OK) {
		struct store_item it;

		memset(&it, 0, sizeof(it));
		it.guid = "doomed";
		it.published = NONE;
		it.updated = NONE;
		store_fetch_add_item(tx, &it, T0 + 100, &is_new, err,
		                     sizeof(err));
		store_fetch_abort(tx, "line 3: broken");
	}
	CHECK_INT(
	        sql_int(db, "SELECT count(*) FROM items WHERE guid = 'doomed'"),
	        0, "abort: no items");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM fetch_log WHERE error = "
	                      "'line 3: broken' AND items_new = 0"),
	          1, "abort: log row with the error");
	CHECK_INT(sql_int(db,
	                  "SELECT fail_count * 10 + status FROM feeds WHERE "
	                  "last_error = 'line 3: broken'"),
	          10, "abort: fail_count 1, still ok");
	fe.error = "timeout";
	CHECK_INT(store_fetch_log(st, &fe, err, sizeof(err)), STORE_OK,
	          "log a failed fetch");
	CHECK_INT(sql_int(db,
	                  "SELECT fail_count * 10 + status FROM feeds WHERE "
	                  "last_error = 'timeout'"),
	          21, "threshold reached: failing");

	/* raw bodies: two more fetches of feed a, raw_keep 2 */
	for (i = 0; i < 2; i++) {
		rc = add_items(st, a, NULL, 0, T0 + 200 + (int64_t)i,
		               i ? "<rss>third</rss>" : "<rss>second</rss>", 2);
		CHECK_INT(rc, STORE_OK, "empty fetch %zu", i);
	}
	CHECK_INT(sql_int(db,
	                  "SELECT fail_count * 10 + status FROM feeds WHERE "
	                  "id = 1"),
	          0, "success resets failing");
	CHECK_INT(sql_int(db,
	                  "SELECT count(*) FROM raw_bodies WHERE feed_id = 1"),
	          2, "raw bodies pruned to raw_keep");
	CHECK_INT(sql_int(db,
	                  "SELECT count(*) FROM raw_bodies WHERE feed_id = 2"),
	          1, "other feed's body kept");
	CHECK_INT(sql_int(db, "SELECT size FROM raw_bodies ORDER BY id DESC"),
	          16, "raw size is uncompressed");
	{
		char hex[SHA256_HEX_SIZE], sql[256];

		sha256_hex("<rss>third</rss>", 16, hex);
		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FROM raw_bodies WHERE "
		         "sha256 = '%s'",
		         hex);
		CHECK_INT(sql_int(db, sql), 1, "raw body sha256 matches");
	}
	rc = add_items(st, a, NULL, 0, T0 + 300, "<rss>x</rss>", 0);
	CHECK_INT(sql_int(db,
	                  "SELECT count(*) FROM raw_bodies WHERE feed_id = 1"),
	          0, "raw_keep 0 keeps none");

	/* listing: newest first by effective date, filters */
	memset(&q, 0, sizeof(q));
	q.since = q.until = NONE;
	memset(&c, 0, sizeof(c));
	store_item_foreach(st, &q, collect, &c, err, sizeof(err));
	CHECK_STR(c.titles, "Soon|Future|Old|Thre|Three|Other|One|Two",
	          "items newest first (untrusted dates by first seen)");
	q.feed_id = a;
	q.since = T0 - 7200;
	q.until = T0;
	memset(&c, 0, sizeof(c));
	store_item_foreach(st, &q, collect, &c, err, sizeof(err));
	CHECK_STR(c.titles, "One|Two",
	          "feed + since (inclusive) + until "
	          "(exclusive)");
	q.feed_id = 0;
	q.since = q.until = NONE;
	q.limit = 3;
	memset(&c, 0, sizeof(c));
	store_item_foreach(st, &q, collect, &c, err, sizeof(err));
	CHECK_INT(c.n, 3, "limit");

	CHECK_INT(store_stats(st, &s, err, sizeof(err)), STORE_OK, "stats");
	CHECK_INT(s.feeds, 2, "stats: feeds");
	CHECK_INT(s.items, 8, "stats: items");
	CHECK_INT(s.fetch_errors, 2, "stats: fetch errors");
	CHECK_INT(s.first_item, T0, "stats: first seen");

	/* removal keeps items unless purged */
	CHECK_INT(store_feed_remove(st, b, 0, err, sizeof(err)), STORE_OK,
	          "remove feed b");
	CHECK_INT(
	        sql_int(db, "SELECT count(*) FROM items WHERE feed_id IS NULL"),
	        1, "items of a removed feed stay");
	CHECK_INT(store_feed_remove(st, a, 1, err, sizeof(err)), STORE_OK,
	          "purge feed a");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM items"), 1,
	          "purged items gone");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM fetch_log"), 1,
	          "purged fetch log gone, other kept");
	CHECK_INT(store_check(st, err, sizeof(err)), STORE_OK,
	          "integrity and foreign keys hold");
}

/* date flags: the rule as a table */
static const struct {
	int64_t published, first_seen;
	int want;
} flags[] = {
	{ NONE, T0, DATE_MISSING },
	{ T0, T0, DATE_OK },
	{ T0 + 86400, T0, DATE_OK },
	{ T0 + 86401, T0, DATE_FUTURE },
	{ INT64_C(788918400), T0, DATE_OK }, /* 1995-01-01 */
	{ INT64_C(788918399), T0, DATE_ANCIENT },
	{ 0, T0, DATE_ANCIENT },
	{ INT64_C(-5000000000), T0, DATE_ANCIENT },
};

static void
test_flags(void)
{
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		CHECK_INT(store_date_flag(flags[i].published,
		                          flags[i].first_seen),
		          flags[i].want, "date flag row %zu", i);
}

/* ------------------------------------------------ crawl schedule (pure) */

#define M   60
#define H   3600
#define D   86400
#define NOW INT64_C(1800000000)

static const struct {
	const char *name;
	int64_t dates[8]; /* newest first; 0 ends */
	int64_t ttl, min, max, want;
} interval_cases[] = {
	{ "no items: default 1 h", { 0 }, 0, 15 * M, D, H },
	{ "one item: default", { NOW - H }, 0, 15 * M, D, H },
	{ "two items: default", { NOW - H, NOW - 2 * H }, 0, 15 * M, D, H },
	{ "default clamped up to min", { 0 }, 0, 2 * H, D, 2 * H },
	{ "default clamped down to max", { 0 }, 0, 60, 30 * M, 30 * M },
	{ "every 10 min -> min",
	  { NOW, NOW - 10 * M, NOW - 20 * M, NOW - 30 * M },
	  0,
	  15 * M,
	  D,
	  15 * M },
	{ "every 4 h -> 2 h",
	  { NOW, NOW - 4 * H, NOW - 8 * H, NOW - 12 * H },
	  0,
	  15 * M,
	  D,
	  2 * H },
	{ "monthly (old items) -> max",
	  { NOW - 40 * D, NOW - 70 * D, NOW - 100 * D },
	  0,
	  15 * M,
	  D,
	  D },
	{ "median, not mean: one long gap ignored",
	  { NOW, NOW - 2 * H, NOW - 4 * H, NOW - 6 * H, NOW - 30 * H },
	  0,
	  15 * M,
	  D,
	  H },
	{ "even count: mean of the middle two",
	  { NOW, NOW - 2 * H, NOW - 6 * H, NOW - 12 * H, NOW - 20 * H },
	  0,
	  15 * M,
	  D,
	  (5 * H) / 2 },
	{ "a batch seen at once counts once",
	  { NOW, NOW, NOW, NOW },
	  0,
	  15 * M,
	  D,
	  H },
	{ "recent window: old history ignored when 3 are recent",
	  { NOW - 1 * H, NOW - 3 * H, NOW - 5 * H, NOW - 60 * D, NOW - 90 * D },
	  0,
	  15 * M,
	  D,
	  H },
	{ "ttl raises the interval",
	  { NOW, NOW - 10 * M, NOW - 20 * M },
	  3 * H,
	  15 * M,
	  D,
	  3 * H },
	{ "ttl capped at max", { 0 }, 7 * D, 15 * M, D, D },
	{ "ttl below the rate changes nothing",
	  { NOW, NOW - 4 * H, NOW - 8 * H },
	  60,
	  15 * M,
	  D,
	  2 * H },
};

static const struct {
	const char *name;
	int64_t usual, last_ago; /* last_ago < 0: no items */
	int was_quiet, want;
} quiet_cases[] = {
	{ "no items", 0, -1, 0, 0 },
	{ "rare feed (< 1/week) never quiet", 12, 60 * D, 0, 0 },
	{ "1/week exactly, silent 40 d (> 35 d)", 13, 40 * D, 0, 1 },
	{ "1/week, silent 30 d (< 5 x 6.9 d)", 13, 30 * D, 0, 0 },
	{ "daily, silent 8 d (> 7 d floor)", 90, 8 * D, 0, 1 },
	{ "daily, silent 6 d", 90, 6 * D, 0, 0 },
	{ "every 3 d (30 in 90 d), silent 16 d (> 15 d)", 30, 16 * D, 0, 1 },
	{ "every 3 d, silent 14 d", 30, 14 * D, 0, 0 },
	{ "stays quiet when the 90 days empty", 0, 200 * D, 1, 1 },
	{ "a recent item ends quiet", 0, 2 * D, 1, 0 },
};

static void
test_schedule(void)
{
	size_t i, n;

	for (i = 0; i < sizeof(interval_cases) / sizeof(interval_cases[0]);
	     i++) {
		for (n = 0; n < 8 && interval_cases[i].dates[n]; n++)
			;
		CHECK_INT(store_poll_interval(interval_cases[i].dates, n, NOW,
		                              interval_cases[i].ttl,
		                              interval_cases[i].min,
		                              interval_cases[i].max),
		          interval_cases[i].want, "interval: %s",
		          interval_cases[i].name);
	}
	for (i = 0; i < sizeof(quiet_cases) / sizeof(quiet_cases[0]); i++) {
		struct store_feed_activity a;

		memset(&a, 0, sizeof(a));
		a.usual_items = quiet_cases[i].usual;
		a.last_item_at = quiet_cases[i].last_ago < 0
		                         ? STORE_TIME_NONE
		                         : NOW - quiet_cases[i].last_ago;
		CHECK_INT(store_feed_quiet(&a, NOW, quiet_cases[i].was_quiet),
		          quiet_cases[i].want, "quiet: %s",
		          quiet_cases[i].name);
	}
}

/* ------------------------------------------------ crawl state (store) */

static void
test_crawl_store(struct store *st, const char *db)
{
	struct store_feed f, *v = NULL;
	struct store_fetch fe;
	struct store_crawl_state cs;
	struct store_feed_activity a;
	struct store_txn *tx;
	struct store_item it;
	char err[1024], guid[16];
	int64_t id1, id2, id3, now = NOW;
	size_t n = 0;
	int i, is_new;

	memset(&f, 0, sizeof(f));
	f.url = "https://c.example/1";
	store_feed_add(st, &f, &id1, err, sizeof(err));
	f.url = "https://c.example/2";
	store_feed_add(st, &f, &id2, err, sizeof(err));
	f.url = "https://c.example/3";
	store_feed_add(st, &f, &id3, err, sizeof(err));
	sql_exec(db, "UPDATE feeds SET next_fetch_at = 1800000100 WHERE url = "
	             "'https://c.example/2';"
	             "UPDATE feeds SET status = 2 WHERE url = "
	             "'https://c.example/3'");

	CHECK_INT(store_feed_list_due(st, now, &v, &n, err, sizeof(err)),
	          STORE_OK, "due list");
	CHECK(n == 1 && v && v[0].id == id1,
	      "due: only the never-fetched feed");
	CHECK(n == 1 && v[0].quiet_since == STORE_TIME_NONE &&
	              v[0].last_probe_at == STORE_TIME_NONE &&
	              v[0].no_conditional == 0,
	      "due: new columns read");
	store_feed_list_free(v, n);
	CHECK_INT(store_feed_list_due(st, STORE_TIME_NONE, &v, &n, err,
	                              sizeof(err)),
	          STORE_OK, "due list, all");
	CHECK(n == 2 && v[0].id == id1 && v[1].id == id2,
	      "all: dead feed left out, never-fetched first");
	store_feed_list_free(v, n);
	store_feed_list_free(NULL, 0);

	/* a fetch with crawl state: items, validators and schedule land in
	 * one commit; activity sees the items of the open transaction */
	memset(&fe, 0, sizeof(fe));
	fe.feed_id = id1;
	fe.url = "https://c.example/1";
	fe.started_at = now;
	fe.http_status = 200;
	fe.etag = "\"e\"";
	fe.raw_keep = 1;
	CHECK_INT(store_fetch_begin(st, &fe, &tx, err, sizeof(err)), STORE_OK,
	          "crawl fetch begin");
	for (i = 0; i < 5; i++) {
		memset(&it, 0, sizeof(it));
		snprintf(guid, sizeof(guid), "c%d", i);
		it.guid = guid;
		it.title = guid;
		it.published = now - 3600 * (int64_t)(i + 1);
		store_fetch_add_item(tx, &it, now, &is_new, err, sizeof(err));
	}
	CHECK_INT(store_feed_activity(st, id1, now, &a, err, sizeof(err)),
	          STORE_OK, "activity inside the transaction");
	CHECK(a.ndates == 5 && a.dates[0] == now - 3600 &&
	              a.dates[4] == now - 5 * 3600,
	      "activity: dates newest first (%zu)", a.ndates);
	CHECK(a.recent_items == 5 && a.usual_items == 0 &&
	              a.last_item_at == now - 3600,
	      "activity: counts and newest");
	memset(&cs, 0, sizeof(cs));
	cs.next_fetch_at = now + 1800;
	cs.interval = 1800;
	cs.ttl = 600;
	cs.body_sha256 = "abc";
	cs.last_probe_at = STORE_TIME_NONE;
	cs.last_item_at = a.last_item_at;
	cs.quiet_since = STORE_TIME_NONE;
	cs.redirect_url = "https://c.example/moved";
	cs.redirect_count = 2;
	fe.crawl = &cs;
	CHECK_INT(store_fetch_commit(tx, err, sizeof(err)), STORE_OK,
	          "crawl fetch commit");
	CHECK_INT(
	        store_feed_get(st, "https://c.example/1", &f, err, sizeof(err)),
	        STORE_OK, "read back");
	CHECK(f.next_fetch_at == now + 1800 && f.interval == 1800 &&
	              f.ttl == 600 && f.last_item_at == now - 3600,
	      "schedule stored with the commit");
	CHECK_STR(f.etag, "\"e\"", "validators stored with the commit");
	CHECK_STR(f.last_body_sha256, "abc", "body sha256 stored");
	CHECK(f.redirect_url && f.redirect_count == 2, "redirect counted");
	store_feed_release(&f);

	/* a failure: fail_since set once, dead on request */
	fe.error = "HTTP status 410";
	fe.http_status = 410;
	cs.dead = 1;
	cs.body_sha256 = NULL;
	CHECK_INT(store_fetch_log(st, &fe, err, sizeof(err)), STORE_OK,
	          "failure logged");
	store_feed_get(st, "https://c.example/1", &f, err, sizeof(err));
	CHECK(f.status == FEED_DEAD && f.fail_count == 1 && f.fail_since == now,
	      "410: dead, failing since the fetch");
	CHECK_STR(f.last_body_sha256, "abc", "NULL sha256 keeps the old one");
	store_feed_release(&f);

	/* moving a feed: refused onto another feed's URL */
	CHECK_INT(store_feed_set_url(st, id1, "https://c.example/2", err,
	                             sizeof(err)),
	          STORE_ERR_EXISTS, "set_url onto a followed URL refused");
	CHECK_INT(store_feed_set_url(st, id1, "https://c.example/moved", err,
	                             sizeof(err)),
	          STORE_OK, "set_url");
	store_feed_get(st, "https://c.example/moved", &f, err, sizeof(err));
	CHECK(f.id == id1 && f.redirect_url == NULL && f.redirect_count == 0,
	      "set_url resets the redirect counter");
	store_feed_release(&f);
	CHECK_INT(store_feed_set_url(st, 9999, "https://c.example/x", err,
	                             sizeof(err)),
	          STORE_ERR_NOTFOUND, "set_url: no such feed");
}

/* ------------------------------------------------------------- labels */

static const struct fetch_case label_items[] = {
	{ "label item 1", "l-1", "https://l.example/1", "https://l.example/1",
	  "Police sign a pact", NULL, T0, 1 },
	{ "label item 2", "l-2", "https://l.example/2?utm_source=x",
	  "https://l.example/2", "Cup final", NULL, T0, 1 },
	{ "label item 3", "l-3", NULL, NULL, "Joint patrols", NULL, T0, 1 },
	{ "label item 4", "l-4", NULL, NULL, "Weather", NULL, T0, 1 },
};

struct label_seen {
	char buf[512];
	int n;
};

static int
label_seen(const struct store_label_row *r, void *arg)
{
	struct label_seen *ls = arg;
	size_t len = strlen(ls->buf);

	snprintf(ls->buf + len, sizeof(ls->buf) - len, "%s%lld:%s:%s:%s",
	         ls->n++ ? "|" : "", (long long)r->l.item_id, r->l.labeled_by,
	         r->l.label, r->l.themes ? r->l.themes : "-");
	return 0;
}

static int
pair_seen(int64_t item_id, const char *la, const char *lb, void *arg)
{
	struct label_seen *ls = arg;
	size_t len = strlen(ls->buf);

	snprintf(ls->buf + len, sizeof(ls->buf) - len, "%s%lld:%s%s",
	         ls->n++ ? "|" : "", (long long)item_id, la, lb);
	return 0;
}

static int
candidate_seen(const struct store_candidate *c, void *arg)
{
	struct label_seen *ls = arg;
	size_t len = strlen(ls->buf);

	snprintf(ls->buf + len, sizeof(ls->buf) - len, "%s%lld:%.2f",
	         ls->n++ ? "|" : "", (long long)c->item_id, c->related);
	return 0;
}

static void
test_labels(struct store *st, const char *db)
{
	struct store_feed f;
	struct store_label l[3];
	struct store_prediction p[4];
	struct label_seen ls;
	char err[1024], *a, *b;
	int64_t feed, id, n;
	size_t bad = 99, i;

	memset(&f, 0, sizeof(f));
	f.url = "https://l.example/rss";
	store_feed_add(st, &f, &feed, err, sizeof(err));
	CHECK_INT(add_items(st, feed, label_items, 4, T0, NULL, 0), STORE_OK,
	          "label items stored");

	/* finding items: by id, canonical link, link */
	CHECK_INT(store_item_find(st, 3, NULL, NULL, &id, err, sizeof(err)),
	          STORE_OK, "find by id");
	CHECK_INT(id, 3, "find by id: the id");
	CHECK_INT(store_item_find(st, 77, NULL, NULL, &id, err, sizeof(err)),
	          STORE_ERR_NOTFOUND, "find a missing id");
	CHECK_STR(err, "no item 77", "missing id message");
	CHECK_INT(store_item_find(st, 0, "https://l.example/2#x",
	                          "https://l.example/2", &id, err, sizeof(err)),
	          STORE_OK, "find by canonical link");
	CHECK_INT(id, 2, "find by canonical link: the id");
	CHECK_INT(store_item_find(st, 0, "https://l.example/2?utm_source=x",
	                          NULL, &id, err, sizeof(err)),
	          STORE_OK, "find by link as stored");
	CHECK_INT(id, 2, "find by link: the id");
	CHECK_INT(store_item_find(st, 0, "https://l.example/9", NULL, &id, err,
	                          sizeof(err)),
	          STORE_ERR_NOTFOUND, "find a missing link");

	/* all or nothing: the second label names no item */
	memset(l, 0, sizeof(l));
	for (i = 0; i < 3; i++) {
		l[i].label = "1";
		l[i].labeled_by = "alice";
		l[i].labeled_at = T0 + (int64_t)i;
		l[i].guideline = "1";
	}
	l[0].item_id = 1;
	l[0].themes = "[\"stations\"]";
	l[1].item_id = 4242;
	l[2].item_id = 2;
	CHECK_INT(store_label_put(st, l, 3, &bad, err, sizeof(err)),
	          STORE_ERR_NOTFOUND, "label of a missing item refused");
	CHECK_INT(bad, 1, "the bad label's index");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM labels"), 0,
	          "nothing stored");
	l[1].item_id = 3;
	l[1].label = "0";
	CHECK_INT(store_label_put(st, l, 3, NULL, err, sizeof(err)), STORE_OK,
	          "three labels");
	/* alice changes her mind on 2; bob labels 1, 2 and 3 */
	l[0].item_id = 2;
	l[0].label = "0";
	l[0].themes = NULL;
	l[0].labeled_at = T0 + 10;
	CHECK_INT(store_label_put(st, l, 1, NULL, err, sizeof(err)), STORE_OK,
	          "alice relabels item 2");
	for (i = 0; i < 3; i++) {
		l[i].item_id = (int64_t)i + 1;
		l[i].labeled_by = "bob";
		l[i].label = i == 2 ? "1" : "0";
		l[i].themes = NULL;
		l[i].labeled_at = T0 + 20;
	}
	CHECK_INT(store_label_put(st, l, 3, NULL, err, sizeof(err)), STORE_OK,
	          "bob's labels");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM labels"), 6,
	          "one label per item and labeler");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM labels WHERE item_id = 2 "
	                      "AND labeled_by = 'alice' AND label = '0'"),
	          1, "alice's own label replaced");

	memset(&ls, 0, sizeof(ls));
	store_label_foreach(st, 0, label_seen, &ls, err, sizeof(err));
	CHECK_STR(ls.buf,
	          "1:alice:1:[\"stations\"]|1:bob:0:-|2:alice:0:-|2:bob:0:-|"
	          "3:alice:0:-|3:bob:1:-",
	          "all labels by item, oldest first");
	memset(&ls, 0, sizeof(ls));
	store_label_foreach(st, 1, label_seen, &ls, err, sizeof(err));
	CHECK_STR(ls.buf, "1:bob:0:-|2:bob:0:-|3:bob:1:-",
	          "latest label of each item");

	CHECK_INT(store_label_top_pair(st, &a, &b, &n, err, sizeof(err)),
	          STORE_OK, "top pair");
	CHECK(a && b && strcmp(a, "alice") == 0 && strcmp(b, "bob") == 0 &&
	              n == 3,
	      "top pair alice, bob, 3 items");
	free(a);
	free(b);
	memset(&ls, 0, sizeof(ls));
	store_label_pairs(st, "alice", "bob", pair_seen, &ls, err, sizeof(err));
	CHECK_STR(ls.buf, "1:10|2:00|3:01", "pairs: alice's, bob's label");

	/* candidates: no label, nearest the threshold first */
	memset(p, 0, sizeof(p));
	for (i = 0; i < 4; i++) {
		p[i].item_id = (int64_t)i + 1;
		p[i].model_version = "m1";
		p[i].scored_at = T0;
	}
	p[3].label = "0";
	p[3].score = 0.9; /* P(related) 0.1 */
	p[0].label = "1";
	p[0].score = 0.55;
	p[1].label = "1";
	p[1].score = 0.6;
	p[2].label = "0";
	p[2].score = 0.6;
	store_prediction_put(st, p, 4, err, sizeof(err));
	CHECK_INT(store_prediction_count(st, "m1", &n, err, sizeof(err)),
	          STORE_OK, "prediction count");
	CHECK_INT(n, 4, "4 predictions of m1");
	store_prediction_count(st, "m2", &n, err, sizeof(err));
	CHECK_INT(n, 0, "none of m2");
	memset(&ls, 0, sizeof(ls));
	store_label_candidates(st, "m1", 0.5, candidate_seen, &ls, err,
	                       sizeof(err));
	CHECK_STR(ls.buf, "4:0.10", "only the unlabeled item");
	sql_exec(db, "DELETE FROM labels");
	memset(&ls, 0, sizeof(ls));
	store_label_candidates(st, "m1", 0.5, candidate_seen, &ls, err,
	                       sizeof(err));
	CHECK_STR(ls.buf, "1:0.55|2:0.60|3:0.40|4:0.10",
	          "nearest 0.5 first, ties by id");
	memset(&ls, 0, sizeof(ls));
	store_label_candidates(st, "m1", 0.3, candidate_seen, &ls, err,
	                       sizeof(err));
	CHECK_STR(ls.buf, "3:0.40|4:0.10|1:0.55|2:0.60",
	          "nearest the threshold 0.3");
	CHECK_INT(store_label_top_pair(st, &a, &b, &n, err, sizeof(err)),
	          STORE_OK, "top pair without labels");
	CHECK(a == NULL && b == NULL && n == 0, "no pair");
}

/* ------------------------------------------------------ series, alerts */

#define D0 (T0 / 86400) /* 2026-09-10 */

static const struct fetch_case series_a[] = {
	{ "series a1", "a1", NULL, NULL, "a1", NULL, T0, 1 },
	{ "series a2", "a2", NULL, NULL, "a2", NULL, T0 + 86400, 1 },
	/* a month in the future: counts on the day it was first seen */
	{ "series a6", "a6", NULL, NULL, "a6", NULL, T0 + 30 * 86400, 1 },
	/* never scored */
	{ "series a7", "a7", NULL, NULL, "a7", NULL, T0 + 86400, 1 },
};
static const struct fetch_case series_b[] = {
	{ "series b3", "b3", NULL, NULL, "b3", NULL, T0 + 86400, 1 },
	{ "series b4", "b4", NULL, NULL, "b4", NULL, T0, 1 },
	/* no date: the day it was first seen */
	{ "series b5", "b5", NULL, NULL, "b5", NULL, STORE_TIME_NONE, 1 },
};

struct series_rows {
	char buf[1024];
};

static int
series_row(const char *key, int64_t day, int64_t related, int64_t total,
           void *arg)
{
	struct series_rows *r = arg;
	size_t n = strlen(r->buf);

	snprintf(r->buf + n, sizeof(r->buf) - n, "%s%s:%lld:%lld:%lld",
	         n ? " " : "", key ? key : "*", (long long)(day - D0),
	         (long long)related, (long long)total);
	return 0;
}

static const char *
series_of(struct store *st, int kind, int stories, struct series_rows *r)
{
	struct store_series_query q;
	char err[1024];

	memset(&q, 0, sizeof(q));
	q.kind = kind;
	q.model_version = "m1";
	q.threshold = 0.5;
	q.stories = stories;
	q.since = STORE_TIME_NONE;
	q.until = STORE_TIME_NONE;
	r->buf[0] = '\0';
	if (store_series_daily(st, &q, series_row, r, err, sizeof(err)) !=
	    STORE_OK)
		snprintf(r->buf, sizeof(r->buf), "error: %.900s", err);
	return r->buf;
}

static int
fetch_day_row(int64_t day, int64_t fetches, int64_t failed, void *arg)
{
	return series_row(NULL, day, fetches, failed, arg);
}

static int
series_item_row(const struct store_series_item *it, void *arg)
{
	struct series_rows *r = arg;
	size_t n = strlen(r->buf);

	snprintf(r->buf + n, sizeof(r->buf) - n, "%s%s:%.2f:%s", n ? " " : "",
	         it->title, it->related, it->feed_name ? it->feed_name : "-");
	return 0;
}

struct alert_rows {
	char buf[512];
};

static int
pending_row(const struct store_alert *a, const char *channel, long attempts,
            void *arg)
{
	struct alert_rows *r = arg;
	size_t n = strlen(r->buf);

	snprintf(r->buf + n, sizeof(r->buf) - n, "%s%lld:%s:%ld",
	         n ? " " : "", (long long)a->id, channel, attempts);
	return 0;
}

static int
alert_row(const struct store_alert *a, void *arg)
{
	struct alert_rows *r = arg;
	size_t n = strlen(r->buf);

	snprintf(r->buf + n, sizeof(r->buf) - n, "%s%lld:%s:%s:%s:%lld:%s",
	         n ? " " : "", (long long)a->id, a->series, a->period, a->kind,
	         (long long)a->count,
	         a->delivered_at == STORE_TIME_NONE ? "pending" : "delivered");
	return 0;
}

static void
test_series(struct store *st, const char *db)
{
	struct store_feed f;
	struct store_prediction p[6];
	struct store_story sy;
	struct store_fetch fe;
	struct store_series_query q;
	struct series_rows r;
	struct alert_rows ar;
	struct store_alert a;
	const char *channels[] = { "email", "webhook" };
	char err[1024], *last = NULL;
	int64_t fa, fb, id = 0, id2 = 0;
	static const struct {
		const char *guid, *label;
		double score;
		const char *themes, *countries;
	} preds[] = {
		{ "a1", "1", 0.9, "[\"stations\"]", "[\"NL\",\"CN\"]" },
		{ "a2", "1", 0.8, "[\"stations\",\"training\"]", "[\"NL\"]" },
		{ "b3", "1", 0.7, "[\"stations\"]", "[\"NL\"]" },
		{ "b4", "0", 0.9, "[]", "[\"NL\"]" },
		{ "b5", "0", 0.6, "[]", "[]" },
		{ "a6", "1", 0.95, "[\"training\"]", "[]" },
	};
	size_t i;

	memset(&f, 0, sizeof(f));
	f.url = "https://sa.example/rss";
	f.name = "Wire A";
	store_feed_add(st, &f, &fa, err, sizeof(err));
	f.url = "https://sb.example/rss";
	f.name = "Wire B";
	store_feed_add(st, &f, &fb, err, sizeof(err));
	CHECK_INT(add_items(st, fa, series_a, 4, T0 + 2 * 86400, NULL, 0),
	          STORE_OK, "series items of A");
	CHECK_INT(add_items(st, fb, series_b, 3, T0 + 2 * 86400, NULL, 0),
	          STORE_OK, "series items of B");
	memset(p, 0, sizeof(p));
	for (i = 0; i < 6; i++) {
		char sql[256];

		snprintf(sql, sizeof(sql),
		         "SELECT id FROM items WHERE guid = '%s'",
		         preds[i].guid);
		p[i].item_id = sql_int(db, sql);
		p[i].model_version = "m1";
		p[i].label = preds[i].label;
		p[i].score = preds[i].score;
		p[i].themes = preds[i].themes;
		p[i].countries = preds[i].countries;
		p[i].scored_at = T0;
	}
	CHECK_INT(store_prediction_put(st, p, 6, err, sizeof(err)), STORE_OK,
	          "series predictions");
	/* b3 copies a2: one story */
	sy.item_id = sql_int(db, "SELECT id FROM items WHERE guid = 'b3'");
	sy.story_id = sql_int(db, "SELECT id FROM items WHERE guid = 'a2'");
	sy.fingerprint = UINT64_C(0xfedcba9876543210);
	CHECK_INT(store_story_put(st, &sy, 1, err, sizeof(err)), STORE_OK,
	          "story put");
	CHECK_INT(sql_int(db, "SELECT CASE WHEN simhash = -81985529216486896 "
	                      "THEN 1 ELSE 0 END FROM items WHERE guid = 'b3'"),
	          1, "fingerprint stored bit for bit");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM items WHERE simhash IS "
	                      "NULL"),
	          6, "the others still pending");

	/* day:related:total, days from 2026-09-10 */
	CHECK_STR(series_of(st, SERIES_TOTAL, 0, &r),
	          "total:0:1:2 total:1:2:3 total:2:1:2", "total, items");
	CHECK_STR(series_of(st, SERIES_TOTAL, 1, &r),
	          "total:0:1:2 total:1:1:2 total:2:1:2", "total, stories");
	CHECK_STR(series_of(st, SERIES_THEME, 0, &r),
	          "*:0:1:2 *:1:2:3 *:2:1:2 stations:0:1:0 stations:1:2:0 "
	          "training:1:1:0 training:2:1:0",
	          "themes, items");
	CHECK_STR(series_of(st, SERIES_THEME, 1, &r),
	          "*:0:1:2 *:1:1:2 *:2:1:2 stations:0:1:0 stations:1:1:0 "
	          "training:1:1:0 training:2:1:0",
	          "themes, stories");
	CHECK_STR(series_of(st, SERIES_COUNTRY, 0, &r),
	          "*:0:1:2 *:1:2:3 *:2:1:2 CN:0:1:0 NL:0:1:0 NL:1:2:0",
	          "countries: only related items count");
	CHECK_STR(series_of(st, SERIES_THEME_COUNTRY, 0, &r),
	          "*:0:1:2 *:1:2:3 *:2:1:2 stations/CN:0:1:0 "
	          "stations/NL:0:1:0 stations/NL:1:2:0 training/NL:1:1:0",
	          "theme x country");
	CHECK_STR(series_of(st, SERIES_SOURCE, 0, &r),
	          "Wire A:0:1:1 Wire A:1:1:2 Wire A:2:1:1 Wire B:0:0:1 "
	          "Wire B:1:1:1 Wire B:2:0:1",
	          "sources with their own denominators");
	CHECK_STR(series_of(st, SERIES_LANG, 0, &r),
	          "und:0:1:2 und:1:2:3 und:2:1:2", "languages");

	memset(&q, 0, sizeof(q));
	q.kind = SERIES_THEME;
	q.model_version = "m1";
	q.threshold = 0.5;
	q.stories = 1;
	q.since = (D0 + 1) * 86400;
	q.until = (D0 + 2) * 86400;
	r.buf[0] = '\0';
	CHECK_INT(store_series_items(st, &q, "stations", 5, series_item_row,
	                             &r, err, sizeof(err)),
	          STORE_OK, "stories behind a point");
	CHECK_STR(r.buf, "a2:0.80:Wire A", "one per story, the likeliest");
	q.kind = SERIES_THEME_COUNTRY;
	q.since = D0 * 86400;
	q.until = (D0 + 3) * 86400;
	r.buf[0] = '\0';
	store_series_items(st, &q, "stations/CN", 5, series_item_row, &r, err,
	                   sizeof(err));
	CHECK_STR(r.buf, "a1:0.90:Wire A", "stories of a theme x country");
	q.kind = SERIES_TOTAL;
	q.threshold = 0.85;
	r.buf[0] = '\0';
	store_series_items(st, &q, NULL, 5, series_item_row, &r, err,
	                   sizeof(err));
	CHECK_STR(r.buf, "a6:0.95:Wire A a1:0.90:Wire A",
	          "threshold, most probable first");

	/* fetch days: a feed failing all day counts; one that recovered
	 * does not */
	memset(&fe, 0, sizeof(fe));
	fe.feed_id = fb;
	fe.url = "https://sb.example/rss";
	fe.started_at = T0 + 2 * 86400 + 100;
	fe.error = "timeout";
	store_fetch_log(st, &fe, err, sizeof(err));
	fe.feed_id = fa;
	fe.started_at = T0 + 3 * 86400;
	fe.http_status = 503;
	fe.error = "HTTP 503";
	store_fetch_log(st, &fe, err, sizeof(err));
	r.buf[0] = '\0';
	CHECK_INT(store_fetch_days(st, STORE_TIME_NONE, STORE_TIME_NONE,
	                           fetch_day_row, &r, err, sizeof(err)),
	          STORE_OK, "fetch days");
	CHECK_STR(r.buf, "*:2:2:0 *:3:1:1", "feeds fetched and failed per day");

	/* alerts: stored once, delivered once per channel */
	memset(&a, 0, sizeof(a));
	a.series = "theme:stations";
	a.period = "2026-09-11";
	a.count = 2;
	a.expected = 0.1;
	a.score = 4.5;
	a.model_version = "m1";
	a.created_at = T0 + 2 * 86400;
	a.payload = "{\"stories\":[]}";
	CHECK_INT(store_alert_add(st, &a, channels, 2, &id, err, sizeof(err)),
	          STORE_OK, "alert stored");
	CHECK_INT(store_alert_add(st, &a, channels, 2, &id2, err, sizeof(err)),
	          STORE_ERR_EXISTS, "the same alert again: refused");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM alert_deliveries"), 2,
	          "no second set of deliveries");
	a.period = "2026-09-12";
	a.kind = "new";
	CHECK_INT(store_alert_add(st, &a, NULL, 0, &id2, err, sizeof(err)),
	          STORE_OK, "second alert, no channel");
	CHECK_INT(store_alert_last(st, "theme:stations", &last, err,
	                           sizeof(err)),
	          STORE_OK, "last alert");
	CHECK_STR(last, "2026-09-12", "last alerted period");
	free(last);
	store_alert_last(st, "country:XX", &last, err, sizeof(err));
	CHECK(last == NULL, "no alert of a series");

	ar.buf[0] = '\0';
	store_alert_pending(st, pending_row, &ar, err, sizeof(err));
	CHECK_STR(ar.buf, "1:email:0 1:webhook:0", "pending deliveries");
	CHECK_INT(store_alert_attempt(st, id, "webhook", "HTTP 500", T0, err,
	                              sizeof(err)),
	          STORE_OK, "failed attempt");
	CHECK_INT(store_alert_attempt(st, id, "email", NULL, T0, err,
	                              sizeof(err)),
	          STORE_OK, "delivered by mail");
	ar.buf[0] = '\0';
	store_alert_pending(st, pending_row, &ar, err, sizeof(err));
	CHECK_STR(ar.buf, "1:webhook:1", "the failed one is still owed");
	ar.buf[0] = '\0';
	store_alert_get(st, id, alert_row, &ar, err, sizeof(err));
	CHECK_STR(ar.buf, "1:theme:stations:2026-09-11:volume:2:pending",
	          "not delivered while a channel is owed");
	store_alert_attempt(st, id, "webhook", NULL, T0 + 60, err, sizeof(err));
	store_alert_attempt(st, id, "webhook", "late failure", T0 + 120, err,
	                    sizeof(err));
	CHECK_INT(sql_int(db,
	                  "SELECT attempts * 1000 + CASE WHEN "
	                  "delivered_at = 1789000060 THEN 1 ELSE 0 END "
	                  "FROM alert_deliveries WHERE channel = 'webhook'"),
	          2001, "a delivered one stays delivered");
	ar.buf[0] = '\0';
	store_alert_pending(st, pending_row, &ar, err, sizeof(err));
	CHECK_STR(ar.buf, "", "nothing owed");
	ar.buf[0] = '\0';
	store_alert_foreach(st, STORE_TIME_NONE, 0, alert_row, &ar, err,
	                    sizeof(err));
	CHECK_STR(ar.buf,
	          "2:theme:stations:2026-09-12:new:2:delivered "
	          "1:theme:stations:2026-09-11:volume:2:delivered",
	          "alerts, newest first; one without channels owes nothing");
	CHECK_INT(store_alert_get(st, 99, alert_row, &ar, err, sizeof(err)),
	          STORE_ERR_NOTFOUND, "no alert 99");
}

/* ------------------------------------------------------ worker leases */

static int
count_text(const struct store_item_text *r, void *arg)
{
	(*(int64_t *)arg)++;
	return 0;
}

static void
test_claims(struct store *st, const char *db)
{
	struct store_feed f, *v = NULL, *w = NULL, *x = NULL;
	struct store_fetch fe;
	struct store_crawl_state cs;
	char err[1024], url[64];
	int64_t id[5], now = NOW;
	size_t n = 0, m = 0, k = 0, i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < 5; i++) {
		snprintf(url, sizeof(url), "https://w.example/%zu", i);
		f.url = url;
		store_feed_add(st, &f, &id[i], err, sizeof(err));
	}
	/* feed 4 is not due, feed 3 is dead */
	sql_exec(db, "UPDATE feeds SET next_fetch_at = 1800000100 WHERE url "
	             "= 'https://w.example/4'");
	sql_exec(db, "UPDATE feeds SET status = 2 WHERE url = "
	             "'https://w.example/3'");
	CHECK_INT(store_feed_claim_due(st, now, "a:1", 60, 2, &v, &n, err,
	                               sizeof(err)),
	          STORE_OK, "claim: ok");
	CHECK(n == 2 && v[0].id == id[0] && v[1].id == id[1],
	      "claim: the first two due feeds, in order");
	CHECK_INT(store_feed_claim_due(st, now, "b:2", 60, 10, &w, &m, err,
	                               sizeof(err)),
	          STORE_OK, "claim by another worker");
	CHECK(m == 1 && w[0].id == id[2],
	      "claim: another worker gets what is left, never a leased feed");
	CHECK_INT(store_feed_claim_due(st, now, "c:3", 60, 10, &x, &k, err,
	                               sizeof(err)),
	          STORE_OK, "claim when all are leased");
	CHECK(k == 0 && x == NULL, "claim: nothing left");
	store_feed_list_free(x, k);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM feeds WHERE lease_owner "
	                      "= 'a:1' AND lease_until = 1800000060"),
	          2, "claim: owner and lease end stored");
	CHECK_INT(store_feed_list_due(st, now, &x, &k, err, sizeof(err)),
	          STORE_OK, "due list under leases");
	CHECK_INT((long long)k, 0, "due list: feeds under a live lease skipped");
	store_feed_list_free(x, k);
	CHECK_INT(store_feed_list_due(st, STORE_TIME_NONE, &x, &k, err,
	                              sizeof(err)),
	          STORE_OK, "due list, all");
	CHECK_INT((long long)k, 4, "due list, all: leases do not matter");
	store_feed_list_free(x, k);

	/* a stored fetch ends the lease and schedules the feed */
	memset(&fe, 0, sizeof(fe));
	memset(&cs, 0, sizeof(cs));
	cs.next_fetch_at = now + 900;
	cs.interval = 900;
	cs.last_probe_at = cs.ttl = cs.last_item_at = STORE_TIME_NONE;
	cs.quiet_since = STORE_TIME_NONE;
	fe.feed_id = id[0];
	fe.url = v[0].url;
	fe.started_at = now;
	fe.http_status = 304;
	fe.crawl = &cs;
	CHECK_INT(store_fetch_log(st, &fe, err, sizeof(err)), STORE_OK,
	          "fetch logged");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM feeds WHERE lease_owner "
	                      "IS NULL AND lease_until IS NULL AND "
	                      "next_fetch_at = 1800000900 AND url = "
	                      "'https://w.example/0'"),
	          1, "fetch: lease ended, feed scheduled");

	/* a dead worker's lease expires: its feed is claimable again, the
	 * fetched one is not */
	CHECK_INT(store_feed_claim_due(st, now + 59, "c:3", 60, 10, &x, &k, err,
	                               sizeof(err)),
	          STORE_OK, "claim before the lease ends");
	CHECK_INT((long long)k, 0, "claim: a live lease is respected");
	store_feed_list_free(x, k);
	CHECK_INT(store_feed_claim_due(st, now + 60, "c:3", 60, 10, &x, &k, err,
	                               sizeof(err)),
	          STORE_OK, "claim after the lease ends");
	CHECK(k == 2 && x[0].id == id[1] && x[1].id == id[2],
	      "claim: expired leases taken over, the fetched feed not due");
	store_feed_list_free(x, k);
	CHECK_INT(store_feed_claim_due(st, now, "", 60, 10, &x, &k, err,
	                               sizeof(err)),
	          STORE_ERR_USAGE, "claim: an owner is required");
	store_feed_list_free(v, n);
	store_feed_list_free(w, m);

	/* classification workers: what one holds, another skips */
	{
		struct store *st2 = NULL;
		int64_t fid, got1 = 0, got2 = 0, left = 0;

		f.url = "https://w.example/items";
		store_feed_add(st, &f, &fid, err, sizeof(err));
		CHECK_INT(add_items(st, fid, label_items, 4, T0, NULL, 0),
		          STORE_OK, "claim items: 4 stored");
		CHECK_INT(store_begin(st, err, sizeof(err)), STORE_OK,
		          "claim items: begin");
		CHECK_INT(store_item_claim_unscored(st, "m1", 3, count_text,
		                                    &got1, err, sizeof(err)),
		          STORE_OK, "claim items: first worker");
		CHECK_INT(got1, 3, "claim items: the first three");
		if (pg_url && store_open(db, &st2, err, sizeof(err)) ==
		                      STORE_OK) {
			/* a second connection: a second worker */
			store_begin(st2, err, sizeof(err));
			CHECK_INT(store_item_claim_unscored(st2, "m1", 10,
			                                    count_text, &got2,
			                                    err, sizeof(err)),
			          STORE_OK, "claim items: second worker");
			CHECK_INT(got2, 1,
			          "claim items: the one the first does not hold");
			store_rollback(st2);
			store_close(st2);
		}
		store_rollback(st);
		CHECK_INT(store_item_claim_unscored(st, "m1", 10, count_text,
		                                    &left, err, sizeof(err)),
		          STORE_OK, "claim items: after the rollback");
		CHECK_INT(left, 4, "claim items: a rollback frees them all");
	}
}

/* The tests of the store API, each on a fresh database of either
 * backend */
static const struct {
	void (*fn)(struct store *st, const char *db);
} store_tests[] = {
	{ test_feeds },  { test_fetch },  { test_crawl_store },
	{ test_labels }, { test_series }, { test_claims },
};

int
main(void)
{
	char db[512], err[1024];
	struct store *st = NULL;
	const char *tmp = getenv("TMPDIR");
	size_t i;

	pg_url = getenv("PCMON_TEST_PG");
	if (pg_url && !*pg_url)
		pg_url = NULL;
	if (pg_url) {
		prefix = "pg: ";
		if (!is_pg(pg_url)) {
			printf("not ok - PCMON_TEST_PG is not a postgresql:// "
			       "URL: %s\n",
			       pg_url);
			return 1;
		}
		snprintf(db, sizeof(db), "%s", pg_url);
		if (pg_wipe(db) != 0) {
			printf("not ok - %swipe %s\n", prefix, db);
			return 1;
		}
		test_open_pg(db);
	} else {
		snprintf(dir, sizeof(dir), "%s/pcmon-store-XXXXXX",
		         tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
		test_sha256();
		test_flags();
		test_schedule();
		test_open();
		path_of(db, sizeof(db), "main.db");
	}

	for (i = 0; i < sizeof(store_tests) / sizeof(store_tests[0]); i++) {
		/* start fresh: an empty schema, or no file */
		if (pg_url && pg_wipe(db) != 0) {
			printf("not ok - %swipe %s\n", prefix, db);
			return 1;
		}
		if (!pg_url && i > 0)
			unlink(db);
		if (store_open(db, &st, err, sizeof(err)) != STORE_OK) {
			printf("not ok - %sopen %s: %s\n", prefix, db, err);
			return 1;
		}
		store_tests[i].fn(st, db);
		store_close(st);
	}

	if (check_failed == 0 && !pg_url) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return check_done();
}
