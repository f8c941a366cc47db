#!/usr/bin/env python3
"""eval.py - data and scoring for bench/countries/run.sh.

    eval.py prep CORPUS_DIR OUT_DIR [N]   items.tsv (id, lang, gold, text),
                                          texts.txt (one text a line) and
                                          bulk.txt (texts repeated to N lines)
    eval.py score OUT_DIR PRED            precision/recall of PRED (one line
                                          of codes per text) against gold

A text is the item's title and summary joined by " | ", which the gazetteer
treats like the line break pipeline/ puts between them (a name does not
run across either).  Gold is the corpus's "countries" field: every country
the item concerns, named in the text or not.
"""
import collections
import glob
import json
import os
import sys


def prep(corpus, out, n):
    items = []
    for path in sorted(glob.glob(os.path.join(corpus, "*.jsonl"))):
        with open(path, encoding="utf-8") as fp:
            for line in fp:
                if not line.strip():
                    continue
                d = json.loads(line)
                text = " | ".join(s for s in (d.get("title"), d.get("summary"))
                                  if s)
                text = " ".join(text.split())   # one line
                items.append((d["id"], d.get("lang") or "?",
                              " ".join(d.get("countries") or []), text))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "items.tsv"), "w", encoding="utf-8") as fp:
        for it in items:
            fp.write("\t".join(it) + "\n")
    with open(os.path.join(out, "texts.txt"), "w", encoding="utf-8") as fp:
        for it in items:
            fp.write(it[3] + "\n")
    with open(os.path.join(out, "bulk.txt"), "w", encoding="utf-8") as fp:
        for i in range(n):
            fp.write(items[i % len(items)][3] + "\n")
    print("items %d, bulk lines %d" % (len(items), n))


def prf(tp, npred, ngold):
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(out, predpath):
    items = []
    with open(os.path.join(out, "items.tsv"), encoding="utf-8") as fp:
        for line in fp:
            i, lang, gold, text = line.rstrip("\n").split("\t", 3)
            items.append((i, lang, gold.split(), text))
    with open(predpath, encoding="utf-8") as fp:
        preds = [l.split() for l in fp.read().split("\n")[: len(items)]]
    assert len(preds) == len(items), "one prediction line per item"

    tot = collections.Counter()
    bylang = collections.defaultdict(collections.Counter)
    fp_codes, fn_codes = collections.Counter(), collections.Counter()
    fp_ex, fn_ex = [], []
    exact = 0
    first_ok = 0
    for (iid, lang, gold, text), pred in zip(items, preds):
        g, p = set(gold), set(pred)
        tp = len(g & p)
        for c in (tot, bylang[lang]):
            c["tp"] += tp
            c["pred"] += len(p)
            c["gold"] += len(g)
            c["items"] += 1
        exact += g == p
        if pred and gold and pred[0] in g:
            first_ok += 1
        for c in p - g:
            fp_codes[c] += 1
            fp_ex.append((iid, c, text))
        for c in g - p:
            fn_codes[c] += 1
            fn_ex.append((iid, c, text))

    P, R, F = prf(tot["tp"], tot["pred"], tot["gold"])
    print("items %d, gold codes %d, predicted %d, correct %d"
          % (tot["items"], tot["gold"], tot["pred"], tot["tp"]))
    print("micro precision %.3f  recall %.3f  F1 %.3f" % (P, R, F))
    print("items with exactly the gold set: %d (%.1f%%)"
          % (exact, 100.0 * exact / tot["items"]))
    print("first code predicted is a gold code: %d (%.1f%%)"
          % (first_ok, 100.0 * first_ok / tot["items"]))
    print()
    print("| lang | items | gold | pred | correct | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for lang, c in sorted(bylang.items(), key=lambda kv: -kv[1]["items"]):
        p, r, _ = prf(c["tp"], c["pred"], c["gold"])
        print("| %s | %d | %d | %d | %d | %.3f | %.3f |"
              % (lang, c["items"], c["gold"], c["pred"], c["tp"], p, r))
    print()
    print("false positives by code:", ", ".join(
        "%s %d" % kv for kv in fp_codes.most_common(25)))
    print("missed gold codes by code:", ", ".join(
        "%s %d" % kv for kv in fn_codes.most_common(25)))
    with open(os.path.join(out, "errors.txt"), "w", encoding="utf-8") as fp:
        for iid, c, text in fp_ex:
            fp.write("FP\t%s\t%s\t%s\n" % (iid, c, text))
        for iid, c, text in fn_ex:
            fp.write("FN\t%s\t%s\t%s\n" % (iid, c, text))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "prep":
        prep(sys.argv[2], sys.argv[3],
             int(sys.argv[4]) if len(sys.argv) > 4 else 10000)
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
