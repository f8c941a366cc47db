/*
 * deliver.c - alert delivery over HTTP webhooks (JSON or Slack format) and
 * SMTP (a plain-text, quoted-printable MIME message), both through libcurl.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "deliver.h"

#define RESP_MAX (64 * 1024)   /* webhook response body kept for messages */
#define MAIL_MAX (8 << 20)     /* the whole SMTP message */
#define REPLY_MAX 256          /* last SMTP reply line kept for messages */

/* A growing buffer with a ceiling (STYLE.md 5). */
struct dbuf {
	char *p;
	size_t len, cap, max;
	int full;  /* something was refused because of max */
	int nomem;
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
has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* Copies the first line of s (at most n bytes) into out, control bytes
 * replaced with '?'. */
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

/* ---- webhook ---------------------------------------------------------- */

static size_t
on_response(char *data, size_t size, size_t nmemb, void *userp)
{
	struct dbuf *b = userp;
	size_t n = size * nmemb;
	size_t room = b->max - b->len;

	/* keep the first RESP_MAX bytes and drop the rest: an accepting server
	 * with a long answer still counts as accepted; CURLOPT_TIMEOUT bounds
	 * a server that never stops */
	if (!b->nomem && room)
		dbuf_add(b, data, n < room ? n : room);
	return n;
}

static char *
slack_body(const struct deliver_message *m)
{
	struct dbuf t = { NULL, 0, 0, (size_t)MAIL_MAX, 0, 0 };
	json_t *o, *s;
	char *out = NULL;

	dbuf_puts(&t, m->subject ? m->subject : "");
	dbuf_puts(&t, "\n");
	dbuf_puts(&t, m->text ? m->text : "");
	if (t.nomem || t.full) {
		free(t.p);
		return NULL;
	}
	/* json_stringn rejects invalid UTF-8 */
	s = json_stringn(t.p, t.len);
	free(t.p);
	if (!s)
		return NULL;
	o = json_object();
	if (o && json_object_set_new(o, "text", s) == 0)
		out = json_dumps(o, JSON_COMPACT);
	else if (!o)
		json_decref(s);
	json_decref(o);
	return out;
}

/* "https://hooks.example/T0/B1/secret" -> "https://hooks.example/..." */
static void
redact_url(const char *url, char *buf, size_t bufsz)
{
	const char *host = strstr(url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;

	if (!path)
		snprintf(buf, bufsz, "%s", url);
	else
		snprintf(buf, bufsz, "%.*s/...", (int)(path - url), url);
}

int
deliver_webhook_send(const struct deliver_webhook *w,
                     const struct deliver_message *m, char *err, size_t errsz)
{
	char errbuf[CURL_ERROR_SIZE], line[512], hdr[512];
	struct dbuf resp = { NULL, 0, 0, RESP_MAX, 0, 0 };
	struct curl_slist *headers = NULL, *h;
	const char *url = w && w->url ? w->url : "";
	char shown[256];
	char *body = NULL;
	const char *payload;
	CURL *e = NULL;
	CURLcode cc;
	long code = 0;
	int rc = -1;

	if (err && errsz)
		err[0] = '\0';
	/* the path of a webhook URL is often its secret (Slack, Mattermost):
	 * messages and logs show the scheme and host only */
	redact_url(url, shown, sizeof(shown));
	if (!w || !w->url || !*w->url || !m) {
		snprintf(err, errsz, "webhook '%s': no URL or message", shown);
		return -1;
	}
	if (!m->id || !*m->id || has_crlf(m->id) ||
	    has_crlf(w->user_agent)) {
		snprintf(err, errsz, "webhook '%s': bad alert id or user agent", shown);
		return -1;
	}
	if (w->format == DELIVER_SLACK) {
		if (!(body = slack_body(m))) {
			snprintf(err, errsz,
			         "webhook '%s': cannot build the Slack message "
			         "(invalid UTF-8 or out of memory)", shown);
			return -1;
		}
		payload = body;
	} else if (w->format == DELIVER_JSON) {
		if (!m->json) {
			snprintf(err, errsz, "webhook '%s': no JSON in alert", shown);
			return -1;
		}
		payload = m->json;
	} else {
		snprintf(err, errsz, "webhook '%s': unknown format %d", shown,
		         w->format);
		return -1;
	}

	if (!(e = curl_easy_init())) {
		snprintf(err, errsz, "webhook '%s': curl_easy_init failed", shown);
		goto out;
	}
	h = curl_slist_append(headers, "Content-Type: application/json");
	if (h)
		headers = h;
	/* no "Expect: 100-continue" round trip */
	if (h && (h = curl_slist_append(headers, "Expect:")))
		headers = h;
	snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", m->id);
	if (h && (h = curl_slist_append(headers, hdr)))
		headers = h;
	snprintf(hdr, sizeof(hdr), "X-Pcmon-Alert: %s", m->id);
	if (h && (h = curl_slist_append(headers, hdr)))
		headers = h;
	if (!h) {
		snprintf(err, errsz, "webhook '%s': out of memory", shown);
		goto out;
	}

	errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, w->url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	                 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (w->user_agent)
		curl_easy_setopt(e, CURLOPT_USERAGENT, w->user_agent);
	if (w->timeout > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT, w->timeout);
	if (w->ca_file && *w->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, w->ca_file);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
	                 (curl_off_t)strlen(payload));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);

	cc = curl_easy_perform(e);
	if (cc != CURLE_OK) {
		snprintf(err, errsz, "webhook '%s': %s", shown,
		         errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		first_line(resp.p, resp.len, line, sizeof(line));
		snprintf(err, errsz, "webhook '%s': HTTP %ld%s%s", shown, code,
		         line[0] ? ": " : "", line);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(headers);
	if (e)
		curl_easy_cleanup(e);
	free(resp.p);
	free(body);
	return rc;
}

/* ---- SMTP ------------------------------------------------------------- */

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
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
		if (dbuf_add(b, q, 4) != 0)
			return -1;
	}
	return 0;
}

/* "Subject: ..." with RFC 2047 encoded words when the subject is not plain
 * printable ASCII or too long for one line. Each encoded word carries at
 * most 45 bytes (60 base64 characters, 72 in all) and never splits a UTF-8
 * sequence; words are folded onto continuation lines. */
static int
add_subject(struct dbuf *b, const char *subject)
{
	const unsigned char *s = (const unsigned char *)subject;
	size_t n = strlen(subject), i, start, end;
	int plain = n <= 900;

	for (i = 0; plain && i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			plain = 0;
	/* "=?" in plain text would read as an encoded word */
	if (plain && strstr(subject, "=?"))
		plain = 0;
	dbuf_puts(b, "Subject: ");
	if (plain) {
		dbuf_puts(b, subject);
		return dbuf_puts(b, "\r\n");
	}
	if (n == 0)
		return dbuf_puts(b, "\r\n");
	for (start = 0; start < n; start = end) {
		end = start + 45 < n ? start + 45 : n;
		/* back off to a UTF-8 lead byte */
		while (end < n && end > start + 1 && (s[end] & 0xc0) == 0x80)
			end--;
		if (start)
			dbuf_puts(b, "\r\n ");
		dbuf_puts(b, "=?UTF-8?B?");
		b64_add(b, s + start, end - start);
		dbuf_puts(b, "?=");
	}
	return dbuf_puts(b, "\r\n");
}

/* Quoted-printable (RFC 2045 6.7): lines of at most 76 characters ending
 * in CRLF; "\n" and "\r\n" in the text are hard line breaks, a space or tab
 * before a line break is encoded, soft breaks are "=" CRLF. */
static int
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
	return b->nomem || b->full ? -1 : 0;
}

static int
build_mail(struct dbuf *b, const struct deliver_smtp *sm,
           const struct deliver_message *m)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
		                            "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
		                              "May", "Jun", "Jul", "Aug",
		                              "Sep", "Oct", "Nov", "Dec" };
	char line[256];
	struct tm tm;
	time_t now = time(NULL);
	size_t i;

	if (!gmtime_r(&now, &tm))
		return -1;
	snprintf(line, sizeof(line),
	         "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	         days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	dbuf_puts(b, line);
	dbuf_puts(b, "From: ");
	dbuf_puts(b, sm->from);
	dbuf_puts(b, "\r\nTo: ");
	for (i = 0; i < sm->nto; i++) {
		if (i)
			dbuf_puts(b, ",\r\n ");
		dbuf_puts(b, sm->to[i]);
	}
	dbuf_puts(b, "\r\n");
	add_subject(b, m->subject ? m->subject : "");
	dbuf_puts(b, "Message-ID: <");
	dbuf_puts(b, m->id);
	dbuf_puts(b, "@pcmon>\r\n"
	             "MIME-Version: 1.0\r\n"
	             "Content-Type: text/plain; charset=UTF-8\r\n"
	             "Content-Transfer-Encoding: quoted-printable\r\n"
	             "\r\n");
	add_qp(b, m->text ? m->text : "");
	return b->nomem || b->full ? -1 : 0;
}

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

/* Keeps the last reply line from the server (SMTP replies come as
 * CURLINFO_HEADER_IN); what we send, credentials included, is ignored. */
static int
on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *userp)
{
	char *reply = userp;

	(void)e;
	if (type == CURLINFO_HEADER_IN && size > 0)
		first_line(data, size, reply, REPLY_MAX);
	return 0;
}

static int
bad_address(const char *s)
{
	const unsigned char *p;

	if (!s || !*s)
		return 1;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return 1;
	return 0;
}

int
deliver_smtp_send(const struct deliver_smtp *sm,
                  const struct deliver_message *m, char *err, size_t errsz)
{
	char errbuf[CURL_ERROR_SIZE], reply[REPLY_MAX], addr[1024];
	struct dbuf mail = { NULL, 0, 0, MAIL_MAX, 0, 0 };
	struct curl_slist *rcpt = NULL, *h;
	const char *url = sm && sm->url ? sm->url : "";
	struct upload up;
	CURL *e = NULL;
	CURLcode cc;
	size_t i;
	int rc = -1;

	if (err && errsz)
		err[0] = '\0';
	if (!sm || !sm->url || !*sm->url || !m || !m->id || !*m->id) {
		snprintf(err, errsz, "mail '%s': no URL, message or id", url);
		return -1;
	}
	if (has_crlf(m->subject) || has_crlf(m->id)) {
		snprintf(err, errsz, "mail '%s': line break in subject or id",
		         url);
		return -1;
	}
	if (bad_address(sm->from)) {
		snprintf(err, errsz, "mail '%s': bad sender address", url);
		return -1;
	}
	if (!sm->to || sm->nto == 0) {
		snprintf(err, errsz, "mail '%s': no recipients", url);
		return -1;
	}
	for (i = 0; i < sm->nto; i++) {
		if (bad_address(sm->to[i])) {
			snprintf(err, errsz, "mail '%s': bad recipient address",
			         url);
			return -1;
		}
		if (snprintf(addr, sizeof(addr), "<%s>", sm->to[i]) >=
		            (int)sizeof(addr) ||
		    !(h = curl_slist_append(rcpt, addr))) {
			snprintf(err, errsz, "mail '%s': recipient too long or "
			                     "out of memory",
			         url);
			goto out;
		}
		rcpt = h;
	}
	if (snprintf(addr, sizeof(addr), "<%s>", sm->from) >=
	    (int)sizeof(addr)) {
		snprintf(err, errsz, "mail '%s': sender too long", url);
		goto out;
	}
	if (build_mail(&mail, sm, m) != 0) {
		snprintf(err, errsz, "mail '%s': message too large or out of "
		                     "memory",
		         url);
		goto out;
	}
	if (!(e = curl_easy_init())) {
		snprintf(err, errsz, "mail '%s': curl_easy_init failed", url);
		goto out;
	}
	up.p = mail.p;
	up.len = mail.len;
	up.off = 0;
	errbuf[0] = '\0';
	reply[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, sm->url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	                 (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, &up);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)mail.len);
	curl_easy_setopt(e, CURLOPT_USE_SSL,
	                 sm->tls == DELIVER_TLS_REQUIRE ? (long)CURLUSESSL_ALL
	                 : sm->tls == DELIVER_TLS_NONE ? (long)CURLUSESSL_NONE
	                                               : (long)CURLUSESSL_TRY);
	if (sm->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (sm->ca_file && *sm->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, sm->ca_file);
	if (sm->user && *sm->user) {
		curl_easy_setopt(e, CURLOPT_USERNAME, sm->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
		                 sm->password ? sm->password : "");
	}
	if (sm->timeout > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT, sm->timeout);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, reply);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);

	cc = curl_easy_perform(e);
	if (cc != CURLE_OK) {
		snprintf(err, errsz, "mail '%s': %s%s%s", url,
		         errbuf[0] ? errbuf : curl_easy_strerror(cc),
		         reply[0] ? "; server said: " : "", reply);
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
