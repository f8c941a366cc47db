/*
 * model.c - the model: prediction (the linear fast path and libsvm's),
 * explanation, evaluation, metadata and the bundle file.
 *
 * The bundle is one text file, each line ending in '\n':
 *
 *   pcmon-model 1                      format version
 *   meta KEY VALUE                     VALUE percent-encoded (%XX for '%',
 *   ...                                bytes <= 0x20 and 0x7f)
 *   classes K                          then K lines "class LABEL" (percent-
 *   class LABEL                        encoded), sorted, unique
 *   vocab_features ... / vocab_terms N / N terms     vocab_write()
 *   svm_type c_svc                     libsvm's model text, written and read
 *   kernel_type linear|rbf             here (svm_save_model() only takes a
 *   gamma G                            path): gamma (rbf only), nr_class,
 *   nr_class K ... nr_sv ...           total_sv, rho, label (0..K-1),
 *   SV                                 probA/probB (when Platt), nr_sv, then
 *   COEF... INDEX:VALUE ...            one line per support vector
 *   end SHA256                         of every byte before this line
 *
 * Numbers are written with %.17g, so a loaded model predicts bit for bit
 * what the trained one did.  The reader checks the version line, then the
 * checksum (a torn or edited file fails there), then every count, index
 * and number.  The version of a model is the first 16 hex digits of the
 * checksum; the linear weights are recomputed at load.
 *
 * Parts of model_outcome() and model_sigmoid_train() follow libsvm
 * (svm.cpp: sigmoid_predict, multiclass_probability, sigmoid_train,
 * svm_predict_values' voting), Copyright (c) 2000-2019 Chih-Chung Chang and
 * Chih-Jen Lin, BSD-3-Clause licensed.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classify_model.h"
#include "classify_sha256.h"

#define MODEL_MAX_BYTES ((size_t)1 << 31)
#define META_MAX        64 /* metadata entries */

/* ------------------------------------------------------------ lifetime */

void
classify_model_free(struct classify_model *m)
{
	size_t i;

	if (!m)
		return;
	vocab_free(m->vocab);
	if (m->labels)
		for (i = 0; i < m->nclass; i++)
			free(m->labels[i]);
	free(m->labels);
	if (m->svm)
		svm_free_and_destroy_model(&m->svm); /* free_sv = 0 */
	free(m->xspace);
	free(m->w);
	for (i = 0; i < m->nmeta; i++) {
		free(m->mkey[i]);
		free(m->mval[i]);
	}
	free(m->mkey);
	free(m->mval);
	for (i = 0; i < m->ntags; i++) {
		free(m->tag[i]);
		if (m->tagm)
			classify_model_free(m->tagm[i]);
		if (m->tagcv)
			classify_metrics_release(&m->tagcv[i]);
	}
	free(m->tag);
	free(m->tagm);
	free(m->tagcv);
	free(m);
}

size_t
model_positive(char *const *labels, size_t nclass)
{
	size_t i;

	for (i = 0; i < nclass; i++)
		if (strcmp(labels[i], "1") == 0)
			return i;
	return nclass > 1 ? 1 : 0;
}

int
model_update_version(struct classify_model *m)
{
	char *buf = NULL, hex[65];
	size_t len = 0;
	int rc;

	if ((rc = model_serialize(m, &buf, &len)) != CLASSIFY_OK)
		return rc;
	classify_sha256_hex(buf, len, hex);
	memcpy(m->version, hex, 16);
	m->version[16] = '\0';
	free(buf);
	return CLASSIFY_OK;
}

/* w = sum of coef * SV per pair, feature-major (see model.h) */
static int
model_weights(struct classify_model *m)
{
	const struct svm_model *s = m->svm;
	size_t k = m->nclass, i, j, p, nf = vocab_size(m->vocab);
	int *start;

	free(m->w);
	m->w = NULL;
	m->nfeat = nf;
	if (m->kernel != CLASSIFY_LINEAR ||
	    (nf + 1) > MODEL_MAX_WEIGHTS / m->npair)
		return CLASSIFY_OK;
	m->w = calloc((nf + 1) * m->npair, sizeof(double));
	start = malloc(k * sizeof(*start));
	if (!m->w || !start) {
		free(start);
		return CLASSIFY_ERR_NOMEM;
	}
	start[0] = 0;
	for (i = 1; i < k; i++)
		start[i] = start[i - 1] + s->nSV[i - 1];
	/* pair p = (i, j): class i's SVs with sv_coef[j-1], class j's with
	 * sv_coef[i], exactly as svm_predict_values() pairs them */
	p = 0;
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++, p++) {
			int t;

			for (t = start[i]; t < start[i] + s->nSV[i]; t++) {
				const struct svm_node *x = s->SV[t];
				double c = s->sv_coef[j - 1][t];

				for (; x->index != -1; x++)
					m->w[(size_t)x->index * m->npair + p] +=
					        c * x->value;
			}
			for (t = start[j]; t < start[j] + s->nSV[j]; t++) {
				const struct svm_node *x = s->SV[t];
				double c = s->sv_coef[i][t];

				for (; x->index != -1; x++)
					m->w[(size_t)x->index * m->npair + p] +=
					        c * x->value;
			}
		}
	free(start);
	return CLASSIFY_OK;
}

int
model_finish(struct classify_model *m)
{
	int rc;

	m->npair = m->nclass * (m->nclass - 1) / 2;
	m->positive = model_positive(m->labels, m->nclass);
	if ((rc = model_weights(m)) != CLASSIFY_OK)
		return rc;
	return model_update_version(m);
}

/* ---------------------------------------------------------- prediction */

int
model_decisions(const struct classify_model *m, const struct svm_node *x,
                double *dec)
{
	size_t p;

	if (!m->w) {
		svm_predict_values(m->svm, x, dec);
		return CLASSIFY_OK;
	}
	for (p = 0; p < m->npair; p++)
		dec[p] = 0.0;
	for (; x->index != -1; x++) {
		const double *row;

		if (x->index < 1 || (size_t)x->index > m->nfeat)
			continue;
		row = m->w + (size_t)x->index * m->npair;
		for (p = 0; p < m->npair; p++)
			dec[p] += x->value * row[p];
	}
	for (p = 0; p < m->npair; p++)
		dec[p] -= m->svm->rho[p];
	return CLASSIFY_OK;
}

/* libsvm's sigmoid_predict() */
static double
sigmoid_predict(double dec, double A, double B)
{
	double fApB = dec * A + B;

	/* 1-p used later; avoid catastrophic cancellation */
	if (fApB >= 0)
		return exp(-fApB) / (1.0 + exp(-fApB));
	return 1.0 / (1 + exp(fApB));
}

/* libsvm's multiclass_probability(): method 2 of Wu, Lin and Weng; r is
 * k x k, Q k x k and Qp k of workspace */
static void
multiclass_probability(size_t k, double *r, double *Q, double *Qp, double *p)
{
	size_t t, j;
	int iter, max_iter = k > 100 ? (int)k : 100;
	double pQp, eps = 0.005 / (double)k;

	for (t = 0; t < k; t++) {
		p[t] = 1.0 / (double)k;
		Q[t * k + t] = 0;
		for (j = 0; j < t; j++) {
			Q[t * k + t] += r[j * k + t] * r[j * k + t];
			Q[t * k + j] = Q[j * k + t];
		}
		for (j = t + 1; j < k; j++) {
			Q[t * k + t] += r[j * k + t] * r[j * k + t];
			Q[t * k + j] = -r[j * k + t] * r[t * k + j];
		}
	}
	for (iter = 0; iter < max_iter; iter++) {
		double max_error = 0;

		/* stopping condition, recalculate QP,pQP for numerical
		 * accuracy */
		pQp = 0;
		for (t = 0; t < k; t++) {
			Qp[t] = 0;
			for (j = 0; j < k; j++)
				Qp[t] += Q[t * k + j] * p[j];
			pQp += p[t] * Qp[t];
		}
		for (t = 0; t < k; t++) {
			double error = fabs(Qp[t] - pQp);

			if (error > max_error)
				max_error = error;
		}
		if (max_error < eps)
			break;
		for (t = 0; t < k; t++) {
			double diff = (-Qp[t] + pQp) / Q[t * k + t];

			p[t] += diff;
			pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) /
			      (1 + diff) / (1 + diff);
			for (j = 0; j < k; j++) {
				Qp[j] = (Qp[j] + diff * Q[t * k + j]) /
				        (1 + diff);
				p[j] /= (1 + diff);
			}
		}
	}
}

size_t
model_outcome(size_t k, const double *dec, const double *probA,
              const double *probB, double *prob, double *score)
{
	size_t i, j, p, best = 0;

	if (probA && probB) {
		const double min_prob = 1e-7;
		double *r, *Q, *Qp;

		if (k == 2) {
			double q = isnan(dec[0])
			                   ? 0.5
			                   : sigmoid_predict(dec[0], probA[0],
			                                     probB[0]);

			q = fmin(fmax(q, min_prob), 1 - min_prob);
			prob[0] = q;
			prob[1] = 1 - q;
			best = prob[1] > prob[0];
			*score = prob[best];
			return best;
		}
		r = malloc(k * k * 2 * sizeof(double) + k * sizeof(double));
		if (!r) {
			/* no memory for the coupling: fall back to the vote */
			return model_outcome(k, dec, NULL, NULL, prob, score);
		}
		Q = r + k * k;
		Qp = Q + k * k;
		for (i = 0, p = 0; i < k; i++)
			for (j = i + 1; j < k; j++, p++) {
				double q = isnan(dec[p])
				                   ? 0.5
				                   : sigmoid_predict(dec[p],
				                                     probA[p],
				                                     probB[p]);

				q = fmin(fmax(q, min_prob), 1 - min_prob);
				r[i * k + j] = q;
				r[j * k + i] = 1 - q;
			}
		multiclass_probability(k, r, Q, Qp, prob);
		free(r);
		for (i = 1; i < k; i++)
			if (prob[i] > prob[best])
				best = i;
		*score = prob[best];
		return best;
	}
	/* svm_predict_values(): dec > 0 votes for i, else for j; the first
	 * class with the most votes wins */
	{
		long vote[64], *v = vote;
		double margin = INFINITY;

		if (k > 64 && !(v = calloc(k, sizeof(*v))))
			v = NULL;
		if (v) {
			for (i = 0; i < k; i++)
				v[i] = 0;
			for (i = 0, p = 0; i < k; i++)
				for (j = i + 1; j < k; j++, p++) {
					if (isnan(dec[p]))
						continue;
					if (dec[p] > 0)
						++v[i];
					else
						++v[j];
				}
			for (i = 1; i < k; i++)
				if (v[i] > v[best])
					best = i;
			if (v != vote)
				free(v);
		}
		/* the winner's smallest margin over its rivals */
		for (i = 0, p = 0; i < k; i++)
			for (j = i + 1; j < k; j++, p++) {
				if (isnan(dec[p]))
					continue;
				if (i == best && dec[p] < margin)
					margin = dec[p];
				if (j == best && -dec[p] < margin)
					margin = -dec[p];
			}
		if (isinf(margin))
			margin = 0;
		for (i = 0; i < k; i++)
			prob[i] = 0;
		prob[best] = 1.0 / (1.0 + exp(-margin));
		if (k == 2)
			prob[1 - best] = 1.0 - prob[best];
		*score = prob[best];
		return best;
	}
}

/* libsvm's sigmoid_train(): Platt's binary SVM probabilistic output, as
 * improved by Lin, Lin and Weng */
void
model_sigmoid_train(size_t l, const double *dec, const signed char *y,
                    double *pA, double *pB)
{
	double prior1 = 0, prior0 = 0, A, B, fval = 0.0;
	size_t i;
	int max_iter = 100, iter;
	double min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
	double hiTarget, loTarget;

	for (i = 0; i < l; i++)
		if (y[i] > 0)
			prior1 += 1;
		else
			prior0 += 1;
	hiTarget = (prior1 + 1.0) / (prior1 + 2.0);
	loTarget = 1 / (prior0 + 2.0);
	A = 0.0;
	B = log((prior0 + 1.0) / (prior1 + 1.0));
	for (i = 0; i < l; i++) {
		double t = y[i] > 0 ? hiTarget : loTarget;
		double fApB = dec[i] * A + B;

		if (fApB >= 0)
			fval += t * fApB + log(1 + exp(-fApB));
		else
			fval += (t - 1) * fApB + log(1 + exp(fApB));
	}
	for (iter = 0; iter < max_iter; iter++) {
		double h11 = sigma, h22 = sigma, h21 = 0.0, g1 = 0.0, g2 = 0.0;
		double det, dA, dB, gd, stepsize;

		/* gradient and Hessian (H' = H + sigma I) */
		for (i = 0; i < l; i++) {
			double fApB = dec[i] * A + B, p, q, d1, d2;
			double t = y[i] > 0 ? hiTarget : loTarget;

			if (fApB >= 0) {
				p = exp(-fApB) / (1.0 + exp(-fApB));
				q = 1.0 / (1.0 + exp(-fApB));
			} else {
				p = 1.0 / (1.0 + exp(fApB));
				q = exp(fApB) / (1.0 + exp(fApB));
			}
			d2 = p * q;
			h11 += dec[i] * dec[i] * d2;
			h22 += d2;
			h21 += dec[i] * d2;
			d1 = t - p;
			g1 += dec[i] * d1;
			g2 += d1;
		}
		if (fabs(g1) < eps && fabs(g2) < eps)
			break;
		/* Newton direction: -inv(H') * g */
		det = h11 * h22 - h21 * h21;
		dA = -(h22 * g1 - h21 * g2) / det;
		dB = -(-h21 * g1 + h11 * g2) / det;
		gd = g1 * dA + g2 * dB;
		stepsize = 1; /* line search */
		while (stepsize >= min_step) {
			double newA = A + stepsize * dA,
			       newB = B + stepsize * dB;
			double newf = 0.0;

			for (i = 0; i < l; i++) {
				double t = y[i] > 0 ? hiTarget : loTarget;
				double fApB = dec[i] * newA + newB;

				if (fApB >= 0)
					newf += t * fApB + log(1 + exp(-fApB));
				else
					newf += (t - 1) * fApB +
					        log(1 + exp(fApB));
			}
			if (newf < fval + 0.0001 * stepsize * gd) {
				A = newA;
				B = newB;
				fval = newf;
				break;
			}
			stepsize = stepsize / 2.0;
		}
		if (stepsize < min_step)
			break; /* line search fails */
	}
	*pA = A;
	*pB = B;
}

/* decisions, class and per-class probabilities of one text; dec has npair
 * and prob nclass entries */
static int
model_score(const struct classify_model *m, const char *text, const char *lang,
            double *dec, double *prob, size_t *cls, double *score)
{
	struct svm_node *x = NULL;
	size_t nx;
	int rc;

	/* the weight vectors' dot product needs no order; libsvm's does */
	if ((rc = vocab_vectorize_ex(m->vocab, text, lang, m->w == NULL, &x,
	                             &nx)) != CLASSIFY_OK)
		return rc;
	rc = model_decisions(m, x, dec);
	free(x);
	if (rc != CLASSIFY_OK)
		return rc;
	*cls = model_outcome(m->nclass, dec, m->svm->probA, m->svm->probB, prob,
	                     score);
	return CLASSIFY_OK;
}

int
classify_predict(const struct classify_model *m, const char *text,
                 const char *lang, struct classify_prediction *out)
{
	double dbuf[64], pbuf[16], *dec = dbuf, *prob = pbuf, score;
	size_t cls;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!m || !text)
		return CLASSIFY_ERR_USAGE;
	if (m->npair > 64 && !(dec = malloc(m->npair * sizeof(*dec))))
		return CLASSIFY_ERR_NOMEM;
	if (m->nclass > 16 && !(prob = malloc(m->nclass * sizeof(*prob)))) {
		if (dec != dbuf)
			free(dec);
		return CLASSIFY_ERR_NOMEM;
	}
	rc = model_score(m, text, lang, dec, prob, &cls, &score);
	if (rc == CLASSIFY_OK) {
		out->label = m->labels[cls];
		out->score = score;
		/* binary: oriented to the positive class; multi-class: 0 */
		if (m->nclass == 2)
			out->decision = m->positive == 0 ? dec[0] : -dec[0];
	}
	if (dec != dbuf)
		free(dec);
	if (prob != pbuf)
		free(prob);
	return rc;
}

struct contrib {
	int index;
	double w;
};

static int
contrib_cmp(const void *a, const void *b)
{
	const struct contrib *x = a, *y = b;
	double ax = fabs(x->w), ay = fabs(y->w);

	if (ax != ay)
		return ax < ay ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Binary: x_t * w_t of the decision for the positive class.  Multi-class:
 * of the predicted class's first pairwise function (against class 0, or
 * against class 1 when class 0 is predicted), oriented towards the
 * predicted class.  Largest magnitude first, ties by term.
 */
int
classify_explain(const struct classify_model *m, const char *text,
                 const char *lang, size_t n,
                 void (*fn)(const char *term, double weight, void *arg),
                 void *arg)
{
	struct classify_prediction pr;
	struct svm_node *x = NULL;
	struct contrib *c = NULL;
	size_t nx, i, k = 0, cls, p;
	double sign;
	int rc;

	if (!m || !text || !fn)
		return CLASSIFY_ERR_USAGE;
	if (!m->w)
		return CLASSIFY_ERR_USAGE; /* not linear: no weights */
	if ((rc = classify_predict(m, text, lang, &pr)) != CLASSIFY_OK)
		return rc;
	for (cls = 0; m->labels[cls] != pr.label; cls++)
		;
	if (m->nclass == 2) {
		p = 0;
		sign = m->positive == 0 ? 1.0 : -1.0;
	} else if (cls == 0) {
		p = 0; /* pair (0, 1) */
		sign = 1.0;
	} else {
		p = cls - 1; /* pair (0, cls) */
		sign = -1.0;
	}
	if ((rc = vocab_vectorize(m->vocab, text, lang, &x, &nx)) !=
	    CLASSIFY_OK)
		return rc;
	c = malloc((nx ? nx : 1) * sizeof(*c));
	if (!c) {
		free(x);
		return CLASSIFY_ERR_NOMEM;
	}
	for (i = 0; i < nx; i++) {
		if (x[i].index < 1 || (size_t)x[i].index > m->nfeat)
			continue;
		c[k].index = x[i].index;
		c[k].w = sign * x[i].value *
		         m->w[(size_t)x[i].index * m->npair + p];
		k++;
	}
	qsort(c, k, sizeof(*c), contrib_cmp);
	for (i = 0; i < k && i < n; i++)
		fn(vocab_term(m->vocab, c[i].index), c[i].w, arg);
	free(c);
	free(x);
	return CLASSIFY_OK;
}

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
classify_model_ntags(const struct classify_model *m)
{
	return m ? m->ntags : 0;
}

const char *
classify_model_tag(const struct classify_model *m, size_t i)
{
	return m && i < m->ntags ? m->tag[i] : NULL;
}

struct classify_model *
classify_model_tag_model(const struct classify_model *m, size_t i)
{
	return m && i < m->ntags ? m->tagm[i] : NULL;
}

const struct classify_metrics *
classify_model_tag_cv(const struct classify_model *m, size_t i)
{
	return m && m->tagcv && i < m->ntags ? &m->tagcv[i] : NULL;
}

int
classify_tag_scores(const struct classify_model *m, const char *text,
                    const char *lang, double *prob)
{
	size_t i;
	int rc;

	if (!m || !text || (m->ntags && !prob))
		return CLASSIFY_ERR_USAGE;
	for (i = 0; i < m->ntags; i++) {
		struct classify_prediction p;
		const struct classify_model *t = m->tagm[i];

		if ((rc = classify_predict(t, text, lang, &p)) != CLASSIFY_OK)
			return rc;
		/* the probability of "1" (the tag's positive class) */
		prob[i] = p.label == t->labels[t->positive] ? p.score
		                                            : 1.0 - p.score;
	}
	return CLASSIFY_OK;
}

int
classify_evaluate(const struct classify_model *m,
                  const struct classify_dataset *ds,
                  struct classify_metrics *out, char *err, size_t errsz)
{
	size_t n = ds ? ds->n : 0, i, nl, *truth = NULL, *pred = NULL;
	double *pos = NULL, *dec = NULL, *prob = NULL, score;
	char **labels = NULL;
	int rc = CLASSIFY_ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (!m || !ds) {
		snprintf(err, errsz, "no model or no data");
		return CLASSIFY_ERR_USAGE;
	}
	if (n == 0) {
		snprintf(err, errsz, "no examples to evaluate");
		return CLASSIFY_ERR_DATA;
	}
	/* the model's classes, then labels it has never seen (recall 0) */
	labels = malloc((m->nclass + n) * sizeof(*labels));
	truth = malloc(n * sizeof(*truth));
	pred = malloc(n * sizeof(*pred));
	pos = malloc(n * sizeof(*pos));
	dec = malloc((m->npair ? m->npair : 1) * sizeof(*dec));
	prob = malloc(m->nclass * sizeof(*prob));
	if (!labels || !truth || !pred || !pos || !dec || !prob)
		goto out;
	memcpy(labels, m->labels, m->nclass * sizeof(*labels));
	nl = m->nclass;
	for (i = 0; i < n; i++) {
		char *const *hit = bsearch(&ds->ex[i].label, labels, m->nclass,
		                           sizeof(*labels), label_cmp);
		size_t j;

		if (hit) {
			truth[i] = (size_t)(hit - labels);
		} else {
			for (j = m->nclass; j < nl; j++)
				if (strcmp(labels[j], ds->ex[i].label) == 0)
					break;
			if (j == nl)
				labels[nl++] = ds->ex[i].label;
			truth[i] = j;
		}
		rc = model_score(m, ds->ex[i].text, ds->ex[i].lang, dec, prob,
		                 &pred[i], &score);
		if (rc != CLASSIFY_OK) {
			snprintf(err, errsz, "example %zu: %s", i + 1,
			         classify_strerror(rc));
			goto out;
		}
		pos[i] = prob[m->positive];
	}
	rc = metrics_compute(nl, labels, n, truth, pred,
	                     m->nclass == 2 ? pos : NULL, m->positive, out);
out:
	if (rc == CLASSIFY_ERR_NOMEM)
		snprintf(err, errsz, "evaluating: out of memory");
	free(labels);
	free(truth);
	free(pred);
	free(pos);
	free(dec);
	free(prob);
	return rc;
}

/* ------------------------------------------------------------ metadata */

const char *
classify_model_version(const struct classify_model *m)
{
	return m ? m->version : NULL;
}

size_t
classify_model_nclass(const struct classify_model *m)
{
	return m ? m->nclass : 0;
}

const char *
classify_model_label(const struct classify_model *m, size_t i)
{
	return m && i < m->nclass ? m->labels[i] : NULL;
}

const char *
classify_model_meta(const struct classify_model *m, const char *key)
{
	size_t i;

	if (!m || !key)
		return NULL;
	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->mkey[i], key) == 0)
			return m->mval[i];
	return NULL;
}

static int
meta_key_valid(const char *k)
{
	size_t n = 0;

	for (; k[n]; n++)
		if (!((k[n] >= 'a' && k[n] <= 'z') ||
		      (k[n] >= 'A' && k[n] <= 'Z') ||
		      (k[n] >= '0' && k[n] <= '9') || k[n] == '_' ||
		      k[n] == '-' || k[n] == '.'))
			return 0;
	return n > 0 && n <= 64;
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* sets without recomputing the version */
static int
meta_put(struct classify_model *m, const char *key, const char *value)
{
	size_t i;
	char *v, **nk, **nv;

	if (!meta_key_valid(key) || !value)
		return CLASSIFY_ERR_USAGE;
	if (!(v = dup_str(value)))
		return CLASSIFY_ERR_NOMEM;
	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->mkey[i], key) == 0) {
			free(m->mval[i]);
			m->mval[i] = v;
			return CLASSIFY_OK;
		}
	if (m->nmeta >= META_MAX) {
		free(v);
		return CLASSIFY_ERR_USAGE;
	}
	nk = realloc(m->mkey, (m->nmeta + 1) * sizeof(*nk));
	if (nk)
		m->mkey = nk;
	nv = realloc(m->mval, (m->nmeta + 1) * sizeof(*nv));
	if (nv)
		m->mval = nv;
	if (!nk || !nv || !(m->mkey[m->nmeta] = dup_str(key))) {
		free(v);
		return CLASSIFY_ERR_NOMEM;
	}
	m->mval[m->nmeta++] = v;
	return CLASSIFY_OK;
}

int
classify_model_set_meta(struct classify_model *m, const char *key,
                        const char *value)
{
	int rc;

	if (!m || !key)
		return CLASSIFY_ERR_USAGE;
	if ((rc = meta_put(m, key, value)) != CLASSIFY_OK)
		return rc;
	return model_update_version(m);
}

int
model_meta_put(struct classify_model *m, const char *key, const char *value)
{
	return meta_put(m, key, value);
}

/* -------------------------------------------------------------- writer */

static void
put_encoded(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || c == '%')
			fprintf(fp, "%%%02X", c);
		else
			putc(c, fp);
	}
}

static void
put_doubles(FILE *fp, const char *name, const double *v, size_t n)
{
	size_t i;

	fputs(name, fp);
	for (i = 0; i < n; i++)
		fprintf(fp, " %.17g", v[i]);
	putc('\n', fp);
}

int
model_serialize(const struct classify_model *m, char **buf, size_t *len)
{
	const struct svm_model *s = m->svm;
	FILE *fp;
	size_t i;
	int rc, t, c;

	*buf = NULL;
	*len = 0;
	if (!(fp = open_memstream(buf, len)))
		return CLASSIFY_ERR_NOMEM;
	fprintf(fp, "pcmon-model %d\n", MODEL_FORMAT);
	for (i = 0; i < m->nmeta; i++) {
		fprintf(fp, "meta %s ", m->mkey[i]);
		put_encoded(fp, m->mval[i]);
		putc('\n', fp);
	}
	/* each tag: "tag NAME LINES", then its sub-model's lines (its own
	 * version line left out) */
	for (i = 0; i < m->ntags; i++) {
		char *sb, *body;
		size_t sl, nl = 0, k;

		if (model_serialize(m->tagm[i], &sb, &sl) != CLASSIFY_OK) {
			fclose(fp);
			free(*buf);
			*buf = NULL;
			return CLASSIFY_ERR_NOMEM;
		}
		body = memchr(sb, '\n', sl);
		body = body ? body + 1 : sb + sl;
		for (k = (size_t)(body - sb); k < sl; k++)
			nl += sb[k] == '\n';
		fputs("tag ", fp);
		put_encoded(fp, m->tag[i]);
		fprintf(fp, " %zu\n", nl);
		fwrite(body, 1, sl - (size_t)(body - sb), fp);
		free(sb);
	}
	fprintf(fp, "classes %zu\n", m->nclass);
	for (i = 0; i < m->nclass; i++) {
		fputs("class ", fp);
		put_encoded(fp, m->labels[i]);
		putc('\n', fp);
	}
	rc = vocab_write(m->vocab, fp);
	fprintf(fp, "svm_type c_svc\nkernel_type %s\n",
	        m->kernel == CLASSIFY_RBF ? "rbf" : "linear");
	if (m->kernel == CLASSIFY_RBF)
		fprintf(fp, "gamma %.17g\n", s->param.gamma);
	fprintf(fp, "nr_class %d\ntotal_sv %d\n", s->nr_class, s->l);
	put_doubles(fp, "rho", s->rho, m->npair);
	fputs("label", fp);
	for (c = 0; c < s->nr_class; c++)
		fprintf(fp, " %d", s->label[c]);
	putc('\n', fp);
	if (s->probA && s->probB) {
		put_doubles(fp, "probA", s->probA, m->npair);
		put_doubles(fp, "probB", s->probB, m->npair);
	}
	fputs("nr_sv", fp);
	for (c = 0; c < s->nr_class; c++)
		fprintf(fp, " %d", s->nSV[c]);
	fputs("\nSV\n", fp);
	for (t = 0; t < s->l; t++) {
		const struct svm_node *x;

		for (c = 0; c < s->nr_class - 1; c++)
			fprintf(fp, "%.17g ", s->sv_coef[c][t]);
		for (x = s->SV[t]; x->index != -1; x++)
			fprintf(fp, "%d:%.17g ", x->index, x->value);
		putc('\n', fp);
	}
	if (ferror(fp) && rc == CLASSIFY_OK)
		rc = CLASSIFY_ERR_NOMEM;
	if (fclose(fp) != 0 && rc == CLASSIFY_OK)
		rc = CLASSIFY_ERR_NOMEM;
	if (rc != CLASSIFY_OK) {
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	return rc;
}

int
classify_model_save(const struct classify_model *m, const char *path, char *err,
                    size_t errsz)
{
	char tmp[PATH_MAX], hex[65];
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = NULL;
	int rc = CLASSIFY_ERR_IO;

	if (!m || !path) {
		snprintf(err, errsz, "cannot save model: no model or path");
		return CLASSIFY_ERR_USAGE;
	}
	if (model_serialize(m, &buf, &len) != CLASSIFY_OK) {
		snprintf(err, errsz, "cannot save model '%s': out of memory",
		         path);
		return CLASSIFY_ERR_NOMEM;
	}
	classify_sha256_hex(buf, len, hex);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto out;
	}
	fp = fopen(tmp, "wb");
	if (!fp)
		goto out;
	if (fwrite(buf, 1, len, fp) != len ||
	    fprintf(fp, "end %s\n", hex) < 0 || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0)
		goto out;
	/* atomic: a cron run loading the model sees old or new, never half */
	if (rename(tmp, path) == 0)
		rc = CLASSIFY_OK;
out:
	if (rc != CLASSIFY_OK) {
		snprintf(err, errsz, "cannot save model '%s': %s", path,
		         strerror(errno));
		if (fp)
			unlink(tmp); /* we created it: leave no debris */
	}
	if (fp)
		fclose(fp);
	free(buf);
	return rc;
}

/* -------------------------------------------------------------- reader */

struct reader {
	char *p, *end; /* unread lines, each ending in '\n' */
	long line;     /* of the line last returned */
	const char *path;
	char *err;
	size_t errsz;
	int depth; /* 1 inside a tag's sub-model */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
corrupt(struct reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errsz, "model '%s': line %ld: %s", r->path, r->line,
	         msg);
	return CLASSIFY_ERR_CORRUPT;
}

/* the next line, NUL-terminated in place; NULL at the end */
static char *
next_line(struct reader *r)
{
	char *s = r->p, *nl;

	r->line++;
	if (s >= r->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(r->end - s));
	*nl = '\0'; /* every line ends in '\n': checked before */
	r->p = nl + 1;
	return s;
}

/* "NAME" and a space, or a whole-line "NAME" when nothing follows */
static const char *
expect(struct reader *r, const char *name)
{
	char *s = next_line(r);
	size_t n = strlen(name);

	if (!s || strncmp(s, name, n) != 0 || (s[n] != ' ' && s[n] != '\0'))
		return NULL;
	return s[n] == ' ' ? s + n + 1 : s + n;
}

/* a finite double at *p, then a space or the end; advances *p */
static int
read_double(const char **p, double *out)
{
	char *end;
	const char *s = *p;

	if (!(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || (*end != ' ' && *end != '\0') || !isfinite(*out) ||
	    errno == ERANGE)
		return -1;
	*p = *end == ' ' ? end + 1 : end;
	return 0;
}

/* a decimal int in [lo, hi] at *p, then a space, ':' (when colon) or the
 * end */
static int
read_int(const char **p, long lo, long hi, int colon, long *out)
{
	char *end;
	const char *s = *p;

	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (end == s || errno == ERANGE || *out < lo || *out > hi)
		return -1;
	if (colon ? *end != ':' : (*end != ' ' && *end != '\0'))
		return -1;
	*p = *end == ' ' || *end == ':' ? end + 1 : end;
	return 0;
}

static int
read_doubles(struct reader *r, const char *name, double *v, size_t n)
{
	const char *s = expect(r, name);
	size_t i;

	if (!s)
		return corrupt(r, "expected '%s'", name);
	for (i = 0; i < n; i++)
		if (read_double(&s, &v[i]) != 0)
			return corrupt(r,
			               "%s: value %zu missing or not a "
			               "finite number",
			               name, i + 1);
	if (*s)
		return corrupt(r, "%s: more than %zu values", name, n);
	return CLASSIFY_OK;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* percent-decoding in place; -1 on a bad escape or a raw space */
static int
decode(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return -1;
		if (*s == '%') {
			int a = hexval(s[1]), b = a < 0 ? -1 : hexval(s[2]);

			if (b < 0 || (a == 0 && b == 0))
				return -1;
			*d++ = (char)(a * 16 + b);
			s += 2;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
	return 0;
}

static int
read_svm(struct reader *r, struct classify_model *m)
{
	struct svm_model *s;
	const char *p;
	long v, k = (long)m->nclass, npair, total, i, t;
	size_t nodes = 0, cap = 0, *off = NULL;
	int rc;

	if (!(s = calloc(1, sizeof(*s))))
		return CLASSIFY_ERR_NOMEM;
	m->svm = s;
	s->param.svm_type = C_SVC;
	s->free_sv = 0;
	if (!(p = expect(r, "svm_type")) || strcmp(p, "c_svc") != 0)
		return corrupt(r, "expected 'svm_type c_svc'");
	if (!(p = expect(r, "kernel_type")))
		return corrupt(r, "expected 'kernel_type'");
	if (strcmp(p, "linear") == 0) {
		m->kernel = CLASSIFY_LINEAR;
		s->param.kernel_type = LINEAR;
	} else if (strcmp(p, "rbf") == 0) {
		m->kernel = CLASSIFY_RBF;
		s->param.kernel_type = RBF;
		if (!(p = expect(r, "gamma")) ||
		    read_double(&p, &s->param.gamma) != 0 || *p ||
		    s->param.gamma <= 0)
			return corrupt(r, "expected 'gamma' and a positive "
			                  "number");
	} else {
		return corrupt(r, "unknown kernel_type '%s'", p);
	}
	if (!(p = expect(r, "nr_class")) || read_int(&p, 0, INT_MAX, 0, &v))
		return corrupt(r, "expected 'nr_class' and a count");
	if (v < 2)
		return corrupt(r, "nr_class %ld: need at least 2", v);
	if (v != k)
		return corrupt(r, "nr_class %ld, but %ld classes", v, k);
	s->nr_class = (int)k;
	npair = k * (k - 1) / 2;
	/* every support vector takes a line of two bytes at least: a count
	 * alone claims no memory */
	if (!(p = expect(r, "total_sv")) ||
	    read_int(&p, 0, (long)((r->end - r->p) / 2), 0, &total) || *p)
		return corrupt(r, "expected 'total_sv' and a count the file "
		                  "can hold");
	s->l = (int)total;
	s->rho = malloc((size_t)npair * sizeof(double));
	s->label = malloc((size_t)k * sizeof(int));
	s->nSV = malloc((size_t)k * sizeof(int));
	if (!s->rho || !s->label || !s->nSV)
		return CLASSIFY_ERR_NOMEM;
	if ((rc = read_doubles(r, "rho", s->rho, (size_t)npair)))
		return rc;
	if (!(p = expect(r, "label")))
		return corrupt(r, "expected 'label'");
	for (i = 0; i < k; i++) {
		if (read_int(&p, i, i, 0, &v))
			return corrupt(r, "label: want 0 to %ld in order",
			               k - 1);
		s->label[i] = (int)v;
	}
	if (*p)
		return corrupt(r, "label: more than %ld labels", k);
	if (r->p < r->end && strncmp(r->p, "probA ", 6) == 0) {
		s->probA = malloc((size_t)npair * sizeof(double));
		s->probB = malloc((size_t)npair * sizeof(double));
		if (!s->probA || !s->probB)
			return CLASSIFY_ERR_NOMEM;
		if ((rc = read_doubles(r, "probA", s->probA, (size_t)npair)) ||
		    (rc = read_doubles(r, "probB", s->probB, (size_t)npair)))
			return rc;
	}
	if (!(p = expect(r, "nr_sv")))
		return corrupt(r, "expected 'nr_sv'");
	for (i = 0, v = 0; i < k; i++) {
		long c;

		if (read_int(&p, 0, total, 0, &c) || c > total - v)
			return corrupt(r, "nr_sv: bad count %ld", i + 1);
		s->nSV[i] = (int)c;
		v += c;
	}
	if (*p)
		return corrupt(r, "nr_sv: more than %ld counts", k);
	if (v != total)
		return corrupt(r, "nr_sv: counts sum to %ld, total_sv is %ld",
		               v, total);
	if (!(p = expect(r, "SV")) || *p)
		return corrupt(r, "expected 'SV'");
	s->sv_coef = calloc((size_t)k - 1, sizeof(double *));
	s->SV = malloc((total ? (size_t)total : 1) * sizeof(*s->SV));
	off = malloc((total ? (size_t)total : 1) * sizeof(*off));
	if (!s->sv_coef || !s->SV || !off) {
		free(off);
		return CLASSIFY_ERR_NOMEM;
	}
	for (i = 0; i < k - 1; i++)
		if (!(s->sv_coef[i] = malloc((total ? (size_t)total : 1) *
		                             sizeof(double)))) {
			free(off);
			return CLASSIFY_ERR_NOMEM;
		}
	rc = CLASSIFY_OK;
	for (t = 0; t < total && rc == CLASSIFY_OK; t++) {
		const char *q = next_line(r);
		long last = 0;

		if (!q) {
			rc = corrupt(r, "support vector %ld of %ld missing",
			             t + 1, total);
			break;
		}
		for (i = 0; i < k - 1; i++)
			if (read_double(&q, &s->sv_coef[i][t]) != 0) {
				rc = corrupt(r,
				             "coefficient %ld missing or "
				             "not a finite number",
				             i + 1);
				break;
			}
		off[t] = nodes;
		while (rc == CLASSIFY_OK && *q) {
			double x;

			if (read_int(&q, 1, (long)vocab_size(m->vocab), 1,
			             &v)) {
				rc = corrupt(r,
				             "bad feature index (want 1 to "
				             "%zu)",
				             vocab_size(m->vocab));
				break;
			}
			if (v <= last) {
				rc = corrupt(r,
				             "feature index %ld after %ld: "
				             "not increasing",
				             v, last);
				break;
			}
			if (read_double(&q, &x) != 0) {
				rc = corrupt(r,
				             "feature %ld: value not a "
				             "finite number",
				             v);
				break;
			}
			if (nodes + 1 >= cap) {
				size_t nc = cap ? cap * 2 : 4096;
				struct svm_node *nx =
				        realloc(m->xspace, nc * sizeof(*nx));

				if (!nx) {
					rc = CLASSIFY_ERR_NOMEM;
					break;
				}
				m->xspace = nx;
				cap = nc;
			}
			m->xspace[nodes].index = (int)v;
			m->xspace[nodes++].value = x;
			last = v;
		}
		if (rc != CLASSIFY_OK)
			break;
		if (nodes + 1 > cap) {
			struct svm_node *nx =
			        realloc(m->xspace, (cap + 1) * sizeof(*nx));

			if (!nx) {
				rc = CLASSIFY_ERR_NOMEM;
				break;
			}
			m->xspace = nx;
			cap++;
		}
		m->xspace[nodes].index = -1;
		m->xspace[nodes++].value = 0;
	}
	if (rc == CLASSIFY_OK)
		for (t = 0; t < total; t++)
			s->SV[t] = m->xspace + off[t];
	else
		s->l = 0; /* SV[] not set: nothing may follow it */
	free(off);
	if (rc == CLASSIFY_OK && next_line(r))
		rc = corrupt(r, "unexpected line after the support vectors");
	return rc;
}

static int read_body(struct reader *r, struct classify_model *m);

#define MAX_TAGS 256

/* The "tag NAME LINES" sections: each a whole model body of its own. */
static int
read_tags(struct reader *r, struct classify_model *m)
{
	while (r->p < r->end && strncmp(r->p, "tag ", 4) == 0) {
		struct classify_model *t, **tm;

		if (r->depth) {
			next_line(r);
			return corrupt(r, "a tag inside a tag");
		}
		{
		struct reader sub;
		char **tn, *s, *name, *sp, hex[65];
		const char *q;
		long n, k;
		int rc;

		s = next_line(r);
		name = s + 4;
		if (!(sp = strrchr(name, ' ')))
			return corrupt(r, "tag: no line count");
		*sp = '\0';
		q = sp + 1;
		if (decode(name) != 0 || !*name ||
		    read_int(&q, 1, 1L << 30, 0, &n) != 0 || *q)
			return corrupt(r, "tag: bad name or line count");
		if (m->ntags && strcmp(m->tag[m->ntags - 1], name) >= 0)
			return corrupt(r, "tags not sorted or not unique");
		if (m->ntags >= MAX_TAGS)
			return corrupt(r, "more than %d tags", MAX_TAGS);
		sub = *r;
		for (k = 0; k < n; k++) {
			char *nl = memchr(sub.p, '\n', (size_t)(r->end - sub.p));

			if (!nl || nl + 1 > r->end)
				return corrupt(r, "tag '%s': %ld lines promised, "
				                  "the file ends first",
				               name, n);
			sub.p = nl + 1;
		}
		sub.end = sub.p;
		sub.p = r->p;
		sub.depth = 1;
		classify_sha256_hex(sub.p, (size_t)(sub.end - sub.p), hex);
		tn = realloc(m->tag, (m->ntags + 1) * sizeof(*tn));
		if (!tn)
			return CLASSIFY_ERR_NOMEM;
		m->tag = tn;
		tm = realloc(m->tagm, (m->ntags + 1) * sizeof(*tm));
		if (!tm)
			return CLASSIFY_ERR_NOMEM;
		m->tagm = tm;
		if (!(t = calloc(1, sizeof(*t))))
			return CLASSIFY_ERR_NOMEM;
		if (!(m->tag[m->ntags] = dup_str(name))) {
			free(t);
			return CLASSIFY_ERR_NOMEM;
		}
		m->tagm[m->ntags++] = t;
		if ((rc = read_body(&sub, t)) != CLASSIFY_OK)
			return rc;
		if (t->nclass != 2 || strcmp(t->labels[0], "0") != 0 ||
		    strcmp(t->labels[1], "1") != 0)
			return corrupt(r, "tag '%s': not a 0/1 model", name);
		t->npair = 1;
		t->positive = model_positive(t->labels, t->nclass);
		if ((rc = model_weights(t)) != CLASSIFY_OK)
			return rc;
		memcpy(t->version, hex, 16);
		t->version[16] = '\0';
		r->p = sub.end;
		r->line = sub.line;
		}
	}
	return CLASSIFY_OK;
}

static int
read_body(struct reader *r, struct classify_model *m)
{
	const char *p;
	char *s;
	long k, i;
	int rc;

	while (r->p < r->end && strncmp(r->p, "meta ", 5) == 0) {
		char *key, *sp;

		s = next_line(r);
		key = s + 5;
		if (!(sp = strchr(key, ' ')))
			return corrupt(r, "meta: no value");
		*sp = '\0';
		if (!meta_key_valid(key) || decode(sp + 1) != 0)
			return corrupt(r, "meta: bad key or value");
		if (classify_model_meta(m, key))
			return corrupt(r, "meta: '%s' twice", key);
		if ((rc = meta_put(m, key, sp + 1)) != CLASSIFY_OK)
			return rc == CLASSIFY_ERR_NOMEM
			               ? rc
			               : corrupt(r, "meta: too many entries");
	}
	if ((rc = read_tags(r, m)) != CLASSIFY_OK)
		return rc;
	if (!(p = expect(r, "classes")) || read_int(&p, 0, 1000000, 0, &k) ||
	    *p)
		return corrupt(r, "expected 'classes' and a count");
	if (k < 2)
		return corrupt(r, "classes %ld: need at least 2", k);
	if (!(m->labels = calloc((size_t)k, sizeof(char *))))
		return CLASSIFY_ERR_NOMEM;
	m->nclass = (size_t)k;
	for (i = 0; i < k; i++) {
		if (!(s = (char *)expect(r, "class")) || decode(s) != 0 || !*s)
			return corrupt(r, "expected 'class' and a label");
		if (i > 0 && strcmp(m->labels[i - 1], s) >= 0)
			return corrupt(r, "class labels not sorted or not "
			                  "unique");
		if (!(m->labels[i] = dup_str(s)))
			return CLASSIFY_ERR_NOMEM;
	}
	{
		FILE *fp = fmemopen(r->p, (size_t)(r->end - r->p), "r");
		char verr[512];
		long line = r->line;
		long used;

		if (!fp)
			return CLASSIFY_ERR_NOMEM;
		rc = vocab_read(fp, &line, &m->vocab, verr, sizeof(verr));
		used = ftell(fp);
		fclose(fp);
		if (rc != CLASSIFY_OK) {
			snprintf(r->err, r->errsz, "model '%s': %s", r->path,
			         verr);
			return rc;
		}
		r->p += used;
		r->line = line;
	}
	return read_svm(r, m);
}

static int
read_file(const char *path, char **buf, size_t *len, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 0, n = 0, k;
	char *b = NULL;

	*buf = NULL;
	if (!fp) {
		snprintf(err, errsz, "cannot open model '%s': %s", path,
		         strerror(errno));
		return CLASSIFY_ERR_IO;
	}
	for (;;) {
		if (cap - n < 65536) {
			char *nb;

			if (cap >= MODEL_MAX_BYTES) {
				snprintf(err, errsz,
				         "model '%s': larger than %zu bytes",
				         path, MODEL_MAX_BYTES);
				free(b);
				fclose(fp);
				return CLASSIFY_ERR_CORRUPT;
			}
			cap = cap ? cap * 2 : 1 << 20;
			if (!(nb = realloc(b, cap + 1))) {
				snprintf(err, errsz,
				         "model '%s': out of memory", path);
				free(b);
				fclose(fp);
				return CLASSIFY_ERR_NOMEM;
			}
			b = nb;
		}
		k = fread(b + n, 1, cap - n, fp);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "cannot read model '%s': %s", path,
		         strerror(errno));
		free(b);
		fclose(fp);
		return CLASSIFY_ERR_IO;
	}
	fclose(fp);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return CLASSIFY_OK;
}

int
classify_model_load(const char *path, struct classify_model **out, char *err,
                    size_t errsz)
{
	struct classify_model *m = NULL;
	struct reader r;
	char *buf = NULL, *last, *nl, hex[65], head[32];
	size_t len, i;
	long nlines = 0;
	int rc;

	*out = NULL;
	if (!path) {
		snprintf(err, errsz, "no model path");
		return CLASSIFY_ERR_USAGE;
	}
	if ((rc = read_file(path, &buf, &len, err, errsz)) != CLASSIFY_OK)
		return rc;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.err = err;
	r.errsz = errsz;
	r.line = 1;
	/* the version line first: another format may end differently */
	nl = memchr(buf, '\n', len);
	i = nl ? (size_t)(nl - buf) : len;
	/* this pcmon writes MODEL_FORMAT and reads format 1 too */
	snprintf(head, sizeof(head), "pcmon-model %d", MODEL_FORMAT);
	if (nl && i == strlen("pcmon-model 1") &&
	    memcmp(buf, "pcmon-model 1", i) == 0)
		memcpy(head, buf, i);
	if (!nl || i != strlen(head) || memcmp(buf, head, i) != 0) {
		if (len >= 12 && memcmp(buf, "pcmon-model ", 12) == 0) {
			size_t e = 12;

			while (e < i && e < 24 && buf[e] >= '0' &&
			       buf[e] <= '9')
				e++;
			snprintf(err, errsz,
			         "model '%s': line 1: format version '%.*s', "
			         "this pcmon reads 1 to %d",
			         path, (int)(e - 12), buf + 12, MODEL_FORMAT);
			rc = CLASSIFY_ERR_VERSION;
		} else {
			rc = corrupt(&r, "not a pcmon model");
		}
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		for (i = 0; buf[i]; i++)
			nlines += buf[i] == '\n';
		r.line = nlines + 1;
		rc = corrupt(&r, "NUL byte");
		goto out;
	}
	for (i = 0; i < len; i++)
		nlines += buf[i] == '\n';
	/* the last line: "end " and the sha256 of everything before it */
	r.line = nlines + (len && buf[len - 1] != '\n');
	if (len == 0 || buf[len - 1] != '\n') {
		rc = corrupt(&r, "last line not terminated: file truncated");
		goto out;
	}
	for (last = buf + len - 1; last > buf && last[-1] != '\n'; last--)
		;
	if (last <= nl || (size_t)(buf + len - last) != 4 + 64 + 1 ||
	    memcmp(last, "end ", 4) != 0) {
		rc = corrupt(&r, "no 'end' line: file truncated");
		goto out;
	}
	classify_sha256_hex(buf, (size_t)(last - buf), hex);
	if (memcmp(hex, last + 4, 64) != 0) {
		rc = corrupt(&r, "checksum mismatch: file damaged or edited");
		goto out;
	}
	if (!(m = calloc(1, sizeof(*m)))) {
		rc = CLASSIFY_ERR_NOMEM;
		goto out;
	}
	r.p = nl + 1;
	r.end = last;
	r.line = 1;
	rc = read_body(&r, m);
	if (rc == CLASSIFY_OK) {
		m->npair = m->nclass * (m->nclass - 1) / 2;
		m->positive = model_positive(m->labels, m->nclass);
		rc = model_weights(m);
		memcpy(m->version, hex, 16);
		m->version[16] = '\0';
	}
out:
	if (rc == CLASSIFY_ERR_NOMEM)
		snprintf(err, errsz, "model '%s': out of memory", path);
	if (rc != CLASSIFY_OK) {
		classify_model_free(m);
		m = NULL;
	}
	free(buf);
	*out = m;
	return rc;
}

int
model_now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}
