/*
 * config.h - pcmon's configuration: one INI file read with libinih.
 *
 * Every key has a default compiled in (the table in config.c, which is also
 * what config/pcmon.conf documents), so an empty file is a valid
 * configuration.  Unknown sections or keys and bad values are errors that
 * name the file, the line and the key.  Relative paths in the file are
 * relative to the directory of the file itself.
 */
#ifndef PCMON_CONFIG_H
#define PCMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

struct pcmon_config {
	char *path;           /* the file read, NULL when only defaults */

	/* [general] */
	char *data_dir;       /* absolute */
	char *database;       /* absolute path, or a URL for other backends */
	int log_level;        /* enum log_level */
	char *log_file;       /* NULL: stderr */
	char *metrics_file;   /* NULL: DATA_DIR/pcmon.prom */

	/* [crawl] */
	char *user_agent;
	long concurrency;
	long per_host;
	double host_delay;        /* seconds between requests to one host */
	long connect_timeout;     /* seconds */
	long timeout;             /* seconds, whole transfer */
	long low_speed_limit;     /* bytes/s ... */
	long low_speed_time;      /* ... for this many seconds aborts */
	int64_t max_body;         /* bytes, decompressed */
	int64_t max_header;       /* bytes */
	long max_redirects;
	int64_t min_interval;     /* seconds */
	int64_t max_interval;     /* seconds */
	long fail_threshold;      /* consecutive failures before "failing" */
	long raw_keep;            /* raw bodies kept per feed */
	int64_t probe_interval;   /* seconds between unconditional probes of a
	                           * feed answering 304 (stale validators) */
	long redirect_confirm;    /* crawls seeing the same permanent redirect
	                           * before the feed's URL follows it */

	/* [parse] */
	long max_items;
	int64_t max_field;
	long max_depth;

	/* [classify] */
	char *model;              /* absolute path of the model bundle */
	char *gazetteer;          /* country names (TSV); "": none */
	double threshold;

	/* [trends] */
	char *trends_count;        /* "stories" or "items" */
	double trends_confidence;  /* of the interval around the estimate */

	/* [detect] */
	int64_t detect_history;    /* seconds of history the detector reads */
	int64_t detect_recent;     /* alerts only on days this recent */
	double detect_outage_share; /* share of feeds failing: a blind day */
	int64_t detect_cooldown;   /* no new alert of a series this soon */
	long detect_stories;       /* stories kept with an alert */
	double detect_threshold;   /* the detector (spike.h) */
	long detect_min_count;
	double detect_half_life;
	long detect_warmup;
	long detect_shift_days;
	long detect_new_gap;       /* for country and theme x country series */

	/* [alerts] */
	char *alert_webhook;       /* "": none */
	char *alert_webhook_format; /* "json" or "slack" */
	char *alert_smtp_url;      /* "": no e-mail */
	char *alert_smtp_user;
	char *alert_smtp_password_file;
	char *alert_smtp_tls;      /* "try", "require", "none" */
	char *alert_mail_from;
	char *alert_mail_to;       /* comma-separated */
	char *alert_ca_file;
	long alert_insecure;
	long alert_timeout;
};

/*
 * Loads path (NULL: defaults only).  On failure returns -1, *out is NULL and
 * err holds "FILE:LINE: key 'K': message".  Free with config_free().
 */
int config_load(const char *path, struct pcmon_config **out, char *err,
                size_t errsz);
void config_free(struct pcmon_config *cfg);

/* Which file to read: -c, else $PCMON_CONFIG, else
 * $XDG_CONFIG_HOME/pcmon/pcmon.conf or ~/.config/pcmon/pcmon.conf, else
 * /etc/pcmon/pcmon.conf, when they exist; NULL for built-in defaults.
 * Returns a malloc'd string or NULL. */
char *config_find(const char *explicit_path);

/* Writes the effective configuration as INI to fp (a FILE *). */
void config_dump(const struct pcmon_config *cfg, void *fp);
/* Writes every key with its built-in default, as INI. */
void config_dump_defaults(void *fp);

/* Value parsers shared with the command line: 0 on success, -1 if bad. */
int config_parse_size(const char *s, int64_t *out);     /* 10M, 64K, 1G */
int config_parse_duration(const char *s, int64_t *out); /* 30s, 15m, 2h, 1d */

#endif
