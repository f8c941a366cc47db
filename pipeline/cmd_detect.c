/*
 * cmd_detect.c - "pcmon detect": the spike detector (spike.h) over the
 * stored series, storing and sending alerts; or, with --input, over one
 * CSV series, printing one JSON line per alert day (a contract other tools
 * call, so its output format never changes).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "cmd.h"
#include "config.h"
#include "spike.h"
#include "trends.h"

static const char usage[] =
        "usage: pcmon detect [--since DATE] [--until DATE] [--no-deliver]\n"
        "                    [--count stories|items] [--model PATH]\n"
        "       pcmon detect --input FILE.csv [--threshold S] [--min-count N]\n"
        "                    [--half-life DAYS] [--warmup DAYS]\n"
        "                    [--shift-days N] [--new-gap DAYS]\n"
        "\n"
        "Without --input: runs the detector over every stored series - all\n"
        "related stories, each theme, each country, each theme x country\n"
        "pair - stores each new alert once with the stories behind it,\n"
        "prints it, and delivers it to the channels of [alerts] (unless\n"
        "--no-deliver; failed deliveries are retried by the next run).  The\n"
        "days judged are the last [detect] recent ones up to today, or\n"
        "--since to --until (inclusive, UTC); each is judged only on the days\n"
        "before it.  Parameters: [detect] in the configuration.\n"
        "\n"
        "With --input: reads a CSV with the header date,count (consecutive\n"
        "dates YYYY-MM-DD, counts >= 0; '-' is standard input; an optional\n"
        "third column blind, 0 or 1, marks crawler outages) and prints one\n"
        "line per day it alerts on:\n"
        "  {\"date\":\"YYYY-MM-DD\",\"count\":N,\"expected\":X,\"score\":S}\n"
        "(score = -log10 of the day's probability under the expected count).\n"
        "--new-gap DAYS adds \"new\" alerts (the first count after DAYS of\n"
        "zeros), marked \"kind\":\"new\" after those four keys.  Needs no\n"
        "configuration or database.\n"
        "\n"
        "Exit status: 0 done; 1 a delivery failed (it stays pending); 2 bad\n"
        "option; 3 database error; 5 unreadable or malformed CSV (the\n"
        "message names FILE:LINE).\n";

/* --------------------------------------------------------------- --input */

struct series {
	int64_t *count;
	unsigned char *blind;
	int64_t day0;
	size_t n, cap;
};

static int
series_push(struct series *s, int64_t c, int blind)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 512;
		int64_t *v = realloc(s->count, cap * sizeof(*v));
		unsigned char *b;

		if (!v)
			return -1;
		s->count = v;
		if (!(b = realloc(s->blind, cap)))
			return -1;
		s->blind = b;
		s->cap = cap;
	}
	s->count[s->n] = c;
	s->blind[s->n] = (unsigned char)blind;
	s->n++;
	return 0;
}

/* strips spaces and tabs at both ends, in place */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int
parse_count(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v > SPIKE_COUNT_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Reads the CSV from fp into s; 0, or -1 with err "NAME:LINE: what".
 * (tests/fuzz/fuzz_csv.c feeds it from memory.) */
static int
read_csv_fp(FILE *fp, const char *name, struct series *s, int *has_blind,
            char *err, size_t errsz)
{
	char *line = NULL, *f[4], *p, *hdr;
	size_t cap = 0, nf;
	ssize_t len;
	long lineno = 0;
	int64_t day, c, prev = 0;
	int rc = -1, blind;

	*has_blind = 0;
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if ((size_t)len != strlen(line)) {
			snprintf(err, errsz, "%s:%ld: NUL byte in the line",
			         name, lineno);
			goto out;
		}
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		p = line;
		if (lineno == 1 && (unsigned char)p[0] == 0xef &&
		    (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
			p += 3;
		if (lineno > 1 && *trim(p) == '\0')
			continue; /* a blank line, e.g. at the end */
		for (nf = 0; nf < 4;) {
			f[nf++] = p;
			if (!(p = strchr(p, ',')))
				break;
			*p++ = '\0';
		}
		if (p) {
			snprintf(err, errsz, "%s:%ld: too many columns", name,
			         lineno);
			goto out;
		}
		for (size_t i = 0; i < nf; i++)
			f[i] = trim(f[i]);
		if (lineno == 1) {
			hdr = f[0];
			if (nf < 2 || strcmp(hdr, "date") != 0 ||
			    strcmp(f[1], "count") != 0 ||
			    (nf == 3 && strcmp(f[2], "blind") != 0)) {
				snprintf(err, errsz,
				         "%s:1: the header must be date,count "
				         "(or date,count,blind)",
				         name);
				goto out;
			}
			*has_blind = nf == 3;
			continue;
		}
		if (nf != (size_t)(*has_blind ? 3 : 2)) {
			snprintf(err, errsz,
			         "%s:%ld: want %d columns, found %zu", name,
			         lineno, *has_blind ? 3 : 2, nf);
			goto out;
		}
		if (strlen(f[0]) != 10 || trends_parse_day(f[0], &day) != 0) {
			snprintf(err, errsz,
			         "%s:%ld: '%.40s' is not a date YYYY-MM-DD",
			         name, lineno, f[0]);
			goto out;
		}
		if (s->n > 0 && day != prev + 1) {
			char want[16];

			trends_day_label(prev + 1, want, sizeof(want));
			snprintf(err, errsz,
			         "%s:%ld: dates must be consecutive: %s after "
			         "the previous line, found %s",
			         name, lineno, want, f[0]);
			goto out;
		}
		if (parse_count(f[1], &c) != 0) {
			snprintf(err, errsz,
			         "%s:%ld: count '%.40s' is not a whole number "
			         "from 0 to %lld",
			         name, lineno, f[1], (long long)SPIKE_COUNT_MAX);
			goto out;
		}
		blind = 0;
		if (*has_blind) {
			if (strcmp(f[2], "0") != 0 && strcmp(f[2], "1") != 0) {
				snprintf(err, errsz,
				         "%s:%ld: blind '%.40s' must be 0 or 1",
				         name, lineno, f[2]);
				goto out;
			}
			blind = f[2][0] == '1';
		}
		if (s->n == 0)
			s->day0 = day;
		prev = day;
		if (series_push(s, c, blind) != 0) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (lineno == 0) {
		snprintf(err, errsz, "%s: empty: want the header date,count",
		         name);
		goto out;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

static int
read_csv(const char *path, struct series *s, int *has_blind, char *err,
         size_t errsz)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int rc;

	if (!fp) {
		snprintf(err, errsz, "%s: %s", name, strerror(errno));
		return -1;
	}
	rc = read_csv_fp(fp, name, s, has_blind, err, errsz);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* a JSON number: finite, short, never "-0" */
static void
print_num(double v)
{
	if (v < 0.0005 && v > -0.0005)
		v = 0;
	printf("%.3f", v);
}

static int
detect_input(const char *path, const struct spike_params *sp)
{
	struct series s;
	struct spike_day *out = NULL;
	char err[1024], date[16];
	size_t t;
	int has_blind, status = EXIT_FAIL;

	memset(&s, 0, sizeof(s));
	if (read_csv(path, &s, &has_blind, err, sizeof(err)) != 0) {
		fprintf(stderr, "pcmon detect: %s\n", err);
		goto done;
	}
	if (s.n && !(out = calloc(s.n, sizeof(*out)))) {
		fprintf(stderr, "pcmon detect: out of memory\n");
		goto done;
	}
	if (spike_detect(sp, s.count, s.blind, s.n,
	                 (int)(((s.day0 + 3) % 7 + 7) % 7), out) != 0) {
		fprintf(stderr, "pcmon detect: bad detector parameters\n");
		status = EXIT_USAGE;
		goto done;
	}
	for (t = 0; t < s.n; t++) {
		if (out[t].kind == SPIKE_NONE)
			continue;
		trends_day_label(s.day0 + (int64_t)t, date, sizeof(date));
		printf("{\"date\":\"%s\",\"count\":%lld,\"expected\":", date,
		       (long long)s.count[t]);
		print_num(out[t].expected);
		fputs(",\"score\":", stdout);
		print_num(out[t].score);
		fputs(out[t].kind == SPIKE_NEW ? ",\"kind\":\"new\"}\n" : "}\n",
		      stdout);
	}
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
done:
	free(out);
	free(s.count);
	free(s.blind);
	return status;
}

/* ---------------------------------------------------------------- stored */

static int
detect_stored(struct pcmon_ctx *ctx, const char *since_s, const char *until_s,
              int deliver, const char *count, const char *model)
{
	struct alerts_detect_opts o;
	int64_t today = (int64_t)time(NULL) / 86400;
	long added = 0, sent = 0, failed = 0;
	int rc, rc2;

	memset(&o, 0, sizeof(o));
	o.model = model;
	o.today = today;
	o.stories =
	        strcmp(count ? count : ctx->cfg->trends_count, "items") != 0;
	o.quiet = 0;
	if (until_s &&
	    (trends_parse_day(until_s, &o.today) != 0 || o.today > today)) {
		fprintf(stderr,
		        "pcmon detect: --until '%s': want a date "
		        "YYYY-MM-DD, not after today\n",
		        until_s);
		return EXIT_USAGE;
	}
	o.since_day = o.today - ctx->cfg->detect_recent / 86400 + 1;
	if (since_s && trends_parse_day(since_s, &o.since_day) != 0) {
		fprintf(stderr,
		        "pcmon detect: --since '%s': want a date "
		        "YYYY-MM-DD\n",
		        since_s);
		return EXIT_USAGE;
	}
	if (o.since_day > o.today) {
		fprintf(stderr, "pcmon detect: --since is after --until\n");
		return EXIT_USAGE;
	}
	rc = alerts_detect(ctx->cfg, ctx->store, &o, &added);
	if (rc != EXIT_OK)
		return rc;
	printf("%ld new alert%s\n", added, added == 1 ? "" : "s");
	if (!deliver)
		return EXIT_OK;
	rc2 = alerts_deliver(ctx->cfg, ctx->store, "pcmon detect", &sent,
	                     &failed);
	if (sent || failed)
		printf("delivered %ld, failed %ld (left pending)\n", sent,
		       failed);
	return rc2;
}

static int
num_opt(const char *name, const char *v, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end || !(*out >= lo && *out <= hi)) {
		fprintf(stderr,
		        "pcmon detect: --%s '%s': want a number from "
		        "%g to %g\n",
		        name, v, lo, hi);
		return -1;
	}
	return 0;
}

CMD_FN(cmd_detect)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "threshold", required_argument, NULL, 't' },
		{ "min-count", required_argument, NULL, 'm' },
		{ "half-life", required_argument, NULL, 'l' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "shift-days", required_argument, NULL, 'd' },
		{ "new-gap", required_argument, NULL, 'g' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "no-deliver", no_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "model", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct spike_params sp;
	const char *input = NULL, *since = NULL, *until = NULL, *count = NULL,
	           *model = NULL;
	double v;
	int c, deliver = 1, tuned = 0;

	spike_params_default(&sp);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': input = optarg; break;
		case 't':
			if (num_opt("threshold", optarg, 0.5, 50, &v) != 0)
				return EXIT_USAGE;
			sp.threshold = v;
			tuned = 1;
			break;
		case 'm':
			if (num_opt("min-count", optarg, 1, 1e6, &v) != 0)
				return EXIT_USAGE;
			sp.min_count = (long)v;
			tuned = 1;
			break;
		case 'l':
			if (num_opt("half-life", optarg, 1, 3650, &v) != 0)
				return EXIT_USAGE;
			sp.half_life = v;
			tuned = 1;
			break;
		case 'w':
			if (num_opt("warmup", optarg, 0, 3650, &v) != 0)
				return EXIT_USAGE;
			sp.warmup = (long)v;
			tuned = 1;
			break;
		case 'd':
			if (num_opt("shift-days", optarg, 2, 365, &v) != 0)
				return EXIT_USAGE;
			sp.shift_days = (long)v;
			tuned = 1;
			break;
		case 'g':
			if (num_opt("new-gap", optarg, 0, 3650, &v) != 0)
				return EXIT_USAGE;
			sp.new_gap = (long)v;
			tuned = 1;
			break;
		case 'S': since = optarg; break;
		case 'U': until = optarg; break;
		case 'n': deliver = 0; break;
		case 'c':
			if (strcmp(optarg, "stories") != 0 &&
			    strcmp(optarg, "items") != 0) {
				fprintf(stderr,
				        "pcmon detect: --count '%s': want "
				        "stories or items\n",
				        optarg);
				return EXIT_USAGE;
			}
			count = optarg;
			break;
		case 'M': model = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (input) {
		if (since || until || !deliver || count || model) {
			fprintf(stderr, "pcmon detect: --input takes only the "
			                "detector's options\n");
			return EXIT_USAGE;
		}
		return detect_input(input, &sp);
	}
	if (tuned) {
		fprintf(stderr, "pcmon detect: the detector's options go with "
		                "--input; set [detect] in the configuration "
		                "for the stored series\n");
		return EXIT_USAGE;
	}
	return detect_stored(ctx, since, until, deliver, count, model);
}
