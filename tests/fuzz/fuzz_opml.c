/* fuzz_opml.c - the OPML reader (feeds import). */
#include <stdint.h>

#include "opml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_outline(const struct opml_outline *o, void *arg)
{
	(void)o;
	(*(long *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	long n = 0;

	opml_read_memory((const char *)data, size, "fuzz.opml", on_outline, &n,
	                 err, sizeof(err));
	return 0;
}
