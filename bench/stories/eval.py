#!/usr/bin/env python3
"""bench/stories/eval.py - stories, not copies, measured on real text.

Reads the BBC News articles and the AG News test set in place (never copied),
makes republications of them with a fixed seed, runs the C drivers built by
run.sh (pipeline/story.c in several configurations), an exact hash of the normalised text and an exact
Jaccard reference on word 2-shingles, and prints markdown tables:

  1. recall per kind of republication (pair: original vs copy) and the
     false match rate on hard negatives (each article and the most similar
     of 30 other articles of its category);
  2. whole-collection clustering (every item joins the lowest story id within
     k bits, as the pipeline does): pairwise precision, recall and F1;
  3. throughput of the C code.
"""
import argparse
import gzip
import csv
import html
import os
import random
import re
import subprocess
import sys
import time

SEED = 20240607
OUTLETS = ["Reuters", "The Straits Times", "SCMP", "Yahoo News",
           "The Daily Courier", "ABC News", "Deutsche Welle", "MSN",
           "Asia Times", "The Guardian"]
SEPS = [" - ", " | ", " \u2014 "]
DATELINES = ["LONDON (Reuters) - ", "(AP) \u2014 ", "PARIS (AFP) - ",
             "NEW YORK, Nov 3 (Bloomberg) - ", "WASHINGTON - ",
             "BEIJING (Xinhua) -- "]
KINDS = ["suffix", "dateline", "tail", "truncate", "drop_sentence",
         "add_sentence", "typos", "word_edits", "title_rewrite", "combo"]

SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
WORD = re.compile(r"\w+", re.UNICODE)


def load_bbc(root):
    out = []
    for cat in sorted(os.listdir(root)):
        d = os.path.join(root, cat)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            with open(os.path.join(d, f), "rb") as fp:
                text = fp.read().decode("utf-8", "replace")
            lines = [l.strip() for l in text.split("\n") if l.strip()]
            if len(lines) < 2:
                continue
            sents = SENT.split(" ".join(lines[1:3]))
            out.append(("bbc-" + cat, lines[0], " ".join(sents[:3])))
    return out


def load_ag(path):
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fp:
        for cls, title, desc in csv.reader(fp):
            fix = lambda s: html.unescape(
                re.sub(r" ?#(\d+);", r"&#\1;", s.replace("\\", " "))
                .replace("quot;", '"').replace("amp;", "&"))
            out.append(("ag-" + cls, fix(title), fix(desc)))
    return out


def typo(rng, text, n):
    words = text.split(" ")
    for _ in range(n):
        cand = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
        if not cand:
            break
        i = rng.choice(cand)
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        if rng.random() < 0.5:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]   # swap
        else:
            w = w[:j] + w[j + 1:]                     # drop a letter
        words[i] = w
    return " ".join(words)


def word_edits(rng, text, other, n):
    words = text.split(" ")
    pool = [w for w in other.split(" ") if w.isalpha()] or ["said"]
    for _ in range(n):
        cand = [i for i, w in enumerate(words) if w.isalpha()]
        if not cand:
            break
        words[rng.choice(cand)] = rng.choice(pool)
    return " ".join(words)


def variant(rng, kind, cat, title, summ, other_summ):
    sents = SENT.split(summ)
    if kind == "suffix":
        return title + rng.choice(SEPS) + rng.choice(OUTLETS), summ
    if kind == "dateline":
        return title, rng.choice(DATELINES) + summ
    if kind == "tail":
        t = rng.choice([" Read more", " Continue reading...",
                        " The post %s appeared first on %s." %
                        (title, rng.choice(OUTLETS)), " [\u2026]"])
        return title, summ + t
    if kind == "truncate":
        cut = int(len(summ) * rng.uniform(0.6, 0.9))
        return title, summ[:cut].rstrip() + rng.choice(["...", "\u2026",
                                                        " [...]"])
    if kind == "drop_sentence":
        if len(sents) < 2:
            return None
        return title, " ".join(sents[:-1])
    if kind == "add_sentence":
        extra = SENT.split(other_summ)[0]
        return title, summ + " " + extra
    if kind == "typos":
        return typo(rng, title, 1), typo(rng, summ, 2)
    if kind == "word_edits":
        return title, word_edits(rng, summ, other_summ, 2)
    if kind == "title_rewrite":
        w = summ.split(" ")[:rng.randrange(6, 11)]
        return " ".join(w).rstrip(",.;:").capitalize(), summ
    if kind == "combo":
        return (title + rng.choice(SEPS) + rng.choice(OUTLETS),
                rng.choice(DATELINES) + typo(rng, summ, 1) + " Read more")
    raise ValueError(kind)


def words(s):
    return WORD.findall(s.lower())


def shingles(title, summ):
    out = set()
    for part in (title, summ):
        w = words(part)
        out.update(zip(w, w[1:]))
        if len(w) == 1:
            out.add((w[0],))
    return out


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 1.0


def build(args):
    rng = random.Random(SEED)
    bases = load_bbc(args.bbc) + load_ag(args.agnews)
    bycat = {}
    for i, b in enumerate(bases):
        bycat.setdefault(b[0], []).append(i)
    items = []      # (truth, kind, title, summary)
    pairs = []      # (item a, item b, kind): positives and negatives
    base_item = []
    for i, (cat, title, summ) in enumerate(bases):
        base_item.append(len(items))
        items.append((i, "original", title, summ))
    for i, (cat, title, summ) in enumerate(bases):
        other = bases[rng.choice(bycat[cat])][2]
        for kind in rng.sample(KINDS, rng.randrange(1, 5)):
            v = variant(rng, kind, cat, title, summ, other)
            if v is None:
                continue
            pairs.append((base_item[i], len(items), kind))
            items.append((i, kind, v[0].replace("\t", " "),
                          v[1].replace("\t", " ")))
    # hard negatives: the most similar of 30 others of the same category
    sh = [shingles(t, s) for _, _, t, s in items]
    wset = [set(words(b[1] + " " + b[2])) for b in bases]
    for i, (cat, _, _) in enumerate(bases):
        cand = [j for j in rng.sample(bycat[cat], min(31, len(bycat[cat])))
                if j != i][:30]
        j = max(cand, key=lambda c: jaccard(wset[i], wset[c]))
        pairs.append((base_item[i], base_item[j], "hard_negative"))
    return bases, items, pairs, sh


def run_driver(path, items, ks):
    inp = "".join("%s\t%s\n" % (t.replace("\n", " "), s.replace("\n", " "))
                  for _, _, t, s in items)
    r = subprocess.run([path, "assign"] + [str(k) for k in ks],
                       input=inp.encode(), stdout=subprocess.PIPE,
                       check=True)
    fps, stories = [], []
    for line in r.stdout.decode().split("\n")[:-1]:
        f = line.split("\t")
        fps.append((int(f[0], 16), int(f[1])))
        stories.append([int(x) for x in f[2:]])
    assert len(fps) == len(items)
    return fps, stories


def pair_scores(pred):
    """pairwise precision/recall/F1 of a clustering against the truth"""
    from collections import Counter
    c2 = lambda n: n * (n - 1) // 2
    cell, p, t = Counter(), Counter(), Counter()
    for truth, story in pred:
        cell[(truth, story)] += 1
        p[story] += 1
        t[truth] += 1
    tp = sum(c2(n) for n in cell.values())
    pp = sum(c2(n) for n in p.values())
    tt = sum(c2(n) for n in t.values())
    prec = tp / pp if pp else 1.0
    rec = tp / tt if tt else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, pp - tp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bbc", required=True)
    ap.add_argument("--agnews", required=True)
    ap.add_argument("--drivers", required=True,
                    help="name=path,name=path: the first is the default")
    ap.add_argument("--ks", default="3,4,5,6,7,8,10,12")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ks = [int(k) for k in a.ks.split(",")]
    t0 = time.time()
    bases, items, pairs, sh = build(a)
    kinds = KINDS + ["hard_negative"]
    print("%d articles (BBC News %d, AG News test %d), %d items, "
          "%d copy pairs, %d hard negative pairs; seed %d\n" % (
              len(bases), sum(b[0].startswith("bbc") for b in bases),
              sum(b[0].startswith("ag") for b in bases), len(items),
              sum(p[2] != "hard_negative" for p in pairs),
              sum(p[2] == "hard_negative" for p in pairs), SEED))

    # pair-level: each method -> {kind: rate of "same story"}
    rows = []   # (method, {kind: rate})

    def rate(same):
        res = {}
        for kind in kinds:
            ps = [p for p in pairs if p[2] == kind]
            res[kind] = (sum(same(x, y) for x, y, _ in ps), len(ps))
        return res

    norm = [" ".join(words(t + " " + s)) for _, _, t, s in items]
    rows.append(("exact hash of normalised text",
                 rate(lambda x, y: norm[x] == norm[y])))
    for th in (0.5, 0.6, 0.7, 0.8):
        rows.append(("Jaccard of 2-shingles >= %.1f (Python)" % th,
                     rate(lambda x, y, th=th: jaccard(sh[x], sh[y]) >= th)))
    clusters = []
    exact_story, first = [], {}
    for i, n in enumerate(norm):
        exact_story.append(first.setdefault(n, i))
    clusters.append(("exact hash of normalised text",
                     pair_scores(zip((it[0] for it in items), exact_story))))
    drivers = [d.split("=", 1) for d in a.drivers.split(",")]
    for name, path in drivers:
        fps, stories = run_driver(path, items, ks)
        for ki, k in enumerate(ks):
            if name != drivers[0][0] and k not in (4, 6, 8):
                continue
            dist = lambda x, y: bin(fps[x][0] ^ fps[y][0]).count("1")
            rows.append(("%s, k=%d" % (name, k),
                         rate(lambda x, y, k=k: fps[x][1] > 0 and
                              dist(x, y) <= k)))
            clusters.append(("%s, k=%d" % (name, k), pair_scores(
                zip((it[0] for it in items), (s[ki] for s in stories)))))

    short = {"suffix": "suffix", "dateline": "datel.", "tail": "tail",
             "truncate": "trunc.", "drop_sentence": "drop s.",
             "add_sentence": "add s.", "typos": "typos",
             "word_edits": "2 words", "title_rewrite": "new title",
             "combo": "combo", "hard_negative": "**hard neg.** (FP)"}
    print("### Pairs: share judged the same story\n")
    print("| method | " + " | ".join(short[k] for k in kinds) +
          " | copies (recall) |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    for name, res in rows:
        pos = [res[k] for k in KINDS]
        allr = sum(x for x, _ in pos) / sum(n for _, n in pos)
        print("| %s | %s | %.3f |" % (name, " | ".join(
            "%.3f" % (res[k][0] / res[k][1]) for k in kinds), allr))
    print("\n### Whole collection: each item joins the lowest earlier "
          "story within k bits\n")
    print("| method | pairwise precision | recall | F1 | false pairs |")
    print("|---|---:|---:|---:|---:|")
    for name, (p, r, f, fp) in clusters:
        print("| %s | %.4f | %.4f | %.4f | %d |" % (name, p, r, f, fp))
    print("\n(%.0f s)" % (time.time() - t0))
    with open(os.path.join(a.out, "items.tsv"), "w") as fp:
        for truth, kind, t, s in items:
            fp.write("%d\t%s\t%s\t%s\n" % (truth, kind, t, s))


if __name__ == "__main__":
    sys.exit(main())
