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
#include "config.h"
#include "models.h"
#include "store.h"
#include "labels.h"

static const char usage[] =
        "usage: pcmon train --data FILE [--data FILE...] --out PATH\n"
        "                   [--kernel linear|rbf] [--folds K] [--grid] "
        "[--seed N]\n"
        "                   [--cv-out FILE]\n"
        "       pcmon train --from-db [--data FILE...] [--force] [--grid] "
        "[--seed N]\n"
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
        "  --from-db      train on the shipped corpus, any --data files and\n"
        "                 the labels stored with pcmon label; print the new\n"
        "                 model's cross-validated scores on your labels\n"
        "                 beside the model in use, and install it as\n"
        "                 DATA_DIR/models/current.model if it is not worse\n"
        "                 (the old one stays for pcmon model rollback)\n"
        "  --force        install it even if it is worse\n"
        "\n"
        "Exit status: 0 trained and saved (--from-db: installed); 1\n"
        "(--from-db) trained but not installed, being worse; 2 bad option or\n"
        "bad label file (the error names the file and line), data that\n"
        "cannot train a model (one class only), or no stored labels; 3\n"
        "database error; 5 training or saving failed.\n";

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

/* ------------------------------------------------------------ --from-db */

struct user_ex {
	char *text, *lang;
	int related;
};

struct from_db {
	struct classify_dataset *ds;
	struct user_ex *ex;
	size_t n, cap;
	int rc;
};

/* a stored label as a training example; its text kept for the comparison */
static int
add_label(const struct store_label_row *r, void *arg)
{
	struct from_db *f = arg;
	const char *tags[16];
	size_t nt = 0, tl, sl, i;
	json_t *th = r->l.themes ? json_loads(r->l.themes, 0, NULL) : NULL;
	struct user_ex *e;
	char *text;

	for (i = 0; th && json_is_array(th) && i < json_array_size(th) &&
	            nt < 16;
	     i++)
		if (json_is_string(json_array_get(th, i)))
			tags[nt++] = json_string_value(json_array_get(th, i));
	tl = r->title ? strlen(r->title) : 0;
	sl = r->summary ? strlen(r->summary) : 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct user_ex *p = realloc(f->ex, cap * sizeof(*p));

		if (!p)
			goto nomem;
		f->ex = p;
		f->cap = cap;
	}
	if (!(text = malloc(tl + sl + 2)))
		goto nomem;
	snprintf(text, tl + sl + 2, "%s\n%s", r->title ? r->title : "",
	         r->summary ? r->summary : "");
	e = &f->ex[f->n];
	e->text = text;
	e->lang = r->lang && *r->lang ? strdup(r->lang) : NULL;
	e->related = strcmp(r->l.label, "1") == 0;
	f->n++;
	if (classify_dataset_add_tagged(f->ds, r->l.label, text, e->lang, tags,
	                                nt) != CLASSIFY_OK)
		goto nomem;
	json_decref(th);
	return 0;
nomem:
	json_decref(th);
	f->rc = -1;
	return 1;
}

/* precision, recall and F1 of "related" at the threshold */
static void
prf(const struct user_ex *ex, const double *p, size_t n, double t,
    double out[3])
{
	size_t i, tp = 0, fp = 0, fn = 0;

	for (i = 0; i < n; i++) {
		int said = p[i] >= t;

		tp += said && ex[i].related;
		fp += said && !ex[i].related;
		fn += !said && ex[i].related;
	}
	out[0] = tp + fp ? (double)tp / (double)(tp + fp) : 0;
	out[1] = tp + fn ? (double)tp / (double)(tp + fn) : 0;
	out[2] = out[0] + out[1] > 0 ? 2 * out[0] * out[1] / (out[0] + out[1])
	                             : 0;
}

/*
 * train --from-db: the shipped corpus, any --data files and the stored
 * labels (each item's latest); the new model is compared with the one in
 * use on the stored labels - the new one cross-validated, the one in use
 * as it stands (it never saw them, unless an earlier --from-db did: then
 * the comparison favours it) - and installed when not worse, or --force.
 */
static int
train_from_db(struct pcmon_ctx *ctx, struct classify_train_opts *to,
              char **data, size_t ndata, int force)
{
	struct from_db f;
	struct store *st = NULL;
	struct classify_model *m = NULL, *cur = NULL, *back = NULL;
	struct classify_metrics cv;
	char **corpus = NULL, **paths = NULL, sha[65], err[1024];
	char curbuf[4096], cand[4096], nbuf[32];
	const char *curpath;
	double *scores = NULL, *curp = NULL, a[3], b[3];
	size_t ncorpus = 0, n0, i;
	int status = EXIT_FAIL, install;

	memset(&f, 0, sizeof(f));
	memset(&cv, 0, sizeof(cv));
	if (!(corpus = models_corpus(err, sizeof(err)))) {
		fprintf(stderr, "pcmon train: %s\n", err);
		return EXIT_FAIL;
	}
	while (corpus[ncorpus])
		ncorpus++;
	if (!(paths = calloc(ncorpus + ndata + 1, sizeof(*paths))))
		goto nomem;
	for (i = 0; i < ncorpus; i++)
		paths[i] = corpus[i];
	for (i = 0; i < ndata; i++)
		paths[ncorpus + i] = data[i];
	if (labels_load_dataset(paths, ncorpus + ndata, &f.ds, sha, err,
	                        sizeof(err)) != LABELS_OK) {
		fprintf(stderr, "pcmon train: %s\n", err);
		status = EXIT_USAGE;
		goto out;
	}
	n0 = classify_dataset_size(f.ds);
	if (store_open(ctx->cfg->database, &st, err, sizeof(err)) !=
	    STORE_OK) {
		fprintf(stderr, "pcmon train: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (store_label_foreach(st, 1, add_label, &f, err, sizeof(err)) !=
	    STORE_OK) {
		if (f.rc)
			goto nomem;
		fprintf(stderr, "pcmon train: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (f.rc)
		goto nomem;
	if (f.n == 0) {
		fprintf(stderr, "pcmon train: no labels stored: label items "
		                "with pcmon label set or import first\n");
		status = EXIT_USAGE;
		goto out;
	}
	if (!(scores = calloc(n0 + f.n, sizeof(*scores))) ||
	    !(curp = calloc(f.n, sizeof(*curp))))
		goto nomem;
	to->cv_scores = scores;
	to->data_sha256 = sha; /* the files; the labels are counted in meta */
	printf("training on %zu examples: %zu from the corpus and --data "
	       "files, %zu stored labels\n",
	       n0 + f.n, n0, f.n);
	fflush(stdout);
	if (classify_train(f.ds, to, &m, &cv, err, sizeof(err)) !=
	    CLASSIFY_OK) {
		fprintf(stderr, "pcmon train: cannot train: %s\n", err);
		goto out;
	}
	/* the model in use, on the same stored labels */
	curpath = models_path(ctx->cfg, NULL, curbuf, sizeof(curbuf));
	if (classify_model_load(curpath, &cur, err, sizeof(err)) ==
	    CLASSIFY_OK) {
		for (i = 0; i < f.n; i++) {
			struct classify_prediction p;

			if (classify_predict(cur, f.ex[i].text, f.ex[i].lang,
			                     &p) != CLASSIFY_OK)
				goto nomem;
			curp[i] = strcmp(p.label, "1") == 0 ? p.score
			                                    : 1 - p.score;
		}
	} else {
		printf("no model in use (%s): the new one is installed\n", err);
	}
	prf(f.ex, scores + n0, f.n, ctx->cfg->threshold, a);
	printf("\non the %zu stored labels, threshold %.2f:\n"
	       "model                         precision  recall      F1\n"
	       "new (cross-validated)            %6.4f  %6.4f  %6.4f\n",
	       f.n, ctx->cfg->threshold, a[0], a[1], a[2]);
	if (cur) {
		prf(f.ex, curp, f.n, ctx->cfg->threshold, b);
		printf("in use (%.16s)       %6.4f  %6.4f  %6.4f\n",
		       classify_model_version(cur), b[0], b[1], b[2]);
	}
	printf("new model, all examples: ");
	printf("accuracy %.4f, macro F1 %.4f (%d-fold)\n", cv.accuracy,
	       cv.macro_f1, to->folds);
	install = !cur || a[2] >= b[2] || force;
	if (set_meta(m, &cv, err, sizeof(err)) != 0)
		goto nomem;
	snprintf(nbuf, sizeof(nbuf), "%zu", f.n);
	if (classify_model_set_meta(m, "stored_labels", nbuf) != CLASSIFY_OK)
		goto nomem;
	if (!models_file(ctx->cfg, "candidate.model", cand, sizeof(cand), err,
	                 sizeof(err)) ||
	    classify_model_save(m, cand, err, sizeof(err)) != CLASSIFY_OK ||
	    classify_model_load(cand, &back, err, sizeof(err)) !=
	            CLASSIFY_OK) {
		fprintf(stderr, "pcmon train: %s\n", err);
		goto out;
	}
	if (!install) {
		printf("\nnot installed: the new model is worse on your labels "
		       "(kept as '%s'; --force installs it)\n",
		       cand);
		status = EXIT_PARTIAL;
		goto out;
	}
	if (models_install(ctx->cfg, cand, err, sizeof(err)) != 0) {
		fprintf(stderr, "pcmon train: %s\n", err);
		goto out;
	}
	printf("\ninstalled as the current model (version %s); the previous "
	       "one is kept for pcmon model rollback.\nRun pcmon classify "
	       "--all to rescore the stored items with it.\n",
	       classify_model_version(back));
	status = EXIT_OK;
	goto out;
nomem:
	fprintf(stderr, "pcmon train: out of memory\n");
	status = EXIT_FAIL;
out:
	for (i = 0; i < f.n; i++) {
		free(f.ex[i].text);
		free(f.ex[i].lang);
	}
	free(f.ex);
	classify_dataset_free(f.ds);
	classify_metrics_release(&cv);
	classify_model_free(m);
	classify_model_free(cur);
	classify_model_free(back);
	store_close(st);
	models_corpus_free(corpus);
	free(paths);
	free(scores);
	free(curp);
	to->cv_scores = NULL;
	return status;
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
		{ "from-db", no_argument, NULL, 'D' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct classify_train_opts to;
	struct classify_metrics cv;
	struct classify_dataset *ds = NULL;
	struct classify_model *m = NULL, *back = NULL;
	char **data = NULL, sha[65], err[1024];
	const char *out = NULL, *cvout = NULL;
	int fromdb = 0, force = 0;
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
		case 'D': fromdb = 1; break;
		case 'F': force = 1; break;
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
	if (fromdb) {
		if (optind != argc || out || cvout || to.folds < 2) {
			fprintf(stderr, "pcmon train: --from-db installs the "
			                "model itself: no --out or --cv-out, "
			                "and --folds 2 or more\n");
			status = EXIT_USAGE;
			goto out;
		}
		status = train_from_db(ctx, &to, data, ndata, force);
		goto out;
	}
	if (force) {
		fprintf(stderr, "pcmon train: --force goes with --from-db\n");
		status = EXIT_USAGE;
		goto out;
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
