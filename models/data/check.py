#!/usr/bin/env python3
"""Validate the labeled corpus in models/data/corpus/*.jsonl.

usage: check.py [--quiet] [--min] [FILE...]

Checks every line against the schema in models/data/README.md and, with
--min, the coverage the corpus must reach (issue 5): >= 900 examples,
>= 350 positives, every theme >= 25, >= 30% not English, and each of
zh-Hans, zh-Hant, es, fr, it, de, pt, id, ru present.  Prints errors as
FILE:LINE: message and exits 1 if there are any.
"""
import glob
import json
import os
import re
import sys
import unicodedata
from collections import Counter

THEMES = ("stations patrols training agreements surveillance_tech "
          "repression_repatriation multilateral non_china_coop").split()
KINDS = ("china_other military domestic_police cyber_espionage "
         "passing_mention gray_zero filler").split()
KEYS = {"id", "label", "theme", "themes", "china", "lang", "script", "date",
        "countries", "title", "summary", "source", "why", "kind"}
REQUIRED = {"id", "label", "theme", "china", "lang", "date", "countries",
            "title", "summary", "source", "why"}
LANGS = set("af ar bg bn cs da de el en es et fa fi fr he hi hr hu hy id it "
            "ja ka kk km ko lo lt lv mn ms my ne nl no pl pt ro ru sk sl sq "
            "sr sv sw ta th tl tr uk ur uz vi zh".split())
NEED_LANGS = ["zh-Hans", "zh-Hant", "es", "fr", "it", "de", "pt", "id", "ru"]


def norm(s):
    s = unicodedata.normalize("NFKC", s).casefold()
    return re.sub(r"\W+", " ", s).strip()


def main(argv):
    quiet = "--quiet" in argv
    need_min = "--min" in argv
    files = [a for a in argv if not a.startswith("--")]
    here = os.path.dirname(os.path.abspath(__file__))
    if not files:
        files = sorted(glob.glob(os.path.join(here, "corpus", "*.jsonl")))
    errors = []
    ids = {}
    texts = {}
    n = pos = nonen = 0
    themes = Counter()
    langs = Counter()
    kinds = Counter()
    events = Counter()

    def err(f, ln, msg):
        errors.append("%s:%d: %s" % (f, ln, msg))

    for f in files:
        with open(f, encoding="utf-8") as fp:
            for ln, line in enumerate(fp, 1):
                if not line.strip():
                    err(f, ln, "blank line")
                    continue
                try:
                    o = json.loads(line)
                except ValueError as e:
                    err(f, ln, "not JSON: %s" % e)
                    continue
                if not isinstance(o, dict):
                    err(f, ln, "not an object")
                    continue
                for k in sorted(REQUIRED - o.keys()):
                    err(f, ln, "missing key %r" % k)
                for k in sorted(o.keys() - KEYS):
                    err(f, ln, "unknown key %r" % k)
                i = o.get("id")
                if not isinstance(i, str) or not i:
                    err(f, ln, "id must be a non-empty string")
                elif i in ids:
                    err(f, ln, "duplicate id %r (first at %s)" % (i, ids[i]))
                else:
                    ids[i] = "%s:%d" % (f, ln)
                lab = o.get("label")
                if lab not in (0, 1) or isinstance(lab, bool):
                    err(f, ln, "label must be 0 or 1")
                    continue
                th = o.get("theme")
                if lab == 1:
                    if th not in THEMES:
                        err(f, ln, "positive needs a theme, got %r" % (th,))
                    if "kind" in o:
                        err(f, ln, "kind is for negatives")
                else:
                    if th is not None:
                        err(f, ln, "negative must have theme null")
                    if o.get("kind") not in KINDS:
                        err(f, ln, "negative needs kind in %s" % KINDS)
                    else:
                        kinds[o["kind"]] += 1
                if "themes" in o:
                    ts = o["themes"]
                    if (lab != 1 or not isinstance(ts, list) or len(ts) < 2
                            or ts[0] != th or any(t not in THEMES for t in ts)
                            or len(set(ts)) != len(ts)):
                        err(f, ln, "themes must list >= 2 distinct themes, "
                            "theme first, positives only")
                if not isinstance(o.get("china"), bool):
                    err(f, ln, "china must be true or false")
                lg = o.get("lang")
                if lg not in LANGS:
                    err(f, ln, "lang %r is not a known ISO 639-1 code" % (lg,))
                sc = o.get("script")
                if lg == "zh" and sc not in ("Hans", "Hant"):
                    err(f, ln, "zh needs script Hans or Hant")
                if lg != "zh" and "script" in o:
                    err(f, ln, "script is only for zh")
                d = o.get("date")
                if d is not None and (not isinstance(d, str) or
                                      not re.fullmatch(r"20[12]\d-[01]\d-[0-3]\d", d)):
                    err(f, ln, "date must be YYYY-MM-DD from 2010 on, or null")
                cs = o.get("countries")
                if not isinstance(cs, list) or any(
                        not isinstance(c, str) or not re.fullmatch(r"[A-Z]{2}", c)
                        for c in cs):
                    err(f, ln, "countries must be a list of alpha-2 codes")
                for k in ("title", "summary", "why"):
                    v = o.get(k)
                    if not isinstance(v, str) or not v.strip():
                        err(f, ln, "%s must be a non-empty string" % k)
                title = o.get("title") or ""
                summ = o.get("summary") or ""
                if isinstance(title, str) and len(title) > 300:
                    err(f, ln, "title longer than 300 characters")
                if isinstance(summ, str) and len(summ) > 1200:
                    err(f, ln, "summary longer than 1200 characters")
                src = o.get("source")
                if not isinstance(src, str) or not re.match(r"https?://[^\s/]+\.[^\s]+$", src):
                    err(f, ln, "source must be an http(s) URL")
                if isinstance(title, str) and isinstance(summ, str):
                    for key in (norm(title), norm(summ)):
                        if len(key) < 12:
                            continue
                        if key in texts:
                            err(f, ln, "duplicate text (also at %s)" % texts[key])
                        else:
                            texts[key] = "%s:%d" % (f, ln)
                n += 1
                if lab == 1:
                    pos += 1
                    for t in o.get("themes") or [th]:
                        themes[t] += 1
                key = lg + ("-" + sc if lg == "zh" and sc else "")
                langs[key] += 1
                if lg != "en":
                    nonen += 1
    if need_min:
        if n < 900:
            errors.append("corpus: %d examples, need >= 900" % n)
        if pos < 350:
            errors.append("corpus: %d positives, need >= 350" % pos)
        for t in THEMES:
            if themes[t] < 25:
                errors.append("corpus: theme %s has %d, need >= 25" % (t, themes[t]))
        if n and nonen * 10 < n * 3:
            errors.append("corpus: %d of %d not English, need >= 30%%" % (nonen, n))
        for lg in NEED_LANGS:
            if not langs[lg]:
                errors.append("corpus: no example in %s" % lg)
    for e in errors:
        print(e, file=sys.stderr)
    if not quiet:
        print("%d examples, %d positive, %d negative, %d not English (%.0f%%)"
              % (n, pos, n - pos, nonen, 100.0 * nonen / n if n else 0))
        print("themes: " + " ".join("%s=%d" % (t, themes[t]) for t in THEMES))
        print("kinds: " + " ".join("%s=%d" % (k, kinds[k]) for k in KINDS))
        print("langs: " + " ".join("%s=%d" % kv for kv in sorted(langs.items())))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
