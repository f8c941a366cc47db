/* fuzz_labels.c - the label file reader, JSON lines and TSV. */
#include <stdint.h>

#include "labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_example(const struct labels_example *ex, void *arg)
{
	(void)ex;
	(*(long *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	long n = 0;

	labels_parse("fuzz.jsonl", (const char *)data, size, LABELS_JSONL,
	             on_example, &n, NULL, err, sizeof(err));
	labels_parse("fuzz.tsv", (const char *)data, size, LABELS_TSV,
	             on_example, &n, NULL, err, sizeof(err));
	return 0;
}
