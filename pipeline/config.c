/*
 * config.c - reads pcmon.conf with libinih.
 *
 * One table lists every key: section, name, type, default, bounds and where
 * it lands in struct pcmon_config.  Defaults are applied from the table
 * first, then the file overrides them, so an empty file is valid and the
 * table is the single source of truth (config/pcmon.conf mirrors it, and a
 * test checks that the two agree).
 *
 * libinih in Debian is built without line numbers for the handler, so we
 * feed it through ini_parse_stream() with a reader that counts lines.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"

enum cfg_type { T_STR, T_PATH, T_LONG, T_SIZE, T_DUR, T_DOUBLE, T_LEVEL };

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t off;
	const char *def;   /* default as it would be written in the file */
	double min, max;   /* numeric bounds (inclusive) */
};

#define OFF(f) offsetof(struct pcmon_config, f)

/* The defaults here are what config/pcmon.conf documents; keep them equal
 * (tests/cases check `pcmon config --defaults` against that file). */
static const struct cfg_key keys[] = {
	{ "general", "data_dir", T_PATH, OFF(data_dir), "~/.local/share/pcmon", 0, 0 },
	{ "general", "database", T_PATH, OFF(database), "pcmon.db", 0, 0 },
	{ "general", "log_level", T_LEVEL, OFF(log_level), "info", 0, 0 },
	{ "general", "log_file", T_PATH, OFF(log_file), "", 0, 0 },
	{ "general", "metrics_file", T_PATH, OFF(metrics_file), "", 0, 0 },

	{ "crawl", "user_agent", T_STR, OFF(user_agent),
	  "pcmon/" PCMON_VERSION " (research feed reader; contact: unset)", 0, 0 },
	{ "crawl", "concurrency", T_LONG, OFF(concurrency), "16", 1, 256 },
	{ "crawl", "per_host", T_LONG, OFF(per_host), "2", 1, 16 },
	{ "crawl", "host_delay", T_DOUBLE, OFF(host_delay), "1.0", 0, 3600 },
	{ "crawl", "connect_timeout", T_LONG, OFF(connect_timeout), "15", 1, 600 },
	{ "crawl", "timeout", T_LONG, OFF(timeout), "60", 1, 3600 },
	{ "crawl", "low_speed_limit", T_LONG, OFF(low_speed_limit), "100", 0, 1e9 },
	{ "crawl", "low_speed_time", T_LONG, OFF(low_speed_time), "20", 1, 3600 },
	{ "crawl", "max_body", T_SIZE, OFF(max_body), "16M", 1024, 4294967296.0 },
	{ "crawl", "max_header", T_SIZE, OFF(max_header), "64K", 1024, 16777216 },
	{ "crawl", "max_redirects", T_LONG, OFF(max_redirects), "5", 0, 20 },
	{ "crawl", "min_interval", T_DUR, OFF(min_interval), "15m", 60, 604800 },
	{ "crawl", "max_interval", T_DUR, OFF(max_interval), "1d", 60, 2592000 },
	{ "crawl", "fail_threshold", T_LONG, OFF(fail_threshold), "5", 1, 1000 },
	{ "crawl", "raw_keep", T_LONG, OFF(raw_keep), "3", 0, 1000 },
	{ "crawl", "probe_interval", T_DUR, OFF(probe_interval), "1d", 60, 2592000 },
	{ "crawl", "redirect_confirm", T_LONG, OFF(redirect_confirm), "3", 1, 100 },

	{ "parse", "max_items", T_LONG, OFF(max_items), "10000", 1, 10000000 },
	{ "parse", "max_field", T_SIZE, OFF(max_field), "256K", 1024, 67108864 },
	{ "parse", "max_depth", T_LONG, OFF(max_depth), "256", 16, 100000 },

	{ "classify", "model", T_PATH, OFF(model), PCMON_MODEL_DEFAULT, 0, 0 },
	{ "classify", "threshold", T_DOUBLE, OFF(threshold), "0.5", 0, 1 },
	{ "classify", "gazetteer", T_PATH, OFF(gazetteer), PCMON_GAZETTEER_DEFAULT, 0, 0 },

	{ "trends", "count", T_STR, OFF(trends_count), "stories", 0, 0 },
	{ "trends", "confidence", T_DOUBLE, OFF(trends_confidence), "0.9", 0.5, 0.999 },

	{ "detect", "history", T_DUR, OFF(detect_history), "365d", 86400 * 14, 86400.0 * 3660 },
	{ "detect", "recent", T_DUR, OFF(detect_recent), "3d", 86400, 86400 * 366 },
	{ "detect", "outage_share", T_DOUBLE, OFF(detect_outage_share), "0.5", 0.05, 1 },
	{ "detect", "cooldown", T_DUR, OFF(detect_cooldown), "3d", 0, 86400 * 365 },
	{ "detect", "stories", T_LONG, OFF(detect_stories), "5", 1, 100 },
	{ "detect", "threshold", T_DOUBLE, OFF(detect_threshold), "3.0", 0.5, 50 },
	{ "detect", "min_count", T_LONG, OFF(detect_min_count), "3", 1, 1000000 },
	{ "detect", "half_life", T_DOUBLE, OFF(detect_half_life), "14", 1, 3650 },
	{ "detect", "warmup", T_LONG, OFF(detect_warmup), "14", 0, 3650 },
	{ "detect", "shift_days", T_LONG, OFF(detect_shift_days), "5", 2, 365 },
	{ "detect", "new_gap", T_LONG, OFF(detect_new_gap), "90", 0, 3650 },

	{ "alerts", "webhook", T_STR, OFF(alert_webhook), "", 0, 0 },
	{ "alerts", "webhook_format", T_STR, OFF(alert_webhook_format), "json", 0, 0 },
	{ "alerts", "smtp_url", T_STR, OFF(alert_smtp_url), "", 0, 0 },
	{ "alerts", "smtp_user", T_STR, OFF(alert_smtp_user), "", 0, 0 },
	{ "alerts", "smtp_password_file", T_PATH, OFF(alert_smtp_password_file), "", 0, 0 },
	{ "alerts", "smtp_tls", T_STR, OFF(alert_smtp_tls), "try", 0, 0 },
	{ "alerts", "mail_from", T_STR, OFF(alert_mail_from), "", 0, 0 },
	{ "alerts", "mail_to", T_STR, OFF(alert_mail_to), "", 0, 0 },
	{ "alerts", "ca_file", T_PATH, OFF(alert_ca_file), "", 0, 0 },
	{ "alerts", "insecure", T_LONG, OFF(alert_insecure), "0", 0, 1 },
	{ "alerts", "timeout", T_LONG, OFF(alert_timeout), "30", 1, 600 },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct load_state {
	struct pcmon_config *cfg;
	const char *file;
	char *dir;          /* directory of the file, for relative paths */
	FILE *fp;
	int line;
	int failed;
	char *err;
	size_t errsz;
};

int
config_parse_size(const char *s, int64_t *out)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': mul = 1024.0; end++; break;
	case 'M': mul = 1024.0 * 1024; end++; break;
	case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (toupper((unsigned char)*end) == 'B')
		end++;
	if (*end != '\0' || v * mul > (double)INT64_MAX / 2)
		return -1;
	*out = (int64_t)(v * mul);
	return 0;
}

int
config_parse_duration(const char *s, int64_t *out)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: return -1;
	}
	if (*end != '\0')
		end++;
	if (*end != '\0' || v * mul > 1e12)
		return -1;
	*out = (int64_t)(v * mul + 0.5);
	return 0;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		/* configuration is tiny: running out here is fatal for the
		 * caller, which sees NULL fields as a load failure */
		return NULL;
	}
	return p;
}

/* "~/x" -> $HOME/x, "rel" -> dir/rel, "" -> NULL; malloc'd. */
static char *
expand_path(const char *v, const char *dir)
{
	const char *home;
	size_t n;
	char *p;

	if (*v == '\0')
		return NULL;
	if (strncmp(v, "~/", 2) == 0 && (home = getenv("HOME")) && *home) {
		n = strlen(home) + strlen(v);
		if (!(p = malloc(n)))
			return NULL;
		snprintf(p, n, "%s%s", home, v + 1);
		return p;
	}
	/* URLs (postgresql://...) and absolute paths are taken as written */
	if (v[0] == '/' || strstr(v, "://") || !dir)
		return xstrdup(v);
	n = strlen(dir) + strlen(v) + 2;
	if (!(p = malloc(n)))
		return NULL;
	snprintf(p, n, "%s/%s", dir, v);
	return p;
}

static int
parse_level(const char *v)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(v, names[i]) == 0)
			return (int)i;
	if (strcasecmp(v, "warning") == 0)
		return LOG_WARN;
	return -1;
}

static const char *
type_hint(enum cfg_type t)
{
	switch (t) {
	case T_LONG: return "an integer";
	case T_SIZE: return "a size such as 512K, 16M or 1G";
	case T_DUR: return "a duration such as 30s, 15m, 2h or 1d";
	case T_DOUBLE: return "a number";
	case T_LEVEL: return "one of error, warn, info, debug";
	default: return "a string";
	}
}

/* The string keys that take one of a few values */
static const struct {
	const char *section, *name, *choices;
} key_choices[] = {
	{ "trends", "count", "stories|items" },
	{ "alerts", "webhook_format", "json|slack" },
	{ "alerts", "smtp_tls", "try|require|none" },
};

static const char *
choices_of(const struct cfg_key *k)
{
	size_t i;

	for (i = 0; i < sizeof(key_choices) / sizeof(key_choices[0]); i++)
		if (strcmp(key_choices[i].section, k->section) == 0 &&
		    strcmp(key_choices[i].name, k->name) == 0)
			return key_choices[i].choices;
	return NULL;
}

/* v is one of choices ("a|b|c") */
static int
is_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices, *e;

	for (; *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "|");
		if ((size_t)(e - p) == n && strncmp(p, v, n) == 0)
			return 1;
	}
	return 0;
}

/* Stores one value; returns 0, or -1 with st->err filled. */
static int
set_value(struct load_state *st, const struct cfg_key *k, const char *v,
          const char *dir)
{
	char *base = (char *)st->cfg;
	char *end;
	long l;
	double d;
	int64_t i64;
	int lvl;
	const char *why = NULL;

	switch (k->type) {
	case T_STR:
	case T_PATH: {
		char **slot = (char **)(base + k->off);
		char *nv;
		static char choice_why[128];

		if (choices_of(k) && !is_choice(choices_of(k), v)) {
			snprintf(choice_why, sizeof(choice_why), "one of %s",
			         choices_of(k));
			why = choice_why;
			break;
		}
		nv = k->type == T_PATH ? expand_path(v, dir)
		                       : (*v ? xstrdup(v) : NULL);
		if (*v && !nv)
			why = "out of memory";
		else {
			free(*slot);
			*slot = nv;
		}
		break;
	}
	case T_LONG:
		errno = 0;
		l = strtol(v, &end, 10);
		if (end == v || *end || errno)
			why = type_hint(k->type);
		else if (l < k->min || l > k->max)
			why = "out of range";
		else
			*(long *)(base + k->off) = l;
		break;
	case T_DOUBLE:
		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end || errno || d != d)
			why = type_hint(k->type);
		else if (d < k->min || d > k->max)
			why = "out of range";
		else
			*(double *)(base + k->off) = d;
		break;
	case T_SIZE:
	case T_DUR:
		if ((k->type == T_SIZE ? config_parse_size(v, &i64)
		                       : config_parse_duration(v, &i64)) != 0)
			why = type_hint(k->type);
		else if ((double)i64 < k->min || (double)i64 > k->max)
			why = "out of range";
		else
			*(int64_t *)(base + k->off) = i64;
		break;
	case T_LEVEL:
		if ((lvl = parse_level(v)) < 0)
			why = type_hint(k->type);
		else
			*(int *)(base + k->off) = lvl;
		break;
	}
	if (!why)
		return 0;
	if (k->min != k->max && strcmp(why, "out of range") == 0)
		snprintf(st->err, st->errsz,
		         "%s:%d: key '%s' in [%s]: '%s' is out of range (%g to %g)",
		         st->file ? st->file : "(defaults)", st->line, k->name,
		         k->section, v, k->min, k->max);
	else
		snprintf(st->err, st->errsz,
		         "%s:%d: key '%s' in [%s]: bad value '%s' (expected %s)",
		         st->file ? st->file : "(defaults)", st->line, k->name,
		         k->section, v, why);
	return -1;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_state *st = user;
	size_t i;
	int known_section = 0;

	if (st->failed)
		return 0;
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(keys[i].name, name) == 0) {
			if (set_value(st, &keys[i], value, st->dir) != 0) {
				st->failed = 1;
				return 0;
			}
			return 1;
		}
	}
	if (!*section)
		snprintf(st->err, st->errsz,
		         "%s:%d: key '%s' is outside any [section]", st->file,
		         st->line, name);
	else if (!known_section)
		snprintf(st->err, st->errsz, "%s:%d: unknown section [%s]",
		         st->file, st->line, section);
	else
		snprintf(st->err, st->errsz,
		         "%s:%d: unknown key '%s' in [%s]", st->file, st->line,
		         name, section);
	st->failed = 1;
	return 0;
}

/* fgets-like reader for ini_parse_stream(): counts lines. */
static char *
read_line(char *buf, int num, void *stream)
{
	struct load_state *st = stream;
	char *r = fgets(buf, num, st->fp);

	if (r)
		st->line++;
	return r;
}

static void
apply_defaults(struct load_state *st)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (set_value(st, &keys[i], keys[i].def, NULL) != 0)
			st->failed = 1;  /* a bad built-in default is a bug */
}

/* data_dir-relative defaults: database and model follow data_dir unless
 * given as absolute paths. */
static int
resolve_dirs(struct pcmon_config *cfg)
{
	char *p;

	if (!cfg->data_dir)
		return -1;
	if (cfg->database && cfg->database[0] != '/' &&
	    !strstr(cfg->database, "://")) {
		if (!(p = expand_path(cfg->database, cfg->data_dir)))
			return -1;
		free(cfg->database);
		cfg->database = p;
	}
	return 0;
}

static char *
dir_of(const char *path)
{
	char cwd[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	char *d;

	if (!slash) {
		if (!getcwd(cwd, sizeof(cwd)))
			return xstrdup(".");
		return xstrdup(cwd);
	}
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		n = strlen(cwd) + 1 + (size_t)(slash - path) + 1;
		if (!(d = malloc(n)))
			return NULL;
		snprintf(d, n, "%s/%.*s", cwd, (int)(slash - path), path);
		return d;
	}
	n = (size_t)(slash - path) + 1;
	if (n == 1)
		return xstrdup("/");
	if (!(d = malloc(n)))
		return NULL;
	memcpy(d, path, n - 1);
	d[n - 1] = '\0';
	return d;
}

int
config_load(const char *path, struct pcmon_config **out, char *err,
            size_t errsz)
{
	struct load_state st = { 0 };
	struct pcmon_config *cfg;
	int rc;

	*out = NULL;
	if (!(cfg = calloc(1, sizeof(*cfg)))) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	st.cfg = cfg;
	st.err = err;
	st.errsz = errsz;
	apply_defaults(&st);
	if (st.failed)
		goto fail;
	if (path) {
		st.file = path;
		if (!(cfg->path = xstrdup(path)) || !(st.dir = dir_of(path))) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		if (!(st.fp = fopen(path, "r"))) {
			snprintf(err, errsz, "cannot read config '%s': %s", path,
			         strerror(errno));
			goto fail;
		}
		rc = ini_parse_stream(read_line, &st, on_key, &st);
		fclose(st.fp);
		st.fp = NULL;
		if (st.failed)
			goto fail;
		if (rc > 0) {
			snprintf(err, errsz, "%s:%d: not a 'key = value' line",
			         path, rc);
			goto fail;
		}
		if (rc < 0) {
			snprintf(err, errsz, "cannot read config '%s'", path);
			goto fail;
		}
	}
	if (cfg->min_interval > cfg->max_interval) {
		snprintf(err, errsz,
		         "%s: key 'min_interval' in [crawl] is greater than "
		         "max_interval", path ? path : "(defaults)");
		goto fail;
	}
	/* PCMON_DATABASE overrides the file: one configuration, several
	 * databases (a PostgreSQL server for the workers, a local copy) */
	{
		const char *e = getenv("PCMON_DATABASE");

		if (e && *e) {
			free(cfg->database);
			if (!(cfg->database = strdup(e))) {
				snprintf(err, errsz, "out of memory");
				goto fail;
			}
		}
	}
	if (resolve_dirs(cfg) != 0) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	free(st.dir);
	*out = cfg;
	return 0;
fail:
	free(st.dir);
	config_free(cfg);
	return -1;
}

void
config_free(struct pcmon_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == T_STR || keys[i].type == T_PATH)
			free(*(char **)((char *)cfg + keys[i].off));
	free(cfg->path);
	free(cfg);
}

static int
readable(const char *p)
{
	return access(p, R_OK) == 0;
}

char *
config_find(const char *explicit_path)
{
	char buf[PATH_MAX];
	const char *e, *home;

	if (explicit_path)
		return xstrdup(explicit_path);
	if ((e = getenv("PCMON_CONFIG")) && *e)
		return xstrdup(e);
	if ((e = getenv("XDG_CONFIG_HOME")) && *e) {
		if (snprintf(buf, sizeof(buf), "%s/pcmon/pcmon.conf", e) <
		        (int)sizeof(buf) && readable(buf))
			return xstrdup(buf);
	} else if ((home = getenv("HOME")) && *home) {
		if (snprintf(buf, sizeof(buf), "%s/.config/pcmon/pcmon.conf",
		             home) < (int)sizeof(buf) && readable(buf))
			return xstrdup(buf);
	}
	if (readable("/etc/pcmon/pcmon.conf"))
		return xstrdup("/etc/pcmon/pcmon.conf");
	return NULL;
}

static void
format_value(const struct pcmon_config *cfg, const struct cfg_key *k,
             char *buf, size_t bufsz)
{
	const char *base = (const char *)cfg;
	static const char *levels[] = { "error", "warn", "info", "debug" };
	int64_t v;

	switch (k->type) {
	case T_STR:
	case T_PATH: {
		const char *s = *(char *const *)(base + k->off);
		snprintf(buf, bufsz, "%s", s ? s : "");
		break;
	}
	case T_LONG:
		snprintf(buf, bufsz, "%ld", *(const long *)(base + k->off));
		break;
	case T_DOUBLE:
		snprintf(buf, bufsz, "%g", *(const double *)(base + k->off));
		break;
	case T_SIZE:
		v = *(const int64_t *)(base + k->off);
		if (v % (1024 * 1024 * 1024) == 0)
			snprintf(buf, bufsz, "%lldG", (long long)(v >> 30));
		else if (v % (1024 * 1024) == 0)
			snprintf(buf, bufsz, "%lldM", (long long)(v >> 20));
		else if (v % 1024 == 0)
			snprintf(buf, bufsz, "%lldK", (long long)(v >> 10));
		else
			snprintf(buf, bufsz, "%lld", (long long)v);
		break;
	case T_DUR:
		v = *(const int64_t *)(base + k->off);
		if (v % 86400 == 0)
			snprintf(buf, bufsz, "%lldd", (long long)(v / 86400));
		else if (v % 3600 == 0)
			snprintf(buf, bufsz, "%lldh", (long long)(v / 3600));
		else if (v % 60 == 0)
			snprintf(buf, bufsz, "%lldm", (long long)(v / 60));
		else
			snprintf(buf, bufsz, "%llds", (long long)v);
		break;
	case T_LEVEL:
		snprintf(buf, bufsz, "%s",
		         levels[*(const int *)(base + k->off) & 3]);
		break;
	}
}

void
config_dump(const struct pcmon_config *cfg, void *fpv)
{
	FILE *fp = fpv;
	const char *section = "";
	char buf[1024];
	size_t i;

	if (cfg->path)
		fprintf(fp, "; effective configuration from %s\n", cfg->path);
	else
		fprintf(fp, "; effective configuration: built-in defaults\n");
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			fprintf(fp, "\n[%s]\n", section);
		}
		format_value(cfg, &keys[i], buf, sizeof(buf));
		fprintf(fp, "%s = %s\n", keys[i].name, buf);
	}
}

void
config_dump_defaults(void *fpv)
{
	FILE *fp = fpv;
	const char *section = "";
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			fprintf(fp, "[%s]\n", section);
		}
		fprintf(fp, "%s = %s\n", keys[i].name, keys[i].def);
	}
}
