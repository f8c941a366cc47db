/*
 * check.h - TAP output for the table-driven unit tests, header only.
 *
 *   CHECK(cond, fmt, ...)            ok N - name  /  not ok N - name
 *   CHECK_STR(got, want, fmt, ...)   strings; NULL compares equal to NULL
 *   CHECK_INT(got, want, fmt, ...)   integers, compared as long long
 *   return check_done();             exit status: 0 when every check passed
 *
 * A failed check prints a "# got/want" line under it; tests/run.py counts the
 * "ok" and "not ok" lines.  Each test file includes this once.
 */
#ifndef PCMON_CHECK_H
#define PCMON_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int check_n, check_failed;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
check_report(int ok, const char *fmt, ...)
{
	va_list ap;
	char name[512];
	size_t i;

	check_n++;
	if (!ok)
		check_failed++;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	printf("%s %d - ", ok ? "ok" : "not ok", check_n);
	/* one line per check, whatever the name holds */
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\n');
	fflush(stdout);
	return ok;
}

/* Shows s on one line: control bytes escaped, long strings cut. */
static void
check_show(const char *label, const char *s)
{
	size_t i;

	printf("#   %s: ", label);
	if (!s) {
		puts("NULL");
		return;
	}
	putchar('"');
	for (i = 0; s[i] && i < 300; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	puts(s[i] ? "\"..." : "\"");
}

static int
check_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

#define CHECK(cond, ...) check_report((cond) ? 1 : 0, __VA_ARGS__)

#define CHECK_STR(got, want, ...)                                              \
	do {                                                                   \
		const char *check_g_ = (got), *check_w_ = (want);              \
		if (!check_report(check_str_eq(check_g_, check_w_),            \
		                  __VA_ARGS__)) {                              \
			check_show("got ", check_g_);                          \
			check_show("want", check_w_);                          \
		}                                                              \
	} while (0)

#define CHECK_INT(got, want, ...)                                              \
	do {                                                                   \
		long long check_g_ = (long long)(got);                         \
		long long check_w_ = (long long)(want);                        \
		if (!check_report(check_g_ == check_w_, __VA_ARGS__))          \
			printf("#   got %lld, want %lld\n", check_g_,          \
			       check_w_);                                      \
	} while (0)

static int
check_done(void)
{
	printf("# %d checks, %d failed\n", check_n, check_failed);
	return check_failed ? 1 : 0;
}

#endif
