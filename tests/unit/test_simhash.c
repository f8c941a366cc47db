/*
 * test_simhash.c - near-duplicate fingerprints (pipeline/simhash.c): a
 * wire story republished with an outlet's suffix, a dateline, a dropped
 * sentence or an edited word stays within SIMHASH_MAX_DIST bits; distinct
 * stories on the same topic, sharing most of their vocabulary, do not;
 * Chinese and Russian copies; empty texts; and the banded index against
 * brute force on 20,000 random fingerprints with planted near copies.
 * The example sentences are written for this test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "simhash.h"

static const char lead[] =
        "Police from the two countries agreed on Tuesday to set up a joint "
        "task force against telecom fraud rings that move between border "
        "towns. The interior ministers signed the memorandum in the "
        "capital after two days of talks. Officers will share case files "
        "and hold joint training every spring.";
static const char lead_short[] =
        "Police from the two countries agreed on Tuesday to set up a joint "
        "task force against telecom fraud rings that move between border "
        "towns. The interior ministers signed the memorandum in the "
        "capital after two days of talks.";
static const char lead_edit[] =
        "Police from the two countries agreed on Tuesday to set up a joint "
        "task force against telecom fraud networks that move between border "
        "towns. The interior ministers signed the memorandum in the "
        "capital after two days of talks. Officers will share case files "
        "and hold joint training every spring.";
static const char lead_dateline[] =
        "VIENTIANE (Wire Agency) - Police from the two countries agreed on "
        "Tuesday to set up a joint task force against telecom fraud rings "
        "that move between border towns. The interior ministers signed the "
        "memorandum in the capital after two days of talks. Officers will "
        "share case files and hold joint training every spring.";
/* the same topic, the same words, another event */
static const char other[] =
        "Police from the two countries agreed on Friday to extend a joint "
        "task force against online gambling rings that recruit workers in "
        "border towns. The justice ministers renewed the agreement in the "
        "port city after a week of talks. Prosecutors will exchange "
        "evidence and hold joint hearings every autumn.";
static const char zh[] =
        "两国警方周二同意成立联合专案组，打击在边境城镇之间流动的电信诈骗团伙。"
        "两国内政部长在为期两天的会谈后在首都签署了备忘录。";
static const char zh_other[] =
        "两国警方周五同意延长联合专案组的期限，打击在边境城镇招募人员的网络赌博团伙。"
        "两国司法部长在港口城市续签了协议。";
static const char ru[] =
        "Полиция двух стран во вторник договорилась создать совместную "
        "рабочую группу против мошеннических колл-центров в приграничных "
        "городах. Министры подписали меморандум в столице после двух дней "
        "переговоров.";

static int
dist(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

static uint64_t
fp(const char *title, const char *summary, const char *lang, size_t *n)
{
	size_t dummy;

	return simhash_item(title, summary, lang, n ? n : &dummy);
}

static void
test_fingerprints(void)
{
	const char *t = "Neighbours form joint task force against fraud rings";
	uint64_t base = fp(t, lead, "en", NULL);
	size_t n;
	int d;

	n = 0;
	d = fp(t, lead, "en", &n) == base;
	CHECK(d && n > 40, "deterministic (%zu shingles)", n);
	d = dist(base, fp("Neighbours form joint task force against fraud "
	                  "rings - The Daily Courier",
	                  lead, "en", NULL));
	CHECK(d == 0, "outlet suffix on the title: %d bits", d);
	d = dist(base, fp("Neighbours form joint task force against fraud "
	                  "rings | Asia Desk",
	                  lead, "en", NULL));
	CHECK(d == 0, "'| Outlet' suffix: %d bits", d);
	d = dist(base, fp(t, lead_dateline, "en", NULL));
	CHECK(d == 0, "dateline before the lead: %d bits", d);
	d = dist(base, fp(t, lead_short, "en", NULL));
	CHECK(d <= SIMHASH_MAX_DIST, "last sentence dropped: %d bits", d);
	d = dist(base, fp(t, lead_edit, "en", NULL));
	CHECK(d <= SIMHASH_MAX_DIST, "one word edited: %d bits", d);
	d = dist(base, fp(t, lead, NULL, NULL));
	CHECK(d == 0, "no language given: the same terms (%d bits)", d);
	d = dist(base, fp("Neighbours extend joint task force against "
	                  "gambling rings",
	                  other, "en", NULL));
	CHECK(d > 2 * SIMHASH_MAX_DIST,
	      "another event on the same topic: %d bits", d);

	d = dist(fp("两国成立联合专案组", zh, "zh", NULL),
	         fp("两国成立联合专案组", zh, "zh", NULL));
	CHECK(d == 0, "Chinese copy");
	d = dist(fp("两国成立联合专案组", zh, "zh", NULL),
	         fp("两国延长联合专案组", zh_other, "zh", NULL));
	CHECK(d > 2 * SIMHASH_MAX_DIST, "another Chinese story: %d bits", d);
	fp("两国成立联合专案组", zh, "zh", &n);
	CHECK(n > SIMHASH_MIN_TERMS, "Chinese text has shingles (%zu)", n);
	d = dist(fp("Совместная группа против мошенников", ru, "ru", NULL),
	         fp("Совместная группа против мошенников - Вести", ru, "ru",
	            NULL));
	CHECK(d == 0, "Russian copy with an outlet suffix: %d bits", d);
	d = dist(fp("Совместная группа против мошенников", ru, "ru", NULL),
	         base);
	CHECK(d > 2 * SIMHASH_MAX_DIST, "Russian vs English: %d bits", d);

	CHECK(fp(NULL, NULL, NULL, &n) == 0 && n == 0, "nothing: no shingles");
	CHECK(fp("", "", "en", &n) == 0 && n == 0, "empty: no shingles");
	fp("Fraud", NULL, "en", &n);
	CHECK_INT(n, 0, "one word: no shingle");
	fp("Police sign a pact", NULL, "en", &n);
	CHECK(n > 0 && n < SIMHASH_MIN_TERMS, "a short title: %zu shingles",
	      n);
}

/* splitmix64 */
static uint64_t seed = 42;

static uint64_t
rnd(void)
{
	uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#define N 20000

static void
test_index(void)
{
	static uint64_t fps[N];
	static int64_t times[N];
	struct simhash_index *ix = simhash_index_create();
	int64_t id = 0, want_id = 0;
	int i, j, d = 0, want_d = 0, wrong = 0, found_near = 0;

	CHECK(ix != NULL, "index created");
	if (!ix)
		return;
	for (i = 0; i < N; i++) {
		if (i > 0 && i % 4 == 0) {
			/* a near copy of an earlier one: 0-9 bits flipped */
			int k = (int)(rnd() % 10);

			fps[i] = fps[rnd() % (uint64_t)i];
			while (k--)
				fps[i] ^= UINT64_C(1) << (rnd() % 64);
		} else {
			fps[i] = rnd();
		}
		times[i] = (int64_t)(rnd() % (30 * 86400));
	}
	for (i = 0; i < N; i++) {
		int got = simhash_index_find(ix, fps[i], 100, times[i],
		                             SIMHASH_WINDOW, &id, &d);
		int want = 0;

		for (j = 0; j < i; j++) {
			int64_t dt = times[j] - times[i];
			int dj = dist(fps[j], fps[i]);

			if (dj <= SIMHASH_MAX_DIST && dt <= SIMHASH_WINDOW &&
			    dt >= -SIMHASH_WINDOW && (!want || j + 1 < want_id)) {
				want = 1;
				want_id = j + 1;
				want_d = dj;
			}
		}
		if (got != want || (want && (id != want_id || d != want_d)))
			wrong++;
		found_near += got;
		simhash_index_add(ix, i + 1, fps[i], times[i]);
	}
	CHECK_INT(wrong, 0, "banded index = brute force on %d fingerprints "
	                    "(%d near copies found)",
	          N, found_near);
	CHECK(found_near > N / 20, "near copies are found (%d)", found_near);

	/* short texts: exact only */
	CHECK(simhash_index_find(ix, fps[0] ^ 1, 100, times[0], SIMHASH_WINDOW,
	                         &id, &d) == 1,
	      "one bit off, long text: found");
	CHECK(simhash_index_find(ix, fps[0] ^ 1, SIMHASH_MIN_TERMS - 1,
	                         times[0], SIMHASH_WINDOW, &id, &d) == 0 ||
	              d == 0,
	      "one bit off, short text: only an exact match");
	/* the window */
	CHECK(simhash_index_find(ix, fps[0], 100, times[0] + 400 * 86400,
	                         SIMHASH_WINDOW, &id, &d) == 0,
	      "outside the window: none");
	simhash_index_free(ix);
	simhash_index_free(NULL);
}

int
main(void)
{
	test_fingerprints();
	test_index();
	{
		char buf[8];

		snprintf(buf, sizeof(buf), "%d", SIMHASH_MAX_DIST);
		CHECK_STR(buf, "7", "the documented distance");
	}
	return check_done();
}
