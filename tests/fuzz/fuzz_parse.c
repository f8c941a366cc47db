/* fuzz_parse.c - the streaming feed parser, whole and in two chunks. */
#include <stddef.h>
#include <stdint.h>

#include "crawler/crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_item(const struct crawl_item *item, void *arg)
{
	(void)item;
	(*(size_t *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crawl_parse_opts o = { 0 };
	struct crawl_parser *p = NULL;
	char err[256];
	size_t n = 0, half = size / 2;

	o.base_url = "https://example.org/feed/";
	o.max_items = 1000;
	o.on_item = on_item;
	o.arg = &n;
	crawler_parse_feed((const char *)data, size, &o, err, sizeof(err));
	/* the same bytes in two chunks: the split must not matter to safety */
	if (crawler_parser_create(&o, &p) == CRAWL_OK) {
		crawler_parser_feed(p, (const char *)data, half, err,
		                    sizeof(err));
		crawler_parser_feed(p, (const char *)data + half, size - half,
		                    err, sizeof(err));
		crawler_parser_finish(p, err, sizeof(err));
		crawler_parser_free(p);
	}
	return 0;
}
