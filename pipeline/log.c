/*
 * log.c - one line per event: "2026-11-28T14:03:05Z warn: message".
 *
 * Goes to stderr unless a log file is configured; the file is opened in
 * append mode and written with one fwrite per line, so lines from two
 * processes never interleave mid-line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int log_level = LOG_INFO;
static FILE *log_fp;

static const char *level_names[] = { "error", "warn", "info", "debug" };

int
log_open(int level, const char *file)
{
	log_level = level;
	if (!file)
		return 0;
	if (!(log_fp = fopen(file, "a")))
		return -1;
	return 0;
}

void
log_set_level(int level)
{
	log_level = level;
}

void
log_close(void)
{
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
}

int
log_enabled(int level)
{
	return level <= log_level;
}

void
log_msg(int level, const char *fmt, ...)
{
	char line[4096];
	struct tm tm;
	time_t now;
	va_list ap;
	int n, m;

	if (level > log_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %s: ",
	             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	             tm.tm_min, tm.tm_sec, level_names[level & 3]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;  /* truncated: still one line */
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, log_fp ? log_fp : stderr);
	fflush(log_fp ? log_fp : stderr);
}
