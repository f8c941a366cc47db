#!/usr/bin/python3
"""prep.py - build the classifier benchmark's splits (stdlib + sklearn).

    prep.py DATA_DIR OUT_DIR SEED

DATA_DIR is the shared corpora folder (ag_news/, reuters21578/, bbc/), read
in place and never copied into the repository.  Writes under OUT_DIR/tasks/:

  <task>/<problem>/train.jsonl   pcmon training data {"label","title","summary"}
  <task>/<problem>/test.jsonl    items to predict {"id","title","summary"}
  <task>/<problem>/gold.txt      the test items' true labels, one a line
  <task>/<problem>/train.ft      fastText training lines (__label__L tokens)

and OUT_DIR/tasks/index.json listing tasks and problems.  A task is what a
table row reports (ag_split, ag_cv, reuters, bbc_cv); a problem is one
train/test pair (a CV fold, or one Reuters category, one-vs-rest).  Every
tool sees exactly these files; the text of an item is title + "\\n" +
summary, as "pcmon train" builds it.

Splits (sklearn, random_state=SEED):
  ag_split  AG News test.csv (7,600): StratifiedShuffleSplit 80/20
  ag_cv     AG News, all 7,600: StratifiedKFold(5, shuffle=True)
  reuters   Reuters-21578 ModApte (LEWISSPLIT TRAIN/TEST, TOPICS="YES"):
            9,603 / 3,299; the 10 most frequent training categories, one
            binary problem each, labels "1" / "0"
  bbc_cv    BBC News (2,225 articles, 5 classes): StratifiedKFold(5)
"""
import csv
import glob
import gzip
import html
import io
import json
import os
import re
import sys
from collections import Counter

from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

from peers import ft_tokens  # fastText's preprocessing, shared

AG_CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "SciTech"}


def load_ag(d):
    items = []
    with gzip.open(os.path.join(d, "ag_news", "test.csv.gz"), "rt",
                   encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            cls, title, desc = row
            desc = desc.replace("\\n", " ").replace("\\", " ")
            items.append({"id": "ag%d" % (i + 1), "label": AG_CLASSES[cls],
                          "title": title, "summary": desc})
    assert len(items) == 7600, len(items)
    return items


REU_DOC = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)
REU_ATTR = re.compile(r'(\w+)="([^"]*)"')


def reu_field(body, tag):
    m = re.search(r"<%s(?:\s[^>]*)?>(.*?)</%s>" % (tag, tag), body, re.S)
    return m.group(1) if m else None


def reu_clean(s):
    s = html.unescape(s or "")
    s = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", s)
    s = re.sub(r"[ \t]*\n[ \t]*", "\n", s)
    s = re.sub(r"\s*\bReuter\s*$", "", s.strip())  # the sign-off line
    return s.strip()


def load_reuters(d):
    train, test = [], []
    for fn in sorted(glob.glob(os.path.join(d, "reuters21578",
                                            "reut2-*.sgm.gz"))):
        with gzip.open(fn, "rb") as f:
            data = f.read().decode("latin-1")
        for attrs, body in REU_DOC.findall(data):
            a = dict(REU_ATTR.findall(attrs))
            if a.get("TOPICS") != "YES":
                continue
            split = a.get("LEWISSPLIT")
            if split not in ("TRAIN", "TEST"):
                continue
            topics = re.findall(r"<D>(.*?)</D>", reu_field(body, "TOPICS") or "")
            text = reu_field(body, "TEXT") or ""
            title = reu_clean(reu_field(text, "TITLE"))
            b = reu_field(text, "BODY")
            if b is None:       # TYPE="BRIEF" / "UNPROC": no BODY element
                b = re.sub(r"<[^>]+>.*?</[^>]+>", " ", text, flags=re.S) \
                    if title else re.sub(r"<[^>]+>", " ", text)
            b = reu_clean(b)
            doc = {"id": "reu%s" % a["NEWID"], "title": title, "summary": b,
                   "topics": topics}
            (train if split == "TRAIN" else test).append(doc)
    assert (len(train), len(test)) == (9603, 3299), (len(train), len(test))
    return train, test


def load_bbc(d):
    items = []
    root = os.path.join(d, "bbc")
    for cls in sorted(os.listdir(root)):
        p = os.path.join(root, cls)
        if not os.path.isdir(p):
            continue
        for fn in sorted(os.listdir(p)):
            raw = open(os.path.join(p, fn), "rb").read()
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError:   # sport/199.txt: one Latin-1 byte
                s = raw.decode("latin-1")
            lines = s.split("\n", 1)
            items.append({"id": "bbc-%s-%s" % (cls, fn[:-4]), "label": cls,
                          "title": lines[0].strip(),
                          "summary": " ".join(lines[1].split()) if len(lines) > 1 else ""})
    assert len(items) == 2225, len(items)
    return items


def write_problem(pdir, train, test, label_of):
    os.makedirs(pdir, exist_ok=True)
    with open(os.path.join(pdir, "train.jsonl"), "w", encoding="utf-8") as f, \
            open(os.path.join(pdir, "train.ft"), "w", encoding="utf-8") as g:
        for it in train:
            lab = label_of(it)
            f.write(json.dumps({"label": lab, "title": it["title"],
                                "summary": it["summary"]},
                               ensure_ascii=False) + "\n")
            g.write("__label__%s %s\n" % (
                lab, ft_tokens(it["title"] + "\n" + it["summary"])))
    with open(os.path.join(pdir, "test.jsonl"), "w", encoding="utf-8") as f, \
            open(os.path.join(pdir, "gold.txt"), "w", encoding="utf-8") as g:
        for it in test:
            f.write(json.dumps({"id": it["id"], "title": it["title"],
                                "summary": it["summary"]},
                               ensure_ascii=False) + "\n")
            g.write(label_of(it) + "\n")
    return {"dir": os.path.relpath(pdir, OUT), "ntrain": len(train),
            "ntest": len(test)}


def cv_task(name, items, seed, folds=5):
    y = [it["label"] for it in items]
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    probs = []
    for k, (tr, te) in enumerate(skf.split(items, y)):
        p = write_problem(os.path.join(OUT, "tasks", name, "fold%d" % k),
                          [items[i] for i in tr], [items[i] for i in te],
                          lambda it: it["label"])
        p["name"] = "fold%d" % k
        probs.append(p)
    return probs


def main():
    global OUT
    data, OUT, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tasks = {}

    ag = load_ag(data)
    y = [it["label"] for it in ag]
    sss = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
    tr, te = next(sss.split(ag, y))
    p = write_problem(os.path.join(OUT, "tasks", "ag_split", "all"),
                      [ag[i] for i in tr], [ag[i] for i in te],
                      lambda it: it["label"])
    p["name"] = "all"
    tasks["ag_split"] = {"kind": "multiclass", "problems": [p]}
    tasks["ag_cv"] = {"kind": "multiclass", "problems": cv_task("ag_cv", ag, seed)}

    rtrain, rtest = load_reuters(data)
    cnt = Counter(t for d in rtrain for t in d["topics"])
    top = [c for c, _ in sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]
    probs = []
    for c in top:
        p = write_problem(os.path.join(OUT, "tasks", "reuters", c), rtrain, rtest,
                          lambda it, c=c: "1" if c in it["topics"] else "0")
        p["name"] = c
        p["positives_train"] = cnt[c]
        p["positives_test"] = sum(c in d["topics"] for d in rtest)
        probs.append(p)
    tasks["reuters"] = {"kind": "binary", "problems": probs}

    bbc = load_bbc(data)
    tasks["bbc_cv"] = {"kind": "multiclass", "problems": cv_task("bbc_cv", bbc, seed)}

    # throughput file: the ag_split test items, 50 times over (76,000 items,
    # long enough to time), ids made unique; and a 1-item file, whose run
    # time is each tool's fixed start-up cost (process, model load)
    tdir = os.path.join(OUT, "tasks", "throughput")
    os.makedirs(tdir, exist_ok=True)
    test = [ag[i] for i in te]
    with open(os.path.join(tdir, "ag_x50.jsonl"), "w", encoding="utf-8") as f:
        for r in range(50):
            for it in test:
                f.write(json.dumps({"id": "%s.%d" % (it["id"], r),
                                    "title": it["title"],
                                    "summary": it["summary"]},
                                   ensure_ascii=False) + "\n")
    with open(os.path.join(tdir, "ag_x1item.jsonl"), "w", encoding="utf-8") as f:
        it = test[0]
        f.write(json.dumps({"id": it["id"], "title": it["title"],
                            "summary": it["summary"]}, ensure_ascii=False) + "\n")
    tasks["throughput"] = {"kind": "throughput", "items": 50 * len(test),
                           "model_from": "ag_split/all"}

    with open(os.path.join(OUT, "tasks", "index.json"), "w") as f:
        json.dump({"seed": seed, "tasks": tasks, "reuters_top10": top}, f, indent=1)
    for name, t in tasks.items():
        if "problems" in t:
            print("prep: %s: %d problem(s), %s" % (
                name, len(t["problems"]),
                ", ".join("%s %d/%d" % (p["name"], p["ntrain"], p["ntest"])
                          for p in t["problems"][:3])), file=sys.stderr)
    print("prep: reuters top 10: %s" % ", ".join(
        "%s %d/%d" % (p["name"], p["positives_train"], p["positives_test"])
        for p in probs), file=sys.stderr)


if __name__ == "__main__":
    main()
