#!/usr/bin/env python3
"""report.py - models/default.md from a `make model` run.

    report.py TRAIN_OUTPUT CV_JSONL MODEL DATA_FILE...

TRAIN_OUTPUT is what `pcmon train` printed, CV_JSONL its --cv-out (one
cross-validated score of "related" per example, in --data order), MODEL
the bundle, DATA_FILE... the --data files in the order given.  Prints
the markdown: overall precision/recall/F1 at the chosen threshold and at
others, per language, per source, per theme (how many of each theme's
items the related model finds, and the theme models' own scores), and
the hashes of every input, so the model can be rebuilt and checked.
"""
import hashlib
import json
import os
import sys
import unicodedata

GROUPS = ["en", "zh", "es", "pt", "fr", "it", "de", "nl", "id", "ru", "ja",
          "ko"]
THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def prf(rows, t):
    tp = sum(1 for r in rows if r["label"] == 1 and r["score"] >= t)
    fp = sum(1 for r in rows if r["label"] == 0 and r["score"] >= t)
    fn = sum(1 for r in rows if r["label"] == 1 and r["score"] < t)
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp else 0.0
    return p, r, f, tp, fp, fn


def fmt(x):
    return "-" if x != x else "%.3f" % x


def main():
    train_out, cv_path, model = sys.argv[1:4]
    files = sys.argv[4:]
    rows = []
    for f in files:
        name = os.path.basename(f)
        for line in open(f, encoding="utf-8"):
            if not line.strip():
                continue
            o = json.loads(line)
            lang = o.get("lang") or "?"
            if lang == "zh":
                lang = "zh"
            themes = o.get("themes") or ([o["theme"]] if o.get("theme") else [])
            rows.append({"label": int(o["label"]), "lang": lang, "file": name,
                         "themes": themes, "gray": (o.get("why") or "").startswith("gray:"),
                         "ag": name.startswith("ag_")})
    scores = [json.loads(l) for l in open(cv_path)]
    if len(scores) != len(rows):
        sys.exit("report.py: %d scores for %d examples" % (len(scores), len(rows)))
    for r, s in zip(rows, scores):
        r["score"] = s["score"]
    # the threshold: the best cross-validated F1 (precision weighing as
    # much as recall), and of the thresholds within 0.005 of it the
    # highest - fewer false alarms for a difference in F1 that is noise
    grid = [x / 100 for x in range(20, 91, 5)]
    top = max(prf(rows, t)[2] for t in grid)
    best = max(t for t in grid if prf(rows, t)[2] >= top - 0.005)
    out = []
    w = out.append
    w("# The default model")
    w("")
    w("`models/default.model`: is a feed item about international police "
      "cooperation (label 1) or not (0), and if it is, which themes of "
      "`../shared/LABELING.md` it has.  Built by `make model` (the command "
      "below); this file is written by `models/tools/report.py` from that "
      "run.  All figures are **cross-validated** (5 folds, seed 1: every "
      "item is scored by a model that never saw it) on the training data; "
      "they are an upper bound for news from outlets and years the corpus "
      "does not cover.")
    w("")
    pos = sum(r["label"] for r in rows)
    own = [r for r in rows if not r["ag"]]
    w("- examples: %d (%d related, %d not), of which %d written by the team "
      "(models/data/corpus/) and %d ordinary AG News items as negatives"
      % (len(rows), pos, len(rows) - pos, len(own), len(rows) - len(own)))
    w("- model version: %s" % open(model, "rb").read().split(b"\n")[-2][4:20].decode())
    w("- default threshold: **%.2f** (`[classify] threshold`): of 0.20, "
      "0.25 ... 0.90, the highest whose cross-validated F1 is within 0.005 "
      "of the best - F1 because an analyst reads the related list every "
      "morning, so a false alarm costs about as much as a missed story; "
      "the highest of the near-ties because a difference in F1 that small "
      "is noise, and fewer false alarms are not." % best)
    w("")
    w("## Related or not")
    w("")
    w("| threshold | precision | recall | F1 | true pos | false pos | false neg |")
    w("|---:|---:|---:|---:|---:|---:|---:|")
    for t in sorted(set(THRESHOLDS + [best])):
        p, r, f, tp, fp, fn = prf(rows, t)
        b = "**" if t == best else ""
        w("| %s%.2f%s | %s | %s | %s | %d | %d | %d |" % (b, t, b, fmt(p), fmt(r), fmt(f), tp, fp, fn))
    w("")
    w("At the default threshold, by language of the item (the team's "
      "corpus only: the AG News negatives are all English and all "
      "scored right; `other`: the languages with few examples):")
    w("")
    w("| language | items | related | precision | recall | F1 |")
    w("|---|---:|---:|---:|---:|---:|")
    langs = {}
    for r in own:
        langs.setdefault(r["lang"] if r["lang"] in GROUPS else "other", []).append(r)
    for g in GROUPS + ["other"]:
        rs = langs.get(g)
        if not rs:
            continue
        p, rc, f = prf(rs, best)[:3]
        w("| %s | %d | %d | %s | %s | %s |" % (g, len(rs), sum(x["label"] for x in rs), fmt(p), fmt(rc), fmt(f)))
    w("")
    w("By source: false positives among the hard negatives the team wrote "
      "(China news, PLA, espionage, domestic policing, passing mentions) "
      "and among ordinary news (AG News):")
    w("")
    w("| negatives | items | scored related | rate |")
    w("|---|---:|---:|---:|")
    for name, rs in (("hard negatives (own corpus)", [r for r in own if r["label"] == 0]),
                     ("AG News", [r for r in rows if r["ag"]])):
        k = sum(1 for r in rs if r["score"] >= best)
        w("| %s | %d | %d | %s |" % (name, len(rs), k, fmt(k / len(rs) if rs else float("nan"))))
    gr = [r for r in rows if r["gray"]]
    if gr:
        ok = sum(1 for r in gr if (r["score"] >= best) == (r["label"] == 1))
        w("")
        w("Gray-zone items (marked `gray:`, LABELING.md section 3): %d, of "
          "which %d (%.0f%%) get the label the guideline gives them." % (len(gr), ok, 100.0 * ok / len(gr)))
    w("")
    w("## Themes")
    w("")
    w("Recall of the related model on each theme's items (found = scored "
      "related at the default threshold), and the theme model's own "
      "cross-validated scores on the related items (from `pcmon train`):")
    w("")
    tm = {}
    lines = open(train_out, encoding="utf-8").read().splitlines()
    if any(l.startswith("themes (") for l in lines):
        i = next(k for k, l in enumerate(lines) if l.startswith("themes ("))
        for l in lines[i + 2:]:
            p = l.split()
            if len(p) != 5:
                break
            tm[p[0]] = p[1:]
    w("| theme | items | found by the related model | theme precision | theme recall | theme F1 |")
    w("|---|---:|---:|---:|---:|---:|")
    for t in sorted({t for r in rows for t in r["themes"]}):
        rs = [r for r in rows if t in r["themes"] and r["label"] == 1]
        k = sum(1 for r in rs if r["score"] >= best)
        m = tm.get(t, ["-", "-", "-", "-"])
        w("| %s | %d | %d (%.0f%%) | %s | %s | %s |" % (t, len(rs), k, 100.0 * k / len(rs), m[0], m[1], m[2]))
    w("")
    w("## How it was trained")
    w("")
    w("```")
    w("make model    # = sh models/tools/make-model.sh")
    w("```")
    w("")
    w("`pcmon train` output:")
    w("")
    w("```")
    out.extend(lines)
    w("```")
    w("")
    w("Inputs (sha256):")
    w("")
    for f in files:
        w("- `%s` %s" % (f if not os.path.isabs(f) else os.path.basename(f), sha(f)))
    w("- model `%s` %s" % (os.path.basename(model), sha(model)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
