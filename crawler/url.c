/*
 * url.c - RFC 3986 reference resolution and the canonical form of a link.
 *
 * Resolution is section 5.2 to the letter (strict: "http:g" keeps its own
 * scheme), with dot segments removed; surrounding whitespace and embedded
 * tabs and newlines are dropped first, as browsers do.  The canonical form is
 * what identifies an article across feeds: http(s) only, lower-case scheme
 * and host, no default port, no fragment, no tracking parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "crawler.h"
#include "internal.h"

struct url_parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
	int has_scheme, has_auth, has_query, has_frag;
};

static int
is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Splits s per RFC 3986 appendix B. */
static void
url_split(const char *s, struct url_parts *u)
{
	const char *p = s, *e;

	memset(u, 0, sizeof(*u));
	if (is_alpha(*p)) {
		e = p + 1;
		while (is_alpha(*e) || (*e >= '0' && *e <= '9') || *e == '+' ||
		       *e == '-' || *e == '.')
			e++;
		if (*e == ':') {
			u->has_scheme = 1;
			u->scheme = p;
			u->scheme_len = (size_t)(e - p);
			p = e + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		e = p + strcspn(p, "/?#");
		u->has_auth = 1;
		u->auth = p;
		u->auth_len = (size_t)(e - p);
		p = e;
	}
	e = p + strcspn(p, "?#");
	u->path = p;
	u->path_len = (size_t)(e - p);
	p = e;
	if (*p == '?') {
		p++;
		e = p + strcspn(p, "#");
		u->has_query = 1;
		u->query = p;
		u->query_len = (size_t)(e - p);
		p = e;
	}
	if (*p == '#') {
		u->has_frag = 1;
		u->frag = p + 1;
		u->frag_len = strlen(p + 1);
	}
}

/* RFC 3986 5.2.4, appending the result to out. */
static int
remove_dots(struct crawler_buf *out, const char *in, size_t n)
{
	size_t start = out->len;
	size_t i = 0;

	while (i < n) {
		const char *s = in + i;
		size_t left = n - i;

		if (left >= 3 && memcmp(s, "../", 3) == 0) {
			i += 3;
		} else if (left >= 2 && memcmp(s, "./", 2) == 0) {
			i += 2;
		} else if (left >= 3 && memcmp(s, "/./", 3) == 0) {
			i += 2;
		} else if (left == 2 && memcmp(s, "/.", 2) == 0) {
			i += 1;
			/* becomes "/" */
			if (crawler_buf_addc(out, '/') != 0)
				return -1;
			i += 1;
		} else if ((left >= 4 && memcmp(s, "/../", 4) == 0) ||
		           (left == 3 && memcmp(s, "/..", 3) == 0)) {
			/* drop the last segment written */
			while (out->len > start && out->p[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			out->p[out->len] = '\0';
			if (left == 3) {
				if (crawler_buf_addc(out, '/') != 0)
					return -1;
				i += 3;
			} else {
				i += 3;
			}
		} else if ((left == 1 && s[0] == '.') ||
		           (left == 2 && memcmp(s, "..", 2) == 0)) {
			i += left;
		} else {
			size_t k = s[0] == '/' ? 1 : 0;

			while (k < left && s[k] != '/')
				k++;
			if (crawler_buf_add(out, s, k) != 0)
				return -1;
			i += k;
		}
	}
	return 0;
}

static int
add_part(struct crawler_buf *b, const char *pre, const char *s, size_t n)
{
	if (pre && crawler_buf_add(b, pre, strlen(pre)) != 0)
		return -1;
	return crawler_buf_add(b, s, n);
}

/* Copies s without surrounding whitespace and without tabs and newlines. */
static char *
url_clean(const char *s)
{
	size_t n, i, j;
	char *r;

	while (*s && (unsigned char)*s <= ' ')
		s++;
	n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		n--;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	for (i = j = 0; i < n; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			r[j++] = s[i];
	r[j] = '\0';
	return r;
}

char *
crawler_url_resolve(const char *base, const char *ref)
{
	struct url_parts b, r;
	struct crawler_buf out;
	char *bc = NULL, *rc = NULL;
	int ok = -1;

	if (!ref)
		return NULL;
	crawler_buf_init(&out, 0);
	if (!(rc = url_clean(ref)))
		goto done;
	url_split(rc, &r);
	if (!r.has_scheme) {
		if (!base || !(bc = url_clean(base)))
			goto done;
		url_split(bc, &b);
		if (!b.has_scheme)
			goto done;
	}
	if (crawler_buf_add(&out, "", 0) != 0)
		goto done;
	if (r.has_scheme) {
		if (add_part(&out, NULL, r.scheme, r.scheme_len) != 0 ||
		    crawler_buf_addc(&out, ':') != 0)
			goto done;
		if (r.has_auth && add_part(&out, "//", r.auth, r.auth_len) != 0)
			goto done;
		if (remove_dots(&out, r.path, r.path_len) != 0)
			goto done;
		if (r.has_query &&
		    add_part(&out, "?", r.query, r.query_len) != 0)
			goto done;
	} else {
		if (add_part(&out, NULL, b.scheme, b.scheme_len) != 0 ||
		    crawler_buf_addc(&out, ':') != 0)
			goto done;
		if (r.has_auth) {
			if (add_part(&out, "//", r.auth, r.auth_len) != 0 ||
			    remove_dots(&out, r.path, r.path_len) != 0)
				goto done;
			if (r.has_query &&
			    add_part(&out, "?", r.query, r.query_len) != 0)
				goto done;
		} else {
			if (b.has_auth &&
			    add_part(&out, "//", b.auth, b.auth_len) != 0)
				goto done;
			if (r.path_len == 0) {
				if (add_part(&out, NULL, b.path, b.path_len) !=
				    0)
					goto done;
				if (r.has_query) {
					if (add_part(&out, "?", r.query,
					             r.query_len) != 0)
						goto done;
				} else if (b.has_query &&
				           add_part(&out, "?", b.query,
				                    b.query_len) != 0) {
					goto done;
				}
			} else {
				struct crawler_buf m;
				int rr;

				/* merge (5.2.3), then remove dots */
				crawler_buf_init(&m, 0);
				if (r.path[0] == '/') {
					rr = crawler_buf_add(&m, r.path,
					                     r.path_len);
				} else {
					size_t k = b.path_len;

					while (k > 0 && b.path[k - 1] != '/')
						k--;
					rr = 0;
					if (b.has_auth && b.path_len == 0)
						rr = crawler_buf_addc(&m, '/');
					if (rr == 0)
						rr = crawler_buf_add(&m, b.path,
						                     k);
					if (rr == 0)
						rr = crawler_buf_add(
						        &m, r.path, r.path_len);
				}
				if (rr == 0)
					rr = remove_dots(&out,
					                 crawler_buf_str(&m),
					                 m.len);
				crawler_buf_release(&m);
				if (rr != 0)
					goto done;
				if (r.has_query && add_part(&out, "?", r.query,
				                            r.query_len) != 0)
					goto done;
			}
		}
	}
	if (r.has_frag && add_part(&out, "#", r.frag, r.frag_len) != 0)
		goto done;
	ok = 0;
done:
	free(bc);
	free(rc);
	if (ok != 0) {
		crawler_buf_release(&out);
		return NULL;
	}
	return out.p;
}

/* clang-format off */
/* sorted: searched with bsearch() */
static const char *const tracking[] = {
	"_ga", "_hsenc", "_hsmi", "dclid", "fbclid", "gbraid", "gclid",
	"igshid", "mc_cid", "mc_eid", "mkt_tok", "msclkid", "ref_src",
	"wbraid", "yclid",
};
/* clang-format on */

static int
is_tracking(const char *name, size_t n)
{
	size_t lo = 0, hi = sizeof(tracking) / sizeof(tracking[0]);

	if (n >= 4 && crawler_word_eq(name, 4, "utm_"))
		return 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(tracking[mid], name, n);

		if (c == 0 && tracking[mid][n] != '\0')
			c = 1;
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void
lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
}

char *
crawler_url_canonical(const char *url)
{
	struct url_parts u;
	struct crawler_buf out;
	const char *host, *port = NULL, *h;
	size_t host_len, port_len = 0, i;
	char *clean;
	int https, first = 1;

	if (!url || !(clean = url_clean(url)))
		return NULL;
	url_split(clean, &u);
	if (!u.has_scheme || !u.has_auth)
		goto fail;
	if (crawler_word_eq(u.scheme, u.scheme_len, "http"))
		https = 0;
	else if (crawler_word_eq(u.scheme, u.scheme_len, "https"))
		https = 1;
	else
		goto fail;
	/* authority: [userinfo@]host[:port] */
	host = u.auth;
	host_len = u.auth_len;
	for (i = host_len; i > 0; i--) {
		if (host[i - 1] == '@') {
			host += i;
			host_len -= i;
			break;
		}
	}
	h = host[0] == '[' ? memchr(host, ']', host_len) : host;
	if (!h)
		goto fail;
	for (i = (size_t)(h - host); i < host_len; i++) {
		if (host[i] == ':') {
			port = host + i + 1;
			port_len = host_len - i - 1;
			host_len = i;
			break;
		}
	}
	if (host_len == 0)
		goto fail;
	crawler_buf_init(&out, 0);
	if (crawler_buf_add(&out, https ? "https://" : "http://",
	                    https ? 8 : 7) != 0 ||
	    crawler_buf_add(&out, u.auth, (size_t)(host - u.auth)) != 0)
		goto fail_out;
	i = out.len;
	if (crawler_buf_add(&out, host, host_len) != 0)
		goto fail_out;
	lower(out.p + i, host_len);
	if (port_len > 0 &&
	    !(port_len == 2 && !https && memcmp(port, "80", 2) == 0) &&
	    !(port_len == 3 && https && memcmp(port, "443", 3) == 0)) {
		if (crawler_buf_addc(&out, ':') != 0 ||
		    crawler_buf_add(&out, port, port_len) != 0)
			goto fail_out;
	}
	if (u.path_len == 0) {
		if (crawler_buf_addc(&out, '/') != 0)
			goto fail_out;
	} else if (remove_dots(&out, u.path, u.path_len) != 0) {
		goto fail_out;
	}
	if (u.has_query) {
		const char *q = u.query, *end = u.query + u.query_len;

		while (q < end) {
			const char *amp = memchr(q, '&', (size_t)(end - q));
			const char *pe = amp ? amp : end;
			const char *eq = memchr(q, '=', (size_t)(pe - q));
			size_t nl = (size_t)((eq ? eq : pe) - q);

			if (pe > q && !is_tracking(q, nl)) {
				if (crawler_buf_addc(&out, first ? '?' : '&') !=
				            0 ||
				    crawler_buf_add(&out, q,
				                    (size_t)(pe - q)) != 0)
					goto fail_out;
				first = 0;
			}
			q = amp ? amp + 1 : end;
		}
	}
	free(clean);
	return out.p;
fail_out:
	crawler_buf_release(&out);
fail:
	free(clean);
	return NULL;
}
