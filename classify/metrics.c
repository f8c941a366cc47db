/*
 * metrics.c - accuracy, per-class precision/recall/F1, macro and micro F1,
 * the confusion matrix and, for binary models, precision and recall of
 * the positive class at score thresholds 0.1 ... 0.9; classify_strerror().
 *
 * Conventions (those of scikit-learn with zero_division=0): a ratio with
 * an empty denominator is 0; macro F1 averages the classes that occur in
 * the truth or the predictions; micro F1 of single-label data is the
 * accuracy.  A threshold t counts score >= t as a positive prediction.
 */
#include <stdlib.h>
#include <string.h>

#include "classify_model.h"

#define NTHRESH 9

const char *
classify_strerror(int code)
{
	switch (code) {
	case CLASSIFY_OK: return "success";
	case CLASSIFY_ERR_NOMEM: return "out of memory";
	case CLASSIFY_ERR_IO: return "input/output error";
	case CLASSIFY_ERR_CORRUPT: return "damaged model file";
	case CLASSIFY_ERR_VERSION: return "model of another format version";
	case CLASSIFY_ERR_DATA: return "unusable training data";
	case CLASSIFY_ERR_USAGE: return "bad argument or option";
	case CLASSIFY_ERR_SVM: return "libsvm refused the parameters";
	}
	return "unknown error";
}

void
classify_metrics_release(struct classify_metrics *m)
{
	size_t i;

	if (!m)
		return;
	if (m->classes)
		for (i = 0; i < m->nclass; i++)
			free((char *)m->classes[i].label); /* our copies */
	free(m->classes);
	free(m->confusion);
	free(m->thresholds);
	free(m->thresh_precision);
	free(m->thresh_recall);
	memset(m, 0, sizeof(*m));
}

static double
ratio(long a, long b)
{
	return b > 0 ? (double)a / (double)b : 0.0;
}

int
metrics_compute(size_t nclass, char *const *labels, size_t n,
                const size_t *truth, const size_t *pred,
                const double *pos_score, size_t positive,
                struct classify_metrics *out)
{
	struct classify_metrics m;
	size_t i, c, used = 0;
	long correct = 0;
	double f1sum = 0.0;

	memset(&m, 0, sizeof(m));
	memset(out, 0, sizeof(*out));
	m.n = (long)n;
	m.nclass = nclass;
	m.classes = calloc(nclass, sizeof(*m.classes));
	m.confusion = calloc(nclass * nclass, sizeof(*m.confusion));
	if (!m.classes || !m.confusion)
		goto nomem;
	for (c = 0; c < nclass; c++) {
		size_t len = strlen(labels[c]) + 1;
		char *s = malloc(len);

		if (!s)
			goto nomem;
		memcpy(s, labels[c], len);
		m.classes[c].label = s;
	}
	for (i = 0; i < n; i++) {
		m.confusion[truth[i] * nclass + pred[i]]++;
		correct += truth[i] == pred[i];
	}
	for (c = 0; c < nclass; c++) {
		struct classify_class_metrics *k = &m.classes[c];
		long tp = m.confusion[c * nclass + c], npred = 0, ntrue = 0;
		size_t j;

		for (j = 0; j < nclass; j++) {
			npred += m.confusion[j * nclass + c];
			ntrue += m.confusion[c * nclass + j];
		}
		k->support = ntrue;
		k->precision = ratio(tp, npred);
		k->recall = ratio(tp, ntrue);
		k->f1 = k->precision + k->recall > 0
		                ? 2 * k->precision * k->recall /
		                          (k->precision + k->recall)
		                : 0.0;
		if (npred || ntrue) {
			f1sum += k->f1;
			used++;
		}
	}
	m.accuracy = ratio(correct, (long)n);
	m.micro_f1 = m.accuracy;
	m.macro_f1 = used ? f1sum / (double)used : 0.0;
	if (pos_score) {
		m.nthresh = NTHRESH;
		m.thresholds = malloc(NTHRESH * sizeof(double));
		m.thresh_precision = malloc(NTHRESH * sizeof(double));
		m.thresh_recall = malloc(NTHRESH * sizeof(double));
		if (!m.thresholds || !m.thresh_precision || !m.thresh_recall)
			goto nomem;
		for (c = 0; c < NTHRESH; c++) {
			double t = (double)(c + 1) / 10.0;
			long tp = 0, np = 0, pos = 0;

			for (i = 0; i < n; i++) {
				int p = pos_score[i] >= t;

				np += p;
				pos += truth[i] == positive;
				tp += p && truth[i] == positive;
			}
			m.thresholds[c] = t;
			m.thresh_precision[c] = ratio(tp, np);
			m.thresh_recall[c] = ratio(tp, pos);
		}
	}
	*out = m;
	return CLASSIFY_OK;
nomem:
	classify_metrics_release(&m);
	return CLASSIFY_ERR_NOMEM;
}
