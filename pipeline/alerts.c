/*
 * alerts.c - detection over the stored series, and delivery.  See alerts.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alerts.h"
#include "cmd.h"
#include "config.h"
#include "deliver.h"
#include "log.h"
#include "series.h"
#include "spike.h"
#include "store.h"
#include "trends.h"

/* ------------------------------------------------------------ channels */

/* a configured string: empty values may be NULL or "" */
static int
set(const char *s)
{
	return s && *s;
}

struct channels {
	struct deliver_webhook web;
	struct deliver_smtp smtp;
	char *password;
	char **to;
	size_t nto;
	int has_web, has_mail;
};

static void
channels_free(struct channels *c)
{
	size_t i;

	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	for (i = 0; i < c->nto; i++)
		free(c->to[i]);
	free(c->to);
	memset(c, 0, sizeof(*c));
}

/* the first line of a file, for secrets kept out of the configuration */
static char *
read_secret(const char *path, const char *prog)
{
	FILE *fp = fopen(path, "r");
	char buf[1024];
	size_t n;

	if (!fp) {
		fprintf(stderr, "%s: [alerts] smtp_password_file '%s': %s\n",
		        prog, path, strerror(errno));
		return NULL;
	}
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return strdup(buf);
}

/* mail_to "a@x, b@y" into c->to */
static int
split_to(struct channels *c, const char *list)
{
	const char *p = list, *e;

	while (*p) {
		char **v;
		size_t n;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!(v = realloc(c->to, (c->nto + 1) * sizeof(*v))))
			return -1;
		c->to = v;
		if (!(c->to[c->nto] = strndup(p, n)))
			return -1;
		c->nto++;
		p = e;
	}
	return 0;
}

static int
channels_init(const struct pcmon_config *cfg, const char *prog,
              struct channels *c)
{
	memset(c, 0, sizeof(*c));
	if (set(cfg->alert_webhook)) {
		c->has_web = 1;
		c->web.url = cfg->alert_webhook;
		c->web.timeout = cfg->alert_timeout;
		c->web.ca_file = set(cfg->alert_ca_file) ? cfg->alert_ca_file : NULL;
		c->web.user_agent = cfg->user_agent;
		if (deliver_parse_format(set(cfg->alert_webhook_format) ? cfg->alert_webhook_format : "json",
		                         &c->web.format) != 0) {
			fprintf(stderr, "%s: [alerts] webhook_format '%s': want "
			                "json or slack\n",
			        prog, cfg->alert_webhook_format);
			return -1;
		}
	}
	if (set(cfg->alert_smtp_url)) {
		c->has_mail = 1;
		c->smtp.url = cfg->alert_smtp_url;
		c->smtp.user = set(cfg->alert_smtp_user) ? cfg->alert_smtp_user : NULL;
		c->smtp.from = cfg->alert_mail_from;
		c->smtp.ca_file = set(cfg->alert_ca_file) ? cfg->alert_ca_file
		                                          : NULL;
		c->smtp.insecure = (int)cfg->alert_insecure;
		c->smtp.timeout = cfg->alert_timeout;
		if (deliver_parse_tls(set(cfg->alert_smtp_tls) ? cfg->alert_smtp_tls : "try", &c->smtp.tls) != 0) {
			fprintf(stderr, "%s: [alerts] smtp_tls '%s': want try, "
			                "require or none\n",
			        prog, cfg->alert_smtp_tls);
			return -1;
		}
		if (!set(cfg->alert_mail_from)) {
			fprintf(stderr, "%s: [alerts] smtp_url is set but "
			                "mail_from is not\n",
			        prog);
			return -1;
		}
		if (split_to(c, set(cfg->alert_mail_to) ? cfg->alert_mail_to : "") != 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -1;
		}
		if (c->nto == 0) {
			fprintf(stderr, "%s: [alerts] smtp_url is set but "
			                "mail_to is not\n",
			        prog);
			return -1;
		}
		c->smtp.to = (const char *const *)c->to;
		c->smtp.nto = c->nto;
		if (set(cfg->alert_smtp_password_file)) {
			if (!(c->password = read_secret(
			              cfg->alert_smtp_password_file, prog)))
				return -1;
			c->smtp.password = c->password;
		}
	}
	return 0;
}

int
alerts_channels(const struct pcmon_config *cfg, const char *prog,
                const char *names[], int max)
{
	struct channels c;
	int n = 0;

	if (channels_init(cfg, prog, &c) != 0) {
		channels_free(&c);
		return -1;
	}
	if (c.has_web && n < max)
		names[n++] = "webhook";
	if (c.has_mail && n < max)
		names[n++] = "email";
	channels_free(&c);
	return n;
}

/* ------------------------------------------------------------- messages */

struct message {
	char id[64];
	char subject[512];
	char *text, *json;
};

static void
message_free(struct message *m)
{
	free(m->text);
	free(m->json);
	memset(m, 0, sizeof(*m));
}

/* one line of feed text for a mail or chat message: no control
 * characters, at most max bytes (cut on a UTF-8 boundary) */
static void
clean_line(char *dst, size_t dstsz, const char *s, size_t max)
{
	size_t n = 0;

	if (max >= dstsz)
		max = dstsz - 1;
	for (; s && *s && n < max; s++)
		dst[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	if (s && *s) /* cut: back off a partial character */
		while (n && ((unsigned char)dst[n] & 0xc0) == 0x80 &&
		       ((unsigned char)dst[n - 1] & 0x80))
			n--;
	dst[n] = '\0';
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static int
message_build(const struct store_alert *a, struct message *m)
{
	json_t *p = NULL, *stories, *s;
	char *text = NULL, line[600];
	size_t len = 0, i;
	FILE *fp;
	int kind_new = a->kind && strcmp(a->kind, "new") == 0;

	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "pcmon-alert-%lld", (long long)a->id);
	clean_line(line, sizeof(line), a->series, 200);
	if (kind_new)
		snprintf(m->subject, sizeof(m->subject),
		         "pcmon: new in %.200s on %.16s (%lld %s)", line, a->period,
		         (long long)a->count, a->count == 1 ? "story" : "stories");
	else
		snprintf(m->subject, sizeof(m->subject),
		         "pcmon: %.200s spike on %.16s: %lld stories (expected "
		         "%.1f)",
		         line, a->period, (long long)a->count, a->expected);
	if (a->payload)
		p = json_loads(a->payload, 0, NULL);
	if (!p)
		p = json_object();
	if (!p || json_object_set_new(p, "id", json_integer(a->id)) != 0)
		goto fail;
	if (!(m->json = json_dumps(p, JSON_COMPACT)))
		goto fail;
	if (!(fp = open_memstream(&text, &len)))
		goto fail;
	fprintf(fp, "pcmon alert %lld: %s\n\n", (long long)a->id,
	        kind_new ? "the first story in a long time"
	                 : "more stories than expected");
	fprintf(fp, "series:   %s\nday:      %s (UTC)\n", line, a->period);
	fprintf(fp, "stories:  %lld (expected %.2f, score %.2f)\n",
	        (long long)a->count, a->expected, a->score);
	fprintf(fp, "model:    %s\n", a->model_version ? a->model_version : "");
	stories = json_object_get(p, "stories");
	if (json_array_size(stories))
		fputs("\nThe stories behind it:\n", fp);
	json_array_foreach(stories, i, s)
	{
		clean_line(line, sizeof(line), jstr(s, "title"), 300);
		fprintf(fp, "\n%zu. %s\n", i + 1, line);
		clean_line(line, sizeof(line), jstr(s, "source"), 120);
		fprintf(fp, "   %s, %s, score %.2f\n", line, jstr(s, "date"),
		        json_number_value(json_object_get(s, "score")));
		clean_line(line, sizeof(line), jstr(s, "link"), 500);
		if (*line)
			fprintf(fp, "   %s\n", line);
	}
	fputs("\n-- \npcmon alerts --format json shows every alert; pcmon "
	      "evidence builds the bundle behind one.\n",
	      fp);
	if (fclose(fp) != 0)
		goto fail;
	m->text = text;
	json_decref(p);
	return 0;
fail:
	free(text);
	json_decref(p);
	message_free(m);
	return -1;
}

/* ------------------------------------------------------------- delivery */

struct deliver_state {
	struct channels *c;
	struct store *st;
	const char *prog;
	long sent, failed;
	int db_error;
	char err[1024];
};

/* Pending deliveries are collected first: the store's cursor is not
 * held while a slow receiver is waited for. */
struct pending {
	int64_t id;
	char *channel;
	struct store_alert a;
	char *series, *period, *kind, *model, *payload;
};

struct pending_list {
	struct pending *v;
	size_t n, cap;
	int oom;
};

static char *
dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
collect(const struct store_alert *a, const char *channel, long attempts,
        void *arg)
{
	struct pending_list *l = arg;
	struct pending *p;

	(void)attempts;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct pending *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = 1;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	p = &l->v[l->n++];
	memset(p, 0, sizeof(*p));
	p->a = *a;
	p->channel = dup0(channel);
	p->series = dup0(a->series);
	p->period = dup0(a->period);
	p->kind = dup0(a->kind);
	p->model = dup0(a->model_version);
	p->payload = dup0(a->payload);
	p->a.series = p->series;
	p->a.period = p->period;
	p->a.kind = p->kind;
	p->a.model_version = p->model;
	p->a.payload = p->payload;
	if (!p->channel || !p->series || !p->period) {
		l->oom = 1;
		return 1;
	}
	return 0;
}

static void
pending_free(struct pending_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].channel);
		free(l->v[i].series);
		free(l->v[i].period);
		free(l->v[i].kind);
		free(l->v[i].model);
		free(l->v[i].payload);
	}
	free(l->v);
}

static int
send_one(struct channels *c, const char *channel, const struct message *m,
         char *err, size_t errsz)
{
	struct deliver_message dm;

	dm.id = m->id;
	dm.subject = m->subject;
	dm.text = m->text;
	dm.json = m->json;
	if (strcmp(channel, "webhook") == 0 && c->has_web)
		return deliver_webhook_send(&c->web, &dm, err, errsz);
	if (strcmp(channel, "email") == 0 && c->has_mail)
		return deliver_smtp_send(&c->smtp, &dm, err, errsz);
	return 1; /* not configured now: left pending */
}

int
alerts_deliver(const struct pcmon_config *cfg, struct store *st,
               const char *prog, long *sent, long *failed)
{
	struct channels c;
	struct pending_list l;
	struct message m;
	char err[1024], serr[1024];
	size_t i;
	int rc, status = EXIT_OK;

	*sent = *failed = 0;
	memset(&l, 0, sizeof(l));
	if (channels_init(cfg, prog, &c) != 0) {
		channels_free(&c);
		return EXIT_USAGE;
	}
	if (store_alert_pending(st, collect, &l, err, sizeof(err)) !=
	    STORE_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		status = EXIT_DB;
		goto out;
	}
	if (l.oom) {
		fprintf(stderr, "%s: out of memory\n", prog);
		status = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		struct pending *p = &l.v[i];

		if (message_build(&p->a, &m) != 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			status = EXIT_FAIL;
			goto out;
		}
		serr[0] = '\0';
		rc = send_one(&c, p->channel, &m, serr, sizeof(serr));
		message_free(&m);
		if (rc > 0) {
			log_debug("alert %lld: channel %s is not configured; "
			          "left pending",
			          (long long)p->a.id, p->channel);
			continue;
		}
		if (rc < 0) {
			(*failed)++;
			log_warn("alert %lld: %s delivery failed, retried on "
			         "the next run: %s",
			         (long long)p->a.id, p->channel, serr);
			if (status == EXIT_OK)
				status = EXIT_PARTIAL;
		} else {
			(*sent)++;
			log_info("alert %lld: delivered by %s",
			         (long long)p->a.id, p->channel);
		}
		if (store_alert_attempt(st, p->a.id, p->channel,
		                        rc < 0 ? serr : NULL, (int64_t)time(NULL),
		                        err, sizeof(err)) != STORE_OK) {
			fprintf(stderr, "%s: %s\n", prog, err);
			status = EXIT_DB;
			goto out;
		}
	}
out:
	pending_free(&l);
	channels_free(&c);
	return status;
}

int
alerts_test(const struct pcmon_config *cfg, const char *prog)
{
	struct channels c;
	struct store_alert a;
	struct message m;
	char err[1024], payload[512], day[32];
	const char *names[2] = { "webhook", "email" };
	int i, rc, status = EXIT_OK, tried = 0;
	time_t now = time(NULL);
	struct tm tm;

	if (channels_init(cfg, prog, &c) != 0) {
		channels_free(&c);
		return EXIT_USAGE;
	}
	memset(&a, 0, sizeof(a));
	gmtime_r(&now, &tm);
	snprintf(day, sizeof(day), "%04d-%02d-%02d", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday);
	snprintf(payload, sizeof(payload),
	         "{\"series\":\"test\",\"kind\":\"test\",\"period\":"
	         "\"%s\",\"count\":0,\"expected\":0,\"score\":0,"
	         "\"stories\":[],\"test\":true}",
	         day);
	a.id = 0;
	a.series = "test";
	a.period = day;
	a.kind = "test";
	a.payload = payload;
	a.model_version = "";
	if (message_build(&a, &m) != 0) {
		channels_free(&c);
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_FAIL;
	}
	snprintf(m.id, sizeof(m.id), "pcmon-test-%lld", (long long)now);
	snprintf(m.subject, sizeof(m.subject),
	         "pcmon: test message (the alert channels work)");
	for (i = 0; i < 2; i++) {
		if ((i == 0 && !c.has_web) || (i == 1 && !c.has_mail))
			continue;
		tried++;
		rc = send_one(&c, names[i], &m, err, sizeof(err));
		if (rc == 0) {
			printf("%s: ok\n", names[i]);
		} else {
			printf("%s: failed: %s\n", names[i], err);
			status = EXIT_PARTIAL;
		}
	}
	message_free(&m);
	channels_free(&c);
	if (!tried) {
		fprintf(stderr, "%s: no alert channel is configured (set "
		                "[alerts] webhook or smtp_url)\n",
		        prog);
		return EXIT_USAGE;
	}
	return status;
}

/* ------------------------------------------------------------ detection */

struct story_state {
	json_t *arr;
	int oom;
};

static int
add_story(const struct store_series_item *r, void *arg)
{
	struct story_state *s = arg;
	char day[16];
	json_t *o;

	trends_day_label(r->date / 86400, day, sizeof(day));
	o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s, s:f}", "id",
	              (json_int_t)r->id, "title", r->title, "link", r->link,
	              "source", r->feed_name, "lang", r->lang, "date", day,
	              "score", round(r->related * 1000) / 1000);
	if (!o || json_array_append_new(s->arr, o) != 0) {
		s->oom = 1;
		return 1;
	}
	return 0;
}

/* The kinds of series watched, and whether a first story in a long time
 * is news on its own: only where stories are rare */
static const struct {
	int kind, new_alerts;
} watched[] = {
	{ SERIES_TOTAL, 0 },
	{ SERIES_THEME, 0 },
	{ SERIES_COUNTRY, 1 },
	{ SERIES_THEME_COUNTRY, 1 },
};

struct detect_run {
	const struct pcmon_config *cfg;
	struct store *st;
	const struct alerts_detect_opts *o;
	const struct series_model *sm;
	const char **channels;
	int nchannels;
	long added;
	char err[1024];
};

/* Stores one alert of key's series on day; 0, 1 when it was not new, or
 * an exit status */
static int
store_one(struct detect_run *r, int kind, const char *key, int64_t day,
          int64_t count, const struct spike_day *sd)
{
	struct store_series_query q;
	struct store_alert a;
	struct story_state ss = { NULL, 0 };
	char series[512], period[16], *last = NULL, *payload = NULL;
	int64_t last_day, id = 0, now = (int64_t)time(NULL);
	int rc;

	series_name(kind, key, series, sizeof(series));
	trends_day_label(day, period, sizeof(period));
	if (store_alert_last(r->st, series, &last, r->err, sizeof(r->err)) !=
	    STORE_OK)
		return EXIT_DB;
	/* cooldown: an ongoing event does not alert again */
	if (last && trends_parse_day(last, &last_day) == 0 &&
	    (day - last_day) * 86400 <= r->cfg->detect_cooldown &&
	    day >= last_day) {
		free(last);
		return 1;
	}
	free(last);

	memset(&q, 0, sizeof(q));
	q.kind = kind;
	q.model_version = r->sm->version;
	q.threshold = r->cfg->threshold;
	q.stories = r->o->stories;
	q.since = day * 86400;
	q.until = (day + 1) * 86400;
	if (!(ss.arr = json_array()))
		goto oom;
	if (store_series_items(r->st, &q, key, r->cfg->detect_stories,
	                       add_story, &ss, r->err,
	                       sizeof(r->err)) != STORE_OK) {
		json_decref(ss.arr);
		return EXIT_DB;
	}
	if (ss.oom)
		goto oom;
	{
		json_t *p = json_pack(
		        "{s:s, s:s, s:s, s:I, s:f, s:f, s:s, s:I, s:o}",
		        "series", series, "kind",
		        sd->kind == SPIKE_NEW ? "new" : "volume", "period",
		        period, "count", (json_int_t)count, "expected",
		        round(sd->expected * 1000) / 1000, "score",
		        round(sd->score * 1000) / 1000, "model_version",
		        r->sm->version, "created_at", (json_int_t)now, "stories",
		        ss.arr);
		ss.arr = NULL; /* p owns it, even when json_pack failed */
		if (!p)
			goto oom;
		payload = json_dumps(p, JSON_COMPACT);
		json_decref(p);
		if (!payload)
			goto oom;
	}
	memset(&a, 0, sizeof(a));
	a.series = series;
	a.period = period;
	a.kind = sd->kind == SPIKE_NEW ? "new" : "volume";
	a.count = count;
	a.expected = sd->expected;
	a.score = sd->score;
	a.model_version = r->sm->version;
	a.created_at = now;
	a.payload = payload;
	rc = store_alert_add(r->st, &a, r->channels, (size_t)r->nchannels,
	                     &id, r->err, sizeof(r->err));
	free(payload);
	if (rc == STORE_ERR_EXISTS)
		return 1;
	if (rc != STORE_OK)
		return EXIT_DB;
	r->added++;
	log_info("alert %lld: %s on %s: %lld %s (expected %.2f, score %.2f)%s",
	         (long long)id, series, period, (long long)count,
	         count == 1 ? "story" : "stories", sd->expected, sd->score,
	         sd->kind == SPIKE_NEW ? ", the first in a long time" : "");
	if (!r->o->quiet)
		printf("alert %lld: %s on %s: %lld %s (expected %.2f, score "
		       "%.2f)%s\n",
		       (long long)id, series, period, (long long)count,
		       count == 1 ? "story" : "stories", sd->expected, sd->score,
		       sd->kind == SPIKE_NEW ? ", the first in a long time" : "");
	return 0;
oom:
	json_decref(ss.arr);
	snprintf(r->err, sizeof(r->err), "out of memory");
	return EXIT_FAIL;
}

int
alerts_detect(const struct pcmon_config *cfg, struct store *st,
              const struct alerts_detect_opts *o, long *added)
{
	static const char *prog = "pcmon detect";
	struct detect_run r;
	struct series_model sm;
	struct trends_table t;
	struct spike_params sp;
	struct spike_day *out = NULL;
	const char *channels[4];
	unsigned char *blind = NULL;
	int64_t ndays64 = cfg->detect_history / 86400, day0, from;
	size_t ndays, w, k, d;
	int n, rc, status = EXIT_OK;

	*added = 0;
	memset(&t, 0, sizeof(t));
	if (ndays64 < 14)
		ndays64 = 14;
	day0 = o->today - ndays64 + 1;
	from = o->since_day < day0 ? day0 : o->since_day;
	ndays = (size_t)ndays64;
	if ((n = alerts_channels(cfg, prog, channels, 4)) < 0)
		return EXIT_USAGE;
	if (series_model(cfg, st, o->model, prog, &sm) != 0)
		return EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.st = st;
	r.o = o;
	r.sm = &sm;
	r.channels = channels;
	r.nchannels = n;
	if (sm.scored == 0) {
		fprintf(stderr, "%s: no item is scored by model %s yet: run "
		                "pcmon classify first\n",
		        prog, sm.version);
		return EXIT_OK;
	}
	blind = calloc(ndays, 1);
	out = calloc(ndays, sizeof(*out));
	if (!blind || !out) {
		fprintf(stderr, "%s: out of memory\n", prog);
		status = EXIT_FAIL;
		goto done;
	}
	if (series_blind_days(st, day0, ndays, cfg->detect_outage_share,
	                      o->today, blind, r.err, sizeof(r.err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, r.err);
		status = EXIT_DB;
		goto done;
	}
	for (w = 0; w < sizeof(watched) / sizeof(watched[0]); w++) {
		if (series_load(st, &sm, cfg->threshold, watched[w].kind,
		                o->stories, day0, ndays, &t, r.err,
		                sizeof(r.err)) != 0) {
			fprintf(stderr, "%s: %s\n", prog, r.err);
			status = EXIT_DB;
			goto done;
		}
		/* before the first item pcmon stored, nothing was observed:
		 * those days are blind for every series, or the first story
		 * of every country would look like news */
		if (watched[w].kind == SERIES_TOTAL && t.nkeys > 0) {
			for (d = 0; d < ndays && trends_table_total(&t, 0, d) == 0;
			     d++)
				blind[d] = 1;
		}
		for (k = 0; k < t.nkeys; k++) {
			spike_params_default(&sp);
			sp.threshold = cfg->detect_threshold;
			sp.min_count = cfg->detect_min_count;
			sp.half_life = cfg->detect_half_life;
			sp.warmup = cfg->detect_warmup;
			sp.shift_days = cfg->detect_shift_days;
			sp.new_gap = watched[w].new_alerts ? cfg->detect_new_gap
			                                   : 0;
			if (spike_detect(&sp, t.related[k], blind, ndays,
			                 (int)(((day0 + 3) % 7 + 7) % 7),
			                 out) != 0) {
				fprintf(stderr, "%s: bad detector parameters\n",
				        prog);
				status = EXIT_USAGE;
				goto done;
			}
			for (d = (size_t)(from - day0); d < ndays; d++) {
				if (out[d].kind == SPIKE_NONE)
					continue;
				rc = store_one(&r, watched[w].kind, t.keys[k],
				               day0 + (int64_t)d,
				               t.related[k][d], &out[d]);
				if (rc > 1) {
					fprintf(stderr, "%s: %s\n", prog,
					        r.err);
					status = rc;
					goto done;
				}
			}
		}
		trends_table_free(&t);
	}
done:
	trends_table_free(&t);
	free(blind);
	free(out);
	*added = r.added;
	return status;
}
