/*
 * stopwords.c - the stop-word lists of classify_tokenize(), one per language.
 *
 * Compact lists of the commonest function words, written for pcmon (not copied
 * from another list), already case-folded and NFC as the tokenizer produces
 * them: "dass" not "daß".  English negations appear joined ("dont"), as the
 * tokenizer joins them.  Chinese holds characters and two-character words
 * (simplified and traditional), matched against CJK unigrams and bigrams.
 *
 * Generated once by a script, kept by hand since: each array must stay sorted
 * by bytes (memcmp order, searched with bsearch()) and free of duplicates;
 * test_tokenize checks both.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* sorted by bytes: searched with bsearch() */
static const char *const stop_en[] = {
	"a",        "about",   "above",  "after",   "again",     "against",
	"all",      "also",    "am",     "an",      "and",       "any",
	"are",      "arent",   "as",     "at",      "be",        "because",
	"been",     "before",  "being",  "below",   "between",   "both",
	"but",      "by",      "can",    "cant",    "could",     "couldnt",
	"did",      "didnt",   "do",     "does",    "doesnt",    "doing",
	"dont",     "down",    "during", "each",    "few",       "for",
	"from",     "further", "had",    "hadnt",   "has",       "hasnt",
	"have",     "havent",  "having", "he",      "her",       "here",
	"hers",     "herself", "him",    "himself", "his",       "how",
	"i",        "if",      "in",     "into",    "is",        "isnt",
	"it",       "its",     "itself", "just",    "me",        "more",
	"most",     "my",      "myself", "no",      "nor",       "not",
	"now",      "of",      "off",    "on",      "once",      "only",
	"or",       "other",   "our",    "ours",    "ourselves", "out",
	"over",     "own",     "s",      "same",    "she",       "should",
	"shouldnt", "so",      "some",   "such",    "t",         "than",
	"that",     "the",     "their",  "theirs",  "them",      "themselves",
	"then",     "there",   "these",  "they",    "this",      "those",
	"through",  "to",      "too",    "under",   "until",     "up",
	"very",     "was",     "wasnt",  "we",      "were",      "werent",
	"what",     "when",    "where",  "which",   "while",     "who",
	"whom",     "why",     "will",   "with",    "wont",      "would",
	"wouldnt",  "you",     "your",   "yours",   "yourself",  "yourselves",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_fr[] = {
	"ai",     "ainsi",  "alors",   "après", "as",     "au",     "aussi",
	"aux",    "avait",  "avant",   "avec",  "avez",   "avons",  "c",
	"car",    "ce",     "celle",   "celui", "ces",    "cet",    "cette",
	"ceux",   "chez",   "comme",   "d",     "dans",   "de",     "depuis",
	"des",    "donc",   "dont",    "du",    "elle",   "elles",  "en",
	"encore", "entre",  "es",      "est",   "et",     "eu",     "eux",
	"il",     "ils",    "j",       "je",    "l",      "la",     "le",
	"les",    "leur",   "leurs",   "lors",  "lui",    "m",      "ma",
	"mais",   "me",     "mes",     "moi",   "mon",    "même",   "n",
	"ne",     "ni",     "nos",     "notre", "nous",   "on",     "ont",
	"ou",     "où",     "par",     "pas",   "plus",   "pour",   "puis",
	"qu",     "que",    "qui",     "s",     "sa",     "sans",   "se",
	"sera",   "seront", "ses",     "si",    "sommes", "son",    "sont",
	"sous",   "suis",   "sur",     "t",     "ta",     "te",     "tes",
	"toi",    "ton",    "tous",    "tout",  "toute",  "toutes", "tu",
	"un",     "une",    "vers",    "vos",   "votre",  "vous",   "y",
	"à",      "ça",     "étaient", "était", "été",    "êtes",   "être",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_es[] = {
	"a",       "al",    "algo",    "algunas", "algunos", "ante",
	"antes",   "bien",  "como",    "con",     "contra",  "cual",
	"cuando",  "de",    "del",     "desde",   "dijo",    "donde",
	"durante", "e",     "el",      "ella",    "ellas",   "ellos",
	"en",      "entre", "era",     "eran",    "es",      "esa",
	"esas",    "ese",   "eso",     "esos",    "esta",    "estaba",
	"estado",  "estar", "este",    "esto",    "estos",   "está",
	"están",   "fue",   "fueron",  "ha",      "había",   "han",
	"hasta",   "hay",   "la",      "las",     "le",      "les",
	"lo",      "los",   "me",      "mi",      "mis",     "mucho",
	"muy",     "más",   "ni",      "no",      "nos",     "nosotros",
	"o",       "os",    "otra",    "otras",   "otro",    "otros",
	"para",    "pero",  "poco",    "por",     "porque",  "que",
	"quien",   "qué",   "se",      "sea",     "ser",     "será",
	"si",      "sido",  "sin",     "sobre",   "son",     "su",
	"sus",     "sí",    "también", "tanto",   "te",      "tiene",
	"tienen",  "todo",  "todos",   "tu",      "tus",     "un",
	"una",     "unas",  "uno",     "unos",    "y",       "ya",
	"yo",      "él",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_it[] = {
	"a",      "ad",     "agli",   "ai",     "al",     "all",    "alla",
	"alle",   "anche",  "ancora", "c",      "che",    "chi",    "ci",
	"come",   "con",    "contro", "cui",    "da",     "dagli",  "dai",
	"dal",    "dalla",  "dalle",  "degli",  "dei",    "del",    "dell",
	"della",  "delle",  "di",     "dopo",   "dove",   "e",      "ed",
	"era",    "erano",  "essere", "fa",     "fra",    "già",    "gli",
	"ha",     "hanno",  "ho",     "i",      "il",     "in",     "io",
	"la",     "le",     "lei",    "li",     "lo",     "loro",   "lui",
	"ma",     "mi",     "ne",     "negli",  "nei",    "nel",    "nell",
	"nella",  "nelle",  "noi",    "non",    "o",      "per",    "perché",
	"più",    "quale",  "quando", "quella", "quelle", "quelli", "quello",
	"questa", "queste", "questi", "questo", "se",     "sei",    "si",
	"sia",    "siamo",  "sono",   "stata",  "stati",  "stato",  "su",
	"sua",    "sue",    "sui",    "sul",    "sull",   "sulla",  "suo",
	"suoi",   "tra",    "tu",     "un",     "una",    "uno",    "vi",
	"voi",    "è",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_de[] = {
	"aber",   "alle",    "allem",  "allen",  "aller", "alles",  "als",
	"also",   "am",      "an",     "andere", "auch",  "auf",    "aus",
	"bei",    "bin",     "bis",    "bist",   "da",    "damit",  "dann",
	"das",    "dass",    "dem",    "den",    "der",   "des",    "dich",
	"die",    "dir",     "doch",   "dort",   "du",    "durch",  "ein",
	"eine",   "einem",   "einen",  "einer",  "eines", "er",     "es",
	"etwas",  "euch",    "für",    "gegen",  "hat",   "hatte",  "hatten",
	"hier",   "ich",     "ihm",    "ihn",    "ihnen", "ihr",    "ihre",
	"im",     "in",      "ist",    "ja",     "jede",  "jedem",  "jeden",
	"jeder",  "jedes",   "jetzt",  "kann",   "kein",  "keine",  "können",
	"man",    "mich",    "mir",    "mit",    "muss",  "nach",   "nicht",
	"noch",   "nun",     "nur",    "ob",     "oder",  "ohne",   "sehr",
	"sein",   "seine",   "seit",   "sich",   "sie",   "sind",   "so",
	"soll",   "sollte",  "sowie",  "um",     "und",   "uns",    "unter",
	"vom",    "von",     "vor",    "war",    "waren", "was",    "weil",
	"welche", "welcher", "wenn",   "werden", "wie",   "wieder", "wir",
	"wird",   "wurde",   "wurden", "zu",     "zum",   "zur",    "zwischen",
	"über",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_pt[] = {
	"a",     "ao",     "aos",  "as",     "até",   "com",   "como",  "da",
	"das",   "de",     "dela", "dele",   "deles", "disse", "do",    "dos",
	"e",     "ela",    "elas", "ele",    "eles",  "em",    "entre", "era",
	"essa",  "essas",  "esse", "esses",  "esta",  "estas", "este",  "estes",
	"está",  "estão",  "eu",   "foi",    "foram", "há",    "isso",  "isto",
	"já",    "lhe",    "lhes", "mais",   "mas",   "me",    "mesmo", "meu",
	"minha", "muito",  "na",   "nas",    "nem",   "no",    "nos",   "não",
	"nós",   "o",      "os",   "ou",     "para",  "pela",  "pelas", "pelo",
	"pelos", "por",    "qual", "quando", "que",   "quem",  "se",    "seja",
	"sem",   "ser",    "seu",  "seus",   "sobre", "sua",   "suas",  "são",
	"só",    "também", "te",   "tem",    "ter",   "tinha", "têm",   "um",
	"uma",   "umas",   "uns",  "você",   "à",     "às",    "é",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_nl[] = {
	"aan",  "al",     "alle",   "als",   "bij",   "daar",   "dan",
	"dat",  "de",     "der",    "deze",  "die",   "dit",    "doch",
	"door", "dus",    "een",    "en",    "er",    "geen",   "had",
	"heb",  "hebben", "heeft",  "hem",   "het",   "hier",   "hij",
	"hoe",  "hun",    "iets",   "ik",    "in",    "is",     "ja",
	"je",   "kan",    "kon",    "maar",  "me",    "meer",   "men",
	"met",  "mij",    "mijn",   "na",    "naar",  "niet",   "niets",
	"nog",  "nu",     "of",     "om",    "omdat", "ons",    "ook",
	"op",   "over",   "reeds",  "te",    "tegen", "toch",   "toen",
	"tot",  "u",      "uit",    "uw",    "van",   "veel",   "voor",
	"was",  "wat",    "we",     "wel",   "werd",  "wezen",  "wie",
	"wij",  "wil",    "worden", "wordt", "zal",   "ze",     "zei",
	"zelf", "zich",   "zij",    "zijn",  "zo",    "zonder", "zou",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_id[] = {
	"ada",    "adalah",   "agar",     "akan",    "aku",     "anda",
	"antara", "apa",      "atas",     "atau",    "bagi",    "bahwa",
	"banyak", "belum",    "bisa",     "bukan",   "dalam",   "dan",
	"dapat",  "dari",     "demikian", "dengan",  "di",      "dia",
	"hanya",  "harus",    "hingga",   "ia",      "ini",     "itu",
	"jadi",   "jika",     "juga",     "kami",    "kamu",    "karena",
	"ke",     "kepada",   "ketika",   "kita",    "lagi",    "lain",
	"lebih",  "maka",     "masih",    "mereka",  "namun",   "oleh",
	"pada",   "para",     "per",      "pun",     "saat",    "saja",
	"sampai", "sangat",   "saya",     "sebagai", "sebelum", "sedang",
	"sejak",  "sekarang", "selama",   "seperti", "serta",   "setelah",
	"sudah",  "tak",      "tapi",     "telah",   "tentang", "tersebut",
	"tetapi", "tidak",    "untuk",    "yaitu",   "yang",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_ru[] = {
	"а",      "без",   "более", "бы",   "был",  "была", "были",  "было",
	"быть",   "в",     "вам",   "вас",  "весь", "во",   "вот",   "все",
	"всего",  "всё",   "вы",    "где",  "да",   "даже", "для",   "до",
	"его",    "ее",    "если",  "есть", "еще",  "ещё",  "её",    "же",
	"за",     "здесь", "и",     "из",   "или",  "им",   "их",    "к",
	"как",    "ко",    "когда", "кто",  "ли",   "либо", "мне",   "может",
	"мы",     "на",    "над",   "надо", "наш",  "не",   "него",  "нее",
	"нет",    "неё",   "ни",    "них",  "но",   "ну",   "о",     "об",
	"однако", "он",    "она",   "они",  "оно",  "от",   "очень", "по",
	"под",    "после", "при",   "про",  "с",    "со",   "так",   "также",
	"такой",  "там",   "те",    "тем",  "то",   "того", "тоже",  "той",
	"только", "том",   "ты",    "у",    "уже",  "хотя", "чего",  "чей",
	"чем",    "что",   "чтобы", "эта",  "эти",  "это",  "этот",  "я",
};

/* sorted by bytes: searched with bsearch() */
static const char *const stop_zh[] = {
	"一个", "不",   "与",   "个",   "为", "之",   "也",   "了",   "于",
	"从",   "他",   "他们", "他們", "以", "们",   "会",   "但",   "但是",
	"你",   "你们", "你們", "個",   "其", "到",   "又",   "及",   "可以",
	"吗",   "吧",   "呢",   "和",   "啊", "嗎",   "因为", "因為", "在",
	"她",   "她们", "如果", "它",   "对", "将",   "對",   "就",   "已",
	"已經", "已经", "并",   "從",   "我", "我们", "我們", "或",   "所以",
	"把",   "於",   "是",   "會",   "有", "為",   "的",   "着",   "等",
	"而",   "與",   "虽然", "被",   "要", "过",   "还",   "这",   "这个",
	"这些", "這",   "這些", "這個", "過", "還",   "那",   "那个", "那些",
	"那個", "都",   "雖然",
};

#define LIST(c)                                                                \
	{                                                                      \
#c, stop_##c, sizeof(stop_##c) / sizeof(stop_##c[0])           \
	}

static const struct {
	const char *code;
	const char *const *words;
	size_t n;
} lists[] = {
	LIST(en), LIST(fr), LIST(es), LIST(it), LIST(de),
	LIST(pt), LIST(nl), LIST(id), LIST(ru), LIST(zh),
};

/* The list of the ISO 639-1 code, NULL when there is none. */
const char *const *
stopwords_get(const char *code, size_t *n)
{
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (strcmp(lists[i].code, code) == 0) {
			*n = lists[i].n;
			return lists[i].words;
		}
	}
	*n = 0;
	return NULL;
}
