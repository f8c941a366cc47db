/*
 * classify_model.h - the model's fields and the helpers train.c, model.c and
 * metrics.c share; private to classify/ (classify.h keeps the struct
 * opaque, internal.h is the contract with the vocabulary half).
 *
 * Ownership: a struct classify_model owns its vocabulary, its labels, its
 * svm_model and the one block of nodes the support vectors point into.
 * The svm_model is always built by hand (from the pairwise models train.c
 * assembles, or by the reader), with arrays malloc'd as libsvm's own are
 * and free_sv = 0: svm_free_and_destroy_model() frees the arrays, and
 * model_free() then frees xspace.
 */
#ifndef PCMON_CLASSIFY_MODEL_H
#define PCMON_CLASSIFY_MODEL_H

#include "internal.h"

/* 2: tag sub-models may follow the metadata; 1 is still read */
#define MODEL_FORMAT 2
/* the dense linear weights stop here (doubles); beyond, libsvm predicts */
#define MODEL_MAX_WEIGHTS ((size_t)32 << 20)

struct classify_model {
	struct classify_vocab *vocab;
	size_t nclass;
	char **labels;           /* sorted by bytes; libsvm label k is [k] */
	size_t positive;         /* binary: "1", else labels[1] */
	int kernel;              /* enum classify_kernel */
	struct svm_model *svm;   /* SV[i] point into xspace */
	struct svm_node *xspace; /* every support vector, one block */
	size_t npair;            /* nclass * (nclass - 1) / 2 */
	/* linear: w[index * npair + p] is feature index's weight in pair p,
	 * pairs i < j in libsvm's order; NULL: predict through libsvm */
	double *w;
	size_t nfeat;
	size_t nmeta;
	char **mkey, **mval;
	char version[17];
	/* tags: binary sub-models, "1" = has the tag; sorted by name */
	size_t ntags;
	char **tag;
	struct classify_model **tagm;
	struct classify_metrics *tagcv; /* [ntags] after training; NULL */
};

/* Positive class, linear weights and version of a model whose vocab,
 * labels and svm are in place. */
int model_finish(struct classify_model *m);
/* The version (sha256 of the serialized bundle) after a change. */
int model_update_version(struct classify_model *m);

/* Pairwise decision values of x (m->npair of them), libsvm's order. */
int model_decisions(const struct classify_model *m, const struct svm_node *x,
                    double *dec);

/*
 * The class libsvm would predict from the pairwise decision values dec
 * (NaN: that pair is absent, no vote and probability 1/2): with probA and
 * probB (Platt), as svm_predict_probability() does: the most probable
 * class, prob[] the coupled probabilities; without, svm_predict()'s vote
 * and prob[c] = 1 / (1 + exp(-margin)) of the winner's smallest pairwise
 * margin (binary: both classes filled, summing to 1).  *score is the
 * predicted class's prob.  prob has k entries.
 */
size_t model_outcome(size_t k, const double *dec, const double *probA,
                     const double *probB, double *prob, double *score);

/* libsvm's sigmoid_train(): Platt's A, B from decision values and
 * targets (y[i] > 0: the pair's first class). */
void model_sigmoid_train(size_t l, const double *dec, const signed char *y,
                         double *A, double *B);

/* The bundle without its "end" line, in a malloc'd buffer. */
int model_serialize(const struct classify_model *m, char **buf, size_t *len);

/* Sets metadata without recomputing the version (train.c does it once). */
int model_meta_put(struct classify_model *m, const char *key,
                   const char *value);
/* The current time in ISO 8601 UTC ("2026-01-31T12:00:00Z"). */
int model_now_iso(char *buf, size_t n);

/* The positive class of a binary label set. */
size_t model_positive(char *const *labels, size_t nclass);

/*
 * Metrics from truth and pred (class indices < nclass, labels copied);
 * pos_score (binary only, else NULL): the score of class positive, for the
 * threshold table.
 */
int metrics_compute(size_t nclass, char *const *labels, size_t n,
                    const size_t *truth, const size_t *pred,
                    const double *pos_score, size_t positive,
                    struct classify_metrics *out);

/* Tests only: called after the fold vocabularies are built, with each
 * fold's vocabulary and the fold of every example; NULL in pcmon. */
extern void (*train_fold_hook)(int fold, const struct classify_vocab *v,
                               const int *fold_of, size_t n);

#endif
