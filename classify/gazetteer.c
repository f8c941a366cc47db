/*
 * gazetteer.c - the countries a text names: classify_gazetteer_load(),
 * classify_gazetteer_free(), classify_countries().
 *
 * Text and names go through one normaliser, so that they meet in the same
 * form: NFKD with compatibility mappings and case folding (utf8proc, one
 * character at a time), default ignorables removed, marks dropped after a
 * base letter of Latin, Greek, Cyrillic, Hebrew or Arabic script ("México"
 * is "mexico", "Соединённые" is "соединенные", "الصّين" is "الصين"; in
 * Thai or Devanagari the marks are vowels and stay), Persian ی ک and ى
 * folded to Arabic ي ك.  The result is cut into tokens: a word is a run of
 * letters, digits and marks in a spaced script; every character of Han,
 * Kana, Hangul, Thai, Lao, Khmer, Myanmar or Tibetan is a token of its own,
 * so a name in those scripts matches at any character ("在意大利").  All
 * else, apostrophes and hyphens included, separates: "U.S." is "u s",
 * "l'Italie" is "l italie"; but a currency sign is a token, so that "US$"
 * can be told from "US".  Each token remembers the case of its source
 * letters, for the names that ask ("US" only in capitals; "cap").
 *
 * The names form a trie over tokens whose edges live in one open-addressed
 * hash table keyed by (parent node, token); an edge keeps its token's code
 * points, so a match is exact, never a hash coincidence.  A name ending in
 * '*' ends in a prefix edge: the last word of the text need only start
 * with it (keyed by its first PFX_MIN code points).
 *
 * Matching is one left-to-right pass: at each token the longest name
 * starting there whose conditions hold wins (a whole name beats a prefix of
 * the same length, a longer prefix a shorter one), its tokens are consumed,
 * and the scan goes on after it; a blocking phrase wins like a name and
 * reports nothing.  Katakana names do not start or end inside a Katakana
 * word, Hangul names do not start inside a Hangul word (particles may
 * follow).  A name does not run across a line break or | ! ? ; 。.
 *
 * Invariant: after classify_gazetteer_load() returns, nothing writes to
 * the gazetteer; classify_countries() uses its stack only (a ring of
 * RING tokens and one record per country, about 20 KB), so it is
 * thread-safe and reads text of any length without allocating.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "classify.h"
#include "internal.h"

#define NAME_MAXTOK 32      /* tokens in a name */
#define WORD_MAXCP  40      /* code points in a word of a name */
#define PFX_MIN     4       /* code points before a '*' */
#define RING        64      /* tokens kept while matching: > NAME_MAXTOK + 2 */
#define NORM_MAX    32      /* code points one character may become */
#define LINE_MAXLEN 4096    /* bytes in a gazetteer line */
#define NAMES_MAX   4000000 /* names in a gazetteer */
#define NCODES      (26 * 26)
#define NONE        UINT32_MAX

/* the ring holds the token before a match, the match and the one after */
_Static_assert(RING > NAME_MAXTOK + 2 && (RING & (RING - 1)) == 0,
               "RING: a power of two above NAME_MAXTOK + 2");

#define NORM_OPTS                                                              \
	(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |            \
	 UTF8PROC_IGNORE)

/* ------------------------------------------------------------ the data */

enum { EK_STRONG, EK_WEAK, EK_CONTEXT, EK_BLOCK };

struct entry {
	uint32_t capmask;    /* token j must start with a capital (bit j) */
	char code[2];        /* "--" for a blocking phrase */
	unsigned char kind;  /* EK_* */
	unsigned char exact; /* no lowercase letter in the matched text */
};

struct node {
	uint32_t ent; /* first entry in g->ents */
	uint32_t nent;
	unsigned char kids;  /* has whole-token edges */
	unsigned char pkids; /* has prefix edges */
};

struct edge {
	uint64_t key; /* 0: an empty slot */
	uint32_t parent, child;
	uint32_t str; /* the token's code points, in g->pool */
	unsigned char len, prefix, sep;
};

struct classify_gazetteer {
	struct node *nodes;
	size_t nnodes, capnodes;
	struct entry *ents;
	size_t nents;
	struct edge *edges; /* power-of-two slots, at most half full */
	size_t nedges, capedges;
	int32_t *pool;
	size_t npool, cappool;
};

/* ----------------------------------------------------- normalisation */

enum { CASE_NONE, CASE_LOWER, CASE_UPPER };

struct lex {
	const unsigned char *p, *end;
	int32_t buf[NORM_MAX]; /* the current source character, normalised */
	int nbuf, ibuf;
	int bufcase; /* CASE_* of that source character */
	int strip;   /* marks after the last base are dropped */
};

static int
src_case(int32_t u)
{
	if (u < 0x80)
		return u >= 'a' && u <= 'z'   ? CASE_LOWER
		       : u >= 'A' && u <= 'Z' ? CASE_UPPER
		                              : CASE_NONE;
	switch (utf8proc_category(u)) {
	case UTF8PROC_CATEGORY_LL: return CASE_LOWER;
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LT: return CASE_UPPER;
	default: return CASE_NONE;
	}
}

/* scripts whose marks are accents, not letters (tools/gazetteer.py too) */
static int
strip_script(int32_t c)
{
	return c < 0x0700 || (c >= 0x0750 && c <= 0x077F) ||
	       (c >= 0x08A0 && c <= 0x08FF) || (c >= 0x1E00 && c <= 0x1FFF) ||
	       (c >= 0x2C60 && c <= 0x2C7F) || (c >= 0xA720 && c <= 0xA7FF) ||
	       (c >= 0xFB00 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF);
}

static int
is_mark(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME: return 1;
	default: return 0;
	}
}

/* Makes lx->buf[lx->ibuf] the next normalised code point; 0 at the end. */
static int
lex_fill(struct lex *lx)
{
	while (lx->ibuf >= lx->nbuf) {
		utf8proc_int32_t u;
		utf8proc_ssize_t k, r, i;
		int bc = 0, n = 0;

		if (lx->p >= lx->end)
			return 0;
		lx->ibuf = 0;
		if (*lx->p < 0x80) {
			u = *lx->p++;
			lx->bufcase = src_case(u);
			if (u >= 'A' && u <= 'Z')
				u += 'a' - 'A';
			lx->buf[0] = u;
			lx->nbuf = 1;
			lx->strip = 1;
			return 1;
		}
		k = utf8proc_iterate(lx->p, lx->end - lx->p, &u);
		if (k < 0) {
			u = 0xFFFD; /* one bad byte, one replacement */
			k = 1;
		}
		lx->p += k;
		lx->bufcase = src_case(u);
		if (u >= 0xAC00 && u <= 0xD7A3) {
			/* Hangul syllables stay whole: matched per syllable */
			lx->buf[0] = u;
			lx->nbuf = 1;
			lx->strip = 0;
			return 1;
		}
		r = utf8proc_decompose_char(u, lx->buf, NORM_MAX, NORM_OPTS,
		                            &bc);
		if (r < 0 || r > NORM_MAX)
			r = 0;
		for (i = 0; i < r; i++) {
			int32_t d = lx->buf[i];

			if (is_mark(d)) {
				if (lx->strip)
					continue;
			} else {
				lx->strip = strip_script(d);
				if (d == 0x0640) /* Arabic tatweel */
					continue;
				if (d == 0x06CC || d == 0x0649)
					d = 0x064A; /* Persian yeh, maksura */
				else if (d == 0x06A9)
					d = 0x0643; /* Persian keheh */
			}
			lx->buf[n++] = d;
		}
		lx->nbuf = n;
	}
	return 1;
}

/* ---------------------------------------------------------- tokens */

enum { C_SEP, C_BREAK, C_WORD, C_MARK, C_UNSP };
enum { TK_WORD, TK_CHAR };
enum { SC_OTHER, SC_KATA, SC_HANGUL };

/* struct tok.caps */
#define T_CAPFIRST 0x01 /* the first letter is not lowercase */
#define T_FIRSTUP  0x02 /* the first letter is a capital */
#define T_NOLOWER  0x04 /* no lowercase letter */
#define T_HASUP    0x08 /* some capital */
#define T_LONG     0x10 /* longer than WORD_MAXCP: only prefixes match */

struct tok {
	uint64_t h;
	unsigned char kind, script, caps;
	unsigned char sep; /* something separated it from the token before */
	unsigned char brk; /* ... a line break or | ! ? ; 。 among it */
	unsigned char n;   /* code points in cp */
	int32_t cp[WORD_MAXCP];
};

/* Scripts written without spaces between words: the tokenizer's CJK, and
 * Thai, Lao, Tibetan, Myanmar and Khmer. */
static int
is_unspaced(int32_t c)
{
	return (c >= 0x0E00 && c <= 0x0FFF) || (c >= 0x1000 && c <= 0x109F) ||
	       (c >= 0x1780 && c <= 0x17FF) || tokenize_is_cjk(c);
}

static int
script_of(int32_t c)
{
	if ((c >= 0x30A0 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF))
		return SC_KATA;
	if ((c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
	    (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF))
		return SC_HANGUL;
	return SC_OTHER;
}

static int
cp_class(int32_t c)
{
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			return C_WORD;
		if (c == '$')
			return C_UNSP;
		return c == '\n' || c == '\r' || c == '|' || c == '!' ||
		                       c == '?' || c == ';'
		               ? C_BREAK
		               : C_SEP;
	}
	if (c == 0x3002 || c == 0x2028 || c == 0x2029)
		return C_BREAK;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_NL: return is_unspaced(c) ? C_UNSP : C_WORD;
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NO: return C_WORD;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME: return C_MARK;
	/* a currency sign is a token: "US$" is not "US" */
	case UTF8PROC_CATEGORY_SC: return C_UNSP;
	default: return C_SEP;
	}
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static uint64_t
hash_cps(const int32_t *c, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint32_t)c[i];
		h *= 0x100000001b3ull;
	}
	return mix64(h ^ n);
}

static void
tok_add(struct tok *t, int32_t c, int cs, int first)
{
	if (first) {
		if (cs != CASE_LOWER)
			t->caps |= T_CAPFIRST;
		if (cs == CASE_UPPER)
			t->caps |= T_FIRSTUP;
	}
	if (cs == CASE_LOWER)
		t->caps &= (unsigned char)~T_NOLOWER;
	else if (cs == CASE_UPPER)
		t->caps |= T_HASUP;
	if (t->n < WORD_MAXCP)
		t->cp[t->n++] = c;
	else
		t->caps |= T_LONG;
}

/* The next token of lx into t; 0 at the end of the text. */
static int
lex_token(struct lex *lx, struct tok *t)
{
	int k;

	t->sep = t->brk = 0;
	for (;;) {
		if (!lex_fill(lx))
			return 0;
		k = cp_class(lx->buf[lx->ibuf]);
		if (k == C_WORD || k == C_UNSP)
			break;
		if (k == C_BREAK)
			t->brk = 1;
		t->sep = 1; /* a mark with no letter before it too */
		lx->ibuf++;
	}
	t->n = 0;
	t->caps = T_NOLOWER;
	t->kind = k == C_UNSP ? TK_CHAR : TK_WORD;
	t->script = k == C_UNSP ? (unsigned char)script_of(lx->buf[lx->ibuf])
	                        : SC_OTHER;
	tok_add(t, lx->buf[lx->ibuf], lx->bufcase, 1);
	lx->ibuf++;
	while (lex_fill(lx)) {
		int32_t c = lx->buf[lx->ibuf];
		int ck = cp_class(c);

		if (ck != C_MARK && (k != C_WORD || ck != C_WORD))
			break;
		tok_add(t, c, lx->bufcase, 0);
		lx->ibuf++;
	}
	t->h = hash_cps(t->cp, t->n);
	return 1;
}

/* Tokens separated from the one before count only between two characters
 * of an unspaced script: "中国" is not "中 国", "刚果(布)" needs the '('. */
static int
tok_sep(const struct tok *prev, const struct tok *t)
{
	return prev && prev->kind == TK_CHAR && t->kind == TK_CHAR ? t->sep : 0;
}

/* ------------------------------------------------------------- edges */

static uint64_t
edge_key(uint32_t parent, uint64_t h, int sep, int prefix)
{
	uint64_t k = mix64(h ^ ((uint64_t)parent + 1) * 0x9E3779B97F4A7C15ull ^
	                   (uint64_t)sep << 62 ^ (uint64_t)prefix << 63);

	return k ? k : 1;
}

/* The child of parent by token t (sep as tok_sep()), or NONE. */
static uint32_t
edge_next(const struct classify_gazetteer *g, uint32_t parent,
          const struct tok *t, int sep)
{
	uint64_t key = edge_key(parent, t->h, sep, 0);
	size_t mask = g->capedges - 1, i = key & mask;

	for (;; i = (i + 1) & mask) {
		const struct edge *e = &g->edges[i];

		if (!e->key)
			return NONE;
		if (e->key == key && e->parent == parent && !e->prefix &&
		    e->sep == sep && e->len == t->n &&
		    memcmp(g->pool + e->str, t->cp, t->n * sizeof(int32_t)) ==
		            0)
			return e->child;
	}
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -1;
		n *= 2;
	}
	q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static int
edges_rehash(struct classify_gazetteer *g)
{
	size_t cap = g->capedges ? g->capedges * 2 : 1024, i;
	struct edge *e = calloc(cap, sizeof(*e));

	if (!e)
		return -1;
	for (i = 0; i < g->capedges; i++) {
		size_t j;

		if (!g->edges[i].key)
			continue;
		for (j = g->edges[i].key & (cap - 1); e[j].key;
		     j = (j + 1) & (cap - 1))
			;
		e[j] = g->edges[i];
	}
	free(g->edges);
	g->edges = e;
	g->capedges = cap;
	return 0;
}

static uint32_t
node_new(struct classify_gazetteer *g)
{
	if (g->nnodes >= NONE - 1 ||
	    grow((void **)&g->nodes, &g->capnodes, g->nnodes + 1,
	         sizeof(*g->nodes)) != 0)
		return NONE;
	memset(&g->nodes[g->nnodes], 0, sizeof(*g->nodes));
	return (uint32_t)g->nnodes++;
}

/* The child of parent by t, created when missing; NONE: no memory. */
static uint32_t
edge_add(struct classify_gazetteer *g, uint32_t parent, const struct tok *t,
         int sep, int prefix)
{
	uint64_t h = prefix ? hash_cps(t->cp, PFX_MIN) : t->h;
	uint64_t key = edge_key(parent, h, sep, prefix);
	size_t mask, i;
	struct edge *e;
	uint32_t child;

	if ((g->nedges + 1) * 2 > g->capedges && edges_rehash(g) != 0)
		return NONE;
	mask = g->capedges - 1;
	for (i = key & mask; g->edges[i].key; i = (i + 1) & mask) {
		e = &g->edges[i];
		if (e->key == key && e->parent == parent &&
		    e->prefix == prefix && e->sep == sep && e->len == t->n &&
		    memcmp(g->pool + e->str, t->cp, t->n * sizeof(int32_t)) ==
		            0)
			return e->child;
	}
	if (g->npool > UINT32_MAX - WORD_MAXCP ||
	    grow((void **)&g->pool, &g->cappool, g->npool + t->n,
	         sizeof(*g->pool)) != 0)
		return NONE;
	child = node_new(g);
	if (child == NONE)
		return NONE;
	e = &g->edges[i];
	e->key = key;
	e->parent = parent;
	e->child = child;
	e->str = (uint32_t)g->npool;
	e->len = t->n;
	e->prefix = (unsigned char)prefix;
	e->sep = (unsigned char)sep;
	memcpy(g->pool + g->npool, t->cp, t->n * sizeof(int32_t));
	g->npool += t->n;
	g->nedges++;
	if (prefix)
		g->nodes[parent].pkids = 1;
	else
		g->nodes[parent].kids = 1;
	return child;
}

/* ------------------------------------------------------------ loading */

struct pending {
	uint32_t node, seq;
	struct entry e;
};

struct loader {
	struct classify_gazetteer *g;
	struct pending *p;
	size_t np, capp;
	const char *path;
	long line;
	char *err;
	size_t errsz;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
bad_line(struct loader *ld, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ld->err || !ld->errsz)
		return CLASSIFY_ERR_CORRUPT;
	n = snprintf(ld->err, ld->errsz, "gazetteer '%s': line %ld: ", ld->path,
	             ld->line);
	if (n >= 0 && (size_t)n < ld->errsz) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return CLASSIFY_ERR_CORRUPT;
}

static int
no_memory(struct loader *ld)
{
	if (ld->err && ld->errsz)
		snprintf(ld->err, ld->errsz, "gazetteer '%s': out of memory",
		         ld->path);
	return CLASSIFY_ERR_NOMEM;
}

/* flags: "" or comma-separated cap, weak, context */
static int
parse_flags(struct loader *ld, const char *s, size_t len, int *cap, int *kind)
{
	size_t i = 0;

	*cap = 0;
	while (i < len) {
		size_t a, b;

		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
		a = i;
		while (i < len && s[i] != ',' && s[i] != ' ')
			i++;
		b = i;
		if (a == b)
			continue;
		if (b - a == 3 && memcmp(s + a, "cap", 3) == 0) {
			*cap = 1;
		} else if ((b - a == 4 && memcmp(s + a, "weak", 4) == 0) ||
		           (b - a == 7 && memcmp(s + a, "context", 7) == 0)) {
			int k = s[a] == 'w' ? EK_WEAK : EK_CONTEXT;

			if (*kind == EK_BLOCK)
				return bad_line(
				        ld, "flag '%.*s' on a blocking phrase",
				        (int)(b - a), s + a);
			if (*kind != EK_STRONG && *kind != k)
				return bad_line(ld, "flags 'weak' and "
				                    "'context' together");
			*kind = k;
		} else {
			return bad_line(ld, "unknown flag '%.*s'",
			                (int)(b - a > 40 ? 40 : b - a), s + a);
		}
	}
	return CLASSIFY_OK;
}

/* name[0..len) -> tokens; *ntok tokens, prefix set for a trailing '*' */
static int
parse_name(struct loader *ld, const char *name, size_t len, struct tok *toks,
           size_t *ntok, int *prefix)
{
	struct lex lx;
	size_t i;

	*prefix = 0;
	*ntok = 0;
	while (len && (name[len - 1] == ' '))
		len--;
	if (len && name[len - 1] == '*') {
		*prefix = 1;
		len--;
	}
	for (i = 0; i < len;) {
		utf8proc_int32_t u;
		utf8proc_ssize_t k =
		        utf8proc_iterate((const utf8proc_uint8_t *)name + i,
		                         (utf8proc_ssize_t)(len - i), &u);

		if (k < 0)
			return bad_line(ld, "invalid UTF-8 in the name");
		if (u == '*')
			return bad_line(ld, "'*' only ends a name");
		i += (size_t)k;
	}
	memset(&lx, 0, sizeof(lx));
	lx.p = (const unsigned char *)name;
	lx.end = lx.p + len;
	for (*ntok = 0;; (*ntok)++) {
		struct tok extra;
		struct tok *t = *ntok < NAME_MAXTOK ? &toks[*ntok] : &extra;

		if (!lex_token(&lx, t))
			break;
		if (*ntok >= NAME_MAXTOK)
			return bad_line(ld, "name longer than %d words",
			                NAME_MAXTOK);
		if (t->caps & T_LONG)
			return bad_line(ld, "word longer than %d characters",
			                WORD_MAXCP);
	}
	if (*ntok == 0)
		return bad_line(ld, "name without letters");
	if (*prefix &&
	    (toks[*ntok - 1].kind != TK_WORD || toks[*ntok - 1].n < PFX_MIN ||
	     ((unsigned char)name[len - 1] < 0x80 &&
	      cp_class(name[len - 1]) == C_SEP)))
		return bad_line(ld, "'*' needs a word of %d letters or more",
		                PFX_MIN);
	return CLASSIFY_OK;
}

static int
parse_line(struct loader *ld, char *s, size_t len)
{
	struct tok toks[NAME_MAXTOK];
	struct entry e;
	const char *name, *flags = "", *tab;
	size_t namelen, flagslen = 0, ntok = 0, j;
	int kind = EK_STRONG, cap = 0, prefix, rc, exact;
	uint32_t node = 0;

	tab = memchr(s, '\t', len);
	if (!tab)
		return bad_line(ld, "missing tab after the country code");
	if (tab - s == 1 && s[0] == '-') {
		kind = EK_BLOCK;
	} else if (tab - s != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
	           s[1] > 'Z') {
		return bad_line(ld, "bad country code '%.*s'",
		                (int)(tab - s > 16 ? 16 : tab - s), s);
	}
	name = tab + 1;
	tab = memchr(name, '\t', len - (size_t)(name - s));
	namelen = tab ? (size_t)(tab - name) : len - (size_t)(name - s);
	if (tab && tab[1] != '#') {
		flags = tab + 1;
		tab = memchr(flags, '\t', len - (size_t)(flags - s));
		flagslen =
		        tab ? (size_t)(tab - flags) : len - (size_t)(flags - s);
		if (tab && tab[1] != '#')
			return bad_line(ld, "more than three fields");
	}
	rc = parse_flags(ld, flags, flagslen, &cap, &kind);
	if (rc != CLASSIFY_OK)
		return rc;
	rc = parse_name(ld, name, namelen, toks, &ntok, &prefix);
	if (rc != CLASSIFY_OK)
		return rc;

	memset(&e, 0, sizeof(e));
	e.code[0] = kind == EK_BLOCK ? '-' : s[0];
	e.code[1] = kind == EK_BLOCK ? '-' : s[1];
	e.kind = (unsigned char)kind;
	exact = 0;
	for (j = 0; j < ntok; j++) {
		if (!(toks[j].caps & T_NOLOWER))
			break;
		if (toks[j].caps & T_HASUP)
			exact = 1;
	}
	e.exact = (unsigned char)(j == ntok && exact);
	for (j = 0; cap && j < ntok; j++)
		if (toks[j].caps & T_FIRSTUP)
			e.capmask |= (uint32_t)1 << j;

	for (j = 0; j < ntok; j++) {
		int last = j + 1 == ntok;

		node = edge_add(ld->g, node, &toks[j],
		                j ? tok_sep(&toks[j - 1], &toks[j]) : 0,
		                last && prefix);
		if (node == NONE)
			return no_memory(ld);
	}
	if (ld->np >= NAMES_MAX)
		return bad_line(ld, "more than %d names", NAMES_MAX);
	if (grow((void **)&ld->p, &ld->capp, ld->np + 1, sizeof(*ld->p)) != 0)
		return no_memory(ld);
	ld->p[ld->np].node = node;
	ld->p[ld->np].seq = (uint32_t)ld->np;
	ld->p[ld->np].e = e;
	ld->np++;
	return CLASSIFY_OK;
}

static int
load_file(struct loader *ld, const char *path)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = CLASSIFY_OK;

	ld->path = path;
	ld->line = 0;
	fp = fopen(path, "r");
	if (!fp) {
		if (ld->err && ld->errsz)
			snprintf(ld->err, ld->errsz,
			         "cannot open gazetteer '%s': %s", path,
			         strerror(errno));
		return CLASSIFY_ERR_IO;
	}
	errno = 0;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		size_t len = (size_t)n;

		ld->line++;
		if (len > LINE_MAXLEN) {
			rc = bad_line(ld, "line longer than %d bytes",
			              LINE_MAXLEN);
			break;
		}
		if (memchr(line, '\0', len)) {
			rc = bad_line(ld, "NUL byte");
			break;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		rc = parse_line(ld, line, len);
		if (rc != CLASSIFY_OK)
			break;
	}
	if (rc == CLASSIFY_OK && ferror(fp)) {
		if (ld->err && ld->errsz)
			snprintf(ld->err, ld->errsz,
			         "cannot read gazetteer '%s': %s", path,
			         strerror(errno ? errno : EIO));
		rc = CLASSIFY_ERR_IO;
	}
	free(line);
	fclose(fp);
	return rc;
}

static int
pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The entries of each node, in file order, duplicates dropped. */
static int
settle_entries(struct loader *ld)
{
	struct classify_gazetteer *g = ld->g;
	size_t i, n = 0;

	if (ld->np)
		qsort(ld->p, ld->np, sizeof(*ld->p), pending_cmp);
	g->ents = malloc((ld->np ? ld->np : 1) * sizeof(*g->ents));
	if (!g->ents)
		return no_memory(ld);
	for (i = 0; i < ld->np; i++) {
		struct node *nd = &g->nodes[ld->p[i].node];
		const struct entry *e = &ld->p[i].e;
		size_t k;
		int dup = 0;

		if (!nd->nent)
			nd->ent = (uint32_t)n;
		for (k = nd->ent; k < n; k++)
			if (memcmp(&g->ents[k], e, sizeof(*e)) == 0)
				dup = 1;
		if (dup)
			continue;
		g->ents[n++] = *e;
		nd->nent++;
	}
	g->nents = n;
	return CLASSIFY_OK;
}

void
classify_gazetteer_free(struct classify_gazetteer *g)
{
	if (!g)
		return;
	free(g->nodes);
	free(g->ents);
	free(g->edges);
	free(g->pool);
	free(g);
}

int
classify_gazetteer_load(const char *const *paths, size_t npaths,
                        struct classify_gazetteer **out, char *err,
                        size_t errsz)
{
	struct loader ld;
	size_t i;
	int rc;

	if (out)
		*out = NULL;
	if (!out || !paths || !npaths) {
		if (err && errsz)
			snprintf(err, errsz, "gazetteer: no file given");
		return CLASSIFY_ERR_USAGE;
	}
	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	ld.errsz = errsz;
	ld.path = paths[0] ? paths[0] : "";
	ld.g = calloc(1, sizeof(*ld.g));
	if (!ld.g || node_new(ld.g) == NONE || edges_rehash(ld.g) != 0) {
		rc = no_memory(&ld);
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		if (!paths[i]) {
			if (err && errsz)
				snprintf(err, errsz,
				         "gazetteer: file %zu is NULL", i);
			rc = CLASSIFY_ERR_USAGE;
			goto out;
		}
		rc = load_file(&ld, paths[i]);
		if (rc != CLASSIFY_OK)
			goto out;
	}
	rc = settle_entries(&ld);
out:
	free(ld.p);
	if (rc != CLASSIFY_OK) {
		classify_gazetteer_free(ld.g);
		return rc;
	}
	*out = ld.g;
	return CLASSIFY_OK;
}

/* ----------------------------------------------------------- matching */

struct scan {
	const struct classify_gazetteer *g;
	struct lex lx;
	size_t ntok; /* tokens read so far */
	int eof;
	struct tok ring[RING];
};

/* Token i of the text, or NULL past the end.  i is at most RING - 2
 * tokens ahead of the oldest token the caller still looks at. */
static const struct tok *
scan_tok(struct scan *s, size_t i)
{
	while (i >= s->ntok) {
		if (s->eof ||
		    !lex_token(&s->lx, &s->ring[s->ntok & (RING - 1)])) {
			s->eof = 1;
			return NULL;
		}
		s->ntok++;
	}
	return &s->ring[i & (RING - 1)];
}

static const struct tok *
ring_tok(const struct scan *s, size_t i)
{
	return &s->ring[i & (RING - 1)];
}

/* Katakana names neither start nor end inside a Katakana word; Hangul
 * names do not start inside a Hangul word. */
static int
bounds_ok(struct scan *s, size_t i, size_t len)
{
	const struct tok *a = ring_tok(s, i), *z = ring_tok(s, i + len - 1);
	const struct tok *t;

	if (a->script != SC_OTHER && i > 0 && !a->sep) {
		t = ring_tok(s, i - 1);
		if (t->kind == TK_CHAR && t->script == a->script)
			return 0;
	}
	if (z->script == SC_KATA) {
		t = scan_tok(s, i + len);
		if (t && !t->sep && t->script == SC_KATA)
			return 0;
	}
	return 1;
}

static int
ent_ok(const struct entry *e, const struct scan *s, size_t i, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++) {
		const struct tok *t = ring_tok(s, i + j);

		if (e->exact && !(t->caps & T_NOLOWER))
			return 0;
		if ((e->capmask >> j & 1) && !(t->caps & T_CAPFIRST))
			return 0;
	}
	return 1;
}

struct best {
	size_t len;
	uint32_t node;
	int prefix;
	size_t stem;
};

static void
consider(struct scan *s, struct best *b, size_t i, size_t len, uint32_t node,
         int prefix, size_t stem)
{
	const struct node *nd = &s->g->nodes[node];
	uint32_t k;

	if (len < b->len ||
	    (len == b->len && !(b->prefix && (!prefix || stem > b->stem))))
		return;
	if (!nd->nent || !bounds_ok(s, i, len))
		return;
	for (k = 0; k < nd->nent; k++)
		if (ent_ok(&s->g->ents[nd->ent + k], s, i, len))
			break;
	if (k == nd->nent)
		return;
	b->len = len;
	b->node = node;
	b->prefix = prefix;
	b->stem = stem;
}

/* prefix edges of node that word t starts with */
static void
try_prefixes(struct scan *s, struct best *b, size_t i, size_t len,
             uint32_t node, const struct tok *t)
{
	const struct classify_gazetteer *g = s->g;
	uint64_t key = edge_key(node, hash_cps(t->cp, PFX_MIN), 0, 1);
	size_t mask = g->capedges - 1, k;

	for (k = key & mask; g->edges[k].key; k = (k + 1) & mask) {
		const struct edge *e = &g->edges[k];

		if (e->key == key && e->parent == node && e->prefix &&
		    e->len <= t->n &&
		    memcmp(g->pool + e->str, t->cp, e->len * sizeof(int32_t)) ==
		            0)
			consider(s, b, i, len, e->child, 1, e->len);
	}
}

/* The best name starting at token i; b->len 0: none. */
static void
match_at(struct scan *s, size_t i, struct best *b)
{
	const struct classify_gazetteer *g = s->g;
	uint32_t node = 0;
	size_t k;

	memset(b, 0, sizeof(*b));
	for (k = 0; k < NAME_MAXTOK; k++) {
		const struct tok *t = scan_tok(s, i + k);
		int sep = 0;

		if (!t)
			break;
		if (k > 0) {
			if (t->brk)
				break;
			sep = tok_sep(ring_tok(s, i + k - 1), t);
		}
		if (g->nodes[node].pkids && t->kind == TK_WORD &&
		    t->n >= PFX_MIN)
			try_prefixes(s, b, i, k + 1, node, t);
		if (!g->nodes[node].kids || (t->caps & T_LONG))
			break;
		node = edge_next(g, node, t, sep);
		if (node == NONE)
			break;
		consider(s, b, i, k + 1, node, 0, 0);
	}
}

/* What the text says of one country. */
struct mention {
	uint32_t spos, wpos; /* first strong, first weak mention */
	char code[2];
	unsigned char flags;
};

#define M_STRONG  1
#define M_WEAK    2
#define M_CONTEXT 4

static void
note(struct mention *m, size_t *nm, const struct entry *e, uint32_t pos)
{
	size_t k;

	for (k = 0; k < *nm; k++)
		if (m[k].code[0] == e->code[0] && m[k].code[1] == e->code[1])
			break;
	if (k == *nm) {
		if (*nm >= NCODES)
			return; /* cannot happen: two capitals, 676 codes */
		memset(&m[k], 0, sizeof(m[k]));
		m[k].code[0] = e->code[0];
		m[k].code[1] = e->code[1];
		(*nm)++;
	}
	if (e->kind == EK_STRONG && !(m[k].flags & M_STRONG)) {
		m[k].flags |= M_STRONG;
		m[k].spos = pos;
	} else if (e->kind == EK_WEAK && !(m[k].flags & M_WEAK)) {
		m[k].flags |= M_WEAK;
		m[k].wpos = pos;
	} else if (e->kind == EK_CONTEXT) {
		m[k].flags |= M_CONTEXT;
	}
}

size_t
classify_countries(const struct classify_gazetteer *g, const char *text,
                   size_t len, char (*codes)[3], size_t max)
{
	struct scan s;
	struct mention m[NCODES];
	size_t nm = 0, n = 0, i = 0, k;

	if (!g || !text)
		return 0;
	s.g = g;
	memset(&s.lx, 0, sizeof(s.lx));
	s.lx.p = (const unsigned char *)text;
	s.lx.end = s.lx.p + len;
	s.ntok = 0;
	s.eof = 0;
	while (scan_tok(&s, i)) {
		struct best b;
		const struct node *nd;
		uint32_t pos = i > UINT32_MAX ? UINT32_MAX : (uint32_t)i;
		int blocked = 0;

		match_at(&s, i, &b);
		if (!b.len) {
			i++;
			continue;
		}
		nd = &g->nodes[b.node];
		for (k = 0; k < nd->nent; k++) {
			const struct entry *e = &g->ents[nd->ent + k];

			if (e->kind == EK_BLOCK && ent_ok(e, &s, i, b.len))
				blocked = 1;
		}
		for (k = 0; !blocked && k < nd->nent; k++) {
			const struct entry *e = &g->ents[nd->ent + k];

			if (ent_ok(e, &s, i, b.len))
				note(m, &nm, e, pos);
		}
		i += b.len;
	}

	/* a weak name counts with a strong name or a context word */
	for (k = 0; k < nm; k++) {
		struct mention x = m[k];
		size_t j;

		if (x.flags & M_STRONG) {
			if ((x.flags & M_WEAK) && x.wpos < x.spos)
				x.spos = x.wpos;
		} else if ((x.flags & M_WEAK) && (x.flags & M_CONTEXT)) {
			x.spos = x.wpos;
		} else {
			continue;
		}
		/* insertion by first mention; ties keep the order noted */
		for (j = n; j > 0 && m[j - 1].spos > x.spos; j--)
			m[j] = m[j - 1];
		m[j] = x;
		n++;
	}
	for (k = 0; k < n && k < max; k++) {
		codes[k][0] = m[k].code[0];
		codes[k][1] = m[k].code[1];
		codes[k][2] = '\0';
	}
	return n;
}
