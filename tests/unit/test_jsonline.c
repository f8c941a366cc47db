/*
 * test_jsonline.c - the predict fast path (pipeline/jsonline.c) against
 * jansson, the reference: a line jsonline_scan() accepts must be one
 * jansson accepts, with the same members; the lines it must leave to
 * jansson; and jsonline_real() printing reals exactly as json_dumps().
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "jsonline.h"

/* a member as the fast path sees it: NULL when absent or null */
static const char *
ref_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

/* Compares jsonline_scan() with json_loadb() on one line; returns 1 when
 * the fast path took it. */
static int
agree(const char *line, const char *name)
{
	struct jsonline jl = { 0 };
	json_error_t e;
	json_t *ref = json_loadb(line, strlen(line), 0, &e);
	int rc = jsonline_scan(&jl, line, strlen(line)), ok = 1;
	static const char *keys[] = { "title", "summary", "text", "lang" };
	const struct jsonline_str *got[4];
	size_t i;

	got[0] = &jl.title;
	got[1] = &jl.summary;
	got[2] = &jl.text;
	got[3] = &jl.lang;
	if (rc == JSONLINE_OK) {
		ok = ref && json_is_object(ref);
		for (i = 0; ok && i < 4; i++) {
			const char *want = ref_str(ref, keys[i]);

			ok = (!want && !got[i]->s) ||
			     (want && got[i]->s && strcmp(want, got[i]->s) == 0 &&
			      got[i]->len == strlen(want));
		}
		if (ok) {
			json_t *id = json_object_get(ref, "id");
			char *dump = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;

			ok = id ? jl.id && dump && strlen(dump) == jl.idlen &&
			                  memcmp(dump, jl.id, jl.idlen) == 0
			        : jl.id == NULL;
			free(dump);
		}
	}
	CHECK(ok, "%s: fast path agrees with jansson", name);
	json_decref(ref);
	jsonline_release(&jl);
	return rc == JSONLINE_OK;
}

static const char *taken[] = {
	"{\"id\":\"a1\",\"title\":\"Joint patrol\",\"summary\":\"Rome\"}",
	"  { \"id\" : 7 , \"title\" : \"x\" }  ",
	"{\"id\":-12,\"text\":\"t\",\"lang\":\"it\"}",
	"{\"id\":null,\"title\":null,\"summary\":\"only body\"}",
	"{\"id\":true,\"title\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}",
	"{\"title\":\"caf\\u00e9 \\u4e2d\\u6587 \\ud83d\\ude00\"}",
	"{\"title\":\"\xe4\xb8\xad\xe5\x9b\xbd\xe8\xad\xa6\xe5\xaf\x9f\"}",
	"{\"title\":\"\",\"summary\":\"\",\"extra\":\"e\"}",
	"{\"title\":\"t\",\"n\":1.5,\"m\":-0.25,\"b\":false,\"z\":0}",
	"{}",
	"{\"id\":\"x\",\"title\":\"t\",\"summary\":\"s\",\"text\":\"u\"}",
};

static const char *other[] = {
	"",                                  /* not an object */
	"[1]",
	"\"s\"",
	"{\"title\":\"t\"} x",               /* trailing garbage */
	"{\"title\":\"t\",}",                /* trailing comma */
	"{\"title\" \"t\"}",                 /* no colon */
	"{\"title\":\"unterminated}",
	"{\"title\":\"a\x01b\"}",            /* raw control byte */
	"{\"title\":\"\\u0000\"}",           /* NUL: jansson refuses */
	"{\"title\":\"\\ud800\"}",           /* lone high surrogate */
	"{\"title\":\"\\udc00x\"}",          /* lone low surrogate */
	"{\"title\":\"\\x41\"}",             /* bad escape */
	"{\"title\":\"\\u12G4\"}",
	"{\"title\":5}",                     /* mistyped: jansson words it */
	"{\"title\":true}",
	"{\"title\":\"a\",\"title\":\"b\"}", /* repeated: the last wins */
	"{\"id\":1,\"id\":2}",
	"{\"id\":1.5}",                      /* jansson prints reals itself */
	"{\"id\":-0}",
	"{\"id\":\"a\\\"b\"}",               /* escaped id string */
	"{\"t\\u0069tle\":\"x\"}",           /* escaped key */
	"{\"n\":1e5}",                       /* exponents */
	"{\"n\":12345678901234567890}",      /* long numbers */
	"{\"n\":01}",
	"{\"n\":1.}",
	"{\"n\":-}",
	"{\"a\":{\"b\":1}}",                 /* nesting */
	"{\"a\":[1,2]}",
	"{\"a\":nul}",
	"{\"a\":tru}",
	"{'a':1}",
};

/* a pseudo-random line from a small alphabet of JSON pieces */
static void
random_line(unsigned *state, char *buf, size_t size)
{
	static const char *pieces[] = {
		"{", "}", "\"id\"", "\"title\"", "\"summary\"", "\"lang\"",
		"\"x\"", ":", ",", " ", "\"a b\"", "\"\\n\"", "\"\\u00e9\"",
		"1", "-2", "0.5", "null", "true", "[", "]", "\"\\ud83d\\ude00\"",
		"\"", "\\",
	};
	size_t n = 0, k, i, len;

	*state = *state * 1103515245u + 12345u;
	k = 1 + (*state >> 16) % 14;
	buf[0] = '\0';
	for (i = 0; i < k; i++) {
		const char *p;

		*state = *state * 1103515245u + 12345u;
		p = pieces[(*state >> 16) % (sizeof(pieces) / sizeof(*pieces))];
		len = strlen(p);
		if (n + len + 1 >= size)
			break;
		memcpy(buf + n, p, len + 1);
		n += len;
	}
}

int
main(void)
{
	static const double reals[] = { 0, 1, 0.5, 0.123456789, 1e-7,
		                        2.5e-5, 0.999999999, 1e-300, 3e21,
		                        0.1, 1.0 / 3, 5e-324 };
	unsigned state = 12345;
	size_t i, accepted = 0, bad = 0;
	char buf[512];

	for (i = 0; i < sizeof(taken) / sizeof(*taken); i++) {
		struct jsonline jl = { 0 };

		CHECK(jsonline_scan(&jl, taken[i], strlen(taken[i])) ==
		              JSONLINE_OK,
		      "taken: %s", taken[i]);
		jsonline_release(&jl);
		agree(taken[i], taken[i]);
	}
	for (i = 0; i < sizeof(other) / sizeof(*other); i++) {
		struct jsonline jl = { 0 };

		CHECK(jsonline_scan(&jl, other[i], strlen(other[i])) ==
		              JSONLINE_OTHER,
		      "left to jansson: %s", other[i]);
		jsonline_release(&jl);
	}
	/* many random lines: never accept one jansson reads differently */
	for (i = 0; i < 20000; i++) {
		struct jsonline jl = { 0 };
		json_error_t e;
		json_t *ref;

		random_line(&state, buf, sizeof(buf));
		if (jsonline_scan(&jl, buf, strlen(buf)) == JSONLINE_OK) {
			ref = json_loadb(buf, strlen(buf), 0, &e);
			if (!ref || !json_is_object(ref))
				bad++;
			else
				accepted++;
			json_decref(ref);
		}
		jsonline_release(&jl);
	}
	CHECK(bad == 0, "random lines: %zu accepted that jansson rejects",
	      bad);
	CHECK(accepted > 0, "random lines: %zu accepted (some must be)",
	      accepted);
	for (i = 0; i < sizeof(reals) / sizeof(*reals); i++) {
		json_t *r = json_real(reals[i]);
		char *want = json_dumps(r, JSON_ENCODE_ANY |
		                                   JSON_REAL_PRECISION(6));
		char got[64];

		jsonline_real(got, sizeof(got), reals[i], 6);
		CHECK_STR(got, want, "real %.17g as jansson prints it",
		          reals[i]);
		free(want);
		json_decref(r);
	}
	return check_done();
}
