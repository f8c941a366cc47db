/*
 * store_copy.c - "pcmon db copy": every table of one database into another,
 * SQLite or PostgreSQL on either side.
 *
 * The store interface deals in pcmon's records; a copy must move every
 * column of every table, those a newer schema adds included, so this file
 * talks to the engines directly (sqlite3 and libpq) and reads the table
 * and column lists from the databases themselves: nothing below names a
 * pcmon table but meta, which is left out (both sides already hold their
 * own schema version there, or in PRAGMA user_version).
 *
 * The steps: both databases are opened through store_open() (which
 * creates or migrates the schema, and refuses a newer one), their schema
 * versions compared, and the handles closed; then the source is read in
 * one snapshot and the destination written in one transaction: locked,
 * found empty, filled table by table in foreign-key order (COPY FROM STDIN
 * on PostgreSQL, a prepared INSERT on SQLite), read back to compare each
 * table's row count and checksum, its identity sequences moved past the
 * copied ids, committed.  Whatever fails before the commit (a kill too)
 * leaves the destination as empty as it was.
 *
 * The checksum of a table is computed the same way on both sides from the
 * values as the engines return them: every row is rendered into a
 * canonical form (type, then value: integers in decimal, doubles with
 * %.17g, text and blobs byte for byte with their length), hashed with
 * SHA-256, and the row hashes are added up as four 64-bit lanes.  The sum
 * does not depend on the order of the rows, so neither side has to sort
 * them, and the engines' different text collations do not matter.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "sha256.h"
#include "store_copy.h"
#include "store_internal.h" /* store_set_err: this file moves data
                              * between backends, as one of them */

#define BUSY_TIMEOUT_MS 10000
#define FETCH_ROWS      "10000"   /* rows per FETCH from a PostgreSQL cursor */
#define COPY_FLUSH      (1 << 20) /* COPY data sent in pieces of this size */
#define PROGRESS_EVERY  0.25      /* seconds between progress lines */

/* PostgreSQL type oids (pg_type.h is a server header) */
#define OID_BYTEA  17
#define OID_INT8   20
#define OID_INT2   21
#define OID_INT4   23
#define OID_FLOAT4 700
#define OID_FLOAT8 701

enum vtype { V_NULL, V_INT, V_REAL, V_TEXT, V_BLOB };

/* One value of a row, as either engine gives it: p points into the
 * engine's buffers and is valid during the row callback only. */
struct value {
	int type;
	int64_t i;
	double r;
	const void *p;
	size_t n;
};

typedef int (*row_fn)(const struct value *v, size_t n, void *arg);

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

/* One side of the copy: exactly one of db and pg is set. */
struct side {
	const char *role; /* "source" or "destination" */
	int fill;         /* 1: the destination */
	char *location;   /* as shown in messages: no password */
	sqlite3 *db;
	PGconn *pg;
	int in_tx;
};

struct checksum {
	int64_t rows;
	uint64_t lane[4];
};

struct table {
	char *name;
	char *quoted; /* "name" as an SQL identifier */
	char **cols;  /* the source's columns */
	size_t ncols;
	char **refs; /* tables its foreign keys point to */
	size_t nrefs;
	struct checksum src, dst;
};

/* State of the row callbacks. */
struct run {
	struct side *dst;
	struct table *t;
	sqlite3_stmt *ins; /* SQLite destination: the prepared INSERT */
	struct buf copy;   /* PostgreSQL destination: pending COPY data */
	struct checksum *sum;
	int progress;
	const char *phase;
	char what[300]; /* "copy table NAME", for messages */
	double next_report;
	char *err;
	size_t errsz;
};

/* ------------------------------------------------------------- helpers */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	char *np;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* name as an SQL identifier, the same for both engines: "na""me" */
static void
buf_ident(struct buf *b, const char *name)
{
	const char *q;

	buf_add(b, "\"", 1);
	while ((q = strchr(name, '"'))) {
		buf_add(b, name, (size_t)(q - name) + 1);
		buf_add(b, "\"", 1);
		name = q + 1;
	}
	buf_str(b, name);
	buf_add(b, "\"", 1);
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
push_string(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv;
	char *c;

	if (!(c = malloc(len + 1)))
		return -1;
	memcpy(c, s, len);
	c[len] = '\0';
	if (!(nv = realloc(*v, (*n + 1) * sizeof(**v)))) {
		free(c);
		return -1;
	}
	nv[(*n)++] = c;
	*v = nv;
	return 0;
}

static int
has_string(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int
cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* first line of a libpq message, without its "ERROR:  " noise */
static const char *
pg_msg(const char *m, char *line, size_t sz)
{
	size_t n;

	if (!m || !*m)
		return "unknown error";
	n = strcspn(m, "\n");
	if (n >= sz)
		n = sz - 1;
	memcpy(line, m, n);
	line[n] = '\0';
	return line;
}

static int
side_fail(struct side *s, const char *what, const char *msg, int code,
          char *err, size_t errsz)
{
	char line[512];

	if (s->pg)
		msg = pg_msg(msg, line, sizeof(line));
	store_set_err(err, errsz, "cannot %s: %s '%s': %s", what, s->role,
	        s->location, msg ? msg : "unknown error");
	return code;
}

static int
sq_fail(struct side *s, const char *what, char *err, size_t errsz)
{
	int rc = sqlite3_errcode(s->db) & 0xff;
	int code = rc == SQLITE_NOMEM                         ? STORE_ERR_NOMEM
	           : rc == SQLITE_FULL                        ? STORE_ERR_FULL
	           : rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? STORE_ERR_BUSY
	           : rc == SQLITE_CONSTRAINT                  ? STORE_ERR_EXISTS
	           : rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB
	                   ? STORE_ERR_CORRUPT
	                   : STORE_ERR_IO;

	return side_fail(s, what, sqlite3_errmsg(s->db), code, err, errsz);
}

static int
pq_fail(struct side *s, const PGresult *r, const char *what, char *err,
        size_t errsz)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg =
	        r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int code = STORE_ERR_IO;

	if (state && strncmp(state, "23", 2) == 0)
		code = STORE_ERR_EXISTS;
	else if (state && strcmp(state, "53100") == 0)
		code = STORE_ERR_FULL;
	else if (state && strcmp(state, "53200") == 0)
		code = STORE_ERR_NOMEM;
	return side_fail(s, what, msg ? msg : PQerrorMessage(s->pg), code, err,
	                 errsz);
}

static int
oom(char *err, size_t errsz)
{
	store_set_err(err, errsz, "cannot copy the database: out of memory");
	return STORE_ERR_NOMEM;
}

/* A statement without a result on either engine. */
static int
side_exec(struct side *s, const char *sql, const char *what, char *err,
          size_t errsz)
{
	PGresult *r;
	int rc;

	if (s->db) {
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return sq_fail(s, what, err, errsz);
		return STORE_OK;
	}
	r = PQexec(s->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = pq_fail(s, r, what, err, errsz);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	return STORE_OK;
}

/* The first column of every row of a query with at most one text
 * parameter, as strings: sq is the SQLite form, pg the PostgreSQL one. */
static int
side_strings(struct side *s, const char *sq, const char *pg, const char *param,
             const char *what, char ***out, size_t *n, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	PGresult *r;
	int i, rc;

	*out = NULL;
	*n = 0;
	if (s->db) {
		if (sqlite3_prepare_v2(s->db, sq, -1, &st, NULL) != SQLITE_OK)
			return sq_fail(s, what, err, errsz);
		if (param)
			sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			if (t &&
			    push_string(out, n, (const char *)t,
			                (size_t)sqlite3_column_bytes(st, 0))) {
				sqlite3_finalize(st);
				return oom(err, errsz);
			}
		}
		if (rc != SQLITE_DONE) {
			rc = sq_fail(s, what, err, errsz);
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_finalize(st);
		return STORE_OK;
	}
	r = PQexecParams(s->pg, pg, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = pq_fail(s, r, what, err, errsz);
		PQclear(r);
		return rc;
	}
	for (i = 0; i < PQntuples(r); i++)
		if (!PQgetisnull(r, i, 0) &&
		    push_string(out, n, PQgetvalue(r, i, 0),
		                (size_t)PQgetlength(r, i, 0))) {
			PQclear(r);
			return oom(err, errsz);
		}
	PQclear(r);
	return STORE_OK;
}

/* --------------------------------------------------------- connections */

static int
is_pg(const char *loc)
{
	return strncmp(loc, "postgresql://", 13) == 0 ||
	       strncmp(loc, "postgres://", 11) == 0;
}

/* "sqlite:PATH" names a file as plainly as PATH does */
static const char *
strip_scheme(const char *loc)
{
	return strncmp(loc, "sqlite:", 7) == 0 ? loc + 7 : loc;
}

static void
quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Opens loc through store_open() first: that creates the schema of a new
 * database and migrates an old one exactly as every other command would,
 * and refuses a schema newer than this pcmon.  Then the engine's own
 * connection, which is what the copy uses.
 */
static int
side_open(struct side *s, const char *loc, int *version, char *err,
          size_t errsz)
{
	static const char *const keys[] = { "connect_timeout",
		                            "application_name", "dbname",
		                            NULL };
	const char *vals[4];
	struct store *st;
	struct store_info in;
	int rc;

	loc = strip_scheme(loc);
	if (!*loc) {
		store_set_err(err, errsz, "no %s database given", s->role);
		return STORE_ERR_USAGE;
	}
	/* store_open() would create a missing file: a mistyped source
	 * would copy as an empty archive */
	if (!s->fill && !is_pg(loc) && access(loc, F_OK) != 0) {
		store_set_err(err, errsz, "cannot open %s '%s': %s", s->role, loc,
		        strerror(errno));
		return STORE_ERR_IO;
	}
	if ((rc = store_open(loc, &st, err, errsz)) != STORE_OK)
		return rc;
	*version = store_schema_version(st);
	if ((rc = store_info(st, &in, err, errsz)) != STORE_OK) {
		store_close(st);
		return rc;
	}
	s->location = strdup(in.location ? in.location : loc);
	store_close(st);
	if (!s->location)
		return oom(err, errsz);

	if (!is_pg(loc)) {
		if (sqlite3_open_v2(loc, &s->db, SQLITE_OPEN_READWRITE, NULL) !=
		    SQLITE_OK) {
			if (!s->db)
				return oom(err, errsz);
			return sq_fail(s, "open database", err, errsz);
		}
		sqlite3_extended_result_codes(s->db, 1);
		sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
		/* the foreign keys are checked as the rows go in: the
		 * copy order is right, and a wrong one must not pass */
		return side_exec(s,
		                 "PRAGMA foreign_keys = ON;"
		                 "PRAGMA cache_size = -65536",
		                 "open database", err, errsz);
	}
	vals[0] = "10";
	vals[1] = "pcmon";
	vals[2] = loc;
	vals[3] = NULL;
	if (!(s->pg = PQconnectdbParams(keys, vals, 1)))
		return oom(err, errsz);
	if (PQstatus(s->pg) != CONNECTION_OK)
		return side_fail(s, "open database", PQerrorMessage(s->pg),
		                 STORE_ERR_IO, err, errsz);
	PQsetNoticeProcessor(s->pg, quiet_notice, NULL);
	/* doubles printed exactly, bytea always as \x hex */
	return side_exec(s,
	                 "SET client_encoding = 'UTF8';"
	                 " SET extra_float_digits = 3;"
	                 " SET bytea_output = 'hex'",
	                 "open database", err, errsz);
}

static void
side_close(struct side *s)
{
	if (s->in_tx)
		side_exec(s, "ROLLBACK", "roll back", NULL, 0);
	s->in_tx = 0;
	if (s->db)
		sqlite3_close(s->db);
	if (s->pg)
		PQfinish(s->pg);
	s->db = NULL;
	s->pg = NULL;
	free(s->location);
	s->location = NULL;
}

/* -------------------------------------------------------------- schema */

static int
side_tables(struct side *s, char ***out, size_t *n, char *err, size_t errsz)
{
	int rc = side_strings(
	        s,
	        "SELECT name FROM sqlite_schema WHERE type = 'table'"
	        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	        "SELECT table_name FROM information_schema.tables"
	        " WHERE table_schema = current_schema()"
	        " AND table_type = 'BASE TABLE'",
	        NULL, "read the table list", out, n, err, errsz);

	/* by name: the same order whichever engine listed them */
	if (rc == STORE_OK && *n > 1)
		qsort(*out, *n, sizeof(**out), cmp_strings);
	return rc;
}

static int
side_columns(struct side *s, const char *table, char ***out, size_t *n,
             char *err, size_t errsz)
{
	return side_strings(
	        s, "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
	        "SELECT column_name FROM information_schema.columns"
	        " WHERE table_schema = current_schema() AND table_name = $1"
	        " AND is_generated = 'NEVER' ORDER BY ordinal_position",
	        table, "read the columns", out, n, err, errsz);
}

static int
side_refs(struct side *s, const struct table *t, char ***out, size_t *n,
          char *err, size_t errsz)
{
	return side_strings(
	        s, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)",
	        "SELECT DISTINCT r.relname FROM pg_constraint k"
	        " JOIN pg_class r ON r.oid = k.confrelid"
	        " WHERE k.contype = 'f' AND k.conrelid = $1::regclass",
	        s->db ? t->name : t->quoted, "read the foreign keys", out, n,
	        err, errsz);
}

static void
free_tables(struct table *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].quoted);
		free_strings(v[i].cols, v[i].ncols);
		free_strings(v[i].refs, v[i].nrefs);
	}
	free(v);
}

/*
 * The source's tables (meta left out) with their columns and foreign
 * keys, in an order where every table comes after those it refers to;
 * every one must exist on the destination with all its columns.
 */
static int
plan_tables(struct side *src, struct side *dst, struct table **out,
            size_t *nout, char *err, size_t errsz)
{
	char **names = NULL, **dnames = NULL, **dcols = NULL;
	size_t nnames = 0, ndnames = 0, ndcols = 0, i, j, k, n = 0, done;
	struct table *v = NULL, tmp;
	struct buf q = { 0 };
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = side_tables(src, &names, &nnames, err, errsz)) != STORE_OK ||
	    (rc = side_tables(dst, &dnames, &ndnames, err, errsz)) != STORE_OK)
		goto out;
	if (!(v = calloc(nnames ? nnames : 1, sizeof(*v)))) {
		rc = oom(err, errsz);
		goto out;
	}
	for (i = 0; i < nnames; i++) {
		struct table *t = &v[n];

		if (strcmp(names[i], "meta") == 0)
			continue;
		n++;
		t->name = names[i];
		names[i] = NULL;
		q.len = 0;
		buf_ident(&q, t->name);
		if (q.oom || !(t->quoted = strdup(q.p))) {
			rc = oom(err, errsz);
			goto out;
		}
		if (!has_string(dnames, ndnames, t->name)) {
			store_set_err(err, errsz,
			        "cannot copy table %s: no such table in "
			        "destination '%s'",
			        t->name, dst->location);
			rc = STORE_ERR_CORRUPT;
			goto out;
		}
		if ((rc = side_columns(src, t->name, &t->cols, &t->ncols, err,
		                       errsz)) != STORE_OK ||
		    (rc = side_columns(dst, t->name, &dcols, &ndcols, err,
		                       errsz)) != STORE_OK ||
		    (rc = side_refs(src, t, &t->refs, &t->nrefs, err, errsz)) !=
		            STORE_OK)
			goto out;
		for (j = 0; j < t->ncols; j++)
			if (!has_string(dcols, ndcols, t->cols[j])) {
				store_set_err(err, errsz,
				        "cannot copy table %s: no column "
				        "%s in destination '%s'",
				        t->name, t->cols[j], dst->location);
				rc = STORE_ERR_CORRUPT;
				goto out;
			}
		free_strings(dcols, ndcols);
		dcols = NULL;
		ndcols = 0;
	}

	/* foreign-key order: repeatedly the first table (by name) whose
	 * referenced tables are all placed; a table may refer to itself */
	for (done = 0; done < n; done++) {
		for (i = done; i < n; i++) {
			for (j = 0; j < v[i].nrefs; j++) {
				if (strcmp(v[i].refs[j], v[i].name) == 0)
					continue;
				for (k = 0; k < done; k++)
					if (strcmp(v[k].name, v[i].refs[j]) ==
					    0)
						break;
				if (k == done)
					break;
			}
			if (j == v[i].nrefs)
				break;
		}
		if (i == n) {
			store_set_err(err, errsz,
			        "cannot copy table %s: its foreign keys "
			        "refer to a table not copied, or form a "
			        "cycle",
			        v[done].name);
			rc = STORE_ERR_CORRUPT;
			goto out;
		}
		/* keep the rest in name order */
		tmp = v[i];
		memmove(&v[done + 1], &v[done], (i - done) * sizeof(*v));
		v[done] = tmp;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	rc = STORE_OK;
out:
	free_tables(v, n);
	free_strings(names, nnames);
	free_strings(dnames, ndnames);
	free_strings(dcols, ndcols);
	free(q.p);
	return rc;
}

/* ------------------------------------------------------------ checksum */

static void
checksum_row(struct checksum *c, const struct value *v, size_t n)
{
	struct sha256_ctx h;
	unsigned char d[SHA256_DIGEST_SIZE];
	char num[40];
	size_t i, j;
	int len;

	sha256_init(&h);
	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case V_NULL: sha256_update(&h, "N;", 2); break;
		case V_INT:
			len = snprintf(num, sizeof(num), "I%lld;",
			               (long long)v[i].i);
			sha256_update(&h, num, (size_t)len);
			break;
		case V_REAL:
			len = snprintf(num, sizeof(num), "R%.17g;", v[i].r);
			sha256_update(&h, num, (size_t)len);
			break;
		default:
			len = snprintf(num, sizeof(num), "%c%zu:",
			               v[i].type == V_TEXT ? 'T' : 'B', v[i].n);
			sha256_update(&h, num, (size_t)len);
			sha256_update(&h, v[i].p, v[i].n);
			sha256_update(&h, ";", 1);
			break;
		}
	}
	sha256_final(&h, d);
	for (i = 0; i < 4; i++) {
		uint64_t x = 0;

		for (j = 0; j < 8; j++)
			x = x << 8 | d[i * 8 + j];
		c->lane[i] += x;
	}
	c->rows++;
}

/* ------------------------------------------------------------- reading */

/* SELECT "a", "b" FROM "t" */
static void
select_sql(struct buf *b, const struct table *t)
{
	size_t i;

	buf_str(b, "SELECT ");
	for (i = 0; i < t->ncols; i++) {
		if (i)
			buf_str(b, ", ");
		buf_ident(b, t->cols[i]);
	}
	buf_str(b, " FROM ");
	buf_str(b, t->quoted);
}

static int
sq_read(struct side *s, const struct table *t, const char *sql,
        const char *what, row_fn fn, void *arg, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	struct value *v;
	size_t i;
	int rc;

	if (!(v = calloc(t->ncols ? t->ncols : 1, sizeof(*v))))
		return oom(err, errsz);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(v);
		return sq_fail(s, what, err, errsz);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < t->ncols; i++) {
			int c = (int)i;

			switch (sqlite3_column_type(st, c)) {
			case SQLITE_NULL: v[i].type = V_NULL; break;
			case SQLITE_INTEGER:
				v[i].type = V_INT;
				v[i].i = sqlite3_column_int64(st, c);
				break;
			case SQLITE_FLOAT:
				v[i].type = V_REAL;
				v[i].r = sqlite3_column_double(st, c);
				break;
			case SQLITE_TEXT:
				v[i].type = V_TEXT;
				v[i].p = sqlite3_column_text(st, c);
				v[i].n = (size_t)sqlite3_column_bytes(st, c);
				break;
			default:
				v[i].type = V_BLOB;
				v[i].p = sqlite3_column_blob(st, c);
				v[i].n = (size_t)sqlite3_column_bytes(st, c);
				if (!v[i].p)
					v[i].p = "";
				break;
			}
		}
		if ((rc = fn(v, t->ncols, arg)) != 0) {
			sqlite3_finalize(st);
			free(v);
			return rc;
		}
	}
	if (rc != SQLITE_DONE)
		rc = sq_fail(s, what, err, errsz);
	else
		rc = STORE_OK;
	sqlite3_finalize(st);
	free(v);
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* bytea's hex output "\x0a1b" into b (reused for every row) */
static int
unhex(struct buf *b, const char *s, size_t n)
{
	size_t i;
	int hi, lo;
	char c;

	b->len = 0;
	if (n < 2 || s[0] != '\\' || s[1] != 'x' || n % 2)
		return -1;
	for (i = 2; i < n; i += 2) {
		if ((hi = hexval((unsigned char)s[i])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 1])) < 0)
			return -1;
		c = (char)(hi << 4 | lo);
		buf_add(b, &c, 1);
	}
	if (b->oom)
		return -2;
	return 0;
}

/* One column of a fetched row, by its type; a bytea is decoded into
 * bytes.  Non-zero for a bytea that is not \x hex (or out of memory). */
static int
pq_value(struct value *v, struct buf *bytes, const PGresult *r, int row,
         int col)
{
	const char *val;
	size_t len;

	if (PQgetisnull(r, row, col)) {
		v->type = V_NULL;
		return 0;
	}
	val = PQgetvalue(r, row, col);
	len = (size_t)PQgetlength(r, row, col);
	switch (PQftype(r, col)) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		v->type = V_INT;
		v->i = strtoll(val, NULL, 10);
		return 0;
	case OID_FLOAT4:
	case OID_FLOAT8:
		/* extra_float_digits = 3: the text is exact */
		v->type = V_REAL;
		v->r = strtod(val, NULL);
		return 0;
	case OID_BYTEA:
		if (unhex(bytes, val, len))
			return -1;
		v->type = V_BLOB;
		v->p = bytes->p ? bytes->p : "";
		v->n = bytes->len;
		return 0;
	}
	v->type = V_TEXT;
	v->p = val;
	v->n = len;
	return 0;
}

/* Through a cursor, FETCH_ROWS at a time: a table of millions of rows
 * never sits in memory.  Needs the transaction the caller opened. */
static int
pq_read(struct side *s, const struct table *t, const char *sql,
        const char *what, row_fn fn, void *arg, char *err, size_t errsz)
{
	struct buf q = { 0 };
	struct buf *bytes = NULL;
	struct value *v = NULL;
	PGresult *r = NULL;
	int rc = STORE_OK, row, nrows;
	size_t i;

	if (!(v = calloc(t->ncols ? t->ncols : 1, sizeof(*v))) ||
	    !(bytes = calloc(t->ncols ? t->ncols : 1, sizeof(*bytes)))) {
		rc = oom(err, errsz);
		goto out;
	}
	buf_str(&q, "DECLARE pcmon_copy NO SCROLL CURSOR FOR ");
	buf_str(&q, sql);
	if (q.oom) {
		rc = oom(err, errsz);
		goto out;
	}
	if ((rc = side_exec(s, q.p, what, err, errsz)) != 0)
		goto out;
	for (;;) {
		r = PQexec(s->pg, "FETCH " FETCH_ROWS " FROM pcmon_copy");
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = pq_fail(s, r, what, err, errsz);
			goto out;
		}
		if ((nrows = PQntuples(r)) == 0)
			break;
		for (row = 0; row < nrows; row++) {
			for (i = 0; i < t->ncols; i++)
				if (pq_value(&v[i], &bytes[i], r, row, (int)i))
					break;
			if (i < t->ncols) {
				rc = bytes[i].oom ? oom(err, errsz)
				                  : side_fail(s, what,
				                              "bad bytea value",
				                              STORE_ERR_CORRUPT,
				                              err, errsz);
				goto out;
			}
			if ((rc = fn(v, t->ncols, arg)) != 0)
				goto out;
		}
		PQclear(r);
		r = NULL;
	}
	rc = side_exec(s, "CLOSE pcmon_copy", what, err, errsz);
out:
	PQclear(r);
	if (bytes)
		for (i = 0; i < t->ncols; i++)
			free(bytes[i].p);
	free(bytes);
	free(v);
	free(q.p);
	return rc;
}

static int
read_table(struct side *s, const struct table *t, row_fn fn, void *arg,
           char *err, size_t errsz)
{
	struct buf q = { 0 };
	char what[300];
	int rc;

	snprintf(what, sizeof(what), "read table %s", t->name);
	select_sql(&q, t);
	if (q.oom)
		return oom(err, errsz);
	rc = s->db ? sq_read(s, t, q.p, what, fn, arg, err, errsz)
	           : pq_read(s, t, q.p, what, fn, arg, err, errsz);
	free(q.p);
	return rc;
}

/* ------------------------------------------------------------- writing */

static void
progress(struct run *r)
{
	double now;

	if (!r->progress || (r->sum->rows & 1023) != 0)
		return;
	if ((now = now_s()) < r->next_report)
		return;
	r->next_report = now + PROGRESS_EVERY;
	fprintf(stderr, "\r%s %s: %lld rows\033[K", r->phase, r->t->name,
	        (long long)r->sum->rows);
}

/* One value in COPY's text format. */
static void
copy_value(struct buf *b, const struct value *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = v->p;
	char num[40], pair[2];
	size_t i, start;
	int len;

	switch (v->type) {
	case V_NULL: buf_add(b, "\\N", 2); return;
	case V_INT:
		len = snprintf(num, sizeof(num), "%lld", (long long)v->i);
		buf_add(b, num, (size_t)len);
		return;
	case V_REAL:
		if (isnan(v->r))
			buf_str(b, "NaN");
		else if (isinf(v->r))
			buf_str(b, v->r < 0 ? "-Infinity" : "Infinity");
		else {
			len = snprintf(num, sizeof(num), "%.17g", v->r);
			buf_add(b, num, (size_t)len);
		}
		return;
	case V_BLOB:
		/* bytea's \x input, its backslash escaped for COPY */
		buf_add(b, "\\\\x", 3);
		for (i = 0; i < v->n; i++) {
			pair[0] = hex[p[i] >> 4];
			pair[1] = hex[p[i] & 15];
			buf_add(b, pair, 2);
		}
		return;
	}
	/* text: only backslash and the delimiters need escaping */
	for (start = i = 0; i < v->n; i++) {
		const char *esc;

		switch (p[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		buf_add(b, p + start, i - start);
		buf_add(b, esc, 2);
		start = i + 1;
	}
	buf_add(b, p + start, v->n - start);
}

static int
copy_flush(struct run *r)
{
	if (r->copy.oom)
		return oom(r->err, r->errsz);
	if (r->copy.len &&
	    PQputCopyData(r->dst->pg, r->copy.p, (int)r->copy.len) != 1)
		return pq_fail(r->dst, NULL, r->what, r->err, r->errsz);
	r->copy.len = 0;
	return STORE_OK;
}

static int
copy_row(const struct value *v, size_t n, void *arg)
{
	struct run *r = arg;
	size_t i;
	int rc, c;

	checksum_row(r->sum, v, n);
	progress(r);
	if (r->dst->pg) {
		for (i = 0; i < n; i++) {
			if (i)
				buf_add(&r->copy, "\t", 1);
			copy_value(&r->copy, &v[i]);
		}
		buf_add(&r->copy, "\n", 1);
		if (r->copy.oom || r->copy.len >= COPY_FLUSH)
			return copy_flush(r);
		return STORE_OK;
	}
	/* bound by type as read: SQLite to SQLite keeps each value's
	 * storage class; PostgreSQL's types map onto the same classes */
	for (i = 0; i < n; i++) {
		c = (int)i + 1;
		switch (v[i].type) {
		case V_NULL: rc = sqlite3_bind_null(r->ins, c); break;
		case V_INT: rc = sqlite3_bind_int64(r->ins, c, v[i].i); break;
		case V_REAL: rc = sqlite3_bind_double(r->ins, c, v[i].r); break;
		case V_TEXT:
			rc = sqlite3_bind_text64(r->ins, c, v[i].p, v[i].n,
			                         SQLITE_STATIC, SQLITE_UTF8);
			break;
		default:
			rc = sqlite3_bind_blob64(r->ins, c, v[i].p, v[i].n,
			                         SQLITE_STATIC);
			break;
		}
		if (rc != SQLITE_OK)
			return sq_fail(r->dst, r->what, r->err, r->errsz);
	}
	rc = sqlite3_step(r->ins);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(r->dst, r->what, r->err, r->errsz);
		sqlite3_reset(r->ins);
		return rc;
	}
	sqlite3_reset(r->ins);
	return STORE_OK;
}

static int
verify_row(const struct value *v, size_t n, void *arg)
{
	struct run *r = arg;

	checksum_row(r->sum, v, n);
	progress(r);
	return 0;
}

/* INSERT INTO "t" ("a", "b") VALUES (?, ?), or COPY "t" ("a", "b") FROM
 * STDIN */
static void
write_sql(struct buf *b, const struct table *t, int pg)
{
	size_t i;

	buf_str(b, pg ? "COPY " : "INSERT INTO ");
	buf_str(b, t->quoted);
	buf_str(b, " (");
	for (i = 0; i < t->ncols; i++) {
		if (i)
			buf_str(b, ", ");
		buf_ident(b, t->cols[i]);
	}
	if (pg) {
		buf_str(b, ") FROM STDIN");
		return;
	}
	buf_str(b, ") VALUES (");
	for (i = 0; i < t->ncols; i++)
		buf_str(b, i ? ", ?" : "?");
	buf_str(b, ")");
}

static int
copy_table(struct side *src, struct side *dst, struct table *t,
           int show_progress, char *err, size_t errsz)
{
	struct run r = { 0 };
	struct buf q = { 0 };
	PGresult *res;
	int rc, end;

	r.dst = dst;
	r.t = t;
	r.sum = &t->src;
	r.progress = show_progress;
	r.phase = "copying";
	snprintf(r.what, sizeof(r.what), "copy table %s", t->name);
	r.err = err;
	r.errsz = errsz;
	write_sql(&q, t, dst->pg != NULL);
	if (q.oom)
		return oom(err, errsz);
	if (dst->db) {
		if (sqlite3_prepare_v2(dst->db, q.p, -1, &r.ins, NULL) !=
		    SQLITE_OK) {
			free(q.p);
			return sq_fail(dst, r.what, err, errsz);
		}
		rc = read_table(src, t, copy_row, &r, err, errsz);
		sqlite3_finalize(r.ins);
		free(q.p);
		return rc;
	}
	res = PQexec(dst->pg, q.p);
	free(q.p);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pq_fail(dst, res, r.what, err, errsz);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	rc = read_table(src, t, copy_row, &r, err, errsz);
	if (rc == STORE_OK)
		rc = copy_flush(&r);
	free(r.copy.p);
	/* ending the COPY (with an error message when the reading failed)
	 * is what gets the connection out of the COPY state */
	end = PQputCopyEnd(dst->pg, rc == STORE_OK ? NULL : "copy aborted");
	while ((res = PQgetResult(dst->pg))) {
		if (rc == STORE_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pq_fail(dst, res, r.what, err, errsz);
		PQclear(res);
	}
	if (rc == STORE_OK && end != 1)
		rc = pq_fail(dst, NULL, r.what, err, errsz);
	return rc;
}

/* ------------------------------------------------------- the whole copy */

/* Holds the destination's tables against other writers for the whole
 * copy, then finds them empty: a copy never merges. */
static int
check_empty(struct side *dst, const struct table *v, size_t n, char *err,
            size_t errsz)
{
	struct buf q = { 0 };
	char **rows = NULL;
	size_t i, nrows = 0;
	int rc = STORE_OK;

	if (dst->pg && n) {
		buf_str(&q, "LOCK TABLE ");
		for (i = 0; i < n; i++) {
			if (i)
				buf_str(&q, ", ");
			buf_str(&q, v[i].quoted);
		}
		buf_str(&q, " IN EXCLUSIVE MODE");
		if (q.oom)
			return oom(err, errsz);
		if ((rc = side_exec(dst, q.p, "lock the tables", err, errsz)) !=
		    STORE_OK)
			goto out;
	}
	for (i = 0; i < n; i++) {
		q.len = 0;
		buf_str(&q, "SELECT 'x' FROM ");
		buf_str(&q, v[i].quoted);
		buf_str(&q, " LIMIT 1");
		if (q.oom) {
			rc = oom(err, errsz);
			goto out;
		}
		if ((rc = side_strings(dst, q.p, q.p, NULL,
		                       "read the destination", &rows, &nrows,
		                       err, errsz)) != STORE_OK)
			goto out;
		free_strings(rows, nrows);
		if (nrows) {
			store_set_err(err, errsz,
			        "destination '%s' is not empty (table %s "
			        "has rows): nothing copied",
			        dst->location, v[i].name);
			rc = STORE_ERR_EXISTS;
			goto out;
		}
	}
out:
	free(q.p);
	return rc;
}

/* Identity columns continue after the copied ids: setval() on each
 * column's sequence.  (Outside the transaction's undo, but harmless: a
 * rolled-back copy only leaves the next ids higher.) */
static int
reset_sequences(struct side *dst, const struct table *v, size_t n, char *err,
                size_t errsz)
{
	const char *params[2];
	struct buf q = { 0 };
	PGresult *r;
	size_t i;
	int j, rc = STORE_OK;

	for (i = 0; i < n && rc == STORE_OK; i++) {
		params[0] = v[i].quoted;
		params[1] = v[i].name;
		r = PQexecParams(dst->pg,
		                 "SELECT column_name,"
		                 " pg_get_serial_sequence($1, column_name)"
		                 " FROM information_schema.columns"
		                 " WHERE table_schema = current_schema()"
		                 " AND table_name = $2",
		                 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = pq_fail(dst, r, "reset the sequences", err, errsz);
			PQclear(r);
			break;
		}
		for (j = 0; j < PQntuples(r) && rc == STORE_OK; j++) {
			PGresult *s;

			if (PQgetisnull(r, j, 1))
				continue;
			q.len = 0;
			buf_str(&q, "SELECT setval($1::regclass, max(");
			buf_ident(&q, PQgetvalue(r, j, 0));
			buf_str(&q, ")) FROM ");
			buf_str(&q, v[i].quoted);
			buf_str(&q, " HAVING max(");
			buf_ident(&q, PQgetvalue(r, j, 0));
			buf_str(&q, ") IS NOT NULL");
			if (q.oom) {
				rc = oom(err, errsz);
				break;
			}
			params[0] = PQgetvalue(r, j, 1);
			s = PQexecParams(dst->pg, q.p, 1, NULL, params, NULL,
			                 NULL, 0);
			if (PQresultStatus(s) != PGRES_TUPLES_OK)
				rc = pq_fail(dst, s, "reset the sequences", err,
				             errsz);
			PQclear(s);
		}
		PQclear(r);
	}
	free(q.p);
	return rc;
}

static int
same_location(const char *a, const char *b)
{
	return strcmp(strip_scheme(a), strip_scheme(b)) == 0;
}

int
store_copy(const struct store_copy_opts *o, char *err, size_t errsz)
{
	struct side src = { .role = "source" };
	struct side dst = { .role = "destination", .fill = 1 };
	struct table *v = NULL;
	size_t n = 0, i;
	int64_t total = 0;
	int vsrc, vdst, rc;
	double start = now_s();
	struct run r = { 0 };

	if (same_location(o->from, o->to)) {
		store_set_err(err, errsz,
		        "source and destination are the same database");
		return STORE_ERR_USAGE;
	}
	if ((rc = side_open(&src, o->from, &vsrc, err, errsz)) != STORE_OK ||
	    (rc = side_open(&dst, o->to, &vdst, err, errsz)) != STORE_OK)
		goto out;
	if (vsrc != vdst) {
		store_set_err(err, errsz,
		        "schema versions differ: source '%s' has %d, "
		        "destination '%s' has %d",
		        src.location, vsrc, dst.location, vdst);
		rc = STORE_ERR_VERSION;
		goto out;
	}

	/* the source in one snapshot: a crawl writing to it meanwhile
	 * changes nothing the copy sees */
	if ((rc = side_exec(&src,
	                    src.db ? "BEGIN"
	                           : "BEGIN ISOLATION LEVEL REPEATABLE READ,"
	                             " READ ONLY",
	                    "begin a transaction", err, errsz)) != STORE_OK)
		goto out;
	src.in_tx = 1;
	if ((rc = side_exec(&dst, dst.db ? "BEGIN IMMEDIATE" : "BEGIN",
	                    "begin a transaction", err, errsz)) != STORE_OK)
		goto out;
	dst.in_tx = 1;
	if ((rc = plan_tables(&src, &dst, &v, &n, err, errsz)) != STORE_OK ||
	    (rc = check_empty(&dst, v, n, err, errsz)) != STORE_OK)
		goto out;

	for (i = 0; i < n; i++)
		if ((rc = copy_table(&src, &dst, &v[i], o->progress, err,
		                     errsz)) != STORE_OK)
			goto out;

	/* read back what the transaction wrote, before committing it */
	r.dst = &dst;
	r.progress = o->progress;
	r.phase = "verifying";
	for (i = 0; i < n; i++) {
		r.t = &v[i];
		r.sum = &v[i].dst;
		if ((rc = read_table(&dst, &v[i], verify_row, &r, err,
		                     errsz)) != STORE_OK)
			goto out;
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	for (i = 0; i < n; i++) {
		if (v[i].src.rows != v[i].dst.rows ||
		    memcmp(v[i].src.lane, v[i].dst.lane,
		           sizeof(v[i].src.lane)) != 0) {
			store_set_err(err, errsz,
			        "table %s differs after the copy (%lld "
			        "rows read, %lld found in destination "
			        "'%s'%s): nothing copied",
			        v[i].name, (long long)v[i].src.rows,
			        (long long)v[i].dst.rows, dst.location,
			        v[i].src.rows == v[i].dst.rows
			                ? ", checksum mismatch"
			                : "");
			rc = STORE_ERR_CORRUPT;
			goto out;
		}
		total += v[i].src.rows;
	}
	if (dst.pg && (rc = reset_sequences(&dst, v, n, err, errsz)) != 0)
		goto out;
	if ((rc = side_exec(&dst, "COMMIT", "commit the copy", err, errsz)) !=
	    STORE_OK)
		goto out;
	dst.in_tx = 0;
	if (o->out) {
		for (i = 0; i < n; i++)
			fprintf(o->out, "%s: %lld rows, checksum ok\n",
			        v[i].name, (long long)v[i].src.rows);
		fprintf(o->out, "copied %lld rows in %.1f s\n",
		        (long long)total, now_s() - start);
	}
	rc = STORE_OK;
out:
	if (rc != STORE_OK && o->progress)
		fputs("\r\033[K", stderr);
	side_close(&dst);
	side_close(&src);
	free_tables(v, n);
	return rc;
}
