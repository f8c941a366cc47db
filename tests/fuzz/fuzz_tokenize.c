/* fuzz_tokenize.c - text to terms in any language: the tokenizer (with
 * and without a language), language detection, and story fingerprints. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "story.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_term(const char *term, size_t len, void *arg)
{
	(void)term;
	*(size_t *)arg += len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classify_feature_opts o;
	char *s = malloc(size + 1);
	const char *lang;
	size_t n = 0, nterms;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	classify_feature_opts_default(&o);
	lang = classify_langid(s, size);
	classify_tokenize(s, lang, &o, on_term, &n);
	o.word_bigrams = 1;
	classify_tokenize(s, "zh", &o, on_term, &n);
	classify_tokenize(s, "xx", &o, on_term, &n);
	story_fingerprint(s, s + size / 2, NULL, &nterms);
	free(s);
	return 0;
}
