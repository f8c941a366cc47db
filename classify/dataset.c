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
		size_t t;

		free(ds->ex[i].label);
		free(ds->ex[i].text);
		free(ds->ex[i].lang);
		for (t = 0; t < ds->ex[i].ntags; t++)
			free(ds->ex[i].tags[t]);
		free(ds->ex[i].tags);
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
	return classify_dataset_add_tagged(ds, label, text, lang, NULL, 0);
}

int
classify_dataset_add_tagged(struct classify_dataset *ds, const char *label,
                            const char *text, const char *lang,
                            const char *const *tags, size_t ntags)
{
	struct classify_example e;
	size_t i, j;

	if (!ds || !label || !text || (ntags && !tags))
		return CLASSIFY_ERR_USAGE;
	for (i = 0; i < ntags; i++) {
		if (!tags[i] || !*tags[i])
			return CLASSIFY_ERR_USAGE;
		for (j = 0; j < i; j++)
			if (strcmp(tags[i], tags[j]) == 0)
				return CLASSIFY_ERR_USAGE;
	}
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
	e.tags = ntags ? calloc(ntags, sizeof(char *)) : NULL;
	e.ntags = ntags;
	for (i = 0; e.tags && i < ntags; i++)
		if (!(e.tags[i] = dup_str(tags[i])))
			break;
	if (!e.label || !e.text || (lang && !e.lang) ||
	    (ntags && (!e.tags || i < ntags))) {
		free(e.label);
		free(e.text);
		free(e.lang);
		for (j = 0; e.tags && j < ntags; j++)
			free(e.tags[j]);
		free(e.tags);
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
