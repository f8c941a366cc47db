/*
 * test_url.c - crawler_url_resolve() against RFC 3986 section 5.4 and our
 * cases, and crawler_url_canonical().  want NULL: no absolute URL.
 */
#include <stdlib.h>

#include "check.h"
#include "crawler.h"

#define RFC_BASE "http://a/b/c/d;p?q"

/* clang-format off */
static const struct {
	const char *base, *ref, *want;
} resolves[] = {
	/* 5.4.1 normal examples */
	{ RFC_BASE, "g:h", "g:h" },
	{ RFC_BASE, "g", "http://a/b/c/g" },
	{ RFC_BASE, "./g", "http://a/b/c/g" },
	{ RFC_BASE, "g/", "http://a/b/c/g/" },
	{ RFC_BASE, "/g", "http://a/g" },
	{ RFC_BASE, "//g", "http://g" },
	{ RFC_BASE, "?y", "http://a/b/c/d;p?y" },
	{ RFC_BASE, "g?y", "http://a/b/c/g?y" },
	{ RFC_BASE, "#s", "http://a/b/c/d;p?q#s" },
	{ RFC_BASE, "g#s", "http://a/b/c/g#s" },
	{ RFC_BASE, "g?y#s", "http://a/b/c/g?y#s" },
	{ RFC_BASE, ";x", "http://a/b/c/;x" },
	{ RFC_BASE, "g;x", "http://a/b/c/g;x" },
	{ RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ RFC_BASE, "", "http://a/b/c/d;p?q" },
	{ RFC_BASE, ".", "http://a/b/c/" },
	{ RFC_BASE, "./", "http://a/b/c/" },
	{ RFC_BASE, "..", "http://a/b/" },
	{ RFC_BASE, "../", "http://a/b/" },
	{ RFC_BASE, "../g", "http://a/b/g" },
	{ RFC_BASE, "../..", "http://a/" },
	{ RFC_BASE, "../../", "http://a/" },
	{ RFC_BASE, "../../g", "http://a/g" },
	/* 5.4.2 abnormal examples */
	{ RFC_BASE, "../../../g", "http://a/g" },
	{ RFC_BASE, "../../../../g", "http://a/g" },
	{ RFC_BASE, "/./g", "http://a/g" },
	{ RFC_BASE, "/../g", "http://a/g" },
	{ RFC_BASE, "g.", "http://a/b/c/g." },
	{ RFC_BASE, ".g", "http://a/b/c/.g" },
	{ RFC_BASE, "g..", "http://a/b/c/g.." },
	{ RFC_BASE, "..g", "http://a/b/c/..g" },
	{ RFC_BASE, "./../g", "http://a/b/g" },
	{ RFC_BASE, "./g/.", "http://a/b/c/g/" },
	{ RFC_BASE, "g/./h", "http://a/b/c/g/h" },
	{ RFC_BASE, "g/../h", "http://a/b/c/h" },
	{ RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ RFC_BASE, "g;x=1/../y", "http://a/b/c/y" },
	{ RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x" },
	{ RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x" },
	{ RFC_BASE, "g#s/./x", "http://a/b/c/g#s/./x" },
	{ RFC_BASE, "g#s/../x", "http://a/b/c/g#s/../x" },
	{ RFC_BASE, "http:g", "http:g" },
	/* ours */
	{ "http://example.com", "x", "http://example.com/x" },
	{ "http://example.com/a/b", "//cdn.example.org/p", "http://cdn.example.org/p" },
	{ "https://example.com/a/b", "//cdn.example.org", "https://cdn.example.org" },
	{ "http://example.com/a/", "  x y\n ", "http://example.com/a/x y" },
	{ "http://example.com/a/", "b\n/c", "http://example.com/a/b/c" },
	{ "http://example.com/a/", "HTTPS://Other.Example/Q", "HTTPS://Other.Example/Q" },
	{ "http://example.com/a/b/", "../../../../x", "http://example.com/x" },
	{ "http://u:p@example.com:8080/a", "b", "http://u:p@example.com:8080/b" },
	{ "/relative/base/", "x", NULL },
	{ "relative", "x", NULL },
	{ "", "x", NULL },
	{ NULL, "x", NULL },
	{ NULL, "http://example.com/", "http://example.com/" },
	{ "/relative/base/", "https://abs.example/", "https://abs.example/" },
	{ "http://example.com/", NULL, NULL },
	{ "mailto:x@example.com", "y", "mailto:y" },
};

static const struct {
	const char *in, *want;
} canon[] = {
	{ "http://example.com/a", "http://example.com/a" },
	{ "HTTP://EXAMPLE.COM/Path", "http://example.com/Path" },
	{ "https://Example.COM:443/x", "https://example.com/x" },
	{ "http://example.com:80/x", "http://example.com/x" },
	{ "http://example.com:443/x", "http://example.com:443/x" },
	{ "https://example.com:80/x", "https://example.com:80/x" },
	{ "http://example.com:8080", "http://example.com:8080/" },
	{ "http://example.com:/x", "http://example.com/x" },
	{ "http://example.com", "http://example.com/" },
	{ "http://example.com?q=1", "http://example.com/?q=1" },
	{ "http://example.com/a#frag", "http://example.com/a" },
	{ "http://example.com/a?#", "http://example.com/a" },
	{ "http://example.com/a?", "http://example.com/a" },
	{ "http://example.com/a?utm_source=x&utm_medium=y", "http://example.com/a" },
	{ "http://example.com/a?id=5&utm_source=x&page=2", "http://example.com/a?id=5&page=2" },
	{ "http://example.com/a?UTM_Campaign=x&b=1", "http://example.com/a?b=1" },
	{ "http://example.com/a?fbclid=1&gclid=2&dclid=3&gbraid=4&wbraid=5", "http://example.com/a" },
	{ "http://example.com/a?msclkid=1&mc_cid=2&mc_eid=3&yclid=4&igshid=5", "http://example.com/a" },
	{ "http://example.com/a?_ga=1&_hsenc=2&_hsmi=3&mkt_tok=4&ref_src=5", "http://example.com/a" },
	{ "http://example.com/a?z=1&fbclid=abc&a=2#x", "http://example.com/a?z=1&a=2" },
	{ "http://example.com/a?ref=1&source=2", "http://example.com/a?ref=1&source=2" },
	{ "http://example.com/a?fbclidx=1&xgclid=2", "http://example.com/a?fbclidx=1&xgclid=2" },
	{ "http://example.com/a?utm=1", "http://example.com/a?utm=1" },
	{ "http://example.com/a?a=1&&b=2", "http://example.com/a?a=1&b=2" },
	{ "http://example.com/a?flag&utm_x", "http://example.com/a?flag" },
	{ "http://example.com/a/./b/../c", "http://example.com/a/c" },
	{ "http://User:Pass@Example.com/", "http://User:Pass@example.com/" },
	{ "http://[2001:DB8::1]:80/", "http://[2001:db8::1]/" },
	{ "  http://example.com/x  ", "http://example.com/x" },
	{ "ftp://example.com/x", NULL },
	{ "mailto:a@example.com", NULL },
	{ "javascript:alert(1)", NULL },
	{ "/relative/path", NULL },
	{ "example.com/x", NULL },
	{ "http:/x", NULL },
	{ "http://", NULL },
	{ "", NULL },
	{ NULL, NULL },
};
/* clang-format on */

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(resolves) / sizeof(resolves[0]); i++) {
		char *got =
		        crawler_url_resolve(resolves[i].base, resolves[i].ref);

		CHECK_STR(got, resolves[i].want, "resolve '%s' against '%s'",
		          resolves[i].ref ? resolves[i].ref : "(null)",
		          resolves[i].base ? resolves[i].base : "(null)");
		free(got);
	}
	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		char *got = crawler_url_canonical(canon[i].in);

		CHECK_STR(got, canon[i].want, "canonical '%s'",
		          canon[i].in ? canon[i].in : "(null)");
		free(got);
	}
	return check_done();
}
