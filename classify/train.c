/*
 * train.c - classify_train(): folds, grid search, cross-validation, Platt
 * scaling and the final C-SVC model, on opts->threads threads.
 *
 * The unit of work is one pairwise binary problem.  libsvm's svm_train()
 * solves a K-class C-SVC as K(K-1)/2 independent one-vs-one problems, one
 * after the other; we hand each pair (classes i < j, class i's examples
 * first, y = +1/-1, C weighted per class) to svm_train() ourselves, so that
 * pairs, folds and grid points all run in parallel, and assemble the
 * K-class svm_model exactly as svm_train() would (same alphas, same SV
 * order: by class, then by example).  svm_train() is reentrant for
 * separate problems; its one global, the print function, is set before
 * any thread starts.
 *
 * Rows are grouped by class in sorted label order, so libsvm's label k is
 * our class k.  Folds are stratified: each class's examples are shuffled
 * with a splitmix64 generator seeded by opts->seed and dealt round-robin,
 * so the same seed gives the same folds and the same model.  Each fold's
 * vocabulary and idf come from its training part only.
 *
 * Platt scaling: libsvm's own (-b 1) draws its internal folds with rand(),
 * which is neither seedable per call nor private to a thread.  We fit the
 * same sigmoid (libsvm's sigmoid_train) on the k-fold decision values we
 * compute anyway, so probability costs no extra training.  The reported CV
 * metrics score fold f with a sigmoid fitted on the other folds' decision
 * values (cross-fitted: fold f's labels never calibrate fold f).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "classify_model.h"

#define MAX_THREADS  64
#define CACHE_MAX_MB 1024.0 /* the kernel cache of one problem */

struct fold {
	struct classify_vocab *v;
	struct svm_node *block; /* the vectors of every example, one block */
	struct svm_node **x;    /* [n] into block */
	size_t **cls;           /* [nclass]: training examples of class c */
	size_t *ncls;
	double *weight; /* [nclass] */
	int rc;
	char err[256];
};

struct trainer {
	const struct classify_dataset *ds;
	const struct classify_train_opts *o;
	size_t n, nclass, npair;
	char **labels;  /* sorted, unique */
	size_t *cls_of; /* [n] */
	size_t *pair_i, *pair_j;
	int k;              /* folds; 0: no cross-validation */
	int *fold_of;       /* [n] */
	struct fold *folds; /* [k + 1]: folds[k] is the whole data set */
	size_t ngrid;
	double *gC, *gG; /* grid points: C and gamma (0: 1 / features) */
	double *dec;     /* [ngrid][n][npair] cross-validated decisions */
	struct svm_model **final; /* [npair] */
	size_t best;
	size_t positive;    /* binary: the positive class */
	size_t nfinal_jobs; /* 0, or npair: the final model in phase B */
	/* the job queue of a phase */
	atomic_size_t next;
	size_t njobs;
	int (*job)(struct trainer *, size_t);
	atomic_int failed;
};

void (*train_fold_hook)(int fold, const struct classify_vocab *v,
                        const int *fold_of, size_t n);

static void
silent(const char *s)
{
	(void)s;
}

/* ---------------------------------------------------------------- PRNG */

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------- threads */

static int
worker(void *arg)
{
	struct trainer *T = arg;

	for (;;) {
		size_t j = atomic_fetch_add(&T->next, 1);

		if (j >= T->njobs || atomic_load(&T->failed))
			break;
		if (T->job(T, j) != CLASSIFY_OK)
			atomic_store(&T->failed, 1);
	}
	return 0;
}

/* runs job(T, 0..njobs) on up to opts->threads threads, the caller's
 * included; 0 when every job succeeded */
static int
run_jobs(struct trainer *T, size_t njobs, int (*job)(struct trainer *, size_t))
{
	thrd_t th[MAX_THREADS];
	size_t nt = (size_t)T->o->threads, i, started = 0;

	if (nt > MAX_THREADS)
		nt = MAX_THREADS;
	if (nt > njobs)
		nt = njobs;
	atomic_store(&T->next, 0);
	atomic_store(&T->failed, 0);
	T->njobs = njobs;
	T->job = job;
	for (i = 1; i < nt; i++) {
		if (thrd_create(&th[started], worker, T) != thrd_success)
			break; /* fewer threads: the work still gets done */
		started++;
	}
	worker(T);
	for (i = 0; i < started; i++)
		thrd_join(th[i], NULL);
	return atomic_load(&T->failed);
}

/* --------------------------------------------------------------- folds */

static void
fold_release(struct fold *F, size_t nclass)
{
	size_t c;

	vocab_free(F->v);
	free(F->block);
	free(F->x);
	if (F->cls)
		for (c = 0; c < nclass; c++)
			free(F->cls[c]);
	free(F->cls);
	free(F->ncls);
	free(F->weight);
	memset(F, 0, sizeof(*F));
}

/* vocabulary of fold f's training part (f == k: all), every example
 * vectorised with it into one block, training examples by class */
static int
job_prep(struct trainer *T, size_t f)
{
	struct fold *F = &T->folds[f];
	size_t n = T->n, i, nt = 0, used = 0, cap = 0, *idx = NULL, *off = NULL;
	size_t c, present = 0;
	int rc = CLASSIFY_ERR_NOMEM;

	idx = malloc(n * sizeof(*idx));
	off = malloc(n * sizeof(*off));
	F->x = malloc(n * sizeof(*F->x));
	F->cls = calloc(T->nclass, sizeof(*F->cls));
	F->ncls = calloc(T->nclass, sizeof(*F->ncls));
	F->weight = calloc(T->nclass, sizeof(*F->weight));
	if (!idx || !off || !F->x || !F->cls || !F->ncls || !F->weight)
		goto out;
	for (i = 0; i < n; i++)
		if ((int)f == T->k || T->fold_of[i] != (int)f) {
			idx[nt++] = i;
			F->ncls[T->cls_of[i]]++;
		}
	for (c = 0; c < T->nclass; c++) {
		if (!(F->cls[c] = malloc((F->ncls[c] ? F->ncls[c] : 1) *
		                         sizeof(size_t))))
			goto out;
		present += F->ncls[c] > 0;
		F->ncls[c] = 0;
	}
	for (i = 0; i < nt; i++) {
		c = T->cls_of[idx[i]];
		F->cls[c][F->ncls[c]++] = idx[i];
	}
	/* n / (classes x count): every class weighs as much in total */
	for (c = 0; c < T->nclass; c++)
		F->weight[c] = T->o->class_weights && F->ncls[c]
		                       ? (double)nt / ((double)present *
		                                       (double)F->ncls[c])
		                       : 1.0;
	rc = vocab_build(T->ds, idx, nt, &T->o->features, &F->v, F->err,
	                 sizeof(F->err));
	if (rc != CLASSIFY_OK)
		goto out;
	for (i = 0; i < n; i++) {
		struct svm_node *x = NULL;
		size_t nx;

		rc = vocab_vectorize(F->v, T->ds->ex[i].text, T->ds->ex[i].lang,
		                     &x, &nx);
		if (rc != CLASSIFY_OK) {
			snprintf(F->err, sizeof(F->err), "example %zu: %s",
			         i + 1, classify_strerror(rc));
			goto out;
		}
		if (nx + 1 > cap - used) {
			size_t nc = cap ? cap : 1 << 16;
			struct svm_node *nb;

			while (nx + 1 > nc - used)
				nc *= 2;
			if (!(nb = realloc(F->block, nc * sizeof(*nb)))) {
				free(x);
				rc = CLASSIFY_ERR_NOMEM;
				goto out;
			}
			F->block = nb;
			cap = nc;
		}
		memcpy(F->block + used, x, (nx + 1) * sizeof(*x));
		off[i] = used;
		used += nx + 1;
		free(x);
	}
	for (i = 0; i < n; i++)
		F->x[i] = F->block + off[i];
	rc = CLASSIFY_OK;
out:
	if (rc == CLASSIFY_ERR_NOMEM)
		snprintf(F->err, sizeof(F->err), "out of memory");
	F->rc = rc;
	free(idx);
	free(off);
	return rc;
}

/* ------------------------------------------------------------ training */

/* the kernel cache: the whole Q matrix of the problem when it fits (libsvm
 * keeps floats, plus a 32-byte header per column) */
static double
cache_mb(size_t l)
{
	double mb = ((double)l * (double)l * 4.0 + (double)l * 32.0) /
	                    1048576.0 * 1.05 +
	            1.0;

	return mb < 16 ? 16 : mb > CACHE_MAX_MB ? CACHE_MAX_MB : mb;
}

static double
gamma_of(const struct fold *F, double g)
{
	return g > 0 ? g : 1.0 / (double)vocab_size(F->v);
}

static void
params(const struct trainer *T, const struct fold *F, double C, double g,
       size_t l, int *wl, double *w, struct svm_parameter *p)
{
	memset(p, 0, sizeof(*p));
	p->svm_type = C_SVC;
	p->kernel_type = T->o->kernel == CLASSIFY_RBF ? RBF : LINEAR;
	p->degree = 3;
	p->gamma = gamma_of(F, g);
	p->cache_size = cache_mb(l);
	p->eps = 0.001;
	p->C = C;
	p->nu = 0.5;
	p->p = 0.1;
	p->shrinking = 1;
	p->probability = 0;
	if (T->o->class_weights) {
		p->nr_weight = 2;
		p->weight_label = wl;
		p->weight = w;
	}
}

/* pair p of fold F: NULL *out when one class has no training example */
static int
train_pair(struct trainer *T, struct fold *F, size_t p, double C, double g,
           struct svm_model **out)
{
	size_t i = T->pair_i[p], j = T->pair_j[p], ci = F->ncls[i],
	       cj = F->ncls[j], t;
	struct svm_problem prob;
	struct svm_parameter par;
	int wl[2] = { 1, -1 };
	double w[2];

	*out = NULL;
	if (!ci || !cj)
		return CLASSIFY_OK;
	prob.l = (int)(ci + cj);
	prob.x = malloc((ci + cj) * sizeof(*prob.x));
	prob.y = malloc((ci + cj) * sizeof(*prob.y));
	if (!prob.x || !prob.y) {
		free(prob.x);
		free(prob.y);
		return CLASSIFY_ERR_NOMEM;
	}
	for (t = 0; t < ci; t++) {
		prob.x[t] = F->x[F->cls[i][t]];
		prob.y[t] = 1;
	}
	for (t = 0; t < cj; t++) {
		prob.x[ci + t] = F->x[F->cls[j][t]];
		prob.y[ci + t] = -1;
	}
	w[0] = F->weight[i];
	w[1] = F->weight[j];
	params(T, F, C, g, ci + cj, wl, w, &par);
	*out = svm_train(&prob, &par);
	/* the model keeps pointers to the nodes, not to prob.x */
	free(prob.x);
	free(prob.y);
	if (*out) {
		(*out)->param.nr_weight = 0; /* w and wl die with this frame */
		(*out)->param.weight_label = NULL;
		(*out)->param.weight = NULL;
	}
	return *out ? CLASSIFY_OK : CLASSIFY_ERR_NOMEM;
}

/* one pair's decision on one test example: > 0 for the pair's class i */
static double
pair_decision(const struct svm_model *bm, const double *w, size_t nf,
              const struct svm_node *x)
{
	double d = 0;

	if (!w) {
		svm_predict_values(bm, x, &d);
		return d;
	}
	for (; x->index != -1; x++)
		if ((size_t)x->index <= nf)
			d += x->value * w[x->index];
	return d - bm->rho[0];
}

/* CV job: grid point g, fold f, pair p; fills dec for fold f's examples */
static int
job_cv(struct trainer *T, size_t jb)
{
	size_t p = jb % T->npair, f = jb / T->npair % (size_t)T->k,
	       g = jb / T->npair / (size_t)T->k, e, nf = 0;
	struct fold *F = &T->folds[f];
	struct svm_model *bm = NULL;
	double *w = NULL;
	int rc;

	rc = train_pair(T, F, p, T->gC[g], T->gG[g], &bm);
	if (rc != CLASSIFY_OK)
		return rc;
	if (bm && T->o->kernel == CLASSIFY_LINEAR) {
		int s;

		nf = vocab_size(F->v);
		if (!(w = calloc(nf + 1, sizeof(*w)))) {
			svm_free_and_destroy_model(&bm);
			return CLASSIFY_ERR_NOMEM;
		}
		for (s = 0; s < bm->l; s++) {
			const struct svm_node *x = bm->SV[s];

			for (; x->index != -1; x++)
				w[x->index] += bm->sv_coef[0][s] * x->value;
		}
	}
	for (e = 0; e < T->n; e++) {
		if (T->fold_of[e] != (int)f)
			continue;
		T->dec[(g * T->n + e) * T->npair + p] =
		        bm ? pair_decision(bm, w, nf, F->x[e]) : NAN;
	}
	free(w);
	svm_free_and_destroy_model(&bm);
	return CLASSIFY_OK;
}

static int
job_final(struct trainer *T, size_t p)
{
	return train_pair(T, &T->folds[T->k], p, T->gC[T->best], T->gG[T->best],
	                  &T->final[p]);
}

/* phase B: the CV jobs of every grid point, then (without a grid) the
 * final pairs */
static int
job_b(struct trainer *T, size_t jb)
{
	size_t ncv = T->k ? T->ngrid * (size_t)T->k * T->npair : 0;

	return jb < ncv ? job_cv(T, jb) : job_final(T, jb - ncv);
}

/* ----------------------------------------------------------- CV results */

/*
 * Predictions of grid point g from the CV decisions: class, and score of
 * the positive class.  With probability, fold f is scored with sigmoids
 * fitted on the other folds.  A, B: [k][npair] workspace or NULL.
 */
static int
cv_predict(struct trainer *T, size_t g, size_t *pred, double *pos)
{
	const double *D = T->dec + g * T->n * T->npair;
	size_t e, p, f, l, npair = T->npair;
	double *A = NULL, *B = NULL, *dv = NULL, *prob = NULL, score;
	signed char *y = NULL;
	int rc = CLASSIFY_ERR_NOMEM, platt = T->o->probability;

	prob = malloc(T->nclass * sizeof(*prob));
	if (!prob)
		goto out;
	if (platt) {
		A = malloc((size_t)T->k * npair * sizeof(*A));
		B = malloc((size_t)T->k * npair * sizeof(*B));
		dv = malloc(T->n * sizeof(*dv));
		y = malloc(T->n);
		if (!A || !B || !dv || !y)
			goto out;
		for (f = 0; f < (size_t)T->k; f++)
			for (p = 0; p < npair; p++) {
				for (e = 0, l = 0; e < T->n; e++) {
					double d = D[e * npair + p];
					size_t c = T->cls_of[e];

					if (T->fold_of[e] == (int)f ||
					    isnan(d) ||
					    (c != T->pair_i[p] &&
					     c != T->pair_j[p]))
						continue;
					dv[l] = d;
					y[l++] = c == T->pair_i[p] ? 1 : -1;
				}
				model_sigmoid_train(l, dv, y, &A[f * npair + p],
				                    &B[f * npair + p]);
			}
	}
	for (e = 0; e < T->n; e++) {
		size_t fo = (size_t)T->fold_of[e];

		pred[e] = model_outcome(
		        T->nclass, D + e * npair, platt ? A + fo * npair : NULL,
		        platt ? B + fo * npair : NULL, prob, &score);
		if (pos)
			pos[e] = prob[T->positive];
	}
	rc = CLASSIFY_OK;
out:
	free(A);
	free(B);
	free(dv);
	free(y);
	free(prob);
	return rc;
}

/* libsvm's probA/probB from every CV decision of the chosen point */
static int
final_platt(struct trainer *T, double *probA, double *probB)
{
	const double *D = T->dec + T->best * T->n * T->npair;
	double *dv = malloc(T->n * sizeof(*dv));
	signed char *y = malloc(T->n);
	size_t p, e, l;

	if (!dv || !y) {
		free(dv);
		free(y);
		return CLASSIFY_ERR_NOMEM;
	}
	for (p = 0; p < T->npair; p++) {
		for (e = 0, l = 0; e < T->n; e++) {
			double d = D[e * T->npair + p];
			size_t c = T->cls_of[e];

			if (isnan(d) ||
			    (c != T->pair_i[p] && c != T->pair_j[p]))
				continue;
			dv[l] = d;
			y[l++] = c == T->pair_i[p] ? 1 : -1;
		}
		model_sigmoid_train(l, dv, y, &probA[p], &probB[p]);
	}
	free(dv);
	free(y);
	return CLASSIFY_OK;
}

/* ------------------------------------------------------------ assembly */

/*
 * The K-class svm_model svm_train() would have made from the pairwise
 * models: SVs are the examples with a nonzero alpha in any pair, by class
 * then by example; sv_coef[j-1] holds pair (i,j)'s coefficients of class
 * i's SVs and sv_coef[i] those of class j's.  The SV nodes are copied into
 * one block (m->xspace), so the training vectors can go.
 */
static int
assemble(struct trainer *T, struct classify_model *m)
{
	struct fold *F = &T->folds[T->k];
	struct svm_model *s = NULL;
	size_t n = T->n, k = T->nclass, p, c, t, l = 0, nodes = 0;
	long *pos = NULL;
	int rc = CLASSIFY_ERR_NOMEM;

	pos = malloc(n * sizeof(*pos));
	if (!pos || !(s = calloc(1, sizeof(*s))))
		goto out;
	m->svm = s;
	for (t = 0; t < n; t++)
		pos[t] = -1;
	for (p = 0; p < T->npair; p++) {
		const struct svm_model *bm = T->final[p];
		size_t i = T->pair_i[p], j = T->pair_j[p], ci = F->ncls[i];
		int q;

		for (q = 0; q < bm->l; q++) {
			size_t u = (size_t)bm->sv_indices[q] - 1;

			pos[u < ci ? F->cls[i][u] : F->cls[j][u - ci]] = 0;
		}
	}
	s->nr_class = (int)k;
	s->nSV = calloc(k, sizeof(int));
	s->label = malloc(k * sizeof(int));
	s->rho = malloc(T->npair * sizeof(double));
	s->sv_coef = calloc(k - 1, sizeof(double *));
	if (!s->nSV || !s->label || !s->rho || !s->sv_coef)
		goto out;
	for (c = 0; c < k; c++) {
		s->label[c] = (int)c;
		for (t = 0; t < F->ncls[c]; t++) {
			size_t e = F->cls[c][t];
			const struct svm_node *x;

			if (pos[e] < 0)
				continue;
			pos[e] = (long)l++;
			s->nSV[c]++;
			for (x = F->x[e]; x->index != -1; x++)
				nodes++;
			nodes++;
		}
	}
	s->l = (int)l;
	s->SV = malloc((l ? l : 1) * sizeof(*s->SV));
	m->xspace = malloc((nodes ? nodes : 1) * sizeof(*m->xspace));
	if (!s->SV || !m->xspace)
		goto out;
	for (c = 0; c + 1 < k; c++)
		if (!(s->sv_coef[c] = calloc(l ? l : 1, sizeof(double))))
			goto out;
	nodes = 0;
	for (c = 0; c < k; c++)
		for (t = 0; t < F->ncls[c]; t++) {
			size_t e = F->cls[c][t], len = 0;

			if (pos[e] < 0)
				continue;
			while (F->x[e][len].index != -1)
				len++;
			memcpy(m->xspace + nodes, F->x[e],
			       (len + 1) * sizeof(struct svm_node));
			s->SV[pos[e]] = m->xspace + nodes;
			nodes += len + 1;
		}
	for (p = 0; p < T->npair; p++) {
		const struct svm_model *bm = T->final[p];
		size_t i = T->pair_i[p], j = T->pair_j[p], ci = F->ncls[i];
		int q;

		s->rho[p] = bm->rho[0];
		for (q = 0; q < bm->l; q++) {
			size_t u = (size_t)bm->sv_indices[q] - 1;

			if (u < ci)
				s->sv_coef[j - 1][pos[F->cls[i][u]]] =
				        bm->sv_coef[0][q];
			else
				s->sv_coef[i][pos[F->cls[j][u - ci]]] =
				        bm->sv_coef[0][q];
		}
	}
	s->param.svm_type = C_SVC;
	s->param.kernel_type = T->o->kernel == CLASSIFY_RBF ? RBF : LINEAR;
	s->param.degree = 3;
	s->param.gamma = gamma_of(F, T->gG[T->best]);
	s->param.C = T->gC[T->best];
	s->param.eps = 0.001;
	s->param.shrinking = 1;
	s->free_sv = 0;
	rc = CLASSIFY_OK;
out:
	free(pos);
	return rc;
}

/* ---------------------------------------------------------------- train */

void
classify_train_opts_default(struct classify_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kernel = CLASSIFY_LINEAR;
	o->C = 1.0;
	o->gamma = 0.0;
	o->grid = 0;
	o->folds = 5;
	o->seed = 1;
	o->class_weights = 1;
	o->probability = 1;
	o->threads = 2;
	classify_feature_opts_default(&o->features);
	o->data_sha256 = NULL;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted unique labels and each example's class */
static int
find_classes(struct trainer *T)
{
	const struct classify_dataset *ds = T->ds;
	char **all = malloc(T->n * sizeof(*all));
	size_t i, k = 0;

	T->cls_of = malloc(T->n * sizeof(*T->cls_of));
	if (!all || !T->cls_of) {
		free(all);
		return CLASSIFY_ERR_NOMEM;
	}
	for (i = 0; i < T->n; i++)
		all[i] = ds->ex[i].label;
	qsort(all, T->n, sizeof(*all), str_cmp);
	for (i = 0; i < T->n; i++)
		if (k == 0 || strcmp(all[k - 1], all[i]) != 0)
			all[k++] = all[i];
	T->nclass = k;
	T->labels = calloc(k, sizeof(*T->labels));
	if (!T->labels) {
		free(all);
		return CLASSIFY_ERR_NOMEM;
	}
	for (i = 0; i < k; i++) {
		size_t len = strlen(all[i]) + 1;

		if (!(T->labels[i] = malloc(len))) {
			free(all);
			return CLASSIFY_ERR_NOMEM;
		}
		memcpy(T->labels[i], all[i], len);
	}
	free(all);
	for (i = 0; i < T->n; i++) {
		char *const *hit = bsearch(&ds->ex[i].label, T->labels, k,
		                           sizeof(*T->labels), str_cmp);

		T->cls_of[i] = (size_t)(hit - T->labels);
	}
	return CLASSIFY_OK;
}

/* stratified: each class shuffled, then dealt round-robin, the deal
 * continuing from class to class so fold sizes differ by one at most */
static int
assign_folds(struct trainer *T)
{
	uint64_t state = T->o->seed;
	size_t *idx = malloc(T->n * sizeof(*idx)), c, i, m, next = 0;

	T->fold_of = malloc(T->n * sizeof(*T->fold_of));
	if (!idx || !T->fold_of) {
		free(idx);
		return CLASSIFY_ERR_NOMEM;
	}
	for (c = 0; c < T->nclass; c++) {
		for (i = 0, m = 0; i < T->n; i++)
			if (T->cls_of[i] == c)
				idx[m++] = i;
		/* Fisher-Yates; the modulo bias is below 2^-32 here */
		for (i = m; i > 1; i--) {
			size_t r = (size_t)(splitmix64(&state) % i), tmp;

			tmp = idx[i - 1];
			idx[i - 1] = idx[r];
			idx[r] = tmp;
		}
		for (i = 0; i < m; i++)
			T->fold_of[idx[i]] = (int)(next++ % (size_t)T->k);
	}
	free(idx);
	return CLASSIFY_OK;
}

static int
check_opts(const struct classify_train_opts *o, char *err, size_t errsz)
{
	if (o->kernel != CLASSIFY_LINEAR && o->kernel != CLASSIFY_RBF)
		snprintf(err, errsz, "unknown kernel %d", o->kernel);
	else if (o->folds < 2 || o->folds > 100)
		snprintf(err, errsz, "folds %d: want 2 to 100", o->folds);
	else if (o->threads < 1)
		snprintf(err, errsz, "threads %d: want 1 or more", o->threads);
	else if (!o->grid && !(o->C > 0 && isfinite(o->C)))
		snprintf(err, errsz, "C %g: want a positive number", o->C);
	else if (!(o->gamma >= 0 && isfinite(o->gamma)))
		snprintf(err, errsz, "gamma %g: want 0 or more", o->gamma);
	else if ((o->probability != 0 && o->probability != 1) ||
	         (o->class_weights != 0 && o->class_weights != 1))
		snprintf(err, errsz, "probability and class_weights: 0 or 1");
	else
		return CLASSIFY_OK;
	return CLASSIFY_ERR_USAGE;
}

static int
make_grid(struct trainer *T)
{
	size_t nc = T->o->grid ? 6 : 1, ng = 1, a, b;

	if (T->o->grid && T->o->kernel == CLASSIFY_RBF)
		ng = 5;
	T->ngrid = nc * ng;
	T->gC = malloc(T->ngrid * sizeof(double));
	T->gG = malloc(T->ngrid * sizeof(double));
	if (!T->gC || !T->gG)
		return CLASSIFY_ERR_NOMEM;
	/* C ascending first: the first best point has the smallest C */
	for (a = 0; a < nc; a++)
		for (b = 0; b < ng; b++) {
			T->gC[a * ng + b] =
			        T->o->grid ? ldexp(1.0, -3 + 2 * (int)a)
			                   : T->o->C;
			T->gG[a * ng + b] =
			        T->o->grid && ng > 1
			                ? ldexp(1.0, -7 + 2 * (int)b)
			                : T->o->gamma;
		}
	return CLASSIFY_OK;
}

/* libsvm's own check, once per grid point, on the whole problem */
static int
check_svm(struct trainer *T, char *err, size_t errsz)
{
	struct svm_problem prob;
	struct svm_parameter par;
	struct fold F;
	int wl[2] = { 1, -1 };
	double w[2] = { 1, 1 };
	size_t g, i;
	const char *msg = NULL;

	prob.l = (int)T->n;
	prob.y = malloc(T->n * sizeof(double));
	prob.x = NULL; /* C-SVC checks look at the labels only */
	if (!prob.y)
		return CLASSIFY_ERR_NOMEM;
	for (i = 0; i < T->n; i++)
		prob.y[i] = (double)T->cls_of[i];
	memset(&F, 0, sizeof(F));
	for (g = 0; g < T->ngrid && !msg; g++) {
		params(T, &F, T->gC[g], T->gG[g] > 0 ? T->gG[g] : 1.0, T->n, wl,
		       w, &par);
		msg = svm_check_parameter(&prob, &par);
	}
	free(prob.y);
	if (msg) {
		snprintf(err, errsz, "libsvm: %s", msg);
		return CLASSIFY_ERR_SVM;
	}
	return CLASSIFY_OK;
}

static void
put_meta_num(struct classify_model *m, const char *key, double v, int *rc)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.17g", v);
	if (*rc == CLASSIFY_OK)
		*rc = model_meta_put(m, key, buf);
}

static int
train_one(const struct classify_dataset *ds,
               const struct classify_train_opts *opts,
               struct classify_model **out, struct classify_metrics *cv,
               char *err, size_t errsz)
{
	struct trainer T;
	struct classify_model *m = NULL;
	size_t i, j, p, g, *pred = NULL, nfold_jobs;
	double *pos = NULL;
	int rc = CLASSIFY_ERR_NOMEM, need_cv;

	*out = NULL;
	if (cv)
		memset(cv, 0, sizeof(*cv));
	memset(&T, 0, sizeof(T));
	if (!ds || !opts) {
		snprintf(err, errsz, "no data set or no options");
		return CLASSIFY_ERR_USAGE;
	}
	if ((rc = check_opts(opts, err, errsz)) != CLASSIFY_OK)
		return rc;
	T.ds = ds;
	T.o = opts;
	T.n = ds->n;
	if (T.n == 0) {
		snprintf(err, errsz, "no training examples");
		return CLASSIFY_ERR_DATA;
	}
	if (T.n > INT32_MAX / 2) {
		snprintf(err, errsz, "%zu examples: too many for libsvm", T.n);
		return CLASSIFY_ERR_DATA;
	}
	if ((rc = find_classes(&T)) != CLASSIFY_OK)
		goto out;
	if (T.nclass < 2) {
		snprintf(err, errsz,
		         "only one class ('%s') in %zu examples: need two or "
		         "more",
		         T.labels[0], T.n);
		rc = CLASSIFY_ERR_DATA;
		goto out;
	}
	T.npair = T.nclass * (T.nclass - 1) / 2;
	T.positive = model_positive(T.labels, T.nclass);
	need_cv = cv || opts->grid || opts->probability;
	if (need_cv && T.n < (size_t)opts->folds) {
		snprintf(err, errsz,
		         "%zu examples for %d folds: need one per "
		         "fold at least",
		         T.n, opts->folds);
		rc = CLASSIFY_ERR_DATA;
		goto out;
	}
	T.k = need_cv ? opts->folds : 0;
	rc = CLASSIFY_ERR_NOMEM;
	T.pair_i = malloc(T.npair * sizeof(size_t));
	T.pair_j = malloc(T.npair * sizeof(size_t));
	T.folds = calloc((size_t)T.k + 1, sizeof(*T.folds));
	T.final = calloc(T.npair, sizeof(*T.final));
	if (!T.pair_i || !T.pair_j || !T.folds || !T.final)
		goto out;
	for (i = 0, p = 0; i < T.nclass; i++)
		for (j = i + 1; j < T.nclass; j++, p++) {
			T.pair_i[p] = i;
			T.pair_j[p] = j;
		}
	if ((rc = make_grid(&T)) != CLASSIFY_OK)
		goto out;
	if ((rc = check_svm(&T, err, errsz)) != CLASSIFY_OK)
		goto out;
	rc = CLASSIFY_ERR_NOMEM;
	if (T.k) {
		if (assign_folds(&T) != CLASSIFY_OK)
			goto out;
		T.dec = malloc(T.ngrid * T.n * T.npair * sizeof(double));
		if (!T.dec)
			goto out;
	}
	/* set once, before any thread: libsvm's only global */
	svm_set_print_string_function(silent);

	/* phase A: the vocabularies and vectors of the folds and the whole */
	nfold_jobs = (size_t)T.k + 1;
	if (T.k) {
		rc = run_jobs(&T, nfold_jobs, job_prep);
	} else {
		rc = job_prep(&T, 0); /* T.k == 0: folds[0] is the whole */
	}
	for (i = 0; i < nfold_jobs; i++)
		if (T.folds[i].rc != CLASSIFY_OK) {
			rc = T.folds[i].rc;
			if ((int)i == T.k)
				snprintf(err, errsz, "%s", T.folds[i].err);
			else
				snprintf(err, errsz, "fold %zu: %s", i + 1,
				         T.folds[i].err);
			goto out;
		}
	if (train_fold_hook)
		for (i = 0; i < (size_t)T.k; i++)
			train_fold_hook((int)i, T.folds[i].v, T.fold_of, T.n);
	/* phase B: every CV problem, and the final one when C is known */
	T.best = 0;
	T.nfinal_jobs = T.ngrid == 1 ? T.npair : 0;
	if (run_jobs(&T,
	             (T.k ? T.ngrid * (size_t)T.k * T.npair : 0) +
	                     T.nfinal_jobs,
	             job_b) != 0) {
		rc = CLASSIFY_ERR_NOMEM;
		snprintf(err, errsz, "training: out of memory");
		goto out;
	}
	rc = CLASSIFY_ERR_NOMEM;
	if (T.k) {
		pred = malloc(T.n * sizeof(*pred));
		pos = malloc(T.n * sizeof(*pos));
		if (!pred || !pos)
			goto out;
	}
	/* the grid: best CV macro F1, the first (smallest C) on ties */
	if (T.ngrid > 1) {
		double best = -1;

		for (g = 0; g < T.ngrid; g++) {
			struct classify_metrics mt;

			if (cv_predict(&T, g, pred, NULL) != CLASSIFY_OK ||
			    metrics_compute(T.nclass, T.labels, T.n, T.cls_of,
			                    pred, NULL, 0, &mt) != CLASSIFY_OK)
				goto out;
			if (mt.macro_f1 > best) {
				best = mt.macro_f1;
				T.best = g;
			}
			classify_metrics_release(&mt);
		}
		if (run_jobs(&T, T.npair, job_final) != 0) {
			snprintf(err, errsz, "training: out of memory");
			goto out;
		}
	}
	if (!(m = calloc(1, sizeof(*m))))
		goto out;
	m->kernel = opts->kernel;
	m->nclass = T.nclass;
	if (assemble(&T, m) != CLASSIFY_OK)
		goto out;
	if (opts->probability) {
		m->svm->probA = malloc(T.npair * sizeof(double));
		m->svm->probB = malloc(T.npair * sizeof(double));
		if (!m->svm->probA || !m->svm->probB ||
		    final_platt(&T, m->svm->probA, m->svm->probB) !=
		            CLASSIFY_OK)
			goto out;
	}
	m->labels = T.labels;
	T.labels = NULL;
	m->vocab = T.folds[T.k].v;
	T.folds[T.k].v = NULL;
	if (cv) {
		if (cv_predict(&T, T.best, pred, pos) != CLASSIFY_OK ||
		    metrics_compute(T.nclass, m->labels, T.n, T.cls_of, pred,
		                    T.nclass == 2 ? pos : NULL, T.positive,
		                    cv) != CLASSIFY_OK)
			goto out;
		if (opts->cv_scores)
			memcpy(opts->cv_scores, pos, T.n * sizeof(*pos));
	}
	{
		char now[32];

		rc = CLASSIFY_OK;
		if (model_now_iso(now, sizeof(now)) == 0)
			rc = model_meta_put(m, "trained_at", now);
		if (rc == CLASSIFY_OK && opts->data_sha256)
			rc = model_meta_put(m, "data_sha256",
			                    opts->data_sha256);
		if (rc == CLASSIFY_OK)
			rc = model_meta_put(m, "kernel",
			                    opts->kernel == CLASSIFY_RBF
			                            ? "rbf"
			                            : "linear");
		put_meta_num(m, "C", T.gC[T.best], &rc);
		put_meta_num(m, "gamma", m->svm->param.gamma, &rc);
		put_meta_num(m, "folds", T.k, &rc);
		put_meta_num(m, "seed", opts->seed, &rc);
		put_meta_num(m, "class_weights", opts->class_weights, &rc);
		if (rc != CLASSIFY_OK)
			goto out;
	}
	rc = model_finish(m);
out:
	if (rc == CLASSIFY_ERR_NOMEM)
		snprintf(err, errsz, "training: out of memory");
	if (rc != CLASSIFY_OK) {
		classify_model_free(m);
		m = NULL;
		if (cv)
			classify_metrics_release(cv);
	}
	*out = m;
	if (T.labels)
		for (i = 0; i < T.nclass; i++)
			free(T.labels[i]);
	free(T.labels);
	if (T.final)
		for (p = 0; p < T.npair; p++)
			svm_free_and_destroy_model(&T.final[p]);
	free(T.final);
	if (T.folds)
		for (i = 0; i <= (size_t)T.k; i++)
			fold_release(&T.folds[i], T.nclass);
	free(T.folds);
	free(T.cls_of);
	free(T.fold_of);
	free(T.pair_i);
	free(T.pair_j);
	free(T.gC);
	free(T.gG);
	free(T.dec);
	free(pred);
	free(pos);
	return rc;
}

/* ----------------------------------------------------------------- tags */

static int
tag_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
has_tag(const struct classify_example *e, const char *t)
{
	size_t i;

	for (i = 0; i < e->ntags; i++)
		if (strcmp(e->tags[i], t) == 0)
			return 1;
	return 0;
}

/* One binary sub-model per tag, on the tagged examples (see classify.h). */
static int
train_tags(const struct classify_dataset *ds,
           const struct classify_train_opts *opts, struct classify_model *m,
           char *err, size_t errsz)
{
	const char **all = NULL;
	size_t n = 0, cap = 0, i, j, u = 0, ntagged = 0;
	int rc = CLASSIFY_OK;

	for (i = 0; i < ds->n; i++) {
		ntagged += ds->ex[i].ntags > 0;
		for (j = 0; j < ds->ex[i].ntags; j++) {
			if (n == cap) {
				const char **p;

				cap = cap ? cap * 2 : 64;
				if (!(p = realloc(all, cap * sizeof(*p)))) {
					free(all);
					return CLASSIFY_ERR_NOMEM;
				}
				all = p;
			}
			all[n++] = ds->ex[i].tags[j];
		}
	}
	if (n == 0)
		return CLASSIFY_OK;
	qsort(all, n, sizeof(*all), tag_cmp);
	for (i = 0; i < n; i++) /* unique */
		if (u == 0 || strcmp(all[u - 1], all[i]) != 0)
			all[u++] = all[i];
	for (i = 0; i < u && rc == CLASSIFY_OK; i++) {
		struct classify_dataset sub = { 0 };
		struct classify_model *tm = NULL;
		struct classify_metrics cv;
		size_t pos = 0, k = m->ntags;
		char terr[512];

		memset(&cv, 0, sizeof(cv));
		for (j = 0; j < ds->n; j++)
			pos += has_tag(&ds->ex[j], all[i]);
		/* too few on either side to cross-validate: no model */
		if (pos < (size_t)opts->folds ||
		    ntagged - pos < (size_t)opts->folds)
			continue;
		for (j = 0; j < ds->n && rc == CLASSIFY_OK; j++)
			if (ds->ex[j].ntags)
				rc = classify_dataset_add(
				        &sub, has_tag(&ds->ex[j], all[i]) ? "1" : "0",
				        ds->ex[j].text, ds->ex[j].lang);
		if (rc == CLASSIFY_OK) {
			struct classify_train_opts so = *opts;

			so.cv_scores = NULL; /* the caller's are the main model's */
			rc = train_one(&sub, &so, &tm,
			               opts->probability ? &cv : NULL, terr,
			               sizeof(terr));
		}
		for (j = 0; j < sub.n; j++) {
			free(sub.ex[j].label);
			free(sub.ex[j].text);
			free(sub.ex[j].lang);
		}
		free(sub.ex);
		if (rc != CLASSIFY_OK) {
			if (rc != CLASSIFY_ERR_NOMEM)
				snprintf(err, errsz, "tag '%s': %s", all[i],
				         terr);
			break;
		}
		rc = CLASSIFY_ERR_NOMEM;
		{
			char **tn = realloc(m->tag, (k + 1) * sizeof(*tn));
			struct classify_model **tmm;
			struct classify_metrics *tc;

			if (tn)
				m->tag = tn;
			tmm = tn ? realloc(m->tagm, (k + 1) * sizeof(*tmm))
			         : NULL;
			if (tmm)
				m->tagm = tmm;
			tc = tmm ? realloc(m->tagcv, (k + 1) * sizeof(*tc))
			         : NULL;
			if (tc)
				m->tagcv = tc;
			if (tc && (m->tag[k] = strdup(all[i])) != NULL) {
				m->tagm[k] = tm;
				m->tagcv[k] = cv; /* zeroed without Platt */
				m->ntags++;
				tm = NULL;
				memset(&cv, 0, sizeof(cv));
				rc = CLASSIFY_OK;
			}
		}
		classify_model_free(tm);
		classify_metrics_release(&cv);
	}
	free(all);
	if (rc == CLASSIFY_OK && m->ntags)
		rc = model_update_version(m);
	return rc;
}

int
classify_train(const struct classify_dataset *ds,
               const struct classify_train_opts *opts,
               struct classify_model **out, struct classify_metrics *cv,
               char *err, size_t errsz)
{
	int rc = train_one(ds, opts, out, cv, err, errsz);

	if (rc != CLASSIFY_OK)
		return rc;
	rc = train_tags(ds, opts, *out, err, errsz);
	if (rc != CLASSIFY_OK) {
		if (rc == CLASSIFY_ERR_NOMEM)
			snprintf(err, errsz, "training: out of memory");
		classify_model_free(*out);
		*out = NULL;
		if (cv)
			classify_metrics_release(cv);
	}
	return rc;
}
