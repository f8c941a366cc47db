/*
 * deliver.c - alert delivery: HTTP webhooks and SMTP mail through libcurl.
 *
 * One call is one attempt and says only "accepted" or "not, because...".
 * Everything that goes into a protocol header is checked first: an id,
 * subject or address holding CR or LF is refused before a connection is
 * opened, so feed text can never add a header or an SMTP command.  The
 * mail is built here (RFC 5322 headers, RFC 2047 subject, quoted-printable
 * UTF-8 body, CRLF); libcurl dot-stuffs it on the wire.  Every buffer has a
 * ceiling: the mail MAIL_MAX, a webhook's answer RESP_MAX (the rest of it
 * is not read).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "deliver.h"

#ifndef PCMON_VERSION
#define PCMON_VERSION "0"
#endif

#define RESP_MAX        (64 * 1024) /* webhook answer read, at most */
#define MAIL_MAX        (8 << 20)   /* the whole mail */
#define REPLY_MAX       256         /* an SMTP reply kept for messages */
#define ID_MAX          200
#define TIMEOUT_DEFAULT 30L

/* A growing buffer with a ceiling (STYLE.md 5): once an append fails, the
 * later ones do nothing and the buffer reports the failure at the end. */
struct dbuf {
	char *p;
	size_t len, cap, max;
	int full;  /* something was refused because of max */
	int nomem; /* realloc failed */
};

static int
dbuf_add(struct dbuf *b, const char *s, size_t n)
{
	size_t ncap;
	char *p;

	if (b->nomem || b->full)
		return -1;
	if (n > b->max - b->len) {
		b->full = 1;
		return -1;
	}
	if (n + 1 > b->cap - b->len) {
		ncap = b->cap ? b->cap : 1024;
		while (ncap - b->len < n + 1)
			ncap *= 2;
		if (!(p = realloc(b->p, ncap))) {
			b->nomem = 1;
			return -1;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
dbuf_puts(struct dbuf *b, const char *s)
{
	return dbuf_add(b, s, strlen(s));
}

static int
dbuf_failed(const struct dbuf *b)
{
	return b->nomem || b->full;
}

static int
has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* The id goes into HTTP headers and a Message-ID: a dot-atom of safe
 * characters, so it needs no quoting anywhere. */
static int
good_id(const char *id)
{
	size_t i;

	if (!id || !*id || strlen(id) > ID_MAX || id[0] == '.')
		return 0;
	for (i = 0; id[i]; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '+' || c == '.'))
			return 0;
		if (c == '.' && (id[i + 1] == '.' || id[i + 1] == '\0'))
			return 0;
	}
	return 1;
}

/* The first line of s (n bytes at most) into out, control bytes as '?'. */
static void
first_line(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;

	if (!outsz)
		return;
	for (i = 0; s && i < n && s[i] && s[i] != '\r' && s[i] != '\n' &&
	            o + 1 < outsz && o < 200;
	     i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
}

/* "https://user:pw@hooks.example:8443/T0/B1/secret?x" ->
 * "https://hooks.example:8443/...": the path of a Slack or Mattermost
 * webhook is its secret and a URL may carry a password, so messages (which
 * end up in logs and the database) show the scheme, host and port only. */
static void
redact_url(const char *url, char *buf, size_t bufsz)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL;
	int rest;

	if (u &&
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	            CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		rest = (path && strcmp(path, "/") != 0 && *path) || query;
		snprintf(buf, bufsz, "%s://%s%s%s%s", scheme, host,
		         port ? ":" : "", port ? port : "",
		         rest            ? "/..."
		         : path && *path ? "/"
		                         : "");
	} else {
		/* not a URL curl can parse: up to the first '/', '@', '?'
		 * after the scheme, then nothing */
		const char *p = strstr(url, "://");
		size_t n = p ? (size_t)(p + 3 - url) : 0;

		n += strcspn(url + n, "/@?#");
		snprintf(buf, bufsz, "%.*s%s", (int)(n > 200 ? 200 : n), url,
		         url[n] ? "..." : "");
		first_line(buf, strlen(buf), buf, bufsz);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
}

static void
curl_detail(CURLcode cc, const char *errbuf, char *out, size_t outsz)
{
	const char *s = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(cc);

	first_line(s, strlen(s), out, outsz);
}

int
deliver_parse_format(const char *s, int *out)
{
	if (s && strcmp(s, "json") == 0)
		*out = DELIVER_JSON;
	else if (s && strcmp(s, "slack") == 0)
		*out = DELIVER_SLACK;
	else
		return -1;
	return 0;
}

int
deliver_parse_tls(const char *s, int *out)
{
	if (s && strcmp(s, "try") == 0)
		*out = DELIVER_TLS_TRY;
	else if (s && strcmp(s, "require") == 0)
		*out = DELIVER_TLS_REQUIRE;
	else if (s && strcmp(s, "none") == 0)
		*out = DELIVER_TLS_NONE;
	else
		return -1;
	return 0;
}

/* ---- webhook ----------------------------------------------------------- */

struct answer {
	struct dbuf body;
	int capped; /* stopped reading at RESP_MAX */
};

static size_t
on_response(char *data, size_t size, size_t nmemb, void *userp)
{
	struct answer *a = userp;
	size_t n = size * nmemb;
	size_t room = a->body.max - a->body.len;

	if (n > room) {
		/* enough to judge the answer: stop reading (the transfer
		 * ends with CURLE_WRITE_ERROR, the status is already in) */
		dbuf_add(&a->body, data, room);
		a->capped = 1;
		return 0;
	}
	dbuf_add(&a->body, data, n);
	return n;
}

/* Slack reads &, < and > as markup ("<!channel>" would notify a whole
 * channel): a feed's text gets them escaped, as Slack asks.  Mattermost
 * renders the entities back as the characters. */
static char *
slack_body(const struct deliver_message *m)
{
	struct dbuf t = { NULL, 0, 0, (size_t)MAIL_MAX, 0, 0 };
	const char *parts[3], *p;
	json_t *o = NULL, *s;
	char *out = NULL;
	int i;

	parts[0] = m->subject ? m->subject : "";
	parts[1] = "\n";
	parts[2] = m->text ? m->text : "";
	for (i = 0; i < 3; i++)
		for (p = parts[i]; *p; p++) {
			if (*p == '&')
				dbuf_puts(&t, "&amp;");
			else if (*p == '<')
				dbuf_puts(&t, "&lt;");
			else if (*p == '>')
				dbuf_puts(&t, "&gt;");
			else
				dbuf_add(&t, p, 1);
		}
	/* json_stringn refuses invalid UTF-8 */
	if (!dbuf_failed(&t) && t.p && (s = json_stringn(t.p, t.len))) {
		if ((o = json_object()) &&
		    json_object_set_new(o, "text", s) == 0)
			out = json_dumps(o, JSON_COMPACT);
		else if (!o)
			json_decref(s);
	}
	json_decref(o);
	free(t.p);
	return out;
}

static int
is_json_object(const char *s)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	int ok = json_is_object(j);

	json_decref(j);
	return ok;
}

static struct curl_slist *
add_header(struct curl_slist *l, int *oom, const char *name, const char *val)
{
	struct curl_slist *n;
	char line[512];

	if (*oom)
		return l;
	/* "Name:" with nothing after it tells curl not to send Name */
	if (snprintf(line, sizeof(line), *val ? "%s: %s" : "%s:%s", name,
	             val) >= (int)sizeof(line) ||
	    !(n = curl_slist_append(l, line))) {
		*oom = 1;
		return l;
	}
	return n;
}

int
deliver_webhook_send(const struct deliver_webhook *w,
                     const struct deliver_message *m, char *err, size_t errsz)
{
	char errbuf[CURL_ERROR_SIZE], line[256], shown[300], where[300];
	struct answer ans = { { NULL, 0, 0, RESP_MAX, 0, 0 }, 0 };
	struct curl_slist *headers = NULL;
	const char *payload, *ua;
	char *body = NULL, *redir = NULL;
	CURL *e = NULL;
	CURLcode cc;
	long code = 0;
	int rc = -1, oom = 0;

	if (err && errsz)
		err[0] = '\0';
	redact_url(w && w->url ? w->url : "", shown, sizeof(shown));
	if (!w || !w->url || !*w->url || !m) {
		snprintf(err, errsz, "webhook '%s': no URL or message", shown);
		return -1;
	}
	if (strncasecmp(w->url, "http://", 7) != 0 &&
	    strncasecmp(w->url, "https://", 8) != 0) {
		snprintf(err, errsz,
		         "webhook '%s': only http:// and https:// URLs", shown);
		return -1;
	}
	if (!good_id(m->id)) {
		snprintf(err, errsz, "webhook '%s': bad alert id", shown);
		return -1;
	}
	ua = w->user_agent ? w->user_agent : "pcmon/" PCMON_VERSION;
	if (has_crlf(ua)) {
		snprintf(err, errsz, "webhook '%s': line break in user agent",
		         shown);
		return -1;
	}
	if (w->format == DELIVER_SLACK) {
		if (!(payload = body = slack_body(m))) {
			snprintf(err, errsz,
			         "webhook '%s': cannot build the Slack message "
			         "(invalid UTF-8 or out of memory)",
			         shown);
			return -1;
		}
	} else if (w->format == DELIVER_JSON) {
		if (!is_json_object(m->json)) {
			snprintf(err, errsz,
			         "webhook '%s': the alert is not a JSON object",
			         shown);
			return -1;
		}
		payload = m->json;
	} else {
		snprintf(err, errsz, "webhook '%s': unknown format %d", shown,
		         w->format);
		return -1;
	}

	headers = add_header(headers, &oom, "Content-Type", "application/json");
	headers = add_header(headers, &oom, "Idempotency-Key", m->id);
	headers = add_header(headers, &oom, "X-Pcmon-Alert", m->id);
	/* no "Expect: 100-continue" round trip for a large alert */
	headers = add_header(headers, &oom, "Expect", "");
	if (oom || !(e = curl_easy_init())) {
		snprintf(err, errsz, "webhook '%s': out of memory", shown);
		goto out;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	/* only http and https, also for a redirect (which is not followed
	 * anyway: a POST redirected is a GET on most servers) */
#if LIBCURL_VERSION_NUM >= 0x075500
	cc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
		                      "http,https");
#else
	cc = curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	                      (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
		                      (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(e, CURLOPT_URL, w->url);
	if (cc != CURLE_OK) {
		curl_detail(cc, errbuf, line, sizeof(line));
		snprintf(err, errsz, "webhook '%s': %s", shown, line);
		goto out;
	}
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(e, CURLOPT_TIMEOUT,
	                 w->timeout > 0 ? w->timeout : TIMEOUT_DEFAULT);
	if (w->ca_file && *w->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, w->ca_file);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
	                 (curl_off_t)strlen(payload));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &ans);

	cc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	/* a long answer cut at RESP_MAX is still an answer */
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && ans.capped)) {
		curl_detail(cc, errbuf, line, sizeof(line));
		snprintf(err, errsz, "webhook '%s': %s", shown, line);
		goto out;
	}
	if (code < 200 || code > 299) {
		first_line(ans.body.p, ans.body.len, line, sizeof(line));
		where[0] = '\0';
		if (code >= 300 && code <= 399 &&
		    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &redir) ==
		            CURLE_OK &&
		    redir)
			first_line(redir, strlen(redir), where, sizeof(where));
		if (where[0])
			snprintf(err, errsz,
			         "webhook '%s': HTTP %ld, redirect to '%s' not "
			         "followed",
			         shown, code, where);
		else
			snprintf(err, errsz, "webhook '%s': HTTP %ld%s%s",
			         shown, code, line[0] ? ": " : "", line);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(headers);
	if (e)
		curl_easy_cleanup(e);
	free(ans.body.p);
	free(body);
	return rc;
}

/* ---- the mail ------------------------------------------------------------ */

static const char b64chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_add(struct dbuf *b, const unsigned char *s, size_t n)
{
	char q[4];
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64chars[(v >> 18) & 63];
		q[1] = b64chars[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64chars[v & 63] : '=';
		dbuf_add(b, q, 4);
	}
}

static int
is_plain(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	/* "=?" in plain text would be read as the start of an encoded word */
	return strstr(s, "=?") == NULL;
}

/* RFC 2047 encoded words, "=?UTF-8?B?...?=", each of at most 42 bytes of s
 * (68 characters: a folded line stays under 78) never splitting a UTF-8
 * sequence, separated by CRLF SP, which a reader drops between two encoded
 * words. */
static void
add_encoded(struct dbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), start, end;

	for (start = 0; start < n; start = end) {
		end = start + 42 < n ? start + 42 : n;
		while (end < n && end > start + 1 && (s[end] & 0xc0) == 0x80)
			end--;
		if (start)
			dbuf_puts(b, "\r\n ");
		dbuf_puts(b, "=?UTF-8?B?");
		b64_add(b, s + start, end - start);
		dbuf_puts(b, "?=");
	}
}

/* "Subject: ..." CRLF.  Printable ASCII is folded before a space to keep
 * lines under 78 characters (unfolding gives the subject back); any other
 * subject, or a word too long to fold, is sent as encoded words. */
static void
add_subject(struct dbuf *b, const char *subject)
{
	size_t col = 9, n = strlen(subject), i, w;
	int fold_ok = is_plain(subject);

	/* a word (with its leading space) must fit on a line of its own */
	for (i = 0; fold_ok && i < n; i += w) {
		w = 1 + strcspn(subject + i + 1, " ");
		if (w > 70)
			fold_ok = 0;
	}
	dbuf_puts(b, "Subject: ");
	if (!fold_ok) {
		add_encoded(b, subject);
		dbuf_puts(b, "\r\n");
		return;
	}
	for (i = 0; i < n; i += w) {
		w = 1 + strcspn(subject + i + 1, " ");
		/* never a line of blanks only: fold before a word */
		if (i > 0 && col + w > 76 && w > 1) {
			dbuf_puts(b, "\r\n");
			col = 0;
		}
		dbuf_add(b, subject + i, w);
		col += w;
	}
	dbuf_puts(b, "\r\n");
}

/* Quoted-printable (RFC 2045 6.7): lines of at most 76 characters; "\n"
 * and "\r\n" in the text are line breaks (CRLF), a space or tab before a
 * line break is encoded, a soft break is "=" CRLF.  A line starting with
 * "." is left as it is: libcurl dot-stuffs it on the wire. */
static void
add_qp(struct dbuf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)text;
	size_t i, col = 0, t, limit;
	char tok[3];

	for (i = 0; s[i]; i++) {
		unsigned char c = s[i];
		int at_eol;

		if (c == '\n' || (c == '\r' && s[i + 1] == '\n')) {
			if (c == '\r')
				i++;
			dbuf_add(b, "\r\n", 2);
			col = 0;
			continue;
		}
		at_eol = s[i + 1] == '\0' || s[i + 1] == '\n' ||
		         (s[i + 1] == '\r' && s[i + 2] == '\n');
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !at_eol)) {
			tok[0] = (char)c;
			t = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			t = 3;
		}
		/* room for the "=" of a soft break unless this ends the line */
		limit = at_eol ? 76 : 75;
		if (col + t > limit) {
			dbuf_add(b, "=\r\n", 3);
			col = 0;
		}
		dbuf_add(b, tok, t);
		col += t;
	}
	if (col)
		dbuf_add(b, "\r\n", 2);
}

/* An address as configured: "a@b" or "Display Name <a@b>".  The bare
 * address (for MAIL FROM / RCPT TO) goes to addr; 0, or -1 when it is
 * malformed or holds a control character, space or bracket. */
static int
split_address(const char *s, char *addr, size_t addrsz, const char **name,
              size_t *namelen)
{
	const unsigned char *p;
	const char *lt, *a;
	size_t n, i;

	if (!s || !*s)
		return -1;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	lt = strrchr(s, '<');
	if (lt) {
		n = strlen(lt);
		if (n < 3 || lt[n - 1] != '>')
			return -1;
		a = lt + 1;
		n -= 2;
		*name = s;
		*namelen = (size_t)(lt - s);
		while (*namelen && s[*namelen - 1] == ' ')
			(*namelen)--;
		for (i = 0; i < *namelen; i++)
			if (s[i] == '<' || s[i] == '>')
				return -1;
	} else {
		a = s;
		n = strlen(s);
		*name = NULL;
		*namelen = 0;
	}
	if (n == 0 || n >= addrsz || !memchr(a, '@', n))
		return -1;
	for (i = 0; i < n; i++)
		if (a[i] == ' ' || a[i] == '<' || a[i] == '>' || a[i] == ',')
			return -1;
	memcpy(addr, a, n);
	addr[n] = '\0';
	return 0;
}

/* One mailbox for a header: the display name as a quoted string (or as
 * encoded words when it is not ASCII) and the bare address in brackets. */
static void
add_mailbox(struct dbuf *b, const char *s)
{
	char addr[512], name[512];
	const char *nm;
	size_t nl, i;

	if (split_address(s, addr, sizeof(addr), &nm, &nl) != 0)
		return; /* checked before */
	if (!nm || nl == 0) {
		dbuf_puts(b, addr);
		return;
	}
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	/* a name given in quotes: drop them, they are added back */
	if (nl >= 2 && nm[0] == '"' && nm[nl - 1] == '"') {
		nm++;
		nl -= 2;
	}
	memcpy(name, nm, nl);
	name[nl] = '\0';
	if (is_plain(name)) {
		dbuf_puts(b, "\"");
		for (i = 0; i < nl; i++) {
			if (name[i] == '"' || name[i] == '\\')
				dbuf_puts(b, "\\");
			dbuf_add(b, name + i, 1);
		}
		dbuf_puts(b, "\"");
	} else {
		add_encoded(b, name);
	}
	dbuf_puts(b, " <");
	dbuf_puts(b, addr);
	dbuf_puts(b, ">");
}

static void
build_mail(struct dbuf *b, const struct deliver_smtp *sm,
           const struct deliver_message *m)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
		                            "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
		                              "May", "Jun", "Jul", "Aug",
		                              "Sep", "Oct", "Nov", "Dec" };
	char line[128];
	struct tm tm;
	time_t now = time(NULL);
	size_t i;

	if (gmtime_r(&now, &tm)) {
		snprintf(line, sizeof(line),
		         "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		         days[tm.tm_wday % 7], tm.tm_mday,
		         months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
		         tm.tm_min, tm.tm_sec);
		dbuf_puts(b, line);
	}
	dbuf_puts(b, "From: ");
	add_mailbox(b, sm->from);
	dbuf_puts(b, "\r\nTo: ");
	for (i = 0; i < sm->nto; i++) {
		if (i)
			dbuf_puts(b, ",\r\n ");
		add_mailbox(b, sm->to[i]);
	}
	dbuf_puts(b, "\r\n");
	add_subject(b, m->subject ? m->subject : "");
	/* the same on every attempt: a retry after a lost 250 can be
	 * recognised as the same message */
	dbuf_puts(b, "Message-ID: <");
	dbuf_puts(b, m->id);
	dbuf_puts(b, "@pcmon>\r\nX-Pcmon-Alert: ");
	dbuf_puts(b, m->id);
	/* RFC 3834: no vacation auto-replies to an alert */
	dbuf_puts(b, "\r\nAuto-Submitted: auto-generated\r\n"
	             "MIME-Version: 1.0\r\n"
	             "Content-Type: text/plain; charset=UTF-8\r\n"
	             "Content-Transfer-Encoding: quoted-printable\r\n"
	             "\r\n");
	add_qp(b, m->text ? m->text : "");
}

/* ---- SMTP ---------------------------------------------------------------- */

struct upload {
	const char *p;
	size_t len, off;
};

static size_t
on_read(char *buf, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->p + u->off, n);
	u->off += n;
	return n;
}

/* What the server said, for messages: the last reply line, and the last
 * one that was a 4xx or 5xx, which is what explains a failure. */
struct replies {
	char last[REPLY_MAX];
	char bad[REPLY_MAX];
};

/* Server replies come as CURLINFO_HEADER_IN; what we send (AUTH with the
 * password among it) is never looked at. */
static int
on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *userp)
{
	struct replies *r = userp;

	(void)e;
	if (type != CURLINFO_HEADER_IN || size == 0)
		return 0;
	first_line(data, size, r->last, sizeof(r->last));
	if (size >= 3 && (data[0] == '4' || data[0] == '5'))
		memcpy(r->bad, r->last, sizeof(r->bad));
	return 0;
}

int
deliver_smtp_send(const struct deliver_smtp *sm,
                  const struct deliver_message *m, char *err, size_t errsz)
{
	char errbuf[CURL_ERROR_SIZE], detail[256], shown[300], addr[520];
	char from[520];
	struct dbuf mail = { NULL, 0, 0, MAIL_MAX, 0, 0 };
	struct curl_slist *rcpt = NULL, *h;
	struct replies rep;
	struct upload up;
	const char *nm, *said;
	size_t nl, i;
	CURL *e = NULL;
	CURLcode cc;
	long use_ssl;
	int rc = -1, authed;

	if (err && errsz)
		err[0] = '\0';
	redact_url(sm && sm->url ? sm->url : "", shown, sizeof(shown));
	if (!sm || !sm->url || !*sm->url || !m) {
		snprintf(err, errsz, "mail '%s': no URL or message", shown);
		return -1;
	}
	if (strncasecmp(sm->url, "smtp://", 7) != 0 &&
	    strncasecmp(sm->url, "smtps://", 8) != 0) {
		snprintf(err, errsz,
		         "mail '%s': only smtp:// and smtps:// URLs", shown);
		return -1;
	}
	if (!good_id(m->id)) {
		snprintf(err, errsz, "mail '%s': bad alert id", shown);
		return -1;
	}
	if (has_crlf(m->subject)) {
		snprintf(err, errsz, "mail '%s': line break in the subject",
		         shown);
		return -1;
	}
	if (split_address(sm->from, from, sizeof(from), &nm, &nl) != 0) {
		snprintf(err, errsz, "mail '%s': bad sender address", shown);
		return -1;
	}
	if (!sm->to || sm->nto == 0) {
		snprintf(err, errsz, "mail '%s': no recipients", shown);
		return -1;
	}
	for (i = 0; i < sm->nto; i++) {
		if (split_address(sm->to[i], addr, sizeof(addr), &nm, &nl) !=
		    0) {
			snprintf(err, errsz,
			         "mail '%s': bad recipient address %zu", shown,
			         i + 1);
			goto out;
		}
		if (!(h = curl_slist_append(rcpt, addr))) {
			snprintf(err, errsz, "mail '%s': out of memory", shown);
			goto out;
		}
		rcpt = h;
	}
	build_mail(&mail, sm, m);
	if (dbuf_failed(&mail)) {
		snprintf(err, errsz, "mail '%s': %s", shown,
		         mail.full ? "message larger than 8 MB"
		                   : "out of memory");
		goto out;
	}
	if (!(e = curl_easy_init())) {
		snprintf(err, errsz, "mail '%s': out of memory", shown);
		goto out;
	}
	up.p = mail.p;
	up.len = mail.len;
	up.off = 0;
	errbuf[0] = '\0';
	memset(&rep, 0, sizeof(rep));
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	cc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	cc = curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	                      (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(e, CURLOPT_URL, sm->url);
	if (cc != CURLE_OK) {
		curl_detail(cc, errbuf, detail, sizeof(detail));
		snprintf(err, errsz, "mail '%s': %s", shown, detail);
		goto out;
	}
	authed = sm->user && *sm->user;
	/* TRY with a password would send it in clear to a server (or a
	 * man in the middle) that does not offer STARTTLS */
	if (sm->tls == DELIVER_TLS_NONE)
		use_ssl = (long)CURLUSESSL_NONE;
	else if (sm->tls == DELIVER_TLS_REQUIRE || authed)
		use_ssl = (long)CURLUSESSL_ALL;
	else
		use_ssl = (long)CURLUSESSL_TRY;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, &up);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)mail.len);
	curl_easy_setopt(e, CURLOPT_USE_SSL, use_ssl);
	if (sm->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (sm->ca_file && *sm->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, sm->ca_file);
	if (authed) {
		curl_easy_setopt(e, CURLOPT_USERNAME, sm->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
		                 sm->password ? sm->password : "");
	}
	curl_easy_setopt(e, CURLOPT_TIMEOUT,
	                 sm->timeout > 0 ? sm->timeout : TIMEOUT_DEFAULT);
	/* the replies reach on_debug only; nothing is printed */
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, &rep);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);

	cc = curl_easy_perform(e);
	if (cc != CURLE_OK) {
		curl_detail(cc, errbuf, detail, sizeof(detail));
		said = rep.bad[0] ? rep.bad : NULL;
		if (cc == CURLE_USE_SSL_FAILED)
			snprintf(err, errsz,
			         "mail '%s': the server offers no STARTTLS "
			         "(%s)",
			         shown,
			         sm->tls == DELIVER_TLS_REQUIRE
			                 ? "smtp_tls is require"
			                 : "a password is not sent in clear "
			                   "unless smtp_tls is none");
		else if (said) /* the reply explains more than curl */
			snprintf(err, errsz, "mail '%s': %s (%s)", shown, said,
			         detail);
		else
			snprintf(err, errsz, "mail '%s': %s", shown, detail);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(rcpt);
	if (e)
		curl_easy_cleanup(e);
	free(mail.p);
	return rc;
}
