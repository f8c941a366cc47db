/*
 * langid.c - classify_langid(): the language of a title and lead.
 *
 * One pass over the text, no allocation.  Every letter is counted under
 * its script (code point ranges, letters by utf8proc category); Latin and
 * Cyrillic letters also build words, lowercased per code point into a
 * stack buffer.  At the end the script with the most letters decides
 * (a Han, Kana or Hangul character weighs as much as 3 or 2 letters, as
 * it carries a word or a syllable):
 *
 *   - scripts of one language: Hangul ko, Thai th, Greek el, Hebrew he ...
 *   - Han and Kana together: ja when kana are a real share, else zh;
 *   - Arabic script: ur, ps, ku, fa or ar by the letters only they use;
 *   - Latin and Cyrillic: voting.  Each language lists its commonest
 *     function words (written for pcmon); a word in k lists adds 1/k to
 *     each of them.  Letters only some languages use (ñ ß ğ ř ő ș ø ї ђ
 *     ...) and typical endings (-ção, -ului, -ssä) add less; a few word
 *     beginnings tell Serbian from Croatian (predsednik/predsjednik).  The
 *     best language wins if it reached MIN_SCORE (or, in a text of a few
 *     words, LEAD_SCORE and twice the runner-up); Cyrillic text without
 *     evidence for another language is ru.
 *
 * When the dominant script gives no answer (a Latin brand name in a
 * Chinese headline outweighing it by letters), the runner-up script
 * decides if it has enough letters and half the weight of the first.
 *
 * Close pairs: Serbian Latin is returned only on Serbian markers (ekavian
 * forms, Serbian words), otherwise hr; Malay only on Malay spellings
 * (kerana, bahawa, polis ...), otherwise id; ties between Danish and
 * Norwegian go to da.  Devanagari is always hi.  Input is expected in NFC
 * (as pcmon stores it); decomposed accents still count as letters but
 * match fewer words.
 *
 * Only the first TEXT_MAX bytes are read.  The word table is a fixed
 * open-addressing hash built once (call_once); after that everything here
 * is read-only, so the function is thread-safe.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <utf8proc.h>

#include "classify.h"

#define TEXT_MAX   65536 /* bytes read; a title and lead are far shorter */
#define WORD_MAX   24    /* longer words are skipped: names, compounds */
#define MIN_SCORE  1.5f  /* best Latin/Cyrillic score needed to answer */
#define LEAD_SCORE 1.0f  /* ... or this much and LEAD times the runner-up */
#define LEAD       2.0f
#define LEAD_WORDS 4
#define MIN_LETTER 8    /* weighted letters a script needs to answer */
#define CYR_MIN    1.0f /* a Cyrillic language other than ru needs this */
#define SUFFIX_W   0.5f /* what an ending weighs; a word weighs 1 */
#define SUFFIX_MIN 6    /* bytes a word needs for its ending to count */
#define HT_SIZE    8192 /* word table slots, power of two */
#define PX_BITS    1024 /* prefix-marker filter, power of two */

/* ----------------------------------------------------------- languages */

/* clang-format off */
enum lang {
	/* Latin script; in ties the earlier wins */
	EN, FR, ES, IT, DE, PT, NL, CA, RO, ID, MS, TL, VI, TR, PL, CS, SK,
	HU, SV, DA, NO, FI, HR, SRL, SL, SW,
	/* Cyrillic script */
	RU, UK, BE, BG, SRC, MK, KK, MN,
	NLANG
};
/* clang-format on */

#define FIRST_LATIN 0
#define FIRST_CYRL  RU

static const char *const lang_code[NLANG] = {
	"en", "fr", "es", "it", "de", "pt", "nl", "ca", "ro", "id", "ms", "tl",
	"vi", "tr", "pl", "cs", "sk", "hu", "sv", "da", "no", "fi", "hr", "sr",
	"sl", "sw", "ru", "uk", "be", "bg", "sr", "mk", "kk", "mn",
};

#define M(l) ((uint64_t)1 << (l))

/* ------------------------------------------------------ function words */

/*
 * Lower case, NFC.  An entry ending in an apostrophe is an elided article
 * or preposition ("l'"), one starting with it a suffix ("'s", Turkish case
 * endings after names); both are looked up when a word holds an
 * apostrophe.  A word may appear in several lists: it is then shared.
 */
/* clang-format off */
static const char *const w_en[] = {
	"the", "of", "and", "to", "in", "a", "an", "is", "are", "was", "were",
	"be", "been", "has", "have", "had", "it", "its", "his", "her",
	"their", "they", "he", "she", "we", "you", "that", "this", "these",
	"those", "which", "who", "what", "when", "where", "will", "would",
	"can", "could", "should", "not", "but", "or", "as", "at", "by",
	"for", "from", "with", "on", "into", "over", "after", "about",
	"than", "also", "says", "said", "new", "more", "up", "out", "amid",
	"against", "under", "while", "two", "first", "there", "'s", "'t",
	"how", "why", "other", "all", "being", "since", "during",
	"between", "before", "through", "our", "them", "some", "now",
};

static const char *const w_fr[] = {
	"le", "la", "les", "l'", "de", "des", "du", "d'", "et", "en", "un",
	"une", "à", "au", "aux", "pour", "par", "sur", "dans", "avec", "est",
	"sont", "qui", "que", "qu'", "ne", "n'", "pas", "plus", "ce", "cette",
	"ces", "cet", "il", "elle", "ils", "elles", "son", "sa", "ses",
	"leur", "leurs", "a", "ont", "été", "être", "mais", "ou", "où",
	"après", "selon", "entre", "contre", "depuis", "lors", "sans",
	"aussi", "comme", "tout", "tous", "nous", "vous", "se", "s'", "c'",
	"j'", "y", "avait", "était", "fait", "deux", "chez", "dont", "même",
	"encore", "avant", "très", "déjà", "ainsi", "sous", "jusqu'",
	"lorsqu'", "puisqu'",
};

static const char *const w_es[] = {
	"el", "la", "los", "las", "lo", "de", "del", "al", "a", "en", "y",
	"e", "o", "u", "un", "una", "unos", "unas", "que", "es", "son",
	"fue", "fueron", "ha", "han", "para", "por", "con", "sin", "sobre",
	"entre", "desde", "hasta", "según", "tras", "contra", "su", "sus",
	"se", "le", "les", "más", "también", "pero", "como", "cuando",
	"donde", "muy", "ya", "este", "esta", "estos", "estas", "ese", "esa",
	"eso", "ser", "está", "están", "dijo", "no", "hay", "sido",
	"durante", "tiene", "otro", "otros", "otra", "después", "así",
	"dos", "ante", "mientras", "aunque",
};

static const char *const w_it[] = {
	"il", "lo", "la", "i", "gli", "le", "l'", "di", "del", "dello",
	"della", "dei", "degli", "delle", "d'", "da", "dal", "dalla", "dai",
	"dalle", "dall'", "a", "al", "alla", "ai", "alle", "all'", "in",
	"nel", "nella", "nei", "negli", "nelle", "nell'", "su", "sul",
	"sulla", "sui", "sull'", "con", "per", "tra", "fra", "che", "e",
	"ed", "è", "un", "una", "uno", "un'", "non", "si", "ha", "hanno",
	"sono", "come", "più", "ma", "anche", "dopo", "questo", "questa",
	"questi", "stato", "stata", "essere", "suo", "sua", "loro",
	"quando", "dove", "ancora", "già", "contro", "cui", "secondo",
	"oltre", "ad", "o", "dell'", "perché", "nuovo",
};

static const char *const w_pt[] = {
	"o", "os", "a", "as", "do", "da", "dos", "das", "no", "na", "nos",
	"nas", "em", "um", "uma", "uns", "umas", "é", "e", "que", "com",
	"não", "para", "por", "pelo", "pela", "pelos", "pelas", "ao", "aos",
	"à", "às", "mais", "foi", "foram", "como", "se", "seu", "sua",
	"seus", "suas", "também", "são", "está", "estão", "ser", "já",
	"entre", "sobre", "após", "até", "ainda", "quando", "onde", "disse",
	"ter", "tem", "essa", "esse", "este", "esta", "isso", "muito",
	"depois", "segundo", "contra", "num", "numa", "nesta", "neste",
	"desta", "deste", "dessa", "desse", "pois", "porque", "durante",
	"dois", "duas", "enquanto",
};

static const char *const w_de[] = {
	"der", "die", "das", "und", "in", "den", "von", "zu", "mit", "sich",
	"des", "auf", "für", "ist", "im", "dem", "nicht", "ein", "eine",
	"als", "auch", "es", "an", "er", "sie", "hat", "aus", "bei", "nach",
	"wird", "einen", "einer", "um", "am", "sind", "noch", "wie",
	"einem", "über", "so", "zum", "zur", "war", "haben", "nur", "oder",
	"aber", "vor", "bis", "mehr", "durch", "man", "seit", "gegen",
	"werden", "wurde", "soll", "sei", "dass", "unter", "beim", "vom",
	"ihre", "ihr", "sein", "seine", "hatte", "wurden", "sowie", "kann",
	"zwei", "eines", "laut", "nun",
};

static const char *const w_nl[] = {
	"de", "het", "een", "en", "van", "in", "is", "op", "te", "dat",
	"die", "voor", "met", "zijn", "niet", "aan", "er", "om", "ook",
	"als", "bij", "door", "naar", "maar", "uit", "over", "nog", "wordt",
	"werd", "heeft", "hebben", "tot", "na", "dan", "of", "deze", "dit",
	"wel", "geen", "hij", "zij", "ze", "meer", "worden", "tegen",
	"onder", "volgens", "zo", "zich", "kan", "moet", "nu", "al", "'s",
	"'t", "twee", "werden", "hun", "haar", "wat", "wie", "waar", "toen",
	"ik", "nieuwe",
};

static const char *const w_ca[] = {
	"el", "la", "els", "les", "l'", "de", "del", "dels", "d'", "i", "a",
	"al", "als", "en", "amb", "per", "que", "és", "un", "una", "uns",
	"unes", "no", "es", "ha", "han", "va", "van", "seu", "seva", "seus",
	"seves", "aquest", "aquesta", "aquests", "també", "més", "però",
	"perquè", "quan", "on", "entre", "sobre", "fins", "des", "hi", "ho",
	"com", "pel", "pels", "segons", "després", "mitjançant", "contra",
	"tot", "molt", "així", "sense", "ja", "dues", "s'", "n'", "li",
	"són", "havia",
};

static const char *const w_ro[] = {
	"și", "şi", "si", "în", "de", "la", "cu", "pe", "a", "al", "ale",
	"care", "că", "nu", "o", "un", "unei", "unui", "este", "sunt",
	"fost", "din", "pentru", "mai", "prin", "după", "sau", "dar", "iar",
	"fi", "se", "au", "lui", "ei", "acest", "această", "aceste",
	"către", "despre", "între", "până", "fără", "peste", "doar", "cel",
	"cea", "cei", "cele", "s-a", "ca", "fiind", "într", "dintre",
};

/* Indonesian and Malay share most function words */
static const char *const w_idms[] = {
	"yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk",
	"pada", "dalam", "tidak", "akan", "oleh", "juga", "ada", "adalah",
	"atau", "telah", "sudah", "mereka", "kami", "kita", "saat", "hingga",
	"sebagai", "antara", "serta", "para", "tersebut", "lebih", "sejak",
	"belum", "namun", "menjadi", "secara", "seperti", "masih", "harus",
	"kepada", "bagi", "tak", "pun", "terhadap", "sebuah", "sejumlah",
	"dia", "ia", "beliau", "tetapi", "bersama", "kerja", "sama",
	"pihak", "mengenai", "dapat", "selama", "ketika", "kata", "tanpa",
	"jadi", "selain", "kembali", "lalu", "usai", "bakal", "sempat",
	"terkait", "sekitar", "pula", "bahkan", "yakni", "kini", "tengah",
	"lewat", "sementara", "berbagai", "seluruh", "semua", "sendiri",
	"mulai", "tahun", "orang",
};

/* Indonesian spellings and words Malay writes otherwise */
static const char *const w_id[] = {
	"bahwa", "karena", "bisa", "yaitu", "pemerintah", "polisi", "uang",
	"saja", "sebagian", "kemarin", "tentara", "perusahaan", "setelah",
	"sesudah", "senin", "kamis", "stasiun", "rumah", "sakit", "tapi",
	"melalui", "mengatakan", "menurut", "kantor", "agar",
};

/* Malay spellings and words Indonesian writes otherwise */
static const char *const w_ms[] = {
	"bahawa", "kerana", "boleh", "iaitu", "kerajaan", "polis",
	"sahaja", "sebahagian", "semalam", "tentera", "syarikat", "selepas",
	"ialah", "menerusi", "baharu", "berkata", "kenyataan", "hospital",
	"isytihar", "pengisytiharan", "isnin", "khamis", "stesen",
	"berkuasa", "supaya",
};

static const char *const w_tl[] = {
	"ang", "ng", "sa", "na", "mga", "ay", "at", "si", "ni", "kay", "ito",
	"para", "hindi", "may", "nang", "kung", "pa", "rin", "din",
	"lamang", "lang", "naman", "siya", "sila", "nila", "niya",
	"kanilang", "kanyang", "ayon", "mula", "dahil", "pero", "ngunit",
	"habang", "noong", "upang", "bilang", "tungkol", "isang", "iba",
	"ba", "po", "nito", "dito", "doon", "ating", "kaniyang", "sinabi",
};

static const char *const w_vi[] = {
	"của", "và", "các", "là", "có", "được", "trong", "cho", "với",
	"những", "một", "này", "đã", "người", "không", "tại", "về", "từ",
	"khi", "theo", "để", "đến", "ra", "cũng", "sẽ", "như", "nhiều",
	"năm", "ngày", "hai", "nước", "ông", "bà", "thì", "mà", "lần", "đó",
	"vào", "trên", "sau", "đang", "việc", "cùng",
};

static const char *const w_tr[] = {
	"ve", "bir", "bu", "da", "de", "ile", "için", "olarak", "olan",
	"gibi", "daha", "çok", "ama", "ancak", "her", "şu", "o", "ne", "ki",
	"mi", "sonra", "kadar", "yeni", "tarafından", "ise", "değil",
	"oldu", "olduğu", "edildi", "etti", "dedi", "göre", "karşı",
	"arasında", "üzerinde", "yıl", "iki", "ilk", "son", "hem", "veya",
	"dair", "nedeniyle", "sırasında", "ardından", "ilgili", "sonrası",
	/* case endings after an apostrophe: Ankara'da, Çin'e, Uygur'u */
	"'da", "'de", "'ta", "'te", "'dan", "'den", "'tan", "'ten", "'ın",
	"'in", "'un", "'ün", "'nın", "'nin", "'nun", "'nün", "'a", "'e",
	"'ya", "'ye", "'ı", "'i", "'u", "'ü", "'yı", "'yi", "'yu", "'yü",
	"'la", "'le", "'yla", "'yle", "'daki", "'deki", "'taki", "'teki",
	"'ndan", "'nden", "'na", "'ne", "'nda", "'nde", "'lı", "'li",
	"'lu", "'lü", "'dır", "'dir",
};

static const char *const w_pl[] = {
	"i", "w", "z", "na", "się", "nie", "do", "to", "że", "o", "a",
	"jest", "od", "po", "przez", "dla", "za", "jak", "ale", "co", "tym",
	"tak", "czy", "ze", "we", "oraz", "też", "także", "już", "był",
	"była", "było", "były", "są", "przy", "jego", "ich", "jej", "ten",
	"ta", "te", "tego", "który", "która", "które", "którzy", "lub",
	"pod", "nad", "przed", "według", "podczas", "między", "wobec",
	"roku", "może", "będzie",
};

static const char *const w_cs[] = {
	"a", "v", "se", "na", "je", "že", "s", "z", "do", "o", "k", "i",
	"to", "by", "ve", "pro", "za", "ze", "od", "po", "jako", "ale",
	"jsou", "byl", "byla", "bylo", "byly", "který", "která", "které",
	"kteří", "také", "již", "už", "podle", "při", "mezi", "jeho",
	"jejich", "její", "tak", "než", "nebo", "proti", "před", "této",
	"tento", "tato", "toto", "má", "mají", "bude", "řekl", "uvedl",
	"mu", "ho", "si",
};

static const char *const w_sk[] = {
	"a", "v", "sa", "na", "je", "že", "s", "z", "do", "o", "k", "i",
	"to", "by", "vo", "pre", "za", "zo", "od", "po", "ako", "ale", "sú",
	"bol", "bola", "bolo", "boli", "ktorý", "ktorá", "ktoré", "ktorí",
	"tiež", "už", "podľa", "pri", "medzi", "jeho", "ich", "jej", "tak",
	"než", "alebo", "proti", "pred", "tejto", "tento", "táto", "toto",
	"má", "majú", "bude", "povedal", "uviedol", "aj", "však", "len",
	"ešte", "keď", "mu", "ho", "si",
};

static const char *const w_hu[] = {
	"a", "az", "és", "hogy", "nem", "is", "egy", "meg", "már", "volt",
	"van", "de", "ki", "el", "be", "fel", "csak", "még", "után",
	"szerint", "között", "mint", "vagy", "ez", "ezt", "azt", "amely",
	"aki", "akik", "amelyek", "pedig", "mert", "lesz", "lett", "kell",
	"alatt", "előtt", "során", "miatt", "óta", "ellen", "sem", "ha",
	"majd", "így", "ami", "két", "első", "minden", "először",
};

static const char *const w_sv[] = {
	"och", "att", "det", "som", "en", "på", "är", "av", "för", "med",
	"till", "den", "har", "de", "inte", "om", "ett", "han", "men", "var",
	"jag", "sig", "från", "vi", "så", "kan", "man", "när", "år",
	"säger", "efter", "hade", "nu", "också", "under", "mot", "eller",
	"blev", "sedan", "vid", "än", "ska", "bara", "detta", "denna",
	"dessa", "vilket", "hur", "samt", "mellan", "genom", "utan", "över",
	"alla", "hon", "enligt",
};

/* Danish and Norwegian (bokmål) share most function words */
static const char *const w_dano[] = {
	"og", "i", "at", "det", "som", "en", "på", "er", "for", "med",
	"til", "den", "har", "de", "ikke", "om", "et", "han", "men", "var",
	"jeg", "fra", "vi", "så", "kan", "man", "når", "år", "også", "under",
	"eller", "siden", "ved", "skal", "kun", "denne", "dette", "disse",
	"hvor", "hvordan", "samt", "over", "alle", "hun", "der", "vil",
	"sammen",
};

static const char *const w_da[] = {
	"af", "sig", "siger", "efter", "havde", "nu", "mod", "blev", "end",
	"mellem", "gennem", "uden", "blive", "bliver", "hvad", "mig", "dig",
	"op", "ud", "nogle", "noget", "igennem", "fik",
};

static const char *const w_no[] = {
	"av", "seg", "sier", "etter", "hadde", "nå", "mot", "ble", "enn",
	"mellom", "gjennom", "uten", "bli", "blir", "hva", "meg", "deg",
	"opp", "ut", "noen", "noe", "fikk", "ikkje",
};

static const char *const w_fi[] = {
	"ja", "on", "ei", "se", "että", "hän", "oli", "ovat", "olla", "myös",
	"kun", "mutta", "tai", "jo", "vain", "sekä", "kuin", "joka", "jonka",
	"mukaan", "tämä", "tämän", "nyt", "sen", "niin", "ole", "hänen",
	"jossa", "jotka", "olivat", "vuonna", "kanssa", "sitä", "siitä",
	"ollut", "yli", "aikana", "jälkeen", "mitä", "kaikki", "olisi",
	"voi", "eli", "koska", "kerran", "osana",
};

/* Croatian and Serbian (Latin) share most function words; ijekavian
 * forms are shared too, as Serbs in Bosnia and Montenegro use them */
static const char *const w_hrsr[] = {
	"i", "u", "je", "na", "se", "da", "za", "od", "su", "s", "sa", "iz",
	"o", "do", "po", "kao", "koji", "koja", "koje", "što", "ali", "ili",
	"a", "će", "bi", "bio", "bila", "bilo", "bili", "nakon", "prema",
	"između", "protiv", "kada", "ovo", "ovaj", "ova", "on", "ona", "oni",
	"još", "već", "kroz", "kod", "nije", "biti", "te", "li", "koliko",
	"sve", "svi", "njihov", "njegov", "prije", "poslije", "gdje",
	"uvijek", "dvije", "rekao", "koju", "kojem", "kojoj", "kojima",
	"mu", "ove", "godine", "ga",
};

static const char *const w_hr[] = {
	"tijekom", "tko", "također", "tisuća", "tisuće", "glede", "kazao",
	"vlak", "vlaka", "kruh", "zrak", "studeni", "studenog", "studenoga",
	"posto", "ponovno",
};

static const char *const w_srl[] = {
	"tokom", "pre", "posle", "gde", "ko", "takođe", "hiljada", "uvek",
	"dve", "biće", "vreme", "mesto", "deca", "decu", "vesti", "odsto",
	"voz", "voza", "vozom", "hleb", "vazduh", "mart", "marta", "martu",
	"jun", "juna", "jul", "jula", "ponovo",
};

static const char *const w_sl[] = {
	"in", "je", "v", "na", "za", "da", "se", "so", "ki", "pa", "tudi",
	"z", "s", "po", "od", "do", "iz", "o", "bi", "bo", "bodo", "kot",
	"ali", "še", "že", "le", "ter", "ne", "to", "ta", "tega", "ob",
	"pri", "med", "proti", "ker", "naj", "saj", "bil", "bila", "bilo",
	"bili", "jih", "ga", "mu", "lani", "katerem", "kateri", "skupaj",
};

static const char *const w_sw[] = {
	"na", "ya", "wa", "za", "la", "kwa", "ni", "katika", "cha", "vya",
	"hiyo", "huo", "hilo", "hao", "kuwa", "pamoja", "amesema",
	"alisema", "baada", "kutoka", "hadi", "kama", "lakini", "pia",
	"ambao", "ambayo", "ambapo", "wake", "yake", "zao", "yao", "hii",
	"huu", "hizo", "wakati", "mwaka", "leo", "mjini", "kati", "zaidi",
};

static const char *const w_ru[] = {
	"в", "и", "на", "не", "что", "с", "по", "о", "к", "из", "за", "от",
	"для", "это", "как", "а", "но", "он", "она", "они", "его", "ее",
	"её", "их", "был", "была", "были", "было", "также", "после", "при",
	"до", "уже", "года", "году", "со", "во", "об", "же", "бы", "ли",
	"только", "который", "которые", "которая", "более", "чем", "или",
	"так", "где", "если", "между", "против", "сообщил", "заявил",
	"время", "этом", "этого", "всех", "может", "будет", "еще", "ещё",
	"под", "через", "свои", "своих", "том", "у",
};

static const char *const w_uk[] = {
	"в", "у", "і", "й", "та", "на", "не", "що", "з", "із", "зі", "до",
	"за", "від", "для", "це", "як", "а", "але", "він", "вона", "вони",
	"його", "її", "їх", "був", "була", "були", "було", "також", "після",
	"під", "при", "вже", "року", "про", "щодо", "який", "яка", "які",
	"яких", "між", "проти", "або", "чи", "ще", "коли", "де", "якщо",
	"буде", "має", "цього", "цей", "ця", "ці", "свої", "через",
};

static const char *const w_be[] = {
	"і", "ў", "у", "на", "не", "што", "з", "да", "па", "для", "гэта",
	"як", "а", "але", "ён", "яна", "яны", "яго", "яе", "іх", "быў",
	"была", "былі", "таксама", "пасля", "пры", "ужо", "года", "таму",
	"калі", "дзе", "паміж", "супраць", "або", "ці", "які", "якая",
	"якія",
};

static const char *const w_bg[] = {
	"и", "в", "на", "не", "за", "от", "да", "се", "с", "със", "във",
	"по", "е", "са", "че", "ще", "това", "този", "тази", "тези", "като",
	"който", "която", "които", "което", "при", "след", "към", "до",
	"или", "но", "а", "той", "тя", "те", "бе", "беше", "бяха", "още",
	"също", "между", "срещу", "ги", "го", "му", "им", "вече",
	"има", "няма", "може", "години", "година",
};

static const char *const w_src[] = {
	"и", "у", "на", "је", "да", "се", "за", "од", "са", "су", "не",
	"из", "о", "до", "по", "као", "који", "која", "које", "што", "али",
	"или", "а", "ће", "би", "биће", "био", "била", "били", "након",
	"према", "током", "између", "против", "када", "где", "ово", "овај",
	"ова", "он", "она", "они", "још", "већ", "кроз", "код", "пре",
	"после", "све", "због", "док",
};

static const char *const w_mk[] = {
	"и", "во", "на", "не", "се", "за", "од", "со", "да", "е", "што",
	"кој", "која", "кое", "ќе", "по", "до", "но", "а", "тој", "таа",
	"тие", "беше", "биле", "има", "нема", "уште", "меѓу", "против",
	"според", "преку", "кон", "ги", "го", "му", "им", "овој", "оваа",
	"овие", "после", "дека", "тоа", "како",
};

static const char *const w_kk[] = {
	"және", "мен", "бен", "пен", "да", "де", "та", "те", "бұл", "осы",
	"ол", "олар", "үшін", "деп", "туралы", "бойынша", "арасында",
	"жылы", "болып", "бар", "жоқ", "сол", "тиіс", "еді", "дейін",
	"кейін", "қарсы", "қатысты", "шейін",
};

static const char *const w_mn[] = {
	"болон", "нь", "юм", "байна", "байсан", "энэ", "тэр", "гэж",
	"гэсэн", "бол", "ч", "ба", "буюу", "хамт", "тул", "дээр", "хооронд",
	"оны", "онд", "жил", "мөн", "нэг", "бүх", "их",
};

/*
 * Endings, "-" and the last bytes of a word of 6 bytes or more that is
 * no function word; they weigh SUFFIX_W.  Inflections typical of a
 * language whose function words are few or short.
 */
static const char *const s_en[] = { "-ly", "-ness", "-ship" };
static const char *const s_enfr[] = { "-tion", "-tions" };
static const char *const s_ennl[] = { "-ing" };
static const char *const s_fr[] = {
	"-ée", "-ées", "-ement", "-eux", "-aient", "-ère", "-ès",
};
static const char *const s_es[] = { "-ción", "-ciones", "-idad", "-dades" };
static const char *const s_pt[] = {
	"-ção", "-ções", "-ões", "-ão", "-idade", "-dades",
};
static const char *const s_it[] = { "-zione", "-zioni", "-ità", "-gli" };
static const char *const s_ca[] = { "-ció", "-cions" };
static const char *const s_de[] = {
	"-ung", "-ungen", "-keit", "-heit", "-lich", "-schaft", "-isch",
};
static const char *const s_nl[] = { "-lijk", "-heid", "-ijk" };
static const char *const s_idms[] = { "-kan", "-nya" };
static const char *const s_fi[] = {
	"-ssä", "-stä", "-llä", "-ltä", "-ään", "-ksi", "-uun", "-yyn",
};
static const char *const s_hu[] = {
	"-ből", "-ról", "-ről", "-ság", "-ség", "-ának", "-ének", "-ában",
	"-ében",
};
static const char *const s_tr[] = {
	"-ları", "-leri", "-ının", "-inin", "-ında", "-inde", "-lık",
};
static const char *const s_pl[] = { "-ów", "-ych", "-ość", "-ści", "-ają" };
static const char *const s_cssk[] = { "-ého", "-ých", "-ími", "-ách" };
static const char *const s_cs[] = { "-ování", "-ího" };
static const char *const s_sk[] = { "-ovať" };
static const char *const s_ro[] = {
	"-ului", "-ilor", "-ește", "-ează", "-ția", "-ție",
};
static const char *const s_ru[] = { "-ый", "-ние" };
static const char *const s_ruuk[] = { "-ого", "-ться" };
static const char *const s_uk[] = { "-ння", "-ів", "-ої" };
static const char *const s_bg[] = { "-ът", "-ите" };
/* clang-format on */

#define LIST(m, w)                                                             \
	{                                                                      \
		(m), (w), sizeof(w) / sizeof((w)[0])                           \
	}

static const struct wlist {
	uint64_t mask;
	const char *const *w;
	size_t n;
} wlists[] = {
	LIST(M(EN), w_en),
	LIST(M(FR), w_fr),
	LIST(M(ES), w_es),
	LIST(M(IT), w_it),
	LIST(M(PT), w_pt),
	LIST(M(DE), w_de),
	LIST(M(NL), w_nl),
	LIST(M(CA), w_ca),
	LIST(M(RO), w_ro),
	LIST(M(ID) | M(MS), w_idms),
	LIST(M(ID), w_id),
	LIST(M(MS), w_ms),
	LIST(M(TL), w_tl),
	LIST(M(VI), w_vi),
	LIST(M(TR), w_tr),
	LIST(M(PL), w_pl),
	LIST(M(CS), w_cs),
	LIST(M(SK), w_sk),
	LIST(M(HU), w_hu),
	LIST(M(SV), w_sv),
	LIST(M(DA) | M(NO), w_dano),
	LIST(M(DA), w_da),
	LIST(M(NO), w_no),
	LIST(M(FI), w_fi),
	LIST(M(HR) | M(SRL), w_hrsr),
	LIST(M(HR), w_hr),
	LIST(M(SRL), w_srl),
	LIST(M(SL), w_sl),
	LIST(M(SW), w_sw),
	LIST(M(RU), w_ru),
	LIST(M(UK), w_uk),
	LIST(M(BE), w_be),
	LIST(M(BG), w_bg),
	LIST(M(SRC), w_src),
	LIST(M(MK), w_mk),
	LIST(M(KK), w_kk),
	LIST(M(MN), w_mn),
	LIST(M(EN), s_en),
	LIST(M(EN) | M(FR), s_enfr),
	LIST(M(EN) | M(NL), s_ennl),
	LIST(M(FR), s_fr),
	LIST(M(ES), s_es),
	LIST(M(PT), s_pt),
	LIST(M(IT), s_it),
	LIST(M(CA), s_ca),
	LIST(M(DE), s_de),
	LIST(M(NL), s_nl),
	LIST(M(ID) | M(MS), s_idms),
	LIST(M(FI), s_fi),
	LIST(M(HU), s_hu),
	LIST(M(TR), s_tr),
	LIST(M(PL), s_pl),
	LIST(M(CS) | M(SK), s_cssk),
	LIST(M(CS), s_cs),
	LIST(M(SK), s_sk),
	LIST(M(RO), s_ro),
	LIST(M(RU), s_ru),
	LIST(M(RU) | M(UK), s_ruuk),
	LIST(M(UK), s_uk),
	LIST(M(BG), s_bg),
};

/*
 * Word beginnings that tell Serbian from Croatian: ekavian forms and
 * Serbian words against Croatian words (ijekavian forms alone are shared).
 * Checked for Latin words of 4 bytes or more.
 */
/* clang-format off */
static const struct prefix {
	const char *p;
	uint64_t mask;
} prefixes[] = {
	{ "predsedn", M(SRL) }, { "bezbed", M(SRL) }, { "bezbjed", M(SRL) },
	{ "saradn", M(SRL) },   { "hiljad", M(SRL) }, { "opštin", M(SRL) },
	{ "vazdušn", M(SRL) },  { "unutrašnj", M(SRL) }, { "spoljn", M(SRL) },
	{ "evrop", M(SRL) },    { "mesec", M(SRL) },  { "deonic", M(SRL) },
	{ "nedelj", M(SRL) },   { "istorij", M(SRL) }, { "hemij", M(SRL) },
	{ "tačk", M(SRL) },     { "univerzitet", M(SRL) },
	{ "projekat", M(SRL) }, { "primer", M(SRL) }, { "uslov", M(SRL) },
	{ "obezbed", M(SRL) },  { "fudbal", M(SRL) }, { "ambasad", M(SRL) },
	{ "sever", M(SRL) },    { "lekar", M(SRL) },  { "devojk", M(SRL) },
	{ "pesm", M(SRL) },     { "porodic", M(SRL) }, { "učestv", M(SRL) },
	{ "preduzeć", M(SRL) }, { "pozorišt", M(SRL) }, { "naučn", M(SRL) },
	{ "krivičn", M(SRL) },  { "ubistv", M(SRL) }, { "saopšt", M(SRL) },
	{ "januar", M(SRL) },   { "februar", M(SRL) }, { "april", M(SRL) },
	{ "avgust", M(SRL) },   { "septemb", M(SRL) }, { "oktob", M(SRL) },
	{ "novemb", M(SRL) },   { "decemb", M(SRL) },
	{ "suradn", M(HR) },    { "tisuć", M(HR) },   { "općin", M(HR) },
	{ "zračn", M(HR) },     { "unutarnj", M(HR) }, { "vanjsk", M(HR) },
	{ "europ", M(HR) },     { "tjedn", M(HR) },   { "povijes", M(HR) },
	{ "kemij", M(HR) },     { "točk", M(HR) },    { "sveučiliš", M(HR) },
	{ "veleposlan", M(HR) }, { "nogomet", M(HR) }, { "tvrtk", M(HR) },
	{ "zrakoplov", M(HR) }, { "kazališ", M(HR) }, { "obitelj", M(HR) },
	{ "sigurnos", M(HR) },  { "sudjel", M(HR) },  { "poduzeć", M(HR) },
	{ "znanstven", M(HR) }, { "kaznen", M(HR) },  { "ubojstv", M(HR) },
	{ "priopć", M(HR) },    { "siječ", M(HR) },   { "veljač", M(HR) },
	{ "ožuj", M(HR) },      { "travanj", M(HR) }, { "travnj", M(HR) },
	{ "svib", M(HR) },      { "lipanj", M(HR) },  { "lipnj", M(HR) },
	{ "srpanj", M(HR) },    { "srpnj", M(HR) },   { "kolovoz", M(HR) },
	{ "rujan", M(HR) },     { "rujn", M(HR) },    { "listopad", M(HR) },
	{ "prosin", M(HR) },
};
/* clang-format on */

/* --------------------------------------------------------------- letters */

/*
 * Letters only some languages use, lower case: each occurrence adds
 * weight / k to each of the k languages of mask.
 */
/* clang-format off */
static const struct letter_ev {
	int32_t cp;
	float weight;
	uint64_t mask;
} letter_evs[] = {
	/* Latin */
	{ 0x00DF, 0.5f, M(DE) },                          /* ß */
	{ 0x00E0, 0.5f, M(FR) | M(IT) | M(CA) | M(PT) | M(VI) }, /* à */
	{ 0x00E1, 0.5f, M(ES) | M(PT) | M(HU) | M(CS) | M(SK) | M(VI) }, /* á */
	{ 0x00E2, 0.5f, M(FR) | M(PT) | M(RO) | M(VI) },  /* â */
	{ 0x00E3, 0.5f, M(PT) | M(VI) },                  /* ã */
	{ 0x00E4, 0.5f, M(DE) | M(SV) | M(FI) | M(SK) },  /* ä */
	{ 0x00E5, 0.5f, M(SV) | M(DA) | M(NO) },          /* å */
	{ 0x00E6, 0.5f, M(DA) | M(NO) },                  /* æ */
	{ 0x00E7, 0.5f, M(FR) | M(PT) | M(CA) | M(TR) },  /* ç */
	{ 0x00E8, 0.5f, M(FR) | M(IT) | M(CA) | M(VI) },  /* è */
	{ 0x00E9, 0.5f, M(FR) | M(ES) | M(IT) | M(PT) | M(CA) | M(HU) |
	                M(CS) | M(SK) | M(VI) },          /* é */
	{ 0x00EA, 0.5f, M(FR) | M(PT) | M(VI) },          /* ê */
	{ 0x00EB, 0.5f, M(NL) | M(FR) },                  /* ë */
	{ 0x00EC, 0.5f, M(IT) | M(VI) },                  /* ì */
	{ 0x00ED, 0.5f, M(ES) | M(PT) | M(CA) | M(HU) | M(CS) | M(SK) |
	                M(VI) },                          /* í */
	{ 0x00EE, 0.5f, M(FR) | M(RO) },                  /* î */
	{ 0x00EF, 0.5f, M(FR) | M(NL) | M(CA) },          /* ï */
	{ 0x00F1, 0.5f, M(ES) },                          /* ñ */
	{ 0x00F2, 0.5f, M(IT) | M(CA) | M(VI) },          /* ò */
	{ 0x00F3, 0.5f, M(ES) | M(PT) | M(CA) | M(HU) | M(PL) | M(CS) |
	                M(SK) | M(VI) },                  /* ó */
	{ 0x00F4, 0.5f, M(FR) | M(PT) | M(SK) | M(VI) },  /* ô */
	{ 0x00F5, 0.5f, M(PT) | M(VI) },                  /* õ */
	{ 0x00F6, 0.5f, M(DE) | M(SV) | M(FI) | M(HU) | M(TR) }, /* ö */
	{ 0x00F8, 0.5f, M(DA) | M(NO) },                  /* ø */
	{ 0x00F9, 0.5f, M(FR) | M(IT) | M(VI) },          /* ù */
	{ 0x00FA, 0.5f, M(ES) | M(PT) | M(CA) | M(HU) | M(CS) | M(SK) |
	                M(VI) },                          /* ú */
	{ 0x00FB, 0.5f, M(FR) },                          /* û */
	{ 0x00FC, 0.5f, M(DE) | M(TR) | M(HU) },          /* ü */
	{ 0x00FD, 0.5f, M(CS) | M(SK) | M(VI) },          /* ý */
	{ 0x00FF, 0.5f, M(FR) },                          /* ÿ */
	{ 0x0103, 0.5f, M(RO) | M(VI) },                  /* ă */
	{ 0x0105, 0.5f, M(PL) },                          /* ą */
	{ 0x0107, 0.5f, M(PL) | M(HR) | M(SRL) },         /* ć */
	{ 0x010D, 0.5f, M(CS) | M(SK) | M(SL) | M(HR) | M(SRL) }, /* č */
	{ 0x010F, 0.5f, M(CS) | M(SK) },                  /* ď */
	{ 0x0111, 0.5f, M(VI) | M(HR) | M(SRL) },         /* đ */
	{ 0x0119, 0.5f, M(PL) },                          /* ę */
	{ 0x011B, 0.5f, M(CS) },                          /* ě */
	{ 0x011F, 0.5f, M(TR) },                          /* ğ */
	{ 0x0131, 0.5f, M(TR) },                          /* ı */
	{ 0x013A, 0.5f, M(SK) },                          /* ĺ */
	{ 0x013E, 0.5f, M(SK) },                          /* ľ */
	{ 0x0142, 0.5f, M(PL) },                          /* ł */
	{ 0x0144, 0.5f, M(PL) },                          /* ń */
	{ 0x0148, 0.5f, M(CS) | M(SK) },                  /* ň */
	{ 0x0151, 0.5f, M(HU) },                          /* ő */
	{ 0x0153, 0.5f, M(FR) },                          /* œ */
	{ 0x0155, 0.5f, M(SK) },                          /* ŕ */
	{ 0x0159, 0.5f, M(CS) },                          /* ř */
	{ 0x015B, 0.5f, M(PL) },                          /* ś */
	{ 0x015F, 0.5f, M(TR) | M(RO) },                  /* ş */
	{ 0x0161, 0.5f, M(CS) | M(SK) | M(SL) | M(HR) | M(SRL) }, /* š */
	{ 0x0163, 0.5f, M(RO) },                          /* ţ */
	{ 0x0165, 0.5f, M(CS) | M(SK) },                  /* ť */
	{ 0x016F, 0.5f, M(CS) },                          /* ů */
	{ 0x0171, 0.5f, M(HU) },                          /* ű */
	{ 0x017A, 0.5f, M(PL) },                          /* ź */
	{ 0x017C, 0.5f, M(PL) },                          /* ż */
	{ 0x017E, 0.5f, M(CS) | M(SK) | M(SL) | M(HR) | M(SRL) }, /* ž */
	{ 0x01A1, 0.5f, M(VI) },                          /* ơ */
	{ 0x01B0, 0.5f, M(VI) },                          /* ư */
	{ 0x0219, 0.5f, M(RO) },                          /* ș */
	{ 0x021B, 0.5f, M(RO) },                          /* ț */
	/* Cyrillic */
	{ 0x044A, 0.4f, M(BG) },                          /* ъ */
	{ 0x044B, 1.0f, M(RU) | M(BE) | M(KK) | M(MN) },  /* ы */
	{ 0x044C, 0.6f, M(RU) | M(UK) | M(BE) },          /* ь */
	{ 0x044D, 1.0f, M(RU) | M(BE) | M(KK) | M(MN) },  /* э */
	{ 0x0451, 0.5f, M(RU) | M(BE) },                  /* ё */
	{ 0x0452, 1.0f, M(SRC) },                         /* ђ */
	{ 0x0453, 1.0f, M(MK) },                          /* ѓ */
	{ 0x0454, 1.0f, M(UK) },                          /* є */
	{ 0x0455, 1.0f, M(MK) },                          /* ѕ */
	{ 0x0456, 0.6f, M(UK) | M(BE) | M(KK) },          /* і */
	{ 0x0457, 1.0f, M(UK) },                          /* ї */
	{ 0x0458, 1.0f, M(SRC) | M(MK) },                 /* ј */
	{ 0x0459, 1.0f, M(SRC) | M(MK) },                 /* љ */
	{ 0x045A, 1.0f, M(SRC) | M(MK) },                 /* њ */
	{ 0x045B, 1.0f, M(SRC) },                         /* ћ */
	{ 0x045C, 1.0f, M(MK) },                          /* ќ */
	{ 0x045E, 1.0f, M(BE) },                          /* ў */
	{ 0x045F, 1.0f, M(SRC) | M(MK) },                 /* џ */
	{ 0x0491, 1.0f, M(UK) },                          /* ґ */
	{ 0x0493, 1.0f, M(KK) },                          /* ғ */
	{ 0x049B, 1.0f, M(KK) },                          /* қ */
	{ 0x04A3, 1.0f, M(KK) },                          /* ң */
	{ 0x04AF, 0.6f, M(KK) | M(MN) },                  /* ү */
	{ 0x04B1, 1.0f, M(KK) },                          /* ұ */
	{ 0x04BB, 1.0f, M(KK) },                          /* һ */
	{ 0x04D9, 1.0f, M(KK) },                          /* ә */
	{ 0x04E9, 0.6f, M(KK) | M(MN) },                  /* ө */
};
/* clang-format on */

#define VI_LO 0x1EA0 /* Vietnamese letters with tone marks: ạ ả ấ ... ỹ */
#define VI_HI 0x1EF9
#define VI_W  0.5f

/* ------------------------------------------------------------- scripts */

enum script {
	SC_NONE,
	SC_LATIN,
	SC_CYRL,
	SC_GREEK,
	SC_ARMN,
	SC_HEBR,
	SC_ARAB,
	SC_DEVA,
	SC_BENG,
	SC_GURU,
	SC_GUJR,
	SC_ORYA,
	SC_TAML,
	SC_TELU,
	SC_KNDA,
	SC_MLYM,
	SC_SINH,
	SC_THAI,
	SC_LAOO,
	SC_TIBT,
	SC_MYMR,
	SC_GEOR,
	SC_ETHI,
	SC_KHMR,
	SC_MONG,
	SC_HAN, /* Han and Kana: one group, told apart at the end */
	SC_KANA,
	SC_HANG,
	SC_OTHER,
	NSCRIPT
};

/* the language of a script that has one; NULL: decided otherwise */
static const char *const script_code[NSCRIPT] = {
	[SC_GREEK] = "el", [SC_ARMN] = "hy", [SC_HEBR] = "he", [SC_DEVA] = "hi",
	[SC_BENG] = "bn",  [SC_GURU] = "pa", [SC_GUJR] = "gu", [SC_ORYA] = "or",
	[SC_TAML] = "ta",  [SC_TELU] = "te", [SC_KNDA] = "kn", [SC_MLYM] = "ml",
	[SC_SINH] = "si",  [SC_THAI] = "th", [SC_LAOO] = "lo", [SC_TIBT] = "bo",
	[SC_MYMR] = "my",  [SC_GEOR] = "ka", [SC_ETHI] = "am", [SC_KHMR] = "km",
	[SC_MONG] = "mn",  [SC_HANG] = "ko",
};

/* how many letters one character weighs when scripts compete */
static unsigned
script_weight(int s)
{
	return s == SC_HAN ? 3 : (s == SC_KANA || s == SC_HANG) ? 2 : 1;
}

/* sorted, disjoint: searched with bsearch() */
/* clang-format off */
static const struct range {
	int32_t lo, hi;
	int script;
} ranges[] = {
	{ 0x00C0, 0x02AF, SC_LATIN }, { 0x0370, 0x03FF, SC_GREEK },
	{ 0x0400, 0x052F, SC_CYRL },  { 0x0530, 0x058F, SC_ARMN },
	{ 0x0590, 0x05FF, SC_HEBR },  { 0x0600, 0x06FF, SC_ARAB },
	{ 0x0750, 0x077F, SC_ARAB },  { 0x08A0, 0x08FF, SC_ARAB },
	{ 0x0900, 0x097F, SC_DEVA },  { 0x0980, 0x09FF, SC_BENG },
	{ 0x0A00, 0x0A7F, SC_GURU },  { 0x0A80, 0x0AFF, SC_GUJR },
	{ 0x0B00, 0x0B7F, SC_ORYA },  { 0x0B80, 0x0BFF, SC_TAML },
	{ 0x0C00, 0x0C7F, SC_TELU },  { 0x0C80, 0x0CFF, SC_KNDA },
	{ 0x0D00, 0x0D7F, SC_MLYM },  { 0x0D80, 0x0DFF, SC_SINH },
	{ 0x0E00, 0x0E7F, SC_THAI },  { 0x0E80, 0x0EFF, SC_LAOO },
	{ 0x0F00, 0x0FFF, SC_TIBT },  { 0x1000, 0x109F, SC_MYMR },
	{ 0x10A0, 0x10FF, SC_GEOR },  { 0x1100, 0x11FF, SC_HANG },
	{ 0x1200, 0x139F, SC_ETHI },  { 0x1780, 0x17FF, SC_KHMR },
	{ 0x1800, 0x18AF, SC_MONG },  { 0x19E0, 0x19FF, SC_KHMR },
	{ 0x1C80, 0x1C8F, SC_CYRL },  { 0x1C90, 0x1CBF, SC_GEOR },
	{ 0x1D00, 0x1DBF, SC_LATIN }, { 0x1E00, 0x1EFF, SC_LATIN },
	{ 0x1F00, 0x1FFF, SC_GREEK }, { 0x2C60, 0x2C7F, SC_LATIN },
	{ 0x2D00, 0x2D2F, SC_GEOR },  { 0x2DE0, 0x2DFF, SC_CYRL },
	{ 0x3005, 0x3005, SC_HAN },   { 0x3040, 0x30FF, SC_KANA },
	{ 0x3130, 0x318F, SC_HANG },  { 0x31F0, 0x31FF, SC_KANA },
	{ 0x3400, 0x4DBF, SC_HAN },   { 0x4E00, 0x9FFF, SC_HAN },
	{ 0xA640, 0xA69F, SC_CYRL },  { 0xA720, 0xA7FF, SC_LATIN },
	{ 0xA960, 0xA97F, SC_HANG },  { 0xAC00, 0xD7FF, SC_HANG },
	{ 0xF900, 0xFAFF, SC_HAN },   { 0xFB1D, 0xFB4F, SC_HEBR },
	{ 0xFB50, 0xFDFF, SC_ARAB },  { 0xFE70, 0xFEFF, SC_ARAB },
	{ 0xFF21, 0xFF5A, SC_LATIN }, { 0xFF66, 0xFF9F, SC_KANA },
	{ 0xFFA0, 0xFFDC, SC_HANG },  { 0x20000, 0x3FFFF, SC_HAN },
};
/* clang-format on */

static int
range_cmp(const void *key, const void *elem)
{
	int32_t c = *(const int32_t *)key;
	const struct range *r = elem;

	return c < r->lo ? -1 : c > r->hi ? 1 : 0;
}

static int
script_of(int32_t c)
{
	const struct range *r;

	r = bsearch(&c, ranges, sizeof(ranges) / sizeof(ranges[0]),
	            sizeof(ranges[0]), range_cmp);
	return r ? r->script : SC_OTHER;
}

/* -------------------------------------------------------------- tables */

struct slot {
	const char *w; /* NULL: empty */
	uint64_t mask;
	uint32_t h;
	uint16_t len;
	uint16_t suffix; /* an ending: weighs SUFFIX_W */
};

static struct slot table[HT_SIZE];
static unsigned char px_filter[PX_BITS / 8];
/* the last two bytes of every ending, and the byte lengths of endings */
static unsigned char sx_filter[65536 / 8];
static size_t sx_min = SIZE_MAX, sx_max;
/* letter evidence: index + 1 into letter_evs, by code point */
static unsigned char ev_latin[0x250];
static unsigned char ev_cyrl[0x100];
static float inv[NLANG + 1]; /* inv[k] = 1 / k */
static once_flag tables_once = ONCE_FLAG_INIT;

static uint32_t
hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static const struct slot *
table_find(const char *w, size_t len)
{
	uint32_t h = hash_bytes(w, len);
	size_t i = h & (HT_SIZE - 1);

	while (table[i].w) {
		if (table[i].h == h && table[i].len == len &&
		    memcmp(table[i].w, w, len) == 0)
			return &table[i];
		i = (i + 1) & (HT_SIZE - 1);
	}
	return NULL;
}

static unsigned
sx_bit(const char *w, size_t len)
{
	return (unsigned)(unsigned char)w[len - 2] << 8 |
	       (unsigned char)w[len - 1];
}

/* 1 when w is new */
static int
table_add(const char *w, uint64_t mask)
{
	size_t len = strlen(w);
	uint32_t h = hash_bytes(w, len);
	size_t i = h & (HT_SIZE - 1);

	while (table[i].w) {
		if (table[i].h == h && table[i].len == len &&
		    memcmp(table[i].w, w, len) == 0) {
			table[i].mask |= mask;
			return 0;
		}
		i = (i + 1) & (HT_SIZE - 1);
	}
	table[i].w = w;
	table[i].h = h;
	table[i].len = (uint16_t)len;
	table[i].mask = mask;
	table[i].suffix = w[0] == '-';
	return 1;
}

static unsigned
px_bit(const char *w)
{
	return hash_bytes(w, 4) & (PX_BITS - 1);
}

static void
tables_init(void)
{
	size_t i, j, nwords = 0;

	for (i = 0; i < sizeof(wlists) / sizeof(wlists[0]); i++) {
		for (j = 0; j < wlists[i].n; j++) {
			const char *w = wlists[i].w[j];
			size_t n = strlen(w);

			assert(n <= WORD_MAX && n >= 1);
			if (w[0] == '-') {
				/* an ending: "-" and 2 bytes or more */
				unsigned b = sx_bit(w, n);

				assert(n >= 3);
				sx_filter[b / 8] |=
				        (unsigned char)(1u << (b % 8));
				if (n - 1 < sx_min)
					sx_min = n - 1;
				if (n - 1 > sx_max)
					sx_max = n - 1;
			}
			nwords += (size_t)table_add(w, wlists[i].mask);
		}
	}
	/* linear probing stays fast below a third full */
	assert(nwords < HT_SIZE / 3);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		unsigned b;

		assert(strlen(prefixes[i].p) >= 4);
		b = px_bit(prefixes[i].p);
		px_filter[b / 8] |= (unsigned char)(1u << (b % 8));
	}
	for (i = 0; i < sizeof(letter_evs) / sizeof(letter_evs[0]); i++) {
		int32_t c = letter_evs[i].cp;

		if (c < 0x250)
			ev_latin[c] = (unsigned char)(i + 1);
		else if (c >= 0x400 && c < 0x500)
			ev_cyrl[c - 0x400] = (unsigned char)(i + 1);
	}
	inv[0] = 0;
	for (i = 1; i <= NLANG; i++)
		inv[i] = 1.0f / (float)i;
}

/* --------------------------------------------------------------- state */

struct lid {
	float score[NLANG];
	unsigned letters[NSCRIPT];
	/* Arabic script: letters of Persian, Arabic only, Urdu, Pashto,
	 * Sorani Kurdish */
	unsigned fa, arab, ur, ps, ku;
	unsigned yi, as; /* Yiddish ligatures, Assamese letters */
	char w[WORD_MAX + 8];
	size_t wlen;
	size_t apos;    /* offset of the first apostrophe in w; 0: none */
	unsigned words; /* Latin and Cyrillic words */
	int wscript;    /* SC_LATIN or SC_CYRL; SC_NONE: no word open */
	int overflow;   /* the word outgrew w: skipped */
	int pend_apos;  /* an apostrophe followed the word's last letter */
};

static void
add_mask(struct lid *L, uint64_t mask, float weight)
{
	float w = weight * inv[__builtin_popcountll(mask)];

	while (mask) {
		int l = __builtin_ctzll(mask);

		L->score[l] += w;
		mask &= mask - 1;
	}
}

static int
lookup(struct lid *L, const char *w, size_t len)
{
	const struct slot *s = table_find(w, len);

	if (!s)
		return 0;
	add_mask(L, s->mask, s->suffix ? SUFFIX_W : 1.0f);
	return 1;
}

/* "-" and the last bytes of w (a cut character matches nothing) */
static void
lookup_suffixes(struct lid *L, const char *w, size_t len)
{
	char key[WORD_MAX + 1];
	unsigned b = sx_bit(w, len);
	size_t n;

	if (!(sx_filter[b / 8] & (1u << (b % 8))))
		return;
	for (n = sx_min; n <= sx_max && n + 2 <= len; n++) {
		key[0] = '-';
		memcpy(key + 1, w + len - n, n);
		lookup(L, key, n + 1);
	}
}

static void
lookup_prefixes(struct lid *L, const char *w, size_t len)
{
	unsigned b = px_bit(w);
	size_t i;

	if (!(px_filter[b / 8] & (1u << (b % 8))))
		return;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].p);

		if (n <= len && memcmp(prefixes[i].p, w, n) == 0)
			add_mask(L, prefixes[i].mask, 1.0f);
	}
}

static void
word_end(struct lid *L)
{
	size_t len = L->wlen;

	if (L->wscript == SC_NONE || len == 0)
		goto out;
	L->words++;
	if (L->overflow)
		goto out;
	if (lookup(L, L->w, len))
		goto out;
	if (L->apos) {
		/* l'homme: "l'"; Ankara'da: "'da" */
		lookup(L, L->w, L->apos + 1);
		lookup(L, L->w + L->apos, len - L->apos);
	} else if (len >= SUFFIX_MIN) {
		lookup_suffixes(L, L->w, len);
	}
	if (L->wscript == SC_LATIN && len >= 4)
		lookup_prefixes(L, L->w, len);
out:
	L->wlen = 0;
	L->apos = 0;
	L->wscript = SC_NONE;
	L->overflow = 0;
	L->pend_apos = 0;
}

/* appends a lower-case letter of script s to the open word */
static void
word_add(struct lid *L, int32_t c, int s)
{
	if (L->wscript != s)
		word_end(L);
	L->wscript = s;
	if (L->overflow)
		return;
	if (L->pend_apos) {
		L->pend_apos = 0;
		if (L->wlen + 1 > WORD_MAX) {
			L->overflow = 1;
			return;
		}
		if (!L->apos)
			L->apos = L->wlen;
		L->w[L->wlen++] = '\'';
	}
	if (c < 0x80) {
		if (L->wlen + 1 > WORD_MAX)
			L->overflow = 1;
		else
			L->w[L->wlen++] = (char)c;
		return;
	}
	if (L->wlen + 4 > WORD_MAX) {
		L->overflow = 1;
		return;
	}
	L->wlen += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)L->w +
	                                                   L->wlen);
}

static void
letter_evidence(struct lid *L, int32_t c)
{
	unsigned char e = 0;

	if (c < 0x250)
		e = ev_latin[c];
	else if (c >= 0x400 && c < 0x500)
		e = ev_cyrl[c - 0x400];
	else if (c >= VI_LO && c <= VI_HI)
		L->score[VI] += VI_W;
	if (e)
		add_mask(L, letter_evs[e - 1].mask, letter_evs[e - 1].weight);
}

static void
arabic_letter(struct lid *L, int32_t c)
{
	switch (c) {
	case 0x067E: /* پ */
	case 0x0686: /* چ */
	case 0x0698: /* ژ */
	case 0x06AF: /* گ */
	case 0x06A9: /* ک */
	case 0x06CC: /* ی */ L->fa++; break;
	case 0x064A: /* ي */
	case 0x0643: /* ك */
	case 0x0629: /* ة */
	case 0x0649: /* ى */ L->arab++; break;
	case 0x0679: /* ٹ */
	case 0x0688: /* ڈ */
	case 0x0691: /* ڑ */
	case 0x06BA: /* ں */
	case 0x06D2: /* ے */
	case 0x06C1: /* ہ */
	case 0x06BE: /* ھ */ L->ur++; break;
	case 0x067C: /* ټ */
	case 0x0689: /* ډ */
	case 0x0693: /* ړ */
	case 0x069A: /* ښ */
	case 0x0696: /* ږ */
	case 0x0681: /* ځ */
	case 0x0685: /* څ */
	case 0x06CD: /* ۍ */
	case 0x06D0: /* ې */ L->ps++; break;
	case 0x06D5: /* ە */
	case 0x06CE: /* ێ */
	case 0x06C6: /* ۆ */
	case 0x06B5: /* ڵ */
	case 0x0695: /* ڕ */ L->ku++; break;
	default: break;
	}
}

/* ------------------------------------------------------------ decision */

/* the best of languages [first, last) if it scored MIN_SCORE, or, in a
 * text of LEAD_WORDS words or more, LEAD_SCORE and LEAD times the
 * runner-up */
static const char *
vote(const struct lid *L, int first, int last)
{
	int l, best = first;
	float second = 0;

	for (l = first + 1; l < last; l++) {
		if (L->score[l] > L->score[best]) {
			if (L->score[best] > second)
				second = L->score[best];
			best = l;
		} else if (L->score[l] > second) {
			second = L->score[l];
		}
	}
	if (L->score[best] >= MIN_SCORE ||
	    (L->words >= LEAD_WORDS && L->score[best] >= LEAD_SCORE &&
	     L->score[best] >= LEAD * second))
		return lang_code[best];
	return NULL;
}

static const char *
decide(const struct lid *L, int s)
{
	unsigned han = L->letters[SC_HAN], kana = L->letters[SC_KANA];
	int l, best;

	switch (s) {
	case SC_LATIN: return vote(L, FIRST_LATIN, FIRST_CYRL);
	case SC_CYRL:
		best = RU;
		for (l = FIRST_CYRL + 1; l < NLANG; l++)
			if (L->score[l] > L->score[best])
				best = l;
		if (best != RU && L->score[best] >= CYR_MIN)
			return lang_code[best];
		return L->letters[SC_CYRL] >= MIN_LETTER ||
		                       L->score[RU] >= MIN_SCORE
		               ? "ru"
		               : NULL;
	case SC_HAN:
	case SC_KANA:
		/* Japanese writes kana between its kanji; Chinese none */
		if (kana >= 2 && kana * 20 >= han + kana)
			return "ja";
		return han ? "zh" : "ja";
	case SC_ARAB:
		if (L->ur >= 2 && L->ur >= L->ps)
			return "ur";
		if (L->ps >= 2)
			return "ps";
		if (L->ku >= 2)
			return "ku";
		return L->fa > L->arab ? "fa" : "ar";
	case SC_HEBR: return L->yi ? "yi" : "he";
	case SC_BENG: return L->as ? "as" : "bn";
	default: return script_code[s];
	}
}

static unsigned
weighted(const struct lid *L, int s)
{
	if (s == SC_HAN || s == SC_KANA)
		return L->letters[SC_HAN] * script_weight(SC_HAN) +
		       L->letters[SC_KANA] * script_weight(SC_KANA);
	return L->letters[s] * script_weight(s);
}

static int
is_apostrophe(int32_t c)
{
	return c == '\'' || c == 0x2019 || c == 0x02BC;
}

const char *
classify_langid(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end;
	struct lid L;
	int s, first = SC_NONE, second = SC_NONE;
	const char *r;

	if (!text)
		return NULL;
	end = p + (len < TEXT_MAX ? len : TEXT_MAX);
	call_once(&tables_once, tables_init);
	memset(&L, 0, sizeof(L));
	while (p < end) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k;

		if (*p < 0x80) {
			c = *p++;
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c >= 'a' && c <= 'z') {
				L.letters[SC_LATIN]++;
				word_add(&L, c, SC_LATIN);
			} else if (c == '\'' && L.wlen) {
				L.pend_apos = !L.pend_apos;
				if (!L.pend_apos) /* two in a row */
					word_end(&L);
			} else if (L.wscript != SC_NONE) {
				word_end(&L);
			}
			continue;
		}
		k = utf8proc_iterate(p, end - p, &c);
		if (k < 0) {
			p++; /* a bad byte: skipped, ends a word */
			if (L.wscript != SC_NONE)
				word_end(&L);
			continue;
		}
		p += k;
		if (is_apostrophe(c)) {
			if (L.wlen && !L.pend_apos)
				L.pend_apos = 1;
			else if (L.wscript != SC_NONE)
				word_end(&L);
			continue;
		}
		switch (utf8proc_category(c)) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
			s = script_of(c);
			L.letters[s]++;
			if (s == SC_LATIN || s == SC_CYRL) {
				c = utf8proc_tolower(c);
				letter_evidence(&L, c);
				word_add(&L, c, s);
				continue;
			}
			if (s == SC_ARAB)
				arabic_letter(&L, c);
			else if (c >= 0x05F0 && c <= 0x05F2)
				L.yi++;
			else if (c == 0x09F0 || c == 0x09F1)
				L.as++;
			break;
		case UTF8PROC_CATEGORY_MN:
		case UTF8PROC_CATEGORY_MC:
			/* a decomposed accent stays in its word (which
			 * then matches no list: input should be NFC) */
			if (L.wscript != SC_NONE && !L.pend_apos) {
				word_add(&L, c, L.wscript);
				continue;
			}
			break;
		default: break;
		}
		if (L.wscript != SC_NONE)
			word_end(&L);
	}
	if (L.wscript != SC_NONE)
		word_end(&L);

	/* the two heaviest scripts; Kana counts with Han */
	for (s = SC_LATIN; s < NSCRIPT; s++) {
		if (s == SC_KANA || s == SC_OTHER)
			continue;
		if (first == SC_NONE || weighted(&L, s) > weighted(&L, first)) {
			second = first;
			first = s;
		} else if (second == SC_NONE ||
		           weighted(&L, s) > weighted(&L, second)) {
			second = s;
		}
	}
	if (first == SC_NONE || weighted(&L, first) == 0)
		return NULL;
	if (weighted(&L, first) >= MIN_LETTER || first == SC_LATIN ||
	    first == SC_CYRL) {
		r = decide(&L, first);
		if (r)
			return r;
	}
	/* the runner-up only if it is not a mere aside (北京 in English) */
	if (second != SC_NONE && weighted(&L, second) >= MIN_LETTER &&
	    2 * weighted(&L, second) >= weighted(&L, first))
		return decide(&L, second);
	return NULL;
}
