/*
 * test_fetch.c - crawler_fetch() against the real test server
 * (tests/server.py, started here on a free port of 127.0.0.1): conditional
 * GET, gzip, redirects and their schemes, file://, error statuses and
 * Retry-After, and hostile servers (silent, trickling, truncating, gzip
 * bombs, endless bodies and headers), politeness over several host names,
 * and the stop flag.
 *
 * Every fetch must end within its own time-out: elapsed time is checked
 * against time-out + 5 s, a bound on hanging and not a speed threshold.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "check.h"
#include "crawler.h"

#define CASE "unitfetch"
#define MIB  (1024 * 1024)

static pid_t server_pid = -1;
static int port;
static char base[128]; /* http://127.0.0.1:PORT/unitfetch */
static json_t *routes;

static const char feed[] =
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
        "<title>t</title><item><title>one</title><guid>1</guid></item>"
        "</channel></rss>\n";

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ server */

static int
server_start(void)
{
	const char *src = getenv("PCMON_SRC");
	char script[1024], line[128];
	int fd[2];
	FILE *fp;
	char *end;
	long p;

	if (!src)
		src = ".";
	snprintf(script, sizeof(script), "%s/tests/server.py", src);
	if (pipe(fd) != 0)
		return -1;
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		FILE *null = freopen("/dev/null", "w", stderr);

		(void)null;
		/* a test that crashes takes its server with it */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("python3", "python3", script, "--port", "0", "--root",
		       src, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	if (!(fp = fdopen(fd[0], "r")))
		return -1;
	if (!fgets(line, sizeof(line), fp) || strncmp(line, "port ", 5) != 0) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	p = strtol(line + 5, &end, 10);
	if (end == line + 5 || p <= 0 || p > 65535)
		return -1;
	port = (int)p;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/" CASE, port);
	return 0;
}

static void
server_stop(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
}

struct membuf {
	char *p;
	size_t len;
};

static size_t
membuf_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct membuf *b = userp;
	size_t n = size * nmemb;
	char *q = realloc(b->p, b->len + n + 1);

	if (!q)
		return 0;
	b->p = q;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* A plain request to the server's control interface; malloc'd body. */
static char *
control(const char *path, const char *post)
{
	struct membuf b = { 0 };
	char url[256];
	CURL *e = curl_easy_init();
	CURLcode cc;

	if (!e)
		return NULL;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	if (post)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, post);
	cc = curl_easy_perform(e);
	curl_easy_cleanup(e);
	if (cc != CURLE_OK) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

/* route("/path", "key=value", ..., NULL): as a [serve] line of a case */
static void
route(const char *path, ...)
{
	json_t *r = json_object(), *h = json_array();
	const char *kv;
	va_list ap;

	json_object_set_new(r, "path", json_string(path));
	va_start(ap, path);
	while ((kv = va_arg(ap, const char *))) {
		const char *eq = strchr(kv, '=');
		char key[64];
		size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);

		if (kl >= sizeof(key))
			kl = sizeof(key) - 1;
		memcpy(key, kv, kl);
		key[kl] = '\0';
		if (strcmp(key, "header") == 0)
			json_array_append_new(h, json_string(eq ? eq + 1 : ""));
		else
			json_object_set_new(r, key,
			                    json_string(eq ? eq + 1 : "1"));
	}
	va_end(ap);
	json_object_set_new(r, "headers", h);
	json_array_append_new(routes, r);
}

static int
routes_send(void)
{
	json_t *msg = json_pack("{s:s, s:O}", "case", CASE, "routes", routes);
	char *txt = json_dumps(msg, 0), *ok;
	int rc;

	ok = txt ? control("/_control/routes", txt) : NULL;
	rc = ok && strncmp(ok, "ok", 2) == 0 ? 0 : -1;
	free(ok);
	free(txt);
	json_decref(msg);
	return rc;
}

/* ---------------------------------------------------------- fetching */

/* A copy of one crawl_response, kept after on_done returns. */
struct result {
	int calls;
	int result;
	char *error;
	long status;
	int not_modified;
	char *url;
	long redirects;
	char *moved_to;
	char *etag;
	char *last_modified;
	char *content_type;
	int64_t retry_after;
	int64_t bytes_wire;
	int64_t bytes_body;
	char *body; /* NULL when the response had none */
	size_t body_len;
	double done_at;
};

struct collect {
	struct result *res;
	size_t n;
	int calls;
	int bad_user;
	volatile int stop;
	int stop_after; /* set stop after this many responses; 0: never */
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *
dup_mem(const char *p, size_t n)
{
	char *q = malloc(n + 1);

	if (q) {
		memcpy(q, p, n);
		q[n] = '\0';
	}
	return q;
}

static void
on_done(const struct crawl_response *r, void *arg)
{
	struct collect *c = arg;
	size_t i = (size_t)(uintptr_t)r->req->user;
	struct result *x;

	c->calls++;
	if (i >= c->n) {
		c->bad_user++;
		return;
	}
	x = &c->res[i];
	x->calls++;
	if (x->calls > 1)
		return;
	x->result = r->result;
	x->error = dup_or_null(r->error);
	x->status = r->status;
	x->not_modified = r->not_modified;
	x->url = dup_or_null(r->url);
	x->redirects = r->redirects;
	x->moved_to = dup_or_null(r->moved_to);
	x->etag = dup_or_null(r->etag);
	x->last_modified = dup_or_null(r->last_modified);
	x->content_type = dup_or_null(r->content_type);
	x->retry_after = r->retry_after;
	x->bytes_wire = r->bytes_wire;
	x->bytes_body = r->bytes_body;
	x->body = r->body ? dup_mem(r->body, r->body_len) : NULL;
	x->body_len = r->body_len;
	x->done_at = now_s();
	if (c->stop_after > 0 && c->calls >= c->stop_after)
		c->stop = 1;
}

static void
result_release(struct result *x)
{
	free(x->error);
	free(x->url);
	free(x->moved_to);
	free(x->etag);
	free(x->last_modified);
	free(x->content_type);
	free(x->body);
	memset(x, 0, sizeof(*x));
}

static struct crawl_fetch_opts
opts_default(void)
{
	struct crawl_fetch_opts o = { 0 };

	o.user_agent = "pcmon-test/1";
	o.concurrency = 4;
	o.per_host = 2;
	o.host_delay_ms = 0;
	o.connect_timeout = 2;
	o.timeout = 10;
	o.low_speed_limit = 10;
	o.low_speed_time = 5;
	o.max_body = MIB;
	o.max_header = 64 * 1024;
	o.max_redirects = 5;
	o.on_done = on_done;
	return o;
}

/* Fetches one URL; *x gets the response, the return value the seconds. */
static double
fetch_one(const char *url, const struct crawl_fetch_opts *opts,
          const char *etag, const char *lastmod, int allow_file,
          struct result *x)
{
	struct crawl_request req = { 0 };
	struct crawl_fetch_opts o = *opts;
	struct collect c = { 0 };
	char err[256] = "";
	double t0 = now_s();
	int rc;

	memset(x, 0, sizeof(*x));
	req.url = url;
	req.etag = etag;
	req.last_modified = lastmod;
	req.allow_file = allow_file;
	req.user = (void *)(uintptr_t)0;
	c.res = x;
	c.n = 1;
	o.arg = &c;
	rc = crawler_fetch(&req, 1, &o, err, sizeof(err));
	if (rc != CRAWL_OK || c.calls != 1 || x->calls != 1)
		CHECK(0, "crawler_fetch(%s): rc %d (%s), %d on_done calls", url,
		      rc, err, c.calls);
	return now_s() - t0;
}

static char *
url_of(const char *path)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s%s", base, path);
	return buf[k];
}

static int
contains(const char *s, const char *sub)
{
	return s && strstr(s, sub) != NULL;
}

/* ------------------------------------------------------------- tests */

static char big_text[20000 + 1];
static char retry_date[64];
static char redir_p2[512], redir_final[512], redir_t1[512], redir_l1[512],
        redir_l2[512], redir_404[512], ftp_url[128];

static void
setup_routes(void)
{
	struct tm tm;
	time_t t = time(NULL) + 300;
	size_t i;

	for (i = 0; i < sizeof(big_text) - 1; i++)
		big_text[i] = "<!-- padding padding -->\n"[i % 25];
	big_text[sizeof(big_text) - 1] = '\0';
	gmtime_r(&t, &tm);
	strftime(retry_date, sizeof(retry_date),
	         "header=Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(redir_p2, sizeof(redir_p2), "redirect=%s/p2", base);
	snprintf(redir_final, sizeof(redir_final), "redirect=%s/final", base);
	snprintf(redir_t1, sizeof(redir_t1), "redirect=%s/t1", base);
	snprintf(redir_l1, sizeof(redir_l1), "redirect=%s/loop1", base);
	snprintf(redir_l2, sizeof(redir_l2), "redirect=%s/loop2", base);
	snprintf(redir_404, sizeof(redir_404), "redirect=%s/nothing-here",
	         base);
	snprintf(ftp_url, sizeof(ftp_url), "redirect=ftp://127.0.0.1:%d/x",
	         port);

	routes = json_array();
	route("/etag.xml", "body=", "etag=\"v1\"", NULL);
	json_object_set_new(json_array_get(routes, 0), "body",
	                    json_string(feed));
	route("/lm.xml", "lastmod=Sat, 01 Jan 2022 00:00:00 GMT", NULL);
	json_object_set_new(json_array_get(routes, 1), "body",
	                    json_string(feed));
	route("/gz.xml", "gzip=1", NULL);
	json_object_set_new(json_array_get(routes, 2), "body",
	                    json_string(big_text));
	route("/final", NULL);
	json_object_set_new(json_array_get(routes, 3), "body",
	                    json_string(feed));
	route("/p1", "status=301", redir_p2, NULL);
	route("/p2", "status=308", redir_final, NULL);
	route("/t1", redir_final, NULL);
	route("/m1", "status=301", redir_t1, NULL);
	route("/rel", "status=301", "redirect=final", NULL);
	route("/dead", "status=301", redir_404, NULL);
	route("/loop1", redir_l2, NULL);
	route("/loop2", redir_l1, NULL);
	route("/tofile", "redirect=file:///etc/passwd", NULL);
	route("/toftp", ftp_url, NULL);
	route("/s404", "status=404", "body=missing", NULL);
	route("/s410", "status=410", "body=gone", NULL);
	route("/s500", "status=500", "body=oops", NULL);
	route("/s429", "status=429", "header=Retry-After: 120", NULL);
	route("/s503", "status=503", retry_date, NULL);
	route("/accept", "accept_only=1", NULL);
	route("/hang", "hang=1", NULL);
	route("/drip", "rate=1",
	      "body=<?xml version=\"1.0\"?><rss/>"
	      "                                                  ",
	      NULL);
	route("/trunc", "truncate=100", NULL);
	json_object_set_new(json_array_get(routes, json_array_size(routes) - 1),
	                    "body", json_string(big_text));
	route("/bomb", "bomb=10737418240", NULL);
	route("/smallbomb", "bomb=3145729", NULL);
	route("/huge", "size=1073741824", NULL);
	route("/huge-nolen", "size=1073741824", "nolength=1", NULL);
	route("/exact", "size=1048576", NULL);
	route("/exact-nolen", "size=1048576", "nolength=1", NULL);
	route("/items", "items=3", "item_bytes=50", NULL);
	route("/bighdr", "big_header=1048576", NULL);
	route("/midhdr", "big_header=80000", NULL);
	route("/okhdr", "big_header=30000", NULL);
	route("/forever", "chunked_forever=1", NULL);
	route("/slow", "delay=0.5", "body=<rss/>", NULL);
	route("/fast", "body=<rss/>", NULL);
}

static void
test_usage(void)
{
	struct crawl_fetch_opts o = opts_default();
	struct crawl_request req = { 0 };
	char err[128] = "";

	CHECK_INT(crawler_fetch(NULL, 0, &o, err, sizeof(err)), CRAWL_OK,
	          "no request: nothing to do");
	o.concurrency = 0;
	req.url = url_of("/fast");
	CHECK_INT(crawler_fetch(&req, 1, &o, err, sizeof(err)), CRAWL_ERR_USAGE,
	          "concurrency 0 refused");
}

static void
test_conditional(void)
{
	struct crawl_fetch_opts o = opts_default();
	struct result x;
	json_t *log;
	char *txt;
	size_t i, sent_inm = 0, sent_ims = 0;

	fetch_one(url_of("/etag.xml"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "etag: 200 is OK");
	CHECK_INT(x.status, 200, "etag: status 200");
	CHECK_STR(x.etag, "\"v1\"", "etag: ETag reported");
	CHECK_INT(x.not_modified, 0, "etag: not a 304");
	CHECK_INT(x.body_len, strlen(feed), "etag: body length");
	CHECK_INT(x.bytes_body, strlen(feed), "etag: bytes_body");
	CHECK(x.bytes_wire > x.bytes_body, "etag: bytes_wire counts headers");
	CHECK_STR(x.body, feed, "etag: body");
	CHECK_STR(x.content_type, "application/rss+xml", "etag: content type");
	CHECK_STR(x.error, NULL, "etag: no error");
	CHECK_STR(x.moved_to, NULL, "etag: not moved");
	result_release(&x);

	fetch_one(url_of("/etag.xml"), &o, "\"v1\"", NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "If-None-Match: OK");
	CHECK_INT(x.status, 304, "If-None-Match: 304");
	CHECK_INT(x.not_modified, 1, "If-None-Match: not_modified");
	CHECK(x.body == NULL && x.body_len == 0, "If-None-Match: no body");
	CHECK_STR(x.etag, "\"v1\"", "If-None-Match: ETag of the 304");
	result_release(&x);

	fetch_one(url_of("/etag.xml"), &o, "\"v0\"", NULL, 0, &x);
	CHECK_INT(x.status, 200, "stale ETag: 200");
	result_release(&x);

	fetch_one(url_of("/lm.xml"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.status, 200, "lastmod: 200");
	CHECK_STR(x.last_modified, "Sat, 01 Jan 2022 00:00:00 GMT",
	          "lastmod: Last-Modified reported");
	result_release(&x);

	fetch_one(url_of("/lm.xml"), &o, NULL, "Sat, 01 Jan 2022 00:00:00 GMT",
	          0, &x);
	CHECK_INT(x.result, CRAWL_OK, "If-Modified-Since: OK");
	CHECK_INT(x.status, 304, "If-Modified-Since: 304");
	CHECK_INT(x.not_modified, 1, "If-Modified-Since: not_modified");
	CHECK(x.body == NULL, "If-Modified-Since: no body");
	result_release(&x);

	/* the validators really went over the wire */
	txt = control("/_control/log?case=" CASE, NULL);
	log = txt ? json_loads(txt, 0, NULL) : NULL;
	for (i = 0; log && i < json_array_size(log); i++) {
		json_t *h = json_object_get(json_array_get(log, i), "headers");
		const char *v;

		v = json_string_value(json_object_get(h, "If-None-Match"));
		if (v && strcmp(v, "\"v1\"") == 0)
			sent_inm++;
		v = json_string_value(json_object_get(h, "If-Modified-Since"));
		if (v && strcmp(v, "Sat, 01 Jan 2022 00:00:00 GMT") == 0)
			sent_ims++;
	}
	CHECK_INT(sent_inm, 1, "server saw If-None-Match once");
	CHECK_INT(sent_ims, 1, "server saw If-Modified-Since once");
	json_decref(log);
	free(txt);
}

static void
test_gzip(void)
{
	struct crawl_fetch_opts o = opts_default();
	struct result x;

	fetch_one(url_of("/gz.xml"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "gzip: OK");
	CHECK_INT(x.bytes_body, strlen(big_text), "gzip: bytes_body decoded");
	CHECK(x.bytes_body > x.bytes_wire, "gzip: bytes_body %lld > wire %lld",
	      (long long)x.bytes_body, (long long)x.bytes_wire);
	CHECK(x.body && strcmp(x.body, big_text) == 0, "gzip: body decoded");
	result_release(&x);

	o.max_body = 4 * MIB;
	fetch_one(url_of("/smallbomb"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "3 MiB bomb under a 4 MiB limit: OK");
	CHECK_INT(x.body_len, 3145729, "3 MiB bomb: every byte inflated");
	CHECK(x.body && x.body_len == 3145729 && x.body[0] == 0 &&
	              memchr(x.body, 1, x.body_len) == NULL &&
	              x.body[x.body_len - 1] == 0,
	      "3 MiB bomb: zeros");
	CHECK(x.bytes_wire < 65536, "3 MiB bomb: few bytes on the wire (%lld)",
	      (long long)x.bytes_wire);
	result_release(&x);
}

static void
test_redirects(void)
{
	struct crawl_fetch_opts o = opts_default();
	struct result x;

	fetch_one(url_of("/p1"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "301->308: OK");
	CHECK_INT(x.status, 200, "301->308: final status");
	CHECK_INT(x.redirects, 2, "301->308: two redirects");
	CHECK_STR(x.url, url_of("/final"), "301->308: effective URL");
	CHECK_STR(x.moved_to, url_of("/final"), "301->308: moved_to");
	CHECK_STR(x.body, feed, "301->308: body of the final answer");
	result_release(&x);

	fetch_one(url_of("/t1"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "302: OK");
	CHECK_INT(x.redirects, 1, "302: one redirect");
	CHECK_STR(x.moved_to, NULL, "302: no moved_to");
	result_release(&x);

	fetch_one(url_of("/m1"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.redirects, 2, "301->302: two redirects");
	CHECK_STR(x.moved_to, NULL, "301->302: no moved_to");
	result_release(&x);

	fetch_one(url_of("/rel"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "relative 301: OK");
	CHECK_STR(x.moved_to, url_of("/final"), "relative 301: moved_to");
	result_release(&x);

	fetch_one(url_of("/dead"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_HTTP, "301 to a 404: HTTP error");
	CHECK_INT(x.status, 404, "301 to a 404: status 404");
	CHECK_STR(x.moved_to, NULL, "301 to a 404: no moved_to");
	result_release(&x);

	fetch_one(url_of("/loop1"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_REDIRECTS, "loop: CRAWL_ERR_REDIRECTS");
	CHECK(contains(x.error, "redirect"), "loop: error '%s'",
	      x.error ? x.error : "");
	CHECK(x.body == NULL, "loop: no body");
	result_release(&x);

	fetch_one(url_of("/tofile"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_PROTOCOL, "redirect to file://: refused");
	CHECK_INT(x.bytes_body, 0, "redirect to file://: nothing read");
	CHECK(x.body == NULL, "redirect to file://: no body");
	CHECK_STR(x.url, url_of("/tofile"),
	          "redirect to file://: url is the last one fetched");
	CHECK_INT(x.status, 302, "redirect to file://: status of the redirect");
	CHECK(contains(x.error, "file:///etc/passwd"),
	      "redirect to file://: error '%s'", x.error ? x.error : "");
	result_release(&x);

	/* a feed allowed to be local still never follows a redirect there */
	fetch_one(url_of("/tofile"), &o, NULL, NULL, 1, &x);
	CHECK_INT(x.result, CRAWL_ERR_PROTOCOL,
	          "redirect to file:// with allow_file: refused");
	CHECK_INT(x.bytes_body, 0,
	          "redirect to file:// with allow_file: "
	          "nothing read");
	result_release(&x);

	fetch_one(url_of("/toftp"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_PROTOCOL, "redirect to ftp://: refused");
	CHECK_INT(x.bytes_body, 0, "redirect to ftp://: nothing read");
	result_release(&x);

	o.max_redirects = 1;
	fetch_one(url_of("/p1"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_REDIRECTS,
	          "max_redirects 1: two refused");
	CHECK_STR(x.moved_to, NULL, "max_redirects 1: no moved_to");
	result_release(&x);
}

static void
test_file_scheme(void)
{
	struct crawl_fetch_opts o = opts_default();
	const char *src = getenv("PCMON_SRC");
	char url[1024], cwd[512];
	struct result x;
	FILE *fp;
	long size = -1;

	if (!src || src[0] != '/')
		src = getcwd(cwd, sizeof(cwd));
	snprintf(url, sizeof(url), "file://%s/tests/feeds/rss20-basic.xml",
	         src ? src : "");
	if ((fp = fopen(url + 7, "rb"))) {
		fseek(fp, 0, SEEK_END);
		size = ftell(fp);
		fclose(fp);
	}
	fetch_one(url, &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_PROTOCOL, "file:// not allowed: refused");
	CHECK(contains(x.error, "only http and https"), "file:// refused: '%s'",
	      x.error ? x.error : "");
	CHECK(x.body == NULL && x.bytes_body == 0, "file:// refused: no body");
	result_release(&x);

	fetch_one(url, &o, NULL, NULL, 1, &x);
	CHECK_INT(x.result, CRAWL_OK, "file:// allowed: OK");
	CHECK_INT(x.status, 0, "file://: status 0");
	CHECK_INT((long)x.body_len, size, "file://: the whole file");
	result_release(&x);

	o.max_body = 100;
	fetch_one(url, &o, NULL, NULL, 1, &x);
	CHECK_INT(x.result, CRAWL_ERR_TOO_LARGE,
	          "file:// over max_body: refused");
	CHECK(x.body == NULL && x.bytes_body <= 100,
	      "file:// over max_body: no body");
	result_release(&x);
	o.max_body = MIB;

	fetch_one("file:///nonexistent/pcmon/feed.xml", &o, NULL, NULL, 1, &x);
	CHECK(x.result != CRAWL_OK, "file:// missing file: error %d", x.result);
	result_release(&x);

	fetch_one("ftp://127.0.0.1/feed.xml", &o, NULL, NULL, 1, &x);
	CHECK_INT(x.result, CRAWL_ERR_PROTOCOL, "ftp:// URL: refused");
	result_release(&x);
}

static void
test_status(void)
{
	static const struct {
		const char *path;
		long status;
	} rows[] = {
		{ "/s404", 404 }, { "/s410", 410 }, { "/s500", 500 },
		{ "/s429", 429 }, { "/s503", 503 }, { "/nothing-at-all", 404 },
	};
	struct crawl_fetch_opts o = opts_default();
	struct result x;
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fetch_one(url_of(rows[i].path), &o, NULL, NULL, 0, &x);
		CHECK_INT(x.result, CRAWL_ERR_HTTP, "%s: CRAWL_ERR_HTTP",
		          rows[i].path);
		CHECK_INT(x.status, rows[i].status, "%s: status", rows[i].path);
		snprintf(want, sizeof(want), "HTTP status %ld", rows[i].status);
		CHECK_STR(x.error, want, "%s: error text", rows[i].path);
		CHECK(x.body == NULL, "%s: no body handed out", rows[i].path);
		if (rows[i].status == 429)
			CHECK_INT(x.retry_after, 120, "429: Retry-After: 120");
		else if (rows[i].status == 503)
			CHECK(x.retry_after >= 280 && x.retry_after <= 301,
			      "503: Retry-After as HTTP-date: %lld s",
			      (long long)x.retry_after);
		else
			CHECK_INT(x.retry_after, 0, "%s: no Retry-After",
			          rows[i].path);
		result_release(&x);
	}
}

static void
test_hostile(void)
{
	struct crawl_fetch_opts o = opts_default();
	struct result x;
	double t;

	o.timeout = 3;
	o.low_speed_time = 2;
	o.low_speed_limit = 10;

	t = fetch_one(url_of("/accept"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TIMEOUT, "accept, never read: timeout");
	CHECK(contains(x.error, "timed out"), "accept only: error '%s'",
	      x.error ? x.error : "");
	CHECK(t < o.timeout + 5, "accept only: ends in %.1f s", t);
	CHECK(x.body == NULL, "accept only: no body");
	result_release(&x);

	t = fetch_one(url_of("/hang"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TIMEOUT, "read, never answer: timeout");
	CHECK(t < o.timeout + 5, "hang: ends in %.1f s", t);
	result_release(&x);

	o.timeout = 30;
	t = fetch_one(url_of("/drip"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TIMEOUT, "1 byte/s: low-speed cut");
	CHECK(contains(x.error, "too slow"), "1 byte/s: error '%s'",
	      x.error ? x.error : "");
	CHECK(t < o.low_speed_time + 5, "1 byte/s: cut in %.1f s", t);
	CHECK(x.body == NULL, "1 byte/s: no body handed out");
	result_release(&x);

	o.timeout = 3;
	t = fetch_one(url_of("/forever"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TIMEOUT, "endless chunked: timeout");
	CHECK(t < o.timeout + 5, "endless chunked: ends in %.1f s", t);
	CHECK(x.bytes_body > 0, "endless chunked: some bytes came (%lld)",
	      (long long)x.bytes_body);
	CHECK(x.body == NULL, "endless chunked: no body handed out");
	result_release(&x);

	o.timeout = 10;
	fetch_one(url_of("/trunc"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_NETWORK, "truncated body: error");
	CHECK(contains(x.error, "transfer failed"), "truncated: error '%s'",
	      x.error ? x.error : "");
	CHECK(x.body == NULL, "truncated: no body handed out");
	result_release(&x);

	o.timeout = 20;
	t = fetch_one(url_of("/bomb"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TOO_LARGE, "10 GB gzip bomb: too large");
	CHECK(x.bytes_body <= o.max_body, "bomb: bytes_body %lld <= max_body",
	      (long long)x.bytes_body);
	CHECK(x.bytes_wire < 1 * MIB, "bomb: stopped after %lld wire bytes",
	      (long long)x.bytes_wire);
	CHECK(contains(x.error, "larger than 1048576 bytes"),
	      "bomb: error '%s'", x.error ? x.error : "");
	CHECK(t < o.timeout + 5, "bomb: ends in %.1f s", t);
	CHECK(x.body == NULL, "bomb: no body handed out");
	result_release(&x);

	t = fetch_one(url_of("/huge"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TOO_LARGE, "1 GB with length: too large");
	CHECK_INT(x.bytes_body, 0, "1 GB with length: refused before the body");
	CHECK(contains(x.error, "larger than 1048576 bytes") &&
	              contains(x.error, "1073741824"),
	      "1 GB with length: error '%s'", x.error ? x.error : "");
	CHECK(t < o.timeout + 5, "1 GB with length: ends in %.1f s", t);
	result_release(&x);

	t = fetch_one(url_of("/huge-nolen"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_TOO_LARGE, "1 GB, no length: too large");
	CHECK(x.bytes_body > 0 && x.bytes_body <= o.max_body,
	      "1 GB, no length: cut at the limit (%lld)",
	      (long long)x.bytes_body);
	CHECK(x.bytes_wire < 2 * MIB, "1 GB, no length: %lld wire bytes",
	      (long long)x.bytes_wire);
	CHECK(t < o.timeout + 5, "1 GB, no length: ends in %.1f s", t);
	result_release(&x);

	fetch_one(url_of("/exact"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "body of exactly max_body: OK");
	CHECK_INT(x.body_len, MIB, "exactly max_body: whole body");
	result_release(&x);

	fetch_one(url_of("/exact-nolen"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "exactly max_body, no length: OK");
	CHECK_INT(x.body_len, MIB, "exactly max_body, no length: whole body");
	CHECK(x.body && strstr(x.body, "</rss>") != NULL,
	      "exactly max_body: ends the document");
	result_release(&x);

	t = fetch_one(url_of("/bighdr"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_HEADER_SIZE,
	          "1 MiB header line: refused");
	CHECK(contains(x.error, "header larger than 65536"),
	      "1 MiB header line: error '%s'", x.error ? x.error : "");
	CHECK(t < o.timeout + 5, "1 MiB header line: ends in %.1f s", t);
	result_release(&x);

	fetch_one(url_of("/midhdr"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_ERR_HEADER_SIZE,
	          "80 KB header line: refused");
	CHECK_STR(x.error, "response header larger than 65536 bytes",
	          "80 KB header line: error");
	result_release(&x);

	fetch_one(url_of("/okhdr"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "30 KB header line under 64 KiB: OK");
	result_release(&x);
}

static int
count_items(const struct crawl_item *it, void *arg)
{
	(void)it;
	(*(size_t *)arg)++;
	return 0;
}

static void
test_generated(void)
{
	struct crawl_fetch_opts o = opts_default();
	struct crawl_parse_opts po = { 0 };
	struct result x;
	size_t n = 0;
	char err[256] = "";

	fetch_one(url_of("/items"), &o, NULL, NULL, 0, &x);
	CHECK_INT(x.result, CRAWL_OK, "generated feed: OK");
	po.on_item = count_items;
	po.arg = &n;
	CHECK_INT(x.body ? crawler_parse_feed(x.body, x.body_len, &po, err,
	                                      sizeof(err))
	                 : -1,
	          CRAWL_OK, "generated feed parses");
	CHECK_INT(n, 3, "generated feed: three items");
	result_release(&x);
}

struct span {
	char host[128];
	double start, end;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c)
		return c;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void
test_concurrency(void)
{
	enum { N = 40, HOSTS = 4 };
	static const char *const names[HOSTS] = { "a.localhost", "b.localhost",
		                                  "c.localhost",
		                                  "d.localhost" };
	struct crawl_request reqs[N];
	static char urls[N][256];
	struct result res[N];
	struct crawl_fetch_opts o = opts_default();
	struct collect c = { 0 };
	struct span sp[N];
	size_t i, j, nsp = 0, ok = 0, once = 0;
	int max_host = 0, max_all = 0, gap_ok = 1, rc;
	double min_gap = 1e9;
	char err[256] = "", *txt;
	json_t *log;

	/* a fresh log for this case */
	routes_send();
	memset(reqs, 0, sizeof(reqs));
	memset(res, 0, sizeof(res));
	for (i = 0; i < N; i++) {
		snprintf(urls[i], sizeof(urls[i]),
		         "http://%s:%d/" CASE "/slow?n=%zu", names[i % HOSTS],
		         port, i);
		reqs[i].url = urls[i];
		reqs[i].user = (void *)(uintptr_t)i;
	}
	/* enough slots that only per_host keeps a host at two */
	o.concurrency = 16;
	o.per_host = 2;
	o.host_delay_ms = 200;
	o.arg = &c;
	c.res = res;
	c.n = N;
	rc = crawler_fetch(reqs, N, &o, err, sizeof(err));
	CHECK_INT(rc, CRAWL_OK, "40 over 4 hosts: crawler_fetch OK");
	CHECK_INT(c.calls, N, "40 over 4 hosts: 40 on_done calls");
	for (i = 0; i < N; i++) {
		ok += res[i].result == CRAWL_OK;
		once += res[i].calls == 1;
		result_release(&res[i]);
	}
	CHECK_INT(ok, N, "40 over 4 hosts: all OK");
	CHECK_INT(once, N, "40 over 4 hosts: one on_done each");

	usleep(300000); /* the server notes "end" just after it answers */
	txt = control("/_control/log?case=" CASE, NULL);
	log = txt ? json_loads(txt, 0, NULL) : NULL;
	for (i = 0; log && i < json_array_size(log) && nsp < N; i++) {
		json_t *e = json_array_get(log, i);
		const char *h = json_string_value(
		        json_object_get(json_object_get(e, "headers"), "Host"));

		snprintf(sp[nsp].host, sizeof(sp[nsp].host), "%s", h ? h : "");
		sp[nsp].start = json_real_value(json_object_get(e, "time"));
		sp[nsp].end = json_real_value(json_object_get(e, "end"));
		if (sp[nsp].end == 0)
			sp[nsp].end = 1e12;
		nsp++;
	}
	CHECK_INT(nsp, N, "server saw 40 requests");
	qsort(sp, nsp, sizeof(sp[0]), span_cmp);
	for (i = 0; i < nsp; i++) {
		int same = 0, all = 0;

		/* requests running when sp[i] started */
		for (j = 0; j < nsp; j++) {
			if (sp[j].start <= sp[i].start &&
			    sp[j].end > sp[i].start) {
				all++;
				if (strcmp(sp[j].host, sp[i].host) == 0)
					same++;
			}
		}
		if (same > max_host)
			max_host = same;
		if (all > max_all)
			max_all = all;
		if (i > 0 && strcmp(sp[i].host, sp[i - 1].host) == 0) {
			double gap = sp[i].start - sp[i - 1].start;

			if (gap < min_gap)
				min_gap = gap;
			/* slack: the server stamps arrival, in a thread, and
			 * a loaded machine delays one arrival more than the
			 * next (without the delay the gaps are ~0) */
			if (gap < 0.2 - 0.1)
				gap_ok = 0;
		}
	}
	CHECK(max_host <= 2, "per_host 2: at most %d at once to one host",
	      max_host);
	CHECK(max_host == 2, "per_host 2: two did overlap");
	CHECK(max_all > 2, "hosts fetched in parallel (%d at once)", max_all);
	CHECK(gap_ok, "host_delay 200 ms: smallest gap %.3f s", min_gap);
	json_decref(log);
	free(txt);
}

static void
test_stop(void)
{
	enum { N = 10 };
	struct crawl_request reqs[N];
	struct result res[N];
	struct crawl_fetch_opts o = opts_default();
	struct collect c = { 0 };
	size_t i, aborted = 0, once = 0;
	char err[256] = "";
	double t0, t;
	int rc;

	memset(reqs, 0, sizeof(reqs));
	memset(res, 0, sizeof(res));
	for (i = 0; i < N; i++) {
		reqs[i].url = url_of(i == 0 ? "/fast" : "/hang");
		reqs[i].url = strdup(reqs[i].url);
		reqs[i].user = (void *)(uintptr_t)i;
	}
	o.concurrency = 4;
	o.per_host = 4;
	o.timeout = 30;
	o.low_speed_time = 30;
	o.arg = &c;
	o.stop = &c.stop;
	c.res = res;
	c.n = N;
	c.stop_after = 1;
	t0 = now_s();
	rc = crawler_fetch(reqs, N, &o, err, sizeof(err));
	t = now_s() - t0;
	CHECK_INT(rc, CRAWL_OK, "stop: crawler_fetch OK");
	CHECK_INT(c.calls, N, "stop: every request reported");
	CHECK_INT(res[0].result, CRAWL_OK, "stop: the first one finished");
	for (i = 0; i < N; i++) {
		once += res[i].calls == 1;
		if (i > 0 && res[i].result == CRAWL_ERR_ABORTED &&
		    contains(res[i].error, "aborted"))
			aborted++;
		result_release(&res[i]);
		free((char *)reqs[i].url);
	}
	CHECK_INT(once, N, "stop: one on_done each");
	CHECK_INT(aborted, N - 1, "stop: the rest CRAWL_ERR_ABORTED");
	CHECK(t < 5, "stop: returns promptly (%.1f s, time-out 30 s)", t);

	/* stopped before the first start */
	memset(res, 0, sizeof(res));
	memset(&c, 0, sizeof(c));
	c.res = res;
	c.n = 1;
	c.stop = 1;
	o.arg = &c;
	o.stop = &c.stop;
	reqs[0].url = url_of("/fast");
	rc = crawler_fetch(reqs, 1, &o, err, sizeof(err));
	CHECK_INT(rc, CRAWL_OK, "stop before start: OK");
	CHECK_INT(res[0].result, CRAWL_ERR_ABORTED,
	          "stop before start: aborted");
	result_release(&res[0]);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	atexit(server_stop);
	if (server_start() != 0) {
		CHECK(0, "test server starts");
		server_stop();
		return check_done();
	}
	setup_routes();
	if (!CHECK(routes_send() == 0, "routes set on the test server")) {
		json_decref(routes);
		server_stop();
		return check_done();
	}
	test_usage();
	test_conditional();
	test_gzip();
	test_redirects();
	test_file_scheme();
	test_status();
	test_hostile();
	test_generated();
	test_concurrency();
	test_stop();
	json_decref(routes);
	server_stop();
	curl_global_cleanup();
	return check_done();
}
