/*
 * annotate.c - label, score, themes, countries and language of one text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "annotate.h"
#include "config.h"
#include "log.h"
#include "util.h"

int
annotate_gazetteer(const struct pcmon_config *cfg, const char *cmd,
                   struct classify_gazetteer **g)
{
	const char *path = cfg ? cfg->gazetteer : PCMON_GAZETTEER_DEFAULT;
	char err[1024], buf[4096];

	*g = NULL;
	if (!path || !*path)
		return 0;
	path = util_data_path(path, PCMON_GAZETTEER_DEFAULT, "../gazetteer.tsv",
	                      buf, sizeof(buf));
	if (classify_gazetteer_load(&path, 1, g, err, sizeof(err)) ==
	    CLASSIFY_OK)
		return 0;
	if (strcmp(path, PCMON_GAZETTEER_DEFAULT) == 0 &&
	    access(path, F_OK) != 0) {
		log_debug("%s: no gazetteer at '%s' (pcmon not installed?): "
		          "countries are not tagged",
		          cmd, path);
		return 0;
	}
	fprintf(stderr, "pcmon %s: %s\n", cmd, err);
	return -1;
}

int
annotator_init(struct annotator *a, const struct classify_model *m,
               const struct classify_gazetteer *g)
{
	memset(a, 0, sizeof(*a));
	a->m = m;
	a->g = g;
	a->ntags = classify_model_ntags(m);
	if (a->ntags) {
		a->tagp = calloc(a->ntags, sizeof(*a->tagp));
		a->tagi = calloc(a->ntags, sizeof(*a->tagi));
		if (!a->tagp || !a->tagi) {
			annotator_release(a);
			return -1;
		}
	}
	return 0;
}

void
annotator_release(struct annotator *a)
{
	free(a->tagp);
	free(a->tagi);
	a->tagp = NULL;
	a->tagi = NULL;
}

/* The themes of a related item, likeliest first, into a->tagi. */
static int
themes(struct annotator *a, const char *text, const char *lang,
       struct annotation *out)
{
	size_t i, j, n = 0;
	int rc;

	out->nthemes = 0;
	out->themes = a->tagi;
	if (a->ntags == 0 || strcmp(out->p.label, "1") != 0)
		return CLASSIFY_OK;
	if ((rc = classify_tag_scores(a->m, text, lang, a->tagp)) !=
	    CLASSIFY_OK)
		return rc;
	for (i = 0; i < a->ntags; i++)
		a->tagi[i] = i;
	for (i = 1; i < a->ntags; i++) /* by probability, descending; few */
		for (j = i; j > 0 && a->tagp[a->tagi[j]] > a->tagp[a->tagi[j - 1]];
		     j--) {
			size_t t = a->tagi[j];

			a->tagi[j] = a->tagi[j - 1];
			a->tagi[j - 1] = t;
		}
	while (n < a->ntags && a->tagp[a->tagi[n]] >= ANNOTATE_THEME_MIN)
		n++;
	out->nthemes = n ? n : 1;
	return CLASSIFY_OK;
}

int
annotate(struct annotator *a, const char *text, const char *lang,
         struct annotation *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* no language given: each model's tokenizer detects it if the model
	 * was trained so (and only then, or features would differ) */
	if (lang && !*lang)
		lang = NULL;
	out->lang = lang;
	if ((rc = classify_predict(a->m, text, lang, &out->p)) != CLASSIFY_OK)
		return rc;
	if ((rc = themes(a, text, lang, out)) != CLASSIFY_OK)
		return rc;
	if (a->g) {
		size_t n = classify_countries(a->g, text, strlen(text),
		                              out->countries,
		                              ANNOTATE_MAX_COUNTRIES);

		out->ncountries = n < ANNOTATE_MAX_COUNTRIES
		                          ? n
		                          : ANNOTATE_MAX_COUNTRIES;
	}
	return CLASSIFY_OK;
}

static char *
dump(json_t *arr)
{
	char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;

	json_decref(arr);
	return s;
}

char *
annotate_themes_json(const struct annotator *a, const struct annotation *an)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < an->nthemes; i++)
		if (json_array_append_new(
		            arr, json_string(classify_model_tag(
		                         a->m, an->themes[i]))) != 0) {
			json_decref(arr);
			return NULL;
		}
	return dump(arr);
}

char *
annotate_countries_json(const struct annotation *an)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < an->ncountries; i++)
		if (json_array_append_new(arr, json_string(an->countries[i])) !=
		    0) {
			json_decref(arr);
			return NULL;
		}
	return dump(arr);
}
