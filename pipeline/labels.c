/*
 * labels.c - label files in (JSON lines or TSV), metrics out; see labels.h.
 *
 * The reader works on the file's bytes in memory: train hashes those same
 * bytes, so the data_sha256 recorded in a model is exactly what was read.
 * Every line is checked for valid UTF-8 before anything else looks at it,
 * so a bad byte is reported with its line and never reaches the model.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "labels.h"
#include "sha256.h"

#define READ_CHUNK 65536

int
labels_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0; /* continuation byte, C0/C1 overlong, > F4 */
		}
		if (n > len - i - 1)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\f' && s[i] != '\v')
			return 0;
	return 1;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	size_t i;

	if (ls < lx)
		return 0;
	for (i = 0; i < lx; i++) {
		char c = s[ls - lx + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

static int
detect_format(const char *name, const char *data, size_t len)
{
	size_t i;

	if (name && (has_suffix(name, ".jsonl") ||
	             has_suffix(name, ".ndjson") || has_suffix(name, ".json")))
		return LABELS_JSONL;
	if (name && (has_suffix(name, ".tsv") || has_suffix(name, ".txt")))
		return LABELS_TSV;
	for (i = 0; i < len; i++)
		if (!is_blank(data + i, 1) && data[i] != '\n')
			return data[i] == '{' ? LABELS_JSONL : LABELS_TSV;
	return LABELS_TSV;
}

/* A JSON string member, or NULL when absent or null; -1 if mistyped. */
static int
get_str(json_t *o, const char *key, const char **out, size_t *outlen)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	*outlen = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	*outlen = json_string_length(v);
	return 0;
}

int
labels_json_text(json_t *o, int allow_empty, char **text, const char **lang,
                 char *err, size_t errsz)
{
	const char *title, *body, *alt;
	size_t tl, bl, al, ll;
	char *s;

	*text = NULL;
	*lang = NULL;
	if (get_str(o, "title", &title, &tl) != 0) {
		snprintf(err, errsz, "\"title\" is not a string");
		return LABELS_ERR_DATA;
	}
	if (get_str(o, "summary", &body, &bl) != 0) {
		snprintf(err, errsz, "\"summary\" is not a string");
		return LABELS_ERR_DATA;
	}
	if (get_str(o, "text", &alt, &al) != 0) {
		snprintf(err, errsz, "\"text\" is not a string");
		return LABELS_ERR_DATA;
	}
	if (get_str(o, "lang", lang, &ll) != 0) {
		snprintf(err, errsz, "\"lang\" is not a string");
		return LABELS_ERR_DATA;
	}
	if (!body) {
		body = alt;
		bl = al;
	}
	if (!title && !body) {
		snprintf(err, errsz, "no \"title\", \"summary\" or \"text\"");
		return LABELS_ERR_DATA;
	}
	if (!title)
		tl = 0;
	if (!body)
		bl = 0;
	/* a NUL inside a JSON string ("\u0000") would cut the text short */
	if ((title && strlen(title) != tl) || (body && strlen(body) != bl)) {
		snprintf(err, errsz, "text holds a NUL character");
		return LABELS_ERR_DATA;
	}
	if (!allow_empty && is_blank(title ? title : "", tl) &&
	    is_blank(body ? body : "", bl)) {
		snprintf(err, errsz, "empty text");
		return LABELS_ERR_DATA;
	}
	if (!(s = malloc(tl + bl + 2))) {
		snprintf(err, errsz, "out of memory");
		return LABELS_ERR_NOMEM;
	}
	if (tl)
		memcpy(s, title, tl);
	s[tl] = '\n';
	if (bl)
		memcpy(s + tl + 1, body, bl);
	s[tl + 1 + bl] = '\0';
	if (*lang && !**lang)
		*lang = NULL;
	*text = s;
	return LABELS_OK;
}

static int
tag_valid(const char *t, size_t len)
{
	size_t i;

	if (len == 0 || len > LABELS_MAX_TAG || strlen(t) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '_' ||
		      t[i] == '.' || t[i] == '-'))
			return 0;
	return 1;
}

/* "theme" and "themes" into tagv[]: themes lists them all (theme, when
 * both are given, among them); either may be absent or null. */
static int
json_tags(json_t *o, const char **tagv, size_t *ntags, char *msg,
          size_t msgsz)
{
	json_t *th = json_object_get(o, "theme");
	json_t *ts = json_object_get(o, "themes");
	size_t i, j, n = 0;

	*ntags = 0;
	if (th && !json_is_null(th) &&
	    (!json_is_string(th) ||
	     !tag_valid(json_string_value(th), json_string_length(th)))) {
		snprintf(msg, msgsz, "\"theme\" is not a name ([A-Za-z0-9_.-], "
		                     "at most %d bytes) or null",
		         LABELS_MAX_TAG);
		return LABELS_ERR_DATA;
	}
	if (ts && !json_is_null(ts)) {
		if (!json_is_array(ts)) {
			snprintf(msg, msgsz, "\"themes\" is not an array");
			return LABELS_ERR_DATA;
		}
		if (json_array_size(ts) > LABELS_MAX_TAGS) {
			snprintf(msg, msgsz, "more than %d themes",
			         LABELS_MAX_TAGS);
			return LABELS_ERR_DATA;
		}
		for (i = 0; i < json_array_size(ts); i++) {
			json_t *t = json_array_get(ts, i);

			if (!json_is_string(t) ||
			    !tag_valid(json_string_value(t),
			               json_string_length(t))) {
				snprintf(msg, msgsz,
				         "\"themes\": item %zu is not a name", i + 1);
				return LABELS_ERR_DATA;
			}
			for (j = 0; j < n; j++)
				if (strcmp(tagv[j], json_string_value(t)) == 0) {
					snprintf(msg, msgsz,
					         "\"themes\": '%s' twice", tagv[j]);
					return LABELS_ERR_DATA;
				}
			tagv[n++] = json_string_value(t);
		}
		if (th && json_is_string(th)) {
			for (j = 0; j < n; j++)
				if (strcmp(tagv[j], json_string_value(th)) == 0)
					break;
			if (j == n) {
				snprintf(msg, msgsz,
				         "\"theme\" '%s' is not in \"themes\"",
				         json_string_value(th));
				return LABELS_ERR_DATA;
			}
		}
	} else if (th && json_is_string(th)) {
		tagv[n++] = json_string_value(th);
	}
	*ntags = n;
	return LABELS_OK;
}

static int
json_line(const char *line, size_t len, struct labels_example *ex, char **text,
          char *labelbuf, size_t labelsz, json_t **root, const char **tagv,
          char *msg, size_t msgsz)
{
	json_error_t jerr;
	json_t *o, *l;
	size_t ll;

	*root = NULL;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		snprintf(msg, msgsz, "bad JSON: %s", jerr.text);
		return LABELS_ERR_DATA;
	}
	*root = o;
	if (!json_is_object(o)) {
		snprintf(msg, msgsz, "not a JSON object");
		return LABELS_ERR_DATA;
	}
	l = json_object_get(o, "label");
	if (!l || json_is_null(l)) {
		snprintf(msg, msgsz, "\"label\" is missing");
		return LABELS_ERR_DATA;
	}
	if (json_is_integer(l)) {
		snprintf(labelbuf, labelsz, "%" JSON_INTEGER_FORMAT,
		         json_integer_value(l));
		ex->label = labelbuf;
	} else if (json_is_string(l)) {
		ex->label = json_string_value(l);
		ll = json_string_length(l);
		if (ll == 0 || is_blank(ex->label, ll)) {
			snprintf(msg, msgsz, "\"label\" is empty");
			return LABELS_ERR_DATA;
		}
		if (strlen(ex->label) != ll) {
			snprintf(msg, msgsz, "\"label\" holds a NUL character");
			return LABELS_ERR_DATA;
		}
	} else {
		snprintf(msg, msgsz, "\"label\" is not a string or an integer");
		return LABELS_ERR_DATA;
	}
	if (json_tags(o, tagv, &ex->ntags, msg, msgsz) != LABELS_OK)
		return LABELS_ERR_DATA;
	ex->tags = tagv;
	return labels_json_text(o, 0, text, &ex->lang, msg, msgsz);
}

/* label<TAB>text; the text is copied to *text (malloc'd), the label to
 * labelbuf or, when longer, to *text too. */
static int
tsv_line(const char *line, size_t len, struct labels_example *ex, char **text,
         char *msg, size_t msgsz)
{
	const char *tab = memchr(line, '\t', len);
	size_t ll, tl, start = 0;
	char *s;

	if (!tab) {
		snprintf(msg, msgsz, "no tab between label and text");
		return LABELS_ERR_DATA;
	}
	ll = (size_t)(tab - line);
	while (start < ll && (line[start] == ' '))
		start++;
	while (ll > start && line[ll - 1] == ' ')
		ll--;
	if (ll == start) {
		snprintf(msg, msgsz, "empty label");
		return LABELS_ERR_DATA;
	}
	tl = len - (size_t)(tab - line) - 1;
	if (is_blank(tab + 1, tl)) {
		snprintf(msg, msgsz, "empty text");
		return LABELS_ERR_DATA;
	}
	/* one buffer: "label\0text\0" */
	if (!(s = malloc(ll - start + tl + 2))) {
		snprintf(msg, msgsz, "out of memory");
		return LABELS_ERR_NOMEM;
	}
	memcpy(s, line + start, ll - start);
	s[ll - start] = '\0';
	memcpy(s + ll - start + 1, tab + 1, tl);
	s[ll - start + 1 + tl] = '\0';
	ex->label = s;
	ex->text = s + ll - start + 1;
	ex->lang = NULL;
	*text = s;
	return LABELS_OK;
}

int
labels_parse(const char *name, const char *data, size_t len, int format,
             int (*fn)(const struct labels_example *ex, void *arg), void *arg,
             size_t *count, char *err, size_t errsz)
{
	char msg[512], labelbuf[32];
	const char *tagv[LABELS_MAX_TAGS];
	size_t pos = 0, n = 0, ll;
	long lineno = 0;
	int rc = LABELS_OK;

	if (count)
		*count = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	if (format == LABELS_AUTO)
		format = detect_format(name, data + pos, len - pos);
	while (pos < len && rc == LABELS_OK) {
		const char *line = data + pos, *nl;
		struct labels_example ex = { NULL, NULL, NULL, 0, NULL, 0 };
		json_t *root = NULL;
		char *text = NULL;

		nl = memchr(line, '\n', len - pos);
		ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl ? 1 : 0);
		lineno++;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (is_blank(line, ll))
			continue;
		msg[0] = '\0';
		if (ll > LABELS_MAX_LINE) {
			snprintf(msg, sizeof(msg), "line longer than %zu bytes",
			         LABELS_MAX_LINE);
			rc = LABELS_ERR_DATA;
		} else if (!labels_utf8_valid(line, ll)) {
			snprintf(msg, sizeof(msg), "invalid UTF-8");
			rc = LABELS_ERR_DATA;
		} else if (format == LABELS_JSONL) {
			rc = json_line(line, ll, &ex, &text, labelbuf,
			               sizeof(labelbuf), &root, tagv, msg,
			               sizeof(msg));
			ex.text = text;
		} else {
			rc = tsv_line(line, ll, &ex, &text, msg, sizeof(msg));
		}
		if (rc == LABELS_OK) {
			ex.line = lineno;
			if (fn && fn(&ex, arg) != 0)
				rc = LABELS_ERR_STOP;
			else
				n++;
		} else {
			snprintf(err, errsz, "'%s': line %ld: %s", name, lineno,
			         msg);
		}
		free(text);
		json_decref(root);
	}
	if (count)
		*count = n;
	return rc;
}

int
labels_read_file(const char *path, char **data, size_t *len, char *err,
                 size_t errsz)
{
	FILE *fp;
	char *buf = NULL, *nbuf;
	size_t used = 0, cap = 0, got;
	int rc = LABELS_ERR_IO;

	*data = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if (!(fp = fopen(path, "rb"))) {
		snprintf(err, errsz, "cannot open '%s': %s", path,
		         strerror(errno));
		return LABELS_ERR_IO;
	}
	for (;;) {
		if (cap - used < READ_CHUNK) {
			if (cap > LABELS_MAX_FILE) {
				snprintf(err, errsz,
				         "'%s': larger than %zu bytes", path,
				         LABELS_MAX_FILE);
				rc = LABELS_ERR_DATA;
				goto out;
			}
			if (!(nbuf = realloc(buf, cap * 2 + READ_CHUNK + 1))) {
				snprintf(err, errsz,
				         "cannot read '%s': out of memory",
				         path);
				rc = LABELS_ERR_NOMEM;
				goto out;
			}
			buf = nbuf;
			cap = cap * 2 + READ_CHUNK;
		}
		got = fread(buf + used, 1, cap - used, fp);
		used += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "cannot read '%s': %s", path,
		         strerror(errno));
		goto out;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	buf = NULL;
	rc = LABELS_OK;
out:
	free(buf);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

static int
add_example(const struct labels_example *ex, void *arg)
{
	return classify_dataset_add_tagged(arg, ex->label, ex->text, ex->lang,
	                                   ex->tags, ex->ntags) != CLASSIFY_OK;
}

int
labels_load_dataset(char *const *paths, size_t n, struct classify_dataset **ds,
                    char sha_hex[65], char *err, size_t errsz)
{
	static const char digits[] = "0123456789abcdef";
	struct sha256_ctx sha;
	unsigned char d[SHA256_DIGEST_SIZE];
	char *data;
	size_t i, len, count;
	int rc = LABELS_OK;

	*ds = NULL;
	if (classify_dataset_create(ds) != CLASSIFY_OK) {
		snprintf(err, errsz, "out of memory");
		return LABELS_ERR_NOMEM;
	}
	sha256_init(&sha);
	for (i = 0; i < n && rc == LABELS_OK; i++) {
		if ((rc = labels_read_file(paths[i], &data, &len, err,
		                           errsz)) != LABELS_OK)
			break;
		sha256_update(&sha, data, len);
		rc = labels_parse(paths[i], data, len, LABELS_AUTO, add_example,
		                  *ds, &count, err, errsz);
		free(data);
		if (rc == LABELS_ERR_STOP) {
			snprintf(err, errsz, "'%s': out of memory", paths[i]);
			rc = LABELS_ERR_NOMEM;
		} else if (rc == LABELS_OK && count == 0) {
			snprintf(err, errsz, "'%s': no labeled examples",
			         paths[i]);
			rc = LABELS_ERR_DATA;
		}
	}
	if (rc != LABELS_OK) {
		classify_dataset_free(*ds);
		*ds = NULL;
		return rc;
	}
	sha256_final(&sha, d);
	if (sha_hex) {
		for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
			sha_hex[2 * i] = digits[d[i] >> 4];
			sha_hex[2 * i + 1] = digits[d[i] & 15];
		}
		sha_hex[64] = '\0';
	}
	return LABELS_OK;
}

/* ------------------------------------------------------------ metrics */

json_t *
labels_metrics_json(const struct classify_metrics *m)
{
	json_t *o = json_object(), *classes = json_array(),
	       *labels = json_array(), *conf = json_array(), *row, *c;
	size_t i, j;

	if (!o || !classes || !labels || !conf) {
		json_decref(o);
		json_decref(classes);
		json_decref(labels);
		json_decref(conf);
		return NULL;
	}
	json_object_set_new(o, "n", json_integer(m->n));
	json_object_set_new(o, "accuracy", json_real(m->accuracy));
	json_object_set_new(o, "macro_f1", json_real(m->macro_f1));
	json_object_set_new(o, "micro_f1", json_real(m->micro_f1));
	for (i = 0; i < m->nclass; i++) {
		const struct classify_class_metrics *k = &m->classes[i];

		c = json_object();
		json_object_set_new(c, "label", json_string(k->label));
		json_object_set_new(c, "precision", json_real(k->precision));
		json_object_set_new(c, "recall", json_real(k->recall));
		json_object_set_new(c, "f1", json_real(k->f1));
		json_object_set_new(c, "support", json_integer(k->support));
		json_array_append_new(classes, c);
		json_array_append_new(labels, json_string(k->label));
		row = json_array();
		for (j = 0; j < m->nclass; j++)
			json_array_append_new(
			        row,
			        json_integer(
			                m->confusion
			                        ? m->confusion[i * m->nclass +
			                                       j]
			                        : 0));
		json_array_append_new(conf, row);
	}
	json_object_set_new(o, "classes", classes);
	json_object_set_new(o, "labels", labels);
	json_object_set_new(o, "confusion", conf);
	if (m->nthresh > 0) {
		json_t *t = json_array();

		for (i = 0; i < m->nthresh; i++) {
			c = json_object();
			json_object_set_new(c, "threshold",
			                    json_real(m->thresholds[i]));
			json_object_set_new(c, "precision",
			                    json_real(m->thresh_precision[i]));
			json_object_set_new(c, "recall",
			                    json_real(m->thresh_recall[i]));
			json_array_append_new(t, c);
		}
		json_object_set_new(o, "thresholds", t);
	}
	return o;
}

void
labels_metrics_print(FILE *fp, const struct classify_metrics *m)
{
	size_t i, j, w = 5;

	for (i = 0; i < m->nclass; i++)
		if (strlen(m->classes[i].label) > w)
			w = strlen(m->classes[i].label);
	if (w > 24)
		w = 24;
	fprintf(fp, "examples   %ld\n", m->n);
	fprintf(fp, "accuracy   %.4f\n", m->accuracy);
	fprintf(fp, "macro F1   %.4f\n", m->macro_f1);
	fprintf(fp, "micro F1   %.4f\n", m->micro_f1);
	fprintf(fp, "\n%-*s  precision  recall      F1  support\n", (int)w,
	        "class");
	for (i = 0; i < m->nclass; i++) {
		const struct classify_class_metrics *k = &m->classes[i];

		fprintf(fp, "%-*.*s  %9.4f  %6.4f  %6.4f  %7ld\n", (int)w,
		        (int)w, k->label, k->precision, k->recall, k->f1,
		        k->support);
	}
	if (m->confusion && m->nclass > 0) {
		fprintf(fp,
		        "\nconfusion matrix (rows: true class, columns: "
		        "predicted)\n%-*s",
		        (int)w, "");
		for (j = 0; j < m->nclass; j++)
			fprintf(fp, "  %7.7s", m->classes[j].label);
		putc('\n', fp);
		for (i = 0; i < m->nclass; i++) {
			fprintf(fp, "%-*.*s", (int)w, (int)w,
			        m->classes[i].label);
			for (j = 0; j < m->nclass; j++)
				fprintf(fp, "  %7ld",
				        m->confusion[i * m->nclass + j]);
			putc('\n', fp);
		}
	}
	if (m->nthresh > 0) {
		fprintf(fp, "\nthreshold  precision  recall\n");
		for (i = 0; i < m->nthresh; i++)
			fprintf(fp, "%9.2f  %9.4f  %6.4f\n", m->thresholds[i],
			        m->thresh_precision[i], m->thresh_recall[i]);
	}
}

int
labels_json_print(json_t *o, FILE *fp)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                                JSON_REAL_PRECISION(6));
	int rc = -1;

	if (s) {
		fputs(s, fp);
		putc('\n', fp);
		free(s);
		rc = 0;
	}
	json_decref(o);
	return rc;
}
