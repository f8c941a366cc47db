#!/usr/bin/python3
"""check.py OUTDIR PCMON - correctness cross-check for run.sh.

On a few small generated files (the first small file of every format x
encoding pair, plus one UTF-8 file with a BOM and one without an XML
declaration) compares, entry by entry in document order:
  count     pcmon, sfeed (the sfeed_update pipeline), feedparser, and the
            number gen.py wrote (manifest)
  link      pcmon "link" vs feedparser entry.link (xml:base resolved)
            and vs sfeed's link field
  date      pcmon "published" (else "updated") vs feedparser
            published_parsed (else updated_parsed), in UTC
  title     pcmon "title" vs feedparser title, both reduced to text
            (entities decoded, then tags dropped, blanks collapsed)
sfeed's link is compared too; sfeed is run without a base URL (as here
for pcmon), so it leaves Atom's xml:base-relative links unresolved.
  author    pcmon "author" vs feedparser author (first author's name)
Prints a markdown fragment on stdout.
"""
import calendar
import html
import json
import re
import subprocess
import sys
import time

import feedparser


def text(s):
    if s is None:
        return ""
    s = html.unescape(s)   # first: an html title may be escaped markup
    s = re.sub(r"<[^>]*>", "", s)
    return " ".join(s.split())


def sfeed_rows(path):
    with open(path, "rb") as f:
        data = f.read()
    enc = subprocess.run(["sfeed_xmlenc"], input=data, capture_output=True).stdout.decode().strip()
    if enc and enc != "utf-8":
        data = subprocess.run(["iconv", "-cs", "-f", enc, "-t", "UTF-8"], input=data,
                              capture_output=True).stdout
    out = subprocess.run(["sfeed"], input=data, capture_output=True).stdout
    return [line.split(b"\t") for line in out.splitlines()]


def main():
    outdir, pcmon = sys.argv[1], sys.argv[2]
    rows = []
    with open(outdir + "/manifest.tsv") as m:
        head = m.readline().rstrip("\n").split("\t")
        for line in m:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    picked, seen = [], set()
    for r in rows:
        if r["class"] != "small":
            continue
        key = (r["format"], r["encoding"], r["variant"])
        if key not in seen and (r["variant"] == "-" or r["variant"] in ("bom", "nodecl")):
            seen.add(key)
            picked.append(r)
    print("| file | format | encoding | entries (gen) | pcmon | sfeed | feedparser "
          "| link = fp | link = sfeed | date = fp | title = fp | author = fp |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    tot = {"n": 0, "link": 0, "slink": 0, "date": 0, "title": 0, "author": 0}
    examples = []
    for r in picked:
        path = outdir + "/" + r["path"]
        p = subprocess.run([pcmon, "parse", path], capture_output=True)
        pe = [json.loads(x) for x in p.stdout.decode("utf-8", "replace").splitlines() if x.strip()]
        with open(path, "rb") as f:
            d = feedparser.parse(f.read())
        fe = d.entries
        se = sfeed_rows(path)
        n = min(len(pe), len(fe))
        c = {"link": 0, "slink": 0, "date": 0, "title": 0, "author": 0}
        for i in range(n):
            a, b = pe[i], fe[i]
            if (a.get("link") or "") == (b.get("link") or ""):
                c["link"] += 1
            elif len(examples) < 6:
                examples.append("link %s #%d: pcmon %r, feedparser %r" % (r["path"], i, a.get("link"), b.get("link")))
            if i < len(se) and len(se[i]) > 2 and (a.get("link") or "") == se[i][2].decode("utf-8", "replace"):
                c["slink"] += 1
            pp = b.get("published_parsed") or b.get("updated_parsed")
            fdate = time.strftime("%Y-%m-%dT%H:%M:%SZ", pp) if pp else None
            pdate = a.get("published") or a.get("updated")
            if pdate and fdate and pdate[:19] == fdate[:19] or pdate == fdate:
                c["date"] += 1
            elif len(examples) < 12:
                examples.append("date %s #%d: pcmon %r, feedparser %r" % (r["path"], i, pdate, fdate))
            if text(a.get("title")) == text(b.get("title")):
                c["title"] += 1
            elif len(examples) < 18:
                examples.append("title %s #%d: pcmon %r, feedparser %r" % (
                    r["path"], i, a.get("title"), b.get("title")))
            fa = b.get("author")
            if b.get("authors") and b["authors"][0].get("name"):
                fa = b["authors"][0]["name"]
            if text(a.get("author")) == text(fa):
                c["author"] += 1
            elif len(examples) < 24:
                examples.append("author %s #%d: pcmon %r, feedparser %r" % (r["path"], i, a.get("author"), fa))
        tot["n"] += n
        for k in c:
            tot[k] += c[k]
        name = r["path"].split("/")[-1] + ("" if r["variant"] == "-" else " (%s)" % r["variant"])
        print("| %s | %s | %s | %s | %d | %d | %d | %d/%d | %d/%d | %d/%d | %d/%d | %d/%d |" % (
            name, r["format"], r["encoding"], r["entries"], len(pe), len(se), len(fe),
            c["link"], n, c["slink"], n, c["date"], n, c["title"], n, c["author"], n))
    print()
    print("Field agreement over %d entries: link = feedparser %d, link = sfeed %d, "
          "date = feedparser %d, title = feedparser %d, author = feedparser %d." % (
              tot["n"], tot["link"], tot["slink"], tot["date"], tot["title"], tot["author"]))
    print()
    print("sfeed runs without a base URL here (as pcmon does), so it leaves Atom's "
          "xml:base-relative links relative: 0/n in \"link = sfeed\" for Atom is expected; "
          "pcmon and feedparser resolve them.")
    if examples:
        print()
        print("First differences:")
        print()
        for e in examples:
            print("- " + e.replace("|", "\\|"))


if __name__ == "__main__":
    main()
