/* fuzz_files.c - the readers that take a path: the configuration (INI)
 * and the model bundle.  The input is written to a file first; its first
 * byte chooses which reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "classify/classify.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct pcmon_config *cfg = NULL;
	struct classify_model *m = NULL;
	char err[512];
	FILE *fp;

	if (size < 1)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/pcmon-fuzz-%ld.in",
		         (long)getpid());
	if (!(fp = fopen(path, "wb")))
		return 0;
	fwrite(data + 1, 1, size - 1, fp);
	fclose(fp);
	if (data[0] & 1) {
		if (config_load(path, &cfg, err, sizeof(err)) == 0)
			config_free(cfg);
	} else if (classify_model_load(path, &m, err, sizeof(err)) ==
	           CLASSIFY_OK) {
		classify_model_free(m);
	}
	return 0;
}
