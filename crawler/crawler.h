/*
 * crawler.h - the crawler module: feed documents in, items out.
 *
 * The crawler knows feeds, HTTP, XML, HTML and dates.  It knows nothing of
 * the database, of labels or of the classifier: pipeline/ calls it and stores
 * what it returns.  Every string it hands out is valid, NUL-terminated UTF-8.
 * Times are UTC seconds in int64_t.
 *
 * Errors: functions return 0 (CRAWL_OK) or a crawl_err code, and write a
 * message into the caller's buffer (err, errsz) when one is given.  Nothing in
 * this module prints or exits.
 */
#ifndef PCMON_CRAWLER_H
#define PCMON_CRAWLER_H

#include <stddef.h>
#include <stdint.h>

enum crawl_err {
	CRAWL_OK = 0,
	CRAWL_ERR_NOMEM = 1,
	CRAWL_ERR_PARSE = 2,     /* nothing usable could be parsed */
	CRAWL_ERR_NOT_FEED = 3,  /* well-formed, but not RSS, RDF or Atom */
	CRAWL_ERR_TOO_LARGE = 4, /* a limit was hit */
	CRAWL_ERR_ABORTED = 5,   /* the item callback asked to stop */
	CRAWL_ERR_IO = 6,
	CRAWL_ERR_USAGE = 7      /* bad argument */
};

const char *crawler_strerror(int code);

/* "no date": missing or unparseable */
#define CRAWL_TIME_NONE INT64_MIN

/*
 * One entry of a feed.  All pointers are borrowed from the parser and valid
 * only during the on_item callback; copy what you keep.  Any of them may be
 * NULL.
 */
struct crawl_item {
	size_t index;        /* 0-based position in the document */
	const char *id;      /* guid / atom:id / rdf:about as written, trimmed */
	const char *title;   /* plain text */
	const char *summary; /* plain text: description/summary, else content */
	const char *link;    /* alternate link, resolved; never the atom:id */
	const char *author;  /* plain-text name of the first author */
	int64_t published;   /* CRAWL_TIME_NONE when absent or unparseable */
	int64_t updated;     /* CRAWL_TIME_NONE when absent or unparseable */
};

/* What the document says about itself (channel / feed level). */
struct crawl_feed_meta {
	const char *format;   /* "rss", "rdf", "atom", "atom03"; NULL if unknown */
	const char *title;    /* plain text */
	const char *link;     /* the site link, resolved */
	const char *language; /* as written (e.g. "en-us"), NULL if none */
	int64_t ttl_seconds;  /* <ttl> or sy:updatePeriod/Frequency; 0 if none */
	size_t items;         /* entries reported so far */
	int recovered;        /* 1 when the XML was ill-formed and recovered */
	const char *first_error; /* first XML error "line N: message", or NULL */
};

struct crawl_parse_opts {
	const char *base_url; /* document URL for relative links; may be NULL */
	const char *charset;  /* HTTP charset; used when the document has no BOM
	                       * and no encoding declaration; may be NULL */
	size_t max_depth;     /* element nesting; 0 = default (256) */
	size_t max_field;     /* bytes of one text field; 0 = default (1 MiB) */
	size_t max_items;     /* entries; 0 = unlimited */
	/* called once per entry in document order; non-zero stops the parse
	 * with CRAWL_ERR_ABORTED */
	int (*on_item)(const struct crawl_item *item, void *arg);
	void *arg;
};

/*
 * Streaming parser: feed it the document in chunks of any size as they
 * arrive (memory use does not grow with the document), then finish.
 * Network access, DTD loading and external entities are never performed.
 */
struct crawl_parser;

int crawler_parser_create(const struct crawl_parse_opts *opts,
                          struct crawl_parser **out);
int crawler_parser_feed(struct crawl_parser *p, const char *buf, size_t len,
                        char *err, size_t errsz);
/* Ends the document.  Returns CRAWL_OK when the document was parsed (perhaps
 * after recovery), CRAWL_ERR_PARSE / CRAWL_ERR_NOT_FEED when nothing usable
 * was found. */
int crawler_parser_finish(struct crawl_parser *p, char *err, size_t errsz);
/* Valid until crawler_parser_free(); filled in as the parse goes. */
const struct crawl_feed_meta *crawler_parser_meta(const struct crawl_parser *p);
void crawler_parser_free(struct crawl_parser *p);

/* One-shot convenience over the streaming parser. */
int crawler_parse_feed(const char *buf, size_t len,
                       const struct crawl_parse_opts *opts, char *err,
                       size_t errsz);

/*
 * HTML fragment to plain text: comments, script and style dropped, tags
 * removed (a space for block-level tags, nothing for inline ones), HTML5
 * character references decoded, whitespace collapsed and trimmed, invalid
 * UTF-8 replaced by U+FFFD.  At most max bytes of output (0 = no limit).
 * Returns a malloc'd string the caller frees, NULL on allocation failure.
 */
char *crawler_html_to_text(const char *html, size_t len, size_t max);

/*
 * Dates as feeds write them: RFC 822/1123 and their broken variants, RFC 3339
 * and W3CDTF.  Returns 0 and sets *out (UTC seconds), or -1.
 */
int crawler_parse_date(const char *s, int64_t *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void crawler_format_date(int64_t t, char *buf, size_t bufsz);

/*
 * Resolves ref against base (RFC 3986).  Returns a malloc'd absolute URL, or
 * NULL when it cannot be made absolute.
 */
char *crawler_url_resolve(const char *base, const char *ref);

/*
 * The identity of a link across feeds: lower-case scheme and host, default
 * port, fragment and tracking parameters (utm_*, fbclid, gclid, ...) removed.
 * Returns a malloc'd string, or NULL when url is not an absolute http(s) URL.
 */
char *crawler_url_canonical(const char *url);

/* ------------------------------------------------------------- fetching */

/*
 * Fetch errors (crawl_response.result), after the parse errors above.
 */
enum crawl_fetch_err {
	CRAWL_ERR_HTTP = 20,        /* the server answered with an error status */
	CRAWL_ERR_TIMEOUT = 21,     /* connect, total or low-speed time-out */
	CRAWL_ERR_CONNECT = 22,     /* DNS, refused, TLS, reset */
	CRAWL_ERR_REDIRECTS = 23,   /* too many redirects, or a loop */
	CRAWL_ERR_PROTOCOL = 24,    /* a scheme that is not allowed */
	CRAWL_ERR_HEADER_SIZE = 25, /* response header over max_header */
	CRAWL_ERR_NETWORK = 26      /* any other transfer failure */
};

/* One feed to fetch.  Strings are borrowed for the whole crawler_fetch(). */
struct crawl_request {
	const char *url;
	const char *etag;          /* sent as If-None-Match; NULL: none */
	const char *last_modified; /* sent as If-Modified-Since; NULL: none */
	int allow_file;            /* file:// allowed (feeds marked local) */
	void *user;                /* the caller's, handed back in the response */
};

/*
 * What one fetch produced.  Everything is borrowed and valid only during
 * the on_done callback.
 */
struct crawl_response {
	const struct crawl_request *req;
	int result;              /* CRAWL_OK or a crawl error code */
	const char *error;       /* message when result != CRAWL_OK */
	long status;             /* final HTTP status; 0 for file:// or none */
	int not_modified;        /* 304: the body is empty, nothing to parse */
	const char *url;         /* effective URL, after redirects */
	long redirects;          /* redirects followed */
	const char *moved_to;    /* fetch succeeded and every hop was 301/308:
	                          * the final URL */
	const char *etag;        /* validators of the final response, or NULL */
	const char *last_modified;
	const char *content_type;
	int64_t retry_after;     /* seconds asked by 429/503, 0 if none */
	int64_t started_at;      /* UTC seconds */
	int64_t duration_ms;
	int64_t bytes_wire;      /* header and body bytes as received */
	int64_t bytes_body;      /* body bytes after decompression */
	const char *body;        /* the whole body (at most max_body bytes) */
	size_t body_len;
};

struct crawl_fetch_opts {
	const char *user_agent;
	long concurrency;        /* transfers at once */
	long per_host;           /* transfers at once to one host */
	long host_delay_ms;      /* between two request starts to one host */
	long connect_timeout;    /* seconds */
	long timeout;            /* seconds, whole transfer */
	long low_speed_limit;    /* bytes/s ... */
	long low_speed_time;     /* ... for this long aborts */
	int64_t max_body;        /* bytes after decompression */
	int64_t max_header;      /* bytes of response headers */
	long max_redirects;
	/* called once per request, in completion order; from inside
	 * crawler_fetch(), never concurrently */
	void (*on_done)(const struct crawl_response *r, void *arg);
	void *arg;
	/* polled between transfers; non-zero stops starting new ones and
	 * aborts those running (their responses report CRAWL_ERR_ABORTED) */
	volatile int *stop;
};

/*
 * Fetches all requests with libcurl's multi interface: at most concurrency
 * at once and per_host to one host, with host_delay_ms between starts to the
 * same host; only http and https (and file:// where allowed), compression
 * on, limits enforced as bodies stream in.  Returns CRAWL_OK once every
 * request has had its on_done call, or an error when libcurl itself could
 * not be set up.
 */
int crawler_fetch(const struct crawl_request *reqs, size_t n,
                  const struct crawl_fetch_opts *opts, char *err,
                  size_t errsz);

/* "libcurl/7.88.1 ..." */
const char *crawler_curl_version(void);

#endif
