#!/usr/bin/env python3
"""Crash consistency: kill `pcmon run` with SIGKILL at random moments.

Run by tests/cases/0870-crash-kill.test (pcmon on PATH, PCMON_CONFIG set,
the current directory the case's %TMP, the test server at URL):

    crashkill.py URL DB [--feeds N] [--kills N] [--seed N]

Registers N changing feeds on the test server (route key grow: every GET
publishes one new item, and answers the newest 400), adds them, times one
whole `pcmon run --force`, then KILLS times: starts `pcmon run --force`,
sends SIGKILL after a random delay within that time, checks
PRAGMA integrity_check and foreign_key_check on the database, and runs
`pcmon run --force` to the end (it must exit 0).  At the end every item the
server published (counted from its request log) must be stored exactly
once, fingerprinted and scored.  Prints one summary line,
"crashkill: K kills (C while fetching), P items published, S stored,
0 lost, 0 duplicated, 0 unscored", and exits 1 on any failure.
"""

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

WINDOW = 400


def fail(msg):
    print("crashkill: " + msg)
    sys.exit(1)


def check_db(db, when):
    con = sqlite3.connect(db, timeout=30)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchall()
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    if ok != [("ok",)]:
        fail("%s: integrity_check: %r" % (when, ok[:5]))
    if fk:
        fail("%s: foreign_key_check: %r" % (when, fk[:5]))


def run_whole(when):
    p = subprocess.run(["pcmon", "run", "--force", "--quiet"],
                       capture_output=True, timeout=300)
    if p.returncode != 0:
        fail("%s: pcmon run exited %d:\n%s" %
             (when, p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("db")
    ap.add_argument("--feeds", type=int, default=12)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=None)
    opts = ap.parse_args()
    seed = opts.seed if opts.seed is not None else int(time.time())
    rnd = random.Random(seed)

    u = urllib.parse.urlsplit(opts.url)
    case = u.path.strip("/")
    base = "%s://%s" % (u.scheme, u.netloc)
    paths = ["/grow%02d.xml" % i for i in range(opts.feeds)]
    # a little latency per answer, so that the crawl is most of a run
    routes = [{"path": p, "grow": str(WINDOW), "delay": "0.04", "headers": []}
              for p in paths]
    req = urllib.request.Request(
        base + "/_control/routes",
        json.dumps({"case": case, "routes": routes}).encode(),
        {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    for p in paths:
        subprocess.run(["pcmon", "feeds", "add", opts.url + p], check=True,
                       capture_output=True)

    t0 = time.monotonic()
    run_whole("first run")
    whole = time.monotonic() - t0

    def server_log():
        with urllib.request.urlopen("%s/_control/log?case=%s" % (base, case),
                                    timeout=10) as r:
            return json.loads(r.read())

    kills = crawling = finished = 0
    while kills < opts.kills:
        seen = len(server_log())
        if finished > 3 * opts.kills:
            fail("runs keep ending before the kill (%.2fs each)" % whole)
        proc = subprocess.Popen(["pcmon", "run", "--force", "--quiet"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.0, whole))
        if proc.poll() is not None:
            finished += 1
            proc.communicate()
            continue
        proc.send_signal(signal.SIGKILL)
        killed_at = time.time()
        proc.communicate()
        kills += 1
        # killed while fetching: some feed not yet asked, or an answer not
        # yet over when the signal went
        new = [e for e in server_log()[seen:] if e["method"] == "GET"]
        if len(new) < len(paths) or \
                any(e.get("end", killed_at + 1) > killed_at for e in new):
            crawling += 1
        check_db(opts.db, "after kill %d" % kills)
        run_whole("run after kill %d" % kills)
        check_db(opts.db, "after the run that followed kill %d" % kills)

    run_whole("last run")
    check_db(opts.db, "at the end")

    gets = {}
    for e in server_log():
        p = urllib.parse.urlsplit(e["path"]).path[len(case) + 1:]
        if e["method"] == "GET" and p in paths:
            gets[p] = gets.get(p, 0) + 1
    if max(gets.values()) >= WINDOW:
        fail("a feed was fetched %d times: items left its window" %
             max(gets.values()))
    published = {"/%s%s#%d" % (case, p, k)
                 for p, n in gets.items() for k in range(1, n + 1)}

    con = sqlite3.connect(opts.db)
    rows = con.execute("SELECT guid FROM items").fetchall()
    unscored = con.execute(
        "SELECT count(*) FROM items i WHERE story_id IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM predictions p WHERE p.item_id = i.id)").fetchone()[0]
    con.close()
    stored = [g for (g,) in rows]
    dup = len(stored) - len(set(stored))
    lost = published - set(stored)
    extra = set(stored) - published
    print("crashkill: %d kills (%d while fetching), %d items published, "
          "%d stored, %d lost, %d duplicated, %d unscored (seed %d, "
          "%.2fs a run)" % (kills, crawling, len(published), len(stored),
                            len(lost), dup, unscored, seed, whole))
    if lost or dup or extra or unscored:
        fail("lost %s; unexpected %s" % (sorted(lost)[:5], sorted(extra)[:5]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
