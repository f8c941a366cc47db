/*
 * util.h - output helpers shared by the commands (see util.c).
 */
#ifndef PCMON_UTIL_H
#define PCMON_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* A JSON string, or null for NULL. */
json_t *util_json_str(const char *s);
/* "YYYY-MM-DDTHH:MM:SSZ", or null for STORE_TIME_NONE. */
json_t *util_json_time(int64_t t);
/* Writes o as one compact line (keys in insertion order) and releases it. */
int util_json_print(json_t *o, FILE *fp);

/* s for a terminal, sanitised, in at most width columns (cut with an
 * ellipsis), padded to width when pad is set. */
void util_put_cell(FILE *fp, const char *s, int width, int pad);
/* s for a terminal, sanitised, whole. */
void util_put_safe(FILE *fp, const char *s);
/* "YYYY-MM-DD HH:MM" UTC, or "never". */
void util_format_minute(int64_t t, char *buf, size_t bufsz);
/* "YYYY-MM-DDTHH:MM:SSZ", or "" for STORE_TIME_NONE. */
void util_format_iso(int64_t t, char *buf, size_t bufsz);
/* s as one CSV field (RFC 4180: quoted when it holds , " CR or LF);
 * NULL is empty. */
void util_put_csv(FILE *fp, const char *s);

/*
 * An installed data file, or its copy in the source tree when pcmon runs
 * uninstalled: path when it exists or is not the compiled-in default def;
 * else rel resolved against the running binary's directory
 * (build/rel/pcmon: "../gazetteer.tsv", "../../models/default.model") when
 * that exists (written into buf); else path.
 */
const char *util_data_path(const char *path, const char *def, const char *rel,
                           char *buf, size_t bufsz);

#endif
