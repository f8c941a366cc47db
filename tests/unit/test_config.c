/*
 * test_config.c - the value parsers and the loader's error messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static const struct {
	const char *in;
	int ok;
	long long want;
} sizes[] = {
	{ "0", 1, 0 },
	{ "1024", 1, 1024 },
	{ "64K", 1, 65536 },
	{ "64k", 1, 65536 },
	{ "16M", 1, 16777216 },
	{ "16MB", 1, 16777216 },
	{ "1G", 1, 1073741824 },
	{ "1.5K", 1, 1536 },
	{ "2 M", 1, 2097152 },
	{ "", 0, 0 },
	{ "M", 0, 0 },
	{ "-1", 0, 0 },
	{ "12 parsecs", 0, 0 },
	{ "16MiB", 0, 0 },
	{ "1e30G", 0, 0 },
};

static const struct {
	const char *in;
	int ok;
	long long want;
} durations[] = {
	{ "30", 1, 30 },
	{ "30s", 1, 30 },
	{ "15m", 1, 900 },
	{ "2h", 1, 7200 },
	{ "1d", 1, 86400 },
	{ "1w", 1, 604800 },
	{ "0.5h", 1, 1800 },
	{ "", 0, 0 },
	{ "h", 0, 0 },
	{ "5 minutes", 0, 0 },
	{ "-5m", 0, 0 },
	{ "3y", 0, 0 },
};

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

int
main(void)
{
	char err[512], dir[] = "/tmp/pcmon-cfg-XXXXXX", path[600];
	struct pcmon_config *cfg;
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int rc = config_parse_size(sizes[i].in, &v);

		CHECK(rc == (sizes[i].ok ? 0 : -1), "size '%s' accepted=%d",
		      sizes[i].in, sizes[i].ok);
		if (sizes[i].ok && rc == 0)
			CHECK_INT(v, sizes[i].want, "size '%s'", sizes[i].in);
	}
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		int rc = config_parse_duration(durations[i].in, &v);

		CHECK(rc == (durations[i].ok ? 0 : -1), "duration '%s' accepted=%d",
		      durations[i].in, durations[i].ok);
		if (durations[i].ok && rc == 0)
			CHECK_INT(v, durations[i].want, "duration '%s'",
			          durations[i].in);
	}

	/* defaults only */
	CHECK(config_load(NULL, &cfg, err, sizeof(err)) == 0, "defaults load");
	if (cfg) {
		CHECK_INT(cfg->concurrency, 16, "default concurrency");
		CHECK_INT(cfg->max_body, 16 << 20, "default max_body");
		CHECK_INT(cfg->min_interval, 900, "default min_interval");
		CHECK(cfg->log_file == NULL, "default log_file is stderr");
		CHECK(cfg->database && cfg->database[0] == '/',
		      "default database is absolute");
		config_free(cfg);
	}
	config_free(NULL);

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	write_file(path, "; comment\n[crawl]\nper_host = 3  ; inline comment\n"
	                 "host_delay = 0.25\n[general]\ndatabase = x.db\n");
	CHECK(config_load(path, &cfg, err, sizeof(err)) == 0, "file loads: %s",
	      err);
	if (cfg) {
		char want[700];

		CHECK_INT(cfg->per_host, 3, "per_host from file");
		CHECK(cfg->host_delay == 0.25, "host_delay from file");
		snprintf(want, sizeof(want), "%s/x.db", dir);
		CHECK_STR(cfg->database, want, "database relative to the file");
		config_free(cfg);
	}
	write_file(path, "[crawl]\n\n\nper_host = 99\n");
	CHECK(config_load(path, &cfg, err, sizeof(err)) == -1 && !cfg,
	      "out of range refused");
	CHECK(strstr(err, "a.conf:4: key 'per_host' in [crawl]") != NULL,
	      "error names file, line and key: %s", err);
	write_file(path, "[general]\nlog_levle = debug\n");
	CHECK(config_load(path, &cfg, err, sizeof(err)) == -1,
	      "unknown key refused");
	CHECK(strstr(err, ":2: unknown key 'log_levle' in [general]") != NULL,
	      "unknown key message: %s", err);
	unlink(path);
	rmdir(dir);
	return check_done();
}
