/*
 * test_classify.c - the model half of classify/: SHA-256 vectors, metrics
 * on a hand-computed confusion matrix, training errors, the linear fast
 * path against libsvm (decisions, labels, probabilities), the assembled
 * pairwise model against svm_train() on the whole problem, save/load,
 * determinism, corrupt bundles, fold-only vocabularies, explain.
 *
 * The data sets are generated here from word lists with a fixed PRNG
 * (2 and 3 classes, 480 and 450 short texts); with PCMON_SHARED_DATA set
 * and ag_news/test.csv.gz present, 2,000 AG News rows (4 classes) too.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
/* -Icrawler comes first: crawler/ has an internal.h too */
#include "classify/classify_model.h"
#include "classify/classify_sha256.h"

/* ---------------------------------------------------------------- data */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* clang-format off */
static const char *const topic[3][16] = {
	{ "police", "arrest", "suspect", "raid", "officer", "investigation",
	  "smuggling", "extradition", "warrant", "detective", "custody",
	  "interpol", "seized", "charges", "prosecutor", "fugitive" },
	{ "football", "match", "goal", "league", "coach", "striker",
	  "tournament", "season", "champion", "stadium", "referee", "player",
	  "transfer", "penalty", "score", "cup" },
	{ "storm", "rain", "forecast", "temperature", "flood", "wind",
	  "weather", "snow", "drought", "heatwave", "cloud", "humid",
	  "thunder", "climate", "sunny", "frost" },
};
static const char *const filler[] = {
	"city", "report", "monday", "people", "local", "news", "said", "week",
	"country", "government", "official", "region", "today", "group",
	"time", "year", "announced", "statement", "major", "north",
};
static const char *const label3[3] = { "crime", "sport", "weather" };
/* clang-format on */

/* n texts of nclass classes: 4-10 words, about 55% from the class's list,
 * the rest filler or another class's words (so the classes overlap) */
static struct classify_dataset *
make_data(size_t n, int nclass, const char *const *labels, uint64_t seed)
{
	struct classify_dataset *ds;
	size_t i;

	rng_state = seed;
	if (classify_dataset_create(&ds) != CLASSIFY_OK)
		return NULL;
	for (i = 0; i < n; i++) {
		int c = (int)(i % (size_t)nclass), w, nw = 4 + (int)(rng() % 7);
		char text[512];
		size_t len = 0;

		text[0] = '\0';
		for (w = 0; w < nw; w++) {
			uint64_t r = rng() % 100;
			const char *word;

			if (r < 55)
				word = topic[c][rng() % 16];
			else if (r < 85)
				word = filler[rng() % 20];
			else
				word = topic[rng() % 3][rng() % 16];
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			                        "%s%s", w ? " " : "", word);
		}
		classify_dataset_add(ds, labels[c], text, "en");
	}
	return ds;
}

/* --------------------------------------------------------------- sha256 */

static void
test_sha256(void)
{
	char hex[65];
	struct classify_sha256 s;
	unsigned char d[32], chunk[1001];
	int i;

	classify_sha256_hex("", 0, hex);
	CHECK_STR(hex,
	          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
	          "b855",
	          "sha256 of the empty string");
	classify_sha256_hex("abc", 3, hex);
	CHECK_STR(hex,
	          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f200"
	          "15ad",
	          "sha256 of abc");
	classify_sha256_hex(
	        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	        hex);
	CHECK_STR(hex,
	          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db"
	          "06c1",
	          "sha256 of the 448-bit message");
	memset(chunk, 'a', sizeof(chunk));
	classify_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		classify_sha256_update(&s, chunk, i % 2 ? 999 : 1001);
	classify_sha256_final(&s, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CHECK_STR(hex,
	          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc711"
	          "2cd0",
	          "sha256 of a million 'a' in odd pieces");
}

/* -------------------------------------------------------------- metrics */

static void
test_metrics(void)
{
	/* truth/pred over a, b, c:
	 *        pred a  b  c
	 * true a      3  1  0     precision a 3/4, recall 3/4
	 * true b      1  2  1     precision b 2/4, recall 2/4
	 * true c      0  1  1     precision c 1/2, recall 1/2 */
	static const size_t truth[] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2 };
	static const size_t pred[] = { 0, 0, 0, 1, 0, 1, 1, 2, 1, 2 };
	static char *labels[] = { "a", "b", "c" };
	static const double score[] = { .95, .85, .75, .65, .55,
		                        .45, .35, .25, .15, .05 };
	static const size_t btruth[] = { 1, 1, 0, 1, 0, 1, 0, 0, 1, 0 };
	static const size_t bpred[] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 };
	struct classify_metrics m;
	long want[9] = { 3, 1, 0, 1, 2, 1, 0, 1, 1 };
	int i, same = 1;

	CHECK_INT(metrics_compute(3, labels, 10, truth, pred, NULL, 0, &m),
	          CLASSIFY_OK, "metrics: computed");
	CHECK_INT(m.n, 10, "metrics: n");
	CHECK(fabs(m.accuracy - 0.6) < 1e-12, "metrics: accuracy 6/10");
	CHECK(fabs(m.micro_f1 - 0.6) < 1e-12, "metrics: micro F1 = accuracy");
	CHECK(fabs(m.classes[0].precision - 0.75) < 1e-12 &&
	              fabs(m.classes[0].recall - 0.75) < 1e-12 &&
	              fabs(m.classes[0].f1 - 0.75) < 1e-12,
	      "metrics: class a P/R/F1 3/4");
	CHECK(fabs(m.classes[1].f1 - 0.5) < 1e-12 &&
	              fabs(m.classes[2].f1 - 0.5) < 1e-12,
	      "metrics: classes b and c F1 1/2");
	CHECK(fabs(m.macro_f1 - (0.75 + 0.5 + 0.5) / 3) < 1e-12,
	      "metrics: macro F1");
	CHECK_INT(m.classes[2].support, 2, "metrics: support of c");
	CHECK_STR(m.classes[1].label, "b", "metrics: label b");
	for (i = 0; i < 9; i++)
		same &= m.confusion[i] == want[i];
	CHECK(same, "metrics: confusion matrix [true * n + pred]");
	CHECK_INT(m.nthresh, 0, "metrics: no thresholds for 3 classes");
	classify_metrics_release(&m);

	/* binary, positive class 1, score >= t predicts positive */
	CHECK_INT(metrics_compute(2, labels, 10, btruth, bpred, score, 1, &m),
	          CLASSIFY_OK, "metrics: binary computed");
	CHECK_INT(m.nthresh, 9, "metrics: 9 thresholds");
	/* t = 0.5: scores .95 .85 .75 .65 .55 -> truth 1 1 0 1 0: 3/5,
	 * recall 3/5 (positives: 0,1,3,5,8) */
	CHECK(fabs(m.thresholds[4] - 0.5) < 1e-12 &&
	              fabs(m.thresh_precision[4] - 0.6) < 1e-12 &&
	              fabs(m.thresh_recall[4] - 0.6) < 1e-12,
	      "metrics: P/R at 0.5");
	/* t = 0.1: all but .05: positives 5 of 9, recall 1 */
	CHECK(fabs(m.thresh_precision[0] - 5.0 / 9) < 1e-12 &&
	              fabs(m.thresh_recall[0] - 1.0) < 1e-12,
	      "metrics: P/R at 0.1");
	/* t = 0.9: only .95 (positive) */
	CHECK(fabs(m.thresh_precision[8] - 1.0) < 1e-12 &&
	              fabs(m.thresh_recall[8] - 0.2) < 1e-12,
	      "metrics: P/R at 0.9");
	classify_metrics_release(&m);
	classify_metrics_release(&m); /* released twice: harmless */
}

/* ----------------------------------------------------------- bad input */

static void
test_bad_data(void)
{
	struct classify_dataset *ds;
	struct classify_train_opts o;
	struct classify_model *m = (struct classify_model *)1;
	char err[256];
	int i;

	classify_train_opts_default(&o);
	classify_dataset_create(&ds);
	CHECK_INT(classify_train(ds, &o, &m, NULL, err, sizeof(err)),
	          CLASSIFY_ERR_DATA, "empty data set: CLASSIFY_ERR_DATA");
	CHECK(m == NULL, "empty data set: no model");
	CHECK(strstr(err, "no training examples") != NULL,
	      "empty data set: message '%s'", err);
	for (i = 0; i < 10; i++)
		classify_dataset_add(ds, "sport", "football match goal", "en");
	CHECK_INT(classify_train(ds, &o, &m, NULL, err, sizeof(err)),
	          CLASSIFY_ERR_DATA, "one class: CLASSIFY_ERR_DATA");
	CHECK(strstr(err, "only one class ('sport') in 10 examples") != NULL,
	      "one class: message '%s'", err);
	classify_dataset_add(ds, "crime", "police arrest suspect", "en");
	o.C = -1;
	CHECK_INT(classify_train(ds, &o, &m, NULL, err, sizeof(err)),
	          CLASSIFY_ERR_USAGE, "C -1: CLASSIFY_ERR_USAGE (%s)", err);
	classify_dataset_free(ds);
	CHECK_STR(classify_strerror(CLASSIFY_ERR_CORRUPT), "damaged model file",
	          "strerror");
}

/* ------------------------------------------------ fast path == libsvm */

struct compare {
	size_t n;
	double maxdiff, maxpdiff;
	size_t label_mismatch, plabel_mismatch;
};

/* every text of ds through the fast path and through libsvm */
static void
compare_libsvm(const struct classify_model *m,
               const struct classify_dataset *ds, size_t from, size_t to,
               struct compare *c)
{
	double dec[64], ref[64], prob[16], pref[16], score;
	size_t i, p;

	memset(c, 0, sizeof(*c));
	for (i = from; i < to && i < ds->n; i++) {
		struct svm_node *x;
		struct classify_prediction pr;
		size_t nx, cls, k;

		if (vocab_vectorize(m->vocab, ds->ex[i].text, ds->ex[i].lang,
		                    &x, &nx) != CLASSIFY_OK)
			continue;
		model_decisions(m, x, dec);
		svm_predict_values(m->svm, x, ref);
		for (p = 0; p < m->npair; p++)
			if (fabs(dec[p] - ref[p]) > c->maxdiff)
				c->maxdiff = fabs(dec[p] - ref[p]);
		cls = model_outcome(m->nclass, dec, NULL, NULL, prob, &score);
		if ((double)cls != svm_predict(m->svm, x))
			c->label_mismatch++;
		if (m->svm->probA) {
			double lab = svm_predict_probability(m->svm, x, pref);

			cls = model_outcome(m->nclass, dec, m->svm->probA,
			                    m->svm->probB, prob, &score);
			if ((double)cls != lab)
				c->plabel_mismatch++;
			for (k = 0; k < m->nclass; k++)
				if (fabs(prob[k] - pref[k]) > c->maxpdiff)
					c->maxpdiff = fabs(prob[k] - pref[k]);
			classify_predict(m, ds->ex[i].text, ds->ex[i].lang,
			                 &pr);
			if (fabs(pr.score - pref[(size_t)lab]) > c->maxpdiff)
				c->maxpdiff =
				        fabs(pr.score - pref[(size_t)lab]);
		}
		free(x);
		c->n++;
	}
}

/* the pairwise-assembled model against svm_train() on the whole problem,
 * rows grouped by class in label order as classify_train() groups them */
static double
compare_svm_train(const struct classify_model *m,
                  const struct classify_dataset *ds, int class_weights)
{
	struct svm_problem prob;
	struct svm_parameter par;
	struct svm_node **xs;
	struct svm_model *ref;
	size_t n = ds->n, i, c, l = 0, cnt[16] = { 0 };
	int wl[16];
	double w[16], dec[64], rdec[64], maxdiff = 0;

	xs = calloc(n, sizeof(*xs));
	prob.x = calloc(n, sizeof(*prob.x));
	prob.y = calloc(n, sizeof(*prob.y));
	for (i = 0; i < n; i++) {
		size_t nx;

		vocab_vectorize(m->vocab, ds->ex[i].text, ds->ex[i].lang,
		                &xs[i], &nx);
		for (c = 0; strcmp(m->labels[c], ds->ex[i].label); c++)
			;
		cnt[c]++;
	}
	for (c = 0; c < m->nclass; c++)
		for (i = 0; i < n; i++)
			if (strcmp(m->labels[c], ds->ex[i].label) == 0) {
				prob.x[l] = xs[i];
				prob.y[l++] = (double)c;
			}
	prob.l = (int)l;
	memset(&par, 0, sizeof(par));
	par.svm_type = C_SVC;
	par.kernel_type = m->svm->param.kernel_type;
	par.gamma = m->svm->param.gamma;
	par.degree = 3;
	par.cache_size = 100;
	par.eps = 0.001;
	par.C = m->svm->param.C;
	par.shrinking = 1;
	if (class_weights) {
		par.nr_weight = (int)m->nclass;
		par.weight_label = wl;
		par.weight = w;
		for (c = 0; c < m->nclass; c++) {
			wl[c] = (int)c;
			w[c] = (double)n / ((double)m->nclass * (double)cnt[c]);
		}
	}
	ref = svm_train(&prob, &par);
	for (i = 0; i < n; i++) {
		size_t p;

		model_decisions(m, xs[i], dec);
		svm_predict_values(ref, xs[i], rdec);
		for (p = 0; p < m->npair; p++)
			if (fabs(dec[p] - rdec[p]) > maxdiff)
				maxdiff = fabs(dec[p] - rdec[p]);
	}
	if (ref->l != m->svm->l)
		maxdiff = INFINITY;
	svm_free_and_destroy_model(&ref);
	for (i = 0; i < n; i++)
		free(xs[i]);
	free(xs);
	free(prob.x);
	free(prob.y);
	return maxdiff;
}

static struct classify_model *
train(const struct classify_dataset *ds, int probability, int kernel,
      int threads, struct classify_metrics *cv)
{
	struct classify_train_opts o;
	struct classify_model *m = NULL;
	char err[512];
	int rc;

	classify_train_opts_default(&o);
	o.probability = probability;
	o.kernel = kernel;
	o.threads = threads;
	o.data_sha256 = "0123abcd";
	rc = classify_train(ds, &o, &m, cv, err, sizeof(err));
	if (rc != CLASSIFY_OK)
		printf("# train: %s\n", err);
	return m;
}

static void
check_fast_path(const char *name, const struct classify_model *m,
                const struct classify_dataset *ds, size_t from, size_t to)
{
	struct compare c;

	compare_libsvm(m, ds, from, to, &c);
	CHECK(c.n > 0 && c.maxdiff <= 1e-9,
	      "%s: fast path decisions == svm_predict_values on %zu texts "
	      "(max diff %.3g)",
	      name, c.n, c.maxdiff);
	CHECK_INT(c.label_mismatch, 0, "%s: labels == svm_predict", name);
	if (m->svm->probA) {
		CHECK_INT(c.plabel_mismatch, 0,
		          "%s: labels == svm_predict_probability", name);
		CHECK(c.maxpdiff <= 1e-9,
		      "%s: probabilities == svm_predict_probability (max diff "
		      "%.3g)",
		      name, c.maxpdiff);
	}
}

static char tmpdir[256];

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	b[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return b;
}

static void
spit(const char *path, const char *b, size_t len)
{
	FILE *fp = fopen(path, "wb");

	fwrite(b, 1, len, fp);
	fclose(fp);
}

static void
test_binary(void)
{
	static const char *const lab2[2] = { "0", "1" };
	struct classify_dataset *ds = make_data(480, 2, lab2, 7);
	struct classify_metrics cv;
	struct classify_model *m, *m2, *back;
	struct classify_prediction a, b;
	char path[300], err[512], *buf, *buf2;
	size_t i, len, len2, same = 0;

	m = train(ds, 1, CLASSIFY_LINEAR, 2, &cv);
	CHECK(m != NULL, "binary: trained");
	if (!m)
		return;
	CHECK(cv.n == 480 && cv.accuracy > 0.8 && cv.accuracy < 1.0,
	      "binary: CV accuracy %.3f in (0.8, 1)", cv.accuracy);
	CHECK_INT(cv.nthresh, 9, "binary: CV threshold table");
	CHECK_INT(cv.confusion[0] + cv.confusion[1] + cv.confusion[2] +
	                  cv.confusion[3],
	          480, "binary: CV confusion sums to n");
	CHECK(m->svm->probA != NULL && m->svm->probA[0] < 0,
	      "binary: Platt A < 0 (higher decision, higher probability)");
	CHECK_STR(classify_model_meta(m, "data_sha256"), "0123abcd",
	          "binary: data_sha256 in the metadata");
	CHECK_STR(classify_model_meta(m, "kernel"), "linear", "binary: kernel");
	CHECK_INT(strlen(classify_model_version(m)), 16, "binary: version");
	check_fast_path("binary", m, ds, 0, ds->n);
	CHECK(compare_svm_train(m, ds, 1) <= 1e-9,
	      "binary: pairwise-assembled model == svm_train() on the whole "
	      "problem");

	classify_predict(m, "police arrest the suspect after a raid", "en", &a);
	CHECK_STR(a.label, "0", "binary: predicts the crime text as 0");
	CHECK(a.decision < 0 && a.score > 0.5 && a.score < 1,
	      "binary: decision %.3f < 0 for the negative class, score %.3f",
	      a.decision, a.score);

	/* save, load: same version, same predictions bit for bit */
	snprintf(path, sizeof(path), "%s/bin.model", tmpdir);
	classify_model_set_meta(m, "cv", "{\"accuracy\": 0.9, \"x\": \"a%b\"}");
	CHECK_INT(classify_model_save(m, path, err, sizeof(err)), CLASSIFY_OK,
	          "binary: saved");
	CHECK(access(path, F_OK) == 0, "binary: file exists");
	snprintf(err, sizeof(err), "%s.tmp", path);
	CHECK(access(err, F_OK) != 0, "binary: no temporary left");
	CHECK_INT(classify_model_load(path, &back, err, sizeof(err)),
	          CLASSIFY_OK, "binary: loaded (%s)", err);
	if (back) {
		CHECK_STR(classify_model_version(back),
		          classify_model_version(m),
		          "binary: version survives the round trip");
		CHECK_STR(classify_model_meta(back, "cv"),
		          "{\"accuracy\": 0.9, \"x\": \"a%b\"}",
		          "binary: cv metadata survives (spaces, %%)");
		for (i = 0; i < ds->n; i++) {
			classify_predict(m, ds->ex[i].text, "en", &a);
			classify_predict(back, ds->ex[i].text, "en", &b);
			same += strcmp(a.label, b.label) == 0 &&
			        a.score == b.score && a.decision == b.decision;
		}
		CHECK_INT(same, ds->n,
		          "binary: identical predictions after load");
		check_fast_path("binary loaded", back, ds, 0, ds->n);
		classify_model_free(back);
	}

	/* determinism: same seed, same bundle (trained_at pinned) */
	m2 = train(ds, 1, CLASSIFY_LINEAR, 1, NULL);
	classify_model_set_meta(m, "trained_at", "2026-01-01T00:00:00Z");
	classify_model_set_meta(m2, "trained_at", "2026-01-01T00:00:00Z");
	classify_model_set_meta(m2, "cv",
	                        "{\"accuracy\": 0.9, \"x\": \"a%b\"}");
	model_serialize(m, &buf, &len);
	model_serialize(m2, &buf2, &len2);
	CHECK(len == len2 && memcmp(buf, buf2, len) == 0,
	      "determinism: same seed, 1 or 2 threads: byte-identical bundle");
	CHECK_STR(classify_model_version(m), classify_model_version(m2),
	          "determinism: same version");
	free(buf);
	free(buf2);
	classify_model_free(m2);
	classify_metrics_release(&cv);
	classify_model_free(m);

	/* without probability: score from the decision value */
	m = train(ds, 0, CLASSIFY_LINEAR, 2, NULL);
	CHECK(m && m->svm->probA == NULL, "binary, no Platt: trained");
	if (m) {
		check_fast_path("binary, no Platt", m, ds, 0, ds->n);
		classify_predict(m, "football goal in the cup match", "en", &a);
		CHECK_STR(a.label, "1", "binary, no Platt: sport text is 1");
		CHECK(fabs(a.score - 1 / (1 + exp(-fabs(a.decision)))) < 1e-15,
		      "binary, no Platt: score = 1/(1+exp(-|dec|))");
	}
	classify_model_free(m);
	classify_dataset_free(ds);
}

static void
test_multiclass(void)
{
	struct classify_dataset *ds = make_data(450, 3, label3, 11);
	struct classify_metrics cv, ev;
	struct classify_model *m, *back;
	struct classify_prediction pr;
	char path[300], err[512];

	m = train(ds, 1, CLASSIFY_LINEAR, 2, &cv);
	CHECK(m != NULL, "3 classes: trained");
	if (!m)
		return;
	CHECK_INT(classify_model_nclass(m), 3, "3 classes: nclass");
	CHECK_STR(classify_model_label(m, 2), "weather", "3 classes: labels");
	CHECK(cv.nclass == 3 && cv.accuracy > 0.8,
	      "3 classes: CV accuracy %.3f", cv.accuracy);
	CHECK_INT(cv.nthresh, 0, "3 classes: no threshold table");
	check_fast_path("3 classes", m, ds, 0, ds->n);
	CHECK(compare_svm_train(m, ds, 1) <= 1e-9,
	      "3 classes: pairwise-assembled model == svm_train()");
	classify_predict(m, "heavy rain and storm forecast with flood", "en",
	                 &pr);
	CHECK_STR(pr.label, "weather", "3 classes: weather text");
	CHECK(pr.score > 1.0 / 3 && pr.score < 1, "3 classes: score %.3f",
	      pr.score);
	CHECK_INT(classify_evaluate(m, ds, &ev, err, sizeof(err)), CLASSIFY_OK,
	          "3 classes: evaluate");
	CHECK(ev.accuracy >= cv.accuracy,
	      "3 classes: training accuracy %.3f "
	      ">= CV accuracy",
	      ev.accuracy);
	classify_metrics_release(&ev);
	classify_metrics_release(&cv);
	snprintf(path, sizeof(path), "%s/three.model", tmpdir);
	classify_model_save(m, path, err, sizeof(err));
	CHECK_INT(classify_model_load(path, &back, err, sizeof(err)),
	          CLASSIFY_OK, "3 classes: loaded");
	if (back) {
		check_fast_path("3 classes loaded", back, ds, 0, ds->n);
		classify_model_free(back);
	}
	classify_model_free(m);

	/* RBF goes through libsvm; grid search picks a C of the grid */
	{
		struct classify_train_opts o;

		classify_train_opts_default(&o);
		o.kernel = CLASSIFY_RBF;
		o.grid = 1;
		o.folds = 3;
		CHECK_INT(classify_train(ds, &o, &m, &cv, err, sizeof(err)),
		          CLASSIFY_OK, "rbf grid: trained (%s)", err);
		if (m) {
			const char *c = classify_model_meta(m, "C");
			double C = c ? strtod(c, NULL) : 0;
			int k;

			CHECK(m->w == NULL, "rbf: no linear weights");
			for (k = -3; k <= 7; k += 2)
				if (C == ldexp(1, k))
					break;
			CHECK(k <= 7, "rbf grid: C %s on the grid", c);
			CHECK(cv.accuracy > 0.8, "rbf grid: CV accuracy %.3f",
			      cv.accuracy);
			classify_predict(m, "police seized smuggling charges",
			                 "en", &pr);
			CHECK_STR(pr.label, "crime", "rbf: crime text");
			classify_model_save(m, path, err, sizeof(err));
			CHECK_INT(classify_model_load(path, &back, err,
			                              sizeof(err)),
			          CLASSIFY_OK, "rbf: loaded (%s)", err);
			if (back) {
				struct classify_prediction p2;

				classify_predict(
				        back, "police seized smuggling charges",
				        "en", &p2);
				CHECK(p2.score == pr.score,
				      "rbf: same score after load");
				classify_model_free(back);
			}
			classify_metrics_release(&cv);
			classify_model_free(m);
		}
	}
	classify_dataset_free(ds);
}

/* ------------------------------------------------------ corrupt files */

/* s with the first line starting with "from" replaced by "to" (NULL:
 * deleted), the end line recomputed */
static char *
edit(const char *s, size_t len, const char *from, const char *to, int reseal,
     size_t *outlen, long *lineno)
{
	char *o = malloc(len + 1024), hex[65];
	const char *p = s, *end = s + len, *hit = NULL;
	size_t n = 0;
	long line = 0;

	*lineno = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		line++;
		if (!hit && strncmp(p, from, strlen(from)) == 0) {
			hit = p;
			*lineno = line;
			if (to)
				n += (size_t)snprintf(o + n, len + 1024 - n,
				                      "%s\n", to);
		} else if (reseal && strncmp(p, "end ", 4) == 0) {
			classify_sha256_hex(o, n, hex);
			n += (size_t)snprintf(o + n, len + 1024 - n, "end %s\n",
			                      hex);
		} else {
			memcpy(o + n, p, (size_t)(nl - p) + 1);
			n += (size_t)(nl - p) + 1;
		}
		p = nl + 1;
	}
	*outlen = n;
	return o;
}

static void
expect_load(const char *name, const char *content, size_t len, int want,
            long line)
{
	char path[300], err[512], needle[400];
	struct classify_model *m = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/bad.model", tmpdir);
	spit(path, content, len);
	rc = classify_model_load(path, &m, err, sizeof(err));
	CHECK_INT(rc, want, "corrupt %s: code", name);
	CHECK(m == NULL, "corrupt %s: no model", name);
	snprintf(needle, sizeof(needle), "model '%s': line %ld: ", path, line);
	CHECK(strncmp(err, needle, strlen(needle)) == 0,
	      "corrupt %s: names file and line %ld: %s", name, line, err);
}

static void
test_corrupt(void)
{
	char path[300], *s, *e;
	size_t len, elen;
	long line, nlines = 0, i;

	snprintf(path, sizeof(path), "%s/bin.model", tmpdir);
	s = slurp(path, &len);
	CHECK(s != NULL, "corrupt: read the saved model");
	if (!s)
		return;
	for (i = 0; i < (long)len; i++)
		nlines += s[i] == '\n';

	/* cut in the middle of a line: that last, partial line is named */
	line = 1;
	for (i = 0; i < (long)len / 2; i++)
		line += s[i] == '\n';
	expect_load("truncated", s, len / 2, CLASSIFY_ERR_CORRUPT, line);
	/* cut at a line end: no end line; the last line is named */
	e = memchr(s + len / 3, '\n', len);
	line = 0;
	for (i = 0; i <= (long)(e - s); i++)
		line += s[i] == '\n';
	expect_load("cut at a line end", s, (size_t)(e - s) + 1,
	            CLASSIFY_ERR_CORRUPT, line);

	s[len / 2] ^= 0x01; /* one flipped bit: the checksum */
	expect_load("flipped byte", s, len, CLASSIFY_ERR_CORRUPT, nlines);
	s[len / 2] ^= 0x01;

	e = edit(s, len, "pcmon-model ", "pcmon-model 3", 0, &elen, &line);
	expect_load("version 3", e, elen, CLASSIFY_ERR_VERSION, 1);
	free(e);
	e = edit(s, len, "pcmon-model ", "pcmon model", 0, &elen, &line);
	expect_load("not a model", e, elen, CLASSIFY_ERR_CORRUPT, 1);
	free(e);
	e = edit(s, len, "nr_class ", "nr_class 1", 1, &elen, &line);
	expect_load("nr_class 1", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	e = edit(s, len, "total_sv ", "total_sv 99999999", 1, &elen, &line);
	expect_load("total_sv too big", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	e = edit(s, len, "rho ", "rho nan", 1, &elen, &line);
	expect_load("NaN rho", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	e = edit(s, len, "probA ", "probA inf", 1, &elen, &line);
	expect_load("inf probA", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	e = edit(s, len, "label ", "label 1 0", 1, &elen, &line);
	expect_load("labels out of order", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	e = edit(s, len, "nr_sv ", "nr_sv 1 1", 1, &elen, &line);
	expect_load("nr_sv sum", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	/* the first support vector: its line follows "SV" */
	{
		const char *sv = strstr(s, "\nSV\n") + 4;
		char from[64];
		size_t k = (size_t)(strchr(sv, ' ') - sv);

		snprintf(from, sizeof(from), "%.*s ", (int)k, sv);
		e = edit(s, len, from, "0.5 7:0.1 3:0.2", 1, &elen, &line);
		expect_load("SV indices not increasing", e, elen,
		            CLASSIFY_ERR_CORRUPT, line);
		free(e);
		e = edit(s, len, from, "0.5 3:0.1 3:0.2", 1, &elen, &line);
		expect_load("SV index repeated", e, elen, CLASSIFY_ERR_CORRUPT,
		            line);
		free(e);
		e = edit(s, len, from, "0.5 3:nan", 1, &elen, &line);
		expect_load("SV value NaN", e, elen, CLASSIFY_ERR_CORRUPT,
		            line);
		free(e);
		e = edit(s, len, from, "nan 3:0.1", 1, &elen, &line);
		expect_load("SV coefficient NaN", e, elen, CLASSIFY_ERR_CORRUPT,
		            line);
		free(e);
		e = edit(s, len, from, "0.5 99999999:0.1", 1, &elen, &line);
		expect_load("SV index beyond the vocabulary", e, elen,
		            CLASSIFY_ERR_CORRUPT, line);
		free(e);
		e = edit(s, len, from, NULL, 1, &elen, &line);
		expect_load("one SV missing", e, elen, CLASSIFY_ERR_CORRUPT,
		            nlines - 1);
		free(e);
	}
	e = edit(s, len, "vocab_terms ", "vocab_terms x", 1, &elen, &line);
	expect_load("vocabulary", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	e = edit(s, len, "classes ", "classes 1", 1, &elen, &line);
	expect_load("classes 1", e, elen, CLASSIFY_ERR_CORRUPT, line);
	free(e);
	free(s);
	{
		struct classify_model *m;
		char err[512];

		snprintf(path, sizeof(path), "%s/missing.model", tmpdir);
		CHECK_INT(classify_model_load(path, &m, err, sizeof(err)),
		          CLASSIFY_ERR_IO, "missing file: CLASSIFY_ERR_IO");
		CHECK(strstr(err, path) != NULL, "missing file: named: %s",
		      err);
		snprintf(path, sizeof(path), "%s/no/such/dir/x.model", tmpdir);
	}
}

/* ------------------------------------------------ fold-only vocabulary */

static const struct classify_dataset *hook_ds;
static size_t hook_leaks, hook_checked, hook_folds;

/* every term that occurs only in fold f's test part must be absent from
 * fold f's vocabulary: a unique word "uNNN" per text */
static void
hook(int fold, const struct classify_vocab *v, const int *fold_of, size_t n)
{
	size_t i, t;

	hook_folds++;
	for (i = 0; i < n; i++) {
		char want[32];
		int found = 0;

		snprintf(want, sizeof(want), "u%zu", i);
		for (t = 1; t <= vocab_size(v); t++)
			if (strcmp(vocab_term(v, (int)t), want) == 0)
				found = 1;
		if (fold_of[i] == fold) {
			hook_checked++;
			hook_leaks += found;
		} else if (!found) {
			hook_leaks++; /* a training text's term must be in */
		}
	}
}

static void
test_fold_vocab(void)
{
	struct classify_dataset *ds;
	struct classify_train_opts o;
	struct classify_model *m = NULL;
	struct classify_metrics cv;
	char err[256];
	size_t i;

	classify_dataset_create(&ds);
	for (i = 0; i < 60; i++) {
		char text[64];

		snprintf(text, sizeof(text), "%s u%zu",
		         i % 2 ? "football" : "police", i);
		classify_dataset_add(ds, i % 2 ? "b" : "a", text, NULL);
	}
	classify_train_opts_default(&o);
	o.features.min_df = 1;
	o.features.word_bigrams = 0;
	hook_ds = ds;
	train_fold_hook = hook;
	CHECK_INT(classify_train(ds, &o, &m, &cv, err, sizeof(err)),
	          CLASSIFY_OK, "fold vocabulary: trained (%s)", err);
	train_fold_hook = NULL;
	CHECK_INT(hook_folds, 5, "fold vocabulary: 5 folds seen");
	CHECK_INT(hook_checked, 60, "fold vocabulary: every text tested once");
	CHECK_INT(hook_leaks, 0,
	          "fold vocabulary: a test-fold-only term is not in the "
	          "fold's vocabulary (and training terms are)");
	if (m) {
		/* the final model's vocabulary has them all */
		CHECK_INT(vocab_size(m->vocab), 62,
		          "fold vocabulary: the final one has all 62 terms");
		classify_metrics_release(&cv);
		classify_model_free(m);
	}
	classify_dataset_free(ds);
}

/* --------------------------------------------------------------- explain */

struct expl {
	char term[16][64];
	double w[16];
	int n;
};

static void
on_term(const char *term, double w, void *arg)
{
	struct expl *e = arg;

	if (e->n < 16) {
		snprintf(e->term[e->n], sizeof(e->term[0]), "%s", term);
		e->w[e->n++] = w;
	}
}

static void
test_explain(void)
{
	static const char *const lab2[2] = { "crime", "sport" };
	struct classify_dataset *ds = make_data(300, 2, lab2, 3);
	struct classify_model *m = train(ds, 1, CLASSIFY_LINEAR, 2, NULL);
	struct classify_prediction pr;
	struct expl e;
	int i, ordered = 1;
	double sum = 0;
	const char *text = "police arrest suspect after football match";

	if (!m)
		return;
	memset(&e, 0, sizeof(e));
	CHECK_INT(classify_explain(m, text, "en", 16, on_term, &e), CLASSIFY_OK,
	          "explain: linear model");
	classify_predict(m, text, "en", &pr);
	for (i = 1; i < e.n; i++)
		ordered &= fabs(e.w[i - 1]) >= fabs(e.w[i]);
	for (i = 0; i < e.n; i++)
		sum += e.w[i];
	CHECK(e.n >= 4, "explain: %d terms", e.n);
	CHECK(ordered, "explain: largest magnitude first");
	/* positive class "sport" is labels[1]: decision = -(pair 0) */
	CHECK(fabs(sum + m->svm->rho[0] - pr.decision) < 1e-9,
	      "explain: contributions sum to the decision (%.6f vs %.6f)",
	      sum + m->svm->rho[0], pr.decision);
	for (i = 0; i < e.n; i++)
		if (strcmp(e.term[i], "footbal") == 0 ||
		    strcmp(e.term[i], "football") == 0)
			CHECK(e.w[i] > 0,
			      "explain: 'football' points to sport");
	memset(&e, 0, sizeof(e));
	classify_explain(m, text, "en", 2, on_term, &e);
	CHECK_INT(e.n, 2, "explain: at most n terms");
	classify_model_free(m);
	classify_dataset_free(ds);
}

/* ------------------------------------------------------------- AG News */

/* one CSV field of "..." with "" escapes at *p; advances past the comma */
static int
csv_field(char **p, char *out, size_t outsz)
{
	char *s = *p;
	size_t n = 0;

	if (*s != '"')
		return -1;
	for (s++; *s; s++) {
		if (*s == '"') {
			if (s[1] == '"') {
				s++;
			} else {
				s++;
				break;
			}
		}
		if (n + 1 < outsz)
			out[n++] = *s;
	}
	out[n] = '\0';
	if (*s == ',')
		s++;
	*p = s;
	return 0;
}

static void
test_ag_news(void)
{
	const char *dir = getenv("PCMON_SHARED_DATA");
	char path[512], line[16384], cls[16], title[4096], desc[12288],
	        text[16384];
	struct classify_dataset *ds;
	struct classify_model *m;
	gzFile gz;
	size_t n = 0;

	if (!dir) {
		printf("# AG News: PCMON_SHARED_DATA not set, skipped\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/ag_news/test.csv.gz", dir);
	if (!(gz = gzopen(path, "rb"))) {
		printf("# AG News: %s absent, skipped\n", path);
		return;
	}
	classify_dataset_create(&ds);
	while (n < 2500 && gzgets(gz, line, sizeof(line))) {
		char *p = line;

		if (csv_field(&p, cls, sizeof(cls)) ||
		    csv_field(&p, title, sizeof(title)) ||
		    csv_field(&p, desc, sizeof(desc)))
			continue;
		snprintf(text, sizeof(text), "%s\n%s", title, desc);
		classify_dataset_add(ds, cls, text, "en");
		n++;
	}
	gzclose(gz);
	/* train on 2,000 rows, compare on all 2,500 */
	ds->n = 2000;
	m = train(ds, 1, CLASSIFY_LINEAR, 2, NULL);
	ds->n = n;
	CHECK(m && classify_model_nclass(m) == 4, "AG News: 4 classes");
	if (m) {
		check_fast_path("AG News", m, ds, 0, ds->n);
		ds->n = 2000;
		CHECK(compare_svm_train(m, ds, 1) <= 1e-9,
		      "AG News: pairwise-assembled model == svm_train()");
		ds->n = n;
		classify_model_free(m);
	}
	classify_dataset_free(ds);
}

int
main(void)
{
	char cmd[300];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_classify.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_sha256();
	test_metrics();
	test_bad_data();
	test_binary();
	test_corrupt();
	test_multiclass();
	test_fold_vocab();
	test_explain();
	test_ag_news();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return check_done();
}
