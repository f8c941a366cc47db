/*
 * stories.c - gives every stored item a fingerprint and a story id (see
 * stories.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stories.h"
#include "store.h"
#include "story.h"

struct pend {
	int64_t id, date, story;
	uint64_t fp;
	size_t nterms;
};

struct collect {
	struct pend *v;
	size_t n, cap;
	int oom;
};

static int
collect_one(const struct store_story_item *r, void *arg)
{
	struct collect *c = arg;
	struct pend *p;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct pend *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->oom = 1;
			return 1;
		}
		c->v = v;
		c->cap = cap;
	}
	p = &c->v[c->n++];
	p->id = r->id;
	p->date = r->date;
	p->story = r->id;
	p->fp = story_fingerprint(r->title, r->summary, r->lang, &p->nterms);
	return 0;
}

struct load {
	struct story_index *idx;
	int oom;
};

static int
load_one(int64_t id, int64_t story_id, uint64_t fp, int64_t date, void *arg)
{
	struct load *l = arg;

	(void)id;
	if (story_index_add(l->idx, story_id, fp, date) != 0) {
		l->oom = 1;
		return 1;
	}
	return 0;
}

int
stories_assign(struct store *st, long *done, long *joined, char *err,
               size_t errsz)
{
	struct collect c = { NULL, 0, 0, 0 };
	struct load l = { NULL, 0 };
	struct store_story *out = NULL;
	int64_t after = 0, last = 0, lo = INT64_MAX, hi = INT64_MIN, match;
	size_t i, k;
	int rc = -1, dist;

	*done = *joined = 0;
	for (;;) {
		size_t before = c.n;

		if (store_story_pending(st, after, 10000, collect_one, &c, &last,
		                        err, errsz) != STORE_OK)
			goto out;
		if (c.oom)
			goto oom;
		if (c.n == before)
			break;
		after = last;
	}
	if (c.n == 0) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		if (c.v[i].date < lo)
			lo = c.v[i].date;
		if (c.v[i].date > hi)
			hi = c.v[i].date;
	}
	if (story_index_create(STORY_MAX_DIST, &l.idx) != STORY_OK)
		goto oom;
	/* the stories already stored that a pending item may join */
	if (store_story_recent(st, lo - STORY_WINDOW, hi + STORY_WINDOW + 1,
	                       load_one, &l, err, errsz) != STORE_OK)
		goto out;
	if (l.oom)
		goto oom;
	/* in the order they were stored: a story's id is its first item's */
	for (i = 0; i < c.n; i++) {
		struct pend *p = &c.v[i];

		if (p->nterms == 0)
			continue; /* nothing to compare: its own story */
		if (story_index_find(l.idx, p->fp, p->date, STORY_WINDOW,
		                     &match, &dist) == 1) {
			p->story = match;
			(*joined)++;
		} else if (story_index_add(l.idx, p->id, p->fp, p->date) != 0) {
			goto oom;
		}
	}
	if (!(out = calloc(c.n < 1000 ? c.n : 1000, sizeof(*out))))
		goto oom;
	for (i = 0; i < c.n; i += k) {
		for (k = 0; k < 1000 && i + k < c.n; k++) {
			out[k].item_id = c.v[i + k].id;
			out[k].fingerprint = c.v[i + k].fp;
			out[k].story_id = c.v[i + k].story;
		}
		if (store_story_put(st, out, k, err, errsz) != STORE_OK)
			goto out;
		*done += (long)k;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	free(out);
	free(c.v);
	story_index_free(l.idx);
	return rc;
}
