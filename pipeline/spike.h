/*
 * spike.h - the spike detector: which days of a daily count series are
 * news.  A pure function of the counts; no I/O, no state between calls.
 *
 * Online: the verdict on day t uses days 0..t only, so running it every
 * day gives the same verdicts as running it once over the whole series.
 *
 * Model.  Day t (weekday w) is expected to bring
 *
 *     mu_t = max(level_t * f_w, mu_floor)
 *
 * level_t  an exponentially weighted mean of the past deseasonalised
 *          counts x / f, half-life half_life days, normalised by the sum
 *          of its weights (so the first days are not biased towards 0);
 *          each day enters at most as mu + 2 sd, so an event barely moves
 *          it while a skewed series' level is not biased low;
 * f_w      the weekday factor over the last 12 weeks of normal days,
 *          shrunk towards 1:
 *              f_w = (T_w + a) / (E_w + a),  then scaled to mean 1
 *          T_w the stories on weekday w, E_w the level on those days
 *          (what a flat week would have brought, so a change of level
 *          does not bend it), a = season_prior + half a day's variance
 *          (level (1 + level / k) / 2): busy regular series keep their
 *          weekday pattern, sparse or noisy ones are pulled flat.
 *
 * Counts are negative binomial around mu_t: Var = mu + mu^2 / k, with 1/k
 * estimated from every past day's residual as an exponentially weighted
 * moment (half-life 90 days, each day's term capped at 4 sd)
 *
 *     1/k = (sum w ((x - mu)^2 - mu) + disp_prior * P) / (sum w mu^2 + P)
 *
 * clamped to [0.01, 1]; the prior (P = 5) dominates sparse series, where
 * mu^2 is tiny, and vanishes for busy ones.  mu_t is itself an estimate,
 * so a day is judged against the predictive distribution: the relative
 * variance of the estimate is added to 1/k,
 *
 *     1/k' = 1/k + 1/(level n_eff + 1) + (1/k) / n_eff
 *                + E_w (1 + level/k) / (E_w + a)^2
 *
 * n_eff = (sum w)^2 / sum w^2 the level's effective number of days (1
 * right after a level shift, ~40 at half-life 14), the last term the
 * weekday factor's.  This brings the false-alarm rate on a noisy
 * background near its nominal one (bench/spikes).  The score of a day is
 *
 *     score_t = -log10 P(X >= x_t | mu_t, k')
 *
 * (the upper tail, through the regularised incomplete beta function).  A
 * rise spread over days is caught by the same test on the sum of the last
 * three days (outside runs and outages) against the sum of their expected
 * counts, with size 3k'; a day above its own expectation takes the larger of
 * the two scores.  A day is a volume alert when x_t >= min_count and
 * score_t >= threshold.
 *
 * Events and level shifts.  An alert starts a run, which goes on while the
 * days stay above the expected count; only the first day of a run alerts,
 * so one event is one alert.  A run that lasts shift_days is a new level:
 * the level restarts from the run's mean (and the weekdays are learnt
 * again) - a sustained new level alerts once, at its start.
 *
 * Outages.  A blind day (most feeds failing) is neither evidence nor a
 * gap: no verdict, no update.  The first day after k blind days is judged
 * against (1 + k) * mu, since what the crawler missed arrives then.
 *
 * New.  With new_gap > 0, a day with a story after new_gap normal days
 * without any (or the first story ever, once new_gap days have been
 * observed) is a "new" alert: in a
 * series that is nearly always zero, the first story in a long time is
 * itself the news.
 *
 * No volume alert before warmup normal days have been seen.
 */
#ifndef PCMON_SPIKE_H
#define PCMON_SPIKE_H

#include <stddef.h>
#include <stdint.h>

struct spike_params {
	double threshold;    /* score = -log10 tail probability; 3 */
	long min_count;      /* an alert needs at least this many; 3 */
	double half_life;    /* days, of the level; 14 */
	long warmup;         /* normal days before any volume alert; 14 */
	double season_prior; /* pseudo-stories shrinking f_w to 1; 5 */
	double disp_prior;   /* prior 1/k; 0.1 */
	double mu_floor;     /* smallest expected count; 0.02 */
	long shift_days;     /* a run this long is a new level; 5 */
	long new_gap;        /* days without a story before a "new" alert;
	                      * 0: no "new" alerts */
};

enum spike_kind { SPIKE_NONE = 0, SPIKE_VOLUME = 1, SPIKE_NEW = 2 };

struct spike_day {
	double expected; /* mu_t (times 1 + k after an outage) */
	double score;    /* -log10 P(X >= x | expected); 0 on blind days */
	int kind;        /* enum spike_kind */
	int in_run;      /* 1: elevated, inside a run (only its first day
	                  * alerts) */
};

void spike_params_default(struct spike_params *p);
/* 0, or -1 (and nothing written) when p is out of range. */
int spike_params_check(const struct spike_params *p);

/* The largest daily count judged: far above any news series, and far
 * enough below INT64_MAX that sums of a few days stay exact integers. */
#define SPIKE_COUNT_MAX INT64_C(1000000000000)

/*
 * Judges count[0..n): blind may be NULL (no outages); dow0 is the weekday
 * of day 0 (0 Monday ... 6 Sunday).  out gets n entries.  0, or -1 for bad
 * parameters or a count below 0 or above SPIKE_COUNT_MAX.
 */
int spike_detect(const struct spike_params *p, const int64_t *count,
                 const unsigned char *blind, size_t n, int dow0,
                 struct spike_day *out);

/* -log10 P(X >= x) for X negative binomial with mean mu and size k
 * (k = +inf: Poisson).  Exposed for the tests. */
double spike_nb_score(int64_t x, double mu, double k);

#endif
