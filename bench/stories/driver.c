/*
 * driver.c - pipeline/story.c on generated items, for bench/stories/run.sh.
 *
 *   driver assign K1 [K2 ...] < items   one line out per item in:
 *                 "fp<TAB>nterms<TAB>story@K1<TAB>story@K2...", the story
 *                 being the lowest id of an earlier item within K bits
 *                 (story_index_find, no window), else the item's own line
 *                 number - what the pipeline stores as story_id
 *   driver speed < items               fingerprints/s and index add+find/s,
 *                 single-threaded, repeated for about SECONDS
 *
 * Items are "title<TAB>summary" lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "story.h"

#define MAX_LINES 500000
#define MAX_K     16
#define SECONDS   2.0

static char *titles[MAX_LINES], *summaries[MAX_LINES];
static size_t nlines;

static uint64_t
fingerprint(size_t i, size_t *n)
{
	return story_fingerprint(titles[i], summaries[i], "en", n);
}

static int
load(void)
{
	char *buf = NULL, *tab;
	size_t cap = 0;
	ssize_t n;

	while (nlines < MAX_LINES && (n = getline(&buf, &cap, stdin)) >= 0) {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		tab = strchr(buf, '\t');
		if (tab)
			*tab++ = '\0';
		titles[nlines] = strdup(buf);
		summaries[nlines] = strdup(tab ? tab : "");
		if (!titles[nlines] || !summaries[nlines])
			return -1;
		nlines++;
	}
	free(buf);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
assign(int argc, char **argv)
{
	struct story_index *idx[MAX_K];
	uint64_t *fp = calloc(nlines, sizeof(*fp));
	size_t i, n;
	int k[MAX_K], nk = argc - 2, j, d;
	int64_t id;

	if (!fp || nk < 1 || nk > MAX_K)
		return 2;
	for (j = 0; j < nk; j++) {
		k[j] = (int)strtol(argv[j + 2], NULL, 10);
		if (story_index_create(k[j], &idx[j]) != STORY_OK)
			return 2;
	}
	for (i = 0; i < nlines; i++) {
		fp[i] = fingerprint(i, &n);
		printf("%016llx\t%zu", (unsigned long long)fp[i], n);
		for (j = 0; j < nk; j++) {
			int64_t story = (int64_t)i;

			/* no text: its own story */
			if (n > 0 && story_index_find(idx[j], fp[i], 0, -1, &id,
			                              &d) == 1)
				story = id;
			printf("\t%lld", (long long)story);
			if (n > 0 && story_index_add(idx[j], story, fp[i], 0) !=
			                     STORY_OK)
				return 2;
		}
		putchar('\n');
	}
	for (j = 0; j < nk; j++)
		story_index_free(idx[j]);
	free(fp);
	return 0;
}

static int
speed(void)
{
	struct story_index *idx;
	uint64_t *fp = calloc(nlines, sizeof(*fp)), sink = 0;
	size_t i, n, rounds = 0, bytes = 0;
	double t0 = now(), t;
	int64_t id;
	int d;

	if (!fp)
		return 2;
	for (i = 0; i < nlines; i++)
		bytes += strlen(titles[i]) + strlen(summaries[i]) + 1;
	do {
		for (i = 0; i < nlines; i++)
			sink ^= fp[i] = fingerprint(i, &n);
		rounds++;
	} while ((t = now() - t0) < SECONDS);
	printf("fingerprint\t%.0f\t%.1f\n", (double)(rounds * nlines) / t,
	       (double)(rounds * bytes) / t / 1e6);
	rounds = 0;
	t0 = now();
	do {
		if (story_index_create(STORY_MAX_DIST, &idx) != STORY_OK)
			return 2;
		for (i = 0; i < nlines; i++) {
			if (story_index_find(idx, fp[i], 0, -1, &id, &d))
				sink ^= (uint64_t)id;
			if (story_index_add(idx, (int64_t)i, fp[i], 0))
				return 2;
		}
		story_index_free(idx);
		rounds++;
	} while ((t = now() - t0) < SECONDS);
	printf("index\t%.0f\t%zu\n", (double)(rounds * nlines) / t,
	       (size_t)(sink & 1));
	free(fp);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || load() != 0)
		return 2;
	if (strcmp(argv[1], "assign") == 0)
		return assign(argc, argv);
	if (strcmp(argv[1], "speed") == 0)
		return speed();
	return 2;
}
