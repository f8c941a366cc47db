/*
 * countries.c - the driver of bench/countries/run.sh.
 *
 *   countries GAZETTEER < TEXTS          codes of each line, one line each
 *   countries -t RUNS GAZETTEER TEXTS    times classify_countries() over
 *                                        every line, RUNS times
 *
 * Timing reads the whole file first, then calls classify_countries() once
 * per line with max 16 (as pipeline/ would), RUNS times; it prints the
 * gazetteer load time and, per run, items, seconds and items/s (CLOCK_
 * MONOTONIC and the process CPU clock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
tag(const struct classify_gazetteer *g)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char codes[64][3];
		size_t k, i;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		k = classify_countries(g, line, (size_t)n, codes, 64);
		for (i = 0; i < k && i < 64; i++)
			printf("%s%s", i ? " " : "", codes[i]);
		putchar('\n');
	}
	free(line);
	return 0;
}

static int
timed(const struct classify_gazetteer *g, int runs, const char *path)
{
	FILE *fp = fopen(path, "r");
	char **lines = NULL, *line = NULL;
	size_t *lens = NULL, nl = 0, capl = 0, cap = 0, bytes = 0, found = 0;
	ssize_t n;
	int r;

	if (!fp) {
		perror(path);
		return 1;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (nl == capl) {
			capl = capl ? capl * 2 : 1024;
			lines = realloc(lines, capl * sizeof(*lines));
			lens = realloc(lens, capl * sizeof(*lens));
			if (!lines || !lens)
				return 1;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		lines[nl] = malloc((size_t)n + 1);
		if (!lines[nl])
			return 1;
		memcpy(lines[nl], line, (size_t)n);
		lines[nl][n] = '\0';
		lens[nl++] = (size_t)n;
		bytes += (size_t)n;
	}
	fclose(fp);
	free(line);
	for (r = 0; r < runs; r++) {
		double w0 = now(CLOCK_MONOTONIC),
		       c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		double w, c;
		size_t i;

		found = 0;
		for (i = 0; i < nl; i++) {
			char codes[16][3];

			found += classify_countries(g, lines[i], lens[i], codes,
			                            16);
		}
		w = now(CLOCK_MONOTONIC) - w0;
		c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		printf("run\t%d\titems\t%zu\tbytes\t%zu\tcodes\t%zu\t"
		       "wall_s\t%.4f\tcpu_s\t%.4f\t"
		       "items_per_s_cpu\t%.0f\tMB_per_s_cpu\t%.2f\n",
		       r + 1, nl, bytes, found, w, c, (double)nl / c,
		       (double)bytes / c / 1e6);
	}
	while (nl)
		free(lines[--nl]);
	free(lines);
	free(lens);
	return 0;
}

int
main(int argc, char **argv)
{
	struct classify_gazetteer *g;
	const char *paths[1];
	char err[512];
	int runs = 0, rc;
	double t0;

	if (argc == 5 && strcmp(argv[1], "-t") == 0) {
		runs = (int)strtol(argv[2], NULL, 10);
		if (runs < 1 || runs > 1000)
			runs = 1;
		paths[0] = argv[3];
	} else if (argc == 2) {
		paths[0] = argv[1];
	} else {
		fprintf(stderr, "usage: countries GAZETTEER < TEXTS\n"
		                "       countries -t RUNS GAZETTEER TEXTS\n");
		return 2;
	}
	t0 = now(CLOCK_MONOTONIC);
	if (classify_gazetteer_load(paths, 1, &g, err, sizeof(err)) != 0) {
		fprintf(stderr, "countries: %s\n", err);
		return 1;
	}
	if (runs)
		printf("load_s\t%.4f\n", now(CLOCK_MONOTONIC) - t0);
	rc = runs ? timed(g, runs, argv[4]) : tag(g);
	classify_gazetteer_free(g);
	return rc;
}
