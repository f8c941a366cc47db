/*
 * annotate.h - everything pcmon says about one item's text, in one call:
 * related or not (label, score), its themes, the countries it concerns
 * and its language.  "pcmon predict" prints it, "pcmon classify" stores
 * it; both go through here so that they never disagree.
 */
#ifndef PCMON_ANNOTATE_H
#define PCMON_ANNOTATE_H

#include <stddef.h>

#include "classify/classify.h"

/* A theme counts from this probability on; a related item with none that
 * high gets its likeliest one. */
#define ANNOTATE_THEME_MIN 0.5
#define ANNOTATE_MAX_COUNTRIES 32

struct annotator {
	const struct classify_model *m;
	const struct classify_gazetteer *g; /* NULL: no countries */
	size_t ntags;
	double *tagp; /* [ntags] */
	size_t *tagi; /* [ntags] */
};

struct annotation {
	struct classify_prediction p; /* label, score (probability of label) */
	const char *lang;   /* as given; NULL: not given (the models detect
	                     * it; classify_langid() tells which) */
	size_t nthemes;     /* themes: classify_model_tag(m, themes[i]) */
	const size_t *themes; /* likeliest first; into the annotator */
	size_t ncountries;  /* ISO 3166-1 alpha-2, in order of mention */
	char countries[ANNOTATE_MAX_COUNTRIES][3];
};

struct pcmon_config;

/*
 * The gazetteer of cfg ([classify] gazetteer) into *g; *g stays NULL when
 * none is configured, or when the default one is not installed (nor built
 * in the source tree pcmon runs from; logged at debug level: pcmon then
 * tags no countries).  A configured file that cannot
 * be read is an error: -1, reported on stderr as "pcmon CMD: ...".
 */
int annotate_gazetteer(const struct pcmon_config *cfg, const char *cmd,
                       struct classify_gazetteer **g);

/* 0, or -1 when out of memory. */
int annotator_init(struct annotator *a, const struct classify_model *m,
                   const struct classify_gazetteer *g);
void annotator_release(struct annotator *a);

/* text is title + "\n" + summary; lang may be NULL.  Valid until the next
 * call.  Returns CLASSIFY_OK or a classify_err. */
int annotate(struct annotator *a, const char *text, const char *lang,
             struct annotation *out);

/* The item's themes and countries as JSON arrays (["stations"],
 * ["IT","CN"]), malloc'd; NULL when out of memory. */
char *annotate_themes_json(const struct annotator *a,
                           const struct annotation *an);
char *annotate_countries_json(const struct annotation *an);

#endif
