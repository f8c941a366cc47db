/*
 * cmd_predict.c - "pcmon predict": JSON lines of items in, one JSON line of
 * label and score out per item, in input order.
 *
 * Other tools drive this through a pipe, so the output of each input line
 * is written (and, reading standard input, flushed) before the next line
 * is read.  A bad input line is reported on stderr with its line number
 * and skipped: it produces no output line, the run goes on, and the exit
 * status is 1.  The text is built as "pcmon train" builds it (labels.c):
 * title + "\n" + summary, "text" standing in for "summary".
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify/classify.h"
#include "cmd.h"
#include "config.h"
#include "models.h"
#include "util.h"
#include "annotate.h"
#include "jsonline.h"
#include "labels.h"

static const char usage[] =
        "usage: pcmon predict [--model PATH] [--explain] [FILE | -]\n"
        "\n"
        "Reads JSON lines {\"id\", \"title\", \"summary\"} (\"text\" "
        "stands for\n"
        "\"summary\"; \"lang\" is optional; other keys are ignored) from "
        "FILE or\n"
        "standard input and writes one line {\"id\", \"label\", \"score\"} "
        "per\n"
        "input line, in input order; score is the probability of label and\n"
        "id is echoed as given.  A model trained with themes adds\n"
        "\"themes\": for a related item (label \"1\") its themes of\n"
        "probability 0.5 or more, likeliest first, or else the likeliest\n"
        "one; [] for the others.  Blank lines are skipped.  A bad line is\n"
        "reported on stderr with its number and skipped (no output line).\n"
        "  --model PATH  the model (default: [classify] model)\n"
        "  --explain     add \"features\": [[term, weight], ...], the ten "
        "terms\n"
        "                that weigh most in the decision (linear models)\n"
        "\n"
        "Exit status: 0 every line scored; 1 some lines were bad; 2 bad\n"
        "option or unreadable input; 5 the model cannot be loaded.\n";

#define EXPLAIN_TERMS 10

/* One line of fp into *buf (without the newline; NUL bytes kept, so
 * that they are rejected rather than cutting the line short), growing it
 * up to LABELS_MAX_LINE; a longer line is consumed whole and *too_long
 * set.  Returns 1 for a line, 0 at the end, -1 on a read error or no
 * memory. */
static int
read_line(FILE *fp, char **buf, size_t *cap, size_t *len, int *too_long)
{
	char *nbuf;
	int ch, any = 0;

	*len = 0;
	*too_long = 0;
	while ((ch = getc_unlocked(fp)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (*too_long)
			continue;
		if (*len >= LABELS_MAX_LINE) {
			*too_long = 1;
			continue;
		}
		if (*cap - *len < 2) {
			size_t ncap = *cap ? *cap * 2 : 4096;

			if (!(nbuf = realloc(*buf, ncap)))
				return -1;
			*buf = nbuf;
			*cap = ncap;
		}
		(*buf)[(*len)++] = (char)ch;
	}
	if (ferror(fp))
		return -1;
	if (!any)
		return 0;
	if (*len > 0 && (*buf)[*len - 1] == '\r')
		(*len)--;
	if (*buf)
		(*buf)[*len] = '\0';
	return 1;
}

static void
add_feature(const char *term, double weight, void *arg)
{
	json_t *pair = json_array();

	json_array_append_new(pair, json_string(term));
	json_array_append_new(pair, json_real(isfinite(weight) ? weight : 0));
	json_array_append_new(arg, pair);
}

struct predict_run {
	const struct classify_model *m;
	int explain;
	const char *name; /* of the input, for messages */
	struct jsonline jl;
	char **qlabel; /* each class's label as a JSON string */
	char **qtag;   /* each theme as a JSON string */
	struct annotator an;
	int countries; /* print "countries" (a gazetteer is loaded) */
};

/* The common line, no tree: jsonline.c reads it, the output is printed
 * as jansson would print it (JSON_COMPACT, JSON_REAL_PRECISION(6)).
 * 0 done, 1 not handled (use jansson), -1 out of memory. */
static int
predict_fast(struct predict_run *r, const char *line, size_t len)
{
	struct jsonline *jl = &r->jl;
	struct annotation a;
	const char *title, *body, *lang;
	size_t tl, bl, i, t, n = classify_model_nclass(r->m);
	char *text, num[64];
	double score;
	int rc = jsonline_scan(jl, line, len);

	if (rc != JSONLINE_OK)
		return rc == JSONLINE_NOMEM ? -1 : 1;
	/* labels_json_text()'s rules: "text" stands in for "summary" */
	title = jl->title.s;
	tl = jl->title.len;
	body = jl->summary.s ? jl->summary.s : jl->text.s;
	bl = jl->summary.s ? jl->summary.len : jl->text.len;
	if (!title && !body)
		return 1; /* the slow path words the error */
	/* the decoded strings sit in jl->buf with room behind them: build
	 * "title\nbody" in a buffer of our own */
	if (!(text = malloc(tl + bl + 2)))
		return -1;
	if (tl)
		memcpy(text, title, tl);
	text[tl] = '\n';
	if (bl)
		memcpy(text + tl + 1, body, bl);
	text[tl + 1 + bl] = '\0';
	lang = jl->lang.s && *jl->lang.s ? jl->lang.s : NULL;
	rc = annotate(&r->an, text, lang, &a);
	free(text);
	if (rc != CLASSIFY_OK)
		return 1; /* the slow path words the error */
	for (i = 0; i < n; i++)
		if (classify_model_label(r->m, i) == a.p.label)
			break;
	if (i == n)
		return 1;
	score = isfinite(a.p.score) ? a.p.score : 0;
	score = score < 0 ? 0 : score > 1 ? 1 : score;
	if (jsonline_real(num, sizeof(num), score, 6) == 0)
		return 1;
	fputs("{\"id\":", stdout);
	if (jl->id)
		fwrite(jl->id, 1, jl->idlen, stdout);
	else
		fputs("null", stdout);
	printf(",\"label\":%s,\"score\":%s", r->qlabel[i], num);
	if (r->an.ntags) {
		fputs(",\"themes\":[", stdout);
		for (t = 0; t < a.nthemes; t++)
			printf("%s%s", t ? "," : "", r->qtag[a.themes[t]]);
		putchar(']');
	}
	if (r->countries) {
		fputs(",\"countries\":[", stdout);
		for (t = 0; t < a.ncountries; t++) /* [A-Z][A-Z]: no escaping */
			printf("%s\"%s\"", t ? "," : "", a.countries[t]);
		putchar(']');
	}
	fputs("}\n", stdout);
	return 0;
}

/* Scores one line; 0 on success, 1 for a bad line (reported), -1 when the
 * run cannot go on (reported). */
static int
predict_line(struct predict_run *r, const char *line, size_t len,
             long lineno)
{
	struct annotation a;
	json_error_t jerr;
	json_t *in = NULL, *out = NULL, *id, *feats;
	const char *lang;
	char *text = NULL, msg[512];
	double score;
	int rc, status = 1;

	msg[0] = '\0';
	if (!labels_utf8_valid(line, len)) {
		snprintf(msg, sizeof(msg), "invalid UTF-8");
		goto out;
	}
	if (!r->explain && r->qlabel) {
		rc = predict_fast(r, line, len);
		if (rc <= 0) {
			if (rc < 0)
				fprintf(stderr, "pcmon predict: out of memory\n");
			return rc;
		}
	}
	if (!(in = json_loadb(line, len, 0, &jerr))) {
		snprintf(msg, sizeof(msg), "bad JSON: %s", jerr.text);
		goto out;
	}
	if (!json_is_object(in)) {
		snprintf(msg, sizeof(msg), "not a JSON object");
		goto out;
	}
	if (labels_json_text(in, 1, &text, &lang, msg, sizeof(msg)) !=
	    LABELS_OK)
		goto out;
	if ((rc = annotate(&r->an, text, lang, &a)) != CLASSIFY_OK) {
		snprintf(msg, sizeof(msg), "cannot classify: %s",
		         classify_strerror(rc));
		goto out;
	}
	score = isfinite(a.p.score) ? a.p.score : 0;
	score = score < 0 ? 0 : score > 1 ? 1 : score;
	id = json_object_get(in, "id");
	out = json_object();
	json_object_set(out, "id", id ? id : json_null());
	json_object_set_new(out, "label", json_string(a.p.label));
	json_object_set_new(out, "score", json_real(score));
	if (r->an.ntags) {
		char *js = annotate_themes_json(&r->an, &a);

		json_object_set_new(out, "themes",
		                    js ? json_loads(js, 0, NULL) : NULL);
		free(js);
	}
	if (r->countries) {
		char *js = annotate_countries_json(&a);

		json_object_set_new(out, "countries",
		                    js ? json_loads(js, 0, NULL) : NULL);
		free(js);
	}
	if (r->explain) {
		feats = json_array();
		rc = classify_explain(r->m, text, lang, EXPLAIN_TERMS,
		                      add_feature, feats);
		json_object_set_new(out, "features", feats);
		if (rc != CLASSIFY_OK) {
			fprintf(stderr, "pcmon predict: cannot explain: %s%s\n",
			        classify_strerror(rc),
			        rc == CLASSIFY_ERR_USAGE
			                ? " (--explain needs a linear model)"
			                : "");
			status = -1;
			goto out;
		}
	}
	if (labels_json_print(out, stdout) != 0) {
		out = NULL;
		fprintf(stderr, "pcmon predict: out of memory\n");
		status = -1;
		goto out;
	}
	out = NULL;
	status = 0;
out:
	if (status == 1)
		fprintf(stderr, "pcmon predict: '%s': line %ld: %s\n", r->name,
		        lineno, msg);
	json_decref(out);
	json_decref(in);
	free(text);
	return status;
}

CMD_FN(cmd_predict)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "explain", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct predict_run r;
	struct classify_model *m = NULL;
	struct classify_gazetteer *gz = NULL;
	const char *model = NULL, *path = "-";
	char err[1024], mbuf[4096], *buf = NULL;
	size_t cap = 0, len;
	long lineno = 0, bad = 0;
	int c, rc, too_long, status = EXIT_OK;
	FILE *fp = NULL;
	size_t i, ncls = 0, ntag = 0;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'e': r.explain = 1; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (argc - optind > 1)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (optind < argc)
		path = argv[optind];
	model = models_path(ctx->cfg, model, mbuf, sizeof(mbuf));
	if (!model || !*model) {
		fprintf(stderr, "pcmon predict: no model: give --model or set "
		                "[classify] model\n");
		return EXIT_USAGE;
	}
	if (strcmp(path, "-") == 0) {
		fp = stdin;
		r.name = "<stdin>";
	} else if (!(fp = fopen(path, "rb"))) {
		fprintf(stderr, "pcmon predict: cannot open '%s': %s\n", path,
		        strerror(errno));
		return EXIT_USAGE;
	} else {
		r.name = path;
	}
	if (classify_model_load(model, &m, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon predict: %s\n", err);
		status = EXIT_FAIL;
		goto out;
	}
	r.m = m;
	/* the labels as JSON strings, once, for the fast path; without
	 * them every line takes jansson's */
	ncls = classify_model_nclass(m);
	if ((r.qlabel = calloc(ncls, sizeof(*r.qlabel))) != NULL)
		for (i = 0; i < ncls; i++) {
			json_t *js = json_string(classify_model_label(m, i));

			r.qlabel[i] = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
			json_decref(js);
			if (!r.qlabel[i]) {
				while (i > 0)
					free(r.qlabel[--i]);
				free(r.qlabel);
				r.qlabel = NULL;
				break;
			}
		}
	/* themes: JSON-quoted names; countries: the gazetteer */
	ntag = classify_model_ntags(m);
	if (ntag && (r.qtag = calloc(ntag, sizeof(*r.qtag))) != NULL)
		for (i = 0; i < ntag; i++) {
			json_t *js = json_string(classify_model_tag(m, i));

			r.qtag[i] = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
			json_decref(js);
			if (!r.qtag[i])
				break;
		}
	if ((ntag && (!r.qtag || i < ntag)) ||
	    annotator_init(&r.an, m, NULL) != 0) {
		fprintf(stderr, "pcmon predict: out of memory\n");
		status = EXIT_FAIL;
		goto out;
	}
	if (annotate_gazetteer(ctx->cfg, "predict", &gz) != 0) {
		status = EXIT_FAIL;
		goto out;
	}
	r.an.g = gz;
	r.countries = gz != NULL;
	while ((rc = read_line(fp, &buf, &cap, &len, &too_long)) == 1) {
		const char *line = buf;

		lineno++;
		if (lineno == 1 && len >= 3 &&
		    memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		if (too_long) {
			fprintf(stderr,
			        "pcmon predict: '%s': line %ld: line longer "
			        "than %zu bytes\n",
			        r.name, lineno, LABELS_MAX_LINE);
			bad++;
			continue;
		}
		if (len == 0 || strspn(line, " \t\r\f\v") == len)
			continue;
		rc = predict_line(&r, line, len, lineno);
		if (rc < 0) {
			status = EXIT_FAIL;
			goto out;
		}
		bad += rc;
		if (fp == stdin && fflush(stdout) != 0)
			break;
	}
	if (rc < 0) {
		fprintf(stderr, "pcmon predict: cannot read '%s': %s\n", r.name,
		        errno ? strerror(errno) : "out of memory");
		status = EXIT_FAIL;
		goto out;
	}
	if (ferror(stdout) || fflush(stdout) != 0) {
		fprintf(stderr, "pcmon predict: cannot write output: %s\n",
		        strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	if (bad)
		status = EXIT_PARTIAL;
out:
	if (r.qlabel) {
		for (i = 0; i < ncls; i++)
			free(r.qlabel[i]);
		free(r.qlabel);
	}
	if (r.qtag) {
		for (i = 0; i < ntag; i++)
			free(r.qtag[i]);
		free(r.qtag);
	}
	annotator_release(&r.an);
	classify_gazetteer_free(gz);
	jsonline_release(&r.jl);
	classify_model_free(m);
	free(buf);
	if (fp && fp != stdin)
		fclose(fp);
	return status;
}
