/*
 * spike.c - the spike detector; the model is described in spike.h.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "spike.h"

#define SEASON_DAYS       84 /* the weekday factors' window: 12 weeks */
#define DISP_HALF         90.0
#define DISP_PRIOR_WEIGHT 5.0

void
spike_params_default(struct spike_params *p)
{
	p->threshold = 3.0;
	p->min_count = 3;
	p->half_life = 14;
	p->warmup = 14;
	p->season_prior = 5;
	p->disp_prior = 0.1;
	p->mu_floor = 0.02;
	p->shift_days = 5;
	p->new_gap = 0;
}

int
spike_params_check(const struct spike_params *p)
{
	if (!(p->threshold > 0 && p->threshold < 300) || p->min_count < 1 ||
	    !(p->half_life >= 1 && p->half_life <= 3650) || p->warmup < 0 ||
	    !(p->season_prior >= 0) ||
	    !(p->disp_prior >= 0.01 && p->disp_prior <= 1) ||
	    !(p->mu_floor > 0 && p->mu_floor < 100) || p->shift_days < 2 ||
	    p->new_gap < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------- the tail probability */

/* Continued fraction of the incomplete beta function (Lentz's method). */
static double
betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d, h, aa, del;
	int m, m2;

	d = 1 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 10000; m++) {
		m2 = 2 * m;
		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-13)
			break;
	}
	return h;
}

/* log I_x(a, b), the regularised incomplete beta function */
static double
log_ibeta(double a, double b, double x)
{
	double lbt;

	if (x <= 0)
		return -INFINITY;
	if (x >= 1)
		return 0;
	lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
	      b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return lbt + log(betacf(a, b, x)) - log(a);
	/* I_x(a, b) = 1 - I_{1-x}(b, a) */
	return log1p(-exp(lbt + log(betacf(b, a, 1 - x)) - log(b)));
}

/* log P(X >= x) for Poisson(mu): the regularised lower gamma P(x, mu) */
static double
log_poisson_tail(double x, double mu)
{
	double sum, term, n;
	int i;

	/* series: P(a, z) = z^a e^-z / Gamma(a+1) * sum z^n / (a+1)...(a+n) */
	if (mu < x + 1) {
		sum = term = 1;
		for (i = 1, n = x; i < 100000; i++) {
			n += 1;
			term *= mu / n;
			sum += term;
			if (term < sum * 1e-15)
				break;
		}
		return x * log(mu) - mu - lgamma(x + 1) + log(sum);
	}
	/* far in the body: 1 - Q by the continued fraction of Q */
	{
		double b = mu + 1 - x, c = 1 / 1e-300, d = 1 / b, h = d, an,
		       del;

		for (i = 1; i < 100000; i++) {
			an = -i * (i - x);
			b += 2;
			d = an * d + b;
			if (fabs(d) < 1e-300)
				d = 1e-300;
			c = b + an / c;
			if (fabs(c) < 1e-300)
				c = 1e-300;
			d = 1 / d;
			del = d * c;
			h *= del;
			if (fabs(del - 1) < 1e-15)
				break;
		}
		return log1p(-exp(-mu + x * log(mu) - lgamma(x) + log(h)));
	}
}

double
spike_nb_score(int64_t x, double mu, double k)
{
	double lt;

	if (x <= 0)
		return 0;
	if (mu <= 0)
		return 300;
	if (!isfinite(k) || k > 1e8)
		lt = log_poisson_tail((double)x, mu);
	else
		/* P(X >= x) = I_{mu/(k+mu)}(x, k) */
		lt = log_ibeta((double)x, k, mu / (k + mu));
	if (!isfinite(lt))
		return lt < 0 ? 300 : 0;
	lt = -lt / log(10.0);
	if (lt < 0)
		lt = 0;
	return lt > 300 ? 300 : lt;
}

/* ------------------------------------------------------------ detector */

struct state {
	double lnum, lden;    /* the level's weighted sums */
	double lden2;         /* the sum of the squared weights */
	double dnum, dden;    /* the dispersion's */
	double season_t[7];   /* stories per weekday in the window */
	double season_e[7];   /* the level on those days: what a flat week
	                       * would have brought */
	long normal;          /* normal days seen */
	long run;             /* length of the current elevated run */
	double run_sum;       /* its deseasonalised counts */
	long blind_before;    /* blind days just before this one */
	long since_story;     /* normal days since the last story; -1 none */
	double px[2], pmu[2]; /* the two days before, outside runs */
	int np;               /* how many of them there are */
};

static void
factors(const struct spike_params *p, const struct state *s, double level,
        double invk, double f[7])
{
	/* the noisier a day, the harder the weekdays are pulled flat: half
	 * a day's variance, in stories, on top of the prior */
	double mean = 0, a = p->season_prior + 0.5 * level * (1 + level * invk);
	int w;

	/* stories against what the level promised, per weekday: a change of
	 * level inside the window does not bend the weekdays */
	for (w = 0; w < 7; w++) {
		double den = s->season_e[w] + a;

		f[w] = den > 0 ? (s->season_t[w] + a) / den : 1;
		mean += f[w];
	}
	mean /= 7;
	for (w = 0; w < 7; w++)
		f[w] = mean > 0 ? f[w] / mean : 1;
}

/*
 * The relative variance of mu's own estimate, added to 1/k so that a day
 * is judged against the predictive distribution, not the plug-in one.
 * The level is a weighted mean of n_eff = (sum w)^2 / sum w^2 days, each
 * with relative variance 1/level + 1/k: 1/(level n_eff + 1) + 1/(k n_eff),
 * one pseudo-story keeping a series of zeros finite.  The weekday factor is
 * (T_w + a) / (E_w + a) with Var T_w = E_w (1 + level/k).  Right after a
 * level shift (n_eff = 1) this is large; it fades as the level is learnt.
 */
static double
estimate_var(const struct spike_params *p, const struct state *s, double level,
             double invk, int w)
{
	double neff = s->lden2 > 0 ? s->lden * s->lden / s->lden2 : 1;
	double a = p->season_prior + 0.5 * level * (1 + level * invk);
	double e = s->season_e[w], v;

	v = 1 / (level * neff + 1) + invk / neff;
	if (e + a > 0)
		v += e * (1 + level * invk) / ((e + a) * (e + a));
	return v;
}

int
spike_detect(const struct spike_params *p, const int64_t *count,
             const unsigned char *blind, size_t n, int dow0,
             struct spike_day *out)
{
	struct state s;
	unsigned char ring[SEASON_DAYS];
	double ring_x[SEASON_DAYS], ring_e[SEASON_DAYS];
	double f[7], catchup, term, cap, sd, xc, ldecay, ddecay, level, mu,
	        invk, x, k, ds;
	size_t t;
	int w;

	if (spike_params_check(p) != 0 || dow0 < 0 || dow0 > 6)
		return -1;
	for (t = 0; t < n; t++)
		if (count[t] < 0 || count[t] > SPIKE_COUNT_MAX)
			return -1;
	memset(&s, 0, sizeof(s));
	memset(ring, 0, sizeof(ring));
	s.since_story = -1;
	ldecay = pow(0.5, 1 / p->half_life);
	ddecay = pow(0.5, 1 / DISP_HALF);

	for (t = 0; t < n; t++) {
		struct spike_day *o = &out[t];
		int is_blind = blind && blind[t];
		size_t r = t % SEASON_DAYS;

		w = (int)((t + (size_t)dow0) % 7);
		memset(o, 0, sizeof(*o));
		/* the day leaving the weekday window */
		if (t >= SEASON_DAYS && ring[r]) {
			int ow = (int)((t - SEASON_DAYS + (size_t)dow0) % 7);

			s.season_t[ow] -= ring_x[r];
			s.season_e[ow] -= ring_e[r];
		}
		ring[r] = 0;
		if (is_blind) {
			s.blind_before++;
			s.np = 0;
			continue;
		}
		catchup = (double)(1 + s.blind_before);
		x = (double)count[t];
		level = s.lden > 0 ? s.lnum / s.lden : x;
		invk = (s.dnum + p->disp_prior * DISP_PRIOR_WEIGHT) /
		       (s.dden + DISP_PRIOR_WEIGHT);
		if (invk < 0.01)
			invk = 0.01;
		if (invk > 1)
			invk = 1;
		factors(p, &s, level, invk, f);
		mu = level * f[w];
		if (mu < p->mu_floor)
			mu = p->mu_floor;
		mu *= (double)(1 + s.blind_before);
		k = 1 / (invk + estimate_var(p, &s, level, invk, w));
		o->expected = mu;
		o->score = s.normal > 0 ? spike_nb_score(count[t], mu, k) : 0;
		/* a rise spread over three days: their sum against three
		 * days' expectation (a sum of NB with size k each is NB with
		 * size 3k for equal means) */
		if (s.np == 2 && s.run == 0 && s.blind_before == 0) {
			double m3 = mu + s.pmu[0] + s.pmu[1];
			double x3 = (double)count[t] + s.px[0] + s.px[1];
			double s3 = spike_nb_score((int64_t)x3, m3, 3 * k);

			if (s3 > o->score && (double)count[t] > mu)
				o->score = s3;
		}

		/* "new": the first story after a long silence */
		if (p->new_gap > 0 && count[t] > 0 &&
		    (s.since_story < 0 ? s.normal >= p->new_gap
		                       : s.since_story >= p->new_gap))
			o->kind = SPIKE_NEW;
		/* a run goes on while its days stay above the expected count,
		 * so a quieter day inside an event does not start a second
		 * one */
		if ((s.normal >= p->warmup && o->score >= p->threshold &&
		     count[t] >= p->min_count) ||
		    (s.run > 0 && x > mu)) {
			o->in_run = 1;
			s.run++;
			s.run_sum += x / f[w] / (double)(1 + s.blind_before);
			if (s.run == 1 && o->kind == SPIKE_NONE)
				o->kind = SPIKE_VOLUME;
		} else {
			s.run = 0;
			s.run_sum = 0;
		}
		if (o->in_run) {
			s.np = 0;
		} else {
			s.px[1] = s.px[0];
			s.pmu[1] = s.pmu[0];
			s.px[0] = (double)count[t];
			s.pmu[0] = mu;
			if (s.np < 2)
				s.np++;
		}
		if (count[t] > 0)
			s.since_story = 0;
		else if (s.since_story >= 0)
			s.since_story++;
		s.blind_before = 0;

		/* every day teaches the level and the dispersion, spikes
		 * included: leaving them out would teach that counts never
		 * stray, and bias a skewed series' level low.  A day counts
		 * at most as a 2-sigma day for the level, 4-sigma for the
		 * dispersion, so an event barely moves either. */
		x /= catchup; /* a catch-up day teaches one day's worth */
		mu /= catchup;
		sd = sqrt(mu + mu * mu * invk);
		term = (x - mu) * (x - mu) - mu;
		cap = 16 * sd * sd;
		s.dnum = s.dnum * ddecay + (term > cap ? cap : term);
		s.dden = s.dden * ddecay + mu * mu;
		xc = x < mu + 2 * sd ? x : mu + 2 * sd;
		ds = xc / f[w];
		s.lnum = s.lnum * ldecay + ds;
		s.lden = s.lden * ldecay + 1;
		s.lden2 = s.lden2 * ldecay * ldecay + 1;

		if (o->in_run) {
			/* a sustained run is a new level: start over there,
			 * with the weekdays to be learnt again */
			if (s.run >= p->shift_days) {
				s.lnum = s.run_sum / (double)s.run;
				s.lden = 1;
				s.lden2 = 1;
				s.run = 0;
				s.run_sum = 0;
				memset(s.season_t, 0, sizeof(s.season_t));
				memset(s.season_e, 0, sizeof(s.season_e));
				memset(ring, 0, sizeof(ring));
			}
			s.normal++;
			continue;
		}
		/* a normal day teaches the weekdays */
		x = xc;
		s.season_t[w] += x;
		s.season_e[w] += level;
		ring_x[r] = x;
		ring_e[r] = level;
		ring[r] = 1;
		s.normal++;
	}
	return 0;
}
