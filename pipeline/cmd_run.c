/*
 * cmd_run.c - "pcmon run": the whole job, for cron.
 *
 * crawl -> parse -> store -> deduplicate -> classify -> aggregate -> detect
 * -> deliver, under the run lock (main.c takes it: a second run exits at
 * once with EXIT_LOCKED), each stage a no-op when there is nothing for it.
 * The stages are the commands themselves (crawl, classify, detect), so a
 * run does exactly what running them one after the other does.  After
 * every run, successful or not, a metrics file in the Prometheus
 * textfile-collector format says when the job last succeeded, so
 * monitoring notices a cron job that silently stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "series.h"
#include "store.h"

static const char usage[] =
        "usage: pcmon run [--quiet] [--force] [--no-crawl] [--no-deliver]\n"
        "                 [--no-report] [--metrics FILE]\n"
        "\n"
        "The job to run from cron: fetch the due feeds and store their new\n"
        "items (pcmon crawl), fingerprint and score them (pcmon classify),\n"
        "find spikes in every series and store and send the alerts (pcmon\n"
        "detect), write the HTML report (pcmon report, in DATA_DIR/report)\n"
        "and the metrics file.  Each stage does nothing when\n"
        "there is nothing new; running twice in a row adds nothing.\n"
        "  --quiet         print only errors\n"
        "  --force         fetch every feed, due or not\n"
        "  --no-crawl      skip fetching (work on what is stored)\n"
        "  --no-deliver    store alerts but do not send them\n"
        "  --no-report     do not write the report\n"
        "  --metrics FILE  where to write the metrics (default: [general]\n"
        "                  metrics_file, else DATA_DIR/pcmon.prom)\n"
        "\n"
        "Exit status: 0 done; 1 the run went on but something failed (a\n"
        "feed, a delivery); 2 bad option or configuration; 3 database error;\n"
        "4 another pcmon is running (nothing done); 5 any other failure.\n";

struct run_stats {
	int64_t started, finished;
	int status;
	int64_t items_before, items_after;
	int64_t feeds, feeds_failing, feeds_dead;
	int64_t related_new;
	long alerts_new, alerts_sent, alerts_failed;
	char model[128];
};

/* the worse of two exit statuses: any failure beats a partial one */
static int
worse(int a, int b)
{
	if (a == EXIT_OK)
		return b;
	if (b == EXIT_OK || b == EXIT_PARTIAL)
		return a;
	return a == EXIT_PARTIAL ? b : a;
}

/* Runs one command as a stage; quiet sends its standard output away. */
static int
stage(struct pcmon_ctx *ctx, int (*fn)(int, char **, struct pcmon_ctx *),
      const char *name, char **argv, int argc, int quiet)
{
	const char *saved = ctx->cmd;
	int out = -1, null, rc;

	log_debug("run: %s", name);
	if (quiet) {
		fflush(stdout);
		out = dup(STDOUT_FILENO);
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (out >= 0 && null >= 0)
			dup2(null, STDOUT_FILENO);
		if (null >= 0)
			close(null);
	}
	ctx->cmd = name;
	rc = fn(argc, argv, ctx);
	ctx->cmd = saved;
	if (out >= 0) {
		fflush(stdout);
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	return rc;
}

static const char *
metrics_path(const struct pcmon_config *cfg, const char *given, char *buf,
             size_t bufsz)
{
	if (given)
		return given;
	if (cfg->metrics_file && *cfg->metrics_file)
		return cfg->metrics_file;
	snprintf(buf, bufsz, "%s/pcmon.prom", cfg->data_dir);
	return buf;
}

/* The last success recorded by an earlier run, so a failed run keeps it */
static int64_t
previous_success(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	long long v = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "pcmon_last_success_timestamp_seconds %lld",
		           &v) == 1)
			break;
	fclose(fp);
	return v;
}

/* a label value: backslash, quote and newline escaped */
static void
label_value(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		if (*s == '\n') {
			fputs("\\n", fp);
			continue;
		}
		fputc(*s, fp);
	}
}

/* Written to a temporary file and renamed: a collector never reads half */
static int
write_metrics(const char *path, const struct run_stats *r)
{
	char tmp[4096];
	int64_t last = r->status == EXIT_OK || r->status == EXIT_PARTIAL
	                       ? r->finished
	                       : previous_success(path);
	FILE *fp;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if (!(fp = fopen(tmp, "w")))
		return -1;
#define GAUGE(name, help)                                                      \
	fprintf(fp, "# HELP " name " " help "\n# TYPE " name " gauge\n")
	GAUGE("pcmon_last_success_timestamp_seconds",
	      "When a pcmon run last completed (exit 0 or 1).");
	fprintf(fp, "pcmon_last_success_timestamp_seconds %lld\n",
	        (long long)last);
	GAUGE("pcmon_last_run_timestamp_seconds", "When the last run ended.");
	fprintf(fp, "pcmon_last_run_timestamp_seconds %lld\n",
	        (long long)r->finished);
	GAUGE("pcmon_last_run_exit_status", "Exit status of the last run.");
	fprintf(fp, "pcmon_last_run_exit_status %d\n", r->status);
	GAUGE("pcmon_run_duration_seconds", "How long the last run took.");
	fprintf(fp, "pcmon_run_duration_seconds %lld\n",
	        (long long)(r->finished - r->started));
	GAUGE("pcmon_feeds", "Feeds followed, by state.");
	fprintf(fp, "pcmon_feeds{state=\"ok\"} %lld\n",
	        (long long)(r->feeds - r->feeds_failing - r->feeds_dead));
	fprintf(fp, "pcmon_feeds{state=\"failing\"} %lld\n",
	        (long long)r->feeds_failing);
	fprintf(fp, "pcmon_feeds{state=\"dead\"} %lld\n",
	        (long long)r->feeds_dead);
	GAUGE("pcmon_items_new", "Items the last run stored.");
	fprintf(fp, "pcmon_items_new %lld\n",
	        (long long)(r->items_after - r->items_before));
	GAUGE("pcmon_items_total", "Items stored.");
	fprintf(fp, "pcmon_items_total %lld\n", (long long)r->items_after);
	GAUGE("pcmon_related_new", "Items the last run found related.");
	fprintf(fp, "pcmon_related_new %lld\n", (long long)r->related_new);
	GAUGE("pcmon_alerts_new", "Alerts the last run raised.");
	fprintf(fp, "pcmon_alerts_new %ld\n", r->alerts_new);
	GAUGE("pcmon_alerts_sent", "Alert deliveries the last run made.");
	fprintf(fp, "pcmon_alerts_sent %ld\n", r->alerts_sent);
	GAUGE("pcmon_alerts_failed",
	      "Alert deliveries that failed (retried next run).");
	fprintf(fp, "pcmon_alerts_failed %ld\n", r->alerts_failed);
	GAUGE("pcmon_model_info", "The model in use.");
	fputs("pcmon_model_info{version=\"", fp);
	label_value(fp, r->model);
	fputs("\"} 1\n", fp);
#undef GAUGE
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
count_items(struct store *st, struct run_stats *r, int64_t *items)
{
	struct store_stats ss;
	char err[1024];

	if (store_stats(st, &ss, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon run: %s\n", err);
		return -1;
	}
	*items = ss.items;
	r->feeds = ss.feeds;
	r->feeds_failing = ss.feeds_failing;
	r->feeds_dead = ss.feeds_dead;
	return 0;
}

CMD_FN(cmd_run)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-crawl", no_argument, NULL, 'C' },
		{ "no-deliver", no_argument, NULL, 'D' },
		{ "no-report", no_argument, NULL, 'R' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_stats r;
	struct alerts_detect_opts ao;
	struct series_model sm;
	const char *metrics = NULL, *mpath;
	char mbuf[4096], err[1024];
	char *crawl_argv[4] = { "crawl", NULL, NULL, NULL };
	char *classify_argv[2] = { "classify", NULL };
	char *report_argv[2] = { "report", NULL };
	int c, rc, quiet = 0, force = 0, crawl = 1, deliver = 1, report = 1, n = 1;
	int64_t related_before = 0, related_after = 0;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'f': force = 1; break;
		case 'C': crawl = 0; break;
		case 'D': deliver = 0; break;
		case 'R': report = 0; break;
		case 'm': metrics = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	/* quiet on a terminal means errors only; a log file keeps it all */
	if (quiet && !(ctx->cfg->log_file && *ctx->cfg->log_file))
		log_set_level(LOG_ERROR);
	r.started = (int64_t)time(NULL);
	mpath = metrics_path(ctx->cfg, metrics, mbuf, sizeof(mbuf));
	log_info("run: started");
	if (count_items(ctx->store, &r, &r.items_before) != 0) {
		r.status = EXIT_DB;
		goto done;
	}
	if (series_model(ctx->cfg, ctx->store, NULL, "pcmon run", &sm) != 0) {
		r.status = EXIT_FAIL;
		goto done;
	}
	snprintf(r.model, sizeof(r.model), "%s", sm.version);
	if (store_prediction_related(ctx->store, sm.version,
	                             ctx->cfg->threshold, INT64_MIN,
	                             &related_before, err,
	                             sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon run: %s\n", err);
		r.status = EXIT_DB;
		goto done;
	}

	if (crawl) {
		if (quiet)
			crawl_argv[n++] = "--quiet";
		if (force)
			crawl_argv[n++] = "--force";
		rc = stage(ctx, cmd_crawl, "crawl", crawl_argv, n, quiet);
		r.status = worse(r.status, rc);
		if (rc != EXIT_OK && rc != EXIT_PARTIAL)
			goto done; /* no point classifying on a broken store */
	}
	rc = stage(ctx, cmd_classify, "classify", classify_argv, 1, quiet);
	r.status = worse(r.status, rc);
	if (rc != EXIT_OK && rc != EXIT_PARTIAL)
		goto done;

	memset(&ao, 0, sizeof(ao));
	ao.today = (int64_t)time(NULL) / 86400;
	ao.since_day = ao.today - ctx->cfg->detect_recent / 86400 + 1;
	ao.stories = strcmp(ctx->cfg->trends_count, "items") != 0;
	ao.quiet = quiet;
	rc = alerts_detect(ctx->cfg, ctx->store, &ao, &r.alerts_new);
	r.status = worse(r.status, rc);
	if (rc == EXIT_OK && deliver) {
		rc = alerts_deliver(ctx->cfg, ctx->store, "pcmon run",
		                    &r.alerts_sent, &r.alerts_failed);
		r.status = worse(r.status, rc);
	}
	if (report) {
		rc = stage(ctx, cmd_report, "report", report_argv, 1, quiet);
		r.status = worse(r.status, rc);
	}

done:
	if (count_items(ctx->store, &r, &r.items_after) != 0)
		r.status = worse(r.status, EXIT_DB);
	/* what the model found in this run */
	if (r.model[0] &&
	    store_prediction_related(ctx->store, r.model, ctx->cfg->threshold,
	                             INT64_MIN, &related_after, err,
	                             sizeof(err)) == STORE_OK)
		r.related_new = related_after - related_before;
	r.finished = (int64_t)time(NULL);
	if (write_metrics(mpath, &r) != 0) {
		fprintf(stderr, "pcmon run: cannot write metrics file '%s': %s\n",
		        mpath, strerror(errno));
		r.status = worse(r.status, EXIT_PARTIAL);
	}
	log_info("run: done in %lld s, status %d: %lld new items, %lld "
	         "related, %ld new alerts, %ld delivered, %ld failed",
	         (long long)(r.finished - r.started), r.status,
	         (long long)(r.items_after - r.items_before),
	         (long long)r.related_new, r.alerts_new, r.alerts_sent,
	         r.alerts_failed);
	if (!quiet)
		printf("run: %lld new items, %lld related, %ld new alerts "
		       "(%ld delivered, %ld failed) in %lld s\n",
		       (long long)(r.items_after - r.items_before),
		       (long long)r.related_new, r.alerts_new, r.alerts_sent,
		       r.alerts_failed, (long long)(r.finished - r.started));
	return r.status;
}
