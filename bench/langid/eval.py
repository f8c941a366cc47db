#!/usr/bin/env python3
"""eval.py - accuracy and throughput of classify_langid() and libexttextcat.

Called by run.sh.  Reads every line of the corpus (JSON lines with "lang",
"title", "summary"; files other workers may be appending to, so a line that
does not parse yet is skipped and counted), writes one text per line to
OUT/texts.txt, runs the driver to predict and to time both detectors on the
same lines on one core, and prints a markdown table: per language, the items,
the share each detector gets right, and how often pcmon gives no answer.
"""
import argparse
import collections
import csv
import glob
import gzip
import json
import os
import subprocess
import sys


def load(pattern):
    items, bad = [], 0
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8", errors="replace") as fp:
            for line in fp:
                line = line.strip()
                if not line:
                    continue
                try:
                    d = json.loads(line)
                except ValueError:
                    bad += 1  # a line still being written
                    continue
                lang = d.get("lang")
                text = " ".join(
                    s for s in (d.get("title"), d.get("summary")) if s)
                if not lang or not text:
                    bad += 1
                    continue
                text = " ".join(text.split())  # no tabs or newlines
                items.append((lang.lower(), text, d.get("id", "")))
    return items, bad


def load_agnews(path):
    """AG News rows "class","title","description": English news."""
    with gzip.open(path, "rt", encoding="utf-8") as fp:
        return [" ".join((r[1] + " " + r[2]).replace("\\", " ").split())
                for r in csv.reader(fp) if len(r) >= 3]


def predict(run, path):
    out = subprocess.run(run + ["predict", path], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def pct(k, n):
    return "%.1f%%" % (100.0 * k / n) if n else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", default="models/data/corpus/*.jsonl")
    ap.add_argument("--cpu", default="0")
    ap.add_argument("--min", type=int, default=5,
                    help="languages with at least this many items count "
                         "as non-trivial")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--agnews", help="AG News test.csv.gz: an English-only "
                    "check on more items")
    a = ap.parse_args()

    items, bad = load(a.corpus)
    if not items:
        sys.exit("eval.py: no items in %s" % a.corpus)
    texts = os.path.join(a.out, "texts.txt")
    with open(texts, "w", encoding="utf-8") as fp:
        for _, text, _ in items:
            fp.write(text + "\n")

    run = ["taskset", "-c", a.cpu, a.driver]
    pred = predict(run, texts)
    if len(pred) != len(items):
        sys.exit("eval.py: driver gave %d answers for %d texts"
                 % (len(pred), len(items)))
    speed = {}
    for line in subprocess.run(run + ["speed", texts], check=True,
                               capture_output=True,
                               text=True).stdout.splitlines():
        k, v = line.split()
        speed[k] = float(v)

    n = collections.Counter()
    ok_p, ok_t, none_p = (collections.Counter() for _ in range(3))
    conf_p, conf_t = collections.Counter(), collections.Counter()
    errors = []
    for (lang, text, ident), (p, t) in zip(items, pred):
        n[lang] += 1
        if p == lang:
            ok_p[lang] += 1
        else:
            conf_p[(lang, p)] += 1
            errors.append((lang, p, ident, text))
        if p == "-":
            none_p[lang] += 1
        if t == lang:
            ok_t[lang] += 1
        else:
            conf_t[(lang, t)] += 1

    total = sum(n.values())
    big = [l for l in n if n[l] >= a.min]
    print("Language identification on %s: %d items (%d lines skipped), "
          "one text = title + summary, %.0f bytes on average.\n"
          % (a.corpus, total, bad, speed.get("bytes_per_line", 0)))
    print("| lang | items | pcmon | no answer | libexttextcat |")
    print("|---|---:|---:|---:|---:|")
    for lang in sorted(n, key=lambda l: (-n[l], l)):
        print("| %s | %d | %s | %d | %s |" % (
            lang, n[lang], pct(ok_p[lang], n[lang]), none_p[lang],
            pct(ok_t[lang], n[lang])))
    for name, langs in (("all", list(n)),
                        ("languages with >= %d items" % a.min, big)):
        m = sum(n[l] for l in langs)
        print("| **%s** | %d | **%s** | %d | **%s** |" % (
            name, m, pct(sum(ok_p[l] for l in langs), m),
            sum(none_p[l] for l in langs),
            pct(sum(ok_t[l] for l in langs), m)))
    print()
    print("| throughput, one core (taskset -c %s) | items/s |" % a.cpu)
    print("|---|---:|")
    print("| pcmon classify_langid | %.0f |" % speed["pcmon"])
    print("| libexttextcat textcat_Classify | %.0f |" % speed["textcat"])
    print()

    def top(conf):
        return ", ".join("%s->%s %d" % (g, p, c)
                         for (g, p), c in conf.most_common(12)) or "none"

    if a.agnews and os.path.exists(a.agnews):
        ag = load_agnews(a.agnews)
        path = os.path.join(a.out, "agnews.txt")
        with open(path, "w", encoding="utf-8") as fp:
            for text in ag:
                fp.write(text + "\n")
        res = predict(run, path)
        cp = collections.Counter(p for p, _ in res)
        ct = collections.Counter(t for _, t in res)

        def others(c):
            return ", ".join("%s %d" % (k, v) for k, v in c.most_common()
                             if k != "en") or "none"

        print("English only, AG News test set (%d items, title + "
              "description):\n" % len(ag))
        print("| detector | en | other answers |")
        print("|---|---:|---|")
        print("| pcmon | %s | %s |" % (pct(cp["en"], len(ag)), others(cp)))
        print("| libexttextcat | %s | %s |"
              % (pct(ct["en"], len(ag)), others(ct)[:200]))
        print()

    print("pcmon confusions (gold->answer, '-' no answer): %s" % top(conf_p))
    print()
    print("libexttextcat confusions: %s" % top(conf_t))
    if a.errors:
        print()
        for lang, p, ident, text in errors:
            print("%s -> %s  %s  %s" % (lang, p, ident, text[:160]))


if __name__ == "__main__":
    main()
