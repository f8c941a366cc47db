/*
 * test_spike.c - the spike detector (pipeline/spike.c) on synthetic series
 * whose spikes are known: the tail probability against values computed
 * with scipy.stats, flat and weekly series with a planted spike, an
 * overdispersed background's false alarms, sparse series, a level shift
 * that must alert once, an outage and its catch-up, the prefix property
 * (online), huge counts and degenerate lengths.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "spike.h"

/* a fixed-seed PRNG (splitmix64) and the samplers built on it */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double
uniform(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static int64_t
poisson(double mu)
{
	double l = exp(-mu), p = 1;
	int64_t k = 0;

	if (mu > 50) { /* normal approximation is enough for a background */
		double u1 = uniform(), u2 = uniform();
		double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		double v = mu + sqrt(mu) * z;

		return v < 0 ? 0 : (int64_t)(v + 0.5);
	}
	do {
		k++;
		p *= uniform();
	} while (p > l);
	return k - 1;
}

/* gamma(shape k, scale 1) by Marsaglia and Tsang */
static double
gamma_k(double k)
{
	double d, c, x, v, u;

	if (k < 1)
		return gamma_k(k + 1) * pow(uniform(), 1 / k);
	d = k - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		double u1 = uniform(), u2 = uniform();

		x = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		v = 1 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		u = uniform();
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

/* negative binomial with mean mu and size k: Poisson(mu * Gamma(k)/k) */
static int64_t
negbin(double mu, double k)
{
	return poisson(mu * gamma_k(k) / k);
}

static struct spike_day out[2000];
static int64_t cnt[2000];
static unsigned char blind[2000];

static int
alerts_in(size_t from, size_t to)
{
	int n = 0;

	for (size_t t = from; t < to; t++)
		n += out[t].kind != SPIKE_NONE;
	return n;
}

static void
test_tail(void)
{
	/* -log10 P(X >= x), from scipy.stats poisson.sf / nbinom.sf */
	static const struct {
		int64_t x;
		double mu, k, want;
	} rows[] = {
		{ 5, 1, INFINITY, 2.436537090406527 },
		{ 10, 2, INFINITY, 4.332565026178538 },
		{ 2, 0.05, 10, 2.878993310739938 },
		{ 3, 0.05, 10, 4.581762636258095 },
		{ 50, 20, 5, 1.9958847121467023 },
		{ 40, 20, 5, 1.356446586288463 },
		{ 1, 0.5, INFINITY, 0.40508910285453703 },
		{ 5000, 100, 2, 41.005051617173486 },
		{ 25, 20, INFINITY, 0.804729778564577 },
		{ 15, 20, INFINITY, 0.048111112731766034 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double got = spike_nb_score(rows[i].x, rows[i].mu, rows[i].k);

		CHECK(fabs(got - rows[i].want) < 1e-6 * (1 + rows[i].want),
		      "score x=%lld mu=%g k=%g: %.9f want %.9f",
		      (long long)rows[i].x, rows[i].mu, rows[i].k, got,
		      rows[i].want);
	}
	CHECK(spike_nb_score(0, 3, 2) == 0, "x = 0 scores 0");
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%.3f", spike_nb_score(10, 2, 1e12));
		CHECK_STR(buf, "4.333", "k -> infinity is Poisson");
	}
	CHECK(spike_nb_score(1000, 100, INFINITY) == 300,
	      "beyond double range: capped at 300");
	CHECK(isfinite(spike_nb_score(INT64_C(4000000000), 1e9, 3)),
	      "counts in the billions stay finite");
}

static void
test_flat_and_weekly(void)
{
	struct spike_params p;
	size_t n = 200, t;
	int bad = 0;

	spike_params_default(&p);
	rng_state = 1;
	for (t = 0; t < n; t++)
		cnt[t] = poisson(10);
	cnt[150] = 35;
	CHECK_INT(spike_detect(&p, cnt, NULL, n, 0, out), 0, "flat: runs");
	CHECK_INT(out[150].kind, SPIKE_VOLUME, "flat: the spike alerts");
	CHECK(fabs(out[150].expected - 10) < 2, "flat: expected %.2f ~ 10",
	      out[150].expected);
	CHECK_INT(alerts_in(0, n), 1, "flat: nothing else alerts");
	CHECK_INT(alerts_in(0, 14), 0, "no alert during the warm-up");

	/* weekdays 30, weekends 4: Mondays after the weekend are not
	 * spikes, weekend troughs are not dips, a Saturday with 18 is */
	rng_state = 2;
	for (t = 0; t < 280; t++)
		cnt[t] = poisson(t % 7 >= 5 ? 4 : 30);
	cnt[257] = 18; /* day 257: 257 % 7 = 5, a Saturday */
	spike_detect(&p, cnt, NULL, 280, 0, out);
	CHECK_INT(out[257].kind, SPIKE_VOLUME,
	          "weekly: a busy Saturday alerts (expected %.1f)",
	          out[257].expected);
	CHECK(out[257].expected < 8, "weekly: a Saturday expects few (%.2f)",
	      out[257].expected);
	for (t = 60; t < 280; t++)
		if (t != 257 && out[t].kind != SPIKE_NONE)
			bad++;
	CHECK(bad <= 1, "weekly: %d false alerts in 220 days", bad);
	/* the same Saturday count on a series without a weekly pattern is
	 * ordinary */
	rng_state = 3;
	for (t = 0; t < 280; t++)
		cnt[t] = poisson(22);
	cnt[257] = 18;
	spike_detect(&p, cnt, NULL, 280, 0, out);
	CHECK_INT(out[257].kind, SPIKE_NONE, "18 on a flat 22: no alert");
}

static void
test_overdispersed(void)
{
	struct spike_params p;
	size_t t, n = 1800;
	int fa;

	spike_params_default(&p);
	rng_state = 4;
	for (t = 0; t < n; t++)
		cnt[t] = negbin(5, 1.5);
	spike_detect(&p, cnt, NULL, n, 2, out);
	fa = alerts_in(0, n);
	/* a Poisson model flags dozens; the NB model, with the three-day
	 * sums, about one day in 200 at most */
	CHECK(fa <= 12, "overdispersed background: %d alerts in %zu days", fa,
	      n);
	cnt[1500] = 60;
	spike_detect(&p, cnt, NULL, n, 2, out);
	CHECK_INT(out[1500].kind, SPIKE_VOLUME,
	          "a real spike still alerts (score %.1f)", out[1500].score);
}

/* A nominal false-alarm rate: on a negative binomial background with no
 * events, threshold 3 (one day in 1000 for each of the two tests) should
 * give about half an alert a year.  Testing against the predictive
 * distribution (spike.h: 1/k') is what keeps it there: the plug-in mu and
 * k gave 0.54 to 0.69 a year on these same series. */
static void
test_calibration(void)
{
	struct spike_params p;
	size_t t, n = 1825; /* five years */
	int fa, r, i;
	static const double rows[][2] = {
		{ 8, 10 },  /* mean, size k */
		{ 20, 20 }, /* busy */
		{ 0.5, 3 }, /* sparse and bursty */
	};

	spike_params_default(&p);
	for (r = 0; r < (int)(sizeof(rows) / sizeof(rows[0])); r++) {
		fa = 0;
		for (i = 0; i < 20; i++) { /* 100 series-years */
			rng_state = (uint64_t)(40 + i + 100 * r);
			for (t = 0; t < n; t++)
				cnt[t] = negbin(rows[r][0], rows[r][1]);
			spike_detect(&p, cnt, NULL, n, 0, out);
			fa += alerts_in(0, n);
		}
		CHECK(fa <= 55,
		      "calibration NB(%g, k %g): %d alerts in 100 years",
		      rows[r][0], rows[r][1], fa);
	}
}

static void
test_sparse(void)
{
	struct spike_params p;
	size_t t, n = 400;
	int fa;

	spike_params_default(&p);
	rng_state = 5;
	for (t = 0; t < n; t++)
		cnt[t] = poisson(0.1);
	spike_detect(&p, cnt, NULL, n, 0, out);
	fa = alerts_in(0, n);
	CHECK(fa <= 1, "sparse: %d alerts on isolated ones", fa);
	for (t = 300; t < 303; t++)
		cnt[t] = 3 + (int64_t)(t - 300);
	spike_detect(&p, cnt, NULL, n, 0, out);
	CHECK_INT(out[300].kind, SPIKE_VOLUME, "sparse: a burst alerts");
	CHECK_INT(alerts_in(301, 303), 0, "sparse: once per burst");

	/* "new": a series of zeros gets its first story */
	memset(cnt, 0, sizeof(cnt));
	cnt[200] = 1;
	cnt[230] = 1;
	cnt[330] = 1;
	p.new_gap = 90;
	spike_detect(&p, cnt, NULL, 400, 0, out);
	CHECK_INT(out[200].kind, SPIKE_NEW, "the first story ever is new");
	CHECK_INT(out[230].kind, SPIKE_NONE, "30 days later: not new");
	CHECK_INT(out[330].kind, SPIKE_NEW, "100 days later: new again");
	memset(cnt, 0, sizeof(cnt));
	cnt[5] = 1;
	spike_detect(&p, cnt, NULL, 100, 0, out);
	CHECK_INT(out[5].kind, SPIKE_NONE, "not during the warm-up");
	p.new_gap = 0;
	memset(cnt, 0, sizeof(cnt));
	cnt[200] = 1;
	spike_detect(&p, cnt, NULL, 400, 0, out);
	CHECK_INT(alerts_in(0, 400), 0, "new_gap 0: no new alerts");
}

static void
test_level_shift(void)
{
	struct spike_params p;
	size_t t, n = 300;

	spike_params_default(&p);
	rng_state = 6;
	for (t = 0; t < n; t++)
		cnt[t] = poisson(t < 150 ? 3 : 15);
	spike_detect(&p, cnt, NULL, n, 0, out);
	CHECK(alerts_in(150, 152) == 1, "the shift alerts at its start");
	CHECK_INT(alerts_in(152, n), 0, "and never again on the new level");
	CHECK(out[250].expected > 10, "the new level is learnt (%.1f)",
	      out[250].expected);

	/* a 3-day event returns to the old level: one alert, and the level
	 * stays where it was */
	rng_state = 7;
	for (t = 0; t < n; t++)
		cnt[t] = poisson(4);
	cnt[100] = 20;
	cnt[101] = 25;
	cnt[102] = 18;
	spike_detect(&p, cnt, NULL, n, 0, out);
	CHECK_INT(out[100].kind, SPIKE_VOLUME, "event: alerts on day 1");
	CHECK_INT(alerts_in(101, 110), 0, "event: once");
	CHECK(out[102].in_run, "event: day 3 still elevated");
	CHECK(out[104].expected < 6,
	      "event days do not raise the level "
	      "(%.2f)",
	      out[104].expected);
}

static void
test_outage(void)
{
	struct spike_params p;
	size_t t, n = 200;

	spike_params_default(&p);
	rng_state = 8;
	memset(blind, 0, sizeof(blind));
	for (t = 0; t < n; t++)
		cnt[t] = poisson(8);
	/* five days of failing feeds, then everything arrives at once */
	for (t = 120; t < 125; t++) {
		blind[t] = 1;
		cnt[t] = 0;
	}
	cnt[125] = 48;
	spike_detect(&p, cnt, blind, n, 0, out);
	CHECK_INT(alerts_in(115, 130), 0, "outage and catch-up: no alert");
	CHECK(out[125].expected > 40, "catch-up expects six days (%.1f)",
	      out[125].expected);
	CHECK(out[122].score == 0 && out[122].kind == SPIKE_NONE,
	      "blind days have no verdict");
	CHECK(out[130].expected < 12, "the level is not dragged (%.1f)",
	      out[130].expected);
	/* without the flags, the zeros drag the level down and the catch-up
	 * looks like a spike: the flags matter */
	spike_detect(&p, cnt, NULL, n, 0, out);
	CHECK(alerts_in(125, 126) == 1, "unflagged catch-up alerts");
}

static void
test_online(void)
{
	static struct spike_day full[600];
	struct spike_params p;
	size_t t, cut, n = 600;
	int same = 1;

	spike_params_default(&p);
	p.new_gap = 30;
	rng_state = 9;
	for (t = 0; t < n; t++)
		cnt[t] = negbin(t > 300 ? 6 : 2, 2) + (t % 97 == 0 ? 15 : 0);
	for (t = 0; t < n; t++)
		blind[t] = t % 83 == 5;
	spike_detect(&p, cnt, blind, n, 3, full);
	for (cut = 1; cut < n; cut += 37) {
		spike_detect(&p, cnt, blind, cut, 3, out);
		for (t = 0; t < cut; t++)
			if (out[t].kind != full[t].kind ||
			    out[t].expected != full[t].expected ||
			    out[t].score != full[t].score)
				same = 0;
	}
	CHECK(same, "a prefix gets the verdicts of the whole series");
}

static void
test_edges(void)
{
	struct spike_params p;
	size_t t;

	spike_params_default(&p);
	CHECK_INT(spike_detect(&p, cnt, NULL, 0, 0, out), 0, "n = 0");
	cnt[0] = 5;
	CHECK_INT(spike_detect(&p, cnt, NULL, 1, 0, out), 0, "n = 1");
	CHECK_INT(out[0].kind, SPIKE_NONE, "n = 1: no verdict yet");
	for (t = 0; t < 100; t++)
		cnt[t] = INT64_C(1000000000) + (int64_t)(t % 3);
	cnt[90] = INT64_C(3000000000);
	CHECK_INT(spike_detect(&p, cnt, NULL, 100, 0, out), 0, "huge counts");
	CHECK(isfinite(out[90].expected) && isfinite(out[90].score),
	      "huge counts: finite");
	CHECK_INT(out[90].kind, SPIKE_VOLUME, "huge counts: the spike");
	cnt[3] = -1;
	CHECK_INT(spike_detect(&p, cnt, NULL, 10, 0, out), -1,
	          "a negative count is refused");
	cnt[3] = 0;
	CHECK_INT(spike_detect(&p, cnt, NULL, 10, 7, out), -1, "weekday 7");
	p.threshold = 0;
	CHECK_INT(spike_detect(&p, cnt, NULL, 10, 0, out), -1,
	          "threshold 0 refused");
	spike_params_default(&p);
	p.shift_days = 1;
	CHECK_INT(spike_params_check(&p), -1, "shift_days 1 refused");
}

int
main(void)
{
	test_tail();
	test_flat_and_weekly();
	test_overdispersed();
	test_calibration();
	test_sparse();
	test_level_shift();
	test_outage();
	test_online();
	test_edges();
	return check_done();
}
