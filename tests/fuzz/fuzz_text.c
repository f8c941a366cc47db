/* fuzz_text.c - the small parsers of outside text: dates, URLs (resolve
 * and canonicalise; the input's first line is the base) and HTML to text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl, *u, *c, *t;
	int64_t when;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	crawler_parse_date(s, &when);
	t = crawler_html_to_text((const char *)data, size, 4096);
	free(t);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		u = crawler_url_resolve(s, nl + 1);
		c = u ? crawler_url_canonical(u) : NULL;
		free(u);
		free(c);
	}
	c = crawler_url_canonical(s);
	free(c);
	free(s);
	return 0;
}
