/*
 * cmd_train.c - "pcmon train": labeled examples in, a model bundle out.
 *
 * The label files are read whole (labels.c), hashed in the order given (the
 * hash is recorded in the model, so a model names the exact data it came
 * from), trained on by the classifier module with k-fold cross-validation,
 * and saved atomically: a cron run loading the model at the same moment
 * sees the old one or the new one.  The CV metrics go to stdout and into
 * the model's metadata ("cv", as JSON), with "trained_at".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "classify/classify.h"
#include "cmd.h"
#include "labels.h"

static const char usage[] =
        "usage: pcmon train --data FILE [--data FILE...] --out PATH\n"
        "                   [--kernel linear|rbf] [--folds K] [--grid] "
        "[--seed N]\n"
        "                   [--cv-out FILE]\n"
        "\n"
        "Trains a model on labeled examples, prints its cross-validated\n"
        "metrics and saves it (atomically) to PATH.\n"
        "  --data FILE    labeled examples: JSON lines {\"label\", \"title\",\n"
        "                 \"summary\" or \"text\", \"lang\", \"theme\", \"themes\"}\n"
        "                 (.jsonl, .json) or TSV label<TAB>text (.tsv,\n"
        "                 .txt); else the first byte decides ('{': JSON\n"
        "                 lines); may be repeated.  Themes, when given,\n"
        "                 train a model each.\n"
        "  --out PATH     where to write the model\n"
        "  --kernel K     linear (default) or rbf\n"
        "  --folds K      cross-validation folds, 2 to 100 (default 5);\n"
        "                 0: none - fastest, no metrics, and scores\n"
        "                 are not calibrated probabilities\n"
        "  --grid         grid search over C (and gamma for rbf) first\n"
        "  --seed N       fold assignment: same data, same seed, same model\n"
        "  --cv-out FILE  write each example's cross-validated score of\n"
        "                 the positive class: JSON lines {\"i\", \"score\"},\n"
        "                 i counting examples in --data order from 0\n"
        "\n"
        "Exit status: 0 trained and saved; 2 bad option or bad label file\n"
        "(the error names the file and line), or data that cannot train a\n"
        "model (one class only); 5 training or saving failed.\n";

static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void
format_now(char *buf, size_t bufsz)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "%lld", (long long)t);
}

static int
set_meta(struct classify_model *m, const struct classify_metrics *cv, char *err,
         size_t errsz)
{
	char when[40], *js;
	json_t *o;
	int rc;

	format_now(when, sizeof(when));
	if (classify_model_set_meta(m, "trained_at", when) != CLASSIFY_OK) {
		snprintf(err, errsz,
		         "cannot record training date: out of memory");
		return -1;
	}
	if (!(o = labels_metrics_json(cv)))
		goto nomem;
	js = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                           JSON_REAL_PRECISION(6));
	json_decref(o);
	if (!js)
		goto nomem;
	rc = classify_model_set_meta(m, "cv", js);
	free(js);
	if (rc == CLASSIFY_OK)
		return 0;
nomem:
	snprintf(err, errsz, "cannot record CV metrics: out of memory");
	return -1;
}

/* --cv-out: {"i": example, "score": cross-validated P(positive)} lines,
 * the examples in the order of the --data files */
static int
write_scores(const char *path, const double *s, size_t n, char *err,
             size_t errsz)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	size_t i;
	int bad;

	if (!fp) {
		snprintf(err, errsz, "cannot write '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		fprintf(fp, "{\"i\":%zu,\"score\":%.6f}\n", i, s[i]);
	bad = ferror(fp) || fflush(fp) != 0;
	if (fp != stdout && fclose(fp) != 0)
		bad = 1;
	if (bad) {
		snprintf(err, errsz, "cannot write '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	return 0;
}

CMD_FN(cmd_train)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "folds", required_argument, NULL, 'f' },
		{ "grid", no_argument, NULL, 'g' },
		{ "seed", required_argument, NULL, 's' },
		{ "cv-out", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct classify_train_opts to;
	struct classify_metrics cv;
	struct classify_dataset *ds = NULL;
	struct classify_model *m = NULL, *back = NULL;
	char **data = NULL, sha[65], err[1024];
	const char *out = NULL, *cvout = NULL;
	double *scores = NULL;
	size_t ndata = 0;
	long v;
	int c, rc, status = EXIT_FAIL;

	memset(&cv, 0, sizeof(cv));
	classify_train_opts_default(&to);
	if (!(data = calloc((size_t)argc + 1, sizeof(*data)))) {
		fprintf(stderr, "pcmon train: out of memory\n");
		return EXIT_FAIL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data[ndata++] = optarg; break;
		case 'o': out = optarg; break;
		case 'k':
			if (strcmp(optarg, "linear") == 0)
				to.kernel = CLASSIFY_LINEAR;
			else if (strcmp(optarg, "rbf") == 0)
				to.kernel = CLASSIFY_RBF;
			else {
				fprintf(stderr,
				        "pcmon train: unknown kernel '%s': "
				        "want linear or rbf\n",
				        optarg);
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'f':
			if (parse_long(optarg, 0, 100, &v) != 0 || v == 1) {
				fprintf(stderr,
				        "pcmon train: invalid folds '%s': want "
				        "2 to 100, or 0\n",
				        optarg);
				status = EXIT_USAGE;
				goto out;
			}
			to.folds = (int)v;
			break;
		case 'g': to.grid = 1; break;
		case 'c': cvout = optarg; break;
		case 's':
			if (parse_long(optarg, 0, INT_MAX, &v) != 0) {
				fprintf(stderr,
				        "pcmon train: invalid seed '%s'\n",
				        optarg);
				status = EXIT_USAGE;
				goto out;
			}
			to.seed = (unsigned)v;
			break;
		case 'h': status = cmd_usage(ctx, usage, EXIT_OK); goto out;
		default: status = cmd_usage(ctx, usage, EXIT_USAGE); goto out;
		}
	}
	if (optind != argc || ndata == 0 || !out) {
		if (optind == argc)
			fprintf(stderr, "pcmon train: %s\n",
			        ndata == 0 ? "no --data given"
			                   : "no --out given");
		status = cmd_usage(ctx, usage, EXIT_USAGE);
		goto out;
	}

	rc = labels_load_dataset(data, ndata, &ds, sha, err, sizeof(err));
	if (rc != LABELS_OK) {
		fprintf(stderr, "pcmon train: %s\n", err);
		status = rc == LABELS_ERR_NOMEM ? EXIT_FAIL : EXIT_USAGE;
		goto out;
	}
	to.data_sha256 = sha;
	if (to.folds == 0) {
		if (to.grid) {
			fprintf(stderr, "pcmon train: --grid needs "
			                "cross-validation: --folds 2 or more\n");
			status = EXIT_USAGE;
			goto out;
		}
		/* no held-out decision values: no Platt sigmoid either */
		to.probability = 0;
		to.folds = 5; /* unused: no CV runs */
	}
	if (cvout) {
		if (!to.probability) {
			fprintf(stderr, "pcmon train: --cv-out needs "
			                "cross-validation: --folds 2 or more\n");
			status = EXIT_USAGE;
			goto out;
		}
		if (!(scores = calloc(classify_dataset_size(ds) + 1,
		                      sizeof(*scores)))) {
			fprintf(stderr, "pcmon train: out of memory\n");
			goto out;
		}
		to.cv_scores = scores;
	}
	rc = classify_train(ds, &to, &m, to.probability ? &cv : NULL, err,
	                    sizeof(err));
	if (rc != CLASSIFY_OK) {
		fprintf(stderr, "pcmon train: cannot train: %s\n", err);
		status = rc == CLASSIFY_ERR_DATA || rc == CLASSIFY_ERR_USAGE
		                 ? EXIT_USAGE
		                 : EXIT_FAIL;
		goto out;
	}
	printf("trained a %s model on %zu examples in %zu classes "
	       "(data sha256 %.16s)\n",
	       to.kernel == CLASSIFY_RBF ? "rbf" : "linear",
	       classify_dataset_size(ds), classify_model_nclass(m), sha);
	if (!to.probability) {
		printf("no cross-validation (--folds 0): no metrics, and "
		       "scores are squashed decision values, not "
		       "probabilities\n");
	} else {
		printf("%d-fold cross-validation:\n", to.folds);
		labels_metrics_print(stdout, &cv);
	}
	if (classify_model_ntags(m)) {
		size_t i;

		printf("\nthemes (a model each, on the examples with themes%s):\n"
		       "theme                      precision  recall      F1  "
		       "support\n",
		       to.probability ? ", cross-validated" : "");
		for (i = 0; i < classify_model_ntags(m); i++) {
			const struct classify_metrics *t =
			        classify_model_tag_cv(m, i);
			const struct classify_class_metrics *cm = NULL;
			size_t k;

			for (k = 0; t && k < t->nclass; k++)
				if (strcmp(t->classes[k].label, "1") == 0)
					cm = &t->classes[k];
			if (cm)
				printf("%-26s %9.4f  %6.4f  %6.4f  %7ld\n",
				       classify_model_tag(m, i), cm->precision,
				       cm->recall, cm->f1, cm->support);
			else
				printf("%-26s         -       -       -        -\n",
				       classify_model_tag(m, i));
			if (t && to.probability &&
			    set_meta(classify_model_tag_model(m, i), t, err,
			             sizeof(err)) != 0) {
				fprintf(stderr, "pcmon train: %s\n", err);
				goto out;
			}
		}
	}
	if (to.probability && set_meta(m, &cv, err, sizeof(err)) != 0) {
		fprintf(stderr, "pcmon train: %s\n", err);
		goto out;
	}
	if (classify_model_save(m, out, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon train: %s\n", err);
		goto out;
	}
	/* read it back: the version printed is the one every reader of the
	 * file will see, and a model that cannot be loaded is not "saved" */
	if (classify_model_load(out, &back, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon train: model saved but unreadable: %s\n",
		        err);
		goto out;
	}
	printf("\nmodel saved to '%s' (version %s)\n", out,
	       classify_model_version(back));
	if (cvout && write_scores(cvout, scores, classify_dataset_size(ds), err,
	                          sizeof(err)) != 0) {
		fprintf(stderr, "pcmon train: %s\n", err);
		goto out;
	}
	status = EXIT_OK;
out:
	free(scores);
	classify_metrics_release(&cv);
	classify_model_free(back);
	classify_model_free(m);
	classify_dataset_free(ds);
	free(data);
	return status;
}
