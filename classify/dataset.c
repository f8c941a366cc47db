/*
 * dataset.c - a labeled data set in memory: each example owns copies of
 * its label, text and language.  The array grows by doubling.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
classify_dataset_create(struct classify_dataset **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? CLASSIFY_OK : CLASSIFY_ERR_NOMEM;
}

void
classify_dataset_free(struct classify_dataset *ds)
{
	size_t i;

	if (!ds)
		return;
	for (i = 0; i < ds->n; i++) {
		free(ds->ex[i].label);
		free(ds->ex[i].text);
		free(ds->ex[i].lang);
	}
	free(ds->ex);
	free(ds);
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

int
classify_dataset_add(struct classify_dataset *ds, const char *label,
                     const char *text, const char *lang)
{
	struct classify_example e;

	if (!ds || !label || !text)
		return CLASSIFY_ERR_USAGE;
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 64;
		struct classify_example *p;

		if (cap > (size_t)-1 / sizeof(*p))
			return CLASSIFY_ERR_NOMEM;
		p = realloc(ds->ex, cap * sizeof(*p));
		if (!p)
			return CLASSIFY_ERR_NOMEM;
		ds->ex = p;
		ds->cap = cap;
	}
	e.label = dup_str(label);
	e.text = dup_str(text);
	e.lang = lang ? dup_str(lang) : NULL;
	if (!e.label || !e.text || (lang && !e.lang)) {
		free(e.label);
		free(e.text);
		free(e.lang);
		return CLASSIFY_ERR_NOMEM;
	}
	ds->ex[ds->n++] = e;
	return CLASSIFY_OK;
}

size_t
classify_dataset_size(const struct classify_dataset *ds)
{
	return ds ? ds->n : 0;
}
