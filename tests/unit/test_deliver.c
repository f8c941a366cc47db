/*
 * test_deliver.c - pipeline/deliver.c against the local receivers in
 * tests/sinks.py: webhook body and headers, Slack format, HTTP errors,
 * unreachable and hanging servers; SMTP message headers, RFC 2047 subject
 * and quoted-printable body read back by Python's email package, STARTTLS,
 * AUTH, a 451 answer, and header injection refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "check.h"
#include "deliver.h"

static char src[4096], tmp[4096];

struct sink {
	pid_t pid;
	int port;
	char dir[4200];
};

/* PCMON_SRC, else the directory two above this file (__FILE__ is relative
 * to the directory make ran in, the source tree, when built by make), else
 * the current directory. */
static void
find_src(void)
{
	const char *e = getenv("PCMON_SRC");
	char probe[4200], *slash;

	if (e && *e) {
		snprintf(src, sizeof(src), "%s", e);
		return;
	}
	snprintf(src, sizeof(src), "%s", __FILE__);
	slash = strrchr(src, '/');
	if (slash)
		snprintf(slash, sizeof(src) - (size_t)(slash - src), "/../..");
	else
		snprintf(src, sizeof(src), "../..");
	snprintf(probe, sizeof(probe), "%s/tests/sinks.py", src);
	if (access(probe, R_OK) != 0)
		snprintf(src, sizeof(src), ".");
}

static int
have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* Starts "python3 tests/sinks.py KIND --out DIR --lifetime 300 args..."
 * (args NULL-terminated) and reads its "port N" line.  The lifetime ends a
 * sink this test could not stop (a crash under the sanitizer). */
static int
sink_startv(struct sink *s, const char *name, const char *kind,
            const char *const *args)
{
	static int seq;
	char script[4200], line[128];
	const char *argv[24];
	int fd[2], n = 0;
	FILE *fp;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	snprintf(s->dir, sizeof(s->dir), "%s/%s-%d", tmp, name, ++seq);
	snprintf(script, sizeof(script), "%s/tests/sinks.py", src);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = kind;
	argv[n++] = "--out";
	argv[n++] = s->dir;
	argv[n++] = "--lifetime";
	argv[n++] = "300";
	while (args && *args && n < 23)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe(fd) != 0)
		return -1;
	fflush(stdout);
	s->pid = fork();
	if (s->pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (s->pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	fp = fdopen(fd[0], "r");
	if (!fp) {
		close(fd[0]);
		return -1;
	}
	if (fgets(line, sizeof(line), fp) &&
	    sscanf(line, "port %d", &s->port) == 1) {
		fclose(fp);
		return 0;
	}
	fclose(fp);
	return -1;
}

static int
sink_start(struct sink *s, const char *name, const char *kind, const char *a1,
           const char *a2, const char *a3)
{
	const char *args[4] = { a1, a2, a3, NULL };

	return sink_startv(s, name, kind, args);
}

/* Files saved in the sink's directory with this extension. */
static int
sink_count(const struct sink *s, const char *ext)
{
	char path[4300];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "%s/%04d.%s", s->dir, n + 1, ext);
		if (access(path, F_OK) != 0)
			return n;
		n++;
	}
}

static void
sink_stop(struct sink *s)
{
	int st;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &st, 0);
		s->pid = -1;
	}
}

static json_t *
sink_json(const struct sink *s, int n)
{
	char path[4300];
	json_error_t je;

	snprintf(path, sizeof(path), "%s/%04d.json", s->dir, n);
	return json_load_file(path, 0, &je);
}

static char *
sink_file(const struct sink *s, int n, const char *ext)
{
	char path[4300];
	FILE *fp;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%04d.%s", s->dir, n, ext);
	if (!(fp = fopen(path, "rb")))
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[len] = '\0';
	fclose(fp);
	return buf;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *
jhdr(json_t *o, const char *k)
{
	json_t *h = json_object_get(o, "headers");
	const char *key;
	json_t *v;

	json_object_foreach(h, key, v)
	{
		if (strcasecmp(key, k) == 0)
			return json_string_value(v);
	}
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct deliver_message msg = {
	"pcmon-alert-42",
	"Europol: 42 arrests",
	"Operation in 5 countries.\n",
	"{\"id\":42,\"title\":\"Europol: 42 "
	"arrests\",\"country\":\"Espa\xc3\xb1"
	"a\"}",
};

static void
test_parse(void)
{
	int v = -7;

	CHECK(deliver_parse_format("json", &v) == 0 && v == DELIVER_JSON,
	      "format json");
	CHECK(deliver_parse_format("slack", &v) == 0 && v == DELIVER_SLACK,
	      "format slack");
	CHECK(deliver_parse_format("JSON", &v) == -1, "format JSON refused");
	CHECK(deliver_parse_format(NULL, &v) == -1, "format NULL refused");
	CHECK(deliver_parse_tls("try", &v) == 0 && v == DELIVER_TLS_TRY,
	      "tls try");
	CHECK(deliver_parse_tls("require", &v) == 0 && v == DELIVER_TLS_REQUIRE,
	      "tls require");
	CHECK(deliver_parse_tls("none", &v) == 0 && v == DELIVER_TLS_NONE,
	      "tls none");
	CHECK(deliver_parse_tls("yes", &v) == -1, "tls yes refused");
}

static void
test_webhook(void)
{
	struct deliver_webhook w = { NULL, DELIVER_JSON, 10, NULL,
		                     "pcmon-test/1" };
	struct sink s, f, h;
	char url[256], err[512];
	json_t *j, *b;
	double t0;
	int rc, port;

	if (sink_start(&s, "hook", "webhook", NULL, NULL, NULL) != 0) {
		CHECK(0, "webhook sink starts");
		sink_stop(&s);
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook/x?y=1", s.port);
	w.url = url;
	rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
	CHECK_INT(rc, 0, "webhook json accepted (%s)", err);
	j = sink_json(&s, 1);
	CHECK(j != NULL, "webhook request saved");
	CHECK_STR(jstr(j, "method"), "POST", "webhook method");
	CHECK_STR(jstr(j, "path"), "/hook/x?y=1", "webhook path");
	CHECK_STR(jstr(j, "body"), msg.json, "webhook json body as given");
	CHECK_STR(jhdr(j, "Content-Type"), "application/json",
	          "webhook content type");
	CHECK_STR(jhdr(j, "Idempotency-Key"), "pcmon-alert-42",
	          "webhook Idempotency-Key");
	CHECK_STR(jhdr(j, "X-Pcmon-Alert"), "pcmon-alert-42",
	          "webhook X-Pcmon-Alert");
	CHECK_STR(jhdr(j, "User-Agent"), "pcmon-test/1", "webhook User-Agent");
	json_decref(j);

	w.format = DELIVER_SLACK;
	rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
	CHECK_INT(rc, 0, "webhook slack accepted (%s)", err);
	j = sink_json(&s, 2);
	b = j ? json_loads(jstr(j, "body") ? jstr(j, "body") : "", 0, NULL)
	      : NULL;
	CHECK(b && json_is_object(b) && json_object_size(b) == 1,
	      "slack body is {\"text\": ...}");
	CHECK_STR(jstr(b, "text"),
	          "Europol: 42 arrests\nOperation in 5 "
	          "countries.\n",
	          "slack text is subject, newline, text");
	json_decref(b);
	json_decref(j);
	sink_stop(&s);

	/* the port is free now: nothing listens there */
	port = s.port;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/gone", port);
	w.format = DELIVER_JSON;
	t0 = now_s();
	rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
	CHECK_INT(rc, -1, "unreachable webhook fails");
	CHECK(now_s() - t0 < 3, "and fails fast (%.1f s)", now_s() - t0);
	{
		char host[64];

		snprintf(host, sizeof(host), "http://127.0.0.1:%d/...'", port);
		CHECK(strstr(err, host) != NULL && strstr(err, "/gone") == NULL,
		      "error names the host, not the path (a webhook's path "
		      "is its secret): %s",
		      err);
	}

	w.url = "ftp://127.0.0.1/x";
	rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
	CHECK_INT(rc, -1, "ftp URL refused (%s)", err);

	if (sink_start(&f, "fail", "webhook", "--fail-first", "1", NULL) != 0) {
		CHECK(0, "failing webhook sink starts");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
		w.url = url;
		rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
		CHECK_INT(rc, -1, "first send answered 500 fails");
		CHECK(strstr(err, "500") != NULL && strstr(err, url) != NULL,
		      "error has the status and URL: %s", err);
		CHECK(strstr(err, "fail: try again later") != NULL,
		      "error has the body's first line");
		rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
		CHECK_INT(rc, 0, "retry accepted (%s)", err);
		j = sink_json(&f, 2);
		CHECK_STR(jhdr(j, "Idempotency-Key"), "pcmon-alert-42",
		          "retry has the same Idempotency-Key");
		json_decref(j);
	}
	sink_stop(&f);

	if (sink_start(&f, "status", "webhook", "--status", "404", NULL) != 0) {
		CHECK(0, "404 webhook sink starts");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
		w.url = url;
		rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
		CHECK(rc == -1 && strstr(err, "404"), "404 fails: %s", err);
	}
	sink_stop(&f);

	if (sink_start(&h, "hang", "webhook", "--hang-first", "1", NULL) != 0) {
		CHECK(0, "hanging webhook sink starts");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", h.port);
		w.url = url;
		w.timeout = 2;
		t0 = now_s();
		rc = deliver_webhook_send(&w, &msg, err, sizeof(err));
		t0 = now_s() - t0;
		CHECK_INT(rc, -1, "hanging webhook times out (%s)", err);
		CHECK(t0 >= 1.5 && t0 < 5, "timeout after %.1f s", t0);
	}
	sink_stop(&h);
}

/* Input refused before sending, Slack escaping, the default user agent,
 * credentials kept out of messages, a redirect, a long answer. */
static void
test_webhook_more(void)
{
	struct deliver_webhook w = { NULL, DELIVER_SLACK, 10, NULL, NULL };
	struct deliver_message m = msg;
	struct sink s, r, big;
	char url[256], err[512];
	json_t *j, *b;
	double t0;
	int rc;

	if (sink_start(&s, "hook2", "webhook", NULL, NULL, NULL) != 0) {
		CHECK(0, "webhook sink starts");
		sink_stop(&s);
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", s.port);
	w.url = url;
	m.subject = "<!channel> Fox Hunt & Sky Net";
	m.text = "a <b> & c\n";
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, 0, "slack with markup accepted (%s)", err);
	j = sink_json(&s, 1);
	b = j ? json_loads(jstr(j, "body") ? jstr(j, "body") : "", 0, NULL)
	      : NULL;
	CHECK_STR(jstr(b, "text"),
	          "&lt;!channel&gt; Fox Hunt &amp; Sky Net\na &lt;b&gt; &amp; "
	          "c\n",
	          "slack: & < > escaped (no @channel from feed text)");
	CHECK(jhdr(j, "User-Agent") &&
	              strncmp(jhdr(j, "User-Agent"), "pcmon/", 6) == 0,
	      "default User-Agent pcmon/VERSION");
	json_decref(b);
	json_decref(j);

	m = msg;
	m.id = "pcmon alert 1";
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "id with spaces refused (%s)", err);
	m.id = "pcmon-alert-1\r\nX-Evil: 1";
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "id with CR LF refused");
	m.id = "";
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "empty id refused");
	m = msg;
	w.user_agent = "pcmon\r\nX-Evil: 1";
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "user agent with CR LF refused");
	w.user_agent = NULL;
	w.format = DELIVER_JSON;
	m.json = "[1,2]";
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "JSON that is not an object refused (%s)", err);
	m.json = NULL;
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "no JSON refused");
	m = msg;
	w.format = 7;
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "unknown format refused");
	w.format = DELIVER_JSON;
	CHECK_INT(sink_count(&s, "json"), 1, "nothing refused was sent");

	{
		/* 2 MB: curl would ask "Expect: 100-continue" first */
		size_t n = 2u << 20;
		char *pad2m = malloc(n + 16);

		if (pad2m) {
			memcpy(pad2m, "{\"pad\":\"", 8);
			memset(pad2m + 8, 'x', n);
			memcpy(pad2m + 8 + n, "\"}", 3);
			m.json = pad2m;
			rc = deliver_webhook_send(&w, &m, err, sizeof(err));
			CHECK_INT(rc, 0, "2 MB alert accepted (%s)", err);
			j = sink_json(&s, 2);
			CHECK(jhdr(j, "Expect") == NULL, "no Expect header");
			CHECK(jstr(j, "body") &&
			              strlen(jstr(j, "body")) == n + 10,
			      "2 MB body intact");
			json_decref(j);
			m.json = msg.json;
			free(pad2m);
		}
	}
	snprintf(url, sizeof(url),
	         "http://hook:pa55word@127.0.0.1:%d/T0/B1/s3cret?token=t0k",
	         s.port);
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, 0, "URL with user and password accepted (%s)", err);
	j = sink_json(&s, 3);
	CHECK(jhdr(j, "Authorization") &&
	              strncmp(jhdr(j, "Authorization"), "Basic ", 6) == 0,
	      "user:password sent as Basic auth");
	json_decref(j);
	sink_stop(&s);
	rc = deliver_webhook_send(&w, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "stopped receiver fails");
	CHECK(!strstr(err, "pa55word") && !strstr(err, "s3cret") &&
	              !strstr(err, "t0k") && !strstr(err, "hook:"),
	      "no password, path or query in the message: %s", err);

	/* a redirect is not followed, whatever it points to */
	if (sink_start(&r, "redir", "webhook", "--redirect",
	               "file:///etc/passwd", NULL) != 0) {
		CHECK(0, "redirecting sink starts");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", r.port);
		rc = deliver_webhook_send(&w, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "redirect to file:// fails");
		CHECK(strstr(err, "302") && strstr(err, "file:///etc/passwd") &&
		              strstr(err, "not followed"),
		      "error names the status and the target: %s", err);
		CHECK_INT(sink_count(&r, "json"), 1, "one request only");
	}
	sink_stop(&r);
	if (sink_start(&r, "redir2", "webhook", "--redirect", "/elsewhere",
	               NULL) != 0) {
		CHECK(0, "redirecting sink starts");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", r.port);
		rc = deliver_webhook_send(&w, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "redirect to http is not followed either");
		CHECK_INT(sink_count(&r, "json"), 1, "one request only");
	}
	sink_stop(&r);

	/* 8 MB of answer: only the first 64 KB are read */
	if (sink_start(&big, "big", "webhook", "--body-bytes", "8000000",
	               NULL) != 0) {
		CHECK(0, "big-answer sink starts");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", big.port);
		t0 = now_s();
		rc = deliver_webhook_send(&w, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "200 with a huge body accepted (%s)", err);
		CHECK(now_s() - t0 < 5, "without reading it all");
	}
	sink_stop(&big);
	{
		static const char *const args[] = { "--status", "503",
			                            "--body-bytes", "8000000",
			                            NULL };

		if (sink_startv(&big, "big503", "webhook", args) != 0) {
			CHECK(0, "big-error sink starts");
		} else {
			snprintf(url, sizeof(url), "http://127.0.0.1:%d/",
			         big.port);
			rc = deliver_webhook_send(&w, &m, err, sizeof(err));
			CHECK(rc == -1 && strstr(err, "HTTP 503: okxxx") &&
			              strlen(err) < 400,
			      "503 with a huge body fails, one short line: "
			      "%.100s",
			      err);
		}
		sink_stop(&big);
	}
}

/* Every line of the raw message ends in CRLF and is at most 76 characters
 * in the body, 78 in the header. */
static int
eml_lines_ok(const char *eml)
{
	const char *p = eml, *nl;
	int in_body = 0;

	while (*p) {
		size_t len;

		nl = strchr(p, '\n');
		if (!nl || nl == p || nl[-1] != '\r')
			return 0;
		len = (size_t)(nl - p) - 1;
		if (len == 0)
			in_body = 1;
		else if (len > (in_body ? 76u : 78u))
			return 0;
		p = nl + 1;
	}
	return in_body;
}

static void
test_smtp(void)
{
	static const char *const to[] = { "ops@example.org",
		                          "desk@example.net" };
	static const char subject[] =
	        "\xc3\x9c"
	        "berwachung: Europol \xe2\x80\x93 42 Festnahmen in "
	        "Espa\xc3\xb1"
	        "a, \xc3\x96sterreich und \xe6\x97\xa5\xe6\x9c\xac "
	        "(long enough to need two encoded words)";
	static const char text[] =
	        "Gr\xc3\xbc\xc3\x9f"
	        "e aus Den Haag\n"
	        ".a line starting with a dot\n"
	        "..and two dots\n"
	        ".\n"
	        "trailing space \n"
	        "tab\tinside and = sign and =?not encoded?=\n"
	        "a long line: Lorem ipsum dolor sit amet, consectetur "
	        "adipiscing elit, sed do eiusmod tempor incididunt ut labore "
	        "et dolore magna aliqua \xe2\x82\xac\xe2\x82\xac\xe2\x82\xac "
	        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	        "xxxxxxxxxxxxxxxxxxxxxxx.\n"
	        "\n"
	        "end\n";
	struct deliver_message m = { "pcmon-alert-43", subject, text, "{}" };
	struct deliver_smtp sm = {
		NULL, NULL, NULL, "pcmon@example.org", to, 2, DELIVER_TLS_NONE,
		NULL, 0,    10
	};
	struct sink s, t, a, f;
	char url[256], err[512];
	json_t *j;
	char *eml;
	int rc;

	if (sink_start(&s, "smtp", "smtp", NULL, NULL, NULL) != 0) {
		CHECK(0, "smtp sink starts");
		sink_stop(&s);
		return;
	}
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", s.port);
	sm.url = url;
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, 0, "smtp plain accepted (%s)", err);
	j = sink_json(&s, 1);
	CHECK(j != NULL, "smtp message saved");
	CHECK_STR(jstr(j, "from"), "pcmon@example.org", "envelope from");
	CHECK(json_array_size(json_object_get(j, "to")) == 2 &&
	              strcmp(json_string_value(json_array_get(
	                             json_object_get(j, "to"), 1)),
	                     "desk@example.net") == 0,
	      "envelope has both recipients");
	CHECK(json_is_false(json_object_get(j, "tls")), "plain: no TLS");
	CHECK(json_is_null(json_object_get(j, "auth")), "plain: no AUTH");
	CHECK_STR(jstr(j, "subject"), subject, "RFC 2047 subject decodes");
	CHECK_STR(jstr(j, "text"), text, "quoted-printable body round trip");
	json_decref(j);
	eml = sink_file(&s, 1, "eml");
	CHECK(eml && eml_lines_ok(eml), "CRLF lines, body lines <= 76");
	CHECK(eml && strstr(eml, "\r\nMessage-ID: <pcmon-alert-43@pcmon>\r\n"),
	      "Message-ID");
	CHECK(eml && strncmp(eml, "Date: ", 6) == 0 &&
	              strstr(eml, " +0000\r\n"),
	      "Date in UTC");
	CHECK(eml && strstr(eml, "\r\nSubject: =?UTF-8?B?"),
	      "subject is encoded");
	CHECK(eml && strstr(eml, "\r\nContent-Transfer-Encoding: "
	                         "quoted-printable\r\n"),
	      "quoted-printable header");
	CHECK(eml && strstr(eml, "\r\nContent-Type: text/plain; "
	                         "charset=UTF-8\r\n"),
	      "content type");
	CHECK(eml && strstr(eml, "\r\nMIME-Version: 1.0\r\n"), "MIME-Version");
	CHECK(eml && strstr(eml, "\r\nFrom: pcmon@example.org\r\nTo: "
	                         "ops@example.org,\r\n desk@example.net\r\n"),
	      "From and To");
	CHECK(eml && strstr(eml, "\r\n.a line starting"),
	      "dot line survives the dot-stuffing");
	CHECK(eml && strstr(eml, "trailing space=20\r\n"),
	      "space before line end encoded");
	free(eml);

	m.subject = "plain ASCII subject";
	sm.tls = DELIVER_TLS_TRY;
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, 0, "tls=try without STARTTLS goes plain (%s)", err);
	eml = sink_file(&s, 2, "eml");
	CHECK(eml && strstr(eml, "\r\nSubject: plain ASCII subject\r\n"),
	      "ASCII subject as is");
	free(eml);

	sm.tls = DELIVER_TLS_REQUIRE;
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "tls=require without STARTTLS fails");
	CHECK(strstr(err, url) != NULL, "error names the URL: %s", err);

	sm.tls = DELIVER_TLS_NONE;
	m.subject = "Bcc: victim@example.com\r\nX: y";
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "CR LF in subject refused");
	m.subject = "line\nbreak";
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "LF in subject refused");
	m.subject = "ok";
	sm.from = "a@example.org\r\nRCPT TO:<x@example.com>";
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "CR LF in from refused");
	sm.from = "pcmon@example.org";
	{
		static const char *const badto[] = { "x@example.org\n" };

		sm.to = badto;
		sm.nto = 1;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "LF in to refused");
		sm.to = to;
		sm.nto = 2;
	}
	CHECK(sink_json(&s, 3) == NULL, "nothing refused reached the server");
	sink_stop(&s);

	if (sink_start(&t, "tls", "smtp", "--starttls", NULL, NULL) != 0) {
		CHECK(0, "STARTTLS sink starts");
	} else {
		snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", t.port);
		sm.url = url;
		m.subject = subject;
		sm.tls = DELIVER_TLS_TRY;
		sm.insecure = 1;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "STARTTLS tls=try accepted (%s)", err);
		j = sink_json(&t, 1);
		CHECK(json_is_true(json_object_get(j, "tls")),
		      "tls=try used TLS");
		json_decref(j);
		sm.tls = DELIVER_TLS_REQUIRE;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "STARTTLS tls=require accepted (%s)", err);
		j = sink_json(&t, 2);
		CHECK(json_is_true(json_object_get(j, "tls")),
		      "tls=require used TLS");
		CHECK_STR(jstr(j, "text"), text, "body intact over TLS");
		json_decref(j);
		sm.insecure = 0;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1,
		          "self-signed certificate refused when verifying");
		sm.tls = DELIVER_TLS_NONE;
	}
	sink_stop(&t);

	if (sink_start(&a, "auth", "smtp", "--auth", "alice:s3cret", NULL) !=
	    0) {
		CHECK(0, "AUTH sink starts");
	} else {
		snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", a.port);
		sm.url = url;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "no credentials: refused");
		sm.user = "alice";
		sm.password = "wrong";
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "wrong password: refused");
		CHECK(strstr(err, "535") != NULL, "error has the reply: %s",
		      err);
		sm.password = "s3cret";
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "AUTH accepted (%s)", err);
		j = sink_json(&a, 1);
		CHECK_STR(jstr(j, "auth"), "alice", "authenticated as alice");
		json_decref(j);
		sm.user = sm.password = NULL;
	}
	sink_stop(&a);

	if (sink_start(&f, "451", "smtp", "--fail-first", "1", NULL) != 0) {
		CHECK(0, "451 sink starts");
	} else {
		snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", f.port);
		sm.url = url;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "451 after DATA fails");
		CHECK(strstr(err, "451") != NULL && strstr(err, url) != NULL,
		      "error has the reply and URL: %s", err);
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "retry accepted (%s)", err);
		j = sink_json(&f, 1);
		CHECK(j != NULL, "retry saved as the first message");
		json_decref(j);
	}
	sink_stop(&f);
}

/* STARTTLS verified with a CA file, AUTH, display names, a long subject,
 * implicit TLS, a 451 to MAIL, addresses refused. */
static void
test_smtp_more(void)
{
	static const char *const to[] = {
		"Ops Desk <ops@example.org>",
		"\xc3\x96sterreich-Desk \"B\xc3\xbcro\" <desk@example.net>",
		"plain@example.com",
	};
	static const char subject[] =
	        "pcmon: stations spike on 2026-03-01: 11 stories (expected "
	        "3.0) in the Netherlands, Fiji and a few more places nobody "
	        "expected";
	struct deliver_message m = { "pcmon-alert-44", subject,
		                     "Body.\n.\n..\nEnd\n", "{}" };
	struct deliver_smtp sm = { NULL,
		                   "alice",
		                   "s3cret",
		                   "\"pcmon alerts\" <pcmon@example.org>",
		                   to,
		                   3,
		                   DELIVER_TLS_TRY,
		                   NULL,
		                   0,
		                   10 };
	char url[256], err[512], certdir[4300], ca[4400];
	struct sink s, p, x, f;
	json_t *j, *jt;
	char *eml;
	double t0;
	int rc;

	snprintf(certdir, sizeof(certdir), "%s/certs", tmp);
	snprintf(ca, sizeof(ca), "%s/cert.pem", certdir);
	{
		const char *const args[] = { "--starttls", certdir, "--auth",
			                     "alice:s3cret", NULL };

		rc = sink_startv(&s, "tlsauth", "smtp", args);
	}
	if (rc != 0) {
		CHECK(0, "STARTTLS+AUTH sink starts");
	} else {
		snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", s.port);
		sm.url = url;
		sm.ca_file = ca;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "STARTTLS verified against ca_file, AUTH (%s)",
		          err);
		j = sink_json(&s, 1);
		CHECK(json_is_true(json_object_get(j, "tls")), "used TLS");
		CHECK_STR(jstr(j, "auth"), "alice", "authenticated");
		CHECK_STR(jstr(j, "from"), "pcmon@example.org",
		          "envelope sender is the bare address");
		jt = json_object_get(j, "to");
		CHECK(json_array_size(jt) == 3 &&
		              check_str_eq(
		                      json_string_value(json_array_get(jt, 0)),
		                      "ops@example.org") &&
		              check_str_eq(
		                      json_string_value(json_array_get(jt, 1)),
		                      "desk@example.net") &&
		              check_str_eq(
		                      json_string_value(json_array_get(jt, 2)),
		                      "plain@example.com"),
		      "envelope recipients are the bare addresses");
		CHECK_STR(jstr(j, "subject"), subject,
		          "long subject folded and read back");
		CHECK_STR(jstr(j, "text"), m.text,
		          "body with dot lines intact");
		json_decref(j);
		eml = sink_file(&s, 1, "eml");
		CHECK(eml && eml_lines_ok(eml),
		      "header lines <= 78, body lines <= 76, CRLF");
		CHECK(eml && strstr(eml, "\r\nSubject: pcmon: stations spike"),
		      "ASCII subject folded, not encoded");
		CHECK(eml && strstr(eml, "\r\nFrom: \"pcmon alerts\" "
		                         "<pcmon@example.org>\r\n"),
		      "From with display name");
		CHECK(eml && strstr(eml,
		                    "\r\nTo: \"Ops Desk\" <ops@example.org>"
		                    ",\r\n =?UTF-8?B?"),
		      "To: names quoted or encoded");
		CHECK(eml && strstr(eml, "?= <desk@example.net>,\r\n "
		                         "plain@example.com\r\n"),
		      "To: encoded name, then the bare address");
		CHECK(eml && strstr(eml,
		                    "\r\nAuto-Submitted: auto-generated\r\n"),
		      "Auto-Submitted");
		CHECK(eml && strstr(eml,
		                    "\r\nX-Pcmon-Alert: pcmon-alert-44\r\n"),
		      "X-Pcmon-Alert");
		free(eml);

		sm.password = "wrong-pw";
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "wrong password over TLS refused");
		CHECK(strstr(err, "535") && !strstr(err, "wrong-pw"),
		      "reply in the error, the password not: %s", err);
		sm.password = "s3cret";

		sm.ca_file = NULL;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "self-signed: refused without its CA file");
		CHECK_INT(sink_count(&s, "eml"), 1,
		          "only the good one arrived");
	}
	sink_stop(&s);

	/* a password never goes out in clear with tls=try */
	if (sink_start(&p, "authplain", "smtp", "--auth", "alice:s3cret",
	               NULL) != 0) {
		CHECK(0, "AUTH sink without STARTTLS starts");
	} else {
		snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", p.port);
		sm.url = url;
		sm.tls = DELIVER_TLS_TRY;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "user + tls=try, no STARTTLS: refused");
		CHECK(strstr(err, "STARTTLS") != NULL, "error says why: %s",
		      err);
		sm.tls = DELIVER_TLS_NONE;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "tls=none: AUTH in clear allowed (%s)", err);
		CHECK_INT(sink_count(&p, "eml"), 1, "one message");
	}
	sink_stop(&p);

	sm.user = sm.password = NULL;
	sm.from = "pcmon@example.org";
	if (sink_start(&x, "smtps", "smtp", "--smtps", NULL, NULL) != 0) {
		CHECK(0, "SMTPS sink starts");
	} else {
		snprintf(url, sizeof(url), "smtps://127.0.0.1:%d", x.port);
		sm.url = url;
		sm.tls = DELIVER_TLS_TRY;
		sm.insecure = 1;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "smtps:// (TLS from the start) (%s)", err);
		j = sink_json(&x, 1);
		CHECK(json_is_true(json_object_get(j, "tls")), "smtps: TLS");
		json_decref(j);
		sm.insecure = 0;
	}
	sink_stop(&x);

	if (sink_start(&f, "451mail", "smtp", "--fail-mail", "1", NULL) != 0) {
		CHECK(0, "451-to-MAIL sink starts");
	} else {
		snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", f.port);
		sm.url = url;
		sm.tls = DELIVER_TLS_TRY;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK(rc == -1 && strstr(err, "451"),
		      "451 to MAIL fails with the reply: %s", err);
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, 0, "retry accepted (%s)", err);
		j = sink_json(&f, 1);
		CHECK(j != NULL, "and saved");
		json_decref(j);

		{
			static const char *const bad[] = {
				"nobody",
				"a b@example.org",
				"Name <a@example.org",
				"Na<me <a@example.org>",
				"<>",
				"",
				"a@example.org, b@example.org",
			};
			size_t i;

			for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
				sm.from = bad[i];
				rc = deliver_smtp_send(&sm, &m, err,
				                       sizeof(err));
				CHECK_INT(rc, -1, "sender '%s' refused",
				          bad[i]);
				sm.from = "pcmon@example.org";
				sm.to = &bad[i];
				sm.nto = 1;
				rc = deliver_smtp_send(&sm, &m, err,
				                       sizeof(err));
				CHECK_INT(rc, -1, "recipient '%s' refused",
				          bad[i]);
				sm.to = to;
				sm.nto = 3;
			}
		}
		sm.nto = 0;
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "no recipients refused");
		sm.nto = 3;
		m.id = "<pcmon-alert-44@x>";
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "id that would break the Message-ID refused");
		m.id = "pcmon-alert-44";
		sm.url = "http://127.0.0.1:1/";
		rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
		CHECK_INT(rc, -1, "http URL refused for mail");
		CHECK_INT(sink_count(&f, "eml"), 1, "nothing refused was sent");
	}
	sink_stop(&f);

	/* the port of a stopped sink: nothing listens there */
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", f.port);
	sm.url = url;
	t0 = now_s();
	rc = deliver_smtp_send(&sm, &m, err, sizeof(err));
	CHECK_INT(rc, -1, "unreachable SMTP server fails");
	CHECK(now_s() - t0 < 3 && strstr(err, url), "fast, naming the URL: %s",
	      err);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	char cmd[4200];

	signal(SIGPIPE, SIG_IGN);
	find_src();
	test_parse();
	if (!have("python3") || !have("openssl")) {
		printf("ok %d - # skip python3 or openssl missing\n",
		       ++check_n);
		return check_done();
	}
	snprintf(tmp, sizeof(tmp), "%s/pcmon-deliver-XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return check_done();
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_webhook();
	test_webhook_more();
	test_smtp();
	test_smtp_more();
	curl_global_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	/* PCMON_KEEP_TMP=1 keeps what the sinks received, for a look */
	if (getenv("PCMON_KEEP_TMP"))
		printf("# kept %s\n", tmp);
	else if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return check_done();
}
