/*
 * store_copy.h - "pcmon db copy": a whole archive from one database to
 * another (SQLite to PostgreSQL, back, or SQLite to SQLite), every id and
 * value kept.  The one module that knows both engines: it moves tables it
 * does not know, whose column lists it reads from the databases.
 */
#ifndef PCMON_STORE_COPY_H
#define PCMON_STORE_COPY_H

#include <stddef.h>
#include <stdio.h>

struct store_copy_opts {
	const char *from; /* sqlite:PATH, a plain path or postgresql://... */
	const char *to;
	FILE *out;        /* "TABLE: N rows, checksum ok" and the summary;
	                   * NULL: quiet */
	int progress;     /* rows copied so far, on stderr */
};

/*
 * Opens both databases through store_open() (the destination gets the
 * current schema; a newer one is refused), requires the same schema
 * version on both and an empty destination, then copies every table but
 * meta in foreign-key order inside one destination transaction, checks
 * every table's row count and checksum on both sides, resets PostgreSQL's
 * identity sequences and commits.  Any failure rolls back: the
 * destination stays empty.
 *
 * Returns STORE_OK; STORE_ERR_USAGE for a bad location; STORE_ERR_VERSION
 * when the schemas differ; STORE_ERR_EXISTS when the destination holds
 * rows; STORE_ERR_CORRUPT when a table differs after the copy; or the
 * code of the failing database call.  err gets the message.
 */
int store_copy(const struct store_copy_opts *o, char *err, size_t errsz);

#endif
