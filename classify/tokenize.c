/*
 * tokenize.c - text -> terms: classify_tokenize() and the feature defaults.
 *
 * The text is decoded (bad bytes become U+FFFD, a separator), mapped to
 * NFKC with case folding and default ignorables removed (soft hyphens,
 * zero-width joiners), into a buffer of code points that is reused by the
 * thread; then one left-to-right scan cuts it into terms:
 *
 *   - a word is a run of letters, digits and the marks inside it; an
 *     apostrophe between two letters is elision ("l'accord" -> "accord"),
 *     a clitic suffix ("police's", "they're" -> "police", "they") or else
 *     joined ("don't" -> "dont", "O'Brien" -> "obrien");
 *   - "<num>": a word of digits only, with "." or "," between digits;
 *     "<url>": http://, https://, www. up to white space; "<email>";
 *   - Han, Kana and Hangul runs: each character, and each pair of adjacent
 *     characters, with no space between them (cjk_ngrams; otherwise the
 *     run is one word);
 *   - stop words of lang dropped, then the Snowball stem of lang;
 *   - a word bigram "w1 w2" for two adjacent kept words, emitted before w2.
 *     Class tokens, CJK runs, overlong words and sentence punctuation
 *     (. ! ? ; : | and line breaks) end a bigram chain; stop words do not
 *     ("police stations were closed": "station close").
 *
 * Words longer than TERM_MAX bytes (after stemming) are dropped: they are
 * hashes, base64 or unspaced scripts, not vocabulary.  A term is thus at
 * most 2 * TERM_MAX + 1 bytes, valid UTF-8, NUL-free, without tab or
 * newline.  Only the first TOKENIZE_MAX_TEXT bytes of a text are read.
 *
 * An unknown or NULL lang gets neither stop words nor stemming, as
 * classify.h promises; a known language without a list (sv, fi ...) is
 * stemmed only.
 *
 * Thread safety: sb_stemmer is not thread-safe, so each thread keeps its
 * own stemmers, buffer and stem cache in a context freed at thread exit
 * (pthread key destructor).  A nested call from inside fn uses a private
 * context.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <utf8proc.h>

#include "internal.h"

#define TERM_MAX          64
#define TOKENIZE_MAX_TEXT ((size_t)1 << 20)
/* decomposition can grow text; the code point buffer stops here */
#define CP_MAX      ((size_t)4 << 20)
#define CP_SLACK    64 /* free slots before each utf8proc_decompose_char() */
#define MAX_APOS    8
#define SCACHE_SIZE 16384 /* stem cache entries per thread, power of two */

#define NORM_OPTS                                                              \
	(UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |              \
	 UTF8PROC_STABLE | UTF8PROC_IGNORE)

void
classify_feature_opts_default(struct classify_feature_opts *o)
{
	o->stem = 1;
	o->stopwords = 1;
	o->word_bigrams = 1;
	o->cjk_ngrams = 1;
	o->min_df = 2;
	o->max_features = 200000;
	o->sublinear_tf = 1;
	o->detect_lang = 1;
}

/* ----------------------------------------------------------- languages */

/* sorted by code: searched with bsearch() */
static const struct lang {
	const char *code;      /* ISO 639-1 */
	const char *algorithm; /* Snowball; NULL: none */
	const char *stopcode;  /* stopwords_get() key */
} langs[] = {
	{ "ar", "arabic", NULL },     { "ca", "catalan", NULL },
	{ "da", "danish", NULL },     { "de", "german", "de" },
	{ "el", "greek", NULL },      { "en", "english", "en" },
	{ "es", "spanish", "es" },    { "eu", "basque", NULL },
	{ "fi", "finnish", NULL },    { "fr", "french", "fr" },
	{ "ga", "irish", NULL },      { "hi", "hindi", NULL },
	{ "hu", "hungarian", NULL },  { "hy", "armenian", NULL },
	{ "id", "indonesian", "id" }, { "in", "indonesian", "id" },
	{ "it", "italian", "it" },    { "lt", "lithuanian", NULL },
	{ "nb", "norwegian", NULL },  { "ne", "nepali", NULL },
	{ "nl", "dutch", "nl" },      { "nn", "norwegian", NULL },
	{ "no", "norwegian", NULL },  { "pt", "portuguese", "pt" },
	{ "ro", "romanian", NULL },   { "ru", "russian", "ru" },
	{ "sr", "serbian", NULL },    { "sv", "swedish", NULL },
	{ "ta", "tamil", NULL },      { "tr", "turkish", NULL },
	{ "yi", "yiddish", NULL },    { "zh", NULL, "zh" },
};
#define NLANG (sizeof(langs) / sizeof(langs[0]))

static int
lang_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lang *)elem)->code);
}

/* "en", "EN", "en-GB", "pt_BR" -> index in langs, or -1 */
static int
lang_find(const char *lang)
{
	char code[4];
	size_t i;
	const struct lang *l;

	if (!lang)
		return -1;
	for (i = 0; i < 3 && lang[i] && lang[i] != '-' && lang[i] != '_'; i++) {
		char c = lang[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			return -1;
		code[i] = c;
	}
	if (i != 2 || (lang[i] && lang[i] != '-' && lang[i] != '_'))
		return -1;
	code[i] = '\0';
	l = bsearch(code, langs, NLANG, sizeof(langs[0]), lang_cmp);
	return l ? (int)(l - langs) : -1;
}

/* ------------------------------------------------------ thread context */

/* one cache line: words longer than SCACHE_WORD bytes are not cached */
#define SCACHE_WORD 28
struct stem_ent {
	uint32_t h;         /* high bits of the word's hash */
	unsigned char lang; /* index + 1; 0: empty */
	unsigned char wlen, slen, stop;
	char word[SCACHE_WORD], stem[SCACHE_WORD];
};

struct tok_ctx {
	int32_t *cp; /* the normalised text */
	size_t cpcap;
	struct sb_stemmer *stemmer[NLANG];
	struct stem_ent *cache; /* SCACHE_SIZE entries, on first use */
	int busy;
};

static void
ctx_free(void *p)
{
	struct tok_ctx *c = p;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < NLANG; i++)
		if (c->stemmer[i])
			sb_stemmer_delete(c->stemmer[i]);
	free(c->cp);
	free(c->cache);
	free(c);
}

static _Thread_local struct tok_ctx *tls_ctx;
static pthread_key_t ctx_key;
static int ctx_key_ok;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void
ctx_key_init(void)
{
	ctx_key_ok = pthread_key_create(&ctx_key, ctx_free) == 0;
}

/* The thread's context; a private one (*own set) for a nested call. */
static struct tok_ctx *
ctx_get(int *own)
{
	struct tok_ctx *c;

	*own = 0;
	if (tls_ctx && !tls_ctx->busy)
		return tls_ctx;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (tls_ctx) {
		*own = 1;
		return c;
	}
	pthread_once(&ctx_once, ctx_key_init);
	/* without a key the context lives as long as the thread's TLS */
	if (ctx_key_ok)
		pthread_setspecific(ctx_key, c);
	tls_ctx = c;
	return c;
}

/* 0, or -1: the ceiling, or -2: no memory */
static int
cp_reserve(struct tok_ctx *c, size_t need)
{
	size_t cap = c->cpcap ? c->cpcap : 1024;
	int32_t *p;

	if (need <= c->cpcap)
		return 0;
	if (need > CP_MAX + CP_SLACK)
		return -1;
	while (cap < need)
		cap *= 2;
	p = realloc(c->cp, cap * sizeof(*p));
	if (!p)
		return -2;
	c->cp = p;
	c->cpcap = cap;
	return 0;
}

/* ----------------------------------------------------- normalisation */

/*
 * text -> c->cp[0..*len): decoded, NFKC, case-folded.  ASCII takes a short
 * path; the rest goes through utf8proc_decompose_char(), then canonical
 * ordering and composition as utf8proc_map() would do.
 */
static int
normalise(struct tok_ctx *c, const char *text, size_t *len, int *has_at)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end;
	size_t n = 0, tlen = strlen(text);
	int nonascii = 0, marks = 0, bc = 0;

	if (tlen > TOKENIZE_MAX_TEXT)
		tlen = TOKENIZE_MAX_TEXT;
	end = p + tlen;
	*has_at = 0;
	if (cp_reserve(c, tlen + CP_SLACK) != 0)
		return CLASSIFY_ERR_NOMEM;
	while (p < end) {
		utf8proc_int32_t u;
		utf8proc_ssize_t k, r;

		if (*p < 0x80) {
			unsigned char b = *p++;

			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b + 32);
			else if (b == '@')
				*has_at = 1;
			c->cp[n++] = b;
			continue;
		}
		k = utf8proc_iterate(p, end - p, &u);
		if (k < 0) {
			u = 0xFFFD; /* one bad byte, one replacement */
			k = 1;
		}
		p += k;
		nonascii = 1;
		if (c->cpcap - n < CP_SLACK &&
		    (r = cp_reserve(c, c->cpcap + CP_SLACK)) != 0) {
			if (r == -2)
				return CLASSIFY_ERR_NOMEM;
			break; /* the ceiling: the rest is not read */
		}
		r = utf8proc_decompose_char(u, c->cp + n,
		                            (utf8proc_ssize_t)(c->cpcap - n),
		                            NORM_OPTS, &bc);
		if (r < 0)
			continue;
		if ((size_t)r > c->cpcap - n) {
			int e = cp_reserve(c, n + (size_t)r + CP_SLACK);

			if (e == -2)
				return CLASSIFY_ERR_NOMEM;
			if (e)
				break;
			r = utf8proc_decompose_char(
			        u, c->cp + n, (utf8proc_ssize_t)(c->cpcap - n),
			        NORM_OPTS, &bc);
		}
		for (k = 0; k < r; k++) {
			int32_t d = c->cp[n + (size_t)k];

			if (d == '@')
				*has_at = 1;
			if (d >= 0x300 &&
			    utf8proc_get_property(d)->combining_class)
				marks = 1;
		}
		n += (size_t)r;
	}
	if (nonascii) {
		utf8proc_ssize_t r;

		if (marks) {
			/* canonical ordering of combining marks */
			size_t i = 0;

			while (n > 0 && i < n - 1) {
				int cc1 = utf8proc_get_property(c->cp[i])
				                  ->combining_class;
				int cc2 = utf8proc_get_property(c->cp[i + 1])
				                  ->combining_class;

				if (cc1 > cc2 && cc2 > 0) {
					int32_t t = c->cp[i];

					c->cp[i] = c->cp[i + 1];
					c->cp[i + 1] = t;
					if (i > 0)
						i--;
				} else {
					i++;
				}
			}
		}
		r = utf8proc_normalize_utf32(c->cp, (utf8proc_ssize_t)n,
		                             NORM_OPTS);
		if (r < 0)
			return CLASSIFY_ERR_NOMEM; /* cannot happen */
		n = (size_t)r;
	}
	*len = n;
	return CLASSIFY_OK;
}

/* --------------------------------------------------- character classes */

enum {
	K_SEP,
	K_LETTER,
	K_MARK,
	K_DIGIT,
	K_CJK,
	K_APOS,
	K_DOT,   /* inside numbers, else a sentence break */
	K_COMMA, /* inside numbers, else a separator */
	K_BREAK  /* ends a bigram chain */
};

/* clang-format off */
static const unsigned char ascii_class[128] = {
	['\n'] = K_BREAK, ['\r'] = K_BREAK, ['!'] = K_BREAK, ['?'] = K_BREAK,
	[';'] = K_BREAK, [':'] = K_BREAK, ['|'] = K_BREAK, ['.'] = K_DOT,
	[','] = K_COMMA, ['\''] = K_APOS,
	['0'] = K_DIGIT, ['1'] = K_DIGIT, ['2'] = K_DIGIT, ['3'] = K_DIGIT,
	['4'] = K_DIGIT, ['5'] = K_DIGIT, ['6'] = K_DIGIT, ['7'] = K_DIGIT,
	['8'] = K_DIGIT, ['9'] = K_DIGIT,
	['a'] = K_LETTER, ['b'] = K_LETTER, ['c'] = K_LETTER, ['d'] = K_LETTER,
	['e'] = K_LETTER, ['f'] = K_LETTER, ['g'] = K_LETTER, ['h'] = K_LETTER,
	['i'] = K_LETTER, ['j'] = K_LETTER, ['k'] = K_LETTER, ['l'] = K_LETTER,
	['m'] = K_LETTER, ['n'] = K_LETTER, ['o'] = K_LETTER, ['p'] = K_LETTER,
	['q'] = K_LETTER, ['r'] = K_LETTER, ['s'] = K_LETTER, ['t'] = K_LETTER,
	['u'] = K_LETTER, ['v'] = K_LETTER, ['w'] = K_LETTER, ['x'] = K_LETTER,
	['y'] = K_LETTER, ['z'] = K_LETTER,
	/* folded away, but kept right */
	['A'] = K_LETTER, ['B'] = K_LETTER, ['C'] = K_LETTER, ['D'] = K_LETTER,
	['E'] = K_LETTER, ['F'] = K_LETTER, ['G'] = K_LETTER, ['H'] = K_LETTER,
	['I'] = K_LETTER, ['J'] = K_LETTER, ['K'] = K_LETTER, ['L'] = K_LETTER,
	['M'] = K_LETTER, ['N'] = K_LETTER, ['O'] = K_LETTER, ['P'] = K_LETTER,
	['Q'] = K_LETTER, ['R'] = K_LETTER, ['S'] = K_LETTER, ['T'] = K_LETTER,
	['U'] = K_LETTER, ['V'] = K_LETTER, ['W'] = K_LETTER, ['X'] = K_LETTER,
	['Y'] = K_LETTER, ['Z'] = K_LETTER,
};
/* clang-format on */

/* Han, Kana, Hangul: scripts written without spaces between words */
int
tokenize_is_cjk(int32_t c)
{
	return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3005 && c <= 0x3007) ||
	       (c >= 0x3021 && c <= 0x3029) || (c >= 0x3031 && c <= 0x3035) ||
	       (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3130 && c <= 0x318F) ||
	       (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA960 && c <= 0xA97F) ||
	       (c >= 0xAC00 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x20000 && c <= 0x3FFFF);
}

static int
char_class(int32_t c)
{
	if (c < 0x80)
		return c >= 0 ? ascii_class[c] : K_SEP;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		if (c == 0x02BC) /* modifier letter apostrophe */
			return K_APOS;
		return tokenize_is_cjk(c) ? K_CJK : K_LETTER;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME: return K_MARK;
	case UTF8PROC_CATEGORY_NL: return tokenize_is_cjk(c) ? K_CJK : K_DIGIT;
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NO: return K_DIGIT;
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP: return K_BREAK;
	case UTF8PROC_CATEGORY_PF: return c == 0x2019 ? K_APOS : K_SEP;
	case UTF8PROC_CATEGORY_PO:
		/* ideographic full stop; full-width !?;: are ASCII by now */
		return c == 0x3002 ? K_BREAK : K_SEP;
	default: return K_SEP;
	}
}

/* ------------------------------------------------------------ the scan */

struct tok {
	struct tok_ctx *c;
	const struct classify_feature_opts *o;
	int lang; /* index in langs, -1: none */
	struct sb_stemmer *stemmer;
	const char *const *stop;
	size_t nstop;
	void (*fn)(const char *term, size_t len, void *arg);
	void *arg;
	int rc;
	size_t prevlen; /* previous kept word, for bigrams; 0: none */
	char prev[TERM_MAX + 1];
	char buf[2 * TERM_MAX + 2];
};

static size_t
put_utf8(char *dst, int32_t c)
{
	return (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)dst);
}

struct key {
	const char *p;
	size_t len;
};

static int
stop_cmp(const void *k, const void *e)
{
	const struct key *key = k;
	const char *s = *(const char *const *)e;
	size_t sl = strlen(s);
	int r = memcmp(key->p, s, key->len < sl ? key->len : sl);

	if (r)
		return r;
	return (key->len > sl) - (key->len < sl);
}

static int
is_stop(const struct tok *t, const char *w, size_t len)
{
	struct key k = { w, len };

	return t->stop &&
	       bsearch(&k, t->stop, t->nstop, sizeof(t->stop[0]), stop_cmp);
}

static void
emit(struct tok *t, const char *term, size_t len)
{
	t->fn(term, len, t->arg);
}

static void
emit_class(struct tok *t, const char *term)
{
	t->prevlen = 0;
	emit(t, term, strlen(term));
}

/* A kept word: the bigram with the word before it, then the word. */
static void
emit_word(struct tok *t, const char *w, size_t len)
{
	if (t->o->word_bigrams && t->prevlen) {
		memcpy(t->buf, t->prev, t->prevlen);
		t->buf[t->prevlen] = ' ';
		memcpy(t->buf + t->prevlen + 1, w, len);
		t->buf[t->prevlen + 1 + len] = '\0';
		emit(t, t->buf, t->prevlen + 1 + len);
	}
	memcpy(t->prev, w, len);
	t->prev[len] = '\0';
	t->prevlen = len;
	emit(t, t->prev, len);
}

/* w[0..len) holds a word (NUL-terminated): stop words, stemming, emit. */
static void
finish_word(struct tok *t, char *w, size_t len)
{
	struct stem_ent *e;
	const sb_symbol *s;
	uint64_t h;
	int sl;

	if (!t->stemmer || !t->o->stem) {
		if (t->o->stopwords && is_stop(t, w, len))
			return;
		emit_word(t, w, len);
		return;
	}
	/* stemming is the costly part: a direct-mapped cache of results */
	if (!t->c->cache) {
		t->c->cache = calloc(SCACHE_SIZE, sizeof(*t->c->cache));
		if (!t->c->cache) {
			t->rc = CLASSIFY_ERR_NOMEM;
			return;
		}
	}
	if (len > SCACHE_WORD) { /* rare: stem it uncached */
		if (t->o->stopwords && is_stop(t, w, len))
			return;
		s = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)len);
		if (!s) {
			t->rc = CLASSIFY_ERR_NOMEM;
			return;
		}
		sl = sb_stemmer_length(t->stemmer);
		if (sl > 0 && sl <= TERM_MAX) {
			memcpy(w, s, (size_t)sl);
			w[sl] = '\0';
			len = (size_t)sl;
		}
		emit_word(t, w, len);
		return;
	}
	h = hash_bytes(w, len) ^ (uint64_t)t->lang;
	e = &t->c->cache[h & (SCACHE_SIZE - 1)];
	if (!(e->lang == t->lang + 1 && e->h == (uint32_t)(h >> 32) &&
	      e->wlen == len && memcmp(e->word, w, len) == 0)) {
		e->lang = 0;
		e->stop = (unsigned char)is_stop(t, w, len);
		s = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)len);
		if (!s) {
			t->rc = CLASSIFY_ERR_NOMEM;
			return;
		}
		sl = sb_stemmer_length(t->stemmer);
		if (sl <= 0 || sl > SCACHE_WORD) { /* keep the word itself */
			s = (const sb_symbol *)w;
			sl = (int)len;
		}
		memcpy(e->word, w, len);
		memcpy(e->stem, s, (size_t)sl);
		e->wlen = (unsigned char)len;
		e->slen = (unsigned char)sl;
		e->h = (uint32_t)(h >> 32);
		e->lang = (unsigned char)(t->lang + 1);
	}
	if (t->o->stopwords && e->stop)
		return;
	memcpy(w, e->stem, e->slen);
	w[e->slen] = '\0';
	emit_word(t, w, e->slen);
}

/* clang-format off */
/* sorted: searched with bsearch(); French, Italian, Catalan elisions */
static const char *const elisions[] = {
	"all", "bell", "c", "coll", "d", "dall", "dell", "j", "jusqu", "l",
	"lorsqu", "m", "n", "nell", "presqu", "puisqu", "qu", "quell",
	"quelqu", "quoiqu", "s", "sull", "t", "un",
};
/* sorted: English clitics dropped after an apostrophe ("n't" is joined) */
static const char *const clitics[] = { "d", "ll", "m", "re", "s", "ve" };
/* clang-format on */

static int
in_list(const char *const *list, size_t n, const char *w, size_t len)
{
	struct key k = { w, len };

	return bsearch(&k, list, n, sizeof(list[0]), stop_cmp) != NULL;
}

/*
 * The word cp[a..b), with apostrophes at apos[0..napos): elided prefixes
 * and clitic suffixes cut, the rest joined, as UTF-8 into out.  Returns
 * its length, or outsz when it does not fit.
 */
static size_t
word_utf8(const int32_t *cp, size_t a, size_t b, const size_t *apos,
          size_t napos, char *out, size_t outsz)
{
	char seg[TERM_MAX + 1];
	size_t i, n = 0, first = 0, last = napos; /* segments first..last */

	/* segment j is cp[(j ? apos[j-1] + 1 : a) .. (j < napos ? apos[j] : b))
	 */
	while (first < last) {
		size_t s = first ? apos[first - 1] + 1 : a, e = apos[first];
		size_t k = 0;

		for (i = s; i < e && k + 4 < sizeof(seg); i++)
			k += put_utf8(seg + k, cp[i]);
		if (i < e ||
		    !in_list(elisions, sizeof(elisions) / sizeof(elisions[0]),
		             seg, k))
			break;
		first++;
	}
	if (last > first) {
		size_t s = apos[last - 1] + 1, k = 0;

		for (i = s; i < b && k + 4 < sizeof(seg); i++)
			k += put_utf8(seg + k, cp[i]);
		if (i == b &&
		    in_list(clitics, sizeof(clitics) / sizeof(clitics[0]), seg,
		            k)) {
			b = apos[last - 1];
			last--;
		}
	}
	if (first)
		a = apos[first - 1] + 1;
	for (i = a; i < b; i++) {
		char u[4];
		size_t l;

		if (cp[i] == '\'' || cp[i] == 0x2019 || cp[i] == 0x02BC)
			continue;
		l = put_utf8(u, cp[i]);
		if (l > outsz - 1 - n)
			return outsz; /* too long */
		memcpy(out + n, u, l);
		n += l;
	}
	out[n] = '\0';
	return n;
}

/* A word starting at i; returns where it ends. */
static size_t
scan_word(struct tok *t, const int32_t *cp, size_t i, size_t n)
{
	char w[TERM_MAX + 8];
	size_t apos[MAX_APOS], napos = 0, a = i, len;
	int letters = 0, numsep = 0;

	for (; i < n; i++) {
		int k = char_class(cp[i]);

		if (k == K_LETTER) {
			if (numsep)
				break; /* "1.5km": <num>, then "km" */
			letters = 1;
		} else if (k == K_DIGIT || (k == K_MARK && i > a)) {
			/* part of the word */
		} else if (k == K_APOS && i > a && i + 1 < n &&
		           char_class(cp[i + 1]) == K_LETTER &&
		           char_class(cp[i - 1]) != K_DIGIT && !numsep &&
		           letters) {
			if (napos < MAX_APOS)
				apos[napos++] = i;
		} else if ((k == K_DOT || k == K_COMMA) && !letters && i > a &&
		           char_class(cp[i - 1]) == K_DIGIT && i + 1 < n &&
		           char_class(cp[i + 1]) == K_DIGIT) {
			numsep = 1;
		} else {
			break;
		}
	}
	if (!letters) {
		emit_class(t, "<num>");
		return i;
	}
	len = word_utf8(cp, a, i, apos, napos, w, TERM_MAX + 1);
	if (len > TERM_MAX) {
		t->prevlen = 0; /* dropped: the chain breaks */
		return i;
	}
	if (len)
		finish_word(t, w, len);
	return i;
}

static int
url_end(int32_t c)
{
	int k;

	if (c <= 0x20 || c == '"' || c == '<' || c == '>' || c == 0x7f)
		return 1;
	if (c < 0x80)
		return 0;
	k = char_class(c);
	if (k == K_CJK || k == K_BREAK || (c >= 0x3000 && c <= 0x303F))
		return 1;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_PI:
	case UTF8PROC_CATEGORY_PF: return 1;
	default: return c == 0xFFFD;
	}
}

static int
has_prefix(const int32_t *cp, size_t i, size_t n, const char *s)
{
	for (; *s; s++, i++)
		if (i >= n || cp[i] != (unsigned char)*s)
			return 0;
	return 1;
}

/* http://, https://, www. at i: where the URL ends, else 0 */
static size_t
match_url(const int32_t *cp, size_t i, size_t n)
{
	size_t j;

	if (has_prefix(cp, i, n, "https://"))
		j = i + 8;
	else if (has_prefix(cp, i, n, "http://"))
		j = i + 7;
	else if (has_prefix(cp, i, n, "www."))
		j = i + 4;
	else
		return 0;
	if (j >= n || url_end(cp[j]))
		return 0;
	while (j < n && !url_end(cp[j]))
		j++;
	return j;
}

static int
is_alnum(int32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* local@domain.tld (ASCII) at i: where it ends, else 0 */
static size_t
match_email(const int32_t *cp, size_t i, size_t n)
{
	size_t j = i, label, dots = 0, end = 0;
	int alpha;

	while (j < n && (is_alnum(cp[j]) || cp[j] == '.' || cp[j] == '_' ||
	                 cp[j] == '%' || cp[j] == '+' || cp[j] == '-'))
		j++;
	if (j == i || j >= n || cp[j] != '@')
		return 0;
	j++;
	for (;;) {
		label = j;
		alpha = 1;
		while (j < n && (is_alnum(cp[j]) || cp[j] == '-')) {
			if (cp[j] < 'a')
				alpha = 0;
			j++;
		}
		if (j == label)
			break;
		if (dots && alpha && j - label >= 2)
			end = j;
		if (j + 1 < n && cp[j] == '.' && is_alnum(cp[j + 1])) {
			dots++;
			j++;
		} else {
			break;
		}
	}
	return end;
}

static int
cjk_stop(const struct tok *t, const char *s, size_t len)
{
	return t->o->stopwords && is_stop(t, s, len);
}

/*
 * A CJK run from i: unigrams, each followed by the bigram it starts.  A
 * stop word unigram is dropped; a bigram when it is a stop word or both
 * its characters are ("们的"), not when one is ("会议", meeting).
 */
static size_t
scan_cjk(struct tok *t, const int32_t *cp, size_t i, size_t n)
{
	char *b = t->buf;
	size_t l1, l2;
	int stop1, stop2 = -1;

	t->prevlen = 0;
	while (i < n) {
		size_t j = i + 1;

		l1 = put_utf8(b, cp[i]);
		b[l1] = '\0';
		stop1 = stop2 >= 0 ? stop2 : cjk_stop(t, b, l1);
		if (!stop1)
			emit(t, b, l1);
		while (j < n && char_class(cp[j]) == K_MARK)
			j++; /* marks left uncomposed: ignored */
		if (j >= n || char_class(cp[j]) != K_CJK)
			return j;
		l2 = put_utf8(b, cp[j]);
		b[l2] = '\0';
		stop2 = cjk_stop(t, b, l2);
		l1 = put_utf8(b, cp[i]);
		l2 = put_utf8(b + l1, cp[j]);
		b[l1 + l2] = '\0';
		if (!(stop1 && stop2) && !cjk_stop(t, b, l1 + l2))
			emit(t, b, l1 + l2);
		i = j;
	}
	return i;
}

/* With cjk_ngrams off, a CJK run is one word. */
static size_t
scan_cjk_word(struct tok *t, const int32_t *cp, size_t i, size_t n)
{
	char w[TERM_MAX + 8];
	size_t len = 0;
	int toolong = 0;

	for (; i < n; i++) {
		int k = char_class(cp[i]);

		char u[4];
		size_t l;

		if (k != K_CJK && k != K_MARK)
			break;
		l = put_utf8(u, cp[i]);
		if (l > TERM_MAX - len) {
			toolong = 1;
		} else {
			memcpy(w + len, u, l);
			len += l;
		}
	}
	w[len] = '\0';
	if (toolong)
		t->prevlen = 0;
	else
		finish_word(t, w, len);
	return i;
}

int
classify_tokenize(const char *text, const char *lang,
                  const struct classify_feature_opts *o,
                  void (*fn)(const char *term, size_t len, void *arg),
                  void *arg)
{
	struct classify_feature_opts def;
	struct tok t;
	struct tok_ctx *c;
	const int32_t *cp;
	size_t i, n;
	int own, has_at, rc;

	if (!text || !fn)
		return CLASSIFY_ERR_USAGE;
	if (!o) {
		classify_feature_opts_default(&def);
		o = &def;
	}
	c = ctx_get(&own);
	if (!c)
		return CLASSIFY_ERR_NOMEM;
	c->busy = 1;
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.o = o;
	t.fn = fn;
	t.arg = arg;
	if ((!lang || !*lang) && o->detect_lang)
		lang = classify_langid(text, strlen(text));
	t.lang = lang_find(lang);
	if (t.lang >= 0) {
		const struct lang *l = &langs[t.lang];

		/* looked up even when not applied: the stem cache keeps it */
		if (l->stopcode)
			t.stop = stopwords_get(l->stopcode, &t.nstop);
		if (l->algorithm && o->stem) {
			if (!c->stemmer[t.lang])
				c->stemmer[t.lang] =
				        sb_stemmer_new(l->algorithm, "UTF_8");
			t.stemmer = c->stemmer[t.lang];
			if (!t.stemmer) {
				rc = CLASSIFY_ERR_NOMEM;
				goto out;
			}
		}
	}
	rc = normalise(c, text, &n, &has_at);
	if (rc != CLASSIFY_OK)
		goto out;
	cp = c->cp;
	for (i = 0; i < n && t.rc == CLASSIFY_OK;) {
		int k = char_class(cp[i]);
		size_t j;

		switch (k) {
		case K_LETTER:
		case K_DIGIT:
			if ((cp[i] == 'h' || cp[i] == 'w') &&
			    (j = match_url(cp, i, n)) != 0) {
				emit_class(&t, "<url>");
				t.prevlen = 0;
				i = j;
			} else if (has_at && is_alnum(cp[i]) &&
			           (j = match_email(cp, i, n)) != 0) {
				emit_class(&t, "<email>");
				t.prevlen = 0;
				i = j;
			} else {
				i = scan_word(&t, cp, i, n);
			}
			break;
		case K_CJK:
			if (o->cjk_ngrams)
				i = scan_cjk(&t, cp, i, n);
			else
				i = scan_cjk_word(&t, cp, i, n);
			t.prevlen = 0;
			break;
		case K_DOT:
		case K_BREAK:
			t.prevlen = 0;
			i++;
			break;
		default: i++; break;
		}
	}
	rc = t.rc;
out:
	c->busy = 0;
	if (own)
		ctx_free(c);
	return rc;
}
