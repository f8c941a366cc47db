#!/usr/bin/env python3
"""Crawl workers sharing one database: pcmon crawl --worker, three at once.

Run by tests/cases/0394-crawl-workers.test (pcmon on PATH, PCMON_CONFIG
set to a configuration whose database is the case's PostgreSQL database,
the current directory the case's %TMP, the test server at URL):

    workers.py URL PGURL [--feeds N] [--workers K] [--lease S]

Registers N feeds on the test server (route key grow: each GET publishes
one new item), imports them, then:

  cycle 1: K workers at once; every feed must be fetched exactly once
           (counted in the server's log) and every published item stored
           once;
  cycle 2: every feed made due again; K workers at once, one killed with
           SIGKILL while it holds a batch of leases.  The others finish
           what they can claim; the killed worker's feeds stay leased.
           After the lease a new worker takes exactly those left over.
           Every feed fetched at least once in the cycle, only the killed
           worker's in-flight feeds twice; every published item stored
           once.

Prints one line per cycle and exits 1 on any failure.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

WINDOW = 5


def fail(msg):
    print("workers: " + msg)
    sys.exit(1)


def psql(url, sql):
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        url, "-c", sql], capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        fail("psql: %s" % p.stderr.strip())
    return p.stdout.strip()


def worker(lease, batch):
    return subprocess.Popen(["pcmon", "crawl", "--worker", "--quiet",
                             "--lease", "%ds" % lease, "--batch", str(batch)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(procs, what):
    for p in procs:
        out, err = p.communicate(timeout=600)
        if p.returncode != 0:
            fail("%s: a worker exited %d: %s" %
                 (what, p.returncode, err.decode()[-1500:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("pgurl")
    ap.add_argument("--feeds", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--lease", type=int, default=30)
    ap.add_argument("--batch", type=int, default=40)
    opts = ap.parse_args()

    u = urllib.parse.urlsplit(opts.url)
    case = u.path.strip("/")
    base = "%s://%s" % (u.scheme, u.netloc)
    paths = ["/w%04d.xml" % i for i in range(opts.feeds)]
    # 20 ms an answer: a worker's batch is in flight long enough to be
    # killed with leases held
    routes = [{"path": p, "grow": str(WINDOW), "delay": "0.02",
               "headers": []} for p in paths]
    req = urllib.request.Request(
        base + "/_control/routes",
        json.dumps({"case": case, "routes": routes}).encode(),
        {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()

    with open("feeds.opml", "w") as f:
        f.write('<?xml version="1.0"?>\n<opml version="2.0"><body>\n')
        for p in paths:
            f.write('<outline type="rss" text="%s" xmlUrl="%s%s"/>\n' %
                    (p, opts.url, p))
        f.write("</body></opml>\n")
    subprocess.run(["pcmon", "feeds", "import", "feeds.opml"], check=True,
                   capture_output=True)

    def log():
        with urllib.request.urlopen("%s/_control/log?case=%s" %
                                    (base, case), timeout=30) as r:
            return json.loads(r.read())

    def gets(entries):
        n = {}
        for e in entries:
            p = urllib.parse.urlsplit(e["path"]).path[len(case) + 1:]
            if e["method"] == "GET":
                n[p] = n.get(p, 0) + 1
        return n

    def check_items(what):
        total = gets(log())
        published = {"/%s%s#%d" % (case, p, k)
                     for p, n in total.items() for k in range(1, n + 1)}
        rows = psql(opts.pgurl, "SELECT guid FROM items").split("\n")
        rows = [r for r in rows if r]
        lost = published - set(rows)
        dup = len(rows) - len(set(rows))
        extra = set(rows) - published
        if lost or dup or extra:
            fail("%s: %d lost (%s), %d duplicated, %d unexpected" %
                 (what, len(lost), sorted(lost)[:3], dup, len(extra)))
        return len(published)

    # cycle 1
    t0 = time.time()
    procs = [worker(opts.lease, opts.batch) for _ in range(opts.workers)]
    finish(procs, "cycle 1")
    t1 = time.time() - t0
    n1 = gets(log())
    once = sum(1 for p in paths if n1.get(p) == 1)
    if once != len(paths):
        fail("cycle 1: %d of %d feeds fetched exactly once (%d never, "
             "%d more than once)" %
             (once, len(paths), sum(1 for p in paths if p not in n1),
              sum(1 for p in paths if n1.get(p, 0) > 1)))
    items = check_items("cycle 1")
    print("cycle 1: %d workers, %d feeds each fetched exactly once, %d "
          "items stored once, %.1f s" % (opts.workers, len(paths), items,
                                         t1))

    # cycle 2: all due again; one worker killed while it holds leases
    psql(opts.pgurl, "UPDATE feeds SET next_fetch_at = NULL")
    seen = len(log())
    procs = [worker(opts.lease, opts.batch) for _ in range(opts.workers)]
    victim = procs[0]
    deadline = time.time() + 60
    while True:
        held = psql(opts.pgurl,
                    "SELECT count(*) FROM feeds WHERE lease_owner LIKE "
                    "'%%:%d'" % victim.pid)
        if int(held or 0) > 0 or time.time() > deadline:
            break
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    killed_at = time.time()
    finish(procs[1:], "cycle 2")
    left = int(psql(opts.pgurl,
                    "SELECT count(*) FROM feeds WHERE next_fetch_at IS NULL"))
    leased = int(psql(opts.pgurl,
                      "SELECT count(*) FROM feeds WHERE lease_owner LIKE "
                      "'%%:%d'" % victim.pid))
    if left == 0 or leased != left:
        fail("cycle 2: after the kill %d feeds left undone, %d leased to "
             "the killed worker (want the same, above 0)" % (left, leased))
    # before the lease ends, a new worker must not touch them
    if time.time() > killed_at + opts.lease - 5:
        fail("cycle 2: the others took longer than the lease; use a "
             "longer --lease")
    p = worker(opts.lease, opts.batch)
    finish([p], "cycle 2, during the lease")
    if int(psql(opts.pgurl, "SELECT count(*) FROM feeds WHERE "
                            "next_fetch_at IS NULL")) != left:
        fail("cycle 2: a worker took feeds still under lease")
    time.sleep(max(0.0, killed_at + opts.lease + 1 - time.time()))
    p = worker(opts.lease, opts.batch)
    finish([p], "cycle 2, after the lease")
    if int(psql(opts.pgurl, "SELECT count(*) FROM feeds WHERE "
                            "next_fetch_at IS NULL OR lease_owner IS NOT "
                            "NULL")) != 0:
        fail("cycle 2: feeds left undone or leased after the lease")
    n2 = gets(log()[seen:])
    never = [p for p in paths if p not in n2]
    twice = sum(1 for p in paths if n2.get(p, 0) > 1)
    if never:
        fail("cycle 2: %d feeds never fetched" % len(never))
    if twice > left:
        fail("cycle 2: %d feeds fetched twice, more than the %d the killed "
             "worker held" % (twice, left))
    items = check_items("cycle 2")
    cycle2 = ("cycle 2: one of %d workers killed holding %d leases; the others "
          "left them alone until the lease ended, then a worker fetched "
          "them; %d feeds fetched twice (in flight when killed), %d items "
          "stored once, 0 lost" % (opts.workers, left, twice, items))
    print(cycle2)

    # classification workers: one killed holding row locks; the others
    # go on, and a last one finds nothing left
    procs = [subprocess.Popen(["pcmon", "classify", "--worker", "--batch",
                               "200"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
             for _ in range(opts.workers)]
    time.sleep(0.3)
    procs[0].send_signal(signal.SIGKILL)
    procs[0].communicate()
    finish(procs[1:], "classify")
    p = subprocess.run(["pcmon", "classify", "--worker"], capture_output=True,
                       text=True, timeout=600)
    if p.returncode != 0:
        fail("classify: the last worker exited %d: %s" %
             (p.returncode, p.stderr[-1500:]))
    row = psql(opts.pgurl,
               "SELECT count(*), count(DISTINCT p.item_id),"
               " count(DISTINCT p.model_version) FROM predictions p")
    n, distinct, versions = (int(x) for x in row.split("|"))
    if n != items or distinct != items or versions != 1:
        fail("classify: %d predictions of %d items, %d versions, for %d "
             "items" % (n, distinct, versions, items))
    print("classify: %d workers, one killed; every one of %d items scored "
          "once, 0 left" % (opts.workers, items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
