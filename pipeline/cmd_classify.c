/*
 * cmd_classify.c - "pcmon classify": scores the stored items with a model.
 *
 * Items are read in id order a page at a time (keyset pagination, so the
 * thousandth page costs what the first does), scored, and each page's
 * predictions are written in one transaction: a kill loses at most one
 * page, and the next run picks up where this one stopped, because it
 * visits only items without a prediction of this model's version.  --all
 * rescores everything (after retraining on the same version, or to
 * refresh scores).  The model is loaded and checked before anything is
 * read, so a damaged model stores nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "annotate.h"
#include "classify/classify.h"
#include "cmd.h"
#include "config.h"
#include "models.h"
#include "stories.h"
#include "util.h"
#include "log.h"
#include "store.h"

static const char usage[] =
        "usage: pcmon classify [--all] [--model PATH] [--batch N]\n"
        "       pcmon classify --worker [--model PATH] [--batch N]\n"
        "\n"
        "Scores every stored item that has no prediction of the model yet\n"
        "and stores its label and score, 1,000 items per transaction.\n"
        "First, every new item gets a near-duplicate fingerprint and joins\n"
        "the story of an earlier copy of it (trends count stories once).\n"
        "  --all         rescore every item\n"
        "  --model PATH  the model (default: [classify] model)\n"
        "  --batch N     items per transaction (default 1000)\n"
        "  --worker      one of many classifiers sharing a database (best\n"
        "                on PostgreSQL): claim unscored items a batch at a\n"
        "                time, skipping those another worker holds; no\n"
        "                lock, no fingerprints (pcmon run or a plain\n"
        "                classify does those)\n"
        "\n"
        "The summary counts as related the items labeled \"1\" with a "
        "score at\n"
        "or above [classify] threshold.\n"
        "\n"
        "Exit status: 0 done; 2 bad option; 3 database error; 4 another\n"
        "pcmon holds the lock; 5 the model cannot be loaded or used.\n";

#define DEFAULT_BATCH 1000
#define TEXT_MAX      (1 << 20) /* title + summary handed to the model */

struct classify_batch {
	const struct classify_model *m;
	struct annotator an;
	const char *version;
	struct store_prediction *p;
	size_t n;
	char *text;
	size_t textcap;
	int64_t scored_at;
	int failed; /* classify_err of a failed prediction */
	int64_t failed_id;
};

/* frees the themes and countries strings of the batch's predictions */
static void
batch_clear(struct classify_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free((char *)b->p[i].themes);
		free((char *)b->p[i].countries);
	}
	b->n = 0;
}

static int
score_item(const struct store_item_text *r, void *arg)
{
	struct classify_batch *b = arg;
	struct annotation a;
	struct store_prediction *p;
	size_t tl = r->title ? strlen(r->title) : 0;
	size_t sl = r->summary ? strlen(r->summary) : 0;
	int rc;

	/* a runaway summary is cut: the model needs the start, not 50 MB */
	if (tl > TEXT_MAX)
		tl = TEXT_MAX;
	if (sl > TEXT_MAX - tl)
		sl = TEXT_MAX - tl;
	if (tl)
		memcpy(b->text, r->title, tl);
	b->text[tl] = '\n';
	if (sl)
		memcpy(b->text + tl + 1, r->summary, sl);
	b->text[tl + 1 + sl] = '\0';
	if ((rc = annotate(&b->an, b->text, r->lang, &a)) != CLASSIFY_OK) {
		b->failed = rc;
		b->failed_id = r->id;
		return 1;
	}
	p = &b->p[b->n++];
	memset(p, 0, sizeof(*p));
	p->item_id = r->id;
	p->model_version = b->version;
	p->label = a.p.label; /* borrowed from the model */
	if (b->an.ntags && !(p->themes = annotate_themes_json(&b->an, &a)))
		b->failed = CLASSIFY_ERR_NOMEM;
	if (b->an.g && !(p->countries = annotate_countries_json(&a)))
		b->failed = CLASSIFY_ERR_NOMEM;
	if (b->failed) {
		b->failed_id = r->id;
		return 1;
	}
	p->score = isfinite(a.p.score) ? a.p.score : 0;
	if (p->score < 0)
		p->score = 0;
	if (p->score > 1)
		p->score = 1;
	p->scored_at = b->scored_at;
	return 0;
}

/* --worker: batches claimed, scored and stored in one transaction each,
 * until no unclaimed item is left. */
static int
classify_worker(struct pcmon_ctx *ctx, struct classify_batch *b, long batch,
                const char *model, int64_t *done, int64_t *related)
{
	char err[1024];
	size_t i;

	for (;;) {
		batch_clear(b);
		if (store_begin(ctx->store, err, sizeof(err)) != STORE_OK)
			goto db;
		if (store_item_claim_unscored(ctx->store, b->version, batch,
		                              score_item, b, err,
		                              sizeof(err)) != STORE_OK) {
			store_rollback(ctx->store);
			goto db;
		}
		if (b->failed) {
			store_rollback(ctx->store);
			fprintf(stderr,
			        "pcmon classify: cannot classify item %lld "
			        "with '%s': %s\n",
			        (long long)b->failed_id, model,
			        classify_strerror(b->failed));
			return EXIT_FAIL;
		}
		if (b->n > 0 && store_prediction_put(ctx->store, b->p, b->n, err,
		                                     sizeof(err)) != STORE_OK) {
			store_rollback(ctx->store);
			goto db;
		}
		if (store_commit(ctx->store, err, sizeof(err)) != STORE_OK)
			goto db;
		if (b->n == 0)
			return EXIT_OK;
		for (i = 0; i < b->n; i++)
			if (strcmp(b->p[i].label, "1") == 0 &&
			    b->p[i].score >= ctx->cfg->threshold)
				(*related)++;
		*done += (int64_t)b->n;
	}
db:
	fprintf(stderr, "pcmon classify: %s\n", err);
	return EXIT_DB;
}

CMD_FN(cmd_classify)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "model", required_argument, NULL, 'm' },
		{ "batch", required_argument, NULL, 'b' },
		{ "worker", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct classify_batch b;
	struct classify_model *m = NULL;
	struct classify_gazetteer *gz = NULL;
	const char *model = NULL;
	char err[1024], mbuf[4096], *end;
	long batch = DEFAULT_BATCH;
	int64_t after = 0, total = 0, done = 0, related = 0;
	size_t i;
	int c, rc, all = 0, worker = 0, progress, status = EXIT_FAIL;
	long fingerprinted = 0, joined = 0;

	memset(&b, 0, sizeof(b));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'w': worker = 1; break;
		case 'm': model = optarg; break;
		case 'b':
			errno = 0;
			batch = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || batch < 1 ||
			    batch > 1000000) {
				fprintf(stderr,
				        "pcmon classify: invalid batch size "
				        "'%s': want 1 to 1000000\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (worker && all) {
		fprintf(stderr, "pcmon classify: --worker scores what is not "
		                "scored yet; not with --all\n");
		return EXIT_USAGE;
	}
	model = models_path(ctx->cfg, model, mbuf, sizeof(mbuf));
	if (!model || !*model) {
		fprintf(stderr, "pcmon classify: no model: give --model or set "
		                "[classify] model\n");
		return EXIT_USAGE;
	}
	if (classify_model_load(model, &m, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon classify: %s\n", err);
		return EXIT_FAIL;
	}
	b.m = m;
	if (annotator_init(&b.an, m, NULL) != 0) {
		fprintf(stderr, "pcmon classify: out of memory\n");
		goto out;
	}
	if (annotate_gazetteer(ctx->cfg, "classify", &gz) != 0)
		goto out;
	b.an.g = gz;
	b.version = classify_model_version(m);
	b.scored_at = (int64_t)time(NULL);
	b.p = calloc((size_t)batch, sizeof(*b.p));
	b.text = malloc(TEXT_MAX + 2);
	if (!b.p || !b.text) {
		fprintf(stderr, "pcmon classify: out of memory\n");
		goto out;
	}
	if (worker) {
		status = classify_worker(ctx, &b, batch, model, &done, &related);
		if (status == EXIT_OK)
			printf("classified %lld items with model %s: %lld "
			       "related\n",
			       (long long)done, b.version, (long long)related);
		goto out;
	}
	/* stories first: trends count a story once however many outlets
	 * carry it */
	if (stories_assign(ctx->store, &fingerprinted, &joined, err,
	                   sizeof(err)) != 0) {
		fprintf(stderr, "pcmon classify: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (fingerprinted)
		log_info("%ld new items fingerprinted, %ld of them copies of an "
		         "earlier story",
		         fingerprinted, joined);
	if (store_item_unscored_count(ctx->store, b.version, all, &total, err,
	                              sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon classify: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	progress =
	        isatty(STDERR_FILENO) && log_enabled(LOG_INFO) && total > batch;
	for (;;) {
		batch_clear(&b);
		rc = store_item_unscored(ctx->store, b.version, all, after,
		                         batch, score_item, &b, &after, err,
		                         sizeof(err));
		if (rc != STORE_OK) {
			fprintf(stderr, "%spcmon classify: %s\n",
			        progress ? "\n" : "", err);
			status = EXIT_DB;
			goto out;
		}
		if (b.failed) {
			fprintf(stderr,
			        "%spcmon classify: cannot classify item %lld "
			        "with '%s': %s\n",
			        progress ? "\n" : "", (long long)b.failed_id,
			        model, classify_strerror(b.failed));
			goto out;
		}
		if (b.n == 0)
			break;
		if (store_prediction_put(ctx->store, b.p, b.n, err,
		                         sizeof(err)) != STORE_OK) {
			fprintf(stderr, "%spcmon classify: %s\n",
			        progress ? "\n" : "", err);
			status = EXIT_DB;
			goto out;
		}
		for (i = 0; i < b.n; i++)
			if (strcmp(b.p[i].label, "1") == 0 &&
			    b.p[i].score >= ctx->cfg->threshold)
				related++;
		done += (int64_t)b.n;
		if (progress)
			fprintf(stderr, "\rclassified %lld of %lld items",
			        (long long)done, (long long)total);
		if ((long)b.n < batch)
			break;
	}
	if (progress)
		fputc('\n', stderr);
	printf("classified %lld items with model %s: %lld related\n",
	       (long long)done, b.version, (long long)related);
	status = EXIT_OK;
out:
	if (b.p)
		batch_clear(&b);
	annotator_release(&b.an);
	classify_gazetteer_free(gz);
	free(b.p);
	free(b.text);
	classify_model_free(m);
	return status;
}
