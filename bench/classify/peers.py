#!/usr/bin/python3
"""peers.py - the python side of the classifier benchmark's peers.

    peers.py skl-train TRAIN.jsonl MODEL.pkl
    peers.py skl-predict MODEL.pkl TEST.jsonl PRED.txt [TIMING.json]
    peers.py feat-fit TRAIN.jsonl VEC.pkl TRAIN.svm
    peers.py feat-transform VEC.pkl TEST.jsonl TEST.svm [TIMING.json]
    peers.py ft-prep < TEST.jsonl > TEST.ft

The features are the ones the issue names: TfidfVectorizer(ngram_range=(1,2),
sublinear_tf=True, min_df=2), everything else default; sklearn learns with
LinearSVC() (C=1, squared hinge: liblinear's -s 1).  feat-fit exports the same
vectoriser's output in svmlight format for liblinear-train and svm-train
(labels numbered 1..K in sorted order, VEC.pkl.labels.json maps them back).
ft-prep is fastText's own preprocessing (stdlib only; starts fast).  The
text of an item is title + "\\n" + summary, as "pcmon train" builds it.
TIMING.json receives the in-process time of transform (+ predict): the
number the issue asks for sklearn, without python's start-up and imports.
"""
import json
import sys
import time


def read_jsonl(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            texts.append((o.get("title") or "") + "\n" +
                         (o.get("summary") or o.get("text") or ""))
            labels.append(o.get("label"))
    return texts, labels


def vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)


def skl_train(train, model):
    import pickle
    from sklearn.svm import LinearSVC
    texts, labels = read_jsonl(train)
    vec = vectorizer()
    X = vec.fit_transform(texts)
    clf = LinearSVC()
    clf.fit(X, labels)
    with open(model, "wb") as f:
        pickle.dump((vec, clf), f, protocol=pickle.HIGHEST_PROTOCOL)


def skl_predict(model, test, pred, timing=None):
    import pickle
    with open(model, "rb") as f:
        vec, clf = pickle.load(f)
    texts, _ = read_jsonl(test)
    t0 = time.perf_counter()
    c0 = time.process_time()
    y = clf.predict(vec.transform(texts))
    t1 = time.perf_counter()
    c1 = time.process_time()
    with open(pred, "w", encoding="utf-8") as f:
        for lab in y:
            f.write("%s\n" % lab)
    if timing:
        with open(timing, "w") as f:
            json.dump({"items": len(texts), "wall": t1 - t0, "cpu": c1 - c0}, f)


def feat_fit(train, vecpath, svm):
    import pickle
    from sklearn.datasets import dump_svmlight_file
    texts, labels = read_jsonl(train)
    names = sorted(set(labels))
    num = {lab: i + 1 for i, lab in enumerate(names)}
    vec = vectorizer()
    X = vec.fit_transform(texts)
    with open(vecpath, "wb") as f:
        pickle.dump(vec, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(vecpath + ".labels.json", "w") as f:
        json.dump(names, f)
    dump_svmlight_file(X, [num[lab] for lab in labels], svm, zero_based=False)


def feat_transform(vecpath, test, svm, timing=None):
    import pickle
    from sklearn.datasets import dump_svmlight_file
    with open(vecpath, "rb") as f:
        vec = pickle.load(f)
    texts, _ = read_jsonl(test)
    t0 = time.perf_counter()
    c0 = time.process_time()
    X = vec.transform(texts)
    dump_svmlight_file(X, [0] * X.shape[0], svm, zero_based=False)
    t1 = time.perf_counter()
    c1 = time.process_time()
    if timing:
        with open(timing, "w") as f:
            json.dump({"items": len(texts), "wall": t1 - t0, "cpu": c1 - c0}, f)


def ft_tokens(text):
    """fastText's classification-example.sh preprocessing: lower case,
    punctuation split off, one line."""
    s = text.lower()
    s = s.replace("'", " ' ").replace('"', "")
    for p in ".,()!?":
        s = s.replace(p, " " + p + " ")
    s = s.replace(";", " ").replace(":", " ")
    return " ".join(s.split())


def ft_prep():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        o = json.loads(line)
        out.write(ft_tokens((o.get("title") or "") + "\n" +
                            (o.get("summary") or o.get("text") or "")) + "\n")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"skl-train": skl_train, "skl-predict": skl_predict,
          "feat-fit": feat_fit, "feat-transform": feat_transform,
          "ft-prep": ft_prep}.get(cmd)
    if not fn:
        sys.exit(__doc__)
    fn(*args)


if __name__ == "__main__":
    main()
