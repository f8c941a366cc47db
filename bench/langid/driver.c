/*
 * driver.c - classify_langid() and libexttextcat side by side, for
 * bench/langid/run.sh.
 *
 *   driver predict FILE   one line out per line in: "pcmon<TAB>textcat",
 *                         "-" for no answer
 *   driver speed FILE     items/s of each detector over the same lines,
 *                         single-threaded, repeated for about SECONDS
 *
 * FILE holds one text per line (title and summary, no tabs or newlines).
 * textcat's answer is its first candidate, "[pt--utf8][gl--utf8]" -> "pt";
 * nb and nn count as "no".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <textcat.h>

#include "classify.h"

#define MAX_LINES 200000
#define SECONDS   2.0
#define FPDB      "/usr/share/libexttextcat/"

static char *lines[MAX_LINES];
static size_t lens[MAX_LINES];
static size_t nlines;

static int
load(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!fp) {
		perror(path);
		return -1;
	}
	while (nlines < MAX_LINES && (n = getline(&buf, &cap, fp)) >= 0) {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		lines[nlines] = strdup(buf);
		if (!lines[nlines])
			return -1;
		lens[nlines++] = (size_t)n;
	}
	free(buf);
	fclose(fp);
	return 0;
}

/* "[pt--utf8][gl--utf8]" -> "pt" in out; "-" for SHORT, UNKNOWN */
static void
textcat_code(const char *r, char *out, size_t outsz)
{
	size_t i = 0;

	if (!r || r[0] != '[') {
		snprintf(out, outsz, "-");
		return;
	}
	r++;
	while (r[i] && r[i] != '-' && r[i] != ']' && i + 1 < outsz) {
		out[i] = r[i];
		i++;
	}
	out[i] = '\0';
	if (strcmp(out, "nb") == 0 || strcmp(out, "nn") == 0)
		snprintf(out, outsz, "no");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	void *tc;
	size_t i;

	if (argc != 3 || load(argv[2]) != 0) {
		fprintf(stderr, "usage: driver predict|speed FILE\n");
		return 2;
	}
	tc = special_textcat_Init(FPDB "fpdb.conf", FPDB);
	if (!tc) {
		fprintf(stderr, "cannot load libexttextcat fingerprints\n");
		return 1;
	}
	if (strcmp(argv[1], "predict") == 0) {
		for (i = 0; i < nlines; i++) {
			const char *a = classify_langid(lines[i], lens[i]);
			char b[32];

			textcat_code(textcat_Classify(tc, lines[i], lens[i]), b,
			             sizeof(b));
			printf("%s\t%s\n", a ? a : "-", b);
		}
	} else if (strcmp(argv[1], "speed") == 0) {
		double t0, t, bytes = 0;
		size_t items, sink = 0;

		for (i = 0; i < nlines; i++)
			bytes += (double)lens[i];
		printf("lines %zu\nbytes_per_line %.0f\n", nlines,
		       nlines ? bytes / (double)nlines : 0);
		/* warm-up: tables built, caches filled */
		for (i = 0; i < nlines; i++)
			sink += classify_langid(lines[i], lens[i]) != NULL;
		items = 0;
		t0 = now();
		do {
			for (i = 0; i < nlines; i++)
				sink += classify_langid(lines[i], lens[i]) !=
				        NULL;
			items += nlines;
		} while ((t = now() - t0) < SECONDS);
		printf("pcmon %.0f\n", (double)items / t);
		items = 0;
		t0 = now();
		do {
			for (i = 0; i < nlines; i++)
				sink += textcat_Classify(tc, lines[i],
				                         lens[i]) != NULL;
			items += nlines;
		} while ((t = now() - t0) < SECONDS);
		printf("textcat %.0f\n", (double)items / t);
		fprintf(stderr, "(%zu)\n", sink); /* keeps the loops */
	} else {
		fprintf(stderr, "usage: driver predict|speed FILE\n");
		return 2;
	}
	textcat_Done(tc);
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	return 0;
}
