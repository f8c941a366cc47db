/*
 * util.c - output helpers every command shares: JSON lines through jansson,
 * and text cells for a terminal.
 *
 * Text in the archive comes from the open web.  Before it reaches a
 * terminal, control characters (C0, DEL, C1), bidirectional overrides and
 * line separators are replaced, so a hostile title cannot move the cursor,
 * clear the screen or reorder the line; cells are cut by display width
 * (wide characters count two).  JSON output keeps the text as stored: the
 * JSON writer escapes what must be escaped.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "crawler/crawler.h"
#include "store.h"
#include "util.h"

json_t *
util_json_str(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	/* our strings are UTF-8; a damaged row must not break the stream */
	if ((j = json_string(s)))
		return j;
	return json_string("\xef\xbf\xbd");
}

json_t *
util_json_time(int64_t t)
{
	char buf[40];

	if (t == STORE_TIME_NONE)
		return json_null();
	crawler_format_date(t, buf, sizeof(buf));
	return json_string(buf);
}

int
util_json_print(json_t *o, FILE *fp)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc = -1;

	if (s) {
		fputs(s, fp);
		putc('\n', fp);
		free(s);
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/* Display width of code point c after sanitising (see util_put_cell). */
static utf8proc_int32_t
clean_cp(utf8proc_int32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return ' ';
	/* bidi embeddings, overrides and isolates; line/paragraph separators */
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f)
		return ' ';
	return c;
}

static int
cp_width(utf8proc_int32_t c)
{
	int w = utf8proc_charwidth(c);

	return w < 0 ? 0 : w;
}

/* Next code point of s (invalid bytes become U+FFFD); returns its length. */
static utf8proc_ssize_t
next_cp(const char *s, utf8proc_int32_t *c)
{
	utf8proc_ssize_t n =
	        utf8proc_iterate((const utf8proc_uint8_t *)s, -1, c);

	if (n <= 0) {
		*c = 0xfffd;
		return 1;
	}
	return n;
}

/* Writes s sanitised in at most width columns, cut with "…", then pads to
 * width when pad is set. */
void
util_put_cell(FILE *fp, const char *s, int width, int pad)
{
	utf8proc_uint8_t enc[4];
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	const char *p;
	int total = 0, used = 0, w, cut;

	if (!s)
		s = "";
	for (p = s; *p; p += n) {
		n = next_cp(p, &c);
		total += cp_width(clean_cp(c));
	}
	cut = total > width;
	for (p = s; *p; p += n) {
		n = next_cp(p, &c);
		c = clean_cp(c);
		w = cp_width(c);
		if (cut && used + w > width - 1)
			break;
		fwrite(enc, 1, (size_t)utf8proc_encode_char(c, enc), fp);
		used += w;
	}
	if (cut) {
		fputs("\xe2\x80\xa6", fp); /* … */
		used++;
	}
	while (pad && used++ < width)
		putc(' ', fp);
}

void
util_put_safe(FILE *fp, const char *s)
{
	util_put_cell(fp, s, INT_MAX, 0);
}

void
util_format_minute(int64_t t, char *buf, size_t bufsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == STORE_TIME_NONE || !gmtime_r(&tt, &tm)) {
		snprintf(buf, bufsz, "never");
		return;
	}
	strftime(buf, bufsz, "%Y-%m-%d %H:%M", &tm);
}

void
util_format_iso(int64_t t, char *buf, size_t bufsz)
{
	if (t == STORE_TIME_NONE) {
		if (bufsz)
			buf[0] = '\0';
		return;
	}
	crawler_format_date(t, buf, bufsz);
}

void
util_put_csv(FILE *fp, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

const char *
util_data_path(const char *path, const char *def, const char *rel, char *buf,
               size_t bufsz)
{
	char exe[4096];
	ssize_t n;
	char *slash;

	if (!path || strcmp(path, def) != 0 || access(path, F_OK) == 0)
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return path;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return path;
	*slash = '\0';
	if (snprintf(buf, bufsz, "%s/%s", exe, rel) >= (int)bufsz ||
	    access(buf, F_OK) != 0)
		return path;
	return buf;
}
