#!/usr/bin/env python3
"""Formats bench/crawl's measurements and writes the "## Crawler" section of
bench/RESULTS.md (replacing an earlier one)."""
import json, os, re, subprocess, sys, time

(results, feeds, delay, conc, maxjobs, pc1, pc1s, pc2, pc2s, pcitems, pcfail,
 xa, xas, sf1, sf1s, sf2, sf2s, sfitems, commit) = sys.argv[1:]
feeds, delay, conc, maxjobs = int(feeds), float(delay), int(conc), int(maxjobs)


def t(s):
    w, u, sy, m = s.split()
    return float(w), float(u) + float(sy), int(m) / 1024.0


def b(s):
    return json.loads(s)


ideal = lambda c: feeds * delay / c
rows = []


def row(name, c, tm, st, st2=None, items=""):
    w, cpu, mb = t(tm)
    s = b(st)
    line = [name, str(c), "%.1f" % w, "%.1f" % ideal(c), "%.2fx" % (w / ideal(c)),
            "%.1f" % cpu, "%.1f" % mb, "%.2f" % (s["bytes"] / 1e6)]
    if st2:
        s2 = b(st2)
        line += ["%.3f" % (s2["bytes"] / 1e6), "%.1f%%" % (100.0 * s2["bytes"] / s["bytes"])]
    else:
        line += ["-", "-"]
    line.append(str(items))
    rows.append(line)
    return w, cpu, mb, s["bytes"]


pw, pcpu, pmb, pb = row("pcmon crawl (then crawl --force)", conc, pc1, pc1s, pc2s, pcitems)
p2w = t(pc2)[0]
sw, scpu, smb, sb = row("sfeed_update (default maxjobs; run twice)", maxjobs, sf1, sf1s, sf2s, sfitems)
xw, xcpu, xmb, xb = row("xargs -P %d curl (fetch only)" % conc, conc, xa, xas)
s2 = b(pc2s)

cpu = "unknown"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip()
            break
except OSError:
    pass
head = ["tool", "concurrency", "wall s", "ideal s", "wall/ideal", "CPU s",
        "peak RSS MB", "MB sent, 1st", "MB sent, 2nd", "2nd/1st", "items"]
tbl = "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
tbl += "".join("| " + " | ".join(r) + " |\n" for r in rows)
p304 = b(pc2s)["status"].get("304", 0)
sec = """## Crawler

`pcmon crawl` on %d feeds served from 127.0.0.1 by bench/crawl/serve.py, each
response delayed %.0f ms, every feed on a host of its own (fNNNN.localhost),
ETag and Last-Modified on every response, gzip when asked.  Bytes are counted
by the server (headers and bodies), the same measure for every tool.  The
ideal wall time is feeds x delay / concurrency.

- date: %s UTC; commit %s
- machine: %d cores, %s
- command: `sh bench/crawl/run.sh`

%s
- pcmon, first crawl: %.2fx the ideal at concurrency %d (goal: within 1.3x);
  %s items stored, %s failed fetches; peak RSS %.1f MB (goal: under 100 MB).
- pcmon, second crawl with nothing changed: %d of %d feeds answered 304;
  %.1f%% of the first crawl's bytes (goal: under 5%%), %.1f s.
- sfeed_update runs %d jobs at a time and waits for each batch of %d to finish;
  it has no conditional GET, so its second run moves the same bytes again,
  and its curl does not ask for compression.
  pcmon's first crawl took %.2fx sfeed_update's wall time (at twice its
  concurrency) and %.2fx the wall time of a bare `xargs -P %d curl` that only
  downloads.
""" % (feeds, delay * 1000, time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
       commit, os.cpu_count(), cpu, tbl, pw / ideal(conc), conc, pcitems, pcfail, pmb,
       p304, feeds, 100.0 * s2["bytes"] / pb, p2w, maxjobs, maxjobs, pw / sw, pw / xw, conc)
print(sec)
text = open(results).read() if os.path.exists(results) else "# Benchmark results\n"
m = re.search(r"^## Crawler\n.*?(?=^## |\Z)", text, re.S | re.M)
if m:
    text = text[:m.start()] + sec + "\n" + text[m.end():]
else:
    text = text.rstrip("\n") + "\n\n" + sec
open(results, "w").write(text)
