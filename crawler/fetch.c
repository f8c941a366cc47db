/*
 * fetch.c - fetching many feeds at once with libcurl's multi interface.
 *
 * One process, one thread: a queue of requests, at most `concurrency`
 * transfers running, at most `per_host` of them to one host, and a minimum
 * delay between two starts to the same host.  Every limit is enforced while
 * bytes stream in: the body is counted after decompression in the write
 * callback (a gzip bomb stops at max_body, it is never inflated into
 * memory), response headers are counted in the header callback, and libcurl
 * enforces the time-outs and the low-speed cut-off.
 *
 * Only http and https are spoken, also after redirects; file:// only for a
 * request that allows it.  Nothing here knows the database: each finished
 * transfer is handed to the caller's on_done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "crawler.h"

/* A host and its politeness state; hosts are found before the first
 * transfer starts, so the array never moves while slots point into it. */
struct host {
	char *name;
	long active;           /* transfers running */
	int64_t next_start_ms; /* monotonic ms before which none may start */
};

struct slot {
	CURL *easy;
	size_t req; /* index into the request array */
	struct host *host;
	struct curl_slist *headers;
	char *body;
	size_t len, cap;
	int64_t max_body;
	int64_t header_bytes, max_header;
	int too_large, header_too_large;
	int nomem;         /* the body buffer could not grow */
	int in_header;     /* inside a response header block */
	int all_permanent; /* every redirect hop so far was 301/308 */
	long hops;         /* final (non-1xx) status lines seen */
	long last_code;
	int64_t started_at;
	int64_t t0_ms;
	char errbuf[CURL_ERROR_SIZE];
	char location[512]; /* the last Location header, for messages */
	char *answered_url; /* URL of the last response seen, malloc'd */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct slot *s = userp;
	size_t n = size * nmemb;
	size_t ncap;
	char *p;

	/* counted after decompression, so the limit holds for gzip bombs */
	if ((int64_t)n > s->max_body - (int64_t)s->len) {
		s->too_large = 1;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (n + 1 > s->cap - s->len) {
		ncap = s->cap ? s->cap : 16384;
		while (ncap - s->len < n + 1)
			ncap *= 2;
		if ((int64_t)ncap > s->max_body + 1)
			ncap = (size_t)s->max_body + 1;
		if (!(p = realloc(s->body, ncap))) {
			s->nomem = 1;
			return 0;
		}
		s->body = p;
		s->cap = ncap;
	}
	memcpy(s->body + s->len, data, n);
	s->len += n;
	s->body[s->len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct slot *s = userp;
	size_t n = size * nmemb;
	const char *sp;
	char *u = NULL;
	long code;

	if ((int64_t)n > s->max_header - s->header_bytes) {
		s->header_too_large = 1;
		return 0;
	}
	s->header_bytes += (int64_t)n;
	if (n <= 2 && (data[0] == '\r' || data[0] == '\n')) {
		s->in_header = 0; /* the blank line ends a header block */
		return n;
	}
	if (n > 9 && strncasecmp(data, "Location:", 9) == 0) {
		size_t a = 9, b = n;

		while (a < b && (data[a] == ' ' || data[a] == '\t'))
			a++;
		while (b > a && (data[b - 1] == '\r' || data[b - 1] == '\n' ||
		                 data[b - 1] == ' ' || data[b - 1] == '\t'))
			b--;
		if (b - a < sizeof(s->location)) {
			memcpy(s->location, data + a, b - a);
			s->location[b - a] = '\0';
		} else {
			s->location[0] = '\0';
		}
		return n;
	}
	/* a status line starts each response of a redirect chain: "HTTP/1.1
	 * 301 Moved", "HTTP/2 308" (exactly 12 bytes with its CRLF) */
	if (n >= 12 && strncmp(data, "HTTP/", 5) == 0 &&
	    (sp = memchr(data, ' ', n)) && data + n - sp >= 4 && sp[1] >= '1' &&
	    sp[1] <= '5' && sp[2] >= '0' && sp[2] <= '9' && sp[3] >= '0' &&
	    sp[3] <= '9') {
		s->in_header = 1;
		code = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
		/* 1xx answers (100 Continue, 103 Early Hints) precede the
		 * real one and are no hop of the chain */
		if (code < 200)
			return n;
		if (s->hops > 0 && s->last_code != 301 && s->last_code != 308)
			s->all_permanent = 0;
		s->last_code = code;
		s->hops++;
		/* a refused redirect leaves curl's effective URL on the
		 * target it did not fetch: remember who really answered */
		if (curl_easy_getinfo(s->easy, CURLINFO_EFFECTIVE_URL, &u) ==
		            CURLE_OK &&
		    u &&
		    (!s->answered_url || strcmp(u, s->answered_url) != 0)) {
			free(s->answered_url);
			s->answered_url = strdup(u);
		}
	}
	return n;
}

/* Host of url, lower-cased, malloc'd; "" when there is none (file://). */
static char *
url_host(const char *url)
{
	CURLU *u = curl_url();
	char *name = NULL, *out, *p;

	if (u && curl_url_set(u, CURLUPART_URL, url,
	                      CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &name, 0);
	curl_url_cleanup(u);
	out = strdup(name ? name : "");
	curl_free(name);
	if (out)
		for (p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return out;
}

static const char *
header_value(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

static int
slot_start(CURLM *multi, struct slot *s, const struct crawl_request *r,
           const struct crawl_fetch_opts *o)
{
	char line[1024];
	CURL *e;

	if (!(s->easy = e = curl_easy_init()))
		return -1;
	s->max_body = o->max_body;
	s->max_header = o->max_header;
	s->all_permanent = 1;
	s->in_header = 1; /* until the first header block ends */
	s->errbuf[0] = '\0';
	s->started_at = (int64_t)time(NULL);
	s->t0_ms = now_ms();

	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	/* every decoding this libcurl has: gzip, deflate, br, zstd */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	                 r->allow_file ? "http,https,file" : "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirects);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	/* an announced length over the limit is refused before the body */
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(e, CURLOPT_FILETIME, 0L);

	s->headers = curl_slist_append(
	        NULL, "Accept: application/rss+xml, application/atom+xml, "
	              "application/rdf+xml;q=0.9, application/xml;q=0.9, "
	              "text/xml;q=0.9, */*;q=0.5");
	if (r->etag && *r->etag &&
	    snprintf(line, sizeof(line), "If-None-Match: %s", r->etag) <
	            (int)sizeof(line))
		s->headers = curl_slist_append(s->headers, line);
	if (r->last_modified && *r->last_modified &&
	    snprintf(line, sizeof(line), "If-Modified-Since: %s",
	             r->last_modified) < (int)sizeof(line))
		s->headers = curl_slist_append(s->headers, line);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);

	if (curl_multi_add_handle(multi, e) != CURLM_OK)
		return -1;
	return 0;
}

static void
slot_release(CURLM *multi, struct slot *s)
{
	if (s->easy) {
		curl_multi_remove_handle(multi, s->easy);
		curl_easy_cleanup(s->easy);
	}
	curl_slist_free_all(s->headers);
	free(s->body);
	free(s->answered_url);
	memset(s, 0, sizeof(*s));
}

/* Why a scheme was refused.  libcurl 7.88 has forgotten a refused
 * redirect's Location by then: the header callback kept it. */
static const char *
protocol_message(const struct slot *s, long redirs, long code, char *buf,
                 size_t bufsz)
{
	if (redirs == 0 && (code < 300 || code > 399))
		return "only http and https are fetched (file:// only for "
		       "feeds marked local)";
	if (!s->location[0])
		return "redirect to a scheme other than http or https refused";
	snprintf(buf, bufsz,
	         "redirect to '%s' refused: only http and https are followed",
	         s->location);
	return buf;
}

/* Turns a finished transfer into a response for the caller.  Every message
 * starts with what failed, in our words; curl's detail follows. */
static void
slot_finish(struct slot *s, CURLcode cc, const struct crawl_request *r,
            const struct crawl_fetch_opts *o, int aborted)
{
	struct crawl_response resp = { 0 };
	char msg[CURL_ERROR_SIZE + 640];
	char *eff = NULL;
	curl_off_t dl = 0, ra = 0, clen = -1;
	long hsize = 0, code = 0, redirs = 0;
	const char *ctype = NULL, *what = NULL;

	resp.req = r;
	resp.started_at = s->started_at;
	resp.duration_ms = now_ms() - s->t0_ms;
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(s->easy, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(s->easy, CURLINFO_REDIRECT_COUNT, &redirs);
	curl_easy_getinfo(s->easy, CURLINFO_SIZE_DOWNLOAD_T, &dl);
	curl_easy_getinfo(s->easy, CURLINFO_HEADER_SIZE, &hsize);
	curl_easy_getinfo(s->easy, CURLINFO_RETRY_AFTER, &ra);
	curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ctype);
	curl_easy_getinfo(s->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
	resp.status = code;
	resp.url = s->answered_url ? s->answered_url : eff ? eff : r->url;
	resp.redirects = redirs;
	resp.bytes_wire = (int64_t)dl + hsize;
	resp.bytes_body = (int64_t)s->len;
	/* an HTTP-date in the past comes out negative */
	resp.retry_after = ra > 0 ? (int64_t)ra : 0;
	resp.content_type = ctype;
	msg[0] = '\0';

	if (aborted) {
		resp.result = CRAWL_ERR_ABORTED;
		snprintf(msg, sizeof(msg), "aborted");
	} else if (s->too_large) {
		resp.result = CRAWL_ERR_TOO_LARGE;
		snprintf(msg, sizeof(msg),
		         "body larger than %lld bytes (after decompression)",
		         (long long)o->max_body);
	} else if (s->header_too_large ||
	           (cc == CURLE_OUT_OF_MEMORY && s->in_header && !s->nomem)) {
		/* libcurl 7.88 refuses a single header line over 100 KiB with
		 * CURLE_OUT_OF_MEMORY before our header callback sees it */
		resp.result = CRAWL_ERR_HEADER_SIZE;
		if (s->header_too_large)
			snprintf(msg, sizeof(msg),
			         "response header larger than %lld bytes",
			         (long long)o->max_header);
		else
			snprintf(msg, sizeof(msg),
			         "response header larger than %lld bytes (%s)",
			         (long long)o->max_header,
			         s->errbuf[0]
			                 ? s->errbuf
			                 : "a line over libcurl's 100 KiB");
	} else if (s->nomem) {
		resp.result = CRAWL_ERR_NOMEM;
		snprintf(msg, sizeof(msg), "out of memory for the body");
	} else if (cc == CURLE_FILESIZE_EXCEEDED) {
		/* the announced length is over the limit: nothing read */
		const char *cl = header_value(s->easy, "Content-Length");

		resp.result = CRAWL_ERR_TOO_LARGE;
		if (clen < 0 && cl)
			clen = strtoll(cl, NULL, 10);
		if (clen >= 0)
			snprintf(msg, sizeof(msg),
			         "body larger than %lld bytes (Content-Length: "
			         "%lld)",
			         (long long)o->max_body, (long long)clen);
		else
			snprintf(msg, sizeof(msg),
			         "body larger than %lld bytes (Content-Length)",
			         (long long)o->max_body);
	} else if (cc != CURLE_OK) {
		const char *detail =
		        s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc);

		switch (cc) {
		case CURLE_OPERATION_TIMEDOUT:
			resp.result = CRAWL_ERR_TIMEOUT;
			what = "timed out";
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
			resp.result = CRAWL_ERR_CONNECT;
			what = "cannot connect";
			break;
		case CURLE_TOO_MANY_REDIRECTS:
			resp.result = CRAWL_ERR_REDIRECTS;
			what = "too many redirects";
			break;
		case CURLE_UNSUPPORTED_PROTOCOL:
			resp.result = CRAWL_ERR_PROTOCOL;
			detail = protocol_message(s, redirs, code, msg,
			                          sizeof(msg));
			break;
		default:
			resp.result = CRAWL_ERR_NETWORK;
			what = "transfer failed";
			break;
		}
		if (what)
			snprintf(msg, sizeof(msg), "%s: %s", what, detail);
		else if (detail != msg)
			snprintf(msg, sizeof(msg), "%s", detail);
		/* curl's own message ends in a newline sometimes */
		msg[strcspn(msg, "\r\n")] = '\0';
	} else if (code == 304) {
		resp.result = CRAWL_OK;
		resp.not_modified = 1;
	} else if (code != 0 && (code < 200 || code > 299)) {
		resp.result = CRAWL_ERR_HTTP;
		snprintf(msg, sizeof(msg), "HTTP status %ld", code);
	} else {
		resp.result = CRAWL_OK;
	}
	if (resp.result != CRAWL_OK)
		resp.error = msg;
	/* a permanent move is reported only when it led to a good answer:
	 * a feed URL is never rewritten to a dead end */
	if (resp.result == CRAWL_OK && redirs > 0 && s->all_permanent &&
	    s->hops > 1 && (s->hops - 1) == redirs)
		resp.moved_to = resp.url;
	if (code >= 200 && code < 400) {
		resp.etag = header_value(s->easy, "ETag");
		resp.last_modified = header_value(s->easy, "Last-Modified");
	}
	if (resp.result == CRAWL_OK && !resp.not_modified) {
		resp.body = s->body ? s->body : "";
		resp.body_len = s->len;
	}
	o->on_done(&resp, o->arg);
}

int
crawler_fetch(const struct crawl_request *reqs, size_t n,
              const struct crawl_fetch_opts *o, char *err, size_t errsz)
{
	struct host *hosts = NULL;
	size_t *req_host = NULL, *pending = NULL;
	struct slot *slots = NULL;
	size_t nhosts = 0, npending = 0, done = 0, i, j;
	long running = 0, nslots;
	CURLM *multi = NULL;
	int rc = CRAWL_ERR_NOMEM;

	if (n == 0)
		return CRAWL_OK;
	if (o->concurrency < 1 || o->per_host < 1 || !o->on_done) {
		snprintf(err, errsz, "bad fetch options");
		return CRAWL_ERR_USAGE;
	}
	nslots = o->concurrency;
	if (!(hosts = calloc(n, sizeof(*hosts))) ||
	    !(req_host = calloc(n, sizeof(*req_host))) ||
	    !(pending = calloc(n, sizeof(*pending))) ||
	    !(slots = calloc((size_t)nslots, sizeof(*slots))))
		goto out;

	/* group requests by host (quadratic only in the number of distinct
	 * hosts seen, through a linear scan; fine for thousands of feeds) */
	for (i = 0; i < n; i++) {
		char *h = url_host(reqs[i].url);

		if (!h)
			goto out;
		for (j = 0; j < nhosts; j++)
			if (strcmp(hosts[j].name, h) == 0)
				break;
		if (j == nhosts)
			hosts[nhosts++].name = h;
		else
			free(h);
		req_host[i] = j;
		pending[npending++] = i;
	}

	if (!(multi = curl_multi_init()))
		goto out;
	/* reuse connections to a host across feeds */
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, o->per_host);
	curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	                  o->concurrency);

	while (done < n) {
		int64_t now = now_ms(), wake = now + 1000;
		int still = 0, left, progressed;
		CURLMsg *m;
		size_t k;

		if (o->stop && *o->stop) {
			/* abort everything: running transfers and the queue */
			for (k = 0; k < (size_t)nslots; k++) {
				if (!slots[k].easy)
					continue;
				slot_finish(&slots[k],
				            CURLE_ABORTED_BY_CALLBACK,
				            &reqs[slots[k].req], o, 1);
				slot_release(multi, &slots[k]);
				done++;
			}
			for (k = 0; k < npending; k++) {
				struct crawl_response r = { 0 };

				r.req = &reqs[pending[k]];
				r.url = r.req->url;
				r.result = CRAWL_ERR_ABORTED;
				r.error = "aborted before start";
				o->on_done(&r, o->arg);
				done++;
			}
			npending = 0;
			break;
		}

		/* start what politeness allows, in queue order */
		for (k = 0; k < npending && running < nslots;) {
			size_t ri = pending[k];
			struct host *h = &hosts[req_host[ri]];
			struct slot *s = NULL;

			if (h->active >= o->per_host) {
				k++;
				continue;
			}
			if (h->next_start_ms > now) {
				if (h->next_start_ms < wake)
					wake = h->next_start_ms;
				k++;
				continue;
			}
			for (j = 0; j < (size_t)nslots; j++)
				if (!slots[j].easy) {
					s = &slots[j];
					break;
				}
			s->req = ri;
			s->host = h;
			if (slot_start(multi, s, &reqs[ri], o) != 0) {
				struct crawl_response r = { 0 };

				slot_release(multi, s);
				r.req = &reqs[ri];
				r.url = r.req->url;
				r.result = CRAWL_ERR_NOMEM;
				r.error = "cannot start transfer";
				o->on_done(&r, o->arg);
				done++;
			} else {
				h->active++;
				h->next_start_ms = now + o->host_delay_ms;
				running++;
			}
			/* remove from the queue, keeping its order */
			memmove(&pending[k], &pending[k + 1],
			        (npending - k - 1) * sizeof(*pending));
			npending--;
		}

		curl_multi_perform(multi, &still);
		progressed = 0;
		while ((m = curl_multi_info_read(multi, &left))) {
			struct slot *s = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			                  (char **)&s);
			slot_finish(s, m->data.result, &reqs[s->req], o, 0);
			s->host->active--;
			running--;
			done++;
			progressed = 1;
			slot_release(multi, s);
		}
		if (done >= n)
			break;
		/* a finished transfer frees a slot, and on_done may have set
		 * *stop: look again before sleeping */
		if (progressed || (o->stop && *o->stop))
			continue;
		now = now_ms();
		{
			long ms = (long)(wake - now);

			if (ms < 0)
				ms = 0;
			if (ms > 1000)
				ms = 1000;
			if (running > 0 || ms > 0)
				curl_multi_poll(multi, NULL, 0, (int)ms, NULL);
		}
	}
	rc = CRAWL_OK;
out:
	if (rc != CRAWL_OK)
		snprintf(err, errsz, "out of memory");
	if (slots) {
		for (i = 0; i < (size_t)nslots; i++)
			if (slots[i].easy)
				slot_release(multi, &slots[i]);
		free(slots);
	}
	if (multi)
		curl_multi_cleanup(multi);
	for (i = 0; i < nhosts; i++)
		free(hosts[i].name);
	free(hosts);
	free(req_host);
	free(pending);
	return rc;
}

const char *
crawler_curl_version(void)
{
	return curl_version();
}
