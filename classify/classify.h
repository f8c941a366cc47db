/*
 * classify.h - the classifier module: text in, features out, labels out.
 *
 * It knows tokens, vocabularies, TF-IDF and libsvm.  It never sees a URL,
 * a feed or the database: pipeline/ hands it UTF-8 text (an item's title
 * and summary, a labeled example) and stores what it returns.  libsvm is
 * used only inside this folder.
 *
 * Errors: functions return CLASSIFY_OK (0) or a classify_err code and write
 * a message into the caller's buffer; nothing here prints or exits (libsvm's
 * own output is silenced with svm_set_print_string_function()).
 */
#ifndef PCMON_CLASSIFY_H
#define PCMON_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

enum classify_err {
	CLASSIFY_OK = 0,
	CLASSIFY_ERR_NOMEM = 1,
	CLASSIFY_ERR_IO = 2,      /* cannot read or write a file */
	CLASSIFY_ERR_CORRUPT = 3, /* a model file that is damaged */
	CLASSIFY_ERR_VERSION = 4, /* a model of another format version */
	CLASSIFY_ERR_DATA = 5,    /* unusable training data (one class, empty) */
	CLASSIFY_ERR_USAGE = 6,   /* bad argument or option */
	CLASSIFY_ERR_SVM = 7      /* libsvm refused the parameters */
};

const char *classify_strerror(int code);

/* ------------------------------------------------------------ features */

/*
 * How text becomes terms.  The options are saved with a model, so that
 * prediction extracts exactly the features the model was trained on.
 */
struct classify_feature_opts {
	int stem;            /* Snowball stemming where the language is known */
	int stopwords;       /* drop stop words of the language */
	int word_bigrams;    /* add "w1 w2" terms */
	int cjk_ngrams;      /* Han/Kana/Hangul runs as char unigrams+bigrams */
	int min_df;          /* vocabulary: terms in at least this many docs */
	size_t max_features; /* vocabulary cap (most frequent by df); 0: none */
	int sublinear_tf;    /* 1 + log(tf) */
	int detect_lang;     /* no language given: classify_langid() picks
	                      * the stemmer and stop words */
};

void classify_feature_opts_default(struct classify_feature_opts *o);

/*
 * Calls fn once per term of text, in order: NFKC-normalised, case-folded,
 * split on Unicode letter/digit runs; URLs, e-mail addresses and numbers
 * become the class tokens "<url>", "<email>", "<num>"; stop words dropped
 * and words stemmed for lang (ISO 639-1; NULL: the one classify_langid()
 * finds when o->detect_lang, else none; unknown: neither); CJK
 * runs as character unigrams and bigrams; word bigrams when asked.  Invalid
 * UTF-8 is replaced, never passed on.  term is NUL-terminated and valid
 * only during the call.
 */
int classify_tokenize(const char *text, const char *lang,
                      const struct classify_feature_opts *o,
                      void (*fn)(const char *term, size_t len, void *arg),
                      void *arg);

/*
 * The language of a text (a title and lead of any language), as an ISO
 * 639-1 code ("en", "zh", "ru" ...), or NULL when the text gives too
 * little evidence.  The script decides most (Han, Kana, Hangul, Cyrillic,
 * Arabic, Thai, Greek ...); Latin- and Cyrillic-script languages are told
 * apart by their function words and letters.  Fast enough to run on every
 * item: no allocation, one pass.  Thread-safe.
 */
const char *classify_langid(const char *text, size_t len);

/*
 * Countries a text concerns, from a gazetteer: country names in many
 * languages (Debian's iso-codes and its translations), demonyms, capitals
 * and short forms.  The gazetteer file is TSV, one "CODE<TAB>name" per
 * line (CODE an ISO 3166-1 alpha-2 code, or "-" for a phrase that blocks
 * the names inside it, such as "South China Sea"); '#' starts a comment.
 * Names match whole words after NFKC case folding (CJK names anywhere);
 * the longest match wins, so "Papua New Guinea" is PG, not GN.
 */
struct classify_gazetteer;

/* Loads one or more files (later files add to earlier ones); errors name
 * the file and line. */
int classify_gazetteer_load(const char *const *paths, size_t npaths,
                            struct classify_gazetteer **out, char *err,
                            size_t errsz);
void classify_gazetteer_free(struct classify_gazetteer *g);

/* Writes up to max distinct codes, in order of first mention, as
 * NUL-terminated "XX" strings into codes; returns how many were found
 * (which may exceed max).  Thread-safe on a loaded gazetteer. */
size_t classify_countries(const struct classify_gazetteer *g,
                          const char *text, size_t len, char (*codes)[3],
                          size_t max);

/* ---------------------------------------------------------- data sets */

/* A labeled data set in memory: labels are strings ("1", "0", "sport"). */
struct classify_dataset;

int classify_dataset_create(struct classify_dataset **out);
void classify_dataset_free(struct classify_dataset *ds);
/* Copies label, text and lang (lang may be NULL). */
int classify_dataset_add(struct classify_dataset *ds, const char *label,
                         const char *text, const char *lang);
/* The same with tags (themes): distinct, non-empty strings.  A data set
 * with tags trains one binary sub-model per tag besides the main model
 * (see classify_train()). */
int classify_dataset_add_tagged(struct classify_dataset *ds,
                                const char *label, const char *text,
                                const char *lang, const char *const *tags,
                                size_t ntags);
size_t classify_dataset_size(const struct classify_dataset *ds);

/* ------------------------------------------------------------- models */

enum classify_kernel { CLASSIFY_LINEAR = 0, CLASSIFY_RBF = 2 };

struct classify_train_opts {
	int kernel;               /* enum classify_kernel */
	double C;                 /* used when grid is 0 */
	double gamma;             /* RBF; 0: 1 / number of features */
	int grid;                 /* k-fold grid search over C (and gamma) */
	int folds;                /* for the grid and the reported CV metrics */
	unsigned seed;            /* fold assignment; same seed, same model */
	int class_weights;        /* weight classes by inverse frequency */
	int probability;          /* Platt scaling (libsvm -b 1) */
	int threads;              /* independent problems (folds, grid points)
	                           * run in parallel; 1: none */
	struct classify_feature_opts features;
	const char *data_sha256;  /* recorded in the model; may be NULL */
	/* when not NULL (and cv is asked for): each example's
	 * cross-validated score of the positive class, in data set order
	 * (the caller's array of classify_dataset_size() doubles) */
	double *cv_scores;
};

void classify_train_opts_default(struct classify_train_opts *o);

/* Precision, recall and F1 of one class. */
struct classify_class_metrics {
	const char *label;
	double precision, recall, f1;
	long support;
};

struct classify_metrics {
	long n;
	double accuracy;
	double macro_f1, micro_f1;
	size_t nclass;
	struct classify_class_metrics *classes; /* nclass entries */
	long *confusion;          /* nclass x nclass, [true * nclass + pred] */
	/* binary models only: precision and recall of the positive class (the
	 * label "1", else the second label) at score thresholds */
	size_t nthresh;
	double *thresholds, *thresh_precision, *thresh_recall;
};

void classify_metrics_release(struct classify_metrics *m);

struct classify_model;

/*
 * Trains on ds.  When cv is not NULL it receives the cross-validated
 * metrics (opts->folds folds, same seed) of the chosen parameters.  On
 * success *out owns everything, libsvm's data included.
 *
 * Tags: when examples carry tags, each tag seen on at least opts->folds
 * examples (and missing from at least as many tagged ones) gets a binary
 * sub-model ("1": has the tag, "0": has others), trained with the same
 * options on the tagged examples only - the themes of related items, so
 * that a theme model never has to tell related from unrelated.
 */
int classify_train(const struct classify_dataset *ds,
                   const struct classify_train_opts *opts,
                   struct classify_model **out, struct classify_metrics *cv,
                   char *err, size_t errsz);

/*
 * One file holds the whole bundle: format version, feature options,
 * vocabulary and idf, the libsvm model, the linear weights, and metadata
 * (training date, data sha256, CV metrics as given by the caller).  Saved
 * to a temporary file, fsync'd and renamed, so a reader sees the old model
 * or the new one, never half.  Loading validates everything and fails with
 * CLASSIFY_ERR_CORRUPT or CLASSIFY_ERR_VERSION naming the file.
 */
int classify_model_save(const struct classify_model *m, const char *path,
                        char *err, size_t errsz);
int classify_model_load(const char *path, struct classify_model **out,
                        char *err, size_t errsz);
void classify_model_free(struct classify_model *m);

/* A stable identifier of the model (sha256 of its bundle, 16 hex digits). */
const char *classify_model_version(const struct classify_model *m);
/* Free-form metadata stored with the model (key: "trained_at",
 * "data_sha256", "cv" (JSON) ...); NULL when absent. */
const char *classify_model_meta(const struct classify_model *m,
                                const char *key);
int classify_model_set_meta(struct classify_model *m, const char *key,
                            const char *value);
size_t classify_model_nclass(const struct classify_model *m);
const char *classify_model_label(const struct classify_model *m, size_t i);

struct classify_prediction {
	const char *label;  /* borrowed from the model */
	double score;       /* probability of label (Platt), or a decision
	                     * value squashed to (0,1) without probabilities */
	double decision;    /* binary: decision value for the positive class */
};

/* Linear models use the fast path (one weight vector per decision
 * function, sparse dot product); others call libsvm. */
int classify_predict(const struct classify_model *m, const char *text,
                     const char *lang, struct classify_prediction *out);

/* Top contributing features of a linear model's decision: calls fn with
 * up to n terms and their contributions, largest magnitude first. */
int classify_explain(const struct classify_model *m, const char *text,
                     const char *lang, size_t n,
                     void (*fn)(const char *term, double weight, void *arg),
                     void *arg);

/* Tags (themes) of a model: their sub-models are binary models ("0" and
 * "1") with a vocabulary of their own; metadata can be read and set on
 * them as on any model.  classify_model_tag_cv() gives the tag's
 * cross-validated metrics right after training, NULL once loaded. */
size_t classify_model_ntags(const struct classify_model *m);
const char *classify_model_tag(const struct classify_model *m, size_t i);
struct classify_model *classify_model_tag_model(const struct classify_model *m,
                                                size_t i);
const struct classify_metrics *
classify_model_tag_cv(const struct classify_model *m, size_t i);
/* prob[i] = P(text has tag i), for every tag of m. */
int classify_tag_scores(const struct classify_model *m, const char *text,
                        const char *lang, double *prob);

/* Scores every example of ds with m. */
int classify_evaluate(const struct classify_model *m,
                      const struct classify_dataset *ds,
                      struct classify_metrics *out, char *err, size_t errsz);

#endif
