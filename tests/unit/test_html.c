/*
 * test_html.c - crawler_html_to_text(): one HTML fragment and its plain text
 * per row.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crawler.h"

/* clang-format off */
static const struct {
	const char *in;
	const char *want;
} rows[] = {
	{ "", "" },
	{ "plain text", "plain text" },
	{ "  lots \t of\n\n  space  ", "lots of space" },
	/* inline tags vanish, block tags become a space */
	{ "<b>Hel</b>lo", "Hello" },
	{ "<i>in</i><em>line</em><span>s</span><a href=\"x\">!</a>", "inlines!" },
	{ "<p>one</p><p>two</p>", "one two" },
	{ "one<br>two<br/>three<BR />four", "one two three four" },
	{ "<div>a</div><div>b</div>", "a b" },
	{ "<ul><li>a</li><li>b</li></ul>", "a b" },
	{ "<ol><li>x</li></ol>after", "x after" },
	{ "<h1>T</h1><h2>U</h2><h6>V</h6>", "T U V" },
	{ "<table><tr><td>1</td><td>2</td></tr><tr><th>3</th></tr></table>", "1 2 3" },
	{ "<blockquote>q</blockquote><pre>p</pre><hr>z", "q p z" },
	{ "<section>s</section><article>a</article><header>h</header><footer>f</footer>", "s a h f" },
	{ "<dl><dt>t</dt><dd>d</dd></dl>", "t d" },
	{ "<figure><img src=x><figcaption>cap</figcaption></figure>", "cap" },
	{ "<P>Upper</P><DIV>case</DIV>", "Upper case" },
	{ "<p class=\"a>b\" title='c>d'>attr</p>", "attr" },
	{ "<p data-x=a>b>c</p>", "b>c" },
	/* dropped with their content */
	{ "a<script>var s = '<p>x</p>';</script>b", "ab" },
	{ "a<SCRIPT type=\"text/javascript\">x</SCRIPT>b", "ab" },
	{ "a<style>p { color: red }</style>b", "ab" },
	{ "a<style>unterminated", "a" },
	{ "a<!-- comment -->b", "ab" },
	{ "a<!-- <p>not</p> -->b", "ab" },
	{ "a<!-- unterminated", "a" },
	{ "<!DOCTYPE html><p>doc</p>", "doc" },
	{ "a<?php echo 1 ?>b", "ab" },
	/* CDATA markers inside HTML: the inside is kept */
	{ "<![CDATA[<b>in</b> cdata]]>", "in cdata" },
	{ "x ]]> y", "x ]]> y" },
	/* markup-looking text that is not markup */
	{ "5 < 6 and 7 > 3", "5 < 6 and 7 > 3" },
	{ "a <3 b", "a <3 b" },
	{ "AT&T", "AT&T" },
	{ "Tom & Jerry", "Tom & Jerry" },
	{ "unclosed <b", "unclosed" },
	{ "</>", "" },
	/* named references, the full HTML5 table */
	{ "&amp; &lt; &gt; &quot; &apos;", "& < > \" '" },
	{ "caf&eacute; &ndash; &mdash; &hellip;", "caf\xc3\xa9 \xe2\x80\x93 \xe2\x80\x94 \xe2\x80\xa6" },
	{ "&euro;&pound;&yen;&copy;&reg;&trade;", "\xe2\x82\xac\xc2\xa3\xc2\xa5\xc2\xa9\xc2\xae\xe2\x84\xa2" },
	{ "&CounterClockwiseContourIntegral;", "\xe2\x88\xb3" },
	{ "&nGt;", "\xe2\x89\xab\xe2\x83\x92" },
	{ "&NotEqualTilde;", "\xe2\x89\x82\xcc\xb8" },
	{ "&copy 2026", "\xc2\xa9 2026" },
	{ "&notit;", "\xc2\xacit;" },
	{ "&amp", "&" },
	{ "&unknown; &x;", "&unknown; &x;" },
	{ "&AMP; &LT;", "& <" },
	{ "a&Tab;b&NewLine;c", "a b c" },
	/* NBSP is not collapsed */
	{ "a&nbsp;b", "a\xc2\xa0" "b" },
	{ "a &nbsp; b", "a \xc2\xa0 b" },
	{ "a\xc2\xa0\xc2\xa0" "b", "a\xc2\xa0\xc2\xa0" "b" },
	/* numeric references */
	{ "&#65;&#x42;&#X43;", "ABC" },
	{ "&#8364; &#x20ac;", "\xe2\x82\xac \xe2\x82\xac" },
	{ "&#128512;", "\xf0\x9f\x98\x80" },
	{ "&#150;&#x93;&#x94;&#128;", "\xe2\x80\x93\xe2\x80\x9c\xe2\x80\x9d\xe2\x82\xac" },
	{ "&#0;", "\xef\xbf\xbd" },
	{ "&#xD800;", "\xef\xbf\xbd" },
	{ "&#x110000;", "\xef\xbf\xbd" },
	{ "&#99999999999999999999;", "\xef\xbf\xbd" },
	{ "&#65 no semicolon", "A no semicolon" },
	{ "&#; &#x;", "&#; &#x;" },
	{ "a&#32;&#32;b&#10;c", "a b c" },
	/* invalid UTF-8 */
	{ "bad \xff byte", "bad \xef\xbf\xbd byte" },
	{ "cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd" },
	{ "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
	{ "surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x93", "ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x93" },
	/* a realistic description */
	{ "<p>Lead <!-- hidden --> text<br/>next line &amp; more</p><style>p{}</style>",
	  "Lead text next line & more" },
	{ "<div class=\"x\"><p>Prosecutors <b>open</b><i>ed</i> a probe</p><p>into two offices.</p></div>",
	  "Prosecutors opened a probe into two offices." },
};
/* clang-format on */

static const struct {
	const char *in;
	size_t max;
	const char *want;
} cuts[] = {
	{ "hello world", 5, "hello" },
	{ "hello world", 6, "hello" },
	{ "<p>ab</p><p>cd</p>", 4, "ab c" },
	{ "caf\xc3\xa9", 4, "caf" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
	{ "\xe2\x82\xac\xe2\x82\xac", 4, "\xe2\x82\xac" },
	{ "&euro;&euro;", 5, "\xe2\x82\xac" },
	{ "abc", 0, "abc" },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got =
		        crawler_html_to_text(rows[i].in, strlen(rows[i].in), 0);

		CHECK_STR(got, rows[i].want, "html '%s'", rows[i].in);
		free(got);
	}
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char *got = crawler_html_to_text(cuts[i].in, strlen(cuts[i].in),
		                                 cuts[i].max);

		CHECK_STR(got, cuts[i].want, "cut '%s' at %zu", cuts[i].in,
		          cuts[i].max);
		free(got);
	}
	/* NUL bytes inside the input do not end it */
	{
		static const char in[] = "a\0b<p>\0c";
		char *got = crawler_html_to_text(in, sizeof(in) - 1, 0);

		CHECK_STR(got, "ab c", "NUL bytes are dropped, not the end");
		free(got);
	}
	/* big input: one pass, bounded output */
	{
		size_t n = 4 << 20, k;
		char *in = malloc(n), *got;

		for (k = 0; in && k < n; k++)
			in[k] = "<b>x</b> "[k % 9];
		got = in ? crawler_html_to_text(in, n, 1000) : NULL;
		CHECK(got && strlen(got) <= 1000 &&
		              strncmp(got, "x x x", 5) == 0,
		      "4 MB of markup is cut at max");
		free(got);
		free(in);
	}
	return check_done();
}
