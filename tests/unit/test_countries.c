/*
 * test_countries.c - classify_countries() and the gazetteer loader.
 *
 * 1. rules: a small gazetteer written here to a temporary file, one rule
 *    per row (longest match, blocking phrases, weak and context names,
 *    "cap", names in capitals, prefixes, CJK at any character, Katakana
 *    and Hangul word edges, a name with two codes, NFKC, bad UTF-8);
 * 2. headlines in many languages against build/gazetteer.tsv, which
 *    tools/gazetteer.py makes (the Makefile builds it before the units);
 *    skipped, with one passing line that says so, when it is missing;
 * 3. max smaller than the count, the text length, several files, the same
 *    gazetteer from several threads, and loader errors naming file:line.
 *
 * A row's want is the codes in order of first mention, space-separated.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "classify.h"

static char tmpdir[256];

/* clang-format off */
static const char rules_tsv[] =
	"# test gazetteer: one rule per group\n"
	"\n"
	"CN\tChina\tcap\n"
	"CN\tChinese\tcap\n"
	"CN\tBeijing\tcap\t# a trailing comment field\n"
	"CN\t中国\n"
	"CN\tКНР\n"
	"-\tSouth China Sea\n"
	"GE\tGeorgia\tweak,cap\n"
	"US\tGeorgia\tweak,cap\n"
	"GE\tTbilisi\tcap\n"
	"US\tAtlanta\tcontext\n"
	"US\tUS\n"
	"US\tU.S.\n"
	"US\tUnited States\tcap\n"
	"-\tUS$\n"
	"NE\tNiger\tcap\n"
	"NG\tNigeria\tcap\n"
	"GN\tGuinea\tcap\n"
	"GW\tGuinea-Bissau\tcap\n"
	"GQ\tEquatorial Guinea\tcap\n"
	"PG\tPapua New Guinea\tcap\n"
	"-\tguinea pig\n"
	"SD\tSudan\tcap\n"
	"SS\tSouth Sudan\tcap\n"
	"TR\tTurkey\tcap\n"
	"TR\tTürkiye\tcap\n"
	"IT\t意大利\n"
	"IT\tイタリア\n"
	"TH\tタイ\n"
	"KR\t한국\n"
	"CN\t중국\n"
	"CN\t中美\n"
	"US\t中美\n"
	"-\t中美洲\n"
	"RU\tРосси*\tcap\n"
	"RU\tроссийск*\n"
	"RS\tСербия\tcap\n"
	"JO\tJordan\tweak,cap\n"
	"JO\tAmman\tcap\n"
	"-\tMichael Jordan\n"
	"IN\tIndian*\tcap\n"
	"-\tIndiana\n"
	"EG\tمصر\n"
	"MX\tMéxico\tcap\n";

static const struct row {
	const char *text, *want;
} rules[] = {
	/* weak names need a strong name or a context word of their country */
	{ "China and Georgia", "CN" },
	{ "Georgia's parliament in Tbilisi", "GE" },
	{ "Atlanta, Georgia police", "US" },
	{ "Tbilisi, then Atlanta: Georgia", "GE US" },
	{ "Georgia, Tbilisi", "GE" },
	{ "Jordan", "" },
	{ "Michael Jordan in Amman", "JO" },
	{ "Jordan and Amman", "JO" },
	/* blocking phrases cover what is inside */
	{ "South China Sea patrols", "" },
	{ "Chinese ships in the South China Sea", "CN" },
	{ "Indiana police", "" },
	{ "Indian police", "IN" },
	{ "Indians", "IN" },
	{ "a Guinea Pig", "" },
	/* longest match, whole words */
	{ "Niger and Nigeria", "NE NG" },
	{ "Nigerian", "" },
	{ "Papua New Guinea, Guinea-Bissau, Equatorial Guinea and Guinea",
	  "PG GW GQ GN" },
	{ "Guinea Bissau", "GW" },
	{ "South Sudan and Sudan", "SS SD" },
	{ "Papua New\nGuinea", "GN" },
	{ "South | Sudan", "SD" },
	/* case */
	{ "US police help us", "US" },
	{ "us", "" },
	{ "Us", "" },
	{ "U.S. officials", "US" },
	{ "u.s. officials", "" },
	{ "US$5m", "" },
	{ "turkey sandwich", "" },
	{ "Turkey", "TR" },
	{ "TURKEY", "TR" },
	{ "Turkiye", "TR" },
	{ "TÜRKIYE", "TR" },
	{ "Mexico", "MX" },
	{ "КНР", "CN" },
	{ "кнр", "" },
	{ "china", "" },
	{ "\xef\xbc\xa3\xef\xbd\x88\xef\xbd\x89\xef\xbd\x8e\xef\xbd\x81", "CN" },
	/* prefixes: the last word starts with the name */
	{ "в России и Сербии", "RU" },
	{ "Сербия и Россия", "RS RU" },
	{ "российские полицейские", "RU" },
	{ "Рос", "" },
	/* CJK anywhere; Katakana and Hangul at word edges */
	{ "在意大利的中国公民", "IT CN" },
	{ "イタリア人観光客", "IT" },
	{ "イタリアン", "" },
	{ "タイ警察", "TH" },
	{ "タイトル", "" },
	{ "한국과 중국", "KR CN" },
	{ "남중국해", "" },
	{ "中美合作", "CN US" },
	{ "中美洲", "" },
	{ "中 国", "" },
	/* Arabic: marks dropped */
	{ "مِصْر", "EG" },
	/* first mention orders; repeats count once */
	{ "China, US, China", "CN US" },
	{ "Beijing", "CN" },
	/* bad bytes are separators */
	{ "China\xff\xfeUS", "CN US" },
	{ "\xe4\xb8", "" },
	{ "", "" },
};

/* Headlines against build/gazetteer.tsv: iso-codes names, their
 * translations and config/countries.tsv. */
static const struct row heads[] = {
	/* English */
	{ "Chinese police to patrol with Serbian officers in Belgrade", "CN RS" },
	{ "Beijing and Moscow sign policing pact", "CN RU" },
	{ "Georgia's parliament in Tbilisi passes 'foreign agents' law", "GE" },
	{ "Atlanta police say Georgia suspect fled", "US" },
	{ "Niger junta expels French troops as Nigeria watches", "NE FR NG" },
	{ "Papua New Guinea signs security deal with Australia", "PG AU" },
	{ "Guinea-Bissau cocaine seizure tied to Equatorial Guinea network",
	  "GW GQ" },
	{ "Coast guards clash in the South China Sea", "" },
	{ "South Sudan and Sudan agree border policing", "SS SD" },
	{ "DR Congo rebels seize town; Congo-Brazzaville shuts border",
	  "CD CG" },
	{ "Police of the Republic of the Congo", "CG" },
	{ "Dominica passports sold to Dominican Republic smugglers", "DM DO" },
	{ "Turkey's police detain 12 as Thanksgiving turkey prices rise",
	  "TR" },
	{ "US and UK sanction Myanmar scam bosses", "US GB MM" },
	{ "U.S. Justice Department charges 'Fox Hunt' agents", "US" },
	{ "Let us help Laos fight scams, says Chinese envoy", "LA CN" },
	{ "Korean police extradite suspect from Cambodia", "KR KH" },
	{ "North Korea hackers stole $1.5bn, FBI says", "KP US" },
	{ "Michael Jordan sues Chinese sportswear firm", "CN" },
	{ "Jordan's King meets Egyptian president in Amman", "JO EG" },
	{ "Chad Smith named new police chief in Indiana", "" },
	{ "Ivory Coast and Burma added to FATF grey list", "CI MM" },
	{ "Holland and Czechia join Europol task force", "NL CZ" },
	{ "Nigerien troops and Nigerian police meet", "NE NG" },
	{ "New Guinea highlands flooded", "" },
	{ "Macedonia votes", "" },
	{ "Skopje: North Macedonia's police chief resigns", "MK" },
	{ "Sudanese refugees cross into South Sudan", "SD SS" },
	{ "Taiwan and Hong Kong police share data", "TW HK" },
	/* French, Spanish, Italian, German, Portuguese, Dutch */
	{ "La police chinoise en patrouille à Belgrade", "CN RS" },
	{ "Pékin et Moscou renforcent leur coopération policière", "CN RU" },
	{ "Réunion des ministres de l'Intérieur à Bruxelles", "" },
	{ "La Côte d'Ivoire et le Niger signent un accord", "CI NE" },
	{ "La policía china patrulla en Serbia", "CN RS" },
	{ "EE.UU. acusa a cinco chinos de espionaje", "US CN" },
	{ "Guinea Ecuatorial y Guinea-Bisáu refuerzan su cooperación",
	  "GQ GW" },
	{ "Pattuglie miste italo-cinesi a Roma e Milano", "CN IT" },
	{ "In Italia arrestati tre cittadini cinesi", "IT CN" },
	{ "Chinas Polizei eröffnet Büro in Serbien", "CN RS" },
	{ "Razzia in Deutschland: Russische Hacker festgenommen", "DE RU" },
	{ "Polícia Federal e China assinam acordo em Pequim", "BR CN" },
	{ "La Policía Federal Argentina detuvo a un ciudadano chino", "AR CN" },
	{ "A Polícia Federal brasileira e a China assinam acordo em Pequim",
	  "BR CN" },
	{ "Moçambique e Angola reforçam cooperação com a Rússia",
	  "MZ AO RU" },
	{ "Chinese 'politiebureaus' in Nederland gesloten", "CN NL" },
	/* Indonesian: "AS" is the United States */
	{ "Polri dan Kepolisian Tiongkok bahas kerja sama di Jakarta",
	  "ID CN" },
	{ "Buronan asal Rusia ditangkap di Bali, dikirim ke AS",
	  "RU ID US" },
	/* Russian, Ukrainian, Serbian, Croatian: inflected forms */
	{ "Китай и Россия проведут совместные учения", "CN RU" },
	{ "В Сербии задержаны граждане КНР", "RS CN" },
	{ "МВД Казахстана и Киргизии подписали соглашение", "KZ KG" },
	{ "Україна та Польща посилюють прикордонний контроль", "UA PL" },
	{ "Кинеска полиција патролира у Србији", "CN RS" },
	{ "Kineski policajci u Srbiji", "CN RS" },
	/* Chinese, simplified and traditional */
	{ "中国警方在意大利开展联合巡逻", "CN IT" },
	{ "塞尔维亚与中国签署执法合作协议", "RS CN" },
	{ "发展中国家执法国际合作论坛在京举行", "" },
	{ "南海局势与南中国海仲裁案", "" },
	{ "中美执法合作会议在华盛顿举行", "CN US" },
	{ "中国台湾地区警方破获诈骗案", "TW" },
	{ "香港警方与澳门警方联合行动", "HK MO" },
	{ "義大利警方與中國公安聯合巡邏", "IT CN" },
	{ "塞爾維亞與中國警方合作", "RS CN" },
	/* Japanese, Korean */
	{ "中国警察、イタリアで合同パトロール", "CN IT" },
	{ "日米首脳会談、北朝鮮問題で連携", "JP US KP" },
	{ "한국 경찰, 캄보디아에서 중국인 송환", "KR KH CN" },
	{ "남중국해에서 필리핀과 중국 충돌", "PH CN" },
	/* Vietnamese, Thai, Turkish, Arabic, Persian */
	{ "Việt Nam và Trung Quốc hợp tác phòng chống tội phạm", "VN CN" },
	{ "ตำรวจไทยและจีนร่วมลาดตระเวน", "TH CN" },
	{ "Türkiye ile Çin arasında iade anlaşması", "TR CN" },
	{ "الصين والولايات المتحدة توقعان اتفاقا أمنيا", "CN US" },
	{ "تعاون أمني بين مصر وروسيا", "EG RU" },
	{ "همکاری پلیس ایران و چین", "IR CN" },
	/* Polish, Czech, Romanian, Hungarian, Greek, Swedish */
	{ "Chińska policja w Polsce? MSWiA zaprzecza", "CN PL" },
	{ "Čínská policie v Česku", "CN CZ" },
	{ "România și China semnează un acord de cooperare polițienească",
	  "RO CN" },
	{ "Kínai rendőrök járőröznek Magyarországon", "CN HU" },
	{ "Συνεργασία Ελλάδας και Κίνας στην αστυνόμευση", "GR CN" },
	{ "Kinas polis öppnar kontor i Sverige", "CN SE" },
};
/* clang-format on */

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

static void
join(char (*codes)[3], size_t n, char *out, size_t outsz)
{
	size_t i, k = 0;

	out[0] = '\0';
	for (i = 0; i < n && k + 4 < outsz; i++)
		k += (size_t)snprintf(out + k, outsz - k, "%s%s", i ? " " : "",
		                      codes[i]);
}

static void
got_codes(const struct classify_gazetteer *g, const char *text, char *out,
          size_t outsz)
{
	char codes[32][3];
	size_t n = classify_countries(g, text, strlen(text), codes, 32);

	join(codes, n < 32 ? n : 32, out, outsz);
}

static void
run_rows(const struct classify_gazetteer *g, const char *set,
         const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char got[256];

		got_codes(g, rows[i].text, got, sizeof(got));
		CHECK_STR(got, rows[i].want, "%s: %s", set, rows[i].text);
	}
}

static void
write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(data, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

static struct classify_gazetteer *
load(const char *path)
{
	struct classify_gazetteer *g = NULL;
	char err[512] = "";
	int rc = classify_gazetteer_load(&path, 1, &g, err, sizeof(err));

	CHECK(rc == CLASSIFY_OK && g, "load '%s'", path);
	if (rc != CLASSIFY_OK)
		printf("#   %s\n", err);
	return g;
}

/* ------------------------------------------------- max, len, files */

static void
test_limits(const struct classify_gazetteer *g)
{
	char codes[4][3];
	const char *text = "China, US and Nigeria";
	char buf[8];
	size_t n;

	memset(codes, 'x', sizeof(codes));
	n = classify_countries(g, text, strlen(text), codes, 2);
	CHECK_INT(n, 3, "max 2: returns the count found");
	CHECK_STR(codes[0], "CN", "max 2: first code");
	CHECK_STR(codes[1], "US", "max 2: second code");
	CHECK(codes[2][0] == 'x' && codes[2][1] == 'x',
	      "max 2: nothing written past max");
	n = classify_countries(g, text, strlen(text), NULL, 0);
	CHECK_INT(n, 3, "max 0: counts, writes nothing");

	/* len, not NUL, ends the text */
	n = classify_countries(g, text, 5, codes, 4);
	CHECK(n == 1 && strcmp(codes[0], "CN") == 0, "len 5: only 'China'");
	memcpy(buf, "ChinaUS!", 8); /* no NUL */
	n = classify_countries(g, buf, 5, codes, 4);
	CHECK(n == 1 && strcmp(codes[0], "CN") == 0, "text without NUL");
	CHECK_INT(classify_countries(g, NULL, 3, codes, 4), 0, "NULL text");
	CHECK_INT(classify_countries(NULL, text, 3, codes, 4), 0,
	          "NULL gazetteer");
}

/* a long text: the ring of tokens wraps many times */
static void
test_long(const struct classify_gazetteer *g)
{
	size_t sz = 200000, k = 0, n;
	char *text = malloc(sz + 64), codes[8][3], got[64];

	if (!text)
		exit(1);
	while (k < sz) {
		memcpy(text + k, "police of the city ", 19);
		k += 19;
	}
	memcpy(text + k, "Papua New Guinea", 16);
	k += 16;
	n = classify_countries(g, text, k, codes, 8);
	join(codes, n, got, sizeof(got));
	CHECK_STR(got, "PG", "200 kB of text, then a name");
	free(text);
}

static void
test_two_files(const char *rules_path)
{
	char path2[512], got[64];
	const char *paths[2];
	struct classify_gazetteer *g = NULL;
	char err[512] = "";

	snprintf(path2, sizeof(path2), "%s/more.tsv", tmpdir);
	write_file(path2, "FR\tFrance\n-\tChina\n");
	paths[0] = rules_path;
	paths[1] = path2;
	CHECK(classify_gazetteer_load(paths, 2, &g, err, sizeof(err)) ==
	              CLASSIFY_OK,
	      "two files load");
	if (!g)
		return;
	got_codes(g, "France and Nigeria", got, sizeof(got));
	CHECK_STR(got, "FR NG", "the second file adds names");
	got_codes(g, "China", got, sizeof(got));
	CHECK_STR(got, "", "a blocking phrase wins over the same name");
	classify_gazetteer_free(g);
	unlink(path2);
}

/* Random byte soup (ASCII, pieces of CJK, Cyrillic, Arabic, bad bytes):
 * every code reported is two capitals, whatever comes in.  The sanitizer
 * build runs this too. */
static void
test_random(const struct classify_gazetteer *g, const char *set)
{
	/* clang-format off */
	static const char *const bits[] = {
		"a", "Z", " ", "\n", "$", "'", "-", "*", "\t", "US", "China",
		"Guinea", "South", "\xff", "\xc3", "\xa9", "\xe4", "\xb8\xad",
		"中", "国", "美", "イ", "タ", "ー", "한", "국", "Росси", "я",
		"ال", "\xcc\x81", "\xef\xbc\xa3", "\xf0\x9f\x98\x80",
	};
	/* clang-format on */
	unsigned long x = 88172645463325252UL;
	int i, bad = 0;

	for (i = 0; i < 3000; i++) {
		char text[1200], codes[16][3];
		size_t len = 0, n, k;
		int parts;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		parts = (int)(x % 120);
		while (parts-- > 0) {
			const char *b;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b = bits[x % (sizeof(bits) / sizeof(bits[0]))];
			if (len + strlen(b) >= sizeof(text))
				break;
			memcpy(text + len, b, strlen(b));
			len += strlen(b);
		}
		n = classify_countries(g, text, len, codes, 16);
		for (k = 0; k < n && k < 16; k++)
			if (codes[k][0] < 'A' || codes[k][0] > 'Z' ||
			    codes[k][1] < 'A' || codes[k][1] > 'Z' ||
			    codes[k][2])
				bad++;
	}
	CHECK_INT(bad, 0, "%s: 3000 random texts give well-formed codes", set);
}

/* -------------------------------------------------------- threads */

struct worker {
	const struct classify_gazetteer *g;
	const struct row *rows;
	size_t nrows;
	int bad;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	int round;
	size_t i;

	for (round = 0; round < 20; round++)
		for (i = 0; i < w->nrows; i++) {
			char got[256];

			got_codes(w->g, w->rows[i].text, got, sizeof(got));
			if (strcmp(got, w->rows[i].want) != 0)
				w->bad++;
		}
	return NULL;
}

static void
test_threads(const struct classify_gazetteer *g, const struct row *rows,
             size_t n)
{
	pthread_t th[4];
	struct worker w[4];
	int i, started = 0, bad = 0;

	for (i = 0; i < 4; i++) {
		w[i].g = g;
		w[i].rows = rows;
		w[i].nrows = n;
		w[i].bad = 0;
		if (pthread_create(&th[i], NULL, work, &w[i]) == 0)
			started++;
		else
			break;
	}
	for (i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
	}
	CHECK(started == 4 && bad == 0,
	      "4 threads share one gazetteer (%d wrong)", bad);
}

/* --------------------------------------------------------- errors */

static void
load_error(const char *name, const char *data, int want_rc,
           const char *want_msg)
{
	char path[512], msg[640], err[512] = "";
	struct classify_gazetteer *g = (struct classify_gazetteer *)&g;
	const char *p = path;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.tsv", tmpdir, name);
	write_file(path, data);
	rc = classify_gazetteer_load(&p, 1, &g, err, sizeof(err));
	CHECK(rc == want_rc && g == NULL, "%s: error %d (got %d), *out NULL",
	      name, want_rc, rc);
	snprintf(msg, sizeof(msg), "gazetteer '%s': %s", path, want_msg);
	if (!CHECK(strcmp(err, msg) == 0, "%s: message", name)) {
		check_show("got ", err);
		check_show("want", msg);
	}
	unlink(path);
}

static void
test_errors(void)
{
	char path[512], err[512] = "", want[640];
	struct classify_gazetteer *g = NULL;
	const char *p = path;

	load_error("badcode", "# ok\nUS\tUnited States\nusa\tUnited States\n",
	           CLASSIFY_ERR_CORRUPT, "line 3: bad country code 'usa'");
	load_error("badcode2", "U1\tUnited\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: bad country code 'U1'");
	load_error("notab", "\nCN\tChina\nUS United States\n",
	           CLASSIFY_ERR_CORRUPT,
	           "line 3: missing tab after the country code");
	load_error("badflag", "CN\tChina\tstrong\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: unknown flag 'strong'");
	load_error("weakblock", "-\tChina Sea\tweak\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: flag 'weak' on a blocking phrase");
	load_error("noname", "CN\t...\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: name without letters");
	load_error("shortprefix", "CN\tchi*\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: '*' needs a word of 4 letters or more");
	load_error("star", "CN\tch*na\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: '*' only ends a name");
	load_error("utf8", "CN\tChin\xe4\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: invalid UTF-8 in the name");
	load_error("fields", "CN\tChina\tcap\textra\n", CLASSIFY_ERR_CORRUPT,
	           "line 1: more than three fields");

	snprintf(path, sizeof(path), "%s/missing.tsv", tmpdir);
	CHECK(classify_gazetteer_load(&p, 1, &g, err, sizeof(err)) ==
	                      CLASSIFY_ERR_IO &&
	              !g,
	      "missing file: CLASSIFY_ERR_IO");
	snprintf(want, sizeof(want), "cannot open gazetteer '%s'", path);
	CHECK(strncmp(err, want, strlen(want)) == 0,
	      "missing file: message names it");
	CHECK(classify_gazetteer_load(NULL, 0, &g, err, sizeof(err)) ==
	              CLASSIFY_ERR_USAGE,
	      "no file: CLASSIFY_ERR_USAGE");
	classify_gazetteer_free(NULL);
	CHECK(1, "classify_gazetteer_free(NULL)");
}

int
main(void)
{
	const char *src = getenv("PCMON_SRC"), *tmp = getenv("TMPDIR");
	char rules_path[512], built[1024];
	struct classify_gazetteer *g;

	snprintf(tmpdir, sizeof(tmpdir), "%s/pcmon-countries-XXXXXX",
	         tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(rules_path, sizeof(rules_path), "%s/rules.tsv", tmpdir);
	write_file(rules_path, rules_tsv);

	g = load(rules_path);
	if (g) {
		run_rows(g, "rules", rules, NROWS(rules));
		test_limits(g);
		test_long(g);
		test_random(g, "rules");
		test_threads(g, rules, NROWS(rules));
		classify_gazetteer_free(g);
	}
	test_two_files(rules_path);
	test_errors();
	unlink(rules_path);

	snprintf(built, sizeof(built), "%s/build/gazetteer.tsv",
	         src ? src : ".");
	if (access(built, R_OK) != 0) {
		printf("ok %d - # SKIP %s missing (python3 tools/gazetteer.py "
		       "> build/gazetteer.tsv): %zu headlines not run\n",
		       ++check_n, built, NROWS(heads));
	} else if ((g = load(built)) != NULL) {
		run_rows(g, "headline", heads, NROWS(heads));
		test_random(g, "headline");
		test_threads(g, heads, NROWS(heads));
		classify_gazetteer_free(g);
	}
	rmdir(tmpdir);
	return check_done();
}
