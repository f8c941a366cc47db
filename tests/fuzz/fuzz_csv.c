/* fuzz_csv.c - pcmon detect --input's CSV reader, then the detector on
 * what it read.  The reader is static in cmd_detect.c: included here. */
#include "../../pipeline/cmd_detect.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct series s;
	struct spike_params sp;
	struct spike_day *out;
	char err[512];
	int has_blind;
	FILE *fp = fmemopen((void *)data, size ? size : 1, "r");

	if (!fp)
		return 0;
	memset(&s, 0, sizeof(s));
	if (size && read_csv_fp(fp, "fuzz.csv", &s, &has_blind, err,
	                        sizeof(err)) == 0 &&
	    s.n && (out = calloc(s.n, sizeof(*out))) != NULL) {
		spike_params_default(&sp);
		sp.new_gap = 30;
		spike_detect(&sp, s.count, s.blind, s.n,
		             (int)(((s.day0 + 3) % 7 + 7) % 7), out);
		free(out);
	}
	fclose(fp);
	free(s.count);
	free(s.blind);
	return 0;
}
