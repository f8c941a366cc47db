/*
 * cmd_label.c - "pcmon label": the labeling loop.
 *
 *   suggest    the items the model is least sure of, one per story
 *   set        one person's label of one item
 *   import     many labels from a JSON-lines file, all or none
 *   export     the labels as training data for "pcmon train"
 *   agreement  how far two labelers agree (Cohen's kappa)
 *
 * Labels follow ../shared/LABELING.md (guideline "1"): related (1) or
 * unrelated (0), and for related items up to all eight themes.  Each
 * person has at most one label per item: a new one replaces their own
 * earlier label and never another person's, so two people's labels of an
 * item stand side by side for "agreement".  Titles reach the terminal only
 * through util_put_cell()/util_put_safe().
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "classify/classify.h"
#include "cmd.h"
#include "config.h"
#include "crawler/crawler.h"
#include "labels.h"
#include "models.h"
#include "store.h"
#include "util.h"

#define GUIDELINE    "1"   /* the version of LABELING.md followed */
#define NAME_MAX_LEN 64    /* bytes of a labeler's name */
#define NOTE_MAX_LEN 4096  /* bytes of a note */
#define SUGGEST_MAX  10000 /* items suggest shows at most */
#define FEED_CAP     3     /* suggest: items of one feed among N */
#define IMPORT_SHOWN 20    /* bad lines of an import reported */
#define FEED_COLS    20
#define TITLE_COLS   58

static const char usage_all[] =
        "usage: pcmon label suggest [N] [--model PATH] [--json]\n"
        "       pcmon label set ID related|unrelated [--theme T]... "
        "[--by NAME] [--note TEXT]\n"
        "       pcmon label import FILE [--by NAME]\n"
        "       pcmon label export FILE|- [--all]\n"
        "       pcmon label agreement [--by A --by B] [--json]\n"
        "\n"
        "The labeling loop: label the items the model is least sure of,\n"
        "export the labels, train a better model, classify, repeat.\n"
        "  suggest    the N items (default 20) the model is least sure of\n"
        "  set        label one stored item, as one labeler\n"
        "  import     labels of stored items from a JSON-lines file\n"
        "  export     labels as JSON lines that 'pcmon train' reads\n"
        "  agreement  agreement of two labelers (Cohen's kappa)\n"
        "\n"
        "Labels follow the labeling guideline, version " GUIDELINE ". Themes: "
        "stations,\npatrols, training, agreements, surveillance_tech,\n"
        "repression_repatriation, multilateral, non_china_coop.\n"
        "'pcmon label SUBCOMMAND --help' describes one subcommand.\n";

static const char usage_suggest[] =
        "usage: pcmon label suggest [N] [--model PATH] [--json]\n"
        "\n"
        "Lists the N stored items (default 20) that the model is least sure\n"
        "of: its probability of \"related\" is nearest [classify] threshold.\n"
        "Items with a label are skipped, and so is an item telling a story\n"
        "already listed (same title once case, punctuation and spaces are\n"
        "ignored, same canonical link, same story); at most 3 items come\n"
        "from one feed unless too few other items are left.\n"
        "  --model PATH  the model (default: the one 'pcmon classify' uses:\n"
        "                [classify] model, else the installed model);\n"
        "                its predictions come from 'pcmon classify'\n"
        "  --json        one JSON object per line: id, score, title, link, "
        "feed\n"
        "\n"
        "Exit status: 0 done; 2 bad option, no model or no predictions of it\n"
        "(run 'pcmon classify'); 3 database error; 5 the model is damaged.\n";

static const char usage_set[] =
        "usage: pcmon label set ID related|unrelated [--theme T]... "
        "[--by NAME] [--note TEXT]\n"
        "\n"
        "Labels the stored item ID (see 'pcmon items --json' or 'pcmon label\n"
        "suggest') as related (1) or unrelated (0), following the labeling\n"
        "guideline, version " GUIDELINE ". A labeler's new label of an item "
        "replaces their\nearlier one; other labelers' labels of it stay.\n"
        "  --theme T    a theme of a related item; repeat it or separate\n"
        "               themes with commas: stations, patrols, training,\n"
        "               agreements, surveillance_tech,\n"
        "               repression_repatriation, multilateral, "
        "non_china_coop\n"
        "  --by NAME    the labeler (default: the login name)\n"
        "  --note TEXT  why: exported as \"why\"\n"
        "\n"
        "Exit status: 0 stored; 2 bad argument or no such item; 3 database\n"
        "error; 4 another pcmon holds the lock.\n";

static const char usage_import[] =
        "usage: pcmon label import FILE [--by NAME]\n"
        "\n"
        "Stores the labels of FILE (\"-\": standard input), JSON lines only,\n"
        "one label per line; the output of 'pcmon label export' reads back.\n"
        "  \"link\"        the item's link (or canonical link), else\n"
        "  \"id\"          the item's id in this database\n"
        "  \"label\"       1, 0, \"1\", \"0\", \"related\" or \"unrelated\"\n"
        "  \"theme\", \"themes\"  a theme, a list of themes (related only)\n"
        "  \"labeled_by\"  the labeler (default: --by, else the login name)\n"
        "  \"labeled_at\"  RFC 3339 time or Unix seconds (default: now)\n"
        "  \"guideline\"   (default \"" GUIDELINE "\"); \"why\": a note\n"
        "Other keys (title, summary ...) are ignored. Every line is checked\n"
        "first: one bad line (its file and line are named) and nothing is\n"
        "stored. A label replaces the same labeler's earlier label of the "
        "item.\n"
        "  --by NAME  the labeler of every line, whatever the file says\n"
        "\n"
        "Exit status: 0 stored; 2 bad argument or bad file; 3 database error;\n"
        "4 another pcmon holds the lock.\n";

static const char usage_export[] =
        "usage: pcmon label export FILE|- [--all]\n"
        "\n"
        "Writes the stored labels to FILE (\"-\": standard output) as JSON\n"
        "lines in the training format, which 'pcmon train --data FILE' "
        "reads\n(name it .jsonl): id, label (1 or 0), title, summary, lang, "
        "theme (the\nfirst theme; null when none), themes (when two or more), "
        "labeled_by,\nlabeled_at, guideline, link, and why when the labeler "
        "wrote a note.\nWhen several people labeled an item, only the most "
        "recent label is\nwritten.\n"
        "  --all  every label of every labeler (for review, not training)\n"
        "\n"
        "Exit status: 0 written; 2 bad option; 3 database error; 5 cannot\n"
        "write FILE.\n";

static const char usage_agreement[] =
        "usage: pcmon label agreement [--by A --by B] [--json]\n"
        "\n"
        "Compares the labels (related or not) of two labelers on the items\n"
        "both labeled: the number of items, the observed agreement, Cohen's\n"
        "kappa and the confusion table (rows: A, columns: B).\n"
        "  --by A --by B  the two labelers (default: the two with the most\n"
        "                 items in common)\n"
        "  --json         one JSON object\n"
        "\n"
        "Exit status: 0 done (also when no item has both labels); 2 bad\n"
        "option; 3 database error.\n";

/* in the order of LABELING.md, section 2 */
static const char *const themes_known[] = {
	"stations",     "patrols",           "training",
	"agreements",   "surveillance_tech", "repression_repatriation",
	"multilateral", "non_china_coop",
};
#define NTHEMES (sizeof(themes_known) / sizeof(themes_known[0]))
#define THEME_LIST                                                             \
	"stations, patrols, training, agreements, surveillance_tech, "         \
	"repression_repatriation, multilateral or non_china_coop"

/* ------------------------------------------------------------ helpers */

static int
theme_known(const char *t)
{
	size_t i;

	for (i = 0; i < NTHEMES; i++)
		if (strcmp(t, themes_known[i]) == 0)
			return 1;
	return 0;
}

/* "1", "0" from the words and digits a person types; NULL if neither */
static const char *
label_word(const char *s)
{
	if (strcmp(s, "related") == 0 || strcmp(s, "1") == 0)
		return "1";
	if (strcmp(s, "unrelated") == 0 || strcmp(s, "0") == 0)
		return "0";
	return NULL;
}

/* s for an error message: at most 40 bytes, control bytes as '?' */
static const char *
msg_word(const char *s, char *buf, size_t bufsz)
{
	size_t i, n = strlen(s), max = bufsz > 44 ? 40 : bufsz - 4;
	int cut = n > max;

	assert(bufsz >= 4);
	if (cut) {
		/* on a character boundary */
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		buf[i] =
		        (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (cut) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* A labeler's name: 1 to NAME_MAX_LEN bytes of UTF-8, no control
 * characters, no space at either end. */
static int
name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || !labels_utf8_valid(s, n) ||
	    s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* The login name: getlogin_r(), else $USER, else the password entry. */
static const char *
login_name(char *buf, size_t bufsz)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	const char *u;

	if (getlogin_r(buf, bufsz) == 0 && name_valid(buf))
		return buf;
	if ((u = getenv("USER")) && name_valid(u) &&
	    snprintf(buf, bufsz, "%s", u) < (int)bufsz)
		return buf;
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res &&
	    res->pw_name && name_valid(res->pw_name) &&
	    snprintf(buf, bufsz, "%s", res->pw_name) < (int)bufsz)
		return buf;
	return NULL;
}

/* --by NAME checked, or the login name; NULL after a message */
static const char *
labeler(const char *by, char *buf, size_t bufsz)
{
	const char *who;

	if (by) {
		if (!name_valid(by)) {
			fprintf(stderr,
			        "pcmon label: invalid labeler name: "
			        "want 1 to %d bytes of text without "
			        "control characters\n",
			        NAME_MAX_LEN);
			return NULL;
		}
		return by;
	}
	if (!(who = login_name(buf, bufsz)))
		fprintf(stderr, "pcmon label: cannot tell who you are: give "
		                "--by NAME\n");
	return who;
}

/*
 * Theme names into a JSON array string (malloc'd, NULL when n is 0);
 * duplicates are dropped.  *oom set when out of memory.
 */
static char *
themes_json(const char *const *v, size_t n, int *oom)
{
	json_t *a;
	char *s;
	size_t i, j;

	if (n == 0)
		return NULL;
	if (!(a = json_array())) {
		*oom = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0)
				break;
		if (j == i && json_array_append_new(a, json_string(v[i])) != 0)
			*oom = 1;
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!s)
		*oom = 1;
	return s;
}

static int
out_failed(const char *what)
{
	fprintf(stderr, "pcmon label: cannot write %s: %s\n", what,
	        strerror(errno));
	return EXIT_FAIL;
}

/* ------------------------------------------------------------- suggest */

struct pick {
	int64_t id, feed_id, story_id;
	double related, dist;
	char *title, *link, *canonical, *feed;
	char *norm; /* the title compared: NULL when it has no letters */
};

struct suggest {
	double threshold;
	struct pick *chosen, *deferred;
	size_t nchosen, ndeferred, n;
	int oom;
};

static void
pick_release(struct pick *p)
{
	free(p->title);
	free(p->link);
	free(p->canonical);
	free(p->feed);
	free(p->norm);
	memset(p, 0, sizeof(*p));
}

/*
 * A title as suggest compares it: NFKC case-folded, every run of
 * characters other than letters, marks and digits (punctuation, spaces,
 * symbols) made one space, trimmed.  NULL when nothing is left or out of
 * memory (*oom set).
 */
static char *
title_norm(const char *title, int *oom)
{
	utf8proc_uint8_t *m = NULL;
	utf8proc_int32_t c;
	utf8proc_ssize_t n, k, i;
	char *out;
	size_t len = 0;
	int space = 0;

	if (!title || !*title)
		return NULL;
	n = utf8proc_map((const utf8proc_uint8_t *)title, 0, &m,
	                 UTF8PROC_NULLTERM | UTF8PROC_STABLE |
	                         UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
	                         UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
	if (n < 0) {
		/* invalid UTF-8 in the archive: compare the bytes */
		if (!(out = strdup(title)))
			*oom = 1;
		return out;
	}
	if (!(out = malloc((size_t)n + 1))) {
		free(m);
		*oom = 1;
		return NULL;
	}
	for (i = 0; i < n; i += k) {
		k = utf8proc_iterate(m + i, n - i, &c);
		if (k <= 0)
			break;
		switch (utf8proc_category(c)) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
		case UTF8PROC_CATEGORY_MN:
		case UTF8PROC_CATEGORY_MC:
		case UTF8PROC_CATEGORY_ME:
		case UTF8PROC_CATEGORY_ND:
		case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			if (space && len > 0)
				out[len++] = ' ';
			space = 0;
			memcpy(out + len, m + i, (size_t)k);
			len += (size_t)k;
			break;
		default: space = 1; break;
		}
	}
	free(m);
	out[len] = '\0';
	if (len == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* 1 when p tells a story already among the chosen */
static int
same_story(const struct suggest *s, const struct pick *p)
{
	size_t i;

	for (i = 0; i < s->nchosen; i++) {
		const struct pick *q = &s->chosen[i];

		if ((p->norm && q->norm && strcmp(p->norm, q->norm) == 0) ||
		    (p->canonical && q->canonical &&
		     strcmp(p->canonical, q->canonical) == 0) ||
		    (p->story_id && p->story_id == q->story_id))
			return 1;
	}
	return 0;
}

static size_t
feed_count(const struct suggest *s, int64_t feed_id)
{
	size_t i, n = 0;

	for (i = 0; i < s->nchosen; i++)
		n += s->chosen[i].feed_id == feed_id;
	return n;
}

static char *
dup_or_null(const char *v, int *oom)
{
	char *d;

	if (!v)
		return NULL;
	if (!(d = strdup(v)))
		*oom = 1;
	return d;
}

static int
suggest_row(const struct store_candidate *c, void *arg)
{
	struct suggest *s = arg;
	struct pick p;
	int capped;

	memset(&p, 0, sizeof(p));
	p.id = c->item_id;
	p.feed_id = c->feed_id;
	p.story_id = c->story_id;
	p.related = c->related;
	p.dist = fabs(c->related - s->threshold);
	p.norm = title_norm(c->title, &s->oom);
	p.canonical = dup_or_null(c->canonical_link, &s->oom);
	if (s->oom) {
		pick_release(&p);
		return 1;
	}
	if (same_story(s, &p)) {
		pick_release(&p);
		return 0;
	}
	/* a feed at its cap: kept aside in case too few other feeds have
	 * items left */
	capped = p.feed_id && feed_count(s, p.feed_id) >= FEED_CAP;
	if (capped && s->ndeferred >= s->n) {
		pick_release(&p);
		return 0;
	}
	p.title = dup_or_null(c->title, &s->oom);
	p.link = dup_or_null(c->link, &s->oom);
	p.feed = dup_or_null(c->feed_name, &s->oom);
	if (s->oom) {
		pick_release(&p);
		return 1;
	}
	if (capped)
		s->deferred[s->ndeferred++] = p;
	else
		s->chosen[s->nchosen++] = p;
	return s->nchosen >= s->n;
}

static int
pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
suggest_print(const struct suggest *s, int json)
{
	size_t i;

	if (!json && s->nchosen > 0)
		printf("%8s  %5s  %-*s  %s\n", "id", "score", FEED_COLS, "feed",
		       "title");
	for (i = 0; i < s->nchosen; i++) {
		const struct pick *p = &s->chosen[i];

		if (json) {
			json_t *o = json_object();

			json_object_set_new(o, "id", json_integer(p->id));
			json_object_set_new(o, "score", json_real(p->related));
			json_object_set_new(o, "title",
			                    util_json_str(p->title));
			json_object_set_new(o, "link", util_json_str(p->link));
			json_object_set_new(o, "feed", util_json_str(p->feed));
			labels_json_print(o, stdout);
			continue;
		}
		printf("%8lld  %5.3f  ", (long long)p->id, p->related);
		util_put_cell(stdout, p->feed ? p->feed : "(removed)",
		              FEED_COLS, 1);
		fputs("  ", stdout);
		util_put_cell(stdout,
		              p->title && *p->title ? p->title : "(no title)",
		              TITLE_COLS, 0);
		putchar('\n');
	}
}

static int
label_suggest(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct suggest s;
	struct classify_model *m = NULL;
	const char *model = NULL, *version;
	char err[1024], mbuf[4096], *end;
	long n = 20;
	int64_t npred;
	size_t i;
	int c, json = 0, given, has_related = 0, status = EXIT_FAIL;

	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cmd_usage(ctx, usage_suggest, EXIT_OK);
		default: return cmd_usage(ctx, usage_suggest, EXIT_USAGE);
		}
	}
	if (argc - optind > 1)
		return cmd_usage(ctx, usage_suggest, EXIT_USAGE);
	if (optind < argc) {
		errno = 0;
		n = strtol(argv[optind], &end, 10);
		if (errno || end == argv[optind] || *end || n < 1 ||
		    n > SUGGEST_MAX) {
			fprintf(stderr,
			        "pcmon label: invalid number of items "
			        "'%s': want 1 to %d\n",
			        argv[optind], SUGGEST_MAX);
			return EXIT_USAGE;
		}
	}
	given = model != NULL;
	/* the model classify uses, so that its predictions are found */
	model = models_path(ctx->cfg, model, mbuf, sizeof(mbuf));
	if (!model || !*model) {
		fprintf(stderr, "pcmon label: no model: give --model or set "
		                "[classify] model\n");
		return EXIT_USAGE;
	}
	if (access(model, R_OK) != 0) {
		fprintf(stderr,
		        "pcmon label: no model '%s': %s; train one "
		        "with 'pcmon train', then run 'pcmon classify'\n",
		        model, strerror(errno));
		return EXIT_USAGE;
	}
	if (classify_model_load(model, &m, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		return EXIT_FAIL;
	}
	for (i = 0; i < classify_model_nclass(m); i++)
		if (strcmp(classify_model_label(m, i), "1") == 0)
			has_related = 1;
	if (!has_related || classify_model_nclass(m) != 2) {
		fprintf(stderr,
		        "pcmon label: model '%s' does not tell related "
		        "(\"1\") from unrelated (\"0\")\n",
		        model);
		status = EXIT_USAGE;
		goto out;
	}
	version = classify_model_version(m);
	if (store_prediction_count(ctx->store, version, &npred, err,
	                           sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (npred == 0) {
		fprintf(stderr,
		        "pcmon label: no predictions of model %s "
		        "('%s') are stored: run 'pcmon classify%s%s' "
		        "first\n",
		        version, model, given ? " --model " : "",
		        given ? model : "");
		status = EXIT_USAGE;
		goto out;
	}
	s.threshold = ctx->cfg->threshold;
	s.n = (size_t)n;
	s.chosen = calloc(s.n, sizeof(*s.chosen));
	s.deferred = calloc(s.n, sizeof(*s.deferred));
	if (!s.chosen || !s.deferred) {
		fprintf(stderr, "pcmon label: out of memory\n");
		goto out;
	}
	if (store_label_candidates(ctx->store, version, s.threshold,
	                           suggest_row, &s, err,
	                           sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (s.oom) {
		fprintf(stderr, "pcmon label: out of memory\n");
		goto out;
	}
	/* the feed cap gives way when other feeds ran out of items */
	for (i = 0; i < s.ndeferred; i++) {
		if (s.nchosen < s.n && !same_story(&s, &s.deferred[i])) {
			s.chosen[s.nchosen++] = s.deferred[i];
			memset(&s.deferred[i], 0, sizeof(s.deferred[i]));
		} else {
			pick_release(&s.deferred[i]);
		}
	}
	qsort(s.chosen, s.nchosen, sizeof(*s.chosen), pick_cmp);
	if (s.nchosen == 0 && !json)
		fprintf(stderr,
		        "pcmon label: nothing to suggest: every item "
		        "scored by model %s has a label\n",
		        version);
	suggest_print(&s, json);
	status = ferror(stdout) ? out_failed("output") : EXIT_OK;
out:
	for (i = 0; i < s.nchosen; i++)
		pick_release(&s.chosen[i]);
	for (i = 0; i < s.ndeferred; i++)
		pick_release(&s.deferred[i]);
	free(s.chosen);
	free(s.deferred);
	classify_model_free(m);
	return status;
}

/* ----------------------------------------------------------------- set */

/* Adds the comma-separated names of arg to v (at most NTHEMES distinct). */
static int
add_themes(char *arg, const char **v, size_t *n)
{
	char *p = arg, *comma;
	char buf[64];
	size_t j;

	for (;;) {
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		if (*p) {
			if (!theme_known(p)) {
				fprintf(stderr,
				        "pcmon label: unknown theme '%s': want "
				        "%s\n",
				        msg_word(p, buf, sizeof(buf)),
				        THEME_LIST);
				return -1;
			}
			for (j = 0; j < *n; j++)
				if (strcmp(v[j], p) == 0)
					break;
			if (j == *n)
				v[(*n)++] = p; /* at most NTHEMES: all known */
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int
label_set(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "theme", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *tv[NTHEMES], *by = NULL, *note = NULL, *label;
	char **theme_args = NULL;
	char err[1024], who[NAME_MAX_LEN + 1], buf[64], *end;
	struct store_label l;
	size_t ntv = 0, nargs = 0, i;
	long long id;
	int64_t found;
	int c, rc, oom = 0, status = EXIT_USAGE;

	if (!(theme_args = calloc((size_t)argc + 1, sizeof(*theme_args)))) {
		fprintf(stderr, "pcmon label: out of memory\n");
		return EXIT_FAIL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': theme_args[nargs++] = optarg; break;
		case 'b': by = optarg; break;
		case 'n': note = optarg; break;
		case 'h':
			free(theme_args);
			return cmd_usage(ctx, usage_set, EXIT_OK);
		default:
			free(theme_args);
			return cmd_usage(ctx, usage_set, EXIT_USAGE);
		}
	}
	if (argc - optind != 2) {
		free(theme_args);
		return cmd_usage(ctx, usage_set, EXIT_USAGE);
	}
	memset(&l, 0, sizeof(l));
	errno = 0;
	id = strtoll(argv[optind], &end, 10);
	if (errno || end == argv[optind] || *end || id <= 0) {
		fprintf(stderr, "pcmon label: invalid item id '%s'\n",
		        msg_word(argv[optind], buf, sizeof(buf)));
		goto out;
	}
	if (!(label = label_word(argv[optind + 1]))) {
		fprintf(stderr,
		        "pcmon label: invalid label '%s': want related "
		        "or unrelated\n",
		        msg_word(argv[optind + 1], buf, sizeof(buf)));
		goto out;
	}
	for (i = 0; i < nargs; i++)
		if (add_themes(theme_args[i], tv, &ntv) != 0)
			goto out;
	if (ntv > 0 && strcmp(label, "1") != 0) {
		fprintf(stderr,
		        "pcmon label: --theme goes only with related\n");
		goto out;
	}
	if (note && (strlen(note) > NOTE_MAX_LEN ||
	             !labels_utf8_valid(note, strlen(note)))) {
		fprintf(stderr,
		        "pcmon label: invalid note: want at most %d "
		        "bytes of UTF-8\n",
		        NOTE_MAX_LEN);
		goto out;
	}
	if (!(l.labeled_by = labeler(by, who, sizeof(who))))
		goto out;
	rc = store_item_find(ctx->store, (int64_t)id, NULL, NULL, &found, err,
	                     sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "pcmon label: %s%s\n", err,
		        rc == STORE_ERR_NOTFOUND ? "; see 'pcmon items --json'"
		                                 : "");
		status = rc == STORE_ERR_NOTFOUND ? EXIT_USAGE : EXIT_DB;
		goto out;
	}
	l.item_id = found;
	l.label = label;
	l.themes = themes_json(tv, ntv, &oom);
	l.labeled_at = (int64_t)time(NULL);
	l.guideline = GUIDELINE;
	l.note = note && *note ? note : NULL;
	if (oom) {
		fprintf(stderr, "pcmon label: out of memory\n");
		status = EXIT_FAIL;
		goto out;
	}
	rc = store_label_put(ctx->store, &l, 1, NULL, err, sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		status = rc == STORE_ERR_NOTFOUND ? EXIT_USAGE : EXIT_DB;
		goto out;
	}
	printf("labeled item %lld %s", (long long)l.item_id,
	       strcmp(label, "1") == 0 ? "related" : "unrelated");
	for (i = 0; i < ntv; i++)
		printf("%s%s", i ? ", " : " (", tv[i]);
	printf("%s by ", ntv ? ")" : "");
	util_put_safe(stdout, l.labeled_by);
	putchar('\n');
	status = EXIT_OK;
out:
	free((char *)l.themes);
	free(theme_args);
	return status;
}

/* -------------------------------------------------------------- import */

/* One line's label; the strings are malloc'd. */
struct import_label {
	struct store_label l;
	long line;
};

struct import {
	const char *name;
	const char *by;    /* --by, else NULL */
	const char *login; /* the default labeler, or NULL when unknown */
	int64_t now;
	struct import_label *v;
	size_t n, cap;
	size_t bad;
};

static void
import_release(struct import *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		free((char *)im->v[i].l.themes);
		free((char *)im->v[i].l.labeled_by);
		free((char *)im->v[i].l.guideline);
		free((char *)im->v[i].l.note);
	}
	free(im->v);
	im->v = NULL;
	im->n = im->cap = 0;
}

/* The optional string member key: 0 and *out (NULL when absent or null),
 * or -1 when it is something else. */
static int
member_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

/*
 * The item a line names, into *id; 0, or -1 with msg set.  The link comes
 * first: an item's id is local to one database, its link is not, so the
 * export of one database imports into another.
 */
static int
import_item(struct pcmon_ctx *ctx, json_t *o, int64_t *id, char *msg,
            size_t msgsz)
{
	json_t *v = json_object_get(o, "id");
	const char *link;
	char err[1024], buf[64], *canonical, *end;
	long long n = 0;
	int rc;

	if (member_str(o, "link", &link) != 0) {
		snprintf(msg, msgsz, "\"link\" is not a string");
		return -1;
	}
	if (link && *link) {
		canonical = crawler_url_canonical(link);
		rc = store_item_find(ctx->store, 0, link, canonical, id, err,
		                     sizeof(err));
		free(canonical);
		if (rc == STORE_ERR_NOTFOUND)
			snprintf(msg, msgsz,
			         "unknown item: no item has the link '%s'",
			         msg_word(link, buf, sizeof(buf)));
		else if (rc != STORE_OK)
			snprintf(msg, msgsz, "%s", err);
		return rc == STORE_OK ? 0 : -1;
	}
	if (v && !json_is_null(v)) {
		if (json_is_integer(v)) {
			n = json_integer_value(v);
		} else if (json_is_string(v)) {
			errno = 0;
			n = strtoll(json_string_value(v), &end, 10);
			if (errno || end == json_string_value(v) || *end)
				n = 0;
		}
		if (n <= 0) {
			snprintf(msg, msgsz,
			         "\"id\" is not a stored item's id "
			         "(a positive integer)");
			return -1;
		}
		rc = store_item_find(ctx->store, (int64_t)n, NULL, NULL, id,
		                     err, sizeof(err));
		if (rc == STORE_ERR_NOTFOUND)
			snprintf(msg, msgsz, "unknown item %lld", n);
		else if (rc != STORE_OK)
			snprintf(msg, msgsz, "%s", err);
		return rc == STORE_OK ? 0 : -1;
	}
	snprintf(msg, msgsz, "no \"link\" or \"id\" names the item");
	return -1;
}

/* "label": 1, 0, "1", "0", "related", "unrelated" */
static const char *
import_label_value(json_t *o, char *msg, size_t msgsz)
{
	json_t *v = json_object_get(o, "label");
	const char *l = NULL;
	char buf[64];

	if (!v || json_is_null(v)) {
		snprintf(msg, msgsz, "\"label\" is missing");
		return NULL;
	}
	if (json_is_integer(v) && json_integer_value(v) == 1)
		return "1";
	if (json_is_integer(v) && json_integer_value(v) == 0)
		return "0";
	if (json_is_string(v) &&
	    strlen(json_string_value(v)) == json_string_length(v) &&
	    (l = label_word(json_string_value(v))))
		return l;
	if (json_is_string(v))
		snprintf(msg, msgsz,
		         "bad label '%s': want 1, 0, related or "
		         "unrelated",
		         msg_word(json_string_value(v), buf, sizeof(buf)));
	else if (json_is_integer(v))
		snprintf(msg, msgsz,
		         "bad label %" JSON_INTEGER_FORMAT ": want "
		         "1, 0, related or unrelated",
		         json_integer_value(v));
	else
		snprintf(msg, msgsz,
		         "bad label: want 1, 0, related or "
		         "unrelated");
	return NULL;
}

/* "theme" then "themes", checked, into v[0..*n) (borrowed from o) */
static int
import_themes(json_t *o, const char **v, size_t *n, char *msg, size_t msgsz)
{
	json_t *th = json_object_get(o, "theme");
	json_t *ts = json_object_get(o, "themes");
	const char *all[NTHEMES + 16];
	char buf[64];
	size_t na = 0, i, j;

	*n = 0;
	if (th && !json_is_null(th)) {
		if (!json_is_string(th)) {
			snprintf(msg, msgsz, "\"theme\" is not a string");
			return -1;
		}
		all[na++] = json_string_value(th);
	}
	if (ts && !json_is_null(ts)) {
		if (!json_is_array(ts)) {
			snprintf(msg, msgsz, "\"themes\" is not an array");
			return -1;
		}
		if (json_array_size(ts) > 16) {
			snprintf(msg, msgsz, "more than 16 themes");
			return -1;
		}
		for (i = 0; i < json_array_size(ts); i++) {
			json_t *t = json_array_get(ts, i);

			if (!json_is_string(t)) {
				snprintf(msg, msgsz,
				         "\"themes\": item %zu is not a string",
				         i + 1);
				return -1;
			}
			all[na++] = json_string_value(t);
		}
	}
	for (i = 0; i < na; i++) {
		if (!theme_known(all[i])) {
			snprintf(msg, msgsz, "unknown theme '%s'",
			         msg_word(all[i], buf, sizeof(buf)));
			return -1;
		}
		for (j = 0; j < *n; j++)
			if (strcmp(v[j], all[i]) == 0)
				break;
		if (j == *n)
			v[(*n)++] = all[i];
	}
	return 0;
}

/* Checks one line and appends its label to im; 0, or -1 with msg set
 * (LABELS_ERR_NOMEM-like failures set *oom). */
static int
import_line(struct pcmon_ctx *ctx, struct import *im, const char *line,
            size_t len, long lineno, char *msg, size_t msgsz, int *oom)
{
	const char *tv[NTHEMES], *by, *when, *guide, *note, *label;
	struct import_label *il;
	json_error_t jerr;
	json_t *o, *v;
	char gbuf[32];
	size_t ntv;
	int64_t item, at;
	int rc = -1;

	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		snprintf(msg, msgsz, "bad JSON: %s (import reads JSON lines)",
		         jerr.text);
		return -1;
	}
	if (!json_is_object(o)) {
		snprintf(msg, msgsz, "not a JSON object");
		goto out;
	}
	if (!(label = import_label_value(o, msg, msgsz)) ||
	    import_themes(o, tv, &ntv, msg, msgsz) != 0)
		goto out;
	if (ntv > 0 && strcmp(label, "1") != 0) {
		snprintf(msg, msgsz, "a theme is given for an unrelated label");
		goto out;
	}
	/* the labeler: --by, else the line's, else the login name */
	if (member_str(o, "labeled_by", &by) != 0 ||
	    (by && !im->by && !name_valid(by))) {
		snprintf(msg, msgsz,
		         "\"labeled_by\" is not a name (1 to %d "
		         "bytes, no control characters)",
		         NAME_MAX_LEN);
		goto out;
	}
	if (im->by || !by)
		by = im->by ? im->by : im->login;
	if (!by) {
		snprintf(msg, msgsz,
		         "no \"labeled_by\", and the login name is "
		         "unknown: give --by NAME");
		goto out;
	}
	at = im->now;
	v = json_object_get(o, "labeled_at");
	if (v && json_is_integer(v)) {
		at = (int64_t)json_integer_value(v);
	} else if (member_str(o, "labeled_at", &when) != 0 ||
	           (when && crawler_parse_date(when, &at) != 0)) {
		snprintf(msg, msgsz,
		         "\"labeled_at\" is not an RFC 3339 time "
		         "or Unix seconds");
		goto out;
	}
	v = json_object_get(o, "guideline");
	if (v && json_is_integer(v)) {
		snprintf(gbuf, sizeof(gbuf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(v));
		guide = gbuf;
	} else if (member_str(o, "guideline", &guide) != 0 ||
	           (guide &&
	            (!*guide || !name_valid(guide) || strlen(guide) > 16))) {
		snprintf(msg, msgsz, "\"guideline\" is not a version");
		goto out;
	}
	if (!guide)
		guide = GUIDELINE;
	if (member_str(o, "note", &note) != 0 ||
	    (!note && member_str(o, "why", &note) != 0) ||
	    (note && strlen(note) > NOTE_MAX_LEN)) {
		snprintf(msg, msgsz,
		         "\"why\" is not a string of at most %d "
		         "bytes",
		         NOTE_MAX_LEN);
		goto out;
	}
	if (import_item(ctx, o, &item, msg, msgsz) != 0)
		goto out;
	if (im->bad > 0) {
		rc = 0; /* nothing will be stored: keep checking only */
		goto out;
	}
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 256;
		struct import_label *nv = realloc(im->v, cap * sizeof(*nv));

		if (!nv) {
			*oom = 1;
			goto out;
		}
		im->v = nv;
		im->cap = cap;
	}
	il = &im->v[im->n];
	memset(il, 0, sizeof(*il));
	il->line = lineno;
	il->l.item_id = item;
	il->l.label = label; /* static */
	il->l.labeled_at = at;
	il->l.themes = themes_json(tv, ntv, oom);
	il->l.labeled_by = dup_or_null(by, oom);
	il->l.guideline = dup_or_null(guide, oom);
	il->l.note = note && *note ? dup_or_null(note, oom) : NULL;
	im->n++; /* released by import_release() even when half made */
	rc = *oom ? -1 : 0;
out:
	json_decref(o);
	return rc;
}

/* Every line of data: the conventions of labels_parse() (a UTF-8 BOM
 * and CR before LF dropped, blank lines skipped, valid UTF-8, at most
 * LABELS_MAX_LINE bytes). */
static int
import_parse(struct pcmon_ctx *ctx, struct import *im, const char *data,
             size_t len)
{
	char msg[1024];
	size_t pos = 0, ll, k;
	long lineno = 0;
	int oom = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && !oom) {
		const char *line = data + pos, *nl;
		int blank = 1, bad;

		nl = memchr(line, '\n', len - pos);
		ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl ? 1 : 0);
		lineno++;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		for (k = 0; k < ll && blank; k++)
			blank = line[k] == ' ' || line[k] == '\t' ||
			        line[k] == '\r' || line[k] == '\f' ||
			        line[k] == '\v';
		if (blank)
			continue;
		msg[0] = '\0';
		if (ll > LABELS_MAX_LINE) {
			snprintf(msg, sizeof(msg), "line longer than %zu bytes",
			         LABELS_MAX_LINE);
			bad = 1;
		} else if (!labels_utf8_valid(line, ll)) {
			snprintf(msg, sizeof(msg), "invalid UTF-8");
			bad = 1;
		} else {
			bad = import_line(ctx, im, line, ll, lineno, msg,
			                  sizeof(msg), &oom) != 0;
		}
		if (oom)
			break;
		if (bad) {
			if (im->bad < IMPORT_SHOWN)
				fprintf(stderr,
				        "pcmon label: '%s': line %ld: "
				        "%s\n",
				        im->name, lineno, msg);
			im->bad++;
		}
	}
	if (oom) {
		fprintf(stderr, "pcmon label: '%s': out of memory\n", im->name);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
label_import(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct import im;
	struct store_label *sl = NULL;
	const char *by = NULL;
	char err[1024], who[NAME_MAX_LEN + 1], *data = NULL;
	size_t len, i, bad = 0;
	int c, rc, status = EXIT_FAIL;

	memset(&im, 0, sizeof(im));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': by = optarg; break;
		case 'h': return cmd_usage(ctx, usage_import, EXIT_OK);
		default: return cmd_usage(ctx, usage_import, EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(ctx, usage_import, EXIT_USAGE);
	if (by && !labeler(by, who, sizeof(who)))
		return EXIT_USAGE;
	im.name = argv[optind];
	im.by = by;
	im.login = by ? NULL : login_name(who, sizeof(who));
	im.now = (int64_t)time(NULL);
	rc = labels_read_file(im.name, &data, &len, err, sizeof(err));
	if (rc != LABELS_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		return rc == LABELS_ERR_NOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	if ((status = import_parse(ctx, &im, data, len)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	if (im.bad > 0) {
		fprintf(stderr,
		        "pcmon label: '%s': %zu bad line%s%s; nothing "
		        "imported\n",
		        im.name, im.bad, im.bad == 1 ? "" : "s",
		        im.bad > IMPORT_SHOWN ? " (the first shown)" : "");
		goto out;
	}
	if (im.n == 0) {
		fprintf(stderr, "pcmon label: '%s': no labels\n", im.name);
		goto out;
	}
	if (!(sl = malloc(im.n * sizeof(*sl)))) {
		fprintf(stderr, "pcmon label: out of memory\n");
		status = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < im.n; i++)
		sl[i] = im.v[i].l;
	rc = store_label_put(ctx->store, sl, im.n, &bad, err, sizeof(err));
	if (rc != STORE_OK) {
		if (rc == STORE_ERR_NOTFOUND)
			fprintf(stderr,
			        "pcmon label: '%s': line %ld: %s; "
			        "nothing imported\n",
			        im.name, im.v[bad].line, err);
		else
			fprintf(stderr, "pcmon label: %s; nothing imported\n",
			        err);
		status = rc == STORE_ERR_NOTFOUND ? EXIT_USAGE : EXIT_DB;
		goto out;
	}
	printf("imported %zu label%s from '", im.n, im.n == 1 ? "" : "s");
	util_put_safe(stdout, im.name);
	printf("'\n");
	status = EXIT_OK;
out:
	free(sl);
	free(data);
	import_release(&im);
	return status;
}

/* -------------------------------------------------------------- export */

struct export
{
	FILE *fp;
	size_t n;
	int failed;
};

static int
export_row(const struct store_label_row *r, void *arg)
{
	struct export *ex = arg;
	json_t *o = json_object(), *th = NULL;
	size_t nth = 0;

	if (!o) {
		ex->failed = 1;
		return 1;
	}
	if (r->l.themes) {
		th = json_loads(r->l.themes, 0, NULL);
		if (th && !json_is_array(th)) {
			json_decref(th);
			th = NULL;
		}
		nth = th ? json_array_size(th) : 0;
	}
	json_object_set_new(o, "id", json_integer(r->l.item_id));
	if (r->l.label && strcmp(r->l.label, "1") == 0)
		json_object_set_new(o, "label", json_integer(1));
	else if (r->l.label && strcmp(r->l.label, "0") == 0)
		json_object_set_new(o, "label", json_integer(0));
	else
		json_object_set_new(o, "label", util_json_str(r->l.label));
	json_object_set_new(o, "title", util_json_str(r->title));
	json_object_set_new(o, "summary", util_json_str(r->summary));
	json_object_set_new(o, "lang", util_json_str(r->lang));
	/* training reads "theme" as the first of "themes" */
	json_object_set(o, "theme",
	                nth > 0 ? json_array_get(th, 0) : json_null());
	if (nth > 1)
		json_object_set(o, "themes", th);
	json_object_set_new(o, "labeled_by", util_json_str(r->l.labeled_by));
	json_object_set_new(o, "labeled_at", util_json_time(r->l.labeled_at));
	json_object_set_new(o, "guideline", util_json_str(r->l.guideline));
	json_object_set_new(o, "link", util_json_str(r->link));
	if (r->l.note)
		json_object_set_new(o, "why", util_json_str(r->l.note));
	json_decref(th);
	if (util_json_print(o, ex->fp) != 0 || ferror(ex->fp)) {
		ex->failed = 1;
		return 1;
	}
	ex->n++;
	return 0;
}

static int
label_export(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' },
		                              { "help", no_argument, NULL,
		                                'h' },
		                              { NULL, 0, NULL, 0 } };
	struct export ex = { NULL, 0, 0 };
	const char *path;
	char err[1024], tmp[4096];
	int c, rc, all = 0, status = EXIT_FAIL, to_stdout;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'h': return cmd_usage(ctx, usage_export, EXIT_OK);
		default: return cmd_usage(ctx, usage_export, EXIT_USAGE);
		}
	}
	if (argc - optind != 1 || !*argv[optind])
		return cmd_usage(ctx, usage_export, EXIT_USAGE);
	path = argv[optind];
	to_stdout = strcmp(path, "-") == 0;
	if (to_stdout) {
		ex.fp = stdout;
	} else {
		/* written beside and renamed: a reader sees the old file or
		 * the new one, never half */
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
		    (int)sizeof(tmp)) {
			fprintf(stderr, "pcmon label: file name too long\n");
			return EXIT_USAGE;
		}
		if (!(ex.fp = fopen(tmp, "w"))) {
			fprintf(stderr, "pcmon label: cannot create '%s': %s\n",
			        tmp, strerror(errno));
			return EXIT_FAIL;
		}
	}
	rc = store_label_foreach(ctx->store, !all, export_row, &ex, err,
	                         sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		status = EXIT_DB;
		goto out;
	}
	if (ex.failed || fflush(ex.fp) != 0 || ferror(ex.fp)) {
		fprintf(stderr, "pcmon label: cannot write '%s': %s\n",
		        to_stdout ? "standard output" : tmp, strerror(errno));
		goto out;
	}
	if (!to_stdout) {
		if (fsync(fileno(ex.fp)) != 0 || fclose(ex.fp) != 0) {
			ex.fp = NULL;
			fprintf(stderr, "pcmon label: cannot write '%s': %s\n",
			        tmp, strerror(errno));
			goto out;
		}
		ex.fp = NULL;
		if (rename(tmp, path) != 0) {
			fprintf(stderr,
			        "pcmon label: cannot rename '%s' to "
			        "'%s': %s\n",
			        tmp, path, strerror(errno));
			goto out;
		}
		printf("exported %zu label%s to '", ex.n, ex.n == 1 ? "" : "s");
		util_put_safe(stdout, path);
		printf("'\n");
	}
	status = EXIT_OK;
out:
	if (!to_stdout) {
		if (ex.fp)
			fclose(ex.fp);
		if (status != EXIT_OK)
			unlink(tmp); /* we created it: leave no debris */
	}
	return status;
}

/* ----------------------------------------------------------- agreement */

/* counts[a][b]: a's and b's label, 0 related, 1 unrelated */
struct agreement {
	int64_t counts[2][2];
	int64_t n;
};

static int
agreement_pair(int64_t item_id, const char *la, const char *lb, void *arg)
{
	struct agreement *ag = arg;
	int a = !(la && strcmp(la, "1") == 0);
	int b = !(lb && strcmp(lb, "1") == 0);

	(void)item_id;
	ag->counts[a][b]++;
	ag->n++;
	return 0;
}

static void
agreement_print(const char *a, const char *b, const struct agreement *ag,
                int json)
{
	double n = (double)ag->n, po = 0, pe = 0, kappa = NAN;
	double a1, b1;

	if (ag->n > 0) {
		po = (double)(ag->counts[0][0] + ag->counts[1][1]) / n;
		a1 = (double)(ag->counts[0][0] + ag->counts[0][1]) / n;
		b1 = (double)(ag->counts[0][0] + ag->counts[1][0]) / n;
		pe = a1 * b1 + (1 - a1) * (1 - b1);
		/* undefined when chance agreement is certain: both labelers
		 * used one and the same class only */
		if (1 - pe > 1e-12)
			kappa = (po - pe) / (1 - pe);
	}
	if (json) {
		json_t *o = json_object(), *c = json_array();
		int i;

		json_object_set_new(o, "labelers",
		                    a ? json_pack("[ss]", a, b) : json_null());
		json_object_set_new(o, "n", json_integer(ag->n));
		json_object_set_new(o, "observed",
		                    ag->n ? json_real(po) : json_null());
		json_object_set_new(o, "expected",
		                    ag->n ? json_real(pe) : json_null());
		json_object_set_new(o, "kappa",
		                    isnan(kappa) ? json_null()
		                                 : json_real(kappa));
		json_object_set_new(o, "labels",
		                    json_pack("[ss]", "related", "unrelated"));
		for (i = 0; i < 2; i++)
			json_array_append_new(
			        c,
			        json_pack("[II]", (json_int_t)ag->counts[i][0],
			                  (json_int_t)ag->counts[i][1]));
		json_object_set_new(o, "confusion", c);
		labels_json_print(o, stdout);
		return;
	}
	if (!a) {
		printf("no item has labels by two labelers\n");
		return;
	}
	printf("labelers   ");
	util_put_safe(stdout, a);
	printf(", ");
	util_put_safe(stdout, b);
	printf("\nitems      %lld\n", (long long)ag->n);
	if (ag->n == 0) {
		printf("no item has labels by both\n");
		return;
	}
	printf("observed   %.4f\n", po);
	printf("expected   %.4f\n", pe);
	if (isnan(kappa))
		printf("kappa      undefined (both labelers gave one and the "
		       "same label only)\n");
	else
		printf("kappa      %.4f\n", kappa);
	printf("\nconfusion (rows: ");
	util_put_cell(stdout, a, 20, 0);
	printf(", columns: ");
	util_put_cell(stdout, b, 20, 0);
	printf(")\n%-10s  %9s  %9s\n", "", "related", "unrelated");
	printf("%-10s  %9lld  %9lld\n", "related", (long long)ag->counts[0][0],
	       (long long)ag->counts[0][1]);
	printf("%-10s  %9lld  %9lld\n", "unrelated",
	       (long long)ag->counts[1][0], (long long)ag->counts[1][1]);
}

static int
label_agreement(int argc, char **argv, struct pcmon_ctx *ctx)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct agreement ag;
	const char *by[2] = { NULL, NULL };
	char err[1024], *a = NULL, *b = NULL;
	int64_t common;
	int c, nby = 0, json = 0, status = EXIT_DB;

	memset(&ag, 0, sizeof(ag));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (nby == 2) {
				fprintf(stderr, "pcmon label: --by given more "
				                "than twice\n");
				return EXIT_USAGE;
			}
			by[nby++] = optarg;
			break;
		case 'j': json = 1; break;
		case 'h': return cmd_usage(ctx, usage_agreement, EXIT_OK);
		default: return cmd_usage(ctx, usage_agreement, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage_agreement, EXIT_USAGE);
	if (nby == 1 || (nby == 2 && strcmp(by[0], by[1]) == 0)) {
		fprintf(stderr, "pcmon label: agreement needs two different "
		                "labelers: --by A --by B\n");
		return EXIT_USAGE;
	}
	if (nby == 0) {
		if (store_label_top_pair(ctx->store, &a, &b, &common, err,
		                         sizeof(err)) != STORE_OK) {
			fprintf(stderr, "pcmon label: %s\n", err);
			goto out;
		}
	} else if (!(a = strdup(by[0])) || !(b = strdup(by[1]))) {
		fprintf(stderr, "pcmon label: out of memory\n");
		status = EXIT_FAIL;
		goto out;
	}
	if (a && store_label_pairs(ctx->store, a, b, agreement_pair, &ag, err,
	                           sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pcmon label: %s\n", err);
		goto out;
	}
	agreement_print(a, b, &ag, json);
	status = ferror(stdout) ? out_failed("output") : EXIT_OK;
out:
	free(a);
	free(b);
	return status;
}

/* ------------------------------------------------------------ dispatch */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct pcmon_ctx *ctx);
} subcommands[] = {
	{ "suggest", label_suggest },     { "set", label_set },
	{ "import", label_import },       { "export", label_export },
	{ "agreement", label_agreement },
};

CMD_FN(cmd_label)
{
	size_t i;

	if (argc < 2)
		return cmd_usage(ctx, usage_all, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_usage(ctx, usage_all, EXIT_OK);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1, ctx);
	fprintf(stderr, "pcmon label: unknown subcommand '%s'\n", argv[1]);
	return cmd_usage(ctx, usage_all, EXIT_USAGE);
}
