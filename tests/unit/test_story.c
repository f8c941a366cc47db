/*
 * test_story.c - stories, not copies (pipeline/story.c): one row per pair
 * of items and whether they are one story - a lead republished with an
 * outlet's suffix, a dateline, a feed's "Read more" tail, a dropped last
 * sentence, a cut-off lead or a typo stays within STORY_MAX_DIST bits;
 * two different arrests in the same week, told in the same words, do not;
 * Chinese, Japanese and Russian copies; empty and short texts.  Then the
 * banded index against brute force on 20,000 fingerprints with planted
 * near copies, the window and the lowest id.  The sentences are written
 * for this test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "story.h"

#define T1 "Interpol notice leads to arrest of fraud suspect in Lisbon"
#define L1                                                                     \
	"Portuguese police on Monday detained a man wanted in three "          \
	"countries for running an investment fraud that took savings from "    \
	"hundreds of pensioners. He was stopped at the airport after an "      \
	"Interpol red notice was issued last month. A court will decide "      \
	"within forty days whether to send him to Belgium."
#define L1_SHORT                                                               \
	"Portuguese police on Monday detained a man wanted in three "          \
	"countries for running an investment fraud that took savings from "    \
	"hundreds of pensioners. He was stopped at the airport after an "      \
	"Interpol red notice was issued last month."
#define L1_TYPO                                                                \
	"Portuguese police on Monday detained a man wanted in three "          \
	"countries for runing an investment fraud that took savings from "     \
	"hundreds of pensioners. He was stopped at the airport after an "      \
	"Interpol red notice was issued last month. A court will decide "      \
	"within forty days whether to send him to Belgium."
#define L1_WORD                                                                \
	"Portuguese police on Monday arrested a man wanted in three "          \
	"countries for running an investment fraud that took savings from "    \
	"hundreds of pensioners. He was stopped at the airport after an "      \
	"Interpol red notice was issued last month. A court will decide "      \
	"within forty days whether to send him to Belgium."
#define L1_CUT                                                                 \
	"Portuguese police on Monday detained a man wanted in three "          \
	"countries for running an investment fraud that took savings from "    \
	"hundreds of pensioners. He was stopped at the airport after an "      \
	"Interpol red notice was iss..."

/* another arrest the same week, on the same notice system, same words */
#define T2 "Interpol notice leads to arrest of smuggling suspect in Madrid"
#define L2                                                                     \
	"Spanish police on Thursday detained a woman wanted in two "           \
	"countries for running a people smuggling route that took money from " \
	"hundreds of migrants. She was stopped at the port after an "          \
	"Interpol red notice was issued last year. A court will decide "       \
	"within sixty days whether to send her to Italy."

#define ZH_T "国际刑警组织红色通缉令嫌犯在里斯本落网"
#define ZH                                                                                                       \
	"葡萄牙警方周一在机场拘留了一名涉嫌投资诈骗的男子，该男子被三个国家通" \
	"缉"                                                                                                    \
	"，骗取了数百名退休人员的积蓄。法院将在四十天内决定是否将其引渡到比利" \
	"时"                                                                                                    \
	"。"
#define ZH2                                                                                                      \
	"西班牙警方周四在港口拘留了一名涉嫌组织偷渡的女子，该女子被两个国家通" \
	"缉"                                                                                                    \
	"，向数百名移民收取了费用。法院将在六十天内决定是否将其引渡到意大利。"
#define JA                                                                                                       \
	"ポルトガル警察は月曜日、投資詐欺の疑いで三か国から指名手配されていた" \
	"男"                                                                                                    \
	"を空港で拘束した。裁判所は四十日以内にベルギーへの引き渡しを決める。"
#define RU_T "Подозреваемый в мошенничестве задержан в Лиссабоне"
#define RU                                                                                                                           \
	"Полиция Португалии в понедельник задержала мужчину, которого "         \
	"разыскивали три страны по делу об инвестиционном мошенничестве. "    \
	"Его остановили в аэропорту по красному уведомлению Интерпола. Суд " \
	"решит вопрос о выдаче в течение сорока дней."
#define RU2                                                                                                                           \
	"Полиция Испании в четверг задержала женщину, которую разыскивали "   \
	"две страны по делу о незаконной перевозке мигрантов. Её остановили " \
	"в порту по красному уведомлению Интерпола. Суд решит вопрос о "           \
	"выдаче в течение шестидесяти дней."

struct pair {
	const char *name;
	const char *ta, *sa, *la; /* title, summary, language of a */
	const char *tb, *sb, *lb;
	/* 1: one story (within STORY_MAX_DIST bits); 0: not; -1: a copy a
	 * 64-bit SimHash misses (story.h: losing a fifth of the shingles costs
	 * 10 to 15 bits), checked only to stay closer than unrelated texts */
	int same;
};

/* clang-format off */
static const struct pair pairs[] = {
	{ "identical", T1, L1, "en", T1, L1, "en", 1 },
	{ "no language given", T1, L1, "en", T1, L1, NULL, 1 },
	{ "outlet suffix ' - '", T1, L1, "en", T1 " - The Harbour Times", L1, "en", 1 },
	{ "outlet suffix ' | '", T1, L1, "en", T1 " | SCMP", L1, "en", 1 },
	{ "outlet suffix em dash", T1, L1, "en", T1 " \xe2\x80\x94 Reuters", L1, "en", 1 },
	{ "dateline", T1, L1, "en", T1, "LISBON (Reuters) - " L1, "en", 1 },
	{ "agency dateline", T1, L1, "en", T1, "(AP) \xe2\x80\x94 " L1, "en", 1 },
	{ "capitals dateline", T1, L1, "en", T1, "LISBON - " L1, "en", 1 },
	{ "Read more tail", T1, L1, "en", T1, L1 " Read more", "en", 1 },
	{ "WordPress tail", T1, L1, "en", T1, L1 " The post " T1 " appeared first on Coast Daily.", "en", 1 },
	{ "attribution added", T1, L1, "en", T1, L1 " Reuters reports.", "en", 1 },
	{ "last sentence dropped", T1, L1, "en", T1, L1_SHORT, "en", -1 },
	{ "lead cut off with ...", T1, L1, "en", T1, L1_CUT, "en", -1 },
	{ "typo", T1, L1, "en", T1, L1_TYPO, "en", 1 },
	{ "one word changed", T1, L1, "en", T1, L1_WORD, "en", 1 },
	{ "suffix, dateline and typo", T1, L1, "en", T1 " - Lisbon Post", "LISBON (AFP) - " L1_TYPO, "en", 1 },
	{ "upper case title", T1, L1, "en", "INTERPOL NOTICE LEADS TO ARREST OF FRAUD SUSPECT IN LISBON", L1, "en", 1 },
	{ "another arrest, same words", T1, L1, "en", T2, L2, "en", 0 },
	{ "another arrest, same title form", T1, L1, "en", T1, L2, "en", 0 },
	{ "title alone vs another title", T1, NULL, "en", T2, NULL, "en", 0 },
	{ "title alone, suffix", T1, NULL, "en", T1 " - Reuters", NULL, "en", 1 },
	{ "short title vs another", "Police chief resigns", NULL, "en", "Police chief returns", NULL, "en", 0 },
	{ "Chinese copy with suffix", ZH_T, ZH, "zh", ZH_T " | 联合早报", ZH, "zh", 1 },
	{ "Chinese copy, one char edited", ZH_T, ZH, "zh", ZH_T, "葡萄牙警方周一在机场逮捕了一名涉嫌投资诈骗的男子，该男子被三个国家通缉，骗取了数百名退休人员的积蓄。法院将在四十天内决定是否将其引渡到比利时。", "zh", 1 },
	{ "Chinese, another arrest", ZH_T, ZH, "zh", ZH_T, ZH2, "zh", 0 },
	{ "Japanese copy, no language given", "リスボンで詐欺容疑者を拘束", JA, "ja", "リスボンで詐欺容疑者を拘束 - 共同通信", JA, NULL, 1 },
	{ "Japanese vs Chinese", "リスボンで詐欺容疑者を拘束", JA, "ja", ZH_T, ZH, "zh", 0 },
	{ "Russian copy with suffix", RU_T, RU, "ru", RU_T " - РИА Новости", RU, "ru", 1 },
	{ "Russian, another arrest", RU_T, RU, "ru", RU_T, RU2, "ru", 0 },
	{ "Russian vs English", RU_T, RU, "ru", T1, L1, "en", 0 },
};
/* clang-format on */

static void
test_pairs(void)
{
	size_t i, na, nb;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];
		uint64_t a = story_fingerprint(p->ta, p->sa, p->la, &na);
		uint64_t b = story_fingerprint(p->tb, p->sb, p->lb, &nb);
		int d = story_distance(a, b);

		if (p->same == 1)
			CHECK(na > 0 && nb > 0 && d <= STORY_MAX_DIST,
			      "same story: %s (%d bits, %zu/%zu shingles)",
			      p->name, d, na, nb);
		else if (p->same == -1)
			CHECK(d <= 2 * STORY_MAX_DIST,
			      "a copy, but beyond the threshold: %s (%d bits)",
			      p->name, d);
		else
			CHECK(d > STORY_MAX_DIST,
			      "different stories: %s (%d bits)", p->name, d);
	}
}

/* clang-format off */
static const struct {
	const char *title, *summary;
	size_t min, max; /* shingles */
	int zero;        /* fingerprint 0 */
} counts[] = {
	{ NULL, NULL, 0, 0, 1 },
	{ "", "", 0, 0, 1 },
	{ " - ", " ... ", 0, 0, 1 },
	{ "\xff\xfe", NULL, 0, 0, 1 },   /* invalid UTF-8: U+FFFD, no word */
	{ "Extradition", NULL, 1, 1, 0 },  /* one word: one shingle */
	{ "Police sign a pact", NULL, 3, 3, 0 },
	{ NULL, "Police sign a pact", 3, 3, 0 },
	{ T1, L1, 50, 70, 0 },
	{ ZH_T, ZH, 100, 400, 0 },
};
/* clang-format on */

static void
test_counts(void)
{
	size_t i, n;
	uint64_t fp;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		fp = story_fingerprint(counts[i].title, counts[i].summary, "en",
		                       &n);
		CHECK(n >= counts[i].min && n <= counts[i].max &&
		              (fp == 0) == counts[i].zero,
		      "counts[%zu]: %zu shingles, fingerprint %s", i, n,
		      fp ? "set" : "0");
	}
	fp = story_fingerprint(T1, L1, "en", NULL);
	CHECK(fp == story_fingerprint(T1, L1, "en", &n), "nterms may be NULL");
}

/* short texts get an exact hash: near only when equal */
static void
test_short(void)
{
	static const char *const titles[] = {
		"Police chief resigns",        "Police chief returns",
		"Police chiefs resign",        "Police chief resigns today",
		"Border police chief resigns",
	};
	size_t i, j, n;
	int worst = 64;

	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++) {
			int d = story_distance(
			        story_fingerprint(titles[i], NULL, "en", &n),
			        story_fingerprint(titles[j], NULL, "en", &n));

			if (d < worst)
				worst = d;
		}
	CHECK(worst > 2 * STORY_MAX_DIST,
	      "short titles one word apart are far apart (closest %d bits)",
	      worst);
	CHECK(story_fingerprint("Police chief resigns - Reuters", NULL, "en",
	                        &n) ==
	              story_fingerprint("Police chief resigns", NULL, "en", &n),
	      "a short title with an outlet suffix: the same hash");
}

/* splitmix64 with a fixed seed */
static uint64_t seed = 20240607;

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
test_index_brute(int max_dist)
{
	static uint64_t fps[N];
	static int64_t times[N];
	struct story_index *idx = NULL;
	int64_t id = 0, want_id = 0, window = 3 * 86400;
	int i, j, d = 0, want_d = 0, wrong = 0, found = 0, near = 0;

	CHECK_INT(story_index_create(max_dist, &idx), STORY_OK,
	          "index for %d bits created", max_dist);
	if (!idx)
		return;
	for (i = 0; i < N; i++) {
		if (i > 0 && i % 3 == 0) {
			/* a near copy of an earlier one: 0 to 2k+1 bits off */
			int k = (int)(rnd() % (uint64_t)(2 * max_dist + 2));

			fps[i] = fps[rnd() % (uint64_t)i];
			while (k--)
				fps[i] ^= UINT64_C(1) << (rnd() % 64);
		} else {
			fps[i] = rnd();
		}
		times[i] = (int64_t)(rnd() % (20 * 86400));
	}
	for (i = 0; i < N; i++) {
		/* ids count down: the lowest id is the newest in the index */
		int got = story_index_find(idx, fps[i], times[i], window, &id,
		                           &d);
		int want = 0;

		for (j = 0; j < i; j++) {
			int64_t dt = times[j] - times[i];
			int dj = story_distance(fps[j], fps[i]);

			if (dj <= max_dist && dt <= window && dt >= -window) {
				want = 1;
				want_id = N - j;
				want_d = dj;
			}
		}
		near += want;
		if (got != want || (want && (id != want_id || d != want_d)))
			wrong++;
		found += got;
		if (story_index_add(idx, N - i, fps[i], times[i]) != STORY_OK)
			wrong++;
	}
	CHECK_INT(wrong, 0,
	          "%d bits: banded index = brute force on %d fingerprints "
	          "(%d of %d found)",
	          max_dist, N, found, near);
	CHECK(near > N / 20, "%d bits: near copies planted (%d)", max_dist,
	      near);
	CHECK_INT(story_index_size(idx), N, "%d bits: size", max_dist);
	story_index_free(idx);
}

static void
test_index(void)
{
	struct story_index *idx = NULL;
	int64_t id = -1;
	int d = -1;
	uint64_t a = UINT64_C(0x0123456789abcdef);

	CHECK_INT(story_index_create(-1, &idx), STORY_ERR_USAGE,
	          "max_dist -1 refused");
	CHECK(idx == NULL, "no index on error");
	CHECK_INT(story_index_create(STORY_DIST_MAX + 1, &idx), STORY_ERR_USAGE,
	          "max_dist too large refused");
	CHECK_STR(story_strerror(STORY_ERR_NOMEM), "out of memory", "strerror");
	story_index_free(NULL);

	CHECK_INT(story_index_create(6, &idx), STORY_OK, "created (6 bits)");
	if (!idx)
		return;
	CHECK(story_index_find(idx, a, 0, STORY_WINDOW, &id, &d) == 0,
	      "empty index: nothing");
	story_index_add(idx, 50, a ^ 0x7, 1000);  /* 3 bits off */
	story_index_add(idx, 20, a ^ 0x7f, 1000); /* 7 bits off */
	story_index_add(idx, 30, a ^ 0x3f, 2000); /* 6 bits off */
	story_index_add(idx, 40, a, 2000);        /* exact */
	CHECK(story_index_find(idx, a, 1500, STORY_WINDOW, &id, &d) == 1 &&
	              id == 30 && d == 6,
	      "lowest id within the distance, not the nearest (%lld, %d)",
	      (long long)id, d);
	CHECK(story_index_find(idx, a, 1000 + STORY_WINDOW + 500, STORY_WINDOW,
	                       &id, &d) == 1 &&
	              id == 30,
	      "window: the older items expired (%lld)", (long long)id);
	CHECK(story_index_find(idx, a, 2000 + STORY_WINDOW + 1, STORY_WINDOW,
	                       &id, &d) == 0,
	      "window: all expired");
	CHECK(story_index_find(idx, a, 2000 - STORY_WINDOW, STORY_WINDOW, &id,
	                       NULL) == 1,
	      "window: the edge is inside; dist may be NULL");
	CHECK(story_index_find(idx, a, INT64_MAX, -1, &id, &d) == 1 && id == 30,
	      "window < 0: any time");
	CHECK(story_index_find(idx, a, INT64_MIN, STORY_WINDOW, &id, &d) == 0,
	      "distant times do not overflow");
	CHECK(story_index_find(idx, ~a, 1000, STORY_WINDOW, &id, &d) == 0,
	      "far fingerprint: nothing");
	story_index_free(idx);

	CHECK_INT(story_index_create(0, &idx), STORY_OK, "exact index");
	if (idx) {
		story_index_add(idx, 1, a, 0);
		CHECK(story_index_find(idx, a ^ 1, 0, -1, &id, &d) == 0 &&
		              story_index_find(idx, a, 0, -1, &id, &d) == 1,
		      "max_dist 0: exact matches only");
		story_index_free(idx);
	}
	test_index_brute(STORY_MAX_DIST);
	test_index_brute(3);
	test_index_brute(12);
}

int
main(void)
{
	test_pairs();
	test_counts();
	test_short();
	test_index();
	return check_done();
}
